//! The Qonto OAuth token store (INTERFACE STUB: being implemented).

// The `#[durable_object]` macro generates undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use crate::error::EdgeResult;
use crate::http::Cx;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

/// Whether the edge can call Qonto.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Holds the merchant's Qonto OAuth tokens.
#[durable_object]
pub struct TokenStore {
    state: State,
}

impl DurableObject for TokenStore {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        let connected = self
            .state
            .storage()
            .get::<String>("refresh_token")
            .await?
            .is_some();
        Response::ok(if connected {
            "connected"
        } else {
            "not_authorized"
        })
    }
}

/// The authorization state.
pub(crate) async fn status(cx: &Cx) -> EdgeResult<AuthState> {
    let stub = cx.env.durable_object("TOKENS")?.get_by_name("merchant")?;
    let mut resp = stub.fetch_with_str("https://tokens/status").await?;
    Ok(match resp.text().await?.as_str() {
        "connected" => AuthState::Connected,
        _ => AuthState::NotAuthorized,
    })
}
