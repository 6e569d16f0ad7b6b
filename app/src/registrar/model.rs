use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest registrar list accepted (≈ 300 000 lines).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    pub fn parse(text: &str) -> ImportStatus {
        match text {
            "done" => ImportStatus::Done,
            "failed" => ImportStatus::Failed,
            _ => ImportStatus::Running,
        }
    }
}

/// An import with its counts: the head of the reconciliation report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: Uuid,
    pub registrar: String,
    pub layout: String,
    pub file_name: String,
    pub encoding: String,
    pub delimiter: String,
    pub dry_run: bool,
    pub status: ImportStatus,
    pub reconciled_on: NaiveDate,
    pub rows_total: i32,
    pub rows_done: i32,
    pub ok: i32,
    pub unbilled: i32,
    pub orphaned: i32,
    pub inactive: i32,
    pub rejected: i32,
    pub expiry_mismatch: i32,
    pub price_drift: i32,
    pub updated_domains: i32,
    pub error: String,
    pub imported_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportSummary {
    /// Percent of the work done, for the progress bar.
    pub fn percent(&self) -> i32 {
        if self.status != ImportStatus::Running {
            100
        } else if self.rows_total == 0 {
            0
        } else {
            (self.rows_done.saturating_mul(100) / self.rows_total).clamp(0, 99)
        }
    }
}

/// What the report says about one line of the list (or one domain the list lacks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At the registrar and billed.
    Ok,
    /// At the registrar, billed to no one: revenue leak.
    Unbilled,
    /// Billed, but not (or no longer) at the registrar.
    Orphaned,
    /// Deleted or expired at the registrar and not billed: nothing to do.
    Inactive,
    Rejected,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Ok,
        Outcome::Unbilled,
        Outcome::Orphaned,
        Outcome::Inactive,
        Outcome::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Unbilled => "unbilled",
            Outcome::Orphaned => "orphaned",
            Outcome::Inactive => "inactive",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// Which part of the report to page through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportView {
    #[default]
    All,
    Outcome(Outcome),
    ExpiryMismatch,
    PriceDrift,
}

impl ReportView {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportView::All => "all",
            ReportView::Outcome(outcome) => outcome.as_str(),
            ReportView::ExpiryMismatch => "expiry_mismatch",
            ReportView::PriceDrift => "price_drift",
        }
    }

    pub fn parse(text: &str) -> ReportView {
        match text {
            "expiry_mismatch" => ReportView::ExpiryMismatch,
            "price_drift" => ReportView::PriceDrift,
            other => Outcome::parse(other).map_or(ReportView::All, ReportView::Outcome),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceNote {
    /// The registrar charges a different renewal cost than our TLD list says.
    CostChanged,
    /// The TLD has no entry in the price list.
    NoListPrice,
    /// The contract earns less per year than the renewal costs.
    BelowCost,
}

impl PriceNote {
    pub fn parse(text: &str) -> Option<PriceNote> {
        match text {
            "cost_changed" => Some(PriceNote::CostChanged),
            "no_list_price" => Some(PriceNote::NoListPrice),
            "below_cost" => Some(PriceNote::BelowCost),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub position: i32,
    /// Line in the file; none for a billed domain the file lacks.
    pub line: Option<i32>,
    pub domain: String,
    pub registrar_status: String,
    pub registrar_expires_on: Option<NaiveDate>,
    pub kontor_expires_on: Option<NaiveDate>,
    pub auto_renew: Option<bool>,
    pub renewal_cost: Option<Decimal>,
    pub list_cost: Option<Decimal>,
    pub yearly_price: Option<Decimal>,
    pub outcome: Outcome,
    /// Rejected rows: problem code (`formula`, `domain`, `date`, `price`, `renewal_mode`, `duplicate`).
    pub problem: Option<String>,
    pub problem_field: Option<String>,
    pub duplicate_of: Option<i32>,
    pub expiry_mismatch: bool,
    pub price_note: Option<PriceNote>,
    pub domain_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub customer: Option<String>,
    pub contract_id: Option<Uuid>,
    pub contract_number: Option<String>,
    pub created_contract_id: Option<Uuid>,
    pub created_contract_number: Option<String>,
}

/// Unbilled lines of an import to turn into contracts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateContractsInput {
    pub import_id: Uuid,
    pub positions: Vec<i32>,
    /// For domains Kontor does not know yet: whose they are.
    pub customer_id: Option<Uuid>,
    /// Defaults to the tenant's first active domain product.
    pub product_id: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedContract {
    pub position: i32,
    pub domain: String,
    pub contract_id: Uuid,
    pub number: String,
}

/// Choices of the upload and "create contract" forms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportChoices {
    pub registrars: Vec<String>,
    /// Active domain products as (id, name); the first is the default.
    pub products: Vec<(Uuid, String)>,
}
