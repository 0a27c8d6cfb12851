//! The checkout ledger in D1: which basket or invoice became which Qonto
//! payment link, what it was expected to cost, and its last known status.
//!
//! Creation is two-phase so that concurrent duplicates create one link: a row
//! is inserted with status `creating` under a UNIQUE idempotency key (the
//! loser of the race sees the winner's row), then completed with the link, or
//! deleted when Qonto failed, so no half-written row outlives a request.

use crate::error::EdgeResult;
use crate::http::Cx;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;

/// A `creating` row older than this was left by a request that died (an
/// evicted isolate); it no longer blocks its idempotency key or invoice.
pub(crate) const ABANDONED_MS: f64 = 60_000.0;

/// One checkout, as stored.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CheckoutRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) request_hash: String,
    pub(crate) status: String,
    pub(crate) last_payment_status: Option<String>,
    pub(crate) currency: String,
    pub(crate) net_minor: i64,
    pub(crate) vat_minor: i64,
    pub(crate) expected_gross_minor: i64,
    pub(crate) qonto_amount_minor: Option<i64>,
    pub(crate) link_id: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) invoice_id: Option<String>,
    pub(crate) lines_json: String,
    pub(crate) order_json: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) status_checked_at: Option<String>,
    pub(crate) paid_at: Option<String>,
    pub(crate) expires_at: Option<String>,
    pub(crate) customer_forgotten_at: Option<String>,
}

impl CheckoutRow {
    /// The ledger's currency (written by the edge from a validated catalog
    /// or invoice, so the fallback is never taken).
    pub(crate) fn currency(&self) -> shared::money::Currency {
        shared::money::Currency::parse(&self.currency).unwrap_or(shared::money::Currency::EUR)
    }

    /// An amount of this checkout's currency.
    pub(crate) fn money(&self, minor: i64) -> shared::money::Money {
        shared::money::Money::new(minor, self.currency())
    }

    /// The stored order (customer, shipping, totals; an invoice's number and
    /// debitor), `null` when there is none.
    pub(crate) fn order(&self) -> serde_json::Value {
        self.order_json
            .as_deref()
            .and_then(shared::api::stored::StoredOrder::from_json)
            .and_then(|o| serde_json::to_value(o).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The priced lines as sent to Qonto (`[]` for an invoice).
    pub(crate) fn lines(&self) -> serde_json::Value {
        serde_json::from_str(&self.lines_json).unwrap_or_else(|_| serde_json::json!([]))
    }

    /// What the checkout charges: Qonto's figure once known, else the
    /// amount the edge computed.
    pub(crate) fn charged(&self) -> shared::money::Money {
        self.money(self.qonto_amount_minor.unwrap_or(self.expected_gross_minor))
    }
}

/// What a new checkout starts with.
#[derive(Debug, Clone)]
pub(crate) struct NewCheckout {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) request_hash: String,
    pub(crate) currency: String,
    pub(crate) net_minor: i64,
    pub(crate) vat_minor: i64,
    pub(crate) expected_gross_minor: i64,
    pub(crate) invoice_id: Option<String>,
    pub(crate) lines_json: String,
    pub(crate) order_json: Option<String>,
    /// Lowercased customer e-mail, when one was given.
    pub(crate) customer_email: Option<String>,
}

/// The link Qonto created for a checkout.
#[derive(Debug, Clone)]
pub(crate) struct LinkFacts {
    pub(crate) link_id: String,
    pub(crate) url: String,
    pub(crate) status: String,
    pub(crate) amount_minor: Option<i64>,
    pub(crate) expires_at: Option<String>,
}

/// The current time as RFC 3339 (UTC, milliseconds).
pub(crate) fn now() -> String {
    String::from(worker::js_sys::Date::new_0().to_iso_string())
}

/// Milliseconds since an RFC 3339 timestamp (None if unparsable).
pub(crate) fn age_ms(timestamp: &str) -> Option<f64> {
    let then = worker::js_sys::Date::parse(timestamp);
    (!then.is_nan()).then(|| worker::js_sys::Date::now() - then)
}

fn opt(v: &Option<String>) -> JsValue {
    v.as_deref().map(JsValue::from).unwrap_or(JsValue::NULL)
}

fn num(v: i64) -> JsValue {
    // Amounts are cents below 2^53: exact as a JS number.
    JsValue::from(v as f64)
}

/// The ledger, over the `DB` binding.
pub(crate) struct Ledger {
    pub(crate) db: D1Database,
}

const COLUMNS: &str = "id, kind, idempotency_key, request_hash, status, last_payment_status, currency, \
    net_minor, vat_minor, expected_gross_minor, qonto_amount_minor, link_id, url, invoice_id, lines_json, \
    order_json, created_at, updated_at, status_checked_at, paid_at, expires_at, customer_email, customer_forgotten_at";

impl Ledger {
    /// Opens the ledger.
    pub(crate) fn open(cx: &Cx) -> EdgeResult<Ledger> {
        Ok(Ledger {
            db: cx.env.d1("DB")?,
        })
    }

    /// Inserts a `creating` row; `false` when a row with the same
    /// idempotency key (or a live link for the same invoice) already exists.
    pub(crate) async fn insert_creating(&self, c: &NewCheckout) -> EdgeResult<bool> {
        let now = now();
        let result = self
            .db
            .prepare(
                "INSERT INTO checkouts (id, kind, idempotency_key, request_hash, status, currency, net_minor, \
                 vat_minor, expected_gross_minor, invoice_id, lines_json, order_json, created_at, updated_at, \
                 customer_email) \
                 VALUES (?1, ?2, ?3, ?4, 'creating', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) ON CONFLICT DO NOTHING",
            )
            .bind(&[
                c.id.as_str().into(),
                c.kind.into(),
                opt(&c.idempotency_key),
                c.request_hash.as_str().into(),
                c.currency.as_str().into(),
                num(c.net_minor),
                num(c.vat_minor),
                num(c.expected_gross_minor),
                opt(&c.invoice_id),
                c.lines_json.as_str().into(),
                opt(&c.order_json),
                now.as_str().into(),
                opt(&c.customer_email),
            ])?
            .run()
            .await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
    }

    /// Completes a `creating` row with its link.
    pub(crate) async fn attach_link(&self, id: &str, link: &LinkFacts) -> EdgeResult<()> {
        let now = now();
        self.db
            .prepare(
                "UPDATE checkouts SET link_id = ?2, url = ?3, status = ?4, qonto_amount_minor = ?5, expires_at = ?6, \
                 updated_at = ?7, status_checked_at = ?7 WHERE id = ?1",
            )
            .bind(&[
                id.into(),
                link.link_id.as_str().into(),
                link.url.as_str().into(),
                link.status.as_str().into(),
                link.amount_minor.map(num).unwrap_or(JsValue::NULL),
                opt(&link.expires_at),
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

    /// Records what Qonto says now. With `notify`, a `paid` status queues
    /// the merchant's notification in the same transaction (so a checkout
    /// is never recorded paid without one); returns whether this call
    /// queued it (the first to find the checkout paid).
    pub(crate) async fn update_status(
        &self,
        id: &str,
        status: &str,
        last_payment_status: Option<&str>,
        paid_at: Option<&str>,
        notify: bool,
    ) -> EdgeResult<bool> {
        let now = now();
        let update = self
            .db
            .prepare(
                "UPDATE checkouts SET status = ?2, last_payment_status = ?3, paid_at = COALESCE(paid_at, ?4), \
                 updated_at = ?5, status_checked_at = ?5 WHERE id = ?1",
            )
            .bind(&[
                id.into(),
                status.into(),
                last_payment_status.map(JsValue::from).unwrap_or(JsValue::NULL),
                paid_at.map(JsValue::from).unwrap_or(JsValue::NULL),
                now.as_str().into(),
            ])?;
        if !(notify && status == "paid") {
            update.run().await?;
            return Ok(false);
        }
        let queue = self
            .db
            .prepare(
                "INSERT INTO notifications (checkout_id, created_at, attempts, next_attempt_at) \
                 VALUES (?1, ?2, 0, ?2) ON CONFLICT DO NOTHING",
            )
            .bind(&[id.into(), now.into()])?;
        let results = self.db.batch(vec![update, queue]).await?;
        let queued = match results.get(1) {
            Some(r) => r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1,
            None => false,
        };
        Ok(queued)
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
        status: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> EdgeResult<(Vec<CheckoutRow>, u32)> {
        let (filter, args): (&str, Vec<JsValue>) = match status {
            Some(s) => ("WHERE status = ?1", vec![s.into()]),
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

    /// Records a webhook event id; `false` if it was already processed.
    pub(crate) async fn first_delivery(&self, event_id: &str) -> EdgeResult<bool> {
        let result = self
            .db
            .prepare("INSERT INTO webhook_events (id, received_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
            .bind(&[event_id.into(), now().into()])?
            .run()
            .await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
    }

    /// Forgets the ids of the Qonto deliveries received before `cutoff`
    /// (RFC 3339); returns how many.
    pub(crate) async fn forget_deliveries_before(&self, cutoff: &str) -> EdgeResult<usize> {
        let result = self
            .db
            .prepare("DELETE FROM webhook_events WHERE received_at < ?1")
            .bind(&[cutoff.into()])?
            .run()
            .await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
    }

    /// Removes the personal data (the `customer` of the order) of every
    /// checkout of `email`; amounts, lines and shipping stay. Returns how
    /// many checkouts were changed.
    pub(crate) async fn forget_customer(&self, email: &str) -> EdgeResult<usize> {
        self.forget_where("customer_email = ?1", email.trim().to_lowercase().into())
            .await
    }

    /// Removes the personal data of checkouts created before `cutoff`
    /// (RFC 3339): the retention period.
    pub(crate) async fn forget_older_than(&self, cutoff: &str) -> EdgeResult<usize> {
        self.forget_where(
            "customer_email IS NOT NULL AND created_at < ?1",
            cutoff.into(),
        )
        .await
    }

    async fn forget_where(&self, condition: &str, value: JsValue) -> EdgeResult<usize> {
        let sql = format!(
            "UPDATE checkouts SET order_json = json_remove(order_json, '$.customer'), customer_email = NULL, \
             customer_forgotten_at = ?2, updated_at = ?2 WHERE {condition}"
        );
        let result = self
            .db
            .prepare(sql)
            .bind(&[value, now().into()])?
            .run()
            .await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
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

    /// Whether every table exists (all the migrations were applied; a
    /// deploy that forgot the latest fails here, not at its first payment).
    /// Reads at most one row of each.
    pub(crate) async fn ready(&self) -> EdgeResult<()> {
        self.db
            .prepare(
                "SELECT (SELECT 1 FROM checkouts LIMIT 1) AS c, \
                 (SELECT 1 FROM webhook_events LIMIT 1) AS w, \
                 (SELECT 1 FROM notifications LIMIT 1) AS n",
            )
            .first::<serde_json::Value>(None)
            .await?;
        Ok(())
    }
}
