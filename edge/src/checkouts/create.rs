//! Creating a checkout's Qonto link, basket and invoice alike: claim the
//! ledger row, call Qonto, then record the link, or abandon the row when
//! Qonto failed, so no half-written row outlives a request.
//!
//! - The amount Qonto computed is compared with the edge's (what the shopper
//!   saw; for an invoice, its amount due). Any difference deactivates the
//!   link at once, records the checkout as `failed` with both amounts, and
//!   answers `amount_mismatch`: its URL is never handed out.
//! - `redirect_url` is sent when the request named its page; an account that
//!   refuses the field (a 4xx pointing at it) gets the request again without
//!   it, and this isolate stops sending it (logged once).
//! - Replays: a repeat of a finished request answers from the ledger; a
//!   concurrent duplicate waits for the first one's link.

use super::{qonto_body, status::from_link, status::minor_of};
use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ledger::{CheckoutRow, Ledger, LedgerStatus, LinkFacts, NewCheckout};
use crate::log;
use crate::qonto::{LinkQuery, Qonto};
use serde_json::json;
use shared::money::Money;
use shared::qonto::{CreatePaymentLinkRequest, PaymentLink, PaymentLinkStatus, PaymentMethod};
use std::cell::Cell;
use std::time::Duration;

/// How long a concurrent duplicate waits for the first request's link.
const DUPLICATE_WAIT_MS: u64 = 12_000;

thread_local! {
    /// Set once Qonto refused `redirect_url` in this isolate.
    static REDIRECT_REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// What one creation sends and records.
pub(crate) struct Creation {
    /// The claimed row (status `creating`).
    pub(crate) row: NewCheckout,
    /// The Qonto body, without `redirect_url`.
    pub(crate) body: CreatePaymentLinkRequest,
    /// `X-Qonto-Idempotency-Key`.
    pub(crate) qonto_key: String,
}

/// The payment methods to offer: those asked for (each must be enabled), or
/// every enabled one; only names Qonto documents are kept (others are
/// logged and left out).
pub(crate) async fn offered_methods(
    cx: &Cx,
    requested: Option<&Vec<String>>,
) -> EdgeResult<Vec<PaymentMethod>> {
    let enabled: Vec<PaymentMethod> = Qonto::new(cx)
        .payment_methods()
        .await?
        .into_iter()
        .filter(|m| m.enabled)
        .map(|m| m.name)
        .collect();
    let chosen = match requested {
        None => enabled,
        Some(names) => {
            let mut chosen = Vec::new();
            for (i, name) in names.iter().enumerate() {
                let m = PaymentMethod::from_wire(name);
                if !enabled.contains(&m) {
                    return Err(EdgeError::invalid(
                        "invalid_payment_method",
                        format!("The payment method \"{name}\" is not available."),
                        Some(&format!("payment_methods[{i}]")),
                    ));
                }
                chosen.push(m);
            }
            chosen
        }
    };
    let (chosen, dropped) = qonto_body::documented_only(chosen);
    if !dropped.is_empty() {
        log::warn(
            &cx.request_id,
            "payment methods Qonto does not document left out",
            json!({"methods": dropped}),
        );
    }
    if chosen.is_empty() {
        return Err(EdgeError::Misconfigured(vec![
            "no payment method is enabled at the payment provider".to_owned(),
        ]));
    }
    Ok(chosen)
}

/// What the ledger keeps of a created link.
pub(crate) fn link_facts(link: &PaymentLink) -> EdgeResult<LinkFacts> {
    let url = link
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| EdgeError::QontoUnavailable {
            detail: format!("payment link {} came back without a usable url", link.id),
            retry_after_secs: None,
        })?;
    Ok(LinkFacts {
        link_id: link.id.clone(),
        url,
        status: from_link(&link.status),
        amount_minor: minor_of(&link.amount),
        expires_at: link.expiration_date.clone(),
    })
}

/// Whether Qonto's refusal is about `redirect_url`.
fn refuses_redirect(e: &EdgeError) -> bool {
    matches!(e, EdgeError::QontoRejected { status, detail }
        if (400..500).contains(status) && detail.contains("redirect_url"))
}

/// Sends the creation, with `redirect_url` unless this isolate learnt that
/// Qonto refuses it.
async fn send(cx: &Cx, c: &Creation) -> EdgeResult<PaymentLink> {
    let qonto = Qonto::new(cx);
    let redirect = c
        .row
        .return_url
        .as_deref()
        .filter(|_| !REDIRECT_REFUSED.with(Cell::get))
        .map(|u| qonto_body::with_checkout(u, &c.row.id));
    let Some(redirect) = redirect else {
        return qonto.create_payment_link(&c.body, &c.qonto_key).await;
    };
    let mut body = c.body.clone();
    match &mut body.payment_link {
        shared::qonto::CreatePaymentLink::Basket(b) => b.redirect_url = Some(redirect),
        shared::qonto::CreatePaymentLink::Invoice(i) => i.redirect_url = Some(redirect),
    }
    match qonto.create_payment_link(&body, &c.qonto_key).await {
        Err(e) if refuses_redirect(&e) => {
            if !REDIRECT_REFUSED.with(|r| r.replace(true)) {
                log::warn(
                    &cx.request_id,
                    "Qonto refuses redirect_url: links are created without it in this isolate; \
                     shoppers come back through the widget's stored checkout",
                    json!({"error": format!("{e:?}")}),
                );
            }
            // Another key: Qonto may cache the refusal under the first.
            let key = super::qonto_idempotency_key("without-redirect", &c.qonto_key);
            qonto
                .create_payment_link(&qonto_body::without_redirect(body), &key)
                .await
        }
        other => other,
    }
}

/// Creates the claimed checkout's link and records it; on any failure the
/// claim is abandoned (the same request may be retried), except an amount
/// mismatch, which is kept as a failed checkout.
pub(crate) async fn create_link(cx: &Cx, ledger: &Ledger, c: Creation) -> EdgeResult<CheckoutRow> {
    let link = match send(cx, &c)
        .await
        .and_then(|l| link_facts(&l).map(|f| (l, f)))
    {
        Ok(l) => l,
        Err(e) => {
            ledger.abandon(&c.row.id, &cx.request_id).await;
            return Err(e);
        }
    };
    record_link(cx, ledger, &c.row, link).await
}

/// Records a link found or created for a claimed row, after the amount
/// check.
pub(crate) async fn record_link(
    cx: &Cx,
    ledger: &Ledger,
    row: &NewCheckout,
    (link, facts): (PaymentLink, LinkFacts),
) -> EdgeResult<CheckoutRow> {
    let expected = row.expected_gross_minor;
    if facts.amount_minor != Some(expected) {
        // Never payable: deactivate first, then keep both amounts.
        if let Err(e) = Qonto::new(cx).deactivate_payment_link(&link.id).await {
            log::error(
                &cx.request_id,
                "could not deactivate a link with the wrong amount; deactivate it in Qonto",
                json!({"checkout": row.id, "link": link.id, "error": format!("{e:?}")}),
            );
        }
        ledger.record_amount_mismatch(&row.id, &facts).await?;
        return Err(amount_mismatch(
            row.money(expected),
            format!("{} {}", link.amount.value, link.amount.currency),
        ));
    }
    let stored = match ledger.attach_link(&row.id, &facts).await? {
        Some(stored) => stored,
        // No longer `creating` (the cron took it for abandoned): what is
        // stored now is the answer.
        None => ledger
            .get(&row.id)
            .await?
            .ok_or(EdgeError::Internal("created checkout vanished".into()))?,
    };
    log::info(
        &cx.request_id,
        "checkout created",
        json!({"checkout": row.id, "reference": super::reference(&row.id), "kind": row.kind,
               "link": link.id, "amount": link.amount.value}),
    );
    Ok(stored)
}

/// The refusal of a checkout whose link Qonto priced at `qonto` instead of
/// `expected`, what the shopper saw (both for the message and the log).
pub(crate) fn amount_mismatch(expected: Money, qonto: String) -> EdgeError {
    EdgeError::AmountMismatch {
        expected: expected.to_string(),
        qonto,
    }
}

/// A checkout already refused for an amount mismatch, when it is asked for
/// again: never its URL, the same refusal.
pub(crate) fn refused_again(row: &CheckoutRow) -> EdgeError {
    let qonto = row.qonto_amount_minor.map_or_else(
        || "an amount that could not be read".to_owned(),
        |m| row.money(m).to_string(),
    );
    amount_mismatch(row.money(row.expected_gross_minor), qonto)
}

/// Waits while a concurrent request with the same key creates its link.
pub(crate) async fn wait_for_key(
    mut row: CheckoutRow,
    ledger: &Ledger,
    key: &str,
) -> EdgeResult<CheckoutRow> {
    let mut waited = 0;
    while row.status == LedgerStatus::Creating && waited < DUPLICATE_WAIT_MS {
        worker::Delay::from(Duration::from_millis(200)).await;
        waited += 200;
        match ledger.by_idempotency_key(key).await? {
            Some(r) => row = r,
            // The first request failed and removed its row: this one may retry.
            None => {
                return Err(EdgeError::Conflict {
                    code: "checkout_in_progress",
                    message: "The first request with this Idempotency-Key failed; retry it.".into(),
                })
            }
        }
    }
    if row.status == LedgerStatus::Creating {
        return Err(EdgeError::Conflict {
            code: "checkout_in_progress",
            message: "A request with this Idempotency-Key is being processed; retry shortly."
                .into(),
        });
    }
    Ok(row)
}

/// The invoice's live checkout, waiting briefly while one is being created;
/// an abandoned claim is removed.
pub(crate) async fn wait_for_invoice(
    ledger: &Ledger,
    invoice_id: &str,
) -> EdgeResult<Option<CheckoutRow>> {
    for _ in 0..60 {
        match ledger.live_for_invoice(invoice_id).await? {
            Some(row) if row.is_abandoned() => {
                ledger.delete_creating(&row.id).await?;
                return Ok(None);
            }
            Some(row) if row.status == LedgerStatus::Creating => {
                worker::Delay::from(Duration::from_millis(200)).await
            }
            other => return Ok(other),
        }
    }
    Ok(None)
}

/// An open link Qonto already has for this invoice (made by a request whose
/// answer was lost, say): the first page of open links, newest first.
pub(crate) async fn open_link_for_invoice(
    cx: &Cx,
    invoice_id: &str,
) -> EdgeResult<Option<PaymentLink>> {
    let list = Qonto::new(cx)
        .list_payment_links(&LinkQuery {
            page: 1,
            per_page: 100,
            statuses: vec![PaymentLinkStatus::Open.as_str().to_owned()],
            sort_by: None,
        })
        .await?;
    Ok(list.payment_links.into_iter().find(|l| {
        l.invoice_id.as_deref() == Some(invoice_id) && l.status == PaymentLinkStatus::Open
    }))
}
