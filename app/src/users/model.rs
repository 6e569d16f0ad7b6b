use crate::domain::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub totp_enabled: bool,
    /// Invited, password not yet set.
    pub invited: bool,
    pub last_seen: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteInput {
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

/// The link the invited person opens to set a password (shown to the admin to pass on
/// until e-mail delivery exists).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub user_id: Uuid,
    pub link: String,
}
