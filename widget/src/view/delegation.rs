//! The widget's listeners: one per event type on the element the view is
//! mounted in, dispatching on the controls' `data-action`, `data-sku` and
//! `name`.

use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlDialogElement, HtmlElement, HtmlInputElement, KeyboardEvent, Node,
};

use crate::app::App;
use crate::details;
use crate::js::Listener;
use crate::store::Purchase;

/// The widget's listeners on `root`, the element its view is mounted in
/// (removed when dropped, with the widget): clicks, changes and keys bubble
/// up to it; the dialog's `close`, which does not bubble, is caught on its
/// way down.
pub(crate) fn listen(app: App, root: &HtmlElement) -> Vec<Listener> {
    [
        Listener::new(root, "click", false, move |ev| clicked(app, &ev)),
        Listener::new(root, "change", false, move |ev| changed(app, &ev)),
        Listener::new(root, "keydown", false, move |ev| {
            if let Some(ev) = ev.dyn_ref::<KeyboardEvent>() {
                keydown(app, ev);
            }
        }),
        Listener::new(root, "close", true, move |ev| {
            // The browser closed the dialog (Escape on some platforms, a
            // form): unless it is open again by now (a `close` event is
            // queued, and may arrive after a quick reopening).
            let dialog = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlDialogElement>().ok());
            if dialog.is_some_and(|d| !d.open()) {
                app.close_dialog();
            }
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A click in the widget: a control's `data-action`, or the backdrop.
fn clicked(app: App, ev: &Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if target.tag_name() == "DIALOG" {
        // The dialog itself (not its panel) is only hit on the backdrop.
        if !app.close_picker() {
            app.close_dialog();
        }
        return;
    }
    let Some(control) = target.closest("[data-action]").ok().flatten() else {
        return;
    };
    let sku = control.get_attribute("data-sku").unwrap_or_default();
    match control.get_attribute("data-action").as_deref() {
        Some("open") => app.open_basket(control.dyn_into().ok()),
        Some("close") => app.close_dialog(),
        Some("submit") => {
            // Never let the form submit: it would navigate.
            ev.prevent_default();
            app.submit();
        }
        Some("continue") => app.checkout(Purchase::Basket, None),
        Some("back") => app.back(),
        Some("forget") => app.forget(),
        Some("retry") => app.retry(),
        Some("inc") => app.step_quantity(&sku, 1),
        Some("dec") => app.step_quantity(&sku, -1),
        Some("remove") => app.remove(&sku),
        Some("drop-sold") => app.drop_sold_out(),
        Some("code") => apply_typed(app),
        Some("uncode") => app.drop_code(),
        Some("pclose") => {
            app.close_picker();
        }
        _ => {}
    }
}

/// A `change` in the widget: a quantity typed in a line's input (committed
/// with Enter or on blur), the "remember" checkbox, or a details field
/// (found by its `name`).
fn changed(app: App, ev: &Event) {
    let Some(target) = ev.target() else {
        return;
    };
    // A choice in the variant picker's card.
    if let Some(card) = target
        .dyn_ref::<Element>()
        .and_then(|el| el.closest(".qc-pcard .qc-card").ok().flatten())
    {
        app.read(|s| crate::view::update_card(app, &card, s));
        return;
    }
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        if let Some(sku) = input.get_attribute("data-sku") {
            app.quantity_typed(&sku, input);
            return;
        }
        if input.get_attribute("id").as_deref() == Some("qc-remember") {
            app.set_remember(input.checked());
            return;
        }
    }
    let Some(field) = target
        .dyn_ref::<Element>()
        .and_then(|el| el.get_attribute("name"))
        .and_then(|name| details::by_name(&name))
    else {
        return;
    };
    // `value` of an input or a select alike (the terms: ticked or not).
    app.committed(field, crate::app::field_value(field, &target));
}

/// Apply: the code typed in the box.
fn apply_typed(app: App) {
    if let Some(input) = app
        .find("#qc-code")
        .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
    {
        app.apply_code(&input.value());
    }
}

/// Escape closes; Tab and Shift+Tab wrap around inside the dialog; Enter
/// in the code box applies the code (the form would submit nothing).
fn keydown(app: App, ev: &KeyboardEvent) {
    match ev.key().as_str() {
        "Enter"
            if ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|el| el.id() == "qc-code") =>
        {
            ev.prevent_default();
            apply_typed(app);
        }
        "Escape" => {
            // Handled here rather than by the browser's own `cancel`, so the
            // state, the focus return and a synthetic Escape all agree.
            ev.prevent_default();
            if !app.close_picker() {
                app.close_dialog();
            }
        }
        "Tab" => {
            let Some(dialog) = app.dialog().filter(|d| d.open()) else {
                return;
            };
            // Hidden buttons have `display: none` and no box: skip them.
            let focusable: Vec<HtmlElement> = dialog
                .query_selector_all("button:not([disabled]),input,select")
                .map(|list| {
                    (0..list.length())
                        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
                        .filter(|el| el.offset_parent().is_some())
                        .collect()
                })
                .unwrap_or_default();
            let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
                return;
            };
            let active: Option<Node> = dialog
                .get_root_node()
                .dyn_into::<web_sys::ShadowRoot>()
                .ok()
                .and_then(|root| root.active_element())
                .map(Into::into);
            let (edge, target) = if ev.shift_key() {
                (first, last)
            } else {
                (last, first)
            };
            let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a)));
            if !inside || active.as_ref().is_some_and(|a| a.is_same_node(Some(edge))) {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    }
}
