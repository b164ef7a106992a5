//! Who is refused, as tables: each row is a caller (by role) sending one
//! request, and the status and `code` the service must answer with. The
//! roles come from each handler's extractor (`Staff<Admin>`, `Curator`,
//! `Consulting`, `SessionRunner`, `Safeguarding`, `CaseCounts`,
//! `AgencyCaller`, `AdminOrAgency`) and from object-level scope (a
//! facilitator outside their unit is told the session or unit is not
//! found). An agency's machine client on a staff route is refused with 403,
//! a child's respondent token with 401. Refused writes change nothing, and
//! bad ids get 400 or 404, never a 500.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::recommendations::{World, agency, client_token, sent, world};
use crate::support::TestApp;

/// A uuid no resource has.
const UNKNOWN: &str = "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90";

const ADMIN: &str = "admin";
const MODERATOR: &str = "moderator";
const FACILITATOR: &str = "facilitator";
/// A facilitator of another school (PN-S01) than the world's (PN-S06).
const FACILITATOR_ELSEWHERE: &str = "facilitator_elsewhere";
const OFFICER: &str = "safeguarding_officer";
const AGENCY_STAFF: &str = "agency_staff";
const AGENCY_CLIENT: &str = "agency_client";
/// A child's respondent token from a join.
const CHILD: &str = "child";

/// One token per role, the agency ones for `agency`.
struct Callers(Vec<(&'static str, String)>);

impl Callers {
    async fn of(app: &TestApp, school: &str, agency: &str, join_code: &str) -> Callers {
        let mut tokens = vec![(ADMIN, app.admin.clone())];
        tokens.extend(app.non_admin_tokens(Some(school), Some(agency)).await);
        let elsewhere = app.unit_id("PN-S01", "2026-01-01").await;
        let (_, other) = app.user("fac.elsewhere", "facilitator", Some(&elsewhere), None).await;
        tokens.push((FACILITATOR_ELSEWHERE, other));
        tokens.push((AGENCY_CLIENT, client_token(app, agency).await.2));
        tokens.push((CHILD, app.child(join_code, 12).await));
        Callers(tokens)
    }

    fn token(&self, role: &str) -> &str {
        let found = self.0.iter().find(|(r, _)| *r == role);
        &found.unwrap_or_else(|| panic!("no caller {role}")).1
    }
}

/// A request's body: its content type and bytes.
type Body = (&'static str, Vec<u8>);

/// One row: `role` sends `method path` (with `body`) and gets `status` and
/// `code`.
struct Row {
    method: Method,
    path: String,
    body: Option<Body>,
    role: &'static str,
    status: u16,
    code: &'static str,
}

#[derive(Default)]
struct Table(Vec<Row>);

impl Table {
    /// Rows for each of `roles` sending `method path`; a POST carries `{}`.
    fn row(&mut self, method: Method, path: &str, roles: &[&'static str], status: u16, code: &'static str) {
        let body = (method == Method::POST).then(|| ("application/json", b"{}".to_vec()));
        self.with_body(method, path, body, roles, status, code);
    }

    fn with_body(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Body>,
        roles: &[&'static str],
        status: u16,
        code: &'static str,
    ) {
        for role in roles {
            self.0.push(Row {
                method: method.clone(),
                path: format!("/api/v1{path}"),
                body: body.clone(),
                role,
                status,
                code,
            });
        }
    }

    /// Each of `roles` is refused `method path` for its role (403).
    fn forbid(&mut self, method: Method, path: &str, roles: &[&'static str]) {
        self.row(method, path, roles, 403, "forbidden");
    }

    /// A child's respondent token is not a staff or agency token (401).
    fn not_for_children(&mut self, method: Method, path: &str) {
        self.row(method, path, &[CHILD], 401, "invalid_token");
    }

    /// Sends every row and asserts each answer (problem+json with the
    /// row's status and code), listing every row that got another; returns
    /// how many rows were checked.
    async fn check(&self, app: &TestApp, callers: &Callers) -> usize {
        let mut wrong = Vec::new();
        for (n, row) in self.0.iter().enumerate() {
            let token = Some(callers.token(row.role));
            let r = match &row.body {
                Some((content_type, bytes)) => {
                    let headers = [("Content-Type", *content_type)];
                    app.request(row.method.clone(), &row.path, token, &headers, Some(bytes.clone()))
                        .await
                }
                None => app.request(row.method.clone(), &row.path, token, &[], None).await,
            };
            let as_wanted = r.status == row.status
                && r.header("content-type") == Some("application/problem+json")
                && r.body["code"] == row.code
                && r.body["status"] == row.status;
            if !as_wanted {
                wrong.push(format!(
                    "row {n}: {} {} {}: wanted {} {}, got {} {}",
                    row.role,
                    row.method,
                    row.path,
                    row.status,
                    row.code,
                    r.status,
                    r.text.chars().take(200).collect::<String>()
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {} rows answered otherwise:\n{}",
            wrong.len(),
            self.0.len(),
            wrong.join("\n")
        );
        self.0.len()
    }
}

/// The recommendations world (issues at school PN-S06, a published survey
/// the school's children answered, the district's agencies), a session of
/// the survey open at the school and a caller of each role, the agency ones
/// for the school's board: the world, the session and the callers.
async fn callers_world() -> (World, Value, Callers) {
    let w = world().await;
    let session = w.app.open_session(&w.survey, &w.school, -5, 60).await;
    let board = agency(&w.app, &w.school, "school_board").await;
    let code = session["join_code"].as_str().unwrap();
    let callers = Callers::of(&w.app, &w.school, &board, code).await;
    (w, session, callers)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

#[actix_web::test]
async fn consultation_results_and_reports_refuse_other_roles() {
    let (w, session, callers) = callers_world().await;
    let (app, survey) = (&w.app, w.survey.as_str());
    let s = id_of(&session);
    let events = app.admin_read("/api/v1/events?limit=1").await;
    let event = id_of(&events["items"][0]);
    let users = app.admin_read("/api/v1/users?limit=1").await;
    let user = id_of(&users["items"][0]);
    let school = &w.school;

    let mut t = Table::default();
    use Method as M;
    t.forbid(M::GET, "/topics/summary", &[AGENCY_STAFF, AGENCY_CLIENT]);
    let sessions = format!("/surveys/{survey}/sessions");
    t.forbid(M::GET, &sessions, &[OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    for path in [
        format!("/sessions/{s}/close"),
        format!("/sessions/{s}/qr.svg"),
        format!("/sessions/{s}/activity"),
    ] {
        let method = if path.ends_with("close") { M::POST } else { M::GET };
        t.forbid(
            method.clone(),
            &path,
            &[MODERATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT],
        );
        // Another school's session is not found to a facilitator.
        t.row(method.clone(), &path, &[FACILITATOR_ELSEWHERE], 404, "not_found");
        t.not_for_children(method, &path);
    }
    t.forbid(M::GET, "/events", &[AGENCY_STAFF, AGENCY_CLIENT]);
    t.forbid(
        M::GET,
        &format!("/events/{event}"),
        &[OFFICER, AGENCY_STAFF, AGENCY_CLIENT],
    );
    t.forbid(M::GET, "/targets", &[OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    for path in [
        "/progress".to_owned(),
        "/reports?period=2026".to_owned(),
        format!("/surveys/{survey}/results"),
    ] {
        t.forbid(M::GET, &path, &[OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    }
    t.forbid(
        M::GET,
        "/settings/retention",
        &[MODERATOR, FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT],
    );
    let csv = format!("/surveys/{survey}/results.csv");
    t.forbid(M::GET, &csv, &[OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    // A unit outside a facilitator's own is not found to them.
    let elsewhere = format!("{csv}?unit_id={school}");
    t.row(M::GET, &elsewhere, &[FACILITATOR_ELSEWHERE], 404, "not_found");
    let rows = format!("/surveys/{survey}/responses.csv?reason=ki%E1%BB%83m%20tra");
    let texts = format!("/surveys/{survey}/texts.csv?reason=ki%E1%BB%83m%20tra");
    for path in [rows.as_str(), texts.as_str(), "/audit"] {
        t.forbid(
            M::GET,
            path,
            &[MODERATOR, FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT],
        );
    }
    // A machine client on staff routes that name one thing.
    for path in [
        format!("/users/{user}"),
        format!("/surveys/{survey}"),
        format!("/surveys/{survey}/preview?age=12"),
        format!("/events/{event}"),
    ] {
        t.forbid(M::GET, &path, &[AGENCY_CLIENT]);
    }
    for path in [format!("/surveys/{survey}/publish"), format!("/surveys/{survey}/close")] {
        t.forbid(M::POST, &path, &[AGENCY_CLIENT, AGENCY_STAFF]);
    }
    // A child's token is no staff token.
    for path in [
        sessions.clone(),
        format!("/surveys/{survey}"),
        format!("/surveys/{survey}/results"),
        format!("/events/{event}"),
        format!("/users/{user}"),
        "/reports?period=2026".to_owned(),
    ] {
        t.not_for_children(M::GET, &path);
    }
    t.not_for_children(M::POST, &format!("/surveys/{survey}/close"));
    // Bad input to the sessions list: never a 500.
    t.row(
        M::GET,
        &format!("/surveys/{UNKNOWN}/sessions"),
        &[ADMIN],
        404,
        "not_found",
    );
    t.row(M::GET, "/surveys/not-a-survey/sessions", &[ADMIN], 400, "invalid_path");
    for bad in ["limit=0", "limit=101", "limit=abc", "limit=-1"] {
        let path = format!("{sessions}?{bad}");
        t.row(M::GET, &path, &[ADMIN, FACILITATOR], 400, "invalid_query");
    }
    t.row(
        M::GET,
        &format!("{sessions}?cursor=bogus"),
        &[ADMIN],
        400,
        "invalid_cursor",
    );

    let checked = t.check(app, &callers).await;
    assert_eq!(checked, 90, "rows checked");

    // The school's own facilitator reads what the other one was not
    // shown (the 404s above are scope, not a wrong path).
    let own = Some(callers.token(FACILITATOR));
    for path in [
        format!("/api/v1/sessions/{s}/activity"),
        format!("/api/v1/sessions/{s}/qr.svg"),
        format!("/api/v1{elsewhere}"),
    ] {
        assert_eq!(app.get(&path, own).await.status, 200, "{path}");
    }

    // Nothing changed: the session is still open, the survey still
    // published and open, and no rows or texts were read.
    let activity = app.admin_read(&format!("/api/v1/sessions/{s}/activity")).await;
    assert_eq!(activity["state"], "open", "{activity}");
    let survey_now = app.admin_read(&format!("/api/v1/surveys/{survey}")).await;
    assert_eq!(survey_now["status"], "published", "{survey_now}");
    let readings: Vec<String> = app
        .audit("survey", survey)
        .await
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.contains("export") || a.contains("close"))
        .collect();
    assert!(readings.is_empty(), "{readings:?}");
}

#[actix_web::test]
async fn moderation_refuses_other_roles_and_changes_nothing() {
    let (w, session, callers) = callers_world().await;
    let (app, survey, m) = (&w.app, w.survey.as_str(), w.moderator());
    let [first, second, third] = [&w.issues[0], &w.issues[1], &w.issues[2]];
    // The second issue merged into the first, the third published, and a
    // child's text answer to promote.
    let merge = format!("/api/v1/issues/{second}/merge");
    app.post(&merge, m, &json!({"into": first})).await.ok(200);
    let publish = format!("/api/v1/issues/{third}/publish");
    app.post(&publish, m, &json!({})).await.ok(200);
    let code = session["join_code"].as_str().unwrap();
    let answers = json!({"feel_safe": "no", "why_not": "Đoạn đường gần chợ tối quá"});
    crate::results::answer(app, code, 13, "boy", answers).await;
    let list = app.get(&format!("/api/v1/surveys/{survey}/answers"), m).await;
    let answer = list.items()[0]["answer_id"].as_str().unwrap().to_owned();

    let mut t = Table::default();
    use Method as M;
    let not_curators = [FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT];
    t.forbid(M::POST, &format!("/issues/{second}/unmerge"), &not_curators);
    t.forbid(M::GET, &format!("/issues/{first}/similar"), &not_curators);
    t.forbid(M::GET, &format!("/surveys/{survey}/answers"), &not_curators);
    let promote = format!("/surveys/{survey}/answers/{answer}/promote");
    t.forbid(M::POST, &promote, &not_curators);
    t.forbid(M::POST, &format!("/issues/{first}/publish"), &not_curators);
    t.forbid(M::POST, &format!("/issues/{third}/unpublish"), &not_curators);
    // A machine client on the moderators' routes that name one issue.
    t.forbid(M::GET, &format!("/issues/{first}"), &[AGENCY_CLIENT, AGENCY_STAFF]);
    t.not_for_children(M::GET, &format!("/issues/{first}"));
    for path in [
        format!("/issues/{second}/unmerge"),
        format!("/issues/{first}/publish"),
        promote.clone(),
    ] {
        t.not_for_children(M::POST, &path);
    }
    // Bad ids: not found, or a malformed path; never a 500.
    t.row(
        M::POST,
        &format!("/issues/{UNKNOWN}/unpublish"),
        &[MODERATOR],
        404,
        "not_found",
    );
    t.row(
        M::POST,
        "/issues/not-an-issue/unpublish",
        &[MODERATOR],
        400,
        "invalid_path",
    );
    t.row(M::POST, "/issues/12345/unpublish", &[MODERATOR], 400, "invalid_path");
    t.row(
        M::POST,
        &format!("/issues/{UNKNOWN}/publish"),
        &[MODERATOR],
        404,
        "not_found",
    );
    t.row(
        M::POST,
        &format!("/issues/{UNKNOWN}/unmerge"),
        &[MODERATOR],
        404,
        "not_found",
    );

    let checked = t.check(app, &callers).await;
    assert_eq!(checked, 35, "rows checked");

    // Nothing changed: still merged, still unpublished, still published,
    // the answer not promoted.
    let read = |id: &str| {
        let path = format!("/api/v1/issues/{id}");
        async move { app.get(&path, m).await.ok(200).clone() }
    };
    assert_eq!(read(second).await["merged_into"], first.as_str());
    assert_eq!(read(first).await["published_at"], Value::Null);
    assert!(read(third).await["published_at"].is_string());
    let list = app.get(&format!("/api/v1/surveys/{survey}/answers"), m).await;
    assert_eq!(list.items()[0]["promoted_issue_id"], Value::Null, "{}", list.text);
}

#[actix_web::test]
async fn safeguarding_refuses_everyone_but_officers() {
    let (w, _, callers) = callers_world().await;
    let app = &w.app;
    // A dialogue at which one child told of violence (a clear case) and
    // another said something worrying (a possible disclosure, for an
    // officer to release).
    crate::moderation::dialogue_with_issues(
        app,
        &w.school,
        "Tâm sự",
        json!([{"title": "Giúp em", "body": crate::screening::CLEAR},
               {"title": "Tâm sự", "body": crate::screening::POSSIBLE}]),
    )
    .await;
    let officer = Some(callers.token(OFFICER));
    let cases = |outcome: &'static str| async move {
        let path = format!("/api/v1/safeguarding/cases?outcome={outcome}");
        let r = app.get(&path, officer).await;
        id_of(&r.items()[0])
    };
    let (clear, possible) = (cases("clear").await, cases("possible").await);

    let mut t = Table::default();
    use Method as M;
    let everyone = [ADMIN, MODERATOR, FACILITATOR, AGENCY_STAFF, AGENCY_CLIENT];
    t.forbid(M::GET, "/safeguarding/cases", &everyone);
    for id in [&clear, &possible] {
        t.forbid(M::GET, &format!("/safeguarding/cases/{id}"), &everyone);
    }
    t.forbid(M::GET, &format!("/safeguarding/cases/{clear}/quick-report"), &everyone);
    t.forbid(M::GET, "/safeguarding/queue", &everyone);
    t.forbid(M::GET, "/safeguarding/marks.csv", &everyone);
    t.forbid(M::POST, &format!("/safeguarding/cases/{possible}/release"), &everyone);
    // Counts of cases: officers and admins.
    let summary = "/safeguarding/summary?period=2026";
    t.forbid(M::GET, summary, &[MODERATOR, FACILITATOR, AGENCY_STAFF, AGENCY_CLIENT]);
    // The officers' webhook is the admins' to read.
    t.forbid(
        M::GET,
        "/safeguarding/webhook",
        &[MODERATOR, FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT],
    );
    for path in [
        "/safeguarding/cases".to_owned(),
        format!("/safeguarding/cases/{clear}"),
        "/safeguarding/queue".to_owned(),
        summary.to_owned(),
    ] {
        t.not_for_children(M::GET, &path);
    }
    t.not_for_children(M::POST, &format!("/safeguarding/cases/{possible}/release"));

    let checked = t.check(app, &callers).await;
    assert_eq!(checked, 49, "rows checked");

    // Nothing changed: the possible disclosure is not released, and no
    // reading of a case or export of marks was recorded but the officer's
    // own list.
    let r = app
        .get(&format!("/api/v1/safeguarding/cases/{possible}"), officer)
        .await;
    assert_eq!(r.ok(200)["released_at"], Value::Null, "{}", r.text);
    let audit = app.admin_read("/api/v1/audit?entity=safeguarding_case&limit=100").await;
    for e in crate::support::items(&audit) {
        let action = e["action"].as_str().unwrap();
        assert!(
            !action.ends_with(".release") && !action.ends_with(".export_marks"),
            "{e}"
        );
        assert!(!action.ends_with(".read") || e["actor"] == "sg.test", "{e}");
    }
}

#[actix_web::test]
async fn agency_routes_refuse_other_roles_and_store_nothing() {
    let (w, _, callers) = callers_world().await;
    let app = &w.app;
    let board = agency(app, &w.school, "school_board").await;
    let rec = sent(&w, &[&board]).await;
    let (r, d) = (id_of(&rec), id_of(&rec["deliveries"][0]));
    // A webhook nobody answers, and a test event that died there.
    let webhook = format!("/api/v1/agencies/{board}/webhook");
    let dead_end = json!({"url": "http://127.0.0.1:1/hook"});
    app.put(&webhook, app.admin(), &dead_end).await.ok(200);
    let dead = crate::webhooks::test_event(app, &board, app.admin()).await;
    crate::webhooks::status_becomes(app, &dead, "dead").await;
    let events = app.admin_read("/api/v1/webhooks/events?limit=100").await;

    let mut t = Table::default();
    use Method as M;
    let no_agency = [MODERATOR, FACILITATOR, OFFICER];
    t.forbid(M::GET, &format!("/agencies/{board}/webhook"), &no_agency);
    t.forbid(M::POST, &format!("/agencies/{board}/webhook/test"), &no_agency);
    let not_admins = [MODERATOR, FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT];
    t.forbid(M::GET, "/webhooks/events", &not_admins);
    t.forbid(M::POST, &format!("/webhooks/events/{dead}/replay"), &not_admins);
    let staff = [ADMIN, MODERATOR, FACILITATOR, OFFICER];
    t.forbid(M::GET, "/agency/deliveries", &staff);
    t.forbid(M::GET, &format!("/agency/deliveries/{d}"), &staff);
    t.forbid(M::POST, &format!("/agency/deliveries/{d}/acknowledge"), &staff);
    for path in [
        format!("/recommendations/{r}/routing-suggestions"),
        format!("/recommendations/{r}/timeline"),
    ] {
        t.forbid(M::GET, &path, &[FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    }
    for path in [
        "/agency/deliveries".to_owned(),
        format!("/agency/deliveries/{d}"),
        format!("/agencies/{board}/webhook"),
        "/webhooks/events".to_owned(),
    ] {
        t.not_for_children(M::GET, &path);
    }
    t.not_for_children(M::POST, &format!("/agency/deliveries/{d}/acknowledge"));
    t.not_for_children(M::POST, &format!("/webhooks/events/{dead}/replay"));
    // Bad ids: not found, or a malformed path; never a 500.
    for tail in ["routing-suggestions", "timeline"] {
        let unknown = format!("/recommendations/{UNKNOWN}/{tail}");
        t.row(M::GET, &unknown, &[MODERATOR, ADMIN], 404, "not_found");
        let malformed = format!("/recommendations/not-a-recommendation/{tail}");
        t.row(M::GET, &malformed, &[MODERATOR], 400, "invalid_path");
    }
    t.row(
        M::GET,
        &format!("/agencies/{UNKNOWN}/clients"),
        &[ADMIN],
        404,
        "not_found",
    );
    t.row(M::GET, "/agencies/not-an-agency/clients", &[ADMIN], 400, "invalid_path");
    t.row(M::GET, "/agencies/12/clients", &[ADMIN], 400, "invalid_path");
    let mut checked = t.check(app, &callers).await;

    // Nothing changed: not acknowledged, no event queued, the dead letter
    // still dead.
    let agency_token = Some(callers.token(AGENCY_CLIENT));
    let delivery = app.get(&format!("/api/v1/agency/deliveries/{d}"), agency_token).await;
    assert_eq!(delivery.ok(200)["acknowledged_at"], Value::Null, "{}", delivery.text);
    let after = app.admin_read("/api/v1/webhooks/events?limit=100").await;
    assert_eq!(after["items"], events["items"], "no event queued or replayed");

    // Once the agency has replied a letter could be attached: only the
    // agency attaches it.
    let reply = json!({"stance": "accepted", "body": "Đồng ý lắp đèn.",
        "commitments": [{"text": "Lắp 4 đèn", "due_on": "2027-03-01"}]});
    crate::letters::reply(app, &d, agency_token, reply).await;
    let letter = crate::letters::pdf("");
    let upload = format!("/agency/deliveries/{d}/letter");
    let mut t = Table::default();
    let pdf = Some(("application/pdf", letter.clone()));
    t.with_body(M::POST, &upload, pdf.clone(), &staff, 403, "forbidden");
    t.with_body(M::POST, &upload, pdf, &[CHILD], 401, "invalid_token");
    checked += t.check(app, &callers).await;
    assert!(crate::letters::kept(app).is_empty(), "no letter stored");
    let curators = format!("/api/v1/recommendations/{r}/deliveries/{d}/letter");
    app.get(&curators, app.admin()).await.assert_problem(404, "not_found");

    // The letter attached: read by the agency and the curators only.
    let path = format!("/api/v1{upload}");
    let headers = [("Content-Type", "application/pdf")];
    let r2 = app.request(M::POST, &path, agency_token, &headers, Some(letter)).await;
    r2.ok(201);
    let mut t = Table::default();
    t.forbid(M::GET, &upload, &staff);
    let curators = format!("/recommendations/{r}/deliveries/{d}/letter");
    t.forbid(M::GET, &curators, &[FACILITATOR, OFFICER, AGENCY_STAFF, AGENCY_CLIENT]);
    t.not_for_children(M::GET, &upload);
    t.not_for_children(M::GET, &curators);
    let unknown = format!("/recommendations/{r}/deliveries/{UNKNOWN}/letter");
    t.row(M::GET, &unknown, &[MODERATOR], 404, "not_found");
    let malformed = format!("/recommendations/{r}/deliveries/not-a-delivery/letter");
    t.row(M::GET, &malformed, &[MODERATOR], 400, "invalid_path");
    checked += t.check(app, &callers).await;
    assert_eq!(checked, 68, "rows checked");
}
