use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The DATEV export's period (dates as typed; default: the last full month).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportPeriod {
    pub from: String,
    pub to: String,
}

/// What an export holds, before it is downloaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatevSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub invoices: i64,
    pub credit_notes: i64,
    pub payments: i64,
    pub bookings: usize,
    /// Sum of invoice bookings less credit notes (gross).
    pub revenue_gross: Decimal,
    pub file_name: String,
}

/// Revenue of one month: invoiced and credited net amounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthRevenue {
    /// The first day of the month.
    pub month: NaiveDate,
    pub invoiced: Decimal,
    pub credited: Decimal,
}

impl MonthRevenue {
    pub fn net(&self) -> Decimal {
        self.invoiced - self.credited
    }
}

/// A customer's or product's share of the period's revenue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevenueShare {
    pub id: Option<Uuid>,
    pub label: String,
    pub net: Decimal,
}

/// Contracts ended per month, with the monthly revenue they took away.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthChurn {
    pub month: NaiveDate,
    pub contracts: i64,
    pub mrr: Decimal,
}

/// A contract whose term renews soon unless notice is given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Renewal {
    pub contract_id: Uuid,
    pub number: String,
    pub customer: String,
    pub description: String,
    pub renews_on: NaiveDate,
    /// The last day notice can be given for the current term.
    pub notice_by: NaiveDate,
    pub mrr: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevenueStats {
    pub today: NaiveDate,
    /// Monthly recurring revenue of the contracts running today (net, after discount).
    pub mrr: Decimal,
    pub arr: Decimal,
    pub active_contracts: i64,
    /// MRR of the contracts running a year ago, for the change.
    pub mrr_year_ago: Decimal,
    /// The last twelve months, oldest first.
    pub months: Vec<MonthRevenue>,
    /// The top customers and products over those twelve months.
    pub by_customer: Vec<RevenueShare>,
    pub by_product: Vec<RevenueShare>,
    pub churn: Vec<MonthChurn>,
    /// Renewals in the next 90 days.
    pub renewals: Vec<Renewal>,
}
