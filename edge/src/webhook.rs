//! `POST /webhooks/qonto`: Qonto's payment-link events, and its connection
//! events (`v1/payment-links-connections`, handled in `connection`).
//!
//! The signature (`X-Qonto-Signature`, HMAC-SHA256 over `"{t}.{raw body}"`) is
//! checked with the `shared` code and a 5-minute window; the answer is
//! immediate and the work continues in `wait_until` (Qonto wants a 2xx
//! within a second). The body is only a hint: the link is re-read from Qonto
//! (`checkouts::sync`) before the ledger changes.
//!
//! A delivery is claimed in D1 before it is processed and recorded as
//! processed only after the ledger was updated from it: copies arriving
//! while it is processed, and redeliveries of one already processed, are
//! ignored (`duplicate`); one whose processing failed (a re-read error, a
//! timeout) gives its claim up and is processed again when redelivered,
//! and the checkout is marked for the cron's reconciliation meanwhile.

use crate::checkouts::{self, sync};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::Ledger;
use crate::log;
use serde_json::json;
use shared::qonto::{PaymentLinkEventKind, WebhookEvent, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS};
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
    // Claimed before processing: of copies of one delivery arriving
    // together, one is processed (one re-read from Qonto), the others are
    // duplicates.
    if !ledger.claim_delivery(&event.id).await? {
        log::info(
            &cx.request_id,
            "webhook duplicate ignored",
            json!({"event": event.id}),
        );
        return Ok(json_response(&json!({"status": "duplicate"}), 200));
    }
    if event.event_type == WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS {
        // Connection events are not kept: a redelivery is handled again.
        let handled = crate::connection::on_connection_event(cx, &event).await;
        ledger.release_delivery(&event.id).await?;
        handled?;
        return Ok(json_response(&json!({"status": "accepted"}), 200));
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
    let bg = cx.clone();
    let event_id = event.id.clone();
    cx.ctx.wait_until(async move {
        let processed = match &link_id {
            Some(link_id) => process(&bg, link_id).await,
            None => Ok(()),
        };
        let recorded = match Ledger::open(&bg) {
            Ok(ledger) => match processed {
                Ok(()) => ledger.record_delivery(&event_id).await,
                Err(e) => {
                    // Given up: Qonto's redelivery is processed again.
                    if let Err(release) = ledger.release_delivery(&event_id).await {
                        log::error(
                            &bg.request_id,
                            "could not give up a failed webhook's claim; its redelivery waits a minute",
                            json!({"event": event_id, "error": format!("{release:?}")}),
                        );
                    }
                    Err(e)
                }
            },
            Err(e) => Err(e),
        };
        if let Err(e) = recorded {
            log::error(
                &bg.request_id,
                "webhook processing failed; left for redelivery and the cron",
                json!({"event": event_id, "link": link_id, "error": format!("{e:?}")}),
            );
        }
    });
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
    let fresh = match sync::refresh(&row, &ledger, cx).await {
        Ok(f) => f,
        Err(e) => {
            // The cron reads it first on its next run.
            sync::leave_for_reconciliation(&row.id, &ledger, cx).await;
            return Err(e);
        }
    };
    // A reusable share link stays open: each of its payments is recorded
    // and notified on its own.
    crate::dashboard::share_links::record_payments(cx, &ledger, &fresh).await?;
    log::info(
        &cx.request_id,
        "checkout status updated",
        json!({"checkout": fresh.id, "status": checkouts::public(&fresh).as_str()}),
    );
    Ok(())
}
