//! Test support: one PostgreSQL for the test run (DATABASE_URL, or a private cluster in
//! target/test-postgres), a migrated template, and a fresh database cloned from it per test.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use server::config::Config;
use server::db::embedded::Cluster;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use std::sync::OnceLock;
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
const TEMPLATE: &str = "kontor_test_template";

fn server_options() -> &'static PgConnectOptions {
    static OPTIONS: OnceLock<PgConnectOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let options = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(url) => server::db::options_from_url(&url).unwrap(),
            None => {
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/test-postgres");
                let cluster = Cluster::new(&dir).unwrap();
                cluster.start().unwrap();
                cluster.connect_options("postgres")
            }
        };
        // the template is built once, on its own runtime, before any test clones it
        let template_options = options.clone();
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(async move {
                    let admin = PgPool::connect_with(template_options.clone().database("postgres"))
                        .await
                        .unwrap();
                    // earlier runs' per-test databases would otherwise pile up (gigabytes)
                    let leftovers: Vec<String> = sqlx::query_scalar(
                        "select datname from pg_database where datname like 't\\_%'",
                    )
                    .fetch_all(&admin)
                    .await
                    .unwrap();
                    for name in leftovers.iter().chain([&TEMPLATE.to_owned()]) {
                        sqlx::query(&format!("drop database if exists {name} with (force)"))
                            .execute(&admin)
                            .await
                            .unwrap();
                    }
                    sqlx::query(&format!("create database {TEMPLATE}"))
                        .execute(&admin)
                        .await
                        .unwrap();
                    let pool = PgPool::connect_with(template_options.database(TEMPLATE))
                        .await
                        .unwrap();
                    server::db::migrate(&pool).await.unwrap();
                    pool.close().await;
                })
        })
        .join()
        .unwrap();
        options
    })
}

/// Errors the server logs (database details) show up in the output of a failing test.
fn log_to_test_output() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("error")
            .with_test_writer()
            .try_init();
    });
}

/// A new, migrated, empty database for one test.
pub async fn fresh_pool() -> PgPool {
    log_to_test_output();
    let options = server_options().clone();
    let name = format!("t_{}", Uuid::new_v4().simple());
    let admin = PgPool::connect_with(options.clone().database("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("create database {name} template {TEMPLATE}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    PgPool::connect_with(options.database(&name)).await.unwrap()
}

pub fn config() -> Config {
    Config {
        database_url: None,
        data_dir: std::env::temp_dir(),
        addr: "127.0.0.1:3000".parse().unwrap(),
        public_url: "http://localhost".to_owned(),
        site_root: std::env::temp_dir(),
        smtp_url: None,
        mail_from: "kontor@localhost".to_owned(),
    }
}

pub struct TestApp {
    pub pool: PgPool,
    pub router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The fields a 422 answer names: a server function's `Validation` list or a REST
    /// problem's `errors`.
    pub fn fields(&self) -> Vec<String> {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            self.body
        );
        let body = self.json();
        body.get("errors")
            .or_else(|| body.get("Validation"))
            .and_then(|errors| errors.as_array())
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// The session cookie value set by this response, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("kontor_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
            .filter(|c| !c.is_empty())
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        let pool = fresh_pool().await;
        let router = server::startup::router(pool.clone(), config());
        TestApp { pool, router }
    }

    /// Sends one request; a request that hangs fails the test by name instead of the CI run.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let target = format!("{} {}", request.method(), request.uri());
        let answer = async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, headers, bytes)
        };
        let (status, headers, bytes) =
            tokio::time::timeout(std::time::Duration::from_secs(60), answer)
                .await
                .unwrap_or_else(|_| panic!("no answer to {target} within 60 s"));
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A browser-like POST from our own pages (Origin set), with the session cookie.
    pub fn post(
        path: &str,
        cookie: Option<&str>,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Request<Body> {
        let mut request = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::CONTENT_TYPE, content_type);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("kontor_session={cookie}"));
        }
        request.body(body.into()).unwrap()
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(header::HOST, "localhost");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("kontor_session={cookie}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function with a JSON body (`input = Json`).
    pub async fn call(
        &self,
        endpoint: &str,
        cookie: Option<&str>,
        args: serde_json::Value,
    ) -> Reply {
        self.send(Self::post(
            &format!("/sf/{endpoint}"),
            cookie,
            "application/json",
            args.to_string(),
        ))
        .await
    }

    /// Calls a server function that takes form-encoded arguments (the default encoding).
    pub async fn call_form(&self, endpoint: &str, cookie: Option<&str>, form: &str) -> Reply {
        self.send(Self::post(
            &format!("/sf/{endpoint}"),
            cookie,
            "application/x-www-form-urlencoded",
            form.to_owned(),
        ))
        .await
    }

    pub async fn login_form(&self, email: &str, password: &str) -> Reply {
        let body = format!(
            "email={}&password={}&next=%2F",
            urlencode(email),
            urlencode(password)
        );
        self.send(Self::post(
            "/auth/login",
            None,
            "application/x-www-form-urlencoded",
            body,
        ))
        .await
    }

    /// Logs in (password only; users made by `user` have no TOTP) and returns the cookie.
    pub async fn login(&self, email: &str) -> String {
        let reply = self.login_form(email, PASSWORD).await;
        assert_eq!(reply.location(), "/", "login of {email} failed");
        reply.session_cookie().unwrap()
    }

    pub async fn tenant(&self, slug: &str) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query("insert into tenants (id, slug, legal_name) values ($1, $2, $3)")
            .bind(id)
            .bind(slug)
            .bind(format!("{slug} GmbH"))
            .execute(&self.pool)
            .await
            .unwrap();
        id
    }

    /// A user with the password `PASSWORD` and the given roles in the tenant.
    pub async fn user(&self, tenant: Uuid, email: &str, roles: &[&str]) -> Uuid {
        let id = Uuid::new_v4();
        let hash = app::auth::secrets::hash_password(PASSWORD).unwrap();
        let kind = if roles.iter().any(|r| r.starts_with("customer")) {
            "customer"
        } else {
            "staff"
        };
        sqlx::query("insert into users (id, email, display_name, password_hash, kind) values ($1, $2, $2, $3, $4::user_kind)")
            .bind(id)
            .bind(email)
            .bind(hash)
            .bind(kind)
            .execute(&self.pool)
            .await
            .unwrap();
        sqlx::query("insert into memberships (tenant_id, user_id, roles) values ($1, $2, $3)")
            .bind(tenant)
            .bind(id)
            .bind(roles.iter().map(|r| r.to_string()).collect::<Vec<_>>())
            .execute(&self.pool)
            .await
            .unwrap();
        id
    }

    /// A company customer created through the customer form's server function.
    pub async fn customer(&self, cookie: &str, name: &str) -> Uuid {
        let reply = self
            .call(
                "customers/create",
                Some(cookie),
                serde_json::json!({ "input": { "kind": "company", "company_name": name }, "ignore_duplicates": true }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["created"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    pub async fn token(&self, tenant: Uuid, scopes: &[&str]) -> String {
        let mut conn = self.pool.acquire().await.unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        app::tokens::repo::create(&mut conn, tenant, "test", &scopes, None)
            .await
            .unwrap()
            .token
    }

    pub async fn audit_actions(&self, tenant: Uuid) -> Vec<String> {
        sqlx::query_scalar("select action from audit_log where tenant_id = $1 order by seq")
            .bind(tenant)
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }
}

pub fn urlencode(text: &str) -> String {
    server::startup::form_urlencoded_component(text).replace('/', "%2F")
}

/// A REST API request with a bearer token and, for writes, a JSON body and a fresh
/// idempotency key.
pub fn api(
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", Uuid::new_v4().to_string())
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}
