//! The merchant's paid notifications through the real Worker: sent once per
//! checkout whichever request finds it paid first, retried by the cron while
//! the merchant's server fails, given up after the configured retries, and
//! sent again on the admin's request.
//!
//! Its own stack: no webhook subscription (so only the status calls find a
//! payment, as when Qonto's webhook is late) and retries after 2 s, then 1 s.

mod common;

use common::*;
use qc_stack::{Stack, StackConfig, StackUrls};
use serde_json::Value;
use std::time::Duration;

async fn start() -> (Stack, StackUrls) {
    let stack = Stack::start(StackConfig {
        subscribe: false,
        extra_vars: vec![("MERCHANT_WEBHOOK_RETRY_SECONDS".into(), "2,1".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let urls = stack.urls();
    (stack, urls)
}

/// A new checkout of one `sku`, paid on the fake payment page; returns its id.
async fn paid_checkout(stack: &StackUrls, sku: &str) -> String {
    let (s, _, b) = post_checkout(stack, &basket(&[(sku, 1)]), &key("nt"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let link = b["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned();
    pay_link(stack, &link).await;
    // The shopper is back once the edge's copy of the status is stale (5 s)
    // and worth asking Qonto again.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    b["id"].as_str().unwrap_or("").to_owned()
}

/// The shopper's status call (what the widget asks on return).
async fn status(stack: &StackUrls, id: &str) -> String {
    let (s, v) = get_checkout(stack, id).await;
    assert_eq!(s, 200, "{v}");
    v["status"].as_str().unwrap_or("").to_owned()
}

/// What the merchant's server received for checkout `id`: `(status it
/// answered, body)`.
async fn received(stack: &StackUrls, id: &str) -> Vec<(u64, Value)> {
    merchant_received(stack, id)
        .await
        .into_iter()
        .filter_map(|n| {
            let body: Value = serde_json::from_str(n["body"].as_str()?).ok()?;
            Some((n["status"].as_u64().unwrap_or(0), body))
        })
        .collect()
}

/// Waits until the merchant's server has answered `n` attempts for `id`.
async fn wait_attempts(stack: &StackUrls, id: &str, n: usize) -> Vec<(u64, Value)> {
    let mut got = Vec::new();
    for _ in 0..50 {
        got = received(stack, id).await;
        if got.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

/// Runs the 5-minute cron once.
async fn cron(stack: &StackUrls) {
    run_cron(stack, EVERY_5_MINUTES).await;
}

/// The notification state in the admin's checkout detail.
async fn notification(stack: &StackUrls, id: &str) -> Value {
    let (s, v) = admin_get(stack, &format!("/admin/checkouts/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v["notification"].clone()
}

async fn fail_next(stack: &Stack, n: u32) {
    let r = client()
        .post(stack.merchant.fail_url())
        .body(n.to_string())
        .send()
        .await
        .expect("fail");
    assert!(r.status().is_success());
}

#[tokio::test]
async fn a_paid_checkout_notifies_once_and_failures_are_retried_then_given_up_then_resent() {
    let (stack, urls) = start().await;

    // Found paid by the shopper's status calls alone (no webhook), several
    // at once: one notification, retried by the cron while the merchant's
    // server fails, then delivered.
    fail_next(&stack, 2).await;
    let id = paid_checkout(&urls, "mug").await;
    let calls: Vec<_> = (0..8).map(|_| status(&urls, &id)).collect();
    let seen = futures_util::future::join_all(calls).await;
    // One of them reads Qonto (single flight); the others answer from the
    // ledger, which may not hold the payment yet. The next poll does.
    assert!(seen.iter().any(|s| s == "paid"), "{seen:?}");
    assert!(seen.iter().all(|s| s == "paid" || s == "open"), "{seen:?}");
    assert_eq!(status(&urls, &id).await, "paid");
    let got = wait_attempts(&urls, &id, 1).await;
    assert_eq!(got.len(), 1, "one attempt at once: {got:?}");
    assert_eq!(got[0].0, 500);
    let n = notification(&urls, &id).await;
    assert_eq!(
        (n["state"].as_str(), n["attempts"].as_u64()),
        (Some("pending"), Some(1)),
        "{n}"
    );
    assert_eq!(n["last_error"], "HTTP 500", "{n}");

    // Not due yet: the cron leaves it alone.
    cron(&urls).await;
    assert_eq!(received(&urls, &id).await.len(), 1);

    for (attempt, wait) in [(2, 2_200), (3, 1_200)] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        cron(&urls).await;
        let got = wait_attempts(&urls, &id, attempt).await;
        assert_eq!(got.len(), attempt, "{got:?}");
    }
    let got = received(&urls, &id).await;
    assert_eq!(
        got.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    // Every attempt carries the same order.
    assert!(got.iter().all(|(_, b)| *b == got[0].1));
    assert_eq!(got[2].1["type"], "checkout.paid");
    assert_eq!(got[2].1["checkout"]["lines"][0]["sku"], "mug");
    let n = notification(&urls, &id).await;
    assert_eq!(
        (n["state"].as_str(), n["attempts"].as_u64()),
        (Some("delivered"), Some(3)),
        "{n}"
    );
    assert!(
        n["delivered_at"].is_string() && n["next_attempt_at"].is_null(),
        "{n}"
    );

    // Delivered: later cron runs and status calls send nothing more.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    cron(&urls).await;
    status(&urls, &id).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(received(&urls, &id).await.len(), 3);

    // A server that stays down: the first attempt and the two retries, then
    // given up; the admin sends it again once the server is back.
    fail_next(&stack, 100).await;
    let id = paid_checkout(&urls, "mug").await;
    assert_eq!(status(&urls, &id).await, "paid");
    wait_attempts(&urls, &id, 1).await;
    for wait in [2_200, 1_200, 1_200] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        cron(&urls).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received(&urls, &id).await;
    assert_eq!(got.len(), 3, "1 + 2 retries, then given up: {got:?}");
    let n = notification(&urls, &id).await;
    assert_eq!(
        (n["state"].as_str(), n["attempts"].as_u64()),
        (Some("failed"), Some(3)),
        "{n}"
    );
    // The log says so (written a moment after the cron's answer).
    let mut logged = false;
    for _ in 0..50 {
        logged = urls.edge_log().contains("merchant notification given up");
        if logged {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(logged, "the log says the notification was given up");

    fail_next(&stack, 0).await;
    let (s, _, v) = parts(
        client()
            .post(format!("{}/admin/checkouts/{id}/notify", urls.edge))
            .bearer_auth(LOCAL_ADMIN_TOKEN)
            .send()
            .await
            .expect("resend"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["notification"]["state"], "delivered", "{v}");
    assert_eq!(received(&urls, &id).await.last().map(|r| r.0), Some(200));

    // Only a paid checkout is notified.
    let (s, _, b) = post_checkout(&urls, &basket(&[("mug", 1)]), &key("nt"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let open = b["id"].as_str().unwrap_or("");
    let (s, _, v) = parts(
        client()
            .post(format!("{}/admin/checkouts/{open}/notify", urls.edge))
            .bearer_auth(LOCAL_ADMIN_TOKEN)
            .send()
            .await
            .expect("resend"),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("not_paid")),
        "{v}"
    );
    assert!(notification(&urls, open).await.is_null());
}
