//! How the Qonto client reads an answer and what it does next, as pure
//! functions (host-tested with the client in `super`): the verdict on a
//! status and body (`classify`), Qonto's error bodies in one line, the
//! sandbox's HTML gate, a revoked connection, the retry policy
//! (`next_step`), and the query strings and path segments it sends.

use super::{
    LinkQuery, Safety, DEFAULT_RATE_LIMIT_WAIT, MAX_RATE_LIMIT_RETRIES, MAX_READ_RETRIES,
    MAX_TOTAL_WAIT,
};
use crate::error::{EdgeError, EdgeResult};
use shared::qonto::parse_error;
use std::time::Duration;

/// What an answer means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// 2xx: parse the body.
    Success,
    /// 2xx whose body is not the expected JSON.
    Malformed(String),
    /// 401: the token was refused.
    Unauthorized(String),
    /// 404.
    NotFound(String),
    /// 429.
    RateLimited {
        retry_after_secs: Option<u32>,
        detail: String,
    },
    /// 5xx, network failure, or an unexpected status.
    Unavailable {
        detail: String,
        retry_after_secs: Option<u32>,
    },
    /// Any other 4xx: retrying will not help.
    Rejected { status: u16, detail: String },
}

impl Verdict {
    /// A short reason for logs.
    pub(super) fn summary(&self) -> String {
        match self {
            Verdict::Success => "success".into(),
            Verdict::Malformed(e) => format!("malformed JSON: {e}"),
            Verdict::Unauthorized(d) => format!("401: {d}"),
            Verdict::NotFound(d) => format!("404: {d}"),
            Verdict::RateLimited {
                retry_after_secs,
                detail,
            } => {
                format!("429 (retry after {retry_after_secs:?} s): {detail}")
            }
            Verdict::Unavailable { detail, .. } => detail.clone(),
            Verdict::Rejected { status, detail } => format!("{status}: {detail}"),
        }
    }

    /// The error a caller gets when no retry is left.
    pub(super) fn into_error(self, what: &'static str) -> EdgeError {
        match self {
            // Unreachable in practice (success returns earlier); an answer
            // we could not use is "unavailable", never a 500.
            Verdict::Success => EdgeError::QontoUnavailable {
                detail: "unexpected success".into(),
                retry_after_secs: None,
            },
            Verdict::Malformed(e) => EdgeError::QontoUnavailable {
                detail: format!("Qonto answered with malformed JSON: {e}"),
                retry_after_secs: None,
            },
            Verdict::Unauthorized(detail) => EdgeError::NotAuthorized {
                reason: format!("Qonto refused a freshly issued access token: {detail}"),
            },
            Verdict::NotFound(_) => EdgeError::NotFound(what),
            Verdict::RateLimited {
                retry_after_secs,
                detail,
            } => EdgeError::QontoUnavailable {
                detail: format!("rate limited by Qonto: {detail}"),
                retry_after_secs,
            },
            Verdict::Unavailable {
                detail,
                retry_after_secs,
            } => EdgeError::QontoUnavailable {
                detail,
                retry_after_secs,
            },
            Verdict::Rejected { status, detail } => EdgeError::QontoRejected { status, detail },
        }
    }
}

/// Whether a body is an HTML page (where JSON was expected).
pub(crate) fn is_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// The sentence for an HTML answer: in the sandbox it is the sign-in gate
/// that `X-Qonto-Staging-Token` opens.
pub(crate) fn html_answer_problem(environment: crate::config::Environment, status: u16) -> String {
    match environment {
        crate::config::Environment::Sandbox => format!(
            "the sandbox staging token is missing or wrong: Qonto answered HTTP {status} with an HTML \
             sign-in page where JSON was expected; set QONTO_STAGING_TOKEN to the staging token of \
             your app in Qonto's Developer Portal"
        ),
        crate::config::Environment::Production => format!(
            "Qonto answered HTTP {status} with an HTML page where JSON was expected; check \
             QONTO_API_URL and QONTO_OAUTH_URL"
        ),
    }
}

/// A 401/403 that says the payment-link connection is revoked, as the
/// reason to pause payments.
pub(super) fn revocation(verdict: &Verdict) -> Option<String> {
    let (status, detail) = match verdict {
        Verdict::Unauthorized(d) => (401, d),
        Verdict::Rejected { status, detail } => (*status, detail),
        _ => return None,
    };
    crate::connection_state::says_revoked(status, detail).then(|| detail.clone())
}

/// Classifies an HTTP answer.
pub(super) fn classify(status: u16, retry_after: Option<&str>, body: &[u8]) -> Verdict {
    match status {
        200..=299 => Verdict::Success,
        401 => Verdict::Unauthorized(describe_error(status, body)),
        404 => Verdict::NotFound(describe_error(status, body)),
        429 => Verdict::RateLimited {
            retry_after_secs: retry_after.and_then(parse_retry_after),
            detail: describe_error(status, body),
        },
        408 | 500..=599 => Verdict::Unavailable {
            detail: describe_error(status, body),
            retry_after_secs: retry_after.and_then(parse_retry_after),
        },
        400..=499 => Verdict::Rejected {
            status,
            detail: describe_error(status, body),
        },
        _ => Verdict::Unavailable {
            detail: format!("unexpected HTTP status {status}"),
            retry_after_secs: None,
        },
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Qonto's
/// gateways as far as anyone saw; it counts as absent).
pub(super) fn parse_retry_after(value: &str) -> Option<u32> {
    value.trim().parse::<u32>().ok()
}

/// Qonto's error body as one log-friendly line: every error's code, detail
/// and source, and the trace id support asks for.
pub(crate) fn describe_error(status: u16, body: &[u8]) -> String {
    let Some(err) = parse_error(body) else {
        return format!("HTTP {status} without a JSON:API error body");
    };
    let mut parts: Vec<String> = err
        .errors
        .iter()
        .map(|e| {
            let mut s = format!("code={}", e.code.as_deref().unwrap_or("-"));
            if let Some(d) = &e.detail {
                s.push_str(&format!(" detail={d:?}"));
            }
            if let Some(src) = &e.source {
                if let Some(p) = &src.pointer {
                    s.push_str(&format!(" pointer={p}"));
                }
                if let Some(p) = &src.parameter {
                    s.push_str(&format!(" parameter={p}"));
                }
            }
            s
        })
        .collect();
    if let Some(t) = &err.trace_id {
        parts.push(format!("trace_id={t}"));
    }
    format!("HTTP {status}: {}", parts.join("; "))
}

/// Retries made so far by one call.
#[derive(Debug, Default, Clone)]
pub(super) struct RetryState {
    pub(super) retries: u32,
    pub(super) waited: Duration,
    pub(super) refreshed: bool,
}

/// What to do after an answer that is not a usable success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Get a fresh access token and send again (once per call).
    Refresh,
    /// Wait, then send again.
    Retry(Duration),
    /// Give up with the verdict's error.
    Fail,
}

/// The retry policy (module docs).
pub(super) fn next_step(verdict: &Verdict, safety: Safety, state: &RetryState) -> Step {
    let within_budget = |wait: Duration| state.waited + wait <= MAX_TOTAL_WAIT;
    match verdict {
        Verdict::Unauthorized(_) if !state.refreshed => Step::Refresh,
        Verdict::RateLimited {
            retry_after_secs, ..
        } => {
            // Qonto did not process the request: repeating is safe for any
            // method, as long as the wait stays short.
            let wait = retry_after_secs.map_or(DEFAULT_RATE_LIMIT_WAIT, |s| {
                Duration::from_secs(u64::from(s))
            });
            if state.retries < MAX_RATE_LIMIT_RETRIES && within_budget(wait) {
                Step::Retry(wait)
            } else {
                Step::Fail
            }
        }
        Verdict::Unavailable { .. } | Verdict::Malformed(_) if safety == Safety::Read => {
            let wait = Duration::from_millis(200 << state.retries.min(4));
            if state.retries < MAX_READ_RETRIES && within_budget(wait) {
                Step::Retry(wait)
            } else {
                Step::Fail
            }
        }
        _ => Step::Fail,
    }
}

/// `?page=&per_page=&status[]=…&sort_by=` (empty when nothing is set).
pub(super) fn link_query_string(q: &LinkQuery) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    if q.page > 0 {
        ser.append_pair("page", &q.page.to_string());
    }
    if q.per_page > 0 {
        ser.append_pair("per_page", &q.per_page.clamp(1, 100).to_string());
    }
    for s in &q.statuses {
        ser.append_pair("status[]", s);
    }
    if let Some(sort) = &q.sort_by {
        ser.append_pair("sort_by", sort);
    }
    let qs = ser.finish();
    if qs.is_empty() {
        qs
    } else {
        format!("?{qs}")
    }
}

/// `?page=&per_page=` (empty when both are 0).
pub(super) fn pagination(page: u32, per_page: u32) -> String {
    link_query_string(&LinkQuery {
        page,
        per_page,
        ..LinkQuery::default()
    })
}

/// An id placed in a URL path. Qonto ids are uuids; anything outside
/// `[A-Za-z0-9_-]` cannot be one, so it is "not found" without asking Qonto
/// (and can never change the path).
pub(super) fn path_segment<'s>(id: &'s str, what: &'static str) -> EdgeResult<&'s str> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(EdgeError::NotFound(what))
    }
}
