//! Project billing through the normal invoice lifecycle: each verb makes an invoice draft
//! (edited, issued, mailed like any other) and ties what it bills to it, so nothing is
//! billed twice; discarding the draft gives it back (foreign keys `on delete set null`).
//! - Time & material: unbilled billable time up to a day, one line per work package and
//!   rate, hours to two decimals, the period of the time as the line's period.
//! - Milestones: a reached or accepted milestone with an amount, as a partial invoice.
//! - Retainer: a month's fee, plus the hours beyond the included ones at the project's
//!   rate; the month is billed once (a unique index says so).

use super::model::ProjectBilling;
use crate::auth::context::Actor;
use crate::domain::format::date;
use crate::domain::tax::VatCategory;
use crate::error::AppError;
use crate::i18n::Key;
use crate::invoices::model::{DraftInput, DraftLineInput};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// The project as billing needs it, locked so two billings of it queue.
struct Billed {
    customer_id: Uuid,
    label: String,
    billing: ProjectBilling,
    hourly_rate: Option<Decimal>,
    retainer_hours: Decimal,
    retainer_fee: Decimal,
    default_rate: Decimal,
}

async fn project(conn: &mut PgConnection, actor: &Actor, id: Uuid) -> Result<Billed, AppError> {
    type Row = (
        Uuid,
        String,
        String,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
    );
    let row: Option<Row> =
        sqlx::query_as(
            "select p.customer_id, p.number || ' ' || p.name, p.billing_mode, p.hourly_rate, p.retainer_hours,
                    p.retainer_fee, s.default_rate
             from projects p left join project_settings s on s.tenant_id = p.tenant_id
             where p.tenant_id = $1 and p.id = $2 for update of p",
        )
        .bind(actor.tenant_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let (customer_id, label, billing, hourly_rate, retainer_hours, retainer_fee, default_rate) =
        row.ok_or(AppError::NotFound)?;
    Ok(Billed {
        customer_id,
        label,
        billing: ProjectBilling::parse(&billing).unwrap_or(ProjectBilling::TimeAndMaterial),
        hourly_rate,
        retainer_hours: retainer_hours.unwrap_or_default(),
        retainer_fee: retainer_fee.unwrap_or_default(),
        default_rate: default_rate.unwrap_or(Decimal::from(95)),
    })
}

fn line(
    description: String,
    quantity: Decimal,
    unit: &str,
    price: Decimal,
    period: Option<(NaiveDate, NaiveDate)>,
) -> DraftLineInput {
    DraftLineInput {
        id: None,
        description,
        quantity: quantity.normalize().to_string(),
        unit_code: unit.to_owned(),
        unit_price: price.normalize().to_string(),
        vat_category: VatCategory::Standard,
        period_start: period.map(|p| p.0.to_string()).unwrap_or_default(),
        period_end: period.map(|p| p.1.to_string()).unwrap_or_default(),
    }
}

fn hours(minutes: i64) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60)).round_dp(2)
}

/// Makes the draft and records what it bills.
async fn draft(
    conn: &mut PgConnection,
    actor: &Actor,
    project_id: Uuid,
    customer_id: Uuid,
    note: String,
    lines: Vec<DraftLineInput>,
    (kind, month): (&str, Option<NaiveDate>),
) -> Result<Uuid, AppError> {
    let invoice = crate::invoices::api::create_draft(
        conn,
        actor,
        &DraftInput {
            customer_id: Some(customer_id),
            note,
            lines,
        },
    )
    .await?;
    sqlx::query(
        "insert into project_invoices (invoice_id, tenant_id, project_id, kind, period_start) values ($1, $2, $3, $4, $5)",
    )
    .bind(invoice)
    .bind(actor.tenant_id)
    .bind(project_id)
    .bind(kind)
    .bind(month)
    .execute(&mut *conn)
    .await?;
    Ok(invoice)
}

/// Unbilled billable time up to `until` as a time & material invoice draft.
pub async fn bill_time(
    conn: &mut PgConnection,
    actor: &Actor,
    project_id: Uuid,
    until: NaiveDate,
) -> Result<Uuid, AppError> {
    let lang = actor.lang;
    let billed = project(conn, actor, project_id).await?;
    if billed.billing != ProjectBilling::TimeAndMaterial {
        return Err(AppError::Conflict(
            Key::ProjErrNotTimeBilled.text(lang).to_owned(),
        ));
    }
    let groups: Vec<(Option<String>, Decimal, i64, NaiveDate, NaiveDate, i64)> = sqlx::query_as(
        "select w.name, e.rate, sum(e.minutes)::bigint, min(e.work_date), max(e.work_date), count(*)
         from time_entries e left join work_packages w on w.id = e.work_package_id
         where e.tenant_id = $1 and e.project_id = $2 and e.billable and e.invoice_id is null and e.work_date <= $3
         group by w.position, w.name, e.rate
         order by w.position nulls first, w.name, e.rate",
    )
    .bind(actor.tenant_id)
    .bind(project_id)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    if groups.is_empty() {
        return Err(AppError::Conflict(
            Key::ProjErrNothingToBill.fill(lang, &[("date", &date(until, lang))]),
        ));
    }
    let lines = groups
        .iter()
        .map(|(package, rate, minutes, from, to, count)| {
            let what = package
                .clone()
                .unwrap_or_else(|| Key::ProjServices.text(lang).to_owned());
            let description = Key::ProjTimeLine.fill(
                lang,
                &[
                    ("project", &billed.label),
                    ("what", &what),
                    ("count", &count.to_string()),
                ],
            );
            line(
                description,
                hours(*minutes),
                "HUR",
                *rate,
                Some((*from, *to)),
            )
        })
        .collect();
    let note = Key::ProjTimeNote.fill(
        lang,
        &[("project", &billed.label), ("date", &date(until, lang))],
    );
    let invoice = draft(
        conn,
        actor,
        project_id,
        billed.customer_id,
        note,
        lines,
        ("time", None),
    )
    .await?;
    sqlx::query(
        "update time_entries set invoice_id = $3
         where tenant_id = $1 and project_id = $2 and billable and invoice_id is null and work_date <= $4",
    )
    .bind(actor.tenant_id)
    .bind(project_id)
    .bind(invoice)
    .bind(until)
    .execute(&mut *conn)
    .await?;
    Ok(invoice)
}

/// A reached or accepted milestone with an amount as a partial invoice draft.
pub async fn bill_milestone(
    conn: &mut PgConnection,
    actor: &Actor,
    milestone_id: Uuid,
) -> Result<Uuid, AppError> {
    let lang = actor.lang;
    type Row = (Uuid, String, Option<Decimal>, String, Option<Uuid>);
    let row: Option<Row> = sqlx::query_as(
        "select project_id, name, amount, status, invoice_id from milestones
         where tenant_id = $1 and id = $2 for update",
    )
    .bind(actor.tenant_id)
    .bind(milestone_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (project_id, name, amount, status, invoice) = row.ok_or(AppError::NotFound)?;
    if invoice.is_some() {
        return Err(AppError::Conflict(
            Key::ProjErrMilestoneBilled.text(lang).to_owned(),
        ));
    }
    if status == "open" {
        return Err(AppError::Conflict(
            Key::ProjErrMilestoneOpen.text(lang).to_owned(),
        ));
    }
    let amount = amount
        .filter(|a| *a > Decimal::ZERO)
        .ok_or_else(|| AppError::Conflict(Key::ProjErrMilestoneAmount.text(lang).to_owned()))?;
    let billed = project(conn, actor, project_id).await?;
    let description =
        Key::ProjMilestoneLine.fill(lang, &[("milestone", &name), ("project", &billed.label)]);
    let invoice = draft(
        conn,
        actor,
        project_id,
        billed.customer_id,
        String::new(),
        vec![line(description, Decimal::ONE, "LS", amount, None)],
        ("milestone", None),
    )
    .await?;
    sqlx::query("update milestones set invoice_id = $2 where id = $1")
        .bind(milestone_id)
        .bind(invoice)
        .execute(&mut *conn)
        .await?;
    Ok(invoice)
}

/// A retainer month: the fee, and the month's billable hours beyond the included ones.
pub async fn bill_retainer(
    conn: &mut PgConnection,
    actor: &Actor,
    project_id: Uuid,
    month: NaiveDate,
) -> Result<Uuid, AppError> {
    let lang = actor.lang;
    let billed = project(conn, actor, project_id).await?;
    if billed.billing != ProjectBilling::Retainer {
        return Err(AppError::Conflict(
            Key::ProjErrNotRetainer.text(lang).to_owned(),
        ));
    }
    let first = month.with_day(1).unwrap_or(month);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let taken: bool = sqlx::query_scalar(
        "select exists (select 1 from project_invoices where project_id = $1 and kind = 'retainer' and period_start = $2)",
    )
    .bind(project_id)
    .bind(first)
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(AppError::Conflict(Key::ProjErrMonthBilled.fill(
            lang,
            &[("month", &crate::domain::format::month(first, lang))],
        )));
    }
    let minutes: i64 = sqlx::query_scalar(
        "select coalesce(sum(minutes), 0)::bigint from time_entries
         where tenant_id = $1 and project_id = $2 and billable and invoice_id is null and work_date between $3 and $4",
    )
    .bind(actor.tenant_id)
    .bind(project_id)
    .bind(first)
    .bind(last)
    .fetch_one(&mut *conn)
    .await?;
    let month_name = crate::domain::format::month(first, lang);
    let mut lines = vec![line(
        Key::ProjRetainerLine.fill(
            lang,
            &[
                ("project", &billed.label),
                ("month", &month_name),
                ("hours", &billed.retainer_hours.normalize().to_string()),
            ],
        ),
        Decimal::ONE,
        "MON",
        billed.retainer_fee,
        Some((first, last)),
    )];
    let extra = hours(minutes) - billed.retainer_hours;
    if extra > Decimal::ZERO {
        lines.push(line(
            Key::ProjOverageLine.fill(lang, &[("month", &month_name)]),
            extra,
            "HUR",
            billed.hourly_rate.unwrap_or(billed.default_rate),
            Some((first, last)),
        ));
    }
    let invoice = draft(
        conn,
        actor,
        project_id,
        billed.customer_id,
        String::new(),
        lines,
        ("retainer", Some(first)),
    )
    .await?;
    sqlx::query(
        "update time_entries set invoice_id = $3
         where tenant_id = $1 and project_id = $2 and billable and invoice_id is null and work_date between $4 and $5",
    )
    .bind(actor.tenant_id)
    .bind(project_id)
    .bind(invoice)
    .bind(first)
    .bind(last)
    .execute(&mut *conn)
    .await?;
    Ok(invoice)
}
