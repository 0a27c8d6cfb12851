//! The edge's one error type and the one place it becomes an HTTP response.
//!
//! Handlers return [`EdgeError`]; [`EdgeError::into_response`] picks the
//! status (the variant's, which is also its code's in `shared::api::errors`),
//! the public body `{"error": {"code", "message", "field"?}}` and
//! `Retry-After`, and logs the internal detail (Qonto trace ids, platform
//! errors) under the request id. Internals never reach the response.

use crate::log;
use serde_json::json;
use shared::api::errors;
use shared::api::ApiProblem;
use worker::Response;

/// Everything that can go wrong while answering a request. Each variant says
/// when it happens and whether the client may retry.
#[derive(Debug)]
#[non_exhaustive]
pub(crate) enum EdgeError {
    /// 400: the body is not JSON, or not the documented shape. Retrying the
    /// same request fails again.
    BadRequest {
        /// Stable code (`invalid_json`, `invalid_request`, ...).
        code: &'static str,
        /// What is wrong.
        message: String,
        /// Pointer to the field, when one is to blame.
        field: Option<String>,
    },
    /// 401: an admin endpoint without the right `ADMIN_TOKEN`.
    Unauthorized,
    /// 401: a webhook whose signature is missing, stale or wrong. Not
    /// processed; Qonto retries genuine deliveries.
    InvalidSignature,
    /// 403: a browser request from an origin not in `ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// 403: a state-changing admin request sent by a page of another origin
    /// (another port, a sibling subdomain) or marked cross-site by the
    /// browser (`Sec-Fetch-Site`). Retrying from there fails again.
    CrossSiteRequest,
    /// 404: no such route, or a resource this edge does not know.
    NotFound(&'static str),
    /// 405: the route exists with other methods; `allow` lists them for the
    /// `Allow` header (RFC 9110 requires it on a 405).
    MethodNotAllowed {
        /// e.g. `GET, OPTIONS`.
        allow: String,
    },
    /// 409: a conflict with an earlier request (`idempotency_key_reused`: the
    /// key was used with another body; `checkout_in_progress`: a request with
    /// the same key is still being processed, retry shortly).
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        message: String,
    },
    /// 409 `sold_out`: a basket asks more of a tracked SKU than is left;
    /// nothing was reserved. Retrying with a smaller quantity, or once stock
    /// is released or restocked, may succeed.
    SoldOut {
        /// `Only 2 of Mug left`.
        message: String,
        /// The first short line's pointer, `items[1].sku`.
        field: String,
    },
    /// 413: the body is larger than `limit` bytes.
    PayloadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: valid JSON, but the order (or invoice) cannot be accepted; every
    /// problem is listed, the first one is the headline.
    Invalid(Vec<ApiProblem>),
    /// 429: too many requests from this client; retry after the delay.
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u32,
    },
    /// 502: Qonto refused the request (a 4xx other than 429). Retrying the
    /// same request will not help; the detail is logged, not returned.
    QontoRejected {
        /// Qonto's HTTP status.
        status: u16,
        /// Qonto's error code, detail and trace id, for the log.
        detail: String,
    },
    /// 502: Qonto computed another amount for the link than the edge (what
    /// the shopper saw). The link was deactivated and its URL never handed
    /// out; retrying gives the same answer until the merchant fixes the
    /// configuration (`VAT_RATE_FORMAT`, rounding).
    AmountMismatch {
        /// The gross the edge computed, e.g. `12.00 EUR`.
        expected: String,
        /// Qonto's amount, e.g. `10.02 EUR`.
        qonto: String,
    },
    /// 503: Qonto is unavailable (5xx, 429, network failure). Retrying later
    /// is safe: creation requests carry an idempotency key.
    QontoUnavailable {
        /// For the log.
        detail: String,
        /// Seconds to wait, when known.
        retry_after_secs: Option<u32>,
    },
    /// 504: Qonto did not answer in time. Retrying with the same
    /// `Idempotency-Key` is safe.
    QontoTimeout {
        /// Which call.
        call: &'static str,
    },
    /// 503: the edge is not (or no longer) authorized at Qonto; the merchant
    /// must connect it at `/admin`. Shoppers cannot fix this by retrying.
    NotAuthorized {
        /// Why (no tokens yet, refresh token revoked...), for the log.
        reason: String,
    },
    /// 503: the edge's configuration is incomplete or wrong (see
    /// `/admin/status` and the log).
    Misconfigured(Vec<String>),
    /// 503: the right `ADMIN_TOKEN` was presented, but it is shorter than
    /// the 32 characters the admin needs, so the admin stays closed until
    /// the merchant sets a longer one. Said only to whoever knows the token.
    AdminTokenTooShort,
    /// 503: payments are paused because Qonto revoked the payment-link
    /// connection (`connection_revoked`, or a 401/403 saying so). Shoppers
    /// cannot fix it by retrying; the merchant reconnects at `/admin`.
    PaymentsPaused {
        /// What said so, for the log.
        reason: String,
    },
    /// 503: a platform call failed (D1, Durable Object). Usually transient;
    /// retrying is safe.
    Platform(String),
    /// 500: a bug. Logged with detail; the client sees a generic message.
    Internal(String),
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        // worker::Error's Display is safe to call; a D1Error's own Display can
        // throw (workers-rs bug), so never format the inner D1 error directly.
        EdgeError::Platform(e.to_string())
    }
}

impl EdgeError {
    /// Convenience for a 400 with a field.
    pub(crate) fn bad_request(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        EdgeError::BadRequest {
            code,
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    /// Convenience for a single 422 problem.
    pub(crate) fn invalid(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        EdgeError::Invalid(vec![ApiProblem {
            code,
            message: message.into(),
            field: field.map(str::to_owned),
        }])
    }

    /// The HTTP status this error answers with: its variant's. Every code
    /// the edge sends is in the API's one list of codes (`shared::codes`,
    /// which the widget and the OpenAPI document read) with this same
    /// status; the tests below check both.
    pub(crate) fn status(&self) -> u16 {
        // By variant, not by looking the code up: a code missing from the
        // shared list must never turn into a 500.
        match self {
            EdgeError::BadRequest { .. } => 400,
            EdgeError::Unauthorized | EdgeError::InvalidSignature => 401,
            EdgeError::OriginNotAllowed | EdgeError::CrossSiteRequest => 403,
            EdgeError::NotFound(_) => 404,
            EdgeError::MethodNotAllowed { .. } => 405,
            EdgeError::Conflict { .. } | EdgeError::SoldOut { .. } => 409,
            EdgeError::PayloadTooLarge { .. } => 413,
            EdgeError::UnsupportedMediaType => 415,
            EdgeError::Invalid(_) => 422,
            EdgeError::RateLimited { .. } => 429,
            EdgeError::QontoRejected { .. } | EdgeError::AmountMismatch { .. } => 502,
            EdgeError::QontoUnavailable { .. }
            | EdgeError::NotAuthorized { .. }
            | EdgeError::Misconfigured(_)
            | EdgeError::AdminTokenTooShort
            | EdgeError::PaymentsPaused { .. }
            | EdgeError::Platform(_) => 503,
            EdgeError::QontoTimeout { .. } => 504,
            EdgeError::Internal(_) => 500,
        }
    }

    /// The public code, message and field, with nothing internal in them.
    fn public(&self) -> (&'static str, String, Option<String>) {
        match self {
            EdgeError::BadRequest { code, message, field } => (code, message.clone(), field.clone()),
            EdgeError::Unauthorized => (errors::UNAUTHORIZED, "A valid admin token is required.".into(), None),
            EdgeError::InvalidSignature => (
                errors::INVALID_SIGNATURE,
                "The webhook signature is missing, stale or wrong.".into(),
                None,
            ),
            EdgeError::OriginNotAllowed => (
                errors::ORIGIN_NOT_ALLOWED,
                "This website is not allowed to use this checkout (ALLOWED_ORIGINS).".into(),
                None,
            ),
            EdgeError::CrossSiteRequest => (
                errors::CROSS_SITE_REQUEST,
                "Admin changes are accepted only from the admin page of this edge, not from another site or origin.".into(),
                None,
            ),
            EdgeError::NotFound(what) => (errors::NOT_FOUND, format!("No such {what}."), None),
            EdgeError::MethodNotAllowed { .. } => (errors::METHOD_NOT_ALLOWED, "This method is not allowed here.".into(), None),
            EdgeError::Conflict { code, message } => (code, message.clone(), None),
            EdgeError::SoldOut { message, field } => {
                (errors::SOLD_OUT, message.clone(), Some(field.clone()))
            }
            EdgeError::PayloadTooLarge { limit } => {
                (errors::PAYLOAD_TOO_LARGE, format!("The request body is larger than {limit} bytes."), None)
            }
            EdgeError::UnsupportedMediaType => (
                errors::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON with Content-Type: application/json.".into(),
                None,
            ),
            EdgeError::Invalid(problems) => match problems.first() {
                Some(p) => (p.code, p.message.clone(), p.field.clone()),
                None => (errors::INVALID_REQUEST, "The request is invalid.".into(), None),
            },
            EdgeError::RateLimited { retry_after_secs } => (
                errors::RATE_LIMITED,
                format!("Too many requests; try again in {retry_after_secs} seconds."),
                None,
            ),
            EdgeError::QontoRejected { .. } => (
                errors::PAYMENT_PROVIDER_REJECTED,
                "The payment provider refused this request; retrying it will not help.".into(),
                None,
            ),
            EdgeError::AmountMismatch { expected, qonto } => (
                errors::AMOUNT_MISMATCH,
                format!(
                    "The payment provider computed {qonto} for this order, not {expected} as shown; \
                     the payment link was deactivated and nothing was charged. Merchant: check \
                     VAT_RATE_FORMAT (fraction or percent) and how Qonto rounds VAT."
                ),
                None,
            ),
            EdgeError::QontoUnavailable { .. } => (
                errors::PAYMENT_PROVIDER_UNAVAILABLE,
                "The payment service is busy or unavailable; retrying in a minute is safe.".into(),
                None,
            ),
            EdgeError::QontoTimeout { .. } => (
                errors::PAYMENT_PROVIDER_TIMEOUT,
                "The payment service did not answer in time; retrying with the same Idempotency-Key is safe.".into(),
                None,
            ),
            EdgeError::NotAuthorized { .. } => (
                errors::NOT_CONNECTED,
                "This shop is not connected to Qonto yet; the merchant must connect it at /admin.".into(),
                None,
            ),
            EdgeError::Misconfigured(_) => (
                errors::MISCONFIGURED,
                "This checkout is not configured correctly; the merchant can see why at /admin.".into(),
                None,
            ),
            EdgeError::AdminTokenTooShort => (
                errors::ADMIN_TOKEN_TOO_SHORT,
                "ADMIN_TOKEN is shorter than 32 characters, so the admin stays closed: set a long random one \
                 (openssl rand -hex 32, then wrangler secret put ADMIN_TOKEN)."
                    .into(),
                None,
            ),
            EdgeError::PaymentsPaused { .. } => (
                errors::PAYMENTS_PAUSED,
                "Payments are paused: the shop's Qonto connection was revoked; the merchant must reconnect it at /admin.".into(),
                None,
            ),
            EdgeError::Platform(_) => (
                errors::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable; retrying is safe.".into(),
                None,
            ),
            EdgeError::Internal(_) => (errors::INTERNAL_ERROR, "Something went wrong on our side.".into(), None),
        }
    }

    fn retry_after(&self) -> Option<u32> {
        match self {
            EdgeError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            EdgeError::QontoUnavailable {
                retry_after_secs, ..
            } => Some(retry_after_secs.unwrap_or(30)),
            EdgeError::Platform(_) => Some(5),
            _ => None,
        }
    }

    /// Logs what is internal and turns the error into the public response.
    pub(crate) fn into_response(self, request_id: &str) -> Response {
        let status = self.status();
        match &self {
            EdgeError::QontoRejected { status: s, detail } => log::error(
                request_id,
                "qonto rejected a request",
                json!({"qonto_status": s, "detail": detail}),
            ),
            EdgeError::QontoUnavailable { detail, .. } => {
                log::warn(request_id, "qonto unavailable", json!({"detail": detail}))
            }
            EdgeError::AmountMismatch { expected, qonto } => log::error(
                request_id,
                "qonto's amount differs from the edge's: link deactivated",
                json!({"expected": expected, "qonto": qonto}),
            ),
            EdgeError::QontoTimeout { call } => {
                log::warn(request_id, "qonto timed out", json!({"call": call}))
            }
            EdgeError::NotAuthorized { reason } => log::warn(
                request_id,
                "not authorized at qonto",
                json!({"reason": reason}),
            ),
            EdgeError::Misconfigured(problems) => {
                log::error(request_id, "misconfigured", json!({"problems": problems}))
            }
            EdgeError::AdminTokenTooShort => log::error(
                request_id,
                "admin closed: ADMIN_TOKEN is shorter than 32 characters",
                json!({}),
            ),
            EdgeError::PaymentsPaused { reason } => {
                log::warn(request_id, "payments paused", json!({"reason": reason}))
            }
            EdgeError::Platform(detail) => {
                log::error(request_id, "platform error", json!({"detail": detail}))
            }
            EdgeError::Internal(detail) => {
                log::error(request_id, "internal error", json!({"detail": detail}))
            }
            _ => {}
        }
        let (code, message, field) = self.public();
        let mut error = json!({"code": code, "message": message});
        if let Some(f) = field {
            error["field"] = json!(f);
        }
        if let EdgeError::Invalid(problems) = &self {
            if problems.len() > 1 {
                error["problems"] = problems
                    .iter()
                    .map(|p| json!({"code": p.code, "message": p.message, "field": p.field}))
                    .collect();
            }
        }
        let mut resp = json_response(&json!({ "error": error }), status);
        if let Some(secs) = self.retry_after() {
            let _ = resp.headers_mut().set("retry-after", &secs.to_string());
        }
        if let EdgeError::MethodNotAllowed { allow } = &self {
            let _ = resp.headers_mut().set("allow", allow);
        }
        resp
    }
}

/// A JSON response with the given status.
pub(crate) fn json_response<T: serde::Serialize>(body: &T, status: u16) -> Response {
    // Our own types always serialise; the fallback only keeps this infallible.
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let builder = Response::builder().with_status(status);
    match builder.with_header("content-type", "application/json") {
        Ok(b) => b.fixed(bytes),
        Err(_) => Response::builder().with_status(status).fixed(bytes),
    }
}

/// The result type of every handler.
pub(crate) type EdgeResult<T> = Result<T, EdgeError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each variant's status, written out, is also the one the shared code
    /// list gives its code (the widget and the OpenAPI document read that
    /// list).
    #[test]
    fn statuses_agree_with_the_shared_code_list() {
        let table: Vec<(EdgeError, u16)> = vec![
            (EdgeError::bad_request("invalid_json", "x", None), 400),
            (EdgeError::Unauthorized, 401),
            (EdgeError::InvalidSignature, 401),
            (EdgeError::OriginNotAllowed, 403),
            (EdgeError::CrossSiteRequest, 403),
            (EdgeError::AdminTokenTooShort, 503),
            (EdgeError::NotFound("checkout"), 404),
            (
                EdgeError::MethodNotAllowed {
                    allow: "GET".into(),
                },
                405,
            ),
            (
                EdgeError::Conflict {
                    code: "checkout_in_progress",
                    message: "x".into(),
                },
                409,
            ),
            (
                EdgeError::SoldOut {
                    message: "x".into(),
                    field: "items[0].sku".into(),
                },
                409,
            ),
            (EdgeError::PayloadTooLarge { limit: 1 }, 413),
            (EdgeError::UnsupportedMediaType, 415),
            (
                EdgeError::invalid("unknown_sku", "x", Some("items[0].sku")),
                422,
            ),
            (
                EdgeError::RateLimited {
                    retry_after_secs: 1,
                },
                429,
            ),
            (EdgeError::Internal("x".into()), 500),
            (
                EdgeError::QontoRejected {
                    status: 400,
                    detail: "x".into(),
                },
                502,
            ),
            (
                EdgeError::QontoUnavailable {
                    detail: "x".into(),
                    retry_after_secs: None,
                },
                503,
            ),
            (EdgeError::NotAuthorized { reason: "x".into() }, 503),
            (EdgeError::Misconfigured(vec![]), 503),
            (EdgeError::Platform("x".into()), 503),
            (EdgeError::QontoTimeout { call: "x" }, 504),
            (
                EdgeError::AmountMismatch {
                    expected: "1.00 EUR".into(),
                    qonto: "1.01 EUR".into(),
                },
                502,
            ),
            (EdgeError::PaymentsPaused { reason: "x".into() }, 503),
        ];
        for (error, status) in table {
            assert_eq!(error.status(), status, "{error:?}");
            let code = error.public().0;
            assert_eq!(
                errors::status_of(code),
                Some(status),
                "{code} in the shared list"
            );
        }
    }

    /// The string literal right after `pattern` (past spaces and, for
    /// struct literals, `code:`), if that is what follows.
    fn literal_after<'s>(text: &'s str, pattern: &str) -> Vec<&'s str> {
        text.match_indices(pattern)
            .filter_map(|(at, _)| {
                let rest = text[at + pattern.len()..].trim_start();
                let rest = rest.strip_prefix("code:").unwrap_or(rest).trim_start();
                let rest = rest.strip_prefix('"')?;
                let code = &rest[..rest.find('"')?];
                let snake =
                    !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                snake.then_some(code)
            })
            .collect()
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("edge/src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                // Code only: comments may quote a call as an example.
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.push((path.display().to_string(), code.join("\n")));
            }
        }
    }

    /// The variants whose code is the caller's: every code the edge's
    /// sources give them is in the shared list with the variant's status
    /// (an `invalid("invalid_query")` would answer 422 where the list, the
    /// widget and the OpenAPI document say 400).
    #[test]
    fn every_code_the_edge_sends_is_listed_with_its_variants_status() {
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut checked = 0;
        for (file, text) in &files {
            for (pattern, status) in [
                ("bad_request(", 400),
                ("Conflict {", 409),
                ("invalid(", 422),
                ("ApiProblem {", 422),
            ] {
                for code in literal_after(text, pattern) {
                    assert_eq!(
                        errors::status_of(code),
                        Some(status),
                        "{file}: {pattern}\"{code}\" is not listed in shared::codes with {status}"
                    );
                    checked += 1;
                }
            }
        }
        // The scan finds the edge's codes (it would pass vacuously if the
        // way errors are written changed).
        assert!(checked >= 20, "only {checked} codes found");
    }
}
