//! `/api/v1/customers/{id}/credentials` and `/api/v1/credentials/{id}`: the password
//! vault. Reads never carry a secret; `POST /credentials/{id}/reveal` returns one and is
//! audited. The idempotency record of a create keeps a keyed hash of the body, never a
//! plain hash of a secret.

use super::{idempotent, parse_body, patched, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::Permission;
use app::error::AppError;
use app::vault::crypto::{Secret, VaultKey};
use app::vault::{api, repo, CredentialInput, CredentialOwner};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/credentials", get(list).post(create))
        .route("/credentials/{id}", get(show).patch(patch))
        .route("/credentials/{id}/reveal", post(reveal))
}

fn key(state: &AppState) -> Result<&VaultKey, ApiError> {
    state.vault.as_ref().ok_or_else(|| {
        tracing::error!("the vault key is not loaded; secrets can be neither stored nor revealed");
        ApiError(AppError::Internal)
    })
}

/// A new credential: its fields and its secret, which only this type holds and which is
/// never serialized again.
#[derive(serde::Deserialize)]
struct NewCredential {
    #[serde(flatten)]
    input: CredentialInput,
    secret: Option<String>,
}

/// The `secret` of a PATCH body, taken out so the rest patches the stored fields.
fn take_secret(changes: &mut Map<String, Value>) -> Result<Option<Secret>, ApiError> {
    match changes.remove("secret") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(Secret::new(text))),
        Some(_) => Err(ApiError(AppError::field("secret", "must be a string"))),
    }
}

/// One page of the customer's credentials by label, without secrets.
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer_id): Path<Uuid>,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewCredentials)?;
    let page = params.page("label", String::new())?;
    let mut conn = state.pool.acquire().await?;
    repo::customer_label(&mut conn, actor.tenant_id, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = CredentialOwner::Customer(customer_id);
    let result = repo::list(&mut conn, actor.tenant_id, owner, &page).await?;
    let path = format!("customers/{customer_id}/credentials");
    let next = ListParams::next(&path, &page, &result, &[]);
    Ok(Json(
        json!({ "items": result.items, "total": result.total, "next": next }),
    ))
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer_id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageCredentials)?;
    let key = key(&state)?.clone();
    let NewCredential { input, secret } = parse_body(&body)?;
    let fingerprint = key.fingerprint(&body);
    let who = actor.clone();
    idempotent(&state, &actor, &headers, &fingerprint, move |conn| {
        Box::pin(async move {
            let secret = secret.map(Secret::new);
            let id = api::create(conn, &who, &key, customer_id, &input, secret).await?;
            Ok((StatusCode::CREATED, json!({ "id": id })))
        })
    })
    .await
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<app::vault::Credential>, ApiError> {
    actor.require(Permission::ViewCredentials)?;
    let mut conn = state.pool.acquire().await?;
    let credential = repo::load(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(credential))
}

/// Changes the fields given; `secret` replaces the secret. The merged record is validated
/// as a whole.
async fn patch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageCredentials)?;
    let key = key(&state)?;
    let Value::Object(mut changes) = parse_body(&body)? else {
        return Err(ApiError(AppError::field("body", "must be a JSON object")));
    };
    let secret = take_secret(&mut changes)?;
    let fields = serde_json::to_vec(&changes).unwrap_or_default();
    let mut tx = state.pool.begin().await?;
    let stored = repo::load(&mut tx, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = patched(&stored.data, &fields)?;
    api::update(&mut tx, &actor, key, id, &input, secret).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The secret, after the audit entry is committed; no cache may keep the answer.
async fn reveal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    actor.require(Permission::RevealCredentials)?;
    let key = key(&state)?;
    let mut tx = state.pool.begin().await?;
    let revealed = api::reveal(&mut tx, &actor, key, id).await?;
    tx.commit().await?;
    let mut response = Json(revealed).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Paths and schemas of the vault for the OpenAPI document.
pub fn describe(doc: &mut Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    let problem = json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let errors = |extra: Value| {
        let mut answers = json!({
            "401": { "description": "Missing or unknown bearer token", "content": problem["content"] },
            "403": { "description": "The token lacks the scope", "content": problem["content"] },
            "404": { "description": "Not in this tenant", "content": problem["content"] },
        });
        if let (Some(answers), Value::Object(extra)) = (answers.as_object_mut(), extra) {
            answers.extend(extra);
        }
        answers
    };
    let ok = |code: &str, what: &str, schema: Value| json!({ code: { "description": what, "content": { "application/json": { "schema": schema } } } });
    let id_param = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid }]);
    let invalid = json!({ "422": { "description": "Invalid input; `errors` names each field", "content": problem["content"] } });
    let merge = |mut a: Value, b: Value| {
        if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
            a.extend(b);
        }
        a
    };
    let paths = json!({
        "/customers/{id}/credentials": {
            "parameters": id_param,
            "get": {
                "summary": "The customer's credentials by label, never with secrets (scope vault:read)",
                "parameters": [
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                    { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                ],
                "responses": merge(errors(json!({})), ok("200", "One page", json!({ "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Credential" } },
                    "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } }))),
            },
            "post": {
                "summary": "Store a credential of the customer (scope vault:write); the secret is encrypted (AES-256-GCM) with the server's vault key",
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewCredential" } } } },
                "responses": merge(errors(invalid.clone()), ok("201", "Stored", json!({ "type": "object", "properties": { "id": uuid } }))),
            },
        },
        "/credentials/{id}": {
            "parameters": id_param,
            "get": {
                "summary": "A credential without its secret (scope vault:read)",
                "responses": merge(errors(json!({})), ok("200", "The credential", json!({ "$ref": "#/components/schemas/Credential" }))),
            },
            "patch": {
                "summary": "Change some fields (scope vault:write); `secret` replaces the secret, re-encrypted with a fresh nonce",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewCredential" } } } },
                "responses": merge(errors(invalid), json!({ "204": { "description": "Changed" } })),
            },
        },
        "/credentials/{id}/reveal": {
            "parameters": id_param,
            "post": {
                "summary": "The credential's secret (scope vault:reveal); every reveal is recorded in the audit log",
                "responses": merge(errors(json!({})), ok("200", "The secret (Cache-Control: no-store)", json!({ "type": "object", "properties": {
                    "credential_id": uuid, "secret": { "type": "string" } } }))),
            },
        },
    });
    let kind = json!({ "type": "string", "enum": app::vault::CredentialKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() });
    let input = json!({
        "kind": kind, "label": { "type": "string", "maxLength": 200 }, "host": { "type": "string" },
        "port": { "type": ["integer", "null"], "minimum": 1, "maximum": 65535 }, "username": { "type": "string" },
        "url": { "type": "string", "description": "with its scheme, e.g. https://example.de/login" },
        "notes": { "type": "string" },
        "server_id": { "type": ["string", "null"], "format": "uuid", "description": "one of the customer's servers" },
        "domain_id": { "type": ["string", "null"], "format": "uuid", "description": "one of the customer's domains" },
    });
    let mut new_input = input.clone();
    new_input["secret"] =
        json!({ "type": "string", "writeOnly": true, "description": "required when creating" });
    let schemas = json!({
        "CredentialInput": { "type": "object", "properties": input },
        "NewCredential": { "type": "object", "required": ["label", "secret"], "properties": new_input },
        "Credential": { "type": "object", "properties": {
            "id": uuid, "customer_id": uuid, "customer_label": { "type": "string" },
            "server_label": { "type": ["string", "null"] }, "domain_label": { "type": ["string", "null"] },
            "data": { "$ref": "#/components/schemas/CredentialInput" },
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
