//! The payment provider connection (Mollie onboarding) that payment links need.

#[allow(unused_imports)]
use super::*;

/// The connection to the payment provider. Documented bare;
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
