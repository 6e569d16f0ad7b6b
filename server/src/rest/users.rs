//! `/api/v1/users`: the tenant's staff users.

use super::{idempotent, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::Permission;
use app::error::AppError;
use app::users::InviteInput;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::json;
use uuid::Uuid;

type UserRow = (
    Uuid,
    String,
    String,
    Vec<String>,
    bool,
    bool,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// One page of the tenant's users as the API answers it. Ordered by id, so the cursor
/// (the last id) stays stable while users are added.
pub async fn page(
    pool: &sqlx::PgPool,
    tenant_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<serde_json::Value> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "select u.id, u.email, u.display_name, m.roles, m.active and u.active, u.totp_enabled_at is not null, u.created_at
         from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.user_id > coalesce($2, '00000000-0000-0000-0000-000000000000'::uuid)
         order by m.user_id limit $3",
    )
    .bind(tenant_id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let more = i64::try_from(rows.len()).unwrap_or(0) > limit;
    let items: Vec<_> = rows
        .iter()
        .take(usize::try_from(limit).unwrap_or(50))
        .map(|(id, email, name, roles, active, totp, created)| {
            json!({ "id": id, "email": email, "display_name": name, "roles": roles, "active": active,
                    "totp_enabled": totp, "created_at": created })
        })
        .collect();
    let next = more
        .then(|| {
            items
                .last()
                .and_then(|u| u["id"].as_str())
                .map(|id| format!("/api/v1/users?limit={limit}&cursor={id}"))
        })
        .flatten();
    Ok(json!({ "items": items, "next": next }))
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<ListParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    actor.require(Permission::ViewUsers)?;
    let after = match params.cursor.as_deref() {
        Some(cursor) => Some(
            Uuid::parse_str(cursor)
                .map_err(|_| AppError::field("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    Ok(Json(
        page(&state.pool, actor.tenant_id, after, params.limit()).await?,
    ))
}

/// Invites a user (roles as in the UI); answers with the invitation link.
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageUsers)?;
    let input: InviteInput = serde_json::from_slice(&body)
        .map_err(|e| AppError::field("body", format!("is not a valid user: {e}")))?;
    let public_url = state.config.public_url.clone();
    let actor_for_action = actor.clone();
    idempotent(&state, &actor, &headers, &body, move |conn| {
        Box::pin(async move {
            let invitation =
                app::users::api::invite(conn, &actor_for_action, &input, &public_url).await?;
            Ok((
                StatusCode::CREATED,
                json!({ "id": invitation.user_id, "invitation_link": invitation.link }),
            ))
        })
    })
    .await
}
