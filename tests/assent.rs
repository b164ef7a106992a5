//! The survey's own assent wording: written by the survey's authors for
//! each age band in Vietnamese (and English), checked, stored in the
//! survey's versioned format, and read by a child before joining
//! (`POST /api/v1/join/assent`) and on joining, with the service's wording
//! where the survey gives none.

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::support::{Call, TestApp};
use crate::surveys::{example_survey, published_survey};

const YOUNG_VI: &str = "Em muốn kể về đường đến trường. Em dừng lúc nào cũng được.";
const YOUNG_EN: &str = "I want to tell you about my way to school. I can stop whenever I like.";
const OLDER_VI: &str = "Mình đồng ý tham gia, biết rằng mình có thể dừng bất cứ lúc nào.";
/// The service's wording (what the app said before surveys worded it).
const SERVICE_YOUNG_VI: &str =
    "Em muốn trả lời. Em biết em có thể dừng lúc nào cũng được, và không ai biết câu trả lời là của em.";
const SERVICE_OLDER_EN: &str =
    "I agree to take part. I know it is my choice, I can stop at any time, and my answers are not linked to my name.";

fn worded(owner: &str) -> Value {
    let mut body = example_survey(owner);
    body["assent"] = json!({"6-8": {"vi": YOUNG_VI, "en": YOUNG_EN}, "15-17": {"vi": OLDER_VI}});
    body
}

async fn participants(app: &TestApp) -> i64 {
    let db = Database::connect(app.db.url.as_str()).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM participants",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The stored definitions of a survey's versions, as storage wrote them.
async fn stored(app: &TestApp, survey: &str) -> Vec<Value> {
    let db = Database::connect(app.db.url.as_str()).await.unwrap();
    let backend = db.get_database_backend();
    let sql = "SELECT definition FROM survey_versions WHERE survey_id = $1 ORDER BY version";
    let sql = match backend {
        DatabaseBackend::Postgres => sql.to_owned(),
        _ => sql.replace("$1", "?"),
    };
    let id: uuid::Uuid = survey.parse().unwrap();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str(&r.try_get_by_index::<String>(0).unwrap()).unwrap())
        .collect()
}

#[actix_web::test]
async fn a_child_reads_the_surveys_assent_for_their_band_before_joining() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = published_survey(&app, &worded(&district)).await;
    let read = app.get(&format!("/api/v1/surveys/{survey}"), app.admin()).await;
    assert_eq!(
        read.ok(200)["definition"]["assent"],
        json!({"15-17": {"vi": OLDER_VI}, "6-8": {"vi": YOUNG_VI, "en": YOUNG_EN}})
    );
    // Stored as version 2 of the survey format; a survey without the
    // wording stays version 1.
    let versions = stored(&app, &survey).await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["v"], 2);
    assert_eq!(versions[0]["assent"]["6-8"]["en"], YOUNG_EN);
    let plain = published_survey(&app, &example_survey(&district)).await;
    assert_eq!(stored(&app, &plain).await[0]["v"], 1);

    let session = app.open_session(&survey, &school, -5, 120).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    let before = participants(&app).await;
    let ask = |age: i64, language: &str| json!({"join_code": code.to_lowercase(), "age": age, "language": language});

    // A child of 7: the survey's words for 6–8, in both languages.
    let r = app.post("/api/v1/join/assent", None, &ask(7, "vi")).await;
    let body = r.ok(200);
    assert_eq!(body["age_band"], "6-8");
    assert_eq!(body["assent"], json!({"vi": YOUNG_VI, "en": YOUNG_EN}));
    assert_eq!(
        body["title"],
        json!({"vi": "Đường đến trường", "en": "The way to school"})
    );
    // A child of 15: the survey's Vietnamese; no English given, so the
    // service's English for the band.
    let body = app
        .post("/api/v1/join/assent", None, &ask(15, "en"))
        .await
        .ok(200)
        .clone();
    assert_eq!(body["age_band"], "15-17");
    assert_eq!(body["assent"], json!({"vi": OLDER_VI, "en": SERVICE_OLDER_EN}));
    // A band the survey does not word: the service's.
    let body = app
        .post("/api/v1/join/assent", None, &ask(10, "vi"))
        .await
        .ok(200)
        .clone();
    assert_eq!(body["age_band"], "9-11");
    assert_eq!(body["assent"]["vi"], SERVICE_YOUNG_VI);
    assert_eq!(participants(&app).await, before, "reading the wording stores nothing");

    // Joining: the survey the child sees says what they agreed to.
    let r = app.join(&code, 7, json!({"language": "vi"})).await;
    assert_eq!(r.ok(200)["survey"]["assent"], YOUNG_VI);
    let r = app.join(&code, 16, json!({"language": "en"})).await;
    assert_eq!(r.ok(200)["survey"]["assent"], SERVICE_OLDER_EN);

    // The demo survey words it in Vietnamese for every band.
    let r = app
        .post(
            "/api/v1/join/assent",
            None,
            &json!({"join_code": "KT7H-MX3P-WA9C", "age": 7}),
        )
        .await;
    let body = r.ok(200);
    assert!(
        body["assent"]["vi"]
            .as_str()
            .unwrap()
            .starts_with("Em muốn kể về chỗ em chơi"),
        "{body}"
    );
}

#[actix_web::test]
async fn reading_the_assent_refuses_as_joining_does() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let mut older = worded(&district);
    older["min_age"] = json!(12);
    let survey = published_survey(&app, &older).await;
    let open = app.open_session(&survey, &school, -5, 120).await;
    let code = open["join_code"].as_str().unwrap().to_owned();
    let later = app.open_session(&survey, &school, 60, 120).await;
    let later_code = later["join_code"].as_str().unwrap().to_owned();
    let before = participants(&app).await;
    let post = |body: Value| Call::post("/api/v1/join/assent", body);

    for (body, status, code) in [
        (
            json!({"join_code": "ABCD-EFGH-JKMN", "age": 13}),
            404,
            "join_code_unknown",
        ),
        (json!({"join_code": later_code, "age": 13}), 409, "session_not_open"),
        (json!({"join_code": code, "age": 9}), 422, "age_not_eligible"),
    ] {
        app.refuses(&[post(body)], &[None], status, code).await;
    }
    app.refuses_fields(
        &[
            (post(json!({"join_code": code, "age": 18})), &[("age", "out_of_range")]),
            (
                post(json!({"join_code": code, "age": 13, "language": "fr"})),
                &[("language", "unknown_value")],
            ),
            (
                post(json!({"join_code": code, "age": 13, "assent": true})),
                &[("assent", "unknown_field")],
            ),
        ],
        None,
    )
    .await;
    let r = app.post("/api/v1/join/assent", None, &json!({"join_code": code})).await;
    assert!(r.status == 400 || r.status == 422, "{}", r.text);
    assert_eq!(participants(&app).await, before, "refusals store nothing");
    // A staff token changes nothing: the wording is for children.
    let (_, facilitator) = app.user("tpt.assent", "facilitator", Some(&school), None).await;
    let r = app
        .post(
            "/api/v1/join/assent",
            Some(&facilitator),
            &json!({"join_code": code, "age": 13}),
        )
        .await;
    assert_eq!(
        r.ok(200)["assent"]["vi"],
        "Tôi đồng ý tham gia. Tôi biết việc tham gia là tự nguyện, tôi có thể dừng bất cứ lúc nào, và câu trả lời không gắn với tên tôi."
    );
}

#[actix_web::test]
async fn assent_wording_is_checked_and_only_authors_write_it() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let listed = |r: &crate::support::Resp| r.ok(200)["items"].as_array().unwrap().len();
    let before = listed(&app.get("/api/v1/surveys", app.admin()).await);
    let with = |assent: Value| {
        let mut body = example_survey(&district);
        body["assent"] = assent;
        Call::post("/api/v1/surveys", body)
    };
    app.refuses_fields(
        &[
            (
                with(json!({"5-7": {"vi": "Em đồng ý."}})),
                &[("assent.5-7", "unknown_value")],
            ),
            (
                with(json!({"9-11": {"en": "I agree."}})),
                &[("assent.9-11.vi", "required")],
            ),
            (
                with(json!({"12-14": {"vi": "ắ".repeat(601), "en": "a".repeat(601)}})),
                &[("assent.12-14.vi", "too_long"), ("assent.12-14.en", "too_long")],
            ),
            (
                with(json!({"6-8": {"vi": "Em đồng ý.", "fr": "J'accepte."}})),
                &[("assent.6-8.fr", "unknown_field")],
            ),
        ],
        app.admin(),
    )
    .await;
    let r = app
        .post(
            "/api/v1/surveys",
            app.admin(),
            with(json!(["6-8"])).body.as_ref().unwrap(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        listed(&app.get("/api/v1/surveys", app.admin()).await),
        before,
        "nothing stored"
    );

    // Only the survey's authors write it; a moderator may, then edit the draft.
    let body = worded(&district);
    let (_, facilitator) = app.user("tpt.assent", "facilitator", Some(&school), None).await;
    app.refuses(
        &[Call::post("/api/v1/surveys", body.clone())],
        &[Some(&facilitator)],
        403,
        "forbidden",
    )
    .await;
    app.refuses(
        &[Call::post("/api/v1/surveys", body.clone())],
        &[None],
        401,
        "unauthenticated",
    )
    .await;
    let (_, moderator) = app.user("mod.assent", "moderator", None, None).await;
    let id = app.post("/api/v1/surveys", Some(&moderator), &body).await.created();
    let mut edited = body.clone();
    edited["assent"]["9-11"] = json!({"vi": "Em đồng ý trả lời."});
    let r = app
        .send_json(
            actix_web::http::Method::PUT,
            &format!("/api/v1/surveys/{id}/draft"),
            Some(&moderator),
            &edited,
        )
        .await;
    assert_eq!(r.ok(200)["definition"]["assent"]["9-11"]["vi"], "Em đồng ý trả lời.");
    let r = app
        .send_json(
            actix_web::http::Method::PUT,
            &format!("/api/v1/surveys/{id}/draft"),
            Some(&facilitator),
            &edited,
        )
        .await;
    r.assert_problem(403, "forbidden");
}
