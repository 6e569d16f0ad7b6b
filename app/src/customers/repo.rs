use super::model::*;
use crate::domain::numbering::NumberPattern;
use crate::domain::tax::TaxTreatment;
use crate::i18n::Lang;
use crate::ui::paging::{Page, PageRequest};
use sqlx::PgConnection;
use uuid::Uuid;

pub const DEFAULT_CUSTOMER_PATTERN: &str = "K-{#####}";

/// Takes the next number of a tenant's range; the row lock keeps it gapless per transaction.
pub async fn next_number(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    kind: &str,
    default_pattern: &str,
    year: i32,
) -> sqlx::Result<String> {
    sqlx::query("insert into number_ranges (tenant_id, kind, pattern) values ($1, $2, $3) on conflict do nothing")
        .bind(tenant_id)
        .bind(kind)
        .bind(default_pattern)
        .execute(&mut *conn)
        .await?;
    let (pattern, value): (String, i64) = sqlx::query_as(
        "with range as (
             select * from number_ranges where tenant_id = $1 and kind = $2 for update
         ), taken as (
             select pattern,
                    case when yearly_reset and current_year is distinct from $3 then 1 else next_value end as value
             from range
         )
         update number_ranges r set next_value = taken.value + 1, current_year = $3
         from taken where r.tenant_id = $1 and r.kind = $2
         returning taken.pattern, taken.value",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let pattern = NumberPattern::parse(&pattern)
        .map_err(|_| sqlx::Error::Protocol(format!("invalid number pattern {pattern}")))?;
    Ok(pattern.format(u64::try_from(value).unwrap_or(1), year))
}

/// Mail providers whose domain says nothing about the company.
const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "web.de",
    "gmx.de",
    "gmx.net",
    "t-online.de",
    "outlook.com",
    "outlook.de",
    "hotmail.com",
    "hotmail.de",
    "yahoo.com",
    "yahoo.de",
    "icloud.com",
    "me.com",
    "posteo.de",
    "mailbox.org",
    "freenet.de",
    "aol.com",
    "mail.de",
    "proton.me",
    "protonmail.com",
];

pub fn company_mail_domain(email: &str) -> String {
    let domain = email
        .trim()
        .rsplit_once('@')
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default();
    if FREEMAIL.contains(&domain.as_str()) {
        String::new()
    } else {
        domain
    }
}

pub async fn duplicates(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    input: &CustomerInput,
    except: Option<Uuid>,
) -> sqlx::Result<Vec<DuplicateHint>> {
    let rows: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "select distinct on (id) id, number, display_name, reason from (
             select id, number, display_name, 'same_vat_id' as reason, 1 as rank from customers
             where tenant_id = $1 and $2 <> '' and vat_id = $2
             union all
             select id, number, display_name, 'same_email_domain', 2 from customers
             where tenant_id = $1 and $3 <> '' and lower(split_part(email, '@', 2)) = $3
             union all
             select id, number, display_name, 'similar_name', 3 from customers
             where tenant_id = $1 and $4 <> '' and display_name % $4 and similarity(display_name, $4) >= 0.5
         ) found
         where $5::uuid is null or id <> $5
         order by id, rank
         limit 10",
    )
    .bind(tenant_id)
    .bind(input.vat_id.trim())
    .bind(company_mail_domain(&input.email))
    .bind(input.display_name())
    .bind(except)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, display_name, reason)| DuplicateHint {
            id,
            number,
            display_name,
            reason: match reason.as_str() {
                "same_vat_id" => DuplicateReason::SameVatId,
                "same_email_domain" => DuplicateReason::SameEmailDomain,
                _ => DuplicateReason::SimilarName,
            },
        })
        .collect())
}

fn none_if_empty(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

/// Binds the master data in the column order of `COLUMNS`.
macro_rules! bind_customer {
    ($query:expr, $c:expr) => {{
        let postal = $c.separate_postal_address;
        $query
            .bind($c.kind.as_str())
            .bind($c.company_name.trim())
            .bind($c.first_name.trim())
            .bind($c.last_name.trim())
            .bind($c.email.trim())
            .bind($c.phone.trim())
            .bind($c.website.trim())
            .bind($c.billing_street.trim())
            .bind($c.billing_postal_code.trim())
            .bind($c.billing_city.trim())
            .bind(&$c.billing_country)
            .bind(postal.then(|| $c.postal_street.trim()))
            .bind(postal.then(|| $c.postal_postal_code.trim()))
            .bind(postal.then(|| $c.postal_city.trim()))
            .bind(postal.then(|| $c.postal_country.as_str()))
            .bind(none_if_empty(&$c.vat_id))
            .bind($c.tax_treatment.as_str())
            .bind($c.payment_terms_days)
            .bind($c.language.code())
            .bind(&$c.tags)
            .bind($c.notes.trim())
            .bind(custom_fields_json(&$c.custom_fields))
            .bind(none_if_empty(&$c.leitweg_id))
            .bind($c.invoice_email.trim())
    }};
}

const COLUMNS: &str = "kind, company_name, first_name, last_name, email, phone, website, billing_street,
    billing_postal_code, billing_city, billing_country, postal_street, postal_postal_code, postal_city,
    postal_country, vat_id, tax_treatment, payment_terms_days, language, tags, notes, custom_fields,
    leitweg_id, invoice_email";

fn custom_fields_json(fields: &[CustomField]) -> serde_json::Value {
    serde_json::Value::Object(
        fields
            .iter()
            .map(|f| (f.key.clone(), serde_json::Value::String(f.value.clone())))
            .collect(),
    )
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    number: &str,
    customer: &CustomerInput,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    let sql = format!(
        "insert into customers (id, tenant_id, number, {COLUMNS})
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    );
    bind_customer!(
        sqlx::query(&sql).bind(id).bind(tenant_id).bind(number),
        customer
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Updates the master data; false when the customer is not in this tenant.
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    customer: &CustomerInput,
) -> sqlx::Result<bool> {
    let sql = format!(
        "update customers set ({COLUMNS}, updated_at) =
             ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, now())
         where id = $1 and tenant_id = $2"
    );
    let done = bind_customer!(sqlx::query(&sql).bind(id).bind(tenant_id), customer)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct CustomerRecord {
    id: Uuid,
    number: String,
    display_name: String,
    archived: bool,
    created_at: String,
    kind: String,
    company_name: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    website: String,
    billing_street: String,
    billing_postal_code: String,
    billing_city: String,
    billing_country: String,
    postal_street: Option<String>,
    postal_postal_code: Option<String>,
    postal_city: Option<String>,
    postal_country: Option<String>,
    vat_id: Option<String>,
    tax_treatment: String,
    payment_terms_days: i32,
    language: String,
    tags: Vec<String>,
    notes: String,
    custom_fields: serde_json::Value,
    leitweg_id: Option<String>,
    invoice_email: String,
}

impl CustomerRecord {
    fn input(&self) -> CustomerInput {
        CustomerInput {
            kind: CustomerKind::parse(&self.kind).unwrap_or_default(),
            company_name: self.company_name.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            website: self.website.clone(),
            billing_street: self.billing_street.clone(),
            billing_postal_code: self.billing_postal_code.clone(),
            billing_city: self.billing_city.clone(),
            billing_country: self.billing_country.clone(),
            separate_postal_address: self.postal_street.is_some(),
            postal_street: self.postal_street.clone().unwrap_or_default(),
            postal_postal_code: self.postal_postal_code.clone().unwrap_or_default(),
            postal_city: self.postal_city.clone().unwrap_or_default(),
            postal_country: self
                .postal_country
                .clone()
                .unwrap_or_else(|| self.billing_country.clone()),
            vat_id: self.vat_id.clone().unwrap_or_default(),
            tax_treatment: TaxTreatment::parse(&self.tax_treatment).unwrap_or_default(),
            payment_terms_days: self.payment_terms_days,
            language: Lang::parse(&self.language).unwrap_or_default(),
            tags: self.tags.clone(),
            notes: self.notes.clone(),
            custom_fields: self
                .custom_fields
                .as_object()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|(key, value)| CustomField {
                            key: key.clone(),
                            value: value.as_str().unwrap_or_default().to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            leitweg_id: self.leitweg_id.clone().unwrap_or_default(),
            invoice_email: self.invoice_email.clone(),
        }
    }
}

/// The customer's master data as stored, or None outside this tenant.
pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(String, String, bool, String, CustomerInput)>> {
    let record = sqlx::query_as::<_, CustomerRecord>(&format!(
        "select c.id, c.number, c.display_name, c.archived_at is not null as archived,
                to_char(c.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI') as created_at, {}
         from customers c join tenants t on t.id = c.tenant_id
         where c.id = $1 and c.tenant_id = $2",
        // tenants has columns of the same names (vat_id, …)
        COLUMNS.split(',').map(|column| format!("c.{}", column.trim())).collect::<Vec<_>>().join(", ")
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(record.map(|r| {
        debug_assert_eq!(r.id, id);
        let input = r.input();
        (r.number, r.display_name, r.archived, r.created_at, input)
    }))
}

/// id, time, author, contact, subject, body
type NoteRow = (Uuid, String, Option<String>, Option<String>, String, String);
/// id, salutation, first and last name, role, e-mail, phone, primary
type ContactRow = (Uuid, String, String, String, String, String, String, bool);

pub async fn load_file(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<CustomerFile>> {
    let Some((number, display_name, archived, created_at, data)) =
        load(&mut *conn, tenant_id, id).await?
    else {
        return Ok(None);
    };
    let contacts = contacts(&mut *conn, tenant_id, id).await?;
    let notes: Vec<NoteRow> = sqlx::query_as(
        "select n.id, to_char(n.at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'), u.display_name,
                nullif(trim(ct.first_name || ' ' || ct.last_name), ''), n.subject, n.body
         from call_notes n
         join tenants t on t.id = n.tenant_id
         left join users u on u.id = n.author_id
         left join contacts ct on ct.id = n.contact_id
         where n.customer_id = $1 and n.tenant_id = $2
         order by n.at desc limit 100",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(Some(CustomerFile {
        id,
        number,
        display_name,
        archived,
        created_at,
        data,
        contacts,
        call_notes: notes
            .into_iter()
            .map(|(id, at, author, contact, subject, body)| CallNote {
                id,
                at,
                author: author.unwrap_or_default(),
                contact,
                subject,
                body,
            })
            .collect(),
    }))
}

pub async fn contacts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<Contact>> {
    let rows: Vec<ContactRow> = sqlx::query_as(
        "select id, salutation, first_name, last_name, role, email, phone, is_primary from contacts
         where customer_id = $1 and tenant_id = $2 order by is_primary desc, last_name, first_name",
    )
    .bind(customer_id)
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, salutation, first_name, last_name, role, email, phone, is_primary)| Contact {
                id,
                salutation,
                first_name,
                last_name,
                email,
                phone,
                is_primary,
                role: ContactRole::parse(&role).unwrap_or_default(),
            },
        )
        .collect())
}

fn order_by(sort: &str) -> &'static str {
    match sort {
        "number" => "c.number",
        "city" => "lower(c.billing_city)",
        "created" => "c.created_at",
        _ => "lower(c.display_name)",
    }
}

type ListRow = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    Vec<String>,
    bool,
);

/// Lists count at most this far; beyond it the pager says "more than …" (counting a whole
/// big tenant on every page would cost more than the page itself).
pub const COUNT_LIMIT: i64 = 1_000;

/// The search words as `LIKE` patterns on the lower-cased search text (each word must occur).
pub fn search_patterns(search: &str) -> Vec<String> {
    search
        .split_whitespace()
        .take(5)
        .map(|word| {
            let escaped = word
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect()
}

/// Two statements: a count that stops at COUNT_LIMIT, and the page. The SQL names only the
/// filters in use, so PostgreSQL plans each shape for what it is (a generic plan for
/// "`$2 is null or kind = $2`" would sort the whole tenant).
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &CustomerFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<CustomerRow>> {
    let direction = if page.descending { "desc" } else { "asc" };
    let patterns = search_patterns(&page.search);
    let tag = filter.tag.trim();
    let mut conditions = String::from("c.tenant_id = $1");
    let mut texts: Vec<String> = Vec::new();
    let next_param = |value: String, texts: &mut Vec<String>| {
        texts.push(value);
        format!("${}", texts.len() + 1)
    };
    if let Some(kind) = filter.kind {
        let param = next_param(kind.as_str().to_owned(), &mut texts);
        conditions.push_str(&format!(" and c.kind = {param}"));
    }
    if !tag.is_empty() {
        let param = next_param(tag.to_owned(), &mut texts);
        conditions.push_str(&format!(" and {param} = any(c.tags)"));
    }
    if !filter.include_archived {
        conditions.push_str(" and c.archived_at is null");
    }
    for pattern in &patterns {
        let param = next_param(pattern.clone(), &mut texts);
        conditions.push_str(&format!(" and c.search_text like {param}"));
    }
    // The capped count runs first: it tells how broad the search words are.
    let count_sql = format!(
        "select count(*) from (select 1 from customers c where {conditions} limit {}) counted",
        COUNT_LIMIT + 1
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(tenant_id);
    for text in &texts {
        count = count.bind(text);
    }
    let total = count.fetch_one(&mut *conn).await?;
    // Without search words, or with words that hit many customers, walking the sort index
    // yields the page directly. With few hits the trigram index finds them first
    // (materialized), which are then sorted: walking the sort index would test every row.
    let source = if patterns.is_empty() || total > COUNT_LIMIT {
        format!("customers c where {conditions}")
    } else {
        format!(
            "(with hits as materialized (
                 select c.id, c.number, c.display_name, c.kind, c.email, c.billing_city, c.billing_country, c.tags,
                        c.archived_at, c.created_at
                 from customers c where {conditions}
             ) select * from hits) c"
        )
    };
    let sql = format!(
        "select c.id, c.number, c.display_name, c.kind, c.email, c.billing_city, c.billing_country, c.tags,
                c.archived_at is not null
         from {source}
         order by {} {direction}, c.id {direction}
         limit {} offset {}",
        order_by(&page.sort),
        page.limit(),
        page.offset()
    );
    let mut query = sqlx::query_as::<_, ListRow>(&sql).bind(tenant_id);
    for text in &texts {
        query = query.bind(text);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut result = Page::new(
        rows.into_iter()
            .map(
                |(id, number, display_name, kind, email, city, country, tags, archived)| {
                    CustomerRow {
                        id,
                        number,
                        display_name,
                        email,
                        city,
                        country,
                        tags,
                        archived,
                        kind: CustomerKind::parse(&kind).unwrap_or_default(),
                    }
                },
            )
            .collect(),
        total.min(COUNT_LIMIT),
        page,
    );
    result.total_capped = total > COUNT_LIMIT;
    Ok(result)
}
