//! Stock per SKU through the real Worker (`wrangler dev`) against the fake
//! Qonto: concurrent checkouts never oversell (exactly the stock is
//! created, the rest answered 409 `sold_out`), the stale-link cron gives the
//! reservations back, a payment consumes its reservation once, a basket
//! whose second line is short keeps nothing, a replay reserves nothing
//! again, the admin's stock routes and their refusals, the public
//! availability answer, and the checkout's D1 round trips.
//!
//! The tests share one stack (run them with `--test-threads=1`); each one
//! sets the stock of the SKUs it uses, and compares with what it read
//! before where another test may have left a reservation.

mod common;

use common::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::time::Duration;

/// A request to the edge's admin API with the admin token (no `Origin`, as
/// a script sends it): status and body.
async fn admin(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let stack = shared_stack();
    let mut req = client()
        .request(method, format!("{}{path}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let (s, _, v) = parts(req.send().await.expect("admin request")).await;
    (s, v)
}

/// Sets the stock of `sku` through the admin API.
async fn set_stock(sku: &str, stock: i64) -> Value {
    let (s, v) = admin(
        reqwest::Method::PUT,
        &format!("/admin/stock/{sku}"),
        Some(json!({ "stock": stock })),
    )
    .await;
    assert_eq!(s, 200, "PUT /admin/stock/{sku}: {v}");
    v
}

/// The admin's row of a tracked `sku` (`None` when untracked).
async fn stock_row(sku: &str) -> Option<Value> {
    let (s, v) = admin(reqwest::Method::GET, "/admin/stock", None).await;
    assert_eq!(s, 200, "{v}");
    v["stock"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["sku"] == sku).cloned())
}

/// `GET /v1/availability`: status, headers, body.
async fn availability(origin: Option<&str>) -> (u16, reqwest::header::HeaderMap, Value) {
    let stack = shared_stack();
    let mut req = client().get(format!("{}/v1/availability", stack.edge));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    parts(req.send().await.expect("GET /v1/availability")).await
}

/// What `GET /v1/availability` says is left of `sku` (`None`: untracked).
async fn left(sku: &str) -> Option<i64> {
    let (s, _, v) = availability(None).await;
    assert_eq!(s, 200, "{v}");
    v["stock"][sku].as_i64()
}

/// The Qonto link id at the end of a checkout's payment URL.
fn link_of(checkout: &Value) -> String {
    checkout["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned()
}

/// Links the fake created so far (its request log).
async fn links_created(stack: &StackUrls) -> usize {
    fake_requests(stack, "route=create_payment_link")
        .await
        .iter()
        .filter(|e| e["status"] == 201)
        .count()
}

/// `POST /v1/checkouts` as a shopper's widget sends it: a connection reset
/// before any answer, the local runtime's own bodiless 503 under load, or
/// `checkout_in_progress` is sent again with the same key (up to 3 times).
async fn shopper_checkout(body: &Value, key: &str, ip: &str) -> (u16, Value, Option<u32>, u32) {
    let stack = shared_stack();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut retries = 0;
    loop {
        let sent = http
            .post(format!("{}/v1/checkouts", stack.edge))
            .header("idempotency-key", key)
            .header("cf-connecting-ip", ip)
            .json(body)
            .send()
            .await;
        let (s, h, b) = match sent {
            Ok(resp) => parts(resp).await,
            Err(_) => (0, reqwest::header::HeaderMap::new(), Value::Null),
        };
        let retry =
            s == 0 || (s == 503 && b.is_null()) || b["error"]["code"] == "checkout_in_progress";
        if !retry || retries == 3 {
            let trips = h
                .get("x-d1-round-trips")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            return (s, b, trips, retries);
        }
        retries += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Polls the shopper's status call until it says `want` (30 s at most).
async fn wait_status(id: &str, want: &str) -> String {
    let stack = shared_stack();
    let mut last = String::new();
    for _ in 0..30 {
        let (s, v) = get_checkout(stack, id).await;
        assert_eq!(s, 200, "{v}");
        last = v["status"].as_str().unwrap_or("").to_owned();
        if last == want {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    last
}

#[tokio::test]
async fn fifty_concurrent_checkouts_for_ten_in_stock_create_ten_and_the_cron_gives_them_back() {
    let stack = shared_stack();
    // Untracked first, so a reservation another run left does not count.
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/coffee-250", None).await;
    set_stock("coffee-250", 10).await;
    assert_eq!(left("coffee-250").await, Some(10));
    let links_before = links_created(stack).await;

    let run = key("stock-50");
    let body = basket(&[("coffee-250", 1)]);
    let answers = join_all((0..50).map(|i| {
        let body = body.clone();
        let key = format!("{run}-{i}");
        // One client address each: the per-client limit is not under test.
        let ip = format!("198.51.100.{}", i + 1);
        async move { shopper_checkout(&body, &key, &ip).await }
    }))
    .await;

    let created: Vec<&Value> = answers
        .iter()
        .filter(|a| a.0 == 201)
        .map(|a| &a.1)
        .collect();
    let sold_out = answers
        .iter()
        .filter(|a| a.0 == 409 && a.1["error"]["code"] == "sold_out")
        .count();
    let server_errors = answers.iter().filter(|a| a.0 >= 500 || a.0 == 0).count();
    let retries: u32 = answers.iter().map(|a| a.3).sum();
    let links = links_created(stack).await - links_before;
    println!(
        "stock 10, 50 concurrent checkouts: tries 50 (+{retries} retries), 201: {}, 409 sold_out: {sold_out}, \
         5xx/reset: {server_errors}, Qonto links created: {links}",
        created.len()
    );
    let others: Vec<String> = answers
        .iter()
        .filter(|a| a.0 != 201 && !(a.0 == 409 && a.1["error"]["code"] == "sold_out"))
        .map(|a| format!("{} {}", a.0, a.1))
        .collect();
    assert!(others.is_empty(), "unexpected answers: {others:?}");
    assert_eq!(created.len(), 10, "exactly the stock is sold");
    assert_eq!(sold_out, 40);
    assert_eq!(links, 10, "no Qonto link for a sold-out basket");
    let refused = answers
        .iter()
        .find(|a| a.0 == 409)
        .map(|a| a.1.clone())
        .unwrap_or_default();
    assert_eq!(refused["error"]["field"], "items[0].sku", "{refused}");
    assert_eq!(left("coffee-250").await, Some(0));
    let row = stock_row("coffee-250").await.expect("tracked");
    assert_eq!((&row["stock"], &row["reserved"]), (&json!(10), &json!(10)));

    // The ten links go stale (created two days ago, beyond
    // CHECKOUT_TTL_HOURS): the cron deactivates them one per run, and each
    // expiry releases its unit.
    let ids: Vec<String> = created
        .iter()
        .map(|c| format!("'{}'", c["id"].as_str().unwrap_or("")))
        .collect();
    d1(
        stack,
        &format!(
            "UPDATE checkouts SET created_at = '2020-01-01T00:00:00.000Z' WHERE id IN ({})",
            ids.join(", ")
        ),
    )
    .await;
    let mut runs = 0;
    while left("coffee-250").await != Some(10) && runs < 20 {
        run_cron(stack, EVERY_5_MINUTES).await;
        runs += 1;
    }
    let expired = d1(
        stack,
        &format!(
            "SELECT count(*) AS n FROM checkouts WHERE status = 'expired' AND id IN ({})",
            ids.join(", ")
        ),
    )
    .await;
    println!(
        "after {runs} cron runs: available {:?}, expired {}",
        left("coffee-250").await,
        expired[0]["n"]
    );
    assert_eq!(expired[0]["n"], 10);
    assert_eq!(left("coffee-250").await, Some(10), "every unit released");
    let row = stock_row("coffee-250").await.expect("tracked");
    assert_eq!((&row["stock"], &row["reserved"]), (&json!(10), &json!(0)));
}

#[tokio::test]
async fn a_paid_checkout_consumes_its_units_once() {
    let stack = shared_stack();
    set_stock("tshirt-m", 10).await;
    let before = stock_row("tshirt-m").await.expect("tracked");
    let reserved_before = before["reserved"].as_i64().unwrap_or(-1);
    let (s, _, created) = post_checkout(
        stack,
        &basket(&[("tshirt-m", 1)]),
        &key("stock-paid"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let held = stock_row("tshirt-m").await.expect("tracked");
    assert_eq!(held["reserved"].as_i64(), Some(reserved_before + 1));
    assert_eq!(held["stock"], 10);

    pay_link(stack, &link_of(&created)).await;
    let id = created["id"].as_str().unwrap_or("");
    assert_eq!(wait_status(id, "paid").await, "paid");
    // Other paths finding the same payment later change nothing.
    run_cron(stack, EVERY_5_MINUTES).await;
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    assert_eq!(wait_status(id, "paid").await, "paid");
    let after = stock_row("tshirt-m").await.expect("tracked");
    println!(
        "paid checkout: stock {} -> {}, reserved {} -> {} -> {}",
        held["stock"], after["stock"], reserved_before, held["reserved"], after["reserved"]
    );
    assert_eq!(after["stock"], 9, "one unit sold");
    assert_eq!(after["reserved"].as_i64(), Some(reserved_before));

    // Without Qonto's webhook, the shopper's status poll finds the payment
    // (the same consumption, on another path).
    let settings = |p: Value| async move {
        let r = client()
            .patch(format!("{}/_control/settings", stack.fake))
            .json(&p)
            .send()
            .await
            .expect("settings");
        assert!(r.status().is_success(), "settings {p}: {}", r.status());
    };
    settings(json!({"webhooks": false})).await;
    let (s, _, polled) = post_checkout(
        stack,
        &basket(&[("tshirt-m", 2)]),
        &key("stock-paid-poll"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{polled}");
    pay_link(stack, &link_of(&polled)).await;
    let status = wait_status(polled["id"].as_str().unwrap_or(""), "paid").await;
    settings(json!({"webhooks": true})).await;
    assert_eq!(status, "paid");
    let polled_after = stock_row("tshirt-m").await.expect("tracked");
    println!(
        "paid by the status poll: stock {} -> {}, reserved {}",
        after["stock"], polled_after["stock"], polled_after["reserved"]
    );
    assert_eq!(polled_after["stock"], 7, "two more sold");
    assert_eq!(polled_after["reserved"].as_i64(), Some(reserved_before));
}

#[tokio::test]
async fn a_basket_whose_second_line_is_short_reserves_nothing() {
    let stack = shared_stack();
    set_stock("mug", 5).await;
    set_stock("workshop", 1).await;
    let mug = left("mug").await;
    let links_before = links_created(stack).await;
    let k = key("stock-two-lines");
    let body = basket(&[("mug", 2), ("workshop", 2)]);
    let (s, h, refused) = post_checkout(stack, &body, &k, &client_ip()).await;
    println!(
        "two-line basket, 2nd short: {s} {refused} (D1 round trips {:?})",
        h.get("x-d1-round-trips")
    );
    assert_eq!(s, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "sold_out");
    assert_eq!(refused["error"]["field"], "items[1].sku");
    let message = refused["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("Only 1 "), "{message}");
    assert_eq!(left("mug").await, mug, "the first line keeps nothing");
    assert_eq!(left("workshop").await, Some(1));
    assert_eq!(links_created(stack).await, links_before, "no link");

    // Restocked, the same request (same key) goes through: the refusal
    // kept no claim.
    set_stock("workshop", 2).await;
    let (s, _, created) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(left("workshop").await, Some(0));
    assert_eq!(left("mug").await, mug.map(|m| m - 2));
}

#[tokio::test]
async fn an_idempotent_replay_reserves_nothing_again() {
    let stack = shared_stack();
    // Untracked first: another test's open checkout may hold some.
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/mug", None).await;
    set_stock("mug", 3).await;
    let start = left("mug").await.unwrap_or(0);
    assert_eq!(start, 3);
    let k = key("stock-replay");
    let body = basket(&[("mug", 2)]);
    let (s, _, first) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{first}");
    // Sequential and concurrent replays of the same key.
    let (s, _, again) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{again}");
    assert_eq!(again["id"], first["id"]);
    let replays = join_all((0..5).map(|_| shopper_checkout(&body, &k, "203.0.113.9"))).await;
    for r in &replays {
        assert_eq!(r.0, 201, "{}", r.1);
        assert_eq!(r.1["id"], first["id"]);
    }
    let now = left("mug").await;
    println!("replays: 1 + 5 concurrent, mug left {start} -> {now:?}");
    assert_eq!(now, Some(start - 2), "reserved once");

    // A resumed checkout: its first attempt "died" before recording its
    // link (the row back to `creating`, a minute old); the retry with the
    // same key takes the row over and reserves nothing again.
    let id = first["id"].as_str().unwrap_or("");
    d1(
        stack,
        &format!(
            "UPDATE checkouts SET status = 'creating', link_id = NULL, url = NULL,              created_at = '2020-01-01T00:00:00.000Z' WHERE id = '{id}'"
        ),
    )
    .await;
    let (s, _, resumed) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{resumed}");
    assert_eq!(resumed["id"], first["id"], "the same checkout, resumed");
    let after = left("mug").await;
    println!("resumed checkout: mug left {now:?} -> {after:?}");
    assert_eq!(
        after,
        Some(start - 2),
        "a resumed checkout reserves nothing again"
    );
}

#[tokio::test]
async fn the_admin_sets_adjusts_and_untracks_stock_behind_its_auth() {
    let stack = shared_stack();
    let edge = &stack.edge;
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;

    // Without a session or token: refused, nothing changed.
    let anonymous = [
        client().get(format!("{edge}/admin/stock")),
        client()
            .put(format!("{edge}/admin/stock/ebook"))
            .json(&json!({"stock": 5})),
        client()
            .post(format!("{edge}/admin/stock/ebook/adjust"))
            .json(&json!({"delta": 1})),
        client().delete(format!("{edge}/admin/stock/ebook")),
    ];
    for req in anonymous {
        let (s, _, v) = parts(req.send().await.expect("request")).await;
        assert_eq!(s, 401, "{v}");
    }
    // A change sent by a page of another origin, even with the token.
    let (s, _, v) = parts(
        client()
            .put(format!("{edge}/admin/stock/ebook"))
            .bearer_auth(LOCAL_ADMIN_TOKEN)
            .header("origin", "https://evil.example")
            .json(&json!({"stock": 5}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (403, json!("cross_site_request"))
    );
    assert_eq!(stock_row("ebook").await, None);

    // A SKU the catalog does not sell, bad figures.
    let put = |sku: &str, body: Value| {
        let path = format!("/admin/stock/{sku}");
        async move { admin(reqwest::Method::PUT, &path, Some(body)).await }
    };
    let (s, v) = put("no-such-sku", json!({"stock": 5})).await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (404, json!("not_found")),
        "{v}"
    );
    for bad in [
        json!({"stock": -1}),
        json!({"stock": 1.5}),
        json!({"stock": "3"}),
    ] {
        let (s, v) = put("ebook", bad.clone()).await;
        assert_eq!(
            (s, v["error"]["code"].clone()),
            (422, json!("invalid_stock")),
            "{bad}: {v}"
        );
    }
    let (s, v) = put("ebook", json!({"stock": 5, "extra": 1})).await;
    assert_eq!(s, 400, "{v}");

    // Set, adjust both ways, refuse going below 0.
    let (s, v) = put("ebook", json!({"stock": 4})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v,
        json!({"sku": "ebook", "stock": 4, "reserved": 0, "available": 4})
    );
    let adjust = |delta: i64| async move {
        admin(
            reqwest::Method::POST,
            "/admin/stock/ebook/adjust",
            Some(json!({ "delta": delta })),
        )
        .await
    };
    let (s, v) = adjust(3).await;
    assert_eq!((s, v["stock"].clone()), (200, json!(7)), "{v}");
    let (s, v) = adjust(-2).await;
    assert_eq!((s, v["available"].clone()), (200, json!(5)), "{v}");
    let (s, v) = adjust(-6).await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (422, json!("invalid_stock")),
        "{v}"
    );
    assert_eq!(left("ebook").await, Some(5));
    let listed = stock_row("ebook").await.expect("listed");
    assert_eq!(
        listed["title"].as_str().map(|t| !t.is_empty()),
        Some(true),
        "{listed}"
    );

    // Stop tracking: unlimited again, and absent from availability.
    let (s, v) = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
    assert_eq!(s, 404, "{v}");
    let (s, v) = adjust(1).await;
    assert_eq!(s, 404, "adjusting an untracked SKU: {v}");
    assert_eq!(left("ebook").await, None);
}

#[tokio::test]
async fn availability_is_public_cacheable_and_answers_cors_like_the_catalog() {
    let stack = shared_stack();
    set_stock("workshop", 3).await;
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
    let (s, h, v) = availability(Some(&stack.shop)).await;
    assert_eq!(s, 200, "{v}");
    let header = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(
        header("cache-control").as_deref(),
        Some("public, max-age=5")
    );
    assert_eq!(
        header("access-control-allow-origin").as_deref(),
        Some(stack.shop.as_str())
    );
    // Exactly the tracked SKUs, each with what the admin says is left.
    let (_, listed) = admin(reqwest::Method::GET, "/admin/stock", None).await;
    let expected: serde_json::Map<String, Value> = listed["stock"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r["sku"].as_str().unwrap_or("").to_owned(),
                r["available"].clone(),
            )
        })
        .collect();
    assert_eq!(v["stock"], Value::Object(expected));
    assert!(v["stock"]["workshop"].as_i64().is_some(), "{v}");
    assert!(
        v["stock"].get("ebook").is_none(),
        "untracked is absent: {v}"
    );
    let (_, h, _) = availability(Some("https://evil.example")).await;
    assert!(h.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_checkout_costs_the_same_d1_round_trips_with_tracked_stock() {
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
    set_stock("tshirt-m", 100).await;
    set_stock("workshop", 0).await;
    // Warm the isolate (token, payment methods cached).
    let (s, b, _, _) =
        shopper_checkout(&basket(&[("ebook", 1)]), &key("rt-warm"), "203.0.113.20").await;
    assert_eq!(s, 201, "{b}");
    let untracked_key = key("rt-untracked");
    let (s, b, untracked, _) =
        shopper_checkout(&basket(&[("ebook", 1)]), &untracked_key, "203.0.113.21").await;
    assert_eq!(s, 201, "{b}");
    let (s, b, tracked, _) = shopper_checkout(
        &basket(&[("tshirt-m", 1), ("ebook", 1)]),
        &key("rt-tracked"),
        "203.0.113.22",
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, b, sold_out, _) = shopper_checkout(
        &basket(&[("workshop", 1)]),
        &key("rt-sold-out"),
        "203.0.113.23",
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].clone()),
        (409, json!("sold_out")),
        "{b}"
    );
    let (s, b, replay, _) =
        shopper_checkout(&basket(&[("ebook", 1)]), &untracked_key, "203.0.113.21").await;
    assert_eq!(s, 201, "{b}");
    println!(
        "D1 round trips: untracked basket {untracked:?}, tracked basket {tracked:?}, \
         sold out {sold_out:?}, replay {replay:?}"
    );
    assert_eq!(untracked, Some(2), "as before stock existed");
    assert_eq!(
        tracked,
        Some(2),
        "the reservation rides in the claim's batch"
    );
    assert_eq!(sold_out, Some(2), "the claim, then giving it up");
    assert_eq!(replay, Some(1));
}

#[tokio::test]
async fn the_demo_seeding_tracks_a_sku_once_and_leaves_the_merchants_figure() {
    let stack = shared_stack();
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
    let first = qc_stack::demo_stock::seed_stock(&stack.edge, ("ebook", 3))
        .await
        .expect("seeded");
    assert_eq!(left("ebook").await, Some(3), "{first}");
    set_stock("ebook", 7).await;
    let again = qc_stack::demo_stock::seed_stock(&stack.edge, ("ebook", 3))
        .await
        .expect("seeded");
    println!("demo seeding: {first}; then {again}");
    assert_eq!(left("ebook").await, Some(7), "the merchant's figure stays");
    // A SKU the catalog does not sell is not tracked, and says so.
    let none = qc_stack::demo_stock::seed_stock(&stack.edge, ("no-such-sku", 3))
        .await
        .expect("answered");
    assert!(none.contains("not in the catalog"), "{none}");
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/ebook", None).await;
}

#[tokio::test]
async fn a_canceled_or_failed_checkout_gives_its_units_back() {
    let stack = shared_stack();
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/workshop", None).await;
    set_stock("workshop", 3).await;

    // Canceled: the merchant deactivates the open link on the admin page.
    let (s, _, open) = post_checkout(
        stack,
        &basket(&[("workshop", 2)]),
        &key("stock-cancel"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{open}");
    assert_eq!(left("workshop").await, Some(1));
    let id = open["id"].as_str().unwrap_or("");
    let (s, v) = admin(
        reqwest::Method::POST,
        &format!("/admin/checkouts/{id}/deactivate"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let canceled = left("workshop").await;

    // Failed: Qonto computes another amount, the edge refuses the link.
    let patch = |p: Value| async move {
        let r = client()
            .patch(format!("{}/_control/settings", stack.fake))
            .json(&p)
            .send()
            .await
            .expect("settings");
        assert!(r.status().is_success(), "settings {p}: {}", r.status());
    };
    patch(json!({"vat_reading": "other_scale"})).await;
    let (s, _, refused) = post_checkout(
        stack,
        &basket(&[("workshop", 1)]),
        &key("stock-failed"),
        &client_ip(),
    )
    .await;
    patch(json!({"vat_reading": "as_validated"})).await;
    let failed = left("workshop").await;
    println!(
        "workshop left: 3 -> 1 (open) -> {canceled:?} (canceled); mismatch {s} {} -> {failed:?}",
        refused["error"]["code"]
    );
    assert_eq!(canceled, Some(3), "a canceled checkout releases");
    assert_eq!(
        (s, refused["error"]["code"].clone()),
        (502, json!("amount_mismatch"))
    );
    assert_eq!(failed, Some(3), "a failed checkout releases");
    let row = stock_row("workshop").await.expect("tracked");
    assert_eq!((&row["stock"], &row["reserved"]), (&json!(3), &json!(0)));
}

#[tokio::test]
async fn variants_are_tracked_by_their_own_sku_and_the_demo_candle_by_its_seeding() {
    let stack = shared_stack();
    // A product with variants is sold by its variants: its own SKU is not
    // a stock line.
    let (s, v) = admin(
        reqwest::Method::PUT,
        "/admin/stock/hoodie",
        Some(json!({"stock": 5})),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (404, json!("not_found")),
        "{v}"
    );
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/hoodie-m-navy", None).await;
    set_stock("hoodie-m-navy", 1).await;
    let (s, _, created) = post_checkout(
        stack,
        &basket(&[("hoodie-m-navy", 1)]),
        &key("stock-variant"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let (s, _, refused) = post_checkout(
        stack,
        &basket(&[("hoodie-s-navy", 1), ("hoodie-m-navy", 1)]),
        &key("stock-variant-2"),
        &client_ip(),
    )
    .await;
    assert_eq!(
        (s, refused["error"]["field"].clone()),
        (409, json!("items[1].sku")),
        "{refused}"
    );
    let message = refused["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("Fleece hoodie — M, Navy"),
        "named by the variant's title: {message}"
    );
    assert_eq!(left("hoodie-m-navy").await, Some(0));

    // The demo's candle (a VAT-inclusive price), seeded as `qc-stack demo`
    // does, then bought.
    let _ = admin(reqwest::Method::DELETE, "/admin/stock/candle", None).await;
    let seeded = qc_stack::demo_stock::seed_stock(&stack.edge, qc_stack::demo_stock::DEMO_STOCK)
        .await
        .expect("seeded");
    assert_eq!(left("candle").await, Some(3), "{seeded}");
    let (s, _, candles) = post_checkout(
        stack,
        &basket(&[("candle", 2)]),
        &key("stock-candle"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{candles}");
    let (s, _, refused) = post_checkout(
        stack,
        &basket(&[("candle", 2)]),
        &key("stock-candle-2"),
        &client_ip(),
    )
    .await;
    println!(
        "variant refusal: {message}; candle: {seeded}, then 2 bought, 2 more: {s} {}",
        refused["error"]["message"]
    );
    assert_eq!(
        (s, refused["error"]["code"].clone()),
        (409, json!("sold_out")),
        "{refused}"
    );
    assert_eq!(left("candle").await, Some(1));
}
