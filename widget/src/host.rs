//! Where the host page meets the widget: the delegated listeners for the
//! `data-qc-*` buttons, the other tabs' basket (`storage`), the return from
//! the back-forward cache (`pageshow`), and the `window.QontoCheckout` API
//! calls the loader forwards to [`call`].
//!
//! The listeners sit on `window`, so buttons an SPA adds later work without
//! any call; they walk the event's composed path, so a button inside a
//! merchant's own (open) web component works too.

use js_sys::{Array, Number};
use shared::Basket;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, PageTransitionEvent, StorageEvent};

use crate::app::{i64_quantity, quantity_text, App};
use crate::i18n::Msg;
use crate::js::{self, Listener};
use crate::problem::Problem;
use crate::store::{self, Purchase};

/// The page-wide listeners (removed when dropped, with the widget).
pub(crate) fn listen(app: App) -> Vec<Listener> {
    let Some(window) = js::window() else {
        return Vec::new();
    };
    let click = Listener::new(&window, "click", false, move |event| {
        for node in event.composed_path().iter() {
            if let Some(element) = node.dyn_ref::<Element>() {
                if activate(app, element) {
                    // A data-qc link or submit button must not also navigate.
                    event.prevent_default();
                    return;
                }
            }
        }
    });
    let storage = Listener::new(&window, "storage", false, move |event| {
        let Some(event) = event.dyn_ref::<StorageEvent>() else {
            return;
        };
        // `key` is null when the whole storage was cleared.
        let key = event.key();
        if key.is_none() || key.as_deref() == Some(store::BASKET_KEY) {
            app.basket_synced(store::decode_basket(event.new_value().as_deref()));
        }
    });
    let pageshow = Listener::new(&window, "pageshow", false, move |event| {
        if event
            .dyn_ref::<PageTransitionEvent>()
            .is_some_and(PageTransitionEvent::persisted)
        {
            app.page_restored();
        }
    });
    [click, storage, pageshow].into_iter().flatten().collect()
}

/// Acts on a `data-qc-*` element; returns whether it was one.
pub(crate) fn activate(app: App, element: &Element) -> bool {
    let opener = element.dyn_ref::<HtmlElement>().cloned();
    if let Some(sku) = element.get_attribute("data-qc-add") {
        app.add_from(element, sku.trim(), quantity_attribute(element));
    } else if let Some(sku) = element.get_attribute("data-qc-buy") {
        let mut items = Basket::new();
        match quantity_attribute(element)
            .and_then(|q| items.add(sku.trim(), q).map_err(Problem::from))
        {
            Ok(()) => app.checkout(Purchase::Items(items), opener),
            Err(problem) => app.report(problem),
        }
    } else if element.has_attribute("data-qc-open") {
        app.open_basket(opener);
    } else if let Some(id) = element.get_attribute("data-qc-pay-invoice") {
        let id = id.trim();
        // Ids are UUIDs; anything with spaces or line breaks is a typo.
        if !id.is_empty() && id.len() <= 128 && !id.contains(char::is_whitespace) {
            app.pay(Purchase::Invoice(id.to_owned()), None, opener);
        } else {
            let mut problem = Problem::new("invalid_invoice_id", id.to_owned());
            problem.msg = Msg::ErrInvoice;
            app.report(problem);
        }
    } else {
        return false;
    }
    true
}

/// `data-qc-quantity`, 1 when absent.
fn quantity_attribute(element: &Element) -> Result<u32, Problem> {
    match element.get_attribute("data-qc-quantity") {
        None => Ok(1),
        Some(text) => match quantity_text(&text) {
            Some(n) => i64_quantity(n),
            None => Err(Problem::new(
                "quantity_out_of_range",
                ["data-qc-quantity=", &text].concat(),
            )),
        },
    }
}

/// A quantity passed to the JS API: a whole number (`default` when omitted).
fn quantity_argument(value: &JsValue, default: u32) -> Result<i64, Problem> {
    if value.is_undefined() {
        return Ok(i64::from(default));
    }
    match value.as_f64() {
        // A safe integer fits an i64 exactly.
        Some(n) if Number::is_safe_integer(value) => Ok(n as i64),
        _ => Err(Problem::new(
            "quantity_out_of_range",
            "the quantity must be a whole number",
        )),
    }
}

/// One `window.QontoCheckout` call, forwarded by the loader: `method` and its
/// arguments. Returns the basket for the basket methods and `basket()`,
/// `undefined` for the others. Never throws: failures are reported as
/// `qc:error` (and shown to the shopper where it makes sense).
pub(crate) fn call(app: App, method: &str, args: &Array) -> JsValue {
    let sku = || args.get(0).as_string().unwrap_or_default();
    match method {
        "add" => {
            let result = quantity_argument(&args.get(1), 1)
                .and_then(i64_quantity)
                .and_then(|q| app.add(&sku(), q));
            app.run(result);
        }
        "setQuantity" => {
            let result = quantity_argument(&args.get(1), 1).and_then(|q| match q {
                0 => app.set_quantity(&sku(), 0),
                q => i64_quantity(q).and_then(|q| app.set_quantity(&sku(), q)),
            });
            app.run(result);
        }
        "remove" => app.remove(&sku()),
        "clear" => app.clear(),
        "basket" => {}
        "open" => {
            app.open_basket(None);
            return JsValue::UNDEFINED;
        }
        "close" => {
            app.close_dialog();
            return JsValue::UNDEFINED;
        }
        "checkout" => {
            app.checkout(Purchase::Basket, None);
            return JsValue::UNDEFINED;
        }
        // A data-qc-* click the loader caught before the wasm was ready.
        "click" => {
            if let Ok(element) = args.get(0).dyn_into::<Element>() {
                activate(app, &element);
            }
            return JsValue::UNDEFINED;
        }
        other => {
            js::warn("unknown_method", other);
            return JsValue::UNDEFINED;
        }
    }
    app.snapshot()
}
