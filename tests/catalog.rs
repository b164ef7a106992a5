//! Topics and agencies.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp, strings};

#[actix_web::test]
async fn demo_topics_and_agencies_are_seeded() {
    let app = TestApp::spawn_demo().await;
    let topics = app.get("/api/v1/topics", app.admin()).await;
    let slugs = strings(topics.ok(200), "items", "slug");
    assert_eq!(slugs.len(), 10);
    for s in [
        "education",
        "safety",
        "abuse_prevention",
        "online_safety",
        "drowning_fire",
        "play_spaces",
        "family",
        "health",
        "summer",
        "school_participation",
    ] {
        assert!(slugs.contains(&s), "{s}");
    }
    let mut pages = 0;
    let mut walked = Vec::new();
    let mut path = "/api/v1/topics?limit=3".to_owned();
    loop {
        let body = app.get(&path, app.admin()).await.ok(200).clone();
        pages += 1;
        walked.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["slug"].as_str().unwrap().to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/topics?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!((pages, walked.len()), (4, 10));
    let mut all = Vec::new();
    let mut path = "/api/v1/agencies?limit=10".to_owned();
    loop {
        let r = app.get(&path, app.admin()).await;
        let body = r.ok(200).clone();
        all.extend(body["items"].as_array().unwrap().clone());
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/agencies?limit=10&cursor={c}"),
            None => break,
        }
    }
    // Education, social affairs, Women's Union, culture department,
    // three ward People's Committees and 18 school boards.
    assert_eq!(all.len(), 25);
    let edu = all.iter().find(|a| a["kind"] == "education_office").unwrap();
    assert_eq!(edu["name"]["vi"], "Phòng Giáo dục và Đào tạo quận Phú Nhuận");
    assert!(
        edu["topics"]
            .as_array()
            .unwrap()
            .contains(&json!("school_participation"))
    );
    let online = app.get("/api/v1/agencies?topic=online_safety", app.admin()).await;
    assert_eq!(online.items().len(), 1);
    let ward = app.unit_id("HCM-DUCNHUAN", "2026-01-01").await;
    let local = app
        .get(&format!("/api/v1/agencies?jurisdiction_unit_id={ward}"), app.admin())
        .await;
    assert_eq!(
        local.ok(200)["items"][0]["name"]["vi"],
        "Ủy ban nhân dân phường Đức Nhuận"
    );
    app.get("/api/v1/agencies?topic=nothing", app.admin())
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn admin_manages_topics() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/topics", app.admin(), &json!({"slug": "online_safety", "name": {"vi": "An toàn trên mạng", "en": "Online safety"}, "description": {"vi": "Lừa đảo, bắt nạt qua mạng"}}))
        .await;
    let t = r.ok(201).clone();
    assert_eq!(t["slug"], "online_safety");
    assert_eq!(t["active"], true);
    assert_eq!(t["description"]["vi"], "Lừa đảo, bắt nạt qua mạng");
    let id = t["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/topics/{id}"),
            app.admin(),
            &json!({"active": false, "description": null}),
        )
        .await;
    assert_eq!(r.ok(200)["active"], false);
    assert_eq!(r.body["description"], Value::Null);
    assert_eq!(r.body["name"]["en"], "Online safety");
    assert_eq!(
        app.get("/api/v1/topics?active=true", app.admin()).await.ok(200)["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/topics?active=false", app.admin()).await.items().len(),
        1
    );
    app.post(
        "/api/v1/topics",
        app.admin(),
        &json!({"slug": "health", "name": {"vi": "Sức khỏe"}}),
    )
    .await
    .ok(201);
    let topic_slug_taken = [
        Call::post("/api/v1/topics", json!({"slug": "health", "name": {"vi": "Lặp"}})),
        Call::patch(format!("/api/v1/topics/{id}"), json!({"slug": "health"})),
    ];
    app.refuses(&topic_slug_taken, &[app.admin()], 409, "topic_slug_taken")
        .await;
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(
                "/api/v1/topics",
                json!({"slug": "Sức khỏe", "name": {"vi": ""}, "description": {"vi": "x", "en": "y".repeat(2001)}}),
            ),
            &[
                ("slug", "invalid_slug"),
                ("name.vi", "required"),
                ("description.en", "too_long"),
            ],
        ),
        (
            Call::patch(format!("/api/v1/topics/{id}"), json!({"slug": "-"})),
            &[("slug", "invalid_slug")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    app.patch(
        &format!("/api/v1/topics/{}", uuid::Uuid::now_v7()),
        app.admin(),
        &json!({"active": true}),
    )
    .await
    .assert_problem(404, "not_found");
    app.patch("/api/v1/topics/x", app.admin(), &json!({"active": true}))
        .await
        .assert_problem(400, "invalid_path");
    assert_eq!(app.get("/api/v1/topics", app.admin()).await.items().len(), 2);
}

#[actix_web::test]
async fn admin_manages_agencies() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let r = app
        .post(
            "/api/v1/agencies",
            app.admin(),
            &json!({"name": {"vi": "Công an quận Phú Nhuận", "en": "Phu Nhuan District Police"}, "kind": "police", "jurisdiction_unit_id": district, "topics": ["safety", "online_safety"], "contact": {"email": "ca@example.gov.vn", "phone": "028 3844 0000"}}),
        )
        .await;
    let a = r.ok(201).clone();
    assert_eq!(a["topics"], json!(["online_safety", "safety"]));
    assert_eq!(a["contact"]["email"], "ca@example.gov.vn");
    let id = a["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/agencies/{id}"), app.admin()).await.ok(200),
        &a
    );
    let r = app
        .patch(
            &format!("/api/v1/agencies/{id}"),
            app.admin(),
            &json!({"topics": ["abuse_prevention"], "active": false}),
        )
        .await;
    assert_eq!(r.ok(200)["topics"], json!(["abuse_prevention"]));
    assert_eq!(r.body["active"], false);
    assert_eq!(r.body["contact"]["phone"], "028 3844 0000");
    assert_eq!(r.body["kind"], "police");
    let inactive = app.get("/api/v1/agencies?active=false", app.admin()).await;
    assert_eq!(inactive.items().len(), 1);
}

#[actix_web::test]
async fn bad_agencies_are_refused_and_store_nothing() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let count = || async {
        app.get("/api/v1/agencies?limit=100", app.admin()).await.body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(
                "/api/v1/agencies",
                json!({"name": {"vi": ""}, "kind": "bank", "jurisdiction_unit_id": uuid::Uuid::now_v7(), "topics": ["safety", "weather"], "contact": {"email": "not-mail", "phone": "12"}}),
            ),
            &[
                ("name.vi", "required"),
                ("kind", "unknown_value"),
                ("jurisdiction_unit_id", "unknown_unit"),
                ("topics[1]", "unknown_topic"),
                ("contact.email", "invalid_email"),
                ("contact.phone", "invalid_phone"),
            ],
        ),
        (
            Call::post("/api/v1/agencies", json!({"name": {"vi": "X"}, "kind": "other"})),
            &[("jurisdiction_unit_id", "required")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    assert_eq!(count().await, before);
    let some = app.get("/api/v1/agencies?limit=1", app.admin()).await.body["items"][0].clone();
    let id = some["id"].as_str().unwrap();
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(format!("/api/v1/agencies/{id}"), json!({"kind": "bank"})),
            &[("kind", "unknown_value")],
        ),
        (
            Call::patch(
                format!("/api/v1/agencies/{id}"),
                json!({"jurisdiction_unit_id": district, "colour": 1}),
            ),
            &[("colour", "unknown_field")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    assert_eq!(
        app.get(&format!("/api/v1/agencies/{id}"), app.admin()).await.ok(200),
        &some
    );
    let missing = uuid::Uuid::now_v7();
    let not_found = [
        Call::get(format!("/api/v1/agencies/{missing}")),
        Call::patch(format!("/api/v1/agencies/{missing}"), json!({"active": false})),
    ];
    app.refuses(&not_found, &[app.admin()], 404, "not_found").await;
    app.get("/api/v1/agencies/abc", app.admin())
        .await
        .assert_problem(400, "invalid_path");
}

#[actix_web::test]
async fn staff_read_the_catalog_but_only_admins_change_it() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S01", "2026-01-01").await;
    let agency = app.first_agency().await;
    let topic = app.get("/api/v1/topics", app.admin()).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tokens = app.non_admin_tokens(Some(&school), Some(&agency)).await;
    let writes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/topics".into(),
            json!({"slug": "new_one", "name": {"vi": "Mới"}}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/topics/{topic}"),
            json!({"active": false}),
        ),
        (
            Method::POST,
            "/api/v1/agencies".into(),
            json!({"name": {"vi": "X"}, "kind": "other", "jurisdiction_unit_id": school}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/agencies/{agency}"),
            json!({"active": false}),
        ),
    ];
    for (role, token) in &tokens {
        let t = Some(token.as_str());
        assert_eq!(app.get("/api/v1/topics", t).await.status, 200, "{role}");
        assert_eq!(app.get("/api/v1/agencies", t).await.status, 200, "{role}");
        assert_eq!(
            app.get(&format!("/api/v1/agencies/{agency}"), t).await.status,
            200,
            "{role}"
        );
        for (method, path, body) in &writes {
            app.send_json(method.clone(), path, t, body)
                .await
                .assert_problem(403, "forbidden");
        }
    }
    for (method, path, body) in &writes {
        app.send_json(method.clone(), path, None, body)
            .await
            .assert_problem(401, "unauthenticated");
    }
    let unauthenticated = [
        Call::get("/api/v1/topics"),
        Call::get("/api/v1/agencies"),
        Call::get(format!("/api/v1/agencies/{agency}")),
    ];
    app.refuses(&unauthenticated, &[None], 401, "unauthenticated").await;
    assert_eq!(
        app.get("/api/v1/topics?active=true", app.admin()).await.items().len(),
        10
    );
}
