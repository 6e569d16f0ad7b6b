use super::model::*;
use crate::customers::repo::{search_patterns, COUNT_LIMIT};
use crate::domain::periods::{
    self, BillingInterval, BillingMode, FeeUnit, NoticePeriod, NoticeUnit, PriceChange, Terms,
};
use crate::domain::tax::VatCategory;
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

pub const DEFAULT_CONTRACT_PATTERN: &str = "V-{#####}";

/// The tenant's calendar day and currency: business dates are in the tenant's time zone.
pub async fn tenant_today(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<(NaiveDate, String)> {
    sqlx::query_as(
        "select (now() at time zone time_zone)::date, currency from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await
}

/// Whether the customer (and the product, if given) belong to the tenant.
pub async fn references_exist(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    product_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query_as(
        "select exists (select 1 from customers where id = $2 and tenant_id = $1),
                $3::uuid is null or exists (select 1 from products where id = $3 and tenant_id = $1)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(product_id)
    .fetch_one(conn)
    .await
}

/// Binds the contract's columns in the order of `COLUMNS`.
macro_rules! bind_contract {
    ($query:expr, $c:expr) => {{
        $query
            .bind($c.customer_id)
            .bind($c.product_id)
            .bind(&$c.description)
            .bind($c.terms.start)
            .bind($c.terms.end)
            .bind(i32::try_from($c.minimum_term_months).unwrap_or(0))
            .bind(i32::try_from($c.notice.amount).unwrap_or(0))
            .bind($c.notice.unit.as_str())
            .bind($c.setup_fee)
            .bind($c.terms.fee)
            .bind($c.terms.fee_unit.as_str())
            .bind($c.terms.quantity)
            .bind($c.terms.discount_percent)
            .bind($c.vat_category.as_str())
            .bind($c.terms.interval.as_str())
            .bind($c.terms.mode.as_str())
            .bind(&$c.notes)
    }};
}

const COLUMNS: &str =
    "customer_id, product_id, description, start_date, end_date, minimum_term_months,
    notice_amount, notice_unit, setup_fee, fee, fee_unit, quantity, discount_percent, vat_category,
    billing_interval, billing_mode, notes";

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    number: &str,
    contract: &ValidContract,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    let sql = format!(
        "insert into contracts (id, tenant_id, number, {COLUMNS})
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    );
    bind_contract!(
        sqlx::query(&sql).bind(id).bind(tenant_id).bind(number),
        contract
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    contract: &ValidContract,
) -> sqlx::Result<bool> {
    let sql = format!(
        "update contracts set ({COLUMNS}, updated_at) =
             ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now())
         where id = $1 and tenant_id = $2"
    );
    let done = bind_contract!(sqlx::query(&sql).bind(id).bind(tenant_id), contract)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct ContractRecord {
    id: Uuid,
    number: String,
    customer_id: Uuid,
    customer_number: String,
    customer_name: String,
    product_id: Option<Uuid>,
    product_name: Option<String>,
    description: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    minimum_term_months: i32,
    notice_amount: i32,
    notice_unit: String,
    setup_fee: Decimal,
    fee: Decimal,
    fee_unit: String,
    quantity: Decimal,
    discount_percent: Decimal,
    vat_category: String,
    billing_interval: String,
    billing_mode: String,
    billed_until: Option<NaiveDate>,
    setup_fee_billed: bool,
    notes: String,
    notice_given_on: Option<NaiveDate>,
    cancellation_reason: String,
    change_dates: Vec<NaiveDate>,
    change_fees: Vec<Decimal>,
}

const SELECT_RECORD: &str = "
    select c.id, c.number, c.customer_id, cu.number as customer_number, cu.display_name as customer_name,
           c.product_id, p.name as product_name, c.description, c.start_date, c.end_date,
           c.minimum_term_months, c.notice_amount, c.notice_unit, c.setup_fee, c.fee, c.fee_unit,
           c.quantity, c.discount_percent, c.vat_category, c.billing_interval, c.billing_mode,
           c.billed_until, c.setup_fee_billed, c.notes, c.notice_given_on, c.cancellation_reason,
           coalesce(pc.dates, '{}') as change_dates, coalesce(pc.fees, '{}') as change_fees
    from contracts c
    join customers cu on cu.id = c.customer_id
    left join products p on p.id = c.product_id
    left join lateral (
        select array_agg(valid_from order by valid_from) as dates, array_agg(fee order by valid_from) as fees
        from contract_prices where contract_id = c.id
    ) pc on true";

impl ContractRecord {
    fn terms(&self) -> Terms {
        Terms {
            start: self.start_date,
            end: self.end_date,
            fee: self.fee,
            fee_unit: FeeUnit::parse(&self.fee_unit).unwrap_or(FeeUnit::Month),
            quantity: self.quantity,
            discount_percent: self.discount_percent,
            interval: BillingInterval::parse(&self.billing_interval)
                .unwrap_or(BillingInterval::Monthly),
            mode: BillingMode::parse(&self.billing_mode).unwrap_or(BillingMode::InAdvance),
        }
    }

    fn notice(&self) -> NoticePeriod {
        NoticePeriod {
            amount: u32::try_from(self.notice_amount).unwrap_or(0),
            unit: NoticeUnit::parse(&self.notice_unit).unwrap_or(NoticeUnit::Months),
        }
    }

    fn price_changes(&self) -> Vec<PriceChange> {
        self.change_dates
            .iter()
            .zip(&self.change_fees)
            .map(|(valid_from, fee)| PriceChange {
                valid_from: *valid_from,
                fee: *fee,
            })
            .collect()
    }

    fn input(&self) -> ContractInput {
        ContractInput {
            customer_id: Some(self.customer_id),
            product_id: self.product_id,
            description: self.description.clone(),
            start_date: self.start_date.to_string(),
            end_date: self.end_date.map(|d| d.to_string()).unwrap_or_default(),
            minimum_term_months: self.minimum_term_months,
            notice_amount: self.notice_amount,
            notice_unit: self.notice().unit,
            setup_fee: self.setup_fee.normalize().to_string(),
            fee: self.fee.normalize().to_string(),
            fee_unit: self.terms().fee_unit,
            quantity: self.quantity.normalize().to_string(),
            discount_percent: self.discount_percent.normalize().to_string(),
            vat_category: VatCategory::parse(&self.vat_category).unwrap_or_default(),
            billing_interval: self.terms().interval,
            billing_mode: self.terms().mode,
            notes: self.notes.clone(),
        }
    }

    fn row(&self, today: NaiveDate, currency: &str) -> ContractRow {
        let terms = self.terms();
        let changes = self.price_changes();
        ContractRow {
            id: self.id,
            number: self.number.clone(),
            customer_id: self.customer_id,
            customer_number: self.customer_number.clone(),
            customer_name: self.customer_name.clone(),
            product_name: self.product_name.clone(),
            description: self.description.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            setup_fee: self.setup_fee,
            setup_fee_billed: self.setup_fee_billed,
            fee: periods::priced_on(&terms, &changes, today).fee,
            fee_unit: terms.fee_unit,
            quantity: self.quantity,
            billing_interval: terms.interval,
            billing_mode: terms.mode,
            billed_until: self.billed_until,
            status: ContractStatus::on(self.start_date, self.end_date, today),
            cancelled: self.notice_given_on.is_some(),
            currency: currency.to_owned(),
            next_charge: periods::upcoming_charges(&terms, &changes, self.billed_until, 1)
                .into_iter()
                .next(),
        }
    }
}

/// A list row: the contract with the day and currency it is shown for.
#[derive(sqlx::FromRow)]
struct ListedRecord {
    #[sqlx(flatten)]
    record: ContractRecord,
    today: NaiveDate,
    currency: String,
}

/// What a contract needs for cancelling, price changes and credits.
pub struct Stored {
    pub terms: Terms,
    pub minimum_term_months: u32,
    pub notice: NoticePeriod,
    pub billed_until: Option<NaiveDate>,
    pub cancelled: bool,
    pub customer_id: Uuid,
    pub input: ContractInput,
    pub setup_fee_billed: bool,
}

async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ContractRecord>> {
    sqlx::query_as::<_, ContractRecord>(&format!(
        "{SELECT_RECORD} where c.id = $1 and c.tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// The contract's terms as stored, locked for the rest of the transaction.
pub async fn load_for_change(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Stored>> {
    sqlx::query("select 1 from contracts where id = $1 and tenant_id = $2 for update")
        .bind(id)
        .bind(tenant_id)
        .execute(&mut *conn)
        .await?;
    Ok(record(conn, tenant_id, id).await?.map(|r| Stored {
        terms: r.terms(),
        minimum_term_months: u32::try_from(r.minimum_term_months).unwrap_or(0),
        notice: r.notice(),
        billed_until: r.billed_until,
        cancelled: r.notice_given_on.is_some(),
        customer_id: r.customer_id,
        input: r.input(),
        setup_fee_billed: r.setup_fee_billed,
    }))
}

/// The contract file; `customer_scope` limits it to one customer's contracts (portal).
pub async fn load_file(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<Option<ContractFile>> {
    let (today, currency) = tenant_today(&mut *conn, tenant_id).await?;
    let Some(r) = record(&mut *conn, tenant_id, id).await? else {
        return Ok(None);
    };
    if customer_scope.is_some_and(|customer| customer != r.customer_id) {
        return Ok(None);
    }
    let assets: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select id, 'domain', name from domains where contract_id = $1
         union all
         select s.id, 'server', s.hostname from contract_servers cs join servers s on s.id = cs.server_id
         where cs.contract_id = $1
         order by 2, 3",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let terms = r.terms();
    let changes = r.price_changes();
    let cancellation = r
        .notice_given_on
        .zip(r.end_date)
        .map(|(notice_given_on, end_date)| Cancellation {
            notice_given_on,
            end_date,
            reason: r.cancellation_reason.clone(),
        });
    let earliest_end_today = cancellation.is_none().then(|| {
        periods::earliest_end(
            &terms,
            u32::try_from(r.minimum_term_months).unwrap_or(0),
            r.notice(),
            today,
        )
    });
    Ok(Some(ContractFile {
        id: r.id,
        number: r.number.clone(),
        customer_number: r.customer_number.clone(),
        customer_name: r.customer_name.clone(),
        product_name: r.product_name.clone(),
        data: r.input(),
        currency,
        today,
        status: ContractStatus::on(r.start_date, r.end_date, today),
        billed_until: r.billed_until,
        setup_fee_billed: r.setup_fee_billed,
        upcoming: periods::upcoming_charges(&terms, &changes, r.billed_until, 4),
        price_changes: changes,
        cancellation,
        earliest_end_today,
        assets: assets
            .into_iter()
            .map(|(id, kind, name)| LinkedAsset { id, kind, name })
            .collect(),
    }))
}

fn order_by(sort: &str) -> &'static str {
    match sort {
        "number" => "c.number",
        "customer" => "lower(cu.display_name)",
        "end" => "c.end_date",
        "billed_until" => "c.billed_until",
        "description" => "lower(c.description)",
        _ => "c.start_date",
    }
}

/// Two statements: a capped count and the page (with each row's price changes, and the
/// tenant's today and currency). Only the filters in use appear in the SQL, so each shape
/// gets its own plan.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &ContractFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<ContractRow>> {
    let direction = if page.descending { "desc" } else { "asc" };
    let mut conditions = String::from("c.tenant_id = $1");
    let mut texts: Vec<String> = Vec::new();
    let next_param = |value: String, texts: &mut Vec<String>| {
        texts.push(value);
        format!("${}", texts.len() + 1)
    };
    if let Some(customer) = filter.customer_id {
        let param = next_param(customer.to_string(), &mut texts);
        conditions.push_str(&format!(" and c.customer_id = {param}::uuid"));
    }
    match filter.status {
        Some(ContractStatus::Upcoming) => conditions.push_str(" and c.start_date > today.day"),
        Some(ContractStatus::Past) => conditions.push_str(" and c.end_date < today.day"),
        Some(ContractStatus::Active) => conditions.push_str(
            " and c.start_date <= today.day and (c.end_date is null or c.end_date >= today.day)",
        ),
        None => {}
    }
    if let Some(interval) = filter.billing_interval {
        let param = next_param(interval.as_str().to_owned(), &mut texts);
        conditions.push_str(&format!(" and c.billing_interval = {param}"));
    }
    match filter.cancelled {
        Some(true) => conditions.push_str(" and c.notice_given_on is not null"),
        Some(false) => conditions.push_str(" and c.notice_given_on is null"),
        None => {}
    }
    let patterns = search_patterns(&page.search);
    for word in &patterns {
        let param = next_param(word.clone(), &mut texts);
        conditions.push_str(&format!(" and c.search_text like {param}"));
    }
    // the tenant's calendar day, as one row every statement joins
    let today = "(select (now() at time zone time_zone)::date as day, currency from tenants where id = $1) today";
    // The capped count runs first: it tells how broad the search words are.
    let count_sql = format!(
        "select count(*) from (select 1 from contracts c join customers cu on cu.id = c.customer_id cross join {today}
         where {conditions} limit {}) counted",
        COUNT_LIMIT + 1
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(tenant_id);
    for text in &texts {
        count = count.bind(text);
    }
    let total = count.fetch_one(&mut *conn).await?;
    // Few hits: the trigram index finds them first, then they are sorted (walking the sort
    // index would test every row). Many hits: walking the sort index finds a page of them
    // at once, while fetching and sorting them all would not.
    let (hits, source) = if patterns.is_empty() || total > COUNT_LIMIT {
        (String::new(), "contracts c")
    } else {
        let words = (0..patterns.len())
            .map(|i| format!("search_text like ${}", texts.len() - patterns.len() + i + 2))
            .collect::<Vec<_>>()
            .join(" and ");
        (
            format!(
                "hits as materialized (select * from contracts where tenant_id = $1 and {words}),"
            ),
            "hits c",
        )
    };
    let sql = format!(
        "with {hits} page as (
             select c.id from {source} join customers cu on cu.id = c.customer_id cross join {today}
             where {conditions}
             order by {} {direction}, c.id {direction}
             limit {} offset {}
         )
         select listed.*, today.day as today, today.currency from (
             {SELECT_RECORD}
             join page on page.id = c.id
         ) listed cross join {today}
         order by {} {direction}, listed.id {direction}",
        order_by(&page.sort),
        page.limit(),
        page.offset(),
        order_by(&page.sort)
            .replace("c.", "listed.")
            .replace("cu.display_name", "listed.customer_name"),
    );
    let mut query = sqlx::query_as::<_, ListedRecord>(&sql).bind(tenant_id);
    for text in &texts {
        query = query.bind(text);
    }
    let records = query.fetch_all(&mut *conn).await?;
    let mut result = Page::new(
        records
            .iter()
            .map(|r| r.record.row(r.today, &r.currency))
            .collect(),
        total.min(COUNT_LIMIT),
        page,
    );
    result.total_capped = total > COUNT_LIMIT;
    Ok(result)
}

/// Records a price from a day on (replacing one set for the same day).
pub async fn set_price(
    conn: &mut PgConnection,
    contract_id: Uuid,
    change: &PriceChange,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into contract_prices (contract_id, valid_from, fee) values ($1, $2, $3)
         on conflict (contract_id, valid_from) do update set fee = excluded.fee, created_at = now()",
    )
    .bind(contract_id)
    .bind(change.valid_from)
    .bind(change.fee)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update contracts set updated_at = now() where id = $1")
        .bind(contract_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn cancel(
    conn: &mut PgConnection,
    contract_id: Uuid,
    notice_given_on: NaiveDate,
    end_date: NaiveDate,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update contracts set cancelled_at = now(), notice_given_on = $2, end_date = $3,
                cancellation_reason = $4, updated_at = now()
         where id = $1",
    )
    .bind(contract_id)
    .bind(notice_given_on)
    .bind(end_date)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}
