//! Targets and progress, on seeded data with known answers.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::support::{Call, TestApp, find};
use crate::surveys::{example_survey, published_survey};

/// The progress row of the target with this id.
fn target<'a>(progress: &'a Value, id: &str) -> &'a Value {
    find(progress, "targets", |t| t["id"] == id)
}

#[actix_web::test]
async fn the_plan_targets_are_seeded_and_progress_is_measured() {
    let app = TestApp::spawn_demo().await;
    let targets = app.get("/api/v1/targets", app.admin()).await;
    let targets = targets.ok(200).as_array().unwrap().clone();
    let mut plan_numbers: Vec<u64> = targets.iter().map(|t| t["plan_target"].as_u64().unwrap()).collect();
    plan_numbers.sort();
    plan_numbers.dedup();
    assert_eq!(
        plan_numbers,
        (1..=9).collect::<Vec<_>>(),
        "the nine targets of the plan"
    );
    let fifty = targets.iter().find(|t| t["metric"] == "consultations").unwrap();
    assert_eq!(fifty["value"], 50000.0);
    assert_eq!(fifty["period"], "2024..2027");

    // Known data, this year.
    let today = app.day();
    let year = today.year();
    let [district, council, ward, school] = app.units(["PN", "PN-HDTE", "HCM-DUCNHUAN", "PN-S06"]).await;
    let held_on = today.to_string();
    let event = |kind: &str, unit: &str, children: i32, audience: Option<&str>| {
        json!({"kind": kind, "audience": audience, "unit_id": unit, "held_on": held_on, "title": kind,
               "children_attending": children, "adults_attending": 2})
    };
    for body in [
        event("dialogue", &ward, 40, None),
        event("council_meeting", &council, 10, None),
        event("training", &school, 30, Some("commanders")),
    ] {
        app.post("/api/v1/events", app.admin(), &body).await.ok(201);
    }
    let survey = published_survey(&app, &example_survey(&district)).await;
    let session = app.open_session(&survey, &school, -5, 60).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    for (age, grade) in [(12, Some(7)), (8, None)] {
        let token = app
            .join(&code, age, json!({"grade": grade}))
            .await
            .string(200, "respondent_token");
        let r = app
            .request(
                actix_web::http::Method::POST,
                "/api/v1/responses",
                Some(&token),
                &[("Content-Type", "application/json"), ("Idempotency-Key", "k")],
                Some(br#"{"answers": {"feel_safe": "yes"}}"#.to_vec()),
            )
            .await;
        r.ok(201);
    }
    // Targets for this year, so the test does not depend on the calendar.
    let mk = |metric: &str, scope: &str, period: String, value: f64| {
        let app = &app;
        let body = json!({"metric": metric, "scope_unit_id": scope, "period": period, "value": value});
        async move { app.post("/api/v1/targets", app.admin(), &body).await.created() }
    };
    let consultations = mk("consultations", &district, format!("{year}"), 100.0).await;
    let lower = mk("lower_secondary_participants", &district, format!("{year}"), 1.0).await;
    let wards = mk("ward_dialogue_coverage", &district, format!("{year}"), 100.0).await;
    let meetings = mk("council_meetings", &council, format!("{year}"), 2.0).await;
    let commanders = mk("trainings_commanders", &district, format!("{year}"), 1.0).await;
    let schools = mk("school_consultation_coverage", &district, format!("{year}"), 100.0).await;

    let progress = app.get(&format!("/api/v1/progress?year={year}"), app.admin()).await;
    let progress = progress.ok(200).clone();
    // 2 responses + 40 at the dialogue + 10 at the Council meeting; the
    // training is not a consultation. Counts of children are published
    // through the cell key method: within D, the same on every reading.
    let c = target(&progress, &consultations);
    let actual = c["actual"].as_f64().unwrap();
    assert!((actual - 52.0).abs() <= 3.0, "{c}");
    assert!(
        (c["share"].as_f64().unwrap() - actual / 100.0).abs() < 1e-9,
        "share of the published figure"
    );
    let again = app.get(&format!("/api/v1/progress?year={year}"), app.admin()).await;
    assert_eq!(target(again.ok(200), &consultations)["actual"], c["actual"]);
    let l = target(&progress, &lower);
    // One lower-secondary child: published as 0 or k, never 1.
    assert!(l["actual"] == 0.0 || l["actual"] == 5.0, "{l}");
    // Beside it, never added: the children at the consultation events, a
    // headcount. No school level was entered, so none is known to be
    // lower-secondary.
    let part = |name: &str| {
        l["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no part {name} in {l}"))
            .clone()
    };
    assert_eq!(part("unique_participants")["value"].as_f64(), l["actual"].as_f64());
    assert_eq!(part("unique_participants")["added_to_actual"], true);
    assert_eq!(part("event_headcount")["value"], 0);
    assert_eq!(part("event_headcount")["counts"], "headcount");
    assert_eq!(part("event_headcount")["added_to_actual"], false);
    let unknown = part("event_headcount_school_level_not_entered");
    crate::results::near(&unknown["value"], 50);
    assert_eq!(unknown["added_to_actual"], false);
    assert_eq!(l["measures"], "unique_participants");
    assert!(l["counting_rule"]["vi"].as_str().unwrap().contains("THCS"));
    let w = target(&progress, &wards);
    assert!((w["actual"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-6, "{w}");
    let mut uncovered: Vec<&str> = w["uncovered_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    uncovered.sort();
    assert_eq!(uncovered, ["HCM-CAUKIEU", "HCM-PHUNHUAN"]);
    assert_eq!(target(&progress, &meetings)["actual"], 1.0);
    assert_eq!(target(&progress, &commanders)["status"], "met");
    let s = target(&progress, &schools);
    assert_eq!(
        s["uncovered_units"].as_array().unwrap().len(),
        17,
        "one school of 18 held a session"
    );
    // Filtered by unit: the council's own targets only.
    let only = app
        .get(&format!("/api/v1/progress?year={year}&unit_id={council}"), app.admin())
        .await;
    assert!(
        only.ok(200)["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["scope_unit_id"] == council.as_str())
    );
}

#[actix_web::test]
async fn targets_are_admin_data_with_checked_values() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    app.set_target(
        json!({"metric": "happiness", "scope_unit_id": uuid::Uuid::now_v7(), "period": "2026-Q5", "value": -1}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.set_target(
        json!({"metric": "ward_dialogue_coverage", "scope_unit_id": district, "period": "2026", "value": 120}),
    )
    .await
    .assert_fields(&[("value", "out_of_range")]);
    let id = app
        .set_target(json!({"metric": "forums", "scope_unit_id": district, "period": "2027", "value": 1}))
        .await
        .created();
    let r = app
        .patch(
            &format!("/api/v1/targets/{id}"),
            app.admin(),
            &json!({"metric": "forums", "scope_unit_id": district, "period": "2027-H1", "value": 1}),
        )
        .await;
    assert_eq!(r.ok(200)["period"], "2027-H1");
    app.patch(
        &format!("/api/v1/targets/{}", uuid::Uuid::now_v7()),
        app.admin(),
        &json!({"metric": "forums", "scope_unit_id": district, "period": "2027", "value": 1}),
    )
    .await
    .assert_problem(404, "not_found");
    let school = app.unit_id("PN-S01", "2026-01-01").await;
    let (_, tpt) = app.user("tpt.kpi", "facilitator", Some(&school), None).await;
    app.get("/api/v1/targets", Some(&tpt)).await.ok(200);
    app.get("/api/v1/progress", Some(&tpt)).await.ok(200);
    let forbidden = [
        Call::post(
            "/api/v1/targets",
            json!({"metric": "forums", "scope_unit_id": district, "period": "2027", "value": 1}),
        ),
        Call::patch(
            format!("/api/v1/targets/{id}"),
            json!({"metric": "forums", "scope_unit_id": district, "period": "2027", "value": 1}),
        ),
    ];
    app.refuses(&forbidden, &[Some(&tpt)], 403, "forbidden").await;
    let (_, sg) = app.user("sg.kpi", "safeguarding_officer", None, None).await;
    app.get("/api/v1/progress", Some(&sg))
        .await
        .assert_problem(403, "forbidden");
    let unauthenticated = [Call::get("/api/v1/progress"), Call::get("/api/v1/targets")];
    app.refuses(&unauthenticated, &[None], 401, "unauthenticated").await;
    let invalid_query = [
        Call::get("/api/v1/progress?year=1800"),
        Call::get(format!("/api/v1/progress?unit_id={}", uuid::Uuid::now_v7())),
    ];
    app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
}
