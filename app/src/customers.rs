//! Customers (CRM). Rules:
//! - Companies need a company name, persons a last name; the customer number comes from the
//!   tenant's gapless `customer` number range (default `K-{#####}`), taken in the same
//!   transaction as the insert.
//! - VAT ids are parsed (EU formats, German check digit) and stored compact; the tax
//!   treatment must fit the billing country and VAT id (reverse charge needs one).
//! - Creating a customer that looks like an existing one (same VAT id, same company e-mail
//!   domain, similar name) returns the look-alikes first; the user confirms to create anyway.
//! - Everyone on the staff sees customers and logs calls; admins, accountants and project
//!   managers change them.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
