//! Admin authentication and the admin session.
//!
//! - Scripts send `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant
//!   time). The token must be at least [`MIN_ADMIN_TOKEN_CHARS`] long: with
//!   a shorter one the admin stays closed, and whoever presents it (the
//!   merchant) is told why (`admin_token_too_short`); nobody else is.
//! - The admin page signs in once (`POST /admin/session {"token"}`) and gets
//!   the cookie `__Host-qc_admin=<session id>.<mac>` (`Secure`, `HttpOnly`,
//!   `SameSite=Strict`, `Path=/`, no `Domain`: the `__Host-` prefix makes the
//!   browser refuse it from a sibling subdomain or over plain http). The id
//!   is random (256 bits); the edge keeps the session in D1 (only the id's
//!   SHA-256) with its expiry, so signing out (`DELETE /admin/session`)
//!   revokes it and an expired or revoked id is refused. The MAC, keyed with
//!   `ADMIN_TOKEN`, means a changed token ends every session, and a made-up
//!   cookie is refused before D1 is asked.
//! - Wrong tokens (at sign-in or as a bearer) are counted per client
//!   (`CF-Connecting-IP`, an IPv6 client by its /64) in D1: past
//!   [`MAX_FAILURES`] in [`FAILURE_WINDOW_SECS`], the client is answered 429
//!   with `Retry-After` until the window ends, the right token included, so
//!   guessing gains nothing by going faster. A signed-in session is not
//!   affected. When D1 cannot be read the admin answers 503 (it fails
//!   closed: the sessions live there too). Local development is not
//!   throttled ([`throttled_client`]): behind Cloudflare every request has
//!   the client's own, never a loopback, `CF-Connecting-IP`.
//! - State-changing admin requests (POST, PUT, PATCH, DELETE) must come from
//!   this edge's own pages ([`same_origin_request`]): a foreign `Origin`
//!   (another port, a sibling subdomain, `null`) is refused with 403
//!   `cross_site_request`. Without `Origin`, a bearer request (a script)
//!   passes; a cookie request passes only unless the browser marks it
//!   cross-site or same-site in `Sec-Fetch-Site` (every browser that sends
//!   the Strict cookie on a POST also sends `Origin`; a client without
//!   either header is no browser page, which is what CSRF needs).
//! - The OAuth `state` is bound to the browser that started the connection:
//!   `/admin/oauth/start` sets `qc_oauth=<binding id>.<mac of the state>`
//!   (SameSite=Lax, because Qonto's redirect back is a cross-site navigation
//!   that a Strict cookie would not follow; path `/oauth/callback`, 10
//!   minutes). The binding id is derived from the session id by a hash, so
//!   this cookie never carries the session itself. The callback accepts a
//!   state only with that cookie, so a leaked state (a log, a screenshot, a
//!   referrer) cannot connect the shop to someone else's Qonto organisation
//!   from another browser.

use crate::config::Config;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::Ledger;
use crate::log;
use crate::routes::Route;
use serde_json::json;
use shared::webhook::compute;
use subtle::ConstantTimeEq;
use worker::{Request, Response};

/// Name of the admin page's session cookie (`__Host-`: Secure, Path=/, no
/// Domain, or the browser drops it).
pub(crate) const ADMIN_COOKIE: &str = "__Host-qc_admin";
/// Name of the cookie binding an OAuth `state` to the session that asked.
pub(crate) const OAUTH_COOKIE: &str = "qc_oauth";
/// The shortest `ADMIN_TOKEN` the admin opens with.
pub(crate) const MIN_ADMIN_TOKEN_CHARS: usize = 32;
/// How long an admin session lasts.
const SESSION_SECS: i64 = 8 * 3600;
/// How long an OAuth binding lasts (the token store keeps a state as long).
const OAUTH_BINDING_SECS: u32 = 600;
/// Wrong tokens a client may present in one window before it is refused.
pub(crate) const MAX_FAILURES: i64 = 10;
/// The window failures are counted in, in seconds.
pub(crate) const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// The admin's token, when it is usable (set and long enough).
fn usable_token(config: &Config) -> Option<&str> {
    (config.admin_token.len() >= MIN_ADMIN_TOKEN_CHARS).then(|| config.admin_token.expose())
}

/// Fails with 401 unless the request carries the admin token or a genuine
/// admin session cookie. The handlers' own check; the revocation, expiry,
/// throttling and `Origin` checks run before them in [`gate`].
pub(crate) fn require_admin(req: &Request, config: &Config) -> EdgeResult<()> {
    admin_principal(req, config).map(|_| ())
}

/// Who the admin is: a signed-in session (its id), or a script holding the
/// token (`None`).
pub(crate) fn admin_principal(req: &Request, config: &Config) -> EdgeResult<Option<String>> {
    // No usable token: admin is closed (the log and /health say so).
    let key = usable_token(config).ok_or(EdgeError::Unauthorized)?;
    if let Some(t) = bearer(req) {
        return if token_matches(&t, key) {
            Ok(None)
        } else {
            Err(EdgeError::Unauthorized)
        };
    }
    cookie(req, ADMIN_COOKIE)
        .and_then(|c| verify_session(&c, key))
        .map(Some)
        .ok_or(EdgeError::Unauthorized)
}

/// The checks every `/admin/…` API request passes before its handler:
/// `Origin` on state-changing methods, then (except for signing in and out)
/// a live session or the token, throttled.
pub(crate) async fn gate(req: &Request, route: &Route, cx: &Cx) -> EdgeResult<()> {
    let method = req.inner().method().to_ascii_uppercase();
    if matches!(method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
        let origin = http::origin(req);
        let fetch_site = req.headers().get("sec-fetch-site").ok().flatten();
        if !same_origin_request(
            origin.as_deref(),
            fetch_site.as_deref(),
            &cx.self_origin,
            bearer(req).is_some(),
        ) {
            log::warn(
                &cx.request_id,
                "cross-site admin request refused",
                json!({"method": method, "path": req.path(), "origin": origin, "sec_fetch_site": fetch_site}),
            );
            return Err(EdgeError::CrossSiteRequest);
        }
    }
    if matches!(route, Route::AdminSignIn | Route::AdminSignOut) {
        return Ok(());
    }
    if cx.config.admin_token.is_empty() {
        return Err(EdgeError::Unauthorized);
    }
    if let Some(presented) = bearer(req) {
        return check_presented_token(req, cx, &presented).await;
    }
    let id = usable_token(&cx.config)
        .and_then(|key| cookie(req, ADMIN_COOKIE).and_then(|c| verify_session(&c, key)))
        .ok_or(EdgeError::Unauthorized)?;
    if Ledger::open(cx)?
        .admin_session_live(&session_hash(&id))
        .await?
    {
        Ok(())
    } else {
        Err(EdgeError::Unauthorized)
    }
}

/// Whether a state-changing admin request comes from this edge's own pages,
/// or from no page at all (module docs). Pure, host-tested.
pub(crate) fn same_origin_request(
    origin: Option<&str>,
    fetch_site: Option<&str>,
    self_origin: &str,
    bearer: bool,
) -> bool {
    match origin {
        // `null` (a sandboxed frame, a redirect) never equals an origin.
        Some(o) => o == self_origin,
        None => {
            bearer
                || fetch_site
                    .map(|s| s.trim().to_ascii_lowercase())
                    .is_none_or(|s| s == "same-origin" || s == "none")
        }
    }
}

/// A token presented at sign-in or as a bearer: refused while the client
/// is throttled, counted when wrong, and refused with the reason when it is
/// right but too short.
async fn check_presented_token(req: &Request, cx: &Cx, presented: &str) -> EdgeResult<()> {
    let client = http::client_key(req);
    let throttled = throttled_client(&client);
    let ledger = Ledger::open(cx)?;
    if !throttled {
        // Local development: compared, never counted.
    } else if let Some(wait) = ledger
        .admin_blocked(&client, MAX_FAILURES, FAILURE_WINDOW_SECS)
        .await?
    {
        log::warn(
            &cx.request_id,
            "admin authentication throttled",
            json!({"client": client, "retry_after": wait}),
        );
        return Err(EdgeError::RateLimited {
            retry_after_secs: wait,
        });
    }
    if !token_matches(presented, cx.config.admin_token.expose()) {
        if throttled {
            ledger
                .record_admin_failure(&client, FAILURE_WINDOW_SECS)
                .await?;
        }
        log::warn(
            &cx.request_id,
            "admin token refused",
            json!({"client": client}),
        );
        return Err(EdgeError::Unauthorized);
    }
    if usable_token(&cx.config).is_none() {
        return Err(EdgeError::AdminTokenTooShort);
    }
    Ok(())
}

/// Whether wrong tokens of the client with this rate key
/// ([`http::rate_key`]) are counted. Not for local development: a request
/// without `CF-Connecting-IP` (only possible outside Cloudflare) or from a
/// loopback address (`wrangler dev` on this machine; Cloudflare never
/// reports one), so that local tools and API fuzzers that try wrong tokens
/// on purpose do not lock the developer out.
pub(crate) fn throttled_client(rate_key: &str) -> bool {
    !(rate_key == "unknown" || rate_key.starts_with("127.") || rate_key == "0:0:0:0::/64")
}

/// Constant-time comparison (length differences still return early, which
/// reveals only the length).
pub(crate) fn token_matches(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// `POST /admin/session {"token"}`: the admin page's sign-in. Starts a
/// session kept in D1 and sets its cookie (module docs), so the token is
/// never in a URL nor readable by scripts, and navigations such as "Connect
/// Qonto" are authenticated too.
pub(crate) async fn sign_in(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    #[derive(serde::Deserialize)]
    struct SignIn {
        #[serde(default)]
        token: String,
    }
    let body: SignIn = crate::http::read_json(&mut req, 4 * 1024).await?;
    if cx.config.admin_token.is_empty() {
        log::warn(
            &cx.request_id,
            "admin sign-in refused: ADMIN_TOKEN is not set",
            json!({}),
        );
        return Err(EdgeError::Unauthorized);
    }
    check_presented_token(&req, cx, body.token.trim()).await?;
    let key = usable_token(&cx.config).ok_or(EdgeError::AdminTokenTooShort)?;
    let session = crate::ids::random_hex(32);
    let expires = iso_in(SESSION_SECS);
    let ledger = Ledger::open(cx)?;
    ledger.forget_ended_admin_sessions().await?;
    ledger
        .create_admin_session(&session_hash(&session), &expires)
        .await?;
    log::info(
        &cx.request_id,
        "admin signed in",
        json!({"expires_at": expires}),
    );
    let mut resp = json_response(&json!({"signed_in": true, "expires_at": expires}), 200);
    let _ = resp.headers_mut().set(
        "set-cookie",
        &session_cookie(&session_value(&session, key), SESSION_SECS as u32),
    );
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `DELETE /admin/session`: signs out. The session is revoked in D1 (its
/// cookie, even kept by someone, opens nothing any more) and the cookies
/// are expired.
pub(crate) async fn sign_out(req: &Request, cx: &Cx) -> EdgeResult<Response> {
    let session = usable_token(&cx.config)
        .and_then(|key| cookie(req, ADMIN_COOKIE).and_then(|c| verify_session(&c, key)));
    let revoked = match session {
        Some(id) => {
            Ledger::open(cx)?
                .revoke_admin_session(&session_hash(&id))
                .await?
        }
        None => false,
    };
    let mut resp = json_response(&json!({"signed_in": false, "revoked": revoked}), 200);
    let _ = resp
        .headers_mut()
        .append("set-cookie", &session_cookie("", 0));
    let _ = resp.headers_mut().append(
        "set-cookie",
        &cookie_header(cx, OAUTH_COOKIE, "", "/oauth/callback", "Lax", 0),
    );
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// The `Set-Cookie` binding `state` to `principal` (a session, through a
/// hash of its id; a fresh id for a script, whose binding is then this
/// cookie alone).
pub(crate) fn oauth_binding_cookie(cx: &Cx, principal: Option<&str>, state: &str) -> String {
    let id = principal
        .map(|session| {
            let h = crate::checkouts::sha256_hex(&format!("oauth-binding:{session}"));
            format!("s{}", &h[..32])
        })
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

/// The admin session's `Set-Cookie`: always `Secure` (the `__Host-` prefix
/// requires it; browsers treat `http://localhost` and `127.0.0.1` as secure,
/// so local development keeps working).
fn session_cookie(value: &str, max_age: u32) -> String {
    format!("{ADMIN_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}")
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

/// RFC 3339 time `secs` from now.
fn iso_in(secs: i64) -> String {
    let ms = worker::js_sys::Date::now() + (secs as f64) * 1000.0;
    String::from(worker::js_sys::Date::new(&ms.into()).to_iso_string())
}

fn hex(bytes: &[u8]) -> String {
    crate::ids::hex(bytes)
}

/// What D1 keeps of a session id.
fn session_hash(id: &str) -> String {
    crate::checkouts::sha256_hex(&format!("admin-session:{id}"))
}

/// `<id>.<mac>`.
fn session_value(id: &str, key: &str) -> String {
    let mac = compute(key.as_bytes(), 0, format!("session:{id}").as_bytes());
    format!("{id}.{}", hex(&mac))
}

/// The session id of a cookie whose MAC is genuine (whether the session is
/// still live is D1's to say).
fn verify_session(value: &str, key: &str) -> Option<String> {
    let (id, _) = value.split_once('.')?;
    let ok = id.len() == 64
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && token_matches(&session_value(id, key), value);
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
    const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_compare_exactly() {
        assert!(token_matches("abc123", "abc123"));
        assert!(!token_matches("abc124", "abc123"));
        assert!(!token_matches("abc12", "abc123"));
        assert!(!token_matches("", "abc123"));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "theme=dark; __Host-qc_admin=s3cret; qc_admin=old; __Host-qc_admin_x=no";
        assert_eq!(cookie_value(h, ADMIN_COOKIE).as_deref(), Some("s3cret"));
        assert_eq!(cookie_value(h, "qc_admin").as_deref(), Some("old"));
        assert_eq!(cookie_value(h, "qc"), None);
        assert_eq!(cookie_value("", ADMIN_COOKIE), None);
    }

    #[test]
    fn session_cookies_are_signed_random_ids() {
        let v = session_value(ID, KEY);
        assert_eq!(verify_session(&v, KEY).as_deref(), Some(ID));
        assert_eq!(
            verify_session(&v, "another-admin-token-0123456789abcdef"),
            None
        );
        // Any change breaks the MAC: the id, the MAC.
        let other_id = ID.replacen('0', "1", 1);
        assert_eq!(verify_session(&v.replacen(ID, &other_id, 1), KEY), None);
        let mut tampered = v.clone();
        tampered.pop();
        tampered.push('x');
        assert_eq!(verify_session(&tampered, KEY), None);
        // Only 64-hex-digit ids: a short id, even signed, is no session.
        assert_eq!(verify_session(&session_value("s1", KEY), KEY), None);
        // The raw admin token is no session.
        assert_eq!(verify_session(KEY, KEY), None);
        assert_eq!(verify_session("", KEY), None);
        // D1 keeps a hash, never the id.
        assert_eq!(session_hash(ID).len(), 64);
        assert!(!session_hash(ID).contains(ID));
    }

    #[test]
    fn the_session_cookie_has_every_attribute() {
        assert_eq!(
            session_cookie("abc.def", 28_800),
            "__Host-qc_admin=abc.def; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800"
        );
        assert_eq!(
            session_cookie("", 0),
            "__Host-qc_admin=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn state_changing_admin_requests_come_from_the_edge_s_own_pages() {
        const SELF: &str = "https://pay.shop.example";
        // (Origin, Sec-Fetch-Site, bearer) → accepted
        let cases: &[(Option<&str>, Option<&str>, bool, bool)] = &[
            (
                Some("https://pay.shop.example"),
                Some("same-origin"),
                false,
                true,
            ),
            (Some("https://pay.shop.example"), None, false, true),
            (Some("https://pay.shop.example"), None, true, true),
            // Another port, a sibling subdomain, another scheme, null.
            (
                Some("https://pay.shop.example:8443"),
                Some("same-site"),
                false,
                false,
            ),
            (
                Some("https://blog.shop.example"),
                Some("same-site"),
                false,
                false,
            ),
            (
                Some("http://pay.shop.example"),
                Some("cross-site"),
                false,
                false,
            ),
            (
                Some("https://evil.example"),
                Some("cross-site"),
                false,
                false,
            ),
            (Some("null"), Some("cross-site"), false, false),
            (Some("null"), None, true, false),
            (Some("https://evil.example"), None, true, false),
            // No Origin: a script with the token passes.
            (None, None, true, true),
            (None, Some("cross-site"), true, true),
            // No Origin with the cookie: refused when the browser says the
            // page is another site's; a client without either header passes.
            (None, Some("cross-site"), false, false),
            (None, Some("same-site"), false, false),
            (None, Some("Same-Site"), false, false),
            (None, Some("same-origin"), false, true),
            (None, Some("none"), false, true),
            (None, None, false, true),
        ];
        for (origin, site, bearer, accepted) in cases {
            assert_eq!(
                same_origin_request(*origin, *site, SELF, *bearer),
                *accepted,
                "{origin:?} {site:?} bearer={bearer}"
            );
        }
    }

    #[test]
    fn only_local_development_is_not_throttled() {
        for (ip, throttled) in [
            (Some("203.0.113.7"), true),
            (Some("2001:db8:1:2::1"), true),
            (Some("10.0.0.1"), true),
            (Some("127.0.0.1"), false),
            (Some("127.8.9.10"), false),
            (Some("::1"), false),
            (Some("::ffff:127.0.0.1"), false),
            (None, false),
        ] {
            assert_eq!(throttled_client(&http::rate_key(ip)), throttled, "{ip:?}");
        }
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
