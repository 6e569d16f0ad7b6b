use super::model::{Delivery, DeliveryStatus, MailKind, MailTemplate};
use crate::i18n::Lang;
use sqlx::PgConnection;
use uuid::Uuid;

/// The tenant's template for `kind` in `lang`, or the built-in one.
pub async fn template(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    kind: MailKind,
    lang: Lang,
) -> sqlx::Result<MailTemplate> {
    let stored: Option<(String, String)> = sqlx::query_as(
        "select subject, body from mail_templates where tenant_id = $1 and kind = $2 and language = $3",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(lang.code())
    .fetch_optional(conn)
    .await?;
    Ok(match stored {
        Some((subject, body)) => MailTemplate {
            kind,
            language: lang.code().to_owned(),
            subject,
            body,
            customised: true,
        },
        None => MailTemplate::default_for(kind, lang),
    })
}

pub async fn save_template(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    template: &MailTemplate,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into mail_templates (tenant_id, kind, language, subject, body) values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, kind, language)
         do update set subject = excluded.subject, body = excluded.body, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(template.kind.as_str())
    .bind(&template.language)
    .bind(&template.subject)
    .bind(&template.body)
    .execute(conn)
    .await
    .map(drop)
}

/// Back to the built-in text.
pub async fn reset_template(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    kind: MailKind,
    lang: Lang,
) -> sqlx::Result<()> {
    sqlx::query("delete from mail_templates where tenant_id = $1 and kind = $2 and language = $3")
        .bind(tenant_id)
        .bind(kind.as_str())
        .bind(lang.code())
        .execute(conn)
        .await
        .map(drop)
}

/// A mail about to be queued.
pub struct NewMail {
    pub invoice_id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Queues mails in one statement, in the caller's transaction.
pub async fn enqueue(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    created_by: Option<Uuid>,
    mails: &[NewMail],
) -> sqlx::Result<()> {
    if mails.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = mails.iter().map(|_| Uuid::new_v4()).collect();
    let invoices: Vec<Uuid> = mails.iter().map(|m| m.invoice_id).collect();
    let recipients: Vec<&str> = mails.iter().map(|m| m.recipient.as_str()).collect();
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    let bodies: Vec<&str> = mails.iter().map(|m| m.body.as_str()).collect();
    sqlx::query(
        "insert into outbox_mails (id, tenant_id, invoice_id, recipient, subject, body, created_by)
         select id, $1, invoice_id, recipient, subject, body, $7
         from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])
              as m(id, invoice_id, recipient, subject, body)",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(&invoices)
    .bind(&recipients)
    .bind(&subjects)
    .bind(&bodies)
    .bind(created_by)
    .execute(conn)
    .await
    .map(drop)
}

/// Queues the e-mail of a quote version; the worker attaches the version's PDF.
pub async fn enqueue_quote(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    created_by: Option<Uuid>,
    (quote_id, version): (Uuid, i32),
    recipient: &str,
    (subject, body): (&str, &str),
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into outbox_mails (id, tenant_id, quote_id, quote_version, recipient, subject, body, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::new_v4())
    .bind(tenant_id)
    .bind(quote_id)
    .bind(version)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(created_by)
    .execute(conn)
    .await
    .map(drop)
}

type DeliveryRow = (
    Uuid,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    String,
    i32,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// The mails of one invoice (or, without one, the tenant's latest), newest first.
pub async fn deliveries(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    invoice_id: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(
        "select m.id, m.invoice_id, i.number, m.recipient, m.subject, m.status, m.attempts, m.last_error,
                to_char(m.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                to_char(m.sent_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                case when m.status = 'queued' and m.attempts > 0
                     then to_char(m.next_attempt_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI') end
         from outbox_mails m
         join tenants t on t.id = m.tenant_id
         left join invoices i on i.id = m.invoice_id
         where m.tenant_id = $1 and ($2::uuid is null or m.invoice_id = $2)
         order by m.created_at desc, m.id
         limit $3",
    )
    .bind(tenant_id)
    .bind(invoice_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Delivery {
            id: row.0,
            invoice_id: row.1,
            invoice_number: row.2,
            recipient: row.3,
            subject: row.4,
            status: DeliveryStatus::parse(&row.5),
            attempts: row.6,
            last_error: row.7,
            created_at: row.8,
            sent_at: row.9,
            next_attempt_at: row.10,
        })
        .collect())
}
