//! `/_control`: test controls, no authentication (see the crate docs for the
//! full list). Never part of Qonto's API; requests here are not logged.

use crate::api::{connection_json, link_with_payments};
use crate::app::{new_id, App, ConnectionRecord, FaultKind, FaultRule, State as FakeState};
use crate::errors;
use crate::flows::{self, Outcome, OutcomeError};
use crate::oauth;
use crate::pricing::{Rounding, VatReading};
use crate::webhooks;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::qonto::{
    ClientInvoice, ConnectionStatus, PaymentMethod, PaymentMethodAvailability, PaymentStatus,
};
use shared::vat::VatRateFormat;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(index))
        .route("/reset", post(reset))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/webhooks", get(deliveries).delete(clear_deliveries))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/tokens", post(issue_tokens))
        .route("/tokens/expire", post(expire_tokens))
        .route("/tokens/revoke", post(revoke_refresh_tokens))
        .route("/client_invoices", get(invoices).post(seed_invoice))
        .route(
            "/connection",
            get(get_connection)
                .put(set_connection)
                .delete(delete_connection),
        )
        .route("/payment_methods", get(get_methods).put(set_methods))
        .route("/payment_links", get(links))
        .route("/payment_links/{id}", get(link))
        .route("/payment_links/{id}/{action}", post(link_action))
        .route("/subscriptions", get(subscriptions))
        .route("/settings", get(settings).patch(patch_settings))
}

fn ok(value: Value) -> Response {
    errors::json(StatusCode::OK, &value)
}

fn bad(message: impl Into<String>) -> Response {
    errors::json(StatusCode::BAD_REQUEST, &json!({ "error": message.into() }))
}

/// Parses an optional JSON body (empty means `default`).
fn body_or<T: for<'de> Deserialize<'de>>(body: &[u8], default: T) -> Result<T, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(default);
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

async fn index() -> Response {
    ok(json!({
        "endpoints": [
            "POST /_control/reset {tokens?: bool}",
            "GET|DELETE /_control/requests?path_prefix=&route=&method=",
            "GET|DELETE /_control/webhooks?url_prefix=&event=",
            "GET|POST|DELETE /_control/faults",
            "POST /_control/tokens {scope?}",
            "POST /_control/tokens/expire",
            "POST /_control/tokens/revoke",
            "GET|POST /_control/client_invoices",
            "GET|PUT|DELETE /_control/connection {status}",
            "GET|PUT /_control/payment_methods {enabled: [..]} | {payment_link_payment_methods: [..]}",
            "GET /_control/payment_links",
            "GET /_control/payment_links/{id}",
            "POST /_control/payment_links/{id}/{pay|fail|cancel|expire} {payment_method?, debitor_email?}",
            "POST /_control/payment_links/{id}/settle {status?: paid|authorized|failed}",
            "GET /_control/subscriptions",
            "GET|PATCH /_control/settings {vat_rate_format, rounding: per_line|total, vat_reading: as_validated|other_scale, pay_status: paid|pending|authorized, paid_amount_delta, link_stays_processing, webhooks, refuse_redirect_url, allowed_scopes?: [..] | \"any\", staging_token?, ...}"
        ]
    }))
}

#[derive(Deserialize, Default)]
struct ResetBody {
    /// Also forget issued tokens and codes.
    #[serde(default)]
    tokens: bool,
}

/// Back to the start state. Tokens survive unless `{"tokens": true}`, so a
/// client that went through OAuth once keeps working across tests.
async fn reset(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let body: ResetBody = match body_or(&body, ResetBody::default()) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut st = app.lock();
    let mut fresh = FakeState::new(&app.config);
    if !body.tokens {
        fresh.codes = std::mem::take(&mut st.codes);
        fresh.access_tokens = std::mem::take(&mut st.access_tokens);
        fresh.refresh_tokens = std::mem::take(&mut st.refresh_tokens);
    }
    *st = fresh;
    ok(json!({ "reset": true, "tokens_kept": !body.tokens }))
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The request log, oldest first, filtered by `path_prefix`, `route`,
/// `method`, `grant_type`.
async fn requests(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    let pairs = query_pairs(q.as_deref());
    let st = app.lock();
    let list: Vec<_> = st
        .requests
        .iter()
        .filter(|e| param(&pairs, "path_prefix").is_none_or(|p| e.path.starts_with(p)))
        .filter(|e| param(&pairs, "route").is_none_or(|r| e.route == r))
        .filter(|e| param(&pairs, "method").is_none_or(|m| e.method.eq_ignore_ascii_case(m)))
        .filter(|e| param(&pairs, "grant_type").is_none_or(|g| e.grant_type.as_deref() == Some(g)))
        .collect();
    errors::json(StatusCode::OK, &list)
}

async fn clear_requests(State(app): State<Arc<App>>) -> Response {
    app.lock().requests.clear();
    ok(json!({ "cleared": true }))
}

/// The webhook delivery log (one entry per attempt), oldest first,
/// filtered by `url_prefix`, `event`, `event_type`, `payment_link_id`.
async fn deliveries(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    let pairs = query_pairs(q.as_deref());
    let st = app.lock();
    let list: Vec<_> = st
        .deliveries
        .iter()
        .filter(|e| param(&pairs, "url_prefix").is_none_or(|p| e.url.starts_with(p)))
        .filter(|e| param(&pairs, "event").is_none_or(|v| e.event == v))
        .filter(|e| param(&pairs, "event_type").is_none_or(|v| e.event_type == v))
        .filter(|e| param(&pairs, "payment_link_id").is_none_or(|v| e.body.contains(v)))
        .collect();
    errors::json(StatusCode::OK, &list)
}

async fn clear_deliveries(State(app): State<Arc<App>>) -> Response {
    app.lock().deliveries.clear();
    ok(json!({ "cleared": true }))
}

/// `POST /_control/faults` body.
#[derive(Deserialize)]
struct FaultBody {
    method: Option<String>,
    path_prefix: Option<String>,
    route: Option<String>,
    /// How many matching requests get the fault (default 1).
    #[serde(default = "one")]
    times: u32,
    #[serde(flatten)]
    kind: FaultKind,
}

fn one() -> u32 {
    1
}

async fn faults(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    errors::json(StatusCode::OK, &st.faults)
}

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let body: FaultBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(format!("invalid fault: {e}")),
    };
    if body.times == 0 {
        return bad("times must be at least 1");
    }
    let mut st = app.lock();
    let rule = FaultRule {
        id: st.next_seq(),
        method: body.method,
        path_prefix: body.path_prefix,
        route: body.route,
        remaining: body.times,
        kind: body.kind,
    };
    st.faults.push(rule.clone());
    errors::json(StatusCode::CREATED, &rule)
}

async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    app.lock().faults.clear();
    ok(json!({ "cleared": true }))
}

#[derive(Deserialize)]
struct TokenBody {
    /// Space-separated scopes (default: everything the project needs).
    #[serde(default = "all_scopes")]
    scope: String,
}

/// The scopes the project asks for, plus `openid`.
fn all_scopes() -> String {
    "openid offline_access organization.read payment_link.read payment_link.write webhook client_invoices.read"
        .to_owned()
}

/// Mints tokens without the browser dance (a `TokenResponse`).
async fn issue_tokens(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let body: TokenBody = match body_or(
        &body,
        TokenBody {
            scope: all_scopes(),
        },
    ) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let scopes = body.scope.split_whitespace().map(str::to_owned).collect();
    let mut st = app.lock();
    let tokens = oauth::issue_tokens(&mut st, &app.config.client_id, scopes);
    errors::json(StatusCode::OK, &tokens)
}

/// Every access token expires now (the next `/v2` call gets a 401).
async fn expire_tokens(State(app): State<Arc<App>>) -> Response {
    let mut st = app.lock();
    let now = Instant::now();
    let mut n = 0;
    for t in st.access_tokens.values_mut() {
        if t.expires_at > now {
            t.expires_at = now;
            n += 1;
        }
    }
    ok(json!({ "expired": n }))
}

/// Every refresh token is revoked (the next refresh gets `invalid_grant`).
async fn revoke_refresh_tokens(State(app): State<Arc<App>>) -> Response {
    let mut st = app.lock();
    let mut n = 0;
    for t in st.refresh_tokens.values_mut() {
        if !t.revoked {
            t.revoked = true;
            n += 1;
        }
    }
    ok(json!({ "revoked": n }))
}

async fn invoices(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    errors::json(StatusCode::OK, &st.invoices)
}

/// Adds (or replaces, by id) a client invoice; `id` is generated when
/// missing. Accepts the invoice bare or wrapped in `client_invoice`.
async fn seed_invoice(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let mut value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(format!("invalid JSON body: {e}")),
    };
    if let Some(inner) = value.get("client_invoice").cloned() {
        value = inner;
    }
    if let Some(obj) = value.as_object_mut() {
        obj.entry("id").or_insert_with(|| Value::String(new_id()));
        obj.entry("organization_id")
            .or_insert_with(|| Value::String(crate::config::ORGANIZATION_ID.to_owned()));
    }
    let invoice: ClientInvoice = match serde_json::from_value(value) {
        Ok(i) => i,
        Err(e) => return bad(format!("invalid client invoice: {e}")),
    };
    let mut st = app.lock();
    st.invoices.retain(|i| i.id != invoice.id);
    st.invoices.push(invoice.clone());
    errors::json(StatusCode::CREATED, &invoice)
}

async fn get_connection(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    match &st.connection {
        Some(c) => errors::json(StatusCode::OK, &connection_json(&app, c)),
        None => ok(Value::Null),
    }
}

#[derive(Deserialize)]
struct ConnectionBody {
    status: String,
    bank_account_id: Option<String>,
}

/// Sets the connection's status (creating it if needed). Moving to or from
/// `enabled` sends `connection_enabled` / `connection_revoked`.
async fn set_connection(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let body: ConnectionBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(format!("invalid body: {e}")),
    };
    let status = ConnectionStatus::from_wire(&body.status);
    let (conn, deliveries) = {
        let mut st = app.lock();
        let was_enabled = st
            .connection
            .as_ref()
            .is_some_and(|c| c.status == ConnectionStatus::Enabled);
        let conn = st.connection.get_or_insert_with(|| ConnectionRecord {
            id: new_id(),
            status: status.clone(),
            bank_account_id: crate::config::BANK_ACCOUNT_ID.to_owned(),
            partner_callback_url: None,
        });
        conn.status = status.clone();
        if let Some(b) = body.bank_account_id {
            conn.bank_account_id = b;
        }
        let conn = connection_json(&app, conn);
        let now_enabled = status == ConnectionStatus::Enabled;
        let deliveries = match (was_enabled, now_enabled) {
            (false, true) => webhooks::connection_event(&st, "connection_enabled"),
            (true, false) => webhooks::connection_event(&st, "connection_revoked"),
            _ => Vec::new(),
        };
        (conn, deliveries)
    };
    webhooks::spawn(&app, deliveries);
    errors::json(StatusCode::OK, &conn)
}

/// No connection at all: `GET /v2/payment_links/connections` answers 404.
async fn delete_connection(State(app): State<Arc<App>>) -> Response {
    app.lock().connection = None;
    ok(json!({ "deleted": true }))
}

async fn get_methods(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    errors::json(StatusCode::OK, &st.payment_methods)
}

#[derive(Deserialize)]
struct MethodsBody {
    /// Names to enable; every other known method is disabled, unknown names
    /// are added.
    enabled: Option<Vec<String>>,
    /// Or the full list, in the API's shape.
    payment_link_payment_methods: Option<Vec<PaymentMethodAvailability>>,
}

async fn set_methods(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let body: MethodsBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(format!("invalid body: {e}")),
    };
    let mut st = app.lock();
    match (body.enabled, body.payment_link_payment_methods) {
        (_, Some(full)) => st.payment_methods = full,
        (Some(enabled), None) => {
            for m in &mut st.payment_methods {
                m.enabled = enabled.iter().any(|e| e == m.name.as_str());
            }
            for name in enabled {
                if !st.payment_methods.iter().any(|m| m.name.as_str() == name) {
                    st.payment_methods.push(PaymentMethodAvailability {
                        name: PaymentMethod::from_wire(&name),
                        enabled: true,
                    });
                }
            }
        }
        (None, None) => {
            return bad(
                "expected {\"enabled\": [...]} or {\"payment_link_payment_methods\": [...]}",
            )
        }
    }
    errors::json(StatusCode::OK, &st.payment_methods)
}

/// Every link with its payments, oldest first.
async fn links(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    let list: Vec<Value> = st.links.iter().map(link_with_payments).collect();
    ok(Value::Array(list))
}

async fn link(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let st = app.lock();
    match st.link(&id) {
        Some(r) => ok(link_with_payments(r)),
        None => errors::json(
            StatusCode::NOT_FOUND,
            &json!({ "error": "payment link not found" }),
        ),
    }
}

#[derive(Deserialize, Default)]
struct OutcomeBody {
    payment_method: Option<String>,
    debitor_email: Option<String>,
}

/// Same effect as the payer's choice on the hosted page.
async fn link_action(
    State(app): State<Arc<App>>,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if action == "settle" {
        return settle(&app, &id, &body);
    }
    let Some(outcome) = Outcome::parse(&action) else {
        return bad(format!(
            "unknown action {action}: use pay, fail, cancel, expire or settle"
        ));
    };
    let body: OutcomeBody = match body_or(&body, OutcomeBody::default()) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let result = {
        let mut st = app.lock();
        flows::apply_outcome(
            &mut st,
            &id,
            outcome,
            body.payment_method.as_deref(),
            body.debitor_email.as_deref(),
        )
    };
    outcome_response(&app, result)
}

#[derive(Deserialize, Default)]
struct SettleBody {
    status: Option<String>,
}

/// The provider decides about a payment in flight (see `flows::settle`).
fn settle(app: &Arc<App>, id: &str, body: &[u8]) -> Response {
    let body: SettleBody = match body_or(body, SettleBody::default()) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let to = match body.status.as_deref().unwrap_or("paid") {
        s @ ("paid" | "authorized" | "failed") => PaymentStatus::from_wire(s),
        other => return bad(format!("status {other:?}: use paid, authorized or failed")),
    };
    let result = {
        let mut st = app.lock();
        flows::settle(&mut st, id, to)
    };
    outcome_response(app, result)
}

fn outcome_response(
    app: &Arc<App>,
    result: Result<
        (
            shared::qonto::PaymentLink,
            shared::qonto::Payment,
            Vec<webhooks::Delivery>,
        ),
        OutcomeError,
    >,
) -> Response {
    match result {
        Ok((link, payment, deliveries)) => {
            webhooks::spawn(app, deliveries);
            ok(json!({ "payment_link": link, "payment": payment }))
        }
        Err(e @ OutcomeError::NotFound) => {
            errors::json(StatusCode::NOT_FOUND, &json!({ "error": e.to_string() }))
        }
        Err(e @ OutcomeError::NotPayable(_)) => {
            errors::json(StatusCode::CONFLICT, &json!({ "error": e.to_string() }))
        }
        Err(e @ OutcomeError::BadMethod(_)) => bad(e.to_string()),
    }
}

/// Subscriptions with their secrets.
async fn subscriptions(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    errors::json(StatusCode::OK, &st.subscriptions)
}

async fn settings(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    errors::json(StatusCode::OK, &st.settings)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsPatch {
    vat_rate_format: Option<String>,
    auto_consent: Option<bool>,
    enforce_scopes: Option<bool>,
    access_token_ttl: Option<u64>,
    refresh_grace_ms: Option<u64>,
    webhook_retry_delay_ms: Option<u64>,
    webhook_max_attempts: Option<u32>,
    webhook_timeout_ms: Option<u64>,
    /// `""` removes the staging-token requirement.
    staging_token: Option<String>,
    /// `per_line` or `total`.
    rounding: Option<String>,
    /// `as_validated` or `other_scale`.
    vat_reading: Option<String>,
    /// `paid`, `pending` or `authorized`.
    pay_status: Option<String>,
    paid_amount_delta: Option<i64>,
    link_stays_processing: Option<bool>,
    webhooks: Option<bool>,
    refuse_redirect_url: Option<bool>,
    /// The scopes the OAuth client may request (a list), or `"any"`.
    allowed_scopes: Option<Value>,
}

/// Changes settings at run time (until the next reset).
async fn patch_settings(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let patch: SettingsPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return bad(format!("invalid settings: {e}")),
    };
    let format = match patch.vat_rate_format.as_deref().map(VatRateFormat::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => return bad(e.to_string()),
    };
    let allowed_scopes = match patch.allowed_scopes {
        None => None,
        Some(Value::String(any)) if any == "any" => Some(None),
        Some(list) => match serde_json::from_value::<Vec<String>>(list) {
            Ok(l) => Some(Some(l)),
            Err(_) => return bad("allowed_scopes must be a list of scope names or \"any\""),
        },
    };
    let rounding = match patch.rounding.as_deref() {
        None => None,
        Some(r) => match Rounding::parse(r) {
            Some(r) => Some(r),
            None => return bad(format!("rounding {r:?}: use per_line or total")),
        },
    };
    let vat_reading = match patch.vat_reading.as_deref() {
        None => None,
        Some(r) => match VatReading::parse(r) {
            Some(r) => Some(r),
            None => {
                return bad(format!(
                    "vat_reading {r:?}: use as_validated or other_scale"
                ))
            }
        },
    };
    let pay_status = match patch.pay_status.as_deref() {
        None => None,
        Some(p @ ("paid" | "pending" | "authorized")) => Some(PaymentStatus::from_wire(p)),
        Some(p) => return bad(format!("pay_status {p:?}: use paid, pending or authorized")),
    };
    let mut st = app.lock();
    let s = &mut st.settings;
    if let Some(r) = rounding {
        s.rounding = r;
    }
    if let Some(r) = vat_reading {
        s.vat_reading = r;
    }
    if let Some(p) = pay_status {
        s.pay_status = p;
    }
    if let Some(v) = patch.paid_amount_delta {
        s.paid_amount_delta = v;
    }
    if let Some(v) = patch.link_stays_processing {
        s.link_stays_processing = v;
    }
    if let Some(v) = patch.webhooks {
        s.webhooks = v;
    }
    if let Some(v) = patch.refuse_redirect_url {
        s.refuse_redirect_url = v;
    }
    if let Some(a) = allowed_scopes {
        s.allowed_scopes = a;
    }
    if let Some(f) = format {
        s.vat_rate_format = f;
    }
    if let Some(v) = patch.auto_consent {
        s.auto_consent = v;
    }
    if let Some(v) = patch.enforce_scopes {
        s.enforce_scopes = v;
    }
    if let Some(v) = patch.access_token_ttl {
        s.access_token_ttl = Duration::from_secs(v);
    }
    if let Some(v) = patch.refresh_grace_ms {
        s.refresh_grace = Duration::from_millis(v);
    }
    if let Some(v) = patch.webhook_retry_delay_ms {
        s.webhook_retry_delay = Duration::from_millis(v);
    }
    if let Some(v) = patch.webhook_max_attempts {
        s.webhook_max_attempts = v.max(1);
    }
    if let Some(v) = patch.webhook_timeout_ms {
        s.webhook_timeout = Duration::from_millis(v);
    }
    if let Some(v) = patch.staging_token {
        s.staging_token = (!v.is_empty()).then_some(v);
    }
    errors::json(StatusCode::OK, &st.settings)
}
