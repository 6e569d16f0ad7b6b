//! The mail worker: delivers the outbox over SMTP. Mails are claimed with
//! `FOR UPDATE SKIP LOCKED`, so two server processes never send the same mail at once; a
//! mail whose sender crashed mid-send is taken up again after ten minutes (at least once,
//! never lost). Transient failures (4xx, connection errors) retry with growing pauses, a
//! permanent refusal (5xx) or the last attempt marks the mail failed with the reason.

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Attempts before a mail counts as failed; the pauses between them grow 1, 4, 16, 64 … min.
const MAX_ATTEMPTS: i32 = 6;
const BATCH: i64 = 20;

pub type Smtp = AsyncSmtpTransport<Tokio1Executor>;

/// The transport for `KONTOR_SMTP_URL` (`smtp://`, `smtps://`, `?tls=required|opportunistic|none`).
pub fn transport(url: &str) -> anyhow::Result<Smtp> {
    Ok(Smtp::from_url(url)
        .context("KONTOR_SMTP_URL is not a valid smtp:// or smtps:// URL")?
        .timeout(Some(Duration::from_secs(30)))
        .build())
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    invoice_id: Option<Uuid>,
    dunning_letter_id: Option<Uuid>,
    quote_id: Option<Uuid>,
    quote_version: Option<i32>,
    recipient: String,
    subject: String,
    body: String,
    attempts: i32,
    sender_name: String,
    sender_email: String,
}

/// Sends every due mail; returns how many were accepted by the server.
pub async fn send_due(pool: &PgPool, smtp: &Smtp, fallback_from: &str) -> anyhow::Result<usize> {
    let mut accepted = 0;
    loop {
        let claimed: Vec<Claimed> = sqlx::query_as(
            "update outbox_mails m set status = 'sending', attempts = m.attempts + 1, locked_at = now()
             from tenants t
             where t.id = m.tenant_id and m.id in (
                 select id from outbox_mails
                 where (status = 'queued' and next_attempt_at <= now())
                    or (status = 'sending' and locked_at < now() - interval '10 minutes')
                 order by next_attempt_at
                 for update skip locked
                 limit $1)
             returning m.id, m.invoice_id, m.dunning_letter_id, m.quote_id, m.quote_version, m.recipient, m.subject, m.body, m.attempts,
                       t.legal_name as sender_name, t.email as sender_email",
        )
        .bind(BATCH)
        .fetch_all(pool)
        .await?;
        if claimed.is_empty() {
            return Ok(accepted);
        }
        for mail in claimed {
            let outcome = match attachments(pool, &mail).await {
                // the database may answer on the next attempt
                Err(error) => Err(Failure::Transient(error.to_string())),
                Ok(documents) => match compose(&mail, documents, fallback_from) {
                    Ok(message) => smtp.send(message).await.map_err(Failure::from),
                    Err(error) => Err(Failure::Permanent(format!("{error:#}"))),
                },
            };
            match outcome {
                Ok(response) => {
                    let reply = response.message().collect::<Vec<_>>().join(" ");
                    sqlx::query(
                        "update outbox_mails set status = 'sent', sent_at = now(), server_reply = $2,
                                last_error = null, locked_at = null
                         where id = $1",
                    )
                    .bind(mail.id)
                    .bind(format!("{} {reply}", response.code()))
                    .execute(pool)
                    .await?;
                    accepted += 1;
                }
                Err(failure) => {
                    let (permanent, reason) = match failure {
                        Failure::Permanent(reason) => (true, reason),
                        Failure::Transient(reason) => (false, reason),
                    };
                    tracing::warn!(mail = %mail.id, attempt = mail.attempts, permanent, %reason, "mail not delivered");
                    sqlx::query(
                        "update outbox_mails set
                             status = case when $2 or attempts >= $3 then 'failed' else 'queued' end,
                             next_attempt_at = now() + make_interval(mins => power(4, attempts - 1)::int),
                             last_error = $4, locked_at = null
                         where id = $1",
                    )
                    .bind(mail.id)
                    .bind(permanent)
                    .bind(MAX_ATTEMPTS)
                    .bind(reason)
                    .execute(pool)
                    .await?;
                }
            }
        }
    }
}

enum Failure {
    Permanent(String),
    Transient(String),
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(error: lettre::transport::smtp::Error) -> Failure {
        if error.is_permanent() {
            Failure::Permanent(error.to_string())
        } else {
            Failure::Transient(error.to_string())
        }
    }
}

/// The stored files a mail carries, as (file stem, format, bytes): an invoice's PDF and
/// XML, a dunning letter's PDF, or the PDF of a quote version as it was sent.
async fn attachments(
    pool: &PgPool,
    mail: &Claimed,
) -> sqlx::Result<Vec<(String, String, Vec<u8>)>> {
    match (mail.invoice_id, mail.dunning_letter_id, mail.quote_id) {
        (Some(invoice_id), _, _) => {
            sqlx::query_as(
                "select coalesce(i.number, 'invoice'), d.format, d.content
                 from invoice_documents d join invoices i on i.id = d.invoice_id
                 where d.invoice_id = $1 order by d.format",
            )
            .bind(invoice_id)
            .fetch_all(pool)
            .await
        }
        (None, Some(letter_id), _) => {
            sqlx::query_as(
                "select 'mahnung-' || c.number || '-' || l.letter_date, 'pdf', l.pdf
                 from dunning_letters l join customers c on c.id = l.customer_id where l.id = $1",
            )
            .bind(letter_id)
            .fetch_all(pool)
            .await
        }
        (None, None, Some(quote_id)) => sqlx::query_as(
            "select q.number, 'pdf', v.pdf from quote_versions v join quotes q on q.id = v.quote_id
                 where v.quote_id = $1 and v.version = $2 and v.pdf is not null",
        )
        .bind(quote_id)
        .bind(mail.quote_version)
        .fetch_all(pool)
        .await,
        (None, None, None) => Ok(Vec::new()),
    }
}

/// The message with the stored documents attached byte for byte.
fn compose(
    mail: &Claimed,
    documents: Vec<(String, String, Vec<u8>)>,
    fallback_from: &str,
) -> anyhow::Result<Message> {
    let from_address = if mail.sender_email.contains('@') {
        mail.sender_email.as_str()
    } else {
        fallback_from
    };
    let from = Mailbox::new(
        Some(mail.sender_name.clone()),
        from_address.parse().context("the sender address")?,
    );
    let to: Mailbox = mail
        .recipient
        .parse()
        .with_context(|| format!("the recipient address {}", mail.recipient))?;
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(mail.body.clone()));
    for (number, format, content) in documents {
        let (file_name, content_type) = match format.as_str() {
            "pdf" => (format!("{number}.pdf"), "application/pdf"),
            "xrechnung" => (format!("{number}-xrechnung.xml"), "application/xml"),
            _ => (format!("{number}-zugferd.xml"), "application/xml"),
        };
        let content_type = ContentType::parse(content_type).context("content type")?;
        parts = parts.singlepart(Attachment::new(file_name).body(content, content_type));
    }
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(parts)
        .context("building the message")
}

/// The worker loop of a server process; stops when `shutdown` changes.
pub fn spawn(
    pool: PgPool,
    smtp: Smtp,
    fallback_from: String,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = send_due(&pool, &smtp, &fallback_from).await {
                tracing::error!("mail worker: {error:#}");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
