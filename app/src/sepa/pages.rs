use super::api::*;
use super::model::*;
use crate::domain::bank::group_iban;
use crate::domain::sepa::{Scheme, SequenceType};
use crate::domain::Permission;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

fn sequence_label(sequence: SequenceType) -> Key {
    match sequence {
        SequenceType::First => Key::SepaFirst,
        SequenceType::Recurring => Key::SepaRecurring,
    }
}

/// The customer's SEPA mandates in the customer file: the active one with its state in
/// words, earlier ones below; staff with billing rights record, amend and revoke.
#[component]
pub fn CustomerMandates(customer_id: Uuid) -> impl IntoView {
    let view_invoices = crate::use_permission(Permission::ViewInvoices);
    move || {
        view_invoices
            .get()
            .then(|| view! { <MandatesSection customer_id/> })
    }
}

#[component]
fn MandatesSection(customer_id: Uuid) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let load = Action::new(move |_: &u32| list_mandates(customer_id));
    Effect::new(move |_| {
        load.dispatch(reload.get());
    });
    let manage = crate::use_permission(Permission::ManageBilling);
    // Some(None): a new mandate; Some(Some(m)): amending m
    let editing = RwSignal::new(None::<Option<Mandate>>);
    let done = Callback::new(move |()| {
        editing.set(None);
        reload.update(|n| *n += 1);
    });
    let has_active = move || {
        load.value().with(|v| {
            matches!(v, Some(Ok(list)) if list.iter().any(|m| m.status == MandateStatus::Active))
        })
    };
    view! {
        <section class="card" aria-labelledby="sepa-title">
            <div class="page-head">
                <h2 id="sepa-title">{t(Key::SepaMandates)}</h2>
                <div class="actions">
                    {move || (manage.get() && editing.get().is_none() && !has_active()).then(|| view! {
                        <button type="button" class="button" on:click=move |_| editing.set(Some(None))>{t(Key::SepaNewMandate)}</button>
                    })}
                </div>
            </div>
            {move || editing.get().map(|mandate| view! {
                <MandateForm customer_id mandate saved=done cancel=Callback::new(move |()| editing.set(None))/>
            })}
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title=t(Key::SepaNoMandate)/> }.into_any(),
                Some(Ok(list)) => view! {
                    <MandateTable list manage=manage.get_untracked() editing changed=done/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn MandateTable(
    list: Vec<Mandate>,
    manage: bool,
    editing: RwSignal<Option<Option<Mandate>>>,
    changed: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let revoke = ServerAction::<RevokeMandate>::new();
    Effect::new(move |_| {
        if let Some(Ok(mandate)) = revoke.value().get() {
            toasts.success(Key::SepaRevoked.fill(lang, &[("reference", &mandate.reference)]));
            changed.run(());
        }
    });
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">{t(Key::SepaMandates)}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::SepaReference)}</th>
                    <th scope="col">{t(Key::SepaStatus)}</th>
                    <th scope="col">{t(Key::SepaScheme)}</th>
                    <th scope="col">{t(Key::SepaSignedOn)}</th>
                    <th scope="col">{t(Key::SepaAccount)}</th>
                    <th scope="col">{t(Key::SepaNextSequence)}</th>
                    {manage.then(|| view! { <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th> })}
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|m| {
                        let (badge, status) = match (m.status, m.expired) {
                            (MandateStatus::Revoked, _) => ("badge", Key::SepaStatusRevoked),
                            (MandateStatus::Active, true) => ("badge badge-bad", Key::SepaStatusExpired),
                            (MandateStatus::Active, false) => ("badge badge-ok", Key::SepaStatusActive),
                        };
                        let amended = m.amended_from_reference.is_some() || m.amended_from_iban.is_some();
                        let active = m.status == MandateStatus::Active;
                        let id = m.id;
                        let reference = m.reference.clone();
                        let for_edit = m.clone();
                        view! {
                            <tr>
                                <td>{m.reference.clone()}</td>
                                <td>
                                    <span class=badge>{t(status)}</span>
                                    {m.revoked_on.map(|d| view! { " "<Date date=d/> })}
                                    {amended.then(|| view! { <br/><small class="muted">{t(Key::SepaAmendmentPending)}</small> })}
                                </td>
                                <td>{m.scheme.code()}</td>
                                <td><Date date=m.signed_on/></td>
                                <td>
                                    {m.account_holder.clone()}<br/>
                                    <code>{group_iban(&m.iban)}</code>
                                    {m.bic.clone().map(|bic| view! { " · "<code>{bic}</code> })}
                                </td>
                                <td>{active.then(|| t(sequence_label(m.next_sequence)))}</td>
                                {manage.then(|| view! {
                                    <td class="actions">
                                        {active.then(|| view! {
                                            <button type="button" class="button button-small"
                                                on:click=move |_| editing.set(Some(Some(for_edit.clone())))>
                                                {t(Key::SepaAmend)}
                                            </button>
                                            " "
                                            <button type="button" class="button button-small"
                                                aria-label=Key::SepaRevokeNamed.fill(lang, &[("reference", &reference)])
                                                disabled=move || revoke.pending().get()
                                                on:click=move |_| {
                                                    let question = Key::SepaRevokeConfirm.text(lang);
                                                    let confirmed = window().confirm_with_message(question).unwrap_or(false);
                                                    if confirmed {
                                                        revoke.dispatch(RevokeMandate { mandate_id: id });
                                                    }
                                                }>
                                                {t(Key::SepaRevoke)}
                                            </button>
                                        })}
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <FormError result=revoke.value()/>
    }
}

#[component]
fn MandateForm(
    customer_id: Uuid,
    mandate: Option<Mandate>,
    saved: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let existing = mandate.as_ref().map(|m| m.id);
    let field = |value: Option<String>| RwSignal::new(value.unwrap_or_default());
    let reference = field(mandate.as_ref().map(|m| m.reference.clone()));
    let signed_on = field(mandate.as_ref().map(|m| m.signed_on.to_string()));
    let scheme = RwSignal::new(mandate.as_ref().map_or(Scheme::Core, |m| m.scheme));
    let holder = field(mandate.as_ref().map(|m| m.account_holder.clone()));
    let iban = field(mandate.as_ref().map(|m| group_iban(&m.iban)));
    let bic = field(mandate.as_ref().and_then(|m| m.bic.clone()));
    let save = Action::new(move |input: &MandateInput| {
        let input = input.clone();
        async move {
            match existing {
                Some(mandate_id) => amend_mandate(mandate_id, input).await,
                None => create_mandate(customer_id, input).await,
            }
        }
    });
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(mandate)) = save.value().get() {
            toasts.success(Key::SepaSaved.fill(lang, &[("reference", &mandate.reference)]));
            saved.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(MandateInput {
            reference: reference.get_untracked(),
            signed_on: signed_on.get_untracked(),
            scheme: scheme.get_untracked().code().to_owned(),
            account_holder: holder.get_untracked(),
            iban: iban.get_untracked(),
            bic: bic.get_untracked(),
        });
    };
    let title = if existing.is_some() {
        Key::SepaAmendTitle
    } else {
        Key::SepaNewMandate
    };
    view! {
        <form class="stack" on:submit=submit novalidate=true aria-labelledby="sepa-form-title">
            <h3 id="sepa-form-title">{t(title)}</h3>
            <div class="grid-2">
                <TextField label=t(Key::SepaReference) name="reference" value=reference errors hint=t(Key::SepaReferenceHint)/>
                <TextField label=t(Key::SepaSignedOn) name="signed_on" value=signed_on errors kind="date" required=true/>
                <SelectField label=Key::SepaScheme name="scheme" value=scheme
                    options=vec![(Scheme::Core, "CORE", Key::SepaSchemeCore), (Scheme::B2b, "B2B", Key::SepaSchemeB2b)]
                    parse=Scheme::parse errors/>
                <TextField label=t(Key::SepaAccountHolder) name="account_holder" value=holder errors required=true/>
                <TextField label=t(Key::Iban) name="iban" value=iban errors required=true hint=t(Key::SepaIbanHint)/>
                <TextField label=t(Key::Bic) name="bic" value=bic errors hint=t(Key::SepaBicHint)/>
            </div>
            {existing.is_some().then(|| view! { <p class="hint">{t(Key::SepaAmendHint)}</p> })}
            <FormError result=save.value()/>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::Save)}</button>
                <button type="button" class="button" on:click=move |_| cancel.run(())>{t(Key::Cancel)}</button>
            </div>
        </form>
    }
}

/// `/billing/direct-debits`: which direct-debit invoices a collection on a date takes,
/// the export of the pain.008 file, and the files exported before.
#[component]
pub fn DirectDebitsPage() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let date = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let preview = Resource::new(
        move || (date.get(), version.get()),
        |(date, _)| preview_collection(date),
    );
    let files = Resource::new(move || version.get(), |_| direct_debit_files());
    let export = ServerAction::<ExportDirectDebits>::new();
    let last_file = RwSignal::new(None::<DirectDebitFile>);
    Effect::new(move |_| {
        if let Some(Ok(file)) = export.value().get() {
            toasts.success(
                Key::SepaExported.fill(lang, &[("count", &file.transaction_count.to_string())]),
            );
            last_file.set(Some(file));
            version.update(|v| *v += 1);
        }
    });
    let errors = field_errors(export.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = date.get_untracked();
        let chosen = if chosen.is_empty() {
            preview
                .get_untracked()
                .and_then(Result::ok)
                .map(|p| p.collection_date.to_string())
                .unwrap_or_default()
        } else {
            chosen
        };
        export.dispatch(ExportDirectDebits {
            collection_date: chosen,
        });
    };
    view! {
        <Title text=t(Key::SepaTitle)/>
        <h1>{t(Key::SepaTitle)}</h1>
        <p class="lead">{t(Key::SepaIntro)}</p>
        <p><a href="/billing">{"← "}{t(Key::BillTitle)}</a></p>
        <section class="card" aria-labelledby="sepa-export">
            <h2 id="sepa-export">{t(Key::SepaExport)}</h2>
            <form on:submit=submit novalidate=true>
                <div class="field">
                    <label for="sepa-date">{t(Key::SepaCollectionDate)}</label>
                    <input id="sepa-date" type="date" bind:value=date aria-describedby="sepa-date-hint field-collection_date-error"/>
                    <p class="hint" id="sepa-date-hint">{t(Key::SepaCollectionDateHint)}</p>
                    <FieldError errors field="collection_date"/>
                </div>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(p) => view! { <PreviewTable preview=p/> }.into_any(),
                            Err(error) => view! { <ErrorBox error/> }.into_any(),
                        }
                    })}
                </Transition>
                <FormError result=export.value()/>
                <button type="submit" class="button button-primary" disabled=move || export.pending().get()>
                    {t(Key::SepaExportButton)}
                </button>
                {move || last_file.get().map(|file| view! {
                    " "<a class="button" href=format!("/direct-debits/{}/xml", file.id) download="">{t(Key::SepaDownload)}</a>
                })}
            </form>
        </section>
        <section aria-labelledby="sepa-files">
            <h2 id="sepa-files">{t(Key::SepaFiles)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match files.await {
                        Ok(list) if list.is_empty() => view! { <EmptyState title=t(Key::SepaNoFiles)/> }.into_any(),
                        Ok(list) => view! { <FilesTable list/> }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PreviewTable(preview: CollectionPreview) -> impl IntoView {
    let lang = use_lang();
    let summary = Key::SepaPreviewSummary.fill(
        lang,
        &[
            ("count", &preview.items.len().to_string()),
            (
                "date",
                &crate::domain::format::date(preview.collection_date, lang),
            ),
            (
                "total",
                &crate::domain::format::money(preview.total, "EUR", lang),
            ),
        ],
    );
    view! {
        <p role="status">{summary}</p>
        {(!preview.items.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="table">
                    <caption class="visually-hidden">{t(Key::SepaDue)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Key::InvoiceNumber)}</th>
                        <th scope="col">{t(Key::InvoiceCustomer)}</th>
                        <th scope="col">{t(Key::InvoiceDueDate)}</th>
                        <th scope="col">{t(Key::SepaReference)}</th>
                        <th scope="col">{t(Key::SepaScheme)}</th>
                        <th scope="col">{t(Key::SepaSequence)}</th>
                        <th scope="col" class="num">{t(Key::SepaAmount)}</th>
                    </tr></thead>
                    <tbody>
                        {preview.items.into_iter().map(|item| view! {
                            <tr>
                                <td><a href=format!("/invoices/{}", item.invoice_id)>{item.invoice_number}</a></td>
                                <td><a href=format!("/customers/{}", item.customer_id)>{item.buyer_name}</a></td>
                                <td><Date date=item.due_date/></td>
                                <td>{item.mandate_reference}</td>
                                <td>{item.scheme.code()}</td>
                                <td>{t(sequence_label(item.sequence))}</td>
                                <td class="num"><Money amount=item.amount currency=item.currency/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(!preview.held_back.is_empty()).then(|| view! {
            <div class="alert alert-warn" role="note">
                <p>{t(Key::SepaHeldBack)}</p>
                <ul>
                    {preview.held_back.into_iter().map(|(number, reason)| view! { <li>{number}": "{reason}</li> }).collect_view()}
                </ul>
            </div>
        })}
    }
}

#[component]
fn FilesTable(list: Vec<DirectDebitFile>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">{t(Key::SepaFiles)}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::SepaCreatedAt)}</th>
                    <th scope="col">{t(Key::SepaCollectionDate)}</th>
                    <th scope="col" class="num">{t(Key::SepaTransactions)}</th>
                    <th scope="col" class="num">{t(Key::SepaAmount)}</th>
                    <th scope="col">{t(Key::SepaCreatedBy)}</th>
                    <th scope="col">{t(Key::SepaFile)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|file| view! {
                        <tr>
                            <td>{file.created_at}</td>
                            <td><Date date=file.collection_date/></td>
                            <td class="num">{file.transaction_count}</td>
                            <td class="num"><Money amount=file.total currency="EUR".to_owned()/></td>
                            <td>{file.created_by.unwrap_or_default()}</td>
                            <td><a href=format!("/direct-debits/{}/xml", file.id) download="">{t(Key::SepaDownload)}" "<code>{file.message_id}</code></a></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
