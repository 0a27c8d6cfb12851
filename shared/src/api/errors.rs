//! The error contract of the edge's API: the body every error answer has,
//! and (re-exported from [`crate::codes`]) every error code with the HTTP
//! status it comes with ([`ERROR_CODES`]).

use core::fmt;

pub use crate::codes::*;

/// Every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The content of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorDetail {
    /// Stable machine code (snake_case, one of [`ERROR_CODES`]), e.g.
    /// `unknown_sku`; the widget translates it.
    pub code: String,
    /// Human-readable explanation (English), for developers and logs.
    pub message: String,
    /// Pointer to the offending request field, e.g. `items[2].sku`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub field: Option<String>,
}

impl ErrorBody {
    /// An error with no field pointer.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                field: None,
            },
        }
    }

    /// The same error, pointing at `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> ErrorBody {
        self.error.field = Some(field.into());
        self
    }
}

impl From<ApiProblem> for ErrorBody {
    fn from(p: ApiProblem) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: p.code.to_owned(),
                message: p.message,
                field: p.field,
            },
        }
    }
}

/// One problem with a request, ready to become an [`ErrorBody`] (status 422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiProblem {
    /// Stable machine code, one of the 422 codes of [`ERROR_CODES`].
    pub code: &'static str,
    /// Human-readable explanation (English).
    pub message: String,
    /// Pointer to the field, e.g. `items[2].sku`.
    pub field: Option<String>,
}

impl ApiProblem {
    pub(crate) fn at(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiProblem {
        ApiProblem {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

impl fmt::Display for ApiProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
