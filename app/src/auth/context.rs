//! The request's actor, as every server function sees it. The server's middleware resolves
//! the session cookie (or API token) once per request into a `RequestContext` extension.

use crate::domain::permissions::allows;
use crate::domain::{Permission, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use sqlx::PgPool;
use std::net::IpAddr;
use uuid::Uuid;

/// The logged-in user of a browser session, loaded with the active tenant's roles.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionUser {
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub language: String,
    pub mfa_pending: bool,
    pub totp_enabled: bool,
    pub tenant_id: Option<Uuid>,
    pub roles: Vec<String>,
    /// The customer a portal user belongs to in this tenant (None for staff).
    pub customer_id: Option<Uuid>,
}

/// Set by the server on every request.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub session: Option<SessionUser>,
    pub lang: Lang,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// How the actor authenticated: scopes limit what an API token may do.
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    Session {
        token_hash: Vec<u8>,
    },
    ApiToken {
        token_id: Uuid,
        scopes: Vec<String>,
    },
    /// Kontor itself: the command line (demo data) and background jobs.
    System,
}

/// Someone acting in one tenant.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub tenant_id: Uuid,
    pub roles: Vec<Role>,
    /// Set for portal users: everything they see is this customer's (None for staff,
    /// API tokens and the system).
    pub customer_id: Option<Uuid>,
    pub label: String,
    pub ip: Option<IpAddr>,
    pub lang: Lang,
    pub credential: Credential,
}

impl Actor {
    /// Sessions act with their roles; tokens with the scopes they were given.
    pub fn may(&self, permission: Permission) -> bool {
        match &self.credential {
            Credential::Session { .. } => allows(&self.roles, permission),
            Credential::ApiToken { scopes, .. } => scopes.iter().any(|scope| {
                crate::domain::permissions::scope_permission(scope) == Some(permission)
            }),
            Credential::System => true,
        }
    }

    /// Kontor acting on its own in a tenant, named in the audit log by `label`.
    pub fn system(tenant_id: Uuid, label: &str) -> Actor {
        Actor {
            user_id: None,
            tenant_id,
            roles: Vec::new(),
            customer_id: None,
            label: label.to_owned(),
            ip: None,
            lang: Lang::De,
            credential: Credential::System,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// `permission`, and acting for the agency rather than for one customer (portal).
    pub fn require_staff(&self, permission: Permission) -> Result<(), AppError> {
        self.require(permission)?;
        match self.customer_id {
            Some(_) => Err(AppError::Forbidden),
            None => Ok(()),
        }
    }

    /// Reading invoices and what hangs on them: staff with `ViewInvoices`, portal users
    /// with `ViewOwnInvoices` (their queries are scoped to their customer).
    pub fn require_invoice_reader(&self) -> Result<(), AppError> {
        match self.customer_id {
            Some(_) => self.require(Permission::ViewOwnInvoices),
            None => self.require(Permission::ViewInvoices),
        }
    }

    pub fn from_session(session: &SessionUser, ip: Option<IpAddr>, lang: Lang) -> Option<Actor> {
        if session.mfa_pending {
            return None;
        }
        Some(Actor {
            user_id: Some(session.user_id),
            tenant_id: session.tenant_id?,
            roles: session
                .roles
                .iter()
                .filter_map(|r| Role::parse(r))
                .collect(),
            customer_id: session.customer_id,
            label: session.email.clone(),
            ip,
            lang,
            credential: Credential::Session {
                token_hash: session.token_hash.clone(),
            },
        })
    }
}

pub fn request_context() -> Option<RequestContext> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<RequestContext>()
        .cloned()
}

pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("no database pool in context");
        AppError::Internal
    })
}

/// The start of every server function: the actor, if allowed to do `permission`.
pub fn authorize(permission: Permission) -> Result<Actor, AppError> {
    let request = request_context().ok_or(AppError::Unauthorized)?;
    let session = request.session.as_ref().ok_or(AppError::Unauthorized)?;
    let actor =
        Actor::from_session(session, request.ip, request.lang).ok_or(AppError::Unauthorized)?;
    actor.require(permission)?;
    Ok(actor)
}

/// The start of every portal server function: the actor and the customer whose data it
/// may see. The customer comes from the session's membership, never from the request.
pub fn authorize_portal() -> Result<(Actor, Uuid), AppError> {
    let actor = authorize(Permission::UsePortal)?;
    let customer_id = actor.customer_id.ok_or(AppError::Forbidden)?;
    Ok((actor, customer_id))
}

/// Gives failed server functions the HTTP status that matches their error.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                http::StatusCode::from_u16(error.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

/// The language for messages of this request.
pub fn request_lang() -> Lang {
    request_context().map(|r| r.lang).unwrap_or_default()
}
