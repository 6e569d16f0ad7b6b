//! Vault pages: the credentials section of the customer file (list, add, change, delete,
//! reveal), the credentials of a server or domain, and the printable password list. They
//! load with actions after hydration, so no secret is ever part of a rendered page's
//! state; a revealed secret lives only in the browser until it is hidden again.

use super::api::{
    create_credential, delete_credential, list_credentials, load_credential_links,
    reveal_credential, reveal_password_list, update_credential,
};
use super::model::*;
use super::HIDE_AFTER_SECS;
use crate::domain::Permission;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::paging::{PageRequest, MAX_PER_PAGE};
use crate::ui::table::ConfirmButton;
use crate::ui::toast::use_toasts;
use crate::ui::{EmptyState, ErrorBox, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// A printed password list leaves the screen after this long.
const LIST_HIDE_AFTER_SECS: u32 = 300;

/// Runs `hide` after `secs` unless `shown` moved on meanwhile (hidden, or shown anew).
fn hide_later(secs: u32, shown: RwSignal<u32>, hide: impl Fn() + 'static) {
    let generation = shown.get_untracked();
    #[cfg(feature = "hydrate")]
    gloo_timers::callback::Timeout::new(secs.saturating_mul(1000), move || {
        if shown.try_get_untracked() == Some(generation) {
            hide();
        }
    })
    .forget();
    #[cfg(not(feature = "hydrate"))]
    let _ = (secs, generation, hide);
}

fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// The secret of one credential: hidden until revealed (audited on the server), then
/// shown with a copy button, and hidden again on "Hide" or after `HIDE_AFTER_SECS`.
#[component]
fn SecretReveal(id: Uuid, #[prop(into)] label: String) -> impl IntoView {
    let reveal = Action::new(move |_: &()| reveal_credential(id));
    let shown = RwSignal::new(0u32);
    Effect::new(move |_| {
        if reveal.value().with(|v| matches!(v, Some(Ok(_)))) {
            shown.update(|n| *n += 1);
            hide_later(HIDE_AFTER_SECS, shown, move || reveal.clear());
        }
    });
    let hide = move |_| {
        shown.update(|n| *n += 1);
        reveal.clear();
    };
    let toasts = use_toasts();
    let lang = use_lang();
    let hint = Key::VaultHidesAfter.fill(lang, &[("seconds", &HIDE_AFTER_SECS.to_string())]);
    let reveal_label = Key::VaultRevealOf.fill(lang, &[("label", &label)]);
    view! {
        <div class="secret-cell">
            {move || match reveal.value().get() {
                Some(Ok(revealed)) => {
                    let secret = revealed.secret;
                    let copy = {
                        let secret = secret.clone();
                        move |_| {
                            copy_to_clipboard(&secret);
                            toasts.success(Key::VaultCopied.text(lang));
                        }
                    };
                    view! {
                        <code class="secret" data-testid="secret" title=hint.clone()>{secret}</code>
                        <button type="button" class="button button-small" on:click=copy>{t(Key::VaultCopy)}</button>
                        <button type="button" class="button button-small" on:click=hide>{t(Key::VaultHide)}</button>
                    }.into_any()
                }
                other => {
                    let error = other.and_then(Result::err).map(|e| view! { <span class="field-error">{e.message(lang)}</span> });
                    view! {
                        <span class="secret-mask" aria-hidden="true">"••••••••"</span>
                        <button type="button" class="button button-small" aria-label=reveal_label.clone()
                            disabled=move || reveal.pending().get()
                            on:click=move |_| { reveal.dispatch(()); }>{t(Key::VaultReveal)}</button>
                        {error}
                    }.into_any()
                }
            }}
        </div>
    }
}

/// An address shown as a link only when it is a web address (never `javascript:`).
fn url_view(url: String) -> AnyView {
    let web = url.starts_with("https://") || url.starts_with("http://");
    match (url.is_empty(), web) {
        (true, _) => ().into_any(),
        (false, true) => view! {
            <a href=url.clone() target="_blank" rel="noopener noreferrer" class="break">{url.clone()}</a>
        }
        .into_any(),
        (false, false) => view! { <span class="break">{url}</span> }.into_any(),
    }
}

fn host_text(data: &CredentialInput) -> String {
    match data.port {
        Some(port) if !data.host.is_empty() => format!("{}:{port}", data.host),
        Some(port) => format!(":{port}"),
        None => data.host.clone(),
    }
}

/// What a credential is attached to, linked.
fn attached_view(credential: &Credential) -> impl IntoView {
    let server = credential
        .data
        .server_id
        .zip(credential.server_label.clone())
        .map(|(id, label)| view! { <a href=format!("/servers/{id}")>{label}</a> });
    let domain = credential
        .data
        .domain_id
        .zip(credential.domain_label.clone())
        .map(|(id, label)| view! { <a href=format!("/domains/{id}")>{label}</a> });
    let both = server.is_some() && domain.is_some();
    view! { {server}{both.then_some(", ")}{domain} }
}

/// The credentials table; `edit` and `deleted` are given where the user may change them.
#[component]
fn CredentialTable(
    items: Vec<Credential>,
    edit: Option<Callback<Credential>>,
    deleted: Option<Callback<()>>,
) -> impl IntoView {
    let reveal = crate::use_permission(Permission::RevealCredentials);
    let lang = use_lang();
    let changes = edit.is_some();
    view! {
        <table class="table credentials">
            <thead><tr>
                <th scope="col">{t(Key::VaultKind)}</th>
                <th scope="col">{t(Key::VaultLabel)}</th>
                <th scope="col">{t(Key::VaultHost)}</th>
                <th scope="col">{t(Key::VaultUsername)}</th>
                <th scope="col">{t(Key::VaultAttachedTo)}</th>
                <th scope="col">{t(Key::VaultSecret)}</th>
                {changes.then(|| view! { <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th> })}
            </tr></thead>
            <tbody>
                {items.into_iter().map(|credential| {
                    let (id, label) = (credential.id, credential.data.label.clone());
                    let question = Key::VaultDeleteQuestion.fill(lang, &[("label", &label)]);
                    let actions = edit.map(|edit| {
                        let record = credential.clone();
                        let remove = Action::new(move |_: &()| delete_credential(id));
                        Effect::new(move |_| {
                            if let (Some(Ok(())), Some(deleted)) = (remove.value().get(), deleted) {
                                deleted.run(());
                            }
                        });
                        view! { <td class="credential-actions">
                            <button type="button" class="button button-small" on:click=move |_| edit.run(record.clone())>{t(Key::Edit)}</button>
                            <ConfirmButton label=t(Key::VaultDelete) question danger=true on_confirm=move || { remove.dispatch(()); }/>
                            <FormError result=remove.value()/>
                        </td> }
                    });
                    view! {
                        <tr>
                            <td>{t(credential.data.kind.key())}</td>
                            <td>
                                {label.clone()}
                                {(!credential.data.url.is_empty()).then(|| view! { <br/><small>{url_view(credential.data.url.clone())}</small> })}
                            </td>
                            <td><code>{host_text(&credential.data)}</code></td>
                            <td><code>{credential.data.username.clone()}</code></td>
                            <td>{attached_view(&credential)}</td>
                            <td>{move || if reveal.get() {
                                view! { <SecretReveal id label=label.clone()/> }.into_any()
                            } else {
                                view! { <span class="muted">"••••••••"</span> }.into_any()
                            }}</td>
                            {actions}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[derive(Clone, Copy)]
struct FormState {
    kind: RwSignal<CredentialKind>,
    label: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    username: RwSignal<String>,
    secret: RwSignal<String>,
    url: RwSignal<String>,
    notes: RwSignal<String>,
    server: RwSignal<Option<Uuid>>,
    domain: RwSignal<Option<Uuid>>,
}

impl FormState {
    fn new(d: &CredentialInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        FormState {
            kind: RwSignal::new(d.kind),
            label: s(&d.label),
            host: s(&d.host),
            port: RwSignal::new(d.port.map(|p| p.to_string()).unwrap_or_default()),
            username: s(&d.username),
            secret: s(""),
            url: s(&d.url),
            notes: s(&d.notes),
            server: RwSignal::new(d.server_id),
            domain: RwSignal::new(d.domain_id),
        }
    }

    fn input(&self) -> CredentialInput {
        let port = self.port.get_untracked();
        let port = port.trim();
        CredentialInput {
            kind: self.kind.get_untracked(),
            label: self.label.get_untracked(),
            host: self.host.get_untracked(),
            // anything but a number becomes 0, which the server reports at the field
            port: (!port.is_empty()).then(|| port.parse().unwrap_or(0)),
            username: self.username.get_untracked(),
            url: self.url.get_untracked(),
            notes: self.notes.get_untracked(),
            server_id: self.server.get_untracked(),
            domain_id: self.domain.get_untracked(),
        }
    }

    /// The typed secret; empty means "keep the stored one" when changing.
    fn secret(&self) -> Option<String> {
        Some(self.secret.get_untracked()).filter(|s| !s.is_empty())
    }
}

#[component]
fn LinkChoice(
    label: Key,
    name: &'static str,
    value: RwSignal<Option<Uuid>>,
    #[prop(into)] options: Signal<Vec<CredentialLink>>,
    #[prop(into)] errors: Signal<crate::error::FieldErrors>,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <select id=id aria-describedby=format!("field-{name}-error")
                on:change=move |ev| value.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                <option value="" selected=move || value.get().is_none()>{t(Key::VaultNotAttached)}</option>
                <For each=move || options.get() key=|o| o.id let:option>
                    <option value=option.id.to_string() selected=move || value.get() == Some(option.id)>{option.label}</option>
                </For>
            </select>
            <FieldError errors field=name/>
        </div>
    }
}

/// Adds a credential to the customer (`record` None) or changes one.
#[component]
fn CredentialForm(
    customer_id: Uuid,
    record: Option<Credential>,
    saved: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let s = FormState::new(&record.as_ref().map(|r| r.data.clone()).unwrap_or_default());
    let save = Action::new(move |(input, secret): &(CredentialInput, Option<String>)| {
        let (input, secret) = (input.clone(), secret.clone());
        async move {
            match id {
                None => create_credential(customer_id, input, secret.unwrap_or_default())
                    .await
                    .map(drop),
                Some(id) => update_credential(id, input, secret).await,
            }
        }
    });
    let errors = field_errors(save.value());
    let links = Action::new(move |_: &()| load_credential_links(customer_id));
    Effect::new(move |_| {
        links.dispatch(());
    });
    let options = move |servers: bool| {
        Signal::derive(move || {
            links
                .value()
                .get()
                .and_then(Result::ok)
                .map(|l| if servers { l.servers } else { l.domains })
                .unwrap_or_default()
        })
    };
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            s.secret.set(String::new());
            toasts.success(Key::Saved.text(lang));
            saved.run(());
        }
    });
    let title = match &record {
        Some(r) => Key::VaultEditTitle.fill(lang, &[("label", &r.data.label)]),
        None => t(Key::VaultNew).to_owned(),
    };
    let kinds: Vec<_> = CredentialKind::ALL
        .into_iter()
        .map(|k| (k, k.as_str(), k.key()))
        .collect();
    let heading = title.clone();
    view! {
        <form class="stack credential-form" novalidate aria-label=title on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch((s.input(), s.secret()));
        }>
            <h3>{heading}</h3>
            <FormError result=save.value()/>
            <div class="grid-2">
                <SelectField label=Key::VaultKind name="kind" value=s.kind options=kinds parse=CredentialKind::parse errors/>
                <TextField label=t(Key::VaultLabel) name="label" value=s.label errors required=true/>
            </div>
            <div class="grid-3">
                <TextField label=t(Key::VaultHost) name="host" value=s.host errors/>
                <TextField label=t(Key::VaultPort) name="port" value=s.port errors kind="number"/>
                <TextField label=t(Key::VaultUsername) name="username" value=s.username errors autocomplete="off"/>
            </div>
            {match id {
                None => view! {
                    <TextField label=t(Key::VaultSecret) name="secret" value=s.secret errors kind="password"
                        autocomplete="new-password" required=true/>
                }.into_any(),
                Some(_) => view! {
                    <TextField label=t(Key::VaultSecret) name="secret" value=s.secret errors kind="password"
                        autocomplete="new-password" hint=t(Key::VaultSecretKeepHint)/>
                }.into_any(),
            }}
            <TextField label=t(Key::VaultUrl) name="url" value=s.url errors kind="url" hint=t(Key::VaultUrlHint)/>
            <div class="grid-2">
                <LinkChoice label=Key::VaultServer name="server_id" value=s.server options=options(true) errors/>
                <LinkChoice label=Key::VaultDomain name="domain_id" value=s.domain options=options(false) errors/>
            </div>
            <div class="field">
                <label for="field-notes">{t(Key::Notes)}</label>
                <textarea id="field-notes" rows="3" bind:value=s.notes aria-describedby="field-notes-error"></textarea>
                <FieldError errors field="notes"/>
            </div>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::Save)}</button>
                <button type="button" class="button" on:click=move |_| cancel.run(())>{t(Key::Cancel)}</button>
            </div>
        </form>
    }
}

/// "Zugangsdaten" in the customer file, for those who may see the vault. It loads with
/// an action after hydration, so the customer page may place it inside its own Suspense.
#[component]
pub fn CustomerCredentials(customer_id: Uuid) -> impl IntoView {
    let view_vault = crate::use_permission(Permission::ViewCredentials);
    move || {
        view_vault
            .get()
            .then(|| view! { <CredentialsSection customer_id/> })
    }
}

#[component]
fn CredentialsSection(customer_id: Uuid) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let load = Action::new(move |_: &u32| {
        let page = PageRequest {
            per_page: MAX_PER_PAGE,
            ..PageRequest::default()
        };
        list_credentials(CredentialOwner::Customer(customer_id), page)
    });
    Effect::new(move |_| {
        load.dispatch(reload.get());
    });
    // Some(None): a new credential; Some(Some(c)): changing c
    let editing = RwSignal::new(None::<Option<Credential>>);
    let manage = crate::use_permission(Permission::ManageCredentials);
    let reveal = crate::use_permission(Permission::RevealCredentials);
    let lang = use_lang();
    let done = Callback::new(move |()| {
        editing.set(None);
        reload.update(|n| *n += 1);
    });
    let cancel = Callback::new(move |()| editing.set(None));
    let edit = Callback::new(move |credential: Credential| editing.set(Some(Some(credential))));
    view! {
        <section class="card" aria-labelledby="vault-title">
            <div class="page-head">
                <h2 id="vault-title">{t(Key::VaultCredentials)}</h2>
                <div class="actions">
                    {move || reveal.get().then(|| view! {
                        <a class="button" href=format!("/customers/{customer_id}/passwords")>{t(Key::VaultPasswordList)}</a>
                    })}
                    {move || (manage.get() && editing.get().is_none()).then(|| view! {
                        <button type="button" class="button" on:click=move |_| editing.set(Some(None))>{t(Key::VaultNew)}</button>
                    })}
                </div>
            </div>
            {move || editing.get().map(|record| view! { <CredentialForm customer_id record saved=done cancel/> })}
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <EmptyState title=t(Key::VaultNone)/> }.into_any(),
                Some(Ok(page)) => {
                    let shown = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
                    let more = (page.total > shown).then(|| {
                        Key::VaultFirstShown.fill(lang, &[("shown", &shown.to_string()), ("count", &page.total.to_string())])
                    });
                    let (edit, deleted) = if manage.get_untracked() { (Some(edit), Some(done)) } else { (None, None) };
                    view! {
                        <div class="table-scroll"><CredentialTable items=page.items edit deleted/></div>
                        {more.map(|m| view! { <p class="muted">{m}</p> })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The credentials attached to a server or a domain, on its page; changed in the
/// customer file.
#[component]
pub fn AttachedCredentials(owner: CredentialOwner) -> impl IntoView {
    let view_vault = crate::use_permission(Permission::ViewCredentials);
    let load = Action::new(move |_: &()| {
        let page = PageRequest {
            per_page: MAX_PER_PAGE,
            ..PageRequest::default()
        };
        list_credentials(owner, page)
    });
    Effect::new(move |_| {
        if view_vault.get() {
            load.dispatch(());
        }
    });
    move || {
        view_vault.get().then(|| {
            view! {
                <section class="card" aria-labelledby="vault-title">
                    <h2 id="vault-title">{t(Key::VaultCredentials)}</h2>
                    {move || match load.value().get() {
                        None => view! { <Loading/> }.into_any(),
                        Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                        Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">{t(Key::VaultNoneAttached)}</p> }.into_any(),
                        Some(Ok(page)) => view! { <div class="table-scroll"><CredentialTable items=page.items edit=None deleted=None/></div> }.into_any(),
                    }}
                </section>
            }
        })
    }
}

/// `/customers/:id/passwords`: the customer's password list for printing. Nothing is
/// revealed until the user asks; then all secrets come in one audited action.
#[component]
pub fn PasswordListPage() -> impl IntoView {
    let params = use_params_map();
    let customer_id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let reveal = Action::new(move |_: &()| async move {
        match customer_id.get_untracked() {
            Some(id) => reveal_password_list(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let shown = RwSignal::new(0u32);
    Effect::new(move |_| {
        if reveal.value().with(|v| matches!(v, Some(Ok(_)))) {
            shown.update(|n| *n += 1);
            hide_later(LIST_HIDE_AFTER_SECS, shown, move || reveal.clear());
        }
    });
    let hide = move |_| {
        shown.update(|n| *n += 1);
        reveal.clear();
    };
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    let back = move || {
        customer_id
            .get()
            .map(|id| format!("/customers/{id}"))
            .unwrap_or_else(|| "/customers".to_owned())
    };
    view! {
        <Title text=t(Key::VaultPasswordList)/>
        <p class="back no-print"><a href=back>{t(Key::VaultBackToCustomer)}</a></p>
        {move || match reveal.value().get() {
            Some(Ok(list)) => view! {
                <div class="page-head">
                    <h1>{t(Key::VaultPasswordList)} " · " {list.customer_label.clone()}</h1>
                    <div class="actions no-print">
                        <button type="button" class="button button-primary" on:click=print>{t(Key::VaultPrint)}</button>
                        <button type="button" class="button" on:click=hide>{t(Key::VaultHide)}</button>
                    </div>
                </div>
                <p class="muted">{t(Key::VaultRevealedAt)} " " <LocalTime value=list.revealed_at.clone()/></p>
                {if list.entries.is_empty() {
                    view! { <EmptyState title=t(Key::VaultNone)/> }.into_any()
                } else {
                    view! { <PasswordTable entries=list.entries/> }.into_any()
                }}
                <p class="print-note">{t(Key::VaultPrintNote)}</p>
            }.into_any(),
            other => {
                let error = other.and_then(Result::err).map(|error| view! { <ErrorBox error/> });
                view! {
                    <h1>{t(Key::VaultPasswordList)}</h1>
                    {error}
                    <div class="card stack narrow">
                        <p>{t(Key::VaultPasswordListIntro)}</p>
                        <div class="actions">
                            <button type="button" class="button button-primary" disabled=move || reveal.pending().get()
                                on:click=move |_| { reveal.dispatch(()); }>{t(Key::VaultRevealAll)}</button>
                        </div>
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn PasswordTable(entries: Vec<PasswordEntry>) -> impl IntoView {
    view! {
        <table class="table password-list">
            <thead><tr>
                <th scope="col">{t(Key::VaultKind)}</th>
                <th scope="col">{t(Key::VaultLabel)}</th>
                <th scope="col">{t(Key::VaultHost)}</th>
                <th scope="col">{t(Key::VaultUsername)}</th>
                <th scope="col">{t(Key::VaultSecret)}</th>
                <th scope="col">{t(Key::Notes)}</th>
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|PasswordEntry { credential, secret }| {
                    let data = credential.data.clone();
                    view! { <tr>
                        <td>{t(data.kind.key())}</td>
                        <td>{data.label.clone()}{(!data.url.is_empty()).then(|| view! { <br/><small class="break">{data.url.clone()}</small> })}</td>
                        <td><code>{host_text(&data)}</code></td>
                        <td><code>{data.username.clone()}</code></td>
                        <td><code class="secret">{secret.secret}</code></td>
                        <td class="pre">{data.notes.clone()}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}
