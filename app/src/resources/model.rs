use crate::domain::capacity::Load;
use crate::projects::model::Person;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One person in one week: what they can work and what is planned for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekLoad {
    /// The Monday.
    pub week: NaiveDate,
    pub capacity: Decimal,
    pub planned: Decimal,
    pub load: Load,
    /// Whole percent; none without capacity.
    pub utilization: Option<Decimal>,
    /// Public holidays and absences that week, in the user's language.
    pub days_off: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonPlan {
    pub person: Person,
    pub weeks: Vec<WeekLoad>,
}

/// A person planned on a project for some weeks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub project_id: Uuid,
    pub project_label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours_per_week: Decimal,
    /// Planned hours in each week of the plan's range.
    pub per_week: Vec<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AbsenceView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub note: String,
}

/// The resource plan of a range of weeks: everyone's load, and the assignments and
/// absences behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourcePlan {
    pub weeks: Vec<NaiveDate>,
    pub people: Vec<PersonPlan>,
    pub assignments: Vec<AssignmentView>,
    pub absences: Vec<AbsenceView>,
    /// The signed-in user may plan (assign, move, remove).
    pub can_plan: bool,
}

/// An assignment as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub work_package_id: Option<Uuid>,
    pub starts_on: String,
    pub ends_on: String,
    pub hours_per_week: String,
}

/// An absence as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AbsenceInput {
    pub user_id: Option<Uuid>,
    /// vacation, sick, training, other
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub note: String,
}
