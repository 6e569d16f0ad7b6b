//! Accounting pages: the revenue statistics with a monthly bar chart drawn here in the
//! browser from typed data (labels on every bar, a table of the same figures), and the
//! DATEV export for the tax advisor.

use super::api::*;
use super::model::*;
use crate::domain::format::{money, month, month_short, number};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::{Date, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::Decimal;

#[component]
pub fn RevenuePage() -> impl IntoView {
    let stats = Resource::new(|| (), |_| load_revenue_stats());
    view! {
        <Title text=t(Key::AccRevenueTitle)/>
        <h1>{t(Key::AccRevenueTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! { <RevenueView stats/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RevenueView(stats: RevenueStats) -> impl IntoView {
    let lang = use_lang();
    let eur = |amount: Decimal| money(amount, "EUR", lang);
    let change = stats.mrr - stats.mrr_year_ago;
    let today = stats.today;
    let change_text = format!(
        "{}{}",
        if change > Decimal::ZERO { "+" } else { "" },
        eur(change)
    );
    view! {
        <dl class="facts figures">
            <div><dt><abbr title=t(Key::AccMrrLong)>"MRR"</abbr></dt><dd>{eur(stats.mrr)}</dd></div>
            <div><dt><abbr title=t(Key::AccArrLong)>"ARR"</abbr></dt><dd>{eur(stats.arr)}</dd></div>
            <div><dt>{t(Key::AccActiveContracts)}</dt><dd>{number(Decimal::from(stats.active_contracts), 0, lang)}</dd></div>
            <div><dt>{t(Key::AccMrrChange)}" "{t(Key::AccVsYearAgo)}</dt><dd>{change_text}</dd></div>
        </dl>
        <section class="card" aria-labelledby="acc-months">
            <h2 id="acc-months">{t(Key::AccMonthly)}</h2>
            <MonthChart months=stats.months.clone()/>
            <details>
                <summary>{t(Key::AccAsTable)}</summary>
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t(Key::AccMonth)}</th>
                        <th scope="col" class="num">{t(Key::AccInvoiced)}</th>
                        <th scope="col" class="num">{t(Key::AccCredited)}</th>
                        <th scope="col" class="num">{t(Key::AccNet)}</th>
                    </tr></thead>
                    <tbody>{stats.months.iter().map(|m| view! { <tr>
                        <th scope="row">{month(m.month, lang)}</th>
                        <td class="num"><Money amount=m.invoiced currency="EUR"/></td>
                        <td class="num"><Money amount=m.credited currency="EUR"/></td>
                        <td class="num"><Money amount=m.net() currency="EUR"/></td>
                    </tr> }).collect_view()}</tbody>
                </table>
            </details>
        </section>
        <div class="grid-2">
            <ShareTable caption=Key::AccByCustomer shares=stats.by_customer.clone() link="/customers/"/>
            <ShareTable caption=Key::AccByProduct shares=stats.by_product.clone() link="/products/"/>
        </div>
        <div class="grid-2">
            <table class="table">
                <caption>{t(Key::AccChurn)}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::AccMonth)}</th>
                    <th scope="col" class="num">{t(Key::AccContracts)}</th>
                    <th scope="col" class="num">"MRR"</th>
                </tr></thead>
                <tbody>
                    {stats.churn.is_empty().then(|| view! { <tr><td colspan="3" class="muted">{t(Key::AccNoChurn)}</td></tr> })}
                    {stats.churn.iter().map(|c| view! { <tr>
                        <th scope="row">{month(c.month, lang)}</th>
                        <td class="num">{c.contracts}</td>
                        <td class="num"><Money amount=c.mrr currency="EUR"/></td>
                    </tr> }).collect_view()}
                </tbody>
            </table>
            <table class="table">
                <caption>{t(Key::AccRenewals)}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::AccRenewsOn)}</th>
                    <th scope="col">{t(Key::AccContract)}</th>
                    <th scope="col">{t(Key::AccNoticeBy)}</th>
                    <th scope="col" class="num">"MRR"</th>
                </tr></thead>
                <tbody>
                    {stats.renewals.is_empty().then(|| view! { <tr><td colspan="4" class="muted">{t(Key::AccNoRenewals)}</td></tr> })}
                    {stats.renewals.iter().map(|r| view! { <tr>
                        <td><Date date=r.renews_on/></td>
                        <td><a href=format!("/contracts/{}", r.contract_id)>{r.number.clone()}</a>" "{r.customer.clone()}
                            <br/><span class="muted">{r.description.clone()}</span></td>
                        <td><Date date=r.notice_by/>{(r.notice_by < today).then(|| view! { " "<span class="badge">{t(Key::AccNoticePassed)}</span> })}</td>
                        <td class="num"><Money amount=r.mrr currency="EUR"/></td>
                    </tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ShareTable(caption: Key, shares: Vec<RevenueShare>, link: &'static str) -> impl IntoView {
    view! {
        <table class="table">
            <caption>{t(caption)}</caption>
            <thead><tr>
                <th scope="col">{t(Key::AccName)}</th>
                <th scope="col" class="num">{t(Key::AccNet12)}</th>
            </tr></thead>
            <tbody>
                {shares.is_empty().then(|| view! { <tr><td colspan="2" class="muted">{t(Key::AccNoRevenue)}</td></tr> })}
                {shares.into_iter().map(|share| {
                    let label = if share.label.is_empty() { t(Key::AccOther).to_owned() } else { share.label.clone() };
                    view! { <tr>
                        <td>{match share.id {
                            Some(id) => view! { <a href=format!("{link}{id}")>{label}</a> }.into_any(),
                            None => view! { <span>{label}</span> }.into_any(),
                        }}</td>
                        <td class="num"><Money amount=share.net currency="EUR"/></td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}

const CHART_WIDTH: i32 = 720;
const CHART_HEIGHT: i32 = 240;
const AXIS: i32 = 28;
const HEADROOM: i32 = 22;

/// Bar height in pixels for `value` of `max` (both ≥ 0).
fn bar_height(value: Decimal, max: Decimal) -> i32 {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return 0;
    }
    let room = Decimal::from(CHART_HEIGHT - AXIS - HEADROOM);
    (value / max * room)
        .round()
        .to_string()
        .parse::<i32>()
        .unwrap_or(0)
}

/// Net revenue per month as bars; each bar names its month and amount, and can be reached
/// with the keyboard (its title is the tooltip).
#[component]
fn MonthChart(months: Vec<MonthRevenue>) -> impl IntoView {
    let lang = use_lang();
    let max = months
        .iter()
        .map(MonthRevenue::net)
        .max()
        .unwrap_or_default();
    let slot = CHART_WIDTH / i32::try_from(months.len().max(1)).unwrap_or(12);
    let label = t(Key::AccMonthly);
    view! {
        <svg class="chart" viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") role="img" aria-label=label>
            <line x1="0" x2=CHART_WIDTH y1=CHART_HEIGHT - AXIS y2=CHART_HEIGHT - AXIS class="chart-axis"/>
            {months.into_iter().enumerate().map(|(index, m)| {
                let x = i32::try_from(index).unwrap_or(0) * slot;
                let height = bar_height(m.net(), max);
                let top = CHART_HEIGHT - AXIS - height;
                let amount = money(m.net(), "EUR", lang);
                let name = month(m.month, lang);
                let axis = month_short(m.month, lang);
                let short_amount = number((m.net() / Decimal::from(1000)).round_dp(1), 1, lang);
                let described = format!("{name}: {amount}");
                let tooltip = described.clone();
                view! {
                    <g class="chart-bar" tabindex="0" aria-label=described>
                        <title>{tooltip}</title>
                        <rect x=x + 6 y=top width=slot - 12 height=height/>
                        <text x=x + slot / 2 y=top - 6 text-anchor="middle" class="chart-value">{format!("{short_amount}k")}</text>
                        <text x=x + slot / 2 y=CHART_HEIGHT - 8 text-anchor="middle" class="chart-label">{axis}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// The DATEV export: a period, a look at what it holds, the download.
#[component]
pub fn AccountingPage() -> impl IntoView {
    let lang = use_lang();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let check = ServerAction::<CheckDatevExport>::new();
    let errors = field_errors(check.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.dispatch(CheckDatevExport {
            input: ExportPeriod {
                from: from.get_untracked(),
                to: to.get_untracked(),
            },
        });
    };
    view! {
        <Title text=t(Key::AccDatevTitle)/>
        <h1>{t(Key::AccDatevTitle)}</h1>
        <p class="lead">{t(Key::AccDatevIntro)}</p>
        <p><a href="/billing/settings">{t(Key::BillSettingsTitle)}" →"</a></p>
        <form class="card stack" on:submit=submit novalidate>
            <div class="grid-2">
                <TextField label=t(Key::AccFrom) name="from" value=from errors kind="date" hint=t(Key::AccPeriodHint)/>
                <TextField label=t(Key::AccTo) name="to" value=to errors kind="date"/>
            </div>
            <div class="actions"><button type="submit" class="button button-primary" disabled=move || check.pending().get()>{t(Key::AccCheck)}</button></div>
        </form>
        <FormError result=check.value()/>
        {move || check.value().get().and_then(Result::ok).map(|summary| {
            let href = format!("/exports/datev?from={}&to={}", summary.from, summary.to);
            view! {
                <section class="card stack" aria-labelledby="acc-summary">
                    <h2 id="acc-summary">{summary.file_name.clone()}</h2>
                    <dl class="facts">
                        <div><dt>{t(Key::AccPeriod)}</dt><dd><Date date=summary.from/>" – "<Date date=summary.to/></dd></div>
                        <div><dt>{t(Key::AccInvoices)}</dt><dd>{summary.invoices}</dd></div>
                        <div><dt>{t(Key::AccCreditNotes)}</dt><dd>{summary.credit_notes}</dd></div>
                        <div><dt>{t(Key::AccPayments)}</dt><dd>{summary.payments}</dd></div>
                        <div><dt>{t(Key::AccBookings)}</dt><dd>{summary.bookings}</dd></div>
                        <div><dt>{t(Key::AccRevenueGross)}</dt><dd>{money(summary.revenue_gross, "EUR", lang)}</dd></div>
                    </dl>
                    <a class="button button-primary" href=href download=summary.file_name.clone()>{t(Key::AccDownload)}</a>
                </section>
            }
        })}
    }
}
