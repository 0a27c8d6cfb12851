//! Reading responses tolerantly: bare or wrapped objects, error bodies.

#[allow(unused_imports)]
use super::*;

/// Parses `{"<key>": T}` or a bare `T`. Goes through `serde_json::Value` so a
/// failure reports the real field error, not "did not match any variant".
pub(super) fn parse_maybe_wrapped<T: DeserializeOwned>(
    bytes: &[u8],
    key: &str,
) -> Result<T, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)?;
    if let Some(obj) = value.as_object_mut() {
        if obj.get(key).is_some_and(serde_json::Value::is_object) {
            if let Some(inner) = obj.remove(key) {
                return serde_json::from_value(inner);
            }
        }
    }
    serde_json::from_value(value)
}

/// Parses a payment link from `{"payment_link": {...}}` or the bare object
/// (GET and deactivate are documented bare; integrators read them wrapped).
pub fn parse_payment_link(bytes: &[u8]) -> Result<PaymentLink, serde_json::Error> {
    parse_maybe_wrapped(bytes, "payment_link")
}

/// Parses a connection from the bare object or `{"connection": {...}}`.
pub fn parse_connection(bytes: &[u8]) -> Result<Connection, serde_json::Error> {
    parse_maybe_wrapped(bytes, "connection")
}

/// Parses a client invoice from `{"client_invoice": {...}}` or the bare object.
pub fn parse_client_invoice(bytes: &[u8]) -> Result<ClientInvoice, serde_json::Error> {
    parse_maybe_wrapped(bytes, "client_invoice")
}

/// Parses a webhook subscription from the bare object or
/// `{"webhook_subscription": {...}}`.
pub fn parse_webhook_subscription(bytes: &[u8]) -> Result<WebhookSubscription, serde_json::Error> {
    parse_maybe_wrapped(bytes, "webhook_subscription")
}

/// Parses a Qonto error body; `None` when the body is not one (Qonto sends
/// 500s without a body).
pub fn parse_error(bytes: &[u8]) -> Option<ErrorResponse> {
    let parsed: ErrorResponse = serde_json::from_slice(bytes).ok()?;
    (!parsed.errors.is_empty()).then_some(parsed)
}
