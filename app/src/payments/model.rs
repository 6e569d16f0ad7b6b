use crate::domain::payment_matching::MatchReason;
use crate::domain::receivables::AgingBucket;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Assigned to invoices or to a customer's balance.
    Allocated,
    /// Waits for the accountant (review list).
    Unmatched,
    /// Not a customer payment (e.g. an outgoing transfer of our own).
    Ignored,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Allocated => "allocated",
            PaymentStatus::Unmatched => "unmatched",
            PaymentStatus::Ignored => "ignored",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        [
            PaymentStatus::Allocated,
            PaymentStatus::Unmatched,
            PaymentStatus::Ignored,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            PaymentStatus::Allocated => Key::PayStatusAllocated,
            PaymentStatus::Unmatched => Key::PayStatusUnmatched,
            PaymentStatus::Ignored => Key::PayStatusIgnored,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub amount: Decimal,
}

/// A payment received (or a returned direct debit, negative) and where it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: Uuid,
    pub received_on: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub method: String,
    pub customer_id: Option<Uuid>,
    pub customer_name: Option<String>,
    pub payer_name: String,
    pub payer_iban: String,
    pub remittance: String,
    pub status: PaymentStatus,
    pub match_reason: Option<MatchReason>,
    pub allocations: Vec<Allocation>,
    /// Left for the customer's balance.
    pub unallocated: Decimal,
    pub note: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentFilter {
    pub status: Option<PaymentStatus>,
    pub customer_id: Option<Uuid>,
}

/// A payment entered by hand: to the invoices named (oldest first), the rest to the
/// customer's balance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub customer_id: Option<Uuid>,
    /// Invoice numbers, separated by spaces or commas; empty: the customer's balance.
    pub invoice_numbers: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`
    pub received_on: String,
    pub amount: String,
    /// transfer, cash or other
    pub method: String,
    pub note: String,
}

/// How a review item is settled: to invoices and/or a customer, or ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignInput {
    pub invoice_numbers: String,
    pub customer_id: Option<Uuid>,
    pub ignore: bool,
}

/// What importing a bank statement did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementOutcome {
    pub statement_ids: Vec<Uuid>,
    pub entries: usize,
    pub allocated: usize,
    pub unmatched: usize,
    /// Entries already imported from an earlier statement.
    pub known: usize,
    /// Outgoing entries that are no customer payments.
    pub ignored: usize,
    pub received: Decimal,
}

/// An issued invoice not (fully) paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenItem {
    pub invoice_id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub buyer_name: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub gross_total: Decimal,
    pub open: Decimal,
    pub currency: String,
    pub days_overdue: i32,
    pub bucket: AgingBucket,
    pub direct_debit: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenItemFilter {
    pub customer_id: Option<Uuid>,
    pub bucket: Option<AgingBucket>,
}

/// The receivables at a glance: open amount per aging bucket, DSO over 90 days, and what
/// customers have paid in advance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Receivables {
    pub buckets: Vec<(AgingBucket, Decimal, i64)>,
    pub open_total: Decimal,
    pub overdue_total: Decimal,
    pub dso_days: Option<Decimal>,
    pub customer_credit: Decimal,
    pub unmatched_count: i64,
}

/// An invoice's payments and what is still open (the invoice page).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoicePayments {
    pub credited: Decimal,
    pub paid: Decimal,
    pub open: Decimal,
    pub overdue: bool,
    pub payments: Vec<(NaiveDate, Decimal, String, Uuid)>,
}
