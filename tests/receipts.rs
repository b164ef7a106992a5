//! "What became of what I said": a receipt's status, with the receipt as
//! the only key. It follows an issue from received to taken up, merged,
//! part of a sent recommendation and answered by an agency with progress;
//! answers become part of a recommendation that cites their survey. It
//! says nothing else of the child however it is asked, the same 404 for
//! unknown, malformed, withdrawn and erased receipts, and wrong receipts
//! from one network are throttled.

use serde_json::{Value, json};

use crate::recommendations::{agency, client_token, delivery_for, send_new};
use crate::support::TestApp;

pub struct Story {
    pub app: TestApp,
    pub moderator: String,
    pub school: String,
    pub survey: String,
    pub code: String,
}

/// A school's session of a survey (topic safety) that takes issues.
pub async fn story() -> Story {
    let app = TestApp::spawn_demo().await;
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let (_, moderator) = app.user("hoidong.receipts", "moderator", None, None).await;
    let mut def = crate::surveys::example_survey(&district);
    def["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(&app, &def).await;
    let code = crate::results::session(&app, &survey, &school).await;
    Story {
        app,
        moderator,
        school,
        survey,
        code,
    }
}

/// A child joins, answers and raises an issue: their token, the answers'
/// receipt, the issue's id and receipt.
pub async fn child(s: &Story, age: u8, title: &str, body: &str) -> (String, String, String, String) {
    let token = s
        .app
        .join(&s.code, age, json!({"gender": "girl"}))
        .await
        .string(200, "respondent_token");
    let answers = s
        .app
        .submit(
            &token,
            &format!("r-{age}"),
            json!({"feel_safe": "no", "why_not": "Đường tối"}),
        )
        .await
        .string(201, "receipt_code");
    let r = s.app.raise(&token, &format!("i-{age}"), title, body).await;
    let issue = r.ok(201).clone();
    (
        token,
        answers,
        issue["id"].as_str().unwrap().to_owned(),
        issue["receipt_code"].as_str().unwrap().to_owned(),
    )
}

/// Accepts `accepted`, merges `merged` into it, puts it in a recommendation
/// citing the survey, sends it to the school's board, which answers with a
/// promise and reports progress, all in children's words.
pub async fn taken_up_and_answered(s: &Story, accepted: &str, merged: Option<&str>) {
    let app = &s.app;
    let m = Some(s.moderator.as_str());
    app.patch(&format!("/api/v1/issues/{accepted}"), m, &json!({"status": "accepted"}))
        .await
        .ok(200);
    if let Some(merged) = merged {
        app.post(&format!("/api/v1/issues/{merged}/merge"), m, &json!({"into": accepted}))
            .await
            .ok(200);
    }
    let board = agency(app, &s.school, "school_board").await;
    let draft = json!({
        "title": {"vi": "Lắp đèn trên đường đến trường", "en": "Light the road to school"},
        "summary": {"vi": "Học sinh phản ánh đường đến trường không có đèn."},
        "child_summary": {"vi": "Các bạn nói đường đến trường tối. Hội đồng trẻ em đề nghị lắp thêm đèn.",
                          "en": "You said the road to school is dark. The Council asked for more lights."},
        "action": {"vi": "Lắp đèn chiếu sáng."},
        "topic": "safety", "unit_id": s.school,
        "issue_ids": [accepted],
        "evidence": [{"survey_id": s.survey, "question_key": "feel_safe"}]
    });
    let rec = send_new(app, m, &draft, &[&board]).await;
    let delivery = delivery_for(&rec, &board);
    let (_, _, t) = client_token(app, &board).await;
    let path = |what: &str| format!("/api/v1/agency/deliveries/{delivery}/{what}");
    let due = (crate::support::day() + chrono::Duration::days(20)).to_string();
    let answered = app
        .post(
            &path("replies"),
            Some(&t),
            &json!({"stance": "accepted", "body": "Nhà trường lắp 12 bóng đèn trong tháng 12.",
                "child_summary": "Trường sẽ lắp đèn trên đường các em đi học.",
                "commitments": [{"text": "Lắp 12 bóng đèn", "due_on": due}]}),
        )
        .await
        .ok(200)
        .clone();
    let commitment = answered["commitments"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &path("updates"),
        Some(&t),
        &json!({"commitment_id": commitment, "status": "in_progress", "note": "Đã lắp 6/12.", "child_note": "Đã có 6 bóng đèn sáng rồi!"}),
    )
    .await
    .ok(200);
}

async fn status(app: &TestApp, receipt: &str, lang: &str) -> Value {
    app.get(&format!("/api/v1/receipts/{receipt}?lang={lang}"), None)
        .await
        .ok(200)
        .clone()
}

/// Every key anywhere in a JSON value.
fn keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn a_receipt_follows_an_issue_to_the_agencys_answer_and_says_nothing_else() {
    let s = story().await;
    let app = &s.app;
    let (token, answers, issue, receipt) = child(&s, 12, "Đường đến trường tối", "Hẻm 120 không có đèn, em sợ.").await;
    let (_, _, other, other_receipt) = child(&s, 14, "Thiếu đèn đường", "Đường Hoàng Văn Thụ tối om.").await;
    let (_, _, junk, junk_receipt) = child(&s, 9, "Muốn đi chơi", "Cho em nghỉ học.").await;

    // Received, in the child's language; uppercase and spaces as typed.
    let r = status(app, &receipt, "vi").await;
    assert_eq!(
        (r["kind"].as_str(), r["stage"].as_str()),
        (Some("issue"), Some("received"))
    );
    assert!(r["message"].as_str().unwrap().contains("đã nhận"), "{r}");
    let typed = format!(" {} ", receipt.to_uppercase());
    let r = app
        .get(&format!("/api/v1/receipts/{}", typed.replace(' ', "%20")), None)
        .await;
    assert_eq!(r.ok(200)["stage"], "received");
    let r = status(app, &answers, "en").await;
    assert_eq!(
        (r["kind"].as_str(), r["stage"].as_str()),
        (Some("response"), Some("received"))
    );
    assert!(r["message"].as_str().unwrap().contains("counted"), "{r}");

    // Rejected, kindly.
    app.patch(
        &format!("/api/v1/issues/{junk}"),
        Some(&s.moderator),
        &json!({"status": "rejected", "reason": "off_topic"}),
    )
    .await
    .ok(200);
    let r = status(app, &junk_receipt, "en").await;
    assert_eq!(r["stage"], "rejected");
    assert!(r["message"].as_str().unwrap().contains("Thank you"), "{r}");

    // Taken up, merged with another child's, recommended, answered.
    taken_up_and_answered(&s, &issue, Some(&other)).await;
    for (receipt, kind) in [(&receipt, "issue"), (&other_receipt, "issue"), (&answers, "response")] {
        let r = status(app, receipt, "vi").await;
        assert_eq!(r["kind"], kind);
        assert_eq!(r["stage"], "recommended", "{r}");
        let rec = &r["recommendations"][0];
        assert_eq!(rec["title"], "Lắp đèn trên đường đến trường");
        let answer = &rec["answers"][0];
        assert_eq!(answer["stance"], "accepted");
        assert_eq!(answer["stance_words"], "đã đồng ý làm");
        assert_eq!(answer["reply"], "Trường sẽ lắp đèn trên đường các em đi học.");
        assert_eq!(answer["promises"][0]["status"], "in_progress");
        assert_eq!(answer["promises"][0]["note"], "Đã có 6 bóng đèn sáng rồi!");
    }
    let r = status(app, &receipt, "en").await;
    assert_eq!(r["recommendations"][0]["answers"][0]["stance_words"], "said yes");

    // Nothing else of the child, however the answer is read: only these
    // keys, none of the child's words, age, gender, answers, session,
    // survey, unit, dates or ids other than the public recommendation's.
    let r = app.get(&format!("/api/v1/receipts/{receipt}"), None).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.ok(200).clone();
    let mut found = std::collections::BTreeSet::new();
    keys(&body, &mut found);
    let allowed = [
        "kind",
        "stage",
        "message",
        "recommendations",
        "id",
        "title",
        "child_summary",
        "answers",
        "agency",
        "stance",
        "stance_words",
        "reply",
        "promises",
        "text",
        "status",
        "status_words",
        "note",
    ];
    for k in &found {
        assert!(allowed.contains(&k.as_str()), "the status says {k}: {body}");
    }
    let text = body.to_string();
    for secret in [
        "Hẻm 120",
        "Đường đến trường tối",
        "girl",
        "Đường tối",
        "\"12\"",
        &s.survey,
        &s.code,
        &s.school,
        &issue,
        &token,
        "2026-",
    ] {
        assert!(!text.contains(secret), "the status gave away {secret:?}: {text}");
    }
    // A receipt is no key to anything else.
    app.get("/api/v1/participants/me/export", Some(&receipt))
        .await
        .assert_problem(401, "invalid_token");

    // Unknown, malformed, withdrawn and erased receipts: one and the same 404.
    let unknown = "a".repeat(32);
    let r = app.get(&format!("/api/v1/receipts/{unknown}"), None).await;
    r.assert_problem(404, "receipt_unknown");
    let same = r.body.clone();
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("instance");
        v.as_object_mut().unwrap().remove("error_id");
        v
    };
    app.request(
        actix_web::http::Method::DELETE,
        &format!("/api/v1/issues/{junk_receipt}"),
        None,
        &[],
        None,
    )
    .await;
    app.request(
        actix_web::http::Method::DELETE,
        "/api/v1/participants/me",
        Some(&token),
        &[],
        None,
    )
    .await;
    for gone in [
        "not-a-receipt",
        junk_receipt.as_str(),
        receipt.as_str(),
        answers.as_str(),
    ] {
        let r = app.get(&format!("/api/v1/receipts/{gone}"), None).await;
        r.assert_problem(404, "receipt_unknown");
        assert_eq!(strip(r.body.clone()), strip(same.clone()), "{gone}");
    }
    // The merged child's receipt still follows the recommendation.
    assert_eq!(status(app, &other_receipt, "vi").await["stage"], "recommended");
}

#[actix_web::test]
async fn guessing_receipts_from_one_network_is_slowed() {
    let s = story().await;
    let app = &s.app;
    let (_, answers, _, _) = child(&s, 12, "Sân chơi", "Sân chơi hẹp.").await;
    // One instant: the waits below cannot run out while a loaded machine
    // is slow between two requests.
    app.clock.freeze();
    // A class behind one address checks freely: 20 wrong receipts count
    // for nothing, the next waits.
    for i in 0..20 {
        let guess = format!("{:a>32}", i);
        let guess: String = guess
            .chars()
            .map(|c| if c.is_ascii_digit() { 'b' } else { c })
            .collect();
        app.get(&format!("/api/v1/receipts/{guess}"), None)
            .await
            .assert_problem(404, "receipt_unknown");
    }
    let r = app.get(&format!("/api/v1/receipts/{}", "c".repeat(32)), None).await;
    r.assert_problem(404, "receipt_unknown");
    let r = app.get(&format!("/api/v1/receipts/{answers}"), None).await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
}

/// A receipt also withdraws what it was given for, so wrong codes sent to
/// withdraw count with wrong codes looked up: a guesser cannot switch to
/// DELETE when GET makes them wait. A refused withdrawal changes nothing,
/// and once the wait is over the child's own receipt works again.
#[actix_web::test]
async fn guessing_receipts_to_withdraw_is_slowed_with_lookups() {
    let s = story().await;
    let app = &s.app;
    let (_, answers, issue, issue_receipt) = child(&s, 13, "Đèn đường", "Đường về nhà tối quá.").await;
    app.clock.freeze();
    let guess = |i: usize| format!("{:d>32}", format!("{i:x}").replace(|c: char| c.is_ascii_digit(), "e"));
    for i in 0..10 {
        app.delete(&format!("/api/v1/responses/{}", guess(i)), None)
            .await
            .assert_problem(404, "receipt_unknown");
        app.delete(&format!("/api/v1/issues/{}", guess(100 + i)), None)
            .await
            .assert_problem(404, "issue_receipt_unknown");
    }
    // Not shaped like a receipt at all: still a wrong code.
    app.delete("/api/v1/issues/not-a-receipt", None)
        .await
        .assert_problem(404, "issue_receipt_unknown");
    for path in [
        format!("/api/v1/responses/{answers}"),
        format!("/api/v1/issues/{issue_receipt}"),
    ] {
        let r = app.delete(&path, None).await;
        r.assert_problem(429, "too_many_attempts");
        assert!(r.header("retry-after").is_some(), "{path}");
    }
    let r = app.get(&format!("/api/v1/receipts/{answers}"), None).await;
    r.assert_problem(429, "too_many_attempts");
    // Nothing was withdrawn: the issue is still in the moderators' queue
    // with its words.
    let m = Some(s.moderator.as_str());
    let held = app.get(&format!("/api/v1/issues/{issue}"), m).await;
    assert_eq!(held.ok(200)["status"], "new");
    assert_eq!(held.body["body"], "Đường về nhà tối quá.");
    // The wait over, the child withdraws both.
    app.clock.advance(chrono::Duration::minutes(1));
    app.delete(&format!("/api/v1/issues/{issue_receipt}"), None)
        .await
        .ok(204);
    app.delete(&format!("/api/v1/responses/{answers}"), None).await.ok(204);
    app.get(&format!("/api/v1/issues/{issue}"), m)
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/receipts/{answers}"), None)
        .await
        .assert_problem(404, "receipt_unknown");
}
