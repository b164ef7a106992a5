//! Join caps against ballot stuffing (issue 13): a session admits at most
//! its cap of distinct participants (`joined`, counted atomically on the
//! session row; refusals counted in `joins_refused` for the facilitator),
//! and at most a number of them from one client address
//! (`session_addresses`, keyed hashes of addresses).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000020_join_caps"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["joined", "joins_refused"] {
            m.alter_table(
                Table::alter()
                    .table("sessions")
                    .add_column(integer(column).default(0))
                    .take(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("session_participants")
                .col(uuid("session_id"))
                .col(uuid("participant_id"))
                .primary_key(Index::create().col("session_id").col("participant_id"))
                .foreign_key(&mut fk(
                    "fk_session_participants_session",
                    ("session_participants", "session_id"),
                    ("sessions", "id"),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("session_addresses")
                .col(uuid("session_id"))
                .col(string_len("address_key", 100))
                .col(integer("joins"))
                .primary_key(Index::create().col("session_id").col("address_key"))
                .foreign_key(&mut fk(
                    "fk_session_addresses_session",
                    ("session_addresses", "session_id"),
                    ("sessions", "id"),
                ))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("session_addresses").take()).await?;
        m.drop_table(Table::drop().table("session_participants").take()).await?;
        for column in ["joins_refused", "joined"] {
            m.alter_table(Table::alter().table("sessions").drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
