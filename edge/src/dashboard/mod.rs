//! The merchant's dashboard on the admin page: sales at a glance for a
//! period in the report's time zone (`REPORT_TIME_ZONE`), the VAT report of
//! a period (JSON and CSV), and where checkouts are lost.
//!
//! [`figures`], [`tz`], [`chart`], [`lost`] and [`vat_report`] are pure and
//! host-tested; [`queries`] holds the SQL (integer sums in D1, over the
//! indexes of migration 0006); [`routes`] the handlers. [`share_links`]
//! are the payment links the merchant shares, with a [`qr`] code.

pub(crate) mod chart;
pub(crate) mod figures;
pub(crate) mod lost;
pub(crate) mod qr;
pub(crate) mod queries;
pub(crate) mod routes;
pub(crate) mod share_links;
pub(crate) mod tz;
pub(crate) mod vat_report;
