//! Payments and open items: money received is matched to issued invoices (bank statements
//! in camt.053, or entered by hand), returned direct debits reopen theirs, and what a
//! payment leaves over is the customer's credit. An invoice is paid, partly paid or
//! overdue by its open amount: gross less issued credit notes less allocations, computed
//! from the frozen invoice and its payments, never stored.

pub mod api;
#[cfg(feature = "ssr")]
pub mod camt;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
