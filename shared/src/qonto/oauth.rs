//! Qonto's OAuth token endpoint: its answers and errors.

#[allow(unused_imports)]
use super::*;

/// `POST /oauth2/token` success response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (1 h).
    pub access_token: String,
    /// Access token lifetime in seconds.
    #[serde(default)]
    pub expires_in: u64,
    /// Only with the `openid` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Only with `offline_access`; rotates on every refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `bearer`.
    #[serde(default)]
    pub token_type: String,
}

/// An OAuth error body (`{"error": "invalid_grant", …}`), as the token
/// endpoint returns it (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_client`, …
    pub error: String,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A hint (Ory Hydra adds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_hint: Option<String>,
}
