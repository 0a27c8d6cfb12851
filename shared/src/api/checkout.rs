//! The checkout bodies: `POST /v1/checkouts` (request and `201` answer),
//! `GET /v1/checkouts/{id}`, `POST /v1/invoice-checkouts`, `GET /health`,
//! and the public [`CheckoutStatus`].

use core::fmt;

use crate::money::WireAmount;

/// `POST /v1/checkouts` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CheckoutRequest {
    /// What to buy; SKUs repeated across items are merged (see
    /// [`CheckoutRequest::validate`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub items: Vec<CheckoutItem>,
    /// The buyer, for shops that ship goods.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub customer: Option<Customer>,
    /// Payment methods to offer (a subset of those enabled); all enabled ones
    /// when absent.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub payment_methods: Option<Vec<String>>,
    /// The shop page the checkout starts from: Qonto sends the shopper back
    /// there (with `qc_checkout=<id>`) after paying. Its origin must be one
    /// of the edge's `ALLOWED_ORIGINS`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub return_url: Option<String>,
    /// The shopper's language (a BCP 47 tag such as `fr-BE`), kept with the
    /// checkout for the order confirmation e-mail; English when absent or
    /// not one the edge writes.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub language: Option<String>,
    /// `true` when the shopper ticked "I accept the terms" at the details
    /// step; required (422 `terms_not_accepted`) by a shop that publishes
    /// terms (`TERMS_URL`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub terms_accepted: Option<bool>,
    /// A discount code the shopper typed (any case); refused with a 422
    /// (`unknown_discount_code`, `discount_code_expired`...) when it does
    /// not apply to this basket now.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub discount_code: Option<String>,
}

/// One item of a [`CheckoutRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct CheckoutItem {
    /// The product's SKU.
    pub sku: String,
    /// How many; signed so that `-1` is a validation error with a pointer,
    /// not a JSON error.
    pub quantity: i64,
}

/// The buyer's details (the details step before Pay, for shipped goods).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Customer {
    /// E-mail address.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Optional phone number.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub phone: Option<String>,
    /// Shipping address, required by the edge when the order has goods and
    /// shipping is configured.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub address: Option<Address>,
    /// A business buyer's company name (only in a shop that takes business
    /// buyers, `BUSINESS_BUYERS=on`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub company: Option<String>,
    /// A business buyer's EU VAT number (see [`crate::vat_number`]), stored
    /// without separators (`FR40303265045`); needs `company`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub vat_number: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// Optional second line (building, floor...).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub line2: Option<String>,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `"FR"`.
    pub country: String,
}

/// One line of a [`CheckoutResponse`]: a priced item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckoutLine {
    /// The product's SKU.
    pub sku: String,
    /// The product's title.
    pub title: String,
    /// Number of units.
    pub quantity: u32,
    /// Net unit price.
    pub unit_price: WireAmount,
    /// VAT rate, percent string (`"20.0"`).
    pub vat_rate: String,
    /// Line net.
    pub net: WireAmount,
    /// Line VAT.
    pub vat: WireAmount,
    /// Line gross.
    pub gross: WireAmount,
}

/// `201` answer to `POST /v1/checkouts` (and to `POST /v1/invoice-checkouts`,
/// with no lines).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckoutResponse {
    /// The checkout's id at the edge (use it with `GET /v1/checkouts/{id}`).
    pub id: String,
    /// The payment page to send the shopper to.
    pub url: String,
    /// Current status (`open` when just created).
    pub status: CheckoutStatus,
    /// Gross amount to pay.
    pub amount: WireAmount,
    /// The priced lines (empty for an invoice).
    #[cfg_attr(feature = "serde", serde(default))]
    pub lines: Vec<CheckoutLine>,
    /// When the payment link expires (RFC 3339), if Qonto says.
    #[cfg_attr(feature = "serde", serde(default))]
    pub expires_at: Option<String>,
    /// The checkout's short reference (`QC-1A2B3C4D`), also on the Qonto
    /// link, for the shopper and the merchant to quote.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub reference: Option<String>,
    /// The discount code applied, and what it took off (the lines and the
    /// amount are already lowered by it).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub discount: Option<super::discounted::CheckoutDiscount>,
}

/// `GET /v1/checkouts/{id}` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckoutStatusResponse {
    /// The checkout's id.
    pub id: String,
    /// Current status.
    pub status: CheckoutStatus,
    /// Gross amount.
    pub amount: WireAmount,
    /// When it was paid (RFC 3339), once paid.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub paid_at: Option<String>,
    /// The checkout's short reference (`QC-1A2B3C4D`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub reference: Option<String>,
}

/// `POST /v1/invoice-checkouts` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct InvoiceCheckoutRequest {
    /// The Qonto client invoice id.
    pub invoice_id: String,
    /// The page to come back to after paying (as for a basket).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub return_url: Option<String>,
}

/// `GET /health` answer: public, so it says only whether the edge can take
/// checkouts and the state of its Qonto connection. What is wrong, and the
/// edge's version and environment, are the admin's (`GET /admin/status`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Health {
    /// True when the edge can take checkouts.
    pub ok: bool,
    /// Connection to Qonto: `"connected"`, `"not_authorized"`...
    pub qonto: String,
    /// `"active"`, or `"paused"` when Qonto revoked the shop's connection.
    pub payments: String,
}

/// Status of a checkout: Qonto's link statuses plus `failed`, open-ended.
///
/// Serialized as the plain string; a value this crate does not know is kept
/// as [`CheckoutStatus::Unknown`] instead of failing the whole response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CheckoutStatus {
    /// Waiting for payment: `"open"`.
    Open,
    /// A payment is in progress: `"processing"`.
    Processing,
    /// Paid: `"paid"`.
    Paid,
    /// The link expired unpaid: `"expired"`.
    Expired,
    /// The link was deactivated: `"canceled"`.
    Canceled,
    /// The payment failed: `"failed"`.
    Failed,
    /// Any other value, kept verbatim.
    Unknown(String),
}

impl CheckoutStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            CheckoutStatus::Open => "open",
            CheckoutStatus::Processing => "processing",
            CheckoutStatus::Paid => "paid",
            CheckoutStatus::Expired => "expired",
            CheckoutStatus::Canceled => "canceled",
            CheckoutStatus::Failed => "failed",
            CheckoutStatus::Unknown(s) => s,
        }
    }

    /// Reads a status; unknown values become [`CheckoutStatus::Unknown`].
    pub fn parse(s: &str) -> CheckoutStatus {
        match s {
            "open" => CheckoutStatus::Open,
            "processing" => CheckoutStatus::Processing,
            "paid" => CheckoutStatus::Paid,
            "expired" => CheckoutStatus::Expired,
            "canceled" => CheckoutStatus::Canceled,
            "failed" => CheckoutStatus::Failed,
            other => CheckoutStatus::Unknown(other.to_owned()),
        }
    }

    /// True when the status can no longer change (paid, expired, canceled,
    /// failed): no need to ask Qonto again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            CheckoutStatus::Paid
                | CheckoutStatus::Expired
                | CheckoutStatus::Canceled
                | CheckoutStatus::Failed
        )
    }
}

impl fmt::Display for CheckoutStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for CheckoutStatus {
    fn from(s: &str) -> CheckoutStatus {
        CheckoutStatus::parse(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CheckoutStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CheckoutStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(deserializer)?;
        Ok(CheckoutStatus::parse(&s))
    }
}
