//! Login, second factor, sessions, throttling, CSRF and security headers.

use crate::support::{urlencode, TestApp, PASSWORD};
use app::auth::totp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use uuid::Uuid;

async fn enable_totp(app: &TestApp, user: Uuid) -> Vec<u8> {
    let secret = totp::new_secret();
    sqlx::query("update users set totp_secret = $2, totp_enabled_at = now() where id = $1")
        .bind(user)
        .bind(&secret)
        .execute(&app.pool)
        .await
        .unwrap();
    secret
}

fn code_now(secret: &[u8]) -> String {
    format!(
        "{:06}",
        totp::code_at_step(secret, chrono::Utc::now().timestamp() / totp::STEP_SECONDS)
    )
}

async fn second_factor(app: &TestApp, pending: &str, code: &str) -> crate::support::Reply {
    let body = format!("code={}&next=%2F", urlencode(code));
    app.send(TestApp::post(
        "/auth/2fa",
        Some(pending),
        "application/x-www-form-urlencoded",
        body,
    ))
    .await
}

#[tokio::test]
async fn wrong_password_says_so_and_keeps_the_email() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["admin"]).await;
    let reply = app.login_form("anna@acme.de", "wrong").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        reply
            .location()
            .starts_with("/login?error=credentials&email=anna%40acme.de"),
        "{}",
        reply.location()
    );
    assert!(reply.session_cookie().is_none());
    assert_eq!(app.audit_actions(tenant).await, vec!["auth.login_failed"]);
}

#[tokio::test]
async fn ten_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["admin"]).await;
    for _ in 0..10 {
        app.login_form("anna@acme.de", "wrong").await;
    }
    let reply = app.login_form("ANNA@acme.de", PASSWORD).await;
    assert!(
        reply
            .location()
            .starts_with("/login?error=throttled&minutes=15"),
        "{}",
        reply.location()
    );
    assert!(reply.session_cookie().is_none());
    // another account from the same address still gets in
    app.user(tenant, "bernd@acme.de", &["staff"]).await;
    app.login("bernd@acme.de").await;
}

#[tokio::test]
async fn totp_login_with_replay_protection_and_single_use_recovery_codes() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    let user = app.user(tenant, "anna@acme.de", &["admin"]).await;
    let secret = enable_totp(&app, user).await;
    let codes = app::auth::secrets::recovery_codes();
    let mut conn = app.pool.acquire().await.unwrap();
    app::auth::repo::replace_recovery_codes(&mut conn, user, &codes)
        .await
        .unwrap();
    drop(conn);

    let reply = app.login_form("anna@acme.de", PASSWORD).await;
    assert!(reply.location().starts_with("/login/2fa"));
    let pending = reply.session_cookie().unwrap();
    // a password-only session can do nothing else
    assert_eq!(
        app.call_form("tenant/settings", Some(&pending), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(app
        .get("/users", Some(&pending))
        .await
        .location()
        .starts_with("/login/2fa"));

    assert!(second_factor(&app, &pending, "000000")
        .await
        .location()
        .starts_with("/login/2fa?error=code"));
    let code = code_now(&secret);
    let reply = second_factor(&app, &pending, &code).await;
    assert_eq!(reply.location(), "/");
    let full = reply.session_cookie().unwrap();
    assert_ne!(
        full, pending,
        "the session token is replaced after the second factor"
    );
    assert_eq!(
        app.call_form("tenant/settings", Some(&full), "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call_form("tenant/settings", Some(&pending), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // the same code again (a replay) is refused
    let again = app
        .login_form("anna@acme.de", PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    assert!(second_factor(&app, &again, &code)
        .await
        .location()
        .contains("error=code"));
    // a recovery code works once, in any spelling
    let recovery = codes[3].to_lowercase().replace('-', " ");
    assert_eq!(second_factor(&app, &again, &recovery).await.location(), "/");
    let third = app
        .login_form("anna@acme.de", PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    assert!(second_factor(&app, &third, &codes[3])
        .await
        .location()
        .contains("error=code"));
    let actions = app.audit_actions(tenant).await;
    assert!(
        actions.contains(&"auth.login_recovery_code".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"auth.second_factor_failed".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn totp_enrolment_through_the_profile() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["staff"]).await;
    let cookie = app.login("anna@acme.de").await;
    let enrolment = app
        .call_form("auth/totp_start", Some(&cookie), "")
        .await
        .json();
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = data_encoding::BASE32_NOPAD
        .decode(enrolment["secret_base32"].as_str().unwrap().as_bytes())
        .unwrap();
    let wrong = app
        .call_form("auth/totp_confirm", Some(&cookie), "code=123456")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes = app
        .call_form(
            "auth/totp_confirm",
            Some(&cookie),
            &format!("code={}", code_now(&secret)),
        )
        .await
        .json();
    assert_eq!(codes.as_array().unwrap().len(), 10);
    // next login asks for the second factor
    assert!(app
        .login_form("anna@acme.de", PASSWORD)
        .await
        .location()
        .starts_with("/login/2fa"));
    assert!(app
        .audit_actions(tenant)
        .await
        .contains(&"auth.totp_enabled".to_owned()));
}

#[tokio::test]
async fn logout_and_logout_everywhere_end_sessions() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["admin"]).await;
    let laptop = app.login("anna@acme.de").await;
    let phone = app.login("anna@acme.de").await;
    let tablet = app.login("anna@acme.de").await;

    let reply = app
        .send(TestApp::post(
            "/auth/logout",
            Some(&tablet),
            "application/x-www-form-urlencoded",
            "",
        ))
        .await;
    assert_eq!(reply.location(), "/login");
    assert!(reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        app.call_form("tenant/settings", Some(&tablet), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let ended = app
        .call_form("auth/logout_everywhere", Some(&laptop), "")
        .await;
    assert_eq!(ended.body, "1");
    assert_eq!(
        app.call_form("tenant/settings", Some(&phone), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call_form("tenant/settings", Some(&laptop), "")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_change_checks_and_ends_other_sessions() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["staff"]).await;
    let here = app.login("anna@acme.de").await;
    let there = app.login("anna@acme.de").await;
    let short = app
        .call_form(
            "auth/password",
            Some(&here),
            &format!(
                "current={}&new_password=kurz&repeat=kurz",
                urlencode(PASSWORD)
            ),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("new_password"));
    let ok = app
        .call_form(
            "auth/password",
            Some(&here),
            &format!(
                "current={}&new_password=ein%20neues%20Passwort&repeat=ein%20neues%20Passwort",
                urlencode(PASSWORD)
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        app.call_form("auth/sessions", Some(&there), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_form("anna@acme.de", "ein neues Passwort")
            .await
            .location(),
        "/"
    );
}

#[tokio::test]
async fn invited_user_sets_a_password_once() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    let cookie = app.login("admin@acme.de").await;
    let invitation = app
        .call("users/invite", Some(&cookie), serde_json::json!({ "input": { "email": "Neu@Acme.de ", "display_name": "Nina Neu", "roles": ["support"] } }))
        .await
        .json();
    let link = invitation["link"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    let form = format!("token={token}&password=mein%20Passwort%201&repeat=mein%20Passwort%201");
    let reply = app
        .send(TestApp::post(
            "/auth/invitation",
            None,
            "application/x-www-form-urlencoded",
            form.clone(),
        ))
        .await;
    assert_eq!(reply.location(), "/login");
    assert_eq!(
        app.login_form("neu@acme.de", "mein Passwort 1")
            .await
            .location(),
        "/"
    );
    let again = app
        .send(TestApp::post(
            "/auth/invitation",
            None,
            "application/x-www-form-urlencoded",
            form,
        ))
        .await;
    assert!(again.location().ends_with("error=invitation"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "admin@acme.de", &["admin"]).await;
    let cookie = app.login("admin@acme.de").await;
    for (origin, fetch_site) in [
        (Some("https://evil.example"), None),
        (None, Some("cross-site")),
        (None, None),
    ] {
        let mut request = Request::post("/sf/tokens/create")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("kontor_session={cookie}"));
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        let body = Body::from(r#"{"name":"x","scopes":["users:read"]}"#);
        let reply = app.send(request.body(body).unwrap()).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{origin:?} {fetch_site:?}"
        );
    }
    let tokens: i64 = sqlx::query_scalar("select count(*) from api_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tokens, 0);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_fresh_nonce() {
    let app = TestApp::new().await;
    let first = app.get("/login", None).await;
    let second = app.get("/login", None).await;
    let csp = first
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("'wasm-unsafe-eval'")
            && !csp.contains("unsafe-inline")
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        first.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert_ne!(
        csp,
        second
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert_eq!(
        first.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    assert_eq!(
        first.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    // the login page is a plain form: it works without JavaScript
    assert!(first
        .body
        .contains(r#"<form method="post" action="/auth/login""#));
}
