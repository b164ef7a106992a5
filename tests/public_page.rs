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
        let out = overflows(&b).await;
        assert!(out.is_empty(), "the chart leaves a 320 px screen at 200% text:\n{out}");
        b.screenshot(&format!("chart-320-200pct-{lang}")).await;
        accessible(&b, &format!("chart {lang} at 320 px, 200%")).await;
    }
}
