//! Random identifiers from the Workers runtime's CSPRNG (`crypto.getRandomValues`).

use worker::js_sys;

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    fill_random(&mut bytes);
    hex(&bytes)
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Whether `s` is a uuid (`8-4-4-4-12` hex digits): Qonto's ids, checked
/// before they go into a Qonto URL.
pub(crate) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A public checkout id: `ck_` + 24 hex digits (96 random bits).
pub(crate) fn checkout_id() -> String {
    format!("ck_{}", random_hex(12))
}

fn fill_random(buf: &mut [u8]) {
    let array = js_sys::Uint8Array::new_with_length(buf.len() as u32);
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    let ok = crypto
        .and_then(|c| {
            let f = js_sys::Reflect::get(&c, &"getRandomValues".into()).ok()?;
            let f: js_sys::Function = wasm_bindgen::JsCast::dyn_into(f).ok()?;
            f.call1(&c, &array).ok()
        })
        .is_some();
    if ok {
        array.copy_to(buf);
    } else {
        // Not reachable on Workers (crypto is always there); keeps ids unique
        // rather than panicking if it ever were.
        let t = (js_sys::Date::now() as u64).to_le_bytes();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = t[i % 8] ^ (i as u8).wrapping_mul(31);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lowercase_and_two_digits_per_byte() {
        assert_eq!(super::hex(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
