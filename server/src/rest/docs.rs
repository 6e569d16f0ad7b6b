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

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn nullable_uuid() -> Value {
    json!({ "type": ["string", "null"], "format": "uuid" })
}

fn date() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

/// `GET`/`POST` of an inventory kind (domains, servers, certificates).
fn inventory_list(what: &str, one: &str, row: &str, input: &str) -> Value {
    json!({
        "get": {
            "summary": format!("{what}, by name (scope inventory:read)"),
            "parameters": [
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                { "name": "q", "in": "query", "description": "words of the name (or host name, IP, issuer)", "schema": { "type": "string" } },
                { "name": "customer_id", "in": "query", "schema": { "type": "string", "format": "uuid" } },
                { "name": "status", "in": "query", "description": "domains only", "schema": { "type": "string" } },
                { "name": "expiring_within_days", "in": "query", "description": "domains and certificates: expiring by today + days, expired ones included", "schema": { "type": "integer" } },
            ],
            "responses": responses("200", "One page", json!({ "type": "object", "properties": {
                "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{row}") } },
                "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } })),
        },
        "post": {
            "summary": format!("Record a {one} (scope inventory:write); a name taken in the tenant is a 422 at its field"),
            "parameters": [{ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{input}") } } } },
            "responses": responses("201", "Recorded", json!({ "type": "object", "properties": { "id": uuid() } })),
        },
    })
}

/// `GET`/`PATCH` of one inventory record.
fn inventory_item(one: &str, record: &str, input: &str) -> Value {
    json!({
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid() }],
        "get": {
            "summary": format!("A {one} (scope inventory:read)"),
            "responses": responses("200", "The record", json!({ "$ref": format!("#/components/schemas/{record}") })),
        },
        "patch": {
            "summary": format!("Change some fields of a {one} (scope inventory:write)"),
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{input}") } } } },
            "responses": { "204": { "description": "Changed" }, "422": { "description": "Invalid input", "content": problem_ref()["content"] } },
        },
    })
}

pub fn document() -> Value {
    let scopes: serde_json::Map<String, Value> = app::domain::permissions::SCOPES
        .iter()
        .map(|(scope, permission)| ((*scope).to_owned(), json!(format!("{permission:?}"))))
        .collect();
    let mut doc = json!({
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
            "/domains": inventory_list("Domains", "domain", "DomainRow", "DomainInput"),
            "/domains/{id}": inventory_item("domain", "Domain", "DomainInput"),
            "/servers": inventory_list("Servers", "server", "ServerRow", "ServerInput"),
            "/servers/{id}": inventory_item("server", "Server", "ServerInput"),
            "/certificates": inventory_list("SSL certificates", "certificate", "CertificateRow", "CertificateInput"),
            "/certificates/{id}": inventory_item("certificate", "Certificate", "CertificateInput"),
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
                "DomainInput": { "type": "object", "required": ["customer_id", "name"],
                    "description": "name may be Unicode or punycode; it is stored as both. expires_on must not be before registered_on; contract_id must be a contract of the customer.",
                    "properties": {
                    "customer_id": uuid(), "contract_id": nullable_uuid(), "name": { "type": "string", "examples": ["müller-bäckerei.de"] },
                    "registrar": { "type": "string" }, "owner_handle": { "type": "string" }, "admin_handle": { "type": "string" },
                    "tech_handle": { "type": "string" }, "zone_handle": { "type": "string" }, "registered_on": date(), "expires_on": date(),
                    "auto_renew": { "type": "boolean", "default": true },
                    "status": { "type": "string", "enum": ["active", "pending", "transfer_in", "transfer_out", "expired", "redemption", "deleted"] },
                    "notes": { "type": "string" },
                }},
                "Domain": { "type": "object", "properties": {
                    "id": uuid(), "ascii_name": { "type": "string", "examples": ["xn--mller-bckerei-hfb76a.de"] }, "tld": { "type": "string" },
                    "customer_label": { "type": "string" }, "contract_label": { "type": ["string", "null"] },
                    "data": { "$ref": "#/components/schemas/DomainInput" },
                }},
                "DomainRow": { "type": "object", "properties": {
                    "id": uuid(), "name": { "type": "string" }, "ascii_name": { "type": "string" }, "customer_id": uuid(),
                    "customer": { "type": "string" }, "registrar": { "type": "string" }, "status": { "type": "string" },
                    "auto_renew": { "type": "boolean" }, "expires_on": date(), "days_left": { "type": ["integer", "null"], "description": "from the tenant's today; negative once expired" },
                }},
                "ServerInput": { "type": "object", "required": ["hostname"],
                    "description": "Without customer_id the server is the agency's own. hostname is stored in ASCII form.",
                    "properties": {
                    "customer_id": nullable_uuid(), "hostname": { "type": "string" },
                    "ip_addresses": { "type": "array", "items": { "type": "string", "examples": ["192.0.2.10", "2001:db8::1"] } },
                    "server_type": { "type": "string", "enum": ["dedicated", "vps", "managed", "shared", "colocation", "cloud"] },
                    "location": { "type": "string" }, "operating_system": { "type": "string" },
                    "cpu_cores": { "type": ["integer", "null"], "minimum": 1, "maximum": 1024 },
                    "memory_gb": { "type": ["integer", "null"], "minimum": 1, "maximum": 65536 },
                    "storage_gb": { "type": ["integer", "null"], "minimum": 1, "maximum": 10000000 },
                    "decommissioned_on": date(), "notes": { "type": "string" },
                }},
                "Server": { "type": "object", "properties": {
                    "id": uuid(), "customer_label": { "type": ["string", "null"] },
                    "contracts": { "type": "array", "items": { "type": "object", "properties": { "id": uuid(), "label": { "type": "string" } } } },
                    "data": { "$ref": "#/components/schemas/ServerInput" },
                }},
                "ServerRow": { "type": "object", "properties": {
                    "id": uuid(), "hostname": { "type": "string" }, "ip_addresses": { "type": "array", "items": { "type": "string" } },
                    "server_type": { "type": "string" }, "location": { "type": "string" }, "customer_id": nullable_uuid(),
                    "customer": { "type": ["string", "null"] }, "decommissioned": { "type": "boolean" },
                }},
                "CertificateInput": { "type": "object", "required": ["customer_id", "common_name", "expires_on"],
                    "description": "Names may be wildcards (*.example.de); domain_id must be the customer's, server_id the customer's or the agency's.",
                    "properties": {
                    "customer_id": uuid(), "contract_id": nullable_uuid(), "domain_id": nullable_uuid(), "server_id": nullable_uuid(),
                    "common_name": { "type": "string" }, "alt_names": { "type": "array", "items": { "type": "string" } },
                    "issuer": { "type": "string" }, "valid_from": date(), "expires_on": date(), "auto_renew": { "type": "boolean" },
                    "notes": { "type": "string" },
                }},
                "Certificate": { "type": "object", "properties": {
                    "id": uuid(), "ascii_name": { "type": "string" }, "customer_label": { "type": "string" },
                    "contract_label": { "type": ["string", "null"] }, "domain_label": { "type": ["string", "null"] },
                    "server_label": { "type": ["string", "null"] }, "data": { "$ref": "#/components/schemas/CertificateInput" },
                }},
                "CertificateRow": { "type": "object", "properties": {
                    "id": uuid(), "common_name": { "type": "string" }, "ascii_name": { "type": "string" }, "customer_id": uuid(),
                    "customer": { "type": "string" }, "issuer": { "type": "string" }, "auto_renew": { "type": "boolean" },
                    "expires_on": date(), "days_left": { "type": "integer" },
                }},
                "Contact": { "type": "object", "required": ["last_name"], "properties": {
                    "id": { "type": "string", "format": "uuid", "readOnly": true }, "salutation": { "type": "string" },
                    "first_name": { "type": "string" }, "last_name": { "type": "string" },
                    "role": { "type": "string", "enum": ["management", "billing", "technical", "other"] },
                    "email": { "type": "string" }, "phone": { "type": "string" }, "is_primary": { "type": "boolean" },
                }},
            },
        },
    });
    add_contracts(&mut doc);
    super::checks::add_docs(&mut doc);
    super::usage::add_docs(&mut doc);
    super::billing::add_docs(&mut doc);
    super::sepa::add_docs(&mut doc);
    super::payments::add_docs(&mut doc);
    super::dunning::add_docs(&mut doc);
    super::accounting::add_docs(&mut doc);
    super::projects::add_docs(&mut doc);
    super::quotes::add_docs(&mut doc);
    crate::rest::vault::describe(&mut doc);
    doc
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

fn money() -> Value {
    json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "examples": ["19.00"] })
}

/// Products and contracts: paths and schemas.
fn add_contracts(doc: &mut Value) {
    let paging = json!([
        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
        { "name": "cursor", "in": "query", "schema": { "type": "string" } },
    ]);
    let idempotency = json!({ "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 } });
    let id_param = json!([{ "name": "id", "in": "path", "required": true, "schema": uuid() }]);
    let body = |schema: &str| json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    let no_content = json!({ "204": { "description": "Done" }, "404": { "description": "Not in this tenant", "content": problem_ref()["content"] },
        "422": { "description": "Invalid input", "content": problem_ref()["content"] } });
    let list_of = |row: &str| {
        json!({ "type": "object", "properties": {
        "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{row}") } },
        "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } })
    };
    let mut contract_filters = paging.as_array().cloned().unwrap_or_default();
    contract_filters.extend([
        json!({ "name": "q", "in": "query", "description": "number, description or customer", "schema": { "type": "string" } }),
        json!({ "name": "customer_id", "in": "query", "schema": uuid() }),
        json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["active", "upcoming", "past", "all"], "default": "all" } }),
        json!({ "name": "billing_interval", "in": "query", "schema": { "type": "string", "enum": ["monthly", "quarterly", "half_yearly", "yearly", "biennial"] } }),
        json!({ "name": "cancelled", "in": "query", "schema": { "type": "boolean" } }),
    ]);
    let mut product_filters = paging.as_array().cloned().unwrap_or_default();
    product_filters.extend([
        json!({ "name": "q", "in": "query", "description": "name or SKU", "schema": { "type": "string" } }),
        json!({ "name": "include_inactive", "in": "query", "schema": { "type": "boolean" } }),
    ]);
    let paths = json!({
        "/products": {
            "get": { "summary": "The product catalog (scope products:read)", "parameters": product_filters,
                "responses": responses("200", "One page", list_of("ProductRow")) },
            "post": { "summary": "Add a product (scope products:write); a taken SKU is a 422 at sku", "parameters": [idempotency.clone()],
                "requestBody": body("ProductInput"), "responses": responses("201", "Added", json!({ "type": "object", "properties": { "id": uuid() } })) },
        },
        "/products/{id}": {
            "parameters": id_param.clone(),
            "get": { "summary": "A product (scope products:read)", "responses": responses("200", "The product", json!({ "type": "object", "properties": {
                "id": uuid(), "data": { "$ref": "#/components/schemas/ProductInput" }, "contract_count": { "type": "integer" } } })) },
            "patch": { "summary": "Change some fields of a product (scope products:write)", "requestBody": body("ProductInput"), "responses": no_content.clone() },
        },
        "/contracts": {
            "get": { "summary": "Contracts, by number (scope contracts:read)", "parameters": contract_filters,
                "responses": responses("200", "One page", list_of("ContractRow")) },
            "post": { "summary": "Create a contract (scope contracts:write); it gets the next contract number", "parameters": [idempotency],
                "requestBody": body("ContractInput"), "responses": responses("201", "Created", json!({ "type": "object", "properties": { "id": uuid(), "number": { "type": "string" } } })) },
        },
        "/contracts/{id}": {
            "parameters": id_param.clone(),
            "get": { "summary": "A contract with its price history, next charges and linked domains and servers (scope contracts:read)",
                "responses": responses("200", "The contract", json!({ "$ref": "#/components/schemas/Contract" })) },
            "patch": { "summary": "Change some fields (scope contracts:write). Once billed, start, fee, unit, interval, mode, quantity and discount are fixed (422 at the field): use /prices and /cancel",
                "requestBody": body("ContractInput"), "responses": no_content.clone() },
        },
        "/contracts/{id}/cancel": {
            "parameters": id_param.clone(),
            "post": { "summary": "Cancel (scope contracts:write): the end is the earliest possible end after minimum term and notice period, or the later end_date given; an earlier end only with early=true, crediting billed days after it. 409 when already cancelled",
                "requestBody": body("CancelInput"), "responses": responses("200", "Cancelled", json!({ "$ref": "#/components/schemas/CancelOutcome" })) },
        },
        "/contracts/{id}/prices": {
            "parameters": id_param,
            "post": { "summary": "A new fee from valid_from on (scope contracts:write); it applies to periods starting on or after it and must lie after billed_until",
                "requestBody": body("PriceChangeInput"), "responses": no_content },
        },
    });
    let charge = json!({ "type": "object", "properties": {
        "period": { "type": "object", "properties": { "from": date(), "to": date() } },
        "amount": money(), "prorated": { "type": "boolean" }, "due_on": date() } });
    let fee_unit = json!({ "type": "string", "enum": ["month", "quarter", "year", "two_years"] });
    let interval = json!({ "type": "string", "enum": ["monthly", "quarterly", "half_yearly", "yearly", "biennial"] });
    let vat = json!({ "type": "string", "enum": ["standard", "reduced", "zero", "exempt"] });
    let schemas = json!({
        "ProductInput": { "type": "object", "required": ["sku", "name", "sale_price"], "properties": {
            "sku": { "type": "string", "maxLength": 40 }, "name": { "type": "string" }, "description": { "type": "string" },
            "kind": { "type": "string", "enum": ["hosting", "domain", "server", "certificate", "email", "service", "other"] },
            "unit": { "type": "string" }, "cost_price": money(), "sale_price": money(), "setup_fee": money(),
            "vat_category": vat, "fee_unit": fee_unit, "billing_interval": interval, "active": { "type": "boolean" },
            "tiers": { "type": "array", "description": "from min_quantity on, every unit costs unit_price",
                "items": { "type": "object", "properties": { "min_quantity": money(), "unit_price": money() } } },
        }},
        "ProductRow": { "type": "object", "properties": {
            "id": uuid(), "sku": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" }, "unit": { "type": "string" },
            "cost_price": money(), "sale_price": money(), "fee_unit": fee_unit, "billing_interval": interval, "vat_category": vat,
            "active": { "type": "boolean" }, "tier_count": { "type": "integer" },
        }},
        "ContractInput": { "type": "object", "required": ["customer_id", "description", "start_date", "fee"],
            "description": "Amounts are decimal strings (German 19,00 is accepted too); end_date empty = open-ended.",
            "properties": {
            "customer_id": uuid(), "product_id": nullable_uuid(), "description": { "type": "string", "maxLength": 500 },
            "start_date": date(), "end_date": { "type": "string", "description": "YYYY-MM-DD or empty" },
            "minimum_term_months": { "type": "integer", "minimum": 0, "maximum": 120 },
            "notice_amount": { "type": "integer", "minimum": 0, "maximum": 730 },
            "notice_unit": { "type": "string", "enum": ["days", "weeks", "months"] },
            "setup_fee": money(), "fee": money(), "fee_unit": fee_unit, "quantity": money(),
            "discount_percent": money(), "vat_category": vat, "billing_interval": interval,
            "billing_mode": { "type": "string", "enum": ["in_advance", "in_arrears"] }, "notes": { "type": "string" },
        }},
        "ContractRow": { "type": "object", "properties": {
            "id": uuid(), "number": { "type": "string" }, "customer_id": uuid(), "customer_number": { "type": "string" },
            "customer_name": { "type": "string" }, "product_name": { "type": ["string", "null"] }, "description": { "type": "string" },
            "start_date": date(), "end_date": date(), "setup_fee": money(), "setup_fee_billed": { "type": "boolean" },
            "fee": money(), "fee_unit": fee_unit, "quantity": money(), "billing_interval": interval,
            "billing_mode": { "type": "string" }, "billed_until": date(),
            "status": { "type": "string", "enum": ["active", "upcoming", "past"] }, "cancelled": { "type": "boolean" },
            "currency": { "type": "string" }, "next_charge": charge.clone(),
        }},
        "Contract": { "type": "object", "properties": {
            "id": uuid(), "number": { "type": "string" }, "customer_number": { "type": "string" }, "customer_name": { "type": "string" },
            "data": { "$ref": "#/components/schemas/ContractInput" }, "currency": { "type": "string" }, "status": { "type": "string" },
            "billed_until": date(), "setup_fee_billed": { "type": "boolean" },
            "price_changes": { "type": "array", "items": { "type": "object", "properties": { "valid_from": date(), "fee": money() } } },
            "upcoming": { "type": "array", "items": charge.clone() },
            "cancellation": { "type": ["object", "null"], "properties": { "notice_given_on": date(), "end_date": date(), "reason": { "type": "string" } } },
            "earliest_end_today": date(),
            "assets": { "type": "array", "items": { "type": "object", "properties": { "id": uuid(), "kind": { "type": "string" }, "name": { "type": "string" } } } },
        }},
        "CancelInput": { "type": "object", "properties": {
            "notice_given_on": { "type": "string", "description": "default: today" },
            "end_date": { "type": "string", "description": "default: the earliest possible end" },
            "early": { "type": "boolean" }, "reason": { "type": "string" },
        }},
        "CancelOutcome": { "type": "object", "properties": { "end_date": date(), "earliest_end": date(), "credit": charge } },
        "PriceChangeInput": { "type": "object", "required": ["valid_from", "fee"], "properties": { "valid_from": date(), "fee": money() } },
    });
    merge(doc, paths, schemas);
}

/// Adds an area's paths and component schemas to the document.
pub fn merge(doc: &mut Value, paths: Value, schemas: Value) {
    for (section, values) in [("paths", paths), ("schemas", schemas)] {
        let target = if section == "paths" {
            &mut doc["paths"]
        } else {
            &mut doc["components"]["schemas"]
        };
        if let (Some(target), Value::Object(values)) = (target.as_object_mut(), values) {
            target.extend(values);
        }
    }
}
