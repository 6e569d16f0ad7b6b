use super::model::*;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::domain::capacity::week_start,
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    crate::projects::model::{optional_amount, period},
    rust_decimal::Decimal,
};

/// The most weeks one plan shows.
pub const MAX_WEEKS: u32 = 26;

/// The plan of `weeks` weeks from the week of `from` (default: this week).
#[server(prefix = "/sf", endpoint = "resources/plan", input = Json, output = Json)]
pub async fn load_resource_plan(
    from: Option<NaiveDate>,
    weeks: u32,
) -> Result<ResourcePlan, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProjects)?;
            let mut conn = pool()?.acquire().await?;
            let first = match from {
                Some(date) => date,
                None => {
                    crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id)
                        .await?
                        .0
                }
            };
            let (weeks, people, assignments, absences) = repo::plan(
                &mut conn,
                actor.tenant_id,
                week_start(first),
                weeks.clamp(1, MAX_WEEKS),
                actor.lang,
            )
            .await?;
            Ok(ResourcePlan {
                weeks,
                people,
                assignments,
                absences,
                can_plan: actor.may(Permission::ManageProjects),
            })
        }
        .await,
    )
}

/// Plans a person on a project (`id` None) or changes an assignment.
#[server(prefix = "/sf", endpoint = "resources/assign", input = Json, output = Json)]
pub async fn save_assignment(id: Option<Uuid>, input: AssignmentInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let lang = actor.lang;
            let mut errors = FieldErrors::default();
            let user_id = input.user_id.unwrap_or_else(|| {
                errors.add("user_id", Key::ErrRequired.text(lang));
                Uuid::nil()
            });
            let project_id = input.project_id.unwrap_or_else(|| {
                errors.add("project_id", Key::ErrRequired.text(lang));
                Uuid::nil()
            });
            let (starts_on, ends_on) = period(
                &mut errors,
                lang,
                ("starts_on", &input.starts_on),
                ("ends_on", &input.ends_on),
            );
            for (value, field) in [(starts_on, "starts_on"), (ends_on, "ends_on")] {
                if value.is_none() && errors.get(field).is_none() {
                    errors.add(field, Key::ErrRequired.text(lang));
                }
            }
            let hours = optional_amount(
                &mut errors,
                lang,
                "hours_per_week",
                &input.hours_per_week,
                2,
                Decimal::from(80),
            );
            match hours {
                Some(h) if h > Decimal::ZERO => {}
                _ if errors.get("hours_per_week").is_none() => {
                    errors.add("hours_per_week", Key::ResErrHours.text(lang))
                }
                _ => {}
            }
            let mut tx = pool()?.begin().await?;
            if errors.get("user_id").is_none() && errors.get("project_id").is_none() {
                let (person, project, package) = repo::assignment_references_exist(
                    &mut tx,
                    actor.tenant_id,
                    user_id,
                    project_id,
                    input.work_package_id,
                )
                .await?;
                for (ok, field) in [
                    (person, "user_id"),
                    (project, "project_id"),
                    (package, "work_package_id"),
                ] {
                    if !ok {
                        errors.add(field, Key::ErrNotFound.text(lang));
                    }
                }
            }
            errors.into_result()?;
            let (Some(starts_on), Some(ends_on), Some(hours)) = (starts_on, ends_on, hours) else {
                return Err(AppError::Internal);
            };
            let id = id.unwrap_or_else(Uuid::new_v4);
            if !repo::save_assignment(
                &mut tx,
                actor.tenant_id,
                id,
                user_id,
                project_id,
                input.work_package_id,
                (starts_on, ends_on),
                hours,
            )
            .await?
            {
                return Err(AppError::NotFound);
            }
            record(
                &mut tx,
                Event::by(&actor, "assignment.saved", "project", project_id)
                    .change(None, Some(serde_json::to_value(&input).unwrap_or_default())),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Reassigns or reschedules an assignment (what dragging it does): to `user_id`, starting
/// on `starts_on`, as long as it was.
#[server(prefix = "/sf", endpoint = "resources/move", input = Json, output = Json)]
pub async fn move_assignment(
    id: Uuid,
    user_id: Uuid,
    starts_on: NaiveDate,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            let (from, to) =
                repo::move_assignment(&mut tx, actor.tenant_id, id, user_id, starts_on)
                    .await?
                    .ok_or(AppError::NotFound)?;
            record(
                &mut tx,
                Event::by(&actor, "assignment.moved", "assignment", id).change(
                    None,
                    Some(
                        serde_json::json!({ "user_id": user_id, "starts_on": from, "ends_on": to }),
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "resources/unassign", input = Json, output = Json)]
pub async fn delete_assignment(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            if !repo::delete_assignment(&mut tx, actor.tenant_id, id).await? {
                return Err(AppError::NotFound);
            }
            record(
                &mut tx,
                Event::by(&actor, "assignment.deleted", "assignment", id),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
const ABSENCE_KINDS: [&str; 4] = ["vacation", "sick", "training", "other"];

/// Records an absence: one's own, or anyone's for those who approve time.
#[server(prefix = "/sf", endpoint = "resources/absence", input = Json, output = Json)]
pub async fn add_absence(input: AbsenceInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let lang = actor.lang;
            let user = match (input.user_id, actor.user_id) {
                (Some(user), Some(me)) if user != me => {
                    actor.require(Permission::ApproveTime)?;
                    user
                }
                (_, Some(me)) => input.user_id.unwrap_or(me),
                (Some(user), None) => user,
                (None, None) => {
                    return Err(AppError::field("user_id", Key::ErrRequired.text(lang)))
                }
            };
            let mut errors = FieldErrors::default();
            if !ABSENCE_KINDS.contains(&input.kind.as_str()) {
                errors.add("kind", Key::ErrFormat.text(lang));
            }
            let (starts_on, ends_on) = period(
                &mut errors,
                lang,
                ("starts_on", &input.starts_on),
                ("ends_on", &input.ends_on),
            );
            for (value, field) in [(starts_on, "starts_on"), (ends_on, "ends_on")] {
                if value.is_none() && errors.get(field).is_none() {
                    errors.add(field, Key::ErrRequired.text(lang));
                }
            }
            if input.note.chars().count() > 500 {
                errors.add("note", Key::ErrTooLong.text(lang));
            }
            errors.into_result()?;
            let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
                return Err(AppError::Internal);
            };
            let mut tx = pool()?.begin().await?;
            if !crate::time::repo::is_staff(&mut tx, actor.tenant_id, user).await? {
                return Err(AppError::field("user_id", Key::ErrNotFound.text(lang)));
            }
            let id = repo::insert_absence(
                &mut tx,
                actor.tenant_id,
                user,
                &input.kind,
                (starts_on, ends_on),
                input.note.trim(),
            )
            .await?;
            record(
                &mut tx,
                Event::by(&actor, "absence.created", "user", user)
                    .change(None, Some(serde_json::to_value(&input).unwrap_or_default())),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "resources/absence-delete", input = Json, output = Json)]
pub async fn delete_absence(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::TrackTime)?;
            let mut tx = pool()?.begin().await?;
            let owner = repo::delete_absence(&mut tx, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if Some(owner) != actor.user_id {
                // the transaction is dropped: nothing was removed
                actor.require(Permission::ApproveTime)?;
            }
            record(&mut tx, Event::by(&actor, "absence.deleted", "user", owner)).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
