//! An agency's official letter (công văn) attached to its reply: one PDF
//! per delivery, its bytes in the object store under `object_key` (never a
//! name the agency chose), shown on the public page when `public`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::ddl::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261209_000026_reply_letters"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reply_letters")
                .col(uuid("delivery_id").primary_key())
                .col(uuid("agency_id"))
                .col(string_len("object_key", 100))
                .col(big_integer("bytes"))
                .col(string_len("sha256", 64))
                .col(boolean("public"))
                .col(uuid_null("uploaded_by"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(
                    &mut fk(
                        "fk_reply_letters_delivery",
                        ("reply_letters", "delivery_id"),
                        ("deliveries", "id"),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .take(),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("reply_letters").take()).await
    }
}
