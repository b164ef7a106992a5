//! The imperative shell of Lắng Nghe: the actix-web application and the
//! `langnghe` command. Handlers extract and validate input, authorise, call
//! storage and domain, and map the result to a response.

// An `ApiError` is built at most once per refused request and carries the
// whole problem document; boxing it would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod closed_sets;
pub mod config;
pub mod credentials;
pub mod csv;
pub mod demo;
pub mod dto;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod join_budget;
pub mod letters;
pub mod metrics;
pub mod network;
pub mod openapi;
pub mod pagination;
pub mod problem_language;
pub mod route_table;
pub mod routes;
pub mod server;
pub mod services;
pub mod state;
pub mod survey_format;
pub mod web_app;
mod web_assets;
pub mod web_console;
pub mod web_public;

pub use clock::{Clock, LOCAL_OFFSET_HOURS, local_day, local_day_start};
// The folder and the purge under the names tools and tests have called
// them by (`langnghe_api::rollup::fold_all`, `langnghe_api::retention::purge`).
pub use jobs::{retention, rollup};
