//! Webhook signatures: Qonto's `X-Qonto-Signature` (and the same scheme for
//! the notifications the edge forwards to the merchant).
//!
//! The header is `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256>`, where the
//! MAC is keyed with the webhook secret (its raw UTF-8 bytes) over
//! `"{t}.{raw body}"`: the body exactly as received, never re-serialized.
//! [`verify`] rejects a timestamp outside the tolerance window on either side
//! (a replay, or a clock far off) and compares MACs in constant time.
//!
//! Only the edge needs this, so it sits behind the `qonto` feature and the
//! widget never compiles HMAC code.

use core::fmt;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

/// The name of Qonto's signature header.
pub const SIGNATURE_HEADER: &str = "X-Qonto-Signature";

/// Tolerance Qonto's docs ask for: reject deliveries older than 5 minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Most `v1` signatures read from one header (Qonto sends one; several are
/// allowed for secret rotation). Bounds the work an attacker can cause.
const MAX_SIGNATURES: usize = 8;

/// Why a signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not `key=value` pairs separated by `,`, the timestamp
    /// is not a number, a `v1` is not 64 hex digits, or a key is repeated
    /// (`t`) or too frequent (`v1`).
    Malformed,
    /// The header has no `t=`.
    MissingTimestamp,
    /// The header has no `v1=`.
    MissingSignature,
    /// The timestamp is older than the tolerance: a replay or a very late
    /// delivery. Not retryable as is.
    Stale {
        /// Seconds between the timestamp and now.
        age_secs: i64,
    },
    /// The timestamp is further in the future than the tolerance: a clock
    /// problem or a forged header.
    FromTheFuture {
        /// Seconds between now and the timestamp.
        ahead_secs: i64,
    },
    /// No `v1` matches the body and secret: wrong secret, altered body, or a
    /// forgery.
    Mismatch,
}

impl SignatureError {
    /// Stable machine code (snake_case) for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Malformed => "malformed_signature",
            SignatureError::MissingTimestamp => "missing_signature_timestamp",
            SignatureError::MissingSignature => "missing_signature",
            SignatureError::Stale { .. } => "stale_signature",
            SignatureError::FromTheFuture { .. } => "future_signature",
            SignatureError::Mismatch => "signature_mismatch",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Malformed => f.write_str("the signature header is malformed"),
            SignatureError::MissingTimestamp => f.write_str("the signature header has no t="),
            SignatureError::MissingSignature => f.write_str("the signature header has no v1="),
            SignatureError::Stale { age_secs } => {
                write!(f, "the signature is {age_secs} s old, beyond the tolerance")
            }
            SignatureError::FromTheFuture { ahead_secs } => {
                write!(
                    f,
                    "the signature is {ahead_secs} s in the future, beyond the tolerance"
                )
            }
            SignatureError::Mismatch => f.write_str("no signature matches the body"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A parsed signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The `t=` value, Unix seconds.
    pub timestamp: i64,
    /// Every `v1=` value, decoded.
    pub signatures: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Parses `t=...,v1=...`: split on `,`, then on the first `=`; spaces
    /// around pairs are ignored, unknown keys (`v0`...) are skipped, several
    /// `v1` are kept. Hex may be either case.
    pub fn parse(header: &str) -> Result<SignatureHeader, SignatureError> {
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for pair in header.split(',') {
            let (key, value) = pair
                .trim()
                .split_once('=')
                .ok_or(SignatureError::Malformed)?;
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(SignatureError::Malformed);
                    }
                    timestamp = Some(parse_timestamp(value)?);
                }
                "v1" => {
                    if signatures.len() == MAX_SIGNATURES {
                        return Err(SignatureError::Malformed);
                    }
                    signatures.push(decode_hex32(value).ok_or(SignatureError::Malformed)?);
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
        if signatures.is_empty() {
            return Err(SignatureError::MissingSignature);
        }
        Ok(SignatureHeader {
            timestamp,
            signatures,
        })
    }
}

/// The HMAC-SHA256 of `"{timestamp}.{body}"` keyed with `secret`.
pub fn compute(secret: &[u8], timestamp: i64, body: &[u8]) -> [u8; 32] {
    let mut mac = hmac_sha256(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The full header value for `body` at `timestamp`: `t=<timestamp>,v1=<hex>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        encode_hex(&compute(secret, timestamp, body))
    )
}

/// Checks `header` against `body` and `secret` at time `now_unix`; returns
/// the signed timestamp.
///
/// The timestamp must be within `tolerance_secs` of `now_unix`, in the past
/// or the future ([`DEFAULT_TOLERANCE_SECS`] is Qonto's 5 minutes); then one
/// of the `v1` values must equal the MAC, compared in constant time.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let parsed = SignatureHeader::parse(header)?;
    let age = now_unix.saturating_sub(parsed.timestamp);
    if age > tolerance_secs {
        return Err(SignatureError::Stale { age_secs: age });
    }
    if age < tolerance_secs.saturating_neg() {
        return Err(SignatureError::FromTheFuture {
            ahead_secs: age.saturating_neg(),
        });
    }
    let expected = compute(secret, parsed.timestamp, body);
    // Fold every comparison without short-circuiting, so timing says nothing
    // about which candidate (if any) matched.
    let matched = parsed
        .signatures
        .iter()
        .fold(Choice::from(0), |acc, candidate| {
            acc | candidate.ct_eq(&expected)
        });
    if bool::from(matched) {
        Ok(parsed.timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// HMAC-SHA256 keyed with `secret`, built without a fallible constructor.
///
/// HMAC defines its key as the secret zero-padded to the hash's block size
/// (64 bytes for SHA-256), hashed first if longer. Doing that here and using
/// the fixed-size `KeyInit::new` gives the same MAC as `new_from_slice`
/// (see the tests) without an error path that HMAC cannot actually take.
fn hmac_sha256(secret: &[u8]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    if secret.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}

/// Digits only (no sign, no spaces), fitting `i64`.
fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed);
    }
    value.parse().map_err(|_| SignatureError::Malformed)
}

fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn decode_hex32(hex: &str) -> Option<[u8; 32]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";
    const BODY: &[u8] = br#"{"test":"data"}"#;
    const T: i64 = 1_704_110_400;
    const V1: &str = "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";

    #[test]
    fn qonto_docs_test_vector() {
        assert_eq!(sign(SECRET, T, BODY), format!("t={T},v1={V1}"));
        let header = format!("t={T},v1={V1}");
        assert_eq!(
            verify(SECRET, &header, BODY, T, DEFAULT_TOLERANCE_SECS),
            Ok(T)
        );
    }

    #[test]
    fn key_block_matches_hmac_crate() {
        for len in [0usize, 1, 11, 63, 64, 65, 200] {
            let secret: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&secret).unwrap();
            reference.update(b"123.body");
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(compute(&secret, 123, b"body"), expected, "key length {len}");
        }
    }

    #[test]
    fn verify_table() {
        use SignatureError::*;
        let good = format!("t={T},v1={V1}");
        let other = "0".repeat(64);
        // (header, body, now, expected)
        type Case = (String, &'static [u8], i64, Result<i64, SignatureError>);
        let cases: Vec<Case> = vec![
            (good.clone(), BODY, T, Ok(T)),
            (good.clone(), BODY, T + 300, Ok(T)),
            (good.clone(), BODY, T - 300, Ok(T)),
            (good.clone(), BODY, T + 301, Err(Stale { age_secs: 301 })),
            (
                good.clone(),
                BODY,
                T - 301,
                Err(FromTheFuture { ahead_secs: 301 }),
            ),
            (good.clone(), br#"{"test":"data2"}"#, T, Err(Mismatch)),
            (good.clone(), br#"{"test": "data"}"#, T, Err(Mismatch)),
            (format!("t={},v1={V1}", T + 1), BODY, T, Err(Mismatch)),
            (format!("t={T},v1={other},v1={V1}"), BODY, T, Ok(T)),
            (format!("t={T},v1={other}"), BODY, T, Err(Mismatch)),
            (format!("v1={V1},t={T}"), BODY, T, Ok(T)),
            (format!("t={T}, v1={V1}"), BODY, T, Ok(T)),
            (format!("t={T},v0=abc,v1={V1}"), BODY, T, Ok(T)),
            (format!("t={T},v1={}", V1.to_uppercase()), BODY, T, Ok(T)),
            (format!("t={T}"), BODY, T, Err(MissingSignature)),
            (format!("v1={V1}"), BODY, T, Err(MissingTimestamp)),
            (String::new(), BODY, T, Err(Malformed)),
            (format!("t={T},v1={}", &V1[..63]), BODY, T, Err(Malformed)),
            (format!("t={T},v1={}g", &V1[..63]), BODY, T, Err(Malformed)),
            (format!("t=-{T},v1={V1}"), BODY, T, Err(Malformed)),
            (format!("t=+{T},v1={V1}"), BODY, T, Err(Malformed)),
            (format!("t=1e9,v1={V1}"), BODY, T, Err(Malformed)),
            (format!("t=,v1={V1}"), BODY, T, Err(Malformed)),
            (format!("t={T},t={T},v1={V1}"), BODY, T, Err(Malformed)),
            (format!("t={T};v1={V1}"), BODY, T, Err(Malformed)),
            (
                format!("t=99999999999999999999,v1={V1}"),
                BODY,
                T,
                Err(Malformed),
            ),
            (format!("t={T},junk,v1={V1}"), BODY, T, Err(Malformed)),
        ];
        for (header, body, now, expected) in cases {
            assert_eq!(
                verify(SECRET, &header, body, now, DEFAULT_TOLERANCE_SECS),
                expected,
                "{header}"
            );
        }
        assert_eq!(verify(b"wrong-secret", &good, BODY, T, 300), Err(Mismatch));
    }

    #[test]
    fn too_many_signatures_is_malformed() {
        let many = (0..=MAX_SIGNATURES)
            .map(|_| format!("v1={V1}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            SignatureHeader::parse(&format!("t={T},{many}")),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn extreme_clocks_do_not_overflow() {
        let header = sign(SECRET, 0, BODY);
        assert_eq!(
            verify(SECRET, &header, BODY, i64::MAX, 300),
            Err(SignatureError::Stale { age_secs: i64::MAX })
        );
        let header = sign(SECRET, 999_999_999_999_999_999, BODY);
        assert!(matches!(
            verify(SECRET, &header, BODY, i64::MIN, i64::MAX),
            Err(SignatureError::FromTheFuture { .. })
        ));
    }

    #[test]
    fn parse_keeps_every_v1() {
        let parsed =
            SignatureHeader::parse(&format!("t={T},v1={V1},v1={}", "ab".repeat(32))).unwrap();
        assert_eq!(parsed.timestamp, T);
        assert_eq!(parsed.signatures.len(), 2);
        assert_eq!(parsed.signatures[1], [0xab; 32]);
        assert_eq!(encode_hex(&parsed.signatures[0]), V1);
    }

    #[test]
    fn error_codes() {
        use SignatureError::*;
        for e in [
            Malformed,
            MissingTimestamp,
            MissingSignature,
            Stale { age_secs: 1 },
            FromTheFuture { ahead_secs: 1 },
            Mismatch,
        ] {
            assert!(e
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!e.to_string().is_empty());
        }
    }
}
