use super::api::*;
use super::model::{Delivery, DeliveryStatus, MailKind, MailTemplate};
use crate::domain::Permission;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{FieldError, FormError, TextField};
use crate::ui::toast::use_toasts;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use uuid::Uuid;

fn status_badge(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Queued | DeliveryStatus::Sending => "badge badge-info",
        DeliveryStatus::Sent => "badge badge-ok",
        DeliveryStatus::Failed => "badge badge-bad",
    }
}

/// The e-mails of an issued invoice, loaded by the page itself (a resource created at the
/// top of the page hydrates reliably; one made inside the invoice's Suspend would not).
pub fn use_invoice_deliveries(
    invoice_id: Memo<Option<Uuid>>,
) -> (Resource<Result<Vec<Delivery>, AppError>>, RwSignal<u32>) {
    let version = RwSignal::new(0u32);
    let deliveries = Resource::new(
        move || (invoice_id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => invoice_deliveries(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    (deliveries, version)
}

/// The e-mails of an issued invoice with their delivery status, and "send again".
#[component]
pub fn InvoiceDeliveries(
    invoice_id: Uuid,
    has_address: bool,
    deliveries: Resource<Result<Vec<Delivery>, AppError>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let may_send = crate::use_permission(Permission::ManageBilling);
    let toasts = use_toasts();
    let send = ServerAction::<SendInvoiceAgain>::new();
    Effect::new(move |_| {
        if let Some(Ok(recipient)) = send.value().get() {
            toasts.success(Key::MailQueuedAgain.fill(lang, &[("recipient", &recipient)]));
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="inv-mail">
            <h2 id="inv-mail">{t(Key::MailDelivery)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match deliveries.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">{if has_address { t(Key::MailNone) } else { t(Key::MailNoAddress) }}</p>
                        }.into_any(),
                        Ok(list) => view! { <DeliveryTable list/> }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || may_send.get()>
                <button type="button" class="button" disabled=move || send.pending().get()
                    on:click=move |_| { send.dispatch(SendInvoiceAgain { invoice_id }); }>
                    {t(Key::MailSendAgain)}
                </button>
            </Show>
            <FormError result=send.value()/>
        </section>
    }
}

#[component]
fn DeliveryTable(list: Vec<Delivery>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table">
            <caption class="visually-hidden">{t(Key::MailDelivery)}</caption>
            <thead><tr>
                <th scope="col">{t(Key::MailRecipient)}</th>
                <th scope="col">{t(Key::MailStatus)}</th>
                <th scope="col" class="num">{t(Key::MailAttempts)}</th>
                <th scope="col">{t(Key::MailCreated)}</th>
                <th scope="col">{t(Key::MailSentAt)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|mail| view! {
                    <tr>
                        <td>{mail.recipient}</td>
                        <td>
                            <span class=status_badge(mail.status)>{t(mail.status.label())}</span>
                            {mail.next_attempt_at.map(|at| view! {
                                " "<span class="muted">{Key::MailNextAttempt.fill(lang, &[("at", &at)])}</span>
                            })}
                            {mail.last_error.map(|error| view! { <br/><small class="muted">{error}</small> })}
                        </td>
                        <td class="num">{mail.attempts}</td>
                        <td>{mail.created_at}</td>
                        <td>{mail.sent_at.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The tenant's four invoice mail templates, one form for the chosen kind and language.
#[component]
pub fn MailTemplates() -> impl IntoView {
    let toasts = use_toasts();
    let save = ServerAction::<SaveMailTemplate>::new();
    let reset = ServerAction::<ResetMailTemplate>::new();
    let templates = Resource::new(
        move || (save.version().get(), reset.version().get()),
        |_| mail_templates(),
    );
    let chosen = RwSignal::new((MailKind::Invoice, "de".to_owned()));
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.success(t(Key::MailTemplateSaved));
        }
    });
    view! {
        <section class="card" aria-labelledby="mail-templates">
            <h2 id="mail-templates">{t(Key::MailTemplates)}</h2>
            <p class="muted">{t(Key::MailTemplatesIntro)}</p>
            <div class="field">
                <label for="mail-template-choice">{t(Key::MailTemplateChoice)}</label>
                <select id="mail-template-choice" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some((kind, language)) = value.split_once(':') {
                        if let Some(kind) = MailKind::parse(kind) {
                            chosen.set((kind, language.to_owned()));
                        }
                    }
                }>
                    {MailKind::ALL.into_iter().flat_map(|kind| ["de", "en"].map(move |language| (kind, language))).map(|(kind, language)| {
                        let name = match kind {
                            MailKind::Invoice => t(Key::MailTemplateInvoice),
                            MailKind::CreditNote => t(Key::MailTemplateCreditNote),
                            MailKind::Dunning => t(Key::MailTemplateDunning),
                            MailKind::Quote => t(Key::MailTemplateQuote),
                        };
                        view! { <option value=format!("{}:{language}", kind.as_str())>{format!("{name} ({})", language.to_uppercase())}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let (kind, language) = chosen.get();
                    match templates.await {
                        Ok(list) => list.into_iter()
                            .find(|template| template.kind == kind && template.language == language)
                            .map(|template| view! { <TemplateForm template save reset/> })
                            .into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TemplateForm(
    template: MailTemplate,
    save: ServerAction<SaveMailTemplate>,
    reset: ServerAction<ResetMailTemplate>,
) -> impl IntoView {
    let subject = RwSignal::new(template.subject.clone());
    let body = RwSignal::new(template.body.clone());
    let kind = template.kind;
    let language = template.language.clone();
    let customised = template.customised;
    let errors = crate::ui::form::field_errors(save.value());
    let reset_language = language.clone();
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveMailTemplate { template: MailTemplate {
                kind,
                language: language.clone(),
                subject: subject.get_untracked(),
                body: body.get_untracked(),
                customised: true,
            }});
        }>
            <p class="hint">{t(Key::MailPlaceholders)}" "{kind.placeholders().iter().map(|name| format!("{{{name}}}")).collect::<Vec<_>>().join(", ")}</p>
            <TextField label=t(Key::MailSubject) name="subject" value=subject errors required=true/>
            <div class="field">
                <label for="field-body">{t(Key::MailBody)}</label>
                <textarea id="field-body" name="body" rows="10" required
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))
                    aria-invalid=move || errors.with(|e| e.get("body").is_some()).to_string()
                    aria-describedby="field-body-error"></textarea>
                <FieldError errors field="body"/>
            </div>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::MailSaveTemplate)}</button>
                <Show when=move || customised>
                    <button type="button" class="button" on:click={
                        let language = reset_language.clone();
                        move |_| { reset.dispatch(ResetMailTemplate { kind, language: language.clone() }); }
                    }>{t(Key::MailResetTemplate)}</button>
                </Show>
            </div>
        </form>
    }
}
