//! SEPA direct debit: a customer's mandate (reference, signature date, CORE or B2B, the
//! debtor's account) and the collection files for the bank. An invoice issued while its
//! customer has an active mandate is paid by direct debit: it names mandate, creditor id
//! and account, and announces the collection (pre-notification). Exporting collects every
//! such invoice due by a date, once, in a pain.008.001.08 file grouped by scheme, sequence
//! type and date; only then do the mandates move from FRST to RCUR.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod pain008;
#[cfg(feature = "ssr")]
pub mod repo;
