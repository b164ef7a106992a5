//! Moderation of issues: why one was rejected, the moderator's note, and
//! the folded text the queue is searched by (filled by the service on write
//! and, for issues stored before this migration, at start-up).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            string_len_null("rejection_reason", 30),
            text_null("moderator_note"),
            text_null("search_text"),
        ];
        add_columns(m, "issues", columns).await?;
        m.create_index(index("ix_issues_moderation", "issues", &["status", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_index(m, "ix_issues_moderation", "issues").await?;
        drop_columns(m, "issues", &["search_text", "moderator_note", "rejection_reason"]).await
    }
}
