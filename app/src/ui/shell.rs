//! The two layouts: the staff application and the customer portal. Both take the tenant's
//! colours as CSS custom properties. Language, tenant and logout are plain HTML forms, so
//! they work before (and without) the WASM.

use crate::auth::model::{SessionView, TenantBrief};
use crate::domain::Permission;
use crate::i18n::{t, use_lang, Key, Lang};
use crate::ui::{ErrorBox, Loading};
use crate::use_session;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// The tenant's colours for this page. Colours are validated `#rrggbb`, so they are safe here.
#[component]
fn BrandStyle(tenant: Option<TenantBrief>) -> impl IntoView {
    tenant.map(|tenant| {
        let css = format!(
            ":root{{--brand:{};--accent:{};}}",
            tenant.brand_primary, tenant.brand_accent
        );
        view! { <style nonce=leptos::nonce::use_nonce()>{css}</style> }
    })
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let (other, label) = match lang {
        Lang::De => ("en", "English"),
        Lang::En => ("de", "Deutsch"),
    };
    view! {
        <form method="post" action="/prefs/language" class="inline-form">
            <input type="hidden" name="lang" value=other/>
            <button type="submit" class="button button-quiet" lang=other title=t(Key::SwitchLanguage)>
                {label}
            </button>
        </form>
    }
}

#[component]
fn TenantSwitch(session: SessionView) -> impl IntoView {
    let current = session.tenant.as_ref().map(|t| t.id);
    (session.tenants.len() > 1).then(|| {
        view! {
            <form method="post" action="/prefs/tenant" class="inline-form tenant-switch">
                <label for="tenant-switch">{t(Key::Tenant)}</label>
                <select id="tenant-switch" name="tenant_id">
                    {session.tenants.into_iter().map(|tenant| view! {
                        <option value=tenant.id.to_string() selected=Some(tenant.id) == current>{tenant.legal_name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button-quiet">{t(Key::Switch)}</button>
            </form>
        }
    })
}

#[component]
fn UserMenu(
    session: SessionView,
    #[prop(default = "/profile")] profile: &'static str,
) -> impl IntoView {
    view! {
        <details class="user-menu">
            <summary>
                <span class="visually-hidden">{t(Key::UserMenu)}": "</span>
                {session.display_name}
            </summary>
            <div class="menu">
                <a href=profile>{t(Key::NavProfile)}</a>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="link-button">{t(Key::Logout)}</button>
                </form>
            </div>
        </details>
    }
}

/// Navigation entries and who sees them: only what exists and what the user may use.
const NAV: &[(&str, Key, Option<Permission>)] = &[
    ("/", Key::NavHome, None),
    (
        "/customers",
        Key::NavCustomers,
        Some(Permission::ViewCustomers),
    ),
    (
        "/contracts",
        Key::NavContracts,
        Some(Permission::ViewContracts),
    ),
    (
        "/products",
        Key::NavProducts,
        Some(Permission::ViewProducts),
    ),
    ("/quotes", Key::QuotesNav, Some(Permission::ViewQuotes)),
    ("/projects", Key::ProjNav, Some(Permission::ViewProjects)),
    ("/time", Key::TimeNav, Some(Permission::TrackTime)),
    ("/resources", Key::ResNav, Some(Permission::ViewProjects)),
    ("/usage", Key::UsageNav, Some(Permission::ViewContracts)),
    ("/domains", Key::NavDomains, Some(Permission::ViewInventory)),
    ("/servers", Key::NavServers, Some(Permission::ViewInventory)),
    (
        "/expiring",
        Key::NavExpiring,
        Some(Permission::ViewCustomers),
    ),
    ("/checks", Key::ChecksNav, Some(Permission::ViewInventory)),
    (
        "/reconciliation",
        Key::RegNav,
        Some(Permission::ReconcileRegistrar),
    ),
    ("/invoices", Key::InvoiceNav, Some(Permission::ViewInvoices)),
    ("/billing", Key::BillNav, Some(Permission::ManageBilling)),
    ("/payments", Key::PayNav, Some(Permission::ManageBilling)),
    ("/dunning", Key::DunNav, Some(Permission::ManageBilling)),
    (
        "/reports/revenue",
        Key::AccRevenueNav,
        Some(Permission::ViewRevenue),
    ),
    (
        "/accounting",
        Key::AccNav,
        Some(Permission::ExportAccounting),
    ),
    ("/users", Key::NavUsers, Some(Permission::ViewUsers)),
    ("/audit", Key::NavAudit, Some(Permission::ViewAuditLog)),
    (
        "/api-tokens",
        Key::NavApiTokens,
        Some(Permission::ManageApiTokens),
    ),
    (
        "/settings",
        Key::NavSettings,
        Some(Permission::ManageTenantSettings),
    ),
    ("/jobs", Key::NavJobs, Some(Permission::ViewJobs)),
];

#[component]
fn MainNav(session: SessionView) -> impl IntoView {
    let location = use_location();
    let links = NAV
        .iter()
        .filter(|(_, _, permission)| permission.is_none_or(|p| session.can(p)))
        .map(|(href, key, _)| {
            let href = *href;
            let current = move || {
                let path = location.pathname.get();
                let active = if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                };
                active.then_some("page")
            };
            view! { <li><a href=href aria-current=current>{t(*key)}</a></li> }
        })
        .collect_view();
    view! {
        <nav class="main-nav" aria-label=t(Key::MainNavigation)>
            <ul>{links}</ul>
        </nav>
    }
}

#[component]
fn Brand(tenant: Option<TenantBrief>, home: &'static str) -> impl IntoView {
    let name = tenant
        .as_ref()
        .map(|t| t.legal_name.clone())
        .unwrap_or_else(|| "Kontor".to_owned());
    let logo = tenant.and_then(|t| t.logo_data_url);
    view! {
        <a class="brand" href=home>
            {logo.map(|src| view! { <img src=src alt="" class="brand-logo"/> })}
            <span>{name}</span>
        </a>
    }
}

#[component]
pub fn StaffShell() -> impl IntoView {
    let session = use_session();
    crate::notifications::pages::provide_unread_count();
    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(session)) if session.can(Permission::UseStaffApp) => view! {
                        <BrandStyle tenant=session.tenant.clone()/>
                        <header class="topbar">
                            <Brand tenant=session.tenant.clone() home="/"/>
                            <div class="topbar-tools">
                                {session.can(Permission::TrackTime).then(|| view! { <crate::time::pages::TimerWidget/> })}
                                <crate::notifications::pages::NotificationBell/>
                                <TenantSwitch session=session.clone()/>
                                <LanguageSwitch/>
                                <UserMenu session=session.clone()/>
                            </div>
                        </header>
                        <div class="layout">
                            <MainNav session=session.clone()/>
                            <main id="main" tabindex="-1"><Outlet/></main>
                        </div>
                    }.into_any(),
                    Ok(Some(_)) => view! {
                        <main id="main" class="centered-page">
                            <p>{t(Key::PortalUsePortal)}</p>
                            <a href="/portal">{t(Key::NavPortal)}</a>
                        </main>
                    }.into_any(),
                    Ok(None) => signed_out(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

/// The session ended while the page was open (the server redirects fresh page loads).
fn signed_out() -> AnyView {
    view! {
        <main id="main" class="centered-page">
            <p>{t(Key::ErrUnauthorized)}</p>
            <a href="/login">{t(Key::Login)}</a>
        </main>
    }
    .into_any()
}

fn failed(error: crate::error::AppError) -> AnyView {
    view! { <main id="main"><ErrorBox error/></main> }.into_any()
}

/// The portal's sections; `/portal` itself is the overview.
const PORTAL_NAV: &[(&str, Key, Option<Permission>)] = &[
    ("/portal", Key::PortalNavOverview, None),
    ("/portal/contracts", Key::NavContracts, None),
    ("/portal/domains", Key::NavDomains, None),
    (
        "/portal/projects",
        Key::ProjDashboardTitle,
        Some(Permission::ViewOwnProjects),
    ),
    (
        "/portal/quotes",
        Key::QuotesTitle,
        Some(Permission::ViewOwnQuotes),
    ),
    (
        "/portal/invoices",
        Key::PortalNavInvoices,
        Some(Permission::ViewOwnInvoices),
    ),
];

#[component]
fn PortalNav() -> impl IntoView {
    let location = use_location();
    let links = PORTAL_NAV
        .iter()
        .map(|(href, key, permission)| {
            let href = *href;
            let allowed = permission.map(crate::use_permission);
            let current = move || {
                let path = location.pathname.get();
                let active = if href == "/portal" {
                    path == "/portal" || path == "/portal/"
                } else {
                    path.starts_with(href)
                };
                active.then_some("page")
            };
            let key = *key;
            move || {
                allowed.is_none_or(|may| may.get()).then(|| {
                    view! { <li><a href=href aria-current=current>{t(key)}</a></li> }
                })
            }
        })
        .collect_view();
    view! {
        <nav class="portal-nav" aria-label=t(Key::PortalNavigation)>
            <ul>{links}</ul>
        </nav>
    }
}

/// The customer portal layout: the tenant's branding, the portal's sections, no staff tools.
#[component]
pub fn PortalShell() -> impl IntoView {
    let session = use_session();
    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(session)) if session.can(Permission::UsePortal) => view! {
                        <BrandStyle tenant=session.tenant.clone()/>
                        <header class="topbar portal">
                            <Brand tenant=session.tenant.clone() home="/portal"/>
                            <div class="topbar-tools">
                                <LanguageSwitch/>
                                <UserMenu session=session.clone() profile="/portal/profile"/>
                            </div>
                        </header>
                        <PortalNav/>
                        <main id="main" class="portal-main" tabindex="-1"><Outlet/></main>
                    }.into_any(),
                    Ok(Some(_)) => view! {
                        <main id="main" class="centered-page">
                            <p>{t(Key::PortalForCustomers)}</p>
                            <a href="/">{t(Key::NavHome)}</a>
                        </main>
                    }.into_any(),
                    Ok(None) => signed_out(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}
