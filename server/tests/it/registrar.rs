//! Registrar reconciliation: every line's outcome, dry run versus applied import,
//! idempotent re-import, broken files refused whole, contracts from unbilled domains,
//! permissions and tenant scope.

use crate::support::{api, Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

struct Agency {
    tenant: Uuid,
    token: String,
    cookie: String,
    bakery: Uuid,
    florist: Uuid,
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A domain of the bakery at `registrar`, billed by a yearly contract of `yearly_fee` when given.
async fn domain(
    app: &TestApp,
    a: &Agency,
    name: &str,
    registrar: &str,
    expires: &str,
    yearly_fee: Option<&str>,
) {
    let contract = match yearly_fee {
        Some(fee) => {
            let id = Uuid::new_v4();
            sqlx::query(
                "insert into contracts (id, tenant_id, customer_id, number, product_id, description, start_date,
                     fee, fee_unit, billing_interval)
                 values ($1, $2, $3, $4, (select id from products where tenant_id = $2 and kind = 'domain'),
                         $5, current_date - 400, $6::numeric, 'year', 'yearly')",
            )
            .bind(id)
            .bind(a.tenant)
            .bind(a.bakery)
            .bind(format!("V-{name}"))
            .bind(format!("Domain {name}"))
            .bind(fee)
            .execute(&app.pool)
            .await
            .unwrap();
            Some(id)
        }
        None => None,
    };
    let tld = name.rsplit('.').next().unwrap();
    sqlx::query(
        "insert into domains (id, tenant_id, customer_id, contract_id, name, ascii_name, tld, registrar, expires_on)
         values ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
    )
    .bind(Uuid::new_v4())
    .bind(a.tenant)
    .bind(a.bakery)
    .bind(contract)
    .bind(name)
    .bind(tld)
    .bind(registrar)
    .bind(date(expires))
    .execute(&app.pool)
    .await
    .unwrap();
}

/// An agency with TLD prices, a domain product and the bakery's domains:
/// billed.de (fine), mismatch.de (expiry differs), nocontract.de (unbilled), gone.de
/// (billed, not in the list), cheap.com (billed below cost), hetzner.de (another registrar).
async fn agency(app: &TestApp, slug: &str) -> Agency {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    let cookie = app.login(&email).await;
    let bakery = app.customer(&cookie, "Bäckerei Müller").await;
    let florist = app.customer(&cookie, "Blumen Schmidt").await;
    sqlx::query(
        "insert into tld_prices (tenant_id, tld, renewal_cost, renewal_price) values ($1, 'de', 3.50, 9.90), ($1, 'com', 8.00, 14.90)
         ",
    )
    .bind(tenant)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into products (id, tenant_id, sku, name, kind, sale_price, fee_unit, billing_interval)
         values (gen_random_uuid(), $1, 'DOM', 'Domain', 'domain', 9.90, 'year', 'yearly')",
    )
    .bind(tenant)
    .execute(&app.pool)
    .await
    .unwrap();
    let token = app
        .token(
            tenant,
            &[
                "registrar:write",
                "contracts:write",
                "contracts:read",
                "inventory:read",
            ],
        )
        .await;
    let a = Agency {
        tenant,
        token,
        cookie,
        bakery,
        florist,
    };
    domain(app, &a, "billed.de", "INWX", "2027-03-01", Some("9.90")).await;
    domain(app, &a, "mismatch.de", "INWX", "2027-05-01", Some("9.90")).await;
    domain(app, &a, "nocontract.de", "INWX", "2027-01-15", None).await;
    domain(app, &a, "gone.de", "inwx", "2027-02-01", Some("9.90")).await;
    domain(app, &a, "cheap.com", "INWX", "2027-04-01", Some("5.00")).await;
    domain(app, &a, "hetzner.de", "Hetzner", "2027-04-01", Some("9.90")).await;
    a
}

/// INWX's export layout, as German Excel writes it (Windows-1252, semicolons).
fn inwx_list(extra: &str) -> Vec<u8> {
    let text = format!(
        "Domain;Status;Erstellt;Ablaufdatum;Verlängerungsmodus;Preis\r\n\
         billed.de;OK;01.03.2015;01.03.2027;AUTORENEW;3,50\r\n\
         mismatch.de;OK;01.05.2016;01.06.2027;AUTORENEW;3,50\r\n\
         nocontract.de;OK;15.01.2020;15.01.2027;AUTORENEW;4,00\r\n\
         cheap.com;OK;01.04.2018;01.04.2027;AUTORENEW;8,00\r\n\
         neu-kunde.de;OK;01.02.2024;01.02.2027;AUTORENEW;3,50\r\n\
         müller-blumen.de;OK;01.02.2024;01.02.2027;AUTORENEW;3,50\r\n\
         shop.xyz;OK;01.02.2024;01.02.2027;AUTORENEW;\r\n\
         alt.de;DELETED;01.01.2010;01.01.2026;AUTODELETE;\r\n{extra}"
    );
    // Windows-1252: every char here is Latin-1
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn upload(token: &str, query: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(format!("/api/v1/registrar-imports?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(body))
        .unwrap()
}

async fn import(app: &TestApp, a: &Agency, query: &str, body: Vec<u8>) -> Value {
    let reply = app.send(upload(&a.token, query, body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

async fn rows(app: &TestApp, a: &Agency, import: &Value, view: &str) -> Vec<Value> {
    let id = import["import"]["id"].as_str().unwrap();
    let reply = app
        .send(api(
            "GET",
            &format!("/api/v1/registrar-imports/{id}/rows?view={view}&limit=200"),
            &a.token,
            None,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().clone()
}

fn domains_of(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["domain"].as_str().unwrap()).collect()
}

async fn expiry(app: &TestApp, name: &str) -> NaiveDate {
    sqlx::query_scalar("select expires_on from domains where ascii_name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn dry_run_reports_every_line_and_changes_nothing() {
    let app = TestApp::new().await;
    let a = agency(&app, "dry").await;
    let extra = "=HYPERLINK(\"http://evil\");OK;;01.01.2027;;\r\nbilled.de;OK;;01.03.2027;;\r\nkaputt;OK;;;;\r\n";
    let report = import(
        &app,
        &a,
        "registrar=INWX&dry_run=true&file_name=inwx.csv",
        inwx_list(extra),
    )
    .await;
    let summary = &report["import"];
    assert_eq!(summary["status"], "done");
    assert_eq!(summary["layout"], "inwx");
    assert_eq!(summary["encoding"], "Windows-1252");
    assert_eq!(summary["rows_total"], 11);
    assert_eq!(summary["ok"], 3, "{summary}");
    assert_eq!(summary["unbilled"], 4);
    assert_eq!(summary["orphaned"], 1);
    assert_eq!(summary["inactive"], 1);
    assert_eq!(summary["rejected"], 3);
    assert_eq!(summary["expiry_mismatch"], 1);
    assert_eq!(summary["updated_domains"], 0);

    let unbilled = rows(&app, &a, &report, "unbilled").await;
    assert_eq!(
        domains_of(&unbilled),
        [
            "nocontract.de",
            "neu-kunde.de",
            "müller-blumen.de",
            "shop.xyz"
        ]
    );
    // a known domain names its customer; unknown ones have none yet
    assert_eq!(unbilled[0]["customer"], "Bäckerei Müller");
    assert!(unbilled[1]["customer"].is_null());

    let orphaned = rows(&app, &a, &report, "orphaned").await;
    assert_eq!(
        domains_of(&orphaned),
        ["gone.de"],
        "another registrar's domains are not orphans"
    );
    assert!(orphaned[0]["line"].is_null());
    assert_eq!(orphaned[0]["contract_number"], "V-gone.de");

    let mismatch = rows(&app, &a, &report, "expiry_mismatch").await;
    assert_eq!(domains_of(&mismatch), ["mismatch.de"]);
    assert_eq!(mismatch[0]["registrar_expires_on"], "2027-06-01");
    assert_eq!(mismatch[0]["kontor_expires_on"], "2027-05-01");

    let drift = rows(&app, &a, &report, "price_drift").await;
    let notes: Vec<(&str, &str)> = drift
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap(),
                r["price_note"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("nocontract.de", "cost_changed"),
            ("cheap.com", "below_cost"),
            ("shop.xyz", "no_list_price")
        ]
    );

    let rejected: Vec<(i64, &str, &str)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["problem_field"].as_str().unwrap(),
                r["problem"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (10, "domain", "formula"),
            (11, "domain", "duplicate"),
            (12, "domain", "domain")
        ]
    );
    assert_eq!(report["rejected"][1]["duplicate_of"], 2);

    assert_eq!(
        expiry(&app, "mismatch.de").await,
        date("2027-05-01"),
        "a dry run changes nothing"
    );
}

#[tokio::test]
async fn applied_import_takes_expiry_over_and_a_second_import_changes_nothing() {
    let app = TestApp::new().await;
    let a = agency(&app, "apply").await;
    let first = import(&app, &a, "registrar=INWX", inwx_list("")).await;
    assert_eq!(first["import"]["dry_run"], false);
    assert_eq!(first["import"]["expiry_mismatch"], 1);
    // mismatch.de's expiry plus nocontract.de (renewal mode unchanged, but registrar set) …
    assert!(first["import"]["updated_domains"].as_i64().unwrap() >= 1);
    assert_eq!(expiry(&app, "mismatch.de").await, date("2027-06-01"));

    let second = import(&app, &a, "registrar=INWX", inwx_list("")).await;
    assert_eq!(second["import"]["expiry_mismatch"], 0);
    assert_eq!(second["import"]["updated_domains"], 0);
    for count in ["ok", "unbilled", "orphaned", "inactive", "rejected"] {
        assert_eq!(first["import"][count], second["import"][count], "{count}");
    }
    let domains: i64 = sqlx::query_scalar("select count(*) from domains where tenant_id = $1")
        .bind(a.tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(domains, 6, "an import never adds domains by itself");
    assert!(app
        .audit_actions(a.tenant)
        .await
        .contains(&"registrar_import.reconciled".to_owned()));
}

#[tokio::test]
async fn a_list_with_bad_lines_is_reported_but_not_applied() {
    let app = TestApp::new().await;
    let a = agency(&app, "bad").await;
    let report = import(
        &app,
        &a,
        "registrar=INWX",
        inwx_list("b.de;OK;;31.02.2027;;\r\n"),
    )
    .await;
    assert_eq!(report["import"]["rejected"], 1);
    assert_eq!(report["import"]["error"], "rejected_rows");
    assert_eq!(report["import"]["updated_domains"], 0);
    assert_eq!(report["rejected"][0]["problem_field"], "expires_on");
    assert_eq!(expiry(&app, "mismatch.de").await, date("2027-05-01"));
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_whole() {
    let app = TestApp::new().await;
    let a = agency(&app, "broken").await;
    let garbage: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap())
        .collect();
    for (body, message) in [
        (garbage, "not a text file"),
        (b"host;expiry\nexample.de;2027-01-01\n".to_vec(), "domain"),
        (b"\r\n\r\n".to_vec(), "empty"),
        (b"domain\n\"open.de\n".to_vec(), "line 2"),
    ] {
        let reply = app.send(upload(&a.token, "registrar=INWX", body)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.fields(), ["file"]);
        assert!(reply.body.contains(message), "{message}: {}", reply.body);
    }
    let reply = app
        .send(upload(&a.token, "registrar=", inwx_list("")))
        .await;
    assert_eq!(reply.fields(), ["registrar"]);
    let imports: i64 = sqlx::query_scalar("select count(*) from registrar_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        imports, 0,
        "nothing is stored for a file that cannot be read"
    );
}

#[tokio::test]
async fn unbilled_domains_become_contracts_one_or_many_at_a_time() {
    let app = TestApp::new().await;
    let a = agency(&app, "leak").await;
    let report = import(&app, &a, "registrar=INWX&dry_run=true", inwx_list("")).await;
    let id = report["import"]["id"].as_str().unwrap().to_owned();
    let unbilled = rows(&app, &a, &report, "unbilled").await;
    let position =
        |name: &str| unbilled.iter().find(|r| r["domain"] == name).unwrap()["position"].clone();
    let create = |body: Value| {
        api(
            "POST",
            &format!("/api/v1/registrar-imports/{id}/contracts"),
            &a.token,
            Some(body),
        )
    };

    // a known domain: its customer is known
    let reply = app
        .send(create(json!({ "positions": [position("nocontract.de")] })))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let number = reply.json()["created"][0]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let (fee, unit, interval, customer): (String, String, String, Uuid) = sqlx::query_as(
        "select c.fee::text, c.fee_unit, c.billing_interval, c.customer_id from contracts c
         join domains d on d.contract_id = c.id where d.ascii_name = 'nocontract.de'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (fee.as_str(), unit.as_str(), interval.as_str()),
        ("9.9000", "year", "yearly")
    );
    assert_eq!(customer, a.bakery);

    // unknown domains need a customer …
    let both = json!([position("neu-kunde.de"), position("müller-blumen.de")]);
    let reply = app.send(create(json!({ "positions": both }))).await;
    assert_eq!(reply.fields(), ["customer_id"]);
    // … and get one, in bulk
    let reply = app
        .send(create(
            json!({ "positions": both, "customer_id": a.florist }),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json()["created"].as_array().unwrap().len(), 2);
    let (owner, registrar): (Uuid, String) = sqlx::query_as(
        "select customer_id, registrar from domains where ascii_name = 'xn--mller-blumen-dlb.de'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((owner, registrar.as_str()), (a.florist, "INWX"));

    // a second click creates nothing twice; a TLD without price is named
    let reply = app
        .send(create(
            json!({ "positions": both, "customer_id": a.florist }),
        ))
        .await;
    assert_eq!(reply.fields(), ["positions"]);
    let reply = app
        .send(create(
            json!({ "positions": [position("shop.xyz")], "customer_id": a.florist }),
        ))
        .await;
    assert_eq!(reply.fields(), ["positions"]);
    assert!(reply.body.contains("shop.xyz"), "{}", reply.body);

    let after = rows(&app, &a, &report, "unbilled").await;
    let created = after
        .iter()
        .find(|r| r["domain"] == "nocontract.de")
        .unwrap();
    assert_eq!(created["created_contract_number"], number);

    // the next import sees them billed
    let again = import(&app, &a, "registrar=INWX&dry_run=true", inwx_list("")).await;
    assert_eq!(again["import"]["unbilled"], 1, "only shop.xyz is left");
}

#[tokio::test]
async fn reconciliation_needs_its_permission_and_stays_in_the_tenant() {
    let app = TestApp::new().await;
    let a = agency(&app, "perm").await;
    let report = import(&app, &a, "registrar=INWX&dry_run=true", inwx_list("")).await;
    let id = report["import"]["id"].as_str().unwrap().to_owned();

    let reader = app
        .token(a.tenant, &["inventory:read", "contracts:read"])
        .await;
    let reply = app
        .send(upload(&reader, "registrar=INWX", inwx_list("")))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // registrar:write alone reports, but does not create contracts
    let reconciler = app.token(a.tenant, &["registrar:write"]).await;
    let unbilled = rows(&app, &a, &report, "unbilled").await;
    let reply = app
        .send(api(
            "POST",
            &format!("/api/v1/registrar-imports/{id}/contracts"),
            &reconciler,
            Some(json!({ "positions": [unbilled[0]["position"]] })),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    let support = "support@perm.de";
    app.user(a.tenant, support, &["support"]).await;
    let cookie = app.login(support).await;
    let reply: Reply = app
        .call("registrar/imports/load", Some(&cookie), json!({ "id": id }))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app
        .call(
            "registrar/imports/load",
            Some(&a.cookie),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let other = agency(&app, "other").await;
    let reply = app
        .send(api(
            "GET",
            &format!("/api/v1/registrar-imports/{id}"),
            &other.token,
            None,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = app
        .send(api(
            "GET",
            &format!("/api/v1/registrar-imports/{id}/rows"),
            &other.token,
            None,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
