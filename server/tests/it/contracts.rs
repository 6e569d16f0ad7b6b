//! Products and contracts: numbers, validation, lists by status, cancellation with the
//! earliest end, price changes from a date, isolation, permissions and the REST API.

use crate::support::{api, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

async fn accountant(app: &TestApp, slug: &str) -> (Uuid, String) {
    let tenant = app.tenant(slug).await;
    let email = format!("anna@{slug}.de");
    app.user(tenant, &email, &["accountant"]).await;
    (tenant, app.login(&email).await)
}

async fn customer(app: &TestApp, cookie: &str, name: &str) -> Uuid {
    let reply = app
        .call(
            "customers/create",
            Some(cookie),
            json!({ "input": { "kind": "company", "company_name": name, "billing_country": "DE" }, "ignore_duplicates": true }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    Uuid::parse_str(reply.json()["created"]["id"].as_str().unwrap()).unwrap()
}

fn contract(customer: Uuid, description: &str, start: &str, fee: &str) -> Value {
    json!({ "customer_id": customer, "description": description, "start_date": start, "fee": fee,
            "fee_unit": "month", "billing_interval": "quarterly", "billing_mode": "in_advance" })
}

async fn create(app: &TestApp, cookie: &str, input: Value) -> crate::support::Reply {
    app.call("contracts/create", Some(cookie), json!({ "input": input }))
        .await
}

fn id_of(reply: &crate::support::Reply) -> Uuid {
    Uuid::parse_str(reply.json()[0].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn the_classic_three_contracts_show_by_status_with_their_next_invoice() {
    let app = TestApp::new().await;
    let (tenant, cookie) = accountant(&app, "acme").await;
    let dmmd = customer(&app, &cookie, "dmmd GmbH").await;
    let domain = create(
        &app,
        &cookie,
        contract(dmmd, "Domain dmmd.de", "2026-01-01", "19,00"),
    )
    .await;
    assert_eq!(domain.status, StatusCode::OK, "{}", domain.body);
    assert_eq!(domain.json()[1], "V-00001");
    let mut server = contract(dmmd, "Webserver 2x 120 GB", "2026-01-21", "10.00");
    server["setup_fee"] = json!("49.00");
    server["minimum_term_months"] = json!(12);
    create(&app, &cookie, server).await;
    let mut spam = contract(dmmd, "Spamfilter", "2030-01-01", "20.00");
    spam["fee_unit"] = json!("quarter");
    spam["billing_interval"] = json!("yearly");
    create(&app, &cookie, spam).await;
    let mut old = contract(dmmd, "Altes Paket", "2019-01-01", "5");
    old["end_date"] = json!("2020-12-31");
    create(&app, &cookie, old).await;

    let list = |status: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            app.call(
                "contracts/list",
                Some(&cookie),
                json!({ "filter": { "customer_id": dmmd, "status": status }, "page": { "page": 1, "per_page": 25, "sort": "start", "descending": false, "search": "" } }),
            )
            .await
            .json()
        }
    };
    let active = list("active").await;
    assert_eq!(active["total"], 2);
    let first = &active["items"][0];
    assert_eq!(first["description"], "Domain dmmd.de");
    // 19.00 per month billed quarterly in advance: one line of 57.00 for the first quarter
    assert_eq!(first["next_charge"]["amount"], "57.00");
    assert_eq!(first["next_charge"]["period"]["from"], "2026-01-01");
    assert_eq!(first["next_charge"]["period"]["to"], "2026-03-31");
    assert_eq!(active["items"][1]["setup_fee"], "49.00");
    let upcoming = list("upcoming").await;
    assert_eq!(upcoming["items"][0]["description"], "Spamfilter");
    // 20.00 per quarter billed yearly: 80.00
    assert_eq!(upcoming["items"][0]["next_charge"]["amount"], "80.00");
    assert_eq!(list("past").await["items"][0]["description"], "Altes Paket");
    // search words may hit the contract or its customer; renaming the customer is followed
    let search = |q: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            app.call(
                "contracts/list",
                Some(&cookie),
                json!({ "filter": {}, "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": q } }),
            )
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["description"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("dmmd spamfilter").await, vec!["Spamfilter"]);
    sqlx::query("update customers set company_name = 'Hilter Netzwerk GmbH' where id = $1")
        .bind(dmmd)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(search("hilter spam").await, vec!["Spamfilter"]);
    assert!(search("dmmd spam").await.is_empty());
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"contract.created".to_owned()));
}

#[tokio::test]
async fn bad_input_is_named_at_each_field_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let (_, cookie) = accountant(&app, "acme").await;
    let (_, other_cookie) = accountant(&app, "other").await;
    let foreign = customer(&app, &other_cookie, "Fremdkunde").await;
    let reply = create(
        &app,
        &cookie,
        json!({ "customer_id": foreign, "description": "", "start_date": "2026-02-30", "fee": "-1",
                "quantity": "0", "discount_percent": "120", "setup_fee": "viel" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let named = reply.fields();
    for field in [
        "description",
        "start_date",
        "fee",
        "quantity",
        "discount_percent",
        "setup_fee",
    ] {
        assert!(named.contains(&field.to_owned()), "{field}: {named:?}");
    }
    // the other tenant's customer is unknown here
    let reply = create(
        &app,
        &cookie,
        contract(foreign, "Hosting", "2026-01-01", "9"),
    )
    .await;
    assert_eq!(reply.fields(), vec!["customer_id"]);
    let mut reversed = contract(foreign, "Hosting", "2026-03-01", "9");
    reversed["end_date"] = json!("2026-02-01");
    assert!(create(&app, &cookie, reversed)
        .await
        .fields()
        .contains(&"end_date".to_owned()));
    let count: i64 = sqlx::query_scalar("select count(*) from contracts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn cancellation_ends_at_the_earliest_end_after_minimum_term_and_notice() {
    let app = TestApp::new().await;
    let (tenant, cookie) = accountant(&app, "acme").await;
    let customer_id = customer(&app, &cookie, "Kunde GmbH").await;
    let mut input = contract(customer_id, "Managed Server", "2025-01-01", "100");
    input["billing_interval"] = json!("monthly");
    input["minimum_term_months"] = json!(12);
    input["notice_amount"] = json!(3);
    input["notice_unit"] = json!("months");
    let id = id_of(&create(&app, &cookie, input).await);
    // notice on 15 Nov 2025: minimum term to 31 Dec 2025, notice to 14 Feb 2026 → end of February
    let too_early = app
        .call(
            "contracts/cancel",
            Some(&cookie),
            json!({ "id": id, "input": { "notice_given_on": "2025-11-15", "end_date": "2026-01-31" } }),
        )
        .await;
    assert_eq!(too_early.fields(), vec!["end_date"]);
    assert!(too_early.body.contains("28.02.2026"), "{}", too_early.body);
    let done = app
        .call(
            "contracts/cancel",
            Some(&cookie),
            json!({ "id": id, "input": { "notice_given_on": "15.11.2025", "reason": "Umzug" } }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["end_date"], "2026-02-28");
    let again = app
        .call(
            "contracts/cancel",
            Some(&cookie),
            json!({ "id": id, "input": {} }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let file = app
        .call("contracts/load", Some(&cookie), json!({ "id": id }))
        .await
        .json();
    assert_eq!(file["cancellation"]["end_date"], "2026-02-28");
    assert_eq!(file["data"]["end_date"], "2026-02-28");
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"contract.cancelled".to_owned()));
}

#[tokio::test]
async fn an_early_end_by_agreement_credits_the_billed_days_after_it() {
    let app = TestApp::new().await;
    let (_, cookie) = accountant(&app, "acme").await;
    let customer_id = customer(&app, &cookie, "Kunde GmbH").await;
    let mut input = contract(customer_id, "Hosting", "2026-01-01", "10");
    input["billing_interval"] = json!("yearly");
    input["minimum_term_months"] = json!(12);
    let id = id_of(&create(&app, &cookie, input).await);
    sqlx::query("update contracts set billed_until = '2026-12-31' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let done = app
        .call(
            "contracts/cancel",
            Some(&cookie),
            json!({ "id": id, "input": { "notice_given_on": "2026-06-01", "end_date": "2026-06-30", "early": true } }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let outcome = done.json();
    // 120.00 a year billed; July to December (184 of 365 days) come back
    assert_eq!(outcome["credit"]["amount"], "-60.49");
    assert_eq!(outcome["credit"]["period"]["from"], "2026-07-01");
}

#[tokio::test]
async fn prices_change_from_a_date_and_billed_terms_stay_fixed() {
    let app = TestApp::new().await;
    let (_, cookie) = accountant(&app, "acme").await;
    let customer_id = customer(&app, &cookie, "Kunde GmbH").await;
    let id = id_of(
        &create(
            &app,
            &cookie,
            contract(customer_id, "Domain", "2025-01-01", "19"),
        )
        .await,
    );
    sqlx::query("update contracts set billed_until = '2025-03-31' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let inside = app
        .call(
            "contracts/change_price",
            Some(&cookie),
            json!({ "id": id, "input": { "valid_from": "2025-03-01", "fee": "21" } }),
        )
        .await;
    assert_eq!(inside.fields(), vec!["valid_from"]);
    let ok = app
        .call(
            "contracts/change_price",
            Some(&cookie),
            json!({ "id": id, "input": { "valid_from": "2025-04-01", "fee": "21,00" } }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let file = app
        .call("contracts/load", Some(&cookie), json!({ "id": id }))
        .await
        .json();
    assert_eq!(file["upcoming"][0]["amount"], "63.00");
    assert_eq!(file["price_changes"][0]["valid_from"], "2025-04-01");
    // the billed price itself cannot be rewritten
    let mut changed = file["data"].clone();
    changed["fee"] = json!("25");
    changed["description"] = json!("Domain example.de");
    let refused = app
        .call(
            "contracts/update",
            Some(&cookie),
            json!({ "id": id, "input": changed }),
        )
        .await;
    assert_eq!(refused.fields(), vec!["fee"]);
    let mut described = file["data"].clone();
    described["description"] = json!("Domain example.de");
    let saved = app
        .call(
            "contracts/update",
            Some(&cookie),
            json!({ "id": id, "input": described }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
}

#[tokio::test]
async fn tenants_and_roles_are_kept_apart() {
    let app = TestApp::new().await;
    let (tenant, cookie) = accountant(&app, "acme").await;
    let customer_id = customer(&app, &cookie, "Kunde GmbH").await;
    let id = id_of(
        &create(
            &app,
            &cookie,
            contract(customer_id, "Domain", "2026-01-01", "19"),
        )
        .await,
    );
    let (_, other) = accountant(&app, "other").await;
    let load = app
        .call("contracts/load", Some(&other), json!({ "id": id }))
        .await;
    assert_eq!(load.status, StatusCode::NOT_FOUND);
    let cancel = app
        .call(
            "contracts/cancel",
            Some(&other),
            json!({ "id": id, "input": {} }),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    app.user(tenant, "sam@acme.de", &["support"]).await;
    let support = app.login("sam@acme.de").await;
    let refused = create(
        &app,
        &support,
        contract(customer_id, "X", "2026-01-01", "1"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let seen = app
        .call("contracts/load", Some(&support), json!({ "id": id }))
        .await;
    assert_eq!(seen.status, StatusCode::OK);
}

#[tokio::test]
async fn the_rest_api_does_the_same() {
    let app = TestApp::new().await;
    let (tenant, cookie) = accountant(&app, "acme").await;
    let customer_id = customer(&app, &cookie, "Kunde GmbH").await;
    let token = app
        .token(
            tenant,
            &[
                "products:write",
                "products:read",
                "contracts:write",
                "contracts:read",
            ],
        )
        .await;
    let product = json!({ "sku": "DOM-DE", "name": "Domain .de", "kind": "domain", "sale_price": "1.50",
                          "fee_unit": "month", "billing_interval": "yearly",
                          "tiers": [{ "min_quantity": "10", "unit_price": "1.20" }] });
    let created = app
        .send(api(
            "POST",
            "/api/v1/products",
            &token,
            Some(product.clone()),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let product_id = created.json()["id"].as_str().unwrap().to_owned();
    let taken = app
        .send(api("POST", "/api/v1/products", &token, Some(product)))
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken.json()["errors"][0]["field"], "sku");

    let mut input = contract(customer_id, "Domain kunde.de", "2026-01-01", "1.50");
    input["product_id"] = json!(product_id);
    let made = app
        .send(api("POST", "/api/v1/contracts", &token, Some(input)))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let bad = app
        .send(api(
            "POST",
            "/api/v1/contracts",
            &token,
            Some(json!({ "customer_id": customer_id })),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("\"field\":\"description\""),
        "{}",
        bad.body
    );

    let list = app
        .send(api(
            "GET",
            &format!("/api/v1/contracts?customer_id={customer_id}&status=active"),
            &token,
            None,
        ))
        .await;
    assert_eq!(list.json()["items"][0]["product_name"], "Domain .de");
    let cancelled = app
        .send(api(
            "POST",
            &format!("/api/v1/contracts/{id}/cancel"),
            &token,
            None,
        ))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert!(cancelled.json()["end_date"].is_string());
    let patch = app
        .send(api(
            "PATCH",
            &format!("/api/v1/contracts/{id}"),
            &token,
            Some(json!({ "notes": "gekündigt per Mail" })),
        ))
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.body);
    let read_only = app.token(tenant, &["contracts:read"]).await;
    let refused = app
        .send(api(
            "POST",
            &format!("/api/v1/contracts/{id}/prices"),
            &read_only,
            Some(json!({ "valid_from": "2027-01-01", "fee": "2" })),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/contracts/{id}/cancel"]["post"].is_object());
}

#[tokio::test]
async fn the_demo_tenant_has_a_living_contract_book() {
    let app = TestApp::new().await;
    server::demo::load(&app.pool, Some("demo-password-1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from contracts), (select count(*) from contracts where notice_given_on is not null),
                (select count(*) from domains where name <> ascii_name), (select count(*) from servers),
                (select count(*) from tld_prices)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(counts, (8, 1, 1, 2, 5));
}
