//! Stored formats carry their version (issue 14): survey definitions,
//! answers and result tallies written before are rewritten into version 1
//! of `langnghe_storage::formats`, once, in SQL on each backend.
//!
//! - A definition (`survey_versions.definition`) gains `"v":1`; its shape
//!   is version 1's already.
//! - Answers (`responses.answers`) gain `"$v":1` (a key no question has).
//! - A tally (`result_cells.tally`) gains `"v":1`.
//!
//! Only rows that are JSON objects in the form before versions are
//! touched: a row already in version 1, or one that is not JSON (which no
//! reader can read either way), is left as it is. Readers keep reading the
//! form before versions as version 0, for rows an older replica writes
//! while a deployment rolls. Down undoes exactly this.

use sea_orm_migration::prelude::*;

use crate::ddl::execute_for;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// On PostgreSQL: text as `jsonb`, or NULL when it is not JSON (a cast
/// would fail the whole statement on one bad row). Dropped at the end.
const PG_TRY_JSONB: &str = "CREATE OR REPLACE FUNCTION ln_try_jsonb(t text) RETURNS jsonb \
     LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $$";
const PG_DROP_TRY_JSONB: &str = "DROP FUNCTION IF EXISTS ln_try_jsonb(text)";

const SQLITE_UP: [&str; 3] = [
    "UPDATE survey_versions SET definition = json_set(definition, '$.v', 1) \
     WHERE json_valid(definition) AND json_type(definition) = 'object' \
     AND json_type(definition, '$.v') IS NULL",
    "UPDATE responses SET answers = json_set(answers, '$.\"$v\"', 1) \
     WHERE json_valid(answers) AND json_type(answers) = 'object' \
     AND json_type(answers, '$.\"$v\"') IS NULL",
    "UPDATE result_cells SET tally = json_set(tally, '$.v', 1) \
     WHERE json_valid(tally) AND json_type(tally) = 'object' AND json_type(tally, '$.v') IS NULL",
];

const SQLITE_DOWN: [&str; 3] = [
    "UPDATE survey_versions SET definition = json_remove(definition, '$.v') \
     WHERE json_valid(definition) AND json_type(definition, '$.v') = 'integer'",
    "UPDATE responses SET answers = json_remove(answers, '$.\"$v\"') \
     WHERE json_valid(answers) AND json_type(answers, '$.\"$v\"') = 'integer'",
    "UPDATE result_cells SET tally = json_remove(tally, '$.v') \
     WHERE json_valid(tally) AND json_type(tally, '$.v') = 'integer'",
];

const PG_UP: [&str; 3] = [
    "UPDATE survey_versions SET definition = (ln_try_jsonb(definition) || '{\"v\":1}'::jsonb)::text \
     WHERE jsonb_typeof(ln_try_jsonb(definition)) = 'object' AND NOT ln_try_jsonb(definition) ? 'v'",
    "UPDATE responses SET answers = (ln_try_jsonb(answers) || '{\"$v\":1}'::jsonb)::text \
     WHERE jsonb_typeof(ln_try_jsonb(answers)) = 'object' AND NOT ln_try_jsonb(answers) ? '$v'",
    "UPDATE result_cells SET tally = (ln_try_jsonb(tally) || '{\"v\":1}'::jsonb)::text \
     WHERE jsonb_typeof(ln_try_jsonb(tally)) = 'object' AND NOT ln_try_jsonb(tally) ? 'v'",
];

const PG_DOWN: [&str; 3] = [
    "UPDATE survey_versions SET definition = (ln_try_jsonb(definition) - 'v')::text \
     WHERE jsonb_typeof(ln_try_jsonb(definition) -> 'v') = 'number'",
    "UPDATE responses SET answers = (ln_try_jsonb(answers) - '$v')::text \
     WHERE jsonb_typeof(ln_try_jsonb(answers) -> '$v') = 'number'",
    "UPDATE result_cells SET tally = (ln_try_jsonb(tally) - 'v')::text \
     WHERE jsonb_typeof(ln_try_jsonb(tally) -> 'v') = 'number'",
];

/// The statements of the backend; on PostgreSQL with `ln_try_jsonb` there
/// while they run.
async fn run(m: &SchemaManager<'_>, sqlite: &[&str], pg: &[&str]) -> Result<(), DbErr> {
    let pg = [&[PG_TRY_JSONB], pg, &[PG_DROP_TRY_JSONB]].concat();
    execute_for(m, sqlite, &pg).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &SQLITE_UP, &PG_UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &SQLITE_DOWN, &PG_DOWN).await
    }
}
