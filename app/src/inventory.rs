//! Inventory: the customers' domains, servers, SSL certificates and DNS zones. Rules:
//! - Domain, zone and host names are parsed (`DomainName`, UTS #46 non-transitional) and
//!   stored as Unicode and ASCII (punycode); the ASCII form is unique per tenant.
//!   Certificate names may be wildcards (`*.example.de`).
//! - Domains, certificates and zones belong to a customer of the tenant; a linked contract
//!   must be that customer's, as must a certificate's or zone's domain. A server without a
//!   customer is the agency's own and may deliver contracts of any customer; a customer's
//!   server delivers only that customer's contracts.
//! - Expiry comes after registration or validity start; IP addresses must parse.
//! - "Läuft ab" lists what expires within 30, 60 or 90 days and what expired in the last
//!   30, with the days left counted by the server in the tenant's time zone; deleted
//!   domains are left out.
//! - A daily job reminds every active staff member who sees customers 30, 7 and 1 days
//!   ahead: one in-app notification per threshold reached, so running it twice adds none.
//! - The whole staff sees the inventory; admins, project managers, staff and support
//!   change it.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;

/// The tabs of the expiry list, in days ahead.
pub const EXPIRY_WINDOWS: [i32; 3] = [30, 60, 90];
/// Expired items stay in the expiry list this long (a domain can still be redeemed).
pub const RECENTLY_EXPIRED_DAYS: i32 = 30;
/// Days before expiry at which the reminder job notifies, largest first.
pub const REMINDER_DAYS: [i32; 3] = [30, 7, 1];
