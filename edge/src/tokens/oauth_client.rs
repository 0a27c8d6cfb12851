//! The call to Qonto's OAuth token endpoint (code exchange and refresh) and
//! the reading of its answer into tokens or a [`RefreshFailure`].

use super::policy::RefreshFailure;
use crate::config::Config;
use crate::fetch::{send_with_timeout, SendError};
use crate::qonto::{describe_error, json_error_summary};
use shared::qonto::{OAuthError, TokenResponse, STAGING_TOKEN_HEADER};
use std::time::Duration;
use worker::{Headers, Method, Request, RequestInit, Result};

/// Timeout of a call to Qonto's token endpoint.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the token endpoint's answer.
fn classify_token_answer(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
) -> std::result::Result<TokenResponse, RefreshFailure> {
    if (200..300).contains(&status) {
        return match serde_json::from_slice::<TokenResponse>(body) {
            Ok(t) if !t.access_token.is_empty() => Ok(t),
            Ok(_) => Err(RefreshFailure::Unavailable {
                detail: "token response without an access token".into(),
                retry_after_secs: None,
            }),
            Err(e) => Err(RefreshFailure::Unavailable {
                detail: format!("malformed token response: {}", json_error_summary(&e)),
                retry_after_secs: None,
            }),
        };
    }
    let retry_after_secs = retry_after.and_then(|v| v.trim().parse::<u32>().ok());
    if status == 429 || status >= 500 {
        return Err(RefreshFailure::Unavailable {
            detail: format!("token endpoint answered HTTP {status}"),
            retry_after_secs,
        });
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => {
            let text = match &e.error_description {
                Some(d) => format!("{}: {d}", e.error),
                None => e.error.clone(),
            };
            if e.error == "invalid_grant" {
                Err(RefreshFailure::Refused(text))
            } else {
                Err(RefreshFailure::Rejected {
                    status,
                    detail: text,
                })
            }
        }
        // An HTML page (the sandbox gate without a staging token) or a
        // JSON:API body.
        Err(_) => Err(RefreshFailure::Rejected {
            status,
            detail: describe_error(status, body),
        }),
    }
}

/// `POST {oauth_url}/oauth2/token`, form-encoded, with the client
/// credentials and `grant`.
pub(super) async fn token_call(
    config: &Config,
    grant: &[(&str, &str)],
) -> std::result::Result<TokenResponse, RefreshFailure> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("client_id", &config.client_id);
    form.append_pair("client_secret", config.client_secret.expose());
    for (k, v) in grant {
        form.append_pair(k, v);
    }
    let body = form.finish();
    let build = || -> Result<Request> {
        let headers = Headers::new();
        headers.set("content-type", "application/x-www-form-urlencoded")?;
        headers.set("accept", "application/json")?;
        if let Some(staging) = &config.staging_token {
            headers.set(STAGING_TOKEN_HEADER, staging.expose())?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.as_str().into()));
        Request::new_with_init(&format!("{}/oauth2/token", config.oauth_url), &init)
    };
    let req = build().map_err(|e| RefreshFailure::Unavailable {
        detail: e.to_string(),
        retry_after_secs: None,
    })?;
    match send_with_timeout(req, TOKEN_TIMEOUT).await {
        Err(SendError::Timeout) => Err(RefreshFailure::Timeout),
        Err(SendError::Network(detail)) => Err(RefreshFailure::Unavailable {
            detail,
            retry_after_secs: None,
        }),
        Ok(raw) => classify_token_answer(raw.status, raw.retry_after.as_deref(), &raw.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_are_classified() {
        let ok = br#"{"access_token":"a","expires_in":3600,"refresh_token":"r","scope":"s","token_type":"bearer"}"#;
        assert_eq!(
            classify_token_answer(200, None, ok).map(|t| t.access_token),
            Ok("a".into())
        );
        let grant = br#"{"error":"invalid_grant","error_description":"The refresh token has been revoked."}"#;
        assert_eq!(
            classify_token_answer(400, None, grant).map(|t| t.access_token),
            Err(RefreshFailure::Refused(
                "invalid_grant: The refresh token has been revoked.".into()
            ))
        );
        let client = br#"{"error":"invalid_client"}"#;
        assert!(matches!(
            classify_token_answer(401, None, client),
            Err(RefreshFailure::Rejected { status: 401, .. })
        ));
        assert!(matches!(
            classify_token_answer(403, None, b"<html>gate</html>"),
            Err(RefreshFailure::Rejected { status: 403, .. })
        ));
        assert!(matches!(
            classify_token_answer(429, Some("3"), b""),
            Err(RefreshFailure::Unavailable {
                retry_after_secs: Some(3),
                ..
            })
        ));
        assert!(matches!(
            classify_token_answer(502, None, b""),
            Err(RefreshFailure::Unavailable { .. })
        ));
        assert!(matches!(
            classify_token_answer(200, None, br#"{"access_tok"#),
            Err(RefreshFailure::Unavailable { .. })
        ));
        assert!(matches!(
            classify_token_answer(200, None, br#"{"access_token":""}"#),
            Err(RefreshFailure::Unavailable { .. })
        ));
    }
}
