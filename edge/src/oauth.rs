//! Connecting the shop to Qonto with OAuth, for the merchant:
//!
//! - `GET /admin/oauth/start` (admin) sends the merchant's browser to Qonto's
//!   consent page with a single-use `state` kept 10 minutes by the token
//!   store, bound to the admin session that asked (see `auth`);
//! - `GET /oauth/callback` is where Qonto sends the browser back. It has no
//!   admin check (the browser comes from Qonto, cross-site, without the
//!   Strict admin cookie): the unexpired, single-use `state` and its binding
//!   cookie are the check. The code is exchanged inside the token store,
//!   which keeps the tokens.
//!
//! The scopes asked for are `QONTO_SCOPES` (config). Qonto's OAuth server
//! refuses the whole authorization with `invalid_scope` when the app is not
//! allowed one of them (its OAuth server is an Ory Hydra): the callback page then names the
//! scope and says how to fix it.
//!
//! Payment links are OAuth-only at Qonto, so this is the
//! one way to make the shop work. The provider connection is in `connection`.

use crate::auth::{
    admin_principal, clear_oauth_cookie, oauth_binding_cookie, oauth_state_is_bound,
};
use crate::config::Environment;
use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use crate::log;
use crate::tokens::{self, ExchangeOutcome};
use serde_json::json;
use shared::html::escape;
use worker::{Request, Response};

/// Where Qonto sends the browser back.
const CALLBACK_PATH: &str = "/oauth/callback";
/// Where the merchant lands afterwards.
pub(crate) const ADMIN_PATH: &str = "/admin";

/// `GET /admin/oauth/start`: 302 to Qonto's consent page.
pub(crate) async fn start(req: Request, cx: &Cx) -> EdgeResult<Response> {
    let principal = admin_principal(&req, &cx.config)?;
    if cx.config.client_id.is_empty() || cx.config.client_secret.is_empty() {
        return Err(EdgeError::Misconfigured(cx.config.problems.clone()));
    }
    let state = tokens::new_state(cx).await?;
    let location = authorize_url(
        &cx.config.oauth_url,
        &cx.config.client_id,
        &redirect_uri(cx),
        &cx.config.scopes,
        &state,
    );
    log::info(
        &cx.request_id,
        "oauth connect started",
        json!({"oauth_url": cx.config.oauth_url, "scopes": cx.config.scopes, "session": principal.is_some()}),
    );
    Ok(Response::builder()
        .with_status(302)
        .with_header("location", &location)?
        .with_header("cache-control", "no-store")?
        .with_header(
            "set-cookie",
            &oauth_binding_cookie(cx, principal.as_deref(), &state),
        )?
        .empty())
}

/// `GET /oauth/callback?code&state` (or `?error=…&state`).
pub(crate) async fn callback(req: Request, cx: &Cx) -> EdgeResult<Response> {
    let url = req.url()?;
    let params = CallbackParams::parse(url.query().unwrap_or(""));
    match params.kind() {
        CallbackKind::Denied {
            error,
            description,
            state,
        } => {
            // Use the state up (this consent round is over), but only the
            // browser that started it may.
            if let Some(state) = state.filter(|s| oauth_state_is_bound(&req, &cx.config, s)) {
                tokens::consume_state(cx, &state).await?;
            }
            log::warn(
                &cx.request_id,
                "oauth connect not completed",
                json!({"error": error, "description": description}),
            );
            if error == "invalid_scope" {
                let refused = refused_scope(description.as_deref(), &cx.config.scopes);
                return page(
                    400,
                    "invalid_scope",
                    "Qonto was not connected: a scope is not allowed",
                    &invalid_scope_message(refused, &cx.config.scopes),
                    refused,
                );
            }
            let message = if error == "access_denied" {
                "The access was declined at Qonto, so nothing changed. You can start again from the admin page.".to_owned()
            } else {
                format!("Qonto answered \"{error}\", so nothing changed. You can start again from the admin page.")
            };
            page(400, "denied", "Qonto was not connected", &message, None)
        }
        CallbackKind::Malformed => page(
            400,
            "invalid_request",
            "Qonto was not connected",
            "This address must be opened by Qonto, with a code and a state. Start again from the admin page.",
            None,
        ),
        CallbackKind::Code { code, state } => {
            if !oauth_state_is_bound(&req, &cx.config, &state) {
                // Not used up: the admin who started it can still finish.
                log::warn(
                    &cx.request_id,
                    "oauth callback from another browser or session refused",
                    json!({}),
                );
                return page(
                    400,
                    "other_session",
                    "Qonto was not connected",
                    "This connection was started from another browser or admin session, so it was not used \
                     (a leaked link must not connect the shop to someone else's Qonto account). Sign in at \
                     the admin page in this browser and press \"Connect Qonto\" again.",
                    None,
                );
            }
            match tokens::exchange_code(cx, &state, &code, &redirect_uri(cx)).await? {
                ExchangeOutcome::Connected { scope, refreshable } => {
                    crate::connection_state::resume_quietly(cx, "qonto connected again").await;
                    let missing = missing_scopes(&cx.config.scopes, scope.as_deref());
                    if !missing.is_empty() || !refreshable {
                        log::warn(
                            &cx.request_id,
                            "qonto granted fewer scopes than asked",
                            json!({"missing": missing, "refreshable": refreshable}),
                        );
                    }
                    let mut message = "The shop can now create payment links.".to_owned();
                    if !missing.is_empty() {
                        message.push_str(&format!(
                            " Qonto did not grant: {}. Enable them for the app in Qonto's Developer Portal and connect again.",
                            missing.join(", ")
                        ));
                    }
                    let mut resp = page(200, "connected", "Qonto is connected", &message, None)?;
                    let _ = resp
                        .headers_mut()
                        .append("set-cookie", &clear_oauth_cookie(cx));
                    Ok(resp)
                }
                ExchangeOutcome::InvalidState => page(
                    400,
                    "invalid_state",
                    "Qonto was not connected",
                    "This connection link is unknown, has expired (10 minutes) or was already used. Start again from the admin page.",
                    None,
                ),
                ExchangeOutcome::Failed { detail } => {
                    log::error(&cx.request_id, "oauth code exchange failed", json!({"detail": detail}));
                    let message = if is_gate_detail(cx.config.environment, &detail) {
                        format!(
                            "Qonto did not accept the connection: {}.",
                            crate::qonto::html_answer_problem(cx.config.environment, 403)
                        )
                    } else {
                        "Qonto did not accept the connection (the code may have expired). Start again from the admin page.".to_owned()
                    };
                    page(502, "exchange_failed", "Qonto was not connected", &message, None)
                }
            }
        }
    }
}

fn redirect_uri(cx: &Cx) -> String {
    format!("{}{CALLBACK_PATH}", cx.self_origin)
}

/// Qonto's authorization URL (`/oauth2/auth`).
fn authorize_url(
    oauth_url: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", state)
        .finish();
    format!("{oauth_url}/oauth2/auth?{query}")
}

/// The requested scopes Qonto did not grant.
fn missing_scopes<'s>(asked: &'s [String], granted: Option<&str>) -> Vec<&'s str> {
    let granted: Vec<&str> = granted.unwrap_or("").split_whitespace().collect();
    asked
        .iter()
        .map(String::as_str)
        .filter(|s| !granted.contains(s))
        .collect()
}

/// The scope Qonto's `invalid_scope` description names, if it is one we
/// asked for (Hydra says "... is not allowed to request scope 'webhook'").
/// Only a scope of ours is repeated: the description is untrusted text.
fn refused_scope<'s>(description: Option<&str>, asked: &'s [String]) -> Option<&'s str> {
    let d = description?;
    asked
        .iter()
        .map(String::as_str)
        .find(|s| d.contains(&format!("'{s}'")) || d.contains(&format!("\"{s}\"")))
}

/// What the merchant must do about `invalid_scope`.
fn invalid_scope_message(refused: Option<&str>, asked: &[String]) -> String {
    let which = match refused {
        Some(s) => format!("the scope {s}"),
        None => format!("one of the scopes asked for ({})", asked.join(", ")),
    };
    let remove = match refused {
        Some(s) => format!("remove {s} from QONTO_SCOPES"),
        None => "remove the scopes the app may not have from QONTO_SCOPES".to_owned(),
    };
    format!(
        "Qonto refused the authorization because the app is not allowed {which}. Either allow it: in \
         Qonto's Developer Portal (developers.qonto.com), open your app, enable {which} in its scopes \
         (some scopes need Qonto's approval) and save; or {remove} (now: {}), redeploy, and press \
         \"Connect Qonto\" again. payment_link.read and payment_link.write are always needed; \
         offline_access keeps the connection beyond an hour.",
        asked.join(" ")
    )
}

/// Whether a failed code exchange's detail is the sandbox gate's HTML page
/// (the token store describes such an answer as having no JSON error body).
fn is_gate_detail(environment: Environment, detail: &str) -> bool {
    environment == Environment::Sandbox
        && (detail.contains("without a JSON:API error body")
            || detail.contains("malformed token response"))
}

/// The callback's query.
#[derive(Debug, Default, PartialEq, Eq)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// What the callback is.
#[derive(Debug, PartialEq, Eq)]
enum CallbackKind {
    /// Consent given: exchange the code.
    Code { code: String, state: String },
    /// Declined, or an OAuth error from Qonto.
    Denied {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
    /// Neither: not a real callback.
    Malformed,
}

impl CallbackParams {
    fn parse(query: &str) -> CallbackParams {
        let mut p = CallbackParams::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = Some(v.into_owned()).filter(|v| !v.is_empty());
            match k.as_ref() {
                "code" => p.code = v,
                "state" => p.state = v,
                "error" => p.error = v,
                "error_description" => p.error_description = v,
                _ => {}
            }
        }
        p
    }

    fn kind(self) -> CallbackKind {
        match self {
            CallbackParams {
                error: Some(error),
                error_description,
                state,
                ..
            } => {
                // Only a short, plain error code is worth repeating.
                let error = if error.len() <= 64
                    && error
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    error
                } else {
                    "unknown_error".into()
                };
                let description = error_description.filter(|d| d.len() <= 1024);
                CallbackKind::Denied {
                    error,
                    description,
                    state,
                }
            }
            CallbackParams {
                code: Some(code),
                state: Some(state),
                error: None,
                ..
            } => CallbackKind::Code { code, state },
            _ => CallbackKind::Malformed,
        }
    }
}

/// A small page for the merchant's browser, with the outcome machine-readable
/// in `#result[data-outcome]` (and `data-scope` for `invalid_scope`).
fn page(
    status: u16,
    outcome: &str,
    title: &str,
    message: &str,
    scope: Option<&str>,
) -> EdgeResult<Response> {
    let link = if outcome == "connected" {
        format!("{ADMIN_PATH}?connected=1")
    } else {
        ADMIN_PATH.to_owned()
    };
    let scope_attr = scope
        .map(|s| format!(" data-scope=\"{}\"", escape(s)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title></head>\
         <body><main><h1>{t}</h1><p id=\"result\" data-outcome=\"{o}\"{scope_attr}>{m}</p>\
         <p><a href=\"{l}\">Back to the admin page</a></p></main></body></html>",
        t = escape(title),
        o = escape(outcome),
        m = escape(message),
        l = escape(&link),
    );
    Ok(Response::builder()
        .with_status(status)
        .with_header("content-type", "text/html; charset=utf-8")?
        .with_header("cache-control", "no-store")?
        // The callback URL carries the code: never send it on as a referrer.
        .with_header("referrer-policy", "no-referrer")?
        .with_header(
            "content-security-policy",
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        )?
        .fixed(html.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_authorize_url_has_every_parameter() {
        let url = authorize_url(
            "https://oauth.qonto.com",
            "client-1",
            "https://pay.example.com/oauth/callback",
            &scopes(&["payment_link.read", "payment_link.write", "offline_access"]),
            "abc123",
        );
        assert_eq!(
            url,
            "https://oauth.qonto.com/oauth2/auth?client_id=client-1\
             &redirect_uri=https%3A%2F%2Fpay.example.com%2Foauth%2Fcallback&response_type=code\
             &scope=payment_link.read+payment_link.write+offline_access\
             &state=abc123"
        );
    }

    #[test]
    fn callbacks_are_classified() {
        let kind = |q: &str| CallbackParams::parse(q).kind();
        assert_eq!(
            kind("code=c1&state=s1&scope=x"),
            CallbackKind::Code {
                code: "c1".into(),
                state: "s1".into()
            }
        );
        assert_eq!(
            kind("error=access_denied&error_description=no&state=s1"),
            CallbackKind::Denied {
                error: "access_denied".into(),
                description: Some("no".into()),
                state: Some("s1".into())
            }
        );
        assert_eq!(
            kind("error=%3Cscript%3E"),
            CallbackKind::Denied {
                error: "unknown_error".into(),
                description: None,
                state: None
            }
        );
        assert_eq!(kind("code=c1"), CallbackKind::Malformed);
        assert_eq!(kind("state=s1&code="), CallbackKind::Malformed);
        assert_eq!(kind(""), CallbackKind::Malformed);
    }

    #[test]
    fn missing_scopes_are_listed() {
        let asked = scopes(&[
            "payment_link.read",
            "payment_link.write",
            "webhook",
            "offline_access",
        ]);
        assert!(missing_scopes(
            &asked,
            Some("offline_access webhook payment_link.write payment_link.read")
        )
        .is_empty());
        assert_eq!(
            missing_scopes(
                &asked,
                Some("payment_link.read payment_link.write offline_access")
            ),
            ["webhook"]
        );
        assert_eq!(missing_scopes(&asked, None).len(), 4);
    }

    #[test]
    fn the_refused_scope_is_named_only_if_it_is_ours() {
        let asked = scopes(&["payment_link.read", "payment_link.write", "webhook"]);
        let hydra = "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'webhook'.";
        assert_eq!(refused_scope(Some(hydra), &asked), Some("webhook"));
        assert_eq!(
            refused_scope(Some("not allowed to request scope '<script>'"), &asked),
            None
        );
        assert_eq!(refused_scope(None, &asked), None);
        let m = invalid_scope_message(Some("webhook"), &asked);
        assert!(m.contains("not allowed the scope webhook"), "{m}");
        assert!(
            m.contains("Developer Portal") && m.contains("remove webhook from QONTO_SCOPES"),
            "{m}"
        );
        let m = invalid_scope_message(None, &asked);
        assert!(
            m.contains("payment_link.read, payment_link.write, webhook"),
            "{m}"
        );
    }

    #[test]
    fn the_sandbox_gate_is_recognised_in_a_failed_exchange() {
        assert!(is_gate_detail(
            Environment::Sandbox,
            "HTTP 403 without a JSON:API error body"
        ));
        assert!(!is_gate_detail(
            Environment::Production,
            "HTTP 403 without a JSON:API error body"
        ));
        assert!(!is_gate_detail(
            Environment::Sandbox,
            "invalid_grant: expired"
        ));
    }
}
