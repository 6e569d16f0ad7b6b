//! Service checks against real services (see check_servers.rs): each protocol's probe,
//! failures (closed port, timeout, wrong status, untrusted or expired certificates), the
//! job with two runners, alerts, "check now", validation, permissions and the REST API.

use crate::check_servers::{self as servers, Http};
use crate::support::{api, TestApp};
use app::checks::{CheckKind, ProbeOutcome, ProbeTarget, Problem, TlsMode};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::checks::{probe, run_due, run_job};
use std::sync::atomic::Ordering;
use uuid::Uuid;

fn target(kind: CheckKind, port: u16, tls_mode: TlsMode) -> ProbeTarget {
    ProbeTarget {
        kind,
        host: "127.0.0.1".to_owned(),
        port,
        tls_mode,
        path: "/".to_owned(),
        expected_status_min: 200,
        expected_status_max: 399,
        accept_untrusted: false,
        timeout_seconds: 5,
    }
}

fn accepting(target: ProbeTarget) -> ProbeTarget {
    ProbeTarget {
        accept_untrusted: true,
        ..target
    }
}

#[track_caller]
fn assert_up(outcome: &ProbeOutcome) {
    assert!(outcome.ok(), "expected up: {outcome:?}");
}

#[track_caller]
fn assert_problem(outcome: &ProbeOutcome, problem: Problem, words: &str) {
    assert_eq!(outcome.problem, Some(problem), "{outcome:?}");
    assert!(outcome.detail.contains(words), "{outcome:?}");
}

#[tokio::test]
async fn http_checks_report_status_code_and_expected_range() {
    let http = servers::http().await;
    let plain = target(CheckKind::Http, http.port, TlsMode::None);
    let up = probe(plain.clone()).await;
    assert_up(&up);
    assert_eq!(
        (up.status_code, up.detail.as_str()),
        (Some(200), "HTTP 200 OK")
    );
    assert_eq!(up.cert_expires_at, None);

    http.status.store(503, Ordering::SeqCst);
    let down = probe(plain.clone()).await;
    assert_problem(
        &down,
        Problem::HttpStatus,
        "HTTP 503 Service Unavailable (expected 200–399)",
    );
    assert_eq!(down.status_code, Some(503));

    let tolerant = ProbeTarget {
        expected_status_max: 503,
        ..plain
    };
    assert_up(&probe(tolerant).await);
}

#[tokio::test]
async fn a_closed_port_a_silent_service_and_a_slow_page_fail_clearly() {
    let closed = probe(target(
        CheckKind::Http,
        servers::closed_port(),
        TlsMode::None,
    ))
    .await;
    assert_problem(
        &closed,
        Problem::Refused,
        "connection refused by 127.0.0.1:",
    );

    let silent = ProbeTarget {
        timeout_seconds: 1,
        ..target(CheckKind::Imap, servers::silent().await, TlsMode::Starttls)
    };
    let silent = probe(silent).await;
    assert_problem(&silent, Problem::Timeout, "no complete answer within 1 s");
    assert!(silent.response_ms >= 1000, "{silent:?}");

    let http = servers::http().await;
    let slow = ProbeTarget {
        path: "/slow".to_owned(),
        timeout_seconds: 1,
        ..target(CheckKind::Http, http.port, TlsMode::None)
    };
    assert_problem(&probe(slow).await, Problem::Timeout, "1 s");
}

#[tokio::test]
async fn https_certificates_are_read_even_when_not_trusted() {
    let (port, not_after) = servers::https(60).await;
    let https = target(CheckKind::Http, port, TlsMode::Implicit);
    let untrusted = probe(https.clone()).await;
    assert_problem(&untrusted, Problem::Untrusted, "unknown authority");
    assert_eq!(untrusted.cert_expires_at, Some(not_after));
    assert_eq!(untrusted.status_code, Some(200));

    let accepted = probe(accepting(https)).await;
    assert_up(&accepted);
    assert!(
        accepted
            .detail
            .starts_with("HTTP 200 OK; certificate CN=localhost valid until"),
        "{accepted:?}"
    );
    assert_eq!(accepted.cert_expires_at, Some(not_after));

    let bare = probe(accepting(target(CheckKind::Tls, port, TlsMode::Implicit))).await;
    assert_up(&bare);
    assert!(bare.detail.starts_with("TLS 1.3 handshake"), "{bare:?}");

    // an expired certificate fails even where untrusted ones are accepted
    let (expired_port, expired_on) = servers::https(-2).await;
    let expired = probe(accepting(target(
        CheckKind::Http,
        expired_port,
        TlsMode::Implicit,
    )))
    .await;
    assert_problem(&expired, Problem::CertExpired, "expired on");
    assert_eq!(expired.cert_expires_at, Some(expired_on));
}

#[tokio::test]
async fn mail_services_greet_and_upgrade_with_starttls() {
    let (smtp, smtp_cert) = servers::smtp();
    let dovecot = servers::dovecot();

    let mail = probe(accepting(target(CheckKind::Smtp, smtp, TlsMode::Starttls))).await;
    assert_up(&mail);
    assert!(mail.detail.starts_with("220 "), "{mail:?}");
    assert_eq!(mail.cert_expires_at, Some(smtp_cert));
    // STARTTLS certificates are judged like any other
    let strict = probe(target(CheckKind::Smtp, smtp, TlsMode::Starttls)).await;
    assert_problem(&strict, Problem::Untrusted, "unknown authority");
    assert_up(&probe(target(CheckKind::Smtp, smtp, TlsMode::None)).await);

    let imap = probe(accepting(target(
        CheckKind::Imap,
        dovecot.imap,
        TlsMode::Starttls,
    )))
    .await;
    assert_up(&imap);
    assert!(imap.detail.starts_with("* OK"), "{imap:?}");
    assert_eq!(imap.cert_expires_at, Some(dovecot.not_after));
    assert_up(&probe(target(CheckKind::Imap, dovecot.imap, TlsMode::None)).await);

    let pop3 = probe(accepting(target(
        CheckKind::Pop3,
        dovecot.pop3,
        TlsMode::Starttls,
    )))
    .await;
    assert_up(&pop3);
    assert!(pop3.detail.starts_with("+OK"), "{pop3:?}");
    assert_eq!(pop3.cert_expires_at, Some(dovecot.not_after));

    // the wrong protocol on a port is an unexpected answer, not "up"
    let wrong = probe(target(CheckKind::Smtp, dovecot.pop3, TlsMode::None)).await;
    assert_problem(&wrong, Problem::Protocol, "+OK");
}

#[tokio::test]
async fn ftp_greets_and_offers_auth_tls() {
    let (port, not_after) = servers::vsftpd();
    let plain = probe(target(CheckKind::Ftp, port, TlsMode::None)).await;
    assert_up(&plain);
    assert_eq!(plain.detail, "220 Kontor test FTP");
    let secure = probe(accepting(target(CheckKind::Ftp, port, TlsMode::Starttls))).await;
    assert_up(&secure);
    assert_eq!(secure.cert_expires_at, Some(not_after));
}

#[tokio::test]
async fn database_servers_answer_their_handshakes() {
    let mariadb = probe(target(CheckKind::Mysql, servers::mariadb(), TlsMode::None)).await;
    assert_up(&mariadb);
    assert!(mariadb.detail.starts_with("MariaDB 10."), "{mariadb:?}");

    let app = TestApp::new().await;
    let port = servers::postgres(&app.pool).await;
    let postgres = probe(target(CheckKind::Postgres, port, TlsMode::None)).await;
    assert_up(&postgres);
    assert!(postgres.detail.starts_with("PostgreSQL"), "{postgres:?}");
    let ssl: String = sqlx::query_scalar("show ssl")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let secure = probe(accepting(target(
        CheckKind::Postgres,
        port,
        TlsMode::Starttls,
    )))
    .await;
    if ssl == "on" {
        assert_up(&secure);
    } else {
        assert_problem(&secure, Problem::NoTls, "SSLRequest");
    }
}

/// A tenant with a logged-in admin and the agency's own server.
async fn setup(app: &TestApp, slug: &str) -> (Uuid, String, Uuid) {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    let cookie = app.login(&email).await;
    let server = Uuid::new_v4();
    sqlx::query("insert into servers (id, tenant_id, hostname) values ($1, $2, $3)")
        .bind(server)
        .bind(tenant)
        .bind(format!("web1.{slug}.example"))
        .execute(&app.pool)
        .await
        .unwrap();
    (tenant, cookie, server)
}

/// A check input for the server, connecting to 127.0.0.1.
fn input(server: Uuid, name: &str, kind: &str, port: u16, tls_mode: &str) -> Value {
    json!({ "server_id": server, "name": name, "kind": kind, "host": "127.0.0.1", "port": port,
            "tls_mode": tls_mode, "interval_seconds": 60, "timeout_seconds": 5 })
}

async fn create(app: &TestApp, cookie: &str, input: Value) -> Uuid {
    let reply = app
        .call("checks/create", Some(cookie), json!({ "input": input }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_str().unwrap().parse().unwrap()
}

async fn make_due(app: &TestApp) {
    sqlx::query("update service_checks set next_run_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
}

/// Notification titles per user e-mail, in creation order.
async fn notifications(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "select u.email, n.title, n.link from notifications n join users u on u.id = n.user_id
         where n.kind = 'service_check' order by n.created_at, u.email",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn checks_are_validated_at_their_fields() {
    let app = TestApp::new().await;
    let (_, cookie, server) = setup(&app, "acme").await;
    let bad = json!({ "name": "", "kind": "ftp", "host": "no host!", "port": 70000, "tls_mode": "implicit",
                      "interval_seconds": 30, "timeout_seconds": 0 });
    let reply = app
        .call("checks/create", Some(&cookie), json!({ "input": bad }))
        .await;
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "host",
            "interval_seconds",
            "name",
            "port",
            "target",
            "timeout_seconds",
            "tls_mode"
        ]
    );
    let http = json!({ "server_id": server, "name": "Web", "kind": "http", "path": "index.html",
                       "expected_status_min": 400, "expected_status_max": 200 });
    let reply = app
        .call("checks/create", Some(&cookie), json!({ "input": http }))
        .await;
    assert_eq!(reply.fields(), ["path", "expected_status_max"]);

    // another tenant's server is no target here
    let (_, other_cookie, _) = setup(&app, "other").await;
    let reply = app
        .call(
            "checks/create",
            Some(&other_cookie),
            json!({ "input": input(server, "Web", "http", 80, "none") }),
        )
        .await;
    assert_eq!(reply.fields(), ["target"]);

    // a check without host and port connects to the target on the kind's usual port
    let id = create(
        &app,
        &cookie,
        json!({ "server_id": server, "name": "Mail", "kind": "imap", "tls_mode": "implicit" }),
    )
    .await;
    let check = app
        .call("checks/load", Some(&cookie), json!({ "id": id }))
        .await
        .json();
    assert_eq!(check["effective_host"], "web1.acme.example");
    assert_eq!(check["data"]["port"], 993);
    assert_eq!(check["state"]["status"], "unknown");
    assert_eq!(
        app.audit_actions(check_tenant(&app, id).await)
            .await
            .last()
            .unwrap(),
        "service_check.created"
    );
}

async fn check_tenant(app: &TestApp, id: Uuid) -> Uuid {
    sqlx::query_scalar("select tenant_id from service_checks where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_runners_never_run_a_check_twice() {
    let app = TestApp::new().await;
    let (tenant, _, server) = setup(&app, "acme").await;
    let http = servers::http().await;
    sqlx::query(
        "insert into service_checks (id, tenant_id, server_id, name, kind, host, port)
         select gen_random_uuid(), $1, $2, 'Web ' || n, 'http', '127.0.0.1', $3 from generate_series(1, 30) n",
    )
    .bind(tenant)
    .bind(server)
    .bind(i32::from(http.port))
    .execute(&app.pool)
    .await
    .unwrap();
    let (a, b) = tokio::join!(run_due(&app.pool), run_due(&app.pool));
    assert_eq!(a.unwrap() + b.unwrap(), 30);
    let per_check: Vec<i64> = sqlx::query_scalar(
        "select count(r.check_id) from service_checks c left join service_check_results r on r.check_id = c.id group by c.id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(per_check, vec![1; 30]);
    // nothing is due again before its interval
    assert_eq!(run_due(&app.pool).await.unwrap(), 0);
    let up: i64 = sqlx::query_scalar(
        "select count(*) from service_checks where last_ok and last_status_code = 200",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(up, 30);
}

#[tokio::test]
async fn two_failures_in_a_row_alert_once_per_outage() {
    let app = TestApp::new().await;
    let (tenant, cookie, server) = setup(&app, "acme").await;
    let support = app.user(tenant, "sam@acme.de", &["support"]).await;
    sqlx::query("update users set language = 'en' where id = $1")
        .bind(support)
        .execute(&app.pool)
        .await
        .unwrap();
    app.user(tenant, "kunde@example.de", &["customer_owner"])
        .await;
    let Http { port, status } = servers::http().await;
    let id = create(&app, &cookie, input(server, "Shop", "http", port, "none")).await;
    let run = || async {
        make_due(&app).await;
        run_due(&app.pool).await.unwrap();
    };

    status.store(500, Ordering::SeqCst);
    run().await;
    assert!(
        notifications(&app).await.is_empty(),
        "one failure is no outage yet"
    );
    run().await;
    let sent = notifications(&app).await;
    assert_eq!(
        sent,
        [
            (
                "admin@acme.de".to_owned(),
                "Check „Shop“ schlägt fehl".to_owned(),
                format!("/checks/{id}")
            ),
            (
                "sam@acme.de".to_owned(),
                "Check “Shop” is failing".to_owned(),
                format!("/checks/{id}")
            ),
        ]
    );
    let body: String = sqlx::query_scalar("select body from notifications where user_id = $1")
        .bind(support)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        body,
        "Unexpected HTTP status: HTTP 500 Internal Server Error (expected 200–399)"
    );
    run().await;
    assert_eq!(notifications(&app).await.len(), 2, "still the same outage");

    status.store(200, Ordering::SeqCst);
    run().await;
    let failures: i32 = sqlx::query_scalar("select consecutive_failures from service_checks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(failures, 0);

    status.store(502, Ordering::SeqCst);
    run().await;
    run().await;
    assert_eq!(
        notifications(&app).await.len(),
        4,
        "a new outage alerts again"
    );
}

#[tokio::test]
async fn a_certificate_near_its_expiry_alerts_once() {
    let app = TestApp::new().await;
    let (_, cookie, server) = setup(&app, "acme").await;
    let (port, _) = servers::https(5).await;
    let mut check = input(server, "Shop TLS", "http", port, "implicit");
    check["accept_untrusted"] = json!(true);
    let id = create(&app, &cookie, check).await;
    for _ in 0..2 {
        make_due(&app).await;
        run_due(&app.pool).await.unwrap();
    }
    let sent = notifications(&app).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].1.starts_with("Zertifikat von „Shop TLS“ läuft am "),
        "{sent:?}"
    );
    let loaded = app
        .call("checks/load", Some(&cookie), json!({ "id": id }))
        .await
        .json();
    assert_eq!(loaded["state"]["status"], "up");
    let days = loaded["state"]["cert_days_left"].as_i64().unwrap();
    assert!((4..=5).contains(&days), "{loaded}");
}

#[tokio::test]
async fn check_now_records_a_result_and_the_overview_shows_it() {
    let app = TestApp::new().await;
    let (_, cookie, server) = setup(&app, "acme").await;
    let http = servers::http().await;
    let web = create(
        &app,
        &cookie,
        input(server, "Website", "http", http.port, "none"),
    )
    .await;
    let db = create(
        &app,
        &cookie,
        input(server, "Datenbank", "mysql", servers::closed_port(), "none"),
    )
    .await;

    let ran = app
        .call("checks/run", Some(&cookie), json!({ "id": web }))
        .await;
    assert_eq!((ran.status, ran.json()), (StatusCode::OK, json!(true)));
    let ran = app
        .call("checks/run", Some(&cookie), json!({ "id": db }))
        .await;
    assert_eq!(ran.json(), json!(false));

    let page =
        json!({ "page": 1, "per_page": 25, "sort": "name", "descending": false, "search": "" });
    let list = |status: Value| {
        let page = page.clone();
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.call(
                "checks/list",
                Some(&cookie),
                json!({ "filter": { "status": status }, "page": page }),
            )
            .await
            .json()
        }
    };
    let all = list(Value::Null).await;
    assert_eq!(all["total"], 2);
    let first = &all["items"][0];
    assert_eq!(
        (first["name"].as_str(), first["state"]["status"].as_str()),
        (Some("Datenbank"), Some("down"))
    );
    assert_eq!(first["state"]["last_problem"], "refused");
    // PostgreSQL's numeric zero carries no scale
    assert_eq!(first["state"]["uptime_24h"], "0", "{first}");
    let second = &all["items"][1];
    assert_eq!(
        (
            second["state"]["status"].as_str(),
            second["state"]["uptime_30d"].as_str()
        ),
        (Some("up"), Some("100.00"))
    );
    assert_eq!(second["state"]["last_status_code"], 200);
    let down = list(json!("down")).await;
    assert_eq!(
        (down["total"].as_i64(), down["items"][0]["name"].as_str()),
        (Some(1), Some("Datenbank"))
    );

    let history = app
        .call(
            "checks/results",
            Some(&cookie),
            json!({ "id": web, "page": page }),
        )
        .await
        .json();
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["ok"], true);
    assert_eq!(history["items"][0]["detail"], "HTTP 200 OK");
}

#[tokio::test]
async fn accountants_see_checks_but_neither_change_nor_run_them() {
    let app = TestApp::new().await;
    let (tenant, cookie, server) = setup(&app, "acme").await;
    let id = create(&app, &cookie, input(server, "Web", "http", 80, "none")).await;
    app.user(tenant, "anna@acme.de", &["accountant"]).await;
    let anna = app.login("anna@acme.de").await;
    let page = json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" });
    let list = app
        .call(
            "checks/list",
            Some(&anna),
            json!({ "filter": {}, "page": page }),
        )
        .await;
    assert_eq!(list.json()["total"], 1);
    for (endpoint, args) in [
        (
            "checks/create",
            json!({ "input": input(server, "Web 2", "http", 80, "none") }),
        ),
        (
            "checks/update",
            json!({ "id": id, "input": input(server, "Web", "http", 81, "none") }),
        ),
        ("checks/run", json!({ "id": id })),
    ] {
        assert_eq!(
            app.call(endpoint, Some(&anna), args).await.status,
            StatusCode::FORBIDDEN,
            "{endpoint}"
        );
    }
}

#[tokio::test]
async fn the_rest_api_creates_lists_changes_and_shows_history() {
    let app = TestApp::new().await;
    let (tenant, _, server) = setup(&app, "acme").await;
    let write = app
        .token(tenant, &["inventory:read", "inventory:write"])
        .await;
    let read = app.token(tenant, &["inventory:read"]).await;
    let body = input(server, "Mail", "smtp", 587, "starttls");
    let reply = app
        .send(api(
            "POST",
            "/api/v1/service-checks",
            &write,
            Some(body.clone()),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.send(api("POST", "/api/v1/service-checks", &read, Some(body)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let list = app
        .send(api(
            "GET",
            "/api/v1/service-checks?status=unknown&limit=10",
            &read,
            None,
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.json()["items"][0]["id"], id.as_str());
    let bad = app
        .send(api(
            "GET",
            "/api/v1/service-checks?status=sideways",
            &read,
            None,
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let path = format!("/api/v1/service-checks/{id}");
    let patch = app
        .send(api(
            "PATCH",
            &path,
            &write,
            Some(json!({ "enabled": false, "port": 25 })),
        ))
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.body);
    let shown = app.send(api("GET", &path, &read, None)).await.json();
    assert_eq!(
        (
            shown["data"]["enabled"].as_bool(),
            shown["data"]["port"].as_i64()
        ),
        (Some(false), Some(25))
    );
    let invalid = app
        .send(api("PATCH", &path, &write, Some(json!({ "port": 0 }))))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json()["errors"][0]["field"], "port");

    let history = app
        .send(api("GET", &format!("{path}/results"), &read, None))
        .await;
    assert_eq!(
        (history.status, history.json()["total"].as_i64()),
        (StatusCode::OK, Some(0))
    );
    let elsewhere = app
        .send(api(
            "GET",
            &format!("/api/v1/service-checks/{}/results", Uuid::new_v4()),
            &read,
            None,
        ))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let docs = app
        .send(api("GET", "/api/v1/openapi.json", &read, None))
        .await
        .json();
    assert!(docs["paths"]["/service-checks/{id}/results"]["get"].is_object());
    assert!(docs["components"]["schemas"]["ServiceCheckInput"].is_object());
}

#[tokio::test]
async fn history_older_than_ninety_days_is_pruned() {
    let app = TestApp::new().await;
    let (_, cookie, server) = setup(&app, "acme").await;
    let id = create(&app, &cookie, input(server, "Web", "http", 80, "none")).await;
    sqlx::query("update service_checks set enabled = false where id = $1;")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "insert into service_check_results (check_id, checked_at, ok) values ($1, now() - interval '91 days', true), ($1, now() - interval '89 days', false)",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    run_job(&app.pool).await.unwrap();
    let left: Vec<bool> = sqlx::query_scalar("select ok from service_check_results")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, [false]);
}

#[tokio::test]
async fn the_pages_render_status_as_words_without_javascript() {
    let app = TestApp::new().await;
    let (_, cookie, server) = setup(&app, "acme").await;
    let id = create(
        &app,
        &cookie,
        input(server, "Website", "http", servers::closed_port(), "none"),
    )
    .await;
    app.call("checks/run", Some(&cookie), json!({ "id": id }))
        .await;
    for (path, words) in [
        (
            "/checks".to_owned(),
            ["Dienste-Checks", "Website", "gestört"],
        ),
        (
            format!("/checks/{id}"),
            ["Jetzt prüfen", "Verbindung abgelehnt", "Verlauf"],
        ),
        (
            format!("/servers/{server}"),
            ["Dienste-Checks", "Website", "Neuer Check"],
        ),
    ] {
        let page = app.get(&path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for word in words {
            assert!(page.body.contains(word), "{path} lacks {word}");
        }
    }
}
