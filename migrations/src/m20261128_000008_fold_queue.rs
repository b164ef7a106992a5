//! A queue of responses to fold, filled by triggers, instead of a flag on
//! every response. Marking each folded response rewrote the whole row (and
//! every index on it): measured at about 65 µs a response on PostgreSQL,
//! the largest part of what folding cost the children's submissions. A
//! trigger now adds `(response_id, +1)` when a response is stored and
//! `(response_id, −1)` when it is withdrawn, in the same statement; the
//! folder deletes the entries it folded. On PostgreSQL the insert trigger
//! is per statement (one queue insert for a bulk insert).
//!
//! The cells are derived data: they are emptied and every response that
//! counts is queued again, so the folder rebuilds them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{NewTable, add_columns, drop_columns, drop_tables, execute, execute_for, table};
use crate::m20261128_000006_result_rollups::{UNFOLDED_INDEX, in_rollup};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The queue: a response to add (`sign` 1) or take out (-1).
pub(crate) fn fold_queue() -> NewTable {
    table("fold_queue")
        .cols([uuid("response_id"), small_integer("sign")])
        .pk(&["response_id", "sign"])
}

/// The triggers that queue responses (read again by later migrations
/// that restore them).
pub(crate) const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     WHEN NEW.withdrawn_at IS NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, 1); END",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses \
     WHEN OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, -1); END",
];

pub(crate) const POSTGRES_UP: [&str; 4] = [
    "CREATE FUNCTION langnghe_fold_add() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN INSERT INTO fold_queue (response_id, sign) \
     SELECT id, 1 FROM new_responses WHERE withdrawn_at IS NULL; RETURN NULL; END $$",
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     REFERENCING NEW TABLE AS new_responses FOR EACH STATEMENT EXECUTE FUNCTION langnghe_fold_add()",
    "CREATE FUNCTION langnghe_fold_remove() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, -1); RETURN NULL; END $$",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses FOR EACH ROW \
     WHEN (OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL) EXECUTE FUNCTION langnghe_fold_remove()",
];

pub(crate) const POSTGRES_DOWN: [&str; 4] = [
    "DROP TRIGGER tr_responses_fold_remove ON responses",
    "DROP TRIGGER tr_responses_fold_add ON responses",
    "DROP FUNCTION langnghe_fold_remove()",
    "DROP FUNCTION langnghe_fold_add()",
];

pub(crate) const SQLITE_DOWN: [&str; 2] = [
    "DROP TRIGGER tr_responses_fold_remove",
    "DROP TRIGGER tr_responses_fold_add",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute(m, &["DROP INDEX ix_responses_unfolded"]).await?;
        drop_columns(m, "responses", &["in_rollup"]).await?;
        fold_queue().create(m).await?;
        execute_for(m, &SQLITE_UP, &POSTGRES_UP).await?;
        execute(
            m,
            &[
                "DELETE FROM result_cells",
                "INSERT INTO fold_queue (response_id, sign) SELECT id, 1 FROM responses WHERE withdrawn_at IS NULL",
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute_for(m, &SQLITE_DOWN, &POSTGRES_DOWN).await?;
        drop_tables(m, &["fold_queue"]).await?;
        add_columns(m, "responses", [in_rollup()]).await?;
        execute(m, &[UNFOLDED_INDEX, "DELETE FROM result_cells"]).await
    }
}
