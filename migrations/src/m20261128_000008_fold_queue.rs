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
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000008_fold_queue"
    }
}

const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     WHEN NEW.withdrawn_at IS NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, 1); END",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses \
     WHEN OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, -1); END",
];

const POSTGRES_UP: [&str; 4] = [
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

const POSTGRES_DOWN: [&str; 4] = [
    "DROP TRIGGER tr_responses_fold_remove ON responses",
    "DROP TRIGGER tr_responses_fold_add ON responses",
    "DROP FUNCTION langnghe_fold_remove()",
    "DROP FUNCTION langnghe_fold_add()",
];

const SQLITE_DOWN: [&str; 2] = [
    "DROP TRIGGER tr_responses_fold_remove",
    "DROP TRIGGER tr_responses_fold_add",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ix_responses_unfolded").await?;
        m.alter_table(Table::alter().table("responses").drop_column("in_rollup").take())
            .await?;
        m.create_table(
            Table::create()
                .table("fold_queue")
                .col(uuid("response_id"))
                .col(small_integer("sign"))
                .primary_key(Index::create().col("response_id").col("sign"))
                .take(),
        )
        .await?;
        let statements: &[&str] = match m.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_UP,
            _ => &SQLITE_UP,
        };
        for s in statements {
            db.execute_unprepared(s).await?;
        }
        db.execute_unprepared("DELETE FROM result_cells").await?;
        db.execute_unprepared(
            "INSERT INTO fold_queue (response_id, sign) SELECT id, 1 FROM responses WHERE withdrawn_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements: &[&str] = match m.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_DOWN,
            _ => &SQLITE_DOWN,
        };
        for s in statements {
            db.execute_unprepared(s).await?;
        }
        m.drop_table(Table::drop().table("fold_queue").take()).await?;
        m.alter_table(
            Table::alter()
                .table("responses")
                .add_column(boolean("in_rollup").default(false))
                .take(),
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_responses_unfolded ON responses (survey_id, version) \
             WHERE in_rollup <> (withdrawn_at IS NULL)",
        )
        .await?;
        db.execute_unprepared("DELETE FROM result_cells").await?;
        Ok(())
    }
}
