//! A merchant's first hour against a Qonto that behaves like the real one,
//! through `wrangler dev` and the fake Qonto: an app not allowed a scope
//! (`invalid_scope`), the shop working without the webhook scope, the OAuth
//! `state` bound to the admin session that started it, the organisation's
//! name and bank accounts, Qonto refusing a second provider connection, and
//! a revoked connection pausing payments until it is enabled again.
//!
//! Run with `cargo test -p qc-stack --test onboarding -- --test-threads=1`
//! after `scripts/build-edge.sh`.

mod common;

use common::{client, client_ip, key, parts, post_checkout};
use qc_stack::{
    oauth_binding, EdgeServer, FakeConfig, Stack, StackConfig, ALL_SCOPES, LOCAL_ADMIN_TOKEN,
};
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The name the fake gives its organisation (its default `merchant_name`).
const ORGANISATION: &str = "Atelier Démo SAS";

async fn start(config: StackConfig) -> Stack {
    let started = Instant::now();
    let stack = Stack::start(config)
        .await
        .unwrap_or_else(|e| panic!("the stack did not start: {e}"));
    eprintln!("stack up in {:.1} s", started.elapsed().as_secs_f64());
    stack
}

async fn json_of(resp: Response) -> (u16, Value) {
    let (status, _, body) = parts(resp).await;
    (status, body)
}

async fn get_json(c: &Client, url: &str) -> (u16, Value) {
    json_of(c.get(url).send().await.expect("GET")).await
}

async fn admin(c: &Client, method: Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = c.request(method, url).bearer_auth(LOCAL_ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    json_of(req.send().await.expect("admin call")).await
}

async fn control(c: &Client, fake: &str, method: Method, path: &str, body: Value) -> Value {
    let resp = c
        .request(method, format!("{fake}/_control/{path}"))
        .json(&body)
        .send()
        .await
        .expect("control");
    assert!(
        resp.status().is_success(),
        "control {path}: {}",
        resp.status()
    );
    resp.json().await.unwrap_or(Value::Null)
}

fn location(resp: &Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location on {}", resp.status()))
        .to_owned()
}

/// Signs in at the admin page; returns the session cookie (`__Host-qc_admin=…`).
async fn sign_in(c: &Client, edge: &str) -> String {
    let resp = c
        .post(format!("{edge}/admin/session"))
        .json(&json!({"token": LOCAL_ADMIN_TOKEN}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), 200);
    resp.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// `/admin/oauth/start` with `auth` (a session cookie, or the bearer token
/// when `None`), then Qonto's authorization (the fake answers at once).
/// Returns the callback URL Qonto sends the browser to, and the state's
/// binding cookie.
async fn authorize(c: &Client, edge: &str, session: Option<&str>) -> (String, String) {
    let mut req = c.get(format!("{edge}/admin/oauth/start"));
    req = match session {
        Some(cookie) => req.header("cookie", cookie),
        None => req.bearer_auth(LOCAL_ADMIN_TOKEN),
    };
    let start = req.send().await.expect("start");
    assert_eq!(start.status(), 302, "start");
    let binding = oauth_binding(&start).expect("the start sets qc_oauth");
    let consent = c.get(location(&start)).send().await.expect("authorize");
    assert_eq!(consent.status(), 302, "the fake redirects back at once");
    let callback = location(&consent);
    assert!(
        callback.starts_with(&format!("{edge}/oauth/callback?")),
        "{callback}"
    );
    (callback, binding)
}

/// The callback page's status, outcome and text.
async fn callback(c: &Client, url: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = c.get(url);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let resp = req.send().await.expect("callback");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("page"))
}

/// Polls until `check` holds (webhooks arrive in the background).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn basket() -> Value {
    json!({"items": [{"sku": "ebook", "quantity": 1}]})
}

#[tokio::test]
async fn a_restricted_app_is_told_which_scope_to_allow_and_the_shop_works_without_webhooks() {
    let mut stack = start(StackConfig {
        authorize: false,
        ..StackConfig::default()
    })
    .await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();

    // The app in Qonto's Developer Portal may not ask for `webhook`.
    let allowed: Vec<&str> = ALL_SCOPES.split(' ').filter(|s| *s != "webhook").collect();
    control(
        &c,
        &fake,
        Method::PATCH,
        "settings",
        json!({"allowed_scopes": allowed}),
    )
    .await;
    let (url, binding) = authorize(&c, &edge, None).await;
    assert!(url.contains("error=invalid_scope"), "{url}");
    let (status, page) = callback(&c, &url, Some(&binding)).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains(r#"data-outcome="invalid_scope""#), "{page}");
    assert!(page.contains(r#"data-scope="webhook""#), "{page}");
    assert!(page.contains("not allowed the scope webhook"), "{page}");
    assert!(
        page.contains("Developer Portal") && page.contains("QONTO_SCOPES"),
        "{page}"
    );
    let (_, health) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(health["qonto"], "not_authorized", "{health}");

    // The merchant drops `webhook` from QONTO_SCOPES: connecting works, and
    // so does paying; /health says webhooks are off.
    let mut config = stack.edge.config().clone();
    stack.edge.stop();
    config.vars.retain(|(k, _)| k != "QONTO_SCOPES");
    config.vars.push(("QONTO_SCOPES".into(), allowed.join(" ")));
    stack.edge = EdgeServer::start(config)
        .await
        .unwrap_or_else(|e| panic!("the edge did not restart: {e}"));
    let (url, binding) = authorize(&c, &edge, None).await;
    assert!(!url.contains("scope=") || !url.contains("webhook"), "{url}");
    let (status, page) = callback(&c, &url, Some(&binding)).await;
    assert_eq!(status, 200, "{page}");
    let (status, health) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(
        (status, health["ok"].as_bool()),
        (200, Some(true)),
        "{health}"
    );
    let (_, st) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
    let warnings = st["warnings"].to_string();
    assert!(warnings.contains("webhooks are off"), "{st}");

    let urls = stack.urls();
    let (status, _, created) =
        post_checkout(&urls, &basket(), &key("nowebhook"), &client_ip()).await;
    assert_eq!(status, 201, "{created}");
    let link = created["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|u| u.split('?').next())
        .expect("link id")
        .to_owned();
    control(
        &c,
        &fake,
        Method::POST,
        &format!("payment_links/{link}/pay"),
        json!({}),
    )
    .await;
    let status_url = format!(
        "{edge}/v1/checkouts/{}",
        created["id"].as_str().unwrap_or("")
    );
    eventually("the payment found by asking Qonto", || async {
        get_json(&c, &status_url).await.1["status"] == "paid"
    })
    .await;
}

#[tokio::test]
async fn a_state_from_another_admin_session_is_refused() {
    let stack = start(StackConfig {
        authorize: false,
        ..StackConfig::default()
    })
    .await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();

    // Admin A starts connecting; the callback URL (with A's state and a
    // code for some organisation) leaks.
    let session_a = sign_in(&c, &edge).await;
    let (leaked, binding_a) = authorize(&c, &edge, Some(&session_a)).await;
    // Someone else, signed in on another browser, or not at all, uses it.
    let session_b = sign_in(&c, &edge).await;
    assert_ne!(session_a, session_b);
    let (_, binding_b) = authorize(&c, &edge, Some(&session_b)).await;
    control(&c, &fake, Method::DELETE, "requests", json!({})).await;
    for cookie in [Some(binding_b.as_str()), None] {
        let (status, page) = callback(&c, &leaked, cookie).await;
        assert_eq!(status, 400, "{page}");
        assert!(page.contains(r#"data-outcome="other_session""#), "{page}");
    }
    let tokens: Vec<Value> = control(
        &c,
        &fake,
        Method::GET,
        "requests?route=oauth_token",
        json!({}),
    )
    .await
    .as_array()
    .cloned()
    .unwrap_or_default();
    assert!(
        tokens.is_empty(),
        "no code exchanged for a foreign state: {tokens:?}"
    );
    let (_, health) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(health["qonto"], "not_authorized", "{health}");

    // A's own browser still finishes.
    let (status, page) = callback(&c, &leaked, Some(&binding_a)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"data-outcome="connected""#), "{page}");
    let (_, health) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(health["qonto"], "connected", "{health}");

    // A wrong staging token: the sandbox's HTML gate is named as such.
    control(
        &c,
        &fake,
        Method::PATCH,
        "settings",
        json!({"staging_token": "another-token"}),
    )
    .await;
    let (status, body) = admin(&c, Method::GET, &format!("{edge}/admin/connection"), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("misconfigured")),
        "{body}"
    );
    let (_, status_body) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
    assert!(
        status_body["qonto_problem"]
            .as_str()
            .is_some_and(|p| p.starts_with("the sandbox staging token is missing or wrong")),
        "{status_body}"
    );
}

#[tokio::test]
async fn onboarding_picks_a_bank_account_shows_the_existing_connection_and_pauses_on_revocation() {
    let stack = start(StackConfig {
        fake: FakeConfig {
            connection: None,
            ..StackConfig::default().fake
        },
        ..StackConfig::default()
    })
    .await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();

    // The organisation and its accounts: main first, IBANs masked.
    let (status, org) = admin(&c, Method::GET, &format!("{edge}/admin/organization"), None).await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(org["available"], true, "{org}");
    assert_eq!(org["name"], ORGANISATION);
    let accounts = org["bank_accounts"].as_array().cloned().unwrap_or_default();
    let summary: Vec<(&str, &str, bool)> = accounts
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap_or(""),
                a["iban"].as_str().unwrap_or(""),
                a["main"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (fake_qonto::BANK_ACCOUNT_ID, "FR76 •••• 0123", true),
            (fake_qonto::SAVINGS_BANK_ACCOUNT_ID, "FR76 •••• 0987", false),
        ]
    );
    assert!(!org.to_string().contains(fake_qonto::MAIN_IBAN), "{org}");
    let (_, st) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
    assert_eq!(st["organization"]["name"], ORGANISATION, "{st}");
    assert_eq!(st["connection"], "not_connected", "Qonto's 404: {st}");
    assert_eq!(st["connection_state"], "not_connected", "{st}");
    assert_eq!(st["payments_paused"], false, "{st}");

    // The merchant picks the savings account from the list.
    let mut body = json!({
        "user_bank_account_id": fake_qonto::SAVINGS_BANK_ACCOUNT_ID,
        "user_phone_number": "+33612345678",
        "business_description": "We sell hand-made ceramics and run pottery workshops in Lyon for adults and children.",
    });
    let (status, err) = admin(
        &c,
        Method::POST,
        &format!("{edge}/admin/connection"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("user_website_url")),
        "{err}"
    );
    body["user_website_url"] = json!("https://ceramics.example.com");
    let (status, created) = admin(
        &c,
        Method::POST,
        &format!("{edge}/admin/connection"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["bank_account_id"],
        fake_qonto::SAVINGS_BANK_ACCOUNT_ID
    );
    assert_eq!(created["status"], "not_connected");

    // A second attempt: Qonto refuses it, the merchant sees the existing one.
    let (status, again) = admin(
        &c,
        Method::POST,
        &format!("{edge}/admin/connection"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["existing"], true, "{again}");
    assert_eq!(again["status"], "not_connected");
    assert_eq!(
        again["bank_account_id"],
        fake_qonto::SAVINGS_BANK_ACCOUNT_ID
    );
    assert_eq!(again["connection_location"], created["connection_location"]);
    let posts: Vec<Value> = control(
        &c,
        &fake,
        Method::GET,
        "requests?route=create_connection",
        json!({}),
    )
    .await
    .as_array()
    .cloned()
    .unwrap_or_default();
    let statuses: Vec<u64> = posts.iter().filter_map(|p| p["status"].as_u64()).collect();
    assert_eq!(
        statuses,
        [201, 422],
        "Qonto refused the second one: {posts:?}"
    );

    // Onboarding done at the provider: enabled.
    let onboarding = created["connection_location"].as_str().expect("location");
    let done = c.post(onboarding).send().await.expect("onboarding");
    assert!(done.status().is_redirection(), "{}", done.status());
    eventually("the connection enabled", || async {
        let (_, st) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
        st["connection_state"] == "enabled"
    })
    .await;
    let subs = control(&c, &fake, Method::GET, "subscriptions", json!({})).await;
    assert!(
        subs.to_string().contains("v1/payment-links-connections"),
        "the edge listens to connection events: {subs}"
    );

    // Qonto revokes the connection: payments pause everywhere.
    let urls = stack.urls();
    control(
        &c,
        &fake,
        Method::PUT,
        "connection",
        json!({"status": "disabled"}),
    )
    .await;
    eventually("/health to say payments are paused", || async {
        let (status, h) = get_json(&c, &format!("{edge}/health")).await;
        status == 503 && h["payments"] == "paused"
    })
    .await;
    let (_, st) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
    assert!(
        st["problems"]
            .to_string()
            .contains("payments are paused: reconnect"),
        "{st}"
    );
    assert_eq!(
        (
            st["payments_paused"].as_bool(),
            st["connection_state"].as_str()
        ),
        (Some(true), Some("paused")),
        "{st}"
    );
    control(&c, &fake, Method::DELETE, "requests", json!({})).await;
    let (status, _, refused) = post_checkout(&urls, &basket(), &key("paused"), &client_ip()).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (503, Some("payments_paused")),
        "{refused}"
    );
    let creates = control(
        &c,
        &fake,
        Method::GET,
        "requests?route=create_payment_link",
        json!({}),
    )
    .await;
    assert_eq!(creates.as_array().map(Vec::len), Some(0), "{creates}");

    // Enabled again: the pause is over.
    control(
        &c,
        &fake,
        Method::PUT,
        "connection",
        json!({"status": "enabled"}),
    )
    .await;
    eventually("/health to be ok again", || async {
        let (status, h) = get_json(&c, &format!("{edge}/health")).await;
        status == 200 && h["payments"] == "active"
    })
    .await;
    let (status, _, created) = post_checkout(&urls, &basket(), &key("resumed"), &client_ip()).await;
    assert_eq!(status, 201, "{created}");

    // A 403 that says the connection is revoked pauses payments the same way
    // (no webhook needed); Qonto reporting the connection enabled clears it.
    let revoked = json!({"kind": "status", "status": 403, "code": "connection_revoked",
        "detail": "The payment links connection was revoked", "times": 1, "route": "create_payment_link"});
    control(&c, &fake, Method::POST, "faults", revoked).await;
    let (status, _, refused) =
        post_checkout(&urls, &basket(), &key("revoked403"), &client_ip()).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (503, Some("payments_paused")),
        "{refused}"
    );
    let (status, h) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(
        (status, h["payments"].as_str()),
        (503, Some("paused")),
        "{h}"
    );
    let (_, st) = admin(&c, Method::GET, &format!("{edge}/admin/status"), None).await;
    assert_eq!(st["connection"], "enabled", "{st}");
    let (status, h) = get_json(&c, &format!("{edge}/health")).await;
    assert_eq!(
        (status, h["payments"].as_str()),
        (200, Some("active")),
        "{h}"
    );
}
