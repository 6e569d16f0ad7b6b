//! The product catalog (list and form with quantity tiers) and the TLD price list.

use super::api::{list_products, list_tld_prices, load_product, SaveProduct, SaveTldPrice};
use super::model::*;
use crate::contracts::{fee_unit_key, interval_key, vat_category_key};
use crate::domain::periods::{BillingInterval, FeeUnit};
use crate::domain::tax::VatCategory;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::table::{use_page_request, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::{EmptyState, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

#[component]
fn CatalogTabs(current: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label=t(Key::NavProducts)>
            <a href="/products" aria-current=(current == "products").then_some("page")>{t(Key::NavProducts)}</a>
            <a href="/products/tld" aria-current=(current == "tld").then_some("page")>{t(Key::TldPrices)}</a>
        </nav>
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let request = use_page_request();
    let query = use_query_map();
    let inactive = Memo::new(move |_| query.with(|q| q.get("inactive").is_some_and(|v| v == "1")));
    let products = Resource::new(
        move || (inactive.get(), request.get()),
        |(inactive, page)| list_products(inactive, page),
    );
    let manage = crate::use_permission(Permission::ManageProducts);
    let lang = use_lang();
    view! {
        <Title text=t(Key::NavProducts)/>
        <div class="page-head">
            <h1>{t(Key::NavProducts)}</h1>
            <SearchBox label=t(Key::SearchProducts)/>
            {move || manage.get().then(|| view! { <a class="button button-primary" href="/products/new">{t(Key::NewProduct)}</a> })}
        </div>
        <CatalogTabs current="products"/>
        <form method="get" class="filters" aria-label=t(Key::Filter)>
            <label class="check" for="f-inactive">
                <input type="checkbox" id="f-inactive" name="inactive" value="1" checked=inactive.get_untracked()/>
                {t(Key::ShowInactive)}
            </label>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <PagedTable data=products empty=t(Key::NoProducts)
            head=|| view! { <tr>
                <SortHeader label=t(Key::Sku) column="sku"/>
                <SortHeader label=t(Key::Name) column="name"/>
                <SortHeader label=t(Key::ProductKindLabel) column="kind"/>
                <th scope="col" class="num">{t(Key::CostPrice)}</th>
                <SortHeader label=t(Key::SalePrice) column="price"/>
                <th scope="col">{t(Key::BillingIntervalLabel)}</th>
                <th scope="col">{t(Key::VatCategoryLabel)}</th>
            </tr> }
            row=move |p: ProductRow| view! {
                <tr class:archived=!p.active>
                    <td><a href=format!("/products/{}", p.id)>{p.sku}</a></td>
                    <td>
                        <a href=format!("/products/{}", p.id)>{p.name}</a>
                        {(!p.active).then(|| view! { " " <span class="badge badge-off">{t(Key::Inactive)}</span> })}
                        {(p.tier_count > 0).then(|| view! { " " <span class="badge">{Key::TierCount.fill(lang, &[("n", &p.tier_count.to_string())])}</span> })}
                    </td>
                    <td>{t(p.kind.key())}</td>
                    <td class="num"><Money amount=p.cost_price currency=crate::use_currency().get_untracked()/></td>
                    <td class="num"><Money amount=p.sale_price currency=crate::use_currency().get_untracked()/>" "{fee_unit_key(p.fee_unit).text(lang)}" / "{p.unit}</td>
                    <td>{t(interval_key(p.billing_interval))}</td>
                    <td>{t(vat_category_key(p.vat_category))}</td>
                </tr>
            }/>
    }
}

#[derive(Clone, Copy)]
struct FormState {
    sku: RwSignal<String>,
    name: RwSignal<String>,
    description: RwSignal<String>,
    kind: RwSignal<ProductKind>,
    unit: RwSignal<String>,
    cost_price: RwSignal<String>,
    sale_price: RwSignal<String>,
    setup_fee: RwSignal<String>,
    vat_category: RwSignal<VatCategory>,
    fee_unit: RwSignal<FeeUnit>,
    billing_interval: RwSignal<BillingInterval>,
    active: RwSignal<bool>,
    /// one "from quantity: unit price" per line
    tiers: RwSignal<String>,
}

impl FormState {
    fn new(p: &ProductInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        FormState {
            sku: s(&p.sku),
            name: s(&p.name),
            description: s(&p.description),
            kind: RwSignal::new(p.kind),
            unit: s(&p.unit),
            cost_price: s(&p.cost_price),
            sale_price: s(&p.sale_price),
            setup_fee: s(&p.setup_fee),
            vat_category: RwSignal::new(p.vat_category),
            fee_unit: RwSignal::new(p.fee_unit),
            billing_interval: RwSignal::new(p.billing_interval),
            active: RwSignal::new(p.active),
            tiers: RwSignal::new(
                p.tiers
                    .iter()
                    .map(|t| format!("{}: {}", t.min_quantity, t.unit_price))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        }
    }

    fn input(&self) -> ProductInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        ProductInput {
            sku: g(self.sku),
            name: g(self.name),
            description: g(self.description),
            kind: self.kind.get_untracked(),
            unit: g(self.unit),
            cost_price: g(self.cost_price),
            sale_price: g(self.sale_price),
            setup_fee: g(self.setup_fee),
            vat_category: self.vat_category.get_untracked(),
            fee_unit: self.fee_unit.get_untracked(),
            billing_interval: self.billing_interval.get_untracked(),
            active: self.active.get_untracked(),
            tiers: g(self.tiers)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|line| {
                    let (quantity, price) = line.split_once(':').unwrap_or((line, ""));
                    PriceTierInput {
                        min_quantity: quantity.trim().to_owned(),
                        unit_price: price.trim().to_owned(),
                    }
                })
                .collect(),
        }
    }
}

#[component]
fn ProductForm(id: Option<Uuid>, data: ProductInput) -> impl IntoView {
    let action = ServerAction::<SaveProduct>::new();
    let errors: Signal<FieldErrors> = field_errors(action.value());
    let s = FormState::new(&data);
    let navigate = use_navigate();
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = action.value().get() {
            toasts.success(Key::Saved.text(lang));
            navigate(&format!("/products/{saved}"), Default::default());
        }
    });
    view! {
        <FormError result=action.value()/>
        <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            action.dispatch(SaveProduct { id, input: s.input() });
        }>
            <section class="card">
                <div class="grid-2">
                    <TextField label=t(Key::Sku) name="sku" value=s.sku errors required=true/>
                    <TextField label=t(Key::Name) name="name" value=s.name errors required=true/>
                    <SelectField label=Key::ProductKindLabel name="kind" value=s.kind
                        options=ProductKind::ALL.into_iter().map(|k| (k, k.as_str(), k.key())).collect() parse=ProductKind::parse errors/>
                    <TextField label=t(Key::Unit) name="unit" value=s.unit errors required=true/>
                    <TextField label=t(Key::CostPrice) name="cost_price" value=s.cost_price errors/>
                    <TextField label=t(Key::SalePrice) name="sale_price" value=s.sale_price errors required=true/>
                    <TextField label=t(Key::SetupFee) name="setup_fee" value=s.setup_fee errors/>
                    <SelectField label=Key::VatCategoryLabel name="vat_category" value=s.vat_category
                        options=VatCategory::ALL.into_iter().map(|v| (v, v.as_str(), vat_category_key(v))).collect() parse=VatCategory::parse errors/>
                    <SelectField label=Key::FeeUnitLabel name="fee_unit" value=s.fee_unit
                        options=FeeUnit::ALL.into_iter().map(|u| (u, u.as_str(), fee_unit_key(u))).collect() parse=FeeUnit::parse errors/>
                    <SelectField label=Key::BillingIntervalLabel name="billing_interval" value=s.billing_interval
                        options=BillingInterval::ALL.into_iter().map(|i| (i, i.as_str(), interval_key(i))).collect() parse=BillingInterval::parse errors/>
                </div>
                <div class="field">
                    <label for="field-tiers">{t(Key::PriceTiers)}</label>
                    <textarea id="field-tiers" rows="3" bind:value=s.tiers aria-describedby="field-tiers-hint field-tiers-error"></textarea>
                    <p class="hint" id="field-tiers-hint">{t(Key::PriceTiersHint)}</p>
                    <FieldError errors field="tiers"/>
                </div>
                <div class="field">
                    <label for="field-description">{t(Key::Description)}</label>
                    <textarea id="field-description" rows="3" bind:value=s.description></textarea>
                </div>
                <label class="check" for="field-active">
                    <input type="checkbox" id="field-active" prop:checked=move || s.active.get() on:change=move |ev| s.active.set(event_target_checked(&ev))/>
                    {t(Key::ProductActive)}
                </label>
            </section>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::Save)}</button>
        </form>
    }
}

#[component]
pub fn NewProductPage() -> impl IntoView {
    view! {
        <Title text=t(Key::NewProduct)/>
        <h1>{t(Key::NewProduct)}</h1>
        <ProductForm id=None data=ProductInput::default()/>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let product = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_product(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let manage = crate::use_permission(Permission::ManageProducts);
    let lang = use_lang();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(file) => {
                        let title = format!("{} · {}", file.data.sku, file.data.name);
                        view! {
                            <Title text=title.clone()/>
                            <h1>{title}</h1>
                            <p class="muted">{Key::UsedByContracts.fill(lang, &[("n", &file.contract_count.to_string())])}</p>
                            {if manage.get_untracked() {
                                view! { <ProductForm id=Some(file.id) data=file.data/> }.into_any()
                            } else {
                                view! { <p>{file.data.description}</p> }.into_any()
                            }}
                            <crate::usage::pages::ProductUsagePrices product_id=file.id/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TldPricesPage() -> impl IntoView {
    let save = ServerAction::<SaveTldPrice>::new();
    let prices = Resource::new(move || save.version().get(), |_| list_tld_prices());
    let errors = field_errors(save.value());
    let manage = crate::use_permission(Permission::ManageProducts);
    let lang = use_lang();
    let fields: [RwSignal<String>; 7] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let edit = move |price: TldPrice| {
        for (signal, value) in fields.iter().zip([
            &price.tld,
            &price.registration_cost,
            &price.registration_price,
            &price.renewal_cost,
            &price.renewal_price,
            &price.transfer_cost,
            &price.transfer_price,
        ]) {
            signal.set(value.clone());
        }
    };
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            edit(TldPrice::default());
            toasts.success(Key::Saved.text(lang));
        }
    });
    let labels = [
        (Key::Tld, "tld"),
        (Key::RegistrationCost, "registration_cost"),
        (Key::RegistrationPrice, "registration_price"),
        (Key::RenewalCost, "renewal_cost"),
        (Key::RenewalPrice, "renewal_price"),
        (Key::TransferCost, "transfer_cost"),
        (Key::TransferPrice, "transfer_price"),
    ];
    view! {
        <Title text=t(Key::TldPrices)/>
        <h1>{t(Key::TldPrices)}</h1>
        <CatalogTabs current="tld"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match prices.await {
                    Ok(prices) if prices.is_empty() => view! { <EmptyState title=t(Key::NoTldPrices)/> }.into_any(),
                    Ok(prices) => view! {
                        <div class="table-scroll">
                            <table class="table">
                                <thead><tr>
                                    {labels.into_iter().map(|(key, _)| view! { <th scope="col">{t(key)}</th> }).collect_view()}
                                    <th scope="col" class="num">{t(Key::Margin)}</th>
                                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {prices.into_iter().map(|p| {
                                        let amount = |text: &str| crate::domain::format::parse_decimal(text).unwrap_or_default();
                                        let margin = amount(&p.renewal_price) - amount(&p.renewal_cost);
                                        let row = p.clone();
                                        view! {
                                            <tr>
                                                <td>"."{p.tld.clone()}</td>
                                                {p.amounts().into_iter().map(|a| view! { <td class="num"><Money amount=amount(a) currency=crate::use_currency().get_untracked()/></td> }).collect_view()}
                                                <td class="num"><Money amount=margin currency=crate::use_currency().get_untracked()/></td>
                                                <td>{manage.get_untracked().then(|| view! {
                                                    <button type="button" class="button" on:click=move |_| edit(row.clone())>{t(Key::Edit)}</button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
        {move || manage.get().then(|| view! {
            <section class="card" aria-labelledby="tld-form-title">
                <h2 id="tld-form-title">{t(Key::SaveTldPrice)}</h2>
                <FormError result=save.value()/>
                <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let [tld, rc, rp, nc, np, tc, tp] = fields.map(|f| f.get_untracked());
                    save.dispatch(SaveTldPrice { price: TldPrice {
                        tld, registration_cost: rc, registration_price: rp, renewal_cost: nc,
                        renewal_price: np, transfer_cost: tc, transfer_price: tp,
                    }});
                }>
                    <div class="grid-3">
                        {labels.into_iter().zip(fields).map(|((key, name), value)| view! {
                            <TextField label=t(key) name value errors required={name == "tld"}/>
                        }).collect_view()}
                    </div>
                    <button type="submit" class="button button-primary">{t(Key::Save)}</button>
                </form>
            </section>
        })}
    }
}
