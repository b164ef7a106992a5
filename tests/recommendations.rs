//! Closing the loop: accepted issues and survey evidence become a
//! recommendation, approved at a Council meeting, sent to agencies with due
//! dates in working days; an agency's machine client takes a token,
//! acknowledges, replies and reports progress; a "not responsible" answer
//! is re-routed; the public feed shows it all in children's words; the
//! chaser reminds and escalates on an injected clock.

use actix_web::http::Method;
use chrono::{Duration, NaiveDate};
use langnghe_domain::calendar::{Holidays, vietnam_holidays};
use serde_json::{Value, json};

use crate::support::{Call, Fields, Resp, TestApp};

pub struct World {
    pub app: TestApp,
    pub moderator: String,
    pub school: String,
    pub district: String,
    pub issues: Vec<String>,
    pub survey: String,
}

impl World {
    /// The moderator's token, as a request takes it.
    pub fn moderator(&self) -> Option<&str> {
        Some(&self.moderator)
    }
}

/// The demo organisation with three accepted issues and one rejected at
/// school PN-S06, and a published survey (topic safety) that six children
/// of the school answered.
pub async fn world() -> World {
    let app = TestApp::spawn_demo().await;
    let [school, district] = app.units(["PN-S06", "PN"]).await;
    let (_, moderator) = app.user("hoi.dong.tre.em", "moderator", None, None).await;
    let issues = crate::moderation::dialogue_with_issues(
        &app,
        &school,
        "Đối thoại với Ban Giám hiệu",
        json!([
            {"title": "Đường đến trường tối", "body": "Đoạn đường Hoàng Văn Thụ không có đèn, em sợ khi về muộn.", "topic": "safety"},
            {"title": "Cổng trường đông xe", "body": "Xe máy chạy nhanh ở cổng trường lúc tan học.", "topic": "safety"},
            {"title": "Thiếu đèn đường", "body": "Hẻm 120 tối om.", "topic": "safety"},
            {"title": "Muốn đi chơi", "body": "Cho em nghỉ học.", "topic": "safety"}
        ]),
    )
    .await;
    for id in &issues[..3] {
        app.patch(
            &format!("/api/v1/issues/{id}"),
            Some(&moderator),
            &json!({"status": "accepted"}),
        )
        .await
        .ok(200);
    }
    app.patch(
        &format!("/api/v1/issues/{}", issues[3]),
        Some(&moderator),
        &json!({"status": "rejected", "reason": "off_topic"}),
    )
    .await
    .ok(200);
    let survey = crate::surveys::published_survey(&app, &crate::surveys::example_survey(&district)).await;
    let code = crate::results::session(&app, &survey, &school).await;
    for feel in ["no", "no", "no", "no", "no", "yes"] {
        crate::results::answer(&app, &code, 12, "girl", json!({"feel_safe": feel})).await;
    }
    World {
        app,
        moderator,
        school,
        district,
        issues,
        survey,
    }
}

/// The agency of `kind` whose jurisdiction is `unit`.
pub async fn agency(app: &TestApp, unit: &str, kind: &str) -> String {
    let r = app
        .get(
            &format!("/api/v1/agencies?jurisdiction_unit_id={unit}&limit=100"),
            app.admin(),
        )
        .await;
    r.items()
        .iter()
        .find(|a| a["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} at {unit}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn draft(w: &World) -> Value {
    json!({
        "title": {"vi": "Lắp đèn trên đường đến trường", "en": "Light the road to school"},
        "summary": {"vi": "Học sinh trường phản ánh đoạn đường Hoàng Văn Thụ và hẻm 120 không có đèn."},
        "child_summary": {"vi": "Các bạn nói đường đến trường tối và đáng sợ. Hội đồng trẻ em đề nghị lắp thêm đèn.",
                          "en": "You said the road to school is dark and scary. The Council asked for more lights."},
        "action": {"vi": "Lắp đèn chiếu sáng và bố trí người hỗ trợ giờ tan học."},
        "topic": "safety", "unit_id": w.school,
        "issue_ids": [w.issues[0], w.issues[1]],
        "evidence": [{"survey_id": w.survey, "question_key": "feel_safe"}]
    })
}

/// A client of `agency` and a token from it.
pub async fn client_token(app: &TestApp, agency: &str) -> (String, String, String) {
    let r = app
        .post(
            &format!("/api/v1/agencies/{agency}/clients"),
            app.admin(),
            &json!({"label": "Hệ thống một cửa"}),
        )
        .await;
    let body = r.ok(201);
    let (id, secret) = (
        body["client_id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().unwrap().to_owned(),
    );
    let token = app.client_credentials(&id, &secret).await.string(200, "access_token");
    (id, secret, token)
}

/// The admin revokes `agency`'s client `client_id`.
pub async fn revoke_client(app: &TestApp, agency: &str, client_id: &str) -> Resp {
    let path = format!("/api/v1/agencies/{agency}/clients/{client_id}");
    app.send_json(Method::DELETE, &path, app.admin(), &json!({})).await
}

/// The id of `agency`'s delivery of a sent recommendation.
pub fn delivery_for(rec: &Value, agency: &str) -> String {
    rec["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .find(|d| d["agency_id"] == agency)
        .expect("a delivery to the agency")["id"]
        .as_str()
        .expect("delivery id")
        .to_owned()
}

/// `token` approves recommendation `id` (`body`: `{}`, or the meeting).
pub async fn approve(app: &TestApp, token: Option<&str>, id: &str, body: Value) -> Resp {
    let path = format!("/api/v1/recommendations/{id}/approve");
    app.post(&path, token, &body).await
}

/// `token` sends recommendation `id` with these `deliveries`.
pub async fn send(app: &TestApp, token: Option<&str>, id: &str, deliveries: Value) -> Resp {
    let path = format!("/api/v1/recommendations/{id}/send");
    app.post(&path, token, &json!({"deliveries": deliveries})).await
}

/// `moderator` creates `draft`, approves it and sends it to `agencies`:
/// the recommendation as sent.
pub async fn send_new(app: &TestApp, moderator: Option<&str>, draft: &Value, agencies: &[&str]) -> Value {
    let id = app.post("/api/v1/recommendations", moderator, draft).await.created();
    approve(app, moderator, &id, json!({})).await.ok(200);
    let deliveries: Vec<Value> = agencies.iter().map(|a| json!({"agency_id": a})).collect();
    send(app, moderator, &id, json!(deliveries)).await.ok(200).clone()
}

/// Creates, approves and sends a recommendation to `agencies`.
pub async fn sent(w: &World, agencies: &[&str]) -> Value {
    send_new(&w.app, Some(&w.moderator), &draft(w), agencies).await
}

/// A recommendation sent to the school's board: the board, the
/// recommendation, its id and its delivery's id.
async fn sent_to_board(w: &World) -> (String, Value, String, String) {
    let board = agency(&w.app, &w.school, "school_board").await;
    let rec = sent(w, &[&board]).await;
    let id = rec["id"].as_str().unwrap().to_owned();
    let delivery = rec["deliveries"][0]["id"].as_str().unwrap().to_owned();
    (board, rec, id, delivery)
}

/// This year's report's recommendations section, as the admin reads it.
async fn recommendations_section(app: &TestApp) -> Value {
    let year = crate::support::day().format("%Y").to_string();
    let report = app.admin_read(&format!("/api/v1/reports?period={year}")).await;
    crate::support::find(&report, "sections", |s| s["key"] == "recommendations").clone()
}

/// The value of a section's row with this item and breakdown, if any.
fn figure(section: &Value, item: &str, breakdown: &str) -> Option<Value> {
    let rows = section["rows"].as_array().unwrap();
    rows.iter()
        .find(|r| r["item"] == item && r["breakdown"] == breakdown)
        .map(|r| r["value"].clone())
}

/// A figure of this year's report's recommendations section.
async fn report_figure(app: &TestApp, item: &str, breakdown: &str) -> Option<Value> {
    figure(&recommendations_section(app).await, item, breakdown)
}

/// The admin records an event: its id.
async fn record_event(app: &TestApp, event: Value) -> String {
    app.post("/api/v1/events", app.admin(), &event).await.created()
}

/// Asserts that reading each of `paths` with `token` is a 400.
async fn bad_requests(app: &TestApp, paths: &[&str], token: Option<&str>) {
    for path in paths {
        let r = app.get(path, token).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
    }
}

fn default_due() -> NaiveDate {
    Holidays::new(vietnam_holidays().into_iter().map(|(d, _)| d)).add_working_days(crate::support::day(), 15)
}

#[actix_web::test]
async fn the_loop_from_issues_to_the_public_feed() {
    let w = world().await;
    let (app, m) = (&w.app, w.moderator());
    let board = agency(app, &w.school, "school_board").await;
    let ward_unit = app.unit_id("HCM-DUCNHUAN", "2026-01-01").await;

    // A draft, edited, then approved at a Council meeting.
    let r = app.post("/api/v1/recommendations", m, &draft(&w)).await;
    let rec = r.ok(201).clone();
    let id = rec["id"].as_str().unwrap().to_owned();
    assert_eq!(rec["status"], "draft");
    assert_eq!(rec["topic"], "safety");
    assert_eq!(rec["issue_ids"].as_array().unwrap().len(), 2);
    let r = app
        .patch(
            &format!("/api/v1/recommendations/{id}"),
            m,
            &json!({"issue_ids": [w.issues[0], w.issues[1], w.issues[2]]}),
        )
        .await;
    assert_eq!(r.ok(200)["issue_ids"].as_array().unwrap().len(), 3);
    assert_eq!(r.ok(200)["title"]["vi"], "Lắp đèn trên đường đến trường");
    let meeting = record_event(
        app,
        json!({"kind": "council_meeting", "unit_id": w.district, "held_on": "2026-11-20",
            "title": "Phiên họp Hội đồng trẻ em quý IV", "children_attending": 15, "adults_attending": 3}),
    )
    .await;
    let r = approve(app, m, &id, json!({"event_id": meeting})).await;
    assert_eq!(r.ok(200)["status"], "approved");
    assert_eq!(r.ok(200)["approval_event_id"], meeting.as_str());
    app.patch(
        &format!("/api/v1/recommendations/{id}"),
        m,
        &json!({"title": {"vi": "Sửa sau khi duyệt"}}),
    )
    .await
    .assert_problem(409, "not_draft");
    approve(app, m, &id, json!({}))
        .await
        .assert_problem(409, "illegal_transition");

    // Routing: the school's board first, then the ward, then the district.
    let r = app
        .get(&format!("/api/v1/recommendations/{id}/routing-suggestions"), m)
        .await;
    let suggestions = r.ok(200).as_array().unwrap().clone();
    assert_eq!(suggestions[0]["agency_id"], board.as_str());
    assert_eq!(suggestions[0]["distance"], 0);
    let ward = suggestions
        .iter()
        .find(|s| s["jurisdiction_unit_id"] == ward_unit.as_str())
        .expect("the ward's People's Committee answers for safety")["agency_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let distances: Vec<u64> = suggestions.iter().map(|s| s["distance"].as_u64().unwrap()).collect();
    assert!(distances.windows(2).all(|p| p[0] <= p[1]), "{distances:?}");
    assert!(
        suggestions.iter().all(|s| s["kind"] != "education_office"),
        "the education office does not answer for safety"
    );

    // Sending: one delivery each, the default due date in working days,
    // the evidence frozen through disclosure control.
    let explicit_due = (crate::support::day() + Duration::days(40)).to_string();
    let r = send(
        app,
        m,
        &id,
        json!([{"agency_id": board}, {"agency_id": ward, "due_on": explicit_due}]),
    )
    .await;
    let rec = r.ok(200).clone();
    assert_eq!(rec["status"], "sent");
    let deliveries = rec["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    let to_board = deliveries.iter().find(|d| d["agency_id"] == board.as_str()).unwrap();
    assert_eq!(to_board["due_on"], default_due().to_string());
    assert_eq!(to_board["status"], "sent");
    let to_ward = deliveries.iter().find(|d| d["agency_id"] == ward.as_str()).unwrap();
    assert_eq!(to_ward["due_on"], explicit_due.as_str());
    let (board_delivery, ward_delivery) = (
        to_board["id"].as_str().unwrap().to_owned(),
        to_ward["id"].as_str().unwrap().to_owned(),
    );
    let frozen = rec["frozen_evidence"][0].clone();
    assert_eq!(frozen["question_key"], "feel_safe");
    assert_eq!(frozen["survey_title"]["vi"], "Đường đến trường");
    // One 'yes' at most: published as 0 or k, never as itself.
    let yes = frozen["results"]["total"]["counts"][0]["count"].as_u64().unwrap();
    assert!(yes == 0 || yes == crate::results::K, "{frozen}");
    assert_eq!(frozen["disclosure"]["method"], "cell_key");
    // More answers later do not change what was sent.
    let code = crate::results::session(app, &w.survey, &w.school).await;
    for _ in 0..5 {
        crate::results::answer(app, &code, 13, "boy", json!({"feel_safe": "yes"})).await;
    }

    // The agency's machine client: a token by form, JSON or Basic.
    let (client_id, secret, token) = client_token(app, &board).await;
    let r = app.client_credentials_json(&client_id, &secret).await;
    assert_eq!(r.ok(200)["token_type"], "Bearer");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let basic = data_encoding::BASE64.encode(format!("{client_id}:{secret}").as_bytes());
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &format!("Basic {basic}")),
            ],
            Some(b"grant_type=client_credentials".to_vec()),
        )
        .await;
    r.ok(200);
    let form = async |body: &str| app.token_form(body).await;
    let r = app.client_credentials(&client_id, "wrong").await;
    r.assert_problem(401, "invalid_client");
    assert_eq!(
        r.body["error"], "invalid_client",
        "the RFC 6749 error, for OAuth libraries"
    );
    form("grant_type=client_credentials&client_id=ln_nobody&client_secret=x")
        .await
        .assert_problem(401, "invalid_client");
    let r = form(&format!(
        "grant_type=password&client_id={client_id}&client_secret={secret}"
    ))
    .await;
    r.assert_problem(400, "unsupported_grant_type");
    assert_eq!(r.body["error"], "unsupported_grant_type");
    form(&format!("client_id={client_id}&client_secret={secret}"))
        .await
        .assert_problem(400, "invalid_request");
    form("grant_type=client_credentials")
        .await
        .assert_problem(400, "invalid_request");
    app.request(
        Method::POST,
        "/api/v1/auth/token",
        None,
        &[("Content-Type", "text/plain")],
        Some(b"hello".to_vec()),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    let clients = app.get(&format!("/api/v1/agencies/{board}/clients"), app.admin()).await;
    let listed = clients.ok(200)[0].clone();
    assert_eq!(listed["client_id"], client_id.as_str());
    assert!(listed.get("client_secret").is_none() && !clients.text.contains(&secret));

    // The agency reads its own deliveries only, with no child's words.
    let t = Some(token.as_str());
    let r = app.get("/api/v1/agency/deliveries", t).await;
    let items = r.items().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], board_delivery.as_str());
    // Three issues, published as the cell key method publishes a count
    // under k: 0 or k, never 3, and the same at every reading.
    let issues_count = items[0]["recommendation"]["issues_count"].as_u64().unwrap();
    assert!(
        issues_count == 0 || issues_count == crate::results::K,
        "3 issues published as {issues_count}"
    );
    assert!(!r.text.contains("Hoàng Văn Thụ không có đèn, em sợ"), "no issue text");
    let r = app.get(&format!("/api/v1/agency/deliveries/{board_delivery}"), t).await;
    let frozen_now = r.ok(200)["recommendation"]["evidence"][0].clone();
    assert_eq!(r.body["recommendation"]["issues_count"], issues_count);
    assert_eq!(frozen_now, frozen, "the figures as sent");
    let not_found = [
        Call::get(format!("/api/v1/agency/deliveries/{ward_delivery}")),
        Call::post(
            format!("/api/v1/agency/deliveries/{ward_delivery}/acknowledge"),
            json!({}),
        ),
    ];
    app.refuses(&not_found, &[t], 404, "not_found").await;

    // Acknowledge (twice is fine), reply once, report progress.
    let path = |what: &str| format!("/api/v1/agency/deliveries/{board_delivery}/{what}");
    app.post(
        &path("updates"),
        t,
        &json!({"commitment_id": board_delivery, "status": "done", "note": "Xong."}),
    )
    .await
    .assert_fields(&[("commitment_id", "unknown_commitment")]);
    let r = app.post(&path("acknowledge"), t, &json!({})).await;
    assert_eq!(r.ok(200)["status"], "acknowledged");
    let r = app.post(&path("acknowledge"), t, &json!({})).await;
    assert_eq!(r.ok(200)["status"], "acknowledged");
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(
                path("replies"),
                json!({"stance": "declined", "body": "Không thể thực hiện."}),
            ),
            &[("reason", "reason_required")],
        ),
        (
            Call::post(
                path("replies"),
                json!({"stance": "maybe", "body": " ", "commitments": [{"text": "Lắp đèn", "due_on": "2020-01-01"}]}),
            ),
            &[
                ("stance", "unknown_value"),
                ("body", "empty_text"),
                ("commitments[0].due_on", "out_of_range"),
            ],
        ),
        (
            Call::post(
                path("replies"),
                json!({"stance": "declined", "body": "Không.", "reason": "Ngoài khả năng.", "commitments": [{"text": "x", "due_on": explicit_due}]}),
            ),
            &[("commitments", "not_allowed")],
        ),
        (
            Call::post(path("replies"), json!({"stance": "accepted", "body": "Đồng ý."})),
            &[("commitments", "required")],
        ),
    ];
    app.refuses_fields(invalid, t).await;
    let due1 = (crate::support::day() + Duration::days(20)).to_string();
    let r = app
        .post(
            &path("replies"),
            t,
            &json!({"stance": "accepted",
                "body": "Nhà trường phối hợp UBND phường lắp 12 bóng đèn trong tháng 12 và phân công bảo vệ hỗ trợ giờ tan học.",
                "child_summary": "Trường sẽ lắp đèn và có chú bảo vệ đứng ở cổng khi các em tan học.",
                "commitments": [{"text": "Lắp 12 bóng đèn LED", "due_on": due1},
                                {"text": "Bảo vệ hỗ trợ giờ tan học", "due_on": due1}]}),
        )
        .await;
    let answered = r.ok(200).clone();
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["reply"]["stance"], "accepted");
    assert_eq!(answered["reply"]["on_time"], true);
    let commitments: Vec<String> = answered["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    app.post(
        &path("replies"),
        t,
        &json!({"stance": "accepted", "body": "Lần nữa.", "commitments": [{"text": "x", "due_on": due1}]}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    // Acknowledging an answered delivery is a no-op (as a retry would be):
    // the delivery and its history stay as they were.
    let timeline_before = app.audit("delivery", &board_delivery).await.len();
    let again = app.post(&path("acknowledge"), t, &json!({})).await;
    assert_eq!(again.ok(200), &answered);
    assert_eq!(app.audit("delivery", &board_delivery).await.len(), timeline_before);
    let update = |c: &str, status: &str| json!({"commitment_id": c, "status": status, "note": "Đã lắp 6/12 bóng đèn.", "child_note": "Đã có 6 bóng đèn sáng rồi!"});
    let r = app
        .post(&path("updates"), t, &update(&commitments[0], "in_progress"))
        .await;
    assert_eq!(r.ok(200)["status"], "in_progress");
    let r = app.post(&path("updates"), t, &update(&commitments[0], "done")).await;
    assert_eq!(r.ok(200)["status"], "in_progress", "one commitment still open");
    app.post(&path("updates"), t, &update(&commitments[0], "in_progress"))
        .await
        .assert_problem(409, "commitment_done");
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(path("updates"), update(&w.issues[0], "done").clone()),
            &[("commitment_id", "unknown_commitment")],
        ),
        (
            Call::post(path("updates"), update(&commitments[1], "open").clone()),
            &[("status", "unknown_value")],
        ),
    ];
    app.refuses_fields(invalid, t).await;
    let r = app.post(&path("updates"), t, &update(&commitments[1], "done")).await;
    assert_eq!(r.ok(200)["status"], "done");
    // A delivery done takes no more progress.
    let illegal_transition = [
        Call::post(path("updates"), update(&commitments[1], "done").clone()),
        Call::post(
            path("replies"),
            json!({"stance": "declined", "body": "x", "reason": "y"}),
        ),
    ];
    app.refuses(&illegal_transition, &[t], 409, "illegal_transition").await;

    // The ward's staff account says it is not responsible: back to the
    // moderators, who route it to the district's social affairs office.
    let (_, ward_staff) = app.user("ubnd.duc.nhuan", "agency_staff", None, Some(&ward)).await;
    let ws = Some(ward_staff.as_str());
    let r = app
        .post(
            &format!("/api/v1/agency/deliveries/{ward_delivery}/replies"),
            ws,
            &json!({"stance": "not_responsible", "body": "Việc lắp đèn thuộc Phòng Quản lý đô thị.",
                    "reason": "Đề nghị chuyển Phòng Lao động – Thương binh và Xã hội quận."}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "not_responsible");
    // Nothing more happens on a delivery its agency gave back.
    app.post(
        &format!("/api/v1/agency/deliveries/{ward_delivery}/updates"),
        ws,
        &update(&commitments[0], "done"),
    )
    .await
    .assert_fields(&[("commitment_id", "unknown_commitment")]);
    // Acknowledging it again is a no-op, as after any answer.
    let r = app
        .post(
            &format!("/api/v1/agency/deliveries/{ward_delivery}/acknowledge"),
            ws,
            &json!({}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "not_responsible");
    let r = app.get(&format!("/api/v1/recommendations/{id}"), m).await;
    assert_eq!(r.ok(200)["needs_rerouting"], true);
    let social = agency(app, &w.district, "social_affairs_office").await;
    send(app, m, &id, json!([{"agency_id": ward}]))
        .await
        .assert_fields(&[("deliveries[0].agency_id", "already_delivered")]);
    let r = send(app, m, &id, json!([{"agency_id": social}])).await;
    let rec = r.ok(200).clone();
    assert_eq!(rec["deliveries"].as_array().unwrap().len(), 3);
    assert_eq!(
        rec["frozen_evidence"][0], frozen,
        "re-routing keeps the figures as first sent"
    );
    assert_eq!(rec["needs_rerouting"], false, "routed again since");

    // Revoking the client ends its tokens at once.
    revoke_client(app, &board, &client_id).await.ok(200);
    app.get("/api/v1/agency/deliveries", t)
        .await
        .assert_problem(401, "invalid_token");
    app.client_credentials(&client_id, &secret)
        .await
        .assert_problem(401, "invalid_client");

    // The timeline: every step with time and actor.
    let r = app.get(&format!("/api/v1/recommendations/{id}/timeline"), m).await;
    let steps: Vec<(String, String)> = r
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap().to_owned(),
                s["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let actions: Vec<&str> = steps.iter().map(|(a, _)| a.as_str()).collect();
    for expected in [
        "recommendation.create",
        "recommendation.update",
        "recommendation.approve",
        "recommendation.send",
        "delivery.create",
        "delivery.acknowledge",
        "delivery.reply",
        "delivery.update",
        "recommendation.reroute",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    assert_eq!(actions[0], "recommendation.create");
    assert!(steps.contains(&("delivery.acknowledge".into(), format!("client:{client_id}"))));
    assert!(steps.contains(&("delivery.reply".into(), "ubnd.duc.nhuan".into())));

    // "You said, we did": in the feed, in children's words, in either
    // language, and as Atom.
    let r = app.get("/api/v1/public/feed?lang=en", None).await;
    let item = r.ok(200)["items"][0].clone();
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["title"], "Light the road to school");
    assert_eq!(
        item["child_summary"],
        "You said the road to school is dark and scary. The Council asked for more lights."
    );
    let board_answer = item["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency_id"] == board.as_str())
        .unwrap()
        .clone();
    assert_eq!(board_answer["stance"], "accepted");
    assert_eq!(
        board_answer["reply"],
        "Trường sẽ lắp đèn và có chú bảo vệ đứng ở cổng khi các em tan học."
    );
    assert_eq!(board_answer["commitments"][0]["status"], "done");
    assert_eq!(
        board_answer["commitments"][0]["progress"][0]["note"],
        "Đã có 6 bóng đèn sáng rồi!"
    );
    assert!(!r.text.contains("em sợ khi về muộn"), "no child's words");
    assert!(
        !r.text.contains("Nhà trường phối hợp UBND phường"),
        "the formal answer stays with staff: children read the child-friendly one"
    );
    assert_eq!(
        item["evidence"],
        json!([]),
        "the survey's results are not public: its figures stay with the Council and agencies"
    );
    assert!(
        !r.text.contains("ubnd.duc.nhuan") && !r.text.contains(&client_id),
        "no actors"
    );
    let r = app.get_in("/api/v1/public/feed", None, "vi").await;
    assert_eq!(r.ok(200)["items"][0]["title"], "Lắp đèn trên đường đến trường");
    let r = app.get("/api/v1/public/feed?topic=play_spaces", None).await;
    assert!(r.items().is_empty());
    let other_ward = app.unit_id("HCM-CAUKIEU", "2026-01-01").await;
    let r = app
        .get(&format!("/api/v1/public/feed?unit_id={other_ward}"), None)
        .await;
    assert!(r.items().is_empty());
    let r = app.get(&format!("/api/v1/public/feed?unit_id={ward_unit}"), None).await;
    assert_eq!(r.items().len(), 1);
    let r = app.get(&format!("/api/v1/public/recommendations/{id}"), None).await;
    assert_eq!(r.ok(200)["answers"].as_array().unwrap().len(), 3);
    let r = app.get("/api/v1/public/feed.atom", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("application/atom+xml"));
    assert!(r.text.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(r.text.contains(&format!("<id>urn:uuid:{id}</id>")));
    assert!(r.text.contains("Lắp đèn trên đường đến trường"));
    assert_eq!(r.text.matches("<entry>").count(), 1);

    // A draft is nowhere public, and cannot be sent before approval.
    let r = app.post("/api/v1/recommendations", m, &draft(&w)).await;
    let draft_id = r.created();
    app.get(&format!("/api/v1/public/recommendations/{draft_id}"), None)
        .await
        .assert_problem(404, "not_found");
    send(app, m, &draft_id, json!([{"agency_id": board}]))
        .await
        .assert_problem(409, "illegal_transition");
    let r = app.get("/api/v1/public/feed", None).await;
    assert_eq!(r.items().len(), 1);

    // Staff lists with filters.
    let r = app.get("/api/v1/recommendations?status=draft", m).await;
    assert_eq!(r.items().len(), 1);
    let r = app.get(&format!("/api/v1/recommendations?agency_id={social}"), m).await;
    assert_eq!(r.ok(200)["items"][0]["id"], id.as_str());
    let r = app.get("/api/v1/recommendations?topic=safety&limit=1", m).await;
    assert!(r.ok(200)["next_cursor"].is_string());
    let r = app.get("/api/v1/recommendations?overdue=true", m).await;
    assert!(r.items().is_empty());
    let r = app
        .get(&format!("/api/v1/recommendations?unit_id={other_ward}"), m)
        .await;
    assert!(r.items().is_empty());

    // The annual report counts deliveries per agency.
    let section = recommendations_section(app).await;
    let row = |item: &str, breakdown: &str| figure(&section, item, breakdown);
    assert_eq!(row("all", "recommendations"), Some(json!(1)));
    assert_eq!(row("all", "sent"), Some(json!(3)));
    assert_eq!(row("all", "answered"), Some(json!(2)));
    assert_eq!(row("all", "answered_on_time"), Some(json!(2)));
    assert_eq!(row("all", "overdue"), Some(json!(0)));
    assert_eq!(row("all", "median_working_days_to_answer"), Some(json!(0.0)));
    assert_eq!(row(&board, "answered"), Some(json!(1)));
    assert_eq!(row(&social, "answered"), Some(json!(0)));
}

#[actix_web::test]
async fn recommendations_refuse_other_roles_and_bad_input() {
    let w = world().await;
    let (app, m) = (&w.app, w.moderator());
    let (board, _, id, delivery) = sent_to_board(&w).await;
    let (_, _, client) = client_token(app, &board).await;

    // Staff routes: moderators and admins only.
    let mut refused = app.non_admin_tokens(Some(&w.school), Some(&board)).await;
    refused.retain(|(role, _)| *role != "moderator");
    refused.push(("agency_client", client.clone()));
    let staff_routes: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/recommendations".into(), draft(&w)),
        (Method::GET, "/api/v1/recommendations".into(), json!(null)),
        (Method::GET, format!("/api/v1/recommendations/{id}"), json!(null)),
        (Method::PATCH, format!("/api/v1/recommendations/{id}"), json!({})),
        (Method::POST, format!("/api/v1/recommendations/{id}/approve"), json!({})),
        (
            Method::POST,
            format!("/api/v1/recommendations/{id}/send"),
            json!({"deliveries": [{"agency_id": board}]}),
        ),
        (
            Method::GET,
            format!("/api/v1/recommendations/{id}/routing-suggestions"),
            json!(null),
        ),
        (
            Method::GET,
            format!("/api/v1/recommendations/{id}/timeline"),
            json!(null),
        ),
        (Method::GET, "/api/v1/deliveries?overdue=true".into(), json!(null)),
    ];
    for (method, path, body) in &staff_routes {
        for (role, token) in &refused {
            let r = if body.is_null() {
                app.request(method.clone(), path, Some(token), &[], None).await
            } else {
                app.send_json(method.clone(), path, Some(token), body).await
            };
            assert_eq!(r.status, 403, "{role} {method} {path}: {}", r.text);
        }
        let r = app.request(method.clone(), path, None, &[], None).await;
        r.assert_problem(401, "unauthenticated");
    }
    // Agencies' clients: admins only.
    for (role, token) in &refused {
        let r = app
            .send_json(
                Method::DELETE,
                &format!("/api/v1/agencies/{board}/clients/ln_nobody"),
                Some(token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 403, "{role}: {}", r.text);
        app.post(
            &format!("/api/v1/agencies/{board}/clients"),
            Some(token),
            &json!({"label": "x"}),
        )
        .await
        .assert_problem(403, "forbidden");
        let r = app.get(&format!("/api/v1/agencies/{board}/clients"), Some(token)).await;
        assert_eq!(r.status, 403, "{role}");
    }
    // The agency routes: agency clients and agency staff only.
    for token in [app.admin().unwrap(), w.moderator.as_str()] {
        for path in [
            "/api/v1/agency/deliveries".to_owned(),
            format!("/api/v1/agency/deliveries/{delivery}"),
        ] {
            app.get(&path, Some(token)).await.assert_problem(403, "forbidden");
        }
        app.post(
            &format!("/api/v1/agency/deliveries/{delivery}/acknowledge"),
            Some(token),
            &json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let invalid_query = [
        Call::get("/api/v1/agency/deliveries?status=lost"),
        Call::get("/api/v1/agency/deliveries?overdue=maybe"),
    ];
    app.refuses(&invalid_query, &[Some(&client)], 400, "invalid_query")
        .await;
    app.get("/api/v1/agency/deliveries", None)
        .await
        .assert_problem(401, "unauthenticated");
    // Another agency's staff does not see this delivery.
    let social = agency(app, &w.district, "social_affairs_office").await;
    let (_, other) = app.user("ldtbxh.staff", "agency_staff", None, Some(&social)).await;
    for (what, body) in [
        ("replies", json!({"stance": "accepted", "body": "x"})),
        (
            "updates",
            json!({"commitment_id": delivery, "status": "done", "note": "x"}),
        ),
        ("acknowledge", json!({})),
    ] {
        app.post(
            &format!("/api/v1/agency/deliveries/{delivery}/{what}"),
            Some(&other),
            &body,
        )
        .await
        .assert_problem(404, "not_found");
    }
    app.get(&format!("/api/v1/agency/deliveries/{delivery}"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    let r = app.get("/api/v1/agency/deliveries", Some(&other)).await;
    assert!(r.items().is_empty());

    // Bad input: every problem named, nothing stored.
    let before = app.get("/api/v1/recommendations", m).await.items().len();
    let r = app
        .post(
            "/api/v1/recommendations",
            m,
            &json!({"title": {"vi": ""}, "summary": {"vi": "x"}, "child_summary": {"vi": "x"}, "action": {"vi": "x"},
                "topic": "no_such_topic", "unit_id": w.issues[0],
                "issue_ids": [w.issues[3], w.issues[0], w.issues[0], w.survey],
                "evidence": [{"survey_id": w.issues[0], "question_key": "x"}, {"survey_id": w.survey, "question_key": "nope"}]}),
        )
        .await;
    r.assert_fields(&[
        ("title.vi", "required"),
        ("topic", "unknown_topic"),
        ("unit_id", "unknown_unit"),
        ("issue_ids[0]", "not_accepted"),
        ("issue_ids[2]", "duplicate"),
        ("issue_ids[3]", "unknown_issue"),
        ("evidence[0].survey_id", "unknown_survey"),
        ("evidence[1].question_key", "unknown_question"),
    ]);
    let mut no_grounds = draft(&w);
    no_grounds["issue_ids"] = json!([]);
    no_grounds["evidence"] = json!([]);
    app.post("/api/v1/recommendations", m, &no_grounds)
        .await
        .assert_fields(&[("issue_ids", "no_grounds")]);
    app.post("/api/v1/recommendations", m, &json!({"title": {"vi": "x"}}))
        .await
        .assert_problem(422, "validation_failed");
    app.request(
        Method::POST,
        "/api/v1/recommendations",
        m,
        &[("Content-Type", "application/json")],
        Some(b"{not json".to_vec()),
    )
    .await
    .assert_problem(400, "malformed_json");
    let after = app.get("/api/v1/recommendations", m).await.items().len();
    assert_eq!(before, after, "nothing stored");
    let r = app.post("/api/v1/recommendations", m, &draft(&w)).await;
    let draft_id = r.created();
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(
                format!("/api/v1/recommendations/{draft_id}"),
                json!({"topic": "nope", "child_summary": {"vi": " "}, "issue_ids": [w.issues[3]]}),
            ),
            &[
                ("child_summary.vi", "required"),
                ("topic", "unknown_topic"),
                ("issue_ids[0]", "not_accepted"),
            ],
        ),
        (
            Call::patch(format!("/api/v1/recommendations/{draft_id}"), json!({"colour": "red"})),
            &[("colour", "unknown_field")],
        ),
    ];
    app.refuses_fields(invalid, m).await;
    let r = app.get(&format!("/api/v1/recommendations/{draft_id}"), m).await;
    assert_eq!(r.ok(200)["topic"], "safety", "nothing changed");
    approve(app, m, &draft_id, json!({"event_id": w.issues[0]}))
        .await
        .assert_fields(&[("event_id", "unknown_event")]);
    approve(app, m, &draft_id, json!({"event_idd": null}))
        .await
        .assert_problem(422, "validation_failed");
    // Approval is recorded at a Council meeting, not any event.
    let dialogue = record_event(
        app,
        json!({"kind": "dialogue", "unit_id": w.school, "held_on": "2026-10-20",
            "title": "Đối thoại", "children_attending": 12, "adults_attending": 2}),
    )
    .await;
    approve(app, m, &draft_id, json!({"event_id": dialogue}))
        .await
        .assert_fields(&[("event_id", "not_a_council_meeting")]);
    // An empty body approves without a meeting.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/recommendations/{draft_id}/approve"),
            m,
            &[],
            None,
        )
        .await;
    assert_eq!(r.ok(200)["status"], "approved");
    let yesterday = (crate::support::day() - Duration::days(1)).to_string();
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(
                format!("/api/v1/recommendations/{draft_id}/send"),
                json!({"deliveries": [{"agency_id": board, "due_on": yesterday}, {"agency_id": board}, {"agency_id": w.school}]}),
            ),
            &[
                ("deliveries[0].due_on", "out_of_range"),
                ("deliveries[1].agency_id", "duplicate"),
                ("deliveries[2].agency_id", "unknown_agency"),
            ],
        ),
        (
            Call::post(
                format!("/api/v1/recommendations/{draft_id}/send"),
                json!({"deliveries": []}),
            ),
            &[("deliveries", "invalid_length")],
        ),
    ];
    app.refuses_fields(invalid, m).await;
    let r = app.get(&format!("/api/v1/recommendations/{draft_id}"), m).await;
    assert_eq!(r.ok(200)["status"], "approved", "nothing sent");
    let staff_reads = [
        "/api/v1/recommendations?status=lost",
        "/api/v1/recommendations?topic=nope",
        "/api/v1/recommendations?overdue=maybe",
        "/api/v1/recommendations?limit=0",
        "/api/v1/deliveries?status=lost",
        "/api/v1/recommendations/not-a-uuid",
    ];
    bad_requests(app, &staff_reads, m).await;
    let public_reads = [
        "/api/v1/public/feed?lang=fr",
        "/api/v1/public/feed?cursor=nonsense",
        "/api/v1/public/feed?limit=500",
        "/api/v1/public/feed.atom?cursor=x",
        "/api/v1/public/recommendations/x",
        "/api/v1/public/recommendations/00000000-0000-0000-0000-000000000000?lang=de",
    ];
    bad_requests(app, &public_reads, None).await;
    app.get(
        "/api/v1/public/recommendations/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await
    .assert_problem(404, "not_found");
    app.get("/api/v1/recommendations/00000000-0000-0000-0000-000000000000", m)
        .await
        .assert_problem(404, "not_found");
    app.post(
        "/api/v1/agencies/00000000-0000-0000-0000-000000000000/clients",
        app.admin(),
        &json!({"label": "x"}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("/api/v1/agencies/{board}/clients"),
        app.admin(),
        &json!({"label": "  "}),
    )
    .await
    .assert_fields(&[("label", "empty_text")]);
    revoke_client(app, &board, "ln_nobody")
        .await
        .assert_problem(404, "not_found");

    // Evidence whose question the survey no longer publishes cannot be
    // frozen: sending says so, and sends nothing.
    let changing = crate::surveys::published_survey(app, &crate::surveys::example_survey(&w.district)).await;
    let mut body = draft(&w);
    body["evidence"] = json!([{"survey_id": changing, "question_key": "feel_safe"}]);
    let r = app.post("/api/v1/recommendations", m, &body).await;
    let stale = r.created();
    approve(app, m, &stale, json!({})).await.ok(200);
    let mut without = crate::surveys::example_survey(&w.district);
    without["questions"] = json!([without["questions"][2].clone()]);
    app.send_json(
        Method::PUT,
        &format!("/api/v1/surveys/{changing}/draft"),
        app.admin(),
        &without,
    )
    .await
    .ok(200);
    app.post(&format!("/api/v1/surveys/{changing}/publish"), app.admin(), &json!({}))
        .await
        .ok(200);
    send(app, m, &stale, json!([{"agency_id": board}]))
        .await
        .assert_problem(409, "evidence_unavailable");
    let r = app.get(&format!("/api/v1/recommendations/{stale}"), m).await;
    assert_eq!(r.ok(200)["status"], "approved", "nothing sent");
    assert!(r.ok(200)["deliveries"].as_array().unwrap().is_empty());

    // A due date on a weekend or a holiday is refused.
    let mut sunday = crate::support::day() + Duration::days(7);
    while chrono::Datelike::weekday(&sunday) != chrono::Weekday::Sun {
        sunday += Duration::days(1);
    }
    send(
        app,
        m,
        &draft_id,
        json!([{"agency_id": board, "due_on": sunday.to_string()}]),
    )
    .await
    .assert_fields(&[("deliveries[0].due_on", "not_a_working_day")]);

    // An agency that is no longer active: its clients lose their tokens,
    // and nothing more is sent to it.
    let (client_id, secret, inactive_token) = client_token(app, &social).await;
    app.patch(
        &format!("/api/v1/agencies/{social}"),
        app.admin(),
        &json!({"active": false}),
    )
    .await
    .ok(200);
    app.get("/api/v1/agency/deliveries", Some(&inactive_token))
        .await
        .assert_problem(403, "agency_inactive");
    app.get("/api/v1/agency/deliveries", Some(&other))
        .await
        .assert_problem(403, "agency_inactive");
    app.client_credentials_json(&client_id, &secret)
        .await
        .assert_problem(401, "invalid_client");
    send(app, m, &draft_id, json!([{"agency_id": social}]))
        .await
        .assert_fields(&[("deliveries[0].agency_id", "agency_inactive")]);

    // Paging the feed: newest sent first, across pages.
    // The second rests on a survey whose results are public: its figures
    // are in the feed.
    let mut public = crate::surveys::example_survey(&w.district);
    public["results_public"] = json!(true);
    let public = crate::surveys::published_survey(app, &public).await;
    let mut body = draft(&w);
    body["evidence"] = json!([{"survey_id": public, "question_key": "feel_safe"}]);
    let r = app.post("/api/v1/recommendations", m, &body).await;
    let second = r.created();
    approve(app, m, &second, json!({})).await.ok(200);
    send(app, m, &second, json!([{"agency_id": board}])).await.ok(200);
    let r = app.get("/api/v1/public/feed?limit=1", None).await;
    let page = r.ok(200).clone();
    assert_eq!(page["items"][0]["id"], second.as_str());
    assert_eq!(page["items"][0]["evidence"][0]["survey_id"], public.as_str());
    assert_eq!(page["items"][0]["evidence"][0]["question_key"], "feel_safe");
    let cursor = page["next_cursor"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/public/feed?limit=1&cursor={cursor}"), None)
        .await;
    assert_eq!(r.ok(200)["items"][0]["id"], id.as_str());
    assert!(r.ok(200)["next_cursor"].is_null());
}

async fn set_due(app: &TestApp, delivery: &str, due: NaiveDate) {
    set_column(app, "deliveries", "due_on", due.into(), delivery).await;
}

/// Writes one column of one row straight into the database, behind the
/// API's back.
pub(crate) async fn set_column(app: &TestApp, table: &str, column: &str, value: sea_orm::Value, id: &str) {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let db = app.storage().await;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => format!("UPDATE {table} SET {column} = $1 WHERE id = $2"),
        _ => format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
    };
    let id: uuid::Uuid = id.parse().unwrap();
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [value, id.into()]))
        .await
        .unwrap();
    db.close().await.ok();
}

/// A status no version of the service writes, put into a row by hand, is
/// a logged 500 (`internal_error` with the id it was logged under), never
/// read as some other status: not as `sent` for a recommendation (which
/// would refuse an edit as not a draft), nor as `done` for a delivery.
#[actix_web::test]
async fn an_unknown_stored_status_is_a_logged_500_never_a_default() {
    let w = world().await;
    let (app, m) = (&w.app, w.moderator());
    let (board, rec, id, delivery) = sent_to_board(&w).await;
    let internal = |r: &crate::support::Resp| {
        r.assert_problem(500, "internal_error");
        assert!(r.body["error_id"].as_str().is_some_and(|i| !i.is_empty()), "{}", r.text);
        assert!(!r.text.contains("archived") && !r.text.contains("lost"), "{}", r.text);
    };

    set_column(app, "deliveries", "status", "lost".into(), &delivery).await;
    internal(&app.get("/api/v1/deliveries", m).await);
    internal(&app.get(&format!("/api/v1/recommendations/{id}"), m).await);
    let (_, _, token) = client_token(app, &board).await;
    let t = Some(token.as_str());
    internal(&app.get(&format!("/api/v1/agency/deliveries/{delivery}"), t).await);
    internal(
        &app.post(
            &format!("/api/v1/agency/deliveries/{delivery}/acknowledge"),
            t,
            &json!({}),
        )
        .await,
    );
    set_column(app, "deliveries", "status", "sent".into(), &delivery).await;
    app.get(&format!("/api/v1/recommendations/{id}"), m).await.ok(200);

    set_column(app, "recommendations", "status", "archived".into(), &id).await;
    internal(&app.get(&format!("/api/v1/recommendations/{id}"), m).await);
    internal(&app.get("/api/v1/recommendations", m).await);
    internal(
        &app.patch(
            &format!("/api/v1/recommendations/{id}"),
            m,
            &json!({"title": {"vi": "Mới"}}),
        )
        .await,
    );
    internal(&send(app, m, &id, json!([{"agency_id": board}])).await);
    // Nothing was changed by the refused requests.
    set_column(app, "recommendations", "status", "sent".into(), &id).await;
    let back = app.get(&format!("/api/v1/recommendations/{id}"), m).await;
    assert_eq!(back.ok(200)["status"], "sent");
    assert_eq!(back.ok(200)["title"], rec["title"]);
    assert_eq!(back.ok(200)["deliveries"][0]["status"], "sent");
}

/// The chaser on an injected clock: three working days before the due
/// date, on it, every five working days after, escalating after the third
/// reminder past due; each reminder once, however often it runs.
#[actix_web::test]
async fn the_chaser_reminds_on_working_days_and_escalates() {
    let w = world().await;
    let (app, m) = (&w.app, w.moderator());
    let board = agency(app, &w.school, "school_board").await;
    let rec = sent(&w, &[&board]).await;
    let delivery = rec["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let rec_id = rec["id"].as_str().unwrap().to_owned();
    // Due on Monday 22 February 2027, just after Tết.
    let due = NaiveDate::from_ymd_opt(2027, 2, 22).unwrap();
    set_due(app, &delivery, due).await;
    let db = langnghe_storage::connect(&app.db.url, 2).await.unwrap();
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let chase = |d: NaiveDate| {
        let db = db.clone();
        async move {
            langnghe_api::jobs::chasing::chase(&db, crate::support::morning_of(d))
                .await
                .unwrap()
        }
    };
    let expected = [
        ("2027-02-16", 0, 0),
        ("2027-02-17", 1, 0), // three working days before
        ("2027-02-17", 0, 0), // again the same day: nothing
        ("2027-02-19", 0, 0),
        ("2027-02-22", 1, 0), // on the due date
        ("2027-02-26", 0, 0),
        ("2027-03-01", 1, 0), // five working days after
        ("2027-03-08", 1, 0),
        ("2027-03-12", 0, 0),
        ("2027-03-15", 1, 1), // the third past due: the admins are alerted
        ("2027-03-22", 1, 0),
    ];
    for (d, reminders, escalations) in expected {
        let r = chase(day(d)).await;
        assert_eq!((r.reminders, r.escalations), (reminders, escalations), "on {d}");
    }
    // Two replicas chasing the same day send it once.
    let (a, b) = futures_util::future::join(chase(day("2027-03-29")), chase(day("2027-03-29"))).await;
    assert_eq!(a.reminders + b.reminders, 1);

    let r = app.get(&format!("/api/v1/recommendations/{rec_id}/timeline"), m).await;
    let steps = r.ok(200).as_array().unwrap().clone();
    let reminders: Vec<&Value> = steps.iter().filter(|s| s["action"] == "delivery.reminder").collect();
    assert_eq!(reminders.len(), 7);
    assert_eq!(reminders[0]["actor"], "system");
    assert_eq!(reminders[0]["after"]["kind"], "before_due");
    assert_eq!(reminders[1]["after"]["kind"], "on_due");
    assert_eq!(reminders[2]["after"]["kind"], "overdue");
    assert_eq!(reminders[2]["after"]["days_overdue"], 5);
    assert_eq!(steps.iter().filter(|s| s["action"] == "delivery.escalate").count(), 1);

    // Overdue as of today: set the due date to before today.
    let past = crate::support::day() - Duration::days(10);
    set_due(app, &delivery, past).await;
    let r = app.get("/api/v1/deliveries?overdue=true", m).await;
    let items = r.items().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], delivery.as_str());
    assert_eq!(items[0]["overdue"], true);
    assert!(items[0]["days_overdue"].as_i64().unwrap() >= 1);
    assert_eq!(items[0]["escalated"], true);
    assert_eq!(items[0]["reminders_sent"], 7);
    let r = app.get("/api/v1/deliveries?escalated=true", m).await;
    assert_eq!(r.items().len(), 1);
    let r = app.get("/api/v1/deliveries?overdue=false", m).await;
    assert!(r.items().is_empty());
    let r = app.get("/api/v1/recommendations?overdue=true", m).await;
    assert_eq!(r.ok(200)["items"][0]["overdue"], true);
    let r = app.get("/api/v1/public/feed", None).await;
    assert_eq!(r.ok(200)["items"][0]["answers"][0]["overdue"], true);
    assert_eq!(report_figure(app, "all", "overdue").await, Some(json!(1)));
    assert_eq!(report_figure(app, "all", "answered").await, Some(json!(0)));
    let (_, _, token) = client_token(app, &board).await;
    let r = app.get("/api/v1/agency/deliveries?overdue=true", Some(&token)).await;
    assert_eq!(r.ok(200)["items"][0]["overdue"], true);

    // An answer stops the chasing.
    app.post(
        &format!("/api/v1/agency/deliveries/{delivery}/replies"),
        Some(&token),
        &json!({"stance": "partially_accepted", "body": "Sẽ lắp đèn ở hẻm 120.",
                "commitments": [{"text": "Lắp đèn hẻm 120", "due_on": (crate::support::day() + Duration::days(30)).to_string()}]}),
    )
    .await
    .ok(200);
    assert_eq!(chase(day("2027-04-30")).await.reminders, 0);
    let r = app.get("/api/v1/deliveries?overdue=true", m).await;
    assert!(r.items().is_empty());
    let r = app.get(&format!("/api/v1/recommendations/{rec_id}"), m).await;
    assert_eq!(r.ok(200)["deliveries"][0]["reply"]["on_time"], false);
    // Answered, late: the report says so.
    assert_eq!(report_figure(app, "all", "answered").await, Some(json!(1)));
    assert_eq!(report_figure(app, "all", "answered_on_time").await, Some(json!(0)));
    assert_eq!(report_figure(app, "all", "overdue").await, Some(json!(0)));
    db.close().await.ok();
}
