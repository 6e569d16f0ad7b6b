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
