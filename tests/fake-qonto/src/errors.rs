//! Responses in Qonto's shapes: JSON bodies and JSON:API errors
//! (`{"errors":[{code, detail, source}], "trace_id"}`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::qonto::{ApiError, ErrorResponse, ErrorSource};

/// A JSON response.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw_json(status, bytes),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A JSON response from already serialized bytes.
pub(crate) fn raw_json(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// A fresh trace id, as Qonto puts in every error.
pub(crate) fn trace_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A JSON:API error body with the given errors.
pub(crate) fn errors(status: StatusCode, errors: Vec<ApiError>) -> Response {
    json(
        status,
        &ErrorResponse {
            errors,
            trace_id: Some(trace_id()),
        },
    )
}

/// An error with code and detail only (Qonto's 401/403 shape).
pub(crate) fn plain(code: &str, detail: impl Into<String>) -> ApiError {
    ApiError {
        code: Some(code.to_owned()),
        detail: Some(detail.into()),
        source: None,
    }
}

/// An error about a request-body property (Qonto's 400 shape).
pub(crate) fn at_pointer(
    code: &str,
    detail: impl Into<String>,
    pointer: impl Into<String>,
) -> ApiError {
    ApiError {
        code: Some(code.to_owned()),
        detail: Some(detail.into()),
        source: Some(ErrorSource {
            pointer: Some(pointer.into()),
            parameter: None,
        }),
    }
}

/// An error about a query or path parameter (Qonto's 404 shape).
pub(crate) fn at_parameter(
    code: &str,
    detail: impl Into<String>,
    parameter: impl Into<String>,
) -> ApiError {
    ApiError {
        code: Some(code.to_owned()),
        detail: Some(detail.into()),
        source: Some(ErrorSource {
            pointer: None,
            parameter: Some(parameter.into()),
        }),
    }
}

/// 404 for an unknown id in the path.
pub(crate) fn not_found(what: &str, parameter: &str) -> Response {
    errors(
        StatusCode::NOT_FOUND,
        vec![at_parameter(
            "not_found",
            format!("{what} not found"),
            parameter,
        )],
    )
}

/// An HTML page.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

pub(crate) use shared::html::escape as esc;
