//! Whole numbers written in and read from decimal without `core::fmt` or
//! `str::parse`.
//!
//! Why: `format!` and `to_string` on integers bring Rust's integer
//! formatting (padding, flags, the digit tables) into every wasm that uses
//! them, and `str::parse` a generic parser for each integer type. The widget
//! writes and reads amounts, counts and ids with these functions instead.

/// `n` in decimal, with zeros in front up to `width` digits:
/// `digits(5, 2)` is `"05"`, `digits(1234, 2)` is `"1234"`.
pub fn digits(mut n: u64, width: usize) -> String {
    // u64::MAX has 20 digits.
    let mut reversed = [0u8; 20];
    let mut len = 0;
    loop {
        reversed[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(width.max(len));
    for _ in len..width {
        out.push('0');
    }
    for &digit in reversed[..len].iter().rev() {
        out.push(char::from(digit));
    }
    out
}

/// `n` in decimal: `number(42)` is `"42"`.
pub fn number(n: u64) -> String {
    digits(n, 1)
}

/// `prefix` followed by `n` in decimal: `numbered("#qc-f", 3)` is
/// `"#qc-f3"` (element ids, pointers such as `products[2`).
pub fn numbered(prefix: &str, n: usize) -> String {
    [prefix, &number(n as u64)].concat()
}

/// `n` in decimal, with a `-` in front when negative: `signed(-3)` is `"-3"`.
pub fn signed(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    [sign, &number(n.unsigned_abs())].concat()
}

/// The whole number `text` writes with ASCII digits only (no sign, no
/// spaces); `None` for anything else, or above `u64::MAX`.
pub fn parse(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_numbers_in_decimal() {
        for (n, width, expected) in [
            (0, 1, "0"),
            (0, 0, "0"),
            (7, 1, "7"),
            (10, 1, "10"),
            (5, 2, "05"),
            (0, 2, "00"),
            (99, 2, "99"),
            (1234, 2, "1234"),
            (5, 4, "0005"),
            (1_234_567_890, 1, "1234567890"),
            (u64::MAX, 1, "18446744073709551615"),
        ] {
            assert_eq!(digits(n, width), expected, "digits({n}, {width})");
        }
        assert_eq!(number(300), "300");
        assert_eq!(numbered("#qc-f", 3), "#qc-f3");
        assert_eq!(numbered("http_", 503), "http_503");
        for (n, expected) in [
            (0, "0"),
            (-3, "-3"),
            (1000, "1000"),
            (i64::MIN, "-9223372036854775808"),
        ] {
            assert_eq!(signed(n), expected);
        }
    }

    #[test]
    fn reads_ascii_digits_only() {
        for (text, expected) in [
            ("0", Some(0)),
            ("007", Some(7)),
            ("999", Some(999)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("", None),
            ("-3", None),
            ("+3", None),
            (" 3", None),
            ("3a", None),
            ("1.5", None),
            ("\u{0663}", None),
        ] {
            assert_eq!(parse(text), expected, "{text:?}");
        }
    }
}
