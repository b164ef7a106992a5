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
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), 0);
        langnghe_storage::ready(&db).await.unwrap();
        for t in TABLES {
            assert!(table_answers(&db, t).await, "round {round}: {t} missing after up");
        }
        // One step at a time, so each migration's down is exercised alone.
        for step in 0..count {
            Migrator::down(&db, Some(1)).await.unwrap();
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
    Migrator::up(&db, None).await.unwrap();
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
