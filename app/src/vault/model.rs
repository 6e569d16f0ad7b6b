use crate::i18n::Key;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a credential opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    Ftp,
    Sftp,
    #[default]
    Ssh,
    Mail,
    Cms,
    Database,
    Registrar,
    ControlPanel,
    Other,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 9] = [
        CredentialKind::Ftp,
        CredentialKind::Sftp,
        CredentialKind::Ssh,
        CredentialKind::Mail,
        CredentialKind::Cms,
        CredentialKind::Database,
        CredentialKind::Registrar,
        CredentialKind::ControlPanel,
        CredentialKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Ftp => "ftp",
            CredentialKind::Sftp => "sftp",
            CredentialKind::Ssh => "ssh",
            CredentialKind::Mail => "mail",
            CredentialKind::Cms => "cms",
            CredentialKind::Database => "database",
            CredentialKind::Registrar => "registrar",
            CredentialKind::ControlPanel => "control_panel",
            CredentialKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<CredentialKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            CredentialKind::Ftp => Key::VaultKindFtp,
            CredentialKind::Sftp => Key::VaultKindSftp,
            CredentialKind::Ssh => Key::VaultKindSsh,
            CredentialKind::Mail => Key::VaultKindMail,
            CredentialKind::Cms => Key::VaultKindCms,
            CredentialKind::Database => Key::VaultKindDatabase,
            CredentialKind::Registrar => Key::VaultKindRegistrar,
            CredentialKind::ControlPanel => Key::VaultKindControlPanel,
            CredentialKind::Other => Key::VaultKindOther,
        }
    }
}

impl TryFrom<String> for CredentialKind {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or(text)
    }
}

/// A credential's fields except its secret, as the form and the API send them. The secret
/// travels apart from it, so this type can be listed, logged and audited freely.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct CredentialInput {
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: CredentialKind,
    pub label: String,
    pub host: String,
    pub port: Option<i32>,
    pub username: String,
    pub url: String,
    pub notes: String,
    /// One of the customer's servers, or none.
    pub server_id: Option<Uuid>,
    /// One of the customer's domains, or none.
    pub domain_id: Option<Uuid>,
}

/// A stored credential without its secret; lists and the API show these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Credential {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_label: String,
    pub server_label: Option<String>,
    pub domain_label: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: CredentialInput,
}

/// A record a credential can be attached to, as the form's pickers show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CredentialLink {
    pub id: Uuid,
    pub label: String,
}

/// The customer's servers and domains a credential may be attached to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialLinks {
    pub servers: Vec<CredentialLink>,
    pub domains: Vec<CredentialLink>,
}

/// Whose credentials a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "of", content = "id")]
pub enum CredentialOwner {
    Customer(Uuid),
    Server(Uuid),
    Domain(Uuid),
}

/// One revealed secret: the only vault type that carries plain text to the browser, and
/// only as the answer to an audited reveal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedSecret {
    pub credential_id: Uuid,
    pub secret: String,
}

impl std::fmt::Debug for RevealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevealedSecret")
            .field("credential_id", &self.credential_id)
            .finish_non_exhaustive()
    }
}

/// A customer's printable password list: every credential with its secret, revealed in
/// one audited action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordList {
    pub customer_label: String,
    /// When it was revealed, in the tenant's time zone (`YYYY-MM-DD HH:MM`).
    pub revealed_at: String,
    pub entries: Vec<PasswordEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordEntry {
    pub credential: Credential,
    pub secret: RevealedSecret,
}
