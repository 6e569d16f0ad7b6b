//! Projects and time over the API: `GET/POST /projects`, `GET/PATCH /projects/{id}`,
//! `GET /projects/{id}/budget` (planned, actual, forecast, light per project and work
//! package; earned value for fixed prices) and `GET/POST /time-entries`.

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::budget::Light;
use app::domain::Permission;
use app::error::AppError;
use app::projects::{ProjectFilter, ProjectInput, ProjectStatus};
use app::time::{TimeEntryFilter, TimeEntryInput};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{id}", get(get_project).patch(patch_project))
        .route("/projects/{id}/budget", get(budget))
        .route("/time-entries", get(list_time).post(create_time))
}

#[derive(serde::Deserialize)]
struct ProjectQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    status: Option<String>,
    light: Option<String>,
    manager_id: Option<Uuid>,
    customer_id: Option<Uuid>,
}

async fn list_projects(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ProjectQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProjects)?;
    let status = match query.status.as_deref() {
        None | Some("") | Some("open") => None,
        Some(text) => Some(ProjectStatus::parse(text).ok_or_else(|| {
            AppError::field(
                "status",
                "must be one of open, planned, active, on_hold, done, cancelled",
            )
        })?),
    };
    let light = match query.light.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            Light::parse(text)
                .ok_or_else(|| AppError::field("light", "must be one of green, yellow, red"))?,
        ),
    };
    let filter = ProjectFilter {
        status,
        light,
        manager_id: query.manager_id,
        customer_id: query.customer_id,
    };
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("number", query.q.clone().unwrap_or_default())?;
    let mut conn = state.pool.acquire().await?;
    let (today, _) = app::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let board =
        app::projects::repo::dashboard(&mut conn, actor.tenant_id, &filter, &page, today).await?;
    let manager = query.manager_id.map(|m| m.to_string());
    let customer = query.customer_id.map(|c| c.to_string());
    let filters = [
        ("q", query.q.as_deref()),
        ("status", query.status.as_deref()),
        ("light", query.light.as_deref()),
        ("manager_id", manager.as_deref()),
        ("customer_id", customer.as_deref()),
    ];
    let next = ListParams::next("projects", &page, &board.projects, &filters);
    Ok(Json(json!({
        "items": board.projects.items,
        "total": board.projects.total,
        "lights": board.lights,
        "next": next,
    })))
}

async fn create_project(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageProjects)?;
    let input: ProjectInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let (id, number) = app::projects::api::create(conn, &who, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id, "number": number })))
        })
    })
    .await
}

async fn detail(
    state: &AppState,
    tenant: Uuid,
    id: Uuid,
) -> Result<app::projects::ProjectDetail, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (today, _) = app::contracts::repo::tenant_today(&mut conn, tenant).await?;
    Ok(app::projects::repo::detail(&mut conn, tenant, id, today)
        .await?
        .ok_or(AppError::NotFound)?)
}

async fn get_project(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProjects)?;
    Ok(Json(json!(detail(&state, actor.tenant_id, id).await?)))
}

async fn patch_project(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageProjects)?;
    let stored = detail(&state, actor.tenant_id, id).await?;
    let input = patched(&stored.input, &body)?;
    let mut tx = state.pool.begin().await?;
    app::projects::api::update(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The budget alone: what a controlling tool polls.
async fn budget(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProjects)?;
    let project = detail(&state, actor.tenant_id, id).await?;
    let packages: Vec<Value> = project
        .work_packages
        .iter()
        .map(|w| json!({ "id": w.id, "name": w.name, "budget": w.budget }))
        .collect();
    Ok(Json(json!({
        "id": project.id,
        "number": project.number,
        "currency": project.currency,
        "budget": project.budget,
        "thresholds": project.thresholds,
        "earned_value": project.earned_value,
        "work_packages": packages,
        "unassigned": project.unassigned,
        "unbilled_hours": project.unbilled_hours,
        "unbilled_amount": project.unbilled_amount,
    })))
}

#[derive(serde::Deserialize)]
struct TimeQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    user_id: Option<Uuid>,
    project_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    unbilled: Option<bool>,
}

async fn list_time(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<TimeQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProjects)?;
    let filter = TimeEntryFilter {
        user_id: query.user_id,
        project_id: query.project_id,
        from: query.from,
        to: query.to,
        unbilled: query.unbilled.unwrap_or(false),
    };
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("date", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let result = app::time::repo::list(&mut conn, actor.tenant_id, &filter, &page).await?;
    let (user, project) = (
        query.user_id.map(|u| u.to_string()),
        query.project_id.map(|p| p.to_string()),
    );
    let (from, to) = (
        query.from.map(|d| d.to_string()),
        query.to.map(|d| d.to_string()),
    );
    let unbilled = query.unbilled.map(|u| u.to_string());
    let filters = [
        ("user_id", user.as_deref()),
        ("project_id", project.as_deref()),
        ("from", from.as_deref()),
        ("to", to.as_deref()),
        ("unbilled", unbilled.as_deref()),
    ];
    let next = ListParams::next("time-entries", &page, &result, &filters);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

/// Books time for a staff member (`user_id` required for tokens).
async fn create_time(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::TrackTime)?;
    let input: TimeEntryInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let id = app::time::api::create_entry(conn, &who, &input, "api").await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

pub fn add_docs(doc: &mut Value) {
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let uuid = json!({ "type": "string", "format": "uuid" });
    let date = json!({ "type": "string", "format": "date" });
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid }]);
    let paging = [
        json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }),
        json!({ "name": "cursor", "in": "query", "schema": { "type": "string" } }),
    ];
    let invalid = json!({ "description": "Invalid input, named per field", "content": problem });
    let project_input = json!({ "type": "object", "properties": {
        "customer_id": uuid, "name": { "type": "string" }, "description": { "type": "string" },
        "billing": { "type": "string", "enum": ["fixed_price", "time_and_material", "retainer"] },
        "status": { "type": "string", "enum": ["planned", "active", "on_hold", "done", "cancelled"] },
        "manager_id": uuid, "starts_on": date, "ends_on": date,
        "budget_hours": { "type": "string" }, "budget_amount": { "type": "string" }, "hourly_rate": { "type": "string" },
        "retainer_hours": { "type": "string" }, "retainer_fee": { "type": "string" } } });
    let time_input = json!({ "type": "object", "properties": {
        "user_id": uuid, "project_id": uuid, "work_package_id": uuid, "task_id": uuid, "work_date": date,
        "duration": { "type": "string", "examples": ["1.5", "1:30", "90m"] }, "note": { "type": "string" },
        "billable": { "type": "boolean", "default": true } } });
    let mut project_filters = paging.to_vec();
    project_filters.extend([
        json!({ "name": "q", "in": "query", "schema": { "type": "string" } }),
        json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["open", "planned", "active", "on_hold", "done", "cancelled"], "default": "open" } }),
        json!({ "name": "light", "in": "query", "schema": { "type": "string", "enum": ["green", "yellow", "red"] } }),
        json!({ "name": "manager_id", "in": "query", "schema": uuid }),
        json!({ "name": "customer_id", "in": "query", "schema": uuid }),
    ]);
    let mut time_filters = paging.to_vec();
    time_filters.extend([
        json!({ "name": "user_id", "in": "query", "schema": uuid }),
        json!({ "name": "project_id", "in": "query", "schema": uuid }),
        json!({ "name": "from", "in": "query", "schema": date }),
        json!({ "name": "to", "in": "query", "schema": date }),
        json!({ "name": "unbilled", "in": "query", "schema": { "type": "boolean" } }),
    ]);
    let idempotency =
        json!({ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string" } });
    let paths = json!({
        "/projects": {
            "get": { "summary": "Projects with their budget and traffic light, and the count per light (scope projects:read)", "parameters": project_filters,
                "responses": { "200": { "description": "One page: items, total, lights, next" } } },
            "post": { "summary": "Create a project with the next project number (scope projects:write)", "parameters": [idempotency.clone()],
                "requestBody": { "required": true, "content": { "application/json": { "schema": project_input } } },
                "responses": { "201": { "description": "id and number" }, "422": invalid } },
        },
        "/projects/{id}": {
            "parameters": id,
            "get": { "summary": "A project: plan, budget, earned value, work packages with tasks, milestones, burn per week (scope projects:read)",
                "responses": { "200": { "description": "The project" }, "404": { "description": "Not in this tenant" } } },
            "patch": { "summary": "Change some fields of a project; the light is recomputed (scope projects:write)",
                "responses": { "204": { "description": "Changed" }, "422": invalid } },
        },
        "/projects/{id}/budget": {
            "parameters": id,
            "get": { "summary": "Planned against actual hours and money, forecast at completion, light and cause, per project and work package; PV, EV, AC, CPI, SPI, EAC for fixed prices (scope projects:read)",
                "responses": { "200": { "description": "The budget" } } },
        },
        "/time-entries": {
            "get": { "summary": "Time entries, newest day first, with state open, approved, billed or closed (scope projects:read)", "parameters": time_filters,
                "responses": { "200": { "description": "One page: items, total, next" } } },
            "post": { "summary": "Book time for a staff member (user_id) on an open project; rounded by the tenant's rule, priced at the resolved rate (scope time:write)",
                "parameters": [idempotency],
                "requestBody": { "required": true, "content": { "application/json": { "schema": time_input } } },
                "responses": { "201": { "description": "The entry's id" }, "422": invalid } },
        },
    });
    super::docs::merge(doc, paths, json!({}));
}
