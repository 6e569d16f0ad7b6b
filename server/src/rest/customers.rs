//! `/api/v1/customers` and their contacts.

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::customers::{ContactInput, CreateOutcome, CustomerFilter, CustomerInput};
use app::domain::Permission;
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

/// Not `#[serde(flatten)]` of ListParams: flattening turns numbers in query strings into text.
#[derive(serde::Deserialize)]
pub struct CustomerQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    tag: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<CustomerQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewCustomers)?;
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("number", query.q.clone().unwrap_or_default())?;
    let filter = CustomerFilter {
        kind: None,
        tag: query.tag.clone().unwrap_or_default(),
        include_archived: false,
    };
    let mut conn = state.pool.acquire().await?;
    let result = app::customers::repo::list(&mut conn, actor.tenant_id, &filter, &page).await?;
    let filters = [("q", query.q.as_deref()), ("tag", query.tag.as_deref())];
    let next = ListParams::next("customers", &page, &result, &filters);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewCustomers)?;
    let mut conn = state.pool.acquire().await?;
    let file = app::customers::repo::load_file(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({
        "id": file.id, "number": file.number, "display_name": file.display_name, "archived": file.archived,
        "data": file.data, "contacts": file.contacts,
    })))
}

/// Creates a customer; `?ignore_duplicates=true` creates it even when it looks like an existing one.
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(options): Query<CreateOptions>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageCustomers)?;
    let input: CustomerInput = parse_body(&body)?;
    let who = actor.clone();
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            match app::customers::api::create(conn, &who, &input, options.ignore_duplicates, year).await? {
                CreateOutcome::Created { id, number } => Ok((StatusCode::CREATED, json!({ "id": id, "number": number }))),
                CreateOutcome::PossibleDuplicates(found) => Err(ApiError(AppError::Conflict(format!(
                    "possible duplicates: {}; repeat with ?ignore_duplicates=true to create anyway",
                    found.iter().map(|d| format!("{} {}", d.number, d.display_name)).collect::<Vec<_>>().join(", ")
                )))),
            }
        })
    })
    .await
}

#[derive(serde::Deserialize, Default)]
pub struct CreateOptions {
    #[serde(default)]
    ignore_duplicates: bool,
}

/// Changes the fields given; the merged result is validated as a whole.
pub async fn patch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageCustomers)?;
    let mut tx = state.pool.begin().await?;
    let (_, _, _, _, stored) = app::customers::repo::load(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&stored, &body)?;
    app::customers::api::update(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn contacts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewCustomers)?;
    let mut conn = state.pool.acquire().await?;
    app::customers::repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contacts = app::customers::repo::contacts(&mut conn, actor.tenant_id, id).await?;
    Ok(Json(json!({ "items": contacts, "next": null })))
}

pub async fn add_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageCustomers)?;
    let input: ContactInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let contact = app::customers::api::add(conn, &who, id, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": contact })))
        })
    })
    .await
}
