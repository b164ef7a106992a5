//! Differencing attacks on figures that leave the service, each closed:
//! an agency's count of a recommendation's issues read before and after a
//! child withdraws, erases or is referred; a facilitator who enters and
//! withdraws fake paper forms to draw the cell key noise anew; two reports
//! a day apart whose topic sections would differ by one day's issues.
//! Published figures are computed here as the service computes them, with
//! the test data key and the default policy, so each is asserted exactly.

use langnghe_api::credentials::DataKey;
use langnghe_domain::disclosure::{CellKey, PTable, Policy};
use serde_json::json;

use crate::support::{DATA_KEY, TestApp};
use crate::surveys::{example_survey, published_survey};

/// The count of these issues as the cell key method publishes it.
fn published_issues(ids: &[String]) -> u64 {
    let data = DataKey::new(DATA_KEY);
    let key = CellKey::of(ids.iter().map(|id| data.record_key("issue", id.parse().unwrap())));
    PTable::new(Policy::default()).perturb(ids.len() as u64, key)
}

/// A child who raised an issue: its id and receipt, and their participant
/// token (for erasure).
struct Raiser {
    issue: String,
    receipt: String,
    participant: String,
}

/// The agency's reading of its delivery's `issues_count`, from the list and
/// from the delivery itself (always the same).
async fn issues_count(app: &TestApp, token: &str, delivery: &str) -> u64 {
    let list = app.get("/api/v1/agency/deliveries", Some(token)).await;
    let item = list.items().iter().find(|d| d["id"] == delivery).unwrap().clone();
    let one = app
        .get(&format!("/api/v1/agency/deliveries/{delivery}"), Some(token))
        .await;
    assert_eq!(
        one.ok(200)["recommendation"]["issues_count"],
        item["recommendation"]["issues_count"]
    );
    item["recommendation"]["issues_count"].as_u64().unwrap()
}

#[actix_web::test]
async fn an_agency_never_counts_issues_that_no_longer_stand() {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let (_, moderator) = app.user("hoi.dong.dem", "moderator", None, None).await;
    let m = Some(moderator.as_str());
    let mut body = example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = published_survey(&app, &body).await;
    let code = crate::results::session(&app, &survey, &school).await;
    // Eight children raise an issue each; the Council accepts them all and
    // sends a recommendation on them to the school's board.
    let mut raisers = Vec::new();
    for i in 0..8 {
        let joined = app
            .post(
                "/api/v1/join",
                None,
                &json!({"join_code": code, "age": 13, "assent": true}),
            )
            .await
            .ok(200)
            .clone();
        let r = app
            .raise(
                joined["respondent_token"].as_str().unwrap(),
                "i",
                &format!("Đèn đường số {i}"),
                &format!("Hẻm {i} không có đèn, em sợ khi về muộn."),
            )
            .await;
        let receipt = r.string(201, "receipt_code");
        let issue = r.body["id"].as_str().unwrap().to_owned();
        app.patch(
            &format!("/api/v1/issues/{issue}"),
            m,
            &json!({"status": "accepted", "topic": "safety"}),
        )
        .await
        .ok(200);
        raisers.push(Raiser {
            issue,
            receipt,
            participant: joined["participant_token"].as_str().unwrap().to_owned(),
        });
    }
    let ids: Vec<String> = raisers.iter().map(|r| r.issue.clone()).collect();
    let board = crate::recommendations::agency(&app, &school, "school_board").await;
    let draft = json!({
        "title": {"vi": "Lắp đèn trong các hẻm"},
        "summary": {"vi": "Học sinh phản ánh nhiều hẻm không có đèn."},
        "child_summary": {"vi": "Các bạn nói các hẻm tối. Hội đồng trẻ em đề nghị lắp đèn."},
        "action": {"vi": "Lắp đèn chiếu sáng."},
        "topic": "safety", "unit_id": school, "issue_ids": ids, "evidence": []
    });
    let rec = crate::recommendations::send_new(&app, m, &draft, &[&board]).await;
    let delivery = crate::recommendations::delivery_for(&rec, &board);
    let (_, _, token) = crate::recommendations::client_token(&app, &board).await;
    assert_eq!(issues_count(&app, &token, &delivery).await, published_issues(&ids));

    // One child withdraws their issue by receipt, another erases all they
    // gave; a moderator refers a third to safeguarding and rejects a
    // fourth on a second look. The links stay; the count is that of the
    // four issues left standing, as if the others had never been put in,
    // so the agency cannot difference out who left.
    app.delete(&format!("/api/v1/issues/{}", raisers[0].receipt), None)
        .await
        .ok(204);
    let erased = app
        .delete("/api/v1/participants/me", Some(&raisers[1].participant))
        .await;
    assert_eq!(erased.ok(200)["issues_erased"], 1);
    app.post(
        &format!("/api/v1/issues/{}/refer", raisers[2].issue),
        m,
        &json!({"severity": "urgent", "categories": ["violence"]}),
    )
    .await
    .ok(201);
    app.patch(
        &format!("/api/v1/issues/{}", raisers[3].issue),
        m,
        &json!({"status": "rejected", "reason": "duplicate"}),
    )
    .await
    .ok(200);
    let standing = &ids[4..];
    assert_eq!(issues_count(&app, &token, &delivery).await, published_issues(standing));
    let linked = app
        .get(&format!("/api/v1/recommendations/{}", rec["id"].as_str().unwrap()), m)
        .await;
    assert_eq!(
        linked.ok(200)["issue_ids"].as_array().unwrap().len(),
        8,
        "the links stay"
    );

    // Every child withdraws: nothing stands, and zero reads zero.
    for r in &raisers[4..] {
        app.delete(&format!("/api/v1/issues/{}", r.receipt), None).await.ok(204);
    }
    assert_eq!(issues_count(&app, &token, &delivery).await, 0);
}

/// A paper session at school PN-S06 that expects ten children (so it takes
/// fifteen forms), held on 26 November 2026 and entered on the 28th by its
/// facilitator: the app, the session's id and the facilitator's token.
async fn paper_session() -> (TestApp, String, String) {
    let mut app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = published_survey(&app, &example_survey(&district)).await;
    app.user("tpt.phieu", "facilitator", Some(&school), None).await;
    app.clock.advance(chrono::Duration::days(3));
    app.admin = app.login("admin", crate::support::ADMIN_PASSWORD).await;
    let tpt = app.login("tpt.phieu", "tpt.phieu-mật-khẩu-dài").await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let opens = langnghe_api::local_day_start(day) + chrono::Duration::hours(8);
    let session = app
        .post(
            &format!("/api/v1/surveys/{survey}/sessions"),
            Some(&tpt),
            &json!({"unit_id": school, "mode": "paper", "opens_at": opens,
                    "closes_at": opens + chrono::Duration::hours(1), "expected_participants": 10,
                    "guardian_consent": {"method": "paper_form", "reference": "HS-2026-11/7A"}}),
        )
        .await;
    // Its cap of forms is the cap of children it would admit.
    assert_eq!(session.ok(201)["join_cap"], 15);
    (app, session.created(), tpt)
}

/// The facilitator enters form `n` (a child of 11 whose happiness is
/// `n mod 5 + 1`, so each form is a different one) under key `form-{n}`.
async fn enter(app: &TestApp, session: &str, tpt: &str, n: usize) -> crate::support::Resp {
    let form = json!({"age": 11, "assent": true,
        "answers": {"feel_safe": "yes", "happy_at_school": n % 5 + 1}});
    app.post_keyed(
        &format!("/api/v1/sessions/{session}/paper-responses"),
        Some(tpt),
        &format!("form-{n}"),
        &form,
    )
    .await
}

/// What a refused entry must leave as it was: responses, participants,
/// the session's audit trail.
async fn stored(app: &TestApp, session: &str) -> (i64, i64, usize) {
    (
        crate::paper::count(app, "responses").await,
        crate::paper::count(app, "participants").await,
        app.audit("session", session).await.len(),
    )
}

#[actix_web::test]
async fn a_facilitator_cannot_draw_a_paper_sessions_noise_anew_without_end() {
    let (app, session, tpt) = paper_session().await;
    // Two real forms.
    let mut real = Vec::new();
    for n in [0, 1] {
        real.push(enter(&app, &session, &tpt, n).await.string(201, "receipt_code"));
    }
    // The attack: enter a different fake form, read the figures, withdraw
    // it, again and again; each form changes the records behind the cells
    // and draws their noise anew, and enough readings average it away.
    // Five forms may be withdrawn (forms entered wrong); then the session
    // takes no more, and nothing of the refused form is stored.
    for n in 2..7 {
        let receipt = enter(&app, &session, &tpt, n).await.string(201, "receipt_code");
        app.delete(&format!("/api/v1/responses/{receipt}"), None).await.ok(204);
    }
    let before = stored(&app, &session).await;
    enter(&app, &session, &tpt, 7)
        .await
        .assert_problem(409, "paper_withdrawal_cap_reached");
    assert_eq!(stored(&app, &session).await, before, "nothing stored");
    // A withdrawal is never refused; a retry of a form entered before
    // still gets its receipt.
    app.delete(&format!("/api/v1/responses/{}", real[0]), None)
        .await
        .ok(204);
    assert_eq!(
        enter(&app, &session, &tpt, 1).await.string(201, "receipt_code"),
        real[1]
    );
    enter(&app, &session, &tpt, 8)
        .await
        .assert_problem(409, "paper_withdrawal_cap_reached");
}

#[actix_web::test]
async fn a_paper_session_takes_no_more_forms_than_it_admits_children() {
    let (app, session, tpt) = paper_session().await;
    // Ten expected and a margin of five: fifteen forms, one of them
    // withdrawn (it still counts toward the cap).
    let mut receipts = Vec::new();
    for n in 0..15 {
        receipts.push(enter(&app, &session, &tpt, n).await.string(201, "receipt_code"));
    }
    app.delete(&format!("/api/v1/responses/{}", receipts[3]), None)
        .await
        .ok(204);
    let before = stored(&app, &session).await;
    let r = enter(&app, &session, &tpt, 15).await;
    r.assert_problem(409, "paper_form_cap_reached");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(stored(&app, &session).await, before, "nothing stored");
    // A retry of the last form entered still gets its receipt.
    assert_eq!(
        enter(&app, &session, &tpt, 14).await.string(201, "receipt_code"),
        receipts[14]
    );
}

/// What the district's report an admin reads over `period` says children
/// did: its days, and its consultations, topics and events sections.
async fn children_sections(app: &TestApp, period: &str) -> serde_json::Value {
    let report = app.admin_read(&format!("/api/v1/reports?period={period}")).await;
    let sections: Vec<serde_json::Value> = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| ["consultations", "topics", "events"].contains(&s["key"].as_str().unwrap_or_default()))
        .cloned()
        .collect();
    assert_eq!(sections.len(), 3, "{period}: {report}");
    json!({"from": report["children_from"], "to": report["children_to"], "sections": sections})
}

/// The attack: two reports over days a day apart (1–24 and 1–25
/// November) would difference that one day's issues, responses and
/// children at events, per topic and per unit. What children did is
/// counted over the whole months a report's period touches, so the two
/// read exactly as the month does (a school term, as its months).
#[actix_web::test]
async fn a_report_counts_what_children_did_over_whole_months_only() {
    let app = TestApp::spawn_demo().await;
    let crate::erasure::Open { code, .. } = crate::erasure::open_with_issues(&app).await;
    // A child raises an issue on safety today, 25 November.
    let child = app.child(&code, 13).await;
    let issue = json!({"title": "Đường tối", "body": "Hẻm 120 không có đèn.", "topic": "safety"});
    app.post_keyed("/api/v1/issues", Some(&child), "i", &issue)
        .await
        .ok(201);
    let month = children_sections(&app, "2026-11").await;
    assert_eq!(
        (&month["from"], &month["to"]),
        (&json!("2026-11-01"), &json!("2026-11-30"))
    );
    assert!(month.to_string().contains("safety"), "{month}");
    for period in [
        "2026-11-01..2026-11-24",
        "2026-11-01..2026-11-25",
        "2026-11-02..2026-11-30",
        "2026-11-25..2026-11-25",
    ] {
        assert_eq!(children_sections(&app, period).await, month, "{period}");
    }
    // A term (5 September to 15 January): its months.
    let term = children_sections(&app, "2026-2027-HK1").await;
    assert_eq!(
        (&term["from"], &term["to"]),
        (&json!("2026-09-01"), &json!("2027-01-31"))
    );
    assert_eq!(term, children_sections(&app, "2026-09-01..2027-01-31").await);
    assert_eq!(term, children_sections(&app, "2026-09-05..2027-01-15").await);
}
