//! Login, second factor, invitation and the user's own profile.

use super::api::{
    list_own_sessions, ChangePassword, ConfirmTotp, DisableTotp, LogoutEverywhere,
    RegenerateRecoveryCodes, StartTotpEnrolment,
};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::toast::use_toasts;
use crate::ui::{ErrorBox, Loading, LocalTime};
use crate::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The message for `?error=…` after a failed plain-form post.
fn query_error() -> Option<String> {
    let query = use_query_map().get_untracked();
    let lang = use_lang();
    let minutes = query.get("minutes").unwrap_or_else(|| "15".to_owned());
    query.get("error").map(|code| match code.as_str() {
        "throttled" => Key::ErrThrottled.fill(lang, &[("minutes", &minutes)]),
        "code" => Key::TotpWrongCode.text(lang).to_owned(),
        "expired" => Key::SessionExpired.text(lang).to_owned(),
        "no_tenant" => Key::ErrNoTenant.text(lang).to_owned(),
        "invitation" => Key::InvitationInvalid.text(lang).to_owned(),
        "password_short" => {
            Key::PasswordTooShort.fill(lang, &[("n", &super::api::MIN_PASSWORD_LENGTH.to_string())])
        }
        "password_differ" => Key::PasswordsDiffer.text(lang).to_owned(),
        _ => Key::LoginFailed.text(lang).to_owned(),
    })
}

/// Keeps `?next=` only for paths on this site (no open redirect).
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/".to_owned())
}

#[component]
fn AuthCard(title: Key, children: Children) -> impl IntoView {
    view! {
        <Title text=t(title)/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <p class="auth-brand" aria-hidden="true">"Kontor"</p>
                <h1>{t(title)}</h1>
                {query_error().map(|message| view! { <div class="alert alert-error" role="alert" id="form-error">{message}</div> })}
                {children()}
            </div>
            <form method="post" action="/prefs/language" class="auth-language">
                {match use_lang() {
                    crate::i18n::Lang::De => view! { <button type="submit" name="lang" value="en" class="link-button" lang="en">"English"</button> },
                    crate::i18n::Lang::En => view! { <button type="submit" name="lang" value="de" class="link-button" lang="de">"Deutsch"</button> },
                }}
            </form>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let next = safe_next(query.get("next"));
    let email = query.get("email").unwrap_or_default();
    let has_error = query.get("error").is_some();
    view! {
        <AuthCard title=Key::Login>
            <form method="post" action="/auth/login" class="stack">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">{t(Key::Email)}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required value=email
                        aria-describedby=has_error.then_some("form-error")/>
                </div>
                <div class="field">
                    <label for="password">{t(Key::Password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <button type="submit" class="button button-primary">{t(Key::LoginButton)}</button>
            </form>
        </AuthCard>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let next = safe_next(use_query_map().get_untracked().get("next"));
    view! {
        <AuthCard title=Key::SecondFactor>
            <p>{t(Key::SecondFactorHint)}</p>
            <form method="post" action="/auth/2fa" class="stack">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="code">{t(Key::TotpCode)}</label>
                    <input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code"
                        required autofocus aria-describedby="code-hint"/>
                    <p class="hint" id="code-hint">{t(Key::RecoveryCodeHint)}</p>
                </div>
                <button type="submit" class="button button-primary">{t(Key::Confirm)}</button>
            </form>
            <form method="post" action="/auth/logout"><button type="submit" class="link-button">{t(Key::Cancel)}</button></form>
        </AuthCard>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = use_params_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    view! {
        <AuthCard title=Key::InvitationTitle>
            <p>{t(Key::InvitationHint)}</p>
            <form method="post" action="/auth/invitation" class="stack">
                <input type="hidden" name="token" value=token/>
                <div class="field">
                    <label for="new_password">{t(Key::NewPassword)}</label>
                    <input id="new_password" name="password" type="password" autocomplete="new-password" required minlength="10"/>
                </div>
                <div class="field">
                    <label for="repeat">{t(Key::RepeatPassword)}</label>
                    <input id="repeat" name="repeat" type="password" autocomplete="new-password" required/>
                </div>
                <button type="submit" class="button button-primary">{t(Key::SetPassword)}</button>
            </form>
        </AuthCard>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let errors = field_errors(action.value());
    let (current, new_password, repeat) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success(Key::PasswordChanged.text(lang));
            current.set(String::new());
            new_password.set(String::new());
            repeat.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(ChangePassword {
            current: current.get_untracked(),
            new_password: new_password.get_untracked(),
            repeat: repeat.get_untracked(),
        });
    };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{t(Key::ChangePassword)}</h2>
            <form on:submit=submit class="stack narrow" novalidate>
                <FormError result=action.value()/>
                <TextField label=t(Key::CurrentPassword) name="current" value=current errors kind="password" autocomplete="current-password" required=true/>
                <TextField label=t(Key::NewPassword) name="new_password" value=new_password errors kind="password" autocomplete="new-password" required=true
                    hint=Key::PasswordTooShort.fill(lang, &[("n", &super::api::MIN_PASSWORD_LENGTH.to_string())])/>
                <TextField label=t(Key::RepeatPassword) name="repeat" value=repeat errors kind="password" autocomplete="new-password" required=true/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::Save)}</button>
            </form>
        </section>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert-info" role="status">
            <p><strong>{t(Key::RecoveryCodesTitle)}</strong></p>
            <p>{t(Key::RecoveryCodesHint)}</p>
            <ul class="recovery-codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn TwoFactorSection(enabled: bool) -> impl IntoView {
    let start = ServerAction::<StartTotpEnrolment>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm_errors = field_errors(confirm.value());
    let disable_errors = field_errors(disable.value());
    let regenerate_errors = field_errors(regenerate.value());
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            session.refetch();
        }
    });
    let confirmed_codes = move || confirm.value().get().and_then(Result::ok);
    let new_codes = move || regenerate.value().get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">{t(Key::TwoFactor)}</h2>
            {move || {
                if let Some(codes) = confirmed_codes() {
                    return view! {
                        <p class="status status-ok">{t(Key::TotpNowOn)}</p>
                        <RecoveryCodes codes/>
                    }.into_any();
                }
                let now_disabled = matches!(disable.value().get(), Some(Ok(())));
                if enabled && !now_disabled {
                    return view! {
                        <p class="status status-ok"><span aria-hidden="true">"✓ "</span>{t(Key::TotpIsOn)}</p>
                        {move || new_codes().map(|codes| view! { <RecoveryCodes codes/> })}
                        <form class="stack narrow" on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                            <TextField label=t(Key::Password) name="password" value=password errors=Signal::derive(move || {
                                let mut all = disable_errors.get();
                                all.0.extend(regenerate_errors.get().0);
                                all
                            }) kind="password" autocomplete="current-password"/>
                            <div class="actions">
                                <button type="button" class="button" on:click=move |_| { regenerate.dispatch(RegenerateRecoveryCodes { password: password.get_untracked() }); }>
                                    {t(Key::NewRecoveryCodes)}
                                </button>
                                <button type="button" class="button button-danger" on:click=move |_| { disable.dispatch(DisableTotp { password: password.get_untracked() }); }>
                                    {t(Key::TotpDisable)}
                                </button>
                            </div>
                        </form>
                    }.into_any();
                }
                match start.value().get() {
                    Some(Ok(enrolment)) => view! {
                        <ol class="steps">
                            <li>{t(Key::TotpScan)}</li>
                        </ol>
                        <div class="qr" inner_html=enrolment.qr_svg role="img" aria-label=t(Key::TotpQrLabel)></div>
                        <p>{t(Key::TotpSecretText)}" "<code data-testid="totp-secret">{enrolment.secret_base32}</code></p>
                        <form class="stack narrow" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            confirm.dispatch(ConfirmTotp { code: code.get_untracked() });
                        }>
                            <FormError result=confirm.value()/>
                            <TextField label=t(Key::TotpCode) name="code" value=code errors=confirm_errors autocomplete="one-time-code" required=true/>
                            <button type="submit" class="button button-primary">{t(Key::TotpEnable)}</button>
                        </form>
                    }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                    None => view! {
                        <p class="status status-warn"><span aria-hidden="true">"⚠ "</span>{t(Key::TotpIsOff)}</p>
                        <button type="button" class="button button-primary" on:click=move |_| { start.dispatch(StartTotpEnrolment {}); }>
                            {t(Key::TotpSetUp)}
                        </button>
                    }.into_any(),
                }
            }}
        </section>
    }
}

/// The resource is created by the page, outside any Suspense, so that server and browser
/// agree on it while hydrating.
#[component]
fn SessionsSection(
    logout_all: ServerAction<LogoutEverywhere>,
    sessions: Resource<Result<Vec<super::model::OwnSession>, crate::error::AppError>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(ended)) = logout_all.value().get() {
            toasts.success(Key::SessionsEnded.fill(lang, &[("n", &ended.to_string())]));
        }
    });
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{t(Key::Sessions)}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(Key::LastSeen)}</th>
                                    <th scope="col">{t(Key::LoggedInAt)}</th>
                                    <th scope="col">{t(Key::Address)}</th>
                                    <th scope="col">{t(Key::Browser)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr>
                                            <td><LocalTime value=s.last_seen_at/>{s.current.then(|| view! { " " <span class="badge">{t(Key::ThisSession)}</span> })}</td>
                                            <td><LocalTime value=s.created_at/></td>
                                            <td>{s.ip.unwrap_or_default()}</td>
                                            <td class="truncate">{s.user_agent.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Suspense>
            <crate::ui::table::ConfirmButton label=t(Key::LogoutEverywhere) question=t(Key::LogoutEverywhereQuestion)
                on_confirm=move || { logout_all.dispatch(LogoutEverywhere {}); }/>
        </section>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let session = use_session();
    let logout_all = ServerAction::<LogoutEverywhere>::new();
    let sessions = Resource::new(move || logout_all.version().get(), |_| list_own_sessions());
    view! {
        <Title text=t(Key::NavProfile)/>
        <h1>{t(Key::NavProfile)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                session.await.ok().flatten().map(|s| view! {
                    <p class="muted">{s.display_name.clone()}" · "{s.email.clone()}</p>
                    <div class="grid-2">
                        <PasswordSection/>
                        <TwoFactorSection enabled=s.totp_enabled/>
                    </div>
                    <SessionsSection logout_all sessions/>
                })
            })}
        </Suspense>
    }
}
