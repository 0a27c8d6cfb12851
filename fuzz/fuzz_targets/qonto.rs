//! Qonto's answers and webhook deliveries, read tolerantly (wrapped or bare,
//! unknown statuses): any bytes parse or fail cleanly, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::qonto::{
    parse_client_invoice, parse_connection, parse_error, parse_payment_link,
    parse_webhook_subscription, PaymentList, WebhookEvent,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(link) = parse_payment_link(data) {
        let _ = link.status.as_str();
    }
    let _ = parse_connection(data);
    if let Ok(invoice) = parse_client_invoice(data) {
        let _ = invoice.number_or_legacy();
        let _ = invoice.gross_amount();
    }
    let _ = parse_webhook_subscription(data);
    if let Some(error) = parse_error(data) {
        let _ = error.first_message();
        let _ = error.is_oauth_required();
        let _ = error.is_missing_scope();
    }
    let _ = serde_json::from_slice::<PaymentList>(data);
    if let Ok(event) = serde_json::from_slice::<WebhookEvent>(data) {
        let _ = event.payment_link_data();
    }
});
