//! Following safeguarding cases to closure: who is assigned, where a case
//! was referred, how a report received by hand reached the officers, when
//! it was received, assessed and closed, and the officers' notes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000010_safeguarding"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            uuid_null("assignee_id"),
            string_len_null("referred_to", 30),
            string_len_null("channel", 20),
            timestamp_with_time_zone_null("received_at"),
            timestamp_with_time_zone_null("assessed_at"),
            timestamp_with_time_zone_null("closed_at"),
        ] {
            m.alter_table(Table::alter().table("safeguarding_cases").add_column(col).take())
                .await?;
        }
        m.create_table(
            Table::create()
                .table("safeguarding_notes")
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(uuid_null("author_id"))
                .col(string_len("author_label", 100))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_safeguarding_notes_case",
                    ("safeguarding_notes", "case_id"),
                    ("safeguarding_cases", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_safeguarding_notes_case",
            "safeguarding_notes",
            &["case_id", "id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("safeguarding_notes").take()).await?;
        for col in [
            "closed_at",
            "assessed_at",
            "received_at",
            "channel",
            "referred_to",
            "assignee_id",
        ] {
            m.alter_table(Table::alter().table("safeguarding_cases").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
