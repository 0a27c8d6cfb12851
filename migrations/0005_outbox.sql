-- One durable outbox for everything the edge sends after a payment: the
-- notification to the merchant's server (MERCHANT_WEBHOOK_URL), the shopper's
-- order confirmation e-mail and the merchant's copy of it (ORDER_EMAIL_TO).
-- Each checkout has at most one message of each kind, queued in the same
-- transaction as its paid status, tried until it is delivered or the retries
-- of MERCHANT_WEBHOOK_RETRY_SECONDS run out.
--
-- The notifications table becomes that outbox: its primary key grows from
-- the checkout id to (checkout id, kind), which SQLite only allows by
-- rebuilding the table. Every existing row is a merchant notification and
-- keeps its state (a pending one is still retried by the cron).
--
-- No recipient is stored: e-mail addresses are read from the checkout (and
-- the configuration) when a message is sent, so forgetting a customer
-- leaves no address behind here.
CREATE TABLE outbox_messages (
  checkout_id     TEXT NOT NULL REFERENCES checkouts (id),
  kind            TEXT NOT NULL DEFAULT 'merchant_webhook'
                  CHECK (kind IN ('merchant_webhook', 'shopper_email', 'merchant_copy')),
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                  -- due time (or a claim's lease); NULL once delivered or given up
  delivered_at    TEXT,                  -- when the merchant's server answered 2xx, or the e-mail binding accepted the message
  last_error      TEXT,                  -- why the last attempt failed: "HTTP 500", "timeout", the binding's refusal...
  PRIMARY KEY (checkout_id, kind)
);
INSERT INTO outbox_messages (checkout_id, kind, created_at, attempts, next_attempt_at, delivered_at, last_error)
  SELECT checkout_id, 'merchant_webhook', created_at, attempts, next_attempt_at, delivered_at, last_error
  FROM notifications;
DROP INDEX IF EXISTS notifications_due;
DROP TABLE notifications;
ALTER TABLE outbox_messages RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
