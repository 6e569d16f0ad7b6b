//! Quotes on a real database: what was sent stays as sent (the database refuses changes),
//! revisions make versions, the customer's owner decides in the portal, and accepting
//! opens the project with the quoted hours and money — by hand, in the portal and over
//! the API; the quote's e-mail reaches a real SMTP server with its stored PDF.

use crate::support::{api, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

struct Sales {
    app: TestApp,
    tenant: Uuid,
    manager: String,
    manager_id: Uuid,
    customer: Uuid,
}

async fn sales(slug: &str) -> Sales {
    let app = TestApp::new().await;
    let tenant = app.tenant(slug).await;
    let manager_id = app
        .user(tenant, &format!("pm@{slug}.de"), &["project_manager"])
        .await;
    let manager = app.login(&format!("pm@{slug}.de")).await;
    let customer = app.customer(&manager, "Weingut Rebstock KG").await;
    Sales {
        app,
        tenant,
        manager,
        manager_id,
        customer,
    }
}

impl Sales {
    async fn role(&self, name: &str, rate: &str) -> Uuid {
        let reply = self
            .app
            .call(
                "projects/save-role",
                Some(&self.manager),
                json!({ "id": null, "name": name, "hourly_rate": rate }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_str().unwrap().parse().unwrap()
    }

    /// A website relaunch: design by a role, a licence, optional training.
    fn relaunch(&self, design: Uuid) -> Value {
        json!({
            "customer_id": self.customer, "title": "Relaunch Weinshop", "billing": "fixed_price",
            "manager_id": self.manager_id, "intro": "Vielen Dank für das freundliche Gespräch.",
            "valid_until": "2099-12-31",
            "items": [
                { "kind": "hours", "title": "Design", "job_role_id": design, "quantity": "12,5", "unit_price": "110" },
                { "kind": "fixed", "title": "Shop-Lizenz", "quantity": "1", "unit_price": "299,00" },
                { "kind": "hours", "title": "Schulung", "quantity": "4", "unit_price": "95", "optional": true },
            ],
        })
    }

    async fn create(&self, input: Value) -> Uuid {
        let reply = self
            .app
            .call(
                "quotes/create",
                Some(&self.manager),
                json!({ "input": input }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_str().unwrap().parse().unwrap()
    }

    async fn load(&self, id: Uuid, version: Option<i32>) -> Value {
        let reply = self
            .app
            .call(
                "quotes/load",
                Some(&self.manager),
                json!({ "id": id, "version": version }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    async fn send(&self, id: Uuid, email: bool) -> crate::support::Reply {
        self.app
            .call(
                "quotes/send",
                Some(&self.manager),
                json!({ "id": id, "email": email }),
            )
            .await
    }

    async fn portal_user(&self, customer: Uuid, email: &str, role: &str) -> String {
        let user = self.app.user(self.tenant, email, &[role]).await;
        sqlx::query("update memberships set customer_id = $1 where user_id = $2")
            .bind(customer)
            .bind(user)
            .execute(&self.app.pool)
            .await
            .unwrap();
        self.app.login(email).await
    }

    async fn notifications(&self) -> Vec<String> {
        sqlx::query_scalar(
            "select title from notifications where user_id = $1 and kind = 'quote_decided' order by created_at",
        )
        .bind(self.manager_id)
        .fetch_all(&self.app.pool)
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn an_accepted_quote_opens_its_project_with_the_quoted_hours_and_money() {
    let s = sales("angebot").await;
    let design = s.role("Design", "110").await;

    // every bad item field is named, nothing is written
    let mut bad = s.relaunch(design);
    bad["items"][1]["quantity"] = json!("0");
    bad["items"][2]["unit_price"] = json!("viel");
    let refused = s
        .app
        .call("quotes/create", Some(&s.manager), json!({ "input": bad }))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.fields(),
        vec!["items.1.quantity", "items.2.unit_price"]
    );

    let id = s.create(s.relaunch(design)).await;
    let quote = s.load(id, None).await;
    assert_eq!(
        quote["summary"]["number"],
        format!("A-{}-0001", chrono::Utc::now().format("%Y"))
    );
    assert_eq!(quote["summary"]["status"], "draft");
    // 12.5 × 110 + 299 = 1,674.00 net, 19 % VAT once; training offered on top
    assert_eq!(quote["sums"]["totals"]["net"], "1674.00");
    assert_eq!(quote["sums"]["totals"]["tax"], "318.06");
    assert_eq!(quote["sums"]["totals"]["gross"], "1992.06");
    assert_eq!(quote["sums"]["optional_net"], "380.00");
    assert_eq!(quote["items"][0]["job_role"], "Design");

    // the draft changes as often as needed
    let mut changed = s.relaunch(design);
    changed["items"][1]["unit_price"] = json!("349");
    let saved = s
        .app
        .call(
            "quotes/save",
            Some(&s.manager),
            json!({ "id": id, "input": changed }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(s.load(id, None).await["sums"]["totals"]["net"], "1724.00");

    // sent: frozen with its PDF
    let sent = s.send(id, false).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json(), Value::Null, "no e-mail asked for");
    let pdf = s
        .app
        .get(&format!("/quotes/{id}/versions/1/pdf"), Some(&s.manager))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let again = s
        .app
        .call(
            "quotes/save",
            Some(&s.manager),
            json!({ "id": id, "input": s.relaunch(design) }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let tampered = sqlx::query("update quote_items set unit_price = 1 where quote_id = $1")
        .bind(id)
        .execute(&s.app.pool)
        .await;
    assert!(
        tampered.is_err(),
        "the database keeps a sent version as it was sent"
    );
    let tampered =
        sqlx::query("update quote_versions set valid_until = '2100-01-01' where quote_id = $1")
            .bind(id)
            .execute(&s.app.pool)
            .await;
    assert!(tampered.is_err());

    // only optional items can be chosen
    let wrong = s
        .app
        .call(
            "quotes/accept",
            Some(&s.manager),
            json!({ "id": id, "options": [1] }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.fields(), vec!["options"]);

    let accepted = s
        .app
        .call(
            "quotes/accept",
            Some(&s.manager),
            json!({ "id": id, "options": [3] }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let project: Uuid = accepted.json().as_str().unwrap().parse().unwrap();
    let detail = s
        .app
        .call("projects/load", Some(&s.manager), json!({ "id": project }))
        .await
        .json();
    assert_eq!(detail["input"]["name"], "Relaunch Weinshop");
    assert_eq!(detail["input"]["billing"], "fixed_price");
    assert_eq!(detail["input"]["manager_id"], json!(s.manager_id));
    // design 12.5 h + training 4 h; 1,375 + 349 + 380 = 2,104
    assert_eq!(detail["input"]["budget_hours"], "16.5");
    assert_eq!(detail["input"]["budget_amount"], "2104");
    let packages: Vec<(String, String, String)> = detail["work_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                w["budget"]["planned"]["hours"].as_str().unwrap().to_owned(),
                w["budget"]["planned"]["amount"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        packages,
        vec![
            ("Design".into(), "12.50".into(), "1375.00".into()),
            ("Shop-Lizenz".into(), "0".into(), "349.00".into()),
            ("Schulung".into(), "4.00".into(), "380.00".into()),
        ]
    );
    let quote = s.load(id, None).await;
    assert_eq!(quote["summary"]["status"], "accepted");
    assert_eq!(quote["summary"]["project_id"], json!(project));
    assert_eq!(
        quote["sums"]["totals"]["net"], "2104.00",
        "the training is ordered"
    );

    let twice = s
        .app
        .call(
            "quotes/accept",
            Some(&s.manager),
            json!({ "id": id, "options": [] }),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "one quote, one project");
    let projects: i64 = sqlx::query_scalar("select count(*) from projects where tenant_id = $1")
        .bind(s.tenant)
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(projects, 1);
    let actions = s.app.audit_actions(s.tenant).await;
    for action in [
        "quote.created",
        "quote.changed",
        "quote.sent",
        "project.created",
        "quote.accepted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    // a role priced in a quote stays
    let delete = s
        .app
        .call(
            "projects/delete-role",
            Some(&s.manager),
            json!({ "id": design }),
        )
        .await;
    assert_eq!(delete.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn revisions_keep_what_was_sent_and_the_customers_owner_decides_in_the_portal() {
    let s = sales("portalangebot").await;
    let design = s.role("Design", "110").await;
    let id = s.create(s.relaunch(design)).await;
    assert_eq!(s.send(id, false).await.status, StatusCode::OK);
    let owner = s
        .portal_user(s.customer, "inhaber@rebstock.de", "customer_owner")
        .await;
    let bookkeeper = s
        .portal_user(s.customer, "buchhaltung@rebstock.de", "customer_billing")
        .await;
    let caretaker = s
        .portal_user(s.customer, "technik@rebstock.de", "customer_technical")
        .await;
    let other = s.app.customer(&s.manager, "Andere AG").await;
    let stranger = s
        .portal_user(other, "chef@andere.de", "customer_owner")
        .await;

    // the customer asks for a cheaper design: version 2, version 1 stays as sent
    let revised = s
        .app
        .call("quotes/revise", Some(&s.manager), json!({ "id": id }))
        .await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.body);
    assert_eq!(revised.json(), 2);
    let mut cheaper = s.relaunch(design);
    cheaper["items"][0]["unit_price"] = json!("100");
    let saved = s
        .app
        .call(
            "quotes/save",
            Some(&s.manager),
            json!({ "id": id, "input": cheaper }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        s.load(id, Some(1)).await["sums"]["totals"]["net"],
        "1674.00"
    );
    assert_eq!(
        s.load(id, Some(2)).await["sums"]["totals"]["net"],
        "1549.00"
    );

    // the portal shows what was sent, never the draft
    let listed = s.app.call("portal/quotes", Some(&owner), json!({})).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed = listed.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["version"], 1);
    assert_eq!(listed[0]["status"], "sent");
    assert_eq!(listed[0]["net_total"], "1674.00");
    let shown = s
        .app
        .call(
            "portal/quote",
            Some(&bookkeeper),
            json!({ "id": id, "version": null }),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.json()["shown_version"], 1);
    let pdf = s
        .app
        .get(&format!("/portal/quotes/{id}/versions/1/pdf"), Some(&owner))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let draft_pdf = s
        .app
        .get(&format!("/portal/quotes/{id}/versions/2/pdf"), Some(&owner))
        .await;
    assert_eq!(draft_pdf.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.app
            .call("portal/quotes", Some(&caretaker), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "money matters are not the caretaker's"
    );
    assert_eq!(
        s.app
            .call(
                "portal/quote",
                Some(&stranger),
                json!({ "id": id, "version": null })
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.app
            .get(
                &format!("/portal/quotes/{id}/versions/1/pdf"),
                Some(&stranger)
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // version 2 goes out; the bookkeeper may read but not commission
    assert_eq!(s.send(id, false).await.status, StatusCode::OK);
    let by_bookkeeper = s
        .app
        .call(
            "portal/accept-quote",
            Some(&bookkeeper),
            json!({ "id": id, "options": [] }),
        )
        .await;
    assert_eq!(by_bookkeeper.status, StatusCode::FORBIDDEN);
    let by_stranger = s
        .app
        .call(
            "portal/accept-quote",
            Some(&stranger),
            json!({ "id": id, "options": [] }),
        )
        .await;
    assert_eq!(by_stranger.status, StatusCode::NOT_FOUND);

    // the owner declines; the quote's contact hears of it
    let declined = s
        .app
        .call(
            "portal/decline-quote",
            Some(&owner),
            json!({ "id": id, "reason": "Budget erst im Frühjahr" }),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    let quote = s.load(id, None).await;
    assert_eq!(quote["summary"]["status"], "declined");
    assert_eq!(quote["decline_reason"], "Budget erst im Frühjahr");
    assert_eq!(s.notifications().await.len(), 1);

    // in spring: version 3, sent, but it expired before the owner looked
    assert_eq!(
        s.app
            .call("quotes/revise", Some(&s.manager), json!({ "id": id }))
            .await
            .json(),
        3
    );
    assert_eq!(s.send(id, false).await.status, StatusCode::OK);
    sqlx::query("alter table quote_versions disable trigger quote_versions_frozen")
        .execute(&s.app.pool)
        .await
        .unwrap();
    sqlx::query(
        "update quote_versions set valid_until = '2020-01-31' where quote_id = $1 and version = 3",
    )
    .bind(id)
    .execute(&s.app.pool)
    .await
    .unwrap();
    sqlx::query("alter table quote_versions enable trigger quote_versions_frozen")
        .execute(&s.app.pool)
        .await
        .unwrap();
    let late = s
        .app
        .call(
            "portal/accept-quote",
            Some(&owner),
            json!({ "id": id, "options": [] }),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        s.app
            .call("portal/quotes", Some(&owner), json!({}))
            .await
            .json()[0]["expired"],
        true
    );

    // a fresh version the owner accepts in time, with the training
    s.app
        .call("quotes/revise", Some(&s.manager), json!({ "id": id }))
        .await;
    assert_eq!(s.send(id, false).await.status, StatusCode::OK);
    let accepted = s
        .app
        .call(
            "portal/accept-quote",
            Some(&owner),
            json!({ "id": id, "options": [3] }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let quote = s.load(id, None).await;
    assert_eq!(quote["summary"]["status"], "accepted");
    assert_eq!(quote["decided_by"], "inhaber@rebstock.de");
    let budget: (String, String) = sqlx::query_as(
        "select p.name, p.budget_amount::text from projects p join quotes q on q.project_id = p.id where q.id = $1",
    )
    .bind(id)
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(budget.0, "Relaunch Weinshop");
    assert_eq!(budget.1, "1929.00", "1,250 + 299 + 380");
    let notes = s.notifications().await;
    assert_eq!(notes.len(), 2);
    assert!(notes[1].contains("angenommen"), "{notes:?}");
}

#[tokio::test]
async fn quotes_over_the_api_reach_the_customer_by_mail_with_their_pdf() {
    let s = sales("angebotapi").await;
    sqlx::query("update customers set email = 'einkauf@rebstock.example' where id = $1")
        .bind(s.customer)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let token = s
        .app
        .token(s.tenant, &["quotes:read", "quotes:write"])
        .await;
    let reader = s.app.token(s.tenant, &["quotes:read"]).await;
    let mut input = s.relaunch(Uuid::nil());
    input["items"][0]["job_role_id"] = Value::Null;
    input["valid_until"] = json!("");
    let created = s
        .app
        .send(api("POST", "/api/v1/quotes", &token, Some(input.clone())))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        s.app
            .send(api("POST", "/api/v1/quotes", &reader, Some(input)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let fetched = s
        .app
        .send(api("GET", &format!("/api/v1/quotes/{id}"), &reader, None))
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    // no date given: valid for 30 days from the tenant's today
    let days: i32 = sqlx::query_scalar(
        "select valid_until - (now() at time zone 'Europe/Berlin')::date from quote_versions where quote_id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(days, 30);

    let sent = s
        .app
        .send(api(
            "POST",
            &format!("/api/v1/quotes/{id}/send"),
            &token,
            Some(json!({ "email": true })),
        ))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["recipient"], "einkauf@rebstock.example");
    let (port, _) = crate::check_servers::smtp_maildir();
    let smtp = server::mail::transport(&format!("smtp://127.0.0.1:{port}")).unwrap();
    assert_eq!(
        server::mail::send_due(&s.app.pool, &smtp, "kontor@localhost")
            .await
            .unwrap(),
        1
    );
    let mails = crate::mail::received("einkauf@rebstock.example");
    assert_eq!(mails.len(), 1);
    let number = fetched.json()["summary"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        mails[0]["subject"],
        format!("Ihr Angebot {number}: Relaunch Weinshop")
    );
    assert!(mails[0]["body"].as_str().unwrap().contains("1.992,06"));
    let stored: Vec<u8> =
        sqlx::query_scalar("select pdf from quote_versions where quote_id = $1::uuid")
            .bind(&id)
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    use sha2::Digest;
    assert_eq!(
        mails[0]["attachments"],
        json!([{ "name": format!("{number}.pdf"), "type": "application/pdf",
                 "sha256": hex::encode(sha2::Sha256::digest(&stored)) }])
    );

    let accepted = s
        .app
        .send(api(
            "POST",
            &format!("/api/v1/quotes/{id}/accept"),
            &token,
            Some(json!({ "options": [] })),
        ))
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
    assert!(accepted.json()["project_number"]
        .as_str()
        .unwrap()
        .starts_with("P-"));
    let listed = s
        .app
        .send(api("GET", "/api/v1/quotes?status=accepted", &reader, None))
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()["total"], 1);
    let declined = s
        .app
        .send(api(
            "POST",
            &format!("/api/v1/quotes/{id}/decline"),
            &token,
            Some(json!({ "reason": "zu spät" })),
        ))
        .await;
    assert_eq!(declined.status, StatusCode::CONFLICT);
}
