-- Admin sessions kept by the edge, and the sign-in failures it throttles.
--
-- The admin page's cookie holds a random session id (and a MAC keyed with
-- ADMIN_TOKEN); the edge keeps the session here, so signing out revokes it
-- and an expired or revoked id is refused even with a valid MAC. Only the
-- SHA-256 of the id is stored: a copy of this table opens no session.
CREATE TABLE admin_sessions (
  id_hash    TEXT PRIMARY KEY,             -- SHA-256 hex of the cookie's session id
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,                -- refused from then on (8 hours after sign-in)
  revoked_at TEXT                          -- when it was signed out; refused from then on
);
CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at);

-- Failed admin authentications (a wrong token at sign-in or as a bearer) per
-- client (CF-Connecting-IP; an IPv6 client by its /64), in a fixed window:
-- past the limit, the client is refused with 429 until the window ends,
-- even with the right token.
CREATE TABLE admin_failures (
  client       TEXT PRIMARY KEY,           -- the rate-limit key of the client
  window_start TEXT NOT NULL,              -- when the current window began
  failures     INTEGER NOT NULL            -- failures counted since window_start
);
