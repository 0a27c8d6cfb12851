-- Discount codes, created by the merchant on the admin page, and what each
-- unpaid checkout holds of them. A code takes off either a percentage of
-- the goods (basis points: 1000 is 10 %) or a fixed amount (minor units of
-- the catalog's currency), never both.
CREATE TABLE discount_codes (
  code TEXT PRIMARY KEY CHECK (code = upper(code) AND length(code) BETWEEN 1 AND 32),
  percent_bp INTEGER CHECK (percent_bp BETWEEN 1 AND 10000),
  amount_minor INTEGER CHECK (amount_minor > 0),
  -- The least goods total (VAT included, shipping left out) it needs.
  minimum_minor INTEGER CHECK (minimum_minor >= 0),
  -- Valid from this instant (RFC 3339, UTC), until (excluded) that one.
  valid_from TEXT,
  valid_until TEXT,
  -- At most this many paid checkouts (NULL: no limit).
  max_uses INTEGER CHECK (max_uses >= 0),
  -- 0: switched off by the merchant (answered as an unknown code).
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  -- Paid checkouts that used it.
  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
  -- Unpaid checkouts holding a use (the count of its reservations).
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((percent_bp IS NULL) <> (amount_minor IS NULL))
);

-- The use each unpaid checkout holds, inserted in the batch that claims
-- its idempotency key, only while `uses + reserved < max_uses` (D1's single
-- writer makes that check and the insert one step: a code limited to 5
-- uses is held by 5 checkouts at most, however many arrive at once). It
-- exists until the checkout ends, so it is released or counted once.
CREATE TABLE discount_reservations (
  checkout_id TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX discount_reservations_by_code ON discount_reservations (code);

-- `reserved` is the count of the reservations: the claiming batch adds a
-- new checkout's, and this trigger takes one off in the statement that
-- removes it.
CREATE TRIGGER discount_reservation_ended AFTER DELETE ON discount_reservations
BEGIN
  UPDATE discount_codes SET reserved = MAX(reserved - 1, 0) WHERE code = OLD.code;
END;

-- A checkout that became paid (or `review`: a payment of another amount
-- arrived) counts its use, once, inside its status update, whichever path
-- records the payment (the reservation is gone afterwards).
CREATE TRIGGER discount_used_on_payment AFTER UPDATE OF status ON checkouts
WHEN NEW.status IN ('paid', 'review') AND OLD.status NOT IN ('paid', 'review')
BEGIN
  UPDATE discount_codes SET uses = uses + 1, updated_at = NEW.updated_at
    WHERE code IN (SELECT r.code FROM discount_reservations r WHERE r.checkout_id = NEW.id);
  DELETE FROM discount_reservations WHERE checkout_id = NEW.id;
END;

-- A checkout that ended unpaid (expired, canceled, failed) gives its use
-- back, inside the same status update.
CREATE TRIGGER discount_released_on_end AFTER UPDATE OF status ON checkouts
WHEN NEW.status IN ('expired', 'canceled', 'failed')
BEGIN
  DELETE FROM discount_reservations WHERE checkout_id = NEW.id;
END;

-- A checkout row removed before its link existed (Qonto failed, a refused
-- code or a sold-out basket, an abandoned claim swept) gives it back too.
CREATE TRIGGER discount_released_on_delete AFTER DELETE ON checkouts
BEGIN
  DELETE FROM discount_reservations WHERE checkout_id = OLD.id;
END;
