//! OAuth 2.0 authorization-code flow, as Qonto's `oauth.qonto.com` does it
//! (an Ory Hydra: its error texts and token prefixes are copied here).
//!
//! - `GET /oauth2/auth` validates the client, the redirect URI and the
//!   request, then shows a consent page (or, with `auto_consent`, redirects
//!   straight back with a code).
//! - `POST /oauth2/token` exchanges codes (single use, 10 min) and refresh
//!   tokens (rotating; the old one stays usable for a grace period after its
//!   first use, then `invalid_grant`).

use crate::app::{random_token, AccessToken, App, AuthCode, RefreshToken, State as FakeState};
use crate::errors::{self, esc};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::qonto::{OAuthError, TokenResponse};
use std::sync::Arc;
use std::time::Instant;

/// Parameters of an authorization request.
#[derive(Debug, Default, Clone)]
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    scope: String,
    state: String,
    auto_consent: bool,
    decision: String,
}

impl AuthRequest {
    fn parse(input: &[u8]) -> AuthRequest {
        let mut r = AuthRequest::default();
        for (k, v) in form_urlencoded::parse(input) {
            let v = v.into_owned();
            match k.as_ref() {
                "client_id" => r.client_id = v,
                "redirect_uri" => r.redirect_uri = v,
                "response_type" => r.response_type = v,
                "scope" => r.scope = v,
                "state" => r.state = v,
                // A fake-only switch, for a test that drives the flow
                // without clicking.
                "auto_consent" => r.auto_consent = v == "1" || v == "true",
                "decision" => r.decision = v,
                _ => {}
            }
        }
        r
    }

    fn scopes(&self) -> Vec<String> {
        self.scope.split_whitespace().map(str::to_owned).collect()
    }
}

/// Appends query parameters to a redirect URI.
fn redirect_to(uri: &str, params: &[(&str, &str)]) -> Response {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{sep}{}", ser.finish());
    let mut resp = StatusCode::FOUND.into_response();
    match HeaderValue::from_str(&location) {
        Ok(v) => {
            resp.headers_mut().insert(header::LOCATION, v);
            resp
        }
        Err(_) => error_page("invalid_request", "The redirect URI cannot be used."),
    }
}

/// An error the browser sees on the authorization server itself (never
/// redirected: the redirect URI is not trusted yet).
fn error_page(error: &str, description: &str) -> Response {
    errors::html(
        StatusCode::BAD_REQUEST,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error</title></head>\
             <body><main><h1>Authorization error</h1><p id=\"error\" data-error=\"{e}\">{e}</p><p>{d}</p></main></body></html>",
            e = esc(error),
            d = esc(description)
        ),
    )
}

/// Checks what must hold before anything is redirected back.
fn validate(app: &App, r: &AuthRequest) -> Result<(), Response> {
    if r.client_id != app.config.client_id {
        return Err(error_page(
            "invalid_client",
            "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
        ));
    }
    let uri_ok = (r.redirect_uri.starts_with("http://") || r.redirect_uri.starts_with("https://"))
        && !r.redirect_uri.contains('#');
    let allowed = app.config.redirect_uris.is_empty()
        || app
            .config
            .redirect_uris
            .iter()
            .any(|u| u == &r.redirect_uri);
    if !uri_ok || !allowed {
        return Err(error_page(
            "invalid_request",
            "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.",
        ));
    }
    Ok(())
}

/// Errors that are reported to the client through the redirect.
/// `allowed` is the client's allowed scopes (`None`: any).
fn redirect_error(r: &AuthRequest, allowed: Option<&[String]>) -> Option<Response> {
    if r.response_type != "code" {
        return Some(redirect_to(
            &r.redirect_uri,
            &[
                ("error", "unsupported_response_type"),
                (
                    "error_description",
                    "The authorization server does not support obtaining a token using this method.",
                ),
                ("state", &r.state),
            ],
        ));
    }
    if let Some(allowed) = allowed.filter(|_| !r.scope.is_empty()) {
        if let Some(refused) = r.scopes().into_iter().find(|s| !allowed.contains(s)) {
            // Hydra's wording: the whole authorization fails for one scope
            // the client may not ask for.
            let description = format!(
                "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope '{refused}'."
            );
            return Some(redirect_to(
                &r.redirect_uri,
                &[
                    ("error", "invalid_scope"),
                    ("error_description", &description),
                    ("state", &r.state),
                ],
            ));
        }
    }
    if r.state.chars().count() < 8 {
        return Some(redirect_to(
            &r.redirect_uri,
            &[
                ("error", "invalid_state"),
                (
                    "error_description",
                    "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
                ),
                ("state", &r.state),
            ],
        ));
    }
    None
}

fn grant_code(app: &App, r: &AuthRequest) -> Response {
    let code = random_token("ory_ac_");
    {
        let mut st = app.lock();
        st.codes.insert(
            code.clone(),
            AuthCode {
                client_id: r.client_id.clone(),
                redirect_uri: r.redirect_uri.clone(),
                scopes: r.scopes(),
                expires_at: Instant::now() + app.config.auth_code_ttl,
                used: false,
            },
        );
    }
    redirect_to(
        &r.redirect_uri,
        &[("code", &code), ("scope", &r.scope), ("state", &r.state)],
    )
}

/// `GET /oauth2/auth`.
pub(crate) async fn authorize(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let r = AuthRequest::parse(query.unwrap_or_default().as_bytes());
    if let Err(resp) = validate(&app, &r) {
        return resp;
    }
    let allowed = app.lock().settings.allowed_scopes.clone();
    if let Some(resp) = redirect_error(&r, allowed.as_deref()) {
        return resp;
    }
    let auto = r.auto_consent || app.lock().settings.auto_consent;
    if auto {
        return grant_code(&app, &r);
    }
    consent_page(&app, &r)
}

fn consent_page(app: &App, r: &AuthRequest) -> Response {
    let scopes: String = r
        .scopes()
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", esc(s)))
        .collect();
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(name),
            esc(value)
        )
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Authorize access to your Qonto account</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}}</style></head>\
         <body><main><h1>Authorize access</h1>\
         <p>The application <strong id=\"client-id\">{client}</strong> asks to access the Qonto account of \
         <strong>{merchant}</strong> with these permissions:</p>\
         <ul id=\"scopes\">{scopes}</ul>\
         <p>You will be sent back to <code id=\"redirect-uri\">{redirect}</code>.</p>\
         <form method=\"post\" action=\"/oauth2/auth\">{h1}{h2}{h3}{h4}{h5}\
         <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"authorize\">Authorize</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
         </form><p><small>Fake Qonto: no real account is involved.</small></p></main></body></html>",
        client = esc(&r.client_id),
        merchant = esc(&app.config.merchant_name),
        redirect = esc(&r.redirect_uri),
        h1 = hidden("client_id", &r.client_id),
        h2 = hidden("redirect_uri", &r.redirect_uri),
        h3 = hidden("response_type", &r.response_type),
        h4 = hidden("scope", &r.scope),
        h5 = hidden("state", &r.state),
    );
    errors::html(StatusCode::OK, body)
}

/// `POST /oauth2/auth`: the consent form's answer.
pub(crate) async fn consent(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let r = AuthRequest::parse(&body);
    if let Err(resp) = validate(&app, &r) {
        return resp;
    }
    let allowed = app.lock().settings.allowed_scopes.clone();
    if let Some(resp) = redirect_error(&r, allowed.as_deref()) {
        return resp;
    }
    let mut resp = if r.decision == "allow" {
        grant_code(&app, &r)
    } else {
        redirect_to(
            &r.redirect_uri,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The resource owner or authorization server denied the request.",
                ),
                ("state", &r.state),
            ],
        )
    };
    // After a form POST, make the browser GET the redirect URI.
    if resp.status() == StatusCode::FOUND {
        *resp.status_mut() = StatusCode::SEE_OTHER;
    }
    resp
}

fn oauth_error(status: StatusCode, error: &str, description: &str, hint: Option<&str>) -> Response {
    let mut resp = errors::json(
        status,
        &OAuthError {
            error: error.to_owned(),
            error_description: Some(description.to_owned()),
            error_hint: hint.map(str::to_owned),
        },
    );
    no_store(resp.headers_mut());
    resp
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

const INVALID_GRANT: &str = "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

fn invalid_grant(hint: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        INVALID_GRANT,
        Some(hint),
    )
}

/// Issues an access token (and a refresh token with `offline_access`, an
/// ID token with `openid`) for `scopes`.
pub(crate) fn issue_tokens(
    st: &mut FakeState,
    client_id: &str,
    scopes: Vec<String>,
) -> TokenResponse {
    let now = Instant::now();
    let ttl = st.settings.access_token_ttl;
    let refresh_ttl = st.settings.refresh_token_ttl;
    let access = random_token("ory_at_");
    st.access_tokens.insert(
        access.clone(),
        AccessToken {
            scopes: scopes.clone(),
            expires_at: now + ttl,
        },
    );
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let refresh = has("offline_access").then(|| {
        let token = random_token("ory_rt_");
        st.refresh_tokens.insert(
            token.clone(),
            RefreshToken {
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                expires_at: now + refresh_ttl,
                first_used_at: None,
                revoked: false,
            },
        );
        token
    });
    // Base64url of {"alg":"none","typ":"JWT"}: an ID token that looks like
    // a JWT; nobody should read it.
    let id_token = has("openid").then(|| {
        format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            uuid::Uuid::new_v4().simple()
        )
    });
    TokenResponse {
        access_token: access,
        expires_in: ttl.as_secs(),
        id_token,
        refresh_token: refresh,
        scope: Some(scopes.join(" ")),
        token_type: "bearer".to_owned(),
    }
}

/// Client credentials from the form or from HTTP Basic.
fn client_credentials(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> (Option<String>, Option<String>) {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (mut id, mut secret) = (field("client_id"), field("client_secret"));
    if secret.is_none() {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(base64_decode)
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((u, p)) = basic.as_deref().and_then(|s| s.split_once(':')) {
            let decode = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            id = decode(u).or(id);
            secret = decode(p);
        }
    }
    (id, secret)
}

/// Standard base64 (with or without padding).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// `POST /oauth2/token`.
pub(crate) async fn token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (client_id, client_secret) = client_credentials(&headers, &form);
    if client_id.as_deref() != Some(app.config.client_id.as_str())
        || client_secret.as_deref() != Some(app.config.client_secret.as_str())
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
            None,
        );
    }
    let client_id = app.config.client_id.clone();
    let now = Instant::now();
    let response = match field("grant_type") {
        Some("authorization_code") => {
            let Some(code) = field("code") else {
                return invalid_request("The request is missing the 'code' parameter.");
            };
            let mut st = app.lock();
            let scopes = match st.codes.get_mut(code) {
                None => return invalid_grant("The authorization code is unknown."),
                Some(c) if c.used => {
                    return invalid_grant("The authorization code has already been used.")
                }
                Some(c) if now >= c.expires_at => {
                    return invalid_grant("The authorization code has expired.")
                }
                Some(c) if c.client_id != client_id => {
                    return invalid_grant(
                        "The OAuth 2.0 Client ID from this request does not match the one from the authorize request.",
                    )
                }
                Some(c) if field("redirect_uri") != Some(c.redirect_uri.as_str()) => {
                    return invalid_grant(
                        "The 'redirect_uri' from this request does not match the one from the authorize request.",
                    )
                }
                Some(c) => {
                    c.used = true;
                    c.scopes.clone()
                }
            };
            issue_tokens(&mut st, &client_id, scopes)
        }
        Some("refresh_token") => {
            let Some(token) = field("refresh_token") else {
                return invalid_request("The request is missing the 'refresh_token' parameter.");
            };
            let mut st = app.lock();
            let grace = st.settings.refresh_grace;
            let scopes = match st.refresh_tokens.get_mut(token) {
                None => return invalid_grant("The refresh token was not found."),
                Some(t) if t.revoked => return invalid_grant("The refresh token has been revoked."),
                Some(t) if now >= t.expires_at => {
                    return invalid_grant("The refresh token has expired.")
                }
                Some(t) if t.client_id != client_id => {
                    return invalid_grant(
                        "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.",
                    )
                }
                Some(t) => match t.first_used_at {
                    Some(first) if now.duration_since(first) > grace => {
                        return invalid_grant(
                            "The refresh token has already been used and its grace period is over.",
                        )
                    }
                    Some(_) => t.scopes.clone(),
                    None => {
                        t.first_used_at = Some(now);
                        t.scopes.clone()
                    }
                },
            };
            issue_tokens(&mut st, &client_id, scopes)
        }
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                None,
            )
        }
        None => return invalid_request("The request is missing the 'grant_type' parameter."),
    };
    let mut resp = errors::json(StatusCode::OK, &response);
    no_store(resp.headers_mut());
    resp
}

fn invalid_request(hint: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
        Some(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes() {
        assert_eq!(base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("!!").is_none());
    }
}
