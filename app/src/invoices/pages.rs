//! Invoice pages: the list (drafts, issued, all; search), and one document with its lines,
//! periods, VAT breakdown and legal notes — issue it, credit it, download its e-invoice.

use super::api::*;
use super::model::*;
use crate::domain::Permission;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::FormError;
use crate::ui::paging::Page;
use crate::ui::table::{use_page_request, PagedTable, SearchBox};
use crate::ui::toast::use_toasts;
use crate::ui::{Date, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

mod editor;
use editor::{DraftEditor, Target};

fn status_label(summary: &InvoiceSummary) -> (&'static str, Key) {
    match (summary.status, summary.kind) {
        (InvoiceStatus::Preview, _) => ("badge", Key::InvoicePreviewBadge),
        (InvoiceStatus::Draft, _) => ("badge badge-warn", Key::InvoiceDraft),
        (InvoiceStatus::Issued, InvoiceKind::CreditNote) => {
            ("badge badge-info", Key::InvoiceCreditNote)
        }
        (InvoiceStatus::Issued, InvoiceKind::Invoice) => ("badge badge-ok", Key::InvoiceIssuedOne),
    }
}

/// A page of invoices as table rows (used by the list and by a billing run).
#[component]
pub fn InvoiceTable(data: Resource<Result<Page<InvoiceSummary>, AppError>>) -> impl IntoView {
    view! {
        <PagedTable data empty=t(Key::InvoiceNone)
            head=|| view! { <tr>
                <th scope="col">{t(Key::InvoiceNumber)}</th>
                <th scope="col">{t(Key::InvoiceCustomer)}</th>
                <th scope="col">{t(Key::InvoiceStatus)}</th>
                <th scope="col">{t(Key::InvoiceIssueDate)}</th>
                <th scope="col">{t(Key::InvoicePeriod)}</th>
                <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
                <th scope="col" class="num">{t(Key::InvoiceGross)}</th>
            </tr> }
            row=|invoice: InvoiceSummary| {
                let (class, key) = status_label(&invoice);
                let label = invoice.number.clone().unwrap_or_else(|| t(Key::InvoiceNoNumber).to_owned());
                view! {
                    <tr>
                        <td><a href=format!("/invoices/{}", invoice.id)>{label}</a></td>
                        <td>{invoice.buyer_name.clone()}" "<span class="muted">{invoice.customer_number.clone()}</span></td>
                        <td><span class=class>{t(key)}</span></td>
                        <td>{invoice.issue_date.map(|date| view! { <Date date/> })}</td>
                        <td>{invoice.period_start.zip(invoice.period_end).map(|(from, to)| view! { <Date date=from/>" – "<Date date=to/> })}</td>
                        <td class="num"><Money amount=invoice.net_total currency=invoice.currency.clone()/></td>
                        <td class="num"><Money amount=invoice.gross_total currency=invoice.currency.clone()/></td>
                    </tr>
                }
            }/>
    }
}

/// The status filters of the list (`?status=`), in words.
const STATUS_TABS: [(&str, Key); 3] = [
    ("draft", Key::InvoiceDrafts),
    ("issued", Key::InvoiceIssued),
    ("all", Key::InvoiceAll),
];

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .unwrap_or_else(|| "draft".to_owned())
    });
    let request = use_page_request();
    let may_bill = crate::use_permission(Permission::ManageBilling);
    let invoices = Resource::new(
        move || (status.get(), request.get()),
        |(status, page)| {
            list_invoices(
                InvoiceFilter {
                    status: InvoiceStatus::parse(&status),
                    ..InvoiceFilter::default()
                },
                page,
            )
        },
    );
    view! {
        <Title text=t(Key::InvoiceTitle)/>
        <h1>{t(Key::InvoiceTitle)}</h1>
        <div class="actions">
            <Show when=move || may_bill.get()>
                <a class="button button-primary" href="/invoices/new">{t(Key::InvoiceNew)}</a>
            </Show>
            <a class="button" href="/billing">{t(Key::BillTitle)}</a>
        </div>
        <nav class="tabs" aria-label=t(Key::InvoiceStatus)>
            <ul>
                {STATUS_TABS.into_iter().map(|(value, key)| view! {
                    <li><a href=format!("/invoices?status={value}")
                        aria-current=move || (status.get() == value).then_some("page")>{t(key)}</a></li>
                }).collect_view()}
            </ul>
        </nav>
        <SearchBox label=t(Key::InvoiceSearch)/>
        <InvoiceTable data=invoices/>
    }
}

/// A manual invoice: pick the customer, type the lines, save the draft.
#[component]
pub fn NewInvoicePage() -> impl IntoView {
    let customer = RwSignal::new(None::<Uuid>);
    let navigate = use_navigate();
    let saved =
        Callback::new(move |id: Uuid| navigate(&format!("/invoices/{id}"), Default::default()));
    view! {
        <Title text=t(Key::InvoiceNewTitle)/>
        <p><a href="/invoices">"← "{t(Key::InvoiceTitle)}</a></p>
        <h1>{t(Key::InvoiceNewTitle)}</h1>
        <crate::inventory::pages::CustomerPicker value=customer initial=None errors=Signal::derive(FieldErrors::default)/>
        <DraftEditor target=Target::New { customer } lines=Vec::new() note=String::new()
            currency="EUR".to_owned() saved/>
    }
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok())));
    let version = RwSignal::new(0u32);
    let invoice = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_invoice(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let (deliveries, mail_version) = crate::mail::pages::use_invoice_deliveries(id);
    // at the top of the page, like the deliveries: it hydrates reliably there
    let payments = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => crate::payments::api::load_invoice_payments(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=t(Key::InvoiceTitle)/>
        <p><a href="/invoices">"← "{t(Key::InvoiceTitle)}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match invoice.await {
                    Ok(detail) => view! { <InvoiceView detail version deliveries mail_version payments/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn InvoiceView(
    detail: InvoiceDetail,
    version: RwSignal<u32>,
    deliveries: Resource<Result<Vec<crate::mail::model::Delivery>, AppError>>,
    mail_version: RwSignal<u32>,
    payments: Resource<Result<crate::payments::model::InvoicePayments, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let german = lang == crate::i18n::Lang::De;
    let s = detail.summary.clone();
    let currency = s.currency.clone();
    let (badge_class, badge_key) = status_label(&s);
    let title = match (s.kind, &s.number) {
        (InvoiceKind::CreditNote, Some(number)) => {
            format!("{} {number}", t(Key::InvoiceCreditNote))
        }
        (InvoiceKind::Invoice, Some(number)) => format!("{} {number}", t(Key::InvoiceInvoice)),
        (InvoiceKind::CreditNote, None) => t(Key::InvoiceCreditNoteDraft).to_owned(),
        (InvoiceKind::Invoice, None) => t(Key::InvoiceDraftTitle).to_owned(),
    };
    let may_bill = crate::use_permission(Permission::ManageBilling);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let issue = ServerAction::<IssueInvoices>::new();
    let credit = ServerAction::<CreateCreditNote>::new();
    let discard = ServerAction::<DiscardInvoiceDraft>::new();
    let approve = ServerAction::<ApproveCreditNote>::new();
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = approve.value().get() {
            version.update(|v| *v += 1);
        }
    });
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(Ok(())) = discard.value().get() {
                toasts.success(t(Key::InvoiceDiscarded).to_owned());
                navigate("/invoices", Default::default());
            }
        });
    }
    let saved = Callback::new(move |_: Uuid| {
        toasts.success(t(Key::InvoiceSaved).to_owned());
        editing.set(false);
        version.update(|v| *v += 1);
    });
    Effect::new(move |_| {
        if let Some(Ok(issued)) = issue.value().get() {
            if let Some(first) = issued.first() {
                toasts.success(Key::InvoiceIssuedAs.fill(lang, &[("number", &first.number)]));
            }
            version.update(|v| *v += 1);
            mail_version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = credit.value().get() {
            navigate(&format!("/invoices/{id}"), Default::default());
        }
    });
    let id = s.id;
    let is_draft = s.status == InvoiceStatus::Draft;
    let can_credit = s.status == InvoiceStatus::Issued && s.kind == InvoiceKind::Invoice;
    let xml_format = detail.documents.iter().find(|f| *f != "pdf").cloned();
    let awaiting_approval = is_draft && detail.approval == Approval::Pending;
    let approval_text = match &detail.approval {
        Approval::Pending if is_draft => Some(t(Key::InvoiceAwaitingApproval).to_owned()),
        Approval::Approved { by, at } => Some(Key::InvoiceApprovedBy.fill(
            lang,
            &[
                ("name", by),
                ("date", &crate::domain::format::date(at.date_naive(), lang)),
            ],
        )),
        _ => None,
    };
    let totals = detail.totals.clone();
    let lines = detail.lines.clone();
    let (edit_lines, edit_note, edit_currency) =
        (detail.lines.clone(), detail.note.clone(), currency.clone());
    view! {
        <h1>{title}" "<span class=badge_class>{t(badge_key)}</span></h1>
        {detail.corrects.clone().map(|(original, number, _)| view! {
            <p>{t(Key::InvoiceCorrects)}" "<a href=format!("/invoices/{original}")>{number}</a></p>
        })}
        <div class="actions">
            <Show when=move || may_bill.get() && is_draft>
                <button type="button" class="button button-primary" disabled=move || issue.pending().get()
                    on:click=move |_| { issue.dispatch(IssueInvoices { input: IssueInput { ids: vec![id] } }); }>
                    {t(Key::InvoiceIssue)}
                </button>
            </Show>
            <Show when=move || may_bill.get() && is_draft && !editing.get()>
                <button type="button" class="button" on:click=move |_| editing.set(true)>{t(Key::InvoiceEdit)}</button>
                <crate::ui::table::ConfirmButton label=t(Key::InvoiceDiscard) question=t(Key::InvoiceDiscardConfirm) danger=true
                    on_confirm=move || { discard.dispatch(DiscardInvoiceDraft { id }); }/>
            </Show>
            <Show when=move || may_bill.get() && awaiting_approval>
                <button type="button" class="button" disabled=move || approve.pending().get()
                    on:click=move |_| { approve.dispatch(ApproveCreditNote { id }); }>
                    {t(Key::InvoiceApprove)}
                </button>
            </Show>
            <Show when=move || may_bill.get() && can_credit>
                <button type="button" class="button" disabled=move || credit.pending().get()
                    on:click=move |_| { credit.dispatch(CreateCreditNote { invoice_id: id }); }>
                    {t(Key::InvoiceCreateCreditNote)}
                </button>
            </Show>
            {(!detail.documents.is_empty()).then(|| view! {
                <a class="button" href=format!("/invoices/{id}/pdf") download="">{t(Key::InvoiceDownloadPdf)}</a>
            })}
            {xml_format.map(|format| view! {
                <a class="button" href=format!("/invoices/{id}/xml") download="">
                    {if format == "xrechnung" { t(Key::InvoiceDownloadXrechnung) } else { t(Key::InvoiceDownloadZugferd) }}
                </a>
            })}
        </div>
        <FormError result=issue.value()/>
        <FormError result=credit.value()/>
        <FormError result=discard.value()/>
        <FormError result=approve.value()/>
        {approval_text.map(|text| view! { <p class="status-line">{text}</p> })}
        {detail.creditable.map(|amount| view! {
            <p class="status-line">{Key::InvoiceCreditable.fill(lang, &[("amount", &crate::domain::format::money(amount, &s.currency, lang))])}</p>
        })}
        <div class="grid-2">
            <section class="card" aria-labelledby="inv-buyer">
                <h2 id="inv-buyer">{t(Key::InvoiceBuyer)}</h2>
                <address>
                    {s.buyer_name.clone()}<br/>
                    {detail.buyer_street.clone()}<br/>
                    {detail.buyer_postal_code.clone()}" "{detail.buyer_city.clone()}<br/>
                    {detail.buyer_country.clone()}
                </address>
                <p class="muted">{t(Key::InvoiceCustomerNumber)}": "<a href=format!("/customers/{}", s.customer_id)>{s.customer_number.clone()}</a></p>
                {detail.buyer_vat_id.clone().map(|vat| view! { <p class="muted">{t(Key::InvoiceBuyerVatId)}": "{vat}</p> })}
                {detail.buyer_leitweg_id.clone().map(|id| view! { <p class="muted">"Leitweg-ID: "{id}</p> })}
            </section>
            <section class="card" aria-labelledby="inv-dates">
                <h2 id="inv-dates">{t(Key::InvoiceDates)}</h2>
                <dl class="facts">
                    <div><dt>{t(Key::InvoiceIssueDate)}</dt><dd>{s.issue_date.map(|date| view! { <Date date/> })}</dd></div>
                    <div><dt>{t(Key::InvoiceDueDate)}</dt><dd>{s.due_date.map(|date| view! { <Date date/> })}</dd></div>
                    <div><dt>{t(Key::InvoicePeriod)}</dt><dd>{s.period_start.zip(s.period_end).map(|(from, to)| view! { <Date date=from/>" – "<Date date=to/> })}</dd></div>
                    <div><dt>{t(Key::InvoicePaymentMeans)}</dt><dd>{match &detail.direct_debit {
                        Some(terms) => Key::InvoiceByDirectDebit.fill(lang, &[
                            ("mandate", &terms.mandate_reference),
                            ("account", &crate::domain::sepa::masked_iban(&terms.debtor_iban)),
                        ]),
                        None => t(Key::InvoiceByTransfer).to_owned(),
                    }}</dd></div>
                </dl>
            </section>
        </div>
        <Show when=move || editing.get() fallback=move || view! { <LinesTable lines=lines.clone() totals=totals.clone() currency=currency.clone()/> }>
            <DraftEditor target=Target::Draft { id } lines=edit_lines.clone() note=edit_note.clone()
                currency=edit_currency.clone() saved>
                <button type="button" class="button" on:click=move |_| editing.set(false)>{t(Key::Cancel)}</button>
            </DraftEditor>
        </Show>
        {(!detail.note.is_empty()).then(|| view! { <p class="invoice-note">{detail.note.clone()}</p> })}
        {(!detail.tax_notes.is_empty()).then(|| view! {
            <section aria-labelledby="inv-notes">
                <h2 id="inv-notes">{t(Key::InvoiceLegalNotes)}</h2>
                <ul>{detail.tax_notes.iter().map(|note| view! { <li>{note.text(german)}</li> }).collect_view()}</ul>
            </section>
        })}
        {(s.status == InvoiceStatus::Issued && s.kind == InvoiceKind::Invoice).then(|| view! {
            <crate::payments::pages::InvoicePaymentsCard data=payments currency=s.currency.clone()/>
        })}
        {(s.status == InvoiceStatus::Issued).then(|| view! {
            <crate::mail::pages::InvoiceDeliveries invoice_id=id has_address=!detail.buyer_email.trim().is_empty()
                deliveries version=mail_version/>
        })}
    }
}

/// A document's lines with the VAT breakdown and totals.
#[component]
fn LinesTable(
    lines: Vec<InvoiceLine>,
    totals: crate::domain::invoice_math::Totals,
    currency: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table invoice-lines">
            <caption class="visually-hidden">{t(Key::InvoiceLines)}</caption>
            <thead><tr>
                <th scope="col" class="num">{t(Key::InvoicePos)}</th>
                <th scope="col">{t(Key::InvoiceDescription)}</th>
                <th scope="col">{t(Key::InvoicePeriod)}</th>
                <th scope="col" class="num">{t(Key::InvoiceQuantity)}</th>
                <th scope="col" class="num">{t(Key::InvoiceUnitPrice)}</th>
                <th scope="col" class="num">{t(Key::InvoiceVat)}</th>
                <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|line| {
                    let currency = currency.clone();
                    view! {
                        <tr>
                            <td class="num">{line.position}</td>
                            <td>{line.description.clone()}</td>
                            <td>{line.period_start.zip(line.period_end).map(|(from, to)| view! { <Date date=from/>" – "<Date date=to/> })}</td>
                            <td class="num">{crate::domain::format::number(line.quantity.normalize(), line.quantity.normalize().scale(), lang)}</td>
                            <td class="num"><Money amount=line.unit_price currency=currency.clone()/></td>
                            <td class="num">{vat_label(line.tax.code, line.tax.rate, lang)}</td>
                            <td class="num"><Money amount=line.net_amount currency/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr><th scope="row" colspan="6">{t(Key::InvoiceNetTotal)}</th><td class="num"><Money amount=totals.net currency=currency.clone()/></td></tr>
                {totals.groups.clone().into_iter().map(|group| {
                    let label = Key::InvoiceVatOn.fill(lang, &[
                        ("vat", &vat_label(group.tax.code, group.tax.rate, lang)),
                        ("basis", &crate::domain::format::money(group.basis, &currency, lang)),
                    ]);
                    view! { <tr><th scope="row" colspan="6">{label}</th><td class="num"><Money amount=group.amount currency=currency.clone()/></td></tr> }
                }).collect_view()}
                <tr class="total"><th scope="row" colspan="6">{t(Key::InvoiceGrossTotal)}</th><td class="num"><Money amount=totals.gross currency=currency.clone()/></td></tr>
            </tfoot>
        </table>
    }
}
