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

use crate::catalog::{catalog, shipping};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx, MAX_BODY_BYTES};
use crate::ids;
use crate::ledger::{age_ms, CheckoutRow, Ledger, LinkFacts, NewCheckout, ABANDONED_MS};
use crate::log;
use crate::qonto::Qonto;
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::api::stored::StoredOrder;
use shared::api::{
    CheckoutRequest, CheckoutResponse, CheckoutStatus, CheckoutStatusResponse,
    PaymentMethodsResponse, ValidatedOrder,
};
use shared::money::{Currency, Money, WireAmount};
use shared::qonto::{
    BasketItem, CreateBasketPaymentLink, CreatePaymentLinkRequest, ItemType, PaymentLink,
    PaymentMethod, PaymentStatus,
};
use std::time::Duration;
use worker::{Request, Response};

/// How long a concurrent duplicate waits for the first request's link.
const DUPLICATE_WAIT_MS: u64 = 12_000;
/// A status older than this is re-read from Qonto when asked.
const STALE_AFTER_MS: f64 = 5_000.0;
/// The same for a link with no payment seen yet: a shopper back from the
/// payment page may be ahead of Qonto's webhook, and must not be told the
/// payment did not happen because the ledger is a few seconds old.
const OPEN_STALE_AFTER_MS: f64 = 1_000.0;
/// Qonto's titles have no documented limit; integrators cut at 120.
const MAX_TITLE_CHARS: usize = 120;

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

/// A per-client limit on creating checkouts (Cloudflare's rate limiting
/// binding). A missing binding is logged and does not block sales.
pub(crate) async fn rate_limit(req: &Request, cx: &Cx) -> EdgeResult<()> {
    let key = http::client_key(req);
    match cx.env.rate_limiter("CHECKOUT_LIMITER") {
        Ok(limiter) => match limiter.limit(key).await {
            Ok(outcome) if !outcome.success => Err(EdgeError::RateLimited {
                retry_after_secs: 60,
            }),
            Ok(_) => Ok(()),
            Err(e) => {
                log::warn(
                    &cx.request_id,
                    "rate limiter failed",
                    json!({"detail": e.to_string()}),
                );
                Ok(())
            }
        },
        Err(_) => {
            log::warn(
                &cx.request_id,
                "rate limiter binding CHECKOUT_LIMITER missing",
                json!({}),
            );
            Ok(())
        }
    }
}

/// SHA-256 hex of a string.
pub(crate) fn sha256_hex(s: &str) -> String {
    ids::hex(&Sha256::digest(s.as_bytes()))
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
    sha256_hex(&canonical)
}

/// The key Qonto sees: stable for one client key and body, shaped as a uuid.
pub(crate) fn qonto_idempotency_key(scope: &str, client_key: &str) -> String {
    let h = sha256_hex(&format!("{scope}:{client_key}"));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The payment methods to offer: those asked for (each must be enabled), or
/// every enabled one.
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
    if chosen.is_empty() {
        return Err(EdgeError::Misconfigured(vec![
            "no payment method is enabled at the payment provider".to_owned(),
        ]));
    }
    Ok(chosen)
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
            title: shipping_title(q),
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

fn shipping_title(q: &shared::shipping::ShippingQuote) -> String {
    format!("Shipping ({})", q.zone)
}

/// The Qonto basket body for a priced order: one item per line, and the
/// shipping line as a `service` item (when it is not free).
fn basket_body(
    order: &ValidatedOrder,
    cx: &Cx,
    methods: Vec<PaymentMethod>,
) -> CreatePaymentLinkRequest {
    let mut items: Vec<BasketItem> = order
        .lines
        .iter()
        .map(|l| BasketItem {
            title: l.product.title.chars().take(MAX_TITLE_CHARS).collect(),
            quantity: l.priced.quantity,
            unit_price: l.priced.unit_net.into(),
            vat_rate: l.priced.vat_rate.format(cx.config.vat_rate_format),
            item_type: Some(match l.product.kind {
                shared::catalog::ProductKind::Good => ItemType::Good,
                shared::catalog::ProductKind::Service => ItemType::Service,
            }),
            description: l.product.description.clone(),
            measure_unit: Some("unit".to_owned()),
        })
        .collect();
    if let Some(q) = order.shipping.as_ref().filter(|q| !q.free) {
        items.push(BasketItem {
            title: shipping_title(q),
            quantity: 1,
            unit_price: q.line.unit_net.into(),
            vat_rate: q.line.vat_rate.format(cx.config.vat_rate_format),
            item_type: Some(ItemType::Service),
            description: Some(format!("Delivery to {}", q.country)),
            measure_unit: Some("unit".to_owned()),
        });
    }
    CreatePaymentLinkRequest::basket(CreateBasketPaymentLink {
        potential_payment_methods: methods,
        reusable: false,
        items,
    })
}

/// The cents of a Qonto amount, when it parses.
pub(crate) fn minor_of(amount: &WireAmount) -> Option<i64> {
    Money::try_from(amount).ok().map(|m| m.minor())
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
        status: link.status.as_str().to_owned(),
        amount_minor: minor_of(&link.amount),
        expires_at: link.expiration_date.clone(),
    })
}

/// The status the widget sees: the link's status, except that an open link
/// whose latest payment failed or was canceled reports that outcome (the
/// shopper came back without paying and may try again).
pub(crate) fn public_status(row: &CheckoutRow) -> CheckoutStatus {
    match (row.status.as_str(), row.last_payment_status.as_deref()) {
        ("creating", _) => CheckoutStatus::Open,
        ("open", Some("failed")) => CheckoutStatus::Failed,
        ("open", Some("canceled")) => CheckoutStatus::Canceled,
        ("open", Some("expired")) => CheckoutStatus::Failed,
        (s, _) => CheckoutStatus::parse(s),
    }
}

/// The `201`/`200` body of a basket or invoice checkout.
pub(crate) fn created_response(
    row: &CheckoutRow,
    order_lines: Vec<shared::api::CheckoutLine>,
    status: u16,
) -> Response {
    let body = CheckoutResponse {
        id: row.id.clone(),
        url: row.url.clone().unwrap_or_default(),
        status: public_status(row),
        amount: row.charged().into(),
        lines: order_lines,
        expires_at: row.expires_at.clone(),
    };
    json_response(&body, status)
}

/// `POST /v1/checkouts`.
pub(crate) async fn create(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    let key = idempotency_key(&req)?;
    let body: CheckoutRequest = http::read_json(&mut req, MAX_BODY_BYTES).await?;
    let order = body
        .validate_with(catalog()?, shipping()?)
        .map_err(EdgeError::Invalid)?;
    let hash = request_hash(&order);
    let ledger = Ledger::open(cx)?;
    let lines = response_lines(&order);

    // A repeat of a finished request answers from the ledger, before the
    // rate limit: retrying must never be what gets a shopper blocked.
    if let Some(existing) = ledger.by_idempotency_key(&key).await? {
        let abandoned = existing.status == "creating"
            && age_ms(&existing.created_at).is_some_and(|a| a > ABANDONED_MS);
        if abandoned {
            ledger.delete_creating(&existing.id).await?;
        } else {
            return replay(existing, &hash, lines, &ledger, cx, &key).await;
        }
    }
    rate_limit(&req, cx).await?;
    let methods = offered_methods(cx, order.payment_methods.as_ref()).await?;

    let new = NewCheckout {
        id: ids::checkout_id(),
        kind: "basket",
        idempotency_key: Some(key.clone()),
        request_hash: hash.clone(),
        currency: order.totals.gross.currency().as_str().to_owned(),
        net_minor: order.totals.net.minor(),
        vat_minor: order.totals.vat.minor(),
        expected_gross_minor: order.totals.gross.minor(),
        invoice_id: None,
        lines_json: serde_json::to_string(&lines).unwrap_or_default(),
        order_json: Some(StoredOrder::from(&order).to_json()),
        customer_email: order.customer.as_ref().map(|c| c.email.to_lowercase()),
    };
    if !ledger.insert_creating(&new).await? {
        let existing =
            ledger
                .by_idempotency_key(&key)
                .await?
                .ok_or_else(|| EdgeError::Conflict {
                    code: "checkout_in_progress",
                    message:
                        "A request with this Idempotency-Key is being processed; retry shortly."
                            .into(),
                })?;
        return replay(existing, &hash, lines, &ledger, cx, &key).await;
    }

    let body = basket_body(&order, cx, methods);
    let qonto_key = qonto_idempotency_key("basket", &key);
    let link = match Qonto::new(cx)
        .create_payment_link(&body, &qonto_key)
        .await
        .and_then(|l| link_facts(&l).map(|f| (l, f)))
    {
        Ok(l) => l,
        Err(e) => {
            // No half-written row: the same key may be retried.
            ledger.abandon(&new.id, &cx.request_id).await;
            return Err(e);
        }
    };
    let (link, facts) = link;
    ledger.attach_link(&new.id, &facts).await?;
    let expected = order.totals.gross.minor();
    if facts.amount_minor != Some(expected) {
        log::warn(
            &cx.request_id,
            "qonto amount differs from the expected gross",
            json!({"checkout": new.id, "link": link.id, "expected": Money::new(expected, Currency::EUR).to_decimal(), "qonto": link.amount.value}),
        );
    }
    log::info(
        &cx.request_id,
        "checkout created",
        json!({"checkout": new.id, "link": link.id, "amount": link.amount.value}),
    );
    let row = ledger
        .get(&new.id)
        .await?
        .ok_or(EdgeError::Internal("created checkout vanished".into()))?;
    Ok(created_response(&row, lines, 201))
}

/// Answers a request whose key is already in the ledger.
async fn replay(
    mut row: CheckoutRow,
    hash: &str,
    lines: Vec<shared::api::CheckoutLine>,
    ledger: &Ledger,
    cx: &Cx,
    key: &str,
) -> EdgeResult<Response> {
    if row.request_hash != hash {
        return Err(EdgeError::Conflict {
            code: "idempotency_key_reused",
            message: "This Idempotency-Key was used with a different request; use a new key for a new checkout.".into(),
        });
    }
    // A concurrent duplicate: wait for the first request to attach its link.
    let mut waited = 0;
    while row.status == "creating" && waited < DUPLICATE_WAIT_MS {
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
    if row.status == "creating" {
        return Err(EdgeError::Conflict {
            code: "checkout_in_progress",
            message: "A request with this Idempotency-Key is being processed; retry shortly."
                .into(),
        });
    }
    let _ = cx;
    Ok(created_response(&row, lines, 201))
}

/// `GET /v1/checkouts/{id}`.
pub(crate) async fn status(id: &str, cx: &Cx) -> EdgeResult<Response> {
    let (ledger, row) = find_checkout(id, cx).await?;
    let row = refresh_if_stale(row, &ledger, cx).await;
    let body = CheckoutStatusResponse {
        id: row.id.clone(),
        status: public_status(&row),
        amount: row.charged().into(),
        paid_at: row.paid_at.clone(),
    };
    let mut resp = json_response(&body, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// A checkout of this edge's ledger by its public id (404 otherwise, without
/// touching D1 for ids that cannot be ours).
pub(crate) async fn find_checkout(id: &str, cx: &Cx) -> EdgeResult<(Ledger, CheckoutRow)> {
    if !is_checkout_id(id) {
        return Err(EdgeError::NotFound("checkout"));
    }
    let ledger = Ledger::open(cx)?;
    let row = ledger
        .get(id)
        .await?
        .ok_or(EdgeError::NotFound("checkout"))?;
    Ok((ledger, row))
}

/// Our ids: `ck_` and 24 lowercase hex digits.
pub(crate) fn is_checkout_id(id: &str) -> bool {
    id.len() == 27
        && id.starts_with("ck_")
        && id[3..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// How old the ledger's copy of `row`'s status may be before a status call
/// asks Qonto again.
fn stale_after_ms(row: &CheckoutRow) -> f64 {
    if public_status(row) == CheckoutStatus::Open {
        OPEN_STALE_AFTER_MS
    } else {
        STALE_AFTER_MS
    }
}

fn is_final(status: &str) -> bool {
    matches!(status, "paid" | "expired" | "canceled")
}

/// Re-reads a non-final checkout from Qonto when its status is stale; on any
/// Qonto trouble the ledger's last known status stands (and is logged).
pub(crate) async fn refresh_if_stale(row: CheckoutRow, ledger: &Ledger, cx: &Cx) -> CheckoutRow {
    let stale = row
        .status_checked_at
        .as_deref()
        .and_then(age_ms)
        .map(|age| age > stale_after_ms(&row))
        .unwrap_or(true);
    if is_final(&row.status) || row.link_id.is_none() || !stale {
        return row;
    }
    match refresh(&row, ledger, cx).await {
        Ok(fresh) => fresh,
        Err(e) => {
            log::warn(
                &cx.request_id,
                "status refresh failed; answering from the ledger",
                json!({"checkout": row.id, "error": format!("{e:?}")}),
            );
            row
        }
    }
}

/// Reads the link (and, when useful, its payments) from Qonto and records it.
/// Never trusts a webhook body or the browser: this is the source of truth.
pub(crate) async fn refresh(
    row: &CheckoutRow,
    ledger: &Ledger,
    cx: &Cx,
) -> EdgeResult<CheckoutRow> {
    let Some(link_id) = row.link_id.as_deref() else {
        return Ok(row.clone());
    };
    let qonto = Qonto::new(cx);
    let link = qonto.get_payment_link(link_id).await?;
    let status = link.status.as_str().to_owned();
    let mut last_payment = row.last_payment_status.clone();
    let mut paid_at = None;
    if status == "paid" || status == "open" {
        let payments = qonto.list_payments(link_id, 1, 100).await?;
        let latest = payments
            .payments
            .iter()
            .max_by(|a, b| a.created_at.cmp(&b.created_at));
        last_payment = latest.map(|p| p.status.as_str().to_owned());
        paid_at = payments
            .payments
            .iter()
            .filter(|p| p.status == PaymentStatus::Paid)
            .filter_map(|p| p.paid_at.clone())
            .min();
    }
    // Whichever refresh finds it paid first (webhook, status poll, admin)
    // queues the merchant's notification; the others find it queued.
    let queued = ledger
        .update_status(
            &row.id,
            &status,
            last_payment.as_deref(),
            paid_at.as_deref(),
            cx.config.merchant_webhook.is_some(),
        )
        .await?;
    if queued {
        crate::notify::send_soon(cx, &row.id);
    }
    Ok(ledger.get(&row.id).await?.unwrap_or_else(|| row.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, last: Option<&str>) -> CheckoutRow {
        CheckoutRow {
            id: "ck_000000000000000000000001".into(),
            kind: "basket".into(),
            request_hash: String::new(),
            status: status.into(),
            last_payment_status: last.map(str::to_owned),
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
        }
    }

    #[test]
    fn an_open_link_without_payment_is_asked_again_sooner() {
        let cases = [
            ("open", None, OPEN_STALE_AFTER_MS),
            ("creating", None, OPEN_STALE_AFTER_MS),
            ("open", Some("failed"), STALE_AFTER_MS),
            ("open", Some("canceled"), STALE_AFTER_MS),
            ("processing", Some("processing"), STALE_AFTER_MS),
            ("paid", Some("paid"), STALE_AFTER_MS),
        ];
        for (status, last, want) in cases {
            assert_eq!(
                stale_after_ms(&row(status, last)),
                want,
                "{status} {last:?}"
            );
        }
    }

    #[test]
    fn the_public_status_follows_the_link_and_its_latest_payment() {
        for (status, last, want) in [
            ("creating", None, "open"),
            ("open", None, "open"),
            ("open", Some("open"), "open"),
            ("open", Some("failed"), "failed"),
            ("open", Some("canceled"), "canceled"),
            ("processing", None, "processing"),
            ("paid", Some("paid"), "paid"),
            ("expired", None, "expired"),
            ("canceled", None, "canceled"),
        ] {
            assert_eq!(
                public_status(&row(status, last)).as_str(),
                want,
                "{status} {last:?}"
            );
        }
    }

    #[test]
    fn checkout_ids_are_recognised_strictly() {
        assert!(is_checkout_id("ck_0123456789abcdef01234567"));
        assert!(!is_checkout_id("ck_0123456789ABCDEF01234567"));
        assert!(!is_checkout_id("ck_0123"));
        assert!(!is_checkout_id("xx_0123456789abcdef01234567"));
        assert!(!is_checkout_id("../../etc/passwd"));
    }

    #[test]
    fn qonto_keys_are_stable_per_client_key_and_uuid_shaped() {
        let a = qonto_idempotency_key("basket", "key-1234");
        assert_eq!(a, qonto_idempotency_key("basket", "key-1234"));
        assert_ne!(a, qonto_idempotency_key("basket", "key-1235"));
        assert_ne!(a, qonto_idempotency_key("invoice", "key-1234"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn the_charged_amount_is_qontos_once_known() {
        let mut r = row("open", None);
        assert_eq!(r.charged().minor(), 1200);
        r.qonto_amount_minor = Some(1201);
        assert_eq!(r.charged().minor(), 1201);
    }
}
