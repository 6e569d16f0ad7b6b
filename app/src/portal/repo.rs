//! SQL of the portal area; contracts and domains come from their own areas' repos.

use super::model::CustomerUserRow;
use sqlx::PgConnection;
use uuid::Uuid;

/// The customer's name, if the customer is the tenant's.
pub async fn customer_name(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select display_name from customers where id = $1 and tenant_id = $2")
        .bind(customer_id)
        .bind(tenant_id)
        .fetch_optional(conn)
        .await
}

/// The customer's portal users, active ones first.
pub async fn customer_users(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<CustomerUserRow>> {
    sqlx::query_as::<_, CustomerUserRow>(
        "select u.id as user_id, u.email, u.display_name,
                coalesce((select r from unnest(m.roles) r where r like 'customer\\_%' limit 1), '') as role,
                m.active and u.active as active, u.password_hash is null as invited,
                u.totp_enabled_at is not null as totp_enabled,
                to_char(s.last_seen_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI') as last_seen
         from memberships m
         join users u on u.id = m.user_id
         join tenants t on t.id = m.tenant_id
         left join lateral (select max(last_seen_at) as last_seen_at from sessions s
                            where s.user_id = u.id and s.tenant_id = m.tenant_id) s on true
         where m.tenant_id = $1 and m.customer_id = $2
         order by m.active desc, lower(u.display_name), u.id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await
}

/// The portal user's access as the audit log records it.
pub async fn access_snapshot(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<Option<serde_json::Value>> {
    sqlx::query_scalar(
        "select jsonb_build_object('email', u.email, 'display_name', u.display_name, 'roles', m.roles,
                                   'customer_id', m.customer_id, 'active', m.active)
         from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.customer_id = $2 and m.user_id = $3",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Grants or withdraws the access; withdrawing ends the user's sessions in the tenant at once.
pub async fn set_access(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    user_id: Uuid,
    active: bool,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "update memberships set active = $4 where tenant_id = $1 and customer_id = $2 and user_id = $3",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(user_id)
    .bind(active)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(false);
    }
    if !active {
        sqlx::query("delete from sessions where user_id = $1 and tenant_id = $2")
            .bind(user_id)
            .bind(tenant_id)
            .execute(conn)
            .await?;
    }
    Ok(true)
}
