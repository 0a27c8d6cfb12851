//! The fake's own arithmetic for basket links: decimal strings to cents, VAT
//! rates to parts per million, and the link's gross amount.
//!
//! Written apart from the project's `shared` money and VAT code on purpose:
//! the fake plays Qonto, and Qonto does not run our rules. When the edge and
//! this module agree, it is because both are right, not because they share a
//! function. Test switches (see `Settings`) make it compute the amount as a
//! differently built Qonto might: rounding the VAT once on the total, or
//! reading `vat_rate` in the other scale than the one it validated.

use serde::Serialize;

/// How the VAT of a basket is rounded to the cent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Rounding {
    /// Each line's VAT rounded half-up, then summed (the documented example).
    PerLine,
    /// The exact VAT of every line summed, rounded once.
    Total,
}

impl Rounding {
    pub(crate) fn parse(s: &str) -> Option<Rounding> {
        match s {
            "per_line" => Some(Rounding::PerLine),
            "total" => Some(Rounding::Total),
            _ => None,
        }
    }
}

/// How an accepted `vat_rate` string is turned into a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum VatReading {
    /// In the scale it was validated in (`vat_rate_format`).
    AsValidated,
    /// Validated in the configured scale, then read in the other one (a
    /// fraction `"0.2"` computed as 0.2 %, a percent `"20.0"` as 2000 %...).
    OtherScale,
}

impl VatReading {
    pub(crate) fn parse(s: &str) -> Option<VatReading> {
        match s {
            "as_validated" => Some(VatReading::AsValidated),
            "other_scale" => Some(VatReading::OtherScale),
            _ => None,
        }
    }
}

/// Parts per million in one unit (1.0 = 1 000 000).
const PPM: i128 = 1_000_000;

/// `"12.34"`, `"12.3"` or `"12"` as cents. At most two decimals, no sign,
/// no exponent, no spaces.
pub(crate) fn cents(s: &str) -> Result<i64, String> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err(format!("{s:?} is not a decimal amount such as \"12.34\""));
    }
    if frac.len() > 2 {
        return Err(format!("{s:?} has more than two decimals"));
    }
    if int.len() > 13 {
        return Err(format!("{s:?} is too large"));
    }
    let int: i64 = int.parse().map_err(|_| format!("{s:?} is too large"))?;
    let frac: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| format!("{s:?} is not a decimal amount"))?;
    Ok(int * 100 + frac)
}

/// Cents as `"12.34"`.
pub(crate) fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// A decimal string `digits[.digits]` as parts per million of its value
/// (`"0.2"` → 200 000, `"20"` → 20 000 000). Finer than a millionth is
/// refused.
fn ppm_of(s: &str) -> Result<i128, String> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err("not a plain decimal number".into());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 6 || int.len() > 6 {
        return Err("too precise or too large".into());
    }
    let int: i128 = int.parse().map_err(|_| "too large".to_owned())?;
    let frac: i128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}")
            .parse()
            .map_err(|_| "not a number".to_owned())?
    };
    Ok(int * PPM + frac)
}

/// A validated VAT rate: `rate_ppm` is the fraction of the net that is VAT,
/// in parts per million (20 % = 200 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rate {
    pub(crate) rate_ppm: i128,
}

impl Rate {
    /// For the payment page: `20.0 %`, `5.5 %`.
    pub(crate) fn label(&self) -> String {
        // Percent with up to 4 decimals, at least one.
        let hundredths_of_bp = self.rate_ppm; // 1 ppm of a fraction = 0.0001 %
        let int = hundredths_of_bp / 10_000;
        let frac = format!("{:04}", hundredths_of_bp % 10_000);
        let frac = frac.trim_end_matches('0');
        let frac = if frac.is_empty() { "0" } else { frac };
        format!("{int}.{frac} %")
    }
}

/// Checks `s` in the account's scale (`fraction`: 0 to 1; `percent`: 0 to
/// 100) and turns it into a rate, read as `reading` says.
pub(crate) fn vat_rate(s: &str, fraction: bool, reading: VatReading) -> Result<Rate, String> {
    let value = ppm_of(s)?;
    let (max, example) = if fraction {
        (PPM, "0.2")
    } else {
        (100 * PPM, "20.0")
    };
    if value > max {
        return Err(format!(
            "out of range for a {}; expected a value such as \"{example}\"",
            if fraction { "fraction" } else { "percent" }
        ));
    }
    let read_as_fraction = match reading {
        VatReading::AsValidated => fraction,
        VatReading::OtherScale => !fraction,
    };
    let rate_ppm = if read_as_fraction { value } else { value / 100 };
    Ok(Rate { rate_ppm })
}

/// One basket line, as the fake prices it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) quantity: u32,
    pub(crate) unit_cents: i64,
    pub(crate) rate: Rate,
}

impl Line {
    fn net(&self) -> i128 {
        i128::from(self.unit_cents) * i128::from(self.quantity)
    }

    /// VAT in millionths of a cent, exact.
    fn exact_vat(&self) -> i128 {
        self.net() * self.rate.rate_ppm
    }

    /// This line's gross with its VAT rounded half-up (for the page).
    pub(crate) fn gross(&self) -> i64 {
        clamp(self.net() + round_ppm(self.exact_vat()))
    }
}

/// Millionths of a cent to cents, half away from zero.
fn round_ppm(v: i128) -> i128 {
    if v >= 0 {
        (v + PPM / 2) / PPM
    } else {
        (v - PPM / 2) / PPM
    }
}

fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The link's gross amount in cents.
pub(crate) fn gross(lines: &[Line], rounding: Rounding) -> i64 {
    let net: i128 = lines.iter().map(Line::net).sum();
    let vat = match rounding {
        Rounding::PerLine => lines.iter().map(|l| round_ppm(l.exact_vat())).sum(),
        Rounding::Total => round_ppm(lines.iter().map(Line::exact_vat).sum()),
    };
    clamp(net + vat)
}

/// The amount (cents) this fake charges for basket `items` as sent in a
/// create body (`quantity`, `unit_price.value`, `vat_rate`), with the
/// account's `vat_rate` scale (`fraction`: `"0.2"`; else percent `"20.0"`)
/// and `rounding` (`"per_line"` or `"total"`, as `/_control/settings`
/// takes them): the fake's own parsing and arithmetic, for tests that
/// price what the edge sends without a running fake.
pub fn items_amount(
    items: &[serde_json::Value],
    fraction: bool,
    rounding: &str,
) -> Result<i64, String> {
    let rounding = Rounding::parse(rounding).ok_or_else(|| format!("rounding {rounding:?}"))?;
    let lines = items
        .iter()
        .map(|item| {
            let quantity = item["quantity"]
                .as_u64()
                .and_then(|q| u32::try_from(q).ok())
                .filter(|q| *q > 0)
                .ok_or_else(|| format!("quantity of {item}"))?;
            let unit = item["unit_price"]["value"]
                .as_str()
                .ok_or_else(|| format!("unit_price of {item}"))?;
            let rate = item["vat_rate"]
                .as_str()
                .ok_or_else(|| format!("vat_rate of {item}"))?;
            Ok(Line {
                quantity,
                unit_cents: cents(unit)?,
                rate: vat_rate(rate, fraction, VatReading::AsValidated)?,
            })
        })
        .collect::<Result<Vec<Line>, String>>()?;
    Ok(gross(&lines, rounding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents_strictly() {
        assert_eq!(cents("12.34"), Ok(1234));
        assert_eq!(cents("12.3"), Ok(1230));
        assert_eq!(cents("12"), Ok(1200));
        assert_eq!(cents("0.05"), Ok(5));
        for bad in ["", "1.234", "-1.00", "1e2", " 1.00", "1.", ".5", "1,00"] {
            assert!(cents(bad).is_err(), "{bad:?}");
        }
        assert_eq!(decimal(1234), "12.34");
        assert_eq!(decimal(5), "0.05");
    }

    #[test]
    fn rates_are_validated_in_one_scale_and_read_as_told() {
        let r = |s, f, rd| vat_rate(s, f, rd).map(|r| r.rate_ppm);
        assert_eq!(r("0.2", true, VatReading::AsValidated), Ok(200_000));
        assert_eq!(r("0.055", true, VatReading::AsValidated), Ok(55_000));
        assert_eq!(r("20.0", false, VatReading::AsValidated), Ok(200_000));
        assert!(r("20.0", true, VatReading::AsValidated).is_err());
        // Accepted as a fraction, computed as 0.2 %.
        assert_eq!(r("0.2", true, VatReading::OtherScale), Ok(2_000));
        assert_eq!(
            vat_rate("5.5", false, VatReading::AsValidated).map(|r| r.label()),
            Ok("5.5 %".to_owned())
        );
    }

    #[test]
    fn the_documented_example_and_the_two_roundings() {
        // Qonto's docs: 10.99 at 21 % is 13.30.
        let rate = vat_rate("0.21", true, VatReading::AsValidated).unwrap();
        let l = Line {
            quantity: 1,
            unit_cents: 1099,
            rate,
        };
        assert_eq!(gross(&[l], Rounding::PerLine), 1330);
        // Three lines of 0.10 at 5 %: VAT 0.005 each, 0.01 per line rounded
        // (0.33 in all), 0.015 on the total rounded once (0.32).
        let rate = vat_rate("0.05", true, VatReading::AsValidated).unwrap();
        let l = Line {
            quantity: 1,
            unit_cents: 10,
            rate,
        };
        assert_eq!(gross(&[l, l, l], Rounding::PerLine), 33);
        assert_eq!(gross(&[l, l, l], Rounding::Total), 32);
    }
}
