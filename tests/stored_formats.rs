//! Stored formats (issue 14): rows storage cannot read are reported and
//! skipped, never retried for ever; rows written before versions (version
//! 0) read as they did, before and after migration 25 rewrites them.

use langnghe_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::results::{K, answer, near, released, session};
use crate::support::TestApp;
use crate::surveys::published_survey;

fn one_question(owner: &str, title: &str) -> Value {
    json!({"kind": "opinion", "owner_unit_id": owner, "title": {"vi": title}, "min_age": 6, "max_age": 17,
           "questions": [{"key": "one", "type": "single_choice", "text": {"vi": "Một?"},
                          "options": [{"key": "a", "label": {"vi": "A"}}, {"key": "b", "label": {"vi": "B"}}]},
                         {"key": "say", "type": "text", "text": {"vi": "Nói?"}}]})
}

/// `sql` with `$1` bound to a survey id (`?` on SQLite).
fn with_survey(db: &sea_orm::DatabaseConnection, sql: &str, survey: &str) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => sql.to_owned(),
        _ => sql.replace("$1", "?"),
    };
    let id: uuid::Uuid = survey.parse().unwrap();
    Statement::from_sql_and_values(backend, sql, [id.into()])
}

/// Runs `sql` with `$1` bound to a survey id: the rows it changed.
async fn exec(db: &sea_orm::DatabaseConnection, sql: &str, survey: &str) -> u64 {
    let statement = with_survey(db, sql, survey);
    db.execute_raw(statement).await.unwrap().rows_affected()
}

/// The first column of what `sql` (`$1` bound to a survey id) reads.
async fn text(db: &sea_orm::DatabaseConnection, sql: &str, survey: &str) -> Vec<String> {
    db.query_all_raw(with_survey(db, sql, survey))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

fn unreadable(metrics: &str, kind: &str) -> u64 {
    let prefix = format!("langnghe_unreadable_rows_total{{kind=\"{kind}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in the metrics"))
        .parse()
        .unwrap()
}

/// The demo with its folder stopped (the test releases), a connection to
/// its database, and the ids of the district PN and its school PN-S06.
async fn demo_released_by_hand() -> (TestApp, sea_orm::DatabaseConnection, [String; 2]) {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let db = app.storage().await;
    let units = app.units(["PN", "PN-S06"]).await;
    (app, db, units)
}

/// Asserts that the survey's results have the figures of `results` and
/// its definition is `definition`.
async fn reads_as(app: &TestApp, survey: &str, results: &Value, definition: &Value) {
    let now = app.results(survey, "", app.admin()).await;
    assert_eq!(now.ok(200)["questions"], results["questions"], "the figures");
    let read = app.get(&format!("/api/v1/surveys/{survey}"), app.admin()).await;
    assert_eq!(read.ok(200)["definition"], *definition, "the definition");
}

#[actix_web::test]
async fn the_folder_moves_past_rows_it_cannot_read() {
    let (app, db, [district, school]) = demo_released_by_hand().await;
    let broken_answers = published_survey(&app, &one_question(&district, "A")).await;
    let broken_definition = published_survey(&app, &one_question(&district, "B")).await;
    let (code_a, code_b) = (
        session(&app, &broken_answers, &school).await,
        session(&app, &broken_definition, &school).await,
    );
    let n = K + 1;
    for _ in 0..n {
        answer(&app, &code_a, 12, "girl", json!({"one": "a", "say": "Em vui"})).await;
        answer(&app, &code_b, 12, "girl", json!({"one": "b"})).await;
    }
    // One response of A is no longer JSON; B's definition names a kind of
    // survey nobody knows. Both written straight into the database.
    let one_response = "UPDATE responses SET answers = '{broken' \
                        WHERE id IN (SELECT id FROM responses WHERE survey_id = $1 ORDER BY id LIMIT 1)";
    assert_eq!(exec(&db, one_response, &broken_answers).await, 1);
    let definition = "UPDATE survey_versions SET definition = '{\"v\":1,\"kind\":\"poll\"}' WHERE survey_id = $1";
    assert_eq!(exec(&db, definition, &broken_definition).await, 1);

    // Releasing everything due comes back (B is set aside, not retried in
    // a loop), and A's release comes with every response counted: the one
    // it cannot read as a response that answered nothing.
    app.release().await;
    let r = released(&app, &broken_answers, 1).await;
    assert_eq!(r["release"]["waiting"], 0, "{r}");
    let cells = langnghe_storage::rollup::cells(&db, broken_answers.parse().unwrap(), 1, None, None, None)
        .await
        .unwrap();
    assert_eq!(cells.iter().map(|c| c.responses).sum::<i64>(), n as i64);
    let one = r["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "one")
        .unwrap();
    near(&one["total"]["respondents"], n - 1);

    // B's changes wait, untouched, for the definition to be mended.
    let b: uuid::Uuid = broken_definition.parse().unwrap();
    assert!(
        langnghe_storage::rollup::cells(&db, b, 1, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        langnghe_storage::rollup::waiting_changes(&db, Some(b))
            .await
            .unwrap()
            .len(),
        n as usize
    );
    // Each skip is reported.
    let metrics = app.get("/metrics", None).await.text;
    assert!(unreadable(&metrics, "answers") >= 1, "{metrics}");
    assert!(unreadable(&metrics, "survey_definition") >= 1, "{metrics}");

    // The free-text export reads the rows it can and skips the one it cannot.
    let texts = app
        .survey_file(&broken_answers, "texts.csv?reason=quality%20check", app.admin())
        .await;
    assert_eq!(texts.status, 200, "{}", texts.text);
    assert_eq!(texts.text.matches("Em vui").count(), n as usize - 1, "{}", texts.text);
    db.close().await.ok();
}

#[actix_web::test]
async fn rows_written_before_versions_read_the_same_before_and_after_the_migration() {
    let (app, db, [district, school]) = demo_released_by_hand().await;
    let survey = published_survey(&app, &one_question(&district, "Trước")).await;
    let code = session(&app, &survey, &school).await;
    for i in 0..K + 2 {
        let one = if i % 2 == 0 { "a" } else { "b" };
        answer(&app, &code, 12, "girl", json!({"one": one, "say": "Em vui"})).await;
    }
    app.release().await;
    let before = released(&app, &survey, 1).await;
    let definition_before =
        app.get(&format!("/api/v1/surveys/{survey}"), app.admin()).await.ok(200)["definition"].clone();

    // Migration 25 undone (with those after it): every row back in the
    // form before versions.
    let after_25 = Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| m.name() != "m20261208_000025_stored_formats")
        .count() as u32;
    langnghe_storage::migrate_down(&db, Some(after_25 + 1)).await.unwrap();
    let definitions = text(
        &db,
        "SELECT definition FROM survey_versions WHERE survey_id = $1",
        &survey,
    )
    .await;
    let answers = text(&db, "SELECT answers FROM responses WHERE survey_id = $1", &survey).await;
    let tallies = text(&db, "SELECT tally FROM result_cells WHERE survey_id = $1", &survey).await;
    for t in definitions.iter().chain(&tallies) {
        let v: Value = serde_json::from_str(t).unwrap();
        assert!(v.get("v").is_none(), "{t}");
    }
    for t in &answers {
        let v: Value = serde_json::from_str(t).unwrap();
        assert!(v.get("one").is_some() && v.get("$v").is_none(), "{t}");
    }
    // Read as version 0: the same figures and the same definition.
    reads_as(&app, &survey, &before, &definition_before).await;
    // A child answering meanwhile, and the folder folding version-0 rows
    // with version-1 ones.
    for _ in 0..K {
        answer(&app, &code, 12, "girl", json!({"one": "a", "say": "Em vui"})).await;
    }
    app.release().await;
    let mixed = released(&app, &survey, 2).await;

    // Migration 25 again: every row in version 1, read the same.
    langnghe_storage::migrate(&db).await.unwrap();
    for t in text(
        &db,
        "SELECT definition FROM survey_versions WHERE survey_id = $1",
        &survey,
    )
    .await
    .iter()
    .chain(&text(&db, "SELECT tally FROM result_cells WHERE survey_id = $1", &survey).await)
    {
        let v: Value = serde_json::from_str(t).unwrap();
        assert_eq!(v["v"], 1, "{t}");
    }
    for t in text(&db, "SELECT answers FROM responses WHERE survey_id = $1", &survey).await {
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["$v"], 1, "{t}");
        assert!(v["one"].is_string(), "{t}");
    }
    reads_as(&app, &survey, &mixed, &definition_before).await;
    db.close().await.ok();
}

/// A status or kind storage does not know is an error where it is read,
/// never a default: an event whose kind was written by hand as something
/// else is not dropped from progress (nor counted as some other kind); the
/// reader gets an opaque 500 that names nothing of the row.
#[actix_web::test]
async fn an_unknown_event_kind_is_an_error_not_a_default() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let [school] = app.units(["PN-S06"]).await;
    let event = json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15",
        "title": "Đối thoại với học sinh", "children_attending": 30, "adults_attending": 3});
    let id = app.post("/api/v1/events", app.admin(), &event).await.created();
    let path = format!("/api/v1/events/{id}");
    app.get(&path, app.admin()).await.ok(200);
    let progress = "/api/v1/progress?year=2026";
    app.get(progress, app.admin()).await.ok(200);
    assert_eq!(
        exec(&db, "UPDATE events SET kind = 'picnic' WHERE id = $1", &id).await,
        1
    );
    for path in [path.as_str(), progress, "/api/v1/events"] {
        let r = app.get(path, app.admin()).await;
        r.assert_problem(500, "internal_error");
        assert!(!r.text.contains("picnic"), "{path}: {}", r.text);
    }
    // Mended, it reads again.
    assert_eq!(
        exec(&db, "UPDATE events SET kind = 'dialogue' WHERE id = $1", &id).await,
        1
    );
    app.get(&path, app.admin()).await.ok(200);
}

/// A survey whose definition cannot be read is set aside, not retried on
/// every pass: first for ten minutes, then twice as long after each
/// failure, never more than a day; mended, it is released on the next pass
/// due and nothing is aside any more.
#[actix_web::test]
async fn a_survey_that_cannot_be_read_waits_longer_each_time() {
    use chrono::Duration;
    let (app, db, [district, school]) = demo_released_by_hand().await;
    let survey = published_survey(&app, &one_question(&district, "C")).await;
    let code = session(&app, &survey, &school).await;
    for _ in 0..K + 1 {
        answer(&app, &code, 12, "girl", json!({"one": "a"})).await;
    }
    let definition = text(
        &db,
        "SELECT definition FROM survey_versions WHERE survey_id = $1",
        &survey,
    )
    .await;
    let broken = "UPDATE survey_versions SET definition = '{\"v\":1,\"kind\":\"poll\"}' WHERE survey_id = $1";
    assert_eq!(exec(&db, broken, &survey).await, 1);

    let id: uuid::Uuid = survey.parse().unwrap();
    let policy = langnghe_domain::disclosure::Policy::default();
    let mut folder = langnghe_api::rollup::Folder::default();
    let mut at = app.now();
    assert_eq!(folder.fold(&db, &policy, at).await.unwrap(), 0);
    let mut waits = Vec::new();
    for _ in 0..10 {
        assert!(folder.is_aside(id, at), "set aside after a failure");
        let mut wait = Duration::minutes(1);
        while folder.is_aside(id, at + wait) {
            wait += Duration::minutes(1);
        }
        waits.push(wait.num_minutes());
        at += wait;
        // Due again: tried once more, and set aside for longer.
        assert_eq!(folder.fold(&db, &policy, at).await.unwrap(), 0);
    }
    assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);

    // Mended: the next pass due releases it, and it is aside no more.
    let mend = format!(
        "UPDATE survey_versions SET definition = '{}' WHERE survey_id = $1",
        definition[0].replace('\'', "''")
    );
    assert_eq!(exec(&db, &mend, &survey).await, 1);
    at += Duration::days(1);
    assert_eq!(folder.fold(&db, &policy, at).await.unwrap(), K as usize + 1);
    assert!(!folder.is_aside(id, at));
    released(&app, &survey, 1).await;
}
