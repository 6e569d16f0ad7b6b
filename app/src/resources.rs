//! Resource planning. Rules:
//! - A person's capacity per week is their hours per weekday, less public holidays of
//!   their federal state and their absences (`domain::capacity`, `domain::holidays`).
//! - Assignments plan a person on a project with hours per week for a date range; a week
//!   the range covers only partly gets its share by the person's working hours.
//! - Load per week: free, partly, full, overbooked (more planned than capacity).
//! - Project managers plan; everyone sees the plan and records their own absences.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::*;
