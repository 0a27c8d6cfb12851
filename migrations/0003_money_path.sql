-- Every payment lands, at the amount the shopper saw, and the shopper comes back.
-- New checkout statuses (the column is free text): failed (refused before any
-- payment: Qonto's amount differed, see failure) and review (paid at another
-- amount than the link's: for the merchant to look at).
ALTER TABLE checkouts ADD COLUMN return_url TEXT;          -- the shop page Qonto sends the shopper back to (redirect_url, plus qc_checkout=<id>)
ALTER TABLE checkouts ADD COLUMN failure TEXT;             -- why a failed checkout failed: amount_mismatch
ALTER TABLE checkouts ADD COLUMN paid_amount_minor INTEGER; -- the paid payment's amount (differs from the link's in review)
-- The cron's reconciliation: live checkouts, least recently read first.
CREATE INDEX checkouts_live ON checkouts (status_checked_at) WHERE status IN ('open', 'processing');
