//! Dunning: a run looks at every overdue invoice (open amount, not collected by direct
//! debit, customer not blocked), moves each up at most one level, and writes one letter
//! per customer naming all their overdue invoices with the level's fee and, where the
//! level says so, default interest under §288 BGB. Letters are stored with their PDF,
//! never changed, and mailed through the outbox; a preview shows the same letters without
//! writing anything.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
