use super::model::*;
use super::{CERT_WARNING_DAYS, FAILURES_BEFORE_ALERT, HISTORY_DAYS};
use crate::customers::repo::search_patterns;
use crate::domain::permissions::allows;
use crate::domain::{Permission, Role};
use crate::i18n::{Key, Lang};
use crate::ui::paging::{Page, PageRequest};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A check with its target, tenant and customer.
const FROM: &str = "service_checks c
    join tenants t on t.id = c.tenant_id
    left join servers s on s.id = c.server_id
    left join domains d on d.id = c.domain_id
    left join customers k on k.id = coalesce(s.customer_id, d.customer_id)";

/// The host a probe connects to: the one given, else the target's own name.
const HOST: &str = "coalesce(nullif(c.host, ''), s.hostname, d.ascii_name)";

const TARGET: &str = "coalesce(s.hostname, d.name)";

/// Up, down or unknown; a result older than three intervals (and five minutes' slack for the
/// runner) no longer tells, nor does a paused check's.
const STATUS: &str = "case
    when not c.enabled or c.last_ok is null
         or c.last_checked_at < now() - make_interval(secs => 3 * c.interval_seconds + 300) then 'unknown'
    when c.last_ok then 'up' else 'down' end";

/// The latest result, in the tenant's time zone (everything of `CheckState` but uptime).
fn state_columns() -> String {
    format!(
        "{STATUS} as status,
         to_char(c.last_checked_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI') as last_checked_at,
         c.last_response_ms, c.last_status_code, c.last_problem, c.last_detail,
         (c.cert_expires_at at time zone t.time_zone)::date as cert_expires_on,
         (c.cert_expires_at at time zone t.time_zone)::date - (now() at time zone t.time_zone)::date as cert_days_left"
    )
}

/// Uptime of the check `p.id` over 24 hours, 7 and 30 days, from the covering index.
const UPTIME: &str = "left join lateral (
    select round(100.0 * count(*) filter (where r.ok and r.checked_at > now() - interval '24 hours')
                 / nullif(count(*) filter (where r.checked_at > now() - interval '24 hours'), 0), 2) as uptime_24h,
           round(100.0 * count(*) filter (where r.ok and r.checked_at > now() - interval '7 days')
                 / nullif(count(*) filter (where r.checked_at > now() - interval '7 days'), 0), 2) as uptime_7d,
           round(100.0 * count(*) filter (where r.ok) / nullif(count(*), 0), 2) as uptime_30d
    from service_check_results r
    where r.check_id = p.id and r.checked_at > now() - interval '30 days'
) u on true";

/// The status overview: the page is chosen first, so uptime is counted for its rows only.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &CheckFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<CheckRow>> {
    let conditions = format!(
        "c.tenant_id = $1
         and ($2::text is null or ({STATUS}) = $2)
         and ($3::uuid is null or c.server_id = $3)
         and ($4::uuid is null or c.domain_id = $4)
         and ($5::uuid is null or k.id = $5)
         and lower(c.name || ' ' || {HOST} || ' ' || {TARGET} || ' ' || coalesce(k.display_name, '')) like all($6::text[])"
    );
    let order = match page.sort.as_str() {
        "status" => "status",
        "kind" => "kind",
        "host" => "host",
        "response" => "last_response_ms",
        "checked" => "last_checked_at",
        "cert" => "cert_days_left",
        _ => "name",
    };
    let direction = if page.descending { "desc" } else { "asc" };
    let sql = format!(
        "select p.*, u.uptime_24h, u.uptime_7d, u.uptime_30d from (
             select c.id, c.name, c.kind, c.tls_mode, {HOST} as host, c.port, {TARGET} as target_label,
                    c.server_id, c.domain_id, k.id as customer_id, k.display_name as customer, c.enabled,
                    {state}
             from {FROM}
             where {conditions}
             order by {order} {direction} nulls last, id {direction}
             limit {} offset {}
         ) p {UPTIME}
         order by p.{order} {direction} nulls last, p.id {direction}",
        page.limit(),
        page.offset(),
        state = state_columns(),
    );
    let patterns = search_patterns(&page.search);
    let status = filter.status.map(CheckStatus::as_str);
    let items = sqlx::query_as::<_, CheckRow>(&sql)
        .bind(tenant_id)
        .bind(status)
        .bind(filter.server_id)
        .bind(filter.domain_id)
        .bind(filter.customer_id)
        .bind(&patterns)
        .fetch_all(&mut *conn)
        .await?;
    let total: i64 = sqlx::query_scalar(&format!("select count(*) from {FROM} where {conditions}"))
        .bind(tenant_id)
        .bind(status)
        .bind(filter.server_id)
        .bind(filter.domain_id)
        .bind(filter.customer_id)
        .bind(&patterns)
        .fetch_one(conn)
        .await?;
    Ok(Page::new(items, total, page))
}

pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Check>> {
    sqlx::query_as(&format!(
        "select p.*, u.uptime_24h, u.uptime_7d, u.uptime_30d from (
             select c.id, {TARGET} as target_label, k.id as customer_id,
                    k.number || ' · ' || k.display_name as customer_label, {HOST} as effective_host,
                    c.server_id, c.domain_id, c.name, c.kind, c.host, c.port, c.tls_mode, c.path,
                    c.expected_status_min, c.expected_status_max, c.accept_untrusted,
                    c.interval_seconds, c.timeout_seconds, c.enabled,
                    {state}
             from {FROM}
             where c.id = $1 and c.tenant_id = $2
         ) p {UPTIME}",
        state = state_columns(),
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// A check's history, newest first.
pub async fn results(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Page<CheckResult>> {
    let items = sqlx::query_as::<_, CheckResult>(&format!(
        "select to_char(r.checked_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI:SS') as checked_at,
                r.ok, r.response_ms, r.status_code, r.problem, r.detail,
                (r.cert_expires_at at time zone t.time_zone)::date as cert_expires_on
         from service_check_results r
         join service_checks c on c.id = r.check_id
         join tenants t on t.id = c.tenant_id
         where r.check_id = $1 and c.tenant_id = $2
         order by r.checked_at desc
         limit {} offset {}",
        page.limit(),
        page.offset()
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "select count(*) from service_check_results r join service_checks c on c.id = r.check_id
         where r.check_id = $1 and c.tenant_id = $2",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_one(conn)
    .await?;
    Ok(Page::new(items, total, page))
}

/// Whether the target is the tenant's: (server ok, domain ok).
pub async fn targets_exist(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    server_id: Option<Uuid>,
    domain_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query_as(
        "select $2::uuid is null or exists (select 1 from servers where id = $2 and tenant_id = $1),
                $3::uuid is null or exists (select 1 from domains where id = $3 and tenant_id = $1)",
    )
    .bind(tenant_id)
    .bind(server_id)
    .bind(domain_id)
    .fetch_one(conn)
    .await
}

/// Saves a validated check (its port filled in) under `id`, new or existing; an id of
/// another tenant changes nothing. A changed check is due at once, and a check without
/// TLS forgets the certificate of its former setting.
pub async fn save(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    c: &CheckInput,
    port: i32,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into service_checks (id, tenant_id, server_id, domain_id, name, kind, host, port,
             tls_mode, path, expected_status_min, expected_status_max, accept_untrusted,
             interval_seconds, timeout_seconds, enabled)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         on conflict (id) do update set
             (server_id, domain_id, name, kind, host, port, tls_mode, path, expected_status_min,
              expected_status_max, accept_untrusted, interval_seconds, timeout_seconds, enabled,
              next_run_at, cert_expires_at, updated_at)
           = (excluded.server_id, excluded.domain_id, excluded.name, excluded.kind, excluded.host,
              excluded.port, excluded.tls_mode, excluded.path, excluded.expected_status_min,
              excluded.expected_status_max, excluded.accept_untrusted, excluded.interval_seconds,
              excluded.timeout_seconds, excluded.enabled, now(),
              case when excluded.tls_mode = 'none' then null else service_checks.cert_expires_at end,
              now())
         where service_checks.tenant_id = excluded.tenant_id",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(c.server_id)
    .bind(c.domain_id)
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.host)
    .bind(port)
    .bind(c.tls_mode.as_str())
    .bind(&c.path)
    .bind(c.expected_status_min)
    .bind(c.expected_status_max)
    .bind(c.accept_untrusted)
    .bind(c.interval_seconds)
    .bind(c.timeout_seconds)
    .bind(c.enabled)
    .execute(conn)
    .await
    .map(drop)
}

/// The columns a probe needs, its host resolved from the target by `host`.
fn probe_columns(host: &str) -> String {
    format!(
        "c.id, c.kind, {host} as host, c.port, c.tls_mode, c.path, c.expected_status_min,
         c.expected_status_max, c.accept_untrusted, c.timeout_seconds"
    )
}

type ProbeRow = (
    Uuid,
    String,
    String,
    i32,
    String,
    String,
    i32,
    i32,
    bool,
    i32,
);

fn probe_target(row: ProbeRow) -> Option<(Uuid, ProbeTarget)> {
    let (id, kind, host, port, mode, path, min, max, accept_untrusted, timeout_seconds) = row;
    Some((
        id,
        ProbeTarget {
            kind: CheckKind::parse(&kind)?,
            host,
            port: u16::try_from(port).ok()?,
            tls_mode: TlsMode::parse(&mode)?,
            path,
            expected_status_min: min,
            expected_status_max: max,
            accept_untrusted,
            timeout_seconds,
        },
    ))
}

/// One check of the tenant, ready to probe ("check now").
pub async fn probe_target_of(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ProbeTarget>> {
    let row: Option<ProbeRow> = sqlx::query_as(&format!(
        "select {} from service_checks c
         left join servers s on s.id = c.server_id
         left join domains d on d.id = c.domain_id
         where c.id = $1 and c.tenant_id = $2",
        probe_columns(HOST)
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(probe_target).map(|(_, target)| target))
}

/// Claims up to `limit` due checks of all tenants and moves each one's next run an interval
/// on, in one statement: rows another runner holds are skipped, and once committed they are
/// no longer due, so no check runs twice.
pub async fn claim_due(
    conn: &mut PgConnection,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, ProbeTarget)>> {
    let rows: Vec<ProbeRow> = sqlx::query_as(&format!(
        "update service_checks c
         set next_run_at = now() + make_interval(secs => c.interval_seconds)
         where c.id in (
             select id from service_checks
             where enabled and next_run_at <= now()
             order by next_run_at
             limit $1
             for update skip locked
         )
         returning {}",
        probe_columns(
            "coalesce(nullif(c.host, ''), (select hostname from servers where id = c.server_id),
                      (select ascii_name from domains where id = c.domain_id))"
        )
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(probe_target).collect())
}

/// Stores probe results in one statement (history and each check's latest state), then
/// raises the alerts they call for; returns how many notifications were new. Results of
/// checks deleted meanwhile are dropped.
pub async fn record(
    conn: &mut PgConnection,
    outcomes: &[(Uuid, ProbeOutcome)],
) -> sqlx::Result<u64> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = outcomes.iter().map(|(id, _)| *id).collect();
    let problems: Vec<Option<&str>> = outcomes
        .iter()
        .map(|(_, o)| o.problem.map(Problem::as_str))
        .collect();
    let response_ms: Vec<i32> = outcomes.iter().map(|(_, o)| o.response_ms).collect();
    let status_codes: Vec<Option<i32>> = outcomes.iter().map(|(_, o)| o.status_code).collect();
    let details: Vec<&str> = outcomes.iter().map(|(_, o)| o.detail.as_str()).collect();
    let certs: Vec<Option<DateTime<Utc>>> =
        outcomes.iter().map(|(_, o)| o.cert_expires_at).collect();
    let checked: Vec<DateTime<Utc>> = outcomes.iter().map(|(_, o)| o.checked_at).collect();
    sqlx::query(
        "with input as (
             select * from unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[],
                                  $6::timestamptz[], $7::timestamptz[])
                 as i(check_id, problem, response_ms, status_code, detail, cert_expires_at, checked_at)
         ), history as (
             insert into service_check_results
                 (check_id, checked_at, ok, response_ms, status_code, problem, detail, cert_expires_at)
             select i.check_id, i.checked_at, i.problem is null, i.response_ms, i.status_code,
                    i.problem, i.detail, i.cert_expires_at
             from input i join service_checks c on c.id = i.check_id
         )
         update service_checks c set
             last_checked_at = i.checked_at,
             last_ok = i.problem is null,
             last_problem = i.problem,
             last_detail = i.detail,
             last_response_ms = i.response_ms,
             last_status_code = i.status_code,
             cert_expires_at = case when i.cert_expires_at is not null then i.cert_expires_at
                                    when c.tls_mode = 'none' then null
                                    else c.cert_expires_at end,
             consecutive_failures = case when i.problem is null then 0 else c.consecutive_failures + 1 end,
             failing_since = case when i.problem is null then null
                                  else coalesce(c.failing_since, i.checked_at) end
         from input i
         where c.id = i.check_id",
    )
    .bind(&ids)
    .bind(&problems)
    .bind(&response_ms)
    .bind(&status_codes)
    .bind(&details)
    .bind(&certs)
    .bind(&checked)
    .execute(&mut *conn)
    .await?;
    alert(conn, &ids).await
}

/// Texts of one language for the alert statement.
struct AlertTexts {
    down: &'static str,
    certificate: &'static str,
    problems: Vec<&'static str>,
}

impl AlertTexts {
    fn of(lang: Lang) -> Self {
        AlertTexts {
            down: Key::ChecksAlertDown.text(lang),
            certificate: Key::ChecksAlertCertificate.text(lang),
            problems: Problem::ALL.iter().map(|p| p.key().text(lang)).collect(),
        }
    }
}

/// Notifies every active staff member who sees the inventory, in their language, of the
/// given checks that failed twice in a row (keyed on the outage's start, so once per outage)
/// or whose certificate expires within CERT_WARNING_DAYS (keyed on the expiry, so once per
/// certificate). Set-based; returns how many notifications were new.
async fn alert(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<u64> {
    let roles: Vec<&str> = Role::STAFF_ROLES
        .into_iter()
        .filter(|role| allows(&[*role], Permission::ViewInventory))
        .map(Role::as_str)
        .collect();
    let problems: Vec<&str> = Problem::ALL.iter().map(|p| p.as_str()).collect();
    let (de, en) = (AlertTexts::of(Lang::De), AlertTexts::of(Lang::En));
    let done = sqlx::query(
        "with due as (
             select c.id, c.tenant_id, c.name, 'down' as what,
                    'check-down:' || c.id || ':' || to_char(c.failing_since at time zone 'UTC', 'YYYYMMDDHH24MISSUS') as dedupe_key,
                    array_position($3::text[], c.last_problem) as problem,
                    c.last_detail as detail, null::date as expires_on
             from service_checks c
             where c.id = any($1) and c.consecutive_failures >= $4 and c.failing_since is not null
             union all
             select c.id, c.tenant_id, c.name, 'certificate',
                    'check-cert:' || c.id || ':' || (c.cert_expires_at at time zone t.time_zone)::date,
                    null, '', (c.cert_expires_at at time zone t.time_zone)::date
             from service_checks c join tenants t on t.id = c.tenant_id
             where c.id = any($1) and c.cert_expires_at < now() + make_interval(days => $5)
         )
         insert into notifications (id, tenant_id, user_id, kind, title, body, link, dedupe_key)
         select gen_random_uuid(), due.tenant_id, m.user_id, 'service_check',
                replace(replace(
                    case when due.what = 'down' then (case when u.language = 'en' then $8 else $6 end)
                         else (case when u.language = 'en' then $9 else $7 end) end,
                    '{name}', due.name),
                    '{date}', coalesce(case when u.language = 'en' then to_char(due.expires_on, 'FMDD Mon YYYY')
                                            else to_char(due.expires_on, 'DD.MM.YYYY') end, '')),
                trim(coalesce((case when u.language = 'en' then $11::text[] else $10::text[] end)[due.problem] || ': ', '')
                     || due.detail),
                '/checks/' || due.id, due.dedupe_key
         from due
         join memberships m on m.tenant_id = due.tenant_id and m.active and m.roles && $2::text[]
         join users u on u.id = m.user_id and u.active
         on conflict (user_id, dedupe_key) do nothing",
    )
    .bind(ids)
    .bind(&roles)
    .bind(&problems)
    .bind(FAILURES_BEFORE_ALERT)
    .bind(CERT_WARNING_DAYS)
    .bind(de.down)
    .bind(de.certificate)
    .bind(en.down)
    .bind(en.certificate)
    .bind(&de.problems)
    .bind(&en.problems)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Drops history older than HISTORY_DAYS; returns how many results went.
pub async fn prune(conn: &mut PgConnection) -> sqlx::Result<u64> {
    sqlx::query(
        "delete from service_check_results where checked_at < now() - make_interval(days => $1)",
    )
    .bind(HISTORY_DAYS)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
}

/// Servers and domains of the tenant whose names contain the search words, for the picker.
pub async fn search_targets(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    search: &str,
) -> sqlx::Result<Vec<TargetOption>> {
    sqlx::query_as(
        "(select s.id as server_id, null::uuid as domain_id, s.hostname as name, k.display_name as customer
          from servers s left join customers k on k.id = s.customer_id
          where s.tenant_id = $1 and lower(s.hostname) like all($2::text[])
          order by s.hostname limit 20)
         union all
         (select null, d.id, d.name, k.display_name
          from domains d join customers k on k.id = d.customer_id
          where d.tenant_id = $1 and d.status <> 'deleted'
            and lower(d.name || ' ' || d.ascii_name) like all($2::text[])
          order by d.ascii_name limit 20)",
    )
    .bind(tenant_id)
    .bind(search_patterns(search))
    .fetch_all(conn)
    .await
}
