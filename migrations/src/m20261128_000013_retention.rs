//! Retention: when a response's free text was purged, so the purge does
//! each response once.

use sea_orm_migration::prelude::*;

use crate::ddl::{add_columns, drop_columns, stamp_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "responses", [stamp_null("text_purged_at")]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "responses", &["text_purged_at"]).await
    }
}
