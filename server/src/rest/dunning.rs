//! Dunning over the API: `POST /dunning-runs` (run or preview) and the letters' PDFs.

use super::{parse_body, ApiActor, ApiError};
use crate::startup::AppState;
use app::auth::context::Actor;
use app::dunning::model::DunningRequest;
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dunning-runs", post(start))
        .route("/dunning-letters/{id}/pdf", get(pdf))
}

/// Runs dunning (or previews it with `dry_run`) and answers with the letters.
async fn start(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    actor.require(app::domain::Permission::ManageBilling)?;
    let request: DunningRequest = if body.is_empty() {
        DunningRequest::default()
    } else {
        parse_body(&body)?
    };
    let mut tx = state.pool.begin().await?;
    let outcome = app::dunning::api::run(&mut tx, &actor, &request).await?;
    tx.commit().await?;
    let status = if outcome.run_id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(outcome))))
}

async fn pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(stored_letter(&state, &actor, id).await?)
}

/// A dunning letter's PDF as written (also the browser's download link).
pub async fn stored_letter(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Response, AppError> {
    actor.require_invoice_reader()?;
    let mut conn = state.pool.acquire().await?;
    let (customer, date, content) =
        app::dunning::repo::letter_pdf(&mut conn, actor.tenant_id, id, actor.customer_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let customer: String = customer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"mahnung-{customer}-{date}.pdf\""),
            ),
        ],
        content,
    )
        .into_response())
}

/// The routes' part of `/api/v1/openapi.json`.
pub fn add_docs(doc: &mut Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let paths = json!({
        "/dunning-runs": { "post": { "summary": "Dun every overdue invoice (not collected by direct debit, customer not blocked): each moves up at most one level, one letter per customer with fee and §288 BGB interest, stored as PDF and queued as e-mail; `dry_run` only shows the letters (scope billing:write)",
            "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                "date": { "type": "string", "format": "date", "description": "key date, default today, not in the future" },
                "dry_run": { "type": "boolean", "default": false } } } } } },
            "responses": { "201": { "description": "The run with its letters" }, "200": { "description": "Preview (dry run) or nothing to dun" },
                "422": { "description": "Invalid date (field date)", "content": problem } } } },
        "/dunning-letters/{id}/pdf": { "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid }],
            "get": { "summary": "A dunning letter exactly as written (scope invoices:read)",
                "responses": { "200": { "description": "PDF", "content": { "application/pdf": {} } }, "404": { "description": "Not in this tenant" } } } },
    });
    super::docs::merge(doc, paths, json!({}));
}
