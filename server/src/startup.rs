//! The HTTP application: routes, and the middleware every request passes through
//! (session and language, CSRF check, login redirects, security headers).

use crate::config::Config;
use app::auth::context::{RequestContext, SessionUser};
use app::domain::{permissions::allows, Permission, Role};
use app::i18n::Lang;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tower_http::services::ServeDir;

pub const SESSION_COOKIE: &str = "kontor_session";
pub const LANG_COOKIE: &str = "kontor_lang";

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    /// The opened vault key (`crate::vault::open`); without it no secret is stored or revealed.
    pub vault: Option<app::vault::crypto::VaultKey>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The CSP nonce of this response; the hydration script carries it.
#[derive(Clone)]
struct CspNonce(String);

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("kontor")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// The application without the vault key: everything but storing and revealing secrets.
pub fn router(pool: PgPool, config: Config) -> Router {
    build(pool, config, None)
}

/// The application with the vault key that `crate::vault::open` checked.
pub fn router_with_vault(
    pool: PgPool,
    config: Config,
    vault: app::vault::crypto::VaultKey,
) -> Router {
    build(pool, config, Some(vault))
}

fn build(pool: PgPool, config: Config, vault: Option<app::vault::crypto::VaultKey>) -> Router {
    let state = AppState {
        leptos_options: leptos_options(&config),
        pool,
        config: Arc::new(config),
        vault,
    };
    let routes = route_list().to_vec();
    let pkg = ServeDir::new(state.config.site_root.join("pkg"));
    Router::new()
        .route("/auth/login", post(crate::web::login))
        .route("/auth/2fa", post(crate::web::second_factor))
        .route("/auth/logout", post(crate::web::logout))
        .route("/auth/invitation", post(crate::web::accept_invitation))
        .route("/prefs/language", post(crate::web::set_language))
        .route("/prefs/tenant", post(crate::web::switch_tenant))
        .route("/favicon.svg", get(favicon))
        .route("/healthz", get(|| async { "ok" }))
        .route("/calendar/{file}", get(crate::calendar::feed))
        .route("/invoices/{id}/xml", get(crate::web::invoice_xml))
        .route("/invoices/{id}/pdf", get(crate::web::invoice_pdf))
        // the same documents for portal users, who stay under /portal
        .route("/portal/invoices/{id}/xml", get(crate::web::invoice_xml))
        .route("/portal/invoices/{id}/pdf", get(crate::web::invoice_pdf))
        .route(
            "/direct-debits/{id}/xml",
            get(crate::web::direct_debit_file),
        )
        .route("/dunning-letters/{id}/pdf", get(crate::web::dunning_letter))
        .route(
            "/quotes/{id}/versions/{version}/pdf",
            get(crate::web::quote_pdf),
        )
        .route(
            "/portal/quotes/{id}/versions/{version}/pdf",
            get(crate::web::quote_pdf),
        )
        .route("/exports/datev", get(crate::web::datev_export))
        .nest("/api/v1", crate::rest::router())
        .route("/api/docs", get(crate::rest::docs::page))
        .route("/sf/{*path}", any(server_function))
        .leptos_routes_with_handler(routes, get(render_page))
        .nest_service("/pkg", pkg)
        .fallback(render_page)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        .with_state(state)
}

/// The page routes, generated once per process: generating them switches resource
/// loading off process-wide for a moment (leptos_server's `SuppressResourceLoad`), and a
/// page rendering on another thread in that moment would wait forever (leptos#4773).
fn route_list() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App))
}

fn provide_server_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let pool = state.pool.clone();
    let public_url = state.config.public_url.clone();
    let vault = state.vault.clone();
    move || {
        provide_context(pool.clone());
        provide_context(crate::checks::prober());
        provide_context(app::PublicUrl(public_url.clone()));
        if let Some(vault) = &vault {
            provide_context(vault.clone());
        }
    }
}

async fn server_function(State(state): State<AppState>, request: Request) -> Response {
    leptos_axum::handle_server_fns_with_context(provide_server_context(&state), request)
        .await
        .into_response()
}

async fn render_page(State(state): State<AppState>, request: Request) -> Response {
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    let base = provide_server_context(&state);
    let options = state.leptos_options.clone();
    // in order: Suspense content arrives in place, so pages read fine without JavaScript
    let handler = leptos_axum::render_app_to_stream_in_order_with_context(
        move || {
            base();
            provide_context(leptos::nonce::Nonce::from_value(nonce.clone()));
        },
        move || app::shell(options.clone()),
    );
    handler(request).await.into_response()
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4e89"/><text x="16" y="23" font-size="20" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">K</text></svg>"##,
    )
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Pages anyone may open; everything else of the app needs a session.
fn is_public_path(path: &str) -> bool {
    path.starts_with("/login")
        || path.starts_with("/invite/")
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || path.starts_with("/sf/")
        || path.starts_with("/auth/")
        || path.starts_with("/prefs/")
        || path == "/favicon.svg"
        || path == "/healthz"
        || path.starts_with("/calendar/")
}

/// State-changing requests must come from our own pages. Browsers say where a request
/// comes from (`Sec-Fetch-Site`, `Origin`); a request that says neither is refused too.
/// The REST API is exempt: it authenticates with bearer tokens, never with cookies.
fn cross_site(request: &Request, config: &Config) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.uri().path().starts_with("/api/v1/")
    {
        return false;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let same_host = origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host);
            !(same_host || origin == config.public_url.trim_end_matches('/'))
        }
        None => true,
    }
}

fn random_nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

async fn request_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if cross_site(&request, &state.config) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    let headers = request.headers();
    let session = match cookie(headers, SESSION_COOKIE) {
        Some(token) => match state.pool.acquire().await {
            Ok(mut conn) => app::auth::repo::load_session(&mut conn, &token)
                .await
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "loading the session failed");
                    None
                }),
            Err(error) => {
                tracing::error!(%error, "no database connection");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not reachable.",
                )
                    .into_response();
            }
        },
        None => None,
    };
    let lang = session
        .as_ref()
        .and_then(|s| Lang::parse(&s.language))
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    if request.method() == Method::GET {
        if let Some(redirect) = page_guard(request.uri(), session.as_ref()) {
            return redirect.into_response();
        }
    }
    let nonce = random_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    request.extensions_mut().insert(RequestContext {
        session,
        lang,
        ip,
        user_agent,
    });
    let mut response = next.run(request).await;
    security_headers(response.headers_mut(), &nonce);
    response
}

/// Where a GET of an app page must go instead: the login, the second step, or the portal.
fn page_guard(uri: &axum::http::Uri, session: Option<&SessionUser>) -> Option<Redirect> {
    let path = uri.path();
    let next = || {
        let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        form_urlencoded_component(target)
    };
    if path == "/login" {
        return session
            .filter(|s| !s.mfa_pending)
            .map(|_| Redirect::to("/"));
    }
    if path == "/login/2fa" {
        return match session {
            Some(s) if s.mfa_pending => None,
            Some(_) => Some(Redirect::to("/")),
            None => Some(Redirect::to("/login")),
        };
    }
    if is_public_path(path) {
        return None;
    }
    match session {
        None => Some(Redirect::to(&format!("/login?next={}", next()))),
        Some(s) if s.mfa_pending => Some(Redirect::to(&format!("/login/2fa?next={}", next()))),
        Some(s) => {
            let roles: Vec<Role> = s.roles.iter().filter_map(|r| Role::parse(r)).collect();
            let portal = path == "/portal" || path.starts_with("/portal/");
            if !portal
                && !allows(&roles, Permission::UseStaffApp)
                && allows(&roles, Permission::UsePortal)
            {
                return Some(Redirect::to("/portal"));
            }
            None
        }
    }
}

pub fn form_urlencoded_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn security_headers(headers: &mut HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The response body of a request, for plain-text errors.
pub fn text(status: StatusCode, body: impl Into<Body>) -> Response {
    (status, body.into()).into_response()
}
