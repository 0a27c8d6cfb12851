//! Writing the DOM: texts and attributes set only when they differ, the
//! totals rows, the basket lines (reused in order) and the details fields.

use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlElement};

use crate::app::{App, Line, Prices, State};
use crate::details::{self, Shown, COUNTRY, FIELDS, TERMS};
use crate::i18n::{fill, Msg};
use crate::js;
use crate::variants::{available, stock_label};

/// Sets the text of `el`, if it differs: an unchanged live region must not
/// be announced again.
pub(super) fn text(el: &Element, text: &str) {
    if el.text_content().as_deref() != Some(text) {
        el.set_text_content(Some(text));
    }
}

/// Sets (`Some`) or removes (`None`) the attribute `name` of `el`, if that
/// changes it.
pub(super) fn attr(el: &Element, name: &str, value: Option<&str>) {
    if el.get_attribute(name).as_deref() != value {
        let _ = match value {
            Some(value) => el.set_attribute(name, value),
            None => el.remove_attribute(name),
        };
    }
}

/// Sets or removes the boolean attribute `name` (`hidden`, `disabled`).
pub(super) fn flag(el: &Element, name: &str, on: bool) {
    attr(el, name, on.then_some(""));
}

/// A new `tag` element with `class` (unless empty), appended to `parent`.
pub(super) fn child(parent: &Element, tag: &str, class: &str) -> Option<Element> {
    let el = js::document()?.create_element(tag).ok()?;
    if !class.is_empty() {
        attr(&el, "class", Some(class));
    }
    parent.append_child(&el).ok()?;
    Some(el)
}

/// A paragraph of the structure (toast, status, empty basket, error,
/// payment methods): its text, hidden when empty.
pub(super) fn para(app: App, selector: &str, value: &str) {
    if let Some(p) = app.find(selector) {
        text(&p, value);
        flag(&p, "hidden", value.is_empty());
    }
}

/// The totals: one `div.{class} > dt + dd` per row, all written again when
/// any differs (they hold nothing the shopper could be focused on).
pub(super) fn render_rows(list: &Element, rows: &[(&str, String, String)]) {
    let key: String = rows
        .iter()
        .map(|(class, label, value)| [class, "|", label, "|", value, "\n"].concat())
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
pub(super) fn render_lines(
    app: App,
    list: &Element,
    lines: &[Line],
    prices: &Prices,
    stock: Option<&[(String, u32)]>,
) {
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
            update_line(app, &li, line, available(stock, &line.sku));
            let image = match prices {
                Prices::Ready(list) => list.extras.image(&line.sku),
                _ => None,
            };
            if let Some(img) = li.query_selector(".qc-limg").ok().flatten() {
                flag(&img, "hidden", image.is_none());
                attr(&img, "src", image);
                attr(&img, "alt", Some(&line.title));
            }
        }
    }
}

/// The elements of one line, filled by [`update_line`]:
/// `li.qc-line > img.qc-limg + (div.qc-info > span.qc-name + span.qc-unit)
/// + (div.qc-qty > button[dec] + input.qc-input + button[inc])
/// + span.qc-total + button.qc-remove`.
pub(super) fn build_line(list: &Element) -> Option<Element> {
    let li = child(list, "li", "qc-line")?;
    // Fixed size (no layout shift), loaded when scrolled to.
    let img = child(&li, "img", "qc-limg")?;
    for (name, value) in [("width", "48"), ("height", "48"), ("loading", "lazy")] {
        attr(&img, name, Some(value));
    }
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

/// Writes one line's SKU, texts, labels and state into its elements;
/// `left`: what can still be bought of it, when its stock is tracked.
pub(super) fn update_line(app: App, li: &Element, line: &Line, left: Option<u32>) {
    let t = move |msg| app.t(msg);
    let class = if line.gone {
        "qc-line qc-gone"
    } else {
        "qc-line"
    };
    attr(li, "class", Some(class));
    let part = |selector: &str| li.query_selector(selector).ok().flatten();
    let mut unit = if line.gone {
        t(Msg::Unavailable).to_owned()
    } else {
        line.unit.map(|m| app.money(m)).unwrap_or_default()
    };
    // "€19.90 · Only 2 left": the edge will not sell more.
    if let Some(msg) = stock_label(left).filter(|_| !line.gone) {
        let n = shared::digits::number(u64::from(left.unwrap_or(0)));
        unit = [unit.as_str(), " · ", &fill(t(msg), &n)].concat();
    }
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
    if let Some(inc) = part("[data-action=inc]") {
        flag(&inc, "disabled", left.is_some_and(|n| line.quantity >= n));
    }
    // The `value` attribute remembers the quantity last shown: what the
    // shopper is typing is replaced only when the line's quantity (or
    // product) changes, not when something else does.
    if let Some(input) = input {
        let quantity = shared::digits::number(u64::from(line.quantity));
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
/// text, empty (and not shown) while there is none. Before the terms
/// checkbox, `p.qc-legal > a#qc-l0 + a#qc-l1 + a#qc-l2`: the shop's terms,
/// withdrawal and privacy pages, in a new tab (their `href` set by
/// [`sync_details`] once the catalog says them).
pub(super) fn build_details(app: App, container: &Element) -> Result<(), JsValue> {
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
        if i == TERMS {
            let legal = add(container, "p", &[("class", "qc-legal")], "")?;
            for (j, msg) in [Msg::Terms, Msg::Withdrawal, Msg::Privacy]
                .into_iter()
                .enumerate()
            {
                let id = shared::digits::numbered("qc-l", j);
                let attributes = [("id", &*id), ("target", "_blank"), ("rel", "noopener")];
                add(&legal, "a", &attributes, app.t(msg))?;
            }
        }
        let (id, error) = (
            shared::digits::numbered("qc-f", i),
            shared::digits::numbered("qc-e", i),
        );
        let div = add(
            container,
            "div",
            &[
                ("class", "qc-field"),
                ("id", &shared::digits::numbered("qc-d", i)),
            ],
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

/// Brings the hand-built details up to date with `s`: the fields `shown`
/// (the address for a purchase that is shipped, the business fields and
/// the terms as the shop's settings say), the legal pages' links that are
/// set, each field's error (its text and `aria-invalid`), the countries
/// and the one chosen, the checkboxes, and "forget" only while details are
/// stored. Typed values are not written back (see `App::committed`),
/// except the remembered ones at the start.
pub(super) fn sync_details(app: App, s: &State, shown: Shown) {
    let Some(container) = app.find(".qc-details") else {
        return; // not mounted yet: the next render does it
    };
    if app.find("#qc-forget").is_none() {
        if build_details(app, &container).is_err() {
            return;
        }
        for (i, value) in s.values.iter().enumerate() {
            if let Some(control) = app.find(&shared::digits::numbered("#qc-f", i)) {
                js::set(&control, "value", value.as_str());
            }
        }
    }
    for i in 0..FIELDS.len() {
        let (Some(div), Some(control), Some(text)) = (
            app.find(&shared::digits::numbered("#qc-d", i)),
            app.find(&shared::digits::numbered("#qc-f", i)),
            app.find(&shared::digits::numbered("#qc-e", i)),
        ) else {
            return;
        };
        js::set(&div, "hidden", !shown.field(i));
        let error = s.errors[i].map(|msg| app.t(msg));
        let _ = control.set_attribute(
            "aria-invalid",
            if error.is_some() { "true" } else { "false" },
        );
        text.set_text_content(error);
        if i == COUNTRY {
            sync_countries(&control, s);
        }
        if i == TERMS {
            js::set(&control, "checked", !s.values[TERMS].is_empty());
        }
    }
    let pages = s
        .checkout_settings()
        .map(|c| [&c.terms_url, &c.withdrawal_url, &c.privacy_url]);
    for (j, url) in pages
        .unwrap_or([&None, &None, &None])
        .into_iter()
        .enumerate()
    {
        if let Some(link) = app.find(&shared::digits::numbered("#qc-l", j)) {
            flag(&link, "hidden", url.is_none());
            attr(&link, "href", url.as_deref());
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
pub(super) fn sync_countries(select: &HtmlElement, s: &State) {
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
