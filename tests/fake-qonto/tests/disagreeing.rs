//! The fake's switches that make it disagree with the edge, driven over
//! HTTP: another amount, payments in flight, a paid payment of another
//! amount, `redirect_url` honoured or refused, webhooks never sent.
//! Expected amounts are worked out by hand.

use fake_qonto::{FakeConfig, RunningFake};
use reqwest::{redirect, Client, StatusCode};
use serde_json::{json, Value};

struct Fx {
    fake: RunningFake,
    http: Client,
    token: String,
}

impl Fx {
    async fn new() -> Fx {
        let fake = fake_qonto::start(FakeConfig::default()).await.unwrap();
        let http = Client::builder()
            .no_proxy()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap();
        let t: Value = http
            .post(format!("{}/_control/tokens", fake.base_url()))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = t["access_token"].as_str().unwrap().to_owned();
        Fx { fake, http, token }
    }

    async fn settings(&self, patch: Value) {
        let r = self
            .http
            .patch(format!("{}/_control/settings", self.fake.base_url()))
            .json(&patch)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{patch}");
    }

    async fn create(&self, link: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}/v2/payment_links", self.fake.base_url()))
            .bearer_auth(&self.token)
            .json(&json!({ "payment_link": link }))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    async fn action(&self, id: &str, action: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!(
                "{}/_control/payment_links/{id}/{action}",
                self.fake.base_url()
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{action}: {}", r.status());
        r.json().await.unwrap()
    }
}

/// Three lines of 0.10 net at 5 %: VAT 0.005 each.
fn three_dimes(redirect_url: Option<&str>) -> Value {
    let item = json!({"title": "Dime", "quantity": 1,
        "unit_price": {"value": "0.10", "currency": "EUR"}, "vat_rate": "0.05"});
    let mut link = json!({"potential_payment_methods": ["credit_card"], "reusable": false,
        "items": [item, item, item]});
    if let Some(u) = redirect_url {
        link["redirect_url"] = json!(u);
    }
    link
}

#[tokio::test]
async fn the_amount_can_be_computed_another_way() {
    let fx = Fx::new().await;
    // Per line: 0.01 VAT each (half up), 0.33 in all.
    let (s, b) = fx.create(three_dimes(None)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["payment_link"]["amount"]["value"], "0.33");
    // Rounded once on the total 0.015: 0.32.
    fx.settings(json!({"rounding": "total"})).await;
    let (_, b) = fx.create(three_dimes(None)).await;
    assert_eq!(b["payment_link"]["amount"]["value"], "0.32");
    // "0.2" accepted as a fraction, computed as 0.2 %: 10.00 + 0.02.
    fx.settings(json!({"rounding": "per_line", "vat_reading": "other_scale"}))
        .await;
    let (s, b) = fx
        .create(json!({"potential_payment_methods": ["credit_card"], "reusable": false,
            "items": [{"title": "A", "quantity": 1, "unit_price": {"value": "10.00", "currency": "EUR"}, "vat_rate": "0.2"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["payment_link"]["amount"]["value"], "10.02");
}

#[tokio::test]
async fn payments_can_stay_in_flight_and_settle_at_another_amount() {
    let fx = Fx::new().await;
    fx.settings(json!({"pay_status": "pending", "paid_amount_delta": -1}))
        .await;
    let (_, b) = fx.create(three_dimes(None)).await;
    let id = b["payment_link"]["id"].as_str().unwrap().to_owned();
    let paid = fx.action(&id, "pay", json!({})).await;
    assert_eq!(paid["payment"]["status"], "pending");
    assert_eq!(paid["payment_link"]["status"], "processing");
    let step = fx
        .action(&id, "settle", json!({"status": "authorized"}))
        .await;
    assert_eq!(step["payment"]["status"], "authorized");
    assert_eq!(step["payment_link"]["status"], "processing");
    let done = fx.action(&id, "settle", json!({})).await;
    assert_eq!(done["payment"]["status"], "paid");
    assert_eq!(done["payment"]["amount"]["value"], "0.32", "one cent short");
    assert_eq!(done["payment_link"]["status"], "paid");
}

#[tokio::test]
async fn redirect_url_is_honoured_or_refused() {
    let fx = Fx::new().await;
    let back = "http://127.0.0.1:9/shop?qc_checkout=ck_1";
    let (s, b) = fx.create(three_dimes(Some(back))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["payment_link"]["id"].as_str().unwrap();
    let r = fx
        .http
        .post(format!("{}/pay/{id}", fx.fake.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=paid")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], back);

    fx.settings(json!({"refuse_redirect_url": true})).await;
    let (s, b) = fx.create(three_dimes(Some(back))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        b["errors"][0]["source"]["pointer"],
        "/payment_link/redirect_url"
    );
    let (s, _) = fx.create(three_dimes(None)).await;
    assert_eq!(s, StatusCode::CREATED, "without it the link is made");
}
