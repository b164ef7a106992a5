//! Offline events: attendance, issues raised in the room, scope and roles.

use serde_json::{Value, json};

use crate::support::{Call, TestApp, strings};

fn dialogue(unit: &str) -> Value {
    json!({"kind": "dialogue", "unit_id": unit, "held_on": "2026-10-15",
    "title": "Đối thoại giữa Ban Giám hiệu và học sinh", "children_attending": 42,
    "children_by_age_band": {"12-14": 40, "15-17": 2}, "children_by_school_level": {"lower_secondary": 42},
    "adults_attending": 6, "notes": "Học sinh khối 7 và 8",
    "issues": [
        {"title": "Nhà vệ sinh thiếu xà phòng", "body": "Các bạn đề nghị bổ sung. Liên hệ 0903 123 456.", "topic": "school_participation"},
        {"title": "Giúp bạn em", "body": "Bố em say rượu về đánh em"}
    ]})
}

#[actix_web::test]
async fn a_facilitator_records_an_event_with_its_issues() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (_, tpt) = app.user("tpt.sukien", "facilitator", Some(&school), None).await;
    let r = app.post("/api/v1/events", Some(&tpt), &dialogue(&school)).await;
    let e = r.ok(201).clone();
    assert_eq!(e["kind"], "dialogue");
    assert_eq!(e["counts_as_consultation"], true);
    assert_eq!(e["children_by_age_band"], json!({"12-14": 40, "15-17": 2}));
    assert_eq!(e["issues"].as_array().unwrap().len(), 2);
    assert_eq!(e["issues"][0]["status"], "new");
    assert_eq!(e["issues"][1]["status"], "withheld");
    let db = app.storage().await;
    let first =
        langnghe_storage::participation::get_issue(&db, e["issues"][0]["id"].as_str().unwrap().parse().unwrap())
            .await
            .unwrap();
    assert!(!first.body.contains("0903"), "{}", first.body);
    let cases = langnghe_storage::participation::cases(&db).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].original_text, "Bố em say rượu về đánh em");
    db.close().await.ok();
    let id = e["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/events/{id}"), Some(&tpt)).await.ok(200), &e);
    let r = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&tpt),
            &json!({"children_attending": 44, "children_by_age_band": {"12-14": 44}, "children_by_school_level": null}),
        )
        .await;
    assert_eq!(r.ok(200)["children_attending"], 44);
    assert_eq!(r.body["children_by_school_level"], Value::Null);
    // A training is not a consultation and says who was trained.
    let training = json!({"kind": "training", "audience": "commanders", "unit_id": school, "held_on": "2026-09-01",
        "title": "Tập huấn chỉ huy Đội", "children_attending": 30, "adults_attending": 2});
    let r = app.post("/api/v1/events", Some(&tpt), &training).await;
    assert_eq!(r.ok(201)["counts_as_consultation"], false);
    let list = app.get("/api/v1/events?kind=training", Some(&tpt)).await;
    assert_eq!(list.items().len(), 1);
    let list = app
        .get("/api/v1/events?from=2026-10-01&to=2026-10-31", app.admin())
        .await;
    assert_eq!(list.items().len(), 1);
    let events = app.audit("event", id).await;
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["event.create", "event.update"]
    );
}

#[actix_web::test]
async fn bad_events_are_refused_and_store_nothing() {
    let app = TestApp::spawn_demo().await;
    let [school, other] = app.units(["PN-S06", "PN-S01"]).await;
    let (_, tpt) = app.user("tpt.sai", "facilitator", Some(&school), None).await;
    let mut bad = dialogue(&other);
    bad["kind"] = json!("party");
    bad["audience"] = json!("parents");
    bad["held_on"] = json!("2999-01-01");
    bad["children_by_age_band"] = json!({"12-14": 40, "3-5": 1});
    bad["issues"][0]["topic"] = json!("weather");
    app.post("/api/v1/events", Some(&tpt), &bad).await.assert_fields(&[
        ("kind", "unknown_value"),
        ("held_on", "out_of_range"),
        ("unit_id", "outside_scope"),
        ("children_by_age_band.3-5", "unknown_value"),
        ("children_by_age_band", "does_not_add_up"),
        ("issues[0].topic", "unknown_topic"),
    ]);
    let mut training = dialogue(&school);
    training["kind"] = json!("training");
    training["issues"] = json!([]);
    app.post("/api/v1/events", Some(&tpt), &training)
        .await
        .assert_fields(&[("audience", "required")]);
    let mut future = dialogue(&school);
    future["held_on"] = json!((app.day() + chrono::Duration::days(30)).to_string());
    app.post("/api/v1/events", Some(&tpt), &future)
        .await
        .assert_fields(&[("held_on", "in_the_future")]);
    let mut negative = dialogue(&school);
    negative["children_attending"] = json!(-1);
    app.post("/api/v1/events", Some(&tpt), &negative)
        .await
        .assert_fields(&[("children_attending", "out_of_range")]);
    assert_eq!(
        app.get("/api/v1/events", app.admin()).await.ok(200)["items"],
        json!([]),
        "nothing stored"
    );
    let db = app.storage().await;
    assert!(langnghe_storage::participation::cases(&db).await.unwrap().is_empty());
    db.close().await.ok();
    app.get("/api/v1/events?kind=party", app.admin())
        .await
        .assert_problem(400, "invalid_query");
    let missing = uuid::Uuid::now_v7();
    let not_found = [
        Call::get(format!("/api/v1/events/{missing}")),
        Call::patch(format!("/api/v1/events/{missing}"), json!({"title": "x"})),
    ];
    app.refuses(&not_found, &[app.admin()], 404, "not_found").await;
}

#[actix_web::test]
async fn events_are_scoped_and_role_checked() {
    let app = TestApp::spawn_demo().await;
    let [school, other] = app.units(["PN-S06", "PN-S01"]).await;
    let (_, tpt) = app.user("tpt.a", "facilitator", Some(&school), None).await;
    let theirs = app
        .post("/api/v1/events", app.admin(), &dialogue(&other))
        .await
        .created();
    let mine = app
        .post("/api/v1/events", Some(&tpt), &dialogue(&school))
        .await
        .created();
    let list = app.get("/api/v1/events", Some(&tpt)).await;
    let ids = strings(list.ok(200), "items", "id");
    assert_eq!(ids, [mine.as_str()]);
    let all = app.get("/api/v1/events?limit=1", app.admin()).await;
    assert_eq!(all.items().len(), 1);
    let cursor = all.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(&format!("/api/v1/events?limit=1&cursor={cursor}"), app.admin())
        .await;
    assert_eq!(rest.ok(200)["items"][0]["id"], mine.as_str());
    assert_eq!(rest.body["next_cursor"], Value::Null);
    // Each listed event carries the issues raised there.
    for page in [&all.body, &rest.body] {
        assert_eq!(page["items"][0]["issues"].as_array().unwrap().len(), 2);
    }
    let not_found = [
        Call::get(format!("/api/v1/events/{theirs}")),
        Call::patch(format!("/api/v1/events/{theirs}"), json!({"title": "x"})),
    ];
    app.refuses(&not_found, &[Some(&tpt)], 404, "not_found").await;
    let (_, moderator) = app.user("mod.e", "moderator", None, None).await;
    assert_eq!(app.get("/api/v1/events", Some(&moderator)).await.items().len(), 2);
    let forbidden = [
        Call::post("/api/v1/events", dialogue(&school).clone()),
        Call::patch(format!("/api/v1/events/{mine}"), json!({"title": "x"})),
    ];
    app.refuses(&forbidden, &[Some(&moderator)], 403, "forbidden").await;
    let (_, sg) = app.user("sg.e", "safeguarding_officer", None, None).await;
    let forbidden = [Call::get("/api/v1/events"), Call::get(format!("/api/v1/events/{mine}"))];
    app.refuses(&forbidden, &[Some(&sg)], 403, "forbidden").await;
    let unauthenticated = [
        Call::get("/api/v1/events"),
        Call::post("/api/v1/events", dialogue(&school).clone()),
    ];
    app.refuses(&unauthenticated, &[None], 401, "unauthenticated").await;
}
