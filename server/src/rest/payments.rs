//! Payments over the API: `/payments` (list, record by hand, assign from the review list),
//! `/bank-statements` (a camt.053 file, matched against the open invoices) and
//! `/open-items` (with the receivables summary).

use super::{idempotent, parse_body, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::receivables::AgingBucket;
use app::domain::Permission;
use app::payments::model::{
    AssignInput, OpenItemFilter, PaymentFilter, PaymentInput, PaymentStatus,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payments", get(list).post(record))
        .route("/payments/{id}/assign", post(assign))
        .route("/bank-statements", post(import))
        .route("/open-items", get(open_items))
}

#[derive(serde::Deserialize)]
struct PaymentParams {
    status: Option<String>,
    customer_id: Option<Uuid>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<PaymentParams>,
    Query(paging): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageBilling)?;
    let status = match params.status.as_deref() {
        None => None,
        Some(text) => Some(PaymentStatus::parse(text).ok_or_else(|| {
            app::error::AppError::field("status", "allocated, unmatched or ignored")
        })?),
    };
    let filter = PaymentFilter {
        status,
        customer_id: params.customer_id,
    };
    let request = paging.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let page =
        app::payments::repo::list(&mut conn, actor.tenant_id, &filter, None, &request).await?;
    let customer = params.customer_id.map(|c| c.to_string());
    let next = ListParams::next(
        "payments",
        &request,
        &page,
        &[
            ("status", params.status.as_deref()),
            ("customer_id", customer.as_deref()),
        ],
    );
    Ok(Json(
        json!({ "items": page.items, "total": page.total, "next": next }),
    ))
}

async fn record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageBilling)?;
    let input: PaymentInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let id = app::payments::api::record_payment(conn, &who, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

async fn assign(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input: AssignInput = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    app::payments::api::assign(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(Json(json!({ "id": id, "assigned": true })))
}

/// The body is the camt.053 XML itself; importing the same file again changes nothing.
async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut tx = state.pool.begin().await?;
    let outcome = app::payments::api::import_statement(&mut tx, &actor, &body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!(outcome))))
}

#[derive(serde::Deserialize)]
struct OpenItemParams {
    customer_id: Option<Uuid>,
    bucket: Option<String>,
}

async fn open_items(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<OpenItemParams>,
    Query(paging): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    let bucket = match params.bucket.as_deref() {
        None => None,
        Some(text) => Some(AgingBucket::parse(text).ok_or_else(|| {
            app::error::AppError::field(
                "bucket",
                "not_due, days_1_30, days_31_60, days_61_90 or over_90",
            )
        })?),
    };
    let request = paging.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let (today, _) = app::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let filter = OpenItemFilter {
        customer_id: params.customer_id,
        bucket,
    };
    let page = app::payments::repo::open_items(
        &mut conn,
        actor.tenant_id,
        today,
        &filter,
        actor.customer_id,
        &request,
    )
    .await?;
    let summary = app::payments::api::receivables_of(&mut conn, &actor).await?;
    let customer = params.customer_id.map(|c| c.to_string());
    let next = ListParams::next(
        "open-items",
        &request,
        &page,
        &[
            ("customer_id", customer.as_deref()),
            ("bucket", params.bucket.as_deref()),
        ],
    );
    Ok(Json(
        json!({ "items": page.items, "total": page.total, "next": next, "summary": summary }),
    ))
}

/// The routes' part of `/api/v1/openapi.json`.
pub fn add_docs(doc: &mut Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let paging = json!([{ "name": "limit", "in": "query", "schema": { "type": "integer" } }, { "name": "cursor", "in": "query", "schema": { "type": "string" } }]);
    let paths = json!({
        "/payments": {
            "get": { "summary": "Payments received and returned direct debits, newest first, with their allocations (scope billing:write)",
                "parameters": [{ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["allocated", "unmatched", "ignored"] } },
                    { "name": "customer_id", "in": "query", "schema": uuid }, paging[0], paging[1]],
                "responses": { "200": { "description": "One page of payments" } } },
            "post": { "summary": "Record a payment by hand: to the invoices named (oldest first), the rest to the customer's credit (scope billing:write)",
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "invoice_numbers": { "type": "string" }, "customer_id": uuid, "received_on": { "type": "string", "format": "date" },
                    "amount": { "type": "string" }, "method": { "type": "string", "enum": ["transfer", "cash", "other"] }, "note": { "type": "string" } } } } } },
                "responses": { "201": { "description": "{ id }" }, "422": { "description": "Invalid field (invoice_numbers, received_on, amount, method, customer_id)", "content": problem } } } },
        "/payments/{id}/assign": { "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid }],
            "post": { "summary": "Settle a payment from the review list: to invoices and/or a customer's credit, or `ignore` (scope billing:write)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "invoice_numbers": { "type": "string" }, "customer_id": uuid, "ignore": { "type": "boolean" } } } } } },
                "responses": { "200": { "description": "Assigned" }, "409": { "description": "Not in the review list", "content": problem }, "422": { "description": "Unknown invoice or customer", "content": problem } } } },
        "/bank-statements": { "post": { "summary": "Import a camt.053 statement (the XML as body): booked entries not seen before become payments, matched by direct-debit reference, invoice number in the remittance or a unique amount; the rest waits for review (scope billing:write)",
            "requestBody": { "content": { "application/xml": {} } },
            "responses": { "201": { "description": "{ statement_ids, entries, allocated, unmatched, known, ignored, received }" },
                "422": { "description": "Not a camt.053 file (field file)", "content": problem } } } },
        "/open-items": { "get": { "summary": "Issued invoices with an amount open, oldest due first, and the receivables summary (aging buckets, DSO, customers' credit) (scope invoices:read)",
            "parameters": [{ "name": "customer_id", "in": "query", "schema": uuid },
                { "name": "bucket", "in": "query", "schema": { "type": "string", "enum": ["not_due", "days_1_30", "days_31_60", "days_61_90", "over_90"] } }, paging[0], paging[1]],
            "responses": { "200": { "description": "{ items, next, summary }" } } } },
    });
    super::docs::merge(doc, paths, json!({}));
}
