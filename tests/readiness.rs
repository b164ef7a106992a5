//! `/readyz` says 503 while the database is unreachable and recovers by
//! itself. The database is cut off by a TCP proxy the test controls, so it
//! runs against PostgreSQL in both runs: `TEST_DATABASE_URL`, else
//! `LANGNGHE_TEST_POSTGRES_URL`, else the local server every machine of
//! this project runs (127.0.0.1:5432, user postgres).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{Options, TestApp, TestDb, eventually, postgres_server_url, with_database};

/// A proxy to `target` that can be cut (existing connections dropped, new
/// ones refused) and restored.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let (up2, cut2) = (up.clone(), cut.clone());
        actix_web::rt::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut cut_rx = cut2.subscribe();
                actix_web::rt::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        Proxy { port, up, cut }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

fn host_port(url: &str) -> String {
    let after = url.split("://").nth(1).unwrap();
    let after = after.rsplit('@').next().unwrap();
    let hostport = after.split('/').next().unwrap();
    if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:5432")
    }
}

#[actix_web::test]
async fn readyz_fails_while_the_database_is_unreachable_and_recovers() {
    let admin_url = postgres_server_url();
    let db = TestDb::new_postgres(&admin_url).await;
    let proxy = Proxy::start(host_port(&admin_url)).await;
    // The same database, reached through the proxy.
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let through =
        with_database(&admin_url, &name).replacen(&host_port(&admin_url), &format!("127.0.0.1:{}", proxy.port), 1);
    let app = TestApp::spawn_on(Arc::new(TestDb::through(db, through)), Options::default()).await;
    app.get("/readyz", None).await.ok(200);
    // A child in a session, whose submissions go through the writers.
    let r = app
        .post(
            "/api/v1/units",
            app.admin(),
            &serde_json::json!({"kind": "city", "code": "HCM", "name": {"vi": "Thành phố Hồ Chí Minh"}, "valid_from": "2024-01-01"}),
        )
        .await;
    let unit = r.created();
    let mut body = crate::surveys::example_survey(&unit);
    body.as_object_mut().unwrap().remove("topic");
    let survey = crate::surveys::published_survey(&app, &body).await;
    let code = crate::results::session(&app, &survey, &unit).await;
    let child = app.child(&code, 12).await;
    let submit = |key: &'static str| {
        let child = child.clone();
        let app = &app;
        async move {
            app.request(
                actix_web::http::Method::POST,
                "/api/v1/responses",
                Some(&child),
                &[("Content-Type", "application/json"), ("Idempotency-Key", key)],
                Some(br#"{"answers": {"feel_safe": "no"}}"#.to_vec()),
            )
            .await
        }
    };

    proxy.set_up(false);
    // A child submitting during the outage is told at once to retry (503),
    // not left waiting.
    let started = std::time::Instant::now();
    submit("during-outage")
        .await
        .assert_problem(503, "database_unavailable");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        eventually(30, || async { app.get("/readyz", None).await.status == 503 }).await,
        "readyz stays 200 with the database cut off"
    );
    let r = app.get("/readyz", None).await;
    r.assert_problem(503, "database_unavailable");
    assert!(r.header("retry-after").is_some());
    // Other requests say so too, instead of a 500.
    app.get("/api/v1/units", app.admin())
        .await
        .assert_problem(503, "database_unavailable");
    assert_eq!(app.get("/healthz", None).await.status, 200, "alive all the same");
    // Metrics still answer, promptly, without what only the database knows.
    let started = std::time::Instant::now();
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        crate::metrics::value(&r.text, "langnghe_database_up"),
        Some(0.0),
        "{}",
        r.text
    );
    assert_eq!(
        crate::metrics::value(&r.text, "langnghe_webhook_queued"),
        None,
        "{}",
        r.text
    );
    assert!(crate::metrics::value(&r.text, "langnghe_db_pool_connections_max").is_some());

    proxy.set_up(true);
    assert!(
        eventually(30, || async { app.get("/readyz", None).await.status == 200 }).await,
        "readyz does not recover when the database comes back"
    );
    app.get("/api/v1/units", app.admin()).await.ok(200);
    let r = app.get("/metrics", None).await;
    assert_eq!(
        crate::metrics::value(&r.text, "langnghe_database_up"),
        Some(1.0),
        "{}",
        r.text
    );
    // The retry goes through once the database is back.
    assert_eq!(submit("during-outage").await.status, 201);
}
