//! The product catalog and the TLD price list. Rules:
//! - A product has a tenant-unique SKU, cost and sale price, a setup fee, a VAT category and
//!   the default fee unit and billing interval that a new contract for it starts with.
//! - Quantity tiers: from a tier's minimum quantity on, every unit costs the tier's price.
//! - Domain prices are kept per TLD (registration, renewal, transfer; cost and sale).
//! - Staff see the catalog; admins and accountants change prices.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
