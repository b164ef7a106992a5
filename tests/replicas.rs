//! Two replicas on one database: what one closes, disables or revokes is in
//! force on the other before the request that did it has returned. The
//! database decides (a submission or an issue is stored only by a statement
//! that finds its session open; accounts and clients are read on every
//! request); on PostgreSQL every replica also hears each close at once and
//! forgets what it remembered.

use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

struct World {
    survey: String,
    school: String,
    session: String,
    code: String,
}

/// A published survey that takes issues and an open session of it, made
/// on `app`.
async fn world(app: &TestApp) -> World {
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let mut body = crate::surveys::example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(app, &body).await;
    let (session, code) = open_session(app, &survey, &school).await;
    World {
        survey,
        school,
        session,
        code,
    }
}

async fn open_session(app: &TestApp, survey: &str, school: &str) -> (String, String) {
    let s = app.open_session(survey, school, -5, 120).await;
    (
        s["id"].as_str().unwrap().to_owned(),
        s["join_code"].as_str().unwrap().to_owned(),
    )
}

async fn join(app: &TestApp, code: &str) -> Resp {
    app.post(
        "/api/v1/join",
        None,
        &json!({"join_code": code, "age": 12, "assent": true}),
    )
    .await
}

async fn child(app: &TestApp, code: &str) -> String {
    join(app, code).await.string(200, "respondent_token")
}

/// A child raises the same issue about the street light, under `key`.
async fn raise(app: &TestApp, token: &str, key: &str) -> Resp {
    app.raise(token, key, "Đèn đường", "Đoạn đường trước cổng trường rất tối.")
        .await
}

/// The admin closes what `path` names (a session or a survey) on replica
/// `a`; asserts that replica `b` hears a notice of it within 10 s.
async fn closed_and_heard(a: &TestApp, b: &TestApp, path: &str) {
    let heard = metric(b, "langnghe_replica_notices_total").await;
    a.post(&format!("{path}/close"), a.admin(), &json!({})).await.ok(200);
    let notice = async || metric(b, "langnghe_replica_notices_total").await > heard;
    assert!(crate::support::eventually(10, notice).await, "B hears {path} close");
}

async fn stored(app: &TestApp, survey: &str) -> (usize, usize) {
    let db = app.storage().await;
    let survey_id: uuid::Uuid = survey.parse().unwrap();
    let responses = langnghe_storage::participation::responses_of(&db, survey_id, true)
        .await
        .unwrap()
        .len();
    let issues = langnghe_storage::moderation::counts(&db, &Default::default())
        .await
        .unwrap();
    db.close().await.ok();
    (responses, issues.iter().map(|(_, n)| *n as usize).sum())
}

/// A metric's value as `app` exports it.
async fn metric(app: &TestApp, name: &str) -> u64 {
    let r = app.get("/metrics", None).await;
    r.text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in {}", r.text))
}

#[actix_web::test]
async fn a_session_closed_on_one_replica_takes_nothing_more_on_another() {
    let a = TestApp::spawn_demo().await;
    let b = a.replica().await;
    let w = world(&a).await;
    let (first, late, raiser) = (
        child(&b, &w.code).await,
        child(&b, &w.code).await,
        child(&b, &w.code).await,
    );
    // B has just found the session open, and remembers it.
    b.submit(&first, "before", json!({"feel_safe": "yes"})).await.ok(201);
    raise(&b, &raiser, "before").await.ok(201);

    a.post(&format!("/api/v1/sessions/{}/close", w.session), a.admin(), &json!({}))
        .await
        .ok(200);
    // At once, with nothing in between: B takes no answer, issue or child.
    let r = b.submit(&late, "after", json!({"feel_safe": "no"})).await;
    r.assert_problem(409, "session_closed");
    assert_eq!(
        r.body["detail"],
        "Buổi lấy ý kiến này đã kết thúc. Cảm ơn em đã quan tâm!"
    );
    raise(&b, &raiser, "after").await.assert_problem(409, "session_closed");
    join(&b, &w.code).await.assert_problem(409, "session_closed");
    // Even a retry of what was stored before is answered as closed, as the
    // replica that closed it answers.
    b.submit(&first, "before", json!({"feel_safe": "yes"}))
        .await
        .assert_problem(409, "session_closed");
    assert_eq!(stored(&a, &w.survey).await, (1, 1), "only what came before the close");
}

#[actix_web::test]
async fn a_survey_closed_on_one_replica_takes_nothing_more_on_another() {
    let a = TestApp::spawn_demo().await;
    let b = a.replica().await;
    let w = world(&a).await;
    let (_, other_code) = open_session(&a, &w.survey, &w.school).await;
    let (first, late, raiser, other) = (
        child(&b, &w.code).await,
        child(&b, &w.code).await,
        child(&b, &w.code).await,
        child(&b, &other_code).await,
    );
    b.submit(&first, "before", json!({"feel_safe": "yes"})).await.ok(201);
    b.submit(&other, "before", json!({"feel_safe": "yes"})).await.ok(201);

    a.post(&format!("/api/v1/surveys/{}/close", w.survey), a.admin(), &json!({}))
        .await
        .ok(200);
    b.submit(&late, "after", json!({"feel_safe": "no"}))
        .await
        .assert_problem(409, "session_closed");
    raise(&b, &raiser, "after").await.assert_problem(409, "session_closed");
    join(&b, &other_code).await.assert_problem(409, "session_closed");
    // Every session of the survey stops, not only the one B just read.
    b.submit(&other, "after", json!({"feel_safe": "no"}))
        .await
        .assert_problem(409, "session_closed");
    b.post(
        &format!("/api/v1/surveys/{}/sessions", w.survey),
        b.admin(),
        &json!({"unit_id": w.school, "opens_at": a.now().to_rfc3339(),
                "closes_at": (a.now() + chrono::Duration::hours(1)).to_rfc3339()}),
    )
    .await
    .assert_problem(409, "survey_closed");
    assert_eq!(stored(&a, &w.survey).await, (2, 0));
}

/// What a replica remembers never stores an answer: the statement that
/// stores responses (in a batch, alone with a safeguarding case) or an issue
/// finds the session closed in the database and stores nothing.
#[actix_web::test]
async fn the_database_refuses_what_a_stale_replica_would_let_through() {
    use langnghe_storage::participation::{
        NewCase, NewIssue, NewResponse, Submitted, submit_issue, submit_response, submit_responses,
    };
    let app = TestApp::spawn_demo().await;
    let w = world(&app).await;
    let (open, _) = open_session(&app, &w.survey, &w.school).await;
    let participant = |token: &str| -> uuid::Uuid {
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&data_encoding::BASE64URL_NOPAD.decode(claims.as_bytes()).unwrap()).unwrap();
        claims["sub"].as_str().unwrap().parse().unwrap()
    };
    let child_a = participant(&child(&app, &w.code).await);
    let child_b = participant(&child(&app, &w.code).await);
    app.post(
        &format!("/api/v1/sessions/{}/close", w.session),
        app.admin(),
        &json!({}),
    )
    .await
    .ok(200);
    let survey_id: uuid::Uuid = w.survey.parse().unwrap();
    let row = |session: &str, who: uuid::Uuid, key: &str| NewResponse {
        session_id: session.parse().unwrap(),
        participant_id: who,
        idempotency_key: key.into(),
        request_hash: key.into(),
        single: true,
        ..crate::support::response_row(survey_id, &w.school, json!({"feel_safe": "yes"}), app.now(), 7)
    };
    let db = langnghe_storage::connect(&app.db.url, 2).await.unwrap();
    // One batch, rows of a closed and an open session.
    let got = submit_responses(
        &db,
        &[
            row(&w.session, child_a, "a"),
            row(&open, child_b, "b"),
            row(&w.session, child_b, "c"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        got,
        [Submitted::SessionClosed, Submitted::Created, Submitted::SessionClosed]
    );
    // Alone, with a safeguarding case.
    let mut with_case = row(&w.session, child_a, "d");
    with_case.cases = vec![NewCase {
        severity: langnghe_domain::screen::Severity::High,
        categories: vec!["violence".into()],
        original_text: "…".into(),
        question_key: None,
        outcome: langnghe_domain::screen::Outcome::Clear,
        matched: vec![],
    }];
    assert_eq!(
        submit_response(&db, &with_case).await.unwrap(),
        Submitted::SessionClosed
    );
    let issue = |session: &str, key: &str| NewIssue {
        id: uuid::Uuid::now_v7(),
        status: langnghe_domain::moderation::IssueStatus::New,
        survey_id: w.survey.parse().unwrap(),
        session_id: session.parse().unwrap(),
        unit_id: langnghe_domain::UnitId(w.school.parse().unwrap()),
        participant_id: child_a,
        age_band: "12-14".into(),
        topic_id: None,
        title: "Đèn".into(),
        body: "Tối".into(),
        redactions: vec![],
        receipt_hash: key.into(),
        idempotency_key: key.into(),
        request_hash: key.into(),
        cases: vec![],
        submitted_at: app.now(),
    };
    assert_eq!(
        submit_issue(&db, &issue(&w.session, "i1")).await.unwrap(),
        Submitted::SessionClosed
    );
    assert_eq!(
        submit_issue(&db, &issue(&open, "i2")).await.unwrap(),
        Submitted::Created
    );
    db.close().await.ok();
    assert_eq!(stored(&app, &w.survey).await, (1, 1));
}

#[actix_web::test]
async fn a_disabled_account_and_a_revoked_client_are_refused_on_every_replica() {
    let a = TestApp::spawn_demo().await;
    let b = a.replica().await;
    let (id, token) = a.facilitator("fac.replica", "PN-S06").await;
    let t = Some(token.as_str());
    b.get("/api/v1/me", t).await.ok(200);
    a.patch(&format!("/api/v1/users/{id}"), a.admin(), &json!({"disabled": true}))
        .await
        .ok(200);
    b.get("/api/v1/me", t).await.assert_problem(401, "invalid_token");
    b.sign_in("fac.replica", "fac.replica-mật-khẩu-dài")
        .await
        .assert_problem(403, "account_disabled");

    let agencies = a.get("/api/v1/agencies", a.admin()).await;
    let agency = agencies.ok(200)["items"][0]["id"].as_str().unwrap().to_owned();
    let (client_id, secret, client_token) = crate::recommendations::client_token(&a, &agency).await;
    let ct = Some(client_token.as_str());
    b.get("/api/v1/agency/deliveries", ct).await.ok(200);
    crate::recommendations::revoke_client(&a, &agency, &client_id)
        .await
        .ok(200);
    b.get("/api/v1/agency/deliveries", ct)
        .await
        .assert_problem(401, "invalid_token");
    b.client_credentials(&client_id, &secret)
        .await
        .assert_problem(401, "invalid_client");
}

/// On PostgreSQL every replica listens: a close made on one is forgotten by
/// the others at once, so they refuse early (before validating a body) as
/// the replica that closed it does, not only when storing. (SQLite runs one
/// process: nothing to hear, and the test says so.)
#[actix_web::test]
async fn every_replica_hears_a_close_and_forgets_the_session() {
    let a = TestApp::spawn_demo().await;
    let b = a.replica().await;
    if crate::support::postgres_admin_url().is_none() {
        assert_eq!(metric(&b, "langnghe_replica_listening").await, 0);
        return;
    }
    assert!(
        crate::support::eventually(10, || async { metric(&b, "langnghe_replica_listening").await == 1 }).await,
        "B listens"
    );
    let w = world(&a).await;
    let (first, late) = (child(&b, &w.code).await, child(&b, &w.code).await);
    b.submit(&first, "warm", json!({"feel_safe": "yes"})).await.ok(201);
    // While B remembers the session open, a wrong answer is a validation error.
    b.submit(&late, "bad", json!({"feel_safe": "maybe"}))
        .await
        .assert_problem(422, "validation_failed");
    closed_and_heard(&a, &b, &format!("/api/v1/sessions/{}", w.session)).await;
    // B kept sessions for 30 s while listening: only the notice made it
    // forget this one.
    b.submit(&late, "bad", json!({"feel_safe": "maybe"}))
        .await
        .assert_problem(409, "session_closed");

    // A survey's close too, for every session of it.
    let (_, code) = open_session(&a, &w.survey, &w.school).await;
    let other = child(&b, &code).await;
    b.submit(&other, "warm", json!({"feel_safe": "yes"})).await.ok(201);
    closed_and_heard(&a, &b, &format!("/api/v1/surveys/{}", w.survey)).await;
    b.submit(&other, "bad", json!({"feel_safe": "maybe"}))
        .await
        .assert_problem(409, "session_closed");
}
