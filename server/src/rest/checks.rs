//! `/api/v1/service-checks`: the checks with their state, their history, and creating and
//! changing them (the same validation as the staff application).

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::checks::{api, repo, Check, CheckFilter, CheckStatus};
use app::domain::Permission;
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

const PATH: &str = "service-checks";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/service-checks", get(list).post(create))
        .route("/service-checks/{id}", get(show).patch(patch))
        .route("/service-checks/{id}/results", get(results))
}

/// Filters as query parameters; ids and status as text, so a bad one is a problem naming it.
#[derive(serde::Deserialize)]
pub struct CheckQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    status: Option<String>,
    server_id: Option<String>,
    domain_id: Option<String>,
    customer_id: Option<String>,
}

fn uuid_param(name: &str, value: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    value
        .map(|v| Uuid::parse_str(v).map_err(|_| ApiError(AppError::field(name, "is not a UUID"))))
        .transpose()
}

impl CheckQuery {
    fn filter(&self) -> Result<CheckFilter, ApiError> {
        let status = match self.status.as_deref() {
            Some(status) => Some(
                CheckStatus::parse(status)
                    .ok_or_else(|| AppError::field("status", "is not up, down or unknown"))?,
            ),
            None => None,
        };
        Ok(CheckFilter {
            status,
            server_id: uuid_param("server_id", self.server_id.as_deref())?,
            domain_id: uuid_param("domain_id", self.domain_id.as_deref())?,
            customer_id: uuid_param("customer_id", self.customer_id.as_deref())?,
        })
    }
}

/// Pages by offset in name order; `next` repeats the filters.
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<CheckQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInventory)?;
    let params = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = params.page("name", query.q.clone().unwrap_or_default())?;
    let filter = query.filter()?;
    let mut conn = state.pool.acquire().await?;
    let result = repo::list(&mut conn, actor.tenant_id, &filter, &page).await?;
    let filters = [
        ("q", query.q.as_deref()),
        ("status", query.status.as_deref()),
        ("server_id", query.server_id.as_deref()),
        ("domain_id", query.domain_id.as_deref()),
        ("customer_id", query.customer_id.as_deref()),
    ];
    let next = ListParams::next(PATH, &page, &result, &filters);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Check>, ApiError> {
    actor.require(Permission::ViewInventory)?;
    let mut conn = state.pool.acquire().await?;
    let check = repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(check))
}

/// The history, newest first; the cursor is the next offset.
async fn results(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInventory)?;
    let page = params.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    if repo::load(&mut conn, actor.tenant_id, id).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let result = repo::results(&mut conn, actor.tenant_id, id, &page).await?;
    let next = ListParams::next(&format!("{PATH}/{id}/results"), &page, &result, &[]);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageInventory)?;
    let input: app::checks::CheckInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let id = api::save_check(conn, &who, None, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

/// Changes the fields given; the merged check is validated as a whole.
async fn patch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageInventory)?;
    let mut tx = state.pool.begin().await?;
    let stored = repo::load(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&stored.data, &body)?;
    api::save_check(&mut tx, &actor, Some(id), &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The paths and schemas of this API in the OpenAPI document.
pub fn add_docs(doc: &mut Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    let nullable_uuid = json!({ "type": ["string", "null"], "format": "uuid" });
    let date = json!({ "type": ["string", "null"], "format": "date" });
    let problem = json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let page_of = |row: &str| {
        json!({ "type": "object", "properties": {
            "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{row}") } },
            "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } })
    };
    let responses = |code: &str, description: &str, schema: Value| {
        json!({
            code: { "description": description, "content": { "application/json": { "schema": schema } } },
            "401": { "description": "Missing or unknown bearer token", "content": problem["content"] },
            "403": { "description": "The token lacks the scope", "content": problem["content"] },
            "404": { "description": "Not in this tenant", "content": problem["content"] },
            "422": { "description": "Invalid input; `errors` names each field", "content": problem["content"] },
        })
    };
    let paging = [
        json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }),
        json!({ "name": "cursor", "in": "query", "schema": { "type": "string" } }),
    ];
    let mut filters = paging.to_vec();
    filters.extend([
        json!({ "name": "q", "in": "query", "description": "words of the name, host, target or customer", "schema": { "type": "string" } }),
        json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["up", "down", "unknown"] } }),
        json!({ "name": "server_id", "in": "query", "schema": uuid }),
        json!({ "name": "domain_id", "in": "query", "schema": uuid }),
        json!({ "name": "customer_id", "in": "query", "schema": uuid }),
    ]);
    let id_param = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid }]);
    let body = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceCheckInput" } } } });
    let created = responses(
        "201",
        "Created",
        json!({ "type": "object", "properties": { "id": uuid } }),
    );
    let paths = json!({
        "/service-checks": {
            "get": { "summary": "Service checks with their state and uptime, by name (scope inventory:read)",
                "parameters": filters, "responses": responses("200", "One page", page_of("ServiceCheckRow")) },
            "post": { "summary": "Add a service check (scope inventory:write); it runs within a minute",
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                "requestBody": body, "responses": created },
        },
        "/service-checks/{id}": {
            "parameters": id_param,
            "get": { "summary": "A service check with its state (scope inventory:read)",
                "responses": responses("200", "The check", json!({ "$ref": "#/components/schemas/ServiceCheck" })) },
            "patch": { "summary": "Change some fields of a service check (scope inventory:write); it runs again at once",
                "requestBody": body,
                "responses": { "204": { "description": "Changed" }, "404": { "description": "Not in this tenant", "content": problem["content"] },
                    "422": { "description": "Invalid input", "content": problem["content"] } } },
        },
        "/service-checks/{id}/results": {
            "parameters": id_param,
            "get": { "summary": "The history of a service check, newest first, 90 days (scope inventory:read)",
                "parameters": paging, "responses": responses("200", "One page", page_of("ServiceCheckResult")) },
        },
    });
    let problem_names: Vec<&str> = app::checks::Problem::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    let kinds: Vec<&str> = app::checks::CheckKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let modes: Vec<&str> = app::checks::TlsMode::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let problem_schema = json!({ "type": ["string", "null"], "enum": problem_names, "description": "why it failed; null when up" });
    let state = json!({
        "status": { "type": "string", "enum": ["up", "down", "unknown"], "description": "unknown: paused, never ran, or no result for three intervals" },
        "last_checked_at": { "type": ["string", "null"], "description": "tenant's time zone, YYYY-MM-DD HH:MM" },
        "last_response_ms": { "type": ["integer", "null"] }, "last_status_code": { "type": ["integer", "null"] },
        "last_problem": problem_schema, "last_detail": { "type": "string" },
        "cert_expires_on": date, "cert_days_left": { "type": ["integer", "null"] },
        "uptime_24h": { "type": ["string", "null"], "description": "percent, decimal string" },
        "uptime_7d": { "type": ["string", "null"] }, "uptime_30d": { "type": ["string", "null"] },
    });
    let schemas = json!({
        "ServiceCheckInput": { "type": "object", "required": ["name", "kind"],
            "description": "Exactly one of server_id and domain_id. An empty host means the server's host name or the domain; port null means the kind's usual port. path and the expected status range apply to http only. accept_untrusted lets self-signed certificates count as up (expiry still counts).",
            "properties": {
                "server_id": nullable_uuid, "domain_id": nullable_uuid, "name": { "type": "string", "maxLength": 200 },
                "kind": { "type": "string", "enum": kinds }, "host": { "type": "string" },
                "port": { "type": ["integer", "null"], "minimum": 1, "maximum": 65535 },
                "tls_mode": { "type": "string", "enum": modes, "description": "http: implicit (HTTPS) or none; tls: implicit; smtp/imap/pop3: starttls, implicit or none; ftp: none or starttls (AUTH TLS); mysql: none; postgres: none or starttls (SSLRequest)" },
                "path": { "type": "string", "default": "/" },
                "expected_status_min": { "type": "integer", "default": 200 }, "expected_status_max": { "type": "integer", "default": 399 },
                "accept_untrusted": { "type": "boolean", "default": false },
                "interval_seconds": { "type": "integer", "minimum": 60, "maximum": 86400, "default": 300 },
                "timeout_seconds": { "type": "integer", "minimum": 1, "maximum": 60, "default": 10 },
                "enabled": { "type": "boolean", "default": true },
            }},
        "ServiceCheck": { "type": "object", "properties": {
            "id": uuid, "target_label": { "type": "string" }, "customer_id": nullable_uuid,
            "customer_label": { "type": ["string", "null"] }, "effective_host": { "type": "string" },
            "data": { "$ref": "#/components/schemas/ServiceCheckInput" },
            "state": { "type": "object", "properties": state },
        }},
        "ServiceCheckRow": { "type": "object", "properties": {
            "id": uuid, "name": { "type": "string" }, "kind": { "type": "string" }, "tls_mode": { "type": "string" },
            "host": { "type": "string" }, "port": { "type": "integer" }, "target_label": { "type": "string" },
            "server_id": nullable_uuid, "domain_id": nullable_uuid, "customer_id": nullable_uuid,
            "customer": { "type": ["string", "null"] }, "enabled": { "type": "boolean" },
            "state": { "type": "object", "properties": state },
        }},
        "ServiceCheckResult": { "type": "object", "properties": {
            "checked_at": { "type": "string", "description": "tenant's time zone, YYYY-MM-DD HH:MM:SS" },
            "ok": { "type": "boolean" }, "response_ms": { "type": ["integer", "null"] },
            "status_code": { "type": ["integer", "null"] }, "problem": problem_schema,
            "detail": { "type": "string" }, "cert_expires_on": date,
        }},
    });
    if let (Some(target), Value::Object(paths)) = (doc["paths"].as_object_mut(), paths) {
        target.extend(paths);
    }
    if let (Some(target), Value::Object(schemas)) =
        (doc["components"]["schemas"].as_object_mut(), schemas)
    {
        target.extend(schemas);
    }
}
