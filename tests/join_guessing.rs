//! Guessing join codes. Wrong codes are counted per network (an IPv4
//! address, an IPv6 /64), so rotating through one's own /64 buys nothing;
//! and a budget of wrong codes across the whole service (every replica,
//! every address) bounds guessing from many addresses: when it is spent,
//! joining pauses until the hour turns, and admins are told.

use serde_json::json;

use crate::support::{Options, Resp, TestApp};

/// A code of the right shape that no session has.
const WRONG: &str = "ACEFHJKMNPRT";

fn options(join_failures_per_hour: u32) -> Options {
    Options {
        demo: true,
        trust_forwarded_for: true,
        join_failures_per_hour,
        ..Options::default()
    }
}

/// An open session's join code.
async fn session(app: &TestApp) -> String {
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = crate::surveys::published_survey(app, &crate::surveys::example_survey(&district)).await;
    let session = app.open_session(&survey, &school, 0, 180).await;
    session["join_code"].as_str().unwrap().to_owned()
}

/// A join from `addr` (behind the trusted load balancer).
async fn join_from(app: &TestApp, addr: &str, code: &str) -> Resp {
    let body = json!({"join_code": code, "age": 12, "assent": true});
    app.post_from("/api/v1/join", &body, Some(addr)).await
}

async fn metric(app: &TestApp, name: &str) -> u64 {
    let r = app.get("/metrics", None).await;
    r.text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

#[actix_web::test]
async fn wrong_codes_count_per_ipv4_address_and_per_ipv6_64() {
    let app = TestApp::spawn_with(options(1000)).await;
    let code = session(&app).await;
    // 21 wrong codes, each from another address of one /64: one network.
    for i in 1..=21 {
        join_from(&app, &format!("2001:db8:0:1::{i:x}"), WRONG)
            .await
            .assert_problem(404, "join_code_unknown");
    }
    let r = join_from(&app, "2001:db8:0:1:ffff:ffff:ffff:ffff", &code).await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        r.body["detail"],
        "Em đã nhập sai mã nhiều lần. Em chờ một chút rồi thử lại nhé."
    );
    // The next /64 is another network, and joins.
    join_from(&app, "2001:db8:0:2::1", &code).await.ok(200);
    // IPv4 counts by the address, however it is written.
    for _ in 0..21 {
        join_from(&app, "198.51.100.7", WRONG)
            .await
            .assert_problem(404, "join_code_unknown");
    }
    join_from(&app, "::ffff:198.51.100.7", &code)
        .await
        .assert_problem(429, "too_many_attempts");
    join_from(&app, "198.51.100.8", &code).await.ok(200);
    assert_eq!(metric(&app, "langnghe_join_failures_total").await, 42);
}

#[actix_web::test]
async fn a_budget_of_wrong_codes_across_every_address_pauses_joining_and_alerts_admins() {
    let app = TestApp::spawn_with(options(5)).await;
    let other = app.replica_with(options(5)).await;
    let code = session(&app).await;
    // Right codes do not spend the budget: a class joins.
    for i in 1..=8 {
        join_from(&app, &format!("203.0.113.{i}"), &code).await.ok(200);
    }
    // Five wrong codes, each from an address of its own, on either replica.
    for i in 1..=5 {
        let to = if i % 2 == 0 { &app } else { &other };
        join_from(to, &format!("198.51.100.{i}"), WRONG)
            .await
            .assert_problem(404, "join_code_unknown");
    }
    // The sixth lookup is refused on every replica, from any address, even
    // with the right code: a guess learns nothing more this hour.
    let r = join_from(&app, "192.0.2.1", WRONG).await;
    r.assert_problem(429, "join_paused");
    // 09:00 in Hà Nội is 02:00 UTC: joining resumes at 03:00 (the clock
    // has run on for the seconds the test took).
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    assert_eq!(
        r.body["detail"],
        "Hệ thống đang tạm dừng việc tham gia vì có quá nhiều lượt nhập sai mã. Em chờ một lát rồi thử lại nhé."
    );
    join_from(&other, "192.0.2.2", &code)
        .await
        .assert_problem(429, "join_paused");
    join_from(&app, "192.0.2.3", &code)
        .await
        .assert_problem(429, "join_paused");
    // A child already in the session keeps going: nothing else pauses.
    app.get("/healthz", None).await.ok(200);

    // Each replica's metrics say so.
    assert_eq!(metric(&app, "langnghe_join_budget_used").await, 5);
    assert_eq!(metric(&app, "langnghe_join_budget_limit").await, 5);
    assert_eq!(
        metric(&app, "langnghe_join_failures_total").await + metric(&other, "langnghe_join_failures_total").await,
        5
    );
    assert_eq!(metric(&app, "langnghe_joins_paused_total").await, 2);
    assert_eq!(metric(&other, "langnghe_joins_paused_total").await, 1);
    // Admins read one alert for the hour in the audit log.
    let r = app.get("/api/v1/audit?entity=join_budget", app.admin()).await;
    let events = r.items().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["action"], "join.budget_spent");
    assert_eq!(events[0]["actor"], "system");
    assert_eq!(events[0]["after"]["limit"], 5);
    assert_eq!(events[0]["entity_id"], "2026-11-25T02:00:00+00:00");

    // The hour turns: joining resumes everywhere.
    app.clock.advance(chrono::Duration::hours(1));
    join_from(&other, "192.0.2.4", &code).await.ok(200);
    join_from(&app, "192.0.2.5", &code).await.ok(200);
    join_from(&app, "192.0.2.6", WRONG)
        .await
        .assert_problem(404, "join_code_unknown");
}

#[actix_web::test]
async fn concurrent_wrong_codes_never_overshoot_the_budget() {
    let app = TestApp::spawn_with(options(10)).await;
    let other = app.replica_with(options(10)).await;
    session(&app).await;
    let guesses = (0..60).map(|i| {
        let (to, addr) = (
            if i % 2 == 0 { &app } else { &other },
            format!("10.1.{}.{}", i / 200, i % 200),
        );
        async move { join_from(to, &addr, WRONG).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let codes: Vec<(u16, String)> = answers
        .iter()
        .map(|r| (r.status, r.body["code"].as_str().unwrap_or("").to_owned()))
        .collect();
    let unknown = codes
        .iter()
        .filter(|(s, c)| *s == 404 && c == "join_code_unknown")
        .count();
    let paused = codes.iter().filter(|(s, c)| *s == 429 && c == "join_paused").count();
    assert_eq!((unknown, paused), (10, 50), "{codes:?}");
    let r = app.get("/api/v1/audit?entity=join_budget", app.admin()).await;
    assert_eq!(r.items().len(), 1);
}
