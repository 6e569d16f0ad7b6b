//! The plain HTML form endpoints behind login, second factor, logout, invitation, language
//! and tenant switch. They answer with redirects, so they work with and without JavaScript.

use crate::startup::{form_urlencoded_component, AppState, LANG_COOKIE, SESSION_COOKIE};
use app::auth::context::RequestContext;
use app::auth::login::{self, LoginError, LoginOutcome};
use app::auth::pages::safe_next;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use uuid::Uuid;

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

fn login_error_url(error: &LoginError, email: &str, next: &str) -> String {
    let next = form_urlencoded_component(next);
    let email = form_urlencoded_component(email);
    match error {
        LoginError::Throttled { retry_after_secs } => {
            format!(
                "/login?error=throttled&minutes={}&email={email}&next={next}",
                retry_after_secs.div_ceil(60)
            )
        }
        LoginError::NoTenant => format!("/login?error=no_tenant&email={email}&next={next}"),
        LoginError::BadCredentials | LoginError::Internal => {
            format!("/login?error=credentials&email={email}&next={next}")
        }
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next);
    match login::login(
        &state.pool,
        &form.email,
        &form.password,
        request.ip,
        request.user_agent.as_deref(),
    )
    .await
    {
        Ok(LoginOutcome::Done { token }) => redirect_with_cookie(
            &next,
            session_cookie(
                &state,
                &token,
                i64::from(app::auth::repo::IDLE_HOURS) * 3600,
            ),
        ),
        Ok(LoginOutcome::SecondFactor { token }) => redirect_with_cookie(
            &format!("/login/2fa?next={}", form_urlencoded_component(&next)),
            session_cookie(&state, &token, 3600),
        ),
        Err(error) => Redirect::to(&login_error_url(&error, &form.email, &next)).into_response(),
    }
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    code: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn second_factor(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    let next = safe_next(form.next);
    let Some(pending) = request.session.filter(|s| s.mfa_pending) else {
        return Redirect::to("/login?error=expired").into_response();
    };
    match login::second_factor(
        &state.pool,
        &pending,
        &form.code,
        request.ip,
        chrono::Utc::now().timestamp(),
    )
    .await
    {
        Ok(token) => redirect_with_cookie(
            &next,
            session_cookie(
                &state,
                &token,
                i64::from(app::auth::repo::IDLE_HOURS) * 3600,
            ),
        ),
        Err(LoginError::Throttled { retry_after_secs }) => Redirect::to(&format!(
            "/login/2fa?error=throttled&minutes={}",
            retry_after_secs.div_ceil(60)
        ))
        .into_response(),
        Err(_) => Redirect::to(&format!(
            "/login/2fa?error=code&next={}",
            form_urlencoded_component(&next)
        ))
        .into_response(),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
) -> Response {
    if let Some(session) = &request.session {
        if let Err(error) = login::logout(&state.pool, session, request.ip).await {
            tracing::error!(?error, "logout failed");
        }
    }
    redirect_with_cookie("/login", session_cookie(&state, "", 0))
}

#[derive(Deserialize)]
pub struct InvitationForm {
    token: String,
    password: String,
    repeat: String,
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    Form(form): Form<InvitationForm>,
) -> Response {
    let back = |error: &str| {
        Redirect::to(&format!(
            "/invite/{}?error={error}",
            form_urlencoded_component(&form.token)
        ))
        .into_response()
    };
    if form.password.chars().count() < app::auth::api::MIN_PASSWORD_LENGTH {
        return back("password_short");
    }
    if form.password != form.repeat {
        return back("password_differ");
    }
    match app::users::repo::accept_invitation(&state.pool, &form.token, &form.password).await {
        Ok(true) => Redirect::to("/login").into_response(),
        Ok(false) => back("invitation"),
        Err(error) => {
            tracing::error!(?error, "accepting an invitation failed");
            back("invitation")
        }
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

/// Back to the page the form was on (same site only).
fn back_to_referer(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.split_once("://").map(|(_, rest)| {
                rest.find('/')
                    .map(|i| rest[i..].to_owned())
                    .unwrap_or_default()
            })
        })
        .map(|path| safe_next(Some(path)))
        .unwrap_or_else(|| "/".to_owned())
}

pub async fn set_language(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = app::i18n::Lang::parse(&form.lang).unwrap_or_default();
    if let Some(session) = &request.session {
        let updated = sqlx::query("update users set language = $2 where id = $1")
            .bind(session.user_id)
            .bind(lang.code())
            .execute(&state.pool)
            .await;
        if let Err(error) = updated {
            tracing::error!(%error, "saving the language failed");
        }
    }
    let cookie = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""));
    redirect_with_cookie(&back_to_referer(&headers), cookie)
}

#[derive(Deserialize)]
pub struct TenantForm {
    tenant_id: Uuid,
}

pub async fn switch_tenant(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    Form(form): Form<TenantForm>,
) -> Response {
    let Some(session) = request.session.filter(|s| !s.mfa_pending) else {
        return Redirect::to("/login").into_response();
    };
    let switched = async {
        let mut conn = state.pool.acquire().await?;
        app::auth::repo::switch_tenant(&mut conn, &session.token_hash, form.tenant_id).await
    }
    .await;
    match switched {
        Ok(true) => Redirect::to("/").into_response(),
        Ok(false) => (
            axum::http::StatusCode::FORBIDDEN,
            "Not a member of this tenant.",
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "switching tenant failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Switching the tenant failed.",
            )
                .into_response()
        }
    }
}

/// The stored e-invoice XML for the signed-in user (the browser's download link).
pub async fn invoice_xml(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Response {
    session_document(
        &state,
        &request,
        id,
        crate::rest::billing::StoredFile::Xml(None),
    )
    .await
}

/// The stored invoice PDF for the signed-in user.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Response {
    session_document(&state, &request, id, crate::rest::billing::StoredFile::Pdf).await
}

/// An exported SEPA collection file for the signed-in user.
pub async fn direct_debit_file(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Response {
    let actor = session_actor(&request);
    let outcome = match actor {
        Some(actor) => crate::rest::sepa::stored_file(&state, &actor, id).await,
        None => Err(app::error::AppError::Unauthorized),
    };
    answer(outcome, &request)
}

/// A dunning letter's PDF for the signed-in user.
pub async fn dunning_letter(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Response {
    let outcome = match session_actor(&request) {
        Some(actor) => crate::rest::dunning::stored_letter(&state, &actor, id).await,
        None => Err(app::error::AppError::Unauthorized),
    };
    answer(outcome, &request)
}

/// The PDF of a sent quote version for the signed-in user (staff, or the portal's own).
pub async fn quote_pdf(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Path((id, version)): axum::extract::Path<(Uuid, i32)>,
) -> Response {
    let outcome = match session_actor(&request) {
        Some(actor) => crate::rest::quotes::stored_pdf(&state, &actor, id, version).await,
        None => Err(app::error::AppError::Unauthorized),
    };
    answer(outcome, &request)
}

/// The DATEV booking batch of a period for the signed-in user.
pub async fn datev_export(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
    axum::extract::Query(period): axum::extract::Query<app::accounting::model::ExportPeriod>,
) -> Response {
    let outcome = match session_actor(&request) {
        Some(actor) => crate::rest::accounting::datev_file(&state, &actor, &period).await,
        None => Err(app::error::AppError::Unauthorized),
    };
    answer(outcome, &request)
}

fn session_actor(request: &RequestContext) -> Option<app::auth::context::Actor> {
    request.session.as_ref().and_then(|session| {
        app::auth::context::Actor::from_session(session, request.ip, request.lang)
    })
}

async fn session_document(
    state: &AppState,
    request: &RequestContext,
    id: Uuid,
    file: crate::rest::billing::StoredFile<'_>,
) -> Response {
    let outcome = match session_actor(request) {
        Some(actor) => crate::rest::billing::stored_document(state, &actor, id, file).await,
        None => Err(app::error::AppError::Unauthorized),
    };
    answer(outcome, request)
}

/// A download, or its error as plain text in the user's language.
fn answer(outcome: Result<Response, app::error::AppError>, request: &RequestContext) -> Response {
    outcome.unwrap_or_else(|error| {
        let status = axum::http::StatusCode::from_u16(error.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, error.message(request.lang)).into_response()
    })
}
