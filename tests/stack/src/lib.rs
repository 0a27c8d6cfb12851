//! The whole local stack on one machine: the fake Qonto (in process), the edge
//! Worker under `wrangler dev` (real workerd, D1, Durable Objects) and the demo
//! shop on an origin of its own.
//!
//! Used three ways:
//! - `qc-stack demo`: the README's demo (fixed ports, prints the URLs);
//! - `qc-stack run -- CMD...`: starts a stack on free ports, runs CMD with the
//!   URLs in its environment (`QC_EDGE_URL`, `QC_SHOP_URL`, `QC_FAKE_QONTO_URL`,
//!   `QC_ADMIN_TOKEN`), stops everything, exits with CMD's status;
//! - [`Stack::start`] from the integration tests in `tests/`.
//!
//! Every background process runs in its own process group and is stopped when
//! its handle drops, or by a watchdog when this process dies
//! ([`process::ProcessGroup`]).

pub mod demo_stock;
pub mod edge;
pub mod mail;
pub mod process;
pub mod receiver;
pub mod shop;

use std::fmt;
use std::path::PathBuf;

pub use edge::{EdgeBuild, EdgeConfig, EdgeServer};
pub use fake_qonto::{FakeConfig, RunningFake};
pub use receiver::MerchantReceiver;
pub use shop::ShopServer;

/// The admin token the local stack gives the edge.
pub const LOCAL_ADMIN_TOKEN: &str = "local-admin-token-0123456789abcdef";
/// The webhook secret shared by the edge and the fake's subscriptions.
pub const LOCAL_WEBHOOK_SECRET: &str = "local-webhook-secret-0123456789abcdef";
/// The sandbox staging token the fake requires and the edge sends.
pub const LOCAL_STAGING_TOKEN: &str = "local-staging-token";
/// The secret the edge signs merchant notifications with.
pub const LOCAL_MERCHANT_WEBHOOK_SECRET: &str = "local-merchant-secret-0123456789";

/// Why the stack could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StackError {
    /// A port is taken; the message names the variable that moves it.
    PortBusy {
        /// The port.
        port: u16,
        /// The environment variable that chooses another one.
        variable: &'static str,
    },
    /// A tool or build output is missing; run the set-up first.
    Missing(String),
    /// A process exited early; `detail` has the end of its log.
    Exited {
        /// Which process.
        what: String,
        /// Exit status and log tail.
        detail: String,
    },
    /// A process did not become ready in time; `detail` has its log tail.
    Timeout {
        /// Which process.
        what: String,
        /// Log tail.
        detail: String,
    },
    /// Any other I/O failure.
    Io(std::io::Error),
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackError::PortBusy { port, variable } => write!(
                f,
                "port {port} on 127.0.0.1 is already in use; stop what uses it or choose another port with {variable}=<port>"
            ),
            StackError::Missing(what) => write!(f, "missing {what}"),
            StackError::Exited { what, detail } => write!(f, "{what} exited early:\n{detail}"),
            StackError::Timeout { what, detail } => write!(f, "{what} did not become ready in time:\n{detail}"),
            StackError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StackError {}

impl From<std::io::Error> for StackError {
    fn from(e: std::io::Error) -> Self {
        StackError::Io(e)
    }
}

/// The repository root (this crate lives in `tests/stack`).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(here)
}

/// Fails with a clear message when `port` is taken (0 is always free).
pub fn ensure_port_free(port: u16, variable: &'static str) -> Result<(), StackError> {
    if port == 0 {
        return Ok(());
    }
    match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Ok(()),
        Err(_) => Err(StackError::PortBusy { port, variable }),
    }
}

/// A free port on 127.0.0.1 (for processes that cannot be told "port 0").
pub fn free_port() -> Result<u16, StackError> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

/// Ports and options of a stack.
#[derive(Debug, Clone)]
pub struct StackConfig {
    /// The fake Qonto's port (0: any).
    pub fake_port: u16,
    /// The edge's port (0: any).
    pub edge_port: u16,
    /// The shop's port (0: any).
    pub shop_port: u16,
    /// Where the edge keeps D1 and Durable Object state; a fresh temporary
    /// directory when `None`.
    pub state_dir: Option<PathBuf>,
    /// Options for the fake Qonto (its port is `fake_port`).
    pub fake: FakeConfig,
    /// Extra edge variables (override the defaults below).
    pub extra_vars: Vec<(String, String)>,
    /// Secrets the edge does NOT get (to test a misconfigured deploy).
    pub omit_secrets: Vec<String>,
    /// Give the edge the demo shop's legal pages (`TERMS_URL`,
    /// `WITHDRAWAL_URL`, `PRIVACY_URL`): the widget's details step links
    /// them, the confirmation e-mails link the first two, and every
    /// checkout must then accept the terms (`terms_accepted`, the widget's
    /// checkbox). Off by default: the integration tests post checkouts
    /// without it; the demo and the end-to-end tests (`qc-stack demo`,
    /// `qc-stack run`) turn it on.
    pub legal_pages: bool,
    /// Connect the edge to the fake Qonto (OAuth) once it is up, as a
    /// merchant would at /admin.
    pub authorize: bool,
    /// With `authorize`, also subscribe the edge to Qonto's webhooks (off:
    /// the edge only learns a link's status by asking Qonto).
    pub subscribe: bool,
    /// Another wrangler configuration for the edge (see
    /// [`EdgeConfig::wrangler_config`]).
    pub wrangler_config: Option<PathBuf>,
    /// Which Qonto the edge talks to: the fake started here (default), any
    /// base URL, or Qonto's real sandbox.
    pub qonto: QontoTarget,
    /// Which build of the Worker runs: the tests' (default) or the shop's.
    pub edge_build: EdgeBuild,
}

/// Which Qonto the edge talks to. The fake Qonto is started in every case
/// (it is cheap and the tests' control API lives there); only the edge's
/// configuration changes.
#[derive(Debug, Clone, Default)]
pub enum QontoTarget {
    /// The fake Qonto of this stack.
    #[default]
    Fake,
    /// Other base URLs (a recording proxy, another fake), with the fake's
    /// client credentials unless `credentials` are given.
    Urls {
        /// The Business API's base URL.
        api: String,
        /// The OAuth server's base URL.
        oauth: String,
        /// Credentials for it; the fake's when `None`.
        credentials: Option<QontoCredentials>,
    },
    /// Qonto's sandbox (`QONTO_ENVIRONMENT=sandbox`, Qonto's own URLs).
    Sandbox(QontoCredentials),
}

/// An OAuth app's credentials and the sandbox staging token.
#[derive(Clone)]
pub struct QontoCredentials {
    /// `QONTO_CLIENT_ID`.
    pub client_id: String,
    /// `QONTO_CLIENT_SECRET`.
    pub client_secret: String,
    /// `QONTO_STAGING_TOKEN`.
    pub staging_token: String,
}

impl fmt::Debug for QontoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "QontoCredentials {{ client_id: {:?}, .. }}",
            self.client_id
        )
    }
}

/// The file `QC_QONTO=sandbox` reads the sandbox app's credentials from
/// (repository root; ignored by git), unless `QC_QONTO_SANDBOX_ENV` names
/// another.
pub const SANDBOX_ENV_FILE: &str = ".qonto-sandbox.env";

impl QontoTarget {
    /// From the environment: `QC_QONTO` (`fake`, the default, or
    /// `sandbox`), `QC_QONTO_API_URL` and `QC_QONTO_OAUTH_URL` (any base
    /// URL; the OAuth one defaults to the API one). The error says exactly
    /// what is missing.
    pub fn from_env() -> Result<QontoTarget, String> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        let sandbox = match var("QC_QONTO").as_deref() {
            None | Some("fake") => None,
            Some("sandbox") => Some(sandbox_credentials(var("QC_QONTO_SANDBOX_ENV"))?),
            Some(other) => {
                return Err(format!(
                    "QC_QONTO is \"{other}\"; it must be \"fake\" (the default) or \"sandbox\""
                ))
            }
        };
        match (var("QC_QONTO_API_URL"), sandbox) {
            (Some(api), credentials) => {
                let oauth = var("QC_QONTO_OAUTH_URL").unwrap_or_else(|| api.clone());
                for (name, url) in [("QC_QONTO_API_URL", &api), ("QC_QONTO_OAUTH_URL", &oauth)] {
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(format!("{name} is \"{url}\"; it must be an http(s) URL"));
                    }
                }
                Ok(QontoTarget::Urls {
                    api,
                    oauth,
                    credentials,
                })
            }
            (None, Some(c)) => Ok(QontoTarget::Sandbox(c)),
            (None, None) => Ok(QontoTarget::Fake),
        }
    }

    /// Whether the edge talks to this stack's fake (which consents at once,
    /// so the stack can connect the edge by itself).
    pub fn is_fake(&self) -> bool {
        matches!(self, QontoTarget::Fake)
    }

    /// What the edge talks to, for a person: `None` for the fake.
    pub fn label(&self) -> Option<String> {
        match self {
            QontoTarget::Fake => None,
            QontoTarget::Sandbox(_) => Some("Qonto's sandbox".to_owned()),
            QontoTarget::Urls { api, .. } => Some(api.clone()),
        }
    }
}

/// Reads `KEY=value` lines (`#` comments, optional quotes) and checks the
/// three values `QC_QONTO=sandbox` needs.
fn sandbox_credentials(path: Option<String>) -> Result<QontoCredentials, String> {
    let path = path
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(SANDBOX_ENV_FILE));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "QC_QONTO=sandbox reads the sandbox app's credentials from {} ({e}); create it with the \
             lines QONTO_CLIENT_ID=..., QONTO_CLIENT_SECRET=... and QONTO_STAGING_TOKEN=... from your \
             app in Qonto's Developer Portal (see the README's sandbox guide)",
            path.display()
        )
    })?;
    parse_credentials(&text).map_err(|missing| {
        format!(
            "{} lacks {}: add the line(s) from your sandbox app in Qonto's Developer Portal \
             (the staging token is on the app's page too)",
            path.display(),
            missing.join(", ")
        )
    })
}

fn parse_credentials(text: &str) -> Result<QontoCredentials, Vec<&'static str>> {
    let mut values = std::collections::HashMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim().trim_matches('"').trim_matches('\'').to_owned();
            if !v.is_empty() {
                values.insert(k.trim().trim_start_matches("export ").to_owned(), v);
            }
        }
    }
    let names = [
        "QONTO_CLIENT_ID",
        "QONTO_CLIENT_SECRET",
        "QONTO_STAGING_TOKEN",
    ];
    let missing: Vec<&'static str> = names
        .into_iter()
        .filter(|n| !values.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let get = |n: &str| values.get(n).cloned().unwrap_or_default();
    Ok(QontoCredentials {
        client_id: get("QONTO_CLIENT_ID"),
        client_secret: get("QONTO_CLIENT_SECRET"),
        staging_token: get("QONTO_STAGING_TOKEN"),
    })
}

/// Every scope the fake's test app may have: the stack turns on every
/// feature (`QONTO_SCOPES`).
pub const ALL_SCOPES: &str =
    "payment_link.read payment_link.write offline_access webhook organization.read client_invoices.read";

#[cfg(test)]
mod tests {
    use super::parse_credentials;

    #[test]
    fn sandbox_credentials_name_what_is_missing() {
        let c = parse_credentials("# app\nQONTO_CLIENT_ID=abc\nexport QONTO_CLIENT_SECRET=\"s e\"\nQONTO_STAGING_TOKEN='t'\n")
            .unwrap();
        assert_eq!(
            (
                c.client_id.as_str(),
                c.client_secret.as_str(),
                c.staging_token.as_str()
            ),
            ("abc", "s e", "t")
        );
        assert_eq!(
            parse_credentials("QONTO_CLIENT_ID=abc\nQONTO_STAGING_TOKEN=\n").err(),
            Some(vec!["QONTO_CLIENT_SECRET", "QONTO_STAGING_TOKEN"])
        );
    }
}

impl Default for StackConfig {
    fn default() -> Self {
        Self {
            fake_port: 0,
            edge_port: 0,
            shop_port: 0,
            state_dir: None,
            fake: FakeConfig {
                staging_token: Some(LOCAL_STAGING_TOKEN.to_owned()),
                auto_consent: true,
                webhook_retry_delay: std::time::Duration::from_millis(200),
                ..FakeConfig::default()
            },
            extra_vars: Vec::new(),
            authorize: true,
            subscribe: true,
            omit_secrets: Vec::new(),
            legal_pages: false,
            wrangler_config: None,
            qonto: QontoTarget::Fake,
            edge_build: EdgeBuild::Test,
        }
    }
}

/// A running stack. Dropping it stops everything.
#[derive(Debug)]
pub struct Stack {
    /// The fake Qonto.
    pub fake: RunningFake,
    /// The edge Worker.
    pub edge: EdgeServer,
    /// The demo shop.
    pub shop: ShopServer,
    /// The merchant's own server, receiving the edge's paid notifications.
    pub merchant: MerchantReceiver,
    _state_guard: Option<TempDir>,
}

impl Stack {
    /// Where it can be reached.
    pub fn urls(&self) -> StackUrls {
        StackUrls {
            edge: self.edge.url(),
            shop: self.shop.url(),
            fake: self.fake.base_url().to_owned(),
            edge_log: self.edge.log_path(),
            merchant_received: self.merchant.received_url(),
        }
    }

    /// Starts the fake Qonto, the shop and the edge, in that order (the edge's
    /// configuration names the other two).
    pub async fn start(config: StackConfig) -> Result<Stack, StackError> {
        ensure_port_free(config.fake_port, "QC_FAKE_QONTO_PORT")?;
        ensure_port_free(config.shop_port, "QC_SHOP_PORT")?;
        ensure_port_free(config.edge_port, "QC_EDGE_PORT")?;
        let edge_port = if config.edge_port == 0 {
            free_port()?
        } else {
            config.edge_port
        };
        let edge_url = format!("http://127.0.0.1:{edge_port}");

        let fake = fake_qonto::start(FakeConfig {
            port: config.fake_port,
            ..config.fake.clone()
        })
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => StackError::PortBusy {
                port: config.fake_port,
                variable: "QC_FAKE_QONTO_PORT",
            },
            _ => StackError::Io(e),
        })?;
        let shop =
            ShopServer::start(repo_root().join("demo"), config.shop_port, edge_url.clone()).await?;
        let merchant = MerchantReceiver::start().await?;

        let (state_dir, guard) = match &config.state_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let t = TempDir::new("qc-edge")?;
                (t.path.clone(), Some(t))
            }
        };
        let fake_credentials = QontoCredentials {
            client_id: config.fake.client_id.clone(),
            client_secret: config.fake.client_secret.clone(),
            staging_token: LOCAL_STAGING_TOKEN.to_owned(),
        };
        let (urls, credentials) = match &config.qonto {
            QontoTarget::Fake => (
                Some((fake.base_url().to_owned(), fake.base_url().to_owned())),
                fake_credentials,
            ),
            QontoTarget::Urls {
                api,
                oauth,
                credentials,
            } => (
                Some((api.clone(), oauth.clone())),
                credentials.clone().unwrap_or(fake_credentials),
            ),
            QontoTarget::Sandbox(c) => (None, c.clone()),
        };
        let mut vars = vec![("QONTO_ENVIRONMENT".to_owned(), "sandbox".to_owned())];
        if let Some((api, oauth)) = urls {
            vars.push(("QONTO_API_URL".to_owned(), api));
            vars.push(("QONTO_OAUTH_URL".to_owned(), oauth));
        }
        if config.qonto.is_fake() {
            vars.push(("QONTO_SCOPES".to_owned(), ALL_SCOPES.to_owned()));
        } else if let Ok(scopes) = std::env::var("QC_QONTO_SCOPES") {
            vars.push(("QONTO_SCOPES".to_owned(), scopes));
        }
        vars.extend([
            ("ALLOWED_ORIGINS".to_owned(), shop.url()),
            ("VAT_RATE_FORMAT".to_owned(), "fraction".to_owned()),
            ("CURRENCY".to_owned(), "EUR".to_owned()),
            ("MERCHANT_WEBHOOK_URL".to_owned(), merchant.notify_url()),
            // The order confirmation e-mails, through wrangler's simulated
            // send_email binding (see `mail`).
            ("SHOPPER_EMAIL".to_owned(), "on".to_owned()),
            (
                "EMAIL_FROM".to_owned(),
                "Atelier Démo <orders@atelier-demo.example>".to_owned(),
            ),
            ("MERCHANT_NAME".to_owned(), "Atelier Démo SARL".to_owned()),
            (
                "MERCHANT_ADDRESS".to_owned(),
                "12 rue des Lilas, 69001 Lyon, France".to_owned(),
            ),
            ("MERCHANT_VAT_ID".to_owned(), "FR32123456789".to_owned()),
            (
                "MERCHANT_CONTACT".to_owned(),
                "hello@atelier-demo.example".to_owned(),
            ),
            ("SHOP_URL".to_owned(), format!("{}/", shop.url())),
        ]);
        // The shop's legal pages (which make accepting the terms required
        // before Pay), for the stacks that ask for them.
        if config.legal_pages {
            vars.extend([
                ("TERMS_URL".to_owned(), format!("{}/terms.html", shop.url())),
                (
                    "WITHDRAWAL_URL".to_owned(),
                    format!("{}/withdrawal.html", shop.url()),
                ),
                (
                    "PRIVACY_URL".to_owned(),
                    format!("{}/privacy.html", shop.url()),
                ),
            ]);
        }
        if config.edge_build == EdgeBuild::Test {
            // The tests' Worker tells each answer's D1 round trips
            // (`x-d1-round-trips`), for the tests that hold it to a budget.
            vars.push(("D1_ROUND_TRIPS_HEADER".to_owned(), "on".to_owned()));
        }
        for (k, v) in &config.extra_vars {
            vars.retain(|(name, _)| name != k);
            vars.push((k.clone(), v.clone()));
        }
        let secrets = vec![
            ("ADMIN_TOKEN".to_owned(), LOCAL_ADMIN_TOKEN.to_owned()),
            ("QONTO_CLIENT_ID".to_owned(), credentials.client_id),
            ("QONTO_CLIENT_SECRET".to_owned(), credentials.client_secret),
            ("QONTO_STAGING_TOKEN".to_owned(), credentials.staging_token),
            (
                "QONTO_WEBHOOK_SECRET".to_owned(),
                LOCAL_WEBHOOK_SECRET.to_owned(),
            ),
            (
                "MERCHANT_WEBHOOK_SECRET".to_owned(),
                LOCAL_MERCHANT_WEBHOOK_SECRET.to_owned(),
            ),
        ];
        let secrets: Vec<(String, String)> = secrets
            .into_iter()
            .filter(|(k, _)| !config.omit_secrets.contains(k))
            .collect();
        let edge = EdgeServer::start(EdgeConfig {
            port: edge_port,
            state_dir,
            vars,
            secrets,
            wrangler_config: config.wrangler_config.clone(),
            build: config.edge_build,
        })
        .await?;
        if config.authorize {
            authorize_edge(&edge.url()).await?;
            if config.subscribe {
                subscribe_edge(&edge.url()).await?;
            }
        }
        Ok(Stack {
            fake,
            edge,
            shop,
            merchant,
            _state_guard: guard,
        })
    }

    /// The variables a child command gets from `qc-stack run`.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("QC_EDGE_URL".into(), self.edge.url()),
            ("QC_SHOP_URL".into(), self.shop.url()),
            ("QC_FAKE_QONTO_URL".into(), self.fake.base_url().to_owned()),
            ("QC_ADMIN_TOKEN".into(), LOCAL_ADMIN_TOKEN.into()),
            ("QC_WEBHOOK_SECRET".into(), LOCAL_WEBHOOK_SECRET.into()),
            (
                "QC_MERCHANT_RECEIVED_URL".into(),
                self.merchant.received_url(),
            ),
            (
                "QC_MERCHANT_WEBHOOK_SECRET".into(),
                LOCAL_MERCHANT_WEBHOOK_SECRET.into(),
            ),
            (
                "QC_EDGE_LOG".into(),
                self.edge.log_path().display().to_string(),
            ),
        ]
    }
}

/// Connects the edge to Qonto the way a merchant does at /admin: the OAuth
/// flow (`/admin/oauth/start` → Qonto's consent, auto-approved by the fake →
/// `/oauth/callback`), then the webhook subscription.
pub async fn connect_edge(edge_url: &str) -> Result<(), StackError> {
    authorize_edge(edge_url).await?;
    subscribe_edge(edge_url).await
}

fn connect_failed(step: &str, detail: String) -> StackError {
    StackError::Exited {
        what: format!("connecting the edge to Qonto ({step})"),
        detail,
    }
}

fn no_redirects() -> Result<reqwest::Client, StackError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| StackError::Io(std::io::Error::other(e)))
}

/// The OAuth part of [`connect_edge`].
pub async fn authorize_edge(edge_url: &str) -> Result<(), StackError> {
    let client = no_redirects()?;
    let fail = connect_failed;
    let mut url = format!("{edge_url}/admin/oauth/start");
    let mut hops = 0;
    // The edge binds the OAuth state to the browser that started it with a
    // cookie (`qc_oauth`): carry it to the callback as a browser would.
    let mut binding: Option<String> = None;
    loop {
        let mut req = client.get(&url).bearer_auth(LOCAL_ADMIN_TOKEN);
        if let Some(cookie) = binding.as_deref().filter(|_| url.starts_with(edge_url)) {
            req = req.header("cookie", cookie);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| fail("request", format!("{url}: {e}")))?;
        if let Some(cookie) = oauth_binding(&resp) {
            binding = Some(cookie);
        }
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| fail("redirect", format!("{url} redirected without a Location")))?;
            url = match reqwest::Url::parse(location) {
                Ok(u) => u.to_string(),
                Err(_) => reqwest::Url::parse(&url)
                    .and_then(|base| base.join(location))
                    .map(|u| u.to_string())
                    .map_err(|e| fail("redirect", format!("{location}: {e}")))?,
            };
            hops += 1;
            if hops > 5 || url.contains("/admin?") || url.ends_with("/admin") {
                break;
            }
            continue;
        }
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(fail("oauth", format!("{url} answered {status}: {body}")));
        }
        break;
    }
    Ok(())
}

/// The `qc_oauth=…` pair of a response's `Set-Cookie` headers, if any.
pub fn oauth_binding(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("qc_oauth=") && pair.len() > "qc_oauth=".len())
        .map(str::to_owned)
}

/// The webhook part of [`connect_edge`]: `POST /admin/webhook-subscription`.
pub async fn subscribe_edge(edge_url: &str) -> Result<(), StackError> {
    let client = no_redirects()?;
    let fail = connect_failed;
    let resp = client
        .post(format!("{edge_url}/admin/webhook-subscription"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .map_err(|e| fail("webhook subscription", e.to_string()))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        return Err(fail("webhook subscription", format!("{status}: {body}")));
    }
    Ok(())
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a fresh directory under the system's temporary directory.
    pub fn new(prefix: &str) -> std::io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where a running stack can be reached: what tests need, without the
/// handles (which stay with the thread that runs the stack).
#[derive(Debug, Clone)]
pub struct StackUrls {
    /// The edge's base URL.
    pub edge: String,
    /// The demo shop's base URL.
    pub shop: String,
    /// The fake Qonto's base URL.
    pub fake: String,
    /// The edge's log file (wrangler and the Worker's console).
    pub edge_log: PathBuf,
    /// Lists the notifications the merchant's server received.
    pub merchant_received: String,
}

impl StackUrls {
    /// Everything the edge logged so far.
    pub fn edge_log(&self) -> String {
        std::fs::read_to_string(&self.edge_log).unwrap_or_default()
    }

    /// The e-mails the edge sent so far (read from wrangler's simulated
    /// send_email binding, see [`mail`]).
    pub fn emails(&self) -> Vec<mail::SentEmail> {
        mail::sent(&self.edge_log())
    }
}

/// One stack per test binary, started on first use and kept until the binary
/// exits (the process watchdog then stops wrangler). It runs on a runtime of
/// its own, so `#[tokio::test]`s, each with their own runtime, can share it.
///
/// Panics with the stack's error when it cannot start: that fails the test
/// that asked, with the reason (missing build, busy port, wrangler log).
pub fn shared_stack() -> &'static StackUrls {
    static SHARED: std::sync::OnceLock<StackUrls> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(StackError::Io(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                match Stack::start(StackConfig::default()).await {
                    Ok(stack) => {
                        let _ = tx.send(Ok(stack.urls()));
                        // Keep serving until the test binary exits.
                        std::future::pending::<()>().await;
                        drop(stack);
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        });
        match rx.recv() {
            Ok(Ok(urls)) => urls,
            Ok(Err(e)) => panic!("the local stack did not start: {e}"),
            Err(_) => panic!("the local stack's thread died while starting"),
        }
    })
}
