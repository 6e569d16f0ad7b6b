use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::{pain008, repo},
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::calendar::{is_target_day, next_target_day},
    crate::domain::format,
    crate::domain::sepa::{
        changed_bank, earliest_collection_date, identifier_text, mandate_expired, sequence_types,
        MandateReference, Scheme, SequenceType,
    },
    crate::domain::{Bic, Iban, Permission},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    chrono::NaiveDate,
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

/// Portal users see only their own customer's mandates; staff any of the tenant's.
#[cfg(feature = "ssr")]
fn check_scope(actor: &Actor, customer_id: Uuid) -> Result<(), AppError> {
    match actor.customer_id {
        Some(own) if own != customer_id => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

/// A customer's mandates.
#[cfg(feature = "ssr")]
pub async fn mandates_of(
    conn: &mut PgConnection,
    actor: &Actor,
    customer_id: Uuid,
) -> Result<Vec<Mandate>, AppError> {
    actor.require_invoice_reader()?;
    check_scope(actor, customer_id)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    Ok(repo::mandates_of(conn, actor.tenant_id, customer_id, today).await?)
}

/// Checks a mandate's fields; `default_reference` stands in for an empty reference.
#[cfg(feature = "ssr")]
fn validate(
    input: &MandateInput,
    default_reference: &str,
    is_company: bool,
    today: NaiveDate,
    lang: Lang,
) -> Result<repo::ValidMandate, AppError> {
    let mut errors = FieldErrors::default();
    let reference = if input.reference.trim().is_empty() {
        default_reference.to_owned()
    } else {
        match MandateReference::parse(&input.reference) {
            Ok(reference) => reference.as_str().to_owned(),
            Err(_) => {
                errors.add("reference", Key::SepaErrReference.text(lang));
                String::new()
            }
        }
    };
    let signed_on = match format::parse_date(&input.signed_on) {
        Some(day) if day > today => {
            errors.add("signed_on", Key::SepaErrSignedFuture.text(lang));
            day
        }
        Some(day) => day,
        None if input.signed_on.trim().is_empty() => {
            errors.add("signed_on", Key::ErrRequired.text(lang));
            today
        }
        None => {
            errors.add("signed_on", Key::ErrDate.text(lang));
            today
        }
    };
    let scheme = match Scheme::parse(&input.scheme) {
        Some(Scheme::B2b) if !is_company => {
            errors.add("scheme", Key::SepaErrB2bPerson.text(lang));
            Scheme::B2b
        }
        Some(scheme) => scheme,
        None => {
            errors.add("scheme", Key::ErrFormat.text(lang));
            Scheme::Core
        }
    };
    let account_holder = input.account_holder.trim().to_owned();
    match account_holder.chars().count() {
        0 => errors.add("account_holder", Key::ErrRequired.text(lang)),
        71.. => errors.add("account_holder", Key::ErrTooLong.text(lang)),
        _ => {}
    }
    let iban = match Iban::parse(&input.iban) {
        Ok(iban) => iban.as_str().to_owned(),
        Err(error) => {
            errors.add("iban", error.key().text(lang));
            String::new()
        }
    };
    let bic = if input.bic.trim().is_empty() {
        None
    } else {
        match Bic::parse(&input.bic) {
            Ok(bic) => Some(bic.as_str().to_owned()),
            Err(error) => {
                errors.add("bic", error.key().text(lang));
                None
            }
        }
    };
    errors.into_result()?;
    Ok(repo::ValidMandate {
        reference,
        signed_on,
        scheme,
        account_holder,
        iban,
        bic,
    })
}

/// A reference taken in the tenant, or a second active mandate, is the user's to fix.
#[cfg(feature = "ssr")]
fn on_constraint(error: sqlx::Error, lang: Lang) -> AppError {
    let found = match &error {
        sqlx::Error::Database(db) => match db.constraint() {
            Some("sepa_mandates_tenant_id_reference_key") => {
                Some(("reference", Key::SepaErrReferenceTaken))
            }
            Some("sepa_mandates_one_active") => Some(("reference", Key::SepaErrOneActive)),
            _ => None,
        },
        _ => None,
    };
    match found {
        Some((field, key)) => AppError::field(field, key.text(lang)),
        None => error.into(),
    }
}

/// Records a signed mandate for a customer; the customer may have one active mandate.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: &MandateInput,
) -> Result<Mandate, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let (number, count) = repo::reference_basis(conn, actor.tenant_id, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_company = repo::is_company(conn, customer_id).await?;
    let default_reference = identifier_text(&format!("{number}-{}", count + 1));
    let valid = validate(input, &default_reference, is_company, today, actor.lang)?;
    let id = repo::insert_mandate(conn, actor.tenant_id, customer_id, &valid, actor.user_id)
        .await
        .map_err(|e| on_constraint(e, actor.lang))?;
    record(
        conn,
        Event::by(actor, "sepa_mandate.created", "customer", customer_id).change(
            None,
            Some(serde_json::json!({
                "mandate": id, "reference": valid.reference, "scheme": valid.scheme.code(),
                "signed_on": valid.signed_on, "iban": valid.iban,
            })),
        ),
    )
    .await?;
    repo::lock_mandate(conn, actor.tenant_id, id, today)
        .await?
        .ok_or(AppError::NotFound)
}

/// The active mandate, locked for a change; a revoked one cannot change any more.
#[cfg(feature = "ssr")]
async fn lock_active(
    conn: &mut PgConnection,
    actor: &Actor,
    mandate_id: Uuid,
    today: NaiveDate,
) -> Result<Mandate, AppError> {
    let mandate = repo::lock_mandate(conn, actor.tenant_id, mandate_id, today)
        .await?
        .ok_or(AppError::NotFound)?;
    if mandate.status != MandateStatus::Active {
        return Err(AppError::Conflict(
            Key::SepaErrRevoked.text(actor.lang).to_owned(),
        ));
    }
    Ok(mandate)
}

/// Changes an active mandate. Before its first collection the bank has not seen it, so
/// everything may be corrected; afterwards scheme and signature date are fixed (another
/// scheme is a new mandate) and a new reference or account is reported to the bank with
/// the next collection.
#[cfg(feature = "ssr")]
pub async fn amend(
    conn: &mut PgConnection,
    actor: &Actor,
    mandate_id: Uuid,
    input: &MandateInput,
) -> Result<Mandate, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let old = lock_active(conn, actor, mandate_id, today).await?;
    let is_company = repo::is_company(conn, old.customer_id).await?;
    let valid = validate(input, &old.reference, is_company, today, actor.lang)?;
    let known_to_bank = old.next_sequence == SequenceType::Recurring;
    if known_to_bank {
        let mut errors = FieldErrors::default();
        if valid.scheme != old.scheme {
            errors.add("scheme", Key::SepaErrSchemeFixed.text(actor.lang));
        }
        if valid.signed_on != old.signed_on {
            errors.add("signed_on", Key::SepaErrSignedFixed.text(actor.lang));
        }
        errors.into_result()?;
    }
    repo::amend_mandate(conn, mandate_id, &valid, known_to_bank)
        .await
        .map_err(|e| on_constraint(e, actor.lang))?;
    record(
        conn,
        Event::by(actor, "sepa_mandate.amended", "customer", old.customer_id).change(
            Some(serde_json::json!({
                "mandate": mandate_id, "reference": old.reference, "iban": old.iban,
                "account_holder": old.account_holder, "bic": old.bic,
            })),
            Some(serde_json::json!({
                "mandate": mandate_id, "reference": valid.reference, "iban": valid.iban,
                "account_holder": valid.account_holder, "bic": valid.bic,
            })),
        ),
    )
    .await?;
    repo::lock_mandate(conn, actor.tenant_id, mandate_id, today)
        .await?
        .ok_or(AppError::NotFound)
}

/// Ends a mandate (the customer revoked it, or switched to transfer): invoices issued
/// from now on are paid by transfer, and issued ones under it are no longer collected.
#[cfg(feature = "ssr")]
pub async fn revoke(
    conn: &mut PgConnection,
    actor: &Actor,
    mandate_id: Uuid,
) -> Result<Mandate, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let old = lock_active(conn, actor, mandate_id, today).await?;
    repo::revoke_mandate(conn, mandate_id, today).await?;
    record(
        conn,
        Event::by(actor, "sepa_mandate.revoked", "customer", old.customer_id).change(
            Some(serde_json::json!({ "mandate": mandate_id, "reference": old.reference })),
            Some(serde_json::json!({ "revoked_on": today })),
        ),
    )
    .await?;
    repo::lock_mandate(conn, actor.tenant_id, mandate_id, today)
        .await?
        .ok_or(AppError::NotFound)
}

/// What is collected on a date: the collectible invoices with their sequence types, and
/// those held back with the reason.
#[cfg(feature = "ssr")]
struct Plan {
    items: Vec<(repo::Collectible, SequenceType)>,
    held_back: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn plan(rows: Vec<repo::Collectible>, today: NaiveDate, lang: Lang) -> Plan {
    let mut held_back = Vec::new();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let reason = if row.status != "active" {
            Some(Key::SepaHeldRevoked)
        } else if mandate_expired(row.last_collection_on, row.signed_on, today) {
            Some(Key::SepaHeldExpired)
        } else if row.currency != "EUR" {
            Some(Key::SepaHeldCurrency)
        } else {
            None
        };
        match reason {
            Some(key) => held_back.push((row.invoice_number, key.text(lang).to_owned())),
            // a credit note took it back in full
            None if row.amount <= Decimal::ZERO => {}
            None => kept.push(row),
        }
    }
    let firsts: Vec<(Uuid, bool)> = kept
        .iter()
        .map(|r| (r.mandate_id, r.next_sequence == "FRST"))
        .collect();
    let items = kept.into_iter().zip(sequence_types(&firsts)).collect();
    Plan { items, held_back }
}

/// The collection date asked for, checked: a TARGET day no earlier than the next one.
#[cfg(feature = "ssr")]
fn collection_date(text: &str, today: NaiveDate, lang: Lang) -> Result<NaiveDate, AppError> {
    let earliest = earliest_collection_date(today);
    let date = format::parse_date(text)
        .ok_or_else(|| AppError::field("collection_date", Key::ErrDate.text(lang)))?;
    if date < earliest {
        return Err(AppError::field(
            "collection_date",
            Key::SepaErrTooEarly.fill(lang, &[("date", &format::date(earliest, lang))]),
        ));
    }
    if !is_target_day(date) {
        return Err(AppError::field(
            "collection_date",
            Key::SepaErrNotBankDay.fill(
                lang,
                &[("date", &format::date(next_target_day(date), lang))],
            ),
        ));
    }
    Ok(date)
}

/// What a collection file on `date` (empty: the earliest possible) would contain.
#[cfg(feature = "ssr")]
pub async fn preview(
    conn: &mut PgConnection,
    actor: &Actor,
    date: &str,
) -> Result<CollectionPreview, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let earliest = earliest_collection_date(today);
    let date = if date.trim().is_empty() {
        earliest
    } else {
        collection_date(date, today, actor.lang)?
    };
    let rows = repo::collectibles(conn, actor.tenant_id, date, false).await?;
    let plan = plan(rows, today, actor.lang);
    let items: Vec<DueCollection> = plan
        .items
        .into_iter()
        .map(|(row, sequence)| DueCollection {
            invoice_id: row.invoice_id,
            invoice_number: row.invoice_number,
            customer_id: row.customer_id,
            buyer_name: row.buyer_name,
            due_date: row.due_date,
            amount: row.amount,
            currency: row.currency,
            mandate_reference: row.reference,
            scheme: Scheme::parse(&row.scheme).unwrap_or(Scheme::Core),
            sequence,
        })
        .collect();
    Ok(CollectionPreview {
        collection_date: date,
        earliest_date: earliest,
        total: items.iter().map(|i| i.amount).sum(),
        items,
        held_back: plan.held_back,
    })
}

/// Exports every direct-debit invoice due by `date` into one pain.008 file collected on
/// that date, stores it, and moves the mandates on; all in the caller's transaction.
#[cfg(feature = "ssr")]
pub async fn export(
    conn: &mut PgConnection,
    actor: &Actor,
    date: &str,
) -> Result<(DirectDebitFile, Vec<u8>), AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let lang = actor.lang;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let date = collection_date(date, today, lang)?;
    let seller = crate::invoices::repo::seller(conn, actor.tenant_id).await?;
    let (Some(iban), Some(creditor_id)) = (
        seller.iban.as_deref().filter(|i| !i.is_empty()),
        seller.creditor_id.as_deref().filter(|c| !c.is_empty()),
    ) else {
        return Err(AppError::Conflict(
            Key::SepaErrCreditorData.text(lang).to_owned(),
        ));
    };
    repo::lock_exports(conn, actor.tenant_id).await?;
    let rows = repo::collectibles(conn, actor.tenant_id, date, true).await?;
    let plan = plan(rows, today, lang);
    if plan.items.is_empty() {
        return Err(AppError::field(
            "collection_date",
            Key::SepaErrNothingDue.text(lang),
        ));
    }
    let collections: Vec<pain008::Collection> = plan
        .items
        .iter()
        .map(|(row, sequence)| {
            let amendment = (row.amended_from_reference.is_some()
                || row.amended_from_iban.is_some())
            .then(|| pain008::Amendment {
                original_reference: row.amended_from_reference.clone(),
                original_iban: row.amended_from_iban.clone(),
                new_bank: row
                    .amended_from_iban
                    .as_deref()
                    .is_some_and(|old| changed_bank(old, &row.iban)),
            });
            let row_lang = Lang::parse(&row.language).unwrap_or_default();
            pain008::Collection {
                end_to_end_id: identifier_text(&row.invoice_number),
                collection_date: date,
                scheme: Scheme::parse(&row.scheme).unwrap_or(Scheme::Core),
                sequence: *sequence,
                amount: row.amount,
                mandate_reference: row.reference.clone(),
                signed_on: row.signed_on,
                amendment,
                debtor_name: row.account_holder.clone(),
                debtor_iban: row.iban.clone(),
                debtor_bic: row.bic.clone(),
                remittance: Key::SepaRemittance.fill(
                    row_lang,
                    &[
                        ("number", &row.invoice_number),
                        ("customer", &row.customer_number),
                    ],
                ),
            }
        })
        .collect();
    let id = Uuid::new_v4();
    let message_id = id.simple().to_string();
    let created_at = chrono::Utc::now();
    let xml = pain008::render(
        &message_id,
        created_at,
        &pain008::Creditor {
            name: &seller.legal_name,
            iban,
            bic: seller.bic.as_deref().filter(|b| !b.is_empty()),
            creditor_id,
        },
        &collections,
    );
    let items: Vec<repo::CollectedItem> = plan
        .items
        .iter()
        .zip(&collections)
        .map(|((row, sequence), collection)| repo::CollectedItem {
            invoice_id: row.invoice_id,
            mandate_id: row.mandate_id,
            scheme: collection.scheme,
            sequence: *sequence,
            amount: row.amount,
            end_to_end_id: collection.end_to_end_id.clone(),
        })
        .collect();
    repo::store_export(
        conn,
        actor.tenant_id,
        id,
        &message_id,
        date,
        &items,
        xml.as_bytes(),
        actor.user_id,
    )
    .await?;
    let total: Decimal = items.iter().map(|i| i.amount).sum();
    record(
        conn,
        Event::by(actor, "direct_debit.exported", "direct_debit", id).change(
            None,
            Some(serde_json::json!({
                "collection_date": date, "transactions": items.len(), "total": total,
                "held_back": plan.held_back.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            })),
        ),
    )
    .await?;
    let file = DirectDebitFile {
        id,
        message_id,
        collection_date: date,
        transaction_count: i32::try_from(items.len()).unwrap_or(i32::MAX),
        total,
        created_at: format::date_time(created_at.naive_utc(), lang),
        created_by: None,
    };
    Ok((file, xml.into_bytes()))
}

/// The tenant's latest collection files (staff).
#[cfg(feature = "ssr")]
pub async fn files_of(
    conn: &mut PgConnection,
    actor: &Actor,
) -> Result<Vec<DirectDebitFile>, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    Ok(repo::files(conn, actor.tenant_id, 50, actor.lang).await?)
}

#[server(prefix = "/sf", endpoint = "sepa/mandates", input = Json, output = Json)]
pub async fn list_mandates(customer_id: Uuid) -> Result<Vec<Mandate>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            mandates_of(&mut conn, &actor, customer_id).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "sepa/create-mandate", input = Json, output = Json)]
pub async fn create_mandate(customer_id: Uuid, input: MandateInput) -> Result<Mandate, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let mandate = create(&mut tx, &actor, customer_id, &input).await?;
            tx.commit().await?;
            Ok(mandate)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "sepa/amend-mandate", input = Json, output = Json)]
pub async fn amend_mandate(mandate_id: Uuid, input: MandateInput) -> Result<Mandate, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let mandate = amend(&mut tx, &actor, mandate_id, &input).await?;
            tx.commit().await?;
            Ok(mandate)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "sepa/revoke-mandate", input = Json, output = Json)]
pub async fn revoke_mandate(mandate_id: Uuid) -> Result<Mandate, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let mandate = revoke(&mut tx, &actor, mandate_id).await?;
            tx.commit().await?;
            Ok(mandate)
        }
        .await,
    )
}

/// The collections a file on `collection_date` would contain (empty: earliest date).
#[server(prefix = "/sf", endpoint = "sepa/preview", input = Json, output = Json)]
pub async fn preview_collection(collection_date: String) -> Result<CollectionPreview, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            preview(&mut conn, &actor, &collection_date).await
        }
        .await,
    )
}

/// Exports the collection file; it is downloaded from `/direct-debits/{id}/xml`.
#[server(prefix = "/sf", endpoint = "sepa/export", input = Json, output = Json)]
pub async fn export_direct_debits(collection_date: String) -> Result<DirectDebitFile, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let (file, _) = export(&mut tx, &actor, &collection_date).await?;
            tx.commit().await?;
            Ok(file)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "sepa/files", input = Json, output = Json)]
pub async fn direct_debit_files() -> Result<Vec<DirectDebitFile>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            files_of(&mut conn, &actor).await
        }
        .await,
    )
}
