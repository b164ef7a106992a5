//! Disclosure control of results (the cell key method, and releases).
//!
//! - Every response carries a random `record_key` (0 ≤ key < 2³²), drawn once
//!   when it is stored; a result cell's noise is a function of the sum of
//!   its responses' keys. Existing responses get one now.
//! - The fold queue names each change's survey, so that the folder can
//!   release one survey's waiting changes together, and only once there are
//!   enough of them (`result_releases` numbers each survey's releases).
//! - Cells exist per month only: results are read over whole months, never
//!   arbitrary days.
//!
//! The cells are derived data: they are emptied and every response that
//! counts is queued again, so the folder rebuilds them in the new format.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::ddl::{add_columns, drop_columns, drop_tables, execute, execute_for, index, stamp, table};
use crate::m20261128_000008_fold_queue::{
    POSTGRES_DOWN as POSTGRES_DROP_TRIGGERS, POSTGRES_UP as POSTGRES_OLD_TRIGGERS, SQLITE_DOWN as SQLITE_DROP_TRIGGERS,
    SQLITE_UP as SQLITE_OLD_TRIGGERS, fold_queue,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     WHEN NEW.withdrawn_at IS NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign, survey_id) VALUES (NEW.id, 1, NEW.survey_id); END",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses \
     WHEN OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign, survey_id) VALUES (NEW.id, -1, NEW.survey_id); END",
];

const POSTGRES_TRIGGERS: [&str; 4] = [
    "CREATE FUNCTION langnghe_fold_add() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN INSERT INTO fold_queue (response_id, sign, survey_id) \
     SELECT id, 1, survey_id FROM new_responses WHERE withdrawn_at IS NULL; RETURN NULL; END $$",
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     REFERENCING NEW TABLE AS new_responses FOR EACH STATEMENT EXECUTE FUNCTION langnghe_fold_add()",
    "CREATE FUNCTION langnghe_fold_remove() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN INSERT INTO fold_queue (response_id, sign, survey_id) VALUES (NEW.id, -1, NEW.survey_id); \
     RETURN NULL; END $$",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses FOR EACH ROW \
     WHEN (OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL) EXECUTE FUNCTION langnghe_fold_remove()",
];

/// Replaces the fold queue and its triggers with `queue`, its `index` if it
/// has one, and the triggers of the backend.
async fn replace_queue(
    m: &SchemaManager<'_>,
    queue: TableCreateStatement,
    index: Option<IndexCreateStatement>,
    sqlite_triggers: &[&str],
    postgres_triggers: &[&str],
) -> Result<(), DbErr> {
    if m.get_database_backend() == DatabaseBackend::Postgres {
        execute(m, &POSTGRES_DROP_TRIGGERS).await?;
        drop_tables(m, &["fold_queue"]).await?;
        m.create_table(queue).await?;
        if let Some(index) = index {
            m.create_index(index).await?;
        }
        execute(m, postgres_triggers).await
    } else {
        // One script on one connection: triggers dropped and created
        // again under the same names must not be seen by two pooled
        // connections at different moments.
        let mut script: Vec<String> = SQLITE_DROP_TRIGGERS.iter().map(|s| (*s).to_owned()).collect();
        script.push("DROP TABLE fold_queue".into());
        script.push(queue.to_string(SqliteQueryBuilder));
        script.extend(index.map(|i| i.to_string(SqliteQueryBuilder)));
        script.extend(sqlite_triggers.iter().map(|s| (*s).to_owned()));
        execute(m, &[&script.join(";\n")]).await
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "responses", [big_integer("record_key").default(0).take()]).await?;
        execute_for(
            m,
            &["UPDATE responses SET record_key = random() & 4294967295"],
            &["UPDATE responses SET record_key = floor(random() * 4294967296)::bigint"],
        )
        .await?;
        let queue = fold_queue().cols([uuid("survey_id")]).statement();
        let index = index("ix_fold_queue_survey", "fold_queue", &["survey_id"]);
        replace_queue(m, queue, Some(index), &SQLITE_TRIGGERS, &POSTGRES_TRIGGERS).await?;
        table("result_releases")
            .cols([uuid("survey_id").primary_key().take(), integer("number")])
            .cols([stamp("released_at")])
            .refs("survey", "survey_id", "surveys")
            .create(m)
            .await?;
        execute(
            m,
            &[
                "DELETE FROM result_cells",
                "INSERT INTO fold_queue (response_id, sign, survey_id) \
                 SELECT id, 1, survey_id FROM responses WHERE withdrawn_at IS NULL",
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["result_releases"]).await?;
        let queue = fold_queue().statement();
        replace_queue(m, queue, None, &SQLITE_OLD_TRIGGERS, &POSTGRES_OLD_TRIGGERS).await?;
        drop_columns(m, "responses", &["record_key"]).await?;
        execute(
            m,
            &[
                "DELETE FROM result_cells",
                "INSERT INTO fold_queue (response_id, sign) SELECT id, 1 FROM responses WHERE withdrawn_at IS NULL",
            ],
        )
        .await
    }
}
