//! Basket checkouts: `POST /v1/checkouts` turns SKUs and quantities into a
//! Qonto basket payment link priced from the catalog, `GET /v1/checkouts/{id}`
//! reports its status, `GET /v1/payment-methods` lists what the shopper can
//! pay with.
//!
//! Idempotency: the client's `Idempotency-Key` is UNIQUE in the ledger. The
//! first request inserts a `creating` row and alone calls Qonto; a repeat with
//! the same body gets the same checkout, with another body a 409, and a
//! concurrent duplicate waits for the first one's link. Qonto gets a key
//! derived from the client's key, so a retry after a timeout cannot create a
//! second link either (where Qonto honours `X-Qonto-Idempotency-Key`).
//!
//! Stock: the batch that claims the key also reserves the basket's tracked
//! SKUs (all or none, `ledger::stock`); a basket the stock cannot fill is
//! answered 409 `sold_out` and keeps nothing. Still two D1 round trips on
//! the way to a link, tracked SKUs or not; a sold-out answer costs two
//! (the claim, then giving it up).
//!
//! Discount codes: a request with `discount_code` reads the code first
//! (one more D1 round trip; a refused code is a 422 before anything is
//! claimed), prices the order with it (`shared::discount`), and the
//! claiming batch holds one of the code's uses (`ledger::discounts`); a
//! code whose last use another checkout took meanwhile is answered 422
//! `discount_code_used_up` and keeps nothing.

use crate::catalog::{catalog, shipping};
use crate::checkouts::create::{self, Creation};
use crate::checkouts::{self, limits, qonto_body, sync};
use crate::discounts;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx, MAX_BODY_BYTES};
use crate::ids;
use crate::ledger::stock::{Reservation, Reserved, Shortage};
use crate::ledger::{CheckoutRow, Claim, Ledger, NewCheckout};
use crate::qonto::Qonto;
use shared::api::stored::StoredOrder;
use shared::api::{
    CheckoutRequest, CheckoutResponse, CheckoutStatusResponse, PaymentMethodsResponse,
    ValidatedOrder,
};
use worker::{Request, Response};
/// `GET /v1/payment-methods`: methods enabled at the provider (cached by the
/// Qonto client for a few minutes).
pub(crate) async fn payment_methods(cx: &Cx) -> EdgeResult<Response> {
    let methods = Qonto::new(cx).payment_methods().await?;
    let body = PaymentMethodsResponse {
        payment_methods: methods
            .iter()
            .filter(|m| m.enabled)
            .map(|m| m.name.as_str().to_owned())
            .collect(),
    };
    let mut resp = json_response(&body, 200);
    let _ = resp
        .headers_mut()
        .set("cache-control", "public, max-age=60");
    Ok(resp)
}

/// The client's `Idempotency-Key`, checked; a random one when absent (that
/// request is then not idempotent, which is the client's choice).
fn idempotency_key(req: &Request) -> EdgeResult<String> {
    match req.headers().get("idempotency-key").ok().flatten() {
        None => Ok(format!("auto-{}", ids::random_hex(16))),
        Some(k) => {
            let k = k.trim().to_owned();
            let ok = (8..=128).contains(&k.len())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
            if ok {
                Ok(k)
            } else {
                Err(EdgeError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 8 to 128 characters of letters, digits, '-', '_', ':' or '.'.",
                    None,
                ))
            }
        }
    }
}

/// The per-client limit on creating checkouts (`checkouts::limits`; a
/// limiter that fails lets the request through, logged).
pub(crate) async fn rate_limit(req: &Request, cx: &Cx) -> EdgeResult<()> {
    limits::check(req, cx, limits::CHECKOUT_LIMITER).await
}

/// What "the same request" means for idempotency: the merged lines, the
/// customer and the payment methods, independent of JSON formatting.
fn request_hash(order: &ValidatedOrder) -> String {
    let mut canonical = String::new();
    for line in &order.lines {
        canonical.push_str(&format!("{}={};", line.product.sku, line.priced.quantity));
    }
    canonical.push('|');
    canonical.push_str(&serde_json::to_string(&order.customer).unwrap_or_default());
    canonical.push('|');
    if let Some(methods) = &order.payment_methods {
        canonical.push_str(&methods.join(","));
    }
    if let Some(d) = &order.discount {
        canonical.push_str(&format!("|code={}", d.code));
    }
    checkouts::sha256_hex(&canonical)
}

/// The SKU of the shipping line in responses and the ledger.
pub(crate) const SHIPPING_SKU: &str = "shipping";

/// The priced lines of the response and the ledger: the products, then the
/// shipping line when there is one.
fn response_lines(order: &ValidatedOrder) -> Vec<shared::api::CheckoutLine> {
    let mut lines = order.checkout_lines();
    if let Some(q) = &order.shipping {
        lines.push(shared::api::CheckoutLine {
            sku: SHIPPING_SKU.to_owned(),
            title: qonto_body::shipping_title(q),
            quantity: 1,
            unit_price: q.line.unit_net.into(),
            vat_rate: q.line.vat_rate.format(shared::vat::VatRateFormat::Percent),
            net: q.line.net.into(),
            vat: q.line.vat.into(),
            gross: q.line.gross.into(),
        });
    }
    lines
}

/// The `201`/`200` body of a basket or invoice checkout.
pub(crate) fn created_response(
    row: &CheckoutRow,
    order_lines: Vec<shared::api::CheckoutLine>,
    status: u16,
) -> Response {
    let discount = row
        .order_json
        .as_deref()
        .and_then(StoredOrder::from_json)
        .and_then(|o| match o {
            StoredOrder::Basket(b) => b.discount,
            StoredOrder::Invoice(_) => None,
        });
    let body = CheckoutResponse {
        id: row.id.clone(),
        url: row.url.clone().unwrap_or_default(),
        status: checkouts::public(row),
        amount: row.charged().into(),
        lines: order_lines,
        expires_at: row.expires_at.clone(),
        reference: Some(row.reference()),
        discount,
    };
    json_response(&body, status)
}

/// `POST /v1/checkouts`.
pub(crate) async fn create(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    let key = idempotency_key(&req)?;
    let body: CheckoutRequest = http::read_json(&mut req, MAX_BODY_BYTES).await?;
    let return_url = body
        .return_url
        .as_deref()
        .map(|u| qonto_body::return_url(u, &cx.config.allowed_origins))
        .transpose()?;
    // Every problem at once: the order's, then the shop's policy's.
    let policy = &cx.config.checkout_policy;
    let mut refused = body.check_policy(policy);
    let order = match body.validate_with(catalog()?, shipping()?) {
        Ok(order) if refused.is_empty() => order,
        Ok(_) => return Err(EdgeError::Invalid(refused)),
        Err(mut problems) => {
            problems.append(&mut refused);
            return Err(EdgeError::Invalid(problems));
        }
    };
    let accepted_at = crate::ledger::now();
    let ledger = Ledger::open(cx)?;
    let (order, code_hold, code_refusal) = match body.discount_code.as_deref() {
        Some(typed) => {
            let d = discounts::for_checkout(&ledger, typed, order).await?;
            (d.order, Some(d.hold), d.refusal)
        }
        None => (order, None, None),
    };
    let hash = request_hash(&order);
    let lines = response_lines(&order);
    let language = crate::outbox::checkout_language(body.language.as_deref());
    let checkout = |id: String| {
        let reference = checkouts::reference(&id);
        NewCheckout {
            order_json: Some(
                StoredOrder::from(&order)
                    .with_reference(&reference)
                    .with_language(language)
                    .with_terms(policy, &accepted_at)
                    .to_json(),
            ),
            id,
            kind: "basket",
            idempotency_key: Some(key.clone()),
            request_hash: hash.clone(),
            currency: order.totals.gross.currency().as_str().to_owned(),
            net_minor: order.totals.net.minor(),
            vat_minor: order.totals.vat.minor(),
            expected_gross_minor: order.totals.gross.minor(),
            invoice_id: None,
            lines_json: serde_json::to_string(&lines).unwrap_or_default(),
            customer_email: order.customer.as_ref().map(|c| c.email.to_lowercase()),
            return_url: return_url.clone(),
        }
    };
    let mut new = checkout(ids::checkout_id());
    let reservation = Reservation::new(
        order
            .lines
            .iter()
            .map(|l| (l.product.sku.as_str(), l.priced.quantity)),
    );

    // D1 round trip 1 of 2: claim the key and reserve the tracked stock,
    // or find who holds the key. A repeat of a finished request answers
    // from the ledger, before the rate limit: retrying must never be what
    // gets a shopper blocked.
    let (claim, reserved, code_held) = ledger
        .claim_key(&new, &reservation, code_hold.as_ref())
        .await?;
    if let Reserved::SoldOut(short) = reserved {
        // Nothing was reserved; the claim is given up (a second round
        // trip, on this path only) so the same key may be sent again.
        ledger.abandon(&new.id, &cx.request_id).await;
        return Err(sold_out(&body, &order, &short));
    }
    if let (false, Some(hold)) = (code_held, &code_hold) {
        // The code did not apply when read (expired, used up...), or its
        // last use went to another checkout since: given up like a
        // sold-out basket. (A repeat of a request that got its checkout
        // was answered above, from the ledger.)
        ledger.abandon(&new.id, &cx.request_id).await;
        let refusal = code_refusal.unwrap_or(shared::discount::Refusal::Exhausted);
        return Err(discounts::refused(&hold.code, &refusal));
    }
    match claim {
        Claim::Claimed => {}
        Claim::Taken(existing) => return replay(*existing, &hash, lines, &ledger, &key).await,
        // The same request, whose first attempt died before recording its
        // link: go on as that checkout, so Qonto sees the same creation.
        Claim::Resumed(dead) => new = checkout(dead.id),
    }
    let reference = checkouts::reference(&new.id);
    // From here on the claim is this request's: any refusal gives it up,
    // so the same key can be sent again.
    let methods = match rate_limit(&req, cx).await {
        Ok(()) => create::offered_methods(cx, order.payment_methods.as_ref()).await,
        Err(e) => Err(e),
    };
    let methods = match methods {
        Ok(methods) => methods,
        Err(e) => {
            ledger.abandon(&new.id, &cx.request_id).await;
            return Err(e);
        }
    };
    let body = qonto_body::basket(&order, cx.config.vat_rate_format, methods, &reference, None);
    let creation = Creation {
        qonto_key: checkouts::qonto_idempotency_key("basket", &key),
        row: new,
        body,
    };
    // Round trip 2 of 2 (after Qonto's link): record it, read it back.
    let row = create::create_link(cx, &ledger, creation).await?;
    Ok(created_response(&row, lines, 201))
}

/// The 409 of a basket whose line `short` the stock cannot fill: named by
/// its title, pointing at the first request item with its SKU.
fn sold_out(body: &CheckoutRequest, order: &ValidatedOrder, short: &Shortage) -> EdgeError {
    let index = body
        .items
        .iter()
        .position(|i| i.sku == short.sku)
        .unwrap_or(0);
    let title = order
        .lines
        .iter()
        .find(|l| l.product.sku == short.sku)
        .map_or(short.sku.as_str(), |l| l.product.title.as_str());
    let message = match short.available {
        0 => format!("{title} is sold out."),
        n => format!("Only {n} of {title} left."),
    };
    EdgeError::SoldOut {
        message,
        field: format!("items[{index}].sku"),
    }
}

/// Answers a request whose key is already in the ledger.
async fn replay(
    row: CheckoutRow,
    hash: &str,
    lines: Vec<shared::api::CheckoutLine>,
    ledger: &Ledger,
    key: &str,
) -> EdgeResult<Response> {
    if row.request_hash != hash {
        return Err(EdgeError::Conflict {
            code: "idempotency_key_reused",
            message: "This Idempotency-Key was used with a different request; use a new key for a new checkout.".into(),
        });
    }
    let row = create::wait_for_key(row, ledger, key).await?;
    if row.failure.as_deref() == Some("amount_mismatch") {
        // Never hand out the URL of a link with the wrong amount.
        return Err(create::refused_again(&row));
    }
    Ok(created_response(&row, lines, 201))
}

/// `GET /v1/checkouts/{id}`, limited per client before anything is read
/// (`checkouts::limits`).
pub(crate) async fn status(req: &Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    let asked_at = worker::js_sys::Date::now();
    limits::check(req, cx, limits::STATUS_LIMITER).await?;
    let (ledger, row) = checkouts::find_checkout(id, cx).await?;
    let row = sync::refresh_if_stale_for(row, &ledger, cx, asked_at).await;
    let body = CheckoutStatusResponse {
        id: row.id.clone(),
        status: checkouts::public(&row),
        amount: row.charged().into(),
        paid_at: row.paid_at.clone(),
        reference: Some(row.reference()),
    };
    let mut resp = json_response(&body, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}
