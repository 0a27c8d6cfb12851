//! Browser tests of an EU shop's details step: the legal pages' links and
//! the terms checkbox that must be ticked before Pay (`terms_accepted`),
//! a business buyer's company and VAT number (checked with
//! `shared::vat_number`, sent, the edge's 422 inline), and the Pay label
//! per language and from the page (`data-pay-label`).

use super::*;

/// The e-book (a service: no address) in a shop with terms, withdrawal
/// information (no privacy page) and business buyers: 10.00 net at 5.5 %,
/// 10.55 gross.
const EU_SHOP: &str = r#"{"currency":"EUR","products":[
 {"sku":"ebook","title":"E-book","unit_price":{"value":"10.00","currency":"EUR"},
  "unit_price_gross":{"value":"10.55","currency":"EUR"},"vat_rate":"5.5","type":"service"}],
 "checkout":{"terms_url":"https://shop.example/terms","withdrawal_url":"https://shop.example/withdrawal",
  "business_buyers":true}}"#;

/// A shop with the e-book in the basket, on the details step.
async fn eu_details(w: &Widget) {
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(w).await;
}

fn eu_page() {
    fresh_page();
    route("GET", "/v1/catalog", 200, EU_SHOP);
    store("qc-basket", "ebook:1");
}

/// Ticks (or unticks) the terms checkbox as a shopper does: a click.
fn tick_terms(w: &Widget) {
    control(w, "terms").click();
}

#[wasm_bindgen_test]
async fn the_terms_must_be_ticked_before_pay_and_the_request_says_so() {
    eu_page();
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    eu_details(&w).await;
    // The pages that are set, in a new tab; no privacy page here.
    let link = |i: usize| w.el(&format!("#qc-l{i}"));
    assert_eq!(link(0).text_content().unwrap(), "Terms and conditions");
    assert_eq!(
        link(0).get_attribute("href").as_deref(),
        Some("https://shop.example/terms")
    );
    assert_eq!(link(0).get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link(0).get_attribute("rel").as_deref(), Some("noopener"));
    assert_eq!(link(1).text_content().unwrap(), "Right of withdrawal");
    assert!(link(1).offset_parent().is_some());
    assert!(
        link(2).offset_parent().is_none(),
        "no privacy page: no link"
    );
    assert!(shown(&w, "terms"));
    assert_eq!(
        w.text("label[for=qc-f10]"),
        "I accept the terms and conditions"
    );

    // Pay without ticking: blocked, said on the checkbox, which has the focus.
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the terms error", || !error_of(&w, "terms").is_empty()).await;
    assert_eq!(
        error_of(&w, "terms"),
        "Please accept the terms and conditions."
    );
    wait_for("the focus", || focused(&w) == "input#qc-f10").await;
    tick().await;
    assert!(requests("POST", "/v1/checkouts").is_empty(), "nothing sent");

    // Ticked: the error goes, and Pay sends the acceptance.
    tick_terms(&w);
    tick().await;
    assert_eq!(error_of(&w, "terms"), "");
    pay_button(&w).click();
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(
            r#"{{"items":[{{"sku":"ebook","quantity":1}}],{CUSTOMER},"language":"en","terms_accepted":true}}"#
        )
    );
    // The acceptance is for this order: never remembered.
    assert_eq!(stored("qc-details"), None);
}

#[wasm_bindgen_test]
async fn the_edges_terms_not_accepted_shows_on_the_checkbox() {
    eu_page();
    route(
        "POST",
        "/v1/checkouts",
        422,
        r#"{"error":{"code":"terms_not_accepted","field":"terms_accepted",
            "message":"the shop's terms and conditions must be accepted (terms_accepted: true)"}}"#,
    );
    let w = Widget::mount(Some("en"));
    eu_details(&w).await;
    fill_details(&w);
    tick_terms(&w);
    pay_button(&w).click();
    wait_for("the inline error", || !error_of(&w, "terms").is_empty()).await;
    assert_eq!(
        error_of(&w, "terms"),
        "Please accept the terms and conditions."
    );
    assert_eq!(w.text(".qc-error"), "", "said on the checkbox, not twice");
}

#[wasm_bindgen_test]
async fn a_shop_without_terms_shows_no_checkbox_and_sends_no_acceptance() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(&w).await;
    assert!(!shown(&w, "terms"));
    assert!(!shown(&w, "organization"));
    assert!(!shown(&w, "vat-number"));
    for i in 0..3 {
        assert!(w.el(&format!("#qc-l{i}")).offset_parent().is_none());
    }
    fill_details(&w);
    type_into(&w, "address-line1", "1 rue de la Paix");
    type_into(&w, "postal-code", "75002");
    type_into(&w, "city", "Paris");
    pay_button(&w).click();
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    let body = body_of(&requests("POST", "/v1/checkouts")[0]).await;
    assert!(!body.contains("terms_accepted"), "{body}");
    assert!(!body.contains("company"), "{body}");
}

#[wasm_bindgen_test]
async fn a_business_buyers_company_and_vat_number_are_checked_and_sent() {
    eu_page();
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    eu_details(&w).await;
    assert_eq!(w.text("label[for=qc-f8]"), "Company (optional)");
    assert_eq!(w.text("label[for=qc-f9]"), "VAT number (optional)");
    let company = control(&w, "organization");
    assert_eq!(
        company.get_attribute("autocomplete").as_deref(),
        Some("organization")
    );
    assert_eq!(company.get_attribute("maxlength").as_deref(), Some("200"));
    assert_eq!(
        control(&w, "vat-number")
            .get_attribute("maxlength")
            .as_deref(),
        Some("32")
    );
    // A German number a digit short: said when the field is left.
    type_into(&w, "vat-number", "DE12345678");
    tick().await;
    assert_eq!(
        error_of(&w, "vat-number"),
        "This is not a valid EU VAT number."
    );
    // Greek numbers start EL, not GR (shared::vat_number's rule).
    type_into(&w, "vat-number", "GR123456789");
    tick().await;
    assert_eq!(
        error_of(&w, "vat-number"),
        "This is not a valid EU VAT number."
    );
    type_into(&w, "vat-number", "fr 40 303 265 045");
    tick().await;
    assert_eq!(error_of(&w, "vat-number"), "");
    type_into(&w, "organization", " Atelier Lovelace ");
    fill_details(&w);
    tick_terms(&w);
    // Remembered on the device only because the shopper chose it.
    w.el("#qc-remember").click();
    pay_button(&w).click();
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    assert_eq!(
        body_of(&requests("POST", "/v1/checkouts")[0]).await,
        r#"{"items":[{"sku":"ebook","quantity":1}],"customer":{"email":"ada@example.com","name":"Ada Lovelace","company":"Atelier Lovelace","vat_number":"fr 40 303 265 045"},"language":"en","terms_accepted":true}"#
    );
    assert_eq!(
        stored("qc-details").unwrap(),
        "ada@example.com\nAda Lovelace\n\n\n\n\n\n\nAtelier Lovelace\nfr 40 303 265 045"
    );
}

#[wasm_bindgen_test]
async fn the_edges_invalid_vat_number_shows_on_the_field() {
    eu_page();
    route(
        "POST",
        "/v1/checkouts",
        422,
        r#"{"error":{"code":"validation_failed","message":"the customer has problems",
            "problems":[{"code":"invalid_vat_number","field":"customer.vat_number",
                         "message":"a IT VAT number is IT + 11 digits"}]}}"#,
    );
    let w = Widget::mount(Some("en"));
    eu_details(&w).await;
    fill_details(&w);
    // The right shape for the widget; the edge refuses it all the same.
    type_into(&w, "vat-number", "IT12345678901");
    tick_terms(&w);
    pay_button(&w).click();
    wait_for("the inline error", || {
        !error_of(&w, "vat-number").is_empty()
    })
    .await;
    assert_eq!(
        error_of(&w, "vat-number"),
        "This is not a valid EU VAT number."
    );
    wait_for("the focus", || focused(&w) == "input#qc-f9").await;
}

#[wasm_bindgen_test]
async fn details_remembered_before_the_business_fields_still_load() {
    eu_page();
    // Eight lines: what an earlier version stored.
    store("qc-details", "ada@example.com\nAda Lovelace\n\n\n\n\n\n");
    let w = Widget::mount(Some("en"));
    eu_details(&w).await;
    assert_eq!(value_of(&w, "email"), "ada@example.com");
    assert_eq!(value_of(&w, "organization"), "");
}

#[wasm_bindgen_test]
async fn the_pay_label_is_the_languages_or_the_pages() {
    eu_page();
    for (locale, label, want) in [
        ("en", None, "Pay €10.55"),
        ("fr", None, "Commander et payer 10,55\u{a0}€"),
        ("de", None, "Zahlungspflichtig bestellen"),
        // data-pay-label: the page's own words, with or without the amount.
        ("de", Some("Jetzt kaufen"), "Jetzt kaufen"),
        ("en", Some("Buy now {}"), "Buy now €10.55"),
    ] {
        let w = Widget::mount_with(Some(locale), |c| {
            c.page_options(label.map(Into::into));
        });
        wait_for("the catalog", prices_ready).await;
        w.click(".qc-toggle");
        w.click("[data-action=continue]");
        wait_for("the details", || !pay_button(&w).hidden()).await;
        assert_eq!(
            pay_button(&w).text_content().unwrap(),
            want,
            "{locale} {label:?}"
        );
    }
}
