//! The holiday calendar agencies' due dates skip, maintained by admins.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("holidays")
            .cols([date("day").primary_key().take(), string_len("name", 100)])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["holidays"]).await
    }
}
