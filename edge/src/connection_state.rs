//! Whether payments are paused because Qonto revoked the shop's payment-link
//! connection, kept in D1 (table `qonto_connection`, migration 0004): one row
//! that `/health`, `/admin/status` and payment-link creation read.
//!
//! Why D1 and not the token Durable Object: the pause is about the payment
//! provider connection, not about the OAuth tokens (they may still be good),
//! and every isolate must see it soon after a webhook, which one row in D1
//! gives without another round trip to the single token object.
//!
//! Set by a `connection_revoked` webhook or a 401/403 from Qonto that says
//! the connection is revoked; cleared by `connection_enabled`, by a new OAuth
//! connection, or when Qonto reports the connection `enabled` again.
//!
//! Payment-link creation does not read the row each time: an isolate that
//! read "not paused" trusts it for [`NOT_PAUSED_TRUST_MS`]. An isolate that
//! has not seen a pause recorded elsewhere yet asks Qonto, which refuses a
//! link on a revoked connection; that refusal records the pause and answers
//! the same `PaymentsPaused`. `/health` and `/admin/status` always read D1.

use crate::error::EdgeResult;
use crate::http::Cx;
use crate::log;
use serde::Deserialize;
use serde_json::json;
use std::cell::Cell;
use wasm_bindgen::JsValue;

/// How long an isolate trusts having read "not paused" before checking
/// again on a payment-link creation.
const NOT_PAUSED_TRUST_MS: f64 = 30_000.0;

thread_local! {
    /// Until when (ms since the epoch) this isolate trusts "not paused";
    /// 0 when it must read D1.
    static NOT_PAUSED_UNTIL: Cell<f64> = const { Cell::new(0.0) };
}

/// Forgets this isolate's "not paused" read (a pause was just recorded).
fn distrust() {
    NOT_PAUSED_UNTIL.with(|c| c.set(0.0));
}

/// Payments are paused since `since`, because of `reason`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Paused {
    /// RFC 3339.
    pub(crate) since: String,
    /// What said so.
    pub(crate) reason: String,
}

/// The sentence `/health` and the admin page show while paused.
pub(crate) const PAUSED_PROBLEM: &str =
    "payments are paused: reconnect. Qonto revoked the payment-link connection; sign in at /admin, \
     press \"Connect Qonto\" and finish the payment provider connection";

fn now() -> String {
    String::from(worker::js_sys::Date::new_0().to_iso_string())
}

fn db(cx: &Cx) -> EdgeResult<worker::D1Database> {
    Ok(cx.env.d1("DB")?)
}

/// The pause, if payments are paused.
pub(crate) async fn paused(cx: &Cx) -> EdgeResult<Option<Paused>> {
    #[derive(Deserialize)]
    struct Row {
        paused_at: Option<String>,
        paused_reason: Option<String>,
    }
    let row = db(cx)?
        .prepare("SELECT paused_at, paused_reason FROM qonto_connection WHERE id = 1")
        .first::<Row>(None)
        .await?;
    Ok(row.and_then(|r| {
        r.paused_at.map(|since| Paused {
            since,
            reason: r.paused_reason.unwrap_or_default(),
        })
    }))
}

/// Records that payments are paused (kept: the first time and reason).
pub(crate) async fn pause(cx: &Cx, reason: &str) -> EdgeResult<()> {
    distrust();
    let now = now();
    db(cx)?
        .prepare(
            "INSERT INTO qonto_connection (id, paused_at, paused_reason, updated_at) VALUES (1, ?1, ?2, ?1) \
             ON CONFLICT (id) DO UPDATE SET paused_reason = COALESCE(paused_reason, excluded.paused_reason), \
             paused_at = COALESCE(paused_at, excluded.paused_at), updated_at = excluded.updated_at",
        )
        .bind(&[JsValue::from(now.as_str()), JsValue::from(reason)])?
        .run()
        .await?;
    log::warn(
        &cx.request_id,
        "payments paused: qonto connection revoked",
        json!({"reason": reason}),
    );
    Ok(())
}

/// Clears the pause; returns whether payments were paused (one write,
/// which changes nothing when they were not).
pub(crate) async fn resume(cx: &Cx, why: &str) -> EdgeResult<bool> {
    let result = db(cx)?
        .prepare(
            "UPDATE qonto_connection SET paused_at = NULL, paused_reason = NULL, updated_at = ?1 \
             WHERE id = 1 AND paused_at IS NOT NULL",
        )
        .bind(&[JsValue::from(now().as_str())])?
        .run()
        .await?;
    let was = result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0;
    if was {
        log::info(&cx.request_id, "payments resumed", json!({"why": why}));
    }
    Ok(was)
}

/// Clears the pause without failing the caller: the caller's own outcome
/// (a connection, a webhook) matters more than this bookkeeping.
pub(crate) async fn resume_quietly(cx: &Cx, why: &str) {
    if let Err(e) = resume(cx, why).await {
        log::error(
            &cx.request_id,
            "could not clear the payments pause",
            json!({"error": format!("{e:?}")}),
        );
    }
}

/// Records the pause without failing the caller (which fails anyway).
pub(crate) async fn pause_quietly(cx: &Cx, reason: &str) {
    if let Err(e) = pause(cx, reason).await {
        log::error(
            &cx.request_id,
            "could not record the payments pause",
            json!({"error": format!("{e:?}"), "reason": reason}),
        );
    }
}

/// `Err(PaymentsPaused)` while paused. A D1 failure does not stop a
/// checkout (Qonto itself refuses links on a revoked connection); it is
/// logged, and `/health` reports a missing table. A "not paused" read is
/// trusted by the isolate for [`NOT_PAUSED_TRUST_MS`] (see the module doc).
pub(crate) async fn ensure_not_paused(cx: &Cx) -> EdgeResult<()> {
    let now_ms = worker::js_sys::Date::now();
    if now_ms < NOT_PAUSED_UNTIL.with(Cell::get) {
        return Ok(());
    }
    match paused(cx).await {
        Ok(Some(p)) => {
            distrust();
            Err(crate::error::EdgeError::PaymentsPaused { reason: p.reason })
        }
        Ok(None) => {
            NOT_PAUSED_UNTIL.with(|c| c.set(now_ms + NOT_PAUSED_TRUST_MS));
            Ok(())
        }
        Err(e) => {
            log::warn(
                &cx.request_id,
                "payments pause unreadable; not blocking",
                json!({"error": format!("{e:?}")}),
            );
            Ok(())
        }
    }
}

/// Whether a Qonto 401/403 error text says the connection is revoked (Qonto
/// documents no code for it: the word is matched in the code or the detail).
/// A connection that is merely not enabled yet (onboarding unfinished) is
/// not a revocation: the admin page shows its status instead.
pub(crate) fn says_revoked(status: u16, detail: &str) -> bool {
    if status != 401 && status != 403 {
        return false;
    }
    let d = detail.to_ascii_lowercase();
    d.contains("revoked")
}

#[cfg(test)]
mod tests {
    use super::says_revoked;

    #[test]
    fn revocation_is_read_from_401_and_403_texts() {
        #[rustfmt::skip]
        let table = [
            (403, "HTTP 403: code=forbidden detail=\"Payment links are not activated: the connection to the payment provider is not enabled\"", false),
            (403, "HTTP 403: code=connection_revoked", true),
            (401, "HTTP 401: code=unauthorized detail=\"The payment links connection was revoked\"", true),
            (403, "HTTP 403: code=forbidden detail=\"missing required oauth scope: webhook\"", false),
            (401, "HTTP 401: code=unauthorized detail=\"The access token has expired\"", false),
            (400, "HTTP 400: code=revoked", false),
            (422, "connection not enabled", false),
        ];
        for (status, detail, want) in table {
            assert_eq!(says_revoked(status, detail), want, "{status} {detail}");
        }
    }
}
