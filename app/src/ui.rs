//! The design system: layout shells, form fields with inline errors, tables with server-side
//! paging, money/date display, toasts, confirm dialogs and empty states. Colours come from
//! CSS custom properties, so a tenant's branding restyles everything.

pub mod form;
pub mod paging;
pub mod shell;
pub mod table;
pub mod toast;
pub mod upload;

use crate::i18n::{t, use_lang, Key};
use leptos::prelude::*;

/// Money in the page's language: `1.234,56 €`.
#[component]
pub fn Money(
    #[prop(into)] amount: rust_decimal::Decimal,
    #[prop(into)] currency: String,
) -> impl IntoView {
    let text = crate::domain::format::money(amount, &currency, use_lang());
    view! { <span class="num">{text}</span> }
}

/// A business date in the page's language: `31.12.2026`.
#[component]
pub fn Date(date: chrono::NaiveDate) -> impl IntoView {
    let text = crate::domain::format::date(date, use_lang());
    view! { <time datetime=date.to_string()>{text}</time> }
}

/// A timestamp the server already put into the tenant's time zone (`YYYY-MM-DD HH:MM`).
#[component]
pub fn LocalTime(#[prop(into)] value: String) -> impl IntoView {
    let shown = chrono::NaiveDateTime::parse_from_str(&value, "%Y-%m-%d %H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&value, "%Y-%m-%d %H:%M:%S"))
        .map(|at| crate::domain::format::date_time(at, use_lang()))
        .unwrap_or_else(|_| value.clone());
    view! { <time datetime=value>{shown}</time> }
}

#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <p class="empty-title">{title}</p>
            {hint.map(|h| view! { <p class="muted">{h}</p> })}
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="centered-page" id="main">
            <h1>{t(Key::NotFoundTitle)}</h1>
            <p><a href="/">{t(Key::NotFoundBack)}</a></p>
        </main>
    }
}

/// Shown in place of a page the user may not see (the server refuses the data anyway).
#[component]
pub fn ErrorBox(error: crate::error::AppError) -> impl IntoView {
    let message = error.message(use_lang());
    view! { <div class="alert alert-error" role="alert">{message}</div> }
}

/// "Loading…" for Suspense fallbacks, announced to screen readers.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{t(Key::Loading)}</p> }
}

/// A budget traffic light: a shape and a word besides the colour, so it reads without colour
/// and in print (● on plan, ▲ watch, ■ critical, ○ no budget).
#[component]
pub fn TrafficLight(light: Option<crate::domain::budget::Light>) -> impl IntoView {
    use crate::domain::budget::Light;
    let (class, mark, key) = match light {
        Some(Light::Green) => ("light light-green", "●", Key::LightGreen),
        Some(Light::Yellow) => ("light light-yellow", "▲", Key::LightYellow),
        Some(Light::Red) => ("light light-red", "■", Key::LightRed),
        None => ("light light-none", "○", Key::LightNone),
    };
    view! { <span class=class><span aria-hidden="true">{mark}</span>" "{t(key)}</span> }
}
