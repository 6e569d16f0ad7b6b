use super::api::{list_users, InviteUser, ResetUser2fa, SetUserActive, SetUserRoles};
use super::model::{InviteInput, UserRow};
use crate::domain::{Permission, Role};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::table::{use_page_request, ConfirmButton, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::LocalTime;
use crate::use_session;
use leptos::prelude::*;
use leptos_meta::Title;

/// Checkboxes for staff roles, as a fieldset with a legend.
#[component]
fn RolePicker(
    selected: RwSignal<Vec<Role>>,
    #[prop(into)] error: Signal<Option<String>>,
    id_prefix: String,
) -> impl IntoView {
    view! {
        <fieldset class="roles" aria-invalid=move || if error.get().is_some() { "true" } else { "false" }>
            <legend>{t(Key::Roles)}</legend>
            {Role::STAFF_ROLES.into_iter().map(|role| {
                let id = format!("{id_prefix}-{}", role.as_str());
                let label_for = id.clone();
                view! {
                    <label for=label_for class="check">
                        <input type="checkbox" id=id
                            prop:checked=move || selected.with(|s| s.contains(&role))
                            on:change=move |_| selected.update(|s| if let Some(i) = s.iter().position(|r| *r == role) { s.remove(i); } else { s.push(role); })/>
                        {t(role.key())}
                    </label>
                }
            }).collect_view()}
            {move || error.get().map(|m| view! { <p class="field-error">{m}</p> })}
        </fieldset>
    }
}

#[component]
fn InviteForm(on_done: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let action = ServerAction::<InviteUser>::new();
    let errors = field_errors(action.value());
    let (email, name, roles) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(vec![Role::Staff]),
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
        action.dispatch(InviteUser {
            input: InviteInput {
                email: email.get_untracked(),
                display_name: name.get_untracked(),
                roles: roles.get_untracked(),
            },
        });
    };
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">{t(Key::InviteUser)}</h2>
            <form on:submit=submit class="stack" novalidate>
                <FormError result=action.value()/>
                <div class="grid-2">
                    <TextField label=t(Key::Email) name="email" value=email errors kind="email" required=true/>
                    <TextField label=t(Key::Name) name="display_name" value=name errors required=true/>
                </div>
                <RolePicker selected=roles error=Signal::derive(move || errors.with(|e| e.get("roles").map(str::to_owned))) id_prefix="invite-role".to_owned()/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::Invite)}</button>
            </form>
            {move || action.value().get().and_then(Result::ok).map(|invitation| view! {
                <div class="alert alert-info" role="status">
                    <p>{t(Key::InvitationLinkHint)}</p>
                    <p><code class="break" data-testid="invitation-link">{invitation.link}</code></p>
                </div>
            })}
        </section>
    }
}

#[component]
fn UserActions(user: UserRow, refresh: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let set_roles = ServerAction::<SetUserRoles>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetUser2fa>::new();
    let roles = RwSignal::new(user.roles.clone());
    let role_errors = field_errors(set_roles.value());
    let report = move |result: Option<Result<(), crate::error::AppError>>| match result {
        Some(Ok(())) => {
            toasts.success(Key::Saved.text(lang));
            refresh();
        }
        Some(Err(error)) => toasts.error(
            error
                .field_errors()
                .and_then(|e| e.0.first().map(|f| f.message.clone()))
                .unwrap_or_else(|| error.message(lang)),
        ),
        None => {}
    };
    Effect::new(move |_| report(set_active.value().get()));
    Effect::new(move |_| report(reset.value().get()));
    Effect::new(move |_| report(set_roles.value().get()));
    let id = user.id;
    let active = user.active;
    let name = user.display_name.clone();
    view! {
        <details class="row-actions">
            <summary>{t(Key::Edit)}<span class="visually-hidden">": "{name.clone()}</span></summary>
            <div class="menu wide">
                <RolePicker selected=roles error=Signal::derive(move || role_errors.with(|e| e.get("roles").map(str::to_owned))) id_prefix=format!("roles-{id}")/>
                <button type="button" class="button" on:click=move |_| { set_roles.dispatch(SetUserRoles { user_id: id, roles: roles.get_untracked() }); }>{t(Key::SaveRoles)}</button>
                {user.totp_enabled.then(|| view! {
                    <ConfirmButton label=t(Key::Reset2fa) question=Key::Reset2faQuestion.fill(lang, &[("name", &name)])
                        on_confirm=move || { reset.dispatch(ResetUser2fa { user_id: id }); }/>
                })}
                <ConfirmButton label=if active { t(Key::Deactivate) } else { t(Key::Reactivate) } danger=active
                    question=if active { Key::DeactivateQuestion.fill(lang, &[("name", &name)]) } else { t(Key::Reactivate).to_owned() }
                    on_confirm=move || { set_active.dispatch(SetUserActive { user_id: id, active: !active }); }/>
            </div>
        </details>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let request = use_page_request();
    let reload = RwSignal::new(0u32);
    let users = Resource::new(
        move || (request.get(), reload.get()),
        |(page, _)| list_users(page),
    );
    let session = use_session();
    let can_manage = move || {
        session
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|s| s.can(Permission::ManageUsers))
    };
    let refresh = move || reload.update(|n| *n += 1);
    view! {
        <Title text=t(Key::NavUsers)/>
        <div class="page-head">
            <h1>{t(Key::NavUsers)}</h1>
            <SearchBox label=t(Key::SearchUsers)/>
        </div>
        <PagedTable data=users empty=t(Key::NoUsersFound)
            head=|| view! { <tr>
                <SortHeader label=t(Key::Name) column="name"/>
                <SortHeader label=t(Key::Email) column="email"/>
                <th scope="col">{t(Key::Roles)}</th>
                <th scope="col">{t(Key::Status)}</th>
                <SortHeader label=t(Key::LastSeen) column="last_seen"/>
                <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
            </tr> }
            row=move |user: UserRow| view! {
                <tr>
                    <td>{user.display_name.clone()}</td>
                    <td>{user.email.clone()}</td>
                    <td>{user.roles.iter().map(|r| t(r.key())).collect::<Vec<_>>().join(", ")}</td>
                    <td>
                        {if !user.active { view! { <span class="badge badge-off">"⏸ "{t(Key::Inactive)}</span> }.into_any() }
                         else if user.invited { view! { <span class="badge badge-warn">"✉ "{t(Key::Invited)}</span> }.into_any() }
                         else { view! { <span class="badge badge-ok">"✓ "{t(Key::Active)}</span> }.into_any() }}
                        {user.totp_enabled.then(|| view! { " " <span class="badge">"2FA"</span> })}
                    </td>
                    <td>{user.last_seen.clone().map(|v| view! { <LocalTime value=v/> })}</td>
                    <td>{can_manage().then(|| view! { <UserActions user=user.clone() refresh/> })}</td>
                </tr>
            }/>
        {move || can_manage().then(|| view! { <InviteForm on_done=refresh/> })}
    }
}
