//! The checkout lifecycle, apart from HTTP: creating a link ([`create`]),
//! the one refresh path from Qonto ([`sync`]), the Qonto body
//! ([`qonto_body`]), what a status means ([`status`]) and the cron's
//! reconciliation and expiry ([`reconcile`]). The handlers in `checkout`,
//! `invoice`, `webhook` and `admin` parse requests and shape answers; this
//! module decides.

pub(crate) mod create;
pub(crate) mod limits;
pub(crate) mod qonto_body;
pub(crate) mod reconcile;
pub(crate) mod status;
pub(crate) mod sync;

use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ids;
use crate::ledger::{CheckoutRow, Ledger};
use sha2::{Digest, Sha256};
use shared::api::CheckoutStatus;

/// A checkout's short reference, `QC-` and the first 8 hex digits of its
/// id in capitals (`ck_1a2b3c4d…` → `QC-1A2B3C4D`): short enough to read
/// out, in the link's first item, the confirmation, the merchant's
/// notification, the CSV and the admin.
pub(crate) fn reference(id: &str) -> String {
    let digits: String = id
        .strip_prefix("ck_")
        .unwrap_or(id)
        .chars()
        .take(8)
        .collect();
    format!("QC-{}", digits.to_ascii_uppercase())
}

/// The status the shopper sees for a stored checkout.
pub(crate) fn public(row: &CheckoutRow) -> CheckoutStatus {
    status::public_status(row.status, row.last_payment_status.as_ref())
}

/// SHA-256 hex of a string.
pub(crate) fn sha256_hex(s: &str) -> String {
    ids::hex(&Sha256::digest(s.as_bytes()))
}

/// The key Qonto sees: stable for one scope and key, shaped as a uuid.
pub(crate) fn qonto_idempotency_key(scope: &str, client_key: &str) -> String {
    let h = sha256_hex(&format!("{scope}:{client_key}"));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Our ids: `ck_` and 24 lowercase hex digits.
pub(crate) fn is_checkout_id(id: &str) -> bool {
    id.len() == 27
        && id.starts_with("ck_")
        && id[3..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// A checkout of this edge's ledger by its public id (404 otherwise, without
/// touching D1 for ids that cannot be ours).
pub(crate) async fn find_checkout(id: &str, cx: &Cx) -> EdgeResult<(Ledger, CheckoutRow)> {
    if !is_checkout_id(id) {
        return Err(EdgeError::NotFound("checkout"));
    }
    let ledger = Ledger::open(cx)?;
    let row = ledger
        .get(id)
        .await?
        .ok_or(EdgeError::NotFound("checkout"))?;
    Ok((ledger, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_ids_are_recognised_strictly() {
        assert!(is_checkout_id("ck_0123456789abcdef01234567"));
        assert!(!is_checkout_id("ck_0123456789ABCDEF01234567"));
        assert!(!is_checkout_id("ck_0123"));
        assert!(!is_checkout_id("xx_0123456789abcdef01234567"));
        assert!(!is_checkout_id("../../etc/passwd"));
    }

    #[test]
    fn qonto_keys_are_stable_per_client_key_and_uuid_shaped() {
        let a = qonto_idempotency_key("basket", "key-1234");
        assert_eq!(a, qonto_idempotency_key("basket", "key-1234"));
        assert_ne!(a, qonto_idempotency_key("basket", "key-1235"));
        assert_ne!(a, qonto_idempotency_key("invoice", "key-1234"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn references_are_short_and_read_from_the_id() {
        assert_eq!(reference("ck_1a2b3c4d5e6f000000000000"), "QC-1A2B3C4D");
    }
}
