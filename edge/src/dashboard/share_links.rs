//! Links to share: payment links the merchant makes on the admin page, for
//! catalog items or a free amount with a title (a deposit), single-use or
//! reusable (Qonto's `reusable` flag), to send by e-mail or a messaging app
//! or print as a QR code.
//!
//! They are checkouts of the ledger like the widget's (status, payments,
//! deactivation, dashboard figures), marked by the `share` column. A
//! reusable link stays open and takes any number of payments: each paid
//! payment Qonto reports becomes its own paid checkout (`share = 'payment'`,
//! `share_link_of` = the link), queued for the merchant's notification in
//! the same transaction, so every payment is notified and counted once.

use super::qr;
use super::queries::{self, NewLinkPayment};
use crate::auth::require_admin;
use crate::catalog::catalog;
use crate::checkouts::create::{link_facts, offered_methods, record_link};
use crate::checkouts::{qonto_body, qonto_idempotency_key, reference};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ids;
use crate::ledger::{now, CheckoutRow, Ledger, NewCheckout};
use crate::log;
use crate::qonto::Qonto;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::api::stored::{BasketOrder, StoredOrder, StoredShareLink, StoredTotals};
use shared::api::{CheckoutItem, CheckoutLine, CheckoutRequest};
use shared::basket::MAX_AMOUNT_MINOR;
use shared::money::{Money, WireAmount};
use shared::pricing::{price_line, LineInput};
use shared::qonto::{
    BasketItem, CreateBasketPaymentLink, CreatePaymentLink, CreatePaymentLinkRequest, ItemType,
    PaymentStatus,
};
use shared::shipping::Shipping;
use shared::vat::{VatRate, VatRateFormat};
use worker::Request;
use worker::Response;

/// Qonto's titles have no documented limit; the edge cuts at 120.
const MAX_TITLE_CHARS: usize = 120;

/// The SKU of a free-amount line.
pub(crate) const FREE_AMOUNT_SKU: &str = "amount";

/// `POST /admin/share-links`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewShareLink {
    #[serde(default)]
    title: String,
    /// Catalog items…
    #[serde(default)]
    items: Option<Vec<CheckoutItem>>,
    /// …or a free amount, net of VAT (`"25.00"`)…
    #[serde(default)]
    amount: Option<String>,
    /// …at this VAT rate, percent (`"20"`, `"5.5"`, `"0"`).
    #[serde(default)]
    vat_rate: Option<String>,
    #[serde(default)]
    reusable: bool,
}

/// The priced lines of a share link, and its Qonto items.
struct Priced {
    lines: Vec<CheckoutLine>,
    net: Money,
    vat: Money,
    gross: Money,
    items: Vec<BasketItem>,
}

fn free_amount(
    title: &str,
    amount: &str,
    rate: &str,
    cx: &Cx,
    reference: &str,
) -> EdgeResult<Priced> {
    let currency = cx.config.currency;
    let unit_net = Money::parse_decimal(amount.trim(), currency)
        .ok()
        .filter(|m| m.minor() > 0)
        .ok_or_else(|| {
            EdgeError::invalid(
                "invalid_amount",
                "amount must be a positive amount like 25.00 (net of VAT)",
                Some("amount"),
            )
        })?;
    let vat_rate = VatRate::parse(rate.trim(), VatRateFormat::Percent).map_err(|_| {
        EdgeError::invalid(
            "invalid_vat_rate",
            "vat_rate must be a percent like 20, 5.5 or 0",
            Some("vat_rate"),
        )
    })?;
    let line = price_line(&LineInput {
        quantity: 1,
        unit_net,
        vat_rate,
    })
    .ok()
    .filter(|l| l.gross.minor() <= MAX_AMOUNT_MINOR)
    .ok_or_else(|| {
        EdgeError::invalid(
            "amount_too_large",
            "This amount is above what a payment link can charge.",
            Some("amount"),
        )
    })?;
    Ok(Priced {
        lines: vec![CheckoutLine {
            sku: FREE_AMOUNT_SKU.to_owned(),
            title: title.to_owned(),
            quantity: 1,
            unit_price: line.unit_net.into(),
            vat_rate: vat_rate.format(VatRateFormat::Percent),
            net: line.net.into(),
            vat: line.vat.into(),
            gross: line.gross.into(),
        }],
        net: line.net,
        vat: line.vat,
        gross: line.gross,
        items: vec![BasketItem {
            title: title.to_owned(),
            quantity: 1,
            unit_price: line.unit_net.into(),
            vat_rate: vat_rate.format(cx.config.vat_rate_format),
            item_type: Some(ItemType::Service),
            // The checkout's reference, to match the payment in Qonto's
            // and Mollie's dashboards to this link.
            description: Some(reference.to_owned()),
            measure_unit: Some("unit".to_owned()),
        }],
    })
}

fn catalog_items(items: Vec<CheckoutItem>, cx: &Cx, reference: &str) -> EdgeResult<Priced> {
    let catalog = catalog()?;
    // A shared link is paid without a shipping address: no shipping line
    // (the merchant hands over or delivers the goods themselves).
    let order = CheckoutRequest {
        items,
        customer: None,
        payment_methods: None,
        return_url: None,
        language: None,
        terms_accepted: None,
        discount_code: None,
    }
    .validate_with(catalog, &Shipping::none(catalog.currency()))
    .map_err(EdgeError::Invalid)?;
    let body = qonto_body::basket(
        &order,
        cx.config.vat_rate_format,
        Vec::new(),
        reference,
        None,
    );
    let items = match body.payment_link {
        CreatePaymentLink::Basket(b) => b.items,
        CreatePaymentLink::Invoice(_) => Vec::new(),
    };
    Ok(Priced {
        lines: order.checkout_lines(),
        net: order.totals.net,
        vat: order.totals.vat,
        gross: order.totals.gross,
        items,
    })
}

/// `POST /admin/share-links {title, items | amount + vat_rate, reusable}`:
/// creates the link and answers it with its QR code.
pub(crate) async fn create(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let body: NewShareLink = http::read_json(&mut req, 16 * 1024).await?;
    let title = body.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(EdgeError::invalid(
            "invalid_title",
            format!("Give the link a title of 1 to {MAX_TITLE_CHARS} characters."),
            Some("title"),
        ));
    }
    let id = ids::checkout_id();
    let reference = reference(&id);
    let priced = match (body.items, body.amount) {
        (Some(items), None) => catalog_items(items, cx, &reference)?,
        (None, Some(amount)) => free_amount(
            &title,
            &amount,
            body.vat_rate.as_deref().unwrap_or("0"),
            cx,
            &reference,
        )?,
        _ => {
            return Err(EdgeError::invalid(
                "items_or_amount",
                "Give either catalog items or a free amount, not both.",
                Some("items"),
            ))
        }
    };
    let methods = offered_methods(cx, None).await?;
    let share = if body.reusable { "reusable" } else { "single" };
    let ledger = Ledger::open(cx)?;
    let new = NewCheckout {
        id: id.clone(),
        kind: "basket",
        idempotency_key: Some(format!("share:{id}")),
        request_hash: "share".to_owned(),
        currency: priced.gross.currency().as_str().to_owned(),
        net_minor: priced.net.minor(),
        vat_minor: priced.vat.minor(),
        expected_gross_minor: priced.gross.minor(),
        invoice_id: None,
        lines_json: serde_json::to_string(&priced.lines).unwrap_or_else(|_| "[]".into()),
        order_json: Some(
            StoredOrder::Basket(Box::new(BasketOrder {
                reference: None,
                customer: None,
                shipping: None,
                totals: StoredTotals {
                    net: priced.net.into(),
                    vat: priced.vat.into(),
                    gross: priced.gross.into(),
                    vat_by_rate: Vec::new(),
                },
                language: None,
                share_link: Some(StoredShareLink {
                    title: title.clone(),
                    reusable: body.reusable,
                    checkout_id: None,
                    payment_id: None,
                }),
                terms: None,
                discount: None,
            }))
            .to_json(),
        ),
        customer_email: None,
        return_url: None,
    };
    ledger.insert_creating(&new).await?;
    // Marked before the link exists, so a webhook for it finds it a share link.
    queries::mark_share(&ledger.db, &id, share).await?;
    let request = CreatePaymentLinkRequest::basket(CreateBasketPaymentLink {
        potential_payment_methods: methods,
        reusable: body.reusable,
        items: priced.items,
        redirect_url: None,
    });
    let created = Qonto::new(cx)
        .create_payment_link(&request, &qonto_idempotency_key("share", &id))
        .await
        .and_then(|l| link_facts(&l).map(|f| (l, f)));
    let link = match created {
        Ok(l) => l,
        Err(e) => {
            ledger.abandon(&id, &cx.request_id).await;
            return Err(e);
        }
    };
    // The same amount check as every checkout: a link whose amount is not
    // the one computed here is deactivated and never handed out.
    let row = record_link(cx, &ledger, &new, link).await?;
    log::info(
        &cx.request_id,
        "share link created",
        json!({"checkout": id, "link": row.link_id, "reusable": body.reusable}),
    );
    let url = row.url.clone().unwrap_or_default();
    let mut out = link_json(&row, share, 0);
    out["qr_svg"] = Value::String(qr::svg(&url)?);
    Ok(json_response(&out, 201))
}

/// The basket order of a link to share (`None` for any other checkout).
fn basket_order(row: &CheckoutRow) -> Option<BasketOrder> {
    match StoredOrder::from_json(row.order_json.as_deref()?)? {
        StoredOrder::Basket(b) => Some(*b),
        StoredOrder::Invoice(_) => None,
    }
}

fn link_json(row: &CheckoutRow, share: &str, payments: i64) -> Value {
    let title = basket_order(row)
        .and_then(|o| o.share_link)
        .map(|l| l.title);
    json!({
        "id": row.id,
        "title": title,
        "reusable": share == "reusable",
        "url": row.url,
        "status": crate::checkouts::public(row).as_str(),
        "amount": WireAmount::from(row.money(row.expected_gross_minor)),
        "lines": row.lines(),
        "created_at": row.created_at,
        "payments_recorded": payments,
        "qr_svg_url": format!("/admin/share-links/{}/qr.svg", row.id),
    })
}

/// A share link of the ledger (404 for any other checkout).
async fn find(id: &str, cx: &Cx) -> EdgeResult<(Ledger, CheckoutRow, String)> {
    let (ledger, row) = crate::checkouts::find_checkout(id, cx).await?;
    match queries::share_of(&ledger.db, id).await?.as_deref() {
        Some(s @ ("single" | "reusable")) => {
            let s = s.to_owned();
            Ok((ledger, row, s))
        }
        _ => Err(EdgeError::NotFound("share link")),
    }
}

/// `GET /admin/share-links`: the 100 newest links with how many payments
/// each recorded (one D1 query).
pub(crate) async fn list(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let ledger = Ledger::open(cx)?;
    let links: Vec<Value> = queries::share_links(&ledger.db)
        .await?
        .iter()
        .map(|l| link_json(&l.row, &l.share, l.payments))
        .collect();
    Ok(json_response(&json!({"share_links": links}), 200))
}

/// `GET /admin/share-links/{id}`: the link, and each payment recorded as
/// its own checkout with its notification's state.
pub(crate) async fn get(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (ledger, row, share) = find(id, cx).await?;
    let recorded = if share == "reusable" {
        queries::link_payments(&ledger.db, &row.id).await?
    } else {
        Vec::new()
    };
    let notifications = if recorded.is_empty() {
        Default::default()
    } else {
        crate::outbox::webhook_states_of_link(&ledger, &row.id).await?
    };
    let payments: Vec<Value> = recorded
        .iter()
        .map(|p| {
            json!({
                "checkout_id": p.id,
                "payment_id": p.payment_id,
                "paid_at": p.paid_at,
                "amount": p.qonto_amount_minor.map(|m| WireAmount::from(row.money(m))),
                "notification": notifications.get(&p.id).map(|m| m.to_json()),
            })
        })
        .collect();
    let count = if share == "reusable" {
        i64::try_from(payments.len()).unwrap_or(i64::MAX)
    } else {
        i64::from(row.status == crate::ledger::LedgerStatus::Paid)
    };
    let mut body = link_json(&row, &share, count);
    body["payments"] = Value::Array(payments);
    Ok(json_response(&body, 200))
}

/// `GET /admin/share-links/{id}/qr.svg`: the link's URL as a QR code.
pub(crate) async fn qr_svg(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (_, row, _) = find(id, cx).await?;
    let url = row
        .url
        .as_deref()
        .ok_or(EdgeError::NotFound("share link"))?;
    Ok(Response::builder()
        .with_status(200)
        .with_header("content-type", "image/svg+xml")?
        .with_header("cache-control", "private, max-age=3600")?
        .with_header(
            "content-disposition",
            &format!("inline; filename=\"{id}.svg\""),
        )?
        .fixed(qr::svg(url)?.into_bytes()))
}

/// After a link of `row` was re-read from Qonto (a webhook): when it is a
/// reusable share link, records each paid payment not recorded yet as its
/// own paid checkout, with its notification queued in the same
/// transaction, and sends those notifications. Returns how many were new.
pub(crate) async fn record_payments(
    cx: &Cx,
    ledger: &Ledger,
    row: &CheckoutRow,
) -> EdgeResult<usize> {
    let Some(link_id) = row.link_id.as_deref() else {
        return Ok(0);
    };
    if queries::share_of(&ledger.db, &row.id).await?.as_deref() != Some("reusable") {
        return Ok(0);
    }
    let payments = Qonto::new(cx).list_payments(link_id, 1, 100).await?;
    let mut new = 0;
    let Some(order) = basket_order(row) else {
        return Err(EdgeError::Internal(format!(
            "reusable link {} has no stored basket order",
            row.id
        )));
    };
    for p in payments
        .payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Paid)
    {
        let key = format!("share-payment:{}", p.id);
        let paid_at = p.paid_at.clone().unwrap_or_else(now);
        let amount =
            crate::checkouts::status::minor_of(&p.amount).unwrap_or(row.expected_gross_minor);
        let mut child_order = order.clone();
        if let Some(link) = child_order.share_link.as_mut() {
            link.checkout_id = Some(row.id.clone());
            link.payment_id = Some(p.id.clone());
        }
        let stamp = now();
        let child_id = ids::checkout_id();
        let insert = queries::record_link_payment(
            &ledger.db,
            row,
            &NewLinkPayment {
                id: &child_id,
                idempotency_key: &key,
                order_json: &StoredOrder::Basket(Box::new(child_order)).to_json(),
                amount_minor: amount,
                paid_at: &paid_at,
                now: &stamp,
            },
        )?;
        // What follows a payment (merchant webhook, e-mails), queued with
        // the paid row; nothing when the payment was recorded already (the
        // row of `child_id` then does not exist).
        let mut statements = vec![insert];
        statements.extend(crate::outbox::queue_after_payment(
            &ledger.db, &cx.config, &child_id, &stamp,
        )?);
        let results = ledger.db.batch(statements).await?;
        let inserted = results
            .first()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0)
            == 1;
        let queued = crate::outbox::queued_any(results.get(1..).unwrap_or_default())?;
        if inserted {
            new += 1;
        }
        if queued {
            crate::outbox::send_soon(cx, &child_id);
        }
    }
    if new > 0 {
        log::info(
            &cx.request_id,
            "reusable link payments recorded",
            json!({"checkout": row.id, "new": new}),
        );
    }
    Ok(new)
}
