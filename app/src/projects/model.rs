use crate::contracts::model::amount;
use crate::domain::budget::{Budget, BurnPoint, EarnedValue, Light, Thresholds};
use crate::domain::durations::Rounding;
use crate::domain::format::parse_date;
use crate::error::FieldErrors;
use crate::i18n::{Key, Lang};
use crate::ui::paging::Page;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a project is billed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectBilling {
    /// An agreed price, billed by milestones; earned value applies.
    #[default]
    FixedPrice,
    /// Billable time at its rates.
    TimeAndMaterial,
    /// A monthly fee with included hours; hours beyond them are billed as overage.
    Retainer,
}

impl ProjectBilling {
    pub const ALL: [ProjectBilling; 3] = [
        ProjectBilling::FixedPrice,
        ProjectBilling::TimeAndMaterial,
        ProjectBilling::Retainer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectBilling::FixedPrice => "fixed_price",
            ProjectBilling::TimeAndMaterial => "time_and_material",
            ProjectBilling::Retainer => "retainer",
        }
    }

    pub fn parse(text: &str) -> Option<ProjectBilling> {
        ProjectBilling::ALL.into_iter().find(|m| m.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            ProjectBilling::FixedPrice => Key::ProjFixedPrice,
            ProjectBilling::TimeAndMaterial => Key::ProjTimeAndMaterial,
            ProjectBilling::Retainer => Key::ProjRetainer,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planned,
    Active,
    OnHold,
    Done,
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 5] = [
        ProjectStatus::Planned,
        ProjectStatus::Active,
        ProjectStatus::OnHold,
        ProjectStatus::Done,
        ProjectStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Planned => "planned",
            ProjectStatus::Active => "active",
            ProjectStatus::OnHold => "on_hold",
            ProjectStatus::Done => "done",
            ProjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            ProjectStatus::Planned => Key::ProjPlanned,
            ProjectStatus::Active => Key::ProjActive,
            ProjectStatus::OnHold => Key::ProjOnHold,
            ProjectStatus::Done => Key::ProjDone,
            ProjectStatus::Cancelled => Key::ProjCancelled,
        }
    }

    /// Still being worked on (or about to be).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ProjectStatus::Planned | ProjectStatus::Active | ProjectStatus::OnHold
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            TaskStatus::Open => Key::TaskOpen,
            TaskStatus::InProgress => Key::TaskInProgress,
            TaskStatus::Done => Key::TaskDone,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Open,
    /// The team says it is done; the customer has yet to accept it.
    Reached,
    Accepted,
}

impl MilestoneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Open => "open",
            MilestoneStatus::Reached => "reached",
            MilestoneStatus::Accepted => "accepted",
        }
    }

    pub fn parse(text: &str) -> Option<MilestoneStatus> {
        [
            MilestoneStatus::Open,
            MilestoneStatus::Reached,
            MilestoneStatus::Accepted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            MilestoneStatus::Open => Key::MilestoneOpen,
            MilestoneStatus::Reached => Key::MilestoneReached,
            MilestoneStatus::Accepted => Key::MilestoneAccepted,
        }
    }
}

/// A project as the form and the API send it (numbers and dates as typed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectInput {
    pub customer_id: Option<Uuid>,
    pub name: String,
    pub description: String,
    pub billing: ProjectBilling,
    pub status: ProjectStatus,
    pub manager_id: Option<Uuid>,
    pub starts_on: String,
    pub ends_on: String,
    pub budget_hours: String,
    pub budget_amount: String,
    /// Empty: the customer's, the person's or the role's rate applies.
    pub hourly_rate: String,
    pub retainer_hours: String,
    pub retainer_fee: String,
}

impl Default for ProjectInput {
    fn default() -> Self {
        ProjectInput {
            customer_id: None,
            name: String::new(),
            description: String::new(),
            billing: ProjectBilling::TimeAndMaterial,
            status: ProjectStatus::Active,
            manager_id: None,
            starts_on: String::new(),
            ends_on: String::new(),
            budget_hours: String::new(),
            budget_amount: String::new(),
            hourly_rate: String::new(),
            retainer_hours: String::new(),
            retainer_fee: String::new(),
        }
    }
}

/// A project's input after every field was checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidProject {
    pub customer_id: Uuid,
    pub name: String,
    pub description: String,
    pub billing: ProjectBilling,
    pub status: ProjectStatus,
    pub manager_id: Option<Uuid>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub budget_hours: Decimal,
    pub budget_amount: Decimal,
    pub hourly_rate: Option<Decimal>,
    pub retainer_hours: Option<Decimal>,
    pub retainer_fee: Option<Decimal>,
}

const MAX_HOURS: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const MAX_RATE: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// A name of at most `max` characters, required.
pub(crate) fn required_text(
    errors: &mut FieldErrors,
    lang: Lang,
    field: &str,
    text: &str,
    max: usize,
) -> String {
    let text = text.trim().to_owned();
    if text.is_empty() {
        errors.add(field, Key::ErrRequired.text(lang));
    } else if text.chars().count() > max {
        errors.add(field, Key::ErrTooLong.text(lang));
    }
    text
}

/// An optional date as typed.
pub(crate) fn optional_date(
    errors: &mut FieldErrors,
    lang: Lang,
    field: &str,
    text: &str,
) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        return None;
    }
    let parsed = parse_date(text);
    if parsed.is_none() {
        errors.add(field, Key::ErrDate.text(lang));
    }
    parsed
}

/// A period whose end, when both are given, is not before its start.
pub(crate) fn period(
    errors: &mut FieldErrors,
    lang: Lang,
    (start_field, start): (&str, &str),
    (end_field, end): (&str, &str),
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let start = optional_date(errors, lang, start_field, start);
    let end = optional_date(errors, lang, end_field, end);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            errors.add(end_field, Key::ErrEndBeforeStart.text(lang));
        }
    }
    (start, end)
}

/// An optional non-negative amount; empty is none.
pub(crate) fn optional_amount(
    errors: &mut FieldErrors,
    lang: Lang,
    field: &str,
    text: &str,
    places: u32,
    max: Decimal,
) -> Option<Decimal> {
    (!text.trim().is_empty()).then(|| amount(errors, lang, field, text, places, max))
}

impl ProjectInput {
    /// Checks every field, reporting all problems at once in `lang`.
    pub fn parse(&self, lang: Lang) -> Result<ValidProject, FieldErrors> {
        let mut errors = FieldErrors::default();
        let customer_id = self.customer_id.unwrap_or_else(|| {
            errors.add("customer_id", Key::ErrRequired.text(lang));
            Uuid::nil()
        });
        let name = required_text(&mut errors, lang, "name", &self.name, 200);
        let (starts_on, ends_on) = period(
            &mut errors,
            lang,
            ("starts_on", &self.starts_on),
            ("ends_on", &self.ends_on),
        );
        let budget = |errors: &mut FieldErrors, field, text: &str, max| {
            optional_amount(errors, lang, field, text, 2, max).unwrap_or_default()
        };
        let budget_hours = budget(&mut errors, "budget_hours", &self.budget_hours, MAX_HOURS);
        let budget_amount = budget(
            &mut errors,
            "budget_amount",
            &self.budget_amount,
            Decimal::from(100_000_000),
        );
        let hourly_rate = optional_amount(
            &mut errors,
            lang,
            "hourly_rate",
            &self.hourly_rate,
            2,
            MAX_RATE,
        );
        let (retainer_hours, retainer_fee) = if self.billing == ProjectBilling::Retainer {
            let hours = optional_amount(
                &mut errors,
                lang,
                "retainer_hours",
                &self.retainer_hours,
                2,
                Decimal::from(744),
            );
            let fee = optional_amount(
                &mut errors,
                lang,
                "retainer_fee",
                &self.retainer_fee,
                2,
                Decimal::from(10_000_000),
            );
            if hours.is_none() {
                errors.add("retainer_hours", Key::ErrRequired.text(lang));
            }
            if fee.is_none() {
                errors.add("retainer_fee", Key::ErrRequired.text(lang));
            }
            (hours, fee)
        } else {
            (None, None)
        };
        if self.billing == ProjectBilling::FixedPrice
            && budget_amount.is_zero()
            && errors.get("budget_amount").is_none()
        {
            errors.add(
                "budget_amount",
                Key::ProjErrFixedPriceNeedsAmount.text(lang),
            );
        }
        if self.description.chars().count() > 10_000 {
            errors.add("description", Key::ErrTooLong.text(lang));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidProject {
            customer_id,
            name,
            description: self.description.trim().to_owned(),
            billing: self.billing,
            status: self.status,
            manager_id: self.manager_id,
            starts_on,
            ends_on,
            budget_hours,
            budget_amount,
            hourly_rate,
            retainer_hours,
            retainer_fee,
        })
    }
}

/// A work package as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkPackageInput {
    pub name: String,
    pub planned_hours: String,
    pub planned_amount: String,
    /// Percent complete as judged by the team.
    pub progress: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidWorkPackage {
    pub name: String,
    pub planned_hours: Decimal,
    pub planned_amount: Decimal,
    pub progress: Decimal,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

impl WorkPackageInput {
    pub fn parse(&self, lang: Lang) -> Result<ValidWorkPackage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, lang, "name", &self.name, 200);
        let planned_hours = optional_amount(
            &mut errors,
            lang,
            "planned_hours",
            &self.planned_hours,
            2,
            MAX_HOURS,
        )
        .unwrap_or_default();
        let planned_amount = optional_amount(
            &mut errors,
            lang,
            "planned_amount",
            &self.planned_amount,
            2,
            Decimal::from(100_000_000),
        )
        .unwrap_or_default();
        let progress = optional_amount(
            &mut errors,
            lang,
            "progress",
            &self.progress,
            2,
            Decimal::ONE_HUNDRED,
        )
        .unwrap_or_default();
        let (starts_on, ends_on) = period(
            &mut errors,
            lang,
            ("starts_on", &self.starts_on),
            ("ends_on", &self.ends_on),
        );
        errors
            .is_empty()
            .then_some(ValidWorkPackage {
                name,
                planned_hours,
                planned_amount,
                progress,
                starts_on,
                ends_on,
            })
            .ok_or(errors)
    }
}

/// A task as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskInput {
    pub work_package_id: Option<Uuid>,
    /// Makes it a subtask.
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub assignee_id: Option<Uuid>,
    pub estimate_hours: String,
    pub due_on: String,
}

/// A milestone as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneInput {
    pub name: String,
    pub due_on: String,
    /// What reaching it earns (partial invoice of a fixed price); optional.
    pub amount: String,
}

/// Filters of the project dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectFilter {
    /// None: the open ones (planned, active, on hold).
    pub status: Option<ProjectStatus>,
    pub light: Option<Light>,
    pub manager_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
}

/// One project on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub id: Uuid,
    pub number: String,
    pub name: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub manager_name: Option<String>,
    pub billing: ProjectBilling,
    pub status: ProjectStatus,
    pub ends_on: Option<NaiveDate>,
    pub budget: Budget,
    pub next_milestone: Option<MilestoneDue>,
}

/// A milestone that is due, with how many days are left (negative: overdue), computed on
/// the server so the page renders the same in both places.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MilestoneDue {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_number: String,
    pub project_name: String,
    pub name: String,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub status: MilestoneStatus,
}

/// How many open projects show each light.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightCounts {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

/// This week's booked hours of the team against its capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLoad {
    pub capacity_hours: Decimal,
    pub logged_hours: Decimal,
    pub billable_hours: Decimal,
}

/// The project manager's dashboard: lights, a page of projects, milestones due.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub lights: LightCounts,
    pub projects: Page<ProjectRow>,
    pub milestones: Vec<MilestoneDue>,
    pub team: TeamLoad,
}

/// A staff member to pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: Uuid,
    pub work_package_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub assignee: Option<Person>,
    pub estimate_hours: Option<Decimal>,
    pub status: TaskStatus,
    pub due_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkPackage {
    pub id: Uuid,
    pub name: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The team's judgement; `budget.progress` is what counts (tasks override it).
    pub judged_progress: Decimal,
    pub budget: Budget,
    pub tasks: Vec<Task>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: Uuid,
    pub name: String,
    pub due_on: NaiveDate,
    pub amount: Option<Decimal>,
    pub status: MilestoneStatus,
    /// `YYYY-MM-DD HH:MM` in the tenant's time zone, and who accepted.
    pub accepted: Option<(String, String)>,
    /// The partial invoice (draft or issued) and its number once issued.
    pub invoice_id: Option<Uuid>,
    pub invoice_number: Option<String>,
}

/// Everything the project page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub manager: Option<Person>,
    pub input: ProjectInput,
    pub currency: String,
    pub budget: Budget,
    pub thresholds: Thresholds,
    /// Fixed-price projects only.
    pub earned_value: Option<EarnedValue>,
    pub work_packages: Vec<WorkPackage>,
    /// Time on no work package.
    pub unassigned: Budget,
    pub milestones: Vec<Milestone>,
    pub burn: Vec<BurnPoint>,
    pub unbilled_hours: Decimal,
    pub unbilled_amount: Decimal,
    pub team: Vec<Person>,
}

/// A tenant's rules for project work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSettings {
    pub thresholds: Thresholds,
    pub default_rate: Decimal,
    pub rounding: Rounding,
    /// Federal state code (public holidays).
    pub federal_state: String,
    pub time_locked_until: Option<NaiveDate>,
}

/// The settings form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSettingsInput {
    pub yellow_at: String,
    pub red_at: String,
    pub forecast_tolerance: String,
    pub default_rate: String,
    pub rounding_step: u32,
    pub rounding_mode: String,
    pub federal_state: String,
    pub time_locked_until: String,
}

/// A project's money in a period: what was invoiced (net, less credit notes) against what
/// its time cost (hours × each person's payout rate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectProfit {
    pub project_id: Uuid,
    pub label: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub revenue: Decimal,
    pub hours: Decimal,
    pub cost: Decimal,
    pub profit: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerProfit {
    pub customer_id: Uuid,
    pub customer_name: String,
    pub revenue: Decimal,
    pub cost: Decimal,
    pub profit: Decimal,
}

/// What a person's work in a period is owed: hours × their payout rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    pub person: Person,
    pub hours: Decimal,
    pub billable_hours: Decimal,
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfitReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub projects: Vec<ProjectProfit>,
    pub customers: Vec<CustomerProfit>,
    pub payouts: Vec<Payout>,
}
