//! A discount applied to priced goods lines: the lines re-priced for their
//! lowered totals, charged through Qonto lots (rule 3 of [`super`]).

use crate::money::Money;
use crate::pricing::lots::split_total;
use crate::pricing::PricedLine;

use super::{allocate, discount_amount, DiscountValue, Share};

/// The goods lines of a basket after a discount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What the lines lost in all: their gross before minus their gross
    /// after. [`discount_amount`] exactly, unless no placement of the cents
    /// exists (see [`apply`]).
    pub amount: Money,
    /// The lines, in order: a line whose share is zero as it was, the
    /// others re-priced VAT-inclusive for their lowered totals.
    pub lines: Vec<PricedLine>,
    /// How many cents were moved between lines (rule 3).
    pub moved: u32,
}

/// The least a line can be charged: its units at 0.01 net each, with
/// their VAT rounded half-up (one Qonto item).
pub fn least_total(line: &PricedLine) -> i64 {
    let net = Money::new(i64::from(line.quantity), line.gross.currency());
    net.minor() + crate::pricing::vat_for(net, line.vat_rate).minor()
}

/// A line of `quantity` units at `rate` costing `total` in all, charged as
/// the lots of [`split_total`]; `None` when no lots carry that total.
fn repriced(line: &PricedLine, total: i64) -> Option<PricedLine> {
    let currency = line.gross.currency();
    let lots = split_total(Money::new(total, currency), line.quantity, line.vat_rate)?;
    let net = Money::new(lots.net_minor(), currency);
    Some(PricedLine {
        quantity: line.quantity,
        unit_net: lots.first().unit_net,
        // No single unit price is exact once the total is not a multiple
        // of the quantity.
        unit_gross: None,
        lots,
        vat_rate: line.vat_rate,
        net,
        vat: Money::new(total - net.minor(), currency),
        gross: Money::new(total, currency),
    })
}

/// The line lowered by `share` cents, if that can be charged (a zero share
/// is the line as it was).
fn lowered(line: &PricedLine, share: i64) -> Option<PricedLine> {
    if share == 0 {
        return Some(*line);
    }
    repriced(line, line.gross.minor() - share)
}

/// Applies `value` to the goods `lines` (never the shipping line): the
/// amount of [`discount_amount`] (at most what leaves every line its
/// [`least_total`], the price of its units at 0.01 net: Qonto charges no
/// less), its shares by [`allocate`], each line re-priced for its lowered
/// total (rule 3 of the module docs).
///
/// When a line's lowered total has no lots, the line takes the nearest
/// share that can be charged (a cent less first, then a cent more, ...;
/// on a second round around the basket a cent more first) and the
/// difference moves to the next line (in basket order, the first
/// line after the last), which is tried the same way, until every line can
/// be charged: the total discount stays exact. Only a basket where no placement exists (in
/// practice a single unit whose lowered price no net price reaches, such
/// as 0.03 at 20 %) gets the nearest amount that can be charged, a cent
/// more first (in the shopper's favour), and `amount` says so.
pub fn apply(value: DiscountValue, lines: &[PricedLine]) -> Applied {
    let currency = lines
        .first()
        .map_or(crate::money::Currency::EUR, |l| l.gross.currency());
    let goods: i64 = lines.iter().map(|l| l.gross.minor()).sum();
    let units: u32 = lines.iter().map(|l| l.quantity).sum();
    // A line can cost no less than its units at 0.01 net each, with their
    // VAT (Qonto's least item): the discount leaves every line that much.
    let least: i64 = lines.iter().map(least_total).sum();
    let wanted = discount_amount(value, Money::new(goods, currency), units);
    let wanted = Money::new(wanted.minor().min((goods - least).max(0)), currency);
    let shares: Vec<Share> = lines
        .iter()
        .map(|l| Share {
            gross: l.gross,
            quantity: l.quantity,
        })
        .collect();
    let allocated: Vec<i64> = allocate(wanted, &shares).iter().map(Money::minor).collect();
    if let Some((repriced, moved)) = place(lines, allocated.clone()) {
        return Applied {
            amount: wanted,
            lines: repriced,
            moved,
        };
    }
    // No placement of exactly `wanted`: a cent more, a cent less, and so
    // on, put on the last line that can take it.
    for delta in [1i64, -1, 2, -2, 3, -3] {
        let mut shares = allocated.clone();
        let Some(i) = (0..lines.len()).rev().find(|&i| {
            let cap = lines[i].gross.minor() - least_total(&lines[i]);
            (0..=cap).contains(&(shares[i] + delta))
        }) else {
            continue;
        };
        shares[i] += delta;
        if let Some((repriced, moved)) = place(lines, shares) {
            return Applied {
                amount: Money::new(wanted.minor() + delta, currency),
                lines: repriced,
                moved,
            };
        }
    }
    Applied {
        amount: Money::zero(currency),
        lines: lines.to_vec(),
        moved: 0,
    }
}

/// [`apply`] to lines held elsewhere (an order's), re-priced where they
/// are: the one way an order takes a code. Returns what the lines lost.
pub fn apply_to<'a>(
    value: DiscountValue,
    lines: impl IntoIterator<Item = &'a mut PricedLine>,
) -> Money {
    let mut lines: Vec<&mut PricedLine> = lines.into_iter().collect();
    let priced: Vec<PricedLine> = lines.iter().map(|l| **l).collect();
    let applied = apply(value, &priced);
    for (line, lowered) in lines.iter_mut().zip(applied.lines) {
        **line = lowered;
    }
    applied.amount
}

/// Re-prices every line for its share, moving cents between a line that
/// cannot be charged and the next (rule 3); `None` when the cents find no
/// place within a few rounds.
fn place(lines: &[PricedLine], mut shares: Vec<i64>) -> Option<(Vec<PricedLine>, u32)> {
    let n = lines.len();
    if n == 0 {
        return None;
    }
    let mut out: Vec<Option<PricedLine>> = vec![None; n];
    let mut moved = 0u32;
    let mut carry = 0i64;
    // Each line once, then more rounds while cents are carried.
    for step in 0..(4 * n) {
        let i = step % n;
        if step >= n && carry == 0 {
            break;
        }
        let line = &lines[i];
        // Lowered at most to its least total (below it nothing can be
        // charged); a share above that is carried on at once.
        let cap = (line.gross.minor() - least_total(line)).max(0);
        let wanted = shares[i] + carry;
        let want = wanted.clamp(0, cap);
        // The nearest share that can be charged: on the first round a
        // cent less first (the line keeps it, the next one takes it), then
        // a cent more; the other way round on the next round, and so on.
        let less_first = (step / n).is_multiple_of(2);
        // (A plain loop: the iterator chain costs the widget's wasm ~1 KB.)
        let mut chosen = None;
        for k in 0..=2 * cap + 2 {
            let d = (k + 1) / 2;
            let s = if (k % 2 == 1) == less_first {
                want - d
            } else {
                want + d
            };
            if (0..=cap).contains(&s) {
                if let Some(p) = lowered(line, s) {
                    chosen = Some((s, p));
                    break;
                }
            }
        }
        let (share, priced) = chosen?;
        moved += u32::try_from((wanted - share).unsigned_abs()).unwrap_or(u32::MAX);
        carry = wanted - share;
        shares[i] = share;
        out[i] = Some(priced);
    }
    if carry != 0 {
        return None;
    }
    out.into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|lines| (lines, moved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::pricing::{price_gross_line, price_line, LineInput};
    use crate::vat::VatRate;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn rate(bp: u32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap()
    }

    fn net_line(quantity: u32, unit_net: i64, bp: u32) -> PricedLine {
        price_line(&LineInput {
            quantity,
            unit_net: eur(unit_net),
            vat_rate: rate(bp),
        })
        .unwrap()
    }

    /// (net, VAT, gross) of each line.
    fn figures(a: &Applied) -> Vec<(i64, i64, i64)> {
        a.lines
            .iter()
            .map(|l| (l.net.minor(), l.vat.minor(), l.gross.minor()))
            .collect()
    }

    #[test]
    fn lines_are_lowered_by_their_shares() {
        // 25.00 net at 20 % (30.00) and 10.00 at 0 %; 10 % off 40.00 is
        // 4.00, shared 3.00 and 1.00. 27.00 at 20 %: 22.50 net + 4.50.
        let lines = [net_line(1, 2500, 2000), net_line(1, 1000, 0)];
        let a = apply(DiscountValue::Percent(1_000), &lines);
        assert_eq!(a.amount, eur(400));
        assert_eq!(figures(&a), vec![(2250, 450, 2700), (900, 0, 900)]);
        assert_eq!(a.moved, 0);
        // A line with no share is left as it was (net-priced, one lot).
        let a = apply(DiscountValue::Amount(eur(0)), &lines);
        assert_eq!(a.lines, lines.to_vec());
        // 3 × 19.90 at 20 % (59.70) less 5.00: 54.70 over 3 units, lots
        // 2 × 15.19 + 1 × 15.20 = 45.58 net; per item 30.38 + 6.08
        // (6.076) and 15.20 + 3.04: 54.70.
        let inclusive = [price_gross_line(3, eur(1990), rate(2000), 0).unwrap()];
        let a = apply(DiscountValue::Amount(eur(500)), &inclusive);
        assert_eq!(figures(&a), vec![(4558, 912, 5470)]);
        assert_eq!(a.lines[0].lots.gross_minor(rate(2000)), 5470);
        assert_eq!(a.lines[0].unit_gross, None);
    }

    #[test]
    fn a_cent_that_cannot_be_charged_moves_to_the_next_line() {
        // 0.05 at 20 % (0.04 net) and 0.05 at 0 %; 0.04 off is 0.02 each,
        // but 0.03 at 20 % has no net price (0.02 → 0.02, 0.03 → 0.04):
        // the first line keeps a cent (0.04: 0.03 net + 0.01), the second
        // takes it (0.02). The total discount stays 0.04.
        let lines = [net_line(1, 4, 2000), net_line(1, 5, 0)];
        assert_eq!(lines[0].gross, eur(5));
        let a = apply(DiscountValue::Amount(eur(4)), &lines);
        assert_eq!(a.amount, eur(4));
        assert_eq!(figures(&a), vec![(3, 1, 4), (2, 0, 2)]);
        assert_eq!(a.moved, 1);
        // The last line passes its cent on to the first.
        let lines = [net_line(1, 5, 0), net_line(1, 4, 2000)];
        let a = apply(DiscountValue::Amount(eur(4)), &lines);
        assert_eq!(a.amount, eur(4));
        assert_eq!(figures(&a), vec![(2, 0, 2), (3, 1, 4)]);
        // Alone, the line has no place for the cent: 0.03 off instead of
        // 0.02 (0.02 at 20 %: 0.02 net, no VAT).
        let a = apply(DiscountValue::Amount(eur(2)), &[net_line(1, 4, 2000)]);
        assert_eq!(a.amount, eur(3));
        assert_eq!(figures(&a), vec![(2, 0, 2)]);
    }

    /// Whether some shares adding up to `discount` let every line be
    /// charged (each within its cap): a search over all sums, independent
    /// of the repair's order.
    fn exact_placement_exists(lines: &[PricedLine], discount: i64) -> bool {
        let d = discount as usize;
        let mut reachable = vec![false; d + 1];
        reachable[0] = true;
        for l in lines {
            let cap = l.gross.minor() - i64::from(l.quantity);
            let ok: Vec<usize> = (0..=cap.min(discount))
                .filter(|&s| {
                    s == 0
                        || crate::pricing::lots::split_total(
                            eur(l.gross.minor() - s),
                            l.quantity,
                            l.vat_rate,
                        )
                        .is_some()
                })
                .map(|s| s as usize)
                .collect();
            let mut next = vec![false; d + 1];
            for (sum, _) in reachable.iter().enumerate().filter(|(_, r)| **r) {
                for &s in &ok {
                    if sum + s <= d {
                        next[sum + s] = true;
                    }
                }
            }
            reachable = next;
        }
        reachable[d]
    }

    #[test]
    fn the_repair_keeps_the_discount_exact_over_random_baskets() {
        // Small prices at 20 % and 21 % make lowered totals with no net
        // price common. Whenever shares adding up to the discount can all
        // be charged, the repair finds such shares; otherwise the amount is
        // the nearest that can be, in the shopper's favour first. Every
        // line lands on its lots.
        let mut seed = 0x0D15_C0DEu64;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % below
        };
        let (mut moved, mut impossible) = (0, 0);
        for case in 0..5_000 {
            let n = 1 + next(5) as usize;
            let lines: Vec<PricedLine> = (0..n)
                .map(|_| {
                    let bp = [2000, 2100, 550, 0][next(4) as usize];
                    let q = if next(3) == 0 { 1 + next(5) as u32 } else { 1 };
                    net_line(q, 1 + next(60) as i64, bp)
                })
                .collect();
            let goods: i64 = lines.iter().map(|l| l.gross.minor()).sum();
            let value = if case % 2 == 0 {
                DiscountValue::Percent(1 + next(10_000) as u32)
            } else {
                DiscountValue::Amount(eur(1 + next(goods as u64) as i64))
            };
            let units: u32 = lines.iter().map(|l| l.quantity).sum();
            // Worked out here: each line keeps q × 0.01 net plus its VAT.
            let least: i64 = lines
                .iter()
                .map(|l| {
                    let q = i64::from(l.quantity);
                    q + (q * i64::from(l.vat_rate.basis_points()) + 5_000) / 10_000
                })
                .sum();
            let want = discount_amount(value, eur(goods), units);
            let want = eur(want.minor().min(goods - least));
            let a = apply(value, &lines);
            let after: i64 = a.lines.iter().map(|l| l.gross.minor()).sum();
            assert_eq!(goods - after, a.amount.minor(), "case {case}");
            if exact_placement_exists(&lines, want.minor()) {
                assert_eq!(a.amount, want, "case {case}: {value:?} {lines:?}");
            } else {
                impossible += 1;
                assert!((a.amount.minor() - want.minor()).abs() <= 3, "case {case}");
            }
            for l in &a.lines {
                assert_eq!(l.lots.gross_minor(l.vat_rate), l.gross.minor());
                assert_eq!(l.lots.net_minor(), l.net.minor());
                assert_eq!(l.net.minor() + l.vat.minor(), l.gross.minor());
            }
            moved += a.moved;
        }
        println!("{moved} cents moved; {impossible} of 5000 baskets without an exact placement");
        assert!(moved > 100, "the repair is exercised: {moved} cents moved");
        assert!(impossible < 250, "{impossible}");
    }
}
