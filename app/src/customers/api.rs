use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::{tax, Permission, VatId},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
};

/// Checks and normalises the master data; all problems at once, each at its field.
#[cfg(feature = "ssr")]
pub fn validate(
    input: &CustomerInput,
    lang: Lang,
    home_country: &str,
) -> Result<CustomerInput, AppError> {
    let mut errors = FieldErrors::default();
    let mut clean = input.clone();
    let country = |text: &str| text.trim().to_ascii_uppercase();
    match input.kind {
        CustomerKind::Company if input.company_name.trim().is_empty() => {
            errors.add("company_name", Key::ErrRequired.text(lang))
        }
        CustomerKind::Person if input.last_name.trim().is_empty() => {
            errors.add("last_name", Key::ErrRequired.text(lang))
        }
        _ => {}
    }
    if !input.email.trim().is_empty() && !crate::domain::is_plausible_email(&input.email) {
        errors.add("email", Key::ErrEmail.text(lang));
    }
    clean.billing_country = country(&input.billing_country);
    if clean.billing_country.len() != 2
        || !clean
            .billing_country
            .chars()
            .all(|c| c.is_ascii_uppercase())
    {
        errors.add("billing_country", Key::ErrCountryCode.text(lang));
    }
    if input.separate_postal_address {
        clean.postal_country = country(&input.postal_country);
        for (field, value) in [
            ("postal_street", &input.postal_street),
            ("postal_postal_code", &input.postal_postal_code),
            ("postal_city", &input.postal_city),
        ] {
            if value.trim().is_empty() {
                errors.add(field, Key::ErrRequired.text(lang));
            }
        }
        if clean.postal_country.len() != 2
            || !clean.postal_country.chars().all(|c| c.is_ascii_uppercase())
        {
            errors.add("postal_country", Key::ErrCountryCode.text(lang));
        }
    }
    clean.vat_id = String::new();
    if !input.vat_id.trim().is_empty() {
        match VatId::parse(&input.vat_id) {
            Ok(vat_id) => clean.vat_id = vat_id.as_str().to_owned(),
            Err(e) => errors.add("vat_id", e.key().text(lang)),
        }
    }
    clean.leitweg_id = String::new();
    if !input.leitweg_id.trim().is_empty() {
        match crate::domain::leitweg::LeitwegId::parse(&input.leitweg_id) {
            Ok(id) => clean.leitweg_id = id.as_str().to_owned(),
            Err(e) => errors.add("leitweg_id", e.key().text(lang)),
        }
    }
    clean.invoice_email = input.invoice_email.trim().to_owned();
    if !clean.invoice_email.is_empty() && !crate::domain::is_plausible_email(&clean.invoice_email) {
        errors.add("invoice_email", Key::ErrEmail.text(lang));
    }
    let vat_ok = !clean.vat_id.is_empty() || input.vat_id.trim().is_empty();
    if vat_ok {
        if let Err(problem) = tax::check_treatment(
            input.tax_treatment,
            &clean.billing_country,
            !clean.vat_id.is_empty(),
            home_country,
        ) {
            let key = match problem {
                tax::TreatmentProblem::VatIdRequired => Key::ErrReverseChargeNeedsVatId,
                tax::TreatmentProblem::NotOtherEuCountry => Key::ErrReverseChargeCountry,
                tax::TreatmentProblem::CountryInEu => Key::ErrThirdCountryInEu,
            };
            errors.add("tax_treatment", key.text(lang));
        }
    }
    if !(0..=365).contains(&input.payment_terms_days) {
        errors.add("payment_terms_days", Key::ErrPaymentTerms.text(lang));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in input
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > 30 {
            errors.add("tags", Key::ErrTagTooLong.text(lang));
        } else if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > 20 {
        errors.add("tags", Key::ErrTooManyTags.text(lang));
    }
    clean.tags = tags;
    clean.custom_fields = input
        .custom_fields
        .iter()
        .map(|f| CustomField {
            key: f.key.trim().to_owned(),
            value: f.value.trim().to_owned(),
        })
        .filter(|f| !(f.key.is_empty() && f.value.is_empty()))
        .collect();
    if clean
        .custom_fields
        .iter()
        .any(|f| f.key.is_empty() || f.key.chars().count() > 40 || f.value.chars().count() > 500)
        || clean.custom_fields.len() > 30
    {
        errors.add("custom_fields", Key::ErrCustomFields.text(lang));
    }
    if input.notes.chars().count() > 20_000 {
        errors.add("notes", Key::ErrTooLong.text(lang));
    }
    errors.into_result()?;
    Ok(clean)
}

#[cfg(feature = "ssr")]
async fn home_country(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("select country from tenants where id = $1")
            .bind(tenant_id)
            .fetch_one(conn)
            .await?,
    )
}

#[cfg(feature = "ssr")]
async fn snapshot(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<serde_json::Value, AppError> {
    let (number, _, _, _, data) = repo::load(conn, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut value = serde_json::to_value(data).unwrap_or_default();
    value["number"] = serde_json::json!(number);
    Ok(value)
}

#[server(prefix = "/sf", endpoint = "customers/list", input = Json, output = Json)]
pub async fn list_customers(
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<Page<CustomerRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewCustomers)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "customers/load", input = Json, output = Json)]
pub async fn load_customer(id: Uuid) -> Result<CustomerFile, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewCustomers)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_file(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Creates a customer in one transaction (number, row, audit); shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &CustomerInput,
    ignore_duplicates: bool,
    year: i32,
) -> Result<CreateOutcome, AppError> {
    let home = home_country(conn, actor.tenant_id).await?;
    let clean = validate(input, actor.lang, &home)?;
    if !ignore_duplicates {
        let found = repo::duplicates(conn, actor.tenant_id, &clean, None).await?;
        if !found.is_empty() {
            return Ok(CreateOutcome::PossibleDuplicates(found));
        }
    }
    let number = repo::next_number(
        conn,
        actor.tenant_id,
        "customer",
        repo::DEFAULT_CUSTOMER_PATTERN,
        year,
    )
    .await?;
    let id = repo::insert(conn, actor.tenant_id, &number, &clean).await?;
    let after = snapshot(conn, actor.tenant_id, id).await?;
    record(
        conn,
        Event::by(actor, "customer.created", "customer", id).change(None, Some(after)),
    )
    .await?;
    Ok(CreateOutcome::Created { id, number })
}

#[server(prefix = "/sf", endpoint = "customers/create", input = Json, output = Json)]
pub async fn create_customer(
    input: CustomerInput,
    ignore_duplicates: bool,
) -> Result<CreateOutcome, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCustomers)?;
            let mut tx = pool()?.begin().await?;
            let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
            let outcome = create(&mut tx, &actor, &input, ignore_duplicates, year).await?;
            tx.commit().await?;
            Ok(outcome)
        }
        .await,
    )
}

/// Replaces the master data; shared with the REST API (PATCH merges onto the stored data first).
#[cfg(feature = "ssr")]
pub async fn update(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &CustomerInput,
) -> Result<(), AppError> {
    let before = snapshot(conn, actor.tenant_id, id).await?;
    let home = home_country(conn, actor.tenant_id).await?;
    let clean = validate(input, actor.lang, &home)?;
    if !repo::update(conn, actor.tenant_id, id, &clean).await? {
        return Err(AppError::NotFound);
    }
    let after = snapshot(conn, actor.tenant_id, id).await?;
    record(
        conn,
        Event::by(actor, "customer.changed", "customer", id).change(Some(before), Some(after)),
    )
    .await?;
    Ok(())
}

#[server(prefix = "/sf", endpoint = "customers/update", input = Json, output = Json)]
pub async fn update_customer(id: Uuid, input: CustomerInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCustomers)?;
            let mut tx = pool()?.begin().await?;
            update(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "customers/archive", input = Json, output = Json)]
pub async fn set_customer_archived(id: Uuid, archived: bool) -> Result<(), AppError> {
    respond(async {
        let actor = authorize(Permission::ManageCustomers)?;
        let mut tx = pool()?.begin().await?;
        let changed = sqlx::query(
            "update customers set archived_at = case when $3 then coalesce(archived_at, now()) end, updated_at = now()
             where id = $1 and tenant_id = $2",
        )
        .bind(id)
        .bind(actor.tenant_id)
        .bind(archived)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        let action = if archived { "customer.archived" } else { "customer.restored" };
        record(&mut tx, Event::by(&actor, action, "customer", id)).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}

#[cfg(feature = "ssr")]
pub fn validate_contact(input: &ContactInput, lang: Lang) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if input.last_name.trim().is_empty() {
        errors.add("last_name", Key::ErrRequired.text(lang));
    }
    if !input.email.trim().is_empty() && !crate::domain::is_plausible_email(&input.email) {
        errors.add("email", Key::ErrEmail.text(lang));
    }
    errors.into_result()
}

/// Adds a contact; a new primary contact replaces the old one. Shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn add(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: &ContactInput,
) -> Result<Uuid, AppError> {
    validate_contact(input, actor.lang)?;
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from customers where id = $1 and tenant_id = $2)",
    )
    .bind(customer_id)
    .bind(actor.tenant_id)
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    if input.is_primary {
        sqlx::query("update contacts set is_primary = false where customer_id = $1")
            .bind(customer_id)
            .execute(&mut *conn)
            .await?;
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into contacts (id, tenant_id, customer_id, salutation, first_name, last_name, role, email, phone, is_primary)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(actor.tenant_id)
    .bind(customer_id)
    .bind(input.salutation.trim())
    .bind(input.first_name.trim())
    .bind(input.last_name.trim())
    .bind(input.role.as_str())
    .bind(input.email.trim())
    .bind(input.phone.trim())
    .bind(input.is_primary)
    .execute(&mut *conn)
    .await?;
    record(
        conn,
        Event::by(actor, "contact.added", "customer", customer_id)
            .change(None, Some(serde_json::to_value(input).unwrap_or_default())),
    )
    .await?;
    Ok(id)
}

#[server(prefix = "/sf", endpoint = "customers/add_contact", input = Json, output = Json)]
pub async fn add_contact(customer_id: Uuid, input: ContactInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCustomers)?;
            let mut tx = pool()?.begin().await?;
            let id = add(&mut tx, &actor, customer_id, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "customers/remove_contact", input = Json, output = Json)]
pub async fn remove_contact(id: Uuid) -> Result<(), AppError> {
    respond(async {
        let actor = authorize(Permission::ManageCustomers)?;
        let mut tx = pool()?.begin().await?;
        let removed: Option<(Uuid, serde_json::Value)> = sqlx::query_as(
            "delete from contacts where id = $1 and tenant_id = $2
             returning customer_id, jsonb_build_object('first_name', first_name, 'last_name', last_name, 'email', email, 'role', role)",
        )
        .bind(id)
        .bind(actor.tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (customer_id, before) = removed.ok_or(AppError::NotFound)?;
        record(&mut tx, Event::by(&actor, "contact.removed", "customer", customer_id).change(Some(before), None)).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}

/// Logs a call; anyone who sees the customer may (support agents take calls too).
#[server(prefix = "/sf", endpoint = "customers/add_call_note", input = Json, output = Json)]
pub async fn add_call_note(customer_id: Uuid, input: CallNoteInput) -> Result<(), AppError> {
    respond(async {
        let actor = authorize(Permission::ViewCustomers)?;
        if input.subject.trim().is_empty() {
            return Err(AppError::field("subject", Key::ErrRequired.text(actor.lang)));
        }
        let mut tx = pool()?.begin().await?;
        let inserted = sqlx::query(
            "insert into call_notes (id, tenant_id, customer_id, contact_id, author_id, subject, body)
             select $1, $2, c.id, ct.id, $5, $6, $7
             from customers c left join contacts ct on ct.id = $4 and ct.customer_id = c.id
             where c.id = $3 and c.tenant_id = $2",
        )
        .bind(Uuid::new_v4())
        .bind(actor.tenant_id)
        .bind(customer_id)
        .bind(input.contact_id)
        .bind(actor.user_id)
        .bind(input.subject.trim())
        .bind(input.body.trim())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        record(&mut tx, Event::by(&actor, "customer.call_noted", "customer", customer_id)
            .change(None, Some(serde_json::json!({ "subject": input.subject.trim() })))).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}
