//! Who attended a training, by unit and role (coverage of target 6 counts
//! the units whose people attended, wherever the training was held), and
//! the school calendar: the dates of each term (học kỳ) of a school year,
//! which reports and targets may name as a period. A target's period may
//! now be a range of days (`2026-09-01..2026-11-30`, 22 characters), so the
//! column widens (on PostgreSQL: SQLite does not enforce a length).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use sea_orm_migration::sea_orm::DbBackend;

use crate::ddl::{drop_tables, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("training_attendance")
            .cols([uuid("event_id"), uuid("unit_id"), string_len("role", 30)])
            .cols([integer("people")])
            .pk(&["event_id", "unit_id", "role"])
            .refs_cascade("event", "event_id", "events")
            .refs("unit", "unit_id", "units")
            .index("ix_training_attendance_unit", &["unit_id", "role"])
            .create(m)
            .await?;
        table("school_terms")
            .cols([integer("school_year"), small_integer("term"), date("first_day")])
            .cols([date("last_day"), uuid_null("updated_by"), stamp("updated_at")])
            .pk(&["school_year", "term"])
            .create(m)
            .await?;
        target_period_len(m, 40).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        target_period_len(m, 20).await?;
        drop_tables(m, &["school_terms", "training_attendance"]).await
    }
}

/// A target's period may be as long as a school term's name; SQLite does
/// not hold text to its length.
async fn target_period_len(m: &SchemaManager<'_>, len: u32) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let period = Table::alter()
        .table("targets")
        .modify_column(string_len("period", len))
        .take();
    m.alter_table(period).await
}
