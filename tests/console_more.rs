//! The console's later screens in a real browser at a desktop's viewport,
//! against the real service: the bar that holds an admin's screens on one
//! line, results narrowed to a unit of the caller's scope, an issue's note
//! and unit, splits, moves and renames with the API's refusals, the school
//! terms, the safeguarding webhook and the webhook dead letters, and an
//! event corrected and entered by the units below it — each checked
//! through the API it drives, axe-core clean in Vietnamese and English.

use serde_json::{Value, json};

use crate::console::{accessible, accessible_both, sign_in};
use crate::support::{TestApp, eventually, find};
use crate::webdriver::Browser;

async fn admin_section(app: &TestApp, part: &str, ready: &str) -> Browser {
    app.user("qt.them", "admin", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "qt.them").await;
    b.click("#nav a[data-screen=admin]").await;
    b.click(&format!(".subnav a[data-part={part}]")).await;
    b.find(ready).await;
    b
}

/// The distinct tops of the links matching `css`: one line, one top.
async fn lines(b: &Browser, css: &str) -> Value {
    b.js(
        "return [...new Set([...document.querySelectorAll(arguments[0])].map((a) => Math.round(a.getBoundingClientRect().top)))]",
        json!([css]),
    )
    .await
}

#[actix_web::test]
async fn an_admins_screens_fit_one_line_and_are_reached_by_keyboard() {
    let app = TestApp::spawn().await;
    app.user("qt.thanh", "admin", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "qt.thanh").await;
    assert_eq!(
        b.js("return document.querySelectorAll('#nav a').length", json!([]))
            .await,
        9
    );
    for (lang, next) in [("vi", "Admin"), ("en", "Quản trị")] {
        assert_eq!(lines(&b, "#nav a").await.as_array().unwrap().len(), 1, "{lang}");
        b.click("#nav a[data-screen=admin]").await;
        b.find(".subnav a[data-part=webhooks]").await;
        assert_eq!(lines(&b, ".subnav a").await.as_array().unwrap().len(), 1, "{lang}");
        // Nothing of the bar leaves the screen.
        assert_eq!(
            b.js(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                json!([])
            )
            .await,
            true
        );
        b.click("#lang").await;
        b.wait_text("#nav", 10, |t| t.contains(next)).await;
    }
    // At a smaller laptop's 1.280 px too.
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    )
    .await;
    assert_eq!(lines(&b, "#nav a").await.as_array().unwrap().len(), 1);
    b.cdp("Emulation.clearDeviceMetricsOverride", json!({})).await;

    // From the skip link, Tab reaches each screen in order; Enter opens it.
    b.js("document.querySelector('.skip').focus()", json!([])).await;
    let mut reached = Vec::new();
    for _ in 0..9 {
        b.keys("\u{E004}").await;
        reached.push(
            b.js("return document.activeElement.dataset.screen || ''", json!([]))
                .await
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        reached,
        [
            "sessions", "issues", "recs", "answers", "events", "surveys", "results", "progress", "admin"
        ]
    );
    b.keys("\u{E004}").await;
    assert_eq!(b.js("return document.activeElement.id", json!([])).await, "lang");
    b.js(
        "document.querySelector('#nav a[data-screen=progress]').focus()",
        json!([]),
    )
    .await;
    b.keys("\u{E007}").await;
    b.find("#nav a[data-screen=progress][aria-current=page]").await;
    b.find("#progress-period").await;
    b.screenshot("console-nav").await;
    accessible(&b, "the bar").await;
}

#[actix_web::test]
async fn results_narrow_to_a_unit_the_callers_scope_covers() {
    let c = crate::public_page::community().await;
    let app = &c.w.app;
    let [duc_nhuan, cau_kieu] = [
        app.unit_id("HCM-DUCNHUAN", "2026-11-25").await,
        app.unit_id("HCM-CAUKIEU", "2026-11-25").await,
    ];
    // What the API answers for each ward, broken down by ward.
    let groups = |unit: String| {
        let path = format!(
            "/api/v1/surveys/{}/results?by=unit&unit_level=ward&unit_id={unit}",
            c.survey
        );
        async move { app.get(&path, app.admin()).await.ok(200)["groups"].clone() }
    };
    let here = groups(duc_nhuan.clone()).await;
    assert!(here.to_string().contains("Phường Đức Nhuận"), "{here}");
    assert_eq!(groups(cau_kieu.clone()).await, json!([]));

    // A moderator: every unit, narrowed to one ward at a time.
    app.user("mod.don.vi", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "mod.don.vi").await;
    b.click("#nav a[data-screen=results]").await;
    b.find("#results-release").await;
    let units = b
        .js(
            "return [...document.querySelectorAll('#results-unit option')].map((o) => o.value)",
            json!([]),
        )
        .await;
    assert!(units.as_array().unwrap().len() > 20, "{units}");
    b.select("#results-survey", &c.survey).await;
    b.select("#results-by", "unit").await;
    b.select("#results-unit", &duc_nhuan).await;
    b.click("#results-show").await;
    b.wait_text("#results-out", 10, |t| t.contains("Phường Đức Nhuận"))
        .await;
    b.screenshot("console-results-unit").await;
    accessible(&b, "results of a ward").await;
    b.select("#results-unit", &cau_kieu).await;
    b.click("#results-show").await;
    b.wait_text("#results-out", 10, |t| {
        t.contains("Đường đến trường của em") && !t.contains("Phường Đức Nhuận")
    })
    .await;
    b.click("#signout").await;

    // A facilitator: their school alone, and everything they may see.
    let school = c.w.school.clone();
    app.user("tpt.don.vi", "facilitator", Some(&school), None).await;
    sign_in(&b, app, "tpt.don.vi").await;
    b.click("#nav a[data-screen=results]").await;
    b.find("#results-release").await;
    let units = b
        .js(
            "return [...document.querySelectorAll('#results-unit option')].map((o) => [o.value, o.textContent])",
            json!([]),
        )
        .await;
    assert_eq!(units.as_array().unwrap().len(), 2, "{units}");
    assert_eq!(units[0][0], "");
    assert_eq!(units[0][1], "Cả phạm vi của tôi");
    assert_eq!(units[1][0], school.as_str());
    b.select("#results-survey", &c.survey).await;
    b.select("#results-unit", &school).await;
    b.click("#results-show").await;
    b.wait_text("#results-out", 10, |t| t.contains("Đường đến trường của em"))
        .await;
    assert_eq!(b.text("#results-error").await, "");
    b.click("#lang").await;
    b.wait_text("label[for=results-unit]", 10, |t| t == "Of the unit").await;
    accessible(&b, "results of a facilitator (en)").await;
}

#[actix_web::test]
async fn a_moderator_keeps_a_note_on_an_issue_and_sets_its_unit() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let ward = app.unit_id("HCM-CAUKIEU", "2026-11-25").await;
    app.user("mod.ghi.chu", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "mod.ghi.chu").await;
    b.click("#nav a[data-screen=issues]").await;
    b.select("#f-status", "accepted").await;
    let id = w.issues[0].clone();
    let row = format!("tr[data-id='{id}']");
    b.wait_text(&format!("{row} .unit"), 10, |t| t.contains("PN-S06")).await;
    b.click(&format!("{row} td")).await;
    b.wait_text("tr.current", 10, |t| t.contains("Đường đến trường tối"))
        .await;

    // Too long a note: the API's refusal, in the dialog that stays open.
    b.keys("n").await;
    b.find("#ask #note-text").await;
    accessible(&b, "the note dialog").await;
    b.js(
        "document.getElementById('note-text').value = 'x'.repeat(2001)",
        json!([]),
    )
    .await;
    b.click("#ask-ok").await;
    b.wait_text("#ask-error", 10, |t| t.contains("note")).await;

    // A note and another unit: the row changes in place, the API agrees.
    b.type_into("#note-text", "Hẻm 120 thuộc phường Cầu Kiệu; hỏi thêm Ban Giám hiệu.")
        .await;
    b.select("#note-unit", &ward).await;
    b.click("#ask-ok").await;
    b.wait_text(&format!("{row} .mod-note"), 10, |t| t.contains("Hẻm 120"))
        .await;
    b.wait_text(&format!("{row} .unit"), 10, |t| t.contains("HCM-CAUKIEU"))
        .await;
    let issue = app.get(&format!("/api/v1/issues/{id}"), app.admin()).await;
    assert_eq!(issue.ok(200)["unit_id"], ward.as_str());
    assert_eq!(
        issue.body["moderator_note"],
        "Hẻm 120 thuộc phường Cầu Kiệu; hỏi thêm Ban Giám hiệu."
    );
    b.screenshot("console-issue-note").await;
    accessible(&b, "an issue with its note").await;

    // An empty note clears it.
    b.click(&format!("{row} button[data-act=note]")).await;
    b.type_into("#note-text", "").await;
    b.click("#ask-ok").await;
    b.wait_text(&row, 10, |t| !t.contains("hỏi thêm Ban Giám hiệu")).await;
    assert!(!b.has(&format!("{row} .mod-note")).await);
    let issue = app.get(&format!("/api/v1/issues/{id}"), app.admin()).await;
    assert_eq!(issue.ok(200)["moderator_note"], Value::Null);
    assert_eq!(issue.body["unit_id"], ward.as_str());
}

#[actix_web::test]
async fn an_admin_records_a_move_a_split_and_a_rename_and_sees_the_refusals() {
    let app = TestApp::spawn_demo().await;
    let at = "2026-11-25";
    let (district, s06, phu_nhuan, cau_kieu, duc_nhuan, s11) = (
        app.unit_id("PN", at).await,
        app.unit_id("PN-S06", at).await,
        app.unit_id("HCM-PHUNHUAN", at).await,
        app.unit_id("HCM-CAUKIEU", at).await,
        app.unit_id("HCM-DUCNHUAN", at).await,
        app.unit_id("PN-S11", at).await,
    );
    let b = admin_section(&app, "units", "#tree li").await;
    b.find(&format!("#move-unit option[value='{s06}']")).await;

    // A move the API refuses (a district under a ward), then one it takes.
    b.type_into("#move-title", "Chuyển quận").await;
    b.type_into("#move-on", "01/01/2027").await;
    b.select("#move-unit", &district).await;
    b.select("#move-parent", &duc_nhuan).await;
    b.click("#record-move").await;
    b.wait_text("#move-error", 10, |t| t.contains("moves[0]")).await;
    b.type_into("#move-title", "Liên đội Bình Minh về phường Phú Nhuận")
        .await;
    b.type_into("#move-on", "01/01/2027").await;
    b.select("#move-unit", &s06).await;
    b.select("#move-parent", &phu_nhuan).await;
    b.click("#record-move").await;
    b.wait_text("#units-message", 10, |t| {
        t.contains("Liên đội Bình Minh về phường Phú Nhuận")
    })
    .await;
    let moved = app
        .get(&format!("/api/v1/units/{s06}?at=2027-01-01"), app.admin())
        .await;
    assert_eq!(moved.ok(200)["ancestors"][0]["code"], "HCM-PHUNHUAN");
    let before = app
        .get(&format!("/api/v1/units/{s06}?at=2026-12-31"), app.admin())
        .await;
    assert_eq!(before.ok(200)["ancestors"][0]["code"], "HCM-DUCNHUAN");

    // A split: a code already in use is refused; then two wards, the
    // first taking the history, the schools shared between them.
    b.type_into("#split-title", "Chia tách phường Cầu Kiệu").await;
    b.type_into("#split-on", "01/01/2027").await;
    b.select("#split-unit", &cau_kieu).await;
    let kids = b
        .js(
            "return [...document.querySelectorAll('select.split-child')].map((s) => s.dataset.unit)",
            json!([]),
        )
        .await;
    let kids: Vec<String> = kids
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    assert!(kids.len() >= 2, "{kids:?}");
    for (n, code, vi) in [
        (1, "PN-S06", "Phường Cầu Kiệu Bắc"),
        (2, "HCM-CAUKIEU-NAM", "Phường Cầu Kiệu Nam"),
    ] {
        b.type_into(&format!("#split-code-{n}"), code).await;
        b.type_into(&format!("#split-vi-{n}"), vi).await;
    }
    b.select(&format!("#split-child-{}", kids[1]), "n2").await;
    b.click("#record-split").await;
    b.wait_text("#split-error", 10, |t| t.contains("open[0].code")).await;
    b.type_into("#split-code-1", "HCM-CAUKIEU-BAC").await;
    b.click("#record-split").await;
    b.wait_text("#units-message", 10, |t| t.contains("Chia tách phường Cầu Kiệu"))
        .await;
    let reorgs = app.get("/api/v1/reorganisations?limit=100", app.admin()).await;
    let split = find(reorgs.ok(200), "items", |r| r["title"] == "Chia tách phường Cầu Kiệu");
    let links: Vec<(String, bool)> = split["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["to"]["code"].as_str().unwrap().to_owned(),
                l["is_default"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("HCM-CAUKIEU-BAC".to_owned(), true),
            ("HCM-CAUKIEU-NAM".to_owned(), false)
        ]
    );
    for (kid, ward) in [(&kids[0], "HCM-CAUKIEU-BAC"), (&kids[1], "HCM-CAUKIEU-NAM")] {
        let u = app
            .get(&format!("/api/v1/units/{kid}?at=2027-01-01"), app.admin())
            .await;
        assert_eq!(u.ok(200)["ancestors"][0]["code"], ward);
    }
    b.wait_text("#reorgs-rows", 10, |t| t.contains("HCM-CAUKIEU-NAM")).await;

    // A rename: a code taken is refused, then the new names hold.
    b.select("#rename-unit", &s11).await;
    assert_eq!(
        b.js("return document.getElementById('rename-code').value", json!([]))
            .await,
        "PN-S11"
    );
    b.type_into("#rename-code", "PN-S06").await;
    b.click("#record-rename").await;
    b.wait_text("#rename-error", 10, |t| !t.is_empty()).await;
    b.type_into("#rename-code", "PN-S11").await;
    b.type_into("#rename-vi", "Liên đội Trường Tiểu học Chồi Xanh").await;
    b.type_into("#rename-en", "Choi Xanh Primary School Pioneer unit").await;
    b.click("#record-rename").await;
    b.wait_text("#units-message", 10, |t| t.contains("Chồi Xanh")).await;
    let u = app.get(&format!("/api/v1/units/{s11}"), app.admin()).await;
    assert_eq!(
        u.ok(200)["name"],
        json!({"vi": "Liên đội Trường Tiểu học Chồi Xanh", "en": "Choi Xanh Primary School Pioneer unit"})
    );
    b.js("document.getElementById('new-split').scrollIntoView()", json!([]))
        .await;
    b.screenshot("console-admin-reorganise").await;
    accessible_both(&b, "splits, moves and renames", "#new-split").await;
}

#[actix_web::test]
async fn an_admin_sets_the_dates_of_a_school_years_terms() {
    let app = TestApp::spawn().await;
    let b = admin_section(&app, "calendar", "#terms-rows tr[data-year]").await;
    b.wait_text("#terms-rows", 10, |t| t.contains("2026-2027")).await;
    let listed = app.get("/api/v1/calendar/school-terms", app.admin()).await;
    let hk1 = find(listed.ok(200), "terms", |t| t["period"] == "2026-2027-HK1").clone();
    let shown = b.text("#terms-rows tr[data-year='2026-2027'] .hk1").await;
    let dmy = |d: &Value| {
        let p: Vec<&str> = d.as_str().unwrap().split('-').collect();
        format!("{}/{}/{}", p[2], p[1], p[0])
    };
    assert_eq!(shown, format!("{} – {}", dmy(&hk1["first_day"]), dmy(&hk1["last_day"])));

    // A new school year: term II before term I is refused in the API's words.
    b.type_into("#terms-year", "2028-2029").await;
    for (id, day) in [
        ("hk1-first", "05/09/2028"),
        ("hk1-last", "15/01/2029"),
        ("hk2-first", "02/01/2029"),
        ("hk2-last", "31/05/2029"),
    ] {
        b.type_into(&format!("#terms-{id}"), day).await;
    }
    b.click("#save-terms").await;
    b.wait_text("#terms-error", 10, |t| t.contains("hk2")).await;
    b.type_into("#terms-hk1-last", "31/02/2029").await;
    b.click("#save-terms").await;
    b.wait_text("#terms-error", 10, |t| t.contains("31/02/2029")).await;
    b.type_into("#terms-hk1-last", "16/01/2029").await;
    b.type_into("#terms-hk2-first", "18/01/2029").await;
    b.click("#save-terms").await;
    b.wait_text("#terms-message", 10, |t| t.contains("2028-2029")).await;
    b.wait_text("#terms-rows tr[data-year='2028-2029']", 10, |t| {
        t.contains("05/09/2028 – 16/01/2029") && t.contains("18/01/2029 – 31/05/2029")
    })
    .await;
    let listed = app.get("/api/v1/calendar/school-terms", app.admin()).await;
    let hk2 = find(listed.ok(200), "terms", |t| t["period"] == "2028-2029-HK2");
    assert_eq!(
        (&hk2["first_day"], &hk2["last_day"]),
        (&json!("2029-01-18"), &json!("2029-05-31"))
    );

    // Editing a year fills the form with its dates.
    b.click("#terms-rows tr[data-year='2026-2027'] button[data-act=edit]")
        .await;
    assert_eq!(
        b.js("return document.getElementById('terms-hk1-first').value", json!([]))
            .await,
        dmy(&hk1["first_day"])
    );
    b.js("document.getElementById('terms').scrollIntoView()", json!([]))
        .await;
    b.screenshot("console-admin-terms").await;
    accessible_both(&b, "school terms", "#terms-rows tr[data-year]").await;
}

#[actix_web::test]
async fn an_admin_sets_the_safeguarding_webhook_and_sends_a_dead_letter_again() {
    let app = TestApp::spawn_demo().await;
    // An agency's webhook nobody answers at: its test event dies.
    let agency = app.first_agency().await;
    let nowhere = "http://127.0.0.1:9/hook";
    app.put(
        &format!("/api/v1/agencies/{agency}/webhook"),
        app.admin(),
        &json!({"url": nowhere}),
    )
    .await
    .ok(200);
    let event = app
        .post(
            &format!("/api/v1/agencies/{agency}/webhook/test"),
            app.admin(),
            &json!({}),
        )
        .await
        .string(202, "id");
    let dead = || async {
        let r = app.get("/api/v1/webhooks/events?status=dead", app.admin()).await;
        r.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == event.as_str())
    };
    assert!(eventually(20, dead).await, "the test event never died");

    let b = admin_section(&app, "webhooks", "#sg-webhook-url").await;
    b.wait_text("#sg-webhook-now", 10, |t| t.contains("Chưa có")).await;
    b.type_into("#sg-webhook-url", "ftp://bao-ve.example.gov.vn/hook").await;
    b.click("#save-sg-webhook").await;
    b.wait_text("#sg-webhook-error", 10, |t| t.contains("url")).await;
    b.type_into("#sg-webhook-url", nowhere).await;
    b.click("#save-sg-webhook").await;
    b.wait_text("#sg-webhook-now", 10, |t| t.contains(nowhere)).await;
    assert!(b.text("#sg-webhook-secret-box").await.contains("giả mạo thông báo"));
    let secret = b
        .js("return document.getElementById('sg-webhook-secret').value", json!([]))
        .await;
    assert!(secret.as_str().unwrap().starts_with("whsec_"), "{secret}");
    let hook = app.get("/api/v1/safeguarding/webhook", app.admin()).await;
    assert_eq!(hook.ok(200)["url"], nowhere);

    // The dead letters: why each failed; one sent again, in place.
    let row = format!("#hook-events-rows tr[data-id='{event}']");
    let text = b.wait_text(&row, 10, |t| t.contains("webhook.test")).await;
    assert!(text.contains("Thư chết"), "{text}");
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-webhooks").await;
    accessible_both(&b, "webhooks", &row).await;
    b.click(&format!("{row} button[data-act=replay]")).await;
    b.wait_text("#hooks-message", 10, |t| t.contains("webhook.test")).await;
    assert_eq!(
        b.js(
            &format!("return document.querySelector(\"{row}\").dataset.status"),
            json!([])
        )
        .await,
        "pending"
    );
    assert!(!b.has(&format!("{row} button[data-act=replay]")).await);
    let audit = app.audit("outbox", &event).await;
    assert!(audit.iter().any(|a| a.action == "webhook.replay"), "{audit:?}");
    // Every state, through the filter.
    b.select("#hooks-status", "").await;
    b.wait_text("#hook-events-rows", 10, |t| t.contains("webhook.test"))
        .await;
}

#[actix_web::test]
async fn a_school_enters_its_children_at_a_district_forum_and_an_admin_corrects_it() {
    let app = TestApp::spawn_demo().await;
    let [school, district] = app.units(["PN-S06", "PN"]).await;
    let forum = app
        .post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "forum", "unit_id": district, "held_on": "2026-11-10",
                "title": "Diễn đàn trẻ em quận", "children_attending": 100, "adults_attending": 12, "issues": [],
                "notes": "Tổ chức tại Nhà thiếu nhi quận"}),
        )
        .await
        .string(201, "id");
    app.user("tpt.dien.dan", "facilitator", Some(&school), None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "tpt.dien.dan").await;
    b.js(&format!("location.hash = '#/events/{forum}'"), json!([])).await;
    b.find("#children-form").await;
    // The facilitator's own school alone; no correction of an event held above.
    let options = b
        .js(
            "return [...document.querySelectorAll('#children-unit option')].map((o) => o.value)",
            json!([]),
        )
        .await;
    assert_eq!(options, json!([school]));
    assert!(!b.has("#fix-event").await);

    // More children than attended: the API's refusal.
    b.type_into("#children-count", "120").await;
    b.click("#save-children").await;
    b.wait_text("#children-error", 10, |t| t.contains("children_attending"))
        .await;
    // Levels that do not add up: refused too.
    b.type_into("#children-count", "30").await;
    b.type_into("#children-lower_secondary", "20").await;
    b.click("#save-children").await;
    b.wait_text("#children-error", 10, |t| t.contains("children_by_school_level"))
        .await;
    b.type_into("#children-lower_secondary", "30").await;
    b.click("#save-children").await;
    b.wait_text(&format!("#by-unit-rows tr[data-unit='{school}']"), 10, |t| {
        t.contains("30") && t.contains("THCS")
    })
    .await;
    let e = app.get(&format!("/api/v1/events/{forum}"), app.admin()).await;
    assert_eq!(
        (
            &e.ok(200)["children_by_unit"][0]["unit_id"],
            &e.body["children_by_unit"][0]["children_attending"]
        ),
        (&json!(school), &json!(30))
    );
    let facts = b.text("#event-facts").await;
    assert!(
        facts.contains("Tổ chức tại Nhà thiếu nhi quận") && facts.contains("Quận Phú Nhuận"),
        "{facts}"
    );
    let page = b.text("main").await;
    assert!(!page.contains("null") && !page.contains("[object"), "{page}");
    b.screenshot("console-event-children").await;
    accessible_both(&b, "children of units below", "#children-form").await;
    b.click("#signout").await;

    // An admin corrects it: fewer children than the school entered is
    // refused; then a new title and count.
    app.user("qt.su.kien", "admin", None, None).await;
    sign_in(&b, &app, "qt.su.kien").await;
    b.js(&format!("location.hash = '#/events/{forum}'"), json!([])).await;
    b.find("#fix-event").await;
    b.type_into("#fix-children", "20").await;
    b.click("#save-fix").await;
    b.wait_text("#fix-error", 10, |t| t.contains("children_attending"))
        .await;
    b.type_into("#fix-children", "1.100").await;
    b.type_into("#fix-title", "Diễn đàn trẻ em quận Phú Nhuận").await;
    b.type_into("#fix-day", "32/11/2026").await;
    b.click("#save-fix").await;
    b.wait_text("#fix-error", 10, |t| t.contains("dd/mm/yyyy")).await;
    b.type_into("#fix-day", "11/11/2026").await;
    b.click("#save-fix").await;
    b.wait_text("#event-message", 10, |t| !t.is_empty()).await;
    b.wait_text("#event-children", 10, |t| t == "1.100").await;
    assert_eq!(b.text("#event-title").await, "Diễn đàn trẻ em quận Phú Nhuận");
    let e = app.get(&format!("/api/v1/events/{forum}"), app.admin()).await;
    assert_eq!(
        (&e.ok(200)["children_attending"], &e.body["held_on"], &e.body["title"]),
        (
            &json!(1100),
            &json!("2026-11-11"),
            &json!("Diễn đàn trẻ em quận Phú Nhuận")
        )
    );
    accessible_both(&b, "an event corrected", "#fix-event").await;
}
