//! The edges every client meets: problem+json for every failure, health,
//! metrics, the docs and the committed contract.

use actix_web::http::Method;
use serde_json::json;

use crate::support::{Call, Options, TestApp};

#[actix_web::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz", None).await.ok(200)["status"], "ok");
    assert_eq!(app.get("/readyz", None).await.ok(200)["status"], "ok");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/units", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/units", app.admin()).await.ok(200);
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        r.text
            .contains(r#"langnghe_http_requests_total{method="GET",route="/api/v1/units",status="401"} 1"#),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains(r#"langnghe_http_requests_total{method="GET",route="/api/v1/units",status="200"} 1"#)
    );
    assert!(r.text.contains(
        r#"langnghe_http_request_duration_seconds_count{method="GET",route="/api/v1/units",status="200"} 1"#
    ));
    // Ids never become labels.
    app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), app.admin())
        .await;
    let r = app.get("/metrics", None).await;
    assert!(
        r.text.contains(r#"route="/api/v1/users/{id}",status="404""#),
        "{}",
        r.text
    );
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::spawn().await;
    app.get("/no/such/route", None).await.assert_problem(404, "not_found");
    app.get("/api/v1/nothing", app.admin())
        .await
        .assert_problem(404, "not_found");
    let r = app.delete("/api/v1/users", app.admin()).await;
    r.assert_problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
            app.admin(),
            &[],
            None,
        )
        .await;
    r.assert_problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET, PATCH"));
}

#[actix_web::test]
async fn bad_bodies_are_refused_with_clear_codes_and_store_nothing() {
    let app = TestApp::spawn().await;
    let before = app.get("/api/v1/topics", app.admin()).await.items().len();
    let path = "/api/v1/topics";
    // A body as bytes, with these headers.
    let raw = async |headers: &[(&str, &str)], body: &[u8]| {
        app.request(Method::POST, path, app.admin(), headers, Some(body.to_vec()))
            .await
    };
    const JSON: [(&str, &str); 1] = [("Content-Type", "application/json")];
    // Wrong content type.
    raw(&[("Content-Type", "text/plain")], b"{}")
        .await
        .assert_problem(415, "unsupported_media_type");
    raw(&[], b"{}").await.assert_problem(415, "unsupported_media_type");
    // Malformed JSON.
    for body in [&b"{"[..], b"not json", b"", b"{\"slug\": \"a\",}"] {
        raw(&JSON, body).await.assert_problem(400, "malformed_json");
    }
    // Unknown field, wrong type, missing field: named.
    let r = app
        .post(
            path,
            app.admin(),
            &json!({"slug": "x_y", "name": {"vi": "A"}, "colour": "red"}),
        )
        .await;
    r.assert_fields(&[("colour", "unknown_field")]);
    let r = app
        .post(path, app.admin(), &json!({"slug": 5, "name": {"vi": "A"}}))
        .await;
    r.assert_fields(&[("slug", "invalid_type")]);
    let r = app.post(path, app.admin(), &json!({"name": {"vi": "A"}})).await;
    r.assert_fields(&[("slug", "required")]);
    let r = app
        .post(
            path,
            app.admin(),
            &json!({"slug": "ab", "name": {"vi": "A", "fr": "B"}}),
        )
        .await;
    r.assert_fields(&[("name.fr", "unknown_field")]);
    let r = app.post(path, app.admin(), &json!([1, 2])).await;
    r.assert_problem(422, "validation_failed");
    // NUL cannot be stored by PostgreSQL: refused up front, everywhere.
    let r = raw(&JSON, br#"{"slug": "nul_topic", "name": {"vi": "a\u0000b"}}"#).await;
    r.assert_fields(&[("name.vi", "invalid_character")]);
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("Content-Type", "application/json")],
            Some(br#"{"username": "admin\u0000", "password": "x"}"#.to_vec()),
        )
        .await;
    r.assert_fields(&[("username", "invalid_character")]);
    // An escaped backslash before "u0000" is plain text.
    let r = raw(&JSON, br#"{"slug": "backslash", "name": {"vi": "a\\u0000b"}}"#).await;
    assert_eq!(r.ok(201)["name"]["vi"], "a\\u0000b");
    // Too large.
    let big = json!({"slug": "big", "name": {"vi": "x".repeat(70 * 1024)}});
    app.post(path, app.admin(), &big)
        .await
        .assert_problem(413, "payload_too_large");
    let after = app.get("/api/v1/topics", app.admin()).await.items().len();
    assert_eq!(before + 1, after, "a refused request stored something");
}

#[actix_web::test]
async fn body_limit_is_configurable() {
    let app = TestApp::spawn_with(Options {
        max_body_bytes: 2048,
        ..Options::default()
    })
    .await;
    let body = json!({"slug": "big", "name": {"vi": "x".repeat(3000)}});
    app.post("/api/v1/topics", app.admin(), &body)
        .await
        .assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn bad_paths_and_queries_are_400() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/users/not-a-uuid", app.admin())
        .await
        .assert_problem(400, "invalid_path");
    let invalid_query = [
        Call::get("/api/v1/units?at=2025-13-01"),
        Call::get("/api/v1/units?limit=abc"),
        Call::get("/api/v1/units?limit=0"),
        Call::get("/api/v1/units?limit=101"),
    ];
    app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
    let invalid_cursor = [
        Call::get("/api/v1/units?cursor=%%%"),
        Call::get("/api/v1/units?cursor=abc"),
    ];
    app.refuses(&invalid_cursor, &[app.admin()], 400, "invalid_cursor")
        .await;
    let invalid_query = [
        Call::get("/api/v1/units?colour=red"),
        Call::get("/api/v1/units?kind=planet"),
    ];
    app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
    // Dates the service cannot store are refused before they reach the database.
    for path in [
        "/api/v1/units?at=0100-01-01",
        "/api/v1/events?from=0100-01-01",
        "/api/v1/events?to=2500-01-01",
    ] {
        app.get(path, app.admin()).await.assert_problem(400, "invalid_query");
    }
}

#[actix_web::test]
async fn docs_and_contract_are_served() {
    let app = TestApp::spawn().await;
    let r = app.get("/docs/", None).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("swagger"), "{}", &r.text[..r.text.len().min(300)]);
    let r = app.get("/docs", None).await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("/docs/"));
    let served = app.get("/api/v1/openapi.json", None).await;
    let expected: serde_json::Value = serde_json::from_str(&langnghe_api::server::spec_json()).unwrap();
    assert!(
        served.body == expected,
        "the served spec differs from the generated one"
    );
    assert_eq!(served.body["openapi"], "3.1.0");
}

/// The committed contract matches the code.
#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let generated = langnghe_api::server::spec_json();
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != generated {
        if std::env::var("UPDATE_OPENAPI").is_ok() {
            std::fs::write(path, &generated).unwrap();
            return;
        }
        panic!(
            "openapi/openapi.json is out of date with the code. Refresh it with:\n\n    \
             cargo run -q -- openapi > openapi/openapi.json\n\nor UPDATE_OPENAPI=1 cargo test --workspace committed_openapi"
        );
    }
}

/// Every operation documents its refusals: 401 when it needs a token, and
/// 422 and 415 when it takes a body.
#[test]
fn every_operation_documents_its_errors() {
    let spec: serde_json::Value = serde_json::from_str(&langnghe_api::server::spec_json()).unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let secured = op.get("security").is_some();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            // The OAuth 2 token endpoint refuses bad requests with 400, as
            // RFC 6749 (§5.2) has it, never 422.
            let oauth = path == "/api/v1/auth/token";
            if op.get("requestBody").is_some() {
                for code in if oauth {
                    &["415", "400"][..]
                } else {
                    &["415", "422"][..]
                } {
                    assert!(responses.contains_key(*code), "{method} {path} lacks {code}");
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
                // A UUID in the path can be malformed: 400 invalid_path.
                let uuid_param = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "path" && p["schema"]["format"] == "uuid");
                if uuid_param {
                    assert!(responses.contains_key("400"), "{method} {path} lacks 400");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations");
}

#[test]
fn bad_settings_stop_start_up_naming_the_setting() {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        settings: langnghe_api::config::Settings,
    }
    let parse = |args: &[&str]| {
        let mut all = vec!["langnghe"];
        all.extend_from_slice(args);
        let w = Wrapper::try_parse_from(all).unwrap();
        langnghe_api::config::Config::from_settings(&w.settings)
    };
    let secret = "--jwt-secret=0123456789abcdef0123456789abcdef";
    let data = "--data-key=fedcba9876543210fedcba9876543210";
    let cases: [(&[&str], &str); 13] = [
        (&["--bind", "nowhere"], "LANGNGHE_BIND"),
        (&["--database-url", "mysql://x"], "DATABASE_URL"),
        (&["--admin-password", "short"], "LANGNGHE_ADMIN_PASSWORD"),
        (&["--jwt-secret", "too-short"], "LANGNGHE_JWT_SECRET"),
        (&["--database-url", "postgres://h/db"], "LANGNGHE_JWT_SECRET"),
        (&[secret, "--demo", "maybe"], "LANGNGHE_DEMO"),
        (&[secret, "--max-body-bytes=-1"], "LANGNGHE_MAX_BODY_BYTES"),
        (&[secret, "--workers", "0"], "LANGNGHE_WORKERS"),
        (&[secret, "--min-cell", "2"], "LANGNGHE_MIN_CELL"),
        (&[secret, "--fold-interval-ms", "5"], "LANGNGHE_FOLD_INTERVAL_MS"),
        (&[secret, "--fold-interval-ms", "soon"], "LANGNGHE_FOLD_INTERVAL_MS"),
        (&[secret, "--retain-text-days", "7"], "LANGNGHE_RETAIN_TEXT_DAYS"),
        (
            &[secret, "--retain-closed-cases-days", "forever"],
            "LANGNGHE_RETAIN_CLOSED_CASES_DAYS",
        ),
    ];
    for (args, name) in cases {
        let err = parse(args).expect_err(name).to_string();
        assert!(err.contains(name), "{args:?}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
    let ok = parse(&[]).unwrap();
    assert!(ok.embedded && ok.demo, "the embedded default seeds the demo");
    assert_eq!(ok.bind.to_string(), "127.0.0.1:8080");
    let err = parse(&["--database-url", "postgres://h/db", secret])
        .unwrap_err()
        .to_string();
    assert!(err.contains("LANGNGHE_DATA_KEY"), "{err}");
    let err = parse(&["--data-key", "short"]).unwrap_err().to_string();
    assert!(err.contains("LANGNGHE_DATA_KEY"), "{err}");
    let pg = parse(&["--database-url", "postgres://h/db", secret, data]).unwrap();
    assert!(!pg.demo, "demo is off by default with DATABASE_URL");
}
