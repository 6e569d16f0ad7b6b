use super::model::{ApiTokenRow, NewApiToken};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::domain::Permission,
};

#[server(prefix = "/sf", endpoint = "tokens/list", output = Json)]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageApiTokens)?;
            let mut conn = pool()?.acquire().await?;
            let rows = sqlx::query_as::<
                _,
                (
                    Uuid,
                    String,
                    String,
                    Vec<String>,
                    String,
                    Option<String>,
                    bool,
                ),
            >(
                "select a.id, a.name, a.token_prefix, a.scopes,
                    to_char(a.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                    to_char(a.last_used_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                    a.revoked_at is not null
             from api_tokens a join tenants t on t.id = a.tenant_id
             where a.tenant_id = $1 order by a.revoked_at is not null, a.created_at desc limit 200",
            )
            .bind(actor.tenant_id)
            .fetch_all(&mut *conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(id, name, prefix, scopes, created_at, last_used_at, revoked)| ApiTokenRow {
                        id,
                        name,
                        prefix,
                        scopes,
                        created_at,
                        last_used_at,
                        revoked,
                    },
                )
                .collect())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "tokens/create", input = Json, output = Json)]
pub async fn create_api_token(name: String, scopes: Vec<String>) -> Result<NewApiToken, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageApiTokens)?;
            super::repo::validate(&name, &scopes, actor.lang)?;
            let mut tx = pool()?.begin().await?;
            let created =
                super::repo::create(&mut tx, actor.tenant_id, &name, &scopes, actor.user_id)
                    .await?;
            record(
                &mut tx,
                Event::by(&actor, "api_token.created", "api_token", created.id).change(
                    None,
                    Some(serde_json::json!({ "name": name.trim(), "scopes": scopes })),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(created)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "tokens/revoke", input = Json, output = Json)]
pub async fn revoke_api_token(id: Uuid) -> Result<(), AppError> {
    respond(async {
        let actor = authorize(Permission::ManageApiTokens)?;
        let mut tx = pool()?.begin().await?;
        let revoked = sqlx::query("update api_tokens set revoked_at = now() where id = $1 and tenant_id = $2 and revoked_at is null")
            .bind(id)
            .bind(actor.tenant_id)
            .execute(&mut *tx)
            .await?;
        if revoked.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        record(&mut tx, Event::by(&actor, "api_token.revoked", "api_token", id)).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}
