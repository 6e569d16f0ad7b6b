//! Usage billing (Verbrauchsabrechnung): metered quantities per contract and month, and
//! what products charge for them. Rules:
//! - A usage record is one quantity (≥ 0, up to 4 decimals) of one metric (`traffic_gb`,
//!   `storage_gb`, `mailboxes`, …) for one contract and calendar month. Rows name the
//!   contract by its number or id, or by a domain linked to it (Unicode or punycode).
//! - Imports (CSV upload, REST JSON or CSV) are all or nothing: every bad row is reported
//!   with its line, field and reason, and one bad row means nothing is written. A dry run
//!   only checks. Re-importing replaces the quantity of the same contract, metric and month,
//!   so the same file twice leaves the same state ("unchanged"); a quantity the billing run
//!   has billed never changes (the database refuses it too).
//! - A contract's product may price metrics (unit, included quantity, graduated overage
//!   tiers, `domain::usage_pricing`); then only those metrics in that unit are accepted.
//!   The period must lie within the contract's term.
//! - Staff with `ImportUsage` import; staff see records and charts; portal users see the
//!   charts of their own contracts only.

pub mod api;
#[cfg(feature = "ssr")]
pub mod import;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;

/// The biggest file an import takes (browser upload and REST body).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// Rejected rows a report lists at most (the count is always complete).
pub const REPORT_REJECTED_LIMIT: usize = 10_000;
/// Accepted rows a report lists at most when nothing was rejected.
pub const REPORT_ACCEPTED_LIMIT: usize = 1_000;
/// Months a usage chart shows.
pub const CHART_MONTHS: u32 = 12;
