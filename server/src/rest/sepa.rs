//! SEPA direct debit over the API: a customer's mandates (`/customers/{id}/mandates`,
//! `/mandates/{id}`), and the collection files (`/direct-debits`): preview, export as
//! pain.008.001.08, list and download again.

use super::{idempotent, parse_body, ApiActor, ApiError};
use crate::startup::AppState;
use app::auth::context::Actor;
use app::error::AppError;
use app::sepa::model::MandateInput;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/customers/{id}/mandates",
            get(list_mandates).post(create_mandate),
        )
        .route("/mandates/{id}", axum::routing::patch(amend_mandate))
        .route("/mandates/{id}/revoke", post(revoke_mandate))
        .route("/direct-debits", get(list_files).post(export))
        .route("/direct-debits/preview", get(preview))
        .route("/direct-debits/{id}/xml", get(download))
}

async fn list_mandates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer_id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let items = app::sepa::api::mandates_of(&mut conn, &actor, customer_id).await?;
    Ok(Json(json!({ "items": items, "next": null })))
}

async fn create_mandate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer_id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(app::domain::Permission::ManageBilling)?;
    let input: MandateInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let mandate = app::sepa::api::create(conn, &who, customer_id, &input).await?;
            Ok((StatusCode::CREATED, json!(mandate)))
        })
    })
    .await
}

/// Fields left out of the body keep their stored value.
async fn amend_mandate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    actor.require(app::domain::Permission::ManageBilling)?;
    let mut tx = state.pool.begin().await?;
    let stored = stored_input(&mut tx, &actor, id).await?;
    let input: MandateInput = super::patched(&stored, &body)?;
    let mandate = app::sepa::api::amend(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(Json(json!(mandate)))
}

async fn stored_input(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<MandateInput, ApiError> {
    let (today, _) = app::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let mandate = app::sepa::repo::lock_mandate(conn, actor.tenant_id, id, today)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MandateInput {
        reference: mandate.reference,
        signed_on: mandate.signed_on.to_string(),
        scheme: mandate.scheme.code().to_owned(),
        account_holder: mandate.account_holder,
        iban: mandate.iban,
        bic: mandate.bic.unwrap_or_default(),
    })
}

async fn revoke_mandate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let mandate = app::sepa::api::revoke(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok(Json(json!(mandate)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportBody {
    collection_date: String,
}

/// Exports every direct-debit invoice due by the date into one file and answers with it.
/// Not keyed for idempotency: a repeated request finds nothing left to collect (422), and
/// the file stays downloadable from its `Location`.
async fn export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: ExportBody = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    let (file, content) = app::sepa::api::export(&mut tx, &actor, &body.collection_date).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                header::LOCATION,
                format!("/api/v1/direct-debits/{}/xml", file.id),
            ),
            (
                header::CONTENT_DISPOSITION,
                attachment(file.collection_date, &file.message_id),
            ),
        ],
        content,
    )
        .into_response())
}

fn attachment(collection_date: chrono::NaiveDate, message_id: &str) -> String {
    let short: String = message_id.chars().take(8).collect();
    format!("attachment; filename=\"lastschriften-{collection_date}-{short}.xml\"")
}

#[derive(serde::Deserialize)]
struct PreviewParams {
    #[serde(default)]
    collection_date: String,
}

async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<PreviewParams>,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let preview = app::sepa::api::preview(&mut conn, &actor, &params.collection_date).await?;
    Ok(Json(json!(preview)))
}

async fn list_files(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let items = app::sepa::api::files_of(&mut conn, &actor).await?;
    Ok(Json(json!({ "items": items, "next": null })))
}

async fn download(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(stored_file(&state, &actor, id).await?)
}

/// A stored collection file, byte for byte (also the browser's download link).
pub async fn stored_file(state: &AppState, actor: &Actor, id: Uuid) -> Result<Response, AppError> {
    actor.require_staff(app::domain::Permission::ManageBilling)?;
    let mut conn = state.pool.acquire().await?;
    let (date, content) = app::sepa::repo::file_content(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                attachment(date, &id.simple().to_string()),
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
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid }]);
    let mandate_input = json!({ "type": "object", "properties": {
        "reference": { "type": "string", "maxLength": 35, "description": "empty: {customer number}-{n}" },
        "signed_on": { "type": "string", "format": "date" },
        "scheme": { "type": "string", "enum": ["CORE", "B2B"] },
        "account_holder": { "type": "string", "maxLength": 70 },
        "iban": { "type": "string" }, "bic": { "type": "string", "description": "optional" } } });
    let paths = json!({
        "/customers/{id}/mandates": { "parameters": id,
            "get": { "summary": "The customer's SEPA mandates, the active one first, with next sequence (FRST/RCUR), expiry and pending amendment (scope invoices:read; portal: own customer only)",
                "responses": { "200": { "description": "{ items: [Mandate] }" } } },
            "post": { "summary": "Record a signed mandate; at most one active per customer. Invoices issued from now on are paid by direct debit (scope billing:write)",
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                "requestBody": { "content": { "application/json": { "schema": mandate_input } } },
                "responses": { "201": { "description": "The mandate" },
                    "422": { "description": "Invalid field (reference, signed_on, scheme, account_holder, iban, bic), reference taken, or an active mandate exists", "content": problem } } } },
        "/mandates/{id}": { "parameters": id, "patch": { "summary": "Amend an active mandate; after its first collection a new reference or account is reported to the bank with the next collection, and scheme and signature date are fixed (scope billing:write)",
            "requestBody": { "content": { "application/json": { "schema": mandate_input } } },
            "responses": { "200": { "description": "The mandate" }, "409": { "description": "Revoked", "content": problem }, "422": { "description": "Invalid field", "content": problem } } } },
        "/mandates/{id}/revoke": { "parameters": id, "post": { "summary": "Revoke a mandate: later invoices are paid by transfer, issued ones under it are no longer collected (scope billing:write)",
            "responses": { "200": { "description": "The mandate" }, "409": { "description": "Already revoked", "content": problem } } } },
        "/direct-debits": {
            "get": { "summary": "Exported collection files, newest first (scope billing:write)", "responses": { "200": { "description": "{ items: [...] }" } } },
            "post": { "summary": "Collect every direct-debit invoice due by collection_date (a TARGET business day, at least the next one) in one pain.008.001.08 file, grouped by scheme and sequence type; each invoice is collected once and the mandates move from FRST to RCUR (scope billing:write)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "required": ["collection_date"], "properties": { "collection_date": { "type": "string", "format": "date" } } } } } },
                "responses": { "201": { "description": "The pain.008 file; Location names its download", "content": { "application/xml": {} } },
                    "409": { "description": "Creditor id or IBAN missing in the tenant settings", "content": problem },
                    "422": { "description": "Date too early or not a business day, or nothing due (field collection_date)", "content": problem } } } },
        "/direct-debits/preview": { "get": { "summary": "What a file on collection_date (default: earliest possible) would collect, and what is held back and why (scope billing:write)",
            "parameters": [{ "name": "collection_date", "in": "query", "schema": { "type": "string", "format": "date" } }],
            "responses": { "200": { "description": "{ collection_date, earliest_date, items, total, held_back }" } } } },
        "/direct-debits/{id}/xml": { "parameters": id, "get": { "summary": "An exported file exactly as handed out (scope billing:write)",
            "responses": { "200": { "description": "pain.008.001.08", "content": { "application/xml": {} } }, "404": { "description": "Not in this tenant" } } } },
    });
    super::docs::merge(doc, paths, json!({}));
}
