//! `admin_sessions` and `admin_failures`: the admin page's sessions (by the
//! SHA-256 of their id, with expiry and revocation) and the wrong admin
//! tokens counted per client for throttling (see `crate::auth`).

use super::{changes, now, Ledger};
use crate::error::EdgeResult;
use serde::Deserialize;

/// An RFC 3339 time `secs` seconds before now.
fn secs_ago(secs: i64) -> String {
    super::ago(secs as f64 * 1000.0)
}

impl Ledger {
    /// Whether both tables exist (migration 0008 applied).
    pub(crate) async fn admin_ready(&self) -> EdgeResult<()> {
        self.db
            .prepare(
                "SELECT (SELECT 1 FROM admin_sessions LIMIT 1) AS s, \
                 (SELECT 1 FROM admin_failures LIMIT 1) AS f",
            )
            .first::<serde_json::Value>(None)
            .await?;
        Ok(())
    }

    /// Keeps a new session until `expires_at` (RFC 3339).
    pub(crate) async fn create_admin_session(
        &self,
        id_hash: &str,
        expires_at: &str,
    ) -> EdgeResult<()> {
        self.db
            .prepare(
                "INSERT INTO admin_sessions (id_hash, created_at, expires_at) VALUES (?1, ?2, ?3)",
            )
            .bind(&[id_hash.into(), now().into(), expires_at.into()])?
            .run()
            .await?;
        Ok(())
    }

    /// Whether the session exists, is not revoked and has not expired.
    pub(crate) async fn admin_session_live(&self, id_hash: &str) -> EdgeResult<bool> {
        Ok(self
            .db
            .prepare(
                "SELECT 1 AS live FROM admin_sessions \
                 WHERE id_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2",
            )
            .bind(&[id_hash.into(), now().into()])?
            .first::<serde_json::Value>(None)
            .await?
            .is_some())
    }

    /// Revokes a session (signing out); `false` when there was no live one.
    pub(crate) async fn revoke_admin_session(&self, id_hash: &str) -> EdgeResult<bool> {
        let result = self
            .db
            .prepare(
                "UPDATE admin_sessions SET revoked_at = ?2 WHERE id_hash = ?1 AND revoked_at IS NULL",
            )
            .bind(&[id_hash.into(), now().into()])?
            .run()
            .await?;
        Ok(changes(&result)? == 1)
    }

    /// Removes the sessions that ended (expired or revoked) more than a day
    /// ago, so the table holds only recent ones.
    pub(crate) async fn forget_ended_admin_sessions(&self) -> EdgeResult<usize> {
        let result = self
            .db
            .prepare("DELETE FROM admin_sessions WHERE expires_at < ?1 OR revoked_at < ?1")
            .bind(&[secs_ago(86_400).into()])?
            .run()
            .await?;
        changes(&result)
    }

    /// When `client` has `max` failures or more in the current window of
    /// `window_secs`: the seconds until that window ends (at least 1).
    pub(crate) async fn admin_blocked(
        &self,
        client: &str,
        max: i64,
        window_secs: i64,
    ) -> EdgeResult<Option<u32>> {
        #[derive(Deserialize)]
        struct Row {
            window_start: String,
            failures: i64,
        }
        let row = self
            .db
            .prepare(
                "SELECT window_start, failures FROM admin_failures \
                 WHERE client = ?1 AND window_start > ?2",
            )
            .bind(&[client.into(), secs_ago(window_secs).into()])?
            .first::<Row>(None)
            .await?;
        Ok(row.filter(|r| r.failures >= max).map(|r| {
            let elapsed = super::age_ms(&r.window_start).unwrap_or(0.0) / 1000.0;
            let left = (window_secs as f64 - elapsed).ceil();
            left.clamp(1.0, window_secs as f64) as u32
        }))
    }

    /// Counts one failure of `client`: in its current window, or as the
    /// first of a new one when the last window ended.
    pub(crate) async fn record_admin_failure(
        &self,
        client: &str,
        window_secs: i64,
    ) -> EdgeResult<()> {
        self.db
            .prepare(
                "INSERT INTO admin_failures (client, window_start, failures) VALUES (?1, ?2, 1) \
                 ON CONFLICT (client) DO UPDATE SET \
                 failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END, \
                 window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END",
            )
            .bind(&[client.into(), now().into(), secs_ago(window_secs).into()])?
            .run()
            .await?;
        Ok(())
    }
}
