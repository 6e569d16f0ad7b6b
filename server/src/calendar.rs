//! Calendar feeds: `GET /calendar/{token}.ics`, a person's milestones and absences as
//! iCalendar for their calendar app. The secret address is the only credential (calendar
//! apps send no cookies); only its hash is stored and a new address replaces the old one.

use crate::startup::AppState;
use app::domain::ical::{calendar, DayEvent};
use app::i18n::{Key, Lang};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    match events(&state, token).await {
        Ok(Some(body)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The feed of the token's owner; none for an unknown token or a person no longer active.
async fn events(state: &AppState, token: &str) -> sqlx::Result<Option<String>> {
    let mut conn = state.pool.acquire().await?;
    let owner: Option<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "select f.tenant_id, f.user_id, u.display_name, u.language
         from calendar_feeds f join users u on u.id = f.user_id and u.active
         join memberships m on m.tenant_id = f.tenant_id and m.user_id = f.user_id and m.active
         where f.token_hash = $1",
    )
    .bind(app::auth::secrets::token_hash(token))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((tenant, user, name, language)) = owner else {
        return Ok(None);
    };
    let lang = Lang::parse(&language).unwrap_or_default();
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    // milestones of the projects a person leads, is planned on or worked on lately
    let milestones: Vec<(Uuid, Uuid, String, String, String, NaiveDate)> = sqlx::query_as(
        "select m.id, p.id, p.number, p.name, m.name, m.due_on
         from milestones m join projects p on p.id = m.project_id
         where m.tenant_id = $1 and m.due_on >= current_date - 90
           and p.status in ('planned', 'active', 'on_hold')
           and (p.manager_id = $2
                or exists (select 1 from assignments a where a.project_id = p.id and a.user_id = $2)
                or exists (select 1 from time_entries e where e.project_id = p.id and e.user_id = $2
                           and e.work_date >= current_date - 90))
         order by m.due_on",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let absences: Vec<(Uuid, String, NaiveDate, NaiveDate, String)> = sqlx::query_as(
        "select id, kind, starts_on, ends_on, note from absences
         where tenant_id = $1 and user_id = $2 and ends_on >= current_date - 365 order by starts_on",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let mut events: Vec<DayEvent> = milestones
        .into_iter()
        .map(
            |(id, project, number, project_name, milestone, due_on)| DayEvent {
                uid: format!("milestone-{id}@kontor"),
                summary: format!("{number} {project_name}: {milestone}"),
                description: Key::CalMilestone.text(lang).to_owned(),
                first: due_on,
                last: due_on,
                url: Some(format!("{base}/projects/{project}")),
            },
        )
        .collect();
    events.extend(absences.into_iter().map(|(id, kind, first, last, note)| {
        let what = match kind.as_str() {
            "vacation" => Key::ResVacation,
            "sick" => Key::ResSick,
            "training" => Key::ResTraining,
            _ => Key::ResOther,
        };
        DayEvent {
            uid: format!("absence-{id}@kontor"),
            summary: format!("{}: {name}", what.text(lang)),
            description: note,
            first,
            last,
            url: None,
        }
    }));
    let title = Key::CalTitle.fill(lang, &[("name", &name)]);
    Ok(Some(calendar(&title, &events, chrono::Utc::now())))
}
