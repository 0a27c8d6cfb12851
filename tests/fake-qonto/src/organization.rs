//! `GET /v2/organization` (scope `organization.read`): the organisation and
//! its bank accounts, as integrators read it to pick the
//! `user_bank_account_id` of the payment-link connection. Two accounts: the main one (the default connection's) and a
//! savings account, listed savings first so that a client cannot rely on
//! the order and must look at `main`.

use crate::app::App;
use crate::config::{BANK_ACCOUNT_ID, ORGANIZATION_ID};
use crate::errors;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// The organisation's second, non-main bank account.
pub const SAVINGS_BANK_ACCOUNT_ID: &str = "7c1b7a5e-3f2d-4e8a-9b6c-2d4f1e0a9b71";
/// IBAN of the main account ([`BANK_ACCOUNT_ID`]).
pub const MAIN_IBAN: &str = "FR7616958000011234567890123";
/// IBAN of the savings account.
pub const SAVINGS_IBAN: &str = "FR7616958000019876543210987";

/// The organisation's bank account ids (a connection may credit only these).
pub(crate) fn bank_account_ids() -> [&'static str; 2] {
    [BANK_ACCOUNT_ID, SAVINGS_BANK_ACCOUNT_ID]
}

fn organization(app: &App) -> Value {
    let account = |id: &str, name: &str, iban: &str, main: bool| {
        json!({
            "id": id,
            "slug": name.to_ascii_lowercase().replace(' ', "-"),
            "name": name,
            "iban": iban,
            "bic": "QNTOFRP1XXX",
            "currency": "EUR",
            "main": main,
            "status": "active",
            "balance": "1520.00",
            "balance_cents": 152000,
        })
    };
    json!({
        "organization": {
            "id": ORGANIZATION_ID,
            "slug": "atelier-demo",
            "name": app.config.merchant_name,
            "legal_name": app.config.merchant_name,
            "bank_accounts": [
                account(SAVINGS_BANK_ACCOUNT_ID, "Savings", SAVINGS_IBAN, false),
                account(BANK_ACCOUNT_ID, "Main account", MAIN_IBAN, true),
            ],
        }
    })
}

/// `GET /v2/organization`.
pub(crate) async fn get_organization(State(app): State<Arc<App>>) -> Response {
    errors::json(StatusCode::OK, &organization(&app))
}
