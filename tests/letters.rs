//! An agency's official letter (công văn) with its reply: a PDF judged by
//! its content and size, kept in the letters directory under a key of the
//! service's, read by the agency and the Council's curators, and by anyone
//! only once the agency makes it public. Refused to another agency, a
//! child, anyone signed out, and for anything that is not a clean PDF
//! within the limit; a refusal stores nothing.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::recommendations::{World, agency, client_token, delivery_for, sent, world};
use crate::support::{Resp, TestApp};

/// A small PDF with `extra` in its catalogue.
pub fn pdf(extra: &str) -> Vec<u8> {
    format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R {extra} >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 3\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n120\n%%EOF\n"
    )
    .into_bytes()
}

async fn upload(
    app: &TestApp,
    delivery: &str,
    token: Option<&str>,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/agency/deliveries/{delivery}/letter{query}"),
        token,
        &[("Content-Type", content_type)],
        Some(body),
    )
    .await
}

/// The agency (`token`) answers delivery `d` with `reply`, which must be taken.
pub async fn reply(app: &TestApp, d: &str, token: Option<&str>, reply: Value) {
    let path = format!("/api/v1/agency/deliveries/{d}/replies");
    app.post(&path, token, &reply).await.ok(200);
}

/// The letters kept on disk.
pub fn kept(app: &TestApp) -> Vec<Vec<u8>> {
    let Ok(dir) = std::fs::read_dir(&app.letters_dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = dir.map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

struct Sent {
    w: World,
    rec: String,
    delivery: String,
    token: String,
    other_token: String,
}

/// A recommendation sent to the school's board and the ward's people's
/// committee; the board's client token, and the committee's.
async fn sent_to_two() -> Sent {
    let w = world().await;
    let board = agency(&w.app, &w.school, "school_board").await;
    let ward = w.app.unit_id("HCM-DUCNHUAN", "2026-01-01").await;
    let committee = agency(&w.app, &ward, "peoples_committee").await;
    let r = sent(&w, &[&board, &committee]).await;
    let delivery = delivery_for(&r, &board);
    let (_, _, token) = client_token(&w.app, &board).await;
    let (_, _, other_token) = client_token(&w.app, &committee).await;
    Sent {
        rec: r["id"].as_str().unwrap().to_owned(),
        w,
        delivery,
        token,
        other_token,
    }
}

#[actix_web::test]
async fn a_reply_carries_the_agencys_letter_private_then_public() {
    let s = sent_to_two().await;
    let (app, d, t) = (&s.w.app, s.delivery.as_str(), Some(s.token.as_str()));
    let letter = pdf("");

    // Before the reply there is nothing to attach it to.
    let r = upload(app, d, t, "", "application/pdf", letter.clone()).await;
    r.assert_problem(409, "not_answered");
    assert!(r.body["detail"].as_str().unwrap().contains("/replies"), "{}", r.text);
    assert!(kept(app).is_empty());

    reply(
        app,
        d,
        t,
        json!({"stance": "accepted", "body": "Đồng ý lắp đèn.",
                "commitments": [{"text": "Lắp 4 đèn", "due_on": "2027-03-01"}]}),
    )
    .await;
    let r = upload(app, d, t, "", "application/pdf", letter.clone()).await;
    let body = r.ok(201).clone();
    assert_eq!(body["delivery_id"], d);
    assert_eq!(body["bytes"], letter.len());
    assert_eq!(body["public"], false);
    let sha = body["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(kept(app), std::slice::from_ref(&letter), "the letter is on disk, once");

    // The agency and the Council's curators read it, as a download.
    let path = format!("/api/v1/agency/deliveries/{d}/letter");
    let r = app.request(Method::GET, &path, t, &[], None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text.as_bytes(), letter.as_slice());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert_eq!(
        r.header("content-disposition"),
        Some(format!("attachment; filename=\"cong-van-{d}.pdf\"").as_str())
    );
    assert_eq!(r.header("content-security-policy"), Some("sandbox; default-src 'none'"));
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let curator = format!("/api/v1/recommendations/{}/deliveries/{d}/letter", s.rec);
    let r = app
        .request(Method::GET, &curator, Some(&s.w.moderator), &[], None)
        .await;
    assert_eq!((r.status, r.text.as_bytes()), (200, letter.as_slice()));

    // Not public yet: the public page neither links nor serves it.
    let public = format!("/api/v1/public/recommendations/{}/letters/{d}", s.rec);
    app.get(&public, None).await.assert_problem(404, "not_found");
    let page = app
        .get(&format!("/api/v1/public/recommendations/{}", s.rec), None)
        .await;
    for a in page.ok(200)["answers"].as_array().unwrap() {
        assert_eq!(a["letter_url"], serde_json::Value::Null);
    }

    // Attached again, public: the new one replaces the old, on disk too.
    let signed = pdf("/Title (Cong van so 12/UBND)");
    let r = upload(
        app,
        d,
        t,
        "?public=true",
        "application/pdf; charset=binary",
        signed.clone(),
    )
    .await;
    assert_eq!(r.ok(201)["public"], true);
    assert_ne!(r.body["sha256"], sha.as_str());
    assert_eq!(kept(app), std::slice::from_ref(&signed), "the replaced letter is gone");
    let r = app.request(Method::GET, &public, None, &[], None).await;
    assert_eq!((r.status, r.text.as_bytes()), (200, signed.as_slice()));
    assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
    let page = app
        .get(&format!("/api/v1/public/recommendations/{}", s.rec), None)
        .await;
    let links: Vec<_> = page.ok(200)["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["letter_url"].clone())
        .collect();
    assert!(links.contains(&json!(public)), "{links:?}");
    assert!(
        links.contains(&serde_json::Value::Null),
        "the other agency attached none"
    );

    // Each attachment is in the audit log, without its bytes.
    let audit = app.audit("delivery", d).await;
    let letters: Vec<_> = audit.iter().filter(|e| e.action == "delivery.letter").collect();
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[1].after.as_ref().unwrap()["public"], true);
    assert_eq!(letters[1].before.as_ref().unwrap()["public"], false);
}

#[actix_web::test]
async fn letters_are_refused_to_others_and_when_not_a_clean_pdf() {
    let s = sent_to_two().await;
    let (app, d, t) = (&s.w.app, s.delivery.as_str(), Some(s.token.as_str()));
    reply(
        app,
        d,
        t,
        json!({"stance": "declined", "body": "Chưa có kinh phí.", "reason": "Ngân sách năm nay đã phân bổ."}),
    )
    .await;

    // Not a PDF, whatever it is called or declared as; active content; too
    // large; the wrong type; empty. Each stores nothing.
    let zip = b"PK\x03\x04\x14\x00\x00\x00letter.pdf".to_vec();
    let html = b"<html><body>%PDF-1.7 startxref %%EOF</body></html>".to_vec();
    let script = pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>");
    let hidden = pdf("/AA << /O << /S /J#61vaScript /JS (x) >> >>");
    let launch = pdf("/OpenAction << /S /Launch /F (cmd.exe) >>");
    let mut big = pdf("");
    big.splice(9..9, std::iter::repeat_n(b' ', 256 * 1024));
    for (body, content_type, status, code) in [
        (zip, "application/pdf", 422, "not_a_pdf"),
        (html, "application/pdf", 422, "not_a_pdf"),
        (Vec::new(), "application/pdf", 422, "not_a_pdf"),
        (script, "application/pdf", 422, "active_content"),
        (hidden, "application/pdf", 422, "active_content"),
        (launch, "application/pdf", 422, "active_content"),
        (big, "application/pdf", 413, "payload_too_large"),
        (pdf(""), "application/json", 415, "unsupported_media_type"),
        (pdf(""), "application/octet-stream", 415, "unsupported_media_type"),
    ] {
        let r = upload(app, d, t, "", content_type, body).await;
        r.assert_problem(status, code);
        assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", r.text);
    }
    // In the agency's language, what to do instead.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/agency/deliveries/{d}/letter"),
            t,
            &[("Content-Type", "application/pdf"), ("Accept-Language", "vi")],
            Some(b"GIF89a".to_vec()),
        )
        .await;
    r.assert_problem(422, "not_a_pdf");
    assert!(
        r.body["detail"].as_str().unwrap().contains("hãy xuất công văn ra PDF"),
        "{}",
        r.text
    );
    assert!(kept(app).is_empty(), "nothing refused was kept");
    app.get(&format!("/api/v1/agency/deliveries/{d}/letter"), t)
        .await
        .assert_problem(404, "not_found");

    // A clean one, public.
    upload(app, d, t, "?public=true", "application/pdf", pdf(""))
        .await
        .ok(201);
    let public = format!("/api/v1/public/recommendations/{}/letters/{d}", s.rec);
    assert_eq!(app.get(&public, None).await.status, 200);

    // Another agency: neither attaches to nor reads this delivery's letter.
    let other = Some(s.other_token.as_str());
    upload(app, d, other, "", "application/pdf", pdf(""))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/agency/deliveries/{d}/letter"), other)
        .await
        .assert_problem(404, "not_found");
    // Signed out, a child, a facilitator: refused.
    let school_code = crate::results::session(app, &s.w.survey, &s.w.school).await;
    let joined = app
        .post(
            "/api/v1/join",
            None,
            &json!({"join_code": school_code, "age": 12, "gender": "girl", "assent": true}),
        )
        .await;
    let child = joined.ok(200)["respondent_token"].as_str().unwrap().to_owned();
    let (_, facilitator) = app.user("tpt.thu", "facilitator", Some(&s.w.school), None).await;
    let curator = format!("/api/v1/recommendations/{}/deliveries/{d}/letter", s.rec);
    let agency_path = format!("/api/v1/agency/deliveries/{d}/letter");
    for path in [&curator, &agency_path] {
        app.get(path, None).await.assert_problem(401, "unauthenticated");
        let r = app.get(path, Some(&child)).await;
        assert!(matches!(r.status, 401 | 403), "a child reads no letter: {}", r.text);
    }
    upload(app, d, None, "", "application/pdf", pdf(""))
        .await
        .assert_problem(401, "unauthenticated");
    let r = upload(app, d, Some(&child), "", "application/pdf", pdf("")).await;
    assert!(matches!(r.status, 401 | 403), "a child attaches nothing: {}", r.text);
    app.get(&curator, Some(&facilitator))
        .await
        .assert_problem(403, "forbidden");
    // The public path of another recommendation, or of a delivery not its
    // own, serves nothing.
    let draft = app
        .post(
            "/api/v1/recommendations",
            Some(&s.w.moderator),
            &crate::recommendations::draft(&s.w),
        )
        .await;
    let draft = draft.ok(201)["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/public/recommendations/{draft}/letters/{d}"), None)
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/recommendations/{draft}/deliveries/{d}/letter"),
        Some(&s.w.moderator),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/public/recommendations/{}/letters/not-a-uuid", s.rec),
        None,
    )
    .await
    .assert_problem(400, "invalid_path");
    assert_eq!(kept(app).len(), 1, "one letter, the clean one");
}

/// A local S3-compatible object store: `moto_server` (PyPI's `moto`) on a
/// free loopback port, stopped with the test.
struct ObjectStore {
    child: std::process::Child,
    endpoint: String,
}

impl ObjectStore {
    async fn start() -> ObjectStore {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the S3 tests need moto_server (`pip install 'moto[server]'`; `cargo xtask test` installs it): {e}"
                )
            });
        let store = ObjectStore {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = awc::Client::default();
        let up = crate::support::eventually(30, || {
            let req = client.get(format!("{}/", store.endpoint));
            async move { req.send().await.is_ok() }
        })
        .await;
        assert!(up, "moto_server did not answer on {}", store.endpoint);
        store
    }

    /// A request as the test's own client makes it, with credentials moto
    /// takes without checking the signature (it refuses reading an object
    /// anonymously; the service's signatures are checked against AWS's
    /// published example in its unit tests).
    async fn raw(&self, method: Method, path: &str) -> (u16, Vec<u8>) {
        let mut res = awc::Client::default()
            .request(method, format!("{}{path}", self.endpoint))
            .insert_header((
                "authorization",
                "AWS4-HMAC-SHA256 Credential=langnghe-test/20261125/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
            ))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.body().await.unwrap().to_vec())
    }
}

impl Drop for ObjectStore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn letters_go_to_the_object_store_when_one_is_configured() {
    let store = ObjectStore::start().await;
    assert_eq!(store.raw(Method::PUT, "/cong-van").await.0, 200, "the bucket is made");
    let s = sent_to_two().await;
    let app =
        s.w.app
            .replica_with(crate::support::Options {
                s3: Some(langnghe_api::config::S3Config {
                    endpoint: store.endpoint.clone(),
                    bucket: "cong-van".into(),
                    region: "us-east-1".into(),
                    access_key_id: "langnghe-test".into(),
                    secret_access_key: "langnghe-test-secret".into(),
                }),
                ..Default::default()
            })
            .await;
    let (d, t) = (s.delivery.as_str(), Some(s.token.as_str()));
    reply(
        &app,
        d,
        t,
        json!({"stance": "accepted", "body": "Đồng ý.",
                "commitments": [{"text": "Lắp đèn", "due_on": "2027-03-01"}]}),
    )
    .await;

    let first = pdf("/Title (Ban nhap)");
    upload(&app, d, t, "", "application/pdf", first.clone()).await.ok(201);
    let listed = |xml: &[u8]| {
        let xml = String::from_utf8_lossy(xml).into_owned();
        xml.split("<Key>")
            .skip(1)
            .map(|k| k.split('<').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (status, xml) = store.raw(Method::GET, "/cong-van").await;
    assert_eq!(status, 200);
    let keys = listed(&xml);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].ends_with(".pdf") && keys[0].len() == 36,
        "a key of the service's: {keys:?}"
    );
    assert_eq!(
        store.raw(Method::GET, &format!("/cong-van/{}", keys[0])).await,
        (200, first.clone())
    );
    assert!(
        kept(&app).is_empty(),
        "nothing on disk when the object store is configured"
    );

    // Read back through the service, replaced, made public.
    let r = app.get(&format!("/api/v1/agency/deliveries/{d}/letter"), t).await;
    assert_eq!((r.status, r.text.as_bytes()), (200, first.as_slice()));
    let signed = pdf("/Title (Cong van so 12)");
    upload(&app, d, t, "?public=true", "application/pdf", signed.clone())
        .await
        .ok(201);
    let keys_now = listed(&store.raw(Method::GET, "/cong-van").await.1);
    assert_eq!(
        keys_now.len(),
        1,
        "the replaced letter is deleted from the store: {keys_now:?}"
    );
    assert_ne!(keys_now, keys);
    let r = app
        .get(&format!("/api/v1/public/recommendations/{}/letters/{d}", s.rec), None)
        .await;
    assert_eq!((r.status, r.text.as_bytes()), (200, signed.as_slice()));
    // Refusals store nothing there either.
    upload(&app, d, t, "", "application/pdf", b"GIF89a".to_vec())
        .await
        .assert_problem(422, "not_a_pdf");
    assert_eq!(listed(&store.raw(Method::GET, "/cong-van").await.1), keys_now);
}
