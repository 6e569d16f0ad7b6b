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
    // four-eyes, and credit notes may together take back at most the invoice
    let mut held: Vec<SkippedInvoice> =
        repo::unapproved_credit_notes(conn, actor.tenant_id, &draft_ids)
            .await?
            .into_iter()
            .map(|(id, buyer_name)| SkippedInvoice {
                id,
                buyer_name,
                reason: Key::InvoiceErrAwaitingApproval.text(lang).to_owned(),
            })
            .collect();
    for (id, buyer_name, creditable) in
        repo::over_credited(conn, actor.tenant_id, &draft_ids).await?
    {
        let most = crate::domain::format::money(creditable, "EUR", lang);
        held.push(SkippedInvoice {
            id,
            buyer_name,
            reason: Key::InvoiceErrCreditTooMuch.fill(lang, &[("amount", &most)]),
        });
    }
    complete.retain(|(id, _)| !held.iter().any(|h| h.id == *id));
    outcome.skipped.extend(held);
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
    // what the customers paid in advance or over settles the new invoices at once
    let issued_ids: Vec<Uuid> = outcome.issued.iter().map(|i| i.id).collect();
    crate::payments::repo::apply_credit(conn, actor.tenant_id, &issued_ids).await?;
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

/// A credit-note draft that takes an issued invoice back in full; edited down, it takes
/// back part of it. An invoice can be credited in several notes up to its gross amount,
/// one draft at a time.
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
    // the original's row lock makes a second request wait and then find the first draft
    sqlx::query("select 1 from invoices where id = $1 for update")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    let (has_draft, creditable) = repo::credit_note_state(conn, invoice_id).await?;
    if has_draft {
        return Err(AppError::Conflict(
            Key::InvoiceErrCreditDraftExists.text(actor.lang).to_owned(),
        ));
    }
    if creditable <= rust_decimal::Decimal::ZERO {
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

/// The typed lines checked against the draft: every field problem named as
/// `lines.{index}.{field}`; a contract's line may be edited but not removed (the run bills
/// its period; throwing away the whole draft opens the period again).
#[cfg(feature = "ssr")]
fn edited_lines(
    input: &DraftInput,
    treatment: crate::domain::tax::TaxTreatment,
    existing: &[(Uuid, String)],
    lang: crate::i18n::Lang,
) -> Result<Vec<repo::EditedLine>, AppError> {
    use crate::domain::draft_lines::{check_line, LineProblem, TypedLine};
    let mut errors = FieldErrors::default();
    let mut lines = Vec::with_capacity(input.lines.len());
    if input.lines.is_empty() {
        errors.add("lines", Key::InvoiceErrNoLines.text(lang));
    }
    if input.note.chars().count() > 2000 {
        errors.add("note", Key::ErrTooLong.text(lang));
    }
    for (id, kind) in existing {
        if kind != "manual" && !input.lines.iter().any(|line| line.id == Some(*id)) {
            errors.add("lines", Key::InvoiceErrContractLineRemoved.text(lang));
            break;
        }
    }
    for (index, typed) in input.lines.iter().enumerate() {
        if let Some(id) = typed.id {
            if !existing.iter().any(|(known, _)| *known == id) {
                errors.add(&format!("lines.{index}"), Key::ErrNotFound.text(lang));
                continue;
            }
        }
        match check_line(&TypedLine {
            description: &typed.description,
            quantity: &typed.quantity,
            unit_code: &typed.unit_code,
            unit_price: &typed.unit_price,
            period_start: &typed.period_start,
            period_end: &typed.period_end,
        }) {
            Ok(checked) => lines.push(repo::EditedLine {
                id: typed.id.unwrap_or_else(Uuid::new_v4),
                existing: typed.id.is_some(),
                net: crate::domain::invoice_math::line_net(checked.quantity, checked.unit_price),
                tax: crate::domain::invoice_math::line_tax(treatment, typed.vat_category),
                description: checked.description,
                quantity: checked.quantity,
                unit_code: checked.unit_code,
                unit_price: checked.unit_price,
                period: checked.period,
            }),
            Err(problems) => {
                for (field, problem) in problems {
                    let key = match problem {
                        LineProblem::DescriptionMissing => Key::ErrRequired,
                        LineProblem::DescriptionTooLong => Key::ErrTooLong,
                        LineProblem::Quantity => Key::InvoiceErrQuantity,
                        LineProblem::QuantityZero => Key::InvoiceErrQuantityZero,
                        LineProblem::UnitPrice => Key::InvoiceErrUnitPrice,
                        LineProblem::UnitCode => Key::InvoiceErrUnitCode,
                        LineProblem::Date => Key::ErrDate,
                        LineProblem::PeriodIncomplete => Key::InvoiceErrPeriodIncomplete,
                        LineProblem::PeriodOrder => Key::InvoiceErrPeriodOrder,
                    };
                    errors.add(&format!("lines.{index}.{field}"), key.text(lang));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A new manual invoice draft for a customer, with free lines.
#[cfg(feature = "ssr")]
pub async fn create_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &DraftInput,
) -> Result<Uuid, AppError> {
    actor.require(Permission::ManageBilling)?;
    let customer_id = input
        .customer_id
        .ok_or_else(|| AppError::field("customer_id", Key::ErrRequired.text(actor.lang)))?;
    let id = repo::create_manual_draft(conn, actor.tenant_id, customer_id, actor.user_id)
        .await?
        .ok_or_else(|| AppError::field("customer_id", Key::ErrNotFound.text(actor.lang)))?;
    write_draft(conn, actor, id, input).await?;
    record(
        conn,
        Event::by(actor, "invoice.draft_created", "invoice", id).change(
            None,
            Some(serde_json::json!({ "customer_id": customer_id, "lines": input.lines.len() })),
        ),
    )
    .await?;
    Ok(id)
}

/// Replaces a draft's note and lines (invoice or credit note).
#[cfg(feature = "ssr")]
pub async fn save_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &DraftInput,
) -> Result<(), AppError> {
    actor.require(Permission::ManageBilling)?;
    write_draft(conn, actor, id, input).await?;
    record(
        conn,
        Event::by(actor, "invoice.draft_edited", "invoice", id).change(
            None,
            Some(serde_json::json!({ "lines": input.lines.len(), "note": input.note })),
        ),
    )
    .await
    .map_err(AppError::from)
}

#[cfg(feature = "ssr")]
async fn write_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &DraftInput,
) -> Result<(), AppError> {
    let lang = actor.lang;
    let draft = repo::lock_draft(conn, actor.tenant_id, id)
        .await?
        .ok_or_else(|| AppError::Conflict(Key::InvoiceErrNoDrafts.text(lang).to_owned()))?;
    let treatment =
        crate::domain::tax::TaxTreatment::parse(&draft.tax_treatment).unwrap_or_default();
    let existing = repo::draft_line_kinds(conn, id).await?;
    let lines = edited_lines(input, treatment, &existing, lang)?;
    let totals = crate::domain::invoice_math::totals(lines.iter().map(|l| (l.net, &l.tax)));
    if draft.kind == "credit_note" {
        let (_, creditable) = match draft.corrects_id {
            Some(original) => repo::credit_note_state(conn, original).await?,
            None => (false, rust_decimal::Decimal::ZERO),
        };
        if totals.gross <= rust_decimal::Decimal::ZERO || totals.gross > creditable {
            let most = crate::domain::format::money(creditable, "EUR", lang);
            return Err(AppError::field(
                "lines",
                Key::InvoiceErrCreditTooMuch.fill(lang, &[("amount", &most)]),
            ));
        }
    } else if totals.gross < rust_decimal::Decimal::ZERO {
        return Err(AppError::field(
            "lines",
            Key::InvoiceErrNegativeTotal.text(lang),
        ));
    }
    repo::save_draft(
        conn,
        actor.tenant_id,
        id,
        input.note.trim(),
        &lines,
        &totals,
        actor.user_id,
    )
    .await?;
    Ok(())
}

/// Throws a draft away; what a billing run put on it is billed again by the next run.
#[cfg(feature = "ssr")]
pub async fn discard(conn: &mut PgConnection, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    actor.require(Permission::ManageBilling)?;
    let lang = actor.lang;
    repo::lock_draft(conn, actor.tenant_id, id)
        .await?
        .ok_or_else(|| AppError::Conflict(Key::InvoiceErrNoDrafts.text(lang).to_owned()))?;
    if repo::billed_later(conn, id).await? {
        return Err(AppError::Conflict(
            Key::InvoiceErrBilledLater.text(lang).to_owned(),
        ));
    }
    repo::discard_draft(conn, actor.tenant_id, id).await?;
    record(
        conn,
        Event::by(actor, "invoice.draft_discarded", "invoice", id),
    )
    .await
    .map_err(AppError::from)
}

/// Four-eyes: a second person approves a credit-note draft before it can be issued.
#[cfg(feature = "ssr")]
pub async fn approve(conn: &mut PgConnection, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    actor.require(Permission::ManageBilling)?;
    let lang = actor.lang;
    let draft = repo::lock_draft(conn, actor.tenant_id, id)
        .await?
        .filter(|draft| draft.kind == "credit_note")
        .ok_or_else(|| AppError::Conflict(Key::InvoiceErrNoDrafts.text(lang).to_owned()))?;
    let author = draft.edited_by.or(draft.created_by);
    if actor.user_id.is_none() || actor.user_id == author || actor.user_id == draft.created_by {
        return Err(AppError::Conflict(
            Key::InvoiceErrApproveOwn.text(lang).to_owned(),
        ));
    }
    repo::approve(conn, actor.tenant_id, id, actor.user_id).await?;
    record(
        conn,
        Event::by(actor, "invoice.credit_note_approved", "invoice", id),
    )
    .await
    .map_err(AppError::from)
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

/// A manual invoice: a draft for the customer with free lines.
#[server(prefix = "/sf", endpoint = "invoices/create-draft", input = Json, output = Json)]
pub async fn create_manual_invoice(input: DraftInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let id = create_draft(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "invoices/save-draft", input = Json, output = Json)]
pub async fn save_invoice_draft(id: Uuid, input: DraftInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            save_draft(&mut tx, &actor, id, &input).await?;
            Ok(tx.commit().await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "invoices/discard-draft", input = Json, output = Json)]
pub async fn discard_invoice_draft(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            discard(&mut tx, &actor, id).await?;
            Ok(tx.commit().await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "invoices/approve", input = Json, output = Json)]
pub async fn approve_credit_note(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            approve(&mut tx, &actor, id).await?;
            Ok(tx.commit().await?)
        }
        .await,
    )
}
