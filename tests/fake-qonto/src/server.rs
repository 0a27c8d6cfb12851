//! The router and the gate every request passes: request log, injected
//! faults, the sandbox's staging-token gate and OAuth bearer checks.

use crate::app::{App, FaultKind, RequestLogEntry};
use crate::errors;
use crate::time;
use crate::{api, control, oauth, organization, pages};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Request bodies above this are refused with 413.
const MAX_BODY: usize = 1 << 20;

/// The scopes a token proved, handed to handlers that check more (webhook
/// subscriptions need the event family's scope too).
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) scopes: Vec<String>,
}

impl Grant {
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Response marker: the body is a replay for an idempotency key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Replayed;

/// Builds the whole application.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/oauth2/auth", get(oauth::authorize).post(oauth::consent))
        .route("/oauth2/token", post(oauth::token))
        .route(
            "/v2/payment_links/connections",
            get(api::get_connection).post(api::create_connection),
        )
        .route(
            "/v2/payment_links/payment_methods",
            get(api::payment_methods),
        )
        .route(
            "/v2/payment_links",
            get(api::list_links).post(api::create_link),
        )
        .route("/v2/payment_links/{id}", get(api::get_link))
        .route(
            "/v2/payment_links/{id}/deactivate",
            patch(api::deactivate_link),
        )
        .route("/v2/payment_links/{id}/payments", get(api::list_payments))
        .route("/v2/client_invoices/{id}", get(api::get_client_invoice))
        .route("/v2/organization", get(organization::get_organization))
        .route(
            "/v2/webhook_subscriptions",
            get(api::list_subscriptions).post(api::create_subscription),
        )
        .route(
            "/v2/webhook_subscriptions/{id}",
            get(api::get_subscription).delete(api::delete_subscription),
        )
        .route("/pay/{id}", get(pages::pay_page).post(pages::pay_choose))
        .route(
            "/provider/onboarding/{id}",
            get(pages::onboarding_page).post(pages::onboarding_complete),
        )
        .nest("/_control", control::router())
        .fallback(fallback)
        .layer(from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

async fn fallback(method: Method, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/v2/") {
        errors::errors(
            StatusCode::NOT_FOUND,
            vec![errors::plain(
                "not_found",
                format!("No route matches {method} {}", uri.path()),
            )],
        )
    } else {
        (StatusCode::NOT_FOUND, "Not Found").into_response()
    }
}

/// Names a request's route (used by fault rules and the request log) and
/// the OAuth scopes it needs.
pub(crate) fn classify(method: &Method, path: &str) -> (&'static str, &'static [&'static str]) {
    const READ: &[&str] = &["payment_link.read"];
    const WRITE: &[&str] = &["payment_link.write"];
    const INVOICES: &[&str] = &["client_invoices.read"];
    const WEBHOOK: &[&str] = &["webhook"];
    const ORGANIZATION: &[&str] = &["organization.read"];
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let m = method.as_str();
    match (m, segs.as_slice()) {
        ("GET", ["oauth2", "auth"]) => ("oauth_authorize", &[]),
        ("POST", ["oauth2", "auth"]) => ("oauth_consent", &[]),
        ("POST", ["oauth2", "token"]) => ("oauth_token", &[]),
        ("GET", ["v2", "payment_links", "connections"]) => ("get_connection", READ),
        ("POST", ["v2", "payment_links", "connections"]) => ("create_connection", WRITE),
        ("GET", ["v2", "payment_links", "payment_methods"]) => ("payment_methods", READ),
        ("GET", ["v2", "payment_links"]) => ("list_payment_links", READ),
        ("POST", ["v2", "payment_links"]) => ("create_payment_link", WRITE),
        ("GET", ["v2", "payment_links", _]) => ("get_payment_link", READ),
        ("PATCH", ["v2", "payment_links", _, "deactivate"]) => ("deactivate_payment_link", WRITE),
        ("GET", ["v2", "payment_links", _, "payments"]) => ("list_payments", READ),
        ("GET", ["v2", "client_invoices", _]) => ("get_client_invoice", INVOICES),
        ("GET", ["v2", "organization"]) => ("get_organization", ORGANIZATION),
        ("GET", ["v2", "webhook_subscriptions"]) => ("list_webhook_subscriptions", WEBHOOK),
        ("POST", ["v2", "webhook_subscriptions"]) => ("create_webhook_subscription", WEBHOOK),
        ("GET", ["v2", "webhook_subscriptions", _]) => ("get_webhook_subscription", WEBHOOK),
        ("DELETE", ["v2", "webhook_subscriptions", _]) => ("delete_webhook_subscription", WEBHOOK),
        ("GET", ["pay", _]) => ("pay_page", &[]),
        ("POST", ["pay", _]) => ("pay_choose", &[]),
        ("GET" | "POST", ["provider", "onboarding", _]) => ("provider_onboarding", &[]),
        _ => ("unknown", &[]),
    }
}

/// How the request authenticated.
enum Auth {
    None,
    Bearer(String),
    /// `login:secret-key`, Qonto's API-key scheme.
    ApiKey,
    Other,
}

fn auth_of(headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::None;
    };
    let Ok(value) = value.to_str() else {
        return Auth::Other;
    };
    let value = value.trim();
    if value.is_empty() {
        return Auth::None;
    }
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Auth::Bearer(token.trim().to_owned())
        }
        Some(_) => Auth::Other,
        None if value.contains(':') => Auth::ApiKey,
        None => Auth::Other,
    }
}

impl Auth {
    fn label(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer",
            Auth::ApiKey => "api_key",
            Auth::Other => "other",
        }
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The gate: logs, faults, staging token, bearer auth and scopes.
async fn gate(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_control") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let (route, scopes) = classify(&method, &path);
    let (parts, body) = req.into_parts();
    let auth = auth_of(&parts.headers);
    let mut entry = RequestLogEntry {
        seq: 0,
        at: time::rfc3339(time::now_unix()),
        method: method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        route: route.to_owned(),
        auth: auth.label().to_owned(),
        staging_token: parts
            .headers
            .contains_key(shared::qonto::STAGING_TOKEN_HEADER),
        idempotency_key: header_str(&parts.headers, shared::qonto::IDEMPOTENCY_HEADER),
        content_type: header_str(&parts.headers, "content-type"),
        body: String::new(),
        grant_type: None,
        status: 0,
        idempotent_replay: false,
        fault: None,
    };

    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let resp = errors::errors(
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![errors::plain("payload_too_large", "Request body too large")],
            );
            entry.status = resp.status().as_u16();
            app.lock().log_request(entry);
            return resp;
        }
    };
    entry.body = String::from_utf8_lossy(&bytes).into_owned();
    if route == "oauth_token" {
        entry.grant_type = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "grant_type")
            .map(|(_, v)| v.into_owned());
    }

    let fault = app.lock().take_fault(method.as_str(), &path, route);
    entry.fault = fault.as_ref().map(FaultKind::label);
    let mut corrupt = false;
    let mut answer_after = None;
    match fault {
        Some(FaultKind::Latency { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(FaultKind::SlowAnswer { ms }) => answer_after = Some(Duration::from_millis(ms)),
        Some(FaultKind::MalformedJson) => corrupt = true,
        Some(FaultKind::RateLimit { retry_after }) => {
            let mut resp = errors::errors(
                StatusCode::TOO_MANY_REQUESTS,
                vec![errors::plain("too_many_requests", "Too Many Requests")],
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return finish(&app, entry, resp);
        }
        Some(FaultKind::ServerError) => {
            return finish(
                &app,
                entry,
                StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            );
        }
        Some(FaultKind::Status {
            status,
            code,
            detail,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let resp = errors::errors(
                status,
                vec![errors::plain(
                    code.as_deref().unwrap_or("injected"),
                    detail.unwrap_or_else(|| {
                        status
                            .canonical_reason()
                            .unwrap_or("Injected error")
                            .to_owned()
                    }),
                )],
            );
            return finish(&app, entry, resp);
        }
        None => {}
    }

    let needs_staging = route == "oauth_token" || path.starts_with("/v2/");
    let mut extensions_grant = None;
    if needs_staging {
        let expected = app.lock().settings.staging_token.clone();
        if let Some(expected) = expected {
            let given = header_str(&parts.headers, shared::qonto::STAGING_TOKEN_HEADER);
            if given.as_deref() != Some(expected.as_str()) {
                return finish(&app, entry, staging_gate_page());
            }
        }
    }
    if path.starts_with("/v2/") {
        match check_bearer(&app, &auth, scopes) {
            Ok(grant) => extensions_grant = Some(grant),
            Err(resp) => return finish(&app, entry, resp),
        }
    }

    let mut req = Request::from_parts(parts, Body::from(bytes));
    if let Some(grant) = extensions_grant {
        req.extensions_mut().insert(grant);
    }
    let mut resp = next.run(req).await;
    entry.idempotent_replay = resp.extensions().get::<Replayed>().is_some();
    if corrupt {
        resp = corrupt_body(resp).await;
    }
    if let Some(wait) = answer_after {
        // Read in full now, so the answer is the state at handling time, and
        // logged now: a client that gives up before the answer still shows.
        let (parts, body) = resp.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let resp = finish(&app, entry, Response::from_parts(parts, Body::empty()));
        tokio::time::sleep(wait).await;
        let (parts, _) = resp.into_parts();
        return Response::from_parts(parts, Body::from(bytes));
    }
    finish(&app, entry, resp)
}

fn finish(app: &App, mut entry: RequestLogEntry, resp: Response) -> Response {
    entry.status = resp.status().as_u16();
    app.lock().log_request(entry);
    resp
}

/// What the sandbox's OneLogin gate answers without a valid staging token:
/// an HTML page, not JSON (Qonto's docs: "If you are receiving an HTML
/// response, please make sure you've included the X-Qonto-Staging-Token
/// header").
fn staging_gate_page() -> Response {
    errors::html(
        StatusCode::FORBIDDEN,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title></head>\
         <body><h1>Sign in with OneLogin</h1><p>This environment is restricted. \
         Missing or invalid X-Qonto-Staging-Token.</p></body></html>"
            .to_owned(),
    )
}

fn unauthorized(detail: &str) -> Response {
    let mut resp = errors::errors(
        StatusCode::UNAUTHORIZED,
        vec![errors::plain("unauthorized", detail)],
    );
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

fn check_bearer(app: &App, auth: &Auth, scopes: &[&str]) -> Result<Grant, Response> {
    let token = match auth {
        Auth::Bearer(token) => token,
        // Two integrators saw exactly this for an API key on payment links.
        Auth::ApiKey | Auth::Other => {
            return Err(unauthorized("OAuth2 authentication is required here"))
        }
        Auth::None => return Err(unauthorized("Authorization header is missing")),
    };
    let st = app.lock();
    let Some(access) = st.access_tokens.get(token) else {
        return Err(unauthorized("The access token is invalid"));
    };
    if Instant::now() >= access.expires_at {
        return Err(unauthorized("The access token has expired"));
    }
    if st.settings.enforce_scopes {
        if let Some(missing) = scopes
            .iter()
            .find(|s| !access.scopes.iter().any(|a| a == *s))
        {
            return Err(errors::errors(
                StatusCode::FORBIDDEN,
                vec![errors::plain(
                    "forbidden",
                    format!("missing required oauth scope: {missing}"),
                )],
            ));
        }
    }
    Ok(Grant {
        scopes: access.scopes.clone(),
    })
}

/// Keeps the status and headers, cuts the body in half so it no longer
/// parses (a response broken in transit, after the side effects happened).
async fn corrupt_body(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = if bytes.len() > 1 {
        bytes.slice(..bytes.len() / 2)
    } else {
        Bytes::from_static(b"{\"")
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(cut))
}
