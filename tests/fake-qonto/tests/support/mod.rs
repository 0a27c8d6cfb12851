//! What the fake's HTTP tests share: a client that shows redirects instead
//! of following them, a fake started on port 0 with a bearer token, its API
//! and its `/_control` API.

// Each test file uses part of it.
#![allow(dead_code)]

use fake_qonto::{FakeConfig, RunningFake};
use reqwest::{redirect, Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

/// Every scope the edge asks for.
pub(crate) const SCOPES: &str =
    "openid offline_access payment_link.read payment_link.write webhook client_invoices.read";

/// A client that does not follow redirects (the tests look at them).
pub(crate) fn client() -> Client {
    Client::builder()
        .no_proxy()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// A running fake, a client, and a token of [`SCOPES`].
pub(crate) struct Fx {
    pub(crate) fake: RunningFake,
    pub(crate) http: Client,
    pub(crate) token: String,
}

impl Fx {
    /// A fake with the default configuration.
    pub(crate) async fn new() -> Fx {
        Fx::with(FakeConfig::default()).await
    }

    /// A fake with `config`.
    pub(crate) async fn with(config: FakeConfig) -> Fx {
        let fake = fake_qonto::start(config).await.unwrap();
        let mut fx = Fx {
            fake,
            http: client(),
            token: String::new(),
        };
        fx.token = fx.token(SCOPES).await;
        fx
    }

    /// A fresh access token of `scope` (space-separated), from the control API.
    pub(crate) async fn token(&self, scope: &str) -> String {
        let t = self
            .control(Method::POST, "/tokens", Some(json!({ "scope": scope })))
            .await;
        t["access_token"].as_str().unwrap().to_owned()
    }

    /// The fake's URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.base_url())
    }

    /// `GET path` with the token (another token: `http` and `url`).
    pub(crate) fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.token)
    }

    /// `POST path` with the token.
    pub(crate) fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.token)
    }

    /// Sends `req`: its status and JSON body (Null when empty).
    pub(crate) async fn json(&self, req: RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body = resp.bytes().await.unwrap();
        let value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)))
        };
        (status, value)
    }

    /// A control call that must succeed: its JSON answer (Null when empty).
    pub(crate) async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, self.url(&format!("/_control{path}")));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let (status, value) = self.json(req).await;
        assert!(status.is_success(), "control {path}: {status} {value}");
        value
    }
}
