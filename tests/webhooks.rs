//! Signed webhooks from the outbox, against a real HTTP receiver: the
//! signature, the event id receivers deduplicate on, retries with backoff,
//! dead letters and their replay, events from sending and chasing, and two
//! service instances relaying each event exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

use crate::recommendations::{World, agency, sent, world};
use crate::support::{Call, Options, TestApp, eventually};

#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) event_id: String,
    signature: String,
    pub(crate) body: String,
    /// Answered 2xx.
    ok: bool,
}

#[derive(Default)]
pub(crate) struct Receiver {
    got: Mutex<Vec<Received>>,
    /// Requests still to refuse with a 500.
    fail: AtomicUsize,
}

impl Receiver {
    pub(crate) fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn of(&self, event: &str) -> usize {
        self.got().iter().filter(|r| r.event_id == event).count()
    }
}

async fn hook(req: HttpRequest, body: web::Bytes, r: web::Data<Arc<Receiver>>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let failing = r
        .fail
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    r.got.lock().unwrap().push(Received {
        event_id: header("Langnghe-Event-Id"),
        signature: header("Langnghe-Signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        ok: !failing,
    });
    if failing {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

/// A receiver on a random local port; its URL.
pub(crate) async fn receiver() -> (Arc<Receiver>, String) {
    let r = Arc::new(Receiver::default());
    let data = web::Data::new(r.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(hook)))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (r, format!("http://{addr}/hook"))
}

pub(crate) fn verify(secret: &str, r: &Received) -> bool {
    let Some((t, v1)) = r
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes()) == v1
}

async fn event(app: &TestApp, id: &str) -> Value {
    let r = app.get("/api/v1/webhooks/events?limit=100", app.admin()).await;
    r.items().iter().find(|e| e["id"] == id).cloned().unwrap_or(Value::Null)
}

pub async fn test_event(app: &TestApp, agency: &str, token: Option<&str>) -> String {
    let r = app
        .post(&format!("/api/v1/agencies/{agency}/webhook/test"), token, &json!({}))
        .await;
    r.string(202, "id")
}

pub async fn status_becomes(app: &TestApp, id: &str, status: &str) -> Value {
    assert!(
        eventually(15, || async { event(app, id).await["status"] == status }).await,
        "event {id} never became {status}: {}",
        event(app, id).await
    );
    event(app, id).await
}

#[test]
fn the_signature_is_hmac_sha256_of_time_dot_body() {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    assert_eq!(
        langnghe_api::services::destinations::signature("secret", 1_700_000_000, r#"{"a":1}"#),
        "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
    );
    let base = std::time::Duration::from_secs(30);
    let backoff = |n| langnghe_api::jobs::relay::backoff(base, n).as_secs();
    assert_eq!(
        [1, 2, 3, 5, 8, 9, 50].map(backoff),
        [30, 60, 120, 480, 3600, 3600, 3600]
    );
    use std::net::IpAddr;
    for (ip, internal) in [
        ("127.0.0.1", true),
        ("10.20.30.40", true),
        ("172.16.0.1", true),
        ("192.168.1.1", true),
        ("169.254.169.254", true),
        ("100.64.0.1", true),
        ("0.0.0.0", true),
        ("::1", true),
        ("fd00::1", true),
        ("fe80::1", true),
        ("::ffff:10.0.0.1", true),
        ("203.113.131.1", false),
        ("2001:ee0::1", false),
    ] {
        let ip: IpAddr = ip.parse().unwrap();
        assert_eq!(
            langnghe_api::services::destinations::internal_address(ip),
            internal,
            "{ip}"
        );
    }
    for (url, insecure_allowed, ok) in [
        ("https://mot-cua.phuong7.gov.vn/hooks/langnghe", false, true),
        ("http://127.0.0.1:8080/hook", false, false),
        ("http://127.0.0.1:8080/hook", true, true),
        ("https://user:pw@example.gov.vn/", false, false),
        ("ftp://example.gov.vn/", true, false),
        ("/relative", true, false),
        ("not a url", true, false),
    ] {
        assert_eq!(
            langnghe_api::services::destinations::check_url(url, insecure_allowed).is_ok(),
            ok,
            "{url}"
        );
    }
}

#[actix_web::test]
async fn webhooks_are_signed_retried_dead_lettered_and_replayed() {
    let w: World = world().await;
    let app = &w.app;
    let board = agency(app, &w.school, "school_board").await;
    let social = agency(app, &w.district, "social_affairs_office").await;
    let (_, staff) = app.user("bgh.binh.minh", "agency_staff", None, Some(&board)).await;
    let (_, other) = app.user("ldtbxh.staff", "agency_staff", None, Some(&social)).await;
    let (hooks, url) = receiver().await;

    // The agency registers its own webhook; others may not.
    let put = |token: Option<&str>, agency: &str, url: &str| {
        let (path, body) = (format!("/api/v1/agencies/{agency}/webhook"), json!({"url": url}));
        let token = token.map(str::to_owned);
        async move { app.send_json(Method::PUT, &path, token.as_deref(), &body).await }
    };
    put(Some(&w.moderator), &board, &url)
        .await
        .assert_problem(403, "forbidden");
    put(Some(&other), &board, &url).await.assert_problem(404, "not_found");
    put(Some(&staff), &board, "ftp://example.gov.vn/x")
        .await
        .assert_fields(&[("url", "invalid_url")]);
    put(Some(&staff), &board, "https://a:b@example.gov.vn/x")
        .await
        .assert_fields(&[("url", "invalid_url")]);
    put(None, &board, &url).await.assert_problem(401, "unauthenticated");
    let r = put(Some(&staff), &board, &url).await;
    let secret = r.string(200, "secret");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = app.get(&format!("/api/v1/agencies/{board}/webhook"), app.admin()).await;
    assert_eq!(r.ok(200)["url"], url.as_str());
    assert!(!r.text.contains(&secret));
    app.get(&format!("/api/v1/agencies/{board}/webhook"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    let forbidden = [
        Call::get(format!("/api/v1/agencies/{board}/webhook")),
        Call::post(format!("/api/v1/agencies/{board}/webhook/test"), json!({})),
    ];
    app.refuses(&forbidden, &[Some(&w.moderator)], 403, "forbidden").await;
    app.post(
        &format!("/api/v1/agencies/{board}/webhook/test"),
        Some(&other),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(&format!("/api/v1/agencies/{board}/webhook/test"), None, &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
    app.get(&format!("/api/v1/agencies/{social}/webhook"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("/api/v1/agencies/{social}/webhook/test"),
        Some(&other),
        &json!({}),
    )
    .await
    .assert_problem(409, "no_webhook");

    // A test event, signed, with its id in a header and in the body.
    let id = test_event(app, &board, Some(&staff)).await;
    let e = status_becomes(app, &id, "delivered").await;
    assert_eq!(e["attempts"], 1);
    let got = hooks.got();
    let first = got.iter().find(|r| r.event_id == id).unwrap();
    assert!(verify(&secret, first), "signature: {first:?}");
    assert!(!verify("whsec_wrong", first));
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["agency_id"], board.as_str());

    // Sending a recommendation announces the delivery.
    let rec = sent(&w, &[&board, &social]).await;
    let delivery = crate::recommendations::delivery_for(&rec, &board);
    let created = |hooks: &Receiver, kind: &str| {
        hooks
            .got()
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
            .filter(|b| b["type"] == kind)
            .collect::<Vec<_>>()
    };
    assert!(eventually(10, || async { !created(&hooks, "delivery.created").is_empty() }).await);
    let announced = created(&hooks, "delivery.created");
    assert_eq!(announced.len(), 1, "only the agency's own deliveries");
    assert_eq!(announced[0]["data"]["delivery_id"], delivery.as_str());

    // Another agency's answer updates the recommendation for this one.
    app.post(
        &format!(
            "/api/v1/agency/deliveries/{}/acknowledge",
            rec["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["agency_id"] == social.as_str())
                .unwrap()["id"]
                .as_str()
                .unwrap()
        ),
        Some(&other),
        &json!({}),
    )
    .await
    .ok(200);
    assert!(eventually(10, || async { !created(&hooks, "recommendation.updated").is_empty() }).await);

    // Failures are retried with the same event id until delivered (once
    // nothing else is on its way).
    assert!(
        eventually(10, || async {
            let r = app.get("/api/v1/webhooks/events?status=pending", app.admin()).await;
            r.items().is_empty()
        })
        .await
    );
    hooks.fail.store(2, Ordering::SeqCst);
    let id = test_event(app, &board, app.admin()).await;
    let e = status_becomes(app, &id, "delivered").await;
    assert_eq!(e["attempts"], 3);
    assert_eq!(hooks.of(&id), 3);

    // A receiver that keeps failing: a dead letter after the give-up time,
    // listed for admins, replayed once the receiver is back.
    hooks.fail.store(usize::MAX, Ordering::SeqCst);
    let id = test_event(app, &board, app.admin()).await;
    let e = status_becomes(app, &id, "dead").await;
    assert!(e["attempts"].as_i64().unwrap() >= 2, "retried before giving up: {e}");
    assert_eq!(e["last_error"], "receiver answered 500");
    let r = app.get("/api/v1/webhooks/events?status=dead", app.admin()).await;
    let dead = r.items().clone();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["id"], id.as_str());
    app.get("/api/v1/webhooks/events", Some(&w.moderator))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/webhooks/events", Some(&staff))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/webhooks/events?status=lost", app.admin())
        .await
        .assert_problem(400, "invalid_query");
    app.post(
        &format!("/api/v1/webhooks/events/{id}/replay"),
        Some(&w.moderator),
        &json!({}),
    )
    .await
    .assert_problem(403, "forbidden");
    hooks.fail.store(0, Ordering::SeqCst);
    let seen = hooks.of(&id);
    let r = app
        .post(&format!("/api/v1/webhooks/events/{id}/replay"), app.admin(), &json!({}))
        .await;
    assert_eq!(r.ok(200)["status"], "pending");
    status_becomes(app, &id, "delivered").await;
    assert_eq!(hooks.of(&id), seen + 1, "the same event id again");
    app.post(&format!("/api/v1/webhooks/events/{id}/replay"), app.admin(), &json!({}))
        .await
        .assert_problem(409, "not_dead");
    app.post(
        "/api/v1/webhooks/events/00000000-0000-0000-0000-000000000000/replay",
        app.admin(),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    let audit = app.audit("outbox", &id).await;
    assert_eq!(audit[0].action, "webhook.replay");

    // Delivered events are kept 30 days, then purged; dead letters stay.
    hooks.fail.store(usize::MAX, Ordering::SeqCst);
    let dead = test_event(app, &board, app.admin()).await;
    status_becomes(app, &dead, "dead").await;
    let delivered_before = app
        .get("/api/v1/webhooks/events?status=delivered&limit=100", app.admin())
        .await;
    let delivered_before = delivered_before.items().len() as u64;
    assert!(delivered_before >= 5);
    let db = app.storage().await;
    let policy = langnghe_api::config::RetentionPolicy::default();
    let r = langnghe_api::retention::purge(&db, policy, app.now()).await.unwrap();
    assert_eq!(r.webhook_events_deleted, 0, "a month has not passed");
    let later = app.now() + chrono::Duration::days(31);
    let r = langnghe_api::retention::purge(&db, policy, later).await.unwrap();
    assert_eq!(r.webhook_events_deleted, delivered_before);
    db.close().await.ok();
    let r = app.get("/api/v1/webhooks/events", app.admin()).await;
    let left: Vec<Value> = r.items().clone();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], dead.as_str());

    // Reminders and overdue notices from the chaser, last: the clock moves
    // on a month, past every staff token.
    hooks.fail.store(0, Ordering::SeqCst);
    let due: chrono::NaiveDate = rec["deliveries"][0]["due_on"].as_str().unwrap().parse().unwrap();
    // The chaser runs on the due day and a month later, as the app's clock
    // reaches each.
    let db = app.storage().await;
    for day in [due, due + chrono::Duration::days(30)] {
        app.clock.set(crate::support::morning_of(day));
        langnghe_api::jobs::chasing::chase(&db, app.now()).await.unwrap();
    }
    db.close().await.ok();
    assert!(eventually(10, || async { !created(&hooks, "delivery.overdue").is_empty() }).await);
    let reminder = created(&hooks, "delivery.reminder");
    assert_eq!(reminder.len(), 1);
    assert_eq!(reminder[0]["data"]["kind"], "on_due");
    assert_eq!(created(&hooks, "delivery.overdue")[0]["data"]["kind"], "overdue");
}

/// A demo application that refuses insecure webhooks, as outside
/// development, and the district's education office to point one at.
pub(crate) async fn outside_development() -> (TestApp, String) {
    let app = TestApp::spawn_with(Options {
        demo: true,
        webhooks_insecure: false,
        ..Options::default()
    })
    .await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let office = agency(&app, &district, "education_office").await;
    (app, office)
}

/// Outside development, a webhook may not point into the service's own
/// network.
#[actix_web::test]
async fn webhooks_may_not_reach_internal_addresses() {
    let (app, office) = outside_development().await;
    for (url, code) in [
        ("http://203.113.131.1/hook", "invalid_url"),
        ("https://127.0.0.1:8443/hook", "invalid_destination"),
        ("https://10.1.2.3/hook", "invalid_destination"),
        ("https://[::1]/hook", "invalid_destination"),
        ("https://169.254.169.254/latest/meta-data", "invalid_destination"),
        ("https://localhost/hook", "invalid_destination"),
    ] {
        app.send_json(
            Method::PUT,
            &format!("/api/v1/agencies/{office}/webhook"),
            app.admin(),
            &json!({"url": url}),
        )
        .await
        .assert_fields(&[("url", code)]);
    }
    app.get(&format!("/api/v1/agencies/{office}/webhook"), app.admin())
        .await
        .assert_problem(404, "not_found");
}

/// Two service instances on one database, through failures and retries:
/// every event is delivered exactly once, none skipped.
#[actix_web::test]
async fn two_instances_relay_each_event_exactly_once() {
    let a = TestApp::spawn_demo().await;
    let b = a.replica().await;
    let district = a.unit_id("PN", "2026-01-01").await;
    let board = agency(&a, &district, "education_office").await;
    let (hooks, url) = receiver().await;
    a.send_json(
        Method::PUT,
        &format!("/api/v1/agencies/{board}/webhook"),
        a.admin(),
        &json!({"url": url}),
    )
    .await
    .ok(200);
    // The first ten attempts fail, whichever instance makes them.
    hooks.fail.store(10, Ordering::SeqCst);
    let mut ids = Vec::new();
    for i in 0..40 {
        let app = if i % 2 == 0 { &a } else { &b };
        ids.push(test_event(app, &board, app.admin()).await);
    }
    assert!(
        eventually(30, || async {
            let got = hooks.got();
            ids.iter().all(|id| got.iter().any(|r| &r.event_id == id && r.ok))
        })
        .await,
        "every event arrives"
    );
    // Let any duplicate show itself.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = hooks.got();
    assert_eq!(got.iter().filter(|r| !r.ok).count(), 10, "ten refused attempts");
    let mut delivered: HashMap<String, usize> = HashMap::new();
    for r in got.iter().filter(|r| r.ok) {
        *delivered.entry(r.event_id.clone()).or_default() += 1;
    }
    assert_eq!(delivered.len(), 40, "none skipped");
    assert!(delivered.values().all(|n| *n == 1), "none twice: {delivered:?}");
    for id in &ids {
        assert_eq!(event(&a, id).await["status"], "delivered");
    }
}
