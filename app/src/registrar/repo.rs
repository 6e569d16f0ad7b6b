//! SQL of the reconciliation. The whole report is made set-based: the lines are staged with
//! one `COPY` per chunk, one INSERT writes them classified against domains, contracts and
//! the TLD list, one INSERT adds the billed domains the list lacks, one UPDATE counts.

use super::model::*;
use crate::domain::registrar_list::{RegistrarEntry, RejectedRow, RowProblem};
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// Lines written per statement; the progress bar moves once per chunk.
pub const CHUNK_ROWS: usize = 20_000;

pub struct NewImport<'a> {
    pub tenant_id: Uuid,
    pub registrar: &'a str,
    pub layout: &'a str,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub encoding: &'a str,
    pub delimiter: &'a str,
    pub dry_run: bool,
    pub reconciled_on: NaiveDate,
    pub rows_total: i32,
    pub imported_by: Option<Uuid>,
}

pub async fn start(conn: &mut PgConnection, import: &NewImport<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into registrar_imports (id, tenant_id, registrar, layout, file_name, file_sha256,
             encoding, delimiter, dry_run, reconciled_on, rows_total, imported_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(import.tenant_id)
    .bind(import.registrar.trim())
    .bind(import.layout)
    .bind(import.file_name)
    .bind(import.file_sha256)
    .bind(import.encoding)
    .bind(import.delimiter)
    .bind(import.dry_run)
    .bind(import.reconciled_on)
    .bind(import.rows_total)
    .bind(import.imported_by)
    .execute(conn)
    .await?;
    Ok(id)
}

/// One line of the file as it is staged before classification.
pub enum Line<'a> {
    Entry(&'a RegistrarEntry),
    Rejected(&'a RejectedRow),
}

/// The lines wait in a temporary table (no WAL, no index) until one statement classifies
/// them all; it goes away with the transaction.
pub async fn create_stage(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query(
        "create temp table registrar_lines (
             line integer not null, domain text not null, ascii_name text, tld text,
             status text not null, active boolean not null, expires_on date, registered_on date,
             auto_renew boolean, cost numeric, currency text, problem text, field text,
             duplicate_of integer
         ) on commit drop",
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Stages a chunk of lines with one `COPY` (text format): PostgreSQL reads it as fast as
/// a plain file, where binding fourteen arrays per chunk cost several times as much.
pub async fn stage_lines(conn: &mut PgConnection, lines: &[Line<'_>]) -> sqlx::Result<()> {
    let mut text = String::with_capacity(lines.len() * 96);
    for item in lines {
        let mut row = CopyRow(&mut text);
        match item {
            Line::Entry(entry) => {
                row.value(entry.line);
                row.text(entry.domain.unicode());
                row.text(entry.domain.ascii());
                row.text(entry.domain.tld());
                row.text(&entry.status);
                row.value(entry.active);
                row.optional(entry.expires_on);
                row.optional(entry.registered_on);
                row.optional(entry.auto_renew);
                row.optional(entry.renewal_cost);
                row.optional_text(entry.currency.as_deref());
                for _ in 0..3 {
                    row.null();
                }
            }
            Line::Rejected(rejected) => {
                row.value(rejected.line);
                row.text(&rejected.domain);
                for _ in 0..2 {
                    row.null();
                }
                row.text("");
                row.value(true);
                for _ in 0..5 {
                    row.null();
                }
                row.text(rejected.problem.code());
                row.text(rejected.field);
                match rejected.problem {
                    RowProblem::Duplicate(first) => row.value(first),
                    _ => row.null(),
                }
            }
        }
        text.pop();
        text.push('\n');
    }
    let mut copy = conn.copy_in_raw("copy registrar_lines from stdin").await?;
    copy.send(text.as_bytes()).await?;
    copy.finish().await.map(drop)
}

/// One row of `COPY … FROM STDIN` in text format: values separated by tabs (a trailing
/// one is replaced by the line end), `\N` for null, backslash escapes for the rest.
struct CopyRow<'a>(&'a mut String);

impl CopyRow<'_> {
    fn value(&mut self, value: impl std::fmt::Display) {
        use std::fmt::Write;
        let _ = write!(self.0, "{value}\t");
    }

    fn text(&mut self, value: &str) {
        for c in value.chars() {
            match c {
                '\\' => self.0.push_str("\\\\"),
                '\t' => self.0.push_str("\\t"),
                '\n' => self.0.push_str("\\n"),
                '\r' => self.0.push_str("\\r"),
                // PostgreSQL text cannot hold NUL; a garbage cell loses it
                '\0' => {}
                c => self.0.push(c),
            }
        }
        self.0.push('\t');
    }

    fn null(&mut self) {
        self.0.push_str("\\N\t");
    }

    fn optional(&mut self, value: Option<impl std::fmt::Display>) {
        match value {
            Some(value) => self.value(value),
            None => self.null(),
        }
    }

    fn optional_text(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }
}

pub async fn set_progress(
    conn: &mut PgConnection,
    import_id: Uuid,
    rows_done: i32,
) -> sqlx::Result<()> {
    sqlx::query("update registrar_imports set rows_done = $2 where id = $1 and status = 'running'")
        .bind(import_id)
        .bind(rows_done)
        .execute(conn)
        .await
        .map(drop)
}

/// Writes the report of the staged lines in two statements: every line classified against
/// domains, contracts and the TLD list, then the billed domains of this registrar the list
/// lacks. A contract bills a domain while it has not ended on the import's day. Every join
/// is a hash join over whole tables: probing an index per line cost five times as much.
pub async fn reconcile(
    conn: &mut PgConnection,
    import_id: Uuid,
    registrar: &str,
    currency: &str,
) -> sqlx::Result<()> {
    // JIT compiling these joins costs more than running them (0.8 s at 100k lines), and the
    // hash tables of 100k lines should stay in memory
    sqlx::query("set local jit = off")
        .execute(&mut *conn)
        .await?;
    sqlx::query("set local work_mem = '128MB'")
        .execute(&mut *conn)
        .await?;
    sqlx::query("analyze registrar_lines")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into registrar_import_rows (import_id, position, line, domain, ascii_name, tld,
             registrar_status, registrar_active, registrar_expires_on, registered_on, auto_renew,
             renewal_cost, currency, outcome, problem, problem_field, duplicate_of, domain_id,
             customer_id, contract_id, kontor_expires_on, expiry_mismatch, price_note, list_cost,
             yearly_price, needs_update)
         with import as (select id, tenant_id, reconciled_on from registrar_imports
                         where id = $1 and status = 'running'),
              -- each contract's price valid on the import's day (none: the contract's fee)
              price as (select distinct on (cp.contract_id) cp.contract_id, cp.fee
                        from contract_prices cp join contracts c on c.id = cp.contract_id
                        join import i on i.tenant_id = c.tenant_id
                        where cp.valid_from <= i.reconciled_on
                        order by cp.contract_id, cp.valid_from desc),
              billing as (select c.id, p.kind = 'domain' as domain_product,
                                 round(case c.fee_unit when 'month' then 12 when 'quarter' then 4
                                                       when 'year' then 1 else 0.5 end
                                       * coalesce(price.fee, c.fee) * c.quantity
                                       * (1 - c.discount_percent / 100), 2) as yearly
                          from contracts c join import i on i.tenant_id = c.tenant_id
                          left join products p on p.id = c.product_id
                          left join price on price.contract_id = c.id
                          where c.end_date is null or c.end_date >= i.reconciled_on)
         select i.id, l.line, l.line, l.domain, l.ascii_name, l.tld, l.status, l.active, l.expires_on,
                l.registered_on, l.auto_renew, l.cost, l.currency,
                case when l.problem is not null then 'rejected'
                     when not l.active then case when c.id is null then 'inactive' else 'orphaned' end
                     when c.id is null then 'unbilled'
                     else 'ok' end,
                l.problem, l.field, l.duplicate_of, d.id, d.customer_id, c.id, d.expires_on,
                coalesce(l.active and d.expires_on <> l.expires_on, false),
                case when l.problem is not null or not l.active then null
                     when t.tld is null then 'no_list_price'
                     when coalesce(l.currency, $2) = $2 and l.cost <> t.renewal_cost then 'cost_changed'
                     when c.domain_product and c.yearly <
                          coalesce(case when coalesce(l.currency, $2) = $2 then l.cost end, t.renewal_cost)
                         then 'below_cost'
                end,
                t.renewal_cost, c.yearly,
                coalesce(l.problem is null and l.active and d.id is not null
                         and (d.expires_on is distinct from coalesce(l.expires_on, d.expires_on)
                              or d.auto_renew <> coalesce(l.auto_renew, d.auto_renew)
                              or d.registrar = ''), false)
         from import i
         cross join registrar_lines l
         left join domains d on d.tenant_id = i.tenant_id and d.ascii_name = l.ascii_name
         left join billing c on c.id = d.contract_id
         left join tld_prices t on t.tenant_id = i.tenant_id and t.tld = l.tld",
    )
    .bind(import_id)
    .bind(currency)
    .execute(&mut *conn)
    .await?;
    // the domains missing from the list are found first, then their contracts looked up
    sqlx::query(
        "insert into registrar_import_rows (import_id, position, domain, ascii_name, tld,
             registrar_active, domain_id, customer_id, contract_id, kontor_expires_on, outcome)
         with import as materialized (
                  select id, tenant_id, reconciled_on from registrar_imports
                  where id = $1 and status = 'running'),
              missing as materialized (
                  select d.* from domains d join import i on d.tenant_id = i.tenant_id
                  where lower(d.registrar) = lower($2) and d.contract_id is not null
                    and not exists (select 1 from registrar_lines l where l.ascii_name = d.ascii_name))
         select i.id,
                (select coalesce(max(line), 0) from registrar_lines)
                    + row_number() over (order by d.ascii_name),
                d.name, d.ascii_name, d.tld, false, d.id, d.customer_id, c.id, d.expires_on, 'orphaned'
         from import i cross join missing d
         join contracts c on c.id = d.contract_id and (c.end_date is null or c.end_date >= i.reconciled_on)",
    )
    .bind(import_id)
    .bind(registrar.trim())
    .execute(conn)
    .await
    .map(drop)
}

/// Takes the registrar's expiry dates and renewal modes over into Kontor's domains, and
/// fills in the registrar where it was empty. Returns how many domains changed.
pub async fn apply(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    import_id: Uuid,
    registrar: &str,
) -> sqlx::Result<u64> {
    sqlx::query(
        "update domains d set
             expires_on = case when r.registrar_expires_on >= coalesce(d.registered_on, r.registrar_expires_on)
                               then r.registrar_expires_on else d.expires_on end,
             auto_renew = coalesce(r.auto_renew, d.auto_renew),
             registrar = case when d.registrar = '' then $3 else d.registrar end,
             updated_at = now()
         from registrar_import_rows r
         where r.import_id = $1 and r.needs_update and d.tenant_id = $2 and d.id = r.domain_id
           and (d.expires_on is distinct from coalesce(r.registrar_expires_on, d.expires_on)
                or d.auto_renew <> coalesce(r.auto_renew, d.auto_renew)
                or d.registrar = '')",
    )
    .bind(import_id)
    .bind(tenant_id)
    .bind(registrar.trim())
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// Counts the outcomes into the import and marks it done.
pub async fn finish(
    conn: &mut PgConnection,
    import_id: Uuid,
    updated_domains: u64,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update registrar_imports i set
             status = 'done', finished_at = now(), rows_done = rows_total,
             ok_count = s.ok, unbilled_count = s.unbilled, orphaned_count = s.orphaned,
             inactive_count = s.inactive, rejected_count = s.rejected,
             mismatch_count = s.mismatch, drift_count = s.drift,
             updated_domains = $2, error = $3
         from (select count(*) filter (where outcome = 'ok') as ok,
                      count(*) filter (where outcome = 'unbilled') as unbilled,
                      count(*) filter (where outcome = 'orphaned') as orphaned,
                      count(*) filter (where outcome = 'inactive') as inactive,
                      count(*) filter (where outcome = 'rejected') as rejected,
                      count(*) filter (where expiry_mismatch) as mismatch,
                      count(*) filter (where price_note is not null) as drift
               from registrar_import_rows where import_id = $1) s
         where i.id = $1",
    )
    .bind(import_id)
    .bind(i64::try_from(updated_domains).unwrap_or(i64::MAX))
    .bind(note)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn fail(conn: &mut PgConnection, import_id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query("update registrar_imports set status = 'failed', finished_at = now(), error = $2 where id = $1")
        .bind(import_id)
        .bind(error)
        .execute(conn)
        .await
        .map(drop)
}

/// Rejected lines of the file (for counting before anything is applied).
pub async fn rejected_count(conn: &mut PgConnection, import_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from registrar_import_rows where import_id = $1 and outcome = 'rejected'",
    )
    .bind(import_id)
    .fetch_one(conn)
    .await
}

const SUMMARY: &str =
    "i.id, i.registrar, i.layout, i.file_name, i.encoding, i.delimiter, i.dry_run,
    i.status, i.reconciled_on, i.rows_total, i.rows_done, i.ok_count, i.unbilled_count,
    i.orphaned_count, i.inactive_count, i.rejected_count, i.mismatch_count, i.drift_count,
    i.updated_domains, i.error, coalesce(u.display_name, ''), i.started_at, i.finished_at";

fn summary(row: sqlx::postgres::PgRow) -> sqlx::Result<ImportSummary> {
    use sqlx::Row;
    Ok(ImportSummary {
        id: row.try_get(0)?,
        registrar: row.try_get(1)?,
        layout: row.try_get(2)?,
        file_name: row.try_get(3)?,
        encoding: row.try_get(4)?,
        delimiter: row.try_get(5)?,
        dry_run: row.try_get(6)?,
        status: ImportStatus::parse(&row.try_get::<String, _>(7)?),
        reconciled_on: row.try_get(8)?,
        rows_total: row.try_get(9)?,
        rows_done: row.try_get(10)?,
        ok: row.try_get(11)?,
        unbilled: row.try_get(12)?,
        orphaned: row.try_get(13)?,
        inactive: row.try_get(14)?,
        rejected: row.try_get(15)?,
        expiry_mismatch: row.try_get(16)?,
        price_drift: row.try_get(17)?,
        updated_domains: row.try_get(18)?,
        error: row.try_get(19)?,
        imported_by: row.try_get(20)?,
        started_at: row.try_get(21)?,
        finished_at: row.try_get(22)?,
    })
}

pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ImportSummary>> {
    sqlx::query(&format!(
        "select {SUMMARY} from registrar_imports i left join users u on u.id = i.imported_by
         where i.tenant_id = $1 and i.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(summary)
    .transpose()
}

pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Page<ImportSummary>> {
    let total: i64 =
        sqlx::query_scalar("select count(*) from registrar_imports where tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *conn)
            .await?;
    let items = sqlx::query(&format!(
        "select {SUMMARY} from registrar_imports i left join users u on u.id = i.imported_by
         where i.tenant_id = $1 order by i.started_at desc, i.id limit $2 offset $3"
    ))
    .bind(tenant_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(summary)
    .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Page::new(items, total, page))
}

/// One page of the report in line order. The totals per view are the import's counts.
pub async fn rows(
    conn: &mut PgConnection,
    import_id: Uuid,
    view: ReportView,
    page: &PageRequest,
    total: i64,
) -> sqlx::Result<Page<ReportRow>> {
    let condition = match view {
        ReportView::All => "true",
        ReportView::Outcome(_) => "r.outcome = $4",
        ReportView::ExpiryMismatch => "r.expiry_mismatch",
        ReportView::PriceDrift => "r.price_note is not null",
    };
    let outcome = match view {
        ReportView::Outcome(outcome) => outcome.as_str(),
        _ => "",
    };
    let rows = sqlx::query_as::<_, ReportRowRecord>(&format!(
        "select r.position, r.line, r.domain, r.registrar_status, r.registrar_expires_on,
                r.kontor_expires_on, r.auto_renew, r.renewal_cost, r.list_cost, r.yearly_price,
                r.outcome, r.problem, r.problem_field, r.duplicate_of, r.expiry_mismatch, r.price_note,
                r.domain_id, r.customer_id, cu.display_name as customer, r.contract_id,
                c.number as contract_number, k.contract_id as created_contract_id,
                cc.number as created_contract_number
         from registrar_import_rows r
         left join customers cu on cu.id = r.customer_id
         left join contracts c on c.id = r.contract_id
         left join registrar_import_contracts k on k.import_id = r.import_id and k.position = r.position
         left join contracts cc on cc.id = k.contract_id
         where r.import_id = $1 and {condition}
         order by r.position limit $2 offset $3"
    ))
    .bind(import_id)
    .bind(page.limit())
    .bind(page.offset())
    .bind(outcome)
    .fetch_all(conn)
    .await?;
    Ok(Page::new(
        rows.into_iter().map(ReportRow::from).collect(),
        total,
        page,
    ))
}

#[derive(sqlx::FromRow)]
struct ReportRowRecord {
    position: i32,
    line: Option<i32>,
    domain: String,
    registrar_status: String,
    registrar_expires_on: Option<NaiveDate>,
    kontor_expires_on: Option<NaiveDate>,
    auto_renew: Option<bool>,
    renewal_cost: Option<Decimal>,
    list_cost: Option<Decimal>,
    yearly_price: Option<Decimal>,
    outcome: String,
    problem: Option<String>,
    problem_field: Option<String>,
    duplicate_of: Option<i32>,
    expiry_mismatch: bool,
    price_note: Option<String>,
    domain_id: Option<Uuid>,
    customer_id: Option<Uuid>,
    customer: Option<String>,
    contract_id: Option<Uuid>,
    contract_number: Option<String>,
    created_contract_id: Option<Uuid>,
    created_contract_number: Option<String>,
}

impl From<ReportRowRecord> for ReportRow {
    fn from(r: ReportRowRecord) -> Self {
        ReportRow {
            position: r.position,
            line: r.line,
            domain: r.domain,
            registrar_status: r.registrar_status,
            registrar_expires_on: r.registrar_expires_on,
            kontor_expires_on: r.kontor_expires_on,
            auto_renew: r.auto_renew,
            renewal_cost: r.renewal_cost,
            list_cost: r.list_cost,
            yearly_price: r.yearly_price,
            outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Rejected),
            problem: r.problem,
            problem_field: r.problem_field,
            duplicate_of: r.duplicate_of,
            expiry_mismatch: r.expiry_mismatch,
            price_note: r.price_note.as_deref().and_then(PriceNote::parse),
            domain_id: r.domain_id,
            customer_id: r.customer_id,
            customer: r.customer,
            contract_id: r.contract_id,
            contract_number: r.contract_number,
            created_contract_id: r.created_contract_id,
            created_contract_number: r.created_contract_number,
        }
    }
}

/// An unbilled line chosen to become a contract, locked against a second click.
#[derive(sqlx::FromRow)]
pub struct UnbilledLine {
    pub position: i32,
    pub domain: String,
    pub ascii_name: String,
    pub tld: String,
    pub domain_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub registered_on: Option<NaiveDate>,
    pub registrar_expires_on: Option<NaiveDate>,
    pub auto_renew: Option<bool>,
    pub renewal_price: Option<Decimal>,
}

pub async fn unbilled_lines(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    import_id: Uuid,
    positions: &[i32],
) -> sqlx::Result<Vec<UnbilledLine>> {
    sqlx::query_as(
        "select r.position, r.domain, r.ascii_name, r.tld, r.domain_id, r.customer_id,
                r.registered_on, r.registrar_expires_on, r.auto_renew, t.renewal_price
         from registrar_import_rows r
         join registrar_imports i on i.id = r.import_id and i.tenant_id = $1
         left join tld_prices t on t.tenant_id = $1 and t.tld = r.tld
         where r.import_id = $2 and r.position = any($3) and r.outcome = 'unbilled'
           and not exists (select 1 from registrar_import_contracts k
                           where k.import_id = r.import_id and k.position = r.position)
         order by r.position
         for update of r",
    )
    .bind(tenant_id)
    .bind(import_id)
    .bind(positions)
    .fetch_all(conn)
    .await
}

/// Active domain products as (id, name), for the "create contract" choice.
pub async fn domain_products(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select id, name from products where tenant_id = $1 and kind = 'domain' and active
         order by lower(name), id",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}

/// The product a domain contract is made of by default: the first active domain product.
pub async fn default_domain_product(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "select id from products where tenant_id = $1 and kind = 'domain' and active
         order by lower(name), id limit 1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// Links a known domain to its new contract, or adds the domain with the registrar's data.
pub async fn attach_domain(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    line: &UnbilledLine,
    customer_id: Uuid,
    contract_id: Uuid,
    registrar: &str,
) -> sqlx::Result<()> {
    match line.domain_id {
        Some(domain_id) => sqlx::query("update domains set contract_id = $3, updated_at = now() where tenant_id = $1 and id = $2")
            .bind(tenant_id)
            .bind(domain_id)
            .bind(contract_id)
            .execute(conn)
            .await
            .map(drop),
        None => sqlx::query(
            "insert into domains (id, tenant_id, customer_id, contract_id, name, ascii_name, tld,
                 registrar, registered_on, expires_on, auto_renew)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(Uuid::new_v4())
        .bind(tenant_id)
        .bind(customer_id)
        .bind(contract_id)
        .bind(&line.domain)
        .bind(&line.ascii_name)
        .bind(&line.tld)
        .bind(registrar.trim())
        .bind(line.registered_on)
        .bind(line.registrar_expires_on)
        .bind(line.auto_renew.unwrap_or(true))
        .execute(conn)
        .await
        .map(drop),
    }
}

/// Links the line to its new contract; false when a parallel request was quicker (its
/// link holds, this request's contract must not stay).
pub async fn mark_contract_created(
    conn: &mut PgConnection,
    import_id: Uuid,
    position: i32,
    contract_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<bool> {
    let linked = sqlx::query(
        "insert into registrar_import_contracts (import_id, position, contract_id)
         values ($1, $2, $3) on conflict do nothing",
    )
    .bind(import_id)
    .bind(position)
    .bind(contract_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if linked {
        sqlx::query(
            "update registrar_import_rows set customer_id = $3 where import_id = $1 and position = $2",
        )
        .bind(import_id)
        .bind(position)
        .bind(customer_id)
        .execute(conn)
        .await?;
    }
    Ok(linked)
}

/// The registrar names the tenant's domains use, for the upload form's suggestions.
pub async fn known_registrars(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select registrar from (select distinct registrar from domains where tenant_id = $1 and registrar <> ''
                                union select registrar from registrar_imports where tenant_id = $1) r
         order by lower(registrar) limit 50",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}
