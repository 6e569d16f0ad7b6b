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
    crate::domain::billing::{bill_customer, unit_code, BilledLine, LineKind},
    crate::domain::invoice_math::totals,
    crate::domain::Permission,
    crate::i18n::{Key, Lang},
    chrono::NaiveDate,
    sqlx::PgPool,
};

/// Records a run (status running) after checking the date; the caller starts `execute`.
#[cfg(feature = "ssr")]
pub async fn begin(
    pool: &PgPool,
    actor: &Actor,
    input: &RunRequest,
    started_via: &str,
) -> Result<Uuid, AppError> {
    actor.require(Permission::ManageBilling)?;
    let mut conn = pool.acquire().await?;
    let (today, _) = crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let run_date = if input.run_date.trim().is_empty() {
        today
    } else {
        crate::domain::format::parse_date(&input.run_date)
            .ok_or_else(|| AppError::field("run_date", Key::ErrDate.text(actor.lang)))?
    };
    // billing ahead of time would invoice periods nobody has agreed to pay yet
    if run_date > today + chrono::Days::new(31) {
        return Err(AppError::field(
            "run_date",
            Key::BillErrTooFarAhead.text(actor.lang),
        ));
    }
    let id = repo::create_run(
        &mut conn,
        actor.tenant_id,
        run_date,
        input.preview,
        started_via,
        actor.user_id,
    )
    .await?;
    record(
        &mut conn,
        Event::by(actor, "billing_run.started", "billing_run", id).change(
            None,
            Some(serde_json::json!({ "run_date": run_date, "preview": input.preview })),
        ),
    )
    .await?;
    Ok(id)
}

/// Bills every due customer of the run, batch by batch, and records the outcome on the run.
#[cfg(feature = "ssr")]
pub async fn execute(pool: &PgPool, actor: &Actor, run_id: Uuid) -> Result<(), AppError> {
    let outcome = bill_all(pool, actor, run_id).await;
    let mut conn = pool.acquire().await?;
    if let Err(error) = &outcome {
        tracing::error!(%run_id, ?error, "billing run failed");
        repo::finish(&mut conn, run_id, Some("failed")).await?;
    } else {
        repo::finish(&mut conn, run_id, None).await?;
    }
    outcome
}

#[cfg(feature = "ssr")]
async fn bill_all(pool: &PgPool, actor: &Actor, run_id: Uuid) -> Result<(), AppError> {
    let mut conn = pool.acquire().await?;
    let run = repo::load(&mut conn, actor.tenant_id, run_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if run.preview {
        repo::drop_old_previews(&mut conn, actor.tenant_id, run_id).await?;
    }
    let customers = repo::due_customers(&mut conn, actor.tenant_id, run.run_date).await?;
    repo::set_total(
        &mut conn,
        run_id,
        i32::try_from(customers.len()).unwrap_or(i32::MAX),
    )
    .await?;
    drop(conn);
    for batch in customers.chunks(repo::BATCH_CUSTOMERS) {
        let mut tx = pool.begin().await?;
        let loaded =
            repo::load_batch(&mut tx, actor.tenant_id, batch, run.run_date, !run.preview).await?;
        let write = compute(&loaded, run.run_date);
        repo::write_batch(
            &mut tx,
            actor.tenant_id,
            run_id,
            run.preview,
            actor.user_id,
            &write,
        )
        .await?;
        repo::progress(
            &mut tx,
            run_id,
            i32::try_from(batch.len()).unwrap_or(i32::MAX),
            i32::try_from(write.invoices.len()).unwrap_or(i32::MAX),
            i32::try_from(write.lines.len()).unwrap_or(i32::MAX),
            write.invoices.iter().map(|i| i.net).sum(),
            write.invoices.iter().map(|i| i.gross).sum(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The pure core per customer, and the lines' texts in the customer's language.
#[cfg(feature = "ssr")]
pub fn compute(customers: &[repo::CustomerToBill], run_date: NaiveDate) -> repo::BatchWrite {
    let mut write = repo::BatchWrite::default();
    for customer in customers {
        let billable: Vec<_> = customer
            .contracts
            .iter()
            .map(|c| c.billable.clone())
            .collect();
        let bill = bill_customer(customer.treatment, &billable, run_date);
        write.advances.extend(bill.advances.iter().cloned());
        if bill.lines.is_empty() {
            continue;
        }
        let lang = Lang::parse(&customer.language).unwrap_or_default();
        let invoice_id = Uuid::new_v4();
        let sums = totals(bill.lines.iter().map(|l| (l.net, &l.tax)));
        let period = bill.period();
        let mut usage_line: Vec<(Uuid, Uuid)> = Vec::new();
        for (index, line) in bill.lines.iter().enumerate() {
            let contract = customer
                .contracts
                .iter()
                .find(|c| c.billable.id == line.contract_id);
            let line_id = Uuid::new_v4();
            if let Some(usage) = &line.usage {
                if !usage_line
                    .iter()
                    .any(|(record, _)| *record == usage.record_id)
                {
                    usage_line.push((usage.record_id, line_id));
                }
            }
            write.lines.push(repo::NewLine {
                id: line_id,
                invoice_id,
                position: i32::try_from(index + 1).unwrap_or(i32::MAX),
                kind: line.kind.as_str(),
                contract_id: line.contract_id,
                period_start: line.period.from,
                period_end: line.period.to,
                description: describe(
                    line,
                    contract.map_or("", |c| c.description.as_str()),
                    contract.map_or("", |c| c.number.as_str()),
                    lang,
                ),
                quantity: line.quantity,
                unit_code: line.usage.as_ref().map_or("C62", |u| unit_code(&u.unit)),
                unit_price: line.unit_price,
                net: line.net,
                tax: line.tax,
            });
        }
        write.usage.extend(usage_line);
        write.invoices.push(repo::NewInvoice {
            id: invoice_id,
            customer_id: customer.id,
            period_start: period.as_ref().map(|p| p.from),
            period_end: period.map(|p| p.to),
            net: sums.net,
            tax: sums.tax,
            gross: sums.gross,
        });
    }
    write
}

/// A line's text: what it is, for which contract (its number helps the customer find it).
#[cfg(feature = "ssr")]
fn describe(line: &BilledLine, description: &str, number: &str, lang: Lang) -> String {
    let contract = format!("{description} ({number})");
    let text = match line.kind {
        LineKind::Setup => Key::BillLineSetup.fill(lang, &[("contract", &contract)]),
        LineKind::Credit => Key::BillLineCredit.fill(lang, &[("contract", &contract)]),
        LineKind::Recurring if line.prorated => {
            Key::BillLineProrated.fill(lang, &[("contract", &contract)])
        }
        LineKind::Usage => match &line.usage {
            Some(usage) => match usage.tier_from {
                Some(from) => Key::BillLineUsageTier.fill(
                    lang,
                    &[
                        ("contract", &contract),
                        ("metric", &usage.metric),
                        (
                            "from",
                            &crate::domain::format::number(
                                from.normalize(),
                                from.normalize().scale(),
                                lang,
                            ),
                        ),
                        ("unit", &usage.unit),
                    ],
                ),
                None => Key::BillLineUsageIncluded.fill(
                    lang,
                    &[
                        ("contract", &contract),
                        ("metric", &usage.metric),
                        ("unit", &usage.unit),
                    ],
                ),
            },
            None => contract.clone(),
        },
        LineKind::Recurring | LineKind::Manual => contract.clone(),
    };
    text.chars().take(500).collect()
}

#[server(prefix = "/sf", endpoint = "billing/runs/start", input = Json, output = Json)]
pub async fn start_run(input: RunRequest) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let pool = pool()?;
            let id = begin(&pool, &actor, &input, "ui").await?;
            tokio::spawn(async move {
                // the outcome is recorded on the run itself
                let _ = execute(&pool, &actor, id).await;
            });
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "billing/runs/load", input = Json, output = Json)]
pub async fn load_run(id: Uuid) -> Result<RunSummary, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            repo::load(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "billing/runs/list", input = Json, output = Json)]
pub async fn list_runs(page: PageRequest) -> Result<Page<RunSummary>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &page).await?)
        }
        .await,
    )
}

/// Checks and stores the billing settings; a changed schedule starts from today.
#[cfg(feature = "ssr")]
pub async fn save_settings(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &BillingSettings,
) -> Result<BillingSettings, AppError> {
    use crate::domain::billing_schedule::next_run_on;
    actor.require(Permission::ManageBilling)?;
    let lang = actor.lang;
    let mut errors = crate::error::FieldErrors::default();
    if !input.schedule.day_range().contains(&input.schedule_day) {
        errors.add("schedule_day", Key::BillErrScheduleDay.text(lang));
    }
    if !(1..=12).contains(&input.fiscal_year_start) {
        errors.add("fiscal_year_start", Key::BillErrFiscalYear.text(lang));
    }
    let number = |text: &str, range: std::ops::RangeInclusive<i32>| -> Result<Option<i32>, ()> {
        match text.trim() {
            "" => Ok(None),
            digits => digits
                .parse::<i32>()
                .ok()
                .filter(|n| range.contains(n))
                .map(Some)
                .ok_or(()),
        }
    };
    let consultant = number(&input.datev_consultant, 1001..=9_999_999).unwrap_or_else(|()| {
        errors.add("datev_consultant", Key::BillErrDatevConsultant.text(lang));
        None
    });
    let client = number(&input.datev_client, 1..=99_999).unwrap_or_else(|()| {
        errors.add("datev_client", Key::BillErrDatevClient.text(lang));
        None
    });
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = repo::settings(conn, actor.tenant_id).await?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let next_run_on = if before.schedule == input.schedule
        && before.schedule_day == input.schedule_day
        && before.next_run_on.is_some()
    {
        before.next_run_on
    } else {
        next_run_on(input.schedule, input.schedule_day, today)
    };
    repo::save_settings(
        conn,
        actor.tenant_id,
        &repo::StoredSettings {
            settings: input,
            next_run_on,
            consultant,
            client,
        },
    )
    .await?;
    let after = repo::settings(conn, actor.tenant_id).await?;
    record(
        conn,
        Event::by(actor, "billing_settings.changed", "tenant", actor.tenant_id).change(
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        ),
    )
    .await?;
    Ok(after)
}

/// The job runner's part: starts the run of every tenant whose schedule is due, each
/// exactly once however many servers look (the settings row is locked and moved on to the
/// next day before the run starts), and with auto-issue issues and sends its drafts;
/// drafts with incomplete customer data stay drafts. Returns the runs started.
#[cfg(feature = "ssr")]
pub async fn run_scheduled(pool: &PgPool) -> Result<Vec<Uuid>, AppError> {
    use crate::domain::billing_schedule::{next_run_on, Schedule};
    let mut tx = pool.begin().await?;
    let due = repo::claim_due_schedules(&mut tx).await?;
    for tenant in &due {
        let schedule = Schedule::parse(&tenant.schedule).unwrap_or_default();
        let day = u32::try_from(tenant.schedule_day).unwrap_or(1);
        let next = tenant
            .today
            .succ_opt()
            .and_then(|tomorrow| next_run_on(schedule, day, tomorrow));
        repo::set_next_run(&mut tx, tenant.tenant_id, next).await?;
    }
    tx.commit().await?;
    let mut started = Vec::with_capacity(due.len());
    for tenant in due {
        // one tenant's failure (recorded on its run) does not hold up the others
        match run_for(pool, tenant.tenant_id, tenant.auto_issue).await {
            Ok(run) => started.push(run),
            Err(error) => {
                tracing::error!(tenant = %tenant.tenant_id, ?error, "scheduled billing run failed");
            }
        }
    }
    Ok(started)
}

#[cfg(feature = "ssr")]
async fn run_for(pool: &PgPool, tenant_id: Uuid, auto_issue: bool) -> Result<Uuid, AppError> {
    let actor = Actor::system(tenant_id, "Abrechnungsplan");
    let run = begin(pool, &actor, &RunRequest::default(), "schedule").await?;
    execute(pool, &actor, run).await?;
    if auto_issue {
        let mut tx = pool.begin().await?;
        let ids = crate::invoices::repo::draft_ids_of_run(&mut tx, tenant_id, run).await?;
        if !ids.is_empty() {
            let outcome = crate::invoices::api::issue(&mut tx, &actor, &ids, true).await?;
            tracing::info!(%run, issued = outcome.issued.len(), held = outcome.skipped.len(), "scheduled run issued");
        }
        tx.commit().await?;
    }
    Ok(run)
}

#[server(prefix = "/sf", endpoint = "billing/settings/load", input = Json, output = Json)]
pub async fn load_billing_settings() -> Result<BillingSettings, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::settings(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "billing/settings/save", input = Json, output = Json)]
pub async fn save_billing_settings(input: BillingSettings) -> Result<BillingSettings, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let saved = save_settings(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(saved)
        }
        .await,
    )
}
