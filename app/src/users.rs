//! Staff users of a tenant: invite, roles, deactivate, reset 2FA. Only admins change them;
//! an admin cannot remove their own admin role or deactivate themselves (no lock-out).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
