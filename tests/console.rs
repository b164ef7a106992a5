//! The staff console in a real browser (Debian's Chromium through
//! ChromeDriver) at a desktop's viewport, against the real service: signing
//! in, the navigation each role gets, signing out and a refused token, the
//! facilitator's session from the QR code to the live count to its close,
//! a moderator triaging by keyboard, an officer reviewing a possible
//! disclosure, and the headers the console is served with.

use serde_json::{Value, json};

use crate::support::TestApp;
use crate::surveys::published_survey;
use crate::webdriver::Browser;

/// No WCAG 2.2 AA violation on the screen as it is now.
async fn accessible(b: &Browser, screen: &str) {
    let found = b.axe().await;
    assert!(found.is_empty(), "{screen}: {found:#?}");
}

/// The password `TestApp::user` gives an account.
fn password(username: &str) -> String {
    format!("{username}-mật-khẩu-dài")
}

async fn sign_in(b: &Browser, app: &TestApp, username: &str) {
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
    for file in ["console.js", "api.js", "i18n.js", "format.js", "sessions.js", "issues.js", "safeguarding.js", "console.css"] {
        assert_eq!(app.get(&format!("/console/{file}"), None).await.status, 200, "{file}");
    }
    app.get("/console/../Cargo.toml", None).await;
    app.get("/console/nothing.js", None).await.assert_problem(404, "not_found");
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
    let session = sessions.items().first().unwrap_or_else(|| panic!("{:?}", sessions.body)).clone();
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
    assert!(!screen.contains("true") && !screen.contains("Có"), "counts only: {screen}");
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
    app.join(&code, 12, json!({})).await.assert_problem(409, "session_closed");
}
