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

/// What a tenant decides about its billing (the form's fields, numbers as typed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingSettings {
    pub schedule: crate::domain::billing_schedule::Schedule,
    /// Weekly: ISO weekday 1 – 7; monthly: day of the month 1 – 28.
    pub schedule_day: u32,
    /// When the next scheduled run starts (read only, from 06:00 in the tenant's zone).
    #[serde(default)]
    pub next_run_on: Option<NaiveDate>,
    /// Issue and send a scheduled run's drafts at once.
    pub auto_issue: bool,
    /// Credit notes need a second person's approval before they are issued.
    pub credit_note_approval: bool,
    /// The tax advisor's DATEV numbers (Beraternummer, Mandantennummer).
    pub datev_consultant: String,
    pub datev_client: String,
    pub datev_chart: crate::domain::datev::Chart,
    /// First month of the fiscal year (1 – 12).
    pub fiscal_year_start: u32,
}
