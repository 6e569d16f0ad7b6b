//! Accounting on a real database: the DATEV booking batch as the tax advisor imports it,
//! the revenue statistics, the billing settings and the scheduled billing run (once, however
//! many servers look; issued at once when the tenant asks for it).

use crate::billing::{setup, Setup};
use crate::support::api;
use axum::http::StatusCode;
use chrono::{Datelike, Months};
use serde_json::{json, Value};

fn line(description: &str, quantity: &str, price: &str, vat: &str) -> Value {
    json!({ "description": description, "quantity": quantity, "unit_code": "C62", "unit_price": price,
            "vat_category": vat })
}

async fn issued_manual(s: &Setup, customer: uuid::Uuid, lines: Value) -> (String, String) {
    let created = s
        .app
        .call(
            "invoices/create-draft",
            Some(&s.cookie),
            json!({ "input": { "customer_id": customer, "lines": lines } }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json().as_str().unwrap().to_owned();
    let issued = s.issue(&[&id]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let number = issued.json()[0]["number"].as_str().unwrap().to_owned();
    (id, number)
}

async fn today(s: &Setup) -> chrono::NaiveDate {
    crate::sepa::today(s).await
}

#[tokio::test]
async fn the_datev_batch_books_invoices_per_vat_group_and_payments_against_the_debtor() {
    let s = setup("datev").await;
    let exporter = s
        .app
        .token(
            s.tenant,
            &["accounting:export", "billing:write", "invoices:read"],
        )
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;
    let today = today(&s).await;
    let first = today.with_day(1).unwrap();
    let url = format!("/api/v1/exports/datev?from={first}&to={today}");

    let unset = s.app.send(api("GET", &url, &exporter, None)).await;
    assert_eq!(unset.status, StatusCode::CONFLICT, "{}", unset.body);
    assert!(unset.body.contains("consultant"), "{}", unset.body);
    let bad = s
        .app
        .send(api(
            "PUT",
            "/api/v1/billing-settings",
            &exporter,
            Some(json!({ "schedule": "off", "schedule_day": 1, "auto_issue": false, "credit_note_approval": false,
                         "datev_consultant": "12", "datev_client": "abc", "datev_chart": "skr03", "fiscal_year_start": 1 })),
        ))
        .await;
    assert_eq!(bad.fields(), vec!["datev_consultant", "datev_client"]);
    let saved = s
        .app
        .send(api(
            "PUT",
            "/api/v1/billing-settings",
            &exporter,
            Some(json!({ "schedule": "off", "schedule_day": 1, "auto_issue": false, "credit_note_approval": false,
                         "datev_consultant": "29098", "datev_client": "55003", "datev_chart": "skr03", "fiscal_year_start": 1 })),
        ))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let dutch = s.customer("Nederland BV", json!({ "billing_country": "NL", "billing_postal_code": "1012 AB",
        "billing_city": "Amsterdam", "vat_id": "NL004495445B01", "tax_treatment": "eu_reverse_charge" })).await;
    let (alpha_invoice, alpha_number) = issued_manual(
        &s,
        alpha,
        json!([
            line("Webdesign", "1", "100", "standard"),
            line("Fachbuch", "1", "50", "reduced")
        ]),
    )
    .await;
    let (_, dutch_number) = issued_manual(
        &s,
        dutch,
        json!([line("Managed Server", "1", "200", "standard")]),
    )
    .await;
    // a partial credit note of 10.00 net
    let credit = s
        .app
        .call(
            "invoices/credit-note",
            Some(&s.cookie),
            json!({ "invoice_id": alpha_invoice }),
        )
        .await;
    let credit = credit.json().as_str().unwrap().to_owned();
    let edited = s
        .app
        .call(
            "invoices/save-draft",
            Some(&s.cookie),
            json!({ "id": credit, "input": { "lines": [line("Nachlass Webdesign", "1", "10", "standard")] } }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let credit_number = s.issue(&[&credit]).await.json()[0]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    // 119.00 + 53.50 − 11.90 = 160.60 open; 170.60 paid leaves 10.00 credit
    let paid = s
        .app
        .call(
            "payments/record",
            Some(&s.cookie),
            json!({ "input": { "invoice_numbers": alpha_number, "received_on": today.to_string(), "amount": "170,60", "method": "transfer" } }),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);

    assert_eq!(
        s.app.send(api("GET", &url, &reader, None)).await.status,
        StatusCode::FORBIDDEN
    );
    let export = s.app.send(api("GET", &url, &exporter, None)).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(
        export.headers["content-type"].to_str().unwrap(),
        "text/csv; charset=windows-1252"
    );
    // Windows-1252: the headings' umlauts are single bytes, not UTF-8
    assert!(export
        .body
        .contains("Gegenkonto (ohne BU-Schl\u{fffd}ssel)"));
    let lines: Vec<&str> = export
        .body
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        lines[0].starts_with("\"EXTF\";700;21;\"Buchungsstapel\";13;"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(";29098;55003;"), "{}", lines[0]);
    assert!(lines[0].contains(";\"03\";"), "{}", lines[0]);
    assert_eq!(lines[1].split(';').count(), 125);
    let day = today.format("%d%m").to_string();
    let starts = |amount: &str, side: &str, account: &str, contra: &str, document: &str| {
        format!("{amount};\"{side}\";\"EUR\";;;\"\";{account};{contra};\"\";{day};\"{document}\";")
    };
    let bookings = &lines[2..];
    let expected = [
        starts("119,00", "S", "10001", "8400", &alpha_number),
        starts("53,50", "S", "10001", "8300", &alpha_number),
        starts("200,00", "S", "10002", "8336", &dutch_number),
        starts("11,90", "H", "10001", "8400", &credit_number),
        starts("160,60", "S", "1200", "10001", &alpha_number),
        starts("10,00", "S", "1200", "10001", ""),
    ];
    assert_eq!(bookings.len(), expected.len(), "{bookings:#?}");
    for wanted in &expected {
        assert!(
            bookings.iter().any(|b| b.starts_with(wanted.as_str())),
            "missing {wanted} in {bookings:#?}"
        );
    }
    let dutch_row = bookings.iter().find(|b| b.contains(&dutch_number)).unwrap();
    assert!(
        dutch_row.contains("\"NL004495445B01\""),
        "EU VAT id for the EC sales list"
    );

    let exports: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tenant_id = $1 and action = 'accounting.datev_exported'",
    )
    .bind(s.tenant)
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(exports, 1);

    let across = s
        .app
        .send(api(
            "GET",
            "/api/v1/exports/datev?from=2025-12-01&to=2026-01-31",
            &exporter,
            None,
        ))
        .await;
    assert_eq!(across.fields(), vec!["to"], "one fiscal year per batch");
}

#[tokio::test]
async fn revenue_stats_count_mrr_revenue_per_month_and_customer_churn_and_renewals() {
    let s = setup("umsatz").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let beta = s.customer("Beta AG", json!({})).await;
    let today = today(&s).await;
    let last_month = today.with_day(1).unwrap() - Months::new(1);
    s.contract(
        alpha,
        "Webhosting M",
        &last_month.to_string(),
        "10.00",
        json!({}),
    )
    .await;
    // a yearly contract whose second year starts in twelve days
    let renews_on = today + chrono::Days::new(12);
    s.contract(
        beta,
        "Managed Server jährlich",
        &(renews_on - Months::new(12)).to_string(),
        "120.00",
        json!({ "fee_unit": "year", "billing_interval": "yearly", "minimum_term_months": 12,
                "notice_amount": 1, "notice_unit": "months" }),
    )
    .await;
    let ended = s
        .contract(
            alpha,
            "Altvertrag",
            &(last_month - Months::new(3)).to_string(),
            "30.00",
            json!({}),
        )
        .await;
    s.run(&today.to_string(), false).await;
    let drafts: Vec<String> = s
        .invoices("draft")
        .await
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let ids: Vec<&str> = drafts.iter().map(String::as_str).collect();
    assert_eq!(s.issue(&ids).await.status, StatusCode::OK);
    // the old contract ended by notice last month
    sqlx::query(
        "update contracts set end_date = date_trunc('month', now())::date - 1, cancelled_at = now(),
             notice_given_on = date_trunc('month', now())::date - 40
         where id = $1",
    )
    .bind(ended)
    .execute(&s.app.pool)
    .await
    .unwrap();

    let reader = s.app.token(s.tenant, &["reports:read"]).await;
    let stats = s
        .app
        .send(api("GET", "/api/v1/revenue-stats", &reader, None))
        .await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let stats = stats.json();
    assert_eq!(stats["mrr"], "20.00", "10.00 a month + 120.00 a year");
    assert_eq!(stats["arr"], "240.00");
    assert_eq!(stats["active_contracts"], 2);
    let months = stats["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let invoiced_this_month: String = sqlx::query_scalar(
        "select sum(net_total)::text from invoices where tenant_id = $1 and status = 'issued'",
    )
    .bind(s.tenant)
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(months[11]["invoiced"], invoiced_this_month.as_str());
    assert_eq!(months[11]["month"], today.with_day(1).unwrap().to_string());
    assert_eq!(
        stats["by_customer"][0]["label"]
            .as_str()
            .unwrap()
            .contains("Alpha"),
        true,
        "{stats}"
    );
    let churn = stats["churn"].as_array().unwrap();
    assert_eq!(churn.len(), 1, "{stats}");
    assert_eq!(churn[0]["contracts"], 1);
    assert_eq!(churn[0]["mrr"], "30.00");
    let renewals = stats["renewals"].as_array().unwrap();
    assert_eq!(renewals.len(), 1, "{stats}");
    assert_eq!(renewals[0]["renews_on"], renews_on.to_string());
    let notice_by = renews_on - chrono::Days::new(1) - Months::new(1);
    assert_eq!(renewals[0]["notice_by"], notice_by.to_string());

    let staff = s.app.token(s.tenant, &["invoices:read"]).await;
    assert_eq!(
        s.app
            .send(api("GET", "/api/v1/revenue-stats", &staff, None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_scheduled_run_starts_once_however_many_servers_look_and_issues_its_drafts() {
    let s = setup("plan").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    s.contract(alpha, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    let saved = s
        .app
        .call(
            "billing/settings/save",
            Some(&s.cookie),
            json!({ "input": { "schedule": "monthly", "schedule_day": 29, "auto_issue": true, "credit_note_approval": false,
                               "datev_consultant": "", "datev_client": "", "datev_chart": "skr04", "fiscal_year_start": 1 } }),
        )
        .await;
    assert_eq!(
        saved.fields(),
        vec!["schedule_day"],
        "monthly runs on the 1st to the 28th"
    );
    let saved = s
        .app
        .call(
            "billing/settings/save",
            Some(&s.cookie),
            json!({ "input": { "schedule": "daily", "schedule_day": 1, "auto_issue": true, "credit_note_approval": false,
                               "datev_consultant": "", "datev_client": "", "datev_chart": "skr04", "fiscal_year_start": 1 } }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let today = today(&s).await;
    assert_eq!(saved.json()["next_run_on"], today.to_string());
    // yesterday's run was missed (the server was down): it is due whatever the hour
    sqlx::query("update billing_settings set next_run_on = next_run_on - 1 where tenant_id = $1")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await
        .unwrap();

    let (one, two) = tokio::join!(
        app::billing::api::run_scheduled(&s.app.pool),
        app::billing::api::run_scheduled(&s.app.pool)
    );
    assert_eq!(
        one.unwrap().len() + two.unwrap().len(),
        1,
        "one run, not two"
    );
    let runs: Vec<(String, i32)> =
        sqlx::query_as("select started_via, invoice_count from billing_runs where tenant_id = $1")
            .bind(s.tenant)
            .fetch_all(&s.app.pool)
            .await
            .unwrap();
    assert_eq!(runs, vec![("schedule".to_owned(), 1)]);
    let issued = s.invoices("issued").await;
    assert_eq!(issued.len(), 1, "issued at once");
    assert!(issued[0]["number"].as_str().unwrap().starts_with("RE-"));
    let next: chrono::NaiveDate =
        sqlx::query_scalar("select next_run_on from billing_settings where tenant_id = $1")
            .bind(s.tenant)
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    assert_eq!(next, today.succ_opt().unwrap());
    // nothing more is due today
    assert!(app::billing::api::run_scheduled(&s.app.pool)
        .await
        .unwrap()
        .is_empty());
}
