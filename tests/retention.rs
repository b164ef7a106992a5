//! Retention with an injected clock: free text, response rows and closed
//! cases go after their periods; the results stay exactly as they were.

use chrono::{Duration, Utc};
use langnghe_api::config::RetentionPolicy as Policy;
use langnghe_api::retention::{PURGED, purge};
use langnghe_storage::participation::{NewResponse, insert_responses_bulk, responses_of};
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn purges_follow_their_periods_and_the_figures_stay() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = crate::surveys::published_survey(
        &app,
        &json!({"kind": "opinion", "owner_unit_id": district, "title": {"vi": "Ý kiến"}, "min_age": 6, "max_age": 17,
        "questions": [
            {"key": "yn", "type": "yes_no", "text": {"vi": "Có không?"}},
            {"key": "say", "type": "text", "text": {"vi": "Nói?"}}
        ]}),
    )
    .await;
    let survey_id: uuid::Uuid = survey.parse().unwrap();
    let now = app.now();
    let row = |i: usize, at: chrono::DateTime<Utc>| {
        let answers = json!({"yn": i.is_multiple_of(2), "say": format!("Ý kiến số {i} về sân trường")});
        let key = (i as u32).wrapping_mul(2_654_435_761);
        NewResponse {
            idempotency_key: format!("k{i}"),
            ..crate::support::response_row(survey_id, &school, answers, at, key)
        }
    };
    // 20 answers from 400 days ago, 10 from today.
    let mut rows: Vec<_> = (0..20).map(|i| row(i, now - Duration::days(400))).collect();
    rows.extend((20..30).map(|i| row(i, now)));
    // And three children of 9 to 11 today: a cell under k, never released.
    rows.extend((30..33).map(|i| NewResponse {
        age: 9,
        age_band: "9-11".into(),
        ..row(i, now)
    }));
    insert_responses_bulk(&db, &rows).await.unwrap();
    langnghe_api::rollup::fold_all(&db, &langnghe_domain::disclosure::Policy::default(), app.now())
        .await
        .unwrap();
    let results = async || app.results(&survey, "?by=period", app.admin()).await.ok(200)["questions"].clone();
    let before = results().await;
    assert_eq!(before[1]["groups"].as_array().unwrap().len(), 2);

    // Today: the old texts go, the rest stays.
    let r = purge(&db, Policy::default(), now).await.unwrap();
    assert_eq!((r.texts_purged, r.responses_deleted, r.cases_deleted), (20, 0, 0));
    assert_eq!(r.request_hashes_expired, 20, "past the idempotency window");
    let stored = responses_of(&db, survey_id, false).await.unwrap();
    let purged = stored.iter().filter(|s| s.answers.contains(PURGED)).count();
    assert_eq!(purged, 20);
    assert!(stored.iter().filter(|s| s.answers.contains("sân trường")).count() == 13);
    assert!(
        stored.iter().all(|s| s.answers.contains("\"yn\"")),
        "only text is purged"
    );
    assert_eq!(results().await, before, "the figures stay");
    // A second run finds nothing to do.
    let r = purge(&db, Policy::default(), now).await.unwrap();
    assert_eq!((r.texts_purged, r.responses_deleted, r.cases_deleted), (0, 0, 0));

    // A closed case and an open one.
    let (_, officer) = app.user("bao.ve.luu.tru", "safeguarding_officer", None, None).await;
    let mut cases = Vec::new();
    for _ in 0..2 {
        let r = app
            .post(
                "/api/v1/safeguarding/cases",
                Some(&officer),
                &json!({"received_at": now.to_rfc3339(), "channel": "in_person", "summary": "Báo cáo trực tiếp", "severity": "high"}),
            )
            .await;
        cases.push(r.created());
    }
    let close = format!("/api/v1/safeguarding/cases/{}", cases[0]);
    app.patch(
        &close,
        Some(&officer),
        &json!({"status": "assessing", "note": "Đã gặp em."}),
    )
    .await
    .ok(200);
    app.patch(&close, Some(&officer), &json!({"status": "closed"}))
        .await
        .ok(200);

    // Six years on: every text, every row and the closed case are gone;
    // the figures and the open case stay.
    let later = now + Duration::days(6 * 365);
    let r = purge(&db, Policy::default(), later).await.unwrap();
    assert_eq!((r.texts_purged, r.responses_deleted, r.cases_deleted), (13, 33, 1));
    assert_eq!(
        langnghe_storage::rollup::pending_count(&db).await.unwrap(),
        0,
        "responses never released go with their queue entries"
    );
    assert!(responses_of(&db, survey_id, true).await.unwrap().is_empty());
    assert_eq!(results().await, before, "the cells stay when the rows go");
    app.get(&close, Some(&officer)).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/safeguarding/cases/{}", cases[1]), Some(&officer))
        .await
        .ok(200);
    // Each run that purged something is in the audit log, with counts only.
    let audit = app.get("/api/v1/audit?entity=retention", app.admin()).await;
    let runs = audit.items().clone();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[1]["after"],
        json!({"texts_purged": 13, "responses_deleted": 33, "cases_deleted": 1, "webhook_events_deleted": 0, "request_hashes_expired": 0})
    );
    assert_eq!(runs[1]["actor"], "system");
}
