//! Browser tests of what the widget writes into the page: `data-qc-price`,
//! product cards (`data-qc-product`), the variant picker of a group's
//! `data-qc-add`, the "Added" feedback, `data-open-on-add`, the stock
//! (`GET /v1/availability`) and the edge's 409 `sold_out`.

use super::*;

/// A mug (10.00 net at 20 %: 12.00 gross) and a hoodie with three of its
/// six combinations sold: S/Navy and M/Sand at 40.00 net (48.00 gross),
/// L/Navy at 42.00 (50.40); Sand has its own image.
const VARIANTS: &str = r#"{"currency":"EUR","products":[
 {"sku":"mug","title":"Mug","unit_price":{"value":"10.00","currency":"EUR"},
  "unit_price_gross":{"value":"12.00","currency":"EUR"},"vat_rate":"20.0","type":"good",
  "image_url":"/img/mug.svg"},
 {"sku":"hoodie-s-navy","title":"Fleece hoodie — S, Navy","unit_price":{"value":"40.00","currency":"EUR"},
  "unit_price_gross":{"value":"48.00","currency":"EUR"},"vat_rate":"20.0","type":"good",
  "image_url":"/img/hoodie-navy.svg","variant_of":"hoodie","option_values":["S","Navy"]},
 {"sku":"hoodie-l-navy","title":"Fleece hoodie — L, Navy","unit_price":{"value":"42.00","currency":"EUR"},
  "unit_price_gross":{"value":"50.40","currency":"EUR"},"vat_rate":"20.0","type":"good",
  "image_url":"/img/hoodie-navy.svg","variant_of":"hoodie","option_values":["L","Navy"]},
 {"sku":"hoodie-m-sand","title":"Fleece hoodie — M, Sand","unit_price":{"value":"40.00","currency":"EUR"},
  "unit_price_gross":{"value":"48.00","currency":"EUR"},"vat_rate":"20.0","type":"good",
  "image_url":"/img/hoodie-sand.svg","variant_of":"hoodie","option_values":["M","Sand"]}],
 "variant_products":[{"sku":"hoodie","title":"Fleece hoodie","description":"Warm.",
  "image_url":"/img/hoodie-navy.svg",
  "options":[{"name":"Size","values":["S","M","L"]},{"name":"Colour","values":["Navy","Sand"]}],
  "variants":["hoodie-s-navy","hoodie-l-navy","hoodie-m-sand"]}]}"#;

/// Mugs are sold out, two L/Navy hoodies are left, the rest is untracked.
const STOCK: &str = r#"{"stock":{"mug":0,"hoodie-l-navy":2}}"#;

/// The catalog with variants, its stock, and the payment methods.
fn variants_page() {
    fresh_page();
    route("GET", "/v1/catalog", 200, VARIANTS);
    route("GET", "/v1/availability", 200, STOCK);
}

/// An element of the page (outside the widget), removed with the widget.
fn page_el(w: &mut Widget, tag: &str, attributes: &[(&str, &str)], content: &str) -> HtmlElement {
    let el = document().create_element(tag).unwrap();
    for (name, value) in attributes {
        el.set_attribute(name, value).unwrap();
    }
    el.set_text_content(Some(content));
    document().body().unwrap().append_child(&el).unwrap();
    w.page.push(el.clone());
    el.dyn_into().unwrap()
}

/// The card the widget built in a `data-qc-product` element.
struct Card(ShadowRoot);

impl Card {
    async fn of(host: &HtmlElement) -> Card {
        wait_for("the card", || {
            host.shadow_root()
                .is_some_and(|r| r.query_selector(".qc-card").unwrap().is_some())
        })
        .await;
        Card(host.shadow_root().unwrap())
    }

    fn el(&self, selector: &str) -> HtmlElement {
        self.0
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no {selector} in the card"))
            .dyn_into()
            .unwrap()
    }

    fn text(&self, selector: &str) -> String {
        self.el(selector).text_content().unwrap_or_default()
    }

    fn add(&self) -> HtmlElement {
        self.el(".qc-pay")
    }
}

/// Chooses `value` in a `<select>` (or types it in an input) and commits it.
fn choose(control: &HtmlElement, value: &str) {
    Reflect::set(control, &"value".into(), &value.into()).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    control.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn page_prices_follow_the_locale_and_a_group_says_from() {
    variants_page();
    for (locale, mug, hoodie) in [
        ("en", "€12.00", "from €48.00"),
        ("fr-FR", "12,00\u{a0}€", "à partir de 48,00\u{a0}€"),
    ] {
        let mut w = Widget::mount(Some(locale));
        let spans = [
            page_el(&mut w, "span", &[("data-qc-price", "mug")], "…"),
            page_el(&mut w, "span", &[("data-qc-price", "hoodie")], "…"),
            page_el(&mut w, "span", &[("data-qc-price", "nothing-sold")], "n/a"),
        ];
        wait_for("the catalog", prices_ready).await;
        tick().await;
        let texts: Vec<String> = spans.iter().map(|s| s.text_content().unwrap()).collect();
        assert_eq!(texts, [mug, hoodie, "n/a"], "{locale}");
        // Light DOM: the page's CSS styles it, nothing is wrapped around it.
        assert!(spans[0].shadow_root().is_none());
        assert_eq!(spans[0].child_element_count(), 0);
    }

    // A new catalog answer (the merchant changed a price): the page follows.
    let mut w = Widget::mount(Some("en"));
    let span = page_el(&mut w, "span", &[("data-qc-price", "mug")], "");
    wait_for("the catalog", prices_ready).await;
    wait_for("the price", || span.text_content().unwrap() == "€12.00").await;
    route(
        "GET",
        "/v1/catalog",
        200,
        &VARIANTS
            .replacen(r#""10.00""#, r#""15.00""#, 1)
            .replacen(r#""12.00""#, r#""18.00""#, 1),
    );
    crate::CURRENT.get().unwrap().load_catalog();
    wait_for("the new price", || span.text_content().unwrap() == "€18.00").await;
}

#[wasm_bindgen_test]
async fn a_product_card_follows_the_variant_chosen_and_sold_out_disables_add() {
    variants_page();
    let events = Events::capture();
    let mut w = Widget::mount(Some("en"));
    let hoodie_host = page_el(&mut w, "div", &[("data-qc-product", "hoodie")], "");
    let mug_host = page_el(&mut w, "div", &[("data-qc-product", "mug")], "");
    let mug_button = page_el(&mut w, "button", &[("data-qc-add", "mug")], "Add a mug");
    wait_for("the stock", || {
        !requests("GET", "/v1/availability").is_empty()
    })
    .await;
    let card = Card::of(&hoodie_host).await;

    // The first variant sold: S / Navy.
    assert_eq!(card.text("h3"), "Fleece hoodie");
    assert_eq!(card.text(".qc-cprice"), "€48.00");
    let img = card.el("img");
    assert_eq!(
        img.get_attribute("src").as_deref(),
        Some("/img/hoodie-navy.svg")
    );
    assert_eq!(
        img.get_attribute("alt").as_deref(),
        Some("Fleece hoodie — S, Navy")
    );
    assert_eq!(img.get_attribute("loading").as_deref(), Some("lazy"));
    assert_eq!(img.get_attribute("width").as_deref(), Some("160"));
    let selects: Vec<HtmlElement> = ["#qc-o0", "#qc-o1"].map(|s| card.el(s)).into();
    assert_eq!(field_str(&selects[0], "value"), "S");
    assert_eq!(field_str(&selects[1], "value"), "Navy");
    // Each control is labelled by the option's name.
    assert_eq!(card.text("label[for=qc-o0]"), "Size");
    assert_eq!(card.text("label[for=qc-o1]"), "Colour");
    assert_eq!(card.add().text_content().unwrap(), "Add to basket");

    // L / Navy: its own price, and two left.
    choose(&selects[0], "L");
    assert_eq!(card.text(".qc-cprice"), "€50.40");
    wait_for("the stock", || card.text(".qc-stock") == "Only 2 left").await;
    assert!(!card.add().has_attribute("disabled"));
    assert_eq!(
        card.add().get_attribute("data-qc-add").as_deref(),
        Some("hoodie-l-navy")
    );

    // L / Sand is not sold: no Add, the group's lowest price.
    choose(&selects[1], "Sand");
    assert_eq!(card.text(".qc-stock"), "Not available in this combination.");
    assert!(card.add().has_attribute("disabled"));
    assert_eq!(card.text(".qc-cprice"), "from €48.00");

    // M / Sand: the sand image; two of them added.
    choose(&selects[0], "M");
    assert_eq!(
        card.el("img").get_attribute("src").as_deref(),
        Some("/img/hoodie-sand.svg")
    );
    assert_eq!(card.text(".qc-cprice"), "€48.00");
    assert!(
        card.el(".qc-stock").has_attribute("hidden"),
        "untracked: unlimited"
    );
    choose(&card.el(".qc-cq"), "2");
    card.add().click();
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "hoodie-m-sand:2");
    assert_eq!(card.add().text_content().unwrap(), "Added");
    assert_eq!(
        w.text("#qc-live"),
        "Added to basket: Fleece hoodie — M, Sand"
    );
    assert_eq!(w.text(".qc-count"), "2");
    assert_eq!(events.of("qc:basket-changed").len(), 1);
    wait_ms("the button's own text again", 3_000, || {
        card.add().text_content().unwrap() == "Add to basket"
    })
    .await;

    // Mugs are sold out: the card and the page's button say so.
    let mug = Card::of(&mug_host).await;
    assert_eq!(mug.text(".qc-stock"), "Sold out");
    assert!(mug.add().has_attribute("disabled"));
    assert_eq!(mug.el("img").get_attribute("alt").as_deref(), Some("Mug"));
    assert!(mug_button.has_attribute("disabled"));
    assert_eq!(
        mug_button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    // Back in stock (the basket opening asks again): enabled again.
    route("GET", "/v1/availability", 200, r#"{"stock":{"mug":7}}"#);
    w.click(".qc-toggle");
    wait_for("the mug back", || !mug_button.has_attribute("disabled")).await;
    assert_eq!(mug_button.get_attribute("aria-disabled"), None);
    assert!(!mug.add().has_attribute("disabled"));
    // The basket line shows the variant's title and image.
    assert_eq!(w.text(".qc-name"), "Fleece hoodie — M, Sand");
    let line_img = w.el(".qc-limg");
    assert_eq!(
        line_img.get_attribute("src").as_deref(),
        Some("/img/hoodie-sand.svg")
    );
    assert_eq!(
        line_img.get_attribute("alt").as_deref(),
        Some("Fleece hoodie — M, Sand")
    );
}

#[wasm_bindgen_test]
async fn a_group_add_button_opens_the_picker_and_a_variant_button_adds_at_once() {
    variants_page();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    let group = w.page_button(&[("data-qc-add", "hoodie")]);
    group.focus().unwrap();
    group.click();
    let picker = w.el(".qc-picker");
    wait_for("the picker", || picker.has_attribute("open")).await;
    assert!(!w.dialog_open(), "not the basket");
    assert_eq!(stored("qc-basket"), None, "nothing added yet");
    assert_eq!(
        picker.get_attribute("aria-labelledby").as_deref(),
        Some("qc-ptitle")
    );
    assert_eq!(w.text("#qc-ptitle"), "Choose options");
    assert_eq!(w.text(".qc-picker h3"), "Fleece hoodie");

    // Escape closes it, the focus goes back to the button.
    key(&w.el("#qc-p-o0"), "Escape", false);
    assert!(!picker.has_attribute("open"));
    assert!(same(&document().active_element().unwrap(), &group));

    group.click();
    wait_for("the picker again", || picker.has_attribute("open")).await;
    choose(&w.el("#qc-p-o0"), "L");
    assert_eq!(w.text(".qc-picker .qc-cprice"), "€50.40");
    wait_for("the stock", || {
        w.text(".qc-picker .qc-stock") == "Only 2 left"
    })
    .await;
    w.click(".qc-picker .qc-pay");
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "hoodie-l-navy:1");
    assert!(!picker.has_attribute("open"), "closed once added");
    assert_eq!(
        group.text_content().unwrap(),
        "Added",
        "on the button pressed"
    );
    assert!(same(&document().active_element().unwrap(), &group));

    // A variant's own SKU is added at once.
    let direct = w.page_button(&[("data-qc-add", "hoodie-s-navy")]);
    direct.click();
    tick().await;
    assert!(!picker.has_attribute("open"));
    assert_eq!(
        stored("qc-basket").unwrap(),
        "hoodie-l-navy:1,hoodie-s-navy:1"
    );
    assert_eq!(direct.text_content().unwrap(), "Added");
    wait_ms("the page button's text again", 3_000, || {
        direct.text_content().unwrap() == "page button"
    })
    .await;
}

#[wasm_bindgen_test]
async fn open_on_add_opens_the_basket_after_an_add() {
    variants_page();
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let mut config = Config::new(EDGE, Some("en".into()), None, None, None);
    config.open_on_add = true;
    let mounted = crate::mount(host.clone(), config).expect("mount");
    let mut w = Widget {
        mounted: Some(mounted),
        root: host.shadow_root().unwrap(),
        page: vec![host],
    };
    wait_for("the catalog", prices_ready).await;
    let button = w.page_button(&[("data-qc-add", "hoodie-m-sand")]);
    button.click();
    wait_for("the basket", || w.dialog_open()).await;
    wait_for("its line", || w.all(".qc-name").len() == 1).await;
    assert_eq!(w.text(".qc-name"), "Fleece hoodie — M, Sand");
    assert_eq!(button.text_content().unwrap(), "Added");
}

#[wasm_bindgen_test]
async fn without_open_on_add_the_basket_stays_closed() {
    variants_page();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.page_button(&[("data-qc-add", "hoodie-s-navy")]).click();
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "hoodie-s-navy:1");
    assert!(!w.dialog_open());
}

#[wasm_bindgen_test]
async fn a_sold_out_answer_names_the_item_and_offers_to_remove_it() {
    variants_page();
    route("GET", "/v1/availability", 200, r#"{"stock":{}}"#);
    store("qc-basket", "mug:1,hoodie-l-navy:3");
    route(
        "POST",
        "/v1/checkouts",
        409,
        r#"{"error":{"code":"sold_out","message":"Only 2 of hoodie-l-navy left","field":"items[1].sku"}}"#,
    );
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(&w).await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the answer", || !w.el(".qc-sold").has_attribute("hidden")).await;
    assert_eq!(w.text("#qc-title"), "Your details");
    assert_eq!(
        w.text(".qc-sold span"),
        "Fleece hoodie — L, Navy is sold out."
    );
    assert_eq!(w.text("#qc-dlive"), "Fleece hoodie — L, Navy is sold out.");
    assert_eq!(field_str(&events.of("qc:error")[0], "code"), "sold_out");
    assert_eq!(w.text(".qc-sold button"), "Remove it");

    w.click(".qc-sold button");
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "mug:1");
    assert_eq!(w.text("#qc-title"), "Your basket");
    assert!(w.el(".qc-sold").has_attribute("hidden"));
    assert_eq!(w.text(".qc-name"), "Mug");
}

#[wasm_bindgen_test]
async fn cards_and_prices_a_page_adds_later_are_filled_in() {
    variants_page();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    tick().await;
    // A single-page app's next view, after the widget has settled.
    let price = page_el(&mut w, "span", &[("data-qc-price", "hoodie-l-navy")], "");
    let host = page_el(&mut w, "div", &[("data-qc-product", "mug")], "");
    wait_for("the price", || price.text_content().unwrap() == "€50.40").await;
    let card = Card::of(&host).await;
    assert_eq!(card.text(".qc-cprice"), "€12.00");
}

#[wasm_bindgen_test]
async fn a_group_button_pressed_before_the_catalog_opens_the_picker_once_it_is_known() {
    variants_page();
    let mut w = Widget::mount(Some("en"));
    // What the loader replays: a click that came before the widget was ready.
    let group = w.page_button(&[("data-qc-add", "hoodie")]);
    assert!(!prices_ready());
    crate::host::activate(crate::CURRENT.get().unwrap(), &group);
    let picker = w.el(".qc-picker");
    wait_for("the picker", || picker.has_attribute("open")).await;
    assert_eq!(stored("qc-basket"), None, "the group itself is never added");
}

#[wasm_bindgen_test]
async fn a_basket_line_says_what_is_left_and_cannot_ask_for_more() {
    variants_page();
    store("qc-basket", "hoodie-l-navy:2,hoodie-s-navy:1");
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    wait_for("the stock", || w.text(".qc-unit").contains("left")).await;
    let units: Vec<String> = w
        .all(".qc-unit")
        .iter()
        .map(|u| u.text_content().unwrap())
        .collect();
    assert_eq!(
        units,
        ["€50.40 · Only 2 left", "€48.00"],
        "S / Navy is untracked"
    );
    let inc = w.all("[data-action=inc]");
    assert!(inc[0].has_attribute("disabled"), "two asked, two left");
    assert!(!inc[1].has_attribute("disabled"));
    w.click("[data-action=dec]");
    wait_for("one fewer", || {
        !w.all("[data-action=inc]")[0].has_attribute("disabled")
    })
    .await;
    assert_eq!(
        stored("qc-basket").unwrap(),
        "hoodie-l-navy:1,hoodie-s-navy:1"
    );
}
