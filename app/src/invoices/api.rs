use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::{cii, pdf, repo},
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    sqlx::PgConnection,
};

/// Default number patterns until the tenant sets its own.
pub const DEFAULT_INVOICE_PATTERN: &str = "RE-{YYYY}-{#####}";
pub const DEFAULT_CREDIT_NOTE_PATTERN: &str = "GS-{YYYY}-{#####}";

#[cfg(feature = "ssr")]
fn missing_text(missing: &cii::Missing, lang: crate::i18n::Lang) -> &'static str {
    use cii::Missing as M;
    match missing {
        M::SellerAddress => Key::InvoiceErrSellerAddress.text(lang),
        M::SellerTaxId => Key::InvoiceErrSellerTaxId.text(lang),
        M::SellerIban => Key::InvoiceErrSellerIban.text(lang),
        M::SellerCreditorId => Key::InvoiceErrSellerCreditorId.text(lang),
        M::SellerContact => Key::InvoiceErrSellerContact.text(lang),
        M::BuyerAddress => Key::InvoiceErrBuyerAddress.text(lang),
        M::BuyerVatId => Key::InvoiceErrBuyerVatId.text(lang),
        M::BuyerEmail => Key::InvoiceErrBuyerEmail.text(lang),
    }
}

/// Issues drafts in the order given, in the caller's transaction: each gets the next number
/// of its range (invoices and credit notes count separately), today's date, its due date,
/// the buyer as the customer is now, and its e-invoice XML stored for good. A draft whose
/// parties are incomplete for a valid e-invoice is checked before anything is numbered: it
/// stops the whole step with the reason, or with `skip_incomplete` stays a draft and is
/// reported, while the others are issued.
#[cfg(feature = "ssr")]
pub async fn issue(
    conn: &mut PgConnection,
    actor: &Actor,
    ids: &[Uuid],
    skip_incomplete: bool,
) -> Result<IssueOutcome, AppError> {
    actor.require(Permission::ManageBilling)?;
    let lang = actor.lang;
    let drafts = repo::lock_drafts(conn, actor.tenant_id, ids).await?;
    if drafts.is_empty() {
        return Err(AppError::field("ids", Key::InvoiceErrNoDrafts.text(lang)));
    }
    let draft_ids: Vec<Uuid> = drafts.iter().map(|(id, _)| *id).collect();
    repo::refresh_buyers(conn, actor.tenant_id, &draft_ids).await?;
    let seller = repo::seller(conn, actor.tenant_id).await?;
    let mut outcome = IssueOutcome::default();
    let mut complete = Vec::with_capacity(drafts.len());
    for (id, kind) in drafts {
        let draft = repo::load(conn, actor.tenant_id, id, None)
            .await?
            .ok_or(AppError::NotFound)?;
        match cii::check(&draft, &seller).first() {
            Some(missing) => outcome.skipped.push(SkippedInvoice {
                id,
                buyer_name: draft.summary.buyer_name,
                reason: missing_text(missing, lang).to_owned(),
            }),
            None => complete.push((id, kind)),
        }
    }
    if !outcome.skipped.is_empty() && (!skip_incomplete || complete.is_empty()) {
        let mut errors = FieldErrors::default();
        for skipped in &outcome.skipped {
            errors.add("ids", format!("{}: {}", skipped.buyer_name, skipped.reason));
        }
        return Err(AppError::Validation(errors));
    }
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let year = chrono::Datelike::year(&today);
    for (kind, pattern) in [
        ("invoice", DEFAULT_INVOICE_PATTERN),
        ("credit_note", DEFAULT_CREDIT_NOTE_PATTERN),
    ] {
        let of_kind: Vec<Uuid> = complete
            .iter()
            .filter(|(_, k)| k == kind)
            .map(|(id, _)| *id)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let count = i64::try_from(of_kind.len()).unwrap_or(i64::MAX);
        let (pattern, first) =
            repo::reserve_numbers(conn, actor.tenant_id, kind, pattern, year, count).await?;
        let pattern = crate::domain::numbering::NumberPattern::parse(&pattern)
            .map_err(|_| AppError::Internal)?;
        let numbers: Vec<String> = (0..count)
            .map(|offset| pattern.format(u64::try_from(first + offset).unwrap_or(1), year))
            .collect();
        repo::issue(
            conn,
            actor.tenant_id,
            &of_kind,
            &numbers,
            today,
            actor.user_id,
        )
        .await?;
        outcome.issued.extend(
            of_kind
                .into_iter()
                .zip(numbers)
                .map(|(id, number)| IssuedInvoice { id, number }),
        );
    }
    let issued_at = chrono::Utc::now();
    let mut issued = Vec::with_capacity(outcome.issued.len());
    for done in &outcome.issued {
        let invoice = repo::load(conn, actor.tenant_id, done.id, None)
            .await?
            .ok_or(AppError::NotFound)?;
        let flavor = cii::Flavor::for_invoice(&invoice);
        let xml = cii::render(&invoice, &seller, flavor);
        repo::store_document(conn, done.id, flavor.format_name(), xml.as_bytes()).await?;
        // XRechnung's XML is the invoice itself; the PDF is only its readable copy.
        let factur_x = (flavor == cii::Flavor::Zugferd).then_some(xml.as_bytes());
        let pdf = pdf::render(&invoice, &seller, factur_x, issued_at).map_err(|error| {
            tracing::error!(%error, invoice = %done.id, "rendering the invoice PDF failed");
            AppError::Internal
        })?;
        repo::store_document(conn, done.id, "pdf", &pdf).await?;
        issued.push(invoice);
    }
    // in this transaction: the mails go out if and only if the invoices were issued
    crate::mail::api::queue_for_invoices(conn, actor, &seller.legal_name, &issued).await?;
    record(
        conn,
        Event::by(actor, "invoices.issued", "invoice", outcome.issued[0].id).change(
            None,
            Some(serde_json::json!({
                "numbers": outcome.issued.iter().map(|i| &i.number).collect::<Vec<_>>(),
                "skipped": outcome.skipped.iter().map(|i| i.id).collect::<Vec<_>>(),
            })),
        ),
    )
    .await?;
    Ok(outcome)
}

/// A credit-note draft that takes an issued invoice back in full (one per invoice).
#[cfg(feature = "ssr")]
pub async fn credit(
    conn: &mut PgConnection,
    actor: &Actor,
    invoice_id: Uuid,
) -> Result<Uuid, AppError> {
    actor.require(Permission::ManageBilling)?;
    let original = repo::load(conn, actor.tenant_id, invoice_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    if original.summary.status != InvoiceStatus::Issued
        || original.summary.kind != InvoiceKind::Invoice
    {
        return Err(AppError::Conflict(
            Key::InvoiceErrCreditOnlyIssued.text(actor.lang).to_owned(),
        ));
    }
    // the original's row lock makes a second request wait and then find the first note
    sqlx::query("select 1 from invoices where id = $1 for share")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    if repo::has_credit_note(conn, invoice_id).await? {
        return Err(AppError::Conflict(
            Key::InvoiceErrAlreadyCredited.text(actor.lang).to_owned(),
        ));
    }
    let id = repo::create_credit_note(conn, actor.tenant_id, invoice_id, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        conn,
        Event::by(actor, "invoice.credit_note_created", "invoice", id).change(
            None,
            Some(serde_json::json!({ "corrects": original.summary.number })),
        ),
    )
    .await?;
    Ok(id)
}

#[server(prefix = "/sf", endpoint = "invoices/list", input = Json, output = Json)]
pub async fn list_invoices(
    filter: InvoiceFilter,
    page: PageRequest,
) -> Result<Page<InvoiceSummary>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, None, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "invoices/load", input = Json, output = Json)]
pub async fn load_invoice(id: Uuid) -> Result<InvoiceDetail, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            repo::load(&mut conn, actor.tenant_id, id, None)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Issue (finalize) drafts: numbers, dates, stored XML, all or nothing.
#[server(prefix = "/sf", endpoint = "invoices/issue", input = Json, output = Json)]
pub async fn issue_invoices(input: IssueInput) -> Result<Vec<IssuedInvoice>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let outcome = issue(&mut tx, &actor, &input.ids, false).await?;
            tx.commit().await?;
            Ok(outcome.issued)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "invoices/credit-note", input = Json, output = Json)]
pub async fn create_credit_note(invoice_id: Uuid) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let id = credit(&mut tx, &actor, invoice_id).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Issues every draft a billing run made ("finalize the run"); drafts whose customer data
/// is incomplete stay drafts and are named with the reason.
#[server(prefix = "/sf", endpoint = "invoices/issue-run", input = Json, output = Json)]
pub async fn issue_run(run_id: Uuid) -> Result<IssueOutcome, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let ids = repo::draft_ids_of_run(&mut tx, actor.tenant_id, run_id).await?;
            let outcome = issue(&mut tx, &actor, &ids, true).await?;
            tx.commit().await?;
            Ok(outcome)
        }
        .await,
    )
}
