//! The budget of wrong join codes (issue 13): one row per hour window
//! counting the wrong codes tried across every replica and address, and
//! when the budget ran out (the admins' alert is recorded once per window).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, stamp, stamp_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("join_failure_budget")
            .cols([stamp("window_start").primary_key().take(), integer("used")])
            .cols([stamp_null("spent_at")])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["join_failure_budget"]).await
    }
}
