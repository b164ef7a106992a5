//! Changing one's own password needs the current one; admins still reset
//! other accounts' passwords without it.

use serde_json::json;

use crate::support::{ADMIN_PASSWORD, Call, Fields, TestApp};

const CHANGE: &str = "/api/v1/me/password";

#[actix_web::test]
async fn changing_ones_own_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    app.clock.freeze();
    let (id, token) = app.user("lan.mod", "moderator", None, None).await;
    let old = "lan.mod-mật-khẩu-dài";
    let new = "một mật khẩu mới rất dài";

    // Missing, empty, or wrong: refused, and the password stays.
    let invalid: &[(Call, Fields)] = &[
        (
            Call::post(CHANGE, json!({"password": new})),
            &[("current_password", "required")],
        ),
        (
            Call::post(CHANGE, json!({"current_password": "", "password": new})),
            &[("current_password", "invalid_length")],
        ),
    ];
    app.refuses_fields(invalid, Some(&token)).await;
    let r = app
        .post(
            CHANGE,
            Some(&token),
            &json!({"current_password": "not-my-password", "password": new}),
        )
        .await;
    r.assert_problem(422, "current_password_wrong");
    assert_eq!(r.body["errors"][0]["field"], "current_password");
    // The new password's rules are checked first.
    app.post(
        CHANGE,
        Some(&token),
        &json!({"current_password": old, "password": "short"}),
    )
    .await
    .assert_fields(&[("password", "password_too_short")]);
    app.post(CHANGE, None, &json!({"current_password": old, "password": new}))
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/me", Some(&token)).await.ok(200);

    // Right: a fresh token; the old one and the old password stop working.
    let r = app
        .post(CHANGE, Some(&token), &json!({"current_password": old, "password": new}))
        .await;
    let fresh = r.string(200, "access_token");
    assert_eq!(r.body["token_type"], "Bearer");
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.ok(200)["username"], "lan.mod");
    app.sign_in("lan.mod", old)
        .await
        .assert_problem(401, "invalid_credentials");
    app.login("lan.mod", new).await;
    let audit = app.audit("user", &id).await;
    assert!(audit.iter().any(|e| e.action == "user.password_set"));
}

/// A stolen token cannot be used to guess the password: wrong current
/// passwords count as failed sign-ins of the account at that address.
#[actix_web::test]
async fn wrong_current_passwords_are_throttled_like_sign_ins() {
    let app = TestApp::spawn().await;
    app.clock.freeze();
    let (_, token) = app.user("hung.sg", "safeguarding_officer", None, None).await;
    let guess = |i: usize| json!({"current_password": format!("guess-{i}"), "password": "một mật khẩu mới rất dài"});
    // One failed sign-in and three wrong current passwords: four failures,
    // as many as are allowed at once; the fifth waits.
    app.sign_in("hung.sg", "guess-0")
        .await
        .assert_problem(401, "invalid_credentials");
    for i in 1..4 {
        app.post(CHANGE, Some(&token), &guess(i))
            .await
            .assert_problem(422, "current_password_wrong");
    }
    let r = app.post(CHANGE, Some(&token), &guess(4)).await;
    r.assert_problem(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
    // Signing in from this address waits as well.
    app.sign_in("hung.sg", "hung.sg-mật-khẩu-dài")
        .await
        .assert_problem(429, "too_many_attempts");
}

#[actix_web::test]
async fn admins_reset_others_passwords_but_change_their_own_with_the_current_one() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/me", app.admin()).await.string(200, "id");
    app.reset_password(&me, "một mật khẩu mới rất dài")
        .await
        .assert_problem(422, "current_password_required");
    app.login("admin", ADMIN_PASSWORD).await;
    // A reset of someone else's password needs no current password.
    let (id, _) = app.user("lan.fac", "moderator", None, None).await;
    let r = app.reset_password(&id, "một mật khẩu mới rất dài").await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.login("lan.fac", "một mật khẩu mới rất dài").await;
    // And the admin's own change, with the current password.
    let r = app
        .post(
            CHANGE,
            app.admin(),
            &json!({"current_password": ADMIN_PASSWORD, "password": "mật khẩu quản trị mới 2027"}),
        )
        .await;
    r.ok(200);
    app.login("admin", "mật khẩu quản trị mới 2027").await;
}
