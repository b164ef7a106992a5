//! Closing the loop: recommendations built on curated issues, their
//! deliveries to agencies with replies, commitments, progress and
//! reminders; agencies' machine clients and webhooks; and the outbox from
//! which webhook events are relayed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000016_recommendations"
    }
}

const TABLES: [&str; 9] = [
    "outbox",
    "agency_webhooks",
    "agency_clients",
    "delivery_reminders",
    "delivery_updates",
    "commitments",
    "deliveries",
    "recommendation_issues",
    "recommendations",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("recommendations")
                .col(pk_uuid("id"))
                .col(string_len("status", 20))
                .col(text("title_vi"))
                .col(text_null("title_en"))
                .col(text("summary_vi"))
                .col(text_null("summary_en"))
                .col(text("child_summary_vi"))
                .col(text_null("child_summary_en"))
                .col(text("action_vi"))
                .col(text_null("action_en"))
                .col(uuid("topic_id"))
                .col(uuid("unit_id"))
                // JSON: the survey questions that back it.
                .col(text("evidence"))
                // JSON: their suppressed results as they were when sent.
                .col(text_null("frozen_evidence"))
                .col(uuid_null("approval_event_id"))
                .col(timestamp_with_time_zone_null("approved_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_recommendations_topic",
                    ("recommendations", "topic_id"),
                    ("topics", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_recommendations_unit",
                    ("recommendations", "unit_id"),
                    ("units", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_recommendations_event",
                    ("recommendations", "approval_event_id"),
                    ("events", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_recommendations_status",
            "recommendations",
            &["status", "sent_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("recommendation_issues")
                .col(uuid("recommendation_id"))
                .col(uuid("issue_id"))
                .primary_key(Index::create().col("recommendation_id").col("issue_id"))
                .foreign_key(&mut fk(
                    "fk_recommendation_issues_recommendation",
                    ("recommendation_issues", "recommendation_id"),
                    ("recommendations", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_recommendation_issues_issue",
                    ("recommendation_issues", "issue_id"),
                    ("issues", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("deliveries")
                .col(pk_uuid("id"))
                .col(uuid("recommendation_id"))
                .col(uuid("agency_id"))
                .col(string_len("status", 20))
                .col(date("due_on"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(timestamp_with_time_zone_null("answered_at"))
                // The local day of the answer, for "on time" and working days.
                .col(date_null("answered_on"))
                .col(string_len_null("stance", 30))
                .col(text_null("reply_body"))
                .col(text_null("reply_child_summary"))
                .col(text_null("reason"))
                .col(integer_null("last_reminder_step"))
                .col(timestamp_with_time_zone_null("escalated_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_deliveries_recommendation",
                    ("deliveries", "recommendation_id"),
                    ("recommendations", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_deliveries_agency",
                    ("deliveries", "agency_id"),
                    ("agencies", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "ux_deliveries_recommendation_agency",
                "deliveries",
                &["recommendation_id", "agency_id"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index("ix_deliveries_agency", "deliveries", &["agency_id", "id"]))
            .await?;
        m.create_index(index("ix_deliveries_status_due", "deliveries", &["status", "due_on"]))
            .await?;
        m.create_table(
            Table::create()
                .table("commitments")
                .col(pk_uuid("id"))
                .col(uuid("delivery_id"))
                .col(integer("position"))
                .col(text("body"))
                .col(date("due_on"))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_commitments_delivery",
                    ("commitments", "delivery_id"),
                    ("deliveries", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_commitments_delivery",
            "commitments",
            &["delivery_id", "position"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_updates")
                .col(pk_uuid("id"))
                .col(uuid("delivery_id"))
                .col(uuid("commitment_id"))
                .col(string_len("status", 20))
                .col(text("note"))
                .col(text_null("child_note"))
                .col(string_len("actor_label", 100))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_delivery_updates_delivery",
                    ("delivery_updates", "delivery_id"),
                    ("deliveries", "id"),
                ))
                .foreign_key(&mut fk(
                    "fk_delivery_updates_commitment",
                    ("delivery_updates", "commitment_id"),
                    ("commitments", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_delivery_updates_delivery",
            "delivery_updates",
            &["delivery_id", "id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_reminders")
                .col(uuid("delivery_id"))
                .col(integer("step"))
                .col(string_len("kind", 20))
                .col(date("reminded_on"))
                .col(boolean("escalated"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("delivery_id").col("step"))
                .foreign_key(&mut fk(
                    "fk_delivery_reminders_delivery",
                    ("delivery_reminders", "delivery_id"),
                    ("deliveries", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("agency_clients")
                .col(pk_uuid("id"))
                .col(uuid("agency_id"))
                .col(string_len_uniq("client_id", 64))
                .col(string_len("secret_hash", 64))
                .col(string_len("label", 100))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "fk_agency_clients_agency",
                    ("agency_clients", "agency_id"),
                    ("agencies", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("agency_webhooks")
                .col(uuid("agency_id").primary_key())
                .col(text("url"))
                .col(string_len("secret", 100))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_agency_webhooks_agency",
                    ("agency_webhooks", "agency_id"),
                    ("agencies", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("outbox")
                // The event id receivers deduplicate on.
                .col(pk_uuid("id"))
                .col(uuid("agency_id"))
                .col(string_len("event_type", 40))
                .col(text("payload"))
                // `pending`, `delivered` or `dead`.
                .col(string_len("status", 20))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                // A relay's claim on the row while it sends.
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                // When queued, or replayed from the dead letters: retries
                // stop a configured time (a day) after it.
                .col(timestamp_with_time_zone("queued_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(&mut fk("fk_outbox_agency", ("outbox", "agency_id"), ("agencies", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_outbox_due", "outbox", &["status", "next_attempt_at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
