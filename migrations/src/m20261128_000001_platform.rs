//! The platform: organisation over time (units, parent periods, lineage,
//! reorganisations), topics, agencies, staff accounts, sign-in throttling
//! and the append-only audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_platform"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("units")
                .col(pk_uuid("id"))
                .col(string_len("kind", 20))
                .col(string_len_uniq("code", 40))
                .col(string_len("name_vi", 200))
                .col(string_len_null("name_en", 200))
                .col(date("valid_from"))
                .col(date_null("valid_to"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("reorganisations")
                .col(pk_uuid("id"))
                .col(date("effective_on"))
                .col(string_len("title", 200))
                .col(text_null("note"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("unit_parents")
                .col(pk_uuid("id"))
                .col(uuid("unit_id"))
                .col(uuid("parent_id"))
                .col(date("valid_from"))
                .col(date_null("valid_to"))
                .foreign_key(&mut fk(
                    "fk_unit_parents_unit",
                    ("unit_parents", "unit_id"),
                    ("units", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_unit_parents_parent",
                    ("unit_parents", "parent_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_unit_parents_unit", "unit_parents", &["unit_id"]))
            .await?;
        m.create_index(index("ix_unit_parents_parent", "unit_parents", &["parent_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("unit_lineage")
                .col(pk_uuid("id"))
                .col(uuid("reorganisation_id"))
                .col(uuid("from_unit_id"))
                .col(uuid("to_unit_id"))
                .col(date("effective_on"))
                .col(boolean("is_default"))
                .col(boolean("assumption"))
                .col(text_null("note"))
                .foreign_key(&mut fk(
                    "fk_unit_lineage_reorganisation",
                    ("unit_lineage", "reorganisation_id"),
                    ("reorganisations", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_unit_lineage_from",
                    ("unit_lineage", "from_unit_id"),
                    ("units", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_unit_lineage_to",
                    ("unit_lineage", "to_unit_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("ux_unit_lineage_pair", "unit_lineage", &["from_unit_id", "to_unit_id"])
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("topics")
                .col(pk_uuid("id"))
                .col(string_len_uniq("slug", 64))
                .col(string_len("name_vi", 200))
                .col(string_len_null("name_en", 200))
                .col(text_null("description_vi"))
                .col(text_null("description_en"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("agencies")
                .col(pk_uuid("id"))
                .col(string_len("name_vi", 200))
                .col(string_len_null("name_en", 200))
                .col(string_len("kind", 40))
                .col(uuid("jurisdiction_unit_id"))
                .col(string_len_null("contact_name", 200))
                .col(string_len_null("contact_email", 254))
                .col(string_len_null("contact_phone", 40))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_agencies_jurisdiction",
                    ("agencies", "jurisdiction_unit_id"),
                    ("units", "id"),
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("agency_topics")
                .col(uuid("agency_id"))
                .col(uuid("topic_id"))
                .primary_key(Index::create().col("agency_id").col("topic_id"))
                .foreign_key(&mut fk(
                    "fk_agency_topics_agency",
                    ("agency_topics", "agency_id"),
                    ("agencies", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_agency_topics_topic",
                    ("agency_topics", "topic_id"),
                    ("topics", "id"),
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(pk_uuid("id"))
                .col(string_len_uniq("username", 64))
                .col(string_len("password_hash", 200))
                .col(string_len("role", 30))
                .col(uuid_null("unit_id"))
                .col(uuid_null("agency_id"))
                .col(string_len_null("display_name", 200))
                .col(boolean("disabled"))
                .col(integer("token_version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_users_unit", ("users", "unit_id"), ("units", "id")))
                .foreign_key(&mut fk("fk_users_agency", ("users", "agency_id"), ("agencies", "id")))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("login_throttle")
                .col(string_len("key", 120).primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("last_failure_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(pk_uuid("id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_label", 120))
                .col(string_len("action", 60))
                .col(string_len("entity", 60))
                .col(string_len_null("entity_id", 64))
                .col(json_binary_null("before"))
                .col(json_binary_null("after"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_audit_events_entity",
            "audit_events",
            &["entity", "entity_id"],
        ))
        .await?;
        m.create_index(index("ix_audit_events_at", "audit_events", &["at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_events",
            "login_throttle",
            "users",
            "agency_topics",
            "agencies",
            "topics",
            "unit_lineage",
            "unit_parents",
            "reorganisations",
            "units",
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
