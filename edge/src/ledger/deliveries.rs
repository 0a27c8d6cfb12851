//! `webhook_events`: the ids of the Qonto webhook deliveries this edge has
//! processed or is processing. A delivery is claimed before it is processed
//! (so copies of one event that arrive together are processed once, with
//! one re-read of the link) and marked processed only once the ledger was
//! updated from it; a claim whose processing failed is given up, so Qonto's
//! redelivery is processed again, and a claim left by an isolate that died
//! may be taken over after [`CLAIM_LEASE_MS`].

use super::{ago, changes, now, Ledger};
use crate::error::EdgeResult;

/// How long a claimed, unprocessed delivery holds off its copies.
pub(crate) const CLAIM_LEASE_MS: f64 = 60_000.0;

impl Ledger {
    /// Claims delivery `event_id` for processing: `false` when it was
    /// processed already, or another request is processing it.
    pub(crate) async fn claim_delivery(&self, event_id: &str) -> EdgeResult<bool> {
        let result = self
            .db
            .prepare(
                "INSERT INTO webhook_events (id, received_at) VALUES (?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET received_at = excluded.received_at \
                 WHERE webhook_events.processed_at IS NULL AND webhook_events.received_at < ?3",
            )
            .bind(&[event_id.into(), now().into(), ago(CLAIM_LEASE_MS).into()])?
            .run()
            .await?;
        Ok(changes(&result)? == 1)
    }

    /// Records claimed delivery `event_id` as processed.
    pub(crate) async fn record_delivery(&self, event_id: &str) -> EdgeResult<()> {
        self.db
            .prepare("UPDATE webhook_events SET processed_at = ?2 WHERE id = ?1")
            .bind(&[event_id.into(), now().into()])?
            .run()
            .await?;
        Ok(())
    }

    /// Gives up the claim of a delivery whose processing failed (or that is
    /// not kept, a connection event), so a redelivery is processed again.
    pub(crate) async fn release_delivery(&self, event_id: &str) -> EdgeResult<()> {
        self.db
            .prepare("DELETE FROM webhook_events WHERE id = ?1 AND processed_at IS NULL")
            .bind(&[event_id.into()])?
            .run()
            .await?;
        Ok(())
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
