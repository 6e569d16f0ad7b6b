use super::model::*;
use crate::domain::rates::{resolve, RateCandidates};
use crate::projects::model::Person;
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Sale and payout rate of one person's work on each of the projects.
pub async fn rates(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    project_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, (Decimal, Decimal)>> {
    type Row = (
        Uuid,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Decimal,
        Decimal,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select p.id, p.hourly_rate, k.hourly_rate, s.hourly_rate, r.hourly_rate,
                coalesce(ps.default_rate, 95), coalesce(s.cost_rate, 0)
         from projects p join customers k on k.id = p.customer_id
         left join staff_profiles s on s.tenant_id = p.tenant_id and s.user_id = $2
         left join job_roles r on r.id = s.job_role_id
         left join project_settings ps on ps.tenant_id = p.tenant_id
         where p.tenant_id = $1 and p.id = any($3)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(project_ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, project, customer, person, role, tenant, cost)| {
            let (rate, _) = resolve(&RateCandidates {
                project,
                customer,
                person,
                role,
                tenant,
            });
            (id, (rate, cost))
        })
        .collect())
}

/// A time entry about to be written.
pub struct NewEntry {
    pub user_id: Uuid,
    pub project_id: Uuid,
    pub work_package_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub work_date: NaiveDate,
    pub minutes: i32,
    pub note: String,
    pub billable: bool,
    pub rate: Decimal,
    pub cost_rate: Decimal,
    pub source: &'static str,
}

/// Writes entries in one statement; their ids in order.
pub async fn insert_entries(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    entries: &[NewEntry],
) -> sqlx::Result<Vec<Uuid>> {
    let ids: Vec<Uuid> = entries.iter().map(|_| Uuid::new_v4()).collect();
    sqlx::query(
        "insert into time_entries (id, tenant_id, user_id, project_id, work_package_id, task_id, work_date, minutes,
                                   note, billable, rate, cost_rate, source)
         select id, $1, user_id, project_id, work_package_id, task_id, work_date, minutes, note, billable, rate,
                cost_rate, source
         from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::date[], $8::int[], $9::text[],
                     $10::bool[], $11::numeric[], $12::numeric[], $13::text[])
              as e(id, user_id, project_id, work_package_id, task_id, work_date, minutes, note, billable, rate,
                   cost_rate, source)",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(entries.iter().map(|e| e.user_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.project_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.work_package_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.task_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.work_date).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.minutes).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.note.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.billable).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.rate).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.cost_rate).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.source).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(ids)
}

/// Changes the minutes of open entries and deletes others, in two statements.
pub async fn adjust_entries(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    minutes: &[(Uuid, i32)],
    deleted: &[Uuid],
) -> sqlx::Result<()> {
    if !minutes.is_empty() {
        sqlx::query(
            "update time_entries e set minutes = c.minutes, updated_at = now()
             from unnest($2::uuid[], $3::int[]) as c(id, minutes)
             where e.tenant_id = $1 and e.id = c.id",
        )
        .bind(tenant_id)
        .bind(minutes.iter().map(|m| m.0).collect::<Vec<_>>())
        .bind(minutes.iter().map(|m| m.1).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    }
    if !deleted.is_empty() {
        sqlx::query("delete from time_entries where tenant_id = $1 and id = any($2)")
            .bind(tenant_id)
            .bind(deleted)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether the project is open in the tenant, and the work package and task belong to it.
pub async fn booking_target_exists(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_id: Uuid,
    work_package_id: Option<Uuid>,
    task_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool, bool)> {
    sqlx::query_as(
        "select exists (select 1 from projects where tenant_id = $1 and id = $2 and status in ('planned', 'active', 'on_hold')),
                $3::uuid is null or exists (select 1 from work_packages where id = $3 and project_id = $2),
                $4::uuid is null or exists (select 1 from tasks where id = $4 and project_id = $2)",
    )
    .bind(tenant_id)
    .bind(project_id)
    .bind(work_package_id)
    .bind(task_id)
    .fetch_one(conn)
    .await
}

/// Whether the user is an active staff member of the tenant.
pub async fn is_staff(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from memberships where tenant_id = $1 and user_id = $2 and active
                        and customer_id is null and reseller_id is null)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

const ENTRY_COLUMNS: &str = "e.id, e.user_id, u.display_name as user_name, e.project_id,
    p.number || ' · ' || p.name as project_label, e.work_package_id, w.name as work_package_name, e.task_id,
    t.title as task_title, e.work_date, e.minutes, e.note, e.billable, e.rate,
    round(e.minutes * e.rate / 60, 2) as amount, e.source,
    case when e.invoice_id is not null then 'billed' when e.approved_at is not null then 'approved'
         when e.work_date <= ps.time_locked_until then 'closed' else 'open' end as state";

const ENTRY_FROM: &str = "time_entries e
    join users u on u.id = e.user_id
    join projects p on p.id = e.project_id
    left join work_packages w on w.id = e.work_package_id
    left join tasks t on t.id = e.task_id
    left join invoices i on i.id = e.invoice_id
    left join project_settings ps on ps.tenant_id = e.tenant_id";

#[derive(sqlx::FromRow)]
struct EntryRecord {
    id: Uuid,
    user_id: Uuid,
    user_name: String,
    project_id: Uuid,
    project_label: String,
    work_package_id: Option<Uuid>,
    work_package_name: Option<String>,
    task_id: Option<Uuid>,
    task_title: Option<String>,
    work_date: NaiveDate,
    minutes: i32,
    note: String,
    billable: bool,
    rate: Decimal,
    amount: Decimal,
    source: String,
    state: String,
}

/// An entry with the window count of its list.
#[derive(sqlx::FromRow)]
struct CountedEntry {
    #[sqlx(flatten)]
    entry: EntryRecord,
    total: i64,
}

impl From<EntryRecord> for TimeEntry {
    fn from(row: EntryRecord) -> TimeEntry {
        TimeEntry {
            id: row.id,
            user: Person {
                id: row.user_id,
                name: row.user_name,
            },
            project_id: row.project_id,
            project_label: row.project_label,
            work_package_id: row.work_package_id,
            work_package_name: row.work_package_name,
            task_id: row.task_id,
            task_title: row.task_title,
            work_date: row.work_date,
            minutes: row.minutes,
            note: row.note,
            billable: row.billable,
            rate: row.rate,
            amount: row.amount,
            source: row.source,
            state: match row.state.as_str() {
                "billed" => EntryState::Billed,
                "approved" => EntryState::Approved,
                "closed" => EntryState::Closed,
                _ => EntryState::Open,
            },
        }
    }
}

/// Time entries matching the filter, newest day first, one page.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &TimeEntryFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<TimeEntry>> {
    let rows: Vec<CountedEntry> = sqlx::query_as(&format!(
        "select {ENTRY_COLUMNS}, count(*) over () as total
         from {ENTRY_FROM}
         where e.tenant_id = $1 and ($2::uuid is null or e.user_id = $2) and ($3::uuid is null or e.project_id = $3)
           and ($4::date is null or e.work_date >= $4) and ($5::date is null or e.work_date <= $5)
           and (not $6 or (e.invoice_id is null and e.billable))
         order by e.work_date desc, e.created_at desc, e.id
         limit $7 offset $8"
    ))
    .bind(tenant_id)
    .bind(filter.user_id)
    .bind(filter.project_id)
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.unbilled)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page::new(
        rows.into_iter().map(|r| r.entry.into()).collect(),
        total,
        page,
    ))
}

/// One entry with its state; none when the tenant has no such entry.
pub async fn entry(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<TimeEntry>> {
    let row: Option<EntryRecord> = sqlx::query_as(&format!(
        "select {ENTRY_COLUMNS} from {ENTRY_FROM} where e.tenant_id = $1 and e.id = $2 for update of e"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(TimeEntry::from))
}

/// A user's entries of a week, locked for a timesheet save.
pub async fn week_entries(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    monday: NaiveDate,
) -> sqlx::Result<Vec<TimeEntry>> {
    let rows: Vec<EntryRecord> = sqlx::query_as(&format!(
        "select {ENTRY_COLUMNS} from {ENTRY_FROM}
         where e.tenant_id = $1 and e.user_id = $2 and e.work_date between $3 and $3 + 6
         order by p.number, w.position nulls first, e.work_date, e.created_at
         for update of e"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .bind(monday)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(TimeEntry::from).collect())
}

/// What a person's calendar holds for capacity: weekly hours, federal state, absences.
pub async fn calendar(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<(Vec<Decimal>, String, Vec<(NaiveDate, NaiveDate)>, String)> {
    let (hours, state, name): (Option<Vec<Decimal>>, String, String) = sqlx::query_as(
        "select s.weekly_hours, coalesce(s.federal_state, ps.federal_state, 'BE'), u.display_name
         from users u
         left join staff_profiles s on s.tenant_id = $1 and s.user_id = u.id
         left join project_settings ps on ps.tenant_id = $1
         where u.id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let absences: Vec<(NaiveDate, NaiveDate)> = sqlx::query_as(
        "select starts_on, ends_on from absences
         where tenant_id = $1 and user_id = $2 and starts_on <= $4 and ends_on >= $3",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok((hours.unwrap_or_default(), state, absences, name))
}

pub async fn approve_week(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    monday: NaiveDate,
    approver: Option<Uuid>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update time_entries set approved_at = now(), approved_by = $4
         where tenant_id = $1 and user_id = $2 and work_date between $3 and $3 + 6 and approved_at is null",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(monday)
    .bind(approver)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The user's running timer with the seconds it has run.
pub async fn timer(
    conn: &mut PgConnection,
    user_id: Uuid,
    tenant_id: Uuid,
) -> sqlx::Result<Option<RunningTimer>> {
    type Row = (Uuid, String, Option<Uuid>, String, bool, String, i64);
    let row: Option<Row> = sqlx::query_as(
        "select r.project_id, p.number || ' · ' || p.name, r.work_package_id, r.note, r.billable,
                to_char(r.started_at at time zone t.time_zone, 'HH24:MI'),
                extract(epoch from now() - r.started_at)::bigint
         from timers r join projects p on p.id = r.project_id join tenants t on t.id = r.tenant_id
         where r.user_id = $1 and r.tenant_id = $2",
    )
    .bind(user_id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(
            project_id,
            project_label,
            work_package_id,
            note,
            billable,
            started_at,
            elapsed_seconds,
        )| RunningTimer {
            project_id,
            project_label,
            work_package_id,
            note,
            billable,
            started_at,
            elapsed_seconds,
        },
    ))
}

/// A stopped timer: what it ran on, the day it started (tenant's time zone) and its seconds.
pub struct StoppedTimer {
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub work_package_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub note: String,
    pub billable: bool,
    pub work_date: NaiveDate,
    pub seconds: i64,
}

/// Removes the user's timer (in any tenant) and tells what it was.
pub async fn take_timer(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<Option<StoppedTimer>> {
    type Row = (
        Uuid,
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        String,
        bool,
        NaiveDate,
        i64,
    );
    let row: Option<Row> = sqlx::query_as(
        "delete from timers r using tenants t
         where r.user_id = $1 and t.id = r.tenant_id
         returning r.tenant_id, r.project_id, r.work_package_id, r.task_id, r.note, r.billable,
                   (r.started_at at time zone t.time_zone)::date, extract(epoch from now() - r.started_at)::bigint",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(tenant_id, project_id, work_package_id, task_id, note, billable, work_date, seconds)| {
            StoppedTimer {
                tenant_id,
                project_id,
                work_package_id,
                task_id,
                note,
                billable,
                work_date,
                seconds,
            }
        },
    ))
}

pub async fn put_timer(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    start: &TimerStart,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into timers (user_id, tenant_id, project_id, work_package_id, task_id, note, billable)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(tenant_id)
    .bind(start.project_id)
    .bind(start.work_package_id)
    .bind(start.task_id)
    .bind(start.note.trim())
    .bind(start.billable)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open projects to book on: the user's recent ones first, then by number; with search.
pub async fn choices(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    search: &str,
) -> sqlx::Result<Vec<ProjectChoice>> {
    let patterns = crate::customers::repo::search_patterns(search);
    type Row = (Uuid, String, Option<Vec<Uuid>>, Option<Vec<String>>);
    let rows: Vec<Row> = sqlx::query_as(
        "select p.id, p.number || ' · ' || p.name || ' (' || k.display_name || ')',
                (select array_agg(w.id order by w.position) from work_packages w where w.project_id = p.id),
                (select array_agg(w.name order by w.position) from work_packages w where w.project_id = p.id)
         from projects p join customers k on k.id = p.customer_id
         left join lateral (
             select max(e.work_date) as last_used from time_entries e
             where e.project_id = p.id and e.user_id = $2 and e.work_date > current_date - 60
         ) recent on true
         where p.tenant_id = $1 and p.status in ('planned', 'active', 'on_hold')
           and (cardinality($3::text[]) = 0 or lower(p.number || ' ' || p.name || ' ' || k.display_name) like all ($3))
         order by recent.last_used desc nulls last, p.number
         limit 30",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(&patterns)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, label, ids, names)| ProjectChoice {
            id,
            label,
            work_packages: ids
                .unwrap_or_default()
                .into_iter()
                .zip(names.unwrap_or_default())
                .collect(),
        })
        .collect())
}
