//! The organisation over time: the demo reorganisation, units at a date,
//! lineage, and recording reorganisations.

use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp};

fn codes(body: &Value) -> Vec<String> {
    let mut c: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect();
    c.sort();
    c
}

#[actix_web::test]
async fn the_2025_reorganisation_is_visible_at_each_date() {
    let app = TestApp::spawn_demo().await;
    let before = app.get("/api/v1/units?at=2025-06-30&kind=ward", app.admin()).await;
    let old: Vec<String> = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 15, 17]
        .iter()
        .map(|n| format!("PN-P{n:02}"))
        .collect();
    assert_eq!(codes(before.ok(200)), old);
    assert_eq!(before.body["items"][0]["name"]["vi"], "Phường 1");
    let after = app.get("/api/v1/units?at=2025-07-01&kind=ward", app.admin()).await;
    assert_eq!(codes(after.ok(200)), ["HCM-CAUKIEU", "HCM-DUCNHUAN", "HCM-PHUNHUAN"]);
    let schools = app
        .get("/api/v1/units?at=2026-01-01&kind=school&limit=100", app.admin())
        .await;
    assert_eq!(schools.items().len(), 18);
    assert!(
        schools.body["items"][0]["name"]["vi"]
            .as_str()
            .unwrap()
            .contains("dữ liệu mẫu")
    );

    // Old ward 15 was split: two successors, one default.
    let p15 = app.unit_id("PN-P15", "2025-06-30").await;
    let d = app
        .get(&format!("/api/v1/units/{p15}?at=2025-06-30"), app.admin())
        .await;
    let d = d.ok(200);
    assert_eq!(d["in_force"], true);
    assert_eq!(d["valid_to"], "2025-07-01");
    assert_eq!(d["ancestors"][0]["code"], "PN");
    assert_eq!(d["ancestors"][1]["code"], "HCM");
    let mut succ: Vec<(String, bool)> = d["successors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["unit"]["code"].as_str().unwrap().to_owned(),
                s["is_default"].as_bool().unwrap(),
            )
        })
        .collect();
    succ.sort();
    assert_eq!(
        succ,
        [("HCM-CAUKIEU".to_owned(), false), ("HCM-PHUNHUAN".to_owned(), true)]
    );
    assert_eq!(d["children"][0]["code"], "PN-S17");
    // Asked about today, the old ward is closed and its data counts toward
    // Phú Nhuận ward.
    let d = app
        .get(&format!("/api/v1/units/{p15}?at=2026-03-01"), app.admin())
        .await;
    assert_eq!(d.ok(200)["in_force"], false);
    assert_eq!(d.body["counts_toward"]["code"], "HCM-PHUNHUAN");
    assert_eq!(d.body["children"], json!([]));

    // The new ward shows where its history comes from, assumptions marked.
    let pn = app.unit_id("HCM-PHUNHUAN", "2026-01-01").await;
    let d = app.get(&format!("/api/v1/units/{pn}"), app.admin()).await;
    let preds = d.ok(200)["predecessors"].as_array().unwrap().clone();
    let mut from: Vec<String> = preds
        .iter()
        .map(|p| p["unit"]["code"].as_str().unwrap().to_owned())
        .collect();
    from.sort();
    assert_eq!(
        from,
        ["PN-P03", "PN-P08", "PN-P10", "PN-P11", "PN-P13", "PN-P15", "PN-P17"]
    );
    let assumed: Vec<&str> = preds
        .iter()
        .filter(|p| p["assumption"] == true)
        .map(|p| p["unit"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(assumed.len(), 2);
    assert!(assumed.contains(&"PN-P03") && assumed.contains(&"PN-P17"));
    assert_eq!(d.body["valid_from"], "2025-07-01");

    // A school moved with its ward, keeping its identity.
    let school = app.unit_id("PN-S05", "2025-01-01").await;
    let d = app
        .get(&format!("/api/v1/units/{school}?at=2025-06-30"), app.admin())
        .await;
    assert_eq!(d.ok(200)["ancestors"][0]["code"], "PN-P04");
    let d = app
        .get(&format!("/api/v1/units/{school}?at=2025-07-01"), app.admin())
        .await;
    assert_eq!(d.ok(200)["ancestors"][0]["code"], "HCM-DUCNHUAN");
    assert_eq!(d.body["parents"].as_array().unwrap().len(), 2);
    let under = app
        .get(
            &format!(
                "/api/v1/units?at=2025-07-01&parent_id={}",
                app.unit_id("HCM-DUCNHUAN", "2026-01-01").await
            ),
            app.admin(),
        )
        .await;
    assert_eq!(codes(under.ok(200)), ["PN-S05", "PN-S06", "PN-S07", "PN-S11"]);

    let list = app.get("/api/v1/reorganisations", app.admin()).await;
    let list = list.items().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["effective_on"], "2025-07-01");
    assert_eq!(list[0]["lineage"].as_array().unwrap().len(), 14);
    assert_eq!(list[0]["opened"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn units_page_through_the_tree() {
    let app = TestApp::spawn_demo().await;
    let mut all = Vec::new();
    let mut path = "/api/v1/units?at=2024-06-01&limit=7".to_owned();
    loop {
        let r = app.get(&path, app.admin()).await;
        let body = r.ok(200).clone();
        assert!(body["items"].as_array().unwrap().len() <= 7);
        all.extend(codes(&body));
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/units?at=2024-06-01&limit=7&cursor={c}"),
            None => break,
        }
    }
    // City, district, council, care centre, 13 wards, 18 schools.
    assert_eq!(all.len(), 35);
    all.dedup();
    assert_eq!(all.len(), 35);
    let before_records = app.get("/api/v1/units?at=2023-01-01", app.admin()).await;
    assert_eq!(before_records.ok(200)["items"], json!([]));
}

#[actix_web::test]
async fn admin_adds_and_corrects_units() {
    let app = TestApp::spawn_demo().await;
    let ward = app.unit_id("HCM-CAUKIEU", "2026-01-01").await;
    let r = app
        .post(
            "/api/v1/units",
            app.admin(),
            &json!({"kind": "school", "code": "PN-S19", "name": {"vi": "Liên đội Trường THCS Hoa Sen (dữ liệu mẫu)", "en": "Hoa Sen"}, "parent_id": ward, "valid_from": "2026-09-01"}),
        )
        .await;
    let created = r.ok(201).clone();
    assert_eq!(created["code"], "PN-S19");
    assert_eq!(created["parent_id"], ward.as_str());
    assert_eq!(created["ancestors"][0]["code"], "HCM-CAUKIEU");
    let id = created["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/units/{id}"),
            app.admin(),
            &json!({"name": {"vi": "Liên đội THCS Hoa Sen"}, "note": "Mở năm học 2026–2027"}),
        )
        .await;
    assert_eq!(r.ok(200)["name"]["vi"], "Liên đội THCS Hoa Sen");
    assert_eq!(r.body["name"]["en"], Value::Null);
    assert_eq!(r.body["note"], "Mở năm học 2026–2027");
    let r = app
        .patch(&format!("/api/v1/units/{id}"), app.admin(), &json!({"note": null}))
        .await;
    assert_eq!(r.ok(200)["note"], Value::Null);
    assert_eq!(r.body["code"], "PN-S19");
}

#[actix_web::test]
async fn bad_units_are_refused() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S01", "2026-01-01").await;
    let old_ward = app.unit_id("PN-P01", "2025-01-01").await;
    let count = || async {
        app.get("/api/v1/units?limit=100", app.admin()).await.body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;
    let post = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/units", app.admin(), &body).await }
    };
    post(json!({"kind": "planet", "code": "có dấu", "name": {"vi": " "}, "parent_id": school}))
        .await
        .assert_fields(&[
            ("kind", "unknown_value"),
            ("code", "invalid_code"),
            ("name.vi", "required"),
        ]);
    post(json!({"kind": "school", "code": "X1", "name": {"vi": "A"}, "parent_id": school}))
        .await
        .assert_fields(&[("parent_id", "kind_not_allowed")]);
    post(json!({"kind": "school", "code": "X1", "name": {"vi": "A"}, "parent_id": old_ward}))
        .await
        .assert_fields(&[("parent_id", "not_in_force")]);
    post(json!({"kind": "school", "code": "X1", "name": {"vi": "A"}, "parent_id": school, "valid_from": "1800-01-01"}))
        .await
        .assert_fields(&[("valid_from", "out_of_range"), ("parent_id", "not_in_force")]);
    post(json!({"kind": "school", "code": "X1", "name": {"vi": "A"}}))
        .await
        .assert_fields(&[("parent_id", "required")]);
    post(json!({"kind": "school", "code": "X1", "name": {"vi": "A"}, "parent_id": uuid::Uuid::now_v7()}))
        .await
        .assert_fields(&[("parent_id", "unknown_unit")]);
    post(json!({"kind": "school", "code": "PN-S01", "name": {"vi": "A"}, "parent_id": app.unit_id("HCM-CAUKIEU", "2026-01-01").await}))
        .await
        .assert_problem(409, "unit_code_taken");
    assert_eq!(count().await, before, "nothing stored");
    app.patch(
        &format!("/api/v1/units/{school}"),
        app.admin(),
        &json!({"code": "PN-S02"}),
    )
    .await
    .assert_problem(409, "unit_code_taken");
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(format!("/api/v1/units/{school}"), json!({"parent_id": old_ward})),
            &[("parent_id", "unknown_field")],
        ),
        (
            Call::patch(format!("/api/v1/units/{school}"), json!({"name": {"vi": ""}})),
            &[("name.vi", "required")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    let missing = uuid::Uuid::now_v7();
    let not_found = [
        Call::get(format!("/api/v1/units/{missing}")),
        Call::patch(format!("/api/v1/units/{missing}"), json!({"note": "x"})),
    ];
    app.refuses(&not_found, &[app.admin()], 404, "not_found").await;
    app.get(&format!("/api/v1/units/{school}?at=yesterday"), app.admin())
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn only_admins_change_the_organisation_but_all_staff_read_it() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S01", "2026-01-01").await;
    let agency = app.first_agency().await;
    let tokens = app.non_admin_tokens(Some(&school), Some(&agency)).await;
    for (role, token) in &tokens {
        let t = Some(token.as_str());
        assert_eq!(app.get("/api/v1/units?kind=ward", t).await.status, 200, "{role}");
        assert_eq!(
            app.get(&format!("/api/v1/units/{school}"), t).await.status,
            200,
            "{role}"
        );
        assert_eq!(app.get("/api/v1/reorganisations", t).await.status, 200, "{role}");
        let forbidden = [
            Call::post(
                "/api/v1/units",
                json!({"kind": "school", "code": "X", "name": {"vi": "X"}, "parent_id": school}),
            ),
            Call::patch(format!("/api/v1/units/{school}"), json!({"note": "x"})),
            Call::post(
                "/api/v1/reorganisations",
                json!({"effective_on": "2027-01-01", "title": "x", "close": [school]}),
            ),
        ];
        app.refuses(&forbidden, &[t], 403, "forbidden").await;
    }
    let unauthenticated = [
        Call::get("/api/v1/units"),
        Call::get(format!("/api/v1/units/{school}")),
        Call::get("/api/v1/reorganisations"),
        Call::post("/api/v1/units", json!({})),
        Call::patch(format!("/api/v1/units/{school}"), json!({})),
        Call::post("/api/v1/reorganisations", json!({})),
    ];
    app.refuses(&unauthenticated, &[None], 401, "unauthenticated").await;
}

/// A small organisation of its own: a city with two wards and a school.
async fn small_org(app: &TestApp) -> (String, String, String, String) {
    let mk = |body: Value| async move { app.post("/api/v1/units", app.admin(), &body).await.created() };
    let city = mk(json!({"kind": "city", "code": "C", "name": {"vi": "Thành phố"}, "valid_from": "2020-01-01"})).await;
    let w1 = mk(json!({"kind": "ward", "code": "W1", "name": {"vi": "Phường A"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let w2 = mk(json!({"kind": "ward", "code": "W2", "name": {"vi": "Phường B"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let s = mk(
        json!({"kind": "school", "code": "S", "name": {"vi": "Liên đội"}, "parent_id": w1, "valid_from": "2020-01-01"}),
    )
    .await;
    (city, w1, w2, s)
}

#[actix_web::test]
async fn admin_records_a_merge_with_a_moved_school() {
    let app = TestApp::spawn().await;
    let (city, w1, w2, s) = small_org(&app).await;
    let r = app
        .post(
            "/api/v1/reorganisations",
            app.admin(),
            &json!({
                "effective_on": "2026-01-01", "title": "Sáp nhập phường A và B",
                "close": [w1, w2],
                "open": [{"ref": "ab", "kind": "ward", "code": "W-AB", "name": {"vi": "Phường AB"}, "parent_id": city}],
                "moves": [{"unit_id": s, "parent_ref": "ab"}],
                "lineage": [{"from": w1, "to_ref": "ab"}, {"from": w2, "to_ref": "ab"}]
            }),
        )
        .await;
    let body = r.ok(201).clone();
    assert_eq!(body["title"], "Sáp nhập phường A và B");
    assert_eq!(body["opened"][0]["code"], "W-AB");
    assert!(
        body["lineage"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["is_default"] == true)
    );
    let wards = app.get("/api/v1/units?at=2026-01-01&kind=ward", app.admin()).await;
    assert_eq!(codes(wards.ok(200)), ["W-AB"]);
    let wards = app.get("/api/v1/units?at=2025-12-31&kind=ward", app.admin()).await;
    assert_eq!(codes(wards.ok(200)), ["W1", "W2"]);
    let d = app.get(&format!("/api/v1/units/{s}?at=2026-02-01"), app.admin()).await;
    assert_eq!(d.ok(200)["ancestors"][0]["code"], "W-AB");
    let d = app.get(&format!("/api/v1/units/{w2}?at=2026-02-01"), app.admin()).await;
    assert_eq!(d.ok(200)["counts_toward"]["code"], "W-AB");
    let events = app.audit("reorganisation", body["id"].as_str().unwrap()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "reorganisation.create");
    assert_eq!(events[0].after.as_ref().unwrap()["closed"].as_array().unwrap().len(), 2);
    // The same units cannot be closed twice.
    let again = app
        .post(
            "/api/v1/reorganisations",
            app.admin(),
            &json!({"effective_on": "2026-06-01", "title": "Lần nữa", "close": [w1], "lineage": [{"from": w1, "to_unit_id": w2}]}),
        )
        .await;
    again.assert_fields(&[("close[0]", "not_in_force")]);
}

#[actix_web::test]
async fn reorganisations_that_cannot_work_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (city, w1, w2, s) = small_org(&app).await;
    let post = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/reorganisations", app.admin(), &body).await }
    };
    // A closed unit without successor, and with a school left under it.
    post(json!({"effective_on": "2026-01-01", "title": "x", "close": [w1]}))
        .await
        .assert_fields(&[("close[0]", "no_successor"), ("close[0]", "children_left")]);
    // A split needs exactly one default successor.
    post(json!({
        "effective_on": "2026-01-01", "title": "Chia", "close": [w2],
        "open": [
            {"ref": "a", "kind": "ward", "code": "WA", "name": {"vi": "A"}, "parent_id": city},
            {"ref": "b", "kind": "ward", "code": "WB", "name": {"vi": "B"}, "parent_id": city}
        ],
        "lineage": [{"from": w2, "to_ref": "a"}, {"from": w2, "to_ref": "b"}]
    }))
    .await
    .assert_fields(&[("close[0]", "default_successor_required")]);
    // Moving a ward under its own school: wrong kind and a cycle.
    post(json!({"effective_on": "2026-01-01", "title": "x", "moves": [{"unit_id": w1, "parent_id": s}]}))
        .await
        .assert_fields(&[("moves[0].parent", "kind_not_allowed"), ("moves[0].parent", "cycle")]);
    // Nothing at all, unknown refs, ambiguous targets, bad fields.
    let reorganisation = |body: Value| Call::post("/api/v1/reorganisations", body);
    let invalid: &[(Call, Fields)] = &[
        (
            reorganisation(json!({"effective_on": "2026-01-01", "title": "x"})),
            &[("close", "empty_reorganisation")],
        ),
        (
            reorganisation(
                json!({"effective_on": "2026-01-01", "title": "x", "close": [w2], "lineage": [{"from": w2, "to_ref": "nowhere"}]}),
            ),
            &[("lineage[0].to", "unknown_ref")],
        ),
        (
            reorganisation(
                json!({"effective_on": "2026-01-01", "title": "x", "close": [w2], "lineage": [{"from": w2, "to_ref": "a", "to_unit_id": w1}]}),
            ),
            &[("lineage[0].to_unit_id", "ambiguous")],
        ),
        (
            reorganisation(
                json!({"effective_on": "2026-01-01", "title": "", "close": [w2], "lineage": [{"from": w2, "to_unit_id": w1}]}),
            ),
            &[("title", "invalid_length")],
        ),
        (
            reorganisation(
                json!({"effective_on": "2019-01-01", "title": "x", "close": [w2], "lineage": [{"from": w2, "to_unit_id": w1}]}),
            ),
            &[("close[0]", "not_in_force")],
        ),
        (
            reorganisation(
                json!({"effective_on": "0900-07-01", "title": "x", "close": [w2], "lineage": [{"from": w2, "to_unit_id": w1}]}),
            ),
            &[("effective_on", "out_of_range")],
        ),
        (
            reorganisation(json!({"effective_on": "01/07/2025", "title": "x"})),
            &[("effective_on", "invalid_type")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    post(json!({
        "effective_on": "2026-01-01", "title": "x", "close": [w2],
        "open": [{"ref": "n", "kind": "ward", "code": "W1", "name": {"vi": "N"}, "parent_id": city}],
        "lineage": [{"from": w2, "to_ref": "n"}]
    }))
    .await
    .assert_fields(&[("open[0].code", "code_taken")]);
    assert_eq!(
        app.get("/api/v1/reorganisations", app.admin()).await.ok(200)["items"],
        json!([])
    );
    let wards = app.get("/api/v1/units?at=2026-06-01&kind=ward", app.admin()).await;
    assert_eq!(codes(wards.ok(200)), ["W1", "W2"]);
    // A plain merge of one ward into the other works.
    post(json!({"effective_on": "2026-01-01", "title": "Nhập phường B vào A", "close": [w2], "lineage": [{"from": w2, "to_unit_id": w1}]}))
        .await
        .ok(201);
}
