//! Issues promoted from a child's free-text answer link back to it; an
//! answer is promoted at most once (a unique index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            m,
            "issues",
            [uuid_null("response_id"), string_len_null("question_key", 64)],
        )
        .await?;
        m.create_index(
            index("ux_issues_promoted", "issues", &["response_id", "question_key"])
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_index(m, "ux_issues_promoted", "issues").await?;
        drop_columns(m, "issues", &["question_key", "response_id"]).await
    }
}
