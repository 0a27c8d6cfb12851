//! The dialog: finding the widget's elements, focus, opening and closing,
//! and what is loaded on opening (the catalog, the payment methods, the
//! stock).

use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement};

use crate::edge;
use crate::js;

use super::state::{Prices, Step};
use super::App;

impl App {
    /// The first element of the widget matching `selector`.
    pub(crate) fn find(self, selector: &str) -> Option<HtmlElement> {
        let shadow = self.local.try_with_value(|l| l.shadow.clone()).flatten()?;
        shadow.query_selector(selector).ok()??.dyn_into().ok()
    }

    /// Moves the focus to the element matching `selector` once the view
    /// shows it (a hidden element cannot take the focus).
    pub(super) fn focus(self, selector: String) {
        js::spawn(async move {
            js::sleep(0).await;
            if let Some(el) = self.find(&selector) {
                let _ = el.focus();
            }
        });
    }

    /// The `<dialog>` element.
    pub(crate) fn dialog(self) -> Option<HtmlDialogElement> {
        self.find("dialog")?.dyn_into().ok()
    }

    /// Opens the dialog (modal), remembering `opener` (else the focused
    /// element) to give focus back on close.
    pub(crate) fn open_dialog(self, opener: Option<HtmlElement>) {
        if self.read(|s| s.open) != Some(false) {
            return;
        }
        let opener = opener.or_else(|| js::document()?.active_element()?.dyn_into().ok());
        self.local.update_value(|l| l.opener = opener);
        self.write(|s| {
            s.open = true;
            s.notice = None;
        });
        if let Some(dialog) = self.dialog() {
            if !dialog.open() && dialog.show_modal().is_err() {
                dialog.set_open(true);
            }
        }
        self.load_extras();
    }

    /// Opens the dialog on what it shows (the basket, unless a result
    /// screen waits): the toggle, `data-qc-open`, `open()`, an add with
    /// `data-open-on-add`. The basket's opening is `view_cart` for the
    /// analytics.
    pub(crate) fn open_basket(self, opener: Option<HtmlElement>) {
        let closed = self.read(|s| !s.open) == Some(true);
        self.open_dialog(opener);
        if closed && self.step() == Some(Step::Basket) {
            self.track_view();
        }
    }

    /// Closes the dialog and gives focus back to its opener. A result screen
    /// is shown once: the next opening shows the basket.
    pub(crate) fn close_dialog(self) {
        if self.read(|s| s.open) != Some(true) {
            return;
        }
        self.write(|s| {
            s.open = false;
            s.notice = None;
            s.sold_out = None;
            if !matches!(s.step, Step::Paying | Step::Redirecting) {
                s.step = Step::Basket;
            }
        });
        if let Some(dialog) = self.dialog() {
            dialog.close();
        }
        if let Some(Some(opener)) = self.local.try_update_value(|l| l.opener.take()) {
            let _ = opener.focus();
        }
    }

    /// On opening: the payment methods (once), and the catalog again if it
    /// failed to load.
    pub(super) fn load_extras(self) {
        let ask = self
            .local
            .try_update_value(|l| !std::mem::replace(&mut l.methods_asked, true))
            .unwrap_or(false);
        if ask {
            let endpoint = self.endpoint();
            js::spawn(async move {
                match edge::payment_methods(&endpoint).await {
                    Ok(methods) => self.write(|s| s.methods = methods),
                    Err(problem) => {
                        // Asked again at the next opening. Pay may still
                        // work, but the shopper is warned.
                        self.local.update_value(|l| l.methods_asked = false);
                        self.report(problem);
                    }
                }
            });
        }
        if self.read(|s| matches!(s.prices, Prices::Failed(_))) == Some(true) {
            self.load_catalog();
        }
        // What is left may have changed since the page loaded.
        self.load_stock();
    }

    /// Loads (or reloads) the catalog's prices.
    pub(crate) fn load_catalog(self) {
        self.write(|s| s.prices = Prices::Loading);
        let endpoint = self.endpoint();
        js::spawn(async move {
            match edge::catalog(&endpoint).await {
                Ok((list, rejected)) => {
                    let codes = list.shipping.as_ref().map(|s| s.countries());
                    let locale = self.config(|c| c.locale.clone()).unwrap_or_default();
                    let countries = js::countries(&locale, &codes.unwrap_or_default());
                    self.write(|s| {
                        s.prices = Prices::Ready(list);
                        s.countries = countries;
                    });
                    if let Some(problem) = rejected {
                        self.emit_error(&problem);
                    }
                    // Titles and prices are now known: tell the host page.
                    if self.read(|s| s.basket.is_empty()) == Some(false) {
                        self.basket_changed();
                    }
                }
                Err(problem) => {
                    self.write(|s| s.prices = Prices::Failed(problem.msg));
                    self.emit_error(&problem);
                }
            }
        });
    }
}
