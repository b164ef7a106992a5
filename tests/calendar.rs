//! The holiday calendar: seeded with Vietnam's public holidays, read by
//! staff, replaced one year at a time by admins.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn the_holiday_calendar_is_seeded_read_by_staff_and_kept_by_admins() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/calendar/holidays?year=2026", app.admin()).await;
    let days = r.ok(200)["holidays"].as_array().unwrap().clone();
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-02-17" && d["name"] == "Tết Nguyên đán (mùng 1)")
    );
    assert!(days.iter().all(|d| d["date"].as_str().unwrap().starts_with("2026-")));
    let (_, moderator) = app.user("kiem.duyet.lich", "moderator", None, None).await;
    app.get("/api/v1/calendar/holidays", Some(&moderator)).await.ok(200);

    // An admin replaces 2026 after the government's announcement.
    let year = json!({"year": 2026, "holidays": [
        {"date": "2026-01-01", "name": "Tết Dương lịch"},
        {"date": "2026-02-13", "name": "Tết Nguyên đán"},
        {"date": "2026-02-16", "name": "Tết Nguyên đán"}
    ]});
    let r = app
        .send_json(
            actix_web::http::Method::PUT,
            "/api/v1/calendar/holidays",
            app.admin(),
            &year,
        )
        .await;
    assert_eq!(r.ok(200)["holidays"].as_array().unwrap().len(), 3);
    let all = app.get("/api/v1/calendar/holidays", app.admin()).await;
    let all = all.ok(200)["holidays"].as_array().unwrap().clone();
    assert!(all.iter().any(|d| d["date"] == "2027-02-08"), "other years untouched");
    assert!(!all.iter().any(|d| d["date"] == "2026-02-17"));
    let audit = app
        .get("/api/v1/audit?entity=calendar&entity_id=2026", app.admin())
        .await;
    assert_eq!(audit.ok(200)["items"][0]["action"], "calendar.replace_year");

    // Only admins write; bad input stores nothing.
    app.send_json(
        actix_web::http::Method::PUT,
        "/api/v1/calendar/holidays",
        Some(&moderator),
        &year,
    )
    .await
    .assert_problem(403, "forbidden");
    app.send_json(
        actix_web::http::Method::PUT,
        "/api/v1/calendar/holidays",
        app.admin(),
        &json!({"year": 2026, "holidays": [
            {"date": "2027-01-01", "name": "Tết"},
            {"date": "2026-01-01", "name": ""},
            {"date": "2026-01-01", "name": "Tết"}
        ]}),
    )
    .await
    .assert_fields(&[
        ("holidays[0].date", "other_year"),
        ("holidays[1].name", "invalid_length"),
        ("holidays[2].date", "duplicate"),
    ]);
    app.send_json(
        actix_web::http::Method::PUT,
        "/api/v1/calendar/holidays",
        app.admin(),
        &json!({"year": 1800, "holidays": []}),
    )
    .await
    .assert_fields(&[("year", "out_of_range")]);
    app.send_json(
        actix_web::http::Method::PUT,
        "/api/v1/calendar/holidays",
        app.admin(),
        &json!({"year": 2026, "holidays": [{"date": "2026-13-01", "name": "x"}]}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let r = app.get("/api/v1/calendar/holidays?year=2026", app.admin()).await;
    assert_eq!(r.ok(200)["holidays"].as_array().unwrap().len(), 3);
    let bad = ["year=1999", "year=x", "month=2"];
    app.refuses_queries("/api/v1/calendar/holidays", &bad, app.admin())
        .await;
    app.get("/api/v1/calendar/holidays", None)
        .await
        .assert_problem(401, "unauthenticated");
}
