//! The payment provider connection that payment links need (Mollie
//! onboarding through Qonto) and the organisation
//! behind it, for the admin page. These are not OAuth: they use the tokens
//! the `oauth` routes obtained.
//!
//! - `GET /admin/connection`: the connection's status (`not_connected` when
//!   Qonto has none: its 404);
//! - `POST /admin/connection`: starts the onboarding, validated first as
//!   Qonto would (so the merchant gets a 422 naming the field, not a 502).
//!   Qonto allows one connection per user: when it refuses a second one
//!   (`multiple_connections_not_allowed`), the existing one is shown;
//! - `GET /admin/organization`: the organisation's name and its bank
//!   accounts (main first, IBAN masked), to pick `user_bank_account_id`
//!   from a list. Needs `organization.read` in `QONTO_SCOPES`; without it
//!   the admin page asks for the account id instead.
//!
//! And [`add_status`], the connection's part of `/admin/status`: the
//! organisation's name, the connection state and whether payments are
//! paused (see `connection_state`).

use crate::auth::require_admin;
use crate::config::Environment;
use crate::connection_state;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{read_json, Cx, MAX_BODY_BYTES};
use crate::log;
use crate::oauth::ADMIN_PATH;
use crate::qonto::Qonto;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::api::ApiProblem;
use shared::qonto::{Connection, CreateConnection};
use worker::{Request, Response};

/// Qonto's error code for a second connection (integrators then read the
/// existing one with `GET`).
const MULTIPLE_CONNECTIONS: &str = "multiple_connections_not_allowed";

/// `GET /admin/connection`: the payment provider connection's status.
pub(crate) async fn get_connection(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let body = match Qonto::new(cx).get_connection().await? {
        Some(c) => {
            heal_if_enabled(cx, &c).await;
            connection_json(&c)
        }
        None => json!({"status": "not_connected"}),
    };
    Ok(json_response(&body, 200))
}

/// `POST /admin/connection`: starts the provider onboarding; the answer's
/// `connection_location` is where the merchant continues. A connection
/// Qonto already has is answered `200` with `"existing": true`.
pub(crate) async fn create_connection(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let input: ConnectionInput = read_json(&mut req, MAX_BODY_BYTES).await?;
    let body = validate_connection(input, &cx.self_origin, cx.config.environment)
        .map_err(EdgeError::Invalid)?;
    let qonto = Qonto::new(cx);
    match qonto.create_connection(&body).await {
        Ok(connection) => {
            log::info(
                &cx.request_id,
                "provider connection requested",
                json!({"status": connection.status.as_str()}),
            );
            Ok(json_response(&connection_json(&connection), 201))
        }
        Err(EdgeError::QontoRejected { detail, .. }) if detail.contains(MULTIPLE_CONNECTIONS) => {
            log::info(
                &cx.request_id,
                "qonto has a connection already; showing it",
                json!({"detail": detail}),
            );
            let mut existing = match qonto.get_connection().await? {
                Some(c) => connection_json(&c),
                None => json!({"status": "unknown"}),
            };
            existing["existing"] = json!(true);
            existing["message"] = json!(
                "Qonto allows one payment-link connection per user, and this user has one already: \
                 here it is. Finish it at connection_location if it is not enabled yet."
            );
            Ok(json_response(&existing, 200))
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/organization`: `{available, name, bank_accounts: [{id, name,
/// iban (masked), main}]}`; `available: false` with a `reason` when the
/// scope is missing.
pub(crate) async fn get_organization(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    if !has_scope(cx, "organization.read") {
        return Ok(json_response(&no_organization_scope(), 200));
    }
    match Qonto::new(cx).get_organization().await {
        Ok(org) => Ok(json_response(
            &json!({
                "available": true,
                "name": org.display_name(),
                "bank_accounts": org.accounts_json(),
            }),
            200,
        )),
        Err(EdgeError::QontoRejected {
            status: 403,
            detail,
        }) => {
            log::warn(
                &cx.request_id,
                "qonto refused the organization read",
                json!({"detail": detail}),
            );
            Ok(json_response(&no_organization_scope(), 200))
        }
        Err(e) => Err(e),
    }
}

fn no_organization_scope() -> Value {
    json!({
        "available": false,
        "reason": "organization.read is not granted (add it to QONTO_SCOPES, allow it for the app in \
                   Qonto's Developer Portal and connect again): enter the bank account id instead",
    })
}

fn has_scope(cx: &Cx, scope: &str) -> bool {
    cx.config.scopes.iter().any(|s| s == scope)
}

/// The connection's part of `/admin/status`: `organization` (name),
/// `payments_paused` (with `paused_since`, `paused_reason`),
/// `connection_state` (`paused` or the connection's status) and `warnings`.
/// `body["connection"]` is the connection status `admin::status` read.
pub(crate) async fn add_status(cx: &Cx, body: &mut Value) {
    if body["connection"] == "enabled" {
        connection_state::resume_quietly(cx, "qonto reports the connection enabled").await;
    }
    let paused = connection_state::paused(cx).await.unwrap_or_else(|e| {
        log::warn(
            &cx.request_id,
            "payments pause unreadable",
            json!({"error": format!("{e:?}")}),
        );
        None
    });
    body["payments_paused"] = json!(paused.is_some());
    if let Some(p) = &paused {
        body["paused_since"] = json!(p.since);
        body["paused_reason"] = json!(p.reason);
        body["connection_state"] = json!("paused");
        body["paused_message"] = json!(connection_state::PAUSED_PROBLEM);
    } else {
        body["connection_state"] = body["connection"].clone();
    }
    body["scopes"] = json!(cx.config.scopes);
    body["warnings"] = json!(cx.config.warnings);
    if body["qonto"] == "connected" && has_scope(cx, "organization.read") {
        body["organization"] = match Qonto::new(cx).get_organization().await {
            Ok(org) => json!({"name": org.display_name()}),
            Err(e) => json!({"name": null, "error": e.status()}),
        };
    }
}

/// A `v1/payment-links-connections` event: `connection_revoked` pauses
/// payments, `connection_enabled` resumes them. Both are small D1 writes,
/// done before the 2xx (well within Qonto's second). Other events are
/// logged and acknowledged.
pub(crate) async fn on_connection_event(
    cx: &Cx,
    event: &shared::qonto::WebhookEvent,
) -> EdgeResult<()> {
    let name = event.data["event"].as_str().unwrap_or("");
    log::info(
        &cx.request_id,
        "connection webhook accepted",
        json!({"event": event.id, "name": name}),
    );
    match name {
        "connection_revoked" => connection_state::pause(cx, "connection_revoked webhook").await,
        "connection_enabled" => connection_state::resume(cx, "connection_enabled webhook")
            .await
            .map(|_| ()),
        _ => Ok(()),
    }
}

/// Qonto says the connection is enabled: whatever paused payments is over.
async fn heal_if_enabled(cx: &Cx, c: &Connection) {
    if c.status.as_str() == "enabled" {
        connection_state::resume_quietly(cx, "qonto reports the connection enabled").await;
    }
}

fn connection_json(c: &Connection) -> Value {
    let mut v = json!({"status": c.status.as_str()});
    if let Some(l) = &c.connection_location {
        v["connection_location"] = json!(l);
    }
    if let Some(b) = &c.bank_account_id {
        v["bank_account_id"] = json!(b);
    }
    v
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

/// Qonto's documented minimum for `business_description`.
const MIN_DESCRIPTION_CHARS: usize = 80;
/// Our maximum for it: Qonto documents none, and a description is a few
/// sentences; this keeps a pasted document from reaching Qonto.
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Validates like Qonto does (so the merchant gets a 422 naming the field,
/// not a 502 with Qonto's text in our log), filling the callback default.
/// The website is required (the provider will not activate without one; a
/// LinkedIn page is accepted). In production, localhost and private-network
/// hosts are refused for the website and the callback: Qonto refuses them.
fn validate_connection(
    input: ConnectionInput,
    self_origin: &str,
    environment: Environment,
) -> Result<CreateConnection, Vec<ApiProblem>> {
    let production = environment == Environment::Production;
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
    } else if production && is_private_url(&callback) {
        problem(
            "private_url",
            "partner_callback_url points to localhost or a private network, which Qonto refuses: \
             use the shop's public address (or leave it out to use this edge's /admin).",
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
            &format!(
                "business_description must be at least 80 characters long (it has {}).",
                d.chars().count()
            ),
            "business_description",
        ),
        Some(d) if d.chars().count() > MAX_DESCRIPTION_CHARS => problem(
            "too_long",
            &format!(
                "business_description must be at most {MAX_DESCRIPTION_CHARS} characters long (it has {}).",
                d.chars().count()
            ),
            "business_description",
        ),
        Some(_) => {}
    }
    let website = trimmed(input.user_website_url);
    match &website {
        None => problem(
            "missing_field",
            "user_website_url is required: the payment provider activates payment links only for a \
             business with a website (a LinkedIn or other public business page is accepted).",
            "user_website_url",
        ),
        Some(w) if !is_http_url(w) || w.contains('@') => problem(
            "invalid_url",
            "user_website_url must start with http:// or https:// and must not contain @.",
            "user_website_url",
        ),
        Some(w) if production && is_private_url(w) => problem(
            "private_url",
            "user_website_url points to localhost or a private network, which Qonto refuses: give \
             the shop's public website (or a LinkedIn or other public business page).",
            "user_website_url",
        ),
        Some(_) => {}
    }
    match (problems.is_empty(), account, phone, description, website) {
        (
            true,
            Some(user_bank_account_id),
            Some(user_phone_number),
            Some(business_description),
            Some(website),
        ) => Ok(CreateConnection {
            partner_callback_url: callback,
            user_bank_account_id,
            user_phone_number,
            business_description,
            user_website_url: Some(website),
        }),
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

/// Whether an http(s) URL's host is localhost, a `.local`/`.internal` name
/// or an address of a loopback, private, link-local or unspecified network.
fn is_private_url(s: &str) -> bool {
    let Ok(url) = worker::Url::parse(s) else {
        return false;
    };
    match url.host() {
        None => true,
        Some(worker::url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
        }
        Some(worker::url::Host::Ipv4(ip)) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.octets()[0] == 0
                || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
        }
        Some(worker::url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private())
        }
    }
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

    const SANDBOX: Environment = Environment::Sandbox;
    const PRODUCTION: Environment = Environment::Production;

    #[test]
    fn a_valid_connection_gets_the_default_callback() {
        let body = validate_connection(input(), "https://pay.example.com", PRODUCTION).unwrap();
        assert_eq!(body.partner_callback_url, "https://pay.example.com/admin");
        assert_eq!(
            body.user_website_url.as_deref(),
            Some("https://ceramics.example.com")
        );
        let explicit = ConnectionInput {
            partner_callback_url: Some("https://x.example/cb".into()),
            ..input()
        };
        let body = validate_connection(explicit, "https://pay.example.com", PRODUCTION).unwrap();
        assert_eq!(body.partner_callback_url, "https://x.example/cb");
    }

    #[test]
    fn every_invalid_field_is_named() {
        #[rustfmt::skip]
        let table: Vec<(ConnectionInput, Vec<(&str, &str)>)> = vec![
            (ConnectionInput { business_description: Some("Too short.".into()), ..input() }, vec![("business_description", "too_short")]),
            (ConnectionInput { business_description: Some(format!("{:<79}", "x")), ..input() }, vec![("business_description", "too_short")]),
            (ConnectionInput { business_description: Some("x".repeat(1001)), ..input() }, vec![("business_description", "too_long")]),
            (ConnectionInput { user_phone_number: Some("0612345678".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_phone_number: Some("+0612345678".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_phone_number: Some("+336123456789012345".into()), ..input() }, vec![("user_phone_number", "invalid_phone")]),
            (ConnectionInput { user_website_url: Some("https://me@example.com".into()), ..input() }, vec![("user_website_url", "invalid_url")]),
            (ConnectionInput { user_website_url: Some("example.com".into()), ..input() }, vec![("user_website_url", "invalid_url")]),
            (ConnectionInput { user_website_url: None, ..input() }, vec![("user_website_url", "missing_field")]),
            (ConnectionInput { user_bank_account_id: Some("acc-1".into()), ..input() }, vec![("user_bank_account_id", "invalid_bank_account_id")]),
            (ConnectionInput { partner_callback_url: Some("javascript:alert(1)".into()), ..input() }, vec![("partner_callback_url", "invalid_url")]),
            (ConnectionInput::default(), vec![
                ("user_bank_account_id", "missing_field"),
                ("user_phone_number", "missing_field"),
                ("business_description", "missing_field"),
                ("user_website_url", "missing_field"),
            ]),
        ];
        for (input, want) in table {
            let got = fields(validate_connection(
                input,
                "https://pay.example.com",
                SANDBOX,
            ));
            let want: Vec<(String, &str)> =
                want.into_iter().map(|(f, c)| (f.to_owned(), c)).collect();
            assert_eq!(got, want);
        }
        // Exactly 80 and 1000 characters are fine (counted as characters, not bytes).
        for n in [80, 1000] {
            let description = Some("é".repeat(n));
            assert!(validate_connection(
                ConnectionInput {
                    business_description: description,
                    ..input()
                },
                "https://a.b",
                PRODUCTION
            )
            .is_ok());
        }
    }

    #[test]
    fn private_hosts_are_refused_in_production_only() {
        let local = || ConnectionInput {
            user_website_url: Some("http://localhost:8080".into()),
            ..input()
        };
        assert!(validate_connection(local(), "http://127.0.0.1:8787", SANDBOX).is_ok());
        assert_eq!(
            fields(validate_connection(
                local(),
                "http://127.0.0.1:8787",
                PRODUCTION
            )),
            [
                ("partner_callback_url".to_owned(), "private_url"),
                ("user_website_url".to_owned(), "private_url")
            ]
        );
        for (url, private) in [
            ("http://localhost", true),
            ("http://shop.localhost:3000", true),
            ("http://127.0.0.1:8787/admin", true),
            ("http://10.1.2.3", true),
            ("http://172.20.0.1", true),
            ("http://192.168.1.10", true),
            ("http://169.254.1.1", true),
            ("http://0.0.0.0", true),
            ("http://[::1]:8080", true),
            ("http://[fd00::1]", true),
            ("http://printer.local", true),
            ("https://ceramics.example.com", false),
            ("https://www.linkedin.com/company/ceramics", false),
            ("http://8.8.8.8", false),
            ("http://172.32.0.1", false),
        ] {
            assert_eq!(is_private_url(url), private, "{url}");
        }
    }
}
