//! The merchant webhook: the signed `checkout.paid` notification (and the
//! `checkout.review` one, for a checkout paid another amount than its
//! link's) POSTed to the merchant's own server (`MERCHANT_WEBHOOK_URL`), signed with
//! `MERCHANT_WEBHOOK_SECRET` in the scheme Qonto uses
//! (`X-Checkout-Signature: t=…,v1=…`). Delivery is at least once (an answer
//! lost on the way back means a second delivery), so a merchant's server
//! de-duplicates by `checkout.id`.

use crate::fetch::{send_with_timeout, SendError};
use crate::ledger::CheckoutRow;
use serde::Serialize;
use shared::api::stored::StoredOrder;
use shared::api::CheckoutLine;
use shared::money::WireAmount;
use shared::webhook::sign;
use std::time::Duration;
use worker::{Headers, Method, Request, RequestInit};

/// Header of the notifications sent to the merchant.
pub(crate) const SIGNATURE_HEADER: &str = "X-Checkout-Signature";

/// How long the merchant's server has to answer one attempt.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// The body POSTed to the merchant's server: `checkout.paid` or
/// `checkout.review`, one shape written in one place.
#[derive(Debug, Serialize)]
pub(crate) struct MerchantNotification {
    /// `checkout.paid` or `checkout.review`.
    #[serde(rename = "type")]
    event: &'static str,
    checkout: NotifiedCheckout,
    /// For `checkout.review`: what to check, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The checkout a notification is about.
#[derive(Debug, Serialize)]
struct NotifiedCheckout {
    id: String,
    kind: String,
    /// `paid` or `review`.
    status: &'static str,
    /// What `checkout.review` adds.
    #[serde(flatten)]
    review: Option<Review>,
    /// What the link charges (Qonto's figure once known).
    amount: WireAmount,
    paid_at: Option<String>,
    payment_link_id: Option<String>,
    invoice_id: Option<String>,
    lines: Vec<CheckoutLine>,
    order: Option<StoredOrder>,
    created_at: String,
}

/// The facts of a checkout in review.
#[derive(Debug, Serialize)]
struct Review {
    /// The checkout's short reference (`QC-1A2B3C4D`).
    reference: String,
    /// What was paid at Qonto; `null` when it could not be read.
    paid_amount: Option<WireAmount>,
}

impl NotifiedCheckout {
    fn of(row: &CheckoutRow, status: &'static str, review: Option<Review>) -> NotifiedCheckout {
        NotifiedCheckout {
            id: row.id.clone(),
            kind: row.kind.clone(),
            status,
            review,
            amount: row.charged().into(),
            paid_at: row.paid_at.clone(),
            payment_link_id: row.link_id.clone(),
            invoice_id: row.invoice_id.clone(),
            lines: serde_json::from_str(&row.lines_json).unwrap_or_default(),
            order: row.order_json.as_deref().and_then(StoredOrder::from_json),
            created_at: row.created_at.clone(),
        }
    }
}

impl MerchantNotification {
    /// The JSON text to POST (plain structs of strings and numbers always
    /// serialise).
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// As a JSON value (the admin's preview).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The body the merchant's server receives when a checkout is paid.
pub(crate) fn paid_notification(row: &CheckoutRow) -> MerchantNotification {
    MerchantNotification {
        event: "checkout.paid",
        checkout: NotifiedCheckout::of(row, "paid", None),
        message: None,
    }
}

/// The body the merchant's server receives when a checkout is put in
/// review: a payment was `paid` at Qonto for another amount than the link's.
/// It carries both amounts and says in a sentence what to check; the
/// checkout is not paid, and nothing was sent to the shopper.
pub(crate) fn review_notification(row: &CheckoutRow) -> MerchantNotification {
    let link = row.charged();
    let paid = row.paid_amount_minor.map(|m| row.money(m));
    let reference = row.reference();
    let paid_text = paid.map_or("an amount that could not be read".to_owned(), |p| {
        p.to_string()
    });
    let message = format!(
        "Checkout {reference} was paid {paid_text} at Qonto, but its payment link asks {link}. \
         It is not recorded as paid and the customer was not sent a confirmation: check the \
         payment in Qonto, then refund it or settle the difference with the customer before \
         shipping anything."
    );
    let review = Review {
        reference,
        paid_amount: paid.map(WireAmount::from),
    };
    MerchantNotification {
        event: "checkout.review",
        checkout: NotifiedCheckout::of(row, "review", Some(review)),
        message: Some(message),
    }
}

/// The body message `kind` POSTs for `row` (the admin's preview); `None`
/// for an e-mail.
pub(crate) fn body_of(row: &CheckoutRow, kind: super::Kind) -> Option<serde_json::Value> {
    match kind {
        super::Kind::MerchantWebhook => Some(paid_notification(row).to_value()),
        super::Kind::MerchantReview => Some(review_notification(row).to_value()),
        super::Kind::ShopperEmail | super::Kind::MerchantCopy => None,
    }
}

/// POSTs the signed notification `body`; `Err` says why it did not count
/// as delivered (no answer, or not 2xx).
pub(crate) async fn send(
    url: &str,
    secret: &str,
    body: &MerchantNotification,
) -> Result<(), String> {
    let body = body.to_json();
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
    use super::*;
    use crate::ledger::LedgerStatus;
    use serde_json::{json, Value};

    fn row(status: LedgerStatus, paid_amount_minor: Option<i64>) -> CheckoutRow {
        CheckoutRow {
            id: "ck_1a2b3c4d0000000000000001".into(),
            kind: "basket".into(),
            request_hash: String::new(),
            status,
            last_payment_status: None,
            currency: "EUR".into(),
            net_minor: 2500,
            vat_minor: 500,
            expected_gross_minor: 3000,
            qonto_amount_minor: Some(3000),
            link_id: Some("pl_1".into()),
            url: None,
            invoice_id: None,
            lines_json: r#"[{"sku":"mug","title":"Mug","quantity":2,"unit_price":{"value":"12.50","currency":"EUR"},"vat_rate":"20.0","net":{"value":"25.00","currency":"EUR"},"vat":{"value":"5.00","currency":"EUR"},"gross":{"value":"30.00","currency":"EUR"}}]"#.into(),
            order_json: Some(r#"{"totals":{"net":{"value":"25.00","currency":"EUR"},"vat":{"value":"5.00","currency":"EUR"},"gross":{"value":"30.00","currency":"EUR"}}}"#.into()),
            created_at: "2026-03-07T09:00:00.000Z".into(),
            updated_at: String::new(),
            status_checked_at: None,
            paid_at: Some("2026-03-07T10:00:00.000Z".into()),
            expires_at: None,
            customer_forgotten_at: None,
            return_url: None,
            failure: None,
            paid_amount_minor,
        }
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    #[test]
    fn the_paid_body_has_the_checkout_whole() {
        let body: Value =
            serde_json::from_str(&paid_notification(&row(LedgerStatus::Paid, None)).to_json())
                .unwrap();
        assert_eq!(keys(&body), ["checkout", "type"]);
        assert_eq!(body["type"], "checkout.paid");
        let c = &body["checkout"];
        assert_eq!(
            keys(c),
            [
                "amount",
                "created_at",
                "id",
                "invoice_id",
                "kind",
                "lines",
                "order",
                "paid_at",
                "payment_link_id",
                "status"
            ]
        );
        assert_eq!(c["status"], "paid");
        assert_eq!(c["amount"], json!({"value": "30.00", "currency": "EUR"}));
        assert_eq!(c["invoice_id"], Value::Null);
        assert_eq!(c["lines"][0]["sku"], "mug");
        assert_eq!(c["order"]["totals"]["gross"]["value"], "30.00");
        assert_eq!(c["paid_at"], "2026-03-07T10:00:00.000Z");
    }

    #[test]
    fn the_review_body_has_both_amounts_and_says_what_to_check() {
        let body: Value = serde_json::from_str(
            &review_notification(&row(LedgerStatus::Review, Some(2000))).to_json(),
        )
        .unwrap();
        assert_eq!(keys(&body), ["checkout", "message", "type"]);
        assert_eq!(body["type"], "checkout.review");
        let c = &body["checkout"];
        assert_eq!(c["status"], "review");
        assert_eq!(c["reference"], "QC-1A2B3C4D");
        assert_eq!(c["amount"], json!({"value": "30.00", "currency": "EUR"}));
        assert_eq!(
            c["paid_amount"],
            json!({"value": "20.00", "currency": "EUR"})
        );
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("Checkout QC-1A2B3C4D was paid 20.00 EUR at Qonto, but its payment link asks 30.00 EUR."),
            "{message}"
        );

        // An unreadable paid amount is null, and said so.
        let body: Value =
            serde_json::from_str(&review_notification(&row(LedgerStatus::Review, None)).to_json())
                .unwrap();
        assert_eq!(body["checkout"]["paid_amount"], Value::Null);
        assert!(keys(&body["checkout"]).contains(&"paid_amount"));
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("paid an amount that could not be read at Qonto"));
    }
}
