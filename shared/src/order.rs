//! Pricing a basket into an order: the one rule the edge charges with and
//! the widget shows with.
//!
//! [`PricedOrder::price`] takes the items as sent (SKU and quantity, in
//! order), a [`PriceSource`] (the edge's [`Catalog`], the widget's copy of
//! `GET /v1/catalog`), the merchant's [`Shipping`] rules and the country the
//! goods go to, and
//!
//! 1. merges items with the same SKU (quantities add up, the line keeps the
//!    first item's position), within 1..=[`MAX_QUANTITY`] per line and at
//!    most [`MAX_LINES`] items;
//! 2. prices every line it can with [`crate::pricing`] (a SKU the source does
//!    not sell is kept as an unpriced line and reported);
//! 3. quotes the shipping of the goods ([`Shipping::quote`] on their gross
//!    total: free above the threshold) and adds it to the gross total, within
//!    [`MAX_AMOUNT_MINOR`].
//!
//! Problems are data ([`OrderProblem`]: a code and the item it is about), not
//! formatted messages, and nothing here uses serde or `Debug` formatting: the
//! widget runs this on every basket change, and string formatting would cost
//! its wasm kilobytes. The edge turns the problems into its 422 messages.

use crate::catalog::{Catalog, ProductKind};
use crate::limits::{MAX_AMOUNT_MINOR, MAX_LINES, MAX_QUANTITY};
use crate::money::{Currency, Money};
use crate::pricing::{price_lines_in, Line, PricedLine, Totals, UnitPrice};
use crate::shipping::{Shipping, ShippingQuote};
use crate::vat::VatRate;

/// What an order line costs, as a [`PriceSource`] knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemPrice {
    /// Net price of one unit.
    pub unit_net: Money,
    /// The VAT-inclusive price of one unit, when the price was given that
    /// way: the line then costs exactly this × the quantity
    /// ([`crate::pricing::UnitPrice::Gross`]).
    pub unit_gross: Option<Money>,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// A good (shipped), not a service.
    pub good: bool,
}

/// Where an order's prices come from: the edge's catalog, or the widget's
/// copy of it. Prices never come from the order itself.
pub trait PriceSource {
    /// The currency of every price.
    fn currency(&self) -> Currency;
    /// The price of `sku`, or `None` when it is not sold.
    fn price_of(&self, sku: &str) -> Option<ItemPrice>;
}

impl PriceSource for Catalog {
    fn currency(&self) -> Currency {
        Catalog::currency(self)
    }

    fn price_of(&self, sku: &str) -> Option<ItemPrice> {
        self.get(sku).map(|p| ItemPrice {
            unit_net: p.unit_price,
            unit_gross: p.unit_price_gross,
            vat_rate: p.vat_rate,
            good: p.kind == ProductKind::Good,
        })
    }
}

/// Something wrong with an order, as a code and the item it is about (the
/// index in the items as sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderProblem {
    /// No items at all (`empty_basket`).
    EmptyBasket,
    /// More than [`MAX_LINES`] items were sent (`too_many_lines`).
    TooManyLines {
        /// How many.
        count: usize,
    },
    /// The item's SKU is not sold (`unknown_sku`).
    UnknownSku {
        /// The item.
        item: usize,
    },
    /// The item's quantity, or the sum with an earlier item of the same SKU,
    /// is outside 1..=[`MAX_QUANTITY`] (`quantity_out_of_range`).
    QuantityOutOfRange {
        /// The item.
        item: usize,
        /// The quantity (the sum, when merged).
        quantity: i64,
        /// The earlier item of the same SKU, when merging broke the limit.
        merged_with: Option<usize>,
    },
    /// The gross total, shipping included, would be above
    /// [`MAX_AMOUNT_MINOR`] (`amount_too_large`).
    AmountTooLarge,
}

impl OrderProblem {
    /// The stable error code (see [`crate::codes`]).
    pub fn code(&self) -> &'static str {
        use crate::codes as e;
        match self {
            OrderProblem::EmptyBasket => e::EMPTY_BASKET,
            OrderProblem::TooManyLines { .. } => e::TOO_MANY_LINES,
            OrderProblem::UnknownSku { .. } => e::UNKNOWN_SKU,
            OrderProblem::QuantityOutOfRange { .. } => e::QUANTITY_OUT_OF_RANGE,
            OrderProblem::AmountTooLarge => e::AMOUNT_TOO_LARGE,
        }
    }
}

/// One line of the order: a SKU with its merged quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The SKU.
    pub sku: String,
    /// Units (merged over the items with this SKU).
    pub quantity: u32,
    /// The first item with this SKU, in the items as sent.
    pub item: usize,
    /// The price of one unit; `None` when the SKU is not sold.
    pub price: Option<ItemPrice>,
    /// The line priced; `None` when the SKU is not sold or the order's total
    /// is above the maximum.
    pub priced: Option<PricedLine>,
}

impl OrderLine {
    /// A good (shipped); false when the SKU is not sold.
    pub fn good(&self) -> bool {
        self.price.is_some_and(|p| p.good)
    }
}

/// The shipping of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShippingLine {
    /// Nothing to ship: no goods, or the merchant does not ship.
    NotShipped,
    /// Goods to ship, but no country yet. `free`: they ship free wherever
    /// they go (the goods reach the threshold).
    NeedsCountry {
        /// Free whatever the country.
        free: bool,
    },
    /// The shipping line (0.00 when free) for the country given.
    Quoted(ShippingQuote),
    /// The country given is not shipped to.
    Unshippable,
    /// Goods to ship whose total is above the maximum: no quote.
    Unpriced,
}

/// An order priced: its lines, totals, shipping and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    /// The currency of every amount.
    pub currency: Currency,
    /// One line per SKU, in the order SKUs first appear in the items.
    pub lines: Vec<OrderLine>,
    /// Totals of the priced lines, without shipping; `None` when above the
    /// maximum.
    pub goods: Option<Totals>,
    /// The shipping.
    pub shipping: ShippingLine,
    /// What the shopper pays, shipping included, when it is known (the
    /// goods are priced within the maximum, and the shipping is quoted, or
    /// free wherever it goes).
    pub total: Option<Money>,
    /// Everything wrong with the order, in item order; the amount last.
    pub problems: Vec<OrderProblem>,
}

impl PricedOrder {
    /// Prices `items` (SKU and quantity, as sent) from `source`, with the
    /// shipping of the goods to `country` (`None` or empty: not chosen yet).
    /// See the module docs.
    pub fn price<'a, S: PriceSource>(
        items: impl IntoIterator<Item = (&'a str, i64)>,
        source: &S,
        shipping: &Shipping,
        country: Option<&str>,
    ) -> PricedOrder {
        let currency = source.currency();
        let mut problems = Vec::new();
        let mut lines: Vec<OrderLine> = Vec::new();
        let mut count = 0;
        for (i, (sku, quantity)) in items.into_iter().enumerate() {
            count += 1;
            if count > MAX_LINES {
                continue;
            }
            let price = source.price_of(sku);
            if price.is_none() {
                problems.push(OrderProblem::UnknownSku { item: i });
            }
            let Some(q) = u32::try_from(quantity)
                .ok()
                .filter(|q| (1..=MAX_QUANTITY).contains(q))
            else {
                problems.push(OrderProblem::QuantityOutOfRange {
                    item: i,
                    quantity,
                    merged_with: None,
                });
                continue;
            };
            match lines.iter_mut().find(|l| l.sku == sku) {
                Some(line) => {
                    let sum = line.quantity + q;
                    if sum > MAX_QUANTITY {
                        problems.push(OrderProblem::QuantityOutOfRange {
                            item: i,
                            quantity: i64::from(sum),
                            merged_with: Some(line.item),
                        });
                    } else {
                        line.quantity = sum;
                    }
                }
                None => {
                    lines.push(OrderLine {
                        sku: sku.to_owned(),
                        quantity: q,
                        item: i,
                        price,
                        priced: None,
                    });
                }
            }
        }
        if count == 0 {
            problems.push(OrderProblem::EmptyBasket);
        } else if count > MAX_LINES {
            problems.clear();
            lines.clear();
            problems.push(OrderProblem::TooManyLines { count });
        }

        let inputs: Vec<Line> = lines
            .iter()
            .filter_map(|line| {
                line.price.map(|p| Line {
                    quantity: line.quantity,
                    price: p
                        .unit_gross
                        .map_or(UnitPrice::Net(p.unit_net), UnitPrice::Gross),
                    vat_rate: p.vat_rate,
                })
            })
            .collect();
        let goods = match price_lines_in(currency, &inputs) {
            Ok((priced, totals)) => {
                let mut priced = priced.into_iter();
                for line in lines.iter_mut() {
                    if line.price.is_some() {
                        line.priced = priced.next();
                    }
                }
                Some(totals)
            }
            Err(_) => None,
        };

        let mut too_large = goods.is_none();
        let country = country.filter(|c| !c.is_empty());
        let goods_gross = goods.as_ref().and_then(|_| {
            let gross = lines.iter().filter(|l| l.good()).filter_map(|l| l.priced);
            Money::sum(currency, gross.map(|p| p.gross)).ok()
        });
        let (shipping, total) = match (goods_gross, country) {
            _ if !lines.iter().any(|l| l.good()) || !shipping.ships() => {
                (ShippingLine::NotShipped, goods.as_ref().map(|t| t.gross))
            }
            (_, Some(country)) if shipping.zone_for(country).is_none() => {
                (ShippingLine::Unshippable, None)
            }
            (None, _) => (ShippingLine::Unpriced, None),
            (Some(goods_gross), None) => {
                let free = shipping.is_free(goods_gross);
                let total = goods.as_ref().filter(|_| free).map(|t| t.gross);
                (ShippingLine::NeedsCountry { free }, total)
            }
            (Some(goods_gross), Some(country)) => {
                match (shipping.quote(country, goods_gross), &goods) {
                    (Ok(quote), Some(totals)) => {
                        // A free line is not added (it is 0.00).
                        let total = if quote.free {
                            Some(totals.gross)
                        } else {
                            totals.gross_with(&quote.line).ok()
                        };
                        too_large |= total.is_none();
                        (ShippingLine::Quoted(quote), total)
                    }
                    _ => {
                        too_large = true;
                        (ShippingLine::Unpriced, None)
                    }
                }
            }
        };
        if too_large && !lines.is_empty() {
            problems.push(OrderProblem::AmountTooLarge);
        }
        PricedOrder {
            currency,
            lines,
            goods,
            shipping,
            total,
            problems,
        }
    }

    /// True if some line is a good.
    pub fn has_goods(&self) -> bool {
        self.lines.iter().any(|l| l.good())
    }

    /// The totals with the shipping line in them (its net, VAT and rate in
    /// the breakdown), for the order the edge records and sends to Qonto;
    /// `None` when the goods are not priced or the sum is above the maximum.
    /// (The widget shows the gross [`PricedOrder::total`] only: the
    /// breakdown's rebuild costs its wasm ~4 KB.)
    pub fn totals(&self) -> Option<Totals> {
        let goods = self.goods.clone()?;
        match &self.shipping {
            ShippingLine::Quoted(quote) if !quote.free => goods.with_line(&quote.line).ok(),
            _ => Some(goods),
        }
    }

    /// The VAT in [`PricedOrder::total`]: the goods' and the shipping
    /// line's, the sum [`PricedOrder::totals`] gives as its `vat`, without
    /// building its breakdown (the widget's analytics report it as `tax`);
    /// `None` while the total is not known.
    pub fn vat(&self) -> Option<Money> {
        self.total?;
        let goods = self.goods.as_ref()?;
        let shipping = match &self.shipping {
            ShippingLine::Quoted(quote) if !quote.free => quote.line.vat.minor(),
            _ => 0,
        };
        Some(Money::new(goods.vat.minor() + shipping, self.currency))
    }

    /// Applies a discount code worth `value` to the priced lines
    /// ([`crate::discount::apply`], the rule the edge charges with): each
    /// line re-priced for its lowered total, the goods' totals and the
    /// total lowered by what the lines lost, the shipping as it was quoted
    /// (on the goods before the discount). Returns that amount; `None`
    /// (and the order unchanged) while the goods are not priced.
    pub fn with_discount(&mut self, value: crate::discount::DiscountValue) -> Option<Money> {
        self.goods.as_ref()?;
        let priced = self.lines.iter_mut().filter_map(|l| l.priced.as_mut());
        let off = crate::discount::apply_to(value, priced);
        let lines = self.lines.iter().filter_map(|l| l.priced);
        self.goods = Some(Totals::of_lines(self.currency, lines));
        self.total = self
            .total
            .map(|t| Money::new(t.minor() - off.minor(), self.currency));
        Some(off)
    }

    /// The maximum gross total, in the order's currency (for messages).
    pub fn max_amount(&self) -> Money {
        Money::new(MAX_AMOUNT_MINOR, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Product;
    use crate::shipping::ShippingZone;

    const EUR: Currency = Currency::EUR;

    fn eur(minor: i64) -> Money {
        Money::new(minor, EUR)
    }

    fn catalog() -> Catalog {
        let product = |sku: &str, minor: i64, bp: u32, kind: ProductKind| Product {
            sku: sku.into(),
            title: sku.to_uppercase(),
            description: None,
            unit_price: eur(minor),
            vat_rate: VatRate::from_basis_points(bp).unwrap(),
            kind,
            image_url: None,
            unit_price_gross: None,
            variant: None,
        };
        Catalog::new(
            EUR,
            vec![
                product("mug", 1000, 2000, ProductKind::Good), // 12.00 gross
                product("ebook", 1099, 550, ProductKind::Service), // 11.59 gross
                product("bike", 2_000_000, 2000, ProductKind::Good), // 24 000.00 gross
            ],
        )
        .unwrap()
    }

    /// France 4.90 net at 20 % (5.88 gross), free from 60.00 of goods.
    fn shipping() -> Shipping {
        Shipping::new(
            EUR,
            vec![ShippingZone {
                name: "France".into(),
                countries: vec!["FR".into()],
                price: eur(490),
                vat_rate: VatRate::from_basis_points(2000).unwrap(),
            }],
            Some(eur(6000)),
        )
        .unwrap()
    }

    fn price(items: &[(&str, i64)], country: Option<&str>) -> PricedOrder {
        PricedOrder::price(items.iter().copied(), &catalog(), &shipping(), country)
    }

    #[test]
    fn merges_prices_and_ships() {
        let order = price(&[("mug", 2), ("ebook", 1), ("mug", 1)], Some("FR"));
        assert_eq!(order.problems, vec![]);
        let lines: Vec<(&str, u32, usize)> = order
            .lines
            .iter()
            .map(|l| (l.sku.as_str(), l.quantity, l.item))
            .collect();
        assert_eq!(lines, vec![("mug", 3, 0), ("ebook", 1, 1)]);
        // 36.00 + 11.59 of goods and service, 5.88 of shipping.
        assert_eq!(order.goods.as_ref().map(|t| t.gross), Some(eur(4759)));
        assert!(
            matches!(&order.shipping, ShippingLine::Quoted(q) if !q.free && q.line.gross == eur(588))
        );
        assert_eq!(order.total, Some(eur(5347)));
        let totals = order.totals().unwrap();
        assert_eq!(totals.gross, eur(5347));
        assert_eq!(totals.net, eur(3000 + 1099 + 490));
        // 6.00 on the mugs, 0.60 on the e-book, 0.98 on the shipping.
        assert_eq!(order.vat(), Some(eur(600 + 60 + 98)));
        assert_eq!(order.vat(), Some(totals.vat));
    }

    #[test]
    fn the_vat_is_known_with_the_total() {
        // Free shipping carries no VAT: the goods' 10.00 only.
        assert_eq!(price(&[("mug", 5)], Some("FR")).vat(), Some(eur(1000)));
        assert_eq!(price(&[("mug", 5)], None).vat(), Some(eur(1000)));
        // No country yet, or one not shipped to: no total, no VAT.
        assert_eq!(price(&[("mug", 1)], Some("")).vat(), None);
        assert_eq!(price(&[("mug", 1)], Some("DE")).vat(), None);
        assert_eq!(price(&[("ebook", 1)], Some("DE")).vat(), Some(eur(60)));
    }

    #[test]
    fn shipping_outcomes() {
        // Free from 60.00 of goods (5 mugs = 60.00), before a country too.
        let free = price(&[("mug", 5)], None);
        assert_eq!(free.shipping, ShippingLine::NeedsCountry { free: true });
        assert_eq!(free.total, Some(eur(6000)));
        let later = price(&[("mug", 1)], Some(""));
        assert_eq!(later.shipping, ShippingLine::NeedsCountry { free: false });
        assert_eq!(later.total, None);
        let away = price(&[("mug", 1)], Some("DE"));
        assert_eq!(away.shipping, ShippingLine::Unshippable);
        assert_eq!(away.total, None);
        let quoted_free = price(&[("mug", 5)], Some("FR"));
        assert!(matches!(&quoted_free.shipping, ShippingLine::Quoted(q) if q.free));
        assert_eq!(quoted_free.total, Some(eur(6000)));
        // Services only: nothing shipped, whatever the country.
        let service = price(&[("ebook", 1)], Some("DE"));
        assert_eq!(service.shipping, ShippingLine::NotShipped);
        assert_eq!(service.total, Some(eur(1159)));
        assert!(!service.has_goods());
        // A merchant who does not ship.
        let none = PricedOrder::price([("mug", 1)], &catalog(), &Shipping::none(EUR), Some("DE"));
        assert_eq!(none.shipping, ShippingLine::NotShipped);
        assert_eq!(none.total, Some(eur(1200)));
    }

    #[test]
    fn problems_are_codes_with_items() {
        let order = price(&[("ghost", 1), ("mug", 0), ("mug", 998), ("mug", 2)], None);
        assert_eq!(
            order.problems,
            vec![
                OrderProblem::UnknownSku { item: 0 },
                OrderProblem::QuantityOutOfRange {
                    item: 1,
                    quantity: 0,
                    merged_with: None
                },
                OrderProblem::QuantityOutOfRange {
                    item: 3,
                    quantity: 1000,
                    merged_with: Some(2)
                },
            ]
        );
        // The unknown line is kept, unpriced, out of the totals.
        assert_eq!(order.lines[0].priced, None);
        assert_eq!(order.goods.as_ref().map(|t| t.gross), Some(eur(998 * 1200)));
        let codes: Vec<&str> = order.problems.iter().map(OrderProblem::code).collect();
        assert_eq!(
            codes,
            [
                "unknown_sku",
                "quantity_out_of_range",
                "quantity_out_of_range"
            ]
        );
        assert_eq!(price(&[], None).problems, vec![OrderProblem::EmptyBasket]);
        let many: Vec<(&str, i64)> = (0..=MAX_LINES).map(|_| ("mug", 1)).collect();
        assert_eq!(
            price(&many, None).problems,
            vec![OrderProblem::TooManyLines { count: 101 }]
        );
    }

    #[test]
    fn the_maximum_holds_with_shipping() {
        // Two bikes: 48 000.00; with three mugs 48 036.00, under 50 000.00.
        let ok = price(&[("bike", 2), ("mug", 3)], Some("FR"));
        assert_eq!(ok.problems, vec![]);
        assert_eq!(ok.total, Some(eur(4_803_600)));
        let over = price(&[("bike", 3)], Some("FR"));
        assert_eq!(over.problems, vec![OrderProblem::AmountTooLarge]);
        assert_eq!((over.goods.clone(), over.total), (None, None));
        assert_eq!(over.shipping, ShippingLine::Unpriced);
        // Unshippable is said even when the amount is too large.
        let away = price(&[("bike", 3)], Some("DE"));
        assert_eq!(away.shipping, ShippingLine::Unshippable);
        assert!(over.lines.iter().all(|l| l.priced.is_none()));
        assert_eq!(over.max_amount(), eur(5_000_000));
    }

    #[test]
    fn a_discount_lowers_the_lines_and_keeps_the_shipping() {
        use crate::discount::DiscountValue;
        // 2 mugs (24.00 at 20 %) and an e-book (11.59 at 5.5 %) to France
        // (5.88). 10 % of 35.59 is 3.559, half-up 3.56; the mug's exact
        // share is 2.4006 (2.40), the e-book's 1.1593 (1.15), and the cent
        // left goes to the larger remainder: the e-book, 1.16. The mugs
        // cost 21.60 = 18.00 net + 3.60; the e-book 10.43 = 9.89 net + 0.54
        // (9.89 × 5.5 % = 0.54395).
        let mut order = price(&[("mug", 2), ("ebook", 1)], Some("FR"));
        assert_eq!(
            order.with_discount(DiscountValue::Percent(1_000)),
            Some(eur(356))
        );
        let gross: Vec<Option<Money>> = order
            .lines
            .iter()
            .map(|l| l.priced.map(|p| p.gross))
            .collect();
        assert_eq!(gross, vec![Some(eur(2160)), Some(eur(1043))]);
        let goods = order.goods.clone().unwrap();
        assert_eq!(
            (goods.net, goods.vat, goods.gross),
            (eur(2789), eur(414), eur(3203))
        );
        assert_eq!(goods.vat_by_rate.len(), 2);
        assert_eq!(goods.vat_by_rate[0].1, eur(54));
        assert_eq!(goods.vat_by_rate[1].1, eur(360));
        // The shipping is quoted on 35.59 and stays 5.88 (0.98 of VAT).
        assert_eq!(order.total, Some(eur(3791)));
        assert_eq!(order.vat(), Some(eur(512)));
        // A fixed 5.00 before a country is chosen: no total yet.
        let mut later = price(&[("mug", 1)], None);
        assert_eq!(
            later.with_discount(DiscountValue::Amount(eur(500))),
            Some(eur(500))
        );
        assert_eq!(later.goods.as_ref().map(|g| g.gross), Some(eur(700)));
        assert_eq!(later.total, None);
        // Nothing is priced above the maximum: nothing is taken off.
        let mut over = price(&[("bike", 3)], Some("FR"));
        assert_eq!(over.with_discount(DiscountValue::Percent(1_000)), None);
        assert_eq!(over.goods, None);
    }
}
