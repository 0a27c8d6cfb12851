//! The `checkouts` table's typed rows: a checkout's ledger status, the row
//! as stored and what a new one starts with, what claiming its idempotency
//! key found, and the facts a Qonto link or a read of Qonto gives. The SQL
//! that reads and writes them is in [`super::checkouts`].

use super::age_ms;
use super::checkouts::ABANDONED_MS;
use serde::Deserialize;
use shared::qonto::PaymentStatus;

/// A checkout's state in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LedgerStatus {
    /// Inserted, its link not created yet.
    Creating,
    /// The link is payable.
    Open,
    /// A payment is in flight (pending, authorized), or Qonto says so.
    Processing,
    /// A `paid` payment of the link's amount.
    Paid,
    /// Expired at Qonto, or deactivated by the edge after
    /// `CHECKOUT_TTL_HOURS`.
    Expired,
    /// Deactivated by the merchant.
    Canceled,
    /// Refused before any payment: Qonto's amount differed from the edge's
    /// (`failure` says why); its link was deactivated at once.
    Failed,
    /// A `paid` payment of another amount than the link's: for the
    /// merchant to look at, never accepted silently.
    Review,
    /// A value this version does not know (written by a newer one).
    #[serde(other)]
    Unknown,
}

impl LedgerStatus {
    /// As stored.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Creating => "creating",
            LedgerStatus::Open => "open",
            LedgerStatus::Processing => "processing",
            LedgerStatus::Paid => "paid",
            LedgerStatus::Expired => "expired",
            LedgerStatus::Canceled => "canceled",
            LedgerStatus::Failed => "failed",
            LedgerStatus::Review => "review",
            LedgerStatus::Unknown => "unknown",
        }
    }

    /// Every stored value (the admin's filter).
    pub(crate) const ALL: [LedgerStatus; 8] = [
        LedgerStatus::Creating,
        LedgerStatus::Open,
        LedgerStatus::Processing,
        LedgerStatus::Paid,
        LedgerStatus::Expired,
        LedgerStatus::Canceled,
        LedgerStatus::Failed,
        LedgerStatus::Review,
    ];

    /// The stored value named `s`.
    pub(crate) fn parse(s: &str) -> Option<LedgerStatus> {
        LedgerStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether nothing Qonto says can change it any more (Qonto is not
    /// asked again).
    pub(crate) fn is_final(self) -> bool {
        !matches!(
            self,
            LedgerStatus::Creating | LedgerStatus::Open | LedgerStatus::Processing
        )
    }
}

/// One checkout, as stored.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CheckoutRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) request_hash: String,
    pub(crate) status: LedgerStatus,
    pub(crate) last_payment_status: Option<PaymentStatus>,
    pub(crate) currency: String,
    pub(crate) net_minor: i64,
    pub(crate) vat_minor: i64,
    pub(crate) expected_gross_minor: i64,
    pub(crate) qonto_amount_minor: Option<i64>,
    pub(crate) link_id: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) invoice_id: Option<String>,
    pub(crate) lines_json: String,
    pub(crate) order_json: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) status_checked_at: Option<String>,
    pub(crate) paid_at: Option<String>,
    pub(crate) expires_at: Option<String>,
    pub(crate) customer_forgotten_at: Option<String>,
    /// The shop page the shopper is sent back to (without `qc_checkout`).
    #[serde(default)]
    pub(crate) return_url: Option<String>,
    /// Why a `failed` checkout failed (`amount_mismatch`).
    #[serde(default)]
    pub(crate) failure: Option<String>,
    /// The amount of the paid payment (differs from the link's in `review`).
    #[serde(default)]
    pub(crate) paid_amount_minor: Option<i64>,
}

/// A stored currency code (written by the edge from a validated catalog or
/// invoice, so the fallback is never taken).
fn currency_of(code: &str) -> shared::money::Currency {
    shared::money::Currency::parse(code).unwrap_or(shared::money::Currency::EUR)
}

impl CheckoutRow {
    /// The ledger's currency.
    pub(crate) fn currency(&self) -> shared::money::Currency {
        currency_of(&self.currency)
    }

    /// An amount of this checkout's currency.
    pub(crate) fn money(&self, minor: i64) -> shared::money::Money {
        shared::money::Money::new(minor, self.currency())
    }

    /// The stored order (customer, shipping, totals; an invoice's number and
    /// debitor), `null` when there is none.
    pub(crate) fn order(&self) -> serde_json::Value {
        self.order_json
            .as_deref()
            .and_then(shared::api::stored::StoredOrder::from_json)
            .and_then(|o| serde_json::to_value(o).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The priced lines as sent to Qonto (`[]` for an invoice).
    pub(crate) fn lines(&self) -> serde_json::Value {
        serde_json::from_str(&self.lines_json).unwrap_or_else(|_| serde_json::json!([]))
    }

    /// What the checkout charges: Qonto's figure once known, else the
    /// amount the edge computed.
    pub(crate) fn charged(&self) -> shared::money::Money {
        self.money(self.qonto_amount_minor.unwrap_or(self.expected_gross_minor))
    }

    /// The checkout's short reference (`QC-1A2B3C4D`), carried in the Qonto
    /// link's first item so a payment can be matched to it.
    pub(crate) fn reference(&self) -> String {
        crate::checkouts::reference(&self.id)
    }

    /// A `creating` row whose request died.
    pub(crate) fn is_abandoned(&self) -> bool {
        self.status == LedgerStatus::Creating
            && age_ms(&self.created_at).is_some_and(|a| a > ABANDONED_MS)
    }
}

/// What a new checkout starts with.
#[derive(Debug, Clone)]
pub(crate) struct NewCheckout {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) request_hash: String,
    pub(crate) currency: String,
    pub(crate) net_minor: i64,
    pub(crate) vat_minor: i64,
    pub(crate) expected_gross_minor: i64,
    pub(crate) invoice_id: Option<String>,
    pub(crate) lines_json: String,
    pub(crate) order_json: Option<String>,
    /// Lowercased customer e-mail, when one was given.
    pub(crate) customer_email: Option<String>,
    /// The page to come back to, checked against `ALLOWED_ORIGINS`.
    pub(crate) return_url: Option<String>,
}

impl NewCheckout {
    /// An amount of this checkout's currency.
    pub(crate) fn money(&self, minor: i64) -> shared::money::Money {
        shared::money::Money::new(minor, currency_of(&self.currency))
    }
}

/// What claiming an idempotency key found.
#[derive(Debug)]
pub(crate) enum Claim {
    /// The new row holds the key: this request creates the link.
    Claimed,
    /// Another request's row holds it (finished, failed or in progress).
    Taken(Box<CheckoutRow>),
    /// A dead request's row for the same request, now this request's: it
    /// creates the link under that row's id.
    Resumed(Box<CheckoutRow>),
}

/// The link Qonto created (or that was found) for a checkout.
#[derive(Debug, Clone)]
pub(crate) struct LinkFacts {
    pub(crate) link_id: String,
    pub(crate) url: String,
    pub(crate) status: LedgerStatus,
    pub(crate) amount_minor: Option<i64>,
    pub(crate) expires_at: Option<String>,
}

/// What one read of Qonto (link and payments) says about a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observation {
    pub(crate) status: LedgerStatus,
    /// The latest payment's status.
    pub(crate) last_payment: Option<PaymentStatus>,
    /// When the link's amount was paid.
    pub(crate) paid_at: Option<String>,
    /// The paid payment's amount (the link's, or another in `review`).
    pub(crate) paid_amount_minor: Option<i64>,
}
