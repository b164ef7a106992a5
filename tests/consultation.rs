//! Sessions, joining, responses (validation, retries, duplicates,
//! withdrawal), issues, and screening of every free text.

use actix_web::http::Method;
use chrono::Duration;
use langnghe_domain::moderation::IssueStatus;
use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp, strings};
use crate::surveys::{example_survey, published_survey};

struct Setup {
    app: TestApp,
    survey: String,
    school: String,
    facilitator: String,
}

async fn setup_with(body_of: impl Fn(&str) -> Value) -> Setup {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &body_of(&district)).await;
    let (_, facilitator) = app.user("tpt.binhminh", "facilitator", Some(&school), None).await;
    Setup {
        app,
        survey,
        school,
        facilitator,
    }
}

/// The example survey with `key` set to `value`.
fn example_with(key: &'static str, value: Value) -> impl Fn(&str) -> Value {
    move |owner| {
        let mut b = example_survey(owner);
        b[key] = value.clone();
        b
    }
}

/// A setup with a session open at the school: the session and its code.
async fn opened_with(body_of: impl Fn(&str) -> Value) -> (Setup, Value, String) {
    let s = setup_with(body_of).await;
    let session = open_session(&s).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    (s, session, code)
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

#[actix_web::test]
async fn a_child_joins_answers_and_withdraws() {
    let (s, session, code) = opened_with(example_survey).await;
    let code = code.as_str();
    assert_eq!(code.len(), 12);
    assert_eq!(session["state"], "open");
    assert_eq!(session["version"], 1);

    // The code is forgiving about case, spaces and dashes.
    let typed = format!("{}-{}", code[..4].to_lowercase(), &code[4..]);
    let r = s.app.join(&typed, 7, json!({"gender": "girl", "grade": 2})).await;
    let joined = r.ok(200).clone();
    assert_eq!(joined["survey"]["age_band"], "6-8");
    assert_eq!(
        joined["survey"]["questions"][0]["text"],
        "Em đi học có thấy an toàn không?"
    );
    assert_eq!(joined["expires_in"], 7200);
    let token = joined["respondent_token"].as_str().unwrap();
    let participant = joined["participant_token"].as_str().unwrap();

    let answers = json!({"feel_safe": "no", "why_not": "Đường tối, không có đèn.", "happy_at_school": 4});
    let r = s.app.submit(token, "k-1", answers.clone()).await;
    let receipt = r.ok(201).clone();
    let code_r = receipt["receipt_code"].as_str().unwrap();
    assert_eq!(code_r.len(), 32);
    assert!(receipt.get("support").is_none());
    // A retry with the same key and body returns the same receipt.
    let again = s.app.submit(token, "k-1", answers.clone()).await;
    assert_eq!(again.ok(201), &receipt);
    // The same key with another body is refused.
    s.app
        .submit(token, "k-1", json!({"feel_safe": "yes", "happy_at_school": 4}))
        .await
        .assert_problem(409, "idempotency_key_reused");
    // One response per participant.
    let dup = s
        .app
        .submit(token, "k-2", json!({"feel_safe": "yes", "happy_at_school": 5}))
        .await;
    dup.assert_problem(409, "already_responded");
    assert_eq!(dup.body["detail"], "Em đã trả lời khảo sát này rồi. Cảm ơn em!");
    // The same phone joining again is the same participant.
    let rejoin = s.app.join(code, 7, json!({"participant_token": participant})).await;
    let token2 = rejoin.string(200, "respondent_token");
    assert_eq!(rejoin.body["participant_token"], participant);
    s.app
        .submit(&token2, "k-3", json!({"feel_safe": "yes", "happy_at_school": 5}))
        .await
        .assert_problem(409, "already_responded");

    let stored = s.app.responses(&s.survey, false).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].age_band, "6-8");

    // Withdrawal: the response stops counting, and the child may answer again.
    let r = s.app.delete(&format!("/api/v1/responses/{code_r}"), None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s.app.delete(&format!("/api/v1/responses/{code_r}"), None).await;
    assert_eq!(r.status, 204, "withdrawing twice is harmless");
    assert!(s.app.responses(&s.survey, false).await.is_empty());
    s.app
        .submit(&token2, "k-4", json!({"feel_safe": "yes", "happy_at_school": 5}))
        .await
        .ok(201);
    let receipt_unknown = [
        Call::delete("/api/v1/responses/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        Call::delete("/api/v1/responses/short"),
    ];
    s.app.refuses(&receipt_unknown, &[None], 404, "receipt_unknown").await;
}

#[actix_web::test]
async fn answers_are_validated_against_the_exact_version() {
    let (s, _, code) = opened_with(example_survey).await;
    let code = code.as_str();
    let token = s.app.child(code, 12).await;
    let long = "a".repeat(501);
    let refused: [(&str, Value, Fields); 5] = [
        (
            "a",
            json!({"feel_safe": "maybe", "why_not": "x", "happy_at_school": 9, "colour": "red"}),
            &[
                ("answers.colour", "unknown_question"),
                ("answers.feel_safe", "unknown_option"),
                ("answers.happy_at_school", "out_of_range"),
            ],
        ),
        (
            "b",
            json!({"feel_safe": "yes", "why_not": "answered though hidden"}),
            &[("answers.why_not", "hidden_question")],
        ),
        ("c", json!({"happy_at_school": 3}), &[("answers.feel_safe", "required")]),
        (
            "d",
            json!({"feel_safe": ["yes"]}),
            &[("answers.feel_safe", "invalid_type")],
        ),
        (
            "e",
            json!({"feel_safe": "no", "why_not": long}),
            &[("answers.why_not", "too_long")],
        ),
    ];
    for (key, answers, fields) in refused {
        s.app.submit(&token, key, answers).await.assert_fields(fields);
    }
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
    assert!(s.app.responses(&s.survey, true).await.is_empty());
    s.app.submit(&token, "f", json!({"feel_safe": "yes"})).await.ok(201);
    // Staff tokens are not respondent tokens, and vice versa.
    s.app
        .submit(&s.app.admin, "g", json!({"feel_safe": "yes"}))
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
    s.app
        .post_keyed("/api/v1/responses", None, "z", &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn concurrent_duplicates_cannot_slip_through() {
    let (s, _, code) = opened_with(example_survey).await;
    let code = code.as_str();
    let token = s.app.child(code, 14).await;
    // Ten different submissions at once from one participant: one counts.
    let attempts = (0..10).map(|i| {
        let (app, token) = (&s.app, token.clone());
        async move {
            app.submit(
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
    let token2 = s.app.child(code, 14).await;
    let retries = (0..5).map(|_| {
        let (app, token) = (&s.app, token2.clone());
        async move {
            app.submit(&token, "same-key", json!({"feel_safe": "no", "happy_at_school": 2}))
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
    assert_eq!(s.app.responses(&s.survey, false).await.len(), 2);
}

#[actix_web::test]
async fn joining_is_refused_in_the_childs_words() {
    let (s, session, code) = opened_with(example_with("min_age", json!(11))).await;
    let code = code.as_str();
    let r = s.app.join(code, 12, json!({"assent": false})).await;
    r.assert_problem(422, "assent_required");
    assert!(r.body["detail"].as_str().unwrap().contains("Em đồng ý"));
    let r = s.app.join(code, 12, json!({"assent": false, "language": "en"})).await;
    assert!(r.body["detail"].as_str().unwrap().contains("I agree"));
    let r = s.app.join(code, 8, json!({})).await;
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
    let refused: [(u8, Value, Fields); 4] = [
        (19, json!({}), &[("age", "out_of_range")]),
        (
            12,
            json!({"gender": "unknown", "grade": 13}),
            &[("grade", "out_of_range"), ("gender", "unknown_value")],
        ),
        (
            12,
            json!({"participant_token": "not a token"}),
            &[("participant_token", "invalid")],
        ),
        (12, json!({"language": "fr"}), &[("language", "unknown_value")]),
    ];
    for (age, extra, fields) in refused {
        s.app.join(code, age, extra).await.assert_fields(fields);
    }
    let r = s.app.join("ACEF-HJKM", 12, json!({})).await;
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
    s.app
        .join(code, 12, json!({}))
        .await
        .assert_problem(409, "session_closed");
    // One not yet open says so too.
    let later = s.app.open_session(&s.survey, &s.school, 60, 120).await;
    let later_code = later["join_code"].as_str().unwrap();
    s.app
        .join(later_code, 12, json!({}))
        .await
        .assert_problem(409, "session_not_open");
}

#[actix_web::test]
async fn guessing_join_codes_is_rate_limited_but_a_class_joins() {
    let (s, _, code) = opened_with(example_survey).await;
    let code = code.as_str();
    // A class of 45 behind one address joins at once.
    let joins = (0..45).map(|_| s.app.join(code, 12, json!({})));
    let results = futures_util::future::join_all(joins).await;
    assert!(results.iter().all(|r| r.status == 200));
    // Wrong codes are counted; after 20 the address must wait.
    for _ in 0..21 {
        s.app
            .join("XXXXXXXX", 12, json!({}))
            .await
            .assert_problem(404, "join_code_unknown");
    }
    let r = s.app.join(code, 12, json!({})).await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
}

#[actix_web::test]
async fn sessions_belong_to_units_and_need_a_published_survey() {
    let s = setup_with(example_with("requires_guardian_consent", json!(true))).await;
    let other_school = s.app.unit_id("PN-S01", "2026-01-01").await;
    let (opens, closes) = window(-5, 60);
    let url = format!("/api/v1/surveys/{}/sessions", s.survey);
    let consent = json!({"method": "paper_form", "reference": "HS-2026/7A"});
    // A session at `unit` from `from` to `to`, with the guardians' consent or not.
    let at = |unit: &str, from: &str, to: &str, consented: bool| {
        let mut body = json!({"unit_id": unit, "opens_at": from, "closes_at": to});
        if consented {
            body["guardian_consent"] = consent.clone();
        }
        body
    };
    let open = async |token: Option<&str>, body: Value| s.app.post(&url, token, &body).await;
    let facilitator = Some(s.facilitator.as_str());
    open(facilitator, at(&s.school, &opens, &closes, false))
        .await
        .assert_fields(&[("guardian_consent", "required")]);
    let r = open(facilitator, at(&s.school, &opens, &closes, true)).await;
    assert_eq!(r.ok(201)["guardian_consent"], consent);
    let mine = r.body["id"].as_str().unwrap().to_owned();
    open(facilitator, at(&other_school, &opens, &closes, true))
        .await
        .assert_fields(&[("unit_id", "outside_scope")]);
    open(facilitator, at(&s.school, &closes, &opens, true))
        .await
        .assert_fields(&[("closes_at", "min_greater_than_max"), ("closes_at", "in_the_past")]);
    // Admins open sessions anywhere; the facilitator lists and closes only theirs.
    let theirs = open(s.app.admin(), at(&other_school, &opens, &closes, true))
        .await
        .created();
    let listed = s.app.get(&url, facilitator).await;
    assert_eq!(strings(listed.ok(200), "items", "id"), [mine.as_str()]);
    assert_eq!(s.app.get(&url, s.app.admin()).await.items().len(), 2);
    let close = |id: &str| Call::post(format!("/api/v1/sessions/{id}/close"), json!({}));
    s.app.refuses(&[close(&theirs)], &[facilitator], 404, "not_found").await;
    // Roles that do not run sessions are refused.
    let (_, moderator) = s.app.user("mod.x", "moderator", None, None).await;
    let opening = Call::post(&url, at(&s.school, &opens, &closes, false));
    s.app
        .refuses(&[opening, close(&mine)], &[Some(&moderator)], 403, "forbidden")
        .await;
    let calls = [Call::post(&url, json!({})), Call::get(&url)];
    s.app.refuses(&calls, &[None], 401, "unauthenticated").await;
    let unknown = close(&uuid::Uuid::now_v7().to_string());
    s.app.refuses(&[unknown], &[s.app.admin()], 404, "not_found").await;
    // A draft or closed survey takes no sessions.
    let district = s.app.unit_id("PN", "2026-01-01").await;
    let draft = s
        .app
        .post("/api/v1/surveys", s.app.admin(), &example_survey(&district))
        .await
        .created();
    let of_draft = Call::post(
        format!("/api/v1/surveys/{draft}/sessions"),
        at(&s.school, &opens, &closes, false),
    );
    s.app
        .refuses(&[of_draft], &[s.app.admin()], 409, "survey_not_published")
        .await;
    let closing = format!("/api/v1/surveys/{}/close", s.survey);
    s.app.post(&closing, s.app.admin(), &json!({})).await.ok(200);
    open(s.app.admin(), at(&s.school, &opens, &closes, true))
        .await
        .assert_problem(409, "survey_closed");
}

#[actix_web::test]
async fn free_text_is_screened_before_it_is_stored() {
    let (s, _, code) = opened_with(example_with("allow_issues", json!(true))).await;
    let code = code.as_str();
    let token = s.app.child(code, 13).await;
    // Personal data is redacted from the stored copy.
    let r = s.app.submit(&token,
        "pii",
        json!({"feel_safe": "no", "why_not": "Gọi cho em số 0912 345 678 hoặc email lan.nguyen@gmail.com nhé", "happy_at_school": 3}),
    )
    .await;
    assert!(r.ok(201).get("support").is_none());
    let db = s.app.storage().await;
    let stored = s.app.responses(&s.survey, false).await;
    let answers: Value = serde_json::from_str(&stored[0].answers).unwrap();
    let why = answers["why_not"].as_str().unwrap();
    assert!(!why.contains("0912") && !why.contains("gmail"), "{why}");
    assert!(
        why.contains("[số điện thoại đã ẩn]") && why.contains("[email đã ẩn]"),
        "{why}"
    );

    // A disclosure goes to a safeguarding case only, and the child is shown the hotline.
    let token2 = s.app.child(code, 13).await;
    let disclosure = "Bố em say rượu về đánh em và mẹ";
    let r = s
        .app
        .submit(
            &token2,
            "harm",
            json!({"feel_safe": "not_sure", "why_not": disclosure, "happy_at_school": 1}),
        )
        .await;
    let support = r.ok(201)["support"].clone();
    assert!(support["message"].as_str().unwrap().contains("111"));
    assert_eq!(support["hotline"], "111");
    let stored = s.app.responses(&s.survey, false).await;
    assert!(!stored[1].answers.contains("đánh"), "{}", stored[1].answers);
    let cases = langnghe_storage::participation::cases(&db).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].original_text, disclosure);
    assert_eq!(cases[0].question_key.as_deref(), Some("why_not"));
    assert_eq!(cases[0].response_id, Some(stored[1].id));

    // Issues too: a plain one enters the queue as new, redacted.
    let raise = |token: String, key: &'static str, body: Value| {
        let app = &s.app;
        async move { app.post_keyed("/api/v1/issues", Some(&token), key, &body).await }
    };
    let r = raise(token.clone(), "i1", json!({"title": "Cần đèn đường trước cổng trường", "body": "Chiều tối rất tối. Nhà em ở số 12 đường Lê Văn Sỹ."})).await;
    let issue_id = r.created();
    assert!(r.body.get("support").is_none());
    let again = raise(token.clone(), "i1", json!({"title": "Cần đèn đường trước cổng trường", "body": "Chiều tối rất tối. Nhà em ở số 12 đường Lê Văn Sỹ."})).await;
    assert_eq!(again.ok(201)["id"], issue_id.as_str());
    let issue = langnghe_storage::participation::get_issue(&db, issue_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(issue.status, IssueStatus::New);
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
    assert_eq!(withheld.status, IssueStatus::Withheld);
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
    let (s, _, code) = opened_with(example_survey).await;
    let token = s.app.child(&code, 10).await;
    let raise = Call::post("/api/v1/issues", json!({"title": "A", "body": "B"}));
    let raise = std::slice::from_ref(&raise);
    s.app.refuses(raise, &[Some(&token)], 403, "issues_not_allowed").await;
    s.app.refuses(raise, &[None], 401, "unauthenticated").await;
    s.app.refuses(raise, &[s.app.admin()], 401, "invalid_token").await;
}

#[actix_web::test]
async fn closing_a_session_or_survey_stops_answers_at_once() {
    let (s, session, code) = opened_with(example_survey).await;
    let code = code.as_str();
    let a = s.app.child(code, 12).await;
    let b = s.app.child(code, 12).await;
    s.app.submit(&a, "first", json!({"feel_safe": "yes"})).await.ok(201);
    let id = session["id"].as_str().unwrap();
    s.app
        .post(
            &format!("/api/v1/sessions/{id}/close"),
            Some(&s.facilitator),
            &json!({}),
        )
        .await
        .ok(200);
    let r = s.app.submit(&b, "late", json!({"feel_safe": "yes"})).await;
    r.assert_problem(409, "session_closed");
    assert_eq!(
        r.body["detail"],
        "Buổi lấy ý kiến này đã kết thúc. Cảm ơn em đã quan tâm!"
    );

    let other = open_session(&s).await;
    let c = s.app.child(other["join_code"].as_str().unwrap(), 12).await;
    s.app.submit(&c, "warm", json!({"feel_safe": "no"})).await.ok(201);
    s.app
        .post(
            &format!("/api/v1/surveys/{}/close", s.survey),
            s.app.admin(),
            &json!({}),
        )
        .await
        .ok(200);
    let d = s.app.join(other["join_code"].as_str().unwrap(), 12, json!({})).await;
    d.assert_problem(409, "session_closed");
    let c2 = s.app.submit(&c, "after-close", json!({"feel_safe": "no"})).await;
    c2.assert_problem(409, "session_closed");
}

#[actix_web::test]
async fn a_child_exports_and_erases_what_is_held_under_their_pseudonym() {
    let (s, _, code) = opened_with(example_with("allow_issues", json!(true))).await;
    let code = code.as_str();
    let token = s.app.child(code, 12).await;
    let other = s.app.child(code, 13).await;
    s.app
        .submit(
            &token,
            "mine",
            json!({"feel_safe": "no", "why_not": "Đường tối, gọi em 0903 123 456"}),
        )
        .await
        .ok(201);
    s.app
        .submit(&other, "theirs", json!({"feel_safe": "yes"}))
        .await
        .ok(201);
    let issue = json!({"title": "Cần đèn đường", "body": "Đoạn đường gần trường rất tối."});
    let issue = s.app.post_keyed("/api/v1/issues", Some(&token), "i1", &issue).await;
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
    let r = s.app.delete("/api/v1/participants/me", Some(&token)).await;
    assert_eq!(
        r.ok(200).clone(),
        json!({"responses_deleted": 1, "responses_withdrawn": 0, "issues_erased": 1})
    );
    let stored = s.app.responses(&s.survey, true).await;
    assert_eq!(stored.len(), 1, "only the other child's answer is held");
    // My token opens nothing any more, and the issue left the queue.
    let export = Call::get("/api/v1/participants/me/export");
    let erase = Call::delete("/api/v1/participants/me");
    let both = [export.clone(), erase];
    s.app.refuses(&both, &[Some(&token)], 401, "invalid_token").await;
    let queue = s.app.get("/api/v1/issues", s.app.admin()).await;
    assert!(!queue.ok(200).to_string().contains("Cần đèn đường"));
    // Only a child's own token: no token, or a staff token, is refused.
    s.app.refuses(&[export], &[None], 401, "unauthenticated").await;
    let staff = [s.app.admin(), Some("not.a.token")];
    s.app.refuses(&both[..1], &staff[..1], 401, "invalid_token").await;
    s.app.refuses(&both[1..], &staff, 401, "invalid_token").await;
    // The other child's answer is untouched.
    let theirs = s.app.get("/api/v1/participants/me/export", Some(&other)).await;
    assert_eq!(theirs.ok(200)["responses"][0]["withdrawn_at"], Value::Null);
}

/// Group commit settles every response of a batch as a single insert
/// would: new ones stored, a retry in the same batch replayed, a reused key
/// refused, a second response to a one-response survey refused.
#[actix_web::test]
async fn a_batch_settles_each_response_as_a_single_insert_would() {
    use langnghe_storage::participation::{NewResponse, Submitted, submit_responses};
    let (s, session, code) = opened_with(example_survey).await;
    let code = code.as_str();
    let mut children = Vec::new();
    for _ in 0..3 {
        let token = s.app.child(code, 13).await;
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&data_encoding::BASE64URL_NOPAD.decode(claims.as_bytes()).unwrap()).unwrap();
        children.push(claims["sub"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }
    let survey_id: uuid::Uuid = s.survey.parse().unwrap();
    let row = |child: usize, key: &str, hash: &str| NewResponse {
        session_id: session["id"].as_str().unwrap().parse().unwrap(),
        participant_id: children[child],
        age: 13,
        idempotency_key: key.into(),
        request_hash: hash.into(),
        single: true,
        ..crate::support::response_row(
            survey_id,
            &s.school,
            json!({"feel_safe": "yes"}),
            s.app.now(),
            child as u32,
        )
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
    let stored = s.app.responses(&s.survey, false).await;
    assert_eq!(stored.len(), 3);
    db.close().await.ok();
}

/// The QR code a facilitator puts on the board: SVG encoding the absolute
/// `/j/{code}` address, exactly as the `qrcode` crate draws it; for the
/// facilitator of the unit and admins only.
#[actix_web::test]
async fn a_facilitator_gets_the_sessions_qr_code_as_svg() {
    let app = TestApp::spawn_demo().await;
    let [district, school, other] = app.units(["PN", "PN-S06", "PN-S01"]).await;
    let survey = crate::surveys::published_survey(&app, &crate::surveys::example_survey(&district)).await;
    let session = app.open_session(&survey, &school, -5, 60).await;
    let (id, code) = (session["id"].as_str().unwrap(), session["join_code"].as_str().unwrap());
    let (_, facilitator) = app.user("tpt.qr", "facilitator", Some(&school), None).await;
    let path = format!("/api/v1/sessions/{id}/qr.svg");
    let r = app.get(&path, Some(&facilitator)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    let address = format!("{}/j/{code}", app.base);
    let expected = qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M)
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    assert_eq!(r.text, expected, "the code of {address}");
    assert!(r.text.contains("<svg") && r.text.contains("<path"), "{}", r.text);
    assert_eq!(app.get(&path, app.admin()).await.status, 200);
    // The address opens the app.
    assert_eq!(app.get(&format!("/j/{code}"), None).await.status, 200);

    // Refused: no token, a moderator, another school's facilitator.
    app.get(&path, None).await.assert_problem(401, "unauthenticated");
    let (_, moderator) = app.user("hoidong.qr", "moderator", None, None).await;
    app.get(&path, Some(&moderator)).await.assert_problem(403, "forbidden");
    let (_, stranger) = app.user("tpt.other", "facilitator", Some(&other), None).await;
    app.get(&path, Some(&stranger)).await.assert_problem(404, "not_found");
}
