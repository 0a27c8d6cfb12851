//! What a checkout's status is, from typed facts only: what one read of
//! Qonto (the link and its payments) means for the ledger, and what the
//! shopper is told for a ledger status. Pure, table-tested on the host.
//!
//! Payments are the truth (the rule integrators of Qonto follow): a checkout
//! is paid when one of its link's payments is `paid` **for the link's
//! amount**; a paid payment of another amount is put in `review` for the
//! merchant; money in flight (`pending`, `authorized`) is `processing`,
//! never "try again".

use crate::ledger::{LedgerStatus, Observation};
use shared::api::CheckoutStatus;
use shared::money::{Money, WireAmount};
use shared::qonto::{Payment, PaymentLinkStatus, PaymentStatus};

/// Cents of a Qonto amount, when it parses.
pub(crate) fn minor_of(amount: &WireAmount) -> Option<i64> {
    Money::try_from(amount).ok().map(|m| m.minor())
}

/// The ledger status a freshly created link starts in.
pub(crate) fn from_link(status: &PaymentLinkStatus) -> LedgerStatus {
    match status {
        PaymentLinkStatus::Open => LedgerStatus::Open,
        PaymentLinkStatus::Processing => LedgerStatus::Processing,
        // Paid only once a payment shows it (see `observe`).
        PaymentLinkStatus::Paid => LedgerStatus::Processing,
        PaymentLinkStatus::Expired => LedgerStatus::Expired,
        PaymentLinkStatus::Canceled => LedgerStatus::Canceled,
        PaymentLinkStatus::Other(_) => LedgerStatus::Open,
    }
}

/// What the link's status and payments say, for a link of `link_amount`
/// cents (None when Qonto's amount could not be read: no payment can then
/// count as paid).
pub(crate) fn observe(
    link: &PaymentLinkStatus,
    link_amount: Option<i64>,
    payments: &[Payment],
) -> Observation {
    let latest = payments
        .iter()
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
        .map(|p| p.status.clone());
    let paid: Vec<&Payment> = payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Paid)
        .collect();
    let of_link_amount: Vec<&&Payment> = paid
        .iter()
        .filter(|p| link_amount.is_some() && minor_of(&p.amount) == link_amount)
        .collect();
    if !of_link_amount.is_empty() {
        return Observation {
            status: LedgerStatus::Paid,
            last_payment: latest,
            paid_at: of_link_amount
                .iter()
                .filter_map(|p| p.paid_at.clone())
                .min(),
            paid_amount_minor: link_amount,
        };
    }
    if let Some(other) = paid.first() {
        return Observation {
            status: LedgerStatus::Review,
            last_payment: latest,
            paid_at: other.paid_at.clone(),
            paid_amount_minor: minor_of(&other.amount),
        };
    }
    let in_flight = payments
        .iter()
        .any(|p| matches!(p.status, PaymentStatus::Pending | PaymentStatus::Authorized));
    let status = if in_flight {
        LedgerStatus::Processing
    } else {
        from_link(link)
    };
    Observation {
        status,
        last_payment: latest,
        paid_at: None,
        paid_amount_minor: None,
    }
}

/// What a reusable link's own status says. Such a link (a share link the
/// merchant prints as a QR code) takes any number of payments and stays
/// open: its payments are recorded one by one as checkouts of their own
/// (`dashboard::share_links`), never as the link being paid.
pub(crate) fn observe_reusable(link: &PaymentLinkStatus) -> Observation {
    observe(link, None, &[])
}

/// The status the shopper (the widget) sees.
pub(crate) fn public_status(
    status: LedgerStatus,
    last_payment: Option<&PaymentStatus>,
) -> CheckoutStatus {
    match (status, last_payment) {
        (LedgerStatus::Creating, _) => CheckoutStatus::Open,
        // Back without paying: the outcome of the latest attempt.
        (LedgerStatus::Open, Some(PaymentStatus::Failed | PaymentStatus::Expired)) => {
            CheckoutStatus::Failed
        }
        (LedgerStatus::Open, Some(PaymentStatus::Canceled)) => CheckoutStatus::Canceled,
        (LedgerStatus::Open, _) => CheckoutStatus::Open,
        (LedgerStatus::Processing, _) => CheckoutStatus::Processing,
        (LedgerStatus::Paid, _) => CheckoutStatus::Paid,
        // Money arrived at another amount: the merchant looks at it; the
        // shopper must not pay again meanwhile.
        (LedgerStatus::Review, _) => CheckoutStatus::Processing,
        (LedgerStatus::Expired, _) => CheckoutStatus::Expired,
        (LedgerStatus::Canceled, _) => CheckoutStatus::Canceled,
        (LedgerStatus::Failed, _) => CheckoutStatus::Failed,
        (LedgerStatus::Unknown, _) => CheckoutStatus::Processing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pay(status: &str, value: &str, at: &str) -> Payment {
        Payment {
            id: format!("p-{at}"),
            amount: WireAmount {
                value: value.into(),
                currency: "EUR".into(),
            },
            status: PaymentStatus::from_wire(status),
            created_at: Some(at.into()),
            payment_method: None,
            paid_at: (status == "paid").then(|| at.to_owned()),
            debitor_email: None,
        }
    }

    #[test]
    fn payments_decide_and_only_at_the_links_amount() {
        use LedgerStatus::*;
        let open = PaymentLinkStatus::Open;
        let paid_link = PaymentLinkStatus::Paid;
        let processing = PaymentLinkStatus::Processing;
        let cases: Vec<(&PaymentLinkStatus, Vec<Payment>, LedgerStatus, Option<i64>)> = vec![
            (&open, vec![], Open, None),
            (&open, vec![pay("failed", "12.00", "1")], Open, None),
            (&open, vec![pay("pending", "12.00", "1")], Processing, None),
            (
                &open,
                vec![pay("authorized", "12.00", "1")],
                Processing,
                None,
            ),
            (&processing, vec![], Processing, None),
            // The link says paid, no payment shows it yet: not paid.
            (&paid_link, vec![], Processing, None),
            (
                &paid_link,
                vec![pay("paid", "12.00", "1")],
                Paid,
                Some(1200),
            ),
            // Qonto's link status lags: the payment is what counts.
            (
                &processing,
                vec![pay("paid", "12.00", "1")],
                Paid,
                Some(1200),
            ),
            (
                &open,
                vec![pay("failed", "12.00", "1"), pay("paid", "12.00", "2")],
                Paid,
                Some(1200),
            ),
            // Paid, but not the link's amount.
            (
                &paid_link,
                vec![pay("paid", "11.99", "1")],
                Review,
                Some(1199),
            ),
            (&PaymentLinkStatus::Expired, vec![], Expired, None),
            (&PaymentLinkStatus::Canceled, vec![], Canceled, None),
        ];
        for (link, payments, want, paid_amount) in cases {
            let seen = observe(link, Some(1200), &payments);
            assert_eq!(seen.status, want, "{link:?} {payments:?}");
            assert_eq!(seen.paid_amount_minor, paid_amount, "{link:?} {payments:?}");
        }
        // An unreadable link amount never counts as paid.
        let seen = observe(&paid_link, None, &[pay("paid", "12.00", "1")]);
        assert_eq!(seen.status, Review);
    }

    #[test]
    fn a_reusable_link_keeps_its_own_status_whatever_its_payments() {
        for (link, want) in [
            (PaymentLinkStatus::Open, LedgerStatus::Open),
            (PaymentLinkStatus::Canceled, LedgerStatus::Canceled),
            (PaymentLinkStatus::Expired, LedgerStatus::Expired),
        ] {
            let seen = observe_reusable(&link);
            assert_eq!(seen.status, want, "{link:?}");
            assert_eq!(seen.paid_amount_minor, None);
        }
    }

    #[test]
    fn the_latest_payment_and_the_first_paid_time_are_kept() {
        let seen = observe(
            &PaymentLinkStatus::Paid,
            Some(1200),
            &[
                pay("failed", "12.00", "2026-01-01T10:00:00Z"),
                pay("paid", "12.00", "2026-01-01T10:05:00Z"),
            ],
        );
        assert_eq!(seen.last_payment, Some(PaymentStatus::Paid));
        assert_eq!(seen.paid_at.as_deref(), Some("2026-01-01T10:05:00Z"));
    }

    #[test]
    fn the_shopper_never_sees_try_again_while_money_is_in_flight() {
        use LedgerStatus::*;
        let p = |s: &str| Some(PaymentStatus::from_wire(s));
        for (status, last, want) in [
            (Creating, None, "open"),
            (Open, None, "open"),
            (Open, p("open"), "open"),
            (Open, p("failed"), "failed"),
            (Open, p("expired"), "failed"),
            (Open, p("canceled"), "canceled"),
            (Processing, p("pending"), "processing"),
            (Processing, p("authorized"), "processing"),
            (Paid, p("paid"), "paid"),
            (Review, p("paid"), "processing"),
            (Expired, None, "expired"),
            (Canceled, None, "canceled"),
            (Failed, None, "failed"),
        ] {
            assert_eq!(
                public_status(status, last.as_ref()).as_str(),
                want,
                "{status:?} {last:?}"
            );
        }
    }

    #[test]
    fn only_live_statuses_are_asked_again() {
        for s in LedgerStatus::ALL {
            let live = matches!(
                s,
                LedgerStatus::Creating | LedgerStatus::Open | LedgerStatus::Processing
            );
            assert_eq!(s.is_final(), !live, "{s:?}");
            assert_eq!(LedgerStatus::parse(s.as_str()), Some(s));
        }
    }
}
