//! Survey results read from monthly rollups instead of every response.
//!
//! `result_rollups` holds, per survey version, unit, age band, gender and
//! month (local time), the tally of what the responses in that cell said.
//! A background folder adds each new response to its cell and takes each
//! withdrawn one out; `responses.in_rollup` records whether the rollup
//! currently includes a response, so the responses still to fold are those
//! where `in_rollup` differs from "not withdrawn" — a small set, indexed by a
//! partial index that holds only them. See ARCHITECTURE.md, "Results".

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_tables, execute, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether the rollups include a response.
pub(crate) fn in_rollup() -> ColumnDef {
    boolean("in_rollup").default(false).take()
}

/// The responses still to fold. Portable partial index: the same text on
/// SQLite and PostgreSQL.
pub(crate) const UNFOLDED_INDEX: &str = "CREATE INDEX ix_responses_unfolded ON responses (survey_id, version) \
                                         WHERE in_rollup <> (withdrawn_at IS NULL)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(m, "responses", [in_rollup()]).await?;
        execute(m, &[UNFOLDED_INDEX]).await?;
        table("result_rollups")
            .cols([uuid("survey_id"), integer("version"), uuid("unit_id")])
            .cols([string_len("age_band", 5), string_len("gender", 20)])
            .cols([string_len("month", 7), big_integer("responses"), text("tally")])
            .cols([stamp("updated_at")])
            .pk(&["survey_id", "version", "unit_id", "age_band", "gender", "month"])
            .refs("survey", "survey_id", "surveys")
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["result_rollups"]).await?;
        execute(m, &["DROP INDEX ix_responses_unfolded"]).await?;
        drop_columns(m, "responses", &["in_rollup"]).await
    }
}
