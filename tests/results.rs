//! Survey results: every question type, breakdowns, suppression, roles and
//! the roll-up of old units into their successors.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use langnghe_storage::rollup::Grain;

use crate::support::TestApp;

fn all_types(owner: &str) -> Value {
    let opts = |keys: &[&str]| {
        keys.iter()
            .map(|k| json!({"key": k, "label": {"vi": k}}))
            .collect::<Vec<_>>()
    };
    json!({"kind": "opinion", "owner_unit_id": owner, "title": {"vi": "Mọi loại câu hỏi"}, "min_age": 6, "max_age": 17,
    "questions": [
      {"key": "one", "type": "single_choice", "text": {"vi": "Một?"}, "options": opts(&["a", "b", "c"])},
      {"key": "many", "type": "multiple_choice", "text": {"vi": "Nhiều?"}, "options": opts(&["x", "y", "z"]), "max_choices": 3},
      {"key": "rate", "type": "rating", "min": 1, "max": 3, "text": {"vi": "Điểm?"}},
      {"key": "yn", "type": "yes_no", "text": {"vi": "Có không?"}},
      {"key": "num", "type": "number", "min": 0, "max": 100, "text": {"vi": "Số?"}},
      {"key": "rank", "type": "ranking", "text": {"vi": "Xếp?"}, "options": opts(&["p", "q"])},
      {"key": "say", "type": "text", "text": {"vi": "Nói?"}}
    ]})
}

/// Joins and answers; returns the receipt code.
pub async fn answer(app: &TestApp, code: &str, age: u8, gender: &str, answers: Value) -> String {
    let joined = app
        .post(
            "/api/v1/join",
            None,
            &json!({"join_code": code, "age": age, "gender": gender, "assent": true}),
        )
        .await;
    let token = joined.ok(200)["respondent_token"].as_str().unwrap().to_owned();
    let r = app
        .request(
            Method::POST,
            "/api/v1/responses",
            Some(&token),
            &[("Content-Type", "application/json"), ("Idempotency-Key", "r")],
            Some(serde_json::to_vec(&json!({"answers": answers})).unwrap()),
        )
        .await;
    r.ok(201)["receipt_code"].as_str().unwrap().to_owned()
}

pub async fn session(app: &TestApp, survey: &str, unit: &str) -> String {
    let now = app.now();
    let r = app
        .post(
            &format!("/api/v1/surveys/{survey}/sessions"),
            app.admin(),
            &json!({"unit_id": unit, "opens_at": (now - Duration::minutes(5)).to_rfc3339(), "closes_at": (now + Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    r.ok(201)["join_code"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn results_cover_every_question_type_with_suppression() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let code = session(&app, &survey, &school).await;
    // 8 children of 12, 6 of 15, 3 of 9.
    let mut n = 0;
    for (age, count) in [(12u8, 8), (15, 6), (9, 3)] {
        for i in 0..count {
            n += 1;
            let answers = json!({"one": if i % 2 == 0 { "a" } else { "b" }, "many": ["x", "y"], "rate": 3, "yn": true,
                "num": n, "rank": ["q", "p"], "say": "Em thích trường."});
            answer(&app, &code, age, if i % 2 == 0 { "girl" } else { "boy" }, answers).await;
        }
    }
    let r = app.get(&format!("/api/v1/surveys/{survey}/results"), app.admin()).await;
    let all = r.ok(200).clone();
    assert_eq!(all["min_cell"], 5);
    assert_eq!(all["groups"].as_array().unwrap().len(), 1);
    let q = |key: &str| {
        all["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == key)
            .unwrap()
            .clone()
    };
    let one = q("one");
    assert_eq!(one["columns"], json!(["a", "b", "c"]));
    assert_eq!(one["groups"][0]["respondents"]["count"], 17);
    assert_eq!(one["groups"][0]["counts"][0]["count"], 9);
    assert_eq!(one["groups"][0]["counts"][2]["count"], 0, "a zero reveals nothing");
    assert!((one["groups"][0]["counts"][1]["share"].as_f64().unwrap() - 8.0 / 17.0).abs() < 1e-9);
    assert_eq!(q("many")["groups"][0]["counts"][0]["count"], 17);
    assert_eq!(q("rate")["columns"], json!(["1", "2", "3"]));
    assert_eq!(q("yn")["groups"][0]["counts"][0]["count"], 17);
    let num = q("num");
    assert_eq!(num["groups"][0]["stats"]["median"], 9.0);
    assert_eq!(num["groups"][0]["stats"]["mean"], 9.0);
    assert_eq!(q("rank")["groups"][0]["mean_rank"], json!([2.0, 1.0]));
    assert_eq!(q("say")["groups"][0]["respondents"]["count"], 17);
    assert!(!r.text.contains("Em thích"), "no text answers in results");

    // By age band: the group of 3 is suppressed, and the next smallest with it.
    let r = app
        .get(&format!("/api/v1/surveys/{survey}/results?by=age_band"), app.admin())
        .await;
    let by_age = r.ok(200).clone();
    let bands: Vec<&str> = by_age["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["dimensions"]["age_band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, ["12-14", "15-17", "9-11"]);
    let one = by_age["questions"][0]["groups"].as_array().unwrap().clone();
    assert_eq!(one[0]["respondents"]["count"], 8);
    assert_eq!(one[2]["respondents"], json!({"count": null, "suppressed": true}));
    assert_eq!(one[1]["respondents"]["suppressed"], true, "secondary suppression");
    assert_eq!(by_age["questions"][4]["groups"][2].get("stats"), None);
    // A pair of dimensions, and units grouped by ward.
    let r = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?by=age_band,gender"),
            app.admin(),
        )
        .await;
    assert_eq!(r.ok(200)["by"], json!(["age_band", "gender"]));
    assert_eq!(
        r.body["groups"][0]["dimensions"],
        json!({"age_band": "12-14", "gender": "boy"})
    );
    let r = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?by=unit&unit_level=ward"),
            app.admin(),
        )
        .await;
    assert_eq!(r.ok(200)["groups"], json!([{"dimensions": {"unit": "HCM-DUCNHUAN"}}]));
    let r = app
        .get(&format!("/api/v1/surveys/{survey}/results?by=period"), app.admin())
        .await;
    assert_eq!(r.ok(200)["groups"].as_array().unwrap().len(), 1);
    let tomorrow = (app.now() + Duration::days(2)).date_naive();
    let r = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?from={tomorrow}"),
            app.admin(),
        )
        .await;
    assert_eq!(r.ok(200)["groups"], json!([]));

    // Roles: a facilitator sees their unit only; other roles are refused.
    let (_, here) = app.user("tpt.here", "facilitator", Some(&school), None).await;
    let other_school = app.unit_id("PN-S01", "2026-01-01").await;
    let (_, there) = app.user("tpt.there", "facilitator", Some(&other_school), None).await;
    let r = app.get(&format!("/api/v1/surveys/{survey}/results"), Some(&here)).await;
    assert_eq!(r.ok(200)["questions"][0]["groups"][0]["respondents"]["count"], 17);
    let r = app
        .get(&format!("/api/v1/surveys/{survey}/results"), Some(&there))
        .await;
    assert_eq!(r.ok(200)["groups"], json!([]));
    app.get(
        &format!("/api/v1/surveys/{survey}/results?unit_id={school}"),
        Some(&there),
    )
    .await
    .assert_problem(404, "not_found");
    let (_, sg) = app.user("sg.kq", "safeguarding_officer", None, None).await;
    app.get(&format!("/api/v1/surveys/{survey}/results"), Some(&sg))
        .await
        .assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/surveys/{survey}/results"), None)
        .await
        .assert_problem(401, "unauthenticated");
    // Bad input.
    for bad in [
        "by=colour",
        "by=unit,unit",
        "by=a,b,c",
        "unit_level=planet",
        "from=yesterday",
        "from=0100-01-01",
        "at=9999-01-01",
    ] {
        app.get(&format!("/api/v1/surveys/{survey}/results?{bad}"), app.admin())
            .await
            .assert_problem(400, "invalid_query");
    }
    app.get(&format!("/api/v1/surveys/{survey}/results?version=9"), app.admin())
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/surveys/{}/results", uuid::Uuid::now_v7()),
        app.admin(),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn results_roll_old_units_up_into_their_successors() {
    let app = TestApp::spawn().await;
    let mk = |body: Value| {
        let app = &app;
        async move {
            app.post("/api/v1/units", app.admin(), &body).await.ok(201)["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let city = mk(json!({"kind": "city", "code": "C", "name": {"vi": "Thành phố"}, "valid_from": "2020-01-01"})).await;
    let w1 = mk(json!({"kind": "ward", "code": "W1", "name": {"vi": "Phường 1"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let w2 = mk(json!({"kind": "ward", "code": "W2", "name": {"vi": "Phường 2"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let survey = crate::surveys::published_survey(&app, &all_types(&city)).await;
    let code = session(&app, &survey, &w1).await;
    for _ in 0..6 {
        answer(&app, &code, 12, "girl", json!({"one": "a"})).await;
    }
    // Ward 1 is merged into ward 2 the day after tomorrow.
    let merge_on = (app.now() + Duration::days(2)).date_naive();
    app.post(
        "/api/v1/reorganisations",
        app.admin(),
        &json!({"effective_on": merge_on, "title": "Nhập phường 1 vào phường 2", "close": [w1], "lineage": [{"from": w1, "to_unit_id": w2}]}),
    )
    .await
    .ok(201);
    let before = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?by=unit&unit_level=ward"),
            app.admin(),
        )
        .await;
    assert_eq!(before.ok(200)["groups"], json!([{"dimensions": {"unit": "W1"}}]));
    let after = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?by=unit&unit_level=ward&at={merge_on}"),
            app.admin(),
        )
        .await;
    assert_eq!(after.ok(200)["groups"], json!([{"dimensions": {"unit": "W2"}}]));
    assert_eq!(after.body["questions"][0]["groups"][0]["counts"][0]["count"], 6);
    // Scoped to ward 2 on that date, ward 1's responses count.
    let scoped = app
        .get(
            &format!("/api/v1/surveys/{survey}/results?unit_id={w2}&at={merge_on}"),
            app.admin(),
        )
        .await;
    assert_eq!(scoped.ok(200)["questions"][0]["groups"][0]["respondents"]["count"], 6);
}

#[actix_web::test]
async fn results_and_responses_export_as_csv_for_excel() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let code = session(&app, &survey, &school).await;
    for i in 0..6 {
        let say = if i == 0 {
            "=HYPERLINK(\"x\")"
        } else {
            "Sân trường cần thêm cây xanh, ghế đá"
        };
        answer(
            &app,
            &code,
            12,
            "girl",
            json!({"one": "a", "many": ["x", "z"], "rank": ["p", "q"], "say": say, "num": 7}),
        )
        .await;
    }
    let r = app
        .get(
            &format!("/api/v1/surveys/{survey}/results.csv?by=age_band"),
            app.admin(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.text.starts_with('\u{feff}'), "BOM for Excel");
    let lines: Vec<&str> = r.text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "question,type,age_band,column,count,share,suppressed,mean,median,q1,q3"
    );
    assert!(lines.contains(&"one,single_choice,12-14,a,6,1,false,,,,"), "{lines:?}");
    assert!(
        lines.contains(&"num,number,12-14,respondents,6,,false,7,7,7,7"),
        "{lines:?}"
    );

    let r = app
        .get(&format!("/api/v1/surveys/{survey}/responses.csv"), app.admin())
        .await;
    assert_eq!(r.status, 200);
    let lines: Vec<&str> = r
        .text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines[0],
        "row,submitted_on,unit,age_band,gender,one,many,rate,yn,num,rank,say"
    );
    assert_eq!(lines.len(), 7, "a header and one row per response");
    assert!(
        lines[1].contains(",PN-S06,12-14,girl,a,x;z,,,7,p>q,\"'=HYPERLINK(\"\"x\"\")\""),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with("\"Sân trường cần thêm cây xanh, ghế đá\""),
        "Vietnamese intact: {}",
        lines[2]
    );
    // No ids, pseudonyms or tokens in the rows: nothing shaped like a UUID.
    assert!(
        !r.text
            .split([',', '"', '\r', '\n'])
            .any(|f| uuid::Uuid::parse_str(f).is_ok())
    );
    assert!(r.header("content-disposition").unwrap().contains("attachment"));
    // Only curators export rows; facilitators may export results of their unit.
    let (_, tpt) = app.user("tpt.csv", "facilitator", Some(&school), None).await;
    app.get(&format!("/api/v1/surveys/{survey}/responses.csv"), Some(&tpt))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        app.get(&format!("/api/v1/surveys/{survey}/results.csv"), Some(&tpt))
            .await
            .status,
        200
    );
    app.get(&format!("/api/v1/surveys/{survey}/responses.csv"), None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(&format!("/api/v1/surveys/{survey}/results.csv"), None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(
        &format!("/api/v1/surveys/{survey}/responses.csv?by=age_band"),
        app.admin(),
    )
    .await
    .assert_problem(400, "invalid_query");
    app.get(&format!("/api/v1/surveys/{survey}/results.csv?by=colour"), app.admin())
        .await
        .assert_problem(400, "invalid_query");
    app.get(
        &format!("/api/v1/surveys/{}/responses.csv", uuid::Uuid::now_v7()),
        app.admin(),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn public_results_only_for_surveys_that_say_so() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let mut body = all_types(&district);
    body["results_public"] = json!(true);
    let open = crate::surveys::published_survey(&app, &body).await;
    let closed = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let survey = app.get(&format!("/api/v1/surveys/{open}"), app.admin()).await;
    assert_eq!(survey.ok(200)["results_public"], true);
    assert_eq!(survey.body["definition"]["results_public"], true);
    let code = session(&app, &open, &school).await;
    for _ in 0..6 {
        answer(&app, &code, 12, "boy", json!({"one": "c"})).await;
    }
    for _ in 0..5 {
        answer(&app, &code, 12, "girl", json!({"one": "b"})).await;
    }
    answer(&app, &code, 9, "girl", json!({"one": "a"})).await;
    // No sign-in; the same suppression: the lone answer "a" is hidden, and
    // "b" with it, so that it cannot be worked out from the total.
    let r = app.get(&format!("/api/v1/public/surveys/{open}/results"), None).await;
    let counts = r.ok(200)["questions"][0]["groups"][0]["counts"].clone();
    assert_eq!(counts[0], json!({"count": null, "suppressed": true}));
    assert_eq!(counts[1], json!({"count": null, "suppressed": true}));
    assert_eq!(counts[2]["count"], 6);
    let r = app
        .get(&format!("/api/v1/public/surveys/{open}/results?by=age_band"), None)
        .await;
    assert!(
        r.ok(200)["questions"][0]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["respondents"]["suppressed"] == true)
    );
    app.get(&format!("/api/v1/public/surveys/{closed}/results"), None)
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/public/surveys/{open}/results?version=2"), None)
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/public/surveys/{}/results", uuid::Uuid::now_v7()),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/public/surveys/{open}/results?by=colour"), None)
        .await
        .assert_problem(400, "invalid_query");
}

/// Waits until the background folder has folded every pending response.
async fn folded(db: &langnghe_storage::Db) {
    for _ in 0..500 {
        if langnghe_storage::rollup::pending_count(db).await.unwrap() == 0 {
            return;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("responses were not folded within 10 s");
}

#[actix_web::test]
async fn results_are_exact_before_and_after_folding_and_after_withdrawal() {
    let app = TestApp::spawn_demo().await;
    let db = langnghe_storage::connect(&app.db.url, 1).await.unwrap();
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let code = session(&app, &survey, &school).await;
    let mut receipts = Vec::new();
    for i in 0..14u32 {
        let one = ["a", "b", "c"][i as usize % 3];
        let answers = json!({"one": one, "many": ["x", "z"], "rate": 1 + i % 3,
            "yn": i % 4 == 0, "num": i * 3, "rank": if i % 2 == 0 { json!(["p", "q"]) } else { json!(["q", "p"]) },
            "say": "Sân trường cần thêm cây xanh."});
        receipts.push(
            answer(
                &app,
                &code,
                [9u8, 13, 16][i as usize % 3],
                ["girl", "boy"][i as usize % 2],
                answers,
            )
            .await,
        );
    }
    let today = app.day();
    let month_start = today.format("%Y-%m-01").to_string();
    let queries = [
        String::new(),
        "?by=age_band".into(),
        "?by=gender,period".into(),
        "?by=unit&unit_level=ward".into(),
        // Whole months, and days at the edge of a month.
        format!("?from={month_start}"),
        format!("?from={}&to={today}&by=age_band", today - Duration::days(1)),
        format!("?to={today}"),
    ];
    let read = async |app: &TestApp| {
        let mut out = Vec::new();
        for q in &queries {
            let r = app
                .get(&format!("/api/v1/surveys/{survey}/results{q}"), app.admin())
                .await;
            out.push(r.ok(200).clone());
        }
        out
    };
    // Read while folds may be committing, then once all is folded: the same.
    let early = read(&app).await;
    folded(&db).await;
    let cells = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, Grain::Month, None, None, None)
        .await
        .unwrap();
    assert_eq!(
        cells.iter().map(|c| c.responses).sum::<i64>(),
        14,
        "every response is in a cell"
    );
    assert_eq!(cells.len(), 6, "one cell per unit, age band, gender and month");
    let days = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, Grain::Day, None, None, None)
        .await
        .unwrap();
    assert_eq!(days.len(), 6, "and one per day");
    assert_eq!(days.iter().map(|c| c.responses).sum::<i64>(), 14);
    let late = read(&app).await;
    assert_eq!(early, late);
    assert_eq!(late[0]["questions"][0]["groups"][0]["respondents"]["count"], 14);
    assert_eq!(late[0]["questions"][4]["groups"][0]["stats"]["median"], 19.5);
    // Every window that covers today says the same as no window.
    for i in [4, 6] {
        assert_eq!(late[i]["questions"], late[0]["questions"], "query {}", queries[i]);
    }

    // Withdrawing a folded response: it stops counting at once, and still
    // after the folder has taken it out of its cell.
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/responses/{}", receipts[0]),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let now = read(&app).await;
    assert_eq!(now[0]["questions"][0]["groups"][0]["respondents"]["count"], 13);
    // Option a fell from 5 answers to 4: below k, so hidden now.
    assert_eq!(late[0]["questions"][0]["groups"][0]["counts"][0]["count"], 5);
    assert_eq!(now[0]["questions"][0]["groups"][0]["counts"][0]["suppressed"], true);
    assert_eq!(now[0]["questions"][0]["groups"][0]["counts"][1]["count"], 5);
    folded(&db).await;
    assert_eq!(read(&app).await, now);
    let cells = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, Grain::Month, None, None, None)
        .await
        .unwrap();
    assert_eq!(cells.iter().map(|c| c.responses).sum::<i64>(), 13);
}

#[actix_web::test]
async fn two_replicas_fold_each_response_exactly_once() {
    let app = TestApp::spawn_demo().await;
    let other = TestApp::spawn_on(app.db.clone(), crate::support::Options::default()).await;
    let db = langnghe_storage::connect(&app.db.url, 1).await.unwrap();
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let code = session(&app, &survey, &school).await;
    // 40 children answer at once, half through each replica, while both
    // replicas' folders run.
    let answers = json!({"one": "a", "num": 7, "rank": ["p", "q"]});
    let submissions = (0..40u8).map(|i| {
        let (to, code, answers) = (if i % 2 == 0 { &app } else { &other }, &code, answers.clone());
        async move { answer(to, code, 9 + i % 8, "girl", answers).await }
    });
    let receipts = futures_util::future::join_all(submissions).await;
    // And five withdraw, some perhaps while being folded.
    for r in &receipts[..5] {
        let res = other
            .request(Method::DELETE, &format!("/api/v1/responses/{r}"), None, &[], None)
            .await;
        assert_eq!(res.status, 204);
    }
    folded(&db).await;
    let cells = langnghe_storage::rollup::cells(&db, survey.parse().unwrap(), 1, Grain::Month, None, None, None)
        .await
        .unwrap();
    assert_eq!(cells.iter().map(|c| c.responses).sum::<i64>(), 35);
    for a in [&app, &other] {
        let r = a.get(&format!("/api/v1/surveys/{survey}/results"), a.admin()).await;
        let q = &r.ok(200)["questions"];
        assert_eq!(q[0]["groups"][0]["counts"][0]["count"], 35);
        assert_eq!(q[4]["groups"][0]["stats"]["mean"], 7.0);
        assert_eq!(q[5]["groups"][0]["mean_rank"], json!([1.0, 2.0]));
    }
}

#[actix_web::test]
async fn any_window_of_days_counts_exactly_what_was_submitted_in_it() {
    use langnghe_storage::participation::{NewResponse, insert_responses_bulk};
    let app = TestApp::spawn_demo().await;
    let db = langnghe_storage::connect(&app.db.url, 1).await.unwrap();
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let survey_id: uuid::Uuid = survey.parse().unwrap();
    // 1,200 responses at pseudo-random instants over 75 days, so that
    // months, days and local midnight (UTC+7) are all crossed.
    let now = app.now();
    let mut seed = 7u64;
    let mut rows = Vec::new();
    for i in 0..1200 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let at = now - Duration::seconds((seed >> 20) as i64 % (75 * 86_400));
        let one = ["a", "b", "c"][(seed >> 8) as usize % 3];
        let id = uuid::Uuid::now_v7();
        rows.push(NewResponse {
            id,
            survey_id,
            version: 1,
            session_id: id,
            unit_id: langnghe_domain::UnitId(school.parse().unwrap()),
            participant_id: uuid::Uuid::now_v7(),
            age: 12,
            age_band: "12-14".into(),
            grade: None,
            gender: None,
            language: "vi".into(),
            answers: json!({"one": one}).to_string(),
            receipt_hash: id.simple().to_string(),
            idempotency_key: format!("k{i}"),
            request_hash: id.simple().to_string(),
            single: false,
            cases: vec![],
            submitted_at: at,
        });
    }
    insert_responses_bulk(&db, &rows).await.unwrap();
    let local = |t: chrono::DateTime<Utc>| (t + Duration::hours(7)).date_naive();
    let today = local(now);
    let windows = [
        (today - Duration::days(70), today - Duration::days(3)),
        (today - Duration::days(40), today),
        (today - Duration::days(20), today - Duration::days(20)),
        (today - Duration::days(74), today - Duration::days(31)),
    ];
    let check = async |label: &str| {
        for (from, to) in windows {
            let r = app
                .get(
                    &format!("/api/v1/surveys/{survey}/results?from={from}&to={to}"),
                    app.admin(),
                )
                .await;
            let q = &r.ok(200)["questions"][0]["groups"][0];
            let inside: Vec<&str> = rows
                .iter()
                .filter(|r| (from..=to).contains(&local(r.submitted_at)))
                .map(|r| if r.answers.contains("\"a\"") { "a" } else { "other" })
                .collect();
            assert_eq!(q["respondents"]["count"], inside.len(), "{label} {from}..{to}");
            let a = inside.iter().filter(|x| **x == "a").count();
            assert_eq!(q["counts"][0]["count"], a, "{label} {from}..{to}");
        }
        // By month: the months add up to everything.
        let r = app
            .get(&format!("/api/v1/surveys/{survey}/results?by=period"), app.admin())
            .await;
        let total: u64 = r.ok(200)["questions"][0]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["respondents"]["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 1200, "{label}");
    };
    // Before the folder has caught up (read from pending responses) and after.
    check("unfolded").await;
    folded(&db).await;
    check("folded").await;
}
