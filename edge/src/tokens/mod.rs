//! The merchant's Qonto OAuth tokens: a Durable Object ([`TokenStore`], one
//! object named `merchant` behind the `TOKENS` binding) that is the single
//! writer of the rotating refresh token, and an isolate cache in front of it.
//!
//! Why a Durable Object: Qonto's refresh token rotates on every use (the old
//! one stays valid for 60 s). Two isolates refreshing at
//! once would each get a new pair and one of them would store a refresh token
//! that is about to die. The object refreshes **one at a time** (an in-memory
//! shared future that every concurrent caller awaits: a `fetch` between
//! reading and writing storage lets other requests in: a Durable Object's
//! input gate only holds while it awaits its own storage),
//! stores the rotated refresh token **before** handing out the new access
//! token, refreshes **proactively** (5 min before expiry, as Qonto advises,
//! so callers rarely meet a 401), and when Qonto refuses the refresh token
//! (`invalid_grant`) marks the connection dead instead of retrying.
//!
//! Why an isolate cache: the object is one instance worldwide, so asking it on
//! every checkout would cap the shop at one object's throughput. Each isolate keeps the access token until 60 s before it
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
//!
//! Layout: [`api`] is the worker side (the isolate cache and the calls to the
//! object), [`protocol`] the JSON the two exchange, [`policy`] the pure
//! decisions (when to refresh, what to hand out; host-tested), [`store`] the
//! Durable Object itself and [`oauth_client`] the call to Qonto's token
//! endpoint.

mod api;
mod oauth_client;
mod policy;
mod protocol;
mod store;

pub(crate) use api::{
    access_token, consume_state, exchange_code, new_state, refresh_after_rejection, status,
    status_detail,
};
pub use store::TokenStore;

use serde::{Deserialize, Serialize};
use std::fmt;

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

/// Milliseconds since the epoch (the runtime's clock).
fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}
