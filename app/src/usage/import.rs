//! The import of usage rows, shared by the upload, the usage form and the REST API:
//! parse every row, resolve all references and look up all stored records set-based, check
//! each row, and only when no row is rejected (and it is not a dry run) store them all in
//! one statement and write one audit event.

use super::model::*;
use super::repo::{self, Batch, Importer};
use crate::audit::repo::{record, Event};
use crate::auth::context::Actor;
use crate::domain::format;
use crate::error::AppError;
use crate::i18n::{Key, Lang};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// How rows came and what to do with them.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub source: Source,
    pub dry_run: bool,
    /// The uploaded file's name, for the audit log.
    pub file_name: Option<String>,
    /// The CSV's encoding and delimiter, for the report.
    pub csv: Option<(String, String)>,
}

/// A row that passed every check: where it goes and what it replaces.
struct Accepted {
    contract_id: Uuid,
    contract_number: String,
    metric: String,
    period_start: NaiveDate,
    quantity: Decimal,
    unit: String,
    outcome: Outcome,
}

/// One row on its way through the checks.
struct Row {
    input: UsageInput,
    parsed: Option<ParsedRow>,
    contract: Option<repo::Resolved>,
    problems: Vec<RowProblem>,
    accepted: Option<Accepted>,
}

fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Checks the rows and, if all are good and it is not a dry run, stores them. Rows with
/// problems never cause an error: they are in the report, and nothing is written.
pub async fn import(
    conn: &mut PgConnection,
    actor: &Actor,
    inputs: Vec<UsageInput>,
    options: &ImportOptions,
) -> Result<ImportReport, AppError> {
    let lang = actor.lang;
    if inputs.is_empty() {
        return Err(AppError::field("rows", Key::UsageErrNoRows.text(lang)));
    }
    let mut rows: Vec<Row> = inputs
        .into_iter()
        .map(|input| {
            let (parsed, problems) = match input.parse(lang) {
                Ok(parsed) => (Some(parsed), Vec::new()),
                Err(problems) => (None, problems),
            };
            Row {
                input,
                parsed,
                contract: None,
                problems,
                accepted: None,
            }
        })
        .collect();
    resolve_contracts(conn, actor.tenant_id, &mut rows).await?;
    check_contracts(&mut rows, lang);
    check_metrics(conn, &mut rows, lang).await?;
    check_duplicates(&mut rows, lang);
    compare_with_stored(conn, &mut rows, lang).await?;

    let rejected = rows.iter().filter(|r| !r.problems.is_empty()).count();
    let outcomes = |outcome: Outcome| {
        count(
            rows.iter()
                .filter(|r| r.accepted.as_ref().is_some_and(|a| a.outcome == outcome))
                .count(),
        )
    };
    let mut report = ImportReport {
        dry_run: options.dry_run,
        written: false,
        total: count(rows.len()),
        accepted: count(rows.len() - rejected),
        rejected: count(rejected),
        new: outcomes(Outcome::New),
        updated: outcomes(Outcome::Updated),
        unchanged: outcomes(Outcome::Unchanged),
        encoding: options.csv.as_ref().map(|(encoding, _)| encoding.clone()),
        delimiter: options.csv.as_ref().map(|(_, delimiter)| delimiter.clone()),
        rows: Vec::new(),
        rows_truncated: false,
    };
    if rejected == 0 && !options.dry_run {
        // unchanged rows are left out; the statement's own check covers rows changed since
        let mut batch = Batch::default();
        for accepted in rows
            .iter()
            .filter_map(|r| r.accepted.as_ref())
            .filter(|a| a.outcome != Outcome::Unchanged)
        {
            batch.contracts.push(accepted.contract_id);
            batch.metrics.push(accepted.metric.clone());
            batch.periods.push(accepted.period_start);
            batch.quantities.push(accepted.quantity);
            batch.units.push(accepted.unit.clone());
        }
        let importer = Importer {
            tenant_id: actor.tenant_id,
            user_id: actor.user_id,
            label: &actor.label,
            source: options.source,
        };
        // the statement's own counts: a concurrent import may have stored some rows since
        let (new, updated) = if batch.contracts.is_empty() {
            (0, 0)
        } else {
            repo::upsert(conn, &importer, &batch).await?
        };
        report.new = new;
        report.updated = updated;
        report.unchanged = report.accepted.saturating_sub(new + updated);
        report.written = true;
        record(
            conn,
            Event::by(actor, "usage.imported", "usage_import", Uuid::new_v4()).change(
                None,
                Some(serde_json::json!({
                    "source": options.source.as_str(),
                    "file": options.file_name,
                    "rows": report.total,
                    "new": report.new,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                })),
            ),
        )
        .await?;
    }
    let (limit, wanted): (usize, fn(&Row) -> bool) = if rejected > 0 {
        (super::REPORT_REJECTED_LIMIT, |r| !r.problems.is_empty())
    } else {
        (super::REPORT_ACCEPTED_LIMIT, |_| true)
    };
    let listed = if rejected > 0 { rejected } else { rows.len() };
    report.rows = rows
        .iter()
        .filter(|r| wanted(r))
        .take(limit)
        .map(|r| report_row(r, lang))
        .collect();
    report.rows_truncated = listed > report.rows.len();
    Ok(report)
}

fn report_row(row: &Row, lang: Lang) -> ReportRow {
    let input = &row.input;
    let (metric, period, quantity) = match &row.parsed {
        Some(p) => (
            p.metric.clone(),
            period_label(p.period_start, lang),
            format::number(p.quantity, p.quantity.scale(), lang),
        ),
        None => (
            input.metric.trim().to_owned(),
            input.period.trim().to_owned(),
            input.quantity.trim().to_owned(),
        ),
    };
    ReportRow {
        line: input.line,
        reference: input.reference(),
        contract_number: row
            .contract
            .as_ref()
            .and_then(|c| c.contract_number.clone()),
        metric,
        period,
        quantity,
        unit: row
            .accepted
            .as_ref()
            .map_or_else(|| input.unit.trim().to_owned(), |a| a.unit.clone()),
        outcome: row
            .accepted
            .as_ref()
            .map_or(Outcome::Rejected, |a| a.outcome),
        problems: row.problems.clone(),
    }
}

/// Looks up every parsed row's contract number or id and domain in one statement.
async fn resolve_contracts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    rows: &mut [Row],
) -> Result<(), AppError> {
    let (mut idx, mut numbers, mut ids, mut domains) = (vec![], vec![], vec![], vec![]);
    for (i, parsed) in rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.parsed.as_ref().map(|p| (i, p)))
    {
        idx.push(int(i));
        numbers.push(match &parsed.contract {
            Some(ContractRef::Number(number)) => Some(number.clone()),
            _ => None,
        });
        ids.push(match &parsed.contract {
            Some(ContractRef::Id(id)) => Some(*id),
            _ => None,
        });
        domains.push(parsed.domain.clone());
    }
    if idx.is_empty() {
        return Ok(());
    }
    for resolved in repo::resolve(conn, tenant_id, &idx, &numbers, &ids, &domains).await? {
        if let Some(row) = usize::try_from(resolved.idx)
            .ok()
            .and_then(|i| rows.get_mut(i))
        {
            row.contract = Some(resolved);
        }
    }
    Ok(())
}

/// Unknown contracts and domains, domains without (or with another) contract, and periods
/// outside the contract's term.
fn check_contracts(rows: &mut [Row], lang: Lang) {
    for row in rows.iter_mut() {
        let (Some(parsed), Some(found)) = (&row.parsed, &row.contract) else {
            continue;
        };
        let contract_text = row.input.contract.trim();
        let domain_text = row.input.domain.trim();
        let mut problems = Vec::new();
        if parsed.contract.is_some() && found.named.is_none() {
            problems.push(RowProblem::new(
                "contract",
                Key::UsageErrUnknownContract.fill(lang, &[("contract", contract_text)]),
            ));
        }
        if parsed.domain.is_some() {
            if !found.domain_known {
                problems.push(RowProblem::new(
                    "domain",
                    Key::UsageErrUnknownDomain.fill(lang, &[("domain", domain_text)]),
                ));
            } else if found.via_domain.is_none() {
                problems.push(RowProblem::new(
                    "domain",
                    Key::UsageErrDomainWithoutContract.fill(lang, &[("domain", domain_text)]),
                ));
            } else if found.named.is_some() && found.named != found.via_domain {
                problems.push(RowProblem::new(
                    "domain",
                    Key::UsageErrDomainOtherContract.fill(
                        lang,
                        &[("domain", domain_text), ("contract", contract_text)],
                    ),
                ));
            }
        }
        if problems.is_empty() {
            if let Some(start) = found.start_date {
                let outside = period_end(parsed.period_start) < start
                    || found.end_date.is_some_and(|end| parsed.period_start > end);
                if outside {
                    let end = found.end_date.map_or_else(
                        || Key::OpenEnded.text(lang).to_owned(),
                        |end| format::date(end, lang),
                    );
                    problems.push(RowProblem::new(
                        "period",
                        Key::UsageErrOutsideTerm.fill(
                            lang,
                            &[("start", &format::date(start, lang)), ("end", &end)],
                        ),
                    ));
                }
            }
        }
        row.problems.extend(problems);
    }
}

/// Where the contract's product prices usage, the metric must be one it prices and the unit
/// its unit (an empty unit takes the product's).
async fn check_metrics(
    conn: &mut PgConnection,
    rows: &mut [Row],
    lang: Lang,
) -> Result<(), AppError> {
    let mut products: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.problems.is_empty())
        .filter_map(|r| r.contract.as_ref().and_then(|c| c.product_id))
        .collect();
    products.sort();
    products.dedup();
    let priced = if products.is_empty() {
        HashMap::new()
    } else {
        repo::priced_metrics(conn, &products).await?
    };
    for row in rows.iter_mut().filter(|r| r.problems.is_empty()) {
        let (Some(parsed), Some(found)) = (&row.parsed, &row.contract) else {
            continue;
        };
        let Some(contract_id) = found.contract_id else {
            // not reached: a row without a contract already has a reference problem
            row.problems.push(RowProblem::new(
                "contract",
                Key::UsageErrUnknownContract.fill(lang, &[("contract", &row.input.reference())]),
            ));
            continue;
        };
        let metrics = found.product_id.and_then(|p| priced.get(&p));
        let unit = match metrics {
            None => Some(parsed.unit.clone()),
            Some(metrics) => match metrics.get(&parsed.metric) {
                None => {
                    let mut allowed: Vec<&str> = metrics.keys().map(String::as_str).collect();
                    allowed.sort_unstable();
                    row.problems.push(RowProblem::new(
                        "metric",
                        Key::UsageErrMetricNotPriced.fill(
                            lang,
                            &[
                                ("metric", &parsed.metric),
                                ("product", found.product_name.as_deref().unwrap_or("")),
                                ("allowed", &allowed.join(", ")),
                            ],
                        ),
                    ));
                    None
                }
                Some(expected)
                    if parsed.unit.is_empty() || parsed.unit.eq_ignore_ascii_case(expected) =>
                {
                    Some(expected.clone())
                }
                Some(expected) => {
                    row.problems.push(RowProblem::new(
                        "unit",
                        Key::UsageErrUnitMismatch
                            .fill(lang, &[("unit", &parsed.unit), ("expected", expected)]),
                    ));
                    None
                }
            },
        };
        if let Some(unit) = unit {
            row.accepted = Some(Accepted {
                contract_id,
                contract_number: found.contract_number.clone().unwrap_or_default(),
                metric: parsed.metric.clone(),
                period_start: parsed.period_start,
                quantity: parsed.quantity,
                unit,
                outcome: Outcome::New,
            });
        }
    }
    Ok(())
}

/// A contract, metric and month may occur once per file: the later rows are rejected.
fn check_duplicates(rows: &mut [Row], lang: Lang) {
    let mut first: HashMap<(Uuid, String, NaiveDate), u32> = HashMap::new();
    for row in rows.iter_mut() {
        let Some(accepted) = &row.accepted else {
            continue;
        };
        let key = (
            accepted.contract_id,
            accepted.metric.clone(),
            accepted.period_start,
        );
        match first.get(&key) {
            Some(line) => {
                row.problems.push(RowProblem::new(
                    "period",
                    Key::UsageErrDuplicate.fill(
                        lang,
                        &[
                            ("line", &line.to_string()),
                            ("contract", &accepted.contract_number),
                        ],
                    ),
                ));
                row.accepted = None;
            }
            None => {
                first.insert(key, row.input.line);
            }
        }
    }
}

/// New, updated or unchanged against what is stored; a billed record that would change is
/// rejected.
async fn compare_with_stored(
    conn: &mut PgConnection,
    rows: &mut [Row],
    lang: Lang,
) -> Result<(), AppError> {
    let (mut idx, mut contracts, mut metrics, mut periods) = (vec![], vec![], vec![], vec![]);
    for (i, accepted) in rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.accepted.as_ref().map(|a| (i, a)))
    {
        idx.push(int(i));
        contracts.push(accepted.contract_id);
        metrics.push(accepted.metric.clone());
        periods.push(accepted.period_start);
    }
    if idx.is_empty() {
        return Ok(());
    }
    for stored in repo::existing(conn, &idx, &contracts, &metrics, &periods).await? {
        let Some(row) = usize::try_from(stored.idx)
            .ok()
            .and_then(|i| rows.get_mut(i))
        else {
            continue;
        };
        let Some(accepted) = row.accepted.as_mut() else {
            continue;
        };
        let same = stored.quantity == accepted.quantity && stored.unit == accepted.unit;
        if same {
            accepted.outcome = Outcome::Unchanged;
        } else if stored.billed {
            row.problems
                .push(RowProblem::new("quantity", Key::UsageErrBilled.text(lang)));
            row.accepted = None;
        } else {
            accepted.outcome = Outcome::Updated;
        }
    }
    Ok(())
}
