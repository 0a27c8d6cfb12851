//! The fields of a checkout request's customer: the pointer the edge's 422
//! problems name them by, their length limits, for the edge's validation and
//! the widget's inputs (`maxlength`) alike, and the characters no customer
//! text may hold ([`forbidden_character`]).

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
/// A business buyer's company name (optional).
pub const COMPANY: Field = Field {
    pointer: "customer.company",
    max_chars: MAX_TEXT_CHARS,
    maxlength: "200",
};
/// A business buyer's EU VAT number (optional; as typed, separators
/// included).
pub const VAT_NUMBER: Field = Field {
    pointer: "customer.vat_number",
    max_chars: crate::vat_number::MAX_VAT_NUMBER_LEN,
    maxlength: "32",
};
/// Country (a 2-letter ISO 3166 code, chosen from a list).
pub const COUNTRY: Field = Field {
    pointer: "customer.address.country",
    max_chars: 0,
    maxlength: "",
};

/// The first character of `text` that no customer text may hold, if any:
/// a control character (C0 `U+0000`–`U+001F`, `DEL`, C1 `U+0080`–`U+009F`;
/// no exception, a name or an address line is one line) or a bidirectional
/// embedding, override or isolate (`U+202A`–`U+202E`, `U+2066`–`U+2069`).
/// Those make a name or an address display other than it is stored (an
/// order shown to the merchant reversed, a CSV cell that hides its end),
/// and a shopper never types them.
pub fn forbidden_character(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_override_characters_are_forbidden() {
        let cases: &[(&str, Option<char>)] = &[
            ("Ana Lopes", None),
            ("Zoë Ørsted-Ågård", None),
            ("Łukasz Żółć", None),
            ("محمد عبد الله", None),
            ("李小龙", None),
            ("12 rue de l'Église, bât. B", None),
            // Marks that only hint a direction stay allowed (Arabic text needs them).
            ("abc\u{200F}def", None),
            ("", None),
            ("Ana\u{0000}", Some('\u{0000}')),
            ("Ana\nLopes", Some('\n')),
            ("Ana\tLopes", Some('\t')),
            ("Ana\rLopes", Some('\r')),
            ("Ana\u{001B}[31m", Some('\u{001B}')),
            ("Ana\u{007F}", Some('\u{007F}')),
            ("Ana\u{0085}", Some('\u{0085}')),
            ("Ana\u{009F}", Some('\u{009F}')),
            ("\u{202A}Ana", Some('\u{202A}')),
            ("\u{202B}Ana", Some('\u{202B}')),
            ("\u{202C}Ana", Some('\u{202C}')),
            ("\u{202D}Ana", Some('\u{202D}')),
            ("evil\u{202E}gpj.exe", Some('\u{202E}')),
            ("\u{2066}Ana", Some('\u{2066}')),
            ("\u{2067}Ana", Some('\u{2067}')),
            ("\u{2068}Ana", Some('\u{2068}')),
            ("Ana\u{2069}", Some('\u{2069}')),
            // Next to the ranges: a narrow no-break space (French "12\u{202F}€"),
            // a typographic apostrophe.
            ("12\u{202F}rue O\u{2019}Brien", None),
            ("\u{00A0}Ana", None),
        ];
        for (text, first) in cases {
            assert_eq!(forbidden_character(text), *first, "{text:?}");
        }
    }

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
