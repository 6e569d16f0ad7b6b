//! Integration tests: the real router against real PostgreSQL, a fresh database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounting;
mod api;
mod audit;
mod auth;
mod billing;
mod check_servers;
mod checks;
mod contracts;
mod customers;
mod drafts;
mod dunning;
mod embedded;
mod inventory;
mod jobs;
mod mail;
mod payments;
mod permissions;
mod portal;
mod projects;
mod quotes;
mod registrar;
mod sepa;
mod support;
mod usage;
mod vault;
