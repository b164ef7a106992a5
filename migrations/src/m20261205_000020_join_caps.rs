//! Join caps against ballot stuffing (issue 13): a session admits at most
//! its cap of distinct participants (`joined`, counted atomically on the
//! session row; refusals counted in `joins_refused` for the facilitator),
//! and at most a number of them from one client address
//! (`session_addresses`, keyed hashes of addresses).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::{add_columns, drop_columns, drop_tables, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let counts = ["joined", "joins_refused"].map(|c| integer(c).default(0).take());
        add_columns(m, "sessions", counts).await?;
        table("session_participants")
            .cols([uuid("session_id"), uuid("participant_id")])
            .pk(&["session_id", "participant_id"])
            .refs("session", "session_id", "sessions")
            .create(m)
            .await?;
        table("session_addresses")
            .cols([uuid("session_id"), string_len("address_key", 100), integer("joins")])
            .pk(&["session_id", "address_key"])
            .refs("session", "session_id", "sessions")
            .create(m)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["session_addresses", "session_participants"]).await?;
        drop_columns(m, "sessions", &["joins_refused", "joined"]).await
    }
}
