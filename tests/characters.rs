//! NUL and other control characters are refused wherever a string comes in
//! (path, query string, JSON, form, Basic credentials, headers used as
//! data), with a problem and a stable code, never a 500 (PostgreSQL text
//! cannot hold NUL); bidirectional overrides are refused in names and
//! titles.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("Content-Type", "application/json");

async fn raw(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    app.request(method, path, None, headers, Some(body.as_bytes().to_vec()))
        .await
}

/// Without signing in: every way a string gets in.
#[actix_web::test]
async fn control_characters_are_refused_everywhere_without_signing_in() {
    let app = TestApp::spawn_demo().await;
    let basic = |id: &str| {
        format!(
            "Basic {}",
            data_encoding::BASE64.encode(format!("{id}:secret").as_bytes())
        )
    };
    let nul_basic = basic("agency\0client");
    let bell_basic = basic("agency\u{7}client");
    let token = "/api/v1/auth/token";
    // The OAuth token endpoint: form, JSON and Basic.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let oauth: Vec<Case> = vec![
        (
            "form client_id",
            vec![FORM],
            "grant_type=client_credentials&client_id=a%00b&client_secret=x",
        ),
        (
            "form client_secret",
            vec![FORM],
            "grant_type=client_credentials&client_id=ab&client_secret=x%01",
        ),
        (
            "JSON client_id",
            vec![JSON],
            r#"{"grant_type": "client_credentials", "client_id": "a\u0000b", "client_secret": "x"}"#,
        ),
        (
            "Basic NUL",
            vec![FORM, ("Authorization", nul_basic.as_str())],
            "grant_type=client_credentials",
        ),
        (
            "Basic BEL",
            vec![FORM, ("Authorization", bell_basic.as_str())],
            "grant_type=client_credentials",
        ),
    ];
    for (what, headers, body) in oauth {
        let r = raw(&app, Method::POST, token, &headers, body).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text);
        r.assert_problem(400, "invalid_character");
        assert_eq!(r.body["error"], "invalid_request", "{what}: OAuth clients read `error`");
    }
    // Paths and query strings, on routes that take text.
    for path in [
        "/api/v1/responses/abc%00def",
        "/api/v1/responses/abc%0Adef",
        "/api/v1/issues/abc%7Fdef",
        "/api/v1/public/issues?topic=a%00b",
        "/api/v1/public/issues?topic=a%C2%85b",
        "/api/v1/public/issues?topic=a+%1F",
        "/api/v1/units/%00",
        "/api/v1/no/such%00route",
    ] {
        for method in [Method::GET, Method::DELETE] {
            let r = app.request(method.clone(), path, None, &[], None).await;
            assert_eq!(r.status, 400, "{method} {path}: {}", r.text);
            r.assert_problem(400, "invalid_character");
        }
    }
    // JSON bodies: the field at fault, for NUL and other controls, escaped
    // or raw (DEL, C1).
    for (body, field) in [
        (r#"{"username": "admin\u0000", "password": "x"}"#, "username"),
        (r#"{"username": "admin", "password": "\u0008x"}"#, "password"),
        ("{\"username\": \"admin\u{7f}\", \"password\": \"x\"}", "username"),
        ("{\"username\": \"admin\u{85}\", \"password\": \"x\"}", "username"),
    ] {
        raw(&app, Method::POST, "/api/v1/auth/login", &[JSON], body)
            .await
            .assert_fields(&[(field, "invalid_character")]);
    }
    for (body, field) in [
        (
            r#"{"join_code": "ABC\u0000DEF", "age": 10, "assent": true}"#,
            "join_code",
        ),
        (
            r#"{"join_code": "ABCDEF", "age": 10, "assent": true, "language": "v\u001fi"}"#,
            "language",
        ),
    ] {
        raw(&app, Method::POST, "/api/v1/join", &[JSON], body)
            .await
            .assert_fields(&[(field, "invalid_character")]);
    }
    // What was refused left nothing behind, and the service still answers.
    app.get("/api/v1/public/issues", None).await.ok(200);
}

/// Signed in: the field path is named in nested bodies; tab and line
/// breaks stay allowed in free text; the Idempotency-Key header is data.
#[actix_web::test]
async fn control_characters_in_bodies_and_headers_of_signed_in_callers() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    app.post(
        "/api/v1/topics",
        app.admin(),
        &json!({"slug": "nul_topic", "name": {"vi": "a\u{0}b"}}),
    )
    .await
    .assert_fields(&[("name.vi", "invalid_character")]);
    let mut survey = crate::surveys::example_survey(&district);
    survey["questions"][0]["options"][1]["label"]["en"] = json!("N\u{1b}[31mo");
    app.post("/api/v1/surveys", app.admin(), &survey)
        .await
        .assert_fields(&[("questions[0].options[1].label.en", "invalid_character")]);
    // An object key counts too.
    let mut event = json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15",
        "title": "Đối thoại", "children_attending": 3, "adults_attending": 1,
        "children_by_age_band": {"12-14\u{0}": 3}});
    app.post("/api/v1/events", app.admin(), &event)
        .await
        .assert_fields(&[("children_by_age_band.12-14\u{0}", "invalid_character")]);
    // Tab and line breaks are text.
    event["children_by_age_band"] = json!({"12-14": 3});
    event["notes"] = json!("Dòng một\r\nDòng hai\tcột");
    let r = app.post("/api/v1/events", app.admin(), &event).await;
    assert_eq!(r.ok(201)["notes"], "Dòng một\r\nDòng hai\tcột");

    // A child's submission: the Idempotency-Key header.
    let survey = crate::surveys::published_survey(&app, &crate::surveys::example_survey(&district)).await;
    let code = crate::results::session(&app, &survey, &school).await;
    let child = app.child(&code, 12).await;
    let answers = serde_json::to_vec(&json!({"answers": {"feel_safe": "yes"}})).unwrap();
    // The body as bytes, so that the client's JSON writer checks nothing.
    let submit = async |key: &str, body: Vec<u8>| {
        let headers = [JSON, ("Idempotency-Key", key)];
        app.request(Method::POST, "/api/v1/responses", Some(&child), &headers, Some(body))
            .await
    };
    submit("khoá\tmột", answers.clone())
        .await
        .assert_problem(400, "invalid_character");
    let nul = json!({"answers": {"feel_safe": "no", "why_not": "tối\u{0}"}});
    submit("key-1", serde_json::to_vec(&nul).unwrap())
        .await
        .assert_fields(&[("answers.why_not", "invalid_character")]);
    submit("key-1", answers).await.ok(201);
}

/// Bidirectional overrides and isolates, refused in every name and title.
#[actix_web::test]
async fn bidi_overrides_are_refused_in_names_and_titles() {
    let app = TestApp::spawn_demo().await;
    let [district, school, ward] = app.units(["PN", "PN-S06", "HCM-CAUKIEU"]).await;
    let agency = crate::recommendations::agency(&app, &district, "education_office").await;
    let (user, _) = app.user("lan.bidi", "moderator", None, None).await;
    let unit = school.clone();
    let topic = app.get("/api/v1/topics?limit=1", app.admin()).await.ok(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = app
        .post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15",
                "title": "Đối thoại", "children_attending": 3, "adults_attending": 1}),
        )
        .await
        .created();
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ] {
        let name = format!("Tên{c}gnóh");
        let cases: Vec<(Method, String, Value, &str)> = vec![
            (
                Method::POST,
                "/api/v1/units".into(),
                json!({"kind": "school", "code": "PN-S77", "name": {"vi": name}, "parent_id": ward, "valid_from": "2026-09-01"}),
                "name.vi",
            ),
            (
                Method::PATCH,
                format!("/api/v1/units/{unit}"),
                json!({"name": {"vi": "Trường", "en": name}}),
                "name.en",
            ),
            (
                Method::POST,
                "/api/v1/topics".into(),
                json!({"slug": "bidi", "name": {"vi": name}}),
                "name.vi",
            ),
            (
                Method::PATCH,
                format!("/api/v1/topics/{topic}"),
                json!({"name": {"vi": name}}),
                "name.vi",
            ),
            (
                Method::POST,
                "/api/v1/agencies".into(),
                json!({"name": {"vi": name}, "kind": "police", "jurisdiction_unit_id": district, "topics": ["safety"], "contact": {"email": "ca@example.gov.vn"}}),
                "name.vi",
            ),
            (
                Method::PATCH,
                format!("/api/v1/agencies/{agency}"),
                json!({"name": {"vi": name}}),
                "name.vi",
            ),
            (
                Method::POST,
                "/api/v1/surveys".into(),
                {
                    let mut s = crate::surveys::example_survey(&district);
                    s["title"]["en"] = json!(name);
                    s
                },
                "title.en",
            ),
            (
                Method::POST,
                "/api/v1/users".into(),
                json!({"username": "bidi.user", "password": "một mật khẩu dài", "role": "moderator", "display_name": name}),
                "display_name",
            ),
            (
                Method::PATCH,
                format!("/api/v1/users/{user}"),
                json!({"display_name": name}),
                "display_name",
            ),
            (
                Method::POST,
                "/api/v1/events".into(),
                json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15",
                    "title": name, "children_attending": 3, "adults_attending": 1}),
                "title",
            ),
            (
                Method::POST,
                "/api/v1/events".into(),
                json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15",
                    "title": "Đối thoại", "children_attending": 3, "adults_attending": 1,
                    "issues": [{"title": name, "body": "Nội dung"}]}),
                "issues[0].title",
            ),
            (
                Method::PATCH,
                format!("/api/v1/events/{event}"),
                json!({"title": name}),
                "title",
            ),
            (
                Method::POST,
                "/api/v1/reorganisations".into(),
                json!({"effective_on": "2027-01-01", "title": name}),
                "title",
            ),
            (
                Method::POST,
                format!("/api/v1/agencies/{agency}/clients"),
                json!({"label": name}),
                "label",
            ),
        ];
        for (method, path, body, field) in cases {
            let r = app.send_json(method.clone(), &path, app.admin(), &body).await;
            assert_eq!(r.status, 422, "{method} {path} {c:?}: {}", r.text);
            assert!(
                r.body["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == "invalid_character"),
                "{method} {path} {c:?}: {}",
                r.text
            );
        }
    }
    // A child's issue title too.
    let mut body = crate::surveys::example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(&app, &body).await;
    let code = crate::results::session(&app, &survey, &school).await;
    let child = app.child(&code, 12).await;
    app.post(
        "/api/v1/issues",
        Some(&child),
        &json!({"title": "Đèn \u{202E}gnờưđ", "body": "Đường tối"}),
    )
    .await
    .assert_fields(&[("title", "invalid_character")]);
    // Other marks are text: a left-to-right mark and a narrow no-break space.
    let r = app
        .post(
            "/api/v1/topics",
            app.admin(),
            &json!({"slug": "marks", "name": {"vi": "An\u{200E} toàn\u{202F}mạng"}}),
        )
        .await;
    assert_eq!(r.ok(201)["name"]["vi"], "An\u{200E} toàn\u{202F}mạng");
}
