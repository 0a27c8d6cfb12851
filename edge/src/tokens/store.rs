//! The Durable Object that holds the merchant's tokens ([`TokenStore`]): it
//! answers the [`super::protocol`] requests, runs at most one refresh at a
//! time and stores the rotated refresh token before handing out the new
//! access token.

// The `#[durable_object]` macro generates undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use super::oauth_client::token_call;
use super::policy::{
    after_refresh, decide, status_of, Decision, RefreshFailure, TokenRecord, REFRESH_BACKOFF_MS,
};
use super::protocol::{
    AccessReply, AccessRequest, ConsumeReply, ExchangeRequest, StateBody, StateReply,
};
use super::{now_ms, AccessToken, ExchangeOutcome};
use crate::config::Config;
use crate::log;
use crate::qonto::json_error_summary;
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use worker::{durable_object, DurableObject, Env, Method, Request, Response, Result, State};

/// Storage key of the [`TokenRecord`] (JSON text).
const TOKENS_KEY: &str = "tokens";
/// Storage key of the pending OAuth states (JSON text).
const STATES_KEY: &str = "oauth_states";
/// How long an OAuth `state` may wait for its callback.
const STATE_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;
/// Pending states kept at most (older ones are dropped): admins do not start
/// hundreds of connections, and storage must not grow without bound.
const MAX_PENDING_STATES: usize = 20;

type SharedRefresh =
    Shared<LocalBoxFuture<'static, std::result::Result<TokenRecord, RefreshFailure>>>;

/// The object's in-memory state, shared with the refresh future.
#[derive(Default)]
struct Inner {
    /// Whether `record` was read from storage yet.
    loaded: Cell<bool>,
    /// The stored record (this object is its only writer, so the copy in
    /// memory is always the stored one).
    record: RefCell<Option<TokenRecord>>,
    /// The refresh in flight: every caller that needs a refresh awaits it.
    refresh: RefCell<Option<SharedRefresh>>,
    /// Bumped by each new connection, so that a refresh started before it
    /// does not overwrite it.
    generation: Cell<u64>,
    /// No new refresh attempt before this time (ms) after a failure.
    backoff_until_ms: Cell<f64>,
}

/// Holds the merchant's Qonto OAuth tokens (module docs).
#[durable_object]
pub struct TokenStore {
    state: State,
    env: Env,
    inner: Rc<Inner>,
}

impl DurableObject for TokenStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            inner: Rc::new(Inner::default()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let request_id = req
            .headers()
            .get("x-request-id")
            .ok()
            .flatten()
            .unwrap_or_default();
        let path = req.path();
        match (req.method(), path.as_str()) {
            (Method::Get, "/status") => {
                self.ensure_loaded().await?;
                Response::from_json(&status_of(self.inner.record.borrow().as_ref()))
            }
            (Method::Post, "/state/new") => Response::from_json(&StateReply {
                state: self.new_state().await?,
            }),
            (Method::Post, "/state/consume") => {
                let body: StateBody = req.json().await?;
                Response::from_json(&ConsumeReply {
                    valid: self.consume_state(&body.state).await?,
                })
            }
            (Method::Post, "/exchange") => {
                let body: ExchangeRequest = req.json().await?;
                Response::from_json(&self.exchange(body, &request_id).await?)
            }
            (Method::Post, "/access") => {
                let body: AccessRequest = req.json().await?;
                Response::from_json(&self.access(body.rejected, &request_id).await?)
            }
            _ => Response::error("no such token store operation", 404),
        }
    }
}

impl TokenStore {
    /// Reads the record once per object lifetime.
    async fn ensure_loaded(&self) -> Result<()> {
        if self.inner.loaded.get() {
            return Ok(());
        }
        let stored: Option<String> = self.state.storage().get(TOKENS_KEY).await?;
        // Another request may have loaded (or written) it meanwhile.
        if !self.inner.loaded.get() {
            let record = match stored.map(|s| serde_json::from_str::<TokenRecord>(&s)) {
                None => None,
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    log::error(
                        "",
                        "stored qonto tokens are unreadable; treating as not connected",
                        json!({"error": json_error_summary(&e)}),
                    );
                    None
                }
            };
            *self.inner.record.borrow_mut() = record;
            self.inner.loaded.set(true);
        }
        Ok(())
    }

    /// `/access`: the decision, then at most one refresh for all callers.
    async fn access(&self, rejected: Option<AccessToken>, request_id: &str) -> Result<AccessReply> {
        self.ensure_loaded().await?;
        let in_flight = self.inner.refresh.borrow().clone();
        if let Some(refresh) = in_flight {
            let outcome = refresh.await;
            let current = self.inner.record.borrow().clone();
            return Ok(after_refresh(
                outcome,
                current.as_ref(),
                rejected.as_ref(),
                now_ms(),
            ));
        }
        let current = self.inner.record.borrow().clone();
        let now = now_ms();
        match decide(
            current.as_ref(),
            now,
            rejected.as_ref(),
            self.inner.backoff_until_ms.get(),
        ) {
            Decision::Serve => Ok(current.map_or(AccessReply::NotConnected, |r| r.reply())),
            Decision::NotConnected => Ok(AccessReply::NotConnected),
            Decision::Dead(reason) => Ok(AccessReply::ReauthorizationNeeded { reason }),
            Decision::BackingOff => Ok(AccessReply::Unavailable {
                detail: "a token refresh failed moments ago".into(),
                retry_after_secs: Some((REFRESH_BACKOFF_MS / 1000.0) as u32),
            }),
            Decision::Refresh => {
                let Some(record) = current else {
                    return Ok(AccessReply::NotConnected);
                };
                let outcome = self.start_refresh(record.clone(), request_id).await;
                Ok(after_refresh(
                    outcome,
                    Some(&record),
                    rejected.as_ref(),
                    now_ms(),
                ))
            }
        }
    }

    /// Starts the refresh and registers it, synchronously (no await between
    /// the decision and the registration), so later callers join it.
    fn start_refresh(&self, current: TokenRecord, request_id: &str) -> SharedRefresh {
        let inner = self.inner.clone();
        let storage = self.state.storage();
        let config = Config::from_env(&self.env);
        let generation = inner.generation.get();
        let request_id = request_id.to_owned();
        let refresh = async move {
            let outcome =
                refresh_once(&config, &storage, &inner, &current, generation, &request_id).await;
            inner.refresh.borrow_mut().take();
            outcome
        }
        .boxed_local()
        .shared();
        *self.inner.refresh.borrow_mut() = Some(refresh.clone());
        refresh
    }

    async fn load_states(&self) -> Result<Vec<(String, f64)>> {
        let stored: Option<String> = self.state.storage().get(STATES_KEY).await?;
        Ok(stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    async fn save_states(&self, states: &[(String, f64)]) -> Result<()> {
        let text = serde_json::to_string(states)
            .map_err(|e| worker::Error::RustError(json_error_summary(&e)))?;
        self.state.storage().put(STATES_KEY, text).await
    }

    /// `/state/new`. Only storage awaits between read and write: the input
    /// gate keeps this atomic.
    async fn new_state(&self) -> Result<String> {
        let now = now_ms();
        let mut states = self.load_states().await?;
        states.retain(|(_, expires)| *expires > now);
        let state = crate::ids::random_hex(16);
        states.push((state.clone(), now + STATE_TTL_MS));
        if states.len() > MAX_PENDING_STATES {
            let excess = states.len() - MAX_PENDING_STATES;
            states.drain(..excess);
        }
        self.save_states(&states).await?;
        Ok(state)
    }

    /// Removes `state`; true when it was pending and unexpired.
    async fn consume_state(&self, state: &str) -> Result<bool> {
        if !is_state_shaped(state) {
            return Ok(false);
        }
        let now = now_ms();
        let mut states = self.load_states().await?;
        let found = states
            .iter()
            .position(|(s, _)| s == state)
            .map(|i| states.remove(i));
        states.retain(|(_, expires)| *expires > now);
        self.save_states(&states).await?;
        Ok(found.is_some_and(|(_, expires)| expires > now))
    }

    /// `/exchange`: state first (used up whatever follows), then the code.
    async fn exchange(&self, body: ExchangeRequest, request_id: &str) -> Result<ExchangeOutcome> {
        self.ensure_loaded().await?;
        if !self.consume_state(&body.state).await? {
            return Ok(ExchangeOutcome::InvalidState);
        }
        let config = Config::from_env(&self.env);
        let grant = [
            ("grant_type", "authorization_code"),
            ("code", body.code.as_str()),
            ("redirect_uri", body.redirect_uri.as_str()),
        ];
        match token_call(&config, &grant).await {
            Ok(tokens) => {
                let record = TokenRecord::connected(tokens, now_ms());
                // Bumped before the write: a refresh of the previous
                // connection finishing now must not overwrite this one.
                self.inner.generation.set(self.inner.generation.get() + 1);
                persist(&self.state.storage(), &record).await?;
                let outcome = ExchangeOutcome::Connected {
                    scope: record.scope.clone(),
                    refreshable: record.refresh_token.is_some(),
                };
                log::info(
                    request_id,
                    "qonto connected",
                    json!({"scope": record.scope, "refreshable": record.refresh_token.is_some(), "expires_in_s": ((record.expires_at_ms - record.issued_at_ms) / 1000.0) as u64}),
                );
                *self.inner.record.borrow_mut() = Some(record);
                self.inner.backoff_until_ms.set(0.0);
                Ok(outcome)
            }
            Err(failure) => Ok(ExchangeOutcome::Failed {
                detail: failure.describe(),
            }),
        }
    }
}

/// The refresh itself: call Qonto, store, then (only then) publish.
async fn refresh_once(
    config: &Config,
    storage: &worker::Storage,
    inner: &Inner,
    current: &TokenRecord,
    generation: u64,
    request_id: &str,
) -> std::result::Result<TokenRecord, RefreshFailure> {
    let Some(refresh_token) = &current.refresh_token else {
        return Err(RefreshFailure::Refused("no refresh token".into()));
    };
    let result = token_call(
        config,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.0.as_str()),
        ],
    )
    .await;
    if inner.generation.get() != generation {
        // The merchant connected again while this refresh ran: theirs wins.
        return inner
            .record
            .borrow()
            .clone()
            .ok_or(RefreshFailure::Unavailable {
                detail: "connection replaced during refresh".into(),
                retry_after_secs: None,
            });
    }
    match result {
        Ok(tokens) => {
            let rotated = tokens.refresh_token.is_some();
            let record = current.refreshed(tokens, now_ms());
            // Store the rotated refresh token BEFORE anyone gets the new
            // access token. If the write fails, memory keeps the old record:
            // its refresh token still works for Qonto's 60 s grace, so the
            // next attempt recovers.
            if let Err(e) = persist(storage, &record).await {
                inner.backoff_until_ms.set(now_ms() + 1000.0);
                log::error(
                    request_id,
                    "could not store refreshed qonto tokens",
                    json!({"error": e.to_string()}),
                );
                return Err(RefreshFailure::Unavailable {
                    detail: "token storage failed".into(),
                    retry_after_secs: Some(1),
                });
            }
            *inner.record.borrow_mut() = Some(record.clone());
            inner.backoff_until_ms.set(0.0);
            log::info(
                request_id,
                "qonto access token refreshed",
                json!({"rotated": rotated, "expires_in_s": ((record.expires_at_ms - record.issued_at_ms) / 1000.0) as u64}),
            );
            Ok(record)
        }
        Err(RefreshFailure::Refused(reason)) => {
            let mut dead = current.clone();
            dead.dead = Some(reason.clone());
            if let Err(e) = persist(storage, &dead).await {
                log::error(
                    request_id,
                    "could not store the dead connection flag",
                    json!({"error": e.to_string()}),
                );
            }
            *inner.record.borrow_mut() = Some(dead);
            log::warn(
                request_id,
                "qonto refused the refresh token; reauthorization needed",
                json!({"reason": reason}),
            );
            Err(RefreshFailure::Refused(reason))
        }
        Err(other) => {
            inner.backoff_until_ms.set(now_ms() + REFRESH_BACKOFF_MS);
            log::warn(
                request_id,
                "qonto token refresh failed",
                json!({"reason": other.describe()}),
            );
            Err(other)
        }
    }
}

async fn persist(storage: &worker::Storage, record: &TokenRecord) -> Result<()> {
    let text = serde_json::to_string(record)
        .map_err(|e| worker::Error::RustError(json_error_summary(&e)))?;
    storage.put(TOKENS_KEY, text).await
}

/// What [`crate::ids::random_hex`]`(16)` produces: 32 lowercase hex digits.
fn is_state_shaped(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_have_one_shape() {
        assert!(is_state_shaped("0123456789abcdef0123456789abcdef"));
        assert!(!is_state_shaped("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_state_shaped("short"));
        assert!(!is_state_shaped(""));
    }
}
