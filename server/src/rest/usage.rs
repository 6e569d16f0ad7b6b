//! `/api/v1/usage-records` (import as JSON array or CSV, list) and
//! `/api/v1/products/{id}/usage-prices`.

use super::{parse_body, ApiActor, ApiError, ListParams};
use crate::startup::AppState;
use app::domain::Permission;
use app::error::AppError;
use app::usage::import::{import, ImportOptions};
use app::usage::{ImportReport, Source, UsageFilter, UsageInput, UsagePriceInput};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/usage-records",
            get(list)
                .post(import_records)
                // a usage export of a month is big; the CSV reader has the same limit
                .layer(DefaultBodyLimit::max(app::usage::MAX_IMPORT_BYTES)),
        )
        .route(
            "/products/{id}/usage-prices",
            get(get_prices).put(put_prices),
        )
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// A quantity as a JSON number or a decimal string.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Quantity {
    Number(serde_json::Number),
    Text(String),
}

/// One item of a JSON import.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    #[serde(default)]
    contract_number: String,
    #[serde(default)]
    contract_id: Option<Uuid>,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    period: String,
    quantity: Option<Quantity>,
    #[serde(default)]
    unit: String,
}

/// The report as the API answers it: rejected rows flattened to one entry per problem,
/// named by CSV `line` or JSON `index`.
fn report_json(report: &ImportReport, by_index: bool) -> Value {
    let rejected: Vec<Value> = report
        .rows
        .iter()
        .flat_map(|row| {
            row.problems.iter().map(move |problem| {
                let position = if by_index {
                    json!({ "index": row.line })
                } else {
                    json!({ "line": row.line })
                };
                let mut entry = position;
                entry["field"] = json!(problem.field);
                entry["message"] = json!(problem.message);
                entry["reference"] = json!(row.reference);
                entry
            })
        })
        .collect();
    json!({
        "dry_run": report.dry_run,
        "written": report.written,
        "total": report.total,
        "accepted": report.accepted,
        "rejected_rows": report.rejected,
        "rejected": rejected,
        "rejected_truncated": report.rejected > 0 && report.rows_truncated,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
    })
}

/// The index of an item that is not a usage row, and why.
type BrokenItem = (u32, String);

/// Items of a JSON array; an item that is not an object of the known fields is a rejected
/// row of its own (the others are still checked, so the report is complete).
fn items(body: &[u8]) -> Result<(Vec<UsageInput>, Vec<BrokenItem>), ApiError> {
    let values: Vec<Value> = parse_body(body)?;
    let mut rows = Vec::with_capacity(values.len());
    let mut broken = Vec::new();
    for (index, value) in values.into_iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match serde_json::from_value::<Item>(value) {
            Ok(item) => rows.push(UsageInput {
                line: index,
                contract: item
                    .contract_id
                    .map(|id| id.to_string())
                    .unwrap_or(item.contract_number),
                domain: item.domain,
                metric: item.metric,
                period: item.period,
                quantity: match item.quantity {
                    Some(Quantity::Number(number)) => number.to_string(),
                    Some(Quantity::Text(text)) => text,
                    None => String::new(),
                },
                unit: item.unit,
                formula_columns: Vec::new(),
            }),
            Err(error) => broken.push((index, error.to_string())),
        }
    }
    Ok((rows, broken))
}

/// Imports usage rows: `application/json` (an array of `{contract_number | contract_id |
/// domain, metric, period, quantity, unit}`) or `text/csv`. 200 with the report when every
/// row was accepted, 422 with the same report (nothing written) when any was rejected.
async fn import_records(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    actor.require(Permission::ImportUsage)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mut tx = state.pool.begin().await?;
    let (report, by_index) = match content_type.as_str() {
        "application/json" => {
            let (rows, broken) = items(&body)?;
            let options = ImportOptions {
                source: Source::Api,
                // with unreadable items the readable ones are only checked: all or nothing
                dry_run: query.dry_run || !broken.is_empty(),
                file_name: None,
                csv: None,
            };
            if rows.is_empty() && broken.is_empty() {
                return Err(ApiError(AppError::field(
                    "body",
                    "must be a non-empty array",
                )));
            }
            let mut report = if rows.is_empty() {
                ImportReport::default()
            } else {
                import(&mut tx, &actor, rows, &options).await?
            };
            report.dry_run = query.dry_run;
            add_broken_items(&mut report, broken);
            (report, true)
        }
        "text/csv" | "application/csv" | "text/plain" => (
            app::usage::api::import_csv(&mut tx, &actor, &body, "body", query.dry_run, None)
                .await?,
            false,
        ),
        _ => {
            return Err(ApiError(AppError::field(
                "Content-Type",
                "must be application/json or text/csv",
            )))
        }
    };
    // a report with rejected rows wrote nothing; committing it changes nothing either
    tx.commit().await?;
    let status = if report.rejected > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report_json(&report, by_index))).into_response())
}

/// Items that are not objects of the known fields are rejected rows too (the readable
/// ones were then only checked, never written).
fn add_broken_items(report: &mut ImportReport, broken: Vec<BrokenItem>) {
    if broken.is_empty() {
        return;
    }
    let count = u32::try_from(broken.len()).unwrap_or(u32::MAX);
    report.total += count;
    report.rejected += count;
    if report.rejected == count {
        // the good rows were only reported on; no rejected row of theirs is listed
        report.rows.clear();
    }
    report.rows.extend(
        broken
            .into_iter()
            .map(|(index, message)| app::usage::ReportRow {
                line: index,
                reference: String::new(),
                contract_number: None,
                metric: String::new(),
                period: String::new(),
                quantity: String::new(),
                unit: String::new(),
                outcome: app::usage::Outcome::Rejected,
                problems: vec![app::usage::RowProblem::new("item", message)],
            }),
    );
    report.rows.sort_by_key(|row| row.line);
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    contract_id: Option<Uuid>,
    metric: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
}

/// Usage records, newest month first; filters by contract, metric and months.
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewContracts)?;
    let filter = UsageFilter {
        contract_id: query.contract_id,
        contract: String::new(),
        metric: query.metric.clone().unwrap_or_default(),
        period_from: query.period_from.clone().unwrap_or_default(),
        period_to: query.period_to.clone().unwrap_or_default(),
    };
    let periods = filter.periods(actor.lang).map_err(AppError::Validation)?;
    let params = ListParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let page = params.page("", String::new())?;
    let mut conn = state.pool.acquire().await?;
    let result =
        app::usage::repo::list(&mut conn, actor.tenant_id, &filter, periods, &page).await?;
    let contract = query.contract_id.map(|id| id.to_string());
    let next = ListParams::next(
        "usage-records",
        &page,
        &result,
        &[
            ("contract_id", contract.as_deref()),
            ("metric", query.metric.as_deref()),
            ("period_from", query.period_from.as_deref()),
            ("period_to", query.period_to.as_deref()),
        ],
    );
    let items: Vec<Value> = result
        .items
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "contract_id": r.contract_id, "contract_number": r.contract_number,
                "metric": r.metric, "period": r.period_start, "quantity": r.quantity, "unit": r.unit,
                "source": r.source, "imported_by": r.imported_by, "billed": r.billed,
            })
        })
        .collect();
    Ok(Json(
        json!({ "items": items, "total": result.total, "next": next }),
    ))
}

async fn get_prices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ViewProducts)?;
    let mut conn = state.pool.acquire().await?;
    let prices = app::usage::repo::prices(&mut conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prices: Vec<UsagePriceInput> = prices.iter().map(UsagePriceInput::from).collect();
    Ok(Json(json!({ "items": prices })))
}

/// Replaces all usage prices of the product.
async fn put_prices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    actor.require(Permission::ManageProducts)?;
    let prices: Vec<UsagePriceInput> = parse_body(&body)?;
    let mut tx = state.pool.begin().await?;
    app::usage::api::save_prices(&mut tx, &actor, id, &prices).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI paths and schemas of usage records and product usage prices.
pub fn add_docs(doc: &mut Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    let problem = json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let auth_errors = json!({
        "401": { "description": "Missing or unknown bearer token", "content": problem["content"] },
        "403": { "description": "The token lacks the scope", "content": problem["content"] },
    });
    let report = json!({ "$ref": "#/components/schemas/UsageImportReport" });
    let mut import_responses = json!({
        "200": { "description": "Every row accepted (and stored unless dry_run)", "content": { "application/json": { "schema": report } } },
        "413": { "description": "Body larger than 32 MB" },
        "422": { "description": "Rows rejected: the same report, nothing stored; or a problem+json when the body as a whole is unreadable (not CSV, missing columns)", "content": { "application/json": { "schema": report } } },
    });
    let mut list_responses = json!({
        "200": { "description": "One page", "content": { "application/json": { "schema": { "type": "object", "properties": {
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/UsageRecord" } },
            "total": { "type": "integer" }, "next": { "type": ["string", "null"] } } } } } },
    });
    for responses in [&mut import_responses, &mut list_responses] {
        if let (Some(target), Some(extra)) = (responses.as_object_mut(), auth_errors.as_object()) {
            target.extend(extra.clone());
        }
    }
    let month =
        json!({ "type": "string", "description": "a month: 2026-11, 11/2026 or 2026-11-01" });
    let paths = json!({
        "/usage-records": {
            "get": {
                "summary": "Usage records, newest month first (scope contracts:read)",
                "parameters": [
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                    { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                    { "name": "contract_id", "in": "query", "schema": uuid },
                    { "name": "metric", "in": "query", "schema": { "type": "string" } },
                    { "name": "period_from", "in": "query", "schema": month },
                    { "name": "period_to", "in": "query", "schema": month },
                ],
                "responses": list_responses,
            },
            "post": {
                "summary": "Import usage records, all or nothing (scope usage:write). One quantity per contract, metric and month: a repeat replaces it unless billed; the same rows twice report `unchanged`.",
                "parameters": [{ "name": "dry_run", "in": "query", "description": "only check, store nothing", "schema": { "type": "boolean", "default": false } }],
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/UsageRecordInput" } } },
                    "text/csv": { "schema": { "type": "string", "description": "header line with contract;domain;metric;period;quantity;unit (German names work too: Vertrag;Domain;Metrik;Monat;Menge;Einheit); UTF-8 or Windows-1252; delimiter ; , or tab" } },
                } },
                "responses": import_responses,
            },
        },
        "/products/{id}/usage-prices": {
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid }],
            "get": {
                "summary": "The product's usage prices per metric (scope products:read)",
                "responses": { "200": { "description": "The prices", "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/UsagePrice" } } } } } } } },
            },
            "put": {
                "summary": "Replace the product's usage prices (scope products:write)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/UsagePrice" } } } } },
                "responses": { "204": { "description": "Saved" }, "422": { "description": "Invalid; fields are named usage_prices.{index}.{field}", "content": problem["content"] } },
            },
        },
    });
    let decimal = json!({ "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$" });
    let schemas = json!({
        "UsageRecordInput": { "type": "object", "required": ["metric", "period", "quantity"],
            "description": "Name the contract by contract_number or contract_id, or by a domain linked to it.",
            "properties": {
                "contract_number": { "type": "string", "examples": ["V-00012"] }, "contract_id": uuid,
                "domain": { "type": "string", "description": "Unicode or punycode" },
                "metric": { "type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$", "examples": ["traffic_gb"] },
                "period": month, "quantity": { "type": ["string", "number"], "description": "≥ 0, at most 4 decimals" },
                "unit": { "type": "string", "description": "empty: the product's unit for the metric" },
            } },
        "UsageImportReport": { "type": "object", "properties": {
            "dry_run": { "type": "boolean" }, "written": { "type": "boolean" }, "total": { "type": "integer" },
            "accepted": { "type": "integer" }, "rejected_rows": { "type": "integer" },
            "new": { "type": "integer" }, "updated": { "type": "integer" }, "unchanged": { "type": "integer" },
            "rejected": { "type": "array", "description": "one entry per problem: CSV `line` (header = 1) or JSON `index` (from 0)",
                "items": { "type": "object", "properties": {
                    "line": { "type": "integer" }, "index": { "type": "integer" }, "field": { "type": "string" },
                    "message": { "type": "string" }, "reference": { "type": "string" } } } },
            "rejected_truncated": { "type": "boolean" },
        } },
        "UsageRecord": { "type": "object", "properties": {
            "id": uuid, "contract_id": uuid, "contract_number": { "type": "string" }, "metric": { "type": "string" },
            "period": { "type": "string", "format": "date", "description": "first day of the month" },
            "quantity": decimal, "unit": { "type": "string" }, "source": { "type": "string", "enum": ["csv", "api", "ui"] },
            "imported_by": { "type": "string" }, "billed": { "type": "boolean" },
        } },
        "UsagePrice": { "type": "object", "required": ["metric", "unit", "tiers"], "properties": {
            "metric": { "type": "string" }, "unit": { "type": "string" },
            "included": { "type": "string", "description": "quantity included per month" },
            "tiers": { "type": "array", "minItems": 1, "description": "graduated: from `from` units of the month's total on, each unit costs unit_price (net); units up to `included` are free",
                "items": { "type": "object", "properties": { "from": decimal, "unit_price": decimal } } },
        } },
    });
    super::docs::merge(doc, paths, schemas);
}
