//! The fake against the shapes Qonto documents, driven over HTTP
//! like the edge will drive it. Each test starts its own fake on port 0.

mod support;

use fake_qonto::{FakeConfig, SEED_INVOICE_PAID_ID, SEED_INVOICE_UNPAID_ID};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::qonto::{
    parse_client_invoice, parse_connection, parse_error, parse_payment_link, ConnectionStatus,
    PaymentLink, PaymentLinkEnvelope, PaymentLinkList, PaymentLinkStatus, PaymentList,
    PaymentMethod, PaymentMethodsResponse, PaymentStatus, ResourceType, TokenResponse,
    WebhookEvent, WebhookSubscription, WebhookSubscriptionList,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{client, Fx, SCOPES};

/// Creates a one-line basket link, which must succeed.
async fn create_basket(fx: &Fx, unit: &str, vat: &str, quantity: u32) -> PaymentLink {
    let (status, body) = fx
        .json(
            fx.post("/v2/payment_links")
                .json(&basket_body(unit, vat, quantity)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    parse_payment_link(body.to_string().as_bytes()).unwrap()
}

fn basket_body(unit: &str, vat: &str, quantity: u32) -> Value {
    json!({
        "payment_link": {
            "potential_payment_methods": ["credit_card"],
            "reusable": false,
            "items": [{
                "title": "Item 1",
                "quantity": quantity,
                "unit_price": { "value": unit, "currency": "EUR" },
                "vat_rate": vat,
                "type": "good",
                "description": "Item 1 description",
                "measure_unit": "unit"
            }]
        }
    })
}

fn first_error(body: &Value) -> (String, String, Value) {
    let e = &body["errors"][0];
    assert!(body["trace_id"].is_string(), "no trace_id: {body}");
    (
        e["code"].as_str().unwrap_or_default().to_owned(),
        e["detail"].as_str().unwrap_or_default().to_owned(),
        e["source"].clone(),
    )
}

// ---------------------------------------------------------------------------
// OAuth
// ---------------------------------------------------------------------------

fn query_param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn oauth_code_flow_consent_page_and_token_shape() {
    let fake = fake_qonto::start(FakeConfig::default()).await.unwrap();
    let http = client();
    let base = fake.base_url().to_owned();
    let redirect = "http://127.0.0.1:9/oauth/callback";
    let auth_url = |extra: &str| {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        ser.append_pair("client_id", fake_qonto::DEFAULT_CLIENT_ID)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", SCOPES)
            .append_pair("state", "state-1234567890");
        format!("{base}/oauth2/auth?{}{extra}", ser.finish())
    };

    // The consent page: a form with an Authorize button and the scopes.
    let page = http.get(auth_url("")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"authorize\""), "{html}");
    assert!(html.contains("payment_link.write"));

    // Clicking Authorize: 303 back to the redirect URI with code and state.
    let form = [
        ("client_id", fake_qonto::DEFAULT_CLIENT_ID),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", SCOPES),
        ("state", "state-1234567890"),
        ("decision", "allow"),
    ];
    let resp = http
        .post(format!("{base}/oauth2/auth"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect), "{location}");
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some("state-1234567890")
    );
    let code = query_param(&location, "code").unwrap();

    // Exchange: the documented token shape.
    let exchange = |code: String| {
        http.post(format!("{base}/oauth2/token")).form(&[
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", fake_qonto::DEFAULT_CLIENT_ID.to_owned()),
            (
                "client_secret",
                fake_qonto::DEFAULT_CLIENT_SECRET.to_owned(),
            ),
            ("redirect_uri", redirect.to_owned()),
            ("code", code),
        ])
    };
    let resp = exchange(code.clone()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    for key in [
        "access_token",
        "expires_in",
        "id_token",
        "refresh_token",
        "scope",
        "token_type",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    let tokens: TokenResponse = serde_json::from_value(body).unwrap();
    assert_eq!(tokens.expires_in, 3600);
    assert_eq!(tokens.token_type, "bearer");
    assert_eq!(tokens.scope.as_deref(), Some(SCOPES));

    // The code is single-use.
    let resp = exchange(code).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    // Auto-consent: an immediate 302 with a code.
    let resp = http.get(auth_url("&auto_consent=1")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(query_param(&location, "code").is_some());

    // Unknown client: an error page, no redirect.
    let resp = http
        .get(auth_url("").replace(fake_qonto::DEFAULT_CLIENT_ID, "nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Wrong response_type: redirected with an error.
    let resp = http
        .get(auth_url("").replace("response_type=code", "response_type=token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()["location"].to_str().unwrap();
    assert_eq!(
        query_param(location, "error").as_deref(),
        Some("unsupported_response_type")
    );

    // Wrong client secret: 401 invalid_client.
    let resp = http
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", fake_qonto::DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("code", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    // The new access token works on /v2.
    let resp = http
        .get(format!("{base}/v2/payment_links"))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_rotate_with_a_grace_period() {
    let fx = Fx::with(FakeConfig {
        // Wide enough that a loaded machine stays inside it for the second use.
        refresh_grace: Duration::from_millis(800),
        ..FakeConfig::default()
    })
    .await;
    let first: TokenResponse = serde_json::from_value(
        fx.control(
            reqwest::Method::POST,
            "/tokens",
            Some(json!({ "scope": SCOPES })),
        )
        .await,
    )
    .unwrap();
    let old = first.refresh_token.unwrap();
    let refresh = |token: String| {
        fx.http.post(fx.url("/oauth2/token")).form(&[
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", fake_qonto::DEFAULT_CLIENT_ID.to_owned()),
            (
                "client_secret",
                fake_qonto::DEFAULT_CLIENT_SECRET.to_owned(),
            ),
            ("refresh_token", token),
        ])
    };
    let resp = refresh(old.clone()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let second: TokenResponse = resp.json().await.unwrap();
    let new = second.refresh_token.clone().unwrap();
    assert_ne!(new, old, "refresh tokens rotate");
    assert_ne!(second.access_token, first.access_token);

    // Within the grace window the old one still works.
    let resp = refresh(old.clone()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // After it: invalid_grant.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let resp = refresh(old).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());

    // The rotated one works, and revocation kills it.
    let resp = refresh(new.clone()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let third: TokenResponse = resp.json().await.unwrap();
    fx.control(reqwest::Method::POST, "/tokens/revoke", None)
        .await;
    let resp = refresh(third.refresh_token.unwrap()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // The request log counts refresh grants.
    let log = fx
        .control(
            reqwest::Method::GET,
            "/requests?grant_type=refresh_token",
            None,
        )
        .await;
    let statuses: Vec<u64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![200, 200, 400, 200, 400]);
}

#[tokio::test]
async fn bearer_is_required_and_api_keys_are_refused() {
    let fx = Fx::new().await;
    let resp = fx
        .http
        .get(fx.url("/v2/payment_links"))
        .header("Authorization", "my-login:my-secret-key")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    let (_, detail, _) = first_error(&body);
    assert_eq!(detail, "OAuth2 authentication is required here");
    assert!(parse_error(body.to_string().as_bytes())
        .unwrap()
        .is_oauth_required());

    let resp = fx
        .http
        .get(fx.url("/v2/payment_links"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = fx
        .http
        .get(fx.url("/v2/payment_links"))
        .bearer_auth("unknown")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Expired tokens are refused.
    assert_eq!(
        fx.get("/v2/payment_links").send().await.unwrap().status(),
        StatusCode::OK
    );
    fx.control(reqwest::Method::POST, "/tokens/expire", None)
        .await;
    assert_eq!(
        fx.get("/v2/payment_links").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // The log tells the auth kinds apart.
    let log = fx
        .control(reqwest::Method::GET, "/requests?path_prefix=/v2/", None)
        .await;
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["auth"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["api_key", "none", "bearer", "bearer", "bearer"]);
}

#[tokio::test]
async fn scopes_and_the_staging_gate_are_enforced() {
    let fx = Fx::with(FakeConfig {
        staging_token: Some("staging-xyz".into()),
        ..FakeConfig::default()
    })
    .await;
    let resp = fx.get("/v2/payment_links").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let resp = fx
        .get("/v2/payment_links")
        .header("X-Qonto-Staging-Token", "staging-xyz")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // A read-only token cannot create.
    let ro: TokenResponse = serde_json::from_value(
        fx.control(
            reqwest::Method::POST,
            "/tokens",
            Some(json!({ "scope": "payment_link.read" })),
        )
        .await,
    )
    .unwrap();
    assert!(
        ro.refresh_token.is_none(),
        "no offline_access, no refresh token"
    );
    let resp = fx
        .http
        .post(fx.url("/v2/payment_links"))
        .bearer_auth(&ro.access_token)
        .header("X-Qonto-Staging-Token", "staging-xyz")
        .json(&basket_body("10.00", "0.2", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: Value = resp.json().await.unwrap();
    assert!(
        parse_error(body.to_string().as_bytes())
            .unwrap()
            .is_missing_scope(),
        "{body}"
    );
}

// ---------------------------------------------------------------------------
// Payment links
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_basket_link_matches_the_documented_response() {
    let fx = Fx::new().await;
    let resp = fx
        .post("/v2/payment_links")
        .json(&basket_body("10.99", "0.21", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    let link = &body["payment_link"];
    for key in [
        "id",
        "status",
        "expiration_date",
        "potential_payment_methods",
        "amount",
        "resource_type",
        "reusable",
        "created_at",
        "url",
        "items",
        "invoice_id",
        "invoice_number",
        "debitor_name",
    ] {
        assert!(link.get(key).is_some(), "missing {key}: {link}");
    }
    // 10.99 net at 21 % is 13.30 gross (the docs' example).
    assert_eq!(
        link["amount"],
        json!({ "value": "13.30", "currency": "EUR" })
    );
    assert_eq!(link["status"], "open");
    assert_eq!(link["resource_type"], "Basket");
    assert_eq!(link["invoice_id"], Value::Null);
    assert_eq!(link["items"][0]["vat_rate"], "0.21");
    assert_eq!(link["items"][0]["quantity"], 1);
    let parsed: PaymentLinkEnvelope = serde_json::from_value(body.clone()).unwrap();
    let link = parsed.payment_link;
    let url = link.url.clone().unwrap();
    let prefix = format!("{}/pay/{}?resource_id=", fx.fake.base_url(), link.id);
    assert!(url.starts_with(&prefix), "{url}");
    // Expires one calendar year after creation.
    let created = link.created_at.clone().unwrap();
    let expires = link.expiration_date.clone().unwrap();
    let year: i32 = created[..4].parse().unwrap();
    assert_eq!(expires, format!("{}{}", year + 1, &created[4..]));

    // GET returns the BARE object.
    let (status, bare) = fx
        .json(fx.get(&format!("/v2/payment_links/{}", link.id)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bare.get("payment_link").is_none());
    assert_eq!(bare["id"], json!(link.id));
    assert_eq!(
        parse_payment_link(bare.to_string().as_bytes()).unwrap(),
        link
    );

    // Unknown id: 404 with source.parameter.
    let (status, body) = fx
        .json(fx.get("/v2/payment_links/00000000-0000-0000-0000-000000000000"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (code, _, source) = first_error(&body);
    assert_eq!(code, "not_found");
    assert_eq!(source["parameter"], "id");
}

#[tokio::test]
async fn vat_rate_as_a_number_is_a_400() {
    let fx = Fx::new().await;
    let mut body = basket_body("10.00", "0.2", 1);
    body["payment_link"]["items"][0]["vat_rate"] = json!(0.2);
    let (status, resp) = fx.json(fx.post("/v2/payment_links").json(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, detail, source) = first_error(&resp);
    assert!(
        detail.contains("cannot unmarshal number into Go struct field")
            && detail.contains("of type string"),
        "{detail}"
    );
    assert_eq!(source["pointer"], "/payment_link/items/0/vat_rate");
}

#[tokio::test]
async fn create_rejects_bad_baskets() {
    let fx = Fx::new().await;
    let pointer_of = |body: &Value| {
        body["errors"][0]["source"]["pointer"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "empty items",
            Box::new(|b| b["payment_link"]["items"] = json!([])),
            "/payment_link/items",
        ),
        (
            "unknown method",
            Box::new(|b| b["payment_link"]["potential_payment_methods"] = json!(["bitcoin"])),
            "/payment_link/potential_payment_methods/0",
        ),
        (
            "disabled method",
            Box::new(|b| {
                b["payment_link"]["potential_payment_methods"] = json!(["credit_card", "ideal"])
            }),
            "/payment_link/potential_payment_methods/1",
        ),
        (
            "no methods",
            Box::new(|b| b["payment_link"]["potential_payment_methods"] = json!([])),
            "/payment_link/potential_payment_methods",
        ),
        (
            "three decimals",
            Box::new(|b| b["payment_link"]["items"][0]["unit_price"]["value"] = json!("10.999")),
            "/payment_link/items/0/unit_price/value",
        ),
        (
            "number price",
            Box::new(|b| b["payment_link"]["items"][0]["unit_price"]["value"] = json!(10.99)),
            "/payment_link/items/0/unit_price/value",
        ),
        (
            "fractional quantity",
            Box::new(|b| b["payment_link"]["items"][0]["quantity"] = json!(1.5)),
            "/payment_link/items/0/quantity",
        ),
        (
            "zero quantity",
            Box::new(|b| b["payment_link"]["items"][0]["quantity"] = json!(0)),
            "/payment_link/items/0/quantity",
        ),
        (
            "string quantity",
            Box::new(|b| b["payment_link"]["items"][0]["quantity"] = json!("1")),
            "/payment_link/items/0/quantity",
        ),
        (
            "percent in fraction mode",
            Box::new(|b| b["payment_link"]["items"][0]["vat_rate"] = json!("21.0")),
            "/payment_link/items/0/vat_rate",
        ),
        (
            "usd",
            Box::new(|b| b["payment_link"]["items"][0]["unit_price"]["currency"] = json!("USD")),
            "/payment_link/items/0/unit_price/currency",
        ),
        (
            "missing reusable",
            Box::new(|b| {
                b["payment_link"]
                    .as_object_mut()
                    .unwrap()
                    .remove("reusable");
            }),
            "/payment_link/reusable",
        ),
        (
            "no wrapper",
            Box::new(|b| *b = b["payment_link"].clone()),
            "/payment_link",
        ),
        (
            "zero total",
            Box::new(|b| b["payment_link"]["items"][0]["unit_price"]["value"] = json!("0.00")),
            "/payment_link/items",
        ),
    ];
    for (name, mutate, pointer) in cases {
        let mut body = basket_body("10.00", "0.2", 1);
        mutate(&mut body);
        let (status, resp) = fx.json(fx.post("/v2/payment_links").json(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {resp}");
        assert_eq!(pointer_of(&resp), pointer, "{name}: {resp}");
    }
    // Unknown fields are tolerated.
    let mut body = basket_body("10.00", "0.2", 2);
    body["payment_link"]["something_new"] = json!({"x": 1});
    body["payment_link"]["items"][0]["sku"] = json!("MUG");
    let link = {
        let (status, resp) = fx.json(fx.post("/v2/payment_links").json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{resp}");
        parse_payment_link(resp.to_string().as_bytes()).unwrap()
    };
    assert_eq!(link.amount.value, "24.00");
    // Nothing was created by the rejected requests.
    let list = fx
        .control(reqwest::Method::GET, "/payment_links", None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn percent_format_is_configurable() {
    let fx = Fx::with(FakeConfig {
        vat_rate_format: shared::vat::VatRateFormat::Percent,
        ..FakeConfig::default()
    })
    .await;
    let link = create_basket(&fx, "10.99", "21.0", 1).await;
    assert_eq!(link.amount.value, "13.30");
    // "0.2" reads as 0.2 % in percent mode: accepted, and the amount shows it.
    let link = create_basket(&fx, "10.00", "0.2", 1).await;
    assert_eq!(link.amount.value, "10.02");
}

#[tokio::test]
async fn invoice_links_use_seeded_invoices() {
    let fx = Fx::new().await;
    let (status, inv) = fx
        .json(fx.get(&format!("/v2/client_invoices/{SEED_INVOICE_UNPAID_ID}")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(inv.get("client_invoice").is_some(), "wrapped: {inv}");
    let invoice = parse_client_invoice(inv.to_string().as_bytes()).unwrap();
    let amount = invoice.gross_amount().unwrap();
    let body = json!({
        "payment_link": {
            "invoice_id": invoice.id,
            "invoice_number": invoice.number_or_legacy().unwrap(),
            "debitor_name": invoice.client.as_ref().unwrap().display_name().unwrap(),
            "amount": amount,
            "potential_payment_methods": ["credit_card", "apple_pay"]
        }
    });
    let (status, resp) = fx.json(fx.post("/v2/payment_links").json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{resp}");
    let link = &resp["payment_link"];
    assert_eq!(link["resource_type"], "Invoice");
    assert_eq!(link["items"], Value::Null);
    assert_eq!(link["reusable"], false);
    assert_eq!(link["invoice_id"], json!(SEED_INVOICE_UNPAID_ID));
    assert_eq!(link["amount"], json!(amount));
    let url = link["url"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("resource_id={SEED_INVOICE_UNPAID_ID}")),
        "{url}"
    );

    // Paying the link marks the invoice paid.
    let id = link["id"].as_str().unwrap();
    fx.control(
        reqwest::Method::POST,
        &format!("/payment_links/{id}/pay"),
        None,
    )
    .await;
    let (_, inv) = fx
        .json(fx.get(&format!("/v2/client_invoices/{SEED_INVOICE_UNPAID_ID}")))
        .await;
    assert_eq!(inv["client_invoice"]["status"], "paid");

    // A paid invoice, an unknown one.
    for (invoice_id, code) in [(SEED_INVOICE_PAID_ID, "invalid"), ("nope", "not_found")] {
        let mut b = body.clone();
        b["payment_link"]["invoice_id"] = json!(invoice_id);
        let (status, resp) = fx.json(fx.post("/v2/payment_links").json(&b)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{resp}");
        let (c, _, source) = first_error(&resp);
        assert_eq!(c, code);
        assert_eq!(source["pointer"], "/payment_link/invoice_id");
    }
    let (status, resp) = fx.json(fx.get("/v2/client_invoices/unknown")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error(&resp).2["parameter"], "id");

    // Seeding another invoice through the control API.
    fx.control(
        reqwest::Method::POST,
        "/client_invoices",
        Some(
            json!({"id": "inv-seeded", "number": "X-1", "status": "unpaid", "currency": "EUR",
                    "total_amount": {"value": "5.00", "currency": "EUR"}}),
        ),
    )
    .await;
    let (status, _) = fx.json(fx.get("/v2/client_invoices/inv-seeded")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let fx = Fx::new().await;
    let send = |key: &str, unit: &str| {
        fx.post("/v2/payment_links")
            .header("X-Qonto-Idempotency-Key", key)
            .json(&basket_body(unit, "0.2", 1))
    };
    let (s1, a) = fx.json(send("key-1", "10.00")).await;
    // Same key, even another body: the cached 201.
    let (s2, b) = fx.json(send("key-1", "99.00")).await;
    let (s3, c) = fx.json(send("key-2", "10.00")).await;
    assert_eq!(
        (s1, s2, s3),
        (
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CREATED
        )
    );
    assert_eq!(a, b);
    assert_ne!(a["payment_link"]["id"], c["payment_link"]["id"]);
    let log = fx
        .control(
            reqwest::Method::GET,
            "/requests?route=create_payment_link",
            None,
        )
        .await;
    let replays: Vec<bool> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["idempotent_replay"].as_bool().unwrap())
        .collect();
    assert_eq!(replays, vec![false, true, false]);
    assert_eq!(log[1]["idempotency_key"], "key-1");

    // Concurrent repeats of one key create one link.
    let futures: Vec<_> = (0..20).map(|_| send("key-3", "1.00").send()).collect();
    let results = futures_join(futures).await;
    let mut ids = std::collections::HashSet::new();
    for r in results {
        let r = r.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        ids.insert(v["payment_link"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
}

/// Runs futures concurrently on the runtime.
async fn futures_join<F, T>(futures: Vec<F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn list_paginates_filters_and_sorts() {
    let fx = Fx::new().await;
    // Many concurrent creates: all succeed.
    let creates: Vec<_> = (1..=5)
        .map(|i| {
            fx.post("/v2/payment_links")
                .json(&basket_body(&format!("{i}.00"), "0.0", 1))
                .send()
        })
        .collect();
    for r in futures_join(creates).await {
        assert_eq!(r.unwrap().status(), StatusCode::CREATED);
    }
    let (status, page2) = fx.json(fx.get("/v2/payment_links?page=2&per_page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page2["meta"],
        json!({"current_page": 2, "next_page": 3, "prev_page": 1, "total_pages": 3, "total_count": 5, "per_page": 2})
    );
    let list: PaymentLinkList = serde_json::from_value(page2).unwrap();
    assert_eq!(list.payment_links.len(), 2);
    let (_, last) = fx.json(fx.get("/v2/payment_links?page=3&per_page=2")).await;
    assert_eq!(last["meta"]["next_page"], Value::Null);
    let (_, first) = fx.json(fx.get("/v2/payment_links")).await;
    assert_eq!(first["meta"]["prev_page"], Value::Null);
    assert_eq!(first["meta"]["per_page"], 100);

    let (_, sorted) = fx
        .json(fx.get("/v2/payment_links?sort_by=amount:asc"))
        .await;
    let amounts: Vec<&str> = sorted["payment_links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, vec!["1.00", "2.00", "3.00", "4.00", "5.00"]);
    let (_, sorted) = fx
        .json(fx.get("/v2/payment_links?sort_by=amount:desc"))
        .await;
    assert_eq!(sorted["payment_links"][0]["amount"]["value"], "5.00");

    // Cancel one, pay one, then filter.
    let id_of = |i: usize| {
        sorted["payment_links"][i]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (status, _) = fx
        .json(
            fx.http
                .patch(fx.url(&format!("/v2/payment_links/{}/deactivate", id_of(0))))
                .bearer_auth(&fx.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    fx.control(
        reqwest::Method::POST,
        &format!("/payment_links/{}/pay", id_of(1)),
        None,
    )
    .await;
    let (_, open) = fx.json(fx.get("/v2/payment_links?status[]=open")).await;
    assert_eq!(open["meta"]["total_count"], 3);
    let (_, two) = fx
        .json(fx.get("/v2/payment_links?status%5B%5D=canceled&status%5B%5D=paid"))
        .await;
    assert_eq!(two["meta"]["total_count"], 2);
    let (_, plain) = fx.json(fx.get("/v2/payment_links?status=paid")).await;
    assert_eq!(plain["meta"]["total_count"], 1);
    let (_, joined) = fx
        .json(fx.get("/v2/payment_links?status[]=paid,canceled"))
        .await;
    assert_eq!(joined["meta"]["total_count"], 2);

    for bad in [
        "per_page=101",
        "per_page=0",
        "page=0",
        "sort_by=created_at:asc",
        "status[]=bogus",
    ] {
        let (status, body) = fx.json(fx.get(&format!("/v2/payment_links?{bad}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            first_error(&body).2["parameter"].is_string(),
            "{bad}: {body}"
        );
    }
}

#[tokio::test]
async fn deactivate_and_payments() {
    let fx = Fx::new().await;
    let link = create_basket(&fx, "10.99", "0.21", 1).await;
    let deactivate = |id: &str| {
        fx.http
            .patch(fx.url(&format!("/v2/payment_links/{id}/deactivate")))
            .bearer_auth(&fx.token)
    };
    let (status, body) = fx.json(deactivate(&link.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("payment_link").is_none(), "bare: {body}");
    assert_eq!(body["status"], "canceled");

    // A paid link cannot be deactivated.
    let paid = create_basket(&fx, "5.00", "0.2", 1).await;
    for action in ["fail", "cancel", "pay"] {
        fx.control(
            reqwest::Method::POST,
            &format!("/payment_links/{}/{action}", paid.id),
            Some(json!({"payment_method": "credit_card", "debitor_email": "jane@example.com"})),
        )
        .await;
    }
    let (status, body) = fx.json(deactivate(&paid.id)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = fx.json(deactivate("unknown")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = fx
        .json(fx.get(&format!("/v2/payment_links/{}/payments", paid.id)))
        .await;
    assert_eq!(status, StatusCode::OK);
    for key in [
        "id",
        "amount",
        "status",
        "created_at",
        "payment_method",
        "paid_at",
        "debitor_email",
    ] {
        assert!(
            body["payments"][0].get(key).is_some(),
            "missing {key}: {body}"
        );
    }
    let list: PaymentList = serde_json::from_value(body).unwrap();
    // Newest first by default.
    let statuses: Vec<PaymentStatus> = list.payments.iter().map(|p| p.status.clone()).collect();
    assert_eq!(
        statuses,
        vec![
            PaymentStatus::Paid,
            PaymentStatus::Canceled,
            PaymentStatus::Failed
        ]
    );
    assert!(list.payments[0].paid_at.is_some());
    assert!(list.payments[1].paid_at.is_none());
    assert_eq!(list.payments[0].amount.value, "6.00");
    assert_eq!(list.meta.total_count, 3);
    let (_, asc) = fx
        .json(fx.get(&format!(
            "/v2/payment_links/{}/payments?sort_by=creation_date:asc&status[]=failed&status[]=paid",
            paid.id
        )))
        .await;
    let asc: PaymentList = serde_json::from_value(asc).unwrap();
    let statuses: Vec<PaymentStatus> = asc.payments.iter().map(|p| p.status.clone()).collect();
    assert_eq!(statuses, vec![PaymentStatus::Failed, PaymentStatus::Paid]);
    let (_, got) = fx
        .json(fx.get(&format!("/v2/payment_links/{}", paid.id)))
        .await;
    assert_eq!(got["status"], "paid");

    // A paid link cannot be paid again.
    let resp = fx
        .http
        .post(fx.url(&format!("/_control/payment_links/{}/pay", paid.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn connection_and_payment_methods() {
    let fx = Fx::new().await;
    let (status, body) = fx.json(fx.get("/v2/payment_links/connections")).await;
    assert_eq!(status, StatusCode::OK);
    for key in ["connection_location", "status", "bank_account_id"] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(
        parse_connection(body.to_string().as_bytes())
            .unwrap()
            .status,
        ConnectionStatus::Enabled
    );

    let valid = json!({
        "partner_callback_url": "https://partner.com/payment-links/onboarding-callback",
        "user_bank_account_id": "46e9e0d2-f1af-4d2e-a6be-a536a604b89e",
        "user_phone_number": "+33612345678",
        "user_website_url": "https://the-user-website.com",
        "business_description": "An 80-chars long string describing the business. An 80-chars long string describing the business."
    });
    for (field, value, pointer) in [
        (
            "user_phone_number",
            json!("0612345678"),
            "/user_phone_number",
        ),
        (
            "business_description",
            json!("too short"),
            "/business_description",
        ),
        (
            "user_website_url",
            json!("https://user@site.com"),
            "/user_website_url",
        ),
        (
            "user_website_url",
            json!("ftp://site.com"),
            "/user_website_url",
        ),
        ("user_bank_account_id", json!(null), "/user_bank_account_id"),
    ] {
        let mut body = valid.clone();
        body[field] = value;
        let (status, resp) = fx
            .json(fx.post("/v2/payment_links/connections").json(&body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {resp}");
        assert_eq!(first_error(&resp).2["pointer"], pointer);
    }

    // From no connection: create gives not_connected, onboarding enables.
    fx.control(reqwest::Method::DELETE, "/connection", None)
        .await;
    let (status, _) = fx.json(fx.get("/v2/payment_links/connections")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, created) = fx
        .json(fx.post("/v2/payment_links/connections").json(&valid))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["status"], "not_connected");
    assert_eq!(
        created["bank_account_id"],
        "46e9e0d2-f1af-4d2e-a6be-a536a604b89e"
    );
    // Links cannot be created until the connection is enabled.
    let (status, _) = fx
        .json(
            fx.post("/v2/payment_links")
                .json(&basket_body("1.00", "0.2", 1)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let location = created["connection_location"].as_str().unwrap();
    let resp = fx.http.post(location).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()["location"],
        "https://partner.com/payment-links/onboarding-callback"
    );
    let (_, now) = fx.json(fx.get("/v2/payment_links/connections")).await;
    assert_eq!(now["status"], "enabled");
    fx.control(
        reqwest::Method::PUT,
        "/connection",
        Some(json!({"status": "pending"})),
    )
    .await;
    let (_, now) = fx.json(fx.get("/v2/payment_links/connections")).await;
    assert_eq!(now["status"], "pending");

    // Payment methods: the documented shape, default set.
    let (status, body) = fx
        .json(fx.get("/v2/payment_links/payment_methods?amount=10.00&currency=EUR"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let methods: PaymentMethodsResponse = serde_json::from_value(body).unwrap();
    assert_eq!(
        methods.enabled(),
        vec![
            PaymentMethod::CreditCard,
            PaymentMethod::ApplePay,
            PaymentMethod::Paypal
        ]
    );
    assert!(methods
        .payment_link_payment_methods
        .iter()
        .any(|m| m.name == PaymentMethod::Ideal && !m.enabled));
    let (status, _) = fx
        .json(fx.get("/v2/payment_links/payment_methods?locale=fr"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = fx
        .json(fx.get("/v2/payment_links/payment_methods?amount=10.00"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_error(&body).2["parameter"], "currency");
    fx.control(
        reqwest::Method::PUT,
        "/payment_methods",
        Some(json!({"enabled": ["ideal"]})),
    )
    .await;
    let (_, body) = fx
        .json(fx.get("/v2/payment_links/payment_methods?locale=nl"))
        .await;
    let methods: PaymentMethodsResponse = serde_json::from_value(body).unwrap();
    assert_eq!(methods.enabled(), vec![PaymentMethod::Ideal]);
}

// ---------------------------------------------------------------------------
// Webhooks, the payment page, faults
// ---------------------------------------------------------------------------

#[tokio::test]
async fn webhook_subscriptions_validate_and_list() {
    let fx = Fx::new().await;
    let (status, body) = fx
        .json(fx.post("/v2/webhook_subscriptions").json(&json!({
            "callback_url": "http://127.0.0.1:9/webhooks/qonto",
            "types": ["v1/payment-links"],
            "description": "checkout"
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for key in [
        "id",
        "organization_id",
        "membership_id",
        "callback_url",
        "types",
        "description",
        "created_at",
        "updated_at",
        "secret",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    let sub: WebhookSubscription = serde_json::from_value(body).unwrap();
    assert!(sub.secret.unwrap().len() >= 32);

    for (body, pointer) in [
        (json!({"types": ["v1/payment-links"]}), "/callback_url"),
        (
            json!({"callback_url": "http://x.test/h", "types": []}),
            "/types",
        ),
        (
            json!({"callback_url": "http://x.test/h", "types": ["v1/nope"]}),
            "/types/0",
        ),
        (
            json!({"callback_url": "http://x.test/h", "types": ["v1/payment-links"], "secret": "short"}),
            "/secret",
        ),
        (
            json!({"callback_url": "not a url", "types": ["v1/payment-links"]}),
            "/callback_url",
        ),
    ] {
        let (status, resp) = fx
            .json(fx.post("/v2/webhook_subscriptions").json(&body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {resp}");
        assert_eq!(first_error(&resp).2["pointer"], pointer, "{resp}");
    }
    let (status, list) = fx.json(fx.get("/v2/webhook_subscriptions")).await;
    assert_eq!(status, StatusCode::OK);
    let list: WebhookSubscriptionList = serde_json::from_value(list).unwrap();
    assert_eq!(list.subscriptions.len(), 1);
    assert!(list.subscriptions[0].secret.is_none());
}

/// What a receiver got: the signature header and the raw body.
type Received = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// A webhook receiver on port 0 that fails its first requests with 500.
struct Receiver {
    url: String,
    got: Received,
    _task: tokio::task::JoinHandle<()>,
}

async fn receiver(fail_first: usize) -> Receiver {
    use axum::http::HeaderMap;
    let got: Received = Arc::default();
    let got2 = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let got = got2.clone();
            async move {
                let sig = headers
                    .get("x-qonto-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let mut g = got.lock().unwrap();
                g.push((sig, body.to_vec()));
                if g.len() <= fail_first {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Receiver {
        url,
        got,
        _task: task,
    }
}

async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting");
}

#[tokio::test]
async fn paying_on_the_page_sends_a_signed_webhook_with_a_retry() {
    let fx = Fx::with(FakeConfig {
        webhook_retry_delay: Duration::from_millis(50),
        ..FakeConfig::default()
    })
    .await;
    let link = create_basket(&fx, "10.99", "0.21", 1).await;
    let rx = receiver(1).await;
    let secret = "a-webhook-secret-of-at-least-32-characters";
    let (status, _) = fx
        .json(fx.post("/v2/webhook_subscriptions").json(&json!({
            "callback_url": rx.url, "types": ["v1/payment-links"], "secret": secret
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The hosted page shows the amount.
    let url = link.url.clone().unwrap();
    let page = fx.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"amount\" data-value=\"13.30\""),
        "{html}"
    );
    assert!(html.contains("€13.30"));
    assert!(html.contains("Item 1"));
    // A different resource_id is not this checkout.
    let wrong = fx
        .http
        .get(format!(
            "{}/pay/{}?resource_id=other",
            fx.fake.base_url(),
            link.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);

    // Choose "paid" by card.
    let resp = fx
        .http
        .post(format!("{}/pay/{}", fx.fake.base_url(), link.id))
        .form(&[
            ("outcome", "paid"),
            ("payment_method", "credit_card"),
            ("debitor_email", "jane@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-link-status=\"paid\""), "{html}");

    // First delivery fails (500), the retry succeeds.
    let got = wait_for(|| {
        let g = rx.got.lock().unwrap();
        (g.len() >= 2).then(|| g.clone())
    })
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (sig, body) in &got {
        let sig = sig.as_deref().expect("X-Qonto-Signature header");
        shared::webhook::verify(secret.as_bytes(), sig, body, now, 300).expect("valid signature");
        let t: i64 = sig.split(',').next().unwrap()[2..].parse().unwrap();
        assert_eq!(sig, shared::webhook::sign(secret.as_bytes(), t, body));
    }
    assert_eq!(got[0].1, got[1].1, "retries resend the same body");
    let event: WebhookEvent = serde_json::from_slice(&got[1].1).unwrap();
    assert_eq!(event.event_type, "v1/payment-links");
    let data = event.payment_link_data().unwrap();
    assert_eq!(data.payment_link_id, link.id);
    assert_eq!(data.status, Some(PaymentLinkStatus::Paid));
    assert_eq!(data.event.as_ref().map(|e| e.as_str()), Some("updated"));
    assert_eq!(data.resource_type, Some(ResourceType::Basket));
    assert_eq!(data.amount.unwrap().value, "13.30");
    assert_eq!(
        data.latest_payment_method_used,
        Some(PaymentMethod::CreditCard)
    );
    let raw: Value = serde_json::from_slice(&got[1].1).unwrap();
    for key in [
        "id",
        "subscription_id",
        "organization_id",
        "membership_id",
        "type",
        "created_at",
        "data",
    ] {
        assert!(raw.get(key).is_some(), "missing {key}");
    }

    // The delivery log shows both attempts (the second is logged once the
    // receiver's answer arrives, so poll).
    let mut deliveries = Value::Null;
    for _ in 0..100 {
        deliveries = fx.control(reqwest::Method::GET, "/webhooks", None).await;
        if deliveries.as_array().is_some_and(|d| d.len() >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let attempts: Vec<(u64, u64)> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["attempt"].as_u64().unwrap(),
                d["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts, vec![(1, 500), (2, 200)]);
    assert!(deliveries[0]["headers"]["X-Qonto-Signature"].is_string());

    // The link and its payment agree.
    let (_, payments) = fx
        .json(fx.get(&format!("/v2/payment_links/{}/payments", link.id)))
        .await;
    assert_eq!(payments["payments"][0]["status"], "paid");
    assert_eq!(payments["payments"][0]["debitor_email"], "jane@example.com");
    // The page now says it is paid, without buttons.
    let html = fx
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"closed\""));
    assert!(!html.contains("id=\"pay\""));
}

#[tokio::test]
async fn created_events_go_to_subscribers() {
    let fx = Fx::new().await;
    let rx = receiver(0).await;
    fx.json(fx.post("/v2/webhook_subscriptions").json(&json!({
        "callback_url": rx.url, "types": ["v1/payment-links"]
    })))
    .await;
    let link = create_basket(&fx, "10.00", "0.2", 1).await;
    let got = wait_for(|| rx.got.lock().unwrap().first().cloned()).await;
    let event: WebhookEvent = serde_json::from_slice(&got.1).unwrap();
    let data = event.payment_link_data().unwrap();
    assert_eq!(data.payment_link_id, link.id);
    assert_eq!(data.event.as_ref().map(|e| e.as_str()), Some("created"));
    assert_eq!(data.status, Some(PaymentLinkStatus::Open));
    assert_eq!(data.expired_at, link.expiration_date);
}

#[tokio::test]
async fn injected_faults() {
    let fx = Fx::new().await;
    fx.control(
        reqwest::Method::POST,
        "/faults",
        Some(json!({"kind": "rate_limit", "retry_after": 3, "route": "list_payment_links", "times": 2})),
    )
    .await;
    for _ in 0..2 {
        let resp = fx.get("/v2/payment_links").send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "3");
    }
    assert_eq!(
        fx.get("/v2/payment_links").send().await.unwrap().status(),
        StatusCode::OK
    );

    fx.control(
        reqwest::Method::POST,
        "/faults",
        Some(json!({"kind": "server_error", "method": "POST", "path_prefix": "/v2/payment_links"})),
    )
    .await;
    let resp = fx
        .post("/v2/payment_links")
        .json(&basket_body("1.00", "0.2", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(resp.bytes().await.unwrap().is_empty());

    // Malformed JSON: the link is created, the response does not parse.
    fx.control(
        reqwest::Method::POST,
        "/faults",
        Some(json!({"kind": "malformed_json", "route": "create_payment_link"})),
    )
    .await;
    let resp = fx
        .post("/v2/payment_links")
        .json(&basket_body("1.00", "0.2", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let bytes = resp.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
    let links = fx
        .control(reqwest::Method::GET, "/payment_links", None)
        .await;
    assert_eq!(links.as_array().unwrap().len(), 1);

    // Latency, then a normal answer.
    fx.control(
        reqwest::Method::POST,
        "/faults",
        Some(json!({"kind": "latency", "ms": 300, "route": "oauth_token"})),
    )
    .await;
    let started = std::time::Instant::now();
    let resp = fx
        .http
        .post(fx.url("/oauth2/token"))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let log = fx.control(reqwest::Method::GET, "/requests", None).await;
    let faults: Vec<Value> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fault"].clone())
        .collect();
    assert_eq!(
        faults,
        vec![
            json!("rate_limit"),
            json!("rate_limit"),
            Value::Null,
            json!("server_error"),
            json!("malformed_json"),
            json!("latency_300ms")
        ]
    );
    let pending = fx.control(reqwest::Method::GET, "/faults", None).await;
    assert_eq!(pending, json!([]));
}

#[tokio::test]
async fn reset_keeps_tokens_and_clears_data() {
    let fx = Fx::new().await;
    create_basket(&fx, "1.00", "0.2", 1).await;
    fx.control(reqwest::Method::POST, "/reset", None).await;
    let (status, list) = fx.json(fx.get("/v2/payment_links")).await;
    assert_eq!(status, StatusCode::OK, "tokens survive a reset");
    assert_eq!(list["meta"]["total_count"], 0);
    fx.control(
        reqwest::Method::POST,
        "/reset",
        Some(json!({"tokens": true})),
    )
    .await;
    assert_eq!(
        fx.get("/v2/payment_links").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error() {
    let first = fake_qonto::start(FakeConfig::default()).await.unwrap();
    let err = fake_qonto::start(FakeConfig {
        port: first.port(),
        ..FakeConfig::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    assert!(err.to_string().contains(&first.port().to_string()), "{err}");
    let port = first.port();
    first.shutdown().await.unwrap();
    // The port is free again.
    let again = fake_qonto::start(FakeConfig {
        port,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(again.port(), port);
}
