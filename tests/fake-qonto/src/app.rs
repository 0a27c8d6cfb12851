//! The fake's state: everything Qonto would keep (tokens, links, payments,
//! invoices, subscriptions) plus what the tests inspect (request and delivery
//! logs, injected faults).
//!
//! All of it sits behind one `std::sync::Mutex`. Handlers lock, do their whole
//! read-modify-write synchronously and unlock before any `.await`, so
//! concurrent requests see atomic operations (two creates with the same
//! idempotency key cannot both create) and the lock is never held across a
//! suspension point.

use crate::config::FakeConfig;
use crate::pricing::{Rounding, VatReading};
use serde::Serialize;
use shared::qonto::{
    ClientInvoice, ConnectionStatus, Payment, PaymentLink, PaymentMethodAvailability, PaymentStatus,
};
use shared::vat::VatRateFormat;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Logs keep at most this many entries (oldest dropped), so a long demo
/// session does not grow without bound.
pub(crate) const LOG_CAPACITY: usize = 10_000;

/// Settings that the control API may change at run time.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Settings {
    #[serde(serialize_with = "ser_format")]
    pub(crate) vat_rate_format: VatRateFormat,
    pub(crate) auto_consent: bool,
    pub(crate) enforce_scopes: bool,
    #[serde(serialize_with = "ser_secs")]
    pub(crate) access_token_ttl: Duration,
    #[serde(serialize_with = "ser_ms")]
    pub(crate) refresh_grace: Duration,
    #[serde(serialize_with = "ser_secs")]
    pub(crate) refresh_token_ttl: Duration,
    #[serde(serialize_with = "ser_ms")]
    pub(crate) webhook_retry_delay: Duration,
    pub(crate) webhook_max_attempts: u32,
    #[serde(serialize_with = "ser_ms")]
    pub(crate) webhook_timeout: Duration,
    pub(crate) staging_token: Option<String>,
    /// How a basket's VAT is rounded (`per_line`, or `total`: a Qonto that
    /// disagrees with the edge by a cent).
    pub(crate) rounding: Rounding,
    /// How an accepted `vat_rate` is read (`as_validated`, or `other_scale`).
    pub(crate) vat_reading: VatReading,
    /// What "pay" records first: `paid`, or a payment still in flight
    /// (`pending`, `authorized`; the link is `processing` until `settle`).
    #[serde(serialize_with = "ser_status")]
    pub(crate) pay_status: PaymentStatus,
    /// Added to a paid payment's amount (cents): a payment of another
    /// amount than the link's.
    pub(crate) paid_amount_delta: i64,
    /// A link whose payment is paid stays `processing`.
    pub(crate) link_stays_processing: bool,
    /// Webhooks are sent (false: never sent, not even logged).
    pub(crate) webhooks: bool,
    /// Creation refuses a `redirect_url` (400 pointing at it).
    pub(crate) refuse_redirect_url: bool,
    /// The scopes the OAuth client (the app in Qonto's Developer Portal) is
    /// allowed to request; `None` allows any. Asking for another one fails
    /// the authorization with `invalid_scope` (see `oauth`).
    pub(crate) allowed_scopes: Option<Vec<String>>,
}

fn ser_status<S: serde::Serializer>(p: &PaymentStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

fn ser_format<S: serde::Serializer>(f: &VatRateFormat, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.as_str())
}

fn ser_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Settings {
    fn from_config(c: &FakeConfig) -> Settings {
        Settings {
            vat_rate_format: c.vat_rate_format,
            auto_consent: c.auto_consent,
            enforce_scopes: c.enforce_scopes,
            access_token_ttl: c.access_token_ttl,
            refresh_grace: c.refresh_grace,
            refresh_token_ttl: c.refresh_token_ttl,
            webhook_retry_delay: c.webhook_retry_delay,
            webhook_max_attempts: c.webhook_max_attempts.max(1),
            webhook_timeout: c.webhook_timeout,
            staging_token: c.staging_token.clone(),
            rounding: Rounding::PerLine,
            vat_reading: VatReading::AsValidated,
            pay_status: PaymentStatus::Paid,
            paid_amount_delta: 0,
            link_stays_processing: false,
            webhooks: true,
            refuse_redirect_url: false,
            allowed_scopes: None,
        }
    }
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
    pub(crate) used: bool,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
}

/// An issued refresh token. It rotates: after its first use it stays valid
/// for the grace period only.
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
    pub(crate) first_used_at: Option<Instant>,
    pub(crate) revoked: bool,
}

/// The provider connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionRecord {
    pub(crate) id: String,
    pub(crate) status: ConnectionStatus,
    pub(crate) bank_account_id: String,
    pub(crate) partner_callback_url: Option<String>,
}

/// A payment link and what Qonto knows about it beyond the public object.
#[derive(Debug, Clone)]
pub(crate) struct LinkRecord {
    pub(crate) link: PaymentLink,
    /// Creation order, for stable sorting.
    pub(crate) seq: u64,
    pub(crate) amount_minor: i64,
    pub(crate) resource_id: String,
    pub(crate) updated_at: String,
    /// Oldest first.
    pub(crate) payments: Vec<PaymentRecord>,
    /// The priced lines, for the payment page (empty for invoice links).
    pub(crate) lines: Vec<DisplayLine>,
    /// Where the payer's browser is sent after their choice on the page.
    pub(crate) redirect_url: Option<String>,
}

/// A basket line as the payment page shows it.
#[derive(Debug, Clone)]
pub(crate) struct DisplayLine {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) quantity: u32,
    /// Net unit price, decimal string.
    pub(crate) unit_net: String,
    /// e.g. `20.0 %`.
    pub(crate) vat: String,
    /// Line gross, decimal string.
    pub(crate) gross: String,
}

/// A payment with its creation order.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRecord {
    pub(crate) payment: Payment,
    pub(crate) seq: u64,
}

/// A webhook subscription with its secret.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Subscription {
    pub(crate) id: String,
    pub(crate) callback_url: String,
    pub(crate) types: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) secret: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// A cached successful response for an idempotency key.
#[derive(Debug, Clone)]
pub(crate) struct CachedResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) stored_at: Instant,
}

/// One request received (outside `/_control`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestLogEntry {
    pub(crate) seq: u64,
    pub(crate) at: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Route name (see the crate docs), `unknown` when none matched.
    pub(crate) route: String,
    /// `none`, `bearer`, `api_key` or `other`.
    pub(crate) auth: String,
    pub(crate) staging_token: bool,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: String,
    /// For `/oauth2/token`: the form's `grant_type`.
    pub(crate) grant_type: Option<String>,
    pub(crate) status: u16,
    /// A cached response was replayed for the idempotency key.
    pub(crate) idempotent_replay: bool,
    /// The injected fault that applied, if any.
    pub(crate) fault: Option<String>,
}

/// One webhook delivery attempt.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeliveryLogEntry {
    pub(crate) seq: u64,
    pub(crate) at: String,
    pub(crate) event_id: String,
    pub(crate) subscription_id: String,
    /// `v1/payment-links`, …
    pub(crate) event_type: String,
    /// `created`, `updated`, `connection_enabled`, …
    pub(crate) event: String,
    pub(crate) url: String,
    pub(crate) attempt: u32,
    /// The receiver's status; `null` on a connection error or timeout.
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: String,
    /// Whether this attempt was acknowledged with a 2xx.
    pub(crate) delivered: bool,
}

/// What an injected fault does.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// 429 with `Retry-After` (seconds) and a JSON:API error body.
    RateLimit {
        #[serde(default = "one")]
        retry_after: u64,
    },
    /// 500 with no body (as Qonto's docs say).
    ServerError,
    /// Any status with a JSON:API error body; `code` and `detail` default
    /// to `injected` and the status's reason phrase.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Waits, then handles the request normally.
    Latency { ms: u64 },
    /// Handles the request at once (side effects happen, the answer is
    /// today's state), then waits `ms` before sending that answer: a slow
    /// network, a timeout after the fact, or a stale read racing a newer one.
    SlowAnswer { ms: u64 },
    /// Handles the request (side effects happen), then sends a truncated,
    /// unparsable JSON body with the real status.
    MalformedJson,
}

fn one() -> u64 {
    1
}

impl FaultKind {
    pub(crate) fn label(&self) -> String {
        match self {
            FaultKind::RateLimit { .. } => "rate_limit".into(),
            FaultKind::ServerError => "server_error".into(),
            FaultKind::Status { status, .. } => format!("status_{status}"),
            FaultKind::Latency { ms } => format!("latency_{ms}ms"),
            FaultKind::SlowAnswer { ms } => format!("slow_answer_{ms}ms"),
            FaultKind::MalformedJson => "malformed_json".into(),
        }
    }
}

/// A fault for the next `remaining` matching requests.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FaultRule {
    pub(crate) id: u64,
    pub(crate) method: Option<String>,
    pub(crate) path_prefix: Option<String>,
    pub(crate) route: Option<String>,
    pub(crate) remaining: u32,
    #[serde(flatten)]
    pub(crate) kind: FaultKind,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str, route: &str) -> bool {
        self.remaining > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
            && self.route.as_deref().is_none_or(|r| r == route)
    }
}

/// Everything mutable.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) settings: Settings,
    pub(crate) codes: HashMap<String, AuthCode>,
    pub(crate) access_tokens: HashMap<String, AccessToken>,
    pub(crate) refresh_tokens: HashMap<String, RefreshToken>,
    pub(crate) connection: Option<ConnectionRecord>,
    pub(crate) payment_methods: Vec<PaymentMethodAvailability>,
    pub(crate) links: Vec<LinkRecord>,
    pub(crate) link_index: HashMap<String, usize>,
    pub(crate) invoices: Vec<ClientInvoice>,
    pub(crate) subscriptions: Vec<Subscription>,
    /// Keyed by (method and path, key).
    pub(crate) idempotency: HashMap<(String, String), CachedResponse>,
    pub(crate) requests: VecDeque<RequestLogEntry>,
    pub(crate) deliveries: VecDeque<DeliveryLogEntry>,
    pub(crate) faults: Vec<FaultRule>,
    pub(crate) seq: u64,
}

impl State {
    pub(crate) fn new(config: &FakeConfig) -> State {
        State {
            settings: Settings::from_config(config),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            connection: config.connection.clone().map(|status| ConnectionRecord {
                id: new_id(),
                status,
                bank_account_id: crate::config::BANK_ACCOUNT_ID.to_owned(),
                partner_callback_url: None,
            }),
            payment_methods: config.payment_methods.clone(),
            links: Vec::new(),
            link_index: HashMap::new(),
            invoices: config.client_invoices.clone(),
            subscriptions: Vec::new(),
            idempotency: HashMap::new(),
            requests: VecDeque::new(),
            deliveries: VecDeque::new(),
            faults: Vec::new(),
            seq: 0,
        }
    }

    /// A fresh sequence number (shared by all logs and records).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn link(&self, id: &str) -> Option<&LinkRecord> {
        self.link_index.get(id).and_then(|&i| self.links.get(i))
    }

    pub(crate) fn link_mut(&mut self, id: &str) -> Option<&mut LinkRecord> {
        let i = *self.link_index.get(id)?;
        self.links.get_mut(i)
    }

    pub(crate) fn insert_link(&mut self, record: LinkRecord) {
        self.link_index
            .insert(record.link.id.clone(), self.links.len());
        self.links.push(record);
    }

    pub(crate) fn invoice_mut(&mut self, id: &str) -> Option<&mut ClientInvoice> {
        self.invoices.iter_mut().find(|i| i.id == id)
    }

    /// Takes one use of the first fault rule matching the request.
    pub(crate) fn take_fault(
        &mut self,
        method: &str,
        path: &str,
        route: &str,
    ) -> Option<FaultKind> {
        let rule = self
            .faults
            .iter_mut()
            .find(|r| r.matches(method, path, route))?;
        rule.remaining -= 1;
        let kind = rule.kind.clone();
        self.faults.retain(|r| r.remaining > 0);
        Some(kind)
    }

    pub(crate) fn log_request(&mut self, mut entry: RequestLogEntry) {
        entry.seq = self.next_seq();
        if self.requests.len() >= LOG_CAPACITY {
            self.requests.pop_front();
        }
        self.requests.push_back(entry);
    }

    pub(crate) fn log_delivery(&mut self, mut entry: DeliveryLogEntry) {
        entry.seq = self.next_seq();
        if self.deliveries.len() >= LOG_CAPACITY {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(entry);
    }

    /// Forgets idempotency keys older than the TTL.
    pub(crate) fn purge_idempotency(&mut self, ttl: Duration) {
        let now = Instant::now();
        self.idempotency
            .retain(|_, c| now.duration_since(c.stored_at) < ttl);
    }
}

/// The shared application object behind every handler.
#[derive(Debug)]
pub(crate) struct App {
    state: Mutex<State>,
    /// The configuration the fake started with (what `reset` goes back to).
    pub(crate) config: FakeConfig,
    /// Base URL for links and pages, without a trailing slash.
    pub(crate) public_url: String,
    /// Client for webhook deliveries.
    pub(crate) http: reqwest::Client,
    /// Flips to `true` when the server shuts down (stops webhook retries).
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl App {
    pub(crate) fn new(
        config: FakeConfig,
        public_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<App> {
        let http = reqwest::Client::builder()
            // Deliveries go to local receivers: never through a proxy from
            // the environment.
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        Ok(App {
            state: Mutex::new(State::new(&config)),
            config,
            public_url,
            http,
            shutdown,
        })
    }

    /// Locks the state. A panic while locked (a bug) poisons the mutex; the
    /// state is still consistent enough for a test fake, so keep serving.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A new random id (uuid v4).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new time-ordered id (uuid v7), as Qonto's payment-link ids are.
pub(crate) fn new_v7_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A random opaque token with a prefix.
pub(crate) fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
