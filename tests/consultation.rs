//! Sessions, joining, responses (validation, retries, duplicates,
//! withdrawal), issues, and screening of every free text.

use actix_web::http::Method;
use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};
use crate::surveys::{example_survey, published_survey};

struct Setup {
    app: TestApp,
    survey: String,
    school: String,
    facilitator: String,
}

async fn setup_with(body_of: impl Fn(&str) -> Value) -> Setup {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = published_survey(&app, &body_of(&district)).await;
    let (_, facilitator) = app.user("tpt.binhminh", "facilitator", Some(&school), None).await;
    Setup {
        app,
        survey,
        school,
        facilitator,
    }
}

async fn setup() -> Setup {
    setup_with(example_survey).await
}

fn window(from_min: i64, to_min: i64) -> (String, String) {
    let now = crate::support::start();
    (
        (now + Duration::minutes(from_min)).to_rfc3339(),
        (now + Duration::minutes(to_min)).to_rfc3339(),
    )
}

async fn open_session(s: &Setup) -> Value {
    let (opens, closes) = window(-5, 120);
    let r = s
        .app
        .post(
            &format!("/api/v1/surveys/{}/sessions", s.survey),
            Some(&s.facilitator),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes, "expected_participants": 45}),
        )
        .await;
    r.ok(201).clone()
}

async fn join(app: &TestApp, code: &str, age: u8, extra: Value) -> Resp {
    let mut body = json!({"join_code": code, "age": age, "assent": true});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/api/v1/join", None, &body).await
}

async fn submit(app: &TestApp, token: &str, key: &str, answers: Value) -> Resp {
    let body = serde_json::to_vec(&json!({"answers": answers})).unwrap();
    app.request(
        Method::POST,
        "/api/v1/responses",
        Some(token),
        &[("Content-Type", "application/json"), ("Idempotency-Key", key)],
        Some(body),
    )
    .await
}

#[actix_web::test]
async fn a_child_joins_answers_and_withdraws() {
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    assert_eq!(code.len(), 12);
    assert_eq!(session["state"], "open");
    assert_eq!(session["version"], 1);

    // The code is forgiving about case, spaces and dashes.
    let typed = format!("{}-{}", code[..4].to_lowercase(), &code[4..]);
    let r = join(&s.app, &typed, 7, json!({"gender": "girl", "grade": 2})).await;
    let joined = r.ok(200).clone();
    assert_eq!(joined["survey"]["age_band"], "6-8");
    assert_eq!(
        joined["survey"]["questions"][0]["text"],
        "Em đi học có thấy an toàn không?"
    );
    assert_eq!(joined["expires_in"], 7200);
    let token = joined["respondent_token"].as_str().unwrap();
    let participant = joined["participant_token"].as_str().unwrap();

    let r = submit(
        &s.app,
        token,
        "k-1",
        json!({"feel_safe": "no", "why_not": "Đường tối, không có đèn.", "happy_at_school": 4}),
    )
    .await;
    let receipt = r.ok(201).clone();
    let code_r = receipt["receipt_code"].as_str().unwrap();
    assert_eq!(code_r.len(), 32);
    assert!(receipt.get("support").is_none());
    // A retry with the same key and body returns the same receipt.
    let again = submit(
        &s.app,
        token,
        "k-1",
        json!({"feel_safe": "no", "why_not": "Đường tối, không có đèn.", "happy_at_school": 4}),
    )
    .await;
    assert_eq!(again.ok(201), &receipt);
    // The same key with another body is refused.
    submit(&s.app, token, "k-1", json!({"feel_safe": "yes", "happy_at_school": 4}))
        .await
        .assert_problem(409, "idempotency_key_reused");
    // One response per participant.
    let dup = submit(&s.app, token, "k-2", json!({"feel_safe": "yes", "happy_at_school": 5})).await;
    dup.assert_problem(409, "already_responded");
    assert_eq!(dup.body["detail"], "Em đã trả lời khảo sát này rồi. Cảm ơn em!");
    // The same phone joining again is the same participant.
    let rejoin = join(&s.app, code, 7, json!({"participant_token": participant})).await;
    let token2 = rejoin.ok(200)["respondent_token"].as_str().unwrap().to_owned();
    assert_eq!(rejoin.body["participant_token"], participant);
    submit(
        &s.app,
        &token2,
        "k-3",
        json!({"feel_safe": "yes", "happy_at_school": 5}),
    )
    .await
    .assert_problem(409, "already_responded");

    let db = langnghe_storage::connect(&s.app.db.url, 1).await.unwrap();
    let stored = langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].age_band, "6-8");

    // Withdrawal: the response stops counting, and the child may answer again.
    let r = s
        .app
        .request(Method::DELETE, &format!("/api/v1/responses/{code_r}"), None, &[], None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s
        .app
        .request(Method::DELETE, &format!("/api/v1/responses/{code_r}"), None, &[], None)
        .await;
    assert_eq!(r.status, 204, "withdrawing twice is harmless");
    assert!(
        langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
            .await
            .unwrap()
            .is_empty()
    );
    submit(
        &s.app,
        &token2,
        "k-4",
        json!({"feel_safe": "yes", "happy_at_school": 5}),
    )
    .await
    .ok(201);
    s.app
        .request(
            Method::DELETE,
            "/api/v1/responses/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            None,
            &[],
            None,
        )
        .await
        .assert_problem(404, "receipt_unknown");
    s.app
        .request(Method::DELETE, "/api/v1/responses/short", None, &[], None)
        .await
        .assert_problem(404, "receipt_unknown");
    db.close().await.ok();
}

#[actix_web::test]
async fn answers_are_validated_against_the_exact_version() {
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let token = join(&s.app, code, 12, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    submit(
        &s.app,
        &token,
        "a",
        json!({"feel_safe": "maybe", "why_not": "x", "happy_at_school": 9, "colour": "red"}),
    )
    .await
    .assert_fields(&[
        ("answers.colour", "unknown_question"),
        ("answers.feel_safe", "unknown_option"),
        ("answers.happy_at_school", "out_of_range"),
    ]);
    submit(
        &s.app,
        &token,
        "b",
        json!({"feel_safe": "yes", "why_not": "answered though hidden"}),
    )
    .await
    .assert_fields(&[("answers.why_not", "hidden_question")]);
    submit(&s.app, &token, "c", json!({"happy_at_school": 3}))
        .await
        .assert_fields(&[("answers.feel_safe", "required")]);
    submit(&s.app, &token, "d", json!({"feel_safe": ["yes"]}))
        .await
        .assert_fields(&[("answers.feel_safe", "invalid_type")]);
    let long = "a".repeat(501);
    submit(&s.app, &token, "e", json!({"feel_safe": "no", "why_not": long}))
        .await
        .assert_fields(&[("answers.why_not", "too_long")]);
    // A missing Idempotency-Key is refused before anything is stored.
    let r = s
        .app
        .request(
            Method::POST,
            "/api/v1/responses",
            Some(&token),
            &[("Content-Type", "application/json")],
            Some(br#"{"answers": {"feel_safe": "yes"}}"#.to_vec()),
        )
        .await;
    r.assert_problem(400, "idempotency_key_required");
    // Editing the survey after publishing does not change what this session takes.
    let db = langnghe_storage::connect(&s.app.db.url, 1).await.unwrap();
    assert!(
        langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), true)
            .await
            .unwrap()
            .is_empty()
    );
    submit(&s.app, &token, "f", json!({"feel_safe": "yes"})).await.ok(201);
    db.close().await.ok();
    // Staff tokens are not respondent tokens, and vice versa.
    submit(&s.app, &s.app.admin, "g", json!({"feel_safe": "yes"}))
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .request(
            Method::POST,
            "/api/v1/responses",
            None,
            &[("Content-Type", "application/json"), ("Idempotency-Key", "z")],
            Some(b"{}".to_vec()),
        )
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn concurrent_duplicates_cannot_slip_through() {
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let token = join(&s.app, code, 14, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Ten different submissions at once from one participant: one counts.
    let attempts = (0..10).map(|i| {
        let (app, token) = (&s.app, token.clone());
        async move {
            submit(
                app,
                &token,
                &format!("parallel-{i}"),
                json!({"feel_safe": "yes", "happy_at_school": 3}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused = results
        .iter()
        .filter(|r| r.status == 409 && r.body["code"] == "already_responded")
        .count();
    assert_eq!(
        (created, refused),
        (1, 9),
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    // The same retry sent five times at once: one stored, all told the same.
    let token2 = join(&s.app, code, 14, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let retries = (0..5).map(|_| {
        let (app, token) = (&s.app, token2.clone());
        async move {
            submit(
                app,
                &token,
                "same-key",
                json!({"feel_safe": "no", "happy_at_school": 2}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(retries).await;
    assert!(
        results.iter().all(|r| r.status == 201),
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let ids: std::collections::HashSet<&str> = results.iter().map(|r| r.body["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1);
    let db = langnghe_storage::connect(&s.app.db.url, 1).await.unwrap();
    assert_eq!(
        langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
            .await
            .unwrap()
            .len(),
        2
    );
    db.close().await.ok();
}

#[actix_web::test]
async fn joining_is_refused_in_the_childs_words() {
    let s = setup_with(|owner| {
        let mut b = example_survey(owner);
        b["min_age"] = json!(11);
        b
    })
    .await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let r = s
        .app
        .post(
            "/api/v1/join",
            None,
            &json!({"join_code": code, "age": 12, "assent": false}),
        )
        .await;
    r.assert_problem(422, "assent_required");
    assert!(r.body["detail"].as_str().unwrap().contains("Em đồng ý"));
    let r = s
        .app
        .post(
            "/api/v1/join",
            None,
            &json!({"join_code": code, "age": 12, "assent": false, "language": "en"}),
        )
        .await;
    assert!(r.body["detail"].as_str().unwrap().contains("I agree"));
    let r = join(&s.app, code, 8, json!({})).await;
    r.assert_problem(422, "age_not_eligible");
    let r = s
        .app
        .request(
            Method::POST,
            "/api/v1/join",
            None,
            &[
                ("Content-Type", "application/json"),
                ("Accept-Language", "en-GB,en;q=0.9"),
            ],
            Some(serde_json::to_vec(&json!({"join_code": code, "age": 8, "assent": true})).unwrap()),
        )
        .await;
    assert_eq!(
        r.body["detail"],
        "This survey is for children of a different age. Thank you!"
    );
    join(&s.app, code, 19, json!({}))
        .await
        .assert_fields(&[("age", "out_of_range")]);
    join(&s.app, code, 12, json!({"gender": "unknown", "grade": 13}))
        .await
        .assert_fields(&[("grade", "out_of_range"), ("gender", "unknown_value")]);
    join(&s.app, code, 12, json!({"participant_token": "not a token"}))
        .await
        .assert_fields(&[("participant_token", "invalid")]);
    join(&s.app, code, 12, json!({"language": "fr"}))
        .await
        .assert_fields(&[("language", "unknown_value")]);
    let r = join(&s.app, "ACEF-HJKM", 12, json!({})).await;
    r.assert_problem(404, "join_code_unknown");
    assert!(r.body["detail"].as_str().unwrap().contains("Mã tham gia"));

    // A closed session says so.
    let id = session["id"].as_str().unwrap();
    let closed = s
        .app
        .post(
            &format!("/api/v1/sessions/{id}/close"),
            Some(&s.facilitator),
            &json!({}),
        )
        .await;
    assert_eq!(closed.ok(200)["state"], "closed");
    join(&s.app, code, 12, json!({}))
        .await
        .assert_problem(409, "session_closed");
    // One not yet open says so too.
    let (opens, closes) = window(60, 120);
    let later = s
        .app
        .post(
            &format!("/api/v1/surveys/{}/sessions", s.survey),
            app_admin(&s),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes}),
        )
        .await;
    let later_code = later.ok(201)["join_code"].as_str().unwrap().to_owned();
    join(&s.app, &later_code, 12, json!({}))
        .await
        .assert_problem(409, "session_not_open");
}

fn app_admin(s: &Setup) -> Option<&str> {
    s.app.admin()
}

#[actix_web::test]
async fn guessing_join_codes_is_rate_limited_but_a_class_joins() {
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    // A class of 45 behind one address joins at once.
    let joins = (0..45).map(|_| join(&s.app, code, 12, json!({})));
    let results = futures_util::future::join_all(joins).await;
    assert!(results.iter().all(|r| r.status == 200));
    // Wrong codes are counted; after 20 the address must wait.
    for _ in 0..21 {
        join(&s.app, "XXXXXXXX", 12, json!({}))
            .await
            .assert_problem(404, "join_code_unknown");
    }
    let r = join(&s.app, code, 12, json!({})).await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
}

#[actix_web::test]
async fn sessions_belong_to_units_and_need_a_published_survey() {
    let s = setup_with(|owner| {
        let mut b = example_survey(owner);
        b["requires_guardian_consent"] = json!(true);
        b
    })
    .await;
    let other_school = s.app.unit_id("PN-S01", "2026-01-01").await;
    let (opens, closes) = window(-5, 60);
    let url = format!("/api/v1/surveys/{}/sessions", s.survey);
    s.app
        .post(
            &url,
            Some(&s.facilitator),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes}),
        )
        .await
        .assert_fields(&[("guardian_consent", "required")]);
    let consent = json!({"method": "paper_form", "reference": "HS-2026/7A"});
    let r = s
        .app
        .post(
            &url,
            Some(&s.facilitator),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes, "guardian_consent": consent}),
        )
        .await;
    assert_eq!(r.ok(201)["guardian_consent"], consent);
    let mine = r.body["id"].as_str().unwrap().to_owned();
    s.app
        .post(
            &url,
            Some(&s.facilitator),
            &json!({"unit_id": other_school, "opens_at": opens, "closes_at": closes, "guardian_consent": consent}),
        )
        .await
        .assert_fields(&[("unit_id", "outside_scope")]);
    s.app
        .post(
            &url,
            Some(&s.facilitator),
            &json!({"unit_id": s.school, "opens_at": closes, "closes_at": opens, "guardian_consent": consent}),
        )
        .await
        .assert_fields(&[("closes_at", "min_greater_than_max"), ("closes_at", "in_the_past")]);
    // Admins open sessions anywhere; the facilitator lists and closes only theirs.
    let r = s
        .app
        .post(
            &url,
            s.app.admin(),
            &json!({"unit_id": other_school, "opens_at": opens, "closes_at": closes, "guardian_consent": consent}),
        )
        .await;
    let theirs = r.ok(201)["id"].as_str().unwrap().to_owned();
    let listed = s.app.get(&url, Some(&s.facilitator)).await;
    let ids: Vec<&str> = listed.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [mine.as_str()]);
    assert_eq!(
        s.app.get(&url, s.app.admin()).await.ok(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    s.app
        .post(
            &format!("/api/v1/sessions/{theirs}/close"),
            Some(&s.facilitator),
            &json!({}),
        )
        .await
        .assert_problem(404, "not_found");
    // Roles that do not run sessions are refused.
    let (_, moderator) = s.app.user("mod.x", "moderator", None, None).await;
    s.app
        .post(
            &url,
            Some(&moderator),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes}),
        )
        .await
        .assert_problem(403, "forbidden");
    s.app
        .post(&format!("/api/v1/sessions/{mine}/close"), Some(&moderator), &json!({}))
        .await
        .assert_problem(403, "forbidden");
    s.app
        .post(&url, None, &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
    s.app.get(&url, None).await.assert_problem(401, "unauthenticated");
    s.app
        .post(
            &format!("/api/v1/sessions/{}/close", uuid::Uuid::now_v7()),
            s.app.admin(),
            &json!({}),
        )
        .await
        .assert_problem(404, "not_found");
    // A draft or closed survey takes no sessions.
    let district = s.app.unit_id("PN", "2026-01-01").await;
    let draft = s
        .app
        .post("/api/v1/surveys", s.app.admin(), &example_survey(&district))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.app
        .post(
            &format!("/api/v1/surveys/{draft}/sessions"),
            s.app.admin(),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes}),
        )
        .await
        .assert_problem(409, "survey_not_published");
    s.app
        .post(
            &format!("/api/v1/surveys/{}/close", s.survey),
            s.app.admin(),
            &json!({}),
        )
        .await
        .ok(200);
    s.app
        .post(
            &url,
            s.app.admin(),
            &json!({"unit_id": s.school, "opens_at": opens, "closes_at": closes, "guardian_consent": consent}),
        )
        .await
        .assert_problem(409, "survey_closed");
}

#[actix_web::test]
async fn free_text_is_screened_before_it_is_stored() {
    let s = setup_with(|owner| {
        let mut b = example_survey(owner);
        b["allow_issues"] = json!(true);
        b
    })
    .await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let token = join(&s.app, code, 13, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Personal data is redacted from the stored copy.
    let r = submit(
        &s.app,
        &token,
        "pii",
        json!({"feel_safe": "no", "why_not": "Gọi cho em số 0912 345 678 hoặc email lan.nguyen@gmail.com nhé", "happy_at_school": 3}),
    )
    .await;
    assert!(r.ok(201).get("support").is_none());
    let db = langnghe_storage::connect(&s.app.db.url, 1).await.unwrap();
    let stored = langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
        .await
        .unwrap();
    let answers: Value = serde_json::from_str(&stored[0].answers).unwrap();
    let why = answers["why_not"].as_str().unwrap();
    assert!(!why.contains("0912") && !why.contains("gmail"), "{why}");
    assert!(
        why.contains("[số điện thoại đã ẩn]") && why.contains("[email đã ẩn]"),
        "{why}"
    );

    // A disclosure goes to a safeguarding case only, and the child is shown the hotline.
    let token2 = join(&s.app, code, 13, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let disclosure = "Bố em say rượu về đánh em và mẹ";
    let r = submit(
        &s.app,
        &token2,
        "harm",
        json!({"feel_safe": "not_sure", "why_not": disclosure, "happy_at_school": 1}),
    )
    .await;
    let support = r.ok(201)["support"].clone();
    assert!(support["message"].as_str().unwrap().contains("111"));
    assert_eq!(support["hotline"], "111");
    let stored = langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
        .await
        .unwrap();
    assert!(!stored[1].answers.contains("đánh"), "{}", stored[1].answers);
    let cases = langnghe_storage::participation::cases(&db).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].original_text, disclosure);
    assert_eq!(cases[0].question_key.as_deref(), Some("why_not"));
    assert_eq!(cases[0].response_id, Some(stored[1].id));

    // Issues too: a plain one enters the queue as new, redacted.
    let raise = |token: String, key: &'static str, body: Value| {
        let app = &s.app;
        async move {
            app.request(
                Method::POST,
                "/api/v1/issues",
                Some(&token),
                &[("Content-Type", "application/json"), ("Idempotency-Key", key)],
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await
        }
    };
    let r = raise(token.clone(), "i1", json!({"title": "Cần đèn đường trước cổng trường", "body": "Chiều tối rất tối. Nhà em ở số 12 đường Lê Văn Sỹ."})).await;
    let issue_id = r.ok(201)["id"].as_str().unwrap().to_owned();
    assert!(r.body.get("support").is_none());
    let again = raise(token.clone(), "i1", json!({"title": "Cần đèn đường trước cổng trường", "body": "Chiều tối rất tối. Nhà em ở số 12 đường Lê Văn Sỹ."})).await;
    assert_eq!(again.ok(201)["id"], issue_id.as_str());
    let issue = langnghe_storage::participation::get_issue(&db, issue_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(issue.status, "new");
    assert!(!issue.body.contains("Lê Văn Sỹ"), "{}", issue.body);
    assert!(issue.topic_id.is_some(), "the survey's topic by default");
    let r = raise(
        token.clone(),
        "i2",
        json!({"title": "Giúp em", "body": "Em không muốn sống nữa"}),
    )
    .await;
    assert!(r.ok(201)["support"]["message"].as_str().unwrap().contains("111"));
    let withheld = langnghe_storage::participation::get_issue(&db, r.body["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    assert_eq!(withheld.status, "withheld");
    assert!(!withheld.body.contains("sống"));
    assert_eq!(langnghe_storage::participation::cases(&db).await.unwrap().len(), 2);
    raise(
        token.clone(),
        "i3",
        json!({"title": " ", "body": "x", "topic": "weather"}),
    )
    .await
    .assert_fields(&[("title", "empty_text"), ("topic", "unknown_topic")]);
    raise(token.clone(), "i4", json!({"title": "x".repeat(201), "body": "x"}))
        .await
        .assert_fields(&[("title", "invalid_length")]);
    db.close().await.ok();
}

#[actix_web::test]
async fn issues_need_a_survey_that_takes_them() {
    let s = setup().await;
    let session = open_session(&s).await;
    let token = join(&s.app, session["join_code"].as_str().unwrap(), 10, json!({}))
        .await
        .ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .app
        .post("/api/v1/issues", Some(&token), &json!({"title": "A", "body": "B"}))
        .await;
    r.assert_problem(403, "issues_not_allowed");
    s.app
        .post("/api/v1/issues", None, &json!({"title": "A", "body": "B"}))
        .await
        .assert_problem(401, "unauthenticated");
    s.app
        .post("/api/v1/issues", s.app.admin(), &json!({"title": "A", "body": "B"}))
        .await
        .assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn closing_a_session_or_survey_stops_answers_at_once() {
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let a = join(&s.app, code, 12, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = join(&s.app, code, 12, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    submit(&s.app, &a, "first", json!({"feel_safe": "yes"})).await.ok(201);
    let id = session["id"].as_str().unwrap();
    s.app
        .post(
            &format!("/api/v1/sessions/{id}/close"),
            Some(&s.facilitator),
            &json!({}),
        )
        .await
        .ok(200);
    let r = submit(&s.app, &b, "late", json!({"feel_safe": "yes"})).await;
    r.assert_problem(409, "session_closed");
    assert_eq!(
        r.body["detail"],
        "Buổi lấy ý kiến này đã kết thúc. Cảm ơn em đã quan tâm!"
    );

    let other = open_session(&s).await;
    let c = join(&s.app, other["join_code"].as_str().unwrap(), 12, json!({}))
        .await
        .ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    submit(&s.app, &c, "warm", json!({"feel_safe": "no"})).await.ok(201);
    s.app
        .post(
            &format!("/api/v1/surveys/{}/close", s.survey),
            s.app.admin(),
            &json!({}),
        )
        .await
        .ok(200);
    let d = join(&s.app, other["join_code"].as_str().unwrap(), 12, json!({})).await;
    d.assert_problem(409, "session_closed");
    let c2 = submit(&s.app, &c, "after-close", json!({"feel_safe": "no"})).await;
    c2.assert_problem(409, "session_closed");
}

#[actix_web::test]
async fn a_child_exports_and_erases_what_is_held_under_their_pseudonym() {
    let s = setup_with(|owner| {
        let mut b = example_survey(owner);
        b["allow_issues"] = json!(true);
        b
    })
    .await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let token = join(&s.app, code, 12, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = join(&s.app, code, 13, json!({})).await.ok(200)["respondent_token"]
        .as_str()
        .unwrap()
        .to_owned();
    submit(
        &s.app,
        &token,
        "mine",
        json!({"feel_safe": "no", "why_not": "Đường tối, gọi em 0903 123 456"}),
    )
    .await
    .ok(201);
    submit(&s.app, &other, "theirs", json!({"feel_safe": "yes"}))
        .await
        .ok(201);
    let issue = s
        .app
        .request(
            Method::POST,
            "/api/v1/issues",
            Some(&token),
            &[("Content-Type", "application/json"), ("Idempotency-Key", "i1")],
            Some(
                serde_json::to_vec(&json!({"title": "Cần đèn đường", "body": "Đoạn đường gần trường rất tối."}))
                    .unwrap(),
            ),
        )
        .await;
    issue.ok(201);

    // The export holds my answer (redacted as stored) and my issue, nothing of the other child.
    let r = s.app.get("/api/v1/participants/me/export", Some(&token)).await;
    let export = r.ok(200).clone();
    assert_eq!(export["responses"].as_array().unwrap().len(), 1);
    assert_eq!(export["responses"][0]["answers"]["feel_safe"], "no");
    assert!(!r.text.contains("0903"), "stored text is redacted: {}", r.text);
    assert_eq!(export["issues"][0]["title"], "Cần đèn đường");
    assert!(!r.text.contains("\"yes\""));

    // Erasure: my answer (never released) and my issue's words go at once.
    let r = s
        .app
        .request(Method::DELETE, "/api/v1/participants/me", Some(&token), &[], None)
        .await;
    assert_eq!(
        r.ok(200).clone(),
        json!({"responses_deleted": 1, "responses_withdrawn": 0, "issues_erased": 1})
    );
    let db = langnghe_storage::connect(&s.app.db.url, 1).await.unwrap();
    let stored = langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), true)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "only the other child's answer is held");
    // My token opens nothing any more, and the issue left the queue.
    s.app
        .get("/api/v1/participants/me/export", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .request(Method::DELETE, "/api/v1/participants/me", Some(&token), &[], None)
        .await
        .assert_problem(401, "invalid_token");
    let queue = s.app.get("/api/v1/issues", s.app.admin()).await;
    assert!(!queue.ok(200).to_string().contains("Cần đèn đường"));
    // Only a child's own token: no token, or a staff token, is refused.
    s.app
        .get("/api/v1/participants/me/export", None)
        .await
        .assert_problem(401, "unauthenticated");
    s.app
        .get("/api/v1/participants/me/export", s.app.admin())
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .request(Method::DELETE, "/api/v1/participants/me", s.app.admin(), &[], None)
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .request(
            Method::DELETE,
            "/api/v1/participants/me",
            Some("not.a.token"),
            &[],
            None,
        )
        .await
        .assert_problem(401, "invalid_token");
    // The other child's answer is untouched.
    let theirs = s.app.get("/api/v1/participants/me/export", Some(&other)).await;
    assert_eq!(theirs.ok(200)["responses"][0]["withdrawn_at"], Value::Null);
}

/// Group commit settles every response of a batch as a single insert
/// would: new ones stored, a retry in the same batch replayed, a reused key
/// refused, a second response to a one-response survey refused.
#[actix_web::test]
async fn a_batch_settles_each_response_as_a_single_insert_would() {
    use base64::Engine;
    use langnghe_storage::participation::{NewResponse, Submitted, submit_responses};
    let s = setup().await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap();
    let mut children = Vec::new();
    for _ in 0..3 {
        let token = join(&s.app, code, 13, json!({})).await.ok(200)["respondent_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        children.push(claims["sub"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }
    let row = |child: usize, key: &str, hash: &str| {
        let id = uuid::Uuid::now_v7();
        NewResponse {
            id,
            survey_id: s.survey.parse().unwrap(),
            version: 1,
            session_id: session["id"].as_str().unwrap().parse().unwrap(),
            unit_id: langnghe_domain::UnitId(s.school.parse().unwrap()),
            participant_id: children[child],
            age: 13,
            age_band: "12-14".into(),
            grade: None,
            gender: None,
            language: "vi".into(),
            answers: json!({"feel_safe": "yes"}).to_string(),
            receipt_hash: id.simple().to_string(),
            idempotency_key: key.into(),
            request_hash: hash.into(),
            single: true,
            cases: vec![],
            submitted_at: s.app.now(),
            record_key: child as u32,
        }
    };
    let rows = vec![
        row(0, "k1", "h1"),
        row(0, "k1", "h1"),
        row(0, "k1", "h2"),
        row(0, "k2", "h3"),
        row(1, "k1", "h1"),
        row(2, "x", "h9"),
    ];
    let db = langnghe_storage::connect(&s.app.db.url, 2).await.unwrap();
    let got = submit_responses(&db, &rows).await.unwrap();
    assert_eq!(
        got,
        vec![
            Submitted::Created,
            Submitted::Replayed(rows[0].id),
            Submitted::KeyReused,
            Submitted::AlreadyResponded,
            Submitted::Created,
            Submitted::Created,
        ]
    );
    // A later batch: a late retry, and a second response.
    let later = vec![row(0, "k1", "h1"), row(2, "y", "h8")];
    let got = submit_responses(&db, &later).await.unwrap();
    assert_eq!(got, vec![Submitted::Replayed(rows[0].id), Submitted::AlreadyResponded]);
    let stored = langnghe_storage::participation::responses_of(&db, s.survey.parse().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    db.close().await.ok();
}
