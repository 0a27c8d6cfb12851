-- The checkout ledger: which basket or invoice became which Qonto payment link,
-- what it was expected to cost, and what Qonto last said about it.
-- Amounts are integer minor units (cents).
CREATE TABLE checkouts (
  id                   TEXT PRIMARY KEY,           -- public checkout id
  kind                 TEXT NOT NULL CHECK (kind IN ('basket', 'invoice')),
  idempotency_key      TEXT UNIQUE,                -- the client's Idempotency-Key
  request_hash         TEXT NOT NULL,              -- same key + other body => 409
  status               TEXT NOT NULL,              -- creating (no link yet) | the link's status: open | processing | paid | expired | canceled
  last_payment_status  TEXT,                       -- the latest payment's status (failed, canceled...) while the link stays open
  currency             TEXT NOT NULL,
  net_minor            INTEGER NOT NULL,
  vat_minor            INTEGER NOT NULL,
  expected_gross_minor INTEGER NOT NULL,
  qonto_amount_minor   INTEGER,                    -- what Qonto says the link charges
  link_id              TEXT UNIQUE,
  url                  TEXT,
  invoice_id           TEXT,
  lines_json           TEXT NOT NULL,              -- priced lines as sent to Qonto
  order_json           TEXT,                       -- customer, shipping and totals (JSON)
  customer_email       TEXT,                       -- lowercased, for "forget this customer"; NULL once forgotten
  customer_forgotten_at TEXT,                      -- when the customer's personal data was removed
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  status_checked_at    TEXT,
  paid_at              TEXT,
  expires_at           TEXT
);
-- At most one live link per invoice: concurrent requests for the same invoice
-- collide here, and the loser reuses the winner's link.
CREATE UNIQUE INDEX checkouts_invoice_live ON checkouts (invoice_id)
  WHERE invoice_id IS NOT NULL AND status IN ('creating', 'open', 'processing');
CREATE INDEX checkouts_created ON checkouts (created_at);
CREATE INDEX checkouts_customer ON checkouts (customer_email) WHERE customer_email IS NOT NULL;

-- Qonto webhook deliveries already processed (de-duplication by event id).
CREATE TABLE webhook_events (
  id          TEXT PRIMARY KEY,
  received_at TEXT NOT NULL
);
