//! The draft editor: lines with description, quantity, unit, price, VAT category and an
//! optional period, typed in German or English notation, with each line's net amount as
//! you type. The server checks again and names every bad field (`lines.{i}.{field}`).

use super::super::api::{CreateManualInvoice, SaveInvoiceDraft};
use super::super::model::{DraftInput, DraftLineInput, InvoiceLine};
use crate::domain::billing::LineKind;
use crate::domain::format::{parse_decimal, typed};
use crate::domain::invoice_math::{category_of, line_net};
use crate::domain::tax::VatCategory;
use crate::error::FieldErrors;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError};
use crate::ui::Money;
use leptos::prelude::*;
use uuid::Uuid;

/// Units offered (UN/ECE recommendation 20); another stored code stays selectable.
const UNITS: [(&str, Key); 7] = [
    ("C62", Key::UnitPiece),
    ("HUR", Key::UnitHour),
    ("DAY", Key::UnitDay),
    ("MON", Key::UnitMonth),
    ("ANN", Key::UnitYear),
    ("GB", Key::UnitGigabyte),
    ("LS", Key::UnitLumpSum),
];

const CATEGORIES: [(VatCategory, Key); 4] = [
    (VatCategory::Standard, Key::VatStandard),
    (VatCategory::Reduced, Key::VatReduced),
    (VatCategory::Zero, Key::VatZero),
    (VatCategory::Exempt, Key::VatExempt),
];

/// One line while it is edited; `key` tells rows apart while lines come and go.
#[derive(Clone, Copy)]
struct Row {
    key: u32,
    id: Option<Uuid>,
    /// From a contract: its period is fixed and it cannot be removed.
    from_contract: bool,
    description: RwSignal<String>,
    quantity: RwSignal<String>,
    unit_code: RwSignal<String>,
    unit_price: RwSignal<String>,
    vat_category: RwSignal<VatCategory>,
    period_start: RwSignal<String>,
    period_end: RwSignal<String>,
}

impl Row {
    fn blank(key: u32) -> Row {
        Row {
            key,
            id: None,
            from_contract: false,
            description: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".to_owned()),
            unit_code: RwSignal::new("C62".to_owned()),
            unit_price: RwSignal::new(String::new()),
            vat_category: RwSignal::new(VatCategory::Standard),
            period_start: RwSignal::new(String::new()),
            period_end: RwSignal::new(String::new()),
        }
    }

    fn of(key: u32, line: &InvoiceLine, lang: crate::i18n::Lang) -> Row {
        let decimal = |value| typed(value, lang);
        Row {
            key,
            id: Some(line.id),
            from_contract: line.kind != LineKind::Manual || line.contract_id.is_some(),
            description: RwSignal::new(line.description.clone()),
            quantity: RwSignal::new(decimal(line.quantity)),
            unit_code: RwSignal::new(line.unit_code.clone()),
            unit_price: RwSignal::new(decimal(line.unit_price)),
            vat_category: RwSignal::new(category_of(&line.tax)),
            period_start: RwSignal::new(
                line.period_start.map(|d| d.to_string()).unwrap_or_default(),
            ),
            period_end: RwSignal::new(line.period_end.map(|d| d.to_string()).unwrap_or_default()),
        }
    }

    fn input(&self) -> DraftLineInput {
        DraftLineInput {
            id: self.id,
            description: self.description.get_untracked(),
            quantity: self.quantity.get_untracked(),
            unit_code: self.unit_code.get_untracked(),
            unit_price: self.unit_price.get_untracked(),
            vat_category: self.vat_category.get_untracked(),
            period_start: self.period_start.get_untracked(),
            period_end: self.period_end.get_untracked(),
        }
    }

    /// Quantity × price as typed, once both read as numbers.
    fn net(&self) -> Option<rust_decimal::Decimal> {
        Some(line_net(
            parse_decimal(&self.quantity.get())?,
            parse_decimal(&self.unit_price.get())?,
        ))
    }
}

/// Where the editor's content goes: a new manual invoice for the picked customer, or an
/// existing draft.
#[derive(Clone, Copy)]
pub enum Target {
    New { customer: RwSignal<Option<Uuid>> },
    Draft { id: Uuid },
}

/// The editor of a draft's note and lines. `saved` gets the draft's id after saving.
#[component]
pub fn DraftEditor(
    target: Target,
    lines: Vec<InvoiceLine>,
    note: String,
    currency: String,
    #[prop(into)] saved: Callback<Uuid>,
    /// Shown next to Save (e.g. Cancel).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let lang = use_lang();
    let next_key = StoredValue::new(u32::try_from(lines.len()).unwrap_or(0));
    let initial: Vec<Row> = if lines.is_empty() {
        vec![Row::blank(0)]
    } else {
        (0..)
            .zip(&lines)
            .map(|(key, line)| Row::of(key, line, lang))
            .collect()
    };
    let rows = RwSignal::new(initial);
    let note = RwSignal::new(note);
    let create = ServerAction::<CreateManualInvoice>::new();
    let save = ServerAction::<SaveInvoiceDraft>::new();
    let pending = Signal::derive(move || create.pending().get() || save.pending().get());
    let errors: Signal<FieldErrors> = {
        let created = field_errors(create.value());
        let saved = field_errors(save.value());
        Signal::derive(move || match target {
            Target::New { .. } => created.get(),
            Target::Draft { .. } => saved.get(),
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            saved.run(id);
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(())), Target::Draft { id }) = (save.value().get(), target) {
            saved.run(id);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = DraftInput {
            customer_id: match target {
                Target::New { customer } => customer.get_untracked(),
                Target::Draft { .. } => None,
            },
            note: note.get_untracked(),
            lines: rows.get_untracked().iter().map(Row::input).collect(),
        };
        match target {
            Target::New { .. } => {
                create.dispatch(CreateManualInvoice { input });
            }
            Target::Draft { id } => {
                save.dispatch(SaveInvoiceDraft { id, input });
            }
        }
    };
    let add = move |_| {
        let key = next_key.get_value() + 1;
        next_key.set_value(key);
        rows.update(|rows| rows.push(Row::blank(key)));
    };
    let net_total = {
        let currency = currency.clone();
        move || {
            let sum: rust_decimal::Decimal =
                rows.with(|rows| rows.iter().filter_map(Row::net).sum());
            view! { <Money amount=sum currency=currency.clone()/> }
        }
    };
    let index_of =
        move |key: u32| rows.with(|rows| rows.iter().position(|r| r.key == key).unwrap_or(0));
    view! {
        <form class="draft-editor stack" on:submit=submit novalidate>
            <FieldError errors field="customer_id"/>
            <FieldError errors field="lines"/>
            <div class="table-scroll">
            <table class="table invoice-lines editing">
                <caption class="visually-hidden">{t(Key::InvoiceLines)}</caption>
                <thead><tr>
                    <th scope="col" class="num">{t(Key::InvoicePos)}</th>
                    <th scope="col">{t(Key::InvoiceDescription)}" / "{t(Key::InvoicePeriod)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceQuantity)}</th>
                    <th scope="col">{t(Key::InvoiceUnit)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceUnitPrice)}</th>
                    <th scope="col">{t(Key::InvoiceVat)}</th>
                    <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.key let:row>
                        {
                            let currency = currency.clone();
                            let position = move || index_of(row.key) + 1;
                            let field = move |name: &str| format!("lines.{}.{name}", index_of(row.key));
                            let error = move |name: &'static str| {
                                let field = field(name);
                                errors.with(|e| e.get(&field).map(str::to_owned))
                            };
                            let input_id = move |name: &str| format!("line-{}-{name}", row.key);
                            let label = move |key: Key| format!("{}, {} {}", t(key), t(Key::InvoicePos), position());
                            let cell = move |name: &'static str, value: RwSignal<String>, key: Key, kind: &'static str| {
                                let error_id = input_id(&format!("{name}-error"));
                                view! {
                                    <input id=input_id(name) type=kind bind:value=value aria-label=move || label(key)
                                        aria-invalid=move || if error(name).is_some() { "true" } else { "false" }
                                        aria-describedby=error_id.clone()/>
                                    {move || error(name).map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
                                }
                            };
                            view! {
                                <tr class:contract-line=row.from_contract>
                                    <td class="num">{position}</td>
                                    <td class="wide">{cell("description", row.description, Key::InvoiceDescription, "text")}
                                        {if row.from_contract {
                                            view! { <p class="hint">{t(Key::InvoiceContractLine)}": "
                                                {move || row.period_start.get()}" – "{move || row.period_end.get()}</p> }.into_any()
                                        } else {
                                            view! { <div class="line-period">
                                                {cell("period_start", row.period_start, Key::InvoicePeriodFrom, "date")}
                                                {cell("period_end", row.period_end, Key::InvoicePeriodTo, "date")}
                                            </div> }.into_any()
                                        }}
                                    </td>
                                    <td class="num">{cell("quantity", row.quantity, Key::InvoiceQuantity, "text")}</td>
                                    <td>
                                        <select aria-label=move || label(Key::InvoiceUnit)
                                            on:change=move |ev| row.unit_code.set(event_target_value(&ev))>
                                            {(!UNITS.iter().any(|(code, _)| *code == row.unit_code.get_untracked())).then(|| {
                                                let code = row.unit_code.get_untracked();
                                                view! { <option value=code.clone() selected=true>{code.clone()}</option> }
                                            })}
                                            {UNITS.into_iter().map(|(code, key)| view! {
                                                <option value=code selected=move || row.unit_code.get() == code>{t(key)}</option>
                                            }).collect_view()}
                                        </select>
                                        {move || error("unit_code").map(|message| view! { <p class="field-error">{message}</p> })}
                                    </td>
                                    <td class="num">{cell("unit_price", row.unit_price, Key::InvoiceUnitPrice, "text")}</td>
                                    <td>
                                        <select aria-label=move || label(Key::InvoiceVat)
                                            on:change=move |ev| {
                                                if let Some(category) = VatCategory::parse(&event_target_value(&ev)) {
                                                    row.vat_category.set(category);
                                                }
                                            }>
                                            {CATEGORIES.into_iter().map(|(category, key)| view! {
                                                <option value=category.as_str() selected=move || row.vat_category.get() == category>{t(key)}</option>
                                            }).collect_view()}
                                        </select>
                                    </td>
                                    <td class="num">{move || row.net().map(|amount| view! { <Money amount currency=currency.clone()/> })}</td>
                                    <td>{(!row.from_contract).then(|| view! {
                                        <button type="button" class="button button-small"
                                            aria-label=move || format!("{}, {} {}", t(Key::InvoiceRemoveLine), t(Key::InvoicePos), position())
                                            on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))>
                                            {t(Key::InvoiceRemoveLine)}
                                        </button>
                                    })}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
                <tfoot>
                    <tr><th scope="row" colspan="6">{t(Key::InvoiceNetTotal)}</th><td class="num">{net_total}</td><td></td></tr>
                </tfoot>
            </table>
            </div>
            <p><button type="button" class="button" on:click=add>{t(Key::InvoiceAddLine)}</button></p>
            <div class="field">
                <label for="draft-note">{t(Key::InvoiceNote)}</label>
                <textarea id="draft-note" rows="3" maxlength="2000" bind:value=note
                    aria-describedby="field-note-error"></textarea>
                <FieldError errors field="note"/>
            </div>
            {move || match target {
                Target::New { .. } => view! { <FormError result=create.value()/> }.into_any(),
                Target::Draft { .. } => view! { <FormError result=save.value()/> }.into_any(),
            }}
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=pending>{t(Key::Save)}</button>
                {children.map(|children| children())}
            </div>
        </form>
    }
}
