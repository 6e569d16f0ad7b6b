//! Accounting over the API: `GET /exports/datev?from=&to=` (the DATEV booking batch),
//! `GET /billing-settings` and `PUT` (schedule, auto-issue, four-eyes, DATEV numbers) and
//! `GET /revenue-stats` (MRR, revenue per month, customer and product, churn, renewals).

use super::{parse_body, ApiActor, ApiError};
use crate::startup::AppState;
use app::accounting::model::ExportPeriod;
use app::auth::context::Actor;
use app::billing::model::BillingSettings;
use app::domain::Permission;
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exports/datev", get(datev))
        .route("/billing-settings", get(settings).put(save_settings))
        .route("/revenue-stats", get(revenue))
}

async fn datev(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(period): Query<ExportPeriod>,
) -> Result<Response, ApiError> {
    Ok(datev_file(&state, &actor, &period).await?)
}

/// The batch as a Windows-1252 CSV download; the export is recorded in the audit log.
pub async fn datev_file(
    state: &AppState,
    actor: &Actor,
    period: &ExportPeriod,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    let (summary, file) = app::accounting::api::datev_export(&mut tx, actor, period).await?;
    tx.commit().await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/csv; charset=windows-1252".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", summary.file_name),
            ),
        ],
        file,
    )
        .into_response())
}

async fn settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    let mut conn = state.pool.acquire().await?;
    let settings = app::billing::repo::settings(&mut conn, actor.tenant_id).await?;
    Ok(Json(json!(settings)))
}

async fn save_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input: BillingSettings = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    let saved = app::billing::api::save_settings(&mut tx, &actor, &input).await?;
    tx.commit().await?;
    Ok(Json(json!(saved)))
}

async fn revenue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewRevenue)?;
    let mut conn = state.pool.acquire().await?;
    let (today, _) = app::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let stats = app::accounting::repo::revenue_stats(&mut conn, actor.tenant_id, today).await?;
    Ok(Json(json!(stats)))
}

pub fn add_docs(doc: &mut Value) {
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let date = json!({ "type": "string", "format": "date" });
    let paths = json!({
        "/exports/datev": { "get": { "summary": "DATEV booking batch (EXTF Buchungsstapel, format 13, Windows-1252) of a period within one fiscal year: issued invoices and credit notes per VAT group (debtor 10000+customer number against SKR03/SKR04 revenue accounts), payments (bank against debtor, invoice number in Belegfeld 1). Recorded in the audit log (scope accounting:export)",
            "parameters": [{ "name": "from", "in": "query", "schema": date, "description": "default: first day of last month" },
                           { "name": "to", "in": "query", "schema": date, "description": "default: last day of last month" }],
            "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } },
                "409": { "description": "DATEV consultant or client number missing in the billing settings", "content": problem },
                "422": { "description": "Bad dates, or the period spans two fiscal years (fields from, to)", "content": problem } } } },
        "/billing-settings": {
            "get": { "summary": "Schedule of billing runs (off, daily, weekly, monthly and the day), auto-issue, four-eyes for credit notes, DATEV numbers (scope invoices:read)",
                "responses": { "200": { "description": "The settings with next_run_on" } } },
            "put": { "summary": "Change the billing settings (scope billing:write)",
                "responses": { "200": { "description": "The settings as stored" },
                    "422": { "description": "Fields schedule_day, datev_consultant, datev_client, fiscal_year_start", "content": problem } } } },
        "/revenue-stats": { "get": { "summary": "MRR and ARR of running contracts, net revenue per month (12 months), top customers and products, contracts ended per month, renewals in the next 90 days (scope reports:read)",
            "responses": { "200": { "description": "The figures" } } } },
    });
    super::docs::merge(doc, paths, json!({}));
}
