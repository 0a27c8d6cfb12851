//! What the state says to show, before any DOM or number formatting: the
//! dialog's title and status line, the totals rows, the message under the
//! basket and the footer's buttons. Pure, so the rules of the view are
//! tested on the host; [`super::render`] formats the amounts (through
//! `Intl`) and writes the result.

use shared::{Money, VatRate};

use crate::app::bill::{Bill, Ship};
use crate::app::Step;
use crate::i18n::Msg;

/// The dialog's heading on `step`.
pub(crate) fn title(step: Step) -> Msg {
    match step {
        Step::Basket => Msg::Title,
        Step::Details => Msg::Details,
        Step::Paying | Step::Redirecting => Msg::Payment,
        Step::Paid => Msg::PaidTitle,
        Step::Processing => Msg::ProcessingTitle,
        Step::NotCompleted | Step::Failed => Msg::NotDoneTitle,
        Step::Expired => Msg::ExpiredTitle,
    }
}

/// The status line of the steps past the details (none on the basket and
/// the details); `notice` says why a payment could not start.
pub(crate) fn status(step: Step, notice: Option<Msg>) -> Option<Msg> {
    Some(match step {
        Step::Basket | Step::Details => return None,
        Step::Paying => Msg::Preparing,
        Step::Redirecting => Msg::Redirecting,
        Step::Paid => Msg::PaidText,
        Step::Processing => Msg::ProcessingText,
        Step::NotCompleted => Msg::NotDoneText,
        Step::Expired => Msg::ExpiredText,
        Step::Failed => notice.unwrap_or(Msg::ErrGeneric),
    })
}

/// The label of a totals row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// A text.
    Text(Msg),
    /// "VAT {rate}".
    Vat(VatRate),
    /// "Discount ({code})": the code is the state's.
    Discount,
}

/// The value of a totals row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    /// An amount.
    Amount(Money),
    /// A text ("Free", "Calculated at the next step").
    Text(Msg),
    /// Not known yet: "—".
    Unknown,
    /// An amount taken off ("−5,00 €").
    Off(Money),
}

/// One row of the totals: its CSS class, label and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// `qc-ship`, `qc-grand` or none.
    pub(crate) class: &'static str,
    /// The label.
    pub(crate) label: Label,
    /// The value.
    pub(crate) value: Value,
}

/// The totals: the discount (if a code applies; the net and VAT after
/// it are what is charged), goods net, VAT per rate, shipping (gross), the total; none
/// off the basket and details steps or while the prices are unknown. On the
/// basket an unknown shipping is "calculated at the next step" and the
/// total is the goods'; on the details step both wait for a country.
pub(crate) fn rows(bill: &Bill, on_basket: bool, shopping: bool) -> Vec<Row> {
    let mut rows = Vec::new();
    let Some(totals) = bill.summary.totals.as_ref().filter(|_| shopping) else {
        return rows;
    };
    let row = |class, label, value| Row {
        class,
        label,
        value,
    };
    if let Some(off) = bill.discount {
        rows.push(row("qc-disc", Label::Discount, Value::Off(off)));
    }
    rows.push(row(
        "",
        Label::Text(Msg::Subtotal),
        Value::Amount(totals.net),
    ));
    for (rate, amount) in &totals.vat_by_rate {
        rows.push(row("", Label::Vat(*rate), Value::Amount(*amount)));
    }
    let shipping = match bill.ship {
        Ship::None => None,
        Ship::Free => Some(Value::Text(Msg::Free)),
        Ship::Cost(cost) => Some(Value::Amount(cost)),
        _ if on_basket => Some(Value::Text(Msg::ShipLater)),
        _ => Some(Value::Unknown),
    };
    if let Some(shipping) = shipping {
        rows.push(row("qc-ship", Label::Text(Msg::Shipping), shipping));
    }
    let total = match bill.total {
        Some(total) => Value::Amount(total),
        None if on_basket => Value::Amount(totals.gross),
        None => Value::Unknown,
    };
    rows.push(row("qc-grand", Label::Text(Msg::Total), total));
    rows
}

/// The message under the basket: the last error, else the blocker (an
/// empty basket says so in the body already).
pub(crate) fn message(notice: Option<Msg>, blocker: Option<Msg>, shopping: bool) -> Option<Msg> {
    notice
        .or(blocker.filter(|m| *m != Msg::Empty))
        .filter(|_| shopping)
}

/// `(action, hidden, disabled)` of the footer's buttons on `step`, with
/// `blocked`: Continue or Pay is not possible (yet).
pub(crate) fn buttons(step: Step, blocked: bool) -> [(&'static str, bool, bool); 5] {
    let on_basket = step == Step::Basket;
    let on_details = step == Step::Details;
    let shopping = on_basket || on_details;
    let retry = matches!(step, Step::NotCompleted | Step::Failed | Step::Expired);
    [
        ("continue", !on_basket, blocked),
        ("back", !on_details, false),
        ("submit", !on_details, !on_details || blocked),
        ("retry", !retry, false),
        ("close", shopping, false),
    ]
}

/// The label of the retry button: an expired checkout is started again
/// (a new one), anything else tried again.
pub(crate) fn retry_label(step: Step) -> Msg {
    if step == Step::Expired {
        Msg::StartAgain
    } else {
        Msg::TryAgain
    }
}

/// The checkout's reference, shown on the paid and processing screens only
/// (the shopper quotes it to the shop).
pub(crate) fn reference(step: Step, reference: Option<&str>) -> Option<&str> {
    reference.filter(|_| matches!(step, Step::Paid | Step::Processing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::bill::Summary;
    use shared::{Currency, Totals};

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn bill(ship: Ship, total: Option<Money>) -> Bill {
        let rate = VatRate::from_basis_points(2000).unwrap();
        let totals = Totals {
            net: eur(1000),
            vat: eur(200),
            gross: eur(1200),
            vat_by_rate: vec![(rate, eur(200))],
        };
        Bill {
            summary: Summary {
                lines: Vec::new(),
                totals: Some(totals),
                count: 1,
                gone: false,
            },
            ship,
            total,
            tax: None,
            discount: None,
            short: None,
        }
    }

    #[test]
    fn totals_rows_by_step_and_shipping() {
        let values = |b: &Bill, on_basket: bool| -> Vec<Value> {
            rows(b, on_basket, true).iter().map(|r| r.value).collect()
        };
        let rate_row = Value::Amount(eur(200));
        // Basket, country not chosen: shipping later, total of the goods.
        assert_eq!(
            values(&bill(Ship::Later, None), true),
            vec![
                Value::Amount(eur(1000)),
                rate_row,
                Value::Text(Msg::ShipLater),
                Value::Amount(eur(1200))
            ]
        );
        // Details, country not chosen: both unknown.
        assert_eq!(
            values(&bill(Ship::Later, None), false)[2..],
            [Value::Unknown, Value::Unknown]
        );
        // Shipping priced: its gross and the total with it.
        assert_eq!(
            values(&bill(Ship::Cost(eur(588)), Some(eur(1788))), false)[2..],
            [Value::Amount(eur(588)), Value::Amount(eur(1788))]
        );
        // Free, and services only (no shipping row).
        assert_eq!(
            values(&bill(Ship::Free, Some(eur(1200))), false)[2],
            Value::Text(Msg::Free)
        );
        assert_eq!(values(&bill(Ship::None, Some(eur(1200))), true).len(), 3);
        // A code applied: its row first, what it takes off.
        let mut with_code = bill(Ship::None, Some(eur(1100)));
        with_code.discount = Some(eur(100));
        let first = rows(&with_code, true, true)[0];
        assert_eq!(
            (first.class, first.label, first.value),
            ("qc-disc", Label::Discount, Value::Off(eur(100)))
        );
        // Off the shopping steps: no rows.
        assert!(rows(&bill(Ship::None, None), true, false).is_empty());
    }

    #[test]
    fn buttons_and_messages() {
        assert_eq!(
            buttons(Step::Basket, true),
            [
                ("continue", false, true),
                ("back", true, false),
                ("submit", true, true),
                ("retry", true, false),
                ("close", true, false),
            ]
        );
        let details = buttons(Step::Details, false);
        assert_eq!(details[2], ("submit", false, false));
        assert_eq!(details[1], ("back", false, false));
        assert_eq!(buttons(Step::Failed, false)[3], ("retry", false, false));
        assert_eq!(buttons(Step::Paid, false)[4], ("close", false, false));
        assert_eq!(message(None, Some(Msg::Empty), true), None);
        assert_eq!(
            message(None, Some(Msg::ErrAmount), true),
            Some(Msg::ErrAmount)
        );
        assert_eq!(message(Some(Msg::ErrDown), None, false), None);
        assert_eq!(status(Step::Failed, Some(Msg::ErrDown)), Some(Msg::ErrDown));
        assert_eq!(status(Step::Basket, None), None);
        assert_eq!(title(Step::Redirecting), Msg::Payment);
    }

    #[test]
    fn an_expired_checkout_is_started_again() {
        assert_eq!(title(Step::Expired), Msg::ExpiredTitle);
        assert_eq!(status(Step::Expired, None), Some(Msg::ExpiredText));
        assert_eq!(buttons(Step::Expired, false)[3], ("retry", false, false));
        assert_eq!(buttons(Step::Expired, false)[4], ("close", false, false));
        assert_eq!(retry_label(Step::Expired), Msg::StartAgain);
        assert_eq!(retry_label(Step::NotCompleted), Msg::TryAgain);
        assert_eq!(title(Step::NotCompleted), Msg::NotDoneTitle);
    }

    #[test]
    fn the_reference_shows_once_paid_or_processing() {
        let r = Some("QC-1A2B3C4D");
        assert_eq!(reference(Step::Paid, r), r);
        assert_eq!(reference(Step::Processing, r), r);
        assert_eq!(reference(Step::Paid, None), None);
        for step in [
            Step::Basket,
            Step::Details,
            Step::NotCompleted,
            Step::Expired,
        ] {
            assert_eq!(reference(step, r), None, "{step:?}");
        }
    }
}
