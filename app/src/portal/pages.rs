//! The portal's pages (overview, contracts, one contract, domains, invoices) and the customer file's
//! section where staff grant portal access.

use super::api::{
    list_customer_users, load_portal_billing, portal_contract, portal_contracts, portal_domains,
    portal_invoices, portal_overview, InviteCustomerUser, SetCustomerUserActive,
};
use super::model::*;
use crate::contracts::model::{notice_unit_key, ContractStatus};
use crate::contracts::pages::{fee_text, interval_text, ChargeTable, NextCharge, StatusBadge};
use crate::domain::format;
use crate::domain::periods::NoticeUnit;
use crate::domain::{Permission, Role};
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key, Lang};
use crate::inventory::model::DomainStatus;
use crate::inventory::pages::{yes_no, DomainText, Expiry};
use crate::ui::form::{field_errors, FormError};
use crate::ui::table::{use_page_request, ConfirmButton, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, LocalTime, Money};
use crate::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// "1 Monat", "3 Monate": the customer reads whole words.
fn notice_text(amount: i32, unit: NoticeUnit, lang: Lang) -> String {
    let unit = if amount == 1 {
        match unit {
            NoticeUnit::Days => Key::PortalOneDay,
            NoticeUnit::Weeks => Key::PortalOneWeek,
            NoticeUnit::Months => Key::PortalOneMonth,
        }
        .text(lang)
    } else {
        notice_unit_key(unit).text(lang)
    };
    format!("{amount} {unit}")
}

/// A domain's status; the unusual ones stand out.
#[component]
fn DomainBadge(status: DomainStatus) -> impl IntoView {
    let class = match status {
        DomainStatus::Active => "badge badge-ok",
        DomainStatus::Pending | DomainStatus::TransferIn | DomainStatus::TransferOut => "badge",
        DomainStatus::Expired | DomainStatus::Redemption => "badge badge-bad",
        DomainStatus::Deleted => "badge badge-off",
    };
    view! { <span class=class>{t(status.key())}</span> }
}

#[component]
fn DomainHead(sortable: bool) -> impl IntoView {
    let header = move |label: Key, column: &'static str| {
        if sortable {
            view! { <SortHeader label=t(label) column/> }.into_any()
        } else {
            view! { <th scope="col">{t(label)}</th> }.into_any()
        }
    };
    view! {
        <tr>
            {header(Key::InvDomain, "name")}
            {header(Key::Status, "status")}
            {header(Key::InvExpiresOn, "expiry")}
            <th scope="col">{t(Key::InvAutoRenew)}</th>
        </tr>
    }
}

#[component]
fn DomainRowView(d: PortalDomainRow) -> impl IntoView {
    view! {
        <tr>
            <td data-label=t(Key::InvDomain)><DomainText name=d.name ascii=d.ascii_name/></td>
            <td data-label=t(Key::Status)><DomainBadge status=d.status/></td>
            <td data-label=t(Key::InvExpiresOn)><Expiry expires_on=d.expires_on days_left=d.days_left/></td>
            <td data-label=t(Key::InvAutoRenew)>{yes_no(d.auto_renew)}</td>
        </tr>
    }
}

/// One figure of the overview, linking to where it comes from.
#[component]
fn StatTile(href: String, label: String, children: Children) -> impl IntoView {
    view! {
        <a class="tile stat" href=href>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{children()}</span>
        </a>
    }
}

#[component]
pub fn PortalOverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| portal_overview());
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=t(Key::PortalNavOverview)/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let totp_enabled = session.await.ok().flatten().is_some_and(|s| s.totp_enabled);
                match overview.await {
                    Ok(o) => {
                        let days = super::EXPIRING_WITHIN_DAYS.to_string();
                        let expiring_label = Key::PortalExpiringDomains.fill(lang, &[("days", &days)]);
                        let expiring_count = o.expiring_domains.len().to_string();
                        view! {
                            <div class="page-head">
                                <div>
                                    <h1>{o.customer_name.clone()}</h1>
                                    <p class="muted page-sub">{t(Key::NavPortal)}</p>
                                </div>
                            </div>
                            {(!totp_enabled).then(|| view! {
                                <div class="alert alert-warn" role="status">
                                    <span aria-hidden="true">"⚠ "</span>{t(Key::TotpRecommended)}" "
                                    <a href="/portal/profile">{t(Key::TotpSetUp)}</a>
                                </div>
                            })}
                            <div class="tiles stats">
                                <StatTile href="/portal/contracts".to_owned() label=t(Key::PortalActiveContracts).to_owned()>
                                    {o.active_contracts.to_string()}
                                </StatTile>
                                <StatTile href="/portal/contracts".to_owned() label=t(Key::PortalNextInvoice).to_owned()>
                                    {match o.next_invoice.clone() {
                                        Some(next) => view! {
                                            <Money amount=next.amount currency=next.currency/>
                                            <small class="stat-note">{t(Key::DueOn)}" "<Date date=next.due_on/></small>
                                        }.into_any(),
                                        None => view! { <small class="stat-note">{t(Key::PortalNothingDue)}</small> }.into_any(),
                                    }}
                                </StatTile>
                                <StatTile href="/portal/domains?sort=expiry".to_owned() label=expiring_label>
                                    {expiring_count}
                                </StatTile>
                            </div>
                            <section class="card" aria-labelledby="expiring-title">
                                <h2 id="expiring-title">{t(Key::PortalExpiringTitle)}</h2>
                                {if o.expiring_domains.is_empty() {
                                    view! { <p class="muted">{Key::PortalNoneExpiring.fill(lang, &[("days", &days)])}</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table stacked">
                                            <thead><DomainHead sortable=false/></thead>
                                            <tbody>{o.expiring_domains.clone().into_iter().map(|d| view! { <DomainRowView d/> }).collect_view()}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                            <nav class="card link-list" aria-labelledby="more-title">
                                <h2 id="more-title">{t(Key::PortalMore)}</h2>
                                <ul>
                                    <li><a href="/portal/contracts">{t(Key::PortalAllContracts)}</a></li>
                                    <li><a href="/portal/domains">{t(Key::PortalAllDomains)}</a></li>
                                    <li><a href="/portal/profile">{t(Key::PortalProfileLink)}</a></li>
                                </ul>
                            </nav>
                        }.into_any()
                    }
                    // a portal role, but no customer named yet: say so rather than "forbidden"
                    Err(AppError::Forbidden) => view! {
                        <h1>{t(Key::NavPortal)}</h1>
                        <p class="alert alert-info" role="status">{t(Key::PortalNoCustomer)}</p>
                    }.into_any(),
                    Err(error) => view! { <h1>{t(Key::NavPortal)}</h1><ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContractRowView(c: PortalContractRow) -> impl IntoView {
    let lang = use_lang();
    let href = format!("/portal/contracts/{}", c.id);
    let product = c
        .product_name
        .clone()
        .map(|p| format!("{p} · "))
        .unwrap_or_default();
    view! {
        <tr class:archived=c.status == ContractStatus::Past>
            <td data-label=t(Key::ContractNumber)><a href=href.clone()>{c.number.clone()}</a></td>
            <td data-label=t(Key::Description)>{product}{c.description.clone()}<br/><StatusBadge status=c.status cancelled=c.cancelled_to.is_some()/></td>
            <td data-label=t(Key::Start)><Date date=c.start_date/></td>
            <td data-label=t(Key::End)>{match (c.end_date, c.cancelled_to) {
                (_, Some(end)) => view! { <Date date=end/><br/><span class="muted">{t(Key::Cancelled)}</span> }.into_any(),
                (Some(end), None) => view! { <Date date=end/> }.into_any(),
                (None, None) => t(Key::OpenEnded).into_any(),
            }}</td>
            <td data-label=t(Key::RecurringFee)>{fee_text(c.fee, c.fee_unit, c.quantity, &c.currency, lang)}</td>
            <td data-label=t(Key::BillingIntervalLabel)>{interval_text(c.billing_interval, c.billing_mode, lang)}</td>
            <td data-label=t(Key::BilledUntil)>{match c.billed_until {
                Some(day) => view! { <Date date=day/> }.into_any(),
                None => view! { <span class="muted">{t(Key::NotYetBilled)}</span> }.into_any(),
            }}</td>
            <td class="num" data-label=t(Key::PortalNextInvoice)><NextCharge charge=c.next_charge.clone() currency=c.currency.clone()/></td>
        </tr>
    }
}

#[component]
pub fn PortalContractsPage() -> impl IntoView {
    let request = use_page_request();
    let contracts = Resource::new(move || request.get(), portal_contracts);
    view! {
        <Title text=t(Key::NavContracts)/>
        <div class="page-head">
            <h1>{t(Key::NavContracts)}</h1>
            <SearchBox label=t(Key::SearchContracts)/>
        </div>
        <div class="table-scroll">
            <PagedTable data=contracts empty=t(Key::PortalNoContracts) class="portal-contracts stacked"
                head=|| view! {
                    <tr>
                        <SortHeader label=t(Key::ContractNumber) column="number"/>
                        <SortHeader label=t(Key::Description) column="description"/>
                        <SortHeader label=t(Key::Start) column="start"/>
                        <SortHeader label=t(Key::End) column="end"/>
                        <th scope="col">{t(Key::RecurringFee)}</th>
                        <th scope="col">{t(Key::BillingIntervalLabel)}</th>
                        <SortHeader label=t(Key::BilledUntil) column="billed_until"/>
                        <th scope="col" class="num">{t(Key::PortalNextInvoice)}</th>
                    </tr>
                }
                row=|c: PortalContractRow| view! { <ContractRowView c/> }/>
        </div>
    }
}

#[component]
pub fn PortalContractPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let contract = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => portal_contract(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let lang = use_lang();
    view! {
        <p class="back"><a href="/portal/contracts">"← "{t(Key::PortalBackToContracts)}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match contract.await {
                    Ok(c) => {
                        let title = format!("{} · {}", c.number, c.description);
                        let currency = c.currency.clone();
                        view! {
                            <Title text=title.clone()/>
                            <h1>{title}" "<StatusBadge status=c.status cancelled=c.cancellation.is_some()/></h1>
                            <div class="grid-2 align-start">
                                <section class="card" aria-labelledby="terms-title">
                                    <h2 id="terms-title">{t(Key::Terms)}</h2>
                                    <dl class="facts">
                                        {c.product_name.clone().map(|p| view! { <dt>{t(Key::Product)}</dt><dd>{p}</dd> })}
                                        <dt>{t(Key::Start)}</dt><dd>{c.start_date.map(|date| view! { <Date date/> })}</dd>
                                        <dt>{t(Key::End)}</dt><dd>{match c.end_date { Some(date) => view! { <Date date/> }.into_any(), None => t(Key::OpenEnded).into_any() }}</dd>
                                        <dt>{t(Key::MinimumTermMonths)}</dt><dd>{if c.minimum_term_months == 0 { t(Key::PortalNone).to_owned() } else { c.minimum_term_months.to_string() }}</dd>
                                        <dt>{t(Key::NoticePeriod)}</dt><dd>{notice_text(c.notice_amount, c.notice_unit, lang)}</dd>
                                        <dt>{t(Key::RecurringFee)}</dt><dd>{fee_text(c.fee, c.fee_unit, c.quantity, &currency, lang)}</dd>
                                        <dt>{t(Key::BillingIntervalLabel)}</dt><dd>{interval_text(c.billing_interval, c.billing_mode, lang)}</dd>
                                        <dt>{t(Key::BilledUntil)}</dt><dd>{match c.billed_until { Some(date) => view! { <Date date/> }.into_any(), None => t(Key::NotYetBilled).into_any() }}</dd>
                                    </dl>
                                </section>
                                <section class="card" aria-labelledby="next-title">
                                    <h2 id="next-title">{t(Key::NextInvoices)}</h2>
                                    <ChargeTable charges=c.upcoming.clone() currency=currency.clone()/>
                                    {c.cancellation.map(|(notice, end)| view! {
                                        <p class="alert alert-warn" role="status">
                                            <span aria-hidden="true">"⚠ "</span>
                                            {Key::CancelledOn.fill(lang, &[("notice", &format::date(notice, lang)), ("end", &format::date(end, lang))])}
                                        </p>
                                    })}
                                    {c.earliest_end_today.map(|end| view! {
                                        <p>{Key::EarliestEndToday.fill(lang, &[("date", &format::date(end, lang))])}</p>
                                    })}
                                </section>
                            </div>
                            {(!c.domains.is_empty()).then(|| view! {
                                <section class="card" aria-labelledby="domains-title">
                                    <h2 id="domains-title">{t(Key::PortalContractDomains)}</h2>
                                    <ul>{c.domains.clone().into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                                </section>
                            })}
                            <crate::usage::pages::PortalContractUsage contract_id=c.id/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn PortalDomainsPage() -> impl IntoView {
    let request = use_page_request();
    let domains = Resource::new(move || request.get(), portal_domains);
    view! {
        <Title text=t(Key::NavDomains)/>
        <div class="page-head">
            <h1>{t(Key::NavDomains)}</h1>
            <SearchBox label=t(Key::PortalSearchDomains)/>
        </div>
        <div class="table-scroll">
            <PagedTable data=domains empty=t(Key::PortalNoDomains) class="portal-domains stacked"
                head=|| view! { <DomainHead sortable=true/> }
                row=|d: PortalDomainRow| view! { <DomainRowView d/> }/>
        </div>
    }
}

// The customer file's section for staff.

/// The invitation link, shown once: selectable, with a copy button.
#[component]
fn InvitationLink(link: String) -> impl IntoView {
    let toasts = use_toasts();
    let lang = use_lang();
    let copy = {
        let link = link.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().navigator().clipboard().write_text(&link);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &link;
            toasts.success(Key::PortalLinkCopied.text(lang));
        }
    };
    view! {
        <div class="alert alert-info" role="status">
            <label for="portal-invitation-link">{t(Key::InvitationLinkHint)}</label>
            <div class="copy-row">
                <input id="portal-invitation-link" type="text" readonly value=link.clone()
                    data-testid="portal-invitation-link" on:focus=|ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    }/>
                <button type="button" class="button" on:click=copy>{t(Key::PortalCopyLink)}</button>
            </div>
        </div>
    }
}

#[component]
fn InvitePortalUser(
    customer_id: Uuid,
    on_done: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let action = ServerAction::<InviteCustomerUser>::new();
    let errors = field_errors(action.value());
    let (email, name, role) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(Role::CustomerOwner),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            on_done();
            email.set(String::new());
            name.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(InviteCustomerUser {
            customer_id,
            email: email.get_untracked(),
            display_name: name.get_untracked(),
            role: role.get_untracked(),
        });
    };
    // own ids: the contact form on the same page has fields named like these
    let field = move |id: &'static str,
                      field: &'static str,
                      label: Key,
                      kind: &'static str,
                      value: RwSignal<String>,
                      autocomplete: &'static str| {
        let error = move || errors.with(|e| e.get(field).map(str::to_owned));
        let error_id = format!("{id}-error");
        view! {
            <div class="field" class:invalid=move || error().is_some()>
                <label for=id>{t(label)}" *"</label>
                <input id=id type=kind bind:value=value required autocomplete=autocomplete
                    aria-invalid=move || if error().is_some() { "true" } else { "false" }
                    aria-describedby=error_id.clone()/>
                {move || error().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
            </div>
        }
    };
    let role_error = move || errors.with(|e| e.get("role").map(str::to_owned));
    view! {
        <details class="add-form">
            <summary>{t(Key::PortalInviteUser)}</summary>
            <form on:submit=submit class="stack" novalidate>
                <FormError result=action.value()/>
                <div class="grid-3">
                    {field("portal-user-email", "email", Key::Email, "email", email, "off")}
                    {field("portal-user-name", "display_name", Key::Name, "text", name, "off")}
                    <div class="field">
                        <label for="portal-user-role">{t(Key::PortalRole)}</label>
                        <select id="portal-user-role" aria-describedby="portal-user-role-error"
                            on:change=move |ev| { if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r); } }>
                            {CUSTOMER_ROLES.into_iter().map(|r| view! {
                                <option value=r.as_str() selected=move || role.get() == r>{t(r.key())}</option>
                            }).collect_view()}
                        </select>
                        {move || role_error().map(|m| view! { <p class="field-error" id="portal-user-role-error">{m}</p> })}
                    </div>
                </div>
                <p class="hint">{t(Key::PortalInviteHint)}</p>
                <div><button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::Invite)}</button></div>
            </form>
            {move || action.value().get().and_then(Result::ok).map(|invitation| view! { <InvitationLink link=invitation.link/> })}
        </details>
    }
}

#[component]
fn PortalUserRowView(
    customer_id: Uuid,
    user: CustomerUserRow,
    manage: bool,
    set_active: ServerAction<SetCustomerUserActive>,
) -> impl IntoView {
    let lang = use_lang();
    let role = user.role().map(|r| t(r.key())).unwrap_or_default();
    let (user_id, active, name) = (user.user_id, user.active, user.display_name.clone());
    let state = if !user.active {
        view! { <span class="badge badge-off">{t(Key::PortalAccessBlocked)}</span> }.into_any()
    } else if user.invited {
        view! { <span class="badge badge-warn">{t(Key::Invited)}</span> }.into_any()
    } else {
        view! { <span class="badge badge-ok">{t(Key::Active)}</span> }.into_any()
    };
    view! {
        <tr class:archived=!active>
            <td>{user.display_name.clone()}<br/><span class="muted">{user.email.clone()}</span></td>
            <td>{role}</td>
            <td>{state}</td>
            <td>{yes_no(user.totp_enabled)}</td>
            <td>{match user.last_seen.clone() { Some(at) => view! { <LocalTime value=at/> }.into_any(), None => view! { <span class="muted">"—"</span> }.into_any() }}</td>
            {manage.then(|| view! {
                <td>
                    <ConfirmButton label=if active { t(Key::PortalBlockAccess) } else { t(Key::Reactivate) } danger=active
                        question=if active { Key::PortalBlockQuestion.fill(lang, &[("name", &name)]) } else { Key::PortalUnblockQuestion.fill(lang, &[("name", &name)]) }
                        on_confirm=move || { set_active.dispatch(SetCustomerUserActive { customer_id, user_id, active: !active }); }/>
                </td>
            })}
        </tr>
    }
}

/// The customer file's portal section: who of the customer uses the portal, invitations and
/// blocking. It loads with an action after hydration, so the customer file may hold it
/// inside its own Suspense.
#[component]
pub fn CustomerPortalUsers(customer_id: Uuid) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let load = Action::new(move |_: &u32| list_customer_users(customer_id));
    Effect::new(move |_| {
        load.dispatch(reload.get());
    });
    let manage = crate::use_permission(Permission::ManageCustomers);
    let set_active = ServerAction::<SetCustomerUserActive>::new();
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| match set_active.value().get() {
        Some(Ok(())) => {
            toasts.success(Key::Saved.text(lang));
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => toasts.error(error.message(lang)),
        None => {}
    });
    let refresh = move || reload.update(|n| *n += 1);
    view! {
        <section class="card" aria-labelledby="portal-users-title">
            <h2 id="portal-users-title">{t(Key::PortalUsers)}</h2>
            <p class="hint">{t(Key::PortalUsersHint)}</p>
            {move || {
                let manage = manage.get();
                match load.value().get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                    Some(Ok(users)) if users.is_empty() => view! { <EmptyState title=t(Key::PortalNoUsers)/> }.into_any(),
                    Some(Ok(users)) => view! {
                        <div class="table-scroll">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(Key::Name)}</th>
                                    <th scope="col">{t(Key::PortalRole)}</th>
                                    <th scope="col">{t(Key::Status)}</th>
                                    <th scope="col">{t(Key::TwoFactor)}</th>
                                    <th scope="col">{t(Key::LastSeen)}</th>
                                    {manage.then(|| view! { <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th> })}
                                </tr></thead>
                                <tbody>
                                    {users.into_iter().map(|user| view! { <PortalUserRowView customer_id user manage set_active/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            }}
            {move || manage.get().then(|| view! { <InvitePortalUser customer_id on_done=refresh/> })}
        </section>
    }
}

/// `/portal/invoices`: what is open (balance, overdue, credit, open invoices), how the
/// customer pays (mandate or transfer) and every issued document to download.
#[component]
pub fn PortalInvoicesPage() -> impl IntoView {
    let lang = use_lang();
    let billing = Resource::new(|| (), |_| load_portal_billing());
    let request = use_page_request();
    let invoices = Resource::new(move || request.get(), portal_invoices);
    view! {
        <Title text=t(Key::PortalInvoicesTitle)/>
        <h1>{t(Key::PortalInvoicesTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match billing.await {
                    Ok(b) => {
                        let (open, overdue, credit) = (b.open_total, b.overdue_total, b.credit);
                        let currency = [b.currency.clone(), b.currency.clone(), b.currency.clone()];
                        let [open_currency, overdue_currency, credit_currency] = currency;
                        view! {
                        <div class="tiles stats">
                            <StatTile href="#open-items".to_owned() label=t(Key::PortalOpenBalance).to_owned()>
                                <Money amount=open currency=open_currency/>
                            </StatTile>
                            <StatTile href="#open-items".to_owned() label=t(Key::PortalOverdue).to_owned()>
                                <Money amount=overdue currency=overdue_currency/>
                            </StatTile>
                            <StatTile href="#all-invoices".to_owned() label=t(Key::PortalCredit).to_owned()>
                                <Money amount=credit currency=credit_currency/>
                            </StatTile>
                        </div>
                        <section class="card" aria-labelledby="portal-mandate">
                            <h2 id="portal-mandate">{t(Key::PortalMandate)}</h2>
                            <p>{match &b.mandate {
                                Some(m) => Key::PortalMandateText.fill(lang, &[
                                    ("account", &m.account), ("reference", &m.reference),
                                    ("scheme", &m.scheme), ("date", &format::date(m.signed_on, lang)),
                                ]),
                                None => t(Key::PortalNoMandate).to_owned(),
                            }}</p>
                        </section>
                        <section class="card" aria-labelledby="open-items">
                            <h2 id="open-items">{t(Key::PortalOpenItems)}</h2>
                            {if b.open_items.is_empty() {
                                view! { <p class="muted">{t(Key::PortalNoOpenItems)}</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table stacked">
                                        <thead><tr>
                                            <th scope="col">{t(Key::InvoiceNumber)}</th>
                                            <th scope="col">{t(Key::InvoiceDueDate)}</th>
                                            <th scope="col" class="num">{t(Key::InvoiceGross)}</th>
                                            <th scope="col" class="num">{t(Key::PayOpen)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {b.open_items.into_iter().map(|item| view! {
                                                <tr>
                                                    <td data-label=t(Key::InvoiceNumber)>{item.number.clone()}
                                                        {(item.days_overdue > 0).then(|| view! { " "<span class="badge badge-bad">{t(Key::PayStateOverdue)}</span> })}</td>
                                                    <td data-label=t(Key::InvoiceDueDate)><Date date=item.due_date/></td>
                                                    <td class="num" data-label=t(Key::InvoiceGross)><Money amount=item.gross_total currency=item.currency.clone()/></td>
                                                    <td class="num" data-label=t(Key::PayOpen)><Money amount=item.open currency=item.currency.clone()/></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
        <section aria-labelledby="all-invoices">
            <h2 id="all-invoices">{t(Key::PortalAllInvoices)}</h2>
            <div class="table-scroll">
                <PagedTable data=invoices empty=t(Key::PortalNoInvoices) class="stacked"
                    head=|| view! { <tr>
                        <th scope="col">{t(Key::InvoiceNumber)}</th>
                        <th scope="col">{t(Key::InvoiceIssueDate)}</th>
                        <th scope="col">{t(Key::InvoiceDueDate)}</th>
                        <th scope="col" class="num">{t(Key::InvoiceGross)}</th>
                        <th scope="col">{t(Key::PortalDownloads)}</th>
                    </tr> }
                    row=|i: crate::invoices::model::InvoiceSummary| {
                        let number = i.number.clone().unwrap_or_default();
                        view! {
                            <tr>
                                <td data-label=t(Key::InvoiceNumber)>{number.clone()}</td>
                                <td data-label=t(Key::InvoiceIssueDate)>{i.issue_date.map(|date| view! { <Date date/> })}</td>
                                <td data-label=t(Key::InvoiceDueDate)>{i.due_date.map(|date| view! { <Date date/> })}</td>
                                <td class="num" data-label=t(Key::InvoiceGross)><Money amount=i.gross_total currency=i.currency.clone()/></td>
                                <td data-label=t(Key::PortalDownloads)>
                                    <a href=format!("/portal/invoices/{}/pdf", i.id) aria-label=format!("{number} PDF")>"PDF"</a>" · "
                                    <a href=format!("/portal/invoices/{}/xml", i.id) aria-label=format!("{number} XML")>"XML"</a>
                                </td>
                            </tr>
                        }
                    }/>
            </div>
        </section>
    }
}
