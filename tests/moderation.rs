//! The moderation queue: listing with filters and diacritic-insensitive
//! search, counts per status, decisions with their rules, redacted text
//! kept nowhere (not even in the audit log), roles, and bad input.

use serde_json::{Value, json};

use crate::support::{Call, Fields, Resp, TestApp, public_issue_id, strings};

/// The admin records a dialogue at `unit` on 15 October 2026 (30 children,
/// 4 adults) at which children raised `issues`: their ids.
pub async fn dialogue_with_issues(app: &TestApp, unit: &str, title: &str, issues: Value) -> Vec<String> {
    let r = app
        .post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "dialogue", "unit_id": unit, "held_on": "2026-10-15",
                "title": title, "children_attending": 30, "adults_attending": 4,
                "issues": issues}),
        )
        .await;
    r.ok(201)["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// An id that is no issue's.
const UNKNOWN: &str = "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90";

/// Changes several issues at once, all or nothing.
async fn bulk(app: &TestApp, token: Option<&str>, change: Value) -> Resp {
    app.post("/api/v1/issues/bulk", token, &change).await
}

/// Merges issue `id` into issue `into`.
async fn merge(app: &TestApp, token: Option<&str>, id: &str, into: &str) -> Resp {
    let path = format!("/api/v1/issues/{id}/merge");
    app.post(&path, token, &json!({"into": into})).await
}

/// Takes issue `id` out of the issue it was merged into.
async fn unmerge(app: &TestApp, token: Option<&str>, id: &str) -> Resp {
    let path = format!("/api/v1/issues/{id}/unmerge");
    app.post(&path, token, &json!({})).await
}

/// Issue `id`'s audit log, as the admin reads it.
async fn audit_of(app: &TestApp, id: &str) -> Resp {
    let path = format!("/api/v1/audit?entity=issue&entity_id={id}");
    app.get(&path, app.admin()).await
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

struct Queue {
    app: TestApp,
    moderator: String,
    school: String,
    /// Violence, play spaces, toilets, a disclosure (withheld), and one at
    /// another school.
    issues: Vec<String>,
}

impl Queue {
    /// The moderator's token, as a request takes it.
    fn moderator(&self) -> Option<&str> {
        Some(&self.moderator)
    }
}

async fn event_with_issues(app: &TestApp, unit: &str, issues: Value) -> Vec<String> {
    dialogue_with_issues(app, unit, "Đối thoại với học sinh", issues).await
}

async fn queue() -> Queue {
    let app = TestApp::spawn_demo().await;
    let [school, other] = app.units(["PN-S06", "PN-S01"]).await;
    let (_, moderator) = app.user("hoi.dong.tre.em", "moderator", None, None).await;
    let mut issues = event_with_issues(
        &app,
        &school,
        json!([
            {"title": "Bạo lực học đường", "body": "Cần thêm hoạt động phòng chống BẮT NẠT ở cổng trường sau giờ học."},
            {"title": "Sân chơi thiếu cây xanh", "body": "Trưa nắng không có chỗ ngồi.", "topic": "play_spaces"},
            {"title": "Nhà vệ sinh bẩn", "body": "Thiếu xà phòng, 50% vòi nước hỏng.", "topic": "school_participation"},
            {"title": "Giúp bạn em", "body": "Bố em say rượu về đánh em"}
        ]),
    )
    .await;
    issues.extend(
        event_with_issues(
            &app,
            &other,
            json!([{"title": "Đường về nhà tối", "body": "Không có đèn."}]),
        )
        .await,
    );
    Queue {
        app,
        moderator,
        school,
        issues,
    }
}

#[actix_web::test]
async fn moderators_filter_search_and_count_the_queue() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    let r = app.get("/api/v1/issues", m).await;
    let all = r.ok(200).clone();
    // The withheld issue (a disclosure) is in no list or count of the
    // queue, not even as "withheld": it belongs to its safeguarding case.
    assert_eq!(
        all["counts"],
        json!({"new": 4, "accepted": 0, "rejected": 0, "merged": 0})
    );
    let mut newest_first: Vec<String> = issues.iter().filter(|i| **i != issues[3]).cloned().collect();
    newest_first.reverse();
    assert_eq!(ids(&all), newest_first);
    assert!(!r.text.contains("say rượu"), "the disclosure stays in its case");
    assert!(!r.text.contains("withheld"));
    assert!(!r.text.contains(langnghe_domain::screen::WITHHELD));
    assert_eq!(all["items"][3]["source"], "event");
    app.get(&format!("/api/v1/issues/{}", issues[3]), m)
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/issues?status=withheld", m)
        .await
        .assert_problem(400, "invalid_query");

    let find = async |q: &str| ids(app.get(&format!("/api/v1/issues?{q}"), m).await.ok(200));
    assert_eq!(
        find("q=bao%20luc").await,
        [issues[0].clone()],
        "no diacritics, any case"
    );
    assert_eq!(
        find("q=b%E1%BA%AFt%20n%E1%BA%A1t").await,
        [issues[0].clone()],
        "bắt nạt"
    );
    assert_eq!(
        find("q=%25").await,
        [issues[2].clone()],
        "a % is a character, not a wildcard"
    );
    assert_eq!(find("q=hoc%20duong&status=new").await, [issues[0].clone()]);
    assert!(find("q=mua%20lu").await.is_empty());
    // Whole words and word starts, never inside a word: "hem" is inside
    // "thêm" (issue 0) and finds nothing; "thiê" starts "thiếu" (1, 2);
    // "ruong" is inside "trường"; "cây x" runs on into the next word.
    assert!(find("q=hem").await.is_empty(), "not inside thêm");
    assert_eq!(find("q=them").await, [issues[0].clone()]);
    assert_eq!(
        find("q=thi%C3%AA&sort=oldest").await,
        [issues[1].clone(), issues[2].clone()]
    );
    assert!(find("q=ruong").await.is_empty());
    assert!(find("q=ong%20truong").await.is_empty());
    assert_eq!(find("q=c%C3%A2y%20x").await, [issues[1].clone()]);
    assert_eq!(find("q=50%25").await, [issues[2].clone()]);
    assert_eq!(find("topic=play_spaces").await, [issues[1].clone()]);
    assert_eq!(
        find(&format!("unit_id={school}&sort=oldest")).await,
        issues[..3].to_vec()
    );
    assert!(find("source=form").await.is_empty());
    // Counts follow the other filters, not the status.
    let r = app
        .get(&format!("/api/v1/issues?unit_id={school}&status=accepted"), m)
        .await;
    assert_eq!(r.ok(200)["counts"]["new"], 3);
    assert_eq!(r.body["items"], json!([]));
    // Pages.
    let r = app.get("/api/v1/issues?limit=3", m).await;
    let first = r.ok(200).clone();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app.get(&format!("/api/v1/issues?limit=3&cursor={cursor}"), m).await;
    let mut both = ids(&first);
    both.extend(ids(second.ok(200)));
    assert_eq!(both, newest_first);
    assert_eq!(second.body["next_cursor"], Value::Null);

    // Bad queries change nothing and say why.
    let bad = [
        "status=open",
        "sort=top",
        "source=sms",
        "topic=weather",
        "unit_id=0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90",
        "unit_id=not-a-uuid",
        "limit=0",
        "colour=red",
    ];
    app.refuses_queries("/api/v1/issues", &bad, m).await;
    let long = "a".repeat(201);
    app.get(&format!("/api/v1/issues?q={long}"), m)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/issues?cursor=xyz", m)
        .await
        .assert_problem(400, "invalid_cursor");

    // Only the Council's moderators and admins.
    app.get("/api/v1/issues", app.admin()).await.ok(200);
    let (_, facilitator) = app.user("phu.trach.s06", "facilitator", Some(school), None).await;
    let (_, officer) = app.user("bao.ve", "safeguarding_officer", None, None).await;
    let agencies = app.get("/api/v1/agencies", app.admin()).await;
    let agency = agencies.ok(200)["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, agency_staff) = app.user("phong.gd", "agency_staff", None, Some(&agency)).await;
    for token in [&facilitator, &officer, &agency_staff] {
        let forbidden = [
            Call::get("/api/v1/issues"),
            Call::get(format!("/api/v1/issues/{}", issues[0])),
            Call::patch(format!("/api/v1/issues/{}", issues[0]), json!({"status": "accepted"})),
        ];
        app.refuses(&forbidden, &[Some(token)], 403, "forbidden").await;
    }
    app.get("/api/v1/issues", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(&format!("/api/v1/issues/{UNKNOWN}"), m)
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn decisions_follow_the_rules_and_redacted_text_is_kept_nowhere() {
    let q = queue().await;
    let (app, m, issues) = (&q.app, q.moderator(), &q.issues);
    let path = |i: usize| format!("/api/v1/issues/{}", issues[i]);

    // Accept one; the history says who.
    let r = app
        .patch(&path(0), m, &json!({"status": "accepted", "topic": "safety"}))
        .await;
    let a = r.ok(200).clone();
    assert_eq!(
        (a["status"].as_str(), a["topic"].as_str()),
        (Some("accepted"), Some("safety"))
    );
    assert_eq!(a["history"].as_array().unwrap().len(), 1);
    assert_eq!(a["history"][0]["actor"], "hoi.dong.tre.em");
    assert_eq!(a["history"][0]["action"], "issue.update");
    assert_eq!(a["history"][0]["changed"], json!(["status", "topic_id"]));

    // Rejecting needs a reason; nothing changes without one.
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(path(1), json!({"status": "rejected"})),
            &[("reason", "reason_required")],
        ),
        (
            Call::patch(path(1), json!({"status": "rejected", "reason": "junk"})),
            &[("reason", "unknown_reason")],
        ),
    ];
    app.refuses_fields(invalid, m).await;
    assert_eq!(app.get(&path(1), m).await.ok(200)["status"], "new");
    let r = app
        .patch(
            &path(1),
            m,
            &json!({"status": "rejected", "reason": "duplicate", "note": "Trùng với kiến nghị sân chơi năm trước"}),
        )
        .await;
    assert_eq!(r.ok(200)["rejection_reason"], "duplicate");
    assert_eq!(r.body["moderator_note"], "Trùng với kiến nghị sân chơi năm trước");
    // Illegal moves.
    app.patch(&path(1), m, &json!({"status": "new"}))
        .await
        .assert_problem(409, "illegal_transition");
    // Only the screen withholds an issue or holds it for review, and only
    // the child withdraws it: a moderator asking for any of these is an
    // illegal move (withheld once answered 500; the others hid the issue).
    for hidden in ["withheld", "in_review", "withdrawn"] {
        app.patch(&path(1), m, &json!({"status": hidden}))
            .await
            .assert_problem(409, "illegal_transition");
    }
    assert_eq!(app.get(&path(1), m).await.ok(200)["status"], "rejected");
    // A withheld issue is not in the queue: as if it did not exist.
    app.patch(&path(3), m, &json!({"status": "accepted"}))
        .await
        .assert_problem(404, "not_found");
    app.patch(&path(0), m, &json!({"reason": "unsafe"}))
        .await
        .assert_fields(&[("reason", "reason_not_allowed")]);
    // Revisited on appeal: accepted, and the reason goes.
    let r = app.patch(&path(1), m, &json!({"status": "accepted"})).await;
    assert_eq!(r.ok(200)["rejection_reason"], Value::Null);
    let counts = app.get("/api/v1/issues", m).await.ok(200)["counts"].clone();
    assert_eq!(counts, json!({"new": 2, "accepted": 2, "rejected": 0, "merged": 0}));

    // Further redaction: the text before is kept nowhere.
    let r = app
        .patch(
            &path(2),
            m,
            &json!({"title": "Nhà vệ sinh bẩn", "body": "Thiếu xà phòng, [đã ẩn] vòi nước hỏng.", "topic": null}),
        )
        .await;
    assert_eq!(r.ok(200)["body"], "Thiếu xà phòng, [đã ẩn] vòi nước hỏng.");
    assert_eq!(r.body["topic"], Value::Null);
    assert!(!app.get(&path(2), m).await.text.contains("50%"));
    assert!(
        ids(app.get("/api/v1/issues?q=%25", m).await.ok(200)).is_empty(),
        "search follows the new text"
    );
    // The audit log says the text was edited, never what it said: the
    // words a moderator redacted are kept nowhere.
    let audit = audit_of(app, &issues[2]).await;
    assert_eq!(audit.ok(200)["items"][0]["after"]["body"], "edited");
    assert!(!audit.text.contains("50%"), "{}", audit.text);
    let history = app.get(&path(2), m).await.ok(200)["history"].to_string();
    assert!(history.contains("\"body\""), "the history names the field: {history}");

    // Bad input: refused with a code, nothing stored.
    let before = app.get(&path(2), m).await.ok(200).clone();
    app.patch(&path(2), m, &json!({"topic": "weather", "unit_id": UNKNOWN}))
        .await
        .assert_fields(&[("topic", "unknown_topic"), ("unit_id", "unknown_unit")]);
    app.patch(&path(2), m, &json!({"title": ""}))
        .await
        .assert_problem(422, "validation_failed");
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(path(2), json!({"note": "x".repeat(2001)})),
            &[("note", "too_long")],
        ),
        (
            Call::patch(path(2), json!({"status": "open"})),
            &[("status", "unknown_status")],
        ),
    ];
    app.refuses_fields(invalid, m).await;
    let validation_failed = [
        Call::patch(path(2), json!({"priority": 1})),
        Call::patch(path(2), json!({"title": 5})),
    ];
    app.refuses(&validation_failed, &[m], 422, "validation_failed").await;
    assert_eq!(app.get(&path(2), m).await.ok(200), &before);
    app.patch(&format!("/api/v1/issues/{UNKNOWN}"), m, &json!({"status": "accepted"}))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn bulk_changes_are_all_or_nothing() {
    let q = queue().await;
    let (app, m, issues) = (&q.app, q.moderator(), &q.issues);
    let open = [
        issues[0].clone(),
        issues[1].clone(),
        issues[2].clone(),
        issues[4].clone(),
    ];
    let snapshot = async || app.get("/api/v1/issues?sort=oldest", m).await.ok(200)["items"].clone();
    let before = snapshot().await;

    // One withheld issue among them: nothing changes, and the refusal names it.
    let mut with_withheld = open.to_vec();
    with_withheld.push(issues[3].clone());
    let r = bulk(app, m, json!({"ids": with_withheld, "status": "accepted"})).await;
    r.assert_problem(404, "not_found");
    assert!(!r.text.contains(&issues[3]), "nothing says the issue is withheld");
    assert_eq!(snapshot().await, before);
    // An unknown issue among them: the same.
    let mut with_unknown = open.to_vec();
    with_unknown.push(UNKNOWN.into());
    bulk(app, m, json!({"ids": with_unknown, "status": "accepted"}))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(snapshot().await, before);

    // Re-topic and reject three, accept one.
    let r = bulk(
        app,
        m,
        json!({"ids": &open[..3], "status": "rejected", "reason": "off_topic", "topic": "education"}),
    )
    .await;
    let items = r.items().clone();
    assert_eq!(items.len(), 3);
    assert!(
        items
            .iter()
            .all(|i| i["status"] == "rejected" && i["rejection_reason"] == "off_topic" && i["topic"] == "education")
    );
    let r = bulk(app, m, json!({"ids": [&open[3]], "status": "accepted"})).await;
    assert_eq!(r.ok(200)["items"][0]["status"], "accepted");
    let counts = app.get("/api/v1/issues", m).await.ok(200)["counts"].clone();
    assert_eq!(counts, json!({"new": 0, "accepted": 1, "rejected": 3, "merged": 0}));
    // Each change is audited.
    let audit = audit_of(app, &open[0]).await;
    assert_eq!(audit.items().len(), 1);
    // A move back to new fails for all.
    let after = snapshot().await;
    bulk(app, m, json!({"ids": open, "status": "new"}))
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(snapshot().await, after);

    // Bad input.
    bulk(app, m, json!({"ids": [], "status": "accepted"}))
        .await
        .assert_fields(&[("ids", "invalid_length")]);
    let many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post("/api/v1/issues/bulk", json!({"ids": many, "status": "accepted"})),
            &[("ids", "invalid_length")],
        ),
        (
            Call::post(
                "/api/v1/issues/bulk",
                json!({"ids": [&open[0], &open[0]], "status": "accepted"}),
            ),
            &[("ids", "duplicate")],
        ),
        (
            Call::post("/api/v1/issues/bulk", json!({"ids": [&open[0]]})),
            &[("status", "nothing_to_change")],
        ),
        (
            Call::post("/api/v1/issues/bulk", json!({"ids": [&open[3]], "status": "rejected"})),
            &[("reason", "reason_required")],
        ),
    ];
    app.refuses_fields(invalid, m).await;
    bulk(app, m, json!({"ids": ["nope"], "status": "accepted"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(snapshot().await, after);
    // Roles.
    let (_, facilitator) = app.facilitator("phu.trach.bulk", "PN-S06").await;
    bulk(
        app,
        Some(&facilitator),
        json!({"ids": [&open[0]], "status": "accepted"}),
    )
    .await
    .assert_problem(403, "forbidden");
    bulk(app, None, json!({"ids": [&open[0]], "status": "accepted"}))
        .await
        .assert_problem(401, "unauthenticated");
}

async fn child(app: &TestApp, school: &str, age: u8) -> String {
    let district = app.unit_id("PN", "2026-01-01").await;
    let survey = crate::surveys::published_survey(app, &crate::surveys::example_survey(&district)).await;
    let session = app.open_session(&survey, school, -5, 60).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/join",
            None,
            &json!({"join_code": code, "age": age, "assent": true}),
        )
        .await;
    r.string(200, "respondent_token")
}

#[actix_web::test]
async fn children_read_accepted_issues_and_support_each_once() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    bulk(app, m, json!({"ids": [&issues[0], &issues[1]], "status": "accepted"}))
        .await
        .ok(200);
    bulk(
        app,
        m,
        json!({"ids": [&issues[2]], "status": "rejected", "reason": "other"}),
    )
    .await
    .ok(200);
    // Accepting does not publish: publishing is its own step.
    let r = app.get("/api/v1/public/issues", None).await;
    assert_eq!(r.ok(200)["items"], json!([]));
    for id in [&issues[0], &issues[1]] {
        let r = app.post(&format!("/api/v1/issues/{id}/publish"), m, &json!({})).await;
        assert!(r.ok(200)["published_at"].is_string());
    }
    // Only published issues, newest first, no sign-in, names in the child's language.
    let r = app.get("/api/v1/public/issues", None).await;
    assert_eq!(
        ids(r.ok(200)),
        [public_issue_id(&issues[1]), public_issue_id(&issues[0])]
    );
    assert_eq!(r.body["items"][0]["topic_name"], "Sân chơi, điểm vui chơi");
    assert!(!r.text.contains("moderator_note") && !r.text.contains("participant"));
    let r = app.get_in("/api/v1/public/issues?topic=play_spaces", None, "en").await;
    assert_eq!(r.ok(200)["items"][0]["topic_name"], "Play spaces");
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let r = app.get(&format!("/api/v1/public/issues?unit_id={school}"), None).await;
    assert_eq!(r.items().len(), 2);
    let bad = [
        "topic=weather",
        "unit_id=0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90",
        "limit=500",
        "status=new",
    ];
    app.refuses_queries("/api/v1/public/issues", &bad, None).await;

    // Supports: once per child, whatever the retries. What children read
    // is the published figure, which counts the days before today: 0 yet.
    let a = child(app, school, 12).await;
    let b = child(app, school, 14).await;
    let path = format!("/api/v1/issues/{}/supports", public_issue_id(&issues[0]));
    let r = app.post(&path, Some(&a), &json!({})).await;
    assert_eq!(r.ok(201)["supports"], 0);
    assert_eq!(r.body["issue_id"].as_str(), Some(public_issue_id(&issues[0]).as_str()));
    let r = app.post(&path, Some(&a), &json!({})).await;
    assert_eq!(r.ok(200)["supports"], 0, "a retry counts once");
    let empty = json!({});
    let both = futures_util::future::join_all((0..5).map(|_| app.post(&path, Some(&b), &empty))).await;
    assert_eq!(both.iter().filter(|r| r.status == 201).count(), 1);
    assert!(both.iter().all(|r| r.status == 201 || r.status == 200));
    let r = app.get("/api/v1/public/issues", None).await;
    assert_eq!(r.ok(200)["items"][1]["supports"], 0);
    // Moderators read the exact count.
    assert_eq!(
        app.get(&format!("/api/v1/issues/{}", issues[0]), m).await.ok(200)["supports"],
        2
    );
    // Not accepted, or unknown: not found; staff or no token: refused.
    let not_found = [
        Call::post(
            format!("/api/v1/issues/{}/supports", public_issue_id(&issues[2])),
            json!({}),
        ),
        Call::post(format!("/api/v1/issues/{UNKNOWN}/supports"), json!({})),
        // The id staff see is not the public one.
        Call::post(format!("/api/v1/issues/{}/supports", issues[0]), json!({})),
    ];
    app.refuses(&not_found, &[Some(&a)], 404, "not_found").await;
    app.post(&path, m, &json!({}))
        .await
        .assert_problem(401, "invalid_token");
    app.post(&path, None, &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
    // Erasing a child's data removes their support.
    let r = app.delete("/api/v1/participants/me", Some(&a)).await;
    r.ok(200);
    assert_eq!(
        app.get(&format!("/api/v1/issues/{}", issues[0]), m).await.ok(200)["supports"],
        1
    );
}

/// The moment a child sent an issue may tie it to a child seen typing
/// then. The stored id (UUID v7) begins with that millisecond; what the
/// public reads (the id, the cursor, a support's answer) must not.
#[actix_web::test]
async fn a_public_issue_says_nothing_of_the_moment_it_was_sent() {
    let q = queue().await;
    let (app, m, issues) = (&q.app, q.moderator(), &q.issues);
    let published = [&issues[0], &issues[1], &issues[2]];
    bulk(app, m, json!({"ids": published, "status": "accepted"}))
        .await
        .ok(200);
    for id in published {
        app.post(&format!("/api/v1/issues/{id}/publish"), m, &json!({}))
            .await
            .ok(200);
    }
    // Everything the public can read, page by page (one issue a page, so
    // that each cursor is read too).
    let mut seen = String::new();
    let mut public_ids = Vec::new();
    let mut path = "/api/v1/public/issues?limit=1".to_owned();
    loop {
        let r = app.get(&path, None).await;
        let page = r.ok(200).clone();
        seen.push_str(&r.text);
        public_ids.push(page["items"][0]["id"].as_str().unwrap().to_owned());
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        let bytes = data_encoding::BASE64URL_NOPAD.decode(cursor.as_bytes()).unwrap();
        seen.push_str(&uuid::Uuid::from_slice(&bytes).unwrap().to_string());
        path = format!("/api/v1/public/issues?limit=1&cursor={cursor}");
    }
    assert_eq!(public_ids.len(), 3);
    let child = child(app, &q.school, 13).await;
    let r = app
        .post(
            &format!("/api/v1/issues/{}/supports", public_ids[0]),
            Some(&child),
            &json!({}),
        )
        .await;
    seen.push_str(&r.text);
    r.ok(201);
    for stored in published {
        let stored: uuid::Uuid = stored.parse().unwrap();
        // Not the id, nor its first 48 bits (the millisecond), in any
        // form: hex with or without dashes, or in the cursor's bytes.
        let simple = stored.simple().to_string();
        assert!(!seen.contains(&simple[..12]), "{stored}'s moment in {seen}");
        assert!(!seen.contains(&stored.to_string()[..13]), "{stored}'s moment in {seen}");
    }
    // The public ids name the issues for the public and no one else.
    for (public, stored) in public_ids.iter().zip([&issues[2], &issues[1], &issues[0]]) {
        assert_eq!(*public, public_issue_id(stored));
        app.get(&format!("/api/v1/issues/{public}"), m)
            .await
            .assert_problem(404, "not_found");
    }
}

#[actix_web::test]
async fn merging_adds_up_supports_without_counting_a_child_twice_and_unmerging_restores() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    // A form issue would need a session; two event issues and one at the other school will do.
    let (canonical, duplicate, third) = (issues[0].clone(), issues[1].clone(), issues[4].clone());
    bulk(
        app,
        m,
        json!({"ids": [&canonical, &duplicate, &third], "status": "accepted"}),
    )
    .await
    .ok(200);
    for id in [&canonical, &duplicate, &third] {
        app.post(&format!("/api/v1/issues/{id}/publish"), m, &json!({}))
            .await
            .ok(200);
    }
    // Children: a supports both, b the duplicate, c the canonical.
    let (a, b, c) = (
        child(app, school, 12).await,
        child(app, school, 13).await,
        child(app, school, 14).await,
    );
    let support = async |who: &str, id: &str| {
        let r = app
            .post(
                &format!("/api/v1/issues/{}/supports", public_issue_id(id)),
                Some(who),
                &json!({}),
            )
            .await;
        assert!(r.status == 201, "{}", r.text);
    };
    support(&a, &canonical).await;
    support(&a, &duplicate).await;
    support(&b, &duplicate).await;
    support(&c, &canonical).await;
    let get = async |id: &str| app.get(&format!("/api/v1/issues/{id}"), m).await.ok(200).clone();
    let (before_c, before_d) = (get(&canonical).await, get(&duplicate).await);
    assert_eq!(
        (before_c["supports"].as_i64(), before_d["supports"].as_i64()),
        (Some(2), Some(2))
    );

    let r = merge(app, m, &duplicate, &canonical).await;
    let merged = r.ok(200).clone();
    assert_eq!(merged["id"], canonical.as_str());
    assert_eq!(merged["supports"], 3, "a, b and c, a once");
    assert_eq!(merged["merged"], json!([duplicate]));
    assert_eq!(merged["sources"], json!(["event"]));
    assert_eq!(get(&duplicate).await["merged_into"], canonical.as_str());
    // Children see the canonical issue only, with the group's supports.
    let public = app.get("/api/v1/public/issues", None).await;
    let shown: Vec<String> = ids(public.ok(200));
    assert!(shown.contains(&public_issue_id(&canonical)) && !shown.contains(&public_issue_id(&duplicate)));

    // The rules: one level deep, not into itself, not twice, not withheld.
    let post_merge = async |id: &str, into: &str| merge(app, m, id, into).await;
    for (id, into, code) in [
        (&third, &duplicate, "merge_target_merged"),
        (&canonical, &third, "has_merged_issues"),
        (&duplicate, &third, "already_merged"),
        (&third, &third, "merge_into_itself"),
    ] {
        post_merge(id, into).await.assert_problem(409, code);
    }
    post_merge(&third, &issues[3]).await.assert_problem(404, "not_found");
    post_merge(&third, UNKNOWN).await.assert_problem(404, "not_found");
    let validation_failed = [
        Call::post(format!("/api/v1/issues/{third}/merge"), json!({"into": "x"})),
        Call::post(format!("/api/v1/issues/{third}/merge"), json!({})),
    ];
    app.refuses(&validation_failed, &[m], 422, "validation_failed").await;
    unmerge(app, m, &third).await.assert_problem(409, "not_merged");

    // Unmerging restores both exactly.
    let r = unmerge(app, m, &duplicate).await;
    assert_eq!(r.ok(200)["merged_into"], Value::Null);
    let (after_c, after_d) = (get(&canonical).await, get(&duplicate).await);
    for (before, after) in [(&before_c, &after_c), (&before_d, &after_d)] {
        for field in [
            "supports",
            "merged",
            "sources",
            "status",
            "merged_into",
            "title",
            "body",
        ] {
            assert_eq!(before[field], after[field], "{field}");
        }
    }
    // Both steps are audited; other roles are refused.
    let audit = audit_of(app, &duplicate).await;
    let actions = strings(audit.ok(200), "items", "action");
    assert!(actions.ends_with(&["issue.merge", "issue.unmerge"]), "{actions:?}");
    let (_, facilitator) = app.user("phu.trach.merge", "facilitator", Some(school), None).await;
    merge(app, Some(&facilitator), &duplicate, &canonical)
        .await
        .assert_problem(403, "forbidden");
    unmerge(app, None, &duplicate)
        .await
        .assert_problem(401, "unauthenticated");
}

/// Search keys stored before words were kept apart (the folded text as
/// it was) are computed again when the service starts.
#[actix_web::test]
async fn search_keys_of_an_older_form_are_computed_again_at_start() {
    use sea_orm::ConnectionTrait;
    let q = queue().await;
    let (app, m, issues) = (&q.app, q.moderator(), &q.issues);
    let db = app.storage().await;
    db.execute_unprepared("UPDATE issues SET search_text = 'can them hoat dong' WHERE search_text IS NOT NULL")
        .await
        .unwrap();
    db.execute_unprepared("UPDATE issues SET search_text = NULL WHERE title = 'Nhà vệ sinh bẩn'")
        .await
        .unwrap();
    db.close().await.ok();
    let before = app.get("/api/v1/issues?q=bao%20luc", m).await;
    assert!(ids(before.ok(200)).is_empty(), "the old keys are what is searched");
    let restarted = app.replica().await;
    let find = async |q: &str| ids(restarted.get(&format!("/api/v1/issues?{q}"), m).await.ok(200));
    assert!(find("q=hem").await.is_empty());
    assert_eq!(find("q=bao%20luc").await, [issues[0].clone()]);
    assert_eq!(find("q=xa%20phong").await, [issues[2].clone()]);
    assert_eq!(find("q=sau%20gi").await, [issues[0].clone()]);
}

#[actix_web::test]
async fn merging_a_new_issue_resolves_it_as_a_duplicate() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    let (canonical, duplicate) = (issues[0].clone(), issues[1].clone());
    let queue_of = async |q: &str| app.get(&format!("/api/v1/issues?{q}"), m).await.ok(200).clone();
    assert_eq!(
        queue_of("").await["counts"],
        json!({"new": 4, "accepted": 0, "rejected": 0, "merged": 0})
    );
    let r = merge(app, m, &duplicate, &canonical).await;
    assert_eq!(r.ok(200)["status"], "new", "the canonical issue still waits");
    // The duplicate left the `new` queue: it is `merged`, listed and
    // counted under that status only.
    let all = queue_of("").await;
    assert_eq!(
        all["counts"],
        json!({"new": 3, "accepted": 0, "rejected": 0, "merged": 1})
    );
    let waiting = queue_of("status=new").await;
    assert!(!ids(&waiting).contains(&duplicate), "{waiting}");
    assert_eq!(ids(&waiting).len(), 3);
    let merged = queue_of("status=merged").await;
    assert_eq!(ids(&merged), std::slice::from_ref(&duplicate));
    assert_eq!(merged["items"][0]["status"], "merged");
    assert_eq!(merged["items"][0]["merged_into"], canonical.as_str());
    let one = app.get(&format!("/api/v1/issues/{duplicate}"), m).await;
    assert_eq!(one.ok(200)["status"], "merged");
    // Counts under other filters too.
    let r = queue_of(&format!("unit_id={school}&status=merged")).await;
    assert_eq!(r["counts"]["merged"], 1);
    assert_eq!(r["counts"]["new"], 2);
    // Accepting the canonical issue does not bring the duplicate back.
    app.patch(
        &format!("/api/v1/issues/{canonical}"),
        m,
        &json!({"status": "accepted"}),
    )
    .await
    .ok(200);
    assert_eq!(
        queue_of("").await["counts"],
        json!({"new": 2, "accepted": 1, "rejected": 0, "merged": 1})
    );
    // Unmerging brings back its own status, which the merge never changed.
    let r = unmerge(app, m, &duplicate).await;
    assert_eq!(r.ok(200)["status"], "new");
    assert!(ids(&queue_of("status=new").await).contains(&duplicate));
    assert_eq!(
        queue_of("").await["counts"],
        json!({"new": 3, "accepted": 1, "rejected": 0, "merged": 0})
    );
    assert!(ids(&queue_of("status=merged").await).is_empty());
}

#[actix_web::test]
async fn moderators_promote_free_text_answers_to_issues() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let (_, moderator) = app.user("hoi.dong.promote", "moderator", None, None).await;
    let m = Some(moderator.as_str());
    let survey = crate::surveys::published_survey(&app, &crate::surveys::example_survey(&district)).await;
    let session = app.open_session(&survey, &school, -5, 60).await;
    let code = session["join_code"].as_str().unwrap().to_owned();
    let mut tokens = Vec::new();
    for (age, text) in [
        (12, "Đoạn đường trước cổng trường không có đèn, tối rất sợ."),
        (13, "Bố em say rượu về đánh em"),
    ] {
        let t = app.child(&code, age).await;
        let r = app.submit(&t, "a", json!({"feel_safe": "no", "why_not": text})).await;
        r.ok(201);
        tokens.push(t);
    }
    let r = app.get(&format!("/api/v1/surveys/{survey}/answers"), m).await;
    let items = r.items().clone();
    // One answer alone: the disclosure is not listed at all, not even with
    // the withheld marker, and nothing beside the text says who, where or
    // when (no response, unit, age band or time).
    assert_eq!(items.len(), 1);
    let answer = items[0]["answer_id"].as_str().unwrap().to_owned();
    assert_eq!(items[0]["question_key"], "why_not");
    assert_eq!(
        items[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["answer_id", "promoted_issue_id", "question_key", "text"]
    );
    assert!(!r.text.contains("say rượu"), "a disclosure stays in its case");
    assert!(!r.text.contains(langnghe_domain::screen::WITHHELD));
    let db = app.storage().await;
    let responses = app.responses(&survey, false).await;
    db.close().await.ok();
    for response in &responses {
        assert!(!r.text.contains(&response.id.to_string()), "no response id");
    }

    let path = |answer: &str| format!("/api/v1/surveys/{survey}/answers/{answer}/promote");
    let r = app.post(&path(&answer), m, &json!({})).await;
    let issue = r.ok(201).clone();
    assert_eq!(issue["source"], "survey_answer");
    assert_eq!(issue["status"], "new");
    assert_eq!(issue["topic"], "safety", "the survey's topic");
    assert_eq!(issue["body"], "Đoạn đường trước cổng trường không có đèn, tối rất sợ.");
    assert_eq!(issue["sources"], json!(["survey_answer"]));
    // Again: the same issue, nothing new.
    let again = app.post(&path(&answer), m, &json!({})).await;
    assert_eq!(again.ok(200)["id"], issue["id"]);
    let r = app
        .get(&format!("/api/v1/surveys/{survey}/answers?question=why_not"), m)
        .await;
    assert_eq!(r.ok(200)["items"][0]["promoted_issue_id"], issue["id"]);
    assert_eq!(
        r.body["items"][0]["answer_id"],
        answer.as_str(),
        "the same id each time"
    );
    let audit = audit_of(&app, issue["id"].as_str().unwrap()).await;
    assert_eq!(audit.ok(200)["items"][0]["action"], "issue.promote");
    let queue = app.get("/api/v1/issues?source=survey_answer", m).await;
    assert_eq!(ids(queue.ok(200)), [issue["id"].as_str().unwrap().to_owned()]);

    // Refusals: an id that is no answer of this survey (a response id
    // included), a bad id, other roles.
    for response in &responses {
        app.post(&path(&response.id.to_string()), m, &json!({}))
            .await
            .assert_problem(404, "not_found");
    }
    let not_found = [
        Call::post(path(UNKNOWN), json!({})),
        Call::post(format!("/api/v1/surveys/{UNKNOWN}/answers/{answer}/promote"), json!({})),
    ];
    app.refuses(&not_found, &[m], 404, "not_found").await;
    app.post(&path("nope"), m, &json!({}))
        .await
        .assert_problem(400, "invalid_path");
    app.get(&format!("/api/v1/surveys/{survey}/answers?question=feel_safe"), m)
        .await
        .assert_problem(400, "invalid_query");
    let not_found = [
        Call::get(format!("/api/v1/surveys/{UNKNOWN}/answers")),
        Call::get(format!("/api/v1/surveys/{survey}/answers?version=9")),
    ];
    app.refuses(&not_found, &[m], 404, "not_found").await;
    let (_, facilitator) = app.user("phu.trach.promote", "facilitator", Some(&school), None).await;
    let forbidden = [
        Call::post(path(&answer), json!({})),
        Call::get(format!("/api/v1/surveys/{survey}/answers")),
    ];
    app.refuses(&forbidden, &[Some(&facilitator)], 403, "forbidden").await;
    app.get(&format!("/api/v1/surveys/{survey}/answers"), None)
        .await
        .assert_problem(401, "unauthenticated");

    // The child's erasure erases the promoted issue's words and the answer.
    let r = app.delete("/api/v1/participants/me", Some(&tokens[0])).await;
    assert_eq!(r.ok(200)["issues_erased"], 1);
    app.get(&format!("/api/v1/issues/{}", issue["id"].as_str().unwrap()), m)
        .await
        .assert_problem(404, "not_found");
    let r = app.get(&format!("/api/v1/surveys/{survey}/answers"), m).await;
    assert_eq!(r.items().len(), 0);
    app.post(&path(&answer), m, &json!({}))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn likely_duplicates_come_first_whatever_the_spelling() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    let more = event_with_issues(
        app,
        school,
        json!([
            {"title": "bao luc hoc duong", "body": "can them hoat dong phong chong bat nat o cong truong sau gio hoc a"},
            {"title": "Thư viện đóng cửa sớm", "body": "Em muốn đọc sách sau giờ học."}
        ]),
    )
    .await;
    let r = app.get(&format!("/api/v1/issues/{}/similar", issues[0]), m).await;
    let items = r.items().clone();
    assert_eq!(items[0]["issue"]["id"], more[0].as_str(), "{}", r.text);
    assert!(items[0]["score"].as_f64().unwrap() > 0.5);
    assert!(
        items.iter().all(|i| i["issue"]["id"] != issues[0].as_str()),
        "not itself"
    );
    assert!(
        items.iter().all(|i| i["issue"]["id"] != issues[3].as_str()),
        "never a withheld issue"
    );
    let scores: Vec<f64> = items.iter().map(|i| i["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");
    let r = app
        .get(&format!("/api/v1/issues/{}/similar?limit=1", issues[0]), m)
        .await;
    assert_eq!(r.items().len(), 1);
    // Merged issues are not suggested again.
    app.post(
        &format!("/api/v1/issues/{}/merge", more[0]),
        m,
        &json!({"into": issues[0]}),
    )
    .await
    .ok(200);
    let r = app.get(&format!("/api/v1/issues/{}/similar", issues[0]), m).await;
    assert!(r.items().iter().all(|i| i["issue"]["id"] != more[0].as_str()));
    let similar = format!("/api/v1/issues/{}/similar", issues[0]);
    app.refuses_queries(&similar, &["limit=0", "limit=21", "limit=x", "sort=score"], m)
        .await;
    app.get(&format!("/api/v1/issues/{UNKNOWN}/similar"), m)
        .await
        .assert_problem(404, "not_found");
    let (_, officer) = app.user("bao.ve.similar", "safeguarding_officer", None, None).await;
    app.get(&format!("/api/v1/issues/{}/similar", issues[0]), Some(&officer))
        .await
        .assert_problem(403, "forbidden");
}

/// The attack: someone who saw a child at a phone reads the public issues
/// before and after, to see which issue's "me too" count moved, or when
/// exactly an issue was raised. Supports are published as of the start of
/// the day and through the cell key method, and an issue carries its day
/// only: the list reads the same before and after the child's support
/// (and so does what the support itself answers); from the next day the
/// one support reads 0 or k, never 1.
#[actix_web::test]
async fn nobody_watches_one_child_support_an_issue_or_learns_when_it_was_raised() {
    let q = queue().await;
    let (app, m, school, issues) = (&q.app, q.moderator(), &q.school, &q.issues);
    app.clock.freeze();
    bulk(app, m, json!({"ids": [&issues[0], &issues[1]], "status": "accepted"}))
        .await
        .ok(200);
    for id in [&issues[0], &issues[1]] {
        app.post(&format!("/api/v1/issues/{id}/publish"), m, &json!({}))
            .await
            .ok(200);
    }
    let before = app.get("/api/v1/public/issues", None).await.ok(200).clone();
    for stored in [&issues[0], &issues[1]] {
        let public = public_issue_id(stored);
        let item = crate::support::find(&before, "items", |i| i["id"] == public.as_str());
        let staff = app.get(&format!("/api/v1/issues/{stored}"), m).await;
        let at: chrono::DateTime<chrono::Utc> = staff.ok(200)["created_at"].as_str().unwrap().parse().unwrap();
        let day = langnghe_api::local_day(at).to_string();
        assert_eq!(item["created_on"], day.as_str(), "the day in Việt Nam: {item}");
        assert!(item.get("created_at").is_none(), "{item}");
        assert!(!before.to_string().contains(&format!("{day}T")), "{before}");
    }

    let child = child(app, school, 12).await;
    let r = app
        .post(
            &format!("/api/v1/issues/{}/supports", public_issue_id(&issues[0])),
            Some(&child),
            &json!({}),
        )
        .await;
    let answered = r.ok(201)["supports"].clone();
    let after = app.get("/api/v1/public/issues", None).await.ok(200).clone();
    assert_eq!(after, before, "the public list moved with one child's support");
    let item = crate::support::find(&after, "items", |i| i["id"] == public_issue_id(&issues[0]).as_str());
    assert_eq!(answered, item["supports"]);
    assert_eq!(
        app.get(&format!("/api/v1/issues/{}", issues[0]), m).await.ok(200)["supports"],
        1,
        "moderators read the exact count"
    );

    app.clock.advance(chrono::Duration::days(1));
    let next = app.get("/api/v1/public/issues", None).await.ok(200).clone();
    let item = crate::support::find(&next, "items", |i| i["id"] == public_issue_id(&issues[0]).as_str());
    let published = item["supports"].as_u64().unwrap();
    assert!(
        published == 0 || published == crate::results::K,
        "one support published as {published}"
    );
}
