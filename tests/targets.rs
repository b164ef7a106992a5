//! Targets measured as the plan means them, and the periods and scopes
//! the plan reports on: who attended a training, the school calendar,
//! progress and reports per term, per November work year and per unit.

use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp};

/// The progress row of the target with this metric, period and scope.
pub fn target_of<'a>(progress: &'a Value, metric: &str, period: &str, scope: &str) -> &'a Value {
    let wanted = |t: &Value| t["metric"] == metric && t["period"] == period && t["scope_unit_id"] == scope;
    crate::support::find(progress, "targets", wanted)
}

fn codes(units: &Value) -> Vec<String> {
    units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect()
}

fn training(unit: &str, audience: &str, adults: i32, children: i32, attendance: Value) -> Value {
    json!({"kind": "training", "audience": audience, "unit_id": unit, "held_on": "2026-03-10",
           "title": "Tập huấn kỹ năng làm việc với trẻ em", "children_attending": children,
           "adults_attending": adults, "attendance": attendance})
}

#[actix_web::test]
async fn a_training_records_who_attended_and_leaders_count_wherever_they_were_trained() {
    let app = TestApp::spawn_demo().await;
    let [district, s01, s02, s03, s06, ward] = app
        .units(["PN", "PN-S01", "PN-S02", "PN-S03", "PN-S06", "HCM-DUCNHUAN"])
        .await;

    // A district training that two schools' Pioneer leaders and a ward's
    // neighbourhood children's leaders attended.
    let body = training(
        &district,
        "pioneer_leaders",
        10,
        0,
        json!([
            {"unit_id": s01, "role": "pioneer_leaders", "people": 1},
            {"unit_id": s02, "role": "pioneer_leaders", "people": 2},
            {"unit_id": ward, "role": "neighbourhood_leaders", "people": 3}
        ]),
    );
    let r = app.post("/api/v1/events", app.admin(), &body).await;
    let e = r.ok(201).clone();
    assert_eq!(e["counts_as_consultation"], false);
    let mut lines = e["attendance"].as_array().unwrap().clone();
    lines.sort_by_key(|l| l["unit_id"].as_str().unwrap().to_owned());
    let mut want = vec![
        json!({"unit_id": s01, "role": "pioneer_leaders", "people": 1}),
        json!({"unit_id": s02, "role": "pioneer_leaders", "people": 2}),
        json!({"unit_id": ward, "role": "neighbourhood_leaders", "people": 3}),
    ];
    want.sort_by_key(|l| l["unit_id"].as_str().unwrap().to_owned());
    assert_eq!(lines, want);
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/events/{id}"), app.admin()).await.ok(200), &e);

    let progress = app.get("/api/v1/progress?year=2026", app.admin()).await.ok(200).clone();
    assert_eq!(progress["unit"]["code"], "PN");
    let leaders = target_of(&progress, "pioneer_leaders_trained_coverage", "2026", &district);
    assert!(
        (leaders["actual"].as_f64().unwrap() - 200.0 / 18.0).abs() < 1e-9,
        "{leaders}"
    );
    assert_eq!(leaders["status"], "behind");
    assert_eq!(leaders["plan_target"], 6);
    assert_eq!(leaders["uncovered_units"].as_array().unwrap().len(), 16);
    assert!(!codes(&leaders["uncovered_units"]).contains(&"PN-S01".to_owned()));
    assert_eq!(
        leaders["parts"],
        json!([
            {"name": "units_covered", "counts": "units", "value": 2, "added_to_actual": false},
            {"name": "units_in_scope", "counts": "units", "value": 18, "added_to_actual": false}
        ])
    );
    assert!(
        leaders["counting_rule"]["en"]
            .as_str()
            .unwrap()
            .contains("wherever it was held")
    );
    let wards = target_of(&progress, "neighbourhood_leaders_trained_coverage", "2026", &district);
    assert!(
        (wards["actual"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9,
        "{wards}"
    );
    assert_eq!(codes(&wards["uncovered_units"]), ["HCM-CAUKIEU", "HCM-PHUNHUAN"]);
    // The schools' and the ward's own targets.
    let own = |scope: &str, metric: &str| target_of(&progress, metric, "2026", scope)["actual"].clone();
    assert_eq!(own(&s01, "pioneer_leaders_trained_coverage"), 100.0);
    assert_eq!(
        target_of(&progress, "pioneer_leaders_trained_coverage", "2026", &s01)["status"],
        "met"
    );
    assert_eq!(own(&s03, "pioneer_leaders_trained_coverage"), 0.0);
    assert_eq!(own(&ward, "neighbourhood_leaders_trained_coverage"), 100.0);

    // A school's Pioneer leader records their own school's training; the
    // people they list are their own school's.
    let (_, tpt) = app.user("tpt.taphuan", "facilitator", Some(&s06), None).await;
    let own_training = training(
        &s06,
        "commanders",
        1,
        12,
        json!([{"unit_id": s06, "role": "commanders", "people": 12}, {"unit_id": s06, "role": "pioneer_leaders", "people": 1}]),
    );
    app.post("/api/v1/events", Some(&tpt), &own_training).await.ok(201);
    let elsewhere = training(
        &s06,
        "pioneer_leaders",
        2,
        0,
        json!([{"unit_id": s01, "role": "pioneer_leaders", "people": 1}]),
    );
    app.post("/api/v1/events", Some(&tpt), &elsewhere)
        .await
        .assert_fields(&[("attendance[0].unit_id", "outside_scope")]);

    // Bad attendance: every problem at once, and nothing stored.
    let before = app.get("/api/v1/events?limit=100", app.admin()).await.ok(200)["items"].clone();
    let bad = training(
        &district,
        "pioneer_leaders",
        1,
        0,
        json!([
            {"unit_id": s01, "role": "teachers", "people": 1},
            {"unit_id": s01, "role": "parents", "people": 0},
            {"unit_id": uuid::Uuid::now_v7(), "role": "parents", "people": 1},
            {"unit_id": s02, "role": "pioneer_leaders", "people": 1},
            {"unit_id": s02, "role": "pioneer_leaders", "people": 1}
        ]),
    );
    app.post("/api/v1/events", app.admin(), &bad).await.assert_fields(&[
        ("attendance[2].unit_id", "unknown_unit"),
        ("attendance[0].role", "unknown_value"),
        ("attendance[1].people", "out_of_range"),
        ("attendance[4]", "duplicate"),
        ("attendance", "does_not_add_up"),
    ]);
    let mut forum = training(
        &district,
        "pioneer_leaders",
        5,
        0,
        json!([{"unit_id": s01, "role": "pioneer_leaders", "people": 1}]),
    );
    forum["kind"] = json!("forum");
    forum["audience"] = Value::Null;
    app.post("/api/v1/events", app.admin(), &forum)
        .await
        .assert_fields(&[("attendance", "not_allowed")]);
    let children = training(
        &district,
        "commanders",
        0,
        3,
        json!([{"unit_id": s01, "role": "commanders", "people": 4}]),
    );
    app.post("/api/v1/events", app.admin(), &children)
        .await
        .assert_fields(&[("attendance", "does_not_add_up")]);
    let mut unknown = body.clone();
    unknown["attendance"][0]["seats"] = json!(1);
    assert_eq!(app.post("/api/v1/events", app.admin(), &unknown).await.status / 100, 4);
    assert_eq!(
        app.get("/api/v1/events?limit=100", app.admin()).await.ok(200)["items"],
        before,
        "nothing stored"
    );

    // Roles: only admins and facilitators record events.
    let (_, moderator) = app.user("mod.taphuan", "moderator", None, None).await;
    let (_, sg) = app.user("sg.taphuan", "safeguarding_officer", None, None).await;
    for token in [&moderator, &sg] {
        let forbidden = [
            Call::post("/api/v1/events", body.clone()),
            Call::patch(format!("/api/v1/events/{id}"), json!({"attendance": []})),
        ];
        app.refuses(&forbidden, &[Some(token)], 403, "forbidden").await;
    }
    app.post("/api/v1/events", None, &body)
        .await
        .assert_problem(401, "unauthenticated");

    // Corrections replace who attended; none recorded, a training counts
    // for its own unit and audience (here the district: no school).
    let r = app
        .patch(
            &format!("/api/v1/events/{id}"),
            app.admin(),
            &json!({"attendance": [{"unit_id": s03, "role": "pioneer_leaders", "people": 1}]}),
        )
        .await;
    assert_eq!(
        r.ok(200)["attendance"],
        json!([{"unit_id": s03, "role": "pioneer_leaders", "people": 1}])
    );
    let progress = app.get("/api/v1/progress?year=2026", app.admin()).await.ok(200).clone();
    let covered = |p: &Value| {
        let mut all: Vec<String> = app_codes(p, &district);
        all.sort();
        all
    };
    assert_eq!(
        covered(&progress),
        ["PN-S03", "PN-S06"],
        "S03 from the district, S06 at home"
    );
    app.patch(&format!("/api/v1/events/{id}"), app.admin(), &json!({"attendance": []}))
        .await
        .ok(200);
    let progress = app.get("/api/v1/progress?year=2026", app.admin()).await.ok(200).clone();
    assert_eq!(covered(&progress), ["PN-S06"]);
    app.patch(
        &format!("/api/v1/events/{id}"),
        app.admin(),
        &json!({"attendance": [{"unit_id": s03, "role": "pioneer_leaders", "people": 11}]}),
    )
    .await
    .assert_fields(&[("attendance", "does_not_add_up")]);
    let audit = app.audit("event", &id).await;
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["event.create", "event.update", "event.update"]
    );
    assert_eq!(
        audit[1].after.as_ref().unwrap()["attendance"],
        json!([{"unit_id": s03, "role": "pioneer_leaders", "people": 1}])
    );
}

/// The schools covered by the district's 2026 Pioneer leaders' target.
fn app_codes(progress: &Value, district: &str) -> Vec<String> {
    let t = target_of(progress, "pioneer_leaders_trained_coverage", "2026", district);
    let uncovered = codes(&t["uncovered_units"]);
    (1..=18)
        .map(|n| format!("PN-S{n:02}"))
        .filter(|c| !uncovered.contains(c))
        .collect()
}

#[actix_web::test]
async fn the_school_calendar_is_seeded_and_admins_set_each_years_terms() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (_, tpt) = app.user("tpt.hocky", "facilitator", Some(&school), None).await;
    let r = app.get("/api/v1/calendar/school-terms", Some(&tpt)).await;
    let terms = r.ok(200)["terms"].as_array().unwrap().clone();
    assert_eq!(terms.len(), 10, "2023-2024 to 2027-2028");
    assert_eq!(
        terms[0],
        json!({"school_year": "2023-2024", "term": "HK1", "name": "Học kỳ I", "period": "2023-2024-HK1",
               "first_day": "2023-09-05", "last_day": "2024-01-15"})
    );
    assert_eq!(terms[7]["period"], "2026-2027-HK2");
    assert_eq!(terms[7]["name"], "Học kỳ II");

    // The report for a term runs on the calendar's dates.
    let r = app.get("/api/v1/reports?period=2026-2027-HK1", app.admin()).await;
    assert_eq!(
        (r.ok(200)["from"].clone(), r.body["to"].clone()),
        (json!("2026-09-05"), json!("2027-01-15"))
    );
    let district = app.unit_id("PN", "2026-01-01").await;
    let in_term =
        json!({"metric": "events.parents_session", "scope_unit_id": district, "period": "2026-2027-HK1", "value": 1});
    let term_target = app.set_target(in_term).await.created();

    // The city announces the real dates.
    let year = json!({"school_year": "2026-2027",
        "hk1": {"first_day": "2026-09-07", "last_day": "2027-01-16"},
        "hk2": {"first_day": "2027-01-18", "last_day": "2027-05-29"}});
    let r = app.put("/api/v1/calendar/school-terms", app.admin(), &year).await;
    assert_eq!(
        r.ok(200)["terms"],
        json!([
            {"school_year": "2026-2027", "term": "HK1", "name": "Học kỳ I", "period": "2026-2027-HK1",
             "first_day": "2026-09-07", "last_day": "2027-01-16"},
            {"school_year": "2026-2027", "term": "HK2", "name": "Học kỳ II", "period": "2026-2027-HK2",
             "first_day": "2027-01-18", "last_day": "2027-05-29"}
        ])
    );
    let r = app.get("/api/v1/reports?period=2026-2027-HK1", app.admin()).await;
    assert_eq!(
        (r.ok(200)["from"].clone(), r.body["to"].clone()),
        (json!("2026-09-07"), json!("2027-01-16"))
    );
    // A target named by the term follows the new dates.
    let r = app.get("/api/v1/progress?period=2026-2027-HK1", app.admin()).await;
    let t = r.ok(200)["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == term_target.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (t["period"].clone(), t["plan_target"].clone(), t["measures"].clone()),
        (json!("2026-2027-HK1"), Value::Null, json!("events"))
    );
    let audit = app.audit("school_year", "2026-2027").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "school_terms.replace_year");
    assert_eq!(audit[0].before.as_ref().unwrap()[0]["first_day"], "2026-09-05");
    // A school year beyond the seeded ones is added.
    let next = json!({"school_year": "2028-2029",
        "hk1": {"first_day": "2028-09-05", "last_day": "2029-01-13"},
        "hk2": {"first_day": "2029-01-15", "last_day": "2029-05-26"}});
    app.put("/api/v1/calendar/school-terms", app.admin(), &next)
        .await
        .ok(200);
    app.get("/api/v1/reports?period=2028-2029-HK2", app.admin())
        .await
        .ok(200);

    // Bad input: field by field, and nothing changes.
    let before = app
        .get("/api/v1/calendar/school-terms", app.admin())
        .await
        .ok(200)
        .clone();
    assert_eq!(before["terms"].as_array().unwrap().len(), 12);
    let with = |patch: Value| {
        let mut b = year.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases: [(Value, &[(&str, &str)]); 4] = [
        (
            with(json!({"school_year": "2026-2028"})),
            &[("school_year", "invalid_school_year")],
        ),
        (
            with(json!({"hk2": {"first_day": "2027-01-10", "last_day": "2027-05-29"}})),
            &[("hk2.first_day", "terms_overlap")],
        ),
        (
            with(json!({"hk1": {"first_day": "2026-07-20", "last_day": "2026-06-16"}})),
            &[
                ("hk1.first_day", "outside_school_year"),
                ("hk1.last_day", "outside_school_year"),
                ("hk1.last_day", "before_first_day"),
            ],
        ),
        (
            with(json!({"hk2": {"first_day": "2027-01-18", "last_day": "2027-08-15"}})),
            &[("hk2.last_day", "outside_school_year")],
        ),
    ];
    for (body, fields) in cases {
        app.put("/api/v1/calendar/school-terms", app.admin(), &body)
            .await
            .assert_fields(fields);
    }
    let mut unknown = year.clone();
    unknown["hk3"] = json!({"first_day": "2027-06-01", "last_day": "2027-06-30"});
    let r = app.put("/api/v1/calendar/school-terms", app.admin(), &unknown).await;
    assert_eq!(r.status / 100, 4, "{}", r.text);
    let mut missing = year.clone();
    missing.as_object_mut().unwrap().remove("hk2");
    let r = app.put("/api/v1/calendar/school-terms", app.admin(), &missing).await;
    assert_eq!(r.status / 100, 4, "{}", r.text);
    // Roles: staff read, admins write.
    let (_, moderator) = app.user("mod.hocky", "moderator", None, None).await;
    for token in [&tpt, &moderator] {
        app.put("/api/v1/calendar/school-terms", Some(token), &year)
            .await
            .assert_problem(403, "forbidden");
    }
    let unauthenticated = [
        Call::put("/api/v1/calendar/school-terms", year.clone()),
        Call::get("/api/v1/calendar/school-terms"),
    ];
    app.refuses(&unauthenticated, &[None], 401, "unauthenticated").await;
    assert_eq!(
        app.get("/api/v1/calendar/school-terms", app.admin()).await.ok(200),
        &before
    );
    // A term the calendar does not have is not a period.
    for period in ["2030-2031-HK1", "2026-2027-HK3", "2026-2028-HK1"] {
        let invalid_query = [
            Call::get(format!("/api/v1/reports?period={period}")),
            Call::get(format!("/api/v1/progress?period={period}")),
        ];
        app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
    }
    app.set_target(json!({"metric": "forums", "scope_unit_id": district, "period": "2030-2031-HK1", "value": 1}))
        .await
        .assert_fields(&[("period", "invalid_period")]);
}

#[actix_web::test]
async fn progress_and_reports_are_of_the_callers_unit_for_any_period() {
    let app = TestApp::spawn_demo().await;
    let [district, school, ward, other] = app.units(["PN", "PN-S06", "HCM-DUCNHUAN", "PN-S01"]).await;
    let (_, tpt) = app.user("tpt.tiendo", "facilitator", Some(&school), None).await;
    let (_, ward_officer) = app.user("phuong.tiendo", "facilitator", Some(&ward), None).await;
    let (_, moderator) = app.user("mod.tiendo", "moderator", None, None).await;
    let scopes = |p: &Value| -> Vec<(String, String, String)> {
        let mut all: Vec<_> = p["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["scope_unit_id"].as_str().unwrap().to_owned(),
                    t["metric"].as_str().unwrap().to_owned(),
                    t["period"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        all.sort();
        all
    };
    // A school's Pioneer leader: their school's targets, every year.
    let r = app.get("/api/v1/progress", Some(&tpt)).await;
    let own = r.ok(200).clone();
    assert_eq!(own["unit"]["code"], "PN-S06");
    assert_eq!(own["as_of"], "2026-11-25");
    let mut want: Vec<(String, String, String)> = Vec::new();
    for year in ["2024", "2025", "2026", "2027"] {
        for metric in [
            "pioneer_leaders_trained_coverage",
            "school_consultation_coverage",
            "school_dialogue_coverage",
        ] {
            want.push((school.clone(), metric.to_owned(), year.to_owned()));
        }
    }
    want.sort();
    assert_eq!(scopes(&own), want);
    // Per term: the targets the term overlaps, measured to its end.
    let r = app.get("/api/v1/progress?period=2025-2026-HK2", Some(&tpt)).await;
    let term = r.ok(200).clone();
    assert_eq!(
        (term["period"].clone(), term["as_of"].clone()),
        (json!("2025-2026-HK2"), json!("2026-05-31"))
    );
    assert!(scopes(&term).iter().all(|(_, _, y)| y == "2026"), "{term}");
    assert_eq!(scopes(&term).len(), 3);
    let r = app.get("/api/v1/progress?period=2025-2026-HK1", Some(&tpt)).await;
    assert_eq!(scopes(r.ok(200)).len(), 6, "September 2025 to January 2026");
    // Six-monthly, yearly, the November work year, any days.
    for (period, years) in [
        ("2026-H1", 1),
        ("2026", 1),
        ("2026-WY", 2),
        ("2025-12-15..2026-01-15", 2),
    ] {
        let r = app.get(&format!("/api/v1/progress?period={period}"), Some(&tpt)).await;
        assert_eq!(scopes(r.ok(200)).len(), 3 * years, "{period}");
        let r = app.get(&format!("/api/v1/reports?period={period}"), Some(&tpt)).await;
        assert_eq!(r.ok(200)["unit"]["code"], "PN-S06", "{period}");
        assert_eq!(r.body["period"], period);
    }
    let r = app.get("/api/v1/reports?period=2026-WY", Some(&tpt)).await;
    assert_eq!(
        (r.ok(200)["from"].clone(), r.body["to"].clone()),
        (json!("2025-12-01"), json!("2026-11-30"))
    );
    // Never another unit.
    for unit in [&district, &other, &ward] {
        let not_found = [
            Call::get(format!("/api/v1/progress?unit_id={unit}")),
            Call::get(format!("/api/v1/reports?period=2026&unit_id={unit}")),
        ];
        app.refuses(&not_found, &[Some(&tpt)], 404, "not_found").await;
    }
    // A ward: its own targets and its schools'.
    let r = app.get("/api/v1/progress?year=2026", Some(&ward_officer)).await;
    let w = r.ok(200).clone();
    assert_eq!(w["unit"]["code"], "HCM-DUCNHUAN");
    // Đức Nhuận took over wards 4, 5 and 9: schools S05, S06, S07, S11.
    assert_eq!(scopes(&w).len(), 2 + 4 * 3);
    let r = app
        .get(
            &format!("/api/v1/progress?year=2026&unit_id={school}"),
            Some(&ward_officer),
        )
        .await;
    assert_eq!(scopes(r.ok(200)).len(), 3);
    let r = app.get("/api/v1/reports?period=2026-Q4", Some(&ward_officer)).await;
    let report = r.ok(200).clone();
    assert_eq!(report["unit"]["code"], "HCM-DUCNHUAN");
    let groups = crate::reports::totals(&report, 1);
    assert_eq!(groups, ["PN-S05", "PN-S06", "PN-S07", "PN-S11", "all"]);
    // District staff: the district, its wards and its schools, never the city.
    for token in [app.admin(), Some(moderator.as_str())] {
        let r = app.get("/api/v1/progress?year=2026", token).await;
        let d = r.ok(200).clone();
        assert_eq!(d["unit"]["code"], "PN");
        // The district's 10 yearly targets and 2 of the whole plan, 3
        // wards' 2 and 18 schools' 3.
        assert_eq!(scopes(&d).len(), 10 + 2 + 3 * 2 + 18 * 3);
    }
    let r = app.get("/api/v1/reports?period=2026-2027-HK1", Some(&moderator)).await;
    assert_eq!(r.ok(200)["unit"]["code"], "PN");
    // Bad input: 400 with a code.
    let bad = [
        "year=2026&period=2026".to_owned(),
        "period=2026-Q5".to_owned(),
        "period=2026-wy".to_owned(),
        "period=2026-11-30..2026-11-01".to_owned(),
        "year=1800".to_owned(),
        format!("unit_id={}", uuid::Uuid::now_v7()),
        "unit_id=PN".to_owned(),
        "colour=red".to_owned(),
    ];
    app.refuses_queries("/api/v1/progress", &bad, app.admin()).await;
    app.get(
        &format!("/api/v1/progress?unit_id={}", uuid::Uuid::now_v7()),
        Some(&tpt),
    )
    .await
    .assert_problem(400, "invalid_query");
    let bad = [
        "period=2026-12-01..2026-11-01",
        "period=2026-WY-1",
        "period=2026-02-30..2026-03-01",
    ];
    app.refuses_queries("/api/v1/reports", &bad, app.admin()).await;
    // Roles.
    let (_, sg) = app.user("sg.tiendo", "safeguarding_officer", None, None).await;
    let forbidden = [Call::get("/api/v1/progress"), Call::get("/api/v1/reports?period=2026")];
    app.refuses(&forbidden, &[Some(&sg)], 403, "forbidden").await;
    app.get("/api/v1/progress", None)
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn an_admin_sets_a_target_on_any_metric_the_service_measures() {
    let app = TestApp::spawn_demo().await;
    let ward = app.unit_id("HCM-PHUNHUAN", "2026-01-01").await;
    let mk = |metric: &str, period: &str, value: f64| json!({"metric": metric, "scope_unit_id": ward, "period": period, "value": value});
    let mut ids = Vec::new();
    for (metric, period, value) in [
        ("events.parents_session", "2026-WY", 4.0),
        ("events.rights_communication", "2026", 2.0),
        ("events.peoples_council_session", "2026-H2", 1.0),
        ("unique_participants", "2026-09-01..2026-11-30", 100.0),
    ] {
        let r = app
            .post("/api/v1/targets", app.admin(), &mk(metric, period, value))
            .await;
        let t = r.ok(201).clone();
        assert_eq!(
            (t["metric"].as_str(), t["period"].as_str(), t["plan_target"].clone()),
            (Some(metric), Some(period), Value::Null)
        );
        assert!(t["counting_rule"]["vi"].as_str().unwrap().len() > 20);
        ids.push(t["id"].as_str().unwrap().to_owned());
    }
    // Two parents' sessions in the ward this work year, one last December.
    for on in ["2025-12-05", "2026-03-05", "2026-09-05"] {
        app.post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "parents_session", "unit_id": ward, "held_on": on,
                    "title": "Phụ huynh - Bạn đồng hành cùng con", "children_attending": 0, "adults_attending": 40}),
        )
        .await
        .ok(201);
    }
    let r = app
        .get(&format!("/api/v1/progress?period=2026-WY&unit_id={ward}"), app.admin())
        .await;
    let p = r.ok(200).clone();
    let t = p["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(
        (t["actual"].clone(), t["share"].clone(), t["status"].clone()),
        (json!(3.0), json!(0.75), json!("behind"))
    );
    assert_eq!(t["measures"], "events");
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post("/api/v1/targets", mk("events.picnic", "2026", 1.0).clone()),
            &[("metric", "unknown_value")],
        ),
        (
            Call::post("/api/v1/targets", mk("events.parents_session", "2026-13", 1.0).clone()),
            &[("period", "invalid_period")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
}
