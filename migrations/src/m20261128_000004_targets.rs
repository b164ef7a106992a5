//! The plan's targets as data: metric, scope unit, period and value.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, stamps, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("targets")
            .cols([pk_uuid("id"), string_len("metric", 60), uuid("scope_unit_id")])
            .cols([string_len("period", 20), double("value"), uuid_null("created_by")])
            .cols(stamps())
            .refs("unit", "scope_unit_id", "units")
            .index("ix_targets_scope", &["scope_unit_id"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["targets"]).await
    }
}
