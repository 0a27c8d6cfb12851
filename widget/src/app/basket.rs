//! Basket edits: add, set, step, type, remove, clear, another tab's basket.

use shared::basket::check_quantity;
use shared::{Basket, BasketError};

use crate::i18n::{fill, Msg};
use crate::js;
use crate::problem::Problem;
use crate::store;

use super::bill::summarize;
use super::state::Prices;
use super::App;

impl App {
    /// Applies `change` to a copy of the basket and keeps it if the change is
    /// valid for `shared` and, once the catalog is known, every added SKU is
    /// sold and the total stays within the limit.
    pub(super) fn change(
        self,
        change: impl FnOnce(&mut Basket) -> Result<(), BasketError>,
    ) -> Result<(), Problem> {
        let Some(mut next) = self.read(|s| s.basket.clone()) else {
            return Ok(());
        };
        change(&mut next)?;
        // Checked inside the read: the prices are not cloned (their clone
        // costs wasm, and this runs on every click).
        self.read(|s| {
            if let Prices::Ready(list) = &s.prices {
                for line in next.lines() {
                    if list.get(&line.sku).is_none()
                        && line.quantity > s.basket.quantity_of(&line.sku)
                    {
                        return Err(Problem::new("unknown_sku", line.sku.clone()));
                    }
                }
                if summarize(&next, &s.prices).totals.is_none() {
                    return Err(Problem::new(
                        "amount_too_large",
                        "the total is above the maximum",
                    ));
                }
            }
            Ok(())
        })
        .unwrap_or(Ok(()))?;
        if let Some(old) = self.read(|s| s.basket.clone()) {
            self.track_change(&old, &next);
        }
        self.commit(next);
        Ok(())
    }

    /// Saves a new basket, ends the payment attempt (any change makes a new
    /// one) and tells the host page. An emptied basket (paid, or cleared)
    /// drops its discount code too.
    pub(super) fn commit(self, next: Basket) {
        store::save_basket(&next);
        store::clear_attempt();
        let emptied = next.lines().is_empty();
        if emptied {
            store::save_code(None);
        }
        self.write(|s| {
            s.basket = next;
            s.notice = None;
            s.sold_out = None;
            if emptied {
                s.code = None;
                s.code_msg = None;
            }
        });
        self.basket_changed();
    }

    /// Dispatches `qc:basket-changed` with the basket.
    pub(super) fn basket_changed(self) {
        js::emit("qc:basket-changed", &self.snapshot(), false);
    }

    /// The title of `sku` if the catalog knows it, else the SKU.
    pub(super) fn title(self, sku: &str) -> String {
        self.read(|s| match &s.prices {
            Prices::Ready(list) => list.get(sku).map(|p| p.title.clone()),
            _ => None,
        })
        .flatten()
        .unwrap_or_else(|| sku.to_owned())
    }

    /// Adds `quantity` units of `sku` (merging with its line).
    pub(crate) fn add(self, sku: &str, quantity: u32) -> Result<(), Problem> {
        self.change(|b| b.add(sku, quantity))?;
        self.announce(&fill(self.t(Msg::Added), &self.title(sku)));
        Ok(())
    }

    /// Sets the quantity of `sku`; 0 removes the line.
    pub(crate) fn set_quantity(self, sku: &str, quantity: u32) -> Result<(), Problem> {
        if quantity == 0 {
            self.remove(sku);
            return Ok(());
        }
        self.change(|b| b.set_quantity(sku, quantity))?;
        self.announce(self.t(Msg::Updated));
        Ok(())
    }

    /// Adds `delta` (±1 from the stepper) to the quantity of `sku`.
    pub(crate) fn step_quantity(self, sku: &str, delta: i64) {
        let current = self.read(|s| s.basket.quantity_of(sku)).unwrap_or(0);
        let result = check_quantity(i64::from(current) + delta)
            .map_err(Problem::from)
            .and_then(|q| self.set_quantity(sku, q));
        self.run(result);
    }

    /// Reads a quantity typed in a line's input: 0 removes the line, an
    /// invalid number is refused and the input shows the quantity again.
    pub(crate) fn quantity_typed(self, sku: &str, input: &web_sys::HtmlInputElement) {
        let text = input.value();
        let result = match quantity_text(&text) {
            Some(0) => self.set_quantity(sku, 0),
            Some(n) => i64_quantity(n).and_then(|q| self.set_quantity(sku, q)),
            None => Err(Problem::new("quantity_out_of_range", text)),
        };
        if result.is_err() {
            let current = self.read(|s| s.basket.quantity_of(sku)).unwrap_or(1);
            input.set_value(&shared::digits::number(u64::from(current)));
        }
        self.run(result);
    }

    /// Removes the line of `sku`.
    pub(crate) fn remove(self, sku: &str) {
        let title = self.title(sku);
        let mut removed = false;
        let _ = self.change(|b| {
            removed = b.remove(sku);
            Ok(())
        });
        if removed {
            self.announce(&fill(self.t(Msg::Removed), &title));
        }
    }

    /// Empties the basket.
    pub(crate) fn clear(self) {
        self.commit(Basket::new());
        self.announce(self.t(Msg::Updated));
    }

    /// The basket changed in another tab (`storage` event): show it, without
    /// writing it back.
    pub(crate) fn basket_synced(self, basket: Basket) {
        if self.read(|s| s.basket == basket) == Some(false) {
            store::clear_attempt();
            self.write(|s| s.basket = basket);
            self.basket_changed();
        }
    }
}

/// The number a shopper or a page wrote for a quantity (spaces around it
/// allowed); `None` when it is not a whole number of ASCII digits. One too
/// large for an `i64` is [`i64::MAX`], which [`i64_quantity`] refuses.
pub(crate) fn quantity_text(text: &str) -> Option<i64> {
    shared::digits::parse(text.trim()).map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// A quantity from the page (an attribute, an input, a JS number): 1..=999.
pub(crate) fn i64_quantity(n: i64) -> Result<u32, Problem> {
    Ok(check_quantity(n)?)
}
