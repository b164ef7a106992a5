//! Schema migrations of Lắng Nghe, portable between SQLite and PostgreSQL.
//! A migration is named by the date it was written and is never edited once
//! it has landed; a change to the schema is a new migration.

pub use sea_orm_migration::prelude::*;

mod ddl;
mod m20261128_000001_platform;
mod m20261128_000002_consultations;
mod m20261128_000003_events;
mod m20261128_000004_targets;
mod m20261128_000005_public_results;
mod m20261128_000006_result_rollups;
mod m20261128_000007_result_cells;
mod m20261128_000008_fold_queue;
mod m20261128_000009_moderation;
mod m20261128_000010_safeguarding;
mod m20261128_000011_supports;
mod m20261128_000012_merges;
mod m20261128_000013_retention;
mod m20261128_000014_promoted_answers;
mod m20261128_000015_holidays;
mod m20261129_000016_recommendations;
mod m20261204_000017_disclosure_control;
mod m20261205_000018_screening_review;
mod m20261205_000019_erasure;
mod m20261205_000020_join_caps;
mod m20261206_000021_join_failure_budget;
mod m20261206_000022_throttle_keys;
mod m20261207_000023_training_attendance_terms;
mod m20261208_000024_paper_sessions_event_children;
mod m20261208_000025_stored_formats;
mod m20261209_000026_reply_letters;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_platform::Migration),
            Box::new(m20261128_000002_consultations::Migration),
            Box::new(m20261128_000003_events::Migration),
            Box::new(m20261128_000004_targets::Migration),
            Box::new(m20261128_000005_public_results::Migration),
            Box::new(m20261128_000006_result_rollups::Migration),
            Box::new(m20261128_000007_result_cells::Migration),
            Box::new(m20261128_000008_fold_queue::Migration),
            Box::new(m20261128_000009_moderation::Migration),
            Box::new(m20261128_000010_safeguarding::Migration),
            Box::new(m20261128_000011_supports::Migration),
            Box::new(m20261128_000012_merges::Migration),
            Box::new(m20261128_000013_retention::Migration),
            Box::new(m20261128_000014_promoted_answers::Migration),
            Box::new(m20261128_000015_holidays::Migration),
            Box::new(m20261129_000016_recommendations::Migration),
            Box::new(m20261204_000017_disclosure_control::Migration),
            Box::new(m20261205_000018_screening_review::Migration),
            Box::new(m20261205_000019_erasure::Migration),
            Box::new(m20261205_000020_join_caps::Migration),
            Box::new(m20261206_000021_join_failure_budget::Migration),
            Box::new(m20261206_000022_throttle_keys::Migration),
            Box::new(m20261207_000023_training_attendance_terms::Migration),
            Box::new(m20261208_000024_paper_sessions_event_children::Migration),
            Box::new(m20261208_000025_stored_formats::Migration),
            Box::new(m20261209_000026_reply_letters::Migration),
        ]
    }
}
