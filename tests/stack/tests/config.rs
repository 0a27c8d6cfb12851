//! A misconfigured deploy says what is wrong, in plain words, in the log and
//! at `/admin/status` (the public `/health` only says it is not ok), and
//! never answers a shopper with a panic or a bare 500.

mod common;

use common::*;
use qc_stack::{Stack, StackConfig};

#[tokio::test]
async fn configuration_problems_are_listed_in_the_log_not_at_health() {
    let stack = Stack::start(StackConfig {
        extra_vars: vec![
            ("QONTO_ENVIRONMENT".into(), "staging".into()),
            (
                "ALLOWED_ORIGINS".into(),
                "shop.example.com, https://ok.example.com/path".into(),
            ),
            ("VAT_RATE_FORMAT".into(), "decimal".into()),
        ],
        omit_secrets: vec!["QONTO_WEBHOOK_SECRET".into(), "ADMIN_TOKEN".into()],
        authorize: false,
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let edge = stack.edge.url();
    let (status, health) = get_health(&edge).await;
    assert_eq!(status, 503, "{health}");
    // Not ok, and nothing more said to the public: no problem names the
    // configuration to whoever asks.
    assert_eq!(
        health,
        serde_json::json!({"ok": false, "qonto": "not_authorized", "payments": "active"})
    );
    // One readable line per problem, in the log (which wrangler writes a
    // moment after the response): the admin is closed without ADMIN_TOKEN.
    let mut log = String::new();
    for _ in 0..50 {
        log = stack.edge.log();
        if log.contains("health problems") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let all = log
        .lines()
        .filter(|l| l.contains("health problems"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\\"", "\"");
    for needle in [
        "QONTO_ENVIRONMENT is \"staging\"",
        "\"shop.example.com\"",
        "https://ok.example.com/path",
        "VAT_RATE_FORMAT",
        "QONTO_WEBHOOK_SECRET",
        "ADMIN_TOKEN",
        "not connected",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{log}");
    }

    // Shoppers and Qonto get clean errors, never a panic or a bare 500.
    let (s, _, e) = post_checkout(
        &stack.urls(),
        &basket(&[("mug", 1)]),
        &key("cfg"),
        &client_ip(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (503, Some("not_connected")),
        "{e}"
    );
    let (s, _, e) = parts(
        client()
            .post(format!("{edge}/webhooks/qonto"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("webhook"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (503, Some("misconfigured")),
        "{e}"
    );
    let (s, _, e) = parts(
        client()
            .get(format!("{edge}/admin/status"))
            .bearer_auth("anything-at-all")
            .send()
            .await
            .expect("admin"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (401, Some("unauthorized")),
        "admin is closed without ADMIN_TOKEN: {e}"
    );
    assert!(!log.contains("panicked"), "no panic:\n{log}");
}

#[tokio::test]
async fn a_missing_migration_is_named_at_admin_status() {
    let stack = Stack::start(StackConfig {
        authorize: false,
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let edge = stack.edge.url();
    let health = || async {
        let (s, _) = get_health(&edge).await;
        let (_, v) = get_admin_status(&edge).await;
        (s, v["problems"].to_string())
    };
    let (_, problems) = health().await;
    assert!(!problems.contains("D1"), "{problems}");

    // A deploy that applied an older set of migrations.
    d1(&stack.urls(), "DROP TABLE notifications").await;

    let (s, problems) = health().await;
    assert_eq!(s, 503);
    assert!(
        problems.contains("the D1 database has no table notifications: apply the migrations"),
        "{problems}"
    );
    assert!(
        !problems.contains("SQLITE_ERROR"),
        "one readable line: {problems}"
    );
}
