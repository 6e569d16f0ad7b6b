//! SQL of the auth area.

use super::context::SessionUser;
use super::model::TenantBrief;
use super::secrets::{random_token, token_hash};
use sqlx::PgConnection;
use std::net::IpAddr;
use uuid::Uuid;

/// Sessions end after this much inactivity.
pub const IDLE_HOURS: i32 = 12;
pub const THROTTLE_WINDOW_MINUTES: i32 = 15;
pub const MAX_ACCOUNT_FAILURES: i64 = 10;
pub const MAX_ADDRESS_FAILURES: i64 = 50;

pub async fn load_session(
    conn: &mut PgConnection,
    token: &str,
) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as::<_, SessionUser>(
        "with live as (
             select * from sessions where token_hash = $1 and expires_at > now()
         ), touched as (
             -- at most one write a minute per session
             update sessions set last_seen_at = now(), expires_at = now() + make_interval(hours => $2)
             where token_hash = $1 and expires_at > now() and last_seen_at < now() - interval '1 minute'
         )
         select s.token_hash, u.id as user_id, u.email, u.display_name, u.language, s.mfa_pending,
                u.totp_enabled_at is not null as totp_enabled, m.tenant_id,
                -- a membership bound to a customer acts only with customer roles
                coalesce(case when m.customer_id is null then m.roles
                              else array(select r from unnest(m.roles) r where r like 'customer\\_%') end,
                         '{}') as roles,
                m.customer_id
         from live s
         join users u on u.id = s.user_id and u.active
         left join memberships m on m.user_id = u.id and m.tenant_id = s.tenant_id and m.active",
    )
    .bind(token_hash(token))
    .bind(IDLE_HOURS)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct LoginUser {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub default_tenant: Option<Uuid>,
}

/// The login view of a user; `who` is the e-mail (any case) or the id.
const LOGIN_USER: &str = "select u.id, u.email, u.password_hash, u.active,
        case when u.totp_enabled_at is not null then u.totp_secret end as totp_secret,
        u.totp_last_step,
        (select tenant_id from memberships m where m.user_id = u.id and m.active
         order by m.created_at, m.tenant_id limit 1) as default_tenant
 from users u where ";

pub async fn find_login_user(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<LoginUser>> {
    sqlx::query_as::<_, LoginUser>(&format!("{LOGIN_USER} lower(u.email) = lower($1)"))
        .bind(email.trim())
        .fetch_optional(conn)
        .await
}

pub async fn find_user_by_id(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<LoginUser> {
    sqlx::query_as::<_, LoginUser>(&format!("{LOGIN_USER} u.id = $1"))
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// Failed attempts in the window for the account and for the address, and when the
/// oldest of the relevant failures leaves the window.
#[derive(Debug, sqlx::FromRow)]
pub struct Throttle {
    pub account_failures: i64,
    pub address_failures: i64,
    pub retry_after_secs: i32,
}

impl Throttle {
    pub fn locked(&self) -> bool {
        self.account_failures >= MAX_ACCOUNT_FAILURES
            || self.address_failures >= MAX_ADDRESS_FAILURES
    }
}

pub async fn throttle(
    conn: &mut PgConnection,
    email: &str,
    ip: Option<IpAddr>,
) -> sqlx::Result<Throttle> {
    sqlx::query_as::<_, Throttle>(
        "with recent as (
             select * from login_attempts
             where at > now() - make_interval(mins => $3) and not success
               and (lower(email) = lower($1) or ip = $2)
         )
         select count(*) filter (where lower(email) = lower($1)) as account_failures,
                count(*) filter (where ip = $2) as address_failures,
                coalesce(ceil(extract(epoch from min(at) + make_interval(mins => $3) - now()))::int, 0)
                    as retry_after_secs
         from recent",
    )
    .bind(email.trim())
    .bind(ip.map(sqlx::types::ipnetwork::IpNetwork::from))
    .bind(THROTTLE_WINDOW_MINUTES)
    .fetch_one(conn)
    .await
}

pub async fn record_attempt(
    conn: &mut PgConnection,
    email: &str,
    ip: Option<IpAddr>,
    success: bool,
) -> sqlx::Result<()> {
    sqlx::query("insert into login_attempts (email, ip, success) values ($1, $2, $3)")
        .bind(email.trim())
        .bind(ip.map(sqlx::types::ipnetwork::IpNetwork::from))
        .bind(success)
        .execute(conn)
        .await
        .map(drop)
}

/// A new session; returns the cookie value (the only time the token exists in clear).
pub async fn create_session(
    conn: &mut PgConnection,
    user_id: Uuid,
    tenant_id: Option<Uuid>,
    mfa_pending: bool,
    ip: Option<IpAddr>,
    user_agent: Option<&str>,
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query(
        "insert into sessions (token_hash, user_id, tenant_id, mfa_pending, expires_at, ip, user_agent)
         values ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(tenant_id)
    .bind(mfa_pending)
    // a pending second step must be done within minutes, not hours
    .bind(if mfa_pending { 1 } else { IDLE_HOURS })
    .bind(ip.map(sqlx::types::ipnetwork::IpNetwork::from))
    .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
    .execute(conn)
    .await?;
    Ok(token)
}

/// Swaps the pending session for a full one with a new token.
pub async fn complete_second_factor(
    conn: &mut PgConnection,
    old_hash: &[u8],
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query(
        "update sessions set token_hash = $2, mfa_pending = false,
                expires_at = now() + make_interval(hours => $3)
         where token_hash = $1",
    )
    .bind(old_hash)
    .bind(token_hash(&token))
    .bind(IDLE_HOURS)
    .execute(conn)
    .await?;
    Ok(token)
}

pub async fn delete_session(conn: &mut PgConnection, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(hash)
        .execute(conn)
        .await
        .map(drop)
}

/// Ends every session of the user except, optionally, one.
pub async fn delete_user_sessions(
    conn: &mut PgConnection,
    user_id: Uuid,
    keep: Option<&[u8]>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "delete from sessions where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
    )
    .bind(user_id)
    .bind(keep)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
}

pub async fn user_tenants(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<Vec<TenantBrief>> {
    sqlx::query_as::<_, (Uuid, String, String, String, String, Option<String>, String)>(
        "select t.id, t.slug, t.legal_name, t.brand_primary, t.brand_accent, t.logo_data_url, t.currency
         from memberships m join tenants t on t.id = m.tenant_id
         where m.user_id = $1 and m.active order by t.legal_name",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(
                |(id, slug, legal_name, brand_primary, brand_accent, logo_data_url, currency)| {
                    TenantBrief {
                        id,
                        slug,
                        legal_name,
                        brand_primary,
                        brand_accent,
                        logo_data_url,
                        currency,
                    }
                },
            )
            .collect()
    })
}

pub async fn switch_tenant(
    conn: &mut PgConnection,
    hash: &[u8],
    tenant_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query(
        "update sessions s set tenant_id = $2 where token_hash = $1
           and exists (select 1 from memberships m where m.user_id = s.user_id and m.tenant_id = $2 and m.active)",
    )
    .bind(hash)
    .bind(tenant_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Accepts a TOTP step only if it is newer than the last one accepted (no replay).
pub async fn accept_totp_step(
    conn: &mut PgConnection,
    user_id: Uuid,
    step: i64,
) -> sqlx::Result<bool> {
    sqlx::query(
        "update users set totp_last_step = $2
         where id = $1 and (totp_last_step is null or totp_last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn use_recovery_code(
    conn: &mut PgConnection,
    user_id: Uuid,
    code: &str,
) -> sqlx::Result<bool> {
    sqlx::query(
        "update recovery_codes set used_at = now()
         where user_id = $1 and code_hash = $2 and used_at is null",
    )
    .bind(user_id)
    .bind(token_hash(&super::secrets::normalize_recovery_code(code)))
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user_id: Uuid,
    codes: &[String],
) -> sqlx::Result<()> {
    sqlx::query("delete from recovery_codes where user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| token_hash(&super::secrets::normalize_recovery_code(c)))
        .collect();
    sqlx::query("insert into recovery_codes (user_id, code_hash) select $1, unnest($2::bytea[])")
        .bind(user_id)
        .bind(hashes)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn remaining_recovery_codes(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null")
        .bind(user_id)
        .fetch_one(conn)
        .await
}
