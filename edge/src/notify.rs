//! Notifications of paid checkouts to the merchant's own server
//! (`MERCHANT_WEBHOOK_URL`), signed with `MERCHANT_WEBHOOK_SECRET` in the
//! scheme Qonto uses (`X-Checkout-Signature: t=…,v1=…`).
//!
//! Whatever first finds a checkout paid (Qonto's webhook, the widget asking
//! for the status on the shopper's return, the admin) records it paid and
//! queues its notification in one transaction, once per checkout (the
//! `notifications` table is keyed by checkout id; see
//! `Ledger::update_status`), then sends it at once in the background. An
//! attempt that gets no 2xx is tried again by the cron after the delays of
//! `MERCHANT_WEBHOOK_RETRY_SECONDS`, then given up; the admin sees each
//! notification's state and can send it again.
//!
//! Every attempt first claims its notification in D1 (moving its next attempt
//! a lease into the future), so the cron and a request never send the same
//! one at the same time. Delivery is at least once: an answer lost on the way
//! back means a second delivery, so a merchant's server de-duplicates by
//! `checkout.id`.

use crate::error::EdgeResult;
use crate::fetch::{send_with_timeout, SendError};
use crate::http::Cx;
use crate::ledger::{now, CheckoutRow, Ledger};
use crate::log;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::webhook::sign;
use std::time::Duration;
use worker::{Headers, Method, Request, RequestInit};

/// Header of the notifications sent to the merchant.
pub(crate) const SIGNATURE_HEADER: &str = "X-Checkout-Signature";

/// How long the merchant's server has to answer one attempt.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How far a claim moves the next attempt: an attempt whose isolate died
/// before it recorded its outcome is tried again after this.
const LEASE_MS: f64 = 120_000.0;

/// Attempts the cron makes per run (each bounded by [`TIMEOUT`]). Each
/// costs three D1 queries and one fetch: 10 keep a run well inside the
/// Workers Free plan's 50 subrequests and 50 D1 queries per invocation;
/// what is left waits for the next run, 5 minutes later.
const PER_RUN: u32 = 10;

/// A notification's state, as stored.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Notification {
    /// Attempts made so far.
    pub(crate) attempts: u32,
    /// When the merchant's server acknowledged it (2xx).
    pub(crate) delivered_at: Option<String>,
    /// When it is tried next; none once delivered or given up.
    pub(crate) next_attempt_at: Option<String>,
    /// Why the last attempt failed (`HTTP 500`, `timeout`, ...).
    pub(crate) last_error: Option<String>,
}

impl Notification {
    /// `delivered`, `pending` (an attempt is due or under way) or `failed`
    /// (given up).
    pub(crate) fn state(&self) -> &'static str {
        match (&self.delivered_at, &self.next_attempt_at) {
            (Some(_), _) => "delivered",
            (None, Some(_)) => "pending",
            (None, None) => "failed",
        }
    }

    /// The state for the admin API.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        json!({
            "state": self.state(),
            "attempts": self.attempts,
            "delivered_at": self.delivered_at,
            "next_attempt_at": self.next_attempt_at,
            "last_error": self.last_error,
        })
    }
}

/// The body the merchant's server receives when a checkout is paid.
pub(crate) fn paid_notification(row: &CheckoutRow) -> serde_json::Value {
    let amount: shared::money::WireAmount = row.charged().into();
    let (lines, order) = (row.lines(), row.order());
    json!({
        "type": "checkout.paid",
        "checkout": {
            "id": row.id,
            "kind": row.kind,
            "status": "paid",
            "amount": amount,
            "paid_at": row.paid_at,
            "payment_link_id": row.link_id,
            "invoice_id": row.invoice_id,
            "lines": lines,
            "order": order,
            "created_at": row.created_at,
        }
    })
}

/// An RFC 3339 time `ms` milliseconds from now.
fn in_ms(ms: f64) -> String {
    String::from(
        worker::js_sys::Date::new(&(worker::js_sys::Date::now() + ms).into()).to_iso_string(),
    )
}

/// Sends the notification the ledger just queued for checkout `id`, in
/// the background.
pub(crate) fn send_soon(cx: &Cx, id: &str) {
    let bg = cx.clone();
    let id = id.to_owned();
    cx.ctx.wait_until(async move {
        if let Ok(ledger) = Ledger::open(&bg) {
            attempt(&ledger, &bg.config, &bg.request_id, &id).await;
        }
    });
}

/// The notification of `id`, if one was queued.
pub(crate) async fn state(ledger: &Ledger, id: &str) -> EdgeResult<Option<Notification>> {
    Ok(ledger
        .db
        .prepare(
            "SELECT attempts, delivered_at, next_attempt_at, last_error FROM notifications \
             WHERE checkout_id = ?1",
        )
        .bind(&[id.into()])?
        .first::<Notification>(None)
        .await?)
}

/// Sends the notification of paid checkout `id` again now, whatever its
/// state (the admin's "send again"), and returns its state afterwards.
pub(crate) async fn resend(cx: &Cx, ledger: &Ledger, id: &str) -> EdgeResult<Option<Notification>> {
    let now = now();
    ledger
        .db
        .prepare(
            "INSERT INTO notifications (checkout_id, created_at, attempts, next_attempt_at) \
             VALUES (?1, ?2, 0, ?2) ON CONFLICT (checkout_id) DO UPDATE \
             SET attempts = 0, next_attempt_at = ?2, delivered_at = NULL, last_error = NULL",
        )
        .bind(&[id.into(), now.into()])?
        .run()
        .await?;
    attempt(ledger, &cx.config, &cx.request_id, id).await;
    state(ledger, id).await
}

/// The cron's part: makes the attempts that are due. Returns how many
/// notifications were attempted.
pub(crate) async fn retry_due(
    ledger: &Ledger,
    config: &crate::config::Config,
    request_id: &str,
) -> EdgeResult<u32> {
    if config.merchant_webhook.is_none() {
        return Ok(0);
    }
    let now = now();
    #[derive(Deserialize)]
    struct Due {
        checkout_id: String,
    }
    let due = ledger
        .db
        .prepare(format!(
            "SELECT checkout_id FROM notifications WHERE next_attempt_at IS NOT NULL \
             AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT {PER_RUN}"
        ))
        .bind(&[now.into()])?
        .all()
        .await?
        .results::<Due>()?;
    let mut made = 0;
    for d in &due {
        if attempt(ledger, config, request_id, &d.checkout_id).await {
            made += 1;
        }
    }
    Ok(made)
}

/// One attempt for checkout `id`, if it is due and this call wins the claim;
/// records the outcome. Returns whether an attempt was made.
async fn attempt(
    ledger: &Ledger,
    config: &crate::config::Config,
    request_id: &str,
    id: &str,
) -> bool {
    let Some(hook) = &config.merchant_webhook else {
        return false;
    };
    let (url, secret) = (&hook.url, hook.secret.expose());
    #[derive(Deserialize)]
    struct Claimed {
        attempts: u32,
    }
    let claim = async {
        ledger
            .db
            .prepare(
                "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?3 \
                 WHERE checkout_id = ?1 AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?2 \
                 RETURNING attempts",
            )
            .bind(&[id.into(), now().into(), in_ms(LEASE_MS).into()])?
            .first::<Claimed>(None)
            .await
    };
    let attempts = match claim.await {
        Ok(Some(c)) => c.attempts,
        Ok(None) => return false, // not due, or another attempt has it
        Err(e) => {
            log::error(
                request_id,
                "merchant notification not claimed",
                json!({"checkout": id, "error": e.to_string()}),
            );
            return false;
        }
    };
    let row = match ledger.get(id).await {
        Ok(Some(row)) => row,
        other => {
            log::error(
                request_id,
                "merchant notification without its checkout",
                json!({"checkout": id, "error": format!("{other:?}")}),
            );
            return true;
        }
    };
    let outcome = send(url, secret, &row).await;
    let (next, error) = match &outcome {
        Ok(()) => (None, None),
        Err(error) => {
            let delay = config.merchant_retry_secs.get(attempts as usize - 1);
            (
                delay.map(|s| in_ms(f64::from(*s) * 1000.0)),
                Some(error.clone()),
            )
        }
    };
    let recorded = match outcome {
        Ok(()) => {
            ledger
                .db
                .prepare(
                    "UPDATE notifications SET delivered_at = ?2, next_attempt_at = NULL, \
                     last_error = NULL WHERE checkout_id = ?1",
                )
                .bind(&[id.into(), now().into()])
        }
        Err(_) => ledger
            .db
            .prepare(
                "UPDATE notifications SET next_attempt_at = ?2, last_error = ?3 WHERE checkout_id = ?1",
            )
            .bind(&[
                id.into(),
                next.clone().map_or(wasm_bindgen::JsValue::NULL, Into::into),
                error.clone().unwrap_or_default().into(),
            ]),
    };
    if let Err(e) = async { recorded?.run().await }.await {
        log::error(
            request_id,
            "merchant notification outcome not recorded",
            json!({"checkout": id, "error": e.to_string()}),
        );
    }
    match (error, next) {
        (None, _) => log::info(
            request_id,
            "merchant notified",
            json!({"checkout": id, "attempt": attempts}),
        ),
        (Some(error), Some(next)) => log::warn(
            request_id,
            "merchant notification failed; will retry",
            json!({"checkout": id, "attempt": attempts, "error": error, "next_attempt_at": next}),
        ),
        (Some(error), None) => log::error(
            request_id,
            "merchant notification given up",
            json!({"checkout": id, "attempt": attempts, "error": error}),
        ),
    }
    true
}

/// POSTs the signed notification of `row`; `Err` says why it did not count
/// as delivered (no answer, or not 2xx).
async fn send(url: &str, secret: &str, row: &CheckoutRow) -> Result<(), String> {
    let body = paid_notification(row).to_string();
    let timestamp = (worker::js_sys::Date::now() / 1000.0) as i64;
    let signature = sign(secret.as_bytes(), timestamp, body.as_bytes());
    let request = (|| {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set(SIGNATURE_HEADER, &signature)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.into()));
        Request::new_with_init(url, &init)
    })()
    .map_err(|e| format!("request: {e}"))?;
    match send_with_timeout(request, TIMEOUT).await {
        Ok(raw) if (200..300).contains(&raw.status) => Ok(()),
        Ok(raw) => Err(format!("HTTP {}", raw.status)),
        Err(SendError::Timeout) => Err("timeout".into()),
        Err(SendError::Network(e)) => Err(format!("network: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::Notification;

    fn n(delivered: Option<&str>, next: Option<&str>) -> Notification {
        Notification {
            attempts: 1,
            delivered_at: delivered.map(str::to_owned),
            next_attempt_at: next.map(str::to_owned),
            last_error: None,
        }
    }

    #[test]
    fn states() {
        let t = Some("2026-01-01T00:00:00.000Z");
        assert_eq!(n(t, None).state(), "delivered");
        assert_eq!(n(t, t).state(), "delivered");
        assert_eq!(n(None, t).state(), "pending");
        assert_eq!(n(None, None).state(), "failed");
    }
}
