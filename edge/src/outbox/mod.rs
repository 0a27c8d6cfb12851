//! The outbox: everything the edge sends after a payment, through one
//! durable queue (the D1 table `notifications`, see [`store`]). Four kinds
//! of message:
//!
//! - the merchant webhook, the signed `checkout.paid` POST to
//!   `MERCHANT_WEBHOOK_URL` ([`webhook`]);
//! - the shopper's order confirmation e-mail (`SHOPPER_EMAIL=on`), in the
//!   language of the checkout ([`email`]);
//! - the merchant's copy of each new order (`ORDER_EMAIL_TO`);
//! - the signed `checkout.review` POST to `MERCHANT_WEBHOOK_URL` when a
//!   payment of another amount than the link's puts a checkout in `review`
//!   ([`queue_after_review`]): never announced as paid, never confirmed to
//!   the shopper, but never silently accepted either.
//!
//! Whatever first finds a checkout paid (Qonto's webhook, the widget asking
//! for the status on the shopper's return, the admin) records it paid and
//! queues its messages in the same D1 transaction ([`queue_after_payment`],
//! at most one message of each kind per checkout), then sends them at once
//! in the background ([`send_soon`]). An attempt that fails is tried again
//! by the 5-minute cron after the delays of `MERCHANT_WEBHOOK_RETRY_SECONDS`
//! ([`retry_due`]), then given up and logged; the admin sees each message's
//! state, previews it and can send it again ([`admin`]).
//!
//! Every attempt first claims its message in D1 (moving its next attempt a
//! lease into the future), so the cron and a request never send the same
//! one at the same time. Delivery is at least once: an answer lost on the
//! way back means a second delivery.

pub(crate) mod admin;
pub(crate) mod email;
pub(crate) mod settings;
mod store;
pub(crate) mod texts;
mod transport;
pub(crate) mod webhook;

pub(crate) use settings::EmailSettings;
pub(crate) use texts::checkout_language;

use crate::config::Config;
use crate::error::EdgeResult;
use crate::http::Cx;
use crate::ledger::{now, CheckoutRow, Ledger, LedgerStatus};
use crate::log;
use email::{Audience, Confirmation, Rendered};
use serde_json::{json, Value};
use shared::api::stored::StoredOrder;
use shared::api::CheckoutLine;
use worker::{D1Database, D1PreparedStatement, D1Result, Env};

/// How far a claim moves the next attempt: an attempt whose isolate died
/// before it recorded its outcome is tried again after this.
const LEASE_MS: f64 = 120_000.0;

/// Attempts the cron makes per run (each bounded by the webhook's timeout,
/// or one call of the e-mail binding). Each costs three D1 queries and one
/// subrequest: 10 keep a run well inside the Workers Free plan's 50
/// subrequests and 50 D1 queries per invocation; what is left waits for the
/// next run, 5 minutes later.
const PER_RUN: u32 = 10;

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The signed POST to the merchant's server.
    MerchantWebhook,
    /// The shopper's order confirmation.
    ShopperEmail,
    /// The merchant's copy of a new order.
    MerchantCopy,
    /// The signed POST telling the merchant's server that a checkout was
    /// paid another amount than its link's and is in review.
    MerchantReview,
}

impl Kind {
    /// Every kind, in the order the admin lists them.
    pub(crate) const ALL: [Kind; 4] = [
        Kind::MerchantWebhook,
        Kind::ShopperEmail,
        Kind::MerchantCopy,
        Kind::MerchantReview,
    ];

    /// As stored and in URLs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::MerchantWebhook => "merchant_webhook",
            Kind::ShopperEmail => "shopper_email",
            Kind::MerchantCopy => "merchant_copy",
            Kind::MerchantReview => "merchant_review",
        }
    }

    /// The kind of a stored or requested name.
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How logs name it.
    fn label(self) -> &'static str {
        match self {
            Kind::MerchantWebhook => "merchant notification",
            Kind::ShopperEmail => "shopper e-mail",
            Kind::MerchantCopy => "merchant copy e-mail",
            Kind::MerchantReview => "merchant review notification",
        }
    }

    /// Whether the configuration sends this kind now.
    pub(crate) fn enabled(self, config: &Config) -> bool {
        match self {
            Kind::MerchantWebhook | Kind::MerchantReview => config.merchant_webhook.is_some(),
            Kind::ShopperEmail => config.email.shopper,
            Kind::MerchantCopy => config.email.order_copy_to.is_some(),
        }
    }

    /// The ledger status whose arrival queues this kind: `paid` for the
    /// order's messages, `review` for the merchant's review notification.
    pub(crate) fn follows(self) -> LedgerStatus {
        match self {
            Kind::MerchantReview => LedgerStatus::Review,
            Kind::MerchantWebhook | Kind::ShopperEmail | Kind::MerchantCopy => LedgerStatus::Paid,
        }
    }
}

/// A message's state, as the admin API shows it.
#[derive(Debug, Clone)]
pub(crate) struct Message(store::Row);

impl Message {
    /// `delivered`, `pending` (an attempt is due or under way) or `failed`
    /// (given up).
    pub(crate) fn state(&self) -> &'static str {
        match (&self.0.delivered_at, &self.0.next_attempt_at) {
            (Some(_), _) => "delivered",
            (None, Some(_)) => "pending",
            (None, None) => "failed",
        }
    }

    /// The state for the admin API.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "kind": self.0.kind,
            "state": self.state(),
            "attempts": self.0.attempts,
            "delivered_at": self.0.delivered_at,
            "next_attempt_at": self.0.next_attempt_at,
            "last_error": self.0.last_error,
        })
    }
}

/// **The** entry point of a payment: the statements that queue what
/// follows it (one message of each kind the configuration sends), to run in
/// the same D1 batch as the update that records the checkout paid, so a
/// checkout is never paid without its messages. Empty when nothing is
/// configured. Whether this batch queued anything (it was the first to find
/// the checkout paid) is [`queued_any`] of these statements' results; then
/// [`send_soon`].
pub(crate) fn queue_after_payment(
    db: &D1Database,
    config: &Config,
    checkout_id: &str,
    now: &str,
) -> EdgeResult<Vec<D1PreparedStatement>> {
    queue_following(db, config, checkout_id, now, LedgerStatus::Paid)
}

/// The same for a checkout put in `review` (paid another amount than its
/// link's): the statement that queues the merchant's `checkout.review`
/// notification, to run in the same D1 batch as the update that records
/// the review. It only inserts for a checkout in review after that update,
/// and at most once per checkout (whoever first found it in review).
pub(crate) fn queue_after_review(
    db: &D1Database,
    config: &Config,
    checkout_id: &str,
    now: &str,
) -> EdgeResult<Vec<D1PreparedStatement>> {
    queue_following(db, config, checkout_id, now, LedgerStatus::Review)
}

/// The queue statements of the configured kinds that follow `status`.
fn queue_following(
    db: &D1Database,
    config: &Config,
    checkout_id: &str,
    now: &str,
    status: LedgerStatus,
) -> EdgeResult<Vec<D1PreparedStatement>> {
    Kind::ALL
        .into_iter()
        .filter(|k| k.enabled(config) && k.follows() == status)
        .map(|k| store::queue(db, checkout_id, k, now))
        .collect()
}

/// Whether the results of [`queue_after_payment`]'s statements queued a
/// message.
pub(crate) fn queued_any(results: &[D1Result]) -> EdgeResult<bool> {
    store::inserted_any(results)
}

/// Sends the messages just queued for checkout `id`, in the background.
pub(crate) fn send_soon(cx: &Cx, id: &str) {
    let bg = cx.clone();
    let id = id.to_owned();
    cx.ctx.wait_until(async move {
        if let Ok(ledger) = Ledger::open(&bg) {
            let sender = Sender {
                env: &bg.env,
                config: &bg.config,
                request_id: &bg.request_id,
                ledger: &ledger,
            };
            // At once, so a slow merchant server does not hold up the
            // shopper's e-mail.
            futures_util::future::join_all(Kind::ALL.map(|kind| sender.attempt(&id, kind))).await;
        }
    });
}

/// The merchant webhook's state for checkout `id`, if one was queued.
pub(crate) async fn webhook_state(ledger: &Ledger, id: &str) -> EdgeResult<Option<Message>> {
    Ok(store::one(&ledger.db, id, Kind::MerchantWebhook)
        .await?
        .map(Message))
}

/// The merchant webhook's state of each payment recorded for reusable
/// link `link`, by the payment's checkout id.
pub(crate) async fn webhook_states_of_link(
    ledger: &Ledger,
    link: &str,
) -> EdgeResult<std::collections::HashMap<String, Message>> {
    Ok(
        store::of_link_payments(&ledger.db, link, Kind::MerchantWebhook)
            .await?
            .into_iter()
            .map(|r| (r.checkout_id.clone(), Message(r)))
            .collect(),
    )
}

/// Every message of checkout `id`.
pub(crate) async fn messages(ledger: &Ledger, id: &str) -> EdgeResult<Vec<Message>> {
    Ok(store::of_checkout(&ledger.db, id)
        .await?
        .into_iter()
        .map(Message)
        .collect())
}

/// Sends message `kind` of paid checkout `id` again now, whatever its
/// state (the admin's "send again"), and returns its state afterwards.
pub(crate) async fn resend(
    cx: &Cx,
    ledger: &Ledger,
    id: &str,
    kind: Kind,
) -> EdgeResult<Option<Message>> {
    store::reset(&ledger.db, id, kind, &now()).await?;
    Sender {
        env: &cx.env,
        config: &cx.config,
        request_id: &cx.request_id,
        ledger,
    }
    .attempt(id, kind)
    .await;
    Ok(store::one(&ledger.db, id, kind).await?.map(Message))
}

/// [`resend`] of the merchant webhook (the admin's `/notify`).
pub(crate) async fn resend_webhook(
    cx: &Cx,
    ledger: &Ledger,
    id: &str,
) -> EdgeResult<Option<Message>> {
    resend(cx, ledger, id, Kind::MerchantWebhook).await
}

/// The cron's part: makes the attempts that are due. Returns how many
/// messages were attempted.
pub(crate) async fn retry_due(env: &Env, config: &Config, request_id: &str) -> EdgeResult<u32> {
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| k.enabled(config))
        .collect();
    if kinds.is_empty() {
        return Ok(0);
    }
    let ledger = Ledger { db: env.d1("DB")? };
    let due = store::due(&ledger.db, &kinds, &now(), PER_RUN).await?;
    let sender = Sender {
        env,
        config,
        request_id,
        ledger: &ledger,
    };
    let mut made = 0;
    for d in &due {
        let Some(kind) = Kind::parse(&d.kind) else {
            continue;
        };
        if sender.attempt(&d.checkout_id, kind).await {
            made += 1;
        }
    }
    Ok(made)
}

/// The e-mail `kind` of `row` as it is (or would be) sent; `None` for the
/// webhook.
pub(crate) fn render(row: &CheckoutRow, kind: Kind, settings: &EmailSettings) -> Option<Rendered> {
    let audience = match kind {
        Kind::MerchantWebhook | Kind::MerchantReview => return None,
        Kind::ShopperEmail => Audience::Shopper,
        Kind::MerchantCopy => Audience::Merchant,
    };
    let mut confirmation = Confirmation::from_record(
        &row.id,
        row.paid_at.as_deref().unwrap_or(&row.created_at),
        row.currency(),
        &serde_json::from_str::<Vec<CheckoutLine>>(&row.lines_json).unwrap_or_default(),
        row.order_json
            .as_deref()
            .and_then(StoredOrder::from_json)
            .as_ref(),
        row.charged().minor(),
    );
    if audience == Audience::Merchant {
        confirmation.lang = settings.merchant_lang;
    }
    Some(email::render(&confirmation, &settings.merchant, audience))
}

/// The `/health` problems of the outbox that the configuration alone cannot
/// see: the e-mail binding, and the table's migration.
pub(crate) async fn health_problems(cx: &Cx) -> Vec<String> {
    let mut problems = Vec::new();
    if cx.config.email.any_on() && !transport::bound(&cx.env) {
        problems.push(format!(
            "the send_email binding {} is missing (wrangler.toml: [[send_email]] name = \"{}\"), \
             so no order confirmation can be sent",
            transport::BINDING,
            transport::BINDING
        ));
    }
    if let Ok(ledger) = Ledger::open(cx) {
        if let Err(e) = store::ready(&ledger.db).await {
            let detail = format!("{e:?}");
            if detail.contains("no such column") {
                problems.push(
                    "the D1 table notifications is not the outbox yet: apply the migrations \
                     (wrangler d1 migrations apply qonto-checkout --remote)"
                        .to_owned(),
                );
            }
        }
    }
    problems
}

/// What an attempt needs.
struct Sender<'a> {
    env: &'a Env,
    config: &'a Config,
    request_id: &'a str,
    ledger: &'a Ledger,
}

/// An RFC 3339 time `ms` milliseconds from now.
fn in_ms(ms: f64) -> String {
    String::from(
        worker::js_sys::Date::new(&(worker::js_sys::Date::now() + ms).into()).to_iso_string(),
    )
}

impl Sender<'_> {
    /// One attempt of message `kind` of checkout `id`, if it is due, its
    /// kind is configured and this call wins the claim; records the
    /// outcome. Returns whether an attempt was made.
    async fn attempt(&self, id: &str, kind: Kind) -> bool {
        if !kind.enabled(self.config) {
            return false;
        }
        let db = &self.ledger.db;
        let attempts = match store::claim(db, id, kind, &now(), &in_ms(LEASE_MS)).await {
            Ok(Some(n)) => n,
            Ok(None) => return false, // not due, not queued, or another attempt has it
            Err(e) => {
                log::error(
                    self.request_id,
                    &format!("{} not claimed", kind.label()),
                    json!({"checkout": id, "kind": kind.as_str(), "error": format!("{e:?}")}),
                );
                return false;
            }
        };
        let row = match self.ledger.get(id).await {
            Ok(Some(row)) => row,
            other => {
                log::error(
                    self.request_id,
                    &format!("{} without its checkout", kind.label()),
                    json!({"checkout": id, "kind": kind.as_str(), "error": format!("{other:?}")}),
                );
                return true;
            }
        };
        let outcome = self.send(&row, kind, attempts).await;
        let next = match &outcome {
            Ok(()) => None,
            Err(_) => self
                .config
                .merchant_retry_secs
                .get(attempts as usize - 1)
                .map(|s| in_ms(f64::from(*s) * 1000.0)),
        };
        let recorded = match &outcome {
            Ok(()) => store::delivered(db, id, kind, &now()).await,
            Err(error) => store::failed(db, id, kind, next.as_deref(), error).await,
        };
        if let Err(e) = recorded {
            log::error(
                self.request_id,
                &format!("{} outcome not recorded", kind.label()),
                json!({"checkout": id, "kind": kind.as_str(), "error": format!("{e:?}")}),
            );
        }
        let fields = json!({"checkout": id, "kind": kind.as_str(), "attempt": attempts});
        match (outcome, next) {
            (Ok(()), _) => log::info(
                self.request_id,
                match kind {
                    Kind::MerchantWebhook => "merchant notified",
                    Kind::ShopperEmail => "shopper e-mail sent",
                    Kind::MerchantCopy => "merchant copy e-mail sent",
                    Kind::MerchantReview => "merchant notified of a checkout in review",
                },
                fields,
            ),
            (Err(error), Some(next)) => log::warn(
                self.request_id,
                &format!("{} failed; will retry", kind.label()),
                with(fields, json!({"error": error, "next_attempt_at": next})),
            ),
            (Err(error), None) => log::error(
                self.request_id,
                &format!("{} given up", kind.label()),
                with(fields, json!({"error": error})),
            ),
        }
        true
    }

    /// Sends message `kind` of `row` (attempt number `attempt`); `Err` says
    /// why it did not count as delivered.
    async fn send(&self, row: &CheckoutRow, kind: Kind, attempt: u32) -> Result<(), String> {
        let settings = &self.config.email;
        let to = match kind {
            Kind::MerchantWebhook => {
                let Some(hook) = &self.config.merchant_webhook else {
                    return Err("MERCHANT_WEBHOOK_URL or its secret is not set".into());
                };
                let body = webhook::paid_notification(row);
                return webhook::send(&hook.url, hook.secret.expose(), &body).await;
            }
            Kind::MerchantReview => {
                let Some(hook) = &self.config.merchant_webhook else {
                    return Err("MERCHANT_WEBHOOK_URL or its secret is not set".into());
                };
                let body = webhook::review_notification(row);
                return webhook::send(&hook.url, hook.secret.expose(), &body).await;
            }
            Kind::ShopperEmail => {
                match row.order_json.as_deref().and_then(StoredOrder::from_json) {
                    Some(StoredOrder::Basket(b)) => b.customer.map(|c| c.email),
                    Some(StoredOrder::Invoice(_)) | None => None,
                }
                .ok_or("the checkout has no shopper e-mail address (removed?)")?
            }
            Kind::MerchantCopy => settings
                .order_copy_to
                .clone()
                .ok_or("ORDER_EMAIL_TO is not set")?,
        };
        let from = settings.from.as_ref().ok_or("EMAIL_FROM is not set")?;
        if attempt == 1 && settings.test_fail_first_to.as_deref() == Some(to.as_str()) {
            return Err("refused on purpose (EMAIL_TEST_FAIL_FIRST_TO, tests only)".into());
        }
        let message = render(row, kind, settings).ok_or("not an e-mail")?;
        transport::send(self.env, from, &to, &message).await
    }
}

/// `a` with the fields of `b` added.
fn with(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::{store::Row, Kind, Message};

    fn m(delivered: Option<&str>, next: Option<&str>) -> Message {
        Message(Row {
            checkout_id: "ck".into(),
            kind: "shopper_email".into(),
            attempts: 1,
            delivered_at: delivered.map(str::to_owned),
            next_attempt_at: next.map(str::to_owned),
            last_error: None,
        })
    }

    #[test]
    fn states() {
        let t = Some("2026-01-01T00:00:00.000Z");
        assert_eq!(m(t, None).state(), "delivered");
        assert_eq!(m(t, t).state(), "delivered");
        assert_eq!(m(None, t).state(), "pending");
        assert_eq!(m(None, None).state(), "failed");
    }

    #[test]
    fn kinds_round_trip_and_match_the_migration() {
        // The latest migration that rebuilt the table holds its CHECK.
        let migration = include_str!("../../../migrations/0007_review_notifications.sql");
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert!(
                migration.contains(&format!("'{}'", k.as_str())),
                "{k:?} is allowed by the table's CHECK"
            );
        }
        assert_eq!(Kind::parse("sms"), None);
    }

    #[test]
    fn only_the_review_notification_follows_a_review() {
        use crate::ledger::LedgerStatus;
        let after = |s: LedgerStatus| {
            Kind::ALL
                .into_iter()
                .filter(|k| k.follows() == s)
                .map(Kind::as_str)
                .collect::<Vec<_>>()
        };
        assert_eq!(after(LedgerStatus::Review), ["merchant_review"]);
        assert_eq!(
            after(LedgerStatus::Paid),
            ["merchant_webhook", "shopper_email", "merchant_copy"]
        );
    }
}
