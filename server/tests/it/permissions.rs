//! Every role against every server function: allowed, or refused with 403; no session 401;
//! another tenant's admin can not touch this tenant's data.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;

/// (endpoint, JSON args or None for form-encoded without args, roles allowed)
fn matrix(
    target_user: &str,
) -> Vec<(
    &'static str,
    Option<serde_json::Value>,
    &'static [&'static str],
)> {
    let page = json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" });
    let settings = json!({ "settings": {
        "legal_name": "Muster GmbH", "street": "", "postal_code": "", "city": "", "country": "DE",
        "vat_id": "", "tax_number": "", "iban": "", "bic": "", "creditor_id": "", "time_zone": "Europe/Berlin",
        "currency": "EUR", "brand_primary": "#1d4e89", "brand_accent": "#b5530f", "logo_data_url": ""
    }});
    vec![
        (
            "users/list",
            Some(json!({ "page": page })),
            &["admin", "project_manager"],
        ),
        (
            "users/invite",
            Some(
                json!({ "input": { "email": "neu@example.de", "display_name": "Neu", "roles": ["staff"] } }),
            ),
            &["admin"],
        ),
        (
            "users/roles",
            Some(json!({ "user_id": target_user, "roles": ["staff", "support"] })),
            &["admin"],
        ),
        (
            "users/active",
            Some(json!({ "user_id": target_user, "active": true })),
            &["admin"],
        ),
        (
            "users/reset_2fa",
            Some(json!({ "user_id": target_user })),
            &["admin"],
        ),
        ("tenant/settings", None, &["admin"]),
        ("tenant/update", Some(settings), &["admin"]),
        (
            "audit/list",
            Some(
                json!({ "filter": { "action": "", "actor": "", "from": null, "to": null }, "page": page }),
            ),
            &["admin", "accountant"],
        ),
        ("audit/verify", None, &["admin", "accountant"]),
        ("tokens/list", None, &["admin"]),
        (
            "tokens/create",
            Some(json!({ "name": "ci", "scopes": ["users:read"] })),
            &["admin"],
        ),
        (
            "jobs/list",
            Some(json!({ "page": page.clone() })),
            &["admin"],
        ),
        (
            "customers/list",
            Some(
                json!({ "filter": { "kind": null, "tag": "", "include_archived": false }, "page": page }),
            ),
            &["admin", "accountant", "project_manager", "staff", "support"],
        ),
        (
            "customers/create",
            Some(
                json!({ "input": { "kind": "company", "company_name": "Matrix GmbH" }, "ignore_duplicates": false }),
            ),
            &["admin", "accountant", "project_manager"],
        ),
    ]
}

#[tokio::test]
async fn every_role_against_every_server_function() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    let target = app
        .user(tenant, "target@acme.de", &["staff"])
        .await
        .to_string();
    let roles = [
        "admin",
        "accountant",
        "project_manager",
        "staff",
        "support",
        "customer_owner",
    ];
    let mut cookies = Vec::new();
    for role in roles {
        let email = format!("{role}@acme.de");
        app.user(tenant, &email, &[role]).await;
        cookies.push((role, app.login(&email).await));
    }
    for (endpoint, args, allowed) in matrix(&target) {
        for (role, cookie) in &cookies {
            let reply = match &args {
                Some(args) => app.call(endpoint, Some(cookie), args.clone()).await,
                None => app.call_form(endpoint, Some(cookie), "").await,
            };
            if allowed.contains(role) {
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{role} → {endpoint}: {}",
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role} → {endpoint}: {}",
                    reply.body
                );
            }
        }
        let anonymous = match &args {
            Some(args) => app.call(endpoint, None, args.clone()).await,
            None => app.call_form(endpoint, None, "").await,
        };
        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "anonymous → {endpoint}"
        );
    }
}

#[tokio::test]
async fn another_tenants_admin_sees_and_changes_nothing_here() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let other = app.tenant("other").await;
    let victim = app.user(acme, "victim@acme.de", &["staff"]).await;
    app.user(other, "boss@other.de", &["admin"]).await;
    let cookie = app.login("boss@other.de").await;

    let reply = app
        .call(
            "users/active",
            Some(&cookie),
            json!({ "user_id": victim, "active": false }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = app
        .call(
            "users/roles",
            Some(&cookie),
            json!({ "user_id": victim, "roles": ["admin"] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let active: bool = sqlx::query_scalar("select active from memberships where user_id = $1")
        .bind(victim)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(active);

    let page = json!({ "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } });
    let list = app.call("users/list", Some(&cookie), page).await.json();
    let emails: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["boss@other.de"]);

    // switching into a tenant one does not belong to is refused
    let form = format!("tenant_id={acme}");
    let reply = app
        .send(TestApp::post(
            "/prefs/tenant",
            Some(&cookie),
            "application/x-www-form-urlencoded",
            form,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_pages_redirect_to_login_and_portal_users_to_the_portal() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "kunde@acme.de", &["customer_owner"]).await;
    let reply = app.get("/users?page=2", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=/users%3Fpage%3D2");
    let cookie = app.login("kunde@acme.de").await;
    assert_eq!(app.get("/users", Some(&cookie)).await.location(), "/portal");
}
