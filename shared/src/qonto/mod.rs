//! Qonto Business API wire types for payment links, client invoices, webhooks
//! and OAuth, shared by the edge's Qonto client and the fake Qonto.
//!
//! The reference is Qonto's Business API documentation (docs.qonto.com).
//! Qonto's docs disagree with themselves in places, so the types here are
//! written to *read* tolerantly and *write* exactly:
//!
//! - Every vocabulary Qonto sends (statuses, payment methods, …) is an **open
//!   enum**: the documented values are variants, anything else lands in
//!   `Other(String)` and serializes back unchanged. A new status on Qonto's side
//!   must never make a webhook or a poll fail to parse.
//! - Only the fields without which an object is meaningless are required
//!   (a link's `id`, `status`, `amount`); the rest are `#[serde(default)]`.
//! - Responses documented as bare but read as wrapped by some integrators (or the
//!   reverse) go through [`parse_payment_link`], [`parse_connection`] and
//!   [`parse_client_invoice`], which accept both shapes.
//! - Request bodies serialize only the fields that are set, with the JSON types
//!   Qonto's strictly typed backend expects (`quantity` a number, `vat_rate` a
//!   string: a number there is rejected with "cannot unmarshal number … of type
//!   string").
//!
//! Timestamps stay ISO 8601 strings: nothing here does date arithmetic, and a
//! date format surprise must not make a response unreadable.
//!
//! Layout, one module per part of Qonto's API: [`vocab`] (the open
//! enumerations: statuses, methods, ...), [`payment_links`],
//! [`connection`] (the payment provider), [`invoices`], [`webhooks`],
//! [`oauth`], [`errors`] (Qonto's error body) and [`parse`] (the tolerant
//! readers of responses).

use crate::money::WireAmount;
use de::{de_opt_string_or_number, de_quantity};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares an open enum: documented string values as variants, plus
/// `Other(String)` that keeps whatever else Qonto sends, serialized as a plain
/// JSON string in both directions.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value not documented when this was written, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every documented value, in the docs' order.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant),+];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Maps a wire string to its variant (never fails: unknown values
            /// become `Other`).
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_documented(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from_wire(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Ok($name::from_wire(&s))
            }
        }
    };
}

mod de;

pub mod connection;
pub mod errors;
pub mod invoices;
pub mod oauth;
pub mod parse;
pub mod payment_links;
pub mod vocab;
pub mod webhooks;

pub use connection::*;
pub use errors::*;
pub use invoices::*;
pub use oauth::*;
pub use parse::*;
pub use payment_links::*;
pub use vocab::*;
pub use webhooks::*;

/// The webhook type of payment-link events.
pub const WEBHOOK_TYPE_PAYMENT_LINKS: &str = "v1/payment-links";
/// The webhook type of provider-connection events.
pub const WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS: &str = "v1/payment-links-connections";
/// The header carrying a webhook's signature (`t=<unix>,v1=<hex>`).
pub const SIGNATURE_HEADER: &str = "X-Qonto-Signature";
/// The header that makes a write idempotent for 30 minutes.
pub const IDEMPOTENCY_HEADER: &str = "X-Qonto-Idempotency-Key";
/// The header every sandbox request must carry.
pub const STAGING_TOKEN_HEADER: &str = "X-Qonto-Staging-Token";

#[cfg(test)]
mod tests;
