-- The merchant is told about a checkout put in review (a paid payment of
-- another amount than its link's): a fourth kind of outbox message,
-- 'merchant_review', the signed `checkout.review` POST to
-- MERCHANT_WEBHOOK_URL, queued once in the same transaction as the review
-- status and retried like the others.
--
-- The kind's CHECK grows, which SQLite only allows by rebuilding the table;
-- every row keeps its state.
CREATE TABLE outbox_messages (
  checkout_id     TEXT NOT NULL REFERENCES checkouts (id),
  kind            TEXT NOT NULL DEFAULT 'merchant_webhook'
                  CHECK (kind IN ('merchant_webhook', 'shopper_email', 'merchant_copy', 'merchant_review')),
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                  -- due time (or a claim's lease); NULL once delivered or given up
  delivered_at    TEXT,                  -- when the merchant's server answered 2xx, or the e-mail binding accepted the message
  last_error      TEXT,                  -- why the last attempt failed: "HTTP 500", "timeout", the binding's refusal...
  PRIMARY KEY (checkout_id, kind)
);
INSERT INTO outbox_messages (checkout_id, kind, created_at, attempts, next_attempt_at, delivered_at, last_error)
  SELECT checkout_id, kind, created_at, attempts, next_attempt_at, delivered_at, last_error
  FROM notifications;
DROP INDEX IF EXISTS notifications_due;
DROP TABLE notifications;
ALTER TABLE outbox_messages RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
