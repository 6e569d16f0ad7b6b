//! Term contracts (Laufzeitverträge). Rules:
//! - A contract belongs to one customer of the tenant and gets the next number of the
//!   tenant's `contract` range (default `V-{#####}`) in the same transaction.
//! - Billing periods, proration, credits and the earliest end come from the pure period
//!   engine (`domain::periods`); the contract form previews the next invoices with it live.
//! - Once a period is billed, nothing that priced it changes: prices change from a date on
//!   (a period is priced by the fee valid on its first day), and contracts end by
//!   cancellation, whose end is at least the earliest end after minimum term and notice
//!   period unless ended early by agreement (already billed days are then credited).
//! - Staff see every contract; accountants, project managers and admins change them.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
