//! Kontor's Leptos application, shared by the browser (feature `hydrate`) and the
//! server (feature `ssr`). One folder per business area; pure rules live in `domain`.

#![recursion_limit = "512"]
pub mod accounting;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod checks;
pub mod contracts;
pub mod customers;
pub mod domain;
pub mod dunning;
pub mod error;
pub mod home;
pub mod i18n;
pub mod inventory;
pub mod invoices;
pub mod jobs;
pub mod mail;
pub mod notifications;
pub mod payments;
pub mod portal;
pub mod products;
pub mod projects;
pub mod quotes;
pub mod registrar;
pub mod resources;
pub mod sepa;
pub mod tenants;
pub mod time;
pub mod tokens;
pub mod ui;
pub mod usage;
pub mod users;
pub mod vault;

use crate::auth::model::SessionView;
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The address people reach Kontor at, for links in invitations and e-mails.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

/// The logged-in user, loaded once per page by the app root.
#[derive(Clone, Copy)]
pub struct CurrentSession(pub Resource<Result<Option<SessionView>, AppError>>);

pub fn use_session() -> Resource<Result<Option<SessionView>, AppError>> {
    expect_context::<CurrentSession>().0
}

/// Whether the signed-in user may do `permission` (to show or hide controls; the server
/// checks again on every call).
pub fn use_permission(permission: crate::domain::Permission) -> Signal<bool> {
    let session = use_session();
    Signal::derive(move || {
        session
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|s| s.can(permission))
    })
}

/// The currency of the signed-in user's tenant (EUR until the session is known).
pub fn use_currency() -> Signal<String> {
    let session = use_session();
    Signal::derive(move || {
        session
            .get()
            .and_then(Result::ok)
            .flatten()
            .and_then(|s| s.tenant.map(|t| t.currency))
            .unwrap_or_else(|| "EUR".to_owned())
    })
}

/// The page's language: the server decided it (user setting, cookie or browser) and wrote it
/// into `<html lang>`, where the browser reads it back when hydrating.
fn page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        crate::auth::context::request_lang()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    let lang = page_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/pkg/kontor.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(page_lang());
    provide_context(ui::toast::Toasts::default());
    let session = Resource::new_blocking(|| (), |_| auth::api::current_session());
    provide_context(CurrentSession(session));

    view! {
        <Title formatter=|page: String| if page.is_empty() { "Kontor".to_owned() } else { format!("{page} · Kontor") }/>
        <Router>
            <Routes fallback=ui::NotFound>
                <Route path=path!("/login") view=auth::pages::LoginPage/>
                <Route path=path!("/login/2fa") view=auth::pages::SecondFactorPage/>
                <Route path=path!("/invite/:token") view=auth::pages::InvitationPage/>
                <ParentRoute path=path!("/portal") view=ui::shell::PortalShell>
                    <Route path=path!("") view=portal::pages::PortalOverviewPage/>
                    <Route path=path!("/contracts") view=portal::pages::PortalContractsPage/>
                    <Route path=path!("/contracts/:id") view=portal::pages::PortalContractPage/>
                    <Route path=path!("/domains") view=portal::pages::PortalDomainsPage/>
                    <Route path=path!("/projects") view=portal::projects::PortalProjectsPage/>
                    <Route path=path!("/quotes") view=portal::quotes::PortalQuotesPage/>
                    <Route path=path!("/quotes/:id") view=portal::quotes::PortalQuotePage/>
                    <Route path=path!("/invoices") view=portal::pages::PortalInvoicesPage/>
                    <Route path=path!("/profile") view=auth::pages::ProfilePage/>
                </ParentRoute>
                <ParentRoute path=path!("") view=ui::shell::StaffShell>
                    <Route path=path!("/") view=home::HomePage/>
                    <Route path=path!("/users") view=users::pages::UsersPage/>
                    <Route path=path!("/settings") view=tenants::pages::TenantSettingsPage/>
                    <Route path=path!("/audit") view=audit::pages::AuditPage/>
                    <Route path=path!("/api-tokens") view=tokens::pages::ApiTokensPage/>
                    <Route path=path!("/profile") view=auth::pages::ProfilePage/>
                    <Route path=path!("/jobs") view=jobs::pages::JobsPage/>
                    <Route path=path!("/customers") view=customers::pages::CustomersPage/>
                    <Route path=path!("/customers/new") view=customers::pages::NewCustomerPage/>
                    <Route path=path!("/customers/:id") view=customers::pages::CustomerFilePage/>
                    <Route path=path!("/customers/:id/edit") view=customers::pages::EditCustomerPage/>
                    <Route path=path!("/customers/:id/passwords") view=vault::pages::PasswordListPage/>
                    <Route path=path!("/contracts") view=contracts::pages::ContractsPage/>
                    <Route path=path!("/contracts/new") view=contracts::pages::NewContractPage/>
                    <Route path=path!("/contracts/:id") view=contracts::pages::ContractPage/>
                    <Route path=path!("/contracts/:id/edit") view=contracts::pages::EditContractPage/>
                    <Route path=path!("/products") view=products::pages::ProductsPage/>
                    <Route path=path!("/products/new") view=products::pages::NewProductPage/>
                    <Route path=path!("/products/tld") view=products::pages::TldPricesPage/>
                    <Route path=path!("/products/:id") view=products::pages::ProductPage/>
                    <Route path=path!("/domains") view=inventory::pages::DomainsPage/>
                    <Route path=path!("/domains/new") view=inventory::pages::NewDomainPage/>
                    <Route path=path!("/domains/:id") view=inventory::pages::DomainPage/>
                    <Route path=path!("/servers") view=inventory::pages::ServersPage/>
                    <Route path=path!("/servers/new") view=inventory::pages::NewServerPage/>
                    <Route path=path!("/servers/:id") view=inventory::pages::ServerPage/>
                    <Route path=path!("/certificates") view=inventory::pages::CertificatesPage/>
                    <Route path=path!("/certificates/new") view=inventory::pages::NewCertificatePage/>
                    <Route path=path!("/certificates/:id") view=inventory::pages::CertificatePage/>
                    <Route path=path!("/zones") view=inventory::pages::ZonesPage/>
                    <Route path=path!("/zones/new") view=inventory::pages::NewZonePage/>
                    <Route path=path!("/zones/:id") view=inventory::pages::ZonePage/>
                    <Route path=path!("/expiring") view=inventory::pages::ExpiringPage/>
                    <Route path=path!("/checks") view=checks::pages::ChecksPage/>
                    <Route path=path!("/checks/new") view=checks::pages::NewCheckPage/>
                    <Route path=path!("/checks/:id") view=checks::pages::CheckPage/>
                    <Route path=path!("/usage") view=usage::pages::UsagePage/>
                    <Route path=path!("/notifications") view=notifications::pages::NotificationsPage/>
                    <Route path=path!("/reconciliation") view=registrar::pages::ReconciliationPage/>
                    <Route path=path!("/reconciliation/:id") view=registrar::pages::ReconciliationReportPage/>
                    <Route path=path!("/billing") view=billing::pages::BillingPage/>
                    <Route path=path!("/billing/runs/:id") view=billing::pages::BillingRunPage/>
                    <Route path=path!("/billing/settings") view=billing::pages::BillingSettingsPage/>
                    <Route path=path!("/reports/revenue") view=accounting::pages::RevenuePage/>
                    <Route path=path!("/accounting") view=accounting::pages::AccountingPage/>
                    <Route path=path!("/billing/direct-debits") view=sepa::pages::DirectDebitsPage/>
                    <Route path=path!("/payments") view=payments::pages::PaymentsPage/>
                    <Route path=path!("/open-items") view=payments::pages::OpenItemsPage/>
                    <Route path=path!("/dunning") view=dunning::pages::DunningPage/>
                    <Route path=path!("/invoices") view=invoices::pages::InvoicesPage/>
                    <Route path=path!("/invoices/new") view=invoices::pages::NewInvoicePage/>
                    <Route path=path!("/invoices/:id") view=invoices::pages::InvoicePage/>
                    <Route path=path!("/quotes") view=quotes::pages::QuotesPage/>
                    <Route path=path!("/quotes/new") view=quotes::pages::NewQuotePage/>
                    <Route path=path!("/quotes/:id") view=quotes::pages::QuotePage/>
                    <Route path=path!("/projects") view=projects::pages::ProjectsPage/>
                    <Route path=path!("/projects/new") view=projects::pages::NewProjectPage/>
                    <Route path=path!("/projects/settings") view=projects::pages::ProjectSettingsPage/>
                    <Route path=path!("/projects/report") view=projects::pages::ProfitPage/>
                    <Route path=path!("/projects/:id") view=projects::pages::ProjectPage/>
                    <Route path=path!("/time") view=time::pages::TimePage/>
                    <Route path=path!("/resources") view=resources::pages::ResourcesPage/>
                </ParentRoute>
            </Routes>
        </Router>
        <ui::toast::ToastRegion/>
    }
}
