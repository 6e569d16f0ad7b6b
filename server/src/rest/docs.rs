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
            "/customers": {
                "get": {
                    "summary": "Customers, by number (scope customers:read)",
                    "parameters": [
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                        { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                        { "name": "q", "in": "query", "description": "name, number, e-mail or city", "schema": { "type": "string" } },
                        { "name": "tag", "in": "query", "schema": { "type": "string" } },
                    ],
                    "responses": responses("200", "One page of customers", json!({ "type": "object", "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/CustomerRow" } },
                        "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } })),
                },
                "post": {
                    "summary": "Create a customer (scope customers:write); 409 lists look-alikes unless ignore_duplicates=true",
                    "parameters": [
                        { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } },
                        { "name": "ignore_duplicates", "in": "query", "schema": { "type": "boolean" } },
                    ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CustomerData" } } } },
                    "responses": responses("201", "Created with its customer number", json!({ "type": "object", "properties": {
                        "id": { "type": "string", "format": "uuid" }, "number": { "type": "string" } } })),
                },
            },
            "/customers/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "get": {
                    "summary": "A customer with master data and contacts (scope customers:read)",
                    "responses": responses("200", "The customer", json!({ "type": "object", "properties": {
                        "id": { "type": "string", "format": "uuid" }, "number": { "type": "string" }, "display_name": { "type": "string" },
                        "archived": { "type": "boolean" }, "data": { "$ref": "#/components/schemas/CustomerData" },
                        "contacts": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } } } })),
                },
                "patch": {
                    "summary": "Change some fields of a customer (scope customers:write)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CustomerData" } } } },
                    "responses": { "204": { "description": "Changed" }, "422": { "description": "Invalid input", "content": problem_ref()["content"] } },
                },
            },
            "/customers/{id}/contacts": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "get": {
                    "summary": "Contacts of a customer (scope customers:read)",
                    "responses": responses("200", "All contacts", json!({ "type": "object", "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } } } })),
                },
                "post": {
                    "summary": "Add a contact (scope customers:write)",
                    "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Contact" } } } },
                    "responses": responses("201", "Added", json!({ "type": "object", "properties": { "id": { "type": "string", "format": "uuid" } } })),
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
                "CustomerRow": { "type": "object", "properties": {
                    "id": { "type": "string", "format": "uuid" }, "number": { "type": "string" }, "display_name": { "type": "string" },
                    "kind": { "type": "string", "enum": ["company", "person"] }, "email": { "type": "string" }, "city": { "type": "string" },
                    "country": { "type": "string" }, "tags": { "type": "array", "items": { "type": "string" } }, "archived": { "type": "boolean" },
                }},
                "CustomerData": { "type": "object", "description": "Companies need company_name, persons last_name. vat_id is checked (EU formats, German check digit).", "properties": {
                    "kind": { "type": "string", "enum": ["company", "person"] }, "company_name": { "type": "string" },
                    "first_name": { "type": "string" }, "last_name": { "type": "string" }, "email": { "type": "string" },
                    "phone": { "type": "string" }, "website": { "type": "string" }, "billing_street": { "type": "string" },
                    "billing_postal_code": { "type": "string" }, "billing_city": { "type": "string" },
                    "billing_country": { "type": "string", "pattern": "^[A-Z]{2}$" }, "separate_postal_address": { "type": "boolean" },
                    "postal_street": { "type": "string" }, "postal_postal_code": { "type": "string" }, "postal_city": { "type": "string" },
                    "postal_country": { "type": "string" }, "vat_id": { "type": "string" },
                    "tax_treatment": { "type": "string", "enum": ["domestic", "eu_reverse_charge", "third_country", "small_business"] },
                    "payment_terms_days": { "type": "integer", "minimum": 0, "maximum": 365 }, "language": { "type": "string", "enum": ["de", "en"] },
                    "tags": { "type": "array", "items": { "type": "string" } }, "notes": { "type": "string" },
                    "custom_fields": { "type": "array", "items": { "type": "object", "properties": { "key": { "type": "string" }, "value": { "type": "string" } } } },
                }},
                "Contact": { "type": "object", "required": ["last_name"], "properties": {
                    "id": { "type": "string", "format": "uuid", "readOnly": true }, "salutation": { "type": "string" },
                    "first_name": { "type": "string" }, "last_name": { "type": "string" },
                    "role": { "type": "string", "enum": ["management", "billing", "technical", "other"] },
                    "email": { "type": "string" }, "phone": { "type": "string" }, "is_primary": { "type": "boolean" },
                }},
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
