//! Request plumbing shared by every handler: the per-request context, JSON
//! bodies with their size and media-type checks, CORS for the public API, and
//! the client key used for rate limiting.

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use serde::de::DeserializeOwned;
use std::rc::Rc;
use worker::{Context, Env, Headers, Request, Response};

/// Largest JSON body the public API accepts. A full basket of 100 lines with
/// a customer is under 10 KB.
pub(crate) const MAX_BODY_BYTES: usize = 32 * 1024;

/// What every handler gets besides the request. Cheap to clone, so work that
/// continues after the response (`wait_until`) can own a copy.
#[derive(Clone)]
pub(crate) struct Cx {
    pub(crate) env: Env,
    pub(crate) ctx: Rc<Context>,
    pub(crate) config: Config,
    /// Correlates the response (`X-Request-Id`) with log lines.
    pub(crate) request_id: String,
    /// This edge's own origin, e.g. `https://pay.example.com` (for OAuth and
    /// webhook callback URLs).
    pub(crate) self_origin: String,
}

/// Reads a JSON body: 415 unless `application/json`, 413 above `limit`, 400
/// when it is not JSON or not the expected shape.
pub(crate) async fn read_json<T: DeserializeOwned>(
    req: &mut Request,
    limit: usize,
) -> EdgeResult<T> {
    let content_type = req
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(EdgeError::UnsupportedMediaType);
    }
    let bytes = read_body(req, limit).await?;
    parse_json(&bytes)
}

/// Reads the raw body, refusing more than `limit` bytes. A declared
/// `Content-Length` above the limit is refused before reading; a chunked body
/// (no length) is read chunk by chunk and refused as soon as it passes the
/// limit, so an endless upload costs at most `limit` bytes of memory.
pub(crate) async fn read_body(req: &mut Request, limit: usize) -> EdgeResult<Vec<u8>> {
    use futures_util::StreamExt;
    if let Some(len) = req.headers().get("content-length").ok().flatten() {
        if declared_too_large(&len, limit) {
            return Err(EdgeError::PayloadTooLarge { limit });
        }
    }
    let unreadable =
        || EdgeError::bad_request("invalid_body", "The request body could not be read.", None);
    // A request without a body (GET) has no stream.
    let mut stream = match req.stream() {
        Ok(stream) => stream,
        Err(_) => return Ok(Vec::new()),
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if exceeds(bytes.len(), chunk.len(), limit) {
            return Err(EdgeError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Whether a `Content-Length` value announces more than `limit` bytes (an
/// unreadable value is left to the streaming check).
fn declared_too_large(len: &str, limit: usize) -> bool {
    len.trim().parse::<u64>().is_ok_and(|n| n > limit as u64)
}

/// Whether adding a chunk of `chunk` bytes to `read` bytes passes `limit`.
fn exceeds(read: usize, chunk: usize, limit: usize) -> bool {
    read.saturating_add(chunk) > limit
}

/// Parses JSON, telling a syntax error (`invalid_json`) from a shape error
/// (`invalid_request`, with the path serde reports).
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> EdgeResult<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                EdgeError::bad_request("invalid_json", "The request body is not valid JSON.", None)
            }
            Category::Data => EdgeError::bad_request(
                "invalid_request",
                format!("The request body does not have the expected shape: {e}"),
                None,
            ),
        }
    })
}

/// The `Origin` of a browser request, if any. `Origin: null` (a sandboxed
/// iframe, a `file:` page, some redirects) is kept: it is a browser request
/// from an origin nobody can allow, so it is refused like any foreign one.
pub(crate) fn origin(req: &Request) -> Option<String> {
    req.headers()
        .get("origin")
        .ok()
        .flatten()
        .filter(|o| !o.is_empty())
}

/// Refuses browser requests from origins not in `ALLOWED_ORIGINS`. Requests
/// without `Origin` (servers, curl) are not browser cross-origin requests and
/// pass: the API is public by design, prices come from the catalog.
pub(crate) fn check_origin(req: &Request, config: &Config, self_origin: &str) -> EdgeResult<()> {
    match origin(req) {
        Some(o) if o != self_origin && !config.origin_allowed(&o) => {
            Err(EdgeError::OriginNotAllowed)
        }
        _ => Ok(()),
    }
}

/// Adds CORS headers to a public API response for an allowed origin.
///
/// `Vary: Origin` is on every public answer, allowed origin or not: a shared
/// cache must never serve one origin's answer (with or without the CORS
/// header) to another.
pub(crate) fn with_cors(resp: Response, req_origin: Option<&str>, config: &Config) -> Response {
    let mut resp = mutable(resp);
    let h = resp.headers_mut();
    if let Some(o) = req_origin.filter(|o| config.origin_allowed(o)) {
        let _ = h.set("access-control-allow-origin", o);
        let _ = h.set("access-control-expose-headers", "retry-after, x-request-id");
    }
    let _ = h.append("vary", "Origin");
    resp
}

/// The answer to a CORS preflight of the public API.
pub(crate) fn preflight(req: &Request, config: &Config) -> Response {
    let mut resp = Response::builder().with_status(204).empty();
    let _ = resp.headers_mut().set("vary", "Origin");
    if let Some(o) = origin(req).filter(|o| config.origin_allowed(o)) {
        let h = resp.headers_mut();
        let _ = h.set("access-control-allow-origin", &o);
        let _ = h.set("access-control-allow-methods", "GET, POST, OPTIONS");
        let _ = h.set(
            "access-control-allow-headers",
            "content-type, idempotency-key",
        );
        let _ = h.set("access-control-max-age", "600");
    }
    resp
}

/// Responses built from fetched or asset responses have immutable headers;
/// copy them so they can be changed.
fn mutable(resp: Response) -> Response {
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        let _ = headers.append(&k, &v);
    }
    resp.with_headers(headers)
}

/// The key rate limits count per client.
///
/// Only `CF-Connecting-IP` is read: Cloudflare sets it on every request and
/// overwrites a client-sent one, whereas `X-Forwarded-For` is whatever the
/// client wrote (trusting it would give every request a fresh bucket). An
/// IPv6 client is counted by its /64, the block one subscriber usually gets,
/// so cycling through addresses of one's own block gains nothing. Requests
/// without the header (only possible outside Cloudflare) share one bucket.
pub(crate) fn client_key(req: &Request) -> String {
    rate_key(
        req.headers()
            .get("cf-connecting-ip")
            .ok()
            .flatten()
            .as_deref(),
    )
}

/// [`client_key`] for a `CF-Connecting-IP` value (pure, host-tested).
pub(crate) fn rate_key(connecting_ip: Option<&str>) -> String {
    let Some(ip) = connecting_ip.map(str::trim).filter(|ip| !ip.is_empty()) else {
        return "unknown".to_owned();
    };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        // Not an address: counted as itself (bounded, so it cannot grow a
        // key space without limit).
        Err(_) => ip.chars().take(64).collect(),
    }
}

/// A request id: Cloudflare's ray id when present, else random.
pub(crate) fn request_id(req: &Request) -> String {
    if let Some(ray) = req
        .headers()
        .get("cf-ray")
        .ok()
        .flatten()
        .filter(|r| !r.is_empty())
    {
        return ray;
    }
    crate::ids::random_hex(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_keys_group_ipv6_by_64_and_ignore_nothing_else() {
        let cases: &[(Option<&str>, &str)] = &[
            (Some("203.0.113.7"), "203.0.113.7"),
            (Some(" 203.0.113.7 "), "203.0.113.7"),
            (Some("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64"),
            (
                Some("2001:db8:1:2:ffff:ffff:ffff:ffff"),
                "2001:db8:1:2::/64",
            ),
            (Some("2001:0db8:0001:0003::1"), "2001:db8:1:3::/64"),
            (Some("::ffff:198.51.100.4"), "198.51.100.4"),
            (Some("::1"), "0:0:0:0::/64"),
            (Some(""), "unknown"),
            (None, "unknown"),
            (Some("not-an-ip"), "not-an-ip"),
        ];
        for (input, expected) in cases {
            assert_eq!(rate_key(*input), *expected, "{input:?}");
        }
        assert_eq!(rate_key(Some(&"x".repeat(500))).len(), 64);
    }

    #[test]
    fn body_limits_hold_for_declared_and_streamed_lengths() {
        assert!(declared_too_large("32769", 32 * 1024));
        assert!(!declared_too_large("32768", 32 * 1024));
        assert!(!declared_too_large(" 10 ", 32 * 1024));
        // Too big to parse: left to the streaming check, which stops at the limit.
        assert!(!declared_too_large("99999999999999999999", 10));
        assert!(!declared_too_large("abc", 10));
        assert!(exceeds(30, 3, 32));
        assert!(!exceeds(30, 2, 32));
        assert!(exceeds(usize::MAX, 1, 32));
    }
}
