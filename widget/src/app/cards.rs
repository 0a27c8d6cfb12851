//! The page's product cards, prices and add buttons: the stock they show
//! (`GET /v1/availability`), the variant picker a group's add button opens,
//! the feedback of a pressed add button, and the item the edge said is sold
//! out (409 `sold_out`). What they show is written by `view::page`.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlElement};

use crate::edge;
use crate::i18n::{fill, Msg};
use crate::js;
use crate::problem::Problem;
use crate::store::Purchase;

use super::state::{Prices, Step};
use super::App;

/// What the page shows that needs the stock: cards, prices, add buttons.
const STOCKED: &str = "[data-qc-product],[data-qc-price],[data-qc-add]";

/// How many times (50 ms apart) a click that came before the catalog waits
/// for it: beyond its 30 s timeout, the catalog has failed anyway.
const CATALOG_WAITS: u32 = 700;

/// How long a pressed add button says "Added".
const ADDED_MS: i32 = 1_800;

impl App {
    /// The stock, once, when the page shows what it changes (cards,
    /// prices, add buttons; also ones a single-page app adds later).
    pub(crate) fn want_stock(self) {
        let asked = self
            .local
            .try_update_value(|l| std::mem::replace(&mut l.stock_asked, true))
            .unwrap_or(true);
        let shows = || {
            js::document()
                .and_then(|d| d.query_selector(STOCKED).ok().flatten())
                .is_some()
        };
        if !asked && shows() {
            self.load_stock();
        } else if !asked {
            self.local.update_value(|l| l.stock_asked = false);
        }
    }

    /// Asks the edge what is left of the tracked SKUs. A failure (an older
    /// edge without the route, no network) leaves the stock unknown: the
    /// items stay addable and the edge still refuses what it cannot sell.
    pub(crate) fn load_stock(self) {
        let endpoint = self.endpoint();
        js::spawn(async move {
            match edge::availability(&endpoint).await {
                Ok(stock) => self.write(|s| s.stock = Some(stock)),
                Err(problem) => js::warn(&problem.code, &problem.detail),
            }
        });
    }

    /// Keeps a product card's listener as long as the widget.
    pub(crate) fn keep_listener(self, listener: js::Listener) {
        self.local.update_value(|l| l.cards.push(listener));
    }

    /// The `<dialog>` of the variant picker.
    fn picker(self) -> Option<HtmlDialogElement> {
        self.find(".qc-picker")?.dyn_into().ok()
    }

    /// Opens the variant picker for the group `sku` (a `data-qc-add` on a
    /// product with variants), remembering `opener` for the focus.
    pub(crate) fn open_picker(self, sku: &str, opener: Option<HtmlElement>) {
        let (Some(dialog), Some(slot)) = (self.picker(), self.find(".qc-pcard")) else {
            return;
        };
        slot.set_text_content(None);
        let built = self.read(|s| match &s.prices {
            Prices::Ready(list) => {
                let card =
                    crate::view::build_card(self, &slot, "qc-p", sku, list, s.stock.as_deref());
                if let Some(card) = &card {
                    crate::view::update_card(self, card, s);
                }
                card
            }
            _ => None,
        });
        if built.flatten().is_none() {
            return;
        }
        self.local.update_value(|l| l.picker_opener = opener);
        if !dialog.open() && dialog.show_modal().is_err() {
            dialog.set_open(true);
        }
        if self.read(|s| s.stock.is_none()) == Some(true) {
            self.load_stock();
        }
    }

    /// Closes the variant picker if it is open (focus back to its opener);
    /// returns whether it was.
    pub(crate) fn close_picker(self) -> bool {
        let Some(dialog) = self.picker().filter(HtmlDialogElement::open) else {
            return false;
        };
        dialog.close();
        if let Some(Some(opener)) = self.local.try_update_value(|l| l.picker_opener.take()) {
            let _ = opener.focus();
        }
        true
    }

    /// `data-qc-add` on `element`: a group opens the picker, anything else is
    /// added; an added item says so on the button (the picker's add, on the
    /// button that opened it) and opens the basket with `data-open-on-add`.
    pub(crate) fn add_from(self, element: &Element, sku: &str, quantity: Result<u32, Problem>) {
        let opener = element.dyn_ref::<HtmlElement>().cloned();
        // Whether `sku` is a group is known with the catalog: a click that
        // came before it (replayed by the loader) waits for it.
        let loading = move || self.read(|s| matches!(s.prices, Prices::Loading));
        if loading() == Some(true) {
            let (element, sku) = (element.clone(), sku.to_owned());
            js::spawn(async move {
                let mut waits = 0;
                while loading() == Some(true) && waits < CATALOG_WAITS {
                    js::sleep(50).await;
                    waits += 1;
                }
                if loading() == Some(false) {
                    self.add_from(&element, &sku, quantity);
                }
            });
            return;
        }
        let group = self
            .read(|s| match &s.prices {
                Prices::Ready(list) => list.extras.group(sku).is_some(),
                _ => false,
            })
            .unwrap_or(false);
        if group {
            self.open_picker(sku, opener);
            return;
        }
        let result = quantity.and_then(|q| self.add(sku, q));
        if result.is_err() {
            self.run(result);
            return;
        }
        let in_picker = element.closest(".qc-picker").ok().flatten().is_some();
        let button = if in_picker {
            let opener = self.local.try_with_value(|l| l.picker_opener.clone());
            self.close_picker();
            opener.flatten().map(Element::from)
        } else {
            Some(element.clone())
        };
        if let Some(button) = button {
            self.added_feedback(button);
        }
        if self.config(|c| c.open_on_add) == Some(true) {
            self.open_basket(opener.filter(|_| !in_picker));
        }
    }

    /// The pressed button says "Added" for a moment, then what it said
    /// before (its own markup, icons included).
    fn added_feedback(self, button: Element) {
        if button.has_attribute("data-qc-added") {
            return; // still saying it: its timer puts the markup back
        }
        let before = button.inner_html();
        let _ = button.set_attribute("data-qc-added", "");
        button.set_text_content(Some(self.t(Msg::AddedShort)));
        if let Some(toggle) = self.find(".qc-toggle") {
            let _ = toggle.class_list().add_1("qc-bump");
        }
        js::spawn(async move {
            js::sleep(ADDED_MS).await;
            button.set_inner_html(&before);
            let _ = button.remove_attribute("data-qc-added");
            if let Some(toggle) = self.find(".qc-toggle") {
                let _ = toggle.class_list().remove_1("qc-bump");
            }
        });
    }

    /// A 409 `sold_out` from the edge: the item its `field` points at
    /// (`items[1].sku`, an index into what was sent), if it can be named.
    pub(super) fn sold_out_item(self, problem: &Problem, what: &Purchase) -> Option<String> {
        let index: usize = problem
            .fields
            .iter()
            .find_map(|(field, _)| field.strip_prefix("items[")?.strip_suffix("].sku"))
            .and_then(shared::digits::parse)
            .and_then(|i| usize::try_from(i).ok())?;
        self.read(|s| {
            let items = match what {
                Purchase::Items(items) => items,
                _ => &s.basket,
            };
            items.lines().get(index).map(|l| l.sku.clone())
        })
        .flatten()
    }

    /// Shows the edge's `sold_out` for `sku` on the details step, with the
    /// offer to remove it; the stock is asked again.
    pub(super) fn show_sold_out(self, sku: String) {
        let text = fill(self.t(Msg::SoldOutItem), &self.title(&sku));
        self.write(|s| s.sold_out = Some(sku));
        self.announce(&text);
        self.load_stock();
    }

    /// "Remove it": the sold-out item leaves the basket (or buy now's
    /// items), and the shopper is back on the basket.
    pub(crate) fn drop_sold_out(self) {
        let Some(Some(sku)) = self.read(|s| s.sold_out.clone()) else {
            return;
        };
        let buying = self
            .read(|s| match &s.purchase {
                Purchase::Items(items) => Some(items.clone()),
                _ => None,
            })
            .flatten();
        match buying {
            Some(mut items) => {
                items.remove(&sku);
                let empty = items.is_empty();
                self.write(|s| {
                    s.sold_out = None;
                    s.purchase = Purchase::Items(items);
                });
                if empty {
                    self.close_dialog();
                }
            }
            None => {
                self.remove(&sku);
                self.show(Step::Basket);
            }
        }
    }
}
