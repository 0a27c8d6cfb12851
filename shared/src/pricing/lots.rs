//! VAT-inclusive prices charged through Qonto's net-priced items: the lots.
//!
//! A shopper who sees 19.90 (VAT included) and takes 3 must pay exactly
//! 59.70. Qonto items carry a **net** unit price with two decimals, and Qonto
//! computes the gross itself, item by item: `net = unit × quantity`, `VAT =
//! round_half_up(net × rate)` (the rule of [`super`], which the example in
//! Qonto's docs follows). One item at one net price cannot always hit the
//! total: at 20 %, 3 × 16.58 = 49.74 gives 59.69 and 3 × 16.59 = 49.77 gives
//! 59.72.
//!
//! So a basket line of `q` units at the gross price `G` is sent as a few
//! **lots** of the same product (one Qonto item each, same title), whose
//! quantities sum to `q` and whose Qonto gross is exactly `T = G × q`:
//!
//! 1. **Two lots one cent apart**: `q − b` units at the net `n` and `b` at
//!    `n + 0.01` (`0 ≤ b < q`). Every total net `N` is one such pair (`n = N
//!    div q`, `b = N mod q`), and Qonto's gross of it is `N + N·r + e` with
//!    `|e| ≤ 1` cent (two roundings of at most ½ each), so only a net within
//!    one cent of `N* = T / (1 + r)` can work: the five integers around
//!    `round(N*)`, which [`split`] tries closest first. That search is
//!    complete for this form, and the line's VAT (`T − N`) is then the VAT
//!    part of `T` within a cent.
//! 2. When no such pair exists (2 × 19.90 at 20 %: 33.16 net gives 39.79,
//!    33.17 gives 39.81), **the same for `q − 1` units plus one unit on its
//!    own**: for each of the seven nets closest to `(q − 1) × G / (1 + r)`,
//!    the remainder `R = T − gross(first q − 1 units)` is tried as one unit
//!    (form 1 with `q = 1`). At most three items.
//!
//! Not every gross price is possible. A single unit is a single item: at
//! 20 %, 0.02 net gives 0.02 and 0.03 net gives 0.04, so 0.03 can never be
//! charged. [`first_impossible_quantity`] finds the smallest basket
//! quantity (1..=[`MAX_QUANTITY`], within [`MAX_AMOUNT_MINOR`]) for which a
//! price has no split; the catalog check refuses such a price, so a catalog
//! product has lots for every quantity a basket can hold. Every lot costs
//! at least 0.01 a unit, so a price of a few cents can be refused for some
//! quantity. (Checked exhaustively for every price from 0.10 to 25.00 that
//! one unit can carry, at 2.1, 5.5, 8.5, 10, 20 and 21 %, for every quantity
//! up to 999, and for 1 000.00 to 1 008.00 up to the basket maximum: form 2
//! always found lots where form 1 did not. The check stays, as it is cheap.)

use crate::limits::{MAX_AMOUNT_MINOR, MAX_QUANTITY};
use crate::money::{Currency, Money};
use crate::vat::{VatRate, MAX_BASIS_POINTS};

use super::vat_for;

/// Units of one product at one net unit price: one Qonto item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lot {
    /// Number of units (at least 1).
    pub quantity: u32,
    /// Net price of one unit, in cents.
    pub unit_net: Money,
}

impl Lot {
    /// Qonto's gross of this item at `rate`: its net plus its VAT rounded
    /// half-up.
    fn gross_minor(&self, rate: VatRate) -> i64 {
        let net = Money::new(
            self.unit_net
                .minor()
                .saturating_mul(i64::from(self.quantity)),
            self.unit_net.currency(),
        );
        net.minor().saturating_add(vat_for(net, rate).minor())
    }
}

/// Most lots one line is sent as.
const MAX_LOTS: usize = 3;

/// The Qonto items of one basket line: one to three lots whose quantities
/// sum to the line's (see the module docs). Stored compactly (it sits in
/// every priced line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lots {
    currency: Currency,
    len: u8,
    quantities: [u32; MAX_LOTS],
    nets: [i64; MAX_LOTS],
}

impl Lots {
    /// A single lot (a net-priced line is always sent as one).
    pub fn one(quantity: u32, unit_net: Money) -> Lots {
        Lots {
            currency: unit_net.currency(),
            len: 1,
            quantities: [quantity, 0, 0],
            nets: [unit_net.minor(), 0, 0],
        }
    }

    fn push(&mut self, lot: Lot) {
        let i = usize::from(self.len);
        if let (Some(q), Some(n)) = (self.quantities.get_mut(i), self.nets.get_mut(i)) {
            *q = lot.quantity;
            *n = lot.unit_net.minor();
            self.len += 1;
        }
    }

    fn lot(&self, i: usize) -> Lot {
        Lot {
            quantity: self.quantities[i],
            unit_net: Money::new(self.nets[i], self.currency),
        }
    }

    /// The first lot.
    pub fn first(&self) -> Lot {
        self.lot(0)
    }

    /// The lots, in order: one Qonto item each.
    pub fn iter(&self) -> impl Iterator<Item = Lot> + '_ {
        (0..usize::from(self.len)).map(|i| self.lot(i))
    }

    /// Number of lots (1 to 3).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Never true: there is at least one lot.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total net of the lots (what Qonto adds before VAT).
    pub fn net_minor(&self) -> i64 {
        self.iter()
            .map(|l| l.unit_net.minor().saturating_mul(i64::from(l.quantity)))
            .fold(0i64, i64::saturating_add)
    }

    /// Qonto's gross of the lots at `rate`: the sum of each item's net plus
    /// its VAT rounded half-up.
    pub fn gross_minor(&self, rate: VatRate) -> i64 {
        self.iter()
            .map(|l| l.gross_minor(rate))
            .fold(0i64, i64::saturating_add)
    }
}

/// Nets closest to `target / (1 + r)` first, `spread` (at most 3) on each
/// side of the rounded value; negative ones left out. With `x` the exact
/// net and `n = round(x)`, `|x − n| ≤ ½`, so the order `n, n ± 1, n ∓ 1,
/// n ± 2, …` (first towards `x`) is by distance. No allocation and no
/// sorting: this runs for every quantity of every VAT-inclusive price when
/// the Worker loads its catalog, and in the widget.
fn nets_around(target: i64, rate: VatRate, spread: i64) -> impl Iterator<Item = i64> {
    // All in i64: `target` is within the basket maximum, so these products
    // stay far below 2^63 (and the widget's wasm needs no 128-bit division).
    let scale = i64::from(MAX_BASIS_POINTS);
    let denominator = scale + i64::from(rate.basis_points());
    // round(target × 10000 / (10000 + bp)), half up (all positive).
    let nearest = (2 * target * scale + denominator) / (2 * denominator);
    // Towards the exact net first: +1 when it lies above `nearest`.
    let towards = if target * scale > nearest * denominator {
        1
    } else {
        -1
    };
    let count = usize::try_from(2 * spread.clamp(0, 3) + 1).unwrap_or(1);
    [0i64, 1, -1, 2, -2, 3, -3]
        .into_iter()
        .take(count)
        .map(move |k| nearest + k * towards)
        .filter(|n| *n >= 0)
}

/// Form 1: `quantity` (≥ 1) units at a total net of `total_net` as two lots
/// one cent apart (or one lot).
fn adjacent(total_net: i64, quantity: u32, unit_gross: Money) -> Option<Lots> {
    let q = i64::from(quantity);
    let n = total_net / q;
    let b = u32::try_from(total_net % q).ok()?;
    let currency = unit_gross.currency();
    let mut lots = Lots::one(quantity - b, Money::new(n, currency));
    if b > 0 {
        lots.push(Lot {
            quantity: b,
            unit_net: Money::new(n + 1, currency),
        });
    }
    Some(lots)
}

/// Form 1 for exactly `target` cents, every unit at 0.01 or more (an item
/// at 0.00 is not something to show a payer, or to count on Qonto taking).
fn split_adjacent(target: i64, quantity: u32, rate: VatRate, unit_gross: Money) -> Option<Lots> {
    nets_around(target, rate, 2).find_map(|net| {
        adjacent(net, quantity, unit_gross)
            .filter(|lots| lots.first().unit_net.minor() > 0 && lots.gross_minor(rate) == target)
    })
}

/// The lots whose Qonto gross at `rate` is exactly `unit_gross × quantity`
/// (see the module docs for the two forms tried, in order). `None`: none
/// found (or the quantity is 0, the price not positive, or the total above
/// the basket maximum [`MAX_AMOUNT_MINOR`]).
pub fn split(unit_gross: Money, quantity: u32, rate: VatRate) -> Option<Lots> {
    let target = unit_gross.minor().checked_mul(i64::from(quantity))?;
    if quantity == 0 || unit_gross.minor() <= 0 || target > MAX_AMOUNT_MINOR {
        return None;
    }
    if let Some(lots) = split_adjacent(target, quantity, rate, unit_gross) {
        return Some(lots);
    }
    if quantity == 1 {
        return None;
    }
    let rest = quantity - 1;
    let rest_target = unit_gross.minor() * i64::from(rest);
    nets_around(rest_target, rate, 3).find_map(|net| {
        let mut lots =
            adjacent(net, rest, unit_gross).filter(|l| l.first().unit_net.minor() > 0)?;
        let remainder = target - lots.gross_minor(rate);
        let last = split_adjacent(remainder, 1, rate, unit_gross)?;
        lots.push(last.first());
        Some(lots)
    })
}

/// The lots whose Qonto gross at `rate` is exactly `total` for `quantity`
/// units, when `total` need not be a multiple of the quantity (a line
/// lowered by a discount): the same two forms as [`split`], the `q − 1`
/// units of form 2 aimed at their proportional part of `total`, every
/// unit at 0.01 net or more. `None`: none found (or the quantity is 0, the
/// total not positive or above the basket maximum [`MAX_AMOUNT_MINOR`]).
pub fn split_total(total: Money, quantity: u32, rate: VatRate) -> Option<Lots> {
    let target = total.minor();
    if quantity == 0 || target <= 0 || target > MAX_AMOUNT_MINOR {
        return None;
    }
    if let Some(lots) = split_adjacent(target, quantity, rate, total) {
        return Some(lots);
    }
    if quantity == 1 {
        return None;
    }
    let rest = quantity - 1;
    // Within the basket maximum × 999: far below 2^63.
    let rest_target = target * i64::from(rest) / i64::from(quantity);
    nets_around(rest_target, rate, 3).find_map(|net| {
        let mut lots = adjacent(net, rest, total).filter(|l| l.first().unit_net.minor() > 0)?;
        let remainder = target - lots.gross_minor(rate);
        let last = split_adjacent(remainder, 1, rate, total)?;
        lots.push(last.first());
        Some(lots)
    })
}

/// The net unit price that makes one unit cost exactly `unit_gross`
/// (`None` if there is none): the catalog's net price of a VAT-inclusive
/// product, as `GET /v1/catalog` shows it.
pub fn unit_net_for_gross(unit_gross: Money, rate: VatRate) -> Option<Money> {
    split(unit_gross, 1, rate).map(|lots| lots.first().unit_net)
}

/// The smallest quantity a basket may hold (1..=[`MAX_QUANTITY`], with
/// `unit_gross × quantity` within [`MAX_AMOUNT_MINOR`]) for which
/// `unit_gross` at `rate` has no [`split`]; `None` when every such quantity
/// has one, so the price can always be charged to the cent.
pub fn first_impossible_quantity(unit_gross: Money, rate: VatRate) -> Option<u32> {
    if unit_gross.minor() <= 0 {
        return Some(1);
    }
    (1..=MAX_QUANTITY)
        .take_while(|&q| unit_gross.minor().saturating_mul(i64::from(q)) <= MAX_AMOUNT_MINOR)
        .find(|&q| split(unit_gross, q, rate).is_none())
}

/// The one-unit gross prices nearest to `unit_gross` (below, above) that
/// can be charged for any quantity, for the catalog's explanation of a
/// refused price.
pub fn nearest_possible(unit_gross: Money, rate: VatRate) -> (Option<Money>, Option<Money>) {
    let currency = unit_gross.currency();
    let ok = |g: i64| {
        let m = Money::new(g, currency);
        first_impossible_quantity(m, rate).is_none().then_some(m)
    };
    let g = unit_gross.minor();
    let below = (1..=20)
        .filter_map(|d| g.checked_sub(d))
        .filter(|&x| x > 0)
        .find_map(ok);
    let above = (1..=20).filter_map(|d| g.checked_add(d)).find_map(ok);
    (below, above)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn rate(bp: u32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap()
    }

    fn lots(split: Option<Lots>) -> Option<Vec<(u32, i64)>> {
        split.map(|l| l.iter().map(|l| (l.quantity, l.unit_net.minor())).collect())
    }

    #[test]
    fn split_table() {
        // (gross, quantity, rate bp, expected lots (quantity, unit net)).
        // Each checked by hand: Σ (lot net + round_half_up(lot net × rate)).
        type Case = (i64, u32, u32, Option<&'static [(u32, i64)]>);
        let cases: &[Case] = &[
            // 16.58 + 3.32 (3.316) = 19.90
            (1990, 1, 2000, Some(&[(1, 1658)])),
            // 3 × 16.58 = 49.74 + 9.95 (9.948) = 59.69 ✗; 2 × 16.58 = 33.16 + 6.63
            // (6.632) = 39.79, plus 16.59 + 3.32 (3.318) = 19.91: 59.70 ✓
            (1990, 3, 2000, Some(&[(2, 1658), (1, 1659)])),
            // 2 × 19.90: 33.16 → 39.79 and 16.58 + 16.59 → 39.81, so form 2:
            // 16.58 → 19.90, plus one unit of 19.90 (16.58): 39.80
            (1990, 2, 2000, Some(&[(1, 1658), (1, 1658)])),
            // 12.00 at 20 %: exactly 10.00 net, any quantity.
            (1200, 7, 2000, Some(&[(7, 1000)])),
            // 0 %: the gross is the net.
            (1000, 999, 0, Some(&[(999, 1000)])),
            // 11.59 at 5.5 %: 10.99 + 0.60 (0.60445).
            (1159, 1, 550, Some(&[(1, 1099)])),
            // 10.21 at 2.1 %: 10.00 + 0.21, 4 × 10.00 = 40.00 + 0.84 = 40.84.
            (1021, 4, 210, Some(&[(4, 1000)])),
            // 0.03 at 20 %: 0.02 → 0.02, 0.03 → 0.04 (0.006 → 0.01), so never.
            (3, 1, 2000, None),
            (0, 1, 2000, None),
            (1990, 0, 2000, None),
        ];
        for &(gross, q, bp, expected) in cases {
            let got = lots(split(eur(gross), q, rate(bp)));
            assert_eq!(got, expected.map(<[_]>::to_vec), "{gross} × {q} at {bp}");
        }
    }

    #[test]
    fn every_split_lands_and_is_well_formed() {
        // Every gross price from 0.01 to 40.00 and a spread of quantities at
        // common rates: Qonto's per-item computation of the lots gives
        // exactly gross × quantity, the lots sum to the quantity, and the
        // VAT is within 2 cents of the exact VAT part. And a price one unit
        // can carry gets lots for each of these quantities.
        for bp in [0, 210, 550, 1000, 2000, 2100] {
            for gross in 1..=4000i64 {
                let one_unit = unit_net_for_gross(eur(gross), rate(bp)).is_some();
                for q in [1u32, 2, 3, 7, 10, 99, 250, 999] {
                    if gross * i64::from(q) > MAX_AMOUNT_MINOR {
                        continue;
                    }
                    let found = split(eur(gross), q, rate(bp));
                    // (A price of a few cents may need a unit at 0.00, refused.)
                    assert!(
                        found.is_some() || !one_unit || gross < 10,
                        "{gross} × {q} at {bp}"
                    );
                    let Some(s) = found else { continue };
                    let target = gross * i64::from(q);
                    assert_eq!(s.gross_minor(rate(bp)), target, "{gross} × {q} at {bp}");
                    assert_eq!(s.iter().map(|l| l.quantity).sum::<u32>(), q);
                    assert!(s.iter().all(|l| l.quantity >= 1 && l.unit_net.minor() >= 1));
                    assert!((1..=MAX_LOTS).contains(&s.len()) && !s.is_empty());
                    let vat = i128::from(target - s.net_minor());
                    let denom = i128::from(10_000 + bp);
                    // |VAT − T·r/(1+r)| ≤ 2 cents
                    assert!(
                        (vat * denom - i128::from(target) * i128::from(bp)).abs() <= 2 * denom,
                        "{gross} × {q} at {bp}: VAT {vat}"
                    );
                }
            }
        }
    }

    #[test]
    fn two_lots_one_cent_apart_are_searched_completely() {
        // A brute-force search over every pair of lots one cent apart finds
        // one exactly when form 1 does (small prices and quantities).
        for bp in [550, 2000] {
            for gross in 1..=300i64 {
                for q in 1..=6u32 {
                    let target = gross * i64::from(q);
                    // Every unit at 0.01 or more: a total net of at least q.
                    let brute = (i64::from(q)..=gross * i64::from(q)).any(|net| {
                        adjacent(net, q, eur(gross))
                            .is_some_and(|l| l.gross_minor(rate(bp)) == target)
                    });
                    let form1 = split_adjacent(target, q, rate(bp), eur(gross));
                    assert_eq!(brute, form1.is_some(), "{gross} × {q} at {bp}");
                }
            }
        }
    }

    #[test]
    fn split_total_lands_on_any_total() {
        // Totals that are not a multiple of the quantity: Qonto's gross of
        // the lots is the total, the quantities add up, every unit at 0.01
        // net or more; a multiple gives what `split` gives.
        for bp in [0, 210, 550, 1000, 2000, 2100] {
            for total in (1..=3000i64).chain([99_999, 1_234_567]) {
                for q in [1u32, 2, 3, 7, 50] {
                    if total < i64::from(q) {
                        continue;
                    }
                    let Some(s) = split_total(eur(total), q, rate(bp)) else {
                        // Only a single unit, or units of a few cents
                        // (every unit keeps 0.01 net), can miss.
                        assert!(
                            q == 1 || total < 10 * i64::from(q),
                            "{total} over {q} at {bp}"
                        );
                        continue;
                    };
                    assert!(s.iter().all(|l| l.unit_net.minor() > 0));
                    assert_eq!(s.gross_minor(rate(bp)), total, "{total} × {q} at {bp}");
                    assert_eq!(s.iter().map(|l| l.quantity).sum::<u32>(), q);
                }
            }
        }
        assert_eq!(
            lots(split_total(eur(5970), 3, rate(2000))),
            lots(split(eur(1990), 3, rate(2000)))
        );
        // 0.03 at 20 % is still impossible for one unit.
        assert_eq!(split_total(eur(3), 1, rate(2000)), None);
        assert_eq!(split_total(eur(0), 1, rate(2000)), None);
        assert_eq!(split_total(eur(100), 0, rate(2000)), None);
    }

    #[test]
    fn impossible_prices_are_found() {
        // 19.90 at 20 % works for every basket quantity.
        assert_eq!(first_impossible_quantity(eur(1990), rate(2000)), None);
        assert_eq!(unit_net_for_gross(eur(1990), rate(2000)), Some(eur(1658)));
        // 0.03 at 20 %: not even one unit.
        assert_eq!(first_impossible_quantity(eur(3), rate(2000)), Some(1));
        assert_eq!(unit_net_for_gross(eur(3), rate(2000)), None);
        assert_eq!(
            nearest_possible(eur(3), rate(2000)),
            (Some(eur(2)), Some(eur(4)))
        );
        assert_eq!(first_impossible_quantity(eur(0), rate(2000)), Some(1));
        // At 0 % every price is its own net.
        assert_eq!(first_impossible_quantity(eur(1), VatRate::ZERO), None);
    }
}
