//! The merchant's Qonto OAuth tokens: a Durable Object ([`TokenStore`], one
//! object named `merchant` behind the `TOKENS` binding) that is the single
//! writer of the rotating refresh token, and an isolate cache in front of it.
//!
//! Why a Durable Object: Qonto's refresh token rotates on every use (the old
//! one stays valid for 60 s, qonto-api.md §2.1). Two isolates refreshing at
//! once would each get a new pair and one of them would store a refresh token
//! that is about to die. The object refreshes **one at a time** (an in-memory
//! shared future that every concurrent caller awaits: a `fetch` between
//! reading and writing storage lets other requests in, toolchain.md §10.8),
//! stores the rotated refresh token **before** handing out the new access
//! token, refreshes **proactively** (5 min before expiry, as Qonto advises,
//! so callers rarely meet a 401), and when Qonto refuses the refresh token
//! (`invalid_grant`) marks the connection dead instead of retrying.
//!
//! Why an isolate cache: the object is one instance worldwide, so asking it on
//! every checkout would cap the shop at one object's throughput
//! (design.md). Each isolate keeps the access token until 60 s before it
//! expires and consults the object only on a miss or after Qonto refused the
//! token.
//!
//! Worker ⇄ object protocol (JSON, `https://tokens/...`, always `200` with a
//! tagged reply; any other status is a platform failure):
//!
//! | request | reply |
//! |---|---|
//! | `POST /state/new` `{}` | `{"state"}`: a random OAuth `state`, valid 10 min |
//! | `POST /state/consume` `{"state"}` | `{"valid": bool}` (single use) |
//! | `POST /exchange` `{"state","code","redirect_uri"}` | `{"outcome":"connected","scope","refreshable"}` \| `invalid_state` \| `failed` |
//! | `POST /access` `{"rejected"?}` | `{"outcome":"token","access_token","issued_at_ms","expires_at_ms"}` \| `not_connected` \| `reauthorization_needed` \| `unavailable` \| `timeout` \| `rejected` |
//! | `GET /status` | [`TokenStatus`] (never a token) |
//!
//! `rejected` is the access token Qonto just refused: the object refreshes
//! only if it is still the current one, so 50 callers holding the same dead
//! token cause one refresh, not 50.
//!
//! No token ever reaches a log line or a response other than the object's
//! reply to the worker; [`AccessToken`]'s `Debug` is redacted.

// The `#[durable_object]` macro generates undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use crate::log;
use crate::qonto::{describe_error, json_error_summary, send_with_timeout, SendError};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::qonto::{OAuthError, TokenResponse, STAGING_TOKEN_HEADER};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::time::Duration;
use worker::{
    durable_object, DurableObject, Env, Headers, Method, Request, RequestInit, Response, Result,
    State,
};

/// The Durable Object binding (wrangler.toml).
const BINDING: &str = "TOKENS";
/// The one object per merchant.
const OBJECT_NAME: &str = "merchant";
/// Storage key of the [`TokenRecord`] (JSON text).
const TOKENS_KEY: &str = "tokens";
/// Storage key of the pending OAuth states (JSON text).
const STATES_KEY: &str = "oauth_states";
/// How long an OAuth `state` may wait for its callback.
const STATE_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;
/// Pending states kept at most (older ones are dropped): admins do not start
/// hundreds of connections, and storage must not grow without bound.
const MAX_PENDING_STATES: usize = 20;
/// An isolate stops using a cached token this long before it expires (at
/// most a quarter of the token's lifetime, for short-lived test tokens).
const ISOLATE_MARGIN_MS: f64 = 60.0 * 1000.0;
/// The object refreshes this long before expiry (at most half the lifetime).
const REFRESH_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;
/// A token this close to expiry is not handed out even as a fallback.
const LAST_USE_MARGIN_MS: f64 = 5.0 * 1000.0;
/// After a failed refresh (Qonto down, bad client secret), callers get an
/// error without a new attempt for this long: no retry storm.
const REFRESH_BACKOFF_MS: f64 = 5.0 * 1000.0;
/// Timeout of a call to Qonto's token endpoint.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Assumed access-token lifetime when Qonto omits `expires_in` (its docs: 1 h).
const DEFAULT_LIFETIME_SECS: u64 = 3600;

/// Whether the edge can call Qonto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AuthState {
    /// Tokens present and refreshable.
    Connected,
    /// Never connected.
    NotAuthorized,
    /// The refresh token was refused (revoked, expired): connect again.
    ReauthorizationNeeded,
}

impl AuthState {
    /// The `/health` spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuthState::Connected => "connected",
            AuthState::NotAuthorized => "not_authorized",
            AuthState::ReauthorizationNeeded => "reauthorization_needed",
        }
    }
}

/// A Qonto OAuth access token. Its `Debug` never shows it; only
/// [`AccessToken::expose`] does, for the `Authorization` header.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct AccessToken(String);

impl AccessToken {
    /// The token itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// A Qonto OAuth refresh token (rotating). Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct RefreshToken(String);

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// What the token store says about the connection, for `/health` and the
/// admin page. Holds no token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TokenStatus {
    /// Connected, never connected, or needing a new consent.
    pub(crate) state: AuthState,
    /// Scopes Qonto granted, space-separated.
    pub(crate) scope: Option<String>,
    /// When the merchant connected (ms since the epoch).
    pub(crate) connected_at_ms: Option<f64>,
    /// When the current access token expires.
    pub(crate) access_expires_at_ms: Option<f64>,
    /// When the tokens were last refreshed.
    pub(crate) refreshed_at_ms: Option<f64>,
    /// Why reauthorization is needed.
    pub(crate) reason: Option<String>,
}

/// What the OAuth callback's code exchange led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum ExchangeOutcome {
    /// Tokens stored.
    Connected {
        /// Granted scopes, space-separated.
        scope: Option<String>,
        /// Whether a refresh token came with them (`offline_access`).
        refreshable: bool,
    },
    /// The `state` is unknown, expired or already used: nothing stored.
    InvalidState,
    /// Qonto refused the code or could not be reached: nothing stored.
    Failed {
        /// For the log.
        detail: String,
    },
}

// ---------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------

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

/// Milliseconds since the epoch (the runtime's clock).
fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}

// ---------------------------------------------------------------------------
// Protocol
// ---------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
struct AccessRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rejected: Option<AccessToken>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum AccessReply {
    Token {
        access_token: AccessToken,
        issued_at_ms: f64,
        expires_at_ms: f64,
    },
    NotConnected,
    ReauthorizationNeeded {
        reason: String,
    },
    Unavailable {
        detail: String,
        retry_after_secs: Option<u32>,
    },
    Timeout,
    Rejected {
        status: u16,
        detail: String,
    },
}

impl AccessReply {
    /// The token and until when an isolate may reuse it, or the error a
    /// Qonto call fails with.
    fn into_result(self) -> EdgeResult<(AccessToken, f64)> {
        match self {
            AccessReply::Token {
                access_token,
                issued_at_ms,
                expires_at_ms,
            } => Ok((access_token, isolate_use_until(issued_at_ms, expires_at_ms))),
            AccessReply::NotConnected => Err(EdgeError::NotAuthorized {
                reason: "Qonto is not connected yet (no OAuth tokens)".into(),
            }),
            AccessReply::ReauthorizationNeeded { reason } => Err(EdgeError::NotAuthorized {
                reason: format!("Qonto must be connected again: {reason}"),
            }),
            AccessReply::Unavailable {
                detail,
                retry_after_secs,
            } => Err(EdgeError::QontoUnavailable {
                detail: format!("token refresh failed: {detail}"),
                retry_after_secs,
            }),
            AccessReply::Timeout => Err(EdgeError::QontoTimeout {
                call: "oauth_token",
            }),
            AccessReply::Rejected { status, detail } => Err(EdgeError::QontoRejected {
                status,
                detail: format!("token refresh refused: {detail}"),
            }),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StateReply {
    state: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct StateBody {
    state: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConsumeReply {
    valid: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExchangeRequest {
    state: String,
    code: String,
    redirect_uri: String,
}

// ---------------------------------------------------------------------------
// The Durable Object
// ---------------------------------------------------------------------------

/// What the store keeps (as JSON text under [`TOKENS_KEY`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TokenRecord {
    access_token: AccessToken,
    /// When the access token was received (ms since the epoch).
    issued_at_ms: f64,
    /// When Qonto says it expires.
    expires_at_ms: f64,
    /// `None` without `offline_access`: the connection ends with the token.
    refresh_token: Option<RefreshToken>,
    scope: Option<String>,
    connected_at_ms: f64,
    refreshed_at_ms: Option<f64>,
    /// Set when Qonto refused the refresh token: why reauthorization is needed.
    dead: Option<String>,
}

impl TokenRecord {
    /// After the authorization-code exchange.
    fn connected(t: TokenResponse, now: f64) -> TokenRecord {
        TokenRecord {
            access_token: AccessToken(t.access_token),
            issued_at_ms: now,
            expires_at_ms: now + lifetime_ms(t.expires_in),
            refresh_token: t.refresh_token.filter(|r| !r.is_empty()).map(RefreshToken),
            scope: t.scope,
            connected_at_ms: now,
            refreshed_at_ms: None,
            dead: None,
        }
    }

    /// After a refresh: the new access token, the rotated refresh token (or
    /// the old one if Qonto sent none), the connection date kept.
    fn refreshed(&self, t: TokenResponse, now: f64) -> TokenRecord {
        TokenRecord {
            access_token: AccessToken(t.access_token),
            issued_at_ms: now,
            expires_at_ms: now + lifetime_ms(t.expires_in),
            refresh_token: t
                .refresh_token
                .filter(|r| !r.is_empty())
                .map(RefreshToken)
                .or_else(|| self.refresh_token.clone()),
            scope: t.scope.or_else(|| self.scope.clone()),
            connected_at_ms: self.connected_at_ms,
            refreshed_at_ms: Some(now),
            dead: None,
        }
    }

    fn reply(&self) -> AccessReply {
        AccessReply::Token {
            access_token: self.access_token.clone(),
            issued_at_ms: self.issued_at_ms,
            expires_at_ms: self.expires_at_ms,
        }
    }

    /// Still worth handing out (not about to expire).
    fn usable(&self, now: f64) -> bool {
        let lifetime = (self.expires_at_ms - self.issued_at_ms).max(0.0);
        now < self.expires_at_ms - LAST_USE_MARGIN_MS.min(lifetime / 10.0)
    }
}

fn lifetime_ms(expires_in: u64) -> f64 {
    let secs = if expires_in == 0 {
        DEFAULT_LIFETIME_SECS
    } else {
        expires_in
    };
    secs as f64 * 1000.0
}

/// Until when an isolate reuses a token without asking the store.
fn isolate_use_until(issued_at_ms: f64, expires_at_ms: f64) -> f64 {
    let lifetime = (expires_at_ms - issued_at_ms).max(0.0);
    expires_at_ms - ISOLATE_MARGIN_MS.min(lifetime / 4.0)
}

/// From when the store refreshes proactively.
fn refresh_due_at(issued_at_ms: f64, expires_at_ms: f64) -> f64 {
    let lifetime = (expires_at_ms - issued_at_ms).max(0.0);
    expires_at_ms - REFRESH_MARGIN_MS.min(lifetime / 2.0)
}

/// Why a refresh (or a code exchange) did not give tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RefreshFailure {
    /// `invalid_grant`: the refresh token (or code) is refused for good.
    Refused(String),
    /// Qonto down, rate limited, network failure, or an unreadable answer.
    Unavailable {
        detail: String,
        retry_after_secs: Option<u32>,
    },
    /// No answer in time.
    Timeout,
    /// Another refusal (bad client credentials, staging gate): a
    /// configuration problem, not the merchant's consent.
    Rejected { status: u16, detail: String },
}

impl RefreshFailure {
    fn reply(self) -> AccessReply {
        match self {
            RefreshFailure::Refused(reason) => AccessReply::ReauthorizationNeeded { reason },
            RefreshFailure::Unavailable {
                detail,
                retry_after_secs,
            } => AccessReply::Unavailable {
                detail,
                retry_after_secs,
            },
            RefreshFailure::Timeout => AccessReply::Timeout,
            RefreshFailure::Rejected { status, detail } => AccessReply::Rejected { status, detail },
        }
    }

    fn describe(&self) -> String {
        match self {
            RefreshFailure::Refused(r) => format!("refused: {r}"),
            RefreshFailure::Unavailable { detail, .. } => format!("unavailable: {detail}"),
            RefreshFailure::Timeout => "timed out".into(),
            RefreshFailure::Rejected { status, detail } => format!("rejected ({status}): {detail}"),
        }
    }
}

/// What the store does with an access request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    /// Hand out the current token.
    Serve,
    /// Refresh first (one refresh for every waiting caller).
    Refresh,
    /// No tokens.
    NotConnected,
    /// The refresh token was refused: the merchant must connect again.
    Dead(String),
    /// A refresh failed moments ago and the current token cannot be used.
    BackingOff,
}

/// The store's decision (host-tested). `rejected` is the token Qonto just
/// refused, if the caller says so.
fn decide(
    record: Option<&TokenRecord>,
    now: f64,
    rejected: Option<&AccessToken>,
    backoff_until_ms: f64,
) -> Decision {
    let Some(rec) = record else {
        return Decision::NotConnected;
    };
    if let Some(reason) = &rec.dead {
        return Decision::Dead(reason.clone());
    }
    let refused_now = rejected.is_some_and(|r| r == &rec.access_token);
    let fresh = now < refresh_due_at(rec.issued_at_ms, rec.expires_at_ms);
    if fresh && !refused_now {
        return Decision::Serve;
    }
    let can_fall_back = rec.usable(now) && !refused_now;
    if rec.refresh_token.is_none() {
        return if can_fall_back {
            Decision::Serve
        } else {
            Decision::Dead("the access token expired and Qonto gave no refresh token (offline_access not granted)".into())
        };
    }
    if now < backoff_until_ms {
        return if can_fall_back {
            Decision::Serve
        } else {
            Decision::BackingOff
        };
    }
    Decision::Refresh
}

/// The reply after a refresh: the new token; or, if the refresh failed for a
/// passing reason, the current token while it is still good.
fn after_refresh(
    outcome: std::result::Result<TokenRecord, RefreshFailure>,
    current: Option<&TokenRecord>,
    rejected: Option<&AccessToken>,
    now: f64,
) -> AccessReply {
    match outcome {
        Ok(rec) => rec.reply(),
        Err(f @ RefreshFailure::Refused(_)) => f.reply(),
        Err(f) => match current {
            Some(cur)
                if cur.dead.is_none() && cur.usable(now) && rejected != Some(&cur.access_token) =>
            {
                cur.reply()
            }
            _ => f.reply(),
        },
    }
}

/// The status of a record.
fn status_of(record: Option<&TokenRecord>) -> TokenStatus {
    match record {
        None => TokenStatus {
            state: AuthState::NotAuthorized,
            scope: None,
            connected_at_ms: None,
            access_expires_at_ms: None,
            refreshed_at_ms: None,
            reason: None,
        },
        Some(rec) => TokenStatus {
            state: if rec.dead.is_some() {
                AuthState::ReauthorizationNeeded
            } else {
                AuthState::Connected
            },
            scope: rec.scope.clone(),
            connected_at_ms: Some(rec.connected_at_ms),
            access_expires_at_ms: Some(rec.expires_at_ms),
            refreshed_at_ms: rec.refreshed_at_ms,
            reason: rec.dead.clone(),
        },
    }
}

/// Reads the token endpoint's answer.
fn classify_token_answer(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
) -> std::result::Result<TokenResponse, RefreshFailure> {
    if (200..300).contains(&status) {
        return match serde_json::from_slice::<TokenResponse>(body) {
            Ok(t) if !t.access_token.is_empty() => Ok(t),
            Ok(_) => Err(RefreshFailure::Unavailable {
                detail: "token response without an access token".into(),
                retry_after_secs: None,
            }),
            Err(e) => Err(RefreshFailure::Unavailable {
                detail: format!("malformed token response: {}", json_error_summary(&e)),
                retry_after_secs: None,
            }),
        };
    }
    let retry_after_secs = retry_after.and_then(|v| v.trim().parse::<u32>().ok());
    if status == 429 || status >= 500 {
        return Err(RefreshFailure::Unavailable {
            detail: format!("token endpoint answered HTTP {status}"),
            retry_after_secs,
        });
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => {
            let text = match &e.error_description {
                Some(d) => format!("{}: {d}", e.error),
                None => e.error.clone(),
            };
            if e.error == "invalid_grant" {
                Err(RefreshFailure::Refused(text))
            } else {
                Err(RefreshFailure::Rejected {
                    status,
                    detail: text,
                })
            }
        }
        // An HTML page (the sandbox gate without a staging token) or a
        // JSON:API body.
        Err(_) => Err(RefreshFailure::Rejected {
            status,
            detail: describe_error(status, body),
        }),
    }
}

/// `POST {oauth_url}/oauth2/token`, form-encoded, with the client
/// credentials and `grant`.
async fn token_call(
    config: &Config,
    grant: &[(&str, &str)],
) -> std::result::Result<TokenResponse, RefreshFailure> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("client_id", &config.client_id);
    form.append_pair("client_secret", &config.client_secret);
    for (k, v) in grant {
        form.append_pair(k, v);
    }
    let body = form.finish();
    let build = || -> Result<Request> {
        let headers = Headers::new();
        headers.set("content-type", "application/x-www-form-urlencoded")?;
        headers.set("accept", "application/json")?;
        if let Some(staging) = &config.staging_token {
            headers.set(STAGING_TOKEN_HEADER, staging)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.as_str().into()));
        Request::new_with_init(&format!("{}/oauth2/token", config.oauth_url), &init)
    };
    let req = build().map_err(|e| RefreshFailure::Unavailable {
        detail: e.to_string(),
        retry_after_secs: None,
    })?;
    match send_with_timeout(req, TOKEN_TIMEOUT).await {
        Err(SendError::Timeout) => Err(RefreshFailure::Timeout),
        Err(SendError::Network(detail)) => Err(RefreshFailure::Unavailable {
            detail,
            retry_after_secs: None,
        }),
        Ok(raw) => classify_token_answer(raw.status, raw.retry_after.as_deref(), &raw.body),
    }
}

type SharedRefresh =
    Shared<LocalBoxFuture<'static, std::result::Result<TokenRecord, RefreshFailure>>>;

/// The object's in-memory state, shared with the refresh future.
#[derive(Default)]
struct Inner {
    /// Whether `record` was read from storage yet.
    loaded: Cell<bool>,
    /// The stored record (this object is its only writer, so the copy in
    /// memory is always the stored one).
    record: RefCell<Option<TokenRecord>>,
    /// The refresh in flight: every caller that needs a refresh awaits it.
    refresh: RefCell<Option<SharedRefresh>>,
    /// Bumped by each new connection, so that a refresh started before it
    /// does not overwrite it.
    generation: Cell<u64>,
    /// No new refresh attempt before this time (ms) after a failure.
    backoff_until_ms: Cell<f64>,
}

/// Holds the merchant's Qonto OAuth tokens (module docs).
#[durable_object]
pub struct TokenStore {
    state: State,
    env: Env,
    inner: Rc<Inner>,
}

impl DurableObject for TokenStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            inner: Rc::new(Inner::default()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let request_id = req
            .headers()
            .get("x-request-id")
            .ok()
            .flatten()
            .unwrap_or_default();
        let path = req.path();
        match (req.method(), path.as_str()) {
            (Method::Get, "/status") => {
                self.ensure_loaded().await?;
                Response::from_json(&status_of(self.inner.record.borrow().as_ref()))
            }
            (Method::Post, "/state/new") => Response::from_json(&StateReply {
                state: self.new_state().await?,
            }),
            (Method::Post, "/state/consume") => {
                let body: StateBody = req.json().await?;
                Response::from_json(&ConsumeReply {
                    valid: self.consume_state(&body.state).await?,
                })
            }
            (Method::Post, "/exchange") => {
                let body: ExchangeRequest = req.json().await?;
                Response::from_json(&self.exchange(body, &request_id).await?)
            }
            (Method::Post, "/access") => {
                let body: AccessRequest = req.json().await?;
                Response::from_json(&self.access(body.rejected, &request_id).await?)
            }
            _ => Response::error("no such token store operation", 404),
        }
    }
}

impl TokenStore {
    /// Reads the record once per object lifetime.
    async fn ensure_loaded(&self) -> Result<()> {
        if self.inner.loaded.get() {
            return Ok(());
        }
        let stored: Option<String> = self.state.storage().get(TOKENS_KEY).await?;
        // Another request may have loaded (or written) it meanwhile.
        if !self.inner.loaded.get() {
            let record = match stored.map(|s| serde_json::from_str::<TokenRecord>(&s)) {
                None => None,
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    log::error(
                        "",
                        "stored qonto tokens are unreadable; treating as not connected",
                        json!({"error": json_error_summary(&e)}),
                    );
                    None
                }
            };
            *self.inner.record.borrow_mut() = record;
            self.inner.loaded.set(true);
        }
        Ok(())
    }

    /// `/access`: the decision, then at most one refresh for all callers.
    async fn access(&self, rejected: Option<AccessToken>, request_id: &str) -> Result<AccessReply> {
        self.ensure_loaded().await?;
        let in_flight = self.inner.refresh.borrow().clone();
        if let Some(refresh) = in_flight {
            let outcome = refresh.await;
            let current = self.inner.record.borrow().clone();
            return Ok(after_refresh(
                outcome,
                current.as_ref(),
                rejected.as_ref(),
                now_ms(),
            ));
        }
        let current = self.inner.record.borrow().clone();
        let now = now_ms();
        match decide(
            current.as_ref(),
            now,
            rejected.as_ref(),
            self.inner.backoff_until_ms.get(),
        ) {
            Decision::Serve => Ok(current.map_or(AccessReply::NotConnected, |r| r.reply())),
            Decision::NotConnected => Ok(AccessReply::NotConnected),
            Decision::Dead(reason) => Ok(AccessReply::ReauthorizationNeeded { reason }),
            Decision::BackingOff => Ok(AccessReply::Unavailable {
                detail: "a token refresh failed moments ago".into(),
                retry_after_secs: Some((REFRESH_BACKOFF_MS / 1000.0) as u32),
            }),
            Decision::Refresh => {
                let Some(record) = current else {
                    return Ok(AccessReply::NotConnected);
                };
                let outcome = self.start_refresh(record.clone(), request_id).await;
                Ok(after_refresh(
                    outcome,
                    Some(&record),
                    rejected.as_ref(),
                    now_ms(),
                ))
            }
        }
    }

    /// Starts the refresh and registers it, synchronously (no await between
    /// the decision and the registration), so later callers join it.
    fn start_refresh(&self, current: TokenRecord, request_id: &str) -> SharedRefresh {
        let inner = self.inner.clone();
        let storage = self.state.storage();
        let config = Config::from_env(&self.env);
        let generation = inner.generation.get();
        let request_id = request_id.to_owned();
        let refresh = async move {
            let outcome =
                refresh_once(&config, &storage, &inner, &current, generation, &request_id).await;
            inner.refresh.borrow_mut().take();
            outcome
        }
        .boxed_local()
        .shared();
        *self.inner.refresh.borrow_mut() = Some(refresh.clone());
        refresh
    }

    async fn load_states(&self) -> Result<Vec<(String, f64)>> {
        let stored: Option<String> = self.state.storage().get(STATES_KEY).await?;
        Ok(stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    async fn save_states(&self, states: &[(String, f64)]) -> Result<()> {
        let text = serde_json::to_string(states)
            .map_err(|e| worker::Error::RustError(json_error_summary(&e)))?;
        self.state.storage().put(STATES_KEY, text).await
    }

    /// `/state/new`. Only storage awaits between read and write: the input
    /// gate keeps this atomic.
    async fn new_state(&self) -> Result<String> {
        let now = now_ms();
        let mut states = self.load_states().await?;
        states.retain(|(_, expires)| *expires > now);
        let state = crate::ids::random_hex(16);
        states.push((state.clone(), now + STATE_TTL_MS));
        if states.len() > MAX_PENDING_STATES {
            let excess = states.len() - MAX_PENDING_STATES;
            states.drain(..excess);
        }
        self.save_states(&states).await?;
        Ok(state)
    }

    /// Removes `state`; true when it was pending and unexpired.
    async fn consume_state(&self, state: &str) -> Result<bool> {
        if !is_state_shaped(state) {
            return Ok(false);
        }
        let now = now_ms();
        let mut states = self.load_states().await?;
        let found = states
            .iter()
            .position(|(s, _)| s == state)
            .map(|i| states.remove(i));
        states.retain(|(_, expires)| *expires > now);
        self.save_states(&states).await?;
        Ok(found.is_some_and(|(_, expires)| expires > now))
    }

    /// `/exchange`: state first (used up whatever follows), then the code.
    async fn exchange(&self, body: ExchangeRequest, request_id: &str) -> Result<ExchangeOutcome> {
        self.ensure_loaded().await?;
        if !self.consume_state(&body.state).await? {
            return Ok(ExchangeOutcome::InvalidState);
        }
        let config = Config::from_env(&self.env);
        let grant = [
            ("grant_type", "authorization_code"),
            ("code", body.code.as_str()),
            ("redirect_uri", body.redirect_uri.as_str()),
        ];
        match token_call(&config, &grant).await {
            Ok(tokens) => {
                let record = TokenRecord::connected(tokens, now_ms());
                // Bumped before the write: a refresh of the previous
                // connection finishing now must not overwrite this one.
                self.inner.generation.set(self.inner.generation.get() + 1);
                persist(&self.state.storage(), &record).await?;
                let outcome = ExchangeOutcome::Connected {
                    scope: record.scope.clone(),
                    refreshable: record.refresh_token.is_some(),
                };
                log::info(
                    request_id,
                    "qonto connected",
                    json!({"scope": record.scope, "refreshable": record.refresh_token.is_some(), "expires_in_s": ((record.expires_at_ms - record.issued_at_ms) / 1000.0) as u64}),
                );
                *self.inner.record.borrow_mut() = Some(record);
                self.inner.backoff_until_ms.set(0.0);
                Ok(outcome)
            }
            Err(failure) => Ok(ExchangeOutcome::Failed {
                detail: failure.describe(),
            }),
        }
    }
}

/// The refresh itself: call Qonto, store, then (only then) publish.
async fn refresh_once(
    config: &Config,
    storage: &worker::Storage,
    inner: &Inner,
    current: &TokenRecord,
    generation: u64,
    request_id: &str,
) -> std::result::Result<TokenRecord, RefreshFailure> {
    let Some(refresh_token) = &current.refresh_token else {
        return Err(RefreshFailure::Refused("no refresh token".into()));
    };
    let result = token_call(
        config,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.0.as_str()),
        ],
    )
    .await;
    if inner.generation.get() != generation {
        // The merchant connected again while this refresh ran: theirs wins.
        return inner
            .record
            .borrow()
            .clone()
            .ok_or(RefreshFailure::Unavailable {
                detail: "connection replaced during refresh".into(),
                retry_after_secs: None,
            });
    }
    match result {
        Ok(tokens) => {
            let rotated = tokens.refresh_token.is_some();
            let record = current.refreshed(tokens, now_ms());
            // Store the rotated refresh token BEFORE anyone gets the new
            // access token. If the write fails, memory keeps the old record:
            // its refresh token still works for Qonto's 60 s grace, so the
            // next attempt recovers.
            if let Err(e) = persist(storage, &record).await {
                inner.backoff_until_ms.set(now_ms() + 1000.0);
                log::error(
                    request_id,
                    "could not store refreshed qonto tokens",
                    json!({"error": e.to_string()}),
                );
                return Err(RefreshFailure::Unavailable {
                    detail: "token storage failed".into(),
                    retry_after_secs: Some(1),
                });
            }
            *inner.record.borrow_mut() = Some(record.clone());
            inner.backoff_until_ms.set(0.0);
            log::info(
                request_id,
                "qonto access token refreshed",
                json!({"rotated": rotated, "expires_in_s": ((record.expires_at_ms - record.issued_at_ms) / 1000.0) as u64}),
            );
            Ok(record)
        }
        Err(RefreshFailure::Refused(reason)) => {
            let mut dead = current.clone();
            dead.dead = Some(reason.clone());
            if let Err(e) = persist(storage, &dead).await {
                log::error(
                    request_id,
                    "could not store the dead connection flag",
                    json!({"error": e.to_string()}),
                );
            }
            *inner.record.borrow_mut() = Some(dead);
            log::warn(
                request_id,
                "qonto refused the refresh token; reauthorization needed",
                json!({"reason": reason}),
            );
            Err(RefreshFailure::Refused(reason))
        }
        Err(other) => {
            inner.backoff_until_ms.set(now_ms() + REFRESH_BACKOFF_MS);
            log::warn(
                request_id,
                "qonto token refresh failed",
                json!({"reason": other.describe()}),
            );
            Err(other)
        }
    }
}

async fn persist(storage: &worker::Storage, record: &TokenRecord) -> Result<()> {
    let text = serde_json::to_string(record)
        .map_err(|e| worker::Error::RustError(json_error_summary(&e)))?;
    storage.put(TOKENS_KEY, text).await
}

/// What [`crate::ids::random_hex`]`(16)` produces: 32 lowercase hex digits.
fn is_state_shaped(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;

    fn token(s: &str) -> AccessToken {
        AccessToken(s.into())
    }

    /// A 1-hour token issued at t = 0.
    fn record() -> TokenRecord {
        TokenRecord {
            access_token: token("at-1"),
            issued_at_ms: 0.0,
            expires_at_ms: 60.0 * MIN,
            refresh_token: Some(RefreshToken("rt-1".into())),
            scope: Some("payment_link.read offline_access".into()),
            connected_at_ms: 0.0,
            refreshed_at_ms: None,
            dead: None,
        }
    }

    fn response(access: &str, refresh: Option<&str>, expires_in: u64) -> TokenResponse {
        TokenResponse {
            access_token: access.into(),
            expires_in,
            id_token: None,
            refresh_token: refresh.map(str::to_owned),
            scope: None,
            token_type: "bearer".into(),
        }
    }

    #[test]
    fn decisions() {
        let rec = record();
        let dead = TokenRecord {
            dead: Some("invalid_grant".into()),
            ..record()
        };
        let no_refresh = TokenRecord {
            refresh_token: None,
            ..record()
        };
        let t1 = token("at-1");
        let other = token("at-0");
        // (record, now, rejected token, backoff until, decision)
        type Row<'a> = (
            Option<&'a TokenRecord>,
            f64,
            Option<&'a AccessToken>,
            f64,
            Decision,
        );
        #[rustfmt::skip]
        let table: Vec<Row<'_>> = vec![
            (None, 0.0, None, 0.0, Decision::NotConnected),
            (Some(&dead), 0.0, None, 0.0, Decision::Dead("invalid_grant".into())),
            // Fresh: served, even to a caller whose older token was refused.
            (Some(&rec), 10.0 * MIN, None, 0.0, Decision::Serve),
            (Some(&rec), 10.0 * MIN, Some(&other), 0.0, Decision::Serve),
            // Proactive: less than 5 minutes left.
            (Some(&rec), 54.9 * MIN, None, 0.0, Decision::Serve),
            (Some(&rec), 55.0 * MIN, None, 0.0, Decision::Refresh),
            (Some(&rec), 70.0 * MIN, None, 0.0, Decision::Refresh),
            // Qonto refused the current token: refresh even if it looks fresh.
            (Some(&rec), 1.0 * MIN, Some(&t1), 0.0, Decision::Refresh),
            // Backing off after a failure: the old token while it lasts.
            (Some(&rec), 56.0 * MIN, None, 57.0 * MIN, Decision::Serve),
            (Some(&rec), 1.0 * MIN, Some(&t1), 2.0 * MIN, Decision::BackingOff),
            (Some(&rec), 61.0 * MIN, None, 62.0 * MIN, Decision::BackingOff),
            // No refresh token: usable until it expires, then dead.
            (Some(&no_refresh), 56.0 * MIN, None, 0.0, Decision::Serve),
            (Some(&no_refresh), 61.0 * MIN, None, 0.0, Decision::Dead("the access token expired and Qonto gave no refresh token (offline_access not granted)".into())),
        ];
        for (rec, now, rejected, backoff, want) in table {
            assert_eq!(
                decide(rec, now, rejected, backoff),
                want,
                "now={now} rejected={rejected:?} backoff={backoff}"
            );
        }
    }

    #[test]
    fn margins_scale_down_for_short_tokens() {
        // Qonto's hour: isolate until 59 min, refresh from 55 min.
        assert_eq!(isolate_use_until(0.0, 60.0 * MIN), 59.0 * MIN);
        assert_eq!(refresh_due_at(0.0, 60.0 * MIN), 55.0 * MIN);
        // A 20 s test token: isolate until 15 s, refresh from 10 s.
        assert_eq!(isolate_use_until(0.0, 20_000.0), 15_000.0);
        assert_eq!(refresh_due_at(0.0, 20_000.0), 10_000.0);
        // The store refreshes before isolates stop using a token.
        for lifetime in [4_000.0, 20_000.0, 10.0 * MIN, 60.0 * MIN, 24.0 * 60.0 * MIN] {
            assert!(
                refresh_due_at(0.0, lifetime) < isolate_use_until(0.0, lifetime),
                "{lifetime}"
            );
        }
    }

    #[test]
    fn refresh_keeps_rotation_and_connection_date() {
        let rec = record();
        let next = rec.refreshed(response("at-2", Some("rt-2"), 3600), 100.0);
        assert_eq!(next.access_token, token("at-2"));
        assert_eq!(next.refresh_token, Some(RefreshToken("rt-2".into())));
        assert_eq!(next.expires_at_ms, 100.0 + 3_600_000.0);
        assert_eq!(next.connected_at_ms, 0.0);
        assert_eq!(next.refreshed_at_ms, Some(100.0));
        assert_eq!(next.scope, rec.scope);
        // No rotation (not Qonto's behaviour, but allowed by OAuth): keep the old one.
        let same = rec.refreshed(response("at-3", None, 0), 0.0);
        assert_eq!(same.refresh_token, Some(RefreshToken("rt-1".into())));
        assert_eq!(same.expires_at_ms, 3_600_000.0);
        let first = TokenRecord::connected(response("at", Some(""), 60), 5.0);
        assert_eq!(first.refresh_token, None);
        assert_eq!(first.expires_at_ms, 60_005.0);
    }

    #[test]
    fn failed_refreshes_fall_back_only_to_a_good_token() {
        let rec = record();
        let down = || {
            Err(RefreshFailure::Unavailable {
                detail: "500".into(),
                retry_after_secs: None,
            })
        };
        let refused = || Err(RefreshFailure::Refused("invalid_grant".into()));
        // Proactive refresh failed: the current token still has minutes.
        assert_eq!(
            after_refresh(down(), Some(&rec), None, 56.0 * MIN),
            rec.reply()
        );
        // Qonto refused the current token: no fallback.
        assert!(matches!(
            after_refresh(down(), Some(&rec), Some(&token("at-1")), 56.0 * MIN),
            AccessReply::Unavailable { .. }
        ));
        // Expired: no fallback.
        assert!(matches!(
            after_refresh(down(), Some(&rec), None, 61.0 * MIN),
            AccessReply::Unavailable { .. }
        ));
        // Refused refresh token: never a fallback.
        assert!(matches!(
            after_refresh(refused(), Some(&rec), None, 56.0 * MIN),
            AccessReply::ReauthorizationNeeded { .. }
        ));
        let new = TokenRecord {
            access_token: token("at-2"),
            ..record()
        };
        assert_eq!(
            after_refresh(Ok(new.clone()), Some(&rec), Some(&token("at-1")), 0.0),
            new.reply()
        );
    }

    #[test]
    fn token_answers_are_classified() {
        let ok = br#"{"access_token":"a","expires_in":3600,"refresh_token":"r","scope":"s","token_type":"bearer"}"#;
        assert_eq!(
            classify_token_answer(200, None, ok).map(|t| t.access_token),
            Ok("a".into())
        );
        let grant = br#"{"error":"invalid_grant","error_description":"The refresh token has been revoked."}"#;
        assert_eq!(
            classify_token_answer(400, None, grant).map(|t| t.access_token),
            Err(RefreshFailure::Refused(
                "invalid_grant: The refresh token has been revoked.".into()
            ))
        );
        let client = br#"{"error":"invalid_client"}"#;
        assert!(matches!(
            classify_token_answer(401, None, client),
            Err(RefreshFailure::Rejected { status: 401, .. })
        ));
        assert!(matches!(
            classify_token_answer(403, None, b"<html>gate</html>"),
            Err(RefreshFailure::Rejected { status: 403, .. })
        ));
        assert!(matches!(
            classify_token_answer(429, Some("3"), b""),
            Err(RefreshFailure::Unavailable {
                retry_after_secs: Some(3),
                ..
            })
        ));
        assert!(matches!(
            classify_token_answer(502, None, b""),
            Err(RefreshFailure::Unavailable { .. })
        ));
        assert!(matches!(
            classify_token_answer(200, None, br#"{"access_tok"#),
            Err(RefreshFailure::Unavailable { .. })
        ));
        assert!(matches!(
            classify_token_answer(200, None, br#"{"access_token":""}"#),
            Err(RefreshFailure::Unavailable { .. })
        ));
    }

    #[test]
    fn replies_map_to_edge_errors() {
        let err = |r: AccessReply| r.into_result().err().map(|e| e.status());
        assert_eq!(err(AccessReply::NotConnected), Some(503));
        assert!(matches!(
            AccessReply::ReauthorizationNeeded { reason: "x".into() }.into_result(),
            Err(EdgeError::NotAuthorized { .. })
        ));
        assert!(matches!(
            AccessReply::NotConnected.into_result(),
            Err(EdgeError::NotAuthorized { .. })
        ));
        assert_eq!(err(AccessReply::Timeout), Some(504));
        assert_eq!(
            err(AccessReply::Rejected {
                status: 401,
                detail: "x".into()
            }),
            Some(502)
        );
        assert_eq!(
            err(AccessReply::Unavailable {
                detail: "x".into(),
                retry_after_secs: None
            }),
            Some(503)
        );
        let (t, until) = record().reply().into_result().ok().unwrap();
        assert_eq!(t, token("at-1"));
        assert_eq!(until, 59.0 * MIN);
    }

    #[test]
    fn the_protocol_round_trips_and_status_has_no_token() {
        let reply = record().reply();
        let text = serde_json::to_string(&reply).unwrap();
        assert!(text.contains(r#""outcome":"token""#), "{text}");
        assert_eq!(serde_json::from_str::<AccessReply>(&text).unwrap(), reply);
        let dead = TokenRecord {
            dead: Some("revoked".into()),
            ..record()
        };
        let status = serde_json::to_string(&status_of(Some(&dead))).unwrap();
        assert!(
            status.contains(r#""state":"reauthorization_needed""#),
            "{status}"
        );
        assert!(
            !status.contains("at-1") && !status.contains("rt-1"),
            "{status}"
        );
        assert_eq!(status_of(None).state, AuthState::NotAuthorized);
        assert_eq!(status_of(Some(&record())).state, AuthState::Connected);
        let outcome = serde_json::to_string(&ExchangeOutcome::InvalidState).unwrap();
        assert_eq!(outcome, r#"{"outcome":"invalid_state"}"#);
    }

    #[test]
    fn tokens_are_redacted_in_debug() {
        let text = format!("{:?}", record());
        assert!(!text.contains("at-1") && !text.contains("rt-1"), "{text}");
    }

    #[test]
    fn states_have_one_shape() {
        assert!(is_state_shaped("0123456789abcdef0123456789abcdef"));
        assert!(!is_state_shaped("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_state_shaped("short"));
        assert!(!is_state_shaped(""));
    }
}
