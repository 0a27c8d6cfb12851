//! The edge under `wrangler dev` (real workerd, D1, Durable Objects): it is up,
//! its storage is migrated, and it serves the widget as static assets.

use qc_stack::shared_stack;

#[tokio::test]
async fn health_reports_storage_and_authorization() {
    let stack = shared_stack();
    let resp = reqwest::get(format!("{}/health", stack.edge))
        .await
        .expect("GET /health");
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    // Storage migrated, and the stack connected the edge to the fake Qonto
    // as a merchant would: nothing left to fix. The public answer says no
    // more (the version, environment and problems are the admin's).
    assert_eq!(
        body,
        serde_json::json!({"ok": true, "qonto": "connected", "payments": "active"})
    );
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn widget_is_served_as_cross_origin_static_assets() {
    let stack = shared_stack();
    for (file, content_type) in [
        ("qonto-checkout.js", "text/javascript"),
        ("i18n/fr.txt", "text/plain"),
        ("widget_bg.wasm", "application/wasm"),
    ] {
        let resp = reqwest::get(format!("{}/widget/{file}", stack.edge))
            .await
            .expect("GET");
        assert_eq!(resp.status(), 200, "{file}");
        let h = resp.headers();
        let ct = h
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(ct.starts_with(content_type), "{file}: content-type {ct}");
        assert_eq!(
            h.get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some("*"),
            "{file} must be loadable from a merchant's origin"
        );
        let body = resp.bytes().await.expect("body");
        assert!(!body.is_empty(), "{file} is empty");
    }
    let missing = reqwest::get(format!("{}/widget/nope.js", stack.edge))
        .await
        .expect("GET");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn demo_shop_embeds_the_widget_from_the_edge() {
    let stack = shared_stack();
    let html = reqwest::get(format!("{}/", stack.shop))
        .await
        .expect("GET shop")
        .text()
        .await
        .expect("text");
    let tag = format!("{}/widget/qonto-checkout.js", stack.edge);
    assert!(
        html.contains(&tag),
        "the shop page loads the widget from the edge: {tag}"
    );
}
