//! `checkouts`: which basket or invoice became which Qonto payment link,
//! what it was expected to cost, and its last known status (typed:
//! [`LedgerStatus`]).
//!
//! Creation is two-phase so that concurrent duplicates create one link: a row
//! is inserted with status `creating` under a UNIQUE idempotency key (the
//! loser of the race sees the winner's row), then completed with the link, or
//! deleted when Qonto failed, so no half-written row outlives a request.
//! A basket checkout's hot path is two D1 round trips around its Qonto call
//! (in production each may cross regions): [`Ledger::claim_key`] claims the
//! key, reserves the basket's tracked stock and reads any row already
//! holding the key in one batch, and
//! [`Ledger::attach_link`] records the link and returns the stored row in
//! one statement.
//!
//! Status writes only ever move a live (`open` or `processing`) checkout:
//! a refresh that read Qonto before the payment and writes after a newer one
//! cannot turn `paid` back to `open`.

use super::discounts::CodeHold;
pub(crate) use super::rows::{
    CheckoutRow, Claim, LedgerStatus, LinkFacts, NewCheckout, Observation,
};
use super::stock::{Reservation, Reserved};
use super::{changes, num, opt, Ledger};
use crate::error::{EdgeError, EdgeResult};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

/// A `creating` row older than this was left by a request that died (an
/// evicted isolate); it no longer blocks its idempotency key or invoice, and
/// the cron removes it.
pub(crate) const ABANDONED_MS: f64 = 60_000.0;

/// How long a claimed re-read of a checkout holds off other readers: longer
/// than the Qonto client's read timeouts and retries of the link and its
/// payments.
pub(crate) const REFRESH_LEASE_MS: f64 = 30_000.0;

const COLUMNS: &str = "id, kind, idempotency_key, request_hash, status, last_payment_status, currency, \
    net_minor, vat_minor, expected_gross_minor, qonto_amount_minor, link_id, url, invoice_id, lines_json, \
    order_json, created_at, updated_at, status_checked_at, paid_at, expires_at, customer_email, customer_forgotten_at, \
    return_url, failure, paid_amount_minor";

/// The statuses a refresh may move a checkout from.
const LIVE: &str = "status IN ('open', 'processing')";

impl Ledger {
    /// The insert of a `creating` row, doing nothing when a row with the
    /// same idempotency key (or a live link for the same invoice) exists.
    fn insert_statement(&self, c: &NewCheckout, now: &str) -> EdgeResult<D1PreparedStatement> {
        Ok(self
            .db
            .prepare(
                "INSERT INTO checkouts (id, kind, idempotency_key, request_hash, status, currency, net_minor, \
                 vat_minor, expected_gross_minor, invoice_id, lines_json, order_json, created_at, updated_at, \
                 customer_email, return_url) \
                 VALUES (?1, ?2, ?3, ?4, 'creating', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14) ON CONFLICT DO NOTHING",
            )
            .bind(&[
                c.id.as_str().into(),
                c.kind.into(),
                opt(c.idempotency_key.as_deref()),
                c.request_hash.as_str().into(),
                c.currency.as_str().into(),
                num(c.net_minor),
                num(c.vat_minor),
                num(c.expected_gross_minor),
                opt(c.invoice_id.as_deref()),
                c.lines_json.as_str().into(),
                opt(c.order_json.as_deref()),
                now.into(),
                opt(c.customer_email.as_deref()),
                opt(c.return_url.as_deref()),
            ])?)
    }

    /// Inserts a `creating` row; `false` when a row with the same
    /// idempotency key (or a live link for the same invoice) already exists.
    pub(crate) async fn insert_creating(&self, c: &NewCheckout) -> EdgeResult<bool> {
        let result = self.insert_statement(c, &super::now())?.run().await?;
        Ok(changes(&result)? == 1)
    }

    /// Claims `c`'s idempotency key in one round trip (one D1 batch, which
    /// is one transaction), and reads back the key's row:
    /// - a `creating` row left by a request that died ([`ABANDONED_MS`]: an
    ///   isolate evicted, the edge restarted mid-checkout) for the same
    ///   request is taken over: [`Claim::Resumed`], so the retry sends Qonto
    ///   the same checkout (same reference, same Qonto idempotency key) and
    ///   gets the link Qonto may already have made instead of a second one;
    /// - one left for another request under the key is removed;
    /// - `c` is inserted unless the key is taken: [`Claim::Claimed`] when
    ///   the key's row is `c`'s, otherwise [`Claim::Taken`] with that row.
    ///
    /// The same batch reserves the basket's tracked stock for `c` when it
    /// inserted `c` (all lines or none, see `super::stock`): the second
    /// value says whether it fell short. A replay or a resumed checkout
    /// reserves nothing again. With a discount code (`code`), the batch
    /// also holds one of its uses for `c` (`super::discounts`): the third
    /// value says whether it did (`true` without a code, or when the batch
    /// claimed nothing).
    pub(crate) async fn claim_key(
        &self,
        c: &NewCheckout,
        reservation: &Reservation,
        code: Option<&CodeHold>,
    ) -> EdgeResult<(Claim, Reserved, bool)> {
        let key = opt(c.idempotency_key.as_deref());
        let now = super::now();
        let cutoff: JsValue = super::ago(ABANDONED_MS).into();
        let hash: JsValue = c.request_hash.as_str().into();
        let take_over = self
            .db
            .prepare(
                "UPDATE checkouts SET created_at = ?4, updated_at = ?4 WHERE idempotency_key = ?1 \
                 AND status = 'creating' AND created_at < ?2 AND request_hash = ?3",
            )
            .bind(&[
                key.clone(),
                cutoff.clone(),
                hash.clone(),
                now.as_str().into(),
            ])?;
        let sweep = self
            .db
            .prepare(
                "DELETE FROM checkouts WHERE idempotency_key = ?1 AND status = 'creating' \
                 AND created_at < ?2 AND request_hash != ?3",
            )
            .bind(&[key.clone(), cutoff, hash])?;
        let read = self
            .db
            .prepare(format!(
                "SELECT {COLUMNS} FROM checkouts WHERE idempotency_key = ?1 LIMIT 1"
            ))
            .bind(&[key])?;
        let [hold, apply, stock_read] = reservation.statements(&self.db, &c.id, &now)?;
        let mut batch = vec![
            take_over,
            sweep,
            self.insert_statement(c, &now)?,
            read,
            hold,
            apply,
            stock_read,
        ];
        if let Some(code) = code {
            batch.extend(code.statements(&self.db, &c.id, &now)?);
        }
        let results = self.db.batch(batch).await?;
        let row = results
            .get(3)
            .map(|r| r.results::<CheckoutRow>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next())
            .ok_or_else(|| EdgeError::Internal("the claimed idempotency key has no row".into()))?;
        // The take-over changed a row only in the one batch that found it
        // old (the batch is one transaction; afterwards it is recent).
        let took_over = match results.first() {
            Some(r) => changes(r)? == 1,
            None => false,
        };
        let claimed = row.id == c.id;
        let reserved = Reservation::outcome(results.get(6), claimed)?;
        let code_held = match code {
            Some(_) if claimed => CodeHold::outcome(results.get(9))?,
            _ => true,
        };
        let claim = if claimed {
            Claim::Claimed
        } else if took_over && row.status == LedgerStatus::Creating {
            Claim::Resumed(Box::new(row))
        } else {
            Claim::Taken(Box::new(row))
        };
        Ok((claim, reserved, code_held))
    }

    /// Completes a `creating` row with its link and returns the row as
    /// stored, in one round trip (`RETURNING`); `None` when the row was no
    /// longer `creating`.
    pub(crate) async fn attach_link(
        &self,
        id: &str,
        link: &LinkFacts,
    ) -> EdgeResult<Option<CheckoutRow>> {
        let now = super::now();
        Ok(self
            .db
            .prepare(format!(
                "UPDATE checkouts SET link_id = ?2, url = ?3, status = ?4, qonto_amount_minor = ?5, expires_at = ?6, \
                 updated_at = ?7, status_checked_at = ?7 WHERE id = ?1 AND status = 'creating' RETURNING {COLUMNS}"
            ))
            .bind(&[
                id.into(),
                link.link_id.as_str().into(),
                link.url.as_str().into(),
                link.status.as_str().into(),
                link.amount_minor.map(num).unwrap_or(JsValue::NULL),
                opt(link.expires_at.as_deref()),
                now.as_str().into(),
            ])?
            .first::<CheckoutRow>(None)
            .await?)
    }

    /// Records a `creating` row as failed because Qonto's amount differs:
    /// both amounts are kept, the link's URL is not.
    pub(crate) async fn record_amount_mismatch(
        &self,
        id: &str,
        link: &LinkFacts,
    ) -> EdgeResult<()> {
        let now = super::now();
        self.db
            .prepare(
                "UPDATE checkouts SET link_id = ?2, url = NULL, status = 'failed', failure = 'amount_mismatch', \
                 qonto_amount_minor = ?3, updated_at = ?4, status_checked_at = ?4 WHERE id = ?1",
            )
            .bind(&[
                id.into(),
                link.link_id.as_str().into(),
                link.amount_minor.map(num).unwrap_or(JsValue::NULL),
                now.as_str().into(),
            ])?
            .run()
            .await?;
        Ok(())
    }

    /// Removes a row whose link could not be created.
    pub(crate) async fn delete_creating(&self, id: &str) -> EdgeResult<()> {
        self.db
            .prepare("DELETE FROM checkouts WHERE id = ?1 AND status = 'creating'")
            .bind(&[id.into()])?
            .run()
            .await?;
        Ok(())
    }

    /// Removes the `creating` row of a request whose link could not be made,
    /// so no half-written row stays; a failure here is logged (the row is
    /// then treated as abandoned after [`ABANDONED_MS`]).
    pub(crate) async fn abandon(&self, id: &str, request_id: &str) {
        if let Err(e) = self.delete_creating(id).await {
            crate::log::error(
                request_id,
                "could not remove a failed checkout",
                serde_json::json!({"checkout": id, "detail": format!("{e:?}")}),
            );
        }
    }

    /// Records what Qonto says now about a live checkout. A `paid`
    /// observation queues what follows a payment
    /// (`outbox::queue_after_payment`: the merchant webhook, the shopper's
    /// e-mail, the merchant's copy, as configured) in the same transaction,
    /// so a checkout is never recorded paid without them; a `review` one
    /// queues the merchant's `checkout.review` notification the same way
    /// (`outbox::queue_after_review`). Returns whether
    /// this call queued any (the first to find it paid), which then sends
    /// them with `outbox::send_soon`. A checkout that is no longer live is
    /// left as it is.
    pub(crate) async fn record_observation(
        &self,
        id: &str,
        seen: &Observation,
        config: &crate::config::Config,
    ) -> EdgeResult<bool> {
        let now = super::now();
        let update = self
            .db
            .prepare(format!(
                "UPDATE checkouts SET status = ?2, last_payment_status = ?3, paid_at = COALESCE(paid_at, ?4), \
                 paid_amount_minor = COALESCE(?5, paid_amount_minor), updated_at = ?6, status_checked_at = ?6 \
                 WHERE id = ?1 AND {LIVE}"
            ))
            .bind(&[
                id.into(),
                seen.status.as_str().into(),
                opt(seen.last_payment.as_ref().map(|p| p.as_str())),
                opt(seen.paid_at.as_deref()),
                seen.paid_amount_minor.map(num).unwrap_or(JsValue::NULL),
                now.as_str().into(),
            ])?;
        // Each message is queued only for a checkout that is paid after the
        // update (the outbox's statements check it): a checkout in review,
        // say, is never announced as paid, nor confirmed to the shopper. It
        // queues the merchant's review notification instead, once (only
        // the update that moves a live checkout to review finds it there).
        let queue = match seen.status {
            LedgerStatus::Paid => crate::outbox::queue_after_payment(&self.db, config, id, &now)?,
            LedgerStatus::Review => crate::outbox::queue_after_review(&self.db, config, id, &now)?,
            _ => Vec::new(),
        };
        if queue.is_empty() {
            update.run().await?;
            return Ok(false);
        }
        let mut batch = vec![update];
        batch.extend(queue);
        let results = self.db.batch(batch).await?;
        crate::outbox::queued_any(results.get(1..).unwrap_or_default())
    }

    /// Closes a live checkout whose link was deactivated (`Canceled` by the
    /// merchant, `Expired` by the TTL); `false` when it was no longer live.
    pub(crate) async fn record_closed(&self, id: &str, status: LedgerStatus) -> EdgeResult<bool> {
        let now = super::now();
        let result = self
            .db
            .prepare(format!(
                "UPDATE checkouts SET status = ?2, updated_at = ?3, status_checked_at = ?3 WHERE id = ?1 AND {LIVE}"
            ))
            .bind(&[id.into(), status.as_str().into(), now.into()])?
            .run()
            .await?;
        Ok(changes(&result)? == 1)
    }

    /// Claims the next re-read of a live checkout from Qonto: `true` for the
    /// one caller that moves `status_checked_at` on from `checked_at`, the
    /// value it read; `false` when another caller claimed (or recorded) a
    /// fresher read since, which that caller then answers from the ledger.
    /// Concurrent status polls of one checkout so cost Qonto one read.
    ///
    /// The claim is a lease: it sets `status_checked_at` [`REFRESH_LEASE_MS`]
    /// ahead, so the status counts as fresh for as long as the read may take
    /// (however slow Qonto is, no second poll starts another read meanwhile);
    /// the read's outcome then sets the real time (recorded), or none (failed:
    /// the next poll and the cron read it again). A claimer that died leaves
    /// the checkout to be read again once the lease is over.
    pub(crate) async fn claim_refresh(
        &self,
        id: &str,
        checked_at: Option<&str>,
    ) -> EdgeResult<bool> {
        let result = self
            .db
            .prepare(format!(
                "UPDATE checkouts SET status_checked_at = ?3 WHERE id = ?1 AND {LIVE} AND status_checked_at IS ?2"
            ))
            .bind(&[id.into(), opt(checked_at), super::ago(-REFRESH_LEASE_MS).into()])?
            .run()
            .await?;
        Ok(changes(&result)? == 1)
    }

    /// Marks a live checkout for the cron's reconciliation (its refresh
    /// failed; the next run reads it from Qonto first).
    pub(crate) async fn mark_for_reconciliation(&self, id: &str) -> EdgeResult<()> {
        self.db
            .prepare(format!(
                "UPDATE checkouts SET status_checked_at = NULL WHERE id = ?1 AND {LIVE}"
            ))
            .bind(&[id.into()])?
            .run()
            .await?;
        Ok(())
    }

    /// Live checkouts with a link whose status was last read before
    /// `checked_before` (or whose refresh failed), oldest read first, created
    /// after `created_after` (older ones are the TTL's).
    pub(crate) async fn due_for_reconciliation(
        &self,
        checked_before: &str,
        created_after: &str,
        limit: u32,
    ) -> EdgeResult<Vec<CheckoutRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checkouts WHERE {LIVE} AND link_id IS NOT NULL \
             AND (status_checked_at IS NULL OR status_checked_at < ?1) AND created_at >= ?2 \
             ORDER BY COALESCE(status_checked_at, ''), created_at LIMIT {limit}"
        );
        Ok(self
            .db
            .prepare(sql)
            .bind(&[checked_before.into(), created_after.into()])?
            .all()
            .await?
            .results::<CheckoutRow>()?)
    }

    /// Open checkouts created before `cutoff`, oldest first.
    pub(crate) async fn open_created_before(
        &self,
        cutoff: &str,
        limit: u32,
    ) -> EdgeResult<Vec<CheckoutRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checkouts WHERE {LIVE} AND link_id IS NOT NULL AND created_at < ?1 \
             ORDER BY created_at LIMIT {limit}"
        );
        Ok(self
            .db
            .prepare(sql)
            .bind(&[cutoff.into()])?
            .all()
            .await?
            .results::<CheckoutRow>()?)
    }

    /// Removes `creating` rows older than `cutoff` (their request died);
    /// returns how many.
    pub(crate) async fn sweep_creating(&self, cutoff: &str) -> EdgeResult<usize> {
        let result = self
            .db
            .prepare("DELETE FROM checkouts WHERE status = 'creating' AND created_at < ?1")
            .bind(&[cutoff.into()])?
            .run()
            .await?;
        changes(&result)
    }

    /// The latest checkouts refused for an amount mismatch since `since`
    /// (for `/health`), newest first.
    pub(crate) async fn amount_mismatches_since(
        &self,
        since: &str,
        limit: u32,
    ) -> EdgeResult<Vec<CheckoutRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checkouts WHERE status = 'failed' AND failure = 'amount_mismatch' \
             AND created_at >= ?1 ORDER BY created_at DESC LIMIT {limit}"
        );
        Ok(self
            .db
            .prepare(sql)
            .bind(&[since.into()])?
            .all()
            .await?
            .results::<CheckoutRow>()?)
    }

    async fn one(&self, where_clause: &str, value: &str) -> EdgeResult<Option<CheckoutRow>> {
        let sql = format!("SELECT {COLUMNS} FROM checkouts WHERE {where_clause} LIMIT 1");
        Ok(self
            .db
            .prepare(sql)
            .bind(&[value.into()])?
            .first::<CheckoutRow>(None)
            .await?)
    }

    /// A checkout by its public id.
    pub(crate) async fn get(&self, id: &str) -> EdgeResult<Option<CheckoutRow>> {
        self.one("id = ?1", id).await
    }

    /// A checkout by the client's idempotency key.
    pub(crate) async fn by_idempotency_key(&self, key: &str) -> EdgeResult<Option<CheckoutRow>> {
        self.one("idempotency_key = ?1", key).await
    }

    /// A checkout by its Qonto link id.
    pub(crate) async fn by_link(&self, link_id: &str) -> EdgeResult<Option<CheckoutRow>> {
        self.one("link_id = ?1", link_id).await
    }

    /// The live (creating, open or processing) checkout of an invoice.
    pub(crate) async fn live_for_invoice(
        &self,
        invoice_id: &str,
    ) -> EdgeResult<Option<CheckoutRow>> {
        self.one(
            "invoice_id = ?1 AND status IN ('creating', 'open', 'processing')",
            invoice_id,
        )
        .await
    }

    /// A page of checkouts, newest first, optionally of one status.
    pub(crate) async fn list(
        &self,
        status: Option<LedgerStatus>,
        limit: u32,
        offset: u32,
    ) -> EdgeResult<(Vec<CheckoutRow>, u32)> {
        let (filter, args): (&str, Vec<JsValue>) = match status {
            Some(s) => ("WHERE status = ?1", vec![s.as_str().into()]),
            None => ("", vec![]),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM checkouts {filter} ORDER BY created_at DESC, id LIMIT {limit} OFFSET {offset}"
        );
        let rows = self
            .db
            .prepare(sql)
            .bind(&args)?
            .all()
            .await?
            .results::<CheckoutRow>()?;
        #[derive(Deserialize)]
        struct Count {
            n: u32,
        }
        let count = self
            .db
            .prepare(format!("SELECT count(*) AS n FROM checkouts {filter}"))
            .bind(&args)?
            .first::<Count>(None)
            .await?
            .map(|c| c.n)
            .unwrap_or(0);
        Ok((rows, count))
    }

    /// Removes the personal data of every checkout of `email` (a basket's
    /// customer, an invoice's debtor name) and the request hash derived
    /// from it; amounts, lines and shipping stay. Returns how many checkouts
    /// were changed.
    pub(crate) async fn forget_customer(&self, email: &str) -> EdgeResult<usize> {
        self.forget_where("customer_email = ?1", email.trim().to_lowercase().into())
            .await
    }

    /// Removes the personal data of checkouts created before `cutoff`
    /// (RFC 3339): the retention period.
    pub(crate) async fn forget_older_than(&self, cutoff: &str) -> EdgeResult<usize> {
        self.forget_where(
            "(customer_email IS NOT NULL OR json_extract(order_json, '$.debitor_name') IS NOT NULL) \
             AND created_at < ?1",
            cutoff.into(),
        )
        .await
    }

    /// What forgetting removes: the order's `customer` (a basket's) and
    /// `debitor_name` (an invoice's), the e-mail it is found by, and the
    /// idempotency `request_hash` of a basket, a SHA-256 over the customer's
    /// details (anyone holding a guess of them could confirm it). A replay
    /// of that checkout's `Idempotency-Key` then answers 409
    /// `idempotency_key_reused`, as for any other body.
    async fn forget_where(&self, condition: &str, value: JsValue) -> EdgeResult<usize> {
        let sql = format!(
            "UPDATE checkouts SET order_json = json_remove(order_json, '$.customer', '$.debitor_name'), \
             customer_email = NULL, \
             request_hash = CASE WHEN kind = 'basket' AND share IS NULL THEN 'forgotten' ELSE request_hash END, \
             customer_forgotten_at = ?2, updated_at = ?2 WHERE {condition}"
        );
        let result = self
            .db
            .prepare(sql)
            .bind(&[value, super::now().into()])?
            .run()
            .await?;
        changes(&result)
    }

    /// Every checkout created in `[from, to)`, oldest first (the CSV export).
    pub(crate) async fn between(&self, from: &str, to: &str) -> EdgeResult<Vec<CheckoutRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checkouts WHERE created_at >= ?1 AND created_at < ?2 AND status != 'creating' \
             ORDER BY created_at LIMIT 5000"
        );
        Ok(self
            .db
            .prepare(sql)
            .bind(&[from.into(), to.into()])?
            .all()
            .await?
            .results::<CheckoutRow>()?)
    }
}
