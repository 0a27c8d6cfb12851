//! The demo merchant shop: the static pages in `demo/`, served on an origin of
//! their own so the widget's cross-origin embed and CORS are exercised for real.
//!
//! `__EDGE_URL__` in an HTML file becomes the edge's URL. A page whose name
//! ends in `.csp.html` is served with the strict Content-Security-Policy the
//! README documents for merchants.

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use std::path::{Component, Path, PathBuf};
use tokio::net::TcpListener;

/// A running shop server.
#[derive(Debug)]
pub struct ShopServer {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl ShopServer {
    /// Serves `dir` on 127.0.0.1:`port` (0 picks a free port).
    pub async fn start(dir: PathBuf, port: u16, edge_url: String) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let app = Router::new().fallback(move |req: Request<Body>| {
            let dir = dir.clone();
            let edge_url = edge_url.clone();
            async move { serve(&dir, req.uri().path(), &edge_url).await }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { port, task })
    }

    /// The shop's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ShopServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The policy a merchant's page may use with the widget (documented in the README).
pub fn strict_csp(edge_url: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {edge_url} 'wasm-unsafe-eval'; \
         connect-src 'self' {edge_url}; style-src 'self'; img-src 'self' {edge_url} data:; \
         form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

async fn serve(dir: &Path, path: &str, edge_url: &str) -> Response<Body> {
    let mut rel = PathBuf::new();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => rel.push(p),
            _ => return status(StatusCode::NOT_FOUND),
        }
    }
    if rel.as_os_str().is_empty() {
        rel.push("index.html");
    }
    let file = dir.join(&rel);
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return status(StatusCode::NOT_FOUND);
    };
    let name = rel.to_string_lossy().to_string();
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let body = if name.ends_with(".html") || name.ends_with(".js") {
        String::from_utf8_lossy(&bytes)
            .replace("__EDGE_URL__", edge_url)
            .into_bytes()
    } else {
        bytes
    };
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if name.ends_with(".csp.html") {
        if let Ok(v) = HeaderValue::from_str(&strict_csp(edge_url)) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp
}

fn status(code: StatusCode) -> Response<Body> {
    let mut r = Response::new(Body::from(code.canonical_reason().unwrap_or("")));
    *r.status_mut() = code;
    r
}
