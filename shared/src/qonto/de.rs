//! Serde helpers for the numbers Qonto sends in more than one JSON type.

use serde::{Deserialize, Deserializer};

/// Reads a quantity sent as an integer, or as a float with no fractional part.
pub(super) fn de_quantity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let n = serde_json::Number::deserialize(deserializer)?;
    if let Some(u) = n.as_u64() {
        return u32::try_from(u).map_err(|_| D::Error::custom("quantity out of range"));
    }
    match n.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
            // Checked above: non-negative, integral and in range, so the cast is exact.
            Ok(f as u32)
        }
        _ => Err(D::Error::custom(format!(
            "quantity must be a non-negative whole number, got {n}"
        ))),
    }
}

/// Reads an optional string that some responses send as a number.
pub(super) fn de_opt_string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}
