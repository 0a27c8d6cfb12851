//! A faithful fake of Qonto for the demo and the tests: the Business API's
//! payment-link endpoints, the OAuth server, a stand-in for the Mollie hosted
//! payment page, and signed webhooks, all on `127.0.0.1`.
//!
//! Shapes, wrapping and status codes follow Qonto's Business API
//! documentation; where Qonto's behaviour is unknown the fake picks the
//! strict reading and says so in its docs.
//!
//! # Use from tests
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = fake_qonto::start(fake_qonto::FakeConfig::default()).await?;
//! let api = fake.base_url(); // e.g. http://127.0.0.1:40123
//! // ... point the code under test at `api` for both the API and OAuth ...
//! fake.shutdown().await?; // or just drop it
//! # Ok(()) }
//! ```
//!
//! # Qonto endpoints
//!
//! | Endpoint | Notes |
//! |---|---|
//! | `GET /oauth2/auth` | consent page (button), or a 302 back with `code`, `scope`, `state` when `auto_consent` is on (config, `/_control/settings`, or `&auto_consent=1`). Checks `client_id`, `redirect_uri` (http(s); exact match if `redirect_uris` is set), `response_type=code`, `state` ≥ 8 chars; with `allowed_scopes` set (`/_control/settings`), a scope outside it redirects back with `error=invalid_scope` |
//! | `POST /oauth2/token` | form-encoded; `authorization_code` (single use, 10 min, same `redirect_uri`) and `refresh_token` (rotates; the old token works for `refresh_grace` after its first use, then `400 {"error":"invalid_grant"}`). Client credentials in the form or HTTP Basic |
//! | `GET/POST /v2/payment_links/connections` | bare object; 404 when there is none; create validates E.164 phone, description ≥ 80 chars, website rule, then refuses a second connection with `422 multiple_connections_not_allowed` and an account outside the organisation |
//! | `GET /v2/organization` | wrapped `{organization: {id, name, legal_name, slug, bank_accounts: [{id, name, iban, main, status, ...}]}}`, two accounts, the main one second; scope `organization.read` |
//! | `GET /v2/payment_links/payment_methods` | `{payment_link_payment_methods:[{name,enabled}]}` |
//! | `POST /v2/payment_links` | basket or invoice, wrapped; 201 wrapped; `X-Qonto-Idempotency-Key` honoured 30 min; optional `redirect_url`; the amount priced by the fake's own code (`pricing`) |
//! | `GET /v2/payment_links` | `page`, `per_page` (1–100), `status[]` (or `status`), `sort_by`; `{payment_links, meta}` |
//! | `GET /v2/payment_links/{id}` | **bare** |
//! | `PATCH /v2/payment_links/{id}/deactivate` | **bare**, `canceled`; 422 for a paid/expired link |
//! | `GET /v2/payment_links/{id}/payments` | `{payments, meta}`; `status[]`, `sort_by=creation_date:asc` or `:desc` |
//! | `GET /v2/client_invoices/{id}` | wrapped `{client_invoice}` |
//! | `POST/GET /v2/webhook_subscriptions`, `GET/DELETE …/{id}` | create is 201 bare with the secret (generated when absent); list is `{subscriptions, meta}` |
//!
//! Every `/v2` call needs `Authorization: Bearer <unexpired access token>`
//! with the endpoint's scope (`payment_link.read`/`.write`,
//! `client_invoices.read`, `webhook`): an API-key header (`login:secret`) gets
//! `401` "OAuth2 authentication is required here", a missing scope `403`
//! "missing required oauth scope: …". With a `staging_token` configured,
//! `/oauth2/token` and `/v2` refuse requests without a matching
//! `X-Qonto-Staging-Token` with an HTML `403` (the sandbox's login gate).
//! Errors are JSON:API: `{"errors":[{code, detail, source:{pointer|parameter}}], "trace_id"}`.
//! A JSON number where a string is expected (e.g. `vat_rate`) is a `400`
//! "json: cannot unmarshal number into Go struct field … of type string";
//! unknown fields are ignored.
//!
//! # Hosted pages
//!
//! - `GET /pay/{link_id}?resource_id=…` (each link's `url`): merchant,
//!   debtor, items and the gross amount (`<p id="amount" data-value="13.30">€13.30</p>`),
//!   a payment-method choice and four buttons (form `POST /pay/{link_id}`,
//!   field `outcome` = `paid` | `failed` | `canceled` | `expired`). `paid`
//!   records a paid payment and makes a single-use link `paid` (an invoice
//!   link also marks its invoice paid); `failed` / `canceled` record such a
//!   payment and leave the link open; `expired` records an expired payment
//!   and expires the link. Each choice sends an `updated` event to every
//!   `v1/payment-links` subscriber. The result page has
//!   `<p id="result" data-outcome=… data-link-status=…>`; a link created
//!   with `redirect_url` sends the browser there instead (`303`).
//! - `GET /provider/onboarding/{id}` (a connection's `connection_location`):
//!   a button that enables the connection, sends `connection_enabled`, and
//!   redirects to `partner_callback_url`.
//!
//! # Webhooks
//!
//! `POST` to each subscriber's `callback_url` with
//! `X-Qonto-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`
//! (computed by the fake's own HMAC call, fresh `t` per attempt). A non-2xx,
//! a connection error or no answer within `webhook_timeout` (1 s, as Qonto)
//! is retried after `webhook_retry_delay × 2^(attempt-1)`, up to
//! `webhook_max_attempts`. Events: `created` on link creation, `updated` on
//! every payment outcome and on deactivation.
//!
//! # Control API (`/_control`, no auth, not logged)
//!
//! | Request | Effect |
//! |---|---|
//! | `POST /_control/reset` `{"tokens": false}` | back to the start state; issued tokens survive unless `tokens: true` |
//! | `GET /_control/requests?path_prefix=&route=&method=&grant_type=` | the request log (JSON list, oldest first): `seq, at, method, path, query, route, auth` (`none`/`bearer`/`api_key`/`other`), `staging_token, idempotency_key, content_type, body, grant_type, status, idempotent_replay, fault` |
//! | `DELETE /_control/requests` | clears it |
//! | `GET /_control/webhooks?url_prefix=&event=&event_type=&payment_link_id=` | delivery log, one entry per attempt: `event_id, subscription_id, event_type, event, url, attempt, status, error, headers, body, delivered` |
//! | `DELETE /_control/webhooks` | clears it |
//! | `POST /_control/faults` `{"kind": "rate_limit", "retry_after": 2, "times": 1, "route": "create_payment_link"}` | the next `times` matching requests get the fault. Match on any of `method`, `path_prefix`, `route`. Kinds: `rate_limit` (429 + `Retry-After`), `server_error` (500, no body), `status` (`"status": 503`, JSON:API body), `latency` (`"ms": 500`, then normal), `slow_answer` (`"ms": 500`: handled now, answered later), `malformed_json` (handled normally, then the body is cut in half) |
//! | `GET`/`DELETE /_control/faults` | pending faults / clear them |
//! | `POST /_control/tokens` `{"scope": "…"}` | mints a token pair without the browser (default: every scope the project needs) |
//! | `POST /_control/tokens/expire` | every access token expires now |
//! | `POST /_control/tokens/revoke` | every refresh token is revoked |
//! | `GET`/`POST /_control/client_invoices` | list / add (or replace by `id`) a client invoice, bare or wrapped; `id` generated when missing |
//! | `GET`/`PUT`/`DELETE /_control/connection` `{"status": "pending"}` | read / set the connection status (webhooks `connection_enabled` / `connection_revoked` on changes) / remove it (API 404) |
//! | `GET`/`PUT /_control/payment_methods` `{"enabled": ["credit_card"]}` or `{"payment_link_payment_methods": [...]}` | read / set the provider's methods |
//! | `GET /_control/payment_links[/{id}]` | links with their payments |
//! | `POST /_control/payment_links/{id}/{action}` (`pay`, `fail`, `cancel`, `expire`) `{"payment_method"?, "debitor_email"?}` | same as the hosted page's buttons |
//! | `POST /_control/payment_links/{id}/settle` `{"status": "paid"}` | the latest `pending`/`authorized` payment becomes `authorized`, `paid` or `failed` (the link follows), with the webhook |
//! | `GET /_control/subscriptions` | webhook subscriptions with their secrets |
//! | `GET`/`PATCH /_control/settings` | `vat_rate_format`, `auto_consent`, `enforce_scopes`, `access_token_ttl` (s), `refresh_grace_ms`, `webhook_retry_delay_ms`, `webhook_max_attempts`, `webhook_timeout_ms`, `staging_token` (`""` removes it); a Qonto that disagrees: `rounding` (`per_line`, `total`), `vat_reading` (`as_validated`, `other_scale`), `pay_status` (`paid`, `pending`, `authorized`), `paid_amount_delta` (cents), `link_stays_processing`, `webhooks` (false: none sent), `refuse_redirect_url` |
//!
//! Route names (for fault rules and the log): `oauth_authorize`,
//! `oauth_consent`, `oauth_token`, `get_connection`, `create_connection`,
//! `payment_methods`, `list_payment_links`, `create_payment_link`,
//! `get_payment_link`, `deactivate_payment_link`, `list_payments`,
//! `get_client_invoice`, `list_webhook_subscriptions`,
//! `create_webhook_subscription`, `get_webhook_subscription`,
//! `delete_webhook_subscription`, `pay_page`, `pay_choose`,
//! `provider_onboarding`, `unknown`.

// Handlers return `Result<_, Response>` so a validation failure is an early
// `?`/`return Err(..)` with the exact Qonto-shaped answer. A `Response` is
// 128 bytes; boxing it would only add noise to a test server.
#![allow(clippy::result_large_err)]

mod api;
mod app;
mod config;
mod connections;
mod control;
mod errors;
mod flows;
mod oauth;
mod organization;
mod pages;
mod pricing;
mod server;
mod time;
mod validate;
mod webhooks;

pub use config::{
    default_payment_methods, seed_invoices, FakeConfig, BANK_ACCOUNT_ID, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_PORT, MEMBERSHIP_ID, ORGANIZATION_ID, SEED_INVOICE_DRAFT_ID,
    SEED_INVOICE_PAID_ID, SEED_INVOICE_UNPAID_ID,
};
pub use organization::{MAIN_IBAN, SAVINGS_BANK_ACCOUNT_ID, SAVINGS_IBAN};
pub use pricing::items_amount;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running fake. Dropping it stops the server (in the background);
/// [`RunningFake::shutdown`] stops it and waits.
#[derive(Debug)]
pub struct RunningFake {
    addr: SocketAddr,
    base_url: String,
    public_url: String,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningFake {
    /// The bound address (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`: the base of the API, OAuth and control
    /// URLs (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base written into payment-link URLs: `FakeConfig::public_url`, or
    /// [`RunningFake::base_url`].
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Stops accepting requests, stops webhook retries, and waits for the
    /// server to finish (at most 5 s, then it is aborted).
    pub async fn shutdown(mut self) -> io::Result<()> {
        self.stop.send_replace(true);
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(io::Error::other(join)),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }

    /// Runs until the server stops on its own (it does not, unless it
    /// fails): for the binary, which races this with Ctrl-C.
    pub async fn wait(&mut self) -> io::Result<()> {
        match self.task.as_mut() {
            Some(task) => {
                let result = task.await.map_err(io::Error::other)?;
                self.task = None;
                result
            }
            None => Ok(()),
        }
    }
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// Binds `127.0.0.1:{config.port}` (0 = any free port) and serves the fake
/// in the background on the current Tokio runtime.
///
/// A busy port is an [`io::ErrorKind::AddrInUse`] error whose message names
/// the port.
pub async fn start(config: FakeConfig) -> io::Result<RunningFake> {
    let requested = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let listener = TcpListener::bind(requested).await.map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            io::Error::new(
                e.kind(),
                format!(
                    "fake-qonto: port {} on 127.0.0.1 is already in use (another fake-qonto?); \
                     pick another with --port / FAKE_QONTO_PORT, or 0 for any free port",
                    config.port
                ),
            )
        } else {
            io::Error::new(
                e.kind(),
                format!("fake-qonto: cannot listen on {requested}: {e}"),
            )
        }
    })?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let public_url = config
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| base_url.clone());
    let (stop, stopped) = watch::channel(false);
    let app = Arc::new(app::App::new(config, public_url.clone(), stopped.clone())?);
    let router = server::router(app);
    let mut signal = stopped;
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                // Also resolves if the sender is gone.
                let _ = signal.wait_for(|stop| *stop).await;
            })
            .await
    });
    Ok(RunningFake {
        addr,
        base_url,
        public_url,
        stop,
        task: Some(task),
    })
}
