//! Browser tests of the opt-in analytics (`data-analytics="datalayer"`):
//! GA4's e-commerce events in `window.dataLayer`, each after an
//! `{ecommerce: null}`, with the amounts as numbers of units; `purchase`
//! once per checkout, also after a reload; nothing at all without the
//! attribute.

use super::*;

/// The checkout Pay creates here, with an id of the edge's shape (so the
/// return address can name it again).
fn created() -> String {
    CREATED.replace("chk_1", RETURN_ID)
}

/// Its answer once paid: 35.88 (a T-shirt, 30.00, shipped to France, 5.88).
fn paid() -> String {
    format!(
        r#"{{"id":"{RETURN_ID}","status":"paid","reference":"QC-1A2B3C4D",
 "amount":{{"value":"35.88","currency":"EUR"}}}}"#
    )
}

/// No data layer on the page (each test starts without one).
fn no_data_layer() {
    Reflect::delete_property(&window(), &"dataLayer".into()).unwrap();
}

fn has_data_layer() -> bool {
    Reflect::has(&window(), &"dataLayer".into()).unwrap()
}

/// The data layer's entries, as JSON, from the `from`-th on.
fn pushed(from: usize) -> Vec<String> {
    let layer: Array = field(&window(), "dataLayer").dyn_into().expect("an array");
    layer
        .iter()
        .skip(from)
        .map(|e| js_sys::JSON::stringify(&e).unwrap().as_string().unwrap())
        .collect()
}

/// The entries pushed since `seen` (and `seen` moved past them).
fn pushed_since(seen: &mut usize) -> Vec<String> {
    let new = pushed(*seen);
    *seen += new.len();
    new
}

const CLEAR: &str = r#"{"ecommerce":null}"#;
const TSHIRT: &str = r#"{"item_id":"tshirt","item_name":"T-shirt","price":30,"quantity":1}"#;
const BOOKS: &str = r#"{"item_id":"book","item_name":"Book","price":10.55,"quantity":2}"#;

/// `{ecommerce: null}` then `{event, ecommerce}`.
fn event(name: &str, ecommerce: &str) -> [String; 2] {
    [
        CLEAR.to_owned(),
        format!(r#"{{"event":"{name}","ecommerce":{ecommerce}}}"#),
    ]
}

/// With the catalog (no shipping) and no data layer: adds a T-shirt and
/// two books from page buttons, opens the basket, removes the T-shirt and
/// pays for the books, calling `check` with a label after each step.
async fn basket_journey(w: &mut Widget, mut check: impl FnMut(&str)) {
    wait_for("the catalog", prices_ready).await;
    let tshirt = w.page_button(&[("data-qc-add", "tshirt")]);
    let books = w.page_button(&[("data-qc-add", "book"), ("data-qc-quantity", "2")]);
    tshirt.click();
    tick().await;
    check("add a T-shirt");
    books.click();
    tick().await;
    check("add two books");
    w.click(".qc-toggle");
    wait_for("the dialog", || w.dialog_open()).await;
    check("open the basket");
    w.el("[aria-label='Remove T-shirt']").click();
    tick().await;
    check("remove the T-shirt");
    to_details(w).await;
    fill_details(w);
    pay_button(w).click();
    wait_for("the redirect", || stored("qc-pending").is_some()).await;
    check("pay");
}

#[wasm_bindgen_test]
async fn the_basket_journey_pushes_ga4_ecommerce_events() {
    fresh_page();
    no_data_layer();
    route("POST", "/v1/checkouts", 201, CREATED);
    // Cancels the redirect.
    let _events = Events::capture();
    let mut w = Widget::mount_with(Some("en"), |c| c.analytics = true);
    let mut seen = 0;
    basket_journey(&mut w, |step| {
        let expected = match step {
            // One T-shirt: 30.00.
            "add a T-shirt" => event(
                "add_to_cart",
                &format!(r#"{{"currency":"EUR","value":30,"items":[{TSHIRT}]}}"#),
            ),
            // Two books at 10.55: 21.10.
            "add two books" => event(
                "add_to_cart",
                &format!(r#"{{"currency":"EUR","value":21.1,"items":[{BOOKS}]}}"#),
            ),
            // The basket: 30.00 + 21.10 = 51.10.
            "open the basket" => event(
                "view_cart",
                &format!(r#"{{"currency":"EUR","value":51.1,"items":[{TSHIRT},{BOOKS}]}}"#),
            ),
            "remove the T-shirt" => event(
                "remove_from_cart",
                &format!(r#"{{"currency":"EUR","value":30,"items":[{TSHIRT}]}}"#),
            ),
            // The books: 21.10, of which VAT 5.5 % of 20.00 = 1.10; a shop
            // that does not ship charges no shipping.
            _ => event(
                "begin_checkout",
                &format!(
                    r#"{{"currency":"EUR","value":21.1,"items":[{BOOKS}],"shipping":0,"tax":1.1}}"#
                ),
            ),
        };
        assert_eq!(pushed_since(&mut seen), expected, "{step}");
    })
    .await;
    // A quantity changed in the basket is the difference, added or removed.
    crate::call("setQuantity", Array::of2(&"book".into(), &5.into()));
    crate::call("setQuantity", Array::of2(&"book".into(), &4.into()));
    tick().await;
    let one_book = r#"{"item_id":"book","item_name":"Book","price":10.55,"quantity":1}"#;
    let three_books = one_book.replace(r#""quantity":1"#, r#""quantity":3"#);
    let [c1, add] = event(
        "add_to_cart",
        &format!(r#"{{"currency":"EUR","value":31.65,"items":[{three_books}]}}"#),
    );
    let [c2, remove] = event(
        "remove_from_cart",
        &format!(r#"{{"currency":"EUR","value":10.55,"items":[{one_book}]}}"#),
    );
    assert_eq!(pushed_since(&mut seen), [c1, add, c2, remove]);
}

#[wasm_bindgen_test]
async fn a_paid_return_pushes_purchase_once_also_after_a_reload() {
    shop_page();
    no_data_layer();
    // A page's data layer with its own entries: kept, pushed after.
    let page_entry = Array::of1(&"page".into());
    Reflect::set(&window(), &"dataLayer".into(), &page_entry).unwrap();
    store("qc-basket", "tshirt:1");
    route("POST", "/v1/checkouts", 201, &created());
    let events = Events::capture();
    let on = |c: &mut Config| c.analytics = true;
    let mut seen = 1;
    {
        let w = Widget::mount_with(Some("en"), on);
        wait_for("the catalog", prices_ready).await;
        w.click(".qc-toggle");
        wait_for("the dialog", || w.dialog_open()).await;
        assert_eq!(
            pushed_since(&mut seen),
            event(
                "view_cart",
                &format!(r#"{{"currency":"EUR","value":30,"items":[{TSHIRT}]}}"#)
            )
        );
        to_details(&w).await;
        fill_details(&w);
        type_into(&w, "address-line1", "1 Main Street");
        type_into(&w, "postal-code", "75001");
        type_into(&w, "city", "Paris");
        type_into(&w, "country", "FR");
        pay_button(&w).click();
        wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    }
    // 30.00 + 5.88 of shipping = 35.88; VAT 5.00 on the T-shirt and 0.98
    // on the shipping (20 % of 4.90) = 5.98.
    let charged =
        format!(r#""currency":"EUR","value":35.88,"items":[{TSHIRT}],"shipping":5.88,"tax":5.98"#);
    assert_eq!(
        pushed_since(&mut seen),
        event("begin_checkout", &format!("{{{charged}}}"))
    );

    // Back from the payment page, paid.
    route("GET", &format!("/v1/checkouts/{RETURN_ID}"), 200, &paid());
    {
        let w = Widget::mount_with(Some("en"), on);
        wait_for("the confirmation", || w.text("#qc-title") == "Thank you!").await;
        assert_eq!(
            pushed_since(&mut seen),
            event(
                "purchase",
                &format!(r#"{{{charged},"transaction_id":"{RETURN_ID}"}}"#)
            )
        );
    }
    assert_eq!(pushed(0)[0], r#""page""#, "the page's entries kept");
    assert!(stored("qc-ga-sent").unwrap().contains(RETURN_ID));

    // The return address opened again (a reload, a link kept): the same
    // paid checkout, no second purchase.
    come_back_through_the_return_address();
    crate::return_param::adopt(EDGE);
    let asked = requests("GET", &format!("/v1/checkouts/{RETURN_ID}")).len();
    let w = Widget::mount_with(Some("en"), on);
    wait_for("the confirmation", || w.text("#qc-title") == "Thank you!").await;
    assert_eq!(
        requests("GET", &format!("/v1/checkouts/{RETURN_ID}")).len(),
        asked + 1
    );
    tick().await;
    assert_eq!(pushed_since(&mut seen), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn a_paid_return_started_elsewhere_pushes_what_the_edge_confirms() {
    // Nothing kept in this browser: the id and the amount the edge confirms.
    fresh_page();
    no_data_layer();
    come_back_through_the_return_address();
    crate::return_param::adopt(EDGE);
    route("GET", &format!("/v1/checkouts/{RETURN_ID}"), 200, &paid());
    let w = Widget::mount_with(Some("en"), |c| c.analytics = true);
    wait_for("the confirmation", || w.text("#qc-title") == "Thank you!").await;
    assert_eq!(
        pushed(0),
        event(
            "purchase",
            &format!(r#"{{"transaction_id":"{RETURN_ID}","value":35.88,"currency":"EUR"}}"#)
        )
    );
}

#[wasm_bindgen_test]
async fn without_the_attribute_nothing_is_pushed() {
    fresh_page();
    no_data_layer();
    route("POST", "/v1/checkouts", 201, &created());
    let _events = Events::capture();
    {
        let mut w = Widget::mount(Some("en"));
        basket_journey(&mut w, |step| {
            assert!(!has_data_layer(), "{step}: no data layer");
        })
        .await;
    }
    // Back from the payment page, paid.
    route("GET", &format!("/v1/checkouts/{RETURN_ID}"), 200, &paid());
    let w = Widget::mount(Some("en"));
    wait_for("the confirmation", || w.text("#qc-title") == "Thank you!").await;
    tick().await;
    assert!(!has_data_layer(), "nothing for the purchase either");
    assert_eq!(stored("qc-ga"), None, "nothing kept for it");
    assert_eq!(stored("qc-ga-sent"), None);

    // A page's own data layer is left alone.
    drop(w);
    let layer = Array::new();
    Reflect::set(&window(), &"dataLayer".into(), &layer).unwrap();
    let mut w = Widget::mount(Some("en"));
    w.page_button(&[("data-qc-add", "tshirt")]).click();
    w.click(".qc-toggle");
    tick().await;
    assert!(w.dialog_open());
    assert_eq!(layer.length(), 0);
    no_data_layer();
}
