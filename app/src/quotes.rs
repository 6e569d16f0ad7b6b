//! Quotes (Angebote): what the agency offers a customer before a project exists. Rules:
//! - A quote has a number from the tenant's range (`A-{YYYY}-{####}` by default), one
//!   customer, and versions. Items are hours × a rate (of a job role) or fixed items
//!   (quantity × price); any item may be optional, at least one must be binding.
//! - Sending freezes the latest version: its PDF is stored as sent and the database
//!   refuses changes to a sent version and its items. Changing a sent (or declined) quote
//!   makes the next version, a copy to edit. A draft that never went out can be deleted.
//! - The customer decides on the latest sent version: staff record the answer, or the
//!   customer's owner decides in the portal while the quote is valid. Accepting picks the
//!   optional items wanted and opens the project in the same transaction: a work package
//!   per included item with its hours and money, the sums as the project's budget, and
//!   the quoted rate as the project's rate when all hours share one. A portal decision
//!   notifies the quote's contact person (or everyone who manages quotes).
//! - Sums follow the invoice arithmetic (`domain::quote`, EN 16931 rounding), taxed by
//!   the customer's treatment, so the quote and the later invoices agree.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
