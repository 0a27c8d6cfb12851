//! The fake behaves like a real Qonto account at onboarding: `invalid_scope`
//! for a scope the app is not allowed, `GET /v2/organization` behind
//! `organization.read`, one provider connection per user, and connection
//! webhooks on revocation.

mod support;

use fake_qonto::{FakeConfig, BANK_ACCOUNT_ID, SAVINGS_BANK_ACCOUNT_ID};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::Fx;

fn query(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn a_scope_the_app_may_not_ask_for_fails_the_whole_authorization() {
    let fx = Fx::with(FakeConfig {
        auto_consent: true,
        ..FakeConfig::default()
    })
    .await;
    let authorize = |scope: &str| {
        let q = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", fake_qonto::DEFAULT_CLIENT_ID)
            .append_pair("redirect_uri", "https://shop.example/cb")
            .append_pair("response_type", "code")
            .append_pair("scope", scope)
            .append_pair("state", "state-0123456789")
            .finish();
        fx.url(&format!("/oauth2/auth?{q}"))
    };
    let allowed = ["payment_link.read", "payment_link.write", "offline_access"];
    fx.control(
        Method::PATCH,
        "/settings",
        Some(json!({ "allowed_scopes": allowed })),
    )
    .await;

    let resp = fx
        .http
        .get(authorize("payment_link.read webhook"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let params = query(resp.headers()["location"].to_str().unwrap());
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("error"), Some("invalid_scope"));
    assert_eq!(get("state"), Some("state-0123456789"));
    assert_eq!(get("code"), None, "no code at all");
    assert!(
        get("error_description").is_some_and(|d| d.contains("'webhook'")),
        "{params:?}"
    );

    let resp = fx
        .http
        .get(authorize(&allowed.join(" ")))
        .send()
        .await
        .unwrap();
    let params = query(resp.headers()["location"].to_str().unwrap());
    assert!(params.iter().any(|(k, _)| k == "code"), "{params:?}");

    fx.control(
        Method::PATCH,
        "/settings",
        Some(json!({ "allowed_scopes": "any" })),
    )
    .await;
    let resp = fx
        .http
        .get(authorize("payment_link.read webhook"))
        .send()
        .await
        .unwrap();
    let params = query(resp.headers()["location"].to_str().unwrap());
    assert!(params.iter().any(|(k, _)| k == "code"), "{params:?}");
}

#[tokio::test]
async fn the_organisation_lists_two_accounts_behind_its_scope() {
    let fx = Fx::new().await;
    let without = fx.token("payment_link.read").await;
    let (status, _) = fx
        .json(
            fx.http
                .get(fx.url("/v2/organization"))
                .bearer_auth(&without),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let with = fx.token("organization.read").await;
    let (status, org) = fx
        .json(fx.http.get(fx.url("/v2/organization")).bearer_auth(&with))
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    let accounts = org["organization"]["bank_accounts"].as_array().unwrap();
    let ids: Vec<(&str, bool)> = accounts
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["main"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        ids,
        [(SAVINGS_BANK_ACCOUNT_ID, false), (BANK_ACCOUNT_ID, true)]
    );
    assert_eq!(org["organization"]["name"], "Atelier Démo SAS");
}

#[tokio::test]
async fn one_connection_per_user_and_revocation_is_announced() {
    let fx = Fx::with(FakeConfig {
        connection: None,
        ..FakeConfig::default()
    })
    .await;
    let t = fx
        .token("payment_link.read payment_link.write webhook")
        .await;
    let connect = |account: &str| {
        fx.http
            .post(fx.url("/v2/payment_links/connections"))
            .bearer_auth(&t)
            .json(&json!({
                "partner_callback_url": "https://shop.example/admin",
                "user_bank_account_id": account,
                "user_phone_number": "+33612345678",
                "user_website_url": "https://shop.example",
                "business_description": "An 80-chars long string describing the business. An 80-chars long string describing the business."
            }))
            .send()
    };
    let resp = fx
        .http
        .get(fx.url("/v2/payment_links/connections"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "no connection yet");

    // An account of another organisation is refused.
    let resp = connect("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = connect(SAVINGS_BANK_ACCOUNT_ID).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = connect(BANK_ACCOUNT_ID).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["code"], "multiple_connections_not_allowed",
        "{body}"
    );

    // Subscribed to connection events: enabling then revoking is announced.
    let sub = fx
        .http
        .post(fx.url("/v2/webhook_subscriptions"))
        .bearer_auth(&t)
        .json(&json!({
            "callback_url": "http://127.0.0.1:9/nowhere",
            "types": ["v1/payment-links-connections"],
            "secret": "a-secret-of-at-least-thirty-two-characters",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(sub.status(), StatusCode::CREATED);
    for status in ["enabled", "disabled"] {
        fx.control(
            Method::PUT,
            "/connection",
            Some(json!({ "status": status })),
        )
        .await;
    }
    let mut events: Vec<String> = Vec::new();
    for _ in 0..50 {
        let log = fx
            .control(
                Method::GET,
                "/webhooks?event_type=v1/payment-links-connections",
                None,
            )
            .await;
        events = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["attempt"] == 1)
            .map(|d| d["event"].as_str().unwrap_or("").to_owned())
            .collect();
        if events.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(events, ["connection_enabled", "connection_revoked"]);

    // A revoked (disabled) connection may be replaced.
    let resp = connect(BANK_ACCOUNT_ID).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}
