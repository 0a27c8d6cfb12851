//! `stock` and `stock_reservations` (migration 0010): the stock of the SKUs
//! the merchant tracks, and what each unpaid checkout holds of it.
//!
//! - Reserving is part of the batch that claims a checkout's idempotency
//!   key ([`Ledger::claim_key`] adds [`Reservation::statements`]): all the
//!   basket's tracked lines or none, only for the row that batch inserted
//!   (a replay or a resumed checkout reserves nothing again), so it costs no
//!   extra D1 round trip and D1's single writer makes it race-free.
//! - Releasing and consuming are the migration's triggers on `checkouts`,
//!   inside whatever status update (or delete) ends a checkout, whichever
//!   path it comes from.
//! - The admin's writes ([`Ledger::set_stock`], [`Ledger::adjust_stock`],
//!   [`Ledger::untrack_stock`]) never touch `reserved`.

use super::{changes, num, Ledger};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// The largest stock the admin may set (far below 2^53, so exact as a JS
/// number, and below any plausible shop).
pub(crate) const MAX_STOCK: i64 = 1_000_000_000;

/// One tracked SKU as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct StockRow {
    /// The SKU.
    pub(crate) sku: String,
    /// Units on hand (paid ones already taken off).
    pub(crate) stock: i64,
    /// Units held by unpaid checkouts.
    pub(crate) reserved: i64,
    /// What can still be bought: `stock - reserved`, never below 0.
    pub(crate) available: i64,
}

/// A basket's quantities per SKU, to reserve where the SKU is tracked.
pub(crate) struct Reservation {
    /// `[{"sku", "quantity"}]`, one entry per SKU, in the basket's order.
    json: String,
}

/// A tracked line of a basket that the stock could not fill.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Shortage {
    /// The SKU.
    pub(crate) sku: String,
    /// How many were asked for.
    pub(crate) quantity: i64,
    /// How many are left.
    pub(crate) available: i64,
}

/// A tracked line as read back in the claiming batch.
#[derive(Debug, Deserialize)]
struct TrackedLine {
    sku: String,
    quantity: i64,
    available: i64,
    held: i64,
}

/// What the claiming batch did with the stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// Every tracked line is reserved for the claimed checkout, or the
    /// basket has no tracked line, or the batch claimed nothing.
    Fine,
    /// Nothing was reserved: the first tracked line that is short.
    SoldOut(Shortage),
}

impl Reservation {
    /// The basket's lines (SKU, quantity); a SKU given twice is counted
    /// once with the sum (the validated order has merged them already).
    pub(crate) fn new<'a>(lines: impl IntoIterator<Item = (&'a str, u32)>) -> Reservation {
        #[derive(Serialize)]
        struct Entry<'a> {
            sku: &'a str,
            quantity: u64,
        }
        let mut entries: Vec<Entry<'a>> = Vec::new();
        for (sku, quantity) in lines {
            match entries.iter_mut().find(|e| e.sku == sku) {
                Some(e) => e.quantity += u64::from(quantity),
                None => entries.push(Entry {
                    sku,
                    quantity: u64::from(quantity),
                }),
            }
        }
        Reservation {
            json: serde_json::to_string(&entries).unwrap_or_else(|_| "[]".to_owned()),
        }
    }

    /// Three statements for the claiming batch, after the insert of the
    /// `creating` row `checkout_id`:
    /// 1. inserts a reservation per tracked line, only if that row is
    ///    `creating` (it is when this batch inserted it; a key already held
    ///    by another row leaves `checkout_id` absent) and only if every
    ///    tracked line fits (`stock - reserved >= quantity`): all or none;
    /// 2. adds them to `reserved` (the reservations of a fresh id exist only
    ///    from step 1, so nothing is added twice);
    /// 3. reads the tracked lines back, with what is left and whether the
    ///    checkout holds any, for [`Reservation::outcome`].
    ///
    /// Step 1 reads `stock` and writes only `stock_reservations`, so its
    /// all-or-none condition cannot see its own writes.
    pub(crate) fn statements(
        &self,
        db: &D1Database,
        checkout_id: &str,
        now: &str,
    ) -> EdgeResult<[D1PreparedStatement; 3]> {
        let id = checkout_id.into();
        let wanted = self.json.as_str().into();
        let hold = db
            .prepare(
                "INSERT INTO stock_reservations (checkout_id, sku, quantity, created_at) \
                 SELECT ?1, s.sku, json_extract(w.value, '$.quantity'), ?3 \
                 FROM json_each(?2) w JOIN stock s ON s.sku = json_extract(w.value, '$.sku') \
                 WHERE EXISTS (SELECT 1 FROM checkouts c WHERE c.id = ?1 AND c.status = 'creating') \
                 AND NOT EXISTS (SELECT 1 FROM json_each(?2) v JOIN stock t \
                   ON t.sku = json_extract(v.value, '$.sku') \
                   WHERE t.stock - t.reserved < json_extract(v.value, '$.quantity')) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&[id, wanted, now.into()])?;
        let apply = db
            .prepare(
                "UPDATE stock SET reserved = reserved + (SELECT r.quantity FROM stock_reservations r \
                 WHERE r.checkout_id = ?1 AND r.sku = stock.sku), updated_at = ?2 \
                 WHERE sku IN (SELECT r.sku FROM stock_reservations r WHERE r.checkout_id = ?1)",
            )
            .bind(&[checkout_id.into(), now.into()])?;
        let read = db
            .prepare(
                "SELECT s.sku AS sku, json_extract(w.value, '$.quantity') AS quantity, \
                 MAX(s.stock - s.reserved, 0) AS available, \
                 (SELECT count(*) FROM stock_reservations r WHERE r.checkout_id = ?1) AS held \
                 FROM json_each(?2) w JOIN stock s ON s.sku = json_extract(w.value, '$.sku') \
                 ORDER BY w.key",
            )
            .bind(&[checkout_id.into(), self.json.as_str().into()])?;
        Ok([hold, apply, read])
    }

    /// What the batch did, from the result of the third statement, for a
    /// batch that inserted the claimed row (`claimed`): sold out when the
    /// basket has tracked lines and the checkout holds none of them.
    pub(crate) fn outcome(read: Option<&D1Result>, claimed: bool) -> EdgeResult<Reserved> {
        let Some(read) = read else {
            return Err(EdgeError::Internal(
                "the stock read of the claim is missing".into(),
            ));
        };
        let lines = read.results::<TrackedLine>()?;
        Ok(decide(claimed, &lines))
    }
}

/// [`Reservation::outcome`]'s decision (pure, host-tested).
fn decide(claimed: bool, lines: &[TrackedLine]) -> Reserved {
    if !claimed || lines.is_empty() || lines.iter().any(|l| l.held > 0) {
        return Reserved::Fine;
    }
    // Nothing held although the row is ours: a line did not fit (read in
    // the same transaction, so that line is still short).
    let short = lines
        .iter()
        .find(|l| l.available < l.quantity)
        .or(lines.first());
    match short {
        Some(l) => Reserved::SoldOut(Shortage {
            sku: l.sku.clone(),
            quantity: l.quantity,
            available: l.available.max(0),
        }),
        None => Reserved::Fine,
    }
}

/// The columns of a [`StockRow`].
const STOCK_COLUMNS: &str = "sku, stock, reserved, MAX(stock - reserved, 0) AS available";

impl Ledger {
    /// Whether the stock tables exist (migration 0010 applied).
    pub(crate) async fn stock_ready(&self) -> EdgeResult<()> {
        self.db
            .prepare(
                "SELECT (SELECT 1 FROM stock LIMIT 1) AS s, \
                 (SELECT 1 FROM stock_reservations LIMIT 1) AS r",
            )
            .first::<serde_json::Value>(None)
            .await?;
        Ok(())
    }

    /// Every tracked SKU, by SKU.
    pub(crate) async fn stock_list(&self) -> EdgeResult<Vec<StockRow>> {
        Ok(self
            .db
            .prepare(format!("SELECT {STOCK_COLUMNS} FROM stock ORDER BY sku"))
            .all()
            .await?
            .results::<StockRow>()?)
    }

    /// Sets the stock of `sku` (tracking it from now on); what is reserved
    /// stays reserved.
    pub(crate) async fn set_stock(&self, sku: &str, stock: i64) -> EdgeResult<StockRow> {
        let now = super::now();
        self.db
            .prepare(format!(
                "INSERT INTO stock (sku, stock, reserved, updated_at) VALUES (?1, ?2, 0, ?3) \
                 ON CONFLICT (sku) DO UPDATE SET stock = excluded.stock, updated_at = excluded.updated_at \
                 RETURNING {STOCK_COLUMNS}"
            ))
            .bind(&[sku.into(), num(stock), now.into()])?
            .first::<StockRow>(None)
            .await?
            .ok_or_else(|| EdgeError::Internal("the stock just set has no row".into()))
    }

    /// Adds `delta` (negative: takes off) to the stock of a tracked `sku`;
    /// `Ok(None)` when it is not tracked, [`AdjustRefused`] when the stock
    /// would go below 0 or above [`MAX_STOCK`].
    pub(crate) async fn adjust_stock(
        &self,
        sku: &str,
        delta: i64,
    ) -> EdgeResult<Result<Option<StockRow>, AdjustRefused>> {
        let now = super::now();
        let changed = self
            .db
            .prepare(format!(
                "UPDATE stock SET stock = stock + ?2, updated_at = ?3 WHERE sku = ?1 \
                 AND stock + ?2 >= 0 AND stock + ?2 <= ?4 RETURNING {STOCK_COLUMNS}"
            ))
            .bind(&[sku.into(), num(delta), now.into(), num(MAX_STOCK)])?
            .first::<StockRow>(None)
            .await?;
        if let Some(row) = changed {
            return Ok(Ok(Some(row)));
        }
        let current = self
            .db
            .prepare(format!("SELECT {STOCK_COLUMNS} FROM stock WHERE sku = ?1"))
            .bind(&[sku.into()])?
            .first::<StockRow>(None)
            .await?;
        Ok(match current {
            None => Ok(None),
            Some(row) => Err(AdjustRefused { current: row }),
        })
    }

    /// Stops tracking `sku` (unlimited from now on), with its reservations;
    /// `false` when it was not tracked.
    pub(crate) async fn untrack_stock(&self, sku: &str) -> EdgeResult<bool> {
        let results = self
            .db
            .batch(vec![
                self.db
                    .prepare("DELETE FROM stock WHERE sku = ?1")
                    .bind(&[sku.into()])?,
                self.db
                    .prepare("DELETE FROM stock_reservations WHERE sku = ?1")
                    .bind(&[sku.into()])?,
            ])
            .await?;
        match results.first() {
            Some(r) => Ok(changes(r)? == 1),
            None => Ok(false),
        }
    }
}

/// An adjustment that would take the stock below 0 or above [`MAX_STOCK`].
#[derive(Debug)]
pub(crate) struct AdjustRefused {
    /// The stock as it is (unchanged).
    pub(crate) current: StockRow,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: i64, available: i64, held: i64) -> TrackedLine {
        TrackedLine {
            sku: sku.into(),
            quantity,
            available,
            held,
        }
    }

    #[test]
    fn a_basket_is_sold_out_only_when_its_claimed_row_holds_nothing() {
        // (claimed, lines, expected)
        let cases: Vec<(bool, Vec<TrackedLine>, Reserved)> = vec![
            (true, vec![], Reserved::Fine),
            (true, vec![line("mug", 2, 3, 1)], Reserved::Fine),
            // A replay or a resumed checkout: the batch claimed nothing.
            (false, vec![line("mug", 2, 0, 0)], Reserved::Fine),
            (
                true,
                vec![line("mug", 2, 5, 0), line("tshirt-m", 3, 1, 0)],
                Reserved::SoldOut(Shortage {
                    sku: "tshirt-m".into(),
                    quantity: 3,
                    available: 1,
                }),
            ),
            (
                true,
                vec![line("mug", 4, 1, 0), line("tshirt-m", 3, 0, 0)],
                Reserved::SoldOut(Shortage {
                    sku: "mug".into(),
                    quantity: 4,
                    available: 1,
                }),
            ),
        ];
        for (claimed, lines, expected) in cases {
            assert_eq!(decide(claimed, &lines), expected);
        }
    }

    #[test]
    fn reservations_merge_a_sku_given_twice() {
        let r = Reservation::new([("mug", 2), ("ebook", 1), ("mug", 3)]);
        assert_eq!(
            r.json,
            r#"[{"sku":"mug","quantity":5},{"sku":"ebook","quantity":1}]"#
        );
    }
}
