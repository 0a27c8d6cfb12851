//! The shopper's basket: SKUs and quantities, and the limits every basket keeps.
//!
//! A [`Basket`] holds ordered lines of `{sku, quantity}`, one line per SKU,
//! and no prices: prices come from the catalog when the basket is priced
//! ([`crate::order`]), so a basket restored from storage can never carry a
//! stale or tampered price.
//!
//! Limits ([`crate::limits`], also enforced by [`crate::pricing`] and
//! [`crate::order`]):
//! - quantity 1..=[`MAX_QUANTITY`] per line;
//! - at most [`MAX_LINES`] lines;
//! - a gross total of at most [`MAX_AMOUNT_MINOR`], which needs the prices:
//!   [`crate::order`] reports it.
//!
//! The operations ([`Basket::add`], [`Basket::set_quantity`],
//! [`Basket::remove`], [`Basket::clear`]) need no catalog; every operation
//! either succeeds or leaves the basket unchanged.

use core::fmt;

use crate::codes;
use crate::limits::is_valid_sku;
pub use crate::limits::{MAX_AMOUNT_MINOR, MAX_LINES, MAX_QUANTITY};

/// One basket line: a SKU and how many of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BasketLine {
    /// The product's SKU.
    pub sku: String,
    /// Number of units, 1..=[`MAX_QUANTITY`].
    pub quantity: u32,
}

/// Why a basket operation was refused (the basket is left unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BasketError {
    /// The requested quantity, or the sum after merging with the line already
    /// there, is outside 1..=[`MAX_QUANTITY`].
    QuantityOutOfRange {
        /// The offending quantity (after merging, for [`Basket::add`]).
        quantity: i64,
    },
    /// Adding a new SKU would make more than [`MAX_LINES`] lines.
    TooManyLines,
    /// The SKU is not a valid SKU (see [`is_valid_sku`]).
    InvalidSku {
        /// The SKU given.
        sku: String,
    },
    /// The stored basket text could not be read ([`Basket::decode`]).
    InvalidEncoding,
}

impl BasketError {
    /// Stable machine code (snake_case) the widget translates: e.g.
    /// `quantity_out_of_range`, `too_many_lines`, `invalid_sku`.
    pub fn code(&self) -> &'static str {
        match self {
            BasketError::QuantityOutOfRange { .. } => codes::QUANTITY_OUT_OF_RANGE,
            BasketError::TooManyLines => codes::TOO_MANY_LINES,
            BasketError::InvalidSku { .. } => codes::INVALID_SKU,
            BasketError::InvalidEncoding => codes::INVALID_BASKET_DATA,
        }
    }
}

impl fmt::Display for BasketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BasketError::QuantityOutOfRange { quantity } => {
                write!(f, "quantity {quantity} is not between 1 and {MAX_QUANTITY}")
            }
            BasketError::TooManyLines => {
                write!(
                    f,
                    "the basket cannot hold more than {MAX_LINES} different items"
                )
            }
            BasketError::InvalidSku { sku } => write!(f, "{sku:?} is not a valid SKU"),
            BasketError::InvalidEncoding => f.write_str("the stored basket could not be read"),
        }
    }
}

impl std::error::Error for BasketError {}

/// Checks a quantity from any source (a JS number, a form field) against
/// 1..=[`MAX_QUANTITY`].
pub fn check_quantity(quantity: i64) -> Result<u32, BasketError> {
    u32::try_from(quantity)
        .ok()
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or(BasketError::QuantityOutOfRange { quantity })
}

fn check_sku(sku: &str) -> Result<(), BasketError> {
    if is_valid_sku(sku) {
        Ok(())
    } else {
        Err(BasketError::InvalidSku {
            sku: sku.to_owned(),
        })
    }
}

/// An ordered list of basket lines, one per SKU, within the limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Basket {
    lines: Vec<BasketLine>,
}

impl Basket {
    /// An empty basket.
    pub fn new() -> Basket {
        Basket::default()
    }

    /// Builds a basket from lines (e.g. restored from storage) by adding them
    /// in order: lines with the same SKU merge, and every limit applies.
    pub fn from_lines<I, S>(lines: I) -> Result<Basket, BasketError>
    where
        I: IntoIterator<Item = (S, u32)>,
        S: AsRef<str>,
    {
        let mut basket = Basket::new();
        for (sku, quantity) in lines {
            basket.add(sku.as_ref(), quantity)?;
        }
        Ok(basket)
    }

    /// The lines, in the order their SKUs were first added.
    pub fn lines(&self) -> &[BasketLine] {
        &self.lines
    }

    /// Number of lines (distinct SKUs).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when the basket has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Total number of units over all lines (at most 99 900).
    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity).sum()
    }

    /// Quantity of `sku` in the basket (0 if absent).
    pub fn quantity_of(&self, sku: &str) -> u32 {
        self.position(sku).map_or(0, |i| self.lines[i].quantity)
    }

    /// Adds `quantity` units of `sku`: to its line if present (quantities add
    /// up), else as a new line at the end.
    ///
    /// Errors: `quantity` outside 1..=[`MAX_QUANTITY`] or a merged quantity
    /// above it, a new line beyond [`MAX_LINES`], an invalid SKU.
    pub fn add(&mut self, sku: &str, quantity: u32) -> Result<(), BasketError> {
        check_quantity(i64::from(quantity))?;
        match self.position(sku) {
            Some(i) => {
                let merged = self.lines[i].quantity.saturating_add(quantity);
                self.lines[i].quantity = check_quantity(i64::from(merged))?;
                Ok(())
            }
            None => self.push(sku, quantity),
        }
    }

    /// Sets the quantity of `sku`, adding the line if absent; 0 removes it.
    ///
    /// Errors: a quantity above [`MAX_QUANTITY`], a new line beyond
    /// [`MAX_LINES`], an invalid SKU.
    pub fn set_quantity(&mut self, sku: &str, quantity: u32) -> Result<(), BasketError> {
        if quantity == 0 {
            self.remove(sku);
            return Ok(());
        }
        let quantity = check_quantity(i64::from(quantity))?;
        match self.position(sku) {
            Some(i) => {
                self.lines[i].quantity = quantity;
                Ok(())
            }
            None => self.push(sku, quantity),
        }
    }

    /// Removes the line of `sku`; returns whether there was one.
    pub fn remove(&mut self, sku: &str) -> bool {
        let before = self.lines.len();
        self.lines.retain(|l| l.sku != sku);
        self.lines.len() != before
    }

    /// Removes every line.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The basket as compact text for storage (`localStorage`), without
    /// serde: `sku:quantity` pairs joined by `,` (`"tshirt-m:2,mug:1"`).
    /// SKUs cannot contain `:` or `,`, so no escaping is needed.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&line.sku);
            out.push(':');
            out.push_str(&line.quantity.to_string());
        }
        out
    }

    /// Reads text written by [`Basket::encode`]; the empty string is an empty
    /// basket. Every limit is checked again (storage can be edited by hand).
    pub fn decode(text: &str) -> Result<Basket, BasketError> {
        let mut basket = Basket::new();
        if text.is_empty() {
            return Ok(basket);
        }
        for pair in text.split(',') {
            let (sku, quantity) = pair.split_once(':').ok_or(BasketError::InvalidEncoding)?;
            if quantity.is_empty() || !quantity.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BasketError::InvalidEncoding);
            }
            // Digits only: what cannot be read is too large.
            let quantity = crate::digits::parse(quantity)
                .and_then(|q| u32::try_from(q).ok())
                .ok_or(BasketError::QuantityOutOfRange { quantity: i64::MAX })?;
            basket.add(sku, quantity)?;
        }
        Ok(basket)
    }

    fn position(&self, sku: &str) -> Option<usize> {
        self.lines.iter().position(|l| l.sku == sku)
    }

    fn push(&mut self, sku: &str, quantity: u32) -> Result<(), BasketError> {
        check_sku(sku)?;
        if self.lines.len() >= MAX_LINES {
            return Err(BasketError::TooManyLines);
        }
        self.lines.push(BasketLine {
            sku: sku.to_owned(),
            quantity,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_merges_same_sku() {
        let mut b = Basket::new();
        b.add("mug", 2).unwrap();
        b.add("ebook", 1).unwrap();
        b.add("mug", 3).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.quantity_of("mug"), 5);
        assert_eq!(b.item_count(), 6);
        assert_eq!(b.lines()[0].sku, "mug");
    }

    #[test]
    fn operations_table() {
        use BasketError::*;
        let full: Vec<(String, u32)> = (0..MAX_LINES).map(|i| (format!("sku-{i}"), 1)).collect();
        let full = Basket::from_lines(full).unwrap();
        let one_mug = Basket::from_lines([("mug", 998)]).unwrap();
        // (start, operation, expected error)
        type Op = fn(&mut Basket) -> Result<(), BasketError>;
        let cases: Vec<(&Basket, Op, Option<BasketError>)> = vec![
            (&one_mug, |b| b.add("mug", 1), None),
            (
                &one_mug,
                |b| b.add("mug", 2),
                Some(QuantityOutOfRange { quantity: 1000 }),
            ),
            (
                &one_mug,
                |b| b.add("mug", 0),
                Some(QuantityOutOfRange { quantity: 0 }),
            ),
            (
                &one_mug,
                |b| b.add("x", 1000),
                Some(QuantityOutOfRange { quantity: 1000 }),
            ),
            (
                &one_mug,
                |b| b.add("mug", u32::MAX),
                Some(QuantityOutOfRange {
                    quantity: i64::from(u32::MAX),
                }),
            ),
            (
                &one_mug,
                |b| b.add("bad sku", 1),
                Some(InvalidSku {
                    sku: "bad sku".into(),
                }),
            ),
            (
                &one_mug,
                |b| b.add("", 1),
                Some(InvalidSku { sku: "".into() }),
            ),
            (&one_mug, |b| b.set_quantity("mug", 999), None),
            (
                &one_mug,
                |b| b.set_quantity("mug", 1000),
                Some(QuantityOutOfRange { quantity: 1000 }),
            ),
            (&one_mug, |b| b.set_quantity("new", 5), None),
            (&one_mug, |b| b.set_quantity("mug", 0), None),
            (&full, |b| b.add("sku-0", 5), None),
            (&full, |b| b.add("one-more", 1), Some(TooManyLines)),
            (&full, |b| b.set_quantity("one-more", 1), Some(TooManyLines)),
            (&full, |b| b.set_quantity("one-more", 0), None),
        ];
        for (start, op, expected) in cases {
            let mut b = start.clone();
            let result = op(&mut b);
            assert_eq!(result.clone().err(), expected);
            if result.is_err() {
                assert_eq!(&b, start, "a failed operation leaves the basket unchanged");
            }
            assert!(b.len() <= MAX_LINES);
            assert!(b
                .lines()
                .iter()
                .all(|l| (1..=MAX_QUANTITY).contains(&l.quantity)));
        }
    }

    #[test]
    fn set_quantity_zero_removes_and_remove_reports() {
        let mut b = Basket::from_lines([("mug", 2), ("ebook", 1)]).unwrap();
        b.set_quantity("mug", 0).unwrap();
        assert_eq!(b.quantity_of("mug"), 0);
        assert!(!b.remove("mug"));
        assert!(b.remove("ebook"));
        assert!(b.is_empty());
        b.add("mug", 1).unwrap();
        b.clear();
        assert!(b.is_empty());
    }

    #[test]
    fn check_quantity_table() {
        for (q, ok) in [
            (-1, false),
            (0, false),
            (1, true),
            (999, true),
            (1000, false),
            (i64::MAX, false),
        ] {
            assert_eq!(check_quantity(q).is_ok(), ok, "{q}");
        }
    }

    #[test]
    fn encode_decode_table() {
        let b = Basket::from_lines([("tshirt-m", 2), ("mug", 1)]).unwrap();
        assert_eq!(b.encode(), "tshirt-m:2,mug:1");
        assert_eq!(Basket::decode(&b.encode()), Ok(b));
        assert_eq!(Basket::decode(""), Ok(Basket::new()));
        assert_eq!(Basket::decode("a:1,a:2").map(|b| b.quantity_of("a")), Ok(3));
        let bad: &[(&str, &str)] = &[
            ("a", "invalid_basket_data"),
            ("a:", "invalid_basket_data"),
            ("a:-1", "invalid_basket_data"),
            ("a:+1", "invalid_basket_data"),
            ("a:1,", "invalid_basket_data"),
            ("a:0", "quantity_out_of_range"),
            ("a:1000", "quantity_out_of_range"),
            ("a:99999999999", "quantity_out_of_range"),
            ("a:999999999999999999999", "quantity_out_of_range"),
            (":1", "invalid_sku"),
            ("a b:1", "invalid_sku"),
        ];
        for (text, code) in bad {
            assert_eq!(Basket::decode(text).unwrap_err().code(), *code, "{text:?}");
        }
    }

    #[test]
    fn error_display_and_codes() {
        let errors = [
            BasketError::QuantityOutOfRange { quantity: 0 },
            BasketError::TooManyLines,
            BasketError::InvalidSku { sku: "x y".into() },
            BasketError::InvalidEncoding,
        ];
        for e in errors {
            assert!(e
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!e.to_string().is_empty());
        }
    }
}
