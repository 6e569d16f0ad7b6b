use super::api::{list_api_tokens, CreateApiToken, RevokeApiToken};
use crate::domain::permissions::SCOPES;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::table::ConfirmButton;
use crate::ui::{EmptyState, ErrorBox, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_tokens(),
    );
    let errors = field_errors(create.value());
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<String>::new());
    let lang = use_lang();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateApiToken {
            name: name.get_untracked(),
            scopes: scopes.get_untracked(),
        });
    };
    view! {
        <Title text=t(Key::NavApiTokens)/>
        <h1>{t(Key::NavApiTokens)}</h1>
        <p class="muted">{t(Key::ApiTokensHint)}" "<a href="/api/docs">{t(Key::ApiDocs)}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <EmptyState title=t(Key::NoTokens)/> }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{t(Key::Name)}</th>
                                <th scope="col">{t(Key::Token)}</th>
                                <th scope="col">{t(Key::Scopes)}</th>
                                <th scope="col">{t(Key::Created)}</th>
                                <th scope="col">{t(Key::LastUsed)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|token| {
                                    let id = token.id;
                                    let question = Key::RevokeQuestion.fill(lang, &[("name", &token.name)]);
                                    view! {
                                        <tr class:revoked=token.revoked>
                                            <td>{token.name}</td>
                                            <td><code>{token.prefix}"…"</code></td>
                                            <td>{token.scopes.join(", ")}</td>
                                            <td><LocalTime value=token.created_at/></td>
                                            <td>{token.last_used_at.map(|v| view! { <LocalTime value=v/> })}</td>
                                            <td>{if token.revoked {
                                                view! { <span class="badge badge-off">{t(Key::Revoked)}</span> }.into_any()
                                            } else {
                                                view! { <ConfirmButton label=t(Key::Revoke) danger=true question on_confirm=move || { revoke.dispatch(RevokeApiToken { id }); }/> }.into_any()
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="new-token">
            <h2 id="new-token">{t(Key::NewToken)}</h2>
            <form on:submit=submit class="stack" novalidate>
                <FormError result=create.value()/>
                <TextField label=t(Key::Name) name="name" value=name errors required=true/>
                <fieldset class="roles">
                    <legend>{t(Key::Scopes)}</legend>
                    {SCOPES.iter().map(|(scope, _)| {
                        let scope = (*scope).to_owned();
                        let id = format!("scope-{}", scope.replace(':', "-"));
                        let value = scope.clone();
                        let label_for = id.clone();
                        view! {
                            <label class="check" for=label_for>
                                <input type="checkbox" id=id on:change=move |_| scopes.update(|s| {
                                    if let Some(i) = s.iter().position(|x| *x == value) { s.remove(i); } else { s.push(value.clone()); }
                                })/>
                                <code>{scope}</code>
                            </label>
                        }
                    }).collect_view()}
                    {move || errors.with(|e| e.get("scopes").map(|m| view! { <p class="field-error">{m.to_owned()}</p> }))}
                </fieldset>
                <button type="submit" class="button button-primary">{t(Key::CreateToken)}</button>
            </form>
            {move || create.value().get().and_then(Result::ok).map(|created| view! {
                <div class="alert alert-info" role="status">
                    <p>{t(Key::TokenShownOnce)}</p>
                    <p><code class="break" data-testid="new-token">{created.token}</code></p>
                </div>
            })}
        </section>
    }
}
