//! What the widget writes into the merchant's page, outside its own shadow
//! root: prices (`data-qc-price`, in the light DOM so the page's CSS
//! applies), product cards (`data-qc-product`, each in its own shadow root
//! with the widget's styles and theme), and the add buttons' sold-out state
//! (`data-qc-add`). The variant picker shows the same card inside the
//! widget's dialog. Written on every render, only what differs.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit, ShadowRootInit, ShadowRootMode};

use crate::app::{App, Prices, State};
use crate::edge::PriceList;
use crate::i18n::{fill, Msg};
use crate::js;
use crate::variants::{available, first_choice, lowest, sold_out, stock_label, variant};

use super::dom::{attr, child, flag, text};

/// The elements of the page matching `selector`.
fn page_all(selector: &str) -> Vec<Element> {
    let Some(list) = js::document().and_then(|d| d.query_selector_all(selector).ok()) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

/// Watches the page for cards, prices and add buttons it gets later (a
/// single-page app's next view); stops when dropped, with the widget.
pub(crate) struct PageObserver {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for PageObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Renders the page's part again on every change to the page's tree. (What
/// it writes changes the tree once more, and the pass after that writes
/// nothing: only what differs is written.)
pub(crate) fn observe(app: App) -> Option<PageObserver> {
    let callback = Closure::<dyn FnMut()>::new(move || {
        app.read(|s| render_page(app, s));
    });
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    let root = js::document()?.document_element()?;
    observer.observe_with_options(&root, &init).ok()?;
    Some(PageObserver {
        observer,
        _callback: callback,
    })
}

/// Brings the page's prices, cards and add buttons up to date with `s`.
pub(super) fn render_page(app: App, s: &State) {
    app.want_stock();
    let Prices::Ready(list) = &s.prices else {
        return;
    };
    let stock = s.stock.as_deref();
    for el in page_all("[data-qc-price]") {
        let sku = el.get_attribute("data-qc-price").unwrap_or_default();
        if let Some(price) = price_text(app, list, sku.trim()) {
            text(&el, &price);
        }
    }
    for el in page_all("[data-qc-add]") {
        let sku = el.get_attribute("data-qc-add").unwrap_or_default();
        let out = sold_out(list, stock, sku.trim());
        // Only what the widget disabled is enabled again.
        if out || el.has_attribute("data-qc-sold-out") {
            flag(&el, "disabled", out);
            flag(&el, "data-qc-sold-out", out);
            attr(&el, "aria-disabled", out.then_some("true"));
        }
    }
    for el in page_all("[data-qc-product]") {
        let sku = el.get_attribute("data-qc-product").unwrap_or_default();
        let card = match el.shadow_root() {
            // Built by the widget (its root is the card).
            Some(root) => root.query_selector(".qc-card").ok().flatten(),
            None => card_root(app, &el, list, stock, sku.trim()),
        };
        if let Some(card) = card {
            update_card(app, &card, s);
        }
    }
    if let Some(card) = app.find(".qc-pcard .qc-card") {
        update_card(app, &card, s);
    }
}

/// A price for the page: a product's gross unit price, a group's lowest
/// ("from €40.00"); `None` for a SKU the catalog does not sell.
fn price_text(app: App, list: &PriceList, sku: &str) -> Option<String> {
    match list.extras.group(sku) {
        Some(group) => Some(fill(app.t(Msg::From), &app.money(lowest(list, group)?))),
        None => Some(app.money(list.get(sku)?.unit_gross)),
    }
}

/// Gives `host` (a `data-qc-product` element) a shadow root with the
/// widget's styles and a card for `sku`, if the catalog sells it; its own
/// `change` listener (the shadow root keeps the event inside) updates it.
fn card_root(
    app: App,
    host: &Element,
    list: &PriceList,
    stock: Option<&[(String, u32)]>,
    sku: &str,
) -> Option<Element> {
    if list.get(sku).is_none() && list.extras.group(sku).is_none() {
        return None;
    }
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    crate::adopt_styles(&shadow).ok()?;
    let theme = child(shadow.unchecked_ref(), "div", "qc")?;
    attr(&theme, "data-theme", Some(app.theme()));
    let card = build_card(app, &theme, "qc", sku, list, stock)?;
    let target = card.clone();
    if let Some(listener) = js::Listener::new(&shadow, "change", false, move |_| {
        app.read(|s| update_card(app, &target, s));
    }) {
        app.keep_listener(listener);
    }
    Some(card)
}

/// A product card for `sku` in `parent`, its ids starting with `prefix`:
/// `div.qc-card[data-card] > img.qc-img + div.qc-cbody > h3 + p.qc-cprice +
/// div.qc-field (label + select[data-qc-option]) per option + p.qc-stock +
/// div.qc-field (label + input.qc-cq) + button.qc-pay`, written as HTML in
/// one `innerHTML` (smaller in the wasm than one DOM call per node, as the
/// widget's own structure). [`update_card`] fills in what the choice decides.
pub(crate) fn build_card(
    app: App,
    parent: &Element,
    prefix: &str,
    sku: &str,
    list: &PriceList,
    stock: Option<&[(String, u32)]>,
) -> Option<Element> {
    let group = list.extras.group(sku);
    let title = match group {
        Some(g) => g.title.as_str(),
        None => list.get(sku)?.title.as_str(),
    };
    let mut html = String::with_capacity(1024);
    let mut push = |parts: &[&str]| {
        for part in parts {
            html.push_str(part);
        }
    };
    push(&[
        r#"<img class="qc-img" width="160" height="160" loading="lazy"><div class="qc-cbody"><h3 class="qc-ctitle" id=""#,
        prefix,
        r#"-t">"#,
        &escape(title),
        r#"</h3><p class="qc-cprice"></p>"#,
    ]);
    if let Some(group) = group {
        let chosen = first_choice(list, stock, group);
        for (i, (name, values)) in group.options.iter().enumerate() {
            let id = shared::digits::numbered(&[prefix, "-o"].concat(), i);
            push(&[
                r#"<div class="qc-field"><label for=""#,
                &id,
                r#"">"#,
                &escape(name),
                r#"</label><select data-qc-option id=""#,
                &id,
                r#"">"#,
            ]);
            for value in values {
                let value = escape(value);
                let selected = chosen.get(i).is_some_and(|c| escape(c) == value);
                push(&[
                    r#"<option value=""#,
                    &value,
                    if selected { r#"" selected>"# } else { r#"">"# },
                    &value,
                    "</option>",
                ]);
            }
            push(&["</select></div>"]);
        }
    }
    push(&[
        r#"<p class="qc-stock" id=""#,
        prefix,
        r#"-s"></p><div class="qc-field"><label for=""#,
        prefix,
        r#"-q">"#,
        &escape(&fill(app.t(Msg::Quantity), title)),
        r#"</label><input class="qc-cq" id=""#,
        prefix,
        r#"-q" type="number" inputmode="numeric" min="1" max="999" value="1"></div>"#,
        // Which product, and whether it is sold out.
        r#"<button class="qc-pay" type="button" aria-describedby=""#,
        prefix,
        "-t ",
        prefix,
        r#"-s">"#,
        &escape(app.t(Msg::AddToBasket)),
        "</button></div>",
    ]);
    let card = child(parent, "div", "qc-card")?;
    attr(&card, "data-card", Some(sku));
    card.set_inner_html(&html);
    Some(card)
}

/// `text` escaped for HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    super::template::escape_into(&mut out, text);
    out
}

/// Writes the choice's price, image, stock and Add into a card built by
/// [`build_card`].
pub(crate) fn update_card(app: App, card: &Element, s: &State) {
    let Prices::Ready(list) = &s.prices else {
        return;
    };
    let part = |selector: &str| card.query_selector(selector).ok().flatten();
    let sku = card.get_attribute("data-card").unwrap_or_default();
    let stock = s.stock.as_deref();
    // The product the choice names (none for a combination not sold).
    let (chosen, title, image) = match list.extras.group(&sku) {
        Some(group) => {
            let selects = card.query_selector_all("[data-qc-option]").ok();
            let values: Vec<String> = selects
                .map(|l| {
                    (0..l.length())
                        .filter_map(|i| js::get_str(&l.item(i)?.into(), "value"))
                        .collect()
                })
                .unwrap_or_default();
            let chosen = variant(list, group, &values);
            let title = chosen
                .and_then(|v| list.get(v))
                .map_or(group.title.as_str(), |p| p.title.as_str());
            let image = chosen
                .and_then(|v| list.extras.image(v))
                .or(group.image.as_deref());
            (chosen, title, image)
        }
        None => {
            let Some(product) = list.get(&sku) else {
                return;
            };
            (
                Some(sku.as_str()),
                product.title.as_str(),
                list.extras.image(&sku),
            )
        }
    };
    if let Some(img) = part(".qc-img") {
        flag(&img, "hidden", image.is_none());
        attr(&img, "src", image);
        attr(&img, "alt", Some(title));
    }
    let price = match chosen.and_then(|v| list.get(v)) {
        Some(product) => app.money(product.unit_gross),
        None => price_text(app, list, &sku).unwrap_or_default(),
    };
    if let Some(p) = part(".qc-cprice") {
        text(&p, &price);
    }
    let left = chosen.and_then(|v| available(stock, v));
    let status = match chosen {
        None => app.t(Msg::Combination).to_owned(),
        Some(_) => stock_label(left)
            .map(|msg| {
                fill(
                    app.t(msg),
                    &shared::digits::number(u64::from(left.unwrap_or(0))),
                )
            })
            .unwrap_or_default(),
    };
    if let Some(p) = part(".qc-stock") {
        text(&p, &status);
        flag(&p, "hidden", status.is_empty());
    }
    let quantity = part(".qc-cq").and_then(|i| js::get_str(&i, "value"));
    if let Some(add) = part(".qc-pay") {
        attr(&add, "data-qc-add", chosen);
        attr(&add, "data-qc-quantity", quantity.as_deref());
        flag(&add, "disabled", chosen.is_none() || left == Some(0));
    }
}
