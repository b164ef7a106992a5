//! Consultations: versioned survey definitions, sessions with join codes,
//! pseudonymous participants, responses (with idempotency and one response
//! per participant where the survey says so), issues raised by children and
//! the safeguarding cases that screening opens.
//!
//! Hot tables (responses) reference surveys but no other survey's rows, so
//! they can be sharded by survey later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, stamp, stamp_null, stamps, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("surveys")
            .cols([pk_uuid("id"), string_len("kind", 30), uuid("owner_unit_id")])
            .cols([uuid_null("topic_id"), string_len("status", 20)])
            .cols([integer("latest_version"), integer_null("published_version")])
            .cols([string_len("title_vi", 200), uuid_null("created_by")])
            .cols(stamps())
            .refs("unit", "owner_unit_id", "units")
            .refs("topic", "topic_id", "topics")
            .create(m)
            .await?;
        table("survey_versions")
            .cols([pk_uuid("id"), uuid("survey_id"), integer("version")])
            .cols([text("definition"), stamp("created_at"), stamp_null("published_at")])
            .refs("survey", "survey_id", "surveys")
            .unique("ux_survey_versions", &["survey_id", "version"])
            .create(m)
            .await?;
        table("sessions")
            .cols([pk_uuid("id"), uuid("survey_id"), integer("version"), uuid("unit_id")])
            .cols([stamp("opens_at"), stamp("closes_at")])
            .cols([integer_null("expected_participants")])
            .cols([string_len_uniq("join_code", 12)])
            .cols([string_len_null("guardian_consent_method", 40)])
            .cols([string_len_null("guardian_consent_reference", 200)])
            .cols([uuid_null("created_by"), stamp("created_at"), stamp_null("closed_at")])
            .refs("survey", "survey_id", "surveys")
            .refs("unit", "unit_id", "units")
            .index("ix_sessions_survey", &["survey_id"])
            .create(m)
            .await?;
        table("participants")
            .cols([pk_uuid("id"), string_len_uniq("token_hash", 64), stamp("created_at")])
            .create(m)
            .await?;
        table("responses")
            .cols([pk_uuid("id"), uuid("survey_id"), integer("version")])
            .cols([uuid("session_id"), uuid("unit_id"), uuid("participant_id")])
            .cols([small_integer("age"), string_len("age_band", 5)])
            .cols([small_integer_null("grade"), string_len_null("gender", 20)])
            .cols([string_len("language", 2), text("answers")])
            .cols([string_len_uniq("receipt_hash", 64)])
            .cols([string_len("idempotency_key", 200), string_len("request_hash", 64)])
            // Set while the response counts and the survey allows one
            // response per participant; a unique index then refuses a
            // second one, even from concurrent requests.
            .cols([uuid_null("single_response_of"), stamp("submitted_at")])
            .cols([stamp_null("withdrawn_at")])
            .refs("survey", "survey_id", "surveys")
            .unique("ux_responses_single", &["survey_id", "single_response_of"])
            .unique("ux_responses_idempotency", &["participant_id", "idempotency_key"])
            .index("ix_responses_survey", &["survey_id", "submitted_at"])
            .create(m)
            .await?;
        table("issues")
            .cols([pk_uuid("id"), string_len("source", 20), string_len("status", 20)])
            .cols([uuid_null("survey_id"), uuid_null("session_id"), uuid("unit_id")])
            .cols([uuid_null("participant_id"), string_len_null("age_band", 5)])
            .cols([uuid_null("topic_id"), text("title"), text("body")])
            .cols([string_len_null("redactions", 200)])
            .cols([string_len_null("receipt_hash", 64)])
            .cols([string_len_null("idempotency_key", 200)])
            .cols([string_len_null("request_hash", 64)])
            .cols(stamps())
            .refs("unit", "unit_id", "units")
            .refs("topic", "topic_id", "topics")
            .unique("ux_issues_receipt", &["receipt_hash"])
            .unique("ux_issues_idempotency", &["participant_id", "idempotency_key"])
            .index("ix_issues_status", &["status"])
            .create(m)
            .await?;
        table("safeguarding_cases")
            .cols([pk_uuid("id"), string_len("source", 20), string_len("status", 20)])
            .cols([string_len("severity", 10), string_len("categories", 200)])
            .cols([text("original_text"), uuid_null("unit_id"), uuid_null("session_id")])
            .cols([uuid_null("response_id"), uuid_null("issue_id")])
            .cols([string_len_null("question_key", 64)])
            .cols(stamps())
            .index("ix_safeguarding_cases_status", &["status", "severity"])
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "safeguarding_cases",
                "issues",
                "responses",
                "participants",
                "sessions",
                "survey_versions",
                "surveys",
            ],
        )
        .await
    }
}
