//! Inventory: IDN domains, validation at the fields, customer and tenant boundaries, the
//! expiry list, the reminder job, the REST API and permissions.

use crate::support::{api, Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};
use uuid::Uuid;

fn page() -> Value {
    json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" })
}

/// A tenant with an admin (logged in) and one customer.
async fn setup(app: &TestApp, slug: &str) -> (Uuid, String, Uuid) {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    let cookie = app.login(&email).await;
    let customer = app.customer(&cookie, "Bäckerei Müller").await;
    (tenant, cookie, customer)
}

async fn contract(app: &TestApp, tenant: Uuid, customer: Uuid, number: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into contracts (id, tenant_id, customer_id, number, description, start_date, fee, fee_unit, billing_interval)
         values ($1, $2, $3, $4, 'Webhosting', current_date, 9.90, 'month', 'monthly')",
    )
    .bind(id)
    .bind(tenant)
    .bind(customer)
    .bind(number)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

async fn create(app: &TestApp, cookie: &str, kind: &str, input: Value) -> Reply {
    app.call(
        &format!("inventory/{kind}/create"),
        Some(cookie),
        json!({ "input": input }),
    )
    .await
}

async fn created(app: &TestApp, cookie: &str, kind: &str, input: Value) -> Uuid {
    let reply = create(app, cookie, kind, input).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_str().unwrap().parse().unwrap()
}

/// Today in the tenants' time zone, as the server counts days left.
async fn today(app: &TestApp) -> NaiveDate {
    sqlx::query_scalar("select (now() at time zone 'Europe/Berlin')::date")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idn_domain_is_stored_as_unicode_and_punycode() {
    let app = TestApp::new().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let id = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": " Müller-Bäckerei.DE. ", "registrar": "DENIC direkt",
                "registered_on": "2020-03-01", "expires_on": "2027-03-01" }),
    )
    .await;
    let (name, ascii, tld): (String, String, String) =
        sqlx::query_as("select name, ascii_name, tld from domains where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), ascii.as_str(), tld.as_str()),
        ("müller-bäckerei.de", "xn--mller-bckerei-hfb76a.de", "de")
    );
    let loaded = app
        .call("inventory/domains/load", Some(&cookie), json!({ "id": id }))
        .await
        .json();
    assert_eq!(loaded["data"]["name"], "müller-bäckerei.de");
    assert_eq!(loaded["ascii_name"], "xn--mller-bckerei-hfb76a.de");
    assert_eq!(loaded["customer_label"], "K-00001 · Bäckerei Müller");
    // people search in Unicode, technicians in punycode
    for search in ["bäckerei", "xn--mller"] {
        let mut request = page();
        request["search"] = json!(search);
        let list = app
            .call(
                "inventory/domains/list",
                Some(&cookie),
                json!({ "filter": {}, "page": request }),
            )
            .await
            .json();
        assert_eq!(list["total"], 1, "{search}");
    }
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"domain.created".to_owned()));
}

#[tokio::test]
async fn every_problem_is_named_at_its_field() {
    let app = TestApp::new().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    let domain = create(
        &app,
        &cookie,
        "domains",
        json!({ "name": "-kaputt-.de", "registered_on": "2026-05-01", "expires_on": "2026-04-01",
                "owner_handle": "x".repeat(101) }),
    )
    .await;
    assert_eq!(
        domain.fields(),
        ["customer_id", "name", "expires_on", "owner_handle"]
    );
    let single_label = create(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "localhost" }),
    )
    .await;
    assert_eq!(single_label.fields(), ["name"]);
    let unknown = create(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": Uuid::new_v4(), "name": "example.de" }),
    )
    .await;
    assert_eq!(unknown.fields(), ["customer_id"]);

    let server = create(
        &app,
        &cookie,
        "servers",
        json!({ "hostname": "web 01", "ip_addresses": ["192.0.2.10", "300.1.1.1"], "cpu_cores": 0 }),
    )
    .await;
    assert_eq!(server.fields(), ["hostname", "ip_addresses", "cpu_cores"]);
    assert!(server.json()["Validation"][1]["message"]
        .as_str()
        .unwrap()
        .contains("300.1.1.1"));

    let certificate = create(
        &app,
        &cookie,
        "certificates",
        json!({ "customer_id": customer, "common_name": "*.*.example.de", "alt_names": ["www.example.de", "a..b"] }),
    )
    .await;
    assert_eq!(
        certificate.fields(),
        ["common_name", "alt_names", "expires_on"]
    );
    let zone = create(
        &app,
        &cookie,
        "zones",
        json!({ "customer_id": customer, "name": "example.de", "primary_ns": "ns1..example.de" }),
    )
    .await;
    assert_eq!(zone.fields(), ["primary_ns"]);
    let count: i64 = sqlx::query_scalar(
        "select (select count(*) from domains) + (select count(*) from servers) + (select count(*) from certificates)
                + (select count(*) from dns_zones)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn links_stay_within_the_customer() {
    let app = TestApp::new().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let other = customer_of(&app, &cookie).await;
    let own_contract = contract(&app, tenant, customer, "V-0001").await;
    let foreign_contract = contract(&app, tenant, other, "V-0002").await;

    let refused = create(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "example.de", "contract_id": foreign_contract }),
    )
    .await;
    assert_eq!(refused.fields(), ["contract_id"]);
    let domain = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "example.de", "contract_id": own_contract }),
    )
    .await;
    let foreign_domain = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": other, "name": "andere.de" }),
    )
    .await;
    let certificate = create(
        &app,
        &cookie,
        "certificates",
        json!({ "customer_id": customer, "common_name": "andere.de", "domain_id": foreign_domain, "expires_on": "2027-01-01" }),
    )
    .await;
    assert_eq!(certificate.fields(), ["domain_id"]);

    // a customer's server serves only that customer's contracts; the agency's serves all
    let own_server = created(
        &app,
        &cookie,
        "servers",
        json!({ "customer_id": customer, "hostname": "web01.example.de" }),
    )
    .await;
    let shared = created(
        &app,
        &cookie,
        "servers",
        json!({ "hostname": "shared01.agentur.de", "ip_addresses": ["192.0.2.1", "2001:db8::1"] }),
    )
    .await;
    let link = |server: Uuid, contract: Uuid| json!({ "server_id": server, "contract_id": contract, "linked": true });
    let wrong = app
        .call(
            "inventory/servers/link",
            Some(&cookie),
            link(own_server, foreign_contract),
        )
        .await;
    assert_eq!(wrong.fields(), ["contract_id"]);
    for (server, contract) in [
        (own_server, own_contract),
        (shared, own_contract),
        (shared, foreign_contract),
    ] {
        let reply = app
            .call(
                "inventory/servers/link",
                Some(&cookie),
                link(server, contract),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    // moving the shared server to one customer would strand the other's contract
    let moved = app
        .call(
            "inventory/servers/update",
            Some(&cookie),
            json!({ "id": shared, "input": { "customer_id": customer, "hostname": "shared01.agentur.de" } }),
        )
        .await;
    assert_eq!(moved.fields(), ["customer_id"]);

    let delivered = app
        .call(
            "inventory/contract",
            Some(&cookie),
            json!({ "contract_id": own_contract }),
        )
        .await
        .json();
    assert_eq!(delivered["domains"][0]["id"], json!(domain));
    assert_eq!(delivered["servers"].as_array().unwrap().len(), 2);
    let server = app
        .call(
            "inventory/servers/load",
            Some(&cookie),
            json!({ "id": shared }),
        )
        .await
        .json();
    assert_eq!(
        server["data"]["ip_addresses"],
        json!(["192.0.2.1", "2001:db8::1"])
    );
    assert_eq!(server["contracts"].as_array().unwrap().len(), 2);
    let unlink = app
        .call(
            "inventory/servers/link",
            Some(&cookie),
            json!({ "server_id": shared, "contract_id": foreign_contract, "linked": false }),
        )
        .await;
    assert_eq!(unlink.status, StatusCode::OK, "{}", unlink.body);
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"server.contract_unlinked".to_owned()));

    let file = app
        .call(
            "inventory/customer",
            Some(&cookie),
            json!({ "customer_id": customer }),
        )
        .await
        .json();
    assert_eq!(
        (
            file["domains"]["total"].as_i64(),
            file["servers"]["total"].as_i64()
        ),
        (Some(1), Some(1))
    );
}

async fn customer_of(app: &TestApp, cookie: &str) -> Uuid {
    app.customer(cookie, "Andere GmbH").await
}

#[tokio::test]
async fn a_taken_name_is_a_field_error() {
    let app = TestApp::new().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "straße.de" }),
    )
    .await;
    let again = create(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "XN--STRAE-OQA.de." }),
    )
    .await;
    assert_eq!(again.fields(), ["name"]);
    // non-transitional: strasse.de is another domain
    created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "strasse.de" }),
    )
    .await;
    created(
        &app,
        &cookie,
        "servers",
        json!({ "hostname": "web01.agentur.de" }),
    )
    .await;
    let server = create(
        &app,
        &cookie,
        "servers",
        json!({ "hostname": "WEB01.agentur.de" }),
    )
    .await;
    assert_eq!(server.fields(), ["hostname"]);
}

#[tokio::test]
async fn other_tenants_see_nothing() {
    let app = TestApp::new().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    let domain = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "geheim.de", "expires_on": "2026-12-31" }),
    )
    .await;
    let (other, olga, _) = setup(&app, "other").await;
    let load = app
        .call(
            "inventory/domains/load",
            Some(&olga),
            json!({ "id": domain }),
        )
        .await;
    assert_eq!(load.status, StatusCode::NOT_FOUND);
    let update = app
        .call(
            "inventory/domains/update",
            Some(&olga),
            json!({ "id": domain, "input": { "customer_id": customer, "name": "geheim.de" } }),
        )
        .await;
    assert_eq!(update.status, StatusCode::NOT_FOUND);
    let list = app
        .call(
            "inventory/domains/list",
            Some(&olga),
            json!({ "filter": {}, "page": page() }),
        )
        .await
        .json();
    assert_eq!(list["total"], 0);
    let expiring = app
        .call(
            "inventory/expiring",
            Some(&olga),
            json!({ "days": 90, "page": page() }),
        )
        .await
        .json();
    assert_eq!(expiring["total"], 0);
    // another tenant's customer cannot own a domain here, and the name is free here
    let foreign = create(
        &app,
        &olga,
        "domains",
        json!({ "customer_id": customer, "name": "geheim.de" }),
    )
    .await;
    assert_eq!(foreign.fields(), ["customer_id"]);
    let token = app.token(other, &["inventory:read"]).await;
    let api = app
        .send(api(
            "GET",
            &format!("/api/v1/domains/{domain}"),
            &token,
            None,
        ))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_expiry_list_counts_days_from_the_tenants_today() {
    let app = TestApp::new().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    let today = today(&app).await;
    let on = |days: i64| (today + Duration::days(days)).to_string();
    for (name, days, status) in [
        ("bald.de", 5, "active"),
        ("abgelaufen.de", -10, "expired"),
        ("lange-her.de", -40, "expired"),
        ("spaeter.de", 200, "active"),
        ("geloescht.de", 3, "deleted"),
    ] {
        created(
            &app,
            &cookie,
            "domains",
            json!({ "customer_id": customer, "name": name, "expires_on": on(days), "status": status }),
        )
        .await;
    }
    created(
        &app,
        &cookie,
        "certificates",
        json!({ "customer_id": customer, "common_name": "*.bald.de", "expires_on": on(45) }),
    )
    .await;
    created(
        &app,
        &cookie,
        "zones",
        json!({ "customer_id": customer, "name": "bald.de", "expires_on": on(80) }),
    )
    .await;
    let mut seen = Vec::new();
    for days in [30, 60, 90] {
        let list = app
            .call(
                "inventory/expiring",
                Some(&cookie),
                json!({ "days": days, "page": page() }),
            )
            .await
            .json();
        let items: Vec<(String, String, i64)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["kind"].as_str().unwrap().to_owned(),
                    i["name"].as_str().unwrap().to_owned(),
                    i["days_left"].as_i64().unwrap(),
                )
            })
            .collect();
        seen.push(items);
    }
    let item = |kind: &str, name: &str, days: i64| (kind.to_owned(), name.to_owned(), days);
    assert_eq!(
        seen[0],
        [
            item("domain", "abgelaufen.de", -10),
            item("domain", "bald.de", 5)
        ]
    );
    assert_eq!(seen[1].last(), Some(&item("certificate", "*.bald.de", 45)));
    assert_eq!(seen[2].len(), 4);
    assert_eq!(seen[2].last(), Some(&item("zone", "bald.de", 80)));
    // the domain list filters the same way and says how many days are left
    let list = app
        .call(
            "inventory/domains/list",
            Some(&cookie),
            json!({ "filter": { "expiring_within_days": 30, "status": "active" }, "page": page() }),
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["days_left"], 5);
}

#[tokio::test]
async fn reminders_reach_each_staff_member_once_per_threshold() {
    let app = TestApp::new().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    app.user(tenant, "sina@acme.de", &["support"]).await;
    let bob = app.user(tenant, "bob@acme.de", &["accountant"]).await;
    sqlx::query("update users set language = 'en' where id = $1")
        .bind(bob)
        .execute(&app.pool)
        .await
        .unwrap();
    let gone = app.user(tenant, "alt@acme.de", &["staff"]).await;
    sqlx::query("update memberships set active = false where user_id = $1")
        .bind(gone)
        .execute(&app.pool)
        .await
        .unwrap();
    let portal = app
        .user(tenant, "kunde@example.de", &["customer_owner"])
        .await;
    let today = today(&app).await;
    let on = |days: i64| (today + Duration::days(days)).to_string();
    let domain = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "bald.de", "expires_on": on(5) }),
    )
    .await;
    created(
        &app,
        &cookie,
        "certificates",
        json!({ "customer_id": customer, "common_name": "www.bald.de", "expires_on": on(20) }),
    )
    .await;
    created(
        &app,
        &cookie,
        "zones",
        json!({ "customer_id": customer, "name": "bald.de", "expires_on": on(60) }),
    )
    .await;
    for _ in 0..2 {
        server::jobs::remind_expiries(&app.pool).await.unwrap();
    }
    let keys: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select user_id, dedupe_key, title from notifications order by user_id, dedupe_key",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        keys.len(),
        6,
        "admin, support and accountant; domain and certificate"
    );
    assert!(keys
        .iter()
        .all(|(user, _, _)| *user != gone && *user != portal));
    let domain_key = format!("expiry:domain:{domain}:{}:7", on(5));
    assert_eq!(
        keys.iter().filter(|(_, key, _)| *key == domain_key).count(),
        3
    );
    assert!(keys
        .iter()
        .any(|(_, key, _)| key.starts_with("expiry:certificate:") && key.ends_with(":30")));
    let german = today + Duration::days(5);
    assert!(keys.iter().any(|(_, _, title)| *title
        == format!("Domain bald.de läuft am {} ab", german.format("%d.%m.%Y"))));
    assert!(keys
        .iter()
        .any(|(user, _, title)| *user == bob && title.starts_with("Domain bald.de expires on ")));

    // a day before expiry the next threshold is reached: one more per person
    sqlx::query("update domains set expires_on = $1::date where id = $2")
        .bind(on(1))
        .bind(domain)
        .execute(&app.pool)
        .await
        .unwrap();
    server::jobs::remind_expiries(&app.pool).await.unwrap();
    let count: i64 = sqlx::query_scalar("select count(*) from notifications")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 9);

    // the admin's inbox: the unread count, then read
    let unread = app
        .call("notifications/unread", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(unread, 3);
    let inbox = app
        .call(
            "notifications/list",
            Some(&cookie),
            json!({ "page": page() }),
        )
        .await
        .json();
    assert_eq!(inbox["total"], 3);
    assert!(inbox["items"][0]["link"]
        .as_str()
        .unwrap()
        .starts_with("/domains/"));
    app.call("notifications/read", Some(&cookie), json!({ "id": null }))
        .await;
    let unread = app
        .call("notifications/unread", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(unread, 0);
}

#[tokio::test]
async fn the_rest_api_records_lists_and_changes_the_inventory() {
    let app = TestApp::new().await;
    let (tenant, _, customer) = setup(&app, "acme").await;
    let token = app
        .token(tenant, &["inventory:read", "inventory:write"])
        .await;
    let body = json!({ "customer_id": customer, "name": "Bücher.example.com", "expires_on": "2027-01-31" });
    let request = |key: &str| {
        Request::post("/api/v1/domains")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let first = app.send(request("domain-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let repeat = app.send(request("domain-1")).await;
    assert_eq!(repeat.json()["id"], first.json()["id"]);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    for name in ["a.example.com", "b.example.com"] {
        let reply = app
            .send(api(
                "POST",
                "/api/v1/domains",
                &token,
                Some(json!({ "customer_id": customer, "name": name })),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }

    let taken = app
        .send(api(
            "POST",
            "/api/v1/domains",
            &token,
            Some(json!({ "customer_id": customer, "name": "BÜCHER.example.com" })),
        ))
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        taken.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(taken.json()["errors"][0]["field"], "name");

    let first_page = app
        .send(api("GET", "/api/v1/domains?limit=2", &token, None))
        .await
        .json();
    assert_eq!(first_page["total"], 3);
    assert_eq!(first_page["items"][0]["name"], "a.example.com");
    let next = first_page["next"].as_str().unwrap().to_owned();
    let rest = app.send(api("GET", &next, &token, None)).await.json();
    assert_eq!(rest["items"][0]["name"], "bücher.example.com");
    assert_eq!(rest["items"][0]["ascii_name"], "xn--bcher-kva.example.com");
    assert!(rest["next"].is_null());
    let bad_filter = app
        .send(api("GET", "/api/v1/domains?customer_id=42", &token, None))
        .await;
    assert_eq!(bad_filter.json()["errors"][0]["field"], "customer_id");

    let path = format!("/api/v1/domains/{id}");
    let wrong = app
        .send(api(
            "PATCH",
            &path,
            &token,
            Some(json!({ "registered_on": "2027-02-01" })),
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["errors"][0]["field"], "expires_on");
    let unknown = app
        .send(api(
            "PATCH",
            &path,
            &token,
            Some(json!({ "farbe": "blau" })),
        ))
        .await;
    assert_eq!(unknown.json()["errors"][0]["field"], "farbe");
    let patched = app
        .send(api(
            "PATCH",
            &path,
            &token,
            Some(json!({ "registrar": "InterNetX", "auto_renew": false })),
        ))
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    let domain = app.send(api("GET", &path, &token, None)).await.json();
    assert_eq!(
        (&domain["data"]["registrar"], &domain["data"]["auto_renew"]),
        (&json!("InterNetX"), &json!(false))
    );
    assert_eq!(domain["data"]["expires_on"], "2027-01-31");

    let server = app
        .send(api(
            "POST",
            "/api/v1/servers",
            &token,
            Some(json!({ "hostname": "web01.agentur.de", "ip_addresses": ["192.0.2.7"], "server_type": "dedicated" })),
        ))
        .await;
    assert_eq!(server.status, StatusCode::CREATED, "{}", server.body);
    let certificate = app
        .send(api(
            "POST",
            "/api/v1/certificates",
            &token,
            Some(json!({ "customer_id": customer, "common_name": "*.example.com", "expires_on": "2026-12-01" })),
        ))
        .await;
    assert_eq!(
        certificate.status,
        StatusCode::CREATED,
        "{}",
        certificate.body
    );
    let certificates = app
        .send(api("GET", "/api/v1/certificates", &token, None))
        .await
        .json();
    assert_eq!(certificates["items"][0]["common_name"], "*.example.com");
    let servers = app
        .send(api(
            "GET",
            &format!("/api/v1/servers?customer_id={customer}"),
            &token,
            None,
        ))
        .await
        .json();
    assert_eq!(servers["total"], 0, "the server is the agency's own");

    let reader = app.token(tenant, &["inventory:read"]).await;
    let refused = app
        .send(api(
            "POST",
            "/api/v1/servers",
            &reader,
            Some(json!({ "hostname": "web02.agentur.de" })),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let docs = app.get("/api/v1/openapi.json", None).await.json();
    assert!(docs["paths"]["/certificates/{id}"]["patch"].is_object());
}

#[tokio::test]
async fn who_sees_the_inventory_and_who_changes_it() {
    let app = TestApp::new().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    app.user(tenant, "bob@acme.de", &["accountant"]).await;
    app.user(tenant, "sina@acme.de", &["support"]).await;
    app.user(tenant, "kunde@example.de", &["customer_owner"])
        .await;
    let domain = created(
        &app,
        &cookie,
        "domains",
        json!({ "customer_id": customer, "name": "example.de" }),
    )
    .await;
    let accountant = app.login("bob@acme.de").await;
    let support = app.login("sina@acme.de").await;
    let portal = app
        .login_form("kunde@example.de", crate::support::PASSWORD)
        .await;
    let portal = portal.session_cookie().unwrap();
    let input = json!({ "customer_id": customer, "name": "neu.de" });
    assert_eq!(
        create(&app, &accountant, "domains", input.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(
            "inventory/domains/load",
            Some(&accountant),
            json!({ "id": domain })
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        create(&app, &support, "domains", input).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(
            "inventory/domains/list",
            Some(&portal),
            json!({ "filter": {}, "page": page() })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
