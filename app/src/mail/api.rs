use super::model::{Delivery, MailKind, MailTemplate};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo::{self, NewMail},
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::{format, Permission},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    crate::invoices::model::{InvoiceDetail, InvoiceKind, InvoiceStatus},
    sqlx::PgConnection,
};

/// Queues the e-mail of each issued invoice whose customer has an address, rendered from
/// the tenant's template in the invoice's language; returns how many were queued.
#[cfg(feature = "ssr")]
pub async fn queue_for_invoices(
    conn: &mut PgConnection,
    actor: &Actor,
    seller_name: &str,
    invoices: &[InvoiceDetail],
) -> Result<usize, AppError> {
    let mut templates: Vec<((MailKind, Lang), MailTemplate)> = Vec::new();
    let mut mails = Vec::new();
    for invoice in invoices {
        let s = &invoice.summary;
        if invoice.buyer_email.trim().is_empty() || s.status != InvoiceStatus::Issued {
            continue;
        }
        let lang = Lang::parse(&invoice.language).unwrap_or_default();
        let kind = match s.kind {
            InvoiceKind::Invoice => MailKind::Invoice,
            InvoiceKind::CreditNote => MailKind::CreditNote,
        };
        let template = match templates.iter().find(|(key, _)| *key == (kind, lang)) {
            Some((_, template)) => template.clone(),
            None => {
                let template = repo::template(conn, actor.tenant_id, kind, lang).await?;
                templates.push(((kind, lang), template.clone()));
                template
            }
        };
        let amount = format::money(s.gross_total, &s.currency, lang);
        let due_date = s
            .due_date
            .map(|d| format::date(d, lang))
            .unwrap_or_default();
        let (subject, body) = template.render(&[
            ("number", s.number.as_deref().unwrap_or_default()),
            ("customer", &s.buyer_name),
            ("amount", &amount),
            ("due_date", &due_date),
            ("tenant", seller_name),
        ]);
        mails.push(NewMail {
            invoice_id: s.id,
            recipient: invoice.buyer_email.trim().to_owned(),
            subject,
            body,
        });
    }
    repo::enqueue(conn, actor.tenant_id, actor.user_id, &mails).await?;
    Ok(mails.len())
}

/// Queues the invoice's mail again to the customer's current address (e.g. after it was
/// corrected); returns the address.
#[cfg(feature = "ssr")]
pub async fn queue_again(
    conn: &mut PgConnection,
    actor: &Actor,
    invoice_id: Uuid,
) -> Result<String, AppError> {
    actor.require(Permission::ManageBilling)?;
    let invoice = crate::invoices::repo::load(conn, actor.tenant_id, invoice_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    if invoice.summary.status != InvoiceStatus::Issued {
        return Err(AppError::field(
            "invoice_id",
            Key::MailErrNotIssued.text(actor.lang),
        ));
    }
    let recipient: String = sqlx::query_scalar(
        "select case when c.invoice_email <> '' then c.invoice_email else c.email end
         from customers c where c.id = $1 and c.tenant_id = $2",
    )
    .bind(invoice.summary.customer_id)
    .bind(actor.tenant_id)
    .fetch_one(&mut *conn)
    .await?;
    if recipient.trim().is_empty() {
        return Err(AppError::field(
            "invoice_id",
            Key::MailNoAddress.text(actor.lang),
        ));
    }
    let seller = crate::invoices::repo::seller(conn, actor.tenant_id).await?;
    let invoice = InvoiceDetail {
        buyer_email: recipient.clone(),
        ..invoice
    };
    queue_for_invoices(conn, actor, &seller.legal_name, &[invoice]).await?;
    record(
        conn,
        Event::by(actor, "invoice.mail_queued", "invoice", invoice_id)
            .change(None, Some(serde_json::json!({ "recipient": recipient }))),
    )
    .await?;
    Ok(recipient)
}

/// The mails of one invoice for staff (delivery status is not the customer's business).
#[cfg(feature = "ssr")]
pub async fn deliveries_of(
    conn: &mut PgConnection,
    actor: &Actor,
    invoice_id: Uuid,
) -> Result<Vec<Delivery>, AppError> {
    actor.require_staff(Permission::ViewInvoices)?;
    Ok(repo::deliveries(conn, actor.tenant_id, Some(invoice_id), 50).await?)
}

/// The mails sent (or waiting) for one invoice, newest first.
#[server(prefix = "/sf", endpoint = "mail/deliveries", input = Json, output = Json)]
pub async fn invoice_deliveries(invoice_id: Uuid) -> Result<Vec<Delivery>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            deliveries_of(&mut conn, &actor, invoice_id).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "mail/send-again", input = Json, output = Json)]
pub async fn send_invoice_again(invoice_id: Uuid) -> Result<String, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let recipient = queue_again(&mut tx, &actor, invoice_id).await?;
            tx.commit().await?;
            Ok(recipient)
        }
        .await,
    )
}

/// The four templates (invoice and credit note, German and English) as in use.
#[server(prefix = "/sf", endpoint = "mail/templates", input = Json, output = Json)]
pub async fn mail_templates() -> Result<Vec<MailTemplate>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            let mut templates = Vec::new();
            for kind in MailKind::ALL {
                for lang in [Lang::De, Lang::En] {
                    templates.push(repo::template(&mut conn, actor.tenant_id, kind, lang).await?);
                }
            }
            Ok(templates)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "mail/save-template", input = Json, output = Json)]
pub async fn save_mail_template(template: MailTemplate) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let lang = Lang::parse(&template.language)
                .filter(|l| l.code() == template.language)
                .ok_or_else(|| AppError::field("language", "de or en"))?;
            let template = MailTemplate {
                subject: template.subject.trim().to_owned(),
                body: template.body.trim().to_owned(),
                ..template
            };
            let mut errors = FieldErrors::default();
            let subject_length = template.subject.chars().count();
            if !(1..=200).contains(&subject_length) || template.subject.contains('\n') {
                errors.add("subject", Key::MailErrSubject.text(actor.lang));
            }
            if !(1..=20_000).contains(&template.body.chars().count()) {
                errors.add("body", Key::MailErrBody.text(actor.lang));
            }
            let unknown = template.unknown_placeholders();
            if !unknown.is_empty() {
                let names = unknown
                    .iter()
                    .map(|name| format!("{{{name}}}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = Key::MailErrUnknownPlaceholder.fill(actor.lang, &[("names", &names)]);
                errors.add("body", message);
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let mut tx = pool()?.begin().await?;
            repo::save_template(&mut tx, actor.tenant_id, &template).await?;
            record(
                &mut tx,
                Event::by(&actor, "mail.template_saved", "tenant", actor.tenant_id).change(
                    None,
                    Some(serde_json::json!({ "kind": template.kind.as_str(), "language": lang.code() })),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "mail/reset-template", input = Json, output = Json)]
pub async fn reset_mail_template(kind: MailKind, language: String) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let lang =
                Lang::parse(&language).ok_or_else(|| AppError::field("language", "de or en"))?;
            let mut tx = pool()?.begin().await?;
            repo::reset_template(&mut tx, actor.tenant_id, kind, lang).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
