//! The customer portal: customer users see their own company's contracts (with the next
//! invoices) and domains (with expiry), in the tenant's branding. Rules:
//! - Staff with `ManageCustomers` invite portal users from the customer file (owner,
//!   billing or technical role); the invited person sets a password through the one-time
//!   link and may then switch on 2FA in the profile. Deactivating ends their sessions.
//! - A portal user's membership names one customer; every portal server function takes
//!   the customer from the session (`authorize_portal`), never from the request, and the
//!   queries filter by tenant and customer. Another customer's record is "not found".
//! - A membership bound to a customer acts only with customer roles, so a portal user
//!   never reaches staff functions (403) or the REST API (tokens only).
//! - Portal rows carry only what the customer may see: no notes, purchase prices or
//!   internal labels.
//! - The next invoice is the earliest due date among the contracts' next charges; its
//!   amount (net) is the sum of the charges due that day. "Expiring soon" means within
//!   60 days, expired ones of the last 30 days included, deleted domains left out.

pub mod api;
pub mod model;
pub mod pages;
pub mod projects;
pub mod quotes;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;

/// Domains expiring within this many days show on the overview.
pub const EXPIRING_WITHIN_DAYS: i32 = 60;
