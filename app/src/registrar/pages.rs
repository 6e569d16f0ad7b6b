//! Reconciliation pages: the upload with the list of earlier imports, and the report of
//! one import — progress while it runs, then its findings by tab, with "create contract"
//! for unbilled domains one at a time or in bulk.

use super::api::*;
use super::model::*;
use crate::domain::Permission;
use crate::error::FieldErrors;
use crate::i18n::{t, use_lang, Key};
use crate::inventory::pages::CustomerPicker;
use crate::ui::table::{use_page_request, PagedTable};
use crate::ui::toast::use_toasts;
use crate::ui::upload::{upload_action, FileUploadForm};
use crate::ui::{Date, ErrorBox, Loading, LocalTime, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

/// How often the report page asks for progress while an import runs.
const POLL_MILLIS: u64 = 700;

fn count(value: i32) -> String {
    crate::domain::format::number(rust_decimal::Decimal::from(value), 0, use_lang())
}

/// Upload form, the supported layouts, and the imports so far.
#[component]
pub fn ReconciliationPage() -> impl IntoView {
    let navigate = use_navigate();
    let start = upload_action(start_import);
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(&format!("/reconciliation/{id}"), Default::default());
        }
    });
    let choices = Action::new(|_: &()| import_form_data());
    Effect::new(move |_| {
        choices.dispatch(());
    });
    let registrars = move || {
        choices
            .value()
            .get()
            .and_then(Result::ok)
            .map(|c| c.registrars)
            .unwrap_or_default()
    };
    let request = use_page_request();
    let imports = Resource::new(move || request.get(), list_imports);
    view! {
        <Title text=t(Key::RegTitle)/>
        <h1>{t(Key::RegTitle)}</h1>
        <p class="lead">{t(Key::RegIntro)}</p>
        <section class="card" aria-labelledby="reg-upload">
            <h2 id="reg-upload">{t(Key::RegUpload)}</h2>
            <FileUploadForm action=start label=t(Key::RegFile) submit_label=t(Key::RegReconcile) hint=t(Key::RegFileHint)>
                <div class="field">
                    <label for="reg-registrar">{t(Key::RegRegistrar)}" *"</label>
                    <input id="reg-registrar" name="registrar" list="reg-registrars" autocomplete="off" required=true
                        aria-describedby="reg-registrar-hint"/>
                    <p class="hint" id="reg-registrar-hint">{t(Key::RegRegistrarHint)}</p>
                    <datalist id="reg-registrars">
                        {move || registrars().into_iter().map(|r| view! { <option value=r/> }).collect_view()}
                    </datalist>
                    {move || start.value().get().and_then(|r| r.err()).and_then(|e| e.field_errors().and_then(|f| f.get("registrar").map(str::to_owned)))
                        .map(|message| view! { <p class="field-error">{message}</p> })}
                </div>
                <div class="field checkbox">
                    <label>
                        <input type="checkbox" name="dry_run" value="1" checked=true/>
                        " "{t(Key::RegDryRun)}
                    </label>
                    <p class="hint">{t(Key::RegDryRunHint)}</p>
                </div>
            </FileUploadForm>
            <details class="formats">
                <summary>{t(Key::RegFormats)}</summary>
                <p>{t(Key::RegFormatsIntro)}</p>
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t(Key::RegLayout)}</th>
                        <th scope="col">{t(Key::RegColumns)}</th>
                    </tr></thead>
                    <tbody>
                        <tr><th scope="row">"Kontor"</th><td><code>"domain; expires_on; registered_on; status; auto_renew; renewal_price; currency"</code></td></tr>
                        <tr><th scope="row">"INWX"</th><td><code>"Domain; Status; Erstellt; Ablaufdatum; Verlängerungsmodus; Preis; Währung"</code></td></tr>
                        <tr><th scope="row">"Key-Systems / RRPproxy"</th><td><code>"DOMAIN, STATUS, CREATEDDATE, PAIDUNTILDATE | EXPIRATIONDATE, RENEWALMODE, PRICE, CURRENCY"</code></td></tr>
                    </tbody>
                </table>
            </details>
        </section>
        <section aria-labelledby="reg-history">
            <h2 id="reg-history">{t(Key::RegHistory)}</h2>
            <PagedTable data=imports empty=t(Key::RegNoImports)
                head=|| view! { <tr>
                    <th scope="col">{t(Key::RegStarted)}</th>
                    <th scope="col">{t(Key::RegRegistrar)}</th>
                    <th scope="col">{t(Key::RegFile)}</th>
                    <th scope="col">{t(Key::RegMode)}</th>
                    <th scope="col" class="num">{t(Key::RegLines)}</th>
                    <th scope="col" class="num">{t(Key::RegUnbilled)}</th>
                    <th scope="col" class="num">{t(Key::RegOrphaned)}</th>
                    <th scope="col" class="num">{t(Key::RegExpiryMismatch)}</th>
                    <th scope="col" class="num">{t(Key::RegRejected)}</th>
                </tr> }
                row=|import: ImportSummary| view! {
                    <tr>
                        <td><a href=format!("/reconciliation/{}", import.id)>
                            <LocalTime value=import.started_at.format("%Y-%m-%d %H:%M").to_string()/>
                        </a></td>
                        <td>{import.registrar.clone()}</td>
                        <td>{import.file_name.clone()}</td>
                        <td><ModeBadge import=import.clone()/></td>
                        <td class="num">{count(import.rows_total)}</td>
                        <td class="num">{count(import.unbilled)}</td>
                        <td class="num">{count(import.orphaned)}</td>
                        <td class="num">{count(import.expiry_mismatch)}</td>
                        <td class="num">{count(import.rejected)}</td>
                    </tr>
                }/>
        </section>
    }
}

/// Dry run, applied, not applied (bad lines), running or failed — in words.
#[component]
fn ModeBadge(import: ImportSummary) -> impl IntoView {
    let (class, key) = match import.status {
        ImportStatus::Running => ("badge badge-info", Key::RegRunning),
        ImportStatus::Failed => ("badge badge-bad", Key::RegFailed),
        ImportStatus::Done if import.dry_run => ("badge", Key::RegDryRunBadge),
        ImportStatus::Done if import.error == "rejected_rows" => {
            ("badge badge-warn", Key::RegNotApplied)
        }
        ImportStatus::Done => ("badge badge-ok", Key::RegApplied),
    };
    view! { <span class=class>{t(key)}</span> }
}

/// One import: progress while it runs, then the report.
#[component]
pub fn ReconciliationReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok()));
    let load = Action::new(|id: &Uuid| load_import(*id));
    Effect::new(move |_| {
        if let Some(id) = id() {
            load.dispatch(id);
        }
    });
    // ask again while it runs
    Effect::new(move |_| {
        if let Some(Ok(summary)) = load.value().get() {
            if summary.status == ImportStatus::Running {
                let id = summary.id;
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
        <Title text=t(Key::RegReport)/>
        <p><a href="/reconciliation">"← "{t(Key::RegTitle)}</a></p>
        {move || match load.value().get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            Some(Ok(summary)) if summary.status == ImportStatus::Running => view! { <Progress summary/> }.into_any(),
            Some(Ok(summary)) => view! { <Report summary/> }.into_any(),
        }}
    }
}

#[component]
fn Progress(summary: ImportSummary) -> impl IntoView {
    let lang = use_lang();
    let text = Key::RegProgress.fill(
        lang,
        &[
            ("done", &count(summary.rows_done)),
            ("total", &count(summary.rows_total)),
        ],
    );
    view! {
        <h1>{t(Key::RegReport)}" · "{summary.registrar.clone()}</h1>
        <div class="card" role="status" aria-live="polite">
            <p>{t(Key::RegWorking)}</p>
            <progress max="100" value=summary.percent() aria-label=t(Key::RegWorking)></progress>
            " "<span>{text}</span>
        </div>
    }
}

/// The report tabs: each finding with its count; the URL keeps the tab (`?view=`).
const TABS: [(&str, Key); 8] = [
    ("unbilled", Key::RegUnbilled),
    ("orphaned", Key::RegOrphaned),
    ("expiry_mismatch", Key::RegExpiryMismatch),
    ("price_drift", Key::RegPriceDrift),
    ("rejected", Key::RegRejected),
    ("ok", Key::RegOk),
    ("inactive", Key::RegInactive),
    ("all", Key::RegAll),
];

#[component]
fn Report(summary: ImportSummary) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let view_name = Memo::new(move |_| {
        query
            .with(|q| q.get("view"))
            .unwrap_or_else(|| "unbilled".to_owned())
    });
    let report_view = Memo::new(move |_| ReportView::parse(&view_name.get()));
    let request = use_page_request();
    let version = RwSignal::new(0u32);
    let id = summary.id;
    let rows = Resource::new(
        move || (report_view.get(), request.get(), version.get()),
        move |(view, page, _)| load_report(id, view, page),
    );
    let tab_count = {
        let s = summary.clone();
        move |name: &str| match name {
            "unbilled" => s.unbilled,
            "orphaned" => s.orphaned,
            "expiry_mismatch" => s.expiry_mismatch,
            "price_drift" => s.price_drift,
            "rejected" => s.rejected,
            "ok" => s.ok,
            "inactive" => s.inactive,
            _ => s.ok + s.unbilled + s.orphaned + s.inactive + s.rejected,
        }
    };
    let selected = RwSignal::new(Vec::<i32>::new());
    let can_create = crate::use_permission(Permission::ManageContracts);
    let note = if summary.dry_run {
        Key::RegNoteDryRun.text(lang).to_owned()
    } else if summary.error == "rejected_rows" {
        Key::RegNoteNotApplied.text(lang).to_owned()
    } else {
        Key::RegNoteApplied.fill(lang, &[("count", &count(summary.updated_domains))])
    };
    view! {
        <h1>{t(Key::RegReport)}" · "{summary.registrar.clone()}</h1>
        <p class="muted">
            {summary.file_name.clone()}" · "{summary.layout.clone()}" · "{summary.encoding.clone()}
            " · "{t(Key::RegReconciledOn)}" "<Date date=summary.reconciled_on/>" · "
            <ModeBadge import=summary.clone()/>
        </p>
        <p role="note">{note}</p>
        <nav class="tabs" aria-label=t(Key::RegFindings)>
            {TABS.into_iter().map(|(name, key)| {
                let number = tab_count(name);
                view! {
                    <a href=format!("?view={name}") aria-current=move || (view_name.get() == name).then_some("page")>
                        {t(key)}" "<span class="badge">{count(number)}</span>
                    </a>
                }
            }).collect_view()}
        </nav>
        {move || (report_view.get() == ReportView::Outcome(Outcome::Unbilled) && can_create.get()).then(|| view! {
            <CreateContracts import_id=id selected version/>
        })}
        <PagedTable data=rows empty=t(Key::RegNothingHere) class="report"
            head=move || view! { <tr>
                <th scope="col"><span class="visually-hidden">{t(Key::RegSelect)}</span></th>
                <th scope="col" class="num">{t(Key::RegLine)}</th>
                <th scope="col">{t(Key::Domain)}</th>
                <th scope="col">{t(Key::RegFinding)}</th>
                <th scope="col">{t(Key::RegAtRegistrar)}</th>
                <th scope="col">{t(Key::RegInKontor)}</th>
                <th scope="col" class="num">{t(Key::RegPrices)}</th>
            </tr> }
            row=move |row: ReportRow| view! { <ReportLine row selected can_create/> }/>
    }
}

#[component]
fn ReportLine(
    row: ReportRow,
    selected: RwSignal<Vec<i32>>,
    can_create: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let position = row.position;
    let selectable = row.outcome == Outcome::Unbilled && row.created_contract_id.is_none();
    let checkbox_label = Key::RegSelectDomain.fill(lang, &[("domain", &row.domain)]);
    let (outcome_class, outcome_key, icon) = match row.outcome {
        Outcome::Ok => ("badge badge-ok", Key::RegOk, "✓"),
        Outcome::Unbilled => ("badge badge-bad", Key::RegUnbilled, "€"),
        Outcome::Orphaned => ("badge badge-warn", Key::RegOrphaned, "?"),
        Outcome::Inactive => ("badge badge-off", Key::RegInactive, "–"),
        Outcome::Rejected => ("badge badge-bad", Key::RegRejected, "✖"),
    };
    let problem = row
        .problem
        .as_deref()
        .map(|code| problem_text(code, row.problem_field.as_deref(), row.duplicate_of, lang));
    let price_note = row.price_note.map(|note| match note {
        PriceNote::CostChanged => Key::RegCostChanged,
        PriceNote::NoListPrice => Key::RegNoListPrice,
        PriceNote::BelowCost => Key::RegBelowCost,
    });
    let currency = crate::use_currency().get_untracked();
    view! {
        <tr>
            <td>
                {(selectable && can_create.get_untracked()).then(|| view! {
                    <input type="checkbox" aria-label=checkbox_label
                        prop:checked=move || selected.with(|s| s.contains(&position))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|p| *p != position);
                                if on { s.push(position); }
                            });
                        }/>
                })}
            </td>
            <td class="num">{row.line.map_or_else(|| "—".to_owned(), |l| l.to_string())}</td>
            <td>{match row.domain_id {
                Some(domain_id) => view! { <a href=format!("/domains/{domain_id}")>{row.domain.clone()}</a> }.into_any(),
                None => view! { <span>{row.domain.clone()}</span> }.into_any(),
            }}</td>
            <td>
                <span class=outcome_class><span aria-hidden="true">{icon}" "</span>{t(outcome_key)}</span>
                {row.expiry_mismatch.then(|| view! { " "<span class="badge badge-warn">{t(Key::RegExpiryMismatch)}</span> })}
                {price_note.map(|key| view! { " "<span class="badge badge-warn">{t(key)}</span> })}
                {problem.map(|text| view! { <div class="field-error">{text}</div> })}
            </td>
            <td>
                {(!row.registrar_status.is_empty()).then(|| view! { <span class="muted">{row.registrar_status.clone()}" "</span> })}
                {row.registrar_expires_on.map(|date| view! { <Date date/> })}
                {row.auto_renew.map(|on| view! { <span class="muted">" · "{t(if on { Key::RegAutoRenewOn } else { Key::RegAutoRenewOff })}</span> })}
            </td>
            <td>
                {row.customer_id.zip(row.customer.clone()).map(|(customer_id, name)| view! {
                    <a href=format!("/customers/{customer_id}")>{name}</a><br/>
                })}
                {row.contract_id.zip(row.contract_number.clone()).map(|(contract_id, number)| view! {
                    <a href=format!("/contracts/{contract_id}")>{number}</a>" "
                })}
                {row.kontor_expires_on.map(|date| view! { <Date date/> })}
                {row.created_contract_id.zip(row.created_contract_number.clone()).map(|(contract_id, number)| view! {
                    <span class="badge badge-ok">{t(Key::RegContractCreated)}" "<a href=format!("/contracts/{contract_id}")>{number}</a></span>
                })}
            </td>
            <td class="num">
                {row.renewal_cost.map(|amount| view! { <span title=t(Key::RegRegistrarCost)><Money amount currency=currency.clone()/></span> })}
                {row.list_cost.map(|amount| view! { <br/><span class="muted" title=t(Key::RegListCost)>{t(Key::RegListCostShort)}" "<Money amount currency=currency.clone()/></span> })}
                {row.yearly_price.map(|amount| view! { <br/><span title=t(Key::RegYearlyPrice)>{t(Key::RegYearlyShort)}" "<Money amount currency=currency.clone()/></span> })}
            </td>
        </tr>
    }
}

/// A rejected line's reason as a sentence.
fn problem_text(
    code: &str,
    field: Option<&str>,
    duplicate_of: Option<i32>,
    lang: crate::i18n::Lang,
) -> String {
    let key = match code {
        "formula" => Key::RegProblemFormula,
        "domain" => Key::RegProblemDomain,
        "date" => Key::RegProblemDate,
        "price" => Key::RegProblemPrice,
        "renewal_mode" => Key::RegProblemRenewalMode,
        _ => Key::RegProblemDuplicate,
    };
    key.fill(
        lang,
        &[
            ("field", field.unwrap_or_default()),
            (
                "line",
                &duplicate_of.map(|l| l.to_string()).unwrap_or_default(),
            ),
        ],
    )
}

/// Bulk "create contract": customer for unknown domains, the domain product, and the button.
#[component]
fn CreateContracts(
    import_id: Uuid,
    selected: RwSignal<Vec<i32>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let customer = RwSignal::new(None::<Uuid>);
    let product = RwSignal::new(String::new());
    let choices = Action::new(|_: &()| import_form_data());
    Effect::new(move |_| {
        choices.dispatch(());
    });
    let create = Action::new(move |input: &CreateContractsInput| {
        create_contracts_from_report(input.clone())
    });
    let errors = Signal::derive(move || match create.value().get() {
        Some(Err(error)) => error.field_errors().cloned().unwrap_or_default(),
        _ => FieldErrors::default(),
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            toasts.success(
                Key::RegContractsCreated.fill(lang, &[("count", &created.len().to_string())]),
            );
            selected.set(Vec::new());
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateContractsInput {
            import_id,
            positions: selected.get_untracked(),
            customer_id: customer.get_untracked(),
            product_id: product.get_untracked().parse().ok(),
        });
    };
    let button = move || {
        Key::RegCreateContracts.fill(lang, &[("count", &selected.with(Vec::len).to_string())])
    };
    view! {
        <form class="card stack bulk" on:submit=submit novalidate aria-labelledby="reg-create">
            <h2 id="reg-create">{t(Key::RegCreateTitle)}</h2>
            <p class="hint">{t(Key::RegCreateHint)}</p>
            <div class="form-grid">
                <div class="field">
                    <label for="reg-product">{t(Key::RegProduct)}</label>
                    <select id="reg-product" on:change=move |ev| product.set(event_target_value(&ev))>
                        {move || choices.value().get().and_then(Result::ok).map(|c| c.products).unwrap_or_default().into_iter()
                            .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    {move || errors.get().get("product_id").map(|m| view! { <p class="field-error">{m.to_owned()}</p> })}
                </div>
                <CustomerPicker value=customer initial=None errors none=Key::RegCustomerFromDomain/>
            </div>
            {move || errors.get().get("positions").map(|m| view! { <p class="field-error" role="alert">{m.to_owned()}</p> })}
            <div class="actions">
                <button type="submit" class="button button-primary"
                    disabled=move || selected.with(Vec::is_empty) || create.pending().get()>{button}</button>
            </div>
        </form>
    }
}
