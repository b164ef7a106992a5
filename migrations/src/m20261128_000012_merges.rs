//! Merging duplicate issues: a merged issue points at its canonical issue.
//! Nothing else moves, so unmerging restores both exactly.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000012_merges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("issues")
                .add_column(uuid_null("merged_into"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_issues_merged_into", "issues", &["merged_into"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_issues_merged_into").table("issues").to_owned())
            .await?;
        m.alter_table(Table::alter().table("issues").drop_column("merged_into").take())
            .await
    }
}
