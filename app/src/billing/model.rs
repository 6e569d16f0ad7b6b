use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Done,
    Failed,
}

impl RunStatus {
    pub fn parse(text: &str) -> RunStatus {
        match text {
            "done" => RunStatus::Done,
            "failed" => RunStatus::Failed,
            _ => RunStatus::Running,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: Uuid,
    pub run_date: NaiveDate,
    pub preview: bool,
    pub status: RunStatus,
    pub started_via: String,
    pub customers_total: i32,
    pub customers_done: i32,
    pub invoice_count: i32,
    pub line_count: i32,
    pub net_total: Decimal,
    pub gross_total: Decimal,
    pub currency: String,
    pub error: String,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunSummary {
    /// Percent of the customers done, for the progress bar.
    pub fn percent(&self) -> i32 {
        if self.status != RunStatus::Running {
            100
        } else if self.customers_total == 0 {
            0
        } else {
            (self.customers_done.saturating_mul(100) / self.customers_total).clamp(0, 99)
        }
    }
}

/// Start a run for `run_date` (the tenant's today when empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    pub run_date: String,
    pub preview: bool,
}
