//! Consultations: versioned survey definitions, sessions with join codes,
//! pseudonymous participants, responses (with idempotency and one response
//! per participant where the survey says so), issues raised by children and
//! the safeguarding cases that screening opens.
//!
//! Hot tables (responses) reference surveys but no other survey's rows, so
//! they can be sharded by survey later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000002_consultations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("surveys")
                .col(pk_uuid("id"))
                .col(string_len("kind", 30))
                .col(uuid("owner_unit_id"))
                .col(uuid_null("topic_id"))
                .col(string_len("status", 20))
                .col(integer("latest_version"))
                .col(integer_null("published_version"))
                .col(string_len("title_vi", 200))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_surveys_unit",
                    ("surveys", "owner_unit_id"),
                    ("units", "id"),
                ))
                .foreign_key(&mut fk("fk_surveys_topic", ("surveys", "topic_id"), ("topics", "id")))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("survey_versions")
                .col(pk_uuid("id"))
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(text("definition"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .foreign_key(&mut fk(
                    "fk_survey_versions_survey",
                    ("survey_versions", "survey_id"),
                    ("surveys", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("ux_survey_versions", "survey_versions", &["survey_id", "version"])
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(pk_uuid("id"))
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(uuid("unit_id"))
                .col(timestamp_with_time_zone("opens_at"))
                .col(timestamp_with_time_zone("closes_at"))
                .col(integer_null("expected_participants"))
                .col(string_len_uniq("join_code", 12))
                .col(string_len_null("guardian_consent_method", 40))
                .col(string_len_null("guardian_consent_reference", 200))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .foreign_key(&mut fk(
                    "fk_sessions_survey",
                    ("sessions", "survey_id"),
                    ("surveys", "id"),
                ))
                .foreign_key(&mut fk("fk_sessions_unit", ("sessions", "unit_id"), ("units", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_sessions_survey", "sessions", &["survey_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("participants")
                .col(pk_uuid("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("responses")
                .col(pk_uuid("id"))
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(uuid("session_id"))
                .col(uuid("unit_id"))
                .col(uuid("participant_id"))
                .col(small_integer("age"))
                .col(string_len("age_band", 5))
                .col(small_integer_null("grade"))
                .col(string_len_null("gender", 20))
                .col(string_len("language", 2))
                .col(text("answers"))
                .col(string_len_uniq("receipt_hash", 64))
                .col(string_len("idempotency_key", 200))
                .col(string_len("request_hash", 64))
                // Set while the response counts and the survey allows one
                // response per participant; a unique index then refuses a
                // second one, even from concurrent requests.
                .col(uuid_null("single_response_of"))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .foreign_key(&mut fk(
                    "fk_responses_survey",
                    ("responses", "survey_id"),
                    ("surveys", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("ux_responses_single", "responses", &["survey_id", "single_response_of"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "ux_responses_idempotency",
                "responses",
                &["participant_id", "idempotency_key"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "ix_responses_survey",
            "responses",
            &["survey_id", "submitted_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("issues")
                .col(pk_uuid("id"))
                .col(string_len("source", 20))
                .col(string_len("status", 20))
                .col(uuid_null("survey_id"))
                .col(uuid_null("session_id"))
                .col(uuid("unit_id"))
                .col(uuid_null("participant_id"))
                .col(string_len_null("age_band", 5))
                .col(uuid_null("topic_id"))
                .col(text("title"))
                .col(text("body"))
                .col(string_len_null("redactions", 200))
                .col(string_len_null("receipt_hash", 64))
                .col(string_len_null("idempotency_key", 200))
                .col(string_len_null("request_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_issues_unit", ("issues", "unit_id"), ("units", "id")))
                .foreign_key(&mut fk("fk_issues_topic", ("issues", "topic_id"), ("topics", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ux_issues_receipt", "issues", &["receipt_hash"]).unique().take())
            .await?;
        m.create_index(
            index(
                "ux_issues_idempotency",
                "issues",
                &["participant_id", "idempotency_key"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index("ix_issues_status", "issues", &["status"])).await?;

        m.create_table(
            Table::create()
                .table("safeguarding_cases")
                .col(pk_uuid("id"))
                .col(string_len("source", 20))
                .col(string_len("status", 20))
                .col(string_len("severity", 10))
                .col(string_len("categories", 200))
                .col(text("original_text"))
                .col(uuid_null("unit_id"))
                .col(uuid_null("session_id"))
                .col(uuid_null("response_id"))
                .col(uuid_null("issue_id"))
                .col(string_len_null("question_key", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_safeguarding_cases_status",
            "safeguarding_cases",
            &["status", "severity"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "safeguarding_cases",
            "issues",
            "responses",
            "participants",
            "sessions",
            "survey_versions",
            "surveys",
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
