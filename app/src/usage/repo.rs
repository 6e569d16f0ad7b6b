//! SQL of usage billing. Imports are set-based: every statement takes the whole file as
//! arrays (`unnest`), so an import costs the same few statements for 10 rows or 100,000.

use super::model::*;
use crate::customers::repo::COUNT_LIMIT;
use crate::domain::usage_pricing::{UsagePrice, UsageTier};
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::collections::HashMap;
use uuid::Uuid;

/// What a row's references lead to in the tenant.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Resolved {
    pub idx: i32,
    /// The contract the number or id names (None: unknown in this tenant, or not given).
    pub named: Option<Uuid>,
    /// Whether the domain is one of the tenant's.
    pub domain_known: bool,
    /// The contract the domain is linked to.
    pub via_domain: Option<Uuid>,
    /// The contract the row is for (named, else via the domain), with what the checks need.
    pub contract_id: Option<Uuid>,
    pub contract_number: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
    pub product_name: Option<String>,
}

/// Resolves every row's contract number or id and domain in one statement.
/// `numbers`, `ids` and `domains` are parallel to `idx`; a missing reference is null.
pub async fn resolve(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    idx: &[i32],
    numbers: &[Option<String>],
    ids: &[Option<Uuid>],
    domains: &[Option<String>],
) -> sqlx::Result<Vec<Resolved>> {
    sqlx::query_as(
        "with input as (
             select * from unnest($2::int[], $3::text[], $4::uuid[], $5::text[]) as i(idx, number, id, ascii)
         ), refs as (
             select i.idx, coalesce(cn.id, ci.id) as named, d.id is not null as domain_known,
                    d.contract_id as via_domain
             from input i
             left join contracts cn on cn.tenant_id = $1 and cn.number = i.number
             left join contracts ci on ci.tenant_id = $1 and ci.id = i.id
             left join domains d on d.tenant_id = $1 and d.ascii_name = i.ascii
         )
         select r.idx, r.named, r.domain_known, r.via_domain, c.id as contract_id,
                c.number as contract_number, c.start_date, c.end_date, c.product_id,
                p.name as product_name
         from refs r
         left join contracts c on c.id = coalesce(r.named, r.via_domain) and c.tenant_id = $1
         left join products p on p.id = c.product_id",
    )
    .bind(tenant_id)
    .bind(idx)
    .bind(numbers)
    .bind(ids)
    .bind(domains)
    .fetch_all(conn)
    .await
}

/// The metrics the products price, with their units: product → metric → unit.
pub async fn priced_metrics(
    conn: &mut PgConnection,
    product_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, HashMap<String, String>>> {
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select product_id, metric, unit from product_usage_prices where product_id = any($1)",
    )
    .bind(product_ids)
    .fetch_all(conn)
    .await?;
    let mut map: HashMap<Uuid, HashMap<String, String>> = HashMap::new();
    for (product, metric, unit) in rows {
        map.entry(product).or_default().insert(metric, unit);
    }
    Ok(map)
}

/// A stored record a row would replace.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Existing {
    pub idx: i32,
    pub quantity: Decimal,
    pub unit: String,
    pub billed: bool,
}

/// The stored records with the same contract, metric and month as the rows.
pub async fn existing(
    conn: &mut PgConnection,
    idx: &[i32],
    contracts: &[Uuid],
    metrics: &[String],
    periods: &[NaiveDate],
) -> sqlx::Result<Vec<Existing>> {
    sqlx::query_as(
        "select i.idx, u.quantity, u.unit, u.billed_at is not null as billed
         from unnest($1::int[], $2::uuid[], $3::text[], $4::date[]) as i(idx, contract_id, metric, period_start)
         join usage_records u on u.contract_id = i.contract_id and u.metric = i.metric
                             and u.period_start = i.period_start",
    )
    .bind(idx)
    .bind(contracts)
    .bind(metrics)
    .bind(periods)
    .fetch_all(conn)
    .await
}

/// Rows to store, as parallel arrays.
#[derive(Debug, Default)]
pub struct Batch {
    pub contracts: Vec<Uuid>,
    pub metrics: Vec<String>,
    pub periods: Vec<NaiveDate>,
    pub quantities: Vec<Decimal>,
    pub units: Vec<String>,
}

/// Who stores a batch and how it came.
pub struct Importer<'a> {
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub label: &'a str,
    pub source: Source,
}

/// Stores the batch in one statement: new months are inserted, changed quantities or units
/// replaced, equal ones left alone, billed ones never touched. Returns (new, updated).
pub async fn upsert(
    conn: &mut PgConnection,
    importer: &Importer<'_>,
    batch: &Batch,
) -> sqlx::Result<(u32, u32)> {
    let inserted: Vec<bool> = sqlx::query_scalar(
        "insert into usage_records (id, tenant_id, contract_id, metric, period_start, quantity, unit,
                                    source, imported_by, imported_by_label)
         select gen_random_uuid(), $1, t.contract_id, t.metric, t.period_start, t.quantity, t.unit, $7, $8, $9
         from unnest($2::uuid[], $3::text[], $4::date[], $5::numeric[], $6::text[])
              as t(contract_id, metric, period_start, quantity, unit)
         on conflict (contract_id, metric, period_start) do update
             set quantity = excluded.quantity, unit = excluded.unit, source = excluded.source,
                 imported_by = excluded.imported_by, imported_by_label = excluded.imported_by_label,
                 imported_at = now()
             where usage_records.billed_at is null
               and (usage_records.quantity <> excluded.quantity or usage_records.unit <> excluded.unit)
         returning xmax = 0",
    )
    .bind(importer.tenant_id)
    .bind(&batch.contracts)
    .bind(&batch.metrics)
    .bind(&batch.periods)
    .bind(&batch.quantities)
    .bind(&batch.units)
    .bind(importer.source.as_str())
    .bind(importer.user_id)
    .bind(importer.label)
    .fetch_all(conn)
    .await?;
    let new = inserted.iter().filter(|i| **i).count();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok((count(new), count(inserted.len() - new)))
}

type ListRecord = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    NaiveDate,
    Decimal,
    String,
    String,
    String,
    String,
    bool,
);

fn push_conditions(
    query: &mut QueryBuilder<'_, Postgres>,
    tenant_id: Uuid,
    filter: &UsageFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) {
    query.push(" where u.tenant_id = ").push_bind(tenant_id);
    if let Some(contract_id) = filter.contract_id {
        query.push(" and u.contract_id = ").push_bind(contract_id);
    }
    let contract = filter.contract.trim();
    if !contract.is_empty() {
        let pattern = format!(
            "%{}%",
            contract
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query.push(" and lower(c.number) like ").push_bind(pattern);
    }
    if let Some(metric) = normalize_metric(&filter.metric) {
        query.push(" and u.metric = ").push_bind(metric);
    }
    if let Some(from) = from {
        query.push(" and u.period_start >= ").push_bind(from);
    }
    if let Some(to) = to {
        query.push(" and u.period_start <= ").push_bind(to);
    }
}

/// One page of records, newest month first unless sorted otherwise; the count stops at
/// `COUNT_LIMIT` like the other big lists.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &UsageFilter,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    page: &PageRequest,
) -> sqlx::Result<Page<UsageRow>> {
    let from_clause = " from usage_records u join contracts c on c.id = u.contract_id";
    let mut count = QueryBuilder::new("select count(*) from (select 1");
    count.push(from_clause);
    push_conditions(&mut count, tenant_id, filter, from, to);
    count
        .push(" limit ")
        .push_bind(COUNT_LIMIT + 1)
        .push(") counted");
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    // newest month first unless a column is chosen
    let direction = if page.descending || page.sort.is_empty() {
        "desc"
    } else {
        "asc"
    };
    let order = match page.sort.as_str() {
        "contract" => "c.number",
        "metric" => "u.metric",
        "quantity" => "u.quantity",
        "imported" => "u.imported_at",
        _ => "u.period_start",
    };
    let mut rows = QueryBuilder::new(
        "select u.id, u.contract_id, c.number, cu.display_name, u.metric, u.period_start, u.quantity,
                u.unit, u.source, coalesce(nullif(u.imported_by_label, ''), '–'),
                to_char(u.imported_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                u.billed_at is not null",
    );
    rows.push(from_clause)
        .push(" join customers cu on cu.id = c.customer_id join tenants t on t.id = u.tenant_id");
    push_conditions(&mut rows, tenant_id, filter, from, to);
    rows.push(format!(
        " order by {order} {direction}, u.id {direction} limit {} offset {}",
        page.limit(),
        page.offset()
    ));
    let records: Vec<ListRecord> = rows.build_query_as().fetch_all(&mut *conn).await?;
    let mut result = Page::new(
        records
            .into_iter()
            .map(
                |(
                    id,
                    contract_id,
                    contract_number,
                    customer_name,
                    metric,
                    period_start,
                    quantity,
                    unit,
                    source,
                    imported_by,
                    imported_at,
                    billed,
                )| UsageRow {
                    id,
                    contract_id,
                    contract_number,
                    customer_name,
                    metric,
                    period_start,
                    quantity: quantity.normalize(),
                    unit,
                    source: Source::parse(&source).unwrap_or(Source::Csv),
                    imported_by,
                    imported_at,
                    billed,
                },
            )
            .collect(),
        total.min(COUNT_LIMIT),
        page,
    );
    result.total_capped = total > COUNT_LIMIT;
    Ok(result)
}

/// metric, month, quantity, unit, the product's unit and included quantity for the metric
type ChartRecord = (
    String,
    NaiveDate,
    Decimal,
    String,
    Option<String>,
    Option<Decimal>,
);

/// The last `CHART_MONTHS` months up to the latest recorded one, per metric, with the
/// product's included quantity. `customer_id` limits it to that customer's contracts (the
/// portal). None: no such contract (for this customer).
pub async fn chart(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contract_id: Uuid,
    customer_id: Option<Uuid>,
) -> sqlx::Result<Option<UsageChartData>> {
    let contract: Option<(String, Option<Uuid>)> = sqlx::query_as(
        "select number, product_id from contracts
         where id = $1 and tenant_id = $2 and ($3::uuid is null or customer_id = $3)",
    )
    .bind(contract_id)
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((contract_number, product_id)) = contract else {
        return Ok(None);
    };
    let rows: Vec<ChartRecord> =
        sqlx::query_as(
            "with latest as (select max(period_start) as last from usage_records where contract_id = $1)
             select u.metric, u.period_start, u.quantity, u.unit, p.unit, p.included_quantity
             from usage_records u cross join latest
             left join product_usage_prices p on p.product_id = $2 and p.metric = u.metric
             where u.contract_id = $1
               and u.period_start > latest.last - make_interval(months => $3)
             order by u.metric, u.period_start",
        )
        .bind(contract_id)
        .bind(product_id)
        .bind(i32::try_from(super::CHART_MONTHS).unwrap_or(12))
        .fetch_all(conn)
        .await?;
    let Some(last) = rows.iter().map(|r| r.1).max() else {
        return Ok(Some(UsageChartData {
            contract_number,
            ..UsageChartData::default()
        }));
    };
    let months: Vec<NaiveDate> = (0..super::CHART_MONTHS)
        .rev()
        .filter_map(|back| last.checked_sub_months(chrono::Months::new(back)))
        .collect();
    let mut series: Vec<UsageSeries> = Vec::new();
    for (metric, period, quantity, unit, priced_unit, included) in rows {
        if series.last().is_none_or(|s| s.metric != metric) {
            series.push(UsageSeries {
                metric: metric.clone(),
                unit: priced_unit.unwrap_or(unit),
                included: included.map(|i| i.normalize()),
                values: vec![None; months.len()],
            });
        }
        if let (Some(current), Some(slot)) =
            (series.last_mut(), months.iter().position(|m| *m == period))
        {
            current.values[slot] = Some(quantity.normalize());
        }
    }
    Ok(Some(UsageChartData {
        contract_number,
        months,
        series,
    }))
}

/// metric, unit, included quantity, tier starts and prices
type PriceRecord = (String, String, Decimal, Vec<Decimal>, Vec<Decimal>);

/// The usage prices of a product, by metric. None: not a product of the tenant.
pub async fn prices(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    product_id: Uuid,
) -> sqlx::Result<Option<Vec<ValidUsagePrice>>> {
    let known: bool = sqlx::query_scalar(
        "select exists (select 1 from products where id = $1 and tenant_id = $2)",
    )
    .bind(product_id)
    .bind(tenant_id)
    .fetch_one(&mut *conn)
    .await?;
    if !known {
        return Ok(None);
    }
    let rows: Vec<PriceRecord> = sqlx::query_as(
        "select p.metric, p.unit, p.included_quantity,
                coalesce(array_agg(t.from_quantity order by t.from_quantity) filter (where t.product_id is not null), '{}'),
                coalesce(array_agg(t.unit_price order by t.from_quantity) filter (where t.product_id is not null), '{}')
         from product_usage_prices p
         left join product_usage_tiers t on t.product_id = p.product_id and t.metric = p.metric
         where p.product_id = $1
         group by p.metric, p.unit, p.included_quantity
         order by p.metric",
    )
    .bind(product_id)
    .fetch_all(conn)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|(metric, unit, included, froms, prices)| ValidUsagePrice {
                metric,
                unit,
                price: UsagePrice {
                    included: included.normalize(),
                    tiers: froms
                        .into_iter()
                        .zip(prices)
                        .map(|(from, unit_price)| UsageTier {
                            from: from.normalize(),
                            unit_price: unit_price.normalize(),
                        })
                        .collect(),
                },
            })
            .collect(),
    ))
}

/// Replaces a product's usage prices (set-based). False: not a product of the tenant.
pub async fn save_prices(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    product_id: Uuid,
    prices: &[ValidUsagePrice],
) -> sqlx::Result<bool> {
    // locks the product, so two saves of its prices run one after the other
    let known: Option<Uuid> =
        sqlx::query_scalar("select id from products where id = $1 and tenant_id = $2 for update")
            .bind(product_id)
            .bind(tenant_id)
            .fetch_optional(&mut *conn)
            .await?;
    if known.is_none() {
        return Ok(false);
    }
    sqlx::query("delete from product_usage_prices where product_id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    let metrics: Vec<&str> = prices.iter().map(|p| p.metric.as_str()).collect();
    let units: Vec<&str> = prices.iter().map(|p| p.unit.as_str()).collect();
    let included: Vec<Decimal> = prices.iter().map(|p| p.price.included).collect();
    sqlx::query(
        "insert into product_usage_prices (product_id, metric, unit, included_quantity)
         select $1, m, u, i from unnest($2::text[], $3::text[], $4::numeric[]) as t(m, u, i)",
    )
    .bind(product_id)
    .bind(&metrics)
    .bind(&units)
    .bind(&included)
    .execute(&mut *conn)
    .await?;
    let tiers: Vec<(&str, &UsageTier)> = prices
        .iter()
        .flat_map(|p| p.price.tiers.iter().map(move |t| (p.metric.as_str(), t)))
        .collect();
    sqlx::query(
        "insert into product_usage_tiers (product_id, metric, from_quantity, unit_price)
         select $1, m, f, p from unnest($2::text[], $3::numeric[], $4::numeric[]) as t(m, f, p)",
    )
    .bind(product_id)
    .bind(tiers.iter().map(|(m, _)| *m).collect::<Vec<_>>())
    .bind(tiers.iter().map(|(_, t)| t.from).collect::<Vec<_>>())
    .bind(tiers.iter().map(|(_, t)| t.unit_price).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(true)
}
