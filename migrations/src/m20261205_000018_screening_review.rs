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

use crate::ddl::{add_columns, drop_columns, drop_tables, execute, index, stamp, stamp_null, table};
use crate::m20261129_000016_recommendations::outbox;

const OUTBOX_COLUMNS: &str = "id, agency_id, event_type, payload, status, attempts, next_attempt_at, \
                              locked_until, last_error, queued_at, delivered_at";

/// SQLite cannot relax a column: the table is rebuilt, its rows copied. One
/// batch on one connection, so that no pooled connection sees the schema
/// half-way.
async fn rebuild_outbox(m: &SchemaManager<'_>, agency_required: bool) -> Result<(), DbErr> {
    let create = outbox("outbox_next", agency_required)
        .statement()
        .to_string(SqliteQueryBuilder);
    let index = index("ix_outbox_due", "outbox", &["status", "next_attempt_at"]).to_string(SqliteQueryBuilder);
    execute(
        m,
        &[&format!(
            "{create}; \
             INSERT INTO outbox_next ({OUTBOX_COLUMNS}) SELECT {OUTBOX_COLUMNS} FROM outbox; \
             DROP TABLE outbox; \
             ALTER TABLE outbox_next RENAME TO outbox; \
             {index};"
        )],
    )
    .await
}

/// Whether `outbox.agency_id` is required.
async fn outbox_agency_required(m: &SchemaManager<'_>, required: bool) -> Result<(), DbErr> {
    if m.get_database_backend() == DatabaseBackend::Postgres {
        let change = if required { "SET" } else { "DROP" };
        execute(
            m,
            &[&format!("ALTER TABLE outbox ALTER COLUMN agency_id {change} NOT NULL")],
        )
        .await
    } else {
        rebuild_outbox(m, required).await
    }
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "issues", [stamp_null("published_at")]).await?;
        execute(
            m,
            &["UPDATE issues SET published_at = updated_at WHERE status = 'accepted'"],
        )
        .await?;
        let columns = [
            string_null("outcome"),
            text("matched").default("[]").take(),
            string_null("verdict"),
        ];
        add_columns(m, "safeguarding_cases", columns).await?;
        let stamps = ["verdict_at", "released_at"].map(stamp_null);
        add_columns(m, "safeguarding_cases", stamps).await?;
        execute(
            m,
            &["UPDATE safeguarding_cases SET outcome = 'clear' WHERE source = 'screen'"],
        )
        .await?;
        table("safeguarding_webhook")
            // One row: the endpoint of the district's safeguarding team.
            .cols([integer("id").primary_key().take(), text("url")])
            .cols([string_len("secret", 100), stamp("updated_at")])
            .create(m)
            .await?;
        outbox_agency_required(m, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute(m, &["DELETE FROM outbox WHERE agency_id IS NULL"]).await?;
        outbox_agency_required(m, true).await?;
        drop_tables(m, &["safeguarding_webhook"]).await?;
        let columns = ["released_at", "verdict_at", "verdict", "matched", "outcome"];
        drop_columns(m, "safeguarding_cases", &columns).await?;
        drop_columns(m, "issues", &["published_at"]).await
    }
}
