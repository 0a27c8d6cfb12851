//! The rules both sides of the checkout must agree on, to the cent.
//!
//! `shared` holds the money, VAT and basket arithmetic and the wire types of the
//! edge's public API. The edge Worker prices every checkout with it and the
//! widget shows the basket with it, so what the shopper sees is what Qonto is
//! asked to charge.
//!
//! Modules:
//! - [`money`]: [`Money`] in integer minor units, strict decimal strings, the
//!   `{"value","currency"}` wire shape;
//! - [`vat`]: exact [`VatRate`]s and Qonto's two encodings;
//! - [`pricing`]: line and basket totals, and the one rounding rule;
//! - [`limits`]: every limit of a basket, an order and a catalog;
//! - [`basket`]: the shopper's basket;
//! - [`order`]: a basket priced into an order (lines, shipping, totals), the
//!   one function the edge charges with and the widget shows with;
//! - [`catalog`]: products and the validated catalog;
//! - [`shipping`]: shipping zones, rates and the free-shipping threshold;
//! - [`api`]: the edge's public HTTP API bodies, its error codes and field
//!   pointers, and the checkout request's validation;
//! - [`codes`]: every error code with its HTTP status;
//! - [`html`]: escaping for the pages the edge and the fake Qonto write;
//! - `webhook` (feature `qonto`): webhook signatures;
//! - `qonto` (feature `qonto`): Qonto's own wire types.
//!
//! Every error enum has a stable snake_case `code()`, listed with its HTTP
//! status in [`codes`]: the widget translates it and the edge returns
//! it as the API error code.
//!
//! Features:
//! - `serde` (default): serde derives on the public wire types.
//! - `qonto`: Qonto's own wire types and webhook signatures, for the edge and
//!   the fake Qonto only (the widget never pays for them in size).
//!
//! Run its tests with `cargo test -p shared --all-features`.

// Money code must never touch floats, and must not panic on bad input.
#![deny(clippy::float_arithmetic, clippy::float_cmp)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod basket;
pub mod catalog;
pub mod codes;
pub mod digits;
pub mod discount;
pub mod html;
pub mod lang;
pub mod limits;
pub mod money;
pub mod order;
pub mod pricing;
pub mod shipping;
pub mod vat;
pub mod vat_number;

#[cfg(feature = "qonto")]
pub mod webhook;

#[cfg(feature = "qonto")]
pub mod qonto;

pub use basket::{Basket, BasketError};
pub use catalog::{Catalog, Product, ProductKind};
pub use money::{Currency, Money, MoneyError, WireAmount};
pub use pricing::{price, LineInput, PricedLine, PricingError, Totals};
pub use vat::{VatError, VatRate, VatRateFormat};
