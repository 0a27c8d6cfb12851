//! The money path through the real Worker (`wrangler dev`) against a fake
//! Qonto switched, per test, to disagree with the edge: another amount
//! (rounding on the total, `vat_rate` read in the other scale), payments in
//! flight, a paid payment of another amount (in review, the merchant told
//! once), lost webhooks, failed re-reads,
//! stale and abandoned links, timeouts, and an account refusing
//! `redirect_url`. Expected amounts are literals worked out by hand from
//! catalog.json and shipping.json.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// Every switch of the fake back to the behaviour of a Qonto that agrees.
async fn agreeing_qonto(stack: &StackUrls) {
    settings(
        stack,
        json!({"rounding": "per_line", "vat_reading": "as_validated", "pay_status": "paid",
               "paid_amount_delta": 0, "link_stays_processing": false, "webhooks": true,
               "refuse_redirect_url": false}),
    )
    .await;
    clear_faults(stack).await;
}

async fn settings(stack: &StackUrls, patch: Value) {
    let r = client()
        .patch(format!("{}/_control/settings", stack.fake))
        .json(&patch)
        .send()
        .await
        .expect("settings");
    assert!(r.status().is_success(), "settings {patch}: {}", r.status());
}

async fn control(
    stack: &StackUrls,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let r = client()
        .request(method, format!("{}/_control{path}", stack.fake))
        .json(&body)
        .send()
        .await
        .expect("control");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The fake's links, oldest first, with their payments.
async fn fake_links(stack: &StackUrls) -> Vec<Value> {
    let (_, v) = control(stack, reqwest::Method::GET, "/payment_links", Value::Null).await;
    v.as_array().cloned().unwrap_or_default()
}

/// The link id in a checkout's payment URL.
fn link_of(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned()
}

/// A new open checkout of `items`: (id, link id).
async fn open_checkout(stack: &StackUrls, items: &[(&str, i64)]) -> (String, String) {
    let (s, _, b) = post_checkout(stack, &basket(items), &key("mp"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    (
        b["id"].as_str().unwrap_or("").to_owned(),
        link_of(b["url"].as_str().unwrap_or("")),
    )
}

/// The ledger's row for checkout `id`, read with `wrangler d1` (no refresh).
async fn row(stack: &StackUrls, id: &str) -> Value {
    d1(
        stack,
        &format!(
            "SELECT status, status_checked_at, qonto_amount_minor, expected_gross_minor, failure, \
             paid_amount_minor FROM checkouts WHERE id = '{id}'"
        ),
    )
    .await
    .into_iter()
    .next()
    .unwrap_or(Value::Null)
}

/// Seconds since the Unix epoch (to check a notification's signature).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Waits up to `secs` for `check` to hold.
async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..secs * 5 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Checks a refused creation: 502 `amount_mismatch` naming what to check,
/// no URL, the link deactivated at Qonto, the checkout kept as failed with
/// both amounts, and the problem on /health and in the admin.
async fn assert_refused(stack: &StackUrls, items: &[(&str, i64)], edge: &str, qonto: &str) {
    let before = fake_links(stack).await.len();
    let k = key("mismatch");
    let (s, _, b) = post_checkout(stack, &basket(items), &k, &client_ip()).await;
    assert_eq!(s, 502, "{b}");
    assert_eq!(b["error"]["code"], "amount_mismatch", "{b}");
    let message = b["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("VAT_RATE_FORMAT"), "{message}");
    assert!(
        message.contains(qonto) && message.contains(edge),
        "{message}"
    );
    assert!(
        b.get("url").is_none() && !b.to_string().contains("/pay/"),
        "{b}"
    );

    let links = fake_links(stack).await;
    assert_eq!(links.len(), before + 1);
    let link = &links[before]["payment_link"];
    assert_eq!(link["amount"]["value"], qonto, "{link}");
    assert_eq!(link["status"], "canceled", "deactivated at once: {link}");

    // The same request again: still refused, still no URL.
    let (s, _, again) = post_checkout(stack, &basket(items), &k, &client_ip()).await;
    assert_eq!(
        (s, again["error"]["code"].as_str()),
        (502, Some("amount_mismatch")),
        "{again}"
    );
    assert_eq!(
        again["error"]["message"], b["error"]["message"],
        "the same amounts"
    );

    let (s, list) = admin_get(stack, "/admin/checkouts?status=failed").await;
    assert_eq!(s, 200, "{list}");
    let c = &list["checkouts"][0];
    assert_eq!(c["failure"], "amount_mismatch", "{c}");
    assert_eq!(c["expected_amount"], edge, "{c}");
    assert_eq!(c["qonto_amount"], qonto, "{c}");
    assert_eq!(c["url"], Value::Null, "{c}");
    let (_, health) = get_admin_status(&stack.edge).await;
    let problems = health["problems"].to_string();
    assert!(
        problems.contains(c["id"].as_str().unwrap_or("?")) && problems.contains("VAT_RATE_FORMAT"),
        "{health}"
    );
}

#[tokio::test]
async fn a_qonto_reading_vat_rates_in_the_other_scale_is_refused() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    // "0.2" accepted as a fraction but computed as 0.2 %.
    settings(stack, json!({"vat_reading": "other_scale"})).await;
    // One mug (12.50 + 20 %) and shipping to France (4.90 + 20 %): 20.88.
    // At 0.2 %: 12.50 + 0.03 (0.025 rounded up) + 4.90 + 0.01 = 17.44.
    assert_refused(stack, &[("mug", 1)], "20.88", "17.44").await;
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn a_qonto_rounding_vat_on_the_total_is_refused() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    settings(stack, json!({"rounding": "total"})).await;
    // 2 coffees: 21.98 + 1.2089 → 1.21; 8 e-books (a service): 79.92 +
    // 4.3956 → 4.40; shipping to France (the goods stay under 60.00): 4.90 +
    // 0.98. Per line 113.39; the VAT rounded once on 6.5845: 113.38.
    assert_refused(
        stack,
        &[("coffee-250", 2), ("ebook", 8)],
        "113.39",
        "113.38",
    )
    .await;
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn money_in_flight_is_processing_until_paid_and_notified_once() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    settings(stack, json!({"pay_status": "pending"})).await;
    let (id, link) = open_checkout(stack, &[("mug", 1)]).await;
    pay_link(stack, &link).await;
    eventually(10, "processing", || async {
        get_checkout(stack, &id).await.1["status"] == "processing"
    })
    .await;
    let (s, _) = control(
        stack,
        reqwest::Method::POST,
        &format!("/payment_links/{link}/settle"),
        json!({"status": "authorized"}),
    )
    .await;
    assert_eq!(s, 200);
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(
        st["status"], "processing",
        "authorized is still in flight: {st}"
    );
    assert!(
        merchant_received(stack, &id).await.is_empty(),
        "not paid yet"
    );

    let (s, _) = control(
        stack,
        reqwest::Method::POST,
        &format!("/payment_links/{link}/settle"),
        json!({"status": "paid"}),
    )
    .await;
    assert_eq!(s, 200);
    eventually(10, "paid", || async {
        get_checkout(stack, &id).await.1["status"] == "paid"
    })
    .await;
    eventually(10, "one notification", || async {
        merchant_received(stack, &id).await.len() == 1
    })
    .await;
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(st["amount"]["value"], "20.88", "{st}");
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn a_paid_payment_of_another_amount_is_put_in_review_not_accepted() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    settings(stack, json!({"paid_amount_delta": -100})).await;
    let (id, link) = open_checkout(stack, &[("mug", 1)]).await;
    pay_link(stack, &link).await;
    eventually(10, "review", || async {
        row(stack, &id).await["status"] == "review"
    })
    .await;
    let r = row(stack, &id).await;
    assert_eq!(r["paid_amount_minor"], 1988, "{r}");
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(
        st["status"], "processing",
        "the shopper is not told to pay again: {st}"
    );
    let (_, admin) = admin_get(stack, &format!("/admin/checkouts/{id}")).await;
    assert_eq!(
        (admin["review"].as_bool(), admin["paid_amount"].as_str()),
        (Some(true), Some("19.88")),
        "{admin}"
    );

    // The merchant is told, once, with both amounts and what to check:
    // the signed `checkout.review`, never `checkout.paid`.
    eventually(10, "the review notification", || async {
        !merchant_received(stack, &id).await.is_empty()
    })
    .await;
    let received = merchant_received(stack, &id).await;
    assert_eq!(received.len(), 1, "exactly one: {received:?}");
    let body = received[0]["body"].as_str().unwrap_or("");
    shared::webhook::verify(
        qc_stack::LOCAL_MERCHANT_WEBHOOK_SECRET.as_bytes(),
        received[0]["signature"].as_str().unwrap_or(""),
        body.as_bytes(),
        unix_now(),
        300,
    )
    .expect("signed with the merchant secret, like the other notifications");
    let note: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(note["type"], "checkout.review", "{note}");
    assert_eq!(note["checkout"]["id"], id.as_str(), "{note}");
    assert_eq!(note["checkout"]["status"], "review", "{note}");
    assert_eq!(
        note["checkout"]["amount"],
        json!({"value": "20.88", "currency": "EUR"}),
        "the link's amount: {note}"
    );
    assert_eq!(
        note["checkout"]["paid_amount"],
        json!({"value": "19.88", "currency": "EUR"}),
        "the paid amount: {note}"
    );
    let reference = format!("QC-{}", id[3..11].to_ascii_uppercase());
    let message = note["message"].as_str().unwrap_or("");
    for part in [reference.as_str(), "19.88 EUR", "20.88 EUR"] {
        assert!(message.contains(part), "{part:?} in {message:?}");
    }
    // The admin lists it among the checkout's messages, delivered.
    let (_, admin) = admin_get(stack, &format!("/admin/checkouts/{id}")).await;
    let kinds: Vec<(&str, &str)> = admin["messages"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|m| {
                    (
                        m["kind"].as_str().unwrap_or(""),
                        m["state"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kinds, [("merchant_review", "delivered")], "{admin}");

    // Asking again (the widget, the cron) sends nothing more, and the
    // shopper is never sent an order confirmation: it is not paid.
    let _ = get_checkout(stack, &id).await;
    d1(
        stack,
        &format!(
            "UPDATE checkouts SET status_checked_at = '2020-01-01T00:00:00.000Z' WHERE id = '{id}'"
        ),
    )
    .await;
    run_cron(stack, EVERY_5_MINUTES).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(row(stack, &id).await["status"], "review");
    let received = merchant_received(stack, &id).await;
    assert_eq!(received.len(), 1, "still exactly one: {received:?}");
    // (An e-mail's subject ends with its checkout's id.)
    let about = |stack: &StackUrls, id: &str| {
        stack
            .emails()
            .into_iter()
            .filter(|m| m.subject.ends_with(id) || m.text.contains(id))
            .count()
    };
    assert_eq!(about(stack, &id), 0, "no e-mail for a checkout in review");

    // The same shop does send them for a checkout paid its amount (so the
    // silence above is the review's).
    agreeing_qonto(stack).await;
    let (paid_id, paid_link) = open_checkout(stack, &[("mug", 1)]).await;
    pay_link(stack, &paid_link).await;
    eventually(15, "the paid checkout's e-mail", || async {
        about(stack, &paid_id) > 0
    })
    .await;
    assert_eq!(about(stack, &id), 0, "still none for the review");
}

#[tokio::test]
async fn a_lost_webhook_still_ends_paid_with_one_notification_via_the_cron() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    settings(stack, json!({"webhooks": false})).await;
    let (id, link) = open_checkout(stack, &[("coffee-250", 1)]).await;
    pay_link(stack, &link).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(row(stack, &id).await["status"], "open", "no webhook came");
    // Its status was last read long ago (nobody asked since).
    d1(
        stack,
        &format!(
            "UPDATE checkouts SET status_checked_at = '2020-01-01T00:00:00.000Z' WHERE id = '{id}'"
        ),
    )
    .await;
    run_cron(stack, EVERY_5_MINUTES).await;
    assert_eq!(row(stack, &id).await["status"], "paid");
    eventually(10, "the notification", || async {
        merchant_received(stack, &id).await.len() == 1
    })
    .await;
    // It names the order by the reference on the Qonto link.
    let note: Value = serde_json::from_str(
        merchant_received(stack, &id).await[0]["body"]
            .as_str()
            .unwrap_or("{}"),
    )
    .unwrap_or(Value::Null);
    let reference = format!("QC-{}", id[3..11].to_ascii_uppercase());
    assert_eq!(
        note["checkout"]["order"]["reference"],
        reference.as_str(),
        "{note}"
    );
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(st["reference"], reference.as_str(), "{st}");
    run_cron(stack, EVERY_5_MINUTES).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(merchant_received(stack, &id).await.len(), 1, "exactly one");
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn a_webhook_whose_re_read_failed_is_recovered_by_the_cron() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let (id, link) = open_checkout(stack, &[("ebook", 1)]).await;
    // Every read of the link fails while the webhook is processed (the
    // edge tries a read three times).
    fault(
        stack,
        json!({"kind": "server_error", "times": 3, "route": "get_payment_link"}),
    )
    .await;
    pay_link(stack, &link).await;
    // The webhook came, its re-reads failed: the checkout is still open and
    // marked for the cron (its last read forgotten).
    eventually(40, "the checkout marked for reconciliation", || async {
        row(stack, &id).await["status_checked_at"].is_null()
    })
    .await;
    clear_faults(stack).await;
    let failed = fake_requests(stack, "route=get_payment_link").await;
    assert!(
        failed
            .iter()
            .any(|r| r["path"].as_str().unwrap_or("").contains(&link) && r["status"] == 500),
        "{failed:?}"
    );
    assert_eq!(row(stack, &id).await["status"], "open");
    // The delivery was acknowledged but not recorded as processed.
    let (_, log) = control(
        stack,
        reqwest::Method::GET,
        &format!("/webhooks?payment_link_id={link}&event=updated"),
        Value::Null,
    )
    .await;
    let event = log[0]["event_id"].as_str().unwrap_or("").to_owned();
    assert!(!event.is_empty(), "{log}");
    assert!(d1(
        stack,
        &format!("SELECT id FROM webhook_events WHERE id = '{event}'")
    )
    .await
    .is_empty());

    run_cron(stack, EVERY_5_MINUTES).await;
    assert_eq!(row(stack, &id).await["status"], "paid");
    eventually(10, "the notification", || async {
        merchant_received(stack, &id).await.len() == 1
    })
    .await;
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn a_stale_open_checkout_is_deactivated_by_the_cron() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let (id, link) = open_checkout(stack, &[("mug", 2)]).await;
    // Created two days ago: past CHECKOUT_TTL_HOURS (24 by default).
    d1(
        stack,
        &format!("UPDATE checkouts SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = '{id}'"),
    )
    .await;
    run_cron(stack, EVERY_5_MINUTES).await;
    let (_, l) = control(
        stack,
        reqwest::Method::GET,
        &format!("/payment_links/{link}"),
        Value::Null,
    )
    .await;
    assert_eq!(
        l["payment_link"]["status"], "canceled",
        "deactivated at Qonto: {l}"
    );
    assert_eq!(row(stack, &id).await["status"], "expired");
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(st["status"], "expired", "{st}");
    // An old basket can no longer be paid.
    let (s, _) = control(
        stack,
        reqwest::Method::POST,
        &format!("/payment_links/{link}/pay"),
        json!({}),
    )
    .await;
    assert_eq!(s, 409);
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn an_abandoned_creation_is_swept_by_the_cron() {
    let stack = shared_stack();
    let id = "ck_00000000000000000000dead";
    d1(stack, &format!(
        "INSERT INTO checkouts (id, kind, request_hash, status, currency, net_minor, vat_minor, expected_gross_minor, \
         lines_json, created_at, updated_at) VALUES ('{id}', 'basket', 'h', 'creating', 'EUR', 1000, 200, 1200, '[]', \
         '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')"
    )).await;
    run_cron(stack, EVERY_5_MINUTES).await;
    assert_eq!(row(stack, id).await, Value::Null, "removed");
}

#[tokio::test]
async fn two_concurrent_refreshes_never_turn_paid_back_to_open() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let (id, link) = open_checkout(stack, &[("workshop", 1)]).await;
    // Past the open checkout's freshness (3 s).
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    // The shopper's status call reads the link (open) and its payments
    // (none), but that answer arrives 3 s late...
    fault(
        stack,
        json!({"kind": "slow_answer", "ms": 3000, "times": 1, "route": "list_payments"}),
    )
    .await;
    let slow = {
        let stack = stack.clone();
        let id = id.clone();
        tokio::spawn(async move { get_checkout(&stack, &id).await })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    // ...meanwhile the shopper pays and Qonto's webhook records it paid.
    pay_link(stack, &link).await;
    // (Recorded paid: the merchant is notified.)
    eventually(10, "paid by the webhook", || async {
        merchant_received(stack, &id).await.len() == 1
    })
    .await;
    let (s, late) = slow.await.expect("task");
    assert_eq!(s, 200);
    assert_eq!(late["status"], "paid", "the stale read did not win: {late}");
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(row(stack, &id).await["status"], "paid");
    let (_, st) = get_checkout(stack, &id).await;
    assert_eq!(st["status"], "paid");
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn concurrent_status_polls_of_one_checkout_read_qonto_once() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let (id, link) = open_checkout(stack, &[("mug", 1)]).await;
    // Past the open checkout's freshness (3 s): the next poll asks Qonto.
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    let reads = |route: &'static str| {
        let query = format!("route={route}&path_prefix=/v2/payment_links/{link}");
        async move { fake_requests(stack, &query).await.len() }
    };
    let before = (
        reads("get_payment_link").await,
        reads("list_payments").await,
    );
    // The first poll's read of the link takes Qonto 700 ms; meanwhile seven
    // more polls (other tabs of the shopper) arrive.
    fault(
        stack,
        json!({"kind": "slow_answer", "ms": 700, "times": 1, "route": "get_payment_link"}),
    )
    .await;
    let first = {
        let stack = stack.clone();
        let id = id.clone();
        tokio::spawn(async move { get_checkout(&stack, &id).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let polls = (0..7).map(|_| get_checkout(stack, &id));
    let mut answers = futures_util::future::join_all(polls).await;
    answers.push(first.await.expect("task"));
    for (s, b) in answers {
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["status"], "open", "{b}");
    }
    let after = (
        reads("get_payment_link").await,
        reads("list_payments").await,
    );
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (1, 1),
        "one link read and one payments read for 8 overlapping polls"
    );
    // Once that read is stale too, the next poll asks Qonto again; when
    // Qonto fails it (a 500, retried twice), the poll answers from the
    // ledger and the claim does not hold back the very next poll.
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    fault(
        stack,
        json!({"kind": "status", "status": 500, "times": 3, "route": "get_payment_link"}),
    )
    .await;
    let (s, b) = get_checkout(stack, &id).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("open")), "{b}");
    assert_eq!(
        reads("get_payment_link").await,
        after.0 + 3,
        "read, retried"
    );
    let (s, b) = get_checkout(stack, &id).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("open")), "{b}");
    assert_eq!(
        (
            reads("get_payment_link").await,
            reads("list_payments").await
        ),
        (after.0 + 4, after.1 + 1),
        "read again at once after the failed read"
    );
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn an_invoice_retried_after_a_timeout_reuses_the_first_link() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let invoice = "0199e1de-4e01-72b7-86a0-fbe4e0475d56";
    let _ = client()
        .delete(format!("{}/_control/requests", stack.fake))
        .send()
        .await;
    // Qonto creates the link but its answer comes after the edge's 15 s.
    fault(
        stack,
        json!({"kind": "slow_answer", "ms": 16000, "times": 1, "route": "create_payment_link"}),
    )
    .await;
    let post = || async {
        let r = client()
            .post(format!("{}/v1/invoice-checkouts", stack.edge))
            .header("cf-connecting-ip", client_ip())
            .json(&json!({"invoice_id": invoice}))
            .send()
            .await
            .expect("POST");
        let (s, _, v) = parts(r).await;
        (s, v)
    };
    let (s, first) = post().await;
    assert_eq!(
        (s, first["error"]["code"].as_str()),
        (504, Some("payment_provider_timeout")),
        "{first}"
    );
    let (s, second) = post().await;
    assert!(s == 200 || s == 201, "{s} {second}");
    let links: Vec<Value> = fake_links(stack)
        .await
        .into_iter()
        .filter(|l| l["payment_link"]["invoice_id"] == invoice)
        .collect();
    assert_eq!(links.len(), 1, "one link for the invoice: {links:?}");
    assert_eq!(
        link_of(second["url"].as_str().unwrap_or("")),
        links[0]["payment_link"]["id"].as_str().unwrap_or("?")
    );
    assert_eq!(second["amount"]["value"], "120.00");
    // Found among Qonto's open links: not created (nor replayed) again. (The
    // slow creation is logged once its late answer is sent.)
    eventually(5, "the slow creation logged", || async {
        !fake_requests(stack, "route=create_payment_link")
            .await
            .is_empty()
    })
    .await;
    assert_eq!(
        fake_requests(stack, "route=create_payment_link")
            .await
            .len(),
        1
    );
    assert!(!fake_requests(stack, "route=list_payment_links")
        .await
        .is_empty());
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn the_link_sends_the_shopper_back_and_an_account_refusing_that_still_gets_a_link() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    let page = format!("{}/index.html?lang=fr", stack.shop);
    let mut body = basket(&[("mug", 1)]);
    body["return_url"] = json!(page);

    // A page on another origin is refused.
    let mut foreign = body.clone();
    foreign["return_url"] = json!("https://elsewhere.example/shop");
    let (s, _, b) = post_checkout(stack, &foreign, &key("rt"), &client_ip()).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("invalid_return_url")),
        "{b}"
    );

    let (s, _, b) = post_checkout(stack, &body, &key("rt"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap_or("");
    let link = link_of(b["url"].as_str().unwrap_or(""));
    let sent: Value = {
        let all = fake_requests(stack, "route=create_payment_link").await;
        serde_json::from_str(all.last().and_then(|e| e["body"].as_str()).unwrap_or("{}"))
            .unwrap_or(Value::Null)
    };
    let back = format!("{page}&qc_checkout={id}");
    assert_eq!(
        sent["payment_link"]["redirect_url"],
        back.as_str(),
        "{sent}"
    );
    // The checkout's short reference opens the first item's description.
    let reference = format!("QC-{}", id[3..11].to_ascii_uppercase());
    let description = sent["payment_link"]["items"][0]["description"]
        .as_str()
        .unwrap_or("");
    assert!(description.starts_with(&reference), "{description}");
    // After paying on Qonto's page, the browser is sent back to the shop.
    let r = client()
        .post(format!("{}/pay/{link}", stack.fake))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=paid")
        .send()
        .await
        .expect("pay");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"].to_str().unwrap_or(""), back);

    // An account that refuses redirect_url: the link is made without it,
    // and this edge stops sending it.
    settings(stack, json!({"refuse_redirect_url": true})).await;
    let _ = client()
        .delete(format!("{}/_control/requests", stack.fake))
        .send()
        .await;
    let (s, _, b) = post_checkout(stack, &body, &key("rt"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let creates = fake_requests(stack, "route=create_payment_link").await;
    let statuses: Vec<u64> = creates
        .iter()
        .map(|c| c["status"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(statuses, [400, 201], "{creates:?}");
    assert!(!creates[1]["body"]
        .as_str()
        .unwrap_or("")
        .contains("redirect_url"));
    // wrangler writes the Worker's log lines to the file a moment later.
    eventually(10, "the refusal logged", || async {
        stack.edge_log().contains("Qonto refuses redirect_url")
    })
    .await;
    let logged = stack
        .edge_log()
        .matches("Qonto refuses redirect_url")
        .count();
    let (s, _, b) = post_checkout(stack, &body, &key("rt"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        fake_requests(stack, "route=create_payment_link")
            .await
            .len(),
        3,
        "sent once, without the field"
    );
    // Given the log the same moment to catch up, no second line.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        stack
            .edge_log()
            .matches("Qonto refuses redirect_url")
            .count(),
        logged,
        "logged once"
    );
    agreeing_qonto(stack).await;
}

#[tokio::test]
async fn a_link_left_processing_with_its_payment_paid_is_paid() {
    let stack = shared_stack();
    agreeing_qonto(stack).await;
    // Qonto's link status lags behind its payment: the payment decides.
    settings(stack, json!({"link_stays_processing": true})).await;
    let (id, link) = open_checkout(stack, &[("ebook", 2)]).await;
    pay_link(stack, &link).await;
    let (_, l) = control(
        stack,
        reqwest::Method::GET,
        &format!("/payment_links/{link}"),
        Value::Null,
    )
    .await;
    assert_eq!(l["payment_link"]["status"], "processing", "{l}");
    eventually(10, "paid", || async {
        get_checkout(stack, &id).await.1["status"] == "paid"
    })
    .await;
    eventually(10, "one notification", || async {
        merchant_received(stack, &id).await.len() == 1
    })
    .await;
    agreeing_qonto(stack).await;
}
