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
    crate::domain::quote::{plan, unknown_options},
    crate::domain::{format, Permission},
    crate::i18n::{Key, Lang},
    crate::invoices::pdf::{render_letter, Letter, LetterColumn},
    crate::projects::model::{ProjectStatus, ValidProject, ValidWorkPackage},
    chrono::NaiveDate,
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

/// How long a new quote is valid unless the form says otherwise.
pub const VALID_DAYS: u64 = 30;

#[cfg(feature = "ssr")]
async fn today(conn: &mut PgConnection, actor: &Actor) -> Result<NaiveDate, AppError> {
    Ok(crate::contracts::repo::tenant_today(conn, actor.tenant_id)
        .await?
        .0)
}

/// A quote as its reader may see it: staff any of the tenant's, the portal only its own
/// customer's sent versions.
#[cfg(feature = "ssr")]
pub async fn detail(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    version: Option<i32>,
) -> Result<QuoteDetail, AppError> {
    match actor.customer_id {
        Some(_) => actor.require(Permission::ViewOwnQuotes)?,
        None => actor.require(Permission::ViewQuotes)?,
    }
    let today = today(conn, actor).await?;
    repo::load(conn, actor.tenant_id, id, version, actor.customer_id, today)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks the job roles named by hour items; each unknown one is a field error.
#[cfg(feature = "ssr")]
async fn check_roles(
    conn: &mut PgConnection,
    actor: &Actor,
    quote: &ValidQuote,
) -> Result<(), AppError> {
    let known = crate::projects::roles::roles(conn, actor.tenant_id).await?;
    let mut errors = crate::error::FieldErrors::default();
    for (index, item) in quote.items.iter().enumerate() {
        if let Some(role) = item.job_role_id {
            if !known.iter().any(|r| r.id == role) {
                errors.add(
                    &format!("items.{index}.job_role_id"),
                    Key::ErrNotFound.text(actor.lang),
                );
            }
        }
    }
    errors.into_result()
}

/// The manager, when given, must be an active colleague.
#[cfg(feature = "ssr")]
async fn check_manager(
    conn: &mut PgConnection,
    actor: &Actor,
    customer_id: Uuid,
    manager_id: Option<Uuid>,
) -> Result<(), AppError> {
    let (_, manager) =
        crate::projects::repo::references_exist(conn, actor.tenant_id, customer_id, manager_id)
            .await?;
    if manager {
        Ok(())
    } else {
        Err(AppError::field(
            "manager_id",
            Key::ErrNotFound.text(actor.lang),
        ))
    }
}

/// Parses a quote input; an empty validity means the default from `today`.
#[cfg(feature = "ssr")]
fn parse_input(input: &QuoteInput, lang: Lang, today: NaiveDate) -> Result<ValidQuote, AppError> {
    let mut input = input.clone();
    if input.valid_until.trim().is_empty() {
        input.valid_until = (today + chrono::Days::new(VALID_DAYS)).to_string();
    }
    input.parse(lang).map_err(AppError::Validation)
}

/// Writes a new quote (version 1, a draft) with the next quote number.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &QuoteInput,
) -> Result<(Uuid, String), AppError> {
    actor.require_staff(Permission::ManageQuotes)?;
    let today = today(conn, actor).await?;
    let quote = parse_input(input, actor.lang, today)?;
    let customer_id = quote
        .customer_id
        .ok_or_else(|| AppError::field("customer_id", Key::ErrRequired.text(actor.lang)))?;
    if repo::customer_tax(conn, actor.tenant_id, customer_id)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "customer_id",
            Key::ErrNotFound.text(actor.lang),
        ));
    }
    check_manager(conn, actor, customer_id, quote.manager_id).await?;
    check_roles(conn, actor, &quote).await?;
    use chrono::Datelike;
    let number = crate::customers::repo::next_number(
        conn,
        actor.tenant_id,
        "quote",
        repo::DEFAULT_QUOTE_PATTERN,
        today.year(),
    )
    .await?;
    let id = Uuid::new_v4();
    repo::insert(
        conn,
        actor.tenant_id,
        id,
        &number,
        customer_id,
        &quote,
        actor.user_id,
    )
    .await?;
    record(
        conn,
        Event::by(actor, "quote.created", "quote", id)
            .change(None, Some(serde_json::to_value(input).unwrap_or_default())),
    )
    .await?;
    Ok((id, number))
}

/// Changes the unsent latest version.
#[cfg(feature = "ssr")]
pub async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &QuoteInput,
) -> Result<(), AppError> {
    actor.require_staff(Permission::ManageQuotes)?;
    let locked = repo::lock(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if locked.sent || locked.status != QuoteStatus::Draft {
        return Err(AppError::Conflict(
            Key::QuoteErrSent.text(actor.lang).to_owned(),
        ));
    }
    let today = today(conn, actor).await?;
    let quote = parse_input(input, actor.lang, today)?;
    check_manager(conn, actor, locked.customer_id, quote.manager_id).await?;
    check_roles(conn, actor, &quote).await?;
    repo::replace_draft(conn, actor.tenant_id, id, locked.version, &quote).await?;
    record(
        conn,
        Event::by(actor, "quote.changed", "quote", id).change(
            None,
            Some(serde_json::json!({ "version": locked.version, "input": input })),
        ),
    )
    .await?;
    Ok(())
}

/// The letter a quote version is printed as, in the customer's language.
#[cfg(feature = "ssr")]
fn letter(quote: &QuoteDetail, recipient: Vec<String>, issued: NaiveDate) -> Letter {
    let lang = Lang::parse(&quote.language).unwrap_or_default();
    let currency = &quote.summary.currency;
    let money = |amount: Decimal| format::money(amount, currency, lang);
    let number = |value: Decimal| format::number(value, value.normalize().scale().min(2), lang);
    let mut facts = vec![
        (
            Key::QuoteNumber.text(lang).to_owned(),
            quote.summary.number.clone(),
        ),
        (
            Key::QuoteDate.text(lang).to_owned(),
            format::date(issued, lang),
        ),
        (
            Key::QuoteValidUntil.text(lang).to_owned(),
            format::date(quote.valid_until, lang),
        ),
    ];
    if quote.shown_version > 1 {
        facts.insert(
            1,
            (
                Key::QuoteVersion.text(lang).to_owned(),
                quote.shown_version.to_string(),
            ),
        );
    }
    if let Some(manager) = &quote.manager_name {
        facts.push((Key::QuoteContact.text(lang).to_owned(), manager.clone()));
    }
    let rows = quote
        .items
        .iter()
        .map(|item| {
            let mut title = item.title.clone();
            if let Some(role) = &item.job_role {
                title = format!("{title} ({role})");
            }
            if item.optional {
                title = format!("{title} – {}", Key::QuoteOptional.text(lang));
            }
            let unit = match item.kind {
                crate::domain::quote::ItemKind::Hours => Key::UnitHoursShort,
                crate::domain::quote::ItemKind::Fixed => Key::UnitPiecesShort,
            };
            let net = if item.optional {
                format!("({})", money(item.net))
            } else {
                money(item.net)
            };
            vec![
                item.position.to_string(),
                title,
                number(item.quantity),
                unit.text(lang).to_owned(),
                money(item.unit_price),
                net,
            ]
        })
        .collect();
    let column = |key: Key, width: f32, right: bool| LetterColumn {
        title: key.text(lang).to_owned(),
        width,
        right,
    };
    let mut totals = vec![(
        Key::InvoiceNetTotal.text(lang).to_owned(),
        money(quote.sums.totals.net),
    )];
    for group in &quote.sums.totals.groups {
        if group.tax.rate > Decimal::ZERO {
            totals.push((
                format!(
                    "{} {} %",
                    Key::InvoiceVat.text(lang),
                    format::number(group.tax.rate, 0, lang)
                ),
                money(group.amount),
            ));
        }
    }
    totals.push((
        Key::InvoiceGrossTotal.text(lang).to_owned(),
        money(quote.sums.totals.gross),
    ));
    let mut after = Vec::new();
    if quote.sums.optional_net > Decimal::ZERO {
        after.push(
            Key::QuoteOptionalNote.fill(lang, &[("amount", &money(quote.sums.optional_net))]),
        );
    }
    if let Some(note) = quote.tax.note {
        after.push(note.text(lang == Lang::De).to_owned());
    }
    for item in quote.items.iter().filter(|i| !i.description.is_empty()) {
        after.push(format!(
            "{} {}: {}",
            Key::InvoicePos.text(lang),
            item.position,
            item.description
        ));
    }
    after.push(
        Key::QuoteValidityNote.fill(lang, &[("date", &format::date(quote.valid_until, lang))]),
    );
    after.push(Key::QuoteAcceptNote.text(lang).to_owned());
    Letter {
        lang,
        recipient,
        facts,
        title: format!("{} {}", Key::QuoteTitle.text(lang), quote.summary.number),
        before: [quote.summary.title.clone(), quote.intro.clone()]
            .into_iter()
            .filter(|text| !text.is_empty())
            .collect(),
        columns: vec![
            column(Key::InvoicePos, 24.0, true),
            column(Key::InvoiceDescription, 190.0, false),
            column(Key::InvoiceQuantity, 42.0, true),
            column(Key::InvoiceUnit, 34.0, false),
            column(Key::InvoiceUnitPrice, 62.0, true),
            column(Key::InvoiceNet, 0.0, true),
        ],
        rows,
        totals,
        after,
    }
}

/// Sends the latest version: freezes it with its PDF and, when asked and the customer
/// has an address, queues the e-mail; returns the address it goes to.
#[cfg(feature = "ssr")]
pub async fn send(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    email: bool,
) -> Result<Option<String>, AppError> {
    actor.require_staff(Permission::ManageQuotes)?;
    let locked = repo::lock(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if locked.sent || locked.status != QuoteStatus::Draft {
        return Err(AppError::Conflict(
            Key::QuoteErrSent.text(actor.lang).to_owned(),
        ));
    }
    let today = today(conn, actor).await?;
    if locked.valid_until < today {
        return Err(AppError::field(
            "valid_until",
            Key::QuoteErrPast.text(actor.lang),
        ));
    }
    let quote = repo::load(conn, actor.tenant_id, id, None, None, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let seller = crate::invoices::repo::seller(conn, actor.tenant_id).await?;
    let recipient =
        repo::recipient(conn, actor.tenant_id, locked.customer_id, &seller.country).await?;
    let pdf = render_letter(
        &letter(&quote, recipient, today),
        &seller,
        chrono::Utc::now(),
    )
    .map_err(|error| {
        tracing::error!(%error, "rendering a quote failed");
        AppError::Internal
    })?;
    repo::mark_sent(conn, actor.tenant_id, id, locked.version, &pdf).await?;
    let address = quote.customer_email.trim().to_owned();
    let mailed = email && !address.is_empty();
    if mailed {
        let lang = Lang::parse(&quote.language).unwrap_or_default();
        let template = crate::mail::repo::template(
            conn,
            actor.tenant_id,
            crate::mail::model::MailKind::Quote,
            lang,
        )
        .await?;
        let (subject, body) = template.render(&[
            ("number", &quote.summary.number),
            ("title", &quote.summary.title),
            ("customer", &quote.summary.customer_name),
            (
                "amount",
                &format::money(quote.sums.totals.gross, &quote.summary.currency, lang),
            ),
            ("valid_until", &format::date(quote.valid_until, lang)),
            ("tenant", &seller.legal_name),
        ]);
        crate::mail::repo::enqueue_quote(
            conn,
            actor.tenant_id,
            actor.user_id,
            (id, locked.version),
            &address,
            (&subject, &body),
        )
        .await?;
    }
    record(
        conn,
        Event::by(actor, "quote.sent", "quote", id).change(
            None,
            Some(serde_json::json!({
                "version": locked.version,
                "recipient": mailed.then_some(&address),
            })),
        ),
    )
    .await?;
    Ok(mailed.then_some(address))
}

/// Starts the next version from the latest sent one (after the customer asked for
/// changes, or declined).
#[cfg(feature = "ssr")]
pub async fn revise(conn: &mut PgConnection, actor: &Actor, id: Uuid) -> Result<i32, AppError> {
    actor.require_staff(Permission::ManageQuotes)?;
    let locked = repo::lock(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !locked.sent || locked.status == QuoteStatus::Accepted {
        return Err(AppError::Conflict(
            Key::QuoteErrNotRevisable.text(actor.lang).to_owned(),
        ));
    }
    let today = today(conn, actor).await?;
    let valid_until = today + chrono::Days::new(VALID_DAYS);
    repo::revise(
        conn,
        actor.tenant_id,
        id,
        locked.version,
        valid_until,
        actor.user_id,
    )
    .await?;
    record(
        conn,
        Event::by(actor, "quote.revised", "quote", id).change(
            None,
            Some(serde_json::json!({ "version": locked.version + 1 })),
        ),
    )
    .await?;
    Ok(locked.version + 1)
}

/// Locks a quote that waits for the customer's decision; the portal only its own and
/// only while it is valid.
#[cfg(feature = "ssr")]
async fn lock_open(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<repo::Locked, AppError> {
    let locked = repo::lock(conn, actor.tenant_id, id)
        .await?
        .filter(|l| actor.customer_id.is_none_or(|c| c == l.customer_id))
        .ok_or(AppError::NotFound)?;
    match locked.status {
        QuoteStatus::Sent => {}
        QuoteStatus::Accepted | QuoteStatus::Declined => {
            return Err(AppError::Conflict(
                Key::QuoteErrDecided.text(actor.lang).to_owned(),
            ))
        }
        QuoteStatus::Draft => {
            return Err(AppError::Conflict(
                Key::QuoteErrNotSent.text(actor.lang).to_owned(),
            ))
        }
    }
    if actor.customer_id.is_some() && locked.valid_until < today(conn, actor).await? {
        return Err(AppError::Conflict(
            Key::QuoteErrExpired.text(actor.lang).to_owned(),
        ));
    }
    Ok(locked)
}

/// Who decides on a quote: staff acting for the customer (`ManageQuotes`), or the
/// customer's owner in the portal (`AcceptQuotes`).
#[cfg(feature = "ssr")]
fn require_decider(actor: &Actor) -> Result<(), AppError> {
    match actor.customer_id {
        Some(_) => actor.require(Permission::AcceptQuotes),
        None => actor.require(Permission::ManageQuotes),
    }
}

/// Accepts the latest sent version with the optional items at `options`: opens the
/// project with the quoted plan (a work package per item) and returns it with its number.
#[cfg(feature = "ssr")]
pub async fn accept(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    options: &[i32],
) -> Result<(Uuid, String), AppError> {
    require_decider(actor)?;
    let locked = lock_open(conn, actor, id).await?;
    let today = today(conn, actor).await?;
    let quote = repo::load(conn, actor.tenant_id, id, None, None, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let priced: Vec<_> = quote.items.iter().map(QuoteItem::priced).collect();
    let mut options = options.to_vec();
    options.sort_unstable();
    options.dedup();
    if !unknown_options(&priced, &options).is_empty() {
        return Err(AppError::field(
            "options",
            Key::QuoteErrOptions.text(actor.lang),
        ));
    }
    let planned = plan(&priced, &options);
    let (_, manager_active) = crate::projects::repo::references_exist(
        conn,
        actor.tenant_id,
        locked.customer_id,
        quote.manager_id,
    )
    .await?;
    let project = ValidProject {
        customer_id: locked.customer_id,
        name: quote.summary.title.clone(),
        description: Key::QuoteProjectFrom.fill(
            Lang::De,
            &[
                ("number", &quote.summary.number),
                ("version", &quote.shown_version.to_string()),
            ],
        ),
        billing: quote.billing,
        status: ProjectStatus::Active,
        manager_id: quote.manager_id.filter(|_| manager_active),
        starts_on: Some(today),
        ends_on: None,
        budget_hours: planned.hours,
        budget_amount: planned.amount,
        hourly_rate: planned.hourly_rate,
        retainer_hours: None,
        retainer_fee: None,
    };
    let source =
        serde_json::json!({ "quote": quote.summary.number, "version": quote.shown_version });
    let (project_id, project_number) =
        crate::projects::api::insert_new(conn, actor, &project, source).await?;
    for package in planned.packages {
        crate::projects::repo::insert_work_package(
            conn,
            actor.tenant_id,
            project_id,
            Uuid::new_v4(),
            &ValidWorkPackage {
                name: package.name,
                planned_hours: package.hours,
                planned_amount: package.amount,
                progress: Decimal::ZERO,
                starts_on: None,
                ends_on: None,
            },
        )
        .await?;
    }
    repo::decide(
        conn,
        actor.tenant_id,
        id,
        QuoteStatus::Accepted,
        &actor.label,
        (&options, Some(project_id), ""),
    )
    .await?;
    if actor.customer_id.is_some() {
        repo::notify_decision(conn, actor.tenant_id, id, QuoteStatus::Accepted).await?;
    }
    record(
        conn,
        Event::by(actor, "quote.accepted", "quote", id).change(
            None,
            Some(serde_json::json!({
                "version": quote.shown_version,
                "options": options,
                "project": project_number,
            })),
        ),
    )
    .await?;
    Ok((project_id, project_number))
}

/// Records that the customer declined the latest sent version.
#[cfg(feature = "ssr")]
pub async fn decline(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    require_decider(actor)?;
    let reason = reason.trim();
    if reason.chars().count() > 1000 {
        return Err(AppError::field("reason", Key::ErrTooLong.text(actor.lang)));
    }
    lock_open(conn, actor, id).await?;
    repo::decide(
        conn,
        actor.tenant_id,
        id,
        QuoteStatus::Declined,
        &actor.label,
        (&[], None, reason),
    )
    .await?;
    if actor.customer_id.is_some() {
        repo::notify_decision(conn, actor.tenant_id, id, QuoteStatus::Declined).await?;
    }
    record(
        conn,
        Event::by(actor, "quote.declined", "quote", id)
            .change(None, Some(serde_json::json!({ "reason": reason }))),
    )
    .await?;
    Ok(())
}

/// One page of quotes; the portal sees its own customer's sent ones.
#[server(prefix = "/sf", endpoint = "quotes/list", input = Json, output = Json)]
pub async fn list_quotes(
    filter: QuoteFilter,
    page: PageRequest,
) -> Result<Page<QuoteSummary>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewQuotes)?;
            actor.require_staff(Permission::ViewQuotes)?;
            let mut conn = pool()?.acquire().await?;
            let today = today(&mut conn, &actor).await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/load", input = Json, output = Json)]
pub async fn load_quote(id: Uuid, version: Option<i32>) -> Result<QuoteDetail, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewQuotes)?;
            actor.require_staff(Permission::ViewQuotes)?;
            let mut conn = pool()?.acquire().await?;
            detail(&mut conn, &actor, id, version).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/create", input = Json, output = Json)]
pub async fn create_quote(input: QuoteInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            let (id, _) = create(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/save", input = Json, output = Json)]
pub async fn save_quote(id: Uuid, input: QuoteInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            save(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/send", input = Json, output = Json)]
pub async fn send_quote(id: Uuid, email: bool) -> Result<Option<String>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            let recipient = send(&mut tx, &actor, id, email).await?;
            tx.commit().await?;
            Ok(recipient)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/revise", input = Json, output = Json)]
pub async fn revise_quote(id: Uuid) -> Result<i32, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            let version = revise(&mut tx, &actor, id).await?;
            tx.commit().await?;
            Ok(version)
        }
        .await,
    )
}

/// Accepts a quote on the customer's word; returns the new project.
#[server(prefix = "/sf", endpoint = "quotes/accept", input = Json, output = Json)]
pub async fn accept_quote(id: Uuid, options: Vec<i32>) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            actor.require_staff(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            let (project, _) = accept(&mut tx, &actor, id, &options).await?;
            tx.commit().await?;
            Ok(project)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "quotes/decline", input = Json, output = Json)]
pub async fn decline_quote(id: Uuid, reason: String) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            actor.require_staff(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            decline(&mut tx, &actor, id, &reason).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Removes a quote that never went out (sent ones stay, for the record).
#[server(prefix = "/sf", endpoint = "quotes/delete", input = Json, output = Json)]
pub async fn delete_quote(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageQuotes)?;
            actor.require_staff(Permission::ManageQuotes)?;
            let mut tx = pool()?.begin().await?;
            let locked = repo::lock(&mut tx, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if locked.ever_sent {
                return Err(AppError::Conflict(
                    Key::QuoteErrSent.text(actor.lang).to_owned(),
                ));
            }
            repo::delete(&mut tx, actor.tenant_id, id).await?;
            record(&mut tx, Event::by(&actor, "quote.deleted", "quote", id)).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
