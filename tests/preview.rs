//! The preview follows the reading rule of `GET /surveys/{id}`:
//! facilitators see published versions only; curators see drafts too.

use actix_web::http::Method;
use serde_json::json;

use crate::support::TestApp;
use crate::surveys::{example_survey, published_survey};

#[actix_web::test]
async fn facilitators_preview_published_versions_only() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S01"]).await;
    let mut body = example_survey(&district);
    body["title"]["vi"] = json!("Bản nháp chưa công bố");
    let draft = app.post("/api/v1/surveys", app.admin(), &body).await.created();
    body["title"]["vi"] = json!("Bản đã công bố");
    let published = published_survey(&app, &body).await;
    // A new draft of the published survey: version 2, unpublished.
    body["title"]["vi"] = json!("Bản nháp thứ hai");
    app.send_json(
        Method::PUT,
        &format!("/api/v1/surveys/{published}/draft"),
        app.admin(),
        &body,
    )
    .await
    .ok(200);
    let (_, facilitator) = app.user("tpt.lan", "facilitator", Some(&school), None).await;
    let (_, moderator) = app.user("mod.lan", "moderator", None, None).await;

    // (survey, version asked) → what a facilitator reads, by both routes:
    // the title previewed, or not found.
    for (survey, version, expect) in [
        (&draft, "", None),
        (&draft, "&version=1", None),
        (&published, "", Some("Bản đã công bố")),
        (&published, "&version=1", Some("Bản đã công bố")),
        (&published, "&version=2", None),
        (&published, "&version=0", None),
        (&published, "&version=99", None),
    ] {
        let preview = app
            .get(
                &format!("/api/v1/surveys/{survey}/preview?age=10{version}"),
                Some(&facilitator),
            )
            .await;
        let read = app
            .get(
                &format!("/api/v1/surveys/{survey}?{}", version.trim_start_matches('&')),
                Some(&facilitator),
            )
            .await;
        match expect {
            Some(title) => {
                assert_eq!(preview.ok(200)["title"], title, "{survey}{version}");
                read.ok(200);
            }
            None => {
                preview.assert_problem(404, "not_found");
                read.assert_problem(404, "not_found");
            }
        }
    }
    // Curators preview drafts, the latest by default.
    for token in [app.admin(), Some(moderator.as_str())] {
        let r = app.get(&format!("/api/v1/surveys/{draft}/preview?age=10"), token).await;
        assert_eq!(r.ok(200)["title"], "Bản nháp chưa công bố");
        let r = app
            .get(&format!("/api/v1/surveys/{published}/preview?age=10"), token)
            .await;
        assert_eq!(r.ok(200)["title"], "Bản nháp thứ hai");
        let r = app
            .get(&format!("/api/v1/surveys/{published}/preview?age=10&version=1"), token)
            .await;
        assert_eq!(r.ok(200)["title"], "Bản đã công bố");
    }
}
