//! Webhook deliveries, signed as Qonto signs them
//! (`X-Qonto-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`),
//! retried with exponential backoff while the receiver fails.

use crate::app::{new_id, App, DeliveryLogEntry, LinkRecord, State};
use crate::config::{MEMBERSHIP_ID, ORGANIZATION_ID};
use crate::time;
use serde::Serialize;
use shared::qonto::{
    ConnectionEventData, PaymentLinkEventData, PaymentLinkEventKind, ResourceType, WebhookEvent,
    WEBHOOK_TYPE_PAYMENT_LINKS, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// One event for one subscriber, serialized once: retries resend the same
/// bytes (with a fresh signature timestamp).
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) subscription_id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) event: String,
    pub(crate) body: Vec<u8>,
}

fn deliveries_for<D: Serialize + Clone>(
    st: &State,
    event_type: &str,
    event: &str,
    data: &D,
) -> Vec<Delivery> {
    if !st.settings.webhooks {
        return Vec::new();
    }
    let now = time::rfc3339(time::now_unix());
    st.subscriptions
        .iter()
        .filter(|s| s.types.iter().any(|t| t == event_type))
        .filter_map(|s| {
            let envelope = WebhookEvent {
                id: new_id(),
                subscription_id: Some(s.id.clone()),
                organization_id: Some(ORGANIZATION_ID.to_owned()),
                membership_id: Some(MEMBERSHIP_ID.to_owned()),
                event_type: event_type.to_owned(),
                created_at: Some(now.clone()),
                data: data.clone(),
            };
            let body = serde_json::to_vec(&envelope).ok()?;
            Some(Delivery {
                subscription_id: s.id.clone(),
                url: s.callback_url.clone(),
                secret: s.secret.clone(),
                event_id: envelope.id,
                event_type: event_type.to_owned(),
                event: event.to_owned(),
                body,
            })
        })
        .collect()
}

/// A `v1/payment-links` event about `record` for every subscriber.
pub(crate) fn payment_link_event(
    st: &State,
    record: &LinkRecord,
    kind: PaymentLinkEventKind,
) -> Vec<Delivery> {
    let link = &record.link;
    let metadata = match (&link.resource_type, &link.invoice_number) {
        (Some(ResourceType::Invoice), Some(number)) => {
            serde_json::json!({ "invoice_number": number })
        }
        _ => serde_json::json!({}),
    };
    let data = PaymentLinkEventData {
        event: Some(kind.clone()),
        status: Some(link.status.clone()),
        payment_link_id: link.id.clone(),
        amount: Some(link.amount.clone()),
        potential_payment_methods: link.potential_payment_methods.clone(),
        resource_id: Some(record.resource_id.clone()),
        resource_type: link.resource_type.clone(),
        resource_metadata: Some(metadata),
        latest_payment_method_used: record
            .payments
            .last()
            .and_then(|p| p.payment.payment_method.clone()),
        expired_at: link.expiration_date.clone(),
        created_at: link.created_at.clone(),
        updated_at: Some(record.updated_at.clone()),
    };
    deliveries_for(st, WEBHOOK_TYPE_PAYMENT_LINKS, kind.as_str(), &data)
}

/// A `v1/payment-links-connections` event (`connection_enabled`, …).
pub(crate) fn connection_event(st: &State, event: &str) -> Vec<Delivery> {
    let data = ConnectionEventData {
        event: event.to_owned(),
    };
    deliveries_for(st, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS, event, &data)
}

/// `t=<t>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`, computed here rather
/// than with the edge's own signer, so a mistake there cannot cancel out.
fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return format!("t={t},v1="),
    };
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Sends the deliveries in the background.
pub(crate) fn spawn(app: &Arc<App>, deliveries: Vec<Delivery>) {
    for d in deliveries {
        tokio::spawn(deliver(app.clone(), d));
    }
}

async fn deliver(app: Arc<App>, d: Delivery) {
    let mut shutdown = app.shutdown.clone();
    let (max_attempts, base_delay, timeout) = {
        let st = app.lock();
        (
            st.settings.webhook_max_attempts.max(1),
            st.settings.webhook_retry_delay,
            st.settings.webhook_timeout,
        )
    };
    for attempt in 1..=max_attempts {
        if *shutdown.borrow() {
            return;
        }
        // A fresh timestamp per attempt: receivers reject signatures older
        // than 5 minutes, and Qonto retries for days.
        let t = time::now_unix();
        let signature = sign(d.secret.as_bytes(), t, &d.body);
        let mut headers = HashMap::new();
        headers.insert("Content-Type".to_owned(), "application/json".to_owned());
        headers.insert(
            shared::qonto::SIGNATURE_HEADER.to_owned(),
            signature.clone(),
        );
        headers.insert(
            "User-Agent".to_owned(),
            "Qonto-Webhooks (fake-qonto)".to_owned(),
        );
        let request = app
            .http
            .post(&d.url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header(shared::qonto::SIGNATURE_HEADER, signature)
            .header("User-Agent", "Qonto-Webhooks (fake-qonto)")
            .body(d.body.clone())
            .send();
        let result = tokio::select! {
            r = request => r,
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        };
        let (status, error) = match result {
            Ok(resp) => (Some(resp.status().as_u16()), None),
            Err(e) => (None, Some(error_text(&e))),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        app.lock().log_delivery(DeliveryLogEntry {
            seq: 0,
            at: time::rfc3339(t),
            event_id: d.event_id.clone(),
            subscription_id: d.subscription_id.clone(),
            event_type: d.event_type.clone(),
            event: d.event.clone(),
            url: d.url.clone(),
            attempt,
            status,
            error,
            headers,
            body: String::from_utf8_lossy(&d.body).into_owned(),
            delivered,
        });
        if delivered || attempt == max_attempts {
            return;
        }
        let delay = backoff(base_delay, attempt);
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// `base × 2^(attempt-1)`: 1×, 2×, 4×, … the base delay.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(20)))
}

fn error_text(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".to_owned()
    } else if e.is_connect() {
        format!("connection error: {e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fake signs with its own HMAC code; this anchors it to the test
    /// vector of Qonto's documentation (the edge's verifier has its own).
    #[test]
    fn signature_matches_the_docs_test_vector() {
        assert_eq!(
            sign(b"test-secret", 1_704_110_400, br#"{"test":"data"}"#),
            "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
        );
    }

    #[test]
    fn backoff_doubles() {
        let base = Duration::from_millis(100);
        assert_eq!(backoff(base, 1), Duration::from_millis(100));
        assert_eq!(backoff(base, 2), Duration::from_millis(200));
        assert_eq!(backoff(base, 4), Duration::from_millis(800));
    }
}
