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

use crate::helpers::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000017_disclosure_control"
    }
}

const SQLITE_DROP_TRIGGERS: [&str; 2] = [
    "DROP TRIGGER tr_responses_fold_remove",
    "DROP TRIGGER tr_responses_fold_add",
];

const POSTGRES_DROP_TRIGGERS: [&str; 4] = [
    "DROP TRIGGER tr_responses_fold_remove ON responses",
    "DROP TRIGGER tr_responses_fold_add ON responses",
    "DROP FUNCTION langnghe_fold_remove()",
    "DROP FUNCTION langnghe_fold_add()",
];

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

/// The triggers as the fold-queue migration left them (for `down`).
const SQLITE_OLD_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER tr_responses_fold_add AFTER INSERT ON responses \
     WHEN NEW.withdrawn_at IS NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, 1); END",
    "CREATE TRIGGER tr_responses_fold_remove AFTER UPDATE OF withdrawn_at ON responses \
     WHEN OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL \
     BEGIN INSERT INTO fold_queue (response_id, sign) VALUES (NEW.id, -1); END",
];

const POSTGRES_OLD_TRIGGERS: [&str; 4] = [
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

async fn run(db: &SchemaManagerConnection<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for s in statements {
        db.execute_unprepared(s).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let postgres = m.get_database_backend() == DatabaseBackend::Postgres;
        m.alter_table(
            Table::alter()
                .table("responses")
                .add_column(big_integer("record_key").default(0))
                .take(),
        )
        .await?;
        db.execute_unprepared(if postgres {
            "UPDATE responses SET record_key = floor(random() * 4294967296)::bigint"
        } else {
            "UPDATE responses SET record_key = random() & 4294967295"
        })
        .await?;
        let queue = Table::create()
            .table("fold_queue")
            .col(uuid("response_id"))
            .col(small_integer("sign"))
            .col(uuid("survey_id"))
            .primary_key(Index::create().col("response_id").col("sign"))
            .take();
        let index = Index::create()
            .name("ix_fold_queue_survey")
            .table("fold_queue")
            .col("survey_id")
            .take();
        if postgres {
            run(db, &POSTGRES_DROP_TRIGGERS).await?;
            m.drop_table(Table::drop().table("fold_queue").take()).await?;
            m.create_table(queue).await?;
            m.create_index(index).await?;
            run(db, &POSTGRES_TRIGGERS).await?;
        } else {
            // One script on one connection: triggers dropped and created
            // again under the same names must not be seen by two pooled
            // connections at different moments.
            let mut script: Vec<String> = SQLITE_DROP_TRIGGERS.iter().map(|s| (*s).to_owned()).collect();
            script.push("DROP TABLE fold_queue".into());
            script.push(queue.to_string(SqliteQueryBuilder));
            script.push(index.to_string(SqliteQueryBuilder));
            script.extend(SQLITE_TRIGGERS.iter().map(|s| (*s).to_owned()));
            db.execute_unprepared(&script.join(";\n")).await?;
        }
        m.create_table(
            Table::create()
                .table("result_releases")
                .col(uuid("survey_id").primary_key())
                .col(integer("number"))
                .col(timestamp_with_time_zone("released_at"))
                .foreign_key(&mut fk(
                    "fk_result_releases_survey",
                    ("result_releases", "survey_id"),
                    ("surveys", "id"),
                ))
                .take(),
        )
        .await?;
        db.execute_unprepared("DELETE FROM result_cells").await?;
        db.execute_unprepared(
            "INSERT INTO fold_queue (response_id, sign, survey_id) \
             SELECT id, 1, survey_id FROM responses WHERE withdrawn_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let postgres = m.get_database_backend() == DatabaseBackend::Postgres;
        m.drop_table(Table::drop().table("result_releases").take()).await?;
        let queue = Table::create()
            .table("fold_queue")
            .col(uuid("response_id"))
            .col(small_integer("sign"))
            .primary_key(Index::create().col("response_id").col("sign"))
            .take();
        if postgres {
            run(db, &POSTGRES_DROP_TRIGGERS).await?;
            m.drop_table(Table::drop().table("fold_queue").take()).await?;
            m.create_table(queue).await?;
            run(db, &POSTGRES_OLD_TRIGGERS).await?;
        } else {
            let mut script: Vec<String> = SQLITE_DROP_TRIGGERS.iter().map(|s| (*s).to_owned()).collect();
            script.push("DROP TABLE fold_queue".into());
            script.push(queue.to_string(SqliteQueryBuilder));
            script.extend(SQLITE_OLD_TRIGGERS.iter().map(|s| (*s).to_owned()));
            db.execute_unprepared(&script.join(";\n")).await?;
        }
        m.alter_table(Table::alter().table("responses").drop_column("record_key").take())
            .await?;
        db.execute_unprepared("DELETE FROM result_cells").await?;
        db.execute_unprepared(
            "INSERT INTO fold_queue (response_id, sign) SELECT id, 1 FROM responses WHERE withdrawn_at IS NULL",
        )
        .await?;
        Ok(())
    }
}
