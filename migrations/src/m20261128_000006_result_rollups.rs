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

use crate::helpers::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000006_result_rollups"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("responses")
                .add_column(boolean("in_rollup").default(false))
                .take(),
        )
        .await?;
        // Portable partial index: the same text on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_responses_unfolded ON responses (survey_id, version) \
                 WHERE in_rollup <> (withdrawn_at IS NULL)",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("result_rollups")
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(uuid("unit_id"))
                .col(string_len("age_band", 5))
                .col(string_len("gender", 20))
                .col(string_len("month", 7))
                .col(big_integer("responses"))
                .col(text("tally"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(
                    Index::create()
                        .col("survey_id")
                        .col("version")
                        .col("unit_id")
                        .col("age_band")
                        .col("gender")
                        .col("month"),
                )
                .foreign_key(&mut fk(
                    "fk_result_rollups_survey",
                    ("result_rollups", "survey_id"),
                    ("surveys", "id"),
                ))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("result_rollups").take()).await?;
        m.get_connection()
            .execute_unprepared("DROP INDEX ix_responses_unfolded")
            .await?;
        m.alter_table(Table::alter().table("responses").drop_column("in_rollup").take())
            .await
    }
}
