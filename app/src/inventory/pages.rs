//! Inventory pages: the lists and forms of domains, servers, certificates and zones, the
//! expiry list, and the inventory section of the customer file. The pickers of the forms
//! load with actions in the browser, not resources: they sit inside the record's Suspense.

mod certificates;
mod customer;
mod domains;
mod expiring;
mod servers;
mod zones;

pub use certificates::{CertificatePage, CertificatesPage, NewCertificatePage};
pub use customer::CustomerInventory;
pub use domains::{DomainPage, DomainsPage, NewDomainPage};
pub use expiring::ExpiringPage;
pub use servers::{NewServerPage, ServerPage, ServersPage};
pub use zones::{NewZonePage, ZonePage, ZonesPage};

use super::api::load_customer_links;
use super::model::*;
use super::EXPIRY_WINDOWS;
use crate::customers::api::list_customers;
use crate::customers::CustomerFilter;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{FieldError, FormError};
use crate::ui::paging::PageRequest;
use crate::ui::table::SearchBox;
use crate::ui::toast::use_toasts;
use crate::ui::{Date, ErrorBox, Loading};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::future::Future;
use uuid::Uuid;

/// The list filters the URL describes (`?customer=…&status=…&expiring=30`).
fn use_filter() -> Memo<InventoryFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| InventoryFilter {
            customer_id: q.get("customer").and_then(|c| Uuid::parse_str(&c).ok()),
            contract_id: None,
            status: q.get("status").and_then(|s| DomainStatus::parse(&s)),
            expiring_within_days: q.get("expiring").and_then(|d| d.parse().ok()),
        })
    })
}

/// A list's head: title, search, and the "new" button for those who may.
#[component]
fn ListHead(title: Key, search: Key, new_path: &'static str, new_label: Key) -> impl IntoView {
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <Title text=t(title)/>
        <div class="page-head">
            <h1>{t(title)}</h1>
            <SearchBox label=t(search)/>
            {move || manage.get().then(|| view! { <a class="button button-primary" href=new_path>{t(new_label)}</a> })}
        </div>
    }
}

/// Domains, certificates and zones are one topic: tabs between their lists.
#[component]
fn InventoryTabs(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/domains", Key::NavDomains),
        ("/certificates", Key::InvCertificates),
        ("/zones", Key::InvZones),
    ];
    view! {
        <nav class="tabs" aria-label=t(Key::InvInventory)>
            {tabs.into_iter().map(|(href, key)| view! {
                <a href=href aria-current=(href == current).then_some("page")>{t(key)}</a>
            }).collect_view()}
        </nav>
    }
}

/// The GET form of a list's filters; `children` adds fields of the kind.
#[component]
fn ListFilters(
    filter: InventoryFilter,
    path: &'static str,
    #[prop(optional)] expiry: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form method="get" class="filters" aria-label=t(Key::Filter)>
            {children.map(|c| c())}
            {expiry.then(|| view! {
                <div class="field">
                    <label for="f-expiring">{t(Key::InvExpiring)}</label>
                    <select id="f-expiring" name="expiring">
                        <option value="" selected=filter.expiring_within_days.is_none()>{t(Key::All)}</option>
                        {EXPIRY_WINDOWS.into_iter().map(|days| view! {
                            <option value=days.to_string() selected=filter.expiring_within_days == Some(days)>
                                {Key::InvWithinDays.fill(lang, &[("days", &days.to_string())])}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
            })}
            {filter.customer_id.map(|id| view! {
                <input type="hidden" name="customer" value=id.to_string()/>
                <a href=path>{t(Key::InvAllCustomers)}</a>
            })}
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
    }
}

/// A name in Unicode with its punycode beside it when they differ.
#[component]
pub fn DomainText(name: String, ascii: String) -> impl IntoView {
    let punycode = (name != ascii).then(|| view! { " " <small class="muted">{ascii}</small> });
    view! { <span>{name}</span>{punycode} }
}

/// Days until expiry as words and an icon, the colour only adding to them.
#[component]
pub fn DaysLeft(days: i32) -> impl IntoView {
    let lang = use_lang();
    let count = |days: i32| days.to_string();
    let (class, icon, text) = match days {
        ..=-2 => (
            "status status-bad",
            "✖",
            Key::InvExpiredDaysAgo.fill(lang, &[("days", &count(-days))]),
        ),
        -1 => (
            "status status-bad",
            "✖",
            Key::InvExpiredYesterday.text(lang).to_owned(),
        ),
        0 => (
            "status status-bad",
            "⚠",
            Key::InvExpiresToday.text(lang).to_owned(),
        ),
        1 => (
            "status status-bad",
            "⚠",
            Key::InvExpiresTomorrow.text(lang).to_owned(),
        ),
        2..=7 => (
            "status status-bad",
            "⚠",
            Key::InvExpiresInDays.fill(lang, &[("days", &count(days))]),
        ),
        8..=30 => (
            "status status-warn",
            "◔",
            Key::InvExpiresInDays.fill(lang, &[("days", &count(days))]),
        ),
        _ => (
            "status",
            "",
            Key::InvExpiresInDays.fill(lang, &[("days", &count(days))]),
        ),
    };
    view! { <span class=class><span aria-hidden="true">{icon}" "</span>{text}</span> }
}

/// The expiry date, with the days left when it is near.
#[component]
pub fn Expiry(expires_on: Option<NaiveDate>, days_left: Option<i32>) -> impl IntoView {
    let near = days_left.filter(|d| *d <= EXPIRY_WINDOWS[2]);
    expires_on.map(|date| {
        view! {
            <Date date/>
            {near.map(|days| view! { <br/><DaysLeft days/> })}
        }
    })
}

pub fn yes_no(value: bool) -> &'static str {
    t(if value { Key::InvYes } else { Key::InvNo })
}

/// A date field's text as a date; the browser's date input gives `YYYY-MM-DD` or nothing.
fn date_value(text: &str) -> Option<NaiveDate> {
    crate::domain::format::parse_date(text)
}

fn date_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// Saves through `create` or `update`; both answer with the record's id.
fn save_action<I, C, CF, U, UF>(
    id: Option<Uuid>,
    create: C,
    update: U,
) -> Action<I, Result<Uuid, AppError>>
where
    I: Clone + Send + Sync + 'static,
    C: Fn(I) -> CF + Copy + Send + Sync + 'static,
    CF: Future<Output = Result<Uuid, AppError>> + Send + 'static,
    U: Fn(Uuid, I) -> UF + Copy + Send + Sync + 'static,
    UF: Future<Output = Result<(), AppError>> + Send + 'static,
{
    Action::new(move |input: &I| {
        let input = input.clone();
        async move {
            match id {
                None => create(input).await,
                Some(id) => update(id, input).await.map(|()| id),
            }
        }
    })
}

/// A form of a new or stored record: after saving, a new one opens at its own address and
/// a stored one loads again (the server normalises names).
#[component]
fn RecordForm<I: Clone + Send + Sync + 'static>(
    #[prop(into)] title: String,
    subtitle: Option<String>,
    path: &'static str,
    id: Option<Uuid>,
    save: Action<I, Result<Uuid, AppError>>,
    reload: RwSignal<usize>,
    input: impl Fn() -> I + Send + Sync + 'static,
    children: Children,
) -> impl IntoView {
    let toasts = use_toasts();
    let lang = use_lang();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.success(Key::Saved.text(lang));
            match id {
                None => navigate(&format!("{path}/{saved}"), Default::default()),
                Some(_) => reload.update(|n| *n += 1),
            }
        }
    });
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <Title text=title.clone()/>
        <h1>{title}{subtitle.map(|s| view! { " " <small class="muted">{s}</small> })}</h1>
        <FormError result=save.value()/>
        <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(input());
        }>
            <fieldset class="plain stack" disabled=move || !manage.get()>{children()}</fieldset>
            {move || manage.get().then(|| view! {
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled={save.pending().get()}>{t(Key::Save)}</button>
                    <a class="button" href=path>{t(Key::Cancel)}</a>
                </div>
            })}
        </form>
    }
}

/// The page of a stored record at `…/:id`; `reload` loads it again.
fn record_page<T, L, F, S, V>(load: L, reload: RwSignal<usize>, show: S) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    L: Fn(Uuid) -> F + Copy + Send + Sync + 'static,
    F: Future<Output = Result<T, AppError>> + Send + 'static,
    S: Fn(T) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let record = Resource::new(
        move || (id.get(), reload.get()),
        move |(id, _)| async move {
            match id {
                Some(id) => load(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => show(record).into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CheckField(label: Key, name: &'static str, value: RwSignal<bool>) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <label class="check" for=id.clone()>
            <input type="checkbox" id=id.clone() prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))/>
            {t(label)}
        </label>
    }
}

#[component]
fn TextArea(
    label: Key,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(optional)] hint: Option<Key>,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <textarea id=id rows="3" bind:value=value aria-describedby=format!("field-{name}-hint field-{name}-error")></textarea>
            {hint.map(|h| view! { <p class="hint" id=format!("field-{name}-hint")>{t(h)}</p> })}
            <FieldError errors field=name/>
        </div>
    }
}

/// A select of linked records; the stored link stays on offer while it is chosen.
#[component]
fn LinkSelect(
    label: Key,
    name: &'static str,
    value: RwSignal<Option<Uuid>>,
    #[prop(into)] options: Signal<Vec<LinkOption>>,
    initial: Option<LinkOption>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(optional)] none: Option<Key>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let all = move || {
        let mut all = options.get();
        if let Some(initial) = initial.clone() {
            if value.get() == Some(initial.id) && !all.iter().any(|o| o.id == initial.id) {
                all.insert(0, initial);
            }
        }
        all
    };
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <select id=id aria-describedby=format!("field-{name}-error")
                on:change=move |ev| value.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                <option value="" selected=move || value.get().is_none()>{t(none.unwrap_or(Key::InvNone))}</option>
                <For each=all key=|o| o.id let:option>
                    <option value=option.id.to_string() selected=move || value.get() == Some(option.id)>{option.label}</option>
                </For>
            </select>
            <FieldError errors field=name/>
        </div>
    }
}

/// The customer of a form (field `customer_id`): a search box narrowing a select of
/// matching customers. Shared with other areas' forms.
#[component]
pub fn CustomerPicker(
    value: RwSignal<Option<Uuid>>,
    initial: Option<LinkOption>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(optional)] none: Option<Key>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let found = Action::new(|search: &String| {
        let page = PageRequest {
            per_page: 20,
            search: search.clone(),
            ..PageRequest::default()
        };
        list_customers(CustomerFilter::default(), page)
    });
    Effect::new(move |_| {
        found.dispatch(search.get());
    });
    // the chosen customer stays on offer when the search no longer finds it
    let chosen = RwSignal::new(initial);
    let options = Signal::derive(move || {
        let mut options: Vec<LinkOption> = chosen.get().into_iter().collect();
        if let Some(Ok(page)) = found.value().get() {
            options.extend(
                page.items
                    .into_iter()
                    .filter(|c| Some(c.id) != chosen.get().map(|o| o.id))
                    .map(|c| LinkOption {
                        id: c.id,
                        label: format!("{} · {}", c.number, c.display_name),
                    }),
            );
        }
        options
    });
    Effect::new(move |_| {
        let id = value.get();
        if chosen.get_untracked().map(|o| o.id) != id {
            chosen.set(
                options
                    .get_untracked()
                    .into_iter()
                    .find(|o| Some(o.id) == id),
            );
        }
    });
    view! {
        <div class="picker">
            <div class="field">
                <label for="customer-search">{t(Key::InvSearchCustomer)}</label>
                <input id="customer-search" type="search" bind:value=search autocomplete="off"/>
            </div>
            <LinkSelect label=Key::InvCustomer name="customer_id" value options initial=None errors
                none=none.unwrap_or(Key::InvChooseCustomer)/>
        </div>
    }
}

/// What the link pickers offer for the chosen customer; without one, an agency server's
/// contracts (`agency`) or nothing.
fn use_links(customer: RwSignal<Option<Uuid>>, agency: bool) -> Signal<CustomerLinks> {
    let load = Action::new(|customer: &Option<Uuid>| load_customer_links(*customer));
    Effect::new(move |_| {
        let customer = customer.get();
        if customer.is_some() || agency {
            load.dispatch(customer);
        }
    });
    Signal::derive(move || load.value().get().and_then(Result::ok).unwrap_or_default())
}

/// A link of another customer is no choice once the customer changes.
fn clear_on_change(customer: RwSignal<Option<Uuid>>, links: &[RwSignal<Option<Uuid>>]) {
    let links = links.to_vec();
    Effect::watch(
        move || customer.get(),
        move |_, _, _| links.iter().for_each(|link| link.set(None)),
        false,
    );
}

fn label(id: Option<Uuid>, label: Option<String>) -> Option<LinkOption> {
    id.zip(label).map(|(id, label)| LinkOption { id, label })
}
