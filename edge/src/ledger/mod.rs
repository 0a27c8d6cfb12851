//! The edge's D1 storage. Every SQL statement of the checkout ledger lives in
//! this module's files, one per table: [`checkouts`] (which basket or invoice
//! became which Qonto payment link, what it was expected to cost, what Qonto
//! last said), [`deliveries`] (the Qonto webhook deliveries already
//! processed), [`admin`] (the admin sessions and throttled sign-ins) and
//! [`stock`] (tracked stock and the checkouts' reservations), with the
//! checkouts' typed rows in [`rows`]. Callers get typed rows and
//! typed statuses, never SQL. [`meter`] counts a request's D1 round trips
//! (the tests' Worker reports them).
//!
//! (The outbox's messages keep their SQL in `crate::outbox`, which reaches
//! D1 through [`Ledger::db`].)

pub(crate) mod admin;
pub(crate) mod checkouts;
pub(crate) mod deliveries;
pub(crate) mod discounts;
pub(crate) mod meter;
pub(crate) mod rows;
pub(crate) mod stock;

use crate::error::EdgeResult;
use crate::http::Cx;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1Result, Env};

pub(crate) use checkouts::ABANDONED_MS;
pub(crate) use rows::{CheckoutRow, Claim, LedgerStatus, LinkFacts, NewCheckout, Observation};

/// The current time as RFC 3339 (UTC, milliseconds).
pub(crate) fn now() -> String {
    String::from(worker::js_sys::Date::new_0().to_iso_string())
}

/// An RFC 3339 time `ms` milliseconds before now.
pub(crate) fn ago(ms: f64) -> String {
    String::from(
        worker::js_sys::Date::new(&(worker::js_sys::Date::now() - ms).into()).to_iso_string(),
    )
}

/// Milliseconds since an RFC 3339 timestamp (None if unparsable).
pub(crate) fn age_ms(timestamp: &str) -> Option<f64> {
    let then = worker::js_sys::Date::parse(timestamp);
    (!then.is_nan()).then(|| worker::js_sys::Date::now() - then)
}

/// An optional text as a D1 value.
fn opt(v: Option<&str>) -> JsValue {
    v.map(JsValue::from).unwrap_or(JsValue::NULL)
}

/// An integer as a D1 value. Amounts are cents below 2^53: exact as a JS
/// number.
fn num(v: i64) -> JsValue {
    JsValue::from(v as f64)
}

/// Rows a write changed.
fn changes(result: &D1Result) -> EdgeResult<usize> {
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// The ledger, over the `DB` binding.
pub(crate) struct Ledger {
    /// The database, for the outbox's own table (`crate::outbox`), whose
    /// messages are queued in the ledger's transactions.
    pub(crate) db: D1Database,
}

impl Ledger {
    /// Opens the ledger of a request.
    pub(crate) fn open(cx: &Cx) -> EdgeResult<Ledger> {
        Ledger::from_env(&cx.env)
    }

    /// Opens the ledger from the bindings (crons).
    pub(crate) fn from_env(env: &Env) -> EdgeResult<Ledger> {
        Ok(Ledger { db: env.d1("DB")? })
    }

    /// Whether every table exists (all the migrations were applied; a
    /// deploy that forgot the latest fails here, not at its first payment).
    /// Reads at most one row of each, and one column of the latest
    /// migration.
    pub(crate) async fn ready(&self) -> EdgeResult<()> {
        self.db
            .prepare(
                "SELECT (SELECT 1 FROM checkouts LIMIT 1) AS c, \
                 (SELECT 1 FROM webhook_events LIMIT 1) AS w, \
                 (SELECT 1 FROM notifications LIMIT 1) AS n, \
                 (SELECT return_url FROM checkouts LIMIT 1) AS r, \
                 (SELECT processed_at FROM webhook_events LIMIT 1) AS p",
            )
            .first::<serde_json::Value>(None)
            .await?;
        Ok(())
    }
}
