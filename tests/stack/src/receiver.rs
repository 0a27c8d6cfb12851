//! A stand-in for the merchant's own server: records every notification the
//! edge forwards to `MERCHANT_WEBHOOK_URL`, so tests can check what arrived and
//! verify its signature. `GET /received` lists them; `POST /fail` with a
//! number makes the next that many answer 500 (a merchant's server down).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// One recorded notification.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    /// The `X-Checkout-Signature` header.
    pub signature: Option<String>,
    /// The raw body.
    pub body: String,
    /// What the receiver answered (500 while failing, else 200).
    pub status: u16,
}

/// What was received, and how many more to refuse.
#[derive(Debug, Default)]
struct Inner {
    received: Vec<Received>,
    fail_next: u32,
}

type Log = Arc<Mutex<Inner>>;

/// A running receiver.
#[derive(Debug)]
pub struct MerchantReceiver {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl MerchantReceiver {
    /// Starts on a free port.
    pub async fn start() -> std::io::Result<Self> {
        let log: Log = Arc::default();
        let app = Router::new()
            .route("/notify", post(record))
            .route("/received", get(list))
            .route("/fail", post(fail))
            .with_state(log);
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { port, task })
    }

    /// Where the edge posts (`MERCHANT_WEBHOOK_URL`).
    pub fn notify_url(&self) -> String {
        format!("http://127.0.0.1:{}/notify", self.port)
    }

    /// Where tests read what arrived.
    pub fn received_url(&self) -> String {
        format!("http://127.0.0.1:{}/received", self.port)
    }

    /// Where tests make it fail (`POST` a number).
    pub fn fail_url(&self) -> String {
        format!("http://127.0.0.1:{}/fail", self.port)
    }
}

impl Drop for MerchantReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(log): State<Log>,
    headers: HeaderMap,
    body: String,
) -> (axum::http::StatusCode, &'static str) {
    let signature = headers
        .get("x-checkout-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(mut l) = log.lock() else {
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "poisoned");
    };
    let failing = l.fail_next > 0;
    l.fail_next = l.fail_next.saturating_sub(1);
    let status = if failing {
        axum::http::StatusCode::INTERNAL_SERVER_ERROR
    } else {
        axum::http::StatusCode::OK
    };
    l.received.push(Received {
        signature,
        body,
        status: status.as_u16(),
    });
    (status, if failing { "down" } else { "ok" })
}

async fn list(State(log): State<Log>) -> Json<Vec<Received>> {
    Json(log.lock().map(|l| l.received.clone()).unwrap_or_default())
}

/// `POST /fail` with a number `n`: the next `n` notifications get a 500.
async fn fail(State(log): State<Log>, body: String) -> &'static str {
    if let (Ok(mut l), Ok(n)) = (log.lock(), body.trim().parse::<u32>()) {
        l.fail_next = n;
        "ok"
    } else {
        "expected a number"
    }
}
