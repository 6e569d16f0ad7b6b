//! SQL of the invoice lifecycle. The database itself refuses changes to issued documents
//! (triggers in the billing migration); this module only ever inserts and issues them.

use super::model::*;
use crate::domain::billing::LineKind;
use crate::ui::paging::{Page, PageRequest};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

/// What an issued invoice `i` still asks for: gross less issued credit notes less payments.
pub const OPEN_AMOUNT: &str = "(i.gross_total
    - coalesce((select sum(c.gross_total) from invoices c where c.corrects_id = i.id and c.status = 'issued'), 0)
    - coalesce((select sum(a.amount) from payment_allocations a where a.invoice_id = i.id), 0))";

const SUMMARY: &str =
    "i.id, i.kind, i.status, i.number, i.customer_id, i.customer_number, i.buyer_name,
    i.issue_date, i.due_date, i.period_start, i.period_end, i.net_total, i.tax_total, i.gross_total,
    i.currency, i.created_at";

#[derive(sqlx::FromRow)]
struct SummaryRecord {
    id: Uuid,
    kind: String,
    status: String,
    number: Option<String>,
    customer_id: Uuid,
    customer_number: String,
    buyer_name: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    net_total: Decimal,
    tax_total: Decimal,
    gross_total: Decimal,
    currency: String,
    created_at: DateTime<Utc>,
}

impl From<SummaryRecord> for InvoiceSummary {
    fn from(r: SummaryRecord) -> Self {
        InvoiceSummary {
            id: r.id,
            kind: InvoiceKind::parse(&r.kind).unwrap_or(InvoiceKind::Invoice),
            status: InvoiceStatus::parse(&r.status).unwrap_or(InvoiceStatus::Draft),
            number: r.number,
            customer_id: r.customer_id,
            customer_number: r.customer_number,
            buyer_name: r.buyer_name,
            issue_date: r.issue_date,
            due_date: r.due_date,
            period_start: r.period_start,
            period_end: r.period_end,
            net_total: r.net_total,
            tax_total: r.tax_total,
            gross_total: r.gross_total,
            currency: r.currency,
            created_at: r.created_at,
        }
    }
}

/// One page of a tenant's invoices, newest first; `customer_scope` limits it to one customer
/// (the portal). Previews only show when asked for by run.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &InvoiceFilter,
    customer_scope: Option<Uuid>,
    page: &PageRequest,
) -> sqlx::Result<Page<InvoiceSummary>> {
    let condition = "i.tenant_id = $1
        and ($2::text is null or i.status = $2) and ($2::text is not null or i.status <> 'preview' or $4::uuid is not null)
        and ($3::uuid is null or i.customer_id = $3)
        and ($4::uuid is null or i.billing_run_id = $4)
        and ($5::uuid is null or i.customer_id = $5)
        and ($6 = '' or lower(coalesce(i.number, '') || ' ' || i.buyer_name || ' ' || i.customer_number) like '%' || $6 || '%')";
    let order = match page.sort.as_str() {
        "number" => "i.number",
        "customer" => "lower(i.buyer_name)",
        "gross" => "i.gross_total",
        "issue_date" => "i.issue_date",
        _ => "i.created_at",
    };
    let direction = if page.descending || page.sort.is_empty() {
        "desc"
    } else {
        "asc"
    };
    let search = page.search.trim().to_lowercase();
    let status = filter.status.map(InvoiceStatus::as_str);
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from invoices i where {condition}"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(filter.billing_run_id)
    .bind(customer_scope)
    .bind(&search)
    .fetch_one(&mut *conn)
    .await?;
    let items = sqlx::query_as::<_, SummaryRecord>(&format!(
        "select {SUMMARY} from invoices i where {condition}
         order by {order} {direction} nulls last, i.id limit $7 offset $8"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(filter.billing_run_id)
    .bind(customer_scope)
    .bind(&search)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    Ok(Page::new(
        items.into_iter().map(InvoiceSummary::from).collect(),
        total,
        page,
    ))
}

/// A document with its lines; `customer_scope` for the portal.
pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<Option<InvoiceDetail>> {
    let Some(row) = sqlx::query(&format!(
        "select {SUMMARY}, i.language, i.tax_treatment, i.buyer_street, i.buyer_postal_code,
                i.buyer_city, i.buyer_country, i.buyer_vat_id, i.buyer_leitweg_id, i.buyer_email,
                i.note, i.mandate_reference, i.creditor_id, i.debtor_iban, o.id as corrects_id, o.number as corrects_number, o.issue_date as corrects_date,
                array(select format from invoice_documents d where d.invoice_id = i.id order by format) as documents,
                i.approved_at, a.display_name as approved_by_name,
                i.kind = 'credit_note' and coalesce(s.credit_note_approval, false) as approval_required,
                case when i.kind = 'credit_note' and i.status = 'draft' then o.gross_total
                    - coalesce((select sum(x.gross_total) from invoices x where x.corrects_id = o.id and x.status = 'issued'), 0)
                end as creditable
         from invoices i left join invoices o on o.id = i.corrects_id
         left join users a on a.id = i.approved_by
         left join billing_settings s on s.tenant_id = i.tenant_id
         where i.tenant_id = $1 and i.id = $2 and ($3::uuid is null or i.customer_id = $3)"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(customer_scope)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    use sqlx::FromRow;
    let summary = InvoiceSummary::from(SummaryRecord::from_row(&row)?);
    let corrects = match (
        row.try_get::<Option<Uuid>, _>("corrects_id")?,
        row.try_get::<Option<String>, _>("corrects_number")?,
    ) {
        (Some(id), Some(number)) => Some((id, number, row.try_get("corrects_date")?)),
        _ => None,
    };
    let lines = lines(conn, id).await?;
    let direct_debit = match (
        row.try_get::<Option<String>, _>("mandate_reference")?,
        row.try_get::<Option<String>, _>("creditor_id")?,
        row.try_get::<Option<String>, _>("debtor_iban")?,
    ) {
        (Some(mandate_reference), Some(creditor_id), Some(debtor_iban)) => Some(DirectDebitTerms {
            mandate_reference,
            creditor_id,
            debtor_iban,
        }),
        _ => None,
    };
    let approval = match (
        row.try_get::<bool, _>("approval_required")?,
        row.try_get::<Option<DateTime<Utc>>, _>("approved_at")?,
    ) {
        (_, Some(at)) => Approval::Approved {
            by: row
                .try_get::<Option<String>, _>("approved_by_name")?
                .unwrap_or_default(),
            at,
        },
        (true, None) => Approval::Pending,
        (false, None) => Approval::NotRequired,
    };
    Ok(Some(
        InvoiceDetail {
            summary,
            language: row.try_get("language")?,
            tax_treatment: row.try_get("tax_treatment")?,
            buyer_street: row.try_get("buyer_street")?,
            buyer_postal_code: row.try_get("buyer_postal_code")?,
            buyer_city: row.try_get("buyer_city")?,
            buyer_country: row.try_get("buyer_country")?,
            buyer_vat_id: row.try_get("buyer_vat_id")?,
            buyer_leitweg_id: row.try_get("buyer_leitweg_id")?,
            buyer_email: row.try_get("buyer_email")?,
            note: row.try_get("note")?,
            corrects,
            lines,
            totals: Default::default(),
            tax_notes: Vec::new(),
            documents: row.try_get("documents")?,
            direct_debit,
            approval,
            creditable: row.try_get("creditable")?,
        }
        .with_totals(),
    ))
}

async fn lines(conn: &mut PgConnection, invoice_id: Uuid) -> sqlx::Result<Vec<InvoiceLine>> {
    let rows = sqlx::query(
        "select l.id, l.position, l.kind, l.contract_id, c.number as contract_number, l.period_start,
                l.period_end, l.description, l.quantity, l.unit_code, l.unit_price, l.net_amount,
                l.vat_code, l.vat_rate, l.tax_note
         from invoice_lines l left join contracts c on c.id = l.contract_id
         where l.invoice_id = $1 order by l.position",
    )
    .bind(invoice_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let code: String = row.try_get("vat_code")?;
            let note: Option<String> = row.try_get("tax_note")?;
            Ok(InvoiceLine {
                id: row.try_get("id")?,
                position: row.try_get("position")?,
                kind: LineKind::parse(&row.try_get::<String, _>("kind")?)
                    .unwrap_or(LineKind::Manual),
                contract_id: row.try_get("contract_id")?,
                contract_number: row.try_get("contract_number")?,
                period_start: row.try_get("period_start")?,
                period_end: row.try_get("period_end")?,
                description: row.try_get("description")?,
                quantity: row.try_get("quantity")?,
                unit_code: row.try_get("unit_code")?,
                unit_price: row.try_get("unit_price")?,
                net_amount: row.try_get("net_amount")?,
                tax: line_tax_from_row(&code, row.try_get("vat_rate")?, note.as_deref()),
            })
        })
        .collect()
}

/// Reserves `count` numbers of a range at once (gapless: the row lock holds until commit);
/// returns the pattern and the first value.
pub async fn reserve_numbers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    kind: &str,
    default_pattern: &str,
    year: i32,
    count: i64,
) -> sqlx::Result<(String, i64)> {
    sqlx::query(
        "insert into number_ranges (tenant_id, kind, pattern) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(default_pattern)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "with range as (
             select * from number_ranges where tenant_id = $1 and kind = $2 for update
         ), taken as (
             select pattern,
                    case when yearly_reset and current_year is distinct from $3 then 1 else next_value end as value
             from range
         )
         update number_ranges r set next_value = taken.value + $4, current_year = $3
         from taken where r.tenant_id = $1 and r.kind = $2
         returning taken.pattern, taken.value",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(year)
    .bind(count)
    .fetch_one(conn)
    .await
}

/// Drafts of the tenant among `ids`, locked, in the order asked: (id, kind).
pub async fn lock_drafts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select i.id, i.kind from invoices i
         join unnest($2::uuid[]) with ordinality as wanted(id, n) on wanted.id = i.id
         where i.tenant_id = $1 and i.status = 'draft'
         order by wanted.n
         for update of i",
    )
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// The drafts a run made, in customer-number order (the order they are numbered in).
pub async fn draft_ids_of_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    run_id: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select id from invoices where tenant_id = $1 and billing_run_id = $2 and status = 'draft'
         order by customer_number, id",
    )
    .bind(tenant_id)
    .bind(run_id)
    .fetch_all(conn)
    .await
}

/// Copies the buyer of drafts again from their customers: what an issued invoice names is
/// the customer as on the day it is issued.
pub async fn refresh_buyers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "update invoices i set customer_number = c.number, buyer_name = c.display_name,
             buyer_street = c.billing_street, buyer_postal_code = c.billing_postal_code,
             buyer_city = c.billing_city, buyer_country = c.billing_country, buyer_vat_id = c.vat_id,
             buyer_leitweg_id = c.leitweg_id,
             buyer_email = case when c.invoice_email <> '' then c.invoice_email else c.email end
         from customers c
         where i.id = any($2) and i.tenant_id = $1 and i.status = 'draft' and c.id = i.customer_id",
    )
    .bind(tenant_id)
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    attach_mandates(conn, tenant_id, ids).await
}

/// An invoice whose customer has an active, unexpired mandate is paid by direct debit: it
/// names the mandate, the tenant's creditor id (empty if missing, which stops issuing) and
/// the account. Any other draft is paid by transfer.
async fn attach_mandates(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "update invoices i set mandate_id = m.id, mandate_reference = m.reference,
             creditor_id = case when m.id is not null then coalesce(t.creditor_id, '') end,
             debtor_iban = m.iban
         from invoices d
         join tenants t on t.id = d.tenant_id
         left join sepa_mandates m on m.customer_id = d.customer_id and m.status = 'active'
             and coalesce(m.last_collection_on, m.signed_on) + interval '36 months'
                 >= (now() at time zone t.time_zone)::date
         where d.id = i.id and i.id = any($2) and i.tenant_id = $1 and i.status = 'draft'
           and i.kind = 'invoice'",
    )
    .bind(tenant_id)
    .bind(ids)
    .execute(conn)
    .await
    .map(drop)
}

/// Issues drafts with their numbers in one statement: the issue date is `today`, the due
/// date follows the customer's payment terms.
pub async fn issue(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
    numbers: &[String],
    today: NaiveDate,
    issued_by: Option<Uuid>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "update invoices i set status = 'issued', number = u.number, issue_date = $3,
             due_date = $3 + c.payment_terms_days, issued_at = now(), issued_by = $4
         from unnest($2::uuid[], $5::text[]) as u(id, number), customers c
         where i.id = u.id and i.tenant_id = $1 and i.status = 'draft' and c.id = i.customer_id",
    )
    .bind(tenant_id)
    .bind(ids)
    .bind(today)
    .bind(issued_by)
    .bind(numbers)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// Stores a document's file; the table refuses to change it later.
pub async fn store_document(
    conn: &mut PgConnection,
    invoice_id: Uuid,
    format: &str,
    content: &[u8],
) -> sqlx::Result<()> {
    use sha2::Digest;
    sqlx::query(
        "insert into invoice_documents (invoice_id, format, content, sha256) values ($1, $2, $3, $4)",
    )
    .bind(invoice_id)
    .bind(format)
    .bind(content)
    .bind(hex::encode(sha2::Sha256::digest(content)))
    .execute(conn)
    .await
    .map(drop)
}

pub async fn document(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    invoice_id: Uuid,
    format: &str,
    customer_scope: Option<Uuid>,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as(
        "select i.number, d.content from invoice_documents d join invoices i on i.id = d.invoice_id
         where i.tenant_id = $1 and d.invoice_id = $2 and d.format = $3
           and ($4::uuid is null or i.customer_id = $4)",
    )
    .bind(tenant_id)
    .bind(invoice_id)
    .bind(format)
    .bind(customer_scope)
    .fetch_optional(conn)
    .await
}

/// A credit-note draft that takes back `original` in full: the same lines, each marked as
/// a correction (kind `manual`, so it never counts as billing a period), the same buyer.
pub async fn create_credit_note(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    original: Uuid,
    created_by: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::new_v4();
    let created = sqlx::query(
        "insert into invoices (id, tenant_id, customer_id, kind, status, corrects_id, currency, language,
             tax_treatment, customer_number, buyer_name, buyer_street, buyer_postal_code, buyer_city,
             buyer_country, buyer_vat_id, buyer_leitweg_id, buyer_email, period_start, period_end,
             net_total, tax_total, gross_total, created_by)
         select $1, tenant_id, customer_id, 'credit_note', 'draft', id, currency, language, tax_treatment,
                customer_number, buyer_name, buyer_street, buyer_postal_code, buyer_city, buyer_country,
                buyer_vat_id, buyer_leitweg_id, buyer_email, period_start, period_end,
                net_total, tax_total, gross_total, $4
         from invoices where tenant_id = $2 and id = $3 and status = 'issued' and kind = 'invoice'",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(original)
    .bind(created_by)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if created == 0 {
        return Ok(None);
    }
    sqlx::query(
        "insert into invoice_lines (id, invoice_id, position, kind, contract_id, period_start, period_end,
             description, quantity, unit_code, unit_price, net_amount, vat_code, vat_rate, tax_note)
         select gen_random_uuid(), $1, position, 'manual', contract_id, period_start, period_end,
                description, quantity, unit_code, unit_price, net_amount, vat_code, vat_rate, tax_note
         from invoice_lines where invoice_id = $2",
    )
    .bind(id)
    .bind(original)
    .execute(conn)
    .await?;
    Ok(Some(id))
}

/// Whether an issued invoice has a credit-note draft, and how much of it issued credit
/// notes have not yet taken back.
pub async fn credit_note_state(
    conn: &mut PgConnection,
    original: Uuid,
) -> sqlx::Result<(bool, Decimal)> {
    sqlx::query_as(
        "select exists (select 1 from invoices where corrects_id = o.id and status = 'draft'),
                o.gross_total - coalesce((select sum(gross_total) from invoices
                                          where corrects_id = o.id and status = 'issued'), 0)
         from invoices o where o.id = $1",
    )
    .bind(original)
    .fetch_one(conn)
    .await
}

/// The seller as an e-invoice names them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Seller {
    pub legal_name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub vat_id: Option<String>,
    pub tax_number: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub creditor_id: Option<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    /// `#rrggbb`, the colour of headings and rules on the PDF.
    pub brand_primary: String,
    pub logo_data_url: Option<String>,
}

pub async fn seller(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<Seller> {
    sqlx::query_as(
        "select legal_name, street, postal_code, city, country, vat_id, tax_number, iban, bic,
                creditor_id, contact_name, phone, email, brand_primary, logo_data_url
         from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await
}

/// A new manual invoice draft for a customer of the tenant, naming the customer as now.
pub async fn create_manual_draft(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    created_by: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "insert into invoices (id, tenant_id, customer_id, kind, status, currency, language,
             tax_treatment, customer_number, buyer_name, buyer_street, buyer_postal_code, buyer_city,
             buyer_country, buyer_vat_id, buyer_leitweg_id, buyer_email, created_by, edited_by)
         select gen_random_uuid(), $1, c.id, 'invoice', 'draft', t.currency, c.language, c.tax_treatment,
                c.number, c.display_name, c.billing_street, c.billing_postal_code, c.billing_city,
                c.billing_country, c.vat_id, c.leitweg_id,
                case when c.invoice_email <> '' then c.invoice_email else c.email end, $3, $3
         from customers c join tenants t on t.id = c.tenant_id
         where c.tenant_id = $1 and c.id = $2
         returning id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(created_by)
    .fetch_optional(conn)
    .await
}

/// A draft as the editor changes it, locked for the change.
#[derive(Debug, sqlx::FromRow)]
pub struct LockedDraft {
    pub kind: String,
    pub tax_treatment: String,
    pub corrects_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub edited_by: Option<Uuid>,
    pub approved: bool,
}

pub async fn lock_draft(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<LockedDraft>> {
    sqlx::query_as(
        "select kind, tax_treatment, corrects_id, created_by, edited_by, approved_at is not null as approved
         from invoices where tenant_id = $1 and id = $2 and status = 'draft' for update",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The lines of a draft: (id, kind).
pub async fn draft_line_kinds(
    conn: &mut PgConnection,
    invoice_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as("select id, kind from invoice_lines where invoice_id = $1")
        .bind(invoice_id)
        .fetch_all(conn)
        .await
}

/// A line as the editor leaves it; `id` of an existing line or a new one.
pub struct EditedLine {
    pub id: Uuid,
    pub existing: bool,
    pub description: String,
    pub quantity: Decimal,
    pub unit_code: String,
    pub unit_price: Decimal,
    pub net: Decimal,
    pub tax: crate::domain::invoice_math::LineTax,
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// Replaces a draft's note and lines in five statements: lines left out are deleted,
/// kept ones updated (keeping contract, kind and period), new ones inserted as free lines;
/// totals and the period the lines span are stored again, and a given approval is void.
pub async fn save_draft(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    note: &str,
    lines: &[EditedLine],
    totals: &crate::domain::invoice_math::Totals,
    edited_by: Option<Uuid>,
) -> sqlx::Result<()> {
    let kept: Vec<Uuid> = lines.iter().filter(|l| l.existing).map(|l| l.id).collect();
    sqlx::query("delete from invoice_lines where invoice_id = $1 and id <> all($2)")
        .bind(id)
        .bind(&kept)
        .execute(&mut *conn)
        .await?;
    // out of the way of the new positions first (positions are unique per invoice)
    sqlx::query("update invoice_lines set position = position + 1000000 where invoice_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let positions: Vec<i32> = (1..).take(lines.len()).collect();
    let column = |pick: fn(&EditedLine) -> bool| -> Vec<bool> { lines.iter().map(pick).collect() };
    let existing = column(|l| l.existing);
    sqlx::query(
        "with given as (
             select * from unnest($2::uuid[], $3::bool[], $4::int[], $5::text[], $6::numeric[], $7::text[],
                                  $8::numeric[], $9::numeric[], $10::text[], $11::numeric[], $12::text[],
                                  $13::date[], $14::date[])
                 as u(id, existing, position, description, quantity, unit_code, unit_price, net,
                      vat_code, vat_rate, tax_note, period_start, period_end)
         ), updated as (
             update invoice_lines l set position = g.position, description = g.description,
                 quantity = g.quantity, unit_code = g.unit_code, unit_price = g.unit_price,
                 net_amount = g.net, vat_code = g.vat_code, vat_rate = g.vat_rate, tax_note = g.tax_note,
                 period_start = case when l.kind = 'manual' and l.contract_id is null then g.period_start else l.period_start end,
                 period_end = case when l.kind = 'manual' and l.contract_id is null then g.period_end else l.period_end end
             from given g where g.existing and l.id = g.id and l.invoice_id = $1
         )
         insert into invoice_lines (id, invoice_id, position, kind, description, quantity, unit_code,
             unit_price, net_amount, vat_code, vat_rate, tax_note, period_start, period_end)
         select id, $1, position, 'manual', description, quantity, unit_code, unit_price, net,
                vat_code, vat_rate, tax_note, period_start, period_end
         from given where not existing",
    )
    .bind(id)
    .bind(lines.iter().map(|l| l.id).collect::<Vec<_>>())
    .bind(&existing)
    .bind(&positions)
    .bind(lines.iter().map(|l| l.description.as_str()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.quantity).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.unit_code.as_str()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.unit_price).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.net).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.code.code()).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.rate).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.tax.note.map(|n| n.as_str())).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.period.map(|p| p.0)).collect::<Vec<_>>())
    .bind(lines.iter().map(|l| l.period.map(|p| p.1)).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update invoices set note = $3, net_total = $4, tax_total = $5, gross_total = $6,
             period_start = (select min(period_start) from invoice_lines where invoice_id = $2),
             period_end = (select max(coalesce(period_end, period_start)) from invoice_lines where invoice_id = $2),
             edited_by = $7, approved_by = null, approved_at = null
         where tenant_id = $1 and id = $2 and status = 'draft'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(note)
    .bind(totals.net)
    .bind(totals.tax)
    .bind(totals.gross)
    .bind(edited_by)
    .execute(conn)
    .await
    .map(drop)
}

/// Whether a later invoice bills periods of the contracts on this draft (then throwing the
/// draft away would leave a gap).
pub async fn billed_later(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (
             select 1 from invoice_lines d
             join invoice_lines l on l.contract_id = d.contract_id and l.invoice_id <> d.invoice_id
                 and not l.preview and l.kind in ('setup', 'recurring', 'credit')
                 and l.period_start > d.period_start
             where d.invoice_id = $1 and d.kind in ('setup', 'recurring', 'credit'))",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Throws a draft away. What a billing run put on it is open again: the contracts' setup
/// fee and periods go back to unbilled and the usage records to unbilled, so the next run
/// bills them afresh.
pub async fn discard_draft(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "update contracts c set
             setup_fee_billed = c.setup_fee_billed and not r.setup,
             billed_until = coalesce(r.first_recurring - 1, r.credited_until, c.billed_until),
             updated_at = now()
         from (select contract_id, bool_or(kind = 'setup') as setup,
                      min(period_start) filter (where kind = 'recurring') as first_recurring,
                      max(period_end) filter (where kind = 'credit') as credited_until
               from invoice_lines where invoice_id = $2 and kind in ('setup', 'recurring', 'credit')
               group by contract_id) r
         where c.id = r.contract_id and c.tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update usage_records set billed_at = null, invoice_line_id = null
         where invoice_line_id in (select id from invoice_lines where invoice_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from invoices where tenant_id = $1 and id = $2 and status = 'draft'")
        .bind(tenant_id)
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}

/// Records the second person's approval of a credit-note draft.
pub async fn approve(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    approved_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update invoices set approved_by = $3, approved_at = now()
         where tenant_id = $1 and id = $2 and status = 'draft' and kind = 'credit_note'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(approved_by)
    .execute(conn)
    .await
    .map(drop)
}

/// Credit notes among `ids` the tenant wants approved that are not: (id, buyer name).
pub async fn unapproved_credit_notes(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "select i.id, i.buyer_name from invoices i
         join billing_settings s on s.tenant_id = i.tenant_id and s.credit_note_approval
         where i.tenant_id = $1 and i.id = any($2) and i.kind = 'credit_note' and i.approved_at is null",
    )
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// Credit notes among `ids` that take back more than their invoice has left after the
/// issued credit notes: (id, buyer name, what was left). The originals are locked, so
/// two credit notes of one invoice are issued one after the other.
pub async fn over_credited(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String, Decimal)>> {
    sqlx::query(
        "select 1 from invoices where id in
             (select corrects_id from invoices where tenant_id = $1 and id = any($2))
         order by id for update",
    )
    .bind(tenant_id)
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "with asked as (
             select id, corrects_id, buyer_name,
                    sum(gross_total) over (partition by corrects_id) as together
             from invoices where tenant_id = $1 and id = any($2) and kind = 'credit_note'
         ), left_over as (
             select o.id, o.gross_total - coalesce((select sum(x.gross_total) from invoices x
                        where x.corrects_id = o.id and x.status = 'issued'), 0) as creditable
             from invoices o where o.id in (select corrects_id from asked)
         )
         select a.id, a.buyer_name, l.creditable from asked a join left_over l on l.id = a.corrects_id
         where a.together > l.creditable",
    )
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}
