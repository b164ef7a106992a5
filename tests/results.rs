//! Survey results: every question type, breakdowns, disclosure control
//! (perturbed counts, releases, whole months), roles and the roll-up of old
//! units into their successors.
//!
//! Record keys are random, so a published count is known only within the
//! perturbation table's bounds: the assertions say what holds for every key.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::support::{Call, TestApp, question};

/// The default policy's threshold (k) and largest noise (D).
pub const K: u64 = 5;
pub const D: u64 = 3;

/// A published count of `n` children: 0 for none; for 1 to k − 1, 0 or k;
/// for k, 0 or k to k + D; above, within D of `n` and never below k.
#[track_caller]
pub fn near(published: &Value, n: u64) {
    let m = published.as_u64().unwrap_or_else(|| panic!("not a count: {published}"));
    let ok = match n {
        0 => m == 0,
        n if n < K => m == 0 || m == K,
        // Published as k or less, a group is not listed, and when everyone is,
        // nothing is published: up to k + D children may read as 0.
        n if n <= K + D => m == 0 || (m >= K && m.abs_diff(n) <= D),
        n => m >= K && m.abs_diff(n) <= D,
    };
    assert!(ok, "{n} children published as {m}");
}

/// Waits until the survey's results come from release `number` or later,
/// and returns them.
pub async fn released(app: &TestApp, survey: &str, number: i64) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let r = app.results(survey, "", app.admin()).await;
        last = r.ok(200).clone();
        if last["release"]["number"].as_i64().unwrap_or(0) >= number {
            return last;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("release {number} did not come: {last}");
}

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
    let token = app
        .join(code, age, json!({"gender": gender}))
        .await
        .string(200, "respondent_token");
    let r = app.submit(&token, "r", answers).await;
    r.string(201, "receipt_code")
}

pub async fn session(app: &TestApp, survey: &str, unit: &str) -> String {
    let session = app.open_session(survey, unit, -5, 60).await;
    session["join_code"].as_str().unwrap().to_owned()
}

/// A survey of every question type published in the demo's district (PN):
/// its school PN-S06 and the survey.
async fn every_type_survey(app: &TestApp) -> (String, String) {
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = crate::surveys::published_survey(app, &all_types(&district)).await;
    (school, survey)
}

/// The demo with its folder stopped (the test releases), a survey of every
/// question type and a session of it open at PN-S06: the app, the school,
/// the survey and the session's join code.
async fn every_type_session() -> (TestApp, String, String, String) {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let (school, survey) = every_type_survey(&app).await;
    let code = session(&app, &survey, &school).await;
    (app, school, survey, code)
}

/// `n` girls of 12 answer alike through `code`, saying `say`, but for the
/// first, whose words are a spreadsheet formula.
async fn girls_answer_alike(app: &TestApp, code: &str, n: usize, say: &str) {
    for i in 0..n {
        let say = if i == 0 { "=HYPERLINK(\"x\")" } else { say };
        let answers = json!({"one": "a", "many": ["x", "z"], "rank": ["p", "q"], "say": say, "num": 7});
        answer(app, code, 12, "girl", answers).await;
    }
}

#[actix_web::test]
async fn results_cover_every_question_type_under_disclosure_control() {
    let (app, school, survey, code) = every_type_session().await;
    // 12 children of 12, 10 of 15, 3 of 9: 25 in all. Each cell (age band,
    // gender) of the first two holds five or more and is released; the
    // children of 9 (two girls, a boy) are alone in cells under k and wait.
    let mut n = 0;
    for (age, count) in [(12u8, 12), (15, 10), (9, 3)] {
        for i in 0..count {
            n += 1;
            let answers = json!({"one": if i % 2 == 0 { "a" } else { "b" }, "many": ["x", "y"], "rate": 3, "yn": true,
                "num": n, "rank": ["q", "p"], "say": "Em thích trường."});
            answer(&app, &code, age, if i % 2 == 0 { "girl" } else { "boy" }, answers).await;
        }
    }
    app.release().await;
    let all = released(&app, &survey, 1).await;
    assert_eq!(all["disclosure"]["method"], "cell_key");
    assert_eq!(all["disclosure"]["threshold"], K);
    assert_eq!(all["release"]["waiting"], 3, "staff see what waits");
    assert_eq!(all["release"]["next_release_at"], K);
    assert_eq!(all["groups"].as_array().unwrap().len(), 1);
    let one = question(&all, "one");
    assert_eq!(one["columns"], json!(["a", "b", "c"]));
    let g = &one["groups"][0];
    near(&g["respondents"], 22);
    near(&g["counts"][0]["count"], 11);
    near(&g["counts"][1]["count"], 11);
    assert_eq!(g["counts"][2]["count"], 0, "zero stays zero");
    // Shares are over the group's own published total.
    let share = g["counts"][1]["share"].as_f64().unwrap();
    let expected = g["counts"][1]["count"].as_f64().unwrap() / g["respondents"].as_f64().unwrap();
    assert!((share - expected.min(1.0)).abs() < 1e-9);
    // Without a breakdown the one group is everyone: the same cells give the
    // same figures.
    assert_eq!(one["total"], one["groups"][0]);
    // Everyone chose x and y, and said yes: the same children, the same number.
    let many = question(&all, "many");
    assert_eq!(
        many["groups"][0]["counts"][0]["count"],
        many["groups"][0]["respondents"]
    );
    assert_eq!(
        many["groups"][0]["counts"][1]["count"],
        many["groups"][0]["respondents"]
    );
    assert_eq!(many["groups"][0]["counts"][2]["count"], 0);
    assert_eq!(question(&all, "rate")["columns"], json!(["1", "2", "3"]));
    near(&question(&all, "yn")["groups"][0]["counts"][0]["count"], 22);
    // 22 numbers 1..22: a mean near 11.5 within the documented bound
    // w·(3D + 1)/(2c') + 0.05 over the range 0..=100 and the published count
    // c' (the noise is drawn from random record keys, so the bound, not a
    // guess, is what holds every run); quartiles for 20 or more; never the
    // smallest or largest.
    let num = &question(&all, "num")["groups"][0];
    let stats = &num["stats"];
    let mean = stats["mean"].as_f64().unwrap();
    let published = num["respondents"].as_f64().unwrap();
    let bound = 100.0 * (3.0 * D as f64 + 1.0) / (2.0 * published) + 0.05;
    assert!((mean - 11.5).abs() <= bound, "mean {mean} beyond {bound}");
    assert!(stats.get("min").is_none() && stats.get("max").is_none());
    let ranks = question(&all, "rank")["groups"][0]["mean_rank"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        ranks[0].as_f64().unwrap() > ranks[1].as_f64().unwrap(),
        "q is ranked first: {ranks:?}"
    );
    near(&question(&all, "say")["groups"][0]["respondents"], 22);
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("Em thích"), "no text answers in results");

    // By age band: the children of 9 are not released, so their band is not
    // listed; the released bands are within D.
    let r = app.results(&survey, "?by=age_band", app.admin()).await;
    let by_age = r.ok(200).clone();
    let bands: Vec<&str> = by_age["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["dimensions"]["age_band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, ["12-14", "15-17"]);
    let groups = question(&by_age, "one")["groups"].as_array().unwrap().clone();
    near(&groups[0]["respondents"], 12);
    near(&groups[1]["respondents"], 10);
    // The total is everyone, as without a breakdown.
    assert_eq!(question(&by_age, "one")["total"], one["total"]);
    // A pair of dimensions, and units grouped by ward.
    let r = app.results(&survey, "?by=age_band,gender", app.admin()).await;
    assert_eq!(r.ok(200)["by"], json!(["age_band", "gender"]));
    assert_eq!(question(&r.body, "one")["total"], one["total"]);
    let groups = [
        (
            "?by=unit&unit_level=ward",
            json!([{"dimensions": {"unit": "HCM-DUCNHUAN"}, "labels": {"unit": "Phường Đức Nhuận"}}]),
        ),
        (
            "?by=period",
            json!([{"dimensions": {"period": "2026-11"}, "labels": {"period": "11/2026"}}]),
        ),
    ];
    for (query, groups) in groups {
        let r = app.results(&survey, query, app.admin()).await;
        assert_eq!(r.ok(200)["groups"], groups, "{query}");
    }
    // Whole months only: this month, the next (empty), and never a day.
    let r = app
        .results(&survey, "?from=2026-11-01&to=2026-11-30", app.admin())
        .await;
    assert_eq!(question(r.ok(200), "one")["total"], one["total"]);
    let r = app.results(&survey, "?from=2026-12-01", app.admin()).await;
    assert_eq!(r.ok(200)["groups"], json!([]));
    assert_eq!(question(&r.body, "one")["total"]["respondents"], 0);

    // Roles: a facilitator sees their unit only; other roles are refused.
    let (_, here) = app.user("tpt.here", "facilitator", Some(&school), None).await;
    let other_school = app.unit_id("PN-S01", "2026-01-01").await;
    let (_, there) = app.user("tpt.there", "facilitator", Some(&other_school), None).await;
    let r = app.results(&survey, "", Some(&here)).await;
    assert_eq!(question(r.ok(200), "one")["total"], one["total"]);
    let r = app.results(&survey, "", Some(&there)).await;
    assert_eq!(r.ok(200)["groups"], json!([]));
    let results = format!("/api/v1/surveys/{survey}/results");
    let other_unit = Call::get(format!("{results}?unit_id={school}"));
    app.refuses(&[other_unit], &[Some(&there)], 404, "not_found").await;
    let (_, sg) = app.user("sg.kq", "safeguarding_officer", None, None).await;
    let read = [Call::get(&results)];
    app.refuses(&read, &[Some(&sg)], 403, "forbidden").await;
    app.refuses(&read, &[None], 401, "unauthenticated").await;
    // Bad input, windows that are not whole months included.
    let bad: Vec<Call> = [
        "by=colour",
        "by=unit,unit",
        "by=a,b,c",
        "unit_level=planet",
        "from=yesterday",
        "from=0100-01-01",
        "at=9999-01-01",
        "from=2026-11-02",
        "to=2026-11-24",
        "from=2026-11-25&to=2026-11-25",
        "from=2026-12-01&to=2026-11-30",
    ]
    .iter()
    .map(|bad| Call::get(format!("{results}?{bad}")))
    .collect();
    app.refuses(&bad, &[app.admin()], 400, "invalid_query").await;
    let missing = [
        Call::get(format!("{results}?version=9")),
        Call::get(format!("/api/v1/surveys/{}/results", uuid::Uuid::now_v7())),
    ];
    app.refuses(&missing, &[app.admin()], 404, "not_found").await;
}

#[actix_web::test]
async fn results_roll_old_units_up_into_their_successors() {
    let app = TestApp::spawn().await;
    app.stop_folder();
    let mk = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/units", app.admin(), &body).await.created() }
    };
    let city = mk(json!({"kind": "city", "code": "C", "name": {"vi": "Thành phố"}, "valid_from": "2020-01-01"})).await;
    let w1 = mk(json!({"kind": "ward", "code": "W1", "name": {"vi": "Phường 1"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let w2 = mk(json!({"kind": "ward", "code": "W2", "name": {"vi": "Phường 2"}, "parent_id": city, "valid_from": "2020-01-01"})).await;
    let survey = crate::surveys::published_survey(&app, &all_types(&city)).await;
    let code = session(&app, &survey, &w1).await;
    // Ten children: a count of ten is never published as 0.
    for _ in 0..10 {
        answer(&app, &code, 12, "girl", json!({"one": "a"})).await;
    }
    app.release().await;
    // Ward 1 is merged into ward 2 the day after tomorrow.
    let merge_on = (app.now() + Duration::days(2)).date_naive();
    app.post(
        "/api/v1/reorganisations",
        app.admin(),
        &json!({"effective_on": merge_on, "title": "Nhập phường 1 vào phường 2", "close": [w1], "lineage": [{"from": w1, "to_unit_id": w2}]}),
    )
    .await
    .ok(201);
    let before = app.results(&survey, "?by=unit&unit_level=ward", app.admin()).await;
    assert_eq!(
        before.ok(200)["groups"],
        json!([{"dimensions": {"unit": "W1"}, "labels": {"unit": "Phường 1"}}])
    );
    let after = app
        .results(&survey, &format!("?by=unit&unit_level=ward&at={merge_on}"), app.admin())
        .await;
    assert_eq!(
        after.ok(200)["groups"],
        json!([{"dimensions": {"unit": "W2"}, "labels": {"unit": "Phường 2"}}])
    );
    near(&after.body["questions"][0]["groups"][0]["counts"][0]["count"], 10);
    // Scoped to ward 2 on that date, ward 1's responses count: the same
    // children, so the same figures.
    let scoped = app
        .results(&survey, &format!("?unit_id={w2}&at={merge_on}"), app.admin())
        .await;
    assert_eq!(
        scoped.ok(200)["questions"][0]["total"],
        before.body["questions"][0]["total"]
    );
}

#[actix_web::test]
async fn results_export_as_csv_for_excel() {
    let (app, school, survey, code) = every_type_session().await;
    girls_answer_alike(&app, &code, 8, "Sân trường cần thêm cây xanh, ghế đá").await;
    app.release().await;
    let r = app.survey_file(&survey, "results.csv?by=age_band", app.admin()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines = crate::outputs::parse_csv(&r.text);
    assert_eq!(lines[0][..4], ["Câu hỏi", "Nhóm tuổi", "Phương án trả lời", "Số trẻ"]);
    // Everyone answered "a": the option and the respondents are the same
    // children, so the same published count, and a share of 100%.
    let row = |q: &str, group: &str, answer: &str| {
        lines
            .iter()
            .find(|l| l[0] == q && l[1] == group && l[2] == answer)
            .unwrap_or_else(|| panic!("{q} {group} {answer}: {lines:?}"))
            .clone()
    };
    let respondents = row("Một?", "12–14 tuổi", "Số trẻ trả lời câu hỏi");
    let n = &respondents[3];
    assert_eq!(row("Một?", "12–14 tuổi", "a")[3..5], [n.clone(), "100,0".to_owned()]);
    assert_eq!(
        row("Một?", "Tất cả", "a")[3..5],
        [n.clone(), "100,0".to_owned()],
        "the whole follows the groups"
    );
    // Eight numbers: never quartiles (that needs 20), a mean only where the
    // group is published as 10 or more.
    let num = row("Số?", "12–14 tuổi", "Số trẻ trả lời câu hỏi");
    assert_eq!(&num[6..9], ["", "", ""], "{num:?}");
    let published: u64 = num[3].parse().unwrap();
    assert_eq!(num[5].is_empty(), published < 10, "{num:?}");

    // Facilitators may export results of their unit.
    let (_, tpt) = app.user("tpt.csv", "facilitator", Some(&school), None).await;
    assert_eq!(
        app.get(&format!("/api/v1/surveys/{survey}/results.csv"), Some(&tpt))
            .await
            .status,
        200
    );
    let csv = format!("/api/v1/surveys/{survey}/results.csv");
    app.refuses(&[Call::get(&csv)], &[None], 401, "unauthenticated").await;
    let bad = [
        Call::get(format!("{csv}?by=colour")),
        Call::get(format!("{csv}?from=2026-11-03")),
    ];
    app.refuses(&bad, &[app.admin()], 400, "invalid_query").await;
}

/// The readings of the survey's rows and texts in the audit log, oldest first.
async fn export_readings(app: &TestApp, survey: &str) -> Vec<langnghe_storage::audit::AuditEvent> {
    let audit = app.audit("survey", survey).await;
    let is_reading =
        |e: &langnghe_storage::audit::AuditEvent| e.action == "responses.export" || e.action == "texts.export";
    audit.into_iter().filter(is_reading).collect()
}

/// Splits a CSV body into lines of fields (no quoted commas in these).
fn csv_lines(text: &str) -> Vec<Vec<String>> {
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[actix_web::test]
async fn rows_are_for_admins_generalised_audited_and_texts_apart() {
    let app = TestApp::spawn_demo().await;
    let [district, school, other] = app.units(["PN", "PN-S06", "PN-S01"]).await;
    let survey = crate::surveys::published_survey(&app, &all_types(&district)).await;
    // Twelve girls of 12 at one school; one boy of 9 at another, with a
    // rare combination and a distinctive answer.
    let code = session(&app, &survey, &school).await;
    girls_answer_alike(&app, &code, 12, "Sân trường cần thêm cây xanh").await;
    let code = session(&app, &survey, &other).await;
    answer(
        &app,
        &code,
        9,
        "boy",
        json!({"one": "c", "num": 99, "say": "Em là bạn nam duy nhất lớp 4B"}),
    )
    .await;

    let path = |q: &str| format!("/api/v1/surveys/{survey}/responses.csv{q}");
    let r = app
        .get(&path("?reason=B%C3%A1o%20c%C3%A1o%20qu%C3%BD%204"), app.admin())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.starts_with('\u{feff}'), "BOM for Excel");
    assert!(r.header("content-disposition").unwrap().contains("attachment"));
    let lines = csv_lines(&r.text);
    // For people: the questions' texts, places, ages and genders in words.
    assert_eq!(
        lines[0].join(","),
        "Nơi trả lời,Nhóm tuổi,Giới tính,Một?,Nhiều?,Điểm?,Có không?,Số?,Xếp?"
    );
    assert_eq!(lines.len(), 14, "a header and one row per response");
    // The boy is generalised into the crowd: every combination of place,
    // age band and gender has at least k rows.
    let mut combos: std::collections::HashMap<Vec<String>, u64> = std::collections::HashMap::new();
    for l in &lines[1..] {
        *combos.entry(l[..3].to_vec()).or_default() += 1;
    }
    assert!(combos.values().all(|n| *n >= K), "{combos:?}");
    let boys_school = app.get(&format!("/api/v1/units/{other}"), app.admin()).await;
    let boys_school = boys_school.ok(200)["name"]["vi"].as_str().unwrap().to_owned();
    assert!(!r.text.contains("PN-S01") && !r.text.contains(&boys_school));
    assert!(lines[1..].iter().all(|l| l[1] != "9–11 tuổi" && l[2] != "Nam"));
    assert!(lines[1..].iter().all(|l| !l[0].is_empty()
        && !l[0].contains("PN-")
        && ["12–14 tuổi", "6–11 tuổi", "12–17 tuổi", "Mọi lứa tuổi"].contains(&l[1].as_str())));
    assert!(
        lines[1..].iter().any(|l| l[3] == "c" && l[7] == "99"),
        "the answers stay"
    );
    // No texts, no ids, no times.
    assert!(!r.text.contains("HYPERLINK") && !r.text.contains("cây xanh") && !r.text.contains("4B"));
    assert!(
        !r.text
            .split([',', '"', '\r', '\n'])
            .any(|f| uuid::Uuid::parse_str(f).is_ok() || f.starts_with("2026-"))
    );
    // The texts apart, one per row, nothing else beside them.
    let r = app
        .survey_file(
            &survey,
            "texts.csv?reason=%C4%90%E1%BB%8Dc%20%C3%BD%20ki%E1%BA%BFn",
            app.admin(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.text.trim_start_matches('\u{feff}');
    let texts: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(texts[0], "Câu hỏi,Câu trả lời");
    assert_eq!(texts.len(), 14);
    assert!(
        texts.contains(&"Nói?,\"'=HYPERLINK(\"\"x\"\")\""),
        "formula made plain text: {texts:?}"
    );
    assert!(texts.contains(&"Nói?,Em là bạn nam duy nhất lớp 4B"), "{texts:?}");
    // Each reading is in the audit log with its reason.
    let reads = export_readings(&app, &survey).await;
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0].after.as_ref().unwrap()["reason"], "Báo cáo quý 4");
    assert_eq!(reads[0].after.as_ref().unwrap()["responses"], 13);

    // Refusals: no reason, other roles, too few responses, bad windows.
    let reason_required = [
        Call::get(path("")),
        Call::get(path("?reason=%20%20")),
        Call::get(path(&format!("?reason={}", "x".repeat(201)))),
    ];
    app.refuses(&reason_required, &[app.admin()], 400, "reason_required")
        .await;
    let invalid_query = [
        Call::get(path("?reason=x&by=age_band")),
        Call::get(path("?reason=x&from=2026-11-02")),
    ];
    app.refuses(&invalid_query, &[app.admin()], 400, "invalid_query").await;
    let (_, moderator) = app.user("mod.rows", "moderator", None, None).await;
    let (_, tpt) = app.user("tpt.rows", "facilitator", Some(&school), None).await;
    for token in [&moderator, &tpt] {
        let forbidden = [
            Call::get(path("?reason=x")),
            Call::get(format!("/api/v1/surveys/{survey}/texts.csv?reason=x")),
        ];
        app.refuses(&forbidden, &[Some(token)], 403, "forbidden").await;
    }
    app.get(&path("?reason=x"), None)
        .await
        .assert_problem(401, "unauthenticated");
    app.survey_file(&survey, &format!("responses.csv?reason=x&unit_id={other}"), app.admin())
        .await
        .assert_problem(409, "too_few_responses");
    app.get(
        &format!("/api/v1/surveys/{}/responses.csv?reason=x", uuid::Uuid::now_v7()),
        app.admin(),
    )
    .await
    .assert_problem(404, "not_found");
    // Refused readings are not audited; nothing else was stored.
    assert_eq!(
        export_readings(&app, &survey).await.len(),
        3,
        "the two readings, and the one of too few rows that read them"
    );
    // In English on request.
    let en = app
        .survey_file(&survey, "texts.csv?reason=x&lang=en", app.admin())
        .await;
    assert!(
        en.text
            .trim_start_matches('\u{feff}')
            .starts_with("Question,Answer\r\n")
    );
    let en = app.get(&path("?reason=Report&lang=en"), app.admin()).await;
    let en = csv_lines(&en.text);
    assert_eq!(en[0][..3], ["Where", "Age band", "Gender"]);
    assert!(
        en[1..].iter().all(|l| ["Girls", "Any gender"].contains(&l[2].as_str())),
        "{en:?}"
    );
    app.get(&path("?reason=x&lang=vn"), app.admin())
        .await
        .assert_problem(400, "invalid_query");
    // The English readings are audited like any.
    assert_eq!(export_readings(&app, &survey).await.len(), 5);
}

#[actix_web::test]
async fn public_results_only_for_surveys_that_say_so() {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let mut body = all_types(&district);
    body["results_public"] = json!(true);
    let open = crate::surveys::published_survey(&app, &body).await;
    let closed = crate::surveys::published_survey(&app, &all_types(&district)).await;
    let survey = app.get(&format!("/api/v1/surveys/{open}"), app.admin()).await;
    assert_eq!(survey.ok(200)["results_public"], true);
    assert_eq!(survey.body["definition"]["results_public"], true);
    let code = session(&app, &open, &school).await;
    for _ in 0..11 {
        answer(&app, &code, 12, "boy", json!({"one": "c"})).await;
    }
    for _ in 0..9 {
        answer(&app, &code, 12, "girl", json!({"one": "b"})).await;
    }
    answer(&app, &code, 9, "girl", json!({"one": "a"})).await;
    app.release().await;
    // No sign-in; the same disclosure control: the lone "a" reads 0 or k,
    // never 1; nothing says how many responses wait.
    let r = app.get(&format!("/api/v1/public/surveys/{open}/results"), None).await;
    let public = r.ok(200).clone();
    let counts = &question(&public, "one")["groups"][0]["counts"];
    near(&counts[0]["count"], 1);
    near(&counts[1]["count"], 9);
    near(&counts[2]["count"], 11);
    assert!(public["release"]["number"].as_i64().unwrap() >= 1);
    assert_eq!(public["release"].get("waiting"), None);
    assert_eq!(public["release"].get("next_release_at"), None);
    // The same figures as staff see.
    let staff = app.results(&open, "", app.admin()).await;
    assert_eq!(staff.ok(200)["questions"], public["questions"]);
    let r = app
        .get(&format!("/api/v1/public/surveys/{open}/results?by=age_band"), None)
        .await;
    let groups = question(r.ok(200), "one")["groups"].as_array().unwrap().clone();
    for g in &groups {
        assert!(
            g["respondents"].as_u64().unwrap() >= K,
            "a listed group is never small: {g}"
        );
    }
    let not_found = [
        Call::get(format!("/api/v1/public/surveys/{closed}/results")),
        Call::get(format!("/api/v1/public/surveys/{open}/results?version=2")),
        Call::get(format!("/api/v1/public/surveys/{}/results", uuid::Uuid::now_v7())),
    ];
    app.refuses(&not_found, &[None], 404, "not_found").await;
    let invalid_query = [
        Call::get(format!("/api/v1/public/surveys/{open}/results?by=colour")),
        Call::get(format!("/api/v1/public/surveys/{open}/results?to=2026-11-25")),
    ];
    app.refuses(&invalid_query, &[None], 400, "invalid_query").await;
}

/// Withdraws a response by its receipt.
/// The responses the cells of version 1 of `survey` count (all released).
async fn released_responses(db: &sea_orm::DatabaseConnection, survey: uuid::Uuid) -> i64 {
    let cells = langnghe_storage::rollup::cells(db, survey, 1, None, None, None)
        .await
        .unwrap();
    cells.iter().map(|c| c.responses).sum()
}

async fn withdraw(app: &TestApp, receipt: &str) {
    let r = app.delete(&format!("/api/v1/responses/{receipt}"), None).await;
    assert_eq!(r.status, 204, "{}", r.text);
}

#[actix_web::test]
async fn results_change_only_in_releases_of_at_least_k() {
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let (school, survey) = every_type_survey(&app).await;
    let code = session(&app, &survey, &school).await;
    let results = async || app.results(&survey, "", app.admin()).await.ok(200).clone();
    let submit = async |n: usize| {
        let mut receipts = Vec::new();
        for _ in 0..n {
            receipts.push(answer(&app, &code, 13, "girl", json!({"one": "a", "yn": true})).await);
        }
        receipts
    };
    // Four children: nothing is published, and staff see four waiting.
    let mut receipts = submit(4).await;
    let r = results().await;
    assert_eq!(r["release"]["number"], 0);
    assert_eq!(r["release"]["waiting"], 4);
    assert_eq!(r["groups"], json!([]));
    assert_eq!(question(&r, "one")["total"]["respondents"], 0);
    // The folder has been running all along and released nothing.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(results().await["release"]["number"], 0);
    // The fifth makes a release of five.
    receipts.extend(submit(1).await);
    let first = released(&app, &survey, 1).await;
    assert_eq!(first["release"]["waiting"], 0);
    assert_eq!(released_responses(&db, survey.parse().unwrap()).await, 5);
    // One more child and one withdrawal: two changes wait, the figures stay
    // exactly as released, whoever reads them and however often.
    receipts.extend(submit(1).await);
    withdraw(&app, &receipts[0]).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    let r = results().await;
    assert_eq!(r["release"]["waiting"], 2);
    assert_eq!(r["questions"], first["questions"]);
    assert_eq!(r["release"]["number"], 1);
    // A child who answers and withdraws before the release changes nothing
    // and is not counted as waiting.
    let gone = submit(1).await;
    withdraw(&app, &gone[0]).await;
    assert_eq!(results().await["release"]["waiting"], 2);
    // Three more make five changes: the second release.
    receipts.extend(submit(3).await);
    let second = released(&app, &survey, 2).await;
    assert_eq!(second["release"]["waiting"], 0);
    assert_eq!(released_responses(&db, survey.parse().unwrap()).await, 8);
    near(&question(&second, "one")["total"]["respondents"], 8);
    // The release is numbered, dated by the app's clock, and audited in the
    // figures of every reader alike.
    assert!(
        second["release"]["released_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-25")
    );
}

#[actix_web::test]
async fn two_replicas_release_each_response_exactly_once() {
    let app = TestApp::spawn_demo().await;
    let other = app.replica().await;
    let db = app.storage().await;
    let (school, survey) = every_type_survey(&app).await;
    let code = session(&app, &survey, &school).await;
    // 40 children answer at once, half through each replica, while both
    // replicas' folders run.
    let answers = json!({"one": "a", "num": 7, "rank": ["p", "q"]});
    let submissions = (0..40u8).map(|i| {
        let (to, code, answers) = (if i % 2 == 0 { &app } else { &other }, &code, answers.clone());
        async move { answer(to, code, 9 + i % 8, "girl", answers).await }
    });
    let receipts = futures_util::future::join_all(submissions).await;
    // And five withdraw, some perhaps while being released.
    for r in &receipts[..5] {
        withdraw(&other, r).await;
    }
    // The folders release whatever makes a release; a remainder under k
    // may wait in each cell (age band; all are girls). Released plus waiting is exactly what was stored, once.
    let survey_id: uuid::Uuid = survey.parse().unwrap();
    let settled = crate::support::eventually(10, || async {
        let released = released_responses(&db, survey_id).await;
        // What waits, per cell (one unit and month here): under k in each.
        let mut cells: std::collections::BTreeMap<String, u64> = Default::default();
        let mut net = 0;
        for c in langnghe_storage::rollup::waiting_changes(&db, Some(survey_id))
            .await
            .unwrap()
        {
            if let (Some(p), true) = (c.place, c.net != 0) {
                *cells.entry(p.age_band).or_default() += 1;
                net += c.net;
            }
        }
        cells.values().all(|&n| n < K) && released + net == 35 && released >= 30
    })
    .await;
    assert!(settled, "every change was released once");
    let mut seen = Vec::new();
    for a in [&app, &other] {
        let r = a.results(&survey, "", a.admin()).await;
        let q = r.ok(200)["questions"].clone();
        let released = q[0]["total"]["respondents"].clone();
        assert_eq!(
            q[0]["total"]["counts"][0]["count"], released,
            "all chose a: the same children"
        );
        assert!(released.as_u64().unwrap().abs_diff(35) <= K + D);
        // Everyone answered 7: a mean near 7 (the noise is scaled to 0..100).
        let mean = q[4]["total"]["stats"]["mean"].as_f64().unwrap();
        assert!((mean - 7.0).abs() < 25.0, "{mean}");
        seen.push(q);
    }
    assert_eq!(seen[0], seen[1], "both replicas publish the same figures");
}

#[actix_web::test]
async fn windows_are_whole_months_and_each_month_is_its_own_cells() {
    use langnghe_storage::participation::{NewResponse, insert_responses_bulk};
    let app = TestApp::spawn_demo().await;
    let db = app.storage().await;
    let (school, survey) = every_type_survey(&app).await;
    let survey_id: uuid::Uuid = survey.parse().unwrap();
    // 1,200 responses at pseudo-random instants over 75 days, so that
    // months and local midnight (UTC+7) are crossed.
    let now = app.now();
    let mut seed = 7u64;
    let mut rows = Vec::new();
    for i in 0..1200 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let at = now - Duration::seconds((seed >> 20) as i64 % (75 * 86_400));
        let one = ["a", "b", "c"][(seed >> 8) as usize % 3];
        let answers = json!({"one": one});
        rows.push(NewResponse {
            idempotency_key: format!("k{i}"),
            ..crate::support::response_row(survey_id, &school, answers, at, (seed >> 32) as u32)
        });
    }
    insert_responses_bulk(&db, &rows).await.unwrap();
    let settled = crate::support::eventually(20, || async {
        langnghe_storage::rollup::pending_count(&db).await.unwrap() == 0
    })
    .await;
    assert!(settled, "every response was released");
    let local = |t: chrono::DateTime<Utc>| (t + Duration::hours(7)).date_naive();
    let month = |r: &NewResponse| local(r.submitted_at).format("%Y-%m").to_string();
    for (from, to, months) in [
        ("2026-09-01", "2026-09-30", vec!["2026-09"]),
        ("2026-10-01", "2026-11-30", vec!["2026-10", "2026-11"]),
        ("2026-09-01", "2026-11-30", vec!["2026-09", "2026-10", "2026-11"]),
    ] {
        let r = app
            .results(&survey, &format!("?from={from}&to={to}"), app.admin())
            .await;
        let total = &question(r.ok(200), "one")["total"];
        let inside: Vec<&NewResponse> = rows.iter().filter(|r| months.contains(&month(r).as_str())).collect();
        near(&total["respondents"], inside.len() as u64);
        let a = inside.iter().filter(|r| r.answers.contains("\"a\"")).count();
        near(&total["counts"][0]["count"], a as u64);
    }
    // By month: each month is its own cells, within D of its count.
    let r = app.results(&survey, "?by=period", app.admin()).await;
    let body = r.ok(200).clone();
    for (g, figures) in body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(question(&body, "one")["groups"].as_array().unwrap())
    {
        let m = g["dimensions"]["period"].as_str().unwrap();
        near(
            &figures["respondents"],
            rows.iter().filter(|r| month(r) == m).count() as u64,
        );
    }
    near(&question(&body, "one")["total"]["respondents"], 1200);
}
