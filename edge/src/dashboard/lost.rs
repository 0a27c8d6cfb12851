//! "Where checkouts are lost": the filters of the admin list (abandoned,
//! failed, expired, amount mismatch to review) and, for each checkout, a
//! sentence saying why it ended where it did.

use super::figures::parse_utc;
use super::queries::LostRow;
use shared::money::{Currency, Money};

/// The filters, as `?reason=` accepts them.
pub(crate) const REASONS: &[&str] = &["abandoned", "failed", "expired", "review"];

/// Why this checkout is in the list, for the merchant.
pub(crate) fn why(row: &LostRow, currency: Currency, now_secs: i64) -> String {
    let money = |m: i64| {
        format!(
            "{} {}",
            Money::new(m, currency).to_decimal(),
            currency.as_str()
        )
    };
    if let Some(q) = row.qonto_amount_minor {
        if q != row.expected_gross_minor {
            return format!(
                "Amount mismatch: Qonto charges {}, the ledger expected {}. Check the link before fulfilling.",
                money(q),
                money(row.expected_gross_minor)
            );
        }
    }
    match (row.status.as_str(), row.last_payment_status.as_deref()) {
        ("expired", _) => match &row.expires_at {
            Some(at) => format!("The link expired at {at} without a payment."),
            None => "The link expired without a payment.".to_owned(),
        },
        ("canceled", _) => "The link was deactivated.".to_owned(),
        ("paid", _) => "Paid.".to_owned(),
        ("open", Some("failed")) => {
            "The shopper's payment failed and they did not try again.".to_owned()
        }
        ("open", Some("expired")) => {
            "The shopper's payment attempt timed out and they did not try again.".to_owned()
        }
        ("open", Some("canceled")) => "The shopper canceled the payment.".to_owned(),
        ("open", _) => {
            let hours = parse_utc(&row.created_at)
                .map(|t| (now_secs - t).max(0) / 3600)
                .unwrap_or(0);
            if hours >= 48 {
                format!("Abandoned: open for {} days without a payment.", hours / 24)
            } else {
                format!("Abandoned: open for {hours} h without a payment.")
            }
        }
        (other, _) => format!("Status {other}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, last: Option<&str>, qonto: Option<i64>) -> LostRow {
        LostRow {
            id: "ck_000000000000000000000001".into(),
            kind: "basket".into(),
            status: status.into(),
            last_payment_status: last.map(str::to_owned),
            expected_gross_minor: 1250,
            qonto_amount_minor: qonto,
            created_at: "2025-04-01T10:00:00.000Z".into(),
            updated_at: "2025-04-01T10:00:00.000Z".into(),
            expires_at: Some("2025-04-02T10:00:00.000Z".into()),
            paid_at: None,
            email: None,
            name: None,
            share: None,
        }
    }

    #[test]
    fn each_ending_has_its_sentence() {
        let now = parse_utc("2025-04-01T13:30:00.000Z").unwrap();
        let cases = [
            (row("open", None, Some(1250)), "Abandoned: open for 3 h without a payment."),
            (row("open", Some("failed"), Some(1250)), "The shopper's payment failed and they did not try again."),
            (row("expired", None, Some(1250)), "The link expired at 2025-04-02T10:00:00.000Z without a payment."),
            (
                row("paid", Some("paid"), Some(1200)),
                "Amount mismatch: Qonto charges 12.00 EUR, the ledger expected 12.50 EUR. Check the link before fulfilling.",
            ),
            (row("canceled", None, None), "The link was deactivated."),
        ];
        for (r, want) in cases {
            assert_eq!(why(&r, Currency::EUR, now), want);
        }
        let later = parse_utc("2025-04-05T10:00:00.000Z").unwrap();
        assert_eq!(
            why(&row("open", None, None), Currency::EUR, later),
            "Abandoned: open for 4 days without a payment."
        );
    }
}
