//! Closing the loop: recommendations built on curated issues, their
//! deliveries to agencies with replies, commitments, progress and
//! reminders; agencies' machine clients and webhooks; and the outbox from
//! which webhook events are relayed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{NewTable, drop_tables, fk, stamp, stamp_null, stamps, table, vi_en};

#[derive(DeriveMigrationName)]
pub struct Migration;

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

/// The outbox (`name`, while a migration rebuilds it), where each event is
/// for an agency or, once safeguarding's webhook shares it, maybe none.
pub(crate) fn outbox(name: &'static str, agency_required: bool) -> NewTable {
    let agency = if agency_required {
        uuid("agency_id")
    } else {
        uuid_null("agency_id")
    };
    table(name)
        // The event id receivers deduplicate on.
        .cols([pk_uuid("id"), agency, string_len("event_type", 40), text("payload")])
        // `pending`, `delivered` or `dead`.
        .cols([string_len("status", 20), integer("attempts")])
        .cols([stamp("next_attempt_at")])
        // A relay's claim on the row while it sends.
        .cols([stamp_null("locked_until"), text_null("last_error")])
        // When queued, or replayed from the dead letters: retries stop a
        // configured time (a day) after it.
        .cols([stamp("queued_at"), stamp_null("delivered_at")])
        // Named after the table it was made with, also while rebuilt.
        .foreign_key(fk("fk_outbox_agency", (name, "agency_id"), ("agencies", "id")))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("recommendations")
            .cols([pk_uuid("id"), string_len("status", 20)])
            .cols(vi_en("title", None))
            .cols(vi_en("summary", None))
            .cols(vi_en("child_summary", None))
            .cols(vi_en("action", None))
            .cols([uuid("topic_id"), uuid("unit_id")])
            // JSON: the survey questions that back it.
            .cols([text("evidence")])
            // JSON: their suppressed results as they were when sent.
            .cols([text_null("frozen_evidence"), uuid_null("approval_event_id")])
            .cols([stamp_null("approved_at"), stamp_null("sent_at")])
            .cols([string_len("created_by", 100)])
            .cols(stamps())
            .refs("topic", "topic_id", "topics")
            .refs("unit", "unit_id", "units")
            .refs("event", "approval_event_id", "events")
            .index("ix_recommendations_status", &["status", "sent_at"])
            .create(m)
            .await?;
        table("recommendation_issues")
            .cols([uuid("recommendation_id"), uuid("issue_id")])
            .pk(&["recommendation_id", "issue_id"])
            .refs("recommendation", "recommendation_id", "recommendations")
            .refs("issue", "issue_id", "issues")
            .create(m)
            .await?;
        table("deliveries")
            .cols([pk_uuid("id"), uuid("recommendation_id"), uuid("agency_id")])
            .cols([string_len("status", 20), date("due_on"), stamp("sent_at")])
            .cols([stamp_null("acknowledged_at"), stamp_null("answered_at")])
            // The local day of the answer, for "on time" and working days.
            .cols([date_null("answered_on"), string_len_null("stance", 30)])
            .cols([text_null("reply_body"), text_null("reply_child_summary")])
            .cols([text_null("reason"), integer_null("last_reminder_step")])
            .cols([stamp_null("escalated_at"), stamp("updated_at")])
            .refs("recommendation", "recommendation_id", "recommendations")
            .refs("agency", "agency_id", "agencies")
            .unique(
                "ux_deliveries_recommendation_agency",
                &["recommendation_id", "agency_id"],
            )
            .index("ix_deliveries_agency", &["agency_id", "id"])
            .index("ix_deliveries_status_due", &["status", "due_on"])
            .create(m)
            .await?;
        table("commitments")
            .cols([pk_uuid("id"), uuid("delivery_id"), integer("position"), text("body")])
            .cols([date("due_on"), string_len("status", 20), stamp("updated_at")])
            .refs("delivery", "delivery_id", "deliveries")
            .index("ix_commitments_delivery", &["delivery_id", "position"])
            .create(m)
            .await?;
        table("delivery_updates")
            .cols([pk_uuid("id"), uuid("delivery_id"), uuid("commitment_id")])
            .cols([string_len("status", 20), text("note"), text_null("child_note")])
            .cols([string_len("actor_label", 100), stamp("created_at")])
            .refs("delivery", "delivery_id", "deliveries")
            .refs("commitment", "commitment_id", "commitments")
            .index("ix_delivery_updates_delivery", &["delivery_id", "id"])
            .create(m)
            .await?;
        table("delivery_reminders")
            .cols([uuid("delivery_id"), integer("step"), string_len("kind", 20)])
            .cols([date("reminded_on"), boolean("escalated"), stamp("created_at")])
            .pk(&["delivery_id", "step"])
            .refs("delivery", "delivery_id", "deliveries")
            .create(m)
            .await?;
        table("agency_clients")
            .cols([pk_uuid("id"), uuid("agency_id"), string_len_uniq("client_id", 64)])
            .cols([string_len("secret_hash", 64), string_len("label", 100)])
            .cols([string_len("created_by", 100), stamp("created_at")])
            .cols([stamp_null("revoked_at")])
            .refs("agency", "agency_id", "agencies")
            .create(m)
            .await?;
        table("agency_webhooks")
            .cols([uuid("agency_id").primary_key().take(), text("url")])
            .cols([string_len("secret", 100), stamp("updated_at")])
            .refs("agency", "agency_id", "agencies")
            .create(m)
            .await?;
        outbox("outbox", true)
            .index("ix_outbox_due", &["status", "next_attempt_at"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &TABLES).await
    }
}
