//! Service check pages: the status overview, the form of a new or stored check with its
//! history and "check now", and the checks section of server and domain pages. Status is
//! always words and an icon; colour only adds to them.

use super::api::{
    create_check, list_check_results, list_checks, load_check, run_check, search_check_targets,
    update_check,
};
use super::model::*;
use crate::domain::Permission;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::inventory::pages::DaysLeft;
use crate::ui::form::{field_errors, FieldError, FormError, TextField};
use crate::ui::paging::{Page, PageRequest};
use crate::ui::table::{use_page_request, PagedTable, SearchBox, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use rust_decimal::Decimal;
use uuid::Uuid;

/// Intervals the form offers, in minutes.
const INTERVALS: [i32; 7] = [1, 5, 15, 30, 60, 360, 1440];

/// Up, down or unknown as an icon and words.
#[component]
pub fn CheckStatusText(status: CheckStatus) -> impl IntoView {
    let (class, icon) = match status {
        CheckStatus::Up => ("status status-ok", "✔"),
        CheckStatus::Down => ("status status-bad", "✖"),
        CheckStatus::Unknown => ("status muted", "?"),
    };
    view! { <span class=class><span aria-hidden="true">{icon}" "</span>{t(status.key())}</span> }
}

/// A percentage of uptime, or a dash without results.
#[component]
fn Uptime(value: Option<Decimal>) -> impl IntoView {
    let lang = use_lang();
    match value {
        Some(value) => {
            let text = format!("{} %", crate::domain::format::number(value, 2, lang));
            view! { <span class="num">{text}</span> }.into_any()
        }
        None => view! { <span class="muted">{t(Key::ChecksNoData)}</span> }.into_any(),
    }
}

fn milliseconds(ms: Option<i32>) -> String {
    ms.map(|ms| format!("{ms} ms")).unwrap_or_default()
}

/// The kind with its encryption, e.g. "IMAP · STARTTLS".
fn kind_label(kind: CheckKind, mode: TlsMode) -> String {
    match (kind, mode) {
        (CheckKind::Http, TlsMode::Implicit) => "HTTPS".to_owned(),
        (CheckKind::Http, _) => "HTTP".to_owned(),
        (CheckKind::Tls, _) | (CheckKind::Mysql, _) | (_, TlsMode::None) => {
            t(kind.key()).to_owned()
        }
        (_, mode) => format!("{} · {}", t(kind.key()), t(mode.key())),
    }
}

/// The problem and what the service said.
#[component]
fn Detail(problem: OptionalProblem, detail: String) -> impl IntoView {
    view! {
        {problem.0.map(|p| view! { <strong>{t(p.key())}</strong> " " })}
        {(!detail.is_empty()).then(|| view! { <code class="check-detail">{detail}</code> })}
    }
}

/// The status filter the URL describes (`?status=down`).
fn use_filter() -> Memo<CheckFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| CheckFilter {
            status: q.get("status").and_then(|s| CheckStatus::parse(&s)),
            ..CheckFilter::default()
        })
    })
}

#[component]
pub fn ChecksPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let checks = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_checks(filter, page),
    );
    let current = filter.get_untracked().status;
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <Title text=t(Key::ChecksTitle)/>
        <div class="page-head">
            <h1>{t(Key::ChecksTitle)}</h1>
            <SearchBox label=t(Key::ChecksSearch)/>
            {move || manage.get().then(|| view! { <a class="button button-primary" href="/checks/new">{t(Key::ChecksNew)}</a> })}
        </div>
        <form method="get" class="filters" aria-label=t(Key::Filter)>
            <div class="field">
                <label for="f-status">{t(Key::Status)}</label>
                <select id="f-status" name="status">
                    <option value="" selected=current.is_none()>{t(Key::All)}</option>
                    {CheckStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=current == Some(*s)>{t(s.key())}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <PagedTable data=checks empty=t(Key::ChecksNone)
            head=|| view! { <tr>
                <SortHeader label=t(Key::Status) column="status"/>
                <SortHeader label=t(Key::ChecksName) column="name"/>
                <SortHeader label=t(Key::ChecksKind) column="kind"/>
                <SortHeader label=t(Key::ChecksHost) column="host"/>
                <SortHeader label=t(Key::ChecksLastCheck) column="checked"/>
                <SortHeader label=t(Key::ChecksResponseTime) column="response"/>
                <th scope="col">{t(Key::ChecksUptime24h)}</th>
                <th scope="col">{t(Key::ChecksUptime30d)}</th>
                <SortHeader label=t(Key::ChecksCertificate) column="cert"/>
            </tr> }
            row=|c: CheckRow| view! { <CheckLine check=c/> }/>
    }
}

#[component]
fn CheckLine(check: CheckRow) -> impl IntoView {
    let c = check;
    let target_href = match (c.server_id, c.domain_id) {
        (Some(id), _) => format!("/servers/{id}"),
        (_, Some(id)) => format!("/domains/{id}"),
        _ => String::new(),
    };
    view! {
        <tr class:archived=!c.enabled>
            <td>
                <CheckStatusText status=c.state.status/>
                {(!c.enabled).then(|| view! { " " <span class="badge badge-off">{t(Key::ChecksPaused)}</span> })}
            </td>
            <td>
                <a href=format!("/checks/{}", c.id)>{c.name}</a><br/>
                <small><a href=target_href>{c.target_label}</a>
                    {c.customer.map(|name| view! { " · " {name} })}</small>
            </td>
            <td>{kind_label(c.kind, c.tls_mode)}</td>
            <td><code>{format!("{}:{}", c.host, c.port)}</code></td>
            <td>{c.state.last_checked_at.map(|at| view! { <LocalTime value=at/> })}</td>
            <td class="num">{milliseconds(c.state.last_response_ms)}</td>
            <td><Uptime value=c.state.uptime_24h/></td>
            <td><Uptime value=c.state.uptime_30d/></td>
            <td>{c.state.cert_days_left.map(|days| view! { <DaysLeft days/> })}</td>
        </tr>
    }
}

/// The form's values; texts as typed, checked by the server.
#[derive(Clone, Copy)]
struct FormState {
    target: RwSignal<Option<TargetOption>>,
    name: RwSignal<String>,
    kind: RwSignal<CheckKind>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    tls_mode: RwSignal<TlsMode>,
    path: RwSignal<String>,
    status_min: RwSignal<String>,
    status_max: RwSignal<String>,
    accept_untrusted: RwSignal<bool>,
    interval_minutes: RwSignal<i32>,
    timeout_seconds: RwSignal<String>,
    enabled: RwSignal<bool>,
}

/// Empty is "not given"; anything but a number becomes 0, which the server reports.
fn number_value(text: &str) -> Option<i32> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(0))
}

impl FormState {
    fn new(input: &CheckInput, target: Option<TargetOption>) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        FormState {
            target: RwSignal::new(target),
            name: s(&input.name),
            kind: RwSignal::new(input.kind),
            host: s(&input.host),
            port: RwSignal::new(input.port.map(|p| p.to_string()).unwrap_or_default()),
            tls_mode: RwSignal::new(input.tls_mode),
            path: s(&input.path),
            status_min: RwSignal::new(input.expected_status_min.to_string()),
            status_max: RwSignal::new(input.expected_status_max.to_string()),
            accept_untrusted: RwSignal::new(input.accept_untrusted),
            interval_minutes: RwSignal::new(input.interval_seconds / 60),
            timeout_seconds: RwSignal::new(input.timeout_seconds.to_string()),
            enabled: RwSignal::new(input.enabled),
        }
    }

    fn input(&self) -> CheckInput {
        let target = self.target.get_untracked();
        CheckInput {
            server_id: target.as_ref().and_then(|t| t.server_id),
            domain_id: target.as_ref().and_then(|t| t.domain_id),
            name: self.name.get_untracked(),
            kind: self.kind.get_untracked(),
            host: self.host.get_untracked(),
            port: number_value(&self.port.get_untracked()),
            tls_mode: self.tls_mode.get_untracked(),
            path: self.path.get_untracked(),
            expected_status_min: number_value(&self.status_min.get_untracked()).unwrap_or(0),
            expected_status_max: number_value(&self.status_max.get_untracked()).unwrap_or(0),
            accept_untrusted: self.accept_untrusted.get_untracked(),
            interval_seconds: self.interval_minutes.get_untracked().saturating_mul(60),
            timeout_seconds: number_value(&self.timeout_seconds.get_untracked()).unwrap_or(0),
            enabled: self.enabled.get_untracked(),
        }
    }
}

fn target_value(target: &TargetOption) -> String {
    match (target.server_id, target.domain_id) {
        (Some(id), _) => format!("server:{id}"),
        (_, Some(id)) => format!("domain:{id}"),
        _ => String::new(),
    }
}

fn target_label(target: &TargetOption) -> String {
    let kind = if target.server_id.is_some() {
        t(Key::ChecksTargetServer)
    } else {
        t(Key::ChecksTargetDomain)
    };
    let owner = target
        .customer
        .clone()
        .unwrap_or_else(|| t(Key::ChecksAgency).to_owned());
    format!("{kind}: {} · {owner}", target.name)
}

/// The server or domain watched: a search box narrowing a select; the chosen target stays
/// on offer when the search no longer finds it.
#[component]
fn TargetPicker(
    value: RwSignal<Option<TargetOption>>,
    #[prop(into)] errors: Signal<crate::error::FieldErrors>,
    /// The first search, e.g. the name of the target a new check came with.
    search: String,
) -> impl IntoView {
    let search = RwSignal::new(search);
    let found = Action::new(|search: &String| search_check_targets(search.clone()));
    Effect::new(move |_| {
        found.dispatch(search.get());
    });
    // the found entry of the chosen target wins: it names the customer
    let options = Signal::derive(move || {
        let found = found.value().get().and_then(Result::ok).unwrap_or_default();
        let mut options: Vec<TargetOption> = value
            .get()
            .into_iter()
            .filter(|c| !found.iter().any(|f| target_value(f) == target_value(c)))
            .collect();
        options.extend(found);
        options
    });
    let choose = move |ev| {
        let chosen = event_target_value(&ev);
        value.set(
            options
                .get_untracked()
                .into_iter()
                .find(|o| target_value(o) == chosen),
        );
    };
    view! {
        <div class="picker">
            <div class="field">
                <label for="target-search">{t(Key::ChecksSearchTarget)}</label>
                <input id="target-search" type="search" bind:value=search autocomplete="off"/>
            </div>
            <div class="field">
                <label for="field-target">{t(Key::ChecksTarget)}" *"</label>
                <select id="field-target" aria-describedby="field-target-error" on:change=choose>
                    <option value="" selected=move || value.get().is_none()>{t(Key::ChecksChooseTarget)}</option>
                    <For each=move || options.get() key=target_value let:option>
                        <option value=target_value(&option)
                            selected=move || value.get().as_ref().map(target_value) == Some(target_value(&option))>
                            {target_label(&option)}
                        </option>
                    </For>
                </select>
                <FieldError errors field="target"/>
            </div>
        </div>
    }
}

#[component]
fn CheckEditor(record: Option<Check>, reload: RwSignal<usize>) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let query = use_query_map();
    // a new check may come with its target from a server or domain page
    let target = match &record {
        Some(r) => Some(TargetOption {
            server_id: r.data.server_id,
            domain_id: r.data.domain_id,
            name: r.target_label.clone(),
            customer: r.customer_label.clone(),
        }),
        None => query.with_untracked(|q| {
            let id = |key: &str| q.get(key).and_then(|v| Uuid::parse_str(&v).ok());
            let (server_id, domain_id) = (id("server"), id("domain"));
            (server_id.is_some() || domain_id.is_some()).then(|| TargetOption {
                server_id,
                domain_id,
                name: q.get("label").unwrap_or_default(),
                customer: None,
            })
        }),
    };
    let first_search = match &record {
        None => target.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        Some(_) => String::new(),
    };
    let input = record.as_ref().map(|r| r.data.clone()).unwrap_or_default();
    let s = FormState::new(&input, target);
    let save = Action::new(move |input: &CheckInput| {
        let input = input.clone();
        async move {
            match id {
                None => create_check(input).await,
                Some(id) => update_check(id, input).await.map(|()| id),
            }
        }
    });
    let errors = field_errors(save.value());
    let toasts = use_toasts();
    let lang = use_lang();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.success(Key::Saved.text(lang));
            match id {
                None => navigate(&format!("/checks/{saved}"), Default::default()),
                Some(_) => reload.update(|n| *n += 1),
            }
        }
    });
    // a kind keeps a mode it supports; otherwise it takes its usual one
    Effect::watch(
        move || s.kind.get(),
        move |kind, _, _| {
            if !kind.tls_modes().contains(&s.tls_mode.get_untracked()) {
                s.tls_mode.set(kind.tls_modes()[0]);
            }
        },
        false,
    );
    let port_hint = Signal::derive(move || {
        let port = s.kind.get().default_port(s.tls_mode.get());
        Key::ChecksPortHint.fill(lang, &[("port", &port.to_string())])
    });
    let manage = crate::use_permission(Permission::ManageInventory);
    let mut intervals = INTERVALS.to_vec();
    if !intervals.contains(&s.interval_minutes.get_untracked()) {
        intervals.push(s.interval_minutes.get_untracked());
        intervals.sort_unstable();
    }
    let interval_label = move |minutes: i32| match minutes {
        1 => t(Key::ChecksEveryMinute).to_owned(),
        60 => t(Key::ChecksEveryHour).to_owned(),
        m if m % 60 == 0 => Key::ChecksEveryHours.fill(lang, &[("hours", &(m / 60).to_string())]),
        m => Key::ChecksEveryMinutes.fill(lang, &[("minutes", &m.to_string())]),
    };
    view! {
        <FormError result=save.value()/>
        <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(s.input());
        }>
            <fieldset class="plain stack" disabled=move || !manage.get()>
                <section class="card stack">
                    <TargetPicker value=s.target errors search=first_search/>
                    <TextField label=t(Key::ChecksName) name="name" value=s.name errors required=true hint=t(Key::ChecksNameHint)/>
                    <div class="grid-2">
                        <div class="field">
                            <label for="field-kind">{t(Key::ChecksKind)}</label>
                            <select id="field-kind" on:change=move |ev| {
                                if let Some(kind) = CheckKind::parse(&event_target_value(&ev)) { s.kind.set(kind); }
                            }>
                                {CheckKind::ALL.iter().map(|kind| view! {
                                    <option value=kind.as_str() selected=move || s.kind.get() == *kind>{t(kind.key())}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="field-tls_mode">{t(Key::ChecksTlsMode)}</label>
                            <select id="field-tls_mode" aria-describedby="field-tls_mode-error" on:change=move |ev| {
                                if let Some(mode) = TlsMode::parse(&event_target_value(&ev)) { s.tls_mode.set(mode); }
                            }>
                                {move || s.kind.get().tls_modes().iter().map(|mode| view! {
                                    <option value=mode.as_str() selected=move || s.tls_mode.get() == *mode>{t(mode.key())}</option>
                                }).collect_view()}
                            </select>
                            <FieldError errors field="tls_mode"/>
                        </div>
                    </div>
                    <div class="grid-2">
                        <TextField label=t(Key::ChecksHost) name="host" value=s.host errors hint=t(Key::ChecksHostHint)/>
                        <div class="field">
                            <label for="field-port">{t(Key::ChecksPort)}</label>
                            <input id="field-port" type="number" min="1" max="65535" bind:value=s.port
                                aria-describedby="field-port-hint field-port-error"/>
                            <p class="hint" id="field-port-hint">{port_hint}</p>
                            <FieldError errors field="port"/>
                        </div>
                    </div>
                    <Show when=move || s.kind.get() == CheckKind::Http>
                        <div class="grid-3">
                            <TextField label=t(Key::ChecksPath) name="path" value=s.path errors/>
                            <TextField label=t(Key::ChecksStatusMin) name="expected_status_min" value=s.status_min errors kind="number"/>
                            <TextField label=t(Key::ChecksStatusMax) name="expected_status_max" value=s.status_max errors kind="number"/>
                        </div>
                    </Show>
                    <label class="check" for="field-accept_untrusted">
                        <input type="checkbox" id="field-accept_untrusted" prop:checked=move || s.accept_untrusted.get()
                            on:change=move |ev| s.accept_untrusted.set(event_target_checked(&ev))/>
                        {t(Key::ChecksAcceptUntrusted)}
                    </label>
                    <div class="grid-2">
                        <div class="field">
                            <label for="field-interval_seconds">{t(Key::ChecksInterval)}</label>
                            <select id="field-interval_seconds" aria-describedby="field-interval_seconds-error" on:change=move |ev| {
                                if let Ok(minutes) = event_target_value(&ev).parse() { s.interval_minutes.set(minutes); }
                            }>
                                {intervals.into_iter().map(|minutes| view! {
                                    <option value=minutes.to_string() selected=move || s.interval_minutes.get() == minutes>{interval_label(minutes)}</option>
                                }).collect_view()}
                            </select>
                            <FieldError errors field="interval_seconds"/>
                        </div>
                        <TextField label=t(Key::ChecksTimeout) name="timeout_seconds" value=s.timeout_seconds errors kind="number"/>
                    </div>
                    <label class="check" for="field-enabled">
                        <input type="checkbox" id="field-enabled" prop:checked=move || s.enabled.get()
                            on:change=move |ev| s.enabled.set(event_target_checked(&ev))/>
                        {t(Key::ChecksEnabled)}
                    </label>
                </section>
            </fieldset>
            {move || manage.get().then(|| view! {
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::Save)}</button>
                    <a class="button" href="/checks">{t(Key::Cancel)}</a>
                </div>
            })}
        </form>
    }
}

#[component]
pub fn NewCheckPage() -> impl IntoView {
    view! {
        <Title text=t(Key::ChecksNew)/>
        <h1>{t(Key::ChecksNew)}</h1>
        <CheckEditor record=None reload=RwSignal::new(0)/>
    }
}

/// Where a stored check stands, with "check now".
#[component]
fn CheckSummary(check: Check, reload: RwSignal<usize>) -> impl IntoView {
    let id = check.id;
    let state = check.state;
    let run = Action::new(move |_: &()| run_check(id));
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(up)) = run.value().get() {
            let key = if up {
                Key::ChecksRanUp
            } else {
                Key::ChecksRanDown
            };
            toasts.success(key.text(lang));
            reload.update(|n| *n += 1);
        }
    });
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <section class="card stack" aria-labelledby="check-state-title">
            <h2 id="check-state-title">{t(Key::ChecksCurrentState)}</h2>
            <FormError result=run.value()/>
            <dl class="facts">
                <dt>{t(Key::Status)}</dt>
                <dd>
                    <CheckStatusText status=state.status/>
                    {(!check.data.enabled).then(|| view! { " " <span class="badge badge-off">{t(Key::ChecksPaused)}</span> })}
                </dd>
                <dt>{t(Key::ChecksConnectsTo)}</dt>
                <dd><code>{format!("{}:{}", check.effective_host, check.data.port.unwrap_or_default())}</code>
                    " · " {kind_label(check.data.kind, check.data.tls_mode)}</dd>
                <dt>{t(Key::ChecksLastCheck)}</dt>
                <dd>{match state.last_checked_at {
                    Some(at) => view! { <LocalTime value=at/> " · " {milliseconds(state.last_response_ms)} }.into_any(),
                    None => view! { <span class="muted">{t(Key::ChecksNeverRan)}</span> }.into_any(),
                }}</dd>
                <dt>{t(Key::ChecksResult)}</dt>
                <dd><Detail problem=state.last_problem detail=state.last_detail/></dd>
                <dt>{t(Key::ChecksUptime)}</dt>
                <dd>
                    "24 h: " <Uptime value=state.uptime_24h/> " · 7 d: " <Uptime value=state.uptime_7d/>
                    " · 30 d: " <Uptime value=state.uptime_30d/>
                </dd>
                {state.cert_expires_on.map(|date| view! {
                    <dt>{t(Key::ChecksCertificate)}</dt>
                    <dd><Date date/>{state.cert_days_left.map(|days| view! { " · " <DaysLeft days/> })}</dd>
                })}
            </dl>
            {move || manage.get().then(|| view! {
                <div class="actions">
                    <button type="button" class="button" disabled=move || run.pending().get()
                        on:click=move |_| { run.dispatch(()); }>
                        {move || if run.pending().get() { t(Key::ChecksRunning) } else { t(Key::ChecksRunNow) }}
                    </button>
                </div>
            })}
        </section>
    }
}

/// The history of a check, paged through the URL.
#[component]
fn History(id: Uuid, reload: RwSignal<usize>) -> impl IntoView {
    let request = use_page_request();
    let results = Resource::new(
        move || (request.get(), reload.get()),
        move |(page, _)| list_check_results(id, page),
    );
    view! {
        <section class="card stack" aria-labelledby="history-title">
            <h2 id="history-title">{t(Key::ChecksHistory)}</h2>
            <PagedTable data=results empty=t(Key::ChecksNoResults)
                head=|| view! { <tr>
                    <th scope="col">{t(Key::ChecksCheckedAt)}</th>
                    <th scope="col">{t(Key::Status)}</th>
                    <th scope="col">{t(Key::ChecksResponseTime)}</th>
                    <th scope="col">{t(Key::ChecksStatusCode)}</th>
                    <th scope="col">{t(Key::ChecksResult)}</th>
                    <th scope="col">{t(Key::ChecksCertificate)}</th>
                </tr> }
                row=|r: CheckResult| view! { <tr>
                    <td><LocalTime value=r.checked_at/></td>
                    <td><CheckStatusText status=if r.ok { CheckStatus::Up } else { CheckStatus::Down }/></td>
                    <td class="num">{milliseconds(r.response_ms)}</td>
                    <td class="num">{r.status_code.map(|c| c.to_string())}</td>
                    <td><Detail problem=r.problem detail=r.detail/></td>
                    <td>{r.cert_expires_on.map(|date| view! { <Date date/> })}</td>
                </tr> }/>
        </section>
    }
}

#[component]
pub fn CheckPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let reload = RwSignal::new(0_usize);
    let record = Resource::new(
        move || (id.get(), reload.get()),
        move |(id, _)| async move {
            match id {
                Some(id) => load_check(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(check) => {
                        let title = check.data.name.clone();
                        let subtitle = check.target_label.clone();
                        let check_id = check.id;
                        view! {
                            <Title text=title.clone()/>
                            <h1>{title}" "<small class="muted">{subtitle}</small></h1>
                            <CheckSummary check=check.clone() reload/>
                            <CheckEditor record=Some(check) reload/>
                            <History id=check_id reload/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The checks of one server or domain, for its page, with a link to add one.
#[component]
pub fn TargetChecks(
    #[prop(optional)] server_id: Option<Uuid>,
    #[prop(optional)] domain_id: Option<Uuid>,
    /// The server's or domain's name, carried into the new check's form.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let filter = CheckFilter {
        server_id,
        domain_id,
        ..CheckFilter::default()
    };
    let checks = Resource::new(
        move || filter.clone(),
        |filter| {
            let page = PageRequest {
                per_page: 50,
                ..PageRequest::default()
            };
            list_checks(filter, page)
        },
    );
    let new_href = match (server_id, domain_id) {
        (Some(id), _) => format!("/checks/new?server={id}&label={}", encode(&label)),
        (_, Some(id)) => format!("/checks/new?domain={id}&label={}", encode(&label)),
        _ => "/checks/new".to_owned(),
    };
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <section class="card stack" aria-labelledby="target-checks-title">
            <h2 id="target-checks-title">{t(Key::ChecksTitle)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match checks.await {
                        Ok(Page { items, .. }) if items.is_empty() => view! { <EmptyState title=t(Key::ChecksNone)/> }.into_any(),
                        Ok(page) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(Key::Status)}</th>
                                    <th scope="col">{t(Key::ChecksName)}</th>
                                    <th scope="col">{t(Key::ChecksLastCheck)}</th>
                                    <th scope="col">{t(Key::ChecksUptime30d)}</th>
                                    <th scope="col">{t(Key::ChecksCertificate)}</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|c| view! { <tr>
                                        <td><CheckStatusText status=c.state.status/></td>
                                        <td><a href=format!("/checks/{}", c.id)>{c.name}</a></td>
                                        <td>{c.state.last_checked_at.map(|at| view! { <LocalTime value=at/> })}</td>
                                        <td><Uptime value=c.state.uptime_30d/></td>
                                        <td>{c.state.cert_days_left.map(|days| view! { <DaysLeft days/> })}</td>
                                    </tr> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
            {move || manage.get().then(|| view! {
                <p><a class="button" href=new_href.clone()>{t(Key::ChecksNew)}</a></p>
            })}
        </section>
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
