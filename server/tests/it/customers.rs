//! Customers: numbers, validation, duplicates, contacts, call notes, isolation, REST API.

use crate::support::{api, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

fn company(name: &str) -> Value {
    json!({ "kind": "company", "company_name": name, "billing_street": "Hauptstr. 1", "billing_postal_code": "10115",
            "billing_city": "Berlin", "billing_country": "DE", "email": format!("info@{}.de", name.to_lowercase().replace(' ', "-")) })
}

async fn admin(app: &TestApp) -> (uuid::Uuid, String) {
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["accountant"]).await;
    (tenant, app.login("anna@acme.de").await)
}

async fn create(app: &TestApp, cookie: &str, input: Value, ignore: bool) -> crate::support::Reply {
    app.call(
        "customers/create",
        Some(cookie),
        json!({ "input": input, "ignore_duplicates": ignore }),
    )
    .await
}

#[tokio::test]
async fn numbers_are_gapless_and_failed_creates_take_none() {
    let app = TestApp::new().await;
    let (tenant, cookie) = admin(&app).await;
    let first = create(&app, &cookie, company("Alpha Hosting"), false)
        .await
        .json();
    assert_eq!(first["created"]["number"], "K-00001");
    let invalid = create(
        &app,
        &cookie,
        json!({ "kind": "company", "company_name": "" }),
        false,
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let second = create(&app, &cookie, company("Beta Werbeagentur"), false)
        .await
        .json();
    assert_eq!(second["created"]["number"], "K-00002");
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"customer.created".to_owned()));
}

#[tokio::test]
async fn every_problem_is_named_at_its_field() {
    let app = TestApp::new().await;
    let (_, cookie) = admin(&app).await;
    let input = json!({ "kind": "company", "company_name": " ", "email": "kein-at", "billing_country": "Deutschland",
        "vat_id": "DE136695977", "payment_terms_days": 400, "separate_postal_address": true, "postal_country": "DE",
        "tags": ["x".repeat(31)], "custom_fields": [{ "key": "", "value": "Wert ohne Namen" }] });
    let reply = create(&app, &cookie, input, false).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = reply.json()["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for field in [
        "company_name",
        "email",
        "billing_country",
        "vat_id",
        "payment_terms_days",
        "postal_street",
        "postal_postal_code",
        "postal_city",
        "tags",
        "custom_fields",
    ] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing in {fields:?}"
        );
    }
    let reverse = create(&app, &cookie, json!({ "kind": "company", "company_name": "Wien GmbH", "billing_country": "AT", "tax_treatment": "eu_reverse_charge" }), false).await;
    assert_eq!(reverse.json()["Validation"][0]["field"], "tax_treatment");
    let count: i64 = sqlx::query_scalar("select count(*) from customers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn look_alikes_are_shown_before_creating() {
    let app = TestApp::new().await;
    let (_, cookie) = admin(&app).await;
    let mut original = company("Muster Medien GmbH");
    original["vat_id"] = json!("DE136695976");
    create(&app, &cookie, original, false).await;

    let mut same_vat = company("Ganz Anders AG");
    same_vat["vat_id"] = json!("DE 136 695 976");
    let found = create(&app, &cookie, same_vat.clone(), false).await.json();
    assert_eq!(found["possible_duplicates"][0]["reason"], "same_vat_id");
    let similar = create(&app, &cookie, company("Muster Medien"), false)
        .await
        .json();
    assert_eq!(similar["possible_duplicates"][0]["reason"], "similar_name");
    let mut same_domain = company("Tochterfirma");
    same_domain["email"] = json!("buchhaltung@muster-medien-gmbh.de");
    assert_eq!(
        create(&app, &cookie, same_domain, false).await.json()["possible_duplicates"][0]["reason"],
        "same_email_domain"
    );
    // a freemail address says nothing about the company
    let mut freemail = json!({ "kind": "person", "first_name": "Eva", "last_name": "Privat", "email": "eva@gmail.com" });
    assert!(create(&app, &cookie, freemail.clone(), false).await.json()["created"].is_object());
    freemail["first_name"] = json!("Max");
    freemail["last_name"] = json!("Anders");
    freemail["email"] = json!("max@gmail.com");
    assert!(create(&app, &cookie, freemail, false).await.json()["created"].is_object());
    // confirmed by the user: created anyway
    assert!(create(&app, &cookie, same_vat, true).await.json()["created"].is_object());
}

#[tokio::test]
async fn contacts_notes_and_changes_on_the_customer_file() {
    let app = TestApp::new().await;
    let (tenant, cookie) = admin(&app).await;
    app.user(tenant, "sina@acme.de", &["support"]).await;
    let id = create(&app, &cookie, company("Kunde Eins"), false)
        .await
        .json()["created"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (last, primary) in [("Erste", true), ("Zweite", true)] {
        let reply = app.call("customers/add_contact", Some(&cookie), json!({ "customer_id": id, "input": { "last_name": last, "role": "billing", "is_primary": primary } })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let support = app.login("sina@acme.de").await;
    let note = app.call("customers/add_call_note", Some(&support), json!({ "customer_id": id, "input": { "contact_id": null, "subject": "Rückruf wegen SSL", "body": "Zertifikat läuft ab." } })).await;
    assert_eq!(note.status, StatusCode::OK, "{}", note.body);
    let forbidden = app
        .call(
            "customers/add_contact",
            Some(&support),
            json!({ "customer_id": id, "input": { "last_name": "X" } }),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let file = app
        .call("customers/load", Some(&support), json!({ "id": id }))
        .await
        .json();
    let contacts = file["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(
        contacts.iter().filter(|c| c["is_primary"] == true).count(),
        1,
        "one main contact"
    );
    assert_eq!(contacts[0]["last_name"], "Zweite");
    assert_eq!(file["call_notes"][0]["subject"], "Rückruf wegen SSL");
    assert_eq!(file["call_notes"][0]["author"], "sina@acme.de");

    let mut data = file["data"].clone();
    data["billing_city"] = json!("Potsdam");
    let saved = app
        .call(
            "customers/update",
            Some(&cookie),
            json!({ "id": id, "input": data }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (before, after): (Value, Value) =
        sqlx::query_as("select before, after from audit_log where action = 'customer.changed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (
            before["billing_city"].as_str(),
            after["billing_city"].as_str()
        ),
        (Some("Berlin"), Some("Potsdam"))
    );
}

#[tokio::test]
async fn customers_of_another_tenant_stay_invisible() {
    let app = TestApp::new().await;
    let (_, cookie) = admin(&app).await;
    let id = create(&app, &cookie, company("Geheim GmbH"), false)
        .await
        .json()["created"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.tenant("other").await;
    app.user(other, "olga@other.de", &["admin"]).await;
    let olga = app.login("olga@other.de").await;
    assert_eq!(
        app.call("customers/load", Some(&olga), json!({ "id": id }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" });
    let list = app.call("customers/list", Some(&olga), json!({ "filter": { "kind": null, "tag": "", "include_archived": true }, "page": page })).await.json();
    assert_eq!(list["total"], 0);
    let note = app
        .call(
            "customers/add_call_note",
            Some(&olga),
            json!({ "customer_id": id, "input": { "subject": "x" } }),
        )
        .await;
    assert_eq!(note.status, StatusCode::NOT_FOUND);
    let token = app.token(other, &["customers:read"]).await;
    let api = app
        .send(
            Request::get(format!("/api/v1/customers/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_rest_api_creates_changes_and_lists_customers() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    let token = app
        .token(tenant, &["customers:read", "customers:write"])
        .await;
    let created = app
        .send(api(
            "POST",
            "/api/v1/customers",
            &token,
            Some(company("Api Kunde GmbH")),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["number"], "K-00001");

    let duplicate = app
        .send(api(
            "POST",
            "/api/v1/customers",
            &token,
            Some(company("Api Kunde GmbH")),
        ))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert!(duplicate.json()["detail"]
        .as_str()
        .unwrap()
        .contains("K-00001"));

    let patched = app
        .send(api(
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            &token,
            Some(json!({ "billing_city": "Hamburg", "tags": ["Hosting"] })),
        ))
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    let wrong = app
        .send(api(
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            &token,
            Some(json!({ "colour": "blau" })),
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["errors"][0]["field"], "colour");
    let invalid = app
        .send(api(
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            &token,
            Some(json!({ "vat_id": "DE1" })),
        ))
        .await;
    assert_eq!(invalid.json()["errors"][0]["field"], "vat_id");

    let contact = app
        .send(api(
            "POST",
            &format!("/api/v1/customers/{id}/contacts"),
            &token,
            Some(json!({ "first_name": "Jana", "last_name": "Technik", "role": "technical" })),
        ))
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let customer = app
        .send(api("GET", &format!("/api/v1/customers/{id}"), &token, None))
        .await
        .json();
    assert_eq!(customer["data"]["billing_city"], "Hamburg");
    assert_eq!(customer["contacts"][0]["last_name"], "Technik");

    for n in 0..3 {
        app.send(api(
            "POST",
            "/api/v1/customers?ignore_duplicates=true",
            &token,
            Some(company(&format!("Liste {n}"))),
        ))
        .await;
    }
    let page = app
        .send(api("GET", "/api/v1/customers?limit=2", &token, None))
        .await
        .json();
    assert_eq!(page["total"], 4);
    let next = page["next"].as_str().unwrap().to_owned();
    let rest = app.send(api("GET", &next, &token, None)).await.json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null());
    let found = app
        .send(api("GET", "/api/v1/customers?q=hamburg", &token, None))
        .await
        .json();
    assert_eq!(found["total"], 1);

    let reader = app.token(tenant, &["customers:read"]).await;
    assert_eq!(
        app.send(api(
            "POST",
            "/api/v1/customers",
            &reader,
            Some(company("Nope"))
        ))
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
