//! The survey editor in a real browser at a desktop's viewport, against
//! the real service: a Council member writes a survey with a question of
//! every type, wording for an age band and the children's agreement; a
//! refusal points at the field it names and stores nothing; the preview
//! shows what a child of an age sees; publishing freezes the version, a
//! later edit is a new draft, closing ends it — each checked through the
//! API, axe-core clean in Vietnamese and English. A facilitator is refused
//! the screen.

use serde_json::{Value, json};

use crate::console::{accessible, accessible_both, sign_in};
use crate::support::TestApp;
use crate::webdriver::Browser;

/// Types `text` into the control that holds the member at `path` of the
/// survey (`questions.0.key`), as the editor names it.
async fn put(b: &Browser, path: &str, text: &str) {
    b.type_into(&format!("[data-path=\"{path}\"]"), text).await;
}

async fn choose(b: &Browser, path: &str, value: &str) {
    b.select(&format!("select[data-path=\"{path}\"]"), value).await;
}

/// Adds a question of `qtype` with its key and Vietnamese text; `n` is its
/// index.
async fn add_question(b: &Browser, n: usize, qtype: &str, key: &str, text: &str) {
    b.click("#add-question").await;
    b.find(&format!("[data-path=\"questions.{n}.key\"]")).await;
    choose(b, &format!("questions.{n}.type"), qtype).await;
    put(b, &format!("questions.{n}.key"), key).await;
    if !text.is_empty() {
        put(b, &format!("questions.{n}.text.vi"), text).await;
    }
}

async fn survey_id(b: &Browser) -> String {
    let hash = b.js("return location.hash", json!([])).await;
    hash.as_str()
        .unwrap()
        .strip_prefix("#/surveys/")
        .expect("the address names the survey")
        .to_owned()
}

#[actix_web::test]
async fn a_council_member_writes_previews_publishes_and_closes_a_survey() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    app.user("hd.soan", "moderator", None, None).await;
    let count = || async {
        app.get("/api/v1/surveys?limit=100", app.admin()).await.ok(200)["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;

    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "hd.soan").await;
    b.click("#nav a[data-screen=surveys]").await;
    b.wait_text("#surveys-rows", 10, |t| t.contains("Sân chơi an toàn quanh em"))
        .await;
    b.screenshot("console-surveys").await;
    accessible(&b, "survey list").await;
    b.click("#new-survey").await;

    // The survey as a whole, and its first question: one choice.
    put(&b, "title.vi", "Đường đến trường").await;
    put(&b, "title.en", "The way to school").await;
    choose(&b, "owner_unit_id", &district).await;
    choose(&b, "topic", "safety").await;
    b.click("input[data-path=results_public]").await;
    put(&b, "questions.0.key", "feel_safe").await;
    put(
        &b,
        "questions.0.text.vi",
        "Em có cảm thấy an toàn trên đường đến trường không?",
    )
    .await;
    put(&b, "questions.0.text.en", "Do you feel safe on your way to school?").await;
    for (j, (key, label)) in [("yes", "Có"), ("no", "Không"), ("not_sure", "Em không chắc")]
        .into_iter()
        .enumerate()
    {
        if j == 2 {
            b.click("[data-question='0'] [data-act=add-option]").await;
        }
        put(&b, &format!("questions.0.options.{j}.key"), key).await;
        put(&b, &format!("questions.0.options.{j}.label.vi"), label).await;
    }
    // Its own words for the youngest.
    b.click("[data-question='0'] details summary").await;
    put(
        &b,
        "questions.0.text_by_age_band.6-8.vi",
        "Em đi học có thấy an toàn không?",
    )
    .await;

    // A question of every other type; the free text one asked only after
    // "no" or "not sure", and left without its text for now.
    add_question(&b, 1, "text", "why_not", "").await;
    choose(&b, "questions.1.show_if.question", "feel_safe").await;
    put(&b, "questions.1.show_if.in", "no, not_sure").await;
    add_question(&b, 2, "rating", "happy", "Em vui thế nào khi ở trường?").await;
    put(&b, "questions.2.min", "1").await;
    put(&b, "questions.2.max", "5").await;
    b.click("input[data-path='questions.2.faces']").await;
    add_question(&b, 3, "multiple_choice", "places", "Em hay chơi ở đâu?").await;
    put(&b, "questions.3.options.0.label.vi", "Sân trường").await;
    put(&b, "questions.3.options.1.label.vi", "Công viên").await;
    put(&b, "questions.3.max_choices", "2").await;
    add_question(&b, 4, "number", "distance_km", "Nhà em cách trường bao nhiêu km?").await;
    put(&b, "questions.4.min", "0").await;
    put(&b, "questions.4.max", "30").await;
    add_question(&b, 5, "yes_no", "walk", "Em có đi bộ đến trường không?").await;
    add_question(&b, 6, "ranking", "fix_first", "Em muốn sửa điều gì trước?").await;
    put(&b, "questions.6.options.0.label.vi", "Vỉa hè").await;
    put(&b, "questions.6.options.1.label.vi", "Đèn giao thông").await;
    // A question added by mistake, moved and then removed.
    add_question(&b, 7, "yes_no", "oops", "Câu thừa").await;
    b.click("[data-question='7'] [data-act=up]").await;
    assert_eq!(
        b.js(
            "return document.querySelector('[data-path=\"questions.6.key\"]').value",
            json!([])
        )
        .await,
        "oops"
    );
    b.click("[data-question='6'] [data-act=remove-question]").await;
    put(
        &b,
        "assent.6-8.vi",
        "Em muốn kể về đường đến trường. Em có thể dừng lúc nào cũng được.",
    )
    .await;

    // The refusal names question 2's text, marks it, and stores nothing.
    b.click("#save-survey").await;
    let said = b.wait_text("#survey-problems", 10, |t| t.contains("Câu 2")).await;
    assert!(said.contains("Câu 2 · Câu hỏi (vi)"), "{said}");
    assert!(b.has("[data-path='questions.1.text.vi'][aria-invalid=true]").await);
    assert_eq!(
        b.js("return document.activeElement.id", json!([])).await,
        "survey-problems"
    );
    assert_eq!(count().await, before, "nothing stored");
    b.click("#survey-problems a").await;
    assert_eq!(
        b.js("return document.activeElement.dataset.path", json!([])).await,
        "questions.1.text.vi"
    );
    put(&b, "questions.1.text.vi", "Điều gì làm em thấy không an toàn?").await;
    b.click("#save-survey").await;
    b.wait_text("#survey-message", 10, |t| t.contains("Đã lưu bản nháp (phiên bản 1)"))
        .await;
    assert!(!b.has("[aria-invalid]").await);
    assert!(
        !b.text("main").await.contains("null"),
        "nothing drawn from a missing value"
    );
    let id = survey_id(&b).await;

    // What is stored is what was typed, each type with its settings only.
    let stored = app
        .get(&format!("/api/v1/surveys/{id}"), app.admin())
        .await
        .ok(200)
        .clone();
    assert_eq!(stored["status"], "draft");
    let def = &stored["definition"];
    assert_eq!(
        def["title"],
        json!({"vi": "Đường đến trường", "en": "The way to school"})
    );
    assert_eq!(def["owner_unit_id"], district.as_str());
    assert_eq!(def["topic"], "safety");
    assert_eq!(def["results_public"], true);
    let questions = def["questions"].as_array().unwrap();
    let shape: Vec<(&str, &str)> = questions
        .iter()
        .map(|q| (q["key"].as_str().unwrap(), q["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            ("feel_safe", "single_choice"),
            ("why_not", "text"),
            ("happy", "rating"),
            ("places", "multiple_choice"),
            ("distance_km", "number"),
            ("walk", "yes_no"),
            ("fix_first", "ranking")
        ]
    );
    let keys = |q: &Value| -> Vec<String> {
        q["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys(&questions[0]), ["yes", "no", "not_sure"]);
    assert_eq!(questions[0]["options"][2]["label"]["vi"], "Em không chắc");
    assert_eq!(
        questions[0]["text_by_age_band"]["6-8"]["vi"],
        "Em đi học có thấy an toàn không?"
    );
    assert_eq!(
        questions[1]["show_if"],
        json!({"question": "feel_safe", "in": ["no", "not_sure"]})
    );
    assert!(
        questions[1].get("options").is_none(),
        "a text question takes no options"
    );
    assert_eq!(
        (questions[2]["min"].as_f64(), questions[2]["max"].as_f64()),
        (Some(1.0), Some(5.0))
    );
    assert_eq!(questions[2]["faces"], true);
    assert_eq!(keys(&questions[3]), ["o1", "o2"]);
    assert_eq!(questions[3]["max_choices"], 2);
    assert_eq!(questions[4]["max"].as_f64(), Some(30.0));
    assert_eq!(keys(&questions[6]), ["o1", "o2"]);
    assert_eq!(
        def["assent"],
        json!({"6-8": {"vi": "Em muốn kể về đường đến trường. Em có thể dừng lúc nào cũng được."}})
    );

    // The preview is what a child of 7 sees: the band's own wording and
    // agreement; a child of 15 in English gets the service's agreement.
    b.select("#preview-age", "7").await;
    b.click("#preview").await;
    b.wait_text("#preview-assent", 10, |t| t.contains("Em có thể dừng lúc nào"))
        .await;
    assert!(
        b.text("#preview-questions li[data-key=feel_safe]")
            .await
            .contains("Em đi học có thấy an toàn không?")
    );
    assert!(
        b.text("#preview-questions li[data-key=why_not]")
            .await
            .contains("chỉ hỏi khi feel_safe")
    );
    b.select("#preview-age", "15").await;
    b.select("#preview-lang", "en").await;
    b.click("#preview").await;
    b.wait_text("#preview-body h3", 10, |t| t == "The way to school").await;
    assert!(!b.text("#survey-preview").await.contains("null"));
    let assent = b.text("#preview-assent").await;
    assert!(!assent.contains("Em có thể dừng") && assent.len() > 40, "{assent}");
    b.js("document.getElementById('survey-preview').scrollIntoView()", json!([]))
        .await;
    b.screenshot("console-survey-preview").await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-survey-editor").await;
    b.js(
        "document.querySelector('[data-question=\"2\"]').scrollIntoView()",
        json!([]),
    )
    .await;
    b.screenshot("console-survey-questions").await;
    accessible_both(&b, "survey editor", "#survey-form").await;

    // Publishing freezes version 1.
    b.click("#publish-survey").await;
    b.click("#ask-ok").await;
    b.wait_text("#survey-message", 10, |t| t.contains("Đã công bố phiên bản 1"))
        .await;
    let r = app.get(&format!("/api/v1/surveys/{id}"), app.admin()).await;
    assert_eq!(
        (r.body["status"].clone(), r.body["published_version"].clone()),
        (json!("published"), json!(1))
    );

    // An edit after that is version 2, a draft; version 1 is as it was.
    put(&b, "title.vi", "Đường đến trường an toàn").await;
    b.click("#save-survey").await;
    b.wait_text("#survey-message", 10, |t| t.contains("phiên bản 2")).await;
    b.wait_text("#survey-head", 10, |t| t.contains("có bản nháp mới")).await;
    let r = app.get(&format!("/api/v1/surveys/{id}"), app.admin()).await;
    assert_eq!(
        (r.body["latest_version"].clone(), r.body["published_version"].clone()),
        (json!(2), json!(1))
    );
    let v1 = app.get(&format!("/api/v1/surveys/{id}?version=1"), app.admin()).await;
    assert_eq!(v1.body["definition"]["title"]["vi"], "Đường đến trường");

    // Closing ends it; the form is for reading only.
    b.click("#close-survey").await;
    b.click("#ask-ok").await;
    b.wait_text("#survey-message", 10, |t| t.contains("Khảo sát đã đóng"))
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/surveys/{id}"), app.admin()).await.body["status"],
        "closed"
    );
    assert!(b.has("#save-survey[disabled]").await);
    assert!(b.has("#publish-survey[disabled]").await);
    b.click("a[href='#/surveys']").await;
    b.wait_text(&format!("#surveys-rows tr[data-id='{id}']"), 10, |t| {
        t.contains("Đã đóng")
    })
    .await;
}

#[actix_web::test]
async fn a_facilitator_is_refused_the_survey_editor() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    app.user("tpt.soan", "facilitator", Some(&school), None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "tpt.soan").await;
    assert!(!b.has("#nav a[data-screen=surveys]").await);
    b.js("location.hash = '#/surveys/new'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("không có quyền")).await;
    assert!(!b.has("#survey-form").await);
}
