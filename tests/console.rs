//! The staff console in a real browser (Debian's Chromium through
//! ChromeDriver) at a desktop's viewport, against the real service: signing
//! in, the navigation each role gets, signing out and a refused token, the
//! facilitator's session from the QR code to the live count to its close,
//! a moderator triaging by keyboard, an officer reviewing a possible
//! disclosure, and the headers the console is served with.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::surveys::published_survey;
use crate::webdriver::Browser;

/// No WCAG 2.2 AA violation on the screen as it is now.
pub(crate) async fn accessible(b: &Browser, screen: &str) {
    let found = b.axe().await;
    assert!(found.is_empty(), "{screen}: {found:#?}");
}

/// axe-core in Vietnamese, then in English, back in Vietnamese; `ready`
/// is what the screen shows again once redrawn.
pub(crate) async fn accessible_both(b: &Browser, screen: &str, ready: &str) {
    accessible(b, &format!("{screen} (vi)")).await;
    b.click("#lang").await;
    b.wait_text("#signout", 10, |t| t.contains("Sign out")).await;
    b.find(ready).await;
    accessible(b, &format!("{screen} (en)")).await;
    b.click("#lang").await;
    b.wait_text("#signout", 10, |t| t.contains("Đăng xuất")).await;
    b.find(ready).await;
}

/// The password `TestApp::user` gives an account.
pub(crate) fn password(username: &str) -> String {
    format!("{username}-mật-khẩu-dài")
}

pub(crate) async fn sign_in(b: &Browser, app: &TestApp, username: &str) {
    b.goto(&format!("{}/console/", app.base)).await;
    b.type_into("#username", username).await;
    b.type_into("#password", &password(username)).await;
    b.click("#signin-button").await;
    b.find("#signout:not([hidden])").await;
}

fn survey(owner: &str) -> Value {
    json!({"kind": "opinion", "topic": "education", "owner_unit_id": owner,
    "title": {"vi": "Sân chơi của em", "en": "Your playground"}, "min_age": 6, "max_age": 17,
    "allow_issues": true,
    "questions": [
      {"key": "safe", "type": "yes_no", "required": true,
       "text": {"vi": "Em thấy sân chơi có an toàn không?", "en": "Is the playground safe?"}}
    ]})
}

#[actix_web::test]
async fn the_console_is_served_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    let r = app.get("/console/", None).await;
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").expect("a policy");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert!(r.header("set-cookie").is_none(), "no cookie");
    for file in [
        "console.js",
        "api.js",
        "i18n.js",
        "format.js",
        "sessions.js",
        "issues.js",
        "safeguarding.js",
        "agency.js",
        "console.css",
    ] {
        assert_eq!(app.get(&format!("/console/{file}"), None).await.status, 200, "{file}");
    }
    app.get("/console/../Cargo.toml", None).await;
    app.get("/console/nothing.js", None)
        .await
        .assert_problem(404, "not_found");
}

/// Every client's files carry a validator; a browser that holds a file
/// checks it in a 304 with no body (a revisit on a child's flaky connection
/// downloads nothing again), still under the client's policy; a changed or
/// unknown tag gets the file.
#[actix_web::test]
async fn web_files_are_checked_again_not_sent_again() {
    let app = TestApp::spawn().await;
    for path in [
        "/app/",
        "/app/app.js",
        "/j/KT7HMX3PWA9C",
        "/console/console.js",
        "/cong-dong/",
        "/shared/charts.js",
    ] {
        let first = app.get(path, None).await;
        assert_eq!(first.status, 200, "{path}");
        let tag = first.header("etag").expect("a validator").to_owned();
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        let again = app
            .request(Method::GET, path, None, &[("If-None-Match", &tag)], None)
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.text.is_empty(), "{path}: no body");
        assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
        assert!(again.header("content-security-policy").is_some(), "{path}");
        // In a list, and compressed or not, the same file is the same tag.
        let listed = format!("W/\"0\", {}", tag.trim_start_matches("W/"));
        let held = app
            .request(
                Method::GET,
                path,
                None,
                &[("If-None-Match", &listed), ("Accept-Encoding", "gzip")],
                None,
            )
            .await;
        assert_eq!(held.status, 304, "{path}");
        let other = app
            .request(Method::GET, path, None, &[("If-None-Match", "W/\"0\"")], None)
            .await;
        assert_eq!((other.status, other.text.len()), (200, first.text.len()), "{path}");
    }
    // Another file has another tag.
    let [a, b] = [
        app.get("/app/app.js", None).await,
        app.get("/console/console.js", None).await,
    ];
    assert_ne!(a.header("etag"), b.header("etag"));
}

#[actix_web::test]
async fn staff_sign_in_see_their_role_only_and_sign_out() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    app.user("tpt.console", "facilitator", Some(&school), None).await;
    app.user("mod.console", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    b.goto(&format!("{}/console/", app.base)).await;
    b.find("#username").await;
    b.screenshot("console-sign-in").await;
    accessible(&b, "sign-in").await;

    // A wrong password is refused in words.
    b.type_into("#username", "mod.console").await;
    b.type_into("#password", "sai-mật-khẩu").await;
    b.click("#signin-button").await;
    b.wait_text("#problem", 10, |t| t.contains("không đúng")).await;

    // The moderator sees the issues, never the sessions or safeguarding.
    sign_in(&b, &app, "mod.console").await;
    let nav = b.text("#nav").await;
    assert!(nav.contains("Ý kiến"), "{nav}");
    assert!(!nav.contains("Buổi khảo sát") && !nav.contains("Bảo vệ"), "{nav}");
    // The token is in memory only: nothing stored, no cookie.
    let stored = b.stored().await;
    assert_eq!(stored["local"], json!([]));
    assert_eq!(stored["session"], json!([]));
    assert_eq!(b.js("return document.cookie", json!([])).await, "");
    // Typing the address of the officer's screen shows nothing of it.
    b.goto(&format!("{}/console/#/cases", app.base)).await;
    b.refresh().await;
    b.find("#username").await; // a reload asks to sign in again
    sign_in(&b, &app, "mod.console").await;
    b.js("location.hash = '#/cases'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("không có quyền")).await;

    // English on request; dates stay dd/mm/yyyy.
    b.click("#lang").await;
    b.wait_text("#nav", 10, |t| t.contains("Issues")).await;
    assert_eq!(b.js("return document.documentElement.lang", json!([])).await, "en");
    b.click("#lang").await;

    // Signing out forgets the token.
    b.click("#signout").await;
    b.wait_text("#message", 10, |t| t.contains("đã đăng xuất")).await;
    assert_eq!(b.text("#nav").await, "");

    // A token the API refuses (here: the account was disabled meanwhile)
    // brings the sign-in back with a message.
    sign_in(&b, &app, "tpt.console").await;
    let nav = b.text("#nav").await;
    assert!(nav.contains("Buổi khảo sát") && !nav.contains("Ý kiến"), "{nav}");
    let users = app.get("/api/v1/users?limit=100", app.admin()).await;
    let id = crate::support::find(users.ok(200), "items", |u| u["username"] == "tpt.console")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(&format!("/api/v1/users/{id}"), app.admin(), &json!({"disabled": true}))
        .await
        .ok(200);
    b.js("location.hash = '#/sessions/x'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("đăng nhập lại")).await;
    b.screenshot("console-expired").await;
    accessible(&b, "expired").await;
}

#[actix_web::test]
async fn a_facilitator_projects_a_session_watches_the_count_and_closes_it() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &survey(&district)).await;
    let (_, facilitator) = app.user("tpt.chieu", "facilitator", Some(&school), None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "tpt.chieu").await;
    b.click("#nav a[data-screen=sessions]").await;
    b.find("#open-form").await;
    b.select("#survey", &survey).await;
    b.wait_text("#sessions", 10, |t| t.contains("Chưa có")).await;
    // The service's clock, not the browser's: 09:00 on 25/11/2026 in Hà Nội.
    b.type_into("#day", "25/11/2026").await;
    b.type_into("#from", "08:55").await;
    b.type_into("#until", "10:30").await;
    b.type_into("#expected", "35").await;
    b.screenshot("console-sessions").await;
    accessible(&b, "sessions").await;
    b.click("#open").await;

    // The projection: the code huge, the QR code beside it.
    let code = b.wait_text("#code", 10, |t| t.len() >= 12).await.replace(' ', "");
    let sessions = app
        .get(&format!("/api/v1/surveys/{survey}/sessions"), Some(&facilitator))
        .await;
    let session = sessions
        .items()
        .first()
        .unwrap_or_else(|| panic!("{:?}", sessions.body))
        .clone();
    assert_eq!(session["join_code"], code.as_str());
    assert_eq!(session["expected_participants"], 35);
    assert_eq!(session["opens_at"], "2026-11-25T01:55:00Z");
    b.wait_text("#state", 10, |t| t.contains("Đang mở")).await;
    let qr_loaded = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             const img = document.querySelector('#qr');
             const check = () => img.complete && img.naturalWidth > 0 ? done(img.naturalWidth) : setTimeout(check, 100);
             check();",
            json!([]),
        )
        .await;
    assert!(qr_loaded.as_u64().unwrap_or(0) >= 300, "the QR code shows: {qr_loaded}");
    assert_eq!(b.text("#joined").await, "0");

    // Children join and answer: the counts follow by themselves.
    let mut children = Vec::new();
    for age in [9, 10, 11] {
        children.push(app.child(&code, age).await);
    }
    b.wait_text("#joined", 15, |t| t == "3").await;
    app.submit(&children[0], "k-0", json!({"safe": true})).await.ok(201);
    app.submit(&children[1], "k-1", json!({"safe": false})).await.ok(201);
    b.wait_text("#answers", 15, |t| t == "2").await;
    let screen = b.text("main").await;
    assert!(
        !screen.contains("true") && !screen.contains("Có"),
        "counts only: {screen}"
    );
    b.screenshot("console-projection").await;
    accessible(&b, "projection").await;

    // Closing, with one more question first.
    b.click("#close").await;
    b.click("#confirm-close").await;
    b.wait_text("#state", 10, |t| t.contains("Đã đóng")).await;
    let after = app
        .get(&format!("/api/v1/surveys/{survey}/sessions"), Some(&facilitator))
        .await;
    assert_eq!(after.items()[0]["state"], "closed");
    app.join(&code, 12, json!({}))
        .await
        .assert_problem(409, "session_closed");
}

#[actix_web::test]
async fn session_activity_counts_for_the_room_only() {
    let app = TestApp::spawn_demo().await;
    let [district, school, other] = app.units(["PN", "PN-S06", "PN-S01"]).await;
    let survey = published_survey(&app, &survey(&district)).await;
    let (_, facilitator) = app.user("tpt.dem", "facilitator", Some(&school), None).await;
    let (_, elsewhere) = app.user("tpt.khac", "facilitator", Some(&other), None).await;
    let (_, moderator) = app.user("mod.dem", "moderator", None, None).await;
    let session = app.open_session(&survey, &school, -5, 60).await;
    let id = session["id"].as_str().unwrap();
    let code = session["join_code"].as_str().unwrap();
    let path = format!("/api/v1/sessions/{id}/activity");
    let r = app.get(&path, Some(&facilitator)).await;
    assert_eq!(r.ok(200)["joined"], 0);
    assert_eq!(r.body["answers"], 0);
    assert_eq!(r.body["state"], "open");
    let child = app.child(code, 10).await;
    app.child(code, 11).await;
    let receipt = app
        .submit(&child, "k-1", json!({"safe": true}))
        .await
        .string(201, "receipt_code");
    let r = app.get(&path, Some(&facilitator)).await;
    assert_eq!(r.ok(200)["joined"], 2);
    assert_eq!(r.body["answers"], 1);
    assert_eq!(
        r.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["answers", "closes_at", "joined", "state"],
        "counts only, never content"
    );
    // A withdrawn answer no longer counts.
    app.delete(&format!("/api/v1/responses/{receipt}"), None).await;
    assert_eq!(app.get(&path, app.admin()).await.ok(200)["answers"], 0);
    // Another unit's facilitator does not see the session; other roles may not ask.
    app.get(&path, Some(&elsewhere)).await.assert_problem(404, "not_found");
    app.get(&path, Some(&moderator)).await.assert_problem(403, "forbidden");
    app.get(&path, None).await.assert_problem(401, "unauthenticated");
    app.get("/api/v1/sessions/nope/activity", Some(&facilitator))
        .await
        .assert_problem(400, "invalid_path");
    app.get(
        "/api/v1/sessions/00000000-0000-0000-0000-000000000000/activity",
        Some(&facilitator),
    )
    .await
    .assert_problem(404, "not_found");
}

/// Twenty issues raised at an event in a school: two about the same lamp,
/// three junk, the rest ordinary.
async fn twenty_issues(app: &TestApp, school: &str) -> Vec<Value> {
    let mut issues = vec![
        json!({"title": "Cần thêm đèn đường trước cổng trường", "body": "Buổi chiều đường trước cổng trường rất tối, chúng em sợ."}),
        json!({"title": "Đèn đường trước cổng trường", "body": "Cần thêm đèn đường trước cổng trường vì buổi chiều rất tối."}),
        json!({"title": "asdfgh", "body": "qwerty qwerty"}),
        json!({"title": "zzzz", "body": "zzzz zzzz zzzz"}),
        json!({"title": "xxxx", "body": "xxxx yyyy"}),
    ];
    for (i, what) in [
        "Sân chơi thiếu cây xanh",
        "Nhà vệ sinh cần sạch hơn",
        "Cần nước uống miễn phí",
        "Thư viện mở cửa buổi trưa",
        "Thêm giờ thể dục",
        "Lớp học nóng quá",
        "Cần mái che nhà xe",
        "Đường đến trường nhiều xe",
        "Muốn có câu lạc bộ bơi",
        "Căng tin bán đồ ngọt nhiều",
        "Sân bóng bị ngập khi mưa",
        "Cần thêm ghế đá",
        "Muốn học kỹ năng an toàn mạng",
        "Bảng đen khó nhìn",
        "Cần hộp thư góp ý",
    ]
    .iter()
    .enumerate()
    {
        issues.push(json!({"title": what, "body": format!("Ý kiến số {} của lớp 7A: {what}.", i + 1)}));
    }
    let r = app
        .post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15", "title": "Đối thoại với học sinh",
                "children_attending": 30, "adults_attending": 4, "issues": issues}),
        )
        .await;
    r.ok(201)["issues"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_moderator_triages_twenty_issues_by_keyboard() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    let issues = twenty_issues(&app, &school).await;
    assert_eq!(issues.len(), 20);
    let (_, moderator) = app.user("mod.phim", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "mod.phim").await;
    b.find("#rows tr[data-id]").await;
    b.wait_text("#counts", 10, |t| t.contains("Mới: 20")).await;
    b.select("#f-sort", "oldest").await;
    b.wait_text("#rows", 10, |t| t.contains("Cần hộp thư góp ý")).await;
    b.click("#show-keys").await;
    assert!(b.text("#keys").await.contains("Từ chối"));
    b.screenshot("console-issues").await;
    accessible(&b, "issue queue").await;
    b.click("#show-keys").await;
    // The keyboard from here on.
    b.js("document.activeElement.blur()", json!([])).await;

    let current = async || {
        b.js(
            "const r = document.querySelector('tr.current'); return [r.dataset.id, r.querySelector('strong').textContent]",
            json!([]),
        )
        .await
    };
    let status_of = |id: &str| format!("tr[data-id='{id}'] td:nth-child(6)");
    let mut published = None;
    for step in 0..20 {
        let row = current().await;
        let (id, title) = (row[0].as_str().unwrap().to_owned(), row[1].as_str().unwrap().to_owned());
        if title == "Đèn đường trước cổng trường" {
            // The duplicate: side by side with the first, merged.
            b.keys("m").await;
            b.find("#similar .merge-into").await;
            b.screenshot("console-similar").await;
            accessible(&b, "similar issues").await;
            b.keys("\u{E007}").await; // Enter on the first merge button
            b.wait_text(&status_of(&id), 10, |t| t.contains("Đã gộp")).await;
        } else if ["asdfgh", "zzzz", "xxxx"].contains(&title.as_str()) {
            // Junk: picked for one bulk rejection.
            b.keys("xj").await;
        } else if title == "Nhà vệ sinh cần sạch hơn" {
            // Rejected alone, with a reason chosen in the dialog.
            b.keys("r").await;
            b.select("#reject-reason", "off_topic").await;
            b.keys("\u{E007}").await;
            b.wait_text(&status_of(&id), 10, |t| t.contains("Lạc đề")).await;
        } else {
            b.keys("a").await;
            b.wait_text(&status_of(&id), 10, |t| t.contains("Đã nhận")).await;
            if published.is_none() {
                // Back to it: a topic, then the explicit publish step.
                b.keys("kt").await;
                b.select("#topic-pick", "play_spaces").await;
                b.keys("\u{E007}").await;
                b.wait_text(&format!("tr[data-id='{id}'] .topic"), 10, |t| t.contains("Sân chơi"))
                    .await;
                b.keys("p").await;
                b.wait_text(&status_of(&id), 10, |t| t.contains("Đã công bố")).await;
                b.keys("j").await;
                published = Some(id.clone());
            }
        }
        if step == 19 {
            break;
        }
        assert_ne!(
            current().await[0].as_str().unwrap(),
            id,
            "step {step} moved on from {title}"
        );
    }
    b.wait_text("#bulk", 10, |t| t.contains("Đã chọn 3")).await;
    b.select("#bulk-reason", "spam").await;
    b.click("#bulk-reject").await;
    b.wait_text("#counts", 10, |t| t.contains("Mới: 0")).await;
    b.screenshot("console-issues-triaged").await;
    accessible(&b, "triaged").await;

    // What the API now holds.
    let m = Some(moderator.as_str());
    let counts = app.get("/api/v1/issues", m).await.ok(200)["counts"].clone();
    assert_eq!(counts, json!({"new": 0, "accepted": 15, "rejected": 4, "merged": 1}));
    let public = app.get("/api/v1/public/issues", None).await;
    assert_eq!(public.items().len(), 1);
    assert_eq!(
        public.items()[0]["id"],
        crate::support::public_issue_id(&published.unwrap()).as_str()
    );
    let spam = app.get("/api/v1/issues?status=rejected&limit=100", m).await;
    let reasons: Vec<&str> = spam
        .items()
        .iter()
        .map(|i| i["rejection_reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.iter().filter(|r| **r == "spam").count(), 3, "{reasons:?}");

    // Search without diacritics, on the server.
    b.select("#f-status", "").await;
    b.type_into("#f-q", "den duong").await;
    b.wait_text("#rows", 10, |t| {
        t.contains("Cần thêm đèn đường") && !t.contains("Nhà vệ sinh")
    })
    .await;
    // And the merge undone in place.
    b.select("#f-status", "merged").await;
    b.wait_text("#rows", 10, |t| !t.contains("chúng em sợ") && t.contains("Tách ra"))
        .await;
    b.click("#rows button[data-act=unmerge]").await;
    b.wait_text("#counts", 10, |t| t.contains("Mới: 1") && t.contains("Đã gộp: 0"))
        .await;
}

#[actix_web::test]
async fn an_officer_reviews_a_possible_disclosure_that_moderators_never_see() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    app.post(
        "/api/v1/events",
        app.admin(),
        &json!({"kind": "dialogue", "unit_id": school, "held_on": "2026-10-15", "title": "Đối thoại",
            "children_attending": 20, "adults_attending": 2,
            "issues": [{"title": "Tâm sự", "body": crate::screening::POSSIBLE},
                       {"title": "Sân trường", "body": "Sân trường cần thêm cây xanh"}]}),
    )
    .await
    .ok(201);
    let (_, officer) = app.user("cb.baove", "safeguarding_officer", None, None).await;
    let (_, moderator) = app.user("mod.khong", "moderator", None, None).await;

    // A moderator: the nav hides the officer's screens, the address shows
    // nothing of them, and the API refuses.
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "mod.khong").await;
    assert!(!b.text("#nav").await.contains("Bảo vệ"));
    b.js("location.hash = '#/cases'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("không có quyền")).await;
    b.screenshot("console-refused").await;
    for path in ["/api/v1/safeguarding/cases", "/api/v1/safeguarding/queue"] {
        app.get(path, Some(&moderator)).await.assert_problem(403, "forbidden");
    }
    b.click("#signout").await;

    // The officer: the queue, the facts, then the text on one click.
    sign_in(&b, &app, "cb.baove").await;
    let nav = b.text("#nav").await;
    assert!(nav.contains("Bảo vệ") && !nav.contains("Ý kiến"), "{nav}");
    b.click("#nav a[data-screen=cases]").await;
    b.wait_text("#case-counts", 10, |t| t.contains("Có thể là lời kể cần bảo vệ: 1"))
        .await;
    b.click("#possible-only").await;
    b.find("#cases tr[data-id]").await;
    b.screenshot("console-cases").await;
    accessible(&b, "cases").await;
    assert!(!b.text("main").await.contains("biến mất"), "the list holds no text");
    b.click("#cases a.button").await;
    b.find("#read").await;
    assert!(!b.text("main").await.contains("biến mất"), "not before the click");
    let id = b.js("return location.hash.split('/')[2]", json!([])).await;
    let id = id.as_str().unwrap().to_owned();
    let readings = async || {
        let a = app
            .get(
                &format!("/api/v1/audit?entity=safeguarding_case&entity_id={id}"),
                app.admin(),
            )
            .await;
        a.items()
            .iter()
            .filter(|e| e["action"] == "safeguarding_case.read")
            .count()
    };
    assert_eq!(readings().await, 0);
    b.click("#read").await;
    b.wait_text("#text", 10, |t| t.contains("biến mất")).await;
    assert_eq!(readings().await, 1, "the reading is audited");
    b.click("#assign").await;
    b.wait_text("#assigned", 10, |t| t.contains("cb.baove")).await;
    b.type_into("#note", "Đã gặp em cùng giáo viên chủ nhiệm; không có nguy cơ.")
        .await;
    b.click("#add-note").await;
    b.wait_text("#notes", 10, |t| t.contains("không có nguy cơ")).await;
    b.screenshot("console-case").await;
    accessible(&b, "case").await;
    b.click("#release").await;
    // Released: the button goes (the message already read "saved" after the note).
    b.wait_text("main", 10, |t| !t.contains("chuyển cho Hội đồng")).await;
    let case = app
        .get(&format!("/api/v1/safeguarding/cases/{id}"), Some(&officer))
        .await;
    assert!(case.ok(200)["released_at"].is_string());
    assert_eq!(case.body["status"], "assessing");
    // Released: now in the moderators' queue.
    let queue = app.get("/api/v1/issues?q=bien%20mat", Some(&moderator)).await;
    assert_eq!(queue.items().len(), 1);
}

#[actix_web::test]
async fn agency_staff_read_acknowledge_reply_and_report_progress() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let rec = crate::recommendations::sent(&w, &[&board]).await;
    let delivery = crate::recommendations::delivery_for(&rec, &board);
    let rec_id = rec["id"].as_str().unwrap().to_owned();
    let (_, staff) = app.user("bgh.console", "agency_staff", None, Some(&board)).await;

    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "bgh.console").await;
    assert_eq!(b.text("#nav").await, "Hộp thư kiến nghị");
    b.click("#nav a[data-screen=inbox]").await;
    b.find("#deliveries").await;
    b.screenshot("console-inbox").await;
    accessible(&b, "inbox").await;
    b.click(&format!("#deliveries tr[data-id='{delivery}'] a")).await;
    b.wait_text("main", 10, |t| {
        t.contains("Lắp đèn trên đường đến trường") && t.contains("Bằng chứng")
    })
    .await;
    b.click("#acknowledge").await;
    b.wait_text("#delivery-message", 10, |t| t.contains("Đã lưu")).await;
    assert!(!b.has("#acknowledge").await);
    b.select("#stance", "accepted").await;
    b.type_into(
        "#reply-body",
        "Nhà trường sẽ lắp 12 bóng đèn trên đoạn đường trước cổng.",
    )
    .await;
    b.type_into("#reply-child", "Trường sẽ lắp thêm đèn trước Tết nhé!")
        .await;
    b.type_into("#c-text-0", "Lắp 12 bóng đèn LED").await;
    b.type_into("#c-due-0", "31/12/2026").await;
    b.screenshot("console-reply").await;
    accessible(&b, "reply").await;
    b.click("#send-reply").await;
    b.wait_text("#reply", 10, |t| t.contains("Tiếp thu")).await;

    // The reply as the API holds it, and on the public feed.
    let d = app
        .get(&format!("/api/v1/agency/deliveries/{delivery}"), Some(&staff))
        .await;
    assert_eq!(d.ok(200)["reply"]["stance"], "accepted");
    assert_eq!(d.body["commitments"][0]["due_on"], "2026-12-31");
    let commitment = d.body["commitments"][0]["id"].as_str().unwrap().to_owned();
    let public = app.get(&format!("/api/v1/public/recommendations/{rec_id}"), None).await;
    assert!(
        public.ok(200).to_string().contains("Trường sẽ lắp thêm đèn trước Tết"),
        "{}",
        public.text
    );

    // Progress on the commitment.
    b.type_into(&format!("#note-{commitment}"), "Đã lắp xong 12 bóng đèn.")
        .await;
    b.click(&format!("li[data-id='{commitment}'] button[data-progress=done]"))
        .await;
    b.wait_text("#reply", 10, |t| t.contains("Đã lắp xong")).await;
    b.screenshot("console-delivery").await;
    accessible(&b, "delivery").await;
    let d = app
        .get(&format!("/api/v1/agency/deliveries/{delivery}"), Some(&staff))
        .await;
    assert_eq!(d.ok(200)["commitments"][0]["status"], "done");
    assert_eq!(d.body["status"], "done");
}

#[actix_web::test]
async fn a_recommendation_from_draft_to_an_agency_reply() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    app.user("hd.soan", "moderator", None, None).await;
    app.user("bgh.tra.loi", "agency_staff", None, Some(&board)).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "hd.soan").await;
    b.click("#nav a[data-screen=recs]").await;
    b.click("#new-rec").await;
    b.click(&format!("#pick-{}", w.issues[0])).await;
    b.click(&format!("#pick-{}", w.issues[1])).await;
    b.select("#rec-topic", "safety").await;
    b.wait_text("#rec-unit", 10, |t| t.contains("PN-S06")).await;
    b.type_into("#rec-title-vi", "Lắp đèn trên đường đến trường").await;
    b.type_into("#rec-summary-vi", "Học sinh phản ánh đường đến trường không có đèn.")
        .await;
    b.type_into("#rec-action-vi", "Lắp đèn chiếu sáng trước giờ tan học.")
        .await;
    b.type_into(
        "#rec-child-vi",
        "Các bạn nói đường đến trường tối. Hội đồng đề nghị lắp đèn.",
    )
    .await;
    b.screenshot("console-compose").await;
    accessible(&b, "compose").await;
    b.click("#save-rec").await;
    b.click("#approve").await;
    b.wait_text("#rec-status", 10, |t| t.contains("Đã thông qua")).await;
    b.find(&format!("#route-{board}")).await;
    let checked = b
        .js(
            "return document.querySelector(arguments[0]).checked",
            json!([format!("#route-{board}")]),
        )
        .await;
    if checked != Value::Bool(true) {
        b.click(&format!("#route-{board}")).await;
    }
    b.screenshot("console-route").await;
    accessible(&b, "route").await;
    b.click("#send").await;
    b.wait_text("#rec-status", 10, |t| t.contains("Đã gửi")).await;
    let rec_id = b.js("return location.hash.split('/')[2]", json!([])).await;
    let rec_id = rec_id.as_str().unwrap().to_owned();
    b.click("main a[href='#/recs']").await;
    b.find("#board").await;
    b.screenshot("console-board").await;
    accessible(&b, "board").await;
    b.click("#signout").await;

    // The agency's staff reply; the public page's source shows it.
    sign_in(&b, app, "bgh.tra.loi").await;
    b.click("#nav a[data-screen=inbox]").await;
    b.click("#deliveries a").await;
    b.select("#stance", "accepted").await;
    b.type_into("#reply-body", "Nhà trường sẽ lắp đèn.").await;
    b.type_into("#reply-child", "Trường sẽ lắp đèn cho các bạn!").await;
    b.type_into("#c-text-0", "Lắp 8 bóng đèn").await;
    b.type_into("#c-due-0", "31/12/2026").await;
    b.click("#send-reply").await;
    b.wait_text("#reply", 10, |t| t.contains("Tiếp thu")).await;
    let public = app.get(&format!("/api/v1/public/recommendations/{rec_id}"), None).await;
    assert!(
        public.ok(200).to_string().contains("Trường sẽ lắp đèn cho các bạn!"),
        "{}",
        public.text
    );
    // And on the Council's public page, in the words written for children.
    b.goto(&format!("{}/cong-dong/r/{rec_id}", app.base)).await;
    b.wait_text("main", 10, |t| {
        t.contains("Lắp đèn trên đường đến trường") && t.contains("Trường sẽ lắp đèn cho các bạn!")
    })
    .await;
}

#[actix_web::test]
async fn a_moderator_promotes_a_written_answer_and_redacts_the_issue() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let code = crate::results::session(app, &w.survey, &w.school).await;
    crate::results::answer(
        app,
        &code,
        12,
        "girl",
        json!({"feel_safe": "no", "why_not": "Hẻm 45 cạnh nhà bác Tư không có đèn, tối lắm."}),
    )
    .await;
    crate::results::answer(
        app,
        &code,
        13,
        "boy",
        json!({"feel_safe": "not_sure", "why_not": "Xe chạy nhanh."}),
    )
    .await;
    app.user("hd.doc", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "hd.doc").await;
    b.click("#nav a[data-screen=answers]").await;
    b.select("#ans-survey", &w.survey).await;
    b.wait_text("#answers-rows", 10, |t| t.contains("Hẻm 45")).await;
    b.select("#ans-question", "why_not").await;
    b.find("#answers:not([aria-busy])").await;
    b.wait_text("#answers-rows", 10, |t| {
        t.contains("Hẻm 45") && t.contains("Xe chạy nhanh")
    })
    .await;
    b.screenshot("console-answers").await;
    accessible(&b, "written answers").await;
    let row = b
        .js(
            "return [...document.querySelectorAll('#answers-rows tr')].find(r => r.innerText.includes('Hẻm 45')).dataset.id",
            json!([]),
        )
        .await;
    let row = format!("#answers-rows tr[data-id='{}']", row.as_str().unwrap());
    b.click(&format!("{row} button[data-act=promote]")).await;
    b.wait_text(&row, 10, |t| t.contains("Đã thành ý kiến")).await;
    let queue = app.get("/api/v1/issues?status=new&limit=100", Some(&w.moderator)).await;
    let issue = crate::support::find(queue.ok(200), "items", |i| {
        i["body"].as_str().unwrap_or_default().contains("Hẻm 45")
    })
    .clone();
    let id = issue["id"].as_str().unwrap();

    // In the queue, what the screen left of the neighbour is taken out too.
    b.click("#nav a[data-screen=issues]").await;
    let issue_row = format!("#rows tr[data-id='{id}']");
    b.find(&issue_row).await;
    b.click(&format!("{issue_row} button[data-act=redact]")).await;
    b.type_into("#redact-body", "Hẻm 45 cạnh nhà [đã che] không có đèn, tối lắm.")
        .await;
    b.screenshot("console-redact").await;
    accessible(&b, "redact").await;
    b.click("#ask-ok").await;
    b.wait_text(&issue_row, 10, |t| t.contains("[đã che]")).await;
    assert!(!b.text(&issue_row).await.contains("bác Tư"));
    let after = app.get(&format!("/api/v1/issues/{id}"), Some(&w.moderator)).await;
    assert_eq!(after.ok(200)["body"], "Hẻm 45 cạnh nhà [đã che] không có đèn, tối lắm.");
    // The keyboard too: `e` on the current row opens the same question.
    b.js("document.activeElement.blur()", json!([])).await;
    b.keys("e").await;
    b.find("dialog #redact-body").await;
    b.keys("\u{E00C}").await; // Escape: nothing changes
    assert!(!b.has("dialog[open]").await);
    b.click("#lang").await;
    b.wait_text("#nav", 10, |t| t.contains("Written answers")).await;
    b.click("#nav a[data-screen=answers]").await;
    b.find("#ans-survey").await;
    accessible(&b, "written answers (en)").await;
}

#[actix_web::test]
async fn a_draft_is_edited_with_evidence_shown_as_it_will_be_and_approved_at_a_meeting() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    // Ten more children who do not feel safe: enough to be published.
    let code = crate::results::session(app, &w.survey, &w.school).await;
    for _ in 0..10 {
        crate::results::answer(app, &code, 12, "girl", json!({"feel_safe": "no"})).await;
    }
    app.release().await;
    // The Council met on 20/11/2026.
    let meeting = app
        .post(
            "/api/v1/events",
            Some(&w.moderator),
            &json!({"kind": "council_meeting", "unit_id": w.district, "held_on": "2026-11-20",
                "title": "Phiên họp Hội đồng trẻ em tháng 11", "children_attending": 15, "adults_attending": 3}),
        )
        .await
        .created();
    app.user("hd.sua", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "hd.sua").await;
    b.click("#nav a[data-screen=recs]").await;
    b.click("#new-rec").await;
    b.click(&format!("#pick-{}", w.issues[0])).await;
    b.select("#rec-topic", "safety").await;
    b.wait_text("#rec-unit", 10, |t| t.contains("PN-S06")).await;
    b.type_into("#rec-title-vi", "Đèn cho đường đến trường").await;
    b.type_into("#rec-summary-vi", "Các bạn thấy đường tối.").await;
    b.type_into("#rec-action-vi", "Lắp đèn.").await;
    b.type_into("#rec-child-vi", "Hội đồng đề nghị lắp đèn.").await;
    b.click("#save-rec").await;
    b.find("#edit-draft").await;
    let id = b.js("return location.hash.split('/')[2]", json!([])).await;
    let id = id.as_str().unwrap().to_owned();

    // Editing the draft: a second issue, a better title, and the survey's
    // figures as the agencies will see them.
    b.click("#edit-draft").await;
    b.find("#ev-survey").await;
    b.wait_text("#rec-title-vi", 1, |_| true).await;
    assert_eq!(
        b.js("return document.getElementById('rec-title-vi').value", json!([]))
            .await,
        "Đèn cho đường đến trường"
    );
    b.click(&format!("#pick-{}", w.issues[1])).await;
    b.type_into("#rec-title-vi", "Lắp đèn trên đường đến trường").await;
    b.select("#ev-survey", &w.survey).await;
    b.find("#ev-question option[value=feel_safe]").await;
    assert!(
        !b.has("#ev-question option[value=why_not]").await,
        "figures only for counted questions"
    );
    b.select("#ev-question", "feel_safe").await;
    b.click("#add-evidence").await;
    b.wait_text("#evidence", 10, |t| t.contains("Không") && t.contains("Em không chắc"))
        .await;
    let shown = b.text("#evidence").await;
    // The same figures as the API publishes for the unit: one "yes" reads
    // as hidden or as the threshold (the cell key decides), no "not sure"
    // always reads as hidden, never as a count.
    let preview = app
        .get(
            &format!("/api/v1/surveys/{}/results?unit_id={}", w.survey, w.school),
            Some(&w.moderator),
        )
        .await;
    let counts = preview.ok(200)["questions"][0]["total"]["counts"]
        .as_array()
        .unwrap()
        .clone();
    let zeros = counts.iter().filter(|c| c["count"] == 0).count();
    assert!(zeros >= 1 && counts[2]["count"] == 0, "{counts:?}");
    assert_eq!(shown.matches("ẩn để bảo vệ trẻ em").count(), zeros, "{shown}");
    let no = counts[1]["count"].as_u64().unwrap();
    assert!(
        no > 0 && shown.contains(&format!("Không\t{no}")),
        "{shown} vs {counts:?}"
    );
    b.js("document.getElementById('evidence-pick').scrollIntoView()", json!([]))
        .await;
    b.screenshot("console-evidence").await;
    accessible(&b, "compose with evidence").await;
    b.click("#save-rec").await;
    b.find("#approve-form").await;
    let rec = app
        .get(&format!("/api/v1/recommendations/{id}"), Some(&w.moderator))
        .await;
    let rec = rec.ok(200).clone();
    assert_eq!(rec["title"]["vi"], "Lắp đèn trên đường đến trường");
    assert_eq!(rec["issue_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        rec["evidence"],
        json!([{"survey_id": w.survey, "question_key": "feel_safe"}])
    );
    b.wait_text("#evidence", 10, |t| t.contains("Em không chắc")).await;
    assert!(!b.text("#evidence").await.contains("null"));

    // Approved at the meeting chosen from those recorded.
    b.select("#approve-event", &meeting).await;
    b.screenshot("console-approve").await;
    accessible(&b, "approve at a meeting").await;
    b.click("#approve").await;
    b.wait_text("#rec-status", 10, |t| t.contains("Đã thông qua")).await;
    b.wait_text("#approved-at", 10, |t| {
        t.contains("Phiên họp Hội đồng trẻ em tháng 11") && t.contains("20/11/2026")
    })
    .await;
    let rec = app
        .get(&format!("/api/v1/recommendations/{id}"), Some(&w.moderator))
        .await;
    assert_eq!(rec.ok(200)["approval_event_id"], meeting.as_str());
}

#[actix_web::test]
async fn a_facilitator_records_an_event_with_its_attendance_and_issues() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    let (_, facilitator) = app.user("tpt.su.kien", "facilitator", Some(&school), None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "tpt.su.kien").await;
    b.click("#nav a[data-screen=events]").await;
    b.find(&format!("#ev-unit option[value='{school}']")).await;
    b.select("#ev-kind", "forum").await;
    b.type_into("#ev-day", "20/11/2026").await;
    b.type_into("#ev-title", "Diễn đàn \"Trường học an toàn\"").await;
    b.type_into("#ev-children", "42").await;
    b.type_into("#ev-adults", "5").await;
    b.click("#add-raised").await;
    b.type_into("#raised-title-1", "Cần thêm cây xanh ở sân trường").await;
    b.type_into("#raised-body-1", "Giờ ra chơi sân trường rất nắng.").await;
    b.click("#add-raised").await;
    b.type_into("#raised-title-2", "Nhà vệ sinh thiếu xà phòng").await;
    b.type_into("#raised-body-2", "Chúng em cần xà phòng rửa tay.").await;
    b.screenshot("console-event").await;
    accessible(&b, "record an event").await;
    // A day in the future is refused by the API, in words.
    b.type_into("#ev-day", "20/12/2026").await;
    b.click("#record-event").await;
    b.wait_text("#event-error", 10, |t| !t.is_empty()).await;
    b.type_into("#ev-day", "20/11/2026").await;
    b.click("#record-event").await;
    b.wait_text("#events-message", 10, |t| t.contains("2 ý kiến")).await;
    let events = app.get("/api/v1/events?limit=100", Some(&facilitator)).await;
    let event = crate::support::find(events.ok(200), "items", |e| {
        e["title"] == "Diễn đàn \"Trường học an toàn\""
    })
    .clone();
    assert_eq!(event["held_on"], "2026-11-20");
    assert_eq!(event["unit_id"], school.as_str());
    assert_eq!(
        (event["children_attending"].as_u64(), event["adults_attending"].as_u64()),
        (Some(42), Some(5))
    );
    assert_eq!(event["issues"].as_array().unwrap().len(), 2);
    let queue = app.get("/api/v1/issues?status=new&limit=100", app.admin()).await;
    assert!(queue.items().iter().any(|i| i["title"] == "Nhà vệ sinh thiếu xà phòng"));
    b.wait_text("#events-rows", 10, |t| {
        t.contains("20/11/2026") && t.contains("Diễn đàn trẻ em")
    })
    .await;

    // A training: who was trained, by unit and role.
    b.select("#ev-kind", "training").await;
    b.type_into("#ev-day", "18/11/2026").await;
    b.type_into("#ev-title", "Tập huấn chỉ huy Đội").await;
    // Commanders are children: the twelve trained are the children attending.
    b.type_into("#ev-children", "12").await;
    b.type_into("#ev-adults", "1").await;
    b.select("#ev-audience", "commanders").await;
    b.click("#add-attendance").await;
    b.select("#att-unit-1", &school).await;
    b.select("#att-role-1", "commanders").await;
    b.type_into("#att-people-1", "12").await;
    b.click("#record-event").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !b.text("#events-message").await.contains("Tập huấn chỉ huy Đội") {
        assert!(
            std::time::Instant::now() < deadline,
            "refused: {}",
            b.text("#event-error").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let events = app.get("/api/v1/events?limit=100", Some(&facilitator)).await;
    let training = crate::support::find(events.ok(200), "items", |e| e["title"] == "Tập huấn chỉ huy Đội").clone();
    assert_eq!(
        training["attendance"],
        json!([{"unit_id": school, "role": "commanders", "people": 12}])
    );
    b.click(&format!(
        "#events-rows a[href='#/events/{}']",
        event["id"].as_str().unwrap()
    ))
    .await;
    b.wait_text("#event-issues", 10, |t| t.contains("Cần thêm cây xanh"))
        .await;
    accessible(&b, "an event").await;
    b.click("#lang").await;
    b.wait_text("#nav", 10, |t| t.contains("Events")).await;
    b.find("#event-issues").await;
    accessible(&b, "an event (en)").await;
}

#[actix_web::test]
async fn results_and_progress_as_charts_with_their_tables_and_a_report_to_download() {
    let c = crate::public_page::community().await;
    let app = &c.w.app;
    app.user("mod.results", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "mod.results").await;

    // Each question as a chart per age band, the table beside it; what
    // few children said is hidden, never 0 nor a count under k.
    b.click("#nav a[data-screen=results]").await;
    b.find("#results-release").await;
    b.select("#results-survey", &c.survey).await;
    b.select("#results-by", "age_band").await;
    b.click("#results-show").await;
    b.wait_text("#results-out", 10, |t| {
        t.contains("Đường đến trường của em") && t.contains("12–14")
    })
    .await;
    crate::public_page::no_small_count_shown(&b, "ẩn để bảo vệ trẻ em").await;
    assert!(
        b.has("#results-out .chart.table-beside table").await,
        "a table beside each chart"
    );
    b.screenshot("console-results").await;
    accessible(&b, "results").await;
    // A month in the wrong form is refused before any request.
    b.type_into("#results-from", "2026-11").await;
    b.click("#results-show").await;
    b.wait_text("#results-error", 10, |t| t.contains("11/2026")).await;

    // The plan's targets: value, actual, pace, status and units not yet
    // covered, as a chart with its table.
    b.click("#nav a[data-screen=progress]").await;
    b.find("#progress-chart svg[role=img]").await;
    b.type_into("#progress-period", "2026").await;
    b.click("#progress-show").await;
    b.wait_text("#progress-as-of", 10, |t| t.contains("25/11/2026")).await;
    let table = b
        .wait_text("#progress-chart table", 10, |t| t.contains("Chỉ tiêu 1"))
        .await;
    assert!(
        table.contains("Nhịp cần đạt") && table.contains("Chưa thực hiện"),
        "{table}"
    );
    // Each target named in the API's words (`name`), not the console's.
    assert!(table.contains("Chỉ tiêu 1: Số cuộc họp Hội đồng trẻ em"), "{table}");
    assert!(
        table.contains("Chậm") || table.contains("Đúng tiến độ") || table.contains("Đạt"),
        "{table}"
    );
    assert!(b.has("#progress-chart line.chart-mark").await, "a pace tick");
    b.screenshot("console-progress").await;
    accessible(&b, "progress").await;
    // Narrowed to one ward of the caller's scope: its targets, named.
    let ward = app.unit_id("HCM-DUCNHUAN", "2026-11-25").await;
    b.select("#progress-unit", &ward).await;
    b.click("#progress-show").await;
    b.wait_text("#progress-as-of", 10, |t| t.contains("Đức Nhuận")).await;

    // The report for a period, downloaded as CSV and JSON.
    b.click("#report-csv").await;
    b.wait_text("#report-error", 10, |t| t.contains("2026-Q3")).await;
    b.js(
        "window.__files = []; const make = URL.createObjectURL.bind(URL);
         URL.createObjectURL = (blob) => { window.__files.push(blob); return make(blob); }; return true",
        json!([]),
    )
    .await;
    b.type_into("#report-period", "2026-Q4").await;
    // One download at a time: the two requests would otherwise race and the
    // JSON could come first.
    b.click("#report-csv").await;
    b.js_async(
        "const done = arguments[arguments.length - 1];
         const wait = () => window.__files.length >= 1 ? done(true) : setTimeout(wait, 100);
         wait();",
        json!([]),
    )
    .await;
    b.click("#report-json").await;
    let files = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             const wait = () => window.__files.length >= 2
               ? Promise.all(window.__files.map((f) => f.text())).then(done)
               : setTimeout(wait, 100);
             wait();",
            json!([]),
        )
        .await;
    let csv = files[0].as_str().unwrap();
    assert!(
        csv.contains("Phần,Mã,Tên") && csv.contains("Kết quả thực hiện các chỉ tiêu"),
        "{csv}"
    );
    let report: Value = serde_json::from_str(files[1].as_str().unwrap()).unwrap();
    assert!(report.is_object(), "{report}");
    assert_eq!(b.text("#report-error").await, "");

    // English.
    b.click("#lang").await;
    b.click("#nav a[data-screen=progress]").await;
    b.wait_text("#progress-chart table", 10, |t| {
        t.contains("Target 1: Children's Council meetings")
    })
    .await;
    accessible(&b, "progress in English").await;
    b.click("#nav a[data-screen=results]").await;
    b.find("#results-release").await;
    b.select("#results-survey", &c.survey).await;
    b.click("#results-show").await;
    b.wait_text("#results-out", 10, |t| t.contains("Your way to school"))
        .await;
    crate::public_page::no_small_count_shown(&b, "hidden to protect children").await;
    accessible(&b, "results in English").await;
}
