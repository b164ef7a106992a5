//! Work done on paper and in rooms: paper sessions and the forms a
//! facilitator enters after them; a school's children at an event held
//! above it; events and the issues raised there dated the day they were
//! held; the Council's meetings recorded by its moderators.

use actix_web::http::Method;
use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, Call, Fields, Resp, TestApp};
use crate::surveys::{example_survey, published_survey};

/// The demo, a survey published today (25 November 2026), and a
/// facilitator of PN-S06; then the clock moves to 28 November, signed in
/// again.
struct Paper {
    app: TestApp,
    survey: String,
    school: String,
    tpt: String,
}

async fn setup() -> Paper {
    let mut app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &example_survey(&district)).await;
    app.user("tpt.giay", "facilitator", Some(&school), None).await;
    app.clock.advance(Duration::days(3));
    app.admin = app.login("admin", ADMIN_PASSWORD).await;
    let tpt = app.login("tpt.giay", "tpt.giay-mật-khẩu-dài").await;
    Paper {
        app,
        survey,
        school,
        tpt,
    }
}

/// 08:00–09:00 in Hà Nội on 26 November 2026, the day the forms were filled.
fn held() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let opens = langnghe_api::local_day_start(day) + Duration::hours(8);
    (opens, opens + Duration::hours(1))
}

async fn paper_session(p: &Paper, token: &str) -> Resp {
    let (opens, closes) = held();
    p.app
        .post(
            &format!("/api/v1/surveys/{}/sessions", p.survey),
            Some(token),
            &json!({"unit_id": p.school, "mode": "paper", "opens_at": opens, "closes_at": closes,
                    "guardian_consent": {"method": "paper_form", "reference": "HS-2026-11/7A"}}),
        )
        .await
}

async fn enter(app: &TestApp, session: &str, token: Option<&str>, key: Option<&str>, body: &Value) -> Resp {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(k) = key {
        headers.push(("Idempotency-Key", k));
    }
    app.request(
        Method::POST,
        &format!("/api/v1/sessions/{session}/paper-responses"),
        token,
        &headers,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

/// Rows in `table`, read straight from the database.
pub(crate) async fn count(app: &TestApp, table: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = app.storage().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    db.close().await.ok();
    row.try_get("", "n").unwrap()
}

#[actix_web::test]
async fn a_facilitator_enters_paper_forms_counted_on_the_day_of_the_session() {
    let p = setup().await;
    let app = &p.app;
    let session = paper_session(&p, &p.tpt).await.ok(201).clone();
    assert_eq!(session["mode"], "paper");
    assert_eq!(session["state"], "closed", "children cannot join a paper session");
    let sid = session["id"].as_str().unwrap();
    let form = json!({"age": 12, "grade": 7, "gender": "girl", "assent": true,
        "answers": {"feel_safe": "no", "why_not": "Đoạn đường tối, gọi em 0903 123 456.", "happy_at_school": 4}});
    let r = enter(app, sid, Some(&p.tpt), Some("form-1"), &form).await;
    let first = r.ok(201).clone();
    assert_eq!(
        first["answered_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        held().0
    );
    assert!(first.get("support").is_none());
    // A retry of the same form stores nothing new; the key with another
    // form is refused.
    let again = enter(app, sid, Some(&p.tpt), Some("form-1"), &form).await;
    assert_eq!(again.ok(201)["id"], first["id"]);
    let mut other = form.clone();
    other["age"] = json!(13);
    enter(app, sid, Some(&p.tpt), Some("form-1"), &other)
        .await
        .assert_problem(409, "idempotency_key_reused");
    // A band instead of an age; words that suggest harm go to safeguarding
    // and the facilitator is shown the hotline to pass on.
    let worried = json!({"age_band": "9-11", "assent": true, "language": "vi",
        "answers": {"feel_safe": "no", "why_not": "Bố em say rượu về đánh em"}});
    let r = enter(app, sid, Some(&p.tpt), Some("form-2"), &worried).await;
    assert_eq!(r.ok(201)["support"]["hotline"], "111");
    // An admin enters too.
    let r = enter(
        app,
        sid,
        app.admin(),
        Some("form-3"),
        &json!({"age": 15, "assent": true, "answers": {"feel_safe": "yes"}}),
    )
    .await;
    let third = r.ok(201).clone();
    assert_eq!(count(app, "responses").await, 3);
    assert_eq!(count(app, "participants").await, 3, "each form is a child of its own");
    let db = app.storage().await;
    let cases = langnghe_storage::participation::cases(&db).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].original_text, "Bố em say rượu về đánh em");
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT answers, age, age_band, grade, submitted_at FROM responses ORDER BY id",
        ))
        .await
        .unwrap();
    let answers: String = rows[0].try_get("", "answers").unwrap();
    assert!(!answers.contains("0903"), "{answers}");
    let band: String = rows[1].try_get("", "age_band").unwrap();
    let age: i16 = rows[1].try_get("", "age").unwrap();
    assert_eq!((band.as_str(), age), ("9-11", 9));
    for r in &rows {
        let at: chrono::DateTime<chrono::Utc> = r.try_get("", "submitted_at").unwrap();
        assert_eq!(at, held().0, "dated the day the children answered");
    }
    db.close().await.ok();
    // Each entry is audited with how consent was given, never the words.
    let audit = app.audit("session", sid).await;
    let entries: Vec<_> = audit.iter().filter(|e| e.action == "response.enter_paper").collect();
    assert_eq!(entries.len(), 3);
    let after = entries[0].after.as_ref().unwrap();
    assert_eq!(after["assent"], "paper_form");
    assert!(!after.to_string().contains("đánh"));
    // A form entered wrong is withdrawn with its receipt.
    app.delete(
        &format!("/api/v1/responses/{}", third["receipt_code"].as_str().unwrap()),
        None,
    )
    .await
    .ok(204);
    // Counted like any other response, on the day of the session: five
    // forms more (seven children in all, the withdrawn one not counted) in
    // a progress target on unique participants for that day, nothing on
    // the day the forms were entered.
    for n in 4..9 {
        let r = enter(
            app,
            sid,
            Some(&p.tpt),
            Some(&format!("form-{n}")),
            &json!({"age": 11, "assent": true, "answers": {"feel_safe": "yes"}}),
        )
        .await;
        r.ok(201);
    }
    for (period, want) in [("2026-11-26..2026-11-26", 7.0), ("2026-11-28..2026-11-28", 0.0)] {
        let r = app
            .set_target(
                json!({"metric": "unique_participants", "scope_unit_id": p.school, "period": period, "value": 10}),
            )
            .await;
        let target = r.created();
        let progress = app
            .get(
                &format!("/api/v1/progress?period={period}&unit_id={}", p.school),
                app.admin(),
            )
            .await;
        let t = progress.ok(200)["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == target.as_str())
            .unwrap()
            .clone();
        // Published through the cell key method: within D = 3.
        let actual = t["actual"].as_f64().unwrap();
        assert!((actual - want).abs() <= 3.0, "{period}: {t}");
        if want == 0.0 {
            assert_eq!(actual, 0.0);
        }
    }
    // Closing the session ends its entries.
    app.post(&format!("/api/v1/sessions/{sid}/close"), Some(&p.tpt), &json!({}))
        .await
        .ok(200);
    enter(app, sid, Some(&p.tpt), Some("form-9"), &form)
        .await
        .assert_problem(409, "session_closed");
}

#[actix_web::test]
async fn paper_sessions_were_held_recently_since_the_survey_was_published() {
    let p = setup().await;
    let app = &p.app;
    let path = format!("/api/v1/surveys/{}/sessions", p.survey);
    let now = app.now();
    let at = |d: Duration| (now + d).to_rfc3339();
    for (opens, closes, field, code) in [
        (
            at(Duration::hours(1)),
            at(Duration::hours(2)),
            "opens_at",
            "in_the_future",
        ),
        (
            at(Duration::hours(-1)),
            at(Duration::hours(1)),
            "closes_at",
            "in_the_future",
        ),
        (
            at(Duration::days(-4)),
            at(Duration::days(-4) + Duration::hours(1)),
            "opens_at",
            "before_published",
        ),
        (
            at(Duration::days(-61)),
            at(Duration::days(-61) + Duration::hours(1)),
            "opens_at",
            "too_long_ago",
        ),
    ] {
        app.post(
            &path,
            Some(&p.tpt),
            &json!({"unit_id": p.school, "mode": "paper", "opens_at": opens, "closes_at": closes}),
        )
        .await
        .assert_fields(&[(field, code)]);
    }
    let (opens, closes) = held();
    app.post(
        &path,
        Some(&p.tpt),
        &json!({"unit_id": p.school, "mode": "post", "opens_at": opens, "closes_at": closes}),
    )
    .await
    .assert_fields(&[("mode", "unknown_value")]);
    // An app session still ends in the future.
    app.post(
        &path,
        Some(&p.tpt),
        &json!({"unit_id": p.school, "opens_at": opens, "closes_at": closes}),
    )
    .await
    .assert_fields(&[("closes_at", "in_the_past")]);
    assert_eq!(
        app.get(&path, app.admin()).await.ok(200)["items"],
        json!([]),
        "nothing stored"
    );
}

#[actix_web::test]
async fn only_the_sessions_facilitator_or_an_admin_enters_forms_and_bad_forms_store_nothing() {
    let p = setup().await;
    let app = &p.app;
    let sid = paper_session(&p, &p.tpt).await.created();
    let form = json!({"age": 12, "assent": true, "answers": {"feel_safe": "yes"}});
    let district = app.unit_id("PN", "2026-01-01").await;
    let agency = crate::recommendations::agency(app, &district, "education_office").await;
    for (role, token) in app.non_admin_tokens(None, Some(&agency)).await {
        enter(app, &sid, Some(&token), Some("k"), &form)
            .await
            .assert_problem(403, "forbidden");
        let _ = role;
    }
    let other = app.unit_id("PN-S01", "2026-01-01").await;
    let (_, elsewhere) = app.user("tpt.khac", "facilitator", Some(&other), None).await;
    enter(app, &sid, Some(&elsewhere), Some("k"), &form)
        .await
        .assert_problem(404, "not_found");
    enter(app, &sid, None, Some("k"), &form)
        .await
        .assert_problem(401, "unauthenticated");
    enter(app, &sid, Some(&p.tpt), None, &form)
        .await
        .assert_problem(400, "idempotency_key_required");
    let mut no_assent = form.clone();
    no_assent["assent"] = json!(false);
    enter(app, &sid, Some(&p.tpt), Some("k"), &no_assent)
        .await
        .assert_problem(422, "assent_required");
    enter(
        app,
        &sid,
        Some(&p.tpt),
        Some("k"),
        &json!({"assent": true, "answers": {"feel_safe": "yes"}}),
    )
    .await
    .assert_fields(&[("age", "required")]);
    enter(
        app,
        &sid,
        Some(&p.tpt),
        Some("k"),
        &json!({"age": 13, "age_band": "6-8", "grade": 14, "gender": "x", "assent": true, "answers": {}}),
    )
    .await
    .assert_fields(&[
        ("grade", "out_of_range"),
        ("gender", "unknown_value"),
        ("age_band", "does_not_match"),
    ]);
    enter(
        app,
        &sid,
        Some(&p.tpt),
        Some("k"),
        &json!({"age": 12, "assent": true, "answers": {"feel_safe": "maybe"}}),
    )
    .await
    .assert_problem(422, "validation_failed");
    enter(
        app,
        &sid,
        Some(&p.tpt),
        Some("k"),
        &json!({"age": 12, "assent": true, "answers": {}, "name": "An"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let missing = uuid::Uuid::now_v7();
    enter(app, &missing.to_string(), Some(&p.tpt), Some("k"), &form)
        .await
        .assert_problem(404, "not_found");
    // An app session takes no paper forms.
    let now = app.now();
    let live = app
        .post(
            &format!("/api/v1/surveys/{}/sessions", p.survey),
            Some(&p.tpt),
            &json!({"unit_id": p.school, "opens_at": now - Duration::minutes(1), "closes_at": now + Duration::hours(1)}),
        )
        .await;
    let live = live.created();
    enter(app, &live, Some(&p.tpt), Some("k"), &form)
        .await
        .assert_problem(409, "not_a_paper_session");
    // Entries end 60 days after the session.
    app.clock.advance(Duration::days(61));
    app.clock.advance(Duration::seconds(1));
    let tpt = app.login("tpt.giay", "tpt.giay-mật-khẩu-dài").await;
    enter(app, &sid, Some(&tpt), Some("k"), &form)
        .await
        .assert_problem(409, "session_closed");
    assert_eq!(count(app, "responses").await, 0, "nothing stored");
    assert_eq!(count(app, "participants").await, 0);
}

fn forum(district: &str) -> Value {
    json!({"kind": "forum", "unit_id": district, "held_on": "2026-11-10",
        "title": "Diễn đàn trẻ em quận", "children_attending": 100, "adults_attending": 12,
        "issues": [{"title": "Sân chơi cho trẻ em", "body": "Phường em thiếu sân chơi.", "topic": "play_spaces"}]})
}

#[actix_web::test]
async fn a_school_enters_its_children_at_a_district_forum() {
    let app = TestApp::spawn_demo().await;
    let [district, school, other] = app.units(["PN", "PN-S06", "PN-S01"]).await;
    let (_, tpt) = app.user("tpt.s06", "facilitator", Some(&school), None).await;
    let (_, tpt1) = app.user("tpt.s01", "facilitator", Some(&other), None).await;
    let event = app
        .post("/api/v1/events", app.admin(), &forum(&district))
        .await
        .ok(201)
        .clone();
    let id = event["id"].as_str().unwrap();
    // The school's leader finds the district's forum, without the issues
    // raised there.
    let list = app.get("/api/v1/events", Some(&tpt)).await;
    let seen = list.items()[0].clone();
    assert_eq!(seen["id"], id);
    assert_eq!(seen["issues"], json!([]));
    let path = format!("/api/v1/events/{id}/children/{school}");
    let body = json!({"children_attending": 30, "children_by_school_level": {"lower_secondary": 25, "primary": 5}});
    let r = app.put(&path, Some(&tpt), &body).await;
    let lines = r.ok(200)["children_by_unit"].clone();
    assert_eq!(lines.as_array().unwrap().len(), 1);
    assert_eq!(lines[0]["unit_id"], school.as_str());
    assert_eq!(lines[0]["children_attending"], 30);
    // Again: the same line, replaced, not added.
    let again = app.put(&path, Some(&tpt), &body).await;
    assert_eq!(again.ok(200)["children_by_unit"].as_array().unwrap().len(), 1);
    app.put(
        &format!("/api/v1/events/{id}/children/{other}"),
        Some(&tpt1),
        &json!({"children_attending": 20}),
    )
    .await
    .ok(200);
    // Each school sees its own line; an admin sees both.
    let mine = app.get(&format!("/api/v1/events/{id}"), Some(&tpt)).await;
    assert_eq!(mine.ok(200)["children_by_unit"].as_array().unwrap().len(), 1);
    let all = app.get(&format!("/api/v1/events/{id}"), app.admin()).await;
    assert_eq!(all.ok(200)["children_by_unit"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["issues"].as_array().unwrap().len(), 1);
    let audit = app.audit("event", id).await;
    assert_eq!(
        audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["event.create", "event.children", "event.children", "event.children"]
    );
    // Counted for the school: its report's consultations for November.
    let r = app.get("/api/v1/reports?period=2026-11", Some(&tpt)).await;
    let rows = r.ok(200)["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "consultations")
        .unwrap()["rows"]
        .clone();
    let at = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "all" && r["breakdown"] == "event_attendance")
        .unwrap()["value"]
        .as_u64()
        .unwrap();
    assert!(at.abs_diff(30) <= 3, "the school's 30 children, published: {at}");

    // Refused, and nothing stored.
    let before = count(&app, "event_children").await;
    app.put(
        &format!("/api/v1/events/{id}/children/{other}"),
        Some(&tpt),
        &json!({"children_attending": 5}),
    )
    .await
    .assert_fields(&[("unit_id", "outside_scope")]);
    app.put(
        &format!("/api/v1/events/{id}/children/{district}"),
        app.admin(),
        &json!({"children_attending": 5}),
    )
    .await
    .assert_fields(&[("unit_id", "not_below_event")]);
    let invalid: &[(Call, Fields)] = &[
        (
            Call::put(&path, json!({"children_attending": 81})),
            &[("children_attending", "more_than_attended")],
        ),
        (
            Call::put(
                &path,
                json!({"children_attending": 30, "children_by_school_level": {"lower_secondary": 20, "nursery": 1}}),
            ),
            &[
                ("children_by_school_level.nursery", "unknown_value"),
                ("children_by_school_level", "does_not_add_up"),
            ],
        ),
        (
            Call::put(&path, json!({"children_attending": -1})),
            &[("children_attending", "out_of_range")],
        ),
    ];
    app.refuses_fields(invalid, Some(&tpt)).await;
    app.put(&path, Some(&tpt), &json!({"children_attending": 3, "school": "x"}))
        .await
        .assert_problem(422, "validation_failed");
    let missing = uuid::Uuid::now_v7();
    app.put(
        &format!("/api/v1/events/{missing}/children/{school}"),
        Some(&tpt),
        &body,
    )
    .await
    .assert_problem(404, "not_found");
    let training = json!({"kind": "training", "audience": "pioneer_leaders", "unit_id": district, "held_on": "2026-11-12",
        "title": "Tập huấn", "children_attending": 0, "adults_attending": 18});
    let t = app.post("/api/v1/events", app.admin(), &training).await.created();
    app.put(
        &format!("/api/v1/events/{t}/children/{school}"),
        Some(&tpt),
        &json!({"children_attending": 0}),
    )
    .await
    .assert_problem(409, "not_a_consultation");
    let agency = crate::recommendations::agency(&app, &district, "education_office").await;
    for (_, token) in app.non_admin_tokens(None, Some(&agency)).await {
        app.put(&path, Some(&token), &body)
            .await
            .assert_problem(403, "forbidden");
    }
    app.put(&path, None, &body).await.assert_problem(401, "unauthenticated");
    assert_eq!(count(&app, "event_children").await, before);
    // The forum keeps at least the children its schools entered.
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(format!("/api/v1/events/{id}"), json!({"children_attending": 40})),
            &[("children_attending", "less_than_entered")],
        ),
        (
            Call::patch(
                format!("/api/v1/events/{id}"),
                json!({"kind": "training", "audience": "commanders"}),
            ),
            &[("kind", "has_children_by_unit")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    // A school's leader cannot change the district's forum itself.
    app.patch(&format!("/api/v1/events/{id}"), Some(&tpt), &json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_moderator_records_council_meetings_dated_the_day_they_were_held() {
    let app = TestApp::spawn_demo().await;
    let council = app.unit_id("PN-HDTE", "2026-01-01").await;
    let (_, moderator) = app.user("hdte.thuky", "moderator", None, None).await;
    let meeting = json!({"kind": "council_meeting", "unit_id": council, "held_on": "2026-10-31",
        "title": "Họp Hội đồng trẻ em quý IV", "children_attending": 15, "adults_attending": 3,
        "issues": [{"title": "Cần thêm cây xanh", "body": "Sân trường nóng quá, cần thêm cây xanh.", "topic": "play_spaces"}]});
    let r = app.post("/api/v1/events", Some(&moderator), &meeting).await;
    let e = r.ok(201).clone();
    let issue = e["issues"][0]["id"].as_str().unwrap().to_owned();
    let day = |d: u32, m: u32| langnghe_api::local_day_start(chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap());
    assert_eq!(
        created(&app, &issue).await,
        day(31, 10),
        "raised the day it was held, not entered"
    );
    // Counted in October, not in November when it was entered.
    let summary = |from: &'static str, to: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/topics/summary?from={from}&to={to}"), app.admin())
                .await;
            r.ok(200).clone()
        }
    };
    let oct = summary("2026-10-01", "2026-10-31").await.to_string();
    let nov = summary("2026-11-01", "2026-11-30").await.to_string();
    assert_ne!(oct, nov);
    // Moving the meeting's day moves its issues.
    let id = e["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/events/{id}"),
        Some(&moderator),
        &json!({"held_on": "2026-10-20"}),
    )
    .await
    .ok(200);
    assert_eq!(created(&app, &issue).await, day(20, 10));
    // Another kind is not a moderator's to record or correct.
    let mut dialogue = meeting.clone();
    dialogue["kind"] = json!("dialogue");
    let forbidden = [
        Call::post("/api/v1/events", dialogue.clone()),
        Call::patch(format!("/api/v1/events/{id}"), json!({"kind": "forum"})),
    ];
    app.refuses(&forbidden, &[Some(&moderator)], 403, "forbidden").await;
    let r = app.get("/api/v1/events", app.admin()).await;
    assert_eq!(r.items().len(), 1, "nothing else stored");
    assert_eq!(r.body["items"][0]["kind"], "council_meeting");
}

async fn created(app: &TestApp, issue: &str) -> chrono::DateTime<chrono::Utc> {
    let r = app.get(&format!("/api/v1/issues/{issue}"), app.admin()).await;
    r.ok(200)["created_at"].as_str().unwrap().parse().unwrap()
}

/// A session mode no version of the service writes is a logged 500, never
/// read as an app session (which would let children join a paper one).
#[actix_web::test]
async fn an_unknown_stored_session_mode_is_a_logged_500_never_app() {
    let p = setup().await;
    let tpt = Some(p.tpt.as_str());
    let session = paper_session(&p, &p.tpt).await.created();
    let sessions = format!("/api/v1/surveys/{}/sessions", p.survey);
    crate::recommendations::set_column(&p.app, "sessions", "mode", "pigeon".into(), &session).await;
    let r = p.app.get(&sessions, tpt).await;
    r.assert_problem(500, "internal_error");
    assert!(!r.text.contains("pigeon"), "{}", r.text);
    crate::recommendations::set_column(&p.app, "sessions", "mode", "paper".into(), &session).await;
    let listed = p.app.get(&sessions, tpt).await;
    assert_eq!(listed.items()[0]["mode"], "paper");
}
