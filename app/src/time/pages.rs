//! Time pages: the running timer in the top bar of every staff page, and the week —
//! a timesheet typed with the keyboard (Tab along a row, arrow keys across rows, Enter
//! saves), single entries, and approval for those who approve time.

use super::api::*;
use super::model::*;
use crate::domain::durations::{format_hours, parse_duration};
use crate::domain::format::{date, number};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::ui::form::{field_errors, FieldError, FormError, TextField};
use crate::ui::{ErrorBox, Loading, Money};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use rust_decimal::Decimal;
use uuid::Uuid;

/// `H:MM:SS` of a running timer.
fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// Tells the user's other tabs that the timer changed (they reload it on the storage event).
fn announce_timer_change(state: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item("kontor-timer", state);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

/// Open projects to book on, loaded in the browser once the page is interactive: select
/// options the server did not render would break hydration.
pub fn use_booking_projects() -> Signal<Vec<ProjectChoice>> {
    let load = Action::new(|_: &()| list_booking_projects(String::new()));
    Effect::new(move |_| {
        load.dispatch(());
    });
    Signal::derive(move || load.value().get().and_then(Result::ok).unwrap_or_default())
}

/// The running timer, on every staff page: start it on a project, watch it run, stop it.
/// It lives on the server, so a reload, a second tab or another device shows the same.
#[component]
pub fn TimerWidget() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let timer = Resource::new(move || version.get(), |_| load_timer());
    let elapsed = RwSignal::new(0i64);
    let start = ServerAction::<StartTimer>::new();
    let stop = ServerAction::<StopTimer>::new();
    Effect::new(move |_| {
        if let Some(Ok(Some(running))) = timer.get() {
            elapsed.set(running.elapsed_seconds);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(running)) = start.value().get() {
            announce_timer_change(&format!(
                "running:{}:{}",
                running.project_id, running.started_at
            ));
            version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(stopped)) = stop.value().get() {
            announce_timer_change(&format!(
                "stopped:{}",
                stopped
                    .entry_id
                    .map(|id| id.to_string())
                    .unwrap_or_default()
            ));
            version.update(|v| *v += 1);
        }
    });
    // client only: tick every second; reload on focus and when another tab changed it
    Effect::new(move |_| {
        let ticking = set_interval_with_handle(
            move || elapsed.update(|s| *s += 1),
            std::time::Duration::from_secs(1),
        );
        let focus = window_event_listener(leptos::ev::focus, move |_| version.update(|v| *v += 1));
        let storage =
            window_event_listener(leptos::ev::storage, move |_| version.update(|v| *v += 1));
        on_cleanup(move || {
            if let Ok(handle) = ticking {
                handle.clear();
            }
            focus.remove();
            storage.remove();
        });
    });
    view! {
        <div class="timer" aria-live="polite">
            <Transition>
                {move || Suspend::new(async move {
                    match timer.await {
                        Ok(Some(running)) => view! {
                            <span class="timer-running">
                                <span class="visually-hidden">{t(Key::TimerRunning)}": "</span>
                                <span role="timer" class="timer-clock" title=format!("{} {}", t(Key::TimerSince), running.started_at)>{move || clock(elapsed.get())}</span>
                                " "<a href=format!("/projects/{}", running.project_id) class="timer-project">{running.project_label.clone()}</a>
                            </span>
                            <button type="button" class="button button-quiet" on:click=move |_| { stop.dispatch(StopTimer {}); }>
                                <span aria-hidden="true">"■ "</span>{t(Key::TimerStop)}
                            </button>
                        }.into_any(),
                        Ok(None) => view! { <TimerStartForm start lang/> }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
            {move || stop.value().get().and_then(Result::ok).map(|stopped| {
                let text = if stopped.entry_id.is_some() {
                    Key::TimerBooked.fill(lang, &[("hours", &format_hours(i64::from(stopped.minutes)))])
                } else {
                    t(Key::TimerNothingBooked).to_owned()
                };
                view! { <span class="visually-hidden" role="status">{text}</span> }
            })}
        </div>
    }
}

#[component]
fn TimerStartForm(start: ServerAction<StartTimer>, lang: Lang) -> impl IntoView {
    let open = RwSignal::new(false);
    let project = RwSignal::new(None::<Uuid>);
    let package = RwSignal::new(None::<Uuid>);
    let note = RwSignal::new(String::new());
    let errors = field_errors(start.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start.dispatch(StartTimer {
            start: TimerStart {
                project_id: project.get_untracked(),
                work_package_id: package.get_untracked(),
                note: note.get_untracked(),
                ..TimerStart::default()
            },
        });
    };
    let _ = lang;
    // the form (and its project list) is made afresh each time it opens
    view! {
        <div class="timer-start">
            <button type="button" class="button button-quiet" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                <span aria-hidden="true">"▶ "</span>{t(Key::TimerStart)}
            </button>
            {move || open.get().then(|| {
                let choices = use_booking_projects();
                view! {
                    <form class="menu stack" on:submit=submit novalidate>
                        <ProjectSelect id="timer-project" project package choices errors/>
                        <div class="field">
                            <label for="timer-note">{t(Key::TimeNote)}</label>
                            <input id="timer-note" type="text" bind:value=note/>
                        </div>
                        <button type="submit" class="button button-primary">{t(Key::TimerStartNow)}</button>
                    </form>
                }
            })}
        </div>
    }
}

/// A project and, if it has any, one of its work packages.
#[component]
fn ProjectSelect(
    id: &'static str,
    project: RwSignal<Option<Uuid>>,
    package: RwSignal<Option<Uuid>>,
    choices: Signal<Vec<ProjectChoice>>,
    #[prop(into)] errors: Signal<crate::error::FieldErrors>,
) -> impl IntoView {
    let packages = move || {
        let chosen = project.get()?;
        choices
            .get()
            .into_iter()
            .find(|c| c.id == chosen)
            .map(|c| c.work_packages)
            .filter(|p| !p.is_empty())
    };
    let package_id = format!("{id}-package");
    view! {
        <div class="field">
            <label for=id>{t(Key::TimeProject)}</label>
            <select id=id aria-describedby="field-project_id-error" on:change=move |ev| {
                project.set(Uuid::parse_str(&event_target_value(&ev)).ok());
                package.set(None);
            }>
                <option value="">{t(Key::TimeChooseProject)}</option>
                {move || choices.get().into_iter().map(|c| {
                    let cid = c.id;
                    view! { <option value=cid.to_string() selected=move || project.get() == Some(cid)>{c.label}</option> }
                }).collect_view()}
            </select>
            <FieldError errors field="project_id"/>
        </div>
        {move || packages().map(|list| {
            let package_id = package_id.clone();
            view! {
                <div class="field">
                    <label for=package_id.clone()>{t(Key::ProjWorkPackage)}</label>
                    <select id=package_id on:change=move |ev| package.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                        <option value="">{t(Key::ProjNoWorkPackage)}</option>
                        {list.into_iter().map(|(pid, name)| view! { <option value=pid.to_string() selected=move || package.get() == Some(pid)>{name}</option> }).collect_view()}
                    </select>
                </div>
            }
        })}
    }
}

/// The week: timesheet, single entries, approval.
#[component]
pub fn TimePage() -> impl IntoView {
    let query = use_query_map();
    let preset = query.with_untracked(|q| q.get("project").and_then(|p| Uuid::parse_str(&p).ok()));
    let monday = RwSignal::new(None::<NaiveDate>);
    let person = RwSignal::new(None::<Uuid>);
    let version = RwSignal::new(0u32);
    let week = Resource::new(
        move || (person.get(), monday.get(), version.get()),
        |(user, monday, _)| load_week(user, monday),
    );
    view! {
        <Title text=t(Key::TimeTitle)/>
        <h1>{t(Key::TimeTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match week.await {
                    Ok(week) => view! { <WeekView week monday person version preset/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Short weekday names, Monday first.
fn weekday(date: NaiveDate, lang: Lang) -> &'static str {
    let index = usize::try_from(date.weekday().num_days_from_monday()).unwrap_or(0);
    let names = match lang {
        Lang::De => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    };
    names.get(index).copied().unwrap_or("")
}

/// A timesheet row while typed: the row's project and one text per day.
#[derive(Clone)]
struct TypedRow {
    project_id: Uuid,
    label: String,
    work_package_id: Option<Uuid>,
    cells: Vec<RwSignal<String>>,
    original: Vec<i64>,
    fixed: Vec<bool>,
}

fn shown(minutes: i64) -> String {
    if minutes == 0 {
        String::new()
    } else {
        format_hours(minutes)
    }
}

#[component]
fn WeekView(
    week: Week,
    monday: RwSignal<Option<NaiveDate>>,
    person: RwSignal<Option<Uuid>>,
    version: RwSignal<u32>,
    preset: Option<Uuid>,
) -> impl IntoView {
    let lang = use_lang();
    let staff = crate::projects::pages::use_staff();
    let this_monday = week.monday;
    let user = week.user.clone();
    let rows = RwSignal::new(
        week.rows
            .iter()
            .map(|r| TypedRow {
                project_id: r.project_id,
                label: match &r.work_package_name {
                    Some(package) => format!("{} › {package}", r.project_label),
                    None => r.project_label.clone(),
                },
                work_package_id: r.work_package_id,
                cells: r.minutes.iter().map(|m| RwSignal::new(shown(*m))).collect(),
                original: r.minutes.clone(),
                fixed: r.fixed.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let days = week.days.clone();
    let save = ServerAction::<SaveTimesheet>::new();
    let approve = ServerAction::<ApproveWeek>::new();
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) || matches!(approve.value().get(), Some(Ok(_)))
        {
            version.update(|v| *v += 1);
        }
    });
    let user_id = user.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut cells = Vec::new();
        for row in rows.get_untracked() {
            for (day, cell) in row.cells.iter().enumerate() {
                let typed = cell.get_untracked();
                if shown(row.original.get(day).copied().unwrap_or(0)) != typed {
                    cells.push(SheetCell {
                        project_id: row.project_id,
                        work_package_id: row.work_package_id,
                        work_date: this_monday + chrono::Days::new(u64::try_from(day).unwrap_or(0)),
                        duration: typed,
                    });
                }
            }
        }
        save.dispatch(SaveTimesheet {
            user_id: Some(user_id),
            monday: this_monday,
            cells,
        });
    };
    let day_total = move |day: usize| -> i64 {
        rows.with(|rows| {
            rows.iter()
                .filter_map(|r| r.cells.get(day))
                .map(|c| {
                    c.with(|text| {
                        if text.trim().is_empty() {
                            0
                        } else {
                            parse_duration(text).map_or(0, i64::from)
                        }
                    })
                })
                .sum()
        })
    };
    let week_label = Key::TimeWeekLabel.fill(
        lang,
        &[
            ("week", &this_monday.iso_week().week().to_string()),
            ("from", &date(this_monday, lang)),
            ("to", &date(this_monday + chrono::Days::new(6), lang)),
        ],
    );
    let approved = week.approved;
    let can_approve = week.can_approve;
    let entries = week.entries.clone();
    let capacity: Decimal = days.iter().map(|d| d.capacity_hours).sum();
    let capacity_text = number(capacity, 2, lang);
    view! {
        <div class="toolbar week-nav">
            <button type="button" class="button" on:click=move |_| monday.set(Some(this_monday - chrono::Days::new(7)))>
                <span aria-hidden="true">"← "</span>{t(Key::TimePrevWeek)}
            </button>
            <h2 class="week-label">{week_label}</h2>
            <button type="button" class="button" on:click=move |_| monday.set(Some(this_monday + chrono::Days::new(7)))>
                {t(Key::TimeNextWeek)}<span aria-hidden="true">" →"</span>
            </button>
            {can_approve.then(|| view! {
                <div class="field">
                    <label for="week-person">{t(Key::TimePerson)}</label>
                    <select id="week-person" on:change=move |ev| person.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                        <option value=user_id.to_string() selected=true>{user.name.clone()}</option>
                        {move || staff.get().into_iter().filter(|p| p.id != user_id).map(|p| {
                            view! { <option value=p.id.to_string()>{p.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            {approved.then(|| view! { <span class="badge badge-ok"><span aria-hidden="true">"✓ "</span>{t(Key::TimeWeekApproved)}</span> })}
        </div>
        <form class="card" on:submit=submit novalidate>
            <table class="table timesheet">
                <caption class="visually-hidden">{t(Key::TimeSheet)}" · "{user.name.clone()}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::TimeProject)}</th>
                    {days.iter().map(|d| view! {
                        <th scope="col" class="num" class:holiday=d.holiday.is_some() || d.absent title=d.holiday.clone()>
                            {weekday(d.date, lang)}<br/><span class="small">{date(d.date, lang).get(..6).map(str::to_owned)}</span>
                            {d.holiday.clone().map(|h| view! { <br/><span class="small muted">{h}</span> })}
                            {d.absent.then(|| view! { <br/><span class="small muted">{t(Key::TimeAbsent)}</span> })}
                        </th>
                    }).collect_view()}
                    <th scope="col" class="num">{t(Key::TimeSum)}</th>
                </tr></thead>
                <tbody>
                    {let days = days.clone(); move || rows.get().into_iter().enumerate().map(|(row_index, row)| {
                        let label = row.label.clone();
                        let cells = row.cells.clone();
                        let row_total = move || cells.iter().map(|c| c.with(|text| parse_duration(text).map_or(0, i64::from))).sum::<i64>();
                        view! { <tr>
                            <th scope="row">{label.clone()}</th>
                            {row.cells.iter().enumerate().map(|(day, cell)| {
                                let cell = *cell;
                                let closed = days.get(day).is_some_and(|d| d.closed);
                                let fixed = row.fixed.get(day).copied().unwrap_or(false);
                                let aria = format!("{label}, {}", days.get(day).map(|d| format!("{} {}", weekday(d.date, lang), date(d.date, lang))).unwrap_or_default());
                                let error_field = format!("cell-{row_index}-{day}");
                                view! { <td class="num" class:fixed=fixed>
                                    <input type="text" inputmode="decimal" class="cell" id=error_field.clone()
                                        aria-label=aria readonly=closed size="5" bind:value=cell
                                        on:keydown=move |ev| move_focus(&ev, row_index, day)/>
                                    {fixed.then(|| view! { <span class="lock" title=t(Key::TimeFixedHint)><span aria-hidden="true">"🔒"</span><span class="visually-hidden">{t(Key::TimeFixedHint)}</span></span> })}
                                </td> }
                            }).collect_view()}
                            <td class="num">{move || format_hours(row_total())}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row">{t(Key::TimeSum)}" / "{t(Key::TimeTarget)}</th>
                    {(0..7).map(|day| {
                        let target = days.get(day).map(|d| d.capacity_hours).unwrap_or_default();
                        let target_text = number(target, 2, lang);
                        view! { <td class="num">{move || format_hours(day_total(day))}<br/><span class="muted small">{target_text.clone()}</span></td> }
                    }).collect_view()}
                    <td class="num">{move || format_hours((0..7).map(day_total).sum())}<br/><span class="muted small">{capacity_text.clone()}</span></td>
                </tr></tfoot>
            </table>
            {move || errors.with(|e| (!e.is_empty()).then(|| view! {
                <ul class="alert alert-error" role="alert">
                    {e.0.iter().map(|error| view! { <li>{sheet_error_place(&error.field, &rows.get_untracked(), this_monday, lang)}{error.message.clone()}</li> }).collect_view()}
                </ul>
            }))}
            <FormError result=save.value()/>
            <AddRow rows preset/>
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::TimeSaveWeek)}</button>
                {(can_approve && !approved && !entries.is_empty()).then(|| view! {
                    <button type="button" class="button" on:click=move |_| { approve.dispatch(ApproveWeek { user_id, monday: this_monday }); }>{t(Key::TimeApproveWeek)}</button>
                })}
            </div>
            <p class="hint">{t(Key::TimeSheetHint)}</p>
        </form>
        <EntryForm user_id monday=this_monday version preset/>
        <EntryList entries=week.entries.clone() version/>
        <CalendarFeed/>
    }
}

/// "P-0001 · Relaunch, Mi 02.12.: " for a sheet error (`cells.{i}` counts only changed cells,
/// so the place is looked up from the typed rows again).
fn sheet_error_place(field: &str, rows: &[TypedRow], monday: NaiveDate, lang: Lang) -> String {
    let Some(index) = field
        .strip_prefix("cells.")
        .and_then(|i| i.parse::<usize>().ok())
    else {
        return String::new();
    };
    let changed = rows.iter().flat_map(|row| {
        row.cells.iter().enumerate().filter_map(move |(day, cell)| {
            (shown(row.original.get(day).copied().unwrap_or(0)) != cell.get_untracked())
                .then_some((row.label.clone(), day))
        })
    });
    changed
        .into_iter()
        .nth(index)
        .map(|(label, day)| {
            let day = monday + chrono::Days::new(u64::try_from(day).unwrap_or(0));
            format!("{label}, {} {}: ", weekday(day, lang), date(day, lang))
        })
        .unwrap_or_default()
}

/// Arrow keys move between timesheet cells (Tab already walks along the row).
fn move_focus(ev: &leptos::ev::KeyboardEvent, row: usize, day: usize) {
    let target = match ev.key().as_str() {
        "ArrowUp" => row.checked_sub(1).map(|r| (r, day)),
        "ArrowDown" => Some((row + 1, day)),
        "ArrowLeft" if day > 0 => Some((row, day - 1)),
        "ArrowRight" if day < 6 => Some((row, day + 1)),
        _ => None,
    };
    #[cfg(feature = "hydrate")]
    if let Some((row, day)) = target {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(&format!("cell-{row}-{day}"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            ev.prevent_default();
            let _ = input.focus();
            input.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = target;
}

/// Adds a project row to the sheet.
#[component]
fn AddRow(rows: RwSignal<Vec<TypedRow>>, preset: Option<Uuid>) -> impl IntoView {
    let project = RwSignal::new(preset);
    let package = RwSignal::new(None::<Uuid>);
    let choices = use_booking_projects();
    let add = move |_| {
        let Some(project_id) = project.get_untracked() else {
            return;
        };
        let work_package_id = package.get_untracked();
        if rows.with_untracked(|rows| {
            rows.iter()
                .any(|r| r.project_id == project_id && r.work_package_id == work_package_id)
        }) {
            return;
        }
        let choice = choices
            .get_untracked()
            .into_iter()
            .find(|c| c.id == project_id);
        let label = choice
            .map(|c| {
                let package_name = work_package_id.and_then(|p| {
                    c.work_packages
                        .iter()
                        .find(|w| w.0 == p)
                        .map(|w| w.1.clone())
                });
                match package_name {
                    Some(name) => format!("{} › {name}", c.label),
                    None => c.label,
                }
            })
            .unwrap_or_default();
        rows.update(|rows| {
            rows.push(TypedRow {
                project_id,
                label,
                work_package_id,
                cells: (0..7).map(|_| RwSignal::new(String::new())).collect(),
                original: vec![0; 7],
                fixed: vec![false; 7],
            })
        });
    };
    view! {
        <fieldset class="add-row">
            <legend>{t(Key::TimeAddRow)}</legend>
            <ProjectSelect id="sheet-project" project package choices errors=crate::error::FieldErrors::default()/>
            <button type="button" class="button" on:click=add>{t(Key::TimeAddRow)}</button>
        </fieldset>
    }
}

/// One entry typed in full: day, duration, project, note, billable.
#[component]
fn EntryForm(
    user_id: Uuid,
    monday: NaiveDate,
    version: RwSignal<u32>,
    preset: Option<Uuid>,
) -> impl IntoView {
    let project = RwSignal::new(preset);
    let package = RwSignal::new(None::<Uuid>);
    let work_date = RwSignal::new(monday.to_string());
    let duration = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let billable = RwSignal::new(true);
    let choices = use_booking_projects();
    let create = ServerAction::<CreateTimeEntry>::new();
    let errors = field_errors(create.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            duration.set(String::new());
            note.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateTimeEntry {
            input: TimeEntryInput {
                user_id: Some(user_id),
                project_id: project.get_untracked(),
                work_package_id: package.get_untracked(),
                task_id: None,
                work_date: work_date.get_untracked(),
                duration: duration.get_untracked(),
                note: note.get_untracked(),
                billable: billable.get_untracked(),
            },
        });
    };
    view! {
        <details class="card inline-form">
            <summary>{t(Key::TimeNewEntry)}</summary>
            <form class="stack" on:submit=submit novalidate>
                <div class="grid-3">
                    <TextField label=t(Key::TimeDate) name="work_date" value=work_date errors kind="date" required=true/>
                    <TextField label=t(Key::TimeDuration) name="duration" value=duration errors required=true hint=t(Key::TimeDurationHint)/>
                    <div class="field checkbox">
                        <input id="entry-billable" type="checkbox" bind:checked=billable/>
                        <label for="entry-billable">{t(Key::TimeBillable)}</label>
                    </div>
                </div>
                <ProjectSelect id="entry-project" project package choices errors/>
                <TextField label=t(Key::TimeNote) name="note" value=note errors/>
                <FormError result=create.value()/>
                <div class="actions"><button type="submit" class="button button-primary">{t(Key::Save)}</button></div>
            </form>
        </details>
    }
}

#[component]
fn EntryList(entries: Vec<TimeEntry>, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let delete = ServerAction::<DeleteTimeEntry>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="time-entries">
            <h2 id="time-entries">{t(Key::TimeEntries)}</h2>
            {entries.is_empty().then(|| view! { <p class="muted">{t(Key::TimeNoEntries)}</p> })}
            {(!entries.is_empty()).then(|| view! {
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t(Key::TimeDate)}</th>
                        <th scope="col">{t(Key::TimeProject)}</th>
                        <th scope="col">{t(Key::TimeNote)}</th>
                        <th scope="col" class="num">{t(Key::TimeHours)}</th>
                        <th scope="col" class="num">{t(Key::TimeValue)}</th>
                        <th scope="col">{t(Key::TimeState)}</th>
                        <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                    </tr></thead>
                    <tbody>
                        {entries.into_iter().map(|e| {
                            let id = e.id;
                            view! { <tr>
                                <td>{weekday(e.work_date, lang)}" "{date(e.work_date, lang)}</td>
                                <td>{e.project_label.clone()}{e.work_package_name.clone().map(|w| format!(" › {w}"))}</td>
                                <td>{e.note.clone()}{(!e.billable).then(|| view! { " "<span class="badge">{t(Key::TimeNotBillable)}</span> })}</td>
                                <td class="num">{format_hours(i64::from(e.minutes))}</td>
                                <td class="num"><Money amount=e.amount currency="EUR"/></td>
                                <td>{t(e.state.key())}</td>
                                <td>{(e.state == EntryState::Open).then(|| view! {
                                    <button type="button" class="button button-quiet" on:click=move |_| { delete.dispatch(DeleteTimeEntry { id }); }>{t(Key::TimeDelete)}</button>
                                })}</td>
                            </tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <FormError result=delete.value()/>
        </section>
    }
}

/// The secret iCal address of one's milestones and absences, made on request and shown once.
#[component]
fn CalendarFeed() -> impl IntoView {
    let create = ServerAction::<CreateCalendarFeed>::new();
    view! {
        <section class="card" aria-labelledby="time-calendar">
            <h2 id="time-calendar">{t(Key::CalSubscribe)}</h2>
            <p class="hint">{t(Key::CalHint)}</p>
            <button type="button" class="button" on:click=move |_| { create.dispatch(CreateCalendarFeed {}); }>{t(Key::CalCreate)}</button>
            {move || create.value().get().and_then(Result::ok).map(|url| view! {
                <div class="field">
                    <label for="calendar-url">{t(Key::CalAddress)}</label>
                    <input id="calendar-url" type="text" readonly value=url/>
                </div>
            })}
            <FormError result=create.value()/>
        </section>
    }
}
