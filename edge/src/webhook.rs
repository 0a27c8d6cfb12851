//! `POST /webhooks/qonto`: Qonto's payment-link events.
//!
//! The signature (`X-Qonto-Signature`, HMAC-SHA256 over `"{t}.{raw body}"`) is
//! checked with the `shared` code and a 5-minute window; the event id is
//! recorded so a redelivery is processed once; the answer is immediate and
//! the work continues in `wait_until` (Qonto wants a 2xx within a second).
//! The body is only a hint: the link is re-read from Qonto before the ledger
//! changes. When a checkout becomes paid, a signed notification may be
//! forwarded to the merchant's own `MERCHANT_WEBHOOK_URL`.

use crate::checkout::{public_status, refresh};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::{CheckoutRow, Ledger};
use crate::log;
use serde_json::json;
use shared::qonto::{PaymentLinkEventKind, WebhookEvent};
use shared::webhook::{sign, verify, DEFAULT_TOLERANCE_SECS};
use worker::{Fetch, Headers, Method, Request, RequestInit, Response};

/// Qonto's deliveries are small; this bounds what an attacker can send.
const MAX_WEBHOOK_BYTES: usize = 256 * 1024;
/// Header of the notifications forwarded to the merchant.
pub(crate) const MERCHANT_SIGNATURE_HEADER: &str = "X-Checkout-Signature";

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
        cx.config.webhook_secret.as_bytes(),
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
    let was_paid = row.status == "paid";
    let fresh = refresh(&row, &ledger, cx).await?;
    log::info(
        &cx.request_id,
        "checkout status updated",
        json!({"checkout": fresh.id, "status": public_status(&fresh).as_str()}),
    );
    if !was_paid && fresh.status == "paid" {
        forward_paid(cx, &fresh).await;
    }
    Ok(())
}

/// The notification a merchant's own server receives when a checkout is paid.
pub(crate) fn paid_notification(row: &CheckoutRow) -> serde_json::Value {
    let amount: shared::money::WireAmount = row.charged().into();
    let lines: serde_json::Value = serde_json::from_str(&row.lines_json).unwrap_or(json!([]));
    let order: serde_json::Value = row
        .order_json
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(json!(null));
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

/// POSTs the signed notification (same scheme as Qonto's, with the merchant
/// secret). One attempt: the merchant's server can always ask
/// `GET /v1/checkouts/{id}` or the admin API for the truth.
async fn forward_paid(cx: &Cx, row: &CheckoutRow) {
    let (Some(url), Some(secret)) = (
        &cx.config.merchant_webhook_url,
        &cx.config.merchant_webhook_secret,
    ) else {
        return;
    };
    let body = paid_notification(row).to_string();
    let signature = sign(secret.as_bytes(), now_secs(), body.as_bytes());
    let result = async {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set(MERCHANT_SIGNATURE_HEADER, &signature)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.clone().into()));
        let req = Request::new_with_init(url, &init)?;
        Fetch::Request(req).send().await
    }
    .await;
    match result {
        Ok(resp) => log::info(
            &cx.request_id,
            "merchant notified",
            json!({"checkout": row.id, "status": resp.status_code()}),
        ),
        Err(e) => log::warn(
            &cx.request_id,
            "merchant notification failed",
            json!({"checkout": row.id, "error": e.to_string()}),
        ),
    }
}
