//! Money: integer minor units with a currency, and Qonto's decimal strings.
//!
//! Every amount in the project is a [`Money`]: a count of minor units (cents)
//! and a [`Currency`]. Decimal strings such as `"10.99"` exist only at the wire,
//! in [`WireAmount`] (`{"value":"10.99","currency":"EUR"}`, the shape Qonto and
//! the edge API both use), and are parsed strictly by [`Money::parse_decimal`]:
//! a string we cannot read exactly is an error, never a guess.
//!
//! Minor units: every currency we accept is assumed to have 2 decimals
//! ([`Currency::MINOR_DIGITS`]). That holds for EUR, the only currency Qonto
//! payment links support today; a zero- or three-decimal currency would need
//! this module to learn its exponent before it could be configured.

use core::fmt;

/// An ISO 4217 currency code: exactly three ASCII uppercase letters.
///
/// Only the shape is checked, not membership of the ISO list: the edge
/// compares the catalog's currency with its `CURRENCY` setting anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The euro, the only currency Qonto payment links take today.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Number of decimals of the minor unit, assumed for every currency we
    /// accept (see the module docs).
    pub const MINOR_DIGITS: u32 = 2;

    /// Parses a currency code such as `"EUR"`.
    ///
    /// Lowercase, padding and anything but three ASCII letters are rejected
    /// with [`MoneyError::InvalidCurrency`].
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(MoneyError::InvalidCurrency),
        }
    }

    /// The code, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII uppercase by construction, so this never fails;
        // the fallback only avoids a panic path.
        core::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong with an amount or a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MoneyError {
    /// The decimal string was empty.
    Empty,
    /// The decimal string is not `digits[.digits]`: whitespace, an exponent, a
    /// `+`, a thousands separator, a comma, a missing digit around the `.`...
    Malformed,
    /// The decimal string has more than 2 decimals (`"10.999"`, even `"1.000"`).
    TooManyDecimals,
    /// A `-` where only non-negative amounts are accepted.
    Negative,
    /// The amount does not fit the minor-unit integer (or an addition or
    /// multiplication of amounts overflowed).
    Overflow,
    /// The currency code is not three ASCII uppercase letters.
    InvalidCurrency,
    /// Two amounts in different currencies were combined.
    CurrencyMismatch {
        /// The currency that was expected (the left operand's).
        expected: Currency,
        /// The currency that was found.
        found: Currency,
    },
}

impl MoneyError {
    /// Stable machine code (snake_case) for translations and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Empty => "empty_amount",
            MoneyError::Malformed => "invalid_amount",
            MoneyError::TooManyDecimals => "too_many_decimals",
            MoneyError::Negative => "negative_amount",
            MoneyError::Overflow => "amount_overflow",
            MoneyError::InvalidCurrency => "invalid_currency",
            MoneyError::CurrencyMismatch { .. } => "currency_mismatch",
        }
    }
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::Empty => f.write_str("amount is empty"),
            MoneyError::Malformed => {
                f.write_str("amount must be a plain decimal number such as 10.99")
            }
            MoneyError::TooManyDecimals => f.write_str("amount has more than 2 decimals"),
            MoneyError::Negative => f.write_str("amount must not be negative"),
            MoneyError::Overflow => f.write_str("amount is too large"),
            MoneyError::InvalidCurrency => {
                f.write_str("currency must be a 3-letter uppercase ISO 4217 code")
            }
            MoneyError::CurrencyMismatch { expected, found } => {
                write!(f, "currency {found} does not match {expected}")
            }
        }
    }
}

impl std::error::Error for MoneyError {}

/// An amount of money: a whole number of minor units (cents) in a currency.
///
/// Arithmetic is checked: combining currencies or overflowing is an error, not
/// a wrap or a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount of `minor` units (cents) of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The amount in minor units (cents).
    pub const fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True for an amount of zero.
    pub const fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// True for an amount below zero.
    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// Parses a non-negative decimal string such as `"10.99"`, `"10.9"` or `"10"`.
    ///
    /// The grammar is `digits [ "." 1*2digits ]`, nothing else: no sign, no
    /// whitespace, no exponent, no separators, at most 2 decimals. Leading
    /// zeros are accepted (`"007.50"` is unambiguous).
    pub fn parse_decimal(s: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_minor(s, false).map(|minor| Money::new(minor, currency))
    }

    /// Like [`Money::parse_decimal`] but also accepts one leading `-`
    /// (refunds, differences). A `+` is still rejected.
    pub fn parse_decimal_signed(s: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_minor(s, true).map(|minor| Money::new(minor, currency))
    }

    /// The amount as Qonto writes it: always exactly 2 decimals, `.` as the
    /// separator, a leading `-` if negative (`"10.99"`, `"0.05"`, `"-1.50"`).
    ///
    /// Display formatting for people (thousands separators, decimal comma,
    /// symbol) is the widget's job, with the browser's `Intl.NumberFormat`.
    pub fn to_decimal(&self) -> String {
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        [
            sign,
            &crate::digits::number(abs / 100),
            ".",
            &crate::digits::digits(abs % 100, 2),
        ]
        .concat()
    }

    /// `self + other`, or an error for mixed currencies or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The sum of `amounts` in `currency` (zero when there are none), or an
    /// error for a mixed currency or overflow.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// `self - other`, or an error for mixed currencies or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// `self × factor` (a unit price times a quantity), or an overflow error.
    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        self.minor
            .checked_mul(i64::from(factor))
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    /// `"13.30 EUR"`: for logs and messages, not for shoppers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}

/// The strict decimal parser behind [`Money::parse_decimal`].
fn parse_minor(s: &str, allow_negative: bool) -> Result<i64, MoneyError> {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) if allow_negative => (true, rest),
        Some(_) => return Err(MoneyError::Negative),
        None => (false, s),
    };
    if unsigned.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !frac.is_none_or(all_digits) {
        return Err(MoneyError::Malformed);
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }

    let mut minor: i64 = 0;
    // The fraction is padded to exactly 2 digits: "10.5" is 1050 cents.
    let digits = int
        .bytes()
        .chain(frac.bytes())
        .chain(b"00"[frac.len()..].iter().copied());
    for digit in digits {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(digit - b'0')))
            .ok_or(MoneyError::Overflow)?;
    }
    Ok(if negative { -minor } else { minor })
}

/// An amount on the wire: `{"value":"12.00","currency":"EUR"}`.
///
/// The JSON shape Qonto uses for every amount and the edge API repeats. It is
/// kept as two strings so that a response we cannot read still deserializes
/// and the error says which value was wrong; convert with
/// `Money::try_from(&wire)` and `WireAmount::from(money)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WireAmount {
    /// Decimal string, e.g. `"12.00"`.
    pub value: String,
    /// ISO 4217 code, e.g. `"EUR"`.
    pub currency: String,
}

impl WireAmount {
    /// Reads the amount allowing a leading `-` (for values such as refunds
    /// where Qonto could send one); [`TryFrom`] rejects negatives.
    pub fn to_money_signed(&self) -> Result<Money, MoneyError> {
        let currency = Currency::parse(&self.currency)?;
        Money::parse_decimal_signed(&self.value, currency)
    }
}

impl From<Money> for WireAmount {
    fn from(money: Money) -> WireAmount {
        WireAmount {
            value: money.to_decimal(),
            currency: money.currency.as_str().to_owned(),
        }
    }
}

impl TryFrom<&WireAmount> for Money {
    type Error = MoneyError;

    /// Strict and non-negative: every amount we receive (prices, link
    /// amounts, payments) is zero or more.
    fn try_from(wire: &WireAmount) -> Result<Money, MoneyError> {
        let currency = Currency::parse(&wire.currency)?;
        Money::parse_decimal(&wire.value, currency)
    }
}

impl TryFrom<WireAmount> for Money {
    type Error = MoneyError;

    /// Same as the conversion from `&WireAmount`.
    fn try_from(wire: WireAmount) -> Result<Money, MoneyError> {
        Money::try_from(&wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EUR: Currency = Currency::EUR;

    #[test]
    fn sums() {
        let eur = |m| Money::new(m, Currency::EUR);
        assert_eq!(Money::sum(Currency::EUR, []), Ok(eur(0)));
        assert_eq!(
            Money::sum(Currency::EUR, [eur(1099), eur(1)]),
            Ok(eur(1100))
        );
        assert_eq!(
            Money::sum(Currency::EUR, [eur(i64::MAX), eur(1)]),
            Err(MoneyError::Overflow)
        );
        let usd = Currency::parse("USD").unwrap();
        assert!(Money::sum(Currency::EUR, [Money::new(1, usd)]).is_err());
    }

    #[test]
    fn currency_parse_table() {
        let cases: &[(&str, bool)] = &[
            ("EUR", true),
            ("USD", true),
            ("eur", false),
            ("EU", false),
            ("EURO", false),
            (" EUR", false),
            ("E1R", false),
            ("", false),
            ("ÉUR", false),
        ];
        for &(input, ok) in cases {
            let parsed = Currency::parse(input);
            assert_eq!(parsed.is_ok(), ok, "{input:?}");
            if let Ok(c) = parsed {
                assert_eq!(c.as_str(), input);
            }
        }
        assert_eq!(Currency::EUR.to_string(), "EUR");
    }

    #[test]
    fn parse_decimal_accepts_table() {
        let cases: &[(&str, i64)] = &[
            ("10.99", 1099),
            ("10.9", 1090),
            ("10", 1000),
            ("0", 0),
            ("0.00", 0),
            ("0.05", 5),
            ("0.5", 50),
            ("13.30", 1330),
            ("007.50", 750),
            ("77052.50", 7_705_250),
            ("92233720368547758.07", i64::MAX),
        ];
        for &(input, minor) in cases {
            assert_eq!(
                Money::parse_decimal(input, EUR),
                Ok(Money::new(minor, EUR)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn parse_decimal_rejects_table() {
        use MoneyError::*;
        let cases: &[(&str, MoneyError)] = &[
            ("", Empty),
            (" 1.00", Malformed),
            ("1.00 ", Malformed),
            ("1 000.00", Malformed),
            ("1,00", Malformed),
            ("1e3", Malformed),
            ("1.0e1", Malformed),
            ("1E3", Malformed),
            ("+1.00", Malformed),
            ("-1.00", Negative),
            ("-0", Negative),
            ("-", Negative),
            (".50", Malformed),
            ("1.", Malformed),
            (".", Malformed),
            ("1..0", Malformed),
            ("1.0.0", Malformed),
            ("0x10", Malformed),
            ("NaN", Malformed),
            ("inf", Malformed),
            ("١٢", Malformed),
            ("10.999", TooManyDecimals),
            ("1.000", TooManyDecimals),
            ("92233720368547758.08", Overflow),
            ("99999999999999999999", Overflow),
        ];
        for (input, err) in cases {
            assert_eq!(
                Money::parse_decimal(input, EUR),
                Err(err.clone()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn parse_decimal_signed_table() {
        let ok: &[(&str, i64)] = &[("-1.50", -150), ("-0.05", -5), ("-0", 0), ("2.00", 200)];
        for &(input, minor) in ok {
            assert_eq!(
                Money::parse_decimal_signed(input, EUR),
                Ok(Money::new(minor, EUR))
            );
        }
        let bad: &[(&str, MoneyError)] = &[
            ("-", MoneyError::Empty),
            ("--1", MoneyError::Malformed),
            ("+1", MoneyError::Malformed),
            ("- 1", MoneyError::Malformed),
            ("-1.234", MoneyError::TooManyDecimals),
        ];
        for (input, err) in bad {
            assert_eq!(
                Money::parse_decimal_signed(input, EUR),
                Err(err.clone()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn to_decimal_table() {
        let cases: &[(i64, &str)] = &[
            (1099, "10.99"),
            (5, "0.05"),
            (1330, "13.30"),
            (0, "0.00"),
            (100, "1.00"),
            (-150, "-1.50"),
            (-5, "-0.05"),
            (i64::MAX, "92233720368547758.07"),
            (i64::MIN, "-92233720368547758.08"),
        ];
        for &(minor, text) in cases {
            assert_eq!(Money::new(minor, EUR).to_decimal(), text);
        }
        assert_eq!(Money::new(1330, EUR).to_string(), "13.30 EUR");
    }

    #[test]
    fn arithmetic_is_checked() {
        let usd = Currency::parse("USD").unwrap();
        let a = Money::new(150, EUR);
        assert_eq!(a.checked_add(Money::new(50, EUR)), Ok(Money::new(200, EUR)));
        assert_eq!(
            a.checked_sub(Money::new(200, EUR)),
            Ok(Money::new(-50, EUR))
        );
        assert_eq!(a.checked_mul(3), Ok(Money::new(450, EUR)));
        assert_eq!(
            a.checked_add(Money::new(1, usd)),
            Err(MoneyError::CurrencyMismatch {
                expected: EUR,
                found: usd
            })
        );
        assert_eq!(
            Money::new(i64::MAX, EUR).checked_add(Money::new(1, EUR)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::new(i64::MIN, EUR).checked_sub(Money::new(1, EUR)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::new(i64::MAX / 2 + 1, EUR).checked_mul(2),
            Err(MoneyError::Overflow)
        );
        assert!(Money::zero(EUR).is_zero());
        assert!(Money::new(-1, EUR).is_negative());
    }

    #[test]
    fn wire_amount_round_trip() {
        let wire = WireAmount::from(Money::new(1200, EUR));
        assert_eq!(
            wire,
            WireAmount {
                value: "12.00".into(),
                currency: "EUR".into()
            }
        );
        assert_eq!(Money::try_from(&wire), Ok(Money::new(1200, EUR)));
        let bad_currency = WireAmount {
            value: "1.00".into(),
            currency: "eur".into(),
        };
        assert_eq!(
            Money::try_from(&bad_currency),
            Err(MoneyError::InvalidCurrency)
        );
        let negative = WireAmount {
            value: "-1.00".into(),
            currency: "EUR".into(),
        };
        assert_eq!(Money::try_from(negative.clone()), Err(MoneyError::Negative));
        assert_eq!(negative.to_money_signed(), Ok(Money::new(-100, EUR)));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn wire_amount_json_shape() {
        let wire = WireAmount::from(Money::new(1200, EUR));
        assert_eq!(
            serde_json::to_string(&wire).unwrap(),
            r#"{"value":"12.00","currency":"EUR"}"#
        );
        let back: WireAmount =
            serde_json::from_str(r#"{"currency":"EUR","value":"13.30"}"#).unwrap();
        assert_eq!(Money::try_from(&back), Ok(Money::new(1330, EUR)));
    }

    #[test]
    fn error_codes_are_snake_case() {
        let all = [
            MoneyError::Empty,
            MoneyError::Malformed,
            MoneyError::TooManyDecimals,
            MoneyError::Negative,
            MoneyError::Overflow,
            MoneyError::InvalidCurrency,
            MoneyError::CurrencyMismatch {
                expected: EUR,
                found: EUR,
            },
        ];
        for e in all {
            assert!(e
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!e.to_string().is_empty());
        }
    }
}
