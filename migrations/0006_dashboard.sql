-- The merchant's dashboard, VAT report, lost-checkout filters and links to share.
--
-- Links to share are checkouts like the others; `share` says which ones:
--   'single'   a single-use link made from the admin page,
--   'reusable' a reusable link (Qonto's `reusable` flag): it stays open and
--              takes any number of payments,
--   'payment'  one payment of a reusable link, recorded as its own paid
--              checkout (its own notification, its own line in the figures);
--              `share_link_of` is the reusable link's checkout id.
ALTER TABLE checkouts ADD COLUMN share TEXT;
ALTER TABLE checkouts ADD COLUMN share_link_of TEXT;
CREATE INDEX checkouts_share_link_of ON checkouts (share_link_of) WHERE share_link_of IS NOT NULL;
CREATE INDEX checkouts_share ON checkouts (share, created_at) WHERE share IS NOT NULL;

-- Paid figures of a period (totals, revenue per day): a range on paid_at,
-- covering the amounts so the sums never read the table.
CREATE INDEX checkouts_paid ON checkouts (paid_at, kind, net_minor, vat_minor, expected_gross_minor)
  WHERE status = 'paid';
-- Checkouts started in a period, counted by outcome, without reading the table.
CREATE INDEX checkouts_created_outcome ON checkouts (created_at, status, last_payment_status, share);
-- The "where checkouts are lost" lists: one status, newest first.
CREATE INDEX checkouts_status_created ON checkouts (status, created_at);
-- Amount mismatches to review.
CREATE INDEX checkouts_mismatch ON checkouts (created_at)
  WHERE qonto_amount_minor IS NOT NULL AND qonto_amount_minor != expected_gross_minor;
