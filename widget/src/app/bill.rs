//! A purchase priced for the shopper: the basket's lines with their
//! titles and prices, the shipping and the total, all from
//! `shared::order::PricedOrder` (the function the edge charges with), and
//! why it cannot be paid yet. Pure: host-tested.

use shared::discount::below_minimum;
use shared::order::{PricedOrder, ShippingLine};
use shared::shipping::Shipping;
use shared::{Basket, Currency, Money, Totals};

use crate::i18n::Msg;

use super::state::Prices;
use crate::edge::{Code, PriceList};

/// One basket line as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The SKU.
    pub(crate) sku: String,
    /// The catalog title (the SKU until the catalog is known).
    pub(crate) title: String,
    /// Units.
    pub(crate) quantity: u32,
    /// Gross price of one unit, when known.
    pub(crate) unit: Option<Money>,
    /// Gross price of the line, when known.
    pub(crate) total: Option<Money>,
    /// The catalog no longer sells this SKU.
    pub(crate) gone: bool,
    /// A good (shipped), once the catalog is known.
    pub(crate) good: bool,
}

/// The basket priced from the catalog with `shared`'s rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The lines, in basket order.
    pub(crate) lines: Vec<Line>,
    /// Totals of the lines still sold, once the catalog is known (and the
    /// total within the limit).
    pub(crate) totals: Option<Totals>,
    /// Units in the basket.
    pub(crate) count: u32,
    /// Some line is no longer sold.
    pub(crate) gone: bool,
}

/// Prices `basket` from `prices` (see [`bill`]), without shipping.
pub(crate) fn summarize(basket: &Basket, prices: &Prices) -> Summary {
    bill(basket, prices, "", None).summary
}

/// The shipping of a purchase, as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ship {
    /// Nothing to ship: services only, the merchant does not ship, or the
    /// prices are not known yet.
    None,
    /// Goods to ship to a country not chosen yet.
    Later,
    /// Free: the goods reach the threshold.
    Free,
    /// The shipping line's gross price.
    Cost(Money),
    /// The country chosen is not shipped to.
    Unshippable,
}

/// A purchase priced for the shopper: the goods, the shipping, the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bill {
    /// The lines and their totals (without shipping).
    pub(crate) summary: Summary,
    /// The shipping.
    pub(crate) ship: Ship,
    /// What the shopper pays, shipping included, when known.
    pub(crate) total: Option<Money>,
    /// The VAT in the total (the goods' and the shipping's), when known.
    pub(crate) tax: Option<Money>,
    /// What the discount code takes off the goods, when it applies (the
    /// goods' totals, the tax and the total are already lowered by it; the
    /// lines show their prices before it).
    pub(crate) discount: Option<Money>,
    /// The minimum the code needs and the goods do not reach (the code is
    /// then not applied).
    pub(crate) short: Option<Money>,
}

/// Prices `items` and their shipping to `country` (empty: not chosen yet)
/// with `shared::order::PricedOrder::price`, the function the edge prices
/// the checkout with, so the total shown is the one charged, to the cent.
/// A line no longer in the catalog is kept and flagged, and left out of the
/// totals, never silently dropped. A discount `code` is applied with
/// `PricedOrder::with_discount`, the edge's rule, once the goods are priced
/// and reach its minimum.
pub(crate) fn bill(items: &Basket, prices: &Prices, country: &str, code: Option<&Code>) -> Bill {
    let count = items.item_count();
    // Until the prices are known, the lines are priced from an empty list:
    // shown with their SKU, and nothing is totalled.
    let empty;
    let (list, ready) = match prices {
        Prices::Ready(list) => (list, true),
        _ => {
            empty = PriceList {
                currency: Currency::EUR,
                products: Vec::new(),
                shipping: None,
                extras: Default::default(),
                checkout: Default::default(),
            };
            (&empty, false)
        }
    };
    let none = Shipping::none(list.currency);
    let rules = list.shipping.as_ref().unwrap_or(&none);
    let lines = items
        .lines()
        .iter()
        .map(|l| (l.sku.as_str(), i64::from(l.quantity)));
    let mut order = PricedOrder::price(lines, list, rules, Some(country));
    let lines: Vec<Line> = order
        .lines
        .iter()
        .map(|l| {
            let product = list.get(&l.sku);
            Line {
                sku: l.sku.clone(),
                title: product.map_or_else(|| l.sku.clone(), |p| p.title.clone()),
                quantity: l.quantity,
                unit: product.map(|p| p.unit_gross),
                total: l.priced.map(|p| p.gross),
                gone: ready && product.is_none(),
                good: l.good(),
            }
        })
        .collect();
    let mut short = None;
    let mut discount = None;
    if let (Some(code), Some(goods), true) = (code, &order.goods, ready) {
        if below_minimum(goods.gross, code.minimum).is_some() {
            short = code.minimum;
        } else {
            discount = order.with_discount(code.value);
        }
    }
    let tax = order.vat().filter(|_| ready);
    let goods = order.goods.filter(|_| ready);
    let total = order.total.filter(|_| ready);
    let ship = match &order.shipping {
        // Above the maximum (or no prices yet): no shipping is shown.
        _ if goods.is_none() => Ship::None,
        ShippingLine::NotShipped | ShippingLine::Unpriced => Ship::None,
        ShippingLine::NeedsCountry { free: true } => Ship::Free,
        ShippingLine::NeedsCountry { free: false } => Ship::Later,
        ShippingLine::Quoted(quote) if quote.free => Ship::Free,
        ShippingLine::Quoted(quote) => Ship::Cost(quote.line.gross),
        ShippingLine::Unshippable => Ship::Unshippable,
    };
    let summary = Summary {
        count,
        gone: lines.iter().any(|l| l.gone),
        lines,
        totals: goods,
    };
    Bill {
        summary,
        ship,
        total,
        tax,
        discount,
        short,
    }
}

/// Why `summary` cannot be paid now, if it cannot: the error code and the
/// text. `basket`: the shopper's basket (its lines can be removed), not buy
/// now's item.
pub(crate) fn blocker(
    summary: &Summary,
    prices: &Prices,
    basket: bool,
) -> Option<(&'static str, Msg)> {
    Some(match prices {
        _ if summary.lines.is_empty() => ("empty_basket", Msg::Empty),
        Prices::Loading => ("catalog_loading", Msg::Loading),
        Prices::Failed(msg) => ("catalog_unavailable", *msg),
        _ if summary.gone && basket => ("unknown_sku", Msg::ErrRemoveGone),
        _ if summary.gone => ("unknown_sku", Msg::ErrGone),
        _ if summary.totals.is_none() => ("amount_too_large", Msg::ErrAmount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::{PriceList, Product};
    use shared::discount::DiscountValue;
    use shared::shipping::ShippingZone;
    use shared::{Currency, VatRate};

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    /// A mug (10.00 net, 12.00 gross) and an e-book (10.99 net at 5.5 %,
    /// 11.59 gross); France ships for 4.90 net (5.88 gross), free from
    /// 60.00 of goods.
    fn prices(ships: bool) -> Prices {
        let product = |sku: &str, net: i64, bp: u32, gross: i64, good: bool| Product {
            sku: sku.into(),
            title: sku.to_uppercase(),
            unit_net: eur(net),
            rate: VatRate::from_basis_points(bp).unwrap(),
            unit_gross: eur(gross),
            includes_vat: false,
            good,
        };
        let zone = ShippingZone {
            name: "France".into(),
            countries: vec!["FR".into()],
            price: eur(490),
            vat_rate: VatRate::from_basis_points(2000).unwrap(),
        };
        Prices::Ready(PriceList {
            currency: Currency::EUR,
            products: vec![
                product("mug", 1000, 2000, 1200, true),
                product("ebook", 1099, 550, 1159, false),
                product("bike", 2_000_000, 2000, 2_400_000, true),
            ],
            shipping: ships
                .then(|| Shipping::from_validated(Currency::EUR, vec![zone], Some(eur(6000)))),
            extras: Default::default(),
            checkout: Default::default(),
        })
    }

    fn basket(lines: &[(&str, u32)]) -> Basket {
        Basket::from_lines(lines.iter().copied()).unwrap()
    }

    #[test]
    fn goods_with_shipping_to_a_country() {
        let b = bill(
            &basket(&[("mug", 2), ("ebook", 1)]),
            &prices(true),
            "FR",
            None,
        );
        assert_eq!(b.ship, Ship::Cost(eur(588)));
        // 24.00 + 11.59 + 5.88
        assert_eq!(b.total, Some(eur(4147)));
        let goods = b.summary.totals.as_ref().unwrap();
        assert_eq!(goods.gross, eur(3559));
        assert_eq!(goods.net, eur(3099));
        let lines: Vec<(&str, Option<Money>, Option<Money>)> = b
            .summary
            .lines
            .iter()
            .map(|l| (l.title.as_str(), l.unit, l.total))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("MUG", Some(eur(1200)), Some(eur(2400))),
                ("EBOOK", Some(eur(1159)), Some(eur(1159)))
            ]
        );
        assert_eq!(b.summary.count, 3);
    }

    fn code(value: DiscountValue, minimum: Option<i64>) -> Code {
        Code {
            code: "C".into(),
            value,
            minimum: minimum.map(eur),
        }
    }

    #[test]
    fn a_code_lowers_the_goods_and_keeps_the_lines_and_the_shipping() {
        let items = basket(&[("mug", 2), ("ebook", 1)]);
        // 10 % of 35.59 = 3.559 -> 3.56, shared 2.40 and 1.16 (largest
        // remainder): the mugs 21.60 (18.00 net, 3.60 VAT), the e-book
        // 10.43 (9.89 net, 0.54 VAT), with 5.88 shipping (0.98 VAT).
        let ten = code(DiscountValue::Percent(1_000), None);
        let b = bill(&items, &prices(true), "FR", Some(&ten));
        assert_eq!(b.discount, Some(eur(356)));
        assert_eq!(b.short, None);
        assert_eq!(b.total, Some(eur(3791)));
        assert_eq!(b.tax, Some(eur(512)));
        let goods = b.summary.totals.as_ref().unwrap();
        assert_eq!((goods.net, goods.gross), (eur(2789), eur(3203)));
        let by_rate: Vec<(u32, Money)> = goods
            .vat_by_rate
            .iter()
            .map(|(r, m)| (r.basis_points(), *m))
            .collect();
        assert_eq!(by_rate, vec![(550, eur(54)), (2000, eur(360))]);
        // The lines keep their prices before the discount.
        let totals: Vec<Option<Money>> = b.summary.lines.iter().map(|l| l.total).collect();
        assert_eq!(totals, vec![Some(eur(2400)), Some(eur(1159))]);
        assert_eq!(b.ship, Ship::Cost(eur(588)));

        // 5.00 off from 30.00 of goods: 3.37 and 1.63 off the lines.
        let five = code(DiscountValue::Amount(eur(500)), Some(3000));
        let b = bill(&items, &prices(true), "FR", Some(&five));
        assert_eq!((b.discount, b.short), (Some(eur(500)), None));
        assert_eq!(b.total, Some(eur(3647)));
        assert_eq!(b.tax, Some(eur(494)));
        let goods = b.summary.totals.as_ref().unwrap();
        assert_eq!((goods.net, goods.gross), (eur(2663), eur(3059)));
        // One mug (12.00) is short of 30.00: nothing off, the minimum said.
        let b = bill(&basket(&[("mug", 1)]), &prices(true), "FR", Some(&five));
        assert_eq!((b.discount, b.short), (None, Some(eur(3000))));
        assert_eq!(b.total, Some(eur(1788)));
        // Until the prices are known nothing is applied or said.
        let b = bill(&items, &Prices::Loading, "FR", Some(&five));
        assert_eq!((b.discount, b.short, b.total), (None, None, None));
    }

    #[test]
    fn shipping_before_and_without_a_country() {
        let one = basket(&[("mug", 1)]);
        let later = bill(&one, &prices(true), "", None);
        assert_eq!((later.ship, later.total), (Ship::Later, None));
        let away = bill(&one, &prices(true), "DE", None);
        assert_eq!((away.ship, away.total), (Ship::Unshippable, None));
        // Five mugs reach 60.00: free wherever they go.
        let five = bill(&basket(&[("mug", 5)]), &prices(true), "", None);
        assert_eq!((five.ship, five.total), (Ship::Free, Some(eur(6000))));
        // Services only, or a merchant who does not ship: no shipping.
        // 2 × 10.99 = 21.98 net, 5.5 % VAT 1.2089 rounds to 1.21.
        let service = bill(&basket(&[("ebook", 2)]), &prices(true), "", None);
        assert_eq!((service.ship, service.total), (Ship::None, Some(eur(2319))));
        let no_rules = bill(&one, &prices(false), "", None);
        assert_eq!(
            (no_rules.ship, no_rules.total),
            (Ship::None, Some(eur(1200)))
        );
    }

    #[test]
    fn a_line_no_longer_sold_is_kept_and_left_out() {
        let b = summarize(&basket(&[("gone", 1), ("mug", 1)]), &prices(true));
        assert!(b.gone);
        assert!(b.lines[0].gone && b.lines[0].total.is_none());
        assert_eq!(b.lines[0].title, "gone");
        assert_eq!(b.totals.as_ref().map(|t| t.gross), Some(eur(1200)));
        assert_eq!(
            blocker(&b, &prices(true), true).map(|(code, _)| code),
            Some("unknown_sku")
        );
    }

    #[test]
    fn blockers() {
        let prices = prices(true);
        let empty = summarize(&Basket::new(), &prices);
        assert_eq!(
            blocker(&empty, &prices, true).map(|b| b.0),
            Some("empty_basket")
        );
        let one = basket(&[("mug", 1)]);
        let loading = summarize(&one, &Prices::Loading);
        assert_eq!(loading.lines[0].title, "mug");
        assert_eq!(
            blocker(&loading, &Prices::Loading, true).map(|b| b.0),
            Some("catalog_loading")
        );
        assert_eq!(blocker(&summarize(&one, &prices), &prices, true), None);
        // Three bikes: 72 000.00, above the 50 000.00 maximum.
        let bikes = summarize(&basket(&[("bike", 3)]), &prices);
        assert_eq!(bikes.totals, None);
        assert_eq!(bikes.lines[0].total, None);
        assert_eq!(
            blocker(&bikes, &prices, true).map(|b| b.0),
            Some("amount_too_large")
        );
    }
}
