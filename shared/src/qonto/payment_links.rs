//! Payment links: the create request, the link, its payments and the lists.

#[allow(unused_imports)]
use super::*;

/// One item of a basket payment link, in requests and responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketItem {
    /// Item title.
    pub title: String,
    /// Quantity: a JSON **number** (unlike client invoices, where it is a
    /// string). Read tolerantly: `2.0` is accepted as 2.
    #[serde(deserialize_with = "de_quantity")]
    pub quantity: u32,
    /// Unit price **net of VAT**.
    pub unit_price: WireAmount,
    /// VAT rate as a JSON **string**, in the format the account expects
    /// (`"0.21"` or `"21.0"`: Qonto's docs show both, and which one an
    /// account takes is found in its sandbox; see `VAT_RATE_FORMAT`).
    pub vat_rate: String,
    /// `good` or `service`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<ItemType>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// e.g. `unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure_unit: Option<String>,
}

/// A payment link as Qonto returns it. Field order follows the docs'
/// example so the fake's output reads like Qonto's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLink {
    /// Link id (a uuid).
    pub id: String,
    /// Link status.
    pub status: PaymentLinkStatus,
    /// When the link stops being payable (ISO 8601).
    #[serde(default)]
    pub expiration_date: Option<String>,
    /// Methods offered to the payer.
    #[serde(default)]
    pub potential_payment_methods: Vec<PaymentMethod>,
    /// Gross amount, VAT included.
    pub amount: WireAmount,
    /// `Basket` or `Invoice` (absent in older API versions).
    #[serde(default)]
    pub resource_type: Option<ResourceType>,
    /// Whether the link can be paid more than once.
    #[serde(default)]
    pub reusable: Option<bool>,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The hosted checkout page to send the payer to.
    #[serde(default)]
    pub url: Option<String>,
    /// Basket items; null for invoice links.
    #[serde(default)]
    pub items: Option<Vec<BasketItem>>,
    /// Client invoice id; null for basket links.
    #[serde(default)]
    pub invoice_id: Option<String>,
    /// Invoice number; null for basket links.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Debtor's name; null for basket links.
    #[serde(default)]
    pub debitor_name: Option<String>,
}

/// `{"payment_link": …}`: the create response (201) and, per some
/// integrators, other single-link responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLinkEnvelope {
    /// The link.
    pub payment_link: PaymentLink,
}

/// Body of a basket link creation (inside the `payment_link` wrapper).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateBasketPaymentLink {
    /// Methods to offer; each must be enabled at the provider.
    pub potential_payment_methods: Vec<PaymentMethod>,
    /// Whether the link may be paid several times.
    pub reusable: bool,
    /// At least one item.
    pub items: Vec<BasketItem>,
    /// Where the payer is sent after paying (optional; Qonto documents the
    /// field on both variants, not when or how it redirects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

/// Body of an invoice link creation (inside the `payment_link` wrapper).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInvoicePaymentLink {
    /// The Qonto client invoice id.
    pub invoice_id: String,
    /// Its number (`client_invoice.number`).
    pub invoice_number: String,
    /// The debtor's name.
    pub debitor_name: String,
    /// The gross amount to collect.
    pub amount: WireAmount,
    /// Methods to offer; each must be enabled at the provider.
    pub potential_payment_methods: Vec<PaymentMethod>,
    /// Where the payer is sent after paying (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

/// The two variants of a link creation. Untagged on the wire: a body with
/// `items` is a basket, one with `invoice_id` an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CreatePaymentLink {
    /// A basket link.
    Basket(CreateBasketPaymentLink),
    /// An invoice link.
    Invoice(CreateInvoicePaymentLink),
}

/// The full create request: `{"payment_link": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePaymentLinkRequest {
    /// The link to create.
    pub payment_link: CreatePaymentLink,
}

impl CreatePaymentLinkRequest {
    /// Wraps a basket body.
    pub fn basket(body: CreateBasketPaymentLink) -> Self {
        CreatePaymentLinkRequest {
            payment_link: CreatePaymentLink::Basket(body),
        }
    }

    /// Wraps an invoice body.
    pub fn invoice(body: CreateInvoicePaymentLink) -> Self {
        CreatePaymentLinkRequest {
            payment_link: CreatePaymentLink::Invoice(body),
        }
    }
}

/// Pagination block of list responses. Every field is optional on
/// read so an unexpected `meta` never breaks a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The page returned (1-based).
    #[serde(default)]
    pub current_page: u32,
    /// The next page, null on the last one.
    #[serde(default)]
    pub next_page: Option<u32>,
    /// The previous page, null on the first one.
    #[serde(default)]
    pub prev_page: Option<u32>,
    /// Number of pages.
    #[serde(default)]
    pub total_pages: u32,
    /// Number of items over all pages.
    #[serde(default)]
    pub total_count: u64,
    /// Page size.
    #[serde(default)]
    pub per_page: u32,
}

/// `GET /v2/payment_links` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLinkList {
    /// This page's links.
    pub payment_links: Vec<PaymentLink>,
    /// Pagination.
    #[serde(default)]
    pub meta: Meta,
}

/// One payment (attempt) of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Payment id.
    pub id: String,
    /// Amount of this payment.
    pub amount: WireAmount,
    /// Payment status.
    pub status: PaymentStatus,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Method used.
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    /// When the money arrived; null until paid.
    #[serde(default)]
    pub paid_at: Option<String>,
    /// Payer's email, when the provider has it.
    #[serde(default)]
    pub debitor_email: Option<String>,
}

/// `GET /v2/payment_links/{id}/payments` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentList {
    /// This page's payments.
    pub payments: Vec<Payment>,
    /// Pagination.
    #[serde(default)]
    pub meta: Meta,
}

/// One entry of the payment-methods response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodAvailability {
    /// The method.
    pub name: PaymentMethod,
    /// Whether the merchant enabled it at the provider.
    pub enabled: bool,
}

/// `GET /v2/payment_links/payment_methods` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodsResponse {
    /// Every method and whether it is enabled.
    pub payment_link_payment_methods: Vec<PaymentMethodAvailability>,
}

impl PaymentMethodsResponse {
    /// The enabled methods, in the response's order.
    pub fn enabled(&self) -> Vec<PaymentMethod> {
        self.payment_link_payment_methods
            .iter()
            .filter(|m| m.enabled)
            .map(|m| m.name.clone())
            .collect()
    }
}
