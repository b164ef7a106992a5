//! Offline events: forums, dialogues, Council meetings, trainings and the
//! like, with how many children and adults attended. Issues raised there go
//! into the `issues` table with source `event`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000003_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("events")
                .col(pk_uuid("id"))
                .col(string_len("kind", 30))
                .col(string_len_null("audience", 30))
                .col(uuid("unit_id"))
                .col(date("held_on"))
                .col(string_len("title", 200))
                .col(integer("children_attending"))
                .col(text_null("children_by_age_band"))
                .col(text_null("children_by_school_level"))
                .col(integer("adults_attending"))
                .col(text_null("notes"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_events_unit", ("events", "unit_id"), ("units", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_events_unit_held_on", "events", &["unit_id", "held_on"]))
            .await?;
        m.create_index(index("ix_events_kind_held_on", "events", &["kind", "held_on"]))
            .await?;
        m.alter_table(Table::alter().table("issues").add_column(uuid_null("event_id")).take())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("issues").drop_column("event_id").take())
            .await?;
        m.drop_table(Table::drop().table("events").take()).await?;
        Ok(())
    }
}
