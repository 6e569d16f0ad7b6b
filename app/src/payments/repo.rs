//! SQL of payments, allocations and open items. An invoice's open amount is computed, never
//! stored (issued invoices are frozen): gross less issued credit notes less allocations.

use super::model::*;
use crate::domain::payment_matching::{MatchReason, OpenInvoice};
use crate::domain::receivables::AgingBucket;
use crate::invoices::repo::OPEN_AMOUNT;
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// Serialises what books against open amounts in a tenant (imports, manual payments,
/// assignments): each sees the others' allocations.
pub async fn lock_book(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('payments:' || $1::text, 0))")
        .bind(tenant_id)
        .execute(conn)
        .await
        .map(drop)
}

/// The invoices a payment may settle: issued invoices with an amount open, and direct-debit
/// invoices of the last 400 days (a collection may come back).
pub async fn open_invoices(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    numbers: Option<&[String]>,
) -> sqlx::Result<Vec<OpenInvoice>> {
    let rows: Vec<(Uuid, String, Uuid, NaiveDate, Decimal)> = sqlx::query_as(&format!(
        "select id, number, customer_id, due_date, open from (
             select i.id, i.number, i.customer_id, i.due_date, i.issue_date, i.mandate_id,
                    {OPEN_AMOUNT} as open
             from invoices i
             where i.tenant_id = $1 and i.status = 'issued' and i.kind = 'invoice'
               and ($2::text[] is null or i.number = any($2))
         ) o
         where open <> 0 or (mandate_id is not null and issue_date > current_date - 400)"
    ))
    .bind(tenant_id)
    .bind(numbers)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, customer_id, due_date, open)| OpenInvoice {
            id,
            number,
            customer_id,
            due_date,
            open,
        })
        .collect())
}

/// Accounts known to belong to customers: their mandates' and those of earlier payments.
pub async fn known_accounts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Vec<(String, Uuid)>> {
    sqlx::query_as(
        "select iban, customer_id from sepa_mandates where tenant_id = $1
         union
         select distinct upper(replace(payer_iban, ' ', '')), customer_id from payments
         where tenant_id = $1 and status = 'allocated' and customer_id is not null and payer_iban <> ''",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}

/// Which of these bank references were imported before.
pub async fn known_references(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    references: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select bank_reference from payments where tenant_id = $1 and bank_reference = any($2)",
    )
    .bind(tenant_id)
    .bind(references)
    .fetch_all(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_statement(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    account_iban: &str,
    statement_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    entry_count: usize,
    sha256: &str,
    imported_by: Option<Uuid>,
) -> sqlx::Result<bool> {
    sqlx::query(
        "insert into bank_statements (id, tenant_id, account_iban, statement_id, from_date, to_date,
             entry_count, sha256, imported_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (tenant_id, sha256) do nothing",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(account_iban)
    .bind(statement_id)
    .bind(from)
    .bind(to)
    .bind(i32::try_from(entry_count).unwrap_or(i32::MAX))
    .bind(sha256)
    .bind(imported_by)
    .execute(conn)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// A payment to write, with its allocations.
pub struct NewPayment {
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    pub received_on: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub method: &'static str,
    pub payer_name: String,
    pub payer_iban: String,
    pub remittance: String,
    pub end_to_end_id: String,
    pub match_reason: Option<MatchReason>,
    pub status: PaymentStatus,
    pub bank_statement_id: Option<Uuid>,
    pub bank_reference: Option<String>,
    pub note: String,
    pub allocations: Vec<(Uuid, Decimal)>,
}

fn reason_code(reason: Option<MatchReason>) -> Option<&'static str> {
    reason.map(|r| match r {
        MatchReason::DirectDebit => "direct_debit",
        MatchReason::InvoiceNumber => "invoice_number",
        MatchReason::UniqueAmount => "unique_amount",
        MatchReason::PayerAccount => "payer_account",
        MatchReason::Manual => "manual",
    })
}

fn parse_reason(code: Option<&str>) -> Option<MatchReason> {
    match code? {
        "direct_debit" => Some(MatchReason::DirectDebit),
        "invoice_number" => Some(MatchReason::InvoiceNumber),
        "unique_amount" => Some(MatchReason::UniqueAmount),
        "payer_account" => Some(MatchReason::PayerAccount),
        "manual" => Some(MatchReason::Manual),
        _ => None,
    }
}

/// Writes payments and their allocations in two statements.
pub async fn insert_payments(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    created_by: Option<Uuid>,
    payments: &[NewPayment],
) -> sqlx::Result<()> {
    if payments.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&NewPayment) -> String| payments.iter().map(f).collect::<Vec<_>>();
    let ids: Vec<Uuid> = payments.iter().map(|p| p.id).collect();
    let customers: Vec<Option<Uuid>> = payments.iter().map(|p| p.customer_id).collect();
    let dates: Vec<NaiveDate> = payments.iter().map(|p| p.received_on).collect();
    let amounts: Vec<Decimal> = payments.iter().map(|p| p.amount).collect();
    let reasons: Vec<Option<&str>> = payments
        .iter()
        .map(|p| reason_code(p.match_reason))
        .collect();
    let statements: Vec<Option<Uuid>> = payments.iter().map(|p| p.bank_statement_id).collect();
    let references: Vec<Option<String>> =
        payments.iter().map(|p| p.bank_reference.clone()).collect();
    sqlx::query(
        "insert into payments (id, tenant_id, customer_id, received_on, amount, currency, method,
             payer_name, payer_iban, remittance, end_to_end_id, match_reason, status,
             bank_statement_id, bank_reference, note, created_by)
         select u.id, $1, u.customer_id, u.received_on, u.amount, u.currency, u.method, u.payer_name,
                u.payer_iban, u.remittance, u.end_to_end_id, u.match_reason, u.status,
                u.statement_id, u.reference, u.note, $2
         from unnest($3::uuid[], $4::uuid[], $5::date[], $6::numeric[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                     $15::uuid[], $16::text[], $17::text[])
              as u(id, customer_id, received_on, amount, currency, method, payer_name, payer_iban,
                   remittance, end_to_end_id, match_reason, status, statement_id, reference, note)",
    )
    .bind(tenant_id)
    .bind(created_by)
    .bind(&ids)
    .bind(&customers)
    .bind(&dates)
    .bind(&amounts)
    .bind(column(|p| p.currency.clone()))
    .bind(column(|p| p.method.to_owned()))
    .bind(column(|p| p.payer_name.clone()))
    .bind(column(|p| p.payer_iban.clone()))
    .bind(column(|p| p.remittance.clone()))
    .bind(column(|p| p.end_to_end_id.clone()))
    .bind(&reasons)
    .bind(column(|p| p.status.as_str().to_owned()))
    .bind(&statements)
    .bind(&references)
    .bind(column(|p| p.note.clone()))
    .execute(&mut *conn)
    .await?;
    let mut allocations = Vec::new();
    for payment in payments {
        for (invoice, amount) in &payment.allocations {
            allocations.push((payment.id, *invoice, *amount));
        }
    }
    allocate(conn, allocations).await
}

/// Adds allocations (payment, invoice, amount).
pub async fn allocate(
    conn: &mut PgConnection,
    allocations: Vec<(Uuid, Uuid, Decimal)>,
) -> sqlx::Result<()> {
    let (mut payments, mut invoices, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for (payment, invoice, amount) in allocations {
        payments.push(payment);
        invoices.push(invoice);
        amounts.push(amount);
    }
    if payments.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into payment_allocations (payment_id, invoice_id, amount)
         select * from unnest($1::uuid[], $2::uuid[], $3::numeric[])",
    )
    .bind(&payments)
    .bind(&invoices)
    .bind(&amounts)
    .execute(conn)
    .await
    .map(drop)
}

/// A payment waiting for review, locked: (amount, currency, payer iban).
pub async fn lock_unmatched(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(Decimal, String)>> {
    sqlx::query_as(
        "select amount, payer_iban from payments
         where tenant_id = $1 and id = $2 and status = 'unmatched' for update",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn settle(
    conn: &mut PgConnection,
    id: Uuid,
    customer_id: Option<Uuid>,
    status: PaymentStatus,
) -> sqlx::Result<()> {
    sqlx::query(
        "update payments set customer_id = coalesce($2, customer_id), status = $3,
             match_reason = case when $3 = 'allocated' then 'manual' else match_reason end
         where id = $1",
    )
    .bind(id)
    .bind(customer_id)
    .bind(status.as_str())
    .execute(conn)
    .await
    .map(drop)
}

/// Whether the customer is the tenant's.
pub async fn customer_exists(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from customers where tenant_id = $1 and id = $2)")
        .bind(tenant_id)
        .bind(customer_id)
        .fetch_one(conn)
        .await
}

#[derive(sqlx::FromRow)]
struct PaymentRecord {
    id: Uuid,
    received_on: NaiveDate,
    amount: Decimal,
    currency: String,
    method: String,
    customer_id: Option<Uuid>,
    customer_name: Option<String>,
    payer_name: String,
    payer_iban: String,
    remittance: String,
    status: String,
    match_reason: Option<String>,
    note: String,
    allocated_ids: Vec<Uuid>,
    allocated_numbers: Vec<String>,
    allocated_amounts: Vec<Decimal>,
}

/// One page of payments, newest first; `customer_scope` for the portal.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &PaymentFilter,
    customer_scope: Option<Uuid>,
    page: &PageRequest,
) -> sqlx::Result<Page<Payment>> {
    let condition = "p.tenant_id = $1 and ($2::text is null or p.status = $2)
        and ($3::uuid is null or p.customer_id = $3) and ($4::uuid is null or p.customer_id = $4)
        and ($5 = '' or lower(p.payer_name || ' ' || p.remittance || ' ' || coalesce(c.display_name, '')) like '%' || lower($5) || '%')";
    let status = filter.status.map(PaymentStatus::as_str);
    let search = page.search.trim().to_owned();
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from payments p left join customers c on c.id = p.customer_id where {condition}"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(customer_scope)
    .bind(&search)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<PaymentRecord> = sqlx::query_as(&format!(
        "select p.id, p.received_on, p.amount, p.currency, p.method, p.customer_id,
                c.display_name as customer_name, p.payer_name, p.payer_iban, p.remittance, p.status,
                p.match_reason, p.note,
                array(select a.invoice_id from payment_allocations a join invoices i on i.id = a.invoice_id
                      where a.payment_id = p.id order by i.number) as allocated_ids,
                array(select i.number from payment_allocations a join invoices i on i.id = a.invoice_id
                      where a.payment_id = p.id order by i.number) as allocated_numbers,
                array(select a.amount from payment_allocations a join invoices i on i.id = a.invoice_id
                      where a.payment_id = p.id order by i.number) as allocated_amounts
         from payments p left join customers c on c.id = p.customer_id
         where {condition}
         order by p.received_on desc, p.created_at desc, p.id limit $6 offset $7"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(customer_scope)
    .bind(&search)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let allocations: Vec<Allocation> = r
                .allocated_ids
                .into_iter()
                .zip(r.allocated_numbers)
                .zip(r.allocated_amounts)
                .map(|((invoice_id, invoice_number), amount)| Allocation {
                    invoice_id,
                    invoice_number,
                    amount,
                })
                .collect();
            let status = PaymentStatus::parse(&r.status).unwrap_or(PaymentStatus::Unmatched);
            let allocated: Decimal = allocations.iter().map(|a| a.amount).sum();
            Payment {
                id: r.id,
                received_on: r.received_on,
                unallocated: if status == PaymentStatus::Allocated {
                    r.amount - allocated
                } else {
                    Decimal::ZERO
                },
                amount: r.amount,
                currency: r.currency,
                method: r.method,
                customer_id: r.customer_id,
                customer_name: r.customer_name,
                payer_name: r.payer_name,
                payer_iban: r.payer_iban,
                remittance: r.remittance,
                status,
                match_reason: parse_reason(r.match_reason.as_deref()),
                allocations,
                note: r.note,
            }
        })
        .collect();
    Ok(Page::new(items, total, page))
}

/// Open items, oldest due first.
pub async fn open_items(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    today: NaiveDate,
    filter: &OpenItemFilter,
    customer_scope: Option<Uuid>,
    page: &PageRequest,
) -> sqlx::Result<Page<OpenItem>> {
    let (from, to) = filter
        .bucket
        .map_or((i32::MIN, i32::MAX), AgingBucket::days);
    let open = format!(
        "select i.id, i.number, i.customer_id, i.customer_number, i.buyer_name, i.issue_date,
                i.due_date, i.gross_total, i.currency, i.mandate_id is not null as direct_debit,
                ($2::date - i.due_date) as days_overdue, {OPEN_AMOUNT} as open
         from invoices i
         where i.tenant_id = $1 and i.status = 'issued' and i.kind = 'invoice'
           and ($3::uuid is null or i.customer_id = $3) and ($4::uuid is null or i.customer_id = $4)
           and ($2::date - i.due_date) between $5 and $6
           and ($7 = '' or lower(i.number || ' ' || i.buyer_name || ' ' || i.customer_number) like '%' || lower($7) || '%')"
    );
    let search = page.search.trim().to_owned();
    let total: i64 =
        sqlx::query_scalar(&format!("select count(*) from ({open}) o where o.open > 0"))
            .bind(tenant_id)
            .bind(today)
            .bind(filter.customer_id)
            .bind(customer_scope)
            .bind(from)
            .bind(to)
            .bind(&search)
            .fetch_one(&mut *conn)
            .await?;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(Uuid, String, Uuid, String, String, NaiveDate, NaiveDate, Decimal, String, bool, i32, Decimal)> =
        sqlx::query_as(&format!(
            "select * from ({open}) o where o.open > 0 order by o.due_date, o.number limit $8 offset $9"
        ))
        .bind(tenant_id)
        .bind(today)
        .bind(filter.customer_id)
        .bind(customer_scope)
        .bind(from)
        .bind(to)
        .bind(&search)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(
            |(
                invoice_id,
                number,
                customer_id,
                customer_number,
                buyer_name,
                issue_date,
                due_date,
                gross_total,
                currency,
                direct_debit,
                days_overdue,
                open,
            )| OpenItem {
                bucket: AgingBucket::of(due_date, today),
                invoice_id,
                number,
                customer_id,
                customer_number,
                buyer_name,
                issue_date,
                due_date,
                gross_total,
                open,
                currency,
                days_overdue: days_overdue.max(0),
                direct_debit,
            },
        )
        .collect();
    Ok(Page::new(items, total, page))
}

/// Open amount and count per aging bucket, invoiced in the last 90 days, customers' credit
/// and the review list's length: one pass over the tenant's issued invoices.
pub async fn receivables(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    today: NaiveDate,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<(Vec<(i32, Decimal)>, Decimal, Decimal, i64)> {
    let open: Vec<(i32, Decimal)> = sqlx::query_as(&format!(
        "select ($2::date - o.due_date), o.open from (
             select i.due_date, {OPEN_AMOUNT} as open from invoices i
             where i.tenant_id = $1 and i.status = 'issued' and i.kind = 'invoice'
               and ($3::uuid is null or i.customer_id = $3)
         ) o where o.open > 0"
    ))
    .bind(tenant_id)
    .bind(today)
    .bind(customer_scope)
    .fetch_all(&mut *conn)
    .await?;
    let (invoiced, credit, unmatched): (Decimal, Decimal, i64) = sqlx::query_as(
        "select
             coalesce((select sum(case when kind = 'invoice' then gross_total else -gross_total end)
                       from invoices where tenant_id = $1 and status = 'issued'
                         and issue_date > $2::date - 90 and ($3::uuid is null or customer_id = $3)), 0),
             coalesce((select sum(p.amount - coalesce((select sum(a.amount) from payment_allocations a
                                                        where a.payment_id = p.id), 0))
                       from payments p where p.tenant_id = $1 and p.status = 'allocated'
                         and p.customer_id is not null and ($3::uuid is null or p.customer_id = $3)), 0),
             (select count(*) from payments where tenant_id = $1 and status = 'unmatched' and $3::uuid is null)",
    )
    .bind(tenant_id)
    .bind(today)
    .bind(customer_scope)
    .fetch_one(conn)
    .await?;
    Ok((open, invoiced, credit, unmatched))
}

/// An invoice's credit notes, payments and open amount.
pub async fn invoice_payments(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    invoice_id: Uuid,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<
    Option<(
        Decimal,
        Decimal,
        Option<NaiveDate>,
        Vec<(NaiveDate, Decimal, String, Uuid)>,
    )>,
> {
    let Some((gross, credited, due)): Option<(Decimal, Decimal, Option<NaiveDate>)> = sqlx::query_as(
        "select i.gross_total,
                coalesce((select sum(c.gross_total) from invoices c where c.corrects_id = i.id and c.status = 'issued'), 0),
                i.due_date
         from invoices i where i.tenant_id = $1 and i.id = $2 and ($3::uuid is null or i.customer_id = $3)",
    )
    .bind(tenant_id)
    .bind(invoice_id)
    .bind(customer_scope)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let payments: Vec<(NaiveDate, Decimal, String, Uuid)> = sqlx::query_as(
        "select p.received_on, a.amount, p.method, p.id from payment_allocations a
         join payments p on p.id = a.payment_id where a.invoice_id = $1
         order by p.received_on, p.created_at",
    )
    .bind(invoice_id)
    .fetch_all(conn)
    .await?;
    Ok(Some((gross, credited, due, payments)))
}

/// Settles newly issued invoices from their customers' credit (what payments left over),
/// oldest payment first, invoices in number order, in one statement; returns the amount.
pub async fn apply_credit(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    invoice_ids: &[Uuid],
) -> sqlx::Result<Decimal> {
    lock_book(conn, tenant_id).await?;
    let applied: Option<Decimal> = sqlx::query_scalar(
        "with due as (
             select i.id, i.customer_id, i.gross_total as open,
                    sum(i.gross_total) over (partition by i.customer_id order by i.number) - i.gross_total as before
             from invoices i
             where i.tenant_id = $1 and i.id = any($2) and i.kind = 'invoice' and i.status = 'issued'
               and i.gross_total > 0
         ), credit as (
             select p.id, p.customer_id, p.received_on,
                    p.amount - coalesce((select sum(a.amount) from payment_allocations a where a.payment_id = p.id), 0) as left_over
             from payments p
             where p.tenant_id = $1 and p.status = 'allocated'
               and p.customer_id in (select customer_id from due)
         ), credit_run as (
             select id, customer_id, left_over,
                    sum(left_over) over (partition by customer_id order by received_on, id) - left_over as before
             from credit where left_over > 0
         ), booked as (
             insert into payment_allocations (payment_id, invoice_id, amount)
             select c.id, d.id, least(c.before + c.left_over, d.before + d.open) - greatest(c.before, d.before)
             from credit_run c join due d on d.customer_id = c.customer_id
             where least(c.before + c.left_over, d.before + d.open) > greatest(c.before, d.before)
             returning amount
         )
         select sum(amount) from booked",
    )
    .bind(tenant_id)
    .bind(invoice_ids)
    .fetch_one(conn)
    .await?;
    Ok(applied.unwrap_or_default())
}

/// The collection file whose payment-information block is `batch_id`.
pub async fn collection_file(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    batch_id: &str,
) -> sqlx::Result<Option<String>> {
    let content: Option<Vec<u8>> = sqlx::query_scalar(
        "select content from direct_debits
         where tenant_id = $1 and position(convert_to('<PmtInfId>' || $2 || '</PmtInfId>', 'UTF8') in content) > 0
         order by created_at desc limit 1",
    )
    .bind(tenant_id)
    .bind(batch_id)
    .fetch_optional(conn)
    .await?;
    Ok(content.and_then(|bytes| String::from_utf8(bytes).ok()))
}
