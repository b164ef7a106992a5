//! What operators watch at `/metrics`, as a scraper reads it: the text
//! parses in both formats and its names follow Prometheus' conventions, and
//! each metric beyond HTTP appears and moves when its thing happens (a
//! webhook queued and dead-lettered, a fold, a throttled sign-in, a screened
//! text), with the connection pool and the process beside them.

use openmetrics_parser::{OpenMetricsType, PrometheusType};
use serde_json::json;

use crate::support::{ADMIN_PASSWORD, Options, Resp, TestApp, eventually};

/// The value of one series (`name` or `name{labels}` exactly as written).
pub fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .split(' ')
            .next()?
            .parse()
            .ok()
    })
}

/// The scraper's token the apps of these tests are given
/// (`LANGNGHE_METRICS_TOKEN`).
pub const METRICS_TOKEN: &str = "scraper-token-0123456789abcdef0123456789";

/// An application whose `/metrics` asks for [`METRICS_TOKEN`].
async fn spawn_with(opts: Options) -> TestApp {
    TestApp::spawn_with(Options {
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        ..opts
    })
    .await
}

async fn spawn() -> TestApp {
    spawn_with(Options::default()).await
}

/// `/metrics` as Prometheus reads it, with the token.
async fn scrape(app: &TestApp) -> String {
    let r = app.get("/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
}

#[track_caller]
fn at(text: &str, series: &str) -> f64 {
    value(text, series).unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

async fn openmetrics(app: &TestApp) -> Resp {
    app.request(
        actix_web::http::Method::GET,
        "/metrics",
        Some(METRICS_TOKEN),
        &[(
            "Accept",
            "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )],
        None,
    )
    .await
}

/// A metric name as Prometheus wants it: snake case, ours or the process's.
fn well_named(name: &str) -> bool {
    (name.starts_with("langnghe_") || name.starts_with("process_"))
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

#[actix_web::test]
async fn the_text_parses_in_both_formats_and_names_follow_the_conventions() {
    let app = spawn().await;
    app.get("/api/v1/units", app.admin()).await.ok(200);

    let r = app.get("/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let families = openmetrics_parser::prometheus::parse_prometheus(&r.text)
        .unwrap_or_else(|e| panic!("{e:?} in\n{}", r.text))
        .families;
    for (name, f) in &families {
        assert!(well_named(name), "{name}");
        assert!(!f.help.is_empty(), "{name} has no help");
        match f.family_type {
            PrometheusType::Counter => assert!(name.ends_with("_total"), "counter {name}"),
            PrometheusType::Gauge | PrometheusType::Histogram => {
                assert!(!name.ends_with("_total"), "{name}")
            }
            ref other => panic!("{name} is {other}"),
        }
    }
    for wanted in [
        "langnghe_http_requests_total",
        "langnghe_http_request_duration_seconds",
        "langnghe_webhook_queued",
        "langnghe_webhook_oldest_queued_age_seconds",
        "langnghe_webhook_dead_letters",
        "langnghe_fold_queue_changes",
        "langnghe_fold_last_pass_timestamp_seconds",
        "langnghe_folded_responses_total",
        "langnghe_db_pool_connections_in_use",
        "langnghe_db_pool_connections_idle",
        "langnghe_db_pool_connections_max",
        "langnghe_db_pool_saturated",
        "langnghe_db_pool_acquire_timeouts_total",
        "langnghe_database_up",
        "langnghe_throttled_total",
        "langnghe_screened_texts_total",
        "langnghe_join_failures_total",
        "langnghe_unreadable_rows_total",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        assert!(families.contains_key(wanted), "no {wanted} in\n{}", r.text);
    }

    // OpenMetrics, for a scraper that asks for it: units declared, counters
    // named without their `_total`, the end marked.
    let r = openmetrics(&app).await;
    assert_eq!(
        r.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert_eq!(r.header("vary"), Some("Accept"));
    assert!(r.text.ends_with("# EOF\n"));
    let families = openmetrics_parser::openmetrics::parse_openmetrics(&r.text)
        .unwrap_or_else(|e| panic!("{e:?} in\n{}", r.text))
        .families;
    for (name, f) in &families {
        assert!(well_named(name), "{name}");
        assert!(!f.help.is_empty(), "{name} has no help");
        if f.family_type == OpenMetricsType::Counter {
            assert!(!name.ends_with("_total"), "{name}");
        }
        // A declared unit ends the name; a name ending in a unit declares it
        // (but on a histogram, which some parsers refuse a unit).
        assert!(
            f.unit.is_empty() || name.ends_with(&format!("_{}", f.unit)),
            "{name}: unit {:?}",
            f.unit
        );
        for unit in ["seconds", "bytes"] {
            if name.ends_with(&format!("_{unit}")) && f.family_type != OpenMetricsType::Histogram {
                assert_eq!(f.unit, unit, "{name}");
            }
        }
    }
    assert_eq!(families["process_cpu_seconds"].family_type, OpenMetricsType::Counter);
    assert_eq!(
        families["langnghe_http_request_duration_seconds"].family_type,
        OpenMetricsType::Histogram
    );

    // The pool and the process, read at scrape time.
    let text = scrape(&app).await;
    assert_eq!(at(&text, "langnghe_database_up"), 1.0);
    assert_eq!(at(&text, "langnghe_db_pool_connections_max"), 5.0);
    let (in_use, idle) = (
        at(&text, "langnghe_db_pool_connections_in_use"),
        at(&text, "langnghe_db_pool_connections_idle"),
    );
    assert!(in_use + idle >= 1.0 && in_use + idle <= 5.0, "{in_use} + {idle}");
    assert!(at(&text, "process_resident_memory_bytes") > 1e6);
    assert!(at(&text, "process_open_fds") >= 3.0);
    assert!(at(&text, "process_max_fds") >= at(&text, "process_open_fds"));
    assert!(at(&text, "process_cpu_seconds_total") >= 0.0);
    // The process started within a day of the machine's clock (the only
    // wall clock here is the kernel's).
    let boot = std::fs::read_to_string("/proc/stat").unwrap();
    let booted: f64 = boot
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(at(&text, "process_start_time_seconds") >= booted);
}

/// Takes connections of the application's pool until every one it may
/// open is lent out, to the test or (on PostgreSQL) to the replica's
/// listener: held until dropped.
async fn hold_every_connection(app: &TestApp) -> Vec<Box<dyn std::any::Any>> {
    use sea_orm::DatabaseBackend;
    let pool = &app.pool;
    let postgres = pool.get_database_backend() == DatabaseBackend::Postgres;
    if postgres {
        // The listener holds a connection of its own for good: wait for it.
        assert!(
            eventually(10, || async {
                value(&scrape(app).await, "langnghe_replica_listening") == Some(1.0)
            })
            .await,
            "the replica never listened"
        );
    }
    let max = langnghe_storage::pool_stats(pool).unwrap().max as usize;
    let mut held: Vec<Box<dyn std::any::Any>> = Vec::new();
    while held.len() + usize::from(postgres) < max {
        if postgres {
            held.push(Box::new(pool.get_postgres_connection_pool().acquire().await.unwrap()));
        } else {
            held.push(Box::new(pool.get_sqlite_connection_pool().acquire().await.unwrap()));
        }
    }
    held
}

/// sqlx counts nobody waiting for a connection: what is exported is
/// whether a query would wait now (every connection in use) and how many
/// waits ran out of time. A pool of two, all held by the test: the scrape
/// says so (and leaves out what it could not read in time), a request
/// waits its five seconds and is answered 503, and that wait is counted;
/// given back, the pool is no longer saturated.
#[actix_web::test]
async fn a_saturated_pool_and_its_timed_out_waits() {
    let app = spawn_with(Options {
        db_max_connections: 2,
        ..Options::default()
    })
    .await;
    let text = scrape(&app).await;
    assert_eq!(at(&text, "langnghe_db_pool_connections_max"), 2.0);
    let timeouts = at(&text, "langnghe_db_pool_acquire_timeouts_total");

    let held = hold_every_connection(&app).await;
    let text = scrape(&app).await;
    assert_eq!(at(&text, "langnghe_db_pool_saturated"), 1.0, "{text}");
    assert_eq!(at(&text, "langnghe_db_pool_connections_in_use"), 2.0);
    assert_eq!(at(&text, "langnghe_database_up"), 0.0);
    app.get("/api/v1/users", app.admin())
        .await
        .assert_problem(503, "database_unavailable");
    let text = scrape(&app).await;
    assert!(
        at(&text, "langnghe_db_pool_acquire_timeouts_total") > timeouts,
        "{text}"
    );

    drop(held);
    assert!(
        eventually(10, || async {
            let text = scrape(&app).await;
            value(&text, "langnghe_db_pool_saturated") == Some(0.0) && value(&text, "langnghe_database_up") == Some(1.0)
        })
        .await,
        "the pool stayed saturated"
    );
    app.get("/api/v1/users", app.admin()).await.ok(200);
}

/// A city, a published survey that takes issues, and an open session of it
/// there: the survey and the session's join code.
async fn survey_with_session(app: &TestApp) -> (String, String) {
    let unit = app
        .post(
            "/api/v1/units",
            app.admin(),
            &json!({"kind": "city", "code": "HCM", "name": {"vi": "Thành phố Hồ Chí Minh"}, "valid_from": "2024-01-01"}),
        )
        .await
        .created();
    let mut body = crate::surveys::example_survey(&unit);
    body.as_object_mut().unwrap().remove("topic");
    body["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(app, &body).await;
    let code = crate::results::session(app, &survey, &unit).await;
    (survey, code)
}

/// A URL where nothing listens: every delivery fails at once.
async fn nowhere() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hook")
}

#[actix_web::test]
async fn the_webhook_outbox_queue_its_oldest_age_and_its_dead_letters() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    app.clock.freeze();
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let (_, staff) = app.user("bgh.do.thi", "agency_staff", None, Some(&board)).await;
    let text = scrape(app).await;
    assert_eq!(at(&text, "langnghe_webhook_queued"), 0.0);
    assert_eq!(at(&text, "langnghe_webhook_oldest_queued_age_seconds"), 0.0);
    assert_eq!(at(&text, "langnghe_webhook_dead_letters"), 0.0);

    let url = nowhere().await;
    app.send_json(
        actix_web::http::Method::PUT,
        &format!("/api/v1/agencies/{board}/webhook"),
        Some(&staff),
        &json!({"url": url}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/agencies/{board}/webhook/test"),
        Some(&staff),
        &json!({}),
    )
    .await
    .ok(202);
    // The first attempt fails; the clock stands still, so the retry waits.
    assert!(
        eventually(15, || async {
            let r = app.get("/api/v1/webhooks/events?limit=10", app.admin()).await;
            r.items().iter().any(|e| e["attempts"] == 1)
        })
        .await
    );
    let text = scrape(app).await;
    assert_eq!(at(&text, "langnghe_webhook_queued"), 1.0);
    assert_eq!(at(&text, "langnghe_webhook_oldest_queued_age_seconds"), 0.0);

    // It ages with the clock.
    app.clock.advance(chrono::Duration::seconds(90));
    let text = scrape(app).await;
    // The relay may have tried again meanwhile, and given up: either way the
    // age was read from the event.
    if at(&text, "langnghe_webhook_queued") == 1.0 {
        assert_eq!(at(&text, "langnghe_webhook_oldest_queued_age_seconds"), 90.0);
    }
    // Past the time it is given, the event is a dead letter.
    assert!(
        eventually(15, || async {
            let text = scrape(app).await;
            value(&text, "langnghe_webhook_dead_letters") == Some(1.0)
                && value(&text, "langnghe_webhook_queued") == Some(0.0)
                && value(&text, "langnghe_webhook_oldest_queued_age_seconds") == Some(0.0)
        })
        .await,
        "{}",
        scrape(app).await
    );
}

#[actix_web::test]
async fn the_fold_queue_and_the_folder_move_when_responses_are_folded() {
    use crate::results::{K, answer};
    let app = spawn().await;
    let (_, code) = survey_with_session(&app).await;
    let text = scrape(&app).await;
    let folded = at(&text, "langnghe_folded_responses_total");
    let passes = at(&text, "langnghe_fold_passes_total");
    assert!(
        value(&text, "langnghe_fold_last_release_timestamp_seconds").is_none(),
        "{text}"
    );

    // One child: fewer than a release needs, so the change waits.
    answer(&app, &code, 12, "girl", json!({"feel_safe": "yes"})).await;
    assert!(
        eventually(15, || async {
            let text = scrape(&app).await;
            value(&text, "langnghe_fold_queue_changes") == Some(1.0)
                && value(&text, "langnghe_fold_passes_total") > Some(passes)
        })
        .await,
        "{}",
        scrape(&app).await
    );
    // Enough children of one cell: the folder releases them.
    for _ in 1..K {
        answer(&app, &code, 12, "girl", json!({"feel_safe": "yes"})).await;
    }
    assert!(
        eventually(15, || async {
            let text = scrape(&app).await;
            value(&text, "langnghe_fold_queue_changes") == Some(0.0)
                && value(&text, "langnghe_folded_responses_total") >= Some(folded + K as f64)
        })
        .await,
        "{}",
        scrape(&app).await
    );
    let text = scrape(&app).await;
    let now = app.now().timestamp() as f64;
    let released = at(&text, "langnghe_fold_last_release_timestamp_seconds");
    assert!((released - now).abs() < 60.0, "{released} vs {now}");
    let pass = at(&text, "langnghe_fold_last_pass_timestamp_seconds");
    assert!((pass - now).abs() < 60.0, "{pass} vs {now}");
}

#[actix_web::test]
async fn throttled_sign_ins_and_screened_texts_are_counted() {
    let app = spawn().await;
    app.clock.freeze();
    let sign_in = r#"langnghe_throttled_total{kind="sign_in"}"#;
    assert_eq!(at(&scrape(&app).await, sign_in), 0.0);
    // Three free failures and a fourth; the fifth must wait.
    for _ in 0..4 {
        app.sign_in("admin", "not the password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    app.sign_in("admin", ADMIN_PASSWORD)
        .await
        .assert_problem(429, "too_many_attempts");
    let text = scrape(&app).await;
    assert_eq!(at(&text, sign_in), 1.0);
    assert_eq!(at(&text, r#"langnghe_throttled_total{kind="join_network"}"#), 0.0);

    // Screening, by tier: screening counts for the whole process, so each
    // tier is compared with itself.
    let tier = |text: &str, t: &str| at(text, &format!(r#"langnghe_screened_texts_total{{outcome="{t}"}}"#));
    let before = scrape(&app).await;
    let (_, code) = survey_with_session(&app).await;
    let child = app.child(&code, 13).await;
    let raise = |key: &'static str, text: &'static str| {
        let child = child.clone();
        let app = &app;
        async move {
            app.raise(&child, key, "Em muốn nói", text).await.ok(201);
        }
    };
    raise("clear", crate::screening::CLEAR).await;
    raise("possible", crate::screening::POSSIBLE).await;
    raise("none", "Sân trường cần thêm ghế đá").await;
    let after = scrape(&app).await;
    for t in ["none", "possible", "clear"] {
        assert!(tier(&after, t) >= tier(&before, t) + 1.0, "{t}: {after}");
    }
}

/// What a refused scrape gets: one 401 with one code, whatever was wrong,
/// and not a line of the metrics.
#[track_caller]
fn refused(r: &Resp) {
    r.assert_problem(401, "metrics_token_required");
    assert!(!r.text.contains("langnghe_"), "{}", r.text);
}

/// The attack: someone who saw a child send their words polls `/metrics`
/// and watches the clear-disclosure counter move. With the scraper's token
/// set, every request without it, with a wrong one or with a staff
/// account's token is refused before and after; only the scraper sees the
/// counter (and through a proxy too, as the token is what counts).
#[actix_web::test]
async fn the_metrics_are_refused_to_anyone_without_the_scrapers_token() {
    let app = spawn().await;
    let (_, code) = survey_with_session(&app).await;
    let child = app.child(&code, 13).await;
    let clear = r#"langnghe_screened_texts_total{outcome="clear"}"#;
    let get = |token: Option<&'static str>, headers: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            app.request(actix_web::http::Method::GET, "/metrics", token, headers, None)
                .await
        }
    };
    let attempts = async || {
        refused(&get(None, &[]).await);
        refused(&get(Some("scraper-token-0123456789abcdef012345678"), &[]).await);
        refused(&get(Some(&METRICS_TOKEN[..10]), &[]).await);
        refused(&get(None, &[("Authorization", "Basic c2NyYXBlcjpzZWNyZXQ=")]).await);
        refused(
            &app.request(actix_web::http::Method::GET, "/metrics", app.admin(), &[], None)
                .await,
        );
        refused(&get(None, &[("X-Forwarded-For", "127.0.0.1")]).await);
    };
    attempts().await;
    let before = at(&scrape(&app).await, clear);

    app.raise(&child, "clear", "Em muốn nói", crate::screening::CLEAR)
        .await
        .ok(201);
    attempts().await;
    let r = get(Some(METRICS_TOKEN), &[("X-Forwarded-For", "203.0.113.9")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(at(&r.text, clear) >= before + 1.0, "{}", r.text);
}

/// Without a token set (a laptop's `cargo run`, a sidecar), `/metrics`
/// answers a request made on loopback, and refuses one a proxy forwarded
/// (nginx sets `X-Forwarded-For`; `Forwarded` is its standard form; a
/// proxy may set only `X-Real-IP`, `Via` or `X-Forwarded-Proto`), even if
/// it says it comes from loopback.
#[actix_web::test]
async fn without_a_token_only_unforwarded_loopback_requests_are_answered() {
    let app = TestApp::spawn().await;
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("langnghe_screened_texts_total"), "{}", r.text);
    for header in [
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Forwarded-For", "127.0.0.1"),
        ("Forwarded", "for=203.0.113.9"),
        // A proxy on this machine set up with other headers, or none but
        // its own mark.
        ("X-Real-IP", "203.0.113.9"),
        ("Via", "1.1 nginx"),
        ("X-Forwarded-Proto", "https"),
    ] {
        refused(
            &app.request(actix_web::http::Method::GET, "/metrics", None, &[header], None)
                .await,
        );
    }
}
