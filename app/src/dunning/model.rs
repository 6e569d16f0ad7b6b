use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An invoice in a letter, at the level it reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DunnedInvoice {
    pub invoice_id: Uuid,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub days_overdue: i32,
    pub open: Decimal,
    pub interest: Decimal,
    pub level: i32,
}

/// A letter to one customer, planned (preview) or written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DunningLetter {
    /// Set once written.
    pub id: Option<Uuid>,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub customer_name: String,
    pub level: i32,
    pub pay_by: NaiveDate,
    pub fee: Decimal,
    pub interest: Decimal,
    pub open_total: Decimal,
    pub total: Decimal,
    pub currency: String,
    pub recipient_email: String,
    pub items: Vec<DunnedInvoice>,
}

/// What a dunning run wrote (or would write).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DunningOutcome {
    pub run_id: Option<Uuid>,
    pub run_date: NaiveDate,
    pub letters: Vec<DunningLetter>,
    /// Customers with overdue invoices who are blocked from dunning.
    pub blocked: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DunningRequest {
    /// `YYYY-MM-DD` or `DD.MM.YYYY`; empty: today.
    pub date: String,
    pub dry_run: bool,
}

/// A dunning level as edited (text fields as typed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelInput {
    pub level: i32,
    pub days_after_due: String,
    pub fee: String,
    pub interest: bool,
}

/// A run in the history list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DunningRunSummary {
    pub id: Uuid,
    pub run_date: NaiveDate,
    pub letter_count: i32,
    pub created_at: String,
    pub created_by: Option<String>,
}
