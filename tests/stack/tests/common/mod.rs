//! Helpers shared by the integration tests: an HTTP client, checkout calls,
//! and the fake Qonto's control API (request log, faults).

#![allow(dead_code, unused_imports, unreachable_pub)]

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

pub use qc_stack::{shared_stack, StackUrls, LOCAL_ADMIN_TOKEN};

/// A client that does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A fresh client address, so each test has its own rate-limit bucket
/// (documentation range 192.0.2.0/24: only ever a header value).
pub fn client_ip() -> String {
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("192.0.2.{}", n % 250 + 1)
}

/// A fresh idempotency key.
pub fn key(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", N.fetch_add(1, Ordering::Relaxed))
}

/// A response's status and JSON body (Null when not JSON).
pub async fn parts(resp: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// `POST /v1/checkouts` with a JSON body, an idempotency key and a client ip.
pub async fn post_checkout(
    stack: &StackUrls,
    body: &Value,
    key: &str,
    ip: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = client()
        .post(format!("{}/v1/checkouts", stack.edge))
        .header("idempotency-key", key)
        .header("cf-connecting-ip", ip)
        .json(body)
        .send()
        .await
        .expect("POST /v1/checkouts");
    parts(resp).await
}

/// GET with the admin token.
pub async fn admin_get(stack: &StackUrls, path: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{path}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("admin GET");
    let (s, _, v) = parts(resp).await;
    (s, v)
}

/// `GET {edge}/admin/status` with the admin token: status and body (the
/// edge's problems and warnings are there, not on the public `/health`).
pub async fn get_admin_status(edge: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{edge}/admin/status"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("GET /admin/status");
    let (s, _, v) = parts(resp).await;
    (s, v)
}

/// The fake's request log, filtered (e.g. `route=create_payment_link`).
pub async fn fake_requests(stack: &StackUrls, query: &str) -> Vec<Value> {
    let v: Value = client()
        .get(format!("{}/_control/requests?{query}", stack.fake))
        .send()
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    match v {
        Value::Array(a) => a,
        other => other["requests"].as_array().cloned().unwrap_or_default(),
    }
}

/// Injects a fault into the fake for the next `times` calls of `route`.
pub async fn fault(stack: &StackUrls, fault: Value) {
    let resp = client()
        .post(format!("{}/_control/faults", stack.fake))
        .json(&fault)
        .send()
        .await
        .expect("fault");
    assert!(
        resp.status().is_success(),
        "fault {fault} refused: {}",
        resp.status()
    );
}

/// Clears pending faults.
pub async fn clear_faults(stack: &StackUrls) {
    let _ = client()
        .delete(format!("{}/_control/faults", stack.fake))
        .send()
        .await;
}

/// The customer the tests buy as (shipping to France).
pub fn customer() -> Value {
    json!({
        "email": "ana.lopes@example.com",
        "name": "Ana Lopes",
        "address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"}
    })
}

/// A basket body with the test customer.
pub fn basket(items: &[(&str, i64)]) -> Value {
    json!({
        "items": items.iter().map(|(sku, q)| json!({"sku": sku, "quantity": q})).collect::<Vec<_>>(),
        "customer": customer(),
    })
}

/// What the merchant's server received about checkout `id` (its
/// `checkout.id`): `{signature, body, status}` per notification, oldest first.
pub async fn merchant_received(stack: &StackUrls, id: &str) -> Vec<Value> {
    let all: Vec<Value> = client()
        .get(&stack.merchant_received)
        .send()
        .await
        .expect("GET the merchant's received notifications")
        .json()
        .await
        .expect("JSON");
    all.into_iter()
        .filter(|n| {
            n["body"]
                .as_str()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
                .is_some_and(|b| b["checkout"]["id"] == id)
        })
        .collect()
}

/// `GET /v1/checkouts/{id}` (the widget's status call): status and body.
pub async fn get_checkout(stack: &StackUrls, id: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}/v1/checkouts/{id}", stack.edge))
        .send()
        .await
        .expect("GET /v1/checkouts/{id}");
    let (s, _, v) = parts(resp).await;
    (s, v)
}

/// Pays Qonto link `link` as the shopper would on the fake's payment page.
pub async fn pay_link(stack: &StackUrls, link: &str) {
    let r = client()
        .post(format!("{}/_control/payment_links/{link}/pay", stack.fake))
        .send()
        .await
        .expect("pay");
    assert!(r.status().is_success(), "pay {link}: {}", r.status());
}

/// `GET {edge}/health`: status and body.
pub async fn get_health(edge: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{edge}/health"))
        .send()
        .await
        .expect("GET /health");
    let (s, _, v) = parts(resp).await;
    (s, v)
}

/// Runs `sql` on the edge's local D1 database (`wrangler d1 execute`, beside
/// the running Worker, as a maintainer would) and returns its rows.
pub async fn d1(stack: &StackUrls, sql: &str) -> Vec<Value> {
    let root = qc_stack::repo_root();
    let state = stack.edge_log.parent().expect("the edge's state folder");
    // The running Worker holds the same SQLite file: a statement that meets
    // its write lock fails ("database is locked") and is tried again; a
    // wrong statement fails five times and then fails the test.
    let mut attempt = 0;
    let out = loop {
        let out = tokio::process::Command::new(root.join("node_modules/.bin/wrangler"))
            .args([
                "d1",
                "execute",
                "qonto-checkout",
                "--local",
                "--json",
                "--persist-to",
            ])
            .arg(state)
            .args(["--command", sql])
            .current_dir(&root)
            .output()
            .await
            .expect("wrangler d1 execute");
        attempt += 1;
        if out.status.success() || attempt == 5 {
            break out;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    assert!(
        out.status.success(),
        "{sql}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v[0]["results"].as_array().cloned().unwrap_or_default()
}

/// The crons of wrangler.toml's `[triggers]`.
pub const EVERY_5_MINUTES: &str = "*/5 * * * *";
/// The daily one (the retention purge).
pub const DAILY: &str = "17 3 * * *";

/// Runs the edge's cron handler once for `cron` (`wrangler dev
/// --test-scheduled` serves `/__scheduled`).
pub async fn run_cron(stack: &StackUrls, cron: &str) {
    let r = client()
        .get(format!("{}/__scheduled", stack.edge))
        .query(&[("cron", cron)])
        .send()
        .await
        .expect("GET /__scheduled");
    assert!(r.status().is_success(), "cron {cron}: {}", r.status());
}
