//! Service checks: scheduled probes of the services on a customer's (or the agency's)
//! server or domain. Rules:
//! - A check has one target, a server or a domain of the tenant; its host is the one given
//!   or else the target's own name. Kinds: HTTP(S) with an expected status range, TLS
//!   certificate, SMTP/IMAP/POP3 with STARTTLS (or implicit TLS), FTP, MySQL/MariaDB and
//!   PostgreSQL handshakes.
//! - Every TLS connection reports the certificate's expiry; an untrusted chain is a failure
//!   unless the check accepts untrusted certificates, an expired certificate always is.
//! - The check job claims due checks set-based (`FOR UPDATE SKIP LOCKED`, moving each
//!   one's next run on), so two servers never run one check twice; results are written in
//!   one statement and kept HISTORY_DAYS.
//! - Alerts go as in-app notifications to the staff who see the inventory: once per outage
//!   when a check fails FAILURES_BEFORE_ALERT times in a row (a success ends the outage),
//!   and once per certificate that expires within CERT_WARNING_DAYS.
//! - The whole staff sees checks; those who maintain the inventory change and run them.
//!   The probes themselves live in the server crate (network and TLS code stays out of
//!   the browser build); it hands a `Prober` to the server functions.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;

/// Days before a certificate's expiry at which the alert goes out.
pub const CERT_WARNING_DAYS: i32 = 14;
/// Failures in a row that make an outage worth an alert.
pub const FAILURES_BEFORE_ALERT: i32 = 2;
/// Days of history kept.
pub const HISTORY_DAYS: i32 = 90;

/// The probe's answer, when it comes.
#[cfg(feature = "ssr")]
pub type ProbeFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ProbeOutcome> + Send>>;

/// Runs probes; the server provides it as context for "check now" and uses it in its job.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Prober(pub std::sync::Arc<dyn Fn(ProbeTarget) -> ProbeFuture + Send + Sync>);
