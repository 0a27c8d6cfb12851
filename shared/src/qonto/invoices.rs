//! Client invoices, the subject of invoice payment links.

#[allow(unused_imports)]
use super::*;

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

/// One line of a client invoice. `quantity` is a string there (`"1.5"`);
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

/// A Qonto client invoice: the fields an invoice payment link needs.
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
