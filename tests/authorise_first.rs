//! Authorisation comes before the body: a caller whose role may not use a
//! route gets 403, whatever the body (unknown fields, malformed JSON, not
//! JSON at all) and however the extractors race, so validation tells them
//! nothing.

use actix_web::http::Method;

use crate::support::TestApp;

const ROLES: [&str; 6] = [
    "admin",
    "moderator",
    "facilitator",
    "safeguarding_officer",
    "agency_staff",
    "agency_client",
];

const ADMIN: &[&str] = &["admin"];
const CURATOR: &[&str] = &["admin", "moderator"];
const SESSION_RUNNER: &[&str] = &["admin", "facilitator"];
/// Moderators record the Children's Council's meetings (refused another
/// kind once the body is read).
const EVENT_RECORDER: &[&str] = &["admin", "moderator", "facilitator"];
const SAFEGUARDING: &[&str] = &["safeguarding_officer"];
const AGENCY: &[&str] = &["agency_staff", "agency_client"];
const ADMIN_OR_AGENCY: &[&str] = &["admin", "agency_staff", "agency_client"];
const STAFF: &[&str] = &[
    "admin",
    "moderator",
    "facilitator",
    "safeguarding_officer",
    "agency_staff",
];

#[actix_web::test]
async fn a_forbidden_role_gets_403_whatever_the_body() {
    let app = TestApp::spawn_demo().await;
    let [school, district] = app.units(["PN-S06", "PN"]).await;
    let agency = crate::recommendations::agency(&app, &district, "education_office").await;
    let mut tokens: Vec<(&str, String)> = vec![("admin", app.admin.clone())];
    tokens.extend(app.non_admin_tokens(Some(&school), Some(&agency)).await);
    let (_, _, client) = crate::recommendations::client_token(&app, &agency).await;
    tokens.push(("agency_client", client));
    assert_eq!(tokens.len(), ROLES.len());

    // Ids that exist nowhere: the refusal must come before any lookup.
    let id = uuid::Uuid::now_v7();
    let routes: Vec<(Method, String, &[&str])> = vec![
        (Method::POST, "/agencies".into(), ADMIN),
        (Method::PATCH, format!("/agencies/{id}"), ADMIN),
        (Method::POST, format!("/agencies/{id}/clients"), ADMIN),
        (Method::PUT, format!("/agencies/{id}/webhook"), ADMIN_OR_AGENCY),
        (Method::POST, format!("/agency/deliveries/{id}/replies"), AGENCY),
        (Method::POST, format!("/agency/deliveries/{id}/updates"), AGENCY),
        (Method::PUT, "/calendar/holidays".into(), ADMIN),
        (Method::PUT, "/calendar/school-terms".into(), ADMIN),
        (Method::POST, "/events".into(), EVENT_RECORDER),
        (Method::PATCH, format!("/events/{id}"), EVENT_RECORDER),
        (Method::PUT, format!("/events/{id}/children/{id}"), SESSION_RUNNER),
        (Method::PATCH, format!("/issues/{id}"), CURATOR),
        (Method::POST, "/issues/bulk".into(), CURATOR),
        (Method::POST, format!("/issues/{id}/merge"), CURATOR),
        (Method::POST, format!("/issues/{id}/refer"), CURATOR),
        (Method::POST, format!("/surveys/{id}/answers/{id}/refer"), CURATOR),
        (Method::POST, "/me/password".into(), STAFF),
        (Method::POST, "/recommendations".into(), CURATOR),
        (Method::PATCH, format!("/recommendations/{id}"), CURATOR),
        (Method::POST, format!("/recommendations/{id}/approve"), CURATOR),
        (Method::POST, format!("/recommendations/{id}/send"), CURATOR),
        (Method::POST, "/reorganisations".into(), ADMIN),
        (Method::POST, "/safeguarding/cases".into(), SAFEGUARDING),
        (Method::PATCH, format!("/safeguarding/cases/{id}"), SAFEGUARDING),
        (Method::PUT, "/safeguarding/webhook".into(), ADMIN),
        (Method::POST, "/surveys".into(), CURATOR),
        (Method::PUT, format!("/surveys/{id}/draft"), CURATOR),
        (Method::POST, format!("/surveys/{id}/sessions"), SESSION_RUNNER),
        (Method::POST, format!("/sessions/{id}/void"), SESSION_RUNNER),
        (Method::POST, format!("/sessions/{id}/paper-responses"), SESSION_RUNNER),
        (Method::POST, "/targets".into(), ADMIN),
        (Method::PATCH, format!("/targets/{id}"), ADMIN),
        (Method::POST, "/topics".into(), ADMIN),
        (Method::PATCH, format!("/topics/{id}"), ADMIN),
        (Method::POST, "/units".into(), ADMIN),
        (Method::PATCH, format!("/units/{id}"), ADMIN),
        (Method::POST, "/users".into(), ADMIN),
        (Method::PATCH, format!("/users/{id}"), ADMIN),
        (Method::POST, format!("/users/{id}/password"), ADMIN),
    ];
    // Bodies that would each be refused by validation or parsing.
    let bodies: [(&str, &[u8]); 4] = [
        ("application/json", br#"{"no_such_field": true}"#),
        ("application/json", br#"{"title": 12, "name": [], "url": null}"#),
        ("application/json", b"{not json"),
        ("text/plain", b"hello"),
    ];
    let mut pairs = 0;
    let mut wrong = Vec::new();
    for (method, path, allowed) in &routes {
        for (role, token) in &tokens {
            if allowed.contains(role) {
                continue;
            }
            pairs += 1;
            // Several times each: the outcome must not depend on timing.
            for _ in 0..3 {
                for (content_type, body) in &bodies {
                    let r = app
                        .request(
                            method.clone(),
                            &format!("/api/v1{path}"),
                            Some(token),
                            &[("Content-Type", content_type)],
                            Some(body.to_vec()),
                        )
                        .await;
                    if r.status != 403 || r.body["code"] != "forbidden" {
                        wrong.push(format!(
                            "{role} {method} {path} ({content_type}): {} {}",
                            r.status, r.body["code"]
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(pairs, 168, "role × route pairs");
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "{} refusals were not 403:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Allowed callers still get the validation problem.
    let r = app
        .request(
            Method::POST,
            "/api/v1/topics",
            app.admin(),
            &[("Content-Type", "application/json")],
            Some(br#"{"no_such_field": true}"#.to_vec()),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .request(
            Method::POST,
            "/api/v1/topics",
            app.admin(),
            &[("Content-Type", "text/plain")],
            Some(b"hello".to_vec()),
        )
        .await;
    r.assert_problem(415, "unsupported_media_type");
    // And without a token, 401 before anything else.
    let r = app
        .request(
            Method::POST,
            "/api/v1/topics",
            None,
            &[("Content-Type", "application/json")],
            Some(b"{not json".to_vec()),
        )
        .await;
    r.assert_problem(401, "unauthenticated");
}
