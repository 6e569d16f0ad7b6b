use super::model::*;
use crate::domain::invoice_math::{line_tax, LineTax};
use crate::domain::quote::{sums, ItemKind};
use crate::domain::tax::{TaxTreatment, VatCategory};
use crate::projects::model::ProjectBilling;
use crate::ui::paging::{Page, PageRequest};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

pub const DEFAULT_QUOTE_PATTERN: &str = "A-{YYYY}-{####}";

/// Conditions on `q` (quotes) and `k` (customers); parameters $1..$4.
const LIST_CONDITION: &str = "q.tenant_id = $1
    and ($2::text is null or q.status = $2)
    and ($3::uuid is null or q.customer_id = $3)
    and ($4 = '' or lower(q.number || ' ' || q.title || ' ' || k.display_name) like '%' || $4 || '%')";

type SummaryRow = (
    Uuid,
    String,
    String,
    Uuid,
    String,
    String,
    i32,
    NaiveDate,
    Decimal,
    String,
    Option<Uuid>,
);

const SUMMARY: &str = "q.id, q.number, q.title, q.customer_id, k.display_name, q.status, q.version,
    v.valid_until, v.net_total, t.currency, q.project_id";
const SUMMARY_FROM: &str = "quotes q
    join customers k on k.id = q.customer_id
    join tenants t on t.id = q.tenant_id
    join quote_versions v on v.quote_id = q.id and v.version = q.version";

fn summary(row: SummaryRow, today: NaiveDate) -> QuoteSummary {
    let status = QuoteStatus::parse(&row.5).unwrap_or(QuoteStatus::Draft);
    QuoteSummary {
        id: row.0,
        number: row.1,
        title: row.2,
        customer_id: row.3,
        customer_name: row.4,
        status,
        version: row.6,
        valid_until: row.7,
        expired: status == QuoteStatus::Sent && row.7 < today,
        net_total: row.8,
        currency: row.9,
        project_id: row.10,
    }
}

/// One page of quotes, newest number first unless sorted otherwise; `filter.customer_id`
/// doubles as the portal's scope.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &QuoteFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Page<QuoteSummary>> {
    let order = match page.sort.as_str() {
        "customer" => "lower(k.display_name)",
        "valid_until" => "v.valid_until",
        "net" => "v.net_total",
        "title" => "lower(q.title)",
        _ => "q.number",
    };
    let direction = if page.descending || page.sort.is_empty() {
        "desc"
    } else {
        "asc"
    };
    let status = filter.status.map(QuoteStatus::as_str);
    let search = page.search.trim().to_lowercase();
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from quotes q join customers k on k.id = q.customer_id where {LIST_CONDITION}"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(&search)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "select {SUMMARY} from {SUMMARY_FROM} where {LIST_CONDITION}
         order by {order} {direction}, q.id limit $5 offset $6"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(filter.customer_id)
    .bind(&search)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    Ok(Page::new(
        rows.into_iter().map(|row| summary(row, today)).collect(),
        total,
        page,
    ))
}

type HeadRow = (
    String,
    Option<Uuid>,
    Option<String>,
    Vec<i32>,
    Option<DateTime<Utc>>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    String,
);

/// version, created, sent, net total, intro, valid until
type VersionRow = (
    i32,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Decimal,
    String,
    NaiveDate,
);

type ItemRow = (
    i32,
    String,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    Decimal,
    Decimal,
    bool,
);

/// A quote at `version` (default: the latest); `customer` restricts it to one customer's
/// sent versions (the portal).
pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: Option<i32>,
    customer: Option<Uuid>,
    today: NaiveDate,
) -> sqlx::Result<Option<QuoteDetail>> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!(
        "select {SUMMARY} from {SUMMARY_FROM}
         where q.tenant_id = $1 and q.id = $2 and ($3::uuid is null or q.customer_id = $3)"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut summary = summary(row, today);
    let head: HeadRow = sqlx::query_as(
        "select q.billing_mode, q.manager_id, u.display_name, q.accepted_options, q.decided_at,
                q.decided_by, q.decline_reason, p.number, k.tax_treatment,
                case when k.invoice_email <> '' then k.invoice_email else k.email end, k.language
         from quotes q join customers k on k.id = q.customer_id
         left join users u on u.id = q.manager_id
         left join projects p on p.id = q.project_id
         where q.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let versions: Vec<VersionRow> = sqlx::query_as(
        "select version, created_at, sent_at, net_total, intro, valid_until from quote_versions
             where quote_id = $1 and ($2::uuid is null or sent_at is not null) order by version",
    )
    .bind(id)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    let shown = match version {
        Some(wanted) => versions.iter().find(|v| v.0 == wanted),
        None => versions.last(),
    };
    let Some((shown_version, _, sent_at, _, intro, valid_until)) = shown.cloned() else {
        return Ok(None);
    };
    let items: Vec<ItemRow> = sqlx::query_as(
        "select i.position, i.kind, i.title, i.description, i.job_role_id, r.name, i.quantity,
                i.unit_price, i.optional
         from quote_items i left join job_roles r on r.id = i.job_role_id
         where i.quote_id = $1 and i.version = $2 order by i.position",
    )
    .bind(id)
    .bind(shown_version)
    .fetch_all(&mut *conn)
    .await?;
    let items: Vec<QuoteItem> = items
        .into_iter()
        .map(|i| QuoteItem {
            position: i.0,
            kind: ItemKind::parse(&i.1).unwrap_or_default(),
            title: i.2,
            description: i.3,
            job_role_id: i.4,
            job_role: i.5,
            quantity: i.6,
            unit_price: i.7,
            optional: i.8,
            net: crate::domain::invoice_math::line_net(i.6, i.7),
        })
        .collect();
    let tax = standard_tax(&head.8);
    let priced: Vec<_> = items.iter().map(QuoteItem::priced).collect();
    if customer.is_some() && summary.status == QuoteStatus::Draft {
        // the customer sees the latest version that was sent
        summary.status = QuoteStatus::Sent;
        summary.expired = valid_until < today;
    }
    Ok(Some(QuoteDetail {
        sums: sums(&priced, &head.3, tax),
        billing: ProjectBilling::parse(&head.0).unwrap_or(ProjectBilling::FixedPrice),
        manager_id: head.1,
        manager_name: head.2,
        shown_version,
        intro,
        valid_until,
        sent_at,
        items,
        versions: versions
            .into_iter()
            .map(|v| QuoteVersionInfo {
                version: v.0,
                created_at: v.1,
                sent_at: v.2,
                net_total: v.3,
            })
            .collect(),
        accepted_options: head.3,
        decided_at: head.4,
        decided_by: head.5,
        decline_reason: head.6,
        project_number: head.7,
        tax,
        customer_email: head.9,
        language: head.10,
        summary,
    }))
}

/// The VAT of a standard-rated service for a customer of this treatment.
fn standard_tax(treatment: &str) -> LineTax {
    line_tax(
        TaxTreatment::parse(treatment).unwrap_or(TaxTreatment::Domestic),
        VatCategory::Standard,
    )
}

/// The customer's VAT for quote items, or none when the tenant has no such customer.
pub async fn customer_tax(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Option<LineTax>> {
    let treatment: Option<String> = sqlx::query_scalar(
        "select tax_treatment from customers where tenant_id = $1 and id = $2 and archived_at is null",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await?;
    Ok(treatment.as_deref().map(standard_tax))
}

/// Net of the binding items.
fn net_total(quote: &ValidQuote) -> Decimal {
    quote
        .items
        .iter()
        .filter(|item| !item.optional)
        .map(|item| item.priced().net())
        .sum()
}

async fn insert_items(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: i32,
    items: &[ValidItem],
) -> sqlx::Result<()> {
    let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    let descriptions: Vec<&str> = items.iter().map(|i| i.description.as_str()).collect();
    let roles: Vec<Option<Uuid>> = items.iter().map(|i| i.job_role_id).collect();
    let quantities: Vec<Decimal> = items.iter().map(|i| i.quantity).collect();
    let prices: Vec<Decimal> = items.iter().map(|i| i.unit_price).collect();
    let optional: Vec<bool> = items.iter().map(|i| i.optional).collect();
    sqlx::query(
        "insert into quote_items (tenant_id, quote_id, version, position, kind, title, description,
                                  job_role_id, quantity, unit_price, optional)
         select $1, $2, $3, i.position, i.kind, i.title, i.description,
                (select r.id from job_roles r where r.id = i.role and r.tenant_id = $1),
                i.quantity, i.price, i.optional
         from unnest($4::text[], $5::text[], $6::text[], $7::uuid[], $8::numeric[], $9::numeric[], $10::bool[])
              with ordinality as i(kind, title, description, role, quantity, price, optional, position)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version)
    .bind(&kinds)
    .bind(&titles)
    .bind(&descriptions)
    .bind(&roles)
    .bind(&quantities)
    .bind(&prices)
    .bind(&optional)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    number: &str,
    customer_id: Uuid,
    quote: &ValidQuote,
    created_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into quotes (id, tenant_id, customer_id, number, title, billing_mode, manager_id)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(customer_id)
    .bind(number)
    .bind(&quote.title)
    .bind(quote.billing.as_str())
    .bind(quote.manager_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into quote_versions (tenant_id, quote_id, version, intro, valid_until, net_total, created_by)
         values ($1, $2, 1, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&quote.intro)
    .bind(quote.valid_until)
    .bind(net_total(quote))
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    insert_items(conn, tenant_id, id, 1, &quote.items).await
}

/// A quote's state, locked for a change.
pub struct Locked {
    pub customer_id: Uuid,
    pub status: QuoteStatus,
    pub version: i32,
    pub sent: bool,
    pub valid_until: NaiveDate,
    pub ever_sent: bool,
}

pub async fn lock(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Locked>> {
    let row: Option<(Uuid, String, i32, bool, NaiveDate, bool)> = sqlx::query_as(
        "select q.customer_id, q.status, q.version, v.sent_at is not null, v.valid_until,
                exists (select 1 from quote_versions s where s.quote_id = q.id and s.sent_at is not null)
         from quotes q join quote_versions v on v.quote_id = q.id and v.version = q.version
         where q.tenant_id = $1 and q.id = $2
         for update of q",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Locked {
        customer_id: r.0,
        status: QuoteStatus::parse(&r.1).unwrap_or(QuoteStatus::Draft),
        version: r.2,
        sent: r.3,
        valid_until: r.4,
        ever_sent: r.5,
    }))
}

/// Overwrites the unsent latest version with `quote`.
pub async fn replace_draft(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: i32,
    quote: &ValidQuote,
) -> sqlx::Result<()> {
    sqlx::query(
        "update quotes set title = $3, billing_mode = $4, manager_id = $5, updated_at = now()
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&quote.title)
    .bind(quote.billing.as_str())
    .bind(quote.manager_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update quote_versions set intro = $3, valid_until = $4, net_total = $5
         where quote_id = $1 and version = $2 and tenant_id = $6",
    )
    .bind(id)
    .bind(version)
    .bind(&quote.intro)
    .bind(quote.valid_until)
    .bind(net_total(quote))
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from quote_items where quote_id = $1 and version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    insert_items(conn, tenant_id, id, version, &quote.items).await
}

/// Freezes the latest version with the PDF that goes out.
pub async fn mark_sent(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: i32,
    pdf: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "update quote_versions set sent_at = now(), pdf = $4
         where tenant_id = $1 and quote_id = $2 and version = $3 and sent_at is null",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version)
    .bind(pdf)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update quotes set status = 'sent', updated_at = now() where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
}

/// Starts the next version as a copy of the latest one, valid at least until `valid_from`.
pub async fn revise(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: i32,
    valid_until: NaiveDate,
    created_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into quote_versions (tenant_id, quote_id, version, intro, valid_until, net_total, created_by)
         select tenant_id, quote_id, version + 1, intro, greatest(valid_until, $4), net_total, $5
         from quote_versions where tenant_id = $1 and quote_id = $2 and version = $3",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version)
    .bind(valid_until)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into quote_items (tenant_id, quote_id, version, position, kind, title, description,
                                  job_role_id, quantity, unit_price, optional)
         select tenant_id, quote_id, version + 1, position, kind, title, description,
                job_role_id, quantity, unit_price, optional
         from quote_items where quote_id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update quotes set version = $3, status = 'draft', decided_at = null, decided_by = null,
                           decline_reason = '', updated_at = now()
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version + 1)
    .execute(conn)
    .await
    .map(drop)
}

/// Records the customer's decision; an acceptance names the project it opened.
pub async fn decide(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    status: QuoteStatus,
    decided_by: &str,
    (options, project, reason): (&[i32], Option<Uuid>, &str),
) -> sqlx::Result<()> {
    sqlx::query(
        "update quotes set status = $3, decided_at = now(), decided_by = $4, accepted_options = $5,
                           project_id = $6, decline_reason = $7, updated_at = now()
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status.as_str())
    .bind(decided_by)
    .bind(options)
    .bind(project)
    .bind(reason)
    .execute(conn)
    .await
    .map(drop)
}

/// Removes a quote that never went out.
pub async fn delete(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from quotes where tenant_id = $1 and id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}

/// The PDF of a sent version; `customer` restricts it to one customer's quotes.
pub async fn pdf(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    version: i32,
    customer: Option<Uuid>,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as(
        "select q.number || '-v' || v.version, v.pdf from quote_versions v join quotes q on q.id = v.quote_id
         where q.tenant_id = $1 and q.id = $2 and v.version = $3 and v.pdf is not null
           and ($4::uuid is null or q.customer_id = $4)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version)
    .bind(customer)
    .fetch_optional(conn)
    .await
}

/// The customer's postal address as the letter window shows it, and the language.
pub async fn recipient(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    seller_country: &str,
) -> sqlx::Result<Vec<String>> {
    let (name, street, postal_code, city, country): (String, String, String, String, String) =
        sqlx::query_as(
            "select display_name, coalesce(postal_street, billing_street),
                    coalesce(postal_postal_code, billing_postal_code), coalesce(postal_city, billing_city),
                    coalesce(postal_country, billing_country)
             from customers where tenant_id = $1 and id = $2",
        )
        .bind(tenant_id)
        .bind(customer_id)
        .fetch_one(conn)
        .await?;
    let mut lines = vec![name, street, format!("{postal_code} {city}")];
    if country != seller_country {
        lines.push(country);
    }
    Ok(lines.into_iter().filter(|l| !l.trim().is_empty()).collect())
}

/// Tells the quote's manager (or, without one, everyone who may manage quotes) that the
/// customer decided in the portal.
pub async fn notify_decision(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    status: QuoteStatus,
) -> sqlx::Result<()> {
    use crate::domain::permissions::allows;
    use crate::domain::{Permission, Role};
    use crate::i18n::{Key, Lang};
    let roles: Vec<&str> = Role::STAFF_ROLES
        .into_iter()
        .filter(|role| allows(&[*role], Permission::ManageQuotes))
        .map(Role::as_str)
        .collect();
    let key = match status {
        QuoteStatus::Accepted => Key::QuoteNotifyAccepted,
        _ => Key::QuoteNotifyDeclined,
    };
    sqlx::query(
        "insert into notifications (id, tenant_id, user_id, kind, title, body, link, dedupe_key)
         select gen_random_uuid(), q.tenant_id, m.user_id, 'quote_decided',
                replace(replace(case when u.language = 'en' then $4 else $3 end, '{number}', q.number),
                        '{title}', q.title),
                q.decline_reason, '/quotes/' || q.id, 'quote-decided:' || q.id || ':' || q.version
         from quotes q
         join memberships m on m.tenant_id = q.tenant_id and m.active
              and (m.user_id = q.manager_id or (q.manager_id is null and m.roles && $5::text[]))
         join users u on u.id = m.user_id and u.active
         where q.tenant_id = $1 and q.id = $2
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(key.text(Lang::De))
    .bind(key.text(Lang::En))
    .bind(&roles)
    .execute(conn)
    .await
    .map(drop)
}
