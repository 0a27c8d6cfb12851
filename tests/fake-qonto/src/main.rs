//! `fake-qonto`: runs the fake Qonto on 127.0.0.1 until Ctrl-C.
//!
//! Every flag has an environment variable (flags win). See `--help`.

use fake_qonto::{FakeConfig, DEFAULT_PORT};
use shared::vat::VatRateFormat;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
fake-qonto: a local fake of Qonto's payment-link API, OAuth server, hosted payment page and webhooks.

USAGE: fake-qonto [FLAGS]

  --port N                    FAKE_QONTO_PORT               port on 127.0.0.1 (default 8790; 0 = any)
  --public-url URL            FAKE_QONTO_PUBLIC_URL         base of payment-link URLs (default http://127.0.0.1:PORT)
  --client-id ID              FAKE_QONTO_CLIENT_ID          OAuth client id (default fake-qonto-client)
  --client-secret S           FAKE_QONTO_CLIENT_SECRET      OAuth client secret (default fake-qonto-secret)
  --redirect-uri URL          FAKE_QONTO_REDIRECT_URIS      allowed redirect URI (repeatable; env: comma-separated; default any)
  --staging-token T           FAKE_QONTO_STAGING_TOKEN      require X-Qonto-Staging-Token: T (like the sandbox)
  --access-token-ttl SECS     FAKE_QONTO_ACCESS_TOKEN_TTL   access token lifetime (default 3600)
  --refresh-grace-ms MS       FAKE_QONTO_REFRESH_GRACE_MS   old refresh token grace after first use (default 60000)
  --auto-consent              FAKE_QONTO_AUTO_CONSENT=1     /oauth2/auth redirects back without the consent page
  --vat-rate-format F         FAKE_QONTO_VAT_RATE_FORMAT    fraction (\"0.2\", default) or percent (\"20.0\")
  --webhook-retry-delay-ms MS FAKE_QONTO_WEBHOOK_RETRY_DELAY_MS  first retry delay, doubling (default 1000)
  --webhook-max-attempts N    FAKE_QONTO_WEBHOOK_MAX_ATTEMPTS    attempts per delivery (default 6)
  --webhook-timeout-ms MS     FAKE_QONTO_WEBHOOK_TIMEOUT_MS      receiver deadline (default 1000, as Qonto)
  --no-connection             FAKE_QONTO_NO_CONNECTION=1    start without a provider connection (API 404)
  -h, --help                  this help
";

/// Reads flags then environment into a config.
fn parse(args: Vec<String>) -> Result<Option<FakeConfig>, String> {
    let mut c = FakeConfig {
        port: DEFAULT_PORT,
        ..FakeConfig::default()
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let truthy = |v: &str| matches!(v, "1" | "true" | "yes" | "on");

    // Environment first, flags override.
    let mut settings: Vec<(String, String)> = Vec::new();
    for (var, flag) in [
        ("FAKE_QONTO_PORT", "--port"),
        ("FAKE_QONTO_PUBLIC_URL", "--public-url"),
        ("FAKE_QONTO_CLIENT_ID", "--client-id"),
        ("FAKE_QONTO_CLIENT_SECRET", "--client-secret"),
        ("FAKE_QONTO_STAGING_TOKEN", "--staging-token"),
        ("FAKE_QONTO_ACCESS_TOKEN_TTL", "--access-token-ttl"),
        ("FAKE_QONTO_REFRESH_GRACE_MS", "--refresh-grace-ms"),
        ("FAKE_QONTO_VAT_RATE_FORMAT", "--vat-rate-format"),
        (
            "FAKE_QONTO_WEBHOOK_RETRY_DELAY_MS",
            "--webhook-retry-delay-ms",
        ),
        ("FAKE_QONTO_WEBHOOK_MAX_ATTEMPTS", "--webhook-max-attempts"),
        ("FAKE_QONTO_WEBHOOK_TIMEOUT_MS", "--webhook-timeout-ms"),
    ] {
        if let Some(v) = env(var) {
            settings.push((flag.to_owned(), v));
        }
    }
    if let Some(v) = env("FAKE_QONTO_REDIRECT_URIS") {
        for uri in v.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            settings.push(("--redirect-uri".to_owned(), uri.to_owned()));
        }
    }
    if env("FAKE_QONTO_AUTO_CONSENT").is_some_and(|v| truthy(&v)) {
        settings.push(("--auto-consent".to_owned(), String::new()));
    }
    if env("FAKE_QONTO_NO_CONNECTION").is_some_and(|v| truthy(&v)) {
        settings.push(("--no-connection".to_owned(), String::new()));
    }

    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--auto-consent" | "--no-connection" => settings.push((flag, String::new())),
            f if f.starts_with('-') => {
                let value = match inline {
                    Some(v) => v,
                    None => it.next().ok_or_else(|| format!("{f} needs a value"))?,
                };
                settings.push((flag, value));
            }
            other => return Err(format!("unexpected argument {other:?} (see --help)")),
        }
    }

    let mut redirect_uris = Vec::new();
    let num = |flag: &str, v: &str| {
        v.parse::<u64>()
            .map_err(|_| format!("{flag}: {v:?} is not a number"))
    };
    for (flag, v) in settings {
        match flag.as_str() {
            "--port" => {
                c.port = v
                    .parse()
                    .map_err(|_| format!("--port: {v:?} is not a port"))?
            }
            "--public-url" => c.public_url = Some(v),
            "--client-id" => c.client_id = v,
            "--client-secret" => c.client_secret = v,
            "--redirect-uri" => redirect_uris.push(v),
            "--staging-token" => c.staging_token = Some(v),
            "--access-token-ttl" => c.access_token_ttl = Duration::from_secs(num(&flag, &v)?),
            "--refresh-grace-ms" => c.refresh_grace = Duration::from_millis(num(&flag, &v)?),
            "--auto-consent" => c.auto_consent = true,
            "--no-connection" => c.connection = None,
            "--vat-rate-format" => {
                c.vat_rate_format =
                    VatRateFormat::parse(&v).map_err(|e| format!("--vat-rate-format: {e}"))?
            }
            "--webhook-retry-delay-ms" => {
                c.webhook_retry_delay = Duration::from_millis(num(&flag, &v)?)
            }
            "--webhook-max-attempts" => {
                c.webhook_max_attempts = v
                    .parse()
                    .map_err(|_| format!("--webhook-max-attempts: {v:?} is not a number"))?
            }
            "--webhook-timeout-ms" => c.webhook_timeout = Duration::from_millis(num(&flag, &v)?),
            other => return Err(format!("unknown flag {other} (see --help)")),
        }
    }
    if !redirect_uris.is_empty() {
        c.redirect_uris = redirect_uris;
    }
    Ok(Some(c))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1).collect()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fake-qonto: {e}");
            return ExitCode::from(2);
        }
    };
    let summary = format!(
        "client_id={} client_secret={} vat_rate_format={} staging_token={} auto_consent={}",
        config.client_id,
        config.client_secret,
        config.vat_rate_format.as_str(),
        if config.staging_token.is_some() {
            "required"
        } else {
            "off"
        },
        config.auto_consent
    );
    let invoices = config.client_invoices.clone();
    let mut fake = match fake_qonto::start(config).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("fake-qonto listening on {}", fake.base_url());
    println!("  API and OAuth base URL: {}", fake.base_url());
    println!("  payment pages under:    {}/pay/", fake.public_url());
    println!("  test controls:          {}/_control", fake.base_url());
    println!("  {summary}");
    for inv in &invoices {
        println!(
            "  client invoice {} {} {} {}",
            inv.id,
            inv.number_or_legacy().unwrap_or("(draft)"),
            inv.status.as_ref().map_or("?", |s| s.as_str()),
            inv.gross_amount()
                .map(|a| format!("{} {}", a.value, a.currency))
                .unwrap_or_default()
        );
    }
    println!("Press Ctrl-C to stop.");

    let result = tokio::select! {
        r = fake.wait() => r,
        _ = tokio::signal::ctrl_c() => Ok(()),
    };
    if let Err(e) = result {
        eprintln!("fake-qonto: {e}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = fake.shutdown().await {
        eprintln!("fake-qonto: {e}");
        return ExitCode::FAILURE;
    }
    println!("fake-qonto stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn flags_parse() {
        let c = parse(args(&[
            "--port",
            "0",
            "--client-id=abc",
            "--staging-token",
            "st",
            "--vat-rate-format",
            "percent",
            "--webhook-retry-delay-ms",
            "50",
            "--access-token-ttl",
            "10",
            "--auto-consent",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.client_id, "abc");
        assert_eq!(c.staging_token.as_deref(), Some("st"));
        assert_eq!(c.vat_rate_format, VatRateFormat::Percent);
        assert_eq!(c.webhook_retry_delay, Duration::from_millis(50));
        assert_eq!(c.access_token_ttl, Duration::from_secs(10));
        assert!(c.auto_consent);
        assert!(parse(args(&["--help"])).unwrap().is_none());
        assert!(parse(args(&["--port"])).is_err());
        assert!(parse(args(&["--vat-rate-format", "basis"])).is_err());
        assert!(parse(args(&["--bogus", "1"])).is_err());
    }
}
