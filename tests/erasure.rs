//! A child's data rights that hold (issue 13): erasure erases (answers,
//! issues' words and links, supports, the pseudonym, the audit log's copies),
//! an erased pseudonym's tokens are refused everywhere, export and erasure
//! need only the participant token the phone keeps, an issue is withdrawn
//! with its receipt code, request hashes are keyed and expire, and the
//! SQLite file is readable by its owner only.

use langnghe_domain::moderation::IssueStatus;
use langnghe_storage::participation::StoredIssue;
use serde_json::json;

use crate::support::{Resp, TestApp};
use crate::surveys::{example_survey, published_survey};

/// A survey of the demo's district published with issues allowed, and a
/// session of it open at school PN-S06.
/// A published survey that takes issues, and a session of it open now at
/// school PN-S06.
pub(crate) struct Open {
    pub(crate) district: String,
    pub(crate) school: String,
    pub(crate) survey: String,
    pub(crate) code: String,
}

pub(crate) async fn open_with_issues(app: &TestApp) -> Open {
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let mut body = example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = published_survey(app, &body).await;
    let code = crate::results::session(app, &survey, &school).await;
    Open {
        district,
        school,
        survey,
        code,
    }
}

/// The issue `id` as stored, read straight from the database.
async fn stored_issue(db: &sea_orm::DatabaseConnection, id: &str) -> StoredIssue {
    let id = id.parse().expect("an issue id");
    langnghe_storage::participation::get_issue(db, id)
        .await
        .expect("the issue")
}

/// The child with `token` supports issue `id`, under idempotency key `key`.
async fn support(app: &TestApp, id: &str, token: &str, key: &str) -> Resp {
    let path = format!("/api/v1/issues/{}/supports", crate::support::public_issue_id(id));
    app.post_keyed(&path, Some(token), key, &json!({})).await
}

struct Joined {
    respondent: String,
    participant: String,
}

async fn join(app: &TestApp, code: &str, age: u8, participant: Option<&str>) -> Resp {
    let mut body = json!({"join_code": code, "age": age, "gender": "girl", "assent": true});
    if let Some(p) = participant {
        body["participant_token"] = json!(p);
    }
    app.post("/api/v1/join", None, &body).await
}

async fn joined(app: &TestApp, code: &str, participant: Option<&str>) -> Joined {
    let r = join(app, code, 13, participant).await;
    let body = r.ok(200).clone();
    Joined {
        respondent: body["respondent_token"].as_str().unwrap().to_owned(),
        participant: body["participant_token"].as_str().unwrap().to_owned(),
    }
}

/// Four more girls of 13 (the cell of the child of these tests) answer.
async fn four_girls_answer(app: &TestApp, code: &str) {
    for i in 0..4 {
        let girl = joined(app, code, None).await;
        let answers = json!({"feel_safe": "yes", "happy_at_school": 1 + i});
        app.submit(&girl.respondent, "a", answers).await.ok(201);
    }
}

#[actix_web::test]
async fn erasure_erases_and_the_old_tokens_open_nothing() {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let db = app.storage().await;
    let Open {
        district,
        school,
        survey,
        code,
    } = open_with_issues(&app).await;
    let (_, moderator) = app.user("kiem.duyet.xoa", "moderator", None, None).await;
    let m = Some(moderator.as_str());

    // The child answers (with words), raises an issue and supports another;
    // four girls of the same cell answer too, and the five are released.
    let child = joined(&app, &code, None).await;
    let words = "Đoạn đường từ nhà Lan tới trường tối om, em sợ lắm";
    app.submit(
        &child.respondent,
        "a",
        json!({"feel_safe": "no", "why_not": words, "happy_at_school": 2}),
    )
    .await
    .ok(201);
    four_girls_answer(&app, &code).await;
    app.release().await;
    let released = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, None, None, None)
        .await
        .unwrap();
    assert_eq!(released.iter().map(|c| c.responses).sum::<i64>(), 5);

    let issue =
        json!({"title": "Sân trường thiếu bóng mát", "body": "Trưa nắng chang chang, tụi em không có chỗ ngồi chơi"});
    let r = app
        .post_keyed("/api/v1/issues", Some(&child.respondent), "i", &issue)
        .await;
    let own_issue = r.created();
    let other = joined(&app, &code, None).await;
    let r = app
        .raise(&other.respondent, "i", "Cần thêm đèn đường", "Đường về nhà tối quá")
        .await;
    let someone_elses = r.created();
    for id in [&own_issue, &someone_elses] {
        let path = format!("/api/v1/issues/{id}");
        app.patch(&path, m, &json!({"status": "accepted"})).await.ok(200);
        app.post(&format!("{path}/publish"), m, &json!({})).await.ok(200);
    }
    // A moderator redacts the child's words further: the audit log never
    // held them.
    app.patch(
        &format!("/api/v1/issues/{own_issue}"),
        m,
        &json!({"body": "Trưa nắng, tụi em không có chỗ ngồi"}),
    )
    .await
    .ok(200);
    support(&app, &someone_elses, &child.respondent, "s").await.ok(201);
    // The child's free-text answer is promoted to an issue.
    let answers = app.get(&format!("/api/v1/surveys/{survey}/answers?limit=100"), m).await;
    let answer_id = answers.ok(200)["items"][0]["answer_id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/surveys/{survey}/answers/{answer_id}/promote"),
            m,
            &json!({}),
        )
        .await;
    let promoted = r.created();
    // And answers a second survey, not yet released.
    let survey2 = published_survey(&app, &example_survey(&district)).await;
    let code2 = crate::results::session(&app, &survey2, &school).await;
    let again = joined(&app, &code2, Some(&child.participant)).await;
    app.submit(
        &again.respondent,
        "b",
        json!({"feel_safe": "yes", "happy_at_school": 5}),
    )
    .await
    .ok(201);

    // Export with the participant token alone (no session).
    let r = app
        .get("/api/v1/participants/me/export", Some(&child.participant))
        .await;
    let export = r.ok(200).clone();
    assert_eq!(export["responses"].as_array().unwrap().len(), 2);
    assert!(r.text.contains("tối om"));
    assert_eq!(export["issues"].as_array().unwrap().len(), 2, "raised and promoted");

    // Erase, with the participant token.
    let r = app.delete("/api/v1/participants/me", Some(&child.participant)).await;
    let erased = r.ok(200).clone();
    assert_eq!(erased["responses_deleted"], 1, "the unreleased answer goes at once");
    assert_eq!(
        erased["responses_withdrawn"], 1,
        "the released one leaves at its cell's next release"
    );
    assert_eq!(erased["issues_erased"], 2);

    // Every token is refused, every way.
    for token in [&child.respondent, &again.respondent, &child.participant] {
        app.get("/api/v1/participants/me/export", Some(token))
            .await
            .assert_problem(401, "invalid_token");
        app.delete("/api/v1/participants/me", Some(token))
            .await
            .assert_problem(401, "invalid_token");
    }
    app.submit(&child.respondent, "c", json!({"feel_safe": "yes"}))
        .await
        .assert_problem(401, "invalid_token");
    app.raise(&child.respondent, "j", "A", "B")
        .await
        .assert_problem(401, "invalid_token");
    support(&app, &someone_elses, &child.respondent, "t")
        .await
        .assert_problem(401, "invalid_token");
    let r = join(&app, &code, 13, Some(&child.participant)).await;
    r.assert_problem(409, "participant_erased");
    assert!(r.body["detail"].as_str().unwrap().contains("xoá"));

    // Nothing of the child is left: no row under the pseudonym, no words.
    let stored = app.responses(&survey, true).await;
    assert!(
        stored
            .iter()
            .all(|s| !s.answers.contains("tối om") && !s.answers.contains("Lan"))
    );
    let pseudonym_left = stored
        .iter()
        .filter(|s| s.participant_id == langnghe_storage::participation::ERASED_PARTICIPANT)
        .count();
    assert_eq!(
        pseudonym_left, 1,
        "the released answer waits, unlinked, for its withdrawal's release"
    );
    assert!(app.responses(&survey2, true).await.is_empty());
    for id in [&own_issue, &promoted] {
        app.get(&format!("/api/v1/issues/{id}"), m)
            .await
            .assert_problem(404, "not_found");
        let issue = stored_issue(&db, id).await;
        assert_eq!(issue.status, IssueStatus::Withdrawn);
        assert_eq!(issue.body, langnghe_domain::consultation::ERASED);
    }
    let public = app.get("/api/v1/public/issues", None).await;
    assert!(
        !public
            .ok(200)
            .to_string()
            .contains(&crate::support::public_issue_id(&own_issue))
    );
    let r = app.get(&format!("/api/v1/issues/{someone_elses}"), m).await;
    assert_eq!(r.ok(200)["supports"], 0, "the child's support is gone");
    let audit = app.get("/api/v1/audit?entity=issue&limit=100", app.admin()).await;
    let audit_text = audit.ok(200).to_string();
    assert!(audit_text.contains("issue.update"));
    for word in ["chang chang", "không có chỗ ngồi", "tối om", "Lan"] {
        assert!(!audit_text.contains(word), "the audit log holds {word:?}");
    }
    let history = app.get(&format!("/api/v1/issues/{someone_elses}"), m).await;
    assert!(history.ok(200)["history"].is_array());

    // Four more changes in the cell release the withdrawal; the row goes.
    let others = app.responses(&survey, false).await;
    assert_eq!(others.len(), 4);
    four_girls_answer(&app, &code).await;
    app.release().await;
    let stored = app.responses(&survey, true).await;
    assert!(
        stored
            .iter()
            .all(|s| s.participant_id != langnghe_storage::participation::ERASED_PARTICIPANT),
        "released: the erased row is deleted"
    );
    let cells = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, None, None, None)
        .await
        .unwrap();
    assert_eq!(cells.iter().map(|c| c.responses).sum::<i64>(), 8, "5 − 1 + 4");
    db.close().await.ok();
}

#[actix_web::test]
async fn an_issue_is_withdrawn_with_its_receipt_and_hashes_are_keyed() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let Open { code, .. } = open_with_issues(&app).await;
    let (_, moderator) = app.user("kiem.duyet.rut", "moderator", None, None).await;
    let child = joined(&app, &code, None).await;
    let issue_body = json!({"title": "Căng tin bán đồ ăn vặt", "body": "Em muốn căng tin bán thêm trái cây"});
    let r = app
        .post_keyed("/api/v1/issues", Some(&child.respondent), "i", &issue_body)
        .await;
    let receipt = r.string(201, "receipt_code");
    let id = r.body["id"].as_str().unwrap().to_owned();

    // The request hash is keyed: not the plain digest of what was sent.
    let stored = stored_issue(&db, &id).await;
    let plain = {
        use sha2::Digest;
        data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(
            "Căng tin bán đồ ăn vặt\u{1f}Em muốn căng tin bán thêm trái cây\u{1f}safety",
        ))
    };
    assert!(stored.request_hash.is_some());
    assert_ne!(stored.request_hash.as_deref(), Some(plain.as_str()));

    // Withdrawn with the receipt (any case), twice harmlessly.
    app.delete(&format!("/api/v1/issues/{}", receipt.to_uppercase()), None)
        .await
        .ok(204);
    app.delete(&format!("/api/v1/issues/{receipt}"), None).await.ok(204);
    app.get(&format!("/api/v1/issues/{id}"), Some(&moderator))
        .await
        .assert_problem(404, "not_found");
    let stored = stored_issue(&db, &id).await;
    assert_eq!(stored.status, IssueStatus::Withdrawn);
    assert!(!stored.body.contains("trái cây"));
    for bad in ["nope", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &"x".repeat(300)] {
        app.delete(&format!("/api/v1/issues/{bad}"), None)
            .await
            .assert_problem(404, "issue_receipt_unknown");
    }

    // A week on, the request hashes are cleared by the purge.
    let r = app
        .raise(&child.respondent, "k", "Thư viện", "Mở cửa thư viện giờ ra chơi")
        .await;
    let id = r.created();
    let r = langnghe_api::retention::purge(
        &db,
        langnghe_api::config::RetentionPolicy::default(),
        app.now() + chrono::Duration::days(8),
    )
    .await
    .unwrap();
    assert!(r.request_hashes_expired >= 1);
    let stored = stored_issue(&db, &id).await;
    assert!(stored.request_hash.is_none());
    db.close().await.ok();
}

#[cfg(unix)]
#[actix_web::test]
async fn the_sqlite_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("children.db");
    let db = langnghe_storage::connect(&format!("sqlite://{}?mode=rwc", path.display()), 1)
        .await
        .unwrap();
    langnghe_storage::migrate(&db).await.unwrap();
    for file in [path.clone(), dir.path().join("children.db-wal")] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    db.close().await.ok();
    // An existing file made readable by everyone is made private again.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let db = langnghe_storage::connect(&format!("sqlite://{}?mode=rwc", path.display()), 1)
        .await
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    db.close().await.ok();
}

/// How the child's answer left after the screen held it for an officer.
#[derive(Clone, Copy, PartialEq)]
enum Gone {
    Erased,
    Withdrawn,
    Purged,
}

/// Everything staff and files can read of a survey's answers, and every
/// stored row (withdrawn and erased ones too), as one text.
async fn readable(app: &TestApp, survey: &str, moderator: &str) -> String {
    let answers = app
        .get(&format!("/api/v1/surveys/{survey}/answers?limit=100"), Some(moderator))
        .await;
    let texts = app.survey_file(survey, "texts.csv?reason=x", app.admin()).await;
    assert_eq!((answers.status, texts.status), (200, 200));
    let rows: Vec<String> = app
        .responses(survey, true)
        .await
        .into_iter()
        .map(|r| r.answers)
        .collect();
    format!("{}\n{}\n{}", answers.text, texts.text, rows.join("\n"))
}

/// A child's possible disclosure is held for an officer; the child's words
/// then leave (`gone`); the officer releases the case. The attack: read the
/// words back anywhere staff, files or the child's export reach, and in the
/// stored rows.
async fn released_after(gone: Gone) {
    use crate::screening::POSSIBLE;
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let Open { survey, code, .. } = open_with_issues(&app).await;
    let (_, moderator) = app.user("kiem.duyet.tra", "moderator", None, None).await;
    let (_, officer) = app.user("bao.ve.tra", "safeguarding_officer", None, None).await;
    let o = Some(officer.as_str());
    let child = joined(&app, &code, None).await;
    let r = app
        .submit(
            &child.respondent,
            "a",
            json!({"feel_safe": "not_sure", "why_not": POSSIBLE, "happy_at_school": 2}),
        )
        .await;
    let receipt = r.string(201, "receipt_code");
    // In figures already: an erasure keeps the row (unlinked) until its
    // withdrawal is released.
    four_girls_answer(&app, &code).await;
    app.release().await;
    let words = "biến mất";
    assert!(!readable(&app, &survey, &moderator).await.contains(words), "held");

    match gone {
        Gone::Erased => {
            let r = app.delete("/api/v1/participants/me", Some(&child.participant)).await;
            assert_eq!(r.ok(200)["responses_withdrawn"], 1);
        }
        Gone::Withdrawn => {
            app.delete(&format!("/api/v1/responses/{receipt}"), None).await.ok(204);
        }
        Gone::Purged => {
            let db = app.storage().await;
            let later = app.now() + chrono::Duration::days(366);
            let r = langnghe_api::retention::purge(&db, langnghe_api::config::RetentionPolicy::default(), later)
                .await
                .unwrap();
            assert_eq!(r.texts_purged, 5);
            db.close().await.ok();
        }
    }

    let r = app.get("/api/v1/safeguarding/cases?outcome=possible", o).await;
    let case = r
        .items()
        .iter()
        .find(|c| c["response_id"].is_string())
        .expect("the held answer's case")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/safeguarding/cases/{case}");
    // The case is still released (and the officer still reads its text).
    let r = app.post(&format!("{path}/release"), o, &json!({})).await;
    assert!(r.ok(200)["released_at"].is_string());
    assert_eq!(app.get(&path, o).await.ok(200)["text"], POSSIBLE);

    let seen = readable(&app, &survey, &moderator).await;
    assert!(!seen.contains(words), "the released words came back: {seen}");
    if gone != Gone::Erased {
        let r = app
            .get("/api/v1/participants/me/export", Some(&child.participant))
            .await;
        assert!(!r.ok(200).to_string().contains(words), "in the child's export");
    }
    // The audit entry says why the answer kept its marker, without text.
    let left = app.audit("safeguarding_case", &case).await;
    let release = left.iter().find(|e| e.action == "safeguarding_case.release").unwrap();
    let why = match gone {
        Gone::Erased => "erased",
        Gone::Withdrawn => "withdrawn",
        Gone::Purged => "purged",
    };
    assert_eq!(release.after, Some(json!({"text_left": why})));
}

#[actix_web::test]
async fn releasing_a_held_answer_of_an_erased_child_writes_nothing_back() {
    released_after(Gone::Erased).await;
}

#[actix_web::test]
async fn releasing_a_withdrawn_held_answer_writes_nothing_back() {
    released_after(Gone::Withdrawn).await;
}

#[actix_web::test]
async fn releasing_a_held_answer_whose_text_was_purged_writes_nothing_back() {
    released_after(Gone::Purged).await;
}

/// The attack: a child's answer a moderator made into a published issue
/// stays on the lists, in the counts and in the database after the child
/// withdrew the answer with its receipt.
#[actix_web::test]
async fn withdrawing_an_answer_withdraws_the_issue_made_from_it() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let Open { survey, code, .. } = open_with_issues(&app).await;
    let (_, moderator) = app.user("kiem.duyet.rut.tl", "moderator", None, None).await;
    let m = Some(moderator.as_str());
    let child = joined(&app, &code, None).await;
    let words = "Cổng sau trường không có bảo vệ, xe máy chạy vào sân";
    let r = app
        .submit(
            &child.respondent,
            "a",
            json!({"feel_safe": "no", "why_not": words, "happy_at_school": 3}),
        )
        .await;
    let receipt = r.string(201, "receipt_code");
    let answers = format!("/api/v1/surveys/{survey}/answers?limit=100");
    let r = app.get(&answers, m).await;
    assert!(r.text.contains("xe máy"));
    let answer_id = r.ok(200)["items"][0]["answer_id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/surveys/{survey}/answers/{answer_id}/promote"),
            m,
            &json!({}),
        )
        .await;
    let issue = r.created();
    let path = format!("/api/v1/issues/{issue}");
    app.patch(&path, m, &json!({"status": "accepted"})).await.ok(200);
    app.post(&format!("{path}/publish"), m, &json!({})).await.ok(200);
    let public_id = crate::support::public_issue_id(&issue);
    let public = app.get("/api/v1/public/issues", None).await;
    assert!(public.ok(200).to_string().contains(&public_id));
    let counts = app.get("/api/v1/issues", m).await.ok(200)["counts"].clone();
    assert_eq!(counts["accepted"], 1);

    app.delete(&format!("/api/v1/responses/{receipt}"), None).await.ok(204);

    app.get(&path, m).await.assert_problem(404, "not_found");
    let queue = app.get("/api/v1/issues?limit=100", m).await;
    assert!(!queue.ok(200).to_string().contains(&issue));
    assert_eq!(queue.body["counts"]["accepted"], 0, "{}", queue.body["counts"]);
    let search = app.get("/api/v1/issues?q=xe%20m%C3%A1y", m).await;
    assert!(search.items().is_empty());
    let public = app.get("/api/v1/public/issues", None).await;
    assert!(!public.ok(200).to_string().contains(&public_id));
    let summary = app.get("/api/v1/topics/summary", app.admin()).await;
    assert!(!summary.ok(200).to_string().contains(&issue));
    // Nowhere in the database either: the issue's row and the answer's.
    let stored = stored_issue(&db, &issue).await;
    assert_eq!(stored.status, IssueStatus::Withdrawn);
    assert_eq!(
        (stored.title.as_str(), stored.body.as_str()),
        (
            langnghe_domain::consultation::ERASED,
            langnghe_domain::consultation::ERASED
        )
    );
    assert!(stored.search_text.is_none());
    assert!(!app.get(&answers, m).await.text.contains("xe máy"));
    let rows = app.responses(&survey, true).await;
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].withdrawn && !rows[0].answers.contains("xe máy"),
        "{}",
        rows[0].answers
    );
    assert!(rows[0].answers.contains(langnghe_domain::consultation::ERASED));
    let export = app
        .get("/api/v1/participants/me/export", Some(&child.participant))
        .await;
    assert!(!export.ok(200).to_string().contains("xe máy"));
    // Promoting it again is refused: a withdrawn answer is nobody's issue.
    let again = app
        .post(
            &format!("/api/v1/surveys/{survey}/answers/{answer_id}/promote"),
            m,
            &json!({}),
        )
        .await;
    assert_eq!(again.status, 404, "{}", again.text);
    db.close().await.ok();
}
