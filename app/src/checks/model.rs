use crate::i18n::Key;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A closed set of values stored as text: `ALL`, `as_str`, `parse`, its UI text, and
/// reading it from a text column.
macro_rules! check_enum {
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

check_enum!(
    /// What a check speaks to the service.
    #[derive(Default)]
    CheckKind {
        #[default]
        Http = "http" => ChecksKindHttp,
        Tls = "tls" => ChecksKindTls,
        Smtp = "smtp" => ChecksKindSmtp,
        Imap = "imap" => ChecksKindImap,
        Pop3 = "pop3" => ChecksKindPop3,
        Ftp = "ftp" => ChecksKindFtp,
        Mysql = "mysql" => ChecksKindMysql,
        Postgres = "postgres" => ChecksKindPostgres,
    }
);

check_enum!(
    /// Whether the connection is encrypted: not at all, upgraded in the protocol
    /// (STARTTLS, STLS, AUTH TLS, SSLRequest) or from the first byte.
    #[derive(Default)]
    TlsMode {
        #[default]
        None = "none" => ChecksTlsNone,
        Starttls = "starttls" => ChecksTlsStarttls,
        Implicit = "implicit" => ChecksTlsImplicit,
    }
);

check_enum!(
    /// Where a check stands. Unknown: never ran, paused, or no result for three intervals
    /// (the runner is not running), so an old "up" is not trusted.
    CheckStatus {
        Up = "up" => ChecksStatusUp,
        Down = "down" => ChecksStatusDown,
        Unknown = "unknown" => ChecksStatusUnknown,
    }
);

check_enum!(
    /// Why a check failed, as the UI and the alerts name it.
    Problem {
        Dns = "dns" => ChecksProblemDns,
        Refused = "refused" => ChecksProblemRefused,
        Unreachable = "unreachable" => ChecksProblemUnreachable,
        Timeout = "timeout" => ChecksProblemTimeout,
        Closed = "closed" => ChecksProblemClosed,
        Protocol = "protocol" => ChecksProblemProtocol,
        ServiceError = "service_error" => ChecksProblemServiceError,
        NoTls = "no_tls" => ChecksProblemNoTls,
        TlsHandshake = "tls_handshake" => ChecksProblemTlsHandshake,
        Untrusted = "untrusted" => ChecksProblemUntrusted,
        CertExpired = "cert_expired" => ChecksProblemCertExpired,
        HttpStatus = "http_status" => ChecksProblemHttpStatus,
    }
);

impl CheckKind {
    /// The encryption modes the kind supports, the usual one first.
    pub fn tls_modes(self) -> &'static [TlsMode] {
        use TlsMode::*;
        match self {
            CheckKind::Http => &[Implicit, None],
            CheckKind::Tls => &[Implicit],
            CheckKind::Smtp | CheckKind::Imap | CheckKind::Pop3 => &[Starttls, Implicit, None],
            CheckKind::Ftp => &[None, Starttls],
            CheckKind::Mysql => &[None],
            CheckKind::Postgres => &[None, Starttls],
        }
    }

    /// The well-known port of the kind in that mode.
    pub fn default_port(self, mode: TlsMode) -> i32 {
        match (self, mode) {
            (CheckKind::Http, TlsMode::None) => 80,
            (CheckKind::Http | CheckKind::Tls, _) => 443,
            (CheckKind::Smtp, TlsMode::Implicit) => 465,
            (CheckKind::Smtp, _) => 25,
            (CheckKind::Imap, TlsMode::Implicit) => 993,
            (CheckKind::Imap, _) => 143,
            (CheckKind::Pop3, TlsMode::Implicit) => 995,
            (CheckKind::Pop3, _) => 110,
            (CheckKind::Ftp, _) => 21,
            (CheckKind::Mysql, _) => 3306,
            (CheckKind::Postgres, _) => 5432,
        }
    }
}

/// A check as the form and the API send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct CheckInput {
    /// The target: a server or a domain, exactly one.
    pub server_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    pub name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: CheckKind,
    /// Host name or IP address to connect to; empty means the server's host name or the
    /// domain itself.
    pub host: String,
    /// None: the kind's usual port.
    pub port: Option<i32>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub tls_mode: TlsMode,
    /// HTTP only: the path requested.
    pub path: String,
    /// HTTP only: the status codes that count as up.
    pub expected_status_min: i32,
    pub expected_status_max: i32,
    /// Self-signed or privately issued certificates count as up (expiry still counts).
    pub accept_untrusted: bool,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub enabled: bool,
}

impl Default for CheckInput {
    fn default() -> Self {
        CheckInput {
            server_id: None,
            domain_id: None,
            name: String::new(),
            kind: CheckKind::Http,
            host: String::new(),
            port: None,
            tls_mode: TlsMode::Implicit,
            path: "/".to_owned(),
            expected_status_min: 200,
            expected_status_max: 399,
            accept_untrusted: false,
            interval_seconds: 300,
            timeout_seconds: 10,
            enabled: true,
        }
    }
}

/// Where a check stands now: the latest result and the uptime counted from the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CheckState {
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: CheckStatus,
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM`.
    pub last_checked_at: Option<String>,
    pub last_response_ms: Option<i32>,
    pub last_status_code: Option<i32>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "Option<String>"))]
    pub last_problem: OptionalProblem,
    pub last_detail: String,
    pub cert_expires_on: Option<NaiveDate>,
    /// Counted by the server from the tenant's today; negative once expired.
    pub cert_days_left: Option<i32>,
    /// Percent of results that were up, None without results in the window.
    pub uptime_24h: Option<Decimal>,
    pub uptime_7d: Option<Decimal>,
    pub uptime_30d: Option<Decimal>,
}

/// A problem that may be absent, readable from a nullable text column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionalProblem(pub Option<Problem>);

impl TryFrom<Option<String>> for OptionalProblem {
    type Error = String;

    fn try_from(text: Option<String>) -> Result<Self, String> {
        text.map(Problem::try_from).transpose().map(OptionalProblem)
    }
}

/// A stored check with its target and state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Check {
    pub id: Uuid,
    /// The server's host name or the domain's name.
    pub target_label: String,
    pub customer_id: Option<Uuid>,
    pub customer_label: Option<String>,
    /// The host the probe connects to.
    pub effective_host: String,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub data: CheckInput,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub state: CheckState,
}

/// A line of the status overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CheckRow {
    pub id: Uuid,
    pub name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: CheckKind,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub tls_mode: TlsMode,
    pub host: String,
    pub port: i32,
    pub target_label: String,
    pub server_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub customer: Option<String>,
    pub enabled: bool,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub state: CheckState,
}

/// One entry of a check's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CheckResult {
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM:SS`.
    pub checked_at: String,
    pub ok: bool,
    pub response_ms: Option<i32>,
    pub status_code: Option<i32>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "Option<String>"))]
    pub problem: OptionalProblem,
    pub detail: String,
    pub cert_expires_on: Option<NaiveDate>,
}

/// Filters of the status overview besides search and paging.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckFilter {
    pub status: Option<CheckStatus>,
    pub server_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
}

/// A server or domain a check may watch, as the form's picker offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TargetOption {
    pub server_id: Option<Uuid>,
    pub domain_id: Option<Uuid>,
    /// Host or domain name.
    pub name: String,
    /// The customer's name; None for the agency's own servers.
    pub customer: Option<String>,
}

/// What a probe needs to know; the host is already resolved from the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeTarget {
    pub kind: CheckKind,
    pub host: String,
    pub port: u16,
    pub tls_mode: TlsMode,
    pub path: String,
    pub expected_status_min: i32,
    pub expected_status_max: i32,
    pub accept_untrusted: bool,
    pub timeout_seconds: i32,
}

/// What a probe found: no problem means up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOutcome {
    pub problem: Option<Problem>,
    /// Connect to answer (or to giving up), in milliseconds.
    pub response_ms: i32,
    pub status_code: Option<i32>,
    /// What the service said, or why it failed, in the protocol's terms.
    pub detail: String,
    pub cert_expires_at: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
}

impl ProbeOutcome {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_offers_its_default_mode_and_a_port() {
        for kind in CheckKind::ALL {
            let modes = kind.tls_modes();
            assert!(!modes.is_empty(), "{kind:?}");
            for mode in modes {
                assert!((1..=65535).contains(&kind.default_port(*mode)));
            }
        }
        assert_eq!(CheckKind::Imap.default_port(TlsMode::Implicit), 993);
        assert_eq!(CheckKind::Smtp.default_port(TlsMode::Starttls), 25);
        assert_eq!(CheckKind::Http.default_port(TlsMode::None), 80);
    }

    #[test]
    fn stored_names_round_trip() {
        for problem in Problem::ALL {
            assert_eq!(Problem::parse(problem.as_str()), Some(*problem));
        }
        assert_eq!(
            OptionalProblem::try_from(Some("timeout".to_owned())),
            Ok(OptionalProblem(Some(Problem::Timeout)))
        );
        assert_eq!(OptionalProblem::try_from(None), Ok(OptionalProblem(None)));
        assert!(OptionalProblem::try_from(Some("boom".to_owned())).is_err());
    }
}
