//! `webhook_events`: the ids of the Qonto webhook deliveries this edge has
//! processed. A delivery is recorded only once the ledger was updated from
//! it, so a delivery whose processing failed is processed again when Qonto
//! redelivers it.

use super::{changes, now, Ledger};
use crate::error::EdgeResult;

impl Ledger {
    /// Whether delivery `event_id` was already processed.
    pub(crate) async fn delivery_done(&self, event_id: &str) -> EdgeResult<bool> {
        Ok(self
            .db
            .prepare("SELECT 1 AS seen FROM webhook_events WHERE id = ?1")
            .bind(&[event_id.into()])?
            .first::<serde_json::Value>(None)
            .await?
            .is_some())
    }

    /// Records delivery `event_id` as processed; `false` if it already was.
    pub(crate) async fn record_delivery(&self, event_id: &str) -> EdgeResult<bool> {
        let result = self
            .db
            .prepare("INSERT INTO webhook_events (id, received_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
            .bind(&[event_id.into(), now().into()])?
            .run()
            .await?;
        Ok(changes(&result)? == 1)
    }

    /// Forgets the ids of the Qonto deliveries received before `cutoff`
    /// (RFC 3339); returns how many.
    pub(crate) async fn forget_deliveries_before(&self, cutoff: &str) -> EdgeResult<usize> {
        let result = self
            .db
            .prepare("DELETE FROM webhook_events WHERE received_at < ?1")
            .bind(&[cutoff.into()])?
            .run()
            .await?;
        changes(&result)
    }
}
