use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo::{self, NewEntry},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::capacity::{self, Absence, WeeklyHours},
    crate::domain::durations::parse_duration,
    crate::domain::format::parse_date,
    crate::domain::holidays::{self, FederalState},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    crate::projects::model::Person,
    crate::projects::repo::{refresh_lights, settings},
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

/// Whose time this is: one's own, or (for those who approve time and for API tokens)
/// the staff member named.
#[cfg(feature = "ssr")]
async fn subject(
    conn: &mut PgConnection,
    actor: &Actor,
    user_id: Option<Uuid>,
) -> Result<Uuid, AppError> {
    match (user_id, actor.user_id) {
        (Some(user), Some(me)) if user == me => Ok(me),
        (None, Some(me)) => Ok(me),
        (Some(user), _) => {
            actor
                .require(Permission::ApproveTime)
                .or_else(|error| match actor.user_id {
                    // tokens write time for people; "time:write" is enough
                    None if actor.may(Permission::TrackTime) => Ok(()),
                    _ => Err(error),
                })?;
            if repo::is_staff(conn, actor.tenant_id, user).await? {
                Ok(user)
            } else {
                Err(AppError::field(
                    "user_id",
                    Key::ErrNotFound.text(actor.lang),
                ))
            }
        }
        (None, None) => Err(AppError::field(
            "user_id",
            Key::ErrRequired.text(actor.lang),
        )),
    }
}

/// The closed-period message for `field`, if `date` is on or before the closing date.
#[cfg(feature = "ssr")]
fn closed(
    errors: &mut FieldErrors,
    actor: &Actor,
    field: &str,
    date: NaiveDate,
    locked: Option<NaiveDate>,
) {
    if let Some(locked) = locked.filter(|locked| date <= *locked) {
        errors.add(
            field,
            Key::TimeErrClosed.fill(
                actor.lang,
                &[("date", &crate::domain::format::date(locked, actor.lang))],
            ),
        );
    }
}

/// Checks and writes one entry; shared with the REST API. Returns its id.
#[cfg(feature = "ssr")]
pub async fn create_entry(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &TimeEntryInput,
    source: &'static str,
) -> Result<Uuid, AppError> {
    actor.require(Permission::TrackTime)?;
    let user = subject(conn, actor, input.user_id).await?;
    let rules = settings(conn, actor.tenant_id).await?;
    let lang = actor.lang;
    let mut errors = FieldErrors::default();
    let project_id = input.project_id.unwrap_or_else(|| {
        errors.add("project_id", Key::ErrRequired.text(lang));
        Uuid::nil()
    });
    let work_date = if input.work_date.trim().is_empty() {
        errors.add("work_date", Key::ErrRequired.text(lang));
        None
    } else {
        let date = parse_date(&input.work_date);
        if date.is_none() {
            errors.add("work_date", Key::ErrDate.text(lang));
        }
        date
    };
    if let Some(date) = work_date {
        closed(
            &mut errors,
            actor,
            "work_date",
            date,
            rules.time_locked_until,
        );
    }
    let minutes = match parse_duration(&input.duration) {
        Some(minutes) if minutes > 0 => rules.rounding.apply(minutes).min(1440),
        _ => {
            errors.add("duration", Key::TimeErrDuration.text(lang));
            0
        }
    };
    if input.note.chars().count() > 2000 {
        errors.add("note", Key::ErrTooLong.text(lang));
    }
    if input.project_id.is_some() {
        let (project, package, task) = repo::booking_target_exists(
            conn,
            actor.tenant_id,
            project_id,
            input.work_package_id,
            input.task_id,
        )
        .await?;
        for (ok, field, key) in [
            (project, "project_id", Key::TimeErrProject),
            (package, "work_package_id", Key::ErrNotFound),
            (task, "task_id", Key::ErrNotFound),
        ] {
            if !ok {
                errors.add(field, key.text(lang));
            }
        }
    }
    errors.into_result()?;
    let work_date = work_date.ok_or(AppError::Internal)?;
    let (rate, cost_rate) = repo::rates(conn, actor.tenant_id, user, &[project_id])
        .await?
        .remove(&project_id)
        .ok_or(AppError::NotFound)?;
    let ids = repo::insert_entries(
        conn,
        actor.tenant_id,
        &[NewEntry {
            user_id: user,
            project_id,
            work_package_id: input.work_package_id,
            task_id: input.task_id,
            work_date,
            minutes: i32::try_from(minutes).unwrap_or(1440),
            note: input.note.trim().to_owned(),
            billable: input.billable,
            rate,
            cost_rate,
            source,
        }],
    )
    .await?;
    refresh_lights(conn, actor.tenant_id, &[project_id]).await?;
    ids.into_iter().next().ok_or(AppError::Internal)
}

/// An entry that may still change, for its owner or someone who approves time.
#[cfg(feature = "ssr")]
async fn changeable(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<TimeEntry, AppError> {
    let entry = repo::entry(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if Some(entry.user.id) != actor.user_id {
        actor.require(Permission::ApproveTime)?;
    }
    if entry.state != EntryState::Open {
        return Err(AppError::Conflict(Key::TimeErrFixed.fill(
            actor.lang,
            &[("state", entry.state.key().text(actor.lang))],
        )));
    }
    Ok(entry)
}

#[server(prefix = "/sf", endpoint = "time/create", input = Json, output = Json)]
pub async fn create_time_entry(input: TimeEntryInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut tx = pool()?.begin().await?;
            let id = create_entry(&mut tx, &actor, &input, "manual").await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Removes an open entry.
#[server(prefix = "/sf", endpoint = "time/delete", input = Json, output = Json)]
pub async fn delete_time_entry(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut tx = pool()?.begin().await?;
            let entry = changeable(&mut tx, &actor, id).await?;
            repo::adjust_entries(&mut tx, actor.tenant_id, &[], &[id]).await?;
            refresh_lights(&mut tx, actor.tenant_id, &[entry.project_id]).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "time/list", input = Json, output = Json)]
pub async fn list_time_entries(
    filter: TimeEntryFilter,
    page: PageRequest,
) -> Result<Page<TimeEntry>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut filter = filter;
            // colleagues' time is for those who approve it
            if !actor.may(Permission::ApproveTime) {
                filter.user_id = actor.user_id;
            }
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, &page).await?)
        }
        .await,
    )
}

/// Open projects to book on, the user's recent ones first.
#[server(prefix = "/sf", endpoint = "time/projects", input = Json, output = Json)]
pub async fn list_booking_projects(search: String) -> Result<Vec<ProjectChoice>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::choices(&mut conn, actor.tenant_id, actor.user_id, &search).await?)
        }
        .await,
    )
}

/// The signed-in user's running timer, if any.
#[server(prefix = "/sf", endpoint = "time/timer", input = Json, output = Json)]
pub async fn load_timer() -> Result<Option<RunningTimer>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let user = actor.user_id.ok_or(AppError::Forbidden)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::timer(&mut conn, user, actor.tenant_id).await?)
        }
        .await,
    )
}

/// Books a stopped timer's time (rounded; nothing when it rounds to nothing).
#[cfg(feature = "ssr")]
async fn book(
    conn: &mut PgConnection,
    user: Uuid,
    stopped: repo::StoppedTimer,
) -> Result<TimerStopped, AppError> {
    let rules = settings(conn, stopped.tenant_id).await?;
    let raw = u32::try_from(stopped.seconds.div_euclid(60).max(1)).unwrap_or(1440);
    let minutes = rules.rounding.apply(raw).min(1440);
    // a timer in a closed period (left running over the closing date) books on the day after
    let work_date = match rules.time_locked_until {
        Some(locked) if stopped.work_date <= locked => locked.succ_opt().unwrap_or(locked),
        _ => stopped.work_date,
    };
    if minutes == 0 {
        return Ok(TimerStopped {
            entry_id: None,
            minutes: 0,
        });
    }
    let (rate, cost_rate) = repo::rates(conn, stopped.tenant_id, user, &[stopped.project_id])
        .await?
        .remove(&stopped.project_id)
        .unwrap_or((rules.default_rate, Decimal::ZERO));
    let ids = repo::insert_entries(
        conn,
        stopped.tenant_id,
        &[NewEntry {
            user_id: user,
            project_id: stopped.project_id,
            work_package_id: stopped.work_package_id,
            task_id: stopped.task_id,
            work_date,
            minutes: i32::try_from(minutes).unwrap_or(1440),
            note: stopped.note,
            billable: stopped.billable,
            rate,
            cost_rate,
            source: "timer",
        }],
    )
    .await?;
    refresh_lights(conn, stopped.tenant_id, &[stopped.project_id]).await?;
    Ok(TimerStopped {
        entry_id: ids.into_iter().next(),
        minutes: i32::try_from(minutes).unwrap_or(1440),
    })
}

/// Starts the user's timer; a running one is stopped and booked first.
#[server(prefix = "/sf", endpoint = "time/start", input = Json, output = Json)]
pub async fn start_timer(start: TimerStart) -> Result<RunningTimer, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let user = actor.user_id.ok_or(AppError::Forbidden)?;
            let project_id = start
                .project_id
                .ok_or_else(|| AppError::field("project_id", Key::ErrRequired.text(actor.lang)))?;
            let mut tx = pool()?.begin().await?;
            let (project, package, task) = repo::booking_target_exists(
                &mut tx,
                actor.tenant_id,
                project_id,
                start.work_package_id,
                start.task_id,
            )
            .await?;
            if !project {
                return Err(AppError::field(
                    "project_id",
                    Key::TimeErrProject.text(actor.lang),
                ));
            }
            if !(package && task) {
                return Err(AppError::field(
                    "work_package_id",
                    Key::ErrNotFound.text(actor.lang),
                ));
            }
            if let Some(stopped) = repo::take_timer(&mut tx, user).await? {
                book(&mut tx, user, stopped).await?;
            }
            repo::put_timer(&mut tx, actor.tenant_id, user, &start).await?;
            let running = repo::timer(&mut tx, user, actor.tenant_id)
                .await?
                .ok_or(AppError::Internal)?;
            tx.commit().await?;
            Ok(running)
        }
        .await,
    )
}

/// Stops the user's timer and books its time.
#[server(prefix = "/sf", endpoint = "time/stop", input = Json, output = Json)]
pub async fn stop_timer() -> Result<TimerStopped, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let user = actor.user_id.ok_or(AppError::Forbidden)?;
            let mut tx = pool()?.begin().await?;
            let stopped = repo::take_timer(&mut tx, user).await?.ok_or_else(|| {
                AppError::Conflict(Key::TimeErrNoTimer.text(actor.lang).to_owned())
            })?;
            let booked = book(&mut tx, user, stopped).await?;
            tx.commit().await?;
            Ok(booked)
        }
        .await,
    )
}

/// A person's week: days with capacity and holidays, rows per project, the entries.
#[cfg(feature = "ssr")]
async fn week(
    conn: &mut PgConnection,
    actor: &Actor,
    user: Uuid,
    monday: NaiveDate,
) -> Result<Week, AppError> {
    let monday = capacity::week_start(monday);
    let sunday = monday + chrono::Days::new(6);
    let rules = settings(conn, actor.tenant_id).await?;
    let entries = repo::week_entries(conn, actor.tenant_id, user, monday).await?;
    let (hours, state, absences, name) =
        repo::calendar(conn, actor.tenant_id, user, monday, sunday).await?;
    let hours = <[Decimal; 7]>::try_from(hours)
        .map(WeeklyHours)
        .unwrap_or_default();
    let state = FederalState::parse(&state).unwrap_or(FederalState::Be);
    let absences: Vec<Absence> = absences
        .into_iter()
        .map(|(from, to)| Absence { from, to })
        .collect();
    let days = (0..7)
        .map(|offset| {
            let date = monday + chrono::Days::new(offset);
            let holiday = holidays::is_holiday(date, state).map(|h| match actor.lang {
                crate::i18n::Lang::De => h.name_de.to_owned(),
                crate::i18n::Lang::En => h.name_en.to_owned(),
            });
            SheetDay {
                date,
                capacity_hours: capacity::capacity(&hours, state, &absences, date, date),
                holiday,
                absent: absences.iter().any(|a| a.from <= date && date <= a.to),
                closed: rules.time_locked_until.is_some_and(|locked| date <= locked),
            }
        })
        .collect();
    let mut rows: Vec<SheetRow> = Vec::new();
    for entry in &entries {
        let index = rows
            .iter()
            .position(|r| {
                r.project_id == entry.project_id && r.work_package_id == entry.work_package_id
            })
            .unwrap_or_else(|| {
                rows.push(SheetRow {
                    project_id: entry.project_id,
                    project_label: entry.project_label.clone(),
                    work_package_id: entry.work_package_id,
                    work_package_name: entry.work_package_name.clone(),
                    minutes: vec![0; 7],
                    fixed: vec![false; 7],
                });
                rows.len() - 1
            });
        let day = usize::try_from((entry.work_date - monday).num_days())
            .unwrap_or(0)
            .min(6);
        if let Some(row) = rows.get_mut(index) {
            row.minutes[day] += i64::from(entry.minutes);
            row.fixed[day] |= entry.state != EntryState::Open;
        }
    }
    Ok(Week {
        user: Person { id: user, name },
        monday,
        days,
        rows,
        approved: !entries.is_empty()
            && entries
                .iter()
                .all(|e| e.state == EntryState::Approved || e.state == EntryState::Billed),
        can_approve: actor.may(Permission::ApproveTime),
        entries,
    })
}

#[server(prefix = "/sf", endpoint = "time/week", input = Json, output = Json)]
pub async fn load_week(user_id: Option<Uuid>, monday: Option<NaiveDate>) -> Result<Week, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut tx = pool()?.begin().await?;
            let user = subject(&mut tx, &actor, user_id).await?;
            let monday = match monday {
                Some(monday) => monday,
                None => {
                    crate::contracts::repo::tenant_today(&mut tx, actor.tenant_id)
                        .await?
                        .0
                }
            };
            let week = week(&mut tx, &actor, user, monday).await?;
            tx.commit().await?;
            Ok(week)
        }
        .await,
    )
}

/// Saves typed timesheet cells: each is the whole time of a project row on a day. Open
/// time is changed to match (a new sheet entry, or the latest open entry adjusted);
/// approved, billed or closed time is never touched, and a cell cannot go below it.
/// One transaction, three statements for the whole sheet.
#[server(prefix = "/sf", endpoint = "time/save-sheet", input = Json, output = Json)]
pub async fn save_timesheet(
    user_id: Option<Uuid>,
    monday: NaiveDate,
    cells: Vec<SheetCell>,
) -> Result<Week, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let lang = actor.lang;
            let mut tx = pool()?.begin().await?;
            let user = subject(&mut tx, &actor, user_id).await?;
            let monday = capacity::week_start(monday);
            let rules = settings(&mut tx, actor.tenant_id).await?;
            let entries = repo::week_entries(&mut tx, actor.tenant_id, user, monday).await?;
            let projects: Vec<Uuid> = cells.iter().map(|c| c.project_id).collect();
            let rates = repo::rates(&mut tx, actor.tenant_id, user, &projects).await?;
            let mut errors = FieldErrors::default();
            let (mut inserts, mut updates, mut deletes) = (Vec::new(), Vec::new(), Vec::new());
            for (index, cell) in cells.iter().enumerate() {
                let field = format!("cells.{index}");
                let day = (cell.work_date - monday).num_days();
                if !(0..7).contains(&day) {
                    errors.add(&field, Key::ErrDate.text(lang));
                    continue;
                }
                let wanted = if cell.duration.trim().is_empty() {
                    0
                } else {
                    match parse_duration(&cell.duration) {
                        Some(minutes) => i64::from(rules.rounding.apply(minutes)),
                        None => {
                            errors.add(&field, Key::TimeErrDuration.text(lang));
                            continue;
                        }
                    }
                };
                let here: Vec<&TimeEntry> = entries
                    .iter()
                    .filter(|e| {
                        e.project_id == cell.project_id
                            && e.work_package_id == cell.work_package_id
                            && e.work_date == cell.work_date
                    })
                    .collect();
                let total: i64 = here.iter().map(|e| i64::from(e.minutes)).sum();
                if wanted == total {
                    continue;
                }
                closed(
                    &mut errors,
                    &actor,
                    &field,
                    cell.work_date,
                    rules.time_locked_until,
                );
                let fixed: i64 = here
                    .iter()
                    .filter(|e| e.state != EntryState::Open)
                    .map(|e| i64::from(e.minutes))
                    .sum();
                if wanted < fixed {
                    errors.add(
                        &field,
                        Key::TimeErrBelowFixed.fill(
                            lang,
                            &[("hours", &crate::domain::durations::format_hours(fixed))],
                        ),
                    );
                    continue;
                }
                let open: Vec<&&TimeEntry> = here
                    .iter()
                    .filter(|e| e.state == EntryState::Open)
                    .collect();
                match open.last() {
                    None => match rates.get(&cell.project_id) {
                        Some((rate, cost_rate)) => inserts.push(NewEntry {
                            user_id: user,
                            project_id: cell.project_id,
                            work_package_id: cell.work_package_id,
                            task_id: None,
                            work_date: cell.work_date,
                            minutes: i32::try_from(wanted - fixed).unwrap_or(1440),
                            note: String::new(),
                            billable: true,
                            rate: *rate,
                            cost_rate: *cost_rate,
                            source: "sheet",
                        }),
                        None => errors.add(&field, Key::TimeErrProject.text(lang)),
                    },
                    Some(latest) => {
                        let others = total - fixed - i64::from(latest.minutes);
                        let minutes = wanted - fixed - others;
                        if minutes > 0 {
                            updates.push((
                                latest.id,
                                i32::try_from(minutes.min(1440)).unwrap_or(1440),
                            ));
                        } else if minutes == 0 {
                            deletes.push(latest.id);
                        } else {
                            errors.add(&field, Key::TimeErrSeveralEntries.text(lang));
                        }
                    }
                }
            }
            if inserts.iter().any(|e| e.minutes > 1440) || updates.iter().any(|u| u.1 > 1440) {
                return Err(AppError::field("cells", Key::TimeErrDuration.text(lang)));
            }
            errors.into_result()?;
            repo::insert_entries(&mut tx, actor.tenant_id, &inserts).await?;
            repo::adjust_entries(&mut tx, actor.tenant_id, &updates, &deletes).await?;
            let mut touched = projects;
            touched.sort();
            touched.dedup();
            refresh_lights(&mut tx, actor.tenant_id, &touched).await?;
            let week = week(&mut tx, &actor, user, monday).await?;
            tx.commit().await?;
            Ok(week)
        }
        .await,
    )
}

/// Approves a person's week: its time no longer changes.
#[server(prefix = "/sf", endpoint = "time/approve-week", input = Json, output = Json)]
pub async fn approve_week(user_id: Uuid, monday: NaiveDate) -> Result<u64, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ApproveTime)?;
            let mut tx = pool()?.begin().await?;
            let user = subject(&mut tx, &actor, Some(user_id)).await?;
            let monday = crate::domain::capacity::week_start(monday);
            let approved =
                repo::approve_week(&mut tx, actor.tenant_id, user, monday, actor.user_id).await?;
            crate::audit::repo::record(
                &mut tx,
                crate::audit::repo::Event::by(&actor, "time.approved", "user", user).change(
                    None,
                    Some(serde_json::json!({ "week": monday, "entries": approved })),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(approved)
        }
        .await,
    )
}

/// A new secret calendar address (iCal) with the signed-in user's milestones and absences;
/// the previous address stops working. The address is shown once.
#[server(prefix = "/sf", endpoint = "time/calendar-feed", input = Json, output = Json)]
pub async fn create_calendar_feed() -> Result<String, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let user = actor.user_id.ok_or(AppError::Forbidden)?;
            let token = crate::auth::secrets::random_token();
            let mut tx = pool()?.begin().await?;
            sqlx::query(
                "insert into calendar_feeds (token_hash, tenant_id, user_id) values ($1, $2, $3)
                 on conflict (tenant_id, user_id) do update set token_hash = excluded.token_hash, created_at = now()",
            )
            .bind(crate::auth::secrets::token_hash(&token))
            .bind(actor.tenant_id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            crate::audit::repo::record(&mut tx, crate::audit::repo::Event::by(&actor, "calendar_feed.created", "user", user)).await?;
            tx.commit().await?;
            let base = use_context::<crate::PublicUrl>().map(|u| u.0).unwrap_or_default();
            Ok(format!("{}/calendar/{token}.ics", base.trim_end_matches('/')))
        }
        .await,
    )
}
