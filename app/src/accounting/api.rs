use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::datev,
    crate::domain::Permission,
    crate::i18n::Key,
    chrono::NaiveDate,
    sqlx::PgConnection,
};

/// The period asked for: both dates typed, or the last full month; within one fiscal year
/// (DATEV reads the year of every booking from the batch's fiscal year).
#[cfg(feature = "ssr")]
fn period(
    input: &ExportPeriod,
    today: NaiveDate,
    fiscal_year_start: u32,
    lang: crate::i18n::Lang,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    use chrono::{Datelike, Months};
    let this_month = today.with_day(1).unwrap_or(today);
    let last_month = this_month
        .checked_sub_months(Months::new(1))
        .unwrap_or(this_month);
    let mut errors = crate::error::FieldErrors::default();
    let mut date = |field: &str, text: &str, default: NaiveDate| {
        if text.trim().is_empty() {
            return default;
        }
        crate::domain::format::parse_date(text).unwrap_or_else(|| {
            errors.add(field, Key::ErrDate.text(lang));
            default
        })
    };
    let from = date("from", &input.from, last_month);
    let to = date("to", &input.to, this_month.pred_opt().unwrap_or(this_month));
    if errors.is_empty() && to < from {
        errors.add("to", Key::InvoiceErrPeriodOrder.text(lang));
    }
    if errors.is_empty()
        && datev::fiscal_year_start(from, fiscal_year_start)
            != datev::fiscal_year_start(to, fiscal_year_start)
    {
        errors.add("to", Key::AccErrOneFiscalYear.text(lang));
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The DATEV batch of a period and what it holds; recorded in the audit log.
#[cfg(feature = "ssr")]
pub async fn datev_export(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &ExportPeriod,
) -> Result<(DatevSummary, Vec<u8>), AppError> {
    actor.require(Permission::ExportAccounting)?;
    let lang = actor.lang;
    let settings = crate::billing::repo::settings(conn, actor.tenant_id).await?;
    let (consultant, client) = match (
        settings.datev_consultant.parse::<u32>(),
        settings.datev_client.parse::<u32>(),
    ) {
        (Ok(consultant), Ok(client)) => (consultant, client),
        _ => {
            return Err(AppError::Conflict(
                Key::AccErrDatevNumbers.text(lang).to_owned(),
            ))
        }
    };
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let (from, to) = period(input, today, settings.fiscal_year_start, lang)?;
    let chart = settings.datev_chart;
    let found = repo::bookings(conn, actor.tenant_id, from, to, chart).await?;
    let currency: String = sqlx::query_scalar("select currency from tenants where id = $1")
        .bind(actor.tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    let batch = datev::Batch {
        consultant,
        client,
        fiscal_year_start: datev::fiscal_year_start(from, settings.fiscal_year_start),
        from,
        to,
        label: format!(
            "Kontor {} - {}",
            from.format("%d.%m.%Y"),
            to.format("%d.%m.%Y")
        ),
        created: chrono::Utc::now().naive_utc(),
        chart,
        currency,
    };
    let file = datev::render(&batch, &found.bookings);
    let summary = DatevSummary {
        from,
        to,
        invoices: found.invoices,
        credit_notes: found.credit_notes,
        payments: found.payments,
        bookings: found.bookings.len(),
        revenue_gross: found.revenue_gross,
        file_name: format!(
            "EXTF_Buchungsstapel_{}_{}.csv",
            from.format("%Y%m%d"),
            to.format("%Y%m%d")
        ),
    };
    record(
        conn,
        Event::by(
            actor,
            "accounting.datev_exported",
            "tenant",
            actor.tenant_id,
        )
        .change(None, serde_json::to_value(&summary).ok()),
    )
    .await?;
    Ok((summary, file))
}

/// What the export of a period would hold (nothing is written but the audit entry).
#[server(prefix = "/sf", endpoint = "accounting/datev/check", input = Json, output = Json)]
pub async fn check_datev_export(input: ExportPeriod) -> Result<DatevSummary, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ExportAccounting)?;
            let mut tx = pool()?.begin().await?;
            let (summary, _) = datev_export(&mut tx, &actor, &input).await?;
            // a look is not an export: the audit entry is for the download
            tx.rollback().await?;
            Ok(summary)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "accounting/revenue", input = Json, output = Json)]
pub async fn load_revenue_stats() -> Result<RevenueStats, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewRevenue)?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) =
                crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            Ok(repo::revenue_stats(&mut conn, actor.tenant_id, today).await?)
        }
        .await,
    )
}
