//! Opt-in e-commerce analytics: with `data-analytics="datalayer"` on the
//! script tag, GA4's recommended e-commerce events (`view_cart`,
//! `add_to_cart`, `remove_from_cart`, `begin_checkout`, `purchase`) are
//! pushed to `window.dataLayer` (created if absent) for the page's own tag
//! manager to read. Each push is preceded by `{ecommerce: null}`, as Google
//! recommends, so one event's items never leak into the next. Without the
//! attribute nothing is pushed; the widget itself sends nothing anywhere.
//!
//! The objects are built with `Reflect` (no serde); amounts are JS numbers
//! of units (`41.47`), as GA4 wants them, from integer cents by one
//! division (no float formatting in the wasm).

use js_sys::{Array, Function, Object};
use shared::{Currency, Money};
use wasm_bindgen::{JsCast, JsValue};

use crate::app::Line;
use crate::js::{self, set};

/// `money` as a number of units (`4147` cents: `41.47`): GA4 wants a
/// number, and the nearest double to a whole number of cents over 100 is
/// the one `41.47` reads as.
pub(crate) fn amount(money: Money) -> JsValue {
    let per_unit = 10_i64.pow(Currency::MINOR_DIGITS) as f64;
    JsValue::from_f64(money.minor() as f64 / per_unit)
}

/// `{item_id, item_name, price, quantity}`: `quantity` units of `sku`.
pub(crate) fn item(sku: &str, title: &str, price: Option<Money>, quantity: u32) -> Object {
    let item = Object::new();
    set(&item, "item_id", sku);
    set(&item, "item_name", title);
    if let Some(price) = price {
        set(&item, "price", amount(price));
    }
    set(&item, "quantity", quantity);
    item
}

/// `{currency, value, items}`: `items` worth `value`.
pub(crate) fn ecommerce(value: Money, items: Array) -> Object {
    let data = Object::new();
    set(&data, "currency", value.currency().as_str());
    set(&data, "value", amount(value));
    set(&data, "items", items);
    data
}

/// The items of basket `lines` (each with its quantity).
pub(crate) fn items(lines: &[Line]) -> Array {
    lines
        .iter()
        .map(|l| item(&l.sku, &l.title, l.unit, l.quantity))
        .collect()
}

/// Pushes `{ecommerce: null}`, then `{event, ecommerce}`, through the
/// data layer's own `push` (a tag manager replaces it with its own, which
/// must see the events).
pub(crate) fn push(event: &str, ecommerce: &JsValue) {
    let Some(window) = js::window() else {
        return;
    };
    let mut layer = js::get(&window, "dataLayer");
    if !layer.is_object() {
        layer = Array::new().into();
        set(&window, "dataLayer", &layer);
    }
    let Ok(push) = js::get(&layer, "push").dyn_into::<Function>() else {
        return;
    };
    let clear = Object::new();
    set(&clear, "ecommerce", JsValue::NULL);
    let message = Object::new();
    set(&message, "event", event);
    set(&message, "ecommerce", ecommerce);
    // A tag manager's push that throws is its problem, not the shopper's.
    let _ = push.call1(&layer, &clear);
    let _ = push.call1(&layer, &message);
}
