//! Browser tests of the basket's discount-code box: a code looked up, its row and lowered totals, kept on the
//! device and sent with Pay; each refusal's text; a code below its minimum
//! waiting for it; a code the edge refuses at Pay looked up again and
//! dropped, and Pay again without it.

use super::*;

/// The catalog of a shop with a discount code on.
fn codes_page() {
    fresh_page();
    let with_codes = format!(
        "{},\"checkout\":{{\"discount_codes\":true}}}}",
        CATALOG.strip_suffix('}').unwrap()
    );
    route("GET", "/v1/catalog", 200, &with_codes);
}

const SUMMER10: &str = r#"{"code":"SUMMER10","kind":"percent","percent_basis_points":1000}"#;

/// Types `code` into the box and presses Apply.
fn apply(w: &Widget, code: &str) {
    let input: HtmlInputElement = w.el("#qc-code").dyn_into().unwrap();
    input.set_value(code);
    w.click("[data-action=code]");
}

/// The basket of two T-shirts and a book, open, priced.
async fn open_basket(w: &Widget) {
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    wait_for("the dialog", || w.dialog_open()).await;
    wait_for("the code box", || !w.el(".qc-code").hidden()).await;
}

#[wasm_bindgen_test]
async fn a_code_applied_shows_its_row_and_lowered_totals_and_goes_with_pay() {
    codes_page();
    store("qc-basket", "tshirt:2,book:1");
    // No data layer left by an earlier test: begin_checkout is this one's.
    Reflect::delete_property(&window(), &"dataLayer".into()).unwrap();
    route("GET", "/v1/discount-codes/SUMMER10", 200, SUMMER10);
    route("POST", "/v1/checkouts", 201, CREATED);
    // Cancels qc:redirect: the page stays.
    let events = Events::capture();
    let w = Widget::mount_with(Some("en"), |c| c.analytics = true);
    open_basket(&w).await;
    assert_eq!(
        w.totals(),
        [
            "Subtotal excl. VAT: €60.00",
            "VAT 5.5%: €0.55",
            "VAT 20%: €10.00",
            "Total: €70.55"
        ]
    );
    // Typed in lower case with spaces: looked up as the code.
    apply(&w, " summer10 ");
    wait_for("the code applied", || {
        w.text(".qc-code-on span") == "Code SUMMER10 applied"
    })
    .await;
    assert_eq!(requests("GET", "/v1/discount-codes/SUMMER10").len(), 1);
    // 10 % of 70.55 = 7.06 (half-up), shared 6.01 and 1.05: 1.06 would
    // leave the book 9.49, which no net price reaches at 5.5 % (8.99 +
    // 0.49, 9.00 + 0.50), so its cent moves to the T-shirts. T-shirts
    // 53.99 (44.99 net, 9.00 VAT), book 9.50 (9.00 net, 0.50 VAT).
    assert_eq!(
        w.totals(),
        [
            "Discount (SUMMER10): \u{2212}€7.06",
            "Subtotal excl. VAT: €53.99",
            "VAT 5.5%: €0.50",
            "VAT 20%: €9.00",
            "Total: €63.49"
        ]
    );
    assert!(
        w.el(".qc-code-row").hidden(),
        "no input while a code applies"
    );
    assert_eq!(w.text("#qc-code-msg"), "");
    wait_for("the focus on Remove", || {
        let active = w.root.active_element();
        active
            .and_then(|e| e.get_attribute("data-action"))
            .as_deref()
            == Some("uncode")
    })
    .await;
    // Kept on the device with the basket.
    assert!(stored("qc-code").unwrap().contains("SUMMER10"));
    // The lines keep their prices.
    assert_eq!(w.text(".qc-line .qc-total"), "€60.00");

    to_details(&w).await;
    fill_details(&w);
    assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €63.49");
    pay_button(&w).click();
    wait_for("the request", || {
        !requests("POST", "/v1/checkouts").is_empty()
    })
    .await;
    let body = body_of(&requests("POST", "/v1/checkouts")[0]).await;
    assert_eq!(
        body,
        format!(
            r#"{{"items":[{{"sku":"tshirt","quantity":2}},{{"sku":"book","quantity":1}}],{CUSTOMER},"language":"en","discount_code":"SUMMER10"}}"#
        ),
        "the code, never its amount"
    );
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    // The analytics' begin_checkout names it, with the lowered value and tax.
    let layer: Array = field(&window(), "dataLayer").dyn_into().unwrap();
    let begin = layer
        .iter()
        .find(|e| field_str(e, "event") == "begin_checkout")
        .expect("begin_checkout");
    let ecommerce = field(&begin, "ecommerce");
    assert_eq!(field_str(&ecommerce, "coupon"), "SUMMER10");
    assert_eq!(field(&ecommerce, "value").as_f64(), Some(63.49));
    assert_eq!(field(&ecommerce, "tax").as_f64(), Some(9.5));
    Reflect::delete_property(&window(), &"dataLayer".into()).unwrap();
}

#[wasm_bindgen_test]
async fn refused_codes_say_why_and_a_code_below_its_minimum_waits_for_it() {
    codes_page();
    store("qc-basket", "book:1");
    let refusals = [
        ("GONE", 404, "not_found", "This code does not exist."),
        (
            "LATER",
            422,
            "discount_code_not_yet_valid",
            "This code is not valid yet.",
        ),
        (
            "OLD",
            422,
            "discount_code_expired",
            "This code has expired.",
        ),
        (
            "ALLGONE",
            422,
            "discount_code_used_up",
            "This code can no longer be used.",
        ),
    ];
    for (code, status, error, _) in refusals {
        route(
            "GET",
            &format!("/v1/discount-codes/{code}"),
            status,
            &format!(r#"{{"error":{{"code":"{error}","message":"no"}}}}"#),
        );
    }
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    open_basket(&w).await;
    for (code, _, error, text) in refusals {
        apply(&w, code);
        wait_for(text, || w.text("#qc-code-msg") == text).await;
        assert_eq!(
            w.el("#qc-code").get_attribute("aria-invalid").as_deref(),
            Some("true")
        );
        assert!(w.all(".qc-disc").is_empty(), "{code}: nothing off");
        assert_eq!(stored("qc-code"), None);
        assert_eq!(
            field_str(&events.of("qc:error").pop().unwrap(), "code"),
            error
        );
    }
    // Not even a code's shape: unknown without asking the edge.
    let look_ups = || {
        REQUESTS.with_borrow(|r| {
            r.iter()
                .filter(|q| q.url().contains("/v1/discount-codes/"))
                .count()
        })
    };
    let asked = look_ups();
    apply(&w, "10 %");
    wait_for("the unknown code", || {
        w.text("#qc-code-msg") == "This code does not exist."
    })
    .await;
    assert_eq!(look_ups(), asked);

    // A code needing 30.00 of goods on a 10.55 book: kept, nothing off, the
    // minimum said; a T-shirt added reaches it and it applies.
    route(
        "GET",
        "/v1/discount-codes/WELCOME5",
        200,
        r#"{"code":"WELCOME5","kind":"fixed","amount":{"value":"5.00","currency":"EUR"},
            "minimum":{"value":"30.00","currency":"EUR"}}"#,
    );
    apply(&w, "welcome5");
    wait_for("the minimum", || {
        w.text("#qc-code-msg") == "This code needs a basket of at least €30.00."
    })
    .await;
    assert_eq!(w.text(".qc-code-on span"), "Code WELCOME5 applied");
    assert!(w.all(".qc-disc").is_empty());
    assert_eq!(w.totals().last().unwrap(), "Total: €10.55");
    crate::call("add", Array::of2(&"tshirt".into(), &1.into()));
    wait_for("the discount", || !w.all(".qc-disc").is_empty()).await;
    assert_eq!(w.text("#qc-code-msg"), "");
    // 40.55 − 5.00.
    assert_eq!(w.totals().last().unwrap(), "Total: €35.55");
    // Removed: the input is back, focused, and the totals as they were.
    w.click("[data-action=uncode]");
    wait_for("the input", || !w.el(".qc-code-row").hidden()).await;
    assert_eq!(w.totals().last().unwrap(), "Total: €40.55");
    assert_eq!(stored("qc-code"), None);
    wait_for("the focus on the input", || focused(&w) == "input#qc-code").await;
}

#[wasm_bindgen_test]
async fn a_code_refused_at_pay_is_looked_up_again_and_pay_goes_without_it() {
    codes_page();
    store("qc-basket", "tshirt:1");
    route("GET", "/v1/discount-codes/SUMMER10", 200, SUMMER10);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    open_basket(&w).await;
    apply(&w, "SUMMER10");
    wait_for("the discount", || !w.all(".qc-disc").is_empty()).await;
    // Used up by other shoppers meanwhile: Pay is refused, and so is the
    // look-up that follows.
    route(
        "POST",
        "/v1/checkouts",
        422,
        r#"{"error":{"code":"discount_code_used_up","message":"used up","field":"discount_code"}}"#,
    );
    route(
        "GET",
        "/v1/discount-codes/SUMMER10",
        422,
        r#"{"error":{"code":"discount_code_used_up","message":"used up"}}"#,
    );
    to_details(&w).await;
    fill_details(&w);
    assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €27.00");
    pay_button(&w).click();
    wait_for("back on the basket", || {
        w.text("#qc-title") == "Your basket"
    })
    .await;
    wait_for("the message", || {
        w.text("#qc-code-msg") == "This code can no longer be used."
    })
    .await;
    assert_eq!(requests("GET", "/v1/discount-codes/SUMMER10").len(), 2);
    assert!(w.all(".qc-disc").is_empty());
    assert_eq!(w.totals().last().unwrap(), "Total: €30.00");
    assert_eq!(stored("qc-code"), None);

    // Pay again: the full price, no code.
    route("POST", "/v1/checkouts", 201, CREATED);
    to_details(&w).await;
    assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €30.00");
    pay_button(&w).click();
    wait_for("the second request", || {
        requests("POST", "/v1/checkouts").len() == 2
    })
    .await;
    let body = body_of(&requests("POST", "/v1/checkouts")[1]).await;
    assert!(!body.contains("discount_code"), "{body}");
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
}

#[wasm_bindgen_test]
async fn a_shop_without_codes_shows_no_code_box() {
    fresh_page();
    store("qc-basket", "book:1");
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    wait_for("the totals", || !w.totals().is_empty()).await;
    assert!(w.el(".qc-code").hidden());
}
