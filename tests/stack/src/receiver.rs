//! A stand-in for the merchant's own server: records every notification the
//! edge forwards to `MERCHANT_WEBHOOK_URL`, so tests can check what arrived and
//! verify its signature. `GET /received` lists them.

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
}

type Log = Arc<Mutex<Vec<Received>>>;

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
}

impl Drop for MerchantReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(log): State<Log>, headers: HeaderMap, body: String) -> &'static str {
    let signature = headers
        .get("x-checkout-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut l) = log.lock() {
        l.push(Received { signature, body });
    }
    "ok"
}

async fn list(State(log): State<Log>) -> Json<Vec<Received>> {
    Json(log.lock().map(|l| l.clone()).unwrap_or_default())
}
