//! Invoice e-mail: templates per tenant, kind and language (built-in defaults until a tenant
//! writes its own) and the outbox. Issuing an invoice queues its mail in the same
//! transaction; the server's mail worker delivers it over SMTP with the stored PDF and XML
//! attached, retries with backoff, and records the outcome shown on the invoice.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
