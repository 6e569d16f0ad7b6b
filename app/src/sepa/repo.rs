//! SQL of mandates and collection files. Collections are read and written set-based: one
//! query finds what is due, one insert each writes the file and its items, one update moves
//! the mandates on.

use super::model::*;
use crate::domain::sepa::{mandate_expired, Scheme, SequenceType};
use crate::invoices::repo::OPEN_AMOUNT;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

const MANDATE: &str = "id, customer_id, reference, signed_on, scheme, account_holder, iban, bic,
    next_sequence, status, revoked_on, last_collection_on, amended_from_reference, amended_from_iban";

#[derive(sqlx::FromRow)]
struct MandateRecord {
    id: Uuid,
    customer_id: Uuid,
    reference: String,
    signed_on: NaiveDate,
    scheme: String,
    account_holder: String,
    iban: String,
    bic: Option<String>,
    next_sequence: String,
    status: String,
    revoked_on: Option<NaiveDate>,
    last_collection_on: Option<NaiveDate>,
    amended_from_reference: Option<String>,
    amended_from_iban: Option<String>,
}

impl MandateRecord {
    fn into_mandate(self, today: NaiveDate) -> Mandate {
        Mandate {
            expired: mandate_expired(self.last_collection_on, self.signed_on, today),
            id: self.id,
            customer_id: self.customer_id,
            reference: self.reference,
            signed_on: self.signed_on,
            scheme: Scheme::parse(&self.scheme).unwrap_or(Scheme::Core),
            account_holder: self.account_holder,
            iban: self.iban,
            bic: self.bic,
            next_sequence: SequenceType::parse(&self.next_sequence).unwrap_or(SequenceType::First),
            status: MandateStatus::parse(&self.status).unwrap_or(MandateStatus::Revoked),
            revoked_on: self.revoked_on,
            last_collection_on: self.last_collection_on,
            amended_from_reference: self.amended_from_reference,
            amended_from_iban: self.amended_from_iban,
        }
    }
}

/// A mandate's fields after validation.
pub struct ValidMandate {
    pub reference: String,
    pub signed_on: NaiveDate,
    pub scheme: Scheme,
    pub account_holder: String,
    pub iban: String,
    pub bic: Option<String>,
}

/// A customer's mandates, the active one first, then the newest.
pub async fn mandates_of(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Vec<Mandate>> {
    let rows: Vec<MandateRecord> = sqlx::query_as(&format!(
        "select {MANDATE} from sepa_mandates where tenant_id = $1 and customer_id = $2
         order by status = 'active' desc, created_at desc"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_mandate(today)).collect())
}

/// One mandate, locked for a change.
pub async fn lock_mandate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Option<Mandate>> {
    let row: Option<MandateRecord> = sqlx::query_as(&format!(
        "select {MANDATE} from sepa_mandates where tenant_id = $1 and id = $2 for update"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.into_mandate(today)))
}

/// The customer's number and how many mandates they had: the default reference is
/// `{number}-{count + 1}`.
pub async fn reference_basis(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "select c.number, (select count(*) from sepa_mandates m where m.customer_id = c.id)
         from customers c where c.tenant_id = $1 and c.id = $2",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await
}

/// Whether the customer is a company (B2B mandates are for companies only).
pub async fn is_company(conn: &mut PgConnection, customer_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select kind = 'company' from customers where id = $1")
        .bind(customer_id)
        .fetch_one(conn)
        .await
}

pub async fn insert_mandate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    mandate: &ValidMandate,
    created_by: Option<Uuid>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into sepa_mandates (id, tenant_id, customer_id, reference, signed_on, scheme,
             account_holder, iban, bic, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(customer_id)
    .bind(&mandate.reference)
    .bind(mandate.signed_on)
    .bind(mandate.scheme.code())
    .bind(&mandate.account_holder)
    .bind(&mandate.iban)
    .bind(&mandate.bic)
    .bind(created_by)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Writes a mandate's new fields. `report_amendment`: the bank knows the mandate already,
/// so the next collection tells it the reference or account it knew (the first one, if
/// amended twice before a collection).
pub async fn amend_mandate(
    conn: &mut PgConnection,
    id: Uuid,
    mandate: &ValidMandate,
    report_amendment: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "update sepa_mandates set
             amended_from_reference = case when $8 and reference <> $2
                 then coalesce(amended_from_reference, reference) else amended_from_reference end,
             amended_from_iban = case when $8 and iban <> $6
                 then coalesce(amended_from_iban, iban) else amended_from_iban end,
             reference = $2, signed_on = $3, scheme = $4, account_holder = $5, iban = $6, bic = $7,
             updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(&mandate.reference)
    .bind(mandate.signed_on)
    .bind(mandate.scheme.code())
    .bind(&mandate.account_holder)
    .bind(&mandate.iban)
    .bind(&mandate.bic)
    .bind(report_amendment)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn revoke_mandate(
    conn: &mut PgConnection,
    id: Uuid,
    revoked_on: NaiveDate,
) -> sqlx::Result<()> {
    sqlx::query(
        "update sepa_mandates set status = 'revoked', revoked_on = $2, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(revoked_on)
    .execute(conn)
    .await
    .map(drop)
}

/// An issued direct-debit invoice not collected yet, with its mandate as it is now.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Collectible {
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub buyer_name: String,
    pub language: String,
    pub due_date: NaiveDate,
    /// What is still open: gross less credit notes and payments.
    pub amount: Decimal,
    pub currency: String,
    pub mandate_id: Uuid,
    pub reference: String,
    pub signed_on: NaiveDate,
    pub scheme: String,
    pub account_holder: String,
    pub iban: String,
    pub bic: Option<String>,
    pub next_sequence: String,
    pub status: String,
    pub last_collection_on: Option<NaiveDate>,
    pub amended_from_reference: Option<String>,
    pub amended_from_iban: Option<String>,
}

/// Every direct-debit invoice due on or before `up_to` and not collected yet, in the
/// order they are collected (by mandate, then due date and number). `lock` locks their
/// mandates for an export.
pub async fn collectibles(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    up_to: NaiveDate,
    lock: bool,
) -> sqlx::Result<Vec<Collectible>> {
    let lock = if lock { "for update of m" } else { "" };
    sqlx::query_as(&format!(
        "select i.id as invoice_id, i.number as invoice_number, i.customer_id, i.customer_number,
                i.buyer_name, i.language, i.due_date,
                {OPEN_AMOUNT} as amount,
                i.currency, m.id as mandate_id, m.reference, m.signed_on, m.scheme, m.account_holder,
                m.iban, m.bic, m.next_sequence, m.status, m.last_collection_on,
                m.amended_from_reference, m.amended_from_iban
         from invoices i join sepa_mandates m on m.id = i.mandate_id
         where i.tenant_id = $1 and i.status = 'issued' and i.kind = 'invoice' and i.due_date <= $2
           and not exists (select 1 from direct_debit_items d where d.invoice_id = i.id)
         order by m.id, i.due_date, i.number
         {lock}"
    ))
    .bind(tenant_id)
    .bind(up_to)
    .fetch_all(conn)
    .await
}

/// Serialises exports of one tenant: the second waits, then finds the first one's items.
pub async fn lock_exports(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('direct_debits:' || $1::text, 0))")
        .bind(tenant_id)
        .execute(conn)
        .await
        .map(drop)
}

/// One collected invoice of a file.
pub struct CollectedItem {
    pub invoice_id: Uuid,
    pub mandate_id: Uuid,
    pub scheme: Scheme,
    pub sequence: SequenceType,
    pub amount: Decimal,
    pub end_to_end_id: String,
}

/// Stores an exported file with its items and moves its mandates on (RCUR, amendment
/// reported, last used on the collection date).
#[allow(clippy::too_many_arguments)]
pub async fn store_export(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    message_id: &str,
    collection_date: NaiveDate,
    items: &[CollectedItem],
    content: &[u8],
    created_by: Option<Uuid>,
) -> sqlx::Result<()> {
    let total: Decimal = items.iter().map(|i| i.amount).sum();
    let count = i32::try_from(items.len()).unwrap_or(i32::MAX);
    sqlx::query(
        "insert into direct_debits (id, tenant_id, message_id, collection_date, transaction_count,
             total, content, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(message_id)
    .bind(collection_date)
    .bind(count)
    .bind(total)
    .bind(content)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    let invoices: Vec<Uuid> = items.iter().map(|i| i.invoice_id).collect();
    let mandates: Vec<Uuid> = items.iter().map(|i| i.mandate_id).collect();
    let schemes: Vec<&str> = items.iter().map(|i| i.scheme.code()).collect();
    let sequences: Vec<&str> = items.iter().map(|i| i.sequence.code()).collect();
    let amounts: Vec<Decimal> = items.iter().map(|i| i.amount).collect();
    let end_to_end: Vec<&str> = items.iter().map(|i| i.end_to_end_id.as_str()).collect();
    sqlx::query(
        "insert into direct_debit_items (direct_debit_id, invoice_id, mandate_id, scheme, sequence,
             amount, end_to_end_id)
         select $1, * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::numeric[], $7::text[])",
    )
    .bind(id)
    .bind(&invoices)
    .bind(&mandates)
    .bind(&schemes)
    .bind(&sequences)
    .bind(&amounts)
    .bind(&end_to_end)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update sepa_mandates set next_sequence = 'RCUR', amended_from_reference = null,
             amended_from_iban = null, updated_at = now(),
             last_collection_on = greatest(last_collection_on, $2)
         where id = any($1)",
    )
    .bind(&mandates)
    .bind(collection_date)
    .execute(conn)
    .await
    .map(drop)
}

#[derive(sqlx::FromRow)]
struct FileRecord {
    id: Uuid,
    message_id: String,
    collection_date: NaiveDate,
    transaction_count: i32,
    total: Decimal,
    created_at: chrono::NaiveDateTime,
    created_by: Option<String>,
}

/// The tenant's latest collection files.
pub async fn files(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    limit: i64,
    lang: crate::i18n::Lang,
) -> sqlx::Result<Vec<DirectDebitFile>> {
    let rows: Vec<FileRecord> = sqlx::query_as(
        "select d.id, d.message_id, d.collection_date, d.transaction_count, d.total,
                d.created_at at time zone t.time_zone as created_at, u.display_name as created_by
         from direct_debits d join tenants t on t.id = d.tenant_id
              left join users u on u.id = d.created_by
         where d.tenant_id = $1 order by d.created_at desc, d.id limit $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DirectDebitFile {
            id: r.id,
            message_id: r.message_id,
            collection_date: r.collection_date,
            transaction_count: r.transaction_count,
            total: r.total,
            created_at: crate::domain::format::date_time(r.created_at, lang),
            created_by: r.created_by,
        })
        .collect())
}

/// A stored file's bytes.
pub async fn file_content(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(NaiveDate, Vec<u8>)>> {
    sqlx::query_as(
        "select collection_date, content from direct_debits where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}
