//! The edge restarted in the middle of a checkout (a deploy, an evicted
//! isolate), through the real Worker (`wrangler dev`) against the fake
//! Qonto: Qonto made the link but the edge died before recording it. The
//! shopper's retry with the same `Idempotency-Key` is told to wait while the
//! dead attempt could still be running, then gets the link Qonto already
//! made, under the same checkout and reference: no second link, no row left
//! in `creating`.

mod common;

use common::*;
use qc_stack::{Stack, StackConfig};
use serde_json::{json, Value};
use std::time::Duration;

/// Every link the fake Qonto holds.
async fn fake_links(stack: &StackUrls) -> Vec<Value> {
    let r = client()
        .get(format!("{}/_control/payment_links", stack.fake))
        .send()
        .await
        .expect("the fake's links");
    let v: Value = r.json().await.unwrap_or(Value::Null);
    v.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_edge_restarted_mid_checkout_makes_one_link_and_the_retry_gets_it() {
    let mut stack = Stack::start(StackConfig::default())
        .await
        .unwrap_or_else(|e| panic!("the stack did not start: {e}"));
    let urls = stack.urls();
    // Warm: the payment methods are cached and the token is fresh.
    let (s, _, b) =
        post_checkout(&urls, &basket(&[("ebook", 1)]), &key("warm"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");

    // Qonto makes the link at once and answers 8 s later; the edge dies
    // in between.
    fault(
        &urls,
        json!({"kind": "slow_answer", "ms": 8000, "times": 1, "route": "create_payment_link"}),
    )
    .await;
    let before = fake_links(&urls).await.len();
    let body = basket(&[("mug", 2)]);
    let k = key("restart");
    let ip = client_ip();
    let first = {
        let (client, edge, body, k) = (client(), urls.edge.clone(), body.clone(), k.clone());
        tokio::spawn(async move {
            client
                .post(format!("{edge}/v1/checkouts"))
                .header("idempotency-key", k)
                .header("cf-connecting-ip", ip)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    let mut made = Vec::new();
    for _ in 0..50 {
        made = fake_links(&urls).await;
        if made.len() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(made.len(), before + 1, "Qonto made the link");
    let made_id = made
        .iter()
        .map(|l| l["payment_link"]["id"].as_str().unwrap_or("").to_owned())
        .next_back()
        .unwrap_or_default();
    stack
        .edge
        .relaunch()
        .await
        .unwrap_or_else(|e| panic!("the edge did not restart: {e}"));
    let answered = first.await.expect("the first request's task");
    assert!(
        !matches!(answered, Ok(201)),
        "the first request was cut off: {answered:?}"
    );

    let rows = |urls: StackUrls, k: String| async move {
        d1(
            &urls,
            &format!("SELECT id, status FROM checkouts WHERE idempotency_key = '{k}'"),
        )
        .await
    };
    let left = rows(urls.clone(), k.clone()).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["status"], "creating", "{left:?}");
    let dead_id = left[0]["id"].as_str().unwrap_or("").to_owned();

    // At once, the dead attempt might still be running: retry later.
    let (s, _, b) = post_checkout(&urls, &body, &k, &client_ip()).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (409, Some("checkout_in_progress")),
        "{b}"
    );

    // A minute later (aged here), the retry resumes the same checkout.
    d1(
        &urls,
        &format!(
            "UPDATE checkouts SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = '{dead_id}'"
        ),
    )
    .await;
    let (s, _, b) = post_checkout(&urls, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["id"], dead_id.as_str(), "the same checkout: {b}");
    let reference = format!("QC-{}", dead_id[3..11].to_ascii_uppercase());
    assert_eq!(b["reference"], reference.as_str(), "{b}");

    // No second link at Qonto: the one made before the restart is handed
    // out, and it names the checkout by its reference.
    let links = fake_links(&urls).await;
    assert_eq!(links.len(), before + 1, "one link: {links:?}");
    let url = b["url"].as_str().unwrap_or("");
    assert!(url.contains(&made_id), "{url} {made_id}");
    let made = links
        .iter()
        .find(|l| l["payment_link"]["id"] == made_id.as_str())
        .map(Value::to_string)
        .unwrap_or_default();
    assert!(made.contains(&reference), "{made}");
    let left = rows(urls.clone(), k.clone()).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["status"], "open", "{left:?}");
    eprintln!(
        "restart mid-checkout: checkout {dead_id} resumed, {} link at Qonto for it, {} creation calls",
        links.len() - before,
        fake_requests(&urls, "route=create_payment_link").await.len()
    );
}
