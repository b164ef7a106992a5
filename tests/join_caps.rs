//! Ballot stuffing (issue 13): a session admits the children it expects and
//! a margin, however many join at once; one client address brings at most
//! so many; a child who comes back is not counted twice; the facilitator
//! sees joins and refusals, and voids a burst.

use serde_json::json;

use crate::support::{Options, TestApp};
use crate::surveys::{example_survey, published_survey};

async fn open(app: &TestApp, school: &str, expected: Option<u32>) -> (String, String) {
    let district = app.unit_id("PN", "2026-01-01").await;
    let survey = published_survey(app, &example_survey(&district)).await;
    let now = app.now();
    let mut body = json!({"unit_id": school, "opens_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
        "closes_at": (now + chrono::Duration::hours(1)).to_rfc3339()});
    if let Some(e) = expected {
        body["expected_participants"] = json!(e);
    }
    let r = app
        .post(&format!("/api/v1/surveys/{survey}/sessions"), app.admin(), &body)
        .await;
    let session = r.ok(201).clone();
    (survey, session["join_code"].as_str().unwrap().to_owned())
}

async fn session_of(app: &TestApp, survey: &str) -> serde_json::Value {
    let r = app
        .get(&format!("/api/v1/surveys/{survey}/sessions"), app.admin())
        .await;
    r.ok(200)["items"][0].clone()
}

#[actix_web::test]
async fn a_session_admits_what_it_expects_and_a_margin_however_many_join_at_once() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (survey, code) = open(&app, &school, Some(10)).await;
    let s = session_of(&app, &survey).await;
    assert_eq!((s["join_cap"].as_i64(), s["joined"].as_i64()), (Some(15), Some(0)));

    // 100 joins at once, each with a fresh phone: exactly the cap gets in.
    let body = json!({"join_code": code, "age": 12, "assent": true});
    let joins = futures_util::future::join_all((0..100).map(|_| app.post("/api/v1/join", None, &body))).await;
    let admitted: Vec<_> = joins.iter().filter(|r| r.status == 200).collect();
    assert_eq!(admitted.len(), 15);
    for r in joins.iter().filter(|r| r.status != 200) {
        r.assert_problem(409, "session_full");
        assert!(r.body["detail"].as_str().unwrap().contains("đủ số bạn"));
    }
    // A child already in comes back (a reload): still admitted, not counted.
    let token = admitted[0].body["participant_token"].as_str().unwrap();
    app.post(
        "/api/v1/join",
        None,
        &json!({"join_code": code, "age": 12, "assent": true, "participant_token": token}),
    )
    .await
    .ok(200);
    // The facilitator sees it run over.
    let s = session_of(&app, &survey).await;
    assert_eq!(s["joined"], 15);
    assert_eq!(s["joins_refused"], 85);
    assert_eq!(s["over_expected"], true);
}

#[actix_web::test]
async fn one_address_brings_so_many_and_a_burst_is_voided() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        join_caps: langnghe_domain::consultation::JoinCaps {
            per_address: 3,
            ..Default::default()
        },
        ..Options::default()
    })
    .await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (survey, code) = open(&app, &school, None).await;
    let body = json!({"join_code": code, "age": 12, "assent": true});
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let r = app.post("/api/v1/join", None, &body).await;
        tokens.push(r.string(200, "respondent_token"));
    }
    app.post("/api/v1/join", None, &body)
        .await
        .assert_problem(409, "session_full");
    assert_eq!(session_of(&app, &survey).await["join_cap"], 300);

    // The three answer; the facilitator voids the burst.
    let start = app.now();
    for t in &tokens {
        app.submit(t, "k", json!({"feel_safe": "yes"})).await.ok(201);
    }
    let session_id = session_of(&app, &survey).await["id"].as_str().unwrap().to_owned();
    let void = format!("/api/v1/sessions/{session_id}/void");
    let window = json!({"from": (start - chrono::Duration::minutes(1)).to_rfc3339(),
        "until": (start + chrono::Duration::minutes(1)).to_rfc3339()});
    let (_, facilitator) = app.user("tpt.void", "facilitator", Some(&school), None).await;
    let other_school = app.unit_id("PN-S01", "2026-01-01").await;
    let (_, elsewhere) = app.user("tpt.other", "facilitator", Some(&other_school), None).await;
    let (_, moderator) = app.user("kd.void", "moderator", None, None).await;
    app.post(&void, Some(&elsewhere), &window)
        .await
        .assert_problem(404, "not_found");
    app.post(&void, Some(&moderator), &window)
        .await
        .assert_problem(403, "forbidden");
    app.post(&void, None, &window)
        .await
        .assert_problem(401, "unauthenticated");
    app.post(
        &void,
        Some(&facilitator),
        &json!({"from": window["until"], "until": window["from"]}),
    )
    .await
    .assert_fields(&[("until", "out_of_range")]);
    let r = app.post(&void, Some(&facilitator), &window).await;
    assert_eq!(r.ok(200)["voided"], 3);
    let r = app.post(&void, Some(&facilitator), &window).await;
    assert_eq!(r.ok(200)["voided"], 0, "voiding again changes nothing");
    let db = app.storage().await;
    let counting = app.responses(&survey, false).await;
    assert!(counting.is_empty(), "the burst counts nowhere");
    let audit = app.audit("session", &session_id).await;
    assert!(audit.iter().any(|e| e.action == "session.void"));
    db.close().await.ok();
}
