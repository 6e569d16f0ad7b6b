//! Usage rows as they come in (CSV line, JSON item, form), their checks that need no
//! database, the import report, lists, charts and product usage prices.

use crate::domain::csv::{self, looks_like_formula, Columns, CsvError, TextEncoding};
use crate::domain::format::{parse_date, parse_decimal};
use crate::domain::usage_pricing::{UsagePrice, UsageTier};
use crate::domain::DomainName;
use crate::error::FieldErrors;
use crate::i18n::{Key, Lang};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a record reached Kontor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A CSV file (upload or REST `text/csv`).
    Csv,
    /// REST JSON.
    Api,
    /// Typed in on the usage page.
    Ui,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Csv => "csv",
            Source::Api => "api",
            Source::Ui => "ui",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        [Source::Csv, Source::Api, Source::Ui]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            Source::Csv => Key::UsageSourceCsv,
            Source::Api => Key::UsageSourceApi,
            Source::Ui => Key::UsageSourceUi,
        }
    }
}

/// One row to import, unchecked: a CSV line, a JSON item or the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsageInput {
    /// CSV: the line in the file (the header is line 1); JSON: the item's index.
    pub line: u32,
    /// The contract's number (`V-00012`) or id.
    pub contract: String,
    /// A domain linked to the contract, Unicode or punycode.
    pub domain: String,
    pub metric: String,
    /// A calendar month: `2026-11`, `11/2026`, `2026-11-01`, `11.2026`, `01.11.2026`.
    pub period: String,
    pub quantity: String,
    /// Empty: the unit the contract's product counts the metric in.
    pub unit: String,
    /// Other columns of the CSV line whose cell looks like a formula (their header names).
    pub formula_columns: Vec<String>,
}

/// How a row names its contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractRef {
    Number(String),
    Id(Uuid),
}

/// A row whose fields parse; the contract and the metric's rules are checked against the
/// database afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedRow {
    pub line: u32,
    pub contract: Option<ContractRef>,
    /// ASCII form.
    pub domain: Option<String>,
    pub metric: String,
    pub period_start: NaiveDate,
    pub quantity: Decimal,
    pub unit: String,
}

/// One problem of one row, named by the field (CSV column) it is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub field: String,
    pub message: String,
}

impl RowProblem {
    pub fn new(field: &str, message: impl Into<String>) -> RowProblem {
        RowProblem {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Metric keys: lower-case letters, digits and `_`, starting with a letter, up to 40.
pub fn normalize_metric(text: &str) -> Option<String> {
    let key: String = text
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let valid = key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(key)
}

/// A metric as people read it: the common ones by name, others by their key.
pub fn metric_label(metric: &str, lang: Lang) -> String {
    match metric {
        "traffic_gb" => Key::UsageMetricTrafficGb.text(lang).to_owned(),
        "storage_gb" => Key::UsageMetricStorageGb.text(lang).to_owned(),
        "mailboxes" => Key::UsageMetricMailboxes.text(lang).to_owned(),
        other => other.to_owned(),
    }
}

/// The first day of the month a period names; a full date must be a first of the month.
pub fn parse_period(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(day) = parse_date(text) {
        return (day.day() == 1).then_some(day);
    }
    let number = |part: &str, digits: std::ops::RangeInclusive<usize>| {
        let part = part.trim();
        (digits.contains(&part.len()) && part.chars().all(|c| c.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (year, month) = if let Some((year, month)) = text.split_once('-') {
        (number(year, 4..=4)?, number(month, 1..=2)?)
    } else if let Some((month, year)) = text.split_once(['/', '.']) {
        (number(year, 4..=4)?, number(month, 1..=2)?)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month as people read it: `11/2026`, `Nov 2026`.
pub fn period_label(period_start: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => period_start.format("%m/%Y").to_string(),
        Lang::En => {
            let month = usize::try_from(period_start.month0())
                .ok()
                .and_then(|m| MONTHS_EN.get(m))
                .copied()
                .unwrap_or("");
            format!("{month} {}", period_start.year())
        }
    }
}

/// The last day of the month that starts on `period_start`.
pub fn period_end(period_start: NaiveDate) -> NaiveDate {
    period_start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(period_start)
}

/// Quantities as stored: numeric(18, 4).
const MAX_QUANTITY: i64 = 1_000_000_000_000;
const MAX_UNIT_CHARS: usize = 20;

impl UsageInput {
    /// The fields as values, or every problem of the row.
    pub fn parse(&self, lang: Lang) -> Result<ParsedRow, Vec<RowProblem>> {
        let mut problems = Vec::new();
        for column in &self.formula_columns {
            problems.push(RowProblem::new(column, Key::UsageErrFormula.text(lang)));
        }
        // a formula is reported instead of what else is wrong with that cell
        let formula = |field: &str, cell: &str, problems: &mut Vec<RowProblem>| {
            let found = looks_like_formula(cell);
            if found {
                problems.push(RowProblem::new(field, Key::UsageErrFormula.text(lang)));
            }
            found
        };
        let contract_text = self.contract.trim();
        let domain_text = self.domain.trim();
        let contract =
            if contract_text.is_empty() || formula("contract", contract_text, &mut problems) {
                None
            } else {
                Some(match Uuid::parse_str(contract_text) {
                    Ok(id) => ContractRef::Id(id),
                    Err(_) => ContractRef::Number(contract_text.to_owned()),
                })
            };
        let domain = if domain_text.is_empty() || formula("domain", domain_text, &mut problems) {
            None
        } else {
            match DomainName::parse(domain_text) {
                Ok(name) => Some(name.ascii().to_owned()),
                Err(_) => {
                    problems.push(RowProblem::new(
                        "domain",
                        Key::UsageErrDomainName.fill(lang, &[("domain", domain_text)]),
                    ));
                    None
                }
            }
        };
        if contract_text.is_empty() && domain_text.is_empty() {
            problems.push(RowProblem::new(
                "contract",
                Key::UsageErrReferenceMissing.text(lang),
            ));
        }
        let metric = if formula("metric", &self.metric, &mut problems) {
            None
        } else {
            let metric = normalize_metric(&self.metric);
            if metric.is_none() {
                let key = if self.metric.trim().is_empty() {
                    Key::ErrRequired
                } else {
                    Key::UsageErrMetric
                };
                problems.push(RowProblem::new("metric", key.text(lang)));
            }
            metric
        };
        let period = if formula("period", &self.period, &mut problems) {
            None
        } else {
            let period = parse_period(&self.period);
            if period.is_none() {
                let message = if self.period.trim().is_empty() {
                    Key::ErrRequired.text(lang).to_owned()
                } else {
                    Key::UsageErrPeriod.fill(lang, &[("period", self.period.trim())])
                };
                problems.push(RowProblem::new("period", message));
            }
            period
        };
        let quantity = if formula("quantity", &self.quantity, &mut problems) {
            None
        } else {
            let quantity = match parse_decimal(&self.quantity) {
                _ if self.quantity.trim().is_empty() => Err(Key::ErrRequired.text(lang).to_owned()),
                None => Err(Key::ErrNumber.text(lang).to_owned()),
                Some(q) if q.is_sign_negative() && !q.is_zero() => {
                    Err(Key::ErrNegative.text(lang).to_owned())
                }
                Some(q) if q >= Decimal::from(MAX_QUANTITY) => {
                    Err(Key::ErrTooLarge.text(lang).to_owned())
                }
                Some(q) if q.normalize().scale() > 4 => {
                    Err(Key::ErrDecimals.fill(lang, &[("places", "4")]))
                }
                Some(q) => Ok(q.normalize().abs()),
            };
            quantity
                .map_err(|message| problems.push(RowProblem::new("quantity", message)))
                .ok()
        };
        let unit = self.unit.trim();
        if !formula("unit", unit, &mut problems) && unit.chars().count() > MAX_UNIT_CHARS {
            problems.push(RowProblem::new("unit", Key::ErrTooLong.text(lang)));
        }
        match (metric, period, quantity) {
            (Some(metric), Some(period_start), Some(quantity)) if problems.is_empty() => {
                Ok(ParsedRow {
                    line: self.line,
                    contract,
                    domain,
                    metric,
                    period_start,
                    quantity,
                    unit: unit.to_owned(),
                })
            }
            _ => Err(problems),
        }
    }

    /// The contract or domain as the row wrote it, for the report.
    pub fn reference(&self) -> String {
        match (self.contract.trim(), self.domain.trim()) {
            ("", domain) => domain.to_owned(),
            (contract, "") => contract.to_owned(),
            (contract, domain) => format!("{contract} / {domain}"),
        }
    }
}

/// The columns of a usage CSV: the canonical (English) name first, then the aliases it is
/// also found by (German and English; case, spaces and punctuation do not matter).
pub const CSV_COLUMNS: [&[&str]; 6] = [
    &[
        "contract",
        "contract_number",
        "contract_no",
        "contract_id",
        "vertrag",
        "vertragsnummer",
        "vertragsnr",
    ],
    &["domain", "domain_name", "domainname", "domäne"],
    &[
        "metric",
        "metrik",
        "kennzahl",
        "messgröße",
        "verbrauchsart",
        "usage_type",
    ],
    &[
        "period",
        "periode",
        "zeitraum",
        "monat",
        "month",
        "leistungsmonat",
        "abrechnungsmonat",
    ],
    &[
        "quantity",
        "menge",
        "anzahl",
        "verbrauch",
        "qty",
        "value",
        "wert",
    ],
    &["unit", "einheit"],
];

/// A usage CSV read into rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageCsv {
    pub encoding: TextEncoding,
    pub delimiter: char,
    pub rows: Vec<UsageInput>,
}

/// Reads a usage CSV: the header names the columns (`CSV_COLUMNS`; metric, period and
/// quantity are required, and contract or domain), every further line is one row.
pub fn read_usage_csv(bytes: &[u8], limit_bytes: usize) -> Result<UsageCsv, CsvError> {
    let table = csv::read(bytes, limit_bytes)?;
    let columns = Columns::find(&table.header, &CSV_COLUMNS, &[])?;
    let mut missing: Vec<String> = [(2, "metric"), (3, "period"), (4, "quantity")]
        .into_iter()
        .filter(|(index, _)| !columns.has(*index))
        .map(|(_, name)| name.to_owned())
        .collect();
    if !columns.has(0) && !columns.has(1) {
        missing.insert(0, "contract / domain".to_owned());
    }
    if !missing.is_empty() {
        return Err(CsvError::MissingColumns(missing));
    }
    // the positions `Columns::find` chose, found the same way (aliases in order)
    let keys: Vec<String> = table.header.iter().map(|h| csv::header_key(h)).collect();
    let used: Vec<usize> = CSV_COLUMNS
        .iter()
        .filter_map(|names| {
            names
                .iter()
                .find_map(|name| keys.iter().position(|key| *key == csv::header_key(name)))
        })
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|row| UsageInput {
            line: u32::try_from(row.line).unwrap_or(u32::MAX),
            contract: columns.cell(row, 0).to_owned(),
            domain: columns.cell(row, 1).to_owned(),
            metric: columns.cell(row, 2).to_owned(),
            period: columns.cell(row, 3).to_owned(),
            quantity: columns.cell(row, 4).to_owned(),
            unit: columns.cell(row, 5).to_owned(),
            formula_columns: row
                .cells
                .iter()
                .enumerate()
                .filter(|(position, cell)| !used.contains(position) && looks_like_formula(cell))
                .map(|(position, _)| {
                    table
                        .header
                        .get(position)
                        .filter(|h| !h.is_empty())
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", position + 1))
                })
                .collect(),
        })
        .collect();
    Ok(UsageCsv {
        encoding: table.encoding,
        delimiter: table.delimiter,
        rows,
    })
}

/// What an import did (or, in a dry run or when rows were rejected, would do) with a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    New,
    Updated,
    Unchanged,
    Rejected,
}

impl Outcome {
    pub fn key(self) -> Key {
        match self {
            Outcome::New => Key::UsageOutcomeNew,
            Outcome::Updated => Key::UsageOutcomeUpdated,
            Outcome::Unchanged => Key::UsageOutcomeUnchanged,
            Outcome::Rejected => Key::UsageOutcomeRejected,
        }
    }
}

/// One row of the import report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub line: u32,
    /// The contract or domain as written.
    pub reference: String,
    /// The contract it was matched to.
    pub contract_number: Option<String>,
    pub metric: String,
    pub period: String,
    pub quantity: String,
    pub unit: String,
    pub outcome: Outcome,
    pub problems: Vec<RowProblem>,
}

/// The answer to an import: counts, and the rows (every rejected one, or when none was
/// rejected the accepted ones, up to the limits in `usage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the rows were stored (false in a dry run and when any row was rejected).
    pub written: bool,
    /// Rows read.
    pub total: u32,
    pub accepted: u32,
    /// Rows with at least one problem.
    pub rejected: u32,
    pub new: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// The CSV's detected encoding and delimiter (`UTF-8`, `;`).
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub rows: Vec<ReportRow>,
    /// More rows than listed.
    pub rows_truncated: bool,
}

/// List filters of the usage page and the REST list; empty means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsageFilter {
    pub contract_id: Option<Uuid>,
    /// Words of the contract number.
    pub contract: String,
    pub metric: String,
    /// Months, as `parse_period` reads them.
    pub period_from: String,
    pub period_to: String,
}

impl UsageFilter {
    /// The months, or a field error naming the one that is not a month.
    pub fn periods(
        &self,
        lang: Lang,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut month = |field: &str, text: &str| {
            if text.trim().is_empty() {
                return None;
            }
            let period = parse_period(text);
            if period.is_none() {
                errors.add(
                    field,
                    Key::UsageErrPeriod.fill(lang, &[("period", text.trim())]),
                );
            }
            period
        };
        let from = month("period_from", &self.period_from);
        let to = month("period_to", &self.period_to);
        if errors.is_empty() {
            Ok((from, to))
        } else {
            Err(errors)
        }
    }
}

/// A stored usage record as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub contract_number: String,
    pub customer_name: String,
    pub metric: String,
    pub period_start: NaiveDate,
    pub quantity: Decimal,
    pub unit: String,
    pub source: Source,
    pub imported_by: String,
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM`.
    pub imported_at: String,
    pub billed: bool,
}

/// One metric of a contract over the chart's months.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSeries {
    pub metric: String,
    pub unit: String,
    /// What the product includes per month, if it prices the metric.
    pub included: Option<Decimal>,
    /// One value per month of the chart; None where nothing was recorded.
    pub values: Vec<Option<Decimal>>,
}

/// The last months of a contract's usage, per metric.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageChartData {
    pub contract_number: String,
    /// First day of each month shown, oldest first.
    pub months: Vec<NaiveDate>,
    pub series: Vec<UsageSeries>,
}

/// One tier as the product form edits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsageTierInput {
    pub from: String,
    pub unit_price: String,
}

/// How a product charges one metric, as the product form edits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsagePriceInput {
    pub metric: String,
    pub unit: String,
    pub included: String,
    pub tiers: Vec<UsageTierInput>,
}

/// A checked usage price of a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidUsagePrice {
    pub metric: String,
    pub unit: String,
    pub price: UsagePrice,
}

fn amount(text: &str, allow_empty: bool) -> Result<Decimal, Key> {
    match parse_decimal(text) {
        _ if text.trim().is_empty() && allow_empty => Ok(Decimal::ZERO),
        _ if text.trim().is_empty() => Err(Key::ErrRequired),
        None => Err(Key::ErrNumber),
        Some(value) if value.is_sign_negative() && !value.is_zero() => Err(Key::ErrNegative),
        Some(value) if value >= Decimal::from(MAX_QUANTITY) => Err(Key::ErrTooLarge),
        Some(value) if value.normalize().scale() > 4 => Err(Key::ErrDecimals),
        Some(value) => Ok(value.normalize().abs()),
    }
}

impl From<&ValidUsagePrice> for UsagePriceInput {
    fn from(price: &ValidUsagePrice) -> Self {
        UsagePriceInput {
            metric: price.metric.clone(),
            unit: price.unit.clone(),
            included: price.price.included.normalize().to_string(),
            tiers: price
                .price
                .tiers
                .iter()
                .map(|tier| UsageTierInput {
                    from: tier.from.normalize().to_string(),
                    unit_price: tier.unit_price.normalize().to_string(),
                })
                .collect(),
        }
    }
}

/// Checks a product's usage prices; errors are named `usage_prices.{i}.{field}`.
pub fn parse_usage_prices(
    inputs: &[UsagePriceInput],
    lang: Lang,
) -> Result<Vec<ValidUsagePrice>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut valid: Vec<ValidUsagePrice> = Vec::new();
    let message = |key: Key| match key {
        Key::ErrDecimals => key.fill(lang, &[("places", "4")]),
        key => key.text(lang).to_owned(),
    };
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("usage_prices.{i}.{name}");
        let metric = normalize_metric(&input.metric);
        match &metric {
            None if input.metric.trim().is_empty() => {
                errors.add(&field("metric"), Key::ErrRequired.text(lang))
            }
            None => errors.add(&field("metric"), Key::UsageErrMetric.text(lang)),
            Some(metric) if valid.iter().any(|v| v.metric == *metric) => errors.add(
                &field("metric"),
                Key::UsageErrMetricTwice.fill(lang, &[("metric", metric)]),
            ),
            Some(_) => {}
        }
        let unit = input.unit.trim();
        if unit.is_empty() {
            errors.add(&field("unit"), Key::ErrRequired.text(lang));
        } else if unit.chars().count() > MAX_UNIT_CHARS {
            errors.add(&field("unit"), Key::ErrTooLong.text(lang));
        }
        let included = amount(&input.included, true)
            .map_err(|key| errors.add(&field("included"), message(key)))
            .unwrap_or_default();
        let mut tiers: Vec<UsageTier> = Vec::new();
        let mut tiers_valid = true;
        for tier in input
            .tiers
            .iter()
            .filter(|t| !(t.from.trim().is_empty() && t.unit_price.trim().is_empty()))
        {
            match (amount(&tier.from, true), amount(&tier.unit_price, false)) {
                (Ok(from), Ok(unit_price)) => tiers.push(UsageTier { from, unit_price }),
                _ => tiers_valid = false,
            }
        }
        tiers.sort_by_key(|tier| tier.from);
        if !tiers_valid || tiers.windows(2).any(|pair| pair[0].from == pair[1].from) {
            errors.add(&field("tiers"), Key::UsageErrTiers.text(lang));
        } else if tiers.is_empty() {
            errors.add(&field("tiers"), Key::UsageErrNoTiers.text(lang));
        }
        valid.push(ValidUsagePrice {
            metric: metric.unwrap_or_default(),
            unit: unit.to_owned(),
            price: UsagePrice { included, tiers },
        });
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

/// Tiers as the form's text area shows them: one `from: price` per line.
pub fn tiers_text(tiers: &[UsageTierInput]) -> String {
    tiers
        .iter()
        .map(|t| format!("{}: {}", t.from, t.unit_price))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the text area's lines back into tiers.
pub fn tiers_from_text(text: &str) -> Vec<UsageTierInput> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (from, price) = line.split_once(':').unwrap_or(("", line));
            UsageTierInput {
                from: from.trim().to_owned(),
                unit_price: price.trim().to_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(contract: &str, metric: &str, period: &str, quantity: &str) -> UsageInput {
        UsageInput {
            line: 2,
            contract: contract.into(),
            metric: metric.into(),
            period: period.into(),
            quantity: quantity.into(),
            ..UsageInput::default()
        }
    }

    fn fields(result: Result<ParsedRow, Vec<RowProblem>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn periods_in_every_accepted_spelling() {
        let november = NaiveDate::from_ymd_opt(2026, 11, 1);
        for text in [
            "2026-11",
            "11/2026",
            "2026-11-01",
            " 11.2026 ",
            "01.11.2026",
            "1/2027",
        ] {
            let expected = if text == "1/2027" {
                NaiveDate::from_ymd_opt(2027, 1, 1)
            } else {
                november
            };
            assert_eq!(parse_period(text), expected, "{text}");
        }
        for text in [
            "",
            "2026-13",
            "2026-11-15",
            "11/26",
            "November",
            "2026",
            "0/2026",
        ] {
            assert_eq!(parse_period(text), None, "{text}");
        }
        let start = NaiveDate::from_ymd_opt(2028, 2, 1).unwrap();
        assert_eq!(
            period_end(start),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        assert_eq!(period_label(start, Lang::De), "02/2028");
        assert_eq!(period_label(start, Lang::En), "Feb 2028");
    }

    #[test]
    fn metrics_are_normalised_keys() {
        assert_eq!(normalize_metric(" Traffic-GB "), Some("traffic_gb".into()));
        assert_eq!(normalize_metric("mailboxes"), Some("mailboxes".into()));
        for bad in ["", "1gb", "traffic/gb", "größe", &"x".repeat(41)] {
            assert_eq!(normalize_metric(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_row_parses() {
        let row = UsageInput {
            domain: "Müller-Bäckerei.de".into(),
            unit: " GB ".into(),
            ..input("V-00012", "traffic_gb", "11/2026", "1.234,5")
        }
        .parse(Lang::De)
        .unwrap();
        assert_eq!(row.contract, Some(ContractRef::Number("V-00012".into())));
        assert_eq!(row.domain.as_deref(), Some("xn--mller-bckerei-hfb76a.de"));
        assert_eq!(row.quantity, Decimal::new(12345, 1));
        assert_eq!(
            row.period_start,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(row.unit, "GB");
        let id = Uuid::new_v4();
        let by_id = input(&id.to_string(), "storage_gb", "2026-11", "0")
            .parse(Lang::En)
            .unwrap();
        assert_eq!(by_id.contract, Some(ContractRef::Id(id)));
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(
            fields(input("", "", "13/2026", "-1").parse(Lang::De)),
            ["contract", "metric", "period", "quantity"]
        );
        assert_eq!(
            fields(input("V-1", "x", "2026-11", "1,00001").parse(Lang::De)),
            ["quantity"]
        );
        assert_eq!(
            fields(input("V-1", "x", "2026-11", "zwölf").parse(Lang::De)),
            ["quantity"]
        );
        let bad_domain = UsageInput {
            domain: "not a domain".into(),
            ..input("", "x", "2026-11", "1")
        };
        assert_eq!(fields(bad_domain.parse(Lang::En)), ["domain"]);
    }

    #[test]
    fn formula_cells_are_refused_by_field() {
        let row = UsageInput {
            unit: "@SUM(A1)".into(),
            formula_columns: vec!["Bemerkung".into()],
            ..input(
                "=HYPERLINK(\"http://x\")",
                "traffic_gb",
                "2026-11",
                "+1+cmd",
            )
        };
        let problems = row.parse(Lang::De).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["Bemerkung", "contract", "quantity", "unit"]);
        assert!(problems
            .iter()
            .all(|p| p.message == Key::UsageErrFormula.text(Lang::De)));
    }

    #[test]
    fn csv_with_german_headers_in_windows_1252() {
        let bytes = b"Vertrag;Domain;Metrik;Monat;Menge;Einheit;Notiz\r\n\
                      V-00001;;traffic_gb;11/2026;1.234,5;GB;ok\r\n\
                      ;m\xfcller.de;mailboxes;2026-11;12;;=1+1\r\n";
        let csv = read_usage_csv(bytes, 1 << 20).unwrap();
        assert_eq!(csv.encoding, TextEncoding::Windows1252);
        assert_eq!(csv.rows.len(), 2);
        assert_eq!(csv.rows[0].contract, "V-00001");
        assert_eq!(csv.rows[0].quantity, "1.234,5");
        assert_eq!(csv.rows[0].line, 2);
        assert_eq!(csv.rows[1].domain, "müller.de");
        assert_eq!(csv.rows[1].formula_columns, ["Notiz"]);
    }

    #[test]
    fn csv_missing_columns_are_named() {
        assert_eq!(
            read_usage_csv(b"Kunde;Menge\nx;1\n", 1 << 20),
            Err(CsvError::MissingColumns(vec![
                "contract / domain".into(),
                "metric".into(),
                "period".into()
            ]))
        );
        assert!(read_usage_csv(b"domain,metric,period,quantity\n", 1 << 20)
            .unwrap()
            .rows
            .is_empty());
    }

    #[test]
    fn usage_prices_are_checked() {
        let good = UsagePriceInput {
            metric: "Traffic GB".into(),
            unit: "GB".into(),
            included: "100".into(),
            tiers: tiers_from_text("1000: 0,05\n0: 0,10\n"),
        };
        let valid = parse_usage_prices(std::slice::from_ref(&good), Lang::De).unwrap();
        assert_eq!(valid[0].metric, "traffic_gb");
        assert_eq!(valid[0].price.tiers[0].from, Decimal::ZERO);
        assert_eq!(valid[0].price.tiers[1].unit_price, Decimal::new(5, 2));
        let twice = [good.clone(), good.clone()];
        let errors = parse_usage_prices(&twice, Lang::De).unwrap_err();
        assert!(errors.get("usage_prices.1.metric").is_some());
        let bad = UsagePriceInput {
            metric: "".into(),
            unit: "".into(),
            included: "-1".into(),
            tiers: tiers_from_text("abc"),
        };
        let errors = parse_usage_prices(&[bad], Lang::En).unwrap_err();
        for field in ["metric", "unit", "included", "tiers"] {
            assert!(
                errors.get(&format!("usage_prices.0.{field}")).is_some(),
                "{field}"
            );
        }
    }
}
