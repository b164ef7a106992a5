//! Children supporting each other's issues: one support per participant
//! and issue, enforced by the primary key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000011_supports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("issue_supports")
                .col(uuid("issue_id"))
                .col(uuid("participant_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("issue_id").col("participant_id"))
                .foreign_key(&mut fk(
                    "fk_issue_supports_issue",
                    ("issue_supports", "issue_id"),
                    ("issues", "id"),
                ))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("issue_supports").take()).await
    }
}
