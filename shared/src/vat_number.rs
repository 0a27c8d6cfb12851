//! EU VAT identification numbers of business buyers: their format, country
//! by country.
//!
//! A business buyer gives its VAT number at the details step; the widget
//! checks it before sending and the edge again before storing it with the
//! order. Only the format is checked (the country prefix and the shape of
//! the national part, as the European Commission's VIES service publishes
//! them): whether the number is registered needs VIES itself, which the
//! merchant can query from the admin's export.
//!
//! Spaces, dots and hyphens are ignored and letters may be lower case:
//! `fr 40 303 265 045` is read as `FR40303265045`. Greece's prefix is `EL`
//! (not its ISO code `GR`), Northern Ireland's `XI`.

use core::fmt;

/// The national part's shapes per prefix: `#` a digit, `A` a letter, `X` a
/// digit or a letter, any other character itself.
const FORMATS: &[(&str, &[&str])] = &[
    ("AT", &["U########"]),
    ("BE", &["0#########", "1#########"]),
    ("BG", &["#########", "##########"]),
    ("CY", &["########A"]),
    ("CZ", &["########", "#########", "##########"]),
    ("DE", &["#########"]),
    ("DK", &["########"]),
    ("EE", &["#########"]),
    ("EL", &["#########"]),
    ("ES", &["X#######X"]),
    ("FI", &["########"]),
    ("FR", &["XX#########"]),
    ("HR", &["###########"]),
    ("HU", &["########"]),
    ("IE", &["#######A", "#######AA", "#X#####A"]),
    ("IT", &["###########"]),
    ("LT", &["#########", "############"]),
    ("LU", &["########"]),
    ("LV", &["###########"]),
    ("MT", &["########"]),
    ("NL", &["#########B##"]),
    ("PL", &["##########"]),
    ("PT", &["#########"]),
    (
        "RO",
        &[
            "##",
            "###",
            "####",
            "#####",
            "######",
            "#######",
            "########",
            "#########",
            "##########",
        ],
    ),
    ("SE", &["##########01"]),
    ("SI", &["########"]),
    ("SK", &["##########"]),
    ("XI", &["#########", "############", "GD###", "HA###"]),
];

/// Longest VAT number accepted as typed, in bytes (separators included).
pub const MAX_VAT_NUMBER_LEN: usize = 32;

/// A VAT number whose format is right for its country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatNumber {
    text: String,
}

impl VatNumber {
    /// The number without separators, upper case, prefix first
    /// (`FR40303265045`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The two-letter prefix (`FR`, `EL`, `XI`...).
    pub fn prefix(&self) -> &str {
        &self.text[..2]
    }
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a text is not a VAT number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VatNumberError {
    /// Nothing but separators, or longer than [`MAX_VAT_NUMBER_LEN`].
    Length,
    /// A character other than a letter, a digit or a separator.
    Character,
    /// The first two letters are not an EU VAT prefix (`GR` gets
    /// [`VatNumberError::GreekPrefix`]).
    Prefix,
    /// A Greek number given with the ISO code: Greek VAT numbers start `EL`.
    GreekPrefix,
    /// The national part does not have the country's shape; `expected`
    /// describes it (`"FR + 2 letters or digits + 9 digits"`).
    Format {
        /// The prefix read.
        prefix: &'static str,
        /// The shapes allowed, for the message.
        expected: String,
    },
}

impl fmt::Display for VatNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VatNumberError::Length => f.write_str("a VAT number has 4 to 14 letters and digits"),
            VatNumberError::Character => {
                f.write_str("a VAT number has only letters, digits, spaces, dots and hyphens")
            }
            VatNumberError::Prefix => {
                f.write_str("a VAT number starts with its EU country's two letters (FR, DE, EL...)")
            }
            VatNumberError::GreekPrefix => f.write_str("Greek VAT numbers start with EL, not GR"),
            VatNumberError::Format { prefix, expected } => {
                write!(f, "a {prefix} VAT number is {prefix} + {expected}")
            }
        }
    }
}

impl std::error::Error for VatNumberError {}

/// Reads a VAT number as a buyer types it (see the module docs).
pub fn parse_vat_number(text: &str) -> Result<VatNumber, VatNumberError> {
    let (compact, prefix, shapes) = compact(text)?;
    if shapes.iter().any(|shape| fits(&compact[2..], shape)) {
        Ok(VatNumber { text: compact })
    } else {
        Err(VatNumberError::Format {
            prefix,
            expected: describe(shapes),
        })
    }
}

/// Whether [`parse_vat_number`] reads `text` as a VAT number, without
/// saying why not: the widget's check before sending (it shows one text
/// for any wrong number, and a description of the shapes would cost its
/// wasm the code that writes it).
pub fn is_vat_number(text: &str) -> bool {
    compact(text).is_ok_and(|(compact, _, shapes)| shapes.iter().any(|s| fits(&compact[2..], s)))
}

/// `text` without separators, upper case, with its prefix and its
/// country's shapes (see [`FORMATS`]), or why it cannot be a VAT number
/// whatever its national part.
fn compact(text: &str) -> Result<(String, &'static str, &'static [&'static str]), VatNumberError> {
    if text.len() > MAX_VAT_NUMBER_LEN {
        return Err(VatNumberError::Length);
    }
    let mut compact = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' | '.' | '-' => {}
            c if c.is_ascii_alphanumeric() => compact.push(c.to_ascii_uppercase()),
            _ => return Err(VatNumberError::Character),
        }
    }
    if !(4..=14).contains(&compact.len()) {
        return Err(VatNumberError::Length);
    }
    let prefix = &compact[..2];
    if prefix == "GR" {
        return Err(VatNumberError::GreekPrefix);
    }
    match FORMATS.iter().find(|(p, _)| *p == prefix) {
        Some((prefix, shapes)) => Ok((compact, prefix, shapes)),
        None => Err(VatNumberError::Prefix),
    }
}

/// Whether `national` has the shape `shape` (see [`FORMATS`]).
fn fits(national: &str, shape: &str) -> bool {
    national.len() == shape.len()
        && national.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'#' => c.is_ascii_digit(),
            b'A' => c.is_ascii_uppercase(),
            b'X' => c.is_ascii_alphanumeric(),
            literal => c == literal,
        })
}

/// The shapes in words: `"9 or 10 digits"`, `"U + 8 digits"`.
fn describe(shapes: &[&str]) -> String {
    if shapes.len() > 1 && shapes.iter().all(|s| s.bytes().all(|b| b == b'#')) {
        // "9 or 10 digits" rather than "9 digits or 10 digits".
        let counts: Vec<String> = shapes.iter().map(|s| s.len().to_string()).collect();
        return format!("{} digits", join_or(&counts));
    }
    let words: Vec<String> = shapes.iter().map(|s| describe_one(s)).collect();
    join_or(&words)
}

fn join_or(parts: &[String]) -> String {
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// One shape in words: runs of one class counted, literals kept as written.
fn describe_one(shape: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let bytes = shape.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let class = bytes[i];
        let literal = !matches!(class, b'#' | b'A' | b'X');
        let mut n = 1;
        // A run of one class, or of literal characters ("01").
        while i + n < bytes.len()
            && (bytes[i + n] == class || literal && !matches!(bytes[i + n], b'#' | b'A' | b'X'))
        {
            n += 1;
        }
        let plural = |one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        parts.push(match class {
            b'#' => plural("digit", "digits"),
            b'A' => plural("letter", "letters"),
            b'X' => plural("letter or digit", "letters or digits"),
            _ => shape[i..i + n].to_owned(),
        });
        i += n;
    }
    parts.join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_numbers_of_every_shape_are_read_compact_and_upper_case() {
        // (typed, read): published examples and made-up numbers of each shape.
        let table = [
            ("ATU12345678", "ATU12345678"),
            ("BE 0123.456.789", "BE0123456789"),
            ("BE1234567890", "BE1234567890"),
            ("BG123456789", "BG123456789"),
            ("BG1234567890", "BG1234567890"),
            ("CY12345678X", "CY12345678X"),
            ("CZ12345678", "CZ12345678"),
            ("CZ1234567890", "CZ1234567890"),
            ("DE 123 456 789", "DE123456789"),
            ("DK12345678", "DK12345678"),
            ("EE123456789", "EE123456789"),
            ("EL123456789", "EL123456789"),
            ("ESX1234567X", "ESX1234567X"),
            ("es12345678z", "ES12345678Z"),
            ("FI12345678", "FI12345678"),
            ("fr 40 303 265 045", "FR40303265045"),
            ("FRXX123456789", "FRXX123456789"),
            ("HR12345678901", "HR12345678901"),
            ("HU12345678", "HU12345678"),
            ("IE1234567T", "IE1234567T"),
            ("IE1234567WA", "IE1234567WA"),
            ("IE1A23456T", "IE1A23456T"),
            ("IT12345678901", "IT12345678901"),
            ("LT123456789", "LT123456789"),
            ("LT123456789012", "LT123456789012"),
            ("LU12345678", "LU12345678"),
            ("LV12345678901", "LV12345678901"),
            ("MT12345678", "MT12345678"),
            ("NL123456789B01", "NL123456789B01"),
            ("nl-123456789-b01", "NL123456789B01"),
            ("PL1234567890", "PL1234567890"),
            ("PT123456789", "PT123456789"),
            ("RO12", "RO12"),
            ("RO1234567890", "RO1234567890"),
            ("SE123456789001", "SE123456789001"),
            ("SI12345678", "SI12345678"),
            ("SK1234567890", "SK1234567890"),
            ("XI123456789", "XI123456789"),
            ("XIGD123", "XIGD123"),
            ("XIHA123", "XIHA123"),
        ];
        for (typed, read) in table {
            assert!(is_vat_number(typed), "{typed}");
            let n = parse_vat_number(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(n.as_str(), read, "{typed}");
            assert_eq!(n.prefix(), &read[..2]);
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_reason() {
        let format = |typed: &str| match parse_vat_number(typed) {
            Err(e @ VatNumberError::Format { .. }) => e.to_string(),
            other => panic!("{typed}: {other:?}"),
        };
        assert_eq!(format("DE12345678"), "a DE VAT number is DE + 9 digits");
        assert_eq!(format("ATU1234567"), "a AT VAT number is AT + U + 8 digits");
        assert_eq!(format("AT12345678"), "a AT VAT number is AT + U + 8 digits");
        assert_eq!(
            format("FR1234567890"),
            "a FR VAT number is FR + 2 letters or digits + 9 digits"
        );
        assert_eq!(
            format("BG12345678"),
            "a BG VAT number is BG + 9 or 10 digits"
        );
        assert_eq!(
            format("NL123456789A01"),
            "a NL VAT number is NL + 9 digits + B + 2 digits"
        );
        assert_eq!(
            format("SE123456789002"),
            "a SE VAT number is SE + 10 digits + 01"
        );
        assert_eq!(
            format("BE2123456789"),
            "a BE VAT number is BE + 0 + 9 digits or 1 + 9 digits"
        );
        assert_eq!(
            format("RO12345678901"),
            "a RO VAT number is RO + 2, 3, 4, 5, 6, 7, 8, 9 or 10 digits"
        );
        assert_eq!(
            format("CY123456789"),
            "a CY VAT number is CY + 8 digits + 1 letter"
        );

        let table = [
            ("", VatNumberError::Length),
            (" - . ", VatNumberError::Length),
            ("FR1", VatNumberError::Length),
            ("DE1234567890123", VatNumberError::Length),
            (
                "DE 123 456 789 000 000 000 000 000 1",
                VatNumberError::Length,
            ),
            ("DE123456789!", VatNumberError::Character),
            ("DE12345é789", VatNumberError::Character),
            ("US123456789", VatNumberError::Prefix),
            ("GB123456789", VatNumberError::Prefix),
            ("123456789", VatNumberError::Prefix),
            ("GR123456789", VatNumberError::GreekPrefix),
        ];
        for (typed, want) in table {
            assert_eq!(parse_vat_number(typed), Err(want), "{typed:?}");
        }
    }

    #[test]
    fn every_prefix_is_two_capital_letters_and_every_shape_uses_known_classes() {
        for (prefix, shapes) in FORMATS {
            assert!(prefix.len() == 2 && prefix.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(!shapes.is_empty());
            for s in *shapes {
                assert!(
                    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#'),
                    "{s}"
                );
                // Prefix + shape fits within the 14 characters VIES allows.
                assert!(2 + s.len() <= 14, "{prefix}{s}");
            }
        }
        // The 27 member states and Northern Ireland.
        assert_eq!(FORMATS.len(), 28);
    }

    #[test]
    fn the_widgets_check_agrees_with_the_edges_reading() {
        for typed in [
            "FR40303265045",
            "fr 40 303 265 045",
            "DE12345678",
            "GR123456789",
            "EL123456789",
            "US123456789",
            "DE 123!456 789",
            "",
            "DE",
            "ATU1234567",
            "XIGD123",
            "NL123456789B01",
            &"1".repeat(33),
        ] {
            assert_eq!(
                is_vat_number(typed),
                parse_vat_number(typed).is_ok(),
                "{typed:?}"
            );
        }
    }
}
