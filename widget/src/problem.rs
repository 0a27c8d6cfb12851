//! Failures as the widget reports them: a stable `code` and a developer
//! `detail` for `qc:error` and the console, and a short translated text
//! ([`Msg`]) for the shopper.
//!
//! Codes are `shared`'s error codes and the edge's API error codes, plus
//! `network` (no answer at all) and `http_<status>` when an answer carried no
//! code. The shopper's text is chosen from the code first, then from the HTTP
//! status class, so a code the widget does not know still reads sensibly.
//! A 422 about the shopper's details also carries its field pointers
//! (`customer.address.country`), shown inline on the details step.

use shared::BasketError;

use crate::i18n::Msg;

/// The edge's 409 when a basket asks more than is left of an item (its
/// `field` points at the item: `items[1].sku`).
pub(crate) const SOLD_OUT: &str = "sold_out";

/// One failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Stable snake_case code (`unknown_sku`, `rate_limited`, `network`...).
    pub(crate) code: String,
    /// What happened, for developers (English, may be empty).
    pub(crate) detail: String,
    /// HTTP status of the edge's answer; 0 when there was none.
    pub(crate) status: u16,
    /// What the shopper is told.
    pub(crate) msg: Msg,
    /// `(field, code)` of each problem the edge listed (`error.field` and
    /// `error.problems`), e.g. `("customer.email", "invalid_email")`.
    pub(crate) fields: Vec<(String, String)>,
}

impl Problem {
    /// A failure with no HTTP answer behind it.
    pub(crate) fn new(code: &str, detail: impl Into<String>) -> Problem {
        Problem::http(0, code, detail)
    }

    /// The edge answered `status` with error `code`.
    pub(crate) fn http(status: u16, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            code: code.to_owned(),
            detail: detail.into(),
            status,
            msg: msg_for(code, status),
            fields: Vec::new(),
        }
    }

    /// For the invoice flow: a 4xx that is not about load means the invoice
    /// cannot be paid (unknown, canceled...), whatever the code.
    pub(crate) fn for_invoice(mut self) -> Problem {
        if (400..500).contains(&self.status)
            && !matches!(self.msg, Msg::ErrBusy | Msg::ErrInvoicePaid)
        {
            self.msg = Msg::ErrInvoice;
        }
        self
    }
}

impl From<BasketError> for Problem {
    /// The code and the SKU or quantity at fault. (Not `shared`'s Display:
    /// its `{:?}` formatting would pull Rust's string escaping and Unicode
    /// tables into the wasm.)
    fn from(e: BasketError) -> Problem {
        let detail = match &e {
            BasketError::QuantityOutOfRange { quantity } => shared::digits::signed(*quantity),
            BasketError::InvalidSku { sku } => sku.clone(),
            _ => String::new(),
        };
        Problem::new(e.code(), detail)
    }
}

/// The shopper's text for an error code (`shared::api::errors`), falling
/// back on the status class. Codes about the
/// request itself (`invalid_json`, `origin_not_allowed`, `payload_too_large`...)
/// are nothing the shopper can fix: the generic text. Problems with the
/// shopper's details are shown inline (see `details::message`); this is
/// their text when no field can show them.
fn msg_for(code: &str, status: u16) -> Msg {
    use shared::api::errors as e;
    match code {
        e::UNKNOWN_SKU | e::INVALID_SKU => Msg::ErrGone,
        e::QUANTITY_OUT_OF_RANGE => Msg::ErrQuantity,
        e::TOO_MANY_LINES => Msg::ErrTooMany,
        e::AMOUNT_TOO_LARGE => Msg::ErrAmount,
        e::EMPTY_BASKET => Msg::ErrEmpty,
        e::UNSHIPPABLE_COUNTRY => Msg::ErrUnshippable,
        SOLD_OUT => Msg::ErrSoldOut,
        e::UNKNOWN_DISCOUNT_CODE => Msg::ErrCodeUnknown,
        e::DISCOUNT_CODE_NOT_YET_VALID => Msg::ErrCodeNotYet,
        e::DISCOUNT_CODE_EXPIRED => Msg::ErrCodeExpired,
        e::DISCOUNT_CODE_USED_UP => Msg::ErrCodeUsedUp,
        // 409 checkout_in_progress: the same attempt is still being created.
        e::RATE_LIMITED | e::CHECKOUT_IN_PROGRESS => Msg::ErrBusy,
        e::NETWORK => Msg::ErrNetwork,
        e::PAYMENT_PROVIDER_UNAVAILABLE
        | e::PAYMENT_PROVIDER_TIMEOUT
        | e::PAYMENT_PROVIDER_REJECTED
        | e::NOT_CONNECTED
        | e::MISCONFIGURED
        | e::SERVICE_UNAVAILABLE => Msg::ErrDown,
        e::INVALID_INVOICE_ID | e::INVOICE_NOT_PAYABLE => Msg::ErrInvoice,
        e::INVOICE_ALREADY_PAID => Msg::ErrInvoicePaid,
        // 503: the merchant must reconnect Qonto; retrying now will not help.
        e::PAYMENTS_PAUSED => Msg::ErrPaused,
        _ => match status {
            429 => Msg::ErrBusy,
            500..=599 => Msg::ErrDown,
            _ => Msg::ErrGeneric,
        },
    }
}
