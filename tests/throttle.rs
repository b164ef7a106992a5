//! Sign-in throttling under attack: each attempt is reserved in the
//! database before its password is checked, so concurrent guesses get
//! exactly what the policy allows; an account is throttled per address, so
//! guesses from one address do not lock the owner out at another, while
//! each address keeps a budget across accounts; keys are keyed hashes,
//! purged after their window.

use futures_util::future::join_all;
use serde_json::json;

use crate::support::{ADMIN_PASSWORD, DATA_KEY, Options, TestApp};

/// Sends `n` sign-ins at once (`username(i)`, `password`, from `address`
/// when given) and counts the answers by status.
async fn storm(
    app: &TestApp,
    n: usize,
    username: impl Fn(usize) -> String,
    password: &str,
    address: Option<&str>,
) -> std::collections::BTreeMap<u16, usize> {
    let answers = join_all((0..n).map(|i| {
        let body = json!({"username": username(i), "password": password});
        async move { app.post_from("/api/v1/auth/login", &body, address).await }
    }))
    .await;
    let mut counts = std::collections::BTreeMap::new();
    for r in &answers {
        match r.status {
            401 => r.assert_problem(401, "invalid_credentials"),
            429 => r.assert_problem(429, "too_many_attempts"),
            other => panic!("unexpected {other}: {}", r.text),
        };
        *counts.entry(r.status).or_default() += 1;
    }
    counts
}

/// The application behind a load balancer it trusts (`X-Forwarded-For`
/// names the client), its clock stopped.
async fn behind_the_balancer() -> TestApp {
    let app = TestApp::spawn_with(Options {
        trust_forwarded_for: true,
        ..Options::default()
    })
    .await;
    app.clock.freeze();
    app
}

async fn sign_in(app: &TestApp, username: &str, password: &str, address: &str) -> crate::support::Resp {
    let body = json!({"username": username, "password": password});
    app.post_from("/api/v1/auth/login", &body, Some(address)).await
}

/// The policy allows 3 free failures and a 4th with no wait (then 1 s, 2 s,
/// …): at one instant, 200 concurrent wrong passwords are exactly 4
/// password checks; a second later, exactly one more.
#[actix_web::test]
async fn concurrent_wrong_passwords_get_exactly_what_the_policy_allows() {
    let app = TestApp::spawn().await;
    app.clock.freeze();
    let counts = storm(&app, 200, |_| "admin".into(), "not-the-password", None).await;
    assert_eq!(counts.get(&401), Some(&4), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&196), "{counts:?}");
    // Even the right password waits.
    app.sign_in("admin", ADMIN_PASSWORD)
        .await
        .assert_problem(429, "too_many_attempts");
    app.clock.advance(chrono::Duration::seconds(1));
    let counts = storm(&app, 50, |_| "admin".into(), "not-the-password", None).await;
    assert_eq!(counts.get(&401), Some(&1), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&49), "{counts:?}");
    // The fifth failure imposed 2 s: one second later the owner still waits,
    // two seconds later the right password gets in and clears the record.
    app.clock.advance(chrono::Duration::seconds(1));
    app.sign_in("admin", ADMIN_PASSWORD)
        .await
        .assert_problem(429, "too_many_attempts");
    app.clock.advance(chrono::Duration::seconds(1));
    app.login("admin", ADMIN_PASSWORD).await;
    let counts = storm(&app, 20, |_| "admin".into(), "not-the-password", None).await;
    assert_eq!(counts.get(&401), Some(&4), "cleared by the right password: {counts:?}");
}

/// One address spraying many accounts at once: its budget (20 free
/// failures, the 21st with no wait) holds under concurrency too.
#[actix_web::test]
async fn concurrent_spraying_from_one_address_gets_exactly_its_budget() {
    let app = TestApp::spawn().await;
    app.clock.freeze();
    let counts = storm(&app, 200, |i| format!("user{i}"), "not-the-password", None).await;
    assert_eq!(counts.get(&401), Some(&21), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&179), "{counts:?}");
}

/// About 4 tries an hour used to keep `admin` at 429 for everyone; now they
/// throttle the attacker's address only.
#[actix_web::test]
async fn an_attacker_elsewhere_does_not_lock_the_owner_out() {
    let app = behind_the_balancer().await;
    let attacker = "203.0.113.7";
    let owner = "198.51.100.4";
    let counts = storm(&app, 30, |_| "admin".into(), "guess-guess", Some(attacker)).await;
    assert_eq!((counts.get(&401), counts.get(&429)), (Some(&4), Some(&26)));
    // The attacker's address is throttled for this account, even with the
    // right password …
    sign_in(&app, "admin", ADMIN_PASSWORD, attacker)
        .await
        .assert_problem(429, "too_many_attempts");
    // … the owner's is not.
    let r = sign_in(&app, "admin", ADMIN_PASSWORD, owner).await;
    assert_eq!(r.ok(200)["token_type"], "Bearer");
    // An hour of attempts, every 15 minutes: the owner always gets in.
    for _ in 0..4 {
        app.clock.advance(chrono::Duration::minutes(15));
        for _ in 0..4 {
            let r = sign_in(&app, "admin", "guess-guess", attacker).await;
            assert!([401, 429].contains(&r.status), "{}", r.text);
        }
        sign_in(&app, "admin", ADMIN_PASSWORD, owner).await.ok(200);
    }
    // Spraying other accounts from the attacker's address runs into the
    // address's own budget (20 free failures in all, the 21st with no wait).
    let r = sign_in(&app, "admin", "guess-guess", attacker).await;
    r.assert_problem(429, "too_many_attempts");
    let mut sprayed = 0;
    for i in 0..40 {
        let r = sign_in(&app, &format!("user{i}"), "guess-guess", attacker).await;
        if r.status == 429 {
            break;
        }
        r.assert_problem(401, "invalid_credentials");
        sprayed += 1;
    }
    assert!(sprayed < 21, "the address budget stops the spray after {sprayed}");
    sign_in(&app, "someone.else", "guess-guess", attacker)
        .await
        .assert_problem(429, "too_many_attempts");
    sign_in(&app, "admin", ADMIN_PASSWORD, owner).await.ok(200);
}

/// Keys are `purpose:` plus an HMAC with the data key (neither the address
/// nor an unkeyed hash of it is stored), and records go once past their
/// window.
#[actix_web::test]
async fn throttle_keys_are_keyed_hashes_purged_after_their_window() {
    use sha2::{Digest, Sha256};
    let app = behind_the_balancer().await;
    let address = "203.0.113.9";
    for _ in 0..3 {
        sign_in(&app, "admin", "guess-guess", address)
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let key = langnghe_api::credentials::DataKey::new(DATA_KEY);
    let address_key = langnghe_api::credentials::throttle_key(&key, "address", address);
    let account_key = langnghe_api::credentials::throttle_key(&key, "login", &format!("admin\n{address}"));
    assert_eq!(address_key.len(), "address:".len() + 64);
    let db = app.storage().await;
    let get = |k: String| {
        let db = db.clone();
        async move { langnghe_storage::throttle::get(&db, &k).await.unwrap() }
    };
    assert_eq!(get(address_key.clone()).await.map(|r| r.failures), Some(3));
    assert_eq!(get(account_key.clone()).await.map(|r| r.failures), Some(3));
    let unkeyed = format!(
        "address:{}",
        data_encoding::HEXLOWER.encode(&Sha256::digest(address.as_bytes())[..12])
    );
    assert_eq!(get(unkeyed).await, None, "no unkeyed hash of the address");
    assert_eq!(get("account:admin".to_owned()).await, None, "no plain account key");

    // A successful sign-in gives its attempt back to the address.
    sign_in(&app, "admin", ADMIN_PASSWORD, address).await.ok(200);
    assert_eq!(get(address_key.clone()).await.map(|r| r.failures), Some(3));
    assert_eq!(get(account_key.clone()).await, None, "cleared by the right password");

    // Past the window, the next sign-in anywhere purges the records.
    app.clock
        .advance(chrono::Duration::hours(1) + chrono::Duration::seconds(1));
    sign_in(&app, "nobody", "guess-guess", "198.51.100.20")
        .await
        .assert_problem(401, "invalid_credentials");
    assert_eq!(get(address_key.clone()).await, None, "purged after the window");
    assert_eq!(
        langnghe_storage::throttle::count(&db).await.unwrap(),
        2,
        "only the last attempt's records are left"
    );
    // And the daily purge takes whatever is left once past the window.
    app.clock.advance(chrono::Duration::hours(2));
    langnghe_api::retention::purge(&db, langnghe_api::config::RetentionPolicy::default(), app.now())
        .await
        .unwrap();
    assert_eq!(langnghe_storage::throttle::count(&db).await.unwrap(), 0);
    db.close().await.ok();
}
