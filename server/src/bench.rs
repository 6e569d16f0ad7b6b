//! `kontor bench`: seeds a fresh database at a given scale and prints figures, each next to
//! a baseline measured in the same run (machines are noisy; ratios travel better).

use crate::config::Config;
use crate::startup::{router, SESSION_COOKIE};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tower::ServiceExt;
use uuid::Uuid;

static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts the statements sqlx runs (its `sqlx::query` events), for "statements per page".
pub struct StatementCounter;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn on_event(
        &self,
        _event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn statements_so_far() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

pub struct BenchOptions {
    pub users: u32,
    pub customers: u32,
    pub seconds: u64,
    pub concurrency: usize,
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Seeds one tenant with `users` members, set-based; returns (tenant, admin session token, API token).
async fn seed(pool: &PgPool, users: u32) -> anyhow::Result<(Uuid, String, String)> {
    let tenant_id = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    sqlx::query("insert into tenants (id, slug, legal_name) values ($1, 'bench', 'Bench GmbH')")
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    let hash = app::auth::secrets::hash_password("bench-password-1")?;
    sqlx::query(
        "with new_users as (
             insert into users (id, email, display_name, password_hash)
             select gen_random_uuid(), 'user' || n || '@bench.test', 'Benutzer ' || n, $2
             from generate_series(1, $1) n
             returning id, email
         )
         insert into memberships (tenant_id, user_id, roles)
         select $3, id, case when email = 'user1@bench.test' then array['admin'] else array['staff'] end from new_users",
    )
    .bind(i32::try_from(users.max(1)).unwrap_or(1000))
    .bind(&hash)
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    let admin: Uuid = sqlx::query_scalar("select id from users where email = 'user1@bench.test'")
        .fetch_one(&mut *tx)
        .await?;
    let session =
        app::auth::repo::create_session(&mut tx, admin, Some(tenant_id), false, None, None).await?;
    let token = app::tokens::repo::create(
        &mut tx,
        tenant_id,
        "bench",
        &["users:read".to_owned()],
        Some(admin),
    )
    .await?;
    tx.commit().await?;
    Ok((tenant_id, session, token.token))
}

async fn time_requests(
    app: &axum::Router,
    make: impl Fn() -> Request<Body>,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = app.clone().oneshot(make()).await?;
        let status = response.status();
        axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        anyhow::ensure!(
            status == StatusCode::OK,
            "benchmark request answered {status}"
        );
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

/// Requests per second with `concurrency` callers for `seconds`.
async fn throughput(
    app: axum::Router,
    make: fn(&str) -> Request<Body>,
    arg: String,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (app, arg) = (app.clone(), arg.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                let response = app.clone().oneshot(make(&arg)).await?;
                anyhow::ensure!(
                    response.status() == StatusCode::OK,
                    "answered {}",
                    response.status()
                );
                axum::body::to_bytes(response.into_body(), usize::MAX).await?;
                done += 1;
            }
            Ok(done)
        }));
    }
    let mut total = 0u64;
    for task in tasks {
        total += task.await??;
    }
    // figures for people, not money: precision loss above 2^53 requests is irrelevant
    Ok(f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / started.elapsed().as_secs_f64())
}

/// Seeds customers set-based and compares with COPY of the same rows into a twin table
/// (same indexes); then times the customer list as the page calls it, with statements per call.
async fn customers(
    pool: &PgPool,
    app: &axum::Router,
    tenant: Uuid,
    session: &str,
    count: u32,
) -> anyhow::Result<()> {
    use sqlx::postgres::PgPoolCopyExt;
    let started = Instant::now();
    sqlx::query(
        "insert into customers (id, tenant_id, number, kind, company_name, email, billing_street, billing_postal_code,
                                billing_city, tags)
         select gen_random_uuid(), $1, 'K-' || lpad(n::text, 6, '0'), 'company',
                (array['Bäckerei', 'Autohaus', 'Praxis', 'Hotel', 'Verein', 'Kanzlei'])[1 + n % 6] || ' '
                    || (array['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker'])[1 + n % 8]
                    || ' ' || n,
                'info' || n || '@kunde' || n || '.de', 'Hauptstraße ' || (n % 200), lpad((10000 + n % 89999)::text, 5, '0'),
                (array['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Dresden'])[1 + n % 6], array['Hosting']
         from generate_series(1, $2) n",
    )
    .bind(tenant)
    .bind(i32::try_from(count).unwrap_or(100_000))
    .execute(pool)
    .await?;
    let insert_time = started.elapsed();
    sqlx::query("create table bench_customers_copy (like customers including all)")
        .execute(pool)
        .await?;
    let mut csv = Vec::new();
    let mut out = pool
        .copy_out_raw(&format!(
            "copy (select id, tenant_id, number, kind, company_name, email, billing_street, billing_postal_code, billing_city, tags
                   from customers where tenant_id = '{tenant}') to stdout"
        ))
        .await?;
    while let Some(chunk) = futures_util::StreamExt::next(&mut out).await {
        csv.extend_from_slice(&chunk?);
    }
    let started = Instant::now();
    let mut copy = pool
        .copy_in_raw(
            "copy bench_customers_copy (id, tenant_id, number, kind, company_name, email, billing_street, billing_postal_code,
                                        billing_city, tags) from stdin",
        )
        .await?;
    copy.send(csv.as_slice()).await?;
    copy.finish().await?;
    let copy_time = started.elapsed();
    sqlx::query("drop table bench_customers_copy")
        .execute(pool)
        .await?;
    // what autovacuum does shortly after a bulk load; without statistics the planner guesses
    sqlx::query("analyze customers").execute(pool).await?;
    println!(
        "seeded {count} customers set-based in {} ms; COPY of the same rows {} ms; ratio {:.2}",
        insert_time.as_millis(),
        copy_time.as_millis(),
        insert_time.as_secs_f64() / copy_time.as_secs_f64().max(1e-9)
    );

    let searches = [
        "",
        "müller",
        "hotel weber",
        "berlin",
        "K-0421",
        "kanzlei meyer 77",
        "dresden",
        "xyzzy",
    ];
    for (label, terms) in [
        ("first page, by name", &searches[..1]),
        ("search", &searches[1..]),
    ] {
        let mut times = Vec::new();
        let before = statements_so_far();
        let mut calls = 0u64;
        for round in 0..25 {
            for term in terms {
                let body = serde_json::json!({
                    "filter": { "kind": null, "tag": "", "include_archived": false },
                    "page": { "page": 1 + round % 3, "per_page": 25, "sort": "", "descending": false, "search": term },
                });
                let request = Request::post("/sf/customers/list")
                    .header(header::HOST, "localhost")
                    .header(header::ORIGIN, "http://localhost")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::COOKIE, format!("{SESSION_COOKIE}={session}"))
                    .body(Body::from(body.to_string()))
                    .unwrap_or_default();
                let started = Instant::now();
                let response = app.clone().oneshot(request).await?;
                let status = response.status();
                axum::body::to_bytes(response.into_body(), usize::MAX).await?;
                anyhow::ensure!(status == StatusCode::OK, "customer list answered {status}");
                times.push(started.elapsed());
                calls += 1;
            }
        }
        times.sort();
        println!(
            "customer list ({label}) over {count} customers: p50 {}  p95 {}  {:.1} SQL statements per call (incl. session)",
            ms(percentile(&times, 50)),
            ms(percentile(&times, 95)),
            f64::from(u32::try_from(statements_so_far() - before).unwrap_or(0)) / f64::from(u32::try_from(calls).unwrap_or(1))
        );
    }
    Ok(())
}

fn list_request(token: &str) -> Request<Body> {
    Request::get("/api/v1/users?limit=50")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap_or_default()
}

fn bare_request(_: &str) -> Request<Body> {
    Request::get("/bare")
        .body(Body::empty())
        .unwrap_or_default()
}

fn compressed_size(path: &std::path::Path, program: &str, args: &[&str]) -> Option<usize> {
    let output = std::process::Command::new(program)
        .args(args)
        .arg(path)
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout.len())
}

pub async fn run(pool: PgPool, config: Config, options: BenchOptions) -> anyhow::Result<()> {
    crate::db::migrate(&pool).await?;
    let seed_started = Instant::now();
    let (tenant, session, token) = seed(&pool, options.users).await?;
    println!(
        "seeded 1 tenant with {} users in {}",
        options.users,
        ms(seed_started.elapsed())
    );

    let app = router(pool.clone(), config.clone());
    let page = |path: &'static str, cookie: Option<String>| {
        move || {
            let mut request = Request::get(path).header(header::ACCEPT, "text/html");
            if let Some(cookie) = &cookie {
                request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={cookie}"));
            }
            request.body(Body::empty()).unwrap_or_default()
        }
    };
    time_requests(&app, page("/login", None), 20).await?; // warm-up
    let login = time_requests(&app, page("/login", None), 200).await?;
    let users = time_requests(&app, page("/users", Some(session.clone())), 200).await?;
    println!(
        "SSR /login                 p50 {}  p95 {}",
        ms(percentile(&login, 50)),
        ms(percentile(&login, 95))
    );
    println!(
        "SSR /users (authenticated) p50 {}  p95 {}",
        ms(percentile(&users, 50)),
        ms(percentile(&users, 95))
    );

    // the baseline runs the same query and JSON without middleware, token check or scope
    let bare_pool = pool.clone();
    let bare = axum::Router::new().route(
        "/bare",
        axum::routing::get(move || {
            let pool = bare_pool.clone();
            async move {
                axum::Json(
                    crate::rest::users::page(&pool, tenant, None, 50)
                        .await
                        .unwrap_or_default(),
                )
            }
        }),
    );
    let api = throughput(
        app.clone(),
        list_request,
        token,
        options.seconds,
        options.concurrency,
    )
    .await?;
    let baseline = throughput(
        bare,
        bare_request,
        String::new(),
        options.seconds,
        options.concurrency,
    )
    .await?;
    println!(
        "GET /api/v1/users?limit=50  {api:.0} req/s; bare axum handler, same query and JSON {baseline:.0} req/s; share {:.0} %",
        100.0 * api / baseline.max(1.0)
    );

    customers(&pool, &app, tenant, &session, options.customers).await?;

    let wasm = config.site_root.join("pkg/kontor_bg.wasm");
    match std::fs::metadata(&wasm) {
        Ok(meta) => {
            let kb = |n: Option<usize>| {
                n.map(|n| {
                    format!(
                        "{:.0} KB",
                        f64::from(u32::try_from(n).unwrap_or(u32::MAX)) / 1024.0
                    )
                })
                .unwrap_or_else(|| "n/a".to_owned())
            };
            println!(
                "WASM {}: raw {}, gzip -9 {}, brotli {}",
                wasm.display(),
                kb(usize::try_from(meta.len()).ok()),
                kb(compressed_size(&wasm, "gzip", &["-9", "-c"])),
                kb(compressed_size(&wasm, "brotli", &["-c", "-q", "11"])),
            );
        }
        Err(_) => println!(
            "WASM: {} not found (run scripts/build first)",
            wasm.display()
        ),
    }
    Ok(())
}
