//! The Children's Council's public page and the charts every client
//! shares, in a real browser (Debian's Chromium through ChromeDriver):
//! the chart module on its own (suppressed cells never read as zero, a
//! table behind every chart, 320 px and 200% text), and the headers they
//! are served with.

use serde_json::{Value, json};

use crate::support::TestApp;
use crate::webdriver::Browser;

/// No WCAG 2.2 AA violation on the screen as it is now.
async fn accessible(b: &Browser, screen: &str) {
    let found = b.axe().await;
    assert!(found.is_empty(), "{screen}: {found:#?}");
}

#[actix_web::test]
async fn shared_files_are_served_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    for (file, mime) in [("charts.js", "text/javascript"), ("charts.css", "text/css")] {
        let r = app.get(&format!("/shared/{file}"), None).await;
        assert_eq!(r.status, 200, "{file}");
        assert!(r.header("content-type").unwrap().starts_with(mime), "{file}");
        let csp = r.header("content-security-policy").expect("a policy");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{csp}");
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert!(r.header("set-cookie").is_none());
    }
    app.get("/shared/nothing.js", None)
        .await
        .assert_problem(404, "not_found");
    app.get("/shared/", None).await.assert_problem(404, "not_found");
}

/// Renders a chart with the shared module into an empty page of the
/// service (the console's, whose policy allows only its own scripts) and
/// returns what it drew.
async fn chart_on(b: &Browser, lang: &str) -> Value {
    b.js_async(
        "const [lang, done] = [arguments[0], arguments[arguments.length - 1]];
         import('/shared/charts.js').then((c) => {
           // Only the chart: the console's own screens are tested elsewhere.
           const main = document.createElement('main');
           main.style.padding = '1.5rem';
           document.body.replaceChildren(main);
           document.documentElement.lang = lang;
           main.replaceChildren(c.barChart({
             id: 'test-chart', lang, threshold: 5,
             title: lang === 'vi' ? 'Em thấy sân chơi có an toàn không?' : 'Is the playground safe?',
             rows: [
               { label: lang === 'vi' ? 'Có, rất an toàn và em thích chơi ở đó mỗi ngày sau giờ học' : 'Yes, very safe and I like playing there every day after school', value: 1234, share: 0.625 },
               { label: lang === 'vi' ? 'Không' : 'No', value: 0, share: 0, suppressed: true },
               { label: lang === 'vi' ? 'Không biết' : 'Not sure', value: 740, share: 0.375 },
             ],
           }));
           requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
         }).catch((e) => done(String(e)));",
        json!([lang]),
    )
    .await
}

/// What sticks out of the screen to the right (empty if nothing).
async fn overflows(b: &Browser) -> String {
    b.js(
        "const w = document.documentElement.clientWidth;
         const out = [...document.querySelectorAll('#test-chart *')].filter(e => !e.closest('.chart-scroll') || e.matches('.chart-scroll'))
           .filter(e => e.getBoundingClientRect().right > w + 1)
           .map(e => `${e.tagName}.${e.getAttribute('class')}: ${Math.round(e.getBoundingClientRect().right)} > ${w} (${(e.textContent || '').slice(0, 40)})`);
         if (document.documentElement.scrollWidth > w) out.push(`page ${document.documentElement.scrollWidth} > ${w}`);
         return out.join('\\n')",
        json!([]),
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

#[actix_web::test]
async fn a_chart_hides_small_counts_keeps_a_table_and_fits_a_small_phone() {
    let app = TestApp::spawn().await;
    for lang in ["vi", "en"] {
        let b = Browser::phone(lang).await;
        b.goto(&format!("{}/console/", app.base)).await;
        b.find("#username").await;
        assert_eq!(chart_on(&b, lang).await, json!(true));
        b.find("#test-chart svg[role=img]").await;
        // Numbers the Vietnamese way in both languages; the hidden cell is
        // said to be hidden, never zero, in the picture and in its table.
        let svg = b.text("#test-chart .chart-box").await;
        let described = b
            .js(
                "return document.querySelector('#test-chart svg desc').textContent",
                json!([]),
            )
            .await;
        let described = described.as_str().unwrap();
        assert!(described.contains("1.234"), "{described}");
        let hidden = if lang == "vi" {
            "ẩn để bảo vệ trẻ em"
        } else {
            "hidden to protect children"
        };
        assert!(described.contains(hidden), "{described}");
        let suppressed_row = b
            .js(
                "const g = document.querySelector('#test-chart g[data-suppressed]'); return g ? g.textContent : ''",
                json!([]),
            )
            .await;
        let suppressed_row = suppressed_row.as_str().unwrap();
        assert!(
            suppressed_row.contains(hidden) && !suppressed_row.contains('0'),
            "{suppressed_row}"
        );
        assert!(
            b.has("#test-chart g[data-suppressed] rect.chart-hidden[fill^='url(#']")
                .await
        );
        b.click("#test-chart summary").await;
        let row = b.text("#test-chart tr[data-suppressed]").await;
        assert!(row.contains(hidden) && !row.contains('0'), "{row:?} {svg:?}");
        let table = b.text("#test-chart table").await;
        assert!(table.contains("1.234") && table.contains("63%"), "{table}");
        accessible(&b, &format!("chart {lang}")).await;

        // At 320 px and at 200% text, nothing leaves the screen and the
        // long label wraps.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 320, "height": 700, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        b.js(
            "document.documentElement.style.fontSize = '200%'; return true",
            json!([]),
        )
        .await;
        let start = std::time::Instant::now();
        loop {
            let lines = b
                .js(
                    "return document.querySelectorAll('#test-chart g[data-row=\"0\"] tspan').length",
                    json!([]),
                )
                .await;
            if lines.as_u64().unwrap() >= 3 {
                break;
            }
            assert!(start.elapsed().as_secs() < 10, "the label never wrapped: {lines}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // The chart redraws each row as the size settles: what matters is
        // that it settles inside the screen.
        let start = std::time::Instant::now();
        loop {
            let out = overflows(&b).await;
            if out.is_empty() {
                break;
            }
            assert!(
                start.elapsed().as_secs() < 10,
                "the chart leaves a 320 px screen at 200% text:\n{out}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        b.screenshot(&format!("chart-320-200pct-{lang}")).await;
        accessible(&b, &format!("chart {lang} at 320 px, 200%")).await;
    }
}

#[actix_web::test]
async fn the_public_page_is_served_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    for path in [
        "/cong-dong/",
        "/cong-dong",
        "/cong-dong/r/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        let csp = r.header("content-security-policy").expect("a policy");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert!(r.header("set-cookie").is_none(), "no cookie");
        assert!(
            !r.text.contains("<script>") && !r.text.contains("style="),
            "nothing inline"
        );
    }
    for file in ["public.js", "public.css"] {
        assert_eq!(app.get(&format!("/cong-dong/{file}"), None).await.status, 200, "{file}");
    }
    app.get("/cong-dong/nothing.js", None)
        .await
        .assert_problem(404, "not_found");
}

fn public_survey(owner: &str) -> Value {
    let mut s = crate::surveys::example_survey(owner);
    s["results_public"] = json!(true);
    s["title"] = json!({"vi": "Đường đến trường của em", "en": "Your way to school"});
    s
}

#[actix_web::test]
async fn the_catalog_lists_topics_places_and_public_surveys() {
    let app = TestApp::spawn_demo().await;
    let [district] = app.units(["PN"]).await;
    let public = crate::surveys::published_survey(&app, &public_survey(&district)).await;
    let private = crate::surveys::published_survey(&app, &crate::surveys::example_survey(&district)).await;
    // A public survey not yet published is not listed either.
    let draft = app
        .post("/api/v1/surveys", app.admin(), &public_survey(&district))
        .await
        .created();

    let r = app.get("/api/v1/public/catalog", None).await;
    let body = r.ok(200);
    assert_eq!(body["lang"], "vi");
    let surveys: Vec<&str> = body["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(surveys, vec![public.as_str()], "{private} and {draft} are not public");
    assert_eq!(body["surveys"][0]["title"], "Đường đến trường của em");
    assert_eq!(body["surveys"][0]["kind"], "opinion");
    assert_eq!(body["surveys"][0]["version"], 1);
    let topics = body["topics"].as_array().unwrap();
    assert!(topics.iter().any(|t| t["slug"] == "safety"), "{topics:?}");
    // The district first, then its wards in force today (the demo's three
    // wards since the 2025 reorganisation), each under the district.
    let places = body["places"].as_array().unwrap();
    assert_eq!(places[0]["id"], district.as_str());
    assert_eq!(places[0]["kind"], "district");
    let wards: Vec<&Value> = places.iter().filter(|p| p["kind"] == "ward").collect();
    assert!(!wards.is_empty());
    assert!(wards.iter().all(|w| w["parent_id"] == district.as_str()), "{places:?}");
    assert!(places.iter().all(|p| p["kind"] == "district" || p["kind"] == "ward"));
    // Every place filters the feed and the issues.
    for p in places {
        let id = p["id"].as_str().unwrap();
        app.get(&format!("/api/v1/public/feed?unit_id={id}"), None)
            .await
            .ok(200);
        app.get(&format!("/api/v1/public/issues?unit_id={id}"), None)
            .await
            .ok(200);
    }

    let en = app.get("/api/v1/public/catalog?lang=en", None).await;
    let en = en.ok(200);
    assert_eq!(en["lang"], "en");
    assert_eq!(en["surveys"][0]["title"], "Your way to school");
    assert!(
        en["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == "safety" && t["name"] == "Safety and violence prevention"),
        "{en}"
    );
    let by_header = app.get_in("/api/v1/public/catalog", None, "en").await;
    assert_eq!(by_header.ok(200)["lang"], "en");

    app.get("/api/v1/public/catalog?lang=fr", None)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/public/catalog?limit=5", None)
        .await
        .assert_problem(400, "invalid_query");
}

/// What the community page shows: the demo organisation, a public survey
/// that 12 children of school PN-S06 answered (10 no, 2 yes, nobody "not
/// sure"), released; a recommendation resting on it, sent to the school's
/// board, which answered with a promise and reported progress; two
/// published issues, one supported by a child.
pub struct Community {
    pub w: crate::recommendations::World,
    pub rec: String,
    pub survey: String,
    pub ward: String,
}

pub async fn community() -> Community {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let m = Some(w.moderator.as_str());
    let survey = crate::surveys::published_survey(app, &public_survey(&w.district)).await;
    let code = crate::results::session(app, &survey, &w.school).await;
    let mut child = None;
    for (i, feel) in ["no", "no", "no", "no", "no", "no", "no", "no", "no", "no", "yes", "yes"]
        .iter()
        .enumerate()
    {
        let token = app
            .join(&code, 12, json!({"gender": "girl"}))
            .await
            .string(200, "respondent_token");
        app.submit(&token, "r", json!({"feel_safe": feel, "happy_at_school": 4}))
            .await
            .ok(201);
        if i == 0 {
            child = Some(token);
        }
    }
    app.release().await;
    let mut released = false;
    for _ in 0..200 {
        let r = app.get(&format!("/api/v1/public/surveys/{survey}/results"), None).await;
        if r.ok(200)["release"]["number"].as_i64().unwrap_or(0) >= 1 {
            released = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(released, "the public survey was never released");

    // The Council publishes two accepted issues; a child supports one.
    for id in [&w.issues[0], &w.issues[2]] {
        app.post(&format!("/api/v1/issues/{id}/publish"), m, &json!({}))
            .await
            .ok(200);
    }
    app.post(
        &format!(
            "/api/v1/issues/{}/supports",
            crate::support::public_issue_id(&w.issues[0])
        ),
        child.as_deref(),
        &json!({}),
    )
    .await
    .ok(201);

    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let mut body = crate::recommendations::draft(&w);
    body["evidence"] = json!([{"survey_id": survey, "question_key": "feel_safe"}]);
    let rec = app.post("/api/v1/recommendations", m, &body).await.created();
    app.post(&format!("/api/v1/recommendations/{rec}/approve"), m, &json!({}))
        .await
        .ok(200);
    let sent = app
        .post(
            &format!("/api/v1/recommendations/{rec}/send"),
            m,
            &json!({"deliveries": [{"agency_id": board}]}),
        )
        .await;
    let delivery = crate::recommendations::delivery_for(sent.ok(200), &board);
    let (_, _, token) = crate::recommendations::client_token(app, &board).await;
    let t = Some(token.as_str());
    app.post(
        &format!("/api/v1/agency/deliveries/{delivery}/replies"),
        t,
        &json!({"stance": "accepted", "body": "Nhà trường đồng ý phối hợp với phường lắp đèn.",
                "child_summary": "Nhà trường sẽ cùng phường lắp đèn trên đường các em đi học.",
                "commitments": [{"text": "Lắp 4 đèn đường ở hẻm 120", "due_on": "2027-03-01"}]}),
    )
    .await
    .ok(200);
    let d = app.get(&format!("/api/v1/agency/deliveries/{delivery}"), t).await;
    let commitment = d.ok(200)["commitments"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/agency/deliveries/{delivery}/updates"),
        t,
        &json!({"commitment_id": commitment, "status": "in_progress", "note": "Đã khảo sát vị trí",
                "child_note": "Đã chọn xong chỗ lắp 4 đèn."}),
    )
    .await
    .ok(200);
    let unit = app.get(&format!("/api/v1/units/{}", w.school), app.admin()).await;
    let ward = crate::support::find(unit.ok(200), "ancestors", |u| u["kind"] == "ward")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Community { w, rec, survey, ward }
}

/// Waits for the page to have drawn its screen.
async fn ready(b: &Browser) {
    b.find("main[data-ready=true]").await;
}

/// The disclosure-control attack: whatever the page shows of a chart (the
/// picture's words, its table, its description), a count is either hidden
/// in words or at least k, never 1 to k − 1 and never 0.
pub async fn no_small_count_shown(b: &Browser, hidden: &str) {
    let figures = b
        .js(
            "return [...document.querySelectorAll('.chart-value, .chart-table td:first-of-type')].map(e => e.textContent)",
            json!([]),
        )
        .await;
    let figures = figures.as_array().unwrap();
    assert!(!figures.is_empty(), "no chart on the screen");
    for f in figures {
        let f = f.as_str().unwrap();
        if f.contains(hidden) {
            assert!(
                !f.chars().any(|c| c.is_ascii_digit()),
                "a hidden cell shows a number: {f:?}"
            );
            continue;
        }
        let n: u64 = f
            .split_whitespace()
            .next()
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap_or_else(|_| panic!("not a count: {f:?}"));
        assert!(n >= crate::results::K, "a count under k is shown: {f:?}");
    }
    // Every hidden row says so in the picture, the table and the description.
    let rows = b
        .js(
            "return [...document.querySelectorAll('[data-suppressed]')].map(e => e.textContent)",
            json!([]),
        )
        .await;
    for r in rows.as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(r.contains(hidden) && !r.contains(" 0 ") && !r.ends_with(" 0"), "{r:?}");
    }
}

#[actix_web::test]
async fn the_community_page_on_a_phone_says_what_was_done_in_both_languages() {
    let c = community().await;
    let app = &c.w.app;
    for lang in ["vi", "en"] {
        let (hidden, accepted, doing, supports, none) = if lang == "vi" {
            (
                "ẩn để bảo vệ trẻ em",
                "Đồng ý và sẽ làm",
                "Đang làm",
                // The support was given today: it is published from tomorrow.
                "Chưa có bạn nào ủng hộ",
                "Chưa có gì ở đây",
            )
        } else {
            (
                "hidden to protect children",
                "Said yes and will do it",
                "Doing it",
                "No support yet",
                "Nothing here yet",
            )
        };
        let b = Browser::phone(lang).await;
        let q = if lang == "en" { "?lang=en" } else { "" };
        b.goto(&format!("{}/cong-dong/{q}", app.base)).await;
        ready(&b).await;
        assert_eq!(b.js("return document.documentElement.lang", json!([])).await, lang);
        // "You said, we did": the recommendation, the school board's answer
        // in children's words, its promise and progress.
        let card = b.text(&format!("#feed li[data-rec='{}']", c.rec)).await;
        assert!(card.contains(accepted) && card.contains(doing), "{card}");
        assert!(
            card.contains("Lắp 4 đèn đường ở hẻm 120") && card.contains("01/03/2027"),
            "{card}"
        );
        assert!(card.contains("Đã chọn xong chỗ lắp 4 đèn."), "{card}");
        assert!(
            !card.contains("Đã khảo sát vị trí"),
            "the formal note is not published: {card}"
        );
        b.screenshot(&format!("public-feed-{lang}")).await;
        accessible(&b, &format!("feed {lang}")).await;

        // Filters: another topic shows nothing, the school's ward shows it.
        b.select("#topic", "family").await;
        b.wait_text("main", 10, |t| t.contains(none)).await;
        b.select("#topic", "").await;
        ready(&b).await;
        b.select("#unit", &c.ward).await;
        b.find(&format!("#feed li[data-rec='{}']", c.rec)).await;
        assert!(
            b.js("return location.hash", json!([]))
                .await
                .as_str()
                .unwrap()
                .contains(&c.ward)
        );

        // The recommendation's own page, with the survey figures it rests
        // on as a chart: what few children said is hidden, never 0.
        b.click(&format!("#feed li[data-rec='{}'] h2 a", c.rec)).await;
        b.find("article[data-rec] .chart svg[role=img]").await;
        ready(&b).await;
        assert!(
            b.js("return location.pathname", json!([]))
                .await
                .as_str()
                .unwrap()
                .ends_with(&c.rec)
        );
        no_small_count_shown(&b, hidden).await;
        b.screenshot(&format!("public-recommendation-{lang}")).await;
        accessible(&b, &format!("recommendation {lang}")).await;

        // Published issues with their support.
        b.click("#tabs a[data-tab='y-kien']").await;
        b.find("#issues").await;
        ready(&b).await;
        let public = |stored: &str| crate::support::public_issue_id(stored);
        let issue = b
            .text(&format!("#issues li[data-issue='{}']", public(&c.w.issues[0])))
            .await;
        assert!(issue.contains(supports), "{issue}");
        // Each with its ward (the school's, today), from the API, in words.
        let ward = if lang == "vi" {
            "Phường Đức Nhuận"
        } else {
            "Duc Nhuan Ward"
        };
        let listed = app.get_in("/api/v1/public/issues", None, lang).await;
        let item = crate::support::find(listed.ok(200), "items", |i| i["id"] == public(&c.w.issues[0]).as_str());
        assert_eq!(item["ward_name"], ward);
        assert!(issue.contains(ward), "{issue}");
        assert!(
            b.has(&format!("#issues li[data-issue='{}']", public(&c.w.issues[2])))
                .await
        );
        assert!(
            !b.has(&format!("#issues li[data-issue='{}']", public(&c.w.issues[1])))
                .await,
            "not published"
        );
        b.screenshot(&format!("public-issues-{lang}")).await;
        accessible(&b, &format!("issues {lang}")).await;

        // Public results as charts: the only public survey opens at once.
        b.click("#tabs a[data-tab='ket-qua']").await;
        b.find("#results .chart svg[role=img]").await;
        ready(&b).await;
        no_small_count_shown(&b, hidden).await;
        let not_sure = b
            .js(
                "const q = document.querySelector('#results [data-question=feel_safe]'); return q.querySelector('g[data-row=\"2\"]').textContent",
                json!([]),
            )
            .await;
        assert!(not_sure.as_str().unwrap().contains(hidden), "{not_sure}");
        b.screenshot(&format!("public-results-{lang}")).await;
        accessible(&b, &format!("results {lang}")).await;
        b.select("#by", "age_band").await;
        b.wait_text("#results", 10, |t| t.contains("12–14")).await;
        ready(&b).await;
        no_small_count_shown(&b, hidden).await;
        accessible(&b, &format!("results by age {lang}")).await;

        // Nothing of the reader is kept.
        let stored = b.stored().await;
        assert_eq!(stored["local"], json!([]));
        assert_eq!(b.js("return document.cookie", json!([])).await, "");
    }
    // The language switch keeps the reader where they are.
    let b = Browser::phone("vi").await;
    b.goto(&format!("{}/cong-dong/r/{}", app.base, c.rec)).await;
    ready(&b).await;
    b.click("#lang").await;
    b.wait_text("main", 10, |t| t.contains("Said yes and will do it")).await;
    assert!(
        b.js("return location.href", json!([]))
            .await
            .as_str()
            .unwrap()
            .ends_with("?lang=en")
    );
    // An unknown recommendation says so.
    b.goto(&format!(
        "{}/cong-dong/r/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21",
        app.base
    ))
    .await;
    b.wait_text("main", 10, |t| t.contains("Không tìm thấy")).await;
    accessible(&b, "not found").await;
    let _ = &c.survey;
}
