//! SEPA direct debit on a real database: mandates checked field by field, invoices of
//! customers with a mandate issued as direct-debit e-invoices (kit: cii, xrechnung,
//! facturx-pdf), the pain.008 export (kit: pain008) collecting each invoice once, FRST
//! before RCUR, amendments reported once, revoked mandates held back, two exports at once,
//! the REST API and the portal scope.

use crate::billing::{assert_file_valid, pdf_text, setup, Setup};
use crate::support::api;
use app::auth::context::Actor;
use app::domain::calendar::{is_target_day, next_target_day};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

const MUELLER_IBAN: &str = "DE89370400440532013000";

pub async fn sepa_setup(slug: &str) -> Setup {
    let s = setup(slug).await;
    sqlx::query("update tenants set creditor_id = 'DE98ZZZ09999999999' where id = $1")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await
        .unwrap();
    s
}

pub async fn mandate(s: &Setup, customer: Uuid, input: Value) -> crate::support::Reply {
    let mut full = json!({ "reference": "", "signed_on": "2026-10-15", "scheme": "CORE",
        "account_holder": "Bäckerei Müller GmbH", "iban": MUELLER_IBAN, "bic": "" });
    if let (Some(full), Some(input)) = (full.as_object_mut(), input.as_object()) {
        full.extend(input.clone());
    }
    s.app
        .call(
            "sepa/create-mandate",
            Some(&s.cookie),
            json!({ "customer_id": customer, "input": full }),
        )
        .await
}

/// Bills and issues everything due today; returns the issued invoices.
pub async fn bill_and_issue(s: &Setup) -> Vec<Value> {
    let today = today(s).await;
    s.run(&today.to_string(), false).await;
    let drafts = s.invoices("draft").await;
    let ids: Vec<&str> = drafts.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let issued = s.issue(&ids).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    s.invoices("issued").await
}

pub async fn today(s: &Setup) -> NaiveDate {
    app::contracts::repo::tenant_today(&mut s.app.pool.acquire().await.unwrap(), s.tenant)
        .await
        .unwrap()
        .0
}

/// The first bank day on or after the invoices' due date (and no earlier than allowed).
pub async fn collection_day(s: &Setup, invoices: &[Value]) -> NaiveDate {
    let due = invoices
        .iter()
        .map(|i| {
            i["due_date"]
                .as_str()
                .unwrap()
                .parse::<NaiveDate>()
                .unwrap()
        })
        .max()
        .unwrap();
    let mut day = due.max(next_target_day(today(s).await));
    while !is_target_day(day) {
        day = day.succ_opt().unwrap();
    }
    day
}

pub async fn export(s: &Setup, date: NaiveDate) -> crate::support::Reply {
    s.app
        .call(
            "sepa/export",
            Some(&s.cookie),
            json!({ "collection_date": date.to_string() }),
        )
        .await
}

async fn file_of(s: &Setup, id: &str) -> String {
    let bytes: Vec<u8> =
        sqlx::query_scalar("select content from direct_debits where id = $1::uuid")
            .bind(id)
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    String::from_utf8(bytes).unwrap()
}

async fn next_sequence(s: &Setup, customer: Uuid) -> String {
    sqlx::query_scalar(
        "select next_sequence from sepa_mandates where customer_id = $1 and status = 'active'",
    )
    .bind(customer)
    .fetch_one(&s.app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_direct_debit_invoice_names_mandate_creditor_and_account_and_passes_the_kit() {
    let s = sepa_setup("lastschrift").await;
    let mueller = s.customer("Bäckerei Müller GmbH", json!({})).await;
    let amt = s
        .customer(
            "Stadtverwaltung Musterstadt",
            json!({ "leitweg_id": "04011000-1234512345-06", "invoice_email": "e-rechnung@musterstadt.de" }),
        )
        .await;
    let transfer = s.customer("Überweiser AG", json!({})).await;
    for customer in [mueller, amt, transfer] {
        s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
            .await;
    }
    let created = mandate(&s, mueller, json!({})).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let reference = created.json()["reference"].as_str().unwrap().to_owned();
    assert!(reference.ends_with("-1"), "default reference {reference}");
    assert_eq!(created.json()["next_sequence"], "FRST");
    let b2b = mandate(
        &s,
        amt,
        json!({ "scheme": "B2B", "reference": "AMT-2026/7", "account_holder": "Stadtkasse Musterstadt",
            "iban": "DE02120300000000202051", "bic": "BYLADEM1001" }),
    )
    .await;
    assert_eq!(b2b.status, StatusCode::OK, "{}", b2b.body);

    let issued = bill_and_issue(&s).await;
    assert_eq!(issued.len(), 3);
    for summary in &issued {
        let id = summary["id"].as_str().unwrap();
        let detail = s.invoice(id).await;
        let name = summary["buyer_name"].as_str().unwrap();
        let pdf = s.stored(id, "pdf").await;
        let text = pdf_text(&pdf);
        if name.starts_with("Überweiser") {
            assert!(detail["direct_debit"].is_null());
            assert!(text.contains("Bitte überweisen Sie"), "{text}");
            continue;
        }
        let terms = &detail["direct_debit"];
        assert_eq!(terms["creditor_id"], "DE98ZZZ09999999999");
        if name.starts_with("Stadt") {
            assert_eq!(terms["mandate_reference"], "AMT-2026/7");
            let xml = String::from_utf8(s.stored(id, "xrechnung").await).unwrap();
            assert!(xml.contains("<ram:TypeCode>59</ram:TypeCode>"), "{xml}");
            assert!(xml.contains("<ram:IBANID>DE02120300000000202051</ram:IBANID>"));
            assert_file_valid("xrechnung", "sepa-xrechnung", "xml", xml.as_bytes());
        } else {
            assert_eq!(terms["mandate_reference"], reference.as_str());
            assert_eq!(terms["debtor_iban"], MUELLER_IBAN);
            let xml = String::from_utf8(s.stored(id, "zugferd").await).unwrap();
            assert!(xml
                .contains("<ram:CreditorReferenceID>DE98ZZZ09999999999</ram:CreditorReferenceID>"));
            assert!(xml.contains(&format!(
                "<ram:DirectDebitMandateID>{reference}</ram:DirectDebitMandateID>"
            )));
            assert_file_valid("cii", "sepa-zugferd", "xml", xml.as_bytes());
            assert_file_valid("facturx-pdf", "sepa-zugferd", "pdf", &pdf);
            // the pre-notification: amount, date, masked account, mandate and creditor id
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains("per SEPA-Lastschrift"), "{flat}");
            assert!(flat.contains("DE89 XXXX XXXX XXXX XX30 00"), "{flat}");
            assert!(flat.contains(&reference), "{flat}");
        }
    }
}

#[tokio::test]
async fn exporting_collects_each_invoice_once_first_then_recurring_and_reports_amendments() {
    let s = sepa_setup("einzug").await;
    let mueller = s.customer("Bäckerei Müller GmbH", json!({})).await;
    let meier = s.customer("Meier & Söhne KG", json!({})).await;
    for customer in [mueller, meier] {
        s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
            .await;
    }
    assert_eq!(mandate(&s, mueller, json!({})).await.status, StatusCode::OK);
    let meier_mandate = mandate(
        &s,
        meier,
        json!({ "scheme": "B2B", "account_holder": "Meier & Söhne KG", "iban": "DE02120300000000202051" }),
    )
    .await;
    assert_eq!(
        meier_mandate.status,
        StatusCode::OK,
        "{}",
        meier_mandate.body
    );
    let issued = bill_and_issue(&s).await;
    let day = collection_day(&s, &issued).await;

    // too early, a weekend, nothing yet: refused with the field named
    let too_early = export(&s, today(&s).await).await;
    assert_eq!(too_early.fields(), vec!["collection_date"]);
    let mut saturday = day;
    while chrono::Datelike::weekday(&saturday) != chrono::Weekday::Sat {
        saturday = saturday.succ_opt().unwrap();
    }
    assert_eq!(export(&s, saturday).await.fields(), vec!["collection_date"]);

    let preview = s
        .app
        .call(
            "sepa/preview",
            Some(&s.cookie),
            json!({ "collection_date": day.to_string() }),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.json()["items"].as_array().unwrap().len(), 2);

    let first = export(&s, day).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["transaction_count"], 2);
    let xml = file_of(&s, first.json()["id"].as_str().unwrap()).await;
    assert_file_valid("pain008", "sepa-first", "xml", xml.as_bytes());
    assert_eq!(xml.matches("<PmtInf>").count(), 2, "CORE and B2B apart");
    assert_eq!(xml.matches("<SeqTp>FRST</SeqTp>").count(), 2);
    assert!(xml.contains("<LclInstrm><Cd>B2B</Cd></LclInstrm>"));
    assert!(xml.contains("<Nm>Meier &amp; Söhne KG</Nm>"));
    let cents: i64 = issued
        .iter()
        .map(|i| {
            i["gross_total"]
                .as_str()
                .unwrap()
                .replace('.', "")
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    let sum = format!(
        "<NbOfTxs>2</NbOfTxs><CtrlSum>{}.{:02}</CtrlSum>",
        cents / 100,
        cents % 100
    );
    assert!(xml.contains(&sum), "{sum} in {xml}");
    assert_eq!(next_sequence(&s, mueller).await, "RCUR");

    // nothing is collected twice
    assert_eq!(export(&s, day).await.fields(), vec!["collection_date"]);

    // the next month's invoices; then Müller moves to another bank and Meier revokes
    for customer in [mueller, meier] {
        s.contract(
            customer,
            "Domain kontor.de",
            "2026-12-01",
            "1.00",
            json!({}),
        )
        .await;
    }
    let all = bill_and_issue(&s).await;
    let new: Vec<Value> = all
        .into_iter()
        .filter(|i| !issued.iter().any(|o| o["id"] == i["id"]))
        .collect();
    assert_eq!(new.len(), 2);
    let mandates = s
        .app
        .call(
            "sepa/mandates",
            Some(&s.cookie),
            json!({ "customer_id": mueller }),
        )
        .await
        .json();
    let current = &mandates[0];
    let amend = |scheme: &str| {
        json!({ "mandate_id": current["id"], "input": {
            "reference": current["reference"], "signed_on": current["signed_on"], "scheme": scheme,
            "account_holder": "Bäckerei Müller GmbH", "iban": "DE02500105170137075030", "bic": "" } })
    };
    let amended = s
        .app
        .call("sepa/amend-mandate", Some(&s.cookie), amend("CORE"))
        .await;
    assert_eq!(amended.status, StatusCode::OK, "{}", amended.body);
    assert_eq!(amended.json()["amended_from_iban"], MUELLER_IBAN);
    let scheme_change = s
        .app
        .call("sepa/amend-mandate", Some(&s.cookie), amend("B2B"))
        .await;
    assert_eq!(scheme_change.fields(), vec!["scheme"]);
    let revoked = s
        .app
        .call(
            "sepa/revoke-mandate",
            Some(&s.cookie),
            json!({ "mandate_id": meier_mandate.json()["id"] }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);

    let later = collection_day(&s, &new).await;
    let preview = s
        .app
        .call(
            "sepa/preview",
            Some(&s.cookie),
            json!({ "collection_date": later.to_string() }),
        )
        .await
        .json();
    let held: Vec<String> = preview["held_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[1].as_str().unwrap().to_owned())
        .collect();
    assert!(held.iter().all(|r| r.contains("widerrufen")), "{held:?}");
    let second = export(&s, later).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let xml = file_of(&s, second.json()["id"].as_str().unwrap()).await;
    assert_file_valid("pain008", "sepa-amended", "xml", xml.as_bytes());
    assert!(!xml.contains("<SeqTp>FRST</SeqTp>"), "{xml}");
    assert!(xml.contains("<AmdmntInd>true</AmdmntInd>"));
    assert!(
        xml.contains("<Othr><Id>SMNDA</Id></Othr>"),
        "new bank: {xml}"
    );
    assert!(!xml.contains("Meier"), "revoked: {xml}");
    let pending: Option<String> = sqlx::query_scalar(
        "select amended_from_iban from sepa_mandates where customer_id = $1 and status = 'active'",
    )
    .bind(mueller)
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(pending, None, "reported once");

    // the file is frozen and served byte for byte
    let frozen = sqlx::query("update direct_debits set total = 0 where tenant_id = $1")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await;
    assert!(frozen.is_err());
    let download = s
        .app
        .get(
            &format!(
                "/direct-debits/{}/xml",
                second.json()["id"].as_str().unwrap()
            ),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, xml);
    let actions = s.app.audit_actions(s.tenant).await;
    for action in [
        "sepa_mandate.created",
        "sepa_mandate.amended",
        "sepa_mandate.revoked",
        "direct_debit.exported",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn mandate_input_is_checked_field_by_field() {
    let s = setup("mandatspruefung").await;
    let company = s.customer("Alpha GmbH", json!({})).await;
    let person = s
        .customer(
            "",
            json!({ "kind": "person", "first_name": "Erika", "last_name": "Mustermann" }),
        )
        .await;
    let bad = mandate(
        &s,
        company,
        json!({ "reference": "K 1", "signed_on": "2099-01-01", "account_holder": " ",
            "iban": "DE89370400440532013001", "bic": "BYLA" }),
    )
    .await;
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["account_holder", "bic", "iban", "reference", "signed_on"]
    );
    let b2b = mandate(&s, person, json!({ "scheme": "B2B" })).await;
    assert_eq!(b2b.fields(), vec!["scheme"]);
    assert_eq!(
        mandate(&s, company, json!({ "reference": "A-1" }))
            .await
            .status,
        StatusCode::OK
    );
    let second = mandate(&s, company, json!({ "reference": "A-2" })).await;
    assert_eq!(second.fields(), vec!["reference"], "one active mandate");
    let taken = mandate(&s, person, json!({ "reference": "A-1" })).await;
    assert_eq!(taken.fields(), vec!["reference"], "reference unique");
    let stored: i64 = sqlx::query_scalar("select count(*) from sepa_mandates")
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);

    // without the creditor id a direct-debit invoice is not issued, and says why
    s.contract(company, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    s.run(&today(&s).await.to_string(), false).await;
    let drafts = s.invoices("draft").await;
    let refused = s.issue(&[drafts[0]["id"].as_str().unwrap()]).await;
    assert_eq!(refused.fields(), vec!["ids"]);
    assert!(refused.body.contains("Gläubiger-ID"), "{}", refused.body);
    assert_eq!(s.invoices("issued").await.len(), 0);
}

#[tokio::test]
async fn two_exports_at_once_collect_every_invoice_once() {
    let s = sepa_setup("doppelt").await;
    for n in 0..6 {
        let customer = s.customer(&format!("Kunde {n} GmbH"), json!({})).await;
        s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
            .await;
        assert_eq!(
            mandate(&s, customer, json!({})).await.status,
            StatusCode::OK
        );
    }
    let issued = bill_and_issue(&s).await;
    let day = collection_day(&s, &issued).await;
    let (a, b) = tokio::join!(export(&s, day), export(&s, day));
    let statuses = [a.status, b.status];
    assert!(
        statuses.contains(&StatusCode::OK),
        "{} / {}",
        a.body,
        b.body
    );
    assert!(
        statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY),
        "{} / {}",
        a.body,
        b.body
    );
    let (files, items): (i64, i64) = sqlx::query_as(
        "select (select count(*) from direct_debits), (select count(distinct invoice_id) from direct_debit_items)",
    )
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!((files, items), (1, 6));
}

#[tokio::test]
async fn the_api_records_mandates_exports_files_and_keeps_customers_to_their_own() {
    let s = sepa_setup("sepa-api").await;
    let own = s.customer("Alpha GmbH", json!({})).await;
    let other = s.customer("Beta GmbH", json!({})).await;
    s.contract(own, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    let token = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;
    let body = json!({ "signed_on": "2026-10-01", "scheme": "CORE", "account_holder": "Alpha GmbH",
        "iban": "DE89 3704 0044 0532 0130 00" });
    let path = format!("/api/v1/customers/{own}/mandates");
    let refused = s
        .app
        .send(api("POST", &path, &reader, Some(body.clone())))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let created = s.app.send(api("POST", &path, &token, Some(body))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["iban"], MUELLER_IBAN);
    let listed = s.app.send(api("GET", &path, &reader, None)).await;
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), 1);
    let patched = s
        .app
        .send(api(
            "PATCH",
            &format!(
                "/api/v1/mandates/{}",
                created.json()["id"].as_str().unwrap()
            ),
            &token,
            Some(json!({ "bic": "COBADEFFXXX" })),
        ))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["bic"], "COBADEFFXXX");
    assert!(
        patched.json()["amended_from_iban"].is_null(),
        "not known to the bank yet"
    );

    let issued = bill_and_issue(&s).await;
    let day = collection_day(&s, &issued).await;
    let bad = s
        .app
        .send(api(
            "POST",
            "/api/v1/direct-debits",
            &token,
            Some(json!({ "collection_date": "morgen" })),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), vec!["collection_date"]);
    let file = s
        .app
        .send(api(
            "POST",
            "/api/v1/direct-debits",
            &token,
            Some(json!({ "collection_date": day.to_string() })),
        ))
        .await;
    assert_eq!(file.status, StatusCode::CREATED, "{}", file.body);
    assert!(file
        .body
        .contains("urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"));
    assert!(file.body.contains("<BICFI>COBADEFFXXX</BICFI>"));
    assert_file_valid("pain008", "sepa-api", "xml", file.body.as_bytes());
    let location = file.headers["location"].to_str().unwrap().to_owned();
    let again = s.app.send(api("GET", &location, &token, None)).await;
    assert_eq!(again.body, file.body);
    let files = s
        .app
        .send(api("GET", "/api/v1/direct-debits", &token, None))
        .await;
    assert_eq!(files.json()["items"][0]["transaction_count"], 1);

    // scoped to one customer (as the portal will be), an actor sees that customer's
    // mandate only and exports nothing
    let portal = Actor {
        customer_id: Some(own),
        ..Actor::system(s.tenant, "portal")
    };
    let mut conn = s.app.pool.acquire().await.unwrap();
    assert_eq!(
        app::sepa::api::mandates_of(&mut conn, &portal, own)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(app::sepa::api::mandates_of(&mut conn, &portal, other)
        .await
        .is_err());
    assert!(app::sepa::api::export(&mut conn, &portal, &day.to_string())
        .await
        .is_err());
}
