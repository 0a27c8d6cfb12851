//! `discount_codes` and `discount_reservations` (migration 0011): the
//! merchant's codes, and the use each unpaid checkout holds.
//!
//! - Holding a use is part of the batch that claims a checkout's
//!   idempotency key ([`CodeHold::statements`], added by
//!   [`Ledger::claim_key`]): only for the row that batch inserted, only
//!   while the code is active, valid at that instant and below its maximum
//!   uses (`uses + reserved < max_uses`). D1 runs one batch at a time, so
//!   a code limited to 5 uses is held by at most 5 checkouts however many
//!   arrive at once.
//! - Giving it back and counting it are the migration's triggers on
//!   `checkouts`, inside whatever status update (or delete) ends the
//!   checkout.
//! - The admin's writes never touch `uses` or `reserved`.

use super::{changes, num, opt, Ledger};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// One code as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct CodeRow {
    /// The code, upper case.
    pub(crate) code: String,
    /// A percent code's basis points.
    pub(crate) percent_bp: Option<i64>,
    /// A fixed code's amount, in minor units.
    pub(crate) amount_minor: Option<i64>,
    /// The least goods total it needs, in minor units.
    pub(crate) minimum_minor: Option<i64>,
    /// Valid from (RFC 3339, UTC).
    pub(crate) valid_from: Option<String>,
    /// Valid until, excluded (RFC 3339, UTC).
    pub(crate) valid_until: Option<String>,
    /// At most this many paid uses.
    pub(crate) max_uses: Option<i64>,
    /// 1 when on, 0 when switched off.
    pub(crate) active: i64,
    /// Paid checkouts that used it.
    pub(crate) uses: i64,
    /// Unpaid checkouts holding a use.
    pub(crate) reserved: i64,
    /// When created.
    pub(crate) created_at: String,
    /// When last changed (or last used).
    pub(crate) updated_at: String,
}

/// The columns of a [`CodeRow`].
const CODE_COLUMNS: &str =
    "code, percent_bp, amount_minor, minimum_minor, valid_from, valid_until, \
    max_uses, active, uses, reserved, created_at, updated_at";

/// A use of `code` to hold for the checkout the claim inserts.
pub(crate) struct CodeHold {
    /// The code, upper case.
    pub(crate) code: String,
}

/// The code's line as read back in the claiming batch.
#[derive(Debug, Deserialize)]
struct Held {
    held: i64,
}

impl CodeHold {
    /// Three statements for the claiming batch, after the insert of the
    /// `creating` row `checkout_id`:
    /// 1. holds a use, only if that row is `creating` (it is when this
    ///    batch inserted it) and the code still applies at `now` (active,
    ///    in its window, `uses + reserved < max_uses`);
    /// 2. adds it to `reserved` (a fresh id's reservation exists only from
    ///    step 1, so nothing is added twice);
    /// 3. reads back whether the checkout holds it.
    pub(crate) fn statements(
        &self,
        db: &D1Database,
        checkout_id: &str,
        now: &str,
    ) -> EdgeResult<[D1PreparedStatement; 3]> {
        let args = [checkout_id.into(), self.code.as_str().into(), now.into()];
        let hold = db
            .prepare(
                "INSERT INTO discount_reservations (checkout_id, code, created_at) \
                 SELECT ?1, d.code, ?3 FROM discount_codes d WHERE d.code = ?2 AND d.active = 1 \
                 AND (d.valid_from IS NULL OR d.valid_from <= ?3) \
                 AND (d.valid_until IS NULL OR ?3 < d.valid_until) \
                 AND (d.max_uses IS NULL OR d.uses + d.reserved < d.max_uses) \
                 AND EXISTS (SELECT 1 FROM checkouts c WHERE c.id = ?1 AND c.status = 'creating') \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&args)?;
        let apply = db
            .prepare(
                "UPDATE discount_codes SET reserved = reserved + 1, updated_at = ?3 WHERE code = ?2 \
                 AND EXISTS (SELECT 1 FROM discount_reservations r WHERE r.checkout_id = ?1 AND r.code = ?2)",
            )
            .bind(&args)?;
        let read = db
            .prepare(
                "SELECT count(*) AS held FROM discount_reservations WHERE checkout_id = ?1 AND code = ?2",
            )
            .bind(&[checkout_id.into(), self.code.as_str().into()])?;
        Ok([hold, apply, read])
    }

    /// Whether the claimed checkout holds its use, from the third
    /// statement's result.
    pub(crate) fn outcome(read: Option<&D1Result>) -> EdgeResult<bool> {
        let Some(read) = read else {
            return Err(EdgeError::Internal(
                "the discount read of the claim is missing".into(),
            ));
        };
        Ok(read.results::<Held>()?.first().is_some_and(|h| h.held > 0))
    }
}

/// What the admin writes of a code (everything but the counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeSettings {
    /// The code, upper case.
    pub(crate) code: String,
    /// Percent (basis points) or...
    pub(crate) percent_bp: Option<i64>,
    /// ...fixed amount (minor units).
    pub(crate) amount_minor: Option<i64>,
    /// The least goods total.
    pub(crate) minimum_minor: Option<i64>,
    /// Valid from.
    pub(crate) valid_from: Option<String>,
    /// Valid until (excluded).
    pub(crate) valid_until: Option<String>,
    /// At most this many uses.
    pub(crate) max_uses: Option<i64>,
    /// On or off.
    pub(crate) active: bool,
}

impl CodeSettings {
    fn values(&self, now: &str) -> Vec<JsValue> {
        let n = |v: Option<i64>| v.map(num).unwrap_or(JsValue::NULL);
        vec![
            self.code.as_str().into(),
            n(self.percent_bp),
            n(self.amount_minor),
            n(self.minimum_minor),
            opt(self.valid_from.as_deref()),
            opt(self.valid_until.as_deref()),
            n(self.max_uses),
            num(i64::from(self.active)),
            now.into(),
        ]
    }
}

impl Ledger {
    /// Whether the discount tables exist (migration 0011 applied).
    pub(crate) async fn discounts_ready(&self) -> EdgeResult<()> {
        self.db
            .prepare(
                "SELECT (SELECT 1 FROM discount_codes LIMIT 1) AS d, \
                 (SELECT 1 FROM discount_reservations LIMIT 1) AS r",
            )
            .first::<serde_json::Value>(None)
            .await?;
        Ok(())
    }

    /// One code, if it exists.
    pub(crate) async fn discount_code(&self, code: &str) -> EdgeResult<Option<CodeRow>> {
        Ok(self
            .db
            .prepare(format!(
                "SELECT {CODE_COLUMNS} FROM discount_codes WHERE code = ?1"
            ))
            .bind(&[code.into()])?
            .first::<CodeRow>(None)
            .await?)
    }

    /// Whether some code is switched on (the basket then offers its code
    /// box; valid or not today, it is checked when typed).
    pub(crate) async fn any_code_on(&self) -> EdgeResult<bool> {
        Ok(self
            .db
            .prepare("SELECT code FROM discount_codes WHERE active = 1 LIMIT 1")
            .first::<serde_json::Value>(None)
            .await?
            .is_some())
    }

    /// Every code, by code.
    pub(crate) async fn discount_codes(&self) -> EdgeResult<Vec<CodeRow>> {
        Ok(self
            .db
            .prepare(format!(
                "SELECT {CODE_COLUMNS} FROM discount_codes ORDER BY code"
            ))
            .all()
            .await?
            .results::<CodeRow>()?)
    }

    /// Creates a code; `None` when one with that name exists.
    pub(crate) async fn create_discount_code(
        &self,
        s: &CodeSettings,
    ) -> EdgeResult<Option<CodeRow>> {
        let now = super::now();
        Ok(self
            .db
            .prepare(format!(
                "INSERT INTO discount_codes (code, percent_bp, amount_minor, minimum_minor, valid_from, \
                 valid_until, max_uses, active, uses, reserved, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, ?9, ?9) ON CONFLICT DO NOTHING \
                 RETURNING {CODE_COLUMNS}"
            ))
            .bind(&s.values(&now))?
            .first::<CodeRow>(None)
            .await?)
    }

    /// Replaces a code's settings (its counts stay); `None` when there is
    /// no such code.
    pub(crate) async fn update_discount_code(
        &self,
        s: &CodeSettings,
    ) -> EdgeResult<Option<CodeRow>> {
        let now = super::now();
        Ok(self
            .db
            .prepare(format!(
                "UPDATE discount_codes SET percent_bp = ?2, amount_minor = ?3, minimum_minor = ?4, \
                 valid_from = ?5, valid_until = ?6, max_uses = ?7, active = ?8, updated_at = ?9 \
                 WHERE code = ?1 RETURNING {CODE_COLUMNS}"
            ))
            .bind(&s.values(&now))?
            .first::<CodeRow>(None)
            .await?)
    }

    /// Deletes a code, with the uses unpaid checkouts hold of it (they
    /// keep their lowered prices); `false` when there was no such code.
    pub(crate) async fn delete_discount_code(&self, code: &str) -> EdgeResult<bool> {
        let results = self
            .db
            .batch(vec![
                self.db
                    .prepare("DELETE FROM discount_codes WHERE code = ?1")
                    .bind(&[code.into()])?,
                self.db
                    .prepare("DELETE FROM discount_reservations WHERE code = ?1")
                    .bind(&[code.into()])?,
            ])
            .await?;
        match results.first() {
            Some(r) => Ok(changes(r)? == 1),
            None => Ok(false),
        }
    }
}
