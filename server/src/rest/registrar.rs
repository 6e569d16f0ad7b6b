//! `/api/v1/registrar-imports`: upload a registrar's domain list (CSV body), read the
//! reconciliation report, turn unbilled domains into contracts.

use super::{parse_body, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::Permission;
use app::error::AppError;
use app::registrar::model::{CreateContractsInput, Outcome, ReportView, MAX_FILE_BYTES};
use app::ui::paging::PageRequest;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/registrar-imports",
            get(list_imports)
                .post(import)
                // a little room above the limit so the report, not the framework, says "too large"
                .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route("/registrar-imports/{id}", get(get_import))
        .route("/registrar-imports/{id}/rows", get(report_rows))
        .route("/registrar-imports/{id}/contracts", post(create_contracts))
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    registrar: Option<String>,
    file_name: Option<String>,
    #[serde(default)]
    dry_run: bool,
}

/// Reconciles the CSV body and answers with the report's head; 422 when the file as a
/// whole cannot be read (nothing is stored then).
async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    actor.require(Permission::ReconcileRegistrar)?;
    let prepared = app::registrar::api::prepare(&body, actor.lang)?;
    let id = app::registrar::api::begin(
        &state.pool,
        &actor,
        query.registrar.as_deref().unwrap_or_default(),
        query.file_name.as_deref().unwrap_or_default(),
        query.dry_run,
        &prepared,
    )
    .await?;
    app::registrar::api::process(&state.pool, &actor, id, prepared).await?;
    Ok((StatusCode::CREATED, summary_body(&state, &actor, id).await?))
}

async fn summary_body(
    state: &AppState,
    actor: &app::auth::context::Actor,
    id: Uuid,
) -> Result<Json<Value>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let summary = app::registrar::repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rejected = app::registrar::api::report(
        &mut conn,
        actor,
        id,
        ReportView::Outcome(Outcome::Rejected),
        &PageRequest {
            per_page: 100,
            ..PageRequest::default()
        },
    )
    .await?;
    let rows = format!("/api/v1/registrar-imports/{id}/rows");
    Ok(Json(json!({
            "import": summary,
            "rejected": rejected.items,
            "links": {
                "rows": rows,
                "unbilled": format!("{rows}?view=unbilled"),
                "orphaned": format!("{rows}?view=orphaned"),
                "expiry_mismatch": format!("{rows}?view=expiry_mismatch"),
                "price_drift": format!("{rows}?view=price_drift"),
                "rejected": format!("{rows}?view=rejected"),
            },
    })))
}

async fn list_imports(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(list): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ReconcileRegistrar)?;
    let page = list.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let result = app::registrar::repo::list(&mut conn, actor.tenant_id, &page).await?;
    let next = ListParams::next("registrar-imports", &page, &result, &[]);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn get_import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ReconcileRegistrar)?;
    summary_body(&state, &actor, id).await
}

#[derive(serde::Deserialize)]
pub struct RowsQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    view: Option<String>,
}

async fn report_rows(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    Query(query): Query<RowsQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ReconcileRegistrar)?;
    let view = ReportView::parse(query.view.as_deref().unwrap_or("all"));
    let list = ListParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let page = list.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let result = app::registrar::api::report(&mut conn, &actor, id, view, &page).await?;
    let next = ListParams::next(
        &format!("registrar-imports/{id}/rows"),
        &page,
        &result,
        &[("view", Some(view.as_str()))],
    );
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

#[derive(serde::Deserialize)]
pub struct ContractsBody {
    positions: Vec<i32>,
    customer_id: Option<Uuid>,
    product_id: Option<Uuid>,
}

async fn create_contracts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    actor.require(Permission::ReconcileRegistrar)?;
    let body: ContractsBody = parse_body(&body)?;
    let input = CreateContractsInput {
        import_id: id,
        positions: body.positions,
        customer_id: body.customer_id,
        product_id: body.product_id,
    };
    let mut tx = state.pool.begin().await?;
    let created = app::registrar::api::create_contracts(&mut tx, &actor, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "created": created }))))
}
