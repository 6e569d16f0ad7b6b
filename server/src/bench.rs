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
    /// The parts to run; empty runs all.
    pub only: Vec<String>,
}

impl BenchOptions {
    fn runs(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|wanted| wanted == part)
    }
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
async fn seed(pool: &PgPool, slug: &str, users: u32) -> anyhow::Result<(Uuid, String, String)> {
    let tenant_id = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    sqlx::query("insert into tenants (id, slug, legal_name) values ($1, $2, $2 || ' GmbH')")
        .bind(tenant_id)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
    let hash = app::auth::secrets::hash_password("bench-password-1")?;
    sqlx::query(
        "with new_users as (
             insert into users (id, email, display_name, password_hash)
             select gen_random_uuid(), 'user' || n || '@' || $4 || '.test', 'Benutzer ' || n, $2
             from generate_series(1, $1) n
             returning id, email
         )
         insert into memberships (tenant_id, user_id, roles)
         select $3, id, case when email = 'user1@' || $4 || '.test' then array['admin'] else array['staff'] end from new_users",
    )
    .bind(i32::try_from(users.max(1)).unwrap_or(1000))
    .bind(&hash)
    .bind(tenant_id)
    .bind(slug)
    .execute(&mut *tx)
    .await?;
    let admin: Uuid =
        sqlx::query_scalar("select id from users where email = 'user1@' || $1 || '.test'")
            .bind(slug)
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

/// Projects at agency scale in a tenant of their own: 200 staff, 500 customers, 5,000
/// projects with three work packages each, 1,000,000 time entries over two years, two
/// assignments per person over the coming weeks; seeded set-based (COPY of the entries as
/// baseline), then the PM dashboard, a timesheet week and the resource heatmap timed as
/// their pages call them.
async fn projects(pool: &PgPool, app: &axum::Router) -> anyhow::Result<()> {
    let (tenant, session, _) = seed(pool, "bench-projects", 200).await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "insert into customers (id, tenant_id, number, kind, company_name)
         select gen_random_uuid(), $1, 'K-' || lpad(n::text, 6, '0'), 'company', 'Kunde ' || n
         from generate_series(1, 500) n",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "with k as (select array_agg(id order by number) a from customers where tenant_id = $1),
              u as (select array_agg(user_id order by user_id) a from memberships where tenant_id = $1)
         insert into projects (id, tenant_id, customer_id, number, name, billing_mode, status, manager_id,
                               starts_on, ends_on, budget_hours, budget_amount, hourly_rate, light)
         select gen_random_uuid(), $1, k.a[1 + n % 500], 'P-' || lpad(n::text, 5, '0'), 'Projekt ' || n,
                (array['time_and_material', 'fixed_price', 'retainer'])[1 + n % 3],
                case when n % 5 = 0 then 'done' else 'active' end, u.a[1 + n % 20],
                current_date - (n % 700), current_date - (n % 700) + 120, 150 + n % 300, 15000 + (n % 300) * 100, 100,
                (array['green', 'green', 'yellow', 'red'])[1 + n % 4]
         from generate_series(1, 5000) n, k, u",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into work_packages (id, tenant_id, project_id, position, name, planned_hours, planned_amount, progress)
         select gen_random_uuid(), $1, p.id, w, (array['Konzept', 'Umsetzung', 'Abnahme'])[w], 50, 5000, (w * 30) % 100
         from projects p, generate_series(1, 3) w where p.tenant_id = $1",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into assignments (id, tenant_id, user_id, project_id, starts_on, ends_on, hours_per_week)
         select gen_random_uuid(), $1, m.user_id, p.id, current_date + (i * 14), current_date + (i * 14) + 41, 12 + (i * 7) % 20
         from (select user_id, row_number() over (order by user_id) r from memberships where tenant_id = $1) m
         cross join generate_series(0, 1) i
         join lateral (select id from projects where tenant_id = $1 and status = 'active' order by number
                       offset (m.r * 3 + i) % 4000 limit 1) p on true",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let entries = "with u as (select array_agg(user_id order by user_id) a from memberships where tenant_id = $1),
                        p as (select array_agg(id order by number) a from projects where tenant_id = $1),
                        w as (select array_agg(w.id order by p.number, w.position) a
                              from work_packages w join projects p on p.id = w.project_id where p.tenant_id = $1)
                   select gen_random_uuid() as id, $1::uuid as tenant_id, u.a[1 + n % 200] as user_id,
                          p.a[1 + (n * 7) % 5000] as project_id, w.a[((n * 7) % 5000) * 3 + 1 + n % 3] as work_package_id,
                          current_date - (n % 730) as work_date, 30 + (n % 7) * 15 as minutes, n % 10 <> 0 as billable,
                          100.00 as rate, 45.00 as cost_rate, 'manual' as source
                   from generate_series(1, 1000000) n, u, p, w";
    let columns = "id, tenant_id, user_id, project_id, work_package_id, work_date, minutes, billable, rate, cost_rate, source";
    let insert_started = Instant::now();
    sqlx::query(&format!("insert into time_entries ({columns}) {entries}"))
        .bind(tenant)
        .execute(pool)
        .await?;
    let insert_time = insert_started.elapsed();
    sqlx::query("analyze").execute(pool).await?;
    let copy_time = copy_baseline(pool, "time_entries", columns, tenant).await?;
    println!(
        "projects: seeded 200 staff, 5,000 projects, 15,000 work packages, 1,000,000 time entries in {} (entries {} = {:.1}× COPY of the same rows, {})",
        ms(started.elapsed()),
        ms(insert_time),
        insert_time.as_secs_f64() / copy_time.as_secs_f64(),
        ms(copy_time)
    );
    let page = page_request(1, "", "");
    let page_by_customer = page_request(2, "customer", "");
    let searched = page_request(1, "", "Projekt 12");
    let dashboards = [
        serde_json::json!({ "filter": {}, "page": page }),
        serde_json::json!({ "filter": { "light": "red" }, "page": page }),
        serde_json::json!({ "filter": {}, "page": page_by_customer }),
        serde_json::json!({ "filter": {}, "page": searched }),
    ];
    time_list(
        app,
        &session,
        "projects/dashboard",
        "PM dashboard (25 projects, lights, milestones, team week)",
        &dashboards,
    )
    .await?;
    let weeks = [
        serde_json::json!({ "user_id": null, "monday": null }),
        serde_json::json!({ "user_id": null, "monday": "2026-06-01" }),
    ];
    time_list(
        app,
        &session,
        "time/week",
        "timesheet week (about 50 entries)",
        &weeks,
    )
    .await?;
    let plans = [serde_json::json!({ "from": null, "weeks": 12 })];
    time_list(
        app,
        &session,
        "resources/plan",
        "resource heatmap (200 people × 12 weeks)",
        &plans,
    )
    .await?;
    Ok(())
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

/// Copies the tenant's rows of `table` out and times `COPY` of them into an empty twin
/// table with the same indexes: the baseline for seeding the same rows set-based.
async fn copy_baseline(
    pool: &PgPool,
    table: &str,
    columns: &str,
    tenant: Uuid,
) -> anyhow::Result<Duration> {
    use sqlx::postgres::PgPoolCopyExt;
    let twin = format!("bench_{table}_copy");
    // no foreign keys on the twin: COPY into the real table would check them as the insert did
    sqlx::query(&format!("create table {twin} (like {table} including all)"))
        .execute(pool)
        .await?;
    let mut rows = Vec::new();
    let mut out = pool
        .copy_out_raw(&format!(
            "copy (select {columns} from {table} where tenant_id = '{tenant}') to stdout"
        ))
        .await?;
    while let Some(chunk) = futures_util::StreamExt::next(&mut out).await {
        rows.extend_from_slice(&chunk?);
    }
    let started = Instant::now();
    let mut copy = pool
        .copy_in_raw(&format!("copy {twin} ({columns}) from stdin"))
        .await?;
    copy.send(rows.as_slice()).await?;
    copy.finish().await?;
    let elapsed = started.elapsed();
    sqlx::query(&format!("drop table {twin}"))
        .execute(pool)
        .await?;
    // what autovacuum does shortly after a bulk load; without statistics the planner guesses
    sqlx::query(&format!("analyze {table}"))
        .execute(pool)
        .await?;
    Ok(elapsed)
}

/// Runs a set-based seeding statement, then prints its time against COPY of the same rows.
async fn seed_rows(
    pool: &PgPool,
    tenant: Uuid,
    what: &str,
    table: &str,
    columns: &str,
    insert: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let inserted = insert.execute(pool).await?.rows_affected();
    let insert_time = started.elapsed();
    let copy_time = copy_baseline(pool, table, columns, tenant).await?;
    println!(
        "seeded {inserted} {what} set-based in {} ms; COPY of the same rows {} ms; ratio {:.2}",
        insert_time.as_millis(),
        copy_time.as_millis(),
        insert_time.as_secs_f64() / copy_time.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Times a list server function as its page calls it: p50, p95 and SQL statements per call.
async fn time_list(
    app: &axum::Router,
    session: &str,
    endpoint: &str,
    label: &str,
    bodies: &[serde_json::Value],
) -> anyhow::Result<()> {
    let mut times = Vec::new();
    let before = statements_so_far();
    let mut calls = 0u64;
    for _ in 0..25 {
        for body in bodies {
            let request = Request::post(format!("/sf/{endpoint}"))
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
            anyhow::ensure!(status == StatusCode::OK, "{endpoint} answered {status}");
            times.push(started.elapsed());
            calls += 1;
        }
    }
    times.sort();
    println!(
        "{label}: p50 {}  p95 {}  {:.1} SQL statements per call (incl. session)",
        ms(percentile(&times, 50)),
        ms(percentile(&times, 95)),
        f64::from(u32::try_from(statements_so_far() - before).unwrap_or(0))
            / f64::from(u32::try_from(calls).unwrap_or(1))
    );
    Ok(())
}

fn page_request(page: u32, sort: &str, search: &str) -> serde_json::Value {
    serde_json::json!({ "page": page, "per_page": 25, "sort": sort, "descending": false, "search": search })
}

/// Customers, then three contracts and five domains per customer, each seeded set-based
/// against a COPY baseline; then the customer search and the contract list as pages call them.
async fn customers_and_contracts(
    pool: &PgPool,
    app: &axum::Router,
    tenant: Uuid,
    session: &str,
    count: u32,
) -> anyhow::Result<()> {
    let count = i32::try_from(count).unwrap_or(100_000);
    seed_rows(
        pool,
        tenant,
        "customers",
        "customers",
        "id, tenant_id, number, kind, company_name, email, billing_street, billing_postal_code, billing_city, tags",
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
        .bind(count),
    )
    .await?;
    seed_rows(
        pool,
        tenant,
        "contracts",
        "contracts",
        "id, tenant_id, customer_id, number, description, start_date, end_date, minimum_term_months, notice_amount, fee, fee_unit, billing_interval, billed_until",
        sqlx::query(
            "insert into contracts (id, tenant_id, customer_id, number, description, start_date, end_date, minimum_term_months,
                                    notice_amount, fee, fee_unit, billing_interval, billed_until)
             select gen_random_uuid(), $1, c.id, 'V-' || lpad((row_number() over ())::text, 7, '0'),
                    (array['Domain-Server Standard', 'Managed Server M', 'Spamfilter'])[k] || ' ' || c.number,
                    date '2020-01-01' + ((c.number_n * 7 + k * 113) % 2500),
                    case when (c.number_n + k) % 10 = 0 then date '2020-01-01' + ((c.number_n * 7 + k * 113) % 2500) + 400 end,
                    12, 3, (array[19.00, 89.00, 20.00])[k], (array['month', 'month', 'quarter'])[k],
                    (array['quarterly', 'monthly', 'yearly'])[k],
                    date '2020-01-01' + ((c.number_n * 7 + k * 113) % 2500) + 89
             from (select id, substr(number, 3)::int as number_n, number from customers where tenant_id = $1) c
             cross join generate_series(1, 3) k",
        )
        .bind(tenant),
    )
    .await?;
    seed_rows(
        pool,
        tenant,
        "domains",
        "domains",
        "id, tenant_id, customer_id, contract_id, name, ascii_name, tld, registrar, expires_on",
        // the first domain of each customer is billed by its first contract and registered
        // at InterNetX, the others are unbilled extras at two other registrars
        sqlx::query(
            "insert into domains (id, tenant_id, customer_id, contract_id, name, ascii_name, tld, registrar, expires_on)
             select gen_random_uuid(), $1, c.id, case when k = 1 then c.first_contract end, d.name, d.name, 'de',
                    (array['InterNetX', 'Key-Systems', 'INWX', 'INWX', 'Key-Systems'])[k],
                    current_date + ((c.n * 5 + k) % 400)
             from (select cu.id, substr(cu.number, 3)::int as n,
                          (select id from contracts ct where ct.customer_id = cu.id
                           order by ct.number limit 1) as first_contract
                   from customers cu where cu.tenant_id = $1) c
             cross join generate_series(1, 5) k
             cross join lateral (select 'kunde' || c.n || '-' || k || '.de' as name) d",
        )
        .bind(tenant),
    )
    .await?;

    let customer_filter = serde_json::json!({ "kind": null, "tag": "", "include_archived": false });
    time_list(app, session, "customers/list", &format!("customer list, first page by name ({count} customers)"),
        &[0, 1, 2].map(|p| serde_json::json!({ "filter": customer_filter, "page": page_request(1 + p, "", "") }))).await?;
    time_list(app, session, "customers/list", "customer search",
        &["müller", "hotel weber", "berlin", "K-0421", "kanzlei meyer 77", "dresden", "xyzzy"]
            .map(|term| serde_json::json!({ "filter": customer_filter, "page": page_request(1, "", term) }))).await?;
    let one_customer: Uuid = sqlx::query_scalar(
        "select id from customers where tenant_id = $1 order by number offset $2 limit 1",
    )
    .bind(tenant)
    .bind(i64::from(count / 2))
    .fetch_one(pool)
    .await?;
    let contracts = |status: Option<&str>, customer: Option<Uuid>, sort: &str, search: &str| serde_json::json!({ "filter": { "customer_id": customer, "status": status }, "page": page_request(1, sort, search) });
    time_list(
        app,
        session,
        "contracts/list",
        "contract list, active, by start (tenant-wide)",
        &[
            contracts(Some("active"), None, "start", ""),
            contracts(Some("past"), None, "end", ""),
            contracts(None, None, "number", ""),
        ],
    )
    .await?;
    time_list(
        app,
        session,
        "contracts/list",
        "contract search (number, description, customer)",
        &[
            contracts(None, None, "start", "spamfilter K-0042"),
            contracts(None, None, "start", "weber"),
            contracts(None, None, "start", "V-0000123"),
        ],
    )
    .await?;
    time_list(
        app,
        session,
        "contracts/list",
        "contract list of one customer (customer file)",
        &[
            contracts(Some("active"), Some(one_customer), "start", ""),
            contracts(None, Some(one_customer), "start", ""),
        ],
    )
    .await?;
    Ok(())
}

/// Imports up to `rows` usage rows (one per contract, a third named by a linked domain)
/// as a CSV through the same code path as uploads and the REST API, then once more
/// unchanged; against COPY of the stored rows into a twin table.
async fn usage_import(pool: &PgPool, tenant: Uuid, rows: i64) -> anyhow::Result<()> {
    // each customer's first domain covers its first contract
    sqlx::query(
        "update domains d set contract_id = c.id
         from (select distinct on (customer_id) id, customer_id from contracts
               where tenant_id = $1 order by customer_id, number) c
         where d.tenant_id = $1 and d.customer_id = c.customer_id and d.ascii_name like '%-1.de'",
    )
    .bind(tenant)
    .execute(pool)
    .await?;
    // the month each contract starts in lies within its term
    let picked: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "select c.number, d.ascii_name, to_char(c.start_date, 'MM/YYYY')
         from contracts c left join domains d on d.contract_id = c.id
         where c.tenant_id = $1 order by c.number limit $2",
    )
    .bind(tenant)
    .bind(rows)
    .fetch_all(pool)
    .await?;
    let mut csv = String::from("Vertrag;Domain;Metrik;Monat;Menge;Einheit\n");
    for (i, (number, domain, month)) in picked.iter().enumerate() {
        let quantity = format!("{},{}", i % 5000, i % 10);
        match domain {
            Some(domain) => csv.push_str(&format!(";{domain};traffic_gb;{month};{quantity};GB\n")),
            None => csv.push_str(&format!("{number};;traffic_gb;{month};{quantity};GB\n")),
        }
    }
    let actor = app::auth::context::Actor::system(tenant, "bench");
    let by_domain = picked.iter().filter(|p| p.1.is_some()).count();
    let import = |label: &'static str| {
        let (actor, bytes) = (actor.clone(), csv.clone().into_bytes());
        async move {
            let before = statements_so_far();
            let started = Instant::now();
            let mut tx = pool.begin().await?;
            let report = app::usage::api::import_csv(&mut tx, &actor, &bytes, "file", false, None)
                .await
                .map_err(|e| anyhow::anyhow!("usage import failed: {e:?}"))?;
            tx.commit().await?;
            let elapsed = started.elapsed();
            anyhow::ensure!(
                report.rejected == 0,
                "bench rows rejected: {:?}",
                report.rows.first()
            );
            println!(
                "usage import {label}: {} rows ({:.1} MB CSV, {} by domain) in {} ms = {:.0} rows/s, {} SQL statements; new {} updated {} unchanged {}",
                report.total,
                f64::from(u32::try_from(bytes.len()).unwrap_or(u32::MAX)) / 1e6,
                by_domain,
                elapsed.as_millis(),
                f64::from(report.total) / elapsed.as_secs_f64().max(1e-9),
                statements_so_far() - before,
                report.new,
                report.updated,
                report.unchanged,
            );
            Ok::<Duration, anyhow::Error>(elapsed)
        }
    };
    let first = import("(new)").await?;
    import("again (unchanged)").await?;
    let copy = copy_baseline(
        pool,
        "usage_records",
        "id, tenant_id, contract_id, metric, period_start, quantity, unit, source, imported_by_label",
        tenant,
    )
    .await?;
    println!(
        "usage import vs COPY of the same rows into a twin table: {} ms vs {} ms; ratio {:.2}",
        first.as_millis(),
        copy.as_millis(),
        first.as_secs_f64() / copy.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Reconciles a registrar list of `rows` lines (nine in ten of them InterNetX domains Kontor knows,
/// every tenth of those with another expiry date) against all the tenant's domains,
/// applied, through the same code path as the upload; against COPY of the same file.
async fn registrar_reconciliation(pool: &PgPool, tenant: Uuid, rows: i64) -> anyhow::Result<()> {
    let domains: i64 = sqlx::query_scalar("select count(*) from domains where tenant_id = $1")
        .bind(tenant)
        .fetch_one(pool)
        .await?;
    let known: Vec<(String, chrono::NaiveDate)> = sqlx::query_as(
        "select ascii_name, expires_on from domains where tenant_id = $1 and registrar = 'InterNetX'
         order by ascii_name limit $2",
    )
    .bind(tenant)
    .bind(rows * 9 / 10)
    .fetch_all(pool)
    .await?;
    let mut csv = String::from("domain;expires_on;status;auto_renew;renewal_price\n");
    for (i, (name, expires)) in known.iter().enumerate() {
        let expires = if i % 10 == 0 {
            *expires + chrono::Duration::days(1)
        } else {
            *expires
        };
        csv.push_str(&format!("{name};{expires};ok;ja;4,90\n"));
    }
    for i in 0..(rows - i64::try_from(known.len()).unwrap_or(rows)) {
        csv.push_str(&format!("neu-{i}.de;2027-06-01;ok;ja;4,90\n"));
    }
    let bytes = csv.into_bytes();
    let actor = app::auth::context::Actor::system(tenant, "bench");
    let before = statements_so_far();
    let started = Instant::now();
    let prepared = app::registrar::api::prepare(&bytes, actor.lang)
        .map_err(|e| anyhow::anyhow!("registrar list unreadable: {e:?}"))?;
    let parsed = started.elapsed();
    let id = app::registrar::api::begin(pool, &actor, "InterNetX", "bench.csv", false, &prepared)
        .await
        .map_err(|e| anyhow::anyhow!("registrar import: {e:?}"))?;
    app::registrar::api::process(pool, &actor, id, prepared)
        .await
        .map_err(|e| anyhow::anyhow!("registrar import: {e:?}"))?;
    let elapsed = started.elapsed();
    let statements = statements_so_far() - before;
    let mut conn = pool.acquire().await?;
    let summary = app::registrar::repo::load(&mut conn, tenant, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("import vanished"))?;
    // the baseline: the same file into a table of its columns, as PostgreSQL reads CSV
    use sqlx::postgres::PgPoolCopyExt;
    sqlx::query("create table bench_registrar_copy (domain text, expires_on date, status text, auto_renew text, renewal_price text)")
        .execute(pool)
        .await?;
    let copy_started = Instant::now();
    let mut copy = pool
        .copy_in_raw(
            "copy bench_registrar_copy from stdin with (format csv, delimiter ';', header true)",
        )
        .await?;
    copy.send(bytes.as_slice()).await?;
    copy.finish().await?;
    let copy_time = copy_started.elapsed();
    sqlx::query("drop table bench_registrar_copy")
        .execute(pool)
        .await?;
    println!(
        "registrar reconciliation: {} lines against {domains} domains in {} ms (parsing {} ms), {statements} SQL statements; \
         unbilled {} orphaned {} expiry mismatch {} ok {} updated domains {}",
        summary.rows_total,
        elapsed.as_millis(),
        parsed.as_millis(),
        summary.unbilled,
        summary.orphaned,
        summary.expiry_mismatch,
        summary.ok,
        summary.updated_domains,
    );
    println!(
        "registrar reconciliation vs COPY of the same file: {} ms vs {} ms; ratio {:.2}",
        elapsed.as_millis(),
        copy_time.as_millis(),
        elapsed.as_secs_f64() / copy_time.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Peak resident memory of this process since the last reset, in MB (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u32 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(f64::from(kb) / 1024.0)
}

/// Resets the peak so the next reading covers only what follows (Linux ≥ 4.0).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A tenant with `customers` customers, each with four monthly contracts starting on the
/// first of the month, one of them with a setup fee: five lines per invoice. Bills them
/// (the same code as the UI and the job runner), then times a binary COPY of the invoices
/// and lines it wrote into the same tables. Returns the run's wall time.
async fn billing_run(pool: &PgPool, customers: i32) -> anyhow::Result<Duration> {
    use sqlx::postgres::PgPoolCopyExt;
    let tenant = Uuid::new_v4();
    let today: chrono::NaiveDate =
        sqlx::query_scalar("select (now() at time zone 'Europe/Berlin')::date")
            .fetch_one(pool)
            .await?;
    let start = chrono::Datelike::with_day(&today, 1).unwrap_or(today);
    sqlx::query(
        "insert into tenants (id, slug, legal_name, street, postal_code, city, vat_id, iban)
         values ($1, $2, 'Abrechnung GmbH', 'Weg 1', '10115', 'Berlin', 'DE136695976', 'DE89370400440532013000')",
    )
    .bind(tenant)
    .bind(format!("billing-{customers}"))
    .execute(pool)
    .await?;
    sqlx::query(
        "insert into customers (id, tenant_id, number, kind, company_name, billing_street, billing_postal_code, billing_city)
         select gen_random_uuid(), $1, 'K-' || lpad(n::text, 6, '0'), 'company', 'Kunde ' || n, 'Weg ' || n, '10115', 'Berlin'
         from generate_series(1, $2) n",
    )
    .bind(tenant)
    .bind(customers)
    .execute(pool)
    .await?;
    sqlx::query(
        "insert into contracts (id, tenant_id, customer_id, number, description, start_date, fee, fee_unit,
                                billing_interval, setup_fee, vat_category)
         select gen_random_uuid(), $1, c.id, 'V-' || c.number || '-' || k,
                (array['Webhosting M', 'Domain', 'Postfächer', 'Backup'])[k], $2,
                (array[19.90, 1.50, 4.00, 9.00])[k], 'month', 'monthly',
                case when k = 1 then 49.00 else 0 end,
                case when k = 2 then 'reduced' else 'standard' end
         from customers c cross join generate_series(1, 4) k where c.tenant_id = $1",
    )
    .bind(tenant)
    .bind(start)
    .execute(pool)
    .await?;
    sqlx::query("analyze customers").execute(pool).await?;
    sqlx::query("analyze contracts").execute(pool).await?;

    let actor = app::auth::context::Actor::system(tenant, "bench");
    let request = app::billing::model::RunRequest {
        run_date: today.to_string(),
        preview: false,
    };
    reset_peak_memory();
    let before = statements_so_far();
    let started = Instant::now();
    let run = app::billing::api::begin(pool, &actor, &request, "api")
        .await
        .map_err(|e| anyhow::anyhow!("billing run: {e:?}"))?;
    app::billing::api::execute(pool, &actor, run)
        .await
        .map_err(|e| anyhow::anyhow!("billing run: {e:?}"))?;
    let elapsed = started.elapsed();
    let statements = statements_so_far() - before;
    let peak = peak_memory_mb().unwrap_or(0.0);
    let (invoices, lines): (i64, i64) = sqlx::query_as(
        "select count(distinct i.id), count(*) from invoices i join invoice_lines l on l.invoice_id = i.id
         where i.billing_run_id = $1",
    )
    .bind(run)
    .fetch_one(pool)
    .await?;

    // the baseline: the same invoices and lines, binary COPY into the same tables
    let copy_out = |query: String| async move {
        let mut bytes = Vec::new();
        let mut out = pool.copy_out_raw(&query).await?;
        while let Some(chunk) = futures_util::StreamExt::next(&mut out).await {
            bytes.extend_from_slice(&chunk?);
        }
        anyhow::Ok(bytes)
    };
    let invoice_rows = copy_out(format!(
        "copy (select * from invoices where billing_run_id = '{run}') to stdout (format binary)"
    ))
    .await?;
    let line_rows = copy_out(format!(
        "copy (select l.* from invoice_lines l join invoices i on i.id = l.invoice_id
               where i.billing_run_id = '{run}') to stdout (format binary)"
    ))
    .await?;
    sqlx::query("delete from invoices where billing_run_id = $1")
        .bind(run)
        .execute(pool)
        .await?;
    let copy_started = Instant::now();
    let mut tx = pool.begin().await?;
    for (table, rows) in [("invoices", &invoice_rows), ("invoice_lines", &line_rows)] {
        let mut copy = tx
            .copy_in_raw(&format!("copy {table} from stdin (format binary)"))
            .await?;
        copy.send(rows.as_slice()).await?;
        copy.finish().await?;
    }
    tx.commit().await?;
    let copy_time = copy_started.elapsed();
    let per_second = f64::from(u32::try_from(invoices).unwrap_or(u32::MAX)) / elapsed.as_secs_f64();
    println!(
        "billing run, {customers} due customers: {invoices} invoices, {lines} lines in {} ms ({per_second:.0} invoices/s); \
         binary COPY of the same rows {} ms; ratio {:.2}; {:.4} SQL statements per invoice; peak memory {peak:.0} MB",
        elapsed.as_millis(),
        copy_time.as_millis(),
        elapsed.as_secs_f64() / copy_time.as_secs_f64().max(1e-9),
        f64::from(u32::try_from(statements).unwrap_or(u32::MAX))
            / f64::from(u32::try_from(invoices.max(1)).unwrap_or(1)),
    );
    Ok(elapsed)
}

/// Warm render times of a 2-page, 25-line invoice PDF with its factur-x.xml, against
/// writing the same invoice's CII XML alone.
fn invoice_pdf() -> anyhow::Result<()> {
    use app::invoices::{cii, pdf};
    let (invoice, seller) = pdf::specimen(25);
    let xml = cii::render(&invoice, &seller, cii::Flavor::Zugferd);
    let issued_at = chrono::Utc::now();
    let mut pdf_times = Vec::new();
    let mut xml_times = Vec::new();
    let mut size = 0;
    for round in 0..520 {
        let started = Instant::now();
        let bytes = pdf::render(&invoice, &seller, Some(xml.as_bytes()), issued_at)?;
        let pdf_time = started.elapsed();
        let started = Instant::now();
        let again = cii::render(&invoice, &seller, cii::Flavor::Zugferd);
        let xml_time = started.elapsed();
        // the first 20 warm the font caches
        if round >= 20 {
            pdf_times.push(pdf_time);
            xml_times.push(xml_time);
        }
        std::hint::black_box(again);
        size = bytes.len();
    }
    pdf_times.sort();
    xml_times.sort();
    let p50 = percentile(&pdf_times, 50);
    let baseline = percentile(&xml_times, 50);
    println!(
        "invoice PDF/A-3 (2 pages, 25 lines, factur-x.xml embedded, {} KB): p50 {}, p99 {}; the same invoice's CII XML alone p50 {} ({:.0}x)",
        size / 1024,
        ms(p50),
        ms(percentile(&pdf_times, 99)),
        ms(baseline),
        p50.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
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
    let (tenant, session, token) = seed(&pool, "bench", options.users).await?;
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
    if options.runs("requests") {
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
    }
    if options.runs("pdf") {
        invoice_pdf()?;
    }
    if options.runs("customers") || options.runs("usage") || options.runs("registrar") {
        customers_and_contracts(&pool, &app, tenant, &session, options.customers).await?;
    }
    if options.runs("usage") {
        usage_import(&pool, tenant, 100_000).await?;
    }
    if options.runs("registrar") {
        registrar_reconciliation(&pool, tenant, 100_000).await?;
    }
    if options.runs("projects") {
        projects(&pool, &app).await?;
    }
    if options.runs("billing") {
        let small = billing_run(&pool, 10_000).await?;
        let large = billing_run(&pool, 100_000).await?;
        println!(
            "billing run T(100k)/T(10k) = {:.2}",
            large.as_secs_f64() / small.as_secs_f64().max(1e-9)
        );
    }
    if !options.runs("wasm") {
        return Ok(());
    }

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
