//! Tenant (Mandant) settings: legal identity, bank and tax identifiers, time zone,
//! currency and branding. Identifiers are parsed, never stored unchecked.

pub mod api;
pub mod model;
pub mod pages;

pub use model::*;
