//! Result cells at two grains. Monthly rollups alone made a window that cuts
//! through a month read every response of its edge days; cells now exist
//! per month and per day (`grain` `month` or `day`, `period` `YYYY-MM` or
//! `YYYY-MM-DD`, local time), so any window of days reads cells only.
//!
//! The cells are derived data: the old table is dropped and every response
//! is marked for folding again, and the folder rebuilds them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000007_result_cells"
    }
}

fn rollups(period_len: u32, period: &'static str, grain: bool) -> TableCreateStatement {
    let table = if grain { "result_cells" } else { "result_rollups" };
    let mut t = Table::create();
    t.table(table)
        .col(uuid("survey_id"))
        .col(integer("version"))
        .col(uuid("unit_id"))
        .col(string_len("age_band", 5))
        .col(string_len("gender", 20));
    let mut pk = Index::create();
    pk.col("survey_id").col("version");
    if grain {
        t.col(string_len("grain", 5));
        pk.col("grain");
    }
    t.col(string_len(period, period_len))
        .col(big_integer("responses"))
        .col(text("tally"))
        .col(timestamp_with_time_zone("updated_at"));
    pk.col(period).col("unit_id").col("age_band").col("gender");
    t.primary_key(&mut pk).foreign_key(&mut fk(
        if grain {
            "fk_result_cells_survey"
        } else {
            "fk_result_rollups_survey"
        },
        (table, "survey_id"),
        ("surveys", "id"),
    ));
    t.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("result_rollups").take()).await?;
        m.create_table(rollups(10, "period", true)).await?;
        m.get_connection()
            .execute_unprepared("UPDATE responses SET in_rollup = FALSE WHERE in_rollup = TRUE")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("result_cells").take()).await?;
        m.create_table(rollups(7, "month", false)).await?;
        m.get_connection()
            .execute_unprepared("UPDATE responses SET in_rollup = FALSE WHERE in_rollup = TRUE")
            .await?;
        Ok(())
    }
}
