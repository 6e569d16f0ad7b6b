use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::dunning::{default_interest, next_level, surcharge_points, Level},
    crate::domain::format,
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    crate::invoices::pdf::{render_letter, Letter, LetterColumn},
    crate::invoices::repo::Seller,
    chrono::NaiveDate,
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

/// Days the customer is given to pay after a letter.
#[cfg(feature = "ssr")]
const DAYS_TO_PAY: u64 = 10;

/// The letters a run on `date` writes, from the overdue invoices: each invoice moves up at
/// most one level; a customer gets a letter when at least one of theirs moved.
#[cfg(feature = "ssr")]
fn plan(
    overdue: Vec<repo::Overdue>,
    levels: &[Level],
    rates: &[crate::domain::dunning::BaseRate],
    date: NaiveDate,
) -> (Vec<(DunningLetter, repo::Overdue)>, Vec<String>) {
    let mut letters: Vec<(DunningLetter, repo::Overdue)> = Vec::new();
    let mut blocked: Vec<String> = Vec::new();
    let mut moved: Vec<Uuid> = Vec::new();
    for row in overdue {
        if row.blocked {
            if !blocked.contains(&row.customer_name) {
                blocked.push(row.customer_name.clone());
            }
            continue;
        }
        let days = (date - row.due_date).num_days();
        // the next level only once the last letter's deadline has passed
        let waiting = row.last_pay_by.is_some_and(|pay_by| date <= pay_by);
        let level = match next_level(levels, row.level, days).filter(|_| !waiting) {
            Some(next) => {
                moved.push(row.customer_id);
                next.level
            }
            None => row.level,
        };
        let item = DunnedInvoice {
            invoice_id: row.invoice_id,
            number: row.number.clone(),
            issue_date: row.issue_date,
            due_date: row.due_date,
            days_overdue: i32::try_from(days).unwrap_or(i32::MAX),
            open: row.open,
            interest: Decimal::ZERO,
            level,
        };
        match letters
            .iter_mut()
            .find(|(l, _)| l.customer_id == row.customer_id)
        {
            Some((letter, _)) => letter.items.push(item),
            None => letters.push((
                DunningLetter {
                    id: None,
                    customer_id: row.customer_id,
                    customer_number: row.customer_number.clone(),
                    customer_name: row.customer_name.clone(),
                    level: 0,
                    pay_by: date + chrono::Days::new(DAYS_TO_PAY),
                    fee: Decimal::ZERO,
                    interest: Decimal::ZERO,
                    open_total: Decimal::ZERO,
                    total: Decimal::ZERO,
                    currency: row.currency.clone(),
                    recipient_email: row.email.trim().to_owned(),
                    items: vec![item],
                },
                row,
            )),
        }
    }
    letters.retain(|(letter, _)| moved.contains(&letter.customer_id));
    for (letter, customer) in &mut letters {
        // invoices never reminded before stay out of a letter that climbs no level for them
        letter.items.retain(|item| item.level > 0);
        letter.level = letter.items.iter().map(|i| i.level).max().unwrap_or(1);
        let at_level = levels.iter().find(|l| l.level == letter.level);
        letter.fee = at_level.map_or(Decimal::ZERO, |l| l.fee);
        if at_level.is_some_and(|l| l.interest) {
            for item in &mut letter.items {
                item.interest =
                    default_interest(item.open, item.due_date, date, customer.business, rates);
            }
        }
        letter.interest = letter.items.iter().map(|i| i.interest).sum();
        letter.open_total = letter.items.iter().map(|i| i.open).sum();
        letter.total = letter.open_total + letter.fee + letter.interest;
    }
    (letters, blocked)
}

#[cfg(feature = "ssr")]
fn title_key(level: i32) -> Key {
    match level {
        1 => Key::DunTitle1,
        2 => Key::DunTitle2,
        _ => Key::DunTitle3,
    }
}

/// The letter as paper: the customer's address, the invoices, fee, interest and total.
#[cfg(feature = "ssr")]
fn letter_document(
    letter: &DunningLetter,
    customer: &repo::Overdue,
    seller: &Seller,
    date: NaiveDate,
) -> Letter {
    let lang = Lang::parse(&customer.language).unwrap_or_default();
    let money = |amount: Decimal| format::money(amount, &letter.currency, lang);
    let day = |d: NaiveDate| format::date(d, lang);
    let mut recipient = vec![
        customer.customer_name.clone(),
        customer.street.clone(),
        format!("{} {}", customer.postal_code, customer.city),
    ];
    if customer.country != seller.country {
        recipient.push(customer.country.clone());
    }
    let fill = |key: Key| {
        key.fill(
            lang,
            &[
                ("total", &money(letter.total)),
                ("date", &day(letter.pay_by)),
            ],
        )
    };
    let opening = match letter.level {
        1 => fill(Key::DunText1),
        2 => fill(Key::DunText2),
        _ => fill(Key::DunText3),
    };
    let mut totals = vec![(
        Key::DunOpenTotal.text(lang).to_owned(),
        money(letter.open_total),
    )];
    if letter.fee > Decimal::ZERO {
        totals.push((Key::DunFee.text(lang).to_owned(), money(letter.fee)));
    }
    if letter.interest > Decimal::ZERO {
        totals.push((
            Key::DunInterest.text(lang).to_owned(),
            money(letter.interest),
        ));
    }
    totals.push((Key::DunTotal.text(lang).to_owned(), money(letter.total)));
    let mut after = Vec::new();
    if letter.interest > Decimal::ZERO {
        let points = surcharge_points(customer.business).to_string();
        after.push(Key::DunInterestNote.fill(lang, &[("points", &points)]));
    }
    let account = seller
        .iban
        .as_deref()
        .map(crate::domain::bank::group_iban)
        .unwrap_or_default();
    let numbers: Vec<&str> = letter.items.iter().map(|i| i.number.as_str()).collect();
    after.push(Key::DunPayment.fill(
        lang,
        &[
            ("total", &money(letter.total)),
            ("date", &day(letter.pay_by)),
            ("account", &account),
            ("numbers", &numbers.join(", ")),
        ],
    ));
    after.push(Key::DunAlreadyPaid.text(lang).to_owned());
    let column = |key: Key, width: f32, right: bool| LetterColumn {
        title: key.text(lang).to_owned(),
        width,
        right,
    };
    Letter {
        lang,
        recipient,
        facts: vec![
            (Key::DunLetterDate.text(lang).to_owned(), day(date)),
            (
                Key::InvoiceCustomerNumber.text(lang).to_owned(),
                letter.customer_number.clone(),
            ),
        ],
        title: title_key(letter.level).text(lang).to_owned(),
        before: vec![opening],
        columns: vec![
            column(Key::DunInvoice, 80.0, false),
            column(Key::InvoiceIssueDate, 74.0, false),
            column(Key::InvoiceDueDate, 56.0, false),
            column(Key::DunDaysOverdue, 70.0, true),
            column(Key::PayOpen, 64.0, true),
            column(Key::DunInterest, 60.0, true),
        ],
        rows: letter
            .items
            .iter()
            .map(|item| {
                vec![
                    item.number.clone(),
                    day(item.issue_date),
                    day(item.due_date),
                    item.days_overdue.to_string(),
                    money(item.open),
                    money(item.interest),
                ]
            })
            .collect(),
        totals,
        after,
    }
}

/// A dunning run on `request.date` (default today): plans the letters and, unless a dry
/// run, writes them with their PDFs and queues their mails, in the caller's transaction.
#[cfg(feature = "ssr")]
pub async fn run(
    conn: &mut PgConnection,
    actor: &Actor,
    request: &DunningRequest,
) -> Result<DunningOutcome, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let date = if request.date.trim().is_empty() {
        today
    } else {
        format::parse_date(&request.date)
            .filter(|d| *d <= today)
            .ok_or_else(|| AppError::field("date", Key::DunErrDate.text(actor.lang)))?
    };
    repo::lock_runs(conn, actor.tenant_id).await?;
    let levels = repo::levels(conn, actor.tenant_id).await?;
    let rates = repo::base_rates(conn).await?;
    let overdue = repo::overdue(conn, actor.tenant_id, date).await?;
    let (mut letters, blocked) = plan(overdue, &levels, &rates, date);
    if request.dry_run || letters.is_empty() {
        return Ok(DunningOutcome {
            run_id: None,
            run_date: date,
            letters: letters.into_iter().map(|(l, _)| l).collect(),
            blocked,
        });
    }
    let seller = crate::invoices::repo::seller(conn, actor.tenant_id).await?;
    let created = chrono::Utc::now();
    let mut written = Vec::with_capacity(letters.len());
    let mut mails = Vec::new();
    let mut templates: Vec<(Lang, crate::mail::model::MailTemplate)> = Vec::new();
    for (letter, customer) in &mut letters {
        let id = Uuid::new_v4();
        letter.id = Some(id);
        let pdf = render_letter(
            &letter_document(letter, customer, &seller, date),
            &seller,
            created,
        )
        .map_err(|error| {
            tracing::error!(%error, "rendering a dunning letter failed");
            AppError::Internal
        })?;
        let lang = Lang::parse(&customer.language).unwrap_or_default();
        if !letter.recipient_email.is_empty() {
            let template = match templates.iter().find(|(known, _)| *known == lang) {
                Some((_, template)) => template.clone(),
                None => {
                    let template = crate::mail::repo::template(
                        conn,
                        actor.tenant_id,
                        crate::mail::model::MailKind::Dunning,
                        lang,
                    )
                    .await?;
                    templates.push((lang, template.clone()));
                    template
                }
            };
            let title = title_key(letter.level).text(lang);
            let total = format::money(letter.total, &letter.currency, lang);
            let pay_by = format::date(letter.pay_by, lang);
            let (subject, body) = template.render(&[
                ("title", title),
                ("customer", letter.customer_name.as_str()),
                ("number", letter.customer_number.as_str()),
                ("amount", total.as_str()),
                ("due_date", pay_by.as_str()),
                ("tenant", seller.legal_name.as_str()),
            ]);
            mails.push((id, letter.recipient_email.clone(), subject, body));
        }
        written.push((letter.clone(), lang.code().to_owned(), pdf));
    }
    let run_id = Uuid::new_v4();
    let count = i32::try_from(written.len()).unwrap_or(i32::MAX);
    repo::insert_run(conn, actor.tenant_id, run_id, date, count, actor.user_id).await?;
    repo::insert_letters(conn, actor.tenant_id, run_id, date, &written).await?;
    repo::queue_mails(conn, actor.tenant_id, actor.user_id, &mails).await?;
    record(
        conn,
        Event::by(actor, "dunning.run", "dunning_run", run_id).change(
            None,
            Some(serde_json::json!({ "date": date, "letters": count, "blocked": blocked })),
        ),
    )
    .await?;
    Ok(DunningOutcome {
        run_id: Some(run_id),
        run_date: date,
        letters: written.into_iter().map(|(l, _, _)| l).collect(),
        blocked,
    })
}

/// Checks and stores the tenant's levels: numbered 1, 2, … with rising days.
#[cfg(feature = "ssr")]
pub async fn save_levels_checked(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &[LevelInput],
) -> Result<Vec<Level>, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let lang = actor.lang;
    let mut errors = FieldErrors::default();
    let mut levels = Vec::new();
    let mut previous_days = -1;
    for (index, level) in input.iter().enumerate() {
        let number = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let days = level
            .days_after_due
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|d| (0..=365).contains(d));
        let fee = format::parse_decimal(&level.fee)
            .filter(|f| *f >= Decimal::ZERO && f.scale() <= 2 && *f < Decimal::from(10_000));
        match days {
            Some(d) if d > previous_days => previous_days = d,
            _ => errors.add(
                &format!("days_after_due_{number}"),
                Key::DunErrDays.text(lang),
            ),
        }
        if fee.is_none() {
            errors.add(&format!("fee_{number}"), Key::PayErrAmount.text(lang));
        }
        levels.push(Level {
            level: number,
            days_after_due: days.unwrap_or(0),
            fee: fee.unwrap_or_default(),
            interest: level.interest,
        });
    }
    if input.is_empty() || input.len() > 9 {
        errors.add("levels", Key::DunErrLevels.text(lang));
    }
    errors.into_result()?;
    repo::save_levels(conn, actor.tenant_id, &levels).await?;
    record(
        conn,
        Event::by(actor, "dunning.levels_changed", "tenant", actor.tenant_id)
            .change(None, Some(serde_json::json!(levels))),
    )
    .await?;
    Ok(levels)
}

/// Blocks or unblocks a customer from dunning (disputed invoice, agreed payment plan).
#[cfg(feature = "ssr")]
pub async fn block(
    conn: &mut PgConnection,
    actor: &Actor,
    customer_id: Uuid,
    blocked: bool,
) -> Result<(), AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    if !repo::set_blocked(conn, actor.tenant_id, customer_id, blocked).await? {
        return Err(AppError::NotFound);
    }
    record(
        conn,
        Event::by(actor, "customer.dunning_block", "customer", customer_id)
            .change(None, Some(serde_json::json!({ "blocked": blocked }))),
    )
    .await?;
    Ok(())
}

#[server(prefix = "/sf", endpoint = "dunning/run", input = Json, output = Json)]
pub async fn start_dunning(request: DunningRequest) -> Result<DunningOutcome, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let outcome = run(&mut tx, &actor, &request).await?;
            tx.commit().await?;
            Ok(outcome)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "dunning/runs", input = Json, output = Json)]
pub async fn dunning_runs() -> Result<Vec<DunningRunSummary>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            actor.require_staff(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::runs(&mut conn, actor.tenant_id, actor.lang).await?)
        }
        .await,
    )
}

/// The letters of a run: (id, customer number, name, level, total, currency).
#[server(prefix = "/sf", endpoint = "dunning/letters", input = Json, output = Json)]
pub async fn run_letters(
    run_id: Uuid,
) -> Result<Vec<(Uuid, String, String, i32, rust_decimal::Decimal, String)>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            actor.require_staff(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::letters_of_run(&mut conn, actor.tenant_id, run_id).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "dunning/levels", input = Json, output = Json)]
pub async fn dunning_levels() -> Result<Vec<crate::domain::dunning::Level>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::levels(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "dunning/save-levels", input = Json, output = Json)]
pub async fn save_dunning_levels(
    levels: Vec<LevelInput>,
) -> Result<Vec<crate::domain::dunning::Level>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let saved = save_levels_checked(&mut tx, &actor, &levels).await?;
            tx.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "dunning/block", input = Json, output = Json)]
pub async fn set_dunning_block(customer_id: Uuid, blocked: bool) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            block(&mut tx, &actor, customer_id, blocked).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "dunning/blocked", input = Json, output = Json)]
pub async fn dunning_blocked(customer_id: Uuid) -> Result<bool, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            actor.require_staff(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            repo::is_blocked(&mut conn, actor.tenant_id, customer_id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}
