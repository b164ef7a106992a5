//! Work done on paper and in rooms: a session's `mode` (`app`, or `paper`
//! when a facilitator enters children's paper forms after the session),
//! and the children of a unit (a school) who attended an event held above
//! it (a district forum), as the unit's facilitator entered them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_tables, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "sessions", [string_len("mode", 10).default("app").take()]).await?;
        table("event_children")
            .cols([uuid("id").primary_key().take(), uuid("event_id"), uuid("unit_id")])
            .cols([integer("children"), text_null("children_by_school_level")])
            .cols([uuid_null("updated_by"), stamp("updated_at")])
            .refs_cascade("event", "event_id", "events")
            .refs("unit", "unit_id", "units")
            .unique("ux_event_children", &["event_id", "unit_id"])
            .index("ix_event_children_unit", &["unit_id"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["event_children"]).await?;
        drop_columns(m, "sessions", &["mode"]).await
    }
}
