//! The fields of a checkout request's customer: the pointer the edge's 422
//! problems name them by, and their length limits, for the edge's
//! validation and the widget's inputs (`maxlength`) alike.

use crate::limits::{MAX_EMAIL_BYTES, MAX_PHONE_CHARS, MAX_POSTAL_CODE_CHARS, MAX_TEXT_CHARS};

/// One field of the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The pointer in the edge's problems (`customer.address.city`).
    pub pointer: &'static str,
    /// The longest value accepted, in characters (0: no text limit, the
    /// country is a code).
    pub max_chars: usize,
    /// [`Field::max_chars`] written out, for the input's `maxlength`
    /// (the widget does not format numbers; a test keeps them equal).
    pub maxlength: &'static str,
}

/// The customer itself (a shipped order without one).
pub const CUSTOMER: &str = "customer";
/// The shipping address (a shipped order without one).
pub const ADDRESS: &str = "customer.address";

/// E-mail address.
pub const EMAIL: Field = Field {
    pointer: "customer.email",
    max_chars: MAX_EMAIL_BYTES,
    maxlength: "254",
};
/// Full name.
pub const NAME: Field = Field {
    pointer: "customer.name",
    max_chars: MAX_TEXT_CHARS,
    maxlength: "200",
};
/// Phone number (optional).
pub const PHONE: Field = Field {
    pointer: "customer.phone",
    max_chars: MAX_PHONE_CHARS,
    maxlength: "32",
};
/// Street and number.
pub const LINE1: Field = Field {
    pointer: "customer.address.line1",
    max_chars: MAX_TEXT_CHARS,
    maxlength: "200",
};
/// Second address line (optional).
pub const LINE2: Field = Field {
    pointer: "customer.address.line2",
    max_chars: MAX_TEXT_CHARS,
    maxlength: "200",
};
/// Postal code.
pub const POSTAL_CODE: Field = Field {
    pointer: "customer.address.postal_code",
    max_chars: MAX_POSTAL_CODE_CHARS,
    maxlength: "20",
};
/// City.
pub const CITY: Field = Field {
    pointer: "customer.address.city",
    max_chars: MAX_TEXT_CHARS,
    maxlength: "200",
};
/// Country (a 2-letter ISO 3166 code, chosen from a list).
pub const COUNTRY: Field = Field {
    pointer: "customer.address.country",
    max_chars: 0,
    maxlength: "",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxlength_says_max_chars() {
        for f in [EMAIL, NAME, PHONE, LINE1, LINE2, POSTAL_CODE, CITY, COUNTRY] {
            let written = if f.max_chars == 0 {
                String::new()
            } else {
                f.max_chars.to_string()
            };
            assert_eq!(f.maxlength, written, "{}", f.pointer);
            assert!(f.pointer.starts_with(CUSTOMER));
        }
    }
}
