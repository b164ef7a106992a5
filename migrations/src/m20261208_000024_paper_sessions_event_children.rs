//! Work done on paper and in rooms: a session's `mode` (`app`, or `paper`
//! when a facilitator enters children's paper forms after the session),
//! and the children of a unit (a school) who attended an event held above
//! it (a district forum), as the unit's facilitator entered them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000024_paper_sessions_event_children"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(string_len("mode", 10).default("app"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("event_children")
                .col(uuid("id").primary_key())
                .col(uuid("event_id"))
                .col(uuid("unit_id"))
                .col(integer("children"))
                .col(text_null("children_by_school_level"))
                .col(uuid_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    &mut fk(
                        "fk_event_children_event",
                        ("event_children", "event_id"),
                        ("events", "id"),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .take(),
                )
                .foreign_key(&mut fk(
                    "fk_event_children_unit",
                    ("event_children", "unit_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("ux_event_children", "event_children", &["event_id", "unit_id"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index("ix_event_children_unit", "event_children", &["unit_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("event_children").take()).await?;
        m.alter_table(Table::alter().table("sessions").drop_column("mode").take())
            .await?;
        Ok(())
    }
}
