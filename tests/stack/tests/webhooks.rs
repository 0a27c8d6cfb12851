//! Qonto webhooks through the real Worker: forged, stale and replayed
//! deliveries are refused or processed once; a genuine one (sent by the fake
//! Qonto when its payment page is answered) marks the checkout paid and
//! forwards a signed notification to the merchant's server.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn post_webhook(stack: &StackUrls, body: &str, signature: Option<&str>) -> (u16, Value) {
    let mut req = client()
        .post(format!("{}/webhooks/qonto", stack.edge))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(s) = signature {
        req = req.header("x-qonto-signature", s);
    }
    let (s, _, v) = parts(req.send().await.expect("POST webhook")).await;
    (s, v)
}

fn event(link_id: &str) -> String {
    json!({
        "id": format!("evt-{}", key("e")),
        "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
        "organization_id": "123e4567-e89b-12d3-a456-426614174000",
        "membership_id": "123e4567-e89b-12d3-a456-426614174000",
        "type": "v1/payment-links",
        "created_at": "2025-01-24T10:55:00Z",
        "data": {"event": "updated", "status": "paid", "payment_link_id": link_id}
    })
    .to_string()
}

async fn new_checkout(stack: &StackUrls, sku: &str) -> (String, String) {
    let (s, _, b) = post_checkout(stack, &basket(&[(sku, 1)]), &key("wh"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let url = b["url"].as_str().unwrap_or("");
    let link = url
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    (b["id"].as_str().unwrap_or("").to_owned(), link)
}

/// The ledger's status (the admin list does not refresh from Qonto, so this
/// shows what the webhook did).
async fn ledger_status(stack: &StackUrls, id: &str) -> String {
    let (_, list) = admin_get(stack, "/admin/checkouts?per_page=100").await;
    list["checkouts"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .and_then(|c| c["status"].as_str())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn forged_stale_and_unsigned_deliveries_are_refused() {
    let stack = shared_stack();
    let (id, link) = new_checkout(stack, "mug").await;
    let body = event(&link);
    let secret = qc_stack::LOCAL_WEBHOOK_SECRET.as_bytes();
    let cases = [
        ("no signature", None),
        (
            "signed with another secret",
            Some(shared::webhook::sign(
                b"another-secret-another-secret-xx",
                now(),
                body.as_bytes(),
            )),
        ),
        (
            "stale timestamp",
            Some(shared::webhook::sign(secret, now() - 600, body.as_bytes())),
        ),
        ("garbage header", Some("t=abc,v1=zz".to_owned())),
        (
            "body changed after signing",
            Some(shared::webhook::sign(
                secret,
                now(),
                event("other").as_bytes(),
            )),
        ),
    ];
    for (name, sig) in cases {
        let (status, err) = post_webhook(stack, &body, sig.as_deref()).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (401, Some("invalid_signature")),
            "{name}: {err}"
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        ledger_status(stack, &id).await,
        "open",
        "nothing was processed"
    );
}

#[tokio::test]
async fn a_genuine_delivery_marks_the_checkout_paid_once_and_notifies_the_merchant() {
    let stack = shared_stack();
    let (id, link) = new_checkout(stack, "coffee-250").await;
    // The shopper pays on the (fake) payment page: Qonto sends the webhook.
    pay_link(stack, &link).await;
    let mut status = String::new();
    for _ in 0..50 {
        status = ledger_status(stack, &id).await;
        if status == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, "paid", "the webhook updated the ledger");

    // The delivery Qonto made, answered 2xx.
    let deliveries: Vec<Value> = client()
        .get(format!(
            "{}/_control/webhooks?payment_link_id={link}",
            stack.fake
        ))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let paid = deliveries
        .iter()
        .find(|d| {
            d["body"].as_str().unwrap_or("").contains("\"paid\"")
                && d["status"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s))
        })
        .unwrap_or_else(|| panic!("a successful paid delivery: {deliveries:?}"));

    // The merchant's server got one signed notification with the order.
    let mut notes = Vec::new();
    for _ in 0..25 {
        notes = merchant_received(stack, &id).await;
        if !notes.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(notes.len(), 1, "{notes:?}");
    let body = notes[0]["body"].as_str().unwrap_or("");
    let sig = notes[0]["signature"].as_str().unwrap_or("");
    shared::webhook::verify(
        qc_stack::LOCAL_MERCHANT_WEBHOOK_SECRET.as_bytes(),
        sig,
        body.as_bytes(),
        now(),
        300,
    )
    .expect("the notification verifies with the merchant secret");
    let note: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(note["type"], "checkout.paid");
    assert_eq!(note["checkout"]["id"], id.as_str());
    assert_eq!(note["checkout"]["lines"][0]["sku"], "coffee-250");
    // The whole order, for fulfilment: who, where, shipping and totals.
    let order = &note["checkout"]["order"];
    assert_eq!(
        order["customer"]["email"], "ana.lopes@example.com",
        "{note}"
    );
    assert_eq!(order["customer"]["address"]["city"], "Paris");
    assert_eq!(order["shipping"]["country"], "FR");
    assert_eq!(order["shipping"]["gross"]["value"], "5.88");
    assert_eq!(order["totals"]["gross"], note["checkout"]["amount"]);

    // Qonto redelivers the same event (duplicates happen): processed once.
    let headers = &paid["headers"];
    let signature = headers["x-qonto-signature"]
        .as_str()
        .or_else(|| headers["X-Qonto-Signature"].as_str())
        .expect("signature header in the delivery log");
    let (s, v) = post_webhook(stack, paid["body"].as_str().unwrap_or(""), Some(signature)).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("duplicate")), "{v}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        merchant_received(stack, &id).await.len(),
        1,
        "no second notification"
    );

    // The widget's status call agrees, with the payment time.
    let (s, st) = get_checkout(stack, &id).await;
    assert_eq!(s, 200);
    assert_eq!(st["status"], "paid", "{st}");
    assert!(st["paid_at"].is_string(), "{st}");
}

#[tokio::test]
async fn a_failed_or_canceled_payment_is_reported_and_the_link_stays_payable() {
    let stack = shared_stack();
    for (action, want) in [("fail", "failed"), ("cancel", "canceled")] {
        let (id, link) = new_checkout(stack, "ebook").await;
        let r = client()
            .post(format!(
                "{}/_control/payment_links/{link}/{action}",
                stack.fake
            ))
            .send()
            .await
            .expect("act");
        assert!(r.status().is_success());
        let mut got = Value::Null;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (_, st) = get_checkout(stack, &id).await;
            got = st;
            if got["status"] == want {
                break;
            }
        }
        assert_eq!(got["status"], want, "{action}: {got}");
    }
}

#[tokio::test]
async fn the_daily_cron_removes_customers_past_the_retention_period() {
    let stack = shared_stack();
    // Two orders as the edge stores them: one from two years ago (past the
    // 365 days of CUSTOMER_DATA_RETENTION_DAYS), one from today.
    let (old, recent) = (key("ck_old"), key("ck_recent"));
    let order = r#"{"customer":{"email":"old@example.com","name":"Old Buyer"},"shipping":null,"totals":{"gross":{"value":"12.00","currency":"EUR"}}}"#;
    for (id, created) in [
        (&old, "'2020-01-01T00:00:00.000Z'"),
        (&recent, "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"),
    ] {
        d1(
            stack,
            &format!(
                "INSERT INTO checkouts (id, kind, request_hash, status, currency, net_minor, vat_minor, \
                 expected_gross_minor, lines_json, order_json, customer_email, created_at, updated_at) \
                 VALUES ('{id}', 'basket', 'h', 'paid', 'EUR', 1000, 200, 1200, '[]', '{order}', \
                 'old@example.com', {created}, {created})"
            ),
        )
        .await;
    }
    run_cron(stack, DAILY).await;
    let rows = d1(
        stack,
        &format!(
            "SELECT id, customer_email, json_extract(order_json, '$.customer') AS customer, \
             json_extract(order_json, '$.totals.gross.value') AS gross, customer_forgotten_at \
             FROM checkouts WHERE id IN ('{old}', '{recent}') ORDER BY created_at"
        ),
    )
    .await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The old order keeps its amounts, not the person.
    assert_eq!(rows[0]["id"], old.as_str());
    assert!(rows[0]["customer_email"].is_null(), "{rows:?}");
    assert!(rows[0]["customer"].is_null(), "{rows:?}");
    assert_eq!(rows[0]["gross"], "12.00");
    assert!(rows[0]["customer_forgotten_at"].is_string(), "{rows:?}");
    // Today's is untouched.
    assert_eq!(rows[1]["customer_email"], "old@example.com");
    assert!(rows[1]["customer"].is_string(), "{rows:?}");
}

#[tokio::test]
async fn the_daily_cron_forgets_delivery_ids_too_old_to_be_redelivered() {
    let stack = shared_stack();
    let (old, recent) = (key("evt-old"), key("evt-recent"));
    d1(
        stack,
        &format!(
            "INSERT INTO webhook_events (id, received_at) VALUES \
             ('{old}', '2020-01-01T00:00:00.000Z'), ('{recent}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        ),
    )
    .await;
    run_cron(stack, DAILY).await;
    let kept = d1(
        stack,
        &format!("SELECT id FROM webhook_events WHERE id IN ('{old}', '{recent}')"),
    )
    .await;
    assert_eq!(kept, [json!({"id": recent})]);
}
