//! Registrar reconciliation ("no billing gaps"): a registrar's domain list is compared with
//! the domains Kontor bills. Every line gets an outcome: billed and fine, at the registrar
//! but billed to no one (revenue leak), gone at the registrar, or rejected with its reason;
//! Kontor's billed domains of that registrar missing from the list are reported as orphaned.
//! Expiry dates that disagree and prices off the TLD list are flagged. A dry run only
//! reports; an applied import also takes the registrar's expiry dates and renewal modes
//! over, which makes a second import of the same list change nothing. Unbilled domains
//! become contracts with one action, priced from the TLD list.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
