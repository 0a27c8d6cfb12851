//! Admin endpoints for the merchant (behind `ADMIN_TOKEN`, never CORS-open):
//! overall status, the checkout ledger with each link's payments, deactivating
//! a link, and subscribing this edge to Qonto's payment-link webhooks. The
//! OAuth connect and provider connection routes are in `oauth_routes`.

use crate::auth::{require_admin, token_matches, ADMIN_COOKIE};
use crate::checkout::{find_checkout, public_status, refresh, refresh_if_stale};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ledger::{CheckoutRow, Ledger};
use crate::log;
use crate::notify;
use crate::qonto::Qonto;
use crate::tokens::{self, AuthState};
use serde_json::{json, Value};
use shared::money::WireAmount;
use shared::qonto::{CreateWebhookSubscription, WEBHOOK_TYPE_PAYMENT_LINKS};
use worker::{Request, Response};

/// Statuses the ledger filter accepts.
const STATUSES: &[&str] = &[
    "creating",
    "open",
    "processing",
    "paid",
    "expired",
    "canceled",
];

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
        "kind": row.kind,
        "status": public_status(row).as_str(),
        "link_status": row.status,
        "amount": WireAmount::from(row.charged()),
        "expected_amount": row.money(row.expected_gross_minor).to_decimal(),
        "payment_link_id": row.link_id,
        "url": row.url,
        "invoice_id": row.invoice_id,
        "created_at": row.created_at,
        "paid_at": row.paid_at,
        "expires_at": row.expires_at,
    })
}

/// `POST /admin/session {"token"}`: the admin page's sign-in. Sets the token
/// as an HttpOnly, SameSite=Strict cookie (Secure over https), so it is never
/// in a URL nor readable by scripts, and navigations such as "Connect Qonto"
/// are authenticated too.
pub(crate) async fn sign_in(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    #[derive(serde::Deserialize)]
    struct SignIn {
        #[serde(default)]
        token: String,
    }
    let body: SignIn = crate::http::read_json(&mut req, 4 * 1024).await?;
    if cx.config.admin_token.is_empty()
        || !token_matches(body.token.trim(), cx.config.admin_token.expose())
    {
        log::warn(&cx.request_id, "admin sign-in refused", json!({}));
        return Err(EdgeError::Unauthorized);
    }
    let mut resp = json_response(&json!({"signed_in": true}), 200);
    let _ = resp.headers_mut().set(
        "set-cookie",
        &session_cookie(cx, cx.config.admin_token.expose(), 8 * 3600),
    );
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `DELETE /admin/session`: signs out (expires the cookie).
pub(crate) fn sign_out(cx: &Cx) -> Response {
    let mut resp = json_response(&json!({"signed_in": false}), 200);
    let _ = resp
        .headers_mut()
        .set("set-cookie", &session_cookie(cx, "", 0));
    resp
}

fn session_cookie(cx: &Cx, value: &str, max_age: u32) -> String {
    let secure = if cx.self_origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{ADMIN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

fn webhook_callback(cx: &Cx) -> String {
    format!("{}/webhooks/qonto", cx.self_origin)
}

/// `GET /admin/status`: authorization, provider connection, payment methods,
/// webhook subscription and configuration problems in one answer.
pub(crate) async fn status(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let auth = tokens::status(cx).await?;
    let mut body = json!({
        "qonto": auth.as_str(),
        "environment": cx.config.environment.as_str(),
        "problems": cx.config.problems,
        "webhook_callback_url": webhook_callback(cx),
    });
    if auth == AuthState::Connected {
        let qonto = Qonto::new(cx);
        body["connection"] = match qonto.get_connection().await {
            Ok(Some(c)) => json!(c.status.as_str()),
            Ok(None) => json!("not_connected"),
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
        body["webhook_subscribed"] = match qonto.list_webhook_subscriptions().await {
            Ok(list) => json!(list
                .subscriptions
                .iter()
                .any(|s| s.callback_url == webhook_callback(cx)
                    && s.types.iter().any(|t| t == WEBHOOK_TYPE_PAYMENT_LINKS))),
            Err(_) => Value::Null,
        };
    }
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
    let status = params
        .iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty());
    if let Some(s) = status {
        if !STATUSES.contains(&s) {
            return Err(EdgeError::bad_request(
                "invalid_query",
                format!("status must be one of {}", STATUSES.join(", ")),
                Some("status"),
            ));
        }
    }
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
    let row = refresh_if_stale(row, &ledger, cx).await;
    let mut body = summary(&row);
    body["lines"] = row.lines();
    body["order"] = row.order();
    body["notification"] = notify::state(&ledger, &row.id)
        .await?
        .map_or(Value::Null, |n| n.to_json());
    Ok(json_response(&body, 200))
}

/// `POST /admin/checkouts/{id}/notify`: sends the merchant notification of
/// a paid checkout again now (after the merchant's server was fixed, or to
/// replay it), and answers its state afterwards.
pub(crate) async fn notify_checkout(req: Request, id: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let (ledger, row) = find_checkout(id, cx).await?;
    if cx.config.merchant_webhook.is_none() {
        return Err(EdgeError::Conflict {
            code: "notifications_off",
            message: "MERCHANT_WEBHOOK_URL is not set: there is nowhere to send notifications."
                .into(),
        });
    }
    if row.status != "paid" {
        return Err(EdgeError::Conflict {
            code: "not_paid",
            message: format!(
                "Only a paid checkout is notified; this one is {}.",
                public_status(&row).as_str()
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
    let Some(link_id) = row.link_id.clone() else {
        return Err(EdgeError::Conflict {
            code: "not_deactivatable",
            message: "This checkout has no payment link yet.".into(),
        });
    };
    let fresh = refresh(&row, &ledger, cx).await?;
    if fresh.status != "open" {
        return Err(EdgeError::Conflict {
            code: "not_deactivatable",
            message: format!(
                "Only an open link can be deactivated; this one is {}.",
                fresh.status
            ),
        });
    }
    let link = Qonto::new(cx).deactivate_payment_link(&link_id).await?;
    // (Paid in the meantime, it is notified like any other.)
    let queued = ledger
        .update_status(
            &row.id,
            link.status.as_str(),
            fresh.last_payment_status.as_deref(),
            None,
            cx.config.merchant_webhook.is_some(),
        )
        .await?;
    if queued {
        notify::send_soon(cx, &row.id);
    }
    log::info(
        &cx.request_id,
        "checkout deactivated",
        json!({"checkout": row.id, "link": link_id}),
    );
    let row = ledger.get(&row.id).await?.unwrap_or(fresh);
    Ok(json_response(&summary(&row), 200))
}

/// `POST /admin/webhook-subscription`: subscribes this edge's
/// `/webhooks/qonto` to `v1/payment-links`, signed with `QONTO_WEBHOOK_SECRET`
/// (so the secret never has to be copied from Qonto). Idempotent: an
/// existing subscription for the same URL is returned.
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
    if let Some(s) = existing.subscriptions.iter().find(|s| {
        s.callback_url == callback_url && s.types.iter().any(|t| t == WEBHOOK_TYPE_PAYMENT_LINKS)
    }) {
        return Ok(json_response(
            &json!({"id": s.id, "callback_url": s.callback_url, "types": s.types, "created": false}),
            200,
        ));
    }
    let created = qonto
        .create_webhook_subscription(&CreateWebhookSubscription {
            callback_url: callback_url.clone(),
            types: vec![WEBHOOK_TYPE_PAYMENT_LINKS.to_owned()],
            secret: Some(secret.expose().to_owned()),
            description: Some("Qonto Checkout edge: payment-link events".into()),
        })
        .await?;
    log::info(
        &cx.request_id,
        "webhook subscription created",
        json!({"subscription": created.id}),
    );
    Ok(json_response(
        &json!({"id": created.id, "callback_url": created.callback_url, "types": created.types, "created": true}),
        201,
    ))
}
