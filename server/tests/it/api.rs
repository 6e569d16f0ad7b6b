//! REST API: tokens and scopes, problem+json, paging, idempotency keys, OpenAPI.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

fn api_get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

fn api_post(path: &str, token: &str, key: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn tokens_are_scoped_to_their_tenant_and_scopes() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let other = app.tenant("other").await;
    app.user(acme, "anna@acme.de", &["admin"]).await;
    app.user(other, "olga@other.de", &["admin"]).await;
    let reader = app.token(acme, &["users:read"]).await;
    let auditor = app.token(acme, &["audit:read"]).await;

    let me = app.send(api_get("/api/v1/me", Some(&reader))).await.json();
    assert_eq!(me["tenant"]["slug"], "acme");
    let users = app
        .send(api_get("/api/v1/users", Some(&reader)))
        .await
        .json();
    let emails: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["anna@acme.de"]);

    let forbidden = app.send(api_get("/api/v1/users", Some(&auditor))).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json"
    );
    let unknown = app
        .send(api_get("/api/v1/users", Some("kontor_nope")))
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.send(api_get("/api/v1/users", None)).await.status,
        StatusCode::UNAUTHORIZED
    );

    sqlx::query("update api_tokens set revoked_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.send(api_get("/api/v1/me", Some(&reader))).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn users_page_with_a_stable_cursor() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    for n in 0..5 {
        app.user(acme, &format!("u{n}@acme.de"), &["staff"]).await;
    }
    let token = app.token(acme, &["users:read"]).await;
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/users?limit=2".to_owned());
    while let Some(path) = next {
        let page = app.send(api_get(&path, Some(&token))).await.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        next = page["next"].as_str().map(str::to_owned);
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "u0@acme.de",
            "u1@acme.de",
            "u2@acme.de",
            "u3@acme.de",
            "u4@acme.de"
        ]
    );
    let bad = app
        .send(api_get("/api/v1/users?cursor=xyz", Some(&token)))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "cursor");
}

#[tokio::test]
async fn creating_a_user_is_idempotent_per_key_and_validates_fields() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let writer = app.token(acme, &["users:write"]).await;
    let body = r#"{"email":"nina@acme.de","display_name":"Nina","roles":["support"]}"#;
    let first = app
        .send(api_post("/api/v1/users", &writer, Some("k-1"), body))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = app
        .send(api_post("/api/v1/users", &writer, Some("k-1"), body))
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.json()["id"], second.json()["id"]);
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    let count: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);

    let other_body = r#"{"email":"otto@acme.de","display_name":"Otto","roles":["staff"]}"#;
    let reused = app
        .send(api_post("/api/v1/users", &writer, Some("k-1"), other_body))
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let invalid = app
        .send(api_post(
            "/api/v1/users",
            &writer,
            None,
            r#"{"email":"kaputt","display_name":"","roles":[]}"#,
        ))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = invalid.json();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "display_name", "roles"]);
    assert_eq!(problem["status"], 422);
}

#[tokio::test]
async fn openapi_describes_the_routes_and_docs_render() {
    let app = TestApp::new().await;
    let doc = app.send(api_get("/api/v1/openapi.json", None)).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/users"]["post"].is_object());
    let page = app.get("/api/docs", None).await;
    assert!(page.body.contains("/api/v1/users"));
}

#[tokio::test]
async fn token_create_through_the_ui_is_audited_and_shown_once() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.user(acme, "anna@acme.de", &["admin"]).await;
    let cookie = app.login("anna@acme.de").await;
    let bad = app
        .call(
            "tokens/create",
            Some(&cookie),
            serde_json::json!({ "name": "", "scopes": ["root"] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = app
        .call(
            "tokens/create",
            Some(&cookie),
            serde_json::json!({ "name": "Shop", "scopes": ["users:read"] }),
        )
        .await
        .json();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("kontor_"));
    let listed = app.call_form("tokens/list", Some(&cookie), "").await;
    assert!(
        !listed.body.contains(token),
        "the secret never appears again"
    );
    assert_eq!(
        app.send(api_get("/api/v1/me", Some(token))).await.status,
        StatusCode::OK
    );
    assert!(app
        .audit_actions(acme)
        .await
        .contains(&"api_token.created".to_owned()));
}
