//! The audit log: who did what, when, with the values before and after.
//! Append-only and hash-chained per tenant (see the migration); the database refuses
//! UPDATE, DELETE and TRUNCATE. `audit_verify` recomputes the chain to find tampering.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
