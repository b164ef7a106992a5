//! Offline events: forums, dialogues, Council meetings, trainings and the
//! like, with how many children and adults attended. Issues raised there go
//! into the `issues` table with source `event`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_tables, stamps, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("events")
            .cols([pk_uuid("id"), string_len("kind", 30), string_len_null("audience", 30)])
            .cols([uuid("unit_id"), date("held_on"), string_len("title", 200)])
            .cols([integer("children_attending"), text_null("children_by_age_band")])
            .cols([text_null("children_by_school_level"), integer("adults_attending")])
            .cols([text_null("notes"), uuid_null("created_by")])
            .cols(stamps())
            .refs("unit", "unit_id", "units")
            .index("ix_events_unit_held_on", &["unit_id", "held_on"])
            .index("ix_events_kind_held_on", &["kind", "held_on"])
            .create(m)
            .await?;
        add_columns(m, "issues", [uuid_null("event_id")]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "issues", &["event_id"]).await?;
        drop_tables(m, &["events"]).await
    }
}
