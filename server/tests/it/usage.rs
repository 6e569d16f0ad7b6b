//! Usage import: CSV uploads (German Excel files, references by contract number and IDN
//! domain), all-or-nothing with a report naming every bad row, idempotent re-imports,
//! billed records, the REST API, permissions, tenants, product usage prices and charts.

use crate::support::{api, Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const BOUNDARY: &str = "kontor-usage-test-boundary";

/// A browser-like multipart upload of `file`, with the dry-run box ticked or not.
fn upload_body(file: &[u8], dry_run: bool) -> Vec<u8> {
    let mut body = Vec::new();
    if dry_run {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\n1\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"verbrauch.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, cookie: &str, file: &[u8], dry_run: bool) -> Reply {
    app.send(TestApp::post(
        "/sf/usage/import",
        Some(cookie),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        upload_body(file, dry_run),
    ))
    .await
}

struct Setup {
    tenant: Uuid,
    cookie: String,
    customer: Uuid,
    /// V-00001: hosting with usage prices (traffic_gb in GB, 100 included; mailboxes)
    hosting: Uuid,
    /// V-00002: no product, any metric; linked to the IDN domain
    server: Uuid,
}

#[allow(clippy::too_many_arguments)]
async fn contract(
    app: &TestApp,
    tenant: Uuid,
    customer: Uuid,
    number: &str,
    product: Option<Uuid>,
    start: &str,
    end: Option<&str>,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into contracts (id, tenant_id, customer_id, number, product_id, description, start_date, end_date,
                                fee, fee_unit, billing_interval, billing_mode)
         values ($1, $2, $3, $4, $5, 'Webhosting', $6::date, $7::date, 9.90, 'month', 'monthly', 'in_arrears')",
    )
    .bind(id)
    .bind(tenant)
    .bind(customer)
    .bind(number)
    .bind(product)
    .bind(start)
    .bind(end)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

async fn domain(
    app: &TestApp,
    tenant: Uuid,
    customer: Uuid,
    name: &str,
    ascii: &str,
    contract: Option<Uuid>,
) {
    sqlx::query(
        "insert into domains (id, tenant_id, customer_id, contract_id, name, ascii_name, tld)
         values ($1, $2, $3, $4, $5, $6, 'de')",
    )
    .bind(Uuid::new_v4())
    .bind(tenant)
    .bind(customer)
    .bind(contract)
    .bind(name)
    .bind(ascii)
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn product_with_usage_prices(app: &TestApp, cookie: &str) -> Uuid {
    let reply = app
        .call(
            "products/save",
            Some(cookie),
            json!({ "id": null, "input": { "sku": "WEB-M", "name": "Webhosting M", "sale_price": "9,90" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let product: Uuid = reply.json().as_str().unwrap().parse().unwrap();
    let reply = app
        .call(
            "usage/save_prices",
            Some(cookie),
            json!({ "product_id": product, "prices": [
                { "metric": "traffic_gb", "unit": "GB", "included": "100",
                  "tiers": [{ "from": "0", "unit_price": "0,10" }, { "from": "1000", "unit_price": "0,05" }] },
                { "metric": "Mailboxes", "unit": "Postfach", "included": "10",
                  "tiers": [{ "from": "0", "unit_price": "1,50" }] },
            ] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    product
}

/// A tenant with a logged-in admin, a customer, a product with usage prices, a contract
/// for it (V-00001, from 2026-01-01) and one without product (V-00002, 2026-03-01 to
/// 2026-12-31) covering the domain `bäckerei-müller.de`.
async fn setup(app: &TestApp, slug: &str) -> Setup {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    let cookie = app.login(&email).await;
    let customer = app.customer(&cookie, "Bäckerei Müller").await;
    let product = product_with_usage_prices(app, &cookie).await;
    let hosting = contract(
        app,
        tenant,
        customer,
        "V-00001",
        Some(product),
        "2026-01-01",
        None,
    )
    .await;
    let server = contract(
        app,
        tenant,
        customer,
        "V-00002",
        None,
        "2026-03-01",
        Some("2026-12-31"),
    )
    .await;
    domain(
        app,
        tenant,
        customer,
        "bäckerei-müller.de",
        "xn--bckerei-mller-bfb28a.de",
        Some(server),
    )
    .await;
    domain(
        app,
        tenant,
        customer,
        "ohne-vertrag.de",
        "ohne-vertrag.de",
        None,
    )
    .await;
    Setup {
        tenant,
        cookie,
        customer,
        hosting,
        server,
    }
}

/// What Excel on a German Windows writes: Windows-1252, semicolons, decimal commas.
fn german_file(rows: &[&str]) -> Vec<u8> {
    let text = format!(
        "Vertrag;Domain;Metrik;Monat;Menge;Einheit;Bemerkung\r\n{}\r\n",
        rows.join("\r\n")
    );
    text.chars()
        .map(|c| match c {
            'ä' => 0xE4,
            'ö' => 0xF6,
            'ü' => 0xFC,
            '€' => 0x80,
            c => u8::try_from(u32::from(c)).unwrap(),
        })
        .collect()
}

const GOOD_ROWS: [&str; 3] = [
    "V-00001;;traffic_gb;11/2026;1.234,5;;Rechenzentrum Nord",
    "V-00001;;Mailboxes;2026-11;12;postfach;",
    ";bäckerei-müller.de;storage_gb;2026-11-01;50;GB;",
];

async fn records(app: &TestApp, tenant: Uuid) -> Vec<(String, String, String, String, String)> {
    sqlx::query_as(
        "select c.number, u.metric, u.period_start::text, u.quantity::text, u.unit
         from usage_records u join contracts c on c.id = u.contract_id
         where u.tenant_id = $1 order by c.number, u.metric",
    )
    .bind(tenant)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn counts(report: &Value) -> (u64, u64, u64, u64) {
    (
        report["new"].as_u64().unwrap(),
        report["updated"].as_u64().unwrap(),
        report["unchanged"].as_u64().unwrap(),
        report["rejected"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn a_german_excel_file_is_imported_by_contract_number_and_domain() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let reply = upload(&app, &s.cookie, &german_file(&GOOD_ROWS), false).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let report = reply.json();
    assert_eq!(counts(&report), (3, 0, 0, 0));
    assert_eq!(report["written"], true);
    assert_eq!(report["encoding"], "Windows-1252");
    assert_eq!(report["delimiter"], ";");
    // the domain row names the contract it was matched to
    assert_eq!(report["rows"][2]["contract_number"], "V-00002");
    assert_eq!(report["rows"][0]["outcome"], "new");
    assert_eq!(
        records(&app, s.tenant).await,
        [
            // the product's unit where the row left it empty or wrote it in other case
            (
                "V-00001".into(),
                "mailboxes".into(),
                "2026-11-01".into(),
                "12.0000".into(),
                "Postfach".into()
            ),
            (
                "V-00001".into(),
                "traffic_gb".into(),
                "2026-11-01".into(),
                "1234.5000".into(),
                "GB".into()
            ),
            (
                "V-00002".into(),
                "storage_gb".into(),
                "2026-11-01".into(),
                "50.0000".into(),
                "GB".into()
            ),
        ]
    );
    let (source, by): (String, String) = sqlx::query_as(
        "select distinct source, imported_by_label from usage_records where tenant_id = $1",
    )
    .bind(s.tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((source.as_str(), by.as_str()), ("csv", "admin@acme.de"));
    let audit: Value = sqlx::query_scalar(
        "select after from audit_log where tenant_id = $1 and action = 'usage.imported'",
    )
    .bind(s.tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audit["file"], "verbrauch.csv");
    assert_eq!(
        (audit["rows"].as_u64(), audit["new"].as_u64()),
        (Some(3), Some(3))
    );

    // the list on the usage page, filtered by contract and month
    let list = app
        .call(
            "usage/list",
            Some(&s.cookie),
            json!({ "filter": { "contract": "v-00001", "period_from": "11/2026", "period_to": "2026-11" },
                    "page": { "page": 1, "per_page": 25, "sort": "metric", "descending": false, "search": "" } }),
        )
        .await
        .json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["metric"], "mailboxes");
    assert_eq!(list["items"][0]["customer_name"], "Bäckerei Müller");
    assert_eq!(list["items"][0]["source"], "csv");
    let bad_filter = app
        .call(
            "usage/list",
            Some(&s.cookie),
            json!({ "filter": { "period_from": "Herbst" },
                    "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } }),
        )
        .await;
    assert_eq!(bad_filter.fields(), ["period_from"]);
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_and_a_new_quantity_updates() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let file = german_file(&GOOD_ROWS);
    assert_eq!(
        upload(&app, &s.cookie, &file, false).await.status,
        StatusCode::OK
    );
    let before = records(&app, s.tenant).await;
    let stamps: Vec<String> =
        sqlx::query_scalar("select imported_at::text from usage_records order by id")
            .fetch_all(&app.pool)
            .await
            .unwrap();

    let again = upload(&app, &s.cookie, &file, false).await.json();
    assert_eq!(counts(&again), (0, 0, 3, 0));
    assert!(again["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["outcome"] == "unchanged"));
    assert_eq!(records(&app, s.tenant).await, before);
    let stamps_again: Vec<String> =
        sqlx::query_scalar("select imported_at::text from usage_records order by id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stamps, stamps_again, "unchanged rows are not rewritten");

    let changed = german_file(&[
        GOOD_ROWS[0],
        "V-00001;;mailboxes;11/2026;14;Postfach;",
        GOOD_ROWS[2],
    ]);
    let dry = upload(&app, &s.cookie, &changed, true).await.json();
    assert_eq!(counts(&dry), (0, 1, 2, 0));
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["written"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        records(&app, s.tenant).await,
        before,
        "a dry run writes nothing"
    );
    let update = upload(&app, &s.cookie, &changed, false).await.json();
    assert_eq!(counts(&update), (0, 1, 2, 0));
    assert_eq!(update["rows"][1]["outcome"], "updated");
    assert_eq!(records(&app, s.tenant).await[0].3, "14.0000");
}

#[tokio::test]
async fn one_bad_row_rejects_the_file_and_every_bad_row_is_reported() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let lines = [
        GOOD_ROWS[0],                                                   // 2: fine
        "V-99999;;traffic_gb;11/2026;1;GB;",                            // 3: unknown contract
        ";unbekannt.de;traffic_gb;11/2026;1;GB;",                       // 4: unknown domain
        ";ohne-vertrag.de;traffic_gb;11/2026;1;GB;", // 5: domain without contract
        "V-00001;;traffic_gb;11/2026;-3;GB;",        // 6: negative quantity
        "V-00001;;traffic_gb;Nov 2026;3;GB;",        // 7: bad period
        "V-00001;;cpu_hours;11/2026;3;h;",           // 8: metric the product does not price
        "V-00001;;traffic_gb;10/2026;3;TB;",         // 9: wrong unit
        "V-00001;;traffic_gb;2026-11;7;GB;",         // 10: same as line 2
        "V-00002;;storage_gb;02/2026;1;GB;",         // 11: before the start
        "V-00002;;storage_gb;01/2027;1;GB;",         // 12: after the end
        "V-00001;xn--bckerei-mller-bfb28a.de;storage_gb;11/2026;1;GB;", // 13: domain of another contract
        ";;traffic_gb;11/2026;1;GB;",                                   // 14: no reference
        "V-00002;;storage_gb;11/2026;1,00001;GB;",                      // 15: too many decimals
    ];
    let reply = upload(&app, &s.cookie, &german_file(&lines), false).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["written"], false);
    assert_eq!(report["total"], 14);
    assert_eq!(report["rejected"], 13);
    let rejected: Vec<(u64, String, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["outcome"], "rejected");
            let problem = &row["problems"][0];
            (
                row["line"].as_u64().unwrap(),
                problem["field"].as_str().unwrap().to_owned(),
                problem["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let fields: Vec<(u64, &str)> = rejected.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(
        fields,
        [
            (3, "contract"),
            (4, "domain"),
            (5, "domain"),
            (6, "quantity"),
            (7, "period"),
            (8, "metric"),
            (9, "unit"),
            (10, "period"),
            (11, "period"),
            (12, "period"),
            (13, "domain"),
            (14, "contract"),
            (15, "quantity"),
        ]
    );
    let message = |line: u64| {
        rejected
            .iter()
            .find(|(l, _, _)| *l == line)
            .unwrap()
            .2
            .clone()
    };
    assert_eq!(message(3), "Den Vertrag V-99999 gibt es nicht.");
    assert_eq!(
        message(5),
        "Die Domain ohne-vertrag.de ist keinem Vertrag zugeordnet."
    );
    assert!(
        message(8).contains("traffic_gb, mailboxes")
            || message(8).contains("mailboxes, traffic_gb"),
        "{}",
        message(8)
    );
    assert!(
        message(9).contains("TB") && message(9).contains("GB"),
        "{}",
        message(9)
    );
    assert!(message(10).contains("Zeile 2"), "{}", message(10));
    assert!(
        message(12).contains("01.03.2026 – 31.12.2026"),
        "{}",
        message(12)
    );
    assert!(
        records(&app, s.tenant).await.is_empty(),
        "nothing is half-imported"
    );
    assert!(!app
        .audit_actions(s.tenant)
        .await
        .contains(&"usage.imported".to_owned()));
}

#[tokio::test]
async fn formula_cells_are_refused_in_any_column() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let file = german_file(&[
        GOOD_ROWS[0],
        "=HYPERLINK(\"http://böse.example\";\"V-00001\");;traffic_gb;10/2026;1;GB;",
        "V-00001;;traffic_gb;09/2026;1;GB;@SUMME(A1:A9)",
    ]);
    let report = upload(&app, &s.cookie, &file, false).await.json();
    assert_eq!(report["rejected"], 2);
    assert_eq!(report["rows"][0]["problems"][0]["field"], "contract");
    assert_eq!(report["rows"][1]["problems"][0]["field"], "Bemerkung");
    assert!(report["rows"][1]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Tabellenformel"));
    assert!(records(&app, s.tenant).await.is_empty());
}

#[tokio::test]
async fn unreadable_files_get_a_clear_error_and_change_nothing() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    // a missing column is named
    let reply = upload(
        &app,
        &s.cookie,
        b"Vertrag;Metrik;Monat\nV-00001;traffic_gb;11/2026\n",
        false,
    )
    .await;
    assert_eq!(reply.fields(), ["file"]);
    let message = reply.json()["Validation"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("quantity"), "{message}");
    // a header without rows
    let reply = upload(&app, &s.cookie, b"contract;metric;period;quantity\n", false).await;
    assert_eq!(reply.fields(), ["file"]);
    // 10 MB of random bytes
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let garbage: Vec<u8> = (0..10 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let reply = upload(&app, &s.cookie, &garbage, false).await;
    assert_eq!(reply.fields(), ["file"]);
    assert!(reply.body.contains("keine Textdatei"), "{}", reply.body);
    // no file at all
    let reply = app
        .send(TestApp::post(
            "/sf/usage/import",
            Some(&s.cookie),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\n1\r\n--{BOUNDARY}--\r\n"),
        ))
        .await;
    assert_eq!(reply.fields(), ["file"]);
    // more than 32 MB is refused while it streams in
    let huge = vec![b'a'; 33 * 1024 * 1024];
    let reply = upload(&app, &s.cookie, &huge, false).await;
    assert_eq!(reply.fields(), ["file"]);
    assert!(reply.body.contains("32 MB"), "{}", reply.body);
    assert!(records(&app, s.tenant).await.is_empty());
}

#[tokio::test]
async fn a_billed_quantity_is_never_overwritten() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    assert_eq!(
        upload(&app, &s.cookie, &german_file(&GOOD_ROWS), false)
            .await
            .status,
        StatusCode::OK
    );
    // November is over on 1 December: the billing run bills its usage
    let actor = app::auth::context::Actor::system(s.tenant, "test");
    let request = app::billing::model::RunRequest {
        run_date: "2026-12-01".into(),
        preview: false,
    };
    let run = app::billing::api::begin(&app.pool, &actor, &request, "ui")
        .await
        .unwrap();
    app::billing::api::execute(&app.pool, &actor, run)
        .await
        .unwrap();
    let billed: Option<String> = sqlx::query_scalar(
        "select l.description from usage_records u join invoice_lines l on l.id = u.invoice_line_id
         where u.metric = 'traffic_gb'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(billed.is_some_and(|text| text.contains("traffic_gb")));
    let changed = german_file(&["V-00001;;traffic_gb;11/2026;2000;GB;", GOOD_ROWS[1]]);
    let report = upload(&app, &s.cookie, &changed, false).await.json();
    assert_eq!(report["rejected"], 1);
    assert_eq!(report["rows"][0]["line"], 2);
    assert_eq!(report["rows"][0]["problems"][0]["field"], "quantity");
    assert!(report["rows"][0]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("abgerechnet"));
    assert_eq!(records(&app, s.tenant).await[1].3, "1234.5000");
    // the same quantity again is fine: re-importing last month's file stays idempotent
    let same = upload(&app, &s.cookie, &german_file(&GOOD_ROWS), false)
        .await
        .json();
    assert_eq!(counts(&same), (0, 0, 3, 0));
    // and the database itself refuses to change a billed quantity
    let direct = sqlx::query("update usage_records set quantity = 1 where metric = 'traffic_gb'")
        .execute(&app.pool)
        .await;
    assert!(direct.is_err());
}

#[tokio::test]
async fn the_rest_api_imports_json_and_csv_all_or_nothing() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let token = app
        .token(s.tenant, &["usage:write", "contracts:read"])
        .await;
    let items = json!([
        { "contract_number": "V-00001", "metric": "traffic_gb", "period": "2026-10", "quantity": 150.5 },
        { "contract_id": s.hosting, "metric": "mailboxes", "period": "10/2026", "quantity": "11", "unit": "Postfach" },
        { "domain": "xn--bckerei-mller-bfb28a.de", "metric": "storage_gb", "period": "2026-10-01", "quantity": "20" },
    ]);
    let dry = app
        .send(api(
            "POST",
            "/api/v1/usage-records?dry_run=true",
            &token,
            Some(items.clone()),
        ))
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(
        (dry.json()["new"].as_u64(), dry.json()["written"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(records(&app, s.tenant).await.is_empty());
    let done = app
        .send(api(
            "POST",
            "/api/v1/usage-records",
            &token,
            Some(items.clone()),
        ))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let report = done.json();
    assert_eq!(
        (report["accepted"].as_u64(), report["new"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(report["rejected"], json!([]));
    let source: Vec<String> = sqlx::query_scalar("select distinct source from usage_records")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(source, ["api"]);
    let again = app
        .send(api("POST", "/api/v1/usage-records", &token, Some(items)))
        .await
        .json();
    assert_eq!(again["unchanged"], 3);

    // one bad item: 422 with the same report, the good item is not written
    let bad = app
        .send(api(
            "POST",
            "/api/v1/usage-records",
            &token,
            Some(json!([
                { "contract_number": "V-00001", "metric": "traffic_gb", "period": "2026-09", "quantity": 1 },
                { "contract_number": "V-00001", "metric": "traffic_gb", "period": "2026-09-15", "quantity": 1 },
                { "contract_number": "V-00001", "metric": "traffic_gb", "period": "2026-08", "quantity": 1, "colour": "red" },
            ])),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let report = bad.json();
    assert_eq!(report["written"], false);
    assert_eq!(report["rejected"][0]["index"], 1);
    assert_eq!(report["rejected"][0]["field"], "period");
    assert_eq!(report["rejected"][1]["index"], 2);
    assert_eq!(report["rejected"][1]["field"], "item");
    assert_eq!(records(&app, s.tenant).await.len(), 3);

    // CSV through the API
    let request = Request::post("/api/v1/usage-records")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(Body::from(
            "contract,metric,period,quantity\nV-00001,traffic_gb,2026-09,99\n",
        ))
        .unwrap();
    let csv = app.send(request).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.json()["new"], 1);
    let request = Request::post("/api/v1/usage-records")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from("contract,period\nV-00001,2026-09\n"))
        .unwrap();
    let missing = app.send(request).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json()["errors"][0]["field"], "body");

    // the list, filtered
    let list = app
        .send(api(
            "GET",
            &format!("/api/v1/usage-records?contract_id={}&metric=traffic_gb&period_from=2026-09&limit=1", s.hosting),
            &token,
            None,
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["period"], "2026-10-01");
    assert_eq!(list["items"][0]["quantity"], "150.5");
    assert!(list["next"].as_str().unwrap().contains("metric=traffic_gb"));

    // OpenAPI describes it
    let doc = app
        .send(api("GET", "/api/v1/openapi.json", &token, None))
        .await
        .json();
    assert!(doc["paths"]["/usage-records"]["post"].is_object());
    assert!(doc["components"]["schemas"]["UsageImportReport"].is_object());
}

#[tokio::test]
async fn only_staff_with_the_usage_permission_or_scope_import() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    app.user(s.tenant, "support@acme.de", &["support"]).await;
    let support = app.login("support@acme.de").await;
    let reply = upload(&app, &support, &german_file(&GOOD_ROWS), false).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = app
        .call(
            "usage/record",
            Some(&support),
            json!({ "input": { "contract": "V-00001", "metric": "traffic_gb", "period": "2026-11", "quantity": "1" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // support still sees the records and charts
    let list = app
        .call(
            "usage/list",
            Some(&support),
            json!({ "filter": {}, "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } }),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);

    let reader = app.token(s.tenant, &["contracts:read"]).await;
    let item = json!([{ "contract_number": "V-00001", "metric": "traffic_gb", "period": "2026-11", "quantity": 1 }]);
    let reply = app
        .send(api(
            "POST",
            "/api/v1/usage-records",
            &reader,
            Some(item.clone()),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let writer = app.token(s.tenant, &["usage:write"]).await;
    let reply = app
        .send(api("GET", "/api/v1/usage-records", &writer, None))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "usage:write does not read"
    );
    assert!(records(&app, s.tenant).await.is_empty());

    // the one-off form of the usage page (staff with the permission)
    let reply = app
        .call(
            "usage/record",
            Some(&s.cookie),
            json!({ "input": { "contract": "V-00001", "metric": "traffic_gb", "period": "2026-11", "quantity": "abc" } }),
        )
        .await;
    assert_eq!(reply.fields(), ["quantity"]);
    let reply = app
        .call(
            "usage/record",
            Some(&s.cookie),
            json!({ "input": { "contract": "V-00001", "metric": "traffic_gb", "period": "2026-11", "quantity": "42" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let source: String = sqlx::query_scalar("select source from usage_records")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(source, "ui");
}

#[tokio::test]
async fn another_tenants_contracts_and_domains_are_unknown() {
    let app = TestApp::new().await;
    let a = setup(&app, "acme").await;
    let b = setup(&app, "rival").await;
    // both tenants have a V-00001: the number resolves within the importing tenant
    assert_eq!(
        upload(&app, &a.cookie, &german_file(&GOOD_ROWS[..1]), false)
            .await
            .status,
        StatusCode::OK
    );
    let owner: Uuid = sqlx::query_scalar("select contract_id from usage_records")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(owner, a.hosting);
    let token = app
        .token(a.tenant, &["usage:write", "contracts:read"])
        .await;
    let reply = app
        .send(api(
            "POST",
            "/api/v1/usage-records",
            &token,
            Some(json!([
                { "contract_id": b.server, "metric": "x", "period": "2026-11", "quantity": 1 },
            ])),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["rejected"][0]["field"], "contract");
    // rival's records list is empty
    let rival_token = app.token(b.tenant, &["contracts:read"]).await;
    let list = app
        .send(api("GET", "/api/v1/usage-records", &rival_token, None))
        .await
        .json();
    assert_eq!(list["total"], 0);
    // and rival staff cannot see acme's chart
    let chart = app
        .call(
            "usage/chart",
            Some(&b.cookie),
            json!({ "contract_id": a.hosting }),
        )
        .await;
    assert_eq!(chart.status, StatusCode::NOT_FOUND);
    // a domain of the other tenant is unknown here
    domain(
        &app,
        b.tenant,
        b.customer,
        "rival.de",
        "rival.de",
        Some(b.server),
    )
    .await;
    let report = upload(
        &app,
        &a.cookie,
        &german_file(&[";rival.de;storage_gb;11/2026;1;GB;"]),
        false,
    )
    .await
    .json();
    assert_eq!(report["rows"][0]["problems"][0]["field"], "domain");
}

#[tokio::test]
async fn charts_show_the_last_twelve_months_and_portal_users_only_their_own() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let rows: Vec<String> = (1..=11)
        .map(|month| format!("V-00001;;traffic_gb;{month:02}/2026;{};;", 50 * month))
        .chain(["V-00001;;mailboxes;11/2026;12;;".to_owned()])
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let reply = upload(&app, &s.cookie, &german_file(&rows), false).await;
    assert_eq!(reply.json()["new"], 12, "{}", reply.body);
    let chart = app
        .call(
            "usage/chart",
            Some(&s.cookie),
            json!({ "contract_id": s.hosting }),
        )
        .await
        .json();
    let months = chart["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(
        (months[0].as_str(), months[11].as_str()),
        (Some("2025-12-01"), Some("2026-11-01"))
    );
    let traffic = chart["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "traffic_gb")
        .unwrap()
        .clone();
    assert_eq!(traffic["included"], "100");
    assert_eq!(traffic["unit"], "GB");
    assert_eq!(traffic["values"][0], Value::Null);
    assert_eq!(traffic["values"][11], "550");

    // the staff contract page (the chart itself loads in the browser: end2end/usage.test.js)
    let page = app
        .get(&format!("/contracts/{}", s.hosting), Some(&s.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);

    // a portal user of the customer sees it; another customer's contract is not found
    let other = app.customer(&s.cookie, "Konkurrenz AG").await;
    let foreign = contract(&app, s.tenant, other, "V-00003", None, "2026-01-01", None).await;
    let kim = app
        .user(s.tenant, "kim@mueller.example", &["customer_owner"])
        .await;
    sqlx::query("update memberships set customer_id = $1 where user_id = $2")
        .bind(s.customer)
        .bind(kim)
        .execute(&app.pool)
        .await
        .unwrap();
    let portal = app.login("kim@mueller.example").await;
    let own = app
        .call(
            "portal/usage_chart",
            Some(&portal),
            json!({ "contract_id": s.hosting }),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["series"].as_array().unwrap().len(), 2);
    let reply = app
        .call(
            "portal/usage_chart",
            Some(&portal),
            json!({ "contract_id": foreign }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = app
        .call(
            "usage/chart",
            Some(&portal),
            json!({ "contract_id": s.hosting }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let page = app
        .get(&format!("/portal/contracts/{}", s.hosting), Some(&portal))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let _ = s.server;
}

#[tokio::test]
async fn product_usage_prices_are_checked_and_served_over_rest() {
    let app = TestApp::new().await;
    let s = setup(&app, "acme").await;
    let product: Uuid = sqlx::query_scalar("select id from products")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let loaded = app
        .call(
            "usage/prices",
            Some(&s.cookie),
            json!({ "product_id": product }),
        )
        .await
        .json();
    assert_eq!(loaded[0]["metric"], "mailboxes");
    assert_eq!(loaded[1]["metric"], "traffic_gb");
    assert_eq!(
        loaded[1]["tiers"][1],
        json!({ "from": "1000", "unit_price": "0.05" })
    );
    let bad = app
        .call(
            "usage/save_prices",
            Some(&s.cookie),
            json!({ "product_id": product, "prices": [
                { "metric": "traffic_gb", "unit": "GB", "included": "-1", "tiers": [] },
                { "metric": "traffic-gb", "unit": "", "included": "", "tiers": [{ "from": "0", "unit_price": "x" }] },
            ] }),
        )
        .await;
    assert_eq!(
        bad.fields(),
        [
            "usage_prices.0.included",
            "usage_prices.0.tiers",
            "usage_prices.1.metric",
            "usage_prices.1.unit",
            "usage_prices.1.tiers",
        ]
    );
    let token = app
        .token(s.tenant, &["products:read", "products:write"])
        .await;
    let put = app
        .send(api(
            "PUT",
            &format!("/api/v1/products/{product}/usage-prices"),
            &token,
            Some(json!([{ "metric": "storage_gb", "unit": "GB", "included": "50", "tiers": [{ "from": "0", "unit_price": "0.20" }] }])),
        ))
        .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
    let got = app
        .send(api(
            "GET",
            &format!("/api/v1/products/{product}/usage-prices"),
            &token,
            None,
        ))
        .await
        .json();
    assert_eq!(got["items"].as_array().unwrap().len(), 1);
    assert_eq!(got["items"][0]["included"], "50");
    assert!(app
        .audit_actions(s.tenant)
        .await
        .contains(&"product.usage_prices_changed".to_owned()));
    // the product page shows the section
    let page = app
        .get(&format!("/products/{product}"), Some(&s.cookie))
        .await;
    assert!(page.body.contains("Verbrauchspreise"));
}
