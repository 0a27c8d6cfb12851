//! Browser tests: real DOM in headless Chromium, clicked and read through the
//! widget's shadow root, with the edge stubbed at the `fetch` boundary.
//!
//! wasm-bindgen-test runs every test in one page, one after the other: each
//! test mounts its own instance (and unmounts it when its [`Widget`] drops),
//! starts from empty storage and sets its own edge answers.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use leptos::prelude::WithUntracked;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    CustomEvent, Document, Element, HtmlElement, HtmlInputElement, KeyboardEvent,
    KeyboardEventInit, Request, Response, ResponseInit, ShadowRoot, StorageEvent, StorageEventInit,
    Window,
};

use crate::config::Config;

wasm_bindgen_test_configure!(run_in_browser);

const EDGE: &str = "http://edge.test";

/// Two products at two VAT rates: 25.00 net at 20 % (30.00 gross) and 10.00
/// net at 5.5 % (10.55 gross).
const CATALOG: &str = r#"{"currency":"EUR","products":[
 {"sku":"tshirt","title":"T-shirt","unit_price":{"value":"25.00","currency":"EUR"},
  "unit_price_gross":{"value":"30.00","currency":"EUR"},"vat_rate":"20.0","type":"good"},
 {"sku":"book","title":"Book","unit_price":{"value":"10.00","currency":"EUR"},
  "unit_price_gross":{"value":"10.55","currency":"EUR"},"vat_rate":"5.5","type":"good"}]}"#;

/// The same products, a service (10.00 net at 5.5 %, 10.55 gross), and
/// shipping: France (FR, MC) 4.90 net at 20 % (5.88 gross), EU (BE, DE) 9.90
/// net (11.88 gross), free from 60.00 of goods (gross).
const SHOP: &str = r#"{"currency":"EUR","products":[
 {"sku":"tshirt","title":"T-shirt","unit_price":{"value":"25.00","currency":"EUR"},
  "unit_price_gross":{"value":"30.00","currency":"EUR"},"vat_rate":"20.0","type":"good"},
 {"sku":"book","title":"Book","unit_price":{"value":"10.00","currency":"EUR"},
  "unit_price_gross":{"value":"10.55","currency":"EUR"},"vat_rate":"5.5","type":"good"},
 {"sku":"ebook","title":"E-book","unit_price":{"value":"10.00","currency":"EUR"},
  "unit_price_gross":{"value":"10.55","currency":"EUR"},"vat_rate":"5.5","type":"service"}],
 "shipping":{"free_above":{"value":"60.00","currency":"EUR"},"zones":[
  {"name":"France","countries":["FR","MC"],"price":{"value":"4.90","currency":"EUR"},
   "price_gross":{"value":"5.88","currency":"EUR"},"vat_rate":"20.0"},
  {"name":"EU","countries":["DE","BE"],"price":{"value":"9.90","currency":"EUR"},
   "price_gross":{"value":"11.88","currency":"EUR"},"vat_rate":"20.0"}]}}"#;

const METHODS: &str = r#"{"payment_methods":["credit_card","apple_pay","paypal"]}"#;

/// The details `fill_details` types: what the request body must carry.
const CUSTOMER: &str = r#""customer":{"email":"ada@example.com","name":"Ada Lovelace"}"#;

const CREATED: &str = r#"{"id":"chk_1","url":"https://pay.example/l/abc","status":"open",
 "amount":{"value":"30.00","currency":"EUR"},"lines":[],"expires_at":null}"#;

fn window() -> Window {
    web_sys::window().expect("window")
}

fn document() -> Document {
    window().document().expect("document")
}

/// Lets Leptos, the stubbed fetches and the widget's tasks run once.
async fn tick() {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback(&resolve);
    });
    JsFuture::from(promise).await.expect("timeout");
}

/// Ticks until `done` holds (or fails the test with `what`).
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tick().await;
    }
    panic!("timed out waiting for: {what}");
}

// ----- the edge, stubbed at fetch ---------------------------------------------

thread_local! {
    /// `(method, path, status, body)`; the last matching route wins.
    static ROUTES: RefCell<Vec<(String, String, u16, String)>> = const { RefCell::new(Vec::new()) };
    /// Every request the widget sent.
    static REQUESTS: RefCell<Vec<Request>> = const { RefCell::new(Vec::new()) };
    static STUB: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Answers `method path` with `status` and `body` from now on.
fn route(method: &str, path: &str, status: u16, body: &str) {
    ROUTES.with_borrow_mut(|r| r.push((method.into(), path.into(), status, body.into())));
}

/// Replaces `window.fetch` with the stub (once per page; it lives as long as
/// the page, since a widget's late task may still call it) and clears the
/// routes and the recorded requests.
fn stub_edge() {
    ROUTES.with_borrow_mut(Vec::clear);
    REQUESTS.with_borrow_mut(Vec::clear);
    let stub = STUB.with_borrow_mut(|stub| {
        stub.get_or_insert_with(|| {
            Closure::<dyn FnMut(Request) -> JsValue>::new(|request: Request| {
                let url = request.url();
                let path = url.strip_prefix(EDGE).unwrap_or(&url).to_owned();
                let method = request.method();
                REQUESTS.with_borrow_mut(|r| r.push(request));
                let answer = ROUTES.with_borrow(|routes| {
                    routes
                        .iter()
                        .rev()
                        .find(|(m, p, _, _)| *m == method && *p == path)
                        .map(|(_, _, status, body)| (*status, body.clone()))
                });
                match answer {
                    Some((status, body)) => {
                        let init = ResponseInit::new();
                        init.set_status(status);
                        let response =
                            Response::new_with_opt_str_and_init(Some(&body), &init).unwrap();
                        Promise::resolve(&response).into()
                    }
                    // What fetch does when the edge is unreachable.
                    None => Promise::reject(&js_sys::TypeError::new("Failed to fetch")).into(),
                }
            })
            .into_js_value()
            .unchecked_into()
        })
        .clone()
    });
    Reflect::set(&window(), &"fetch".into(), &stub).unwrap();
}

/// The requests sent so far to `method path`.
fn requests(method: &str, path: &str) -> Vec<Request> {
    REQUESTS.with_borrow(|r| {
        r.iter()
            .filter(|q| q.method() == method && q.url() == format!("{EDGE}{path}"))
            .cloned()
            .collect()
    })
}

/// A request's body, without the `"return_url"` the widget adds last to its
/// creations, which must be this page's address.
async fn body_of(request: &Request) -> String {
    let text = Request::clone(request).unwrap().text().unwrap();
    let body = JsFuture::from(text).await.unwrap().as_string().unwrap();
    match body.rsplit_once(",\"return_url\":") {
        Some((rest, url)) => {
            let page = crate::return_param::page_url().unwrap();
            assert_eq!(url, format!("{}}}", crate::js::quote(&page)), "{body}");
            format!("{rest}}}")
        }
        None => body,
    }
}

fn idempotency_key(request: &Request) -> Option<String> {
    request.headers().get("idempotency-key").unwrap()
}

// ----- events -----------------------------------------------------------------

/// Records the `qc:*` events on `document` while alive; cancels `qc:redirect`
/// so that a test page is never navigated away.
struct Events {
    seen: Rc<RefCell<Vec<(String, JsValue)>>>,
    listener: Function,
}

const EVENT_NAMES: [&str; 6] = [
    "qc:ready",
    "qc:basket-changed",
    "qc:checkout-started",
    "qc:redirect",
    "qc:payment-status",
    "qc:error",
];

impl Events {
    fn capture() -> Events {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        let listener: Function = Closure::<dyn FnMut(CustomEvent)>::new(move |e: CustomEvent| {
            if e.type_() == "qc:redirect" {
                e.prevent_default();
            }
            log.borrow_mut().push((e.type_(), e.detail()));
        })
        .into_js_value()
        .unchecked_into();
        for name in EVENT_NAMES {
            document()
                .add_event_listener_with_callback(name, &listener)
                .unwrap();
        }
        Events { seen, listener }
    }

    /// The details of the events named `name`, oldest first.
    fn of(&self, name: &str) -> Vec<JsValue> {
        self.seen
            .borrow()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .collect()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        for name in EVENT_NAMES {
            let _ = document().remove_event_listener_with_callback(name, &self.listener);
        }
    }
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn field_str(value: &JsValue, key: &str) -> String {
    field(value, key).as_string().unwrap_or_default()
}

// ----- the widget -------------------------------------------------------------

/// One mounted instance and the page buttons a test added.
struct Widget {
    mounted: Option<crate::Mounted>,
    root: ShadowRoot,
    page: Vec<Element>,
}

impl Widget {
    /// Mounts an instance in `locale` after clearing the storage (set
    /// `stored` first to start from a saved basket or pending checkout).
    fn mount(locale: Option<&str>) -> Widget {
        Widget::mount_with(locale, |_| {})
    }

    /// [`Widget::mount`] with the configuration changed by `change` (the
    /// script tag's other attributes).
    fn mount_with(locale: Option<&str>, change: impl FnOnce(&mut Config)) -> Widget {
        let host = document().create_element("div").unwrap();
        document().body().unwrap().append_child(&host).unwrap();
        // What the loader fetches for a language other than English.
        let texts = match locale.map(|l| &l[..2]) {
            Some("fr") => Some(include_str!("i18n/fr.txt")),
            Some("de") => Some(include_str!("i18n/de.txt")),
            _ => None,
        };
        let mut config = Config::new(
            EDGE,
            locale.map(Into::into),
            None,
            None,
            texts.map(Into::into),
        );
        change(&mut config);
        let mounted = crate::mount(host.clone(), config).expect("mount");
        let root = host.shadow_root().expect("open shadow root");
        Widget {
            mounted: Some(mounted),
            root,
            page: Vec::new(),
        }
    }

    /// An element in the shadow root.
    fn el(&self, selector: &str) -> HtmlElement {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no {selector} in the shadow root"))
            .dyn_into()
            .unwrap()
    }

    fn all(&self, selector: &str) -> Vec<HtmlElement> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().dyn_into().unwrap())
            .collect()
    }

    fn text(&self, selector: &str) -> String {
        self.el(selector).text_content().unwrap_or_default()
    }

    fn click(&self, selector: &str) {
        self.el(selector).click();
    }

    fn dialog_open(&self) -> bool {
        self.el("dialog").has_attribute("open")
    }

    /// `dt: dd` pairs of the totals.
    fn totals(&self) -> Vec<String> {
        self.all(".qc-totals div")
            .iter()
            .map(|row| {
                let dt = row.query_selector("dt").unwrap().unwrap().text_content();
                let dd = row.query_selector("dd").unwrap().unwrap().text_content();
                format!("{}: {}", dt.unwrap_or_default(), dd.unwrap_or_default())
            })
            .collect()
    }

    /// A button on the host page with `attributes`.
    fn page_button(&mut self, attributes: &[(&str, &str)]) -> HtmlElement {
        let button = document().create_element("button").unwrap();
        for (name, value) in attributes {
            button.set_attribute(name, value).unwrap();
        }
        button.set_text_content(Some("page button"));
        document().body().unwrap().append_child(&button).unwrap();
        self.page.push(button.clone());
        button.dyn_into().unwrap()
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        drop(self.mounted.take());
        for el in &self.page {
            el.remove();
        }
    }
}

/// The mounted widget has its catalog.
fn prices_ready() -> bool {
    crate::CURRENT.get().is_some_and(|app| {
        app.state
            .try_with_untracked(|s| matches!(s.prices, crate::app::Prices::Ready(_)))
            == Some(true)
    })
}

/// Whether two handles are the same JS object.
fn same(a: &impl AsRef<JsValue>, b: &impl AsRef<JsValue>) -> bool {
    a.as_ref() == b.as_ref()
}

/// Empty storage and a fresh edge stub with the catalog and the methods.
fn fresh_page() {
    window().local_storage().unwrap().unwrap().clear().unwrap();
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    crate::store::clear_attempt();
    stub_edge();
    route("GET", "/v1/catalog", 200, CATALOG);
    route("GET", "/v1/payment-methods", 200, METHODS);
}

fn stored(key: &str) -> Option<String> {
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

fn store(key: &str, value: &str) {
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(key, value)
        .unwrap();
}

/// Types `value` into a quantity input and commits it (`change`).
fn type_quantity(input: &HtmlElement, value: &str) {
    let input: HtmlInputElement = input.clone().dyn_into().unwrap();
    input.set_value(value);
    let event = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    input.dispatch_event(&event).unwrap();
}

fn key(target: &Element, key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_composed(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// The details step's control for `name` (`email`, `postal-code`...).
fn control(w: &Widget, name: &str) -> HtmlElement {
    w.el(&format!(".qc-details [name='{name}']"))
}

/// The value of a details field.
fn value_of(w: &Widget, name: &str) -> String {
    field_str(&control(w, name), "value")
}

/// Types `value` into a details field and commits it (`change`), as a
/// shopper leaving the field does.
fn type_into(w: &Widget, name: &str, value: &str) {
    let el = control(w, name);
    Reflect::set(&el, &"value".into(), &value.into()).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    el.dispatch_event(&event).unwrap();
}

/// The inline error shown for a details field ("" when none): the text the
/// control's `aria-describedby` names, checked against `aria-invalid` and
/// against what is seen.
fn error_of(w: &Widget, name: &str) -> String {
    let el = control(w, name);
    let id = el
        .get_attribute("aria-describedby")
        .expect("aria-describedby");
    let text = w.text(&format!("#{id}"));
    let invalid = if text.is_empty() { "false" } else { "true" };
    assert_eq!(
        el.get_attribute("aria-invalid").as_deref(),
        Some(invalid),
        "{name}"
    );
    assert_eq!(
        w.el(&format!("#{id}")).offset_parent().is_some(),
        !text.is_empty() && el.offset_parent().is_some(),
        "{name}: shown when there is one"
    );
    text
}

/// Whether a details field is shown.
fn shown(w: &Widget, name: &str) -> bool {
    control(w, name).offset_parent().is_some()
}

/// Email and name, as for any purchase.
fn fill_details(w: &Widget) {
    type_into(w, "email", "ada@example.com");
    type_into(w, "name", " Ada Lovelace ");
}

/// The country select's choices, as shown.
fn country_names(w: &Widget) -> Vec<String> {
    w.all(".qc-details select option")
        .iter()
        .map(|o| o.text_content().unwrap_or_default())
        .collect()
}

/// Basket → Continue: the details step.
async fn to_details(w: &Widget) {
    w.click("[data-action=continue]");
    wait_for("the details step", || w.text("#qc-title") == "Your details").await;
}

/// The details step's Pay button.
fn pay_button(w: &Widget) -> HtmlElement {
    w.el("[data-action=submit]")
}

/// The element focused inside the shadow root, as `tag#id`.
fn focused(w: &Widget) -> String {
    w.root
        .active_element()
        .map(|e| format!("{}#{}", e.tag_name().to_lowercase(), e.id()))
        .unwrap_or_default()
}

// ----- tests ------------------------------------------------------------------

mod analytics;
mod buyers;
mod cards;
mod codes;

#[wasm_bindgen_test]
async fn add_merge_edit_remove_with_a_mixed_rate_vat_breakdown() {
    fresh_page();
    let events = Events::capture();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    let tshirt = w.page_button(&[("data-qc-add", "tshirt")]);
    let books = w.page_button(&[("data-qc-add", "book"), ("data-qc-quantity", "2")]);

    // Add, then add again: one line of 2 (merge).
    tshirt.click();
    tshirt.click();
    books.click();
    tick().await;
    let toggle = w.el(".qc-toggle");
    assert!(
        !toggle.hidden(),
        "the toggle shows once the basket has items"
    );
    assert_eq!(w.text(".qc-count"), "4");
    // Its name is what it shows ("Basket") and the count in words, with
    // no aria-label that would hide the visible text.
    assert_eq!(toggle.get_attribute("aria-label"), None);
    assert_eq!(w.text(".qc-toggle .qc-items"), ", 4 items");
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:2,book:2");
    assert_eq!(events.of("qc:basket-changed").len(), 3);

    toggle.click();
    wait_for("the dialog", || w.dialog_open()).await;
    let lines = w.all(".qc-line");
    assert_eq!(lines.len(), 2, "same SKU merged into one line");
    assert_eq!(w.text(".qc-line .qc-name"), "T-shirt");
    assert_eq!(w.text(".qc-line .qc-unit"), "€30.00");
    let inputs = w.all(".qc-input");
    assert_eq!(
        inputs[0]
            .clone()
            .dyn_into::<HtmlInputElement>()
            .unwrap()
            .value(),
        "2"
    );
    assert_eq!(
        w.totals(),
        [
            "Subtotal excl. VAT: €70.00",
            "VAT 5.5%: €1.10",
            "VAT 20%: €10.00",
            "Total: €81.10"
        ]
    );
    assert_eq!(w.text(".qc-pay"), "Continue");
    assert!(
        w.all(".qc-ship").is_empty(),
        "no shipping row: the shop does not ship"
    );

    // Quantity typed in the input.
    type_quantity(&inputs[0], "3");
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:3,book:2");
    assert_eq!(
        w.totals(),
        [
            "Subtotal excl. VAT: €95.00",
            "VAT 5.5%: €1.10",
            "VAT 20%: €15.00",
            "Total: €111.10"
        ]
    );
    assert_eq!(
        w.all(".qc-line .qc-total")[0].text_content().unwrap(),
        "€90.00"
    );

    // An invalid quantity is refused, explained, and the input restored.
    type_quantity(&inputs[1], "1000");
    tick().await;
    assert_eq!(w.text(".qc-error"), "Choose a quantity from 1 to 999.");
    assert_eq!(
        inputs[1]
            .clone()
            .dyn_into::<HtmlInputElement>()
            .unwrap()
            .value(),
        "2"
    );
    assert_eq!(
        field_str(&events.of("qc:error")[0], "code"),
        "quantity_out_of_range"
    );

    // Stepper.
    w.all(".qc-line")[1]
        .query_selector("[aria-label='Increase quantity of Book']")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    tick().await;
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:3,book:3");

    // Remove.
    w.el("[aria-label='Remove T-shirt']").click();
    tick().await;
    assert_eq!(w.all(".qc-line").len(), 1);
    assert_eq!(stored("qc-basket").unwrap(), "book:3");
    assert_eq!(
        w.totals(),
        [
            "Subtotal excl. VAT: €30.00",
            "VAT 5.5%: €1.65",
            "Total: €31.65"
        ]
    );
    assert_eq!(w.text("dialog .qc-sr"), "Removed from basket: T-shirt");
    assert_eq!(
        w.text(".qc > .qc-sr"),
        "",
        "the region outside the modal is inert"
    );
    let last = events.of("qc:basket-changed").pop().unwrap();
    assert_eq!(field_str(&last, "gross"), "31.65");
}

#[wasm_bindgen_test]
async fn labels_are_translated_in_french_and_german() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    {
        let w = Widget::mount(Some("fr-FR"));
        wait_for("the catalog", prices_ready).await;
        assert_eq!(w.text(".qc-toggle"), "Panier1, 1 article");
        assert_eq!(w.text("#qc-title"), "Votre panier");
        assert_eq!(
            w.el(".qc-close").get_attribute("aria-label").unwrap(),
            "Fermer"
        );
        // Intl formats money the French way (no-break spaces).
        assert_eq!(w.text(".qc-pay"), "Continuer");
        assert_eq!(w.totals().last().unwrap(), "Total TTC: 30,00\u{a0}€");
        assert_eq!(
            w.el("[aria-label='Retirer T-shirt']")
                .get_attribute("aria-label")
                .unwrap(),
            "Retirer T-shirt"
        );
    }
    {
        let w = Widget::mount(Some("de"));
        wait_for("the catalog", prices_ready).await;
        assert_eq!(w.text(".qc-toggle .qc-items"), ", 1 Artikel");
        assert_eq!(w.text("#qc-title"), "Ihr Warenkorb");
        assert_eq!(w.text(".qc-pay"), "Weiter");
        w.click(".qc-toggle");
        w.click("[data-action=continue]");
        wait_for("the details", || w.text("#qc-title") == "Ihre Angaben").await;
        // The wording German shops use (§ 312j BGB), without the amount.
        assert_eq!(
            pay_button(&w).text_content().unwrap(),
            "Zahlungspflichtig bestellen"
        );
        assert_eq!(w.text("label[for=qc-f1]"), "Vollständiger Name");
        assert_eq!(w.totals()[1], "MwSt. 20\u{a0}%: 5,00\u{a0}€");
    }
    // data-locale first, then <html lang>, then English.
    let pick = |locale: Option<&str>, html: Option<&str>| {
        Config::new(
            EDGE,
            locale.map(Into::into),
            html.map(Into::into),
            None,
            None,
        )
        .locale
    };
    assert_eq!(pick(Some("it"), Some("de")), "it");
    assert_eq!(pick(None, Some("nl-BE")), "nl-BE");
    assert_eq!(pick(Some("pt"), Some("es")), "es");
    assert_eq!(pick(Some("pt"), Some("x y")), "en");
}

#[wasm_bindgen(module = "/js/language.js")]
extern "C" {
    /// The loader's language rule (it runs before the wasm, to fetch the
    /// texts alongside it).
    #[wasm_bindgen(js_name = language)]
    fn loader_language(tags: Vec<JsValue>, supported: Vec<JsValue>) -> String;
}

#[wasm_bindgen_test]
fn the_loader_fetches_the_language_the_widget_chooses() {
    // The loader's list, as scripts/build-widget.sh generates it (from the
    // text files, which `i18n`'s tests keep equal to `Lang::ALL`).
    let supported: Vec<JsValue> = crate::i18n::Lang::ALL
        .iter()
        .map(|l| JsValue::from_str(l.code()))
        .collect();
    // (data-locale, <html lang>) → the language
    let table: [(Option<&str>, Option<&str>, &str); 13] = [
        (Some("fr-BE"), Some("de"), "fr"),
        (Some("pt"), Some("de_CH"), "de"),
        (None, Some("NL"), "nl"),
        (Some(""), Some("es-419"), "es"),
        (Some(" It "), None, "it"),
        (Some("EN-gb"), Some("fr"), "en"),
        (Some("frx"), Some("de"), "de"),
        (Some("it-<script>"), None, "it"),
        (Some("fr\u{a0}"), None, "fr"),
        (Some("x y"), Some("nl"), "nl"),
        (Some("xx"), None, "en"),
        (Some("-fr"), None, "en"),
        (None, None, "en"),
    ];
    for (locale, html, want) in table {
        let (lang, _) = crate::i18n::pick(&[locale.map(Into::into), html.map(Into::into)]);
        let tags = vec![
            locale.map_or(JsValue::UNDEFINED, JsValue::from_str),
            // `document.documentElement.lang` is "" without the attribute.
            JsValue::from_str(html.unwrap_or("")),
        ];
        let loader = loader_language(tags, supported.clone());
        assert_eq!(
            (lang.code(), loader.as_str()),
            (want, want),
            "{locale:?} {html:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_pressed_stepper_keeps_the_focus_and_a_quantity_being_typed_stays() {
    fresh_page();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.page_button(&[("data-qc-add", "tshirt")]).click();
    tick().await;
    w.click(".qc-toggle");
    wait_for("the dialog", || w.dialog_open()).await;

    // The line is updated in place: the pressed button is still the one
    // in the dialog, and still focused.
    let inc = w.el("[aria-label='Increase quantity of T-shirt']");
    inc.focus().unwrap();
    inc.click();
    inc.click();
    wait_for("the quantity", || w.text(".qc-line .qc-total") == "€90.00").await;
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:3");
    assert!(same(
        &w.el("[aria-label='Increase quantity of T-shirt']"),
        &inc
    ));
    assert!(same(&w.root.active_element().unwrap(), &inc));
    assert!(!w
        .el("[aria-label='Decrease quantity of T-shirt']")
        .has_attribute("disabled"));

    // A quantity typed but not yet committed (no `change` yet) survives
    // another change of the basket; committing it then applies it.
    let input: HtmlInputElement = w.el(".qc-input").dyn_into().unwrap();
    input.set_value("7");
    crate::call("add", Array::of2(&"book".into(), &1.into()));
    wait_for("the second line", || w.all(".qc-line").len() == 2).await;
    assert_eq!(input.value(), "7");
    assert_eq!(w.text(".qc-line:nth-child(2) .qc-name"), "Book");
    type_quantity(&input, "7");
    wait_for("the typed quantity", || {
        w.all(".qc-line .qc-total")[0].text_content().as_deref() == Some("€210.00")
    })
    .await;
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:7,book:1");

    // Removing the first line moves the second into its place, with its
    // own quantity, labels and SKU.
    w.el("[aria-label='Remove T-shirt']").click();
    wait_for("one line", || w.all(".qc-line").len() == 1).await;
    assert_eq!(input.value(), "1");
    assert_eq!(input.get_attribute("data-sku").as_deref(), Some("book"));
    assert_eq!(
        input.get_attribute("aria-label").as_deref(),
        Some("Quantity of Book")
    );
    assert!(w
        .el("[aria-label='Decrease quantity of Book']")
        .has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn escape_closes_the_dialog_and_focus_returns_to_the_opener() {
    fresh_page();
    let mut w = Widget::mount(Some("en"));
    let opener = w.page_button(&[("data-qc-open", "")]);
    opener.focus().unwrap();
    opener.click();
    wait_for("the dialog", || w.dialog_open()).await;
    let dialog = w.el("[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(
        dialog.get_attribute("aria-labelledby").as_deref(),
        Some("qc-title")
    );
    assert_eq!(w.text(".qc-empty"), "Your basket is empty.");

    // Tab from the last control wraps to the first (the focus stays inside).
    let close = w.el(".qc-close");
    let buttons: Vec<HtmlElement> = w
        .all("dialog button:not([disabled])")
        .into_iter()
        .filter(|b| b.offset_parent().is_some())
        .collect();
    let last = buttons.last().unwrap();
    last.focus().unwrap();
    key(last, "Tab", false);
    assert!(same(&w.root.active_element().unwrap(), &close));
    key(&close, "Tab", true);
    assert!(same(&w.root.active_element().unwrap(), last));

    key(&close, "Escape", false);
    tick().await;
    assert!(!w.dialog_open(), "Escape closes");
    assert!(
        same(&document().active_element().unwrap(), &opener),
        "focus is back on the opener"
    );
}

#[wasm_bindgen_test]
async fn a_failed_checkout_shows_the_error_and_a_retry_keeps_the_key() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    route(
        "POST",
        "/v1/checkouts",
        429,
        r#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
    );
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    wait_for("the methods", || {
        w.text(".qc-methods") == "Payment methods: Card · Apple Pay · PayPal"
    })
    .await;
    to_details(&w).await;
    fill_details(&w);
    pay_button(&w).click();
    // A double click while the first attempt runs sends nothing more.
    pay_button(&w).click();
    wait_for("the error", || !w.text(".qc-error").is_empty()).await;
    assert_eq!(w.text("#qc-title"), "Your details", "back on the details");
    assert_eq!(
        w.text(".qc-error"),
        "Payment service is busy, try again in a minute."
    );
    let error = events.of("qc:error").pop().unwrap();
    assert_eq!(field_str(&error, "code"), "rate_limited");
    assert_eq!(field(&error, "status").as_f64(), Some(429.0));
    assert_eq!(events.of("qc:checkout-started").len(), 1);
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"tshirt","quantity":1}}],{CUSTOMER},"language":"en"}}"#)
    );
    let first_key = idempotency_key(&sent[0]).expect("an idempotency key");

    // Retrying the same attempt sends the same key; a basket change or other
    // details start a new attempt with a new key.
    assert!(!pay_button(&w).has_attribute("disabled"));
    pay_button(&w).click();
    wait_for("the retry", || requests("POST", "/v1/checkouts").len() == 2).await;
    wait_for("the error again", || !w.text(".qc-error").is_empty()).await;
    crate::call("add", Array::of2(&"book".into(), &1.into()));
    tick().await;
    pay_button(&w).click();
    wait_for("the third", || requests("POST", "/v1/checkouts").len() == 3).await;
    wait_for("the error again", || !w.text(".qc-error").is_empty()).await;
    type_into(&w, "name", "Ada King");
    pay_button(&w).click();
    wait_for("the fourth", || {
        requests("POST", "/v1/checkouts").len() == 4
    })
    .await;
    let sent = requests("POST", "/v1/checkouts");
    let keys: Vec<_> = sent.iter().map(idempotency_key).collect();
    assert_eq!(keys[1].as_ref(), Some(&first_key));
    assert_ne!(keys[2].as_ref(), Some(&first_key));
    assert_ne!(keys[3], keys[2]);
}

#[wasm_bindgen_test]
async fn pay_stores_the_pending_checkout_and_redirects() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(&w).await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    let redirect = &events.of("qc:redirect")[0];
    assert_eq!(field_str(redirect, "id"), "chk_1");
    assert_eq!(field_str(redirect, "url"), "https://pay.example/l/abc");
    assert_eq!(
        stored("qc-pending").unwrap(),
        format!("basket\ntshirt:1\nchk_1\n{EDGE}")
    );
    // The test cancelled the redirect: the widget steps aside.
    tick().await;
    assert!(!w.dialog_open());
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:1", "kept until paid");
}

#[wasm_bindgen_test]
async fn a_stored_paid_checkout_shows_the_confirmation_and_clears_the_basket() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    store("qc-pending", &format!("basket\ntshirt:1\nchk_9\n{EDGE}"));
    route(
        "GET",
        "/v1/checkouts/chk_9",
        200,
        r#"{"id":"chk_9","status":"paid","reference":"QC-1A2B3C4D",
 "amount":{"value":"30.00","currency":"EUR"}}"#,
    );
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the confirmation", || w.dialog_open()).await;
    wait_for("the title", || w.text("#qc-title") == "Thank you!").await;
    assert_eq!(w.text(".qc-status"), "Your payment has been received.");
    // The reference the shopper can quote to the shop.
    assert_eq!(w.text(".qc-ref"), "Order reference: QC-1A2B3C4D");
    assert!(!w.el(".qc-ref").hidden());
    assert_eq!(stored("qc-basket"), None, "the basket is cleared");
    assert_eq!(stored("qc-pending"), None, "the pending checkout is done");
    assert!(w.el(".qc-toggle").hidden());
    let status = &events.of("qc:payment-status")[0];
    assert_eq!(field_str(status, "id"), "chk_9");
    assert_eq!(field_str(status, "status"), "paid");
    assert_eq!(field_str(status, "reference"), "QC-1A2B3C4D");
    // Closing shows the (empty) basket next time.
    w.click(".qc-close");
    tick().await;
    assert!(!w.dialog_open());
}

/// Waits up to `ms` milliseconds (in 50 ms steps) for `done`.
async fn wait_ms(what: &str, ms: u32, mut done: impl FnMut() -> bool) {
    for _ in 0..ms / 50 {
        if done() {
            return;
        }
        let promise = Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
        });
        JsFuture::from(promise).await.expect("timeout");
    }
    assert!(done(), "timed out waiting for: {what}");
}

#[wasm_bindgen_test]
async fn back_before_the_edge_knows_the_payment_an_open_link_is_asked_again() {
    // Qonto's word has not reached the edge yet: "open", then "paid".
    fresh_page();
    store("qc-basket", "tshirt:1");
    store("qc-pending", &format!("basket\ntshirt:1\nchk_7\n{EDGE}"));
    let open = r#"{"id":"chk_7","status":"open","reference":"QC-77AA0B1C",
 "amount":{"value":"30.00","currency":"EUR"}}"#;
    route("GET", "/v1/checkouts/chk_7", 200, open);
    let w = Widget::mount(Some("en"));
    wait_for("being confirmed", || {
        w.text("#qc-title") == "Payment being confirmed"
    })
    .await;
    wait_for("the reference", || {
        w.text(".qc-ref") == "Order reference: QC-77AA0B1C"
    })
    .await;
    assert_eq!(requests("GET", "/v1/checkouts/chk_7").len(), 1);
    route(
        "GET",
        "/v1/checkouts/chk_7",
        200,
        r#"{"id":"chk_7","status":"paid","amount":{"value":"30.00","currency":"EUR"}}"#,
    );
    wait_ms("the confirmation", 6_000, || {
        w.text("#qc-title") == "Thank you!"
    })
    .await;
    assert_eq!(requests("GET", "/v1/checkouts/chk_7").len(), 2);
    assert_eq!(stored("qc-basket"), None, "the basket is cleared");
    drop(w);

    // Still open when asked again: the shopper came back without paying.
    fresh_page();
    store("qc-basket", "tshirt:1");
    store("qc-pending", &format!("basket\ntshirt:1\nchk_8\n{EDGE}"));
    route(
        "GET",
        "/v1/checkouts/chk_8",
        200,
        &open.replace("chk_7", "chk_8"),
    );
    let w = Widget::mount(Some("en"));
    wait_ms("not completed", 4_000, || {
        w.text("#qc-title") == "Payment not completed"
    })
    .await;
    assert_eq!(
        requests("GET", "/v1/checkouts/chk_8").len(),
        2,
        "asked twice, no more"
    );
    assert!(
        w.el(".qc-ref").hidden(),
        "no reference on a payment not made"
    );
    assert_eq!(w.text(".qc-retry"), "Try again");
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:1", "basket kept");
    assert_eq!(stored("qc-pending"), None);
}

#[wasm_bindgen_test]
async fn a_failed_payment_keeps_the_basket_and_offers_to_try_again() {
    fresh_page();
    store("qc-basket", "book:2");
    store("qc-pending", &format!("basket\nbook:2\nchk_5\n{EDGE}"));
    route(
        "GET",
        "/v1/checkouts/chk_5",
        200,
        r#"{"id":"chk_5","status":"failed","amount":{"value":"21.10","currency":"EUR"}}"#,
    );
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the outcome", || {
        w.text("#qc-title") == "Payment not completed"
    })
    .await;
    assert_eq!(stored("qc-basket").unwrap(), "book:2", "basket kept");
    assert_eq!(stored("qc-pending"), None);
    wait_for("the catalog", prices_ready).await;
    // Try again goes through the details step (they were not remembered).
    w.click(".qc-retry");
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the new checkout", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"book","quantity":2}}],{CUSTOMER},"language":"en"}}"#)
    );
}

/// A checkout id of the edge's shape (what `qc_checkout` carries).
const RETURN_ID: &str = "ck_0123456789abcdef01234567";

/// Puts `?qc_checkout=<RETURN_ID>` on this page's address, as Qonto's
/// redirect back does; returns the address without it.
fn come_back_through_the_return_address() -> String {
    let page = crate::return_param::page_url().unwrap();
    let back = web_sys::Url::new(&page).unwrap();
    back.search_params().set("qc_checkout", RETURN_ID);
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&back.href()))
        .unwrap();
    page
}

#[wasm_bindgen_test]
async fn a_canceled_payment_back_through_the_return_address_tries_again_with_the_basket() {
    // Nothing stored (another browser, or its storage was cleared): the
    // outcome comes from `qc_checkout`, and Try again pays for this
    // browser's basket.
    fresh_page();
    store("qc-basket", "book:1");
    come_back_through_the_return_address();
    route(
        "GET",
        &format!("/v1/checkouts/{RETURN_ID}"),
        200,
        &format!(r#"{{"id":"{RETURN_ID}","status":"canceled"}}"#),
    );
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the outcome", || {
        w.text("#qc-title") == "Payment not completed"
    })
    .await;
    assert_eq!(w.text(".qc-retry"), "Try again");
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-retry");
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the new checkout", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"book","quantity":1}}],{CUSTOMER},"language":"en"}}"#)
    );
}

#[wasm_bindgen_test]
async fn an_expired_checkout_says_so_and_start_again_creates_a_new_one() {
    fresh_page();
    store("qc-basket", "book:2");
    store("qc-pending", &format!("basket\nbook:2\nchk_4\n{EDGE}"));
    route(
        "GET",
        "/v1/checkouts/chk_4",
        200,
        r#"{"id":"chk_4","status":"expired","reference":"QC-0000AAAA",
 "amount":{"value":"21.10","currency":"EUR"}}"#,
    );
    route(
        "POST",
        "/v1/checkouts",
        201,
        r#"{"id":"chk_40","url":"https://pay.example/l/new","status":"open",
 "reference":"QC-4040BEEF","amount":{"value":"21.10","currency":"EUR"}}"#,
    );
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the outcome", || w.text("#qc-title") == "Checkout expired").await;
    assert_eq!(
        w.text(".qc-status"),
        "This checkout has expired and can no longer be paid. Start again to pay for your basket."
    );
    assert!(w.dialog_open());
    assert!(
        w.el(".qc-ref").hidden(),
        "no reference on an expired checkout"
    );
    assert_eq!(w.text(".qc-retry"), "Start again");
    assert!(!w.el(".qc-retry").hidden());
    assert_eq!(stored("qc-basket").unwrap(), "book:2", "basket kept");
    assert_eq!(stored("qc-pending"), None, "nothing more to ask");
    let status = &events.of("qc:payment-status")[0];
    assert_eq!(field_str(status, "status"), "expired");
    wait_for("the catalog", prices_ready).await;
    // Start again: the same basket, through the details, as a new checkout.
    w.click(".qc-retry");
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the new checkout", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"book","quantity":2}}],{CUSTOMER},"language":"en"}}"#)
    );
    let redirect = &events.of("qc:redirect")[0];
    assert_eq!(field_str(redirect, "id"), "chk_40");
    assert_eq!(field_str(redirect, "reference"), "QC-4040BEEF");
    assert_eq!(
        stored("qc-pending").unwrap(),
        format!("basket\nbook:2\nchk_40\n{EDGE}")
    );
    drop(w);
    drop(events);

    // Back through the return address (`qc_checkout`) with nothing stored,
    // in French: the expired text, and Start again pays for this browser's
    // basket.
    fresh_page();
    store("qc-basket", "tshirt:1");
    let page = come_back_through_the_return_address();
    route(
        "GET",
        &format!("/v1/checkouts/{RETURN_ID}"),
        200,
        &format!(r#"{{"id":"{RETURN_ID}","status":"expired"}}"#),
    );
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let w = Widget::mount(Some("fr"));
    wait_for("the outcome", || w.text("#qc-title") == "Commande expirée").await;
    assert_eq!(w.text(".qc-retry"), "Recommencer");
    assert_eq!(
        window().location().href().unwrap(),
        page,
        "the parameter is removed"
    );
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-retry");
    wait_for("the details", || w.text("#qc-title") == "Vos coordonnées").await;
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the new checkout", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"tshirt","quantity":1}}],{CUSTOMER},"language":"fr"}}"#)
    );
}

#[wasm_bindgen_test]
async fn buy_now_and_invoice_buttons_pay_without_touching_the_basket() {
    fresh_page();
    store("qc-basket", "tshirt:1");
    route("POST", "/v1/checkouts", 201, CREATED);
    route(
        "POST",
        "/v1/invoice-checkouts",
        404,
        r#"{"error":{"code":"not_found","message":"no such invoice"}}"#,
    );
    let events = Events::capture();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;

    w.page_button(&[("data-qc-buy", "book"), ("data-qc-quantity", "3")])
        .click();
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    assert_eq!(w.totals().last().unwrap(), "Total: €31.65", "the item's");
    fill_details(&w);
    pay_button(&w).click();
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"book","quantity":3}}],{CUSTOMER},"language":"en"}}"#)
    );
    let started = &events.of("qc:checkout-started")[0];
    assert_eq!(field_str(started, "kind"), "buy");
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:1", "basket untouched");
    assert!(stored("qc-pending")
        .unwrap()
        .starts_with("buy\nbook:3\nchk_1\n"));
    tick().await;

    w.page_button(&[(
        "data-qc-pay-invoice",
        "4c56f862-6117-4b20-a3e3-7fa6fccea029",
    )])
    .click();
    wait_for("the invoice error", || {
        w.text("#qc-title") == "Payment not completed"
    })
    .await;
    assert_eq!(
        w.text(".qc-status"),
        "This invoice can't be paid online right now."
    );
    let sent = requests("POST", "/v1/invoice-checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        r#"{"invoice_id":"4c56f862-6117-4b20-a3e3-7fa6fccea029"}"#
    );
    assert!(idempotency_key(&sent[0]).is_some());
    assert_eq!(field_str(&events.of("qc:error")[0], "code"), "not_found");
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:1");
}

#[wasm_bindgen_test]
async fn unknown_and_withdrawn_items_are_refused_or_flagged() {
    fresh_page();
    // "mug" was in the basket but the catalog no longer sells it.
    store("qc-basket", "mug:1,book:1");
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;

    // The JS API refuses a SKU the catalog does not sell.
    let basket = crate::call("add", Array::of2(&"nope".into(), &1.into()));
    assert_eq!(field(&basket, "itemCount").as_f64(), Some(2.0), "unchanged");
    assert_eq!(field_str(&events.of("qc:error")[0], "code"), "unknown_sku");
    tick().await;
    assert_eq!(w.text(".qc-toast"), "This item is no longer available.");

    w.click(".qc-toggle");
    tick().await;
    let gone = w.el(".qc-gone");
    assert_eq!(
        gone.query_selector(".qc-unit")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "No longer available"
    );
    assert_eq!(
        w.text(".qc-error"),
        "Remove the items that are no longer available to continue."
    );
    assert!(w.el(".qc-pay").has_attribute("disabled"));
    assert_eq!(w.totals().last().unwrap(), "Total: €10.55");
    let basket = crate::call("basket", Array::new());
    let items = Array::from(&field(&basket, "items"));
    assert_eq!(field(&items.get(0), "available").as_bool(), Some(false));
    w.el("[aria-label='Remove mug']").click();
    tick().await;
    assert!(!w.el(".qc-pay").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn an_unreachable_edge_is_explained() {
    fresh_page();
    stub_edge(); // no routes: every fetch fails like a network error
    store("qc-basket", "book:1");
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the error", || !events.of("qc:error").is_empty()).await;
    assert_eq!(field_str(&events.of("qc:error")[0], "code"), "network");
    w.click(".qc-toggle");
    tick().await;
    assert_eq!(
        w.text(".qc-error"),
        "Can't reach the payment service. Check your connection and try again."
    );
    assert!(w.el(".qc-pay").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn other_tabs_and_the_js_api_change_the_basket() {
    fresh_page();
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    assert_eq!(events.of("qc:ready").len(), 1);

    let basket = crate::call("setQuantity", Array::of2(&"book".into(), &4.into()));
    assert_eq!(field(&basket, "itemCount").as_f64(), Some(4.0));
    assert_eq!(field_str(&basket, "gross"), "42.20");
    crate::call("add", Array::of2(&"book".into(), &2.5.into()));
    assert_eq!(
        field_str(&events.of("qc:error")[0], "code"),
        "quantity_out_of_range"
    );

    // Another tab wrote the basket.
    let init = StorageEventInit::new();
    init.set_key(Some("qc-basket"));
    init.set_new_value(Some("tshirt:2"));
    let event = StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    window().dispatch_event(&event).unwrap();
    tick().await;
    assert_eq!(w.text(".qc-count"), "2");
    let last = events.of("qc:basket-changed").pop().unwrap();
    assert_eq!(field_str(&last, "gross"), "60.00");

    crate::call("open", Array::new());
    tick().await;
    assert!(w.dialog_open());
    // checkout(): the details step for the basket.
    crate::call("checkout", Array::new());
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    crate::call("close", Array::new());
    crate::call("clear", Array::new());
    tick().await;
    assert!(!w.dialog_open());
    assert!(w.el(".qc-toggle").hidden());
}

#[wasm_bindgen_test]
async fn start_mounts_once_and_styles_are_adopted_not_inline() {
    fresh_page();
    crate::start(
        EDGE.into(),
        Some("en".into()),
        Some("dark".into()),
        None,
        None,
        None,
        None,
    )
    .expect("start");
    crate::start(EDGE.into(), None, None, None, None, None, None)
        .expect("a second start does nothing");
    let hosts = document().query_selector_all("#qonto-checkout").unwrap();
    assert_eq!(hosts.length(), 1);
    let root = document()
        .get_element_by_id(crate::HOST_ID)
        .unwrap()
        .shadow_root()
        .unwrap();
    // CSP: the styles are a constructed stylesheet, never a <style> element
    // or a style attribute.
    assert_eq!(root.adopted_style_sheets().length(), 1);
    assert!(root.query_selector("style, [style]").unwrap().is_none());
    assert_eq!(
        root.query_selector(".qc")
            .unwrap()
            .unwrap()
            .get_attribute("data-theme")
            .as_deref(),
        Some("dark")
    );
    crate::STARTED.take();
    assert!(document().get_element_by_id(crate::HOST_ID).is_none());
}

// ----- the details step -------------------------------------------------------

/// `fresh_page` with the shop that ships (and sells a service).
fn shop_page() {
    fresh_page();
    route("GET", "/v1/catalog", 200, SHOP);
}

#[wasm_bindgen_test]
async fn the_details_step_checks_every_field_inline_and_focuses_the_first_error() {
    shop_page();
    store("qc-basket", "tshirt:1");
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(&w).await;
    wait_for("the focus on the email", || focused(&w) == "input#qc-f0").await;

    // Labels, autofill names and types, and the address for goods.
    let labels: Vec<String> = w
        .all(".qc-details .qc-field label")
        .iter()
        .map(|l| l.text_content().unwrap_or_default())
        .collect();
    assert_eq!(
        labels,
        [
            "Email",
            "Full name",
            "Address",
            "Address line 2 (optional)",
            "Postal code",
            "City",
            "Country",
            "Phone (optional)",
            // Built, and hidden in a shop without business buyers or terms.
            "Company (optional)",
            "VAT number (optional)",
            "I accept the terms and conditions"
        ]
    );
    for (name, autocomplete, kind) in [
        ("email", "email", "email"),
        ("name", "name", "text"),
        ("address-line1", "shipping address-line1", "text"),
        ("address-line2", "shipping address-line2", "text"),
        ("postal-code", "shipping postal-code", "text"),
        ("city", "shipping address-level2", "text"),
        ("tel", "tel", "tel"),
    ] {
        let el = control(&w, name);
        assert_eq!(
            el.get_attribute("autocomplete").as_deref(),
            Some(autocomplete)
        );
        assert_eq!(el.get_attribute("type").as_deref(), Some(kind));
        assert!(shown(&w, name), "{name} is shown for goods");
        // Each label names its control.
        assert_eq!(w.el(&format!("label[for={}]", el.id())).tag_name(), "LABEL");
    }
    assert_eq!(
        control(&w, "country")
            .get_attribute("autocomplete")
            .as_deref(),
        Some("shipping country")
    );
    assert_eq!(w.text(".qc-ship dd"), "—", "shipping waits for a country");

    // Pay with nothing typed: every required field says what it needs.
    pay_button(&w).click();
    wait_for("the errors", || !error_of(&w, "email").is_empty()).await;
    for (name, text) in [
        ("email", "Enter your email address."),
        ("name", "Enter your full name."),
        ("address-line1", "Enter your address."),
        ("address-line2", ""),
        ("postal-code", "Enter your postal code."),
        ("city", "Enter your city."),
        ("country", "Choose a country."),
        ("tel", ""),
    ] {
        assert_eq!(error_of(&w, name), text, "{name}");
    }
    wait_for("the focus on the first error", || {
        focused(&w) == "input#qc-f0"
    })
    .await;
    assert!(requests("POST", "/v1/checkouts").is_empty(), "nothing sent");

    // Fixing a field clears its error when it is left; a wrong value says so.
    type_into(&w, "email", "ada@example");
    tick().await;
    assert_eq!(error_of(&w, "email"), "Enter a valid email address.");
    type_into(&w, "email", "ada@example.com");
    type_into(&w, "tel", "call me");
    tick().await;
    assert_eq!(error_of(&w, "email"), "");
    assert_eq!(error_of(&w, "tel"), "Enter a valid phone number.");

    // The next Pay focuses the first field still wrong.
    pay_button(&w).click();
    wait_for("the focus on the name", || focused(&w) == "input#qc-f1").await;
    assert_eq!(error_of(&w, "name"), "Enter your full name.");
    assert_eq!(error_of(&w, "tel"), "Enter a valid phone number.");
}

#[wasm_bindgen_test]
async fn the_countries_are_the_configured_ones_by_name_and_shipping_follows_the_choice() {
    shop_page();
    store("qc-basket", "tshirt:1");
    let events = Events::capture();
    {
        let w = Widget::mount(Some("en"));
        wait_for("the catalog", prices_ready).await;
        w.click(".qc-toggle");
        tick().await;
        // The basket: goods, and a shop that ships.
        assert_eq!(
            w.totals(),
            [
                "Subtotal excl. VAT: €25.00",
                "VAT 20%: €5.00",
                "Shipping: Calculated at the next step",
                "Total: €30.00"
            ]
        );
        to_details(&w).await;
        assert_eq!(
            country_names(&w),
            ["", "Belgium", "France", "Germany", "Monaco"],
            "the zones' countries only, by name, sorted"
        );
        assert_eq!(pay_button(&w).text_content().unwrap(), "Pay");

        type_into(&w, "country", "FR");
        tick().await;
        assert_eq!(value_of(&w, "country"), "FR");
        assert_eq!(
            w.totals(),
            [
                "Subtotal excl. VAT: €25.00",
                "VAT 20%: €5.00",
                "Shipping: €5.88",
                "Total: €35.88"
            ]
        );
        assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €35.88");
        assert_eq!(w.text("dialog .qc-sr"), "Total: €35.88", "announced");

        type_into(&w, "country", "BE");
        tick().await;
        assert_eq!(w.text(".qc-ship dd"), "€11.88");
        assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €41.88");

        // From 60.00 of goods (gross), shipping is free.
        crate::call("add", Array::of2(&"tshirt".into(), &1.into()));
        tick().await;
        assert_eq!(w.text(".qc-ship dd"), "Free");
        assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €60.00");
        // A service does not count towards it.
        crate::call("setQuantity", Array::of2(&"tshirt".into(), &1.into()));
        crate::call("add", Array::of2(&"ebook".into(), &3.into()));
        tick().await;
        assert_eq!(w.text(".qc-ship dd"), "€11.88");
        assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €73.53");
    }
    {
        // Country names follow the page's language.
        let w = Widget::mount(Some("fr"));
        wait_for("the catalog", prices_ready).await;
        w.click(".qc-toggle");
        w.click("[data-action=continue]");
        wait_for("the details", || w.text("#qc-title") == "Vos coordonnées").await;
        assert_eq!(
            country_names(&w),
            ["", "Allemagne", "Belgique", "France", "Monaco"]
        );
    }
    assert!(events.of("qc:error").is_empty());
}

#[wasm_bindgen_test]
async fn pay_sends_the_customer_and_no_price_and_an_edge_422_shows_inline() {
    shop_page();
    store("qc-basket", "tshirt:2,book:1");
    route(
        "POST",
        "/v1/checkouts",
        422,
        r#"{"error":{"code":"unshippable_country","message":"the shop does not ship to MC",
            "field":"customer.address.country",
            "problems":[{"code":"unshippable_country","message":"the shop does not ship to MC",
                         "field":"customer.address.country"}]}}"#,
    );
    let events = Events::capture();
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    to_details(&w).await;
    fill_details(&w);
    type_into(&w, "address-line1", "12 rue des Lilas");
    type_into(&w, "address-line2", "  ");
    type_into(&w, "postal-code", "98000");
    type_into(&w, "city", "Monaco");
    type_into(&w, "country", "MC");
    type_into(&w, "tel", "+377 93 15 00 00");
    pay_button(&w).click();
    wait_for("the request", || {
        !requests("POST", "/v1/checkouts").is_empty()
    })
    .await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        r#"{"items":[{"sku":"tshirt","quantity":2},{"sku":"book","quantity":1}],"customer":{"email":"ada@example.com","name":"Ada Lovelace","phone":"+377 93 15 00 00","address":{"line1":"12 rue des Lilas","postal_code":"98000","city":"Monaco","country":"MC"}},"language":"en"}"#,
        "SKUs, quantities, the customer (trimmed, blanks left out) and the language; no price"
    );

    // The edge's 422 about the country shows on the country, focused.
    wait_for("the inline error", || !error_of(&w, "country").is_empty()).await;
    assert_eq!(error_of(&w, "country"), "We don't ship to this country.");
    assert_eq!(w.text("#qc-title"), "Your details");
    assert_eq!(w.text(".qc-error"), "", "said inline, not twice");
    wait_for("the focus", || focused(&w) == "select#qc-f6").await;
    let error = events.of("qc:error").pop().unwrap();
    assert_eq!(field_str(&error, "code"), "unshippable_country");
    assert_eq!(field(&error, "status").as_f64(), Some(422.0));
    // Choosing again clears it.
    type_into(&w, "country", "FR");
    tick().await;
    assert_eq!(error_of(&w, "country"), "");
}

#[wasm_bindgen_test]
async fn details_are_remembered_on_the_device_until_forgotten() {
    shop_page();
    store("qc-basket", "book:1");
    route("POST", "/v1/checkouts", 201, CREATED);
    // Cancels the redirects.
    let _events = Events::capture();
    {
        let w = Widget::mount(Some("en"));
        wait_for("the catalog", prices_ready).await;
        w.click(".qc-toggle");
        to_details(&w).await;
        let remember = control(&w, "remember");
        assert_eq!(
            field(&remember, "checked").as_bool(),
            Some(false),
            "unticked by default: the shopper opts in"
        );
        assert_eq!(
            remember.parent_element().unwrap().text_content().unwrap(),
            "Remember my details on this device"
        );
        assert!(
            w.el("[data-action=forget]").offset_parent().is_none(),
            "nothing stored yet"
        );
        fill_details(&w);
        type_into(&w, "address-line1", "1 Main Street");
        type_into(&w, "postal-code", "75001");
        type_into(&w, "city", "Paris");
        type_into(&w, "country", "FR");
        remember.click();
        tick().await;
        pay_button(&w).click();
        wait_for("the redirect", || stored("qc-pending").is_some()).await;
        assert_eq!(
            stored("qc-details").unwrap(),
            "ada@example.com\nAda Lovelace\n1 Main Street\n\n75001\nParis\nFR\n\n\n",
            "the company and VAT number too (empty here), never the terms"
        );
    }
    // The next visit: filled in, and the basket knows the shipping already.
    let w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.click(".qc-toggle");
    tick().await;
    assert_eq!(w.text(".qc-ship dd"), "€5.88");
    assert_eq!(w.totals().last().unwrap(), "Total: €16.43");
    to_details(&w).await;
    assert_eq!(value_of(&w, "email"), "ada@example.com");
    assert_eq!(value_of(&w, "city"), "Paris");
    assert_eq!(value_of(&w, "country"), "FR");
    assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €16.43");
    assert_eq!(
        field(&control(&w, "remember"), "checked").as_bool(),
        Some(true),
        "still chosen on the next visit"
    );

    let forget = w.el("[data-action=forget]");
    assert!(forget.offset_parent().is_some());
    assert_eq!(forget.text_content().unwrap(), "Forget my details");
    forget.click();
    tick().await;
    assert_eq!(stored("qc-details"), None);
    for name in [
        "email",
        "name",
        "address-line1",
        "postal-code",
        "city",
        "country",
    ] {
        assert_eq!(value_of(&w, name), "", "{name} cleared");
    }
    assert!(forget.offset_parent().is_none(), "nothing left to forget");
    assert_eq!(w.text("dialog .qc-sr"), "Your details have been forgotten.");
    wait_for("the focus", || focused(&w) == "input#qc-f0").await;
    assert_eq!(w.text(".qc-ship dd"), "—");

    // Forgetting also unticks the box: Pay stores nothing now.
    assert_eq!(
        field(&control(&w, "remember"), "checked").as_bool(),
        Some(false)
    );
    fill_details(&w);
    type_into(&w, "address-line1", "1 Main Street");
    type_into(&w, "postal-code", "75001");
    type_into(&w, "city", "Paris");
    type_into(&w, "country", "FR");
    pay_button(&w).click();
    wait_for("the second checkout", || {
        requests("POST", "/v1/checkouts").len() == 2
    })
    .await;
    assert_eq!(stored("qc-details"), None);
}

#[wasm_bindgen_test]
async fn buy_now_of_a_service_asks_only_for_email_and_name() {
    shop_page();
    store("qc-basket", "tshirt:1");
    route("POST", "/v1/checkouts", 201, CREATED);
    let events = Events::capture();
    let mut w = Widget::mount(Some("en"));
    wait_for("the catalog", prices_ready).await;
    w.page_button(&[("data-qc-buy", "ebook")]).click();
    wait_for("the details", || w.text("#qc-title") == "Your details").await;
    assert!(w.dialog_open());
    assert!(shown(&w, "email") && shown(&w, "name") && shown(&w, "tel"));
    for name in [
        "address-line1",
        "address-line2",
        "postal-code",
        "city",
        "country",
    ] {
        assert!(!shown(&w, name), "{name} is not asked for a service");
    }
    assert!(w.all(".qc-ship").is_empty(), "nothing to ship");
    assert_eq!(pay_button(&w).text_content().unwrap(), "Pay €10.55");
    // Back leaves buy now (there is no basket step for it).
    w.click("[data-action=back]");
    tick().await;
    assert!(!w.dialog_open());

    w.page_button(&[("data-qc-buy", "ebook")]).click();
    wait_for("the details", || {
        w.dialog_open() && !pay_button(&w).hidden()
    })
    .await;
    fill_details(&w);
    pay_button(&w).click();
    tick().await;
    wait_for("the redirect", || !events.of("qc:redirect").is_empty()).await;
    let sent = requests("POST", "/v1/checkouts");
    assert_eq!(
        body_of(&sent[0]).await,
        format!(r#"{{"items":[{{"sku":"ebook","quantity":1}}],{CUSTOMER},"language":"en"}}"#)
    );
    assert_eq!(stored("qc-basket").unwrap(), "tshirt:1", "basket untouched");
}

#[wasm_bindgen_test]
async fn the_edge_error_codes_have_their_texts() {
    use crate::i18n::Msg;
    use crate::problem::Problem;
    for (status, code, msg) in [
        (409, "checkout_in_progress", Msg::ErrBusy),
        (429, "rate_limited", Msg::ErrBusy),
        (422, "unknown_sku", Msg::ErrGone),
        (422, "unshippable_country", Msg::ErrUnshippable),
        (502, "payment_provider_rejected", Msg::ErrDown),
        (503, "payment_provider_unavailable", Msg::ErrDown),
        (503, "not_connected", Msg::ErrDown),
        (503, "payments_paused", Msg::ErrPaused),
        (504, "payment_provider_timeout", Msg::ErrDown),
        (500, "internal_error", Msg::ErrDown),
        (403, "origin_not_allowed", Msg::ErrGeneric),
        (409, "idempotency_key_reused", Msg::ErrGeneric),
        (418, "", Msg::ErrGeneric),
        (0, "network", Msg::ErrNetwork),
    ] {
        assert_eq!(Problem::http(status, code, "").msg, msg, "{code}");
    }
    for (code, msg) in [
        ("invoice_already_paid", Msg::ErrInvoicePaid),
        ("invoice_not_payable", Msg::ErrInvoice),
        ("not_found", Msg::ErrInvoice),
        ("rate_limited", Msg::ErrBusy),
    ] {
        let status = if code == "rate_limited" { 429 } else { 422 };
        assert_eq!(
            Problem::http(status, code, "").for_invoice().msg,
            msg,
            "{code}"
        );
    }
}
