//! The fault matrix, through the real Worker (`wrangler dev`) against the
//! fake Qonto: for each Qonto call the edge makes on a shopper's request
//! (token refresh, payment methods, link creation, link and payments reads,
//! client invoice; deactivation, webhook subscriptions listed and created) × each way Qonto fails (429 with a long `Retry-After`,
//! 500, an answer slower than the edge's timeout, malformed JSON, 401 on a
//! fresh token), injected with the fake's `/_control/faults`, and the
//! admin's deactivation and webhook subscription the same way:
//!
//! - the shopper gets the documented answer (status and error code; a
//!   status poll answers from the ledger instead);
//! - no ledger row is left half written (no checkout stuck in `creating`)
//!   and no second Qonto link is created for one checkout;
//! - once Qonto answers again, the same request succeeds.
//!
//! Prints the figures: cases run, answers by status. (A slow link creation
//! and the invoice retried after it are in `checkouts.rs` and
//! `money_path.rs`; the edge restarted mid-checkout in `restart.rs`.)

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The seeded unpaid client invoice of the fake.
const UNPAID_INVOICE: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d56";

/// How a case makes the edge call Qonto.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `GET /v1/payment-methods` (cached by the edge once it succeeded:
    /// these cases run first, and it recovers after the last).
    PaymentMethods,
    /// `POST /v1/checkouts`, retried with the same key to recover.
    Checkout,
    /// `POST /v1/checkouts` after Qonto expired every access token: the
    /// edge's call gets a 401 and refreshes the token.
    ExpiredToken,
    /// `GET /v1/checkouts/{id}` of an open checkout due for a re-read.
    Poll,
    /// `POST /v1/invoice-checkouts` (recovers after the last case).
    Invoice,
    /// The admin's `POST /admin/checkouts/{id}/deactivate` of a fresh open
    /// checkout (the link is read first, then deactivated).
    Deactivate,
    /// The admin's `POST /admin/webhook-subscription` (the stack is
    /// subscribed already: the edge lists the subscriptions and finds its
    /// own).
    Subscribe,
    /// The same, after the merchant deleted the edge's subscriptions in
    /// Qonto: the edge lists them, finds none of its own and creates one.
    Resubscribe,
}

/// How Qonto fails, as a fault rule on `route` covering every attempt the
/// edge makes (reads are retried twice, a 401 once after a new token).
fn fault_rule(kind: &str, route: &str, timeout_ms: u64) -> Value {
    match kind {
        "429" => json!({"kind": "rate_limit", "retry_after": 30, "times": 3, "route": route}),
        "500" => json!({"kind": "server_error", "times": 3, "route": route}),
        "timeout" => {
            json!({"kind": "latency", "ms": timeout_ms + 1_000, "times": 1, "route": route})
        }
        "malformed" => json!({"kind": "malformed_json", "times": 3, "route": route}),
        "401" => json!({"kind": "status", "status": 401, "times": 2, "route": route}),
        other => panic!("no such fault {other}"),
    }
}

/// One row of the matrix: the call, the failure, and the documented answer
/// (`None` code: the answer is a success from the ledger).
struct Case {
    call: &'static str,
    route: &'static str,
    via: Via,
    kind: &'static str,
    want: (u16, Option<&'static str>),
}

const fn case(
    call: &'static str,
    route: &'static str,
    via: Via,
    kind: &'static str,
    want: (u16, Option<&'static str>),
) -> Case {
    Case {
        call,
        route,
        via,
        kind,
        want,
    }
}

const UNAVAILABLE: (u16, Option<&str>) = (503, Some("payment_provider_unavailable"));
const TIMEOUT: (u16, Option<&str>) = (504, Some("payment_provider_timeout"));
const NOT_CONNECTED: (u16, Option<&str>) = (503, Some("not_connected"));
const REJECTED: (u16, Option<&str>) = (502, Some("payment_provider_rejected"));
const FROM_LEDGER: (u16, Option<&str>) = (200, None);

/// The matrix, in the order it runs (payment methods first: see [`Via`]).
fn matrix() -> Vec<Case> {
    use Via::*;
    vec![
        case(
            "payment methods",
            "payment_methods",
            PaymentMethods,
            "429",
            UNAVAILABLE,
        ),
        case(
            "payment methods",
            "payment_methods",
            PaymentMethods,
            "500",
            UNAVAILABLE,
        ),
        case(
            "payment methods",
            "payment_methods",
            PaymentMethods,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "payment methods",
            "payment_methods",
            PaymentMethods,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "payment methods",
            "payment_methods",
            PaymentMethods,
            "timeout",
            TIMEOUT,
        ),
        case(
            "create link",
            "create_payment_link",
            Checkout,
            "429",
            UNAVAILABLE,
        ),
        case(
            "create link",
            "create_payment_link",
            Checkout,
            "500",
            UNAVAILABLE,
        ),
        case(
            "create link",
            "create_payment_link",
            Checkout,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "create link",
            "create_payment_link",
            Checkout,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "create link",
            "create_payment_link",
            Checkout,
            "timeout",
            TIMEOUT,
        ),
        case(
            "token refresh",
            "oauth_token",
            ExpiredToken,
            "429",
            UNAVAILABLE,
        ),
        case(
            "token refresh",
            "oauth_token",
            ExpiredToken,
            "500",
            UNAVAILABLE,
        ),
        case(
            "token refresh",
            "oauth_token",
            ExpiredToken,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "token refresh",
            "oauth_token",
            ExpiredToken,
            "401",
            REJECTED,
        ),
        case(
            "token refresh",
            "oauth_token",
            ExpiredToken,
            "timeout",
            TIMEOUT,
        ),
        case("get link", "get_payment_link", Poll, "429", FROM_LEDGER),
        case("get link", "get_payment_link", Poll, "500", FROM_LEDGER),
        case(
            "get link",
            "get_payment_link",
            Poll,
            "malformed",
            FROM_LEDGER,
        ),
        case("get link", "get_payment_link", Poll, "401", FROM_LEDGER),
        case("get link", "get_payment_link", Poll, "timeout", FROM_LEDGER),
        case("payments", "list_payments", Poll, "429", FROM_LEDGER),
        case("payments", "list_payments", Poll, "500", FROM_LEDGER),
        case("payments", "list_payments", Poll, "malformed", FROM_LEDGER),
        case("payments", "list_payments", Poll, "401", FROM_LEDGER),
        case("payments", "list_payments", Poll, "timeout", FROM_LEDGER),
        case(
            "client invoice",
            "get_client_invoice",
            Invoice,
            "429",
            UNAVAILABLE,
        ),
        case(
            "client invoice",
            "get_client_invoice",
            Invoice,
            "500",
            UNAVAILABLE,
        ),
        case(
            "client invoice",
            "get_client_invoice",
            Invoice,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "client invoice",
            "get_client_invoice",
            Invoice,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "client invoice",
            "get_client_invoice",
            Invoice,
            "timeout",
            TIMEOUT,
        ),
        case(
            "deactivate",
            "deactivate_payment_link",
            Deactivate,
            "429",
            UNAVAILABLE,
        ),
        case(
            "deactivate",
            "deactivate_payment_link",
            Deactivate,
            "500",
            UNAVAILABLE,
        ),
        case(
            "deactivate",
            "deactivate_payment_link",
            Deactivate,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "deactivate",
            "deactivate_payment_link",
            Deactivate,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "deactivate",
            "deactivate_payment_link",
            Deactivate,
            "timeout",
            TIMEOUT,
        ),
        case(
            "subscriptions",
            "list_webhook_subscriptions",
            Subscribe,
            "429",
            UNAVAILABLE,
        ),
        case(
            "subscriptions",
            "list_webhook_subscriptions",
            Subscribe,
            "500",
            UNAVAILABLE,
        ),
        case(
            "subscriptions",
            "list_webhook_subscriptions",
            Subscribe,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "subscriptions",
            "list_webhook_subscriptions",
            Subscribe,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "subscriptions",
            "list_webhook_subscriptions",
            Subscribe,
            "timeout",
            TIMEOUT,
        ),
        case(
            "subscribe",
            "create_webhook_subscription",
            Resubscribe,
            "429",
            UNAVAILABLE,
        ),
        case(
            "subscribe",
            "create_webhook_subscription",
            Resubscribe,
            "500",
            UNAVAILABLE,
        ),
        case(
            "subscribe",
            "create_webhook_subscription",
            Resubscribe,
            "malformed",
            UNAVAILABLE,
        ),
        case(
            "subscribe",
            "create_webhook_subscription",
            Resubscribe,
            "401",
            NOT_CONNECTED,
        ),
        case(
            "subscribe",
            "create_webhook_subscription",
            Resubscribe,
            "timeout",
            TIMEOUT,
        ),
    ]
}

/// The edge's timeout for the call (its Qonto client: 10 s reads and
/// token calls, 15 s writes).
fn timeout_ms(route: &str) -> u64 {
    match route {
        "create_payment_link" | "deactivate_payment_link" | "create_webhook_subscription" => 15_000,
        _ => 10_000,
    }
}

/// A fresh address per request: the per-client limits never answer here.
fn ip() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("198.51.{}.{}", 100 + n / 250, n % 250 + 1)
}

async fn get(stack: &StackUrls, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = client()
        .get(format!("{}{path}", stack.edge))
        .header("cf-connecting-ip", ip())
        .send()
        .await
        .expect("GET");
    parts(resp).await
}

async fn invoice_checkout(stack: &StackUrls) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = client()
        .post(format!("{}/v1/invoice-checkouts", stack.edge))
        .header("cf-connecting-ip", ip())
        .json(&json!({"invoice_id": UNPAID_INVOICE}))
        .send()
        .await
        .expect("POST /v1/invoice-checkouts");
    parts(resp).await
}

/// An admin `POST` with the admin token.
async fn admin_post(stack: &StackUrls, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = client()
        .post(format!("{}{path}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("admin POST");
    parts(resp).await
}

/// The webhook subscriptions of the edge's callback URL at the fake (the
/// stack's fake serves this one edge).
async fn edge_subscriptions(stack: &StackUrls) -> Vec<Value> {
    let all: Value = client()
        .get(format!("{}/_control/subscriptions", stack.fake))
        .send()
        .await
        .expect("GET /_control/subscriptions")
        .json()
        .await
        .expect("subscriptions JSON");
    all.as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| {
            s["callback_url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/webhooks/qonto"))
        })
        .collect()
}

/// The event types the edge's subscriptions cover, sorted, repeats kept.
async fn edge_subscription_types(stack: &StackUrls) -> Vec<String> {
    let mut types: Vec<String> = edge_subscriptions(stack)
        .await
        .iter()
        .flat_map(|s| s["types"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    types.sort();
    types
}

/// Deletes the edge's subscriptions through Qonto's API, as a merchant
/// removing them in Qonto would; returns how many.
async fn delete_edge_subscriptions(stack: &StackUrls) -> usize {
    let token: Value = client()
        .post(format!("{}/_control/tokens", stack.fake))
        .json(&json!({}))
        .send()
        .await
        .expect("mint a token")
        .json()
        .await
        .expect("token JSON");
    let token = token["access_token"].as_str().unwrap_or("").to_owned();
    let ours = edge_subscriptions(stack).await;
    for s in &ours {
        let id = s["id"].as_str().unwrap_or("");
        let r = client()
            .delete(format!("{}/v2/webhook_subscriptions/{id}", stack.fake))
            .bearer_auth(&token)
            .header("x-qonto-staging-token", qc_stack::LOCAL_STAGING_TOKEN)
            .send()
            .await
            .expect("DELETE a subscription");
        assert!(r.status().is_success(), "DELETE {id}: {}", r.status());
    }
    ours.len()
}

/// The ledger's status of a checkout, as the admin sees it.
async fn ledger_status(stack: &StackUrls, id: &str) -> Value {
    admin_get(stack, &format!("/admin/checkouts/{id}")).await.1["status"].clone()
}

/// Link creations Qonto really made (not idempotent replays) since log
/// entry `from`.
async fn links_made_since(stack: &StackUrls, from: usize) -> usize {
    fake_requests(stack, "route=create_payment_link")
        .await
        .iter()
        .skip(from)
        .filter(|e| e["status"] == 201 && e["idempotent_replay"] != true)
        .count()
}

async fn creating_rows(stack: &StackUrls) -> Value {
    admin_get(stack, "/admin/checkouts?status=creating").await.1["meta"]["total_count"].clone()
}

fn link_of(checkout: &Value) -> String {
    checkout["url"]
        .as_str()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// One outcome: what was answered, and what went wrong beside the answer.
struct Outcome {
    status: u16,
    code: Option<String>,
    problems: Vec<String>,
}

#[tokio::test]
async fn every_qonto_failure_gets_its_documented_answer_and_the_checkout_recovers() {
    let stack = shared_stack();
    let cases = matrix();
    let basket_body = basket(&[("ebook", 1)]);
    // The open checkout the polls read (created once payment methods are
    // cached, after their cases).
    let mut polled: Option<(String, String)> = None;
    let mut outcomes: Vec<Outcome> = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        clear_faults(stack).await;
        let mut problems = Vec::new();
        if c.via == Via::Poll && polled.is_none() {
            let (s, _, b) = post_checkout(stack, &basket_body, &key("polled"), &ip()).await;
            assert_eq!(s, 201, "{b}");
            polled = Some((b["id"].as_str().unwrap_or("").to_owned(), link_of(&b)));
        }
        if c.via == Via::Poll {
            // Past the open checkout's freshness (3 s): the poll reads Qonto.
            tokio::time::sleep(Duration::from_millis(3_200)).await;
        }
        if c.via == Via::ExpiredToken {
            let r = client()
                .post(format!("{}/_control/tokens/expire", stack.fake))
                .send()
                .await
                .expect("expire tokens");
            assert!(r.status().is_success());
        }
        if c.via == Via::Resubscribe {
            let deleted = delete_edge_subscriptions(stack).await;
            assert!(deleted > 0, "the stack's edge was subscribed");
        }
        let mut deactivated = String::new();
        if c.via == Via::Deactivate {
            let (s, _, b) = post_checkout(stack, &basket_body, &key("to-cancel"), &ip()).await;
            assert_eq!(s, 201, "{b}");
            deactivated = b["id"].as_str().unwrap_or("").to_owned();
        }
        let log_from = fake_requests(stack, "route=create_payment_link")
            .await
            .len();
        fault(stack, fault_rule(c.kind, c.route, timeout_ms(c.route))).await;
        let k = key("fault");
        let (status, headers, body) = match c.via {
            Via::PaymentMethods => get(stack, "/v1/payment-methods").await,
            Via::Checkout | Via::ExpiredToken => {
                post_checkout(stack, &basket_body, &k, &ip()).await
            }
            Via::Poll => {
                let id = polled.as_ref().map(|p| p.0.clone()).unwrap_or_default();
                get(stack, &format!("/v1/checkouts/{id}")).await
            }
            Via::Invoice => invoice_checkout(stack).await,
            Via::Deactivate => {
                admin_post(stack, &format!("/admin/checkouts/{deactivated}/deactivate")).await
            }
            Via::Subscribe | Via::Resubscribe => {
                admin_post(stack, "/admin/webhook-subscription").await
            }
        };
        clear_faults(stack).await;
        let code = body["error"]["code"].as_str().map(str::to_owned);
        if status == 503 && c.kind == "429" && headers.get("retry-after").is_none() {
            problems.push("503 after Qonto's 429 without Retry-After".into());
        }
        if c.via == Via::Poll {
            if body["status"] != "open" {
                problems.push(format!("poll answered {body}"));
            }
        } else if c.via == Via::Deactivate {
            // Whatever Qonto did, the ledger says what it last knew.
            let seen = ledger_status(stack, &deactivated).await;
            if seen != "open" && seen != "canceled" {
                problems.push(format!("the ledger says {seen}"));
            }
        } else if creating_rows(stack).await != json!(0) {
            problems.push("a checkout was left in creating".into());
        }
        // Qonto answers again: the same request succeeds.
        let last_of_its_via = cases.get(i + 1).is_none_or(|next| next.via != c.via);
        match c.via {
            Via::Checkout | Via::ExpiredToken => {
                if c.via == Via::ExpiredToken {
                    // The token store waits 5 s after a failed refresh.
                    tokio::time::sleep(Duration::from_millis(5_500)).await;
                }
                let (s, _, again) = post_checkout(stack, &basket_body, &k, &ip()).await;
                if s != 201 {
                    problems.push(format!("retry with the same key answered {s} {again}"));
                }
                let made = links_made_since(stack, log_from).await;
                if made > 1 {
                    problems.push(format!("{made} Qonto links for one checkout"));
                }
            }
            Via::Poll => {
                let (id, _) = polled.clone().unwrap_or_default();
                let of_link = format!("route={}", c.route);
                let before = fake_requests(stack, &of_link).await.len();
                let (s, _, again) = get(stack, &format!("/v1/checkouts/{id}")).await;
                let read = fake_requests(stack, &of_link).await.len() - before;
                if s != 200 || read == 0 {
                    problems.push(format!(
                        "the next poll answered {s} {again} after {read} Qonto reads"
                    ));
                }
            }
            Via::PaymentMethods if last_of_its_via => {
                let (s, _, again) = get(stack, "/v1/payment-methods").await;
                if s != 200 {
                    problems.push(format!("payment methods answered {s} {again}"));
                }
            }
            Via::Invoice if last_of_its_via => {
                let (s, _, again) = invoice_checkout(stack).await;
                if s != 201 || link_of(&again).is_empty() {
                    problems.push(format!("the invoice checkout answered {s} {again}"));
                }
            }
            Via::Deactivate => {
                // Asked again, the checkout ends canceled (already, when
                // Qonto had deactivated it before its answer was lost).
                let (s, _, again) =
                    admin_post(stack, &format!("/admin/checkouts/{deactivated}/deactivate")).await;
                let seen = ledger_status(stack, &deactivated).await;
                if seen != "canceled"
                    || !(s == 200 || again["error"]["code"] == "not_deactivatable")
                {
                    problems.push(format!(
                        "deactivating again answered {s} {again}; ledger {seen}"
                    ));
                }
            }
            Via::Subscribe | Via::Resubscribe => {
                let (s, _, again) = admin_post(stack, "/admin/webhook-subscription").await;
                if !(200..300).contains(&s) {
                    problems.push(format!("subscribing again answered {s} {again}"));
                }
                // Each event type once for the edge's URL: a creation whose
                // answer was lost is found, not made twice.
                let types = edge_subscription_types(stack).await;
                if types != ["v1/payment-links", "v1/payment-links-connections"] {
                    problems.push(format!("the edge's subscriptions cover {types:?}"));
                }
            }
            Via::PaymentMethods | Via::Invoice => {}
        }
        outcomes.push(Outcome {
            status,
            code,
            problems,
        });
    }

    println!(
        "{:<16} {:<10} {:<40} answered",
        "Qonto call", "failure", "documented answer"
    );
    let mut by_status = BTreeMap::<u16, usize>::new();
    let mut wrong = Vec::new();
    for (c, o) in cases.iter().zip(&outcomes) {
        *by_status.entry(o.status).or_insert(0) += 1;
        let want = format!("{} {}", c.want.0, c.want.1.unwrap_or("(from the ledger)"));
        let got = format!(
            "{} {}",
            o.status,
            o.code.as_deref().unwrap_or("(from the ledger)")
        );
        println!(
            "{:<16} {:<10} {:<40} {got}{}",
            c.call,
            c.kind,
            want,
            if o.problems.is_empty() {
                String::new()
            } else {
                format!("  {:?}", o.problems)
            }
        );
        if (o.status, o.code.as_deref()) != c.want || !o.problems.is_empty() {
            wrong.push(format!("{} × {}: {got} {:?}", c.call, c.kind, o.problems));
        }
    }
    println!(
        "fault matrix: {} cases run, answers by status {by_status:?}, {} not as documented",
        cases.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
