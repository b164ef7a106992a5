//! Builders shared by the migrations, so that each reads as the schema it
//! makes: a table with its keys and indexes, columns added to or dropped
//! from a table, statements that differ by backend. They assemble the same
//! sea-query statements the migrations spelled out before, in the same
//! order: a migration's SQL does not change by being written with them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// A foreign key that refuses to delete a referenced row.
pub fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

/// An index on `cols` of `table`.
pub fn index(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.take()
}

/// A moment, with its time zone.
pub fn stamp(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

/// A moment that may be missing.
pub fn stamp_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

/// When a row was made and last changed.
pub fn stamps() -> [ColumnDef; 2] {
    [stamp("created_at"), stamp("updated_at")]
}

/// Words a person reads: `{name}_vi`, required, and `{name}_en`, optional,
/// of at most `len` characters, or of any length without one.
pub fn vi_en(name: &str, len: Option<u32>) -> [ColumnDef; 2] {
    let (vi, en) = (Alias::new(format!("{name}_vi")), Alias::new(format!("{name}_en")));
    match len {
        Some(len) => [string_len(vi, len), string_len_null(en, len)],
        None => [text(vi), text_null(en)],
    }
}

/// A table to create, with the indexes made right after it.
pub struct NewTable {
    name: &'static str,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
}

/// The table `name`, to be given its columns.
pub fn table(name: &'static str) -> NewTable {
    NewTable {
        name,
        table: Table::create().table(name).take(),
        indexes: Vec::new(),
    }
}

impl NewTable {
    /// Columns, in the order given.
    pub fn cols(mut self, cols: impl IntoIterator<Item = ColumnDef>) -> Self {
        for mut c in cols {
            self.table.col(&mut c);
        }
        self
    }

    /// A primary key of several columns.
    pub fn pk(mut self, cols: &[&'static str]) -> Self {
        let mut pk = Index::create();
        for c in cols {
            pk.col(*c);
        }
        self.table.primary_key(&mut pk);
        self
    }

    /// A foreign key.
    pub fn foreign_key(mut self, mut fk: ForeignKeyCreateStatement) -> Self {
        self.table.foreign_key(&mut fk);
        self
    }

    /// `fk_{table}_{suffix}`: `col` refers to the `id` of `to`, whose row
    /// cannot be deleted while it does.
    pub fn refs(self, suffix: &str, col: &'static str, to: &'static str) -> Self {
        let name = format!("fk_{}_{suffix}", self.name);
        let fk = fk(&name, (self.name, col), (to, "id"));
        self.foreign_key(fk)
    }

    /// As `refs`, but deleting the row of `to` deletes this one.
    pub fn refs_cascade(self, suffix: &str, col: &'static str, to: &'static str) -> Self {
        let name = format!("fk_{}_{suffix}", self.name);
        let fk = fk(&name, (self.name, col), (to, "id"))
            .on_delete(ForeignKeyAction::Cascade)
            .take();
        self.foreign_key(fk)
    }

    /// An index on `cols`.
    pub fn index(mut self, name: &str, cols: &[&'static str]) -> Self {
        self.indexes.push(index(name, self.name, cols));
        self
    }

    /// A unique index on `cols`.
    pub fn unique(mut self, name: &str, cols: &[&'static str]) -> Self {
        self.indexes.push(index(name, self.name, cols).unique().take());
        self
    }

    /// The statement that creates the table alone.
    pub fn statement(self) -> TableCreateStatement {
        self.table
    }

    /// Creates the table, then its indexes.
    pub async fn create(self, m: &SchemaManager<'_>) -> Result<(), DbErr> {
        m.create_table(self.table).await?;
        for i in self.indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }
}

/// Adds `cols` to `table`, one statement each: SQLite alters one thing at a
/// time.
pub async fn add_columns(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    for mut c in cols {
        m.alter_table(Table::alter().table(table).add_column(&mut c).take())
            .await?;
    }
    Ok(())
}

/// Drops `cols` from `table`, one statement each, in the order given.
pub async fn drop_columns(m: &SchemaManager<'_>, table: &'static str, cols: &[&'static str]) -> Result<(), DbErr> {
    for c in cols {
        m.alter_table(Table::alter().table(table).drop_column(*c).take())
            .await?;
    }
    Ok(())
}

/// Drops `tables`, in the order given.
pub async fn drop_tables(m: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables {
        m.drop_table(Table::drop().table(*t).take()).await?;
    }
    Ok(())
}

/// Drops the index `name` of `table`.
pub async fn drop_index(m: &SchemaManager<'_>, name: &str, table: &'static str) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name(name).table(table).to_owned()).await
}

/// Runs SQL statements one after the other.
pub async fn execute(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for s in statements {
        m.get_connection().execute_unprepared(s).await?;
    }
    Ok(())
}

/// Runs the statements written for the backend in use.
pub async fn execute_for(m: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    match m.get_database_backend() {
        DatabaseBackend::Postgres => execute(m, postgres).await,
        _ => execute(m, sqlite).await,
    }
}
