use crate::projects::model::Person;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether an entry can still change, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    Open,
    Approved,
    Billed,
    /// On or before the tenant's closing date.
    Closed,
}

impl EntryState {
    pub fn key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            EntryState::Open => Key::TimeStateOpen,
            EntryState::Approved => Key::TimeStateApproved,
            EntryState::Billed => Key::TimeStateBilled,
            EntryState::Closed => Key::TimeStateClosed,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: Uuid,
    pub user: Person,
    pub project_id: Uuid,
    /// "P-0001 · Relaunch"
    pub project_label: String,
    pub work_package_id: Option<Uuid>,
    pub work_package_name: Option<String>,
    pub task_id: Option<Uuid>,
    pub task_title: Option<String>,
    pub work_date: NaiveDate,
    pub minutes: i32,
    pub note: String,
    pub billable: bool,
    pub rate: Decimal,
    pub amount: Decimal,
    pub source: String,
    pub state: EntryState,
}

/// A time entry as typed (`duration` like "1,5", "1:30", "90m").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeEntryInput {
    /// Someone else's time: for those who approve time, and API tokens.
    pub user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub work_package_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub work_date: String,
    pub duration: String,
    pub note: String,
    pub billable: bool,
}

impl Default for TimeEntryInput {
    fn default() -> Self {
        TimeEntryInput {
            user_id: None,
            project_id: None,
            work_package_id: None,
            task_id: None,
            work_date: String::new(),
            duration: String::new(),
            note: String::new(),
            billable: true,
        }
    }
}

/// What a timer is started on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimerStart {
    pub project_id: Option<Uuid>,
    pub work_package_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub note: String,
    pub billable: bool,
}

impl Default for TimerStart {
    fn default() -> Self {
        TimerStart {
            project_id: None,
            work_package_id: None,
            task_id: None,
            note: String::new(),
            billable: true,
        }
    }
}

/// The user's running timer; the server counts the seconds so every tab shows the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunningTimer {
    pub project_id: Uuid,
    pub project_label: String,
    pub work_package_id: Option<Uuid>,
    pub note: String,
    pub billable: bool,
    /// `HH:MM` in the tenant's time zone.
    pub started_at: String,
    pub elapsed_seconds: i64,
}

/// What stopping a timer wrote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimerStopped {
    /// None when the rounded time came to nothing.
    pub entry_id: Option<Uuid>,
    pub minutes: i32,
}

/// A project to book time on, with its work packages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectChoice {
    pub id: Uuid,
    pub label: String,
    pub work_packages: Vec<(Uuid, String)>,
}

/// One day of a timesheet week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetDay {
    pub date: NaiveDate,
    /// The person's regular hours that day, 0 on holidays and absences.
    pub capacity_hours: Decimal,
    pub holiday: Option<String>,
    pub absent: bool,
    /// Nothing on this day can change (closed period).
    pub closed: bool,
}

/// A timesheet row: a project (and work package) with minutes per day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    pub project_id: Uuid,
    pub project_label: String,
    pub work_package_id: Option<Uuid>,
    pub work_package_name: Option<String>,
    /// Monday to Sunday.
    pub minutes: Vec<i64>,
    /// Per day: the cell holds time that can no longer change (approved, billed, closed).
    pub fixed: Vec<bool>,
}

/// A person's week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Week {
    pub user: Person,
    pub monday: NaiveDate,
    pub days: Vec<SheetDay>,
    pub rows: Vec<SheetRow>,
    pub entries: Vec<TimeEntry>,
    /// Every entry of the week is approved (and there is at least one).
    pub approved: bool,
    /// The signed-in user may approve this week.
    pub can_approve: bool,
}

/// One timesheet cell as typed: the whole time of a project row on a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetCell {
    pub project_id: Uuid,
    pub work_package_id: Option<Uuid>,
    pub work_date: NaiveDate,
    pub duration: String,
}

/// Filters of time entry lists (REST and pages).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeEntryFilter {
    pub user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unbilled: bool,
}
