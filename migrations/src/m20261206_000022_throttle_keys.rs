//! Sign-in throttling keyed with the data key (issue 13): the records kept
//! so far are keyed by an unkeyed hash of the client address, so they are
//! deleted (they expire within the hour anyway), and records are now purged
//! once past their window, found by `last_failure_at`.

use sea_orm_migration::prelude::*;

use crate::helpers::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000022_throttle_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DELETE FROM login_throttle")
            .await?;
        m.create_index(index(
            "ix_login_throttle_last_failure_at",
            "login_throttle",
            &["last_failure_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_login_throttle_last_failure_at")
                .table("login_throttle")
                .to_owned(),
        )
        .await
    }
}
