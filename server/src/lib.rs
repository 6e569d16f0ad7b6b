//! Kontor's server: configuration, the embedded PostgreSQL, the HTTP router (Leptos pages,
//! server functions, the login forms, the REST API), the job runner, demo data, benchmarks
//! and the vault key.

#![recursion_limit = "512"]

pub mod bench;
pub mod calendar;
pub mod checks;
pub mod config;
pub mod db;
pub mod demo;
pub mod jobs;
pub mod mail;
pub mod rest;
pub mod startup;
pub mod vault;
pub mod web;
