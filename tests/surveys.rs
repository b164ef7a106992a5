//! Survey definitions: versioned, validated, previewed per age and language.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp, strings};

/// The example survey of the contract, owned by `owner`.
pub fn example_survey(owner: &str) -> Value {
    json!({"kind": "opinion", "topic": "safety", "owner_unit_id": owner,
     "title": {"vi": "Đường đến trường", "en": "The way to school"},
     "min_age": 6, "max_age": 17,
     "questions": [
      {"key": "feel_safe", "type": "single_choice", "required": true,
       "text": {"vi": "Em có cảm thấy an toàn trên đường đến trường không?",
                "en": "Do you feel safe on your way to school?"},
       "text_by_age_band": {"6-8": {"vi": "Em đi học có thấy an toàn không?"}},
       "options": [{"key": "yes", "label": {"vi": "Có", "en": "Yes"}},
                   {"key": "no", "label": {"vi": "Không", "en": "No"}},
                   {"key": "not_sure", "label": {"vi": "Em không chắc", "en": "Not sure"}}]},
      {"key": "why_not", "type": "text", "max_length": 500,
       "show_if": {"question": "feel_safe", "in": ["no", "not_sure"]},
       "text": {"vi": "Điều gì làm em thấy không an toàn?", "en": "What makes you feel unsafe?"}},
      {"key": "happy_at_school", "type": "rating", "min": 1, "max": 5, "faces": true,
       "text": {"vi": "Em vui thế nào khi ở trường?", "en": "How happy are you at school?"}}]})
}

pub async fn published_survey(app: &TestApp, body: &Value) -> String {
    let r = app.post("/api/v1/surveys", app.admin(), body).await;
    let id = r.created();
    app.post(&format!("/api/v1/surveys/{id}/publish"), app.admin(), &json!({}))
        .await
        .ok(200);
    id
}

#[actix_web::test]
async fn surveys_are_versioned_drafts_until_published() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let (_, moderator) = app.user("mod.khaosat", "moderator", None, None).await;
    let body = example_survey(&district);
    let r = app.post("/api/v1/surveys", Some(&moderator), &body).await;
    let created = r.ok(201).clone();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["latest_version"], 1);
    assert_eq!(created["published_version"], Value::Null);
    assert_eq!(created["definition"]["questions"][0]["key"], "feel_safe");
    let id = created["id"].as_str().unwrap();

    // Drafts are edited in place until published.
    let mut edited = body.clone();
    edited["title"]["vi"] = json!("Đường đến trường an toàn");
    let draft = format!("/api/v1/surveys/{id}/draft");
    let save = async |edited: &Value| app.send_json(Method::PUT, &draft, Some(&moderator), edited).await;
    let r = save(&edited).await;
    assert_eq!(r.ok(200)["latest_version"], 1);
    assert_eq!(r.body["title_vi"], "Đường đến trường an toàn");

    let r = app
        .post(&format!("/api/v1/surveys/{id}/publish"), Some(&moderator), &json!({}))
        .await;
    assert_eq!(r.ok(200)["status"], "published");
    assert_eq!(r.body["published_version"], 1);
    assert!(r.body["version_published_at"].is_string());
    app.post(&format!("/api/v1/surveys/{id}/publish"), Some(&moderator), &json!({}))
        .await
        .assert_problem(409, "nothing_to_publish");

    // Editing a published survey makes version 2; version 1 stays frozen.
    edited["questions"][2]["max"] = json!(4);
    let r = save(&edited).await;
    assert_eq!(r.ok(200)["latest_version"], 2);
    assert_eq!(r.body["published_version"], 1);
    let v1 = app
        .get(&format!("/api/v1/surveys/{id}?version=1"), Some(&moderator))
        .await;
    assert_eq!(v1.ok(200)["definition"]["questions"][2]["max"], 5.0);
    let v2 = app.get(&format!("/api/v1/surveys/{id}"), Some(&moderator)).await;
    assert_eq!(v2.ok(200)["definition"]["questions"][2]["max"], 4.0);
    assert_eq!(v2.body["version_published_at"], Value::Null);
    app.get(&format!("/api/v1/surveys/{id}?version=9"), Some(&moderator))
        .await
        .assert_problem(404, "not_found");

    // This one and the demo survey.
    let list = app.get("/api/v1/surveys?status=published", Some(&moderator)).await;
    assert_eq!(list.items().len(), 2);
    let r = app
        .post(&format!("/api/v1/surveys/{id}/close"), app.admin(), &json!({}))
        .await;
    assert_eq!(r.ok(200)["status"], "closed");
    app.post(&format!("/api/v1/surveys/{id}/close"), app.admin(), &json!({}))
        .await
        .assert_problem(409, "survey_closed");
    app.send_json(Method::PUT, &draft, app.admin(), &edited)
        .await
        .assert_problem(409, "survey_closed");
    let events = app.audit("survey", id).await;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "survey.create",
            "survey.draft",
            "survey.publish",
            "survey.draft",
            "survey.close"
        ]
    );
}

#[actix_web::test]
async fn preview_shows_exactly_what_a_child_sees() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let mut body = example_survey(&district);
    body["questions"].as_array_mut().unwrap().push(json!(
        {"key": "online", "type": "yes_no", "min_age": 12, "text": {"vi": "Em có dùng mạng xã hội không?"}}));
    let r = app.post("/api/v1/surveys", app.admin(), &body).await;
    let id = r.created();
    let young = app
        .get(&format!("/api/v1/surveys/{id}/preview?age=7"), app.admin())
        .await;
    let young = young.ok(200).clone();
    assert_eq!(young["age_band"], "6-8");
    assert_eq!(young["questions"][0]["text"], "Em đi học có thấy an toàn không?");
    assert_eq!(
        young["questions"].as_array().unwrap().len(),
        3,
        "the 12+ question is not shown at 7"
    );
    assert_eq!(young["questions"][2]["faces"], true);
    let teen_en = app
        .get(&format!("/api/v1/surveys/{id}/preview?age=13&lang=en"), app.admin())
        .await;
    let teen_en = teen_en.ok(200).clone();
    assert_eq!(teen_en["title"], "The way to school");
    assert_eq!(
        teen_en["questions"][0]["text"],
        "Do you feel safe on your way to school?"
    );
    assert_eq!(teen_en["questions"][0]["options"][2]["label"], "Not sure");
    assert_eq!(
        teen_en["questions"][1]["show_if"],
        json!({"question": "feel_safe", "in": ["no", "not_sure"]})
    );
    // No English wording: falls back to Vietnamese.
    assert_eq!(teen_en["questions"][3]["text"], "Em có dùng mạng xã hội không?");
    let invalid_query = [
        Call::get(format!("/api/v1/surveys/{id}/preview?age=5")),
        Call::get(format!("/api/v1/surveys/{id}/preview?age=10&lang=fr")),
        Call::get(format!("/api/v1/surveys/{id}/preview")),
    ];
    app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
}

#[actix_web::test]
async fn definitions_that_cannot_work_are_refused_with_every_problem() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let body = json!({"kind": "opinion", "topic": "weather", "owner_unit_id": district,
    "title": {"en": "No Vietnamese"}, "min_age": 4, "max_age": 17,
    "questions": [
      {"key": "a", "type": "single_choice", "text": {"vi": "A?"}, "options": []},
      {"key": "a", "type": "rating", "min": 5, "max": 1, "text": {"vi": "B?"}},
      {"key": "c", "type": "text", "text": {"vi": "C?"}, "show_if": {"question": "d", "in": ["x"]}},
      {"key": "d", "type": "yes_no", "text": {"en": "D?"}}
    ]});
    let r = app.post("/api/v1/surveys", app.admin(), &body).await;
    r.assert_problem(422, "validation_failed");
    let fields: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("topic", "unknown_topic"),
        ("title.vi", "required"),
        ("min_age", "out_of_range"),
        ("questions[0].options", "empty_options"),
        ("questions[1].key", "duplicate_key"),
        ("questions[1].max", "min_greater_than_max"),
        ("questions[2].show_if.question", "show_if_later_question"),
        ("questions[3].text.vi", "required"),
    ] {
        assert!(
            fields.iter().any(|(f, c)| f == expected.0 && c == expected.1),
            "missing {expected:?} in {fields:?}"
        );
    }
    let mut bad_owner = example_survey(&uuid::Uuid::now_v7().to_string());
    bad_owner["questions"][1]["show_if"]["in"] = json!(["maybe"]);
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post("/api/v1/surveys", bad_owner.clone()),
            &[
                ("questions[1].show_if.in[0]", "show_if_unknown_option"),
                ("owner_unit_id", "unknown_unit"),
            ],
        ),
        (
            Call::post(
                "/api/v1/surveys",
                json!({"kind": "opinion", "owner_unit_id": district, "questions": [{"key": "a", "type": "text", "colour": 1}]}),
            ),
            &[("questions[0].colour", "unknown_field")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    let stored = app.get("/api/v1/surveys", app.admin()).await;
    let titles: Vec<&str> = (stored.ok(200)["items"].as_array().unwrap().iter())
        .map(|s| s["title_vi"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Sân chơi an toàn quanh em (khảo sát mẫu)"],
        "nothing stored but the demo survey"
    );
}

#[actix_web::test]
async fn who_may_do_what_with_surveys() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S01"]).await;
    let agency = app.first_agency().await;
    let body = example_survey(&district);
    let draft = app.post("/api/v1/surveys", app.admin(), &body).await.created();
    let published = published_survey(&app, &body).await;
    let (_, facilitator) = app.user("tpt.lan", "facilitator", Some(&school), None).await;
    let (_, sg) = app.user("sg.hoa", "safeguarding_officer", None, None).await;
    let (_, agency_staff) = app.user("pgd.an", "agency_staff", None, Some(&agency)).await;
    // Facilitators read published surveys only, and write nothing.
    let list = app.get("/api/v1/surveys", Some(&facilitator)).await;
    let ids = strings(list.ok(200), "items", "id");
    assert_eq!(ids.len(), 2, "this one and the demo survey");
    assert!(ids.contains(&published.as_str()) && !ids.contains(&draft.as_str()));
    app.get(&format!("/api/v1/surveys/{draft}"), Some(&facilitator))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/surveys/{published}"), Some(&facilitator))
        .await
        .ok(200);
    app.get(
        &format!("/api/v1/surveys/{published}/preview?age=9"),
        Some(&facilitator),
    )
    .await
    .ok(200);
    let writes: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/surveys".into(), body.clone()),
        (Method::PUT, format!("/api/v1/surveys/{draft}/draft"), body.clone()),
        (Method::POST, format!("/api/v1/surveys/{draft}/publish"), json!({})),
        (Method::POST, format!("/api/v1/surveys/{draft}/close"), json!({})),
    ];
    for token in [&facilitator, &sg, &agency_staff] {
        for (m, p, b) in &writes {
            app.send_json(m.clone(), p, Some(token), b)
                .await
                .assert_problem(403, "forbidden");
        }
    }
    for token in [&sg, &agency_staff] {
        let forbidden = [
            Call::get("/api/v1/surveys"),
            Call::get(format!("/api/v1/surveys/{published}")),
            Call::get(format!("/api/v1/surveys/{published}/preview?age=9")),
        ];
        app.refuses(&forbidden, &[Some(token)], 403, "forbidden").await;
    }
    for (m, p, b) in &writes {
        app.send_json(m.clone(), p, None, b)
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.get("/api/v1/surveys", None)
        .await
        .assert_problem(401, "unauthenticated");
    let missing = uuid::Uuid::now_v7();
    let not_found = [
        Call::get(format!("/api/v1/surveys/{missing}")),
        Call::post(format!("/api/v1/surveys/{missing}/publish"), json!({})),
    ];
    app.refuses(&not_found, &[app.admin()], 404, "not_found").await;
    app.send_json(
        Method::PUT,
        &format!("/api/v1/surveys/{missing}/draft"),
        app.admin(),
        &body,
    )
    .await
    .assert_problem(404, "not_found");
    app.get("/api/v1/surveys?status=open", app.admin())
        .await
        .assert_problem(400, "invalid_query");
}
