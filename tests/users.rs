//! Staff accounts: admin only.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::{Call, Fields, Resp, TestApp};

/// The demo, with a school (PN-S02) and the first agency listed.
async fn demo() -> (TestApp, String, String) {
    let app = TestApp::spawn_demo().await;
    let unit = app.unit_id("PN-S02", "2026-01-01").await;
    let agency = app.first_agency().await;
    (app, unit, agency)
}

/// The admin creates an account.
async fn create(app: &TestApp, account: &Value) -> Resp {
    app.post("/api/v1/users", app.admin(), account).await
}

/// The admin changes account `id`.
async fn change(app: &TestApp, id: &str, change: &Value) -> Resp {
    app.patch(&format!("/api/v1/users/{id}"), app.admin(), change).await
}

#[actix_web::test]
async fn admin_creates_lists_reads_and_changes_accounts() {
    let (app, unit, agency) = demo().await;
    let r = create(
        &app,
        &json!({"username": "Lan.TPT", "password": "mật khẩu đủ dài", "role": "facilitator", "unit_id": unit, "display_name": " Cô Lan "}),
    )
    .await;
    let created = r.ok(201).clone();
    assert_eq!(created["username"], "lan.tpt");
    assert_eq!(created["role"], "facilitator");
    assert_eq!(created["unit_id"], unit.as_str());
    assert_eq!(created["display_name"], "Cô Lan");
    assert_eq!(created["disabled"], false);
    let id = created["id"].as_str().unwrap();
    let (agency_user, _) = app.user("pgd.staff", "agency_staff", None, Some(&agency)).await;

    assert_eq!(
        app.get(&format!("/api/v1/users/{id}"), app.admin()).await.ok(200),
        &created
    );

    // Pagination walks every account exactly once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let page = app.get(&path, app.admin()).await;
        let body = page.ok(200).clone();
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["admin", "lan.tpt", "pgd.staff"]);
    let facilitators = app.get("/api/v1/users?role=facilitator", app.admin()).await;
    assert_eq!(facilitators.items().len(), 1);
    app.get("/api/v1/users?role=root", app.admin())
        .await
        .assert_problem(400, "invalid_query");

    // A role change clears the scope the new role does not carry.
    let r = change(&app, id, &json!({"role": "moderator"})).await;
    assert_eq!(r.ok(200)["role"], "moderator");
    assert_eq!(r.body["unit_id"], Value::Null);
    let r = change(
        &app,
        &agency_user,
        &json!({"display_name": "Anh Minh", "disabled": true}),
    )
    .await;
    assert_eq!(r.ok(200)["display_name"], "Anh Minh");
    assert_eq!(r.body["disabled"], true);
    assert_eq!(r.body["agency_id"], agency.as_str());
    let disabled = app.get("/api/v1/users?disabled=true", app.admin()).await;
    assert_eq!(disabled.ok(200)["items"][0]["username"], "pgd.staff");
    // A facilitator can be moved to another unit.
    let other = app.unit_id("PN-S05", "2026-01-01").await;
    let r = change(&app, id, &json!({"role": "facilitator", "unit_id": other})).await;
    assert_eq!(r.ok(200)["unit_id"], other.as_str());

    // Every change is in the audit log, with who made it; never a hash.
    let events = app.audit("user", id).await;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.create", "user.update", "user.update"]);
    assert!(events.iter().all(|e| e.actor_label == "admin" && e.actor_id.is_some()));
    assert_eq!(events[1].before.as_ref().unwrap()["role"], "facilitator");
    assert_eq!(events[1].after.as_ref().unwrap()["role"], "moderator");
    assert!(
        events
            .iter()
            .all(|e| !format!("{:?}{:?}", e.before, e.after).contains("argon2"))
    );
}

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let (app, unit, agency) = demo().await;
    let tokens = app.non_admin_tokens(Some(&unit), Some(&agency)).await;
    let some_user = app.get("/api/v1/me", app.admin()).await.string(200, "id");
    let new_user = json!({"username": "x.y.z", "password": "mật khẩu đủ dài", "role": "moderator"});
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, "/api/v1/users".into(), Some(new_user.clone())),
        (Method::GET, "/api/v1/users".into(), None),
        (Method::GET, format!("/api/v1/users/{some_user}"), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{some_user}"),
            Some(json!({"disabled": true})),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{some_user}/password"),
            Some(json!({"password": "mật khẩu đủ dài"})),
        ),
    ];
    for (method, path, body) in &calls {
        let send = |token: Option<String>| {
            let (method, path, body) = (method.clone(), path.clone(), body.clone());
            let app = &app;
            async move {
                match body {
                    Some(b) => app.send_json(method, &path, token.as_deref(), &b).await,
                    None => app.request(method, &path, token.as_deref(), &[], None).await,
                }
            }
        };
        send(None).await.assert_problem(401, "unauthenticated");
        for (role, token) in &tokens {
            let r = send(Some(token.clone())).await;
            assert_eq!(r.status, 403, "{role} {method} {path}: {}", r.text);
            r.assert_problem(403, "forbidden");
        }
    }
    // Nothing was changed by the refused calls.
    let users = app.get("/api/v1/users", app.admin()).await;
    assert!(
        users
            .items()
            .iter()
            .all(|u| u["username"] != "x.y.z" && u["disabled"] == false)
    );
    app.sign_in("admin", "mật khẩu đủ dài")
        .await
        .assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn bad_accounts_are_refused_with_every_problem_and_store_nothing() {
    let (app, unit, agency) = demo().await;
    let r = create(
        &app,
        &json!({"username": "có dấu", "password": "short", "role": "facilitator", "agency_id": agency}),
    )
    .await;
    r.assert_fields(&[
        ("username", "invalid_username"),
        ("password", "password_too_short"),
        ("unit_id", "required"),
        ("agency_id", "not_allowed"),
    ]);
    // An account "abc" with a good password and `role`, plus `extra`.
    let abc = |role: &str, extra: Value| {
        let mut body = json!({"username": "abc", "password": "mật khẩu đủ dài", "role": role});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        Call::post("/api/v1/users", body)
    };
    let invalid: &[(Call, Fields)] = &[
        (abc("root", json!({})), &[("role", "unknown_value")]),
        (
            abc("moderator", json!({"unit_id": unit})),
            &[("unit_id", "not_allowed")],
        ),
        (
            abc("facilitator", json!({"unit_id": uuid::Uuid::now_v7()})),
            &[("unit_id", "unknown_unit")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    let closed_ward = app.unit_id("PN-P15", "2025-01-01").await;
    let invalid: &[(Call, Fields)] = &[
        (
            abc("facilitator", json!({"unit_id": closed_ward})),
            &[("unit_id", "not_in_force")],
        ),
        (
            abc("agency_staff", json!({"agency_id": uuid::Uuid::now_v7()})),
            &[("agency_id", "unknown_agency")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    create(
        &app,
        &json!({"username": "ADMIN", "password": "mật khẩu đủ dài", "role": "moderator"}),
    )
    .await
    .assert_problem(409, "username_taken");
    let users = app.get("/api/v1/users", app.admin()).await;
    assert_eq!(users.items().len(), 1, "nothing stored");

    let missing = uuid::Uuid::now_v7();
    let not_found = [
        Call::get(format!("/api/v1/users/{missing}")),
        Call::patch(format!("/api/v1/users/{missing}"), json!({"disabled": true})),
        Call::post(
            format!("/api/v1/users/{missing}/password"),
            json!({"password": "mật khẩu đủ dài"}),
        ),
    ];
    app.refuses(&not_found, &[app.admin()], 404, "not_found").await;
    app.get("/api/v1/users/42", app.admin())
        .await
        .assert_problem(400, "invalid_path");

    let (id, _) = app.user("minh.mod", "moderator", None, None).await;
    let invalid: &[(Call, Fields)] = &[
        (
            Call::patch(format!("/api/v1/users/{id}"), json!({"role": "facilitator"})),
            &[("unit_id", "required")],
        ),
        (
            Call::patch(format!("/api/v1/users/{id}"), json!({"agency_id": agency})),
            &[("agency_id", "not_allowed")],
        ),
        (
            Call::patch(format!("/api/v1/users/{id}"), json!({"display_name": "x".repeat(201)})),
            &[("display_name", "invalid_length")],
        ),
        (
            Call::post(
                "/api/v1/users",
                json!({"username": "abcd", "password": "x".repeat(300), "role": "moderator", "display_name": "y".repeat(201)}),
            ),
            &[("display_name", "invalid_length")],
        ),
        (
            Call::patch(format!("/api/v1/users/{id}"), json!({"password": "x"})),
            &[("password", "unknown_field")],
        ),
        (
            Call::post(format!("/api/v1/users/{id}/password"), json!({"password": "short"})),
            &[("password", "password_too_short")],
        ),
    ];
    app.refuses_fields(invalid, app.admin()).await;
    let after = app.get(&format!("/api/v1/users/{id}"), app.admin()).await;
    assert_eq!(after.ok(200)["role"], "moderator");

    // An admin cannot lock themselves out.
    let me = app.get("/api/v1/me", app.admin()).await.string(200, "id");
    let cannot_change_own_account = [
        Call::patch(format!("/api/v1/users/{me}"), json!({"disabled": true})),
        Call::patch(format!("/api/v1/users/{me}"), json!({"role": "moderator"})),
    ];
    app.refuses(
        &cannot_change_own_account,
        &[app.admin()],
        409,
        "cannot_change_own_account",
    )
    .await;
    app.get("/api/v1/me", app.admin()).await.ok(200);
}
