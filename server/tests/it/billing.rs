//! Billing runs and the invoice lifecycle on a real database: what a run bills, exactly once
//! (two runs at once, a run killed between batches), previews that bill nothing, gapless
//! numbers on issue, documents the database refuses to change, credit notes, and every
//! generated e-invoice checked by the independent validator in `../shared/einvoice-kit`.

use crate::support::{api, TestApp};
use app::auth::context::Actor;
use app::billing::model::RunRequest;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use uuid::Uuid;

pub struct Setup {
    pub app: TestApp,
    pub tenant: Uuid,
    pub cookie: String,
}

pub async fn setup(slug: &str) -> Setup {
    let app = TestApp::new().await;
    let tenant = app.tenant(slug).await;
    sqlx::query(
        "update tenants set street = 'Hafenstraße 1', postal_code = '20457', city = 'Hamburg',
             vat_id = 'DE123456789', tax_number = '22/815/08150', iban = 'DE02120300000000202051',
             bic = 'BYLADEM1001', contact_name = 'Anna Buchhaltung', phone = '+49 40 123456',
             email = 'rechnung@example.de'
         where id = $1",
    )
    .bind(tenant)
    .execute(&app.pool)
    .await
    .unwrap();
    let email = format!("anna@{slug}.de");
    app.user(tenant, &email, &["accountant"]).await;
    let cookie = app.login(&email).await;
    Setup {
        app,
        tenant,
        cookie,
    }
}

impl Setup {
    pub async fn customer(&self, name: &str, extra: Value) -> Uuid {
        let mut input = json!({ "kind": "company", "company_name": name, "billing_street": "Marktplatz 5",
            "billing_postal_code": "04109", "billing_city": "Leipzig", "billing_country": "DE",
            "email": "buchhaltung@kunde.de" });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        let reply = self
            .app
            .call(
                "customers/create",
                Some(&self.cookie),
                json!({ "input": input, "ignore_duplicates": true }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        Uuid::parse_str(reply.json()["created"]["id"].as_str().unwrap()).unwrap()
    }

    pub async fn contract(
        &self,
        customer: Uuid,
        description: &str,
        start: &str,
        fee: &str,
        extra: Value,
    ) -> Uuid {
        let mut input = json!({ "customer_id": customer, "description": description, "start_date": start,
            "fee": fee, "fee_unit": "month", "billing_interval": "monthly", "billing_mode": "in_advance" });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        let reply = self
            .app
            .call(
                "contracts/create",
                Some(&self.cookie),
                json!({ "input": input }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        Uuid::parse_str(reply.json()[0].as_str().unwrap()).unwrap()
    }

    fn actor(&self) -> Actor {
        Actor::system(self.tenant, "test")
    }

    /// A run for `date` from start to end, as the job runner does it.
    pub async fn run(&self, date: &str, preview: bool) -> Uuid {
        let request = RunRequest {
            run_date: date.to_owned(),
            preview,
        };
        let id = app::billing::api::begin(&self.app.pool, &self.actor(), &request, "ui")
            .await
            .unwrap();
        app::billing::api::execute(&self.app.pool, &self.actor(), id)
            .await
            .unwrap();
        id
    }

    pub async fn invoices(&self, status: &str) -> Vec<Value> {
        let reply = self
            .app
            .call(
                "invoices/list",
                Some(&self.cookie),
                json!({ "filter": { "status": status }, "page": { "page": 1, "per_page": 200, "sort": "customer", "descending": false, "search": "" } }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["items"].as_array().unwrap().clone()
    }

    pub async fn invoice(&self, id: &str) -> Value {
        let reply = self
            .app
            .call("invoices/load", Some(&self.cookie), json!({ "id": id }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    pub async fn issue(&self, ids: &[&str]) -> crate::support::Reply {
        self.app
            .call(
                "invoices/issue",
                Some(&self.cookie),
                json!({ "input": { "ids": ids } }),
            )
            .await
    }

    async fn lines_per_period(&self) -> Vec<(Uuid, String, i64)> {
        sqlx::query_as(
            "select l.contract_id, l.kind || ' ' || l.period_start, count(*)
             from invoice_lines l join invoices i on i.id = l.invoice_id
             where i.tenant_id = $1 and not l.preview group by 1, 2 order by 1, 2",
        )
        .bind(self.tenant)
        .fetch_all(&self.app.pool)
        .await
        .unwrap()
    }

    async fn stored_xml(&self, id: &str, format: &str) -> String {
        String::from_utf8(self.stored(id, format).await).unwrap()
    }

    pub async fn stored(&self, id: &str, format: &str) -> Vec<u8> {
        sqlx::query_scalar(
            "select content from invoice_documents where invoice_id = $1::uuid and format = $2",
        )
        .bind(id)
        .bind(format)
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }
}

fn lines_of(invoice: &Value) -> Vec<(String, String, String, String)> {
    invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["period_start"].as_str().unwrap_or("").to_owned(),
                l["period_end"].as_str().unwrap_or("").to_owned(),
                l["net_amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The validator of `../shared/einvoice-kit` (or `EINVOICE_KIT`), installed by scripts/test.
fn kit() -> PathBuf {
    let dir = std::env::var_os("EINVOICE_KIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/einvoice-kit")
        });
    let script = dir.join("validate.py");
    assert!(
        script.exists(),
        "the e-invoice validator is missing at {} (set EINVOICE_KIT)",
        script.display()
    );
    script
}

/// Runs the kit on `xml`; panics with its findings unless it says VALID.
fn assert_valid(kind: &str, name: &str, xml: &str) {
    assert_file_valid(kind, name, "xml", xml.as_bytes());
}

pub fn assert_file_valid(kind: &str, name: &str, extension: &str, content: &[u8]) {
    let path = std::env::temp_dir().join(format!("kontor-{name}-{}.{extension}", Uuid::new_v4()));
    std::fs::write(&path, content).unwrap();
    let output = std::process::Command::new(kit())
        .arg(kind)
        .arg(&path)
        .output()
        .expect("run the e-invoice validator");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && report.contains("RESULT VALID"),
        "{name} is not a valid {kind} e-invoice:\n{report}\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(content)
            .chars()
            .take(4000)
            .collect::<String>()
    );
    let _ = std::fs::remove_file(path);
}

/// The text a reader extracts from a PDF (pypdf from the kit's environment, independent of
/// the library that wrote it).
pub fn pdf_text(pdf: &[u8]) -> String {
    let home = std::env::var_os("EINVOICE_KIT_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/einvoice-kit")
        });
    let path = std::env::temp_dir().join(format!("kontor-text-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new(home.join("venv/bin/python"))
        .arg("-c")
        .arg("import sys, pypdf; print('\\f'.join(p.extract_text() for p in pypdf.PdfReader(sys.argv[1]).pages))")
        .arg(&path)
        .output()
        .expect("run pypdf");
    let _ = std::fs::remove_file(path);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn a_run_bills_setup_fees_and_due_periods_into_one_invoice_per_customer() {
    let s = setup("acme").await;
    let bakery = s.customer("Bäckerei Krume", json!({})).await;
    s.contract(
        bakery,
        "Webhosting M",
        "2026-10-15",
        "10.00",
        json!({ "setup_fee": "49.00" }),
    )
    .await;
    s.contract(
        bakery,
        "Domain krume.de",
        "2026-11-01",
        "1.50",
        json!({ "vat_category": "reduced" }),
    )
    .await;
    let later = s.customer("Zukunft AG", json!({})).await;
    s.contract(later, "Server L", "2027-03-01", "99.00", json!({}))
        .await;

    let preview_run = s.run("2026-12-01", true).await;
    let previews = s.invoices("preview").await;
    assert_eq!(previews.len(), 1, "only the bakery has something due");
    assert!(
        s.lines_per_period().await.is_empty(),
        "a preview bills nothing"
    );

    s.run("2026-12-01", false).await;
    let drafts = s.invoices("draft").await;
    assert_eq!(drafts.len(), 1);
    let draft = s.invoice(drafts[0]["id"].as_str().unwrap()).await;
    let preview = s.invoice(previews[0]["id"].as_str().unwrap()).await;
    assert_eq!(
        lines_of(&draft),
        lines_of(&preview),
        "the preview showed the same invoice"
    );
    assert_eq!(
        lines_of(&draft),
        vec![
            (
                "setup".into(),
                "2026-10-15".into(),
                "2026-10-15".into(),
                "49.00".into()
            ),
            (
                "recurring".into(),
                "2026-10-15".into(),
                "2026-11-14".into(),
                "10.00".into()
            ),
            (
                "recurring".into(),
                "2026-11-15".into(),
                "2026-12-14".into(),
                "10.00".into()
            ),
            (
                "recurring".into(),
                "2026-11-01".into(),
                "2026-11-30".into(),
                "1.50".into()
            ),
            (
                "recurring".into(),
                "2026-12-01".into(),
                "2026-12-31".into(),
                "1.50".into()
            ),
        ]
    );
    // 69.00 at 19 % and 3.00 at 7 %: tax 13.11 + 0.21
    assert_eq!(draft["summary"]["net_total"], "72.00");
    assert_eq!(draft["summary"]["tax_total"], "13.32");
    assert_eq!(draft["summary"]["gross_total"], "85.32");
    assert_eq!(draft["summary"]["period_start"], "2026-10-15");
    assert_eq!(draft["summary"]["period_end"], "2026-12-31");
    assert!(draft["lines"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Einrichtung: Webhosting M (V-"));

    // the same day again bills nothing; a later day bills only the next periods
    s.run("2026-12-01", false).await;
    assert_eq!(s.invoices("draft").await.len(), 1);
    s.run("2026-12-15", false).await;
    assert_eq!(s.invoices("draft").await.len(), 2);
    assert!(s.lines_per_period().await.iter().all(|(_, _, n)| *n == 1));

    // the preview run says what it did, its invoices stay apart from the real ones
    let run = s
        .app
        .call(
            "billing/runs/load",
            Some(&s.cookie),
            json!({ "id": preview_run }),
        )
        .await
        .json();
    assert_eq!(run["status"], "done");
    assert_eq!(run["invoice_count"], 1);
    assert_eq!(run["gross_total"], "85.32");
}

#[tokio::test]
async fn two_runs_at_once_bill_every_period_exactly_once() {
    let s = setup("twice").await;
    for n in 0..40 {
        let customer = s.customer(&format!("Kunde {n}"), json!({})).await;
        s.contract(
            customer,
            "Hosting S",
            "2026-09-01",
            "5.00",
            json!({ "setup_fee": "10.00" }),
        )
        .await;
    }
    let request = RunRequest {
        run_date: "2026-12-01".into(),
        preview: false,
    };
    let actor = s.actor();
    let first = app::billing::api::begin(&s.app.pool, &actor, &request, "ui")
        .await
        .unwrap();
    let second = app::billing::api::begin(&s.app.pool, &actor, &request, "api")
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        app::billing::api::execute(&s.app.pool, &actor, first),
        app::billing::api::execute(&s.app.pool, &actor, second)
    );
    a.unwrap();
    b.unwrap();
    let billed = s.lines_per_period().await;
    assert_eq!(
        billed.len(),
        40 * 5,
        "setup fee and four months per contract"
    );
    assert!(
        billed.iter().all(|(_, _, n)| *n == 1),
        "a period was billed twice"
    );
    assert_eq!(
        s.invoices("draft").await.len(),
        40,
        "one invoice per customer"
    );
}

#[tokio::test]
async fn a_run_killed_between_batches_is_finished_by_the_next_without_billing_twice() {
    let s = setup("killed").await;
    let mut customers = Vec::new();
    for n in 0..6 {
        let customer = s.customer(&format!("Kunde {n}"), json!({})).await;
        s.contract(customer, "Hosting S", "2026-11-01", "5.00", json!({}))
            .await;
        customers.push(customer);
    }
    // the killed run got through one batch (committed) and died in the next (rolled back)
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let mut ids: Vec<Uuid> =
        sqlx::query_scalar("select id from customers where tenant_id = $1 order by number")
            .bind(s.tenant)
            .fetch_all(&s.app.pool)
            .await
            .unwrap();
    let rest = ids.split_off(3);
    let killed = app::billing::repo::create_run(
        &mut s.app.pool.acquire().await.unwrap(),
        s.tenant,
        date,
        false,
        "schedule",
        None,
    )
    .await
    .unwrap();
    for (batch, commit) in [(&ids, true), (&rest, false)] {
        let mut tx = s.app.pool.begin().await.unwrap();
        let loaded = app::billing::repo::load_batch(&mut tx, s.tenant, batch, date, true)
            .await
            .unwrap();
        let write = app::billing::api::compute(&loaded, date);
        app::billing::repo::write_batch(&mut tx, s.tenant, killed, false, None, &write)
            .await
            .unwrap();
        if commit {
            tx.commit().await.unwrap();
        }
        // dropped without commit: the process died here
    }
    assert_eq!(s.invoices("draft").await.len(), 3);
    s.run("2026-12-01", false).await;
    assert_eq!(s.invoices("draft").await.len(), 6);
    let billed = s.lines_per_period().await;
    assert_eq!(billed.len(), 6 * 2);
    assert!(billed.iter().all(|(_, _, n)| *n == 1));
}

#[tokio::test]
async fn issuing_numbers_gaplessly_freezes_the_document_and_stores_a_valid_zugferd_xml() {
    let s = setup("issue").await;
    for name in ["Alpha GmbH", "Beta GmbH", "Gamma GmbH"] {
        let customer = s.customer(name, json!({})).await;
        s.contract(customer, "Webhosting M", "2026-11-01", "12.34", json!({}))
            .await;
    }
    s.run("2026-11-01", false).await;
    let drafts = s.invoices("draft").await;
    let ids: Vec<&str> = drafts.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let issued = s.issue(&ids).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let numbers: Vec<String> = issued
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        numbers,
        (1..=3)
            .map(|n| format!("RE-{year}-{n:05}"))
            .collect::<Vec<_>>()
    );
    let invoice = s.invoice(ids[0]).await;
    assert_eq!(invoice["summary"]["status"], "issued");
    assert_eq!(invoice["documents"], json!(["pdf", "zugferd"]));
    let xml = s.stored_xml(ids[0], "zugferd").await;
    assert!(xml.contains(&format!("<ram:ID>{}</ram:ID>", numbers[0])));
    assert_valid("cii", "plain-19", &xml);
    // the PDF/A-3 carries the same XML as factur-x.xml and shows number and total
    let pdf = s.stored(ids[0], "pdf").await;
    assert_file_valid("facturx-pdf", "plain-19", "pdf", &pdf);

    let text = pdf_text(&pdf);
    assert!(text.contains(&format!("Rechnung {}", numbers[0])), "{text}");
    assert!(
        text.contains("14,68 €"),
        "gross 12,34 € + 19 % = 14,68 €:\n{text}"
    );
    assert!(text.contains("Seite 1 von 1"), "{text}");

    // the database refuses to change or delete what was issued
    for statement in [
        "update invoices set net_total = 0 where id = $1::uuid",
        "delete from invoices where id = $1::uuid",
        "update invoice_lines set net_amount = 0 where invoice_id = $1::uuid",
        "delete from invoice_lines where invoice_id = $1::uuid",
        "update invoice_documents set content = 'x' where invoice_id = $1::uuid",
    ] {
        let refused = sqlx::query(statement)
            .bind(ids[0])
            .execute(&s.app.pool)
            .await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    let added = sqlx::query(
        "insert into invoice_lines (id, invoice_id, position, kind, description, quantity, unit_price, net_amount, vat_code, vat_rate)
         values (gen_random_uuid(), $1::uuid, 99, 'manual', 'extra', 1, 1, 1, 'S', 19)",
    )
    .bind(ids[0])
    .execute(&s.app.pool)
    .await;
    assert!(added.is_err(), "an issued invoice got a new line");

    // issuing again changes nothing and says why
    let again = s.issue(&ids).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert_eq!(again.fields(), vec!["ids"]);
}

#[tokio::test]
async fn an_incomplete_seller_stops_issuing_and_takes_no_number() {
    let s = setup("incomplete").await;
    let customer = s.customer("Alpha GmbH", json!({})).await;
    s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    s.run("2026-11-01", false).await;
    sqlx::query("update tenants set iban = null where id = $1")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let drafts = s.invoices("draft").await;
    let id = drafts[0]["id"].as_str().unwrap();
    let refused = s.issue(&[id]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("IBAN"), "{}", refused.body);
    assert_eq!(s.invoice(id).await["summary"]["status"], "draft");
    sqlx::query("update tenants set iban = 'DE02120300000000202051' where id = $1")
        .bind(s.tenant)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let issued = s.issue(&[id]).await;
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    assert_eq!(
        issued.json()[0]["number"],
        format!("RE-{year}-00001"),
        "the failed try took no number"
    );
}

#[tokio::test]
async fn every_tax_case_yields_an_e_invoice_the_validator_accepts() {
    let s = setup("cases").await;
    let mixed = s.customer("Mischkalkulation GmbH", json!({})).await;
    s.contract(
        mixed,
        "Webhosting M",
        "2026-11-01",
        "19.99",
        json!({ "setup_fee": "49.00" }),
    )
    .await;
    s.contract(
        mixed,
        "Fachbuch-Abo",
        "2026-11-01",
        "7.77",
        json!({ "vat_category": "reduced" }),
    )
    .await;
    let reverse = s.customer("Nederland BV", json!({ "billing_country": "NL", "billing_postal_code": "1012 AB",
        "billing_city": "Amsterdam", "vat_id": "NL004495445B01", "tax_treatment": "eu_reverse_charge" })).await;
    s.contract(reverse, "Managed Server", "2026-11-01", "89.00", json!({}))
        .await;
    let prorated = s.customer("Teilmonat KG", json!({})).await;
    s.contract(
        prorated,
        "Spamfilter",
        "2026-11-01",
        "30.00",
        json!({ "end_date": "2026-11-10" }),
    )
    .await;
    let typo = s
        .app
        .call(
            "customers/create",
            Some(&s.cookie),
            json!({ "input": { "kind": "company", "company_name": "Stadt Tippfehler", "leitweg_id": "991-33333TEST-34" }, "ignore_duplicates": true }),
        )
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.fields(), vec!["leitweg_id"]);
    let public = s
        .customer(
            "Stadt Musterstadt",
            json!({ "leitweg_id": "991-33333test-33" }),
        )
        .await;
    s.contract(
        public,
        "Bürgerportal Hosting",
        "2026-11-01",
        "250.00",
        json!({}),
    )
    .await;
    let abroad = s
        .customer(
            "Swiss AG",
            json!({ "billing_country": "CH", "billing_postal_code": "8001",
        "billing_city": "Zürich", "tax_treatment": "third_country" }),
        )
        .await;
    s.contract(abroad, "Webhosting L", "2026-11-01", "40.00", json!({}))
        .await;

    s.run("2026-11-01", false).await;
    let drafts = s.invoices("draft").await;
    let ids: Vec<&str> = drafts.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let issued = s.issue(&ids).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    for draft in &drafts {
        let id = draft["id"].as_str().unwrap();
        let name = draft["buyer_name"].as_str().unwrap().to_owned();
        let invoice = s.invoice(id).await;
        if name == "Stadt Musterstadt" {
            assert_eq!(invoice["documents"], json!(["pdf", "xrechnung"]));
            let xml = s.stored_xml(id, "xrechnung").await;
            assert!(xml.contains("<ram:BuyerReference>991-33333TEST-33</ram:BuyerReference>"));
            assert_valid("xrechnung", "leitweg", &xml);
        } else {
            let xml = s.stored_xml(id, "zugferd").await;
            assert_valid("cii", &name.replace(' ', "-"), &xml);
            let pdf = s.stored(id, "pdf").await;
            assert_file_valid("facturx-pdf", &name.replace(' ', "-"), "pdf", &pdf);
            if name == "Nederland BV" {
                assert!(xml.contains("<ram:CategoryCode>AE</ram:CategoryCode>"));
                assert!(xml.contains("Steuerschuldnerschaft des Leistungsempfängers"));
            }
        }
    }

    // small business: the tenant charges no VAT at all
    let small = s
        .customer("Kleinkunde", json!({ "tax_treatment": "small_business" }))
        .await;
    s.contract(small, "Homepage-Baukasten", "2026-11-01", "9.90", json!({}))
        .await;
    s.run("2026-11-01", false).await;
    let draft = s.invoices("draft").await;
    let id = draft[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(s.issue(&[&id]).await.status, StatusCode::OK);
    let xml = s.stored_xml(&id, "zugferd").await;
    assert!(xml.contains("§ 19 UStG"));
    assert_valid("cii", "small-business", &xml);

    // a credit note takes the mixed invoice back and references it
    let original = drafts
        .iter()
        .find(|d| d["buyer_name"] == "Mischkalkulation GmbH")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let credit = s
        .app
        .call(
            "invoices/credit-note",
            Some(&s.cookie),
            json!({ "invoice_id": original }),
        )
        .await;
    assert_eq!(credit.status, StatusCode::OK, "{}", credit.body);
    let credit_id = credit.json().as_str().unwrap().to_owned();
    let second = s
        .app
        .call(
            "invoices/credit-note",
            Some(&s.cookie),
            json!({ "invoice_id": original }),
        )
        .await;
    assert_eq!(
        second.status,
        StatusCode::CONFLICT,
        "one credit note per invoice"
    );
    let issued = s.issue(&[&credit_id]).await;
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    assert_eq!(issued.json()[0]["number"], format!("GS-{year}-00001"));
    let xml = s.stored_xml(&credit_id, "zugferd").await;
    assert!(xml.contains("<ram:TypeCode>381</ram:TypeCode>"));
    assert!(xml.contains("<ram:InvoiceReferencedDocument>"));
    assert_valid("cii", "credit-note", &xml);
    let pdf = s.stored(&credit_id, "pdf").await;
    assert_file_valid("facturx-pdf", "credit-note", "pdf", &pdf);

    let text = pdf_text(&pdf);
    assert!(
        text.contains(&format!("Gutschrift GS-{year}-00001")),
        "{text}"
    );
    assert!(text.contains("korrigiert die Rechnung RE-"), "{text}");
}

#[tokio::test]
async fn billing_needs_its_permissions_and_stays_in_the_tenant() {
    let s = setup("perm").await;
    let customer = s.customer("Alpha GmbH", json!({})).await;
    s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    s.run("2026-11-01", false).await;
    let id = s.invoices("draft").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    s.app.user(s.tenant, "sam@perm.de", &["support"]).await;
    let support = s.app.login("sam@perm.de").await;
    let seen = s
        .app
        .call("invoices/load", Some(&support), json!({ "id": id }))
        .await;
    assert_eq!(
        seen.status,
        StatusCode::OK,
        "support answers invoice questions"
    );
    let issue = s
        .app
        .call(
            "invoices/issue",
            Some(&support),
            json!({ "input": { "ids": [id] } }),
        )
        .await;
    assert_eq!(issue.status, StatusCode::FORBIDDEN);
    let start = s
        .app
        .call(
            "billing/runs/start",
            Some(&support),
            json!({ "input": { "run_date": "", "preview": true } }),
        )
        .await;
    assert_eq!(start.status, StatusCode::FORBIDDEN);

    let other = s.app.tenant("other").await;
    s.app.user(other, "olga@other.de", &["accountant"]).await;
    let olga = s.app.login("olga@other.de").await;
    let foreign = s
        .app
        .call("invoices/load", Some(&olga), json!({ "id": id }))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let foreign_issue = s
        .app
        .call(
            "invoices/issue",
            Some(&olga),
            json!({ "input": { "ids": [id] } }),
        )
        .await;
    assert_eq!(foreign_issue.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.invoice(&id).await["summary"]["status"], "draft");
}

#[tokio::test]
async fn the_api_runs_billing_finalizes_and_serves_the_stored_xml() {
    let s = setup("rest").await;
    let customer = s.customer("Alpha GmbH", json!({})).await;
    s.contract(customer, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    let token = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;

    let refused = s
        .app
        .send(api(
            "POST",
            "/api/v1/billing-runs",
            &reader,
            Some(json!({ "date": "2026-11-01" })),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = s
        .app
        .send(api(
            "POST",
            "/api/v1/billing-runs",
            &token,
            Some(json!({ "date": "gestern" })),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), vec!["run_date"]);

    let run = s
        .app
        .send(api(
            "POST",
            "/api/v1/billing-runs",
            &token,
            Some(json!({ "date": "2026-11-01", "dry_run": false })),
        ))
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    assert_eq!(run.json()["run"]["invoice_count"], 1);
    let invoices = s
        .app
        .send(api(
            "GET",
            run.json()["links"]["invoices"].as_str().unwrap(),
            &reader,
            None,
        ))
        .await;
    let id = invoices.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(invoices.json()["items"][0]["status"], "draft");

    let missing = s
        .app
        .send(api(
            "GET",
            &format!("/api/v1/invoices/{id}/xml"),
            &reader,
            None,
        ))
        .await;
    assert_eq!(
        missing.status,
        StatusCode::NOT_FOUND,
        "a draft has no e-invoice yet"
    );
    let issued = s
        .app
        .send(api(
            "POST",
            &format!("/api/v1/invoices/{id}/finalize"),
            &token,
            None,
        ))
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let number = issued.json()["summary"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let xml = s
        .app
        .send(api(
            "GET",
            &format!("/api/v1/invoices/{id}/xml?format=zugferd"),
            &reader,
            None,
        ))
        .await;
    assert_eq!(xml.status, StatusCode::OK);
    assert_eq!(
        xml.headers["content-type"],
        "application/xml; charset=utf-8"
    );
    assert_eq!(
        xml.body,
        s.stored_xml(&id, "zugferd").await,
        "served byte for byte as stored"
    );
    assert!(xml.body.contains(&number));
    let pdf = s
        .app
        .send(api(
            "GET",
            &format!("/api/v1/invoices/{id}/pdf"),
            &reader,
            None,
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(
        pdf.headers["content-disposition"],
        format!("attachment; filename=\"{number}.pdf\"").as_str()
    );
    assert!(pdf.body.starts_with("%PDF-"));

    let credit = s
        .app
        .send(api(
            "POST",
            &format!("/api/v1/invoices/{id}/credit-notes"),
            &token,
            None,
        ))
        .await;
    assert_eq!(credit.status, StatusCode::CREATED, "{}", credit.body);
    assert_eq!(credit.json()["summary"]["kind"], "credit_note");
    assert_eq!(credit.json()["corrects"][1], number);
}

#[tokio::test]
async fn usage_billed_in_arrears_makes_a_valid_e_invoice_with_its_tiers() {
    let s = setup("usage").await;
    let customer = s.customer("Traffic GmbH", json!({})).await;
    let product = Uuid::new_v4();
    for statement in [
        "insert into products (id, tenant_id, sku, name, kind) values ($1, $2, 'WEB-M', 'Webhosting M', 'hosting')",
        "insert into product_usage_prices (product_id, metric, unit, included_quantity) values ($1, 'traffic_gb', 'GB', 100)",
        "insert into product_usage_tiers (product_id, metric, from_quantity, unit_price)
         values ($1, 'traffic_gb', 0, 0.10), ($1, 'traffic_gb', 500, 0.05)",
    ] {
        sqlx::query(statement)
            .bind(product)
            .bind(s.tenant)
            .execute(&s.app.pool)
            .await
            .unwrap();
    }
    let contract = s
        .contract(
            customer,
            "Webhosting M",
            "2026-10-01",
            "9.90",
            json!({ "product_id": product }),
        )
        .await;
    sqlx::query(
        "insert into usage_records (id, tenant_id, contract_id, metric, period_start, quantity, unit, source)
         values (gen_random_uuid(), $1, $2, 'traffic_gb', '2026-10-01', 812.5, 'GB', 'api')",
    )
    .bind(s.tenant)
    .bind(contract)
    .execute(&s.app.pool)
    .await
    .unwrap();
    s.run("2026-11-01", false).await;
    let id = s.invoices("draft").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = s.invoice(&id).await;
    let usage: Vec<(String, String, String)> = draft["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "usage")
        .map(|l| {
            (
                l["quantity"].as_str().unwrap().to_owned(),
                l["unit_code"].as_str().unwrap().to_owned(),
                l["net_amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // 100 GB included; 400 GB at 0.10, the 312.5 GB from 500 on at 0.05
    assert_eq!(
        usage,
        vec![
            ("400.0000".into(), "E34".into(), "40.00".into()),
            ("312.5000".into(), "E34".into(), "15.63".into()),
        ]
    );
    assert_eq!(s.issue(&[&id]).await.status, StatusCode::OK);
    let xml = s.stored_xml(&id, "zugferd").await;
    assert!(xml.contains("<ram:BilledQuantity unitCode=\"E34\">312.50</ram:BilledQuantity>"));
    assert_valid("cii", "usage", &xml);
    let billed: i64 =
        sqlx::query_scalar("select count(*) from usage_records where billed_at is not null")
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    assert_eq!(billed, 1);
}

#[tokio::test]
async fn issuing_a_run_skips_drafts_with_incomplete_buyers_and_numbers_the_rest_gaplessly() {
    let s = setup("skip").await;
    let complete = s.customer("Alpha GmbH", json!({})).await;
    s.contract(complete, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    let incomplete = s
        .customer(
            "Ohne Anschrift KG",
            json!({ "billing_postal_code": "", "billing_city": "" }),
        )
        .await;
    s.contract(incomplete, "Webhosting M", "2026-11-01", "10.00", json!({}))
        .await;
    let run = s.run("2026-11-01", false).await;

    // one draft at a time is all or nothing, and says which customer lacks what
    let drafts = s.invoices("draft").await;
    let all: Vec<&str> = drafts.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let refused = s.issue(&all).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Ohne Anschrift KG"),
        "{}",
        refused.body
    );

    let outcome = s
        .app
        .call(
            "invoices/issue-run",
            Some(&s.cookie),
            json!({ "run_id": run }),
        )
        .await;
    assert_eq!(outcome.status, StatusCode::OK, "{}", outcome.body);
    let outcome = outcome.json();
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    assert_eq!(outcome["issued"].as_array().unwrap().len(), 1);
    assert_eq!(outcome["issued"][0]["number"], format!("RE-{year}-00001"));
    assert_eq!(outcome["skipped"][0]["buyer_name"], "Ohne Anschrift KG");
    assert!(outcome["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("PLZ"));
    let left = s.invoices("draft").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["buyer_name"], "Ohne Anschrift KG");

    // once the address is there, the draft is issued with the next number
    sqlx::query("update customers set billing_postal_code = '04109', billing_city = 'Leipzig' where id = $1")
        .bind(incomplete)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let again = s
        .app
        .call(
            "invoices/issue-run",
            Some(&s.cookie),
            json!({ "run_id": run }),
        )
        .await
        .json();
    assert_eq!(again["issued"][0]["number"], format!("RE-{year}-00002"));
    assert_eq!(again["skipped"], json!([]));
}
