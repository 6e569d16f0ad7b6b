//! The usage page (CSV import with report, one-off entry, records list), the usage chart of
//! a contract (staff and portal) and the usage prices on the product page.

use super::api::{
    contract_usage_chart, import_usage_file, list_usage, load_usage_prices, portal_usage_chart,
    RecordUsage, SaveUsagePrices,
};
use super::model::*;
use crate::domain::format;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key, Lang};
use crate::ui::form::{field_errors, FieldError, FormError, TextField};
use crate::ui::table::{use_page_request, PagedTable, SortHeader};
use crate::ui::toast::use_toasts;
use crate::ui::upload::{upload_action, FileUploadForm};
use crate::ui::{ErrorBox, Loading, LocalTime};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A quantity as people read it: grouped, up to 4 decimals, no trailing zeros.
fn quantity_text(value: Decimal, lang: Lang) -> String {
    let value = value.normalize();
    format::number(value, value.scale().min(4), lang)
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let may_import = crate::use_permission(Permission::ImportUsage);
    let import = upload_action(import_usage_file);
    let record = ServerAction::<RecordUsage>::new();
    let query = use_query_map();
    let request = use_page_request();
    let filter = Memo::new(move |_| {
        query.with(|q| UsageFilter {
            contract_id: q
                .get("contract_id")
                .and_then(|id| Uuid::parse_str(&id).ok()),
            contract: q.get("contract").unwrap_or_default(),
            metric: q.get("metric").unwrap_or_default(),
            period_from: q.get("from").unwrap_or_default(),
            period_to: q.get("to").unwrap_or_default(),
        })
    });
    let records = Resource::new(
        move || {
            (
                filter.get(),
                request.get(),
                import.version().get(),
                record.version().get(),
            )
        },
        |(filter, page, _, _)| list_usage(filter, page),
    );
    let initial = filter.get_untracked();
    view! {
        <Title text=t(Key::UsageTitle)/>
        <h1>{t(Key::UsageTitle)}</h1>
        {move || may_import.get().then(|| view! {
            <div class="grid-2 align-start">
                <section class="card" aria-labelledby="usage-import-title">
                    <h2 id="usage-import-title">{t(Key::UsageImportTitle)}</h2>
                    <FileUploadForm action=import label=t(Key::UsageFile) hint=t(Key::UsageFileHint)
                        submit_label=t(Key::UsageImportButton)>
                        <label class="check" for="usage-dry-run">
                            <input type="checkbox" id="usage-dry-run" name="dry_run" value="1"/>
                            {t(Key::UsageDryRun)}
                        </label>
                    </FileUploadForm>
                    <CsvColumnsHelp/>
                </section>
                <RecordForm action=record/>
            </div>
        })}
        {move || import.value().get().and_then(Result::ok).map(|report| view! { <ImportReportView report/> })}
        <section class="card" aria-labelledby="usage-records-title">
            <h2 id="usage-records-title">{t(Key::UsageRecords)}</h2>
            <form method="get" class="filters" aria-label=t(Key::Filter)>
                <div class="field">
                    <label for="f-contract">{t(Key::UsageContract)}</label>
                    <input id="f-contract" name="contract" value=initial.contract.clone()/>
                </div>
                <div class="field">
                    <label for="f-metric">{t(Key::UsageMetric)}</label>
                    <input id="f-metric" name="metric" value=initial.metric.clone() placeholder="traffic_gb"/>
                </div>
                <div class="field">
                    <label for="f-from">{t(Key::UsagePeriodFrom)}</label>
                    <input id="f-from" name="from" type="month" value=initial.period_from.clone()/>
                </div>
                <div class="field">
                    <label for="f-to">{t(Key::UsagePeriodTo)}</label>
                    <input id="f-to" name="to" type="month" value=initial.period_to.clone()/>
                </div>
                {initial.contract_id.map(|id| view! { <input type="hidden" name="contract_id" value=id.to_string()/> })}
                <button type="submit" class="button">{t(Key::Filter)}</button>
            </form>
            <RecordsTable records/>
        </section>
    }
}

#[component]
fn RecordsTable(
    records: Resource<Result<crate::ui::paging::Page<UsageRow>, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <PagedTable data=records empty=t(Key::UsageNoRecords)
            head=|| view! { <tr>
                <SortHeader label=t(Key::UsageContract) column="contract"/>
                <SortHeader label=t(Key::UsageMetric) column="metric"/>
                <SortHeader label=t(Key::UsagePeriod) column="period"/>
                <SortHeader label=t(Key::UsageQuantity) column="quantity"/>
                <th scope="col">{t(Key::UsageSource)}</th>
                <SortHeader label=t(Key::UsageImported) column="imported"/>
                <th scope="col">{t(Key::UsageBilling)}</th>
            </tr> }
            row=move |r: UsageRow| view! {
                <tr>
                    <td><a href=format!("/contracts/{}", r.contract_id)>{r.contract_number}</a><br/><span class="muted">{r.customer_name}</span></td>
                    <td><code>{r.metric}</code></td>
                    <td>{period_label(r.period_start, lang)}</td>
                    <td class="num">{quantity_text(r.quantity, lang)}" "{r.unit}</td>
                    <td>{t(r.source.key())}</td>
                    <td><LocalTime value=r.imported_at/><br/><span class="muted">{r.imported_by}</span></td>
                    <td>{if r.billed {
                        view! { <span class="badge">{t(Key::UsageBilled)}</span> }.into_any()
                    } else {
                        view! { <span class="muted">{t(Key::UsageOpen)}</span> }.into_any()
                    }}</td>
                </tr>
            }/>
    }
}

/// Which columns a usage CSV has: shown next to the upload.
#[component]
fn CsvColumnsHelp() -> impl IntoView {
    let columns = [
        ("contract", Key::UsageColContract),
        ("domain", Key::UsageColDomain),
        ("metric", Key::UsageColMetric),
        ("period", Key::UsageColPeriod),
        ("quantity", Key::UsageColQuantity),
        ("unit", Key::UsageColUnit),
    ];
    view! {
        <details class="help">
            <summary>{t(Key::UsageColumnsTitle)}</summary>
            <p>{t(Key::UsageColumnsIntro)}</p>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t(Key::UsageColumn)}</th>
                    <th scope="col">{t(Key::UsageColumnMeaning)}</th>
                </tr></thead>
                <tbody>
                    {columns.into_iter().enumerate().map(|(i, (name, key))| {
                        let aliases = CSV_COLUMNS[i].iter().skip(1).copied().collect::<Vec<_>>().join(", ");
                        view! { <tr><td><code>{name}</code><br/><span class="muted">{aliases}</span></td><td>{t(key)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <p>{t(Key::UsageColumnsExample)}</p>
            <pre>"Vertrag;Domain;Metrik;Monat;Menge;Einheit\nV-00012;;traffic_gb;11/2026;1.234,5;GB\n;bäckerei-müller.de;mailboxes;2026-11;12;Postfach"</pre>
        </details>
    }
}

/// One quantity typed in (source "ui").
#[component]
fn RecordForm(action: ServerAction<RecordUsage>) -> impl IntoView {
    let errors: Signal<FieldErrors> = field_errors(action.value());
    let lang = use_lang();
    let toasts = use_toasts();
    let fields: [RwSignal<String>; 6] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let [contract, domain, metric, period, quantity, unit] = fields;
    Effect::new(move |_| {
        if let Some(Ok(report)) = action.value().get() {
            let key = match (report.new, report.updated) {
                (0, 0) => Key::UsageOutcomeUnchanged,
                (0, _) => Key::UsageOutcomeUpdated,
                _ => Key::UsageOutcomeNew,
            };
            toasts.success(format!(
                "{}: {}",
                Key::UsageRecorded.text(lang),
                key.text(lang)
            ));
            quantity.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="usage-record-title">
            <h2 id="usage-record-title">{t(Key::UsageRecordTitle)}</h2>
            <FormError result=action.value()/>
            <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                action.dispatch(RecordUsage { input: UsageInput {
                    line: 1,
                    contract: contract.get_untracked(),
                    domain: domain.get_untracked(),
                    metric: metric.get_untracked(),
                    period: period.get_untracked(),
                    quantity: quantity.get_untracked(),
                    unit: unit.get_untracked(),
                    formula_columns: Vec::new(),
                }});
            }>
                <div class="grid-2">
                    <TextField label=t(Key::UsageContract) name="contract" value=contract errors hint=t(Key::UsageContractHint)/>
                    <TextField label=t(Key::UsageDomain) name="domain" value=domain errors/>
                    <TextField label=t(Key::UsageMetric) name="metric" value=metric errors required=true hint="traffic_gb, storage_gb, mailboxes"/>
                    <TextField label=t(Key::UsagePeriod) name="period" value=period errors required=true kind="month"/>
                    <TextField label=t(Key::UsageQuantity) name="quantity" value=quantity errors required=true/>
                    <TextField label=t(Key::UsageUnit) name="unit" value=unit errors/>
                </div>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::UsageRecordButton)}</button>
            </form>
        </section>
    }
}

#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let lang = use_lang();
    let counts = Key::UsageReportCounts.fill(
        lang,
        &[
            ("new", &report.new.to_string()),
            ("updated", &report.updated.to_string()),
            ("unchanged", &report.unchanged.to_string()),
        ],
    );
    let (class, summary) = if report.rejected > 0 {
        (
            "alert alert-error",
            Key::UsageReportRejected.fill(
                lang,
                &[
                    ("rejected", &report.rejected.to_string()),
                    ("total", &report.total.to_string()),
                ],
            ),
        )
    } else if report.written {
        (
            "alert alert-success",
            format!("{} {counts}", t(Key::UsageReportWritten)),
        )
    } else {
        (
            "alert alert-info",
            format!("{} {counts}", t(Key::UsageReportDryRun)),
        )
    };
    let detected = report.encoding.clone().map(|encoding| {
        Key::UsageReportDetected.fill(
            lang,
            &[
                ("encoding", &encoding),
                ("delimiter", report.delimiter.as_deref().unwrap_or("")),
            ],
        )
    });
    let shown = report.rows.len();
    view! {
        <section class="card" aria-labelledby="usage-report-title">
            <h2 id="usage-report-title">{t(Key::UsageReportTitle)}</h2>
            <p class=class role="status">{summary}</p>
            {detected.map(|text| view! { <p class="muted">{text}</p> })}
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th scope="col" class="num">{t(Key::UsageLine)}</th>
                        <th scope="col">{t(Key::UsageReference)}</th>
                        <th scope="col">{t(Key::UsageMetric)}</th>
                        <th scope="col">{t(Key::UsagePeriod)}</th>
                        <th scope="col" class="num">{t(Key::UsageQuantity)}</th>
                        <th scope="col">{t(Key::UsageOutcome)}</th>
                    </tr></thead>
                    <tbody>
                        {report.rows.into_iter().map(|row| {
                            let rejected = row.outcome == Outcome::Rejected;
                            let reference = match &row.contract_number {
                                Some(number) if *number != row.reference => format!("{} → {number}", row.reference),
                                _ => row.reference.clone(),
                            };
                            view! {
                                <tr class:row-rejected=rejected>
                                    <td class="num">{row.line}</td>
                                    <td>{reference}</td>
                                    <td>{row.metric}</td>
                                    <td>{row.period}</td>
                                    <td class="num">{row.quantity}" "{row.unit}</td>
                                    <td>
                                        <span class="badge" class:badge-bad=rejected>
                                            {rejected.then_some("✗ ")}{t(row.outcome.key())}
                                        </span>
                                        {(!row.problems.is_empty()).then(|| view! {
                                            <ul class="problems">
                                                {row.problems.into_iter().map(|p| view! { <li><strong>{p.field}</strong>": "{p.message}</li> }).collect_view()}
                                            </ul>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {report.rows_truncated.then(|| view! {
                <p class="muted">{Key::UsageReportTruncated.fill(lang, &[("shown", &shown.to_string())])}</p>
            })}
        </section>
    }
}

/// Month label under a bar: `11/26`, `Nov 26`.
fn short_month(month: NaiveDate, lang: Lang) -> String {
    let label = period_label(month, lang);
    match lang {
        Lang::De => format!("{:02}/{:02}", month.month(), month.year() % 100),
        Lang::En => label
            .split_once(' ')
            .map(|(name, _)| format!("{name} {:02}", month.year() % 100))
            .unwrap_or(label),
    }
}

const CHART_WIDTH: f64 = 640.0;
const CHART_HEIGHT: f64 = 220.0;
const CHART_TOP: f64 = 22.0;
const CHART_BOTTOM: f64 = 30.0;

/// One metric as a bar chart: a bar per month with its value written on it, the included
/// quantity as a dashed line, bars above it hatched; the same numbers as a table below.
#[component]
fn SeriesChart(series: UsageSeries, months: Vec<NaiveDate>, id: String) -> impl IntoView {
    let lang = use_lang();
    let f = |value: Decimal| value.to_f64().unwrap_or(0.0);
    let highest = series
        .values
        .iter()
        .flatten()
        .copied()
        .chain(series.included)
        .max()
        .unwrap_or(Decimal::ZERO);
    let scale_max = if highest > Decimal::ZERO {
        f(highest) * 1.1
    } else {
        1.0
    };
    let plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    let y = move |value: f64| CHART_TOP + plot_height * (1.0 - value / scale_max);
    let slot = CHART_WIDTH / f64::from(u32::try_from(months.len().max(1)).unwrap_or(12));
    let over = |value: Decimal| series.included.is_some_and(|included| value > included);
    let title = Key::UsageChartTitle.fill(
        lang,
        &[
            ("metric", &metric_label(&series.metric, lang)),
            ("unit", &series.unit),
        ],
    );
    let last = series
        .values
        .iter()
        .zip(&months)
        .rev()
        .find_map(|(value, month)| value.map(|v| (v, *month)));
    let mut description = match last {
        Some((value, month)) => Key::UsageChartLatest.fill(
            lang,
            &[
                ("month", &period_label(month, lang)),
                ("value", &quantity_text(value, lang)),
                ("unit", &series.unit),
            ],
        ),
        None => String::new(),
    };
    if let Some(included) = series.included {
        description.push(' ');
        description.push_str(&Key::UsageChartIncluded.fill(
            lang,
            &[
                ("value", &quantity_text(included, lang)),
                ("unit", &series.unit),
            ],
        ));
    }
    let (title_id, desc_id, pattern_id) = (
        format!("{id}-title"),
        format!("{id}-desc"),
        format!("{id}-hatch"),
    );
    let hatch = format!("url(#{pattern_id})");
    let labelled_by = format!("{title_id} {desc_id}");
    let bars = series
        .values
        .iter()
        .zip(&months)
        .enumerate()
        .map(|(i, (value, month))| {
            let x = slot * f64::from(u32::try_from(i).unwrap_or(0));
            let center = x + slot / 2.0;
            let bar = value.map(|value| {
                let top = y(f(value));
                let label = quantity_text(value.round_dp(1), lang);
                view! {
                    // bars above the included quantity are hatched, not only coloured
                    <rect class=if over(value) { "bar-over" } else { "bar" } fill=over(value).then(|| hatch.clone())
                        x=format!("{:.1}", x + slot * 0.2) y=format!("{top:.1}")
                        width=format!("{:.1}", slot * 0.6) height=format!("{:.1}", (CHART_TOP + plot_height - top).max(0.0))/>
                    <text class="bar-value" x=format!("{center:.1}") y=format!("{:.1}", top - 4.0) text-anchor="middle">{label}</text>
                }
            });
            view! {
                <g>
                    {bar}
                    <text class="axis-label" x=format!("{center:.1}") y=format!("{:.1}", CHART_HEIGHT - 10.0) text-anchor="middle">{short_month(*month, lang)}</text>
                </g>
            }
        })
        .collect_view();
    let included_line = series.included.map(|included| {
        let line_y = format!("{:.1}", y(f(included)));
        view! {
            <line class="included-line" x1="0" x2=format!("{CHART_WIDTH:.0}") y1=line_y.clone() y2=line_y.clone()/>
            <text class="included-label" x=format!("{:.0}", CHART_WIDTH - 4.0) y=format!("{:.1}", y(f(included)) - 4.0) text-anchor="end">
                {Key::UsageIncludedShort.fill(lang, &[("value", &quantity_text(included, lang))])}
            </text>
        }
    });
    let rows = series
        .values
        .iter()
        .copied()
        .zip(months.iter().copied())
        .collect::<Vec<_>>();
    let unit = series.unit.clone();
    view! {
        <figure class="usage-chart">
            <svg role="img" aria-labelledby=labelled_by viewBox=format!("0 0 {CHART_WIDTH:.0} {CHART_HEIGHT:.0}")
                preserveAspectRatio="xMidYMid meet">
                <title id=title_id.clone()>{title.clone()}</title>
                <desc id=desc_id>{description}</desc>
                <defs>
                    <pattern id=pattern_id width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" class="hatch-ground"/>
                        <line x1="0" y1="0" x2="0" y2="6" class="hatch-stroke"/>
                    </pattern>
                </defs>
                <line class="axis" x1="0" x2=format!("{CHART_WIDTH:.0}") y1=format!("{:.1}", CHART_TOP + plot_height) y2=format!("{:.1}", CHART_TOP + plot_height)/>
                {bars}
                {included_line}
            </svg>
            <figcaption>{title}</figcaption>
            <details>
                <summary>{t(Key::UsageChartAsTable)}</summary>
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t(Key::UsagePeriod)}</th>
                        <th scope="col" class="num">{t(Key::UsageQuantity)}</th>
                        {series.included.is_some().then(|| view! { <th scope="col">{t(Key::UsageIncludedLabel)}</th> })}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(value, month)| view! {
                            <tr>
                                <td>{period_label(month, lang)}</td>
                                <td class="num">{value.map_or_else(|| "–".to_owned(), |v| format!("{} {}", quantity_text(v, lang), unit))}</td>
                                {series.included.map(|included| view! { <td>{match value {
                                    Some(v) if v > included => Key::UsageOverIncluded.fill(lang, &[("value", &quantity_text(v - included, lang)), ("unit", &unit)]),
                                    Some(_) => t(Key::UsageWithinIncluded).to_owned(),
                                    None => String::new(),
                                }}</td> })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// Every metric of a contract's usage, one chart each; nothing when no usage is recorded.
#[component]
pub fn UsageCharts(
    data: UsageChartData,
    #[prop(default = "usage")] id: &'static str,
) -> impl IntoView {
    (!data.series.is_empty()).then(|| {
        let months = data.months.clone();
        view! {
            <section class="card" aria-labelledby=format!("{id}-section-title")>
                <h2 id=format!("{id}-section-title")>{t(Key::UsageChartsTitle)}</h2>
                <div class="usage-charts">
                    {data.series.into_iter().map(|series| {
                        let chart_id = format!("{id}-{}", series.metric);
                        view! { <SeriesChart series months=months.clone() id=chart_id/> }
                    }).collect_view()}
                </div>
            </section>
        }
    })
}

// The sections below sit inside pages that already wait for their own data; like the
// customer file's sections they load after hydration (an action dispatched by an effect),
// because a resource created inside another one's `Suspend` does not hydrate reliably.

/// The usage section of the staff contract page; nothing while loading or without usage.
#[component]
pub fn ContractUsage(contract_id: Uuid) -> impl IntoView {
    let load = Action::new(move |id: &Uuid| contract_usage_chart(*id));
    Effect::new(move |_| {
        load.dispatch(contract_id);
    });
    move || match load.value().get() {
        None => ().into_any(),
        Some(Ok(data)) => {
            let link = (!data.series.is_empty()).then(|| view! {
                <p><a href=format!("/usage?contract_id={contract_id}")>{t(Key::UsageAllRecords)}</a></p>
            });
            view! { <UsageCharts data/>{link} }.into_any()
        }
        Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
    }
}

/// The usage section of a contract in the portal (the customer's own contracts only).
#[component]
pub fn PortalContractUsage(contract_id: Uuid) -> impl IntoView {
    let load = Action::new(move |id: &Uuid| portal_usage_chart(*id));
    Effect::new(move |_| {
        load.dispatch(contract_id);
    });
    move || match load.value().get() {
        None => ().into_any(),
        Some(Ok(data)) => view! { <UsageCharts data id="portal-usage"/> }.into_any(),
        Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
    }
}

/// One metric's row in the product's usage price editor.
#[derive(Clone, Copy)]
struct PriceRow {
    key: u32,
    metric: RwSignal<String>,
    unit: RwSignal<String>,
    included: RwSignal<String>,
    tiers: RwSignal<String>,
}

impl PriceRow {
    fn new(key: u32, price: &UsagePriceInput) -> PriceRow {
        PriceRow {
            key,
            metric: RwSignal::new(price.metric.clone()),
            unit: RwSignal::new(price.unit.clone()),
            included: RwSignal::new(price.included.clone()),
            tiers: RwSignal::new(tiers_text(&price.tiers)),
        }
    }

    fn input(&self) -> UsagePriceInput {
        UsagePriceInput {
            metric: self.metric.get_untracked(),
            unit: self.unit.get_untracked(),
            included: self.included.get_untracked(),
            tiers: tiers_from_text(&self.tiers.get_untracked()),
        }
    }
}

/// The usage prices section of the product page: read-only for staff, editable for those
/// who maintain prices.
#[component]
pub fn ProductUsagePrices(product_id: Uuid) -> impl IntoView {
    let save = ServerAction::<SaveUsagePrices>::new();
    // loaded once: after a save the editor already shows what was saved, and after a
    // refused one the person's input must stay
    let load = Action::new(move |id: &Uuid| load_usage_prices(*id));
    Effect::new(move |_| {
        load.dispatch(product_id);
    });
    let manage = crate::use_permission(Permission::ManageProducts);
    view! {
        <section class="card" aria-labelledby="usage-prices-title">
            <h2 id="usage-prices-title">{t(Key::UsagePricesTitle)}</h2>
            <p class="muted">{t(Key::UsagePricesHint)}</p>
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Ok(prices)) if manage.get_untracked() => view! { <UsagePriceEditor product_id prices save/> }.into_any(),
                Some(Ok(prices)) => view! { <UsagePriceTable prices/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn UsagePriceTable(prices: Vec<UsagePriceInput>) -> impl IntoView {
    if prices.is_empty() {
        return view! { <p>{t(Key::UsageNoPrices)}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr>
                <th scope="col">{t(Key::UsageMetric)}</th>
                <th scope="col">{t(Key::UsageUnit)}</th>
                <th scope="col" class="num">{t(Key::UsageIncludedLabel)}</th>
                <th scope="col">{t(Key::UsageTiers)}</th>
            </tr></thead>
            <tbody>
                {prices.into_iter().map(|p| view! {
                    <tr>
                        <td><code>{p.metric}</code></td>
                        <td>{p.unit}</td>
                        <td class="num">{p.included}</td>
                        <td class="pre">{tiers_text(&p.tiers)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn UsagePriceEditor(
    product_id: Uuid,
    prices: Vec<UsagePriceInput>,
    save: ServerAction<SaveUsagePrices>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let errors: Signal<FieldErrors> = field_errors(save.value());
    let next_key = StoredValue::new(u32::try_from(prices.len()).unwrap_or(0));
    let rows = RwSignal::new(
        prices
            .iter()
            .zip(0u32..)
            .map(|(price, key)| PriceRow::new(key, price))
            .collect::<Vec<_>>(),
    );
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(PriceRow::new(key, &UsagePriceInput::default())));
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.success(Key::Saved.text(lang));
        }
    });
    view! {
        <FormError result=save.value()/>
        <form class="stack" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let prices = rows.get_untracked().iter().map(PriceRow::input).collect();
            save.dispatch(SaveUsagePrices { product_id, prices });
        }>
            <For each=move || rows.get() key=|row| row.key let(row)>
                <PriceRowFields row rows errors/>
            </For>
            <FieldError errors field="usage_prices"/>
            <div class="actions">
                <button type="button" class="button" on:click=add>{t(Key::UsageAddPrice)}</button>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::UsageSavePrices)}</button>
            </div>
        </form>
    }
}

/// One metric's fields; errors are found by the row's current position (rows can be removed).
#[component]
fn PriceRowFields(
    row: PriceRow,
    rows: RwSignal<Vec<PriceRow>>,
    errors: Signal<FieldErrors>,
) -> impl IntoView {
    let lang = use_lang();
    let index = move || rows.with(|rows| rows.iter().position(|r| r.key == row.key).unwrap_or(0));
    let error_of = move |field: &'static str| {
        Signal::derive(move || {
            let name = format!("usage_prices.{}.{field}", index());
            errors.with(|e| e.get(&name).map(str::to_owned))
        })
    };
    let tiers_error = error_of("tiers");
    let id = |field: &str| format!("up-{}-{field}", row.key);
    view! {
        <fieldset class="usage-price">
            <legend>{move || Key::UsagePriceLegend.fill(lang, &[("n", &(index() + 1).to_string())])}</legend>
            <div class="grid-3">
                <PriceField label=t(Key::UsageMetric) id=id("metric") value=row.metric error=error_of("metric") placeholder="traffic_gb"/>
                <PriceField label=t(Key::UsageUnit) id=id("unit") value=row.unit error=error_of("unit") placeholder="GB"/>
                <PriceField label=t(Key::UsageIncludedLabel) id=id("included") value=row.included error=error_of("included") placeholder="100"/>
            </div>
            <div class="field" class:invalid=move || tiers_error.get().is_some()>
                <label for=id("tiers")>{t(Key::UsageTiers)}</label>
                <textarea id=id("tiers") rows="3" bind:value=row.tiers
                    aria-describedby=format!("{} {}", id("tiers-hint"), id("tiers-error"))></textarea>
                <p class="hint" id=id("tiers-hint")>{t(Key::UsageTiersHint)}</p>
                {move || tiers_error.get().map(|m| view! { <p class="field-error" id=format!("up-{}-tiers-error", row.key)>{m}</p> })}
            </div>
            <button type="button" class="button" on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))>
                {t(Key::UsageRemovePrice)}
            </button>
        </fieldset>
    }
}

#[component]
fn PriceField(
    #[prop(into)] label: String,
    id: String,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    placeholder: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input id=id bind:value=value placeholder=placeholder
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()/>
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}
