//! Billing runs: on a day, every due contract of the tenant is billed — setup fees once,
//! recurring periods, prorations, early-end credits and metered usage (`domain::billing`)
//! — into one draft invoice per customer. Customers are billed in batches, each batch one
//! transaction that locks its contracts, so a killed run leaves whole invoices only and a
//! second run (even on another server at the same time) finds nothing left to bill; the
//! unique index on invoice lines is the last guard. A dry run (preview) writes the same
//! invoices marked as preview and bills nothing.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
