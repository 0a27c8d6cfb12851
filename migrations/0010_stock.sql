-- Stock, optional per SKU: a SKU with a row in `stock` is tracked (what can
-- still be bought is `stock - reserved`, never below 0); a SKU without one
-- is unlimited. The merchant sets it on the admin page; the catalog file
-- does not hold it (it changes daily).
CREATE TABLE stock (
  sku TEXT PRIMARY KEY,
  -- Units on hand, paid ones already taken off.
  stock INTEGER NOT NULL CHECK (stock >= 0),
  -- Units held by checkouts not paid yet (the sum of their reservations).
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at TEXT NOT NULL
);

-- What each checkout holds of each tracked SKU. A checkout's reservations
-- are inserted in the batch that claims its idempotency key, all lines or
-- none; they exist until the checkout ends, so
-- releasing or consuming them twice is impossible: whatever ends the
-- checkout deletes them, once.
CREATE TABLE stock_reservations (
  checkout_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  created_at TEXT NOT NULL,
  PRIMARY KEY (checkout_id, sku)
);
CREATE INDEX stock_reservations_by_sku ON stock_reservations (sku);

-- `reserved` is the sum of the reservations: the claiming batch adds a new
-- checkout's reservations to it in one statement, and this trigger takes a
-- reservation off in the statement (so the transaction) that removes it.
CREATE TRIGGER stock_reservation_ended AFTER DELETE ON stock_reservations
BEGIN
  UPDATE stock SET reserved = MAX(reserved - OLD.quantity, 0) WHERE sku = OLD.sku;
END;

-- A checkout that became paid (or `review`: a payment of another amount
-- arrived, the goods are the merchant's to deliver or refund) consumes its
-- reservations: stock -= quantity, then the reservation's end gives
-- reserved -= quantity. Whichever path records the payment first (webhook,
-- status poll, admin, cron), this runs inside its status update, once
-- (status writes only move live checkouts, and the reservations are gone
-- afterwards).
CREATE TRIGGER stock_consumed_on_payment AFTER UPDATE OF status ON checkouts
WHEN NEW.status IN ('paid', 'review') AND OLD.status NOT IN ('paid', 'review')
BEGIN
  UPDATE stock SET stock = MAX(stock - (SELECT r.quantity FROM stock_reservations r
      WHERE r.checkout_id = NEW.id AND r.sku = stock.sku), 0), updated_at = NEW.updated_at
    WHERE sku IN (SELECT r.sku FROM stock_reservations r WHERE r.checkout_id = NEW.id);
  DELETE FROM stock_reservations WHERE checkout_id = NEW.id;
END;

-- A checkout that ended unpaid (expired by the stale-link cron or at Qonto,
-- canceled by the merchant, failed) releases its reservations, inside the
-- same status update.
CREATE TRIGGER stock_released_on_end AFTER UPDATE OF status ON checkouts
WHEN NEW.status IN ('expired', 'canceled', 'failed')
BEGIN
  DELETE FROM stock_reservations WHERE checkout_id = NEW.id;
END;

-- A checkout row removed before its link existed (Qonto failed, a sold-out
-- basket, an abandoned claim swept) releases whatever it held.
CREATE TRIGGER stock_released_on_delete AFTER DELETE ON checkouts
BEGIN
  DELETE FROM stock_reservations WHERE checkout_id = OLD.id;
END;
