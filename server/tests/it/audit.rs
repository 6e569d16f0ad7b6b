//! The audit log: written by business actions, append-only in the database, tamper-evident.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn settings_change_is_recorded_with_before_and_after() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    let cookie = app.login("admin@acme.de").await;
    let settings = json!({ "settings": {
        "legal_name": "Acme Agentur GmbH", "street": "Hauptstr. 5", "postal_code": "80331", "city": "München", "country": "de",
        "vat_id": "DE 136 695 976", "tax_number": "143/123/45678", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX",
        "creditor_id": "DE98ZZZ09999999999", "time_zone": "Europe/Berlin", "currency": "eur",
        "brand_primary": "#123456", "brand_accent": "#654321", "logo_data_url": ""
    }});
    let reply = app.call("tenant/update", Some(&cookie), settings).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "select before, after from audit_log where tenant_id = $1 and action = 'tenant.settings_changed'",
    )
    .bind(tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(before["legal_name"], "acme GmbH");
    assert_eq!(after["legal_name"], "Acme Agentur GmbH");
    // stored normalised: no spaces, upper case
    assert_eq!(after["iban"], "DE89370400440532013000");
    assert_eq!(after["vat_id"], "DE136695976");
    assert_eq!(after["currency"], "EUR");
}

#[tokio::test]
async fn invalid_identifiers_are_refused_field_by_field_and_nothing_changes() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    let cookie = app.login("admin@acme.de").await;
    let settings = json!({ "settings": {
        "legal_name": "Neuer Name", "street": "", "postal_code": "", "city": "", "country": "DE",
        "vat_id": "DE136695977", "tax_number": "", "iban": "DE89 3704 0044 0532 0130 01", "bic": "COBA",
        "creditor_id": "DE97ZZZ09999999999", "time_zone": "Mars/Olympus", "currency": "EUR",
        "brand_primary": "blue", "brand_accent": "#654321", "logo_data_url": ""
    }});
    let reply = app.call("tenant/update", Some(&cookie), settings).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "vat_id",
        "iban",
        "bic",
        "creditor_id",
        "time_zone",
        "brand_primary",
    ] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
    let name: String = sqlx::query_scalar("select legal_name from tenants where id = $1")
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "acme GmbH");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_entries() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    app.login("admin@acme.de").await;
    for statement in [
        "update audit_log set action = 'x'",
        "delete from audit_log",
        "truncate audit_log",
    ] {
        let error = sqlx::query(statement).execute(&app.pool).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
}

#[tokio::test]
async fn verify_finds_the_first_tampered_entry() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    for _ in 0..3 {
        app.login("admin@acme.de").await;
    }
    let cookie = app.login("admin@acme.de").await;
    let intact = app
        .call_form("audit/verify", Some(&cookie), "")
        .await
        .json();
    assert_eq!(intact["broken_at"], serde_json::Value::Null);
    assert_eq!(intact["entries"], 4);

    // someone with superuser rights edits history behind the trigger's back
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("alter table audit_log disable trigger audit_log_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "update audit_log set actor_label = 'someone else' where tenant_id = $1 and seq = 2",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("alter table audit_log enable trigger audit_log_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let broken = app
        .call_form("audit/verify", Some(&cookie), "")
        .await
        .json();
    assert_eq!(broken["broken_at"], 2);
}

#[tokio::test]
async fn the_audit_list_filters_on_the_server() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    app.user(tenant, "team@acme.de", &["staff"]).await;
    app.login("team@acme.de").await;
    let cookie = app.login("admin@acme.de").await;
    let page = json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" });
    let list = app
        .call("audit/list", Some(&cookie), json!({ "filter": { "action": "login", "actor": "team@", "from": null, "to": null }, "page": page }))
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["actor"], "team@acme.de");
}
