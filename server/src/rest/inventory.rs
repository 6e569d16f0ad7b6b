//! `/api/v1/domains`, `/servers` and `/certificates`: one set of handlers over the three
//! kinds, which differ only in their queries and their input.

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::auth::context::Actor;
use app::domain::Permission;
use app::error::AppError;
use app::inventory::{api, repo, *};
use app::ui::paging::{Page, PageRequest};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgConnection;
use std::future::Future;
use uuid::Uuid;

/// A kind of inventory record as the API serves it.
pub trait Kind: Send + Sync + 'static {
    /// The path under `/api/v1`.
    const PATH: &'static str;
    type Input: Serialize + DeserializeOwned + Send + Sync + 'static;
    type Record: Serialize + Send;
    type Row: Serialize + Send;

    fn list<'a>(
        conn: &'a mut PgConnection,
        tenant_id: Uuid,
        filter: &'a InventoryFilter,
        page: &'a PageRequest,
        today: NaiveDate,
    ) -> impl Future<Output = sqlx::Result<Page<Self::Row>>> + Send + 'a;

    fn load(
        conn: &mut PgConnection,
        tenant_id: Uuid,
        id: Uuid,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Record>>> + Send;

    fn input(record: Self::Record) -> Self::Input;

    fn save<'a>(
        conn: &'a mut PgConnection,
        actor: &'a Actor,
        id: Option<Uuid>,
        input: &'a Self::Input,
    ) -> impl Future<Output = Result<Uuid, AppError>> + Send + 'a;
}

pub struct Domains;
pub struct Servers;
pub struct Certificates;

impl Kind for Domains {
    const PATH: &'static str = "domains";
    type Input = DomainInput;
    type Record = Domain;
    type Row = DomainRow;

    fn list<'a>(
        conn: &'a mut PgConnection,
        tenant_id: Uuid,
        filter: &'a InventoryFilter,
        page: &'a PageRequest,
        today: NaiveDate,
    ) -> impl Future<Output = sqlx::Result<Page<DomainRow>>> + Send + 'a {
        repo::list_domains(conn, tenant_id, filter, page, today)
    }

    fn load(
        conn: &mut PgConnection,
        tenant_id: Uuid,
        id: Uuid,
    ) -> impl Future<Output = sqlx::Result<Option<Domain>>> + Send {
        repo::load_domain(conn, tenant_id, id)
    }

    fn input(record: Domain) -> DomainInput {
        record.data
    }

    fn save<'a>(
        conn: &'a mut PgConnection,
        actor: &'a Actor,
        id: Option<Uuid>,
        input: &'a DomainInput,
    ) -> impl Future<Output = Result<Uuid, AppError>> + Send + 'a {
        api::save_domain(conn, actor, id, input)
    }
}

impl Kind for Servers {
    const PATH: &'static str = "servers";
    type Input = ServerInput;
    type Record = Server;
    type Row = ServerRow;

    fn list<'a>(
        conn: &'a mut PgConnection,
        tenant_id: Uuid,
        filter: &'a InventoryFilter,
        page: &'a PageRequest,
        today: NaiveDate,
    ) -> impl Future<Output = sqlx::Result<Page<ServerRow>>> + Send + 'a {
        repo::list_servers(conn, tenant_id, filter, page, today)
    }

    fn load(
        conn: &mut PgConnection,
        tenant_id: Uuid,
        id: Uuid,
    ) -> impl Future<Output = sqlx::Result<Option<Server>>> + Send {
        repo::load_server(conn, tenant_id, id)
    }

    fn input(record: Server) -> ServerInput {
        record.data
    }

    fn save<'a>(
        conn: &'a mut PgConnection,
        actor: &'a Actor,
        id: Option<Uuid>,
        input: &'a ServerInput,
    ) -> impl Future<Output = Result<Uuid, AppError>> + Send + 'a {
        api::save_server(conn, actor, id, input)
    }
}

impl Kind for Certificates {
    const PATH: &'static str = "certificates";
    type Input = CertificateInput;
    type Record = Certificate;
    type Row = CertificateRow;

    fn list<'a>(
        conn: &'a mut PgConnection,
        tenant_id: Uuid,
        filter: &'a InventoryFilter,
        page: &'a PageRequest,
        today: NaiveDate,
    ) -> impl Future<Output = sqlx::Result<Page<CertificateRow>>> + Send + 'a {
        repo::list_certificates(conn, tenant_id, filter, page, today)
    }

    fn load(
        conn: &mut PgConnection,
        tenant_id: Uuid,
        id: Uuid,
    ) -> impl Future<Output = sqlx::Result<Option<Certificate>>> + Send {
        repo::load_certificate(conn, tenant_id, id)
    }

    fn input(record: Certificate) -> CertificateInput {
        record.data
    }

    fn save<'a>(
        conn: &'a mut PgConnection,
        actor: &'a Actor,
        id: Option<Uuid>,
        input: &'a CertificateInput,
    ) -> impl Future<Output = Result<Uuid, AppError>> + Send + 'a {
        api::save_certificate(conn, actor, id, input)
    }
}

pub fn routes() -> Router<AppState> {
    fn kind<K: Kind>(router: Router<AppState>) -> Router<AppState> {
        router
            .route(&format!("/{}", K::PATH), get(list::<K>).post(create::<K>))
            .route(
                &format!("/{}/{{id}}", K::PATH),
                get(show::<K>).patch(patch::<K>),
            )
    }
    kind::<Certificates>(kind::<Servers>(kind::<Domains>(Router::new())))
}

/// Filters as query parameters; ids and status as text, so a bad one is a problem naming it.
#[derive(serde::Deserialize)]
pub struct InventoryQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    q: Option<String>,
    customer_id: Option<String>,
    status: Option<String>,
    expiring_within_days: Option<i32>,
}

impl InventoryQuery {
    fn filter(&self) -> Result<InventoryFilter, ApiError> {
        let customer_id = match self.customer_id.as_deref() {
            Some(id) => Some(
                Uuid::parse_str(id).map_err(|_| AppError::field("customer_id", "is not a UUID"))?,
            ),
            None => None,
        };
        let status = match self.status.as_deref() {
            Some(status) => Some(
                DomainStatus::parse(status)
                    .ok_or_else(|| AppError::field("status", "is not a domain status"))?,
            ),
            None => None,
        };
        Ok(InventoryFilter {
            customer_id,
            contract_id: None,
            status,
            expiring_within_days: self.expiring_within_days,
        })
    }
}

/// Pages by offset in name order; `next` repeats the filters.
pub async fn list<K: Kind>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<InventoryQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewInventory)?;
    let params = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = params.page("name", query.q.clone().unwrap_or_default())?;
    let filter = query.filter()?;
    let mut conn = state.pool.acquire().await?;
    let today = repo::today(&mut conn, actor.tenant_id).await?;
    let result = K::list(&mut conn, actor.tenant_id, &filter, &page, today).await?;
    let days = query.expiring_within_days.map(|d| d.to_string());
    let filters = [
        ("q", query.q.as_deref()),
        ("customer_id", query.customer_id.as_deref()),
        ("status", query.status.as_deref()),
        ("expiring_within_days", days.as_deref()),
    ];
    let next = ListParams::next(K::PATH, &page, &result, &filters);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

pub async fn show<K: Kind>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<K::Record>, ApiError> {
    actor.require(Permission::ViewInventory)?;
    let mut conn = state.pool.acquire().await?;
    let record = K::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(record))
}

pub async fn create<K: Kind>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageInventory)?;
    let input: K::Input = parse_body(&body)?;
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let id = K::save(conn, &who, None, &input).await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

/// Changes the fields given; the merged record is validated as a whole.
pub async fn patch<K: Kind>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageInventory)?;
    let mut tx = state.pool.begin().await?;
    let stored = K::load(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&K::input(stored), &body)?;
    K::save(&mut tx, &actor, Some(id), &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
