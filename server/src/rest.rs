//! REST API `/api/v1`: bearer tokens with scopes, RFC 9457 problem responses with field
//! errors, cursor paging, idempotency keys on creates, and the OpenAPI description.

pub mod accounting;
pub mod billing;
pub mod checks;
pub mod contracts;
pub mod customers;
pub mod docs;
pub mod dunning;
pub mod inventory;
pub mod payments;
pub mod projects;
pub mod quotes;
pub mod registrar;
pub mod sepa;
pub mod usage;
pub mod users;
pub mod vault;

use crate::startup::AppState;
use app::auth::context::{Actor, Credential};
use app::error::AppError;
use app::i18n::Lang;
use app::ui::paging::{Page, PageRequest};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/users", get(users::list).post(users::create))
        .route("/customers", get(customers::list).post(customers::create))
        .route(
            "/customers/{id}",
            get(customers::get).patch(customers::patch),
        )
        .route(
            "/customers/{id}/contacts",
            get(customers::contacts).post(customers::add_contact),
        )
        .merge(contracts::routes())
        .merge(inventory::routes())
        .merge(checks::routes())
        .merge(vault::routes())
        .merge(registrar::routes())
        .merge(usage::routes())
        .merge(billing::routes())
        .merge(sepa::routes())
        .merge(payments::routes())
        .merge(dunning::routes())
        .merge(accounting::routes())
        .merge(projects::routes())
        .merge(quotes::routes())
        .route("/openapi.json", get(docs::openapi))
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// An error of the REST API, answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": self.0.message(Lang::En),
        });
        if let AppError::Validation(errors) = &self.0 {
            body["errors"] = json!(errors
                .0
                .iter()
                .map(|e| json!({ "field": e.field, "message": e.message }))
                .collect::<Vec<_>>());
        }
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The caller of an API route, from `Authorization: Bearer <token>`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError(AppError::Unauthorized))?;
        let mut conn = state.pool.acquire().await?;
        let grant = app::tokens::repo::find(&mut conn, token)
            .await?
            .ok_or(ApiError(AppError::Unauthorized))?;
        let lang = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or(Lang::En);
        Ok(ApiActor(Actor {
            user_id: grant.created_by,
            tenant_id: grant.tenant_id,
            roles: Vec::new(),
            customer_id: None,
            label: format!("api:{}", grant.name),
            ip: None,
            lang,
            credential: Credential::ApiToken {
                token_id: grant.id,
                scopes: grant.scopes,
            },
        }))
    }
}

async fn me(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (slug, legal_name): (String, String) =
        sqlx::query_as("select slug, legal_name from tenants where id = $1")
            .bind(actor.tenant_id)
            .fetch_one(&state.pool)
            .await?;
    let (token_id, scopes) = match &actor.credential {
        Credential::ApiToken { token_id, scopes } => (Some(*token_id), scopes.clone()),
        Credential::Session { .. } | Credential::System => (None, Vec::new()),
    };
    Ok(Json(json!({
        "tenant": { "id": actor.tenant_id, "slug": slug, "legal_name": legal_name },
        "token": { "id": token_id, "name": actor.label.trim_start_matches("api:"), "scopes": scopes },
    })))
}

/// Runs a create once per `Idempotency-Key`: a repeat with the same body returns the first
/// answer; the same key with another body is refused. Key check, action and stored answer
/// share one transaction, so two concurrent repeats cannot both act.
pub async fn idempotent<F>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    body: &[u8],
    action: F,
) -> Result<Response, ApiError>
where
    F: for<'c> FnOnce(
        &'c mut sqlx::PgConnection,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<(StatusCode, serde_json::Value), ApiError>>
                + Send
                + 'c,
        >,
    >,
{
    use sha2::Digest;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let mut tx = state.pool.begin().await?;
    let request_hash = sha2::Sha256::digest(body).to_vec();
    if let Some(key) = key {
        if key.len() > 200 {
            return Err(ApiError(AppError::field(
                "Idempotency-Key",
                "must be at most 200 characters",
            )));
        }
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1::text || $2, 0))")
            .bind(actor.tenant_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        let earlier: Option<(Vec<u8>, i16, Vec<u8>)> = sqlx::query_as(
            "select request_hash, status, body from idempotency_keys where tenant_id = $1 and key = $2",
        )
        .bind(actor.tenant_id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((hash, status, stored)) = earlier {
            if hash != request_hash {
                return Err(ApiError(AppError::field(
                    "Idempotency-Key",
                    "was already used with a different request",
                )));
            }
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(200))
                .unwrap_or(StatusCode::OK);
            let mut response = (status, stored).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            response.headers_mut().insert(
                "idempotent-replayed",
                header::HeaderValue::from_static("true"),
            );
            return Ok(response);
        }
    }
    let (status, value) = action(&mut tx).await?;
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    if let Some(key) = key {
        sqlx::query("insert into idempotency_keys (tenant_id, key, request_hash, status, body) values ($1, $2, $3, $4, $5)")
            .bind(actor.tenant_id)
            .bind(key)
            .bind(&request_hash)
            .bind(i16::try_from(status.as_u16()).unwrap_or(200))
            .bind(&bytes)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok((status, Json(value)).into_response())
}

/// A JSON request body, or a problem naming it.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError(AppError::field("body", format!("is not valid: {e}"))))
}

/// For PATCH: the stored input with the body's fields replaced. Unknown fields are refused;
/// the caller validates the result as a whole.
pub fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(
    stored: &T,
    body: &[u8],
) -> Result<T, ApiError> {
    let serde_json::Value::Object(changes) = parse_body(body)? else {
        return Err(ApiError(AppError::field("body", "must be a JSON object")));
    };
    let mut merged = serde_json::to_value(stored).unwrap_or_default();
    for (key, value) in changes {
        if merged.get(&key).is_none() {
            return Err(ApiError(AppError::field(
                &key,
                "is not a field of this resource",
            )));
        }
        merged[key] = value;
    }
    serde_json::from_value(merged)
        .map_err(|e| ApiError(AppError::field("body", format!("is not valid: {e}"))))
}

/// Cursor paging parameters shared by list routes.
#[derive(serde::Deserialize)]
pub struct ListParams {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl ListParams {
    pub fn limit(&self) -> i64 {
        i64::from(self.limit.unwrap_or(50).clamp(1, 200))
    }

    /// The page the cursor names, for lists that page by offset (the cursor is the next
    /// offset): search results have no stable key order. An offset that is not a multiple
    /// of `limit` is rounded down.
    pub fn page(&self, sort: &str, search: String) -> Result<PageRequest, ApiError> {
        let limit = u32::try_from(self.limit()).unwrap_or(50);
        let offset: u32 = match self.cursor.as_deref() {
            Some(cursor) => cursor
                .parse()
                .map_err(|_| AppError::field("cursor", "is not a cursor from this API"))?,
            None => 0,
        };
        Ok(PageRequest {
            page: offset / limit + 1,
            per_page: limit,
            sort: sort.to_owned(),
            descending: false,
            search,
        })
    }

    /// The link to the page after `page` of `/api/v1/{path}`, if there is one, repeating
    /// the filters given.
    pub fn next<T>(
        path: &str,
        page: &PageRequest,
        result: &Page<T>,
        filters: &[(&str, Option<&str>)],
    ) -> Option<String> {
        let offset = page.page * page.per_page;
        let filters: String = filters
            .iter()
            .filter_map(|(name, value)| {
                value.map(|v| format!("&{name}={}", crate::startup::form_urlencoded_component(v)))
            })
            .collect();
        (result.total_capped || i64::from(offset) < result.total).then(|| {
            format!(
                "/api/v1/{path}?limit={}&cursor={offset}{filters}",
                page.per_page
            )
        })
    }
}
