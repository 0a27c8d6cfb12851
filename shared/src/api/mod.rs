//! The edge's public HTTP API (`GET /v1/catalog`, `GET /v1/payment-methods`,
//! `POST /v1/checkouts`, `GET /v1/checkouts/{id}`, `POST /v1/invoice-checkouts`,
//! `GET /health`): request and response bodies, the error contract, and the
//! validation that turns a checkout request into a priced order.
//!
//! Amounts are [`WireAmount`]s (`{"value":"12.00","currency":"EUR"}`), as
//! Qonto writes them. VAT rates in this API are always **percent** strings
//! (`"20.0"`, `"5.5"`), whatever `VAT_RATE_FORMAT` says about what is sent to
//! Qonto. With the `serde` feature every type here derives `Serialize` and
//! `Deserialize`; without it (the widget) they are plain structs.
//!
//! Request types refuse unknown fields: a crafted request carrying prices,
//! VAT rates or amounts is refused outright (nothing the browser says about
//! money is ever used, and saying it is an error, not a silent no-op).
//!
//! Request types default their required fields when absent so that a missing
//! field becomes a validation problem with a field pointer (`items[0].sku`),
//! not an opaque JSON error; for the same reason `quantity` is an `i64`, so a
//! negative or zero quantity is a typed `quantity_out_of_range`.

//!
//! Layout: [`catalog`] and [`checkout`] hold the bodies, [`buyer`] the
//! details step's terms and business fields, [`errors`] the error
//! body and every error code with its status, [`fields`] the customer's
//! field pointers and limits, and [`validate`] the checkout request's
//! validation (its pricing is [`crate::order`]'s).

pub mod buyer;
pub mod catalog;
pub mod checkout;
pub mod discounted;
pub mod errors;
pub mod fields;
#[cfg(feature = "qonto")]
pub mod stored;
pub mod validate;

#[cfg(test)]
mod tests;

pub use crate::limits::{MAX_PAYMENT_METHODS, MAX_TEXT_CHARS};
pub use buyer::{CheckoutPolicy, CheckoutSettings};
pub use catalog::{
    CatalogProduct, CatalogResponse, PaymentMethodsResponse, ShippingInfo, ShippingZoneInfo,
    VariantProduct,
};
pub use checkout::{
    Address, CheckoutItem, CheckoutLine, CheckoutRequest, CheckoutResponse, CheckoutStatus,
    CheckoutStatusResponse, Customer, Health, InvoiceCheckoutRequest,
};
pub use discounted::{AppliedDiscount, CheckoutDiscount, DiscountCodeInfo, DiscountKind};
pub use errors::{ApiProblem, ErrorBody, ErrorDetail};
pub use validate::{is_plausible_email, is_plausible_phone, OrderLine, ValidatedOrder};
