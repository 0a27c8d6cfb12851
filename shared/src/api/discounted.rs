//! A discount code applied to a validated order, and the wire bodies of
//! codes: what `GET /v1/discount-codes/{code}` answers (enough for the
//! widget to show the discount with [`crate::discount`]) and the discount
//! line of a created checkout.

use super::validate::ValidatedOrder;
use crate::discount::{self, DiscountValue};
use crate::money::{Money, WireAmount};
use crate::pricing::Totals;

/// The code a checkout was discounted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedDiscount {
    /// The code, upper case.
    pub code: String,
    /// What the code takes off.
    pub value: DiscountValue,
    /// What it took off the goods, in all (their gross before minus after).
    pub amount: Money,
}

impl ValidatedOrder {
    /// The gross total of the goods lines (shipping left out): what a
    /// code's minimum is compared with, before any discount.
    pub fn goods_gross(&self) -> Money {
        let currency = self.totals.gross.currency();
        self.lines.iter().fold(Money::zero(currency), |sum, l| {
            Money::new(sum.minor() + l.priced.gross.minor(), currency)
        })
    }

    /// This order with `code` worth `value` applied ([`discount::apply`]):
    /// the goods lines re-priced for their lowered totals, the totals and
    /// the VAT per rate recomputed as sums of the lines, shipping as it
    /// was quoted. A code that takes nothing (a basket too small) still
    /// names the code, with an amount of zero.
    pub fn with_discount(mut self, code: &str, value: DiscountValue) -> ValidatedOrder {
        let amount = discount::apply_to(value, self.lines.iter_mut().map(|l| &mut l.priced));
        let currency = self.totals.gross.currency();
        let mut shipping = self.shipping.as_ref().filter(|q| !q.free).map(|q| q.line);
        let lines = self.lines.iter().map(|l| l.priced).chain(shipping.take());
        self.totals = Totals::of_lines(currency, lines);
        self.discount = Some(AppliedDiscount {
            code: code.to_owned(),
            value,
            amount,
        });
        self
    }
}

/// The kind of a discount code on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DiscountKind {
    /// A percentage of the goods (`percent_basis_points`).
    Percent,
    /// A fixed amount (`amount`).
    Fixed,
}

/// `200` answer to `GET /v1/discount-codes/{code}`: a code that applies
/// now, with what the widget needs to compute its discount with
/// [`discount::discount_amount`] and [`discount::allocate`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DiscountCodeInfo {
    /// The code, upper case.
    pub code: String,
    /// Percent or fixed.
    pub kind: DiscountKind,
    /// For a percent code: basis points (1 000 is 10 %).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub percent_basis_points: Option<u32>,
    /// For a fixed code: the amount off.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub amount: Option<WireAmount>,
    /// The least goods total (VAT included, shipping left out) it needs.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub minimum: Option<WireAmount>,
}

impl DiscountCodeInfo {
    /// What the code takes off, for [`discount::discount_amount`]; `None`
    /// for a body that is not one the edge writes.
    pub fn value(&self) -> Option<DiscountValue> {
        match self.kind {
            DiscountKind::Percent => self.percent_basis_points.map(DiscountValue::Percent),
            DiscountKind::Fixed => self
                .amount
                .as_ref()
                .and_then(|a| Money::try_from(a).ok())
                .map(DiscountValue::Amount),
        }
    }
}

/// The discount of a created checkout, in its `201` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckoutDiscount {
    /// The code, upper case.
    pub code: String,
    /// What it took off the goods (VAT included); the lines and the amount
    /// are already lowered by it.
    pub amount: WireAmount,
}

impl From<&AppliedDiscount> for CheckoutDiscount {
    fn from(d: &AppliedDiscount) -> CheckoutDiscount {
        CheckoutDiscount {
            code: d.code.clone(),
            amount: d.amount.into(),
        }
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::api::CheckoutRequest;
    use crate::catalog::CatalogFile;
    use crate::money::Currency;
    use crate::shipping::ShippingFile;
    use serde_json::json;

    #[test]
    fn the_look_up_body_gives_the_widget_the_value() {
        let fixed: DiscountCodeInfo = serde_json::from_value(json!({
            "code": "WELCOME5", "kind": "fixed", "amount": {"value": "5.00", "currency": "EUR"}
        }))
        .unwrap();
        assert_eq!(
            fixed.value(),
            Some(DiscountValue::Amount(Money::new(500, Currency::EUR)))
        );
        let percent: DiscountCodeInfo = serde_json::from_value(json!({
            "code": "SUMMER10", "kind": "percent", "percent_basis_points": 1000,
            "minimum": {"value": "30.00", "currency": "EUR"}
        }))
        .unwrap();
        assert_eq!(percent.value(), Some(DiscountValue::Percent(1_000)));
        // A kind without its value is not one the edge writes.
        let odd = DiscountCodeInfo {
            amount: None,
            ..fixed
        };
        assert_eq!(odd.value(), None);
    }

    #[test]
    fn free_shipping_stays_free_and_out_of_the_totals() {
        let catalog: CatalogFile = serde_json::from_value(json!({"currency": "EUR", "products": [
            {"sku": "lamp", "title": "Lamp", "unit_price": "50.00", "vat_rate": "20", "type": "good"}
        ]}))
        .unwrap();
        let catalog = catalog.validate().unwrap();
        let shipping: ShippingFile =
            serde_json::from_value(json!({"currency": "EUR", "free_above": "60.00",
            "zones": [{"name": "France", "countries": ["FR"], "price": "4.90", "vat_rate": "20"}]}))
            .unwrap();
        let shipping = shipping.validate(Currency::EUR).unwrap();
        let request: CheckoutRequest = serde_json::from_value(json!({
            "items": [{"sku": "lamp", "quantity": 2}],
            "customer": {"email": "a@example.com", "name": "A", "address":
                {"line1": "1 rue", "postal_code": "75002", "city": "Paris", "country": "FR"}}
        }))
        .unwrap();
        // 2 × 60.00 = 120.00, shipped free (above 60.00, before the code);
        // 50 % off: 60.00 = 50.00 net + 10.00.
        let order = request.validate_with(&catalog, &shipping).unwrap();
        assert_eq!(order.goods_gross(), Money::new(12_000, Currency::EUR));
        let order = order.with_discount("HALF", DiscountValue::Percent(5_000));
        assert!(order.shipping.as_ref().is_some_and(|q| q.free));
        assert_eq!(order.totals.gross.minor(), 6_000);
        assert_eq!(order.totals.net.minor(), 5_000);
        assert_eq!(order.totals.vat_by_rate.len(), 1);
        assert_eq!(order.totals.vat_by_rate[0].1.minor(), 1_000);
        let d = order.discount.as_ref().unwrap();
        assert_eq!((d.code.as_str(), d.amount.minor()), ("HALF", 6_000));
        assert_eq!(
            CheckoutDiscount::from(d),
            CheckoutDiscount {
                code: "HALF".into(),
                amount: Money::new(6_000, Currency::EUR).into()
            }
        );
    }
}
