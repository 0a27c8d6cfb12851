//! What the worker and the token store send each other (JSON over the
//! object's `fetch`; the table is in the module docs of [`super`]).

use super::policy::isolate_use_until;
use super::AccessToken;
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AccessRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rejected: Option<AccessToken>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(super) enum AccessReply {
    Token {
        access_token: AccessToken,
        issued_at_ms: f64,
        expires_at_ms: f64,
    },
    NotConnected,
    ReauthorizationNeeded {
        reason: String,
    },
    Unavailable {
        detail: String,
        retry_after_secs: Option<u32>,
    },
    Timeout,
    Rejected {
        status: u16,
        detail: String,
    },
}

impl AccessReply {
    /// The token and until when an isolate may reuse it, or the error a
    /// Qonto call fails with.
    pub(super) fn into_result(self) -> EdgeResult<(AccessToken, f64)> {
        match self {
            AccessReply::Token {
                access_token,
                issued_at_ms,
                expires_at_ms,
            } => Ok((access_token, isolate_use_until(issued_at_ms, expires_at_ms))),
            AccessReply::NotConnected => Err(EdgeError::NotAuthorized {
                reason: "Qonto is not connected yet (no OAuth tokens)".into(),
            }),
            AccessReply::ReauthorizationNeeded { reason } => Err(EdgeError::NotAuthorized {
                reason: format!("Qonto must be connected again: {reason}"),
            }),
            AccessReply::Unavailable {
                detail,
                retry_after_secs,
            } => Err(EdgeError::QontoUnavailable {
                detail: format!("token refresh failed: {detail}"),
                retry_after_secs,
            }),
            AccessReply::Timeout => Err(EdgeError::QontoTimeout {
                call: "oauth_token",
            }),
            AccessReply::Rejected { status, detail } => Err(EdgeError::QontoRejected {
                status,
                detail: format!("token refresh refused: {detail}"),
            }),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct StateReply {
    pub(super) state: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct StateBody {
    pub(super) state: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ConsumeReply {
    pub(super) valid: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ExchangeRequest {
    pub(super) state: String,
    pub(super) code: String,
    pub(super) redirect_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::policy::status_of;
    use crate::tokens::policy::tests::{record, token, MIN};
    use crate::tokens::policy::TokenRecord;
    use crate::tokens::{AuthState, ExchangeOutcome};

    #[test]
    fn replies_map_to_edge_errors() {
        let err = |r: AccessReply| r.into_result().err().map(|e| e.status());
        assert_eq!(err(AccessReply::NotConnected), Some(503));
        assert!(matches!(
            AccessReply::ReauthorizationNeeded { reason: "x".into() }.into_result(),
            Err(EdgeError::NotAuthorized { .. })
        ));
        assert!(matches!(
            AccessReply::NotConnected.into_result(),
            Err(EdgeError::NotAuthorized { .. })
        ));
        assert_eq!(err(AccessReply::Timeout), Some(504));
        assert_eq!(
            err(AccessReply::Rejected {
                status: 401,
                detail: "x".into()
            }),
            Some(502)
        );
        assert_eq!(
            err(AccessReply::Unavailable {
                detail: "x".into(),
                retry_after_secs: None
            }),
            Some(503)
        );
        let (t, until) = record().reply().into_result().ok().unwrap();
        assert_eq!(t, token("at-1"));
        assert_eq!(until, 59.0 * MIN);
    }

    #[test]
    fn the_protocol_round_trips_and_status_has_no_token() {
        let reply = record().reply();
        let text = serde_json::to_string(&reply).unwrap();
        assert!(text.contains(r#""outcome":"token""#), "{text}");
        assert_eq!(serde_json::from_str::<AccessReply>(&text).unwrap(), reply);
        let dead = TokenRecord {
            dead: Some("revoked".into()),
            ..record()
        };
        let status = serde_json::to_string(&status_of(Some(&dead))).unwrap();
        assert!(
            status.contains(r#""state":"reauthorization_needed""#),
            "{status}"
        );
        assert!(
            !status.contains("at-1") && !status.contains("rt-1"),
            "{status}"
        );
        assert_eq!(status_of(None).state, AuthState::NotAuthorized);
        assert_eq!(status_of(Some(&record())).state, AuthState::Connected);
        let outcome = serde_json::to_string(&ExchangeOutcome::InvalidState).unwrap();
        assert_eq!(outcome, r#"{"outcome":"invalid_state"}"#);
    }
}
