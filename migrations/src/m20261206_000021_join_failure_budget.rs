//! The budget of wrong join codes (issue 13): one row per hour window
//! counting the wrong codes tried across every replica and address, and
//! when the budget ran out (the admins' alert is recorded once per window).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000021_join_failure_budget"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("join_failure_budget"))
                .col(timestamp_with_time_zone("window_start").primary_key())
                .col(integer("used"))
                .col(timestamp_with_time_zone_null("spent_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("join_failure_budget")).take())
            .await
    }
}
