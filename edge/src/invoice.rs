//! Invoice checkouts: `POST /v1/invoice-checkouts {invoice_id}` creates a
//! Qonto invoice payment link whose amount, number and debtor come from the
//! Qonto client invoice (never from the page), or returns the live link
//! already made for that invoice.

use crate::checkout::{
    created_response, link_facts, offered_methods, qonto_idempotency_key, rate_limit,
};
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ids;
use crate::ledger::{age_ms, CheckoutRow, Ledger, NewCheckout, ABANDONED_MS};
use crate::log;
use crate::qonto::Qonto;
use serde_json::json;
use shared::api::stored::{InvoiceOrder, StoredOrder};
use shared::api::InvoiceCheckoutRequest;
use shared::money::Money;
use shared::qonto::{ClientInvoiceStatus, CreateInvoicePaymentLink, CreatePaymentLinkRequest};
use std::time::Duration;
use worker::{Request, Response};

/// `POST /v1/invoice-checkouts`.
pub(crate) async fn create(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    let body: InvoiceCheckoutRequest = http::read_json(&mut req, 4 * 1024).await?;
    let invoice_id = body.invoice_id.trim().to_ascii_lowercase();
    if !ids::is_uuid(&invoice_id) {
        return Err(EdgeError::invalid(
            "invalid_invoice_id",
            "invoice_id must be a Qonto client invoice id (a uuid).",
            Some("invoice_id"),
        ));
    }
    let ledger = Ledger::open(cx)?;
    if let Some(live) = wait_for_live(&ledger, &invoice_id).await? {
        return Ok(created_response(&live, Vec::new(), 200));
    }
    rate_limit(&req, cx).await?;

    let qonto = Qonto::new(cx);
    let invoice = qonto
        .get_client_invoice(&invoice_id)
        .await
        .map_err(|e| match e {
            EdgeError::NotFound(_) => EdgeError::NotFound("invoice"),
            other => other,
        })?;
    match invoice.status {
        Some(ClientInvoiceStatus::Unpaid) => {}
        Some(ClientInvoiceStatus::Paid) => {
            return Err(EdgeError::invalid(
                "invoice_already_paid",
                "This invoice is already paid.",
                Some("invoice_id"),
            ))
        }
        _ => {
            return Err(EdgeError::invalid(
                "invoice_not_payable",
                "This invoice cannot be paid online (it is not finalized, or it was canceled).",
                Some("invoice_id"),
            ))
        }
    }
    let amount = invoice
        .gross_amount()
        .ok_or_else(|| EdgeError::QontoUnavailable {
            detail: format!("client invoice {invoice_id} has no total amount"),
            retry_after_secs: None,
        })?;
    let gross = Money::try_from(&amount).map_err(|e| EdgeError::QontoUnavailable {
        detail: format!("client invoice {invoice_id} has an unreadable total: {e}"),
        retry_after_secs: None,
    })?;
    let number = invoice.number_or_legacy().unwrap_or(&invoice_id).to_owned();
    let debitor = invoice
        .client
        .as_ref()
        .and_then(|c| c.display_name())
        .unwrap_or_else(|| "Customer".to_owned());
    let methods = offered_methods(cx, None).await?;

    let new = NewCheckout {
        id: ids::checkout_id(),
        kind: "invoice",
        idempotency_key: None,
        request_hash: invoice_id.clone(),
        currency: gross.currency().as_str().to_owned(),
        net_minor: gross.minor() - invoice.vat_amount_cents.unwrap_or(0),
        vat_minor: invoice.vat_amount_cents.unwrap_or(0),
        expected_gross_minor: gross.minor(),
        invoice_id: Some(invoice_id.clone()),
        lines_json: "[]".to_owned(),
        order_json: Some(
            StoredOrder::Invoice(InvoiceOrder {
                invoice_number: number.clone(),
                debitor_name: debitor.clone(),
            })
            .to_json(),
        ),
        customer_email: None,
    };
    if !ledger.insert_creating(&new).await? {
        // Another request for the same invoice won the race: reuse its link.
        return match wait_for_live(&ledger, &invoice_id).await? {
            Some(live) => Ok(created_response(&live, Vec::new(), 200)),
            None => Err(EdgeError::Conflict {
                code: "checkout_in_progress",
                message: "A payment link for this invoice is being created; retry shortly.".into(),
            }),
        };
    }
    let body = CreatePaymentLinkRequest::invoice(CreateInvoicePaymentLink {
        invoice_id: invoice_id.clone(),
        invoice_number: number,
        debitor_name: debitor,
        amount,
        potential_payment_methods: methods,
    });
    let key = qonto_idempotency_key("invoice", &format!("{invoice_id}:{}", new.id));
    let created = qonto
        .create_payment_link(&body, &key)
        .await
        .and_then(|l| link_facts(&l));
    let facts = match created {
        Ok(f) => f,
        Err(e) => {
            ledger.abandon(&new.id, &cx.request_id).await;
            return Err(e);
        }
    };
    ledger.attach_link(&new.id, &facts).await?;
    log::info(
        &cx.request_id,
        "invoice checkout created",
        json!({"checkout": new.id, "link": facts.link_id, "invoice": invoice_id}),
    );
    let row = ledger
        .get(&new.id)
        .await?
        .ok_or(EdgeError::Internal("created checkout vanished".into()))?;
    Ok(created_response(&row, Vec::new(), 201))
}

/// The invoice's live checkout, waiting briefly while one is being created.
async fn wait_for_live(ledger: &Ledger, invoice_id: &str) -> EdgeResult<Option<CheckoutRow>> {
    for _ in 0..60 {
        match ledger.live_for_invoice(invoice_id).await? {
            // A creator that died mid-request (isolate evicted) left its row:
            // after a minute it is abandoned and may be replaced.
            Some(row)
                if row.status == "creating"
                    && age_ms(&row.created_at).is_some_and(|a| a > ABANDONED_MS) =>
            {
                ledger.delete_creating(&row.id).await?;
                return Ok(None);
            }
            Some(row) if row.status == "creating" => {
                worker::Delay::from(Duration::from_millis(200)).await
            }
            other => return Ok(other),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_uuids_are_invoice_ids() {
        assert!(crate::ids::is_uuid("0199e1de-4e01-72b7-86a0-fbe4e0475d56"));
        assert!(!crate::ids::is_uuid("0199e1de-4e01-72b7-86a0-fbe4e0475d5"));
        assert!(!crate::ids::is_uuid("0199e1de4e0172b786a0fbe4e0475d56"));
        assert!(!crate::ids::is_uuid("../v2/payment_links"));
        assert!(!crate::ids::is_uuid(""));
    }
}
