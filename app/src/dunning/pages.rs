use super::api::*;
use super::model::*;
use crate::domain::Permission;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

fn level_title(level: i32) -> Key {
    match level {
        1 => Key::DunTitle1,
        2 => Key::DunTitle2,
        _ => Key::DunTitle3,
    }
}

/// `/dunning`: preview and run, the levels, and earlier runs with their letters.
#[component]
pub fn DunningPage() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let date = RwSignal::new(String::new());
    let run = ServerAction::<StartDunning>::new();
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = run.value().get() {
            if outcome.run_id.is_some() {
                toasts.success(
                    Key::DunDone.fill(lang, &[("count", &outcome.letters.len().to_string())]),
                );
                version.update(|v| *v += 1);
            }
        }
    });
    let errors = field_errors(run.value());
    let dispatch = move |dry_run: bool| {
        run.dispatch(StartDunning {
            request: DunningRequest {
                date: date.get_untracked(),
                dry_run,
            },
        });
    };
    let runs = Resource::new(move || version.get(), |_| dunning_runs());
    view! {
        <Title text=t(Key::DunTitle)/>
        <h1>{t(Key::DunTitle)}</h1>
        <p class="lead">{t(Key::DunIntro)}</p>
        <p class="actions">
            <a href="/open-items">{t(Key::OpenItemsTitle)}" →"</a>
            <a href="/payments">{t(Key::PayTitle)}" →"</a>
        </p>
        <section class="card" aria-labelledby="dun-run">
            <h2 id="dun-run">{t(Key::DunRun)}</h2>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); dispatch(false); } novalidate=true>
                <div class="field">
                    <label for="dun-date">{t(Key::DunDate)}</label>
                    <input id="dun-date" type="date" bind:value=date aria-describedby="dun-date-hint field-date-error"/>
                    <p class="hint" id="dun-date-hint">{t(Key::DunDateHint)}</p>
                    <FieldError errors field="date"/>
                </div>
                <FormError result=run.value()/>
                <div class="actions">
                    <button type="button" class="button" disabled=move || run.pending().get() on:click=move |_| dispatch(true)>{t(Key::DunPreview)}</button>
                    <button type="submit" class="button button-primary" disabled=move || run.pending().get()>{t(Key::DunStart)}</button>
                </div>
            </form>
            {move || run.value().get().and_then(Result::ok).map(|outcome| view! { <Outcome outcome/> })}
        </section>
        <LevelsCard/>
        <section aria-labelledby="dun-runs">
            <h2 id="dun-runs">{t(Key::DunRuns)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match runs.await {
                        Ok(list) if list.is_empty() => view! { <EmptyState title=t(Key::DunNoRuns)/> }.into_any(),
                        Ok(list) => view! {
                            <ul class="plain">
                                {list.into_iter().map(|r| view! { <li><RunEntry run=r/></li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Outcome(outcome: DunningOutcome) -> impl IntoView {
    let lang = use_lang();
    let written = outcome.run_id.is_some();
    let heading = if written {
        Key::DunWritten.fill(lang, &[("count", &outcome.letters.len().to_string())])
    } else {
        Key::DunWouldWrite.fill(lang, &[("count", &outcome.letters.len().to_string())])
    };
    view! {
        <p role="status"><strong>{heading}</strong></p>
        {(!outcome.blocked.is_empty()).then(|| view! {
            <p class="alert alert-warn">{t(Key::DunBlockedList)}" "{outcome.blocked.join(", ")}</p>
        })}
        {(!outcome.letters.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="table">
                    <caption class="visually-hidden">{t(Key::DunLetters)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Key::InvoiceCustomer)}</th>
                        <th scope="col">{t(Key::DunLevel)}</th>
                        <th scope="col">{t(Key::DunInvoices)}</th>
                        <th scope="col" class="num">{t(Key::DunOpenTotal)}</th>
                        <th scope="col" class="num">{t(Key::DunFee)}</th>
                        <th scope="col" class="num">{t(Key::DunInterest)}</th>
                        <th scope="col" class="num">{t(Key::DunTotal)}</th>
                        <th scope="col">{t(Key::DunPayBy)}</th>
                    </tr></thead>
                    <tbody>
                        {outcome.letters.into_iter().map(|l| {
                            let currency = l.currency.clone();
                            view! {
                                <tr>
                                    <td><a href=format!("/customers/{}", l.customer_id)>{l.customer_name.clone()}</a></td>
                                    <td>
                                        {l.id.map(|id| view! { <a href=format!("/dunning-letters/{id}/pdf")>{t(level_title(l.level))}" (PDF)"</a> }.into_any())
                                            .unwrap_or_else(|| view! { <span>{t(level_title(l.level))}</span> }.into_any())}
                                    </td>
                                    <td>{l.items.iter().map(|i| format!("{} ({})", i.number, Key::PayDays.fill(lang, &[("days", &i.days_overdue.to_string())]))).collect::<Vec<_>>().join(", ")}</td>
                                    <td class="num"><Money amount=l.open_total currency=currency.clone()/></td>
                                    <td class="num"><Money amount=l.fee currency=currency.clone()/></td>
                                    <td class="num"><Money amount=l.interest currency=currency.clone()/></td>
                                    <td class="num"><Money amount=l.total currency=currency/></td>
                                    <td><Date date=l.pay_by/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}

#[component]
fn RunEntry(run: DunningRunSummary) -> impl IntoView {
    let lang = use_lang();
    let letters = Action::new(move |_: &()| run_letters(run.id));
    let label = Key::DunRunEntry.fill(
        lang,
        &[
            ("date", &crate::domain::format::date(run.run_date, lang)),
            ("count", &run.letter_count.to_string()),
            ("at", &run.created_at),
        ],
    );
    view! {
        <details on:toggle=move |_| { if letters.value().get_untracked().is_none() { letters.dispatch(()); } }>
            <summary>{label}{run.created_by.map(|by| format!(" · {by}"))}</summary>
            {move || match letters.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul>
                        {list.into_iter().map(|(id, number, name, level, total, currency)| view! {
                            <li><a href=format!("/dunning-letters/{id}/pdf")>{number}" "{name}" · "{t(level_title(level))}</a>" · "<Money amount=total currency/></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </details>
    }
}

#[component]
fn LevelsCard() -> impl IntoView {
    let toasts = use_toasts();
    let load = Resource::new(|| (), |_| dunning_levels());
    let save = ServerAction::<SaveDunningLevels>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            toasts.success(t(Key::DunLevelsSaved));
        }
    });
    let errors = field_errors(save.value());
    view! {
        <section class="card" aria-labelledby="dun-levels">
            <h2 id="dun-levels">{t(Key::DunLevels)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match load.await {
                        Ok(levels) => {
                            let rows: Vec<(RwSignal<String>, RwSignal<String>, RwSignal<bool>)> = levels.iter().map(|l| (
                                RwSignal::new(l.days_after_due.to_string()),
                                RwSignal::new(crate::domain::format::number(l.fee, 2, use_lang())),
                                RwSignal::new(l.interest),
                            )).collect();
                            let submit_rows = rows.clone();
                            view! {
                                <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    let levels = submit_rows.iter().enumerate().map(|(i, (days, fee, interest))| LevelInput {
                                        level: i32::try_from(i + 1).unwrap_or(1),
                                        days_after_due: days.get_untracked(),
                                        fee: fee.get_untracked(),
                                        interest: interest.get_untracked(),
                                    }).collect();
                                    save.dispatch(SaveDunningLevels { levels });
                                }>
                                    <table class="table">
                                        <caption class="visually-hidden">{t(Key::DunLevels)}</caption>
                                        <thead><tr>
                                            <th scope="col">{t(Key::DunLevel)}</th>
                                            <th scope="col">{t(Key::DunDaysAfterDue)}</th>
                                            <th scope="col">{t(Key::DunFee)}</th>
                                            <th scope="col">{t(Key::DunInterest)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {rows.into_iter().enumerate().map(|(i, (days, fee, interest))| {
                                                let n = i + 1;
                                                let days_field = format!("days_after_due_{n}");
                                                let fee_field = format!("fee_{n}");
                                                let title = t(level_title(i32::try_from(n).unwrap_or(3)));
                                                let days_error = days_field.clone();
                                                let fee_error = fee_field.clone();
                                                view! {
                                                    <tr>
                                                        <th scope="row">{n}". "{title}</th>
                                                        <td>
                                                            <input type="number" min="0" max="365" aria-label=format!("{title}: {}", t(Key::DunDaysAfterDue)) bind:value=days/>
                                                            {move || errors.with(|e| e.get(&days_error).map(|m| view! { <p class="field-error">{m.to_owned()}</p> }))}
                                                        </td>
                                                        <td>
                                                            <input type="text" inputmode="decimal" aria-label=format!("{title}: {}", t(Key::DunFee)) bind:value=fee/>
                                                            {move || errors.with(|e| e.get(&fee_error).map(|m| view! { <p class="field-error">{m.to_owned()}</p> }))}
                                                        </td>
                                                        <td><label><input type="checkbox" bind:checked=interest/>" "{t(Key::DunClaimInterest)}</label></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <p class="hint">{t(Key::DunLevelsHint)}</p>
                                    <FormError result=save.value()/>
                                    <button type="submit" class="button" disabled=move || save.pending().get()>{t(Key::Save)}</button>
                                </form>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The customer's dunning block on the customer file.
#[component]
pub fn CustomerDunningBlock(customer_id: Uuid) -> impl IntoView {
    let manage = crate::use_permission(Permission::ManageBilling);
    move || {
        manage
            .get()
            .then(|| view! { <DunningBlockSection customer_id/> })
    }
}

#[component]
fn DunningBlockSection(customer_id: Uuid) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let blocked = Action::new(move |_: &u32| dunning_blocked(customer_id));
    Effect::new(move |_| {
        blocked.dispatch(version.get());
    });
    let toggle = ServerAction::<SetDunningBlock>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = toggle.value().get() {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="dun-block">
            <h2 id="dun-block">{t(Key::DunTitle)}</h2>
            {move || match blocked.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(is_blocked)) => view! {
                    <p>
                        {if is_blocked {
                            view! { <span class="badge badge-warn">{t(Key::DunBlocked)}</span> }.into_any()
                        } else {
                            view! { <span class="badge badge-ok">{t(Key::DunNotBlocked)}</span> }.into_any()
                        }}
                    </p>
                    <button type="button" class="button" disabled=move || toggle.pending().get()
                        on:click=move |_| { toggle.dispatch(SetDunningBlock { customer_id, blocked: !is_blocked }); }>
                        {if is_blocked { t(Key::DunUnblock) } else { t(Key::DunBlock) }}
                    </button>
                }.into_any(),
            }}
            <FormError result=toggle.value()/>
        </section>
    }
}
