//! Sign-in, tokens and their invalidation, and throttling.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use crate::support::{ADMIN_PASSWORD, Call, Options, SECRET, TestApp};

#[actix_web::test]
async fn login_returns_a_bearer_token_for_me() {
    let app = TestApp::spawn().await;
    let r = app.sign_in("Admin", ADMIN_PASSWORD).await;
    let body = r.ok(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.ok(200)["username"], "admin");
    assert_eq!(me.body["role"], "admin");
    assert!(me.body.get("password_hash").is_none());
}

#[actix_web::test]
async fn wrong_credentials_are_refused_alike() {
    let app = TestApp::spawn().await;
    let wrong = app.sign_in("admin", "not the password").await;
    wrong.assert_problem(401, "invalid_credentials");
    let unknown = app.sign_in("nobody", "not the password").await;
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(
        wrong.body, unknown.body,
        "an unknown account looks like a wrong password"
    );
    app.post("/api/v1/auth/login", None, &json!({"username": "admin"}))
        .await
        .assert_fields(&[("password", "required")]);
    app.sign_in("", "x")
        .await
        .assert_fields(&[("username", "invalid_length")]);
}

#[actix_web::test]
async fn repeated_failures_for_an_account_are_slowed_then_refused() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.sign_in("admin", "guess-guess")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // The fourth failure imposes a wait; even the right password must wait.
    app.sign_in("admin", "guess-guess")
        .await
        .assert_problem(401, "invalid_credentials");
    let r = app.sign_in("admin", ADMIN_PASSWORD).await;
    r.assert_problem(429, "too_many_attempts");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "retry-after {retry}");
    // After the wait the right password works and clears the record.
    assert!(crate::support::eventually(5, || async { app.sign_in("admin", ADMIN_PASSWORD).await.status == 200 }).await);
    app.sign_in("admin", "guess-guess")
        .await
        .assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn repeated_failures_from_one_address_are_refused() {
    let app = TestApp::spawn().await;
    for i in 0..21 {
        let r = app.sign_in(&format!("user{i}"), "guess-guess").await;
        r.assert_problem(401, "invalid_credentials");
    }
    let r = app.sign_in("someone.else", "guess-guess").await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
}

fn token(claims: serde_json::Value, secret: &str, alg: Algorithm, kid: Option<&str>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, &claims, &EncodingKey::from_secret(secret.as_bytes()).unwrap()).unwrap()
}

fn kid(secret: &str) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(secret.as_bytes())[..8])
}

#[actix_web::test]
async fn tokens_are_checked_strictly() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/me", app.admin()).await;
    let sub = me.string(200, "id");
    let now = app.now().timestamp();
    let claims = |iss: &str, aud: &str, exp: i64| json!({"iss": iss, "aud": aud, "sub": sub, "iat": now, "nbf": now - 5, "exp": exp, "ver": 0, "typ": "staff"});
    let (key, later) = (kid(SECRET), now + 600);
    let good = token(
        claims("langnghe", "langnghe-api", later),
        SECRET,
        Algorithm::HS256,
        Some(&key),
    );
    app.get("/api/v1/me", Some(&good)).await.ok(200);
    // Each differs from the good token in one thing: expiry, issuer,
    // audience, algorithm, key id, secret.
    let other = "another-secret-of-enough-length-0123456789";
    let key = Some(key.as_str());
    let mut bad: Vec<String> = [
        ("langnghe", "langnghe-api", now - 600, Algorithm::HS256, key, SECRET),
        ("someone", "langnghe-api", later, Algorithm::HS256, key, SECRET),
        ("langnghe", "other-api", later, Algorithm::HS256, key, SECRET),
        ("langnghe", "langnghe-api", later, Algorithm::HS512, key, SECRET),
        ("langnghe", "langnghe-api", later, Algorithm::HS256, None, SECRET),
        ("langnghe", "langnghe-api", later, Algorithm::HS256, key, other),
    ]
    .into_iter()
    .map(|(iss, aud, exp, alg, kid, secret)| token(claims(iss, aud, exp), secret, alg, kid))
    .collect();
    bad.extend(["not.a.token".to_owned(), format!("{}x", &good)]);
    let me = [Call::get("/api/v1/me")];
    let bad: Vec<Option<&str>> = bad.iter().map(|t| Some(t.as_str())).collect();
    app.refuses(&me, &bad, 401, "invalid_token").await;
    let r = app
        .request(
            actix_web::http::Method::GET,
            "/api/v1/me",
            None,
            &[("Authorization", "Basic YWRtaW4=")],
            None,
        )
        .await;
    r.assert_problem(401, "invalid_token");
    let r = app.get("/api/v1/me", None).await;
    r.assert_problem(401, "unauthenticated");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn keys_rotate_without_signing_anyone_out() {
    let old = TestApp::spawn().await;
    let old_token = old.admin.clone();
    let new_secret = "the-new-secret-0123456789-0123456789-xyz".to_owned();
    let rotated = TestApp::spawn_on(
        Arc::clone(&old.db),
        Options {
            secrets: vec![new_secret.clone(), SECRET.to_owned()],
            clock: old.clock.clone(),
            ..Options::default()
        },
    )
    .await;
    // Old tokens still verify; new tokens are signed with the newest key.
    rotated.get("/api/v1/me", Some(&old_token)).await.ok(200);
    let header = jsonwebtoken::decode_header(&rotated.admin).unwrap();
    assert_eq!(header.kid, Some(kid(&new_secret)));
    assert_eq!(header.alg, Algorithm::HS256);
    // Once the old key is retired, its tokens stop working.
    let retired = TestApp::spawn_on(
        Arc::clone(&old.db),
        Options {
            secrets: vec![new_secret],
            clock: old.clock.clone(),
            ..Options::default()
        },
    )
    .await;
    retired
        .get("/api/v1/me", Some(&old_token))
        .await
        .assert_problem(401, "invalid_token");
    retired.get("/api/v1/me", Some(&rotated.admin)).await.ok(200);
}

/// Asserts that `token` no longer opens anything (`/me` refuses it).
async fn assert_token_ended(app: &TestApp, token: &str) {
    app.get("/api/v1/me", Some(token))
        .await
        .assert_problem(401, "invalid_token");
}

/// The admin disables account `id`, or enables it again.
async fn set_disabled(app: &TestApp, id: &str, disabled: bool) {
    let path = format!("/api/v1/users/{id}");
    app.patch(&path, app.admin(), &json!({"disabled": disabled}))
        .await
        .ok(200);
}

#[actix_web::test]
async fn disabling_an_account_ends_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    let (id, token) = app.user("lan.mod", "moderator", None, None).await;
    app.get("/api/v1/me", Some(&token)).await.ok(200);
    set_disabled(&app, &id, true).await;
    assert_token_ended(&app, &token).await;
    app.sign_in("lan.mod", "lan.mod-mật-khẩu-dài")
        .await
        .assert_problem(403, "account_disabled");
    // Enabling again does not revive old tokens; signing in again works.
    set_disabled(&app, &id, false).await;
    assert_token_ended(&app, &token).await;
    let fresh = app.login("lan.mod", "lan.mod-mật-khẩu-dài").await;
    app.get("/api/v1/me", Some(&fresh)).await.ok(200);
}

#[actix_web::test]
async fn changing_a_password_ends_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    let (id, token) = app.user("hung.sg", "safeguarding_officer", None, None).await;
    let r = app.reset_password(&id, "mật khẩu mới rất dài").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_token_ended(&app, &token).await;
    app.sign_in("hung.sg", "hung.sg-mật-khẩu-dài")
        .await
        .assert_problem(401, "invalid_credentials");
    let fresh = app.login("hung.sg", "mật khẩu mới rất dài").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.ok(200)["role"],
        "safeguarding_officer"
    );
}
