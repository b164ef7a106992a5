//! The children's app in a real browser (Debian's Chromium through
//! ChromeDriver) at a phone's viewport, against the real service: joining
//! by a code typed as a child types it or from the QR code's address, every
//! question type, `show_if`, answers kept through a reload, a submission
//! made offline and sent once when the connection returns, withdrawal by
//! receipt, the hotline after a disclosure, a shared device left clear, the
//! headers the app is served with and the first screen's weight, a
//! refusal that keeps the answers and their key, a join screen that clears
//! itself, and screenshots of each screen for a child of 7 and of 15.

use chrono::Duration;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::surveys::published_survey;
use crate::webdriver::Browser;

fn every_type(owner: &str) -> Value {
    let opts = |keys: &[(&str, &str)]| {
        keys.iter()
            .map(|(k, vi)| json!({"key": k, "label": {"vi": vi, "en": k}}))
            .collect::<Vec<_>>()
    };
    json!({"kind": "opinion", "topic": "education", "owner_unit_id": owner,
    "title": {"vi": "Trường học của em", "en": "Your school"}, "min_age": 6, "max_age": 17,
    "allow_issues": true,
    "questions": [
      {"key": "like", "type": "single_choice", "required": true,
       "text": {"vi": "Em có thích trường của em không?", "en": "Do you like your school?"},
       "options": opts(&[("yes", "Có"), ("no", "Không")])},
      {"key": "why_not", "type": "text", "max_length": 200,
       "show_if": {"question": "like", "in": ["no"]},
       "text": {"vi": "Vì sao em không thích?", "en": "Why not?"}},
      {"key": "places", "type": "multiple_choice", "min_choices": 1, "max_choices": 2,
       "text": {"vi": "Em thích chỗ nào ở trường?", "en": "Which places do you like?"},
       "options": opts(&[("yard", "Sân trường"), ("library", "Thư viện"), ("class", "Lớp học")])},
      {"key": "happy", "type": "rating", "min": 1, "max": 5, "faces": true,
       "text": {"vi": "Em vui thế nào khi ở trường?", "en": "How happy are you at school?"}},
      {"key": "walk", "type": "yes_no", "text": {"vi": "Em có đi bộ đến trường không?", "en": "Do you walk to school?"}},
      {"key": "minutes", "type": "number", "min": 0, "max": 120,
       "text": {"vi": "Em đi đến trường mất mấy phút?", "en": "How many minutes to school?"}},
      {"key": "wish", "type": "ranking",
       "text": {"vi": "Xếp điều em mong nhất lên đầu", "en": "Put what you want most first"},
       "options": opts(&[("trees", "Thêm cây xanh"), ("water", "Nước uống"), ("toilets", "Nhà vệ sinh sạch")])},
      {"key": "say", "type": "text", "max_length": 300,
       "text": {"vi": "Em muốn nói thêm gì không?", "en": "Anything else?"}}
    ]})
}

struct Class {
    app: TestApp,
    code: String,
}

/// A school's session, open for two hours from the pinned morning.
async fn class() -> Class {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &every_type(&district)).await;
    let (_, facilitator) = app.user("tpt.app", "facilitator", Some(&school), None).await;
    let now = crate::support::start();
    let r = app
        .post(
            &format!("/api/v1/surveys/{survey}/sessions"),
            Some(&facilitator),
            &json!({"unit_id": school, "opens_at": (now - Duration::minutes(5)).to_rfc3339(),
                    "closes_at": (now + Duration::minutes(120)).to_rfc3339(), "expected_participants": 40}),
        )
        .await;
    let code = r.string(201, "join_code");
    Class { app, code }
}

async fn responses(app: &TestApp) -> Vec<String> {
    let db = Database::connect(app.db.url.as_str()).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT answers FROM responses WHERE withdrawn_at IS NULL",
        ))
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

/// `ABCD…` as a child might type it: small letters, with spaces.
fn sloppy(code: &str) -> String {
    let lower = code.to_lowercase();
    let (a, b) = lower.split_at(4);
    format!(" {a} {b} ")
}

/// No WCAG 2.2 AA violation on the screen as it is now.
async fn accessible(b: &Browser, screen: &str) {
    let found = b.axe().await;
    assert!(found.is_empty(), "{screen}: {found:#?}");
}

/// Opens the app on the phone.
async fn open_app(b: &Browser, app: &TestApp) {
    b.goto(&format!("{}/app/", app.base)).await;
}

/// Runs `script` on every page the browser opens from now on, before the
/// page's own scripts.
async fn before_each_page(b: &Browser, script: &str) {
    b.cdp("Page.enable", json!({})).await;
    b.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": script}))
        .await;
}

/// Switches the language, waits until `css` `shows` it, and checks the
/// screen.
async fn in_other_language(b: &Browser, css: &str, shows: impl Fn(&str) -> bool, screen: &str) {
    b.click("#lang").await;
    b.wait_text(css, 10, shows).await;
    accessible(b, screen).await;
}

/// How many elements match `css` on the page.
async fn how_many(b: &Browser, css: &str) -> Value {
    b.js(&format!("return document.querySelectorAll('{css}').length"), json!([]))
        .await
}

/// The files the page loaded, but its calls to the API.
const OWN_FILES: &str = "return performance.getEntriesByType('resource').map(e => e.name)
   .filter(n => !new URL(n).pathname.startsWith('/api/v1/'))";

/// Under `prefers-reduced-motion: reduce`, nothing on the screen moves: no
/// animation running, no transition or animation that would run.
async fn still(b: &Browser, screen: &str) {
    let moving = b
        .js(
            "if (!matchMedia('(prefers-reduced-motion: reduce)').matches) return ['reduced motion not asked'];
             const out = document.getAnimations().map(a => `running: ${a.animationName || a.constructor.name}`);
             for (const e of document.querySelectorAll('*')) {
               const c = getComputedStyle(e);
               const moves = c.transitionDuration.split(',').some(d => parseFloat(d) > 0)
                 || c.animationName.split(',').some(n => n.trim() !== 'none');
               if (moves) out.push(`${e.tagName}#${e.id}.${e.className}`);
             }
             return out",
            json!([]),
        )
        .await;
    assert_eq!(moving, json!([]), "{screen}: moves");
}

/// The progress bar: its value, its name and the width drawn.
async fn progress(b: &Browser) -> Value {
    b.js(
        "const p = document.querySelector('[role=progressbar]');
         return [p.getAttribute('aria-valuenow'), p.getAttribute('aria-label'), p.firstElementChild.style.width]",
        json!([]),
    )
    .await
}

/// Ticks the assent and starts.
async fn agree(b: &Browser) {
    b.click("#assent").await;
    b.click("#start").await;
}

/// Answers "yes" to the first question, then moves on `screens` times.
async fn yes_then_next(b: &Browser, screens: usize) {
    b.click("input[value=yes]").await;
    for _ in 0..screens {
        b.click("#next").await;
    }
}

/// The app's own files, all that its service worker caches (`web/app/sw.js`).
const SHELL: [&str; 9] = [
    "/app/",
    "/app/app.css",
    "/app/app.js",
    "/app/api.js",
    "/app/i18n.js",
    "/app/store.js",
    "/app/questions.js",
    "/app/icon.svg",
    "/app/manifest.webmanifest",
];

/// Every address held in any cache of the page's origin.
async fn cached(b: &Browser) -> Vec<String> {
    let all = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const all = [];
               for (const name of await caches.keys()) {
                 for (const r of await (await caches.open(name)).keys()) all.push(r.url);
               }
               done(all);
             })();",
            json!([]),
        )
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect()
}

/// Asserts that the device holds nothing of a child: no local or session
/// storage, no database, and no cache but the app shell's, which holds the
/// app's own files and nothing else (so that the app still opens offline).
async fn assert_nothing_stored(b: &Browser) {
    let stored = b.stored().await;
    assert_eq!(stored["local"], json!([]), "{stored}");
    assert_eq!(stored["session"], json!([]), "{stored}");
    assert_eq!(stored["indexeddb"], json!([]), "{stored}");
    for name in stored["caches"].as_array().unwrap() {
        assert_eq!(name, "langnghe-shell-v1", "{stored}");
    }
    let origin = b.js("return location.origin", json!([])).await;
    for url in cached(b).await {
        let path = url.strip_prefix(origin.as_str().unwrap()).unwrap_or(&url);
        assert!(SHELL.contains(&path), "{url} in a cache");
    }
}

async fn join(b: &Browser, code: &str, age: u8) {
    b.type_into("#code", code).await;
    b.select("#age", &age.to_string()).await;
    b.click("input[name=gender][value=prefer_not_to_say]").await;
    b.click("#continue").await;
    agree(b).await;
    b.find("#next").await;
}

#[actix_web::test]
async fn a_child_of_seven_answers_every_question_type_and_takes_it_back() {
    let c = class().await;
    let b = Browser::phone("vi").await;
    open_app(&b, &c.app).await;
    b.find("#code").await;
    b.screenshot("app-join-7").await;
    accessible(&b, "join").await;
    join(&b, &sloppy(&c.code), 7).await;

    // One question per screen, with progress; `why_not` only after "no".
    assert_eq!(b.text(".step").await, "Câu 1 / 7");
    b.screenshot("app-question-7").await;
    accessible(&b, "single choice").await;
    b.click("#next").await;
    assert!(
        b.text("#problem").await.contains("cần trả lời"),
        "a required question is asked again"
    );
    b.click("input[value=no]").await;
    b.click("#next").await;
    assert_eq!(b.text(".step").await, "Câu 2 / 8", "the hidden question now shows");
    // A screen reader is told where the child is.
    b.wait_text("#live", 10, |t| t == "Câu 2 / 8").await;
    assert_eq!(progress(&b).await, json!(["25", "Câu 2 / 8", "25%"]));
    // Back: the previous question with the answer still chosen.
    b.click("#back").await;
    b.wait_text(".step", 10, |t| t == "Câu 1 / 8").await;
    assert!(b.has("input[value=no]:checked").await, "the answer kept going back");
    assert_eq!(progress(&b).await, json!(["13", "Câu 1 / 8", "13%"]));
    b.click("#next").await;
    b.wait_text(".step", 10, |t| t == "Câu 2 / 8").await;
    assert!(b.text("h1").await.contains("Vì sao"));
    assert!(
        b.text("#q-why_not-hint").await.contains("Đừng viết tên"),
        "the text reminder"
    );
    b.type_into("textarea", "Sân trường ít cây").await;
    accessible(&b, "text").await;
    assert!(b.text("[aria-live=polite].hint").await.contains("17 / 200"));
    b.screenshot("app-text-7").await;
    b.click("#next").await;
    accessible(&b, "multiple choice").await;
    b.click("input[value=yard]").await;
    b.click("input[value=library]").await;
    b.screenshot("app-multiple-choice-7").await;
    // Back from here: the words typed are still there.
    b.click("#back").await;
    b.wait_text(".step", 10, |t| t == "Câu 2 / 8").await;
    let typed = b.js("return document.querySelector('textarea').value", json!([])).await;
    assert_eq!(typed, "Sân trường ít cây");
    b.click("#next").await;
    b.wait_text(".step", 10, |t| t == "Câu 3 / 8").await;
    assert!(b.has("input[value=library]:checked").await);
    b.click("#next").await;
    // A child of seven rates with faces.
    assert!(b.has(".faces .face").await, "faces for ages 6-8");
    b.screenshot("app-rating-faces-7").await;
    accessible(&b, "rating with faces").await;
    in_other_language(&b, "#next", |t| t == "Next", "rating with faces (en)").await;
    b.click("#lang").await;
    b.wait_text("#next", 10, |t| t == "Tiếp").await;
    b.click("input[name=q-happy][value='4']").await;
    b.click("#next").await;
    b.click("input[name=q-walk][value=yes]").await;
    b.screenshot("app-yes-no-7").await;
    accessible(&b, "yes/no").await;
    b.click("#next").await;
    accessible(&b, "number").await;
    b.type_into("input[type=number]", "15").await;
    b.screenshot("app-number-7").await;
    b.click("#next").await;
    // Ranking by touch or keyboard: water to the top.
    b.click("button[data-key=water][data-dir=up]").await;
    assert!(b.text(".ranking").await.starts_with("1. Nước uống"));
    b.screenshot("app-ranking-7").await;
    accessible(&b, "ranking").await;
    // A reload in the middle resumes where the child was.
    b.refresh().await;
    assert_eq!(b.text(".step").await, "Câu 7 / 8");
    assert!(
        b.text(".ranking").await.starts_with("1. Nước uống"),
        "the order was kept"
    );
    b.click("#next").await;
    b.click("#next").await; // `say` is optional

    let receipt = b.wait_text("#receipt", 10, |t| t.len() > 10).await;
    b.screenshot("app-receipt-7").await;
    accessible(&b, "receipt").await;
    // The code copied with one tap (the clipboard recorded for the test).
    b.js(
        "navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); }; return true",
        json!([]),
    )
    .await;
    b.click("#copy").await;
    b.wait_text("#live", 10, |t| t.contains("Đã chép")).await;
    let copied = b.js("return window.__copied", json!([])).await;
    assert_eq!(copied, receipt.as_str());
    let stored = responses(&c.app).await;
    assert_eq!(stored.len(), 1);
    let answers: Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(answers["like"], "no");
    assert_eq!(answers["why_not"], "Sân trường ít cây");
    assert_eq!(answers["places"], json!(["yard", "library"]));
    assert_eq!(answers["happy"], 4);
    assert_eq!(answers["walk"], true);
    assert_eq!(answers["minutes"].as_f64(), Some(15.0));
    assert_eq!(answers["wish"], json!(["water", "trees", "toilets"]));

    // Taking it back with the receipt: a warning-styled button, never the
    // main one, and a question in the child's words first; "no" keeps it.
    let class = b
        .js("return document.querySelector('#withdraw').className", json!([]))
        .await;
    assert_eq!(class, "secondary warn");
    b.click("#withdraw").await;
    let asked = b.wait_text("#confirm-text", 10, |t| !t.is_empty()).await;
    assert!(asked.contains("không được tính nữa"), "{asked}");
    let focused = b.js("return document.activeElement.id", json!([])).await;
    assert_eq!(focused, "confirm-no", "the safe answer has the focus");
    b.screenshot("app-withdraw-ask-7").await;
    accessible(&b, "withdraw: are you sure?").await;
    b.click("#confirm-no").await;
    b.find("#receipt").await;
    assert_eq!(responses(&c.app).await.len(), 1, "\"no\" kept it");
    // Another language while asked: the same question, in English, and
    // "no" still goes back to the receipt.
    b.click("#withdraw").await;
    b.find("#confirm-no").await;
    b.click("#lang").await;
    b.wait_text("#confirm-text", 10, |t| t.contains("will not count any more"))
        .await;
    assert!(b.text("#confirm-title").await.contains("Take"), "asked in English");
    accessible(&b, "withdraw: are you sure? (en)").await;
    b.click("#confirm-no").await;
    b.wait_text("#withdraw", 10, |t| t.contains("Take")).await;
    assert_eq!(b.text("#receipt").await, receipt, "back where the child was");
    assert_eq!(responses(&c.app).await.len(), 1, "\"no\" kept it");
    b.click("#lang").await;
    b.wait_text("#withdraw", 10, |t| t.contains("Rút")).await;
    b.click("#withdraw").await;
    b.click("#confirm-yes").await;
    b.wait_text("main", 10, |t| t.contains("đã được rút lại")).await;
    assert!(responses(&c.app).await.is_empty(), "receipt {receipt} withdrew it");
    b.screenshot("app-withdrawn-7").await;
    accessible(&b, "withdrawn").await;
    in_other_language(&b, "main", |t| t.contains("have been taken back"), "withdrawn (en)").await;
}

#[actix_web::test]
async fn offline_at_the_moment_of_sending_it_is_sent_once_when_back() {
    let c = class().await;
    let b = Browser::phone("en").await;
    before_each_page(&b, COUNT_SENDS).await;
    // From the QR code's address: the code is filled in, then leaves the URL.
    b.goto(&format!("{}/j/{}", c.app.base, c.code)).await;
    b.find("#code").await;
    assert_eq!(b.js("return location.pathname", json!([])).await, "/app/");
    let entries = b.js("return history.length", json!([])).await;
    accessible(&b, "join (en)").await;
    b.select("#age", "15").await;
    b.screenshot("app-join-15").await;
    b.click("#continue").await;
    agree(&b).await;
    b.find("#next").await;
    b.click("input[value=yes]").await;
    b.screenshot("app-question-15").await;
    accessible(&b, "choice (en)").await;
    for _ in 0..6 {
        b.click("#next").await;
    }
    b.offline(true).await;
    b.click("#next").await;
    b.wait_text("#saved", 10, |t| t.contains("saved on this phone")).await;
    // Offline, the heading says the answers are safe, not "Sending…".
    assert_eq!(b.text("h1").await, "Saved on this phone");
    b.screenshot("app-saved-offline-15").await;
    accessible(&b, "saved offline (en)").await;
    in_other_language(&b, "#saved", |t| t.contains("đã được lưu"), "saved offline (vi)").await;
    in_other_language(
        &b,
        "#saved",
        |t| t.contains("saved on this phone"),
        "saved offline (en)",
    )
    .await;
    assert!(responses(&c.app).await.is_empty());
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // Back online, the connection's news arrives three times at once (the
    // browser's and twice more) while a retry is waiting: one try at a time.
    // That try reaches the service, which stores the answers, but its
    // answer is lost on the way back: the app still holds them as unsent.
    b.js("window.__loseNext = true; return true", json!([])).await;
    b.offline(false).await;
    b.js(
        "dispatchEvent(new Event('online')); dispatchEvent(new Event('online')); return true",
        json!([]),
    )
    .await;
    b.wait_until("return window.__lost === 1 && window.__atOnce === 0", 90)
        .await;
    assert_eq!(responses(&c.app).await.len(), 1, "stored, though the app never heard");
    b.find("#saved").await;
    // Tried again (the try the backoff began, held until now, or one the
    // connection's news starts): the same key, so the service answers with
    // the first try's receipt and stores nothing more.
    b.js(
        "window.__release(); dispatchEvent(new Event('online')); return true",
        json!([]),
    )
    .await;
    let receipt = b.wait_text("#receipt", 30, |t| t.len() > 10).await;
    b.screenshot("app-receipt-15").await;
    assert_eq!(
        responses(&c.app).await.len(),
        1,
        "exactly one response however often it tried"
    );
    c.app.get(&format!("/api/v1/receipts/{receipt}"), None).await.ok(200);
    let most = b.js("return window.__mostAtOnce", json!([])).await;
    assert_eq!(most, 1, "never two tries at once");
    let keys = keys_sent(&b).await;
    assert!(keys.len() >= 3, "offline, lost, then sent: {keys:?}");
    assert!(keys[0].as_str().is_some_and(|k| k.len() == 36), "{keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "one key for every try: {keys:?}");
    accessible(&b, "receipt (en)").await;

    // A shared device: "done — clear this device" leaves nothing behind,
    // in the history neither: no entry was added, and going back leaves the
    // app, with nothing of the child's on the way.
    b.click("#clear").await;
    b.find("#code").await;
    assert_nothing_stored(&b).await;
    b.screenshot("app-cleared-15").await;
    assert_eq!(b.js("return history.length", json!([])).await, entries);
    b.js("history.back(); return true", json!([])).await;
    b.wait_until("return !location.href.includes('/app/')", 10).await;
    let before = b.text("body").await;
    assert!(!before.contains(&receipt), "{before}");
    b.js("history.forward(); return true", json!([])).await;
    b.find("#code").await;
    assert_eq!(
        b.js("return document.querySelector('#code').value", json!([])).await,
        ""
    );
    assert!(!b.has("#receipt").await);
    assert_nothing_stored(&b).await;
    accessible(&b, "cleared (en)").await;
    in_other_language(&b, "h1", |t| t.contains("Tham gia"), "cleared (vi)").await;
    b.click("#lang").await;

    // The next child's time to answer runs out (their token refused) as
    // they send: the answers stay on the phone, and once they join again
    // they are sent, once.
    join(&b, &c.code, 14).await;
    yes_then_next(&b, 6).await;
    time_runs_out(&b).await;
    b.click("#next").await;
    let said = b.wait_text("#expired", 10, |t| !t.is_empty()).await;
    assert!(said.contains("still saved on this phone"), "{said}");
    accessible(&b, "time ran out (en)").await;
    in_other_language(&b, "#expired", |t| t.contains("vẫn được giữ"), "time ran out (vi)").await;
    b.click("#lang").await;
    b.wait_text("#expired", 10, |t| t.contains("still saved")).await;
    assert!(
        b.stored().await["local"]
            .as_array()
            .unwrap()
            .contains(&json!("langnghe.app"))
    );
    b.click("#rejoin").await;
    b.find("#still-saved").await;
    let code = b.js("return document.querySelector('#code').value", json!([])).await;
    assert_eq!(code, c.code.as_str(), "the code is filled in again");
    b.click("#continue").await;
    agree(&b).await;
    b.wait_text("#note", 10, |t| t.contains("still here")).await;
    // Sending, held on the way for a look at the screen.
    b.js("window.__hold = true; return true", json!([])).await;
    b.click("#next").await;
    b.wait_text("h1", 10, |t| t == "Sending…").await;
    assert_eq!(
        b.text("#saved").await,
        "Your answers are on their way. Please wait a moment."
    );
    b.screenshot("app-sending-15").await;
    accessible(&b, "sending (en)").await;
    b.js("window.__release(); return true", json!([])).await;
    b.wait_text("#receipt", 10, |t| t.len() > 10).await;
    assert_eq!(responses(&c.app).await.len(), 2, "the second child's answers, once");
    // The try refused as the time ran out and the one after joining again
    // carried the same key.
    let keys = keys_sent(&b).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].is_string() && keys[0] == keys[1], "{keys:?}");
}

/// The child's time to answer runs out: the token the phone holds is
/// refused from now on (the page reloads with it).
async fn time_runs_out(b: &Browser) {
    b.js(
        "const s = JSON.parse(localStorage.getItem('langnghe.app')); s.token = 'expired.token.here';
         localStorage.setItem('langnghe.app', JSON.stringify(s)); return true",
        json!([]),
    )
    .await;
    b.refresh().await;
}

/// Counts the tries at sending answers that are under way at once, and
/// records each try's Idempotency-Key (in `sessionStorage`, so that a
/// reload keeps them). With `window.__loseNext` set, the next try reaches
/// the service but its answer is lost on the way back (the app sees a
/// network failure), and the tries after it are held; with `window.__hold`
/// set, tries wait until `window.__release()`.
const COUNT_SENDS: &str = "
  const fetch_ = window.fetch;
  window.__atOnce = 0;
  window.__mostAtOnce = 0;
  window.__lost = 0;
  window.__held = null;
  window.__release = () => { window.__hold = false; if (window.__held) window.__held(); };
  window.fetch = async (url, init) => {
    const sending = init && init.method === 'POST' && String(url).endsWith('/api/v1/responses');
    if (!sending) return fetch_(url, init);
    const keys = JSON.parse(sessionStorage.getItem('__keys') || '[]');
    keys.push(init.headers['Idempotency-Key'] || null);
    sessionStorage.setItem('__keys', JSON.stringify(keys));
    // A held try has not left yet: it counts as sending once released.
    if (window.__hold) await new Promise((go) => { window.__held = go; });
    window.__atOnce += 1; window.__mostAtOnce = Math.max(window.__mostAtOnce, window.__atOnce);
    try {
      const res = await fetch_(url, init);
      if (window.__loseNext) {
        window.__loseNext = false;
        window.__hold = true;
        await res.text();
        window.__lost += 1;
        throw new TypeError('Failed to fetch');
      }
      return res;
    } finally { window.__atOnce -= 1; }
  };";

/// The Idempotency-Keys of the tries at sending answers recorded by
/// `COUNT_SENDS`, and forgets them.
async fn keys_sent(b: &Browser) -> Vec<Value> {
    let keys = b
        .js(
            "const k = JSON.parse(sessionStorage.getItem('__keys') || '[]'); sessionStorage.removeItem('__keys'); return k",
            json!([]),
        )
        .await;
    keys.as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_disclosure_shows_a_child_of_seven_the_hotline_kindly() {
    a_disclosure_shows_the_hotline_kindly(7).await;
}

#[actix_web::test]
async fn a_disclosure_shows_a_child_of_fifteen_the_hotline_kindly() {
    a_disclosure_shows_the_hotline_kindly(15).await;
}

async fn a_disclosure_shows_the_hotline_kindly(age: u8) {
    let c = class().await;
    let b = Browser::phone("vi").await;
    open_app(&b, &c.app).await;
    join(&b, &c.code, age).await;
    yes_then_next(&b, 6).await;
    b.type_into("textarea", "bố em say rượu về là đánh em rất đau").await;
    b.click("#next").await;
    b.find("#support").await;
    assert!(b.text("#support").await.contains("111"), "{}", b.text("#support").await);
    b.screenshot(&format!("app-hotline-{age}")).await;
    accessible(&b, "hotline").await;
    in_other_language(&b, "#support a", |t| t.contains("Call 111"), "hotline (en)").await;
    let href = b
        .js(
            "return document.querySelector('#support a').getAttribute('href')",
            json!([]),
        )
        .await;
    assert_eq!(href, "tel:111");
}

#[actix_web::test]
async fn the_app_is_served_light_strict_and_without_third_parties() {
    let c = class().await;
    let r = c.app.get("/app/", None).await;
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert!(r.header("set-cookie").is_none());
    assert!(!r.text.contains("<script>"), "no inline script");
    c.app
        .get("/app/nothing.js", None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(c.app.get(&format!("/j/{}", c.code), None).await.status, 200);

    let b = Browser::phone("vi").await;
    open_app(&b, &c.app).await;
    b.find("#code").await;
    let resources = b
        .js(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
               .map(e => ({name: e.name, size: e.transferSize}))",
            json!([]),
        )
        .await;
    let list = resources.as_array().unwrap().clone();
    let total: u64 = list.iter().map(|e| e["size"].as_u64().unwrap_or(0)).sum();
    assert!(
        total > 0 && total <= 60 * 1024,
        "the first screen transferred {total} bytes: {resources}"
    );
    for e in list {
        assert!(
            e["name"].as_str().unwrap().starts_with(&c.app.base),
            "a request left the service: {e}"
        );
    }
    // The accessibility check sees what it is for: an image without a text.
    b.js(
        "const i = document.createElement('img'); i.src = '/app/icon.svg'; document.body.append(i); return true",
        json!([]),
    )
    .await;
    let found = b.axe().await;
    assert!(found.iter().any(|v| v.starts_with("image-alt")), "{found:?}");
}

#[actix_web::test]
async fn after_answering_a_child_of_seven_raises_supports_reads_and_erases() {
    after_answering_a_child_raises_supports_reads_and_erases(7).await;
}

#[actix_web::test]
async fn after_answering_a_child_of_fifteen_raises_supports_reads_and_erases() {
    after_answering_a_child_raises_supports_reads_and_erases(15).await;
}

async fn after_answering_a_child_raises_supports_reads_and_erases(age: u8) {
    let c = class().await;
    let b = Browser::phone("vi").await;
    // The copy a child downloads is kept aside to be read back.
    let keep_copy = "const made = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__copy = blob; return made(blob); };";
    before_each_page(&b, keep_copy).await;
    // Another child raised an issue; the Council accepted and published it.
    let other = c.app.child(&c.code, 12).await;
    let r = c
        .app
        .raise(
            &other,
            "other-1",
            "Cổng trường đông xe",
            "Giờ tan học xe máy đỗ kín cổng trường.",
        )
        .await;
    let issue = r.created();
    let (_, moderator) = c.app.user("hoidong.app", "moderator", None, None).await;
    c.app
        .patch(
            &format!("/api/v1/issues/{issue}"),
            Some(&moderator),
            &json!({"status": "accepted", "topic": "safety"}),
        )
        .await
        .ok(200);
    c.app
        .post(&format!("/api/v1/issues/{issue}/publish"), Some(&moderator), &json!({}))
        .await
        .ok(200);

    open_app(&b, &c.app).await;
    join(&b, &c.code, age).await;
    yes_then_next(&b, 7).await;
    b.find("#receipt").await;

    // Raising an issue: a worry typed the way children write shows the hotline.
    b.click("#to-raise").await;
    b.find("#issue-title").await;
    b.screenshot(&format!("app-raise-{age}")).await;
    accessible(&b, "raise").await;
    // What is typed stays through another language.
    b.type_into("#issue-title", "chuyện ở nhà").await;
    in_other_language(&b, "h1", |t| t.contains("Raise something"), "raise (en)").await;
    b.click("#lang").await;
    b.wait_text("h1", 10, |t| t.contains("Nêu một vấn đề")).await;
    let title = b
        .js("return document.querySelector('#issue-title').value", json!([]))
        .await;
    assert_eq!(title, "chuyện ở nhà");
    b.type_into("#issue-body", "bo e hay danh e lam").await;
    b.click("#issue-send").await;
    let issue_receipt = b.wait_text("#issue-receipt", 10, |t| t.len() > 10).await;
    b.find("#support").await;
    b.screenshot(&format!("app-issue-hotline-{age}")).await;
    accessible(&b, "issue sent").await;
    in_other_language(&b, "#support a", |t| t.contains("Call 111"), "issue sent (en)").await;
    b.click("#lang").await;
    b.wait_text("#support a", 10, |t| t.contains("Gọi 111")).await;
    assert_eq!(
        b.text("#issue-receipt").await,
        issue_receipt,
        "the same receipt in either language"
    );
    b.click("#home").await;

    // What other children raised, with "me too".
    b.click("#to-others").await;
    b.wait_text("#others", 10, |t| t.contains("Cổng trường đông xe")).await;
    b.screenshot(&format!("app-others-{age}")).await;
    accessible(&b, "others").await;
    in_other_language(&b, "h1", |t| t == "What other children raised", "others (en)").await;
    b.find("#others").await;
    accessible(&b, "others (en), listed").await;
    b.click("#lang").await;
    b.wait_text("#others", 10, |t| t.contains("Cổng trường đông xe")).await;
    b.click(&format!(
        "button[data-issue='{}']",
        crate::support::public_issue_id(&issue)
    ))
    .await;
    b.wait_text("#others", 10, |t| t.contains("Em đã ủng hộ")).await;
    // Stored at once (the Council reads it), but the public count moves
    // once a day: nobody watching the list sees this child's tap.
    let public = c.app.get("/api/v1/public/issues", None).await.ok(200)["items"][0]["supports"].clone();
    assert_eq!(public, 0);
    let exact = c
        .app
        .get(&format!("/api/v1/issues/{issue}"), Some(&moderator))
        .await
        .ok(200)["supports"]
        .clone();
    assert_eq!(exact, 1);
    b.click("#home").await;

    // You said, we did: nothing sent yet.
    b.click("#to-feed").await;
    b.wait_text("main", 10, |t| t.contains("Chưa có gì")).await;
    b.click("#home").await;

    // My data: what is held, each answer (its survey, its day) and issue
    // (its title), then erased.
    b.click("#to-mine").await;
    let held = b.wait_text("#held", 10, |t| !t.is_empty()).await;
    accessible(&b, "my data").await;
    assert!(held.contains("1 câu trả lời") && held.contains("1 vấn đề"), "{held}");
    let answers = b.text("#held-answers").await;
    assert!(
        answers.contains("Trường học của em") && answers.contains("Gửi ngày"),
        "{answers}"
    );
    // Downloading is the main button; erasing is outlined in a warning colour.
    let classes = b
        .js(
            "return [document.querySelector('#download').className, document.querySelector('#erase').className]",
            json!([]),
        )
        .await;
    assert_eq!(classes, json!(["button", "secondary warn"]));
    // A copy to download: what the API holds under the pseudonym, as JSON.
    let name = b
        .js(
            "return document.querySelector('#download').getAttribute('download')",
            json!([]),
        )
        .await;
    assert_eq!(name, "lang-nghe-du-lieu-cua-em.json");
    b.screenshot(&format!("app-my-data-{age}")).await;
    let copy = b
        .js_async(
            "const done = arguments[arguments.length - 1]; window.__copy.text().then(done);",
            json!([]),
        )
        .await;
    let copy: Value = serde_json::from_str(copy.as_str().unwrap()).unwrap();
    assert_eq!(copy["responses"].as_array().unwrap().len(), 1, "{copy}");
    assert_eq!(copy["issues"].as_array().unwrap().len(), 1, "{copy}");
    // The worry in the issue was passed to the child-protection officer and
    // its words taken out: the copy holds the service's marker, the screen
    // says in the child's words where they went, never the bracketed marker.
    assert_eq!(copy["issues"][0]["status"], "withheld", "{copy}");
    let kept_title = copy["issues"][0]["title"].as_str().unwrap().to_owned();
    let issues = b.text("#held-issues").await;
    assert!(
        issues.contains("đã được chuyển tới một người lớn có thể giúp em"),
        "{issues}"
    );
    assert!(!issues.contains(&kept_title) && !issues.contains('['), "{issues}");
    in_other_language(&b, "#held", |t| t.contains("1 answer"), "my data (en)").await;
    b.click("#lang").await;
    b.wait_text("#held", 10, |t| t.contains("1 câu trả lời")).await;

    // Taking the issue back from "my data", after a question: the service
    // no longer knows its receipt.
    b.click("#held-issues [data-withdraw]").await;
    let asked = b.wait_text("#confirm-text", 10, |t| !t.is_empty()).await;
    assert!(asked.contains("bị xoá"), "{asked}");
    b.click("#confirm-yes").await;
    b.wait_text("#note", 10, |t| t.contains("đã được rút lại")).await;
    let issues = b.wait_text("#held-issues", 10, |t| t.contains("đã rút lại")).await;
    assert!(!issues.contains(&kept_title), "{issues}");
    assert!(!b.has("#held-issues [data-withdraw]").await);
    c.app
        .get(&format!("/api/v1/receipts/{issue_receipt}"), None)
        .await
        .assert_problem(404, "receipt_unknown");
    accessible(&b, "issue withdrawn").await;

    // Erasing everything: asked first, in the child's words.
    b.click("#erase").await;
    let asked = b.wait_text("#confirm-text", 10, |t| !t.is_empty()).await;
    assert!(asked.contains("không lấy lại được"), "{asked}");
    b.screenshot(&format!("app-erase-ask-{age}")).await;
    accessible(&b, "erase: are you sure?").await;
    in_other_language(
        &b,
        "#confirm-text",
        |t| t.contains("cannot get them back"),
        "erase: are you sure? (en)",
    )
    .await;
    b.click("#lang").await;
    b.wait_text("#confirm-text", 10, |t| t.contains("không lấy lại được"))
        .await;
    b.click("#confirm-yes").await;
    b.find("#erased").await;
    assert!(responses(&c.app).await.is_empty(), "the child's answers are gone");
    b.screenshot(&format!("app-erased-{age}")).await;
    accessible(&b, "erased").await;
    in_other_language(&b, "#erased", |t| t.contains("has been erased"), "erased (en)").await;
}

#[actix_web::test]
async fn the_phone_of_a_child_of_seven_that_holds_a_receipt_sees_what_became_of_it() {
    the_device_that_holds_a_receipt_sees_what_became_of_it(7).await;
}

#[actix_web::test]
async fn the_phone_of_a_child_of_fifteen_that_holds_a_receipt_sees_what_became_of_it() {
    the_device_that_holds_a_receipt_sees_what_became_of_it(15).await;
}

async fn the_device_that_holds_a_receipt_sees_what_became_of_it(age: u8) {
    let s = crate::receipts::story().await;
    let app = &s.app;
    let b = Browser::phone("vi").await;
    open_app(&b, app).await;
    join(&b, &s.code, age).await;
    yes_then_next(&b, 2).await;
    b.find("#receipt").await;
    b.click("#to-raise").await;
    b.type_into("#issue-title", "Đường đến trường tối").await;
    b.type_into("#issue-body", "Hẻm 120 không có đèn, em sợ khi về muộn.")
        .await;
    b.click("#issue-send").await;
    let issue_receipt = b.wait_text("#issue-receipt", 10, |t| t.len() > 10).await;
    b.click("#home").await;

    // Received: both receipts kept on this device say so, without a badge.
    b.click("#to-status").await;
    let said = b.wait_text("#statuses", 10, |t| t.contains("Vấn đề em đã nêu")).await;
    assert!(said.contains("đã nhận được"), "{said}");
    assert!(said.contains("được tính cùng"), "{said}");
    accessible(&b, "what became of it: received").await;
    b.click("#home").await;
    b.find("#to-status").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!b.has("#badge:not([hidden])").await, "nothing changed yet");

    // The Council takes it up: the younger child's issue on its own, the
    // older child's merged into another child's that said the same. A
    // badge, then the step in the API's words.
    let listed = app.get("/api/v1/issues?limit=10", Some(&s.moderator)).await;
    let issue = listed.ok(200)["items"][0]["id"].as_str().unwrap().to_owned();
    let moderator = Some(s.moderator.as_str());
    let (taken_up, stage) = if age < 10 {
        app.patch(
            &format!("/api/v1/issues/{issue}"),
            moderator,
            &json!({"status": "accepted"}),
        )
        .await
        .ok(200);
        (issue.clone(), "accepted")
    } else {
        let (_, _, other, _) = crate::receipts::child(&s, 14, "Thiếu đèn đường", "Đường Hoàng Văn Thụ tối om.").await;
        app.patch(
            &format!("/api/v1/issues/{other}"),
            moderator,
            &json!({"status": "accepted"}),
        )
        .await
        .ok(200);
        app.post(
            &format!("/api/v1/issues/{issue}/merge"),
            moderator,
            &json!({"into": other}),
        )
        .await
        .ok(200);
        (other, "merged")
    };
    let words = app
        .get(&format!("/api/v1/receipts/{issue_receipt}?lang=vi"), None)
        .await
        .ok(200)
        .clone();
    assert_eq!(words["stage"], stage, "{words}");
    let words = words["message"].as_str().unwrap().to_owned();
    b.refresh().await;
    b.wait_text("#badge:not([hidden])", 10, |t| t.contains("Có tin mới"))
        .await;
    b.click("#to-status").await;
    let item = format!("#statuses li[data-receipt='{issue_receipt}'][data-stage='{stage}']");
    let said = b.wait_text(&item, 10, |t| t.contains(&words)).await;
    assert!(said.contains("Có tin mới"), "{said}");
    accessible(&b, &format!("what became of it: {stage}")).await;
    b.click("#home").await;

    // Then it is put in a recommendation, the board answers and reports
    // progress: a badge again, then each step.
    crate::receipts::taken_up_and_answered(&s, &taken_up, None).await;
    b.refresh().await;
    b.wait_text("#badge:not([hidden])", 10, |t| t.contains("Có tin mới"))
        .await;
    b.js(
        "document.querySelector('#to-status').scrollIntoView({block: 'center'}); return true",
        json!([]),
    )
    .await;
    b.screenshot(&format!("app-status-badge-{age}")).await;
    accessible(&b, "done with a badge").await;
    b.click("#to-status").await;
    let said = b.wait_text("#statuses", 10, |t| t.contains("Kiến nghị")).await;
    for step in [
        "kiến nghị gửi tới",
        "Lắp đèn trên đường đến trường",
        "đã đồng ý làm",
        "Trường sẽ lắp đèn",
        "Lắp 12 bóng đèn: đang làm",
        "Đã có 6 bóng đèn sáng rồi!",
    ] {
        assert!(said.contains(step), "{step:?} in {said}");
    }
    b.screenshot(&format!("app-status-{age}")).await;
    accessible(&b, "what became of it: answered").await;
    // Seen: the badge is gone; in English too.
    b.click("#home").await;
    b.find("#to-status").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!b.has("#badge:not([hidden])").await, "seen now");
    b.click("#lang").await;
    b.click("#to-status").await;
    let said = b.wait_text("#statuses", 10, |t| t.contains("Recommendation")).await;
    assert!(said.contains("said yes") && said.contains("What I raised"), "{said}");
    accessible(&b, "what became of it (en)").await;
    b.screenshot(&format!("app-status-en-{age}")).await;

    // "You said, we did": the recommendation in children's words, with the
    // board's answer, in both languages.
    b.click("#home").await;
    b.click("#to-feed").await;
    let said = b.wait_text("#feed", 10, |t| t.contains("Light the road")).await;
    assert!(said.contains("You said the road to school is dark"), "{said}");
    accessible(&b, "you said, we did (en)").await;
    b.screenshot(&format!("app-you-said-en-{age}")).await;
    in_other_language(
        &b,
        "#feed",
        |t| t.contains("Các bạn nói đường đến trường tối"),
        "you said, we did",
    )
    .await;
    let said = b.text("#feed").await;
    assert!(said.contains("Lắp đèn trên đường đến trường"), "{said}");
    b.screenshot(&format!("app-you-said-{age}")).await;
}

const YOUNG_VI: &str = "Em muốn kể về giờ ra chơi. Em dừng lúc nào cũng được, không ai biết câu trả lời là của em.";
const YOUNG_EN: &str =
    "I want to tell you about break time. I can stop whenever I like, and nobody will know the answers are mine.";
const OLDER_VI: &str =
    "Mình đồng ý trả lời về giờ ra chơi. Mình biết việc này là tự nguyện và câu trả lời không gắn với tên mình.";
const OLDER_EN: &str =
    "I agree to answer about break time. I know it is my choice and my answers are not linked to my name.";

/// A short survey that words its own assent for 6–8 and 15–17.
fn worded(owner: &str, title: &str) -> Value {
    json!({"kind": "opinion", "topic": "education", "owner_unit_id": owner,
    "title": {"vi": title, "en": title}, "min_age": 6, "max_age": 17, "allow_issues": true,
    "assent": {"6-8": {"vi": YOUNG_VI, "en": YOUNG_EN}, "15-17": {"vi": OLDER_VI, "en": OLDER_EN}},
    "questions": [
      {"key": "play", "type": "yes_no", "required": true,
       "text": {"vi": "Giờ ra chơi em có đủ chỗ chơi không?", "en": "Is there enough room to play at break time?"}}]})
}

/// Sessions, open now at a school, of `n` surveys worded as above (the
/// second one taking no issues): the app and their join codes.
async fn worded_sessions(n: usize) -> (TestApp, Vec<String>) {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let mut codes = Vec::new();
    for i in 0..n {
        let mut def = worded(&district, &format!("Giờ ra chơi {}", i + 1));
        // The second survey takes no issues.
        if i == 1 {
            def["allow_issues"] = json!(false);
        }
        let survey = published_survey(&app, &def).await;
        let session = app.open_session(&survey, &school, -5, 120).await;
        codes.push(session["join_code"].as_str().unwrap().to_owned());
    }
    (app, codes)
}

async fn start_joining(b: &Browser, code: &str, age: u8) {
    b.type_into("#code", code).await;
    b.select("#age", &age.to_string()).await;
    b.click("#continue").await;
    b.find("#assent").await;
}

/// Scrolls the "remember me" box into view, for a screenshot.
async fn show_remember_box(b: &Browser) {
    b.js(
        "document.querySelector('#remember-box').scrollIntoView({block: 'end'}); return true",
        json!([]),
    )
    .await;
}

async fn answer_worded(b: &Browser) -> String {
    b.click("input[name=q-play][value=yes]").await;
    b.click("#next").await;
    b.wait_text("#receipt", 10, |t| t.len() > 10).await
}

#[actix_web::test]
async fn a_child_of_seven_and_one_of_fifteen_agree_in_the_surveys_words_for_their_age() {
    let (app, codes) = worded_sessions(1).await;
    let code = &codes[0];

    // Refusals at joining, shown in the API's own words for the child: a
    // session not open yet, a survey for older children.
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let later = published_survey(&app, &worded(&district, "Buổi chiều")).await;
    let later = app.open_session(&later, &school, 60, 120).await;
    let later = later["join_code"].as_str().unwrap().to_owned();
    let mut older = worded(&district, "Lớp lớn");
    older["min_age"] = json!(12);
    let older = published_survey(&app, &older).await;
    let older = app.open_session(&older, &school, -5, 120).await;
    let older = older["join_code"].as_str().unwrap().to_owned();
    let refused = async |code: &str, age: u8, status: u16, why: &str| -> String {
        let r = app
            .post(
                "/api/v1/join/assent",
                None,
                &json!({"join_code": code, "age": age, "language": "vi"}),
            )
            .await;
        r.assert_problem(status, why);
        r.body["detail"].as_str().unwrap().to_owned()
    };
    let not_yet = refused(&later, 7, 409, "session_not_open").await;
    let too_young = refused(&older, 7, 422, "age_not_eligible").await;
    let b = Browser::phone("vi").await;
    open_app(&b, &app).await;
    b.type_into("#code", &later).await;
    b.select("#age", "7").await;
    b.click("#continue").await;
    let said = b.wait_text("#problem", 10, |t| !t.is_empty()).await;
    assert_eq!(said, not_yet, "not open yet, in the API's words");
    accessible(&b, "not open yet").await;
    b.type_into("#code", &older).await;
    b.click("#continue").await;
    let said = b.wait_text("#problem", 10, |t| t != not_yet).await;
    assert_eq!(said, too_young, "too young, in the API's words");
    assert!(!b.has("#assent").await);

    // Seven: the survey's words for 6–8, in Vietnamese, then in English.
    b.type_into("#code", code).await;
    b.click("#continue").await;
    b.find("#assent").await;
    assert_eq!(b.text("#assent-text").await, YOUNG_VI);
    b.screenshot("app-assent-7").await;
    accessible(&b, "assent, 7").await;
    in_other_language(&b, "#assent-text", |t| t == YOUNG_EN, "assent, 7 (en)").await;
    b.click("#lang").await;
    b.wait_text("#assent-text", 10, |t| t == YOUNG_VI).await;
    // Not ticked: the API's own words for the child, and no joining.
    let r = app.join(code, 7, json!({"assent": false, "language": "vi"})).await;
    r.assert_problem(422, "assent_required");
    b.click("#start").await;
    let said = b.wait_text("#problem", 10, |t| !t.is_empty()).await;
    assert_eq!(said, r.body["detail"].as_str().unwrap());
    assert!(!b.has("#next").await);
    agree(&b).await;
    answer_worded(&b).await;
    // A shared tablet, not remembered: clearing leaves nothing.
    assert!(b.has("#remember").await, "remembering is offered, not chosen");
    b.click("#clear").await;
    b.find("#code").await;
    b.screenshot("app-cleared-7").await;
    assert_nothing_stored(&b).await;
    assert_eq!(
        b.js("return location.href", json!([])).await,
        format!("{}/app/", app.base)
    );
    b.refresh().await;
    b.find("#code").await;
    assert!(!b.has("#welcome").await, "nothing of that child for the next");
    assert_eq!(
        b.js("return document.querySelector('#code').value", json!([])).await,
        ""
    );

    // Fifteen: the survey's words for 15–17, in English, then Vietnamese.
    let b = Browser::phone("en").await;
    open_app(&b, &app).await;
    start_joining(&b, code, 15).await;
    assert_eq!(b.text("#assent-text").await, OLDER_EN);
    b.screenshot("app-assent-15").await;
    accessible(&b, "assent, 15 (en)").await;
    in_other_language(&b, "#assent-text", |t| t == OLDER_VI, "assent, 15").await;
    agree(&b).await;
    b.find("#next").await;
}

#[actix_web::test]
async fn a_child_of_seven_on_their_own_phone_is_remembered_until_they_forget() {
    a_child_on_their_own_phone_is_remembered_until_they_forget(7).await;
}

#[actix_web::test]
async fn a_child_of_fifteen_on_their_own_phone_is_remembered_until_they_forget() {
    a_child_on_their_own_phone_is_remembered_until_they_forget(15).await;
}

async fn a_child_on_their_own_phone_is_remembered_until_they_forget(age: u8) {
    let (app, codes) = worded_sessions(2).await;
    let b = Browser::phone("vi").await;
    open_app(&b, &app).await;
    start_joining(&b, &codes[0], age).await;
    agree(&b).await;
    let first = answer_worded(&b).await;
    assert!(b.has("#to-raise").await, "this survey takes issues");

    // Offered in the child's words, never chosen for them.
    let why = b.text("#remember-why").await;
    assert!(
        why.contains("điện thoại của riêng em") && why.contains("không nhớ tên em"),
        "{why}"
    );
    assert!(
        !b.stored().await["local"]
            .as_array()
            .unwrap()
            .contains(&json!("langnghe.me"))
    );
    show_remember_box(&b).await;
    b.screenshot(&format!("app-remember-offer-{age}")).await;
    accessible(&b, "remember offered").await;
    in_other_language(&b, "#remember-why", |t| t.contains("your own"), "remember offered (en)").await;
    b.click("#lang").await;
    b.click("#remember").await;
    b.find("#forget").await;
    show_remember_box(&b).await;
    b.screenshot(&format!("app-remembered-{age}")).await;
    accessible(&b, "remembered").await;
    in_other_language(
        &b,
        "#remember-box",
        |t| t.contains("This phone remembers you"),
        "remembered (en)",
    )
    .await;
    b.click("#lang").await;
    b.wait_text("#remember-box", 10, |t| t.contains("Điện thoại này nhớ em"))
        .await;
    let kept = b
        .js("return JSON.parse(localStorage.getItem('langnghe.me'))", json!([]))
        .await;
    assert!(kept["participant"].as_str().unwrap().len() > 20, "{kept}");
    assert_eq!(kept["receipts"][0]["code"], first.as_str());

    // A reload and a new tab: still remembered.
    b.refresh().await;
    b.find("#forget").await;
    b.new_tab().await;
    open_app(&b, &app).await;
    b.find("#forget").await;

    // Another survey on another day: the phone says who the child is, so
    // "my data" holds both answers and both receipts are followed.
    b.click("#another").await;
    b.find("#welcome").await;
    b.screenshot(&format!("app-welcome-back-{age}")).await;
    accessible(&b, "welcome back").await;
    in_other_language(&b, "#welcome", |t| t.contains("remembers you"), "welcome back (en)").await;
    b.click("#lang").await;
    start_joining(&b, &codes[1], age).await;
    agree(&b).await;
    let second = answer_worded(&b).await;
    // This survey takes none: raising one is not offered (the API would
    // refuse it), also after a reload.
    assert!(
        !b.has("#to-raise").await,
        "raising offered where the survey takes no issues"
    );
    let token = b
        .js(
            "return JSON.parse(localStorage.getItem('langnghe.app')).token",
            json!([]),
        )
        .await;
    app.raise(token.as_str().unwrap(), "not-here", "Sân chơi", "Sân chơi nhỏ quá.")
        .await
        .assert_problem(403, "issues_not_allowed");
    b.refresh().await;
    b.find("#to-mine").await;
    assert!(!b.has("#to-raise").await, "raising offered after a reload");
    b.click("#to-mine").await;
    let held = b.wait_text("#held", 10, |t| !t.is_empty()).await;
    assert!(held.contains("2 câu trả lời"), "one child across visits: {held}");
    b.click("#home").await;
    b.click("#to-status").await;
    let said = b.wait_text("#statuses", 10, |t| t.contains(&second)).await;
    assert!(said.contains(&first), "{said}");

    // From the start screen too, with no survey open.
    b.click("#home").await;
    b.click("#another").await;
    b.click("#to-mine").await;
    b.wait_text("#held", 10, |t| t.contains("2 câu trả lời")).await;
    b.click("#home").await;

    // Forgetting: the phone keeps nothing of who the child is.
    b.click("#forget").await;
    b.wait_text("#live", 10, |t| t.contains("đã quên em")).await;
    assert!(!b.has("#welcome").await);
    let stored = b.stored().await;
    assert!(
        !stored["local"].as_array().unwrap().contains(&json!("langnghe.me")),
        "{stored}"
    );
    b.refresh().await;
    b.find("#code").await;
    assert!(!b.has("#welcome").await && !b.has("#forget").await);

    // Remembered again, then "clear this device" removes it too.
    let b = Browser::phone("vi").await;
    open_app(&b, &app).await;
    start_joining(&b, &codes[0], 16).await;
    agree(&b).await;
    answer_worded(&b).await;
    b.click("#remember").await;
    b.find("#forget").await;
    b.click("#clear").await;
    b.find("#code").await;
    assert_nothing_stored(&b).await;
    b.refresh().await;
    b.find("#code").await;
    assert!(!b.has("#welcome").await);
}

/// The browser's voices, replaced for the test: none at first, then one
/// English voice arriving later (as Chromium loads its voices), which
/// records what it is asked to say.
const TEST_VOICES: &str = "
  let voices = [];
  const listeners = [];
  window.__spoken = [];
  window.__addVoice = (lang) => {
    voices = [{lang, name: 'Test voice', voiceURI: 'test', localService: true, default: true}];
    listeners.forEach((f) => f());
  };
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.voice = null; };
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({text: u.text, lang: u.lang}),
    cancel: () => {},
    addEventListener: (name, f) => { if (name === 'voiceschanged') listeners.push(f); },
  }});";

#[actix_web::test]
async fn a_child_of_fifteen_answers_every_type_with_stars_and_read_aloud_where_a_voice_speaks() {
    let c = class().await;

    // A child of seven, in Vietnamese: read-aloud on the question and on
    // each option once a Vietnamese voice is there; listening never chooses.
    let young = Browser::phone("vi").await;
    before_each_page(&young, TEST_VOICES).await;
    open_app(&young, &c.app).await;
    join(&young, &c.code, 7).await;
    assert!(!young.has("[data-speak]").await, "hidden with no voice at all");
    young.js("window.__addVoice('vi-VN')", json!([])).await;
    let buttons = how_many(&young, "[data-speak]").await;
    assert_eq!(buttons, 3, "the question and its two options");
    accessible(&young, "choice with read-aloud (vi, 7)").await;
    young.click(".option [data-speak]").await;
    let spoken = young.js("return window.__spoken", json!([])).await;
    assert_eq!(spoken[0]["text"], "Có", "{spoken}");
    assert_eq!(spoken[0]["lang"], "vi-VN");
    let chosen = how_many(&young, "input:checked").await;
    assert_eq!(chosen, 0, "listening to an option does not choose it");
    young.screenshot("app-read-aloud-7").await;

    let b = Browser::phone("en").await;
    before_each_page(&b, TEST_VOICES).await;
    // This child's phone asks for reduced motion.
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}),
    )
    .await;
    open_app(&b, &c.app).await;
    b.find("#code").await;
    still(&b, "join").await;
    b.type_into("#code", &c.code).await;
    b.select("#age", "15").await;
    b.click("input[name=gender][value=girl]").await;
    // Redrawn in another language, or when a voice arrives: what the child
    // typed stays.
    b.click("#lang").await;
    b.wait_text("h1", 10, |t| t.contains("Tham gia")).await;
    b.js("window.__addVoice('vi-VN')", json!([])).await;
    let typed = b
        .js(
            "return [document.querySelector('#code').value, document.querySelector('#age').value,
                     document.querySelector('input[name=gender]:checked')?.value]",
            json!([]),
        )
        .await;
    assert_eq!(typed, json!([c.code, "15", "girl"]));
    b.click("#lang").await;
    b.wait_text("h1", 10, |t| t.contains("Join")).await;
    b.js("window.__addVoice('fr-FR')", json!([])).await;
    b.click("#continue").await;
    agree(&b).await;
    b.find("#next").await;
    assert!(b.text("h1").await.contains("Do you like your school?"));
    // What the page loaded to show the first question: answering downloads
    // nothing more but its calls to the API.
    let loaded = b.js(OWN_FILES, json!([])).await;

    // No voice for the language: no read-aloud button.
    assert!(!b.has("[data-speak]").await, "hidden where no voice speaks en");
    // A voice speaking Vietnamese only changes nothing for an English survey.
    b.js("window.__addVoice('vi-VN')", json!([])).await;
    assert!(!b.has("[data-speak]").await, "a vi voice does not read en");
    // An English voice: a button on the question.
    b.js("window.__addVoice('en-GB')", json!([])).await;
    let buttons = how_many(&b, "[data-speak]").await;
    assert_eq!(buttons, 1, "at fifteen, the question's alone");
    accessible(&b, "choice with read-aloud (en)").await;
    b.screenshot("app-read-aloud-15").await;
    b.click("[data-speak]").await;
    let spoken = b.js("return window.__spoken", json!([])).await;
    assert_eq!(spoken[0]["text"], "Do you like your school?", "{spoken}");
    assert_eq!(spoken[0]["lang"], "en-GB");
    // The buttons in Vietnamese: the question is still English, and is
    // read in English.
    b.click("#lang").await;
    b.wait_text("#next", 10, |t| t == "Tiếp").await;
    b.click("[data-speak]").await;
    let spoken = b.js("return window.__spoken", json!([])).await;
    assert_eq!(spoken[1]["text"], "Do you like your school?", "{spoken}");
    assert_eq!(spoken[1]["lang"], "en-GB", "{spoken}");
    b.click("#lang").await;
    b.wait_text("#next", 10, |t| t == "Next").await;

    // `why_not` stays hidden after "yes".
    b.click("input[value=yes]").await;
    b.click("#next").await;
    assert!(b.text("h1").await.contains("Which places"), "show_if skipped why_not");
    b.click("input[value=class]").await;
    b.screenshot("app-multiple-choice-15").await;
    accessible(&b, "multiple choice (en)").await;
    still(&b, "multiple choice").await;
    b.click("#next").await;
    // At fifteen a rating is stars, not faces.
    assert!(!b.has(".faces").await, "no faces after 6-8");
    assert!(b.text("main").await.contains('\u{2605}'), "stars");
    accessible(&b, "rating with stars (en)").await;
    b.screenshot("app-rating-stars-15").await;
    b.click("input[name=q-happy][value='5']").await;
    b.click("#next").await;
    b.click("input[name=q-walk][value=no]").await;
    b.screenshot("app-yes-no-15").await;
    accessible(&b, "yes/no (en)").await;
    b.click("#next").await;
    b.type_into("input[type=number]", "30").await;
    b.screenshot("app-number-15").await;
    accessible(&b, "number (en)").await;
    still(&b, "number").await;
    b.click("#next").await;
    // Ranking by keyboard: toilets up twice, with Enter on the focused button.
    b.js(
        "document.querySelector('button[data-key=toilets][data-dir=up]').focus()",
        json!([]),
    )
    .await;
    b.keys("\u{E007}").await;
    b.js(
        "document.querySelector('button[data-key=toilets][data-dir=up]:not([disabled])').focus()",
        json!([]),
    )
    .await;
    b.keys("\u{E007}").await;
    assert!(
        b.text(".ranking").await.starts_with("1. toilets"),
        "{}",
        b.text(".ranking").await
    );
    accessible(&b, "ranking (en)").await;
    b.screenshot("app-ranking-15").await;
    b.click("#next").await;
    b.type_into("textarea", "More shade in the yard").await;
    b.wait_text(".hint[aria-live=polite]", 10, |t| t.contains("22 of 300"))
        .await;
    b.screenshot("app-text-15").await;
    accessible(&b, "text (en)").await;
    b.click("#next").await;

    b.wait_text("#receipt", 10, |t| t.len() > 10).await;
    still(&b, "receipt").await;
    assert_eq!(b.js(OWN_FILES, json!([])).await, loaded, "downloaded while answering");
    // Nothing from elsewhere, no cookie.
    let all = b
        .js(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            json!([]),
        )
        .await;
    for name in all.as_array().unwrap() {
        assert!(name.as_str().unwrap().starts_with(&c.app.base), "{name} from elsewhere");
    }
    assert_eq!(b.js("return document.cookie", json!([])).await, "");
    let stored = responses(&c.app).await;
    assert_eq!(stored.len(), 1);
    let answers: Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(answers["like"], "yes");
    assert!(answers.get("why_not").is_none(), "{answers}");
    assert_eq!(answers["places"], json!(["class"]));
    assert_eq!(answers["happy"], 5);
    assert_eq!(answers["walk"], false);
    assert_eq!(answers["minutes"].as_f64(), Some(30.0));
    assert_eq!(answers["wish"], json!(["toilets", "trees", "water"]));
    assert_eq!(answers["say"], "More shade in the yard");

    // Taken back, after a question in the child's words.
    b.click("#withdraw").await;
    b.wait_text("#confirm-text", 10, |t| t.contains("will not count any more"))
        .await;
    b.screenshot("app-withdraw-ask-15").await;
    accessible(&b, "withdraw: are you sure? (en)").await;
    still(&b, "withdraw: are you sure?").await;
    b.click("#confirm-yes").await;
    b.wait_text("main", 10, |t| t.contains("have been taken back")).await;
    b.screenshot("app-withdrawn-15").await;
    assert!(responses(&c.app).await.is_empty());
}

#[actix_web::test]
async fn after_answering_a_child_of_seven_sees_public_results_as_simple_charts() {
    after_answering_a_child_sees_public_results_as_simple_charts(7).await;
}

#[actix_web::test]
async fn after_answering_a_child_of_fifteen_sees_public_results_as_simple_charts() {
    after_answering_a_child_sees_public_results_as_simple_charts(15).await;
}

async fn after_answering_a_child_sees_public_results_as_simple_charts(age: u8) {
    let c = crate::public_page::community().await;
    let app = &c.w.app;
    let code = crate::results::session(app, &c.survey, &c.w.school).await;
    let b = Browser::phone("vi").await;
    open_app(&b, app).await;
    join(&b, &code, age).await;
    yes_then_next(&b, 2).await;
    b.find("#receipt").await;

    // The only survey whose results are public opens at once, as charts
    // with their tables; what few children said is hidden, never 0.
    b.click("#to-results").await;
    b.find("#public-results .chart svg[role=img]").await;
    let shown = b.text("#public-results").await;
    assert!(
        shown.contains("Em có cảm thấy an toàn trên đường đến trường không?"),
        "{shown}"
    );
    assert!(shown.contains("ẩn để bảo vệ trẻ em"), "{shown}");
    crate::public_page::no_small_count_shown(&b, "ẩn để bảo vệ trẻ em").await;
    b.screenshot(&format!("app-results-{age}")).await;
    accessible(&b, "results").await;

    b.click("#lang").await;
    b.wait_text("#public-results", 10, |t| {
        t.contains("Do you feel safe on your way to school?")
    })
    .await;
    crate::public_page::no_small_count_shown(&b, "hidden to protect children").await;
    b.screenshot(&format!("app-results-en-{age}")).await;
    accessible(&b, "results in English").await;
    // The charts at 320 px with text at 200 %.
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    b.wait_until("return document.documentElement.clientWidth === 320", 10)
        .await;
    b.js(
        "document.documentElement.style.fontSize = '200%'; return true",
        json!([]),
    )
    .await;
    // The charts draw themselves again at their box's new width (a
    // ResizeObserver): the page fits once they have.
    b.wait_until(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth",
        10,
    )
    .await;
    let wrong = too_small_or_outside(&b).await;
    assert!(wrong.is_empty(), "results at 320 px / 200 %: {wrong:#?}");
    b.click("#home").await;
    b.find("#to-results").await;
}

/// Long timers shortened, so that a test can watch the device clear
/// itself: the ten idle minutes before answers are sent to five seconds,
/// the three after to a second and a half.
const FAST_IDLE: &str = "
  const later = window.setTimeout;
  window.setTimeout = (f, ms, ...rest) => later(f, ms >= 600000 ? 5000 : ms >= 120000 ? 1500 : ms, ...rest);";

#[actix_web::test]
async fn a_shared_device_clears_itself_once_nobody_touches_it() {
    let c = class().await;
    let b = Browser::phone("vi").await;
    before_each_page(&b, FAST_IDLE).await;
    open_app(&b, &c.app).await;

    // A child who walks away in the middle of the survey: after the longer
    // idle time, nothing of them is left for the next.
    join(&b, &c.code, 12).await;
    b.click("input[value=yes]").await;
    b.click("#next").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(!b.has("#code").await, "cleared before the longer idle time");
    b.wait_text("h1", 15, |t| t.contains("Tham gia")).await;
    assert_nothing_stored(&b).await;
    assert!(responses(&c.app).await.is_empty());

    // Never while answers wait to be sent (a child of seven's).
    join(&b, &c.code, 7).await;
    b.offline(true).await;
    yes_then_next(&b, 7).await;
    b.wait_text("#saved", 10, |t| t.contains("đã được lưu")).await;
    b.screenshot("app-saved-offline-7").await;
    accessible(&b, "saved offline, 7").await;
    tokio::time::sleep(std::time::Duration::from_secs(8)).await;
    assert!(b.has("#saved").await, "cleared with answers waiting");
    assert!(!b.stored().await["local"].as_array().unwrap().is_empty());
    b.offline(false).await;
    b.wait_text("#receipt", 90, |t| t.len() > 10).await;

    // While the child reads "You said, we did", every touch starts the idle
    // time again: three times the (shortened) idle time goes by, and the
    // screen is still theirs.
    b.click("#to-feed").await;
    for _ in 0..9 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        b.keys("\u{E00F}").await; // Page Down
    }
    assert!(!b.has("#code").await, "cleared while the child was reading");
    assert!(!b.stored().await["local"].as_array().unwrap().is_empty());

    // Left alone, it clears itself: nothing of this child is left.
    b.find("#code").await;
    assert_nothing_stored(&b).await;
    assert_eq!(
        b.js("return location.pathname + location.search + location.hash", json!([]))
            .await,
        "/app/"
    );
    assert_eq!(responses(&c.app).await.len(), 1, "what was sent stays sent");
}

/// What on the screen is too small to tap (under 44 × 44 CSS px: buttons,
/// links that stand alone, the labels that hold a choice, fields) or leaves
/// the screen sideways.
async fn too_small_or_outside(b: &Browser) -> Vec<String> {
    let found = b
        .js(
            "const w = document.documentElement.clientWidth;
             const out = [];
             const targets = document.querySelectorAll('button, a, label.choice, select, input[type=text], input[type=number], textarea');
             for (const e of targets) {
               const r = e.getBoundingClientRect();
               if (r.width === 0 && r.height === 0) continue; // not shown
               if (e.tagName === 'A' && e.closest('p') && e.closest('p').textContent.trim() !== e.textContent.trim()) continue; // inline in a sentence
               if (r.width < 44 || r.height < 44) out.push(`${e.tagName}#${e.id}.${e.className} ${Math.round(r.width)}x${Math.round(r.height)}`);
               if (r.right > w + 1) out.push(`${e.tagName}#${e.id} right ${Math.round(r.right)} > ${w}`);
             }
             if (document.documentElement.scrollWidth > w) out.push(`page ${document.documentElement.scrollWidth} > ${w}`);
             return out;",
            json!([]),
        )
        .await;
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn at_320_px_and_200_percent_text_every_target_is_44_px_and_nothing_leaves_the_screen() {
    let c = class().await;
    let b = Browser::phone("vi").await;
    open_app(&b, &c.app).await;
    b.find("#code").await;
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    let width = b.js("return document.documentElement.clientWidth", json!([])).await;
    assert_eq!(width, 320);
    let larger = "document.documentElement.style.fontSize = '200%'; return true";
    b.js(larger, json!([])).await;
    let mut wrong = Vec::new();
    let mut look = async |b: &Browser, screen: &str| {
        for w in too_small_or_outside(b).await {
            wrong.push(format!("{screen}: {w}"));
        }
    };
    look(&b, "join").await;
    b.type_into("#code", &c.code).await;
    b.select("#age", "8").await;
    b.click("#continue").await;
    b.find("#assent").await;
    look(&b, "assent").await;
    agree(&b).await;
    b.find("#next").await;
    b.js(larger, json!([])).await;
    // Each question type, as a child of eight sees it.
    b.click("input[value=no]").await;
    look(&b, "single choice").await;
    b.click("#next").await;
    for screen in [
        "text",
        "multiple choice",
        "faces",
        "yes/no",
        "number",
        "ranking",
        "last text",
    ] {
        b.find("#next").await;
        look(&b, screen).await;
        if screen == "multiple choice" {
            b.click("input[value=yard]").await;
        }
        if screen == "last text" {
            b.type_into("textarea", "bố em say rượu về là đánh em rất đau").await;
            b.offline(true).await;
        }
        b.click("#next").await;
    }
    b.find("#saved").await;
    look(&b, "saved offline").await;
    b.offline(false).await;
    b.js("dispatchEvent(new Event('online')); return true", json!([])).await;
    b.find("#receipt").await;
    b.find("#support a").await;
    look(&b, "receipt with the hotline").await;
    b.click("#withdraw").await;
    b.find("#confirm-yes").await;
    look(&b, "are you sure? (withdraw)").await;
    b.click("#confirm-no").await;
    b.find("#receipt").await;
    b.click("#to-raise").await;
    b.find("#issue-title").await;
    look(&b, "raise").await;
    b.type_into("#issue-title", "Cổng trường").await;
    b.type_into("#issue-body", "Giờ tan học xe máy đỗ kín cổng trường.")
        .await;
    b.click("#issue-send").await;
    b.find("#issue-receipt").await;
    look(&b, "issue sent").await;
    for (to, screen) in [
        ("#to-others", "others"),
        ("#to-status", "status"),
        ("#to-feed", "you said, we did"),
        ("#to-results", "results"),
        ("#to-mine", "my data"),
    ] {
        b.click("#home").await;
        b.click(to).await;
        b.find("#home").await;
        look(&b, screen).await;
    }
    // Remembered, then welcomed back on the start screen.
    b.click("#home").await;
    b.click("#remember").await;
    b.find("#forget").await;
    look(&b, "remembered").await;
    b.click("#another").await;
    b.find("#welcome").await;
    look(&b, "welcome back").await;
    b.click("#welcome #to-mine").await;
    // "Are you sure?", then erased.
    b.click("#erase").await;
    b.find("#confirm-yes").await;
    look(&b, "are you sure? (erase)").await;
    b.click("#confirm-yes").await;
    b.find("#erased").await;
    look(&b, "erased").await;
    // Another child's time runs out as they send.
    b.click("#home").await;
    join(&b, &c.code, 8).await;
    yes_then_next(&b, 6).await;
    time_runs_out(&b).await;
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    b.wait_until("return document.documentElement.clientWidth === 320", 10)
        .await;
    b.js(larger, json!([])).await;
    b.click("#next").await;
    b.find("#expired").await;
    look(&b, "time ran out").await;
    b.click("#clear").await;
    b.find("#confirm-yes").await;
    look(&b, "are you sure? (clear)").await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[actix_web::test]
async fn the_app_installs_and_opens_again_offline_with_no_answer_cached() {
    let c = class().await;
    // Installable: a manifest with a name, the start address and an icon.
    let r = c.app.get("/app/manifest.webmanifest", None).await;
    assert_eq!(r.status, 200);
    let manifest: Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(manifest["start_url"], "/app/");
    assert_eq!(manifest["display"], "standalone");
    let icon = manifest["icons"][0]["src"].as_str().unwrap();
    assert_eq!(c.app.get(icon, None).await.status, 200);

    let b = Browser::phone("vi").await;
    open_app(&b, &c.app).await;
    b.find("#code").await;
    // Once the service worker holds the page, the app opens with no network.
    let start = std::time::Instant::now();
    while b.js("return !!navigator.serviceWorker.controller", json!([])).await != json!(true) {
        assert!(start.elapsed().as_secs() < 15, "no service worker took the page");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    join(&b, &c.code, 10).await;
    yes_then_next(&b, 7).await;
    b.find("#receipt").await;
    b.offline(true).await;
    b.refresh().await;
    b.find("#receipt").await;
    let by_worker = b
        .js(
            "return performance.getEntriesByType('navigation')[0].workerStart > 0",
            json!([]),
        )
        .await;
    assert_eq!(by_worker, json!(true), "the page came from the service worker");
    // What the cache holds is the app's own files, never an answer.
    let cached = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const all = [];
               for (const name of await caches.keys()) {
                 for (const r of await (await caches.open(name)).keys()) all.push(new URL(r.url).pathname);
               }
               done(all);
             })();",
            json!([]),
        )
        .await;
    let cached = cached.as_array().unwrap();
    assert!(!cached.is_empty());
    for path in cached {
        let path = path.as_str().unwrap();
        assert!(
            path.starts_with("/app/") && !path.contains("/api/"),
            "{path} in a cache"
        );
    }
    // Cleared for the next child, still offline: nothing of this child is
    // left, and the app still opens.
    b.click("#clear").await;
    b.find("#code").await;
    assert_nothing_stored(&b).await;
    b.refresh().await;
    b.find("#code").await;
    assert!(!self::cached(&b).await.is_empty(), "the app shell stays cached");
    assert_nothing_stored(&b).await;
    b.offline(false).await;
}

#[actix_web::test]
async fn answers_the_service_refuses_as_given_already_stay_on_the_phone_with_their_key() {
    let (app, codes) = worded_sessions(1).await;
    let b = Browser::phone("vi").await;
    open_app(&b, &app).await;
    start_joining(&b, &codes[0], 10).await;
    agree(&b).await;
    b.click("input[name=q-play][value=yes]").await;
    // The same child sent other answers meanwhile (another tab, the same
    // token): this survey takes one response from each child.
    let token = b
        .js(
            "return JSON.parse(localStorage.getItem('langnghe.app')).token",
            json!([]),
        )
        .await;
    app.submit(token.as_str().unwrap(), "other-tab", json!({"play": false}))
        .await
        .ok(201);
    b.click("#next").await;
    let said = b.wait_text("#problem", 10, |t| !t.is_empty()).await;
    assert_eq!(said, "Em đã trả lời khảo sát này rồi. Cảm ơn em!", "the API's words");
    assert!(b.has("input[name=q-play][value=yes]:checked").await, "the answer shown");
    accessible(&b, "refused as answered already").await;
    // The answers and their key stay on the phone.
    let kept = b
        .js("return JSON.parse(localStorage.getItem('langnghe.app'))", json!([]))
        .await;
    assert_eq!(kept["stage"], "answer", "{kept}");
    assert_eq!(kept["answers"], json!({"play": true}), "{kept}");
    assert_eq!(kept["pending"], json!({"play": true}), "{kept}");
    let key = kept["key"].as_str().unwrap().to_owned();
    // Sent again: the same key, the same refusal, nothing stored twice.
    b.click("#next").await;
    b.wait_text("#problem", 10, |t| t.contains("đã trả lời")).await;
    let again = b
        .js("return JSON.parse(localStorage.getItem('langnghe.app')).key", json!([]))
        .await;
    assert_eq!(again, key.as_str(), "one key for the same answers");
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let answers: Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(answers["play"], false, "the other tab's answers, alone");
}

#[actix_web::test]
async fn a_join_screen_left_with_a_code_typed_clears_itself() {
    let c = class().await;
    let b = Browser::phone("vi").await;
    before_each_page(&b, FAST_IDLE).await;
    open_app(&b, &c.app).await;
    let code = "return document.querySelector('#code').value";
    // A child types the code and walks away: the longer idle time applies
    // (what they typed is still there after the shorter one), and each
    // touch starts it again.
    b.type_into("#code", &c.code).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(b.js(code, json!([])).await, c.code.as_str(), "cleared too soon");
    b.select("#age", "9").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(b.js(code, json!([])).await, c.code.as_str(), "a touch starts it again");
    assert_eq!(
        b.js("return document.querySelector('#age').value", json!([])).await,
        "9"
    );
    // Then nothing of them is left for the next child.
    b.wait_text("#live", 15, |t| t.contains("Máy đã được xoá")).await;
    assert_eq!(b.js(code, json!([])).await, "");
    assert_eq!(b.js("return document.querySelector('#age').value", json!([])).await, "");
    assert_nothing_stored(&b).await;
    accessible(&b, "cleared").await;

    // A code filled in from the QR code's address counts as typed.
    b.goto(&format!("{}/j/{}", c.app.base, c.code)).await;
    b.find("#code").await;
    assert_eq!(b.js(code, json!([])).await, c.code.as_str());
    b.wait_until("return document.querySelector('#code')?.value === ''", 15)
        .await;
    assert_nothing_stored(&b).await;
}

#[actix_web::test]
async fn a_child_of_seven_whose_time_ran_out_reads_kindly_that_the_session_closed_meanwhile() {
    the_session_closed_while_time_ran_out(7, "vi").await;
}

#[actix_web::test]
async fn a_child_of_fifteen_whose_time_ran_out_reads_kindly_that_the_session_closed_meanwhile() {
    the_session_closed_while_time_ran_out(15, "en").await;
}

async fn the_session_closed_while_time_ran_out(age: u8, lang: &str) {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &worded(&district, "Giờ ra chơi")).await;
    let session = app.open_session(&survey, &school, -5, 120).await;
    let b = Browser::phone(lang).await;
    open_app(&b, &app).await;
    start_joining(&b, session["join_code"].as_str().unwrap(), age).await;
    agree(&b).await;
    b.click("input[name=q-play][value=yes]").await;
    time_runs_out(&b).await;
    b.click("#next").await;
    b.find("#expired").await;
    b.screenshot(&format!("app-time-ran-out-{age}")).await;
    accessible(&b, "time ran out").await;

    // The facilitator closes the session before the child joins again.
    let id = session["id"].as_str().unwrap();
    app.post(&format!("/api/v1/sessions/{id}/close"), app.admin(), &json!({}))
        .await
        .ok(200);
    b.click("#rejoin").await;
    b.find("#still-saved").await;
    b.click("#continue").await;
    let said = b.wait_text("#problem", 10, |t| !t.is_empty()).await;
    let kind = if lang == "vi" {
        "Buổi lấy ý kiến này đã kết thúc. Cảm ơn em đã quan tâm!"
    } else {
        "This session has ended. Thank you for your interest!"
    };
    assert_eq!(said, kind, "the API's words for children");
    // The answers can no longer be sent: the child is not asked to try
    // again, and may clear them from the phone.
    assert!(!b.has("#still-saved").await, "no 'join again to send them'");
    let why = b.text("#closed-waiting").await;
    let words = if lang == "vi" {
        "không gửi được nữa"
    } else {
        "can no longer be sent"
    };
    assert!(why.contains(words), "{why}");
    b.screenshot(&format!("app-session-ended-{age}")).await;
    accessible(&b, "the session ended").await;
    assert!(responses(&app).await.is_empty());
    b.click("#closed-waiting #clear").await;
    b.click("#confirm-yes").await;
    let cleared = if lang == "vi" {
        "Máy đã được xoá"
    } else {
        "This device is clear"
    };
    b.wait_text("#live", 10, |t| t.contains(cleared)).await;
    assert!(!b.has("#closed-waiting").await);
    assert_eq!(
        b.js("return document.querySelector('#code').value", json!([])).await,
        ""
    );
    assert_nothing_stored(&b).await;
}
