//! The token store's decisions, pure and host-tested: what is stored, when
//! a token is refreshed, until when an isolate reuses one, and what a caller
//! gets when a refresh fails.

use super::protocol::AccessReply;
use super::{AccessToken, AuthState, RefreshToken, TokenStatus};
use serde::{Deserialize, Serialize};
use shared::qonto::TokenResponse;

/// An isolate stops using a cached token this long before it expires (at
/// most a quarter of the token's lifetime, for short-lived test tokens).
const ISOLATE_MARGIN_MS: f64 = 60.0 * 1000.0;
/// The object refreshes this long before expiry (at most half the lifetime).
const REFRESH_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;
/// A token this close to expiry is not handed out even as a fallback.
const LAST_USE_MARGIN_MS: f64 = 5.0 * 1000.0;
/// After a failed refresh (Qonto down, bad client secret), callers get an
/// error without a new attempt for this long: no retry storm.
pub(super) const REFRESH_BACKOFF_MS: f64 = 5.0 * 1000.0;
/// Assumed access-token lifetime when Qonto omits `expires_in` (its docs: 1 h).
const DEFAULT_LIFETIME_SECS: u64 = 3600;

/// What the store keeps (as JSON text in the object's storage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct TokenRecord {
    pub(super) access_token: AccessToken,
    /// When the access token was received (ms since the epoch).
    pub(super) issued_at_ms: f64,
    /// When Qonto says it expires.
    pub(super) expires_at_ms: f64,
    /// `None` without `offline_access`: the connection ends with the token.
    pub(super) refresh_token: Option<RefreshToken>,
    pub(super) scope: Option<String>,
    pub(super) connected_at_ms: f64,
    pub(super) refreshed_at_ms: Option<f64>,
    /// Set when Qonto refused the refresh token: why reauthorization is needed.
    pub(super) dead: Option<String>,
}

impl TokenRecord {
    /// After the authorization-code exchange.
    pub(super) fn connected(t: TokenResponse, now: f64) -> TokenRecord {
        TokenRecord {
            access_token: AccessToken(t.access_token),
            issued_at_ms: now,
            expires_at_ms: now + lifetime_ms(t.expires_in),
            refresh_token: t.refresh_token.filter(|r| !r.is_empty()).map(RefreshToken),
            scope: t.scope,
            connected_at_ms: now,
            refreshed_at_ms: None,
            dead: None,
        }
    }

    /// After a refresh: the new access token, the rotated refresh token (or
    /// the old one if Qonto sent none), the connection date kept.
    pub(super) fn refreshed(&self, t: TokenResponse, now: f64) -> TokenRecord {
        TokenRecord {
            access_token: AccessToken(t.access_token),
            issued_at_ms: now,
            expires_at_ms: now + lifetime_ms(t.expires_in),
            refresh_token: t
                .refresh_token
                .filter(|r| !r.is_empty())
                .map(RefreshToken)
                .or_else(|| self.refresh_token.clone()),
            scope: t.scope.or_else(|| self.scope.clone()),
            connected_at_ms: self.connected_at_ms,
            refreshed_at_ms: Some(now),
            dead: None,
        }
    }

    pub(super) fn reply(&self) -> AccessReply {
        AccessReply::Token {
            access_token: self.access_token.clone(),
            issued_at_ms: self.issued_at_ms,
            expires_at_ms: self.expires_at_ms,
        }
    }

    /// Still worth handing out (not about to expire).
    pub(super) fn usable(&self, now: f64) -> bool {
        let lifetime = (self.expires_at_ms - self.issued_at_ms).max(0.0);
        now < self.expires_at_ms - LAST_USE_MARGIN_MS.min(lifetime / 10.0)
    }
}

fn lifetime_ms(expires_in: u64) -> f64 {
    let secs = if expires_in == 0 {
        DEFAULT_LIFETIME_SECS
    } else {
        expires_in
    };
    secs as f64 * 1000.0
}

/// Until when an isolate reuses a token without asking the store.
pub(super) fn isolate_use_until(issued_at_ms: f64, expires_at_ms: f64) -> f64 {
    let lifetime = (expires_at_ms - issued_at_ms).max(0.0);
    expires_at_ms - ISOLATE_MARGIN_MS.min(lifetime / 4.0)
}

/// From when the store refreshes proactively.
fn refresh_due_at(issued_at_ms: f64, expires_at_ms: f64) -> f64 {
    let lifetime = (expires_at_ms - issued_at_ms).max(0.0);
    expires_at_ms - REFRESH_MARGIN_MS.min(lifetime / 2.0)
}

/// Why a refresh (or a code exchange) did not give tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RefreshFailure {
    /// `invalid_grant`: the refresh token (or code) is refused for good.
    Refused(String),
    /// Qonto down, rate limited, network failure, or an unreadable answer.
    Unavailable {
        detail: String,
        retry_after_secs: Option<u32>,
    },
    /// No answer in time.
    Timeout,
    /// Another refusal (bad client credentials, staging gate): a
    /// configuration problem, not the merchant's consent.
    Rejected { status: u16, detail: String },
}

impl RefreshFailure {
    pub(super) fn reply(self) -> AccessReply {
        match self {
            RefreshFailure::Refused(reason) => AccessReply::ReauthorizationNeeded { reason },
            RefreshFailure::Unavailable {
                detail,
                retry_after_secs,
            } => AccessReply::Unavailable {
                detail,
                retry_after_secs,
            },
            RefreshFailure::Timeout => AccessReply::Timeout,
            RefreshFailure::Rejected { status, detail } => AccessReply::Rejected { status, detail },
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            RefreshFailure::Refused(r) => format!("refused: {r}"),
            RefreshFailure::Unavailable { detail, .. } => format!("unavailable: {detail}"),
            RefreshFailure::Timeout => "timed out".into(),
            RefreshFailure::Rejected { status, detail } => format!("rejected ({status}): {detail}"),
        }
    }
}

/// What the store does with an access request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// Hand out the current token.
    Serve,
    /// Refresh first (one refresh for every waiting caller).
    Refresh,
    /// No tokens.
    NotConnected,
    /// The refresh token was refused: the merchant must connect again.
    Dead(String),
    /// A refresh failed moments ago and the current token cannot be used.
    BackingOff,
}

/// The store's decision (host-tested). `rejected` is the token Qonto just
/// refused, if the caller says so.
pub(super) fn decide(
    record: Option<&TokenRecord>,
    now: f64,
    rejected: Option<&AccessToken>,
    backoff_until_ms: f64,
) -> Decision {
    let Some(rec) = record else {
        return Decision::NotConnected;
    };
    if let Some(reason) = &rec.dead {
        return Decision::Dead(reason.clone());
    }
    let refused_now = rejected.is_some_and(|r| r == &rec.access_token);
    let fresh = now < refresh_due_at(rec.issued_at_ms, rec.expires_at_ms);
    if fresh && !refused_now {
        return Decision::Serve;
    }
    let can_fall_back = rec.usable(now) && !refused_now;
    if rec.refresh_token.is_none() {
        return if can_fall_back {
            Decision::Serve
        } else {
            Decision::Dead("the access token expired and Qonto gave no refresh token (offline_access not granted)".into())
        };
    }
    if now < backoff_until_ms {
        return if can_fall_back {
            Decision::Serve
        } else {
            Decision::BackingOff
        };
    }
    Decision::Refresh
}

/// The reply after a refresh: the new token; or, if the refresh failed for a
/// passing reason, the current token while it is still good.
pub(super) fn after_refresh(
    outcome: std::result::Result<TokenRecord, RefreshFailure>,
    current: Option<&TokenRecord>,
    rejected: Option<&AccessToken>,
    now: f64,
) -> AccessReply {
    match outcome {
        Ok(rec) => rec.reply(),
        Err(f @ RefreshFailure::Refused(_)) => f.reply(),
        Err(f) => match current {
            Some(cur)
                if cur.dead.is_none() && cur.usable(now) && rejected != Some(&cur.access_token) =>
            {
                cur.reply()
            }
            _ => f.reply(),
        },
    }
}

/// The status of a record.
pub(super) fn status_of(record: Option<&TokenRecord>) -> TokenStatus {
    match record {
        None => TokenStatus {
            state: AuthState::NotAuthorized,
            scope: None,
            connected_at_ms: None,
            access_expires_at_ms: None,
            refreshed_at_ms: None,
            reason: None,
        },
        Some(rec) => TokenStatus {
            state: if rec.dead.is_some() {
                AuthState::ReauthorizationNeeded
            } else {
                AuthState::Connected
            },
            scope: rec.scope.clone(),
            connected_at_ms: Some(rec.connected_at_ms),
            access_expires_at_ms: Some(rec.expires_at_ms),
            refreshed_at_ms: rec.refreshed_at_ms,
            reason: rec.dead.clone(),
        },
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::tokens::protocol::AccessReply;

    pub(in crate::tokens) const MIN: f64 = 60_000.0;

    pub(in crate::tokens) fn token(s: &str) -> AccessToken {
        AccessToken(s.into())
    }

    /// A 1-hour token issued at t = 0.
    pub(in crate::tokens) fn record() -> TokenRecord {
        TokenRecord {
            access_token: token("at-1"),
            issued_at_ms: 0.0,
            expires_at_ms: 60.0 * MIN,
            refresh_token: Some(RefreshToken("rt-1".into())),
            scope: Some("payment_link.read offline_access".into()),
            connected_at_ms: 0.0,
            refreshed_at_ms: None,
            dead: None,
        }
    }

    fn response(access: &str, refresh: Option<&str>, expires_in: u64) -> TokenResponse {
        TokenResponse {
            access_token: access.into(),
            expires_in,
            id_token: None,
            refresh_token: refresh.map(str::to_owned),
            scope: None,
            token_type: "bearer".into(),
        }
    }

    #[test]
    fn decisions() {
        let rec = record();
        let dead = TokenRecord {
            dead: Some("invalid_grant".into()),
            ..record()
        };
        let no_refresh = TokenRecord {
            refresh_token: None,
            ..record()
        };
        let t1 = token("at-1");
        let other = token("at-0");
        // (record, now, rejected token, backoff until, decision)
        type Row<'a> = (
            Option<&'a TokenRecord>,
            f64,
            Option<&'a AccessToken>,
            f64,
            Decision,
        );
        #[rustfmt::skip]
        let table: Vec<Row<'_>> = vec![
            (None, 0.0, None, 0.0, Decision::NotConnected),
            (Some(&dead), 0.0, None, 0.0, Decision::Dead("invalid_grant".into())),
            // Fresh: served, even to a caller whose older token was refused.
            (Some(&rec), 10.0 * MIN, None, 0.0, Decision::Serve),
            (Some(&rec), 10.0 * MIN, Some(&other), 0.0, Decision::Serve),
            // Proactive: less than 5 minutes left.
            (Some(&rec), 54.9 * MIN, None, 0.0, Decision::Serve),
            (Some(&rec), 55.0 * MIN, None, 0.0, Decision::Refresh),
            (Some(&rec), 70.0 * MIN, None, 0.0, Decision::Refresh),
            // Qonto refused the current token: refresh even if it looks fresh.
            (Some(&rec), 1.0 * MIN, Some(&t1), 0.0, Decision::Refresh),
            // Backing off after a failure: the old token while it lasts.
            (Some(&rec), 56.0 * MIN, None, 57.0 * MIN, Decision::Serve),
            (Some(&rec), 1.0 * MIN, Some(&t1), 2.0 * MIN, Decision::BackingOff),
            (Some(&rec), 61.0 * MIN, None, 62.0 * MIN, Decision::BackingOff),
            // No refresh token: usable until it expires, then dead.
            (Some(&no_refresh), 56.0 * MIN, None, 0.0, Decision::Serve),
            (Some(&no_refresh), 61.0 * MIN, None, 0.0, Decision::Dead("the access token expired and Qonto gave no refresh token (offline_access not granted)".into())),
        ];
        for (rec, now, rejected, backoff, want) in table {
            assert_eq!(
                decide(rec, now, rejected, backoff),
                want,
                "now={now} rejected={rejected:?} backoff={backoff}"
            );
        }
    }

    #[test]
    fn margins_scale_down_for_short_tokens() {
        // Qonto's hour: isolate until 59 min, refresh from 55 min.
        assert_eq!(isolate_use_until(0.0, 60.0 * MIN), 59.0 * MIN);
        assert_eq!(refresh_due_at(0.0, 60.0 * MIN), 55.0 * MIN);
        // A 20 s test token: isolate until 15 s, refresh from 10 s.
        assert_eq!(isolate_use_until(0.0, 20_000.0), 15_000.0);
        assert_eq!(refresh_due_at(0.0, 20_000.0), 10_000.0);
        // The store refreshes before isolates stop using a token.
        for lifetime in [4_000.0, 20_000.0, 10.0 * MIN, 60.0 * MIN, 24.0 * 60.0 * MIN] {
            assert!(
                refresh_due_at(0.0, lifetime) < isolate_use_until(0.0, lifetime),
                "{lifetime}"
            );
        }
    }

    #[test]
    fn refresh_keeps_rotation_and_connection_date() {
        let rec = record();
        let next = rec.refreshed(response("at-2", Some("rt-2"), 3600), 100.0);
        assert_eq!(next.access_token, token("at-2"));
        assert_eq!(next.refresh_token, Some(RefreshToken("rt-2".into())));
        assert_eq!(next.expires_at_ms, 100.0 + 3_600_000.0);
        assert_eq!(next.connected_at_ms, 0.0);
        assert_eq!(next.refreshed_at_ms, Some(100.0));
        assert_eq!(next.scope, rec.scope);
        // No rotation (not Qonto's behaviour, but allowed by OAuth): keep the old one.
        let same = rec.refreshed(response("at-3", None, 0), 0.0);
        assert_eq!(same.refresh_token, Some(RefreshToken("rt-1".into())));
        assert_eq!(same.expires_at_ms, 3_600_000.0);
        let first = TokenRecord::connected(response("at", Some(""), 60), 5.0);
        assert_eq!(first.refresh_token, None);
        assert_eq!(first.expires_at_ms, 60_005.0);
    }

    #[test]
    fn failed_refreshes_fall_back_only_to_a_good_token() {
        let rec = record();
        let down = || {
            Err(RefreshFailure::Unavailable {
                detail: "500".into(),
                retry_after_secs: None,
            })
        };
        let refused = || Err(RefreshFailure::Refused("invalid_grant".into()));
        // Proactive refresh failed: the current token still has minutes.
        assert_eq!(
            after_refresh(down(), Some(&rec), None, 56.0 * MIN),
            rec.reply()
        );
        // Qonto refused the current token: no fallback.
        assert!(matches!(
            after_refresh(down(), Some(&rec), Some(&token("at-1")), 56.0 * MIN),
            AccessReply::Unavailable { .. }
        ));
        // Expired: no fallback.
        assert!(matches!(
            after_refresh(down(), Some(&rec), None, 61.0 * MIN),
            AccessReply::Unavailable { .. }
        ));
        // Refused refresh token: never a fallback.
        assert!(matches!(
            after_refresh(refused(), Some(&rec), None, 56.0 * MIN),
            AccessReply::ReauthorizationNeeded { .. }
        ));
        let new = TokenRecord {
            access_token: token("at-2"),
            ..record()
        };
        assert_eq!(
            after_refresh(Ok(new.clone()), Some(&rec), Some(&token("at-1")), 0.0),
            new.reply()
        );
    }

    #[test]
    fn tokens_are_redacted_in_debug() {
        let text = format!("{:?}", record());
        assert!(!text.contains("at-1") && !text.contains("rt-1"), "{text}");
    }
}
