//! Invoices and credit notes (GoBD): a draft can change; issuing takes the next number of
//! the tenant's gapless range in the same transaction, freezes the document in the database
//! and stores its PDF and e-invoice XML byte for byte. A wrong issued invoice is corrected only by a
//! credit note that references it (BT-25). The totals on screen, in the PDF and in the XML
//! come from one calculation (`domain::invoice_math`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod cii;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod repo;
