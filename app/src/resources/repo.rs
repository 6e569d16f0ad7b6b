use super::model::*;
use crate::domain::capacity::{self, Absence, Assignment, WeeklyHours};
use crate::domain::holidays::{self, FederalState};
use crate::i18n::{Key, Lang};
use crate::projects::model::Person;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Everyone's load over `count` weeks from the Monday `first`, in four statements.
pub async fn plan(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    first: NaiveDate,
    count: u32,
    lang: Lang,
) -> sqlx::Result<(
    Vec<NaiveDate>,
    Vec<PersonPlan>,
    Vec<AssignmentView>,
    Vec<AbsenceView>,
)> {
    let weeks: Vec<NaiveDate> = (0..count)
        .map(|i| first + Days::new(u64::from(i) * 7))
        .collect();
    let last = first + Days::new(u64::from(count) * 7 - 1);
    let people: Vec<(Uuid, String, Option<Vec<Decimal>>, String)> = sqlx::query_as(
        "select u.id, u.display_name, s.weekly_hours, coalesce(s.federal_state, ps.federal_state, 'BE')
         from memberships m join users u on u.id = m.user_id
         left join staff_profiles s on s.tenant_id = m.tenant_id and s.user_id = m.user_id
         left join project_settings ps on ps.tenant_id = m.tenant_id
         where m.tenant_id = $1 and m.active and u.active and m.customer_id is null and m.reseller_id is null
         order by u.display_name",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let absences: Vec<(Uuid, Uuid, String, NaiveDate, NaiveDate, String)> = sqlx::query_as(
        "select id, user_id, kind, starts_on, ends_on, note from absences
         where tenant_id = $1 and starts_on <= $3 and ends_on >= $2 order by starts_on",
    )
    .bind(tenant_id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let assignments: Vec<(Uuid, Uuid, Uuid, String, NaiveDate, NaiveDate, Decimal)> = sqlx::query_as(
        "select a.id, a.user_id, a.project_id, p.number || ' · ' || p.name, a.starts_on, a.ends_on, a.hours_per_week
         from assignments a join projects p on p.id = a.project_id
         where a.tenant_id = $1 and a.starts_on <= $3 and a.ends_on >= $2
         order by p.number, a.starts_on",
    )
    .bind(tenant_id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;

    let calendars: HashMap<Uuid, (WeeklyHours, FederalState)> = people
        .iter()
        .map(|(id, _, hours, state)| {
            let hours = hours
                .clone()
                .and_then(|h| <[Decimal; 7]>::try_from(h).ok())
                .map(WeeklyHours)
                .unwrap_or_default();
            (
                *id,
                (
                    hours,
                    FederalState::parse(state).unwrap_or(FederalState::Be),
                ),
            )
        })
        .collect();
    let assignments: Vec<AssignmentView> = assignments
        .into_iter()
        .map(
            |(id, user_id, project_id, project_label, starts_on, ends_on, hours_per_week)| {
                let hours = calendars.get(&user_id).map(|c| c.0).unwrap_or_default();
                let planned = Assignment {
                    from: starts_on,
                    to: ends_on,
                    hours_per_week,
                };
                AssignmentView {
                    per_week: weeks
                        .iter()
                        .map(|w| capacity::planned_in_week(&planned, &hours, *w))
                        .collect(),
                    id,
                    user_id,
                    project_id,
                    project_label,
                    starts_on,
                    ends_on,
                    hours_per_week,
                }
            },
        )
        .collect();
    let absences: Vec<AbsenceView> = absences
        .into_iter()
        .map(
            |(id, user_id, kind, starts_on, ends_on, note)| AbsenceView {
                id,
                user_id,
                kind,
                starts_on,
                ends_on,
                note,
            },
        )
        .collect();
    let plans = people
        .into_iter()
        .map(|(id, name, _, _)| {
            let (hours, state) = calendars
                .get(&id)
                .copied()
                .unwrap_or((WeeklyHours::default(), FederalState::Be));
            let away: Vec<Absence> = absences
                .iter()
                .filter(|a| a.user_id == id)
                .map(|a| Absence {
                    from: a.starts_on,
                    to: a.ends_on,
                })
                .collect();
            let weeks = weeks
                .iter()
                .enumerate()
                .map(|(index, monday)| {
                    let sunday = *monday + Days::new(6);
                    let capacity = capacity::capacity(&hours, state, &away, *monday, sunday);
                    let planned: Decimal = assignments
                        .iter()
                        .filter(|a| a.user_id == id)
                        .filter_map(|a| a.per_week.get(index))
                        .sum();
                    let mut days_off: Vec<String> = (0..7)
                        .filter_map(|d| holidays::is_holiday(*monday + Days::new(d), state))
                        .filter(|h| hours.on(h.date) > Decimal::ZERO)
                        .map(|h| match lang {
                            Lang::De => h.name_de.to_owned(),
                            Lang::En => h.name_en.to_owned(),
                        })
                        .collect();
                    if away.iter().any(|a| a.from <= sunday && a.to >= *monday) {
                        days_off.push(Key::ResAbsent.text(lang).to_owned());
                    }
                    WeekLoad {
                        week: *monday,
                        capacity,
                        planned,
                        load: capacity::load(planned, capacity),
                        utilization: capacity::utilization_percent(planned, capacity),
                        days_off,
                    }
                })
                .collect();
            PersonPlan {
                person: Person { id, name },
                weeks,
            }
        })
        .collect();
    Ok((weeks, plans, assignments, absences))
}

/// Whether the person is active staff and the project (and work package) belong to the tenant.
pub async fn assignment_references_exist(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    project_id: Uuid,
    work_package_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool, bool)> {
    sqlx::query_as(
        "select exists (select 1 from memberships where tenant_id = $1 and user_id = $2 and active
                        and customer_id is null and reseller_id is null),
                exists (select 1 from projects where tenant_id = $1 and id = $3),
                $4::uuid is null or exists (select 1 from work_packages where id = $4 and project_id = $3)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(project_id)
    .bind(work_package_id)
    .fetch_one(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn save_assignment(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    project_id: Uuid,
    work_package_id: Option<Uuid>,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    hours_per_week: Decimal,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into assignments (id, tenant_id, user_id, project_id, work_package_id, starts_on, ends_on, hours_per_week)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (id) do update set user_id = excluded.user_id, project_id = excluded.project_id,
             work_package_id = excluded.work_package_id, starts_on = excluded.starts_on,
             ends_on = excluded.ends_on, hours_per_week = excluded.hours_per_week
         where assignments.tenant_id = excluded.tenant_id",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(user_id)
    .bind(project_id)
    .bind(work_package_id)
    .bind(starts_on)
    .bind(ends_on)
    .bind(hours_per_week)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an assignment to a person and a start day, keeping its length; none when the
/// tenant has no such assignment or no such active staff member.
pub async fn move_assignment(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    starts_on: NaiveDate,
) -> sqlx::Result<Option<(NaiveDate, NaiveDate)>> {
    sqlx::query_as(
        "update assignments a set user_id = $3, ends_on = $4 + (a.ends_on - a.starts_on), starts_on = $4
         where a.tenant_id = $1 and a.id = $2
           and exists (select 1 from memberships m where m.tenant_id = $1 and m.user_id = $3 and m.active
                       and m.customer_id is null and m.reseller_id is null)
         returning a.starts_on, a.ends_on",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(user_id)
    .bind(starts_on)
    .fetch_optional(conn)
    .await
}

pub async fn delete_assignment(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from assignments where tenant_id = $1 and id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_absence(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    kind: &str,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    note: &str,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into absences (id, tenant_id, user_id, kind, starts_on, ends_on, note) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(user_id)
    .bind(kind)
    .bind(starts_on)
    .bind(ends_on)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Removes an absence; its owner, or none when the tenant has no such absence.
pub async fn delete_absence(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("delete from absences where tenant_id = $1 and id = $2 returning user_id")
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}
