//! The outbox in the admin (behind `ADMIN_TOKEN`): each checkout's
//! messages with their state and a preview link, the preview itself (the
//! e-mail's HTML exactly as sent, its text part with `?part=text`, the
//! webhook's JSON body), and "send again" per message.

use super::{messages, render, resend, Kind, Message};
use crate::auth::require_admin;
use crate::checkouts::{find_checkout, public as public_status};
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ledger::Ledger;
use serde_json::{json, Value};
use worker::{Request, Response};

/// The admin path of a message's preview.
fn preview_path(id: &str, kind: Kind) -> String {
    format!("/admin/checkouts/{id}/messages/{}", kind.as_str())
}

/// The `messages` of the admin's checkout detail: every queued message,
/// with the path of its preview and of its "send again".
pub(crate) async fn messages_json(ledger: &Ledger, id: &str) -> EdgeResult<Value> {
    let list = messages(ledger, id).await?;
    Ok(Value::Array(
        list.iter().map(|m| with_links(m, id)).collect::<Vec<_>>(),
    ))
}

fn with_links(m: &Message, id: &str) -> Value {
    let mut v = m.to_json();
    if let Some(kind) = Kind::parse(&m.0.kind) {
        v["preview"] = json!(preview_path(id, kind));
        v["send_again"] = json!(format!("{}/send", preview_path(id, kind)));
    }
    v
}

fn kind_of(name: &str) -> EdgeResult<Kind> {
    Kind::parse(name).ok_or(EdgeError::NotFound("message kind"))
}

/// `GET /admin/checkouts/{id}/messages/{kind}[?part=text]`: the message as
/// it is sent. A page of its own, under a CSP that allows nothing but the
/// inline styles the e-mail needs.
pub(crate) async fn preview(req: Request, id: &str, kind: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let kind = kind_of(kind)?;
    let (_, row) = find_checkout(id, cx).await?;
    let text = req
        .url()
        .ok()
        .is_some_and(|u| u.query_pairs().any(|(k, v)| k == "part" && v == "text"));
    let mut resp = match render(&row, kind, &cx.config.email) {
        None => json_response(
            &super::webhook::body_of(&row, kind).unwrap_or(Value::Null),
            200,
        ),
        Some(message) => {
            let (body, content_type) = if text {
                (message.text, "text/plain; charset=utf-8")
            } else {
                (message.html, "text/html; charset=utf-8")
            };
            let mut resp = Response::ok(body)?;
            resp.headers_mut().set("content-type", content_type)?;
            resp
        }
    };
    let headers = resp.headers_mut();
    headers.set(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
    )?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-content-type-options", "nosniff")?;
    Ok(resp)
}

/// `POST /admin/checkouts/{id}/messages/{kind}/send`: sends one message of
/// a paid checkout (the review notification: of a checkout in review) again
/// now, and answers its state afterwards.
pub(crate) async fn send_again(
    req: Request,
    id: &str,
    kind: &str,
    cx: &Cx,
) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let kind = kind_of(kind)?;
    let (ledger, row) = find_checkout(id, cx).await?;
    if !kind.enabled(&cx.config) {
        return Err(EdgeError::Conflict {
            code: "message_kind_off",
            message: format!(
                "{} messages are not configured (see MERCHANT_WEBHOOK_URL, SHOPPER_EMAIL, ORDER_EMAIL_TO).",
                kind.as_str()
            ),
        });
    }
    // A paid checkout has the order's messages; one in review, only the
    // review notification.
    if row.status != kind.follows() {
        return Err(EdgeError::Conflict {
            code: "not_paid",
            message: format!(
                "Only a paid checkout has messages (and only one in review its {}); this one is {}.",
                Kind::MerchantReview.as_str(),
                public_status(&row).as_str()
            ),
        });
    }
    let state = resend(cx, &ledger, &row.id, kind).await?;
    let body = json!({"message": state.map_or(Value::Null, |m| with_links(&m, &row.id))});
    Ok(json_response(&body, 200))
}
