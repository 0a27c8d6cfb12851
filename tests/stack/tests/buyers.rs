//! An EU shop's details step, through the real Worker (`wrangler dev`)
//! against the fake Qonto, in a stack of its own configured with legal pages
//! (`TERMS_URL`, `WITHDRAWAL_URL`, `PRIVACY_URL`) and business buyers
//! (`BUSINESS_BUYERS=on`): a checkout without the terms accepted is refused
//! and nothing is created; an accepted one keeps the acceptance (time and
//! pages) with its order; a business buyer's company and VAT number are
//! checked, stored, and shown in the admin, the CSV export and the merchant
//! notification. The catalog tells the widget all of it.

mod common;

use common::*;
use qc_stack::{Stack, StackConfig, StackUrls};
use serde_json::{json, Value};

const TERMS: &str = "http://localhost:9/terms.html";
const WITHDRAWAL: &str = "http://localhost:9/withdrawal.html";
const PRIVACY: &str = "http://localhost:9/privacy.html";

async fn start() -> (Stack, StackUrls) {
    let stack = Stack::start(StackConfig {
        extra_vars: [
            ("TERMS_URL", TERMS),
            ("WITHDRAWAL_URL", WITHDRAWAL),
            ("PRIVACY_URL", PRIVACY),
            ("BUSINESS_BUYERS", "on"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect(),
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let urls = stack.urls();
    (stack, urls)
}

fn order(terms: Option<bool>, company: Option<&str>, vat: Option<&str>) -> Value {
    let mut customer = json!({"email": "compta@atelier.example", "name": "Ana Lopes"});
    if let Some(c) = company {
        customer["company"] = json!(c);
    }
    if let Some(v) = vat {
        customer["vat_number"] = json!(v);
    }
    let mut body = json!({"items": [{"sku": "ebook", "quantity": 2}], "customer": customer});
    if let Some(t) = terms {
        body["terms_accepted"] = json!(t);
    }
    body
}

/// Checkouts in the ledger (the admin's count), to see nothing was created.
async fn checkouts(urls: &StackUrls) -> Value {
    admin_get(urls, "/admin/checkouts").await.1["meta"]["total_count"].clone()
}

#[tokio::test]
async fn terms_must_be_accepted_and_business_buyers_are_kept_with_their_order() {
    let (_stack, urls) = start().await;

    // The widget learns the legal pages and the business fields.
    let (s, catalog) = {
        let r = client()
            .get(format!("{}/v1/catalog", urls.edge))
            .send()
            .await
            .expect("catalog");
        let (s, _, b) = parts(r).await;
        (s, b)
    };
    assert_eq!(s, 200);
    assert_eq!(
        catalog["checkout"],
        json!({"terms_url": TERMS, "withdrawal_url": WITHDRAWAL, "privacy_url": PRIVACY,
               "business_buyers": true})
    );

    // Not accepted (absent or false): 422, nothing created.
    let before = checkouts(&urls).await;
    let mut refused = 0;
    for terms in [None, Some(false)] {
        let (s, _, b) =
            post_checkout(&urls, &order(terms, None, None), &key("t"), &client_ip()).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["code"], "terms_not_accepted", "{b}");
        assert_eq!(b["error"]["field"], "terms_accepted", "{b}");
        refused += 1;
    }
    // A malformed VAT number is named with the country's format.
    let (s, _, b) = post_checkout(
        &urls,
        &order(Some(true), Some("Atelier Lumière SARL"), Some("FR123")),
        &key("v"),
        &client_ip(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("invalid_vat_number")),
        "{b}"
    );
    assert_eq!(b["error"]["field"], "customer.vat_number");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("FR + 2 letters or digits + 9 digits")),
        "{b}"
    );
    refused += 1;
    assert_eq!(
        checkouts(&urls).await,
        before,
        "a refused checkout leaves no row"
    );

    // Accepted, by a business buyer.
    let (s, _, created) = post_checkout(
        &urls,
        &order(
            Some(true),
            Some("Atelier Lumière SARL"),
            Some("fr 40 303 265 045"),
        ),
        &key("ok"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap_or("").to_owned();
    let (s, detail) = admin_get(&urls, &format!("/admin/checkouts/{id}")).await;
    assert_eq!(s, 200, "{detail}");
    let stored = &detail["order"];
    assert_eq!(stored["customer"]["company"], "Atelier Lumière SARL");
    assert_eq!(stored["customer"]["vat_number"], "FR40303265045");
    assert_eq!(stored["terms"]["terms_url"], TERMS);
    assert_eq!(stored["terms"]["withdrawal_url"], WITHDRAWAL);
    assert_eq!(stored["terms"]["privacy_url"], PRIVACY);
    let accepted_at = stored["terms"]["accepted_at"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        accepted_at.len() >= 20
            && accepted_at.as_str() <= detail["created_at"].as_str().unwrap_or(""),
        "accepted at {accepted_at}, created at {}",
        detail["created_at"]
    );

    // Paid: the merchant's notification carries them.
    let link = created["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned();
    pay_link(&urls, &link).await;
    let mut notified = Vec::new();
    for _ in 0..50 {
        notified = merchant_received(&urls, &id).await;
        if !notified.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let paid: Value = serde_json::from_str(
        notified.first().expect("the merchant was notified")["body"]
            .as_str()
            .unwrap_or(""),
    )
    .expect("the notification is JSON");
    let order = &paid["checkout"]["order"];
    assert_eq!(
        (
            order["customer"]["company"].as_str(),
            order["customer"]["vat_number"].as_str()
        ),
        (Some("Atelier Lumière SARL"), Some("FR40303265045")),
        "{paid}"
    );
    assert_eq!(order["terms"]["accepted_at"], accepted_at.as_str());

    // The CSV export has them in its last three columns.
    let csv = client()
        .get(format!("{}/admin/orders.csv", urls.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("CSV")
        .text()
        .await
        .expect("CSV text");
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or("");
    assert!(
        header.ends_with(",reference,company,vat_number,terms_accepted_at,discount_code,discount"),
        "{header}"
    );
    let row = lines.find(|l| l.starts_with(&id)).expect("the order's row");
    assert!(
        row.ends_with(&format!(
            ",Atelier Lumière SARL,FR40303265045,{accepted_at},,"
        )),
        "{row}"
    );
    println!(
        "details step: {refused} checkouts refused (terms ×2, VAT number ×1), 1 accepted and paid; \
         acceptance at {accepted_at} stored, notified and exported"
    );
}
