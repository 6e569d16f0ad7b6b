//! Accounting: the DATEV booking batch for the tax advisor (issued invoices and credit
//! notes per VAT group, payments against the debtors) and the revenue statistics (MRR and
//! ARR, revenue per month, customer and product, cancellations, upcoming renewals).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
