//! The per-client limits of the public checkout API, each a Cloudflare rate
//! limiting binding (`[[ratelimits]]` in `wrangler.toml`) keyed by the
//! client's address (`http::client_key`: `CF-Connecting-IP`, an IPv6 client
//! by its /64):
//!
//! - `CHECKOUT_LIMITER`: checkout creations (20 a minute), so one client
//!   cannot fill the ledger or spend the shop's Qonto quota on links;
//! - `STATUS_LIMITER`: status polls, `GET /v1/checkouts/{id}` (120 a
//!   minute: a widget polls every few seconds, several tabs or a shop's
//!   shared address fit in it), so one client cannot make the edge read D1
//!   and Qonto without end. Concurrent polls of one checkout also cost
//!   Qonto one read at most (`sync::refresh_if_stale`).
//!
//! Over the limit: `429 rate_limited` with `Retry-After`.
//!
//! When the limiter itself fails (its binding missing from the deploy, or
//! the call erroring), the request goes through and the failure is logged
//! as a warning: the limits guard the shop's quota, while failing closed
//! would stop every sale and every payment confirmation for as long as the
//! limiter is down. The single-flight refresh and Qonto's own rate limit
//! still bound what a flood can cost meanwhile.

use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::log;
use serde_json::json;
use worker::Request;

/// The binding limiting checkout creations.
pub(crate) const CHECKOUT_LIMITER: &str = "CHECKOUT_LIMITER";
/// The binding limiting status polls.
pub(crate) const STATUS_LIMITER: &str = "STATUS_LIMITER";
/// The `Retry-After` of a refusal: the limiters count per minute.
const RETRY_AFTER_SECS: u32 = 60;

/// Counts this request against `binding`'s limit for its client; `Err(RateLimited)`
/// over it, `Ok` when the limiter cannot be used (logged, see the module doc).
pub(crate) async fn check(req: &Request, cx: &Cx, binding: &str) -> EdgeResult<()> {
    let key = http::client_key(req);
    let limiter = match cx.env.rate_limiter(binding) {
        Ok(limiter) => limiter,
        Err(_) => {
            log::warn(
                &cx.request_id,
                "rate limiter binding missing; requests are not limited",
                json!({"binding": binding}),
            );
            return Ok(());
        }
    };
    match limiter.limit(key).await {
        Ok(outcome) if !outcome.success => Err(EdgeError::RateLimited {
            retry_after_secs: RETRY_AFTER_SECS,
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            log::warn(
                &cx.request_id,
                "rate limiter failed; this request is not limited",
                json!({"binding": binding, "detail": e.to_string()}),
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_limiter_is_bound_in_wrangler_toml() {
        let toml = include_str!("../../../wrangler.toml");
        for binding in [
            super::CHECKOUT_LIMITER,
            super::STATUS_LIMITER,
            crate::discounts::DISCOUNT_LIMITER,
        ] {
            assert!(
                toml.contains(&format!("name = \"{binding}\"")),
                "{binding} in wrangler.toml's [[ratelimits]]"
            );
        }
    }
}
