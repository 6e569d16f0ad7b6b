use super::api::*;
use super::model::*;
use crate::domain::payment_matching::MatchReason;
use crate::domain::receivables::AgingBucket;
use crate::domain::Permission;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::table::{use_page_request, PagedTable, SearchBox};
use crate::ui::toast::use_toasts;
use crate::ui::upload::{upload_action, FileUploadForm};
use crate::ui::{Date, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

fn reason_label(reason: MatchReason) -> Key {
    match reason {
        MatchReason::DirectDebit => Key::PayReasonDirectDebit,
        MatchReason::InvoiceNumber => Key::PayReasonNumber,
        MatchReason::UniqueAmount => Key::PayReasonAmount,
        MatchReason::PayerAccount => Key::PayReasonPayer,
        MatchReason::Manual => Key::PayReasonManual,
    }
}

fn status_badge(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Allocated => "badge badge-ok",
        PaymentStatus::Unmatched => "badge badge-warn",
        PaymentStatus::Ignored => "badge",
    }
}

/// Receivables in figures: open, overdue, DSO, credit, and the aging buckets as links.
#[component]
fn ReceivablesCard(version: RwSignal<u32>) -> impl IntoView {
    let receivables = Resource::new(move || version.get(), |_| load_receivables());
    view! {
        <section class="card" aria-labelledby="pay-receivables">
            <h2 id="pay-receivables">{t(Key::PayReceivables)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match receivables.await {
                        Ok(r) => view! { <ReceivablesFigures r/> }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReceivablesFigures(r: Receivables) -> impl IntoView {
    let lang = use_lang();
    let dso = r.dso_days.map_or_else(
        || "–".to_owned(),
        |days| {
            Key::PayDays.fill(
                lang,
                &[("days", &crate::domain::format::number(days, 1, lang))],
            )
        },
    );
    view! {
        <dl class="facts figures">
            <div><dt>{t(Key::PayOpenTotal)}</dt><dd><Money amount=r.open_total currency="EUR".to_owned()/></dd></div>
            <div><dt>{t(Key::PayOverdueTotal)}</dt><dd><Money amount=r.overdue_total currency="EUR".to_owned()/></dd></div>
            <div><dt><abbr title=t(Key::PayDsoLong)>"DSO"</abbr>" (90 "{t(Key::PayDaysWord)}")"</dt><dd>{dso}</dd></div>
            <div><dt>{t(Key::PayCustomerCredit)}</dt><dd><Money amount=r.customer_credit currency="EUR".to_owned()/></dd></div>
            <div><dt>{t(Key::PayToReview)}</dt><dd><a href="/payments?status=unmatched">{r.unmatched_count}</a></dd></div>
        </dl>
        <table class="table">
            <caption>{t(Key::PayAging)}</caption>
            <thead><tr>
                <th scope="col">{t(Key::PayBucket)}</th>
                <th scope="col" class="num">{t(Key::PayInvoices)}</th>
                <th scope="col" class="num">{t(Key::PayOpen)}</th>
            </tr></thead>
            <tbody>
                {r.buckets.into_iter().map(|(bucket, amount, count)| view! {
                    <tr>
                        <td><a href=format!("/open-items?bucket={}", bucket.as_str())>{t(bucket.label())}</a></td>
                        <td class="num">{count}</td>
                        <td class="num"><Money amount currency="EUR".to_owned()/></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

const STATUS_TABS: [(&str, Key); 4] = [
    ("unmatched", Key::PayStatusUnmatched),
    ("allocated", Key::PayStatusAllocated),
    ("ignored", Key::PayStatusIgnored),
    ("all", Key::InvoiceAll),
];

/// `/payments`: bank statement import, manual payments, the review list and all payments.
#[component]
pub fn PaymentsPage() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .unwrap_or_else(|| "all".to_owned())
    });
    let version = RwSignal::new(0u32);
    let request = use_page_request();
    let payments = Resource::new(
        move || (status.get(), request.get(), version.get()),
        |(status, page, _)| {
            list_payments(
                PaymentFilter {
                    status: PaymentStatus::parse(&status),
                    ..PaymentFilter::default()
                },
                page,
            )
        },
    );
    let import = upload_action(import_bank_statement);
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = import.value().get() {
            toasts.success(Key::PayImported.fill(
                lang,
                &[
                    ("entries", &outcome.entries.to_string()),
                    ("allocated", &outcome.allocated.to_string()),
                    ("unmatched", &outcome.unmatched.to_string()),
                    ("known", &outcome.known.to_string()),
                ],
            ));
            version.update(|v| *v += 1);
        }
    });
    let may_manage = crate::use_permission(Permission::ManageBilling);
    view! {
        <Title text=t(Key::PayTitle)/>
        <h1>{t(Key::PayTitle)}</h1>
        <p class="actions">
            <a href="/open-items">{t(Key::OpenItemsTitle)}" →"</a>
            <a href="/billing/direct-debits">{t(Key::SepaTitle)}" →"</a>
        </p>
        <ReceivablesCard version/>
        <Show when=move || may_manage.get()>
            <div class="grid-2 align-start">
                <section class="card" aria-labelledby="pay-import">
                    <h2 id="pay-import">{t(Key::PayImport)}</h2>
                    <FileUploadForm action=import label=t(Key::PayStatementFile) hint=t(Key::PayStatementHint)
                        submit_label=t(Key::PayImportButton) accept=".xml,application/xml,text/xml"/>
                    {move || import.value().get().and_then(Result::ok).map(|o| view! {
                        <p role="status">{Key::PayImported.fill(lang, &[
                            ("entries", &o.entries.to_string()), ("allocated", &o.allocated.to_string()),
                            ("unmatched", &o.unmatched.to_string()), ("known", &o.known.to_string()),
                        ])}</p>
                    })}
                </section>
                <ManualPayment version/>
            </div>
        </Show>
        <section aria-labelledby="pay-list">
            <h2 id="pay-list">{t(Key::PayList)}</h2>
            <nav class="tabs" aria-label=t(Key::PayStatus)>
                <ul>
                    {STATUS_TABS.into_iter().map(|(value, key)| view! {
                        <li><a href=format!("/payments?status={value}")
                            aria-current=move || (status.get() == value).then_some("page")>{t(key)}</a></li>
                    }).collect_view()}
                </ul>
            </nav>
            <SearchBox label=t(Key::PaySearch)/>
            <div class="table-scroll">
                <PagedTable data=payments empty=t(Key::PayNone)
                    head=|| view! { <tr>
                        <th scope="col">{t(Key::PayReceivedOn)}</th>
                        <th scope="col">{t(Key::PayPayer)}</th>
                        <th scope="col">{t(Key::PayRemittance)}</th>
                        <th scope="col" class="num">{t(Key::PayAmount)}</th>
                        <th scope="col">{t(Key::PayStatus)}</th>
                        <th scope="col">{t(Key::PayAllocatedTo)}</th>
                    </tr> }
                    row=move |payment: Payment| view! { <PaymentRow payment version/> }/>
            </div>
        </section>
    }
}

#[component]
fn PaymentRow(payment: Payment, version: RwSignal<u32>) -> impl IntoView {
    let review = payment.status == PaymentStatus::Unmatched;
    let currency = payment.currency.clone();
    view! {
        <tr>
            <td><Date date=payment.received_on/></td>
            <td>
                {payment.payer_name.clone()}
                {(!payment.payer_iban.is_empty()).then(|| view! { <br/><code>{crate::domain::bank::group_iban(&payment.payer_iban)}</code> })}
                {payment.customer_id.zip(payment.customer_name.clone()).map(|(id, name)| view! {
                    <br/><a href=format!("/customers/{id}")>{name}</a>
                })}
            </td>
            <td>{payment.remittance.clone()}{(!payment.note.is_empty()).then(|| view! { <br/><small class="muted">{payment.note.clone()}</small> })}</td>
            <td class="num"><Money amount=payment.amount currency=currency.clone()/></td>
            <td>
                <span class=status_badge(payment.status)>{t(payment.status.label())}</span>
                {payment.match_reason.map(|r| view! { <br/><small class="muted">{t(reason_label(r))}</small> })}
            </td>
            <td>
                {payment.allocations.iter().map(|a| view! {
                    <a href=format!("/invoices/{}", a.invoice_id)>{a.invoice_number.clone()}</a>
                    " "<Money amount=a.amount currency=currency.clone()/><br/>
                }).collect_view()}
                {(payment.unallocated != rust_decimal::Decimal::ZERO).then(|| view! {
                    <small>{t(Key::PayToBalance)}" "<Money amount=payment.unallocated currency=currency.clone()/></small>
                })}
                {review.then(|| view! { <AssignForm payment_id=payment.id version/> })}
            </td>
        </tr>
    }
}

#[component]
fn AssignForm(payment_id: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let numbers = RwSignal::new(String::new());
    let assign = ServerAction::<AssignPayment>::new();
    let errors = field_errors(assign.value());
    Effect::new(move |_| {
        if let Some(Ok(())) = assign.value().get() {
            toasts.success(t(Key::PayAssigned));
            version.update(|v| *v += 1);
        }
    });
    let field_id = format!("assign-{payment_id}");
    view! {
        <form class="inline-form wrap" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            assign.dispatch(AssignPayment { payment_id, input: AssignInput { invoice_numbers: numbers.get_untracked(), ..AssignInput::default() } });
        }>
            <label for=field_id.clone() class="visually-hidden">{t(Key::PayInvoiceNumbers)}</label>
            <input id=field_id type="text" placeholder=t(Key::PayInvoiceNumbers) bind:value=numbers
                aria-invalid=move || errors.with(|e| e.get("invoice_numbers").is_some()).to_string()/>
            <button type="submit" class="button button-small" disabled=move || assign.pending().get()>{t(Key::PayAssign)}</button>
            <button type="button" class="button button-small" disabled=move || assign.pending().get()
                on:click=move |_| { assign.dispatch(AssignPayment { payment_id, input: AssignInput { ignore: true, ..AssignInput::default() } }); }>
                {t(Key::PayIgnore)}
            </button>
            {move || errors.with(|e| e.get("invoice_numbers").or_else(|| e.get("customer_id")).map(|m| view! { <p class="field-error" role="alert">{m.to_owned()}</p> }))}
            <FormError result=assign.value()/>
        </form>
    }
}

#[component]
fn ManualPayment(version: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let numbers = RwSignal::new(String::new());
    let received_on = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let method = RwSignal::new("transfer".to_owned());
    let save = ServerAction::<RecordManualPayment>::new();
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            toasts.success(t(Key::PayRecorded));
            numbers.set(String::new());
            amount.set(String::new());
            note.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section class="card" aria-labelledby="pay-manual">
            <h2 id="pay-manual">{t(Key::PayManual)}</h2>
            <form class="stack" novalidate=true on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch(RecordManualPayment { input: PaymentInput {
                    invoice_numbers: numbers.get_untracked(),
                    received_on: received_on.get_untracked(),
                    amount: amount.get_untracked(),
                    method: method.get_untracked(),
                    note: note.get_untracked(),
                    customer_id: None,
                } });
            }>
                <TextField label=t(Key::PayInvoiceNumbers) name="invoice_numbers" value=numbers errors required=true hint=t(Key::PayInvoiceNumbersHint)/>
                <div class="grid-2">
                    <TextField label=t(Key::PayReceivedOn) name="received_on" value=received_on errors kind="date" required=true/>
                    <TextField label=t(Key::PayAmount) name="amount" value=amount errors required=true hint="119,00"/>
                </div>
                <div class="field">
                    <label for="pay-method">{t(Key::PayMethod)}</label>
                    <select id="pay-method" on:change=move |ev| method.set(event_target_value(&ev))>
                        <option value="transfer">{t(Key::PayMethodTransfer)}</option>
                        <option value="cash">{t(Key::PayMethodCash)}</option>
                        <option value="other">{t(Key::PayMethodOther)}</option>
                    </select>
                </div>
                <TextField label=t(Key::PayNote) name="note" value=note errors/>
                <FormError result=save.value()/>
                <div><button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(Key::PayRecord)}</button></div>
            </form>
        </section>
    }
}

/// `/open-items`: every issued invoice with an amount open, oldest due first, by bucket.
#[component]
pub fn OpenItemsPage() -> impl IntoView {
    let query = use_query_map();
    let bucket = Memo::new(move |_| {
        query
            .with(|q| q.get("bucket"))
            .and_then(|b| AgingBucket::parse(&b))
    });
    let request = use_page_request();
    let items = Resource::new(
        move || (bucket.get(), request.get()),
        |(bucket, page)| {
            list_open_items(
                OpenItemFilter {
                    bucket,
                    customer_id: None,
                },
                page,
            )
        },
    );
    let lang = use_lang();
    view! {
        <Title text=t(Key::OpenItemsTitle)/>
        <h1>{t(Key::OpenItemsTitle)}</h1>
        <p><a href="/payments">{t(Key::PayTitle)}" →"</a></p>
        <nav class="tabs" aria-label=t(Key::PayBucket)>
            <ul>
                <li><a href="/open-items" aria-current=move || bucket.get().is_none().then_some("page")>{t(Key::InvoiceAll)}</a></li>
                {AgingBucket::ALL.into_iter().map(|b| view! {
                    <li><a href=format!("/open-items?bucket={}", b.as_str())
                        aria-current=move || (bucket.get() == Some(b)).then_some("page")>{t(b.label())}</a></li>
                }).collect_view()}
            </ul>
        </nav>
        <SearchBox label=t(Key::InvoiceSearch)/>
        <div class="table-scroll">
            <PagedTable data=items empty=t(Key::OpenItemsNone)
                head=|| view! { <tr>
                    <th scope="col">{t(Key::InvoiceNumber)}</th>
                    <th scope="col">{t(Key::InvoiceCustomer)}</th>
                    <th scope="col">{t(Key::InvoiceIssueDate)}</th>
                    <th scope="col">{t(Key::InvoiceDueDate)}</th>
                    <th scope="col" class="num">{t(Key::OpenItemsDaysOverdue)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceGross)}</th>
                    <th scope="col" class="num">{t(Key::PayOpen)}</th>
                </tr> }
                row=move |item: OpenItem| view! {
                    <tr>
                        <td><a href=format!("/invoices/{}", item.invoice_id)>{item.number.clone()}</a>
                            {item.direct_debit.then(|| view! { " "<span class="badge badge-info">{t(Key::OpenItemsDirectDebit)}</span> })}</td>
                        <td><a href=format!("/customers/{}", item.customer_id)>{item.buyer_name.clone()}</a></td>
                        <td><Date date=item.issue_date/></td>
                        <td><Date date=item.due_date/></td>
                        <td class="num">
                            {if item.days_overdue > 0 {
                                view! { <span class="badge badge-bad">{Key::PayDays.fill(lang, &[("days", &item.days_overdue.to_string())])}</span> }.into_any()
                            } else {
                                view! { <span>{t(Key::AgingNotDue)}</span> }.into_any()
                            }}
                        </td>
                        <td class="num"><Money amount=item.gross_total currency=item.currency.clone()/></td>
                        <td class="num"><Money amount=item.open currency=item.currency.clone()/></td>
                    </tr>
                }/>
        </div>
    }
}

/// Paid, credited and open on the invoice page, with the payments.
#[component]
pub fn InvoicePaymentsCard(
    data: Resource<Result<InvoicePayments, AppError>>,
    currency: String,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="inv-payments">
            <h2 id="inv-payments">{t(Key::PayOfInvoice)}</h2>
            <Transition fallback=Loading>
                {move || {
                    let currency = currency.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(p) => {
                                let (badge, state) = if p.open <= rust_decimal::Decimal::ZERO {
                                    ("badge badge-ok", Key::PayStatePaid)
                                } else if p.overdue {
                                    ("badge badge-bad", Key::PayStateOverdue)
                                } else if p.paid > rust_decimal::Decimal::ZERO {
                                    ("badge badge-warn", Key::PayStatePartial)
                                } else {
                                    ("badge badge-info", Key::PayStateOpen)
                                };
                                view! {
                                    <p><span class=badge>{t(state)}</span></p>
                                    <dl class="facts">
                                        <div><dt>{t(Key::PayPaid)}</dt><dd><Money amount=p.paid currency=currency.clone()/></dd></div>
                                        {(p.credited > rust_decimal::Decimal::ZERO).then(|| view! {
                                            <div><dt>{t(Key::PayCredited)}</dt><dd><Money amount=p.credited currency=currency.clone()/></dd></div>
                                        })}
                                        <div><dt>{t(Key::PayOpen)}</dt><dd><Money amount=p.open currency=currency.clone()/></dd></div>
                                    </dl>
                                    {(!p.payments.is_empty()).then(|| view! {
                                        <ul class="plain">
                                            {p.payments.into_iter().map(|(date, amount, method, _)| view! {
                                                <li><Date date/>" · "<Money amount currency=currency.clone()/>" · "{method}</li>
                                            }).collect_view()}
                                        </ul>
                                    })}
                                }.into_any()
                            }
                            Err(error) => view! { <ErrorBox error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}
