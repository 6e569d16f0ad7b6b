//! Payments on a real database: a camt.053 statement matched against the open invoices (by
//! invoice number, unique amount, own direct debit), imported twice without effect, a
//! returned direct debit reopening its invoice, the review list, manual partial and
//! over-payments, and the open-items list with aging buckets and DSO.

use crate::billing::{setup, Setup};
use crate::sepa::{bill_and_issue, collection_day, export, mandate, sepa_setup, today};
use crate::support::api;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// One booked entry: (amount, CRDT/DBIT, end-to-end id, payer, IBAN, remittance, bank ref).
type Entry<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn camt(day: &str, entries: &[Entry]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M{day}</MsgId><CreDtTm>{day}T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S{day}</Id><CreDtTm>{day}T06:00:00</CreDtTm>
<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>"#
    );
    for (amount, indicator, e2e, payer, iban, remittance, reference) in entries {
        let party = if *indicator == "CRDT" { "Dbtr" } else { "Cdtr" };
        xml.push_str(&format!(
            r#"<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{reference}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<RltdPties><{party}><Nm>{payer}</Nm></{party}><{party}Acct><Id><IBAN>{iban}</IBAN></Id></{party}Acct></RltdPties>
<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"#
        ));
    }
    xml.push_str("</Stmt></BkToCstmrStmt></Document>");
    xml
}

async fn import(s: &Setup, token: &str, xml: &str) -> crate::support::Reply {
    s.app
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/v1/bank-statements")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/xml")
                .body(Body::from(xml.to_owned()))
                .unwrap(),
        )
        .await
}

async fn state_of(s: &Setup, invoice: &str) -> Value {
    let reply = s
        .app
        .call(
            "payments/of-invoice",
            Some(&s.cookie),
            json!({ "invoice_id": invoice }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn by_buyer<'a>(invoices: &'a [Value], prefix: &str) -> &'a Value {
    invoices
        .iter()
        .find(|i| i["buyer_name"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

#[tokio::test]
async fn a_statement_pays_by_number_amount_and_direct_debit_once_and_a_return_reopens() {
    let s = sepa_setup("kontoauszug").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let beta = s.customer("Beta GmbH", json!({})).await;
    let gamma = s.customer("Gamma GmbH", json!({})).await;
    s.contract(alpha, "Webhosting M", "2026-12-01", "10.00", json!({}))
        .await;
    s.contract(beta, "Webhosting L", "2026-12-01", "20.00", json!({}))
        .await;
    s.contract(gamma, "Webhosting XL", "2026-12-01", "30.00", json!({}))
        .await;
    assert_eq!(mandate(&s, gamma, json!({})).await.status, StatusCode::OK);
    let issued = bill_and_issue(&s).await;
    let day = collection_day(&s, &issued).await;
    assert_eq!(export(&s, day).await.status, StatusCode::OK);
    let (a, b, g) = (
        by_buyer(&issued, "Alpha"),
        by_buyer(&issued, "Beta"),
        by_buyer(&issued, "Gamma"),
    );
    let a_number = a["number"].as_str().unwrap().to_owned();
    let g_number = g["number"].as_str().unwrap().to_owned();
    let spaced = a_number.replace('-', " ");
    let date = day.to_string();
    let statement = camt(
        &date,
        &[
            (
                "11.90",
                "CRDT",
                "NOTPROVIDED",
                "Alpha GmbH",
                "DE75512108001245126199",
                &format!("Rechnung {spaced}"),
                "R1",
            ),
            (
                "23.80",
                "CRDT",
                "NOTPROVIDED",
                "Beta GmbH",
                "DE12500105170648489890",
                "Webhosting Dezember",
                "R2",
            ),
            (
                "35.70",
                "CRDT",
                &g_number,
                "Kontor Test",
                "DE02120300000000202051",
                "Lastschrift",
                "R3",
            ),
            (
                "5.00",
                "CRDT",
                "NOTPROVIDED",
                "Unbekannt",
                "DE44500105175407324931",
                "Spende",
                "R4",
            ),
            (
                "800.00",
                "DBIT",
                "NOTPROVIDED",
                "Vermieter",
                "DE89370400440532013000",
                "Miete Dezember",
                "R5",
            ),
        ],
    );
    let token = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let first = import(&s, &token, &statement).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let outcome = first.json();
    assert_eq!(
        (
            &outcome["entries"],
            &outcome["allocated"],
            &outcome["unmatched"],
            &outcome["ignored"]
        ),
        (&json!(5), &json!(3), &json!(1), &json!(1)),
        "{outcome}"
    );
    for invoice in [a, b, g] {
        let state = state_of(&s, invoice["id"].as_str().unwrap()).await;
        assert_eq!(state["open"], "0.00", "{invoice} {state}");
    }
    // the same file again, and a later statement repeating an entry: nothing booked twice
    let again = import(&s, &token, &statement).await;
    assert_eq!(again.json()["known"], 5, "{}", again.body);
    let overlap = camt(
        &date,
        &[(
            "11.90",
            "CRDT",
            "NOTPROVIDED",
            "Alpha GmbH",
            "DE75512108001245126199",
            &a_number,
            "R1",
        )],
    );
    assert_eq!(import(&s, &token, &overlap).await.json()["known"], 1);
    let payments: i64 = sqlx::query_scalar("select count(*) from payments where tenant_id = $1")
        .bind(s.tenant)
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(payments, 5);

    // the review list: the unknown 5.00 goes to Beta's credit
    let review = s
        .app
        .send(api(
            "GET",
            "/api/v1/payments?status=unmatched",
            &token,
            None,
        ))
        .await
        .json();
    let items = review["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let assigned = s
        .app
        .send(api(
            "POST",
            &format!(
                "/api/v1/payments/{}/assign",
                items[0]["id"].as_str().unwrap()
            ),
            &token,
            Some(json!({ "customer_id": beta })),
        ))
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let open = s
        .app
        .send(api("GET", "/api/v1/open-items", &token, None))
        .await
        .json();
    assert_eq!(open["items"].as_array().unwrap().len(), 0, "{open}");
    assert_eq!(open["summary"]["customer_credit"], "5.00");
    assert_eq!(open["summary"]["unmatched_count"], 0);

    // the debtor's bank returns Gamma's direct debit: the invoice is open again
    let returned = camt(
        &date,
        &[(
            "35.70",
            "DBIT",
            &g_number,
            "Gamma GmbH",
            "DE89370400440532013000",
            "Ruecklastschrift",
            "R9",
        )],
    );
    let back = import(&s, &token, &returned).await.json();
    assert_eq!(back["allocated"], 1, "{back}");
    let state = state_of(&s, g["id"].as_str().unwrap()).await;
    assert_eq!(state["open"], "35.70", "{state}");
    let open = s
        .app
        .send(api("GET", "/api/v1/open-items", &token, None))
        .await
        .json();
    assert_eq!(open["items"][0]["number"], g_number.as_str());
    assert_eq!(open["items"][0]["direct_debit"], true);
    let _ = alpha;
}

#[tokio::test]
async fn manual_payments_pay_partly_overpay_into_credit_and_name_bad_fields() {
    let s = setup("zahlung").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    s.contract(alpha, "Webhosting M", "2026-12-01", "10.00", json!({}))
        .await;
    let issued = bill_and_issue(&s).await;
    let id = issued[0]["id"].as_str().unwrap();
    let number = issued[0]["number"].as_str().unwrap();
    let today = today(&s).await.to_string();
    let pay = |numbers: &str, amount: &str| json!({ "input": { "invoice_numbers": numbers, "received_on": today, "amount": amount, "method": "transfer" } });
    let bad = s
        .app
        .call(
            "payments/record",
            Some(&s.cookie),
            pay("RE-1999-99999", "abc"),
        )
        .await;
    assert_eq!(bad.fields(), vec!["amount"]);
    let unknown = s
        .app
        .call(
            "payments/record",
            Some(&s.cookie),
            pay("RE-1999-99999", "5,00"),
        )
        .await;
    assert_eq!(unknown.fields(), vec!["invoice_numbers"]);
    let partial = s
        .app
        .call("payments/record", Some(&s.cookie), pay(number, "5,00"))
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.body);
    let state = state_of(&s, id).await;
    assert_eq!(
        (state["paid"].as_str(), state["open"].as_str()),
        (Some("5.00"), Some("6.90"))
    );
    let rest = s
        .app
        .call("payments/record", Some(&s.cookie), pay(number, "16,90"))
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
    assert_eq!(state_of(&s, id).await["open"], "0.00");
    let receivables = s
        .app
        .call("payments/receivables", Some(&s.cookie), json!({}))
        .await
        .json();
    assert_eq!(receivables["customer_credit"], "10.00", "{receivables}");
    let actions = s.app.audit_actions(s.tenant).await;
    assert!(actions.contains(&"payment.recorded".to_owned()));
}

#[tokio::test]
async fn open_items_fall_into_aging_buckets_and_dso_relates_them_to_sales() {
    let s = setup("altersstruktur").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let today = today(&s).await;
    // issued invoices from the past, as a migration from an older system would leave them
    for (n, issued_days_ago, due_days_ago, gross) in [
        (1, 24, 10, "100.00"),
        (2, 59, 45, "200.00"),
        (3, 130, 100, "300.00"),
        (4, 5, -9, "50.00"),
    ] {
        let issue = today - chrono::Days::new(issued_days_ago);
        let due = if due_days_ago >= 0 {
            today - chrono::Days::new(u64::try_from(due_days_ago).unwrap())
        } else {
            today + chrono::Days::new(u64::try_from(-due_days_ago).unwrap())
        };
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
        .bind(alpha)
        .bind(format!("ALT-{n}"))
        .bind(issue)
        .bind(due)
        .bind(gross)
        .execute(&s.app.pool)
        .await
        .unwrap();
    }
    let r = s
        .app
        .call("payments/receivables", Some(&s.cookie), json!({}))
        .await
        .json();
    let buckets: Vec<(String, String, i64)> = r["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b[0].as_str().unwrap().to_owned(),
                b[1].as_str().unwrap().to_owned(),
                b[2].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        vec![
            ("not_due".to_owned(), "50.00".to_owned(), 1),
            ("days_1_30".to_owned(), "100.00".to_owned(), 1),
            ("days_31_60".to_owned(), "200.00".to_owned(), 1),
            ("days_61_90".to_owned(), "0".to_owned(), 0),
            ("over_90".to_owned(), "300.00".to_owned(), 1),
        ]
    );
    assert_eq!(r["open_total"], "650.00");
    assert_eq!(r["overdue_total"], "600.00");
    // 650 open against 350 invoiced in the last 90 days: 167.1 days
    assert_eq!(r["dso_days"], "167.1");
    let over_90 = s
        .app
        .call(
            "payments/open-items",
            Some(&s.cookie),
            json!({ "filter": { "bucket": "over_90" }, "page": { "page": 1, "per_page": 50, "sort": "", "descending": false, "search": "" } }),
        )
        .await
        .json();
    assert_eq!(over_90["items"].as_array().unwrap().len(), 1);
    assert_eq!(over_90["items"][0]["number"], "ALT-3");
    assert_eq!(over_90["items"][0]["days_overdue"], 100);
}

#[tokio::test]
async fn our_collection_booked_as_one_sum_pays_each_of_its_invoices() {
    let s = sepa_setup("sammelbuchung").await;
    let alpha = s.customer("Alpha GmbH", json!({})).await;
    let beta = s.customer("Beta GmbH", json!({})).await;
    s.contract(alpha, "Webhosting M", "2026-12-01", "10.00", json!({}))
        .await;
    s.contract(beta, "Webhosting L", "2026-12-01", "20.00", json!({}))
        .await;
    assert_eq!(mandate(&s, alpha, json!({})).await.status, StatusCode::OK);
    assert_eq!(
        mandate(&s, beta, json!({ "iban": "DE75512108001245126199" }))
            .await
            .status,
        StatusCode::OK
    );
    let issued = bill_and_issue(&s).await;
    let day = collection_day(&s, &issued).await;
    assert_eq!(export(&s, day).await.status, StatusCode::OK);
    let file: Vec<u8> =
        sqlx::query_scalar("select content from direct_debits where tenant_id = $1")
            .bind(s.tenant)
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    let file = String::from_utf8(file).unwrap();
    let start = file.find("<PmtInfId>").unwrap() + "<PmtInfId>".len();
    let batch = &file[start..start + file[start..].find('<').unwrap()];
    // the bank books the whole block as one credit without its transactions
    let date = day.to_string();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>{date}T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><CreDtTm>{date}T06:00:00</CreDtTm><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">35.70</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{date}</Dt></BookgDt>
<AcctSvcrRef>SAMMLER-1</AcctSvcrRef><BkTxCd/><NtryDtls><Btch><PmtInfId>{batch}</PmtInfId><NbOfTxs>2</NbOfTxs></Btch></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"#
    );
    let token = s.app.token(s.tenant, &["billing:write"]).await;
    let imported = import(&s, &token, &xml).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    assert_eq!(imported.json()["allocated"], 2, "{}", imported.body);
    for invoice in &issued {
        let state = state_of(&s, invoice["id"].as_str().unwrap()).await;
        assert_eq!(state["open"], "0.00", "{state}");
    }
}
