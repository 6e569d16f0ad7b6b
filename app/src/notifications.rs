//! In-app notifications of one user in one tenant. Jobs write them with a dedupe key, so a
//! job that runs twice adds nothing; the staff header shows how many are unread.

pub mod api;
pub mod pages;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// A path in the app, or empty.
    pub link: String,
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM`.
    pub created_at: String,
    pub read: bool,
}
