use super::JobRow;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
#[cfg(feature = "ssr")]
use crate::{
    auth::context::{authorize, pool, respond},
    domain::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The tenant's jobs and the installation-wide ones (session clean-up), newest first.
#[server(prefix = "/sf", endpoint = "jobs/list", input = Json, output = Json)]
pub async fn list_jobs(page: PageRequest) -> Result<Page<JobRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewJobs)?;
            let mut conn = pool()?.acquire().await?;
            let rows = sqlx::query_as::<
                _,
                (
                    String,
                    String,
                    i32,
                    String,
                    Option<String>,
                    Option<String>,
                    i64,
                ),
            >(
                "select j.kind, j.status, j.attempts,
                    to_char(j.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI:SS'),
                    to_char(j.finished_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI:SS'),
                    j.last_error, count(*) over ()
             from jobs j join tenants t on t.id = $1
             where j.tenant_id = $1 or j.tenant_id is null
             order by j.created_at desc
             limit $2 offset $3",
            )
            .bind(actor.tenant_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&mut *conn)
            .await?;
            let total = rows.first().map(|r| r.6).unwrap_or(0);
            let items = rows
                .into_iter()
                .map(
                    |(kind, status, attempts, created_at, finished_at, last_error, _)| JobRow {
                        kind,
                        status,
                        attempts,
                        created_at,
                        finished_at,
                        last_error,
                    },
                )
                .collect();
            Ok(Page::new(items, total, &page))
        }
        .await,
    )
}
