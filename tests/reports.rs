//! The topic summary and the plan's reports, on seeded data with known
//! answers: issues raised with topics, responses to a survey with a topic,
//! events with issues, safeguarding cases; some moved into 2025 to test
//! windows and the local (UTC+7) month.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::support::{Resp, TestApp, strings};
use crate::surveys::{example_survey, published_survey};

/// The day the tests' clock is pinned to.
fn pinned_day() -> NaiveDate {
    crate::support::day()
}

fn this_month() -> String {
    pinned_day().format("%Y-%m").to_string()
}

/// The first day of the quarter after the pinned day's.
fn next_quarter() -> NaiveDate {
    let t = pinned_day();
    let month = (t.month() - 1) / 3 * 3 + 4;
    if month > 12 {
        NaiveDate::from_ymd_opt(t.year() + 1, month - 12, 1).unwrap()
    } else {
        NaiveDate::from_ymd_opt(t.year(), month, 1).unwrap()
    }
}

fn this_quarter() -> String {
    let t = pinned_day();
    format!("{}-Q{}", t.year(), (t.month() - 1) / 3 + 1)
}

/// The sections of a district's report an admin reads, in order.
pub const SECTIONS: [&str; 6] = [
    "progress",
    "consultations",
    "topics",
    "events",
    "safeguarding",
    "recommendations",
];

/// The header of a report as CSV, in Vietnamese and in English.
pub const CSV_HEADERS_VI: [&str; 8] = [
    "Phần",
    "Mã",
    "Tên",
    "Chỉ số",
    "Số lượng",
    "Tỷ lệ (%)",
    "Số ngày làm việc",
    "Nội dung",
];
pub const CSV_HEADERS_EN: [&str; 8] = [
    "Section",
    "Code",
    "Name",
    "Figure",
    "Number",
    "Percent",
    "Working days",
    "Details",
];

const DISCLOSURE: &str = "Bố em say rượu về đánh em";

struct Seeded {
    app: TestApp,
    district: String,
    school: String,
    other_school: String,
    /// The number of safeguarding cases, and their severity.
    cases: (usize, String),
}

/// Sets a timestamp column of some rows straight in the database: the API
/// stamps submissions with the time they arrive, and windows need records
/// from other months.
async fn move_to(app: &TestApp, table: &'static str, column: &'static str, ids: &[String], at: &str) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
    let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.parse().unwrap()).collect();
    let db = app.storage().await;
    let q = Query::update()
        .table(table)
        .value(column, at)
        .and_where(Expr::col("id").is_in(ids.clone()))
        .to_owned();
    let done = db.execute(&q).await.unwrap();
    assert_eq!(done.rows_affected(), ids.len() as u64);
    db.close().await.ok();
}

async fn send(app: &TestApp, path: &str, token: &str, key: &str, body: Value) -> String {
    let r = app.post_keyed(path, Some(token), key, &body).await;
    r.created()
}

/// The seeded data, all at the school PN-S06 (ward Đức Nhuận since July
/// 2025) unless said otherwise:
/// - 11 children of 13 answer the survey on safety; 5 answers disclose harm
///   (5 cases); the answers of children 6–10 are moved to 15 April 2025.
/// - Children 0–5 raise 4 issues on safety, 1 withheld on safety (a case),
///   15 on education (5 moved to 15 March 2025 and 5 to 31 March 2025 18:00
///   UTC, which is 1 April in Vietnam), 1 on family and 1 on health.
/// - Events today: a dialogue here (30 children, 5 adults, 2 issues on
///   safety), a forum of the district (40, 10, 1 issue on education), a
///   Council meeting (3, 2), a care centre listening session (2, 3) and a
///   training of commanders at PN-S01 (20, 2); and a forum on 10 April 2025
///   (50, 4).
/// - A target of 10 consultations this year for the Council.
async fn seed() -> Seeded {
    let app = TestApp::spawn_demo().await;
    let [district, school, other_school, council, care] =
        app.units(["PN", "PN-S06", "PN-S01", "PN-HDTE", "PN-MAHM"]).await;
    let mut body = example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = published_survey(&app, &body).await;
    let session = app.open_session(&survey, &school, -5, 60).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    let mut children = Vec::new();
    let mut answers = Vec::new();
    for i in 0..11 {
        let token = app.child(&code, 13).await;
        let given = if i < 5 {
            json!({"feel_safe": "no", "why_not": DISCLOSURE})
        } else {
            json!({"feel_safe": "yes"})
        };
        answers.push(send(&app, "/api/v1/responses", &token, "r", json!({"answers": given})).await);
        children.push(token);
    }
    let mut raised: Vec<(&str, String)> = Vec::new();
    let mut raise = async |topic: &'static str, body: &str| {
        let n = raised.len();
        let id = send(
            &app,
            "/api/v1/issues",
            &children[n % 6],
            &format!("i{n}"),
            json!({"title": format!("Ý kiến {n}"), "body": body, "topic": topic}),
        )
        .await;
        raised.push((topic, id));
    };
    for _ in 0..4 {
        raise("safety", "Cần đèn đường trước cổng trường").await;
    }
    raise("safety", DISCLOSURE).await;
    for _ in 0..15 {
        raise("education", "Cần thêm sách ở thư viện").await;
    }
    raise("family", "Bố mẹ cần có thêm thời gian cho con").await;
    raise("health", "Cần có phòng y tế ở trường").await;
    let education: Vec<String> = raised
        .iter()
        .filter(|(t, _)| *t == "education")
        .map(|(_, id)| id.clone())
        .collect();
    move_to(&app, "issues", "created_at", &education[5..10], "2025-03-15T05:00:00Z").await;
    move_to(&app, "issues", "created_at", &education[10..15], "2025-03-31T18:00:00Z").await;
    move_to(
        &app,
        "responses",
        "submitted_at",
        &answers[6..11],
        "2025-04-15T03:00:00Z",
    )
    .await;

    let today = pinned_day().to_string();
    let event = |kind: &str, unit: &str, on: &str, children: i32, adults: i32, issues: Value| {
        let audience = (kind == "training").then_some("commanders");
        json!({"kind": kind, "audience": audience, "unit_id": unit, "held_on": on, "title": kind,
               "children_attending": children, "adults_attending": adults, "issues": issues})
    };
    let plain = |topic: &str| json!({"title": "Sân chơi", "body": "Cần thêm sân chơi an toàn", "topic": topic});
    for body in [
        event(
            "dialogue",
            &school,
            &today,
            30,
            5,
            json!([plain("safety"), plain("safety")]),
        ),
        event("forum", &district, &today, 40, 10, json!([plain("education")])),
        event("council_meeting", &council, &today, 3, 2, json!([])),
        event("care_centre_listening", &care, &today, 2, 3, json!([])),
        event("training", &other_school, &today, 20, 2, json!([])),
        event("forum", &district, "2025-04-10", 50, 4, json!([])),
    ] {
        app.post("/api/v1/events", app.admin(), &body).await.ok(201);
    }
    let year = pinned_day().year();
    app.set_target(
        json!({"metric": "consultations", "scope_unit_id": council, "period": year.to_string(), "value": 10}),
    )
    .await
    .ok(201);

    let db = app.storage().await;
    let cases = langnghe_storage::participation::cases(&db).await.unwrap();
    db.close().await.ok();
    assert!(cases.iter().all(|c| c.severity == cases[0].severity));
    let cases = (cases.len(), cases[0].severity.clone());
    Seeded {
        app,
        district,
        school,
        other_school,
        cases,
    }
}

fn topic<'a>(summary: &'a Value, slug: &str) -> &'a Value {
    crate::support::find(summary, "topics", |t| t["topic"]["slug"] == slug)
}

/// The items of a section's rows that are totals (one a unit or group).
pub fn totals(report: &Value, section: usize) -> Vec<&str> {
    let rows = report["sections"][section]["rows"].as_array().unwrap();
    let totals = rows.iter().filter(|r| r["breakdown"] == "total");
    totals.map(|r| r["item"].as_str().unwrap()).collect()
}

fn shown(n: u64) -> Value {
    json!({"count": n})
}

/// The trend of a topic as (month, issues, answers).
fn trend(t: &Value) -> Vec<(String, Value, Value)> {
    t["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["month"].as_str().unwrap().to_owned(),
                p["issues"].clone(),
                p["survey_answers"].clone(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_topic_summary_counts_issues_answers_and_events_per_topic() {
    let s = seed().await;
    let app = &s.app;
    let summary = app.admin_read("/api/v1/topics/summary").await;
    let today = pinned_day();
    assert_eq!(summary["from"], format!("{}-01-01", today.year()));
    assert_eq!(summary["to"], "2026-11-30", "whole months: to the end of this one");
    assert_eq!(summary["unit"], Value::Null);
    assert_eq!(summary["min_cell"], 5);
    // Every topic, in the order created, with those that have nothing.
    let slugs: Vec<&str> = summary["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs.len(), 10);
    assert_eq!(slugs[0], "education");
    assert_eq!(slugs[9], "school_participation");

    // Safety: 4 new and 1 withheld from children, 2 new from the dialogue.
    // The withheld one belongs to safeguarding: counted nowhere here, not
    // even as "withheld".
    // Every count goes through the cell key method: within D of the truth,
    // nothing from 1 to k − 1, and the same issues give the same figure in
    // every count they make up (all six are new, all this month).
    let safety = topic(&summary, "safety");
    assert_eq!(safety["topic"]["name"], "An toàn, phòng chống bạo lực");
    let total = safety["issues"]["total"].clone();
    crate::results::near(&total["count"], 6);
    assert_eq!(safety["issues"]["by_status"], json!({"new": total}));
    crate::results::near(&safety["survey_answers"]["count"], 6);
    assert_eq!(safety["events"], 1);
    let months = trend(safety);
    assert_eq!(months.len() as u32, today.month());
    for (month, issues, answers) in &months {
        if *month == this_month() {
            assert_eq!((issues, answers), (&total, &safety["survey_answers"]));
        } else {
            assert_eq!((issues, answers), (&shown(0), &shown(0)), "{month}: zero stays zero");
        }
    }
    // Education: 5 raised this year (10 were moved into 2025) and 1 at the forum.
    let education = topic(&summary, "education");
    crate::results::near(&education["issues"]["total"]["count"], 6);
    assert_eq!(
        education["issues"]["by_status"],
        json!({"new": education["issues"]["total"]})
    );
    assert_eq!(education["survey_answers"], shown(0));
    assert_eq!(education["events"], 1);
    // One issue each: 0 or k, never 1, the same in the trend.
    for slug in ["family", "health"] {
        let t = topic(&summary, slug);
        let one = t["issues"]["total"].clone();
        crate::results::near(&one["count"], 1);
        assert_eq!(t["issues"]["by_status"], json!({"new": one}));
        assert!(trend(t).iter().any(|(_, i, _)| *i == one), "{t}");
        assert_eq!(t["survey_answers"], shown(0));
        assert_eq!(t["events"], 0);
    }
    let nothing = topic(&summary, "summer");
    assert_eq!(nothing["issues"]["total"], shown(0));
    assert_eq!(nothing["events"], 0);
    // Never a small figure anywhere.
    for t in summary["topics"].as_array().unwrap() {
        let text = t.to_string();
        for n in 1..5 {
            assert!(!text.contains(&format!("\"count\":{n}}}")), "{text}");
        }
    }

    // In English.
    let r = app.get_in("/api/v1/topics/summary", app.admin(), "en").await;
    assert_eq!(
        topic(r.ok(200), "safety")["topic"]["name"],
        "Safety and violence prevention"
    );

    // A window in 2025: the records moved there, by local month.
    let r = app
        .get("/api/v1/topics/summary?from=2025-03-01&to=2025-04-30", app.admin())
        .await;
    let spring = r.ok(200).clone();
    let education = topic(&spring, "education");
    crate::results::near(&education["issues"]["total"]["count"], 10);
    assert_eq!(education["events"], 0, "the 2025 forum raised no issue");
    let months = trend(education);
    assert_eq!(months.len(), 2);
    for (month, (m, issues, answers)) in ["2025-03", "2025-04"].iter().zip(&months) {
        assert_eq!(m, month);
        crate::results::near(&issues["count"], 5);
        assert_eq!(answers, &shown(0));
    }
    let safety = topic(&spring, "safety");
    assert_eq!(safety["issues"]["total"], shown(0));
    crate::results::near(&safety["survey_answers"]["count"], 5);
    assert_eq!(trend(safety)[1].1, shown(0));
    assert_eq!(
        trend(safety)[1].2,
        safety["survey_answers"],
        "the same answers, the same figure"
    );
    // 31 March 18:00 UTC is 1 April in Vietnam: months are local.
    let march = app
        .get("/api/v1/topics/summary?from=2025-03-01&to=2025-03-31", app.admin())
        .await;
    crate::results::near(&topic(march.ok(200), "education")["issues"]["total"]["count"], 5);
    // Never a window of days: a single day is refused.
    app.get("/api/v1/topics/summary?from=2025-04-01&to=2025-04-01", app.admin())
        .await
        .assert_problem(400, "invalid_query");
    // `from` alone runs to the end of this month.
    let r = app.get("/api/v1/topics/summary?from=2025-04-01", app.admin()).await;
    let t = topic(r.ok(200), "education");
    crate::results::near(&t["issues"]["total"]["count"], 11);
    assert_eq!(r.body["to"], "2026-11-30");
    // `to` alone starts on 1 January of its year.
    let r = app.get("/api/v1/topics/summary?to=2025-12-31", app.admin()).await;
    assert_eq!(r.ok(200)["from"], "2025-01-01");
    crate::results::near(&topic(&r.body, "education")["issues"]["total"]["count"], 10);

    // For a unit: the dialogue is at the school, the forum at the district.
    let r = app
        .get(&format!("/api/v1/topics/summary?unit_id={}", s.school), app.admin())
        .await;
    let here = r.ok(200).clone();
    assert_eq!(here["unit"]["code"], "PN-S06");
    crate::results::near(&topic(&here, "education")["issues"]["total"]["count"], 5);
    assert_eq!(topic(&here, "education")["events"], 0);
    assert_eq!(topic(&here, "safety")["events"], 1);
    let r = app
        .get(&format!("/api/v1/topics/summary?unit_id={}", s.district), app.admin())
        .await;
    crate::results::near(&topic(r.ok(200), "education")["issues"]["total"]["count"], 6);
}

#[actix_web::test]
async fn the_topic_summary_keeps_facilitators_to_their_unit_and_refuses_bad_input() {
    let s = seed().await;
    let app = &s.app;
    let (_, tpt) = app.user("tpt.s06", "facilitator", Some(&s.school), None).await;
    let (_, other) = app.user("tpt.s01", "facilitator", Some(&s.other_school), None).await;
    // Their own unit by default.
    let r = app.get("/api/v1/topics/summary", Some(&tpt)).await;
    let own = r.ok(200).clone();
    assert_eq!(own["unit"]["code"], "PN-S06");
    crate::results::near(&topic(&own, "safety")["issues"]["total"]["count"], 6);
    crate::results::near(&topic(&own, "education")["issues"]["total"]["count"], 5);
    let asked = app
        .get(&format!("/api/v1/topics/summary?unit_id={}", s.school), Some(&tpt))
        .await;
    assert_eq!(asked.ok(200)["topics"], own["topics"]);
    // Nothing was recorded at the other school (the training raised no issue).
    let r = app.get("/api/v1/topics/summary", Some(&other)).await;
    for t in r.ok(200)["topics"].as_array().unwrap() {
        assert_eq!(t["issues"]["total"], shown(0), "{t}");
        assert_eq!(t["survey_answers"], shown(0), "{t}");
    }
    // Never another unit, above or beside.
    for unit in [&s.other_school, &s.district] {
        app.get(&format!("/api/v1/topics/summary?unit_id={unit}"), Some(&tpt))
            .await
            .assert_problem(404, "not_found");
    }
    // Roles.
    let (_, moderator) = app.user("mod.chude", "moderator", None, None).await;
    app.get("/api/v1/topics/summary", Some(&moderator)).await.ok(200);
    let (_, sg) = app.user("sg.chude", "safeguarding_officer", None, None).await;
    app.get("/api/v1/topics/summary", Some(&sg))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/topics/summary", None)
        .await
        .assert_problem(401, "unauthenticated");

    // Bad input is a 400 with a code, and changes nothing.
    let before = app.get("/api/v1/topics/summary", app.admin()).await.ok(200)["topics"].clone();
    let bad = [
        "from=2026-02-30".to_owned(),
        "from=tomorrow".to_owned(),
        "from=1800-01-01".to_owned(),
        "to=2300-01-01".to_owned(),
        "from=2026-05-01&to=2026-04-30".to_owned(),
        format!("unit_id={}", uuid::Uuid::now_v7()),
        "unit_id=PN".to_owned(),
        "colour=red".to_owned(),
    ];
    app.refuses_queries("/api/v1/topics/summary", &bad, app.admin()).await;
    app.get(
        &format!("/api/v1/topics/summary?unit_id={}", uuid::Uuid::now_v7()),
        Some(&tpt),
    )
    .await
    .assert_problem(400, "invalid_query");
    let after = app.get("/api/v1/topics/summary", app.admin()).await.ok(200)["topics"].clone();
    assert_eq!(before, after);
}

/// The district's report of this quarter as the admin reads it, with `more`
/// of a query (`"&format=csv"`).
async fn district_report(s: &Seeded, more: &str) -> Resp {
    let query = format!("period={}&unit_id={}{more}", this_quarter(), s.district);
    s.app.get(&format!("/api/v1/reports?{query}"), s.app.admin()).await
}

/// The row of a report's section with this item and breakdown.
fn row<'a>(report: &'a Value, section: &str, item: &str, breakdown: &str) -> &'a Value {
    let sections = report["sections"].as_array().unwrap();
    let s = sections
        .iter()
        .find(|s| s["key"] == section)
        .unwrap_or_else(|| panic!("no section {section}"));
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == item && r["breakdown"] == breakdown)
        .unwrap_or_else(|| panic!("no row {item} {breakdown} in {section}: {}", s["rows"]))
}

/// A row's value (every row has one: nothing is suppressed, figures about
/// children are perturbed instead).
fn value(report: &Value, section: &str, item: &str, breakdown: &str) -> Option<Value> {
    let r = row(report, section, item, breakdown);
    assert!(r.get("suppressed").is_none(), "{r}");
    assert_ne!(r["value"], Value::Null, "{r}");
    Some(r["value"].clone())
}

#[actix_web::test]
async fn a_quarterly_report_has_known_figures_in_every_section() {
    let s = seed().await;
    let app = &s.app;
    let quarter = this_quarter();
    let year = pinned_day().year();
    let r = district_report(&s, "").await;
    let report = r.ok(200).clone();
    assert_eq!(report["period"], quarter.as_str());
    assert_eq!(report["unit"]["code"], "PN");
    assert_eq!(report["min_cell"], 5);
    assert!(
        report["generated_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok()
    );
    // The quarter is under way: no safeguarding cases are counted yet.
    let under_way: Vec<&str> = SECTIONS.into_iter().filter(|k| *k != "safeguarding").collect();
    assert_eq!(strings(&report, "sections", "key"), under_way);
    assert_eq!(report["sections"][1]["title"]["en"], "Consultations by unit and kind");
    let v = |section: &str, item: &str, breakdown: &str| value(&report, section, item, breakdown);
    let n = |x: u64| Some(json!(x));

    // Progress, measured up to today: 11 responses, 22 issues children
    // raised and 125 children at consultation events since 2024.
    let plan = "consultations 2024..2027 PN";
    crate::results::near(&v("progress", plan, "actual").unwrap(), 158);
    assert_eq!(v("progress", plan, "target"), Some(json!(50000.0)));
    assert_eq!(v("progress", plan, "status"), Some(json!("behind")));
    let lower = "lower_secondary_participants 2024..2027 PN";
    crate::results::near(&v("progress", lower, "actual").unwrap(), 11);
    // Beside them, never added: the children at consultation events, a
    // headcount; no school level was entered at any.
    assert_eq!(v("progress", lower, "beside.event_headcount"), n(0));
    crate::results::near(
        &v("progress", lower, "beside.event_headcount_school_level_not_entered").unwrap(),
        125,
    );
    assert_eq!(v("progress", lower, "measures"), Some(json!("unique_participants")));
    assert_eq!(
        v("progress", lower, "part.unique_participants"),
        v("progress", lower, "actual")
    );
    assert_eq!(v("progress", &format!("forums {year} PN"), "actual"), Some(json!(1.0)));
    assert_eq!(
        v("progress", &format!("council_meetings {year} PN-HDTE"), "actual"),
        Some(json!(1.0))
    );
    // 3 children at the Council meeting: 0 or k, never 3; the share is of
    // the figure published.
    let small = format!("consultations {year} PN-HDTE");
    crate::results::near(&v("progress", &small, "actual").unwrap(), 3);
    assert!(v("progress", &small, "share").is_some());
    assert!(v("progress", &small, "status").is_some());

    // Consultations this quarter, by the units under the district.
    let mut units: Vec<String> = [
        "HCM-CAUKIEU",
        "HCM-DUCNHUAN",
        "HCM-PHUNHUAN",
        "PN-HDTE",
        "PN-MAHM",
        "PN",
    ]
    .map(String::from)
    .into();
    // The district's schools, PN-S01 to PN-S18, each in its ward's row too.
    units.extend((1..=18).map(|n| format!("PN-S{n:02}")));
    units.push("all".into());
    assert_eq!(totals(&report, 1), units);
    assert_eq!(
        row(&report, "consultations", "PN-S06", "total")["part_of"],
        "HCM-DUCNHUAN"
    );
    assert_eq!(
        row(&report, "consultations", "PN-S06", "total")["value"],
        row(&report, "consultations", "HCM-DUCNHUAN", "total")["value"],
        "everything in the ward happened at the school: the same records, the same figure"
    );
    assert_eq!(row(&report, "consultations", "PN-S01", "total")["value"], 0);
    assert!(
        row(&report, "consultations", "HCM-DUCNHUAN", "total")
            .get("part_of")
            .is_none()
    );
    let ward = "HCM-DUCNHUAN";
    assert_eq!(row(&report, "consultations", ward, "total")["name"], "Phường Đức Nhuận");
    crate::results::near(&v("consultations", ward, "survey_response").unwrap(), 6);
    crate::results::near(&v("consultations", ward, "issue").unwrap(), 12);
    crate::results::near(&v("consultations", ward, "event_attendance").unwrap(), 30);
    crate::results::near(&v("consultations", ward, "total").unwrap(), 48);
    crate::results::near(&v("consultations", ward, "unique_participants").unwrap(), 6);
    crate::results::near(&v("consultations", "PN", "event_attendance").unwrap(), 40);
    crate::results::near(&v("consultations", "PN", "total").unwrap(), 40);
    // The training at PN-S01 (ward Cầu Kiệu) is not a consultation.
    crate::results::near(&v("consultations", "HCM-CAUKIEU", "total").unwrap(), 0);
    // Small groups: never a count from 1 to k − 1.
    for unit in ["PN-HDTE", "PN-MAHM"] {
        for kind in ["survey_response", "issue", "event_attendance", "total"] {
            let x = v("consultations", unit, kind).unwrap().as_u64().unwrap();
            assert!(x == 0 || x >= crate::results::K, "{unit} {kind}: {x}");
        }
    }
    crate::results::near(&v("consultations", "all", "survey_response").unwrap(), 6);
    crate::results::near(&v("consultations", "all", "issue").unwrap(), 12);
    crate::results::near(&v("consultations", "all", "event_attendance").unwrap(), 75);
    crate::results::near(&v("consultations", "all", "total").unwrap(), 93);
    crate::results::near(&v("consultations", "all", "unique_participants").unwrap(), 6);

    // Topics, as in the topic summary: through the cell key method.
    let safety_total = v("topics", "safety", "issues.total").unwrap();
    crate::results::near(&safety_total, 6);
    assert_eq!(v("topics", "safety", "issues.new"), Some(safety_total.clone()));
    assert!(
        !r.text.contains("issues.withheld"),
        "withheld issues are counted nowhere"
    );
    crate::results::near(&v("topics", "safety", "survey_answers").unwrap(), 6);
    assert_eq!(v("topics", "safety", "events"), n(1));
    assert_eq!(
        v("topics", "safety", &format!("trend.{}.issues", this_month())),
        Some(safety_total)
    );
    crate::results::near(&v("topics", "education", "issues.total").unwrap(), 6);
    crate::results::near(&v("topics", "family", "issues.total").unwrap(), 1);
    assert_eq!(row(&report, "topics", "family", "issues.total")["name"], "Gia đình");

    // Events this quarter (not the 2025 forum).
    // Events and adults are counted as they are; children attending go
    // through the cell key method (each event a record weighing its
    // attendance).
    let cases = [
        ("forum", 1, 40, 10),
        ("dialogue", 1, 30, 5),
        ("council_meeting", 1, 3, 2),
        ("care_centre_listening", 1, 2, 3),
        ("training", 1, 20, 2),
        ("action_month", 0, 0, 0),
        ("all", 5, 95, 22),
    ];
    for (kind, events, children, adults) in cases {
        assert_eq!(v("events", kind, "events"), n(events), "{kind}");
        crate::results::near(&v("events", kind, "children_attending").unwrap(), children);
        assert_eq!(v("events", kind, "adults_attending"), n(adults), "{kind}");
    }

    // No recommendation was sent: the section counts nothing.
    assert_eq!(v("recommendations", "all", "sent"), n(0));
    assert!(!r.text.contains("rượu"), "no case text in a report");

    // By default district staff get the district's report, never the city's.
    let default = app.admin_read(&format!("/api/v1/reports?period={quarter}")).await;
    assert_eq!(default["unit"]["code"], "PN");
    assert_eq!(default["sections"], report["sections"]);
    // The whole organisation when asked: the city, broken down into the district.
    let city = app.unit_id("HCM", "2026-01-01").await;
    let r = app
        .get(&format!("/api/v1/reports?period={quarter}&unit_id={city}"), app.admin())
        .await;
    let whole = r.ok(200).clone();
    assert_eq!(whole["unit"]["code"], "HCM");
    crate::results::near(&value(&whole, "consultations", "PN", "total").unwrap(), 93);
    // Another quarter of last year: the 2025 records only.
    let spring = app.admin_read("/api/v1/reports?period=2025-Q2").await;
    crate::results::near(&value(&spring, "consultations", "all", "survey_response").unwrap(), 5);
    crate::results::near(&value(&spring, "consultations", "all", "event_attendance").unwrap(), 50);
    assert_eq!(value(&spring, "events", "forum", "events"), n(1));
    crate::results::near(&value(&spring, "topics", "education", "issues.total").unwrap(), 5);
    assert_eq!(value(&spring, "safeguarding", "all", "total"), n(0));

    // Safeguarding, once the quarter has ended: counts only, never the words.
    let (count, severity) = &s.cases;
    assert_eq!(*count, 6);
    app.clock.set(crate::support::morning_of(next_quarter()));
    let admin = app.sign_in_again("admin").await;
    let path = format!("/api/v1/reports?period={quarter}&unit_id={}", s.district);
    let r = app.get(&path, Some(&admin)).await;
    let ended = r.ok(200).clone();
    assert_eq!(strings(&ended, "sections", "key"), SECTIONS);
    let v = |section: &str, item: &str, breakdown: &str| value(&ended, section, item, breakdown);
    // The same six cases in each of these counts: the same published
    // figure, within D of 6 (the cell key method); the other statuses and
    // severities are listed, at zero.
    let six = v("safeguarding", "all", "total").unwrap();
    crate::results::near(&six, 6);
    assert_eq!(v("safeguarding", "new", "total"), Some(six.clone()));
    assert_eq!(
        v("safeguarding", "new", &format!("severity.{severity}")),
        Some(six.clone())
    );
    assert_eq!(v("safeguarding", "closed", "total"), n(0));
    assert!(!r.text.contains("rượu"), "no case text in a report");
    let r = app
        .get(
            &format!("/api/v1/reports?period={quarter}&unit_id={city}"),
            Some(&admin),
        )
        .await;
    assert_eq!(value(r.ok(200), "safeguarding", "all", "total"), Some(six.clone()));
}

#[actix_web::test]
async fn a_report_as_csv_roles_and_bad_input() {
    let s = seed().await;
    let app = &s.app;
    let quarter = this_quarter();
    let r = district_report(&s, "&format=csv").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some(format!("attachment; filename=\"report-{quarter}-PN.csv\"").as_str())
    );
    let lines = crate::outputs::parse_csv(&r.text);
    assert_eq!(lines[0], CSV_HEADERS_VI);
    let json = district_report(&s, "&format=json").await.ok(200).clone();
    // The rows of the JSON report, in order, each value in the one column
    // that has its meaning, written as people write it.
    let mut at = 1;
    let mut statuses = 0;
    for section in json["sections"].as_array().unwrap() {
        for row in section["rows"].as_array().unwrap() {
            let line = &lines[at];
            at += 1;
            assert_eq!(line[0], section["title"]["vi"], "{line:?}");
            assert_eq!(line[1], row["item"], "{line:?}");
            if row.get("part_of").is_some() {
                assert!(line[2].contains("(thuộc "), "a school within its ward: {line:?}");
            }
            let filled: Vec<usize> = (4..8).filter(|i| !line[*i].is_empty()).collect();
            assert!(filled.len() <= 1, "one value per row: {line:?}");
            let item = row["item"].as_str().unwrap();
            let coverage = item.contains("coverage");
            let v = &row["value"];
            match row["breakdown"].as_str().unwrap() {
                "share" => {
                    assert_eq!(line[5], crate::outputs::percent(v.as_f64().unwrap(), ','), "{line:?}");
                    assert_eq!(line[3], "Tỷ lệ hoàn thành chỉ tiêu");
                }
                "target" | "actual" if coverage => {
                    assert_eq!(line[5], crate::outputs::decimal(v.as_f64().unwrap(), ','), "{line:?}");
                }
                "status" => {
                    statuses += 1;
                    let words = ["Đạt", "Đúng tiến độ", "Chậm tiến độ"];
                    assert!(words.contains(&line[7].as_str()), "status in words: {line:?}");
                }
                "uncovered_units" => assert!(!line[7].contains("PN-"), "names, not codes: {line:?}"),
                "measures" => {
                    assert_eq!(line[3], "Đơn vị tính");
                    assert!(!line[7].is_empty() && !line[7].contains('_'), "in words: {line:?}");
                }
                "counting_rule" => assert_eq!(line[7], v.as_str().unwrap(), "{line:?}"),
                "median_working_days_to_answer" => {
                    assert_eq!(line[6], crate::outputs::decimal(v.as_f64().unwrap(), ','), "{line:?}");
                }
                b => {
                    let n = v.as_f64().unwrap_or_else(|| panic!("{b}: {v}"));
                    assert_eq!(line[4], format!("{}", n.round() as i64), "a count: {line:?}");
                    assert_eq!(n.fract(), 0.0, "{line:?}");
                    assert!(
                        !line[3].contains('.') && !line[3].contains('_'),
                        "{b} in words: {line:?}"
                    );
                }
            }
        }
    }
    assert_eq!(at, lines.len(), "the CSV has the JSON's rows, no more");
    assert!(statuses > 0, "the report has targets");
    let line = |item: &str, figure: &str| {
        lines
            .iter()
            .find(|l| l[1] == item && l[3] == figure)
            .unwrap_or_else(|| panic!("{item} / {figure} not in {lines:?}"))
            .clone()
    };
    let ward = line("HCM-DUCNHUAN", "Phiếu khảo sát");
    assert_eq!(ward[0], "Lượt trẻ em được lấy ý kiến, theo đơn vị và hình thức");
    assert_eq!(ward[2], "Phường Đức Nhuận");
    let n: u64 = ward[4].parse().unwrap();
    assert!(n == 0 || n >= crate::results::K, "{ward:?}");
    assert_eq!(line("all", "Tổng số lượt")[2], "Tổng cộng");
    assert_eq!(
        line("forum", "Trẻ em tham dự (lượt)")[2],
        "Diễn đàn lắng nghe tiếng nói trẻ em"
    );
    let target = line("consultations 2024..2027 PN", "Chỉ tiêu");
    assert!(
        target[2].starts_with("Lượt trẻ em được lấy ý kiến (2024..2027, "),
        "{target:?}"
    );
    assert_eq!(target[4], "50000");
    // English on request: headers, titles, words and the decimal point.
    let en = district_report(&s, "&format=csv&lang=en").await;
    let en = crate::outputs::parse_csv(&en.text);
    assert_eq!(en[0], CSV_HEADERS_EN);
    assert_eq!(en.len(), lines.len());
    assert!(
        en.iter()
            .any(|l| l[0] == "Consultations by unit and kind" && l[3] == "Survey responses")
    );
    assert!(
        en.iter()
            .filter(|l| l[3] == "Status")
            .all(|l| ["Met", "On track", "Behind"].contains(&l[7].as_str()))
    );
    for l in en.iter().filter(|l| l[3] == "Share of the target") {
        assert!(!l[5].contains(','), "{l:?}");
    }
    app.get(
        &format!("/api/v1/reports?period={quarter}&format=csv&lang=fr"),
        app.admin(),
    )
    .await
    .assert_problem(400, "invalid_query");

    // Roles: admins, moderators and facilitators (their own unit's); only
    // an admin's report counts safeguarding cases, and only district-wide,
    // per quarter or longer, once a quarter has ended.
    let keys = |r: &Value| -> Vec<String> {
        r["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, moderator) = app.user("mod.baocao", "moderator", None, None).await;
    let r = app
        .get(&format!("/api/v1/reports?period={quarter}"), Some(&moderator))
        .await;
    assert!(!keys(r.ok(200)).contains(&"safeguarding".to_owned()));
    assert!(!r.text.contains("severity."));
    let r = app.get(&format!("/api/v1/reports?period={quarter}"), app.admin()).await;
    assert!(!keys(r.ok(200)).contains(&"safeguarding".to_owned()), "under way");
    let ended = pinned_day().with_day(1).unwrap() - chrono::Duration::days(100);
    let ended = format!("{}-Q{}", ended.year(), (ended.month() - 1) / 3 + 1);
    let r = app.get(&format!("/api/v1/reports?period={ended}"), app.admin()).await;
    assert!(keys(r.ok(200)).contains(&"safeguarding".to_owned()), "{ended}");
    let r = app
        .get(&format!("/api/v1/reports?period={ended}"), Some(&moderator))
        .await;
    assert!(!keys(r.ok(200)).contains(&"safeguarding".to_owned()));
    let month = pinned_day().format("%Y-%m").to_string();
    let r = app.get(&format!("/api/v1/reports?period={month}"), app.admin()).await;
    assert!(!keys(r.ok(200)).contains(&"safeguarding".to_owned()), "not per month");
    let r = app
        .get(
            &format!("/api/v1/reports?period={ended}&unit_id={}", s.school),
            app.admin(),
        )
        .await;
    assert!(!keys(r.ok(200)).contains(&"safeguarding".to_owned()), "not per school");
    let (_, tpt) = app.user("tpt.baocao", "facilitator", Some(&s.school), None).await;
    let r = app.get(&format!("/api/v1/reports?period={quarter}"), Some(&tpt)).await;
    assert_eq!(
        r.ok(200)["unit"]["code"],
        "PN-S06",
        "a facilitator's own school by default"
    );
    assert!(!keys(&r.body).contains(&"safeguarding".to_owned()));
    for unit in [&s.district, &s.other_school] {
        app.get(&format!("/api/v1/reports?period={quarter}&unit_id={unit}"), Some(&tpt))
            .await
            .assert_problem(404, "not_found");
    }
    let (_, sg) = app.user("sg.baocao", "safeguarding_officer", None, None).await;
    app.get(&format!("/api/v1/reports?period={quarter}"), Some(&sg))
        .await
        .assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/reports?period={quarter}"), None)
        .await
        .assert_problem(401, "unauthenticated");

    // Bad input.
    let bad = [
        String::new(),
        "period=".to_owned(),
        "period=2026-Q5".to_owned(),
        "period=Q3".to_owned(),
        "period=2026-q3".to_owned(),
        "period=1999".to_owned(),
        format!("period={quarter}&format=xml"),
        format!("period={quarter}&format=CSV"),
        format!("period={quarter}&unit_id={}", uuid::Uuid::now_v7()),
        format!("period={quarter}&unit_id=PN"),
        format!("period={quarter}&colour=red"),
    ];
    app.refuses_queries("/api/v1/reports", &bad, app.admin()).await;
    // Half-years and years read too.
    for period in ["2025-H1", "2025"] {
        let r = app.get(&format!("/api/v1/reports?period={period}"), app.admin()).await;
        assert_eq!(r.ok(200)["period"], period);
    }
}
