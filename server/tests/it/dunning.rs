//! Dunning on a real database: levels climbed one per run, one letter per customer with
//! fee and §288 interest, blocked customers left out, previews that write nothing, letters
//! frozen with their PDF and queued as mail, levels checked, the REST API.

use crate::billing::{pdf_text, setup, Setup};
use crate::sepa::today;
use crate::support::api;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

/// An issued invoice from an earlier system, due `due_days_ago` days ago.
pub async fn old_invoice(s: &Setup, customer: Uuid, number: &str, due_days_ago: u64, gross: &str) {
    let today = today(s).await;
    let due = today - chrono::Days::new(due_days_ago);
    sqlx::query(
        "insert into invoices (id, tenant_id, customer_id, status, number, issue_date, due_date, currency,
             language, tax_treatment, customer_number, buyer_name, buyer_country, net_total, tax_total,
             gross_total, issued_at)
         select $1, $2, $3, 'issued', $4, $5, $6, 'EUR', 'de', 'domestic', number, display_name, 'DE',
                $7::numeric, 0, $7::numeric, now()
         from customers where id = $3",
    )
    .bind(Uuid::new_v4())
    .bind(s.tenant)
    .bind(customer)
    .bind(number)
    .bind(due - chrono::Days::new(14))
    .bind(due)
    .bind(gross)
    .execute(&s.app.pool)
    .await
    .unwrap();
}

async fn run(s: &Setup, date: Option<NaiveDate>, dry_run: bool) -> Value {
    let reply = s
        .app
        .call(
            "dunning/run",
            Some(&s.cookie),
            json!({ "request": { "date": date.map(|d| d.to_string()).unwrap_or_default(), "dry_run": dry_run } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn letter_of<'a>(outcome: &'a Value, name: &str) -> &'a Value {
    outcome["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["customer_name"] == name)
        .unwrap_or_else(|| panic!("no letter for {name}: {outcome}"))
}

#[tokio::test]
async fn a_run_climbs_one_level_per_invoice_and_writes_one_letter_per_customer() {
    let s = setup("mahnlauf").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let erika = s
        .customer(
            "",
            json!({ "kind": "person", "first_name": "Erika", "last_name": "Mustermann" }),
        )
        .await;
    let blocked = s.customer("Streitfall AG", json!({})).await;
    old_invoice(&s, alpha, "ALT-1", 10, "100.00").await;
    old_invoice(&s, alpha, "ALT-2", 3, "50.00").await;
    old_invoice(&s, erika, "ALT-3", 45, "300.00").await;
    old_invoice(&s, blocked, "ALT-4", 40, "80.00").await;
    // the tenant words its dunning e-mail itself
    let template = s
        .app
        .call(
            "mail/save-template",
            Some(&s.cookie),
            json!({ "template": { "kind": "dunning", "language": "de", "customised": true,
                "subject": "{title}: {amount} offen", "body": "Bitte bis {due_date} zahlen.\n{tenant}" } }),
        )
        .await;
    assert_eq!(template.status, StatusCode::OK, "{}", template.body);
    let block = s
        .app
        .call(
            "dunning/block",
            Some(&s.cookie),
            json!({ "customer_id": blocked, "blocked": true }),
        )
        .await;
    assert_eq!(block.status, StatusCode::OK, "{}", block.body);

    // a preview writes nothing
    let preview = run(&s, None, true).await;
    assert!(preview["run_id"].is_null());
    assert_eq!(preview["letters"].as_array().unwrap().len(), 2, "{preview}");
    assert_eq!(preview["blocked"], json!(["Streitfall AG"]));
    let letters: i64 = sqlx::query_scalar("select count(*) from dunning_letters")
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(letters, 0);

    // 20 days ago Erika's invoice was 25 days overdue: a reminder
    let today = today(&s).await;
    let earlier = run(&s, Some(today - chrono::Days::new(20)), false).await;
    let first = letter_of(&earlier, "Erika Mustermann");
    assert_eq!(first["level"], 1);
    assert_eq!(first["fee"], "0");

    let outcome = run(&s, None, false).await;
    let a = letter_of(&outcome, "Alpha GmbH");
    assert_eq!(a["level"], 1, "a first reminder, however late");
    assert_eq!(
        a["items"].as_array().unwrap().len(),
        1,
        "ALT-2 is 3 days overdue: not yet"
    );
    assert_eq!(a["total"], "100.00");
    let e = letter_of(&outcome, "Erika Mustermann");
    assert_eq!(e["level"], 2);
    assert_eq!(e["fee"], "5");
    // a consumer: base rate 1.27 + 5 points on 300 € for 45 days = 2.32 €
    assert_eq!(e["interest"], "2.32");
    assert_eq!(e["total"], "307.32");

    // the same day again: nothing moves, no letter
    assert_eq!(run(&s, None, false).await["letters"], json!([]));

    // the letter is stored, frozen, readable and queued as mail
    let id = e["id"].as_str().unwrap();
    let pdf: Vec<u8> = sqlx::query_scalar("select pdf from dunning_letters where id = $1::uuid")
        .bind(id)
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    // kept for looking at: the last letter written by the tests
    let _ = std::fs::write(std::env::temp_dir().join("kontor-dunning-letter.pdf"), &pdf);
    let text = pdf_text(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("Mahnung"), "{text}");
    assert!(text.contains("ALT-3"), "{text}");
    assert!(text.contains("307,32 €"), "{text}");
    assert!(text.contains("5 Prozentpunkte"), "{text}");
    assert!(sqlx::query("update dunning_letters set total = 0")
        .execute(&s.app.pool)
        .await
        .is_err());
    let queued: i64 = sqlx::query_scalar(
        "select count(*) from outbox_mails where dunning_letter_id is not null and status = 'queued'",
    )
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(queued, 3, "the reminder and today's two letters");
    let subjects: Vec<String> = sqlx::query_scalar(
        "select subject from outbox_mails where dunning_letter_id is not null order by subject",
    )
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    assert!(
        subjects
            .iter()
            .any(|subject| subject == "Mahnung: 307,32\u{a0}€ offen"),
        "{subjects:?}"
    );
    let download = s
        .app
        .get(&format!("/dunning-letters/{id}/pdf"), Some(&s.cookie))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(s
        .app
        .audit_actions(s.tenant)
        .await
        .contains(&"dunning.run".to_owned()));
}

#[tokio::test]
async fn levels_and_dates_are_checked_and_the_api_runs_dunning() {
    let s = setup("mahnstufen").await;
    let bad_levels = s
        .app
        .call(
            "dunning/save-levels",
            Some(&s.cookie),
            json!({ "levels": [
                { "level": 1, "days_after_due": "14", "fee": "0", "interest": false },
                { "level": 2, "days_after_due": "10", "fee": "x", "interest": true } ] }),
        )
        .await;
    let mut fields = bad_levels.fields();
    fields.sort();
    assert_eq!(fields, vec!["days_after_due_2", "fee_2"]);
    let saved = s
        .app
        .call(
            "dunning/save-levels",
            Some(&s.cookie),
            json!({ "levels": [
                { "level": 1, "days_after_due": "14", "fee": "0", "interest": false },
                { "level": 2, "days_after_due": "28", "fee": "7,50", "interest": true } ] }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let future = today(&s).await + chrono::Days::new(3);
    let refused = s
        .app
        .call(
            "dunning/run",
            Some(&s.cookie),
            json!({ "request": { "date": future.to_string(), "dry_run": true } }),
        )
        .await;
    assert_eq!(refused.fields(), vec!["date"]);

    let alpha = s.customer("Alpha GmbH", json!({})).await;
    old_invoice(&s, alpha, "ALT-9", 15, "119.00").await;
    let token = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;
    let forbidden = s
        .app
        .send(api(
            "POST",
            "/api/v1/dunning-runs",
            &reader,
            Some(json!({})),
        ))
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let done = s
        .app
        .send(api(
            "POST",
            "/api/v1/dunning-runs",
            &token,
            Some(json!({ "dry_run": false })),
        ))
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let letter = &done.json()["letters"][0];
    assert_eq!(letter["level"], 1, "14 days: the tenant's first level");
    let pdf = s
        .app
        .send(api(
            "GET",
            &format!(
                "/api/v1/dunning-letters/{}/pdf",
                letter["id"].as_str().unwrap()
            ),
            &token,
            None,
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
}
