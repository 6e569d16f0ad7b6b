//! A registrar's domain list as the reconciliation reads it. Columns are found by their
//! header names, so their order does not matter; three layouts are known:
//!
//! - **generic** (ours, documented in the README): `domain` (required), `expires_on`,
//!   `registered_on`, `status`, `auto_renew`, `renewal_price`, `currency`; German header
//!   names (`Domain`, `Ablaufdatum`, `Registriert am`, `Status`, `Autorenew`,
//!   `Verlängerungspreis`, `Währung`) work as well.
//! - **INWX** domain list export: `Domain`, `Status`, `Erstellt`, `Ablaufdatum`,
//!   `Verlängerungsmodus` (AUTORENEW / AUTODELETE / AUTOEXPIRE), `Preis`, `Währung`.
//! - **Key-Systems / RRPproxy** `QueryDomainList` export: `DOMAIN`, `STATUS`,
//!   `CREATEDDATE`, `PAIDUNTILDATE` (preferred) or `EXPIRATIONDATE`, `RENEWALMODE`,
//!   `PRICE`, `CURRENCY`.
//!
//! A row is rejected, with the reason, for a bad domain name, date, price or renewal mode,
//! a cell a spreadsheet would run as a formula, or a domain listed twice.

use super::csv::{looks_like_formula, Columns, CsvError, CsvRow, CsvTable};
use super::format::parse_decimal;
use super::{DomainName, ParseError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrarLayout {
    Generic,
    Inwx,
    KeySystems,
}

impl RegistrarLayout {
    pub const ALL: [RegistrarLayout; 3] = [
        RegistrarLayout::Generic,
        RegistrarLayout::Inwx,
        RegistrarLayout::KeySystems,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrarLayout::Generic => "generic",
            RegistrarLayout::Inwx => "inwx",
            RegistrarLayout::KeySystems => "key_systems",
        }
    }

    pub fn parse(text: &str) -> Option<RegistrarLayout> {
        Self::ALL.into_iter().find(|layout| layout.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistrarLayout::Generic => "Kontor",
            RegistrarLayout::Inwx => "INWX",
            RegistrarLayout::KeySystems => "Key-Systems / RRPproxy",
        }
    }

    /// Header names per field, in `Field` order; the first name of each is its canonical one.
    fn columns(self) -> [&'static [&'static str]; FIELDS] {
        match self {
            RegistrarLayout::Generic => [
                &["domain", "domainname", "name"],
                &[
                    "expires_on",
                    "ablaufdatum",
                    "expiry",
                    "expires",
                    "ablauf",
                    "gültig bis",
                    "läuft ab",
                ],
                &[
                    "registered_on",
                    "registriert am",
                    "registriert",
                    "created",
                    "erstellt",
                ],
                &["status"],
                &[
                    "auto_renew",
                    "autorenew",
                    "auto-renew",
                    "automatische verlängerung",
                ],
                &["renewal_price", "verlängerungspreis", "price", "preis"],
                &["currency", "währung"],
            ],
            RegistrarLayout::Inwx => [
                &["domain"],
                &["ablaufdatum", "laufzeitende"],
                &["erstellt", "erstellt am"],
                &["status"],
                &["verlängerungsmodus", "renewalmode"],
                &["preis"],
                &["währung"],
            ],
            RegistrarLayout::KeySystems => [
                &["domain"],
                &["paiduntildate", "expirationdate"],
                &["createddate"],
                &["status"],
                &["renewalmode"],
                &["price"],
                &["currency"],
            ],
        }
    }

    /// The layout whose signature columns the header has; our generic one otherwise.
    pub fn detect(header: &[String]) -> RegistrarLayout {
        let keys: Vec<String> = header.iter().map(|h| super::csv::header_key(h)).collect();
        let has = |name: &str| keys.iter().any(|key| key == name);
        if has("renewalmode") && (has("paiduntildate") || has("expirationdate")) {
            RegistrarLayout::KeySystems
        } else if has("verlängerungsmodus") {
            RegistrarLayout::Inwx
        } else {
            RegistrarLayout::Generic
        }
    }
}

const FIELDS: usize = 7;
const DOMAIN: usize = 0;
const EXPIRES: usize = 1;
const REGISTERED: usize = 2;
const STATUS: usize = 3;
const AUTO_RENEW: usize = 4;
const PRICE: usize = 5;
const CURRENCY: usize = 6;
const FIELD_NAMES: [&str; FIELDS] = [
    "domain",
    "expires_on",
    "registered_on",
    "status",
    "auto_renew",
    "renewal_price",
    "currency",
];

/// One domain as the registrar lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrarEntry {
    pub line: usize,
    pub domain: DomainName,
    pub expires_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    /// The registrar's status as written, lower-case.
    pub status: String,
    /// False when the registrar lists the domain as deleted, expired or leaving.
    pub active: bool,
    pub auto_renew: Option<bool>,
    pub renewal_cost: Option<Decimal>,
    pub currency: Option<String>,
}

/// Why a row was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    Formula,
    Domain(ParseError),
    Date,
    Price,
    RenewalMode,
    /// The domain already appeared on this line.
    Duplicate(usize),
}

impl RowProblem {
    /// The stable code stored with the report row.
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::Formula => "formula",
            RowProblem::Domain(_) => "domain",
            RowProblem::Date => "date",
            RowProblem::Price => "price",
            RowProblem::RenewalMode => "renewal_mode",
            RowProblem::Duplicate(_) => "duplicate",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: usize,
    /// The domain cell as written (may be empty or garbage).
    pub domain: String,
    pub field: &'static str,
    pub problem: RowProblem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrarList {
    pub layout: RegistrarLayout,
    pub entries: Vec<RegistrarEntry>,
    pub rejected: Vec<RejectedRow>,
}

/// Reads the rows of a table in the layout its header shows.
pub fn parse(table: &CsvTable) -> Result<RegistrarList, CsvError> {
    let layout = RegistrarLayout::detect(&table.header);
    let columns = Columns::find(
        &table.header,
        &layout.columns(),
        &[layout.columns()[DOMAIN][0]],
    )?;
    let mut entries = Vec::with_capacity(table.rows.len());
    let mut rejected = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
    for row in &table.rows {
        match entry(&columns, row) {
            Ok(entry) => match first_line.get(entry.domain.ascii()) {
                Some(first) => rejected.push(RejectedRow {
                    line: row.line,
                    domain: entry.domain.unicode().to_owned(),
                    field: FIELD_NAMES[DOMAIN],
                    problem: RowProblem::Duplicate(*first),
                }),
                None => {
                    first_line.insert(entry.domain.ascii().to_owned(), row.line);
                    entries.push(entry);
                }
            },
            Err((field, problem)) => rejected.push(RejectedRow {
                line: row.line,
                domain: columns.cell(row, DOMAIN).chars().take(253).collect(),
                field: FIELD_NAMES[field],
                problem,
            }),
        }
    }
    Ok(RegistrarList {
        layout,
        entries,
        rejected,
    })
}

fn entry(columns: &Columns, row: &CsvRow) -> Result<RegistrarEntry, (usize, RowProblem)> {
    if let Some(field) = (0..FIELDS).find(|&field| looks_like_formula(columns.cell(row, field))) {
        return Err((field, RowProblem::Formula));
    }
    let optional = |field: usize| Some(columns.cell(row, field)).filter(|cell| !cell.is_empty());
    let domain = DomainName::parse(columns.cell(row, DOMAIN))
        .map_err(|e| (DOMAIN, RowProblem::Domain(e)))?;
    let date = |field: usize| {
        optional(field)
            .map(|cell| registrar_date(cell).ok_or((field, RowProblem::Date)))
            .transpose()
    };
    let status = columns.cell(row, STATUS).to_lowercase();
    Ok(RegistrarEntry {
        line: row.line,
        expires_on: date(EXPIRES)?,
        registered_on: date(REGISTERED)?,
        active: !is_gone(&status),
        status,
        auto_renew: optional(AUTO_RENEW)
            .map(|cell| renewal_mode(cell).ok_or((AUTO_RENEW, RowProblem::RenewalMode)))
            .transpose()?,
        renewal_cost: optional(PRICE)
            .map(|cell| price(cell).ok_or((PRICE, RowProblem::Price)))
            .transpose()?,
        currency: optional(CURRENCY).map(str::to_uppercase),
        domain,
    })
}

/// `2027-03-01`, `01.03.2027`, with or without a time behind it.
fn registrar_date(cell: &str) -> Option<NaiveDate> {
    let date = cell.split([' ', 'T']).next().unwrap_or(cell);
    super::format::parse_date(date)
}

fn renewal_mode(cell: &str) -> Option<bool> {
    match super::csv::header_key(cell).as_str() {
        "autorenew" | "renew" | "ja" | "yes" | "true" | "1" | "x" | "an" | "on" => Some(true),
        "autodelete" | "autoexpire" | "expire" | "delete" | "nein" | "no" | "false" | "0"
        | "aus" | "off" => Some(false),
        _ => None,
    }
}

fn price(cell: &str) -> Option<Decimal> {
    let amount = cell
        .trim_end_matches(['€', ' '])
        .trim_end_matches("EUR")
        .trim();
    parse_decimal(amount).filter(|value| !value.is_sign_negative())
}

/// Registrar states meaning the domain is no longer held there.
fn is_gone(status: &str) -> bool {
    let key = super::csv::header_key(status);
    [
        "deleted",
        "gelöscht",
        "expired",
        "abgelaufen",
        "redemption",
        "pendingdelete",
        "transferredout",
        "transferout",
        "outgoingtransfer",
    ]
    .contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::csv::read;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn list(text: &str) -> RegistrarList {
        parse(&read(text.as_bytes(), 1 << 20).unwrap()).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn inwx_export_is_recognised_and_read() {
        let parsed = list(
            "Domain;Status;Erstellt;Ablaufdatum;Verlängerungsmodus;Preis\n\
             bäckerei-müller.de;OK;01.03.2015 10:00;01.03.2027;AUTORENEW;4,90 €\n\
             alt.de;DELETED;01.01.2010;01.01.2026;AUTODELETE;\n",
        );
        assert_eq!(parsed.layout, RegistrarLayout::Inwx);
        assert!(parsed.rejected.is_empty());
        let first = &parsed.entries[0];
        assert_eq!(first.domain.ascii(), "xn--bckerei-mller-bfb28a.de");
        assert_eq!(first.expires_on, date(2027, 3, 1));
        assert_eq!(first.registered_on, date(2015, 3, 1));
        assert_eq!(first.auto_renew, Some(true));
        assert_eq!(first.renewal_cost, Some(dec("4.90")));
        assert!(first.active);
        assert!(!parsed.entries[1].active);
        assert_eq!(parsed.entries[1].auto_renew, Some(false));
    }

    #[test]
    fn key_systems_prefers_paid_until() {
        let parsed = list(
            "DOMAIN,STATUS,CREATEDDATE,EXPIRATIONDATE,PAIDUNTILDATE,RENEWALMODE,PRICE,CURRENCY\n\
             example.com,ACTIVE,2019-05-02 08:00:00,2027-05-02 08:00:00,2026-05-02 08:00:00,AUTORENEW,8.50,usd\n",
        );
        assert_eq!(parsed.layout, RegistrarLayout::KeySystems);
        let entry = &parsed.entries[0];
        assert_eq!(entry.expires_on, date(2026, 5, 2));
        assert_eq!(entry.currency.as_deref(), Some("USD"));
    }

    #[test]
    fn generic_layout_needs_only_the_domain() {
        let parsed = list("domain\nexample.org\n");
        assert_eq!(parsed.layout, RegistrarLayout::Generic);
        assert_eq!(parsed.entries[0].expires_on, None);
        assert_eq!(parsed.entries[0].auto_renew, None);
    }

    #[test]
    fn bad_rows_are_rejected_with_field_and_reason() {
        let parsed = list(
            "domain;expires_on;auto_renew;renewal_price\n\
             ok.de;2027-01-01;ja;1\n\
             =HYPERLINK(\"http://x\");2027-01-01;;\n\
             not a domain;2027-01-01;;\n\
             ok.de;2027-01-01;;\n\
             OK.DE.;2027-01-01;;\n\
             b.de;31.02.2027;;\n\
             c.de;;vielleicht;\n\
             d.de;;;-3\n",
        );
        assert_eq!(parsed.entries.len(), 1);
        let problems: Vec<(usize, &str, RowProblem)> = parsed
            .rejected
            .iter()
            .map(|r| (r.line, r.field, r.problem))
            .collect();
        assert_eq!(
            problems,
            [
                (3, "domain", RowProblem::Formula),
                (4, "domain", RowProblem::Domain(ParseError::Format)),
                (5, "domain", RowProblem::Duplicate(2)),
                (6, "domain", RowProblem::Duplicate(2)),
                (7, "expires_on", RowProblem::Date),
                (8, "auto_renew", RowProblem::RenewalMode),
                (9, "renewal_price", RowProblem::Price),
            ]
        );
    }

    #[test]
    fn a_list_without_domain_column_names_it() {
        let table = read(b"name2;x\na;b\n", 1 << 20).unwrap();
        assert_eq!(
            parse(&table),
            Err(CsvError::MissingColumns(vec!["domain".into()]))
        );
    }
}
