//! Project pages: the project manager's dashboard (lights, budgets, milestones, team
//! load; refreshed in place every minute and on every filter change), a project's page
//! with its budget, burn chart, work packages, tasks and milestones, and the settings.

use super::api::*;
use super::model::*;
use crate::domain::budget::{Budget, BurnPoint, Light};
use crate::domain::format::number;
use crate::i18n::{t, use_lang, Key, Lang};
use crate::inventory::model::LinkOption;
use crate::inventory::pages::CustomerPicker;
use crate::ui::form::{field_errors, FieldError, FormError, SelectField, TextField};
use crate::ui::table::{use_page_request, Pager, SearchBox, SortHeader};
use crate::ui::{Date, ErrorBox, Loading, Money, TrafficLight};
use crate::use_permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use rust_decimal::Decimal;
use uuid::Uuid;

/// The tenant's staff for pickers, loaded in the browser once the page is interactive
/// (options the server did not render would break hydration).
pub fn use_staff() -> Signal<Vec<Person>> {
    let load = Action::new(|_: &()| list_project_staff());
    Effect::new(move |_| {
        load.dispatch(());
    });
    Signal::derive(move || load.value().get().and_then(Result::ok).unwrap_or_default())
}

fn hours(value: Decimal, lang: Lang) -> String {
    format!("{} h", number(value, 2, lang))
}

fn percent(value: Option<Decimal>, lang: Lang) -> String {
    value.map_or_else(|| "–".to_owned(), |p| format!("{} %", number(p, 0, lang)))
}

/// A bar of how much of the plan is used; the figure is written next to it.
#[component]
fn UsedBar(budget: Budget) -> impl IntoView {
    let lang = use_lang();
    let used = budget.used_percent.unwrap_or_default();
    let width = used.min(Decimal::ONE_HUNDRED).round().to_string();
    let class = match budget.light {
        Some(Light::Red) => "used-bar used-red",
        Some(Light::Yellow) => "used-bar used-yellow",
        _ => "used-bar",
    };
    view! {
        <svg class=class viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width=width height="10"/></svg>
        <span class="num">{percent(budget.used_percent, lang)}</span>
    }
}

/// Why a light is what it is, in words.
fn cause_text(budget: &Budget, lang: Lang) -> String {
    use crate::domain::budget::Cause;
    match budget.cause {
        Some(Cause::BudgetUsed) => {
            Key::ProjCauseUsed.fill(lang, &[("percent", &percent(budget.used_percent, lang))])
        }
        Some(Cause::ForecastOverrun) => Key::ProjCauseForecast.fill(
            lang,
            &[("percent", &percent(budget.forecast_percent, lang))],
        ),
        None => String::new(),
    }
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let lang = use_lang();
    let request = use_page_request();
    let light = RwSignal::new(None::<Light>);
    let status = RwSignal::new(None::<ProjectStatus>);
    let manager = RwSignal::new(None::<Uuid>);
    let tick = RwSignal::new(0u32);
    let dashboard = Resource::new(
        move || {
            (
                ProjectFilter {
                    status: status.get(),
                    light: light.get(),
                    manager_id: manager.get(),
                    customer_id: None,
                },
                request.get(),
                tick.get(),
            )
        },
        |(filter, page, _)| load_project_dashboard(filter, page),
    );
    // budgets move while the team books time: refresh in place, never the whole page
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(60),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    let can_manage = use_permission(crate::domain::Permission::ManageProjects);
    // set in the browser only: counts the server did not render would break hydration
    let counts = RwSignal::new(None::<LightCounts>);
    Effect::new(move |_| {
        if let Some(Ok(board)) = dashboard.get() {
            counts.set(Some(board.lights));
        }
    });
    let managers = use_staff();
    let light_button = move |value: Option<Light>, key: Key, count: fn(&LightCounts) -> i64| {
        view! {
            <button type="button" class="filter-chip" aria-pressed=move || if light.get() == value { "true" } else { "false" }
                on:click=move |_| light.set(value)>
                {value.map(|l| view! { <TrafficLight light=Some(l)/> }.into_any()).unwrap_or_else(|| t(key).into_any())}
                " "
                <span class="count">{move || counts.get().map(|c| count(&c).to_string()).unwrap_or_default()}</span>
            </button>
        }
    };
    view! {
        <Title text=t(Key::ProjDashboardTitle)/>
        <div class="page-head">
            <h1>{t(Key::ProjDashboardTitle)}</h1>
            <div class="actions">
                <a class="button" href="/time">{t(Key::TimeTitle)}</a>
                <a class="button" href="/resources">{t(Key::ResTitle)}</a>
                {move || can_manage.get().then(|| view! {
                    <a class="button" href="/projects/report">{t(Key::ProjProfitNav)}</a>
                    <a class="button" href="/projects/settings">{t(Key::ProjSettingsTitle)}</a>
                    <a class="button button-primary" href="/projects/new">{t(Key::ProjNew)}</a>
                })}
            </div>
        </div>
        <div class="toolbar" role="group" aria-label=t(Key::ProjFilterLight)>
            {light_button(None, Key::ProjAllLights, |c| c.green + c.yellow + c.red)}
            {light_button(Some(Light::Red), Key::LightRed, |c| c.red)}
            {light_button(Some(Light::Yellow), Key::LightYellow, |c| c.yellow)}
            {light_button(Some(Light::Green), Key::LightGreen, |c| c.green)}
        </div>
        <div class="toolbar">
            <SearchBox label=t(Key::ProjSearch)/>
            <div class="field">
                <label for="filter-status">{t(Key::ProjStatus)}</label>
                <select id="filter-status" on:change=move |ev| status.set(ProjectStatus::parse(&event_target_value(&ev)))>
                    <option value="">{t(Key::ProjOpenOnes)}</option>
                    {ProjectStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{t(s.key())}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-manager">{t(Key::ProjManager)}</label>
                <select id="filter-manager" on:change=move |ev| manager.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                    <option value="">{t(Key::ProjAnyManager)}</option>
                    {move || managers.get().into_iter().map(|p| {
                        let id = p.id;
                        view! { <option value=id.to_string() selected=move || manager.get() == Some(id)>{p.name}</option> }
                    }).collect_view()}
                </select>
            </div>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(board) => view! { <DashboardView board lang/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DashboardView(board: Dashboard, lang: Lang) -> impl IntoView {
    let team = board.team;
    let utilization = (team.capacity_hours > Decimal::ZERO)
        .then(|| (team.logged_hours * Decimal::ONE_HUNDRED / team.capacity_hours).round_dp(0));
    let page = board.projects.clone();
    view! {
        <div class="dashboard-grid">
            <section aria-labelledby="proj-list" class="card">
                <h2 id="proj-list" class="visually-hidden">{t(Key::ProjDashboardTitle)}</h2>
                {if page.items.is_empty() {
                    view! { <crate::ui::EmptyState title=t(Key::ProjNone)/> }.into_any()
                } else {
                    view! {
                        <table class="table projects-table">
                            <thead><tr>
                                <SortHeader label=t(Key::ProjLight) column="light"/>
                                <SortHeader label=t(Key::ProjProject) column="number"/>
                                <SortHeader label=t(Key::ProjCustomer) column="customer"/>
                                <th scope="col" class="num">{t(Key::ProjHours)}</th>
                                <th scope="col">{t(Key::ProjBudgetUsed)}</th>
                                <th scope="col" class="num">{t(Key::ProjForecast)}</th>
                                <th scope="col">{t(Key::ProjNextMilestone)}</th>
                            </tr></thead>
                            <tbody>
                                {page.items.clone().into_iter().map(|p| {
                                    let cause = cause_text(&p.budget, lang);
                                    view! { <tr>
                                        <td><TrafficLight light=p.budget.light/>{(!cause.is_empty()).then(|| view! { <br/><span class="muted small">{cause}</span> })}</td>
                                        <td><a href=format!("/projects/{}", p.id)>{p.number.clone()}" · "{p.name.clone()}</a>
                                            <br/><span class="muted small">{t(p.billing.key())}{p.manager_name.clone().map(|m| format!(" · {m}"))}</span></td>
                                        <td><a href=format!("/customers/{}", p.customer_id)>{p.customer_name.clone()}</a></td>
                                        <td class="num">{number(p.budget.actual.hours, 1, lang)}" / "{number(p.budget.planned.hours, 1, lang)}</td>
                                        <td class="used-cell"><UsedBar budget=p.budget.clone()/></td>
                                        <td class="num">{percent(p.budget.forecast_percent, lang)}</td>
                                        <td>{p.next_milestone.clone().map(|m| view! { <MilestoneDueText milestone=m/> })}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager page=page.clone()/>
                    }.into_any()
                }}
            </section>
            <aside class="stack">
                <section class="card" aria-labelledby="proj-team">
                    <h2 id="proj-team">{t(Key::ProjTeamWeek)}</h2>
                    <dl class="facts">
                        <div><dt>{t(Key::ProjCapacity)}</dt><dd>{hours(team.capacity_hours, lang)}</dd></div>
                        <div><dt>{t(Key::ProjLogged)}</dt><dd>{hours(team.logged_hours, lang)}</dd></div>
                        <div><dt>{t(Key::ProjBillable)}</dt><dd>{hours(team.billable_hours, lang)}</dd></div>
                        <div><dt>{t(Key::ProjUtilization)}</dt><dd>{percent(utilization, lang)}</dd></div>
                    </dl>
                </section>
                <section class="card" aria-labelledby="proj-milestones">
                    <h2 id="proj-milestones">{t(Key::ProjUpcomingMilestones)}</h2>
                    {board.milestones.is_empty().then(|| view! { <p class="muted">{t(Key::ProjNoMilestones)}</p> })}
                    <ul class="plain-list">
                        {board.milestones.into_iter().map(|m| view! {
                            <li><a href=format!("/projects/{}", m.project_id)>{m.project_number.clone()}</a>" "{m.name.clone()}<br/><MilestoneDueText milestone=m/></li>
                        }).collect_view()}
                    </ul>
                </section>
            </aside>
        </div>
    }
}

/// "due 12.12.2026 · in 5 days" or "overdue by 3 days" (the server counted the days).
#[component]
fn MilestoneDueText(milestone: MilestoneDue) -> impl IntoView {
    let lang = use_lang();
    let days = milestone.days_left;
    let (class, text) = if days < 0 {
        (
            "badge badge-bad",
            Key::ProjOverdueDays.fill(lang, &[("days", &(-days).to_string())]),
        )
    } else {
        (
            "muted small",
            Key::ProjDueInDays.fill(lang, &[("days", &days.to_string())]),
        )
    };
    view! {
        <span class="small"><Date date=milestone.due_on/></span>" "<span class=class>{text}</span>
        {(milestone.status == MilestoneStatus::Reached).then(|| view! { " "<span class="badge badge-info">{t(Key::MilestoneReached)}</span> })}
    }
}

/// The project form, new or changed.
#[component]
fn ProjectForm(
    initial: ProjectInput,
    id: Option<Uuid>,
    customer: Option<LinkOption>,
) -> impl IntoView {
    let navigate = use_navigate();
    let customer_id = RwSignal::new(initial.customer_id);
    let name = RwSignal::new(initial.name.clone());
    let description = RwSignal::new(initial.description.clone());
    let billing = RwSignal::new(initial.billing);
    let status = RwSignal::new(initial.status);
    let manager_id = RwSignal::new(initial.manager_id);
    let starts_on = RwSignal::new(initial.starts_on.clone());
    let ends_on = RwSignal::new(initial.ends_on.clone());
    let budget_hours = RwSignal::new(initial.budget_hours.clone());
    let budget_amount = RwSignal::new(initial.budget_amount.clone());
    let hourly_rate = RwSignal::new(initial.hourly_rate.clone());
    let retainer_hours = RwSignal::new(initial.retainer_hours.clone());
    let retainer_fee = RwSignal::new(initial.retainer_fee.clone());
    let staff = use_staff();
    let create = ServerAction::<CreateProject>::new();
    let update = ServerAction::<UpdateProject>::new();
    let result = Signal::derive(move || match id {
        Some(_) => update
            .value()
            .get()
            .map(|r| r.map(|_| id.unwrap_or_default())),
        None => create.value().get(),
    });
    let errors = field_errors(result);
    Effect::new(move |_| {
        if let Some(Ok(project)) = result.get() {
            navigate(&format!("/projects/{project}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ProjectInput {
            customer_id: customer_id.get_untracked(),
            name: name.get_untracked(),
            description: description.get_untracked(),
            billing: billing.get_untracked(),
            status: status.get_untracked(),
            manager_id: manager_id.get_untracked(),
            starts_on: starts_on.get_untracked(),
            ends_on: ends_on.get_untracked(),
            budget_hours: budget_hours.get_untracked(),
            budget_amount: budget_amount.get_untracked(),
            hourly_rate: hourly_rate.get_untracked(),
            retainer_hours: retainer_hours.get_untracked(),
            retainer_fee: retainer_fee.get_untracked(),
        };
        match id {
            Some(id) => {
                update.dispatch(UpdateProject { id, input });
            }
            None => {
                create.dispatch(CreateProject { input });
            }
        }
    };
    let billing_options = ProjectBilling::ALL
        .into_iter()
        .map(|b| (b, b.as_str(), b.key()))
        .collect();
    let status_options = ProjectStatus::ALL
        .into_iter()
        .map(|s| (s, s.as_str(), s.key()))
        .collect();
    view! {
        <form class="card stack" on:submit=submit novalidate>
            {id.is_none().then(|| view! { <CustomerPicker value=customer_id initial=customer.clone() errors/> })}
            <TextField label=t(Key::ProjName) name="name" value=name errors required=true/>
            <div class="grid-2">
                <SelectField label=Key::ProjBilling name="billing" value=billing options=billing_options parse=ProjectBilling::parse errors/>
                <SelectField label=Key::ProjStatus name="status" value=status options=status_options parse=ProjectStatus::parse errors/>
            </div>
            <div class="field">
                <label for="field-manager_id">{t(Key::ProjManager)}</label>
                <select id="field-manager_id" aria-describedby="field-manager_id-error"
                    on:change=move |ev| manager_id.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                    <option value="">{t(Key::ProjNoManager)}</option>
                    {move || staff.get().into_iter().map(|p| {
                        let pid = p.id;
                        view! { <option value=pid.to_string() selected=move || manager_id.get() == Some(pid)>{p.name}</option> }
                    }).collect_view()}
                </select>
                <FieldError errors field="manager_id"/>
            </div>
            <div class="grid-2">
                <TextField label=t(Key::ProjStartsOn) name="starts_on" value=starts_on errors kind="date"/>
                <TextField label=t(Key::ProjEndsOn) name="ends_on" value=ends_on errors kind="date"/>
            </div>
            <div class="grid-2">
                <TextField label=t(Key::ProjBudgetHours) name="budget_hours" value=budget_hours errors hint=t(Key::ProjBudgetHint)/>
                <TextField label=t(Key::ProjBudgetAmount) name="budget_amount" value=budget_amount errors/>
            </div>
            <TextField label=t(Key::ProjHourlyRate) name="hourly_rate" value=hourly_rate errors hint=t(Key::ProjRateHint)/>
            {move || (billing.get() == ProjectBilling::Retainer).then(|| view! {
                <div class="grid-2">
                    <TextField label=t(Key::ProjRetainerHours) name="retainer_hours" value=retainer_hours errors/>
                    <TextField label=t(Key::ProjRetainerFee) name="retainer_fee" value=retainer_fee errors/>
                </div>
            })}
            <div class="field">
                <label for="field-description">{t(Key::ProjDescription)}</label>
                <textarea id="field-description" rows="3" bind:value=description></textarea>
                <FieldError errors field="description"/>
            </div>
            <FormError result/>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get() || update.pending().get()>{t(Key::Save)}</button>
            </div>
        </form>
    }
}

#[component]
pub fn NewProjectPage() -> impl IntoView {
    view! {
        <Title text=t(Key::ProjNew)/>
        <h1>{t(Key::ProjNew)}</h1>
        <ProjectForm initial=ProjectInput::default() id=None customer=None/>
    }
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let version = RwSignal::new(0u32);
    let project = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_project(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(detail) => view! { <ProjectView detail version/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectView(detail: ProjectDetail, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let can_manage = use_permission(crate::domain::Permission::ManageProjects);
    let editing = RwSignal::new(false);
    let currency = detail.currency.clone();
    let budget = detail.budget.clone();
    let title = format!("{} · {}", detail.number, detail.input.name);
    let cause = cause_text(&budget, lang);
    let customer = LinkOption {
        id: detail.customer_id,
        label: detail.customer_name.clone(),
    };
    let input = detail.input.clone();
    let id = detail.id;
    let can_bill = use_permission(crate::domain::Permission::ManageBilling);
    let billing_detail = detail.clone();
    view! {
        <Title text=title.clone()/>
        <div class="page-head">
            <div>
                <p class="muted"><a href="/projects">{t(Key::ProjDashboardTitle)}</a>" › "<a href=format!("/customers/{}", detail.customer_id)>{detail.customer_name.clone()}</a></p>
                <h1>{title}</h1>
                <p><TrafficLight light=budget.light/>" "<span class="muted">{cause}</span>" · "{t(detail.input.billing.key())}" · "{t(detail.input.status.key())}
                    {detail.manager.clone().map(|m| format!(" · {}: {}", t(Key::ProjManager), m.name))}</p>
            </div>
            <div class="actions">
                <a class="button" href=format!("/time?project={id}")>{t(Key::TimeBook)}</a>
                {move || can_manage.get().then(|| view! {
                    <button type="button" class="button" aria-expanded=move || editing.get().to_string() on:click=move |_| editing.update(|e| *e = !*e)>{t(Key::Edit)}</button>
                })}
            </div>
        </div>
        {move || editing.get().then(|| view! { <ProjectForm initial=input.clone() id=Some(id) customer=Some(customer.clone())/> })}
        <dl class="facts figures">
            <div><dt>{t(Key::ProjHoursActualPlanned)}</dt><dd>{number(budget.actual.hours, 1, lang)}" / "{number(budget.planned.hours, 1, lang)}</dd></div>
            <div><dt>{t(Key::ProjAmountActualPlanned)}</dt><dd><Money amount=budget.actual.amount currency=currency.clone()/>" / "<Money amount=budget.planned.amount currency=currency.clone()/></dd></div>
            <div><dt>{t(Key::ProjProgress)}</dt><dd>{format!("{} %", number(budget.progress, 0, lang))}</dd></div>
            <div><dt>{t(Key::ProjForecastHours)}</dt><dd>{hours(budget.forecast.hours, lang)}" ("{percent(budget.forecast_percent, lang)}")"</dd></div>
            <div><dt>{t(Key::ProjUnbilled)}</dt><dd>{hours(detail.unbilled_hours, lang)}" · "<Money amount=detail.unbilled_amount currency=currency.clone()/></dd></div>
        </dl>
        {detail.earned_value.map(|ev| view! {
            <section class="card" aria-labelledby="proj-ev">
                <h2 id="proj-ev">{t(Key::ProjEarnedValue)}</h2>
                <dl class="facts figures">
                    <div><dt><abbr title=t(Key::ProjPvLong)>"PV"</abbr></dt><dd><Money amount=ev.pv currency=currency.clone()/></dd></div>
                    <div><dt><abbr title=t(Key::ProjEvLong)>"EV"</abbr></dt><dd><Money amount=ev.ev currency=currency.clone()/></dd></div>
                    <div><dt><abbr title=t(Key::ProjAcLong)>"AC"</abbr></dt><dd><Money amount=ev.ac currency=currency.clone()/></dd></div>
                    <div><dt><abbr title=t(Key::ProjCpiLong)>"CPI"</abbr></dt><dd>{ev.cpi.map_or("–".to_owned(), |v| number(v, 2, lang))}</dd></div>
                    <div><dt><abbr title=t(Key::ProjSpiLong)>"SPI"</abbr></dt><dd>{ev.spi.map_or("–".to_owned(), |v| number(v, 2, lang))}</dd></div>
                    <div><dt><abbr title=t(Key::ProjEacLong)>"EAC"</abbr></dt><dd>{ev.eac.map_or("–".to_owned(), |v| crate::domain::format::money(v, &currency, lang))}</dd></div>
                </dl>
            </section>
        })}
        <section class="card" aria-labelledby="proj-burn">
            <h2 id="proj-burn">{t(Key::ProjBurnChart)}</h2>
            <BurnChart points=detail.burn.clone() planned=budget.planned.hours/>
        </section>
        <WorkPackages detail=detail.clone() version/>
        <Milestones detail=detail.clone() version/>
        {move || can_bill.get().then(|| view! { <BillingCard detail=billing_detail.clone()/> })}
    }
}

const BURN_WIDTH: i32 = 720;
const BURN_HEIGHT: i32 = 220;
const BURN_PAD: i32 = 30;

fn scale(value: Decimal, max: Decimal, room: i32) -> i32 {
    if max <= Decimal::ZERO {
        return 0;
    }
    (value.max(Decimal::ZERO) / max * Decimal::from(room))
        .round()
        .to_string()
        .parse::<i32>()
        .unwrap_or(0)
}

/// Hours spent per week, cumulated, against the planned hours (the dashed line); each
/// week's point is focusable and names its figures.
#[component]
fn BurnChart(points: Vec<BurnPoint>, planned: Decimal) -> impl IntoView {
    let lang = use_lang();
    if points.is_empty() {
        return view! { <p class="muted">{t(Key::ProjNoTimeYet)}</p> }.into_any();
    }
    let max = points
        .iter()
        .map(|p| p.spent)
        .max()
        .unwrap_or_default()
        .max(planned);
    let room_y = BURN_HEIGHT - 2 * BURN_PAD;
    let count = i32::try_from(points.len()).unwrap_or(1);
    let step = (BURN_WIDTH - 2 * BURN_PAD) / count.max(2).saturating_sub(1).max(1);
    let y = move |value: Decimal| BURN_HEIGHT - BURN_PAD - scale(value, max, room_y);
    let x = move |index: usize| BURN_PAD + i32::try_from(index).unwrap_or(0) * step;
    let line: String = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", x(i), y(p.spent)))
        .collect::<Vec<_>>()
        .join(" ");
    let plan_y = y(planned);
    let label = t(Key::ProjBurnChart);
    view! {
        <svg class="chart burn-chart" viewBox=format!("0 0 {BURN_WIDTH} {BURN_HEIGHT}") role="img" aria-label=label>
            <line x1=BURN_PAD x2=BURN_WIDTH - BURN_PAD y1=BURN_HEIGHT - BURN_PAD y2=BURN_HEIGHT - BURN_PAD class="chart-axis"/>
            <line x1=BURN_PAD x2=BURN_WIDTH - BURN_PAD y1=plan_y y2=plan_y class="chart-plan"/>
            <text x=BURN_WIDTH - BURN_PAD y=plan_y - 6 text-anchor="end" class="chart-label">{format!("{}: {}", t(Key::ProjPlan), hours(planned, lang))}</text>
            <polyline points=line class="chart-line"/>
            {points.into_iter().enumerate().map(|(i, p)| {
                let described = format!("{} {}: {} {}, {} {}", t(Key::ProjWeekOf), crate::domain::format::date(p.week, lang), hours(p.spent, lang), t(Key::ProjSpent), hours(p.remaining, lang), t(Key::ProjRemaining));
                let tooltip = described.clone();
                let over = p.spent > planned && planned > Decimal::ZERO;
                view! {
                    <g class="chart-point" class:chart-over=over tabindex="0" aria-label=described>
                        <title>{tooltip}</title>
                        {if over {
                            view! { <rect x=x(i) - 5 y=y(p.spent) - 5 width="10" height="10"/> }.into_any()
                        } else {
                            view! { <circle cx=x(i) cy=y(p.spent) r="5"/> }.into_any()
                        }}
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

#[component]
fn WorkPackages(detail: ProjectDetail, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let can_manage = use_permission(crate::domain::Permission::ManageProjects);
    let project_id = detail.id;
    let team = detail.team.clone();
    let packages = detail.work_packages.clone();
    let unassigned = detail.unassigned.clone();
    view! {
        <section class="card" aria-labelledby="proj-packages">
            <h2 id="proj-packages">{t(Key::ProjWorkPackages)}</h2>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t(Key::ProjWorkPackage)}</th>
                    <th scope="col">{t(Key::ProjLight)}</th>
                    <th scope="col" class="num">{t(Key::ProjHours)}</th>
                    <th scope="col">{t(Key::ProjBudgetUsed)}</th>
                    <th scope="col" class="num">{t(Key::ProjProgress)}</th>
                    <th scope="col" class="num">{t(Key::ProjForecast)}</th>
                </tr></thead>
                <tbody>
                    {packages.iter().map(|w| view! { <tr>
                        <th scope="row">{w.name.clone()}</th>
                        <td><TrafficLight light=w.budget.light/></td>
                        <td class="num">{number(w.budget.actual.hours, 1, lang)}" / "{number(w.budget.planned.hours, 1, lang)}</td>
                        <td class="used-cell"><UsedBar budget=w.budget.clone()/></td>
                        <td class="num">{format!("{} %", number(w.budget.progress, 0, lang))}</td>
                        <td class="num">{percent(w.budget.forecast_percent, lang)}</td>
                    </tr> }).collect_view()}
                    {(unassigned.actual.hours > Decimal::ZERO).then(|| view! { <tr>
                        <th scope="row" class="muted">{t(Key::ProjNoWorkPackage)}</th>
                        <td></td>
                        <td class="num">{number(unassigned.actual.hours, 1, lang)}</td>
                        <td></td><td></td><td></td>
                    </tr> })}
                </tbody>
            </table>
            {move || can_manage.get().then(|| view! { <WorkPackageForm project_id version/> })}
        </section>
        <section class="card" aria-labelledby="proj-tasks">
            <h2 id="proj-tasks">{t(Key::ProjTasks)}</h2>
            {packages.iter().map(|w| {
                let tasks = w.tasks.clone();
                view! {
                    <h3>{w.name.clone()}</h3>
                    {tasks.is_empty().then(|| view! { <p class="muted">{t(Key::ProjNoTasks)}</p> })}
                    <ul class="task-list">
                        {tasks.into_iter().map(|task| view! { <TaskItem task version/> }).collect_view()}
                    </ul>
                }
            }).collect_view()}
            {move || can_manage.get().then(|| view! { <TaskForm project_id packages=packages.iter().map(|w| (w.id, w.name.clone())).collect() team=team.clone() version/> })}
        </section>
    }
}

#[component]
fn TaskItem(task: Task, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let set_status = ServerAction::<SetTaskStatus>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = set_status.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let id = task.id;
    let done = task.status == TaskStatus::Done;
    let checkbox_id = format!("task-{id}");
    view! {
        <li class:subtask=task.parent_id.is_some() class:done=done>
            <input type="checkbox" id=checkbox_id.clone() checked=done
                on:change=move |ev| {
                    let status = if event_target_checked(&ev) { TaskStatus::Done } else { TaskStatus::Open };
                    set_status.dispatch(SetTaskStatus { id, status });
                }/>
            <label for=checkbox_id>{task.title.clone()}</label>
            <span class="muted small">
                {task.estimate_hours.map(|h| format!(" · {}", hours(h, lang)))}
                {task.assignee.clone().map(|a| format!(" · {}", a.name))}
                " · "{t(task.status.key())}
            </span>
            <FormError result=set_status.value()/>
        </li>
    }
}

#[component]
fn WorkPackageForm(project_id: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let planned_hours = RwSignal::new(String::new());
    let planned_amount = RwSignal::new(String::new());
    let progress = RwSignal::new(String::new());
    let save = ServerAction::<SaveWorkPackage>::new();
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveWorkPackage {
            project_id,
            id: None,
            input: WorkPackageInput {
                name: name.get_untracked(),
                planned_hours: planned_hours.get_untracked(),
                planned_amount: planned_amount.get_untracked(),
                progress: progress.get_untracked(),
                ..WorkPackageInput::default()
            },
        });
    };
    view! {
        <details class="inline-form">
            <summary>{t(Key::ProjAddWorkPackage)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <TextField label=t(Key::ProjName) name="name" value=name errors required=true/>
                <div class="grid-3">
                    <TextField label=t(Key::ProjPlannedHours) name="planned_hours" value=planned_hours errors/>
                    <TextField label=t(Key::ProjPlannedAmount) name="planned_amount" value=planned_amount errors/>
                    <TextField label=t(Key::ProjProgressPercent) name="progress" value=progress errors/>
                </div>
                <FormError result=save.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}

#[component]
fn TaskForm(
    project_id: Uuid,
    packages: Vec<(Uuid, String)>,
    team: Vec<Person>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let estimate = RwSignal::new(String::new());
    let package = RwSignal::new(packages.first().map(|p| p.0));
    let assignee = RwSignal::new(None::<Uuid>);
    let add = ServerAction::<AddTask>::new();
    let errors = field_errors(add.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddTask {
            project_id,
            input: TaskInput {
                work_package_id: package.get_untracked(),
                title: title.get_untracked(),
                estimate_hours: estimate.get_untracked(),
                assignee_id: assignee.get_untracked(),
                ..TaskInput::default()
            },
        });
    };
    view! {
        <details class="inline-form">
            <summary>{t(Key::ProjAddTask)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <TextField label=t(Key::ProjTaskTitle) name="title" value=title errors required=true/>
                <div class="grid-3">
                    <div class="field">
                        <label for="task-package">{t(Key::ProjWorkPackage)}</label>
                        <select id="task-package" on:change=move |ev| package.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            {packages.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError errors field="work_package_id"/>
                    </div>
                    <TextField label=t(Key::ProjEstimateHours) name="estimate_hours" value=estimate errors/>
                    <div class="field">
                        <label for="task-assignee">{t(Key::ProjAssignee)}</label>
                        <select id="task-assignee" on:change=move |ev| assignee.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            <option value="">{t(Key::ProjNobody)}</option>
                            {team.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError errors field="assignee_id"/>
                    </div>
                </div>
                <FormError result=add.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}

#[component]
fn Milestones(detail: ProjectDetail, version: RwSignal<u32>) -> impl IntoView {
    let can_manage = use_permission(crate::domain::Permission::ManageProjects);
    let currency = detail.currency.clone();
    let project_id = detail.id;
    let can_bill = use_permission(crate::domain::Permission::ManageBilling);
    let reached = ServerAction::<ReportMilestoneReached>::new();
    let accepted = ServerAction::<RecordMilestoneAcceptance>::new();
    let bill = ServerAction::<BillProjectMilestone>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(invoice)) = bill.value().get() {
            navigate(&format!("/invoices/{invoice}"), Default::default());
        }
    });
    Effect::new(move |_| {
        if matches!(reached.value().get(), Some(Ok(())))
            || matches!(accepted.value().get(), Some(Ok(())))
        {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="proj-milestones">
            <h2 id="proj-milestones">{t(Key::ProjMilestones)}</h2>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t(Key::ProjName)}</th>
                    <th scope="col">{t(Key::ProjDueOn)}</th>
                    <th scope="col" class="num">{t(Key::ProjAmount)}</th>
                    <th scope="col">{t(Key::ProjStatus)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    {detail.milestones.is_empty().then(|| view! { <tr><td colspan="5" class="muted">{t(Key::ProjNoMilestones)}</td></tr> })}
                    {detail.milestones.iter().cloned().map(|m| {
                        let id = m.id;
                        view! { <tr>
                            <th scope="row">{m.name.clone()}</th>
                            <td><Date date=m.due_on/></td>
                            <td class="num">{m.amount.map(|a| view! { <Money amount=a currency=currency.clone()/> })}</td>
                            <td>{t(m.status.key())}{m.accepted.clone().map(|(at, by)| view! { <br/><span class="muted small">{by}" · "<crate::ui::LocalTime value=at/></span> })}</td>
                            <td>{move || can_manage.get().then(|| match m.status {
                                MilestoneStatus::Open => view! { <button type="button" class="button" on:click=move |_| { reached.dispatch(ReportMilestoneReached { id }); }>{t(Key::MilestoneMarkReached)}</button> }.into_any(),
                                MilestoneStatus::Reached => view! { <button type="button" class="button" on:click=move |_| { accepted.dispatch(RecordMilestoneAcceptance { id }); }>{t(Key::MilestoneRecordAcceptance)}</button> }.into_any(),
                                MilestoneStatus::Accepted => ().into_any(),
                            })}
                            {match m.invoice_id {
                                Some(invoice) => view! { " "<a href=format!("/invoices/{invoice}")>{m.invoice_number.clone().unwrap_or_else(|| t(Key::ProjInvoice).to_owned())}</a> }.into_any(),
                                None => {
                                    let billable = m.status != MilestoneStatus::Open && m.amount.is_some_and(|a| a > Decimal::ZERO);
                                    (move || (billable && can_bill.get()).then(|| view! {
                                        " "<button type="button" class="button" on:click=move |_| { bill.dispatch(BillProjectMilestone { id }); }>{t(Key::ProjBillMilestone)}</button>
                                    })).into_any()
                                }
                            }}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <FormError result=reached.value()/>
            <FormError result=accepted.value()/>
            <FormError result=bill.value()/>
            {move || can_manage.get().then(|| view! { <MilestoneForm project_id version/> })}
        </section>
    }
}

#[component]
fn MilestoneForm(project_id: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let due_on = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let add = ServerAction::<AddMilestone>::new();
    let errors = field_errors(add.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddMilestone {
            project_id,
            input: MilestoneInput {
                name: name.get_untracked(),
                due_on: due_on.get_untracked(),
                amount: amount.get_untracked(),
            },
        });
    };
    view! {
        <details class="inline-form">
            <summary>{t(Key::ProjAddMilestone)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <div class="grid-3">
                    <TextField label=t(Key::ProjName) name="name" value=name errors required=true/>
                    <TextField label=t(Key::ProjDueOn) name="due_on" value=due_on errors kind="date" required=true/>
                    <TextField label=t(Key::ProjAmount) name="amount" value=amount errors/>
                </div>
                <FormError result=add.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_project_settings());
    view! {
        <Title text=t(Key::ProjSettingsTitle)/>
        <h1>{t(Key::ProjSettingsTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForm settings/> <crate::projects::roles::JobRolesCard/> <crate::projects::team::TeamCard/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(settings: ProjectSettings) -> impl IntoView {
    use crate::domain::durations::RoundingMode;
    use crate::domain::holidays::FederalState;
    let decimal = |value: Decimal| value.normalize().to_string().replace('.', ",");
    let yellow_at = RwSignal::new(decimal(settings.thresholds.yellow_at));
    let red_at = RwSignal::new(decimal(settings.thresholds.red_at));
    let tolerance = RwSignal::new(decimal(settings.thresholds.forecast_tolerance));
    let default_rate = RwSignal::new(decimal(settings.default_rate));
    let step = RwSignal::new(settings.rounding.step_minutes);
    let mode = RwSignal::new(settings.rounding.mode);
    let state = RwSignal::new(settings.federal_state.clone());
    let locked = RwSignal::new(
        settings
            .time_locked_until
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let save = ServerAction::<SaveProjectSettings>::new();
    let errors = field_errors(save.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveProjectSettings {
            input: ProjectSettingsInput {
                yellow_at: yellow_at.get_untracked(),
                red_at: red_at.get_untracked(),
                forecast_tolerance: tolerance.get_untracked(),
                default_rate: default_rate.get_untracked(),
                rounding_step: step.get_untracked(),
                rounding_mode: mode.get_untracked().as_str().to_owned(),
                federal_state: state.get_untracked(),
                time_locked_until: locked.get_untracked(),
            },
        });
    };
    let modes = vec![
        (RoundingMode::Up, RoundingMode::Up.as_str(), Key::RoundUp),
        (
            RoundingMode::Nearest,
            RoundingMode::Nearest.as_str(),
            Key::RoundNearest,
        ),
        (
            RoundingMode::Down,
            RoundingMode::Down.as_str(),
            Key::RoundDown,
        ),
    ];
    view! {
        <form class="card stack" on:submit=submit novalidate>
            <fieldset>
                <legend>{t(Key::ProjThresholds)}</legend>
                <p class="hint">{t(Key::ProjThresholdsHint)}</p>
                <div class="grid-3">
                    <TextField label=t(Key::ProjYellowAt) name="yellow_at" value=yellow_at errors/>
                    <TextField label=t(Key::ProjRedAt) name="red_at" value=red_at errors/>
                    <TextField label=t(Key::ProjForecastTolerance) name="forecast_tolerance" value=tolerance errors/>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t(Key::ProjTimeRules)}</legend>
                <div class="grid-3">
                    <TextField label=t(Key::ProjDefaultRate) name="default_rate" value=default_rate errors hint=t(Key::ProjDefaultRateHint)/>
                    <div class="field">
                        <label for="field-rounding_step">{t(Key::ProjRoundingStep)}</label>
                        <select id="field-rounding_step" on:change=move |ev| step.set(event_target_value(&ev).parse().unwrap_or(1))>
                            {[1u32, 5, 6, 10, 15, 30, 60].into_iter().map(|m| view! {
                                <option value=m.to_string() selected=move || step.get() == m>{if m == 1 { t(Key::ProjNoRounding).to_owned() } else { format!("{m} min") }}</option>
                            }).collect_view()}
                        </select>
                        <FieldError errors field="rounding_step"/>
                    </div>
                    <SelectField label=Key::ProjRoundingMode name="rounding_mode" value=mode options=modes parse=RoundingMode::parse errors/>
                </div>
                <div class="grid-2">
                    <div class="field">
                        <label for="field-federal_state">{t(Key::ProjFederalState)}</label>
                        <select id="field-federal_state" on:change=move |ev| state.set(event_target_value(&ev))>
                            {FederalState::ALL.into_iter().map(|s| view! {
                                <option value=s.code() selected=move || state.get() == s.code()>{s.name()}</option>
                            }).collect_view()}
                        </select>
                        <FieldError errors field="federal_state"/>
                    </div>
                    <TextField label=t(Key::ProjLockedUntil) name="time_locked_until" value=locked errors kind="date" hint=t(Key::ProjLockedUntilHint)/>
                </div>
            </fieldset>
            <FormError result=save.value()/>
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="alert alert-ok" role="status">{t(Key::Saved)}</p> })}
            <div class="actions"><button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::Save)}</button></div>
        </form>
    }
}

/// Billing a project: its time up to a day, a retainer month, milestones (in their table).
/// Each makes an invoice draft and opens it.
#[component]
fn BillingCard(detail: ProjectDetail) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let project_id = detail.id;
    let until = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let bill_time = ServerAction::<BillProjectTime>::new();
    let bill_month = ServerAction::<BillProjectRetainer>::new();
    Effect::new(move |_| {
        let made = bill_time.value().get().or_else(|| bill_month.value().get());
        if let Some(Ok(invoice)) = made {
            navigate(&format!("/invoices/{invoice}"), Default::default());
        }
    });
    let time_errors = field_errors(bill_time.value());
    let month_errors = field_errors(bill_month.value());
    let billing = detail.input.billing;
    view! {
        <section class="card" aria-labelledby="proj-billing">
            <h2 id="proj-billing">{t(Key::ProjBillingTitle)}</h2>
            <p>{t(Key::ProjUnbilled)}": "{hours(detail.unbilled_hours, lang)}" · "<Money amount=detail.unbilled_amount currency=detail.currency.clone()/></p>
            {match billing {
                ProjectBilling::TimeAndMaterial => view! {
                    <form class="inline-form wrap-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        bill_time.dispatch(BillProjectTime { project_id, until: until.get_untracked() });
                    } novalidate>
                        <TextField label=t(Key::ProjBillUntil) name="until" value=until errors=time_errors kind="date" hint=t(Key::ProjBillUntilHint)/>
                        <button type="submit" class="button button-primary" disabled=move || bill_time.pending().get()>{t(Key::ProjBillTime)}</button>
                    </form>
                    <FormError result=bill_time.value()/>
                }.into_any(),
                ProjectBilling::Retainer => view! {
                    <form class="inline-form wrap-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        bill_month.dispatch(BillProjectRetainer { project_id, month: month.get_untracked() });
                    } novalidate>
                        <TextField label=t(Key::ProjBillMonth) name="month" value=month errors=month_errors kind="month"/>
                        <button type="submit" class="button button-primary" disabled=move || bill_month.pending().get()>{t(Key::ProjBillRetainer)}</button>
                    </form>
                    <FormError result=bill_month.value()/>
                }.into_any(),
                ProjectBilling::FixedPrice => view! { <p class="muted">{t(Key::ProjFixedPriceBilling)}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn ProfitPage() -> impl IntoView {
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let period = RwSignal::new((String::new(), String::new()));
    let report = Resource::new(
        move || period.get(),
        |(from, to)| load_profit_report(from, to),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        period.set((from.get_untracked(), to.get_untracked()));
    };
    view! {
        <Title text=t(Key::ProjProfitTitle)/>
        <h1>{t(Key::ProjProfitTitle)}</h1>
        <form class="card stack" on:submit=submit novalidate>
            <div class="grid-2">
                <TextField label=t(Key::AccFrom) name="from" value=from errors=crate::error::FieldErrors::default() kind="date" hint=t(Key::ProjProfitHint)/>
                <TextField label=t(Key::AccTo) name="to" value=to errors=crate::error::FieldErrors::default() kind="date"/>
            </div>
            <div class="actions"><button type="submit" class="button button-primary">{t(Key::ProjShow)}</button></div>
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <ProfitView report/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfitView(report: ProfitReport) -> impl IntoView {
    let lang = use_lang();
    let currency = report.currency.clone();
    let signed = move |value: Decimal| {
        let text = crate::domain::format::money(value, &currency, lang);
        view! { <span class="num" class:negative=value < Decimal::ZERO>{text}</span> }
    };
    view! {
        <p class="muted"><Date date=report.from/>" – "<Date date=report.to/></p>
        <table class="table">
            <caption>{t(Key::ProjProfitByProject)}</caption>
            <thead><tr>
                <th scope="col">{t(Key::ProjProject)}</th><th scope="col">{t(Key::ProjCustomer)}</th>
                <th scope="col" class="num">{t(Key::ProjRevenue)}</th><th scope="col" class="num">{t(Key::TimeHours)}</th>
                <th scope="col" class="num">{t(Key::ProjCost)}</th><th scope="col" class="num">{t(Key::ProjProfit)}</th>
            </tr></thead>
            <tbody>
                {report.projects.is_empty().then(|| view! { <tr><td colspan="6" class="muted">{t(Key::ProjNoFigures)}</td></tr> })}
                {report.projects.iter().map(|p| view! { <tr>
                    <th scope="row"><a href=format!("/projects/{}", p.project_id)>{p.label.clone()}</a></th>
                    <td>{p.customer_name.clone()}</td>
                    <td class="num">{signed(p.revenue)}</td>
                    <td class="num">{number(p.hours, 2, lang)}</td>
                    <td class="num">{signed(p.cost)}</td>
                    <td class="num">{signed(p.profit)}</td>
                </tr> }).collect_view()}
            </tbody>
        </table>
        <div class="grid-2">
            <table class="table">
                <caption>{t(Key::ProjProfitByCustomer)}</caption>
                <thead><tr><th scope="col">{t(Key::ProjCustomer)}</th><th scope="col" class="num">{t(Key::ProjRevenue)}</th>
                    <th scope="col" class="num">{t(Key::ProjCost)}</th><th scope="col" class="num">{t(Key::ProjProfit)}</th></tr></thead>
                <tbody>{report.customers.iter().map(|c| view! { <tr>
                    <th scope="row"><a href=format!("/customers/{}", c.customer_id)>{c.customer_name.clone()}</a></th>
                    <td class="num">{signed(c.revenue)}</td><td class="num">{signed(c.cost)}</td><td class="num">{signed(c.profit)}</td>
                </tr> }).collect_view()}</tbody>
            </table>
            <table class="table">
                <caption>{t(Key::ProjPayouts)}</caption>
                <thead><tr><th scope="col">{t(Key::TimePerson)}</th><th scope="col" class="num">{t(Key::TimeHours)}</th>
                    <th scope="col" class="num">{t(Key::ProjBillable)}</th><th scope="col" class="num">{t(Key::ProjPayout)}</th></tr></thead>
                <tbody>{report.payouts.iter().map(|p| view! { <tr>
                    <th scope="row">{p.person.name.clone()}</th>
                    <td class="num">{number(p.hours, 2, lang)}</td><td class="num">{number(p.billable_hours, 2, lang)}</td>
                    <td class="num">{signed(p.amount)}</td>
                </tr> }).collect_view()}</tbody>
            </table>
        </div>
    }
}
