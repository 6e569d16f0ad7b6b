//! `/api/v1/billing-runs` (start a run or a preview and read its result) and
//! `/api/v1/invoices` (list, read, finalize, credit notes, the stored e-invoice XML).

use super::{parse_body, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::billing::model::RunRequest;
use app::domain::Permission;
use app::error::AppError;
use app::invoices::model::{DraftInput, InvoiceFilter, InvoiceStatus};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/billing-runs", get(list_runs).post(start_run))
        .route("/billing-runs/{id}", get(get_run))
        .route("/invoices", get(list_invoices).post(create_draft))
        .route(
            "/invoices/{id}",
            get(get_invoice).put(save_draft).delete(discard_draft),
        )
        .route("/invoices/{id}/approve", post(approve))
        .route("/invoices/{id}/finalize", post(finalize))
        .route("/invoices/{id}/credit-notes", post(credit_note))
        .route("/invoices/{id}/xml", get(xml))
        .route("/invoices/{id}/pdf", get(pdf))
        .route("/invoices/{id}/deliveries", get(deliveries))
        .route("/invoices/{id}/send", post(send))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    #[serde(default)]
    date: String,
    #[serde(default)]
    dry_run: bool,
}

/// Runs billing to the end and answers with the run's summary (201).
async fn start_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    actor.require(Permission::ManageBilling)?;
    let body: RunBody = if body.is_empty() {
        RunBody {
            date: String::new(),
            dry_run: false,
        }
    } else {
        parse_body(&body)?
    };
    let request = RunRequest {
        run_date: body.date,
        preview: body.dry_run,
    };
    let id = app::billing::api::begin(&state.pool, &actor, &request, "api").await?;
    app::billing::api::execute(&state.pool, &actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(run_body(&state, &actor, id).await?),
    ))
}

async fn run_body(
    state: &AppState,
    actor: &app::auth::context::Actor,
    id: Uuid,
) -> Result<Value, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let run = app::billing::repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(
        json!({ "run": run, "links": { "invoices": format!("/api/v1/invoices?billing_run_id={id}") } }),
    )
}

async fn get_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    Ok(Json(run_body(&state, &actor, id).await?))
}

async fn list_runs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(list): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    let page = list.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let result = app::billing::repo::list(&mut conn, actor.tenant_id, &page).await?;
    let next = ListParams::next("billing-runs", &page, &result, &[]);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

#[derive(serde::Deserialize)]
pub struct InvoiceQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    status: Option<String>,
    customer_id: Option<Uuid>,
    billing_run_id: Option<Uuid>,
    q: Option<String>,
}

async fn list_invoices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<InvoiceQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    let status =
        match query.status.as_deref() {
            None | Some("") => None,
            Some(text) => Some(InvoiceStatus::parse(text).ok_or_else(|| {
                AppError::field("status", "must be one of preview, draft, issued")
            })?),
        };
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let page = list.page("", query.q.clone().unwrap_or_default())?;
    let filter = InvoiceFilter {
        status,
        customer_id: query.customer_id,
        billing_run_id: query.billing_run_id,
    };
    let mut conn = state.pool.acquire().await?;
    let result =
        app::invoices::repo::list(&mut conn, actor.tenant_id, &filter, None, &page).await?;
    let customer = query.customer_id.map(|id| id.to_string());
    let run = query.billing_run_id.map(|id| id.to_string());
    let next = ListParams::next(
        "invoices",
        &page,
        &result,
        &[
            ("status", query.status.as_deref()),
            ("customer_id", customer.as_deref()),
            ("billing_run_id", run.as_deref()),
            ("q", query.q.as_deref()),
        ],
    );
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn get_invoice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInvoices)?;
    let mut conn = state.pool.acquire().await?;
    let invoice = app::invoices::repo::load(&mut conn, actor.tenant_id, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!(invoice)))
}

/// Issues a draft: number, date, stored XML (200 with the issued invoice).
async fn finalize(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let mut tx = state.pool.begin().await?;
    app::invoices::api::issue(&mut tx, &actor, &[id], false).await?;
    let invoice = app::invoices::repo::load(&mut tx, actor.tenant_id, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(json!(invoice)))
}

/// A credit-note draft (201); finalize it like an invoice. Without a body it takes the
/// invoice back in full; a body (`note`, `lines`) makes it a partial credit note.
async fn credit_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut tx = state.pool.begin().await?;
    let note = app::invoices::api::credit(&mut tx, &actor, id).await?;
    if !body.is_empty() {
        let input: DraftInput = parse_body(&body)?;
        app::invoices::api::save_draft(&mut tx, &actor, note, &input).await?;
    }
    let invoice = invoice_json(&mut tx, &actor, note).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(invoice)))
}

async fn invoice_json(
    conn: &mut sqlx::PgConnection,
    actor: &app::auth::context::Actor,
    id: Uuid,
) -> Result<Value, ApiError> {
    let invoice = app::invoices::repo::load(conn, actor.tenant_id, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json!(invoice))
}

/// A manual invoice draft (201): `customer_id`, `note`, `lines` of description, quantity,
/// unit_code, unit_price, vat_category and optional period.
async fn create_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input: DraftInput = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    let id = app::invoices::api::create_draft(&mut tx, &actor, &input).await?;
    let invoice = invoice_json(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(invoice)))
}

/// Replaces a draft's note and lines; lines with an `id` keep that line.
async fn save_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input: DraftInput = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    app::invoices::api::save_draft(&mut tx, &actor, id, &input).await?;
    let invoice = invoice_json(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok(Json(invoice))
}

/// Throws a draft away (204); a run's periods on it are billed again by the next run.
async fn discard_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.pool.begin().await?;
    app::invoices::api::discard(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Four-eyes approval of a credit-note draft by a second person.
async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let mut tx = state.pool.begin().await?;
    app::invoices::api::approve(&mut tx, &actor, id).await?;
    let invoice = invoice_json(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok(Json(invoice))
}

/// The invoice's e-mails with their delivery status.
async fn deliveries(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let list = app::mail::api::deliveries_of(&mut conn, &actor, id).await?;
    Ok(Json(json!({ "items": list })))
}

/// Queues the invoice's e-mail (again) to the customer's current address (202).
async fn send(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut tx = state.pool.begin().await?;
    let recipient = app::mail::api::queue_again(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "recipient": recipient })),
    ))
}

#[derive(serde::Deserialize)]
pub struct XmlQuery {
    format: Option<String>,
}

/// The e-invoice XML exactly as stored when the invoice was issued.
async fn xml(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    Query(query): Query<XmlQuery>,
) -> Result<Response, ApiError> {
    let format = match query.format.as_deref() {
        None | Some("") => None,
        Some(format @ ("zugferd" | "xrechnung")) => Some(format),
        Some(_) => return Err(AppError::field("format", "must be zugferd or xrechnung").into()),
    };
    Ok(stored_document(&state, &actor, id, StoredFile::Xml(format)).await?)
}

/// The invoice PDF (PDF/A-3, ZUGFeRD XML embedded) exactly as stored at issue.
async fn pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(stored_document(&state, &actor, id, StoredFile::Pdf).await?)
}

/// Which stored file of an issued document to serve.
#[derive(Clone, Copy, Debug)]
pub enum StoredFile<'a> {
    Pdf,
    /// zugferd or xrechnung; `None` = the one stored.
    Xml(Option<&'a str>),
}

/// A stored file of an issued document as a download, byte for byte as issued. Portal
/// users only reach their own customer's documents.
pub async fn stored_document(
    state: &AppState,
    actor: &app::auth::context::Actor,
    id: Uuid,
    file: StoredFile<'_>,
) -> Result<Response, AppError> {
    // portal users see their own customer's documents only (the query is scoped below)
    actor.require_invoice_reader()?;
    let (formats, content_type, extension) = match file {
        StoredFile::Pdf => (vec!["pdf"], "application/pdf", "pdf"),
        StoredFile::Xml(format) => (
            format.map_or(vec!["xrechnung", "zugferd"], |f| vec![f]),
            "application/xml; charset=utf-8",
            "xml",
        ),
    };
    let mut conn = state.pool.acquire().await?;
    let mut stored = None;
    for candidate in formats {
        stored = app::invoices::repo::document(
            &mut conn,
            actor.tenant_id,
            id,
            candidate,
            actor.customer_id,
        )
        .await?;
        if stored.is_some() {
            break;
        }
    }
    let (number, content) = stored.ok_or(AppError::NotFound)?;
    let file_name: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}.{extension}\""),
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
    let decimal = json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" });
    let invoice = json!({ "$ref": "#/components/schemas/Invoice" });
    let text = json!({ "type": "string" });
    let draft = json!({ "type": "object", "required": ["lines"], "properties": {
        "customer_id": { "type": "string", "format": "uuid", "description": "new manual invoices only" },
        "note": text,
        "lines": { "type": "array", "items": { "type": "object",
            "required": ["description", "quantity", "unit_code", "unit_price"], "properties": {
                "id": { "type": "string", "format": "uuid", "description": "keep this existing line" },
                "description": text, "quantity": text, "unit_code": { "type": "string", "description": "UN/ECE Rec. 20, e.g. C62, HUR, MON" },
                "unit_price": { "type": "string", "description": "net, at most 4 decimals, not negative (discounts: negative quantity)" },
                "vat_category": { "type": "string", "enum": ["standard", "reduced", "zero", "exempt"], "default": "standard" },
                "period_start": { "type": "string", "format": "date" }, "period_end": { "type": "string", "format": "date" } } } } } });
    let paths = json!({
        "/billing-runs": {
            "get": { "summary": "Billing runs, newest first (scope invoices:read)",
                "parameters": [{ "name": "limit", "in": "query", "schema": { "type": "integer" } }, { "name": "cursor", "in": "query", "schema": { "type": "string" } }],
                "responses": { "200": { "description": "One page of runs" } } },
            "post": { "summary": "Bill every contract due by `date` (default: today), one draft invoice per customer; `dry_run` makes a preview that bills nothing (scope billing:write). Exactly once: a period is never billed twice, even by two runs at once.",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "date": { "type": "string", "format": "date" }, "dry_run": { "type": "boolean", "default": false } } } } } },
                "responses": { "201": { "description": "The finished run with its counts and a link to its invoices" },
                    "422": { "description": "Invalid date (field run_date)", "content": problem } } },
        },
        "/billing-runs/{id}": { "parameters": id, "get": { "summary": "One run (scope invoices:read)", "responses": { "200": { "description": "The run" }, "404": { "description": "Not in this tenant" } } } },
        "/invoices": { "get": { "summary": "Invoices and credit notes, newest first (scope invoices:read)",
            "parameters": [
                { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["preview", "draft", "issued"] } },
                { "name": "customer_id", "in": "query", "schema": uuid },
                { "name": "billing_run_id", "in": "query", "schema": uuid },
                { "name": "q", "in": "query", "schema": { "type": "string" }, "description": "number, customer name or number" },
                { "name": "limit", "in": "query", "schema": { "type": "integer" } }, { "name": "cursor", "in": "query", "schema": { "type": "string" } }],
            "responses": { "200": { "description": "One page of invoice summaries" } } },
            "post": { "summary": "A manual invoice draft with free lines (scope billing:write)",
                "requestBody": { "content": { "application/json": { "schema": draft } } },
                "responses": { "201": { "description": "The draft", "content": { "application/json": { "schema": invoice } } },
                    "422": { "description": "Fields named `customer_id`, `lines`, `lines.{i}.{field}`", "content": problem } } } },
        "/invoices/{id}": { "parameters": id, "get": { "summary": "One document with lines, VAT breakdown and legal notes (scope invoices:read)",
            "responses": { "200": { "description": "The document", "content": { "application/json": { "schema": invoice } } } } },
            "put": { "summary": "Replace a draft's note and lines: a line with `id` keeps that line (a contract line keeps contract and period and cannot be left out), lines without are added; credit notes take back at most what is not yet credited; voids a four-eyes approval (scope billing:write)",
                "requestBody": { "content": { "application/json": { "schema": draft } } },
                "responses": { "200": { "description": "The draft", "content": { "application/json": { "schema": invoice } } },
                    "409": { "description": "Not a draft", "content": problem },
                    "422": { "description": "Fields named `lines`, `lines.{i}.{field}`, `note`", "content": problem } } },
            "delete": { "summary": "Throw a draft away; contract periods, setup fees and usage on it are billed again by the next run (scope billing:write)",
                "responses": { "204": { "description": "Gone" }, "409": { "description": "Not a draft, or a later invoice bills following periods", "content": problem } } } },
        "/invoices/{id}/approve": { "parameters": id, "post": { "summary": "Four-eyes approval of a credit-note draft by someone other than its author, when the tenant requires it (scope billing:write)",
            "responses": { "200": { "description": "The approved draft", "content": { "application/json": { "schema": invoice } } },
                "409": { "description": "Not a credit-note draft, or the caller wrote it", "content": problem } } } },
        "/invoices/{id}/finalize": { "parameters": id, "post": { "summary": "Issue a draft: next number of the gapless range, today's date, stored e-invoice XML; afterwards the document cannot change (scope billing:write)",
            "responses": { "200": { "description": "The issued document", "content": { "application/json": { "schema": invoice } } },
                "422": { "description": "Not a draft, or seller/buyer data missing for a valid e-invoice (field ids)", "content": problem } } } },
        "/invoices/{id}/credit-notes": { "parameters": id, "post": { "summary": "A credit-note draft (type 381) of an issued invoice; finalize it like an invoice. No body: the whole invoice; a body like `PUT /invoices/{id}` (note, lines): a partial credit note. Several credit notes may together take back at most the invoice's gross amount (scope billing:write)",
            "requestBody": { "required": false, "content": { "application/json": { "schema": draft } } },
            "responses": { "201": { "description": "The credit-note draft", "content": { "application/json": { "schema": invoice } } },
                "409": { "description": "Not an issued invoice, a credit-note draft exists, or it is fully credited", "content": problem } } } },
        "/invoices/{id}/deliveries": { "parameters": id, "get": { "summary": "The invoice's e-mails: recipient, status (queued, sending, sent, failed), attempts, last error (scope invoices:read)",
            "responses": { "200": { "description": "{ items: [...] }" }, "404": { "description": "Not in this tenant" } } } },
        "/invoices/{id}/send": { "parameters": id, "post": { "summary": "Queue the invoice's e-mail with its stored PDF and XML to the customer's current invoice address (scope billing:write)",
            "responses": { "202": { "description": "{ recipient }" }, "422": { "description": "Not issued, or the customer has no e-mail address (field invoice_id)", "content": problem } } } },
        "/invoices/{id}/pdf": { "parameters": id, "get": { "summary": "The invoice PDF exactly as stored at issue: PDF/A-3b in the tenant's branding, with the ZUGFeRD/Factur-X XML embedded as factur-x.xml (scope invoices:read)",
            "responses": { "200": { "description": "PDF", "content": { "application/pdf": {} } }, "404": { "description": "Not issued or not in this tenant" } } } },
        "/invoices/{id}/xml": { "parameters": id, "get": { "summary": "The e-invoice XML exactly as stored at issue: ZUGFeRD/Factur-X EN 16931, or XRechnung 3.0 for buyers with a Leitweg-ID (scope invoices:read)",
            "parameters": [{ "name": "format", "in": "query", "schema": { "type": "string", "enum": ["zugferd", "xrechnung"] } }],
            "responses": { "200": { "description": "CII XML", "content": { "application/xml": {} } }, "404": { "description": "Not issued or not in this tenant" } } } },
    });
    let schemas = json!({
        "Invoice": { "type": "object", "properties": {
            "summary": { "type": "object", "properties": {
                "id": uuid, "kind": { "type": "string", "enum": ["invoice", "credit_note"] },
                "status": { "type": "string", "enum": ["preview", "draft", "issued"] },
                "number": { "type": ["string", "null"] }, "customer_id": uuid, "customer_number": { "type": "string" },
                "buyer_name": { "type": "string" }, "issue_date": { "type": ["string", "null"], "format": "date" },
                "due_date": { "type": ["string", "null"], "format": "date" }, "period_start": { "type": ["string", "null"], "format": "date" },
                "period_end": { "type": ["string", "null"], "format": "date" }, "net_total": decimal, "tax_total": decimal,
                "gross_total": decimal, "currency": { "type": "string" } } },
            "lines": { "type": "array", "items": { "type": "object", "properties": {
                "position": { "type": "integer" }, "kind": { "type": "string", "enum": ["setup", "recurring", "credit", "usage", "manual"] },
                "contract_id": { "type": ["string", "null"], "format": "uuid" }, "period_start": { "type": ["string", "null"], "format": "date" },
                "period_end": { "type": ["string", "null"], "format": "date" }, "description": { "type": "string" },
                "quantity": decimal, "unit_code": { "type": "string", "description": "UN/ECE recommendation 20" },
                "unit_price": decimal, "net_amount": decimal,
                "tax": { "type": "object", "properties": { "code": { "type": "string" }, "rate": decimal, "note": { "type": ["string", "null"] } } } } } },
            "totals": { "type": "object", "description": "EN 16931: line nets to the cent, VAT per category rounded once" },
            "corrects": { "description": "credit notes: [id, number, issue date] of the corrected invoice" },
            "documents": { "type": "array", "items": { "type": "string" }, "description": "stored e-invoice formats" },
        } },
    });
    super::docs::merge(doc, paths, schemas);
}
