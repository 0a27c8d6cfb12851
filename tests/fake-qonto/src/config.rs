//! The fake's configuration and the data it starts with.

use shared::qonto::{
    ClientInvoice, ClientInvoiceClient, ClientInvoiceItem, ClientInvoiceStatus, ConnectionStatus,
    PaymentMethod, PaymentMethodAvailability,
};
use shared::vat::VatRateFormat;
use std::time::Duration;

/// Default OAuth client id of the fake.
pub const DEFAULT_CLIENT_ID: &str = "fake-qonto-client";
/// Default OAuth client secret of the fake.
pub const DEFAULT_CLIENT_SECRET: &str = "fake-qonto-secret";
/// Port of the binary when neither `--port` nor `FAKE_QONTO_PORT` is given.
pub const DEFAULT_PORT: u16 = 8790;

/// Seeded client invoice that is finalized and unpaid (payable by link).
pub const SEED_INVOICE_UNPAID_ID: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d56";
/// Seeded client invoice that is already paid.
pub const SEED_INVOICE_PAID_ID: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d57";
/// Seeded client invoice that is still a draft (not finalized).
pub const SEED_INVOICE_DRAFT_ID: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d58";

/// The organization every object belongs to.
pub const ORGANIZATION_ID: &str = "0199e1d0-0000-7000-8000-00000000a001";
/// The membership (user) behind the tokens.
pub const MEMBERSHIP_ID: &str = "0199e1d0-0000-7000-8000-00000000b001";
/// The bank account of the default connection.
pub const BANK_ACCOUNT_ID: &str = "46e9e0d2-f1af-4d2e-a6be-a536a604b89e";

/// How the fake behaves. `FakeConfig::default()` is what the demo and most
/// tests want: port 0 (any free port), an enabled provider connection, card,
/// Apple Pay and PayPal enabled (iDEAL disabled), three seeded invoices.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Base URL written into links and pages (`{public_url}/pay/{id}`);
    /// default `http://127.0.0.1:{bound port}`.
    pub public_url: Option<String>,
    /// The OAuth client id the fake accepts.
    pub client_id: String,
    /// The OAuth client secret the fake accepts.
    pub client_secret: String,
    /// Allowed OAuth redirect URIs (exact match); empty allows any http(s) URL.
    pub redirect_uris: Vec<String>,
    /// When set, `/oauth2/token` and `/v2/*` refuse requests without a
    /// matching `X-Qonto-Staging-Token`, like the sandbox's gate.
    pub staging_token: Option<String>,
    /// Access token lifetime (Qonto: 1 h).
    pub access_token_ttl: Duration,
    /// How long a refresh token stays usable after its first use (Qonto: 60 s).
    pub refresh_grace: Duration,
    /// Refresh token lifetime (Qonto: 90 days).
    pub refresh_token_ttl: Duration,
    /// Authorization code lifetime (Qonto: 10 min).
    pub auth_code_ttl: Duration,
    /// Skip the consent page: `/oauth2/auth` redirects back at once.
    pub auto_consent: bool,
    /// Whether `/v2` endpoints check the token's scopes (403 when missing).
    pub enforce_scopes: bool,
    /// The `vat_rate` encoding create accepts (`"0.2"` or `"20.0"`: Qonto's
    /// docs show both).
    pub vat_rate_format: VatRateFormat,
    /// The provider connection at start; `None` makes `GET …/connections` 404.
    pub connection: Option<ConnectionStatus>,
    /// The provider's payment methods and whether each is enabled.
    pub payment_methods: Vec<PaymentMethodAvailability>,
    /// Client invoices available at start.
    pub client_invoices: Vec<ClientInvoice>,
    /// First webhook retry delay; doubles on each further attempt.
    pub webhook_retry_delay: Duration,
    /// Delivery attempts per event and subscriber (first try included).
    pub webhook_max_attempts: u32,
    /// How long a receiver has to answer (Qonto: 1 s).
    pub webhook_timeout: Duration,
    /// How long an idempotency key is remembered (Qonto: 30 min).
    pub idempotency_ttl: Duration,
    /// The merchant's name on the payment page.
    pub merchant_name: String,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            public_url: None,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            redirect_uris: Vec::new(),
            staging_token: None,
            access_token_ttl: Duration::from_secs(3600),
            refresh_grace: Duration::from_secs(60),
            refresh_token_ttl: Duration::from_secs(90 * 24 * 3600),
            auth_code_ttl: Duration::from_secs(600),
            auto_consent: false,
            enforce_scopes: true,
            vat_rate_format: VatRateFormat::Fraction,
            connection: Some(ConnectionStatus::Enabled),
            payment_methods: default_payment_methods(),
            client_invoices: seed_invoices(),
            webhook_retry_delay: Duration::from_millis(1000),
            webhook_max_attempts: 6,
            webhook_timeout: Duration::from_secs(1),
            idempotency_ttl: Duration::from_secs(30 * 60),
            merchant_name: "Atelier Démo SAS".to_owned(),
        }
    }
}

/// Card, Apple Pay and PayPal enabled; iDEAL known but disabled.
pub fn default_payment_methods() -> Vec<PaymentMethodAvailability> {
    [
        (PaymentMethod::CreditCard, true),
        (PaymentMethod::ApplePay, true),
        (PaymentMethod::Paypal, true),
        (PaymentMethod::Ideal, false),
    ]
    .into_iter()
    .map(|(name, enabled)| PaymentMethodAvailability { name, enabled })
    .collect()
}

fn eur(value: &str) -> shared::money::WireAmount {
    shared::money::WireAmount {
        value: value.to_owned(),
        currency: "EUR".to_owned(),
    }
}

/// A seeded invoice with one line, VAT 20 %.
fn invoice(
    id: &str,
    number: &str,
    status: ClientInvoiceStatus,
    client: &str,
    net: &str,
    vat: &str,
    total: &str,
) -> ClientInvoice {
    let cents = |s: &str| crate::pricing::cents(s).ok();
    let paid = status == ClientInvoiceStatus::Paid;
    let finalized = status != ClientInvoiceStatus::Draft;
    ClientInvoice {
        id: id.to_owned(),
        organization_id: Some(ORGANIZATION_ID.to_owned()),
        number: finalized.then(|| number.to_owned()),
        invoice_number: None,
        status: Some(status),
        invoice_url: Some(format!("https://pay.qonto.com/invoices/{id}")),
        currency: Some("EUR".to_owned()),
        total_amount: Some(eur(total)),
        total_amount_cents: cents(total),
        vat_amount: Some(eur(vat)),
        vat_amount_cents: cents(vat),
        issue_date: Some("2025-10-01".to_owned()),
        due_date: Some("2025-10-31".to_owned()),
        created_at: Some("2025-10-01T09:00:00Z".to_owned()),
        finalized_at: finalized.then(|| "2025-10-01T09:05:00Z".to_owned()),
        paid_at: paid.then(|| "2025-10-05T14:30:00Z".to_owned()),
        contact_email: Some("billing@example.com".to_owned()),
        client: Some(ClientInvoiceClient {
            id: Some(format!("{}c", &id[..id.len() - 1])),
            name: Some(client.to_owned()),
            client_type: Some("company".to_owned()),
            email: Some("billing@example.com".to_owned()),
            ..ClientInvoiceClient::default()
        }),
        items: Some(vec![ClientInvoiceItem {
            title: Some("Consulting".to_owned()),
            description: Some("Workshop and follow-up".to_owned()),
            quantity: Some("1".to_owned()),
            unit: Some("unit".to_owned()),
            unit_price: Some(eur(net)),
            vat_rate: Some("0.2".to_owned()),
            total_amount: Some(eur(total)),
        }]),
    }
}

/// The invoices the fake starts with: one unpaid (120.00 EUR), one paid
/// (12.52 EUR, the docs' example amount) and one draft.
pub fn seed_invoices() -> Vec<ClientInvoice> {
    vec![
        invoice(
            SEED_INVOICE_UNPAID_ID,
            "INV-2025-0042",
            ClientInvoiceStatus::Unpaid,
            "Acme Industries SARL",
            "100.00",
            "20.00",
            "120.00",
        ),
        invoice(
            SEED_INVOICE_PAID_ID,
            "INV-2025-0041",
            ClientInvoiceStatus::Paid,
            "Globex GmbH",
            "10.43",
            "2.09",
            "12.52",
        ),
        invoice(
            SEED_INVOICE_DRAFT_ID,
            "INV-2025-0043",
            ClientInvoiceStatus::Draft,
            "Initech SAS",
            "50.00",
            "10.00",
            "60.00",
        ),
    ]
}
