//! The job history for admins: what the background runner did, when, and what failed.
//! The runner itself lives in the server (`server::jobs`).

pub mod api;
pub mod pages;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub last_error: Option<String>,
}
