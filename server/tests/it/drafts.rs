//! Drafts people edit: manual invoices typed line by line, a run's draft corrected or
//! thrown away (and billed again by the next run), partial credit notes that together
//! never take back more than the invoice, and four-eyes approval of credit notes.

use crate::billing::{assert_file_valid, setup, Setup};
use crate::support::api;
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn create(s: &Setup, input: Value) -> crate::support::Reply {
    s.app
        .call(
            "invoices/create-draft",
            Some(&s.cookie),
            json!({ "input": input }),
        )
        .await
}

async fn save(s: &Setup, cookie: &str, id: &str, input: Value) -> crate::support::Reply {
    s.app
        .call(
            "invoices/save-draft",
            Some(cookie),
            json!({ "id": id, "input": input }),
        )
        .await
}

fn line(description: &str, quantity: &str, unit: &str, price: &str, vat: &str) -> Value {
    json!({ "description": description, "quantity": quantity, "unit_code": unit, "unit_price": price,
            "vat_category": vat })
}

/// What an issued invoice still asks for, as the database computes it.
async fn open_amount(s: &Setup, id: &str) -> String {
    sqlx::query_scalar(&format!(
        "select ({})::text from invoices i where i.id = $1::uuid",
        app::invoices::repo::OPEN_AMOUNT
    ))
    .bind(id)
    .fetch_one(&s.app.pool)
    .await
    .unwrap()
}

async fn invoice_count(s: &Setup) -> i64 {
    sqlx::query_scalar("select count(*) from invoices where tenant_id = $1")
        .bind(s.tenant)
        .fetch_one(&s.app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_manual_invoice_is_typed_checked_edited_issued_and_passes_the_kit() {
    let s = setup("manual").await;
    let customer = s.customer("Verlag Blau GmbH", json!({})).await;

    let bad = create(
        &s,
        json!({ "customer_id": customer, "lines": [
            line("Beratung", "zwei", "HUR", "120,00", "standard"),
            { "description": " ", "quantity": "1", "unit_code": "Stück", "unit_price": "-5",
              "period_start": "2026-11-30", "period_end": "2026-11-01" },
        ] }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.fields(),
        vec![
            "lines.0.quantity",
            "lines.1.description",
            "lines.1.unit_price",
            "lines.1.unit_code",
            "lines.1.period_end"
        ]
    );
    assert_eq!(invoice_count(&s).await, 0, "nothing half-written");

    let mut consulting = line("Beratung Relaunch", "2,5", "HUR", "120,00", "standard");
    consulting["period_start"] = json!("2026-11-01");
    consulting["period_end"] = json!("30.11.2026");
    let created = create(
        &s,
        json!({ "customer_id": customer, "note": "Danke für den Auftrag.", "lines": [
            consulting,
            line("Fachbuch Barrierefreiheit", "1", "C62", "39,90", "reduced"),
            line("Rabatt Stammkunde", "-1", "C62", "20", "standard"),
        ] }),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json().as_str().unwrap().to_owned();
    let draft = s.invoice(&id).await;
    assert_eq!(draft["summary"]["status"], "draft");
    assert_eq!(draft["totals"]["net"], "319.90");
    // 19 % of 280.00 and 7 % of 39.90, each rounded once
    assert_eq!(draft["totals"]["tax"], "55.99");
    assert_eq!(draft["totals"]["gross"], "375.89");
    assert_eq!(draft["summary"]["period_start"], "2026-11-01");
    assert_eq!(draft["summary"]["period_end"], "2026-11-30");

    // three hours instead of two and a half, and no discount after all
    let first = &draft["lines"][0];
    let mut kept = line("Beratung Relaunch", "3", "HUR", "120", "standard");
    kept["id"] = first["id"].clone();
    let saved = save(
        &s,
        &s.cookie,
        &id,
        json!({ "note": "Danke!", "lines": [kept, line("Fachbuch Barrierefreiheit", "1", "C62", "39.90", "reduced")] }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let draft = s.invoice(&id).await;
    assert_eq!(draft["lines"].as_array().unwrap().len(), 2);
    assert_eq!(draft["lines"][0]["id"], first["id"], "the line was kept");
    assert_eq!(draft["totals"]["gross"], "471.09");
    assert_eq!(draft["note"], "Danke!");
    assert!(
        draft["summary"]["period_start"].is_null(),
        "no line has a period any more"
    );

    let issued = s.issue(&[&id]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    assert_eq!(issued.json()[0]["number"], format!("RE-{year}-00001"));
    assert_file_valid(
        "cii",
        "manual-invoice",
        "xml",
        &s.stored(&id, "zugferd").await,
    );
    assert_file_valid(
        "facturx-pdf",
        "manual-invoice",
        "pdf",
        &s.stored(&id, "pdf").await,
    );

    let late = save(
        &s,
        &s.cookie,
        &id,
        json!({ "lines": [line("Mehr", "1", "C62", "1", "standard")] }),
    )
    .await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "an issued invoice is final"
    );
    let discard = s
        .app
        .call(
            "invoices/discard-draft",
            Some(&s.cookie),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(discard.status, StatusCode::CONFLICT);

    // the same through the API, and a reader may not write
    let token = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;
    let body = json!({ "customer_id": customer, "lines": [line("Hosting-Einrichtung", "1", "LS", "150", "standard")] });
    let refused = s
        .app
        .send(api("POST", "/api/v1/invoices", &reader, Some(body.clone())))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let made = s
        .app
        .send(api("POST", "/api/v1/invoices", &token, Some(body)))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let api_id = made.json()["summary"]["id"].as_str().unwrap().to_owned();
    let put = s
        .app
        .send(api(
            "PUT",
            &format!("/api/v1/invoices/{api_id}"),
            &token,
            Some(json!({ "lines": [line("Hosting-Einrichtung", "2", "LS", "150", "standard")] })),
        ))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json()["totals"]["gross"], "357.00");
    let gone = s
        .app
        .send(api(
            "DELETE",
            &format!("/api/v1/invoices/{api_id}"),
            &token,
            None,
        ))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(invoice_count(&s).await, 1);
}

#[tokio::test]
async fn a_runs_draft_is_corrected_or_discarded_and_the_next_run_bills_it_again() {
    let s = setup("rundraft").await;
    let customer = s.customer("Hafenbar KG", json!({})).await;
    let contract = s
        .contract(
            customer,
            "Webhosting L",
            "2026-11-01",
            "30.00",
            json!({ "setup_fee": "49.00" }),
        )
        .await;
    s.run("2026-11-01", false).await;
    let drafts = s.invoices("draft").await;
    let id = drafts[0]["id"].as_str().unwrap().to_owned();
    let draft = s.invoice(&id).await;
    let lines = draft["lines"].as_array().unwrap().clone();
    assert_eq!(lines.len(), 2, "setup fee and November");

    let edited_line = |line: &Value, description: &str| {
        json!({ "id": line["id"], "description": description, "quantity": line["quantity"],
                "unit_code": line["unit_code"], "unit_price": line["unit_price"], "vat_category": "standard" })
    };
    let without_setup = save(
        &s,
        &s.cookie,
        &id,
        json!({ "lines": [edited_line(&lines[1], "Webhosting L")] }),
    )
    .await;
    assert_eq!(without_setup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(without_setup.fields(), vec!["lines"]);

    let corrected = save(
        &s,
        &s.cookie,
        &id,
        json!({ "lines": [
            edited_line(&lines[0], "Einrichtung Webhosting L (einmalig)"),
            edited_line(&lines[1], "Webhosting L, November"),
            line("Domain-Umzug", "1", "C62", "15", "standard"),
        ] }),
    )
    .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    let draft = s.invoice(&id).await;
    assert_eq!(
        draft["lines"][1]["kind"], "recurring",
        "the contract line stays what it was"
    );
    assert_eq!(draft["lines"][1]["period_start"], "2026-11-01");
    assert_eq!(draft["lines"][1]["description"], "Webhosting L, November");
    assert_eq!(draft["lines"][2]["kind"], "manual");
    assert_eq!(draft["totals"]["net"], "94.00");

    let discarded = s
        .app
        .call(
            "invoices/discard-draft",
            Some(&s.cookie),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(discarded.status, StatusCode::OK, "{}", discarded.body);
    let (billed_until, setup_billed): (Option<chrono::NaiveDate>, bool) =
        sqlx::query_as("select billed_until, setup_fee_billed from contracts where id = $1")
            .bind(contract)
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    assert_eq!(
        (billed_until.map(|d| d.to_string()), setup_billed),
        (Some("2026-10-31".to_owned()), false)
    );

    // the next run bills setup fee and November again, once
    s.run("2026-11-01", false).await;
    let again = s.invoices("draft").await;
    assert_eq!(again.len(), 1);
    let rebilled = s.invoice(again[0]["id"].as_str().unwrap()).await;
    let kinds: Vec<&str> = rebilled["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["setup", "recurring"]);
    assert_eq!(rebilled["totals"]["net"], "79.00");
}

#[tokio::test]
async fn partial_credit_notes_never_exceed_the_invoice_and_wait_for_a_second_person() {
    let s = setup("partial").await;
    s.app
        .user(s.tenant, "bert@partial.de", &["accountant"])
        .await;
    let bert = s.app.login("bert@partial.de").await;
    sqlx::query("insert into billing_settings (tenant_id, credit_note_approval) values ($1, true)")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let customer = s.customer("Brauerei Nord GmbH", json!({})).await;
    let created = create(
        &s,
        json!({ "customer_id": customer, "lines": [
            line("Workshop", "1", "LS", "60", "standard"),
            line("Schulungsunterlagen", "2", "C62", "20", "standard"),
        ] }),
    )
    .await;
    let invoice = created.json().as_str().unwrap().to_owned();
    assert_eq!(s.issue(&[&invoice]).await.status, StatusCode::OK);

    let credit = |cookie: String| {
        let invoice = invoice.clone();
        let app = &s.app;
        async move {
            app.call(
                "invoices/credit-note",
                Some(&cookie),
                json!({ "invoice_id": invoice }),
            )
            .await
        }
    };
    let first = credit(s.cookie.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first = first.json().as_str().unwrap().to_owned();
    assert_eq!(s.invoice(&first).await["creditable"], "119.00");
    // only the workshop is taken back
    let partial = json!({ "lines": [line("Workshop (ausgefallen)", "1", "LS", "60", "standard")] });
    assert_eq!(
        save(&s, &s.cookie, &first, partial.clone()).await.status,
        StatusCode::OK
    );
    assert_eq!(s.invoice(&first).await["approval"]["state"], "pending");

    let unapproved = s.issue(&[&first]).await;
    assert_eq!(unapproved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unapproved.body.contains("Freigabe"), "{}", unapproved.body);
    let own = s
        .app
        .call("invoices/approve", Some(&s.cookie), json!({ "id": first }))
        .await;
    assert_eq!(
        own.status,
        StatusCode::CONFLICT,
        "the author cannot approve"
    );
    let approved = s
        .app
        .call("invoices/approve", Some(&bert), json!({ "id": first }))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(s.invoice(&first).await["approval"]["state"], "approved");
    let issued = s.issue(&[&first]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_file_valid(
        "cii",
        "partial-credit-note",
        "xml",
        &s.stored(&first, "zugferd").await,
    );

    // the second takes back at most the rest: 119.00 − 71.40 = 47.60
    let second = credit(bert.clone()).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = second.json().as_str().unwrap().to_owned();
    assert_eq!(s.invoice(&second).await["creditable"], "47.60");
    let too_much = save(&s, &bert, &second, partial).await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_much.body.contains("47,60"), "{}", too_much.body);
    let rest = json!({ "lines": [line("Schulungsunterlagen", "2", "C62", "20", "standard")] });
    assert_eq!(save(&s, &bert, &second, rest).await.status, StatusCode::OK);
    // approval by whoever edited last does not count: anna approves bert's note
    assert_eq!(
        s.app
            .call("invoices/approve", Some(&bert), json!({ "id": second }))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        s.app
            .call("invoices/approve", Some(&s.cookie), json!({ "id": second }))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(s.issue(&[&second]).await.status, StatusCode::OK);

    let third = credit(s.cookie.clone()).await;
    assert_eq!(third.status, StatusCode::CONFLICT, "fully credited");
    assert_eq!(open_amount(&s, &invoice).await, "0.00");
}

#[tokio::test]
async fn what_a_customer_paid_over_settles_the_next_invoices() {
    let s = setup("guthaben").await;
    let customer = s.customer("Vorkasse GmbH", json!({})).await;
    let issue_one = |net: &'static str| {
        let s = &s;
        async move {
            let created = create(
                s,
                json!({ "customer_id": customer, "lines": [line("Leistung", "1", "C62", net, "standard")] }),
            )
            .await;
            let id = created.json().as_str().unwrap().to_owned();
            let issued = s.issue(&[&id]).await;
            assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
            (id, issued.json()[0]["number"].as_str().unwrap().to_owned())
        }
    };
    let (first, number) = issue_one("100").await;
    let today = crate::sepa::today(&s).await.to_string();
    let paid = s
        .app
        .call(
            "payments/record",
            Some(&s.cookie),
            json!({ "input": { "invoice_numbers": number, "received_on": today, "amount": "150,00", "method": "transfer" } }),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(open_amount(&s, &first).await, "0.00");
    // 31.00 credit: the next invoice of 23.80 is settled, the one after that in part
    let (second, _) = issue_one("20").await;
    assert_eq!(open_amount(&s, &second).await, "0.00");
    let (third, _) = issue_one("10").await;
    assert_eq!(open_amount(&s, &third).await, "4.70");
}
