//! The Qonto Business API client: one typed method per endpoint the edge
//! uses (payment links, provider connection, client invoices, webhook
//! subscriptions), all going through one request path that
//!
//! - signs with the merchant's OAuth access token ([`crate::tokens`]) and, on
//!   a `401` for a token believed valid, gets a fresh one and retries once;
//! - sends `Accept`/`Content-Type: application/json` and, in the sandbox,
//!   `X-Qonto-Staging-Token` (which Qonto's sandbox requires on every call);
//! - bounds every call with a timeout (an `AbortController` raced against a
//!   timer), so a hanging Qonto becomes [`EdgeError::QontoTimeout`] instead of
//!   a hung request;
//! - retries only what is safe: reads on 5xx, network errors and malformed
//!   JSON (twice, short backoff), and any call on `429` when the
//!   `Retry-After` wait is short. Creations are sent once per idempotency key
//!   and never retried on 5xx or timeout: the caller decides (Qonto
//!   documents no idempotency key on payment links);
//! - turns Qonto's JSON:API errors into [`EdgeError`]s whose `detail` (code,
//!   detail, trace id) goes to the log, never to the client.
//!
//! Responses are read tolerantly (bare or wrapped, unknown enum values kept)
//! through `shared::qonto`'s `parse_*` helpers.

use crate::error::{EdgeError, EdgeResult};
use crate::fetch::{send_with_timeout, SendError};
use crate::http::Cx;
use crate::log;
use crate::tokens::{self, AccessToken};
use serde_json::json;
use shared::qonto::{
    parse_client_invoice, parse_connection, parse_payment_link, parse_webhook_subscription,
    ClientInvoice, Connection, CreateConnection, CreatePaymentLinkRequest,
    CreateWebhookSubscription, PaymentLink, PaymentLinkList, PaymentList,
    PaymentMethodAvailability, PaymentMethodsResponse, WebhookSubscription,
    WebhookSubscriptionList, IDEMPOTENCY_HEADER, STAGING_TOKEN_HEADER,
};
use std::cell::RefCell;
use std::time::Duration;

mod answers;
use answers::*;
pub(crate) use answers::{describe_error, html_answer_problem, is_html};
use worker::{Delay, Headers, Method, Request, RequestInit};

/// Timeout of a read (GET).
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of a write. Longer than reads: a creation that times out leaves
/// the caller unsure whether the link exists, so give Qonto more room.
const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// Retries of a read after a 5xx, a network error or malformed JSON.
const MAX_READ_RETRIES: u32 = 2;
/// Retries of any call after a 429.
const MAX_RATE_LIMIT_RETRIES: u32 = 2;
/// Longest total time one call may spend waiting before retries. Longer
/// waits are the client's to make (it gets `Retry-After`).
const MAX_TOTAL_WAIT: Duration = Duration::from_secs(3);
/// Wait after a 429 without `Retry-After` (not documented by Qonto).
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);
/// How long the provider's payment methods are reused in an isolate: the
/// widget asks on every page load, Qonto's rate limit is per IP.
const PAYMENT_METHODS_TTL_MS: f64 = 5.0 * 60.0 * 1000.0;

/// Query of `GET /v2/payment_links`. Zero `page`/`per_page` and an empty
/// `statuses` mean "Qonto's default".
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkQuery {
    /// 1-based page.
    pub(crate) page: u32,
    /// Page size, 1–100 (clamped).
    pub(crate) per_page: u32,
    /// Sent as repeated `status[]=` (the documented form).
    pub(crate) statuses: Vec<String>,
    /// e.g. `amount:desc`, `expiration_date:asc`.
    pub(crate) sort_by: Option<String>,
}

/// A client bound to one request (its config, request id and log).
pub(crate) struct Qonto<'a> {
    cx: &'a Cx,
}

/// Whether a call may be repeated after an ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Safety {
    /// A GET: repeating it changes nothing.
    Read,
    /// Anything else: repeated only when Qonto certainly did not process it
    /// (401, 429).
    Write,
}

/// One HTTP call to the Business API.
struct Call<'c> {
    /// Name for logs and [`EdgeError::QontoTimeout`].
    name: &'static str,
    /// What a 404 means, for [`EdgeError::NotFound`].
    what: &'static str,
    method: Method,
    /// Path and query, starting with `/v2/`.
    path: String,
    body: Option<String>,
    safety: Safety,
    timeout: Duration,
    idempotency_key: Option<&'c str>,
}

impl<'a> Qonto<'a> {
    /// A client for this request.
    pub(crate) fn new(cx: &'a Cx) -> Self {
        Self { cx }
    }

    /// `POST /v2/payment_links` (basket or invoice), sent once with
    /// `X-Qonto-Idempotency-Key: idempotency_key`. Not retried on 5xx,
    /// timeout or a malformed answer (the link may exist): the caller retries
    /// with the same key, or checks its ledger.
    pub(crate) async fn create_payment_link(
        &self,
        body: &CreatePaymentLinkRequest,
        idempotency_key: &str,
    ) -> EdgeResult<PaymentLink> {
        // Paused (Qonto revoked the connection): say so without asking.
        crate::connection_state::ensure_not_paused(self.cx).await?;
        let call = Call {
            name: "create_payment_link",
            what: "payment link",
            method: Method::Post,
            path: "/v2/payment_links".into(),
            body: Some(to_json(body)?),
            safety: Safety::Write,
            timeout: WRITE_TIMEOUT,
            idempotency_key: Some(idempotency_key),
        };
        self.send(call, parse_payment_link).await
    }

    /// `GET /v2/payment_links/{id}` (bare or wrapped). 404 → `NotFound`.
    pub(crate) async fn get_payment_link(&self, id: &str) -> EdgeResult<PaymentLink> {
        let id = path_segment(id, "payment link")?;
        self.send(
            read(
                "get_payment_link",
                "payment link",
                format!("/v2/payment_links/{id}"),
            ),
            parse_payment_link,
        )
        .await
    }

    /// `GET /v2/payment_links` with page, per_page, `status[]` and sort_by
    /// (finding an invoice's open link before creating another).
    pub(crate) async fn list_payment_links(
        &self,
        query: &LinkQuery,
    ) -> EdgeResult<PaymentLinkList> {
        let path = format!("/v2/payment_links{}", link_query_string(query));
        self.send(read("list_payment_links", "payment links", path), |b| {
            serde_json::from_slice(b)
        })
        .await
    }

    /// `PATCH /v2/payment_links/{id}/deactivate` (bare or wrapped answer).
    pub(crate) async fn deactivate_payment_link(&self, id: &str) -> EdgeResult<PaymentLink> {
        let id = path_segment(id, "payment link")?;
        let call = Call {
            name: "deactivate_payment_link",
            what: "payment link",
            method: Method::Patch,
            path: format!("/v2/payment_links/{id}/deactivate"),
            body: None,
            safety: Safety::Write,
            timeout: WRITE_TIMEOUT,
            idempotency_key: None,
        };
        self.send(call, parse_payment_link).await
    }

    /// `GET /v2/payment_links/{id}/payments`.
    pub(crate) async fn list_payments(
        &self,
        id: &str,
        page: u32,
        per_page: u32,
    ) -> EdgeResult<PaymentList> {
        let id = path_segment(id, "payment link")?;
        let query = pagination(page, per_page);
        let path = format!("/v2/payment_links/{id}/payments{query}");
        self.send(read("list_payments", "payment link", path), |b| {
            serde_json::from_slice(b)
        })
        .await
    }

    /// `GET /v2/payment_links/payment_methods`: every method and whether it
    /// is enabled. Cached in the isolate for 5 minutes (errors are not).
    pub(crate) async fn payment_methods(&self) -> EdgeResult<Vec<PaymentMethodAvailability>> {
        let now = now_ms();
        if let Some(methods) =
            PAYMENT_METHODS.with(|c| c.borrow().as_ref().and_then(|c| c.get(now)))
        {
            return Ok(methods);
        }
        let call = read(
            "payment_methods",
            "payment methods",
            "/v2/payment_links/payment_methods".into(),
        );
        let resp: PaymentMethodsResponse = self.send(call, |b| serde_json::from_slice(b)).await?;
        let methods = resp.payment_link_payment_methods;
        let entry = CachedMethods {
            methods: methods.clone(),
            until_ms: now_ms() + PAYMENT_METHODS_TTL_MS,
        };
        PAYMENT_METHODS.with(|c| *c.borrow_mut() = Some(entry));
        Ok(methods)
    }

    /// `GET /v2/payment_links/connections`; `None` when Qonto answers 404
    /// (no connection yet).
    pub(crate) async fn get_connection(&self) -> EdgeResult<Option<Connection>> {
        let call = read(
            "get_connection",
            "connection",
            "/v2/payment_links/connections".into(),
        );
        match self.send(call, parse_connection).await {
            Ok(c) => Ok(Some(c)),
            Err(EdgeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v2/payment_links/connections` (body not wrapped).
    pub(crate) async fn create_connection(
        &self,
        body: &CreateConnection,
    ) -> EdgeResult<Connection> {
        // A key of our own: a retry after 401/429 must not start a second
        // onboarding.
        let key = crate::ids::random_hex(16);
        let call = Call {
            name: "create_connection",
            what: "connection",
            method: Method::Post,
            path: "/v2/payment_links/connections".into(),
            body: Some(to_json(body)?),
            safety: Safety::Write,
            timeout: WRITE_TIMEOUT,
            idempotency_key: Some(&key),
        };
        self.send(call, parse_connection).await
    }

    /// `GET /v2/organization` (scope `organization.read`): the organisation's
    /// name and bank accounts, to pick the one payment links credit.
    pub(crate) async fn get_organization(&self) -> EdgeResult<crate::organization::Organization> {
        let call = read(
            "get_organization",
            "organization",
            "/v2/organization".into(),
        );
        self.send(call, crate::organization::parse).await
    }

    /// `GET /v2/client_invoices/{id}` (wrapped or bare). 404 → `NotFound`.
    pub(crate) async fn get_client_invoice(&self, id: &str) -> EdgeResult<ClientInvoice> {
        let id = path_segment(id, "client invoice")?;
        self.send(
            read(
                "get_client_invoice",
                "client invoice",
                format!("/v2/client_invoices/{id}"),
            ),
            parse_client_invoice,
        )
        .await
    }

    /// `POST /v2/webhook_subscriptions` (body and answer bare).
    pub(crate) async fn create_webhook_subscription(
        &self,
        body: &CreateWebhookSubscription,
    ) -> EdgeResult<WebhookSubscription> {
        let key = crate::ids::random_hex(16);
        let call = Call {
            name: "create_webhook_subscription",
            what: "webhook subscription",
            method: Method::Post,
            path: "/v2/webhook_subscriptions".into(),
            body: Some(to_json(body)?),
            safety: Safety::Write,
            timeout: WRITE_TIMEOUT,
            idempotency_key: Some(&key),
        };
        self.send(call, parse_webhook_subscription).await
    }

    /// `GET /v2/webhook_subscriptions` (`{subscriptions, meta}`).
    pub(crate) async fn list_webhook_subscriptions(&self) -> EdgeResult<WebhookSubscriptionList> {
        let call = read(
            "list_webhook_subscriptions",
            "webhook subscriptions",
            "/v2/webhook_subscriptions".into(),
        );
        self.send(call, |b| serde_json::from_slice(b)).await
    }

    /// Sends `call` until it succeeds or [`next_step`] says stop.
    async fn send<T>(
        &self,
        call: Call<'_>,
        parse: fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> EdgeResult<T> {
        let url = format!("{}{}", self.cx.config.api_url, call.path);
        let mut token = tokens::access_token(self.cx).await?;
        let mut state = RetryState::default();
        loop {
            let req = self.build(&call, &url, &token)?;
            let verdict = match send_with_timeout(req, call.timeout).await {
                Err(SendError::Timeout) => return Err(EdgeError::QontoTimeout { call: call.name }),
                Err(SendError::Network(detail)) => Verdict::Unavailable {
                    detail,
                    retry_after_secs: None,
                },
                Ok(raw) if is_html(&raw.body) => {
                    // The sandbox's sign-in gate (no staging token), or a
                    // proxy's page: retrying will not turn it into JSON.
                    return Err(EdgeError::Misconfigured(vec![html_answer_problem(
                        self.cx.config.environment,
                        raw.status,
                    )]));
                }
                Ok(raw) => match classify(raw.status, raw.retry_after.as_deref(), &raw.body) {
                    Verdict::Success => match parse(&raw.body) {
                        Ok(value) => return Ok(value),
                        Err(e) => Verdict::Malformed(json_error_summary(&e)),
                    },
                    other => other,
                },
            };
            if let Some(reason) = revocation(&verdict) {
                crate::connection_state::pause_quietly(self.cx, &reason).await;
                return Err(EdgeError::PaymentsPaused { reason });
            }
            match next_step(&verdict, call.safety, &state) {
                Step::Refresh => {
                    log::warn(
                        &self.cx.request_id,
                        "qonto refused the access token; refreshing it and retrying once",
                        json!({"call": call.name}),
                    );
                    token = tokens::refresh_after_rejection(self.cx, &token).await?;
                    state.refreshed = true;
                }
                Step::Retry(wait) => {
                    log::warn(
                        &self.cx.request_id,
                        "qonto call failed; retrying",
                        json!({"call": call.name, "reason": verdict.summary(), "wait_ms": wait.as_millis() as u64}),
                    );
                    if !wait.is_zero() {
                        Delay::from(wait).await;
                    }
                    state.retries += 1;
                    state.waited += wait;
                }
                Step::Fail => return Err(verdict.into_error(call.what)),
            }
        }
    }

    fn build(&self, call: &Call<'_>, url: &str, token: &AccessToken) -> EdgeResult<Request> {
        let headers = Headers::new();
        headers.set("authorization", &format!("Bearer {}", token.expose()))?;
        headers.set("accept", "application/json")?;
        headers.set("content-type", "application/json")?;
        if let Some(staging) = &self.cx.config.staging_token {
            headers.set(STAGING_TOKEN_HEADER, staging.expose())?;
        }
        if let Some(key) = call.idempotency_key {
            headers.set(IDEMPOTENCY_HEADER, key)?;
        }
        let mut init = RequestInit::new();
        init.with_method(call.method.clone()).with_headers(headers);
        if let Some(body) = &call.body {
            init.with_body(Some(body.as_str().into()));
        }
        Ok(Request::new_with_init(url, &init)?)
    }
}

/// A GET call.
fn read(name: &'static str, what: &'static str, path: String) -> Call<'static> {
    Call {
        name,
        what,
        method: Method::Get,
        path,
        body: None,
        safety: Safety::Read,
        timeout: READ_TIMEOUT,
        idempotency_key: None,
    }
}

fn to_json<T: serde::Serialize>(body: &T) -> EdgeResult<String> {
    serde_json::to_string(body)
        .map_err(|e| EdgeError::Internal(format!("cannot serialize a Qonto request: {e}")))
}

/// A serde_json error without any of the input: its category and position.
/// (serde's own message can quote a value, and a value may be a token or a
/// shopper's email.)
pub(crate) fn json_error_summary(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let category = match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected shape",
        Category::Eof => "truncated JSON",
    };
    format!("{category} at line {} column {}", e.line(), e.column())
}

/// Milliseconds since the epoch (the runtime's clock).
fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}

// ---------------------------------------------------------------------------
// Isolate cache of the payment methods
// ---------------------------------------------------------------------------

struct CachedMethods {
    methods: Vec<PaymentMethodAvailability>,
    until_ms: f64,
}

impl CachedMethods {
    fn get(&self, now_ms: f64) -> Option<Vec<PaymentMethodAvailability>> {
        (now_ms < self.until_ms).then(|| self.methods.clone())
    }
}

thread_local! {
    /// Lives as long as the isolate; one merchant per deployment, so no key.
    static PAYMENT_METHODS: RefCell<Option<CachedMethods>> = const { RefCell::new(None) };
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERR: &str = r#"{"errors":[{"code":"not_in_list","detail":"vat_rate is not valid","source":{"pointer":"/payment_link/items/0/vat_rate"}}],"trace_id":"tr-1"}"#;

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(200, None, b"{}"), Verdict::Success);
        assert_eq!(classify(201, None, b"{}"), Verdict::Success);
        assert!(matches!(classify(401, None, b""), Verdict::Unauthorized(_)));
        assert!(matches!(classify(404, None, b""), Verdict::NotFound(_)));
        assert_eq!(
            classify(429, Some("2"), b""),
            Verdict::RateLimited {
                retry_after_secs: Some(2),
                detail: "HTTP 429 without a JSON:API error body".into()
            }
        );
        assert!(matches!(
            classify(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), b""),
            Verdict::RateLimited {
                retry_after_secs: None,
                ..
            }
        ));
        assert!(matches!(
            classify(500, None, b""),
            Verdict::Unavailable { .. }
        ));
        assert!(matches!(
            classify(503, Some("30"), b""),
            Verdict::Unavailable {
                retry_after_secs: Some(30),
                ..
            }
        ));
        assert!(matches!(
            classify(400, None, ERR.as_bytes()),
            Verdict::Rejected { status: 400, .. }
        ));
        assert!(matches!(
            classify(403, None, b"<html>"),
            Verdict::Rejected { status: 403, .. }
        ));
        assert!(matches!(
            classify(422, None, b""),
            Verdict::Rejected { status: 422, .. }
        ));
        assert!(matches!(
            classify(302, None, b""),
            Verdict::Unavailable { .. }
        ));
    }

    #[test]
    fn error_details_keep_code_pointer_and_trace_id() {
        let d = describe_error(400, ERR.as_bytes());
        assert!(d.contains("code=not_in_list"), "{d}");
        assert!(d.contains("vat_rate is not valid"), "{d}");
        assert!(d.contains("pointer=/payment_link/items/0/vat_rate"), "{d}");
        assert!(d.contains("trace_id=tr-1"), "{d}");
        assert_eq!(
            describe_error(500, b""),
            "HTTP 500 without a JSON:API error body"
        );
    }

    #[test]
    fn errors_map_to_edge_errors() {
        let e = classify(400, None, ERR.as_bytes()).into_error("payment link");
        assert!(
            matches!(&e, EdgeError::QontoRejected { status: 400, detail } if detail.contains("tr-1"))
        );
        assert_eq!(
            classify(404, None, b"").into_error("payment link").status(),
            404
        );
        assert_eq!(classify(500, None, b"").into_error("x").status(), 503);
        assert!(matches!(
            classify(429, Some("7"), b"").into_error("x"),
            EdgeError::QontoUnavailable {
                retry_after_secs: Some(7),
                ..
            }
        ));
        assert!(matches!(
            classify(401, None, b"").into_error("x"),
            EdgeError::NotAuthorized { .. }
        ));
        assert_eq!(
            Verdict::Malformed("eof".into()).into_error("x").status(),
            503
        );
    }

    fn state(retries: u32, waited_ms: u64, refreshed: bool) -> RetryState {
        RetryState {
            retries,
            waited: Duration::from_millis(waited_ms),
            refreshed,
        }
    }

    #[test]
    fn retry_policy_table() {
        let unavailable = Verdict::Unavailable {
            detail: "500".into(),
            retry_after_secs: None,
        };
        let malformed = Verdict::Malformed("eof".into());
        let limited = |s: Option<u32>| Verdict::RateLimited {
            retry_after_secs: s,
            detail: String::new(),
        };
        let unauthorized = Verdict::Unauthorized("expired".into());
        let rejected = Verdict::Rejected {
            status: 400,
            detail: String::new(),
        };
        let not_found = Verdict::NotFound(String::new());
        let ms = Duration::from_millis;
        #[rustfmt::skip]
        let table: Vec<(Verdict, Safety, RetryState, Step)> = vec![
            // Reads: two retries with growing backoff, on 5xx/network/malformed.
            (unavailable.clone(), Safety::Read, state(0, 0, false), Step::Retry(ms(200))),
            (unavailable.clone(), Safety::Read, state(1, 200, false), Step::Retry(ms(400))),
            (unavailable.clone(), Safety::Read, state(2, 600, false), Step::Fail),
            (malformed.clone(), Safety::Read, state(0, 0, false), Step::Retry(ms(200))),
            // Writes are sent once: the caller decides.
            (unavailable.clone(), Safety::Write, state(0, 0, false), Step::Fail),
            (malformed.clone(), Safety::Write, state(0, 0, false), Step::Fail),
            // 429: any method, short waits only, within the total budget.
            (limited(Some(1)), Safety::Write, state(0, 0, false), Step::Retry(ms(1000))),
            (limited(None), Safety::Read, state(0, 0, false), Step::Retry(ms(1000))),
            (limited(Some(2)), Safety::Read, state(1, 1000, false), Step::Retry(ms(2000))),
            (limited(Some(2)), Safety::Read, state(1, 1500, false), Step::Fail),
            (limited(Some(30)), Safety::Read, state(0, 0, false), Step::Fail),
            (limited(Some(0)), Safety::Read, state(2, 0, false), Step::Fail),
            // 401: refresh once, then give up.
            (unauthorized.clone(), Safety::Write, state(0, 0, false), Step::Refresh),
            (unauthorized.clone(), Safety::Read, state(0, 0, true), Step::Fail),
            // Never retried.
            (rejected.clone(), Safety::Read, state(0, 0, false), Step::Fail),
            (not_found.clone(), Safety::Read, state(0, 0, false), Step::Fail),
        ];
        for (verdict, safety, st, want) in table {
            assert_eq!(
                next_step(&verdict, safety, &st),
                want,
                "{verdict:?} {safety:?} {st:?}"
            );
        }
    }

    #[test]
    fn list_queries_repeat_status() {
        assert_eq!(link_query_string(&LinkQuery::default()), "");
        let q = LinkQuery {
            page: 2,
            per_page: 500,
            statuses: vec!["open".into(), "paid".into()],
            sort_by: Some("amount:desc".into()),
        };
        assert_eq!(
            link_query_string(&q),
            "?page=2&per_page=100&status%5B%5D=open&status%5B%5D=paid&sort_by=amount%3Adesc"
        );
        assert_eq!(pagination(1, 20), "?page=1&per_page=20");
        assert_eq!(pagination(0, 0), "");
    }

    #[test]
    fn path_segments_are_ids_only() {
        assert_eq!(
            path_segment("0199e1de-4e01-72b7-86a0-fbe4e0475d56", "x").ok(),
            Some("0199e1de-4e01-72b7-86a0-fbe4e0475d56")
        );
        for bad in ["", "../connections", "a/b", "a?b=1", "a b", "é"] {
            assert!(path_segment(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn html_answers_are_told_apart_and_explained() {
        assert!(is_html(b"<!doctype html><html><body>Sign in</body></html>"));
        assert!(is_html(b"\n  <HTML><head>"));
        assert!(!is_html(br#"{"errors":[]}"#));
        assert!(!is_html(b""));
        let sandbox = html_answer_problem(crate::config::Environment::Sandbox, 403);
        assert!(
            sandbox.starts_with("the sandbox staging token is missing or wrong"),
            "{sandbox}"
        );
        assert!(sandbox.contains("QONTO_STAGING_TOKEN"), "{sandbox}");
        let prod = html_answer_problem(crate::config::Environment::Production, 200);
        assert!(!prod.contains("staging"), "{prod}");
    }

    #[test]
    fn revoked_connections_are_recognised() {
        let revoked = Verdict::Rejected {
            status: 403,
            detail: "HTTP 403: code=connection_revoked detail=\"The payment links connection was revoked\"".into(),
        };
        assert!(revocation(&revoked).is_some());
        let scope = Verdict::Rejected {
            status: 403,
            detail: "HTTP 403: code=forbidden detail=\"missing required oauth scope: webhook\""
                .into(),
        };
        assert_eq!(revocation(&scope), None);
        assert_eq!(revocation(&Verdict::Unauthorized("expired".into())), None);
    }

    #[test]
    fn json_errors_never_quote_the_input() {
        let e = serde_json::from_str::<u32>(r#""ory_at_secret""#).unwrap_err();
        let s = json_error_summary(&e);
        assert!(!s.contains("ory_at"), "{s}");
        assert_eq!(s, "unexpected shape at line 1 column 15");
    }

    #[test]
    fn cached_methods_expire() {
        let c = CachedMethods {
            methods: Vec::new(),
            until_ms: 1000.0,
        };
        assert!(c.get(999.0).is_some());
        assert!(c.get(1000.0).is_none());
    }
}
