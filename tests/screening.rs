//! The path after the screen (issue 12): the three outcomes of a child's
//! text (a case, a review item, the normal flow) and what each role sees of
//! them; officers releasing a possible disclosure and marking the screen's
//! calls; the explicit publish step that screens again; a moderator's
//! referral of what the screen missed; the queue count, the signed
//! webhook, the quick report and the quarterly counts.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Call, Resp, TestApp, eventually};

/// Written the way a child types: the screen is sure.
pub const CLEAR: &str = "bo e say ruou ve danh e voi me dau lam";
/// Worrying but not sure: for an officer to read.
pub const POSSIBLE: &str = "dạo này em buồn lắm, em chỉ muốn biến mất thôi";
/// Idioms and sport: nothing.
const SAFE: &str = "Thi toán khó muốn chết luôn, chiều nay tụi em đánh cầu lông ở sân trường";

struct World {
    app: TestApp,
    school: String,
    survey: String,
    moderator: String,
    officer: String,
    /// A child's respondent token.
    child: String,
}

async fn world() -> World {
    let app = TestApp::spawn_demo().await;
    let crate::erasure::Open {
        school, survey, code, ..
    } = crate::erasure::open_with_issues(&app).await;
    let child = app.child(&code, 13).await;
    let (_, moderator) = app.user("kiem.duyet.loc", "moderator", None, None).await;
    let (_, officer) = app.user("bao.ve.loc", "safeguarding_officer", None, None).await;
    World {
        app,
        school,
        survey,
        moderator,
        officer,
        child,
    }
}

impl World {
    async fn raise(&self, key: &str, title: &str, body: &str) -> Resp {
        self.app.raise(&self.child, key, title, body).await
    }

    fn m(&self) -> Option<&str> {
        Some(&self.moderator)
    }

    fn o(&self) -> Option<&str> {
        Some(&self.officer)
    }

    /// The moderators' queue, every status.
    async fn queue_text(&self) -> String {
        self.app.get("/api/v1/issues?limit=100", self.m()).await.ok(200);
        self.app.get("/api/v1/issues?limit=100", self.m()).await.text
    }

    async fn cases(&self, query: &str) -> Vec<Value> {
        let r = self
            .app
            .get(&format!("/api/v1/safeguarding/cases?{query}"), self.o())
            .await;
        r.items().clone()
    }
}

#[actix_web::test]
async fn each_outcome_takes_its_path_and_each_role_sees_only_its_part() {
    let w = world().await;
    let app = &w.app;

    // Clear: a case, the hotline, nothing for moderators.
    let r = w.raise("c", "Giúp em với", CLEAR).await;
    let clear = r.ok(201).clone();
    assert!(clear["support"]["message"].as_str().unwrap().contains("111"));
    // Possible: a review item, a gentle line with 111.
    let r = w.raise("p", "Tâm sự", POSSIBLE).await;
    let possible = r.ok(201).clone();
    let gentle = possible["support"]["message"].as_str().unwrap();
    assert!(gentle.contains("111") && gentle.contains("muốn nói chuyện"), "{gentle}");
    assert_ne!(gentle, clear["support"]["message"].as_str().unwrap());
    // Nothing: the normal flow, no support line.
    let r = w.raise("s", "Sân trường", SAFE).await;
    let safe = r.ok(201).clone();
    assert!(safe.get("support").is_none());

    // Moderators see the safe issue only: neither text, nor a count, nor the
    // ids of the other two.
    let queue = w.queue_text().await;
    assert!(queue.contains(safe["id"].as_str().unwrap()));
    for hidden in [&clear, &possible] {
        let id = hidden["id"].as_str().unwrap();
        assert!(!queue.contains(id));
        app.get(&format!("/api/v1/issues/{id}"), w.m())
            .await
            .assert_problem(404, "not_found");
    }
    assert!(!queue.contains("biến mất") && !queue.contains("say ruou"));
    let counts = app.get("/api/v1/issues", w.m()).await.ok(200)["counts"].clone();
    assert_eq!(counts.to_string().matches("in_review").count(), 0, "{counts}");
    app.get("/api/v1/issues?status=in_review", w.m())
        .await
        .assert_problem(400, "invalid_query");

    // Officers: one clear case and one review item; the list holds no text.
    let r = app.get("/api/v1/safeguarding/queue", w.o()).await;
    assert_eq!(r.ok(200)["new"], 2);
    assert_eq!(r.body["to_review"], 1);
    let latest = r.body["latest_case_id"].clone();
    let items = w.cases("outcome=possible").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["issue_id"], possible["id"]);
    assert_eq!(items[0]["source"], "screen");
    let clear_cases = w.cases("outcome=clear").await;
    assert_eq!(clear_cases.len(), 1);
    assert_eq!(clear_cases[0]["issue_id"], clear["id"]);
    let list = app.get("/api/v1/safeguarding/cases", w.o()).await;
    assert!(!list.text.contains("biến mất") && !list.text.contains("matched"));
    // Reading one shows the words and why the screen fired.
    let review = format!("/api/v1/safeguarding/cases/{}", items[0]["id"].as_str().unwrap());
    let r = app.get(&review, w.o()).await;
    assert_eq!(r.ok(200)["text"], POSSIBLE);
    let matched = r.body["matched"].as_array().unwrap();
    assert!(!matched.is_empty(), "the officer sees why: {}", r.body);
    assert_eq!(r.body["outcome"], "possible");

    // The officer marks the call and releases the text to moderation.
    app.patch(&review, w.o(), &json!({"verdict": "maybe"}))
        .await
        .assert_fields(&[("verdict", "unknown_verdict")]);
    let r = app.patch(&review, w.o(), &json!({"verdict": "wrong"})).await;
    assert_eq!(r.ok(200)["verdict"], "wrong");
    let r = app.post(&format!("{review}/release"), w.o(), &json!({})).await;
    assert!(r.ok(200)["released_at"].is_string());
    app.post(&format!("{review}/release"), w.o(), &json!({}))
        .await
        .assert_problem(409, "already_released");
    let clear_case = format!("/api/v1/safeguarding/cases/{}", clear_cases[0]["id"].as_str().unwrap());
    app.post(&format!("{clear_case}/release"), w.o(), &json!({}))
        .await
        .assert_problem(409, "not_possible");
    let released = app
        .get(&format!("/api/v1/issues/{}", possible["id"].as_str().unwrap()), w.m())
        .await;
    assert_eq!(released.ok(200)["status"], "new");
    assert_eq!(released.body["body"], POSSIBLE);
    assert_eq!(
        app.get("/api/v1/safeguarding/queue", w.o()).await.ok(200)["to_review"],
        0
    );

    // The marks export for the labelled set (officers only), audited.
    let r = app.get("/api/v1/safeguarding/marks.csv", w.o()).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("possible") && r.text.contains("wrong") && r.text.contains("biến mất"));
    let audit = app
        .get("/api/v1/audit?entity=safeguarding_case&limit=100", app.admin())
        .await;
    let actions = audit.ok(200).to_string();
    assert!(actions.contains("safeguarding_case.export_marks") && actions.contains("safeguarding_case.release"));
    assert!(!audit.text.contains("biến mất"), "the audit log holds no text");

    // Roles: nobody but officers reads, releases or exports.
    let (_, facilitator) = app.user("tpt.loc", "facilitator", Some(&w.school), None).await;
    for token in [app.admin(), w.m(), Some(facilitator.as_str())] {
        for path in ["/api/v1/safeguarding/queue", "/api/v1/safeguarding/marks.csv"] {
            app.get(path, token).await.assert_problem(403, "forbidden");
        }
        app.post(&format!("{review}/release"), token, &json!({}))
            .await
            .assert_problem(403, "forbidden");
    }
    app.get("/api/v1/safeguarding/queue", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/safeguarding/cases?outcome=maybe", w.o())
        .await
        .assert_problem(400, "invalid_query");
    app.post(
        "/api/v1/safeguarding/cases/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90/release",
        w.o(),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    assert_ne!(latest, Value::Null);

    // Agencies and the public see none of it.
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let (_, agency) = app.user("bgh.loc", "agency_staff", None, Some(&board)).await;
    let forbidden = [Call::get("/api/v1/issues"), Call::get("/api/v1/safeguarding/cases")];
    app.refuses(&forbidden, &[Some(&agency)], 403, "forbidden").await;
    let public = app.get("/api/v1/public/issues", None).await;
    assert_eq!(
        public.ok(200)["items"],
        json!([]),
        "nothing is public before a moderator publishes it"
    );

    // The same screen on texts entered from an event held offline.
    let r = app
        .post(
            "/api/v1/events",
            app.admin(),
            &json!({"kind": "dialogue", "unit_id": w.school, "held_on": "2026-11-20", "title": "Đối thoại",
                "children_attending": 25, "adults_attending": 3,
                "issues": [{"title": "Một em kể", "body": POSSIBLE}, {"title": "Sân trường", "body": SAFE}]}),
        )
        .await;
    let entered: Vec<String> = r.ok(201)["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let queue = w.queue_text().await;
    assert!(!queue.contains(&entered[0]) && queue.contains(&entered[1]));
    assert!(
        w.cases("outcome=possible")
            .await
            .iter()
            .any(|c| c["issue_id"] == entered[0].as_str())
    );

    // The same screen on free-text answers: a possible one is withheld from
    // the moderators' answers list, then released.
    let r = app
        .request(
            Method::POST,
            "/api/v1/responses",
            Some(&w.child),
            &[("Content-Type", "application/json"), ("Idempotency-Key", "r")],
            Some(
                serde_json::to_vec(
                    &json!({"answers": {"feel_safe": "not_sure", "why_not": POSSIBLE, "happy_at_school": 2}}),
                )
                .unwrap(),
            ),
        )
        .await;
    assert!(
        r.ok(201)["support"]["message"]
            .as_str()
            .unwrap()
            .contains("muốn nói chuyện")
    );
    let answers = format!("/api/v1/surveys/{}/answers?limit=100", w.survey);
    assert!(!app.get(&answers, w.m()).await.text.contains("biến mất"));
    let item = w
        .cases("outcome=possible")
        .await
        .into_iter()
        .find(|c| c["response_id"].is_string())
        .unwrap();
    app.post(
        &format!("/api/v1/safeguarding/cases/{}/release", item["id"].as_str().unwrap()),
        w.o(),
        &json!({}),
    )
    .await
    .ok(200);
    assert!(app.get(&answers, w.m()).await.text.contains("biến mất"));
}

#[actix_web::test]
async fn publishing_is_its_own_step_and_screens_again() {
    let w = world().await;
    let app = &w.app;
    let r = w.raise("a", "Sân chơi", SAFE).await;
    let id = r.created();
    let path = format!("/api/v1/issues/{id}");
    let publish = format!("{path}/publish");
    // Not accepted yet.
    app.post(&publish, w.m(), &json!({}))
        .await
        .assert_problem(409, "not_accepted");
    app.patch(&path, w.m(), &json!({"status": "accepted"})).await.ok(200);
    assert_eq!(app.get("/api/v1/public/issues", None).await.ok(200)["items"], json!([]));
    // A moderator's edit put personal data back in: refused until redacted.
    app.patch(&path, w.m(), &json!({"body": "Gọi em số 0912 345 678 nha"}))
        .await
        .ok(200);
    app.post(&publish, w.m(), &json!({}))
        .await
        .assert_problem(409, "personal_data");
    // A disclosure the screen now sees: refused, to be referred instead.
    app.patch(&path, w.m(), &json!({"body": CLEAR})).await.ok(200);
    app.post(&publish, w.m(), &json!({}))
        .await
        .assert_problem(409, "possible_disclosure");
    app.patch(&path, w.m(), &json!({"body": POSSIBLE})).await.ok(200);
    app.post(&publish, w.m(), &json!({}))
        .await
        .assert_problem(409, "possible_disclosure");
    assert_eq!(app.get("/api/v1/public/issues", None).await.ok(200)["items"], json!([]));
    // Clean text: published, once, and then public.
    app.patch(&path, w.m(), &json!({"body": SAFE})).await.ok(200);
    let first = app.post(&publish, w.m(), &json!({})).await.ok(200)["published_at"].clone();
    assert!(first.is_string());
    assert_eq!(
        app.post(&publish, w.m(), &json!({})).await.ok(200)["published_at"],
        first
    );
    let public = app.get("/api/v1/public/issues", None).await;
    assert_eq!(
        public.ok(200)["items"][0]["id"],
        crate::support::public_issue_id(&id).as_str()
    );
    // Unpublished, and rejecting unpublishes.
    let r = app.post(&format!("{path}/unpublish"), w.m(), &json!({})).await;
    assert!(r.ok(200)["published_at"].is_null());
    assert_eq!(app.get("/api/v1/public/issues", None).await.ok(200)["items"], json!([]));
    app.post(&publish, w.m(), &json!({})).await.ok(200);
    app.patch(&path, w.m(), &json!({"status": "rejected", "reason": "duplicate"}))
        .await
        .ok(200);
    assert!(app.get(&path, w.m()).await.ok(200)["published_at"].is_null());
    assert_eq!(app.get("/api/v1/public/issues", None).await.ok(200)["items"], json!([]));
    // Roles and bad paths.
    let (_, facilitator) = app.user("tpt.pub", "facilitator", Some(&w.school), None).await;
    for token in [Some(w.officer.as_str()), Some(facilitator.as_str())] {
        let forbidden = [
            Call::post(&publish, json!({})),
            Call::post(format!("{path}/unpublish"), json!({})),
        ];
        app.refuses(&forbidden, &[token], 403, "forbidden").await;
    }
    app.post(&publish, None, &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
    app.post(
        "/api/v1/issues/0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90/publish",
        w.m(),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post("/api/v1/issues/nope/publish", w.m(), &json!({}))
        .await
        .assert_problem(400, "invalid_path");
}

#[actix_web::test]
async fn a_moderator_refers_what_the_screen_missed() {
    let w = world().await;
    let app = &w.app;
    // The screen passes it (a grooming story told gently), a moderator
    // reads it and refers it.
    let missed = "Có chú hàng xóm hay rủ em qua nhà chơi, em thấy không thích";
    let r = w.raise("g", "Chuyện của em", missed).await;
    let id = r.created();
    let refer = format!("/api/v1/issues/{id}/refer");
    app.post(
        &refer,
        w.m(),
        &json!({"severity": "extreme", "categories": ["witchcraft"]}),
    )
    .await
    .assert_fields(&[("severity", "unknown_severity"), ("categories", "unknown_category")]);
    let (_, facilitator) = app.user("tpt.refer", "facilitator", Some(&w.school), None).await;
    for token in [Some(w.officer.as_str()), Some(facilitator.as_str())] {
        app.post(&refer, token, &json!({}))
            .await
            .assert_problem(403, "forbidden");
    }
    app.post(&refer, None, &json!({}))
        .await
        .assert_problem(401, "unauthenticated");
    let r = app
        .post(
            &refer,
            w.m(),
            &json!({"severity": "urgent", "categories": ["sexual_abuse", "online_exploitation"]}),
        )
        .await;
    let case_id = r.string(201, "case_id");
    // Gone from the moderators' view at once; a second referral finds nothing.
    app.get(&format!("/api/v1/issues/{id}"), w.m())
        .await
        .assert_problem(404, "not_found");
    assert!(!w.queue_text().await.contains("hàng xóm"));
    app.post(&refer, w.m(), &json!({}))
        .await
        .assert_problem(404, "not_found");
    // The officer has it, with the words.
    let r = app.get(&format!("/api/v1/safeguarding/cases/{case_id}"), w.o()).await;
    assert_eq!(r.ok(200)["source"], "referral");
    // The screen did not open it: there is no call of its to mark right
    // or wrong, and the refusal changes nothing.
    let case_path = format!("/api/v1/safeguarding/cases/{case_id}");
    app.patch(&case_path, w.o(), &json!({"verdict": "right"}))
        .await
        .assert_fields(&[("verdict", "not_screened")]);
    let r = app.get(&case_path, w.o()).await;
    assert_eq!(r.ok(200)["verdict"], serde_json::Value::Null);
    assert_eq!(r.body["severity"], "urgent");
    assert!(r.body["text"].as_str().unwrap().contains("hàng xóm"));
    let audit = app
        .get(&format!("/api/v1/audit?entity=issue&entity_id={id}"), app.admin())
        .await;
    assert!(audit.ok(200).to_string().contains("issue.refer"));

    // The urgent case's quick report: what, where (ward), when, severity,
    // what was done; no child's words, no school.
    let quick = format!("/api/v1/safeguarding/cases/{case_id}/quick-report");
    let r = app.get(&quick, w.o()).await;
    let report = r.ok(200).clone();
    assert_eq!(report["severity"], "khẩn cấp");
    assert!(report["what"].to_string().contains("xâm hại tình dục"));
    assert!(report["ward"]["name"].is_string(), "{report}");
    let text = report["text"].as_str().unwrap();
    assert!(
        text.starts_with("BÁO CÁO NHANH") && text.contains("Đã tiếp nhận"),
        "{text}"
    );
    assert!(!r.text.contains("hàng xóm") && !r.text.contains(&w.school));
    for token in [app.admin(), w.m()] {
        app.get(&quick, token).await.assert_problem(403, "forbidden");
    }
    // Not urgent: no quick report.
    let r = w.raise("c2", "Giúp em", CLEAR).await;
    r.ok(201);
    let other = w
        .cases("")
        .await
        .into_iter()
        .find(|c| c["severity"] != "urgent")
        .map(|c| c["id"].as_str().unwrap().to_owned());
    if let Some(other) = other {
        app.get(&format!("/api/v1/safeguarding/cases/{other}/quick-report"), w.o())
            .await
            .assert_problem(409, "not_urgent");
    }

    // A free-text answer referred from the answers list.
    app.request(
        Method::POST,
        "/api/v1/responses",
        Some(&w.child),
        &[("Content-Type", "application/json"), ("Idempotency-Key", "r")],
        Some(
            serde_json::to_vec(&json!({"answers": {"feel_safe": "no", "why_not": missed, "happy_at_school": 2}}))
                .unwrap(),
        ),
    )
    .await
    .ok(201);
    let answers = format!("/api/v1/surveys/{}/answers?limit=100", w.survey);
    let r = app.get(&answers, w.m()).await;
    let answer = r.items().iter().find(|a| a["text"] == missed).unwrap()["answer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/surveys/{}/answers/{answer}/refer", w.survey),
            w.m(),
            &json!({}),
        )
        .await;
    let answer_case = r.string(201, "case_id");
    assert!(!app.get(&answers, w.m()).await.text.contains("hàng xóm"));
    let r = app
        .get(&format!("/api/v1/safeguarding/cases/{answer_case}"), w.o())
        .await;
    assert_eq!(r.ok(200)["text"], missed);
    assert_eq!(r.body["severity"], "high");
    app.post(
        &format!("/api/v1/surveys/{}/answers/{answer}/refer", w.survey),
        w.m(),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn officers_learn_of_a_case_at_once_by_a_signed_webhook_and_counts_agree() {
    let w = world().await;
    let app = &w.app;
    let (hooks, url) = crate::webhooks::receiver().await;
    let put = |token: Option<&str>, url: &str| {
        let (body, token) = (json!({"url": url}), token.map(str::to_owned));
        async move {
            app.send_json(Method::PUT, "/api/v1/safeguarding/webhook", token.as_deref(), &body)
                .await
        }
    };
    put(w.o(), &url).await.assert_problem(403, "forbidden");
    put(app.admin(), "ftp://x.gov.vn/h")
        .await
        .assert_fields(&[("url", "invalid_url")]);
    put(None, &url).await.assert_problem(401, "unauthenticated");
    app.get("/api/v1/safeguarding/webhook", app.admin())
        .await
        .assert_problem(404, "not_found");
    let secret = put(app.admin(), &url).await.string(200, "secret");
    assert_eq!(
        app.get("/api/v1/safeguarding/webhook", app.admin()).await.ok(200)["url"],
        url.as_str()
    );

    w.raise("c", "Giúp em", CLEAR).await.ok(201);
    w.raise("p", "Tâm sự", POSSIBLE).await.ok(201);
    assert!(
        eventually(15, || async { hooks.got().len() >= 2 }).await,
        "the endpoint heard of both"
    );
    for got in hooks.got() {
        assert!(crate::webhooks::verify(&secret, &got), "signed");
        let body: Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(body["type"], "safeguarding.case_opened");
        assert!(body["agency_id"].is_null());
        assert!(body["data"]["case_id"].is_string() && body["data"]["severity"].is_string());
        assert!(
            !got.body.contains("say ruou") && !got.body.contains("biến mất"),
            "no words"
        );
    }

    // The quarter's counts, once it has ended: by status, severity,
    // category and ward, the same in the summary and in the report's
    // safeguarding section.
    app.clock.set(crate::support::morning_of(
        chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
    ));
    let admin = app.sign_in_again("admin").await;
    let r = app
        .get("/api/v1/safeguarding/summary?period=2026-Q4", Some(&admin))
        .await;
    let summary = r.ok(200).clone();
    assert!(summary["by_category"].get("violence").is_some(), "{summary}");
    assert!(!summary["by_ward"].as_array().unwrap().is_empty());
    let report = app.get("/api/v1/reports?period=2026-Q4", Some(&admin)).await;
    let section = report.ok(200)["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "safeguarding")
        .cloned()
        .unwrap();
    let value = |item: &str| {
        section["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["item"] == item && r["breakdown"] == "total")
            .map(|r| r["value"].clone())
    };
    assert_eq!(value("all"), Some(summary["total"].clone()));
    for (category, n) in summary["by_category"].as_object().unwrap() {
        assert_eq!(value(&format!("category.{category}")), Some(n.clone()), "{category}");
    }
    for ward in summary["by_ward"].as_array().unwrap() {
        assert_eq!(value(ward["code"].as_str().unwrap()), Some(ward["count"].clone()));
    }
    // Never per month (only whole quarters), never for moderators.
    app.get("/api/v1/safeguarding/summary?period=2026-11", Some(&admin))
        .await
        .assert_problem(400, "case_period_not_quarters");
    let moderator = app.sign_in_again("kiem.duyet.loc").await;
    app.get("/api/v1/safeguarding/summary?period=2026-Q4", Some(&moderator))
        .await
        .assert_problem(403, "forbidden");
}
