use super::model::UserRow;
use crate::domain::Role;
use crate::ui::paging::{Page, PageRequest};
use sqlx::PgConnection;
use uuid::Uuid;

/// Sortable columns: the allow-list keeps user input out of SQL.
fn order_by(sort: &str) -> &'static str {
    match sort {
        "email" => "lower(u.email)",
        "last_seen" => "last_seen_at nulls last",
        _ => "lower(u.display_name)",
    }
}

type Row = (
    Uuid,
    String,
    String,
    Vec<String>,
    bool,
    bool,
    bool,
    Option<String>,
    i64,
);

pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Page<UserRow>> {
    let direction = if page.descending { "desc" } else { "asc" };
    let sql = format!(
        "select u.id, u.email, u.display_name, m.roles, m.active and u.active,
                u.totp_enabled_at is not null, u.password_hash is null,
                to_char(last_seen_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                count(*) over ()
         from memberships m
         join users u on u.id = m.user_id
         join tenants t on t.id = m.tenant_id
         left join lateral (select max(last_seen_at) as last_seen_at from sessions s where s.user_id = u.id) s on true
         where m.tenant_id = $1
           -- portal users are listed in their customer's file
           and m.customer_id is null
           and ($2 = '' or u.email ilike '%' || $2 || '%' or u.display_name ilike '%' || $2 || '%')
         order by {} {direction}, u.id
         limit $3 offset $4",
        order_by(&page.sort)
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(page.search.trim())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(conn)
        .await?;
    let total = rows.first().map(|r| r.8).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(
            |(id, email, display_name, roles, active, totp_enabled, invited, last_seen, _)| {
                UserRow {
                    id,
                    email,
                    display_name,
                    active,
                    totp_enabled,
                    invited,
                    last_seen,
                    roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
                }
            },
        )
        .collect();
    Ok(Page::new(items, total, page))
}

/// The member as the audit log records it before and after a change.
pub async fn snapshot(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<Option<serde_json::Value>> {
    sqlx::query_scalar(
        "select jsonb_build_object('email', u.email, 'display_name', u.display_name, 'roles', m.roles,
                                   'active', m.active, 'totp_enabled', u.totp_enabled_at is not null)
         from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.user_id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

pub fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_owned()).collect()
}

/// Sets the password of an invited user if the link is valid; the link works once.
pub async fn accept_invitation(
    pool: &sqlx::PgPool,
    token: &str,
    password: &str,
) -> Result<bool, crate::error::AppError> {
    let mut tx = pool.begin().await?;
    let invitation: Option<(Uuid, Uuid, String)> = sqlx::query_as(
        "update user_invitations i set used_at = now()
         from users u
         where i.token_hash = $1 and i.used_at is null and i.expires_at > now() and u.id = i.user_id
           -- an invitation never replaces a password someone already has
           and u.password_hash is null
         returning i.user_id, i.tenant_id, u.email",
    )
    .bind(crate::auth::secrets::token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, tenant_id, email)) = invitation else {
        return Ok(false);
    };
    let hash = crate::auth::secrets::hash_password(password)?;
    sqlx::query("update users set password_hash = $2, updated_at = now() where id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    crate::audit::repo::record(
        &mut tx,
        crate::audit::repo::Event {
            tenant_id,
            actor_id: Some(user_id),
            actor_label: &email,
            ip: None,
            action: "user.invitation_accepted",
            entity_type: "user",
            entity_id: Some(user_id.to_string()),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
