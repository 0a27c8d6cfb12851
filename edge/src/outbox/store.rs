//! Every SQL statement of the outbox table (`notifications`, see
//! `migrations/0005_outbox.sql`, its kinds' CHECK in
//! `0007_review_notifications.sql`): queueing the messages that follow a
//! payment, claiming one for an attempt, recording its outcome, listing a
//! checkout's messages and the cron's due ones. Nothing else in the edge
//! touches that table, so its rules (one message per checkout and kind, the
//! claim that leases an attempt) live in one place.

use super::Kind;
use crate::error::EdgeResult;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// One message's state, as stored.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Row {
    /// The checkout it belongs to.
    pub(crate) checkout_id: String,
    /// `merchant_webhook`, `shopper_email`, `merchant_copy` or
    /// `merchant_review`.
    pub(crate) kind: String,
    /// Attempts made so far.
    pub(crate) attempts: u32,
    /// When it was delivered (2xx from the merchant's server, or accepted
    /// by the e-mail binding).
    pub(crate) delivered_at: Option<String>,
    /// When it is tried next; none once delivered or given up.
    pub(crate) next_attempt_at: Option<String>,
    /// Why the last attempt failed.
    pub(crate) last_error: Option<String>,
}

const COLUMNS: &str = "checkout_id, kind, attempts, delivered_at, next_attempt_at, last_error";

/// The statement that queues a message of `kind` for checkout `id`, due at
/// once; does nothing when that message exists already (whoever found the
/// checkout paid first queued it). The shopper's e-mail is only queued when
/// the checkout has the shopper's address.
pub(crate) fn queue(
    db: &D1Database,
    id: &str,
    kind: Kind,
    now: &str,
) -> EdgeResult<D1PreparedStatement> {
    let sql = match kind {
        Kind::ShopperEmail => {
            "INSERT INTO notifications (checkout_id, kind, created_at, attempts, next_attempt_at) \
             SELECT id, ?2, ?3, 0, ?3 FROM checkouts \
             WHERE id = ?1 AND status = 'paid' AND json_extract(order_json, '$.customer.email') IS NOT NULL \
             ON CONFLICT DO NOTHING"
        }
        // Only for a checkout that is paid (not one in review) once the
        // status update batched before this statement has run.
        // Only for a checkout in review after its status update: told once
        // when it first enters review.
        Kind::MerchantReview => {
            "INSERT INTO notifications (checkout_id, kind, created_at, attempts, next_attempt_at) \
             SELECT id, ?2, ?3, 0, ?3 FROM checkouts WHERE id = ?1 AND status = 'review' \
             ON CONFLICT DO NOTHING"
        }
        Kind::MerchantWebhook | Kind::MerchantCopy => {
            "INSERT INTO notifications (checkout_id, kind, created_at, attempts, next_attempt_at) \
             SELECT id, ?2, ?3, 0, ?3 FROM checkouts WHERE id = ?1 AND status = 'paid' \
             ON CONFLICT DO NOTHING"
        }
    };
    Ok(db
        .prepare(sql)
        .bind(&[id.into(), kind.as_str().into(), now.into()])?)
}

/// Whether any of the queue statements' results inserted a row.
pub(crate) fn inserted_any(results: &[D1Result]) -> EdgeResult<bool> {
    for r in results {
        if r.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The messages of checkout `id`, in a stable order.
pub(crate) async fn of_checkout(db: &D1Database, id: &str) -> EdgeResult<Vec<Row>> {
    Ok(db
        .prepare(format!(
            "SELECT {COLUMNS} FROM notifications WHERE checkout_id = ?1 ORDER BY created_at, kind"
        ))
        .bind(&[id.into()])?
        .all()
        .await?
        .results::<Row>()?)
}

/// One message.
pub(crate) async fn one(db: &D1Database, id: &str, kind: Kind) -> EdgeResult<Option<Row>> {
    Ok(db
        .prepare(format!(
            "SELECT {COLUMNS} FROM notifications WHERE checkout_id = ?1 AND kind = ?2"
        ))
        .bind(&[id.into(), kind.as_str().into()])?
        .first::<Row>(None)
        .await?)
}

/// The messages of `kind` of every payment recorded for reusable link
/// `link` (the checkouts whose `share_link_of` is it), in one query.
pub(crate) async fn of_link_payments(
    db: &D1Database,
    link: &str,
    kind: Kind,
) -> EdgeResult<Vec<Row>> {
    Ok(db
        .prepare(format!(
            "SELECT {COLUMNS} FROM notifications WHERE kind = ?2 AND checkout_id IN \
             (SELECT id FROM checkouts WHERE share_link_of = ?1)"
        ))
        .bind(&[link.into(), kind.as_str().into()])?
        .all()
        .await?
        .results::<Row>()?)
}

/// Makes a message due now with a fresh count of attempts, creating it if
/// needed (the admin's "send again").
pub(crate) async fn reset(db: &D1Database, id: &str, kind: Kind, now: &str) -> EdgeResult<()> {
    db.prepare(
        "INSERT INTO notifications (checkout_id, kind, created_at, attempts, next_attempt_at) \
         VALUES (?1, ?2, ?3, 0, ?3) ON CONFLICT (checkout_id, kind) DO UPDATE \
         SET attempts = 0, next_attempt_at = ?3, delivered_at = NULL, last_error = NULL",
    )
    .bind(&[id.into(), kind.as_str().into(), now.into()])?
    .run()
    .await?;
    Ok(())
}

/// Up to `limit` messages of the given kinds whose attempt is due at
/// `now`, the longest waiting first.
pub(crate) async fn due(
    db: &D1Database,
    kinds: &[Kind],
    now: &str,
    limit: u32,
) -> EdgeResult<Vec<Row>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    // The kinds are our own constants, never input.
    let list = kinds
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(db
        .prepare(format!(
            "SELECT {COLUMNS} FROM notifications WHERE next_attempt_at IS NOT NULL \
             AND next_attempt_at <= ?1 AND kind IN ({list}) ORDER BY next_attempt_at LIMIT {limit}"
        ))
        .bind(&[now.into()])?
        .all()
        .await?
        .results::<Row>()?)
}

/// Claims a due message for one attempt: counts the attempt and moves its
/// next attempt to `lease_until`, so no other attempt (the cron, another
/// request) takes it meanwhile. `None` when it is not due or another
/// attempt has it; else the number of this attempt.
pub(crate) async fn claim(
    db: &D1Database,
    id: &str,
    kind: Kind,
    now: &str,
    lease_until: &str,
) -> EdgeResult<Option<u32>> {
    #[derive(Deserialize)]
    struct Claimed {
        attempts: u32,
    }
    Ok(db
        .prepare(
            "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?4 \
             WHERE checkout_id = ?1 AND kind = ?2 AND next_attempt_at IS NOT NULL \
             AND next_attempt_at <= ?3 RETURNING attempts",
        )
        .bind(&[
            id.into(),
            kind.as_str().into(),
            now.into(),
            lease_until.into(),
        ])?
        .first::<Claimed>(None)
        .await?
        .map(|c| c.attempts))
}

/// Records a delivery.
pub(crate) async fn delivered(db: &D1Database, id: &str, kind: Kind, now: &str) -> EdgeResult<()> {
    db.prepare(
        "UPDATE notifications SET delivered_at = ?3, next_attempt_at = NULL, last_error = NULL \
         WHERE checkout_id = ?1 AND kind = ?2",
    )
    .bind(&[id.into(), kind.as_str().into(), now.into()])?
    .run()
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `next`, or given up (`None`).
pub(crate) async fn failed(
    db: &D1Database,
    id: &str,
    kind: Kind,
    next: Option<&str>,
    error: &str,
) -> EdgeResult<()> {
    db.prepare(
        "UPDATE notifications SET next_attempt_at = ?3, last_error = ?4 \
         WHERE checkout_id = ?1 AND kind = ?2",
    )
    .bind(&[
        id.into(),
        kind.as_str().into(),
        next.map_or(JsValue::NULL, JsValue::from),
        error.into(),
    ])?
    .run()
    .await?;
    Ok(())
}

/// Whether the table has its outbox shape (migration 0005 applied); reads
/// one row at most.
pub(crate) async fn ready(db: &D1Database) -> EdgeResult<()> {
    db.prepare("SELECT kind FROM notifications LIMIT 1")
        .first::<serde_json::Value>(None)
        .await?;
    Ok(())
}
