//! Children supporting each other's issues: one support per participant
//! and issue, enforced by the primary key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("issue_supports")
            .cols([uuid("issue_id"), uuid("participant_id"), stamp("created_at")])
            .pk(&["issue_id", "participant_id"])
            .refs("issue", "issue_id", "issues")
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["issue_supports"]).await
    }
}
