-- The shop's Qonto payment-link connection as this edge last heard of it: one
-- row (id = 1). `paused_at` set means payments are paused because Qonto said
-- the connection was revoked (a `connection_revoked` webhook, or a 401/403
-- saying so); a `connection_enabled` webhook, a new OAuth connection or an
-- enabled connection read from Qonto clear it.
CREATE TABLE qonto_connection (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  paused_at     TEXT,                    -- when payments were paused; NULL when they are not
  paused_reason TEXT,                    -- what said so ("connection_revoked webhook", "HTTP 403 ...")
  updated_at    TEXT NOT NULL
);
