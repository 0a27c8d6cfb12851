//! The merchant webhook: the signed `checkout.paid` notification (and the
//! `checkout.review` one, for a checkout paid another amount than its
//! link's) POSTed to the merchant's own server (`MERCHANT_WEBHOOK_URL`), signed with
//! `MERCHANT_WEBHOOK_SECRET` in the scheme Qonto uses
//! (`X-Checkout-Signature: t=…,v1=…`). Delivery is at least once (an answer
//! lost on the way back means a second delivery), so a merchant's server
//! de-duplicates by `checkout.id`.

use crate::fetch::{send_with_timeout, SendError};
use crate::ledger::CheckoutRow;
use serde_json::json;
use shared::webhook::sign;
use std::time::Duration;
use worker::{Headers, Method, Request, RequestInit};

/// Header of the notifications sent to the merchant.
pub(crate) const SIGNATURE_HEADER: &str = "X-Checkout-Signature";

/// How long the merchant's server has to answer one attempt.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

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

/// The body the merchant's server receives when a checkout is put in
/// review: a payment was `paid` at Qonto for another amount than the link's.
/// It carries both amounts and says in a sentence what to check; the
/// checkout is not paid, and nothing was sent to the shopper.
pub(crate) fn review_notification(row: &CheckoutRow) -> serde_json::Value {
    let link: shared::money::WireAmount = row.charged().into();
    let paid: Option<shared::money::WireAmount> =
        row.paid_amount_minor.map(|m| row.money(m).into());
    let reference = row.reference();
    let paid_text = paid
        .as_ref()
        .map_or("an amount that could not be read".to_owned(), |p| {
            format!("{} {}", p.value, p.currency)
        });
    let message = format!(
        "Checkout {reference} was paid {paid_text} at Qonto, but its payment link asks {} {}. \
         It is not recorded as paid and the customer was not sent a confirmation: check the \
         payment in Qonto, then refund it or settle the difference with the customer before \
         shipping anything.",
        link.value, link.currency
    );
    let (lines, order) = (row.lines(), row.order());
    json!({
        "type": "checkout.review",
        "checkout": {
            "id": row.id,
            "kind": row.kind,
            "status": "review",
            "reference": reference,
            "amount": link,
            "paid_amount": paid,
            "paid_at": row.paid_at,
            "payment_link_id": row.link_id,
            "invoice_id": row.invoice_id,
            "lines": lines,
            "order": order,
            "created_at": row.created_at,
        },
        "message": message,
    })
}

/// The body message `kind` POSTs for `row` (the admin's preview); `None`
/// for an e-mail.
pub(crate) fn body_of(row: &CheckoutRow, kind: super::Kind) -> Option<serde_json::Value> {
    match kind {
        super::Kind::MerchantWebhook => Some(paid_notification(row)),
        super::Kind::MerchantReview => Some(review_notification(row)),
        super::Kind::ShopperEmail | super::Kind::MerchantCopy => None,
    }
}

/// POSTs the signed notification `body`; `Err` says why it did not count
/// as delivered (no answer, or not 2xx).
pub(crate) async fn send(url: &str, secret: &str, body: &serde_json::Value) -> Result<(), String> {
    let body = body.to_string();
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
