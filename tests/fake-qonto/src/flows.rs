//! What happens to a link after creation: the payer's choice on the hosted
//! page (or the same through the control API), and deactivation.

use crate::app::{new_id, LinkRecord, PaymentRecord, State};
use crate::time;
use crate::webhooks::{self, Delivery};
use shared::qonto::{
    ClientInvoiceStatus, Payment, PaymentLink, PaymentLinkEventKind, PaymentLinkStatus,
    PaymentMethod, PaymentStatus, ResourceType,
};

/// What the payer did on the hosted page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Paid: a paid payment; a single-use link becomes `paid`.
    Paid,
    /// Refused: a failed payment; the link stays open.
    Failed,
    /// Abandoned: a canceled payment; the link stays open.
    Canceled,
    /// Timed out: an expired payment and the link becomes `expired`.
    Expired,
}

impl Outcome {
    pub(crate) fn parse(s: &str) -> Option<Outcome> {
        match s {
            "paid" | "pay" => Some(Outcome::Paid),
            "failed" | "fail" => Some(Outcome::Failed),
            "canceled" | "cancelled" | "cancel" => Some(Outcome::Canceled),
            "expired" | "expire" => Some(Outcome::Expired),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::Failed => "failed",
            Outcome::Canceled => "canceled",
            Outcome::Expired => "expired",
        }
    }
}

/// Why an outcome could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutcomeError {
    NotFound,
    /// The link is no longer payable (its status).
    NotPayable(PaymentLinkStatus),
    /// The method is not one the link offers.
    BadMethod(String),
}

impl std::fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutcomeError::NotFound => f.write_str("payment link not found"),
            OutcomeError::NotPayable(s) => {
                write!(f, "this payment link is {s} and can no longer be paid")
            }
            OutcomeError::BadMethod(m) => {
                write!(f, "payment method {m} is not offered by this link")
            }
        }
    }
}

/// Applies the payer's choice: records a payment, moves the link, marks an
/// invoice paid, and returns the `updated` webhooks to send.
pub(crate) fn apply_outcome(
    st: &mut State,
    link_id: &str,
    outcome: Outcome,
    method: Option<&str>,
    debitor_email: Option<&str>,
) -> Result<(PaymentLink, Payment, Vec<Delivery>), OutcomeError> {
    let seq = st.next_seq();
    let now = time::now_unix();
    let now_s = time::rfc3339(now);
    let pay_status = st.settings.pay_status.clone();
    let delta = st.settings.paid_amount_delta;
    let stays_processing = st.settings.link_stays_processing;
    let record = st.link_mut(link_id).ok_or(OutcomeError::NotFound)?;
    if !matches!(
        record.link.status,
        PaymentLinkStatus::Open | PaymentLinkStatus::Processing
    ) {
        return Err(OutcomeError::NotPayable(record.link.status.clone()));
    }
    let method = match method.filter(|m| !m.is_empty()) {
        Some(m) => {
            let m = PaymentMethod::from_wire(m);
            if !record.link.potential_payment_methods.contains(&m) {
                return Err(OutcomeError::BadMethod(m.to_string()));
            }
            m
        }
        None => record
            .link
            .potential_payment_methods
            .first()
            .cloned()
            .unwrap_or(PaymentMethod::CreditCard),
    };
    let status = match outcome {
        Outcome::Paid => pay_status,
        Outcome::Failed => PaymentStatus::Failed,
        Outcome::Canceled => PaymentStatus::Canceled,
        Outcome::Expired => PaymentStatus::Expired,
    };
    let paid = status == PaymentStatus::Paid;
    let in_flight = matches!(status, PaymentStatus::Pending | PaymentStatus::Authorized);
    let payment = Payment {
        id: new_id(),
        amount: payment_amount(&record.link.amount, if paid { delta } else { 0 }),
        status,
        created_at: Some(now_s.clone()),
        payment_method: Some(method),
        paid_at: paid.then(|| now_s.clone()),
        debitor_email: Some(
            debitor_email
                .filter(|e| !e.is_empty())
                .unwrap_or("payer@example.com")
                .to_owned(),
        ),
    };
    record.payments.push(PaymentRecord {
        payment: payment.clone(),
        seq,
    });
    let reusable = record.link.reusable.unwrap_or(false);
    match outcome {
        // Money in flight: the link is processing until it settles.
        Outcome::Paid if in_flight => record.link.status = PaymentLinkStatus::Processing,
        Outcome::Paid if stays_processing => record.link.status = PaymentLinkStatus::Processing,
        // A reusable link keeps taking payments.
        Outcome::Paid if !reusable => record.link.status = PaymentLinkStatus::Paid,
        Outcome::Expired => record.link.status = PaymentLinkStatus::Expired,
        _ => {}
    }
    record.updated_at = now_s.clone();
    let record = record.clone();
    let deliveries = announce(st, &record, paid, now_s);
    Ok((record.link, payment, deliveries))
}

/// After a payment moved: a paid invoice link marks its invoice paid, and
/// the link's `updated` webhooks are returned.
fn announce(st: &mut State, record: &LinkRecord, paid: bool, now_s: String) -> Vec<Delivery> {
    if paid && record.link.resource_type == Some(ResourceType::Invoice) {
        if let Some(invoice) = st.invoice_mut(&record.resource_id) {
            invoice.status = Some(ClientInvoiceStatus::Paid);
            invoice.paid_at = Some(now_s);
        }
    }
    webhooks::payment_link_event(st, record, PaymentLinkEventKind::Updated)
}

/// `amount` plus `delta` cents (the fake's own decimal handling).
fn payment_amount(amount: &shared::money::WireAmount, delta: i64) -> shared::money::WireAmount {
    match crate::pricing::cents(&amount.value) {
        Ok(c) if delta != 0 => crate::api::eur(c + delta),
        _ => amount.clone(),
    }
}

/// Moves the latest payment still in flight (`pending`, `authorized`) of a
/// link to `to` (`authorized`, `paid` or `failed`), and the link with it:
/// paid makes a single-use link `paid` (unless the link is told to stay
/// `processing`), failed reopens it.
pub(crate) fn settle(
    st: &mut State,
    link_id: &str,
    to: PaymentStatus,
) -> Result<(PaymentLink, Payment, Vec<Delivery>), OutcomeError> {
    let now_s = time::rfc3339(time::now_unix());
    let delta = st.settings.paid_amount_delta;
    let stays_processing = st.settings.link_stays_processing;
    let record = st.link_mut(link_id).ok_or(OutcomeError::NotFound)?;
    let link_amount = record.link.amount.clone();
    let Some(p) = record.payments.iter_mut().rev().find(|p| {
        matches!(
            p.payment.status,
            PaymentStatus::Pending | PaymentStatus::Authorized
        )
    }) else {
        return Err(OutcomeError::NotPayable(record.link.status.clone()));
    };
    p.payment.status = to.clone();
    if to == PaymentStatus::Paid {
        p.payment.paid_at = Some(now_s.clone());
        p.payment.amount = payment_amount(&link_amount, delta);
    }
    let payment = p.payment.clone();
    let reusable = record.link.reusable.unwrap_or(false);
    match to {
        PaymentStatus::Paid if stays_processing => {}
        PaymentStatus::Paid if !reusable => record.link.status = PaymentLinkStatus::Paid,
        PaymentStatus::Paid => record.link.status = PaymentLinkStatus::Open,
        PaymentStatus::Failed | PaymentStatus::Canceled => {
            record.link.status = PaymentLinkStatus::Open
        }
        _ => {}
    }
    record.updated_at = now_s.clone();
    let record = record.clone();
    let deliveries = announce(st, &record, to == PaymentStatus::Paid, now_s);
    Ok((record.link, payment, deliveries))
}

/// Why a link cannot be deactivated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeactivateError {
    NotFound,
    /// Paid, expired or processing links stay as they are.
    Final(PaymentLinkStatus),
}

/// Deactivates an open link (status `canceled`); deactivating a canceled
/// link again is a no-op.
pub(crate) fn deactivate(
    st: &mut State,
    link_id: &str,
) -> Result<(PaymentLink, Vec<Delivery>), DeactivateError> {
    let now_s = time::rfc3339(time::now_unix());
    let record = st.link_mut(link_id).ok_or(DeactivateError::NotFound)?;
    match record.link.status {
        PaymentLinkStatus::Canceled => return Ok((record.link.clone(), Vec::new())),
        PaymentLinkStatus::Open => {}
        ref other => return Err(DeactivateError::Final(other.clone())),
    }
    record.link.status = PaymentLinkStatus::Canceled;
    record.updated_at = now_s;
    let record = record.clone();
    let deliveries = webhooks::payment_link_event(st, &record, PaymentLinkEventKind::Updated);
    Ok((record.link, deliveries))
}
