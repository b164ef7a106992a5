//! Issues promoted from a child's free-text answer link back to it; an
//! answer is promoted at most once (a unique index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000014_promoted_answers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("issues")
                .add_column(uuid_null("response_id"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("issues")
                .add_column(string_len_null("question_key", 64))
                .take(),
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
        m.drop_index(Index::drop().name("ux_issues_promoted").table("issues").to_owned())
            .await?;
        for col in ["question_key", "response_id"] {
            m.alter_table(Table::alter().table("issues").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
