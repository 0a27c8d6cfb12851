-- A Qonto delivery is claimed before it is processed, so copies of one event
-- arriving together are processed once (one re-read of the link from Qonto):
-- `processed_at` is set once the ledger was updated from it. A row without it
-- is a delivery being processed; its claim is given up when processing fails
-- (Qonto's redelivery is then processed again) and may be taken over after a
-- minute (the isolate processing it died).
ALTER TABLE webhook_events ADD COLUMN processed_at TEXT;
-- Every delivery recorded before this migration was processed.
UPDATE webhook_events SET processed_at = received_at;
