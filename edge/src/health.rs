//! Is this edge configured, is its storage reachable, and can it reach
//! Qonto: one [`report`], every problem a readable sentence. The public
//! `GET /health` (monitoring) answers only ok / not ok and the Qonto
//! connection; the problems and warnings themselves are the admin's
//! (`GET /admin/status`, shown on the admin page) and the log's, since they
//! name the configuration (a short `ADMIN_TOKEN`, a missing secret) to
//! whoever asks.

use crate::error::json_response;
use crate::http::Cx;
use crate::ledger::Ledger;
use crate::log;
use crate::tokens::{self, AuthState};
use serde_json::json;
use shared::api::Health;
use worker::Response;

/// What [`report`] found.
pub(crate) struct Report {
    /// What stops checkouts or needs the merchant, each a sentence.
    pub(crate) problems: Vec<String>,
    /// What works but deserves a word.
    pub(crate) warnings: Vec<String>,
    /// The Qonto authorization state (`connected`, `not_authorized`, ...).
    pub(crate) qonto: String,
    /// Whether payments are paused (Qonto revoked the connection).
    pub(crate) paused: bool,
}

impl Report {
    /// Whether the edge can take checkouts.
    pub(crate) fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How long a refused checkout (`amount_mismatch`) is shown as a problem.
const MISMATCH_SHOWN_MS: f64 = 24.0 * 3_600_000.0;

/// The `/health` answer: 200 when the edge can take checkouts, 503
/// otherwise, with the Qonto connection state; the problems go to the log
/// (and to `/admin/status`).
pub(crate) async fn health(cx: &Cx) -> Response {
    let report = report(cx).await;
    let ok = report.ok();
    if !ok {
        log::warn(
            &cx.request_id,
            "health problems",
            json!({"problems": report.problems}),
        );
    }
    let body = Health {
        ok,
        qonto: report.qonto,
        payments: if report.paused { "paused" } else { "active" }.to_owned(),
    };
    let mut resp = json_response(&body, if ok { 200 } else { 503 });
    let _ = resp.headers_mut().set("cache-control", "no-store");
    resp
}

/// Everything that is wrong or worth a word, and the Qonto connection.
pub(crate) async fn report(cx: &Cx) -> Report {
    let mut problems = cx.config.problems.clone();
    problems.extend(crate::catalog::problems());
    if let Ok(catalog) = crate::catalog::catalog() {
        if catalog.currency() != cx.config.currency {
            problems.push(format!(
                "catalog.json is priced in {} but CURRENCY is {}",
                catalog.currency().as_str(),
                cx.config.currency.as_str()
            ));
        }
    }
    if let Err(p) = crate::checkouts::reconcile::ttl_from_env(&cx.env) {
        problems.push(p);
    }
    match Ledger::open(cx) {
        Ok(ledger) => {
            if let Ok(rows) = ledger
                .amount_mismatches_since(&crate::ledger::ago(MISMATCH_SHOWN_MS), 1)
                .await
            {
                problems.extend(rows.iter().map(|r| {
                    format!(
                        "checkout {} ({}) was refused: Qonto computed {} {} where the shop showed {} {}; \
                         check VAT_RATE_FORMAT (fraction or percent) and how Qonto rounds VAT",
                        r.id,
                        r.reference(),
                        r.charged().to_decimal(),
                        r.currency,
                        r.money(r.expected_gross_minor).to_decimal(),
                        r.currency
                    )
                }));
            }
            if let Err(e) = ledger.ready().await {
                let detail = format!("{e:?}");
                problems.push(match missing_table(&detail) {
                    Some(table) => format!(
                        "the D1 database has no table {table}: apply the migrations \
                         (wrangler d1 migrations apply qonto-checkout --remote)"
                    ),
                    None if detail.contains("no such column") => "the D1 database misses \
                         the latest migration's columns: apply the migrations \
                         (wrangler d1 migrations apply qonto-checkout --remote)"
                        .to_owned(),
                    None => format!("the D1 database DB cannot be read: {detail}"),
                });
            } else if let Err(e) = ledger.admin_ready().await {
                // The admin's own tables: without them nobody can sign in.
                let detail = format!("{e:?}");
                problems.push(match missing_table(&detail) {
                    Some(table) => format!(
                        "the D1 database has no table {table}: apply the migrations \
                         (wrangler d1 migrations apply qonto-checkout --remote)"
                    ),
                    None => format!("the D1 database DB cannot be read: {detail}"),
                });
            } else if let Err(e) = ledger.stock_ready().await {
                // Every basket checkout reads the stock tables.
                let detail = format!("{e:?}");
                problems.push(match missing_table(&detail) {
                    Some(table) => format!(
                        "the D1 database has no table {table}: apply the migrations \
                         (wrangler d1 migrations apply qonto-checkout --remote)"
                    ),
                    None => format!("the D1 database DB cannot be read: {detail}"),
                });
            } else if let Err(e) = ledger.discounts_ready().await {
                // Migration 0011's triggers run on every checkout's status
                // change, and a checkout with a code reads its table.
                let detail = format!("{e:?}");
                problems.push(match missing_table(&detail) {
                    Some(table) => format!(
                        "the D1 database has no table {table}: apply the migrations \
                         (wrangler d1 migrations apply qonto-checkout --remote)"
                    ),
                    None => format!("the D1 database DB cannot be read: {detail}"),
                });
            }
        }
        Err(e) => problems.push(format!("the D1 binding DB is missing: {e:?}")),
    }
    problems.extend(crate::outbox::health_problems(cx).await);
    let mut warnings = cx.config.warnings.clone();
    let mut granted: Option<String> = None;
    let qonto = match tokens::status_detail(cx).await.map(|d| {
        granted = d.scope;
        d.state
    }) {
        Ok(state) => {
            match state {
                AuthState::Connected => {}
                AuthState::NotAuthorized => problems.push(
                    "Qonto is not connected yet: sign in at /admin and press \"Connect Qonto\""
                        .into(),
                ),
                AuthState::ReauthorizationNeeded => problems.push(
                    "Qonto refused the stored refresh token: connect Qonto again at /admin".into(),
                ),
            }
            state.as_str().to_owned()
        }
        Err(e) => {
            problems.push(format!(
                "the token store (Durable Object TOKENS) is unreachable: {e:?}"
            ));
            "unknown".to_owned()
        }
    };
    let paused = match crate::connection_state::paused(cx).await {
        Ok(p) => p.is_some(),
        Err(e) => {
            let detail = format!("{e:?}");
            problems.push(match missing_table(&detail) {
                Some(table) => format!(
                    "the D1 database has no table {table}: apply the migrations \
                     (wrangler d1 migrations apply qonto-checkout --remote)"
                ),
                None => format!("the D1 database DB cannot be read: {detail}"),
            });
            false
        }
    };
    if paused {
        problems.push(crate::connection_state::PAUSED_PROBLEM.to_owned());
    }
    if let Some(w) = webhook_warning(&cx.config.scopes, granted.as_deref(), qonto == "connected") {
        warnings.push(w);
    }
    Report {
        problems,
        warnings,
        qonto,
        paused,
    }
}

/// Without the `webhook` scope (not asked for, or not granted) the shop
/// still works: a payment is found when the shopper's page or the admin asks
/// Qonto. `/admin/status` says so, as a warning, not a problem.
fn webhook_warning(asked: &[String], granted: Option<&str>, connected: bool) -> Option<String> {
    let asked_for = asked.iter().any(|s| s == "webhook");
    let granted_it = granted.is_some_and(|g| g.split_whitespace().any(|s| s == "webhook"));
    if !asked_for {
        Some(
            "webhooks are off (no webhook scope in QONTO_SCOPES): payments are still found, when the \
             shopper's page or the admin page asks Qonto, but later; add webhook to QONTO_SCOPES and \
             allow it in Qonto's Developer Portal for instant updates"
                .to_owned(),
        )
    } else if connected && !granted_it {
        Some(
            "webhooks are off (Qonto did not grant the webhook scope): payments are still found, when \
             the shopper's page or the admin page asks Qonto, but later; allow webhook for the app in \
             Qonto's Developer Portal and connect again"
                .to_owned(),
        )
    } else {
        None
    }
}

/// The table named in D1's "no such table: …" error, if that is the error.
fn missing_table(error: &str) -> Option<&str> {
    let rest = error.split_once("no such table: ")?.1;
    let name = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::{missing_table, webhook_warning};

    #[test]
    fn no_webhook_scope_is_a_warning() {
        let with = vec!["payment_link.read".to_owned(), "webhook".to_owned()];
        let without = vec!["payment_link.read".to_owned()];
        assert!(webhook_warning(&without, None, false).is_some_and(|w| w.contains("QONTO_SCOPES")));
        assert!(webhook_warning(&with, Some("payment_link.read"), true)
            .is_some_and(|w| w.contains("did not grant")));
        assert_eq!(
            webhook_warning(&with, Some("webhook payment_link.read"), true),
            None
        );
        assert_eq!(
            webhook_warning(&with, None, false),
            None,
            "not connected yet"
        );
    }

    #[test]
    fn the_missing_table_is_named() {
        let d1 = "Platform(\"D1: D1Error {\\n cause: JsValue(Error: no such table: notifications: SQLITE_ERROR\\n";
        assert_eq!(missing_table(d1), Some("notifications"));
        assert_eq!(
            missing_table("no such table: webhook_events"),
            Some("webhook_events")
        );
        assert_eq!(missing_table("D1_ERROR: network connection lost"), None);
        assert_eq!(missing_table("no such table: "), None);
    }
}
