//! The plan's targets as data: metric, scope unit, period and value.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000004_targets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("targets")
                .col(pk_uuid("id"))
                .col(string_len("metric", 60))
                .col(uuid("scope_unit_id"))
                .col(string_len("period", 20))
                .col(double("value"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_targets_unit",
                    ("targets", "scope_unit_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_targets_scope", "targets", &["scope_unit_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("targets").take()).await?;
        Ok(())
    }
}
