//! The worker side of the token store: the isolate's cache of the access
//! token, and one function per request to the object.

use super::protocol::{
    AccessReply, AccessRequest, ConsumeReply, ExchangeRequest, StateBody, StateReply,
};
use super::{now_ms, AccessToken, AuthState, ExchangeOutcome, TokenStatus};
use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use crate::qonto::json_error_summary;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::cell::RefCell;
use worker::{Headers, Method, Request, RequestInit};

/// The Durable Object binding (wrangler.toml).
const BINDING: &str = "TOKENS";
/// The one object per merchant.
const OBJECT_NAME: &str = "merchant";

/// The access token this isolate may use, and until when.
struct CachedToken {
    token: AccessToken,
    use_until_ms: f64,
}

thread_local! {
    /// Lives as long as the isolate (one merchant per deployment).
    static ISOLATE_TOKEN: RefCell<Option<CachedToken>> = const { RefCell::new(None) };
}

/// An access token for a Qonto call: from the isolate cache while it is
/// comfortably valid, else from the token store (which refreshes it when
/// due). `NotAuthorized` when Qonto is not (or no longer) connected.
pub(crate) async fn access_token(cx: &Cx) -> EdgeResult<AccessToken> {
    let now = now_ms();
    let cached = ISOLATE_TOKEN.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|t| now < t.use_until_ms)
            .map(|t| t.token.clone())
    });
    match cached {
        Some(token) => Ok(token),
        None => fetch_access(cx, None).await,
    }
}

/// Qonto answered `401` to `rejected`: forget it here and get a fresh token
/// from the store, which refreshes unless another caller already did.
pub(crate) async fn refresh_after_rejection(
    cx: &Cx,
    rejected: &AccessToken,
) -> EdgeResult<AccessToken> {
    ISOLATE_TOKEN.with(|c| {
        let mut c = c.borrow_mut();
        if c.as_ref().is_some_and(|t| &t.token == rejected) {
            *c = None;
        }
    });
    fetch_access(cx, Some(rejected.clone())).await
}

async fn fetch_access(cx: &Cx, rejected: Option<AccessToken>) -> EdgeResult<AccessToken> {
    let reply: AccessReply = call_store(
        cx,
        Method::Post,
        "/access",
        Some(&AccessRequest { rejected }),
    )
    .await?;
    let (token, use_until_ms) = reply.into_result()?;
    if now_ms() < use_until_ms {
        let entry = CachedToken {
            token: token.clone(),
            use_until_ms,
        };
        ISOLATE_TOKEN.with(|c| *c.borrow_mut() = Some(entry));
    }
    Ok(token)
}

/// The authorization state (used by `/health`).
pub(crate) async fn status(cx: &Cx) -> EdgeResult<AuthState> {
    Ok(status_detail(cx).await?.state)
}

/// The authorization state with its dates and scope (no token).
pub(crate) async fn status_detail(cx: &Cx) -> EdgeResult<TokenStatus> {
    call_store::<(), _>(cx, Method::Get, "/status", None).await
}

/// A fresh OAuth `state` (32 hex digits), remembered for 10 minutes.
pub(crate) async fn new_state(cx: &Cx) -> EdgeResult<String> {
    let reply: StateReply = call_store(cx, Method::Post, "/state/new", Some(&json!({}))).await?;
    Ok(reply.state)
}

/// Uses up a `state` without exchanging a code (the merchant declined at
/// Qonto). Returns whether it was valid.
pub(crate) async fn consume_state(cx: &Cx, state: &str) -> EdgeResult<bool> {
    let reply: ConsumeReply = call_store(
        cx,
        Method::Post,
        "/state/consume",
        Some(&StateBody {
            state: state.into(),
        }),
    )
    .await?;
    Ok(reply.valid)
}

/// Checks and uses up `state`, then exchanges `code` at Qonto's token
/// endpoint and stores the tokens, all inside the token store.
pub(crate) async fn exchange_code(
    cx: &Cx,
    state: &str,
    code: &str,
    redirect_uri: &str,
) -> EdgeResult<ExchangeOutcome> {
    let body = ExchangeRequest {
        state: state.into(),
        code: code.into(),
        redirect_uri: redirect_uri.into(),
    };
    let outcome: ExchangeOutcome = call_store(cx, Method::Post, "/exchange", Some(&body)).await?;
    if matches!(outcome, ExchangeOutcome::Connected { .. }) {
        // A token of an earlier connection must not outlive it here.
        ISOLATE_TOKEN.with(|c| *c.borrow_mut() = None);
    }
    Ok(outcome)
}

/// One request to the token store.
async fn call_store<B: Serialize, R: DeserializeOwned>(
    cx: &Cx,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> EdgeResult<R> {
    let headers = Headers::new();
    headers.set("x-request-id", &cx.request_id)?;
    let mut init = RequestInit::new();
    if let Some(body) = body {
        headers.set("content-type", "application/json")?;
        let text = serde_json::to_string(body).map_err(|e| {
            EdgeError::Internal(format!("token store request: {}", json_error_summary(&e)))
        })?;
        init.with_body(Some(text.into()));
    }
    init.with_method(method).with_headers(headers);
    let req = Request::new_with_init(&format!("https://tokens{path}"), &init)?;
    let stub = cx.env.durable_object(BINDING)?.get_by_name(OBJECT_NAME)?;
    let mut resp = stub.fetch_with_request(req).await?;
    if resp.status_code() != 200 {
        return Err(EdgeError::Platform(format!(
            "token store answered {} to {path}",
            resp.status_code()
        )));
    }
    let text = resp.text().await?;
    // The summary has no input text: a reply may hold a token.
    serde_json::from_str(&text).map_err(|e| {
        EdgeError::Platform(format!(
            "unreadable token store reply to {path}: {}",
            json_error_summary(&e)
        ))
    })
}
