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

/// Reads the raw body, refusing more than `limit` bytes.
pub(crate) async fn read_body(req: &mut Request, limit: usize) -> EdgeResult<Vec<u8>> {
    if let Some(len) = req.headers().get("content-length").ok().flatten() {
        if len
            .trim()
            .parse::<usize>()
            .map(|n| n > limit)
            .unwrap_or(false)
        {
            return Err(EdgeError::PayloadTooLarge { limit });
        }
    }
    let bytes = req.bytes().await.map_err(|_| {
        EdgeError::bad_request("invalid_body", "The request body could not be read.", None)
    })?;
    if bytes.len() > limit {
        return Err(EdgeError::PayloadTooLarge { limit });
    }
    Ok(bytes)
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

/// The `Origin` of a browser request, if any.
pub(crate) fn origin(req: &Request) -> Option<String> {
    req.headers()
        .get("origin")
        .ok()
        .flatten()
        .filter(|o| !o.is_empty() && o != "null")
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
pub(crate) fn with_cors(mut resp: Response, req_origin: Option<&str>, config: &Config) -> Response {
    if let Some(o) = req_origin.filter(|o| config.origin_allowed(o)) {
        resp = mutable(resp);
        let h = resp.headers_mut();
        let _ = h.set("access-control-allow-origin", o);
        let _ = h.set("access-control-expose-headers", "retry-after, x-request-id");
        let _ = h.append("vary", "Origin");
    }
    resp
}

/// The answer to a CORS preflight of the public API.
pub(crate) fn preflight(req: &Request, config: &Config) -> Response {
    let mut resp = Response::builder().with_status(204).empty();
    if let Some(o) = origin(req).filter(|o| config.origin_allowed(o)) {
        let h = resp.headers_mut();
        let _ = h.set("access-control-allow-origin", &o);
        let _ = h.set("access-control-allow-methods", "GET, POST, OPTIONS");
        let _ = h.set(
            "access-control-allow-headers",
            "content-type, idempotency-key",
        );
        let _ = h.set("access-control-max-age", "600");
        let _ = h.set("vary", "Origin");
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

/// The key rate limits count per client: the connecting IP as Cloudflare
/// reports it.
pub(crate) fn client_key(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .or_else(|| req.headers().get("x-forwarded-for").ok().flatten())
        .unwrap_or_else(|| "unknown".to_owned())
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
