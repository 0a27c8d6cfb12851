//! The admin and the customer's data under attack, through `wrangler dev`
//! against the fake Qonto: the session cookie (`__Host-`, server-side,
//! revoked at sign-out, expired), throttled wrong tokens, `Origin` on admin
//! changes, a short `ADMIN_TOKEN`, what the public `/health` may say,
//! control and bidi characters in customer text, "forget a customer"
//! reaching the invoice debtor and the request hash, and an `http://`
//! merchant webhook. Each test prints its figures.

mod common;

use common::*;
use qc_stack::{Stack, StackConfig, StackError, StackUrls};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

/// The insecure merchant webhook this file's stack is configured with.
const HTTP_WEBHOOK: &str = "http://hooks.shop.example/paid";

/// One stack for this file's tests: the usual one, but with a merchant
/// webhook over plain http to a host that is not this machine.
fn stack() -> &'static StackUrls {
    static STACK: std::sync::OnceLock<StackUrls> = std::sync::OnceLock::new();
    STACK.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Result<StackUrls, StackError>>();
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let config = StackConfig {
                    extra_vars: vec![("MERCHANT_WEBHOOK_URL".into(), HTTP_WEBHOOK.into())],
                    ..StackConfig::default()
                };
                match Stack::start(config).await {
                    Ok(stack) => {
                        let _ = tx.send(Ok(stack.urls()));
                        std::future::pending::<()>().await;
                        drop(stack);
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        });
        match rx.recv() {
            Ok(Ok(urls)) => urls,
            Ok(Err(e)) => panic!("the stack did not start: {e}"),
            Err(_) => panic!("the stack's thread died while starting"),
        }
    })
}

/// Every `Set-Cookie` of a response.
fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// Signs in from `ip`; the status, the `Set-Cookie` of the session and the body.
async fn sign_in(edge: &str, token: &str, ip: &str) -> (u16, Option<String>, Value) {
    let resp = client()
        .post(format!("{edge}/admin/session"))
        .header("cf-connecting-ip", ip)
        .header("origin", edge)
        .json(&json!({ "token": token }))
        .send()
        .await
        .expect("POST /admin/session");
    let (status, headers, body) = parts(resp).await;
    let cookie = set_cookies(&headers)
        .into_iter()
        .find(|c| c.starts_with("__Host-qc_admin="));
    (status, cookie, body)
}

/// The `name=value` pair of a `Set-Cookie`.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or("").to_owned()
}

/// A GET of `path` with a cookie: the status.
async fn get_with_cookie(edge: &str, path: &str, cookie: &str) -> u16 {
    client()
        .get(format!("{edge}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_session_cookie_is_a_server_side_id_that_sign_out_and_expiry_end() {
    let s = stack();
    let edge = &s.edge;
    let (status, set_cookie, body) = sign_in(edge, LOCAL_ADMIN_TOKEN, &client_ip()).await;
    assert_eq!(status, 200, "{body}");
    let set_cookie = set_cookie.expect("a __Host-qc_admin cookie");
    let attributes: Vec<String> = set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["path=/", "secure", "httponly", "samesite=strict"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} missing: {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "{set_cookie}"
    );
    let cookie = pair(&set_cookie);
    assert!(!cookie.contains(LOCAL_ADMIN_TOKEN), "{cookie}");
    assert_eq!(get_with_cookie(edge, "/admin/status", &cookie).await, 200);

    // The session is in D1 (by a hash of its id, not the id).
    let id = cookie
        .trim_start_matches("__Host-qc_admin=")
        .split('.')
        .next()
        .unwrap_or("")
        .to_owned();
    assert_eq!(id.len(), 64, "{cookie}");
    let rows = d1(
        s,
        "SELECT id_hash, expires_at, revoked_at FROM admin_sessions",
    )
    .await;
    assert!(!rows.is_empty(), "sessions kept server-side");
    assert!(
        rows.iter().all(|r| r["id_hash"] != id.as_str()),
        "the id itself is not stored: {rows:?}"
    );

    // Signing out revokes it: the same cookie, kept by someone, opens nothing.
    let out = client()
        .delete(format!("{edge}/admin/session"))
        .header("cookie", &cookie)
        .header("origin", edge.as_str())
        .send()
        .await
        .expect("DELETE /admin/session");
    let (status, headers, body) = parts(out).await;
    assert_eq!(
        (status, body["revoked"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    assert!(
        set_cookies(&headers)
            .iter()
            .any(|c| c.starts_with("__Host-qc_admin=;") && c.contains("Max-Age=0")),
        "{headers:?}"
    );
    let replayed = get_with_cookie(edge, "/admin/status", &cookie).await;
    assert_eq!(replayed, 401, "a revoked session is refused");

    // An expired session is refused too.
    let (_, set_cookie, _) = sign_in(edge, LOCAL_ADMIN_TOKEN, &client_ip()).await;
    let cookie = pair(&set_cookie.expect("a second session"));
    assert_eq!(
        get_with_cookie(edge, "/admin/checkouts", &cookie).await,
        200
    );
    d1(
        s,
        "UPDATE admin_sessions SET expires_at = '2001-01-01T00:00:00.000Z' WHERE revoked_at IS NULL",
    )
    .await;
    let expired = get_with_cookie(edge, "/admin/checkouts", &cookie).await;
    assert_eq!(expired, 401, "an expired session is refused");

    // A made-up id, and the old stateless cookie name, open nothing.
    let forged = format!("__Host-qc_admin={}.{}", "ab".repeat(32), "cd".repeat(32));
    let forged_status = get_with_cookie(edge, "/admin/status", &forged).await;
    assert_eq!(forged_status, 401);
    println!(
        "session figures: live 200, after sign-out {replayed}, expired {expired}, forged {forged_status}"
    );
}

#[tokio::test]
async fn wrong_tokens_are_throttled_per_client_even_the_right_one_after() {
    let s = stack();
    let edge = &s.edge;
    let attacker = "198.51.100.77";
    let mut statuses = Vec::new();
    for i in 0..10 {
        let r = client()
            .get(format!("{edge}/admin/checkouts"))
            .header("cf-connecting-ip", attacker)
            .bearer_auth(format!("guess-{i:02}-0123456789abcdef0123456789"))
            .send()
            .await
            .expect("guess");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401; 10], "the first ten wrong tokens");
    // The eleventh try is refused before the token is looked at: the right
    // one too, as a bearer and at sign-in.
    let r = client()
        .get(format!("{edge}/admin/checkouts"))
        .header("cf-connecting-ip", attacker)
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("right token");
    let (status, headers, body) = parts(r).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{body}"
    );
    let retry: u32 = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=900).contains(&retry), "retry after {retry}");
    let (status, cookie, body) = sign_in(edge, LOCAL_ADMIN_TOKEN, attacker).await;
    assert_eq!((status, cookie), (429, None), "{body}");
    // An IPv6 attacker is one client per /64: another address of the block
    // does not get a fresh count.
    for i in 0..10 {
        let _ = client()
            .get(format!("{edge}/admin/status"))
            .header("cf-connecting-ip", format!("2001:db8:77:1::{:x}", i + 1))
            .bearer_auth("wrong-token-0123456789abcdef0123456789")
            .send()
            .await
            .expect("v6 guess");
    }
    let v6 = client()
        .get(format!("{edge}/admin/status"))
        .header("cf-connecting-ip", "2001:db8:77:1:ffff::99")
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("v6 right token")
        .status()
        .as_u16();
    assert_eq!(v6, 429, "the /64 is throttled as one client");
    // Another client is not affected.
    let other = client()
        .get(format!("{edge}/admin/checkouts"))
        .header("cf-connecting-ip", "198.51.100.78")
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("other client")
        .status()
        .as_u16();
    assert_eq!(other, 200);
    println!(
        "throttle figures: 10 wrong tokens refused 401, then right token 429 (Retry-After {retry} s), \
         sign-in 429, IPv6 /64 429, another client 200"
    );
}

#[tokio::test]
async fn admin_changes_from_another_origin_are_refused() {
    let s = stack();
    let edge = s.edge.as_str();
    let (_, set_cookie, _) = sign_in(edge, LOCAL_ADMIN_TOKEN, &client_ip()).await;
    let cookie = pair(&set_cookie.expect("a session"));
    let port = edge.rsplit(':').next().unwrap_or("8787");
    let other_port = format!(
        "http://127.0.0.1:{}",
        port.parse::<u32>().unwrap_or(8787) + 1
    );
    let forget = |origin: Option<&str>, site: Option<&str>, bearer: bool| {
        let mut req = client()
            .post(format!("{edge}/admin/customers/forget"))
            .json(&json!({"email": "nobody-at-all@example.com"}));
        req = if bearer {
            req.bearer_auth(LOCAL_ADMIN_TOKEN)
        } else {
            req.header("cookie", &cookie)
        };
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(site) = site {
            req = req.header("sec-fetch-site", site);
        }
        async move {
            let (status, _, body) = parts(req.send().await.expect("forget")).await;
            (status, body["error"]["code"].as_str().map(str::to_owned))
        }
    };
    let refused = Some("cross_site_request".to_owned());
    let cases: Vec<(&str, (u16, Option<String>))> = vec![
        (
            "own origin",
            forget(Some(edge), Some("same-origin"), false).await,
        ),
        (
            "another port",
            forget(Some(&other_port), Some("same-site"), false).await,
        ),
        (
            "a sibling subdomain",
            forget(
                Some("http://blog.127.0.0.1.nip.io"),
                Some("same-site"),
                false,
            )
            .await,
        ),
        (
            "Origin null",
            forget(Some("null"), Some("cross-site"), false).await,
        ),
        (
            "a foreign Origin with the token",
            forget(Some("https://evil.example"), None, true).await,
        ),
        ("a script: token, no Origin", forget(None, None, true).await),
        (
            "cookie, no Origin, marked same-site",
            forget(None, Some("same-site"), false).await,
        ),
        (
            "cookie, no Origin, marked cross-site",
            forget(None, Some("cross-site"), false).await,
        ),
        (
            "cookie, no Origin, no browser",
            forget(None, None, false).await,
        ),
    ];
    let expected: Vec<(&str, (u16, Option<String>))> = vec![
        ("own origin", (200, None)),
        ("another port", (403, refused.clone())),
        ("a sibling subdomain", (403, refused.clone())),
        ("Origin null", (403, refused.clone())),
        ("a foreign Origin with the token", (403, refused.clone())),
        ("a script: token, no Origin", (200, None)),
        (
            "cookie, no Origin, marked same-site",
            (403, refused.clone()),
        ),
        (
            "cookie, no Origin, marked cross-site",
            (403, refused.clone()),
        ),
        ("cookie, no Origin, no browser", (200, None)),
    ];
    assert_eq!(cases, expected);
    // Signing out from another origin is refused too: the session stays.
    let out = client()
        .delete(format!("{edge}/admin/session"))
        .header("cookie", &cookie)
        .header("origin", other_port.as_str())
        .send()
        .await
        .expect("cross-site sign-out")
        .status()
        .as_u16();
    assert_eq!(out, 403);
    assert_eq!(get_with_cookie(edge, "/admin/status", &cookie).await, 200);
    // So is signing in (login CSRF).
    let login = client()
        .post(format!("{edge}/admin/session"))
        .header("origin", "https://evil.example")
        .json(&json!({"token": LOCAL_ADMIN_TOKEN}))
        .send()
        .await
        .expect("cross-site sign-in")
        .status()
        .as_u16();
    assert_eq!(login, 403);
    let refused_count = cases.iter().filter(|(_, (s, _))| *s == 403).count();
    println!(
        "origin figures: {} admin changes tried, {refused_count} refused 403, sign-out and sign-in from elsewhere 403",
        cases.len()
    );
}

#[tokio::test]
async fn public_health_says_ok_and_the_qonto_state_only() {
    let s = stack();
    let (status, health) = get_health(&s.edge).await;
    // The http webhook is a configuration problem: not ok, but not said why.
    assert_eq!(status, 503, "{health}");
    let keys: Vec<&str> = health
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["ok", "payments", "qonto"], "{health}");
    assert_eq!(
        health,
        json!({"ok": false, "qonto": "connected", "payments": "active"})
    );
    // The admin gets every problem, the version and the environment.
    let (status, admin) = admin_get(s, "/admin/status").await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(admin["ok"], false);
    assert_eq!(admin["environment"], "sandbox");
    assert_eq!(admin["version"], env!("CARGO_PKG_VERSION"));
    let problems = admin["problems"].to_string();
    assert!(
        problems.contains(
            "MERCHANT_WEBHOOK_URL is \\\"http://hooks.shop.example/paid\\\": plain http is accepted only to this machine"
        ),
        "{problems}"
    );
    println!(
        "health figures: /health {} keys, /admin/status {} problems",
        keys.len(),
        admin["problems"].as_array().map_or(0, Vec::len)
    );
}

#[tokio::test]
async fn an_http_merchant_webhook_is_refused_outside_local_development() {
    let s = stack();
    let (status, _, created) =
        post_checkout(s, &basket(&[("mug", 1)]), &key("http-hook"), &client_ip()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id");
    let r = client()
        .post(format!("{}/admin/checkouts/{id}/notify", s.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("notify");
    let (status, _, body) = parts(r).await;
    assert_eq!(
        (
            status,
            body["error"]["code"].as_str(),
            body["error"]["field"].as_str()
        ),
        (
            422,
            Some("insecure_webhook_url"),
            Some("MERCHANT_WEBHOOK_URL")
        ),
        "{body}"
    );
    println!("http webhook figures: notify answered {status}");
}

#[tokio::test]
async fn control_and_bidi_characters_are_refused_in_customer_text() {
    let s = stack();
    let links_before = fake_requests(s, "route=create_payment_link").await.len();
    let mut tried = 0;
    for (field, bad) in [
        ("customer.name", json!({"name": "Ana\u{202E}Lopes"})),
        (
            "customer.name",
            json!({"name": "\u{2066}Ana Lopes\u{2069}"}),
        ),
        (
            "customer.email",
            json!({"email": "ana\u{202D}@example.com"}),
        ),
        (
            "customer.address.line1",
            json!({"address": {"line1": "1 rue\u{0000} de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"}}),
        ),
        (
            "customer.address.city",
            json!({"address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Pa\nris", "country": "FR"}}),
        ),
        (
            "customer.address.postal_code",
            json!({"address": {"line1": "1 rue de la Paix", "postal_code": "75\u{0085}002", "city": "Paris", "country": "FR"}}),
        ),
    ] {
        let mut body = basket(&[("mug", 1)]);
        for (k, v) in bad.as_object().expect("fields") {
            body["customer"][k] = v.clone();
        }
        let (status, _, e) = post_checkout(s, &body, &key("bidi"), &client_ip()).await;
        tried += 1;
        assert_eq!(
            (
                status,
                e["error"]["code"].as_str(),
                e["error"]["field"].as_str()
            ),
            (422, Some("invalid_characters"), Some(field)),
            "{body}: {e}"
        );
    }
    let links_after = fake_requests(s, "route=create_payment_link").await.len();
    assert_eq!(links_after, links_before, "no link made for any of them");
    println!("customer text figures: {tried} tried, {tried} refused 422, 0 Qonto links created");
}

#[tokio::test]
async fn forgetting_a_customer_removes_the_invoice_debtor_and_the_request_hash() {
    let s = stack();
    let email = "forget.me@example.com";
    // A basket checkout of the customer.
    let mut body = basket(&[("mug", 1)]);
    body["customer"]["email"] = json!(email);
    body["customer"]["name"] = json!("Ana Forgetme");
    let idem = key("forget");
    let ip = client_ip();
    let (status, _, basket_checkout) = post_checkout(s, &body, &idem, &ip).await;
    assert_eq!(status, 201, "{basket_checkout}");
    let basket_id = basket_checkout["id"].as_str().expect("id").to_owned();
    // An invoice to the same person, paid by link.
    let invoice_id = "0199e1de-4e01-72b7-86a0-00000000f0e7";
    let seeded = client()
        .post(format!("{}/_control/client_invoices", s.fake))
        .json(&json!({
            "id": invoice_id,
            "number": "INV-2026-0777",
            "status": "unpaid",
            "currency": "EUR",
            "total_amount": {"value": "120.00", "currency": "EUR"},
            "total_amount_cents": 12000,
            "vat_amount": {"value": "20.00", "currency": "EUR"},
            "vat_amount_cents": 2000,
            "contact_email": email,
            "client": {"name": "Ana Forgetme", "type": "individual", "email": "Forget.Me@example.com"}
        }))
        .send()
        .await
        .expect("seed invoice");
    assert!(seeded.status().is_success(), "{}", seeded.status());
    let r = client()
        .post(format!("{}/v1/invoice-checkouts", s.edge))
        .header("cf-connecting-ip", client_ip())
        .json(&json!({"invoice_id": invoice_id}))
        .send()
        .await
        .expect("invoice checkout");
    let (status, _, invoice_checkout) = parts(r).await;
    assert_eq!(status, 201, "{invoice_checkout}");
    let invoice_checkout_id = invoice_checkout["id"].as_str().expect("id").to_owned();

    let rows = |when: &'static str| {
        let (a, b) = (basket_id.clone(), invoice_checkout_id.clone());
        async move {
            let rows = d1(
                s,
                &format!(
                    "SELECT id, request_hash, customer_email, order_json FROM checkouts \
                     WHERE id IN ('{a}', '{b}') ORDER BY kind"
                ),
            )
            .await;
            assert_eq!(rows.len(), 2, "{when}: {rows:?}");
            rows
        }
    };
    let before = rows("before").await;
    let basket_hash = before[0]["request_hash"].as_str().unwrap_or("").to_owned();
    assert_eq!(basket_hash.len(), 64, "{before:?}");
    assert!(
        before[1]["order_json"]
            .as_str()
            .unwrap_or("")
            .contains("Ana Forgetme"),
        "{before:?}"
    );

    let forget = client()
        .post(format!("{}/admin/customers/forget", s.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&json!({"email": "  FORGET.me@example.com "}))
        .send()
        .await
        .expect("forget");
    let (status, _, answer) = parts(forget).await;
    assert_eq!(
        (status, answer["checkouts_updated"].as_u64()),
        (200, Some(2)),
        "{answer}"
    );

    let after = rows("after").await;
    let text = serde_json::to_string(&after).unwrap_or_default();
    for gone in ["forget.me", "Forget.Me", "Forgetme", basket_hash.as_str()] {
        assert!(!text.contains(gone), "{gone} is still stored: {text}");
    }
    assert_eq!(after[0]["request_hash"], "forgotten", "{after:?}");
    assert!(
        after.iter().all(|r| r["customer_email"].is_null()),
        "{after:?}"
    );
    // The orders themselves stay: the invoice keeps its number, the basket its total.
    let (status, admin_invoice) =
        admin_get(s, &format!("/admin/checkouts/{invoice_checkout_id}")).await;
    assert_eq!(status, 200, "{admin_invoice}");
    assert_eq!(admin_invoice["order"]["invoice_number"], "INV-2026-0777");
    assert!(
        admin_invoice["order"].get("debitor_name").is_none(),
        "{admin_invoice}"
    );
    let (_, admin_basket) = admin_get(s, &format!("/admin/checkouts/{basket_id}")).await;
    assert_eq!(admin_basket["customer"], Value::Null, "{admin_basket}");
    assert_eq!(admin_basket["amount"], basket_checkout["amount"]);
    assert!(
        admin_basket["amount"]["value"].is_string(),
        "{admin_basket}"
    );
    // A replay of the forgotten checkout's key can no longer be matched to
    // the person: it is another body now.
    let (status, _, replay) = post_checkout(s, &body, &idem, &ip).await;
    assert_eq!(
        (status, replay["error"]["code"].as_str()),
        (409, Some("idempotency_key_reused")),
        "{replay}"
    );
    println!(
        "forget figures: 2 checkouts forgotten (basket + invoice), 0 of the person's details or hashes left"
    );
}

#[tokio::test]
async fn a_short_admin_token_keeps_the_admin_closed_and_is_not_announced() {
    let short = "short-admin-token-12345";
    let stack = Stack::start(StackConfig {
        extra_vars: vec![("ADMIN_TOKEN".into(), short.into())],
        omit_secrets: vec!["ADMIN_TOKEN".into()],
        authorize: false,
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let edge = stack.edge.url();
    // Whoever presents the (short) token is told why the admin is closed.
    let (status, cookie, body) = sign_in(&edge, short, &client_ip()).await;
    assert_eq!(
        (status, cookie.is_some(), body["error"]["code"].as_str()),
        (503, false, Some("admin_token_too_short")),
        "{body}"
    );
    let r = client()
        .get(format!("{edge}/admin/status"))
        .bearer_auth(short)
        .send()
        .await
        .expect("status");
    let (status, _, body) = parts(r).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("admin_token_too_short")),
        "{body}"
    );
    // Anyone else learns nothing.
    let r = client()
        .get(format!("{edge}/admin/status"))
        .bearer_auth("another-token-of-the-same-size-0123456789")
        .send()
        .await
        .expect("status");
    let (status, _, body) = parts(r).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, health) = get_health(&edge).await;
    assert_eq!(
        (status, health),
        (
            503,
            json!({"ok": false, "qonto": "not_authorized", "payments": "active"})
        )
    );
    // The log names it.
    let mut log = String::new();
    for _ in 0..50 {
        log = stack.edge.log();
        if log.contains("ADMIN_TOKEN is 23 characters long") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        log.contains("ADMIN_TOKEN is 23 characters long; the admin opens only with 32 or more"),
        "log:\n{log}"
    );
    println!("short token figures: sign-in 503, bearer 503, other token 401, /health 3 keys");
}
