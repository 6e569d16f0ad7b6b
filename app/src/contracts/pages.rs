//! Contract lists (tenant-wide and in the customer file), the contract form with its live
//! preview of the next invoices, and the contract page with price changes and cancellation.

use super::api::{
    list_contracts, load_contract, CancelContract, ChangeContractPrice, CreateContract,
    UpdateContract,
};
use super::model::*;
use crate::domain::format;
use crate::domain::periods::{self, BillingInterval, BillingMode, Charge, FeeUnit, NoticeUnit};
use crate::domain::tax::VatCategory;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::inventory::pages::CustomerPicker;
use crate::products::api::list_products;
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::paging::PageRequest;
use crate::ui::table::{use_page_request, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, Money};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use rust_decimal::Decimal;
use uuid::Uuid;

/// "19,00 € pro Monat × 2"
pub fn fee_text(
    fee: Decimal,
    unit: FeeUnit,
    quantity: Decimal,
    currency: &str,
    lang: Lang,
) -> String {
    let mut text = format!(
        "{} {}",
        format::money(fee, currency, lang),
        fee_unit_key(unit).text(lang)
    );
    if quantity != Decimal::ONE {
        text.push_str(&format!(
            " × {}",
            format::number(quantity.normalize(), quantity.normalize().scale(), lang)
        ));
    }
    text
}

/// "Quartalsweise im Voraus"
pub fn interval_text(interval: BillingInterval, mode: BillingMode, lang: Lang) -> String {
    format!(
        "{} {}",
        interval_key(interval).text(lang),
        mode_key(mode).text(lang)
    )
}

/// Status as a badge with text (colour is never the only signal).
#[component]
pub fn StatusBadge(status: ContractStatus, cancelled: bool) -> impl IntoView {
    let class = match status {
        ContractStatus::Active => "badge badge-ok",
        ContractStatus::Upcoming => "badge badge-info",
        ContractStatus::Past => "badge badge-off",
    };
    view! {
        <span class=class>{t(status.key())}</span>
        {(cancelled && status != ContractStatus::Past).then(|| view! { " " <span class="badge badge-warn">{t(Key::Cancelled)}</span> })}
    }
}

/// The next invoice line of a contract: due date and net amount.
#[component]
pub fn NextCharge(charge: Option<Charge>, currency: String) -> impl IntoView {
    match charge {
        Some(charge) => view! {
            <Date date=charge.due_on/>" · "<Money amount=charge.amount currency/>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// The classic contract table: start, end, setup, fee, billed until, interval, next invoice.
#[component]
fn ContractRowView(c: ContractRow, show_customer: bool) -> impl IntoView {
    let lang = use_lang();
    let href = format!("/contracts/{}", c.id);
    let interval = interval_text(c.billing_interval, c.billing_mode, lang);
    view! {
        <tr class:archived=c.status == ContractStatus::Past>
            <td><a href=href.clone()>{c.number.clone()}</a></td>
            {show_customer.then(|| view! {
                <td><a href=format!("/customers/{}", c.customer_id)>{c.customer_name.clone()}</a></td>
            })}
            <td class="description">
                <a href=href>{c.description.clone()}</a>
                {c.product_name.clone().map(|p| view! { <br/><span class="muted">{p}</span> })}
                <br/><StatusBadge status=c.status cancelled=c.cancelled/>
            </td>
            <td><Date date=c.start_date/>" – "{match c.end_date { Some(end) => view! { <Date date=end/> }.into_any(), None => t(Key::OpenEnded).into_any() }}</td>
            <td class="num">
                <Money amount=c.setup_fee currency=c.currency.clone()/>
                {(c.setup_fee_billed && !c.setup_fee.is_zero()).then(|| view! { <br/><span class="muted">{t(Key::Billed)}</span> })}
            </td>
            <td>{fee_text(c.fee, c.fee_unit, c.quantity, &c.currency, lang)}</td>
            <td>{interval}</td>
            <td>{match c.billed_until { Some(day) => view! { <Date date=day/> }.into_any(), None => view! { <span class="muted">{t(Key::NotYetBilled)}</span> }.into_any() }}</td>
            <td><NextCharge charge=c.next_charge.clone() currency=c.currency.clone()/></td>
        </tr>
    }
}

#[component]
fn ContractHead(show_customer: bool, sortable: bool) -> impl IntoView {
    let header = move |label: Key, column: &'static str| {
        if sortable {
            view! { <SortHeader label=t(label) column/> }.into_any()
        } else {
            view! { <th scope="col">{t(label)}</th> }.into_any()
        }
    };
    view! {
        <tr>
            {header(Key::ContractNumber, "number")}
            {show_customer.then(|| header(Key::Customer, "customer"))}
            {header(Key::Description, "description")}
            {header(Key::Term, "start")}
            <th scope="col">{t(Key::SetupFee)}</th>
            <th scope="col">{t(Key::RecurringFee)}</th>
            <th scope="col">{t(Key::BillingIntervalLabel)}</th>
            {header(Key::BilledUntil, "billed_until")}
            <th scope="col">{t(Key::NextInvoice)}</th>
        </tr>
    }
}

/// Status tabs as links, so the choice lives in the URL.
#[component]
fn StatusTabs(current: Option<ContractStatus>, base: String) -> impl IntoView {
    let tabs = [
        (Some(ContractStatus::Past), Key::ContractsPast),
        (Some(ContractStatus::Active), Key::ContractsActive),
        (Some(ContractStatus::Upcoming), Key::ContractsUpcoming),
        (None, Key::All),
    ];
    view! {
        <nav class="tabs" aria-label=t(Key::ContractStatusLabel)>
            {tabs.into_iter().map(|(status, label)| {
                let href = match status {
                    Some(s) => format!("{base}status={}", s.as_str()),
                    None => format!("{base}status=all"),
                };
                view! {
                    <a href=href aria-current=(status == current).then_some("page")>{t(label)}</a>
                }
            }).collect_view()}
        </nav>
    }
}

fn status_from_query(value: Option<String>) -> Option<ContractStatus> {
    match value.as_deref() {
        Some("all") => None,
        Some(text) => ContractStatus::parse(text).or(Some(ContractStatus::Active)),
        None => Some(ContractStatus::Active),
    }
}

#[component]
pub fn ContractsPage() -> impl IntoView {
    let request = use_page_request();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| ContractFilter {
            customer_id: q.get("customer").and_then(|c| Uuid::parse_str(&c).ok()),
            status: status_from_query(q.get("status")),
            billing_interval: q.get("interval").and_then(|i| BillingInterval::parse(&i)),
            cancelled: q.get("cancelled").map(|c| c == "1"),
        })
    });
    let contracts = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_contracts(filter, page),
    );
    let f = filter.get_untracked();
    let manage = crate::use_permission(Permission::ManageContracts);
    view! {
        <Title text=t(Key::NavContracts)/>
        <div class="page-head">
            <h1>{t(Key::NavContracts)}</h1>
            <SearchBox label=t(Key::SearchContracts)/>
            {move || manage.get().then(|| view! { <a class="button button-primary" href="/contracts/new">{t(Key::NewContract)}</a> })}
        </div>
        {move || view! { <StatusTabs current=filter.get().status base="/contracts?".to_owned()/> }}
        <form method="get" class="filters" aria-label=t(Key::Filter)>
            <input type="hidden" name="status" value=f.status.map_or("all", |s| s.as_str())/>
            <div class="field">
                <label for="f-interval">{t(Key::BillingIntervalLabel)}</label>
                <select id="f-interval" name="interval">
                    <option value="" selected=f.billing_interval.is_none()>{t(Key::All)}</option>
                    {BillingInterval::ALL.into_iter().map(|i| view! {
                        <option value=i.as_str() selected=f.billing_interval == Some(i)>{t(interval_key(i))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-cancelled">{t(Key::Cancelled)}</label>
                <select id="f-cancelled" name="cancelled">
                    <option value="" selected=f.cancelled.is_none()>{t(Key::All)}</option>
                    <option value="1" selected=f.cancelled == Some(true)>{t(Key::Yes)}</option>
                    <option value="0" selected=f.cancelled == Some(false)>{t(Key::No)}</option>
                </select>
            </div>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <PagedTable data=contracts empty=t(Key::NoContracts) class="contracts"
            head=|| view! { <ContractHead show_customer=true sortable=true/> }
            row=|c: ContractRow| view! { <ContractRowView c show_customer=true/> }/>
    }
}

/// The customer file's contract section: past, active and upcoming contracts at a glance.
/// It loads with an action after hydration, so the customer file may hold it inside its
/// own Suspense.
#[component]
pub fn CustomerContracts(customer_id: Uuid) -> impl IntoView {
    let status = RwSignal::new(Some(ContractStatus::Active));
    let load = Action::new(move |status: &Option<ContractStatus>| {
        list_contracts(
            ContractFilter {
                customer_id: Some(customer_id),
                status: *status,
                ..ContractFilter::default()
            },
            PageRequest {
                per_page: 50,
                sort: "start".to_owned(),
                descending: true,
                ..PageRequest::default()
            },
        )
    });
    Effect::new(move |_| {
        load.dispatch(status.get());
    });
    let manage = crate::use_permission(Permission::ManageContracts);
    let tabs = [
        (Some(ContractStatus::Past), Key::ContractsPast),
        (Some(ContractStatus::Active), Key::ContractsActive),
        (Some(ContractStatus::Upcoming), Key::ContractsUpcoming),
        (None, Key::All),
    ];
    view! {
        <section class="card" aria-labelledby="contracts-title">
            <div class="page-head">
                <h2 id="contracts-title">{t(Key::Contracts)}</h2>
                {move || manage.get().then(|| view! {
                    <a class="button" href=format!("/contracts/new?customer={customer_id}")>{t(Key::NewContract)}</a>
                })}
            </div>
            <div class="tabs" role="group" aria-label=t(Key::ContractStatusLabel)>
                {tabs.into_iter().map(|(value, label)| view! {
                    <button type="button" class="tab" aria-pressed=move || if status.get() == value { "true" } else { "false" }
                        on:click=move |_| status.set(value)>{t(label)}</button>
                }).collect_view()}
            </div>
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <EmptyState title=t(Key::NoContracts)/> }.into_any(),
                Some(Ok(page)) => {
                    let more = page.total > i64::try_from(page.items.len()).unwrap_or(0);
                    view! {
                        <div class="table-scroll">
                            <table class="table contracts">
                                <thead><ContractHead show_customer=false sortable=false/></thead>
                                <tbody>{page.items.into_iter().map(|c| view! { <ContractRowView c show_customer=false/> }).collect_view()}</tbody>
                            </table>
                        </div>
                        {more.then(|| view! { <a href=format!("/contracts?customer={customer_id}&status=all")>{t(Key::AllContracts)}</a> })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The form's fields as signals, so one form serves "new" and "change".
#[derive(Clone, Copy)]
struct FormState {
    customer_id: RwSignal<Option<Uuid>>,
    product_id: RwSignal<Option<Uuid>>,
    description: RwSignal<String>,
    start_date: RwSignal<String>,
    end_date: RwSignal<String>,
    minimum_term_months: RwSignal<String>,
    notice_amount: RwSignal<String>,
    notice_unit: RwSignal<NoticeUnit>,
    setup_fee: RwSignal<String>,
    fee: RwSignal<String>,
    fee_unit: RwSignal<FeeUnit>,
    quantity: RwSignal<String>,
    discount_percent: RwSignal<String>,
    vat_category: RwSignal<VatCategory>,
    billing_interval: RwSignal<BillingInterval>,
    billing_mode: RwSignal<BillingMode>,
    notes: RwSignal<String>,
}

impl FormState {
    fn new(c: &ContractInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        FormState {
            customer_id: RwSignal::new(c.customer_id),
            product_id: RwSignal::new(c.product_id),
            description: s(&c.description),
            start_date: s(&c.start_date),
            end_date: s(&c.end_date),
            minimum_term_months: RwSignal::new(c.minimum_term_months.to_string()),
            notice_amount: RwSignal::new(c.notice_amount.to_string()),
            notice_unit: RwSignal::new(c.notice_unit),
            setup_fee: s(&c.setup_fee),
            fee: s(&c.fee),
            fee_unit: RwSignal::new(c.fee_unit),
            quantity: s(&c.quantity),
            discount_percent: s(&c.discount_percent),
            vat_category: RwSignal::new(c.vat_category),
            billing_interval: RwSignal::new(c.billing_interval),
            billing_mode: RwSignal::new(c.billing_mode),
            notes: s(&c.notes),
        }
    }

    /// The input as typed; tracked, so the preview follows every keystroke.
    fn input(&self) -> ContractInput {
        // a non-number becomes -1, which the server reports at the field
        let int = |s: RwSignal<String>| s.get().trim().parse().unwrap_or(-1);
        ContractInput {
            customer_id: self.customer_id.get(),
            product_id: self.product_id.get(),
            description: self.description.get(),
            start_date: self.start_date.get(),
            end_date: self.end_date.get(),
            minimum_term_months: int(self.minimum_term_months),
            notice_amount: int(self.notice_amount),
            notice_unit: self.notice_unit.get(),
            setup_fee: self.setup_fee.get(),
            fee: self.fee.get(),
            fee_unit: self.fee_unit.get(),
            quantity: self.quantity.get(),
            discount_percent: self.discount_percent.get(),
            vat_category: self.vat_category.get(),
            billing_interval: self.billing_interval.get(),
            billing_mode: self.billing_mode.get(),
            notes: self.notes.get(),
        }
    }
}

/// What the form's values would bill: the next invoices and the earliest end, computed in
/// the browser by the same period engine the server uses.
#[component]
fn Preview(state: FormState, currency: String, today: Option<NaiveDate>) -> impl IntoView {
    let lang = use_lang();
    let preview = move || {
        let input = state.input();
        // the customer is not needed to preview
        let input = ContractInput {
            customer_id: Some(input.customer_id.unwrap_or_else(Uuid::nil)),
            description: if input.description.trim().is_empty() {
                "-".to_owned()
            } else {
                input.description
            },
            ..input
        };
        input.parse(lang).ok()
    };
    view! {
        <section class="card preview" aria-labelledby="preview-title" aria-live="polite">
            <h2 id="preview-title">{t(Key::InvoicePreview)}</h2>
            {move || match preview() {
                None => view! { <p class="muted">{t(Key::PreviewNeedsInput)}</p> }.into_any(),
                Some(contract) => {
                    let charges = periods::upcoming_charges(&contract.terms, &[], None, 4);
                    let full = periods::full_period_amount(&contract.terms);
                    let notice_day = today.unwrap_or(contract.terms.start).max(contract.terms.start);
                    let earliest = periods::earliest_end(&contract.terms, contract.minimum_term_months, contract.notice.clone(), notice_day);
                    let currency = currency.clone();
                    view! {
                        <p>{Key::FullPeriodAmount.fill(lang, &[
                            ("amount", &format::money(full, &currency, lang)),
                            ("interval", interval_key(contract.terms.interval).text(lang)),
                        ])}</p>
                        {(!contract.setup_fee.is_zero()).then(|| view! {
                            <p>{Key::SetupOnce.fill(lang, &[("amount", &format::money(contract.setup_fee, &currency, lang))])}</p>
                        })}
                        <ChargeTable charges currency=currency.clone()/>
                        <p>{Key::EarliestEndIfNoticeOn.fill(lang, &[
                            ("notice", &format::date(notice_day, lang)),
                            ("end", &format::date(earliest, lang)),
                        ])}</p>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// Charges to invoice: period, due date, net amount (also shown in the customer portal).
#[component]
pub fn ChargeTable(charges: Vec<Charge>, currency: String) -> impl IntoView {
    if charges.is_empty() {
        return view! { <p class="muted">{t(Key::NothingLeftToBill)}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr>
                <th scope="col">{t(Key::Period)}</th>
                <th scope="col">{t(Key::DueOn)}</th>
                <th scope="col" class="num">{t(Key::AmountNet)}</th>
            </tr></thead>
            <tbody>
                {charges.into_iter().map(|c| view! {
                    <tr>
                        <td><Date date=c.period.from/>" – "<Date date=c.period.to/>
                            {c.prorated.then(|| view! { " " <span class="badge">{t(Key::Prorated)}</span> })}</td>
                        <td><Date date=c.due_on/></td>
                        <td class="num"><Money amount=c.amount currency=currency.clone()/></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ContractForm(
    state: FormState,
    errors: Signal<FieldErrors>,
    #[prop(into)] submit_label: String,
    pending: Signal<bool>,
    customer_fixed: Option<String>,
    currency: String,
    today: Option<NaiveDate>,
    on_submit: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let s = state;
    // loaded in the browser: the form may sit inside the page's Suspense
    let products = Action::new(|_: &()| {
        list_products(
            false,
            PageRequest {
                per_page: 200,
                ..PageRequest::default()
            },
        )
    });
    Effect::new(move |_| {
        products.dispatch(());
    });
    let product_rows = move || match products.value().get() {
        Some(Ok(page)) => page.items,
        _ => Vec::new(),
    };
    // choosing a product fills in its defaults where the form is still empty or default
    let apply_product = move |id: Option<Uuid>| {
        s.product_id.set(id);
        if let Some(p) = untrack(product_rows).into_iter().find(|p| Some(p.id) == id) {
            if s.description.get_untracked().trim().is_empty() {
                s.description.set(p.name.clone());
            }
            s.fee.set(p.sale_price.normalize().to_string());
            s.fee_unit.set(p.fee_unit);
            s.billing_interval.set(p.billing_interval);
            s.vat_category.set(p.vat_category);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit();
    };
    let fee_units = FeeUnit::ALL
        .into_iter()
        .map(|u| (u, u.as_str(), fee_unit_key(u)))
        .collect::<Vec<_>>();
    let intervals = BillingInterval::ALL
        .into_iter()
        .map(|i| (i, i.as_str(), interval_key(i)))
        .collect::<Vec<_>>();
    let modes = BillingMode::ALL
        .into_iter()
        .map(|m| (m, m.as_str(), mode_key(m)))
        .collect::<Vec<_>>();
    let notice_units = NoticeUnit::ALL
        .into_iter()
        .map(|u| (u, u.as_str(), notice_unit_key(u)))
        .collect::<Vec<_>>();
    let vat = VatCategory::ALL
        .into_iter()
        .map(|v| (v, v.as_str(), vat_category_key(v)))
        .collect::<Vec<_>>();
    view! {
        <div class="form-with-preview">
            <form on:submit=submit class="stack" novalidate>
                <section class="card">
                    <h2>{t(Key::Contract)}</h2>
                    {match customer_fixed {
                        Some(name) => view! { <p><strong>{t(Key::Customer)}": "</strong>{name}</p> }.into_any(),
                        None => view! { <CustomerPicker value=s.customer_id initial=None errors/> }.into_any(),
                    }}
                    <div class="field">
                        <label for="field-product_id">{t(Key::Product)}</label>
                        <select id="field-product_id" aria-describedby="field-product_id-error"
                            on:change=move |ev| apply_product(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            <option value="" selected=move || s.product_id.get().is_none()>{t(Key::NoProduct)}</option>
                            <For each=product_rows key=|p| p.id let:p>
                                <option value=p.id.to_string() selected=move || s.product_id.get() == Some(p.id)>{format!("{} · {}", p.sku, p.name)}</option>
                            </For>
                        </select>
                        <FieldError errors field="product_id"/>
                    </div>
                    <TextField label=t(Key::Description) name="description" value=s.description errors required=true/>
                    <div class="grid-2">
                        <TextField label=t(Key::Start) name="start_date" value=s.start_date errors kind="date" required=true/>
                        <TextField label=t(Key::End) name="end_date" value=s.end_date errors kind="date" hint=t(Key::EndHint)/>
                        <TextField label=t(Key::MinimumTermMonths) name="minimum_term_months" value=s.minimum_term_months errors kind="number"/>
                        <div class="grid-2">
                            <TextField label=t(Key::NoticePeriod) name="notice_amount" value=s.notice_amount errors kind="number"/>
                            <SelectField label=Key::Unit name="notice_unit" value=s.notice_unit options=notice_units parse=NoticeUnit::parse errors/>
                        </div>
                    </div>
                </section>
                <section class="card">
                    <h2>{t(Key::Billing)}</h2>
                    <div class="grid-2">
                        <TextField label=t(Key::SetupFee) name="setup_fee" value=s.setup_fee errors/>
                        <SelectField label=Key::VatCategoryLabel name="vat_category" value=s.vat_category options=vat parse=VatCategory::parse errors/>
                        <TextField label=t(Key::RecurringFee) name="fee" value=s.fee errors required=true/>
                        <SelectField label=Key::FeeUnitLabel name="fee_unit" value=s.fee_unit options=fee_units parse=FeeUnit::parse errors/>
                        <TextField label=t(Key::Quantity) name="quantity" value=s.quantity errors/>
                        <TextField label=t(Key::DiscountPercent) name="discount_percent" value=s.discount_percent errors/>
                        <SelectField label=Key::BillingIntervalLabel name="billing_interval" value=s.billing_interval options=intervals parse=BillingInterval::parse errors/>
                        <SelectField label=Key::BillingModeLabel name="billing_mode" value=s.billing_mode options=modes parse=BillingMode::parse errors/>
                    </div>
                </section>
                <section class="card">
                    <div class="field">
                        <label for="field-notes">{t(Key::Notes)}</label>
                        <textarea id="field-notes" rows="3" bind:value=s.notes></textarea>
                        <FieldError errors field="notes"/>
                    </div>
                </section>
                <button type="submit" class="button button-primary" disabled=move || pending.get()>{submit_label}</button>
            </form>
            <Preview state currency today/>
        </div>
    }
}

#[component]
pub fn NewContractPage() -> impl IntoView {
    let query = use_query_map();
    let customer_id =
        query.with_untracked(|q| q.get("customer").and_then(|c| Uuid::parse_str(&c).ok()));
    let customer = Resource::new(
        move || customer_id,
        |id| async move {
            match id {
                Some(id) => crate::customers::api::load_customer(id)
                    .await
                    .map(|c| Some((id, format!("{} · {}", c.number, c.display_name)))),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=t(Key::NewContract)/>
        <h1>{t(Key::NewContract)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(customer) => view! { <NewContract customer/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form for a new contract, for a given customer or with a customer picker.
#[component]
fn NewContract(customer: Option<(Uuid, String)>) -> impl IntoView {
    let action = ServerAction::<CreateContract>::new();
    let errors = field_errors(action.value());
    let state = FormState::new(&ContractInput {
        customer_id: customer.as_ref().map(|(id, _)| *id),
        ..ContractInput::default()
    });
    let navigate = use_navigate();
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok((id, number))) = action.value().get() {
            toasts.success(Key::ContractCreated.fill(lang, &[("number", &number)]));
            navigate(&format!("/contracts/{id}"), Default::default());
        }
    });
    view! {
        <FormError result=action.value()/>
        <ContractForm state errors submit_label=t(Key::CreateContract) pending=action.pending().into()
            customer_fixed=customer.map(|(_, label)| label) currency=crate::use_currency().get_untracked() today=None
            on_submit=move || { action.dispatch(CreateContract { input: state.input_untracked() }); }/>
    }
}

fn contract_id() -> Memo<Option<Uuid>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())))
}

fn use_contract(
    reload: impl Fn() -> u32 + Send + Sync + 'static,
) -> Resource<Result<ContractFile, AppError>> {
    let id = contract_id();
    Resource::new(
        move || (id.get(), reload()),
        |(id, _)| async move {
            match id {
                Some(id) => load_contract(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

#[component]
pub fn EditContractPage() -> impl IntoView {
    let contract = use_contract(|| 0);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match contract.await {
                    Ok(file) => view! { <EditContract file/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditContract(file: ContractFile) -> impl IntoView {
    let action = ServerAction::<UpdateContract>::new();
    let errors = field_errors(action.value());
    let state = FormState::new(&file.data);
    let navigate = use_navigate();
    let toasts = use_toasts();
    let lang = use_lang();
    let id = file.id;
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success(Key::Saved.text(lang));
            navigate(&format!("/contracts/{id}"), Default::default());
        }
    });
    let title = format!("{} · {}", file.number, file.data.description);
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        {file.billed_until.map(|_| view! { <p class="alert alert-info" role="note">{t(Key::BilledFieldsFixed)}</p> })}
        <FormError result=action.value()/>
        <ContractForm state errors submit_label=t(Key::Save) pending=action.pending().into()
            customer_fixed=Some(format!("{} · {}", file.customer_number, file.customer_name))
            currency=file.currency.clone() today=Some(file.today)
            on_submit=move || { action.dispatch(UpdateContract { id, input: state.input_untracked() }); }/>
    }
}

impl FormState {
    fn input_untracked(&self) -> ContractInput {
        untrack(|| self.input())
    }
}

#[component]
fn PriceChangeSection(file: ContractFile, manage: bool, reload: RwSignal<u32>) -> impl IntoView {
    let action = ServerAction::<ChangeContractPrice>::new();
    let errors = field_errors(action.value());
    let valid_from = RwSignal::new(String::new());
    let fee = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            valid_from.set(String::new());
            fee.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let id = file.id;
    let currency = file.currency.clone();
    let lang = use_lang();
    let fee_unit = file.data.fee_unit;
    let start_fee = format::parse_decimal(&file.data.fee).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="prices-title">
            <h2 id="prices-title">{t(Key::PriceHistory)}</h2>
            <table class="table">
                <thead><tr><th scope="col">{t(Key::ValidFrom)}</th><th scope="col" class="num">{t(Key::RecurringFee)}</th></tr></thead>
                <tbody>
                    {std::iter::once((periods_start(&file), start_fee))
                        .chain(file.price_changes.iter().map(|c| (c.valid_from, c.fee)))
                        .map(|(from, fee)| view! {
                            <tr><td><Date date=from/></td><td class="num">{format!("{} {}", format::money(fee, &currency, lang), fee_unit_key(fee_unit).text(lang))}</td></tr>
                        }).collect_view()}
                </tbody>
            </table>
            {manage.then(|| view! {
                <details class="add-form">
                    <summary>{t(Key::ChangePrice)}</summary>
                    <FormError result=action.value()/>
                    <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        action.dispatch(ChangeContractPrice { id, input: PriceChangeInput { valid_from: valid_from.get_untracked(), fee: fee.get_untracked() } });
                    }>
                        <p class="hint">{t(Key::PriceChangeHint)}</p>
                        <div class="grid-2">
                            <TextField label=t(Key::ValidFrom) name="valid_from" value=valid_from errors kind="date" required=true/>
                            <TextField label=t(Key::NewFee) name="fee" value=fee errors required=true/>
                        </div>
                        <button type="submit" class="button button-primary">{t(Key::ChangePrice)}</button>
                    </form>
                </details>
            })}
        </section>
    }
}

fn periods_start(file: &ContractFile) -> NaiveDate {
    format::parse_date(&file.data.start_date).unwrap_or(file.today)
}

#[component]
fn CancelSection(file: ContractFile, reload: RwSignal<u32>) -> impl IntoView {
    let action = ServerAction::<CancelContract>::new();
    let errors = field_errors(action.value());
    let lang = use_lang();
    let notice_given_on = RwSignal::new(file.today.to_string());
    let end_date = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let early = RwSignal::new(false);
    let id = file.id;
    let parsed = file.data.parse(lang).ok();
    // the same rule the server applies, shown before confirming
    let earliest = move || {
        let contract = parsed.clone()?;
        let notice = format::parse_date(&notice_given_on.get())?;
        Some(periods::earliest_end(
            &contract.terms,
            contract.minimum_term_months,
            contract.notice,
            notice,
        ))
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="cancel-title">
            <h2 id="cancel-title">{t(Key::CancelContract)}</h2>
            <FormError result=action.value()/>
            <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                action.dispatch(CancelContract { id, input: CancelInput {
                    notice_given_on: notice_given_on.get_untracked(),
                    end_date: end_date.get_untracked(),
                    early: early.get_untracked(),
                    reason: reason.get_untracked(),
                }});
            }>
                <div class="grid-2">
                    <TextField label=t(Key::NoticeGivenOn) name="notice_given_on" value=notice_given_on errors kind="date"/>
                    <TextField label=t(Key::WishedEnd) name="end_date" value=end_date errors kind="date" hint=t(Key::WishedEndHint)/>
                </div>
                <p class="alert alert-info" role="status" aria-live="polite">
                    {move || earliest().map(|end| Key::EarliestEndIs.fill(lang, &[("date", &format::date(end, lang))]))}
                </p>
                <label class="check" for="cancel-early">
                    <input type="checkbox" id="cancel-early" prop:checked=move || early.get() on:change=move |ev| early.set(event_target_checked(&ev))/>
                    {t(Key::EndEarlyByAgreement)}
                </label>
                <TextField label=t(Key::Reason) name="reason" value=reason errors/>
                <button type="submit" class="button button-danger">{t(Key::CancelContract)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ContractPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let contract = use_contract(move || reload.get());
    let manage = crate::use_permission(Permission::ManageContracts);
    let lang = use_lang();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match contract.await {
                    Ok(file) => {
                        let manage = manage.get_untracked();
                        let title = format!("{} · {}", file.number, file.data.description);
                        let d = file.data.clone();
                        let currency = file.currency.clone();
                        let id = file.id;
                        let setup = format::parse_decimal(&d.setup_fee).unwrap_or_default();
                        view! {
                            <Title text=title.clone()/>
                            <div class="page-head">
                                <h1>{title}" "<StatusBadge status=file.status cancelled=file.cancellation.is_some()/></h1>
                                {manage.then(|| view! { <div class="actions"><a class="button" href=format!("/contracts/{id}/edit")>{t(Key::Edit)}</a></div> })}
                            </div>
                            <p><a href=format!("/customers/{}", d.customer_id.unwrap_or_default())>{format!("{} · {}", file.customer_number, file.customer_name)}</a></p>
                            <div class="grid-2 align-start">
                                <section class="card" aria-labelledby="terms-title">
                                    <h2 id="terms-title">{t(Key::Terms)}</h2>
                                    <dl class="facts">
                                        {file.product_name.clone().map(|p| view! { <dt>{t(Key::Product)}</dt><dd>{p}</dd> })}
                                        <dt>{t(Key::Start)}</dt><dd>{format::parse_date(&d.start_date).map(|s| view! { <Date date=s/> })}</dd>
                                        <dt>{t(Key::End)}</dt><dd>{match format::parse_date(&d.end_date) { Some(e) => view! { <Date date=e/> }.into_any(), None => t(Key::OpenEnded).into_any() }}</dd>
                                        <dt>{t(Key::MinimumTermMonths)}</dt><dd>{d.minimum_term_months}</dd>
                                        <dt>{t(Key::NoticePeriod)}</dt><dd>{format!("{} {}", d.notice_amount, notice_unit_key(d.notice_unit).text(lang))}</dd>
                                        <dt>{t(Key::SetupFee)}</dt><dd><Money amount=setup currency=currency.clone()/>{file.setup_fee_billed.then(|| view! { " (" {t(Key::Billed)} ")" })}</dd>
                                        <dt>{t(Key::RecurringFee)}</dt><dd>{fee_text(format::parse_decimal(&d.fee).unwrap_or_default(), d.fee_unit, format::parse_decimal(&d.quantity).unwrap_or(Decimal::ONE), &currency, lang)}</dd>
                                        <dt>{t(Key::DiscountPercent)}</dt><dd>{format!("{} %", d.discount_percent)}</dd>
                                        <dt>{t(Key::VatCategoryLabel)}</dt><dd>{t(vat_category_key(d.vat_category))}</dd>
                                        <dt>{t(Key::BillingIntervalLabel)}</dt><dd>{interval_text(d.billing_interval, d.billing_mode, lang)}</dd>
                                        <dt>{t(Key::BilledUntil)}</dt><dd>{match file.billed_until { Some(b) => view! { <Date date=b/> }.into_any(), None => t(Key::NotYetBilled).into_any() }}</dd>
                                    </dl>
                                    {(!d.notes.is_empty()).then(|| view! { <p class="pre">{d.notes.clone()}</p> })}
                                </section>
                                <section class="card" aria-labelledby="next-title">
                                    <h2 id="next-title">{t(Key::NextInvoices)}</h2>
                                    <ChargeTable charges=file.upcoming.clone() currency=currency.clone()/>
                                    {file.cancellation.clone().map(|c| view! {
                                        <p class="alert alert-warn" role="status">
                                            <span aria-hidden="true">"⚠ "</span>
                                            {Key::CancelledOn.fill(lang, &[("notice", &format::date(c.notice_given_on, lang)), ("end", &format::date(c.end_date, lang))])}
                                            {(!c.reason.is_empty()).then(|| format!(" — {}", c.reason))}
                                        </p>
                                    })}
                                    {file.earliest_end_today.map(|end| view! {
                                        <p>{Key::EarliestEndToday.fill(lang, &[("date", &format::date(end, lang))])}</p>
                                    })}
                                </section>
                            </div>
                            <section class="card" aria-labelledby="assets-title">
                                <h2 id="assets-title">{t(Key::LinkedAssets)}</h2>
                                {if file.assets.is_empty() {
                                    view! { <p class="muted">{t(Key::NoLinkedAssets)}</p> }.into_any()
                                } else {
                                    view! { <ul>{file.assets.iter().cloned().map(|a| {
                                        let href = format!("/{}s/{}", a.kind, a.id);
                                        let kind = if a.kind == "domain" { Key::Domain } else { Key::Server };
                                        view! { <li>{t(kind)}": "<a href=href>{a.name}</a></li> }
                                    }).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                            <crate::usage::pages::ContractUsage contract_id=id/>
                            <PriceChangeSection file=file.clone() manage reload/>
                            {(manage && file.cancellation.is_none() && file.status != ContractStatus::Past).then(|| view! { <CancelSection file=file.clone() reload/> })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
