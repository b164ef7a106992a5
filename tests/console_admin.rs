//! The console's admin screens in a real browser at a desktop's viewport,
//! against the real service: accounts, the organisation over time, topics
//! and agencies with their clients and webhooks, targets, the holiday
//! calendar, retention and the audit log — each checked through the API
//! it drives, axe-core clean in Vietnamese and English; a non-admin is
//! refused them. And the retention settings route they read.

use serde_json::{Value, json};

use crate::console::{accessible, accessible_both, sign_in};
use crate::support::{TestApp, find};
use crate::webdriver::Browser;

/// Opens an admin section from the sub-navigation.
async fn section(b: &Browser, part: &str, ready: &str) {
    b.click(&format!(".subnav a[data-part={part}]")).await;
    b.find(ready).await;
}

async fn admin_browser(app: &TestApp) -> Browser {
    app.user("qt.console", "admin", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, app, "qt.console").await;
    b.click("#nav a[data-screen=admin]").await;
    b
}

async fn user_named(app: &TestApp, username: &str) -> Value {
    let users = app.get("/api/v1/users?limit=100", app.admin()).await;
    find(users.ok(200), "items", |u| u["username"] == username).clone()
}

#[actix_web::test]
async fn retention_settings_are_read_by_admins_only() {
    let app = TestApp::spawn_demo().await;
    let r = app.get("/api/v1/settings/retention", app.admin()).await;
    let d = langnghe_api::config::RetentionPolicy::default();
    assert_eq!(
        r.ok(200),
        &json!({"text_days": d.text_days, "responses_days": d.responses_days, "closed_cases_days": d.closed_cases_days,
            "delivered_webhook_events_days": 30, "request_hashes_days": 7})
    );
    for role in ["moderator", "facilitator", "safeguarding_officer"] {
        let unit = if role == "facilitator" {
            Some(app.unit_id("PN-S06", "2026-01-01").await)
        } else {
            None
        };
        let (_, token) = app.user(&format!("ret.{role}"), role, unit.as_deref(), None).await;
        app.get("/api/v1/settings/retention", Some(&token))
            .await
            .assert_problem(403, "forbidden");
    }
    app.get("/api/v1/settings/retention", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/settings/retention?x=1", app.admin()).await.ok(200);
    app.post("/api/v1/settings/retention", app.admin(), &json!({"text_days": 1}))
        .await
        .assert_problem(405, "method_not_allowed");
}

#[actix_web::test]
async fn a_non_admin_is_refused_the_admin_screens() {
    let app = TestApp::spawn().await;
    app.user("mod.khong", "moderator", None, None).await;
    let b = Browser::desktop("vi").await;
    sign_in(&b, &app, "mod.khong").await;
    let nav = b.text("#nav").await;
    assert!(!nav.contains("Quản trị"), "{nav}");
    b.js("location.hash = '#/admin/users'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("không có quyền")).await;
    assert!(!b.has("#users").await && !b.has(".subnav").await);
    b.js("location.hash = '#/admin/audit'", json!([])).await;
    b.wait_text("main", 10, |t| t.contains("không có quyền")).await;
    assert!(!b.has("#audit").await);
}

#[actix_web::test]
async fn an_admin_creates_an_account_changes_its_role_disables_it_and_resets_a_password() {
    let app = TestApp::spawn_demo().await;
    let [school] = app.units(["PN-S06"]).await;
    let b = admin_browser(&app).await;
    b.find("#users-rows tr[data-username='qt.console']").await;

    // A facilitator needs a unit: the field shows for that role only.
    assert!(
        b.js(
            "return document.getElementById('new-unit').closest('.field').hidden",
            json!([])
        )
        .await
            == true
    );
    b.type_into("#new-username", "Co.Lan").await;
    b.type_into("#new-name", "Cô Lan").await;
    b.select("#new-role", "facilitator").await;
    b.select("#new-unit", &school).await;
    b.type_into("#new-pass", "ngắn").await;
    b.click("#create-user").await;
    b.wait_text("#new-user-error", 10, |t| !t.is_empty()).await;
    b.type_into("#new-pass", "mật-khẩu-của-cô-Lan").await;
    b.click("#create-user").await;
    b.wait_text("#users-message", 10, |t| t.contains("co.lan")).await;
    let lan = user_named(&app, "co.lan").await;
    assert_eq!(lan["role"], "facilitator");
    assert_eq!(lan["unit_id"], school.as_str());
    assert_eq!(lan["display_name"], "Cô Lan");
    let row = "#users-rows tr[data-username='co.lan']";
    assert!(b.text(row).await.contains("Người điều phối"));
    app.login("co.lan", "mật-khẩu-của-cô-Lan").await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-users").await;
    accessible_both(&b, "accounts", row).await;

    // Change the role, in place.
    b.click(&format!("{row} button[data-act=role]")).await;
    b.select("#role-pick", "moderator").await;
    b.click("#ask-ok").await;
    b.wait_text(&format!("{row} .role"), 10, |t| t.contains("Hội đồng"))
        .await;
    let lan = user_named(&app, "co.lan").await;
    assert_eq!(
        (lan["role"].as_str(), lan["unit_id"].as_null()),
        (Some("moderator"), Some(()))
    );

    // A new password: the old one stops working.
    b.click(&format!("{row} button[data-act=password]")).await;
    b.type_into("#new-password", "mật-khẩu-mới-của-cô-Lan").await;
    accessible(&b, "reset password dialog").await;
    b.click("#ask-ok").await;
    b.wait_text("#users-message", 10, |t| t.contains("mật khẩu mới")).await;
    app.sign_in("co.lan", "mật-khẩu-của-cô-Lan")
        .await
        .assert_problem(401, "invalid_credentials");
    app.login("co.lan", "mật-khẩu-mới-của-cô-Lan").await;

    // Disabled: signing in is refused; the filter finds it.
    b.click(&format!("{row} button[data-act=disable]")).await;
    b.wait_text(row, 10, |t| t.contains("Đã khoá")).await;
    assert_eq!(user_named(&app, "co.lan").await["disabled"], true);
    app.sign_in("co.lan", "mật-khẩu-mới-của-cô-Lan")
        .await
        .assert_problem(403, "account_disabled");
    b.select("#f-disabled", "true").await;
    b.wait_text("#users-rows", 10, |t| t.contains("co.lan") && !t.contains("qt.console"))
        .await;
    b.click(&format!("{row} button[data-act=disable]")).await;
    b.wait_text(row, 10, |t| t.contains("Đang hoạt động")).await;
    app.login("co.lan", "mật-khẩu-mới-của-cô-Lan").await;
}

#[actix_web::test]
async fn an_admin_sees_the_tree_on_a_date_and_records_a_merger() {
    let app = TestApp::spawn_demo().await;
    let [s06, s01] = app.units(["PN-S06", "PN-S01"]).await;
    let b = admin_browser(&app).await;
    section(&b, "units", "#tree li").await;
    // Today: the three wards of 1 July 2025; before that day, the thirteen.
    b.wait_text("#tree", 10, |t| t.contains("PN-S06") && !t.contains("Phường 4 ·"))
        .await;
    b.type_into("#tree-day", "30/06/2025").await;
    b.click("#show-tree").await;
    b.wait_text("#tree-title", 10, |t| t.contains("30/06/2025")).await;
    b.wait_text("#tree", 10, |t| t.contains("Phường 4 ·")).await;
    b.type_into("#tree-day", "31/02/2026").await;
    b.click("#show-tree").await;
    b.wait_text("#tree-error", 10, |t| t.contains("dd/mm/yyyy")).await;
    b.type_into("#tree-day", "").await;
    b.click("#show-tree").await;
    b.wait_text("#tree-title", 10, |t| t.contains("hôm nay")).await;
    b.wait_text("#reorgs-rows", 10, |t| t.contains("01/07/2025")).await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-units").await;
    accessible_both(&b, "units", "#tree li").await;

    // Two schools merge on 1 January 2027.
    b.type_into("#reorg-title", "Sáp nhập hai liên đội").await;
    b.type_into("#reorg-on", "01/01/2027").await;
    b.click(&format!("#close-{s06}")).await;
    b.click(&format!("#close-{s01}")).await;
    b.select("#reorg-kind", "school").await;
    b.type_into("#reorg-code", "PN-SMOI").await;
    b.type_into("#reorg-vi", "Liên đội Trường Mới").await;
    let parent = b
        .js("const o = [...document.querySelectorAll('#reorg-parent option')].find(o => o.textContent.includes('HCM-CAUKIEU')); return o.value", json!([]))
        .await;
    b.select("#reorg-parent", parent.as_str().unwrap()).await;
    b.click("#record-reorg").await;
    b.wait_text("#units-message", 10, |t| t.contains("Sáp nhập hai liên đội"))
        .await;
    b.wait_text("#reorgs-rows", 10, |t| {
        t.contains("01/01/2027") && t.contains("PN-SMOI")
    })
    .await;
    let reorgs = app.get("/api/v1/reorganisations?limit=100", app.admin()).await;
    let r = find(reorgs.ok(200), "items", |r| r["title"] == "Sáp nhập hai liên đội");
    assert_eq!(r["effective_on"], "2027-01-01");
    assert_eq!(r["lineage"].as_array().unwrap().len(), 2);
    // The tree of that day has the new school and not the two.
    b.type_into("#tree-day", "01/01/2027").await;
    b.click("#show-tree").await;
    b.wait_text("#tree", 10, |t| t.contains("PN-SMOI") && !t.contains("PN-S06"))
        .await;
    let units = app.get("/api/v1/units?at=2027-01-01&limit=100", app.admin()).await;
    assert!(units.items().iter().any(|u| u["code"] == "PN-SMOI"));

    // A new unit under a ward, from a day typed the Vietnamese way.
    b.select("#unit-kind", "school").await;
    b.type_into("#unit-code", "PN-SNEW").await;
    b.type_into("#unit-vi", "Liên đội Trường Thử").await;
    b.select("#unit-parent", parent.as_str().unwrap()).await;
    b.type_into("#unit-from", "01/12/2026").await;
    b.click("#add-unit").await;
    b.wait_text("#units-message", 10, |t| t.contains("Liên đội Trường Thử"))
        .await;
    let id = app.unit_id("PN-SNEW", "2026-12-01").await;
    let u = app.get(&format!("/api/v1/units/{id}"), app.admin()).await;
    assert_eq!(u.ok(200)["valid_from"], "2026-12-01");
}

#[actix_web::test]
async fn an_admin_keeps_topics_and_an_agency_with_its_client_and_webhook() {
    let app = TestApp::spawn_demo().await;
    let b = admin_browser(&app).await;
    section(&b, "topics", "#topics-rows tr[data-slug]").await;
    b.type_into("#topic-slug", "an_toan_mang").await;
    b.type_into("#topic-vi", "An toàn trên mạng").await;
    b.type_into("#topic-en", "Online safety").await;
    b.click("#add-topic").await;
    let row = "#topics-rows tr[data-slug='an_toan_mang']";
    b.wait_text(row, 10, |t| t.contains("An toàn trên mạng")).await;
    b.click(&format!("{row} button[data-act=active]")).await;
    b.wait_text(&format!("{row} .pill"), 10, |t| t.contains("Ngừng dùng"))
        .await;
    let topics = app.get("/api/v1/topics?limit=100", app.admin()).await;
    assert_eq!(
        find(topics.ok(200), "items", |t| t["slug"] == "an_toan_mang")["active"],
        false
    );
    b.click(&format!("{row} button[data-act=edit]")).await;
    b.type_into("#topic-edit-vi", "An toàn khi lên mạng").await;
    b.click("#ask-ok").await;
    b.wait_text(row, 10, |t| t.contains("An toàn khi lên mạng")).await;
    // A slug taken is refused in words.
    b.type_into("#topic-slug", "an_toan_mang").await;
    b.type_into("#topic-vi", "Trùng").await;
    b.click("#add-topic").await;
    b.wait_text("#new-topic .error", 10, |t| !t.is_empty()).await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-topics").await;
    accessible_both(&b, "topics", row).await;

    // An agency, then its machine client and webhook.
    section(&b, "agencies", "#agencies-rows tr[data-id]").await;
    b.find("#add-agency").await;
    b.type_into("#agency-vi", "Phòng Y tế thử").await;
    b.type_into("#agency-en", "Test health office").await;
    b.select("#agency-kind", "health").await;
    b.click("#agency-topic-education").await;
    b.type_into("#agency-email", "yte@example.gov.vn").await;
    b.click("#add-agency").await;
    b.find("#clients").await;
    b.wait_text("main h1", 10, |t| t.contains("Phòng Y tế thử")).await;
    let agencies = app.get("/api/v1/agencies?limit=100", app.admin()).await;
    let agency = find(agencies.ok(200), "items", |a| a["name"]["vi"] == "Phòng Y tế thử").clone();
    assert_eq!(agency["kind"], "health");
    assert_eq!(agency["topics"], json!(["education"]));
    assert_eq!(agency["contact"]["email"], "yte@example.gov.vn");
    let id = agency["id"].as_str().unwrap();

    b.type_into("#client-label", "Phần mềm một cửa").await;
    b.click("#add-client").await;
    b.find("#client-secret").await;
    let secret = b
        .js("return document.getElementById('client-secret').value", json!([]))
        .await
        .as_str()
        .unwrap()
        .to_owned();
    assert!(b.text("#client-secret-box").await.contains("sẽ không được hiện lại"));
    let client_id = b.text("#new-client-id").await;
    let token = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}),
        )
        .await;
    token.ok(200);
    b.type_into("#webhook-url", "ftp://yte.example.gov.vn/hook").await;
    b.click("#save-webhook").await;
    b.wait_text("#set-webhook + .error", 10, |t| !t.is_empty()).await;
    b.type_into("#webhook-url", "https://localhost:8443/langnghe").await;
    // (Tests allow a destination inside the machine; a real server resolves
    // the host and refuses internal addresses.)
    b.click("#save-webhook").await;
    b.wait_text("#webhook-now", 10, |t| t.contains("https://localhost:8443/langnghe"))
        .await;
    // Its warning says what a holder could do: forge notifications, not
    // act as the agency (that is the client secret's).
    let warning = b.text("#webhook-secret-box").await;
    assert!(
        warning.contains("sẽ không được hiện lại") && warning.contains("giả mạo thông báo"),
        "{warning}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/agencies/{id}/webhook"), app.admin())
            .await
            .ok(200)["url"],
        "https://localhost:8443/langnghe"
    );
    b.click("#test-webhook").await;
    b.wait_text("#agency-message", 10, |t| t.contains("thử")).await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-agency").await;
    accessible_both(&b, "agency", "#clients-rows tr[data-client]").await;
    // The secrets went with the language switch: shown once.
    assert!(!b.has("#client-secret").await && !b.has("#webhook-secret").await);

    // Revoked: the client's secret no longer trades for a token.
    b.click(&format!(
        "#clients-rows tr[data-client='{client_id}'] button[data-act=revoke]"
    ))
    .await;
    b.click("#ask-ok").await;
    b.wait_text(&format!("#clients-rows tr[data-client='{client_id}']"), 10, |t| {
        t.contains("Đã thu hồi")
    })
    .await;
    app.post(
        "/api/v1/auth/token",
        None,
        &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}),
    )
    .await
    .assert_problem(401, "invalid_client");
    // Deactivated from its page.
    b.click("#agency-active").await;
    b.wait_text("#agency-active", 10, |t| t.contains("Dùng lại")).await;
    assert_eq!(
        app.get(&format!("/api/v1/agencies/{id}"), app.admin()).await.ok(200)["active"],
        false
    );
}

#[actix_web::test]
async fn an_admin_sets_a_target_and_a_year_of_holidays_and_reads_retention() {
    let app = TestApp::spawn_demo().await;
    let b = admin_browser(&app).await;
    section(&b, "targets", "#targets-rows tr[data-id]").await;
    b.wait_text("#targets-rows", 10, |t| t.contains("Lượt trẻ em được lấy ý kiến"))
        .await;
    let targets = app.get("/api/v1/targets", app.admin()).await;
    let consultations = targets
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["metric"] == "consultations")
        .unwrap()
        .clone();
    let row = format!("#targets-rows tr[data-id='{}']", consultations["id"].as_str().unwrap());
    b.click(&format!("{row} button[data-act=edit]")).await;
    b.type_into("#target-edit-value", "12.500").await;
    b.click("#ask-ok").await;
    b.wait_text(&format!("{row} .value"), 10, |t| t == "12.500").await;
    let targets = app.get("/api/v1/targets", app.admin()).await;
    let after = targets
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == consultations["id"])
        .unwrap();
    assert_eq!(after["value"], 12500.0);
    // A new one; a period the API does not know is refused in words.
    b.select("#target-metric", "forums").await;
    b.type_into("#target-period", "năm sau").await;
    b.type_into("#target-value", "4").await;
    b.click("#add-target").await;
    b.wait_text("#new-target .error", 10, |t| !t.is_empty()).await;
    b.type_into("#target-period", "2027").await;
    b.click("#add-target").await;
    b.wait_text("#targets-message", 10, |t| t.contains("Đã thêm")).await;
    let targets = app.get("/api/v1/targets", app.admin()).await;
    assert!(
        targets
            .ok(200)
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["metric"] == "forums" && x["period"] == "2027" && x["value"] == 4.0)
    );
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-targets").await;
    accessible_both(&b, "targets", "#targets-rows tr[data-id]").await;

    // The holidays of 2027, one more day, saved as the year's list.
    section(&b, "calendar", "#cal-year").await;
    b.type_into("#cal-year", "2027").await;
    b.click("#show-year").await;
    b.wait_text("#holidays-title", 10, |t| t.contains("2027")).await;
    let before = app
        .get("/api/v1/calendar/holidays?year=2027", app.admin())
        .await
        .ok(200)["holidays"]
        .as_array()
        .unwrap()
        .len();
    assert!(before > 5);
    b.click("#add-holiday").await;
    b.js("const r = [...document.querySelectorAll('#holidays-rows tr')].pop(); r.querySelector('.h-date').id = 'last-date'; r.querySelector('.h-name').id = 'last-name';", json!([])).await;
    b.type_into("#last-date", "31/02/2027").await;
    b.type_into("#last-name", "Ngày hội thiếu nhi quận").await;
    b.click("#save-holidays").await;
    b.wait_text("#calendar-error", 10, |t| t.contains("31/02/2027")).await;
    b.type_into("#last-date", "01/06/2027").await;
    b.click("#save-holidays").await;
    b.wait_text("#calendar-message", 10, |t| t.contains("2027")).await;
    let after = app.get("/api/v1/calendar/holidays?year=2027", app.admin()).await;
    let days = after.ok(200)["holidays"].as_array().unwrap();
    assert_eq!(days.len(), before + 1);
    assert!(
        days.iter()
            .any(|d| d["date"] == "2027-06-01" && d["name"] == "Ngày hội thiếu nhi quận")
    );
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-calendar").await;
    accessible_both(&b, "calendar", "#holidays-rows tr").await;

    // Retention as it stands.
    section(&b, "retention", "#retention").await;
    let text = b.text("#retention").await;
    assert!(
        text.contains("365 ngày") && text.contains("1.095 ngày") && text.contains("1.825 ngày"),
        "{text}"
    );
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-retention").await;
    accessible_both(&b, "retention", "#retention").await;
}

#[actix_web::test]
async fn an_admin_reads_the_audit_log_filtered_and_paged() {
    let app = TestApp::spawn_demo().await;
    // Sixty topics: more than a page of their creations.
    for i in 0..60 {
        app.post(
            "/api/v1/topics",
            app.admin(),
            &json!({"slug": format!("chu_de_{i:02}"), "name": {"vi": format!("Chủ đề {i}")}}),
        )
        .await
        .ok(201);
    }
    let b = admin_browser(&app).await;
    section(&b, "audit", "#audit-rows tr[data-id]").await;
    b.select("#a-entity", "topic").await;
    b.click("#audit-filter").await;
    b.find("#audit:not([aria-busy])").await;
    b.wait_text("#audit-rows", 10, |t| {
        t.contains("chu_de_00") || t.contains("topic.create")
    })
    .await;
    let count = async || {
        b.js(
            "return document.querySelectorAll('#audit-rows tr[data-id]').length",
            json!([]),
        )
        .await
        .as_u64()
        .unwrap()
    };
    let all_topics = |r: &Value| r.as_array().unwrap().iter().all(|x| x.as_str() == Some("topic.create"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count().await != 50 {
        assert!(std::time::Instant::now() < deadline, "a first page of 50");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let actions = b
        .js(
            "return [...document.querySelectorAll('#audit-rows tr')].map(r => r.dataset.action)",
            json!([]),
        )
        .await;
    assert!(all_topics(&actions), "{actions}");
    // "Show more" until the last page: every creation, each once.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while b
        .js("return document.getElementById('audit-more').hidden", json!([]))
        .await
        != true
    {
        assert!(std::time::Instant::now() < deadline, "the last page");
        let before = count().await;
        b.click("#audit-more").await;
        while count().await == before {
            assert!(std::time::Instant::now() < deadline, "the next page");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let mut listed = 0;
    let mut cursor = String::new();
    loop {
        let r = app
            .get(&format!("/api/v1/audit?entity=topic&limit=100{cursor}"), app.admin())
            .await;
        listed += r.items().len();
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert!(listed >= 60);
    assert_eq!(count().await as usize, listed, "every entry, each once");
    // Who and which days: the admin's changes of today, none tomorrow.
    b.select("#a-entity", "").await;
    b.type_into("#a-actor", "admin").await;
    b.type_into("#a-from", "25/11/2026").await;
    b.type_into("#a-to", "25/11/2026").await;
    b.click("#audit-filter").await;
    b.find("#audit:not([aria-busy])").await;
    b.wait_text("#audit-rows", 10, |t| t.contains("25/11/2026") && t.contains("admin"))
        .await;
    b.click("#audit-rows tr[data-action='topic.create'] summary").await;
    b.wait_text("#audit-rows tr[data-action='topic.create'] details", 10, |t| {
        t.contains("chu_de_")
    })
    .await;
    b.js("window.scrollTo(0, 0)", json!([])).await;
    b.screenshot("console-admin-audit").await;
    accessible_both(&b, "audit", "#audit-rows tr[data-id]").await;
    b.type_into("#a-from", "26/11/2026").await;
    b.type_into("#a-to", "26/11/2026").await;
    b.click("#audit-filter").await;
    b.wait_text("#audit-rows", 10, |t| t.contains("Không có mục nào")).await;
    b.type_into("#a-from", "32/11/2026").await;
    b.click("#audit-filter").await;
    b.wait_text("#audit-error", 10, |t| t.contains("dd/mm/yyyy")).await;
    // The purges, from the retention screen's link.
    section(&b, "retention", "#purge-log").await;
    b.click("#purge-log").await;
    b.wait_text("#audit-rows", 10, |t| {
        t.contains("Không có mục nào") || t.contains("retention")
    })
    .await;
    assert_eq!(
        b.js("return document.getElementById('a-entity').value", json!([]))
            .await,
        "retention"
    );
}
