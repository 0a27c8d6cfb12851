//! Qonto's JSON:API error body.

#[allow(unused_imports)]
use super::*;

/// Where an error points: a body property (`pointer`) or a query/path
/// parameter (`parameter`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorSource {
    /// JSON pointer into the request body, e.g. `/payment_link/items/0/vat_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Query or path parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// One JSON:API error object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable code, e.g. `not_in_list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

/// A Qonto error body: `{"errors": [...], "trace_id": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The errors (at least one in practice).
    #[serde(default)]
    pub errors: Vec<ApiError>,
    /// Qonto's trace id, for support tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

impl ErrorResponse {
    /// The first error's detail (or code), for logs.
    pub fn first_message(&self) -> Option<&str> {
        let first = self.errors.first()?;
        first.detail.as_deref().or(first.code.as_deref())
    }

    /// Whether this is the "use OAuth" refusal an API key gets on
    /// payment-link endpoints.
    pub fn is_oauth_required(&self) -> bool {
        self.errors.iter().any(|e| {
            e.detail.as_deref().is_some_and(|d| {
                d.to_ascii_lowercase()
                    .contains("oauth2 authentication is required")
            })
        })
    }

    /// Whether an error says a scope is missing (a 403 from Qonto).
    pub fn is_missing_scope(&self) -> bool {
        self.errors.iter().any(|e| {
            e.detail.as_deref().is_some_and(|d| {
                d.to_ascii_lowercase()
                    .contains("missing required oauth scope")
            })
        })
    }
}
