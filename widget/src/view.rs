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
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, Node};

use crate::app::{summarize, App, Line, Prices, State, Step};
use crate::i18n::{fill, items, Msg};
use crate::store::Purchase;

/// The whole widget. Its controls carry a `data-action` (and a `data-sku`
/// on basket lines) and are handled by three listeners on this root element:
/// one closure per event type instead of one per button and per line. (This
/// is our own delegation, inside the shadow root; Leptos's `delegation`
/// feature listens on `window` and must stay off, see toolchain.md §10.5.)
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
        Some("pay") => app.pay(Purchase::Basket, None),
        Some("retry") => app.retry(),
        Some("inc") => app.step_quantity(&sku, 1),
        Some("dec") => app.step_quantity(&sku, -1),
        Some("remove") => app.remove(&sku),
        _ => {}
    }
}

/// A quantity typed in a line's input (committed with Enter or on blur).
fn changed(app: App, ev: &Event) {
    if let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    {
        if let Some(sku) = input.get_attribute("data-sku") {
            app.quantity_typed(&sku, &input);
        }
    }
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
    let summary = summarize(&s.basket, &s.prices);
    let count = summary.count;
    let on_basket = s.step == Step::Basket;
    let busy = matches!(s.step, Step::Paying | Step::Redirecting);

    // The status line of the non-basket steps.
    let status = match s.step {
        Step::Basket => "",
        Step::Paying => t(Msg::Preparing),
        Step::Redirecting => t(Msg::Redirecting),
        Step::Paid => t(Msg::PaidText),
        Step::Processing => t(Msg::ProcessingText),
        Step::NotCompleted => t(Msg::NotDoneText),
        Step::Failed => t(s.notice.unwrap_or(Msg::ErrGeneric)),
    };
    let spin = busy || s.step == Step::Processing;

    // Why Pay is not possible (yet), if it is not.
    let blocker = match &s.prices {
        _ if summary.lines.is_empty() => Some(Msg::Empty),
        Prices::Loading => Some(Msg::Loading),
        Prices::Failed(msg) => Some(*msg),
        _ if summary.gone => Some(Msg::ErrRemoveGone),
        _ if summary.totals.is_none() => Some(Msg::ErrAmount),
        _ => None,
    };
    // Under the basket: the last error, else the blocker (an empty basket
    // says so in the body already).
    let message = s
        .notice
        .or(blocker.filter(|m| *m != Msg::Empty))
        .filter(|_| on_basket)
        .map_or("", t);
    let toast = s.notice.filter(|_| !s.open).map_or("", t);

    let totals = summary.totals.as_ref().filter(|_| on_basket);
    let pay_label = match totals {
        Some(totals) if blocker.is_none() => fill(t(Msg::Pay), &app.money(totals.gross)),
        _ => fill(t(Msg::Pay), "").trim().to_owned(),
    };
    let rows = totals
        .map(|totals| {
            let mut rows = vec![row("", t(Msg::Subtotal).into(), app.money(totals.net))];
            for (rate, amount) in &totals.vat_by_rate {
                let label = fill(t(Msg::Vat), &app.percent(*rate));
                rows.push(row("", label, app.money(*amount)));
            }
            rows.push(row(
                "qc-grand",
                t(Msg::Total).into(),
                app.money(totals.gross),
            ));
            rows
        })
        .unwrap_or_default();
    let no_totals = rows.is_empty();
    let lines = if on_basket { summary.lines } else { Vec::new() };
    let empty = if on_basket && lines.is_empty() {
        t(Msg::Empty)
    } else {
        ""
    };
    let lines = lines
        .into_iter()
        .map(|line| line_view(app, line))
        .collect::<Vec<_>>();
    let methods = if on_basket {
        methods_text(app, &s.methods)
    } else {
        String::new()
    };
    let title = t(match s.step {
        Step::Basket => Msg::Title,
        Step::Paying | Step::Redirecting => Msg::Payment,
        Step::Paid => Msg::PaidTitle,
        Step::Processing => Msg::ProcessingTitle,
        Step::NotCompleted | Step::Failed => Msg::NotDoneTitle,
    });
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
        plain("qc-pay", "pay", !on_basket, blocker.is_some(), &pay_label),
        plain(
            "qc-pay qc-retry",
            "retry",
            !matches!(s.step, Step::NotCompleted | Step::Failed),
            false,
            t(Msg::TryAgain),
        ),
        plain("qc-secondary", "close", on_basket, false, t(Msg::Close)),
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
            on:close=move |_| app.close_dialog()
        >
            <div class="qc-panel">
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
                    <dl class="qc-totals" hidden=no_totals>{rows}</dl>
                </div>
                <div class="qc-foot" hidden=busy>
                    {para("qc-error", message)}
                    {para("qc-methods", &methods)}
                    <div class="qc-actions">{actions}</div>
                </div>
            </div>
        </dialog>
    }
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
                .query_selector_all("button:not([disabled]),input")
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
