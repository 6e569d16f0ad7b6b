//! `/api/v1/products` and `/api/v1/contracts` (with `/cancel` and `/prices`).

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::contracts::{
    CancelInput, ContractFilter, ContractInput, ContractStatus, PriceChangeInput,
};
use app::domain::periods::BillingInterval;
use app::domain::Permission;
use app::error::AppError;
use app::products::ProductInput;
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
        .route("/products", get(list_products).post(create_product))
        .route("/products/{id}", get(get_product).patch(patch_product))
        .route("/contracts", get(list_contracts).post(create_contract))
        .route("/contracts/{id}", get(get_contract).patch(patch_contract))
        .route("/contracts/{id}/cancel", post(cancel_contract))
        .route("/contracts/{id}/prices", post(change_price))
}

#[derive(serde::Deserialize)]
pub struct ProductQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
}

async fn list_products(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ProductQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProducts)?;
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("sku", query.q.clone().unwrap_or_default())?;
    let mut conn = state.pool.acquire().await?;
    let result =
        app::products::repo::list(&mut conn, actor.tenant_id, query.include_inactive, &page)
            .await?;
    let next = ListParams::next("products", &page, &result, &[("q", query.q.as_deref())]);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn get_product(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProducts)?;
    let mut conn = state.pool.acquire().await?;
    let file = app::products::repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(
        json!({ "id": file.id, "data": file.data, "contract_count": file.contract_count }),
    ))
}

async fn create_product(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageProducts)?;
    let input: ProductInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let id = app::products::api::save(conn, &who, None, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

async fn patch_product(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageProducts)?;
    let mut tx = state.pool.begin().await?;
    let stored = app::products::repo::load(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&stored.data, &body)?;
    app::products::api::save(&mut tx, &actor, Some(id), &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
pub struct ContractQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    customer_id: Option<Uuid>,
    /// active, upcoming, past (default: all)
    status: Option<String>,
    billing_interval: Option<String>,
    cancelled: Option<bool>,
}

async fn list_contracts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ContractQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewContracts)?;
    let status = match query.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(text) => Some(ContractStatus::parse(text).ok_or_else(|| {
            AppError::field("status", "must be one of active, upcoming, past, all")
        })?),
    };
    let billing_interval = match query.billing_interval.as_deref() {
        None | Some("") => None,
        Some(text) => Some(BillingInterval::parse(text).ok_or_else(|| {
            AppError::field(
                "billing_interval",
                "must be one of monthly, quarterly, half_yearly, yearly, biennial",
            )
        })?),
    };
    let filter = ContractFilter {
        customer_id: query.customer_id,
        status,
        billing_interval,
        cancelled: query.cancelled,
    };
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = list.page("number", query.q.clone().unwrap_or_default())?;
    let mut conn = state.pool.acquire().await?;
    let result = app::contracts::repo::list(&mut conn, actor.tenant_id, &filter, &page).await?;
    let customer = query.customer_id.map(|c| c.to_string());
    let cancelled = query.cancelled.map(|c| c.to_string());
    let filters = [
        ("q", query.q.as_deref()),
        ("customer_id", customer.as_deref()),
        ("status", query.status.as_deref()),
        ("billing_interval", query.billing_interval.as_deref()),
        ("cancelled", cancelled.as_deref()),
    ];
    let next = ListParams::next("contracts", &page, &result, &filters);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn get_contract(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewContracts)?;
    let mut conn = state.pool.acquire().await?;
    let file = app::contracts::repo::load_file(&mut conn, actor.tenant_id, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(serde_json::to_value(file).unwrap_or_default()))
}

async fn create_contract(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageContracts)?;
    let input: ContractInput = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let (id, number) = app::contracts::api::create(conn, &who, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id, "number": number })))
        })
    })
    .await
}

async fn patch_contract(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageContracts)?;
    let mut tx = state.pool.begin().await?;
    let stored = app::contracts::repo::load_for_change(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&stored.input, &body)?;
    app::contracts::api::update(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels with the earliest possible end unless `end_date` names a later one.
async fn cancel_contract(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageContracts)?;
    let input: CancelInput = if body.is_empty() {
        CancelInput::default()
    } else {
        parse_body(&body)?
    };
    let mut tx = state.pool.begin().await?;
    let outcome = app::contracts::api::cancel(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(Json(serde_json::to_value(outcome).unwrap_or_default()))
}

/// A new fee from `valid_from` on.
async fn change_price(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageContracts)?;
    let input: PriceChangeInput = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    app::contracts::api::change_price(&mut tx, &actor, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
