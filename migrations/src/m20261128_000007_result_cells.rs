//! Result cells at two grains. Monthly rollups alone made a window that cuts
//! through a month read every response of its edge days; cells now exist
//! per month and per day (`grain` `month` or `day`, `period` `YYYY-MM` or
//! `YYYY-MM-DD`, local time), so any window of days reads cells only.
//!
//! The cells are derived data: the old table is dropped and every response
//! is marked for folding again, and the folder rebuilds them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{drop_tables, execute, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The cells (`grain`) or the monthly rollups they replace, whose period
/// column is `period`.
fn rollups(period_len: u32, period: &'static str, grain: bool) -> TableCreateStatement {
    let (name, mut pk) = if grain {
        ("result_cells", vec!["survey_id", "version", "grain"])
    } else {
        ("result_rollups", vec!["survey_id", "version"])
    };
    pk.extend([period, "unit_id", "age_band", "gender"]);
    let t = table(name).cols([uuid("survey_id"), integer("version"), uuid("unit_id")]);
    let t = t.cols([string_len("age_band", 5), string_len("gender", 20)]);
    let t = if grain { t.cols([string_len("grain", 5)]) } else { t };
    t.cols([string_len(period, period_len), big_integer("responses"), text("tally")])
        .cols([stamp("updated_at")])
        .pk(&pk)
        .refs("survey", "survey_id", "surveys")
        .statement()
}

/// Every response to be folded again.
const REFOLD: &str = "UPDATE responses SET in_rollup = FALSE WHERE in_rollup = TRUE";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["result_rollups"]).await?;
        m.create_table(rollups(10, "period", true)).await?;
        execute(m, &[REFOLD]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["result_cells"]).await?;
        m.create_table(rollups(7, "month", false)).await?;
        execute(m, &[REFOLD]).await
    }
}
