//! Retention with an injected clock: free text (answers, and the words of
//! issues never taken up), response rows and closed cases go after their
//! periods; the results, and issues taken up, stay exactly as they were.

use chrono::{Duration, Utc};
use langnghe_api::config::RetentionPolicy as Policy;
use langnghe_api::retention::{PURGED, purge};
use langnghe_domain::moderation::IssueStatus;
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
        json!({"texts_purged": 13, "issue_texts_purged": 0, "responses_deleted": 33, "cases_deleted": 1, "webhook_events_deleted": 0, "request_hashes_expired": 0})
    );
    assert_eq!(runs[1]["actor"], "system");
}

/// The attack: read the words of an issue the council never took up, a
/// year and more after the child raised it, from the queue, its search, the
/// child's export or the database. Issues taken up keep theirs.
#[actix_web::test]
async fn issues_never_taken_up_lose_their_words_after_the_text_period() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let mut body = crate::surveys::example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(&app, &body).await;
    let code = crate::results::session(&app, &survey, &school).await;
    let joined = app.join(&code, 13, json!({})).await.ok(200).clone();
    let child = joined["respondent_token"].as_str().unwrap().to_owned();
    let participant = joined["participant_token"].as_str().unwrap().to_owned();
    let (_, moderator) = app.user("kiem.duyet.luu.tru", "moderator", None, None).await;
    let m = Some(moderator.as_str());
    let raise = async |key: &str, title: &str, body: &str| app.raise(&child, key, title, body).await;
    let new = raise(
        "a",
        "Sân trường thiếu bóng mát",
        "Trưa nắng tụi em không có chỗ ngồi chơi",
    )
    .await
    .created();
    let rejected = raise("b", "Căng tin", "Em muốn căng tin bán thêm trái cây")
        .await
        .created();
    let taken_up = raise("c", "Thư viện", "Mở cửa thư viện giờ ra chơi").await.created();
    let r = raise("d", "Cần thêm đèn đường", "Đường về nhà tối quá").await;
    let (withdrawn, receipt) = (r.created(), r.string(201, "receipt_code"));
    let withheld = raise("e", "Giúp em với", crate::screening::CLEAR).await.created();
    let issue = |id: &str| format!("/api/v1/issues/{id}");
    app.patch(
        &issue(&rejected),
        m,
        &json!({"status": "rejected", "reason": "duplicate"}),
    )
    .await
    .ok(200);
    app.patch(&issue(&taken_up), m, &json!({"status": "accepted"}))
        .await
        .ok(200);
    app.post(&format!("{}/publish", issue(&taken_up)), m, &json!({}))
        .await
        .ok(200);
    app.delete(&format!("/api/v1/issues/{receipt}"), None).await.ok(204);
    let counts = async || app.get("/api/v1/issues", m).await.ok(200)["counts"].clone();
    let counted = counts().await;
    let stored = async |id: &str| {
        langnghe_storage::participation::get_issue(&db, id.parse().unwrap())
            .await
            .unwrap()
    };

    // Within the period nothing goes.
    let policy = Policy::default();
    let r = purge(&db, policy, app.now() + Duration::days(policy.text_days - 1))
        .await
        .unwrap();
    assert_eq!(r.issue_texts_purged, 0);
    assert!(stored(&new).await.body.contains("chỗ ngồi"));

    // Past it: the words of the issues never taken up go, links too.
    let later = app.now() + Duration::days(policy.text_days + 1);
    let r = purge(&db, policy, later).await.unwrap();
    assert_eq!(r.issue_texts_purged, 4, "new, rejected, withheld; withdrawn: its link");
    for id in [&new, &rejected, &withheld] {
        let s = stored(id).await;
        assert_eq!((s.title.as_str(), s.body.as_str()), (PURGED, PURGED), "{id}");
        assert!(s.search_text.is_none() && s.participant_id.is_none() && s.redactions.is_none());
    }
    assert_eq!(
        stored(&new).await.status,
        IssueStatus::New,
        "the row stays, counted as it was"
    );
    let w = stored(&withdrawn).await;
    assert_eq!(w.body, langnghe_domain::consultation::ERASED);
    assert!(w.participant_id.is_none());
    let kept = stored(&taken_up).await;
    assert!(kept.body.contains("thư viện") && kept.participant_id.is_some());
    assert_eq!(counts().await, counted, "every count stays");

    let queue = app.get("/api/v1/issues?limit=100", m).await;
    for word in ["bóng mát", "chỗ ngồi", "trái cây", "Căng tin", "đèn đường", "say ruou"] {
        assert!(!queue.text.contains(word), "{word:?} in the queue");
    }
    assert!(queue.text.contains("thư viện"));
    for q in ["b%C3%B3ng%20m%C3%A1t", "tr%C3%A1i%20c%C3%A2y"] {
        let found = app.get(&format!("/api/v1/issues?q={q}"), m).await;
        assert!(found.items().is_empty(), "{}", found.text);
    }
    let r = app.get(&issue(&new), m).await;
    assert_eq!(r.ok(200)["body"], PURGED);
    let public = app.get("/api/v1/public/issues", None).await;
    assert!(
        public
            .ok(200)
            .to_string()
            .contains(&crate::support::public_issue_id(&taken_up))
    );
    // The child's export holds only the issue taken up (no link to the rest).
    let export = app.get("/api/v1/participants/me/export", Some(&participant)).await;
    let issues = export.ok(200)["issues"].as_array().unwrap().clone();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["id"], taken_up.as_str());

    // Once is enough.
    let r = purge(&db, policy, later).await.unwrap();
    assert_eq!(r.issue_texts_purged, 0);
    db.close().await.ok();
}
