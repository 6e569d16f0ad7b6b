//! The resource plan: a heatmap of everyone's load per week (the figure and a shape in
//! every cell, hatching for overbooking), reached with the arrow keys; Enter or a click
//! opens the person: stacked bars of their projects per week against capacity, their
//! assignments and absences. Assignments are dragged onto another person or week to
//! reassign or reschedule them, or moved with buttons from the keyboard.

use super::api::*;
use super::model::*;
use crate::domain::capacity::Load;
use crate::domain::format::{date, number};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::ui::form::{field_errors, FieldError, FormError, TextField};
use crate::ui::{ErrorBox, Loading};
use chrono::{Datelike, Days, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::Decimal;
use uuid::Uuid;

const WEEKS: u32 = 12;
const NAME_WIDTH: i32 = 170;
const CELL_WIDTH: i32 = 64;
const CELL_HEIGHT: i32 = 34;
const HEAD: i32 = 28;

fn load_class(load: Load) -> &'static str {
    match load {
        Load::Free => "load-free",
        Load::Partly => "load-partly",
        Load::Full => "load-full",
        Load::Overbooked => "load-over",
    }
}

fn load_key(load: Load) -> Key {
    match load {
        Load::Free => Key::ResFree,
        Load::Partly => Key::ResPartly,
        Load::Full => Key::ResFull,
        Load::Overbooked => Key::ResOverbooked,
    }
}

fn hours(value: Decimal, lang: Lang) -> String {
    format!("{} h", number(value.round_dp(1), 1, lang))
}

fn week_name(monday: NaiveDate, lang: Lang) -> String {
    Key::ResWeekShort.fill(lang, &[("week", &monday.iso_week().week().to_string())])
}

/// What a heatmap cell says, for screen readers and the tooltip.
fn describe(person: &str, load: &WeekLoad, lang: Lang) -> String {
    let mut text = Key::ResCellText.fill(
        lang,
        &[
            ("person", person),
            ("week", &week_name(load.week, lang)),
            ("from", &date(load.week, lang)),
            ("planned", &hours(load.planned, lang)),
            ("capacity", &hours(load.capacity, lang)),
            (
                "percent",
                &load
                    .utilization
                    .map_or("–".to_owned(), |p| format!("{} %", number(p, 0, lang))),
            ),
            ("load", load_key(load.load).text(lang)),
        ],
    );
    if !load.days_off.is_empty() {
        text.push_str(&format!(" ({})", load.days_off.join(", ")));
    }
    text
}

#[component]
pub fn ResourcesPage() -> impl IntoView {
    let from = RwSignal::new(None::<NaiveDate>);
    let version = RwSignal::new(0u32);
    // the person opened stays open while the plan reloads after a change
    let selected = RwSignal::new(None::<Uuid>);
    let plan = Resource::new(
        move || (from.get(), version.get()),
        |(from, _)| load_resource_plan(from, WEEKS),
    );
    view! {
        <Title text=t(Key::ResTitle)/>
        <h1>{t(Key::ResTitle)}</h1>
        <p class="lead">{t(Key::ResIntro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match plan.await {
                    Ok(plan) => view! { <PlanView plan from version selected/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanView(
    plan: ResourcePlan,
    from: RwSignal<Option<NaiveDate>>,
    version: RwSignal<u32>,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let lang = use_lang();
    let first = plan.weeks.first().copied().unwrap_or_default();
    let everyone = plan.people.first().map(|p| p.person.id);
    let dragging = RwSignal::new(None::<Uuid>);
    let mover = ServerAction::<MoveAssignment>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = mover.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let plan = StoredValue::new(plan);
    let person_plan = move || {
        let id = selected.get().or(everyone)?;
        plan.with_value(|p| p.people.iter().find(|x| x.person.id == id).cloned())
    };
    view! {
        <div class="toolbar week-nav">
            <button type="button" class="button" on:click=move |_| from.set(Some(first - Days::new(28)))>
                <span aria-hidden="true">"← "</span>{t(Key::ResEarlier)}
            </button>
            <h2 class="week-label">{move || plan.with_value(|p| {
                let last = p.weeks.last().copied().unwrap_or(first);
                format!("{} – {}", week_name(first, lang), week_name(last, lang))
            })}</h2>
            <button type="button" class="button" on:click=move |_| from.set(Some(first + Days::new(28)))>
                {t(Key::ResLater)}<span aria-hidden="true">" →"</span>
            </button>
        </div>
        <Legend/>
        <section class="card" aria-labelledby="res-heatmap">
            <h2 id="res-heatmap">{t(Key::ResHeatmap)}</h2>
            <p class="hint">{t(Key::ResHeatmapHint)}</p>
            <Heatmap plan=plan.get_value() selected dragging mover/>
        </section>
        <FormError result=mover.value()/>
        {move || person_plan().map(|person| view! {
            <PersonView person plan=plan.get_value() version dragging mover/>
        })}
    }
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label=t(Key::ResLegend)>
            {[Load::Free, Load::Partly, Load::Full, Load::Overbooked].into_iter().map(|load| view! {
                <li><span class=format!("swatch {}", load_class(load)) aria-hidden="true"></span>{t(load_key(load))}</li>
            }).collect_view()}
        </ul>
    }
}

/// Moves the focus between heatmap cells with the arrow keys.
fn focus_cell(row: usize, column: usize) {
    #[cfg(feature = "hydrate")]
    if let Some(element) = document().get_element_by_id(&format!("heat-{row}-{column}")) {
        use wasm_bindgen::JsCast;
        if let Ok(element) = element.dyn_into::<web_sys::SvgElement>() {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (row, column);
}

#[component]
fn Heatmap(
    plan: ResourcePlan,
    selected: RwSignal<Option<Uuid>>,
    dragging: RwSignal<Option<Uuid>>,
    mover: ServerAction<MoveAssignment>,
) -> impl IntoView {
    let lang = use_lang();
    let columns = plan.weeks.len();
    let rows = plan.people.len();
    let width = NAME_WIDTH + CELL_WIDTH * i32::try_from(columns).unwrap_or(0);
    let height = HEAD + CELL_HEIGHT * i32::try_from(rows).unwrap_or(0);
    let x = |column: usize| NAME_WIDTH + CELL_WIDTH * i32::try_from(column).unwrap_or(0);
    let y = |row: usize| HEAD + CELL_HEIGHT * i32::try_from(row).unwrap_or(0);
    view! {
        <div class="heatmap-scroll">
            <svg class="chart heatmap" viewBox=format!("0 0 {width} {height}") width=width role="grid" aria-label=t(Key::ResHeatmap)>
                <defs>
                    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" class="hatch-bg"/>
                        <line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/>
                    </pattern>
                </defs>
                <g role="row">
                    <text x="4" y=HEAD - 10 class="chart-label" role="columnheader">{t(Key::ResPerson)}</text>
                    {plan.weeks.iter().enumerate().map(|(column, week)| view! {
                        <text x=x(column) + CELL_WIDTH / 2 y=HEAD - 10 text-anchor="middle" class="chart-label" role="columnheader">{week_name(*week, lang)}</text>
                    }).collect_view()}
                </g>
                {plan.people.iter().enumerate().map(|(row, person)| {
                    let name = person.person.name.clone();
                    let id = person.person.id;
                    view! {
                        <g role="row">
                            <text x="4" y=y(row) + CELL_HEIGHT / 2 + 5 class="chart-label heat-name" role="rowheader"
                                class:selected=move || selected.get() == Some(id)>{name.clone()}</text>
                            {person.weeks.iter().enumerate().map(|(column, load)| {
                                let label = describe(&name, load, lang);
                                let tooltip = label.clone();
                                let week = load.week;
                                let percent = load.utilization.map_or("–".to_owned(), |p| format!("{}%", number(p, 0, lang)));
                                let over = load.load == Load::Overbooked;
                                let off = !load.days_off.is_empty();
                                view! {
                                    <g role="gridcell" id=format!("heat-{row}-{column}") tabindex=if row == 0 && column == 0 { "0" } else { "-1" }
                                        class=format!("heat-cell {}", load_class(load.load)) aria-label=label
                                        on:click=move |_| selected.set(Some(id))
                                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                            let target = match ev.key().as_str() {
                                                "ArrowRight" if column + 1 < columns => Some((row, column + 1)),
                                                "ArrowLeft" if column > 0 => Some((row, column - 1)),
                                                "ArrowDown" if row + 1 < rows => Some((row + 1, column)),
                                                "ArrowUp" if row > 0 => Some((row - 1, column)),
                                                "Enter" | " " => {
                                                    selected.set(Some(id));
                                                    None
                                                }
                                                _ => return,
                                            };
                                            ev.prevent_default();
                                            if let Some((r, c)) = target {
                                                focus_cell(r, c);
                                            }
                                        }
                                        on:dragover=move |ev: leptos::ev::DragEvent| {
                                            if dragging.get_untracked().is_some() {
                                                ev.prevent_default();
                                            }
                                        }
                                        on:drop=move |ev: leptos::ev::DragEvent| {
                                            ev.prevent_default();
                                            if let Some(assignment) = dragging.get_untracked() {
                                                dragging.set(None);
                                                mover.dispatch(MoveAssignment { id: assignment, user_id: id, starts_on: week });
                                            }
                                        }>
                                        <title>{tooltip}</title>
                                        <rect x=x(column) + 1 y=y(row) + 1 width=CELL_WIDTH - 2 height=CELL_HEIGHT - 2 rx="3"/>
                                        {over.then(|| view! { <rect x=x(column) + 1 y=y(row) + 1 width=CELL_WIDTH - 2 height=CELL_HEIGHT - 2 rx="3" fill="url(#hatch)" class="hatch"/> })}
                                        <text x=x(column) + CELL_WIDTH / 2 y=y(row) + CELL_HEIGHT / 2 + 5 text-anchor="middle" class="heat-value">
                                            {if over { format!("!{percent}") } else { percent }}{off.then_some("*")}
                                        </text>
                                    </g>
                                }
                            }).collect_view()}
                        </g>
                    }
                }).collect_view()}
            </svg>
        </div>
        <p class="hint">{t(Key::ResMarks)}</p>
    }
}

const BAR_HEIGHT: i32 = 200;

/// Colour slots for projects in the stacked bars; the legend names each one.
fn slot(index: usize) -> String {
    format!("stack-{}", index % 8)
}

#[component]
fn PersonView(
    person: PersonPlan,
    plan: ResourcePlan,
    version: RwSignal<u32>,
    dragging: RwSignal<Option<Uuid>>,
    mover: ServerAction<MoveAssignment>,
) -> impl IntoView {
    let lang = use_lang();
    let id = person.person.id;
    let assignments: Vec<AssignmentView> = plan
        .assignments
        .iter()
        .filter(|a| a.user_id == id)
        .cloned()
        .collect();
    let mut projects: Vec<(Uuid, String)> = Vec::new();
    for a in &assignments {
        if !projects.iter().any(|p| p.0 == a.project_id) {
            projects.push((a.project_id, a.project_label.clone()));
        }
    }
    let max = person
        .weeks
        .iter()
        .map(|w| w.planned.max(w.capacity))
        .max()
        .unwrap_or_default()
        .max(Decimal::ONE);
    let scale = |value: Decimal| -> i32 {
        (value / max * Decimal::from(BAR_HEIGHT - 30))
            .round()
            .to_string()
            .parse()
            .unwrap_or(0)
    };
    let width = 60 + CELL_WIDTH * i32::try_from(person.weeks.len()).unwrap_or(0);
    let people = plan
        .people
        .iter()
        .map(|p| p.person.clone())
        .collect::<Vec<_>>();
    let can_plan = plan.can_plan;
    let name = person.person.name.clone();
    view! {
        <section class="card" aria-labelledby="res-person">
            <h2 id="res-person">{name.clone()}</h2>
            <svg class="chart stacked" viewBox=format!("0 0 {width} {BAR_HEIGHT}") role="img" aria-label=Key::ResStackedLabel.fill(lang, &[("person", &name)])>
                <line x1="50" x2=width y1=BAR_HEIGHT - 20 y2=BAR_HEIGHT - 20 class="chart-axis"/>
                {person.weeks.iter().enumerate().map(|(column, week)| {
                    let x = 55 + CELL_WIDTH * i32::try_from(column).unwrap_or(0);
                    let mut top = BAR_HEIGHT - 20;
                    let segments = assignments.iter().filter_map(|a| {
                        let planned = a.per_week.get(column).copied().unwrap_or_default();
                        (planned > Decimal::ZERO).then(|| {
                            let h = scale(planned);
                            top -= h;
                            let index = projects.iter().position(|p| p.0 == a.project_id).unwrap_or(0);
                            let text = format!("{} · {}: {}", week_name(week.week, lang), a.project_label, hours(planned, lang));
                            let title = text.clone();
                            view! { <g class="stack-segment" tabindex="0" aria-label=text>
                                <title>{title}</title>
                                <rect x=x y=top width=CELL_WIDTH - 14 height=h class=slot(index)/>
                            </g> }
                        })
                    }).collect_view();
                    let capacity_y = BAR_HEIGHT - 20 - scale(week.capacity);
                    view! {
                        {segments}
                        <line x1=x - 3 x2=x + CELL_WIDTH - 11 y1=capacity_y y2=capacity_y class="capacity-mark"/>
                        <text x=x + (CELL_WIDTH - 14) / 2 y=BAR_HEIGHT - 6 text-anchor="middle" class="chart-label">{week_name(week.week, lang)}</text>
                    }
                }).collect_view()}
            </svg>
            <ul class="legend">
                {projects.iter().enumerate().map(|(index, (_, label))| view! {
                    <li><span class=format!("swatch {}", slot(index)) aria-hidden="true"></span>{label.clone()}</li>
                }).collect_view()}
                <li><span class="swatch capacity-swatch" aria-hidden="true"></span>{t(Key::ResCapacityLine)}</li>
            </ul>
            <h3>{t(Key::ResAssignments)}</h3>
            {assignments.is_empty().then(|| view! { <p class="muted">{t(Key::ResNoAssignments)}</p> })}
            <ul class="assignment-list">
                {assignments.iter().cloned().map(|a| view! { <AssignmentItem assignment=a people=people.clone() can_plan dragging mover version/> }).collect_view()}
            </ul>
            {can_plan.then(|| view! { <AssignForm user_id=id version/> })}
            <Absences person=id absences=plan.absences.iter().filter(|a| a.user_id == id).cloned().collect() version/>
        </section>
    }
}

#[component]
fn AssignmentItem(
    assignment: AssignmentView,
    people: Vec<crate::projects::model::Person>,
    can_plan: bool,
    dragging: RwSignal<Option<Uuid>>,
    mover: ServerAction<MoveAssignment>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let id = assignment.id;
    let user = assignment.user_id;
    let start = assignment.starts_on;
    let remove = ServerAction::<DeleteAssignment>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let text = format!(
        "{} · {} – {} · {} / {}",
        assignment.project_label,
        date(assignment.starts_on, lang),
        date(assignment.ends_on, lang),
        hours(assignment.hours_per_week, lang),
        t(Key::ResWeek)
    );
    let shift = move |days: i64| {
        let starts_on = if days < 0 {
            start - Days::new(days.unsigned_abs())
        } else {
            start + Days::new(days.unsigned_abs())
        };
        mover.dispatch(MoveAssignment {
            id,
            user_id: user,
            starts_on,
        });
    };
    view! {
        <li class="assignment" draggable=if can_plan { "true" } else { "false" }
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                // some browsers start a drag only with data
                #[cfg(feature = "hydrate")]
                if let Some(transfer) = ev.data_transfer() {
                    let _ = transfer.set_data("text/plain", &id.to_string());
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
                dragging.set(Some(id));
            }
            on:dragend=move |_| dragging.set(None)>
            {can_plan.then(|| view! { <span class="drag-handle" aria-hidden="true">"⠿"</span> })}
            <span>{text}</span>
            {can_plan.then(|| view! {
                <span class="actions">
                    <button type="button" class="button button-quiet" on:click=move |_| shift(-7)>{t(Key::ResWeekEarlier)}</button>
                    <button type="button" class="button button-quiet" on:click=move |_| shift(7)>{t(Key::ResWeekLater)}</button>
                    <label class="visually-hidden" for=format!("reassign-{id}")>{t(Key::ResReassign)}</label>
                    <select id=format!("reassign-{id}") on:change=move |ev| {
                        if let Ok(to) = Uuid::parse_str(&event_target_value(&ev)) {
                            mover.dispatch(MoveAssignment { id, user_id: to, starts_on: start });
                        }
                    }>
                        {people.iter().map(|p| view! { <option value=p.id.to_string() selected=p.id == user>{p.name.clone()}</option> }).collect_view()}
                    </select>
                    <button type="button" class="button button-quiet" on:click=move |_| { remove.dispatch(DeleteAssignment { id }); }>{t(Key::TimeDelete)}</button>
                </span>
            })}
        </li>
    }
}

#[component]
fn AssignForm(user_id: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let project = RwSignal::new(None::<Uuid>);
    let starts_on = RwSignal::new(String::new());
    let ends_on = RwSignal::new(String::new());
    let hours_per_week = RwSignal::new(String::new());
    let choices = crate::time::pages::use_booking_projects();
    let save = ServerAction::<SaveAssignment>::new();
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveAssignment {
            id: None,
            input: AssignmentInput {
                user_id: Some(user_id),
                project_id: project.get_untracked(),
                work_package_id: None,
                starts_on: starts_on.get_untracked(),
                ends_on: ends_on.get_untracked(),
                hours_per_week: hours_per_week.get_untracked(),
            },
        });
    };
    view! {
        <details class="inline-form">
            <summary>{t(Key::ResAssign)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <div class="field">
                    <label for="assign-project">{t(Key::TimeProject)}</label>
                    <select id="assign-project" on:change=move |ev| project.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                        <option value="">{t(Key::TimeChooseProject)}</option>
                        {move || choices.get().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.label}</option> }).collect_view()}
                    </select>
                    <FieldError errors field="project_id"/>
                </div>
                <div class="grid-3">
                    <TextField label=t(Key::ProjStartsOn) name="starts_on" value=starts_on errors kind="date" required=true/>
                    <TextField label=t(Key::ProjEndsOn) name="ends_on" value=ends_on errors kind="date" required=true/>
                    <TextField label=t(Key::ResHoursPerWeek) name="hours_per_week" value=hours_per_week errors required=true/>
                </div>
                <FormError result=save.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}

#[component]
fn Absences(person: Uuid, absences: Vec<AbsenceView>, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new("vacation".to_owned());
    let starts_on = RwSignal::new(String::new());
    let ends_on = RwSignal::new(String::new());
    let add = ServerAction::<AddAbsence>::new();
    let remove = ServerAction::<DeleteAbsence>::new();
    let errors = field_errors(add.value());
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) || matches!(remove.value().get(), Some(Ok(())))
        {
            version.update(|v| *v += 1);
        }
    });
    let kind_key = |kind: &str| match kind {
        "vacation" => Key::ResVacation,
        "sick" => Key::ResSick,
        "training" => Key::ResTraining,
        _ => Key::ResOther,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddAbsence {
            input: AbsenceInput {
                user_id: Some(person),
                kind: kind.get_untracked(),
                starts_on: starts_on.get_untracked(),
                ends_on: ends_on.get_untracked(),
                note: String::new(),
            },
        });
    };
    view! {
        <h3>{t(Key::ResAbsences)}</h3>
        {absences.is_empty().then(|| view! { <p class="muted">{t(Key::ResNoAbsences)}</p> })}
        <ul class="plain-list">
            {absences.into_iter().map(|a| {
                let id = a.id;
                view! { <li>{t(kind_key(&a.kind))}": "{date(a.starts_on, lang)}" – "{date(a.ends_on, lang)}" "
                    <button type="button" class="button button-quiet" on:click=move |_| { remove.dispatch(DeleteAbsence { id }); }>{t(Key::TimeDelete)}</button></li> }
            }).collect_view()}
        </ul>
        <FormError result=remove.value()/>
        <details class="inline-form">
            <summary>{t(Key::ResAddAbsence)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <div class="grid-3">
                    <div class="field">
                        <label for="absence-kind">{t(Key::ResAbsenceKind)}</label>
                        <select id="absence-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {["vacation", "sick", "training", "other"].into_iter().map(|k| view! { <option value=k>{t(kind_key(k))}</option> }).collect_view()}
                        </select>
                        <FieldError errors field="kind"/>
                    </div>
                    <div class="field">
                        <label for="absence-from">{t(Key::ProjStartsOn)}" *"</label>
                        <input id="absence-from" type="date" bind:value=starts_on aria-describedby="field-starts_on-error"/>
                        <FieldError errors field="starts_on"/>
                    </div>
                    <div class="field">
                        <label for="absence-to">{t(Key::ProjEndsOn)}" *"</label>
                        <input id="absence-to" type="date" bind:value=ends_on aria-describedby="field-ends_on-error"/>
                        <FieldError errors field="ends_on"/>
                    </div>
                </div>
                <FormError result=add.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}
