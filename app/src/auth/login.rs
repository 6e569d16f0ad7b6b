//! The login flows behind the plain HTML forms (they work without JavaScript):
//! password, second factor, logout. Each is one transaction and leaves an audit entry.

use super::repo;
use super::secrets::{dummy_password_check, verify_password};
use crate::audit::repo::{record, Event};
use crate::error::AppError;
use sqlx::PgPool;
use std::net::IpAddr;
use uuid::Uuid;

/// An event about a user's own login, recorded in the tenant they log into.
fn user_event<'a>(
    tenant_id: Uuid,
    user_id: Uuid,
    email: &'a str,
    ip: Option<IpAddr>,
    action: &'a str,
) -> Event<'a> {
    Event {
        tenant_id,
        actor_id: Some(user_id),
        actor_label: email,
        ip,
        action,
        entity_type: "user",
        entity_id: Some(user_id.to_string()),
        before: None,
        after: None,
    }
}

/// Refuses further attempts while the account or the address is locked out.
async fn refuse_when_throttled(
    conn: &mut sqlx::PgConnection,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<(), LoginError> {
    let throttle = repo::throttle(conn, email, ip).await?;
    if throttle.locked() {
        return Err(LoginError::Throttled {
            retry_after_secs: u32::try_from(throttle.retry_after_secs.max(1)).unwrap_or(60),
        });
    }
    Ok(())
}

pub enum LoginOutcome {
    /// Logged in; the cookie value of the new session.
    Done { token: String },
    /// Password right, TOTP required; the cookie value of the pending session.
    SecondFactor { token: String },
}

#[derive(Debug, PartialEq)]
pub enum LoginError {
    BadCredentials,
    Throttled { retry_after_secs: u32 },
    NoTenant,
    Internal,
}

impl From<sqlx::Error> for LoginError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "login failed on the database");
        LoginError::Internal
    }
}

pub async fn login(
    pool: &PgPool,
    email: &str,
    password: &str,
    ip: Option<IpAddr>,
    user_agent: Option<&str>,
) -> Result<LoginOutcome, LoginError> {
    let mut tx = pool.begin().await?;
    refuse_when_throttled(&mut tx, email, ip).await?;
    let user = repo::find_login_user(&mut tx, email).await?;
    let verified = match &user {
        Some(u) if u.active => u
            .password_hash
            .as_deref()
            .is_some_and(|h| verify_password(password, h)),
        _ => {
            dummy_password_check(password);
            false
        }
    };
    repo::record_attempt(&mut tx, email, ip, verified).await?;
    let Some(user) = user.filter(|_| verified) else {
        if let Some(known) = repo::find_login_user(&mut tx, email)
            .await?
            .and_then(|u| u.default_tenant.map(|t| (u, t)))
        {
            let (known, tenant_id) = known;
            record(
                &mut tx,
                user_event(tenant_id, known.id, &known.email, ip, "auth.login_failed"),
            )
            .await?;
        }
        tx.commit().await?;
        return Err(LoginError::BadCredentials);
    };
    let tenant_id = user.default_tenant.ok_or(LoginError::NoTenant)?;
    let pending = user.totp_secret.is_some();
    let token =
        repo::create_session(&mut tx, user.id, Some(tenant_id), pending, ip, user_agent).await?;
    let action = if pending {
        "auth.password_accepted"
    } else {
        "auth.login"
    };
    record(
        &mut tx,
        user_event(tenant_id, user.id, &user.email, ip, action),
    )
    .await?;
    tx.commit().await?;
    Ok(if pending {
        LoginOutcome::SecondFactor { token }
    } else {
        LoginOutcome::Done { token }
    })
}

/// Checks a TOTP code or a recovery code for a pending session; returns the new cookie value.
pub async fn second_factor(
    pool: &PgPool,
    pending: &super::context::SessionUser,
    code: &str,
    ip: Option<IpAddr>,
    unix_time: i64,
) -> Result<String, LoginError> {
    let mut tx = pool.begin().await?;
    refuse_when_throttled(&mut tx, &pending.email, ip).await?;
    let user = repo::find_user_by_id(&mut tx, pending.user_id).await?;
    let secret = user.totp_secret.clone().unwrap_or_default();
    let by_totp = match super::totp::matching_step(&secret, code, unix_time) {
        Some(step) => repo::accept_totp_step(&mut tx, user.id, step).await?,
        None => false,
    };
    let by_recovery = !by_totp && repo::use_recovery_code(&mut tx, user.id, code).await?;
    let tenant_id = pending
        .tenant_id
        .or(user.default_tenant)
        .ok_or(LoginError::NoTenant)?;
    repo::record_attempt(&mut tx, &user.email, ip, by_totp || by_recovery).await?;
    if !(by_totp || by_recovery) {
        record(
            &mut tx,
            user_event(
                tenant_id,
                user.id,
                &user.email,
                ip,
                "auth.second_factor_failed",
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(LoginError::BadCredentials);
    }
    let token = repo::complete_second_factor(&mut tx, &pending.token_hash).await?;
    let action = if by_totp {
        "auth.login"
    } else {
        "auth.login_recovery_code"
    };
    record(
        &mut tx,
        user_event(tenant_id, user.id, &user.email, ip, action),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn logout(
    pool: &PgPool,
    session: &super::context::SessionUser,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    repo::delete_session(&mut tx, &session.token_hash).await?;
    if let Some(tenant_id) = session.tenant_id {
        record(
            &mut tx,
            user_event(
                tenant_id,
                session.user_id,
                &session.email,
                ip,
                "auth.logout",
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
