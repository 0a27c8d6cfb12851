//! Qonto Business API wire types for payment links, client invoices, webhooks
//! and OAuth, shared by the edge's Qonto client and the fake Qonto.
//!
//! The reference is `qonto-api.md` (research notes on Qonto's docs). Qonto's
//! docs disagree with themselves in places, so the types here are written to
//! *read* tolerantly and *write* exactly:
//!
//! - Every vocabulary Qonto sends (statuses, payment methods, …) is an **open
//!   enum**: the documented values are variants, anything else lands in
//!   `Other(String)` and serializes back unchanged. A new status on Qonto's side
//!   must never make a webhook or a poll fail to parse.
//! - Only the fields without which an object is meaningless are required
//!   (a link's `id`, `status`, `amount`); the rest are `#[serde(default)]`.
//! - Responses documented as bare but read as wrapped by some integrators (or the
//!   reverse) go through [`parse_payment_link`], [`parse_connection`] and
//!   [`parse_client_invoice`], which accept both shapes.
//! - Request bodies serialize only the fields that are set, with the JSON types
//!   Qonto's strictly typed backend expects (`quantity` a number, `vat_rate` a
//!   string: a number there is rejected with "cannot unmarshal number … of type
//!   string").
//!
//! Timestamps stay ISO 8601 strings: nothing here does date arithmetic, and a
//! date format surprise must not make a response unreadable.

use crate::money::WireAmount;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares an open enum: documented string values as variants, plus
/// `Other(String)` that keeps whatever else Qonto sends, serialized as a plain
/// JSON string in both directions.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value not documented when this was written, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every documented value, in the docs' order.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant),+];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Maps a wire string to its variant (never fails: unknown values
            /// become `Other`).
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_documented(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from_wire(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Ok($name::from_wire(&s))
            }
        }
    };
}

open_enum! {
    /// Status of a payment link (§4.4).
    PaymentLinkStatus {
        /// Payable.
        Open => "open",
        /// Past its expiration date (or expired by the provider).
        Expired => "expired",
        /// Deactivated by the merchant.
        Canceled => "canceled",
        /// Paid (single-use links).
        Paid => "paid",
        /// A payment is under way at the provider.
        Processing => "processing",
    }
}

open_enum! {
    /// Status of one payment of a link (§4.8).
    PaymentStatus {
        /// Started, nothing decided yet.
        Open => "open",
        /// Waiting for the provider.
        Pending => "pending",
        /// Authorized, not captured yet.
        Authorized => "authorized",
        /// Money received.
        Paid => "paid",
        /// Abandoned by the payer.
        Canceled => "canceled",
        /// Not completed in time.
        Expired => "expired",
        /// Refused.
        Failed => "failed",
    }
}

open_enum! {
    /// A payment method of the provider (§4.3, §4.9). Webhooks have been seen
    /// with undocumented values (`bank_transfer`, `sepa_credit_transfer`),
    /// which land in `Other`.
    PaymentMethod {
        /// Card.
        CreditCard => "credit_card",
        /// Apple Pay.
        ApplePay => "apple_pay",
        /// PayPal.
        Paypal => "paypal",
        /// iDEAL.
        Ideal => "ideal",
    }
}

open_enum! {
    /// Status of the merchant's connection to the payment provider (§4.1).
    ConnectionStatus {
        /// Feature active; links can be created.
        Enabled => "enabled",
        /// The provider wants more onboarding steps.
        Pending => "pending",
        /// Feature not active.
        Disabled => "disabled",
        /// Onboarding not done yet.
        NotConnected => "not_connected",
    }
}

open_enum! {
    /// What a payment link charges for (§4.4, newer docs only).
    ResourceType {
        /// A basket of items.
        Basket => "Basket",
        /// A Qonto client invoice.
        Invoice => "Invoice",
    }
}

open_enum! {
    /// Kind of a basket item (§4.3).
    ItemType {
        /// A good.
        Good => "good",
        /// A service.
        Service => "service",
    }
}

open_enum! {
    /// Status of a Qonto client invoice (§6).
    ClientInvoiceStatus {
        /// Not finalized.
        Draft => "draft",
        /// Finalized, awaiting payment.
        Unpaid => "unpaid",
        /// Paid.
        Paid => "paid",
        /// Canceled.
        Canceled => "canceled",
    }
}

open_enum! {
    /// `data.event` of a `v1/payment-links` webhook (§5.2): only `created` is
    /// shown in the docs, `updated` is inferred from "payment_links.updated".
    PaymentLinkEventKind {
        /// The link was created.
        Created => "created",
        /// The link changed (a payment, a deactivation, an expiry).
        Updated => "updated",
    }
}

/// The webhook type of payment-link events.
pub const WEBHOOK_TYPE_PAYMENT_LINKS: &str = "v1/payment-links";
/// The webhook type of provider-connection events.
pub const WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS: &str = "v1/payment-links-connections";
/// The header carrying a webhook's signature (`t=<unix>,v1=<hex>`).
pub const SIGNATURE_HEADER: &str = "X-Qonto-Signature";
/// The header that makes a write idempotent for 30 minutes (§3.3).
pub const IDEMPOTENCY_HEADER: &str = "X-Qonto-Idempotency-Key";
/// The header every sandbox request must carry (§1).
pub const STAGING_TOKEN_HEADER: &str = "X-Qonto-Staging-Token";

// ---------------------------------------------------------------------------
// Payment links
// ---------------------------------------------------------------------------

/// One item of a basket payment link, in requests and responses (§4.3).
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
    /// (`"0.21"` or `"21.0"`: see `qonto-api.md` §8).
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

/// A payment link as Qonto returns it (§4.4). Field order follows the docs'
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
    /// Where the payer is sent after paying (optional; behaviour not
    /// documented beyond that, qonto-api.md §0).
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

/// Pagination block of list responses (§3.5). Every field is optional on
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

/// One payment (attempt) of a link (§4.8).
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

/// `GET /v2/payment_links/payment_methods` response (§4.9).
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

// ---------------------------------------------------------------------------
// Provider connection
// ---------------------------------------------------------------------------

/// The connection to the payment provider (§4.1, §4.2). Documented bare;
/// [`parse_connection`] also accepts `{"connection": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Where to send the merchant to (continue) onboarding at the provider.
    #[serde(default)]
    pub connection_location: Option<String>,
    /// Connection status.
    pub status: ConnectionStatus,
    /// The bank account credited by payments (absent in the oldest docs).
    #[serde(default)]
    pub bank_account_id: Option<String>,
}

/// `POST /v2/payment_links/connections` body (not wrapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateConnection {
    /// Where the provider sends the merchant back after onboarding.
    pub partner_callback_url: String,
    /// Bank account (uuid) to credit.
    pub user_bank_account_id: String,
    /// E.164 phone number, e.g. `+33612345678`.
    pub user_phone_number: String,
    /// At least 80 characters.
    pub business_description: String,
    /// Optional website: http(s), no `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_website_url: Option<String>,
}

// ---------------------------------------------------------------------------
// Client invoices
// ---------------------------------------------------------------------------

/// The customer of a client invoice. Qonto's client object has varied across
/// versions (company vs individual), so everything is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientInvoiceClient {
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Company (or full) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Individual's first name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Individual's last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `company`, `individual`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub client_type: Option<String>,
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl ClientInvoiceClient {
    /// The best name to show as a debtor: `name`, else "first last".
    pub fn display_name(&self) -> Option<String> {
        if let Some(name) = self.name.as_deref().map(str::trim) {
            if !name.is_empty() {
                return Some(name.to_owned());
            }
        }
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// One line of a client invoice (§6). `quantity` is a string there (`"1.5"`);
/// a number is read too.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientInvoiceItem {
    /// Line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quantity, a decimal string.
    #[serde(
        default,
        deserialize_with = "de_opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<String>,
    /// Unit, e.g. `hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Net unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<WireAmount>,
    /// VAT rate as a fraction string (`"0.1"`).
    #[serde(
        default,
        deserialize_with = "de_opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat_rate: Option<String>,
    /// Line total, VAT included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<WireAmount>,
}

/// A Qonto client invoice: the fields an invoice payment link needs (§6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInvoice {
    /// Invoice id (a uuid).
    pub id: String,
    /// Owning organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The invoice number (e.g. `INV001`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Legacy name of `number`, seen in live responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Invoice status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ClientInvoiceStatus>,
    /// Qonto's own page for the invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_url: Option<String>,
    /// Currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Gross total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<WireAmount>,
    /// Gross total in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount_cents: Option<i64>,
    /// VAT total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<WireAmount>,
    /// VAT total in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount_cents: Option<i64>,
    /// Issue date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    /// Due date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Finalization time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalized_at: Option<String>,
    /// Payment time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// Contact email of the invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// The customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientInvoiceClient>,
    /// The lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ClientInvoiceItem>>,
}

impl ClientInvoice {
    /// The invoice number: `number`, else the legacy `invoice_number`.
    pub fn number_or_legacy(&self) -> Option<&str> {
        self.number
            .as_deref()
            .filter(|s| !s.is_empty())
            .or_else(|| self.invoice_number.as_deref().filter(|s| !s.is_empty()))
    }

    /// The gross total: `total_amount`, else `total_amount_cents` with
    /// `currency`.
    pub fn gross_amount(&self) -> Option<WireAmount> {
        if let Some(amount) = &self.total_amount {
            return Some(amount.clone());
        }
        let cents = self.total_amount_cents?;
        let currency = self.currency.clone()?;
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        Some(WireAmount {
            value: format!("{sign}{}.{:02}", abs / 100, abs % 100),
            currency,
        })
    }
}

/// `{"client_invoice": …}`, the documented shape of `GET /v2/client_invoices/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInvoiceEnvelope {
    /// The invoice.
    pub client_invoice: ClientInvoice,
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// `POST /v2/webhook_subscriptions` body (not wrapped, §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateWebhookSubscription {
    /// Where Qonto POSTs events (public HTTPS in production, max 512).
    pub callback_url: String,
    /// Event families, e.g. [`WEBHOOK_TYPE_PAYMENT_LINKS`]; at least one.
    pub types: Vec<String>,
    /// Signing secret (32–128 chars); generated by Qonto when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Free text, max 256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A webhook subscription as returned (bare) by create/get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSubscription {
    /// Subscription id.
    pub id: String,
    /// Owning organization.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Membership that created it.
    #[serde(default)]
    pub membership_id: Option<String>,
    /// Target URL.
    pub callback_url: String,
    /// Event families.
    #[serde(default)]
    pub types: Vec<String>,
    /// Omitted when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The signing secret (on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `GET /v2/webhook_subscriptions` response (key `subscriptions`, not
/// `webhook_subscriptions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSubscriptionList {
    /// The subscriptions.
    pub subscriptions: Vec<WebhookSubscription>,
    /// Pagination, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The envelope of every webhook delivery (§5.2). `D` is the event data,
/// raw JSON by default; see [`WebhookEvent::payment_link_data`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent<D = serde_json::Value> {
    /// Event id: the de-duplication key.
    pub id: String,
    /// Subscription that delivered it.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Organization.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Membership.
    #[serde(default)]
    pub membership_id: Option<String>,
    /// Event family, e.g. `v1/payment-links`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Event time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Event-specific data.
    pub data: D,
}

impl WebhookEvent<serde_json::Value> {
    /// Reads `data` as a payment-link event. Does not look at `type`: the
    /// docs' second example carries a wrong `type` with payment-link data.
    pub fn payment_link_data(&self) -> Result<PaymentLinkEventData, serde_json::Error> {
        PaymentLinkEventData::deserialize(&self.data)
    }
}

/// `data` of a `v1/payment-links` event (§5.2). Only the link id is required:
/// a receiver re-reads the link anyway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentLinkEventData {
    /// `created` or `updated`.
    #[serde(default)]
    pub event: Option<PaymentLinkEventKind>,
    /// The link's status after the event.
    #[serde(default)]
    pub status: Option<PaymentLinkStatus>,
    /// The link.
    pub payment_link_id: String,
    /// The link's gross amount.
    #[serde(default)]
    pub amount: Option<WireAmount>,
    /// Methods offered.
    #[serde(default)]
    pub potential_payment_methods: Vec<PaymentMethod>,
    /// Basket or invoice id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// e.g. `{"invoice_number": "H2025-343"}`.
    #[serde(default)]
    pub resource_metadata: Option<serde_json::Value>,
    /// `Basket` or `Invoice`.
    #[serde(default)]
    pub resource_type: Option<ResourceType>,
    /// The method of the latest payment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_payment_method_used: Option<PaymentMethod>,
    /// The link's expiry.
    #[serde(default)]
    pub expired_at: Option<String>,
    /// The link's creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// The link's last update.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `data` of a `v1/payment-links-connections` event (`connection_enabled`,
/// `connection_revoked`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionEventData {
    /// The event name.
    pub event: String,
}

// ---------------------------------------------------------------------------
// OAuth
// ---------------------------------------------------------------------------

/// `POST /oauth2/token` success response (§2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (1 h).
    pub access_token: String,
    /// Access token lifetime in seconds.
    #[serde(default)]
    pub expires_in: u64,
    /// Only with the `openid` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Only with `offline_access`; rotates on every refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `bearer`.
    #[serde(default)]
    pub token_type: String,
}

/// An OAuth error body (`{"error": "invalid_grant", …}`), as the token
/// endpoint returns it (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_client`, …
    pub error: String,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A hint (Ory Hydra adds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_hint: Option<String>,
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Where an error points: a body property (`pointer`) or a query/path
/// parameter (`parameter`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorSource {
    /// JSON pointer into the request body, e.g. `/payment_link/items/0/vat_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Query or path parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// One JSON:API error object (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable code, e.g. `not_in_list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

/// A Qonto error body: `{"errors": [...], "trace_id": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The errors (at least one in practice).
    #[serde(default)]
    pub errors: Vec<ApiError>,
    /// Qonto's trace id, for support tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

impl ErrorResponse {
    /// The first error's detail (or code), for logs.
    pub fn first_message(&self) -> Option<&str> {
        let first = self.errors.first()?;
        first.detail.as_deref().or(first.code.as_deref())
    }

    /// Whether this is the "use OAuth" refusal an API key gets on
    /// payment-link endpoints (§2.3).
    pub fn is_oauth_required(&self) -> bool {
        self.errors.iter().any(|e| {
            e.detail.as_deref().is_some_and(|d| {
                d.to_ascii_lowercase()
                    .contains("oauth2 authentication is required")
            })
        })
    }

    /// Whether an error says a scope is missing (a 403 from Qonto).
    pub fn is_missing_scope(&self) -> bool {
        self.errors.iter().any(|e| {
            e.detail.as_deref().is_some_and(|d| {
                d.to_ascii_lowercase()
                    .contains("missing required oauth scope")
            })
        })
    }
}

// ---------------------------------------------------------------------------
// Tolerant parsing
// ---------------------------------------------------------------------------

/// Parses `{"<key>": T}` or a bare `T`. Goes through `serde_json::Value` so a
/// failure reports the real field error, not "did not match any variant".
fn parse_maybe_wrapped<T: DeserializeOwned>(
    bytes: &[u8],
    key: &str,
) -> Result<T, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)?;
    if let Some(obj) = value.as_object_mut() {
        if obj.get(key).is_some_and(serde_json::Value::is_object) {
            if let Some(inner) = obj.remove(key) {
                return serde_json::from_value(inner);
            }
        }
    }
    serde_json::from_value(value)
}

/// Parses a payment link from `{"payment_link": {...}}` or the bare object
/// (GET and deactivate are documented bare; integrators read them wrapped).
pub fn parse_payment_link(bytes: &[u8]) -> Result<PaymentLink, serde_json::Error> {
    parse_maybe_wrapped(bytes, "payment_link")
}

/// Parses a connection from the bare object or `{"connection": {...}}`.
pub fn parse_connection(bytes: &[u8]) -> Result<Connection, serde_json::Error> {
    parse_maybe_wrapped(bytes, "connection")
}

/// Parses a client invoice from `{"client_invoice": {...}}` or the bare object.
pub fn parse_client_invoice(bytes: &[u8]) -> Result<ClientInvoice, serde_json::Error> {
    parse_maybe_wrapped(bytes, "client_invoice")
}

/// Parses a webhook subscription from the bare object or
/// `{"webhook_subscription": {...}}`.
pub fn parse_webhook_subscription(bytes: &[u8]) -> Result<WebhookSubscription, serde_json::Error> {
    parse_maybe_wrapped(bytes, "webhook_subscription")
}

/// Parses a Qonto error body; `None` when the body is not one (Qonto sends
/// 500s without a body).
pub fn parse_error(bytes: &[u8]) -> Option<ErrorResponse> {
    let parsed: ErrorResponse = serde_json::from_slice(bytes).ok()?;
    (!parsed.errors.is_empty()).then_some(parsed)
}

// ---------------------------------------------------------------------------
// Serde helpers
// ---------------------------------------------------------------------------

/// Reads a quantity sent as an integer, or as a float with no fractional part.
fn de_quantity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let n = serde_json::Number::deserialize(deserializer)?;
    if let Some(u) = n.as_u64() {
        return u32::try_from(u).map_err(|_| D::Error::custom("quantity out of range"));
    }
    match n.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
            // Checked above: non-negative, integral and in range, so the cast is exact.
            Ok(f as u32)
        }
        _ => Err(D::Error::custom(format!(
            "quantity must be a non-negative whole number, got {n}"
        ))),
    }
}

/// Reads an optional string that some responses send as a number.
fn de_opt_string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn amount(value: &str) -> WireAmount {
        WireAmount {
            value: value.to_owned(),
            currency: "EUR".to_owned(),
        }
    }

    // --- Documented examples (qonto-api.md) --------------------------------

    const CREATE_BASKET_PERCENT: &str = r#"{
      "payment_link": {
        "potential_payment_methods": ["credit_card"],
        "reusable": true,
        "items": [
          {
            "title": "Item 1",
            "quantity": 1,
            "unit_price": { "value": "10.99", "currency": "EUR" },
            "vat_rate": "21.0",
            "type": "good",
            "description": "Item 1 description",
            "measure_unit": "unit"
          }
        ]
      }
    }"#;

    const CREATE_INVOICE: &str = r#"{
      "payment_link": {
        "invoice_id": "<client_invoice uuid>",
        "invoice_number": "INV-12345",
        "debitor_name": "John Doe",
        "amount": { "value": "25.99", "currency": "EUR" },
        "potential_payment_methods": ["credit_card", "apple_pay"]
      }
    }"#;

    const CREATE_RESPONSE: &str = r#"{
      "payment_link": {
        "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "status": "open",
        "expiration_date": "2021-01-01T00:00:00Z",
        "potential_payment_methods": ["credit_card"],
        "amount": { "value": "13.30", "currency": "EUR" },
        "resource_type": "Basket",
        "reusable": true,
        "created_at": "2021-01-01T00:00:00Z",
        "url": "https://pay.qonto.com/019788b3-57ab-727c-b26e-86b95c16e93f?resource_id=4c56f862-6117-4b20-a3e3-7fa6fccea029",
        "items": [ { "title": "Item 1", "quantity": 1, "unit_price": { "value": "10.99", "currency": "EUR" }, "vat_rate": "21.0", "type": "good", "description": "Item 1 description", "measure_unit": "unit" } ],
        "invoice_id": "550e8400-e29b-41d4-a716-446655440001",
        "invoice_number": "INV-12345",
        "debitor_name": "John Doe"
      }
    }"#;

    const PAYMENTS_RESPONSE: &str = r#"{
      "payments": [
        {
          "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
          "amount": { "value": "13.30", "currency": "EUR" },
          "status": "open",
          "created_at": "2021-01-01T00:00:00Z",
          "payment_method": "credit_card",
          "paid_at": "2021-01-01T00:00:00Z",
          "debitor_email": "john.doe@example.com"
        }
      ],
      "meta": { "current_page": 2, "next_page": 3, "prev_page": 1, "total_pages": 11, "total_count": 210, "per_page": 20 }
    }"#;

    const WEBHOOK_CREATED: &str = r#"{
      "id": "123e4567-e89b-12d3-a456-426614174000",
      "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
      "organization_id": "123e4567-e89b-12d3-a456-426614174000",
      "membership_id": "123e4567-e89b-12d3-a456-426614174000",
      "type": "v1/payment-links",
      "created_at": "2025-01-24T10:55:00Z",
      "data": {
        "event": "created",
        "status": "open",
        "payment_link_id": "0199e1de-4fa1-7324-9aed-0b0f6a65243e",
        "amount": { "currency": "EUR", "value": "77052.50" },
        "potential_payment_methods": ["bank_transfer", "credit_card", "apple_pay", "paypal"],
        "resource_id": "0199e1de-4e01-72b7-86a0-fbe4e0475d56",
        "resource_metadata": { "invoice_number": "H2025-343" },
        "resource_type": "Invoice",
        "expired_at": "2026-10-14T08:37:47Z",
        "created_at": "2025-10-14T08:37:47Z",
        "updated_at": "2025-10-14T08:37:47Z"
      }
    }"#;

    /// The docs' second example: wrong envelope `type`, Basket, and
    /// `latest_payment_method_used`.
    const WEBHOOK_SECOND: &str = r#"{
      "id": "123e4567-e89b-12d3-a456-426614174000",
      "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
      "organization_id": "123e4567-e89b-12d3-a456-426614174000",
      "membership_id": "123e4567-e89b-12d3-a456-426614174000",
      "type": "v1/transactions",
      "created_at": "2025-01-24T10:55:00Z",
      "data": {
        "event": "created",
        "status": "open",
        "payment_link_id": "0199e1de-4fa1-7324-9aed-0b0f6a65243e",
        "amount": { "currency": "EUR", "value": "10.00" },
        "potential_payment_methods": ["credit_card", "sepa_credit_transfer"],
        "resource_id": "0199e1de-4e01-72b7-86a0-fbe4e0475d56",
        "resource_metadata": {},
        "resource_type": "Basket",
        "latest_payment_method_used": "credit_card",
        "expired_at": "2026-10-14T08:37:47Z",
        "created_at": "2025-10-14T08:37:47Z",
        "updated_at": "2025-10-14T08:37:47Z"
      }
    }"#;

    const WEBHOOK_CONNECTION: &str = r#"{
      "id": "123e4567-e89b-12d3-a456-426614174000",
      "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
      "organization_id": "123e4567-e89b-12d3-a456-426614174000",
      "membership_id": "123e4567-e89b-12d3-a456-426614174000",
      "type": "v1/payment-links-connections",
      "created_at": "2025-01-24T10:55:00Z",
      "data": { "event": "connection_enabled" }
    }"#;

    const TOKEN_RESPONSE: &str = r#"{
      "access_token": "_ACCESS_TOKEN_",
      "expires_in": 3600,
      "id_token": "_TOKEN_",
      "refresh_token": "_REFRESH_TOKEN_",
      "scope": "openid offline_access organization.read",
      "token_type": "bearer"
    }"#;

    const ERROR_SHAPE: &str = r#"{
      "errors": [
        { "code": "string", "detail": "string", "source": { "pointer": "string", "parameter": "string" } }
      ],
      "trace_id": "string"
    }"#;

    #[test]
    fn create_basket_example_parses_and_round_trips() {
        let req: CreatePaymentLinkRequest = serde_json::from_str(CREATE_BASKET_PERCENT).unwrap();
        let CreatePaymentLink::Basket(basket) = &req.payment_link else {
            panic!("expected a basket, got {req:?}");
        };
        assert!(basket.reusable);
        assert_eq!(
            basket.potential_payment_methods,
            vec![PaymentMethod::CreditCard]
        );
        let item = &basket.items[0];
        assert_eq!(item.quantity, 1);
        assert_eq!(item.unit_price, amount("10.99"));
        assert_eq!(item.vat_rate, "21.0");
        assert_eq!(item.item_type, Some(ItemType::Good));
        assert_eq!(item.measure_unit.as_deref(), Some("unit"));
        let back: serde_json::Value = serde_json::to_value(&req).unwrap();
        let original: serde_json::Value = serde_json::from_str(CREATE_BASKET_PERCENT).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn create_basket_newest_fraction_example_parses() {
        let body = CREATE_BASKET_PERCENT.replace("\"21.0\"", "\"0.21\"");
        let req: CreatePaymentLinkRequest = serde_json::from_str(&body).unwrap();
        let CreatePaymentLink::Basket(basket) = req.payment_link else {
            panic!("expected a basket");
        };
        assert_eq!(basket.items[0].vat_rate, "0.21");
    }

    #[test]
    fn create_invoice_example_parses_and_round_trips() {
        let req: CreatePaymentLinkRequest = serde_json::from_str(CREATE_INVOICE).unwrap();
        let CreatePaymentLink::Invoice(invoice) = &req.payment_link else {
            panic!("expected an invoice, got {req:?}");
        };
        assert_eq!(invoice.invoice_number, "INV-12345");
        assert_eq!(invoice.debitor_name, "John Doe");
        assert_eq!(invoice.amount, amount("25.99"));
        assert_eq!(
            invoice.potential_payment_methods,
            vec![PaymentMethod::CreditCard, PaymentMethod::ApplePay]
        );
        let back = serde_json::to_value(&req).unwrap();
        let original: serde_json::Value = serde_json::from_str(CREATE_INVOICE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn vat_rate_is_serialized_as_a_string_and_quantity_as_a_number() {
        let req = CreatePaymentLinkRequest::basket(CreateBasketPaymentLink {
            potential_payment_methods: vec![PaymentMethod::CreditCard],
            reusable: false,
            redirect_url: None,
            items: vec![BasketItem {
                title: "Mug".into(),
                quantity: 2,
                unit_price: amount("10.00"),
                vat_rate: "0.2".into(),
                item_type: None,
                description: None,
                measure_unit: None,
            }],
        });
        let v = serde_json::to_value(&req).unwrap();
        let item = &v["payment_link"]["items"][0];
        assert_eq!(item["vat_rate"], json!("0.2"));
        assert_eq!(item["quantity"], json!(2));
        // Unset optional fields are not sent at all.
        assert!(item.get("type").is_none());
        assert!(item.get("description").is_none());
    }

    #[test]
    fn create_response_example_parses_wrapped_and_bare() {
        let wrapped = parse_payment_link(CREATE_RESPONSE.as_bytes()).unwrap();
        assert_eq!(wrapped.id, "3c90c3cc-0d44-4b50-8888-8dd25736052a");
        assert_eq!(wrapped.status, PaymentLinkStatus::Open);
        assert_eq!(wrapped.amount, amount("13.30"));
        assert_eq!(wrapped.resource_type, Some(ResourceType::Basket));
        assert_eq!(wrapped.reusable, Some(true));
        assert_eq!(wrapped.items.as_ref().map(Vec::len), Some(1));
        assert_eq!(wrapped.invoice_number.as_deref(), Some("INV-12345"));
        assert!(wrapped
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://pay.qonto.com/"));

        let envelope: PaymentLinkEnvelope = serde_json::from_str(CREATE_RESPONSE).unwrap();
        assert_eq!(envelope.payment_link, wrapped);

        let bare = serde_json::to_vec(&wrapped).unwrap();
        assert_eq!(parse_payment_link(&bare).unwrap(), wrapped);
    }

    #[test]
    fn minimal_and_invoice_shaped_links_parse() {
        // Only the core fields: everything else defaults.
        let minimal =
            json!({"id": "x", "status": "open", "amount": {"value": "1.00", "currency": "EUR"}});
        let link = parse_payment_link(minimal.to_string().as_bytes()).unwrap();
        assert_eq!(link.items, None);
        assert!(link.potential_payment_methods.is_empty());

        // An invoice link: items null, basket-only fields absent.
        let invoice = json!({
            "id": "y", "status": "paid", "amount": {"value": "12.52", "currency": "EUR"},
            "resource_type": "Invoice", "items": null, "reusable": false,
            "invoice_id": "inv", "invoice_number": "INV001", "debitor_name": "Acme"
        });
        let link = parse_payment_link(invoice.to_string().as_bytes()).unwrap();
        assert_eq!(link.status, PaymentLinkStatus::Paid);
        assert_eq!(link.resource_type, Some(ResourceType::Invoice));
        assert_eq!(link.items, None);
    }

    #[test]
    fn parse_errors_name_the_field() {
        let err =
            parse_payment_link(br#"{"payment_link": {"id": "x", "status": "open"}}"#).unwrap_err();
        assert!(err.to_string().contains("amount"), "{err}");
        assert!(parse_payment_link(b"not json").is_err());
    }

    #[test]
    fn list_with_meta_parses() {
        let body = json!({
            "payment_links": [serde_json::from_str::<serde_json::Value>(CREATE_RESPONSE).unwrap()["payment_link"].clone()],
            "meta": { "current_page": 2, "next_page": null, "prev_page": 1, "total_pages": 2, "total_count": 150, "per_page": 100 }
        });
        let list: PaymentLinkList = serde_json::from_value(body).unwrap();
        assert_eq!(list.payment_links.len(), 1);
        assert_eq!(
            list.meta,
            Meta {
                current_page: 2,
                next_page: None,
                prev_page: Some(1),
                total_pages: 2,
                total_count: 150,
                per_page: 100
            }
        );
        // Serializes nulls back (the docs show `"next_page": null`).
        let v = serde_json::to_value(list.meta).unwrap();
        assert_eq!(v["next_page"], serde_json::Value::Null);
    }

    #[test]
    fn payments_response_parses() {
        let list: PaymentList = serde_json::from_str(PAYMENTS_RESPONSE).unwrap();
        let p = &list.payments[0];
        assert_eq!(p.status, PaymentStatus::Open);
        assert_eq!(p.payment_method, Some(PaymentMethod::CreditCard));
        assert_eq!(p.debitor_email.as_deref(), Some("john.doe@example.com"));
        assert_eq!(list.meta.next_page, Some(3));
        assert_eq!(list.meta.total_count, 210);
        // paid_at is nullable.
        let unpaid = json!({"id": "p", "amount": {"value": "1.00", "currency": "EUR"}, "status": "failed", "paid_at": null});
        let p: Payment = serde_json::from_value(unpaid).unwrap();
        assert_eq!(p.paid_at, None);
        assert_eq!(p.status, PaymentStatus::Failed);
    }

    #[test]
    fn payment_methods_response_parses() {
        let body = r#"{"payment_link_payment_methods": [{"name": "ideal", "enabled": true}, {"name": "paypal", "enabled": false}]}"#;
        let resp: PaymentMethodsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(resp.payment_link_payment_methods.len(), 2);
        assert_eq!(resp.enabled(), vec![PaymentMethod::Ideal]);
    }

    #[test]
    fn connection_parses_bare_and_wrapped() {
        let bare = r#"{"connection_location": "https://example.com/onboard", "status": "not_connected", "bank_account_id": "46e9e0d2-f1af-4d2e-a6be-a536a604b89e"}"#;
        let c = parse_connection(bare.as_bytes()).unwrap();
        assert_eq!(c.status, ConnectionStatus::NotConnected);
        assert_eq!(
            c.bank_account_id.as_deref(),
            Some("46e9e0d2-f1af-4d2e-a6be-a536a604b89e")
        );
        let wrapped = format!(r#"{{"connection": {bare}}}"#);
        assert_eq!(parse_connection(wrapped.as_bytes()).unwrap(), c);
        // The oldest docs omit bank_account_id.
        let old =
            parse_connection(br#"{"connection_location": "x", "status": "enabled"}"#).unwrap();
        assert_eq!(old.status, ConnectionStatus::Enabled);
        assert_eq!(old.bank_account_id, None);
    }

    #[test]
    fn create_connection_example_parses() {
        let body = r#"{
          "partner_callback_url": "https://partner.com/payment-links/onboarding-callback",
          "user_bank_account_id": "46e9e0d2-f1af-4d2e-a6be-a536a604b89e",
          "user_phone_number": "+33612345678",
          "user_website_url": "https://the-user-website.com",
          "business_description": "An 80-chars long string describing the business. An 80-chars long string describing the business."
        }"#;
        let c: CreateConnection = serde_json::from_str(body).unwrap();
        assert_eq!(c.user_phone_number, "+33612345678");
        assert!(c.business_description.chars().count() >= 80);
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(body).unwrap()
        );
    }

    #[test]
    fn client_invoice_parses_wrapped_and_bare() {
        let body = json!({
            "client_invoice": {
                "id": "inv-1",
                "organization_id": "org",
                "number": "INV001",
                "status": "paid",
                "invoice_url": "https://pay.qonto.com/invoices/abc",
                "currency": "EUR",
                "total_amount": {"value": "12.52", "currency": "EUR"},
                "total_amount_cents": 1252,
                "vat_amount": {"value": "0.51", "currency": "EUR"},
                "vat_amount_cents": 51,
                "issue_date": "2021-01-01",
                "due_date": "2021-01-31",
                "performance_date": "2021-01-01",
                "created_at": "2021-01-01T00:00:00Z",
                "finalized_at": "2021-01-01T00:00:00Z",
                "paid_at": "2021-01-02T00:00:00Z",
                "contact_email": "billing@example.com",
                "items": [{
                    "title": "Consulting", "description": "Hour", "quantity": "1.5", "unit": "hour",
                    "unit_price": {"value": "8.00", "currency": "EUR"}, "unit_price_cents": 800,
                    "vat_rate": "0.1", "vat_exemption_reason": null, "discount": null,
                    "total_vat": {"value": "1.20", "currency": "EUR"},
                    "total_amount": {"value": "13.20", "currency": "EUR"},
                    "subtotal": {"value": "12.00", "currency": "EUR"}
                }],
                "client": {"id": "c1", "name": "Acme SAS", "type": "company", "email": "a@acme.test", "address": "1 rue X"},
                "stamp_duty_amount": null
            }
        });
        let wrapped = parse_client_invoice(body.to_string().as_bytes()).unwrap();
        assert_eq!(wrapped.number_or_legacy(), Some("INV001"));
        assert_eq!(wrapped.status, Some(ClientInvoiceStatus::Paid));
        assert_eq!(wrapped.gross_amount(), Some(amount("12.52")));
        assert_eq!(
            wrapped
                .client
                .as_ref()
                .and_then(ClientInvoiceClient::display_name)
                .as_deref(),
            Some("Acme SAS")
        );
        assert_eq!(
            wrapped.items.as_ref().unwrap()[0].quantity.as_deref(),
            Some("1.5")
        );
        let bare = body["client_invoice"].to_string();
        assert_eq!(parse_client_invoice(bare.as_bytes()).unwrap(), wrapped);
        let env: ClientInvoiceEnvelope = serde_json::from_value(body).unwrap();
        assert_eq!(env.client_invoice, wrapped);
    }

    #[test]
    fn client_invoice_legacy_and_odd_shapes() {
        let body = json!({
            "id": "inv-2",
            "invoice_number": "F-2024-7",
            "status": "unpaid",
            "currency": "EUR",
            "total_amount_cents": 2599,
            "client": {"first_name": "Jane", "last_name": "Doe", "type": "individual"},
            "items": [{"title": "x", "quantity": 2, "vat_rate": 0.2}]
        });
        let inv = parse_client_invoice(body.to_string().as_bytes()).unwrap();
        assert_eq!(inv.number_or_legacy(), Some("F-2024-7"));
        assert_eq!(inv.gross_amount(), Some(amount("25.99")));
        assert_eq!(
            inv.client.unwrap().display_name().as_deref(),
            Some("Jane Doe")
        );
        let item = &inv.items.unwrap()[0];
        assert_eq!(item.quantity.as_deref(), Some("2"));
        assert_eq!(item.vat_rate.as_deref(), Some("0.2"));
        // No client at all, unknown status.
        let inv = parse_client_invoice(br#"{"id": "i", "status": "partially_paid"}"#).unwrap();
        assert_eq!(
            inv.status,
            Some(ClientInvoiceStatus::Other("partially_paid".into()))
        );
        assert_eq!(inv.gross_amount(), None);
    }

    #[test]
    fn webhook_events_parse() {
        let event: WebhookEvent = serde_json::from_str(WEBHOOK_CREATED).unwrap();
        assert_eq!(event.event_type, WEBHOOK_TYPE_PAYMENT_LINKS);
        let data = event.payment_link_data().unwrap();
        assert_eq!(data.event, Some(PaymentLinkEventKind::Created));
        assert_eq!(data.status, Some(PaymentLinkStatus::Open));
        assert_eq!(data.payment_link_id, "0199e1de-4fa1-7324-9aed-0b0f6a65243e");
        assert_eq!(data.amount, Some(amount("77052.50")));
        assert_eq!(
            data.potential_payment_methods[0],
            PaymentMethod::Other("bank_transfer".into())
        );
        assert_eq!(data.resource_type, Some(ResourceType::Invoice));
        assert_eq!(
            data.resource_metadata.as_ref().unwrap()["invoice_number"],
            json!("H2025-343")
        );
        assert_eq!(data.latest_payment_method_used, None);

        let second: WebhookEvent = serde_json::from_str(WEBHOOK_SECOND).unwrap();
        let data = second.payment_link_data().unwrap();
        assert_eq!(data.resource_type, Some(ResourceType::Basket));
        assert_eq!(
            data.latest_payment_method_used,
            Some(PaymentMethod::CreditCard)
        );

        let conn: WebhookEvent<ConnectionEventData> =
            serde_json::from_str(WEBHOOK_CONNECTION).unwrap();
        assert_eq!(conn.event_type, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS);
        assert_eq!(conn.data.event, "connection_enabled");

        // Typed data round-trips through the generic envelope.
        let typed: WebhookEvent<PaymentLinkEventData> =
            serde_json::from_str(WEBHOOK_CREATED).unwrap();
        let again: WebhookEvent =
            serde_json::from_str(&serde_json::to_string(&typed).unwrap()).unwrap();
        assert_eq!(again.payment_link_data().unwrap(), typed.data);
    }

    #[test]
    fn webhook_subscription_shapes() {
        let create = r#"{
          "callback_url": "https://api.partner.com/webhooks/qonto",
          "types": ["v1/transactions", "v1/organizations", "v1/memberships", "v1/consent-revocations"],
          "secret": "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA=",
          "description": "Production webhook for transactions"
        }"#;
        let body: CreateWebhookSubscription = serde_json::from_str(create).unwrap();
        assert_eq!(body.types.len(), 4);
        let response = json!({
            "id": "s1", "organization_id": "o", "membership_id": "m",
            "callback_url": body.callback_url, "types": ["v1/payment-links"],
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
            "secret": "whsec_x"
        });
        let sub = parse_webhook_subscription(response.to_string().as_bytes()).unwrap();
        assert_eq!(sub.description, None);
        // An unset description is omitted, as Qonto does.
        assert!(serde_json::to_value(&sub)
            .unwrap()
            .get("description")
            .is_none());
        let list: WebhookSubscriptionList = serde_json::from_value(
            json!({"subscriptions": [response], "meta": {"current_page": 1}}),
        )
        .unwrap();
        assert_eq!(list.subscriptions[0], sub);
    }

    #[test]
    fn token_response_parses() {
        let t: TokenResponse = serde_json::from_str(TOKEN_RESPONSE).unwrap();
        assert_eq!(t.access_token, "_ACCESS_TOKEN_");
        assert_eq!(t.expires_in, 3600);
        assert_eq!(t.refresh_token.as_deref(), Some("_REFRESH_TOKEN_"));
        assert_eq!(t.token_type, "bearer");
        let back = serde_json::to_value(&t).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(TOKEN_RESPONSE).unwrap()
        );
        let e: OAuthError =
            serde_json::from_str(r#"{"error":"invalid_grant","error_description":"expired"}"#)
                .unwrap();
        assert_eq!(e.error, "invalid_grant");
    }

    #[test]
    fn error_bodies_parse() {
        let e = parse_error(ERROR_SHAPE.as_bytes()).unwrap();
        assert_eq!(e.trace_id.as_deref(), Some("string"));
        let source = e.errors[0].source.as_ref().unwrap();
        assert_eq!(source.pointer.as_deref(), Some("string"));
        assert_eq!(source.parameter.as_deref(), Some("string"));

        let oauth = parse_error(br#"{"errors":[{"code":"unauthorized","detail":"OAuth2 authentication is required here"}],"trace_id":"t"}"#).unwrap();
        assert!(oauth.is_oauth_required());
        assert!(!oauth.is_missing_scope());
        assert_eq!(
            oauth.first_message(),
            Some("OAuth2 authentication is required here")
        );

        // 500s have no body; other JSON is not an error body.
        assert_eq!(parse_error(b""), None);
        assert_eq!(parse_error(br#"{"id":"x"}"#), None);

        // 401/403 entries carry no source: nothing is serialized for it.
        let v = serde_json::to_value(ApiError {
            code: Some("unauthorized".into()),
            detail: Some("x".into()),
            source: None,
        })
        .unwrap();
        assert!(v.get("source").is_none());
    }

    #[test]
    fn unknown_enum_values_round_trip() {
        fn round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(
            wire: &str,
            expected: T,
        ) {
            let parsed: T = serde_json::from_value(json!(wire)).unwrap();
            assert_eq!(parsed, expected);
            assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(wire));
        }
        round_trip("open", PaymentLinkStatus::Open);
        round_trip("processing", PaymentLinkStatus::Processing);
        round_trip("archived", PaymentLinkStatus::Other("archived".into()));
        round_trip("authorized", PaymentStatus::Authorized);
        round_trip("chargeback", PaymentStatus::Other("chargeback".into()));
        round_trip("apple_pay", PaymentMethod::ApplePay);
        round_trip(
            "sepa_credit_transfer",
            PaymentMethod::Other("sepa_credit_transfer".into()),
        );
        round_trip("not_connected", ConnectionStatus::NotConnected);
        round_trip("suspended", ConnectionStatus::Other("suspended".into()));
        round_trip("Basket", ResourceType::Basket);
        round_trip("Quote", ResourceType::Other("Quote".into()));
        round_trip("discount", ItemType::Other("discount".into()));
        round_trip("unpaid", ClientInvoiceStatus::Unpaid);
        round_trip("updated", PaymentLinkEventKind::Updated);

        // Wire strings are case-sensitive: "Open" is not "open".
        assert_eq!(
            PaymentLinkStatus::from_wire("Open"),
            PaymentLinkStatus::Other("Open".into())
        );
        assert!(!PaymentLinkStatus::from_wire("Open").is_documented());
        assert_eq!(PaymentMethod::DOCUMENTED.len(), 4);
        for m in PaymentMethod::DOCUMENTED {
            assert_eq!(&PaymentMethod::from_wire(m.as_str()), m);
            assert_eq!(m.to_string(), m.as_str());
        }
    }

    #[test]
    fn quantity_is_read_tolerantly_but_not_loosely() {
        let item = |q: serde_json::Value| {
            serde_json::from_value::<BasketItem>(json!({
                "title": "t", "quantity": q, "unit_price": {"value": "1.00", "currency": "EUR"}, "vat_rate": "0.2"
            }))
        };
        assert_eq!(item(json!(3)).unwrap().quantity, 3);
        assert_eq!(item(json!(3.0)).unwrap().quantity, 3);
        assert!(item(json!(1.5)).is_err());
        assert!(item(json!(-1)).is_err());
        assert!(item(json!("1")).is_err());
        // vat_rate must be a string on our side too.
        assert!(serde_json::from_value::<BasketItem>(json!({
            "title": "t", "quantity": 1, "unit_price": {"value": "1.00", "currency": "EUR"}, "vat_rate": 0.2
        }))
        .is_err());
    }
}
