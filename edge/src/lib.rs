//! The edge: a Cloudflare Worker that holds the merchant's Qonto credentials and
//! catalog, turns baskets into Qonto payment links, keeps the checkout ledger in
//! D1 and answers the widget.
//!
//! Run it locally with `wrangler dev` from the repository root (the README's demo
//! command does all of it, against the fake Qonto).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod health;
mod tokens;

use worker::{event, Context, Env, Request, Response, Result, Router};

pub use tokens::TokenStore;

/// The Worker's entry point: every request that is not a static asset.
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let response = Router::new()
        .get_async("/health", |_, ctx| async move {
            Ok(health::health(&ctx.env).await.into_response())
        })
        .run(req, env)
        .await;
    // A route that failed with a workers-rs error must still answer in the API's
    // error shape: nothing below this point may turn into a bare 500.
    Ok(response.unwrap_or_else(|e| error::EdgeError::from(e).into_response()))
}
