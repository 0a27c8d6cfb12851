//! The one way a checkout's status changes after creation: read the link
//! and its payments from Qonto, record what they mean, and queue what
//! follows a payment. Qonto's webhook, the widget's status call, the admin
//! and the cron's reconciliation all come here; none trusts a webhook body
//! or the browser.

use super::status::{minor_of, observe, observe_reusable};
use crate::error::EdgeResult;
use crate::http::Cx;
use crate::ledger::{age_ms, CheckoutRow, Ledger, LedgerStatus};
use crate::log;
use crate::qonto::Qonto;
use serde_json::json;
use shared::api::CheckoutStatus;

/// A status older than this is re-read from Qonto when asked.
const STALE_AFTER_MS: f64 = 5_000.0;
/// The same for a link with no payment seen yet: a shopper back from the
/// payment page may be ahead of Qonto's webhook, and must not be told the
/// payment did not happen because the ledger is a few seconds old. It is
/// also the bound on what polling costs Qonto: at most one read of a
/// checkout per this window, however many pollers (the widget asks again
/// once after a little longer than this).
const OPEN_STALE_AFTER_MS: f64 = 3_000.0;

/// How long a poll waits, twice, for another request's read of the same
/// checkout before it looks at the ledger again.
const READ_WAITS_MS: [u64; 2] = [300, 700];

/// How old the ledger's copy of `row`'s status may be before a status call
/// asks Qonto again.
pub(crate) fn stale_after_ms(row: &CheckoutRow) -> f64 {
    if super::public(row) == CheckoutStatus::Open {
        OPEN_STALE_AFTER_MS
    } else {
        STALE_AFTER_MS
    }
}

/// Re-reads a live checkout from Qonto when its status is stale; on any
/// Qonto trouble the ledger's last known status stands (logged, and the
/// checkout is left for the cron's reconciliation). Single flight: of
/// concurrent callers that found the same stale status (several tabs or
/// pollers of one checkout), only the one whose claim wins asks Qonto; the
/// others answer from the ledger.
pub(crate) async fn refresh_if_stale(row: CheckoutRow, ledger: &Ledger, cx: &Cx) -> CheckoutRow {
    refresh_if_stale_for(row, ledger, cx, worker::js_sys::Date::now()).await
}

/// [`refresh_if_stale`] for a request that arrived at `asked_at` (ms since
/// the epoch): the status is stale when it was last read more than
/// [`stale_after_ms`] before the request arrived, not before it got its
/// turn: a poll kept waiting inside the edge (its rate limit, its D1 read)
/// while another poll's read of Qonto was made is answered by that read,
/// not sent to Qonto again. A poll that reaches the edge later is a new
/// question (at most one read per checkout per freshness window).
pub(crate) async fn refresh_if_stale_for(
    row: CheckoutRow,
    ledger: &Ledger,
    cx: &Cx,
    asked_at: f64,
) -> CheckoutRow {
    let stale = row
        .status_checked_at
        .as_deref()
        .and_then(age_ms)
        .map(|age| age - (worker::js_sys::Date::now() - asked_at) > stale_after_ms(&row))
        .unwrap_or(true);
    if row.status.is_final() || row.link_id.is_none() {
        return row;
    }
    if reading(&row) {
        return wait_for_read(row, ledger).await;
    }
    if !stale {
        return row;
    }
    match ledger
        .claim_refresh(&row.id, row.status_checked_at.as_deref())
        .await
    {
        Ok(true) => {}
        // Another caller is reading Qonto (or just did): its answer.
        Ok(false) => return wait_for_read(row, ledger).await,
        Err(e) => {
            log::warn(
                &cx.request_id,
                "status refresh not claimed; answering from the ledger",
                json!({"checkout": row.id, "error": format!("{e:?}")}),
            );
            return row;
        }
    }
    match refresh(&row, ledger, cx).await {
        Ok(fresh) => fresh,
        Err(e) => {
            log::warn(
                &cx.request_id,
                "status refresh failed; answering from the ledger",
                json!({"checkout": row.id, "error": format!("{e:?}")}),
            );
            // The claim moved the read time on: put it back to "never", so
            // the next poll tries again and the cron reads it first.
            leave_for_reconciliation(&row.id, ledger, cx).await;
            row
        }
    }
}

/// Whether another request holds the lease on `row`'s re-read from Qonto
/// (`Ledger::claim_refresh` set its read time ahead).
fn reading(row: &CheckoutRow) -> bool {
    row.status_checked_at
        .as_deref()
        .and_then(age_ms)
        .is_some_and(|age| age < 0.0)
}

/// The checkout as the read another request is making of Qonto leaves it:
/// looked up again in the ledger at once, then after each of
/// [`READ_WAITS_MS`] while that read is still going (at most 3 D1 reads,
/// 1 s, so a flood of pollers waiting on one read stays cheap); then the
/// ledger's latest. Pollers that lost the claim so answer what Qonto said,
/// not the status it was asked to refresh, when Qonto answers in time.
async fn wait_for_read(mut row: CheckoutRow, ledger: &Ledger) -> CheckoutRow {
    for wait in std::iter::once(0).chain(READ_WAITS_MS) {
        if wait > 0 {
            worker::Delay::from(std::time::Duration::from_millis(wait)).await;
        }
        match ledger.get(&row.id).await {
            Ok(Some(latest)) => row = latest,
            _ => return row,
        }
        if !reading(&row) {
            break;
        }
    }
    row
}

/// Marks a checkout whose re-read failed for the cron's reconciliation
/// (read first on its next run); a failure here is only logged.
pub(crate) async fn leave_for_reconciliation(id: &str, ledger: &Ledger, cx: &Cx) {
    if let Err(e) = ledger.mark_for_reconciliation(id).await {
        log::error(
            &cx.request_id,
            "could not mark a checkout for reconciliation",
            json!({"checkout": id, "error": format!("{e:?}")}),
        );
    }
}

/// Reads the link and its payments from Qonto and records what they say.
/// A checkout found paid here, first, queues the merchant's notification
/// (in the same D1 transaction) and sends it in the background; one found
/// paid another amount (put in review) queues and sends the merchant's
/// `checkout.review` notification instead; a checkout already final is
/// returned as it is.
pub(crate) async fn refresh(
    row: &CheckoutRow,
    ledger: &Ledger,
    cx: &Cx,
) -> EdgeResult<CheckoutRow> {
    let Some(link_id) = row.link_id.as_deref() else {
        return Ok(row.clone());
    };
    if row.status.is_final() {
        return Ok(row.clone());
    }
    let qonto = Qonto::new(cx);
    let link = qonto.get_payment_link(link_id).await?;
    let seen = if link.reusable.unwrap_or(false) {
        // Its payments are recorded by the share links (each its own paid
        // checkout), not read here.
        observe_reusable(&link.status)
    } else {
        let payments = qonto.list_payments(link_id, 1, 100).await?;
        observe(&link.status, minor_of(&link.amount), &payments.payments)
    };
    let queued = ledger
        .record_observation(&row.id, &seen, &cx.config)
        .await?;
    if queued {
        after_payment(cx, &row.id);
    }
    if seen.status == LedgerStatus::Review && row.status != LedgerStatus::Review {
        log::error(
            &cx.request_id,
            "a payment of another amount than the link's: checkout put in review",
            json!({"checkout": row.id, "reference": row.reference(), "link": link_id,
                   "link_amount": link.amount.value, "paid_minor": seen.paid_amount_minor}),
        );
    }
    Ok(ledger.get(&row.id).await?.unwrap_or_else(|| row.clone()))
}

/// What follows a payment, queued by the ledger with the paid (or review)
/// status: the merchant's notification, sent now in the background (the
/// cron retries it when that fails). The only call to the notification
/// sender.
fn after_payment(cx: &Cx, id: &str) {
    crate::notify::send_soon(cx, id);
}

/// Deactivates a live checkout's link at Qonto and records it as `closed_as`
/// (`Canceled` for the merchant, `Expired` for the TTL). The link is read
/// first: one paid in the meantime is recorded paid (and notified), not
/// deactivated. Returns the checkout afterwards.
pub(crate) async fn deactivate(
    row: &CheckoutRow,
    ledger: &Ledger,
    cx: &Cx,
    closed_as: LedgerStatus,
) -> EdgeResult<CheckoutRow> {
    let fresh = refresh(row, ledger, cx).await?;
    let Some(link_id) = fresh.link_id.as_deref() else {
        return Ok(fresh);
    };
    if fresh.status != LedgerStatus::Open {
        return Ok(fresh);
    }
    Qonto::new(cx).deactivate_payment_link(link_id).await?;
    ledger.record_closed(&fresh.id, closed_as).await?;
    log::info(
        &cx.request_id,
        "checkout deactivated",
        json!({"checkout": fresh.id, "link": link_id, "as": closed_as.as_str()}),
    );
    Ok(ledger.get(&fresh.id).await?.unwrap_or(fresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(status: LedgerStatus, last: Option<&str>) -> CheckoutRow {
        CheckoutRow {
            id: "ck_000000000000000000000001".into(),
            kind: "basket".into(),
            request_hash: String::new(),
            status,
            last_payment_status: last.map(shared::qonto::PaymentStatus::from_wire),
            currency: "EUR".into(),
            net_minor: 1000,
            vat_minor: 200,
            expected_gross_minor: 1200,
            qonto_amount_minor: None,
            link_id: None,
            url: None,
            invoice_id: None,
            lines_json: "[]".into(),
            order_json: None,
            created_at: String::new(),
            updated_at: String::new(),
            status_checked_at: None,
            paid_at: None,
            expires_at: None,
            customer_forgotten_at: None,
            return_url: None,
            failure: None,
            paid_amount_minor: None,
        }
    }

    #[test]
    fn an_open_link_without_payment_is_asked_again_sooner() {
        use LedgerStatus::*;
        let cases = [
            (Open, None, OPEN_STALE_AFTER_MS),
            (Creating, None, OPEN_STALE_AFTER_MS),
            (Open, Some("failed"), STALE_AFTER_MS),
            (Open, Some("canceled"), STALE_AFTER_MS),
            (Processing, Some("pending"), STALE_AFTER_MS),
            (Paid, Some("paid"), STALE_AFTER_MS),
        ];
        for (status, last, want) in cases {
            assert_eq!(
                stale_after_ms(&row(status, last)),
                want,
                "{status:?} {last:?}"
            );
        }
    }

    #[test]
    fn the_charged_amount_is_qontos_once_known() {
        let mut r = row(LedgerStatus::Open, None);
        assert_eq!(r.charged().minor(), 1200);
        r.qonto_amount_minor = Some(1201);
        assert_eq!(r.charged().minor(), 1201);
    }
}
