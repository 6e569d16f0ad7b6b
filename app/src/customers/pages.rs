//! Customer list, the form for new and changed customers, and the customer file.

use super::api::{
    list_customers, load_customer, AddCallNote, AddContact, CreateCustomer, RemoveContact,
    SetCustomerArchived, UpdateCustomer,
};
use super::model::*;
use crate::domain::tax::TaxTreatment;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::ui::form::{field_errors, FieldError, FormError, TextField};
use crate::ui::table::{use_page_request, ConfirmButton, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::{EmptyState, ErrorBox, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let request = use_page_request();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| CustomerFilter {
            kind: q.get("kind").and_then(|k| CustomerKind::parse(&k)),
            tag: q.get("tag").unwrap_or_default(),
            include_archived: q.get("archived").is_some_and(|a| a == "1"),
        })
    });
    let customers = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_customers(filter, page),
    );
    let f = filter.get_untracked();
    let manage = crate::use_permission(Permission::ManageCustomers);
    view! {
        <Title text=t(Key::NavCustomers)/>
        <div class="page-head">
            <h1>{t(Key::NavCustomers)}</h1>
            <SearchBox label=t(Key::SearchCustomers)/>
            {move || manage.get().then(|| view! { <a class="button button-primary" href="/customers/new">{t(Key::NewCustomer)}</a> })}
        </div>
        <form method="get" class="filters" aria-label=t(Key::Filter)>
            <div class="field">
                <label for="f-kind">{t(Key::CustomerKindLabel)}</label>
                <select id="f-kind" name="kind">
                    <option value="" selected=f.kind.is_none()>{t(Key::All)}</option>
                    <option value="company" selected=f.kind == Some(CustomerKind::Company)>{t(Key::KindCompany)}</option>
                    <option value="person" selected=f.kind == Some(CustomerKind::Person)>{t(Key::KindPerson)}</option>
                </select>
            </div>
            <div class="field"><label for="f-tag">{t(Key::Tag)}</label><input id="f-tag" name="tag" value=f.tag/></div>
            <label class="check" for="f-archived">
                <input type="checkbox" id="f-archived" name="archived" value="1" checked=f.include_archived/>
                {t(Key::ShowArchived)}
            </label>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <PagedTable data=customers empty=t(Key::NoCustomers)
            head=|| view! { <tr>
                <SortHeader label=t(Key::CustomerNumber) column="number"/>
                <SortHeader label=t(Key::Name) column="name"/>
                <th scope="col">{t(Key::Email)}</th>
                <SortHeader label=t(Key::City) column="city"/>
                <th scope="col">{t(Key::Tags)}</th>
            </tr> }
            row=|c: CustomerRow| view! {
                <tr class:archived=c.archived>
                    <td><a href=format!("/customers/{}", c.id)>{c.number}</a></td>
                    <td>
                        <a href=format!("/customers/{}", c.id)>{c.display_name}</a>
                        {c.archived.then(|| view! { " " <span class="badge badge-off">{t(Key::Archived)}</span> })}
                    </td>
                    <td>{c.email}</td>
                    <td>{c.city}{(!c.country.is_empty() && c.country != "DE").then(|| format!(" ({})", c.country))}</td>
                    <td>{c.tags.into_iter().map(|tag| view! { <span class="badge">{tag}</span>" " }).collect_view()}</td>
                </tr>
            }/>
    }
}

/// The form's fields as signals, so one form serves "new" and "change".
#[derive(Clone, Copy)]
struct FormState {
    kind: RwSignal<CustomerKind>,
    company_name: RwSignal<String>,
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    website: RwSignal<String>,
    billing_street: RwSignal<String>,
    billing_postal_code: RwSignal<String>,
    billing_city: RwSignal<String>,
    billing_country: RwSignal<String>,
    separate_postal: RwSignal<bool>,
    postal_street: RwSignal<String>,
    postal_postal_code: RwSignal<String>,
    postal_city: RwSignal<String>,
    postal_country: RwSignal<String>,
    vat_id: RwSignal<String>,
    leitweg_id: RwSignal<String>,
    invoice_email: RwSignal<String>,
    tax_treatment: RwSignal<TaxTreatment>,
    payment_terms: RwSignal<String>,
    language: RwSignal<Lang>,
    tags: RwSignal<String>,
    notes: RwSignal<String>,
    custom_fields: RwSignal<String>,
}

impl FormState {
    fn new(c: &CustomerInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        FormState {
            kind: RwSignal::new(c.kind),
            company_name: s(&c.company_name),
            first_name: s(&c.first_name),
            last_name: s(&c.last_name),
            email: s(&c.email),
            phone: s(&c.phone),
            website: s(&c.website),
            billing_street: s(&c.billing_street),
            billing_postal_code: s(&c.billing_postal_code),
            billing_city: s(&c.billing_city),
            billing_country: s(&c.billing_country),
            separate_postal: RwSignal::new(c.separate_postal_address),
            postal_street: s(&c.postal_street),
            postal_postal_code: s(&c.postal_postal_code),
            postal_city: s(&c.postal_city),
            postal_country: s(&c.postal_country),
            vat_id: s(&c.vat_id),
            leitweg_id: s(&c.leitweg_id),
            invoice_email: s(&c.invoice_email),
            tax_treatment: RwSignal::new(c.tax_treatment),
            payment_terms: RwSignal::new(c.payment_terms_days.to_string()),
            language: RwSignal::new(c.language),
            tags: RwSignal::new(c.tags.join(", ")),
            notes: s(&c.notes),
            // one "key: value" per line, as people write such things
            custom_fields: RwSignal::new(
                c.custom_fields
                    .iter()
                    .map(|f| format!("{}: {}", f.key, f.value))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        }
    }

    fn input(&self) -> CustomerInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        CustomerInput {
            kind: self.kind.get_untracked(),
            company_name: g(self.company_name),
            first_name: g(self.first_name),
            last_name: g(self.last_name),
            email: g(self.email),
            phone: g(self.phone),
            website: g(self.website),
            billing_street: g(self.billing_street),
            billing_postal_code: g(self.billing_postal_code),
            billing_city: g(self.billing_city),
            billing_country: g(self.billing_country),
            separate_postal_address: self.separate_postal.get_untracked(),
            postal_street: g(self.postal_street),
            postal_postal_code: g(self.postal_postal_code),
            postal_city: g(self.postal_city),
            postal_country: g(self.postal_country),
            vat_id: g(self.vat_id),
            leitweg_id: g(self.leitweg_id),
            invoice_email: g(self.invoice_email),
            tax_treatment: self.tax_treatment.get_untracked(),
            // a non-number becomes -1, which the server reports at the field
            payment_terms_days: g(self.payment_terms).trim().parse().unwrap_or(-1),
            language: self.language.get_untracked(),
            tags: g(self.tags)
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            notes: g(self.notes),
            custom_fields: g(self.custom_fields)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|line| match line.split_once(':') {
                    Some((key, value)) => CustomField {
                        key: key.trim().to_owned(),
                        value: value.trim().to_owned(),
                    },
                    None => CustomField {
                        key: line.trim().to_owned(),
                        value: String::new(),
                    },
                })
                .collect(),
        }
    }
}

#[component]
fn CustomerForm(
    state: FormState,
    errors: Signal<FieldErrors>,
    #[prop(into)] submit_label: String,
    pending: Signal<bool>,
    on_submit: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let s = state;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit();
    };
    view! {
        <form on:submit=submit class="stack" novalidate>
            <section class="card">
                <h2>{t(Key::MasterData)}</h2>
                <fieldset class="roles">
                    <legend>{t(Key::CustomerKindLabel)}</legend>
                    <label class="check" for="kind-company">
                        <input type="radio" id="kind-company" name="kind" prop:checked=move || s.kind.get() == CustomerKind::Company
                            on:change=move |_| s.kind.set(CustomerKind::Company)/>
                        {t(Key::KindCompany)}
                    </label>
                    <label class="check" for="kind-person">
                        <input type="radio" id="kind-person" name="kind" prop:checked=move || s.kind.get() == CustomerKind::Person
                            on:change=move |_| s.kind.set(CustomerKind::Person)/>
                        {t(Key::KindPerson)}
                    </label>
                </fieldset>
                {move || (s.kind.get() == CustomerKind::Company).then(|| view! {
                    <TextField label=t(Key::CompanyName) name="company_name" value=s.company_name errors required=true/>
                })}
                <div class="grid-2">
                    <TextField label=t(Key::FirstName) name="first_name" value=s.first_name errors/>
                    <TextField label=t(Key::LastName) name="last_name" value=s.last_name errors/>
                    <TextField label=t(Key::Email) name="email" value=s.email errors kind="email"/>
                    <TextField label=t(Key::Phone) name="phone" value=s.phone errors kind="tel"/>
                    <TextField label=t(Key::Website) name="website" value=s.website errors/>
                </div>
            </section>
            <section class="card">
                <h2>{t(Key::BillingAddress)}</h2>
                <TextField label=t(Key::Street) name="billing_street" value=s.billing_street errors/>
                <div class="grid-3">
                    <TextField label=t(Key::PostalCode) name="billing_postal_code" value=s.billing_postal_code errors/>
                    <TextField label=t(Key::City) name="billing_city" value=s.billing_city errors/>
                    <TextField label=t(Key::Country) name="billing_country" value=s.billing_country errors/>
                </div>
                <label class="check" for="separate-postal">
                    <input type="checkbox" id="separate-postal" prop:checked=move || s.separate_postal.get()
                        on:change=move |_| s.separate_postal.update(|v| *v = !*v)/>
                    {t(Key::SeparatePostalAddress)}
                </label>
                {move || s.separate_postal.get().then(|| view! {
                    <TextField label=t(Key::PostalStreet) name="postal_street" value=s.postal_street errors/>
                    <div class="grid-3">
                        <TextField label=t(Key::PostalCode) name="postal_postal_code" value=s.postal_postal_code errors/>
                        <TextField label=t(Key::City) name="postal_city" value=s.postal_city errors/>
                        <TextField label=t(Key::Country) name="postal_country" value=s.postal_country errors/>
                    </div>
                })}
            </section>
            <section class="card">
                <h2>{t(Key::TaxAndPayment)}</h2>
                <div class="grid-2">
                    <TextField label=t(Key::VatId) name="vat_id" value=s.vat_id errors/>
                    <TextField label=t(Key::CustomerInvoiceEmail) name="invoice_email" value=s.invoice_email errors kind="email"
                        hint=t(Key::CustomerInvoiceEmailHint)/>
                    <TextField label=t(Key::CustomerLeitwegId) name="leitweg_id" value=s.leitweg_id errors
                        hint=t(Key::CustomerLeitwegIdHint)/>
                    <div class="field">
                        <label for="field-tax_treatment">{t(Key::TaxTreatmentLabel)}</label>
                        <select id="field-tax_treatment" aria-describedby="field-tax_treatment-error"
                            on:change=move |ev| { if let Some(v) = TaxTreatment::parse(&event_target_value(&ev)) { s.tax_treatment.set(v); } }>
                            {TaxTreatment::ALL.into_iter().map(|tt| view! {
                                <option value=tt.as_str() selected=move || s.tax_treatment.get() == tt>{t(tax_treatment_key(tt))}</option>
                            }).collect_view()}
                        </select>
                        <FieldError errors field="tax_treatment"/>
                    </div>
                    <TextField label=t(Key::PaymentTermsDays) name="payment_terms_days" value=s.payment_terms errors kind="number"/>
                    <div class="field">
                        <label for="field-language">{t(Key::DocumentLanguage)}</label>
                        <select id="field-language" on:change=move |ev| { if let Some(l) = Lang::parse(&event_target_value(&ev)) { s.language.set(l); } }>
                            <option value="de" selected=move || s.language.get() == Lang::De>"Deutsch"</option>
                            <option value="en" selected=move || s.language.get() == Lang::En>"English"</option>
                        </select>
                    </div>
                </div>
            </section>
            <section class="card">
                <h2>{t(Key::MoreAboutCustomer)}</h2>
                <TextField label=t(Key::Tags) name="tags" value=s.tags errors hint=t(Key::TagsHint)/>
                <div class="field">
                    <label for="field-custom_fields">{t(Key::CustomFields)}</label>
                    <textarea id="field-custom_fields" rows="3" bind:value=s.custom_fields aria-describedby="field-custom_fields-hint"></textarea>
                    <p class="hint" id="field-custom_fields-hint">{Key::CustomFieldsHint.text(lang)}</p>
                    <FieldError errors field="custom_fields"/>
                </div>
                <div class="field">
                    <label for="field-notes">{t(Key::Notes)}</label>
                    <textarea id="field-notes" rows="4" bind:value=s.notes></textarea>
                    <FieldError errors field="notes"/>
                </div>
            </section>
            <button type="submit" class="button button-primary" disabled=move || pending.get()>{submit_label}</button>
        </form>
    }
}

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let action = ServerAction::<CreateCustomer>::new();
    let errors = field_errors(action.value());
    let state = FormState::new(&CustomerInput::default());
    let navigate = use_navigate();
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(CreateOutcome::Created { id, number })) = action.value().get() {
            toasts.success(Key::CustomerCreated.fill(lang, &[("number", &number)]));
            navigate(&format!("/customers/{id}"), Default::default());
        }
    });
    let duplicates = move || match action.value().get() {
        Some(Ok(CreateOutcome::PossibleDuplicates(found))) => Some(found),
        _ => None,
    };
    view! {
        <Title text=t(Key::NewCustomer)/>
        <h1>{t(Key::NewCustomer)}</h1>
        <FormError result=action.value()/>
        {move || duplicates().map(|found| view! {
            <div class="alert alert-warn" role="alert">
                <p><strong>{t(Key::PossibleDuplicates)}</strong></p>
                <ul>
                    {found.into_iter().map(|d| view! {
                        <li><a href=format!("/customers/{}", d.id)>{d.number}" · "{d.display_name}</a>" — "{t(d.reason.key())}</li>
                    }).collect_view()}
                </ul>
                <button type="button" class="button" on:click=move |_| {
                    action.dispatch(CreateCustomer { input: state.input(), ignore_duplicates: true });
                }>{t(Key::CreateAnyway)}</button>
            </div>
        })}
        <CustomerForm state errors submit_label=t(Key::CreateCustomer) pending=action.pending().into()
            on_submit=move || { action.dispatch(CreateCustomer { input: state.input(), ignore_duplicates: false }); }/>
    }
}

fn customer_id() -> Memo<Option<Uuid>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())))
}

#[component]
pub fn EditCustomerPage() -> impl IntoView {
    let id = customer_id();
    let customer = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_customer(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(file) => view! { <EditCustomer file/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditCustomer(file: CustomerFile) -> impl IntoView {
    let action = ServerAction::<UpdateCustomer>::new();
    let errors = field_errors(action.value());
    let state = FormState::new(&file.data);
    let navigate = use_navigate();
    let toasts = use_toasts();
    let lang = use_lang();
    let id = file.id;
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success(Key::Saved.text(lang));
            navigate(&format!("/customers/{id}"), Default::default());
        }
    });
    let title = format!("{} · {}", file.number, file.display_name);
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <FormError result=action.value()/>
        <CustomerForm state errors submit_label=t(Key::Save) pending=action.pending().into()
            on_submit=move || { action.dispatch(UpdateCustomer { id, input: state.input() }); }/>
    }
}

#[component]
fn ContactsSection(file: CustomerFile, manage: bool, reload: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<AddContact>::new();
    let remove = ServerAction::<RemoveContact>::new();
    let errors = field_errors(add.value());
    let (first_name, last_name, email, phone) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let role = RwSignal::new(ContactRole::Other);
    let primary = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) || matches!(remove.value().get(), Some(Ok(())))
        {
            reload.update(|n| *n += 1);
        }
    });
    let customer_id = file.id;
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="contacts-title">
            <h2 id="contacts-title">{t(Key::Contacts)}</h2>
            {if file.contacts.is_empty() {
                view! { <EmptyState title=t(Key::NoContacts)/> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t(Key::Name)}</th>
                            <th scope="col">{t(Key::ContactRoleLabel)}</th>
                            <th scope="col">{t(Key::Email)}</th>
                            <th scope="col">{t(Key::Phone)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {file.contacts.clone().into_iter().map(|c| {
                                let name = format!("{} {} {}", c.salutation, c.first_name, c.last_name).trim().to_owned();
                                let question = Key::RemoveContactQuestion.fill(lang, &[("name", &name)]);
                                let id = c.id;
                                view! {
                                    <tr>
                                        <td>{name}{c.is_primary.then(|| view! { " " <span class="badge">{t(Key::PrimaryContact)}</span> })}</td>
                                        <td>{t(c.role.key())}</td>
                                        <td>{(!c.email.is_empty()).then(|| view! { <a href=format!("mailto:{}", c.email)>{c.email.clone()}</a> })}</td>
                                        <td>{c.phone}</td>
                                        <td>{manage.then(|| view! {
                                            <ConfirmButton label=t(Key::Remove) danger=true question on_confirm=move || { remove.dispatch(RemoveContact { id }); }/>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {manage.then(|| view! {
                <details class="add-form">
                    <summary>{t(Key::AddContact)}</summary>
                    <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        add.dispatch(AddContact { customer_id, input: ContactInput {
                            salutation: String::new(), first_name: first_name.get_untracked(), last_name: last_name.get_untracked(),
                            role: role.get_untracked(), email: email.get_untracked(), phone: phone.get_untracked(), is_primary: primary.get_untracked(),
                        }});
                    }>
                        <div class="grid-2">
                            <TextField label=t(Key::FirstName) name="contact_first_name" value=first_name errors/>
                            <TextField label=t(Key::LastName) name="last_name" value=last_name errors required=true/>
                            <TextField label=t(Key::Email) name="email" value=email errors kind="email"/>
                            <TextField label=t(Key::Phone) name="phone" value=phone errors kind="tel"/>
                            <div class="field">
                                <label for="contact-role">{t(Key::ContactRoleLabel)}</label>
                                <select id="contact-role" on:change=move |ev| { if let Some(r) = ContactRole::parse(&event_target_value(&ev)) { role.set(r); } }>
                                    {ContactRole::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == ContactRole::Other>{t(r.key())}</option> }).collect_view()}
                                </select>
                            </div>
                            <label class="check" for="contact-primary">
                                <input type="checkbox" id="contact-primary" on:change=move |_| primary.update(|p| *p = !*p)/>
                                {t(Key::PrimaryContact)}
                            </label>
                        </div>
                        <button type="submit" class="button button-primary">{t(Key::AddContact)}</button>
                    </form>
                </details>
            })}
        </section>
    }
}

#[component]
fn CallNotesSection(file: CustomerFile, reload: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<AddCallNote>::new();
    let errors = field_errors(add.value());
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let contact = RwSignal::new(None::<Uuid>);
    Effect::new(move |_| {
        if let Some(Ok(())) = add.value().get() {
            subject.set(String::new());
            body.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let customer_id = file.id;
    view! {
        <section class="card" aria-labelledby="notes-title">
            <h2 id="notes-title">{t(Key::CallNotes)}</h2>
            <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                add.dispatch(AddCallNote { customer_id, input: CallNoteInput {
                    contact_id: contact.get_untracked(), subject: subject.get_untracked(), body: body.get_untracked(),
                }});
            }>
                <div class="grid-2">
                    <TextField label=t(Key::Subject) name="subject" value=subject errors required=true/>
                    <div class="field">
                        <label for="note-contact">{t(Key::WithContact)}</label>
                        <select id="note-contact" on:change=move |ev| contact.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            <option value="">"—"</option>
                            {file.contacts.iter().map(|c| view! {
                                <option value=c.id.to_string()>{format!("{} {}", c.first_name, c.last_name).trim().to_owned()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="note-body">{t(Key::WhatWasSaid)}</label>
                    <textarea id="note-body" rows="3" bind:value=body></textarea>
                </div>
                <button type="submit" class="button">{t(Key::LogCall)}</button>
            </form>
            {if file.call_notes.is_empty() {
                view! { <p class="muted">{t(Key::NoCallNotes)}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {file.call_notes.iter().cloned().map(|n| view! {
                            <li>
                                <p class="muted"><LocalTime value=n.at/>" · "{n.author}{n.contact.map(|c| format!(" → {c}"))}</p>
                                <p><strong>{n.subject}</strong></p>
                                {(!n.body.is_empty()).then(|| view! { <p class="pre">{n.body}</p> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn MasterDataCard(file: CustomerFile) -> impl IntoView {
    let d = file.data.clone();
    let postal = d.separate_postal_address.then(|| {
        format!(
            "{}, {} {} ({})",
            d.postal_street, d.postal_postal_code, d.postal_city, d.postal_country
        )
    });
    view! {
        <section class="card" aria-labelledby="master-title">
            <h2 id="master-title">{t(Key::MasterData)}</h2>
            <dl class="facts">
                <dt>{t(Key::BillingAddress)}</dt>
                <dd>{format!("{}, {} {} ({})", d.billing_street, d.billing_postal_code, d.billing_city, d.billing_country)}</dd>
                {postal.map(|p| view! { <dt>{t(Key::PostalAddress)}</dt><dd>{p}</dd> })}
                <dt>{t(Key::Email)}</dt><dd>{d.email.clone()}</dd>
                <dt>{t(Key::Phone)}</dt><dd>{d.phone.clone()}</dd>
                <dt>{t(Key::VatId)}</dt><dd>{d.vat_id.clone()}</dd>
                <dt>{t(Key::CustomerLeitwegId)}</dt><dd>{d.leitweg_id.clone()}</dd>
                <dt>{t(Key::CustomerInvoiceEmail)}</dt><dd>{d.invoice_email.clone()}</dd>
                <dt>{t(Key::TaxTreatmentLabel)}</dt><dd>{t(tax_treatment_key(d.tax_treatment))}</dd>
                <dt>{t(Key::PaymentTermsDays)}</dt><dd>{d.payment_terms_days}</dd>
                <dt>{t(Key::DocumentLanguage)}</dt><dd>{if d.language == Lang::De { "Deutsch" } else { "English" }}</dd>
                {d.custom_fields.iter().cloned().map(|f| view! { <dt>{f.key}</dt><dd>{f.value}</dd> }).collect_view()}
                <dt>{t(Key::CustomerSince)}</dt><dd><LocalTime value=file.created_at.clone()/></dd>
            </dl>
            {(!d.notes.is_empty()).then(|| view! { <p class="pre">{d.notes.clone()}</p> })}
        </section>
    }
}

#[component]
pub fn CustomerFilePage() -> impl IntoView {
    let id = customer_id();
    let reload = RwSignal::new(0u32);
    let archive = ServerAction::<SetCustomerArchived>::new();
    let customer = Resource::new(
        move || (id.get(), reload.get(), archive.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => load_customer(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let manage = crate::use_permission(Permission::ManageCustomers);
    let lang = use_lang();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(file) => {
                        let title = format!("{} · {}", file.number, file.display_name);
                        let (id, archived) = (file.id, file.archived);
                        let manage = manage.get_untracked();
                        let question = Key::ArchiveQuestion.fill(lang, &[("name", &file.display_name)]);
                        view! {
                            <Title text=title.clone()/>
                            <div class="page-head">
                                <h1>{title}{archived.then(|| view! { " " <span class="badge badge-off">{t(Key::Archived)}</span> })}</h1>
                                {manage.then(|| view! {
                                    <div class="actions">
                                        <a class="button" href=format!("/customers/{id}/edit")>{t(Key::Edit)}</a>
                                        {if archived {
                                            view! { <button type="button" class="button" on:click=move |_| { archive.dispatch(SetCustomerArchived { id, archived: false }); }>{t(Key::Restore)}</button> }.into_any()
                                        } else {
                                            view! { <ConfirmButton label=t(Key::Archive) question on_confirm=move || { archive.dispatch(SetCustomerArchived { id, archived: true }); }/> }.into_any()
                                        }}
                                    </div>
                                })}
                            </div>
                            <p class="tags">{file.data.tags.iter().cloned().map(|tag| view! { <span class="badge">{tag}</span>" " }).collect_view()}</p>
                            <div class="grid-2 align-start">
                                <MasterDataCard file=file.clone()/>
                                <ContactsSection file=file.clone() manage reload/>
                            </div>
                            <crate::contracts::pages::CustomerContracts customer_id=id/>
                            <crate::inventory::pages::CustomerInventory customer_id=id/>
                            <crate::sepa::pages::CustomerMandates customer_id=id/>
                            <crate::dunning::pages::CustomerDunningBlock customer_id=id/>
                            <crate::vault::pages::CustomerCredentials customer_id=id/>
                            <crate::portal::pages::CustomerPortalUsers customer_id=id/>
                            <CallNotesSection file reload/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
