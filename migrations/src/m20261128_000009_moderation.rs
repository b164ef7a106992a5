//! Moderation of issues: why one was rejected, the moderator's note, and
//! the folded text the queue is searched by (filled by the service on write
//! and, for issues stored before this migration, at start-up).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000009_moderation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            string_len_null("rejection_reason", 30),
            text_null("moderator_note"),
            text_null("search_text"),
        ] {
            m.alter_table(Table::alter().table("issues").add_column(col).take())
                .await?;
        }
        m.create_index(index("ix_issues_moderation", "issues", &["status", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_issues_moderation").table("issues").to_owned())
            .await?;
        for col in ["search_text", "moderator_note", "rejection_reason"] {
            m.alter_table(Table::alter().table("issues").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
