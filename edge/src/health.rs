//! `GET /health`: is this edge configured, is its storage reachable, and is it
//! authorized against Qonto. Monitoring and the admin page read it.

use crate::error::json_response;
use worker::{Env, Response};

/// What `/health` found.
pub(crate) struct Health {
    qonto: String,
    environment: String,
    problems: Vec<String>,
}

impl Health {
    /// The `/health` answer: 200 when healthy, 503 with the problems otherwise.
    pub(crate) fn into_response(self) -> Response {
        let ok = self.problems.is_empty();
        let body = serde_json::json!({
            "ok": ok,
            "version": env!("CARGO_PKG_VERSION"),
            "qonto": self.qonto,
            "environment": self.environment,
            "problems": self.problems,
        });
        json_response(&body, if ok { 200 } else { 503 })
    }
}

/// Checks the bindings the edge cannot work without.
pub(crate) async fn health(env: &Env) -> Health {
    let mut problems = Vec::new();
    let environment = env
        .var("QONTO_ENVIRONMENT")
        .map(|v| v.to_string())
        .unwrap_or_default();
    match env.d1("DB") {
        Ok(db) => {
            // Proves the binding works and the migrations were applied.
            if let Err(e) = db.prepare("SELECT count(*) AS n FROM checkouts").first::<serde_json::Value>(None).await {
                problems.push(format!("ledger database not ready (were the D1 migrations applied?): {e}"));
            }
        }
        Err(e) => problems.push(format!("D1 binding DB missing: {e}")),
    }
    let qonto = match crate::tokens::status(env).await {
        Ok(status) => status,
        Err(e) => {
            problems.push(format!("token store unreachable: {e}"));
            "unknown".to_owned()
        }
    };
    Health { qonto, environment, problems }
}
