//! The one-connection rule of `POST /v2/payment_links/connections`
//! (Qonto's docs: "only one connection can be active per Qonto user"): once a connection exists (enabled, pending or not yet connected) a
//! second request is refused with `multiple_connections_not_allowed`, and
//! the client is expected to read the existing one with `GET`. A `disabled`
//! (revoked) connection may be replaced. The connection must credit one of
//! the organisation's bank accounts (see `organization`).
//!
//! The endpoint itself (validation, idempotency) is in `api`; it asks
//! [`refuse`] after validating the body, as Qonto reports a malformed body
//! before a business rule.

use crate::app::State as FakeState;
use crate::errors::{self, at_pointer};
use axum::http::StatusCode;
use axum::response::Response;
use shared::qonto::ConnectionStatus;

/// The error code Qonto answers a second connection with.
pub(crate) const MULTIPLE_CONNECTIONS: &str = "multiple_connections_not_allowed";

/// `Some(answer)` when this connection request must be refused.
pub(crate) fn refuse(st: &FakeState, bank_account_id: Option<&str>) -> Option<Response> {
    let exists = st
        .connection
        .as_ref()
        .is_some_and(|c| c.status != ConnectionStatus::Disabled);
    if exists {
        return Some(errors::errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![errors::plain(
                MULTIPLE_CONNECTIONS,
                "A payment links connection already exists for this user: only one connection can be active per Qonto user",
            )],
        ));
    }
    let known =
        bank_account_id.is_some_and(|id| crate::organization::bank_account_ids().contains(&id));
    if !known {
        return Some(errors::errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![at_pointer(
                "not_found",
                "Bank account not found in this organization",
                "/user_bank_account_id",
            )],
        ));
    }
    None
}
