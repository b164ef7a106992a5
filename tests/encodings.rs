//! What the service has already handed out keeps its bytes: receipt codes,
//! keyed hashes, cursors and client credentials, now written through
//! `data-encoding`, read the same as before. The expected values come from
//! other implementations (Python's `hmac`, `base64.b32encode` and
//! `base64.urlsafe_b64encode`).

use serde_json::json;

use crate::support::TestApp;

const KEY: &str = "a-test-data-key-of-enough-length-0123456789";
const ID: &str = "0192f4a8-7c3e-7a10-8b2d-5e6f70819203";

#[test]
fn receipt_codes_and_keyed_hashes_are_those_already_issued() {
    use langnghe_api::credentials::{DataKey, base32};
    let key = DataKey::new(KEY);
    assert_eq!(
        key.receipt_code(ID.parse().unwrap()),
        "mswejadruvx5tdfmhyqkacre4rr2x3qk"
    );
    assert_eq!(
        key.hash("login", "admin\n192.0.2.1"),
        "3c59d9626d3e0a35eac0eae24b53342bf9b442050c6ab5106089330236134b87"
    );
    // RFC 4648's vectors, lower case and unpadded.
    for (bytes, text) in [
        ("", ""),
        ("f", "my"),
        ("fo", "mzxq"),
        ("foo", "mzxw6"),
        ("foob", "mzxw6yq"),
        ("fooba", "mzxw6ytb"),
        ("foobar", "mzxw6ytboi"),
    ] {
        assert_eq!(base32(bytes.as_bytes()), text);
    }
    let secret = langnghe_api::credentials::random_secret(18);
    assert_eq!(secret.len(), 24);
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{secret}"
    );
}

#[actix_web::test]
async fn cursors_handed_out_before_still_page() {
    let app = TestApp::spawn().await;
    // The id's 16 bytes in URL-safe base64 without padding.
    app.get("/api/v1/units?cursor=AZL0qHw-ehCLLV5vcIGSAw", app.admin())
        .await
        .ok(200);
    // The standard alphabet, padding, or a length no id has: refused.
    for bad in [
        "AZL0qHw+ehCLLV5vcIGSAw",
        "AZL0qHw-ehCLLV5vcIGSAw==",
        "AZL0qHw-ehCLLV5vcIGS",
    ] {
        app.get(
            &format!("/api/v1/units?cursor={}", bad.replace('+', "%2B").replace('=', "%3D")),
            app.admin(),
        )
        .await
        .assert_problem(400, "invalid_cursor");
    }
    // A page's cursor is the last id so written.
    for code in ["A1", "A2"] {
        app.post(
            "/api/v1/units",
            app.admin(),
            &json!({"kind": "city", "code": code, "name": {"vi": code}, "valid_from": "2024-01-01"}),
        )
        .await
        .created();
    }
    let page = app.get("/api/v1/units?limit=1", app.admin()).await.ok(200).clone();
    let id: uuid::Uuid = page["items"][0]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        page["next_cursor"],
        data_encoding::BASE64URL_NOPAD.encode(id.as_bytes())
    );
}
