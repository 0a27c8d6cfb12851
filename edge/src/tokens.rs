//! The Qonto OAuth token store: a Durable Object, one per merchant, that is the
//! single writer of the rotating refresh token.

// The `#[durable_object]` macro generates undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

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
        let connected = self.state.storage().get::<String>("refresh_token").await?.is_some();
        Response::ok(if connected { "connected" } else { "not_authorized" })
    }
}

/// The authorization state as the token store sees it.
pub(crate) async fn status(env: &Env) -> Result<String> {
    let stub = env.durable_object("TOKENS")?.get_by_name("merchant")?;
    let mut resp = stub.fetch_with_str("https://tokens/status").await?;
    resp.text().await
}
