//! Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, or the admin
//! page's session cookie (HttpOnly, SameSite=Strict) holding the same token.
//! Compared in constant time.

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use subtle::ConstantTimeEq;
use worker::Request;

/// Name of the admin page's session cookie.
pub(crate) const ADMIN_COOKIE: &str = "qc_admin";

/// Fails with 401 unless the request carries the admin token.
pub(crate) fn require_admin(req: &Request, config: &Config) -> EdgeResult<()> {
    if config.admin_token.is_empty() {
        // No token configured: admin is closed, and /health says why.
        return Err(EdgeError::Unauthorized);
    }
    let presented = bearer(req).or_else(|| cookie(req, ADMIN_COOKIE));
    match presented {
        Some(t) if token_matches(&t, config.admin_token.expose()) => Ok(()),
        _ => Err(EdgeError::Unauthorized),
    }
}

/// Constant-time comparison (length differences still return early, which
/// reveals only the length).
pub(crate) fn token_matches(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
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
}
