use crate::domain::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant as the shell needs it: for the switcher and for branding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantBrief {
    pub id: Uuid,
    pub slug: String,
    pub legal_name: String,
    pub brand_primary: String,
    pub brand_accent: String,
    pub logo_data_url: Option<String>,
    /// Prices and amounts of this tenant are in this currency (ISO 4217).
    pub currency: String,
}

/// What the browser knows about the logged-in user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub totp_enabled: bool,
    pub tenant: Option<TenantBrief>,
    pub tenants: Vec<TenantBrief>,
    pub roles: Vec<Role>,
}

impl SessionView {
    pub fn can(&self, permission: crate::domain::Permission) -> bool {
        crate::domain::permissions::allows(&self.roles, permission)
    }
}

/// A new TOTP secret, shown once while the user scans it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// One of the user's own sessions, for "where am I logged in".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnSession {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}
