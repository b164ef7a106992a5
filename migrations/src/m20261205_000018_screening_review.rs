//! The path after the screen (issue 12).
//!
//! - An issue is on the public list only once a moderator publishes it
//!   (`published_at`), no longer as a side effect of accepting it. Issues
//!   accepted before this migration were public: they stay published.
//! - A safeguarding case opened by the screen says which outcome it had
//!   (`clear` disclosure or `possible` one to review) and the words that
//!   fired (`matched`, a JSON array, as restricted as the case's text); an
//!   officer marks the screen's call right or wrong (`verdict`), and may
//!   release a possible disclosure's text back to moderation
//!   (`released_at`).
//! - Officers learn of a new case at once through a signed webhook to the
//!   safeguarding endpoint an admin configures (`safeguarding_webhook`, one
//!   row): its events go through the same outbox as the agencies', with no
//!   agency (`outbox.agency_id` becomes nullable; SQLite rebuilds the table).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::helpers::{fk, index};

/// The outbox, as it was and with `agency_id` nullable.
fn outbox(name: &'static str, agency_required: bool) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(pk_uuid("id"))
        .col(if agency_required {
            uuid("agency_id")
        } else {
            uuid_null("agency_id")
        })
        .col(string_len("event_type", 40))
        .col(text("payload"))
        .col(string_len("status", 20))
        .col(integer("attempts"))
        .col(timestamp_with_time_zone("next_attempt_at"))
        .col(timestamp_with_time_zone_null("locked_until"))
        .col(text_null("last_error"))
        .col(timestamp_with_time_zone("queued_at"))
        .col(timestamp_with_time_zone_null("delivered_at"))
        .foreign_key(&mut fk("fk_outbox_agency", (name, "agency_id"), ("agencies", "id")))
        .take()
}

const OUTBOX_COLUMNS: &str = "id, agency_id, event_type, payload, status, attempts, next_attempt_at, \
                              locked_until, last_error, queued_at, delivered_at";

/// SQLite cannot relax a column: the table is rebuilt, its rows copied. One
/// batch on one connection, so that no pooled connection sees the schema
/// half-way.
async fn rebuild_outbox(m: &SchemaManager<'_>, agency_required: bool) -> Result<(), DbErr> {
    let create = outbox("outbox_next", agency_required).to_string(SqliteQueryBuilder);
    let index = index("ix_outbox_due", "outbox", &["status", "next_attempt_at"]).to_string(SqliteQueryBuilder);
    m.get_connection()
        .execute_unprepared(&format!(
            "{create}; \
             INSERT INTO outbox_next ({OUTBOX_COLUMNS}) SELECT {OUTBOX_COLUMNS} FROM outbox; \
             DROP TABLE outbox; \
             ALTER TABLE outbox_next RENAME TO outbox; \
             {index};"
        ))
        .await
        .map(|_| ())
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000018_screening_review"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table("issues")
                .add_column(timestamp_with_time_zone_null("published_at"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE issues SET published_at = updated_at WHERE status = 'accepted'")
            .await?;
        for column in [
            string_null("outcome"),
            text("matched").default("[]").to_owned(),
            string_null("verdict"),
            timestamp_with_time_zone_null("verdict_at"),
            timestamp_with_time_zone_null("released_at"),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table("safeguarding_cases")
                    .add_column(&mut column)
                    .take(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared("UPDATE safeguarding_cases SET outcome = 'clear' WHERE source = 'screen'")
            .await?;
        m.create_table(
            Table::create()
                .table("safeguarding_webhook")
                // One row: the endpoint of the district's safeguarding team.
                .col(integer("id").primary_key())
                .col(text("url"))
                .col(string_len("secret", 100))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("ALTER TABLE outbox ALTER COLUMN agency_id DROP NOT NULL")
                .await?;
        } else {
            rebuild_outbox(m, false).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DELETE FROM outbox WHERE agency_id IS NULL")
            .await?;
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("ALTER TABLE outbox ALTER COLUMN agency_id SET NOT NULL")
                .await?;
        } else {
            rebuild_outbox(m, true).await?;
        }
        m.drop_table(Table::drop().table("safeguarding_webhook").take()).await?;
        for column in ["released_at", "verdict_at", "verdict", "matched", "outcome"] {
            m.alter_table(Table::alter().table("safeguarding_cases").drop_column(column).take())
                .await?;
        }
        m.alter_table(Table::alter().table("issues").drop_column("published_at").take())
            .await?;
        Ok(())
    }
}
