//! The only crate that knows there is a database. It owns the entities and
//! every query, runs transactions, returns domain types, and hides whether
//! the database is SQLite or PostgreSQL.

pub mod accounts;
pub mod agency_clients;
pub mod audit;
pub mod broadcast;
pub mod calendar;
pub mod catalog;
mod entities;
pub mod events;
pub mod formats;
pub mod join_budget;
pub mod letters;
pub mod moderation;
mod names;
pub mod org;
pub mod outbox;
pub mod participation;
mod query;
pub mod receipts;
pub mod recommendations;
pub mod reports;
pub mod retention;
pub mod rollup;
pub mod safeguarding;
pub mod school_terms;
pub mod surveys;
pub mod targets;
pub mod throttle;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use langnghe_migrations::{IntoSchemaManagerConnection, Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, RuntimeErr, SqlErr};

pub use sea_orm::DatabaseConnection as Db;
pub use sea_orm::DatabaseTransaction as Tx;
pub use sea_orm::DbErr;
pub use sea_orm::error::ConnAcquireErr;

/// A failure of a storage operation, typed so that the edge can map it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a concurrent change refused the write; the code
    /// says which (`username_taken`, `unit_code_taken`, …).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A stored value no version of the service writes (a status, stance
    /// or kind by a name the domain does not know): the row is corrupt,
    /// and the value is never read as some default.
    #[error("unreadable {what} in the database: {value:?}")]
    Corrupt { what: &'static str, value: String },
    /// Made with `?` or `StoreError::from`, which notes a pool timeout
    /// ([`acquire_timeouts`]).
    #[error(transparent)]
    Db(DbErr),
    /// A stored text (a definition, answers, a tally) that cannot be read.
    #[error(transparent)]
    Unreadable(#[from] formats::FormatError),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        note_acquire_timeout(&e);
        StoreError::Db(e)
    }
}

/// Waits for a pool connection that ran out of time, in this process. sqlx
/// counts neither the waiters nor their timeouts, so a timeout is noted
/// where it surfaces: where a database error becomes a storage error, and
/// at the web edge for the database errors that reach it as they are.
static ACQUIRE_TIMEOUTS: AtomicU64 = AtomicU64::new(0);

/// Notes `e` if it is a wait for a pool connection that ran out of time.
/// Call it once per error, where it first surfaces.
pub fn note_acquire_timeout(e: &DbErr) {
    if matches!(e, DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)) {
        ACQUIRE_TIMEOUTS.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many waits for a pool connection ran out of time in this process.
pub fn acquire_timeouts() -> u64 {
    ACQUIRE_TIMEOUTS.load(Ordering::Relaxed)
}

/// Maps a unique-constraint violation to `Conflict(code)`, and anything else
/// to a database error.
pub(crate) fn conflict_on_unique(code: &'static str) -> impl Fn(DbErr) -> StoreError {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(code),
        _ => StoreError::from(e),
    }
}

/// Who made a change, and when: a staff account, an agency client, or the
/// system, at the time the application's clock read when the change was
/// asked for. Rows the change writes are stamped with `at`, and so is its
/// audit event.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<uuid::Uuid>,
    pub label: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Actor {
    pub fn system(at: chrono::DateTime<chrono::Utc>) -> Actor {
        Actor {
            id: None,
            label: "system".into(),
            at,
        }
    }
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// Opens a pool. SQLite runs in WAL mode with foreign keys on and a busy
/// timeout, so that readers never block the writer and a brief lock waits
/// instead of failing.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if Backend::of_url(url) == Some(Backend::Sqlite) {
        if let Some(path) = sqlite_path(url) {
            private_file(path).map_err(|e| DbErr::Custom(format!("cannot create {path}: {e}")))?;
        }
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    Database::connect(opts).await
}

/// The file of a `sqlite://` URL (`None` for an in-memory database).
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:") && !url.contains("mode=memory")).then_some(path)
}

/// Children's data lives in the SQLite file: it is created readable by its
/// owner only (SQLite gives its `-wal` and `-shm` files the same mode), and
/// an existing one is made so where its owner runs the service.
fn private_file(path: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Best effort: a file someone else owns stays as it is.
                for p in [path.to_owned(), format!("{path}-wal"), format!("{path}-shm")] {
                    if std::path::Path::new(&p).exists() {
                        let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Applies every pending migration.
pub async fn migrate(db: &Db) -> Result<(), DbErr> {
    migrate_up(db, None).await
}

/// Applies the next `steps` pending migrations (all of them with `None`).
///
/// On SQLite a run is one `BEGIN IMMEDIATE` transaction, so every statement
/// runs on one connection. Run statement by statement on the pool (what
/// sea-orm does on SQLite), a statement could land on a connection whose
/// copy of the schema predates a change made on another: most statements
/// notice and read the schema again, but `ALTER TABLE … DROP COLUMN` is
/// compiled against the copy and fails (`no such column: "in_rollup"` in
/// migration 8, intermittently, under load). The transaction also makes a
/// run all or nothing, and a second process migrating the same file waits
/// for the first and then finds nothing pending. PostgreSQL runs each
/// migration in a transaction of its own, as before.
pub async fn migrate_up(db: &Db, steps: Option<u32>) -> Result<(), DbErr> {
    run_migrations(db, Direction::Up, steps).await
}

/// Rolls the last `steps` applied migrations back (all of them with
/// `None`), on one connection on SQLite as [`migrate_up`] does.
pub async fn migrate_down(db: &Db, steps: Option<u32>) -> Result<(), DbErr> {
    run_migrations(db, Direction::Down, steps).await
}

#[derive(Clone, Copy)]
enum Direction {
    Up,
    Down,
}

/// Runs `steps` migrations in `direction`: in one transaction on SQLite
/// (see [`migrate_up`]), each in its own on PostgreSQL.
async fn run_migrations(db: &Db, direction: Direction, steps: Option<u32>) -> Result<(), DbErr> {
    async fn run<'c>(
        conn: impl IntoSchemaManagerConnection<'c>,
        direction: Direction,
        steps: Option<u32>,
    ) -> Result<(), DbErr> {
        match direction {
            Direction::Up => Migrator::up(conn, steps).await,
            Direction::Down => Migrator::down(conn, steps).await,
        }
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        let tx = begin(db).await?;
        run(&tx, direction, steps).await?;
        tx.commit().await
    } else {
        run(db, direction, steps).await
    }
}

/// Rolls every migration back (tests and `langnghe migrate --down`).
pub async fn migrate_down_all(db: &Db) -> Result<(), DbErr> {
    migrate_down(db, None).await
}

/// Whether the database answers and every migration is applied.
pub async fn ready(db: &Db) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await?;
    let pending = Migrator::get_pending_migrations(db).await?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(DbErr::Custom(format!("{} migration(s) pending", pending.len())))
    }
}

/// The connection pool as it stands: connections open, idle among them,
/// and the most it may open. Read from the pool itself, without a query
/// (sqlx does not say how many wait for a connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStats {
    /// Connections lent out to a query or a transaction.
    pub fn in_use(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }

    /// Whether every connection the pool may open is lent out: a query
    /// now waits for one to come back.
    pub fn saturated(&self) -> bool {
        self.in_use() >= self.max
    }
}

/// The pool's connections now (`None` for a connection that is no pool).
pub fn pool_stats(db: &Db) -> Option<PoolStats> {
    fn of<D: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<D>) -> PoolStats {
        PoolStats {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => Some(of(db.get_postgres_connection_pool())),
        sea_orm::DatabaseBackend::Sqlite => Some(of(db.get_sqlite_connection_pool())),
        _ => None,
    }
}

/// Whether a database error is the database being unreachable, rather than
/// something wrong with the request.
pub fn is_unavailable(e: &DbErr) -> bool {
    matches!(e, DbErr::ConnectionAcquire(_) | DbErr::Conn(RuntimeErr::SqlxError(_)))
}

/// Whether a database error is a lock held by a concurrent writer (SQLite's
/// `SQLITE_BUSY`), which a retry resolves.
pub fn is_busy(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("database is locked") || text.contains("database table is locked")
}

/// Starts a write transaction. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout
/// instead of failing when a read inside the transaction later tries to
/// upgrade to a write; PostgreSQL ignores the mode.
pub async fn begin(db: &Db) -> Result<Tx, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
