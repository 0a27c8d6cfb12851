//! The one effect's pass: the state, through the [`super::model`], written
//! into the structure.

use leptos::prelude::*;

use crate::app::{blocker, App, Prices, State, Step};
use crate::i18n::{fill, items, Msg};
use crate::store::Purchase;

use super::dom::{attr, flag, para, render_lines, render_rows, sync_details, text};
use super::model::{self, Label, Value};
use super::page::render_page;

/// Brings the widget up to date with the current state now (the effect of
/// [`super::root`] does it after each change, a tick later).
pub(crate) fn refresh(app: App) {
    app.state.with_untracked(|s| render(app, s));
}

/// Brings the widget up to date with one state.
pub(super) fn render(app: App, s: &State) {
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
    }
    if let Some(words) = app.find(".qc-items") {
        let items = fill(
            t(items(app.lang(), count)),
            &shared::digits::number(u64::from(count)),
        );
        text(&words, &[", ", &items].concat());
    }
    if let Some(badge) = app.find(".qc-count") {
        text(&badge, &shared::digits::number(u64::from(count)));
    }
    para(app, ".qc-toast", s.notice.filter(|_| !s.open).map_or("", t));
    if let Some(live) = app.find("#qc-live") {
        text(&live, if s.open { "" } else { &s.live });
    }
    if let Some(live) = app.find("#qc-dlive") {
        text(&live, if s.open { &s.live } else { "" });
    }
    if let Some(title) = app.find("#qc-title") {
        text(&title, t(model::title(s.step)));
    }

    // The status line of the other steps.
    let status = model::status(s.step, s.notice).map_or("", t);
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
    let reference = model::reference(s.step, s.reference.as_deref())
        .map(|r| fill(t(Msg::Reference), r))
        .unwrap_or_default();
    para(app, ".qc-ref", &reference);
    let empty = on_basket && summary.lines.is_empty();
    para(app, ".qc-empty", if empty { t(Msg::Empty) } else { "" });
    if let Some(list) = app.find(".qc-lines") {
        flag(&list, "hidden", !on_basket);
        render_lines(
            app,
            &list,
            if on_basket { &summary.lines } else { &[] },
            &s.prices,
            s.stock.as_deref(),
        );
    }
    if let Some(container) = app.find(".qc-details") {
        flag(&container, "hidden", !on_details);
    }
    // The details: the address only for a purchase that is shipped.
    sync_details(app, s, s.shown(bill.ship));

    // Why Continue or Pay is not possible (yet), if it is not.
    let blocker = blocker(
        summary,
        &s.prices,
        !on_details || s.purchase == Purchase::Basket,
    )
    .map(|(_, msg)| msg);

    let rows: Vec<(&str, String, String)> = model::rows(&bill, on_basket, shopping)
        .into_iter()
        .map(|row| {
            let label = match row.label {
                Label::Text(msg) => t(msg).to_owned(),
                Label::Vat(rate) => fill(t(Msg::Vat), &app.percent(rate)),
                Label::Discount => fill(
                    t(Msg::Discount),
                    s.code.as_ref().map_or("", |c| c.code.as_str()),
                ),
            };
            let value = match row.value {
                Value::Amount(amount) => app.money(amount),
                Value::Text(msg) => t(msg).to_owned(),
                Value::Unknown => "—".to_owned(),
                Value::Off(amount) => ["\u{2212}", &app.money(amount)].concat(),
            };
            (row.class, label, value)
        })
        .collect();
    if let Some(list) = app.find(".qc-totals") {
        flag(&list, "hidden", rows.is_empty());
        render_rows(&list, &rows);
    }

    render_code(app, s, &bill, on_basket);

    if let Some(foot) = app.find(".qc-foot") {
        flag(&foot, "hidden", busy);
    }
    let sold = match (&s.sold_out, shopping) {
        (Some(sku), true) => fill(t(Msg::SoldOutItem), &title_of(s, sku)),
        _ => String::new(),
    };
    if let Some(p) = app.find(".qc-sold") {
        flag(&p, "hidden", sold.is_empty());
        if let Some(span) = p.first_element_child() {
            text(&span, &sold);
        }
    }
    let message = model::message(s.notice, blocker, shopping).map_or("", t);
    para(app, ".qc-error", message);
    let methods = if shopping {
        methods_text(app, &s.methods)
    } else {
        String::new()
    };
    para(app, ".qc-methods", &methods);

    let buttons = model::buttons(s.step, blocker.is_some());
    for (action, hidden, disabled) in buttons {
        if let Some(button) = app.find(&[".qc-actions [data-action=", action, "]"].concat()) {
            flag(&button, "hidden", hidden);
            flag(&button, "disabled", disabled);
        }
    }
    if let Some(retry) = app.find("[data-action=retry]") {
        text(&retry, t(model::retry_label(s.step)));
    }
    if let Some(pay) = app.find("[data-action=submit]") {
        let label = match bill.total {
            Some(total) if blocker.is_none() => fill(t(Msg::Pay), &app.money(total)),
            _ => fill(t(Msg::Pay), "").trim().to_owned(),
        };
        text(&pay, &label);
    }
    render_page(app, s);
}

/// The discount-code box, on the basket once it is priced, for a shop with
/// a code on (`checkout.discount_codes`; a code kept from before shows it
/// too): the input and Apply, or the code applied and the offer to remove
/// it; and why a code does not apply (refused, or the minimum it needs).
fn render_code(app: App, s: &State, bill: &crate::app::bill::Bill, on_basket: bool) {
    let t = move |msg| app.t(msg);
    let offered = s.code.is_some() || s.checkout_settings().is_some_and(|c| c.discount_codes);
    if let Some(box_) = app.find(".qc-code") {
        flag(
            &box_,
            "hidden",
            !on_basket || !offered || bill.summary.totals.is_none(),
        );
    }
    let applied = s.code.as_ref().map(|c| fill(t(Msg::CodeApplied), &c.code));
    if let Some(row) = app.find(".qc-code-row") {
        flag(&row, "hidden", applied.is_some());
    }
    if let Some(p) = app.find(".qc-code-on") {
        flag(&p, "hidden", applied.is_none());
        if let Some(span) = p.first_element_child() {
            text(&span, applied.as_deref().unwrap_or(""));
        }
    }
    let message = match (bill.short, s.code_msg) {
        (Some(min), _) => fill(t(Msg::ErrCodeMinimum), &app.money(min)),
        (None, Some(msg)) => t(msg).to_owned(),
        (None, None) => String::new(),
    };
    if let Some(p) = app.find("#qc-code-msg") {
        text(&p, &message);
    }
    if let Some(input) = app.find("#qc-code") {
        attr(
            &input,
            "aria-invalid",
            (!message.is_empty() && applied.is_none()).then_some("true"),
        );
    }
}

/// The catalog's title of `sku`, else the SKU.
fn title_of(s: &State, sku: &str) -> String {
    match &s.prices {
        Prices::Ready(list) => list.get(sku).map(|p| p.title.clone()),
        _ => None,
    }
    .unwrap_or_else(|| sku.to_owned())
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
