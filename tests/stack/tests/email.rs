//! The order confirmation e-mails through the real Worker and wrangler's
//! simulated send_email binding: what the binding was given is read back
//! from the files it wrote (named in the edge's log, see `qc_stack::mail`).
//!
//! - one paid checkout → exactly one confirmation to the shopper, in the
//!   language of the checkout, with its lines, amounts and address, and one
//!   copy to the merchant (`ORDER_EMAIL_TO`);
//! - a shopper's name with `<script>` arrives escaped;
//! - a send that fails is retried by the cron, then delivered once
//!   (`EMAIL_TEST_FAIL_FIRST_TO`: the edge's test-only switch that fails the
//!   first attempt to one recipient, as when the Email Service refuses it);
//! - the admin lists each message, previews it (the same HTML as sent) and
//!   sends one again;
//! - `SHOPPER_EMAIL=off` sends none;
//! - a missing binding or `EMAIL_FROM` is named at `/health`.
//!
//! Expected amounts are worked out by hand from catalog.json and
//! shipping.json: a mug is 12.50 + 20 % VAT, a bag of coffee 10.99 + 5.5 %,
//! shipping to France 4.90 + 20 % (free from 60.00 of goods).

mod common;

use common::*;
use qc_stack::mail::SentEmail;
use qc_stack::{Stack, StackConfig, StackUrls};
use serde_json::{json, Value};
use std::time::Duration;

/// The merchant's copy goes here.
const OWNER: &str = "owner@atelier-demo.example";
/// The first attempt to this shopper fails (test-only switch).
const REFUSED: &str = "refused@example.com";
/// The sender the stack configures (`EMAIL_FROM`).
const FROM: &str = "\"Atelier Démo\" <orders@atelier-demo.example>";
const NBSP: char = '\u{a0}';

async fn start(
    extra: &[(&str, &str)],
    wrangler_config: Option<std::path::PathBuf>,
) -> (Stack, StackUrls) {
    let stack = Stack::start(StackConfig {
        extra_vars: extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        wrangler_config,
        legal_pages: true,
        ..StackConfig::default()
    })
    .await
    .expect("stack");
    let urls = stack.urls();
    (stack, urls)
}

fn order(items: &[(&str, i64)], name: &str, email: &str, language: &str) -> Value {
    json!({
        "items": items.iter().map(|(sku, q)| json!({"sku": sku, "quantity": q})).collect::<Vec<_>>(),
        "customer": {
            "email": email,
            "name": name,
            "address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"}
        },
        "language": language,
        "terms_accepted": true,
    })
}

/// Creates the checkout, pays it on the fake payment page and waits until
/// the edge says it is paid; returns its id.
async fn paid(urls: &StackUrls, body: &Value) -> String {
    let (s, _, b) = post_checkout(urls, body, &key("em"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap_or("").to_owned();
    let link = b["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned();
    pay_link(urls, &link).await;
    for _ in 0..60 {
        let (_, v) = get_checkout(urls, &id).await;
        if v["status"] == "paid" {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("checkout {id} never became paid");
}

/// The e-mails about checkout `id` (its reference ends the subject).
fn about(urls: &StackUrls, id: &str) -> Vec<SentEmail> {
    urls.emails()
        .into_iter()
        .filter(|m| m.subject.ends_with(id))
        .collect()
}

/// Waits until `n` e-mails about `id` went to `to`, then a moment more (a
/// duplicate would show up), and returns them all.
async fn wait_for(urls: &StackUrls, id: &str, to: &str, n: usize) -> Vec<SentEmail> {
    for _ in 0..100 {
        if about(urls, id).iter().filter(|m| m.to == to).count() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    about(urls, id).into_iter().filter(|m| m.to == to).collect()
}

/// The admin's messages of checkout `id`, by kind.
async fn messages(urls: &StackUrls, id: &str) -> Vec<Value> {
    let (s, v) = admin_get(urls, &format!("/admin/checkouts/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v["messages"].as_array().cloned().unwrap_or_default()
}

async fn message(urls: &StackUrls, id: &str, kind: &str) -> Value {
    messages(urls, id)
        .await
        .into_iter()
        .find(|m| m["kind"] == kind)
        .unwrap_or(Value::Null)
}

fn has(haystack: &str, needles: &[String]) {
    for n in needles {
        assert!(
            haystack.contains(n.as_str()),
            "missing {n:?} in:\n{haystack}"
        );
    }
}

async fn admin_post(urls: &StackUrls, path: &str) -> (u16, Value) {
    let (s, _, v) = parts(
        client()
            .post(format!("{}{path}", urls.edge))
            .bearer_auth(LOCAL_ADMIN_TOKEN)
            .send()
            .await
            .expect("admin POST"),
    )
    .await;
    (s, v)
}

#[tokio::test]
async fn a_paid_checkout_sends_one_confirmation_and_one_copy_retried_when_refused() {
    let (_stack, urls) = start(
        &[
            ("ORDER_EMAIL_TO", OWNER),
            ("EMAIL_TEST_FAIL_FIRST_TO", REFUSED),
            ("MERCHANT_WEBHOOK_RETRY_SECONDS", "5,1"),
        ],
        None,
    )
    .await;

    // One paid checkout in French, found paid by the webhook and several
    // status calls at once: one confirmation, one copy.
    let id = paid(
        &urls,
        &order(
            &[("mug", 2), ("coffee-250", 1)],
            "Ana Lopes",
            "ana.lopes@example.com",
            "fr-FR",
        ),
    )
    .await;
    let calls: Vec<_> = (0..6).map(|_| get_checkout(&urls, &id)).collect();
    futures_util::future::join_all(calls).await;
    run_cron(&urls, EVERY_5_MINUTES).await;
    let shopper = wait_for(&urls, &id, "ana.lopes@example.com", 1).await;
    let copy = wait_for(&urls, &id, OWNER, 1).await;
    assert_eq!(shopper.len(), 1, "exactly one confirmation: {shopper:#?}");
    assert_eq!(copy.len(), 1, "exactly one copy: {copy:#?}");
    assert_eq!(about(&urls, &id).len(), 2);

    let mail = &shopper[0];
    assert_eq!(mail.subject, format!("Confirmation de commande {id}"));
    assert_eq!(mail.from, FROM);
    has(
        &mail.text,
        &[
            "Bonjour Ana Lopes,".into(),
            format!("Référence de commande: {id}"),
            format!("2 × Enamel camping mug — 30,00{NBSP}€"),
            format!("1 × Single-origin coffee beans, 250 g — 11,59{NBSP}€"),
            format!("Livraison: 5,88{NBSP}€"),
            format!("Total HT: 40,89{NBSP}€"),
            format!("TVA 5,5{NBSP}%: 0,60{NBSP}€"),
            format!("TVA 20{NBSP}%: 5,98{NBSP}€"),
            format!("Total payé: 47,47{NBSP}€"),
            "  Ana Lopes\n  1 rue de la Paix\n  75002 Paris\n  FR".into(),
            "  Atelier Démo SARL\n  12 rue des Lilas, 69001 Lyon, France\n  N° de TVA: FR32123456789\n  Contact: hello@atelier-demo.example".into(),
            format!("Retour à la boutique: {}/", urls.shop),
            format!("Conditions générales de vente: {}/terms.html", urls.shop),
            format!("Droit de rétractation: {}/withdrawal.html", urls.shop),
        ],
    );
    assert!(!mail.text.contains("Remise"), "no discount line");
    has(
        &mail.html,
        &[
            "<html lang=\"fr\">".into(),
            format!("47,47{NBSP}€"),
            "1 rue de la Paix".into(),
            "Enamel camping mug".into(),
            format!("href=\"{}/terms.html\"", urls.shop),
        ],
    );
    assert!(!mail.html.to_lowercase().contains("<script"));
    // For the README's screenshot (scripts/screenshot-email.mjs).
    if let Ok(path) = std::env::var("QC_EMAIL_SAMPLE") {
        std::fs::write(path, &mail.html).expect("write the sample e-mail");
    }

    // The merchant's copy: in the merchant's language (English), with the
    // shopper's address to reply to.
    let copy = &copy[0];
    assert_eq!(copy.subject, format!("New order {id}"));
    has(
        &copy.text,
        &[
            "A new order has been paid.".into(),
            "Customer: ana.lopes@example.com".into(),
            "Total charged: €47.47".into(),
        ],
    );

    // The admin lists the three messages, delivered at the first attempt,
    // and previews the e-mail exactly as it was sent.
    let list = messages(&urls, &id).await;
    let mut kinds: Vec<&str> = list.iter().filter_map(|m| m["kind"].as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["merchant_copy", "merchant_webhook", "shopper_email"]
    );
    for m in &list {
        assert_eq!(
            (m["state"].as_str(), m["attempts"].as_u64()),
            (Some("delivered"), Some(1)),
            "{m}"
        );
    }
    let preview = message(&urls, &id, "shopper_email").await["preview"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        preview,
        format!("/admin/checkouts/{id}/messages/shopper_email")
    );
    let resp = client()
        .get(format!("{}{preview}", urls.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("preview");
    assert_eq!(resp.status(), 200);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert_eq!(resp.text().await.unwrap_or_default(), mail.html);
    let anonymous = client()
        .get(format!("{}{preview}", urls.edge))
        .send()
        .await
        .expect("preview");
    assert_eq!(anonymous.status(), 401);

    // "Send again" sends that one message once more.
    let (s, v) = admin_post(&urls, &format!("{preview}/send")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["message"]["state"], "delivered", "{v}");
    let shopper = wait_for(&urls, &id, "ana.lopes@example.com", 2).await;
    assert_eq!(shopper.len(), 2);
    assert_eq!(wait_for(&urls, &id, OWNER, 1).await.len(), 1);
    let (s, v) = admin_post(&urls, &format!("/admin/checkouts/{id}/messages/sms/send")).await;
    assert_eq!(s, 404, "{v}");

    // A name with <script> arrives escaped (German this time: 1 mug and
    // shipping to France).
    let id = paid(
        &urls,
        &order(
            &[("mug", 1)],
            "<script>alert('x')</script> Ana",
            "ana.script@example.com",
            "de",
        ),
    )
    .await;
    let shopper = wait_for(&urls, &id, "ana.script@example.com", 1).await;
    assert_eq!(shopper.len(), 1);
    let mail = &shopper[0];
    assert_eq!(mail.subject, format!("Bestellbestätigung {id}"));
    has(
        &mail.text,
        &[
            format!("Gesamtbetrag: 20,88{NBSP}€"),
            format!("MwSt. 20{NBSP}%: 3,48{NBSP}€"),
        ],
    );
    for html in [&mail.html, &wait_for(&urls, &id, OWNER, 1).await[0].html] {
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ana"),
            "{html}"
        );
    }

    // The binding refuses the first attempt to this shopper: the message
    // waits for the cron, which delivers it once.
    let id = paid(
        &urls,
        &order(&[("coffee-250", 1)], "Ana Refused", REFUSED, "en"),
    )
    .await;
    assert_eq!(
        wait_for(&urls, &id, OWNER, 1).await.len(),
        1,
        "the copy is not held up"
    );
    assert!(wait_for(&urls, &id, REFUSED, 0).await.is_empty());
    let m = message(&urls, &id, "shopper_email").await;
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_u64()),
        (Some("pending"), Some(1)),
        "{m}"
    );
    assert!(
        m["last_error"].as_str().unwrap_or("").contains("refused"),
        "{m}"
    );
    // Not due yet (5 s after the failure): the cron leaves it.
    run_cron(&urls, EVERY_5_MINUTES).await;
    assert!(wait_for(&urls, &id, REFUSED, 0).await.is_empty());
    tokio::time::sleep(Duration::from_millis(5_200)).await;
    run_cron(&urls, EVERY_5_MINUTES).await;
    let got = wait_for(&urls, &id, REFUSED, 1).await;
    assert_eq!(got.len(), 1, "{got:#?}");
    has(&got[0].text, &[format!("Total charged: €{}", "17.47")]);
    let m = message(&urls, &id, "shopper_email").await;
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_u64()),
        (Some("delivered"), Some(2)),
        "{m}"
    );
    // Delivered: later cron runs send nothing more.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    run_cron(&urls, EVERY_5_MINUTES).await;
    assert_eq!(wait_for(&urls, &id, REFUSED, 1).await.len(), 1);
    assert!(urls
        .edge_log()
        .contains("shopper e-mail failed; will retry"));

    // Only a paid checkout's message is sent again.
    let (s, _, b) = post_checkout(
        &urls,
        &order(&[("mug", 1)], "Open", "open@example.com", "en"),
        &key("em"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let open = b["id"].as_str().unwrap_or("");
    let (s, v) = admin_post(
        &urls,
        &format!("/admin/checkouts/{open}/messages/shopper_email/send"),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("not_paid")),
        "{v}"
    );
}

#[tokio::test]
async fn shopper_email_off_sends_none() {
    let (_stack, urls) = start(&[("SHOPPER_EMAIL", "off")], None).await;
    let id = paid(
        &urls,
        &order(&[("mug", 1)], "Ana Lopes", "ana.off@example.com", "fr"),
    )
    .await;
    // The outbox did run: the merchant's server got its notification.
    for _ in 0..50 {
        if !merchant_received(&urls, &id).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(merchant_received(&urls, &id).await.len(), 1);
    run_cron(&urls, EVERY_5_MINUTES).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(urls.emails().is_empty(), "{:#?}", urls.emails());
    assert!(!urls.edge_log().contains("send_email binding called"));
    let kinds: Vec<Value> = messages(&urls, &id)
        .await
        .iter()
        .map(|m| m["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("merchant_webhook")]);
    let (s, v) = admin_post(
        &urls,
        &format!("/admin/checkouts/{id}/messages/shopper_email/send"),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("message_kind_off")),
        "{v}"
    );
}

/// wrangler.toml without its `[[send_email]]` binding, beside it (so its
/// relative paths hold); removed when dropped.
struct NoEmailBinding(std::path::PathBuf);

impl NoEmailBinding {
    fn write() -> NoEmailBinding {
        let root = qc_stack::repo_root();
        let toml = std::fs::read_to_string(root.join("wrangler.toml")).expect("wrangler.toml");
        let without = toml.replace("[[send_email]]\nname = \"EMAIL\"\n", "");
        assert_ne!(without, toml, "wrangler.toml has the EMAIL binding");
        let path = root.join(format!(
            "wrangler.test-no-email-{}.toml",
            std::process::id()
        ));
        std::fs::write(&path, without).expect("write the variant");
        NoEmailBinding(path)
    }
}

impl Drop for NoEmailBinding {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn a_missing_binding_or_sender_is_named_at_admin_status() {
    let variant = NoEmailBinding::write();
    let (_stack, urls) = start(&[("EMAIL_FROM", "")], Some(variant.0.clone())).await;
    let (status, health) = get_health(&urls.edge).await;
    assert_eq!(status, 503, "{health}");
    let (_, health) = get_admin_status(&urls.edge).await;
    let problems: Vec<String> = health["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("the send_email binding EMAIL is missing")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("EMAIL_FROM is not set")),
        "{problems:#?}"
    );
}
