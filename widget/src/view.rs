//! The widget's DOM (a Leptos view) inside the shadow root: the floating
//! toggle, the error toast, the live region and the modal basket dialog.
//!
//! One reactive closure renders the whole widget from [`State`]; when the
//! state changes, Leptos re-runs it and rebuilds the DOM *in place* (same
//! structure, so nodes, focus and the open `<dialog>` survive; only changed
//! texts and attributes are written). Parts that come and go are hidden with
//! the `hidden` attribute rather than swapped for other views. This is a
//! deliberate size choice: every fine-grained reactive node and every
//! type-erased (`AnyView`) branch costs its own monomorphized code in the
//! wasm, one closure over one static structure costs it once.
//!
//! Accessibility (design.md, "Embed contract"): a native `<dialog>` opened
//! with `showModal()` (the page behind it is inert), labelled by its heading;
//! Escape closes; Tab and Shift+Tab cycle inside; focus goes back to the
//! opener; changes are announced in a polite live region; every control has a
//! text or an `aria-label`, and is at least 44 px square (CSS).

use leptos::ev::{Event, KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, Node};

use crate::app::{blocker, App, Line, Ship, State, Step};
use crate::details::{self, COUNTRY, FIELDS};
use crate::i18n::{fill, items, Msg};
use crate::js;
use crate::store::Purchase;

/// The whole widget. Its controls carry a `data-action` (and a `data-sku`
/// on basket lines, a `name` on the details' fields) and are handled by a
/// few listeners on this root element: one closure per event type instead of
/// one per button, line and field. (This is our own delegation, inside the
/// shadow root; Leptos's `delegation` feature listens on `window` and must
/// stay off, see toolchain.md §10.5.) The dialog's form never submits: its
/// submit button (the details step's Pay, also pressed by Enter in a field)
/// is handled here as a click whose default is prevented.
pub(crate) fn root(app: App) -> impl IntoView {
    view! {
        <div
            class="qc"
            data-theme=app.theme()
            on:click=move |ev: MouseEvent| clicked(app, &ev)
            on:change=move |ev: Event| changed(app, &ev)
            on:keydown=move |ev: KeyboardEvent| keydown(app, &ev)
        >
            {move || app.state.with(|s| render(app, s))}
        </div>
    }
}

/// A click in the widget: a control's `data-action`, or the backdrop.
fn clicked(app: App, ev: &MouseEvent) {
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

/// A button of the widget: every button but the toggle is this one element
/// shape (each distinct `view!` shape is monomorphized separately), and acts
/// through its `data-action` (see [`clicked`]).
struct Button {
    class: &'static str,
    action: &'static str,
    sku: Option<String>,
    label: Option<String>,
    hidden: bool,
    disabled: bool,
    text: String,
}

fn button(b: Button) -> impl IntoView {
    view! {
        <button
            // Inside the dialog's form every button but Pay must not submit.
            type=if b.action == "submit" { "submit" } else { "button" }
            part=b.class.starts_with("qc-pay").then_some("pay")
            class=b.class
            data-action=b.action
            data-sku=b.sku
            aria-label=b.label
            hidden=b.hidden
            disabled=b.disabled
        >
            {b.text}
        </button>
    }
}

/// A paragraph (status, empty basket, error, payment methods), hidden when
/// empty.
fn para(class: &'static str, text: &str) -> impl IntoView {
    view! { <p class=class hidden=text.is_empty()>{text.to_owned()}</p> }
}

/// A row of the totals.
fn row(class: &'static str, label: String, value: String) -> impl IntoView {
    view! {
        <div class=class>
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

/// The widget for one state.
fn render(app: App, s: &State) -> impl IntoView {
    let t = move |msg| app.t(msg);
    let count = s.basket.item_count();
    let on_basket = s.step == Step::Basket;
    let on_details = s.step == Step::Details;
    let shopping = on_basket || on_details;
    let busy = matches!(s.step, Step::Paying | Step::Redirecting);
    let bill = s.bill();
    let summary = &bill.summary;

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
    let spin = busy || s.step == Step::Processing;

    // Why Continue or Pay is not possible (yet), if it is not.
    let blocker = blocker(
        summary,
        &s.prices,
        !on_details || s.purchase == Purchase::Basket,
    )
    .map(|(_, msg)| msg);
    // Under the basket: the last error, else the blocker (an empty basket
    // says so in the body already).
    let message = s
        .notice
        .or(blocker.filter(|m| *m != Msg::Empty))
        .filter(|_| shopping)
        .map_or("", t);
    let toast = s.notice.filter(|_| !s.open).map_or("", t);

    // Totals: goods net, VAT per rate, shipping (gross), the total. On the
    // basket an unknown shipping is "calculated at the next step" and the
    // total is the goods'; on the details step both wait for a country.
    let totals = summary.totals.as_ref().filter(|_| shopping);
    let rows = totals
        .map(|totals| {
            let mut rows = vec![row("", t(Msg::Subtotal).into(), app.money(totals.net))];
            for (rate, amount) in &totals.vat_by_rate {
                let label = fill(t(Msg::Vat), &app.percent(*rate));
                rows.push(row("", label, app.money(*amount)));
            }
            let shipping = match bill.ship {
                Ship::None => None,
                Ship::Free => Some(t(Msg::Free).to_owned()),
                Ship::Cost(cost) => Some(app.money(cost)),
                _ if on_basket => Some(t(Msg::ShipLater).to_owned()),
                _ => Some("—".to_owned()),
            };
            if let Some(shipping) = shipping {
                rows.push(row("qc-ship", t(Msg::Shipping).into(), shipping));
            }
            let total = match bill.total {
                Some(total) => app.money(total),
                None if on_basket => app.money(totals.gross),
                None => "—".to_owned(),
            };
            rows.push(row("qc-grand", t(Msg::Total).into(), total));
            rows
        })
        .unwrap_or_default();
    let no_totals = rows.is_empty();
    let pay_label = match bill.total {
        Some(total) if blocker.is_none() => fill(t(Msg::Pay), &app.money(total)),
        _ => fill(t(Msg::Pay), "").trim().to_owned(),
    };

    let lines = if on_basket {
        summary.lines.clone()
    } else {
        Vec::new()
    };
    let empty = if on_basket && lines.is_empty() {
        t(Msg::Empty)
    } else {
        ""
    };
    let lines = lines
        .into_iter()
        .map(|line| line_view(app, line))
        .collect::<Vec<_>>();
    let methods = if shopping {
        methods_text(app, &s.methods)
    } else {
        String::new()
    };
    let title = t(match s.step {
        Step::Basket => Msg::Title,
        Step::Details => Msg::Details,
        Step::Paying | Step::Redirecting => Msg::Payment,
        Step::Paid => Msg::PaidTitle,
        Step::Processing => Msg::ProcessingTitle,
        Step::NotCompleted | Step::Failed => Msg::NotDoneTitle,
    });

    // The details: the address only for a purchase that is shipped.
    sync_details(app, s, bill.ship != Ship::None);

    let plain = |class, action, hidden, disabled, text: &str| {
        button(Button {
            class,
            action,
            sku: None,
            label: None,
            hidden,
            disabled,
            text: text.to_owned(),
        })
    };
    let actions = vec![
        plain(
            "qc-pay",
            "continue",
            !on_basket,
            blocker.is_some(),
            t(Msg::Continue),
        ),
        plain("qc-secondary", "back", !on_details, false, t(Msg::Back)),
        // The form's submit button: Enter in a field presses it too. Kept
        // disabled off the details step, so Enter elsewhere submits nothing.
        plain(
            "qc-pay",
            "submit",
            !on_details,
            !on_details || blocker.is_some(),
            &pay_label,
        ),
        plain(
            "qc-pay qc-retry",
            "retry",
            !matches!(s.step, Step::NotCompleted | Step::Failed),
            false,
            t(Msg::TryAgain),
        ),
        plain("qc-secondary", "close", shopping, false, t(Msg::Close)),
    ];
    let close = button(Button {
        class: "qc-close",
        action: "close",
        sku: None,
        label: Some(t(Msg::Close).into()),
        hidden: false,
        disabled: false,
        text: "×".into(),
    });

    view! {
        <button
            class="qc-toggle"
            part="toggle"
            data-action="open"
            hidden=count == 0
            aria-haspopup="dialog"
            aria-expanded=if s.open { "true" } else { "false" }
            aria-label=format!(
                "{}, {}",
                t(Msg::Basket),
                fill(t(items(app.lang(), count)), &count.to_string())
            )
        >
            {t(Msg::Basket)}
            <span class="qc-count" aria-hidden="true">{count}</span>
        </button>
        {para("qc-toast", toast)}
        // Announcements: while the modal dialog is open everything outside it
        // is inert (and silent), so the dialog has its own live region.
        <div class="qc-sr" aria-live="polite" aria-atomic="true">
            {if s.open { String::new() } else { s.live.clone() }}
        </div>
        <dialog
            class="qc-dialog"
            part="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="qc-title"
            // The browser closed it (Escape on some platforms, a form):
            // unless it is open again by now (a `close` event is queued, and
            // may arrive after a quick reopening).
            on:close=move |_| {
                if app.dialog().is_some_and(|d| !d.open()) {
                    app.close_dialog();
                }
            }
        >
            // A form, so that Enter in a field presses Pay and browsers
            // offer autofill; `novalidate`: the widget's own inline errors,
            // not the browser's bubbles. Pay's click never submits (see
            // `clicked`); `method=dialog` makes sure a submission from
            // elsewhere could only close the dialog, never navigate with the
            // details in the URL.
            <form class="qc-panel" method="dialog" novalidate>
                <div class="qc-head">
                    <h2 id="qc-title">{title}</h2>
                    {close}
                </div>
                <div class="qc-sr" aria-live="polite" aria-atomic="true">
                    {if s.open { s.live.clone() } else { String::new() }}
                </div>
                <div class="qc-body">
                    {para(if spin { "qc-status qc-busy" } else { "qc-status" }, status)}
                    {para("qc-empty", empty)}
                    <ul class="qc-lines" hidden=!on_basket>{lines}</ul>
                    // Filled by hand: see `build_details`.
                    <div class="qc-details" hidden=!on_details></div>
                    <dl class="qc-totals" hidden=no_totals>{rows}</dl>
                </div>
                <div class="qc-foot" hidden=busy>
                    {para("qc-error", message)}
                    {para("qc-methods", &methods)}
                    <div class="qc-actions">{actions}</div>
                </div>
            </form>
        </dialog>
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

/// One basket line: title and unit price, stepper and quantity input, line
/// total, remove.
fn line_view(app: App, line: Line) -> impl IntoView {
    let t = move |msg| app.t(msg);
    let Line {
        sku,
        title,
        quantity,
        unit,
        total,
        gone,
        ..
    } = line;
    let unit = if gone {
        t(Msg::Unavailable).to_owned()
    } else {
        unit.map(|m| app.money(m)).unwrap_or_default()
    };
    let total = total.map(|m| app.money(m)).unwrap_or_default();
    let control = |class, action, msg, disabled, text: &str| {
        button(Button {
            class,
            action,
            sku: Some(sku.clone()),
            label: Some(fill(t(msg), &title)),
            hidden: false,
            disabled,
            text: text.to_owned(),
        })
    };
    let dec = control("qc-step", "dec", Msg::Decrease, quantity <= 1, "−");
    let inc = control("qc-step", "inc", Msg::Increase, false, "+");
    let remove = control("qc-remove", "remove", Msg::Remove, false, "×");
    view! {
        <li class=if gone { "qc-line qc-gone" } else { "qc-line" }>
            <div class="qc-info">
                <span class="qc-name">{title.clone()}</span>
                <span class="qc-unit">{unit}</span>
            </div>
            <div class="qc-qty">
                {dec}
                <input
                    class="qc-input"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="999"
                    data-sku=sku.clone()
                    aria-label=fill(t(Msg::Quantity), &title)
                    prop:value=quantity.to_string()
                />
                {inc}
            </div>
            <span class="qc-total">{total}</span>
            {remove}
        </li>
    }
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
