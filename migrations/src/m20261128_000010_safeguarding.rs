//! Following safeguarding cases to closure: who is assigned, where a case
//! was referred, how a report received by hand reached the officers, when
//! it was received, assessed and closed, and the officers' notes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_tables, stamp, stamp_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            uuid_null("assignee_id"),
            string_len_null("referred_to", 30),
            string_len_null("channel", 20),
        ];
        add_columns(m, "safeguarding_cases", columns).await?;
        let stamps = ["received_at", "assessed_at", "closed_at"].map(stamp_null);
        add_columns(m, "safeguarding_cases", stamps).await?;
        table("safeguarding_notes")
            .cols([pk_uuid("id"), uuid("case_id"), uuid_null("author_id")])
            .cols([string_len("author_label", 100), text("body"), stamp("created_at")])
            .refs("case", "case_id", "safeguarding_cases")
            .index("ix_safeguarding_notes_case", &["case_id", "id"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["safeguarding_notes"]).await?;
        let columns = [
            "closed_at",
            "assessed_at",
            "received_at",
            "channel",
            "referred_to",
            "assignee_id",
        ];
        drop_columns(m, "safeguarding_cases", &columns).await
    }
}
