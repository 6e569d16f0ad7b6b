//! API tokens: a tenant's programs call the REST API with `Authorization: Bearer …`.
//! A token is shown once; we keep its SHA-256. Scopes limit it to what it was made for.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
