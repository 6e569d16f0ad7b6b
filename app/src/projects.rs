//! Projects: work packages, tasks and subtasks, milestones with customer acceptance, and
//! budget control. Rules:
//! - A project belongs to one customer and is billed at a fixed price (milestones),
//!   by time and material, or as a retainer (monthly fee with included hours).
//! - Its plan is its own budget (hours, money) or, without one, the sum of its work
//!   packages' plans; actual time is valued at the rate stored on each time entry.
//! - The traffic light (`domain::budget`) is stored per project and recomputed in the
//!   transaction that changes time, plan or progress; a worse light notifies the project
//!   manager (or all project managers) at once.
//! - Milestones go open → reached (team) → accepted (customer in the portal, or staff
//!   recording the customer's word); every step is audited.

pub mod api;
#[cfg(feature = "ssr")]
pub mod billing;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod roles;
pub mod team;

pub use model::*;
