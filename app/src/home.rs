//! The start page after login. Later issues put their dashboards here.

use crate::domain::Permission;
use crate::i18n::{t, Key};
use crate::ui::Loading;
use crate::use_session;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text=t(Key::NavHome)/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                session.await.ok().flatten().map(|s| {
                    let tenant = s.tenant.as_ref().map(|t| t.legal_name.clone()).unwrap_or_default();
                    let roles = s.roles.iter().map(|r| t(r.key())).collect::<Vec<_>>().join(", ");
                    view! {
                        <h1>{t(Key::Welcome)}", "{s.display_name.clone()}</h1>
                        <p class="muted">{tenant}" · "{roles}</p>
                        {(!s.totp_enabled).then(|| view! {
                            <div class="alert alert-warn" role="status">
                                <span aria-hidden="true">"⚠ "</span>{t(Key::TotpRecommended)}" "
                                <a href="/profile">{t(Key::TotpSetUp)}</a>
                            </div>
                        })}
                        <div class="tiles">
                            {s.can(Permission::ViewCustomers).then(|| view! { <a class="tile" href="/customers">{t(Key::NavCustomers)}</a> })}
                            {s.can(Permission::ViewContracts).then(|| view! { <a class="tile" href="/contracts">{t(Key::NavContracts)}</a> })}
                            {s.can(Permission::ViewInventory).then(|| view! { <a class="tile" href="/domains">{t(Key::NavDomains)}</a> })}
                            {s.can(Permission::ViewInventory).then(|| view! { <a class="tile" href="/expiring">{t(Key::NavExpiring)}</a> })}
                            {s.can(Permission::ViewUsers).then(|| view! { <a class="tile" href="/users">{t(Key::NavUsers)}</a> })}
                            {s.can(Permission::ViewAuditLog).then(|| view! { <a class="tile" href="/audit">{t(Key::NavAudit)}</a> })}
                            {s.can(Permission::ManageTenantSettings).then(|| view! { <a class="tile" href="/settings">{t(Key::NavSettings)}</a> })}
                            <a class="tile" href="/profile">{t(Key::NavProfile)}</a>
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}
