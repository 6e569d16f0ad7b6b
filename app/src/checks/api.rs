use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::{repo, Prober},
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::{DomainName, Permission},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    sqlx::PgConnection,
    std::net::IpAddr,
};

/// Longest path an HTTP check may request.
#[cfg(feature = "ssr")]
const MAX_PATH_CHARS: usize = 2000;

/// Checks a check's input; the clean input and the port to use (the kind's usual one when
/// none is given). Settings of other kinds are reset, so they do not linger unseen.
#[cfg(feature = "ssr")]
pub fn validate(input: &CheckInput, lang: Lang) -> Result<(CheckInput, i32), AppError> {
    let mut errors = FieldErrors::default();
    let mut add = |field: &str, key: Key| errors.add(field, key.text(lang));
    if input.server_id.is_some() == input.domain_id.is_some() {
        add("target", Key::ChecksErrTarget);
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        add("name", Key::ErrRequired);
    } else if name.chars().count() > 200 {
        add("name", Key::ErrTooLong);
    }
    let host = input.host.trim();
    let host = if host.is_empty() {
        String::new()
    } else if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        ip.to_string()
    } else {
        match DomainName::parse(host) {
            Ok(name) => name.ascii().to_owned(),
            Err(_) => {
                add("host", Key::ChecksErrHost);
                String::new()
            }
        }
    };
    let port = input
        .port
        .unwrap_or_else(|| input.kind.default_port(input.tls_mode));
    if !(1..=65535).contains(&port) {
        add("port", Key::ChecksErrPort);
    }
    if !input.kind.tls_modes().contains(&input.tls_mode) {
        add("tls_mode", Key::ChecksErrTlsMode);
    }
    let http = input.kind == CheckKind::Http;
    let path = if http { input.path.trim() } else { "/" };
    if !path.starts_with('/')
        || path.chars().count() > MAX_PATH_CHARS
        || path.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        add("path", Key::ChecksErrPath);
    }
    let (min, max) = if http {
        (input.expected_status_min, input.expected_status_max)
    } else {
        (200, 399)
    };
    if !(100..=599).contains(&min) || !(min..=599).contains(&max) {
        add("expected_status_max", Key::ChecksErrStatusRange);
    }
    if !(60..=86_400).contains(&input.interval_seconds) {
        add("interval_seconds", Key::ChecksErrInterval);
    }
    if !(1..=60).contains(&input.timeout_seconds) {
        add("timeout_seconds", Key::ChecksErrTimeout);
    }
    errors.into_result()?;
    let clean = CheckInput {
        name,
        host,
        port: Some(port),
        path: path.to_owned(),
        expected_status_min: min,
        expected_status_max: max,
        ..input.clone()
    };
    Ok((clean, port))
}

/// Validates and saves a check, new (`id` None) or changed, with its audit entry. Shared
/// with the REST API; the caller owns the transaction.
#[cfg(feature = "ssr")]
pub async fn save_check(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &CheckInput,
) -> Result<Uuid, AppError> {
    let before = match id {
        Some(id) => Some(
            repo::load(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let (clean, port) = validate(input, actor.lang)?;
    let (server, domain) =
        repo::targets_exist(conn, actor.tenant_id, clean.server_id, clean.domain_id).await?;
    if !(server && domain) {
        return Err(AppError::field(
            "target",
            Key::ChecksErrUnknownTarget.text(actor.lang),
        ));
    }
    let id = id.unwrap_or_else(Uuid::new_v4);
    repo::save(conn, actor.tenant_id, id, &clean, port).await?;
    let action = match before {
        Some(_) => "service_check.changed",
        None => "service_check.created",
    };
    let json = |value: &CheckInput| serde_json::to_value(value).unwrap_or_default();
    let event = Event::by(actor, action, "service_check", id)
        .change(before.as_ref().map(json), Some(json(&clean)));
    record(conn, event).await?;
    Ok(id)
}

/// The status overview, one page.
#[server(prefix = "/sf", endpoint = "checks/list", input = Json, output = Json)]
pub async fn list_checks(
    filter: CheckFilter,
    page: PageRequest,
) -> Result<Page<CheckRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "checks/load", input = Json, output = Json)]
pub async fn load_check(id: Uuid) -> Result<Check, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            repo::load(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// A check's history, newest first.
#[server(prefix = "/sf", endpoint = "checks/results", input = Json, output = Json)]
pub async fn list_check_results(
    id: Uuid,
    page: PageRequest,
) -> Result<Page<CheckResult>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::results(&mut conn, actor.tenant_id, id, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "checks/create", input = Json, output = Json)]
pub async fn create_check(input: CheckInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let id = save_check(&mut tx, &actor, None, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "checks/update", input = Json, output = Json)]
pub async fn update_check(id: Uuid, input: CheckInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            save_check(&mut tx, &actor, Some(id), &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Runs the check at once and records its result like a scheduled run (alerts included);
/// answers whether it was up.
#[server(prefix = "/sf", endpoint = "checks/run", input = Json, output = Json)]
pub async fn run_check(id: Uuid) -> Result<bool, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let prober = use_context::<Prober>().ok_or_else(|| {
                tracing::error!("no prober in context");
                AppError::Internal
            })?;
            let pool = pool()?;
            // no connection is held while the probe waits for the service
            let target = {
                let mut conn = pool.acquire().await?;
                repo::probe_target_of(&mut conn, actor.tenant_id, id)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            let outcome = (prober.0)(target).await;
            let up = outcome.ok();
            let mut tx = pool.begin().await?;
            repo::record(&mut tx, &[(id, outcome)]).await?;
            tx.commit().await?;
            Ok(up)
        }
        .await,
    )
}

/// Servers and domains matching the search, for the form's target picker.
#[server(prefix = "/sf", endpoint = "checks/targets", input = Json, output = Json)]
pub async fn search_check_targets(search: String) -> Result<Vec<TargetOption>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::search_targets(&mut conn, actor.tenant_id, &search).await?)
        }
        .await,
    )
}
