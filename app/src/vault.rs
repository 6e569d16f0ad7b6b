//! Password vault: customers' access data (FTP, SSH, mail, CMS, registrar …). Rules:
//! - A credential belongs to one customer of the tenant, optionally attached to one of
//!   that customer's servers and/or domains (foreign keys make other customers' impossible).
//! - Secrets are encrypted on the server with AES-256-GCM under the installation's vault
//!   key, which is never in the database (`KONTOR_VAULT_KEY` or `$KONTOR_DATA_DIR/vault.key`,
//!   see `server::vault`); a fresh nonce per encryption, tenant and credential id as
//!   associated data. The crypto is compiled for the server only.
//! - Lists, forms, the API's reads and the audit log never carry a secret. A secret leaves
//!   the server only in a reveal (`RevealedSecret`), which needs RevealCredentials and is
//!   audited first; the browser hides it again after `HIDE_AFTER_SECS`.
//! - The printable password list reveals all of a customer's secrets in one audited action.
//! - Admins, staff and support see, reveal and change credentials; project managers see
//!   that they exist; accountants and customers see nothing of the vault.

pub mod api;
#[cfg(feature = "ssr")]
pub mod crypto;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;

/// How long a revealed secret stays on screen.
pub const HIDE_AFTER_SECS: u32 = 30;
