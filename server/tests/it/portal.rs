//! The customer portal: staff invite a customer's user, who sets a password and then sees
//! that customer's contracts and domains and nothing else, neither through the portal's
//! functions nor through staff functions or the REST API.

use crate::support::{Reply, TestApp};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};
use uuid::Uuid;

const PORTAL_PASSWORD: &str = "Kundenportal 2026";

fn page() -> Value {
    json!({ "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } })
}

/// A tenant with a logged-in admin.
async fn admin(app: &TestApp, slug: &str) -> (Uuid, String) {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    (tenant, app.login(&email).await)
}

async fn customer(app: &TestApp, cookie: &str, name: &str) -> Uuid {
    let reply = app
        .call(
            "customers/create",
            Some(cookie),
            json!({ "input": { "kind": "company", "company_name": name, "billing_country": "DE" }, "ignore_duplicates": true }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["created"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn contract(app: &TestApp, cookie: &str, customer: Uuid, description: &str) -> Uuid {
    let reply = app
        .call(
            "contracts/create",
            Some(cookie),
            json!({ "input": {
                "customer_id": customer, "description": description, "start_date": "2026-01-01",
                "fee": "19.00", "fee_unit": "month", "billing_interval": "quarterly",
                "billing_mode": "in_advance", "notes": "intern: Rabatt nur mündlich zugesagt"
            } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()[0].as_str().unwrap().parse().unwrap()
}

/// Today in the tenants' time zone, as the server counts days left.
async fn today(app: &TestApp) -> NaiveDate {
    sqlx::query_scalar("select (now() at time zone 'Europe/Berlin')::date")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn domain(app: &TestApp, cookie: &str, customer: Uuid, name: &str, days: i64) -> Uuid {
    let expires_on = (today(app).await + Duration::days(days)).to_string();
    let reply = app
        .call(
            "inventory/domains/create",
            Some(cookie),
            json!({ "input": { "customer_id": customer, "name": name, "expires_on": expires_on,
                               "registrar": "Geheim-Registrar", "notes": "intern" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_str().unwrap().parse().unwrap()
}

async fn invite(app: &TestApp, cookie: &str, customer: Uuid, email: &str, role: &str) -> Reply {
    app.call(
        "portal/users/invite",
        Some(cookie),
        json!({ "customer_id": customer, "email": email, "display_name": "Kim Kunde", "role": role }),
    )
    .await
}

/// Sets the password through the invitation link, as the invited person's browser does.
async fn accept(app: &TestApp, link: &str) -> Reply {
    let token = link.rsplit('/').next().unwrap();
    let password = crate::support::urlencode(PORTAL_PASSWORD);
    app.send(TestApp::post(
        "/auth/invitation",
        None,
        "application/x-www-form-urlencoded",
        format!("token={token}&password={password}&repeat={password}"),
    ))
    .await
}

/// Staff invite `email` for the customer; the person accepts and logs in. Returns the cookie.
async fn portal_user(app: &TestApp, staff: &str, customer: Uuid, email: &str) -> String {
    let invitation = invite(app, staff, customer, email, "customer_owner").await;
    assert_eq!(invitation.status, StatusCode::OK, "{}", invitation.body);
    let link = invitation.json()["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("http://localhost/invite/"), "{link}");
    assert_eq!(accept(app, &link).await.location(), "/login");
    let login = app.login_form(email, PORTAL_PASSWORD).await;
    assert_eq!(login.location(), "/", "{}", login.body);
    login.session_cookie().unwrap()
}

#[tokio::test]
async fn an_invited_customer_user_sees_their_contracts_and_domains_only() {
    let app = TestApp::new().await;
    let (tenant, staff) = admin(&app, "acme").await;
    let mueller = customer(&app, &staff, "Bäckerei Müller").await;
    let rival = customer(&app, &staff, "Konkurrenz AG").await;
    let own = contract(&app, &staff, mueller, "Webhosting Müller").await;
    let foreign = contract(&app, &staff, rival, "Webhosting Konkurrenz").await;
    domain(&app, &staff, mueller, "bäckerei-müller.de", 20).await;
    domain(&app, &staff, mueller, "mueller-später.de", 300).await;
    domain(&app, &staff, rival, "konkurrenz.de", 10).await;

    let kim = portal_user(&app, &staff, mueller, "Kim@Mueller.example ").await;
    assert_eq!(app.get("/", Some(&kim)).await.location(), "/portal");
    assert_eq!(
        app.get("/customers", Some(&kim)).await.location(),
        "/portal"
    );
    for page in [
        "/portal",
        "/portal/contracts",
        "/portal/domains",
        "/portal/profile",
    ] {
        assert_eq!(
            app.get(page, Some(&kim)).await.status,
            StatusCode::OK,
            "{page}"
        );
    }
    // rendered on the server already (in order), so it reads without JavaScript too
    let home = app.get("/portal", Some(&kim)).await.body;
    assert!(home.contains("Bäckerei Müller"), "{home}");
    assert!(!home.contains("Konkurrenz"));

    let contracts = app.call("portal/contracts", Some(&kim), page()).await;
    assert_eq!(contracts.status, StatusCode::OK, "{}", contracts.body);
    let contracts = contracts.json();
    assert_eq!(contracts["total"], 1);
    let row = &contracts["items"][0];
    assert_eq!(row["description"], "Webhosting Müller");
    assert_eq!(row["next_charge"]["due_on"], "2026-01-01");
    assert_eq!(row["next_charge"]["amount"], "57.00");
    assert!(row.get("notes").is_none() && row.get("customer_name").is_none());

    let file = app
        .call("portal/contract", Some(&kim), json!({ "id": own }))
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.json()["number"], "V-00001");
    assert_eq!(file.json()["upcoming"].as_array().unwrap().len(), 4);
    assert!(!file.body.contains("intern"), "{}", file.body);
    let other = app
        .call("portal/contract", Some(&kim), json!({ "id": foreign }))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);

    let domains = app.call("portal/domains", Some(&kim), page()).await.json();
    let names: Vec<&str> = domains["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bäckerei-müller.de", "mueller-später.de"]);
    assert_eq!(domains["items"][0]["days_left"], 20);
    assert!(!domains.to_string().contains("Registrar"));

    let overview = app.call("portal/overview", Some(&kim), json!({})).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let overview = overview.json();
    assert_eq!(overview["customer_name"], "Bäckerei Müller");
    assert_eq!(overview["active_contracts"], 1);
    assert_eq!(overview["next_invoice"]["due_on"], "2026-01-01");
    assert_eq!(overview["next_invoice"]["amount"], "57.00");
    let expiring = overview["expiring_domains"].as_array().unwrap();
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0]["name"], "bäckerei-müller.de");

    // the customer file lists the portal user; the staff user list does not
    let users = app
        .call(
            "portal/users/list",
            Some(&staff),
            json!({ "customer_id": mueller }),
        )
        .await
        .json();
    assert_eq!(users[0]["email"], "kim@mueller.example");
    assert_eq!(users[0]["invited"], false);
    assert_eq!(users[0]["role"], "customer_owner");
    let none = app
        .call(
            "portal/users/list",
            Some(&staff),
            json!({ "customer_id": rival }),
        )
        .await
        .json();
    assert_eq!(none, json!([]));
    let staff_list = app.call("users/list", Some(&staff), page()).await.body;
    assert!(!staff_list.contains("kim@mueller.example"), "{staff_list}");
    let kind: String =
        sqlx::query_scalar("select kind::text from users where email = 'kim@mueller.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kind, "customer");
    let actions = app.audit_actions(tenant).await;
    assert!(actions.contains(&"user.invited".to_owned()));
    assert!(actions.contains(&"user.invitation_accepted".to_owned()));
}

#[tokio::test]
async fn a_customer_user_gets_no_staff_function_and_no_rest_api() {
    let app = TestApp::new().await;
    let (_, staff) = admin(&app, "acme").await;
    let mueller = customer(&app, &staff, "Bäckerei Müller").await;
    let rival = customer(&app, &staff, "Konkurrenz AG").await;
    let foreign = contract(&app, &staff, rival, "Webhosting Konkurrenz").await;
    let foreign_domain = domain(&app, &staff, rival, "konkurrenz.de", 10).await;
    let kim = portal_user(&app, &staff, mueller, "kim@mueller.example").await;
    let filter = json!({ "customer_id": rival });
    let paged = page()["page"].clone();
    let calls = [
        (
            "customers/list",
            json!({ "filter": { "kind": null, "tag": "", "include_archived": true }, "page": paged }),
        ),
        ("customers/load", json!({ "id": rival })),
        ("contracts/list", json!({ "filter": filter, "page": paged })),
        ("contracts/load", json!({ "id": foreign })),
        (
            "inventory/domains/list",
            json!({ "filter": filter, "page": paged }),
        ),
        ("inventory/domains/load", json!({ "id": foreign_domain })),
        (
            "inventory/servers/list",
            json!({ "filter": filter, "page": paged }),
        ),
        (
            "inventory/certificates/list",
            json!({ "filter": filter, "page": paged }),
        ),
        (
            "inventory/zones/list",
            json!({ "filter": filter, "page": paged }),
        ),
        ("portal/users/list", json!({ "customer_id": mueller })),
        (
            "portal/users/invite",
            json!({ "customer_id": mueller, "email": "freund@example.de", "display_name": "Freund", "role": "customer_owner" }),
        ),
        ("users/list", page()),
    ];
    for (endpoint, args) in calls {
        let reply = app.call(endpoint, Some(&kim), args).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{endpoint}: {}",
            reply.body
        );
    }
    // the REST API takes tokens only; the session cookie is no credential there
    let api = app.get("/api/v1/contracts", Some(&kim)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{}", api.body);
}

#[tokio::test]
async fn only_customer_managers_invite_and_a_blocked_user_is_locked_out() {
    let app = TestApp::new().await;
    let (tenant, staff) = admin(&app, "acme").await;
    let mueller = customer(&app, &staff, "Bäckerei Müller").await;
    app.user(tenant, "tim@acme.de", &["staff"]).await;
    let tim = app.login("tim@acme.de").await;
    let refused = invite(&app, &tim, mueller, "kim@mueller.example", "customer_owner").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let seen = app
        .call(
            "portal/users/list",
            Some(&tim),
            json!({ "customer_id": mueller }),
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);

    // only customer roles, a plausible e-mail, a name; the customer must be the tenant's
    let bad = invite(&app, &staff, mueller, "keine-adresse", "admin").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<String> = bad.json()["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["email", "role"]);
    let (_, elsewhere) = admin(&app, "other").await;
    let foreign_customer = customer(&app, &elsewhere, "Fremdkunde").await;
    let foreign = invite(
        &app,
        &staff,
        foreign_customer,
        "x@example.de",
        "customer_owner",
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);

    let kim = portal_user(&app, &staff, mueller, "kim@mueller.example").await;
    let again = invite(
        &app,
        &staff,
        mueller,
        "kim@mueller.example",
        "customer_billing",
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    let kim_id: Uuid =
        sqlx::query_scalar("select id from users where email = 'kim@mueller.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let block = json!({ "customer_id": mueller, "user_id": kim_id, "active": false });
    let by_staff = app
        .call("portal/users/active", Some(&tim), block.clone())
        .await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    // another customer's id does not reach the user
    let wrong = json!({ "customer_id": foreign_customer, "user_id": kim_id, "active": false });
    let reply = app.call("portal/users/active", Some(&staff), wrong).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let blocked = app.call("portal/users/active", Some(&staff), block).await;
    assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);

    let after = app.call("portal/overview", Some(&kim), json!({})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    let login = app.login_form("kim@mueller.example", PORTAL_PASSWORD).await;
    assert_ne!(login.location(), "/");
    assert!(login.session_cookie().is_none());

    let unblock = json!({ "customer_id": mueller, "user_id": kim_id, "active": true });
    let reply = app.call("portal/users/active", Some(&staff), unblock).await;
    assert_eq!(reply.status, StatusCode::OK);
    let login = app.login_form("kim@mueller.example", PORTAL_PASSWORD).await;
    assert_eq!(login.location(), "/");
    let actions = app.audit_actions(tenant).await;
    assert!(actions.contains(&"portal_user.deactivated".to_owned()));
    assert!(actions.contains(&"portal_user.reactivated".to_owned()));
}

#[tokio::test]
async fn a_customer_role_without_a_customer_or_with_staff_roles_sees_nothing_more() {
    let app = TestApp::new().await;
    let (tenant, staff) = admin(&app, "acme").await;
    let mueller = customer(&app, &staff, "Bäckerei Müller").await;
    // a portal role, but no customer named in the membership
    app.user(tenant, "lose@example.de", &["customer_owner"])
        .await;
    let loose = app.login("lose@example.de").await;
    for endpoint in ["portal/overview", "portal/contracts", "portal/domains"] {
        let args = if endpoint == "portal/overview" {
            json!({})
        } else {
            page()
        };
        let reply = app.call(endpoint, Some(&loose), args).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{endpoint}");
    }
    // staff roles smuggled into a customer's membership do not count
    let kim = portal_user(&app, &staff, mueller, "kim@mueller.example").await;
    sqlx::query(
        "update memberships set roles = array['customer_owner', 'admin']
         where user_id = (select id from users where email = 'kim@mueller.example')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let list = app
        .call(
            "customers/list",
            Some(&kim),
            json!({ "filter": { "kind": null, "tag": "", "include_archived": true }, "page": page()["page"] }),
        )
        .await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/users", Some(&kim)).await.location(), "/portal");
    let own = app.call("portal/overview", Some(&kim), json!({})).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}

#[tokio::test]
async fn an_invitation_never_replaces_an_existing_password() {
    let app = TestApp::new().await;
    let (_, victim_cookie) = admin(&app, "acme").await;
    drop(victim_cookie);
    let (_, staff) = admin(&app, "other").await;
    let customer = customer(&app, &staff, "Kunde").await;
    // staff of another tenant invite acme's admin as their customer's user
    let invitation = invite(&app, &staff, customer, "admin@acme.de", "customer_owner").await;
    assert_eq!(invitation.status, StatusCode::OK, "{}", invitation.body);
    assert_eq!(invitation.json()["link"], "http://localhost/login");
    let tokens: i64 = sqlx::query_scalar(
        "select count(*) from user_invitations i join users u on u.id = i.user_id
         where u.email = 'admin@acme.de'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(tokens, 0);
    app.login("admin@acme.de").await;
}

#[tokio::test]
async fn the_customer_sees_and_downloads_their_own_invoices_balance_and_mandate_only() {
    let s = crate::sepa::sepa_setup("portalrechnung").await;
    s.app
        .user(s.tenant, "admin@portalrechnung.de", &["admin"])
        .await;
    let staff = s.app.login("admin@portalrechnung.de").await;
    let mueller = s.customer("Bäckerei Müller GmbH", json!({})).await;
    let rival = s.customer("Konkurrenz AG", json!({})).await;
    for customer in [mueller, rival] {
        s.contract(customer, "Webhosting M", "2026-12-01", "10.00", json!({}))
            .await;
    }
    assert_eq!(
        crate::sepa::mandate(&s, mueller, json!({})).await.status,
        StatusCode::OK
    );
    let issued = crate::sepa::bill_and_issue(&s).await;
    let own = issued
        .iter()
        .find(|i| i["customer_id"] == mueller.to_string())
        .unwrap();
    let foreign = issued
        .iter()
        .find(|i| i["customer_id"] == rival.to_string())
        .unwrap();
    let kim = portal_user(&s.app, &staff, mueller, "kim@mueller.example").await;

    let invoices = s.app.call("portal/invoices", Some(&kim), page()).await;
    assert_eq!(invoices.status, StatusCode::OK, "{}", invoices.body);
    let items = invoices.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["number"], own["number"]);
    let billing = s
        .app
        .call("portal/billing", Some(&kim), json!({}))
        .await
        .json();
    assert_eq!(billing["open_total"], own["gross_total"], "{billing}");
    assert_eq!(billing["open_items"].as_array().unwrap().len(), 1);
    assert_eq!(billing["mandate"]["account"], "DE89 XXXX XXXX XXXX XX30 00");

    let document =
        |id: &Value, kind: &str| format!("/portal/invoices/{}/{kind}", id.as_str().unwrap());
    assert_eq!(
        s.app
            .get(&document(&own["id"], "pdf"), Some(&kim))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        s.app
            .get(&document(&own["id"], "xml"), Some(&kim))
            .await
            .status,
        StatusCode::OK
    );
    for kind in ["pdf", "xml"] {
        let other = s.app.get(&document(&foreign["id"], kind), Some(&kim)).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{kind}");
    }
    // staff functions stay closed
    let staff_list = s
        .app
        .call(
            "invoices/list",
            Some(&kim),
            json!({ "filter": {}, "page": page()["page"] }),
        )
        .await;
    assert_eq!(staff_list.status, StatusCode::FORBIDDEN);

    // the technical caretaker sees no money matters
    let invitation = invite(
        &s.app,
        &staff,
        mueller,
        "tech@mueller.example",
        "customer_technical",
    )
    .await;
    let link = invitation.json()["link"].as_str().unwrap().to_owned();
    accept(&s.app, &link).await;
    let tech = s
        .app
        .login_form("tech@mueller.example", PORTAL_PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    assert_eq!(
        s.app
            .call("portal/invoices", Some(&tech), page())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.app
            .call("portal/billing", Some(&tech), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.app
            .get(&document(&own["id"], "pdf"), Some(&tech))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
