use super::model::*;
use crate::error::AppError;
use crate::ui::paging::PageRequest;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::budget::Thresholds,
    crate::domain::durations::{Rounding, RoundingMode},
    crate::domain::holidays::FederalState,
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    chrono::Datelike,
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

#[cfg(feature = "ssr")]
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Checks the customer and manager of a project input.
#[cfg(feature = "ssr")]
async fn check_references(
    conn: &mut PgConnection,
    actor: &Actor,
    project: &ValidProject,
) -> Result<(), AppError> {
    let (customer, manager) = repo::references_exist(
        conn,
        actor.tenant_id,
        project.customer_id,
        project.manager_id,
    )
    .await?;
    let mut errors = FieldErrors::default();
    if !customer {
        errors.add("customer_id", Key::ErrNotFound.text(actor.lang));
    }
    if !manager {
        errors.add("manager_id", Key::ErrNotFound.text(actor.lang));
    }
    errors.into_result()
}

/// Creates a project with the next project number; shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &ProjectInput,
) -> Result<(Uuid, String), AppError> {
    actor.require(Permission::ManageProjects)?;
    let project = input.parse(actor.lang).map_err(AppError::Validation)?;
    check_references(conn, actor, &project).await?;
    insert_new(conn, actor, &project, json(input)).await
}

/// Numbers and writes a checked project; `source` is what the audit log records it from.
/// Accepting a quote opens its project this way, also for a customer in the portal.
#[cfg(feature = "ssr")]
pub async fn insert_new(
    conn: &mut PgConnection,
    actor: &Actor,
    project: &ValidProject,
    source: serde_json::Value,
) -> Result<(Uuid, String), AppError> {
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let number = crate::customers::repo::next_number(
        conn,
        actor.tenant_id,
        "project",
        repo::DEFAULT_PROJECT_PATTERN,
        today.year(),
    )
    .await?;
    let id = Uuid::new_v4();
    repo::insert(conn, actor.tenant_id, id, &number, project).await?;
    record(
        conn,
        Event::by(actor, "project.created", "project", id).change(None, Some(source)),
    )
    .await?;
    Ok((id, number))
}

/// Changes a project's plan; the light is recomputed (a worse one notifies).
#[cfg(feature = "ssr")]
pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &ProjectInput,
) -> Result<(), AppError> {
    actor.require(Permission::ManageProjects)?;
    let mut project = input.parse(actor.lang).map_err(AppError::Validation)?;
    let customer: Option<Uuid> = sqlx::query_scalar(
        "select customer_id from projects where tenant_id = $1 and id = $2 for update",
    )
    .bind(actor.tenant_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    project.customer_id = customer.ok_or(AppError::NotFound)?;
    check_references(conn, actor, &project).await?;
    repo::update(conn, actor.tenant_id, id, &project).await?;
    repo::refresh_lights(conn, actor.tenant_id, &[id]).await?;
    record(
        conn,
        Event::by(actor, "project.changed", "project", id).change(None, Some(json(input))),
    )
    .await?;
    Ok(())
}

/// The project manager's dashboard, one page of projects.
#[server(prefix = "/sf", endpoint = "projects/dashboard", input = Json, output = Json)]
pub async fn load_project_dashboard(
    filter: ProjectFilter,
    page: PageRequest,
) -> Result<Dashboard, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProjects)?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) =
                crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            Ok(repo::dashboard(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/load", input = Json, output = Json)]
pub async fn load_project(id: Uuid) -> Result<ProjectDetail, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProjects)?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) =
                crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            repo::detail(&mut conn, actor.tenant_id, id, today)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The tenant's staff, to pick managers and assignees.
#[server(prefix = "/sf", endpoint = "projects/staff", input = Json, output = Json)]
pub async fn list_project_staff() -> Result<Vec<Person>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProjects)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::staff(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/create", input = Json, output = Json)]
pub async fn create_project(input: ProjectInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            let (id, _) = create(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/update", input = Json, output = Json)]
pub async fn update_project(id: Uuid, input: ProjectInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            update(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a work package (`id` None) or changes one.
#[server(prefix = "/sf", endpoint = "projects/work-package", input = Json, output = Json)]
pub async fn save_work_package(
    project_id: Uuid,
    id: Option<Uuid>,
    input: WorkPackageInput,
) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let package = input.parse(actor.lang).map_err(AppError::Validation)?;
            let mut tx = pool()?.begin().await?;
            if !repo::exists(&mut tx, actor.tenant_id, project_id).await? {
                return Err(AppError::NotFound);
            }
            let id = match id {
                Some(id) => {
                    repo::update_work_package(&mut tx, actor.tenant_id, id, &package)
                        .await?
                        .filter(|p| *p == project_id)
                        .ok_or(AppError::NotFound)?;
                    id
                }
                None => {
                    let id = Uuid::new_v4();
                    repo::insert_work_package(&mut tx, actor.tenant_id, project_id, id, &package)
                        .await?;
                    id
                }
            };
            repo::refresh_lights(&mut tx, actor.tenant_id, &[project_id]).await?;
            record(
                &mut tx,
                Event::by(&actor, "work_package.saved", "project", project_id)
                    .change(None, Some(json(&input))),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/task", input = Json, output = Json)]
pub async fn add_task(project_id: Uuid, input: TaskInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let lang = actor.lang;
            let mut errors = FieldErrors::default();
            let title = required_text(&mut errors, lang, "title", &input.title, 300);
            let estimate = optional_amount(
                &mut errors,
                lang,
                "estimate_hours",
                &input.estimate_hours,
                2,
                Decimal::from(10_000),
            );
            let due_on = optional_date(&mut errors, lang, "due_on", &input.due_on);
            let mut tx = pool()?.begin().await?;
            if !repo::exists(&mut tx, actor.tenant_id, project_id).await? {
                return Err(AppError::NotFound);
            }
            let (package, parent, assignee) =
                repo::task_references_exist(&mut tx, actor.tenant_id, project_id, &input).await?;
            for (ok, field) in [
                (package, "work_package_id"),
                (parent, "parent_id"),
                (assignee, "assignee_id"),
            ] {
                if !ok {
                    errors.add(field, Key::ErrNotFound.text(lang));
                }
            }
            errors.into_result()?;
            let id = Uuid::new_v4();
            repo::insert_task(
                &mut tx,
                actor.tenant_id,
                project_id,
                id,
                &input,
                &title,
                estimate,
                due_on,
            )
            .await?;
            repo::refresh_lights(&mut tx, actor.tenant_id, &[project_id]).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Moves a task on; everyone who tracks time works on tasks.
#[server(prefix = "/sf", endpoint = "projects/task-status", input = Json, output = Json)]
pub async fn set_task_status(id: Uuid, status: TaskStatus) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut tx = pool()?.begin().await?;
            let project = repo::set_task_status(&mut tx, actor.tenant_id, id, status)
                .await?
                .ok_or(AppError::NotFound)?;
            repo::refresh_lights(&mut tx, actor.tenant_id, &[project]).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/milestone", input = Json, output = Json)]
pub async fn add_milestone(project_id: Uuid, input: MilestoneInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let lang = actor.lang;
            let mut errors = FieldErrors::default();
            let name = required_text(&mut errors, lang, "name", &input.name, 200);
            let due_on = optional_date(&mut errors, lang, "due_on", &input.due_on);
            if input.due_on.trim().is_empty() {
                errors.add("due_on", Key::ErrRequired.text(lang));
            }
            let amount = optional_amount(
                &mut errors,
                lang,
                "amount",
                &input.amount,
                2,
                Decimal::from(100_000_000),
            );
            errors.into_result()?;
            let due_on = due_on.ok_or(AppError::Internal)?;
            let mut tx = pool()?.begin().await?;
            if !repo::exists(&mut tx, actor.tenant_id, project_id).await? {
                return Err(AppError::NotFound);
            }
            let id = Uuid::new_v4();
            repo::insert_milestone(
                &mut tx,
                actor.tenant_id,
                project_id,
                id,
                &name,
                due_on,
                amount,
            )
            .await?;
            record(
                &mut tx,
                Event::by(&actor, "milestone.created", "project", project_id)
                    .change(None, Some(json(&input))),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Moves a milestone from `from` to `to`, audited; shared by staff, portal and API.
#[cfg(feature = "ssr")]
pub async fn advance_milestone(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    from: MilestoneStatus,
    to: MilestoneStatus,
    customer: Option<Uuid>,
) -> Result<(), AppError> {
    let project =
        repo::advance_milestone(conn, actor.tenant_id, id, from, to, actor.user_id, customer)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(Key::MilestoneErrState.text(actor.lang).to_owned())
            })?;
    let action = match to {
        MilestoneStatus::Accepted => "milestone.accepted",
        _ => "milestone.reached",
    };
    record(
        conn,
        Event::by(actor, action, "project", project)
            .change(None, Some(serde_json::json!({ "milestone": id }))),
    )
    .await?;
    Ok(())
}

/// The team reports a milestone reached (the customer accepts it next).
#[server(prefix = "/sf", endpoint = "projects/milestone-reached", input = Json, output = Json)]
pub async fn report_milestone_reached(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            advance_milestone(
                &mut tx,
                &actor,
                id,
                MilestoneStatus::Open,
                MilestoneStatus::Reached,
                None,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Staff record the customer's acceptance (given by mail or in person).
#[server(prefix = "/sf", endpoint = "projects/milestone-accepted", input = Json, output = Json)]
pub async fn record_milestone_acceptance(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            advance_milestone(
                &mut tx,
                &actor,
                id,
                MilestoneStatus::Reached,
                MilestoneStatus::Accepted,
                None,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "projects/settings", input = Json, output = Json)]
pub async fn load_project_settings() -> Result<ProjectSettings, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProjects)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::settings(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

/// Checks the settings form.
#[cfg(feature = "ssr")]
fn parse_settings(
    input: &ProjectSettingsInput,
    lang: crate::i18n::Lang,
) -> Result<ProjectSettings, AppError> {
    let mut errors = FieldErrors::default();
    let percent = |errors: &mut FieldErrors, field: &str, text: &str| {
        crate::contracts::model::amount(errors, lang, field, text, 1, Decimal::from(1000))
    };
    let yellow_at = percent(&mut errors, "yellow_at", &input.yellow_at);
    let red_at = percent(&mut errors, "red_at", &input.red_at);
    let forecast_tolerance = percent(&mut errors, "forecast_tolerance", &input.forecast_tolerance);
    if errors.is_empty() && (yellow_at.is_zero() || red_at <= yellow_at) {
        errors.add("red_at", Key::ProjErrThresholdOrder.text(lang));
    }
    let default_rate = crate::contracts::model::amount(
        &mut errors,
        lang,
        "default_rate",
        &input.default_rate,
        2,
        Decimal::from(100_000),
    );
    if !matches!(input.rounding_step, 0 | 1 | 5 | 6 | 10 | 15 | 30 | 60) {
        errors.add("rounding_step", Key::ErrFormat.text(lang));
    }
    let mode = RoundingMode::parse(&input.rounding_mode).unwrap_or_else(|| {
        errors.add("rounding_mode", Key::ErrFormat.text(lang));
        RoundingMode::Up
    });
    let state = FederalState::parse(&input.federal_state).unwrap_or_else(|| {
        errors.add("federal_state", Key::ErrFormat.text(lang));
        FederalState::Be
    });
    let locked = optional_date(
        &mut errors,
        lang,
        "time_locked_until",
        &input.time_locked_until,
    );
    errors.into_result()?;
    Ok(ProjectSettings {
        thresholds: Thresholds {
            yellow_at,
            red_at,
            forecast_tolerance,
        },
        default_rate,
        rounding: Rounding {
            step_minutes: input.rounding_step,
            mode,
        },
        federal_state: state.code().to_owned(),
        time_locked_until: locked,
    })
}

/// Saves thresholds, default rate, rounding, holidays and the closed period; every
/// open project's light follows the new thresholds at once.
#[server(prefix = "/sf", endpoint = "projects/save-settings", input = Json, output = Json)]
pub async fn save_project_settings(input: ProjectSettingsInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let settings = parse_settings(&input, actor.lang)?;
            let mut tx = pool()?.begin().await?;
            let before = repo::settings(&mut tx, actor.tenant_id).await?;
            // reopening a closed period is for those who approve time
            if settings.time_locked_until < before.time_locked_until {
                actor.require(Permission::ApproveTime)?;
            }
            repo::save_settings(&mut tx, actor.tenant_id, &settings).await?;
            let open: Vec<Uuid> = sqlx::query_scalar(
                "select id from projects where tenant_id = $1 and status in ('planned', 'active', 'on_hold')",
            )
            .bind(actor.tenant_id)
            .fetch_all(&mut *tx)
            .await?;
            repo::refresh_lights(&mut tx, actor.tenant_id, &open).await?;
            record(&mut tx, Event::by(&actor, "project_settings.changed", "tenant", actor.tenant_id).change(Some(json(&before)), Some(json(&settings)))).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// A day as typed, or today in the tenant's time zone when empty.
#[cfg(feature = "ssr")]
async fn day_or_today(
    conn: &mut PgConnection,
    actor: &Actor,
    field: &str,
    text: &str,
) -> Result<chrono::NaiveDate, AppError> {
    if text.trim().is_empty() {
        return Ok(crate::contracts::repo::tenant_today(conn, actor.tenant_id)
            .await?
            .0);
    }
    crate::domain::format::parse_date(text)
        .or_else(|| crate::domain::format::parse_date(&format!("{}-01", text.trim())))
        .ok_or_else(|| AppError::field(field, Key::ErrDate.text(actor.lang)))
}

/// Bills the project's unbilled billable time up to `until` (empty: today) as an invoice
/// draft; answers the draft's id.
#[server(prefix = "/sf", endpoint = "projects/bill-time", input = Json, output = Json)]
pub async fn bill_project_time(project_id: Uuid, until: String) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let until = day_or_today(&mut tx, &actor, "until", &until).await?;
            let invoice = super::billing::bill_time(&mut tx, &actor, project_id, until).await?;
            tx.commit().await?;
            Ok(invoice)
        }
        .await,
    )
}

/// A reached milestone as a partial invoice draft.
#[server(prefix = "/sf", endpoint = "projects/bill-milestone", input = Json, output = Json)]
pub async fn bill_project_milestone(id: Uuid) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let invoice = super::billing::bill_milestone(&mut tx, &actor, id).await?;
            tx.commit().await?;
            Ok(invoice)
        }
        .await,
    )
}

/// A retainer month (`YYYY-MM`, or a day in it) as an invoice draft.
#[server(prefix = "/sf", endpoint = "projects/bill-retainer", input = Json, output = Json)]
pub async fn bill_project_retainer(project_id: Uuid, month: String) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let month = day_or_today(&mut tx, &actor, "month", &month).await?;
            let invoice = super::billing::bill_retainer(&mut tx, &actor, project_id, month).await?;
            tx.commit().await?;
            Ok(invoice)
        }
        .await,
    )
}

/// Profit per project and customer and payouts per person for a period (default: this
/// year so far); for management, accounting and project managers.
#[server(prefix = "/sf", endpoint = "projects/profit", input = Json, output = Json)]
pub async fn load_profit_report(from: String, to: String) -> Result<ProfitReport, AppError> {
    respond(
        async {
            let actor = authorize(Permission::UseStaffApp)?;
            if !(actor.may(Permission::ViewRevenue) || actor.may(Permission::ManageProjects)) {
                return Err(AppError::Forbidden);
            }
            let mut conn = pool()?.acquire().await?;
            let today = crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id)
                .await?
                .0;
            let from = if from.trim().is_empty() {
                today.with_ordinal(1).unwrap_or(today)
            } else {
                day_or_today(&mut conn, &actor, "from", &from).await?
            };
            let to = if to.trim().is_empty() {
                today
            } else {
                day_or_today(&mut conn, &actor, "to", &to).await?
            };
            if to < from {
                return Err(AppError::field(
                    "to",
                    Key::ErrEndBeforeStart.text(actor.lang),
                ));
            }
            Ok(repo::profit(&mut conn, actor.tenant_id, from, to).await?)
        }
        .await,
    )
}
