//! VAT rates as exact basis points, and the two string encodings Qonto uses.
//!
//! A [`VatRate`] is a whole number of basis points (1/100 of a percent):
//! 2100 is 21 %, 550 is 5.5 %. Every EU rate is a multiple of 0.1 %, so basis
//! points are exact where a float would not be.
//!
//! Qonto's docs show `vat_rate` both as a percent (`"21.0"`) and as a
//! fraction (`"0.21"`), so the encoding we send is configured
//! (`VAT_RATE_FORMAT`, see [`VatRateFormat`]) and parsing comes in two kinds:
//! [`VatRate::parse`], strict for one known encoding, and
//! [`VatRate::parse_lenient`] for Qonto responses whose encoding is unknown.

use core::fmt;

/// A VAT rate between 0 % and 100 %, in basis points (2100 = 21 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatRate(u32);

/// The highest rate accepted: 100 %, in basis points.
pub const MAX_BASIS_POINTS: u32 = 10_000;

/// How a VAT rate is written as a string (the `VAT_RATE_FORMAT` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VatRateFormat {
    /// A fraction of one: `"0.21"`, `"0.055"`, `"0.2"`, `"0.0"`.
    Fraction,
    /// A percent: `"21.0"`, `"5.5"`, `"20.0"`, `"0.0"`.
    Percent,
}

impl VatRateFormat {
    /// Parses the `VAT_RATE_FORMAT` setting: `"fraction"` or `"percent"`
    /// (ASCII case and surrounding whitespace ignored, as it is typed by hand).
    pub fn parse(setting: &str) -> Result<VatRateFormat, VatError> {
        let setting = setting.trim();
        if setting.eq_ignore_ascii_case("fraction") {
            Ok(VatRateFormat::Fraction)
        } else if setting.eq_ignore_ascii_case("percent") {
            Ok(VatRateFormat::Percent)
        } else {
            Err(VatError::UnknownFormat)
        }
    }

    /// The setting's spelling: `"fraction"` or `"percent"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            VatRateFormat::Fraction => "fraction",
            VatRateFormat::Percent => "percent",
        }
    }

    /// Decimals of the encoding that one basis point needs.
    fn scale(self) -> u32 {
        match self {
            VatRateFormat::Fraction => 4,
            VatRateFormat::Percent => 2,
        }
    }
}

/// What went wrong with a VAT rate or its format setting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VatError {
    /// The rate string was empty.
    Empty,
    /// The rate string is not `digits[.digits]` (whitespace, exponent, `+`,
    /// `%`, comma, missing digit around the `.`...).
    Malformed,
    /// The rate has a `-`.
    Negative,
    /// The rate is finer than a basis point (`"0.12345"`, `"5.555"`): rejected
    /// rather than rounded, since a rounded rate would change the price.
    TooPrecise,
    /// The rate is above 100 %.
    OutOfRange,
    /// The `VAT_RATE_FORMAT` setting is neither `fraction` nor `percent`.
    UnknownFormat,
}

impl VatError {
    /// Stable machine code (snake_case) for translations and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            VatError::Empty => "empty_vat_rate",
            VatError::Malformed => "invalid_vat_rate",
            VatError::Negative => "negative_vat_rate",
            VatError::TooPrecise => "vat_rate_too_precise",
            VatError::OutOfRange => "vat_rate_out_of_range",
            VatError::UnknownFormat => "unknown_vat_rate_format",
        }
    }
}

impl fmt::Display for VatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VatError::Empty => "VAT rate is empty",
            VatError::Malformed => "VAT rate must be a plain decimal number such as 20 or 5.5",
            VatError::Negative => "VAT rate must not be negative",
            VatError::TooPrecise => "VAT rate is more precise than 0.01 %",
            VatError::OutOfRange => "VAT rate must be between 0 % and 100 %",
            VatError::UnknownFormat => "VAT rate format must be \"fraction\" or \"percent\"",
        })
    }
}

impl std::error::Error for VatError {}

impl VatRate {
    /// 0 %.
    pub const ZERO: VatRate = VatRate(0);

    /// A rate of `bp` basis points (2100 = 21 %); above 10 000 is
    /// [`VatError::OutOfRange`].
    pub const fn from_basis_points(bp: u32) -> Result<VatRate, VatError> {
        if bp <= MAX_BASIS_POINTS {
            Ok(VatRate(bp))
        } else {
            Err(VatError::OutOfRange)
        }
    }

    /// The rate in basis points (2100 = 21 %).
    pub const fn basis_points(&self) -> u32 {
        self.0
    }

    /// Parses `s` in exactly one encoding.
    ///
    /// Both accept `digits[.digits]` only. Trailing zeros are fine (`"21.00"`,
    /// `"0.2100"`); a digit finer than a basis point is [`VatError::TooPrecise`].
    /// Percent `"21"` and fraction `"1"` are accepted without decimals.
    pub fn parse(s: &str, format: VatRateFormat) -> Result<VatRate, VatError> {
        Decimal::parse(s)?.scaled(format.scale())
    }

    /// Parses a rate whose encoding is unknown (Qonto's responses).
    ///
    /// Rule: a value strictly between 0 and 1 is a fraction (`"0.21"` is 21 %),
    /// anything else is a percent (`"21.0"` is 21 %, `"1"` is 1 %, `"0"` is 0 %).
    /// No real VAT rate is below 1 % or exactly 100 %, the only places where
    /// the two readings collide.
    pub fn parse_lenient(s: &str) -> Result<VatRate, VatError> {
        let decimal = Decimal::parse(s)?;
        let is_fraction =
            decimal.int.bytes().all(|b| b == b'0') && decimal.frac.bytes().any(|b| b != b'0');
        let format = if is_fraction {
            VatRateFormat::Fraction
        } else {
            VatRateFormat::Percent
        };
        decimal.scaled(format.scale())
    }

    /// The rate in `format`, with at least one decimal and no trailing zeros
    /// beyond it: fraction `"0.21"`, `"0.055"`, `"0.2"`, `"0.0"`, `"1.0"`;
    /// percent `"21.0"`, `"5.5"`, `"20.0"`, `"0.0"`, `"100.0"`.
    pub fn format(&self, format: VatRateFormat) -> String {
        let scale = format.scale();
        let unit = 10u32.pow(scale);
        let int = self.0 / unit;
        let frac = crate::digits::digits(u64::from(self.0 % unit), scale as usize);
        let frac = frac.trim_end_matches('0');
        let frac = if frac.is_empty() { "0" } else { frac };
        [&crate::digits::number(u64::from(int)), ".", frac].concat()
    }
}

impl fmt::Display for VatRate {
    /// The percent encoding followed by `%`: `"5.5 %"`. For logs and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", self.format(VatRateFormat::Percent))
    }
}

/// A syntactically valid unsigned decimal, not yet scaled.
struct Decimal<'a> {
    int: &'a str,
    frac: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(s: &'a str) -> Result<Decimal<'a>, VatError> {
        if s.is_empty() {
            return Err(VatError::Empty);
        }
        if s.starts_with('-') {
            return Err(VatError::Negative);
        }
        let (int, frac) = match s.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (s, None),
        };
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !frac.is_none_or(all_digits) {
            return Err(VatError::Malformed);
        }
        Ok(Decimal {
            int,
            frac: frac.unwrap_or(""),
        })
    }

    /// The value × 10^`scale`, as basis points; digits past `scale` must be 0.
    fn scaled(&self, scale: u32) -> Result<VatRate, VatError> {
        let scale = scale as usize;
        // (ASCII digits only, so any index is a boundary: `_checked` only
        // keeps a panic path out of the widget's wasm.)
        let (kept, rest) = self
            .frac
            .split_at_checked(self.frac.len().min(scale))
            .ok_or(VatError::Malformed)?;
        if rest.bytes().any(|b| b != b'0') {
            return Err(VatError::TooPrecise);
        }
        let padding = "0000".get(..scale - kept.len()).unwrap_or("");
        let mut bp: u32 = 0;
        for digit in self.int.bytes().chain(kept.bytes()).chain(padding.bytes()) {
            bp = bp
                .checked_mul(10)
                .and_then(|v| v.checked_add(u32::from(digit - b'0')))
                .ok_or(VatError::OutOfRange)?;
        }
        VatRate::from_basis_points(bp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VatRateFormat::{Fraction, Percent};

    fn bp(v: u32) -> VatRate {
        VatRate::from_basis_points(v).unwrap()
    }

    #[test]
    fn format_table() {
        let cases: &[(u32, &str, &str)] = &[
            (2100, "0.21", "21.0"),
            (550, "0.055", "5.5"),
            (2000, "0.2", "20.0"),
            (0, "0.0", "0.0"),
            (10_000, "1.0", "100.0"),
            (1234, "0.1234", "12.34"),
            (5, "0.0005", "0.05"),
            (100, "0.01", "1.0"),
            (1000, "0.1", "10.0"),
            (210, "0.021", "2.1"),
        ];
        for &(v, fraction, percent) in cases {
            assert_eq!(bp(v).format(Fraction), fraction, "{v}");
            assert_eq!(bp(v).format(Percent), percent, "{v}");
            assert_eq!(VatRate::parse(fraction, Fraction), Ok(bp(v)));
            assert_eq!(VatRate::parse(percent, Percent), Ok(bp(v)));
        }
        assert_eq!(bp(550).to_string(), "5.5 %");
    }

    #[test]
    fn parse_strict_table() {
        use VatError::*;
        let cases: &[(&str, VatRateFormat, Result<u32, VatError>)] = &[
            ("21.0", Percent, Ok(2100)),
            ("21", Percent, Ok(2100)),
            ("21.00", Percent, Ok(2100)),
            ("21.000", Percent, Ok(2100)),
            ("5.5", Percent, Ok(550)),
            ("0", Percent, Ok(0)),
            ("100", Percent, Ok(10_000)),
            ("100.00", Percent, Ok(10_000)),
            ("100.01", Percent, Err(OutOfRange)),
            ("101", Percent, Err(OutOfRange)),
            ("5.555", Percent, Err(TooPrecise)),
            ("99999999999999999999", Percent, Err(OutOfRange)),
            ("0.21", Fraction, Ok(2100)),
            ("0.2100", Fraction, Ok(2100)),
            ("0.055", Fraction, Ok(550)),
            ("0", Fraction, Ok(0)),
            ("1", Fraction, Ok(10_000)),
            ("1.0001", Fraction, Err(OutOfRange)),
            ("2", Fraction, Err(OutOfRange)),
            ("21.0", Fraction, Err(OutOfRange)),
            ("0.12345", Fraction, Err(TooPrecise)),
            ("0.123450", Fraction, Err(TooPrecise)),
            ("", Percent, Err(Empty)),
            ("", Fraction, Err(Empty)),
            ("-1", Percent, Err(Negative)),
            ("-0.2", Fraction, Err(Negative)),
            ("+21", Percent, Err(Malformed)),
            ("21%", Percent, Err(Malformed)),
            (" 21", Percent, Err(Malformed)),
            ("21 ", Percent, Err(Malformed)),
            ("2e1", Percent, Err(Malformed)),
            ("0,21", Fraction, Err(Malformed)),
            (".21", Fraction, Err(Malformed)),
            ("21.", Percent, Err(Malformed)),
            ("NaN", Percent, Err(Malformed)),
        ];
        for (input, format, expected) in cases {
            let expected = expected.clone().map(bp);
            assert_eq!(
                VatRate::parse(input, *format),
                expected,
                "{input:?} {format:?}"
            );
        }
    }

    #[test]
    fn parse_lenient_table() {
        let cases: &[(&str, Result<u32, VatError>)] = &[
            ("21.0", Ok(2100)),
            ("0.21", Ok(2100)),
            ("0.2", Ok(2000)),
            ("20", Ok(2000)),
            ("0.055", Ok(550)),
            ("5.5", Ok(550)),
            ("0", Ok(0)),
            ("0.0", Ok(0)),
            ("00.000", Ok(0)),
            ("1", Ok(100)),
            ("1.0", Ok(100)),
            ("100", Ok(10_000)),
            ("0.00001", Err(VatError::TooPrecise)),
            ("-0.21", Err(VatError::Negative)),
            ("101", Err(VatError::OutOfRange)),
            ("abc", Err(VatError::Malformed)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                VatRate::parse_lenient(input),
                expected.clone().map(bp),
                "{input:?}"
            );
        }
    }

    #[test]
    fn basis_points_bounds() {
        assert_eq!(
            VatRate::from_basis_points(10_000).map(|r| r.basis_points()),
            Ok(10_000)
        );
        assert_eq!(
            VatRate::from_basis_points(10_001),
            Err(VatError::OutOfRange)
        );
        assert_eq!(VatRate::ZERO.basis_points(), 0);
    }

    #[test]
    fn format_setting_table() {
        let cases: &[(&str, Result<VatRateFormat, VatError>)] = &[
            ("fraction", Ok(Fraction)),
            ("percent", Ok(Percent)),
            (" Percent\n", Ok(Percent)),
            ("FRACTION", Ok(Fraction)),
            ("", Err(VatError::UnknownFormat)),
            ("percentage", Err(VatError::UnknownFormat)),
        ];
        for (input, expected) in cases {
            assert_eq!(VatRateFormat::parse(input), *expected, "{input:?}");
        }
        for f in [Fraction, Percent] {
            assert_eq!(VatRateFormat::parse(f.as_str()), Ok(f));
        }
    }

    #[test]
    fn error_codes_are_snake_case() {
        use VatError::*;
        for e in [
            Empty,
            Malformed,
            Negative,
            TooPrecise,
            OutOfRange,
            UnknownFormat,
        ] {
            assert!(e
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!e.to_string().is_empty());
        }
    }
}
