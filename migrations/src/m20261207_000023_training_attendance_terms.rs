//! Who attended a training, by unit and role (coverage of target 6 counts
//! the units whose people attended, wherever the training was held), and
//! the school calendar: the dates of each term (học kỳ) of a school year,
//! which reports and targets may name as a period. A target's period may
//! now be a range of days (`2026-09-01..2026-11-30`, 22 characters), so the
//! column widens (on PostgreSQL: SQLite does not enforce a length).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000023_training_attendance_terms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("training_attendance")
                .col(uuid("event_id"))
                .col(uuid("unit_id"))
                .col(string_len("role", 30))
                .col(integer("people"))
                .primary_key(Index::create().col("event_id").col("unit_id").col("role"))
                .foreign_key(
                    &mut fk(
                        "fk_training_attendance_event",
                        ("training_attendance", "event_id"),
                        ("events", "id"),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .take(),
                )
                .foreign_key(&mut fk(
                    "fk_training_attendance_unit",
                    ("training_attendance", "unit_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_training_attendance_unit",
            "training_attendance",
            &["unit_id", "role"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("school_terms")
                .col(integer("school_year"))
                .col(small_integer("term"))
                .col(date("first_day"))
                .col(date("last_day"))
                .col(uuid_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("school_year").col("term"))
                .take(),
        )
        .await?;
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            m.alter_table(
                Table::alter()
                    .table("targets")
                    .modify_column(string_len("period", 40))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            m.alter_table(
                Table::alter()
                    .table("targets")
                    .modify_column(string_len("period", 20))
                    .take(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table("school_terms").take()).await?;
        m.drop_table(Table::drop().table("training_attendance").take()).await?;
        Ok(())
    }
}
