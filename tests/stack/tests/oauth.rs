//! Connecting the edge to Qonto, through `wrangler dev` (real workerd, the
//! token Durable Object) and the fake Qonto: the OAuth flow and its `state`
//! checks, the provider-connection admin routes, the Qonto client's retries
//! and timeouts, one refresh for many callers, and a revoked refresh token.
//!
//! Upstream calls are counted in the fake's request log (`/_control/requests`).
//! Each test that needs fresh token state starts its own stack.
//!
//! Run with `cargo test -p qc-stack --test oauth -- --test-threads=1` after
//! `scripts/build-edge.sh`.

use qc_stack::{FakeConfig, Stack, StackConfig, LOCAL_ADMIN_TOKEN, LOCAL_STAGING_TOKEN};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Starts a stack that is NOT connected to Qonto yet (the tests connect it).
async fn start(fake: FakeConfig) -> Stack {
    let started = Instant::now();
    let stack = Stack::start(StackConfig {
        fake,
        authorize: false,
        ..StackConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("the stack did not start: {e}"));
    eprintln!("stack up in {:.1} s", started.elapsed().as_secs_f64());
    stack
}

/// The fake as the stack configures it (sandbox staging token, auto consent).
fn fake_config() -> FakeConfig {
    StackConfig::default().fake
}

/// A client that does not follow redirects (each hop is checked).
fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

fn location(resp: &Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location on {}", resp.status()))
        .to_owned()
}

fn query_of(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn json_of(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
    (status, value)
}

async fn health(c: &Client, edge: &str) -> Value {
    json_of(
        c.get(format!("{edge}/health"))
            .send()
            .await
            .expect("health"),
    )
    .await
    .1
}

async fn admin_get(c: &Client, edge: &str, path: &str) -> Response {
    c.get(format!("{edge}{path}"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("admin GET")
}

/// The fake's request log, filtered (`route=oauth_token&grant_type=…`).
async fn upstream(c: &Client, fake: &str, filter: &str) -> Vec<Value> {
    let (_, v) = json_of(
        c.get(format!("{fake}/_control/requests?{filter}"))
            .send()
            .await
            .expect("log"),
    )
    .await;
    v.as_array().cloned().unwrap_or_default()
}

async fn control(c: &Client, fake: &str, method: reqwest::Method, path: &str, body: Value) {
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
}

async fn clear_log(c: &Client, fake: &str) {
    control(c, fake, reqwest::Method::DELETE, "requests", json!({})).await;
}

/// `/admin/oauth/start` → the fake's `/oauth2/auth` (auto consent) → back to
/// the callback, with the cookie that binds the state to this client.
/// Returns the callback URL (with code and state) and that cookie after the
/// callback answered "connected".
async fn connect(c: &Client, edge: &str, fake: &str) -> (String, String) {
    let start = c
        .get(format!("{edge}/admin/oauth/start"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), 302, "start");
    let binding = qc_stack::oauth_binding(&start).expect("start sets the qc_oauth cookie");
    let authorize = location(&start);
    assert!(
        authorize.starts_with(&format!("{fake}/oauth2/auth?")),
        "{authorize}"
    );
    let consent = c.get(&authorize).send().await.expect("consent");
    assert_eq!(consent.status(), 302, "the fake auto-approves");
    let callback = location(&consent);
    assert!(
        callback.starts_with(&format!("{edge}/oauth/callback?")),
        "{callback}"
    );
    let done = c
        .get(&callback)
        .header("cookie", &binding)
        .send()
        .await
        .expect("callback");
    let status = done.status();
    let page = done.text().await.expect("page");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Qonto is connected") && page.contains(r#"data-outcome="connected""#),
        "{page}"
    );
    assert!(page.contains("/admin?connected=1"), "{page}");
    (callback, binding)
}

/// What must never reach the edge's log: tokens (the fake's are prefixed
/// `ory_at_`, `ory_rt_`, `ory_ac_`), the client secret, the staging token.
fn assert_no_secret_in(log: &str, fake: &FakeConfig) {
    assert!(!log.is_empty(), "the edge log is empty");
    for needle in [
        "ory_at_",
        "ory_rt_",
        "ory_ac_",
        fake.client_secret.as_str(),
        LOCAL_STAGING_TOKEN,
        LOCAL_ADMIN_TOKEN,
    ] {
        assert!(!log.contains(needle), "the edge log contains {needle:?}");
    }
}

/// Delays the next call to Qonto's token endpoint by `ms`.
async fn slow_token_endpoint(c: &Client, fake: &str, ms: u64) {
    let rule = json!({"kind": "latency", "ms": ms, "times": 1, "route": "oauth_token"});
    control(c, fake, reqwest::Method::POST, "faults", rule).await;
}

/// Fires `n` admin GETs at once and returns their statuses and bodies.
async fn concurrent_admin_gets(
    c: &Client,
    edge: &str,
    path: &str,
    n: usize,
) -> Vec<(StatusCode, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (c, url) = (c.clone(), format!("{edge}{path}"));
        set.spawn(async move {
            let resp = c
                .get(url)
                .bearer_auth(LOCAL_ADMIN_TOKEN)
                .send()
                .await
                .expect("GET");
            json_of(resp).await
        });
    }
    let mut out = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

#[tokio::test]
async fn connect_flow_checks_state_and_serves_the_connection_routes() {
    let t0 = Instant::now();
    let cfg = fake_config();
    let stack = start(cfg.clone()).await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();

    // Not connected yet.
    assert_eq!(health(&c, &edge).await["qonto"], "not_authorized");
    let (status, body) = json_of(admin_get(&c, &edge, "/admin/connection").await).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].as_str()),
        (503, Some("not_connected")),
        "{body}"
    );

    // Admin only.
    for path in ["/admin/connection", "/admin/oauth/start"] {
        let anon = c.get(format!("{edge}{path}")).send().await.expect("GET");
        assert_eq!(anon.status(), 401, "{path} without a token");
        let wrong = c
            .get(format!("{edge}{path}"))
            .bearer_auth("wrong-token-0123456789abcdef")
            .send()
            .await
            .expect("GET");
        assert_eq!(wrong.status(), 401, "{path} with a wrong token");
    }
    let anon_post = c
        .post(format!("{edge}/admin/connection"))
        .json(&json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(anon_post.status(), 401);

    // The authorization request.
    let start = c
        .get(format!("{edge}/admin/oauth/start"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), 302);
    let authorize = location(&start);
    let q = query_of(&authorize);
    assert!(
        authorize.starts_with(&format!("{fake}/oauth2/auth?")),
        "{authorize}"
    );
    assert_eq!(q["client_id"], cfg.client_id);
    assert_eq!(q["redirect_uri"], format!("{edge}/oauth/callback"));
    assert_eq!(q["response_type"], "code");
    let scopes: Vec<&str> = q["scope"].split(' ').collect();
    for s in [
        "payment_link.read",
        "payment_link.write",
        "client_invoices.read",
        "webhook",
        "offline_access",
        "organization.read",
    ] {
        assert!(scopes.contains(&s), "scope {s} in {scopes:?}");
    }
    let state = q["state"].clone();
    assert_eq!(state.len(), 32, "{state}");
    let binding = qc_stack::oauth_binding(&start).expect("the state's binding cookie");

    // A forged state is refused before any exchange: it has no binding, and
    // with this client's binding it is still unknown.
    clear_log(&c, &fake).await;
    let forged_url =
        format!("{edge}/oauth/callback?code=ory_ac_forged&state=0123456789abcdef0123456789abcdef");
    let forged = c.get(&forged_url).send().await.expect("forged");
    assert_eq!(forged.status(), 400);
    assert!(forged
        .text()
        .await
        .expect("page")
        .contains(r#"data-outcome="other_session""#));
    let forged = c
        .get(&forged_url)
        .header("cookie", &binding)
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status(), 400);
    assert!(forged
        .text()
        .await
        .expect("page")
        .contains(r#"data-outcome="other_session""#));
    let garbage = c
        .get(format!("{edge}/oauth/callback?code=x&state=%3Cscript%3E"))
        .send()
        .await
        .expect("garbage");
    assert_eq!(garbage.status(), 400);
    let empty = c
        .get(format!("{edge}/oauth/callback"))
        .send()
        .await
        .expect("empty");
    assert_eq!(empty.status(), 400);
    assert!(
        upstream(&c, &fake, "route=oauth_token").await.is_empty(),
        "no exchange for a bad state"
    );
    assert_eq!(health(&c, &edge).await["qonto"], "not_authorized");

    // Declined at Qonto: the state is used up, nothing stored.
    let declined = c
        .get(format!(
            "{edge}/oauth/callback?error=access_denied&error_description=no&state={state}"
        ))
        .header("cookie", &binding)
        .send()
        .await
        .expect("declined");
    assert_eq!(declined.status(), 400);
    assert!(declined
        .text()
        .await
        .expect("page")
        .contains(r#"data-outcome="denied""#));
    let after_decline = c
        .get(format!("{edge}/oauth/callback?code=ory_ac_x&state={state}"))
        .header("cookie", &binding)
        .send()
        .await
        .expect("reuse");
    assert_eq!(
        after_decline.status(),
        400,
        "a declined state cannot be used again"
    );
    assert!(after_decline
        .text()
        .await
        .expect("page")
        .contains(r#"data-outcome="invalid_state""#));
    assert_eq!(health(&c, &edge).await["qonto"], "not_authorized");

    // The real flow, then the same callback again.
    let (callback, binding) = connect(&c, &edge, &fake).await;
    assert_eq!(health(&c, &edge).await["qonto"], "connected");
    let codes = upstream(&c, &fake, "route=oauth_token&grant_type=authorization_code").await;
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(
        codes[0]["staging_token"], true,
        "the token call carries X-Qonto-Staging-Token"
    );
    let body = codes[0]["body"].as_str().unwrap_or("");
    assert!(
        body.contains("redirect_uri=") && body.contains("client_id="),
        "{body}"
    );
    let again = c
        .get(&callback)
        .header("cookie", &binding)
        .send()
        .await
        .expect("replay");
    assert_eq!(again.status(), 400, "a used state is refused");
    assert!(again
        .text()
        .await
        .expect("page")
        .contains(r#"data-outcome="invalid_state""#));
    assert_eq!(
        upstream(&c, &fake, "route=oauth_token").await.len(),
        1,
        "the replay exchanged nothing"
    );
    assert_eq!(health(&c, &edge).await["qonto"], "connected");

    // GET /admin/connection (Bearer, then the admin session cookie; the
    // token itself is no cookie).
    let signed_in = c
        .post(format!("{edge}/admin/session"))
        .json(&json!({"token": LOCAL_ADMIN_TOKEN}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 200);
    let session = signed_in
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    assert!(!session.contains(LOCAL_ADMIN_TOKEN), "{session}");
    let raw = c
        .get(format!("{edge}/admin/connection"))
        .header("cookie", format!("__Host-qc_admin={LOCAL_ADMIN_TOKEN}"))
        .send()
        .await
        .expect("raw token cookie");
    assert_eq!(raw.status(), 401, "the admin token is not a session");
    clear_log(&c, &fake).await;
    let (status, conn) = json_of(admin_get(&c, &edge, "/admin/connection").await).await;
    assert_eq!(status, 200, "{conn}");
    assert_eq!(conn["status"], "enabled", "{conn}");
    assert_eq!(
        conn["bank_account_id"],
        fake_qonto::BANK_ACCOUNT_ID,
        "{conn}"
    );
    let with_cookie = c
        .get(format!("{edge}/admin/connection"))
        .header("cookie", &session)
        .send()
        .await
        .expect("cookie");
    assert_eq!(with_cookie.status(), 200);
    let calls = upstream(&c, &fake, "route=get_connection").await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|e| e["auth"] == "bearer" && e["staging_token"] == true && e["status"] == 200),
        "{calls:?}"
    );

    // POST /admin/connection: validated before Qonto sees it.
    let valid = json!({
        "user_bank_account_id": fake_qonto::BANK_ACCOUNT_ID,
        "user_phone_number": "+33612345678",
        "business_description": "We sell hand-made ceramics and run pottery workshops in Lyon for adults and children.",
        "user_website_url": "https://ceramics.example.com",
    });
    let mut short = valid.clone();
    short["business_description"] = json!("Ceramics.");
    let resp = c
        .post(format!("{edge}/admin/connection"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&short)
        .send()
        .await
        .expect("POST");
    let (status, err) = json_of(resp).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "business_description", "{err}");
    let mut bad = short.clone();
    bad["user_phone_number"] = json!("06 12 34 56 78");
    bad["user_website_url"] = json!("https://me@example.com");
    let resp = c
        .post(format!("{edge}/admin/connection"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&bad)
        .send()
        .await
        .expect("POST");
    let (status, err) = json_of(resp).await;
    assert_eq!(status, 422, "{err}");
    let fields: Vec<&str> = err["error"]["problems"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        [
            "user_phone_number",
            "business_description",
            "user_website_url"
        ],
        "{err}"
    );
    assert!(
        upstream(&c, &fake, "route=create_connection")
            .await
            .is_empty(),
        "invalid bodies never reach Qonto"
    );

    // A merchant without a connection starts one.
    control(&c, &fake, reqwest::Method::DELETE, "connection", json!({})).await;
    let (status, conn) = json_of(admin_get(&c, &edge, "/admin/connection").await).await;
    assert_eq!(
        (status.as_u16(), conn["status"].as_str()),
        (200, Some("not_connected")),
        "Qonto's 404 is not_connected: {conn}"
    );
    let resp = c
        .post(format!("{edge}/admin/connection"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&valid)
        .send()
        .await
        .expect("POST");
    let (status, created) = json_of(resp).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "not_connected", "{created}");
    assert!(
        created["connection_location"]
            .as_str()
            .is_some_and(|l| l.contains("/provider/onboarding/")),
        "{created}"
    );
    assert_eq!(created["bank_account_id"], fake_qonto::BANK_ACCOUNT_ID);
    let posts = upstream(&c, &fake, "route=create_connection").await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    let sent: Value =
        serde_json::from_str(posts[0]["body"].as_str().unwrap_or("{}")).expect("sent body");
    assert_eq!(
        sent["partner_callback_url"],
        format!("{edge}/admin"),
        "default callback"
    );
    assert!(posts[0]["idempotency_key"].is_string(), "{posts:?}");
    control(
        &c,
        &fake,
        reqwest::Method::PUT,
        "connection",
        json!({"status": "enabled"}),
    )
    .await;

    // The client's retry policy, on a read.
    clear_log(&c, &fake).await;
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "server_error", "times": 1, "route": "get_connection"}),
    )
    .await;
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200,
        "one 500 is retried"
    );
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "malformed_json", "times": 1, "route": "get_connection"}),
    )
    .await;
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200,
        "malformed JSON on a read is retried"
    );
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "rate_limit", "retry_after": 1, "times": 1, "route": "get_connection"}),
    )
    .await;
    let waited = Instant::now();
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200,
        "a short Retry-After is honoured"
    );
    assert!(
        waited.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        waited.elapsed()
    );
    assert_eq!(
        upstream(&c, &fake, "route=get_connection").await.len(),
        6,
        "each fault cost exactly one extra call"
    );

    clear_log(&c, &fake).await;
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "rate_limit", "retry_after": 30, "times": 1, "route": "get_connection"}),
    )
    .await;
    let resp = admin_get(&c, &edge, "/admin/connection").await;
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    let (status, err) = json_of(resp).await;
    assert_eq!(
        (status.as_u16(), err["error"]["code"].as_str()),
        (503, Some("payment_provider_unavailable")),
        "{err}"
    );
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "server_error", "times": 5, "route": "get_connection"}),
    )
    .await;
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        503,
        "three 500s in a row"
    );
    control(&c, &fake, reqwest::Method::DELETE, "faults", json!({})).await;
    assert_eq!(
        upstream(&c, &fake, "route=get_connection").await.len(),
        4,
        "a long Retry-After is not waited; 2 retries after 500s"
    );

    // Writes are sent once: a 500 on create is the caller's to retry.
    clear_log(&c, &fake).await;
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "server_error", "times": 1, "route": "create_connection"}),
    )
    .await;
    let resp = c
        .post(format!("{edge}/admin/connection"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&valid)
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), 503);
    assert_eq!(
        upstream(&c, &fake, "route=create_connection").await.len(),
        1,
        "no retry of a write after a 500"
    );

    // A hanging Qonto is cut off (10 s for reads) and not retried.
    clear_log(&c, &fake).await;
    control(
        &c,
        &fake,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "latency", "ms": 12000, "times": 1, "route": "get_connection"}),
    )
    .await;
    let waited = Instant::now();
    let resp = admin_get(&c, &edge, "/admin/connection").await;
    let took = waited.elapsed();
    let (status, err) = json_of(resp).await;
    assert_eq!(
        (status.as_u16(), err["error"]["code"].as_str()),
        (504, Some("payment_provider_timeout")),
        "{err}"
    );
    // A retry would have met no fault and answered 200.
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(12),
        "timed out after {took:?}"
    );

    assert_no_secret_in(&stack.edge.log(), &cfg);
    eprintln!("connect_flow test: {:.1} s", t0.elapsed().as_secs_f64());
}

#[tokio::test]
async fn one_refresh_serves_fifty_concurrent_calls() {
    let t0 = Instant::now();
    let cfg = fake_config();
    let stack = start(cfg.clone()).await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();
    // No grace for a used refresh token: every refresh after the first
    // works only if the store kept the rotated refresh token.
    control(
        &c,
        &fake,
        reqwest::Method::PATCH,
        "settings",
        json!({"refresh_grace_ms": 0}),
    )
    .await;
    connect(&c, &edge, &fake).await;
    // Warm the isolate's token cache.
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200
    );

    // Payment methods are cached in the isolate: one upstream call.
    clear_log(&c, &fake).await;
    for _ in 0..3 {
        let resp = c
            .get(format!("{edge}/v1/payment-methods"))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(
        upstream(&c, &fake, "route=payment_methods").await.len(),
        1,
        "payment methods come from the isolate cache"
    );

    // Qonto expires the access token behind the edge's back: every call gets
    // a 401, and the token store refreshes once for all of them.
    control(&c, &fake, reqwest::Method::POST, "tokens/expire", json!({})).await;
    clear_log(&c, &fake).await;
    // A slow token endpoint keeps the refresh in flight while every other
    // call asks the store for a token: they must all wait for that refresh.
    slow_token_endpoint(&c, &fake, 1500).await;
    let started = Instant::now();
    let results = concurrent_admin_gets(&c, &edge, "/admin/connection", 50).await;
    let burst = started.elapsed();
    eprintln!(
        "50 concurrent calls after expiry: {:.2} s",
        burst.as_secs_f64()
    );
    for (status, body) in &results {
        assert_eq!(
            (status.as_u16(), body["status"].as_str()),
            (200, Some("enabled")),
            "{body}"
        );
    }
    let grants = upstream(&c, &fake, "route=oauth_token&grant_type=refresh_token").await;
    assert_eq!(grants.len(), 1, "exactly one refresh: {grants:?}");
    assert_eq!(grants[0]["status"], 200);
    let calls = upstream(&c, &fake, "route=get_connection").await;
    let refused = calls.iter().filter(|e| e["status"] == 401).count();
    eprintln!(
        "upstream: {} get_connection ({refused} refused with 401), {} refresh grant",
        calls.len(),
        grants.len()
    );
    // The calls that read the isolate's token before the first 401 came back
    // meet a 401 themselves (how many depends on timing); the first 401 drops
    // that token, so the later ones ask the store directly. Either way every
    // call reaches the store while the one refresh is in flight and waits for
    // it: without the single flight, each 401 would start a refresh of its
    // own, and a call told "the current token" would meet another 401.
    assert!(refused >= 1, "the expired token was refused");
    assert!(
        burst >= Duration::from_millis(1500),
        "the calls waited for the slow refresh: {burst:?}"
    );
    assert_eq!(calls.len(), 50 + refused, "each call retried at most once");

    // Proactive refresh: with 20 s tokens, the store refreshes from 10 s
    // before expiry and isolates stop using a token 5 s before it; a burst
    // after 16 s gets a refreshed token without any 401.
    control(
        &c,
        &fake,
        reqwest::Method::PATCH,
        "settings",
        json!({"access_token_ttl": 20}),
    )
    .await;
    control(&c, &fake, reqwest::Method::POST, "tokens/expire", json!({})).await;
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200,
        "reactive refresh to a 20 s token"
    );
    let issued = Instant::now();
    clear_log(&c, &fake).await;
    tokio::time::sleep(Duration::from_secs(16).saturating_sub(issued.elapsed())).await;
    slow_token_endpoint(&c, &fake, 1000).await;
    let results = concurrent_admin_gets(&c, &edge, "/admin/connection", 50).await;
    assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
    let grants = upstream(&c, &fake, "route=oauth_token&grant_type=refresh_token").await;
    let calls = upstream(&c, &fake, "route=get_connection").await;
    eprintln!(
        "proactive burst: {} get_connection, {} refresh grant",
        calls.len(),
        grants.len()
    );
    assert_eq!(grants.len(), 1, "one proactive refresh: {grants:?}");
    assert!(
        calls.iter().all(|e| e["status"] == 200),
        "no call met an expired token: {calls:?}"
    );
    assert_eq!(calls.len(), 50);

    assert_no_secret_in(&stack.edge.log(), &cfg);
    eprintln!("refresh test: {:.1} s", t0.elapsed().as_secs_f64());
}

#[tokio::test]
async fn a_revoked_refresh_token_needs_reauthorization() {
    let t0 = Instant::now();
    let cfg = fake_config();
    let stack = start(cfg.clone()).await;
    let (edge, fake) = (stack.edge.url(), stack.fake.base_url().to_owned());
    let c = client();
    connect(&c, &edge, &fake).await;
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200
    );

    // The merchant revoked the app at Qonto; the access token is dead too.
    control(&c, &fake, reqwest::Method::POST, "tokens/revoke", json!({})).await;
    control(&c, &fake, reqwest::Method::POST, "tokens/expire", json!({})).await;
    clear_log(&c, &fake).await;
    slow_token_endpoint(&c, &fake, 1000).await;
    let results = concurrent_admin_gets(&c, &edge, "/admin/connection", 20).await;
    for (status, body) in &results {
        assert_eq!(
            (status.as_u16(), body["error"]["code"].as_str()),
            (503, Some("not_connected")),
            "{body}"
        );
    }
    let h = health(&c, &edge).await;
    assert_eq!(h["qonto"], "reauthorization_needed", "{h}");
    // Later calls do not ask Qonto again: no retry storm, never a 500.
    for _ in 0..5 {
        let (status, body) = json_of(admin_get(&c, &edge, "/admin/connection").await).await;
        assert_eq!(
            (status.as_u16(), body["error"]["code"].as_str()),
            (503, Some("not_connected")),
            "{body}"
        );
    }
    let post = c
        .post(format!("{edge}/admin/connection"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&json!({
            "user_bank_account_id": fake_qonto::BANK_ACCOUNT_ID,
            "user_phone_number": "+33612345678",
            "business_description": "We sell hand-made ceramics and run pottery workshops in Lyon for adults and children.",
            "user_website_url": "https://ceramics.example.com",
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(post.status(), 503);
    let grants = upstream(&c, &fake, "route=oauth_token&grant_type=refresh_token").await;
    assert_eq!(
        grants.len(),
        1,
        "one refused refresh, then none: {grants:?}"
    );
    assert_eq!(grants[0]["status"], 400);
    let calls = upstream(&c, &fake, "route=get_connection").await;
    eprintln!(
        "upstream after revocation: {} get_connection, {} refresh grant",
        calls.len(),
        grants.len()
    );
    assert!(
        (1..=20).contains(&calls.len()),
        "at most one call per request, none after the store knew: {}",
        calls.len()
    );

    // Connecting again repairs it.
    connect(&c, &edge, &fake).await;
    assert_eq!(health(&c, &edge).await["qonto"], "connected");
    assert_eq!(
        admin_get(&c, &edge, "/admin/connection").await.status(),
        200
    );

    assert_no_secret_in(&stack.edge.log(), &cfg);
    eprintln!("revocation test: {:.1} s", t0.elapsed().as_secs_f64());
}
