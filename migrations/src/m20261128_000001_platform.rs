//! The platform: organisation over time (units, parent periods, lineage,
//! reorganisations), topics, agencies, staff accounts, sign-in throttling
//! and the append-only audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, stamp, stamps, table, vi_en};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("units")
            .cols([pk_uuid("id"), string_len("kind", 20), string_len_uniq("code", 40)])
            .cols(vi_en("name", Some(200)))
            .cols([date("valid_from"), date_null("valid_to"), text_null("note")])
            .cols([stamp("created_at")])
            .create(m)
            .await?;
        table("reorganisations")
            .cols([pk_uuid("id"), date("effective_on"), string_len("title", 200)])
            .cols([text_null("note"), uuid_null("created_by"), stamp("created_at")])
            .create(m)
            .await?;
        table("unit_parents")
            .cols([pk_uuid("id"), uuid("unit_id"), uuid("parent_id"), date("valid_from")])
            .cols([date_null("valid_to")])
            .refs("unit", "unit_id", "units")
            .refs("parent", "parent_id", "units")
            .index("ix_unit_parents_unit", &["unit_id"])
            .index("ix_unit_parents_parent", &["parent_id"])
            .create(m)
            .await?;
        table("unit_lineage")
            .cols([pk_uuid("id"), uuid("reorganisation_id"), uuid("from_unit_id")])
            .cols([uuid("to_unit_id"), date("effective_on"), boolean("is_default")])
            .cols([boolean("assumption"), text_null("note")])
            .refs("reorganisation", "reorganisation_id", "reorganisations")
            .refs("from", "from_unit_id", "units")
            .refs("to", "to_unit_id", "units")
            .unique("ux_unit_lineage_pair", &["from_unit_id", "to_unit_id"])
            .create(m)
            .await?;
        table("topics")
            .cols([pk_uuid("id"), string_len_uniq("slug", 64)])
            .cols(vi_en("name", Some(200)))
            .cols([text_null("description_vi"), text_null("description_en")])
            .cols([boolean("active")])
            .cols(stamps())
            .create(m)
            .await?;
        table("agencies")
            .cols([pk_uuid("id")])
            .cols(vi_en("name", Some(200)))
            .cols([string_len("kind", 40), uuid("jurisdiction_unit_id")])
            .cols([string_len_null("contact_name", 200)])
            .cols([string_len_null("contact_email", 254)])
            .cols([string_len_null("contact_phone", 40), boolean("active")])
            .cols(stamps())
            .refs("jurisdiction", "jurisdiction_unit_id", "units")
            .create(m)
            .await?;
        table("agency_topics")
            .cols([uuid("agency_id"), uuid("topic_id")])
            .pk(&["agency_id", "topic_id"])
            .refs("agency", "agency_id", "agencies")
            .refs("topic", "topic_id", "topics")
            .create(m)
            .await?;
        table("users")
            .cols([pk_uuid("id"), string_len_uniq("username", 64)])
            .cols([string_len("password_hash", 200), string_len("role", 30)])
            .cols([uuid_null("unit_id"), uuid_null("agency_id")])
            .cols([string_len_null("display_name", 200), boolean("disabled")])
            .cols([integer("token_version")])
            .cols(stamps())
            .refs("unit", "unit_id", "units")
            .refs("agency", "agency_id", "agencies")
            .create(m)
            .await?;
        table("login_throttle")
            .cols([string_len("key", 120).primary_key().take(), integer("failures")])
            .cols([stamp("last_failure_at")])
            .create(m)
            .await?;
        table("audit_events")
            .cols([pk_uuid("id"), stamp("at"), uuid_null("actor_id")])
            .cols([string_len("actor_label", 120), string_len("action", 60)])
            .cols([string_len("entity", 60), string_len_null("entity_id", 64)])
            .cols([json_binary_null("before"), json_binary_null("after")])
            .index("ix_audit_events_entity", &["entity", "entity_id"])
            .index("ix_audit_events_at", &["at"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
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
            ],
        )
        .await
    }
}
