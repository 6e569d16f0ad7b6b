use crate::domain::billing::LineKind;
use crate::domain::invoice_math::{LineTax, TaxNote, Totals, VatCode};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Made by a dry run: shows what a run would bill, bills nothing.
    Preview,
    Draft,
    Issued,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Preview => "preview",
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
        }
    }

    pub fn parse(text: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Preview,
            InvoiceStatus::Draft,
            InvoiceStatus::Issued,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// UNTDID 1001 code 380.
    Invoice,
    /// Code 381; references the invoice it corrects.
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(text: &str) -> Option<InvoiceKind> {
        match text {
            "invoice" => Some(InvoiceKind::Invoice),
            "credit_note" => Some(InvoiceKind::CreditNote),
            _ => None,
        }
    }

    pub fn type_code(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "380",
            InvoiceKind::CreditNote => "381",
        }
    }
}

/// A row of the invoice list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub id: Uuid,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub number: Option<String>,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub buyer_name: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub net_total: Decimal,
    pub tax_total: Decimal,
    pub gross_total: Decimal,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub id: Uuid,
    pub position: i32,
    pub kind: LineKind,
    pub contract_id: Option<Uuid>,
    pub contract_number: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_code: String,
    pub unit_price: Decimal,
    pub net_amount: Decimal,
    pub tax: LineTax,
}

/// A document with everything its PDF and XML show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub summary: InvoiceSummary,
    pub language: String,
    pub tax_treatment: String,
    pub buyer_street: String,
    pub buyer_postal_code: String,
    pub buyer_city: String,
    pub buyer_country: String,
    pub buyer_vat_id: Option<String>,
    pub buyer_leitweg_id: Option<String>,
    pub buyer_email: String,
    pub note: String,
    /// The invoice a credit note corrects (id, number, issue date).
    pub corrects: Option<(Uuid, String, Option<NaiveDate>)>,
    pub lines: Vec<InvoiceLine>,
    pub totals: Totals,
    /// The legal notes of the lines' tax categories, once each.
    pub tax_notes: Vec<TaxNote>,
    /// Issued: which stored e-invoice formats can be downloaded.
    pub documents: Vec<String>,
    /// Paid by SEPA direct debit (the customer had an active mandate when it was issued).
    pub direct_debit: Option<DirectDebitTerms>,
    /// Four-eyes approval of a credit note.
    pub approval: Approval,
    /// A credit-note draft: how much of the corrected invoice is not yet credited by
    /// issued credit notes (the most this draft may take back).
    pub creditable: Option<rust_decimal::Decimal>,
}

/// Whether a credit note needs, awaits or has a second person's approval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Approval {
    #[default]
    NotRequired,
    Pending,
    Approved {
        by: String,
        at: DateTime<Utc>,
    },
}

/// A line of a draft as the editor sends it: with `id` an existing line is kept (a
/// contract's line keeps its contract, kind and period), without it a free line is added.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftLineInput {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub description: String,
    pub quantity: String,
    pub unit_code: String,
    pub unit_price: String,
    #[serde(default)]
    pub vat_category: crate::domain::tax::VatCategory,
    #[serde(default)]
    pub period_start: String,
    #[serde(default)]
    pub period_end: String,
}

/// A draft's content: a new manual invoice names its customer; saving replaces the note
/// and all lines (a missing existing line is removed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftInput {
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<DraftLineInput>,
}

/// BG-19: the mandate, creditor and account an invoice is collected under, as issued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectDebitTerms {
    pub mandate_reference: String,
    pub creditor_id: String,
    pub debtor_iban: String,
}

impl InvoiceDetail {
    /// Totals and notes from the lines (the one calculation all outputs share).
    pub fn with_totals(mut self) -> Self {
        self.totals = crate::domain::invoice_math::totals(
            self.lines.iter().map(|line| (line.net_amount, &line.tax)),
        );
        let mut notes: Vec<TaxNote> = Vec::new();
        for note in self.lines.iter().filter_map(|line| line.tax.note) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        self.tax_notes = notes;
        self
    }
}

/// What the invoice list is filtered by.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    pub customer_id: Option<Uuid>,
    pub billing_run_id: Option<Uuid>,
}

/// Issue these drafts (one number each, in the order given).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueInput {
    pub ids: Vec<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedInvoice {
    pub id: Uuid,
    pub number: String,
}

/// A draft left unissued because a valid e-invoice needs data it lacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedInvoice {
    pub id: Uuid,
    pub buyer_name: String,
    pub reason: String,
}

/// What issuing many drafts did: the issued ones, numbered without gaps, and the skipped.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueOutcome {
    pub issued: Vec<IssuedInvoice>,
    pub skipped: Vec<SkippedInvoice>,
}

/// The VAT code and rate as stored.
pub fn line_tax_from_row(code: &str, rate: Decimal, note: Option<&str>) -> LineTax {
    LineTax {
        code: VatCode::parse(code).unwrap_or(VatCode::Standard),
        rate,
        note: note.and_then(TaxNote::parse),
    }
}

/// "19 %", or the category's name where no German VAT applies.
pub fn vat_label(code: VatCode, rate: Decimal, lang: crate::i18n::Lang) -> String {
    match code {
        VatCode::Standard => format!(
            "{} %",
            crate::domain::format::number(rate.normalize(), rate.normalize().scale(), lang)
        ),
        VatCode::ZeroRated => "0 %".to_owned(),
        VatCode::Exempt => crate::i18n::Key::InvoiceVatExempt.text(lang).to_owned(),
        VatCode::ReverseCharge => crate::i18n::Key::InvoiceVatReverseCharge
            .text(lang)
            .to_owned(),
        VatCode::OutsideScope => crate::i18n::Key::InvoiceVatOutsideScope
            .text(lang)
            .to_owned(),
    }
}
