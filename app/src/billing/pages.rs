//! Billing pages: start a run or a preview, follow its progress, see its invoices and
//! issue them all at once.

use super::api::*;
use super::model::*;
use crate::domain::Permission;
use crate::i18n::{t, use_lang, Key};
use crate::invoices::api::{list_invoices, IssueRun};
use crate::invoices::model::InvoiceFilter;
use crate::invoices::pages::InvoiceTable;
use crate::ui::form::{field_errors, FieldError, FormError};
use crate::ui::table::{use_page_request, PagedTable};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, ErrorBox, Loading, LocalTime, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

/// How often the run page asks for progress while a run works.
const POLL_MILLIS: u64 = 700;

fn count(value: i32) -> String {
    crate::domain::format::number(rust_decimal::Decimal::from(value), 0, use_lang())
}

/// The start form and the runs so far.
#[component]
pub fn BillingPage() -> impl IntoView {
    let navigate = use_navigate();
    let run_date = RwSignal::new(String::new());
    let preview = RwSignal::new(true);
    let start = Action::new(|input: &RunRequest| start_run(input.clone()));
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(&format!("/billing/runs/{id}"), Default::default());
        }
    });
    let errors = field_errors(start.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start.dispatch(RunRequest {
            run_date: run_date.get_untracked(),
            preview: preview.get_untracked(),
        });
    };
    let request = use_page_request();
    let runs = Resource::new(move || request.get(), list_runs);
    let may_bill = crate::use_permission(Permission::ManageBilling);
    view! {
        <Title text=t(Key::BillTitle)/>
        <h1>{t(Key::BillTitle)}</h1>
        <p class="lead">{t(Key::BillIntro)}</p>
        <p class="actions">
            <a href="/invoices">{t(Key::InvoiceTitle)}" →"</a>
            <a href="/billing/direct-debits">{t(Key::SepaTitle)}" →"</a>
            <a href="/billing/settings">{t(Key::BillSettingsTitle)}" →"</a>
        </p>
        <Show when=move || may_bill.get()>
            <section class="card" aria-labelledby="bill-start">
                <h2 id="bill-start">{t(Key::BillStart)}</h2>
                <form on:submit=submit novalidate=true>
                    <div class="field">
                        <label for="bill-date">{t(Key::BillRunDate)}</label>
                        <input id="bill-date" type="date" bind:value=run_date aria-describedby="bill-date-hint"/>
                        <p class="hint" id="bill-date-hint">{t(Key::BillRunDateHint)}</p>
                        <FieldError errors field="run_date"/>
                    </div>
                    <div class="field checkbox">
                        <label>
                            <input type="checkbox" bind:checked=preview/>
                            " "{t(Key::BillPreview)}
                        </label>
                        <p class="hint">{t(Key::BillPreviewHint)}</p>
                    </div>
                    <FormError result=start.value()/>
                    <button type="submit" class="button button-primary" disabled=move || start.pending().get()>
                        {move || if preview.get() { t(Key::BillStartPreview) } else { t(Key::BillStartRun) }}
                    </button>
                </form>
            </section>
        </Show>
        <section aria-labelledby="bill-runs">
            <h2 id="bill-runs">{t(Key::BillRuns)}</h2>
            <PagedTable data=runs empty=t(Key::BillNoRuns)
                head=|| view! { <tr>
                    <th scope="col">{t(Key::BillStarted)}</th>
                    <th scope="col">{t(Key::BillRunDate)}</th>
                    <th scope="col">{t(Key::BillMode)}</th>
                    <th scope="col" class="num">{t(Key::BillInvoices)}</th>
                    <th scope="col" class="num">{t(Key::BillNet)}</th>
                    <th scope="col" class="num">{t(Key::BillGross)}</th>
                    <th scope="col">{t(Key::BillStartedBy)}</th>
                </tr> }
                row=|run: RunSummary| view! {
                    <tr>
                        <td><a href=format!("/billing/runs/{}", run.id)>
                            <LocalTime value=run.started_at.format("%Y-%m-%d %H:%M").to_string()/>
                        </a></td>
                        <td><Date date=run.run_date/></td>
                        <td><RunBadge run=run.clone()/></td>
                        <td class="num">{count(run.invoice_count)}</td>
                        <td class="num"><Money amount=run.net_total currency=run.currency.clone()/></td>
                        <td class="num"><Money amount=run.gross_total currency=run.currency.clone()/></td>
                        <td>{run.started_by.clone()}</td>
                    </tr>
                }/>
        </section>
        <Show when=move || may_bill.get()>
            <crate::mail::pages::MailTemplates/>
        </Show>
    }
}

/// Preview or billing run, and how it ended — in words, not only colour.
#[component]
fn RunBadge(run: RunSummary) -> impl IntoView {
    let (class, key) = match run.status {
        RunStatus::Running => ("badge badge-info", Key::BillRunning),
        RunStatus::Failed => ("badge badge-bad", Key::BillFailed),
        RunStatus::Done if run.preview => ("badge", Key::BillPreviewBadge),
        RunStatus::Done => ("badge badge-ok", Key::BillBilled),
    };
    view! { <span class=class>{t(key)}</span> }
}

/// One run: progress while it works, then its invoices.
#[component]
pub fn BillingRunPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok()));
    let load = Action::new(|id: &Uuid| load_run(*id));
    Effect::new(move |_| {
        if let Some(id) = id() {
            load.dispatch(id);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(run)) = load.value().get() {
            if run.status == RunStatus::Running {
                let id = run.id;
                set_timeout(
                    move || {
                        load.dispatch(id);
                    },
                    std::time::Duration::from_millis(POLL_MILLIS),
                );
            }
        }
    });
    view! {
        <Title text=t(Key::BillRun)/>
        <p><a href="/billing">"← "{t(Key::BillTitle)}</a></p>
        {move || match load.value().get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            Some(Ok(run)) if run.status == RunStatus::Running => view! { <RunProgress run/> }.into_any(),
            Some(Ok(run)) => view! { <RunResult run/> }.into_any(),
        }}
    }
}

#[component]
fn RunProgress(run: RunSummary) -> impl IntoView {
    let text = Key::BillProgress.fill(
        use_lang(),
        &[
            ("done", &count(run.customers_done)),
            ("total", &count(run.customers_total)),
        ],
    );
    view! {
        <h1>{t(Key::BillRun)}</h1>
        <div class="card" role="status" aria-live="polite">
            <p>{t(Key::BillWorking)}</p>
            <progress max="100" value=run.percent() aria-label=t(Key::BillWorking)></progress>
            " "<span>{text}</span>
        </div>
    }
}

#[component]
fn RunResult(run: RunSummary) -> impl IntoView {
    let request = use_page_request();
    let version = RwSignal::new(0u32);
    let run_id = run.id;
    let invoices = Resource::new(
        move || (request.get(), version.get()),
        move |(page, _)| {
            list_invoices(
                InvoiceFilter {
                    billing_run_id: Some(run_id),
                    ..InvoiceFilter::default()
                },
                page,
            )
        },
    );
    let issue = ServerAction::<IssueRun>::new();
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = issue.value().get() {
            toasts.success(
                Key::BillIssuedAll.fill(lang, &[("count", &outcome.issued.len().to_string())]),
            );
            version.update(|v| *v += 1);
        }
    });
    let skipped = move || {
        issue
            .value()
            .get()
            .and_then(Result::ok)
            .map(|outcome| outcome.skipped)
            .filter(|skipped| !skipped.is_empty())
    };
    let may_bill = crate::use_permission(Permission::ManageBilling);
    let has_drafts = !run.preview && run.invoice_count > 0;
    let heading = if run.preview {
        t(Key::BillPreviewOf)
    } else {
        t(Key::BillRunOf)
    };
    view! {
        <h1>{heading}" "<Date date=run.run_date/></h1>
        <p><RunBadge run=run.clone()/></p>
        {(!run.error.is_empty()).then(|| view! { <div class="alert alert-error" role="alert">{t(Key::BillRunFailedNote)}</div> })}
        <dl class="facts">
            <div><dt>{t(Key::BillCustomers)}</dt><dd>{count(run.customers_total)}</dd></div>
            <div><dt>{t(Key::BillInvoices)}</dt><dd>{count(run.invoice_count)}</dd></div>
            <div><dt>{t(Key::BillLines)}</dt><dd>{count(run.line_count)}</dd></div>
            <div><dt>{t(Key::BillNet)}</dt><dd><Money amount=run.net_total currency=run.currency.clone()/></dd></div>
            <div><dt>{t(Key::BillGross)}</dt><dd><Money amount=run.gross_total currency=run.currency.clone()/></dd></div>
        </dl>
        {run.preview.then(|| view! { <p class="hint">{t(Key::BillPreviewNote)}</p> })}
        <Show when=move || may_bill.get() && has_drafts>
            <FormError result=issue.value()/>
            {move || skipped().map(|skipped| view! {
                <div class="alert alert-warn" role="alert">
                    <p>{t(Key::BillSkipped)}</p>
                    <ul>{skipped.into_iter().map(|s| view! {
                        <li><a href=format!("/invoices/{}", s.id)>{s.buyer_name}</a>": "{s.reason}</li>
                    }).collect_view()}</ul>
                </div>
            })}
            <div class="actions">
                <button type="button" class="button button-primary" disabled=move || issue.pending().get()
                    on:click=move |_| { issue.dispatch(IssueRun { run_id }); }>
                    {t(Key::BillIssueAll)}
                </button>
            </div>
        </Show>
        <h2>{t(Key::BillInvoices)}</h2>
        <InvoiceTable data=invoices/>
    }
}

/// The weekdays of a weekly schedule, ISO-numbered.
const WEEKDAYS: [Key; 7] = [
    Key::DayMonday,
    Key::DayTuesday,
    Key::DayWednesday,
    Key::DayThursday,
    Key::DayFriday,
    Key::DaySaturday,
    Key::DaySunday,
];

/// When runs happen by themselves, whether their drafts are issued at once, four-eyes for
/// credit notes, and the DATEV numbers.
#[component]
pub fn BillingSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_billing_settings());
    view! {
        <Title text=t(Key::BillSettingsTitle)/>
        <p><a href="/billing">"← "{t(Key::BillTitle)}</a></p>
        <h1>{t(Key::BillSettingsTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => view! { <SettingsForm current/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(current: BillingSettings) -> impl IntoView {
    use crate::domain::billing_schedule::Schedule;
    use crate::domain::datev::Chart;
    use crate::ui::form::{SelectField, TextField};
    let toasts = use_toasts();
    let schedule = RwSignal::new(current.schedule);
    let day = RwSignal::new(current.schedule_day);
    let next_run_on = RwSignal::new(current.next_run_on);
    let auto_issue = RwSignal::new(current.auto_issue);
    let approval = RwSignal::new(current.credit_note_approval);
    let consultant = RwSignal::new(current.datev_consultant);
    let client = RwSignal::new(current.datev_client);
    let chart = RwSignal::new(current.datev_chart);
    let fiscal = RwSignal::new(current.fiscal_year_start);
    let save = ServerAction::<SaveBillingSettings>::new();
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            next_run_on.set(saved.next_run_on);
            toasts.success(t(Key::Saved).to_owned());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveBillingSettings {
            input: BillingSettings {
                schedule: schedule.get_untracked(),
                schedule_day: day.get_untracked(),
                next_run_on: None,
                auto_issue: auto_issue.get_untracked(),
                credit_note_approval: approval.get_untracked(),
                datev_consultant: consultant.get_untracked(),
                datev_client: client.get_untracked(),
                datev_chart: chart.get_untracked(),
                fiscal_year_start: fiscal.get_untracked(),
            },
        });
    };
    let days = move || -> Vec<(u32, String)> {
        match schedule.get() {
            Schedule::Weekly => (1..=7u32)
                .zip(WEEKDAYS)
                .map(|(n, key)| (n, t(key).to_owned()))
                .collect(),
            Schedule::Monthly => (1..=28u32).map(|n| (n, format!("{n}."))).collect(),
            Schedule::Off | Schedule::Daily => Vec::new(),
        }
    };
    view! {
        <form class="stack" on:submit=submit novalidate=true>
            <section class="card stack" aria-labelledby="bs-schedule">
                <h2 id="bs-schedule">{t(Key::BillScheduleTitle)}</h2>
                <SelectField label=Key::BillSchedule name="schedule" value=schedule errors parse=Schedule::parse
                    options=vec![
                        (Schedule::Off, "off", Key::BillScheduleOff),
                        (Schedule::Daily, "daily", Key::BillScheduleDaily),
                        (Schedule::Weekly, "weekly", Key::BillScheduleWeekly),
                        (Schedule::Monthly, "monthly", Key::BillScheduleMonthly),
                    ]/>
                <Show when=move || !days().is_empty()>
                    <div class="field">
                        <label for="field-schedule_day">{t(Key::BillScheduleDay)}</label>
                        <select id="field-schedule_day" aria-describedby="field-schedule_day-error"
                            on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse() { day.set(n); } }>
                            {move || days().into_iter().map(|(n, label)| view! {
                                <option value=n.to_string() selected=move || day.get() == n>{label}</option>
                            }).collect_view()}
                        </select>
                        <FieldError errors field="schedule_day"/>
                    </div>
                </Show>
                <p class="hint">{move || match next_run_on.get() {
                    Some(date) => Key::BillNextRun.fill(use_lang(), &[("date", &crate::domain::format::date(date, use_lang()))]),
                    None => t(Key::BillNoSchedule).to_owned(),
                }}</p>
                <div class="field checkbox">
                    <label><input type="checkbox" bind:checked=auto_issue/>" "{t(Key::BillAutoIssue)}</label>
                    <p class="hint">{t(Key::BillAutoIssueHint)}</p>
                </div>
                <div class="field checkbox">
                    <label><input type="checkbox" bind:checked=approval/>" "{t(Key::BillFourEyes)}</label>
                    <p class="hint">{t(Key::BillFourEyesHint)}</p>
                </div>
            </section>
            <section class="card stack" aria-labelledby="bs-datev">
                <h2 id="bs-datev">{t(Key::BillDatevTitle)}</h2>
                <TextField label=t(Key::BillDatevConsultant) name="datev_consultant" value=consultant errors/>
                <TextField label=t(Key::BillDatevClient) name="datev_client" value=client errors/>
                <SelectField label=Key::BillDatevChart name="datev_chart" value=chart errors parse=Chart::parse
                    options=vec![(Chart::Skr03, "skr03", Key::BillSkr03), (Chart::Skr04, "skr04", Key::BillSkr04)]/>
                <div class="field">
                    <label for="field-fiscal_year_start">{t(Key::BillFiscalYearStart)}</label>
                    <select id="field-fiscal_year_start" aria-describedby="field-fiscal_year_start-error"
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse() { fiscal.set(n); } }>
                        {(1..=12u32).map(|n| view! {
                            <option value=n.to_string() selected=move || fiscal.get() == n>{format!("{n:02}")}</option>
                        }).collect_view()}
                    </select>
                    <FieldError errors field="fiscal_year_start"/>
                </div>
            </section>
            <FormError result=save.value()/>
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::Save)}</button>
        </form>
    }
}
