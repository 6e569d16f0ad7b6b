//! SQL of dunning: the overdue invoices with their current level in one query, letters and
//! items written set-based.

use super::model::*;
use crate::domain::dunning::{BaseRate, Level};
use crate::invoices::repo::OPEN_AMOUNT;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn lock_runs(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('dunning:' || $1::text, 0))")
        .bind(tenant_id)
        .execute(conn)
        .await
        .map(drop)
}

/// The tenant's levels; the defaults until it sets its own.
pub async fn levels(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<Vec<Level>> {
    let rows: Vec<(i32, i32, Decimal, bool)> = sqlx::query_as(
        "select level, days_after_due, fee, interest from dunning_levels
         where tenant_id = $1 order by level",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    if rows.is_empty() {
        return Ok(crate::domain::dunning::default_levels());
    }
    Ok(rows
        .into_iter()
        .map(|(level, days_after_due, fee, interest)| Level {
            level,
            days_after_due,
            fee,
            interest,
        })
        .collect())
}

/// Replaces the tenant's levels.
pub async fn save_levels(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    levels: &[Level],
) -> sqlx::Result<()> {
    sqlx::query("delete from dunning_levels where tenant_id = $1")
        .bind(tenant_id)
        .execute(&mut *conn)
        .await?;
    let numbers: Vec<i32> = levels.iter().map(|l| l.level).collect();
    let days: Vec<i32> = levels.iter().map(|l| l.days_after_due).collect();
    let fees: Vec<Decimal> = levels.iter().map(|l| l.fee).collect();
    let interest: Vec<bool> = levels.iter().map(|l| l.interest).collect();
    sqlx::query(
        "insert into dunning_levels (tenant_id, level, days_after_due, fee, interest)
         select $1, * from unnest($2::int[], $3::int[], $4::numeric[], $5::bool[])",
    )
    .bind(tenant_id)
    .bind(&numbers)
    .bind(&days)
    .bind(&fees)
    .bind(&interest)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn base_rates(conn: &mut PgConnection) -> sqlx::Result<Vec<BaseRate>> {
    let rows: Vec<(NaiveDate, Decimal)> =
        sqlx::query_as("select valid_from, percent from base_rates order by valid_from")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(from, percent)| BaseRate { from, percent })
        .collect())
}

/// An overdue invoice with what a letter needs of its customer.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Overdue {
    pub invoice_id: Uuid,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub open: Decimal,
    pub currency: String,
    pub level: i32,
    /// The payment deadline of the last letter naming the invoice.
    pub last_pay_by: Option<NaiveDate>,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub customer_name: String,
    pub business: bool,
    pub blocked: bool,
    pub language: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub email: String,
}

/// Every invoice open and past due on `date`, by customer and due date. Direct-debit
/// invoices are left to their collection unless it came back.
pub async fn overdue(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    date: NaiveDate,
) -> sqlx::Result<Vec<Overdue>> {
    sqlx::query_as(&format!(
        "select o.* from (
             select i.id as invoice_id, i.number, i.issue_date, i.due_date, {OPEN_AMOUNT} as open,
                    i.currency,
                    coalesce((select max(d.level) from dunning_items d where d.invoice_id = i.id), 0) as level,
                    (select max(l.pay_by) from dunning_items d join dunning_letters l on l.id = d.letter_id
                     where d.invoice_id = i.id) as last_pay_by,
                    c.id as customer_id, c.number as customer_number, c.display_name as customer_name,
                    c.kind = 'company' as business, c.dunning_blocked as blocked, c.language,
                    c.billing_street as street, c.billing_postal_code as postal_code,
                    c.billing_city as city, c.billing_country as country,
                    case when c.invoice_email <> '' then c.invoice_email else c.email end as email
             from invoices i join customers c on c.id = i.customer_id
             where i.tenant_id = $1 and i.status = 'issued' and i.kind = 'invoice' and i.due_date < $2
               and (i.mandate_id is null or exists (
                   select 1 from payment_allocations a where a.invoice_id = i.id and a.amount < 0))
         ) o where o.open > 0
         order by o.customer_number, o.due_date, o.number"
    ))
    .bind(tenant_id)
    .bind(date)
    .fetch_all(conn)
    .await
}

pub async fn insert_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    date: NaiveDate,
    letters: i32,
    created_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into dunning_runs (id, tenant_id, run_date, letter_count, created_by)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(date)
    .bind(letters)
    .bind(created_by)
    .execute(conn)
    .await
    .map(drop)
}

/// Writes the letters with their PDFs and items.
pub async fn insert_letters(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_id: Uuid,
    date: NaiveDate,
    letters: &[(DunningLetter, String, Vec<u8>)],
) -> sqlx::Result<()> {
    for (letter, language, pdf) in letters {
        sqlx::query(
            "insert into dunning_letters (id, tenant_id, run_id, customer_id, level, letter_date, pay_by,
                 fee, interest, open_total, total, currency, language, recipient_email, pdf)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(letter.id)
        .bind(tenant_id)
        .bind(run_id)
        .bind(letter.customer_id)
        .bind(letter.level)
        .bind(date)
        .bind(letter.pay_by)
        .bind(letter.fee)
        .bind(letter.interest)
        .bind(letter.open_total)
        .bind(letter.total)
        .bind(&letter.currency)
        .bind(language)
        .bind(&letter.recipient_email)
        .bind(pdf)
        .execute(&mut *conn)
        .await?;
    }
    let items: Vec<(Uuid, &DunnedInvoice)> = letters
        .iter()
        .flat_map(|(letter, _, _)| {
            letter
                .items
                .iter()
                .map(|item| (letter.id.unwrap_or_default(), item))
        })
        .collect();
    let letter_ids: Vec<Uuid> = items.iter().map(|(letter, _)| *letter).collect();
    let invoices: Vec<Uuid> = items.iter().map(|(_, i)| i.invoice_id).collect();
    let levels: Vec<i32> = items.iter().map(|(_, i)| i.level).collect();
    let days: Vec<i32> = items.iter().map(|(_, i)| i.days_overdue).collect();
    let open: Vec<Decimal> = items.iter().map(|(_, i)| i.open).collect();
    let interest: Vec<Decimal> = items.iter().map(|(_, i)| i.interest).collect();
    sqlx::query(
        "insert into dunning_items (letter_id, invoice_id, level, days_overdue, open, interest)
         select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::numeric[], $6::numeric[])",
    )
    .bind(&letter_ids)
    .bind(&invoices)
    .bind(&levels)
    .bind(&days)
    .bind(&open)
    .bind(&interest)
    .execute(conn)
    .await
    .map(drop)
}

/// Queues the letters' e-mails (the worker attaches the stored PDF).
pub async fn queue_mails(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    created_by: Option<Uuid>,
    mails: &[(Uuid, String, String, String)],
) -> sqlx::Result<()> {
    let letters: Vec<Uuid> = mails.iter().map(|m| m.0).collect();
    let recipients: Vec<&str> = mails.iter().map(|m| m.1.as_str()).collect();
    let subjects: Vec<&str> = mails.iter().map(|m| m.2.as_str()).collect();
    let bodies: Vec<&str> = mails.iter().map(|m| m.3.as_str()).collect();
    sqlx::query(
        "insert into outbox_mails (id, tenant_id, dunning_letter_id, recipient, subject, body, created_by)
         select gen_random_uuid(), $1, letter, recipient, subject, body, $2
         from unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) as m(letter, recipient, subject, body)",
    )
    .bind(tenant_id)
    .bind(created_by)
    .bind(&letters)
    .bind(&recipients)
    .bind(&subjects)
    .bind(&bodies)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn runs(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    lang: crate::i18n::Lang,
) -> sqlx::Result<Vec<DunningRunSummary>> {
    let rows: Vec<(Uuid, NaiveDate, i32, chrono::NaiveDateTime, Option<String>)> = sqlx::query_as(
        "select r.id, r.run_date, r.letter_count, r.created_at at time zone t.time_zone, u.display_name
         from dunning_runs r join tenants t on t.id = r.tenant_id
              left join users u on u.id = r.created_by
         where r.tenant_id = $1 order by r.created_at desc limit 50",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, run_date, letter_count, at, by)| DunningRunSummary {
            id,
            run_date,
            letter_count,
            created_at: crate::domain::format::date_time(at, lang),
            created_by: by,
        })
        .collect())
}

/// A written letter's PDF: (customer number, date, bytes); `customer_scope` for the portal.
pub async fn letter_pdf(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<Option<(String, NaiveDate, Vec<u8>)>> {
    sqlx::query_as(
        "select c.number, l.letter_date, l.pdf from dunning_letters l join customers c on c.id = l.customer_id
         where l.tenant_id = $1 and l.id = $2 and ($3::uuid is null or l.customer_id = $3)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(customer_scope)
    .fetch_optional(conn)
    .await
}

/// The letters of a run, for its page.
pub async fn letters_of_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String, String, i32, Decimal, String)>> {
    sqlx::query_as(
        "select l.id, c.number, c.display_name, l.level, l.total, l.currency
         from dunning_letters l join customers c on c.id = l.customer_id
         where l.tenant_id = $1 and l.run_id = $2 order by c.number",
    )
    .bind(tenant_id)
    .bind(run_id)
    .fetch_all(conn)
    .await
}

pub async fn set_blocked(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    blocked: bool,
) -> sqlx::Result<bool> {
    sqlx::query("update customers set dunning_blocked = $3 where tenant_id = $1 and id = $2")
        .bind(tenant_id)
        .bind(customer_id)
        .bind(blocked)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() == 1)
}

pub async fn is_blocked(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar("select dunning_blocked from customers where tenant_id = $1 and id = $2")
        .bind(tenant_id)
        .bind(customer_id)
        .fetch_optional(conn)
        .await
}
