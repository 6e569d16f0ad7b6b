//! Who is asking. Rules:
//! - Passwords are Argon2id hashes; a session is a random token in an HttpOnly cookie whose
//!   SHA-256 is stored, so a database dump holds no usable session.
//! - With TOTP enabled, a password-only session is "pending" and can do nothing but the
//!   second step; the token is replaced once both factors are in (no session fixation).
//! - Ten failed logins per account, or fifty per address, within 15 minutes lock further
//!   attempts until the window has passed.
//! - Every server function starts with `authorize(permission)`; scope (tenant) is in the SQL.

pub mod api;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod login;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod totp;

pub use model::*;
