use super::model::*;
use crate::domain::budget::{self, Budget, Effort, Light, Thresholds};
use crate::domain::durations::{Rounding, RoundingMode};
use crate::domain::permissions::allows;
use crate::domain::{Permission, Role};
use crate::i18n::{Key, Lang};
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub const DEFAULT_PROJECT_PATTERN: &str = "P-{####}";

/// The tenant's project rules; defaults until they were saved once.
pub async fn settings(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<ProjectSettings> {
    type Row = (
        Decimal,
        Decimal,
        Decimal,
        Decimal,
        i32,
        String,
        String,
        Option<NaiveDate>,
    );
    let row: Option<Row> = sqlx::query_as(
        "select yellow_at, red_at, forecast_tolerance, default_rate, rounding_step, rounding_mode,
                    federal_state, time_locked_until
             from project_settings where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some((yellow_at, red_at, forecast_tolerance, default_rate, step, mode, state, locked)) => {
            ProjectSettings {
                thresholds: Thresholds {
                    yellow_at,
                    red_at,
                    forecast_tolerance,
                },
                default_rate,
                rounding: Rounding {
                    step_minutes: u32::try_from(step).unwrap_or(1),
                    mode: RoundingMode::parse(&mode).unwrap_or(RoundingMode::Up),
                },
                federal_state: state,
                time_locked_until: locked,
            }
        }
        None => ProjectSettings {
            thresholds: Thresholds::default(),
            default_rate: Decimal::from(95),
            rounding: Rounding::default(),
            federal_state: "BE".to_owned(),
            time_locked_until: None,
        },
    })
}

pub async fn save_settings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    settings: &ProjectSettings,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into project_settings (tenant_id, yellow_at, red_at, forecast_tolerance, default_rate,
                                       rounding_step, rounding_mode, federal_state, time_locked_until)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (tenant_id) do update set
             yellow_at = excluded.yellow_at, red_at = excluded.red_at,
             forecast_tolerance = excluded.forecast_tolerance, default_rate = excluded.default_rate,
             rounding_step = excluded.rounding_step, rounding_mode = excluded.rounding_mode,
             federal_state = excluded.federal_state, time_locked_until = excluded.time_locked_until",
    )
    .bind(tenant_id)
    .bind(settings.thresholds.yellow_at)
    .bind(settings.thresholds.red_at)
    .bind(settings.thresholds.forecast_tolerance)
    .bind(settings.default_rate)
    .bind(i32::try_from(settings.rounding.step_minutes).unwrap_or(1))
    .bind(settings.rounding.mode.as_str())
    .bind(&settings.federal_state)
    .bind(settings.time_locked_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the customer and the manager (a staff member of the tenant) exist.
pub async fn references_exist(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    manager_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query_as(
        "select exists (select 1 from customers where id = $2 and tenant_id = $1),
                $3::uuid is null or exists (select 1 from memberships where tenant_id = $1 and user_id = $3
                                            and active and customer_id is null and reseller_id is null)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(manager_id)
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    number: &str,
    project: &ValidProject,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into projects (id, tenant_id, number, customer_id, name, description, billing_mode, status,
                               manager_id, starts_on, ends_on, budget_hours, budget_amount, hourly_rate,
                               retainer_hours, retainer_fee)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(number)
    .bind(project.customer_id)
    .bind(&project.name)
    .bind(&project.description)
    .bind(project.billing.as_str())
    .bind(project.status.as_str())
    .bind(project.manager_id)
    .bind(project.starts_on)
    .bind(project.ends_on)
    .bind(project.budget_hours)
    .bind(project.budget_amount)
    .bind(project.hourly_rate)
    .bind(project.retainer_hours)
    .bind(project.retainer_fee)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes a project; false when the tenant has no such project. The customer stays.
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    project: &ValidProject,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update projects set name = $3, description = $4, billing_mode = $5, status = $6, manager_id = $7,
                starts_on = $8, ends_on = $9, budget_hours = $10, budget_amount = $11, hourly_rate = $12,
                retainer_hours = $13, retainer_fee = $14, updated_at = now()
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&project.name)
    .bind(&project.description)
    .bind(project.billing.as_str())
    .bind(project.status.as_str())
    .bind(project.manager_id)
    .bind(project.starts_on)
    .bind(project.ends_on)
    .bind(project.budget_hours)
    .bind(project.budget_amount)
    .bind(project.hourly_rate)
    .bind(project.retainer_hours)
    .bind(project.retainer_fee)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A work package's plan and progress as stored.
struct PackageRow {
    id: Uuid,
    name: String,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    planned: Effort,
    judged_progress: Decimal,
    /// The share of done estimates, when tasks carry estimates.
    task_progress: Option<Decimal>,
}

/// Budgets of projects and of their work packages, from three set-based queries.
struct Rollup {
    project: Budget,
    packages: Vec<(PackageRow, Budget)>,
    unassigned: Budget,
}

fn hours_of(minutes: i64) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60)).round_dp(2)
}

/// Rolls time and plans up for the projects (id, planned hours, planned amount).
async fn roll_up(
    conn: &mut PgConnection,
    projects: &[(Uuid, Decimal, Decimal)],
    limits: &Thresholds,
) -> sqlx::Result<HashMap<Uuid, Rollup>> {
    let ids: Vec<Uuid> = projects.iter().map(|p| p.0).collect();
    let actuals: Vec<(Uuid, Option<Uuid>, i64, Decimal)> = sqlx::query_as(
        "select project_id, work_package_id, sum(minutes)::bigint, sum(round(minutes * rate / 60, 2))
         from time_entries where project_id = any($1) group by 1, 2",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    type Row = (
        Uuid,
        Uuid,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Decimal,
        Decimal,
        Decimal,
        Option<Decimal>,
        Option<Decimal>,
    );
    let rows: Vec<Row> =
        sqlx::query_as(
            "select w.id, w.project_id, w.name, w.starts_on, w.ends_on, w.planned_hours, w.planned_amount, w.progress,
                    t.total, t.done
             from work_packages w
             left join lateral (
                 select sum(estimate_hours) as total, coalesce(sum(estimate_hours) filter (where status = 'done'), 0) as done
                 from tasks where work_package_id = w.id and estimate_hours > 0
             ) t on true
             where w.project_id = any($1)
             order by w.project_id, w.position, w.name",
        )
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    let mut spent: HashMap<(Uuid, Option<Uuid>), Effort> = HashMap::new();
    for (project, package, minutes, amount) in actuals {
        spent.insert(
            (project, package),
            Effort {
                hours: hours_of(minutes),
                amount,
            },
        );
    }
    let mut packages: HashMap<Uuid, Vec<PackageRow>> = HashMap::new();
    for (id, project_id, name, starts_on, ends_on, hours, amount, judged, total, done) in rows {
        let task_progress = match (total, done) {
            (Some(total), Some(done)) => {
                budget::progress_from_tasks(&[(done, true), (total - done, false)])
            }
            _ => None,
        };
        packages.entry(project_id).or_default().push(PackageRow {
            id,
            name,
            starts_on,
            ends_on,
            planned: Effort { hours, amount },
            judged_progress: judged,
            task_progress,
        });
    }
    let mut result = HashMap::new();
    for (project_id, planned_hours, planned_amount) in projects {
        let rows = packages.remove(project_id).unwrap_or_default();
        let mut actual = spent.get(&(*project_id, None)).copied().unwrap_or_default();
        let unassigned = budget::evaluate(Effort::default(), actual, Decimal::ZERO, limits);
        let mut planned_by_packages = Effort::default();
        let mut weights = Vec::new();
        let mut evaluated = Vec::new();
        for row in rows {
            let spent_here = spent
                .get(&(*project_id, Some(row.id)))
                .copied()
                .unwrap_or_default();
            actual = actual + spent_here;
            planned_by_packages = planned_by_packages + row.planned;
            let progress = row.task_progress.unwrap_or(row.judged_progress);
            weights.push((row.planned.hours, progress));
            let package_budget = budget::evaluate(row.planned, spent_here, progress, limits);
            evaluated.push((row, package_budget));
        }
        // the project's own budget counts; without one, its work packages' plans add up
        let planned = Effort {
            hours: if planned_hours.is_zero() {
                planned_by_packages.hours
            } else {
                *planned_hours
            },
            amount: if planned_amount.is_zero() {
                planned_by_packages.amount
            } else {
                *planned_amount
            },
        };
        let progress = budget::weighted_progress(&weights);
        result.insert(
            *project_id,
            Rollup {
                project: budget::evaluate(planned, actual, progress, limits),
                packages: evaluated,
                unassigned,
            },
        );
    }
    Ok(result)
}

/// Recomputes the stored lights of projects after their time or plan changed; a light
/// that got worse notifies the project manager (or, without one, everyone who manages
/// projects) in their language. Returns the projects whose light changed.
pub async fn refresh_lights(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Light, Light)>> {
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let limits = settings(&mut *conn, tenant_id).await?.thresholds;
    let stored: Vec<(Uuid, Decimal, Decimal, String)> = sqlx::query_as(
        "select id, budget_hours, budget_amount, light from projects
         where tenant_id = $1 and id = any($2) for update",
    )
    .bind(tenant_id)
    .bind(project_ids)
    .fetch_all(&mut *conn)
    .await?;
    let plans: Vec<(Uuid, Decimal, Decimal)> =
        stored.iter().map(|(id, h, a, _)| (*id, *h, *a)).collect();
    let rollups = roll_up(&mut *conn, &plans, &limits).await?;
    let mut changed = Vec::new();
    for (id, _, _, light) in &stored {
        let old = Light::parse(light).unwrap_or(Light::Green);
        let new = rollups
            .get(id)
            .and_then(|r| r.project.light)
            .unwrap_or(Light::Green);
        if old != new {
            changed.push((*id, old, new));
        }
    }
    if changed.is_empty() {
        return Ok(changed);
    }
    let ids: Vec<Uuid> = changed.iter().map(|c| c.0).collect();
    let lights: Vec<&str> = changed.iter().map(|c| c.2.as_str()).collect();
    let worse: Vec<bool> = changed.iter().map(|c| c.2 > c.1).collect();
    let roles: Vec<&str> = Role::STAFF_ROLES
        .into_iter()
        .filter(|role| allows(&[*role], Permission::ManageProjects))
        .map(Role::as_str)
        .collect();
    let text = |lang: Lang, light: Light| match light {
        Light::Red => Key::ProjAlertRed.text(lang),
        _ => Key::ProjAlertYellow.text(lang),
    };
    sqlx::query(
        "with changed as (
             update projects p set light = c.light, updated_at = now()
             from unnest($2::uuid[], $3::text[], $4::bool[]) as c(id, light, worse)
             where p.tenant_id = $1 and p.id = c.id
             returning p.id, p.tenant_id, p.number, p.name, p.manager_id, c.light, c.worse
         ), notified as (
             insert into notifications (id, tenant_id, user_id, kind, title, body, link, dedupe_key)
             select gen_random_uuid(), c.tenant_id, m.user_id, 'project_budget',
                    replace(replace(case when c.light = 'red' then (case when u.language = 'en' then $7 else $6 end)
                                         else (case when u.language = 'en' then $9 else $8 end) end,
                                    '{number}', c.number), '{name}', c.name),
                    '', '/projects/' || c.id, 'project-light:' || c.id || ':' || gen_random_uuid()
             from changed c
             join memberships m on m.tenant_id = c.tenant_id and m.active
                  and (m.user_id = c.manager_id or (c.manager_id is null and m.roles && $5::text[]))
             join users u on u.id = m.user_id and u.active
             where c.worse
             returning user_id, title
         )
         -- and by e-mail, sent by the outbox worker when the tenant has a mail server
         insert into outbox_mails (id, tenant_id, recipient, subject, body)
         select gen_random_uuid(), $1, u.email, n.title,
                n.title || E'\\n\\n' || case when u.language = 'en' then $11 else $10 end
         from notified n join users u on u.id = n.user_id
         where u.email ~ '^[^@\\s]+@[^@\\s]+$'",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(&lights)
    .bind(&worse)
    .bind(&roles)
    .bind(text(Lang::De, Light::Red))
    .bind(text(Lang::En, Light::Red))
    .bind(text(Lang::De, Light::Yellow))
    .bind(text(Lang::En, Light::Yellow))
    .bind(Key::ProjAlertMailBody.text(Lang::De))
    .bind(Key::ProjAlertMailBody.text(Lang::En))
    .execute(&mut *conn)
    .await?;
    Ok(changed)
}

/// Conditions of the dashboard filter on `p` (projects), parameters from $2.
fn filter_sql(filter: &ProjectFilter) -> String {
    let mut conditions = vec!["p.tenant_id = $1".to_owned()];
    conditions.push(match filter.status {
        Some(_) => "p.status = $2".to_owned(),
        None => "p.status in ('planned', 'active', 'on_hold')".to_owned(),
    });
    if filter.light.is_some() {
        conditions.push("p.light = $3".to_owned());
    }
    if filter.manager_id.is_some() {
        conditions.push("p.manager_id = $4".to_owned());
    }
    if filter.customer_id.is_some() {
        conditions.push("p.customer_id = $5".to_owned());
    }
    conditions.push("(cardinality($6::text[]) = 0 or (lower(p.number || ' ' || p.name || ' ' || k.display_name) like all ($6)))".to_owned());
    conditions.join(" and ")
}

fn person(id: Option<Uuid>, name: Option<String>) -> Option<Person> {
    id.zip(name).map(|(id, name)| Person { id, name })
}

/// The dashboard: light counts of the filtered projects, one page of them with fresh
/// budgets, the next milestones and this week's team load.
pub async fn dashboard(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &ProjectFilter,
    request: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Dashboard> {
    let limits = settings(&mut *conn, tenant_id).await?.thresholds;
    let conditions = filter_sql(filter);
    let patterns = crate::customers::repo::search_patterns(&request.search);
    let order = match request.sort.as_str() {
        "name" => "p.name",
        "customer" => "k.display_name",
        "light" => "case p.light when 'red' then 0 when 'yellow' then 1 else 2 end",
        "ends_on" => "p.ends_on",
        _ => "p.number",
    };
    let direction = if request.descending { "desc" } else { "asc" };
    let counts: (i64, i64, i64) = sqlx::query_as(&format!(
        "select count(*) filter (where p.light = 'green'), count(*) filter (where p.light = 'yellow'),
                count(*) filter (where p.light = 'red')
         from projects p join customers k on k.id = p.customer_id
         where {}",
        filter_sql(&ProjectFilter { light: None, ..filter.clone() })
    ))
    .bind(tenant_id)
    .bind(filter.status.map(ProjectStatus::as_str))
    .bind(filter.light.map(Light::as_str))
    .bind(filter.manager_id)
    .bind(filter.customer_id)
    .bind(&patterns)
    .fetch_one(&mut *conn)
    .await?;
    type Row = (
        Uuid,
        String,
        String,
        Uuid,
        String,
        Option<Uuid>,
        Option<String>,
        String,
        String,
        Option<NaiveDate>,
        Decimal,
        Decimal,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select p.id, p.number, p.name, p.customer_id, k.display_name, p.manager_id, u.display_name,
                p.billing_mode, p.status, p.ends_on, p.budget_hours, p.budget_amount, count(*) over ()
         from projects p join customers k on k.id = p.customer_id
         left join users u on u.id = p.manager_id
         where {conditions}
         order by {order} {direction} nulls last, p.number
         limit $7 offset $8"
    ))
    .bind(tenant_id)
    .bind(filter.status.map(ProjectStatus::as_str))
    .bind(filter.light.map(Light::as_str))
    .bind(filter.manager_id)
    .bind(filter.customer_id)
    .bind(&patterns)
    .bind(request.limit())
    .bind(request.offset())
    .fetch_all(&mut *conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.12);
    let plans: Vec<(Uuid, Decimal, Decimal)> = rows.iter().map(|r| (r.0, r.10, r.11)).collect();
    let mut rollups = roll_up(&mut *conn, &plans, &limits).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let mut next: HashMap<Uuid, MilestoneDue> =
        milestones_due(&mut *conn, tenant_id, Some(&ids), today, 1000)
            .await?
            .into_iter()
            .fold(HashMap::new(), |mut next, m| {
                next.entry(m.project_id).or_insert(m);
                next
            });
    let items = rows
        .into_iter()
        .map(
            |(
                id,
                number,
                name,
                customer_id,
                customer_name,
                _,
                manager_name,
                billing,
                status,
                ends_on,
                _,
                _,
                _,
            )| ProjectRow {
                budget: rollups.remove(&id).map(|r| r.project).unwrap_or_else(|| {
                    budget::evaluate(Effort::default(), Effort::default(), Decimal::ZERO, &limits)
                }),
                next_milestone: next.remove(&id),
                id,
                number,
                name,
                customer_id,
                customer_name,
                manager_name,
                billing: ProjectBilling::parse(&billing).unwrap_or(ProjectBilling::TimeAndMaterial),
                status: ProjectStatus::parse(&status).unwrap_or(ProjectStatus::Active),
                ends_on,
            },
        )
        .collect();
    let milestones = milestones_due(&mut *conn, tenant_id, None, today, 8).await?;
    let team = team_load(&mut *conn, tenant_id, today).await?;
    Ok(Dashboard {
        lights: LightCounts {
            green: counts.0,
            yellow: counts.1,
            red: counts.2,
        },
        projects: Page::new(items, total, request),
        milestones,
        team,
    })
}

/// Milestones not yet accepted of open projects, soonest first (of the given projects, or all).
async fn milestones_due(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    projects: Option<&[Uuid]>,
    today: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<MilestoneDue>> {
    let rows: Vec<(Uuid, Uuid, String, String, String, NaiveDate, String)> = sqlx::query_as(
        "select m.id, p.id, p.number, p.name, m.name, m.due_on, m.status
         from milestones m join projects p on p.id = m.project_id
         where m.tenant_id = $1 and m.status <> 'accepted' and p.status in ('planned', 'active', 'on_hold')
           and ($2::uuid[] is null or m.project_id = any($2))
         order by m.due_on, p.number
         limit $3",
    )
    .bind(tenant_id)
    .bind(projects)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, project_id, project_number, project_name, name, due_on, status)| MilestoneDue {
                id,
                project_id,
                project_number,
                project_name,
                name,
                days_left: (due_on - today).num_days(),
                due_on,
                status: MilestoneStatus::parse(&status).unwrap_or(MilestoneStatus::Open),
            },
        )
        .collect())
}

/// This week's logged and billable hours of the tenant against the staff's weekly hours.
async fn team_load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<TeamLoad> {
    let monday = crate::domain::capacity::week_start(today);
    let (capacity, logged, billable): (Decimal, i64, i64) = sqlx::query_as(
        "select coalesce((select sum((select sum(h) from unnest(coalesce(s.weekly_hours, '{8,8,8,8,8,0,0}'::numeric[])) h))
                          from memberships m left join staff_profiles s on s.tenant_id = m.tenant_id and s.user_id = m.user_id
                          where m.tenant_id = $1 and m.active and m.customer_id is null and m.reseller_id is null), 0),
                coalesce(sum(e.minutes), 0)::bigint, coalesce(sum(e.minutes) filter (where e.billable), 0)::bigint
         from time_entries e
         where e.tenant_id = $1 and e.work_date between $2 and $2 + 6",
    )
    .bind(tenant_id)
    .bind(monday)
    .fetch_one(conn)
    .await?;
    Ok(TeamLoad {
        capacity_hours: capacity,
        logged_hours: hours_of(logged),
        billable_hours: hours_of(billable),
    })
}

/// Active staff members of the tenant, by name.
pub async fn staff(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<Vec<Person>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "select u.id, u.display_name from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.active and u.active and m.customer_id is null and m.reseller_id is null
         order by u.display_name",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Person { id, name })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DetailRecord {
    number: String,
    customer_id: Uuid,
    customer_name: String,
    manager_id: Option<Uuid>,
    manager_name: Option<String>,
    name: String,
    description: String,
    billing_mode: String,
    status: String,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    budget_hours: Decimal,
    budget_amount: Decimal,
    hourly_rate: Option<Decimal>,
    retainer_hours: Option<Decimal>,
    retainer_fee: Option<Decimal>,
    currency: String,
}

/// Everything the project page shows; none when the tenant has no such project.
pub async fn detail(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Option<ProjectDetail>> {
    let row: Option<DetailRecord> = sqlx::query_as(
        "select p.number, p.customer_id, k.display_name as customer_name, p.manager_id, u.display_name as manager_name,
                p.name, p.description, p.billing_mode, p.status, p.starts_on, p.ends_on, p.budget_hours, p.budget_amount,
                p.hourly_rate, p.retainer_hours, p.retainer_fee, t.currency
         from projects p join customers k on k.id = p.customer_id join tenants t on t.id = p.tenant_id
         left join users u on u.id = p.manager_id
         where p.tenant_id = $1 and p.id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(DetailRecord {
        number,
        customer_id,
        customer_name,
        manager_id,
        manager_name,
        name,
        description,
        billing_mode: billing,
        status,
        starts_on,
        ends_on,
        budget_hours,
        budget_amount,
        hourly_rate,
        retainer_hours,
        retainer_fee,
        currency,
    }) = row
    else {
        return Ok(None);
    };
    let limits = settings(&mut *conn, tenant_id).await?.thresholds;
    let mut rollups = roll_up(&mut *conn, &[(id, budget_hours, budget_amount)], &limits).await?;
    let Some(rollup) = rollups.remove(&id) else {
        return Ok(None);
    };
    let billing = ProjectBilling::parse(&billing).unwrap_or(ProjectBilling::TimeAndMaterial);
    let tasks = tasks_of(&mut *conn, id).await?;
    let work_packages = rollup
        .packages
        .into_iter()
        .map(|(row, budget)| WorkPackage {
            tasks: tasks
                .iter()
                .filter(|t| t.work_package_id == Some(row.id))
                .cloned()
                .collect(),
            id: row.id,
            name: row.name,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            judged_progress: row.judged_progress,
            budget,
        })
        .collect();
    let milestones = milestones_of(&mut *conn, id).await?;
    let weekly: Vec<(NaiveDate, i64)> = sqlx::query_as(
        "select date_trunc('week', work_date)::date, sum(minutes)::bigint from time_entries
         where project_id = $1 group by 1 order by 1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let weekly: Vec<(NaiveDate, Decimal)> =
        weekly.into_iter().map(|(w, m)| (w, hours_of(m))).collect();
    let (unbilled_minutes, unbilled_amount): (i64, Decimal) = sqlx::query_as(
        "select coalesce(sum(minutes), 0)::bigint, coalesce(sum(round(minutes * rate / 60, 2)), 0)
         from time_entries where project_id = $1 and billable and invoice_id is null",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let earned_value = (billing == ProjectBilling::FixedPrice).then(|| {
        let share = match (starts_on, ends_on) {
            (Some(start), Some(end)) => budget::schedule_share(start, end, today),
            _ => Decimal::ZERO,
        };
        budget::earned_value(
            rollup.project.planned.amount,
            rollup.project.progress,
            rollup.project.actual.amount,
            share,
        )
    });
    let team = staff(&mut *conn, tenant_id).await?;
    let decimal =
        |value: Option<Decimal>| value.map(|v| v.normalize().to_string()).unwrap_or_default();
    let date = |value: Option<NaiveDate>| value.map(|d| d.to_string()).unwrap_or_default();
    Ok(Some(ProjectDetail {
        id,
        number,
        customer_id,
        customer_name,
        manager: person(manager_id, manager_name),
        input: ProjectInput {
            customer_id: Some(customer_id),
            name,
            description,
            billing,
            status: ProjectStatus::parse(&status).unwrap_or(ProjectStatus::Active),
            manager_id,
            starts_on: date(starts_on),
            ends_on: date(ends_on),
            budget_hours: decimal(Some(budget_hours).filter(|v| !v.is_zero())),
            budget_amount: decimal(Some(budget_amount).filter(|v| !v.is_zero())),
            hourly_rate: decimal(hourly_rate),
            retainer_hours: decimal(retainer_hours),
            retainer_fee: decimal(retainer_fee),
        },
        currency,
        burn: budget::burn(rollup.project.planned.hours, &weekly),
        budget: rollup.project,
        thresholds: limits,
        earned_value,
        work_packages,
        unassigned: rollup.unassigned,
        milestones,
        unbilled_hours: hours_of(unbilled_minutes),
        unbilled_amount,
        team,
    }))
}

async fn tasks_of(conn: &mut PgConnection, project_id: Uuid) -> sqlx::Result<Vec<Task>> {
    type Row = (
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        String,
        Option<Uuid>,
        Option<String>,
        Option<Decimal>,
        String,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select t.id, t.work_package_id, t.parent_id, t.title, t.assignee_id, u.display_name, t.estimate_hours,
                t.status, t.due_on
         from tasks t left join users u on u.id = t.assignee_id
         where t.project_id = $1
         order by t.work_package_id, coalesce(t.parent_id, t.id), t.parent_id nulls first, t.position, t.created_at",
    )
    .bind(project_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                work_package_id,
                parent_id,
                title,
                assignee_id,
                assignee_name,
                estimate_hours,
                status,
                due_on,
            )| Task {
                id,
                work_package_id,
                parent_id,
                title,
                assignee: person(assignee_id, assignee_name),
                estimate_hours,
                status: TaskStatus::parse(&status).unwrap_or(TaskStatus::Open),
                due_on,
            },
        )
        .collect())
}

async fn milestones_of(conn: &mut PgConnection, project_id: Uuid) -> sqlx::Result<Vec<Milestone>> {
    type Row = (
        Uuid,
        String,
        NaiveDate,
        Option<Decimal>,
        String,
        Option<String>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select m.id, m.name, m.due_on, m.amount, m.status,
                to_char(m.accepted_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'), u.display_name, m.invoice_id, i.number
         from milestones m join tenants t on t.id = m.tenant_id
         left join users u on u.id = m.accepted_by
         left join invoices i on i.id = m.invoice_id
         where m.project_id = $1 order by m.due_on, m.name",
    )
    .bind(project_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                name,
                due_on,
                amount,
                status,
                accepted_at,
                accepted_by,
                invoice_id,
                invoice_number,
            )| {
                Milestone {
                    id,
                    name,
                    due_on,
                    amount,
                    status: MilestoneStatus::parse(&status).unwrap_or(MilestoneStatus::Open),
                    accepted: accepted_at.map(|at| (at, accepted_by.unwrap_or_default())),
                    invoice_id,
                    invoice_number,
                }
            },
        )
        .collect())
}

/// Whether the tenant has the project.
pub async fn exists(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from projects where tenant_id = $1 and id = $2)")
        .bind(tenant_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

pub async fn insert_work_package(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_id: Uuid,
    id: Uuid,
    package: &ValidWorkPackage,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into work_packages (id, tenant_id, project_id, position, name, planned_hours, planned_amount,
                                    progress, starts_on, ends_on)
         values ($1, $2, $3, (select coalesce(max(position), 0) + 1 from work_packages where project_id = $3),
                 $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(project_id)
    .bind(&package.name)
    .bind(package.planned_hours)
    .bind(package.planned_amount)
    .bind(package.progress)
    .bind(package.starts_on)
    .bind(package.ends_on)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes a work package; its project, or none when the tenant has no such package.
pub async fn update_work_package(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    package: &ValidWorkPackage,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "update work_packages set name = $3, planned_hours = $4, planned_amount = $5, progress = $6,
                starts_on = $7, ends_on = $8
         where tenant_id = $1 and id = $2 returning project_id",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&package.name)
    .bind(package.planned_hours)
    .bind(package.planned_amount)
    .bind(package.progress)
    .bind(package.starts_on)
    .bind(package.ends_on)
    .fetch_optional(conn)
    .await
}

/// Whether the work package and the parent task belong to the project, and the assignee
/// to the tenant's staff.
pub async fn task_references_exist(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_id: Uuid,
    input: &TaskInput,
) -> sqlx::Result<(bool, bool, bool)> {
    sqlx::query_as(
        "select $3::uuid is null or exists (select 1 from work_packages where id = $3 and project_id = $2),
                $4::uuid is null or exists (select 1 from tasks where id = $4 and project_id = $2 and parent_id is null),
                $5::uuid is null or exists (select 1 from memberships where tenant_id = $1 and user_id = $5 and active
                                            and customer_id is null and reseller_id is null)",
    )
    .bind(tenant_id)
    .bind(project_id)
    .bind(input.work_package_id)
    .bind(input.parent_id)
    .bind(input.assignee_id)
    .fetch_one(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_task(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_id: Uuid,
    id: Uuid,
    input: &TaskInput,
    title: &str,
    estimate: Option<Decimal>,
    due_on: Option<NaiveDate>,
) -> sqlx::Result<()> {
    // a subtask lives in its parent's work package
    sqlx::query(
        "insert into tasks (id, tenant_id, project_id, work_package_id, parent_id, title, assignee_id,
                            estimate_hours, due_on, position)
         values ($1, $2, $3, coalesce((select work_package_id from tasks where id = $5), $4), $5, $6, $7, $8, $9,
                 (select coalesce(max(position), 0) + 1 from tasks where project_id = $3))",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(project_id)
    .bind(input.work_package_id)
    .bind(input.parent_id)
    .bind(title)
    .bind(input.assignee_id)
    .bind(estimate)
    .bind(due_on)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a task's status; its project, or none when the tenant has no such task.
pub async fn set_task_status(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    status: TaskStatus,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "update tasks set status = $3 where tenant_id = $1 and id = $2 returning project_id",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status.as_str())
    .fetch_optional(conn)
    .await
}

pub async fn insert_milestone(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    project_id: Uuid,
    id: Uuid,
    name: &str,
    due_on: NaiveDate,
    amount: Option<Decimal>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into milestones (id, tenant_id, project_id, name, due_on, amount) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(project_id)
    .bind(name)
    .bind(due_on)
    .bind(amount)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a milestone on (open → reached → accepted); none when the tenant has no such
/// milestone in the expected state (or, with `customer`, not of that customer's project).
pub async fn advance_milestone(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    from: MilestoneStatus,
    to: MilestoneStatus,
    by: Option<Uuid>,
    customer: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "update milestones m set status = $4,
                reached_at = case when $4 = 'reached' then now() else m.reached_at end,
                accepted_at = case when $4 = 'accepted' then now() else m.accepted_at end,
                accepted_by = case when $4 = 'accepted' then $5 else m.accepted_by end
         from projects p
         where m.tenant_id = $1 and m.id = $2 and m.status = $3 and p.id = m.project_id
           and ($6::uuid is null or p.customer_id = $6)
         returning m.project_id",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(by)
    .bind(customer)
    .fetch_optional(conn)
    .await
}

/// Revenue, cost and profit per project and customer, and payouts per person, for a period:
/// revenue by issue date of the project's invoices (credit notes of them subtract), cost
/// and payouts by work date.
pub async fn profit(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<ProfitReport> {
    type Row = (Uuid, String, Uuid, String, Decimal, i64, Decimal);
    let rows: Vec<Row> = sqlx::query_as(
        "with revenue as (
             select pi.project_id, sum(case when i.kind = 'credit_note' then -i.net_total else i.net_total end) as net
             from invoices i
             join project_invoices pi on pi.invoice_id = coalesce(i.corrects_id, i.id)
             where i.tenant_id = $1 and i.status = 'issued' and i.issue_date between $2 and $3
             group by 1
         ), work as (
             select project_id, sum(minutes)::bigint as minutes, sum(round(minutes * cost_rate / 60, 2)) as cost
             from time_entries where tenant_id = $1 and work_date between $2 and $3
             group by 1
         )
         select p.id, p.number || ' · ' || p.name, p.customer_id, k.display_name,
                coalesce(r.net, 0), coalesce(w.minutes, 0), coalesce(w.cost, 0)
         from projects p join customers k on k.id = p.customer_id
         left join revenue r on r.project_id = p.id
         left join work w on w.project_id = p.id
         where p.tenant_id = $1 and (r.project_id is not null or w.project_id is not null)
         order by coalesce(r.net, 0) - coalesce(w.cost, 0) desc, p.number",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let projects: Vec<ProjectProfit> = rows
        .into_iter()
        .map(
            |(project_id, label, customer_id, customer_name, revenue, minutes, cost)| {
                ProjectProfit {
                    project_id,
                    label,
                    customer_id,
                    customer_name,
                    revenue,
                    hours: hours_of(minutes),
                    cost,
                    profit: revenue - cost,
                }
            },
        )
        .collect();
    let mut customers: Vec<CustomerProfit> = Vec::new();
    for p in &projects {
        match customers
            .iter_mut()
            .find(|c| c.customer_id == p.customer_id)
        {
            Some(c) => {
                c.revenue += p.revenue;
                c.cost += p.cost;
                c.profit += p.profit;
            }
            None => customers.push(CustomerProfit {
                customer_id: p.customer_id,
                customer_name: p.customer_name.clone(),
                revenue: p.revenue,
                cost: p.cost,
                profit: p.profit,
            }),
        }
    }
    customers.sort_by_key(|c| std::cmp::Reverse(c.profit));
    let payouts: Vec<(Uuid, String, i64, i64, Decimal)> = sqlx::query_as(
        "select u.id, u.display_name, sum(e.minutes)::bigint, coalesce(sum(e.minutes) filter (where e.billable), 0)::bigint,
                sum(round(e.minutes * e.cost_rate / 60, 2))
         from time_entries e join users u on u.id = e.user_id
         where e.tenant_id = $1 and e.work_date between $2 and $3
         group by u.id, u.display_name order by u.display_name",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let currency: String = sqlx::query_scalar("select currency from tenants where id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(ProfitReport {
        from,
        to,
        currency,
        projects,
        customers,
        payouts: payouts
            .into_iter()
            .map(|(id, name, minutes, billable, amount)| Payout {
                person: Person { id, name },
                hours: hours_of(minutes),
                billable_hours: hours_of(billable),
                amount,
            })
            .collect(),
    })
}
