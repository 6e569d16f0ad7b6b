//! Time tracking. Rules:
//! - One running timer per user, kept on the server: it survives reloads, other tabs and
//!   other devices; starting another stops the first and books its time.
//! - Durations are rounded by the tenant's rule (step and direction) when written.
//! - The rate is resolved when time is written (`domain::rates`) and stored on the entry,
//!   with the person's payout rate, so later rate changes do not rewrite the past.
//! - Time that is approved, billed by an issued invoice, or on or before the closing date
//!   cannot change; the database refuses it too.
//! - People write their own time; those who approve time may write and approve others'.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
