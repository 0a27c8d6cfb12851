//! Prices a basket: net, VAT and gross per line, and the totals.
//!
//! This is the one function the widget shows and the edge sends to Qonto, so
//! the two agree to the cent.
//!
//! # Rounding rule
//!
//! VAT is computed **per line, rounded half-up** (half away from zero) to the
//! cent:
//!
//! ```text
//! line net   = unit net × quantity                      (exact)
//! line VAT   = round_half_up(line net × rate)           (the only rounding)
//! line gross = line net + line VAT
//! totals     = sums of the lines; VAT per rate = sum of the lines at that rate
//! ```
//!
//! Qonto items carry a net unit price, a quantity and a rate, and the docs'
//! example (10.99 net at 21 % → 13.30 gross; 10.99 × 0.21 = 2.3079 → 2.31)
//! holds under this rule. Qonto's own rule for several units or lines is not
//! documented; the edge logs any difference between the total computed here and
//! the `amount` Qonto returns. Because totals are sums of lines, the
//! breakdown shown to the shopper always adds up: Σ net + Σ VAT = Σ gross and
//! the per-rate VAT amounts sum to the total VAT.
//!
//! # VAT-inclusive lines
//!
//! A line may instead be priced **VAT-inclusive** ([`UnitPrice::Gross`]): its
//! gross is `unit gross × quantity` exactly (what the shopper saw, to the
//! cent), its net is the total net of the [`Lots`] it is sent to Qonto as
//! (see [`lots`]: Qonto's own per-item computation of them lands on that
//! gross), and its VAT is gross − net, the VAT part of the gross within a
//! cent or two. So the widget, the edge and Qonto's items agree on every
//! line, and the per-rate breakdown of a mixed basket (inclusive and net
//! lines) is the sum of its lines as above.
//!
//! The limits of [`crate::limits`] (quantity 1..=[`MAX_QUANTITY`], at most
//! [`MAX_LINES`] lines, a gross total of at most [`MAX_AMOUNT_MINOR`]) are
//! enforced here too, so nothing priced by this module can break them.

use core::fmt;

use crate::limits::{MAX_AMOUNT_MINOR, MAX_LINES, MAX_QUANTITY};
use crate::money::{Currency, Money};
use crate::vat::{VatRate, MAX_BASIS_POINTS};

pub mod lots;
pub use lots::{Lot, Lots};

/// How a line's unit price was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitPrice {
    /// Net of VAT (the VAT is added, rounded per line).
    Net(Money),
    /// VAT included: the line costs exactly this × the quantity.
    Gross(Money),
}

impl UnitPrice {
    /// The amount given.
    pub fn amount(&self) -> Money {
        match self {
            UnitPrice::Net(m) | UnitPrice::Gross(m) => *m,
        }
    }
}

/// One line to price, net- or gross-priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Number of units, 1..=[`MAX_QUANTITY`].
    pub quantity: u32,
    /// The unit price, net or VAT-inclusive; must not be negative.
    pub price: UnitPrice,
    /// The VAT rate of the unit.
    pub vat_rate: VatRate,
}

impl From<LineInput> for Line {
    fn from(l: LineInput) -> Line {
        Line {
            quantity: l.quantity,
            price: UnitPrice::Net(l.unit_net),
            vat_rate: l.vat_rate,
        }
    }
}

/// One line to price: a quantity of a unit at a net price and a VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    /// Number of units, 1..=[`MAX_QUANTITY`].
    pub quantity: u32,
    /// Net (VAT-exclusive) price of one unit; must not be negative.
    pub unit_net: Money,
    /// The VAT rate of the unit.
    pub vat_rate: VatRate,
}

/// A priced line. Invariant: `gross = net + vat`, and the [`Lots`] sent to
/// Qonto have this net and (by Qonto's per-item rule) this gross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedLine {
    /// Number of units.
    pub quantity: u32,
    /// Net price of one unit (of the first lot, for a VAT-inclusive line).
    pub unit_net: Money,
    /// The VAT-inclusive unit price, when the line was priced that way.
    pub unit_gross: Option<Money>,
    /// The Qonto items of the line: one lot for a net-priced line.
    pub lots: Lots,
    /// The VAT rate of the line.
    pub vat_rate: VatRate,
    /// Line net: unit net × quantity (the lots' net when VAT-inclusive).
    pub net: Money,
    /// Line VAT: net × rate, rounded half-up to the cent (gross − net when
    /// VAT-inclusive).
    pub vat: Money,
    /// Line gross: net + VAT.
    pub gross: Money,
}

/// Totals of a priced basket: sums of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the line nets.
    pub net: Money,
    /// Sum of the line VATs.
    pub vat: Money,
    /// Sum of the line grosses (= net + vat): what the shopper pays.
    pub gross: Money,
    /// VAT per rate, sorted by rate ascending, one entry per rate present in
    /// the lines (0 % included); the amounts sum to `vat`.
    pub vat_by_rate: Vec<(VatRate, Money)>,
}

impl Totals {
    /// The gross total with one more priced line (the shipping line), within
    /// the maximum amount: what [`Totals::with_line`] charges, without its
    /// breakdown.
    pub fn gross_with(&self, line: &PricedLine) -> Result<Money, PricingError> {
        self.gross
            .checked_add(line.gross)
            .ok()
            .filter(|gross| gross.minor() <= MAX_AMOUNT_MINOR)
            .ok_or(PricingError::AmountTooLarge)
    }

    /// Totals as sums of `lines` (net, VAT, gross, VAT per rate, sorted by
    /// rate), without the maximum's check: for lines already priced within
    /// it and only lowered since (a discount, [`crate::discount::apply`]).
    pub fn of_lines(currency: Currency, lines: impl IntoIterator<Item = PricedLine>) -> Totals {
        let (mut net, mut vat, mut gross) = (0i64, 0i64, 0i64);
        let mut by_rate: Vec<(VatRate, Money)> = Vec::new();
        for l in lines {
            net += l.net.minor();
            vat += l.vat.minor();
            gross += l.gross.minor();
            let rate = rate_entry(&mut by_rate, l.vat_rate, currency);
            *rate = Money::new(rate.minor() + l.vat.minor(), currency);
        }
        let m = |minor| Money::new(minor, currency);
        Totals {
            net: m(net),
            vat: m(vat),
            gross: m(gross),
            vat_by_rate: by_rate,
        }
    }

    /// These totals with one more priced line (the shipping line), so that
    /// totals stay sums of lines and the per-rate breakdown stays sorted.
    pub fn with_line(&self, line: &PricedLine) -> Result<Totals, PricingError> {
        let gross = self.gross_with(line)?;
        let add = |a: Money, b: Money| a.checked_add(b).map_err(|_| PricingError::AmountTooLarge);
        let mut by_rate = self.vat_by_rate.clone();
        let rate_vat = rate_entry(&mut by_rate, line.vat_rate, self.gross.currency());
        *rate_vat = add(*rate_vat, line.vat)?;
        Ok(Totals {
            net: add(self.net, line.net)?,
            vat: add(self.vat, line.vat)?,
            gross,
            vat_by_rate: by_rate,
        })
    }
}

/// The VAT of `rate` in a breakdown sorted by rate (a zero entry inserted
/// in its place if the rate is new). A sorted Vec rather than a BTreeMap:
/// a basket has a few rates, and the map costs the widget's wasm ~1.7 KB.
fn rate_entry(
    by_rate: &mut Vec<(VatRate, Money)>,
    rate: VatRate,
    currency: Currency,
) -> &mut Money {
    let at = match by_rate.binary_search_by_key(&rate, |(r, _)| *r) {
        Ok(at) => at,
        Err(at) => {
            by_rate.insert(at, (rate, Money::zero(currency)));
            at
        }
    };
    &mut by_rate[at].1
}

/// Why a basket could not be priced. Line indexes are positions in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PricingError {
    /// [`price`] was given no lines (it cannot tell the currency).
    EmptyBasket,
    /// More than [`MAX_LINES`] lines.
    TooManyLines {
        /// Number of lines given.
        count: usize,
    },
    /// A quantity outside 1..=[`MAX_QUANTITY`].
    QuantityOutOfRange {
        /// Index of the line.
        index: usize,
        /// The quantity given.
        quantity: u32,
    },
    /// A negative unit price.
    NegativePrice {
        /// Index of the line.
        index: usize,
    },
    /// A line in another currency than the basket's.
    CurrencyMismatch {
        /// Index of the line.
        index: usize,
        /// The basket's currency.
        expected: Currency,
        /// The line's currency.
        found: Currency,
    },
    /// The gross total is above [`MAX_AMOUNT_MINOR`] (or too large to compute).
    AmountTooLarge,
    /// A VAT-inclusive line whose total no Qonto lots can carry (the catalog
    /// check refuses such prices, so a catalog product never gets here).
    UnrepresentableGross {
        /// Index of the line.
        index: usize,
    },
}

impl PricingError {
    /// Stable machine code (snake_case) for translations and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            PricingError::EmptyBasket => crate::codes::EMPTY_BASKET,
            PricingError::TooManyLines { .. } => crate::codes::TOO_MANY_LINES,
            PricingError::QuantityOutOfRange { .. } => crate::codes::QUANTITY_OUT_OF_RANGE,
            PricingError::NegativePrice { .. } => "negative_price",
            PricingError::CurrencyMismatch { .. } => "currency_mismatch",
            PricingError::AmountTooLarge => crate::codes::AMOUNT_TOO_LARGE,
            PricingError::UnrepresentableGross { .. } => "unrepresentable_gross_price",
        }
    }
}

impl fmt::Display for PricingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PricingError::EmptyBasket => f.write_str("the basket is empty"),
            PricingError::TooManyLines { count } => {
                write!(f, "{count} lines; at most {MAX_LINES} are allowed")
            }
            PricingError::QuantityOutOfRange { index, quantity } => write!(
                f,
                "line {index}: quantity {quantity} is not between 1 and {MAX_QUANTITY}"
            ),
            PricingError::NegativePrice { index } => {
                write!(f, "line {index}: the unit price is negative")
            }
            PricingError::CurrencyMismatch {
                index,
                expected,
                found,
            } => {
                write!(
                    f,
                    "line {index}: currency {found} does not match {expected}"
                )
            }
            PricingError::AmountTooLarge => write!(
                f,
                "the total is above the maximum of {}",
                Money::new(MAX_AMOUNT_MINOR, Currency::EUR).to_decimal()
            ),
            PricingError::UnrepresentableGross { index } => write!(
                f,
                "line {index}: no Qonto items with net prices carry this VAT-inclusive total"
            ),
        }
    }
}

impl std::error::Error for PricingError {}

/// VAT on a net amount: `net × rate`, rounded half away from zero to the cent.
///
/// Never overflows: the VAT is at most the net (the rate is at most 100 %).
pub fn vat_for(net: Money, rate: VatRate) -> Money {
    let scale = i128::from(MAX_BASIS_POINTS);
    let exact = i128::from(net.minor()) * i128::from(rate.basis_points());
    let half = scale / 2;
    let rounded = if exact >= 0 {
        (exact + half) / scale
    } else {
        (exact - half) / scale
    };
    // |rounded| <= |net|, so the conversion cannot fail; keep the type honest
    // without a panic path.
    Money::new(
        i64::try_from(rounded).unwrap_or(net.minor()),
        net.currency(),
    )
}

/// Gross price of one unit (for display in the catalog): the price of a
/// one-unit line, so it matches what a basket of one would cost.
pub fn unit_gross(unit_net: Money, rate: VatRate) -> Result<Money, PricingError> {
    unit_net
        .checked_add(vat_for(unit_net, rate))
        .map_err(|_| PricingError::AmountTooLarge)
}

/// Prices one line (no limit checks beyond arithmetic overflow).
pub fn price_line(line: &LineInput) -> Result<PricedLine, PricingError> {
    let net = line
        .unit_net
        .checked_mul(line.quantity)
        .map_err(|_| PricingError::AmountTooLarge)?;
    let vat = vat_for(net, line.vat_rate);
    let gross = net
        .checked_add(vat)
        .map_err(|_| PricingError::AmountTooLarge)?;
    Ok(PricedLine {
        quantity: line.quantity,
        unit_net: line.unit_net,
        unit_gross: None,
        lots: Lots::one(line.quantity, line.unit_net),
        vat_rate: line.vat_rate,
        net,
        vat,
        gross,
    })
}

/// Prices one VAT-inclusive line: gross = `unit_gross × quantity` exactly,
/// net = its lots' net ([`lots::split`]). `index` names the line in errors.
pub fn price_gross_line(
    quantity: u32,
    unit_gross: Money,
    vat_rate: VatRate,
    index: usize,
) -> Result<PricedLine, PricingError> {
    let gross = unit_gross
        .checked_mul(quantity)
        .map_err(|_| PricingError::AmountTooLarge)?;
    if gross.minor() > MAX_AMOUNT_MINOR {
        return Err(PricingError::AmountTooLarge);
    }
    let lots = lots::split(unit_gross, quantity, vat_rate)
        .ok_or(PricingError::UnrepresentableGross { index })?;
    let net = Money::new(lots.net_minor(), unit_gross.currency());
    let vat = gross
        .checked_sub(net)
        .map_err(|_| PricingError::AmountTooLarge)?;
    Ok(PricedLine {
        quantity,
        unit_net: lots.first().unit_net,
        unit_gross: Some(unit_gross),
        lots,
        vat_rate,
        net,
        vat,
        gross,
    })
}

/// Prices a non-empty basket, in the currency of its lines.
///
/// Errors: no lines, more than [`MAX_LINES`] lines, a quantity outside
/// 1..=[`MAX_QUANTITY`], a negative unit price, mixed currencies, or a gross
/// total above [`MAX_AMOUNT_MINOR`].
pub fn price(lines: &[LineInput]) -> Result<(Vec<PricedLine>, Totals), PricingError> {
    let first = lines.first().ok_or(PricingError::EmptyBasket)?;
    price_in(first.unit_net.currency(), lines)
}

/// Like [`price`], but in a given currency, and an empty basket is fine (all
/// totals zero): for the widget, which shows an empty basket too.
pub fn price_in(
    currency: Currency,
    lines: &[LineInput],
) -> Result<(Vec<PricedLine>, Totals), PricingError> {
    let lines: Vec<Line> = lines.iter().copied().map(Line::from).collect();
    price_lines_in(currency, &lines)
}

/// Like [`price_in`], for lines priced net or VAT-inclusive (mixed freely).
/// A VAT-inclusive line whose total no lots can carry is
/// [`PricingError::UnrepresentableGross`].
pub fn price_lines_in(
    currency: Currency,
    lines: &[Line],
) -> Result<(Vec<PricedLine>, Totals), PricingError> {
    if lines.len() > MAX_LINES {
        return Err(PricingError::TooManyLines { count: lines.len() });
    }
    let zero = Money::zero(currency);
    let add = |a: Money, b: Money| a.checked_add(b).map_err(|_| PricingError::AmountTooLarge);
    let mut priced = Vec::with_capacity(lines.len());
    let (mut net, mut vat, mut gross) = (zero, zero, zero);
    let mut by_rate: Vec<(VatRate, Money)> = Vec::new();

    for (index, line) in lines.iter().enumerate() {
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(PricingError::QuantityOutOfRange {
                index,
                quantity: line.quantity,
            });
        }
        let amount = line.price.amount();
        if amount.currency() != currency {
            return Err(PricingError::CurrencyMismatch {
                index,
                expected: currency,
                found: amount.currency(),
            });
        }
        if amount.is_negative() {
            return Err(PricingError::NegativePrice { index });
        }
        let p = match line.price {
            UnitPrice::Net(unit_net) => price_line(&LineInput {
                quantity: line.quantity,
                unit_net,
                vat_rate: line.vat_rate,
            })?,
            UnitPrice::Gross(unit_gross) => {
                price_gross_line(line.quantity, unit_gross, line.vat_rate, index)?
            }
        };
        net = add(net, p.net)?;
        vat = add(vat, p.vat)?;
        gross = add(gross, p.gross)?;
        let rate_vat = rate_entry(&mut by_rate, p.vat_rate, currency);
        *rate_vat = add(*rate_vat, p.vat)?;
        priced.push(p);
    }
    if gross.minor() > MAX_AMOUNT_MINOR {
        return Err(PricingError::AmountTooLarge);
    }
    let totals = Totals {
        net,
        vat,
        gross,
        vat_by_rate: by_rate,
    };
    Ok((priced, totals))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EUR: Currency = Currency::EUR;

    #[test]
    fn adding_a_line_keeps_totals_sums_of_lines() {
        let (_, totals) = price_in(EUR, &[line(2, 1099, 2100), line(1, 500, 550)]).unwrap();
        let extra = price_line(&line(1, 490, 2000)).unwrap();
        let with = totals.with_line(&extra).unwrap();
        assert_eq!(with.net.minor(), totals.net.minor() + extra.net.minor());
        assert_eq!(with.vat.minor(), totals.vat.minor() + extra.vat.minor());
        assert_eq!(
            with.gross.minor(),
            totals.gross.minor() + extra.gross.minor()
        );
        let rates: Vec<u32> = with
            .vat_by_rate
            .iter()
            .map(|(r, _)| r.basis_points())
            .collect();
        assert_eq!(rates, [550, 2000, 2100]);
        let sum: i64 = with.vat_by_rate.iter().map(|(_, m)| m.minor()).sum();
        assert_eq!(sum, with.vat.minor());
        assert_eq!(totals.gross_with(&extra), Ok(with.gross));
        let huge = price_line(&line(999, 5_000_000, 0)).unwrap();
        assert_eq!(totals.with_line(&huge), Err(PricingError::AmountTooLarge));
        assert_eq!(totals.gross_with(&huge), Err(PricingError::AmountTooLarge));
    }

    fn eur(minor: i64) -> Money {
        Money::new(minor, EUR)
    }

    fn rate(bp: u32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap()
    }

    fn line(quantity: u32, unit_minor: i64, bp: u32) -> LineInput {
        LineInput {
            quantity,
            unit_net: eur(unit_minor),
            vat_rate: rate(bp),
        }
    }

    #[test]
    fn qonto_docs_example() {
        let (lines, totals) = price(&[line(1, 1099, 2100)]).unwrap();
        assert_eq!(lines[0].vat, eur(231));
        assert_eq!(lines[0].gross, eur(1330));
        assert_eq!(totals.gross.to_decimal(), "13.30");
    }

    #[test]
    fn line_rounding_table() {
        // (quantity, unit net, rate bp, expected line VAT, expected line gross)
        let cases: &[(u32, i64, u32, i64, i64)] = &[
            (1, 1099, 2100, 231, 1330),            // 230.79 → 231
            (2, 1099, 2100, 462, 2660),            // 461.58 → 462 (per line, not 2 × 231)
            (3, 1099, 2100, 692, 3989),            // 692.37 → 692
            (1, 10, 500, 1, 11),                   // 0.5 → 1: half rounds up
            (1, 30, 500, 2, 32),                   // 1.5 → 2
            (63, 27385, 1000, 172_526, 1_897_781), // 172525.5 → 172526
            (1, 9, 500, 0, 9),                     // 0.45 → 0
            (1, 1000, 2000, 200, 1200),            // exact
            (1, 1000, 550, 55, 1055),              // 5.5 %
            (7, 333, 550, 128, 2459),              // 2331 × 0.055 = 128.205 → 128
            (1, 1, 10_000, 1, 2),                  // 100 %
            (999, 1, 0, 0, 999),                   // 0 %
            (1, 0, 2100, 0, 0),                    // free item
        ];
        for &(q, unit, bp, vat, gross) in cases {
            let p = price_line(&line(q, unit, bp)).unwrap();
            assert_eq!(
                (p.vat, p.gross),
                (eur(vat), eur(gross)),
                "{q} × {unit} at {bp}"
            );
            assert_eq!(p.net, eur(unit * i64::from(q)));
        }
    }

    #[test]
    fn vat_for_negative_rounds_away_from_zero() {
        assert_eq!(vat_for(eur(-10), rate(500)), eur(-1));
        assert_eq!(vat_for(eur(-9), rate(500)), eur(0));
        assert_eq!(vat_for(eur(i64::MAX), rate(10_000)), eur(i64::MAX));
        assert_eq!(vat_for(eur(i64::MIN), rate(10_000)), eur(i64::MIN));
    }

    #[test]
    fn totals_and_breakdown() {
        let (lines, totals) = price(&[
            line(1, 1099, 2100),
            line(2, 500, 550),
            line(1, 2000, 2100),
            line(1, 100, 0),
        ])
        .unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(totals.net, eur(1099 + 1000 + 2000 + 100));
        assert_eq!(totals.vat, eur(231 + 55 + 420));
        assert_eq!(totals.gross, eur(1330 + 1055 + 2420 + 100));
        assert_eq!(
            totals.vat_by_rate,
            vec![
                (rate(0), eur(0)),
                (rate(550), eur(55)),
                (rate(2100), eur(651))
            ]
        );
    }

    #[test]
    fn errors_table() {
        let usd = Money::new(100, Currency::parse("USD").unwrap());
        let max_net = MAX_AMOUNT_MINOR; // at 0 % the gross is the net
        let too_many: Vec<LineInput> = (0..=MAX_LINES).map(|_| line(1, 1, 0)).collect();
        let cases: Vec<(Vec<LineInput>, PricingError)> = vec![
            (vec![], PricingError::EmptyBasket),
            (
                too_many,
                PricingError::TooManyLines {
                    count: MAX_LINES + 1,
                },
            ),
            (
                vec![line(1, 1, 0), line(0, 1, 0)],
                PricingError::QuantityOutOfRange {
                    index: 1,
                    quantity: 0,
                },
            ),
            (
                vec![line(MAX_QUANTITY + 1, 1, 0)],
                PricingError::QuantityOutOfRange {
                    index: 0,
                    quantity: MAX_QUANTITY + 1,
                },
            ),
            (
                vec![line(1, -1, 0)],
                PricingError::NegativePrice { index: 0 },
            ),
            (
                vec![
                    line(1, 1, 0),
                    LineInput {
                        quantity: 1,
                        unit_net: usd,
                        vat_rate: rate(0),
                    },
                ],
                PricingError::CurrencyMismatch {
                    index: 1,
                    expected: EUR,
                    found: usd.currency(),
                },
            ),
            (vec![line(1, max_net + 1, 0)], PricingError::AmountTooLarge),
            (vec![line(1, max_net, 1)], PricingError::AmountTooLarge),
            (
                vec![line(999, i64::MAX / 2, 0)],
                PricingError::AmountTooLarge,
            ),
            (vec![line(1, i64::MAX, 100)], PricingError::AmountTooLarge),
        ];
        for (lines, expected) in cases {
            assert_eq!(price(&lines), Err(expected.clone()), "{expected:?}");
            assert!(!expected.to_string().is_empty());
        }
        assert!(price(&[line(1, max_net, 0)]).is_ok());
        assert!(price(&[line(MAX_QUANTITY, 1, 0)]).is_ok());
    }

    #[test]
    fn price_in_allows_empty() {
        let (lines, totals) = price_in(EUR, &[]).unwrap();
        assert!(lines.is_empty());
        assert_eq!(
            (totals.net, totals.vat, totals.gross),
            (eur(0), eur(0), eur(0))
        );
        assert!(totals.vat_by_rate.is_empty());
    }

    #[test]
    fn unit_gross_matches_one_unit_line() {
        assert_eq!(unit_gross(eur(1099), rate(2100)), Ok(eur(1330)));
        assert_eq!(
            unit_gross(eur(i64::MAX), rate(100)),
            Err(PricingError::AmountTooLarge)
        );
    }

    fn gross_line(quantity: u32, unit_gross: i64, bp: u32) -> Line {
        Line {
            quantity,
            price: UnitPrice::Gross(eur(unit_gross)),
            vat_rate: rate(bp),
        }
    }

    #[test]
    fn mixed_basket_of_inclusive_and_net_lines() {
        let (lines, totals) = price_lines_in(
            EUR,
            &[
                gross_line(3, 1990, 2000),
                Line::from(line(2, 1099, 550)),
                gross_line(1, 1159, 550),
            ],
        )
        .unwrap();
        // 3 × 19.90 = 59.70 exactly; lots 2 × 16.58 + 1 × 16.59 = 49.75 net,
        // VAT 9.95 (= 59.70 / 6, the exact VAT part at 20 %).
        assert_eq!(
            (lines[0].net, lines[0].vat, lines[0].gross),
            (eur(4975), eur(995), eur(5970))
        );
        assert_eq!(lines[0].unit_gross, Some(eur(1990)));
        assert_eq!(lines[0].unit_net, eur(1658));
        assert_eq!(lines[0].lots.len(), 2);
        // Net line: 21.98 + 1.21 (1.2089) = 23.19, one lot.
        assert_eq!((lines[1].vat, lines[1].gross), (eur(121), eur(2319)));
        assert_eq!(
            lines[1].lots.iter().collect::<Vec<_>>(),
            vec![Lot {
                quantity: 2,
                unit_net: eur(1099)
            }]
        );
        assert_eq!(lines[1].unit_gross, None);
        // 11.59 VAT included at 5.5 %: 10.99 net, 0.60 VAT.
        assert_eq!((lines[2].net, lines[2].vat), (eur(1099), eur(60)));
        assert_eq!(totals.gross, eur(5970 + 2319 + 1159));
        assert_eq!(totals.net, eur(4975 + 2198 + 1099));
        assert_eq!(totals.vat, eur(995 + 121 + 60));
        assert_eq!(
            totals.vat_by_rate,
            vec![(rate(550), eur(181)), (rate(2000), eur(995))]
        );
        for l in &lines {
            assert_eq!(l.lots.gross_minor(l.vat_rate), l.gross.minor());
            assert_eq!(l.lots.net_minor(), l.net.minor());
        }
    }

    #[test]
    fn inclusive_line_errors() {
        assert_eq!(
            price_lines_in(EUR, &[gross_line(1, 1990, 2000), gross_line(1, 3, 2000)]),
            Err(PricingError::UnrepresentableGross { index: 1 })
        );
        assert_eq!(
            price_lines_in(EUR, &[gross_line(999, MAX_AMOUNT_MINOR, 2000)]),
            Err(PricingError::AmountTooLarge)
        );
        assert_eq!(
            price_lines_in(EUR, &[gross_line(1, -5, 2000)]),
            Err(PricingError::NegativePrice { index: 0 })
        );
        let e = PricingError::UnrepresentableGross { index: 1 };
        assert_eq!(e.code(), "unrepresentable_gross_price");
        assert!(!e.to_string().is_empty());
    }
}
