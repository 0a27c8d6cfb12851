//! Discount codes: what a code takes off a basket, and how that amount is
//! spread over the basket's lines.
//!
//! Qonto's payment-link items have no discount field and a negative line is
//! undocumented, so a discount is expressed in the prices themselves: each
//! goods line's gross total is lowered by its share, and the lines are then
//! charged like VAT-inclusive ones (their VAT is the VAT part of the lowered
//! total). Shipping is never discounted.
//!
//! # The rule
//!
//! 1. **Amount.** A percent code takes `round_half_up(goods × percent)` off
//!    the goods' gross total; a fixed code takes its amount, at most the
//!    goods' total. Either way the discount leaves every line at least one
//!    cent per unit (a line cannot be charged less), so it is capped at
//!    `goods − units`.
//! 2. **Shares.** The discount is split over the lines in proportion to
//!    their gross totals, largest remainder: each line gets the whole cents
//!    of its exact share (`discount × line / goods`, rounded down), then the
//!    cents left over go one each to the lines with the largest remainders
//!    (the earlier line first on a tie). A line's share never takes it below
//!    one cent per unit; a cent a capped line cannot take goes to the next
//!    line in that order. The shares add up to the discount exactly, and
//!    each is within a cent of its exact proportional share unless a cap
//!    binds.
//! 3. **Prices.** Each line with a share is re-priced VAT-inclusive for its
//!    lowered total (`gross − share`), as the Qonto lots of
//!    [`crate::pricing::lots::split_total`], so its VAT is the VAT part of
//!    the lowered total and the VAT per rate is the sum of the lines'. A
//!    lowered total that no lots can carry (one unit at 0.03 and 20 % has
//!    no net price) takes the nearest share that can be charged, a cent
//!    less first, then a cent more (the other way round when a cent comes
//!    round the basket again), and the difference moves to the next
//!    line (basket order, the first line after the last), which is tried
//!    the same way, so the total discount stays exact ([`apply`]). A line
//!    is never lowered below its units at 0.01 net with their VAT
//!    ([`least_total`], the least Qonto charges), so a discount that would
//!    take a basket lower (a 100 % code, a fixed amount above the basket)
//!    is capped there. Shipping is quoted on the goods before the discount.
//!
//! The widget shows the discount with this module before Pay, and the edge
//! applies it with the same functions, so the two agree to the cent.

use core::fmt;

use crate::limits::MAX_AMOUNT_MINOR;
use crate::money::Money;

mod apply;
pub use apply::{apply, apply_to, least_total, Applied};

/// Longest code accepted, in characters.
pub const MAX_CODE_CHARS: usize = 32;

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountValue {
    /// A percentage of the goods' gross total, in basis points (1 to
    /// 10 000: 1 000 is 10 %).
    Percent(u32),
    /// A fixed amount off the goods' gross total (at most that total).
    Amount(Money),
}

/// Why a code cannot be used for a basket (what the shopper is told).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such code (or one the merchant switched off).
    Unknown,
    /// Before the code's first valid day.
    NotYetValid,
    /// Past the code's last valid day.
    Expired,
    /// Every allowed use is taken.
    Exhausted,
    /// The goods total is below the code's minimum (shown to the shopper).
    BelowMinimum(Money),
}

impl Refusal {
    /// The API error code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unknown => crate::codes::UNKNOWN_DISCOUNT_CODE,
            Refusal::NotYetValid => crate::codes::DISCOUNT_CODE_NOT_YET_VALID,
            Refusal::Expired => crate::codes::DISCOUNT_CODE_EXPIRED,
            Refusal::Exhausted => crate::codes::DISCOUNT_CODE_USED_UP,
            Refusal::BelowMinimum(_) => crate::codes::DISCOUNT_BELOW_MINIMUM,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unknown => f.write_str("this code does not exist"),
            Refusal::NotYetValid => f.write_str("this code is not valid yet"),
            Refusal::Expired => f.write_str("this code has expired"),
            Refusal::Exhausted => f.write_str("this code has been used as many times as it may"),
            Refusal::BelowMinimum(m) => write!(f, "this code needs a basket of at least {m}"),
        }
    }
}

/// The refusal of a code whose `minimum` (the goods' gross total it needs,
/// VAT included, shipping left out) goods worth `goods` do not reach.
pub fn below_minimum(goods: Money, minimum: Option<Money>) -> Option<Refusal> {
    minimum
        .filter(|min| goods.minor() < min.minor())
        .map(Refusal::BelowMinimum)
}

/// Reads a code as a shopper types it: trimmed, upper case; letters,
/// digits, `-` and `_`, 1 to [`MAX_CODE_CHARS`]. `None` for anything else
/// (answered as an unknown code: no code has that shape).
pub fn normalize_code(typed: &str) -> Option<String> {
    let code = typed.trim().to_ascii_uppercase();
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_CHARS
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(code)
}

/// The discount `value` gives goods whose gross total is `goods` over
/// `units` units (rule 1 of the module docs); zero for an empty basket and
/// for goods above [`MAX_AMOUNT_MINOR`] (an order that cannot be paid).
pub fn discount_amount(value: DiscountValue, goods: Money, units: u32) -> Money {
    let total = goods.minor().max(0);
    if total > MAX_AMOUNT_MINOR {
        // An order that cannot be paid: nothing off, as [`allocate`] gives.
        return Money::new(0, goods.currency());
    }
    let wanted = match value {
        DiscountValue::Percent(bp) => {
            // Half-up: (total × bp + 5 000) div 10 000, exact in i64 up to
            // the maximum. Not i128: its division costs the widget's wasm
            // ~1 KB.
            let bp = i64::from(bp.min(10_000));
            (total * bp + 5_000) / 10_000
        }
        DiscountValue::Amount(m) => m.minor().clamp(0, total),
    };
    let floor = i64::from(units).min(total);
    Money::new(wanted.clamp(0, total - floor), goods.currency())
}

/// One goods line, as [`allocate`] sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// The line's gross total before the discount.
    pub gross: Money,
    /// Its number of units (it keeps at least one cent each).
    pub quantity: u32,
}

/// Splits `discount` over `lines` (rule 2 of the module docs): one amount
/// per line, in order, adding up to `discount` (less whatever no line can
/// take, which [`discount_amount`]'s cap makes zero).
///
/// Lines worth more than [`MAX_AMOUNT_MINOR`] in all (an order that
/// cannot be paid) get nothing: within it every product below is exact in
/// i64 (not i128, whose division costs the widget's wasm ~1 KB).
pub fn allocate(discount: Money, lines: &[Share]) -> Vec<Money> {
    let currency = discount.currency();
    let total: i64 = lines.iter().map(|l| l.gross.minor().max(0)).sum();
    let d = discount.minor().clamp(0, total);
    let cap = |l: &Share| (l.gross.minor() - i64::from(l.quantity)).max(0);
    if total == 0 || d == 0 || total > MAX_AMOUNT_MINOR {
        return lines.iter().map(|_| Money::new(0, currency)).collect();
    }
    let mut shares: Vec<i64> = Vec::with_capacity(lines.len());
    let mut remainders: Vec<(i64, usize)> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let exact = d * l.gross.minor().max(0);
        shares.push((exact / total).min(cap(l)));
        remainders.push((exact % total, i));
    }
    let mut left = d - shares.iter().sum::<i64>();
    // Largest remainder first, the earlier line on a tie; lines at their
    // cap are skipped, and the order repeats while cents are left (a cap
    // that bound left more than one cent per line).
    // (An insertion sort, stable, so the earlier line stays first: a
    // basket has at most 100 lines, and the standard sort costs the
    // widget's wasm ~5 KB.)
    for i in 1..remainders.len() {
        let mut j = i;
        while j > 0 && remainders[j - 1].0 < remainders[j].0 {
            remainders.swap(j - 1, j);
            j -= 1;
        }
    }
    while left > 0 {
        let mut gave = false;
        for &(_, i) in &remainders {
            if left == 0 {
                break;
            }
            if shares[i] < cap(&lines[i]) {
                shares[i] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    shares
        .into_iter()
        .map(|s| Money::new(s, currency))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn line(gross: i64, quantity: u32) -> Share {
        Share {
            gross: eur(gross),
            quantity,
        }
    }

    #[test]
    fn codes_are_read_as_typed_in_any_case() {
        assert_eq!(normalize_code(" summer-10 ").as_deref(), Some("SUMMER-10"));
        assert_eq!(normalize_code("WELCOME_5").as_deref(), Some("WELCOME_5"));
        for bad in ["", "  ", "10 %", "été", "A;B", &"X".repeat(33)] {
            assert_eq!(normalize_code(bad), None, "{bad:?}");
        }
        assert!(normalize_code(&"X".repeat(32)).is_some());
    }

    #[test]
    fn a_minimum_is_met_from_its_amount_on() {
        let min = Some(eur(3_000));
        assert_eq!(
            below_minimum(eur(2_999), min),
            Some(Refusal::BelowMinimum(eur(3_000)))
        );
        assert_eq!(below_minimum(eur(3_000), min), None);
        assert_eq!(below_minimum(eur(0), None), None);
    }

    #[test]
    fn amounts_follow_the_rule() {
        // (value, goods, units, discount), worked by hand.
        let table = [
            (DiscountValue::Percent(1_000), 4_790, 3, 479),
            // 15 % of 33.33 = 4.9995 -> 5.00 (half-up).
            (DiscountValue::Percent(1_500), 3_333, 1, 500),
            // 12.5 % of 0.12 = 0.015 -> 0.02.
            (DiscountValue::Percent(1_250), 12, 1, 2),
            // 10 % of 0.04 = 0.004 -> 0.00.
            (DiscountValue::Percent(1_000), 4, 1, 0),
            // 100 % leaves a cent per unit.
            (DiscountValue::Percent(10_000), 5_000, 2, 4_998),
            (DiscountValue::Amount(eur(500)), 4_790, 3, 500),
            // More than the basket: everything but a cent per unit.
            (DiscountValue::Amount(eur(10_000)), 4_790, 3, 4_787),
            // Above the 50 000.00 maximum (cannot be paid): nothing off.
            (DiscountValue::Percent(1_000), 5_000_001, 1, 0),
            (DiscountValue::Amount(eur(500)), 5_000_001, 1, 0),
            (DiscountValue::Amount(eur(500)), 0, 0, 0),
        ];
        for (value, goods, units, want) in table {
            assert_eq!(
                discount_amount(value, eur(goods), units),
                eur(want),
                "{value:?} of {goods} over {units}"
            );
        }
    }

    #[test]
    fn shares_follow_the_rule() {
        // (discount, lines (gross, quantity), shares), worked by hand.
        let table: [(i64, Vec<Share>, Vec<i64>); 6] = [
            // 10 € over 30 € and 10 €: exactly 7.50 and 2.50.
            (1_000, vec![line(3_000, 1), line(1_000, 1)], vec![750, 250]),
            // 1 cent over three equal lines: the first (tie) takes it.
            (
                1,
                vec![line(100, 1), line(100, 1), line(100, 1)],
                vec![1, 0, 0],
            ),
            // 2 cents over three equal lines: the first two.
            (
                2,
                vec![line(100, 1), line(100, 1), line(100, 1)],
                vec![1, 1, 0],
            ),
            // 4.79 over 25.00 + 12.50 + 10.40 (= 47.90): exact shares
            // 2.50, 1.25, 1.04: no remainder.
            (
                479,
                vec![line(2_500, 1), line(1_250, 1), line(1_040, 1)],
                vec![250, 125, 104],
            ),
            // 1.00 over 0.99 and 2.00: exact 0.3311.. and 0.6688..: floors
            // 33 + 66 = 99, the cent to the larger remainder (the second).
            (100, vec![line(99, 1), line(200, 1)], vec![33, 67]),
            // A line at its cap (3 units keep 3 cents): the cents it cannot
            // take go to the other line (101 is the most this basket takes).
            (101, vec![line(5, 3), line(100, 1)], vec![2, 99]),
        ];
        for (d, lines, want) in table {
            let got: Vec<i64> = allocate(eur(d), &lines).iter().map(Money::minor).collect();
            assert_eq!(got, want, "{d} over {lines:?}");
        }
    }

    /// A small deterministic generator, so the property runs the same cases
    /// everywhere.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    #[test]
    fn shares_add_up_stay_within_caps_and_within_a_cent_of_proportional() {
        let mut rng = Lcg(20261202);
        for case in 0..5_000 {
            let n = 1 + rng.next(8) as usize;
            let lines: Vec<Share> = (0..n)
                .map(|_| {
                    let q = 1 + rng.next(20) as u32;
                    line(i64::from(q) * (1 + rng.next(20_000) as i64), q)
                })
                .collect();
            let goods: i64 = lines.iter().map(|l| l.gross.minor()).sum();
            let units: u32 = lines.iter().map(|l| l.quantity).sum();
            let value = if case % 2 == 0 {
                DiscountValue::Percent(1 + rng.next(10_000) as u32)
            } else {
                DiscountValue::Amount(eur(1 + rng.next(goods as u64 * 2) as i64))
            };
            let d = discount_amount(value, eur(goods), units).minor();
            assert!(d <= goods - i64::from(units), "case {case}: {d} of {goods}");
            let shares = allocate(eur(d), &lines);
            let sum: i64 = shares.iter().map(Money::minor).sum();
            assert_eq!(sum, d, "case {case}: shares add up");
            let mut capped = false;
            for (s, l) in shares.iter().zip(&lines) {
                let cap = l.gross.minor() - i64::from(l.quantity);
                assert!(
                    (0..=cap).contains(&s.minor()),
                    "case {case}: {s:?} of {l:?}"
                );
                capped |= s.minor() == cap;
            }
            if !capped {
                for (s, l) in shares.iter().zip(&lines) {
                    // |share − d × line / goods| < 1 cent, in integers.
                    let diff = i128::from(s.minor()) * i128::from(goods)
                        - i128::from(d) * i128::from(l.gross.minor());
                    assert!(
                        diff.abs() < i128::from(goods),
                        "case {case}: {s:?} of {l:?}"
                    );
                }
            }
        }
    }
}
