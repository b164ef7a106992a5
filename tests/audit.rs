//! The audit log over HTTP: admins read every change with who, when, what,
//! before and after; nobody else reads it and nothing writes it.

use actix_web::http::Method;
use chrono::Duration;
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn admins_read_every_change_with_before_and_after() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let (mod_id, moderator) = app.user("kiem.duyet", "moderator", None, None).await;
    let r = app
        .post(
            "/api/v1/agencies",
            app.admin(),
            &json!({"name": {"vi": "Trung tâm Văn hóa quận"}, "kind": "other", "jurisdiction_unit_id": district, "topics": ["play_spaces"]}),
        )
        .await;
    let agency = r.created();
    app.patch(
        &format!("/api/v1/agencies/{agency}"),
        app.admin(),
        &json!({"name": {"vi": "Trung tâm Văn hóa - Thể thao quận"}}),
    )
    .await
    .ok(200);

    // The agency's history: created, then renamed, by the admin.
    let r = app
        .get(&format!("/api/v1/audit?entity=agency&entity_id={agency}"), app.admin())
        .await;
    let items = r.items().clone();
    assert_eq!(items.len(), 2, "{}", r.text);
    assert_eq!(items[0]["action"], "agency.create");
    assert_eq!(items[0]["actor"], "admin");
    assert_eq!(items[0]["before"], serde_json::Value::Null);
    assert_eq!(items[1]["action"], "agency.update");
    assert!(items[1]["before"].to_string().contains("Trung tâm Văn hóa quận"));
    assert!(items[1]["after"].to_string().contains("Thể thao"));
    assert!(
        items[0]["id"].as_str().unwrap() < items[1]["id"].as_str().unwrap(),
        "oldest first"
    );

    // By actor: the account the admin created is in the admin's changes,
    // the system's seeding is not; by label, the seeding is.
    let me = app.get("/api/v1/me", app.admin()).await.string(200, "id");
    let r = app
        .get(&format!("/api/v1/audit?actor={me}&entity=user&limit=100"), app.admin())
        .await;
    let users: Vec<_> = r.items().clone();
    assert!(users.iter().any(|e| e["entity_id"] == mod_id.as_str()));
    assert!(users.iter().all(|e| e["actor_id"] == me.as_str()));
    assert!(!r.text.contains("argon2"), "no password hash in the log");
    let r = app.get("/api/v1/audit?actor=system&limit=100", app.admin()).await;
    assert!(r.items().iter().all(|e| e["actor"] == "system"));
    assert!(
        !r.body["items"].as_array().unwrap().is_empty(),
        "the demo was seeded by the system"
    );

    // By day: today has them, yesterday has none.
    let today = app.day();
    let r = app
        .get(
            &format!("/api/v1/audit?entity=agency&entity_id={agency}&from={today}&to={today}"),
            app.admin(),
        )
        .await;
    assert_eq!(r.items().len(), 2);
    let yesterday = today - Duration::days(1);
    let r = app
        .get(&format!("/api/v1/audit?entity=agency&to={yesterday}"), app.admin())
        .await;
    assert_eq!(r.ok(200)["items"], json!([]));

    // Pages: one at a time, no entry twice.
    let r = app
        .get(
            &format!("/api/v1/audit?entity=agency&entity_id={agency}&limit=1"),
            app.admin(),
        )
        .await;
    let first = r.ok(200).clone();
    let cursor = first["next_cursor"].as_str().unwrap();
    let r = app
        .get(
            &format!("/api/v1/audit?entity=agency&entity_id={agency}&limit=1&cursor={cursor}"),
            app.admin(),
        )
        .await;
    assert_eq!(r.ok(200)["items"][0]["action"], "agency.update");
    assert_eq!(r.body["next_cursor"], serde_json::Value::Null);

    // Nobody else reads it.
    let r = app.get("/api/v1/audit", Some(&moderator)).await;
    r.assert_problem(403, "forbidden");
    let r = app.get("/api/v1/audit", None).await;
    r.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn the_audit_log_refuses_bad_queries_and_cannot_be_written() {
    let app = TestApp::spawn_demo().await;
    let (_, facilitator) = app.facilitator("phu.trach", "PN-S06").await;
    let before = app.get("/api/v1/audit?entity=user", app.admin()).await.items().len();
    let bad = [
        "from=2026-13-01",
        "from=1800-01-01",
        "from=2026-11-02&to=2026-11-01",
        "limit=0",
        "limit=101",
        "entity=",
        "unknown=1",
    ];
    app.refuses_queries("/api/v1/audit", &bad, app.admin()).await;
    app.get("/api/v1/audit?entity_id=%00x", app.admin())
        .await
        .assert_problem(400, "invalid_character");
    app.get("/api/v1/audit?cursor=not-ours", app.admin())
        .await
        .assert_problem(400, "invalid_cursor");
    app.get("/api/v1/audit", Some(&facilitator))
        .await
        .assert_problem(403, "forbidden");
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let r = app
            .request(
                method,
                "/api/v1/audit",
                app.admin(),
                &[("Content-Type", "application/json")],
                Some(b"{}".to_vec()),
            )
            .await;
        r.assert_problem(405, "method_not_allowed");
    }
    // Refused requests and reading wrote nothing.
    let after = app.get("/api/v1/audit?entity=user", app.admin()).await.items().len();
    assert_eq!(after, before);
}
