//! Connecting the shop to Qonto, for the merchant:
//!
//! - `GET /admin/oauth/start` (admin) sends the merchant's browser to Qonto's
//!   consent page with a single-use `state` kept 10 minutes by the token store;
//! - `GET /oauth/callback` is where Qonto sends the browser back. It has no
//!   admin check (the browser comes from Qonto, possibly without the admin
//!   cookie): the unexpired, single-use `state` is the check. The code is
//!   exchanged inside the token store, which keeps the tokens;
//! - `GET|POST /admin/connection` (admin) read and start the payment
//!   provider connection (Mollie onboarding) that payment links need.
//!
//! Payment links are OAuth-only at Qonto (an API key reaches only a mostly
//! read-only subset of endpoints), so this is the one way to make the shop
//! work.

use crate::auth::require_admin;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{read_json, Cx, MAX_BODY_BYTES};
use crate::log;
use crate::qonto::Qonto;
use crate::tokens::{self, ExchangeOutcome};
use serde::Deserialize;
use serde_json::json;
use shared::api::ApiProblem;
use shared::html::escape;
use shared::qonto::{Connection, CreateConnection};
use worker::{Request, Response};

/// The scopes the shop asks for (Qonto's OAuth scopes): payment links, the
/// invoices behind invoice links, webhooks, a refresh token, and the bank
/// accounts (to pick the one payment links credit).
pub(crate) const SCOPES: &[&str] = &[
    "payment_link.read",
    "payment_link.write",
    "client_invoices.read",
    "webhook",
    "offline_access",
    "organization.read",
];

/// Where Qonto sends the browser back.
const CALLBACK_PATH: &str = "/oauth/callback";
/// Where the merchant lands afterwards.
const ADMIN_PATH: &str = "/admin";

/// `GET /admin/oauth/start`: 302 to Qonto's consent page.
pub(crate) async fn start(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    if cx.config.client_id.is_empty() || cx.config.client_secret.is_empty() {
        return Err(EdgeError::Misconfigured(cx.config.problems.clone()));
    }
    let state = tokens::new_state(cx).await?;
    let location = authorize_url(
        &cx.config.oauth_url,
        &cx.config.client_id,
        &redirect_uri(cx),
        &state,
    );
    log::info(
        &cx.request_id,
        "oauth connect started",
        json!({"oauth_url": cx.config.oauth_url}),
    );
    Ok(Response::builder()
        .with_status(302)
        .with_header("location", &location)?
        .with_header("cache-control", "no-store")?
        .empty())
}

/// `GET /oauth/callback?code&state` (or `?error=access_denied&state`).
pub(crate) async fn callback(req: Request, cx: &Cx) -> EdgeResult<Response> {
    let url = req.url()?;
    let params = CallbackParams::parse(url.query().unwrap_or(""));
    match params.kind() {
        CallbackKind::Denied { error, state } => {
            // Use the state up: this consent round is over.
            if let Some(state) = state {
                tokens::consume_state(cx, &state).await?;
            }
            log::warn(&cx.request_id, "oauth connect not completed", json!({"error": error}));
            let message = if error == "access_denied" {
                "The access was declined at Qonto, so nothing changed. You can start again from the admin page.".to_owned()
            } else {
                format!("Qonto answered \"{error}\", so nothing changed. You can start again from the admin page.")
            };
            page(400, "denied", "Qonto was not connected", &message)
        }
        CallbackKind::Malformed => page(
            400,
            "invalid_request",
            "Qonto was not connected",
            "This address must be opened by Qonto, with a code and a state. Start again from the admin page.",
        ),
        CallbackKind::Code { code, state } => {
            match tokens::exchange_code(cx, &state, &code, &redirect_uri(cx)).await? {
                ExchangeOutcome::Connected { scope, refreshable } => {
                    let missing = missing_scopes(scope.as_deref());
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
                            " Qonto did not grant: {}. Enable them for the app in Qonto's developer portal and connect again.",
                            missing.join(", ")
                        ));
                    }
                    page(200, "connected", "Qonto is connected", &message)
                }
                ExchangeOutcome::InvalidState => page(
                    400,
                    "invalid_state",
                    "Qonto was not connected",
                    "This connection link is unknown, has expired (10 minutes) or was already used. Start again from the admin page.",
                ),
                ExchangeOutcome::Failed { detail } => {
                    log::error(&cx.request_id, "oauth code exchange failed", json!({"detail": detail}));
                    page(
                        502,
                        "exchange_failed",
                        "Qonto was not connected",
                        "Qonto did not accept the connection (the code may have expired). Start again from the admin page.",
                    )
                }
            }
        }
    }
}

/// `GET /admin/connection`: the payment provider connection's status.
pub(crate) async fn get_connection(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let body = match Qonto::new(cx).get_connection().await? {
        Some(c) => connection_json(&c),
        None => json!({"status": "not_connected"}),
    };
    Ok(json_response(&body, 200))
}

/// `POST /admin/connection`: starts the provider onboarding; the answer's
/// `connection_location` is where the merchant continues.
pub(crate) async fn create_connection(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let input: ConnectionInput = read_json(&mut req, MAX_BODY_BYTES).await?;
    let body = validate_connection(input, &cx.self_origin).map_err(EdgeError::Invalid)?;
    let connection = Qonto::new(cx).create_connection(&body).await?;
    log::info(
        &cx.request_id,
        "provider connection requested",
        json!({"status": connection.status.as_str()}),
    );
    Ok(json_response(&connection_json(&connection), 201))
}

fn connection_json(c: &Connection) -> serde_json::Value {
    let mut v = json!({"status": c.status.as_str()});
    if let Some(l) = &c.connection_location {
        v["connection_location"] = json!(l);
    }
    if let Some(b) = &c.bank_account_id {
        v["bank_account_id"] = json!(b);
    }
    v
}

fn redirect_uri(cx: &Cx) -> String {
    format!("{}{CALLBACK_PATH}", cx.self_origin)
}

/// Qonto's authorization URL (`{oauth_url}/oauth2/auth`, the authorization-
/// code flow).
fn authorize_url(oauth_url: &str, client_id: &str, redirect_uri: &str, state: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &SCOPES.join(" "))
        .append_pair("state", state)
        .finish();
    format!("{oauth_url}/oauth2/auth?{query}")
}

/// The requested scopes Qonto did not grant.
fn missing_scopes(granted: Option<&str>) -> Vec<&'static str> {
    let granted: Vec<&str> = granted.unwrap_or("").split_whitespace().collect();
    SCOPES
        .iter()
        .copied()
        .filter(|s| !granted.contains(s))
        .collect()
}

/// The callback's query.
#[derive(Debug, Default, PartialEq, Eq)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// What the callback is.
#[derive(Debug, PartialEq, Eq)]
enum CallbackKind {
    /// Consent given: exchange the code.
    Code { code: String, state: String },
    /// Declined, or an OAuth error from Qonto.
    Denied {
        error: String,
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
                _ => {}
            }
        }
        p
    }

    fn kind(self) -> CallbackKind {
        match self {
            CallbackParams {
                error: Some(error),
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
                CallbackKind::Denied { error, state }
            }
            CallbackParams {
                code: Some(code),
                state: Some(state),
                error: None,
            } => CallbackKind::Code { code, state },
            _ => CallbackKind::Malformed,
        }
    }
}

/// A small page for the merchant's browser, with the outcome machine-readable
/// in `#result[data-outcome]`.
fn page(status: u16, outcome: &str, title: &str, message: &str) -> EdgeResult<Response> {
    let link = if outcome == "connected" {
        format!("{ADMIN_PATH}?connected=1")
    } else {
        ADMIN_PATH.to_owned()
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title></head>\
         <body><main><h1>{t}</h1><p id=\"result\" data-outcome=\"{o}\">{m}</p>\
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

/// `POST /admin/connection` body. Everything optional here so that a missing
/// field is a 422 naming it, not a 400 about the shape.
#[derive(Debug, Default, Deserialize)]
struct ConnectionInput {
    #[serde(default)]
    partner_callback_url: Option<String>,
    #[serde(default)]
    user_bank_account_id: Option<String>,
    #[serde(default)]
    user_phone_number: Option<String>,
    #[serde(default)]
    business_description: Option<String>,
    #[serde(default)]
    user_website_url: Option<String>,
}

/// Qonto's minimum length for `business_description` when connecting to the
/// payment provider.
const MIN_DESCRIPTION_CHARS: usize = 80;

/// Validates like Qonto does (so the merchant gets a 422 naming the field,
/// not a 502 with Qonto's text in our log), filling the callback default.
fn validate_connection(
    input: ConnectionInput,
    self_origin: &str,
) -> Result<CreateConnection, Vec<ApiProblem>> {
    let mut problems = Vec::new();
    let mut problem = |code: &'static str, message: &str, field: &str| {
        problems.push(ApiProblem {
            code,
            message: message.to_owned(),
            field: Some(field.to_owned()),
        })
    };
    let trimmed = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());

    let callback =
        trimmed(input.partner_callback_url).unwrap_or_else(|| format!("{self_origin}{ADMIN_PATH}"));
    if !is_http_url(&callback) {
        problem(
            "invalid_url",
            "partner_callback_url must be an http(s) URL.",
            "partner_callback_url",
        );
    }
    let account = trimmed(input.user_bank_account_id);
    match &account {
        None => problem(
            "missing_field",
            "user_bank_account_id is required.",
            "user_bank_account_id",
        ),
        Some(a) if !crate::ids::is_uuid(a) => problem(
            "invalid_bank_account_id",
            "user_bank_account_id must be a Qonto bank account id (a UUID).",
            "user_bank_account_id",
        ),
        Some(_) => {}
    }
    let phone = trimmed(input.user_phone_number);
    match &phone {
        None => problem(
            "missing_field",
            "user_phone_number is required.",
            "user_phone_number",
        ),
        Some(p) if !is_e164(p) => problem(
            "invalid_phone",
            "user_phone_number must be in E.164 format, e.g. +33612345678.",
            "user_phone_number",
        ),
        Some(_) => {}
    }
    let description = trimmed(input.business_description);
    match &description {
        None => problem(
            "missing_field",
            "business_description is required.",
            "business_description",
        ),
        Some(d) if d.chars().count() < MIN_DESCRIPTION_CHARS => problem(
            "too_short",
            "business_description must be at least 80 characters long.",
            "business_description",
        ),
        Some(_) => {}
    }
    let website = trimmed(input.user_website_url);
    if let Some(w) = &website {
        if !is_http_url(w) || w.contains('@') {
            problem(
                "invalid_url",
                "user_website_url must start with http:// or https:// and must not contain @.",
                "user_website_url",
            );
        }
    }
    match (problems.is_empty(), account, phone, description) {
        (true, Some(user_bank_account_id), Some(user_phone_number), Some(business_description)) => {
            Ok(CreateConnection {
                partner_callback_url: callback,
                user_bank_account_id,
                user_phone_number,
                business_description,
                user_website_url: website,
            })
        }
        _ => Err(problems),
    }
}

/// `+` then 2 to 15 digits, not starting with 0 (E.164).
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

/// `http(s)://` followed by a host, no whitespace.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIPTION: &str =
        "We sell hand-made ceramics and run pottery workshops in Lyon for adults and children alike.";

    fn input() -> ConnectionInput {
        ConnectionInput {
            partner_callback_url: None,
            user_bank_account_id: Some("46e9e0d2-f1af-4d2e-a6be-a536a604b89e".into()),
            user_phone_number: Some("+33612345678".into()),
            business_description: Some(DESCRIPTION.into()),
            user_website_url: Some("https://ceramics.example.com".into()),
        }
    }

    fn fields(r: Result<CreateConnection, Vec<ApiProblem>>) -> Vec<(String, &'static str)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.field.unwrap_or_default(), p.code))
            .collect()
    }

    #[test]
    fn a_valid_connection_gets_the_default_callback() {
        let body = validate_connection(input(), "https://pay.example.com").unwrap();
        assert_eq!(body.partner_callback_url, "https://pay.example.com/admin");
        assert_eq!(
            body.user_website_url.as_deref(),
            Some("https://ceramics.example.com")
        );
        let explicit = ConnectionInput {
            partner_callback_url: Some("https://x.example/cb".into()),
            user_website_url: None,
            ..input()
        };
        let body = validate_connection(explicit, "https://pay.example.com").unwrap();
        assert_eq!(body.partner_callback_url, "https://x.example/cb");
        assert_eq!(body.user_website_url, None);
    }

    #[test]
    fn every_invalid_field_is_named() {
        #[rustfmt::skip]
        let table: Vec<(ConnectionInput, Vec<(&str, &str)>)> = vec![
            (ConnectionInput { business_description: Some("Too short.".into()), ..input() }, vec![("business_description", "too_short")]),
            (ConnectionInput { business_description: Some(format!("{:<79}", "x")), ..input() }, vec![("business_description", "too_short")]),
            (ConnectionInput { user_phone_number: Some("0612345678".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_phone_number: Some("+0612345678".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_phone_number: Some("+336123456789012345".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_website_url: Some("https://me@example.com".into()), ..input() }, vec![("user_website_url", "invalid_url")]),
            (ConnectionInput { user_website_url: Some("example.com".into()), ..input() }, vec![("user_website_url", "invalid_url")]),
            (ConnectionInput { user_bank_account_id: Some("acc-1".into()), ..input() }, vec![("user_bank_account_id", "invalid_bank_account_id")]),
            (ConnectionInput { partner_callback_url: Some("javascript:alert(1)".into()), ..input() }, vec![("partner_callback_url", "invalid_url")]),
            (ConnectionInput::default(), vec![
                ("user_bank_account_id", "missing_field"),
                ("user_phone_number", "missing_field"),
                ("business_description", "missing_field"),
            ]),
        ];
        for (input, want) in table {
            let got = fields(validate_connection(input, "https://pay.example.com"));
            let want: Vec<(String, &str)> =
                want.into_iter().map(|(f, c)| (f.to_owned(), c)).collect();
            assert_eq!(got, want);
        }
        // Exactly 80 characters is enough (counted as characters, not bytes).
        let eighty = "é".repeat(80);
        assert!(validate_connection(
            ConnectionInput {
                business_description: Some(eighty),
                ..input()
            },
            "https://a.b"
        )
        .is_ok());
    }

    #[test]
    fn the_authorize_url_has_every_parameter() {
        let url = authorize_url(
            "https://oauth.qonto.com",
            "client-1",
            "https://pay.example.com/oauth/callback",
            "abc123",
        );
        assert_eq!(
            url,
            "https://oauth.qonto.com/oauth2/auth?client_id=client-1\
             &redirect_uri=https%3A%2F%2Fpay.example.com%2Foauth%2Fcallback&response_type=code\
             &scope=payment_link.read+payment_link.write+client_invoices.read+webhook+offline_access+organization.read\
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
                state: Some("s1".into())
            }
        );
        assert_eq!(
            kind("error=%3Cscript%3E"),
            CallbackKind::Denied {
                error: "unknown_error".into(),
                state: None
            }
        );
        assert_eq!(kind("code=c1"), CallbackKind::Malformed);
        assert_eq!(kind("state=s1&code="), CallbackKind::Malformed);
        assert_eq!(kind(""), CallbackKind::Malformed);
    }

    #[test]
    fn missing_scopes_are_listed() {
        assert!(missing_scopes(Some(&SCOPES.join(" "))).is_empty());
        assert_eq!(
            missing_scopes(Some("payment_link.read payment_link.write offline_access")),
            ["client_invoices.read", "webhook", "organization.read"]
        );
        assert_eq!(missing_scopes(None).len(), SCOPES.len());
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
