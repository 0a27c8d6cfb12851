//! The `X-Qonto-Signature` header arrives from anyone on the Internet before
//! it is checked: parsing and verifying never panic, and nothing but the real
//! MAC verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::webhook::{sign, verify, SignatureHeader, DEFAULT_TOLERANCE_SECS};

const SECRET: &[u8] = b"fuzzing-secret-fuzzing-secret-32";
const NOW: i64 = 1_760_000_000;

fuzz_target!(|data: &[u8]| {
    // First half a header, second half a body.
    let split = data.len() / 2;
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let _ = SignatureHeader::parse(header);
    if verify(SECRET, header, body, NOW, DEFAULT_TOLERANCE_SECS).is_ok() {
        // Only a header carrying the MAC of this body can pass.
        let parsed = SignatureHeader::parse(header).expect("a verified header parses");
        let genuine = sign(SECRET, parsed.timestamp, body);
        let mac = genuine
            .split_once("v1=")
            .map(|(_, m)| m)
            .unwrap_or_default();
        assert!(
            header.to_ascii_lowercase().contains(mac),
            "a forged header verified: {header:?}"
        );
    }
    // A genuine signature of any body verifies.
    let genuine = sign(SECRET, NOW, body);
    assert_eq!(
        verify(SECRET, &genuine, body, NOW, DEFAULT_TOLERANCE_SECS),
        Ok(NOW)
    );
});
