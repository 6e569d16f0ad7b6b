use super::Notification;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
#[cfg(feature = "ssr")]
use crate::{
    auth::context::{authorize, pool, respond, Actor},
    domain::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// The signed-in user and tenant; API tokens and jobs have no inbox.
#[cfg(feature = "ssr")]
fn recipient() -> Result<(Actor, Uuid), AppError> {
    let actor = authorize(Permission::UseStaffApp)?;
    let user_id = actor.user_id.ok_or(AppError::Unauthorized)?;
    Ok((actor, user_id))
}

/// The user's notifications, unread first, then newest.
#[server(prefix = "/sf", endpoint = "notifications/list", input = Json, output = Json)]
pub async fn list_notifications(page: PageRequest) -> Result<Page<Notification>, AppError> {
    respond(
        async {
            let (actor, user_id) = recipient()?;
            let mut conn = pool()?.acquire().await?;
            let rows: Vec<(Uuid, String, String, String, String, bool, i64)> = sqlx::query_as(
                "select n.id, n.title, n.body, n.link,
                        to_char(n.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                        n.read_at is not null, count(*) over ()
                 from notifications n join tenants t on t.id = n.tenant_id
                 where n.user_id = $1 and n.tenant_id = $2
                 order by n.read_at is not null, n.created_at desc, n.id
                 limit $3 offset $4",
            )
            .bind(user_id)
            .bind(actor.tenant_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&mut *conn)
            .await?;
            let total = rows.first().map(|r| r.6).unwrap_or(0);
            let items = rows
                .into_iter()
                .map(
                    |(id, title, body, link, created_at, read, _)| Notification {
                        id,
                        title,
                        body,
                        link,
                        created_at,
                        read,
                    },
                )
                .collect();
            Ok(Page::new(items, total, &page))
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "notifications/unread", input = Json, output = Json)]
pub async fn unread_notifications() -> Result<i64, AppError> {
    respond(
        async {
            let (actor, user_id) = recipient()?;
            let mut conn = pool()?.acquire().await?;
            Ok(sqlx::query_scalar(
                "select count(*) from notifications
                 where user_id = $1 and tenant_id = $2 and read_at is null",
            )
            .bind(user_id)
            .bind(actor.tenant_id)
            .fetch_one(&mut *conn)
            .await?)
        }
        .await,
    )
}

/// Marks one notification read, or all of them without an id.
#[server(prefix = "/sf", endpoint = "notifications/read", input = Json, output = Json)]
pub async fn mark_notifications_read(id: Option<Uuid>) -> Result<(), AppError> {
    respond(
        async {
            let (actor, user_id) = recipient()?;
            let mut conn = pool()?.acquire().await?;
            sqlx::query(
                "update notifications set read_at = now()
                 where user_id = $1 and tenant_id = $2 and read_at is null and ($3::uuid is null or id = $3)",
            )
            .bind(user_id)
            .bind(actor.tenant_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        .await,
    )
}
