//! Sign-in throttling keyed with the data key (issue 13): the records kept
//! so far are keyed by an unkeyed hash of the client address, so they are
//! deleted (they expire within the hour anyway), and records are now purged
//! once past their window, found by `last_failure_at`.

use sea_orm_migration::prelude::*;

use crate::ddl::{drop_index, execute, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute(m, &["DELETE FROM login_throttle"]).await?;
        let index = index(
            "ix_login_throttle_last_failure_at",
            "login_throttle",
            &["last_failure_at"],
        );
        m.create_index(index).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_index(m, "ix_login_throttle_last_failure_at", "login_throttle").await
    }
}
