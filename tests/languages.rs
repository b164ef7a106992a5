//! Every message a person reads is in their language: staff refusals in
//! Vietnamese by default and in English when asked (`lang=`,
//! `Accept-Language`), with the values allowed listed; a child's answer
//! errors in the language of their form whatever the request says; an
//! agency's refusals say what it can do next; the Atom feed's statuses and
//! dates in its language, with absolute links. Codes never change.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Options, Resp, TestApp};

async fn post_in(app: &TestApp, path: &str, token: Option<&str>, lang: Option<&str>, body: &Value) -> Resp {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(l) = lang {
        headers.push(("Accept-Language", l));
    }
    app.request(
        Method::POST,
        path,
        token,
        &headers,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

async fn get_in(app: &TestApp, path: &str, token: Option<&str>, lang: &str) -> Resp {
    app.request(Method::GET, path, token, &[("Accept-Language", lang)], None)
        .await
}

fn field<'a>(r: &'a Resp, name: &str) -> &'a Value {
    r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == name)
        .unwrap_or_else(|| panic!("no error on {name}: {}", r.text))
}

#[actix_web::test]
async fn staff_refusals_read_in_vietnamese_or_english_with_the_values_allowed() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let bad_unit = json!({"code": "PN-X1", "name": {"vi": "Trường thử"}, "kind": "academy",
                          "parent_id": district, "valid_from": "2026-09-01"});

    // No language asked: Vietnamese, the service's language.
    let vi = post_in(&app, "/api/v1/units", app.admin(), None, &bad_unit).await;
    vi.assert_problem(422, "validation_failed");
    assert_eq!(vi.body["title"], "Yêu cầu có mục không hợp lệ", "{}", vi.text);
    assert_eq!(vi.body["detail"], "1 trường không hợp lệ");
    assert_eq!(vi.header("content-language"), Some("vi"));
    let kind = field(&vi, "kind");
    assert_eq!(kind["code"], "unknown_value");
    assert_eq!(
        kind["message"],
        "Giá trị không nằm trong danh sách được phép. Một trong: city, district, ward, school, care_centre, council."
    );

    // English when the request asks, by header or by lang=; the codes are
    // the same.
    let en = post_in(&app, "/api/v1/units", app.admin(), Some("en-GB,en;q=0.9"), &bad_unit).await;
    en.assert_problem(422, "validation_failed");
    assert_eq!(en.body["title"], "The request has invalid fields");
    assert_eq!(en.body["detail"], "1 invalid field(s)");
    assert_eq!(en.header("content-language"), Some("en"));
    assert_eq!(field(&en, "kind")["code"], "unknown_value");
    assert_eq!(
        field(&en, "kind")["message"],
        "one of city, district, ward, school, care_centre, council"
    );
    let by_query = post_in(&app, "/api/v1/units?lang=en", app.admin(), Some("vi"), &bad_unit).await;
    assert_eq!(by_query.body["title"], "The request has invalid fields");
    assert_eq!(by_query.body["errors"], en.body["errors"]);

    // A status the query does not know: the statuses that are, in both.
    let path = "/api/v1/recommendations?status=pending";
    let vi = get_in(&app, path, app.admin(), "vi").await;
    vi.assert_problem(400, "invalid_query");
    assert_eq!(vi.body["detail"], "status là một trong: draft, approved, sent");
    let en = get_in(&app, path, app.admin(), "en").await;
    assert_eq!(en.body["detail"], "status is one of: draft, approved, sent");

    // An event kind that does not exist lists those that do.
    let r = post_in(
        &app,
        "/api/v1/events",
        app.admin(),
        Some("en"),
        &json!({"kind": "party", "unit_id": district, "held_on": "2026-10-15", "title": "Liên hoan",
                "children_attending": 3, "adults_attending": 1}),
    )
    .await;
    r.assert_problem(422, "validation_failed");
    let kinds = field(&r, "kind")["message"].as_str().unwrap().to_owned();
    assert!(
        kinds.starts_with("one of: ") && kinds.contains("dialogue") && kinds.contains("training"),
        "{kinds}"
    );

    // A refusal with no words of its own reads its code's sentence.
    let r = get_in(&app, "/api/v1/no-such-route", None, "vi").await;
    r.assert_problem(404, "not_found");
    assert_eq!(r.body["title"], "Không tìm thấy");
    assert_eq!(r.body["detail"], "Không có mục này (hoặc nằm ngoài phạm vi của bạn).");
    let r = get_in(&app, "/api/v1/no-such-route", None, "en").await;
    assert_eq!(r.body["detail"], "no such route; see /docs");
    let r = get_in(&app, "/api/v1/units", None, "vi").await;
    r.assert_problem(401, "unauthenticated");
    assert_eq!(r.body["title"], "Cần đăng nhập");
}

#[actix_web::test]
async fn a_childs_answer_errors_are_in_the_language_of_their_form() {
    let app = TestApp::spawn_demo().await;
    let district = app.unit_id("PN", "2026-01-01").await;
    let school = app.unit_id("PN-S06", "2026-01-01").await;
    let mut body = crate::surveys::example_survey(&district);
    body["allow_issues"] = json!(true);
    let survey = crate::surveys::published_survey(&app, &body).await;
    let code = crate::results::session(&app, &survey, &school).await;
    let bad = json!({"answers": {"feel_safe": "maybe", "happy_at_school": 9}});
    for (form, asked, required, range) in [
        (
            "vi",
            "en",
            "Đây không phải một lựa chọn của câu hỏi.",
            "Em chọn từ 1 đến 5.",
        ),
        ("en", "vi", "not an option of this question", "between 1 and 5"),
    ] {
        let joined = app
            .post(
                "/api/v1/join",
                None,
                &json!({"join_code": code, "age": 12, "gender": "girl", "assent": true, "language": form}),
            )
            .await;
        let token = joined.ok(200)["respondent_token"].as_str().unwrap().to_owned();
        let r = app
            .request(
                Method::POST,
                "/api/v1/responses",
                Some(&token),
                &[
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", "r1"),
                    ("Accept-Language", asked),
                ],
                Some(serde_json::to_vec(&bad).unwrap()),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.header("content-language"), Some(form), "{}", r.text);
        assert_eq!(field(&r, "answers.feel_safe")["code"], "unknown_option");
        assert_eq!(field(&r, "answers.feel_safe")["message"], required);
        assert_eq!(field(&r, "answers.happy_at_school")["code"], "out_of_range");
        assert_eq!(field(&r, "answers.happy_at_school")["message"], range);
        // An issue the child raises with nothing in it: the same language.
        let r = app
            .request(
                Method::POST,
                "/api/v1/issues",
                Some(&token),
                &[("Content-Type", "application/json"), ("Accept-Language", asked)],
                Some(serde_json::to_vec(&json!({"title": " ", "body": "Đèn"})).unwrap()),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.header("content-language"), Some(form));
        let expected = if form == "vi" {
            "Em hãy viết tiêu đề."
        } else {
            "write a title"
        };
        assert_eq!(field(&r, "title")["message"], expected, "{}", r.text);
        // Nothing was stored.
        let r = app
            .request(
                Method::POST,
                "/api/v1/responses",
                Some(&token),
                &[("Content-Type", "application/json"), ("Idempotency-Key", "r2")],
                Some(serde_json::to_vec(&json!({"answers": {"feel_safe": "yes"}})).unwrap()),
            )
            .await;
        r.ok(201);
    }
}

#[actix_web::test]
async fn an_agencys_refusals_say_what_it_can_do_next() {
    let w = crate::recommendations::world().await;
    let board = crate::recommendations::agency(&w.app, &w.school, "school_board").await;
    let rec = crate::recommendations::sent(&w, &[&board]).await;
    let delivery = rec["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let (_, _, token) = crate::recommendations::client_token(&w.app, &board).await;
    let t = Some(token.as_str());
    let path = |step: &str| format!("/api/v1/agency/deliveries/{delivery}/{step}");
    let app = &w.app;

    // Progress before any reply: no commitment yet, and where they are made.
    let update = json!({"commitment_id": delivery, "status": "done", "note": "Xong"});
    let r = post_in(app, &path("updates"), t, Some("vi"), &update).await;
    r.assert_problem(422, "validation_failed");
    let message = field(&r, "commitment_id")["message"].as_str().unwrap();
    assert!(
        message.starts_with("Kiến nghị này không có cam kết này. Cam kết được nêu khi trả lời"),
        "{message}"
    );
    assert!(
        message.contains(&format!("/api/v1/agency/deliveries/{delivery}/replies")),
        "{message}"
    );
    let r = post_in(app, &path("updates"), t, Some("en"), &update).await;
    assert_eq!(field(&r, "commitment_id")["code"], "unknown_commitment");
    let message = field(&r, "commitment_id")["message"].as_str().unwrap();
    assert!(message.contains("Commitments are made in the reply"), "{message}");

    // A second reply: answered once, report progress instead.
    let reply = json!({"stance": "accepted", "body": "Đồng ý.",
        "commitments": [{"text": "Lắp 4 đèn", "due_on": "2027-03-01"}]});
    post_in(app, &path("replies"), t, None, &reply).await.ok(200);
    let r = post_in(app, &path("replies"), t, Some("en"), &reply).await;
    r.assert_problem(409, "illegal_transition");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("a delivery is answered once"), "{detail}");
    assert!(
        detail.contains(&format!("/api/v1/agency/deliveries/{delivery}/updates")),
        "{detail}"
    );
    let r = post_in(app, &path("replies"), t, None, &reply).await;
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("mỗi kiến nghị chỉ trả lời một lần")
    );

    // A stance it does not know: the four it may give.
    let r = post_in(
        app,
        &path("replies"),
        t,
        Some("vi"),
        &json!({"stance": "maybe", "body": "x"}),
    )
    .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        field(&r, "stance")["message"],
        "một trong: accepted, partially_accepted, declined, not_responsible"
    );

    // Every commitment done: nothing more to report.
    let commitment = app.get(&format!("/api/v1/agency/deliveries/{delivery}"), t).await;
    let commitment = commitment.ok(200)["commitments"][0]["id"].as_str().unwrap().to_owned();
    let done = json!({"commitment_id": commitment, "status": "done", "note": "Đã lắp"});
    post_in(app, &path("updates"), t, None, &done).await.ok(200);
    let r = post_in(app, &path("updates"), t, Some("en"), &done).await;
    r.assert_problem(409, "illegal_transition");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("nothing more needs reporting"),
        "{}",
        r.text
    );
}

#[actix_web::test]
async fn the_atom_feed_speaks_its_language_with_absolute_links() {
    let w = crate::recommendations::world().await;
    let board = crate::recommendations::agency(&w.app, &w.school, "school_board").await;
    let rec = crate::recommendations::sent(&w, &[&board]).await;
    let id = rec["id"].as_str().unwrap().to_owned();
    let delivery = rec["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let (_, _, token) = crate::recommendations::client_token(&w.app, &board).await;
    w.app
        .post(
            &format!("/api/v1/agency/deliveries/{delivery}/replies"),
            Some(&token),
            &json!({"stance": "accepted", "body": "Đồng ý.",
                    "commitments": [{"text": "Lắp 4 đèn", "due_on": "2027-03-01"}]}),
        )
        .await
        .ok(200);
    let public = w
        .app
        .replica_with(Options {
            public_url: Some("https://langnghe.example.vn".to_owned()),
            ..Options::default()
        })
        .await;

    let vi = public.get("/api/v1/public/feed.atom", None).await;
    assert_eq!(vi.status, 200);
    let feed = atom(&vi.text);
    assert_eq!(feed.lang.as_deref(), Some("vi"));
    assert_eq!(feed.links[0].rel, "self");
    assert_eq!(
        feed.links[0].href,
        "https://langnghe.example.vn/api/v1/public/feed.atom"
    );
    // Each entry declares the language of its text, and links to the page
    // people read the recommendation on, then to its public JSON.
    let entry = &feed.entries[0];
    assert_eq!(entry.title.lang.as_deref(), Some("vi"));
    assert_eq!(entry.summary.as_ref().unwrap().lang.as_deref(), Some("vi"));
    assert_eq!(entry.content.as_ref().unwrap().lang.as_deref(), Some("vi"));
    let page = &entry.links[0];
    assert_eq!(page.href, format!("https://langnghe.example.vn/cong-dong/r/{id}"));
    assert_eq!(page.rel, "alternate");
    assert_eq!(page.mime_type.as_deref(), Some("text/html"));
    assert_eq!(page.hreflang.as_deref(), Some("vi"));
    let link = &entry.links[1];
    assert_eq!(
        link.href,
        format!("https://langnghe.example.vn/api/v1/public/recommendations/{id}")
    );
    assert_eq!(link.rel, "alternate");
    assert_eq!(link.mime_type.as_deref(), Some("application/json"));
    assert_eq!(link.hreflang.as_deref(), Some("vi"));
    // The commitment's date and status as people write them (escaped
    // inside the entry's HTML content).
    assert!(
        vi.text.contains("Lắp 4 đèn (hạn 01/03/2027, Chưa bắt đầu)"),
        "{}",
        vi.text
    );
    assert!(vi.text.contains("tiếp thu"));
    assert!(!vi.text.contains("2027-03-01") && !vi.text.contains(", open)"));

    let en = public.get("/api/v1/public/feed.atom?lang=en", None).await;
    let feed = atom(&en.text);
    assert_eq!(feed.lang.as_deref(), Some("en"));
    assert_eq!(feed.entries[0].title.lang.as_deref(), Some("en"));
    assert_eq!(feed.entries[0].links[0].hreflang.as_deref(), Some("en"));
    assert_eq!(
        feed.entries[0].links[0].href,
        format!("https://langnghe.example.vn/cong-dong/r/{id}?lang=en")
    );
    assert_eq!(
        feed.entries[0].links[1].href,
        format!("https://langnghe.example.vn/api/v1/public/recommendations/{id}?lang=en")
    );
    assert!(
        en.text.contains("Lắp 4 đèn (due 01/03/2027, Not started)"),
        "{}",
        en.text
    );
    assert!(en.text.contains("accepted"));

    // Without a configured address the links stay relative: no request
    // header can point readers elsewhere.
    let r = w
        .app
        .request(
            Method::GET,
            "/api/v1/public/feed.atom",
            None,
            &[("Host", "evil.example")],
            None,
        )
        .await;
    assert_eq!(atom(&r.text).entries[0].links[0].href, format!("/cong-dong/r/{id}"));
    assert_eq!(
        atom(&r.text).entries[0].links[1].href,
        format!("/api/v1/public/recommendations/{id}")
    );
    assert!(!r.text.contains("evil.example"));
}

/// Every field error code pushed anywhere in the sources has a Vietnamese
/// sentence of its own.
#[test]
fn every_field_error_code_has_its_vietnamese_sentence() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut stack = vec![root];
    let mut missing = std::collections::BTreeSet::new();
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for c in field_error_codes(code) {
                    seen += 1;
                    if langnghe_domain::field_words::known(&c).is_none() {
                        missing.insert(format!("{c} ({})", path.display()));
                    }
                }
            }
        }
    }
    assert!(seen > 100, "the scan found only {seen} codes");
    assert!(missing.is_empty(), "codes without a Vietnamese sentence: {missing:#?}");
}

/// The second argument, when a string literal, of every call that makes a
/// field error.
fn field_error_codes(src: &str) -> Vec<String> {
    const CALLS: &[&str] = &[
        ".push(",
        "push_said(",
        "FieldErrors::single(",
        "FieldError::new(",
        "FieldError::said(",
        "ApiError::field(",
    ];
    let mut out = Vec::new();
    for call in CALLS {
        for (at, _) in src.match_indices(call) {
            if let Some(arg) = second_argument(&src[at + call.len()..]) {
                let arg = arg.trim();
                if let Some(code) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"'))
                    && !code.is_empty()
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    out.push(code.to_owned());
                }
            }
        }
    }
    out
}

/// The second top-level argument of a call whose arguments start `args`.
fn second_argument(args: &str) -> Option<&str> {
    let (mut depth, mut in_str, mut escaped, mut start) = (0i32, false, false, None);
    for (i, c) in args.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return start.map(|s| &args[s..i]),
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => match start {
                None => start = Some(i + 1),
                Some(s) => return Some(&args[s..i]),
            },
            _ => {}
        }
    }
    None
}

/// The Atom feed, read as a feed reader reads it.
#[track_caller]
fn atom(text: &str) -> atom_syndication::Feed {
    text.parse().unwrap_or_else(|e| panic!("{e}: {text}"))
}
