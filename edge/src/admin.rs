//! Admin endpoints for the merchant (behind `ADMIN_TOKEN`, never CORS-open):
//! overall status, the checkout ledger with each link's payments, deactivating
//! a link, and subscribing this edge to Qonto's payment-link webhooks. The
//! admin session is in `auth`, the OAuth connect in `oauth`, the provider
//! connection and the organisation in `connection`.

use crate::auth::require_admin;
use crate::checkouts::{self, find_checkout, sync};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ledger::{CheckoutRow, Ledger, LedgerStatus};
use crate::log;
use crate::notify;
use crate::qonto::Qonto;
use crate::tokens::{self, AuthState};
use serde_json::{json, Value};
use shared::money::WireAmount;
use shared::qonto::{
    CreateWebhookSubscription, WEBHOOK_TYPE_PAYMENT_LINKS, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS,
};
use worker::{Request, Response};

/// The admin view of one checkout.
fn summary(row: &CheckoutRow) -> Value {
    let order = row.order();
    let customer = &order["customer"];
    json!({
        "customer": if customer.is_object() { json!({
            "name": customer["name"],
            "email": customer["email"],
            "country": customer["address"]["country"],
        }) } else { Value::Null },
        "customer_forgotten_at": row.customer_forgotten_at,
        "net": row.money(row.net_minor).to_decimal(),
        "vat": row.money(row.vat_minor).to_decimal(),
        "updated_at": row.updated_at,
        "id": row.id,
        "reference": row.reference(),
        "kind": row.kind,
        "status": checkouts::public(row).as_str(),
        "link_status": row.status.as_str(),
        // Failed before any payment (amount_mismatch), or a payment to check.
        "failure": row.failure,
        "review": row.status == LedgerStatus::Review,
        "paid_amount": row.paid_amount_minor.map(|m| row.money(m).to_decimal()),
        "qonto_amount": row.qonto_amount_minor.map(|m| row.money(m).to_decimal()),
        "amount": WireAmount::from(row.charged()),
        "expected_amount": row.money(row.expected_gross_minor).to_decimal(),
        "payment_link_id": row.link_id,
        "url": row.url,
        "return_url": row.return_url,
        "invoice_id": row.invoice_id,
        "created_at": row.created_at,
        "paid_at": row.paid_at,
        "expires_at": row.expires_at,
    })
}

fn webhook_callback(cx: &Cx) -> String {
    format!("{}/webhooks/qonto", cx.self_origin)
}

/// `GET /admin/status`: authorization, provider connection, payment methods,
/// webhook subscription, and every problem and warning of the edge (the
/// public `/health` only says ok or not) in one answer.
pub(crate) async fn status(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let auth = tokens::status(cx).await?;
    let report = crate::health::report(cx).await;
    let mut body = json!({
        "ok": report.ok(),
        "qonto": auth.as_str(),
        "environment": cx.config.environment.as_str(),
        "version": env!("CARGO_PKG_VERSION"),
        "problems": report.problems,
        "webhook_callback_url": webhook_callback(cx),
    });
    if auth == AuthState::Connected {
        let qonto = Qonto::new(cx);
        body["connection"] = match qonto.get_connection().await {
            Ok(Some(c)) => json!(c.status.as_str()),
            Ok(None) => json!("not_connected"),
            Err(EdgeError::Misconfigured(problems)) => {
                body["qonto_problem"] = json!(problems.join("; "));
                json!("unknown (503)")
            }
            Err(e) => json!(format!("unknown ({})", e.status())),
        };
        body["payment_methods"] = match qonto.payment_methods().await {
            Ok(methods) => json!(methods
                .iter()
                .filter(|m| m.enabled)
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()),
            Err(_) => Value::Null,
        };
        let subscribed = |list: &shared::qonto::WebhookSubscriptionList, kind: &str| {
            list.subscriptions.iter().any(|s| {
                s.callback_url == webhook_callback(cx) && s.types.iter().any(|t| t == kind)
            })
        };
        match qonto.list_webhook_subscriptions().await {
            Ok(list) => {
                body["webhook_subscribed"] = json!(subscribed(&list, WEBHOOK_TYPE_PAYMENT_LINKS));
                body["connection_webhook_subscribed"] =
                    json!(subscribed(&list, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS));
            }
            Err(_) => body["webhook_subscribed"] = Value::Null,
        }
    }
    crate::connection::add_status(cx, &mut body).await;
    // The report's warnings hold the configuration's and the webhook scope's.
    body["warnings"] = json!(report.warnings);
    Ok(json_response(&body, 200))
}

fn query(req: &Request) -> Vec<(String, String)> {
    req.url()
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn number(
    params: &[(String, String)],
    name: &str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> EdgeResult<u32> {
    match params.iter().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => v
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                EdgeError::bad_request(
                    "invalid_query",
                    format!(
                        "{name} must be a number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                    Some(name),
                )
            }),
    }
}

/// `GET /admin/checkouts?status=&page=&per_page=`: the ledger, newest first.
pub(crate) async fn list_checkouts(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let params = query(&req);
    let page = number(&params, "page", 1, 1..=100_000)?;
    let per_page = number(&params, "per_page", 25, 1..=100)?;
    let status = match params
        .iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(LedgerStatus::parse(s).ok_or_else(|| {
            let all: Vec<&str> = LedgerStatus::ALL.iter().map(|s| s.as_str()).collect();
            EdgeError::bad_request(
                "invalid_query",
                format!("status must be one of {}", all.join(", ")),
                Some("status"),
            )
        })?),
    };
    let ledger = Ledger::open(cx)?;
    let (rows, total) = ledger.list(status, per_page, (page - 1) * per_page).await?;
    let total_pages = total.div_ceil(per_page).max(1);
    let body = json!({
        "checkouts": rows.iter().map(summary).collect::<Vec<_>>(),
        "meta": {
            "current_page": page,
            "per_page": per_page,
            "total_count": total,
            "total_pages": total_pages,
            "next_page": (page < total_pages).then_some(page + 1),
            "prev_page": (page > 1).then_some(page - 1),
        }
    });
    Ok(json_response(&body, 200))
}

/// `GET /admin/checkouts/{id}`: the checkout with its lines and order.
pub(crate) async fn get_checkout(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (ledger, row) = find_checkout(id, cx).await?;
    let row = sync::refresh_if_stale(row, &ledger, cx).await;
    let mut body = summary(&row);
    body["lines"] = row.lines();
    body["order"] = row.order();
    body["notification"] = notify::state(&ledger, &row.id)
        .await?
        .map_or(Value::Null, |n| n.to_json());
    body["messages"] = crate::outbox::admin::messages_json(&ledger, &row.id).await?;
    Ok(json_response(&body, 200))
}

/// `POST /admin/checkouts/{id}/notify`: sends the merchant notification of
/// a paid checkout again now (after the merchant's server was fixed, or to
/// replay it), and answers its state afterwards.
pub(crate) async fn notify_checkout(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (ledger, row) = find_checkout(id, cx).await?;
    // Refused by the configuration (a problem on /admin/status): say why here too.
    if let Some(url) = crate::config::var(&cx.env, "MERCHANT_WEBHOOK_URL") {
        if crate::config::insecure_webhook_url(&url) {
            return Err(EdgeError::invalid(
                "insecure_webhook_url",
                crate::config::insecure_webhook_problem(&url),
                Some("MERCHANT_WEBHOOK_URL"),
            ));
        }
    }
    if cx.config.merchant_webhook.is_none() {
        return Err(EdgeError::Conflict {
            code: "notifications_off",
            message: "MERCHANT_WEBHOOK_URL is not set: there is nowhere to send notifications."
                .into(),
        });
    }
    if row.status != LedgerStatus::Paid {
        return Err(EdgeError::Conflict {
            code: "not_paid",
            message: format!(
                "Only a paid checkout is notified; this one is {}.",
                row.status.as_str()
            ),
        });
    }
    let state = notify::resend(cx, &ledger, &row.id).await?;
    let body = json!({"notification": state.map_or(Value::Null, |n| n.to_json())});
    Ok(json_response(&body, 200))
}

/// `GET /admin/checkouts/{id}/payments`: the link's payments at Qonto.
pub(crate) async fn checkout_payments(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (_, row) = find_checkout(id, cx).await?;
    let Some(link_id) = row.link_id.as_deref() else {
        return Ok(json_response(&json!({"payments": []}), 200));
    };
    let payments = Qonto::new(cx).list_payments(link_id, 1, 100).await?;
    Ok(json_response(&json!({"payments": payments.payments}), 200))
}

/// `POST /admin/checkouts/{id}/deactivate`: cancels an open link at Qonto.
pub(crate) async fn deactivate_checkout(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (ledger, row) = find_checkout(id, cx).await?;
    if row.link_id.is_none() {
        return Err(EdgeError::Conflict {
            code: "not_deactivatable",
            message: "This checkout has no payment link yet.".into(),
        });
    }
    // Read first: one paid in the meantime is recorded (and notified).
    let fresh = sync::refresh(&row, &ledger, cx).await?;
    if fresh.status != LedgerStatus::Open {
        return Err(EdgeError::Conflict {
            code: "not_deactivatable",
            message: format!(
                "Only an open link can be deactivated; this one is {}.",
                fresh.status.as_str()
            ),
        });
    }
    let row = sync::deactivate(&fresh, &ledger, cx, LedgerStatus::Canceled).await?;
    Ok(json_response(&summary(&row), 200))
}

/// `POST /admin/webhook-subscription`: subscribes this edge's
/// `/webhooks/qonto` to `v1/payment-links` and `v1/payment-links-connections`
/// (a revoked connection pauses payments), signed with `QONTO_WEBHOOK_SECRET`
/// (so the secret never has to be copied from Qonto). Idempotent: when
/// subscriptions for the same URL cover both types they are returned; a
/// missing type gets a subscription of its own.
pub(crate) async fn subscribe_webhook(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let secret = &cx.config.webhook_secret;
    if !crate::config::WEBHOOK_SECRET_CHARS.contains(&secret.len()) {
        return Err(EdgeError::Misconfigured(vec![
            "QONTO_WEBHOOK_SECRET must be 32 to 128 characters (Qonto's rule for subscription secrets)".into(),
        ]));
    }
    let qonto = Qonto::new(cx);
    let callback_url = webhook_callback(cx);
    let existing = qonto.list_webhook_subscriptions().await?;
    let ours: Vec<_> = existing
        .subscriptions
        .iter()
        .filter(|s| s.callback_url == callback_url)
        .collect();
    let missing: Vec<String> = [
        WEBHOOK_TYPE_PAYMENT_LINKS,
        WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS,
    ]
    .into_iter()
    .filter(|kind| !ours.iter().any(|s| s.types.iter().any(|t| t == kind)))
    .map(str::to_owned)
    .collect();
    let mut types: Vec<String> = ours.iter().flat_map(|s| s.types.iter().cloned()).collect();
    if missing.is_empty() {
        let id = ours.first().map(|s| s.id.clone());
        return Ok(json_response(
            &json!({"id": id, "callback_url": callback_url, "types": types, "created": false}),
            200,
        ));
    }
    let created = qonto
        .create_webhook_subscription(&CreateWebhookSubscription {
            callback_url: callback_url.clone(),
            types: missing.clone(),
            secret: Some(secret.expose().to_owned()),
            description: Some("Qonto Checkout edge: payment-link and connection events".into()),
        })
        .await?;
    log::info(
        &cx.request_id,
        "webhook subscription created",
        json!({"subscription": created.id, "types": missing}),
    );
    types.extend(created.types.iter().cloned());
    Ok(json_response(
        &json!({"id": created.id, "callback_url": created.callback_url, "types": types, "created": true}),
        201,
    ))
}
