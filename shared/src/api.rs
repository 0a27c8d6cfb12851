//! The edge's public HTTP API (design.md, "Edge HTTP API"): request and
//! response bodies, the error body, and the validation that turns a checkout
//! request into a priced order.
//!
//! Amounts are [`WireAmount`]s (`{"value":"12.00","currency":"EUR"}`), as
//! Qonto writes them. VAT rates in this API are always **percent** strings
//! (`"20.0"`, `"5.5"`), whatever `VAT_RATE_FORMAT` says about what is sent to
//! Qonto. With the `serde` feature every type here derives `Serialize` and
//! `Deserialize`; without it (the widget) they are plain structs.
//!
//! Request types refuse unknown fields: a crafted request carrying prices,
//! VAT rates or amounts is refused outright (nothing the browser says about
//! money is ever used, and saying it is an error, not a silent no-op).
//!
//! Request types default their required fields when absent so that a missing
//! field becomes a validation problem with a field pointer (`items[0].sku`),
//! not an opaque JSON error; for the same reason `quantity` is an `i64`, so a
//! negative or zero quantity is a typed `quantity_out_of_range`.

use core::fmt;

use crate::basket::{check_quantity, MAX_LINES, MAX_QUANTITY};
use crate::catalog::{Catalog, CatalogProblem, Product, ProductKind};
use crate::money::{Currency, Money, WireAmount};
use crate::pricing::{price_in, LineInput, PricedLine, PricingError, Totals};
use crate::shipping::{Shipping, ShippingQuote};
use crate::vat::{VatRate, VatRateFormat};

/// `GET /v1/catalog`: the products and their prices.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CatalogResponse {
    /// ISO 4217 code of every price, e.g. `"EUR"`.
    pub currency: String,
    /// The products, in catalog order.
    pub products: Vec<CatalogProduct>,
    /// Shipping rules, when the merchant ships goods.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub shipping: Option<ShippingInfo>,
}

/// Shipping rules as the widget receives them (see [`crate::shipping`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShippingInfo {
    /// Goods' gross total from which shipping is free.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub free_above: Option<WireAmount>,
    /// The zones, in the merchant's order.
    pub zones: Vec<ShippingZoneInfo>,
}

/// One zone of [`ShippingInfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShippingZoneInfo {
    /// Zone name.
    pub name: String,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// Net price.
    pub price: WireAmount,
    /// Gross price (net + VAT).
    pub price_gross: WireAmount,
    /// VAT rate, percent string.
    pub vat_rate: String,
}

impl ShippingInfo {
    /// The wire form of validated rules; `None` when the merchant does not ship.
    pub fn from_shipping(shipping: &Shipping) -> Option<ShippingInfo> {
        if !shipping.ships() {
            return None;
        }
        Some(ShippingInfo {
            free_above: shipping.free_above().map(Into::into),
            zones: shipping
                .zones()
                .iter()
                .map(|z| ShippingZoneInfo {
                    name: z.name.clone(),
                    countries: z.countries.clone(),
                    price: z.price.into(),
                    price_gross: crate::pricing::unit_gross(z.price, z.vat_rate)
                        .unwrap_or(z.price)
                        .into(),
                    vat_rate: z.vat_rate.format(VatRateFormat::Percent),
                })
                .collect(),
        })
    }

    /// Reads the rules back (the widget's side), with the file's checks.
    pub fn to_shipping(&self, currency: Currency) -> Result<Shipping, Vec<CatalogProblem>> {
        crate::shipping::ShippingFile {
            currency: Some(currency.as_str().into()),
            free_above: self.free_above.as_ref().map(|a| a.value.clone()),
            zones: self
                .zones
                .iter()
                .map(|z| crate::shipping::ShippingZoneEntry {
                    name: Some(z.name.clone()),
                    countries: z.countries.clone(),
                    price: Some(z.price.value.clone()),
                    vat_rate: Some(z.vat_rate.clone()),
                })
                .collect(),
        }
        .validate(currency)
    }
}

/// One product of [`CatalogResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CatalogProduct {
    /// The SKU, used in `data-qc-add` and checkout requests.
    pub sku: String,
    /// Name to show.
    pub title: String,
    /// Optional longer text.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub description: Option<String>,
    /// Net unit price.
    pub unit_price: WireAmount,
    /// Gross unit price (net + VAT for one unit, rounded as in
    /// [`crate::pricing`]).
    pub unit_price_gross: WireAmount,
    /// VAT rate, percent string (`"20.0"`).
    pub vat_rate: String,
    /// `"good"` or `"service"`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: ProductKind,
    /// Optional absolute http(s) image URL.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub image_url: Option<String>,
}

impl CatalogResponse {
    /// The response body for a validated catalog (the edge's side).
    pub fn from_catalog(catalog: &Catalog) -> CatalogResponse {
        CatalogResponse {
            currency: catalog.currency().as_str().to_owned(),
            products: catalog
                .iter_with_gross()
                .map(|(p, gross)| CatalogProduct {
                    sku: p.sku.clone(),
                    title: p.title.clone(),
                    description: p.description.clone(),
                    unit_price: p.unit_price.into(),
                    unit_price_gross: gross.into(),
                    vat_rate: p.vat_rate.format(VatRateFormat::Percent),
                    kind: p.kind,
                    image_url: p.image_url.clone(),
                })
                .collect(),
            shipping: None,
        }
    }

    /// Reads the response back into a [`Catalog`] (the widget's side), with
    /// the same checks as the catalog file, plus one: the gross price the
    /// edge sent must equal the one computed here (`price_mismatch`), which
    /// catches a widget and an edge built from different versions of this
    /// crate before a shopper sees a price the edge would not charge.
    pub fn to_catalog(&self) -> Result<Catalog, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        let currency = match Currency::parse(&self.currency) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(catalog_problem("currency", e.code(), e.to_string()));
                None
            }
        };
        let mut products = Vec::with_capacity(self.products.len());
        for (i, p) in self.products.iter().enumerate() {
            let field = |name: &str| format!("products[{i}].{name}");
            let unit_price = Money::try_from(&p.unit_price)
                .map_err(|e| {
                    problems.push(catalog_problem(
                        &field("unit_price"),
                        "invalid_price",
                        e.to_string(),
                    ))
                })
                .ok();
            let vat_rate = VatRate::parse(&p.vat_rate, VatRateFormat::Percent)
                .map_err(|e| {
                    problems.push(catalog_problem(
                        &field("vat_rate"),
                        "invalid_vat_rate",
                        e.to_string(),
                    ))
                })
                .ok();
            if let (Some(unit_price), Some(vat_rate)) = (unit_price, vat_rate) {
                let expected =
                    crate::pricing::unit_gross(unit_price, vat_rate).map(WireAmount::from);
                if expected.as_ref() != Ok(&p.unit_price_gross) {
                    problems.push(catalog_problem(
                        &field("unit_price_gross"),
                        "price_mismatch",
                        format!(
                            "{} does not match the net price and VAT rate",
                            p.unit_price_gross.value
                        ),
                    ));
                }
                products.push(Product {
                    sku: p.sku.clone(),
                    title: p.title.clone(),
                    description: p.description.clone(),
                    unit_price,
                    vat_rate,
                    kind: p.kind,
                    image_url: p.image_url.clone(),
                });
            }
        }
        match currency {
            Some(currency) if problems.is_empty() => Catalog::new(currency, products),
            _ => Err(problems),
        }
    }
}

fn catalog_problem(pointer: &str, code: &'static str, message: String) -> CatalogProblem {
    CatalogProblem {
        pointer: pointer.to_owned(),
        code,
        message,
    }
}

/// `GET /v1/payment-methods`: the methods enabled at the provider
/// (`credit_card`, `apple_pay`, `paypal`, `ideal`...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PaymentMethodsResponse {
    /// Names of the enabled methods, as Qonto spells them.
    pub payment_methods: Vec<String>,
}

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

/// `GET /health` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Health {
    /// True when the edge can take checkouts.
    pub ok: bool,
    /// The edge's version.
    pub version: String,
    /// Connection to Qonto: `"connected"`, `"not_authorized"`...
    pub qonto: String,
    /// `"sandbox"` or `"production"`.
    pub environment: String,
    /// What is wrong, when not ok (configuration problems...); omitted when empty.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub problems: Vec<String>,
}

/// Every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The content of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorDetail {
    /// Stable machine code (snake_case), e.g. `unknown_sku`; the widget
    /// translates it.
    pub code: String,
    /// Human-readable explanation (English), for developers and logs.
    pub message: String,
    /// Pointer to the offending request field, e.g. `items[2].sku`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub field: Option<String>,
}

impl ErrorBody {
    /// An error with no field pointer.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                field: None,
            },
        }
    }

    /// The same error, pointing at `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> ErrorBody {
        self.error.field = Some(field.into());
        self
    }
}

impl From<ApiProblem> for ErrorBody {
    fn from(p: ApiProblem) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: p.code.to_owned(),
                message: p.message,
                field: p.field,
            },
        }
    }
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

/// One problem with a request, ready to become an [`ErrorBody`] (status 422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiProblem {
    /// Stable machine code: `empty_basket`, `too_many_lines`, `unknown_sku`,
    /// `quantity_out_of_range`, `amount_too_large`, `missing_field`,
    /// `field_too_long`, `invalid_email`, `invalid_phone`, `invalid_country`,
    /// `invalid_payment_method`.
    pub code: &'static str,
    /// Human-readable explanation (English).
    pub message: String,
    /// Pointer to the field, e.g. `items[2].sku`.
    pub field: Option<String>,
}

impl ApiProblem {
    fn at(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> ApiProblem {
        ApiProblem {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

impl fmt::Display for ApiProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A product of the order and its priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The catalog product (a copy: the order outlives a catalog reload).
    pub product: Product,
    /// Quantity and prices.
    pub priced: PricedLine,
}

/// A checkout request checked against the catalog and priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedOrder {
    /// One line per SKU, in the order SKUs first appear in the request.
    pub lines: Vec<OrderLine>,
    /// Totals of the lines.
    pub totals: Totals,
    /// The customer, trimmed, with blank optional fields as `None` and the
    /// country uppercased.
    pub customer: Option<Customer>,
    /// The requested payment methods, duplicates removed, if any were given.
    pub payment_methods: Option<Vec<String>>,
    /// The shipping line, when the order has goods and the merchant ships
    /// (`totals` include it).
    pub shipping: Option<ShippingQuote>,
}

impl ValidatedOrder {
    /// The gross amount to charge.
    pub fn amount(&self) -> Money {
        self.totals.gross
    }

    /// True if any line is a good (the edge then asks for an address and
    /// adds shipping, if configured).
    pub fn has_goods(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.product.kind == ProductKind::Good)
    }

    /// The lines as the API returns them.
    pub fn checkout_lines(&self) -> Vec<CheckoutLine> {
        self.lines
            .iter()
            .map(|l| CheckoutLine {
                sku: l.product.sku.clone(),
                title: l.product.title.clone(),
                quantity: l.priced.quantity,
                unit_price: l.priced.unit_net.into(),
                vat_rate: l.priced.vat_rate.format(VatRateFormat::Percent),
                net: l.priced.net.into(),
                vat: l.priced.vat.into(),
                gross: l.priced.gross.into(),
            })
            .collect()
    }
}

/// Longest name, address line or city accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Most payment methods a request may list.
pub const MAX_PAYMENT_METHODS: usize = 16;

impl CheckoutRequest {
    /// Checks the request against `catalog` and prices it, or returns every
    /// problem found, ordered by field, each with a pointer.
    ///
    /// Items with the same SKU are **merged** (quantities add up, the line
    /// keeps the first item's position), as the basket does; the merged
    /// quantity must stay within 1..=[`MAX_QUANTITY`]. The [`MAX_LINES`]
    /// limit applies to the items as sent. A SKU that is not in the catalog
    /// (or not even a valid SKU) is `unknown_sku`.
    pub fn validate(&self, catalog: &Catalog) -> Result<ValidatedOrder, Vec<ApiProblem>> {
        self.validate_with(catalog, &Shipping::none(catalog.currency()))
    }

    /// [`CheckoutRequest::validate`] for a merchant with shipping rules: an
    /// order with at least one good then needs `customer` with an `address`
    /// in a shipped country (`missing_field`, `unshippable_country`), and
    /// gets the shipping line of [`crate::shipping`] (free above the
    /// threshold), priced like the other lines and included in the totals.
    pub fn validate_with(
        &self,
        catalog: &Catalog,
        shipping: &Shipping,
    ) -> Result<ValidatedOrder, Vec<ApiProblem>> {
        let mut problems = Vec::new();
        // (product, quantity, index of the first item with this SKU)
        let mut merged: Vec<(&Product, u32, usize)> = Vec::new();

        if self.items.is_empty() {
            problems.push(ApiProblem::at(
                "items",
                "empty_basket",
                "the basket is empty",
            ));
        } else if self.items.len() > MAX_LINES {
            problems.push(ApiProblem::at(
                "items",
                "too_many_lines",
                format!(
                    "{} items; at most {MAX_LINES} are allowed",
                    self.items.len()
                ),
            ));
        } else {
            for (i, item) in self.items.iter().enumerate() {
                let product = catalog.get(&item.sku);
                if product.is_none() {
                    problems.push(ApiProblem::at(
                        format!("items[{i}].sku"),
                        "unknown_sku",
                        format!("{:?} is not in the catalog", item.sku),
                    ));
                }
                let quantity = match check_quantity(item.quantity) {
                    Ok(q) => q,
                    Err(e) => {
                        problems.push(ApiProblem::at(
                            format!("items[{i}].quantity"),
                            e.code(),
                            e.to_string(),
                        ));
                        continue;
                    }
                };
                let Some(product) = product else { continue };
                match merged.iter_mut().find(|(p, _, _)| p.sku == product.sku) {
                    Some((_, total, first)) => {
                        let sum = *total + quantity;
                        if sum > MAX_QUANTITY {
                            problems.push(ApiProblem::at(
                                format!("items[{i}].quantity"),
                                "quantity_out_of_range",
                                format!(
                                    "together with items[{first}] the quantity is {sum}; at most {MAX_QUANTITY} are allowed"
                                ),
                            ));
                        } else {
                            *total = sum;
                        }
                    }
                    None => merged.push((product, quantity, i)),
                }
            }
        }

        let customer = self
            .customer
            .as_ref()
            .map(|c| normalize_customer(c, &mut problems));
        let payment_methods = self
            .payment_methods
            .as_ref()
            .map(|m| check_payment_methods(m, &mut problems));

        let has_goods = merged.iter().any(|(p, _, _)| p.kind == ProductKind::Good);
        let ship_to = if has_goods && shipping.ships() {
            match customer.as_ref().map(|c| c.address.as_ref()) {
                None => {
                    problems.push(ApiProblem::at(
                        "customer",
                        "missing_field",
                        "customer details are required to ship goods",
                    ));
                    None
                }
                Some(None) => {
                    problems.push(ApiProblem::at(
                        "customer.address",
                        "missing_field",
                        "a shipping address is required for goods",
                    ));
                    None
                }
                Some(Some(address)) => {
                    if shipping.zone_for(&address.country).is_none() && address.country.len() == 2 {
                        problems.push(ApiProblem::at(
                            "customer.address.country",
                            "unshippable_country",
                            format!("the shop does not ship to {}", address.country),
                        ));
                    }
                    Some(address.country.clone())
                }
            }
        } else {
            None
        };

        if !problems.is_empty() {
            return Err(problems);
        }

        let inputs: Vec<LineInput> = merged
            .iter()
            .map(|(p, quantity, _)| LineInput {
                quantity: *quantity,
                unit_net: p.unit_price,
                vat_rate: p.vat_rate,
            })
            .collect();
        let (priced, totals) = price_in(catalog.currency(), &inputs).map_err(|e| {
            let message = match e {
                PricingError::AmountTooLarge => {
                    format!("the total is above the maximum of {}", max_amount(catalog))
                }
                ref other => other.to_string(),
            };
            vec![ApiProblem::at("items", e.code(), message)]
        })?;
        let lines: Vec<OrderLine> = merged
            .into_iter()
            .zip(priced)
            .map(|((product, _, _), priced)| OrderLine {
                product: product.clone(),
                priced,
            })
            .collect();
        let (shipping, totals) = match ship_to {
            None => (None, totals),
            Some(country) => {
                let goods = lines
                    .iter()
                    .filter(|l| l.product.kind == ProductKind::Good)
                    .map(|l| l.priced.gross);
                let goods_gross = Money::sum(catalog.currency(), goods).map_err(|_| {
                    vec![ApiProblem::at(
                        "items",
                        "amount_too_large",
                        "the total is too large",
                    )]
                })?;
                let quote = shipping.quote(&country, goods_gross).map_err(|e| {
                    vec![ApiProblem::at(
                        "customer.address.country",
                        e.code(),
                        "shipping cannot be priced for this country",
                    )]
                })?;
                let totals = if quote.free {
                    totals
                } else {
                    totals.with_line(&quote.line).map_err(|e| {
                        vec![ApiProblem::at(
                            "items",
                            e.code(),
                            format!("the total is above the maximum of {}", max_amount(catalog)),
                        )]
                    })?
                };
                (Some(quote), totals)
            }
        };
        Ok(ValidatedOrder {
            lines,
            totals,
            customer,
            payment_methods,
            shipping,
        })
    }
}

fn max_amount(catalog: &Catalog) -> Money {
    Money::new(crate::basket::MAX_AMOUNT_MINOR, catalog.currency())
}

/// Trims `value`; reports it blank (`missing_field`) or too long.
fn required_text(
    value: &str,
    field: &str,
    max_chars: usize,
    problems: &mut Vec<ApiProblem>,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push(ApiProblem::at(
            field,
            "missing_field",
            format!("{field} is required"),
        ));
    } else if value.chars().count() > max_chars {
        problems.push(ApiProblem::at(
            field,
            "field_too_long",
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    value.to_owned()
}

/// Trims `value`; blank becomes `None`; reports it too long.
fn optional_text(
    value: Option<&String>,
    field: &str,
    max_chars: usize,
    problems: &mut Vec<ApiProblem>,
) -> Option<String> {
    let value = value.map(|v| v.trim()).filter(|v| !v.is_empty())?;
    if value.chars().count() > max_chars {
        problems.push(ApiProblem::at(
            field,
            "field_too_long",
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    Some(value.to_owned())
}

fn normalize_customer(c: &Customer, problems: &mut Vec<ApiProblem>) -> Customer {
    let email = c.email.trim().to_owned();
    if email.is_empty() {
        problems.push(ApiProblem::at(
            "customer.email",
            "missing_field",
            "customer.email is required",
        ));
    } else if !is_plausible_email(&email) {
        problems.push(ApiProblem::at(
            "customer.email",
            "invalid_email",
            "customer.email is not a valid e-mail address",
        ));
    }
    let name = required_text(&c.name, "customer.name", MAX_TEXT_CHARS, problems);
    let phone = optional_text(c.phone.as_ref(), "customer.phone", 32, problems);
    if let Some(phone) = &phone {
        if !is_plausible_phone(phone) {
            problems.push(ApiProblem::at(
                "customer.phone",
                "invalid_phone",
                "customer.phone is not a valid phone number",
            ));
        }
    }
    let address = c.address.as_ref().map(|a| {
        let line1 = required_text(&a.line1, "customer.address.line1", MAX_TEXT_CHARS, problems);
        let line2 = optional_text(
            a.line2.as_ref(),
            "customer.address.line2",
            MAX_TEXT_CHARS,
            problems,
        );
        let postal_code =
            required_text(&a.postal_code, "customer.address.postal_code", 20, problems);
        let city = required_text(&a.city, "customer.address.city", MAX_TEXT_CHARS, problems);
        let country = a.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.push(ApiProblem::at(
                "customer.address.country",
                "invalid_country",
                "customer.address.country must be a 2-letter ISO 3166 code such as FR",
            ));
        }
        Address {
            line1,
            line2,
            postal_code,
            city,
            country,
        }
    });
    Customer {
        email,
        name,
        phone,
        address,
    }
}

fn check_payment_methods(methods: &[String], problems: &mut Vec<ApiProblem>) -> Vec<String> {
    if methods.is_empty() || methods.len() > MAX_PAYMENT_METHODS {
        problems.push(ApiProblem::at(
            "payment_methods",
            "invalid_payment_method",
            format!("payment_methods must list 1 to {MAX_PAYMENT_METHODS} methods, or be omitted"),
        ));
        return Vec::new();
    }
    let mut unique: Vec<String> = Vec::with_capacity(methods.len());
    for (i, m) in methods.iter().enumerate() {
        let valid = !m.is_empty()
            && m.len() <= 64
            && m.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            problems.push(ApiProblem::at(
                format!("payment_methods[{i}]"),
                "invalid_payment_method",
                format!("{m:?} is not a payment method name such as credit_card"),
            ));
        } else if !unique.contains(m) {
            unique.push(m.clone());
        }
    }
    unique
}

/// One `@`, a non-empty local part of at most 64 bytes, a dotted domain, no
/// whitespace, at most 254 bytes. Deliberately loose: the real check is the
/// payment provider's, this only catches typos and garbage. (Public for the
/// widget, which checks its details step with the edge's own rule.)
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Digits with the usual separators (`+ ( ) - .` and spaces), 5 to 20 digits.
/// (Public for the widget, as [`is_plausible_email`].)
pub fn is_plausible_phone(phone: &str) -> bool {
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && phone
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'-' | b'.' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogFile;

    fn catalog() -> Catalog {
        let entry = |sku: &str, price: &str, vat: &str, kind: &str| crate::catalog::ProductEntry {
            sku: Some(sku.into()),
            title: Some(format!("Title {sku}")),
            description: None,
            unit_price: Some(price.into()),
            vat_rate: Some(vat.into()),
            kind: Some(kind.into()),
            image_url: None,
        };
        CatalogFile {
            currency: Some("EUR".into()),
            products: vec![
                entry("tshirt-m", "25.00", "20", "good"),
                entry("ebook", "10.99", "21", "service"),
                entry("bike", "20000.00", "20", "good"),
            ],
        }
        .validate()
        .unwrap()
    }

    fn item(sku: &str, quantity: i64) -> CheckoutItem {
        CheckoutItem {
            sku: sku.into(),
            quantity,
        }
    }

    fn request(items: Vec<CheckoutItem>) -> CheckoutRequest {
        CheckoutRequest {
            items,
            ..CheckoutRequest::default()
        }
    }

    /// (field pointer, code) of each problem.
    type Found = Vec<(Option<String>, &'static str)>;

    fn problems_of(req: &CheckoutRequest) -> Found {
        req.validate(&catalog())
            .unwrap_err()
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect()
    }

    fn at(field: &str, code: &'static str) -> (Option<String>, &'static str) {
        (Some(field.to_owned()), code)
    }

    #[test]
    fn valid_order_is_priced_and_merged() {
        let order = request(vec![
            item("ebook", 1),
            item("tshirt-m", 2),
            item("ebook", 2),
        ])
        .validate(&catalog())
        .unwrap();
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].product.sku, "ebook");
        assert_eq!(order.lines[0].priced.quantity, 3);
        assert_eq!(order.amount().to_decimal(), "99.89"); // 39.89 + 60.00
        assert!(order.has_goods());
        let lines = order.checkout_lines();
        assert_eq!(lines[0].vat_rate, "21.0");
        assert_eq!(lines[0].gross.value, "39.89"); // 32.97 + 6.9237 → 6.92
        assert_eq!(lines[1].unit_price.value, "25.00");
    }

    #[test]
    fn item_problems_table() {
        let too_many: Vec<CheckoutItem> = (0..=MAX_LINES).map(|_| item("ebook", 1)).collect();
        let cases: Vec<(Vec<CheckoutItem>, Found)> = vec![
            (vec![], vec![at("items", "empty_basket")]),
            (too_many, vec![at("items", "too_many_lines")]),
            (
                vec![item("ebook", 1), item("ghost", 1), item("tshirt-m", 0)],
                vec![
                    at("items[1].sku", "unknown_sku"),
                    at("items[2].quantity", "quantity_out_of_range"),
                ],
            ),
            (
                vec![item("ebook", -1)],
                vec![at("items[0].quantity", "quantity_out_of_range")],
            ),
            (
                vec![item("ebook", 1000)],
                vec![at("items[0].quantity", "quantity_out_of_range")],
            ),
            (
                vec![item("ebook", i64::MIN)],
                vec![at("items[0].quantity", "quantity_out_of_range")],
            ),
            (
                vec![item("bad sku!", 5000)],
                vec![
                    at("items[0].sku", "unknown_sku"),
                    at("items[0].quantity", "quantity_out_of_range"),
                ],
            ),
            (
                vec![item("ebook", 500), item("ebook", 500)],
                vec![at("items[1].quantity", "quantity_out_of_range")],
            ),
            (vec![item("bike", 3)], vec![at("items", "amount_too_large")]),
        ];
        for (items, expected) in cases {
            assert_eq!(problems_of(&request(items)), expected);
        }
    }

    #[test]
    fn customer_is_normalized_and_checked() {
        let mut req = request(vec![item("tshirt-m", 1)]);
        req.customer = Some(Customer {
            email: " ada@example.com ".into(),
            name: " Ada Lovelace ".into(),
            phone: Some("  ".into()),
            address: Some(Address {
                line1: "1 rue de la Paix".into(),
                line2: Some("".into()),
                postal_code: "75002".into(),
                city: "Paris".into(),
                country: "fr".into(),
            }),
        });
        req.payment_methods = Some(vec![
            "credit_card".into(),
            "paypal".into(),
            "credit_card".into(),
        ]);
        let order = req.validate(&catalog()).unwrap();
        let c = order.customer.unwrap();
        assert_eq!(
            (c.email.as_str(), c.name.as_str(), c.phone),
            ("ada@example.com", "Ada Lovelace", None)
        );
        let a = c.address.unwrap();
        assert_eq!((a.line2, a.country.as_str()), (None, "FR"));
        assert_eq!(
            order.payment_methods,
            Some(vec!["credit_card".into(), "paypal".into()])
        );
    }

    #[test]
    fn customer_problems_table() {
        let mut req = request(vec![item("tshirt-m", 1)]);
        req.customer = Some(Customer {
            email: "not-an-email".into(),
            name: "".into(),
            phone: Some("call me".into()),
            address: Some(Address {
                line1: "x".repeat(MAX_TEXT_CHARS + 1),
                line2: None,
                postal_code: "".into(),
                city: "Paris".into(),
                country: "France".into(),
            }),
        });
        req.payment_methods = Some(vec!["credit_card".into(), "Apple Pay".into()]);
        assert_eq!(
            problems_of(&req),
            vec![
                at("customer.email", "invalid_email"),
                at("customer.name", "missing_field"),
                at("customer.phone", "invalid_phone"),
                at("customer.address.line1", "field_too_long"),
                at("customer.address.postal_code", "missing_field"),
                at("customer.address.country", "invalid_country"),
                at("payment_methods[1]", "invalid_payment_method"),
            ]
        );
        req.customer = None;
        req.payment_methods = Some(vec![]);
        assert_eq!(
            problems_of(&req),
            vec![at("payment_methods", "invalid_payment_method")]
        );
    }

    #[test]
    fn email_and_phone_table() {
        let emails: &[(&str, bool)] = &[
            ("a@b.co", true),
            ("first.last+tag@sub.example.org", true),
            ("a@b", false),
            ("@b.co", false),
            ("a@", false),
            ("a@@b.co", false),
            ("a@b@c.co", false),
            ("a b@c.co", false),
            ("a@.b.co", false),
            ("a@b.co.", false),
            ("a@b..co", false),
        ];
        for &(email, ok) in emails {
            assert_eq!(is_plausible_email(email), ok, "{email:?}");
        }
        let phones: &[(&str, bool)] = &[
            ("+33 1 23 45 67 89", true),
            ("(555) 123-4567", true),
            ("06.12.34.56.78", true),
            ("1234", false),
            ("+33 abc", false),
            ("123456789012345678901", false),
        ];
        for &(phone, ok) in phones {
            assert_eq!(is_plausible_phone(phone), ok, "{phone:?}");
        }
    }

    #[test]
    fn catalog_response_round_trip() {
        let catalog = catalog();
        let response = CatalogResponse::from_catalog(&catalog);
        assert_eq!(response.currency, "EUR");
        let ebook = &response.products[1];
        assert_eq!(ebook.unit_price.value, "10.99");
        assert_eq!(ebook.unit_price_gross.value, "13.30");
        assert_eq!(ebook.vat_rate, "21.0");
        assert_eq!(response.to_catalog(), Ok(catalog));

        let mut tampered = response.clone();
        tampered.products[1].unit_price_gross.value = "13.29".into();
        tampered.products[0].vat_rate = "0.2".into(); // still valid as percent: 0.2 %
        tampered.products[2].unit_price.value = "abc".into();
        tampered.currency = "eur".into();
        let problems: Vec<(String, &str)> = tampered
            .to_catalog()
            .unwrap_err()
            .into_iter()
            .map(|p| (p.pointer, p.code))
            .collect();
        assert_eq!(
            problems,
            vec![
                ("currency".into(), "invalid_currency"),
                ("products[0].unit_price_gross".into(), "price_mismatch"),
                ("products[1].unit_price_gross".into(), "price_mismatch"),
                ("products[2].unit_price".into(), "invalid_price"),
            ]
        );
    }

    #[test]
    fn checkout_status_table() {
        let cases = [
            ("open", CheckoutStatus::Open, false),
            ("processing", CheckoutStatus::Processing, false),
            ("paid", CheckoutStatus::Paid, true),
            ("expired", CheckoutStatus::Expired, true),
            ("canceled", CheckoutStatus::Canceled, true),
            ("failed", CheckoutStatus::Failed, true),
            (
                "refunded",
                CheckoutStatus::Unknown("refunded".into()),
                false,
            ),
        ];
        for (text, status, is_final) in cases {
            assert_eq!(CheckoutStatus::from(text), status);
            assert_eq!(status.as_str(), text);
            assert_eq!(status.to_string(), text);
            assert_eq!(status.is_final(), is_final);
        }
    }

    #[test]
    fn error_body_builders() {
        let body = ErrorBody::new("unknown_sku", "gone").with_field("items[2].sku");
        assert_eq!(body.error.field.as_deref(), Some("items[2].sku"));
        let problem = ApiProblem::at("items", "empty_basket", "the basket is empty");
        assert_eq!(problem.to_string(), "items: the basket is empty");
        let body = ErrorBody::from(problem);
        assert_eq!(body.error.code, "empty_basket");
    }

    #[cfg(feature = "serde")]
    mod json {
        use super::*;
        use serde_json::json;

        #[test]
        fn error_body_shape() {
            let body = ErrorBody::new("unknown_sku", "m").with_field("items[2].sku");
            assert_eq!(
                serde_json::to_value(&body).unwrap(),
                json!({"error": {"code": "unknown_sku", "message": "m", "field": "items[2].sku"}})
            );
            let no_field = ErrorBody::new("not_found", "m");
            assert_eq!(
                serde_json::to_value(&no_field).unwrap(),
                json!({"error": {"code": "not_found", "message": "m"}})
            );
        }

        #[test]
        fn checkout_request_tolerates_missing_fields_for_validation() {
            let req: CheckoutRequest = serde_json::from_value(
                json!({"items": [{"sku": "ebook", "quantity": -3}, {"quantity": 1}, {}]}),
            )
            .unwrap();
            assert_eq!(
                problems_of(&req),
                vec![
                    at("items[0].quantity", "quantity_out_of_range"),
                    at("items[1].sku", "unknown_sku"),
                    at("items[2].sku", "unknown_sku"),
                    at("items[2].quantity", "quantity_out_of_range"),
                ]
            );
            let empty: CheckoutRequest = serde_json::from_value(json!({})).unwrap();
            assert_eq!(problems_of(&empty), vec![at("items", "empty_basket")]);
            let with_customer: CheckoutRequest = serde_json::from_value(json!({
                "items": [{"sku": "ebook", "quantity": 1}],
                "customer": {"email": "a@b.co", "name": "A", "address": {"line1": "1 st", "postal_code": "1", "city": "c", "country": "DE"}},
                "payment_methods": ["paypal"]
            }))
            .unwrap();
            assert!(with_customer.validate(&catalog()).is_ok());
        }

        #[test]
        fn responses_shape() {
            let order = request(vec![item("ebook", 1)])
                .validate(&catalog())
                .unwrap();
            let response = CheckoutResponse {
                id: "chk_1".into(),
                url: "https://pay.example/x".into(),
                status: CheckoutStatus::Open,
                amount: order.amount().into(),
                lines: order.checkout_lines(),
                expires_at: None,
                reference: None,
            };
            let value = serde_json::to_value(&response).unwrap();
            assert_eq!(
                value["amount"],
                json!({"value": "13.30", "currency": "EUR"})
            );
            assert_eq!(value["status"], json!("open"));
            assert_eq!(value["expires_at"], json!(null));
            assert_eq!(
                value["lines"][0]["vat"],
                json!({"value": "2.31", "currency": "EUR"})
            );
            let back: CheckoutResponse = serde_json::from_value(value).unwrap();
            assert_eq!(back, response);

            let status: CheckoutStatusResponse = serde_json::from_value(json!({
                "id": "chk_1", "status": "something_new", "amount": {"value": "1.00", "currency": "EUR"}
            }))
            .unwrap();
            assert_eq!(
                status.status,
                CheckoutStatus::Unknown("something_new".into())
            );
            assert_eq!(status.paid_at, None);

            let health = Health {
                ok: true,
                version: "0.1.0".into(),
                qonto: "connected".into(),
                environment: "sandbox".into(),
                problems: vec![],
            };
            assert_eq!(
                serde_json::to_value(&health).unwrap(),
                json!({"ok": true, "version": "0.1.0", "qonto": "connected", "environment": "sandbox"})
            );

            let catalog = serde_json::to_value(CatalogResponse::from_catalog(&catalog())).unwrap();
            assert_eq!(
                catalog["products"][1],
                json!({
                    "sku": "ebook", "title": "Title ebook",
                    "unit_price": {"value": "10.99", "currency": "EUR"},
                    "unit_price_gross": {"value": "13.30", "currency": "EUR"},
                    "vat_rate": "21.0", "type": "service"
                })
            );
            let invoice: InvoiceCheckoutRequest =
                serde_json::from_value(json!({"invoice_id": "4c56f862"})).unwrap();
            assert_eq!(invoice.invoice_id, "4c56f862");
        }
    }

    fn shipping() -> Shipping {
        crate::shipping::ShippingFile {
            currency: Some("EUR".into()),
            free_above: Some("100.00".into()),
            zones: vec![crate::shipping::ShippingZoneEntry {
                name: Some("France".into()),
                countries: vec!["FR".into()],
                price: Some("5.00".into()),
                vat_rate: Some("20".into()),
            }],
        }
        .validate(Currency::EUR)
        .unwrap()
    }

    fn customer(country: Option<&str>) -> Customer {
        Customer {
            email: "ana@example.com".into(),
            name: "Ana Lopes".into(),
            phone: None,
            address: country.map(|c| Address {
                line1: "1 rue de la Paix".into(),
                line2: None,
                postal_code: "75002".into(),
                city: "Paris".into(),
                country: c.into(),
            }),
        }
    }

    fn order_for(items: Vec<CheckoutItem>, customer: Option<Customer>) -> CheckoutRequest {
        CheckoutRequest {
            items,
            customer,
            payment_methods: None,
            return_url: None,
            language: None,
        }
    }

    #[test]
    fn goods_get_a_shipping_line_included_in_the_totals() {
        let order = order_for(vec![item("tshirt-m", 1)], Some(customer(Some("fr"))))
            .validate_with(&catalog(), &shipping())
            .unwrap();
        let quote = order.shipping.as_ref().expect("shipping line");
        assert_eq!(
            (quote.zone.as_str(), quote.country.as_str(), quote.free),
            ("France", "FR", false)
        );
        assert_eq!(quote.line.gross.to_decimal(), "6.00");
        // 25.00 + 20 % = 30.00, plus 6.00 shipping.
        assert_eq!(order.totals.gross.to_decimal(), "36.00");
        assert_eq!(order.totals.vat.to_decimal(), "6.00");
    }

    #[test]
    fn shipping_is_free_from_the_threshold_and_absent_for_services() {
        let order = order_for(vec![item("tshirt-m", 4)], Some(customer(Some("FR"))))
            .validate_with(&catalog(), &shipping())
            .unwrap();
        assert!(order.shipping.as_ref().is_some_and(|q| q.free));
        assert_eq!(order.totals.gross.to_decimal(), "120.00");
        let services = order_for(vec![item("ebook", 1)], None)
            .validate_with(&catalog(), &shipping())
            .unwrap();
        assert!(services.shipping.is_none());
    }

    #[test]
    fn goods_without_an_address_or_to_an_unshipped_country_are_refused() {
        for (customer, field, code) in [
            (None, "customer", "missing_field"),
            (Some(customer(None)), "customer.address", "missing_field"),
            (
                Some(customer(Some("US"))),
                "customer.address.country",
                "unshippable_country",
            ),
        ] {
            let problems = order_for(vec![item("tshirt-m", 1)], customer)
                .validate_with(&catalog(), &shipping())
                .unwrap_err();
            assert!(
                problems
                    .iter()
                    .any(|p| p.field.as_deref() == Some(field) && p.code == code),
                "{field} {code}: {problems:?}"
            );
        }
        // Without shipping rules, goods need no address (a shop that does not ship).
        assert!(order_for(vec![item("tshirt-m", 1)], None)
            .validate(&catalog())
            .is_ok());
    }

    #[test]
    fn shipping_rules_survive_the_wire() {
        let info = ShippingInfo::from_shipping(&shipping()).unwrap();
        assert_eq!(info.zones[0].price_gross.value, "6.00");
        assert_eq!(info.to_shipping(Currency::EUR).unwrap(), shipping());
        assert!(ShippingInfo::from_shipping(&Shipping::none(Currency::EUR)).is_none());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn requests_that_carry_prices_are_refused() {
        for body in [
            r#"{"items":[{"sku":"mug","quantity":1,"unit_price":{"value":"0.01","currency":"EUR"}}]}"#,
            r#"{"items":[{"sku":"mug","quantity":1}],"amount":{"value":"0.01","currency":"EUR"}}"#,
            r#"{"items":[{"sku":"mug","quantity":1,"vat_rate":"0"}]}"#,
            r#"{"items":[],"customer":{"email":"a@b.co","name":"A","discount":"100%"}}"#,
        ] {
            let err = serde_json::from_str::<CheckoutRequest>(body).unwrap_err();
            assert!(err.to_string().contains("unknown field"), "{body}: {err}");
        }
        assert!(serde_json::from_str::<CheckoutRequest>(
            r#"{"items":[{"sku":"mug","quantity":1}]}"#
        )
        .is_ok());
    }
}
