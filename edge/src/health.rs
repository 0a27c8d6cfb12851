//! `GET /health`: is this edge configured, is its storage reachable, and can
//! it reach Qonto. Monitoring and the admin page read it; every problem is a
//! readable sentence, logged as well.

use crate::error::json_response;
use crate::http::Cx;
use crate::ledger::Ledger;
use crate::log;
use crate::tokens::{self, AuthState};
use serde_json::json;
use shared::api::Health;
use worker::Response;

/// The `/health` answer: 200 when the edge can take checkouts, 503 with the
/// problems otherwise.
pub(crate) async fn health(cx: &Cx) -> Response {
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
    match Ledger::open(cx) {
        Ok(ledger) => {
            if let Err(e) = ledger.ready().await {
                problems.push(format!(
                    "the ledger database is not ready (were the D1 migrations applied?): {e:?}"
                ));
            }
        }
        Err(e) => problems.push(format!("the D1 binding DB is missing: {e:?}")),
    }
    let qonto = match tokens::status(cx).await {
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
    let ok = problems.is_empty();
    if !ok {
        log::warn(
            &cx.request_id,
            "health problems",
            json!({"problems": problems}),
        );
    }
    let body = Health {
        ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        qonto,
        environment: cx.config.environment.as_str().to_owned(),
        problems,
    };
    let mut resp = json_response(&body, if ok { 200 } else { 503 });
    let _ = resp.headers_mut().set("cache-control", "no-store");
    resp
}
