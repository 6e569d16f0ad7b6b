use super::model::{AuditEntry, AuditFilter, ChainStatus};
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
#[cfg(feature = "ssr")]
use crate::{
    auth::context::{authorize, pool, respond},
    domain::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/sf", endpoint = "audit/list", input = Json, output = Json)]
pub async fn list_audit(
    filter: AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewAuditLog)?;
            let mut conn = pool()?.acquire().await?;
            let time_zone: String =
                sqlx::query_scalar("select time_zone from tenants where id = $1")
                    .bind(actor.tenant_id)
                    .fetch_one(&mut *conn)
                    .await?;
            Ok(super::repo::list(&mut conn, actor.tenant_id, &time_zone, &filter, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "audit/verify", output = Json)]
pub async fn verify_audit_chain() -> Result<ChainStatus, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewAuditLog)?;
            let mut conn = pool()?.acquire().await?;
            Ok(super::repo::verify(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}
