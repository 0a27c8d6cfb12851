//! Invoice checkouts: `POST /v1/invoice-checkouts {invoice_id, return_url?}`
//! creates a Qonto invoice payment link whose amount, number and debtor come
//! from the Qonto client invoice (never from the page), or returns the live
//! link already made for that invoice.
//!
//! One invoice, one link: the Qonto idempotency key comes from the invoice
//! id alone, and before creating a link the open links at Qonto are searched
//! for one of this invoice (made by a request whose answer was lost, a
//! timeout say), which is then reused.

use crate::checkout::{created_response, rate_limit};
use crate::checkouts::create::{self, link_facts, Creation};
use crate::checkouts::{self, qonto_body};
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ids;
use crate::ledger::{Ledger, NewCheckout};
use crate::qonto::Qonto;
use serde_json::json;
use shared::api::stored::{InvoiceOrder, StoredOrder};
use shared::api::InvoiceCheckoutRequest;
use shared::money::Money;
use shared::qonto::ClientInvoiceStatus;
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
    let return_url = body
        .return_url
        .as_deref()
        .map(|u| qonto_body::return_url(u, &cx.config.allowed_origins))
        .transpose()?;
    let ledger = Ledger::open(cx)?;
    if let Some(live) = create::wait_for_invoice(&ledger, &invoice_id).await? {
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
    let methods = create::offered_methods(cx, None).await?;

    let id = ids::checkout_id();
    let reference = checkouts::reference(&id);
    let new = NewCheckout {
        id,
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
                reference: Some(reference.clone()),
                invoice_number: number.clone(),
                debitor_name: debitor.clone(),
            })
            .to_json(),
        ),
        // So that forgetting this customer (by e-mail) forgets the debtor too.
        customer_email: invoice
            .client
            .as_ref()
            .and_then(|c| c.email.as_deref())
            .or(invoice.contact_email.as_deref())
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@')),
        return_url,
    };
    if !ledger.insert_creating(&new).await? {
        // Another request for the same invoice won the race: reuse its link.
        return match create::wait_for_invoice(&ledger, &invoice_id).await? {
            Some(live) => Ok(created_response(&live, Vec::new(), 200)),
            None => Err(EdgeError::Conflict {
                code: "checkout_in_progress",
                message: "A payment link for this invoice is being created; retry shortly.".into(),
            }),
        };
    }
    // A link Qonto already has for this invoice is reused, not doubled.
    match create::open_link_for_invoice(cx, &invoice_id).await {
        Ok(Some(link)) => {
            let facts = match link_facts(&link) {
                Ok(f) => f,
                Err(e) => {
                    ledger.abandon(&new.id, &cx.request_id).await;
                    return Err(e);
                }
            };
            crate::log::info(
                &cx.request_id,
                "open Qonto link of this invoice reused",
                json!({"checkout": new.id, "link": link.id, "invoice": invoice_id}),
            );
            let row = create::record_link(cx, &ledger, &new, (link, facts)).await?;
            return Ok(created_response(&row, Vec::new(), 200));
        }
        Ok(None) => {}
        Err(e) => {
            ledger.abandon(&new.id, &cx.request_id).await;
            return Err(e);
        }
    }
    let body = qonto_body::invoice(&invoice_id, &number, &debitor, amount, methods, None);
    let creation = Creation {
        qonto_key: checkouts::qonto_idempotency_key("invoice", &invoice_id),
        row: new,
        body,
    };
    let row = create::create_link(cx, &ledger, creation).await?;
    Ok(created_response(&row, Vec::new(), 201))
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
