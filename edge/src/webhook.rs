//! `POST /webhooks/qonto`: Qonto's payment-link events.
//!
//! The signature (`X-Qonto-Signature`, HMAC-SHA256 over `"{t}.{raw body}"`) is
//! checked with the `shared` code and a 5-minute window; the event id is
//! recorded so a redelivery is processed once; the answer is immediate and
//! the work continues in `wait_until` (Qonto wants a 2xx within a second).
//! The body is only a hint: the link is re-read from Qonto before the ledger
//! changes (and a checkout found paid notifies the merchant: see `notify`).

use crate::checkout::{public_status, refresh};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::Ledger;
use crate::log;
use serde_json::json;
use shared::qonto::{PaymentLinkEventKind, WebhookEvent};
use shared::webhook::{verify, DEFAULT_TOLERANCE_SECS};
use worker::{Request, Response};

/// Qonto's deliveries are small; this bounds what an attacker can send.
const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

fn now_secs() -> i64 {
    (worker::js_sys::Date::now() / 1000.0) as i64
}

/// `POST /webhooks/qonto`.
pub(crate) async fn receive(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    if cx.config.webhook_secret.is_empty() {
        return Err(EdgeError::Misconfigured(vec![
            "QONTO_WEBHOOK_SECRET is not set".into(),
        ]));
    }
    let body = http::read_body(&mut req, MAX_WEBHOOK_BYTES).await?;
    let header = req
        .headers()
        .get("x-qonto-signature")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Err(e) = verify(
        cx.config.webhook_secret.expose().as_bytes(),
        &header,
        &body,
        now_secs(),
        DEFAULT_TOLERANCE_SECS,
    ) {
        log::warn(
            &cx.request_id,
            "webhook refused",
            json!({"reason": e.to_string()}),
        );
        return Err(EdgeError::InvalidSignature);
    }
    let event: WebhookEvent = http::parse_json(&body)?;
    let ledger = Ledger::open(cx)?;
    if !ledger.first_delivery(&event.id).await? {
        log::info(
            &cx.request_id,
            "webhook duplicate ignored",
            json!({"event": event.id}),
        );
        return Ok(json_response(&json!({"status": "duplicate"}), 200));
    }
    let data = event.payment_link_data().ok();
    // A "created" event only announces a link this edge has just created and
    // recorded: re-reading it would spend a Qonto call per checkout for
    // nothing. Every other event is re-read from Qonto before it counts.
    let created = data
        .as_ref()
        .is_some_and(|d| d.event == Some(PaymentLinkEventKind::Created));
    let link_id = data.filter(|_| !created).map(|d| d.payment_link_id);
    log::info(
        &cx.request_id,
        "webhook accepted",
        json!({"event": event.id, "type": event.event_type, "link": link_id, "created": created}),
    );
    if let Some(link_id) = link_id {
        let bg = cx.clone();
        cx.ctx.wait_until(async move {
            if let Err(e) = process(&bg, &link_id).await {
                log::error(
                    &bg.request_id,
                    "webhook processing failed",
                    json!({"link": link_id, "error": format!("{e:?}")}),
                );
            }
        });
    }
    Ok(json_response(&json!({"status": "accepted"}), 200))
}

/// Re-reads the link, updates the ledger, and forwards a newly paid checkout.
async fn process(cx: &Cx, link_id: &str) -> EdgeResult<()> {
    let ledger = Ledger::open(cx)?;
    let Some(row) = ledger.by_link(link_id).await? else {
        log::info(
            &cx.request_id,
            "webhook for a link this edge did not create",
            json!({"link": link_id}),
        );
        return Ok(());
    };
    // A checkout found paid here queues the merchant's notification (see
    // `notify`), as it does wherever else it is found paid first.
    let fresh = refresh(&row, &ledger, cx).await?;
    log::info(
        &cx.request_id,
        "checkout status updated",
        json!({"checkout": fresh.id, "status": public_status(&fresh).as_str()}),
    );
    Ok(())
}
