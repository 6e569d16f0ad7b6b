use crate::i18n::Key;
use crate::ui::paging::Page;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A closed set of values stored as text: `ALL`, `as_str`, `parse`, its UI text, and
/// reading it from a text column.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$variant_meta:meta])* $variant:ident = $text:literal => $key:ident),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            pub fn key(self) -> Key {
                match self { $($name::$variant => Key::$key),+ }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, String> {
                Self::parse(&text).ok_or(text)
            }
        }
    };
}

text_enum!(
    /// Where a domain stands at its registry.
    #[derive(Default)]
    DomainStatus {
        #[default]
        Active = "active" => DomainStatusActive,
        Pending = "pending" => DomainStatusPending,
        TransferIn = "transfer_in" => DomainStatusTransferIn,
        TransferOut = "transfer_out" => DomainStatusTransferOut,
        Expired = "expired" => DomainStatusExpired,
        Redemption = "redemption" => DomainStatusRedemption,
        Deleted = "deleted" => DomainStatusDeleted,
    }
);

text_enum!(
    #[derive(Default)]
    ServerType {
    Dedicated = "dedicated" => ServerTypeDedicated,
    #[default]
    Vps = "vps" => ServerTypeVps,
    Managed = "managed" => ServerTypeManaged,
    Shared = "shared" => ServerTypeShared,
    Colocation = "colocation" => ServerTypeColocation,
    Cloud = "cloud" => ServerTypeCloud,
    }
);

text_enum!(
    /// What can expire, in the expiry list and the reminders.
    ExpiryKind {
        Domain = "domain" => InvKindDomain,
        Certificate = "certificate" => InvKindCertificate,
        Zone = "zone" => InvKindZone,
    }
);

impl ExpiryKind {
    /// Where the item's page is.
    pub fn path(self) -> &'static str {
        match self {
            ExpiryKind::Domain => "/domains",
            ExpiryKind::Certificate => "/certificates",
            ExpiryKind::Zone => "/zones",
        }
    }
}

/// A record another one points to, as a picker shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LinkOption {
    pub id: Uuid,
    pub label: String,
}

/// A domain as the form and the API send it; `name` may be Unicode or punycode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct DomainInput {
    pub customer_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub name: String,
    pub registrar: String,
    pub owner_handle: String,
    pub admin_handle: String,
    pub tech_handle: String,
    pub zone_handle: String,
    pub registered_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub auto_renew: bool,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: DomainStatus,
    pub notes: String,
}

impl Default for DomainInput {
    fn default() -> Self {
        DomainInput {
            customer_id: None,
            contract_id: None,
            name: String::new(),
            registrar: String::new(),
            owner_handle: String::new(),
            admin_handle: String::new(),
            tech_handle: String::new(),
            zone_handle: String::new(),
            registered_on: None,
            expires_on: None,
            auto_renew: true,
            status: DomainStatus::Active,
            notes: String::new(),
        }
    }
}

/// A stored domain with the labels of what it links to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Domain {
    pub id: Uuid,
    pub ascii_name: String,
    pub tld: String,
    pub customer_label: String,
    pub contract_label: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: DomainInput,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DomainRow {
    pub id: Uuid,
    pub name: String,
    pub ascii_name: String,
    pub customer_id: Uuid,
    pub customer: String,
    pub registrar: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: DomainStatus,
    pub auto_renew: bool,
    pub expires_on: Option<NaiveDate>,
    /// Counted by the server from the tenant's today; negative once expired.
    pub days_left: Option<i32>,
}

/// A server; without a customer it is the agency's own (shared hosting, mail).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct ServerInput {
    pub customer_id: Option<Uuid>,
    pub hostname: String,
    pub ip_addresses: Vec<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub server_type: ServerType,
    pub location: String,
    pub operating_system: String,
    pub cpu_cores: Option<i32>,
    pub memory_gb: Option<i32>,
    pub storage_gb: Option<i32>,
    pub decommissioned_on: Option<NaiveDate>,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Server {
    pub id: Uuid,
    pub customer_label: Option<String>,
    /// The contracts this server delivers.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub contracts: Vec<LinkOption>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: ServerInput,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ServerRow {
    pub id: Uuid,
    pub hostname: String,
    pub ip_addresses: Vec<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub server_type: ServerType,
    pub location: String,
    pub customer_id: Option<Uuid>,
    pub customer: Option<String>,
    pub decommissioned: bool,
}

/// An SSL/TLS certificate; names may be wildcards (`*.example.de`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct CertificateInput {
    pub customer_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    pub server_id: Option<Uuid>,
    pub common_name: String,
    pub alt_names: Vec<String>,
    pub issuer: String,
    pub valid_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub auto_renew: bool,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Certificate {
    pub id: Uuid,
    pub ascii_name: String,
    pub customer_label: String,
    pub contract_label: Option<String>,
    pub domain_label: Option<String>,
    pub server_label: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: CertificateInput,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CertificateRow {
    pub id: Uuid,
    pub common_name: String,
    pub ascii_name: String,
    pub customer_id: Uuid,
    pub customer: String,
    pub issuer: String,
    pub auto_renew: bool,
    pub expires_on: NaiveDate,
    pub days_left: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct DnsZoneInput {
    pub customer_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    pub name: String,
    pub primary_ns: String,
    pub expires_on: Option<NaiveDate>,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DnsZone {
    pub id: Uuid,
    pub ascii_name: String,
    pub customer_label: String,
    pub contract_label: Option<String>,
    pub domain_label: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: DnsZoneInput,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DnsZoneRow {
    pub id: Uuid,
    pub name: String,
    pub ascii_name: String,
    pub customer_id: Uuid,
    pub customer: String,
    pub primary_ns: String,
    pub expires_on: Option<NaiveDate>,
    pub days_left: Option<i32>,
}

/// Filters of the inventory lists besides search and paging; each applies where the kind
/// has the field (servers have no status or expiry).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InventoryFilter {
    pub customer_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub status: Option<DomainStatus>,
    /// Expiring by today + this many days (expired ones included).
    pub expiring_within_days: Option<i32>,
}

/// One line of the expiry list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ExpiringItem {
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: ExpiryKind,
    pub id: Uuid,
    pub name: String,
    pub ascii_name: String,
    pub customer_id: Uuid,
    pub customer: String,
    pub expires_on: NaiveDate,
    pub days_left: i32,
    pub auto_renew: bool,
}

/// The inventory section of the customer file: the first page of each kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerInventory {
    pub domains: Page<DomainRow>,
    pub servers: Page<ServerRow>,
    pub certificates: Page<CertificateRow>,
    pub zones: Page<DnsZoneRow>,
}

/// What a contract delivers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractInventory {
    pub domains: Vec<DomainRow>,
    pub servers: Vec<ServerRow>,
}

/// What the pickers of a form offer for one customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLinks {
    pub contracts: Vec<LinkOption>,
    pub domains: Vec<LinkOption>,
    pub servers: Vec<LinkOption>,
}
