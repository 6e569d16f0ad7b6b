//! SQL of billing runs: a batch of customers is read with four statements and written with
//! four (`UNNEST` arrays), whatever its size.

use super::model::*;
use crate::domain::billing::{BillableContract, ContractAdvance, UnbilledUsage};
use crate::domain::invoice_math::LineTax;
use crate::domain::periods::{BillingInterval, BillingMode, FeeUnit, PriceChange, Terms};
use crate::domain::tax::{TaxTreatment, VatCategory};
use crate::domain::usage_pricing::{UsagePrice, UsageTier};
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, Row};
use std::collections::HashMap;
use uuid::Uuid;

/// Customers billed per transaction: big enough that statements per invoice stay far below
/// 0.01, small enough that a batch's locks and memory stay short.
pub const BATCH_CUSTOMERS: usize = 1000;

/// Contracts that may have something to bill on $date (the pure core decides exactly):
/// started, and a setup fee, a period, an early-end credit or finished-month usage open.
const MAY_BE_DUE: &str = "c.start_date <= $date
    and (not c.setup_fee_billed
         or c.billed_until is null
         or (c.billed_until < $date and (c.end_date is null or c.billed_until < c.end_date))
         or c.billed_until > c.end_date
         or exists (select 1 from usage_records u
                    where u.contract_id = c.id and u.billed_at is null
                      and u.period_start + interval '1 month' <= $date))";

fn may_be_due(date_param: &str) -> String {
    MAY_BE_DUE.replace("$date", date_param)
}

pub async fn create_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_date: NaiveDate,
    preview: bool,
    started_via: &str,
    started_by: Option<Uuid>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into billing_runs (id, tenant_id, run_date, preview, started_via, started_by)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(run_date)
    .bind(preview)
    .bind(started_via)
    .bind(started_by)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Throws away the invoices of earlier previews: a preview is only worth its latest run.
pub async fn drop_old_previews(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    keep_run: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "delete from invoices where tenant_id = $1 and status = 'preview' and billing_run_id <> $2",
    )
    .bind(tenant_id)
    .bind(keep_run)
    .execute(conn)
    .await
    .map(drop)
}

/// The customers with something that may be due, in customer-number order.
pub async fn due_customers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_date: NaiveDate,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(&format!(
        "select cu.id from customers cu
         where cu.tenant_id = $1
           and exists (select 1 from contracts c where c.customer_id = cu.id and c.tenant_id = $1 and {})
         order by cu.number",
        may_be_due("$2")
    ))
    .bind(tenant_id)
    .bind(run_date)
    .fetch_all(conn)
    .await
}

pub async fn set_total(conn: &mut PgConnection, run_id: Uuid, customers: i32) -> sqlx::Result<()> {
    sqlx::query("update billing_runs set customers_total = $2 where id = $1")
        .bind(run_id)
        .bind(customers)
        .execute(conn)
        .await
        .map(drop)
}

/// A customer of the batch with the contracts that may be due, in contract-number order.
pub struct CustomerToBill {
    pub id: Uuid,
    pub treatment: TaxTreatment,
    pub language: String,
    pub contracts: Vec<ContractToBill>,
}

pub struct ContractToBill {
    pub number: String,
    pub description: String,
    pub billable: BillableContract,
}

/// Reads a batch; `lock` holds the contracts until the batch commits, so a parallel run
/// waits and then sees them billed.
pub async fn load_batch(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_ids: &[Uuid],
    run_date: NaiveDate,
    lock: bool,
) -> sqlx::Result<Vec<CustomerToBill>> {
    let customers = sqlx::query(
        "select id, tax_treatment, language from customers
         where tenant_id = $1 and id = any($2) order by number",
    )
    .bind(tenant_id)
    .bind(customer_ids)
    .fetch_all(&mut *conn)
    .await?;
    let contracts = sqlx::query(&format!(
        "select c.id, c.customer_id, c.number, c.description, c.start_date, c.end_date, c.fee, c.fee_unit,
                c.quantity, c.discount_percent, c.billing_interval, c.billing_mode, c.billed_until,
                c.setup_fee, c.setup_fee_billed, c.vat_category
         from contracts c
         where c.tenant_id = $1 and c.customer_id = any($2) and {}
         order by c.id {}",
        may_be_due("$3"),
        if lock { "for update of c" } else { "" }
    ))
    .bind(tenant_id)
    .bind(customer_ids)
    .bind(run_date)
    .fetch_all(&mut *conn)
    .await?;
    let contract_ids: Vec<Uuid> = contracts
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<sqlx::Result<_>>()?;
    let mut prices: HashMap<Uuid, Vec<PriceChange>> = HashMap::new();
    for row in sqlx::query(
        "select contract_id, valid_from, fee from contract_prices where contract_id = any($1)",
    )
    .bind(&contract_ids)
    .fetch_all(&mut *conn)
    .await?
    {
        prices
            .entry(row.try_get("contract_id")?)
            .or_default()
            .push(PriceChange {
                valid_from: row.try_get("valid_from")?,
                fee: row.try_get("fee")?,
            });
    }
    let mut usage: HashMap<Uuid, Vec<UnbilledUsage>> = HashMap::new();
    for row in sqlx::query(
        "select u.id, u.contract_id, u.metric, u.period_start, u.quantity,
                coalesce(nullif(u.unit, ''), p.unit) as unit, p.included_quantity,
                coalesce(array_agg(t.from_quantity order by t.from_quantity) filter (where t.from_quantity is not null), '{}') as tier_from,
                coalesce(array_agg(t.unit_price order by t.from_quantity) filter (where t.from_quantity is not null), '{}') as tier_price
         from usage_records u
         join contracts c on c.id = u.contract_id
         join product_usage_prices p on p.product_id = c.product_id and p.metric = u.metric
         left join product_usage_tiers t on t.product_id = p.product_id and t.metric = p.metric
         where u.contract_id = any($1) and u.billed_at is null
           and u.period_start + interval '1 month' <= $2
         group by u.id, p.unit, p.included_quantity
         order by u.period_start, u.metric",
    )
    .bind(&contract_ids)
    .bind(run_date)
    .fetch_all(&mut *conn)
    .await?
    {
        let froms: Vec<Decimal> = row.try_get("tier_from")?;
        let unit_prices: Vec<Decimal> = row.try_get("tier_price")?;
        usage
            .entry(row.try_get("contract_id")?)
            .or_default()
            .push(UnbilledUsage {
                record_id: row.try_get("id")?,
                metric: row.try_get("metric")?,
                month: row.try_get("period_start")?,
                quantity: row.try_get("quantity")?,
                unit: row.try_get("unit")?,
                price: UsagePrice {
                    included: row.try_get("included_quantity")?,
                    tiers: froms
                        .into_iter()
                        .zip(unit_prices)
                        .map(|(from, unit_price)| UsageTier { from, unit_price })
                        .collect(),
                },
            });
    }
    let mut by_customer: HashMap<Uuid, Vec<ContractToBill>> = HashMap::new();
    for row in contracts {
        let id: Uuid = row.try_get("id")?;
        let text = |column: &str| row.try_get::<String, _>(column);
        let contract = ContractToBill {
            number: text("number")?,
            description: text("description")?,
            billable: BillableContract {
                id,
                terms: Terms {
                    start: row.try_get("start_date")?,
                    end: row.try_get("end_date")?,
                    fee: row.try_get("fee")?,
                    fee_unit: FeeUnit::parse(&text("fee_unit")?).unwrap_or(FeeUnit::Month),
                    quantity: row.try_get("quantity")?,
                    discount_percent: row.try_get("discount_percent")?,
                    interval: BillingInterval::parse(&text("billing_interval")?)
                        .unwrap_or(BillingInterval::Monthly),
                    mode: BillingMode::parse(&text("billing_mode")?)
                        .unwrap_or(BillingMode::InAdvance),
                },
                price_changes: prices.remove(&id).unwrap_or_default(),
                billed_until: row.try_get("billed_until")?,
                setup_fee: row.try_get("setup_fee")?,
                setup_fee_billed: row.try_get("setup_fee_billed")?,
                vat_category: VatCategory::parse(&text("vat_category")?).unwrap_or_default(),
                usage: usage.remove(&id).unwrap_or_default(),
            },
        };
        by_customer
            .entry(row.try_get("customer_id")?)
            .or_default()
            .push(contract);
    }
    customers
        .into_iter()
        .map(|row| {
            let id: Uuid = row.try_get("id")?;
            let mut contracts = by_customer.remove(&id).unwrap_or_default();
            contracts.sort_by(|a, b| a.number.cmp(&b.number));
            Ok(CustomerToBill {
                id,
                treatment: TaxTreatment::parse(&row.try_get::<String, _>("tax_treatment")?)
                    .unwrap_or_default(),
                language: row.try_get("language")?,
                contracts,
            })
        })
        .collect()
}

/// An invoice of the batch as it is written.
pub struct NewInvoice {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

pub struct NewLine {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub position: i32,
    pub kind: &'static str,
    pub contract_id: Uuid,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub description: String,
    pub quantity: Decimal,
    pub unit_code: &'static str,
    pub unit_price: Decimal,
    pub net: Decimal,
    pub tax: LineTax,
}

/// The batch's result, written with one statement per table.
#[derive(Default)]
pub struct BatchWrite {
    pub invoices: Vec<NewInvoice>,
    pub lines: Vec<NewLine>,
    pub advances: Vec<ContractAdvance>,
    /// (usage record, the invoice line that bills it)
    pub usage: Vec<(Uuid, Uuid)>,
}

pub async fn write_batch(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_id: Uuid,
    preview: bool,
    created_by: Option<Uuid>,
    batch: &BatchWrite,
) -> sqlx::Result<()> {
    if batch.invoices.is_empty() && batch.advances.is_empty() {
        return Ok(());
    }
    let invoices = &batch.invoices;
    sqlx::query(
        "insert into invoices (id, tenant_id, customer_id, kind, status, billing_run_id, currency,
             language, tax_treatment, customer_number, buyer_name, buyer_street, buyer_postal_code,
             buyer_city, buyer_country, buyer_vat_id, buyer_leitweg_id, buyer_email, period_start,
             period_end, net_total, tax_total, gross_total, created_by)
         select u.id, $1, c.id, 'invoice', $3, $2, t.currency, c.language, c.tax_treatment, c.number,
                c.display_name, c.billing_street, c.billing_postal_code, c.billing_city,
                c.billing_country, c.vat_id, c.leitweg_id,
                case when c.invoice_email <> '' then c.invoice_email else c.email end,
                u.period_start, u.period_end, u.net, u.tax, u.gross, $4
         from unnest($5::uuid[], $6::uuid[], $7::date[], $8::date[], $9::numeric[], $10::numeric[], $11::numeric[])
              as u(id, customer_id, period_start, period_end, net, tax, gross)
         join customers c on c.id = u.customer_id and c.tenant_id = $1
         join tenants t on t.id = $1",
    )
    .bind(tenant_id)
    .bind(run_id)
    .bind(if preview { "preview" } else { "draft" })
    .bind(created_by)
    .bind(invoices.iter().map(|i| i.id).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.customer_id).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.period_start).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.period_end).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.net).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.tax).collect::<Vec<_>>())
    .bind(invoices.iter().map(|i| i.gross).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    let lines = &batch.lines;
    sqlx::query(
        "insert into invoice_lines (id, invoice_id, position, kind, preview, contract_id, period_start,
             period_end, description, quantity, unit_code, unit_price, net_amount, vat_code, vat_rate, tax_note)
         select id, invoice_id, position, kind, $1, contract_id, period_start, period_end, description,
                quantity, unit_code, unit_price, net, vat_code, vat_rate, tax_note
         from unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::uuid[], $7::date[], $8::date[],
                     $9::text[], $10::numeric[], $11::text[], $12::numeric[], $13::numeric[], $14::text[],
                     $15::numeric[], $16::text[])
              as u(id, invoice_id, position, kind, contract_id, period_start, period_end, description,
                   quantity, unit_code, unit_price, net, vat_code, vat_rate, tax_note)",
    )
    .bind(preview)
    .bind(lines.iter().map(|l| l.id).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.invoice_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.position).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.kind).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.contract_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.period_start).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.period_end).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.description.as_str()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.quantity).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.unit_code).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.unit_price).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.net).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.code.code()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.rate).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.note.map(|n| n.as_str())).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    if preview {
        return Ok(());
    }
    let advances = &batch.advances;
    sqlx::query(
        "update contracts c set billed_until = u.billed_until, setup_fee_billed = u.setup_fee_billed,
             updated_at = now()
         from unnest($2::uuid[], $3::date[], $4::bool[]) as u(id, billed_until, setup_fee_billed)
         where c.id = u.id and c.tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(advances.iter().map(|a| a.contract_id).collect::<Vec<_>>())
    .bind(advances.iter().map(|a| a.billed_until).collect::<Vec<_>>())
    .bind(advances.iter().map(|a| a.setup_fee_billed).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    if !batch.usage.is_empty() {
        sqlx::query(
            "update usage_records r set billed_at = now(), invoice_line_id = u.line_id
             from unnest($2::uuid[], $3::uuid[]) as u(id, line_id)
             where r.id = u.id and r.tenant_id = $1 and r.billed_at is null",
        )
        .bind(tenant_id)
        .bind(batch.usage.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(
            batch
                .usage
                .iter()
                .map(|(_, line)| *line)
                .collect::<Vec<_>>(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Adds a committed batch to the run's counts.
pub async fn progress(
    conn: &mut PgConnection,
    run_id: Uuid,
    customers: i32,
    invoices: i32,
    lines: i32,
    net: Decimal,
    gross: Decimal,
) -> sqlx::Result<()> {
    sqlx::query(
        "update billing_runs set customers_done = customers_done + $2, invoice_count = invoice_count + $3,
             line_count = line_count + $4, net_total = net_total + $5, gross_total = gross_total + $6
         where id = $1",
    )
    .bind(run_id)
    .bind(customers)
    .bind(invoices)
    .bind(lines)
    .bind(net)
    .bind(gross)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn finish(
    conn: &mut PgConnection,
    run_id: Uuid,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update billing_runs set status = case when $2::text is null then 'done' else 'failed' end,
             error = coalesce($2, ''), finished_at = now()
         where id = $1",
    )
    .bind(run_id)
    .bind(error)
    .execute(conn)
    .await
    .map(drop)
}

const SUMMARY: &str = "r.id, r.run_date, r.preview, r.status, r.started_via, r.customers_total,
    r.customers_done, r.invoice_count, r.line_count, r.net_total, r.gross_total, r.error,
    coalesce(u.display_name, ''), r.started_at, r.finished_at,
    (select currency from tenants t where t.id = r.tenant_id)";

fn summary(row: sqlx::postgres::PgRow) -> sqlx::Result<RunSummary> {
    Ok(RunSummary {
        id: row.try_get(0)?,
        run_date: row.try_get(1)?,
        preview: row.try_get(2)?,
        status: RunStatus::parse(&row.try_get::<String, _>(3)?),
        started_via: row.try_get(4)?,
        customers_total: row.try_get(5)?,
        customers_done: row.try_get(6)?,
        invoice_count: row.try_get(7)?,
        line_count: row.try_get(8)?,
        net_total: row.try_get(9)?,
        gross_total: row.try_get(10)?,
        error: row.try_get(11)?,
        started_by: row.try_get(12)?,
        started_at: row.try_get(13)?,
        finished_at: row.try_get(14)?,
        currency: row.try_get(15)?,
    })
}

pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<RunSummary>> {
    sqlx::query(&format!(
        "select {SUMMARY} from billing_runs r left join users u on u.id = r.started_by
         where r.tenant_id = $1 and r.id = $2"
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
) -> sqlx::Result<Page<RunSummary>> {
    let total: i64 = sqlx::query_scalar("select count(*) from billing_runs where tenant_id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query(&format!(
        "select {SUMMARY} from billing_runs r left join users u on u.id = r.started_by
         where r.tenant_id = $1 order by r.started_at desc, r.id limit $2 offset $3"
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

/// The tenant's billing settings (defaults until it saves its own).
pub async fn settings(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<BillingSettings> {
    let row = sqlx::query(
        "select schedule, schedule_day, next_run_on, auto_issue, credit_note_approval,
                datev_consultant, datev_client, datev_chart, fiscal_year_start
         from billing_settings where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(BillingSettings {
            schedule_day: 1,
            fiscal_year_start: 1,
            ..BillingSettings::default()
        });
    };
    let number = |value: Option<i32>| value.map(|v| v.to_string()).unwrap_or_default();
    Ok(BillingSettings {
        schedule: crate::domain::billing_schedule::Schedule::parse(row.try_get("schedule")?)
            .unwrap_or_default(),
        schedule_day: u32::try_from(row.try_get::<i32, _>("schedule_day")?).unwrap_or(1),
        next_run_on: row.try_get("next_run_on")?,
        auto_issue: row.try_get("auto_issue")?,
        credit_note_approval: row.try_get("credit_note_approval")?,
        datev_consultant: number(row.try_get("datev_consultant")?),
        datev_client: number(row.try_get("datev_client")?),
        datev_chart: crate::domain::datev::Chart::parse(row.try_get("datev_chart")?)
            .unwrap_or_default(),
        fiscal_year_start: u32::try_from(row.try_get::<i32, _>("fiscal_year_start")?).unwrap_or(1),
    })
}

/// Checked settings as stored.
pub struct StoredSettings<'a> {
    pub settings: &'a BillingSettings,
    pub next_run_on: Option<NaiveDate>,
    pub consultant: Option<i32>,
    pub client: Option<i32>,
}

pub async fn save_settings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    stored: &StoredSettings<'_>,
) -> sqlx::Result<()> {
    let s = stored.settings;
    sqlx::query(
        "insert into billing_settings (tenant_id, schedule, schedule_day, next_run_on, auto_issue,
             credit_note_approval, datev_consultant, datev_client, datev_chart, fiscal_year_start)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (tenant_id) do update set schedule = excluded.schedule,
             schedule_day = excluded.schedule_day, next_run_on = excluded.next_run_on,
             auto_issue = excluded.auto_issue, credit_note_approval = excluded.credit_note_approval,
             datev_consultant = excluded.datev_consultant, datev_client = excluded.datev_client,
             datev_chart = excluded.datev_chart, fiscal_year_start = excluded.fiscal_year_start",
    )
    .bind(tenant_id)
    .bind(s.schedule.as_str())
    .bind(i32::try_from(s.schedule_day).unwrap_or(1))
    .bind(stored.next_run_on)
    .bind(s.auto_issue)
    .bind(s.credit_note_approval)
    .bind(stored.consultant)
    .bind(stored.client)
    .bind(s.datev_chart.as_str())
    .bind(i32::try_from(s.fiscal_year_start).unwrap_or(1))
    .execute(conn)
    .await
    .map(drop)
}

/// A tenant whose scheduled run is due now.
#[derive(Debug, sqlx::FromRow)]
pub struct DueSchedule {
    pub tenant_id: Uuid,
    pub schedule: String,
    pub schedule_day: i32,
    pub today: NaiveDate,
    pub auto_issue: bool,
}

/// Tenants whose scheduled run is due (from 06:00 of its day in the tenant's time zone, or
/// missed on an earlier day), locked so that a second server skips them.
pub async fn claim_due_schedules(conn: &mut PgConnection) -> sqlx::Result<Vec<DueSchedule>> {
    sqlx::query_as(
        "select s.tenant_id, s.schedule, s.schedule_day, (now() at time zone t.time_zone)::date as today,
                s.auto_issue
         from billing_settings s join tenants t on t.id = s.tenant_id
         where s.schedule <> 'off'
           and (s.next_run_on < (now() at time zone t.time_zone)::date
                or (s.next_run_on = (now() at time zone t.time_zone)::date
                    and (now() at time zone t.time_zone)::time >= time '06:00'))
         for update of s skip locked",
    )
    .fetch_all(conn)
    .await
}

pub async fn set_next_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    next: Option<NaiveDate>,
) -> sqlx::Result<()> {
    sqlx::query("update billing_settings set next_run_on = $2 where tenant_id = $1")
        .bind(tenant_id)
        .bind(next)
        .execute(conn)
        .await
        .map(drop)
}
