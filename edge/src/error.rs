//! The edge's one error type and the one place it becomes an HTTP response.
//!
//! Handlers return `EdgeError`; `into_response` chooses the status and the
//! public `{"error": {code, message, field}}` body. Internal details are logged
//! here, out of band, and never returned.

use worker::{console_error, Response};

/// Everything that can go wrong while answering a request.
#[derive(Debug)]
#[non_exhaustive]
pub(crate) enum EdgeError {
    /// A platform call failed (binding missing, D1 or Durable Object error).
    /// Usually transient: retrying the same request later is safe.
    Platform(String),
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        // worker::Error's Display is safe; D1Error's own Display is not (it can
        // throw), so never format the inner D1 error directly.
        EdgeError::Platform(e.to_string())
    }
}

impl EdgeError {
    /// The HTTP answer for this error, with internals logged but not returned.
    pub(crate) fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            EdgeError::Platform(detail) => {
                console_error!("{{\"level\":\"error\",\"kind\":\"platform\",\"detail\":{detail:?}}}");
                (503, "service_unavailable", "The service is temporarily unavailable; retrying is safe.")
            }
        };
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        json_response(&body, status)
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
