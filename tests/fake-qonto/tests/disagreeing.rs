//! The fake's switches that make it disagree with the edge, driven over
//! HTTP: another amount, payments in flight, a paid payment of another
//! amount, `redirect_url` honoured or refused, webhooks never sent.
//! Expected amounts are worked out by hand.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::Fx;

async fn settings(fx: &Fx, patch: Value) {
    fx.control(Method::PATCH, "/settings", Some(patch)).await;
}

async fn create(fx: &Fx, link: Value) -> (StatusCode, Value) {
    fx.json(
        fx.post("/v2/payment_links")
            .json(&json!({ "payment_link": link })),
    )
    .await
}

async fn action(fx: &Fx, id: &str, action: &str, body: Value) -> Value {
    fx.control(
        Method::POST,
        &format!("/payment_links/{id}/{action}"),
        Some(body),
    )
    .await
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
    let (s, b) = create(&fx, three_dimes(None)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["payment_link"]["amount"]["value"], "0.33");
    // Rounded once on the total 0.015: 0.32.
    settings(&fx, json!({"rounding": "total"})).await;
    let (_, b) = create(&fx, three_dimes(None)).await;
    assert_eq!(b["payment_link"]["amount"]["value"], "0.32");
    // "0.2" accepted as a fraction, computed as 0.2 %: 10.00 + 0.02.
    settings(
        &fx,
        json!({"rounding": "per_line", "vat_reading": "other_scale"}),
    )
    .await;
    let (s, b) = create(&fx, json!({"potential_payment_methods": ["credit_card"], "reusable": false,
            "items": [{"title": "A", "quantity": 1, "unit_price": {"value": "10.00", "currency": "EUR"}, "vat_rate": "0.2"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["payment_link"]["amount"]["value"], "10.02");
}

#[tokio::test]
async fn payments_can_stay_in_flight_and_settle_at_another_amount() {
    let fx = Fx::new().await;
    settings(
        &fx,
        json!({"pay_status": "pending", "paid_amount_delta": -1}),
    )
    .await;
    let (_, b) = create(&fx, three_dimes(None)).await;
    let id = b["payment_link"]["id"].as_str().unwrap().to_owned();
    let paid = action(&fx, &id, "pay", json!({})).await;
    assert_eq!(paid["payment"]["status"], "pending");
    assert_eq!(paid["payment_link"]["status"], "processing");
    let step = action(&fx, &id, "settle", json!({"status": "authorized"})).await;
    assert_eq!(step["payment"]["status"], "authorized");
    assert_eq!(step["payment_link"]["status"], "processing");
    let done = action(&fx, &id, "settle", json!({})).await;
    assert_eq!(done["payment"]["status"], "paid");
    assert_eq!(done["payment"]["amount"]["value"], "0.32", "one cent short");
    assert_eq!(done["payment_link"]["status"], "paid");
}

#[tokio::test]
async fn redirect_url_is_honoured_or_refused() {
    let fx = Fx::new().await;
    let back = "http://127.0.0.1:9/shop?qc_checkout=ck_1";
    let (s, b) = create(&fx, three_dimes(Some(back))).await;
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

    settings(&fx, json!({"refuse_redirect_url": true})).await;
    let (s, b) = create(&fx, three_dimes(Some(back))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        b["errors"][0]["source"]["pointer"],
        "/payment_link/redirect_url"
    );
    let (s, _) = create(&fx, three_dimes(None)).await;
    assert_eq!(s, StatusCode::CREATED, "without it the link is made");
}
