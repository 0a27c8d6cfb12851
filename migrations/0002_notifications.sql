-- Notifications of paid checkouts to the merchant's server
-- (MERCHANT_WEBHOOK_URL): one per checkout, tried until its server answers
-- 2xx or the retries of MERCHANT_WEBHOOK_RETRY_SECONDS run out.
CREATE TABLE notifications (
  checkout_id     TEXT PRIMARY KEY REFERENCES checkouts (id),
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                  -- due time (or a claim's lease); NULL once delivered or given up
  delivered_at    TEXT,                  -- when the merchant's server answered 2xx
  last_error      TEXT                   -- why the last attempt failed: "HTTP 500", "timeout", ...
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
