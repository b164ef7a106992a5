//! Merging duplicate issues: a merged issue points at its canonical issue.
//! Nothing else moves, so unmerging restores both exactly.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "issues", [uuid_null("merged_into")]).await?;
        m.create_index(index("ix_issues_merged_into", "issues", &["merged_into"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_index(m, "ix_issues_merged_into", "issues").await?;
        drop_columns(m, "issues", &["merged_into"]).await
    }
}
