//! The OpenAPI description of `/api/v1` and a readable page of it at `/api/docs`.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::{json, Value};

fn problem_ref() -> Value {
    json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn responses(ok_code: &str, ok_description: &str, ok_schema: Value) -> Value {
    json!({
        ok_code: { "description": ok_description, "content": { "application/json": { "schema": ok_schema } } },
        "401": { "description": "Missing or unknown bearer token", "content": problem_ref()["content"] },
        "403": { "description": "The token lacks the scope", "content": problem_ref()["content"] },
        "422": { "description": "Invalid input; `errors` names each field", "content": problem_ref()["content"] },
    })
}

pub fn document() -> Value {
    let scopes: serde_json::Map<String, Value> = app::domain::permissions::SCOPES
        .iter()
        .map(|(scope, permission)| ((*scope).to_owned(), json!(format!("{permission:?}"))))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kontor API",
            "version": "1",
            "description": "Customers, contracts, billing and projects of a Kontor tenant. Money is a decimal string with a `currency`; dates are `YYYY-MM-DD`; instants RFC 3339 UTC; ids UUIDs. Lists page with `limit` and `cursor` and return a `next` link. Creates accept an `Idempotency-Key` header."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/me": { "get": {
                "summary": "The token's tenant and scopes",
                "responses": responses("200", "The caller", json!({ "$ref": "#/components/schemas/Me" })),
            }},
            "/users": {
                "get": {
                    "summary": "Staff users of the tenant (scope users:read)",
                    "parameters": [
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                        { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                    ],
                    "responses": responses("200", "One page of users", json!({ "$ref": "#/components/schemas/UserPage" })),
                },
                "post": {
                    "summary": "Invite a user (scope users:write)",
                    "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewUser" } } } },
                    "responses": responses("201", "Invited; the link lets the person set a password", json!({
                        "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "invitation_link": { "type": "string" } }
                    })),
                },
            },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "API token; scopes:", "x-scopes": scopes } },
            "schemas": {
                "Problem": { "type": "object", "description": "RFC 9457", "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "detail": { "type": "string" },
                    "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } },
                }},
                "Me": { "type": "object", "properties": {
                    "tenant": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "slug": { "type": "string" }, "legal_name": { "type": "string" } } },
                    "token": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "scopes": { "type": "array", "items": { "type": "string" } } } },
                }},
                "User": { "type": "object", "properties": {
                    "id": { "type": "string", "format": "uuid" }, "email": { "type": "string" }, "display_name": { "type": "string" },
                    "roles": { "type": "array", "items": { "$ref": "#/components/schemas/Role" } }, "active": { "type": "boolean" },
                    "totp_enabled": { "type": "boolean" }, "created_at": { "type": "string", "format": "date-time" },
                }},
                "UserPage": { "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/User" } },
                    "next": { "type": ["string", "null"] },
                }},
                "NewUser": { "type": "object", "required": ["email", "display_name", "roles"], "properties": {
                    "email": { "type": "string", "format": "email" }, "display_name": { "type": "string" },
                    "roles": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/Role" } },
                }},
                "Role": { "type": "string", "enum": ["admin", "accountant", "project_manager", "staff", "support"] },
            },
        },
    })
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Json(document()))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A plain page listing every operation; the JSON stays the source of truth.
pub async fn page() -> Html<String> {
    let doc = document();
    let mut rows = String::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, operations) in paths {
            for (method, operation) in operations.as_object().into_iter().flatten() {
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>/api/v1{}</code></td><td>{}</td></tr>",
                    method.to_uppercase(),
                    escape(path),
                    escape(operation["summary"].as_str().unwrap_or_default())
                ));
            }
        }
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Kontor API</title><link rel=\"stylesheet\" href=\"/pkg/kontor.css\"></head><body><main id=\"main\" class=\"docs\">\
         <h1>Kontor API v1</h1><p>{}</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">openapi.json</a>. \
         Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>; tokens are created under API tokens in Kontor or with \
         <code>kontor token create</code>. Errors are <code>application/problem+json</code>.</p>\
         <table class=\"table\"><thead><tr><th scope=\"col\">Method</th><th scope=\"col\">Path</th><th scope=\"col\">What</th></tr></thead><tbody>{rows}</tbody></table>\
         </main></body></html>",
        escape(doc["info"]["description"].as_str().unwrap_or_default())
    ))
}
