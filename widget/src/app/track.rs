//! The analytics events of the journey (`crate::analytics`), when the
//! page turned them on: the basket opened (`view_cart`), its changes
//! (`add_to_cart`, `remove_from_cart`), Pay for items (`begin_checkout`),
//! and the payment confirmed by the edge on return (`purchase`, once per
//! checkout: the ids pushed are remembered on the device).

use shared::{Basket, Money};
use wasm_bindgen::JsValue;

use crate::analytics::{self, amount};
use crate::js::{self, set};
use crate::store;

use super::bill::Ship;
use super::state::Prices;
use super::App;

impl App {
    /// Whether the page asked for the events.
    fn tracking(self) -> bool {
        self.config(|c| c.analytics) == Some(true)
    }

    /// `view_cart`: the basket opened, with its lines and its goods' total.
    pub(super) fn track_view(self) {
        if !self.tracking() {
            return;
        }
        let data = self.read(|s| {
            let b = s.bill();
            let gross = b.summary.totals.as_ref()?.gross;
            Some(analytics::ecommerce(
                gross,
                analytics::items(&b.summary.lines),
            ))
        });
        if let Some(Some(data)) = data {
            analytics::push("view_cart", &data);
        }
    }

    /// `add_to_cart` or `remove_from_cart` for each SKU whose units differ
    /// between `old` and `next` (an edit changes one), worth their price.
    pub(super) fn track_change(self, old: &Basket, next: &Basket) {
        if !self.tracking() {
            return;
        }
        let events = self.read(|s| {
            let mut events = Vec::new();
            let Prices::Ready(list) = &s.prices else {
                return events;
            };
            let skus = next.lines().iter().chain(old.lines());
            for (i, sku) in skus.map(|l| l.sku.as_str()).enumerate() {
                let (was, is) = (old.quantity_of(sku), next.quantity_of(sku));
                // Each SKU once: from `next`, then those `old` alone had.
                let seen = i >= next.lines().len() && is > 0;
                let Some(p) = list.get(sku).filter(|_| was != is && !seen) else {
                    continue;
                };
                let n = was.abs_diff(is);
                let worth = Money::new(p.unit_gross.minor() * i64::from(n), list.currency);
                let items =
                    js_sys::Array::of1(&analytics::item(sku, &p.title, Some(p.unit_gross), n));
                let event = if is > was {
                    "add_to_cart"
                } else {
                    "remove_from_cart"
                };
                events.push((event, analytics::ecommerce(worth, items)));
            }
            events
        });
        for (event, data) in events.unwrap_or_default() {
            analytics::push(event, &data);
        }
    }

    /// `begin_checkout` for the items on the details step: what is charged
    /// (`value`, `tax`, `shipping`). Returns the same data as
    /// JSON, kept for the `purchase` on return (`None` with analytics off).
    pub(super) fn track_checkout(self) -> Option<String> {
        if !self.tracking() {
            return None;
        }
        let data = self.read(|s| {
            let b = s.bill();
            let goods = b.summary.totals.as_ref()?;
            let value = b.total.unwrap_or(goods.gross);
            let data = analytics::ecommerce(value, analytics::items(&b.summary.lines));
            let shipping = match b.ship {
                Ship::Cost(cost) => cost,
                _ => Money::new(0, value.currency()),
            };
            set(&data, "shipping", amount(shipping));
            if let Some(tax) = b.tax {
                set(&data, "tax", amount(tax));
            }
            if let (Some(code), Some(_)) = (s.code(), b.discount) {
                set(&data, "coupon", code.code.as_str());
            }
            Some(data)
        })??;
        analytics::push("begin_checkout", &data);
        js_sys::JSON::stringify(&data).ok()?.as_string()
    }

    /// `purchase` for checkout `id`, paid `paid`: the data kept at Pay (if
    /// this browser started it) with the checkout id and the amount the
    /// edge confirms. Once per checkout, also across reloads.
    pub(super) fn track_purchase(self, id: &str, paid: Option<Money>) {
        if !self.tracking() {
            return;
        }
        let kept = store::load_purchase(id).map(|json| js::parse_json(&json));
        if !store::mark_sent(id) {
            return;
        }
        let data = kept
            .filter(JsValue::is_object)
            .unwrap_or_else(|| js_sys::Object::new().into());
        let data: js_sys::Object = data.into();
        set(&data, "transaction_id", id);
        if let Some(paid) = paid {
            set(&data, "value", amount(paid));
            set(&data, "currency", paid.currency().as_str());
        }
        analytics::push("purchase", &data);
    }
}
