//! Safeguarding cases: only officers read them (and each reading is
//! audited), they move forward to closure with notes, reports received by
//! hand open cases, urgent ones go overdue, and admins see counts only.

use chrono::{Datelike, Duration};
use serde_json::{Value, json};

use crate::support::{Call, Fields, TestApp, strings};

async fn disclosure(app: &TestApp) {
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    app.post(
        "/api/v1/events",
        app.admin(),
        &json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15", "title": "Đối thoại",
            "children_attending": 20, "adults_attending": 2,
            "issues": [{"title": "Giúp bạn em", "body": "Bố em say rượu về đánh em"}]}),
    )
    .await
    .ok(201);
}

#[actix_web::test]
async fn officers_follow_a_case_to_closure_and_every_reading_is_audited() {
    let app = TestApp::spawn_demo().await;
    disclosure(&app).await;
    let (officer_id, officer) = app.user("can.bo.bao.ve", "safeguarding_officer", None, None).await;
    let o = Some(officer.as_str());
    let r = app.get("/api/v1/safeguarding/cases", o).await;
    let list = r.items().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["source"], "screen");
    assert_eq!(list[0]["status"], "new");
    assert!(!r.text.contains("say rượu"), "the list holds no text");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/safeguarding/cases/{id}");

    let r = app.get(&path, o).await;
    assert_eq!(r.ok(200)["text"], "Bố em say rượu về đánh em");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=safeguarding_case&entity_id={id}"),
            app.admin(),
        )
        .await;
    assert_eq!(audit.ok(200)["items"][0]["action"], "safeguarding_case.read");
    assert_eq!(audit.body["items"][0]["actor"], "can.bo.bao.ve");

    // Assign and assess, with a note.
    let r = app
        .patch(
            &path,
            o,
            &json!({"assignee_id": officer_id, "status": "assessing", "note": "Đã liên hệ giáo viên chủ nhiệm."}),
        )
        .await;
    let c = r.ok(200).clone();
    assert_eq!(
        (c["status"].as_str(), c["assignee_id"].as_str()),
        (Some("assessing"), Some(officer_id.as_str()))
    );
    assert!(c["assessed_at"].is_string());
    assert_eq!(c["notes"][0]["author"], "can.bo.bao.ve");
    assert_eq!(c["notes"][0]["body"], "Đã liên hệ giáo viên chủ nhiệm.");
    // Referral needs a destination.
    app.patch(&path, o, &json!({"status": "referred"}))
        .await
        .assert_fields(&[("referred_to", "referral_required")]);
    let r = app
        .patch(
            &path,
            o,
            &json!({"status": "referred", "referred_to": "social_affairs"}),
        )
        .await;
    assert_eq!(r.ok(200)["referred_to"], "social_affairs");
    app.patch(&path, o, &json!({"status": "assessing"}))
        .await
        .assert_problem(409, "illegal_transition");
    let r = app.patch(&path, o, &json!({"status": "closed"})).await;
    let closed = r.ok(200).clone();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["referred_to"], "social_affairs", "the referral is kept");
    assert!(closed["closed_at"].is_string());
    app.patch(&path, o, &json!({"status": "new"}))
        .await
        .assert_problem(409, "illegal_transition");

    // The audit log has every step and none of the text.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=safeguarding_case&entity_id={id}&limit=100"),
            app.admin(),
        )
        .await;
    let actions = strings(audit.ok(200), "items", "action");
    assert!(actions.contains(&"safeguarding_case.update") && actions.contains(&"safeguarding_case.note"));
    assert!(!audit.text.contains("say rượu") && !audit.text.contains("giáo viên chủ nhiệm"));

    // Nobody else reads or changes cases.
    let (_, moderator) = app.user("kiem.duyet.sg", "moderator", None, None).await;
    for token in [app.admin().unwrap(), moderator.as_str()] {
        let forbidden = [
            Call::get("/api/v1/safeguarding/cases"),
            Call::get(&path),
            Call::patch(&path, json!({"note": "x"})),
        ];
        app.refuses(&forbidden, &[Some(token)], 403, "forbidden").await;
    }
    app.get("/api/v1/safeguarding/cases", None)
        .await
        .assert_problem(401, "unauthenticated");
    let not_found = [
        Call::get("/api/v1/safeguarding/cases/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90"),
        Call::patch(
            "/api/v1/safeguarding/cases/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90",
            json!({"status": "assessing"}),
        ),
    ];
    app.refuses(&not_found, &[o], 404, "not_found").await;
    app.get("/api/v1/safeguarding/cases/not-a-case", o)
        .await
        .assert_problem(400, "invalid_path");
}

#[actix_web::test]
async fn reports_received_by_hand_open_cases_and_urgent_ones_go_overdue() {
    let app = TestApp::spawn_demo().await;
    disclosure(&app).await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (_, officer) = app.user("can.bo.111", "safeguarding_officer", None, None).await;
    let (moderator_id, moderator) = app.user("kiem.duyet.111", "moderator", None, None).await;
    let o = Some(officer.as_str());
    let count = async || app.get("/api/v1/safeguarding/cases?limit=100", o).await.items().len();
    let received = (app.now() - Duration::hours(30)).to_rfc3339();
    let r = app
        .post(
            "/api/v1/safeguarding/cases",
            o,
            &json!({"received_at": received, "channel": "hotline_111", "unit_id": school,
                "summary": "Tổng đài 111 chuyển: một em lớp 6 bị bạn lớn bắt nạt nhiều lần.", "severity": "urgent"}),
        )
        .await;
    let c = r.ok(201).clone();
    assert_eq!(
        (c["source"].as_str(), c["channel"].as_str()),
        (Some("intake"), Some("hotline_111"))
    );
    assert_eq!(c["overdue"], true);
    let r = app.get("/api/v1/safeguarding/cases?overdue=true", o).await;
    let overdue: Vec<Value> = r.items().clone();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["id"], c["id"]);
    let r = app.get("/api/v1/safeguarding/cases?overdue=false", o).await;
    assert_eq!(r.items().len(), 1);
    let r = app
        .get("/api/v1/safeguarding/cases?severity=urgent&status=new", o)
        .await;
    assert!(r.items().iter().any(|x| x["id"] == c["id"]));
    // Assessing it ends the overdue state.
    let r = app
        .patch(
            &format!("/api/v1/safeguarding/cases/{}", c["id"].as_str().unwrap()),
            o,
            &json!({"status": "assessing"}),
        )
        .await;
    assert_eq!(r.ok(200)["overdue"], false);

    // Counts for the report: officers and admins, nobody else, once the
    // cases' quarter has ended.
    let year = app.day().format("%Y").to_string();
    let next_year = chrono::NaiveDate::from_ymd_opt(app.day().year() + 1, 1, 1).unwrap();
    let then = app.clock.now();
    app.clock.set(crate::support::morning_of(next_year));
    let o_then = officer.clone();
    let (officer, admin) = (app.sign_in_again("can.bo.111").await, app.sign_in_again("admin").await);
    let o = Some(officer.as_str());
    for token in [o, Some(admin.as_str())] {
        let r = app
            .get(&format!("/api/v1/safeguarding/summary?period={year}"), token)
            .await;
        let s = r.ok(200).clone();
        assert_eq!(s["counted_to"], format!("{year}-12-31"), "{s}");
        // Two cases: every count goes through the cell key method, so each
        // reads 0 or k (never 1 or 2), the same case gives the same figure
        // whichever count it is in, and every status and severity is listed.
        let small = |v: &Value| {
            let n = v.as_u64().unwrap();
            assert!(n == 0 || n == crate::results::K, "a count of 1 or 2 published as {n}");
        };
        small(&s["total"]);
        let by_status = s["by_status"].as_object().unwrap();
        assert_eq!(
            by_status.keys().collect::<Vec<_>>(),
            ["assessing", "closed", "new", "referred"]
        );
        by_status.values().for_each(small);
        assert_eq!(s["by_status"]["closed"], 0, "zero stays zero");
        let by_severity = s["by_severity"].as_object().unwrap();
        assert_eq!(by_severity.keys().collect::<Vec<_>>(), ["high", "medium", "urgent"]);
        by_severity.values().for_each(small);
        // Asked again, the same figures.
        let again = app
            .get(&format!("/api/v1/safeguarding/summary?period={year}"), token)
            .await;
        assert_eq!(again.ok(200), &s);
        assert!(!r.text.contains("bắt nạt"));
    }
    // Back to the day the cases came in (and the tokens of that day).
    app.clock.set(then);
    let o = Some(o_then.as_str());
    app.get(&format!("/api/v1/safeguarding/summary?period={year}"), Some(&moderator))
        .await
        .assert_problem(403, "forbidden");
    // Never per month: one month can point at one child.
    for p in ["2026-Q5", "next", ""] {
        app.get(&format!("/api/v1/safeguarding/summary?period={p}"), o)
            .await
            .assert_problem(400, "invalid_query");
    }
    app.get("/api/v1/safeguarding/summary?period=2026-11", o)
        .await
        .assert_problem(400, "case_period_not_quarters");

    // Bad input is refused and stores nothing.
    let before = count().await;
    let future = (app.now() + Duration::days(2)).to_rfc3339();
    app.post(
        "/api/v1/safeguarding/cases",
        o,
        &json!({"received_at": future, "channel": "email", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90",
            "summary": "x", "severity": "critical"}),
    )
    .await
    .assert_fields(&[
        ("channel", "unknown_channel"),
        ("severity", "unknown_severity"),
        ("received_at", "out_of_range"),
        ("unit_id", "unknown_unit"),
    ]);
    let validation_failed = [
        Call::post(
            "/api/v1/safeguarding/cases",
            json!({"received_at": received, "channel": "in_person", "summary": "", "severity": "high"}),
        ),
        Call::post(
            "/api/v1/safeguarding/cases",
            json!({"received_at": received, "channel": "in_person", "summary": "x", "severity": "high", "child_name": "An"}),
        ),
    ];
    app.refuses(&validation_failed, &[o], 422, "validation_failed").await;
    app.post(
        "/api/v1/safeguarding/cases",
        app.admin(),
        &json!({"received_at": received, "channel": "in_person", "summary": "x", "severity": "high"}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(count().await, before);
    let id = c["id"].as_str().unwrap();
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(
                format!("/api/v1/safeguarding/cases/{id}"),
                json!({"status": "open", "referred_to": "friends", "severity": "low", "assignee_id": moderator_id}),
            ),
            &[
                ("status", "unknown_status"),
                ("referred_to", "unknown_referral"),
                ("severity", "unknown_severity"),
                ("assignee_id", "not_an_officer"),
            ],
        ),
        (
            Call::patch(
                format!("/api/v1/safeguarding/cases/{id}"),
                json!({"referred_to": "police"}),
            ),
            &[("referred_to", "referral_not_allowed")],
        ),
    ];
    app.refuses_fields(invalid, o).await;
    let bad = ["status=open", "severity=low", "overdue=maybe", "limit=0"];
    app.refuses_queries("/api/v1/safeguarding/cases", &bad, o).await;
}

/// The attack: an admin reads the cases of 1 January to 31 March, then of
/// 1 January to 1 April; a change between the two would be a case received
/// on 1 April. Counts are given for whole calendar quarters only (a
/// quarter, a half, a year, or days from a quarter's first day to a
/// quarter's last), so the second reading is refused, as are a month and
/// the work year; an admin's report over those days has no safeguarding
/// section, and over the quarter it has.
#[actix_web::test]
async fn counts_of_cases_are_refused_over_windows_that_are_not_whole_quarters() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let (_, officer) = app.user("can.bo.quy", "safeguarding_officer", None, None).await;
    let o = Some(officer.as_str());
    let case = async |day: &str| {
        let received = crate::support::morning_of(chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
        app.post(
            "/api/v1/safeguarding/cases",
            o,
            &json!({"received_at": received.to_rfc3339(), "channel": "hotline_111", "unit_id": school,
                "summary": "Tổng đài 111 chuyển: một em bị đánh ở nhà.", "severity": "high"}),
        )
        .await
        .ok(201);
    };
    for day in [
        "2026-01-05",
        "2026-01-20",
        "2026-02-03",
        "2026-02-17",
        "2026-03-02",
        "2026-03-30",
    ] {
        case(day).await;
    }
    // The one case the attacker wants to find.
    case("2026-04-01").await;

    let summary = async |token: Option<&str>, period: &str| {
        app.get(&format!("/api/v1/safeguarding/summary?period={period}"), token)
            .await
    };
    for token in [o, app.admin()] {
        let quarter = summary(token, "2026-Q1").await;
        let days = summary(token, "2026-01-01..2026-03-31").await;
        assert_eq!(
            quarter.ok(200)["total"],
            days.ok(200)["total"],
            "the same days, the same figures"
        );
        summary(token, "2026-H1").await.ok(200);
        summary(token, "2026-01-01..2026-06-30").await.ok(200);
        for period in [
            "2026-01-01..2026-04-01",
            "2026-01-02..2026-04-01",
            "2026-01-01..2026-04-30",
            "2026-04",
            "2026-WY",
        ] {
            let r = app
                .get_in(&format!("/api/v1/safeguarding/summary?period={period}"), token, "en")
                .await;
            r.assert_problem(400, "case_period_not_quarters");
            let detail = r.body["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains("2026-Q1") && detail.contains("quarter"),
                "{period}: {}",
                r.text
            );
            assert!(r.body.get("total").is_none(), "{period}: {}", r.text);
        }
        let vi = app
            .get_in(
                "/api/v1/safeguarding/summary?period=2026-01-01..2026-04-01",
                token,
                "vi",
            )
            .await;
        vi.assert_problem(400, "case_period_not_quarters");
        assert!(
            vi.body["detail"].as_str().unwrap_or_default().contains("trọn quý"),
            "{}",
            vi.text
        );
    }

    let sections = async |period: &str| -> Vec<String> {
        let r = app.get(&format!("/api/v1/reports?period={period}"), app.admin()).await;
        r.ok(200)["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(sections("2026-Q1").await.contains(&"safeguarding".to_owned()));
    assert!(
        sections("2026-01-01..2026-03-31")
            .await
            .contains(&"safeguarding".to_owned())
    );
    for period in ["2026-01-01..2026-04-01", "2026-WY", "2026-04"] {
        assert!(!sections(period).await.contains(&"safeguarding".to_owned()), "{period}");
    }
}

/// The attack: an admin reads the year's counts of cases on one day and
/// again a few days later; the difference would be the cases of the days
/// between, perhaps one child's. A quarter under way is never counted:
/// the year reads the same all quarter long (its ended quarters, as it
/// says), the quarter itself is refused until it has ended, and the report
/// says which days its section counts.
#[actix_web::test]
async fn a_quarter_under_way_is_not_counted_so_two_readings_do_not_differ_by_days() {
    let app = TestApp::spawn_demo().await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    app.user("can.bo.dang.quy", "safeguarding_officer", None, None).await;
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let case = async |d: &str| {
        let received = crate::support::morning_of(day(d));
        let officer = app.sign_in_again("can.bo.dang.quy").await;
        app.post(
            "/api/v1/safeguarding/cases",
            Some(&officer),
            &json!({"received_at": received.to_rfc3339(), "channel": "hotline_111", "unit_id": school,
                "summary": "Tổng đài 111 chuyển: một em bị đánh ở nhà.", "severity": "high"}),
        )
        .await
        .ok(201);
    };
    for d in [
        "2026-07-06",
        "2026-08-10",
        "2026-09-14",
        "2026-09-28",
        "2026-10-05",
        "2026-11-02",
    ] {
        case(d).await;
    }
    // The clock moves by days: each reading signs in again.
    let at = async |d: &str| {
        app.clock.set(crate::support::morning_of(day(d)));
        app.sign_in_again("can.bo.dang.quy").await
    };
    let summary = async |token: &str, period: &str| {
        app.get(&format!("/api/v1/safeguarding/summary?period={period}"), Some(token))
            .await
    };
    let officer = at("2026-12-02").await;
    let first = summary(&officer, "2026").await.ok(200).clone();
    assert_eq!(first["counted_from"], "2026-01-01");
    assert_eq!(first["counted_to"], "2026-09-30", "{first}");
    // The one case the attacker wants to find, then a second reading.
    let officer = at("2026-12-04").await;
    case("2026-12-03").await;
    let o = Some(officer.as_str());
    for period in ["2026", "2026-H2", "2026-07-01..2026-12-31"] {
        let again = summary(&officer, period).await.ok(200).clone();
        assert_eq!(again["counted_to"], "2026-09-30", "{period}: {again}");
        let figures = |v: &Value| {
            json!([
                v["total"],
                v["by_status"],
                v["by_severity"],
                v["by_category"],
                v["by_ward"]
            ])
        };
        assert_eq!(figures(&again), figures(&first), "{period}: the days between show");
    }
    // The quarter under way, alone: refused, in the asker's language.
    let r = app.get_in("/api/v1/safeguarding/summary?period=2026-Q4", o, "en").await;
    r.assert_problem(409, "case_period_not_ended");
    assert!(
        r.body["detail"].as_str().unwrap_or_default().contains("2026-Q4"),
        "{}",
        r.text
    );
    assert!(r.body.get("total").is_none());
    let r = app.get_in("/api/v1/safeguarding/summary?period=2027", o, "vi").await;
    r.assert_problem(409, "case_period_not_ended");
    assert!(
        r.body["detail"].as_str().unwrap_or_default().contains("kết thúc"),
        "{}",
        r.text
    );
    // An admin's report of the year under way: the section says its days.
    let admin = app.sign_in_again("admin").await;
    let report = app
        .get("/api/v1/reports?period=2026&lang=en", Some(&admin))
        .await
        .ok(200)
        .clone();
    let section = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "safeguarding")
        .expect("a safeguarding section")
        .clone();
    let title = section["title"]["en"].as_str().unwrap();
    assert!(title.contains("2026-01-01") && title.contains("2026-09-30"), "{title}");
    assert!(
        section["title"]["vi"].as_str().unwrap().contains("30/09/2026"),
        "{section}"
    );
    let quarter = app
        .get("/api/v1/reports?period=2026-Q4", Some(&admin))
        .await
        .ok(200)
        .clone();
    assert!(
        !quarter["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == "safeguarding"),
        "a quarter under way has no safeguarding section"
    );
    // Once the quarter has ended, it is counted, whole.
    let officer = at("2027-01-01").await;
    let ended = summary(&officer, "2026-Q4").await.ok(200).clone();
    assert_eq!(ended["counted_to"], "2026-12-31");
    assert_eq!(summary(&officer, "2026").await.ok(200)["counted_to"], "2026-12-31");
}
