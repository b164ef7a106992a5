//! Every migration goes up, down and up again, on the database of the run.

use langnghe_migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::support::TestDb;

async fn table_answers(db: &sea_orm::DatabaseConnection, table: &str) -> bool {
    db.execute_unprepared(&format!("SELECT COUNT(*) FROM {table}"))
        .await
        .is_ok()
}

const TABLES: [&str; 19] = [
    "units",
    "unit_parents",
    "unit_lineage",
    "reorganisations",
    "topics",
    "agencies",
    "agency_topics",
    "users",
    "login_throttle",
    "audit_events",
    "surveys",
    "survey_versions",
    "sessions",
    "participants",
    "responses",
    "issues",
    "safeguarding_cases",
    "events",
    "targets",
];

#[actix_web::test]
async fn migrations_go_up_down_and_up_again() {
    let test_db = TestDb::new().await;
    let db = langnghe_storage::connect(&test_db.url, 2).await.unwrap();
    let count = Migrator::migrations().len();
    assert!(count >= 1);
    for round in 0..2 {
        langnghe_storage::migrate(&db).await.unwrap();
        assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), 0);
        langnghe_storage::ready(&db).await.unwrap();
        for t in TABLES {
            assert!(table_answers(&db, t).await, "round {round}: {t} missing after up");
        }
        // One step at a time, so each migration's down is exercised alone.
        for step in 0..count {
            langnghe_storage::migrate_down(&db, Some(1)).await.unwrap();
            assert_eq!(
                Migrator::get_applied_migrations(&db).await.unwrap().len(),
                count - step - 1
            );
        }
        for t in TABLES {
            assert!(!table_answers(&db, t).await, "round {round}: {t} left after down");
        }
        assert!(
            langnghe_storage::ready(&db).await.is_err(),
            "not ready with migrations pending"
        );
    }
    langnghe_storage::migrate(&db).await.unwrap();
    assert!(
        langnghe_api::demo::seed_if_empty(&db, crate::support::start())
            .await
            .unwrap()
    );
    assert!(
        !langnghe_api::demo::seed_if_empty(&db, crate::support::start())
            .await
            .unwrap(),
        "seeding twice does nothing"
    );
    db.close().await.ok();
    drop(test_db);
}

#[actix_web::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    if crate::support::postgres_admin_url().is_some() {
        // The PostgreSQL run checks the SQLite pragmas in the SQLite run.
        return;
    }
    let test_db = TestDb::new().await;
    let db = langnghe_storage::connect(&test_db.url, 1).await.unwrap();
    let row = |sql: &'static str| {
        let db = &db;
        async move {
            let r = db
                .query_one_raw(sea_orm::Statement::from_string(sea_orm::DatabaseBackend::Sqlite, sql))
                .await
                .unwrap()
                .unwrap();
            r.try_get_by_index::<String>(0)
                .or_else(|_| r.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap()
        }
    };
    assert_eq!(row("PRAGMA journal_mode").await, "wal");
    assert_eq!(row("PRAGMA foreign_keys").await, "1");
    assert_eq!(row("PRAGMA busy_timeout").await, "10000");
}

/// SQLite keeps a copy of the schema in each connection and most statements
/// notice when another connection has changed it, but `ALTER TABLE … DROP
/// COLUMN` is compiled against the copy alone: on a connection that last
/// read the schema before migration 6 added `responses.in_rollup`,
/// migration 8's drop fails with `no such column: "in_rollup"`. Migrations
/// used to run statement by statement on whichever connection of the pool
/// was free, and under load the drop sometimes met such a connection. Here
/// every connection of the pool holds that old schema, and the pool hands
/// out the longest idle first, so without the fix (all of a run on one
/// connection, in one transaction) the drop meets one every time.
#[actix_web::test]
async fn sqlite_migrations_run_on_one_connection_whatever_the_pool_holds() {
    const POOL: u32 = 40;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("stale.db").display());
    // The schema before `in_rollup`, made through a pool of one connection.
    let early = langnghe_storage::connect(&url, 1).await.unwrap();
    Migrator::up(&early, Some(5)).await.unwrap();
    early.close().await.ok();

    let db = langnghe_storage::connect(&url, POOL).await.unwrap();
    let pool = db.get_sqlite_connection_pool();
    let mut held = Vec::new();
    for _ in 0..POOL {
        let mut c = pool.acquire().await.unwrap();
        sea_orm::sqlx::query("SELECT COUNT(*) FROM responses")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        held.push(c);
    }
    drop(held);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pool.num_idle() < POOL as usize {
        assert!(std::time::Instant::now() < deadline, "connections not back in the pool");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    langnghe_storage::migrate(&db).await.unwrap();
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
    assert!(table_answers(&db, "fold_queue").await);
    assert!(
        db.execute_unprepared("SELECT in_rollup FROM responses").await.is_err(),
        "in_rollup was dropped"
    );
    db.close().await.ok();
}
