//! Quote pages: the list, the editor (items priced by hours × a role's rate or as fixed
//! items, optional items, net sums as you type), and one quote with its versions, the PDF
//! as sent, and the customer's decision — accepting opens the project.

use super::api::*;
use super::model::*;
use crate::domain::format::{number, parse_decimal, typed};
use crate::domain::invoice_math::line_net;
use crate::domain::quote::ItemKind;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::inventory::pages::CustomerPicker;
use crate::projects::model::ProjectBilling;
use crate::projects::pages::use_staff;
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::table::{use_page_request, PagedTable, SearchBox};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, ErrorBox, Loading, Money};
use crate::use_permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use rust_decimal::Decimal;
use uuid::Uuid;

/// The badge of a quote's state; expiry is written out, not only coloured.
pub fn status_badge(status: QuoteStatus, expired: bool) -> impl IntoView {
    let (class, key) = match (status, expired) {
        (QuoteStatus::Sent, true) => ("badge badge-warn", Key::QuoteExpired),
        (QuoteStatus::Draft, _) => ("badge", Key::QuoteDraft),
        (QuoteStatus::Sent, false) => ("badge badge-info", Key::QuoteSent),
        (QuoteStatus::Accepted, _) => ("badge badge-ok", Key::QuoteAccepted),
        (QuoteStatus::Declined, _) => ("badge badge-bad", Key::QuoteDeclined),
    };
    view! { <span class=class>{t(key)}</span> }
}

const STATUS_TABS: [(&str, Key); 5] = [
    ("", Key::QuoteAll),
    ("draft", Key::QuoteDraft),
    ("sent", Key::QuoteSent),
    ("accepted", Key::QuoteAccepted),
    ("declined", Key::QuoteDeclined),
];

#[component]
pub fn QuotesPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.with(|q| q.get("status")).unwrap_or_default());
    let request = use_page_request();
    let may_write = use_permission(Permission::ManageQuotes);
    let quotes = Resource::new(
        move || (status.get(), request.get()),
        |(status, page)| {
            list_quotes(
                QuoteFilter {
                    status: QuoteStatus::parse(&status),
                    customer_id: None,
                },
                page,
            )
        },
    );
    view! {
        <Title text=t(Key::QuotesTitle)/>
        <h1>{t(Key::QuotesTitle)}</h1>
        <Show when=move || may_write.get()>
            <div class="actions"><a class="button button-primary" href="/quotes/new">{t(Key::QuoteNew)}</a></div>
        </Show>
        <nav class="tabs" aria-label=t(Key::QuoteStatus)>
            <ul>
                {STATUS_TABS.into_iter().map(|(value, key)| view! {
                    <li><a href=if value.is_empty() { "/quotes".to_owned() } else { format!("/quotes?status={value}") }
                        aria-current=move || (status.get() == value).then_some("page")>{t(key)}</a></li>
                }).collect_view()}
            </ul>
        </nav>
        <SearchBox label=t(Key::QuoteSearch)/>
        <PagedTable data=quotes empty=t(Key::QuoteNone)
            head=|| view! { <tr>
                <th scope="col">{t(Key::QuoteNumber)}</th>
                <th scope="col">{t(Key::QuoteSubject)}</th>
                <th scope="col">{t(Key::InvoiceCustomer)}</th>
                <th scope="col">{t(Key::QuoteStatus)}</th>
                <th scope="col" class="num">{t(Key::QuoteVersion)}</th>
                <th scope="col">{t(Key::QuoteValidUntil)}</th>
                <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
            </tr> }
            row=|quote: QuoteSummary| view! {
                <tr>
                    <td><a href=format!("/quotes/{}", quote.id)>{quote.number.clone()}</a></td>
                    <td>{quote.title.clone()}</td>
                    <td><a href=format!("/customers/{}", quote.customer_id)>{quote.customer_name.clone()}</a></td>
                    <td>{status_badge(quote.status, quote.expired)}</td>
                    <td class="num">{quote.version}</td>
                    <td><Date date=quote.valid_until/></td>
                    <td class="num"><Money amount=quote.net_total currency=quote.currency.clone()/></td>
                </tr>
            }/>
    }
}

/// One item while it is edited; `key` tells rows apart while items come and go.
#[derive(Clone, Copy)]
struct Row {
    key: u32,
    kind: RwSignal<ItemKind>,
    title: RwSignal<String>,
    description: RwSignal<String>,
    job_role_id: RwSignal<Option<Uuid>>,
    quantity: RwSignal<String>,
    unit_price: RwSignal<String>,
    optional: RwSignal<bool>,
}

impl Row {
    fn new(key: u32, item: QuoteItemInput) -> Row {
        Row {
            key,
            kind: RwSignal::new(item.kind),
            title: RwSignal::new(item.title),
            description: RwSignal::new(item.description),
            job_role_id: RwSignal::new(item.job_role_id),
            quantity: RwSignal::new(item.quantity),
            unit_price: RwSignal::new(item.unit_price),
            optional: RwSignal::new(item.optional),
        }
    }

    fn input(&self) -> QuoteItemInput {
        QuoteItemInput {
            kind: self.kind.get_untracked(),
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            job_role_id: self.job_role_id.get_untracked(),
            quantity: self.quantity.get_untracked(),
            unit_price: self.unit_price.get_untracked(),
            optional: self.optional.get_untracked(),
        }
    }

    /// Quantity × price as typed, once both read as numbers.
    fn net(&self) -> Option<Decimal> {
        Some(line_net(
            parse_decimal(&self.quantity.get())?,
            parse_decimal(&self.unit_price.get())?,
        ))
    }
}

/// The quote form: head fields and items. A new quote (`id` none) needs its customer.
#[component]
fn QuoteEditor(
    initial: QuoteInput,
    id: Option<Uuid>,
    currency: String,
    #[prop(into)] saved: Callback<Uuid>,
) -> impl IntoView {
    let lang = use_lang();
    let customer_id = RwSignal::new(initial.customer_id);
    let title = RwSignal::new(initial.title.clone());
    let billing = RwSignal::new(initial.billing);
    let manager_id = RwSignal::new(initial.manager_id);
    let intro = RwSignal::new(initial.intro.clone());
    let valid_until = RwSignal::new(initial.valid_until.clone());
    let next_key = StoredValue::new(u32::try_from(initial.items.len()).unwrap_or(0));
    let rows = RwSignal::new(
        (0..)
            .zip(initial.items.clone())
            .map(|(key, item)| Row::new(key, item))
            .collect::<Vec<_>>(),
    );
    let staff = use_staff();
    let roles = crate::projects::roles::use_job_roles(Signal::stored(0));
    let create = ServerAction::<CreateQuote>::new();
    let save = ServerAction::<SaveQuote>::new();
    let toasts = use_toasts();
    let result = Signal::derive(move || match id {
        Some(id) => save.value().get().map(|r| r.map(|()| id)),
        None => create.value().get(),
    });
    let errors = field_errors(result);
    Effect::new(move |_| {
        if let Some(Ok(quote)) = result.get() {
            toasts.success(t(Key::QuoteSaved));
            saved.run(quote);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = QuoteInput {
            customer_id: customer_id.get_untracked(),
            title: title.get_untracked(),
            billing: billing.get_untracked(),
            manager_id: manager_id.get_untracked(),
            intro: intro.get_untracked(),
            valid_until: valid_until.get_untracked(),
            items: rows.get_untracked().iter().map(Row::input).collect(),
        };
        match id {
            Some(id) => {
                save.dispatch(SaveQuote { id, input });
            }
            None => {
                create.dispatch(CreateQuote { input });
            }
        }
    };
    let add = move |kind: ItemKind| {
        let key = next_key.get_value() + 1;
        next_key.set_value(key);
        rows.update(|rows| {
            rows.push(Row::new(
                key,
                QuoteItemInput {
                    kind,
                    quantity: "1".to_owned(),
                    ..QuoteItemInput::default()
                },
            ))
        });
    };
    let sum = move |optional: bool| {
        rows.with(|rows| {
            rows.iter()
                .filter(|r| r.optional.get() == optional)
                .filter_map(Row::net)
                .sum::<Decimal>()
        })
    };
    let hours = move || {
        rows.with(|rows| {
            rows.iter()
                .filter(|r| !r.optional.get() && r.kind.get() == ItemKind::Hours)
                .filter_map(|r| parse_decimal(&r.quantity.get()))
                .sum::<Decimal>()
        })
    };
    let index_of =
        move |key: u32| rows.with(|rows| rows.iter().position(|r| r.key == key).unwrap_or(0));
    let billing_options = [ProjectBilling::FixedPrice, ProjectBilling::TimeAndMaterial]
        .into_iter()
        .map(|b| (b, b.as_str(), b.key()))
        .collect();
    let total_currency = currency.clone();
    let optional_currency = currency.clone();
    view! {
        <form class="card stack quote-editor" on:submit=submit novalidate>
            {id.is_none().then(|| view! { <CustomerPicker value=customer_id initial=None errors/> })}
            <TextField label=t(Key::QuoteSubject) name="title" value=title errors required=true/>
            <div class="grid-2">
                <SelectField label=Key::QuoteBilling name="billing" value=billing options=billing_options parse=ProjectBilling::parse errors/>
                <TextField label=t(Key::QuoteValidUntil) name="valid_until" value=valid_until errors kind="date" hint=t(Key::QuoteValidHint)/>
            </div>
            <div class="field">
                <label for="field-manager_id">{t(Key::QuoteContact)}</label>
                <select id="field-manager_id" aria-describedby="field-manager_id-error"
                    on:change=move |ev| manager_id.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                    <option value="">{t(Key::ProjNoManager)}</option>
                    {move || staff.get().into_iter().map(|p| {
                        let pid = p.id;
                        view! { <option value=pid.to_string() selected=move || manager_id.get() == Some(pid)>{p.name}</option> }
                    }).collect_view()}
                </select>
                <FieldError errors field="manager_id"/>
            </div>
            <div class="field">
                <label for="field-intro">{t(Key::QuoteIntro)}</label>
                <textarea id="field-intro" rows="3" maxlength="5000" bind:value=intro aria-describedby="field-intro-error"></textarea>
                <FieldError errors field="intro"/>
            </div>
            <FieldError errors field="items"/>
            <div class="table-scroll">
            <table class="table quote-items editing">
                <caption>{t(Key::QuoteItems)}</caption>
                <thead><tr>
                    <th scope="col" class="num">{t(Key::InvoicePos)}</th>
                    <th scope="col">{t(Key::QuoteItemKind)}</th>
                    <th scope="col">{t(Key::InvoiceDescription)}</th>
                    <th scope="col">{t(Key::QuoteRole)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceQuantity)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceUnitPrice)}</th>
                    <th scope="col">{t(Key::QuoteOptional)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.key let:row>
                        {
                            let currency = currency.clone();
                            let position = move || index_of(row.key) + 1;
                            let error = move |name: &'static str| {
                                let field = format!("items.{}.{name}", index_of(row.key));
                                errors.with(|e| e.get(&field).map(str::to_owned))
                            };
                            let input_id = move |name: &str| format!("item-{}-{name}", row.key);
                            let label = move |key: Key| format!("{}, {} {}", t(key), t(Key::InvoicePos), position());
                            let cell = move |name: &'static str, value: RwSignal<String>, key: Key| {
                                let error_id = input_id(&format!("{name}-error"));
                                view! {
                                    <input id=input_id(name) type="text" bind:value=value aria-label=move || label(key)
                                        aria-invalid=move || if error(name).is_some() { "true" } else { "false" }
                                        aria-describedby=error_id.clone()/>
                                    {move || error(name).map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
                                }
                            };
                            let choose_role = move |ev: leptos::ev::Event| {
                                let role = Uuid::parse_str(&event_target_value(&ev)).ok();
                                row.job_role_id.set(role);
                                // the role's rate is the offer unless one was typed
                                if let Some(rate) = role.and_then(|id| roles.get_untracked().into_iter().find(|r| r.id == id)) {
                                    row.unit_price.set(typed(rate.hourly_rate, lang));
                                }
                            };
                            view! {
                                <tr class:optional=move || row.optional.get()>
                                    <td class="num">{position}</td>
                                    <td>
                                        <select aria-label=move || label(Key::QuoteItemKind)
                                            on:change=move |ev| if let Some(kind) = ItemKind::parse(&event_target_value(&ev)) { row.kind.set(kind) }>
                                            <option value="hours" selected=move || row.kind.get() == ItemKind::Hours>{t(Key::QuoteKindHours)}</option>
                                            <option value="fixed" selected=move || row.kind.get() == ItemKind::Fixed>{t(Key::QuoteKindFixed)}</option>
                                        </select>
                                    </td>
                                    <td class="wide">{cell("title", row.title, Key::InvoiceDescription)}
                                        <textarea rows="1" maxlength="2000" bind:value=row.description
                                            aria-label=move || label(Key::QuoteItemDetails) placeholder=t(Key::QuoteItemDetails)></textarea>
                                    </td>
                                    <td>
                                        {move || (row.kind.get() == ItemKind::Hours).then(|| view! {
                                            <select aria-label=move || label(Key::QuoteRole) on:change=choose_role>
                                                <option value="">{t(Key::QuoteNoRole)}</option>
                                                {move || roles.get().into_iter().map(|role| {
                                                    let rid = role.id;
                                                    view! { <option value=rid.to_string() selected=move || row.job_role_id.get() == Some(rid)>{role.name}</option> }
                                                }).collect_view()}
                                            </select>
                                        })}
                                    </td>
                                    <td class="num">{cell("quantity", row.quantity, Key::InvoiceQuantity)}</td>
                                    <td class="num">{cell("unit_price", row.unit_price, Key::InvoiceUnitPrice)}</td>
                                    <td><input type="checkbox" bind:checked=row.optional aria-label=move || label(Key::QuoteOptional)/></td>
                                    <td class="num">{move || row.net().map(|amount| view! { <Money amount currency=currency.clone()/> })}</td>
                                    <td>
                                        <button type="button" class="button button-small"
                                            aria-label=move || format!("{}, {} {}", t(Key::InvoiceRemoveLine), t(Key::InvoicePos), position())
                                            on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))>
                                            {t(Key::InvoiceRemoveLine)}
                                        </button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
                <tfoot>
                    <tr><th scope="row" colspan="7">{t(Key::InvoiceNetTotal)}
                        " · "{move || format!("{} h", number(hours(), 2, lang))}</th>
                        <td class="num" data-testid="quote-net">{move || view! { <Money amount=sum(false) currency=total_currency.clone()/> }}</td><td></td></tr>
                    <tr><th scope="row" colspan="7">{t(Key::QuoteOptionalSum)}</th>
                        <td class="num">{move || view! { <Money amount=sum(true) currency=optional_currency.clone()/> }}</td><td></td></tr>
                </tfoot>
            </table>
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| add(ItemKind::Hours)>{t(Key::QuoteAddHours)}</button>
                <button type="button" class="button" on:click=move |_| add(ItemKind::Fixed)>{t(Key::QuoteAddFixed)}</button>
            </div>
            <FormError result/>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get() || save.pending().get()>{t(Key::Save)}</button>
            </div>
        </form>
    }
}

/// A fresh quote: one hour item to start; without a date it is valid for the default period.
#[component]
pub fn NewQuotePage() -> impl IntoView {
    let navigate = use_navigate();
    let saved =
        Callback::new(move |id: Uuid| navigate(&format!("/quotes/{id}"), Default::default()));
    let initial = QuoteInput {
        items: vec![QuoteItemInput {
            quantity: "1".to_owned(),
            ..QuoteItemInput::default()
        }],
        ..QuoteInput::default()
    };
    view! {
        <Title text=t(Key::QuoteNew)/>
        <p><a href="/quotes">"← "{t(Key::QuotesTitle)}</a></p>
        <h1>{t(Key::QuoteNew)}</h1>
        <QuoteEditor initial id=None currency="EUR".to_owned() saved/>
    }
}

/// The quote of the route's `:id` in the version `?version=` names (else the newest),
/// loaded by `load`, with the signal that loads it again after a change.
pub fn use_quote<Fut>(
    load: fn(Uuid, Option<i32>) -> Fut,
) -> (Resource<Result<QuoteDetail, AppError>>, RwSignal<u32>)
where
    Fut: std::future::Future<Output = Result<QuoteDetail, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let query = use_query_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok())));
    let shown =
        Memo::new(move |_| query.with(|q| q.get("version").and_then(|v| v.parse::<i32>().ok())));
    let reload = RwSignal::new(0u32);
    let quote = Resource::new(
        move || (id.get(), shown.get(), reload.get()),
        move |(id, version, _)| async move {
            match id {
                Some(id) => load(id, version).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    (quote, reload)
}

#[component]
pub fn QuotePage() -> impl IntoView {
    let (quote, reload) = use_quote(load_quote);
    view! {
        <Title text=t(Key::QuotesTitle)/>
        <p><a href="/quotes">"← "{t(Key::QuotesTitle)}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(detail) => view! { <QuoteView detail reload/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn QuoteView(detail: QuoteDetail, reload: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let may_write = use_permission(Permission::ManageQuotes);
    let s = detail.summary.clone();
    let id = s.id;
    let heading = format!("{} · {}", s.number, s.title);
    let editable = detail.editable();
    let latest = detail.shown_version == s.version;
    let pdf = detail
        .sent_at
        .map(|_| format!("/quotes/{id}/versions/{}/pdf", detail.shown_version));
    let versions = detail.versions.clone();
    let ever_sent = versions.iter().any(|v| v.sent_at.is_some());
    let saved = Callback::new(move |_: Uuid| reload.update(|v| *v += 1));
    let shown_version = detail.shown_version;
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <p class="muted">
            <a href=format!("/customers/{}", s.customer_id)>{s.customer_name.clone()}</a>
            " · "{status_badge(s.status, s.expired)}
            " · "{t(Key::QuoteValidUntil)}" "<Date date=detail.valid_until/>
            " · "{t(detail.billing.key())}
            {detail.manager_name.clone().map(|name| view! { " · "{t(Key::QuoteContact)}": "{name} })}
        </p>
        {s.project_id.map(|project| view! {
            <p class="alert alert-info">{t(Key::QuoteProjectOpened)}" "
                <a href=format!("/projects/{project}")>{detail.project_number.clone().unwrap_or_default()}</a>
                {detail.decided_by.clone().map(|by| view! { " · "{t(Key::QuoteDecidedBy)}" "{by} })}
            </p>
        })}
        {(s.status == QuoteStatus::Declined).then(|| view! {
            <p class="alert alert-info">{t(Key::QuoteDeclinedBy)}" "{detail.decided_by.clone().unwrap_or_default()}
                {(!detail.decline_reason.is_empty()).then(|| view! { ": „"{detail.decline_reason.clone()}"“" })}
            </p>
        })}
        <nav class="tabs" aria-label=t(Key::QuoteVersions)>
            <ul>
                {versions.into_iter().map(|v| {
                    let label = format!("{} {}", t(Key::QuoteVersion), v.version);
                    let sent = v.sent_at.map(|at| format!(" · {} {}", t(Key::QuoteSentOn), crate::domain::format::date(at.date_naive(), lang)))
                        .unwrap_or_else(|| format!(" · {}", t(Key::QuoteDraft)));
                    view! { <li><a href=format!("/quotes/{id}?version={}", v.version)
                        aria-current=(v.version == shown_version).then_some("page")>{label}{sent}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
        {pdf.map(|href| view! { <p><a class="button" href=href download="">{t(Key::QuotePdf)}</a></p> })}
        {if editable {
            let initial = detail.input(lang);
            view! {
                <Show when=move || may_write.get() fallback=move || view! { <QuoteItems detail=detail.clone()/> }>
                    <QuoteEditor initial=initial.clone() id=Some(id) currency=s.currency.clone() saved/>
                    <QuoteActions id status=s.status ever_sent expired=false optional=Vec::new() reload/>
                </Show>
            }.into_any()
        } else {
            let optional: Vec<(i32, String)> = detail.items.iter().filter(|i| i.optional).map(|i| (i.position, i.title.clone())).collect();
            let status = s.status;
            let expired = s.expired;
            view! {
                <QuoteItems detail=detail.clone()/>
                {latest.then(|| view! { <Show when=move || may_write.get()>
                    <QuoteActions id status ever_sent expired optional=optional.clone() reload/>
                </Show> })}
            }.into_any()
        }}
    }
}

/// The items and sums of a version as the customer gets them.
#[component]
pub fn QuoteItems(detail: QuoteDetail) -> impl IntoView {
    let lang = use_lang();
    let currency = detail.summary.currency.clone();
    let money = move |amount: Decimal| view! { <Money amount currency=currency.clone()/> };
    let totals = detail.sums.totals.clone();
    view! {
        {(!detail.intro.is_empty()).then(|| view! { <p class="quote-intro">{detail.intro.clone()}</p> })}
        <div class="table-scroll">
        <table class="table quote-items">
            <caption>{t(Key::QuoteItems)}</caption>
            <thead><tr>
                <th scope="col" class="num">{t(Key::InvoicePos)}</th>
                <th scope="col">{t(Key::InvoiceDescription)}</th>
                <th scope="col" class="num">{t(Key::InvoiceQuantity)}</th>
                <th scope="col" class="num">{t(Key::InvoiceUnitPrice)}</th>
                <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
            </tr></thead>
            <tbody>
                {detail.items.iter().map(|item| {
                    let taken = item.optional && detail.accepted_options.contains(&item.position);
                    let unit = match item.kind { ItemKind::Hours => t(Key::UnitHoursShort), ItemKind::Fixed => t(Key::UnitPiecesShort) };
                    view! { <tr class:optional=item.optional>
                        <td class="num">{item.position}</td>
                        <td>{item.title.clone()}
                            {item.job_role.clone().map(|role| view! { " "<span class="muted">"("{role}")"</span> })}
                            {item.optional.then(|| view! { " "<span class="badge">{t(if taken { Key::QuoteOptionTaken } else { Key::QuoteOptional })}</span> })}
                            {(!item.description.is_empty()).then(|| view! { <p class="hint">{item.description.clone()}</p> })}
                        </td>
                        <td class="num">{number(item.quantity, item.quantity.normalize().scale().min(2), lang)}" "{unit}</td>
                        <td class="num">{money(item.unit_price)}</td>
                        <td class="num">{money(item.net)}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr><th scope="row" colspan="4">{t(Key::InvoiceNetTotal)}</th><td class="num">{money(totals.net)}</td></tr>
                {totals.groups.iter().filter(|g| g.tax.rate > Decimal::ZERO).map(|g| view! {
                    <tr><th scope="row" colspan="4">{t(Key::InvoiceVat)}" "{number(g.tax.rate, 0, lang)}" %"</th><td class="num">{money(g.amount)}</td></tr>
                }).collect_view()}
                <tr class="total"><th scope="row" colspan="4">{t(Key::InvoiceGrossTotal)}</th><td class="num" data-testid="quote-gross">{money(totals.gross)}</td></tr>
                {(detail.sums.optional_net > Decimal::ZERO).then(|| view! {
                    <tr><th scope="row" colspan="4">{t(Key::QuoteOptionalSum)}</th><td class="num">{money(detail.sums.optional_net)}</td></tr>
                })}
            </tfoot>
        </table>
        </div>
        {detail.tax.note.map(|note| view! { <p class="hint">{note.text(lang == Lang::De)}</p> })}
        <p class="hint">{format!("{} h", number(detail.sums.hours, 2, lang))}" "{t(Key::QuotePlannedHours)}</p>
    }
}

/// Checkboxes for the optional items the customer takes on acceptance.
#[component]
pub fn OptionPicker(optional: Vec<(i32, String)>, taken: RwSignal<Vec<i32>>) -> impl IntoView {
    (!optional.is_empty()).then(|| view! {
        <fieldset>
            <legend>{t(Key::QuoteChooseOptions)}</legend>
            {optional.into_iter().map(|(position, title)| view! {
                <label class="checkbox"><input type="checkbox"
                    prop:checked=move || taken.get().contains(&position)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        taken.update(|chosen| { chosen.retain(|p| *p != position); if on { chosen.push(position); } });
                    }/>" "{position}". "{title}</label>
            }).collect_view()}
        </fieldset>
    })
}

/// What can happen next: send a draft, revise a sent one, or record the customer's answer.
#[component]
fn QuoteActions(
    id: Uuid,
    status: QuoteStatus,
    /// An earlier version went out: the quote stays on record.
    ever_sent: bool,
    expired: bool,
    optional: Vec<(i32, String)>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let toasts = use_toasts();
    let send = ServerAction::<SendQuote>::new();
    let revise = ServerAction::<ReviseQuote>::new();
    let accept = ServerAction::<AcceptQuote>::new();
    let decline = ServerAction::<DeclineQuote>::new();
    let delete = ServerAction::<DeleteQuote>::new();
    let by_mail = RwSignal::new(true);
    let taken = RwSignal::new(Vec::<i32>::new());
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(recipient)) = send.value().get() {
            match recipient {
                Some(address) => {
                    toasts.success(Key::QuoteMailed.fill(lang, &[("recipient", &address)]))
                }
                None => toasts.success(t(Key::QuoteMarkedSent)),
            }
            reload.update(|v| *v += 1);
        }
    });
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(Ok(version)) = revise.value().get() {
                navigate(
                    &format!("/quotes/{id}?version={version}"),
                    Default::default(),
                );
            }
        });
    }
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(Ok(project)) = accept.value().get() {
                toasts.success(t(Key::QuoteAcceptedToast));
                navigate(&format!("/projects/{project}"), Default::default());
            }
        });
    }
    Effect::new(move |_| {
        if let Some(Ok(())) = decline.value().get() {
            reload.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/quotes", Default::default());
        }
    });
    let decline_errors: Signal<FieldErrors> = field_errors(decline.value());
    view! {
        {(status == QuoteStatus::Draft).then(|| view! {
            <section class="card stack" aria-labelledby="quote-send">
                <h2 id="quote-send">{t(Key::QuoteSendTitle)}</h2>
                <label class="checkbox"><input type="checkbox" bind:checked=by_mail/>" "{t(Key::QuoteSendByMail)}</label>
                <FormError result=send.value()/>
                <div class="actions">
                    <button type="button" class="button button-primary" disabled=move || send.pending().get()
                        on:click=move |_| { send.dispatch(SendQuote { id, email: by_mail.get_untracked() }); }>{t(Key::QuoteSend)}</button>
                    {(!ever_sent).then(|| view! {
                        <button type="button" class="button button-danger" disabled=move || delete.pending().get()
                            on:click=move |_| { delete.dispatch(DeleteQuote { id }); }>{t(Key::QuoteDelete)}</button>
                    })}
                </div>
                <FormError result=delete.value()/>
            </section>
        })}
        {(status == QuoteStatus::Sent).then(|| view! {
            <section class="card stack" aria-labelledby="quote-decide">
                <h2 id="quote-decide">{t(Key::QuoteDecideTitle)}</h2>
                {expired.then(|| view! { <p class="alert alert-warn">{t(Key::QuoteExpiredHint)}</p> })}
                <OptionPicker optional=optional.clone() taken/>
                <FormError result=accept.value()/>
                <div class="actions">
                    <button type="button" class="button button-primary" disabled=move || accept.pending().get()
                        on:click=move |_| { accept.dispatch(AcceptQuote { id, options: taken.get_untracked() }); }>{t(Key::QuoteAccept)}</button>
                </div>
                <div class="field">
                    <label for="decline-reason">{t(Key::QuoteDeclineReason)}</label>
                    <input id="decline-reason" type="text" maxlength="1000" bind:value=reason aria-describedby="field-reason-error"/>
                    <FieldError errors=decline_errors field="reason"/>
                </div>
                <div class="actions">
                    <button type="button" class="button" disabled=move || decline.pending().get()
                        on:click=move |_| { decline.dispatch(DeclineQuote { id, reason: reason.get_untracked() }); }>{t(Key::QuoteDecline)}</button>
                    <button type="button" class="button" disabled=move || revise.pending().get()
                        on:click=move |_| { revise.dispatch(ReviseQuote { id }); }>{t(Key::QuoteRevise)}</button>
                </div>
                <FormError result=revise.value()/>
            </section>
        })}
        {(status == QuoteStatus::Declined).then(|| view! {
            <div class="actions">
                <button type="button" class="button" disabled=move || revise.pending().get()
                    on:click=move |_| { revise.dispatch(ReviseQuote { id }); }>{t(Key::QuoteRevise)}</button>
            </div>
            <FormError result=revise.value()/>
        })}
    }
}
