//! Admin authentication and the admin session.
//!
//! - Scripts send `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant
//!   time).
//! - The admin page signs in once (`POST /admin/session {"token"}`) and gets
//!   a session cookie `qc_admin=<session id>.<expiry>.<mac>` (HttpOnly,
//!   SameSite=Strict, Secure over https). The MAC is an HMAC-SHA256 keyed
//!   with `ADMIN_TOKEN`, so the cookie cannot be forged, never holds the token
//!   itself, and every session ends when the token is changed.
//! - The OAuth `state` is bound to the admin session that started the
//!   connection: `/admin/oauth/start` sets `qc_oauth=<session id>.<mac of the
//!   state>` (SameSite=Lax, because Qonto's redirect back is a cross-site
//!   navigation that a Strict cookie would not follow; path
//!   `/oauth/callback`, 10 minutes). The callback accepts a state only with
//!   that cookie, so a leaked state (a log, a screenshot, a referrer) cannot
//!   connect the shop to someone else's Qonto organisation from another
//!   browser.

use crate::config::Config;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use crate::log;
use serde_json::json;
use shared::webhook::compute;
use subtle::ConstantTimeEq;
use worker::{Request, Response};

/// Name of the admin page's session cookie.
pub(crate) const ADMIN_COOKIE: &str = "qc_admin";
/// Name of the cookie binding an OAuth `state` to the session that asked.
pub(crate) const OAUTH_COOKIE: &str = "qc_oauth";
/// How long an admin session lasts.
const SESSION_SECS: i64 = 8 * 3600;
/// How long an OAuth binding lasts (the token store keeps a state as long).
const OAUTH_BINDING_SECS: u32 = 600;

/// Fails with 401 unless the request carries the admin token or a valid
/// admin session.
pub(crate) fn require_admin(req: &Request, config: &Config) -> EdgeResult<()> {
    admin_principal(req, config).map(|_| ())
}

/// Who the admin is: a signed-in session (its id), or a script holding the
/// token (`None`).
pub(crate) fn admin_principal(req: &Request, config: &Config) -> EdgeResult<Option<String>> {
    if config.admin_token.is_empty() {
        // No token configured: admin is closed, and /health says why.
        return Err(EdgeError::Unauthorized);
    }
    if let Some(t) = bearer(req) {
        return if token_matches(&t, config.admin_token.expose()) {
            Ok(None)
        } else {
            Err(EdgeError::Unauthorized)
        };
    }
    cookie(req, ADMIN_COOKIE)
        .and_then(|c| verify_session(&c, config.admin_token.expose(), now_secs()))
        .map(Some)
        .ok_or(EdgeError::Unauthorized)
}

/// Constant-time comparison (length differences still return early, which
/// reveals only the length).
pub(crate) fn token_matches(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// `POST /admin/session {"token"}`: the admin page's sign-in. Sets a session
/// cookie (module docs), so the token is never in a URL nor readable by
/// scripts, and navigations such as "Connect Qonto" are authenticated too.
pub(crate) async fn sign_in(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    #[derive(serde::Deserialize)]
    struct SignIn {
        #[serde(default)]
        token: String,
    }
    let body: SignIn = crate::http::read_json(&mut req, 4 * 1024).await?;
    if cx.config.admin_token.is_empty()
        || !token_matches(body.token.trim(), cx.config.admin_token.expose())
    {
        log::warn(&cx.request_id, "admin sign-in refused", json!({}));
        return Err(EdgeError::Unauthorized);
    }
    let session = crate::ids::random_hex(16);
    let value = session_value(
        &session,
        now_secs() + SESSION_SECS,
        cx.config.admin_token.expose(),
    );
    let mut resp = json_response(&json!({"signed_in": true}), 200);
    let _ = resp.headers_mut().set(
        "set-cookie",
        &cookie_header(cx, ADMIN_COOKIE, &value, "/", "Strict", SESSION_SECS as u32),
    );
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `DELETE /admin/session`: signs out (expires the cookies).
pub(crate) fn sign_out(cx: &Cx) -> Response {
    let mut resp = json_response(&json!({"signed_in": false}), 200);
    let _ = resp.headers_mut().append(
        "set-cookie",
        &cookie_header(cx, ADMIN_COOKIE, "", "/", "Strict", 0),
    );
    let _ = resp.headers_mut().append(
        "set-cookie",
        &cookie_header(cx, OAUTH_COOKIE, "", "/oauth/callback", "Lax", 0),
    );
    resp
}

/// The `Set-Cookie` binding `state` to `principal` (a session id, or a fresh
/// id for a script, whose binding is then this cookie alone).
pub(crate) fn oauth_binding_cookie(cx: &Cx, principal: Option<&str>, state: &str) -> String {
    let id = principal
        .map(str::to_owned)
        .unwrap_or_else(|| format!("api{}", crate::ids::random_hex(8)));
    let value = binding_value(&id, state, cx.config.admin_token.expose());
    cookie_header(
        cx,
        OAUTH_COOKIE,
        &value,
        "/oauth/callback",
        "Lax",
        OAUTH_BINDING_SECS,
    )
}

/// Whether the callback request carries the binding of `state`.
pub(crate) fn oauth_state_is_bound(req: &Request, config: &Config, state: &str) -> bool {
    !config.admin_token.is_empty()
        && cookie(req, OAUTH_COOKIE)
            .is_some_and(|c| binding_matches(&c, state, config.admin_token.expose()))
}

/// The `Set-Cookie` that removes the OAuth binding after the callback.
pub(crate) fn clear_oauth_cookie(cx: &Cx) -> String {
    cookie_header(cx, OAUTH_COOKIE, "", "/oauth/callback", "Lax", 0)
}

fn cookie_header(
    cx: &Cx,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: u32,
) -> String {
    let secure = if cx.self_origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    )
}

fn now_secs() -> i64 {
    (worker::js_sys::Date::now() / 1000.0) as i64
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `<id>.<expiry>.<mac>`.
fn session_value(id: &str, expires: i64, key: &str) -> String {
    let mac = compute(key.as_bytes(), expires, format!("session:{id}").as_bytes());
    format!("{id}.{expires}.{}", hex(&mac))
}

/// The session id of a valid, unexpired session cookie.
fn verify_session(value: &str, key: &str, now: i64) -> Option<String> {
    let mut parts = value.splitn(3, '.');
    let (id, expires, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let expires: i64 = expires.parse().ok()?;
    let ok = !id.is_empty()
        && expires > now
        && token_matches(
            &session_value(id, expires, key),
            &format!("{id}.{expires}.{mac}"),
        );
    ok.then(|| id.to_owned())
}

/// `<id>.<mac of id and state>`.
fn binding_value(id: &str, state: &str, key: &str) -> String {
    let mac = compute(
        key.as_bytes(),
        0,
        format!("oauth-state:{id}:{state}").as_bytes(),
    );
    format!("{id}.{}", hex(&mac))
}

fn binding_matches(value: &str, state: &str, key: &str) -> bool {
    value.split_once('.').is_some_and(|(id, _)| {
        !id.is_empty() && token_matches(value, &binding_value(id, state, key))
    })
}

fn bearer(req: &Request) -> Option<String> {
    let h = req.headers().get("authorization").ok().flatten()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// A cookie's value from the `Cookie` header.
pub(crate) fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("cookie").ok().flatten()?;
    cookie_value(&header, name)
}

fn cookie_value(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "local-admin-token-0123456789abcdef";

    #[test]
    fn tokens_compare_exactly() {
        assert!(token_matches("abc123", "abc123"));
        assert!(!token_matches("abc124", "abc123"));
        assert!(!token_matches("abc12", "abc123"));
        assert!(!token_matches("", "abc123"));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "theme=dark; qc_admin=s3cret; qc_admin_x=no";
        assert_eq!(cookie_value(h, "qc_admin").as_deref(), Some("s3cret"));
        assert_eq!(cookie_value(h, "qc"), None);
        assert_eq!(cookie_value("", "qc_admin"), None);
    }

    #[test]
    fn sessions_are_signed_and_expire() {
        let v = session_value("s1", 1_000, KEY);
        assert_eq!(verify_session(&v, KEY, 999).as_deref(), Some("s1"));
        assert_eq!(verify_session(&v, KEY, 1_000), None, "expired");
        assert_eq!(
            verify_session(&v, "another-admin-token-0123456789", 999),
            None
        );
        // Any change breaks the MAC: the id, the expiry, the MAC.
        assert_eq!(verify_session(&v.replacen("s1", "s2", 1), KEY, 999), None);
        assert_eq!(
            verify_session(&v.replacen("1000", "9000", 1), KEY, 999),
            None
        );
        let mut tampered = v.clone();
        tampered.pop();
        tampered.push('x');
        assert_eq!(verify_session(&tampered, KEY, 999), None);
        // The raw admin token is no session.
        assert_eq!(verify_session(KEY, KEY, 0), None);
        assert_eq!(verify_session("", KEY, 0), None);
    }

    #[test]
    fn an_oauth_state_is_bound_to_one_session() {
        let binding = binding_value("sessionA", "state-1", KEY);
        assert!(binding_matches(&binding, "state-1", KEY));
        assert!(!binding_matches(&binding, "state-2", KEY), "another state");
        let other = binding_value("sessionB", "state-2", KEY);
        assert!(
            !binding_matches(&other, "state-1", KEY),
            "another session's binding"
        );
        assert!(!binding_matches(
            &binding,
            "state-1",
            "another-admin-token-0123456789"
        ));
        assert!(!binding_matches("", "state-1", KEY));
        assert!(!binding_matches("sessionA", "state-1", KEY));
    }
}
