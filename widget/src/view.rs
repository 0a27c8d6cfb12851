//! The widget's DOM inside the shadow root: the floating toggle, the error
//! toast, the live region and the modal basket dialog.
//!
//! The structure is one Leptos view, built once; one effect writes the state
//! into it whenever the state changes, touching only the texts and
//! attributes that differ (so nodes, focus and the open `<dialog>` survive).
//! Parts that come and go are hidden with the `hidden` attribute; the lists
//! (basket lines, totals rows, details fields) are built by hand. This is a
//! deliberate size choice: each view shape, reactive node or type-erased
//! branch costs its own monomorphized build, rebuild and drop code in the
//! wasm; the browser's own DOM calls cost their glue once.
//!
//! Accessibility (design.md, "Embed contract"): a native `<dialog>` opened
//! with `showModal()` (the page behind it is inert), labelled by its heading;
//! Escape closes; Tab and Shift+Tab cycle inside; focus goes back to the
//! opener; changes are announced in a polite live region; every control has a
//! text or an `aria-label`, and is at least 44 px square (CSS).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Element, Event, HtmlDialogElement, HtmlElement, HtmlInputElement, KeyboardEvent, Node,
};

use crate::app::{blocker, App, Line, Ship, State, Step};
use crate::details::{self, COUNTRY, FIELDS};
use crate::i18n::{fill, items, Msg};
use crate::js::{self, Listener};
use crate::store::Purchase;

/// The whole widget: a static structure (one `view!`, built once), brought
/// up to date with the state by one effect ([`render`]) that writes only
/// what changed. Its controls carry a `data-action` (and a `data-sku`
/// on basket lines, a `name` on the details' fields) and are handled by a
/// few listeners on the element it is mounted in ([`listen`]): one closure
/// per event type instead of one per button, line and field. (This is our
/// own delegation, inside the shadow root; Leptos's `delegation` feature
/// listens on `window` and must stay off, see toolchain.md §10.5.) The
/// dialog's form never submits: its submit button (the details step's Pay,
/// also pressed by Enter in a field) is handled as a click whose default is
/// prevented.
///
/// Why one effect over a fixed structure rather than views rebuilt from the
/// state: every view shape costs its own build, rebuild and drop code in the
/// wasm; the structure below is built once, and the parts that come and go
/// (basket lines, totals, details) are built by hand.
pub(crate) fn root(app: App) -> impl IntoView {
    // Runs once the view is mounted, then after every change of the state.
    Effect::new(move |_| {
        app.state.with(|s| render(app, s));
    });
    let t = move |msg| app.t(msg);
    view! {
        <div class="qc" data-theme=app.theme()>
            <button
                class="qc-toggle"
                part="toggle"
                type="button"
                data-action="open"
                hidden
                aria-haspopup="dialog"
                aria-expanded="false"
            >
                {t(Msg::Basket)}
                <span class="qc-count" aria-hidden="true"></span>
            </button>
            <p class="qc-toast" hidden></p>
            // Announcements: while the modal dialog is open everything outside
            // it is inert (and silent), so the dialog has its own live region.
            <div id="qc-live" class="qc-sr" aria-live="polite" aria-atomic="true"></div>
            <dialog
                class="qc-dialog"
                part="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="qc-title"
            >
                // A form, so that Enter in a field presses Pay and browsers
                // offer autofill; `novalidate`: the widget's own inline
                // errors, not the browser's bubbles. Pay's click never submits
                // (see `clicked`); `method=dialog` makes sure a submission from
                // elsewhere could only close the dialog, never navigate with
                // the details in the URL.
                <form class="qc-panel" method="dialog" novalidate>
                    <div class="qc-head">
                        <h2 id="qc-title"></h2>
                        <button
                            class="qc-close"
                            type="button"
                            data-action="close"
                            aria-label=t(Msg::Close)
                        >
                            "×"
                        </button>
                    </div>
                    <div id="qc-dlive" class="qc-sr" aria-live="polite" aria-atomic="true"></div>
                    <div class="qc-body">
                        <p class="qc-status" hidden></p>
                        <p class="qc-empty" hidden></p>
                        <ul class="qc-lines" hidden></ul>
                        <div class="qc-details" hidden></div>
                        <dl class="qc-totals" hidden></dl>
                    </div>
                    <div class="qc-foot">
                        <p class="qc-error" hidden></p>
                        <p class="qc-methods" hidden></p>
                        // Inside the form every button but Pay must not submit.
                        <div class="qc-actions">
                            <button class="qc-pay" part="pay" type="button" data-action="continue">
                                {t(Msg::Continue)}
                            </button>
                            <button class="qc-secondary" type="button" data-action="back" hidden>
                                {t(Msg::Back)}
                            </button>
                            // The form's submit button: Enter in a field
                            // presses it too. Kept disabled off the details
                            // step, so Enter elsewhere submits nothing.
                            <button
                                class="qc-pay"
                                part="pay"
                                type="submit"
                                data-action="submit"
                                hidden
                                disabled
                            ></button>
                            <button
                                class="qc-pay qc-retry"
                                part="pay"
                                type="button"
                                data-action="retry"
                                hidden
                            >
                                {t(Msg::TryAgain)}
                            </button>
                            <button class="qc-secondary" type="button" data-action="close">
                                {t(Msg::Close)}
                            </button>
                        </div>
                    </div>
                </form>
            </dialog>
        </div>
    }
}

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
        app.close_dialog();
        return;
    }
    let Some(control) = target.closest("[data-action]").ok().flatten() else {
        return;
    };
    let sku = control.get_attribute("data-sku").unwrap_or_default();
    match control.get_attribute("data-action").as_deref() {
        Some("open") => app.open_dialog(control.dyn_into().ok()),
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
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        if let Some(sku) = input.get_attribute("data-sku") {
            app.quantity_typed(&sku, input);
            return;
        }
        if input.type_() == "checkbox" {
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
    // `value` of an input or a select alike.
    app.committed(field, js::get_str(&target, "value").unwrap_or_default());
}

// ----- writing the DOM -------------------------------------------------------

/// Sets the text of `el`, if it differs: an unchanged live region must not
/// be announced again.
fn text(el: &Element, text: &str) {
    if el.text_content().as_deref() != Some(text) {
        el.set_text_content(Some(text));
    }
}

/// Sets (`Some`) or removes (`None`) the attribute `name` of `el`, if that
/// changes it.
fn attr(el: &Element, name: &str, value: Option<&str>) {
    if el.get_attribute(name).as_deref() != value {
        let _ = match value {
            Some(value) => el.set_attribute(name, value),
            None => el.remove_attribute(name),
        };
    }
}

/// Sets or removes the boolean attribute `name` (`hidden`, `disabled`).
fn flag(el: &Element, name: &str, on: bool) {
    attr(el, name, on.then_some(""));
}

/// A new `tag` element with `class` (unless empty), appended to `parent`.
fn child(parent: &Element, tag: &str, class: &str) -> Option<Element> {
    let el = js::document()?.create_element(tag).ok()?;
    if !class.is_empty() {
        attr(&el, "class", Some(class));
    }
    parent.append_child(&el).ok()?;
    Some(el)
}

/// A paragraph of the structure (toast, status, empty basket, error,
/// payment methods): its text, hidden when empty.
fn para(app: App, selector: &str, value: &str) {
    if let Some(p) = app.find(selector) {
        text(&p, value);
        flag(&p, "hidden", value.is_empty());
    }
}

/// Brings the widget up to date with the current state now (the effect of
/// [`root`] does it after each change, a tick later).
pub(crate) fn refresh(app: App) {
    app.state.with_untracked(|s| render(app, s));
}

/// Brings the widget up to date with one state.
fn render(app: App, s: &State) {
    let t = move |msg| app.t(msg);
    let count = s.basket.item_count();
    let on_basket = s.step == Step::Basket;
    let on_details = s.step == Step::Details;
    let shopping = on_basket || on_details;
    let busy = matches!(s.step, Step::Paying | Step::Redirecting);
    let bill = s.bill();
    let summary = &bill.summary;

    if let Some(toggle) = app.find(".qc-toggle") {
        flag(&toggle, "hidden", count == 0);
        let expanded = if s.open { "true" } else { "false" };
        attr(&toggle, "aria-expanded", Some(expanded));
        let items = fill(t(items(app.lang(), count)), &count.to_string());
        let label = format!("{}, {items}", t(Msg::Basket));
        attr(&toggle, "aria-label", Some(&label));
    }
    if let Some(badge) = app.find(".qc-count") {
        text(&badge, &count.to_string());
    }
    para(app, ".qc-toast", s.notice.filter(|_| !s.open).map_or("", t));
    if let Some(live) = app.find("#qc-live") {
        text(&live, if s.open { "" } else { &s.live });
    }
    if let Some(live) = app.find("#qc-dlive") {
        text(&live, if s.open { &s.live } else { "" });
    }
    if let Some(title) = app.find("#qc-title") {
        let msg = match s.step {
            Step::Basket => Msg::Title,
            Step::Details => Msg::Details,
            Step::Paying | Step::Redirecting => Msg::Payment,
            Step::Paid => Msg::PaidTitle,
            Step::Processing => Msg::ProcessingTitle,
            Step::NotCompleted | Step::Failed => Msg::NotDoneTitle,
        };
        text(&title, t(msg));
    }

    // The status line of the other steps.
    let status = match s.step {
        Step::Basket | Step::Details => "",
        Step::Paying => t(Msg::Preparing),
        Step::Redirecting => t(Msg::Redirecting),
        Step::Paid => t(Msg::PaidText),
        Step::Processing => t(Msg::ProcessingText),
        Step::NotCompleted => t(Msg::NotDoneText),
        Step::Failed => t(s.notice.unwrap_or(Msg::ErrGeneric)),
    };
    if let Some(p) = app.find(".qc-status") {
        let spin = busy || s.step == Step::Processing;
        let class = if spin {
            "qc-status qc-busy"
        } else {
            "qc-status"
        };
        attr(&p, "class", Some(class));
    }
    para(app, ".qc-status", status);
    let empty = on_basket && summary.lines.is_empty();
    para(app, ".qc-empty", if empty { t(Msg::Empty) } else { "" });
    if let Some(list) = app.find(".qc-lines") {
        flag(&list, "hidden", !on_basket);
        render_lines(app, &list, if on_basket { &summary.lines } else { &[] });
    }
    if let Some(container) = app.find(".qc-details") {
        flag(&container, "hidden", !on_details);
    }
    // The details: the address only for a purchase that is shipped.
    sync_details(app, s, bill.ship != Ship::None);

    // Why Continue or Pay is not possible (yet), if it is not.
    let blocker = blocker(
        summary,
        &s.prices,
        !on_details || s.purchase == Purchase::Basket,
    )
    .map(|(_, msg)| msg);

    // Totals: goods net, VAT per rate, shipping (gross), the total. On the
    // basket an unknown shipping is "calculated at the next step" and the
    // total is the goods'; on the details step both wait for a country.
    let mut rows: Vec<(&str, String, String)> = Vec::new();
    if let Some(totals) = summary.totals.as_ref().filter(|_| shopping) {
        rows.push(("", t(Msg::Subtotal).into(), app.money(totals.net)));
        for (rate, amount) in &totals.vat_by_rate {
            let label = fill(t(Msg::Vat), &app.percent(*rate));
            rows.push(("", label, app.money(*amount)));
        }
        let shipping = match bill.ship {
            Ship::None => None,
            Ship::Free => Some(t(Msg::Free).to_owned()),
            Ship::Cost(cost) => Some(app.money(cost)),
            _ if on_basket => Some(t(Msg::ShipLater).to_owned()),
            _ => Some("—".to_owned()),
        };
        if let Some(shipping) = shipping {
            rows.push(("qc-ship", t(Msg::Shipping).into(), shipping));
        }
        let total = match bill.total {
            Some(total) => app.money(total),
            None if on_basket => app.money(totals.gross),
            None => "—".to_owned(),
        };
        rows.push(("qc-grand", t(Msg::Total).into(), total));
    }
    if let Some(list) = app.find(".qc-totals") {
        flag(&list, "hidden", rows.is_empty());
        render_rows(&list, &rows);
    }

    if let Some(foot) = app.find(".qc-foot") {
        flag(&foot, "hidden", busy);
    }
    // Under the basket: the last error, else the blocker (an empty basket
    // says so in the body already).
    let message = s
        .notice
        .or(blocker.filter(|m| *m != Msg::Empty))
        .filter(|_| shopping)
        .map_or("", t);
    para(app, ".qc-error", message);
    let methods = if shopping {
        methods_text(app, &s.methods)
    } else {
        String::new()
    };
    para(app, ".qc-methods", &methods);

    let retry = matches!(s.step, Step::NotCompleted | Step::Failed);
    // (action, hidden, disabled) of the footer's buttons.
    let buttons = [
        ("continue", !on_basket, blocker.is_some()),
        ("back", !on_details, false),
        ("submit", !on_details, !on_details || blocker.is_some()),
        ("retry", !retry, false),
        ("close", shopping, false),
    ];
    for (action, hidden, disabled) in buttons {
        if let Some(button) = app.find(&format!(".qc-actions [data-action={action}]")) {
            flag(&button, "hidden", hidden);
            flag(&button, "disabled", disabled);
        }
    }
    if let Some(pay) = app.find("[data-action=submit]") {
        let label = match bill.total {
            Some(total) if blocker.is_none() => fill(t(Msg::Pay), &app.money(total)),
            _ => fill(t(Msg::Pay), "").trim().to_owned(),
        };
        text(&pay, &label);
    }
}

/// The totals: one `div.{class} > dt + dd` per row, all written again when
/// any differs (they hold nothing the shopper could be focused on).
fn render_rows(list: &Element, rows: &[(&str, String, String)]) {
    let key: String = rows
        .iter()
        .map(|(class, label, value)| format!("{class}|{label}|{value}\n"))
        .collect();
    if list.get_attribute("data-rows").as_deref() == Some(key.as_str()) {
        return;
    }
    list.set_text_content(None);
    for (class, label, value) in rows {
        let Some(row) = child(list, "div", class) else {
            return;
        };
        for (tag, content) in [("dt", label), ("dd", value)] {
            if let Some(cell) = child(&row, tag, "") {
                text(&cell, content);
            }
        }
    }
    attr(list, "data-rows", Some(&key));
}

/// The basket lines: the line elements already there are reused in order
/// (so a stepper keeps the focus while it is pressed, and a quantity being
/// typed stays), extra ones removed, missing ones built.
fn render_lines(app: App, list: &Element, lines: &[Line]) {
    let shown = list.children();
    while shown.length() as usize > lines.len() {
        match list.last_element_child() {
            Some(extra) => extra.remove(),
            None => break,
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let li = match shown.item(i as u32) {
            Some(li) => Some(li),
            None => build_line(list),
        };
        if let Some(li) = li {
            update_line(app, &li, line);
        }
    }
}

/// The elements of one line, filled by [`update_line`]:
/// `li.qc-line > (div.qc-info > span.qc-name + span.qc-unit)
/// + (div.qc-qty > button[dec] + input.qc-input + button[inc])
/// + span.qc-total + button.qc-remove`.
fn build_line(list: &Element) -> Option<Element> {
    let li = child(list, "li", "qc-line")?;
    let info = child(&li, "div", "qc-info")?;
    child(&info, "span", "qc-name")?;
    child(&info, "span", "qc-unit")?;
    let qty = child(&li, "div", "qc-qty")?;
    let button = |parent: &Element, class, action, label: &str| {
        let b = child(parent, "button", class)?;
        attr(&b, "type", Some("button"));
        attr(&b, "data-action", Some(action));
        text(&b, label);
        Some(())
    };
    button(&qty, "qc-step", "dec", "−")?;
    let input = child(&qty, "input", "qc-input")?;
    for (name, value) in [
        ("type", "number"),
        ("inputmode", "numeric"),
        ("min", "1"),
        ("max", "999"),
    ] {
        attr(&input, name, Some(value));
    }
    button(&qty, "qc-step", "inc", "+")?;
    child(&li, "span", "qc-total")?;
    button(&li, "qc-remove", "remove", "×")?;
    Some(li)
}

/// Writes one line's SKU, texts, labels and state into its elements.
fn update_line(app: App, li: &Element, line: &Line) {
    let t = move |msg| app.t(msg);
    let class = if line.gone {
        "qc-line qc-gone"
    } else {
        "qc-line"
    };
    attr(li, "class", Some(class));
    let part = |selector: &str| li.query_selector(selector).ok().flatten();
    let unit = if line.gone {
        t(Msg::Unavailable).to_owned()
    } else {
        line.unit.map(|m| app.money(m)).unwrap_or_default()
    };
    let total = line.total.map(|m| app.money(m)).unwrap_or_default();
    for (selector, content) in [
        (".qc-name", &line.title),
        (".qc-unit", &unit),
        (".qc-total", &total),
    ] {
        if let Some(el) = part(selector) {
            text(&el, content);
        }
    }
    // The input first: whether it showed this SKU decides below whether
    // its value is written.
    let input = part(".qc-input");
    let same_sku = input
        .as_ref()
        .is_some_and(|i| i.get_attribute("data-sku").as_deref() == Some(line.sku.as_str()));
    for (selector, msg) in [
        (".qc-input", Msg::Quantity),
        ("[data-action=dec]", Msg::Decrease),
        ("[data-action=inc]", Msg::Increase),
        ("[data-action=remove]", Msg::Remove),
    ] {
        if let Some(el) = part(selector) {
            attr(&el, "data-sku", Some(&line.sku));
            attr(&el, "aria-label", Some(&fill(t(msg), &line.title)));
        }
    }
    if let Some(dec) = part("[data-action=dec]") {
        flag(&dec, "disabled", line.quantity <= 1);
    }
    // The `value` attribute remembers the quantity last shown: what the
    // shopper is typing is replaced only when the line's quantity (or
    // product) changes, not when something else does.
    if let Some(input) = input {
        let quantity = line.quantity.to_string();
        if !same_sku || input.get_attribute("value").as_deref() != Some(quantity.as_str()) {
            attr(&input, "value", Some(&quantity));
            js::set(&input, "value", quantity.as_str());
        }
    }
}

/// The details step's content, built by hand into the (childless)
/// `.qc-details` element of the view the first time the view is there, then
/// brought up to date on every render by [`sync_details`]: the fields, the
/// "remember" checkbox and the "forget" button. Why not Leptos views: each
/// field shape costs its own build/rebuild/drop code in the wasm (4.3 KB
/// gzip for the eight fields as views; this loop over `details::FIELDS` and
/// its updates, 1.6 KB).
/// Leptos leaves the children of an element it renders without children
/// alone, so the two never fight over these nodes. (Only DOM calls the view
/// already makes are used, and elements are found again by id: each other
/// browser function would cost its own glue.)
///
/// Field `i`: `div#qc-d{i}.qc-field > label[for] + (input|select)#qc-f{i} +
/// p#qc-e{i}.qc-ferr`; the control's `aria-describedby` names its error
/// text, empty (and not shown) while there is none.
fn build_details(app: App, container: &Element) -> Result<(), JsValue> {
    let document = js::document().ok_or("no document")?;
    let add = |parent: &Element, tag: &str, attributes: &[(&str, &str)], text: &str| {
        let el = document.create_element(tag)?;
        for (name, value) in attributes {
            // An empty value: no such attribute for this field.
            if !value.is_empty() {
                el.set_attribute(name, value)?;
            }
        }
        if !text.is_empty() {
            el.set_text_content(Some(text));
        }
        parent.append_child(&el)?;
        Ok::<_, JsValue>(el)
    };
    for (i, f) in FIELDS.iter().enumerate() {
        let (id, error) = (format!("qc-f{i}"), format!("qc-e{i}"));
        let div = add(
            container,
            "div",
            &[("class", "qc-field"), ("id", &format!("qc-d{i}"))],
            "",
        )?;
        add(&div, "label", &[("for", &id)], app.t(f.label))?;
        let control = add(
            &div,
            if i == COUNTRY { "select" } else { "input" },
            &[
                ("id", &id),
                ("name", f.name),
                ("autocomplete", f.autocomplete),
                ("type", f.kind),
                ("maxlength", f.max),
                ("aria-describedby", &error),
            ],
            "",
        )?;
        if details::is_required(i) {
            control.set_attribute("required", "")?;
        }
        add(&div, "p", &[("class", "qc-ferr"), ("id", &error)], "")?;
    }
    // Checked by default; the state says so from then on (see `sync_details`).
    let remember = add(container, "label", &[("class", "qc-check")], "")?;
    add(
        &remember,
        "input",
        &[
            ("type", "checkbox"),
            ("name", "remember"),
            ("id", "qc-remember"),
        ],
        "",
    )?;
    remember.append_child(&document.create_text_node(app.t(Msg::Remember)))?;
    // A button of the dialog's form: `type=button`, or it would submit.
    add(
        container,
        "button",
        &[
            ("class", "qc-link"),
            ("type", "button"),
            ("data-action", "forget"),
            ("id", "qc-forget"),
        ],
        app.t(Msg::Forget),
    )?;
    Ok(())
}

/// Brings the hand-built details up to date with `s`: the address shown
/// only for a purchase that is shipped, each field's error (its text and
/// `aria-invalid`), the countries and the one chosen, the checkbox, and
/// "forget" only while details are stored. Typed values are not written
/// back (see `App::committed`), except the remembered ones at the start.
fn sync_details(app: App, s: &State, shipped: bool) {
    let Some(container) = app.find(".qc-details") else {
        return; // not mounted yet: the next render does it
    };
    if app.find("#qc-forget").is_none() {
        if build_details(app, &container).is_err() {
            return;
        }
        for (i, value) in s.values.iter().enumerate() {
            if let Some(control) = app.find(&format!("#qc-f{i}")) {
                js::set(&control, "value", value.as_str());
            }
        }
    }
    for i in 0..FIELDS.len() {
        let (Some(div), Some(control), Some(text)) = (
            app.find(&format!("#qc-d{i}")),
            app.find(&format!("#qc-f{i}")),
            app.find(&format!("#qc-e{i}")),
        ) else {
            return;
        };
        js::set(&div, "hidden", details::is_address(i) && !shipped);
        let error = s.errors[i].map(|msg| app.t(msg));
        let _ = control.set_attribute(
            "aria-invalid",
            if error.is_some() { "true" } else { "false" },
        );
        text.set_text_content(error);
        if i == COUNTRY {
            sync_countries(&control, s);
        }
    }
    if let Some(checkbox) = app.find("#qc-remember") {
        js::set(&checkbox, "checked", s.remember);
    }
    if let Some(forget) = app.find("#qc-forget") {
        js::set(&forget, "hidden", !s.stored);
    }
}

/// The country `<select>`: an empty first choice, then the countries
/// shipped to (rebuilt when their number changes: they come with the
/// catalog), and the chosen one selected.
fn sync_countries(select: &HtmlElement, s: &State) {
    let shown = js::get(select, "length").as_f64().unwrap_or(0.0) as usize;
    if shown != s.countries.len() + 1 {
        select.set_text_content(None);
        let Some(document) = js::document() else {
            return;
        };
        let empty = (String::new(), String::new());
        for (code, name) in std::iter::once(&empty).chain(&s.countries) {
            if let Ok(option) = document.create_element("option") {
                let _ = option.set_attribute("value", code);
                option.set_text_content(Some(name));
                let _ = select.append_child(&option);
            }
        }
    }
    js::set(select, "value", s.values[COUNTRY].as_str());
}

/// "Payment methods: Card · Apple Pay · PayPal" (empty while unknown).
fn methods_text(app: App, methods: &[String]) -> String {
    if methods.is_empty() {
        return String::new();
    }
    let names: Vec<String> = methods
        .iter()
        .map(|m| match m.as_str() {
            "credit_card" | "card" => app.t(Msg::Card).to_owned(),
            "bank_transfer" | "transfer" => app.t(Msg::Transfer).to_owned(),
            "apple_pay" => "Apple Pay".into(),
            "google_pay" => "Google Pay".into(),
            "paypal" => "PayPal".into(),
            "ideal" => "iDEAL".into(),
            "sepa_debit" | "direct_debit" => "SEPA".into(),
            other => {
                // "bancontact" -> "Bancontact", "klarna_pay_later" -> "Klarna
                // pay later" (ASCII only: Unicode case tables would cost
                // ~12 KB of wasm).
                let mut name = other.replace('_', " ");
                if let Some(first) = name.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                name
            }
        })
        .collect();
    fill(app.t(Msg::Methods), &names.join(" · "))
}

/// Escape closes; Tab and Shift+Tab wrap around inside the dialog.
fn keydown(app: App, ev: &KeyboardEvent) {
    match ev.key().as_str() {
        "Escape" => {
            // Handled here rather than by the browser's own `cancel`, so the
            // state, the focus return and a synthetic Escape all agree.
            ev.prevent_default();
            app.close_dialog();
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
