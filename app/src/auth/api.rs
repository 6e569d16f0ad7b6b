//! Server functions of the logged-in user's own account: session, password, 2FA, sessions.

use super::model::{OwnSession, SessionView, TotpEnrolment};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {
    super::context::{authorize, pool, request_context, respond, Credential},
    crate::audit::repo::{record, Event},
    crate::domain::Permission,
};

/// The logged-in user, or `None` on public pages.
#[server(prefix = "/sf", endpoint = "auth/session", output = Json)]
pub async fn current_session() -> Result<Option<SessionView>, AppError> {
    respond(
        async {
            let Some(session) = request_context()
                .and_then(|r| r.session)
                .filter(|s| !s.mfa_pending)
            else {
                return Ok(None);
            };
            let mut conn = pool()?.acquire().await?;
            let tenants = super::repo::user_tenants(&mut conn, session.user_id).await?;
            Ok(Some(SessionView {
                user_id: session.user_id,
                email: session.email.clone(),
                display_name: session.display_name.clone(),
                totp_enabled: session.totp_enabled,
                tenant: tenants
                    .iter()
                    .find(|t| Some(t.id) == session.tenant_id)
                    .cloned(),
                tenants,
                roles: session
                    .roles
                    .iter()
                    .filter_map(|r| crate::domain::Role::parse(r))
                    .collect(),
            }))
        }
        .await,
    )
}

/// Any logged-in person may manage their own account.
#[cfg(feature = "ssr")]
fn own_account() -> Result<super::context::Actor, AppError> {
    authorize(Permission::UseStaffApp).or_else(|_| authorize(Permission::UsePortal))
}

#[cfg(feature = "ssr")]
fn own_user_id(actor: &super::context::Actor) -> Result<uuid::Uuid, AppError> {
    actor.user_id.ok_or(AppError::Forbidden)
}

/// Starts TOTP enrolment: a new secret, kept pending until a code from it is confirmed.
#[server(prefix = "/sf", endpoint = "auth/totp_start", output = Json)]
pub async fn start_totp_enrolment() -> Result<TotpEnrolment, AppError> {
    respond(
        async {
            let actor = own_account()?;
            let user_id = own_user_id(&actor)?;
            let secret = super::totp::new_secret();
            let mut conn = pool()?.acquire().await?;
            sqlx::query("update users set totp_pending_secret = $2 where id = $1")
                .bind(user_id)
                .bind(&secret)
                .execute(&mut *conn)
                .await?;
            let secret_base32 = data_encoding::BASE32_NOPAD.encode(&secret);
            let otpauth_uri = super::totp::otpauth_uri(&secret_base32, "Kontor", &actor.label);
            let qr_svg = qrcode::QrCode::new(otpauth_uri.as_bytes())
                .map(|code| {
                    code.render::<qrcode::render::svg::Color>()
                        .min_dimensions(200, 200)
                        .build()
                })
                .map_err(|_| AppError::Internal)?;
            Ok(TotpEnrolment {
                secret_base32,
                otpauth_uri,
                qr_svg,
            })
        }
        .await,
    )
}

/// Enables TOTP once a code from the pending secret matches; returns ten recovery codes,
/// shown this once.
#[server(prefix = "/sf", endpoint = "auth/totp_confirm", output = Json)]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    respond(
        async {
            let actor = own_account()?;
            let user_id = own_user_id(&actor)?;
            let mut tx = pool()?.begin().await?;
            let pending: Option<Vec<u8>> = sqlx::query_scalar(
                "select totp_pending_secret from users where id = $1 for update",
            )
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            let lang = actor.lang;
            let secret = pending.ok_or_else(|| {
                AppError::field("code", crate::i18n::Key::TotpStartFirst.text(lang))
            })?;
            let now = chrono::Utc::now().timestamp();
            let step = super::totp::matching_step(&secret, &code, now).ok_or_else(|| {
                AppError::field("code", crate::i18n::Key::TotpWrongCode.text(lang))
            })?;
            sqlx::query(
                "update users set totp_secret = totp_pending_secret, totp_pending_secret = null,
                    totp_enabled_at = now(), totp_last_step = $2, updated_at = now() where id = $1",
            )
            .bind(user_id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            let codes = super::secrets::recovery_codes();
            super::repo::replace_recovery_codes(&mut tx, user_id, &codes).await?;
            record(
                &mut tx,
                Event::by(&actor, "auth.totp_enabled", "user", user_id),
            )
            .await?;
            tx.commit().await?;
            Ok(codes)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn check_password(
    conn: &mut sqlx::PgConnection,
    actor: &super::context::Actor,
    password: &str,
) -> Result<uuid::Uuid, AppError> {
    let user_id = own_user_id(actor)?;
    let user = super::repo::find_user_by_id(conn, user_id).await?;
    if user
        .password_hash
        .as_deref()
        .is_some_and(|h| super::secrets::verify_password(password, h))
    {
        Ok(user_id)
    } else {
        Err(AppError::field(
            "password",
            crate::i18n::Key::WrongPassword.text(actor.lang),
        ))
    }
}

/// Turns TOTP off; asks for the password so a forgotten open browser is not enough.
#[server(prefix = "/sf", endpoint = "auth/totp_disable", output = Json)]
pub async fn disable_totp(password: String) -> Result<(), AppError> {
    respond(async {
        let actor = own_account()?;
        let mut tx = pool()?.begin().await?;
        let user_id = check_password(&mut tx, &actor, &password).await?;
        sqlx::query(
            "update users set totp_secret = null, totp_pending_secret = null, totp_enabled_at = null,
                    totp_last_step = null, updated_at = now() where id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from recovery_codes where user_id = $1").bind(user_id).execute(&mut *tx).await?;
        record(&mut tx, Event::by(&actor, "auth.totp_disabled", "user", user_id)).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}

/// New recovery codes replace all old ones.
#[server(prefix = "/sf", endpoint = "auth/recovery_codes", output = Json)]
pub async fn regenerate_recovery_codes(password: String) -> Result<Vec<String>, AppError> {
    respond(
        async {
            let actor = own_account()?;
            let mut tx = pool()?.begin().await?;
            let user_id = check_password(&mut tx, &actor, &password).await?;
            let codes = super::secrets::recovery_codes();
            super::repo::replace_recovery_codes(&mut tx, user_id, &codes).await?;
            record(
                &mut tx,
                Event::by(&actor, "auth.recovery_codes_renewed", "user", user_id),
            )
            .await?;
            tx.commit().await?;
            Ok(codes)
        }
        .await,
    )
}

pub const MIN_PASSWORD_LENGTH: usize = 10;

#[server(prefix = "/sf", endpoint = "auth/password", output = Json)]
pub async fn change_password(
    current: String,
    new_password: String,
    repeat: String,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = own_account()?;
            let lang = actor.lang;
            let mut tx = pool()?.begin().await?;
            let user_id = check_password(&mut tx, &actor, &current)
                .await
                .map_err(|_| {
                    AppError::field("current", crate::i18n::Key::WrongPassword.text(lang))
                })?;
            let mut errors = crate::error::FieldErrors::default();
            if new_password.chars().count() < MIN_PASSWORD_LENGTH {
                errors.add(
                    "new_password",
                    crate::i18n::Key::PasswordTooShort
                        .fill(lang, &[("n", &MIN_PASSWORD_LENGTH.to_string())]),
                );
            }
            if new_password != repeat {
                errors.add("repeat", crate::i18n::Key::PasswordsDiffer.text(lang));
            }
            errors.into_result()?;
            let hash = super::secrets::hash_password(&new_password)?;
            sqlx::query("update users set password_hash = $2, updated_at = now() where id = $1")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
            // other browsers must log in with the new password
            let keep = match &actor.credential {
                Credential::Session { token_hash } => Some(token_hash.as_slice()),
                Credential::ApiToken { .. } | Credential::System => None,
            };
            super::repo::delete_user_sessions(&mut tx, user_id, keep).await?;
            record(
                &mut tx,
                Event::by(&actor, "auth.password_changed", "user", user_id),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "auth/sessions", output = Json)]
pub async fn list_own_sessions() -> Result<Vec<OwnSession>, AppError> {
    respond(
        async {
            let actor = own_account()?;
            let user_id = own_user_id(&actor)?;
            let current = match &actor.credential {
                Credential::Session { token_hash } => token_hash.clone(),
                Credential::ApiToken { .. } | Credential::System => Vec::new(),
            };
            let mut conn = pool()?.acquire().await?;
            let rows =
                sqlx::query_as::<_, (Vec<u8>, String, String, Option<String>, Option<String>)>(
                    "select s.token_hash,
                    to_char(s.created_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                    to_char(s.last_seen_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI'),
                    host(s.ip), s.user_agent
             from sessions s join tenants t on t.id = $2
             where s.user_id = $1 and s.expires_at > now() and not s.mfa_pending
             order by s.last_seen_at desc",
                )
                .bind(user_id)
                .bind(actor.tenant_id)
                .fetch_all(&mut *conn)
                .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(hash, created_at, last_seen_at, ip, user_agent)| OwnSession {
                        current: hash == current,
                        id: hex::encode(&hash[..8]),
                        created_at,
                        last_seen_at,
                        ip,
                        user_agent,
                    },
                )
                .collect())
        }
        .await,
    )
}

/// Ends all other sessions of the user ("log out everywhere else").
#[server(prefix = "/sf", endpoint = "auth/logout_everywhere", output = Json)]
pub async fn logout_everywhere() -> Result<u64, AppError> {
    respond(
        async {
            let actor = own_account()?;
            let user_id = own_user_id(&actor)?;
            let keep = match &actor.credential {
                Credential::Session { token_hash } => Some(token_hash.clone()),
                Credential::ApiToken { .. } | Credential::System => None,
            };
            let mut tx = pool()?.begin().await?;
            let ended =
                super::repo::delete_user_sessions(&mut tx, user_id, keep.as_deref()).await?;
            record(
                &mut tx,
                Event::by(&actor, "auth.logout_everywhere", "user", user_id)
                    .change(None, Some(serde_json::json!({ "sessions_ended": ended }))),
            )
            .await?;
            tx.commit().await?;
            Ok(ended)
        }
        .await,
    )
}
