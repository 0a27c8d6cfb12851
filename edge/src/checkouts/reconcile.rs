//! The 5-minute cron's part of the checkout lifecycle: nothing is missed,
//! nothing stays payable for ever.
//!
//! - Reconciliation: live (open, processing) checkouts whose status was last
//!   read more than [`RECONCILE_AFTER_MS`] ago, or whose refresh failed (a
//!   lost webhook, a failed re-read), are read from Qonto again, least
//!   recently read first. A payment found this way queues the merchant's
//!   notification like any other path (the notification retries that run
//!   after this send it).
//! - Expiry: open checkouts older than `CHECKOUT_TTL_HOURS` (default 24) are
//!   deactivated at Qonto and recorded `expired`, so an old basket cannot be
//!   paid months later at old prices; the widget then offers to start again.
//! - `creating` rows whose request died are removed.
//!
//! Budget: the Workers Free plan allows 50 subrequests and 50 D1 queries per
//! invocation, shared with the notification retries (at most 10 attempts,
//! 30 queries and 10 fetches). A refresh costs two Qonto reads and about
//! three queries, an expiry one more call and two more queries: 4 refreshes
//! and 1 expiry per run stay under 20 queries and 20 subrequests; the rest
//! waits 5 minutes.

use super::sync;
use crate::config::Config;
use crate::http::Cx;
use crate::ledger::{ago, Ledger, LedgerStatus, ABANDONED_MS};
use crate::log;
use serde_json::json;
use std::rc::Rc;
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{Env, ScheduleContext};

/// A live checkout not read for this long is read again by the cron.
pub(crate) const RECONCILE_AFTER_MS: f64 = 3.0 * 60_000.0;
/// Refreshes per cron run.
const RECONCILE_PER_RUN: u32 = 4;
/// Expiries per cron run.
const EXPIRE_PER_RUN: u32 = 1;
/// `CHECKOUT_TTL_HOURS` when unset.
pub(crate) const DEFAULT_TTL_HOURS: u32 = 24;
/// The variable.
pub(crate) const TTL_VAR: &str = "CHECKOUT_TTL_HOURS";

/// `CHECKOUT_TTL_HOURS` read from `value`: whole hours from 1 to 8760 (a
/// year, Qonto's apparent link lifetime). A wrong value is a problem for
/// `/health`, and the default applies.
pub(crate) fn ttl_hours(value: Option<&str>) -> Result<u32, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_TTL_HOURS),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=8760).contains(h))
            .ok_or_else(|| {
                format!("{TTL_VAR} is \"{v}\"; it must be a whole number of hours from 1 to 8760")
            }),
    }
}

/// `CHECKOUT_TTL_HOURS` from the Worker's variables.
pub(crate) fn ttl_from_env(env: &Env) -> Result<u32, String> {
    let value = env.var(TTL_VAR).ok().map(|v| v.to_string());
    ttl_hours(value.as_deref())
}

/// A request context for the cron: work queued with `wait_until` (the
/// notification sent after a payment) is handed to the cron's own context.
fn cron_cx(env: &Env, config: &Config, request_id: &str, sctx: &ScheduleContext) -> Cx {
    let sctx = sctx.clone();
    let forward = Closure::<dyn Fn(JsValue)>::new(move |promise: JsValue| {
        let promise: worker::js_sys::Promise = promise.unchecked_into();
        sctx.wait_until(async move {
            let _ = worker::wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    });
    let object = worker::js_sys::Object::new();
    let _ = worker::js_sys::Reflect::set(&object, &"waitUntil".into(), forward.as_ref());
    // One small closure per cron run, kept for the life of the isolate.
    forward.forget();
    let ctx = worker::Context::new(object.unchecked_into());
    Cx {
        env: env.clone(),
        ctx: Rc::new(ctx),
        config: config.clone(),
        request_id: request_id.to_owned(),
        self_origin: String::new(),
    }
}

/// One cron run (module docs). Every failure is logged; none stops the rest.
pub(crate) async fn run(env: &Env, config: &Config, sctx: &ScheduleContext, request_id: &str) {
    let cx = cron_cx(env, config, request_id, sctx);
    let ledger = match Ledger::from_env(env) {
        Ok(l) => l,
        Err(e) => {
            log::error(
                request_id,
                "reconciliation: no ledger",
                json!({"error": format!("{e:?}")}),
            );
            return;
        }
    };
    let ttl = ttl_from_env(env).unwrap_or(DEFAULT_TTL_HOURS);
    let ttl_cutoff = ago(f64::from(ttl) * 3_600_000.0);

    match ledger.sweep_creating(&ago(ABANDONED_MS)).await {
        Ok(0) => {}
        Ok(n) => log::info(
            request_id,
            "abandoned creations removed",
            json!({"checkouts": n}),
        ),
        Err(e) => log::error(
            request_id,
            "sweeping creations failed",
            json!({"error": format!("{e:?}")}),
        ),
    }

    match ledger
        .open_created_before(&ttl_cutoff, EXPIRE_PER_RUN)
        .await
    {
        Ok(rows) => {
            for row in rows {
                match sync::deactivate(&row, &ledger, &cx, LedgerStatus::Expired).await {
                    Ok(after) => log::info(
                        request_id,
                        "checkout past CHECKOUT_TTL_HOURS",
                        json!({"checkout": row.id, "status": after.status.as_str(), "ttl_hours": ttl}),
                    ),
                    Err(e) => log::warn(
                        request_id,
                        "expiring a checkout failed; tried again next run",
                        json!({"checkout": row.id, "error": format!("{e:?}")}),
                    ),
                }
            }
        }
        Err(e) => log::error(
            request_id,
            "listing old checkouts failed",
            json!({"error": format!("{e:?}")}),
        ),
    }

    match ledger
        .due_for_reconciliation(&ago(RECONCILE_AFTER_MS), &ttl_cutoff, RECONCILE_PER_RUN)
        .await
    {
        Ok(rows) => {
            for row in rows {
                match sync::refresh(&row, &ledger, &cx).await {
                    Ok(after) if after.status != row.status => log::info(
                        request_id,
                        "reconciliation changed a checkout",
                        json!({"checkout": row.id, "from": row.status.as_str(), "to": after.status.as_str()}),
                    ),
                    Ok(_) => {}
                    Err(e) => log::warn(
                        request_id,
                        "reconciliation could not read a checkout; tried again next run",
                        json!({"checkout": row.id, "error": format!("{e:?}")}),
                    ),
                }
            }
        }
        Err(e) => log::error(
            request_id,
            "listing checkouts to reconcile failed",
            json!({"error": format!("{e:?}")}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::ttl_hours;

    #[test]
    fn the_ttl_is_whole_hours_with_a_default() {
        assert_eq!(ttl_hours(None), Ok(24));
        assert_eq!(ttl_hours(Some("")), Ok(24));
        assert_eq!(ttl_hours(Some("48")), Ok(48));
        assert_eq!(ttl_hours(Some(" 1 ")), Ok(1));
        for bad in ["0", "-1", "1.5", "8761", "a day"] {
            assert!(ttl_hours(Some(bad)).is_err(), "{bad}");
        }
    }
}
