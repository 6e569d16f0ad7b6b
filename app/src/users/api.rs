use super::model::{Invitation, InviteInput, UserRow};
use crate::domain::Role;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
};

#[server(prefix = "/sf", endpoint = "users/list", input = Json, output = Json)]
pub async fn list_users(page: PageRequest) -> Result<Page<UserRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewUsers)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &page).await?)
        }
        .await,
    )
}

/// Validates the invitation form; shared with the REST API.
#[cfg(feature = "ssr")]
pub fn validate_invite(input: &InviteInput, lang: crate::i18n::Lang) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if !crate::domain::is_plausible_email(&input.email) {
        errors.add("email", Key::ErrEmail.text(lang));
    }
    if input.display_name.trim().is_empty() {
        errors.add("display_name", Key::ErrRequired.text(lang));
    }
    if input.roles.is_empty() || input.roles.iter().any(|r| !r.is_staff()) {
        errors.add("roles", Key::ErrRoles.text(lang));
    }
    errors.into_result()
}

/// Creates the user (or adds an existing user to this tenant) with an invitation link.
#[cfg(feature = "ssr")]
pub async fn invite(
    conn: &mut sqlx::PgConnection,
    actor: &crate::auth::context::Actor,
    input: &InviteInput,
    public_url: &str,
) -> Result<Invitation, AppError> {
    validate_invite(input, actor.lang)?;
    add_member(
        conn,
        actor,
        &NewMember {
            email: &input.email,
            display_name: &input.display_name,
            roles: &input.roles,
            customer_id: None,
        },
        public_url,
    )
    .await
}

/// Someone to add to the actor's tenant: staff, or a portal user of one customer.
#[cfg(feature = "ssr")]
pub struct NewMember<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub roles: &'a [Role],
    /// Set for portal users; the caller has checked that the customer is the tenant's.
    pub customer_id: Option<Uuid>,
}

/// Creates the user if the e-mail is new, the membership and a one-time invitation link
/// (valid 7 days), with an audit entry. The caller has validated the input.
#[cfg(feature = "ssr")]
pub async fn add_member(
    conn: &mut sqlx::PgConnection,
    actor: &crate::auth::context::Actor,
    member: &NewMember<'_>,
    public_url: &str,
) -> Result<Invitation, AppError> {
    let email = member.email.trim().to_lowercase();
    let kind = if member.customer_id.is_some() {
        "customer"
    } else {
        "staff"
    };
    let (user_id, has_password): (Uuid, bool) = sqlx::query_as(
        "insert into users (id, email, display_name, kind) values ($1, $2, $3, $4::user_kind)
         on conflict ((lower(email))) do update set updated_at = now()
         returning id, password_hash is not null",
    )
    .bind(Uuid::new_v4())
    .bind(&email)
    .bind(member.display_name.trim())
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?;
    let added = sqlx::query(
        "insert into memberships (tenant_id, user_id, roles, customer_id) values ($1, $2, $3, $4)
         on conflict do nothing",
    )
    .bind(actor.tenant_id)
    .bind(user_id)
    .bind(repo::role_names(member.roles))
    .bind(member.customer_id)
    .execute(&mut *conn)
    .await?;
    if added.rows_affected() == 0 {
        return Err(AppError::field(
            "email",
            Key::ErrAlreadyMember.text(actor.lang),
        ));
    }
    let public_url = public_url.trim_end_matches('/');
    // Someone who already has a password logs in with it: a link that set a new one would
    // let this tenant take over an account of another tenant.
    let link = if has_password {
        format!("{public_url}/login")
    } else {
        let token = crate::auth::secrets::random_token();
        sqlx::query(
            "insert into user_invitations (token_hash, user_id, tenant_id, expires_at)
             values ($1, $2, $3, now() + interval '7 days')",
        )
        .bind(crate::auth::secrets::token_hash(&token))
        .bind(user_id)
        .bind(actor.tenant_id)
        .execute(&mut *conn)
        .await?;
        format!("{public_url}/invite/{token}")
    };
    let mut after = repo::snapshot(conn, actor.tenant_id, user_id).await?;
    if let (Some(after), Some(customer_id)) = (after.as_mut(), member.customer_id) {
        after["customer_id"] = serde_json::json!(customer_id);
    }
    record(
        conn,
        Event::by(actor, "user.invited", "user", user_id).change(None, after),
    )
    .await?;
    Ok(Invitation { user_id, link })
}

#[server(prefix = "/sf", endpoint = "users/invite", input = Json, output = Json)]
pub async fn invite_user(input: InviteInput) -> Result<Invitation, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageUsers)?;
            let public_url = use_context::<crate::PublicUrl>()
                .map(|u| u.0)
                .unwrap_or_default();
            let mut tx = pool()?.begin().await?;
            let invitation = invite(&mut tx, &actor, &input, &public_url).await?;
            tx.commit().await?;
            Ok(invitation)
        }
        .await,
    )
}

/// A change to a member of the actor's tenant: opened with the state before, finished
/// with an audit entry holding before and after, in one transaction.
#[cfg(feature = "ssr")]
struct MemberChange {
    actor: crate::auth::context::Actor,
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    user_id: Uuid,
    before: serde_json::Value,
}

#[cfg(feature = "ssr")]
impl MemberChange {
    async fn begin(user_id: Uuid) -> Result<Self, AppError> {
        let actor = authorize(Permission::ManageUsers)?;
        let mut tx = pool()?.begin().await?;
        let before = repo::snapshot(&mut tx, actor.tenant_id, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(MemberChange {
            actor,
            tx,
            user_id,
            before,
        })
    }

    async fn finish(mut self, action: &str) -> Result<(), AppError> {
        let after = repo::snapshot(&mut self.tx, self.actor.tenant_id, self.user_id).await?;
        record(
            &mut self.tx,
            Event::by(&self.actor, action, "user", self.user_id).change(Some(self.before), after),
        )
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

#[server(prefix = "/sf", endpoint = "users/roles", input = Json, output = Json)]
pub async fn set_user_roles(user_id: Uuid, roles: Vec<Role>) -> Result<(), AppError> {
    respond(
        async {
            let mut change = MemberChange::begin(user_id).await?;
            let lang = change.actor.lang;
            if roles.is_empty() || roles.iter().any(|r| !r.is_staff()) {
                return Err(AppError::field("roles", Key::ErrRoles.text(lang)));
            }
            if change.actor.user_id == Some(user_id) && !roles.contains(&Role::Admin) {
                return Err(AppError::field("roles", Key::ErrOwnAdminRole.text(lang)));
            }
            sqlx::query("update memberships set roles = $3 where tenant_id = $1 and user_id = $2")
                .bind(change.actor.tenant_id)
                .bind(user_id)
                .bind(repo::role_names(&roles))
                .execute(&mut *change.tx)
                .await?;
            change.finish("user.roles_changed").await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "users/active", input = Json, output = Json)]
pub async fn set_user_active(user_id: Uuid, active: bool) -> Result<(), AppError> {
    respond(
        async {
            let mut change = MemberChange::begin(user_id).await?;
            if change.actor.user_id == Some(user_id) && !active {
                return Err(AppError::Conflict(
                    Key::ErrDeactivateSelf.text(change.actor.lang).to_owned(),
                ));
            }
            sqlx::query("update memberships set active = $3 where tenant_id = $1 and user_id = $2")
                .bind(change.actor.tenant_id)
                .bind(user_id)
                .bind(active)
                .execute(&mut *change.tx)
                .await?;
            if !active {
                // a deactivated member's sessions in this tenant end at once
                sqlx::query("delete from sessions where user_id = $1 and tenant_id = $2")
                    .bind(user_id)
                    .bind(change.actor.tenant_id)
                    .execute(&mut *change.tx)
                    .await?;
            }
            change
                .finish(if active {
                    "user.reactivated"
                } else {
                    "user.deactivated"
                })
                .await
        }
        .await,
    )
}

/// For a user who lost their authenticator: TOTP off, recovery codes gone, sessions ended.
#[server(prefix = "/sf", endpoint = "users/reset_2fa", input = Json, output = Json)]
pub async fn reset_user_2fa(user_id: Uuid) -> Result<(), AppError> {
    respond(async {
        let mut change = MemberChange::begin(user_id).await?;
        sqlx::query(
            "update users set totp_secret = null, totp_pending_secret = null, totp_enabled_at = null,
                    totp_last_step = null, updated_at = now() where id = $1",
        )
        .bind(user_id)
        .execute(&mut *change.tx)
        .await?;
        sqlx::query("delete from recovery_codes where user_id = $1").bind(user_id).execute(&mut *change.tx).await?;
        sqlx::query("delete from sessions where user_id = $1").bind(user_id).execute(&mut *change.tx).await?;
        change.finish("user.totp_reset").await
    }.await)
}
