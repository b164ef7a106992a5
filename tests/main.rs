//! End-to-end tests of Lắng Nghe: the real server on a random port with its
//! own database, spoken to over HTTP. One binary, to keep link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod attacks;
mod audit;
mod auth;
mod authorise_first;
mod calendar;
mod catalog;
mod characters;
mod children_app;
mod console;
mod consultation;
mod contract;
mod contract_tools;
mod destinations;
mod encodings;
mod erasure;
mod error_codes;
mod events;
mod join_caps;
mod join_guessing;
mod languages;
mod layers;
mod letters;
mod metrics;
mod migrations;
mod moderation;
mod outputs;
mod paper;
mod passwords;
mod plan_year;
mod platform;
mod preview;
mod progress;
mod readiness;
mod readme;
mod receipts;
mod recommendations;
mod replicas;
mod reports;
mod results;
mod retention;
mod safeguarding;
mod screening;
mod stored_formats;
mod surveys;
mod targets;
mod throttle;
mod topology;
mod units;
mod users;
mod webdriver;
mod webhooks;
