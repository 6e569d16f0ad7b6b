//! Quotes over the API: `GET/POST /quotes`, `GET /quotes/{id}`, `POST /quotes/{id}/send`,
//! `POST /quotes/{id}/accept` (opens the project) and `POST /quotes/{id}/decline`; the PDF
//! of a sent version at `GET /quotes/{id}/versions/{version}/pdf`.

use super::{idempotent, parse_body, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::auth::context::Actor;
use app::domain::Permission;
use app::error::AppError;
use app::quotes::model::{QuoteFilter, QuoteInput, QuoteStatus};
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
        .route("/quotes", get(list_quotes).post(create_quote))
        .route("/quotes/{id}", get(get_quote))
        .route("/quotes/{id}/send", post(send_quote))
        .route("/quotes/{id}/accept", post(accept_quote))
        .route("/quotes/{id}/decline", post(decline_quote))
        .route("/quotes/{id}/versions/{version}/pdf", get(api_pdf))
}

#[derive(serde::Deserialize)]
struct QuoteQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    status: Option<String>,
    customer_id: Option<Uuid>,
}

async fn list_quotes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<QuoteQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewQuotes)?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(QuoteStatus::parse(text).ok_or_else(|| {
            AppError::field("status", "must be one of draft, sent, accepted, declined")
        })?),
    };
    let filter = QuoteFilter {
        status,
        customer_id: query.customer_id,
    };
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("number", query.q.clone().unwrap_or_default())?;
    let mut conn = state.pool.acquire().await?;
    let (today, _) = app::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let quotes = app::quotes::repo::list(&mut conn, actor.tenant_id, &filter, &page, today).await?;
    let customer = query.customer_id.map(|c| c.to_string());
    let filters = [
        ("q", query.q.as_deref()),
        ("status", query.status.as_deref()),
        ("customer_id", customer.as_deref()),
    ];
    let next = ListParams::next("quotes", &page, &quotes, &filters);
    Ok(Json(
        json!({ "items": quotes.items, "total": quotes.total, "next": next }),
    ))
}

/// Creates a draft quote (version 1) with the next quote number.
async fn create_quote(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageQuotes)?;
    let input: QuoteInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let (id, number) = app::quotes::api::create(conn, &who, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id, "number": number })))
        })
    })
    .await
}

#[derive(serde::Deserialize)]
struct VersionQuery {
    version: Option<i32>,
}

async fn get_quote(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    Query(query): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let quote = app::quotes::api::detail(&mut conn, &actor, id, query.version).await?;
    Ok(Json(json!(quote)))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SendBody {
    /// Queue the e-mail with the PDF to the customer's invoice address.
    email: bool,
}

async fn send_quote(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: SendBody = if body.is_empty() {
        SendBody::default()
    } else {
        parse_body(&body)?
    };
    let mut tx = state.pool.begin().await?;
    let recipient = app::quotes::api::send(&mut tx, &actor, id, request.email).await?;
    tx.commit().await?;
    Ok(Json(json!({ "recipient": recipient })))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AcceptBody {
    /// Positions of the optional items the customer takes.
    options: Vec<i32>,
}

/// Accepts the latest sent version on the customer's word; the project opens with the
/// quoted plan. Idempotent with a key: a retry answers the same project.
async fn accept_quote(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: AcceptBody = if body.is_empty() {
        AcceptBody::default()
    } else {
        parse_body(&body)?
    };
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let (project, number) =
                app::quotes::api::accept(conn, &who, id, &request.options).await?;
            Ok((
                StatusCode::CREATED,
                json!({ "project_id": project, "project_number": number }),
            ))
        })
    })
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DeclineBody {
    reason: String,
}

async fn decline_quote(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: DeclineBody = if body.is_empty() {
        DeclineBody::default()
    } else {
        parse_body(&body)?
    };
    let mut tx = state.pool.begin().await?;
    app::quotes::api::decline(&mut tx, &actor, id, &request.reason).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, version)): Path<(Uuid, i32)>,
) -> Result<Response, ApiError> {
    Ok(stored_pdf(&state, &actor, id, version).await?)
}

/// The PDF of a sent version exactly as it went out: staff with `ViewQuotes`, portal
/// users their own customer's.
pub async fn stored_pdf(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<Response, AppError> {
    match actor.customer_id {
        Some(_) => actor.require(Permission::ViewOwnQuotes)?,
        None => actor.require(Permission::ViewQuotes)?,
    }
    let mut conn = state.pool.acquire().await?;
    let (name, content) =
        app::quotes::repo::pdf(&mut conn, actor.tenant_id, id, version, actor.customer_id)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.pdf\""),
            ),
        ],
        content,
    )
        .into_response())
}

pub fn add_docs(doc: &mut Value) {
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let uuid = json!({ "type": "string", "format": "uuid" });
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid }]);
    let invalid = json!({ "description": "Invalid input, named per field", "content": problem });
    let conflict = json!({ "description": "Not possible in the quote's state (e.g. already decided, not sent, expired for the portal)", "content": problem });
    let idempotency =
        json!({ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string" } });
    let item = json!({ "type": "object", "properties": {
        "kind": { "type": "string", "enum": ["hours", "fixed"], "default": "hours" },
        "title": { "type": "string" }, "description": { "type": "string" }, "job_role_id": uuid,
        "quantity": { "type": "string", "description": "Hours, or pieces of a fixed item", "examples": ["12.5", "12,5"] },
        "unit_price": { "type": "string", "description": "Rate per hour or price per piece" },
        "optional": { "type": "boolean", "default": false } } });
    let quote_input = json!({ "type": "object", "required": ["customer_id", "title", "items"], "properties": {
        "customer_id": uuid, "title": { "type": "string" },
        "billing": { "type": "string", "enum": ["fixed_price", "time_and_material"], "default": "fixed_price" },
        "manager_id": uuid, "intro": { "type": "string" },
        "valid_until": { "type": "string", "format": "date", "description": "Default: 30 days from today" },
        "items": { "type": "array", "items": item } } });
    let paths = json!({
        "/quotes": {
            "get": { "summary": "Quotes, newest number first, with status, latest version, validity and net (scope quotes:read)",
                "parameters": [
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                    { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                    { "name": "q", "in": "query", "schema": { "type": "string" } },
                    { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["draft", "sent", "accepted", "declined"] } },
                    { "name": "customer_id", "in": "query", "schema": uuid } ],
                "responses": { "200": { "description": "One page: items, total, next" } } },
            "post": { "summary": "Create a draft quote with the next quote number (scope quotes:write)", "parameters": [idempotency.clone()],
                "requestBody": { "required": true, "content": { "application/json": { "schema": quote_input } } },
                "responses": { "201": { "description": "id and number" }, "422": invalid } },
        },
        "/quotes/{id}": {
            "parameters": id,
            "get": { "summary": "A quote at its latest (or `?version=`) version: items, sums with VAT, versions, decision (scope quotes:read)",
                "responses": { "200": { "description": "The quote" }, "404": { "description": "Not in this tenant" } } },
        },
        "/quotes/{id}/send": {
            "parameters": id,
            "post": { "summary": "Freeze the draft version with its PDF; with `email: true` queue it to the customer (scope quotes:write)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "email": { "type": "boolean" } } } } } },
                "responses": { "200": { "description": "recipient (null when not mailed)" }, "409": conflict } },
        },
        "/quotes/{id}/accept": {
            "parameters": [id[0].clone(), idempotency],
            "post": { "summary": "Accept the latest sent version with the optional items at `options`: opens the project with a work package per item, planned hours and money from the quote (scope quotes:write)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "options": { "type": "array", "items": { "type": "integer" } } } } } } },
                "responses": { "201": { "description": "project_id and project_number" }, "409": conflict, "422": invalid } },
        },
        "/quotes/{id}/decline": {
            "parameters": id,
            "post": { "summary": "Record that the customer declined, with a reason (scope quotes:write)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string" } } } } } },
                "responses": { "204": { "description": "Declined" }, "409": conflict } },
        },
        "/quotes/{id}/versions/{version}/pdf": {
            "parameters": [id[0].clone(), { "name": "version", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "get": { "summary": "The PDF of a sent version, byte for byte as it went out (scope quotes:read)",
                "responses": { "200": { "description": "application/pdf" }, "404": { "description": "No such sent version" } } },
        },
    });
    super::docs::merge(doc, paths, json!({}));
}
