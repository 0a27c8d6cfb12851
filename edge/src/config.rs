//! The edge's configuration, read from wrangler's `[vars]` and secrets on
//! each request (reading bindings is cheap) and parsed in one place into a
//! typed [`Config`]: secrets are [`Secret`]s (redacted in `Debug`), the
//! merchant's webhook exists only with both its URL and its secret. It is
//! checked as a whole, so that a misconfigured deploy lists every problem
//! in one readable list (`/admin/status` and the log; the public `/health`
//! only says it is not ok) instead of failing a shopper's checkout with a
//! panic.
//!
//! Adding a variable: a field on [`Config`] (or a struct of its own for a
//! new concern, as [`MerchantWebhook`]), read in [`Config::from_lookup`]
//! with its problems pushed to the one list, and a test.

use shared::money::Currency;
use shared::vat::VatRateFormat;
use worker::Env;

/// Qonto's production and sandbox hosts (the sandbox also needs the
/// `X-Qonto-Staging-Token` header).
const PRODUCTION_API: &str = "https://thirdparty.qonto.com";
const PRODUCTION_OAUTH: &str = "https://oauth.qonto.com";
const SANDBOX_API: &str = "https://thirdparty-sandbox.staging.qonto.co";
const SANDBOX_OAUTH: &str = "https://oauth-sandbox.staging.qonto.co";

/// Personal data kept for a year unless configured otherwise.
const DEFAULT_RETENTION_DAYS: u32 = 365;

/// Lengths Qonto accepts for a webhook subscription's secret, in characters
/// (the edge subscribes with `QONTO_WEBHOOK_SECRET`).
pub(crate) const WEBHOOK_SECRET_CHARS: std::ops::RangeInclusive<usize> = 32..=128;

/// A secret from the environment. Its `Debug` never shows it; only
/// [`Secret::expose`] does, where it is used.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that sends or checks it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Not set (an empty secret matches nothing).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Its length in characters.
    pub(crate) fn len(&self) -> usize {
        self.0.chars().count()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(<unset>)"
        } else {
            "Secret(<redacted>)"
        })
    }
}

/// Where paid checkouts are notified (`MERCHANT_WEBHOOK_URL`) and the key
/// that signs them (`MERCHANT_WEBHOOK_SECRET`): only both make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MerchantWebhook {
    /// An http(s) URL.
    pub(crate) url: String,
    /// The HMAC key of the signature header.
    pub(crate) secret: Secret,
}

/// Which Qonto the edge talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Environment {
    /// `thirdparty-sandbox.staging.qonto.co`, with `X-Qonto-Staging-Token`.
    Sandbox,
    /// `thirdparty.qonto.com`.
    Production,
}

impl Environment {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }
}

/// Everything the edge reads from its environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) environment: Environment,
    /// Base URL of the Business API, no trailing slash.
    pub(crate) api_url: String,
    /// Base URL of Qonto's OAuth server, no trailing slash.
    pub(crate) oauth_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    /// Sent as `X-Qonto-Staging-Token` (sandbox only).
    pub(crate) staging_token: Option<Secret>,
    /// Signs Qonto's webhook deliveries ([`WEBHOOK_SECRET_CHARS`] long).
    pub(crate) webhook_secret: Secret,
    /// The admin's token (the admin opens only when it is at least
    /// `auth::MIN_ADMIN_TOKEN_CHARS` long).
    pub(crate) admin_token: Secret,
    /// Exact origins (`scheme://host[:port]`) allowed by CORS.
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) currency: Currency,
    pub(crate) vat_rate_format: VatRateFormat,
    /// Paid checkouts are notified here, when configured.
    pub(crate) merchant_webhook: Option<MerchantWebhook>,
    /// Days a customer's personal data is kept with an order.
    pub(crate) retention_days: u32,
    /// Seconds before each retry of a merchant notification that got no
    /// 2xx (`MERCHANT_WEBHOOK_RETRY_SECONDS`); given up after the last.
    pub(crate) merchant_retry_secs: Vec<u32>,
    /// The outbox's e-mails: sender, switches, merchant identity.
    pub(crate) email: crate::outbox::EmailSettings,
    /// The time zone of the dashboard's days and the VAT report's periods
    /// (`REPORT_TIME_ZONE`, default `Europe/Paris`).
    pub(crate) report_time_zone: crate::dashboard::tz::Zone,
    /// The details step's legal pages and business fields
    /// (`TERMS_URL`, `WITHDRAWAL_URL`, `PRIVACY_URL`, `BUSINESS_BUYERS`).
    pub(crate) checkout_policy: shared::api::CheckoutPolicy,
    /// Configuration problems, each a full sentence for `/admin/status` and
    /// the log (`/health` only says it is not ok).
    pub(crate) problems: Vec<String>,
    /// The OAuth scopes asked of Qonto (`QONTO_SCOPES`, space- or
    /// comma-separated; [`DEFAULT_SCOPES`] when unset).
    pub(crate) scopes: Vec<String>,
    /// What works but deserves a word (`/admin/status` `warnings`): a staging
    /// token ignored in production, no refresh token asked for.
    pub(crate) warnings: Vec<String>,
}

/// What payment links need, plus `offline_access` for a refresh token. The
/// invoice (`client_invoices.read`), webhook (`webhook`) and bank-account
/// (`organization.read`) features each need their scope added, and the app
/// in Qonto's Developer Portal must be allowed every scope asked for (Qonto
/// refuses the whole authorization with `invalid_scope` otherwise).
pub(crate) const DEFAULT_SCOPES: &[&str] =
    &["payment_link.read", "payment_link.write", "offline_access"];

/// `QONTO_SCOPES` → the scopes, with problems and warnings about them.
fn parse_scopes(
    raw: Option<&str>,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let Some(raw) = raw else {
        return DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in raw
        .split([' ', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
        {
            problems.push(format!(
                "QONTO_SCOPES has \"{s}\", which is not a scope name like payment_link.read"
            ));
        } else if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    for needed in ["payment_link.read", "payment_link.write"] {
        if !scopes.iter().any(|s| s == needed) {
            problems.push(format!(
                "QONTO_SCOPES lacks {needed}, which payment links need"
            ));
        }
    }
    if !scopes.iter().any(|s| s == "offline_access") {
        warnings.push(
            "QONTO_SCOPES lacks offline_access: Qonto gives no refresh token, so the connection \
             ends after an hour"
                .to_owned(),
        );
    }
    scopes
}

/// A variable or secret, trimmed; `None` when unset or blank.
pub(crate) fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret(name).ok().map(|v| v.to_string()))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl Config {
    /// Reads and checks the configuration. Never fails: problems are listed
    /// in `problems`, and the parts that are wrong fall back to safe values
    /// (no CORS origin, sandbox, empty secrets that match nothing).
    pub(crate) fn from_env(env: &Env) -> Config {
        let get = |name: &str| var(env, name);
        Config::from_lookup(&get)
    }

    /// The same, from any lookup (host tests).
    pub(crate) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Config {
        let mut problems = Vec::new();
        let environment = match get("QONTO_ENVIRONMENT").as_deref() {
            Some("production") => Environment::Production,
            Some("sandbox") => Environment::Sandbox,
            Some(other) => {
                problems.push(format!(
                    "QONTO_ENVIRONMENT is \"{other}\"; it must be \"sandbox\" or \"production\""
                ));
                Environment::Sandbox
            }
            None => {
                problems.push(
                    "QONTO_ENVIRONMENT is not set; set it to \"sandbox\" or \"production\""
                        .to_owned(),
                );
                Environment::Sandbox
            }
        };
        let (default_api, default_oauth) = match environment {
            Environment::Production => (PRODUCTION_API, PRODUCTION_OAUTH),
            Environment::Sandbox => (SANDBOX_API, SANDBOX_OAUTH),
        };
        let mut url = |name: &str, default: &str| -> String {
            match get(name) {
                Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                    u.trim_end_matches('/').to_owned()
                }
                Some(u) => {
                    problems.push(format!("{name} is \"{u}\"; it must be an http(s) URL"));
                    default.to_owned()
                }
                None => default.to_owned(),
            }
        };
        let api_url = url("QONTO_API_URL", default_api);
        let oauth_url = url("QONTO_OAUTH_URL", default_oauth);

        let mut required = |name: &str| -> String {
            get(name).unwrap_or_else(|| {
                problems.push(format!(
                    "the secret {name} is not set (wrangler secret put {name})"
                ));
                String::new()
            })
        };
        let client_id = required("QONTO_CLIENT_ID");
        let client_secret = Secret(required("QONTO_CLIENT_SECRET"));
        let webhook_secret = Secret(required("QONTO_WEBHOOK_SECRET"));
        let admin_token = Secret(required("ADMIN_TOKEN"));
        if !webhook_secret.is_empty() && !WEBHOOK_SECRET_CHARS.contains(&webhook_secret.len()) {
            problems.push(format!(
                "QONTO_WEBHOOK_SECRET is {} characters long; Qonto's webhook subscriptions need {} to {}",
                webhook_secret.len(),
                WEBHOOK_SECRET_CHARS.start(),
                WEBHOOK_SECRET_CHARS.end()
            ));
        }
        if !admin_token.is_empty() && admin_token.len() < crate::auth::MIN_ADMIN_TOKEN_CHARS {
            problems.push(format!(
                "ADMIN_TOKEN is {} characters long; the admin opens only with {} or more: set a long \
                 random one (openssl rand -hex 32, then wrangler secret put ADMIN_TOKEN)",
                admin_token.len(),
                crate::auth::MIN_ADMIN_TOKEN_CHARS
            ));
        }
        let mut warnings = Vec::new();
        let mut staging_token = get("QONTO_STAGING_TOKEN").map(Secret);
        if environment == Environment::Production && staging_token.is_some() {
            // Qonto's production rejects it: never send it there.
            staging_token = None;
            warnings.push(
                "QONTO_STAGING_TOKEN is set but QONTO_ENVIRONMENT is production: it is ignored \
                 (remove it with wrangler secret delete QONTO_STAGING_TOKEN)"
                    .to_owned(),
            );
        }
        let scopes = parse_scopes(get("QONTO_SCOPES").as_deref(), &mut problems, &mut warnings);
        if environment == Environment::Sandbox
            && staging_token.is_none()
            && get("QONTO_API_URL").is_none()
        {
            problems.push(
                "QONTO_STAGING_TOKEN is not set; Qonto's sandbox refuses calls without it"
                    .to_owned(),
            );
        }

        let allowed_origins = match get("ALLOWED_ORIGINS") {
            None => Vec::new(),
            Some(list) => {
                let mut origins = Vec::new();
                for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match normalize_origin(raw) {
                        Some(o) => origins.push(o),
                        None => problems.push(format!(
                            "ALLOWED_ORIGINS has \"{raw}\", which is not an origin like https://shop.example.com (scheme and host, no path)"
                        )),
                    }
                }
                origins
            }
        };

        let currency = match get("CURRENCY") {
            None => Currency::EUR,
            Some(c) => match Currency::parse(&c) {
                Ok(c) if c == Currency::EUR => c,
                _ => {
                    problems.push(format!("CURRENCY is \"{c}\"; only EUR is supported"));
                    Currency::EUR
                }
            },
        };
        let vat_rate_format = match get("VAT_RATE_FORMAT") {
            None => VatRateFormat::Fraction,
            Some(f) => VatRateFormat::parse(&f).unwrap_or_else(|_| {
                problems.push(format!(
                    "VAT_RATE_FORMAT is \"{f}\"; it must be \"fraction\" or \"percent\""
                ));
                VatRateFormat::Fraction
            }),
        };
        let merchant_webhook = merchant_webhook(get, &mut problems);

        let merchant_retry_secs = match get("MERCHANT_WEBHOOK_RETRY_SECONDS") {
            None => DEFAULT_MERCHANT_RETRY_SECS.to_vec(),
            Some(list) => parse_retry_secs(&list).unwrap_or_else(|| {
                problems.push(format!(
                    "MERCHANT_WEBHOOK_RETRY_SECONDS is \"{list}\"; it must be 1 to 20 comma-separated \
                     numbers of seconds, each from 1 to 604800 (7 days)"
                ));
                DEFAULT_MERCHANT_RETRY_SECS.to_vec()
            }),
        };

        let retention_days = match get("CUSTOMER_DATA_RETENTION_DAYS") {
            None => DEFAULT_RETENTION_DAYS,
            Some(d) => match d.parse::<u32>() {
                Ok(n) if (1..=3650).contains(&n) => n,
                _ => {
                    problems.push(format!(
                        "CUSTOMER_DATA_RETENTION_DAYS is \"{d}\"; it must be a number of days from 1 to 3650"
                    ));
                    DEFAULT_RETENTION_DAYS
                }
            },
        };

        let email = crate::outbox::EmailSettings::from_lookup(get);
        problems.extend(email.problems.iter().cloned());
        let report_time_zone = match get("REPORT_TIME_ZONE") {
            None => crate::dashboard::tz::DEFAULT_ZONE,
            Some(z) => crate::dashboard::tz::Zone::by_name(&z).unwrap_or_else(|| {
                problems.push(format!(
                    "REPORT_TIME_ZONE is \"{z}\"; it must be UTC or a European zone such as Europe/Paris (see the README for the list)"
                ));
                crate::dashboard::tz::DEFAULT_ZONE
            }),
        };

        let checkout_policy = crate::checkout_policy::from_lookup(get, environment, &mut problems);

        Config {
            checkout_policy,
            environment,
            api_url,
            oauth_url,
            client_id,
            client_secret,
            staging_token,
            webhook_secret,
            admin_token,
            allowed_origins,
            currency,
            vat_rate_format,
            merchant_webhook,
            retention_days,
            merchant_retry_secs,
            email,
            report_time_zone,
            problems,
            scopes,
            warnings,
        }
    }

    /// Whether `origin` may call the public API from a browser.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// The merchant's webhook: both variables, or neither (a URL without a
/// secret is a problem; the secret alone is unused and harmless).
fn merchant_webhook(
    get: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Option<MerchantWebhook> {
    let url = get("MERCHANT_WEBHOOK_URL")?;
    let mut ok = true;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        problems.push(format!(
            "MERCHANT_WEBHOOK_URL is \"{url}\"; it must be an http(s) URL"
        ));
        ok = false;
    } else if insecure_webhook_url(&url) {
        problems.push(insecure_webhook_problem(&url));
        ok = false;
    }
    let Some(secret) = get("MERCHANT_WEBHOOK_SECRET") else {
        problems.push("MERCHANT_WEBHOOK_URL is set but MERCHANT_WEBHOOK_SECRET is not".to_owned());
        return None;
    };
    ok.then_some(MerchantWebhook {
        url,
        secret: Secret(secret),
    })
}

/// Whether a merchant webhook URL would send notifications (the customer's
/// name, e-mail and address) unencrypted over the internet: `http://` to a
/// host other than this machine. Plain http is accepted only for a loopback
/// host (`localhost`, `127.0.0.0/8`, `[::1]`), which only local development
/// can reach: a deployed edge cannot, so no flag is needed to tell them
/// apart.
pub(crate) fn insecure_webhook_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

/// The sentence for an [`insecure_webhook_url`].
pub(crate) fn insecure_webhook_problem(url: &str) -> String {
    format!(
        "MERCHANT_WEBHOOK_URL is \"{url}\": plain http is accepted only to this machine (local \
         development); notifications carry the customer's name and address, so give an https:// URL \
         (no notification is sent until then)"
    )
}

/// Retry delays of a merchant notification: 1 min, 5 min, 15 min, 1 h, 3 h,
/// 6 h, 12 h, 24 h (nine attempts over two days).
const DEFAULT_MERCHANT_RETRY_SECS: [u32; 8] = [60, 300, 900, 3_600, 10_800, 21_600, 43_200, 86_400];

/// `"60, 300,900"` → `[60, 300, 900]`; `None` unless 1 to 20 numbers, each
/// from 1 s to 7 days.
fn parse_retry_secs(list: &str) -> Option<Vec<u32>> {
    let secs = list
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=604_800).contains(n))
        })
        .collect::<Option<Vec<u32>>>()?;
    (1..=20).contains(&secs.len()).then_some(secs)
}

/// `https://Shop.example.com/` → `https://shop.example.com`; `None` for
/// anything that is not a bare http(s) origin.
fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim_end_matches('/');
    let (scheme, rest) = raw.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, Some(p))
        }
        Some(_) => return None,
        None => (rest, None),
    };
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let host = host.to_ascii_lowercase();
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(&move |k: &str| map.get(k).cloned())
    }

    const GOOD: &[(&str, &str)] = &[
        ("QONTO_ENVIRONMENT", "production"),
        ("QONTO_CLIENT_ID", "id"),
        ("QONTO_CLIENT_SECRET", "secret"),
        (
            "QONTO_WEBHOOK_SECRET",
            "whsec-0123456789abcdef0123456789abcdef",
        ),
        ("ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"),
        (
            "ALLOWED_ORIGINS",
            "https://Shop.example.com/, http://127.0.0.1:8080",
        ),
    ];

    #[test]
    fn merchant_retry_delays() {
        assert_eq!(
            config(GOOD).merchant_retry_secs,
            DEFAULT_MERCHANT_RETRY_SECS
        );
        let cases: &[(&str, Option<&[u32]>)] = &[
            ("60", Some(&[60])),
            (" 1, 2 ,604800", Some(&[1, 2, 604_800])),
            ("0", None),
            ("604801", None),
            ("60,,300", None),
            ("60;300", None),
            ("-5", None),
            ("1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", None), // 21
        ];
        for (text, want) in cases {
            let mut pairs = GOOD.to_vec();
            pairs.push(("MERCHANT_WEBHOOK_RETRY_SECONDS", text));
            let c = config(&pairs);
            match want {
                Some(secs) => {
                    assert_eq!(c.merchant_retry_secs, *secs, "{text}");
                    assert!(c.problems.is_empty(), "{text}: {:?}", c.problems);
                }
                None => {
                    assert_eq!(c.merchant_retry_secs, DEFAULT_MERCHANT_RETRY_SECS, "{text}");
                    assert!(
                        c.problems
                            .iter()
                            .any(|p| p.contains("MERCHANT_WEBHOOK_RETRY_SECONDS")),
                        "{text}: {:?}",
                        c.problems
                    );
                }
            }
        }
    }

    #[test]
    fn a_complete_configuration_has_no_problems() {
        let c = config(GOOD);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.api_url, PRODUCTION_API);
        assert_eq!(c.oauth_url, PRODUCTION_OAUTH);
        assert_eq!(
            c.allowed_origins,
            ["https://shop.example.com", "http://127.0.0.1:8080"]
        );
        assert!(c.origin_allowed("https://shop.example.com"));
        assert!(!c.origin_allowed("https://evil.example.com"));
        assert_eq!(c.vat_rate_format, VatRateFormat::Fraction);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let c = config(&[
            ("QONTO_ENVIRONMENT", "staging"),
            (
                "ALLOWED_ORIGINS",
                "shop.example.com, https://ok.example.com, https://x.example.com/path",
            ),
            ("VAT_RATE_FORMAT", "decimal"),
            ("CURRENCY", "USD"),
        ]);
        let all = c.problems.join("\n");
        for needle in [
            "QONTO_ENVIRONMENT is \"staging\"",
            "QONTO_CLIENT_ID",
            "QONTO_CLIENT_SECRET",
            "QONTO_WEBHOOK_SECRET",
            "ADMIN_TOKEN",
            "\"shop.example.com\"",
            "https://x.example.com/path",
            "VAT_RATE_FORMAT",
            "only EUR",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
        assert_eq!(c.allowed_origins, ["https://ok.example.com"]);
        assert_eq!(c.environment, Environment::Sandbox);
    }

    #[test]
    fn overrides_win_over_the_environment_hosts() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("QONTO_API_URL", "http://127.0.0.1:8790/"));
        pairs.push(("QONTO_OAUTH_URL", "http://127.0.0.1:8790"));
        let c = config(&pairs);
        assert_eq!(c.api_url, "http://127.0.0.1:8790");
        assert_eq!(c.oauth_url, "http://127.0.0.1:8790");
    }

    #[test]
    fn sandbox_without_staging_token_is_a_problem() {
        let mut pairs = GOOD.to_vec();
        pairs[0] = ("QONTO_ENVIRONMENT", "sandbox");
        let c = config(&pairs);
        assert_eq!(c.api_url, SANDBOX_API);
        assert!(
            c.problems.iter().any(|p| p.contains("QONTO_STAGING_TOKEN")),
            "{:?}",
            c.problems
        );
    }

    #[test]
    fn scopes_default_to_payment_links_and_a_refresh_token() {
        let c = config(GOOD);
        assert_eq!(
            c.scopes,
            ["payment_link.read", "payment_link.write", "offline_access"]
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let mut pairs = GOOD.to_vec();
        pairs.push((
            "QONTO_SCOPES",
            "payment_link.read, payment_link.write webhook webhook organization.read",
        ));
        let c = config(&pairs);
        assert_eq!(
            c.scopes,
            [
                "payment_link.read",
                "payment_link.write",
                "webhook",
                "organization.read"
            ]
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(
            c.warnings.iter().any(|w| w.contains("offline_access")),
            "{:?}",
            c.warnings
        );
        let mut pairs = GOOD.to_vec();
        pairs.push(("QONTO_SCOPES", "payment_link.read Webhook!"));
        let all = config(&pairs).problems.join("\n");
        assert!(all.contains("\"Webhook!\""), "{all}");
        assert!(all.contains("lacks payment_link.write"), "{all}");
    }

    #[test]
    fn a_staging_token_in_production_is_ignored_with_a_warning() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("QONTO_STAGING_TOKEN", "stg"));
        let c = config(&pairs);
        assert_eq!(c.staging_token, None);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(
            c.warnings.iter().any(|w| w.contains("QONTO_STAGING_TOKEN")),
            "{:?}",
            c.warnings
        );
        pairs[0] = ("QONTO_ENVIRONMENT", "sandbox");
        assert_eq!(
            config(&pairs).staging_token.as_ref().map(|s| s.expose()),
            Some("stg")
        );
    }

    #[test]
    fn origins_are_normalized_or_refused() {
        for (raw, want) in [
            ("https://shop.example.com", Some("https://shop.example.com")),
            (
                "HTTPS://SHOP.example.com/",
                Some("https://shop.example.com"),
            ),
            ("http://localhost:8080", Some("http://localhost:8080")),
            ("shop.example.com", None),
            ("ftp://shop.example.com", None),
            ("https://shop.example.com/path", None),
            ("https://user@shop.example.com", None),
            ("https://shop.example.com:", None),
            ("https://", None),
            ("*", None),
        ] {
            assert_eq!(normalize_origin(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn secrets_are_typed_and_redacted() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("MERCHANT_WEBHOOK_URL", "https://shop.example.com/hook"));
        pairs.push(("MERCHANT_WEBHOOK_SECRET", "merchant-secret"));
        let c = config(&pairs);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let hook = c
            .merchant_webhook
            .clone()
            .expect("both variables make a webhook");
        assert_eq!(hook.url, "https://shop.example.com/hook");
        assert_eq!(hook.secret.expose(), "merchant-secret");
        let debug = format!("{c:?}");
        for secret in [
            "merchant-secret",
            "0123456789abcdef0123",
            "whsec-",
            "\"secret\"",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert_eq!(c.client_secret.expose(), "secret");
    }

    #[test]
    fn a_merchant_webhook_needs_both_variables() {
        let mut url_only = GOOD.to_vec();
        url_only.push(("MERCHANT_WEBHOOK_URL", "https://shop.example.com/hook"));
        let c = config(&url_only);
        assert_eq!(c.merchant_webhook, None);
        assert!(c
            .problems
            .iter()
            .any(|p| p.contains("MERCHANT_WEBHOOK_SECRET")));
        let mut secret_only = GOOD.to_vec();
        secret_only.push(("MERCHANT_WEBHOOK_SECRET", "s"));
        let c = config(&secret_only);
        assert_eq!(c.merchant_webhook, None);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let mut bad_url = GOOD.to_vec();
        bad_url.push(("MERCHANT_WEBHOOK_URL", "shop.example.com/hook"));
        bad_url.push(("MERCHANT_WEBHOOK_SECRET", "s"));
        let c = config(&bad_url);
        assert_eq!(c.merchant_webhook, None);
        assert!(c.problems.iter().any(|p| p.contains("http(s) URL")));
    }

    #[test]
    fn the_admin_token_has_32_characters_at_least() {
        for (token, ok) in [
            ("a".repeat(16), false),
            ("a".repeat(31), false),
            ("a".repeat(32), true),
            ("é".repeat(32), true),
            ("a".repeat(200), true),
        ] {
            let mut pairs = GOOD.to_vec();
            pairs[4] = ("ADMIN_TOKEN", token.as_str());
            let c = config(&pairs);
            let reported = c.problems.iter().any(|p| p.contains("ADMIN_TOKEN"));
            assert_eq!(reported, !ok, "{token}: {:?}", c.problems);
        }
        let mut pairs = GOOD.to_vec();
        pairs[4] = ("ADMIN_TOKEN", "short-admin-token-12345");
        assert_eq!(
            config(&pairs).problems,
            ["ADMIN_TOKEN is 23 characters long; the admin opens only with 32 or more: set a long \
              random one (openssl rand -hex 32, then wrangler secret put ADMIN_TOKEN)"]
        );
    }

    #[test]
    fn a_merchant_webhook_over_http_is_only_for_this_machine() {
        for (url, insecure) in [
            ("https://shop.example.com/hook", false),
            ("http://127.0.0.1:8080/hook", false),
            ("http://127.1.2.3/hook", false),
            ("http://localhost:3000/paid", false),
            ("http://LOCALHOST./paid", false),
            ("http://api.localhost/paid", false),
            ("http://[::1]:9000/paid", false),
            ("http://shop.example.com/hook", true),
            ("http://192.168.1.10/hook", true),
            ("http://10.0.0.1:8080/hook", true),
            ("http://localhost.evil.example/hook", true),
            ("http://127.0.0.1.evil.example/hook", true),
            ("http://127.0.0.1@evil.example/hook", true),
            ("http://[2001:db8::1]/hook", true),
        ] {
            assert_eq!(insecure_webhook_url(url), insecure, "{url}");
        }
        let mut pairs = GOOD.to_vec();
        pairs.push(("MERCHANT_WEBHOOK_URL", "http://hooks.shop.example/paid"));
        pairs.push(("MERCHANT_WEBHOOK_SECRET", "merchant-secret"));
        let c = config(&pairs);
        assert_eq!(c.merchant_webhook, None, "nothing is sent over plain http");
        assert_eq!(
            c.problems,
            ["MERCHANT_WEBHOOK_URL is \"http://hooks.shop.example/paid\": plain http is accepted only \
              to this machine (local development); notifications carry the customer's name and address, \
              so give an https:// URL (no notification is sent until then)"]
        );
        let at = pairs.len() - 2;
        pairs[at] = ("MERCHANT_WEBHOOK_URL", "http://127.0.0.1:9000/paid");
        let c = config(&pairs);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(
            c.merchant_webhook.map(|h| h.url).as_deref(),
            Some("http://127.0.0.1:9000/paid")
        );
    }

    #[test]
    fn the_webhook_secret_has_qonto_s_length() {
        for (secret, ok) in [
            ("a".repeat(31), false),
            ("a".repeat(32), true),
            ("a".repeat(128), true),
            ("a".repeat(129), false),
        ] {
            let mut pairs = GOOD.to_vec();
            pairs[3] = ("QONTO_WEBHOOK_SECRET", secret.as_str());
            let c = config(&pairs);
            let reported = c
                .problems
                .iter()
                .any(|p| p.contains("QONTO_WEBHOOK_SECRET"));
            assert_eq!(
                reported,
                !ok,
                "{} characters: {:?}",
                secret.len(),
                c.problems
            );
        }
    }
}
