//! Every limit an order, a basket and a catalog keep, in one place: the
//! basket enforces them as the shopper edits, the pricing enforces them on
//! whatever it prices, the catalog keeps every product sellable within them,
//! and the edge's order validation and the widget's inputs use the same
//! numbers. (They lived beside the basket, the pricing and the catalog,
//! which then imported each other for them.)

/// Highest quantity of one line. Three digits fit the quantity field and
/// catch a slipped key without limiting real orders.
pub const MAX_QUANTITY: u32 = 999;

/// Most lines in a basket (and in one Qonto payment link we create).
pub const MAX_LINES: usize = 100;

/// Highest gross total of a basket, in minor units: 50 000.00 EUR.
///
/// A web-shop basket above this is far more likely a mistake or an abuse than
/// a sale, and large B2B sales go through invoices (invoice links are not
/// priced here). The cap also keeps every sum far from `i64` overflow. Qonto
/// documents no maximum of its own.
pub const MAX_AMOUNT_MINOR: i64 = 5_000_000;

/// Longest SKU accepted, in bytes.
pub const MAX_SKU_LEN: usize = 64;

/// Longest name, address line or city accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Longest postal code accepted, in characters.
pub const MAX_POSTAL_CODE_CHARS: usize = 20;

/// Longest phone number accepted, in characters.
pub const MAX_PHONE_CHARS: usize = 32;

/// Longest e-mail address accepted, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// Most payment methods a request may list.
pub const MAX_PAYMENT_METHODS: usize = 16;

/// True if `sku` is a valid SKU: 1..=[`MAX_SKU_LEN`] ASCII letters, digits,
/// `-`, `_` or `.`.
///
/// The narrow alphabet keeps SKUs safe in HTML attributes (`data-qc-add`),
/// URLs, JSON field pointers and the basket's storage text without escaping.
pub fn is_valid_sku(sku: &str) -> bool {
    !sku.is_empty()
        && sku.len() <= MAX_SKU_LEN
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
