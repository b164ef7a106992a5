//! The test harness: the real application on port 0 with its own fresh
//! database (a temporary SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set), and a real HTTP client.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::http::Method;
use awc::http::header::HeaderMap;
use langnghe_api::config::{Config, DataKeySource, JwtSecrets};
use langnghe_api::credentials::HashCost;
use serde_json::{Value, json};

/// Where every test's clock starts unless the test picks another day: 09:00
/// in Hà Nội on Wednesday 25 November 2026, a working day in the plan's
/// third year, after every past date the tests name and before every future
/// one. No test reads the wall clock.
pub fn start() -> chrono::DateTime<chrono::Utc> {
    morning_of(day())
}

/// 09:00 in Hà Nội on `d`.
pub fn morning_of(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    langnghe_api::local_day_start(d) + chrono::Duration::hours(9)
}

/// The local day of [`start`].
pub fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a real day")
}

pub const ADMIN_PASSWORD: &str = "mật-khẩu-quản-trị-2026";
pub const SECRET: &str = "test-secret-0123456789-0123456789-abcdef";
/// The data key every test application keys its hashes with.
pub const DATA_KEY: &str = "test-data-key-0123456789-0123456789";

/// A database of its own for one test; dropped with the test.
pub struct TestDb {
    pub url: String,
    kind: DbKind,
}

enum DbKind {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// The same database reached at another URL (through a proxy).
    Alias(#[allow(dead_code)] Box<TestDb>),
}

/// The PostgreSQL server to use, if the run is on PostgreSQL.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// A PostgreSQL server for the tests that need PostgreSQL whichever
/// database the run is on: `TEST_DATABASE_URL`, else
/// `LANGNGHE_TEST_POSTGRES_URL` (`.ci/run` sets it for the SQLite run), else
/// the local server every machine of this project runs.
pub fn postgres_server_url() -> String {
    postgres_admin_url()
        .or_else(|| {
            std::env::var("LANGNGHE_TEST_POSTGRES_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `postgres://host/db` → `postgres://host/<name>`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl TestDb {
    pub async fn new() -> TestDb {
        match postgres_admin_url() {
            Some(admin_url) => Self::new_postgres(&admin_url).await,
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDb {
                    url,
                    kind: DbKind::Sqlite(dir),
                }
            }
        }
    }

    pub async fn new_postgres(admin_url: &str) -> TestDb {
        use sea_orm::ConnectionTrait;
        let name = format!("langnghe_test_{}", uuid::Uuid::now_v7().simple());
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        TestDb {
            url: with_database(admin_url, &name),
            kind: DbKind::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        }
    }

    /// `real`, reached at `url` instead.
    pub fn through(real: TestDb, url: String) -> TestDb {
        TestDb {
            url,
            kind: DbKind::Alias(Box::new(real)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let DbKind::Postgres { admin_url, name } = &self.kind {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: do the async work on a
            // thread of its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async move {
                    use sea_orm::ConnectionTrait;
                    if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .await;
                        admin.close().await.ok();
                    }
                });
            })
            .join();
        }
    }
}

/// What a test may vary about the application.
#[derive(Clone)]
pub struct Options {
    pub demo: bool,
    pub secrets: Vec<String>,
    pub max_body_bytes: usize,
    /// Webhooks may go to http:// and local addresses (the test receiver).
    pub webhooks_insecure: bool,
    /// The application's clock (shared: moving it moves the app's time).
    pub clock: langnghe_api::Clock,
    /// Believe `X-Forwarded-For` (tests that play many client addresses).
    pub trust_forwarded_for: bool,
    /// The service-wide budget of wrong join codes per hour.
    pub join_failures_per_hour: u32,
    /// How many children a session admits.
    pub join_caps: langnghe_domain::consultation::JoinCaps,
    /// Where people reach the service (`LANGNGHE_PUBLIC_URL`).
    pub public_url: Option<String>,
    /// Where agencies' letters are kept: a fresh directory of the test's
    /// own unless a test shares one.
    pub letters_dir: std::path::PathBuf,
    /// The largest letter accepted.
    pub letter_max_bytes: usize,
    /// An S3-compatible store for letters instead of the directory.
    pub s3: Option<langnghe_api::config::S3Config>,
    /// The most database connections the application's pool opens.
    pub db_max_connections: u32,
    /// The bearer token `/metrics` asks for (`LANGNGHE_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: false,
            secrets: vec![SECRET.to_owned()],
            max_body_bytes: 64 * 1024,
            webhooks_insecure: true,
            clock: langnghe_api::Clock::starting_at(start()),
            trust_forwarded_for: false,
            join_failures_per_hour: 1000,
            join_caps: langnghe_domain::consultation::JoinCaps::default(),
            public_url: None,
            letters_dir: std::env::temp_dir()
                .join("langnghe-test-letters")
                .join(uuid::Uuid::now_v7().simple().to_string()),
            letter_max_bytes: 256 * 1024,
            s3: None,
            db_max_connections: 5,
            metrics_token: None,
        }
    }
}

pub fn config(url: &str, opts: &Options) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        database_url: url.to_owned(),
        embedded: false,
        admin_password: Some(ADMIN_PASSWORD.to_owned()),
        jwt_secrets: JwtSecrets::Given(opts.secrets.clone()),
        data_key: DataKeySource::Given(DATA_KEY.to_owned()),
        demo: opts.demo,
        trust_forwarded_for: opts.trust_forwarded_for,
        max_body_bytes: opts.max_body_bytes,
        db_max_connections: opts.db_max_connections,
        workers: Some(1),
        token_ttl: chrono::Duration::minutes(15),
        respondent_ttl: chrono::Duration::hours(2),
        hash_cost: HashCost::Minimal,
        disclosure: langnghe_domain::disclosure::Policy::default(),
        // Fold often, so that tests read results while folds commit.
        fold_interval: std::time::Duration::from_millis(20),
        join_caps: opts.join_caps,
        retention: langnghe_api::config::RetentionPolicy::default(),
        // Fast retries and a short day, so that tests see dead letters.
        webhooks: langnghe_api::config::WebhookPolicy {
            allow_insecure: opts.webhooks_insecure,
            retry_base: std::time::Duration::from_millis(50),
            give_up_after: chrono::Duration::seconds(2),
        },
        // Tests drive the chaser with their own clock.
        chase_interval: None,
        join_budget: langnghe_domain::consultation::JoinFailureBudget::per_hour(opts.join_failures_per_hour),
        public_url: opts.public_url.clone(),
        letters: langnghe_api::config::LetterPolicy {
            dir: opts.letters_dir.clone(),
            max_bytes: opts.letter_max_bytes,
            s3: opts.s3.clone(),
        },
        metrics_token: opts.metrics_token.clone(),
        clock: opts.clock.clone(),
    }
}

/// A running application.
pub struct TestApp {
    /// Requests to it (`app.get(…)`, `app.base`, …).
    pub http: Http,
    pub db: Arc<TestDb>,
    /// The application's own connection pool (to see it, or to hold its
    /// connections).
    pub pool: langnghe_storage::Db,
    pub admin: String,
    /// The application's clock.
    pub clock: langnghe_api::Clock,
    /// Where the application keeps agencies' letters.
    pub letters_dir: std::path::PathBuf,
    handle: ServerHandle,
    folder: tokio::task::JoinHandle<()>,
    relay: tokio::task::JoinHandle<()>,
    listener: tokio::task::JoinHandle<()>,
}

impl std::ops::Deref for TestApp {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

/// A client of one service, at `base`: the application a test spawned, or
/// a process or proxy in front of it.
pub struct Http {
    pub base: String,
    client: awc::Client,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the server future ends with the test's runtime.
        drop(self.handle.stop(false));
        self.folder.abort();
        self.relay.abort();
        self.listener.abort();
        // Each application's letters are its own (see `Options`).
        let _ = std::fs::remove_dir_all(&self.letters_dir);
    }
}

/// A response, its body read as JSON where it is JSON.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json refusal with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "status; body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type; body: {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "code; body: {}", self.text);
        assert_eq!(self.body["status"], status, "status field; body: {}", self.text);
        assert_eq!(self.body["type"], format!("urn:langnghe:problem:{code}"));
        self
    }

    /// Asserts a 422 naming exactly these (field, code) pairs, in order.
    #[track_caller]
    pub fn assert_fields(&self, expected: &[(&str, &str)]) {
        self.assert_problem(422, "validation_failed");
        let expected: Vec<(String, String)> = expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(self.fields(), expected, "body: {}", self.text);
    }

    /// The (field, code) pairs a 422 names.
    pub fn fields(&self) -> Vec<(String, String)> {
        let errors = self.body["errors"].as_array();
        let errors = errors.unwrap_or_else(|| panic!("no errors in {}", self.text));
        let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
        errors.iter().map(|e| (text(&e["field"]), text(&e["code"]))).collect()
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        &self.body
    }

    /// Asserts this status and returns the body's string field `key`.
    #[track_caller]
    pub fn string(&self, status: u16, key: &str) -> String {
        let v = &self.ok(status)[key];
        v.as_str()
            .unwrap_or_else(|| panic!("no string {key} in {}", self.text))
            .to_owned()
    }

    /// Asserts a 201 and returns the id of what was created.
    #[track_caller]
    pub fn created(&self) -> String {
        self.string(201, "id")
    }

    /// Asserts a 200 and returns its `items`.
    #[track_caller]
    pub fn items(&self) -> &Vec<Value> {
        items(self.ok(200))
    }
}

/// The (field, code) pairs a 422 names, as [`Resp::assert_fields`] takes them.
pub type Fields<'a> = &'a [(&'a str, &'a str)];

/// The public id of the issue stored as `id`: the id `GET /public/issues`
/// gives children and `POST /issues/{id}/supports` takes (see
/// `DataKey::public_issue_id`), for tests that know the stored id.
pub fn public_issue_id(id: &str) -> String {
    let key = langnghe_api::credentials::DataKey::new(DATA_KEY);
    key.public_issue_id(id.parse().expect("an issue id")).to_string()
}

/// A body's `items` array.
#[track_caller]
pub fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().expect("items")
}

/// The first entry of `body[list]` that is `wanted`.
#[track_caller]
pub fn find<'a>(body: &'a Value, list: &str, wanted: impl Fn(&Value) -> bool) -> &'a Value {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list} in {body}"))
        .iter()
        .find(|e| wanted(e))
        .unwrap_or_else(|| panic!("nothing wanted in {list}: {body}"))
}

/// The figures of one question of a results body.
#[track_caller]
pub fn question<'a>(body: &'a Value, key: &str) -> &'a Value {
    find(body, "questions", |q| q["key"] == key)
}

/// The `field` of every entry of `body[list]`, as strings.
#[track_caller]
pub fn strings<'a>(body: &'a Value, list: &str, field: &str) -> Vec<&'a str> {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list} in {body}"))
        .iter()
        .map(|e| e[field].as_str().expect("a string"))
        .collect()
}

/// One request a test sends: a method, a path and, for some, a JSON body.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            body: None,
        }
    }

    pub fn delete(path: impl Into<String>) -> Call {
        Call {
            method: Method::DELETE,
            path: path.into(),
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: Value) -> Call {
        Call::with(Method::POST, path, body)
    }

    pub fn patch(path: impl Into<String>, body: Value) -> Call {
        Call::with(Method::PATCH, path, body)
    }

    pub fn put(path: impl Into<String>, body: Value) -> Call {
        Call::with(Method::PUT, path, body)
    }

    pub fn with(method: Method, path: impl Into<String>, body: Value) -> Call {
        Call {
            method,
            path: path.into(),
            body: Some(body),
        }
    }
}

impl Http {
    pub fn new(base: String) -> Http {
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .disable_redirects()
            .finish();
        Http { base, client }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("request");
        let bytes = res.body().limit(20 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Method::GET, path, token, &[], None).await
    }

    /// A GET in the reader's language (an `Accept-Language` header).
    pub async fn get_in(&self, path: &str, token: Option<&str>, language: &str) -> Resp {
        self.request(Method::GET, path, token, &[("Accept-Language", language)], None)
            .await
    }

    pub async fn send_json(&self, method: Method, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).expect("json");
        self.request(
            method,
            path,
            token,
            &[("Content-Type", "application/json")],
            Some(bytes),
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send_json(Method::POST, path, token, body).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send_json(Method::PATCH, path, token, body).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send_json(Method::PUT, path, token, body).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Method::DELETE, path, token, &[], None).await
    }

    /// A survey's results with this query (`""` or `"?by=…"`), read by `token`.
    pub async fn results(&self, survey: &str, query: &str, token: Option<&str>) -> Resp {
        self.get(&format!("/api/v1/surveys/{survey}/results{query}"), token)
            .await
    }

    /// A survey's file (`results.csv?by=…`, `texts.csv?reason=…`), read by `token`.
    pub async fn survey_file(&self, survey: &str, file: &str, token: Option<&str>) -> Resp {
        self.get(&format!("/api/v1/surveys/{survey}/{file}"), token).await
    }

    /// Sends `call` with `token`.
    pub async fn call(&self, call: &Call, token: Option<&str>) -> Resp {
        match &call.body {
            Some(body) => self.send_json(call.method.clone(), &call.path, token, body).await,
            None => self.request(call.method.clone(), &call.path, token, &[], None).await,
        }
    }

    /// Sends every call with every token, and asserts that each is refused
    /// with this status and code (problem+json).
    pub async fn refuses(&self, calls: &[Call], tokens: &[Option<&str>], status: u16, code: &str) {
        for call in calls {
            for (i, token) in tokens.iter().enumerate() {
                let r = self.call(call, *token).await;
                assert!(
                    r.status == status
                        && r.header("content-type") == Some("application/problem+json")
                        && r.body["code"] == code
                        && r.body["status"] == status
                        && r.body["type"] == format!("urn:langnghe:problem:{code}"),
                    "{} {} with token {i}: wanted {status} {code}, got {}: {}",
                    call.method,
                    call.path,
                    r.status,
                    r.text
                );
            }
        }
    }

    /// Sends every call with `token`, and asserts that each is refused with
    /// a 422 naming exactly its (field, code) pairs, in order.
    pub async fn refuses_fields(&self, calls: &[(Call, Fields<'_>)], token: Option<&str>) {
        for (call, expected) in calls {
            let r = self.call(call, token).await;
            r.assert_problem(422, "validation_failed");
            let expected: Vec<(String, String)> =
                expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
            assert_eq!(r.fields(), expected, "{} {}: {}", call.method, call.path, r.text);
        }
    }

    /// Reads `path` with each of `queries` and `token`, and asserts that each
    /// is refused as an invalid query (problem+json, 400 `invalid_query`).
    pub async fn refuses_queries(&self, path: &str, queries: &[impl AsRef<str>], token: Option<&str>) {
        let calls: Vec<Call> = queries
            .iter()
            .map(|q| Call::get(format!("{path}?{}", q.as_ref())))
            .collect();
        self.refuses(&calls, &[token], 400, "invalid_query").await;
    }

    /// Posts JSON as a client at `address` would through the trusted load
    /// balancer (`X-Forwarded-For`), or as a direct client (`None`).
    pub async fn post_from(&self, path: &str, body: &Value, address: Option<&str>) -> Resp {
        let bytes = serde_json::to_vec(body).expect("json");
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = address {
            headers.push(("X-Forwarded-For", a));
        }
        self.request(Method::POST, path, None, &headers, Some(bytes)).await
    }

    /// Sends a JSON body with an `Idempotency-Key` (as children's phones do).
    pub async fn post_keyed(&self, path: &str, token: Option<&str>, key: &str, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).expect("json");
        self.request(
            Method::POST,
            path,
            token,
            &[("Content-Type", "application/json"), ("Idempotency-Key", key)],
            Some(bytes),
        )
        .await
    }

    /// A child raises an issue with `title` and `body`, under the
    /// idempotency key `key`.
    pub async fn raise(&self, token: &str, key: &str, title: &str, body: &str) -> Resp {
        let issue = serde_json::json!({"title": title, "body": body});
        self.post_keyed("/api/v1/issues", Some(token), key, &issue).await
    }

    /// A request for an agency client's token (OAuth 2.0) with this form.
    pub async fn token_form(&self, form: &str) -> Resp {
        let form_type = [("Content-Type", "application/x-www-form-urlencoded")];
        self.request(Method::POST, "/api/v1/auth/token", None, &form_type, Some(form.into()))
            .await
    }

    /// An agency client asks for a token with its id and secret, as a form.
    pub async fn client_credentials(&self, client_id: &str, secret: &str) -> Resp {
        let form = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
        self.token_form(&form).await
    }

    /// The same as [`Http::client_credentials`], as JSON.
    pub async fn client_credentials_json(&self, client_id: &str, secret: &str) -> Resp {
        let body = json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
        self.post("/api/v1/auth/token", None, &body).await
    }

    /// A sign-in attempt.
    pub async fn sign_in(&self, username: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.sign_in(username, password).await;
        r.ok(200)["access_token"].as_str().expect("token").to_owned()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_demo() -> TestApp {
        Self::spawn_with(Options {
            demo: true,
            ..Options::default()
        })
        .await
    }

    pub async fn spawn_with(opts: Options) -> TestApp {
        let db = Arc::new(TestDb::new().await);
        Self::spawn_on(db, opts).await
    }

    /// Another server on the same database (a second replica, or a restart
    /// with other settings).
    pub async fn spawn_on(db: Arc<TestDb>, opts: Options) -> TestApp {
        let config = config(&db.url, &opts);
        let prepared = langnghe_api::server::prepare(&config).await.expect("prepare");
        let pool = prepared.state.db.clone();
        let bound = langnghe_api::server::bind(prepared.state, &config).expect("bind");
        actix_web::rt::spawn(bound.server);
        let mut app = TestApp {
            http: Http::new(format!("http://{}", bound.addr)),
            db,
            pool,
            admin: String::new(),
            clock: opts.clock.clone(),
            letters_dir: opts.letters_dir.clone(),
            handle: bound.handle,
            folder: bound.folder,
            relay: bound.relay,
            listener: bound.listener,
        };
        app.admin = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    /// A child joins with `code` at `age`, assenting; `extra` adds fields.
    pub async fn join(&self, code: &str, age: u8, extra: Value) -> Resp {
        let mut body = json!({"join_code": code, "age": age, "assent": true});
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        self.post("/api/v1/join", None, &body).await
    }

    /// A child joins with `code` at `age`: its respondent token.
    pub async fn child(&self, code: &str, age: u8) -> String {
        self.join(code, age, json!({})).await.string(200, "respondent_token")
    }

    /// A child's answers, sent with an idempotency key.
    pub async fn submit(&self, token: &str, key: &str, answers: Value) -> Resp {
        self.post_keyed("/api/v1/responses", Some(token), key, &json!({"answers": answers}))
            .await
    }

    /// Opens a session of `survey` at `unit` as the admin, from `opens` to
    /// `closes` (minutes from now); returns the session.
    pub async fn open_session(&self, survey: &str, unit: &str, opens: i64, closes: i64) -> Value {
        let now = self.now();
        let at = |m: i64| (now + chrono::Duration::minutes(m)).to_rfc3339();
        let r = self
            .post(
                &format!("/api/v1/surveys/{survey}/sessions"),
                self.admin(),
                &json!({"unit_id": unit, "opens_at": at(opens), "closes_at": at(closes)}),
            )
            .await;
        r.ok(201).clone()
    }

    /// A connection to the application's database, to read what it stored.
    pub async fn storage(&self) -> sea_orm::DatabaseConnection {
        langnghe_storage::connect(&self.db.url, 1).await.expect("connect")
    }

    /// The survey's stored responses (with the withdrawn ones or not), read
    /// straight from the database.
    pub async fn responses(
        &self,
        survey: &str,
        include_withdrawn: bool,
    ) -> Vec<langnghe_storage::participation::StoredResponse> {
        let db = self.storage().await;
        let survey = survey.parse().expect("a survey id");
        let stored = langnghe_storage::participation::responses_of(&db, survey, include_withdrawn)
            .await
            .expect("responses");
        db.close().await.ok();
        stored
    }

    /// A second replica on the same database, reading the same clock (as
    /// replicas read one system clock).
    pub async fn replica(&self) -> TestApp {
        self.replica_with(Options::default()).await
    }

    /// A second replica with these settings, reading the same clock.
    pub async fn replica_with(&self, opts: Options) -> TestApp {
        Self::spawn_on(
            self.db.clone(),
            Options {
                clock: self.clock.clone(),
                ..opts
            },
        )
        .await
    }

    /// Stops the background folder, so that a test decides when results
    /// are released (with [`TestApp::release`]).
    pub fn stop_folder(&self) {
        self.folder.abort();
    }

    /// Releases every survey's waiting changes that make a release, now.
    pub async fn release(&self) {
        let db = langnghe_storage::connect(&self.db.url, 1).await.expect("connect");
        langnghe_api::rollup::fold_all(&db, &langnghe_domain::disclosure::Policy::default(), self.now())
            .await
            .expect("release");
        db.close().await.ok();
    }

    /// Now, by the application's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The application's local day.
    pub fn day(&self) -> chrono::NaiveDate {
        self.clock.local_date()
    }

    pub fn admin(&self) -> Option<&str> {
        Some(&self.admin)
    }

    /// What the admin reads at `path` (asserting a 200).
    pub async fn admin_read(&self, path: &str) -> Value {
        self.get(path, self.admin()).await.ok(200).clone()
    }

    /// Creates an account and returns its id and a token for it.
    pub async fn user(
        &self,
        username: &str,
        role: &str,
        unit_id: Option<&str>,
        agency_id: Option<&str>,
    ) -> (String, String) {
        let password = format!("{username}-mật-khẩu-dài");
        let r = self
            .post(
                "/api/v1/users",
                self.admin(),
                &json!({"username": username, "password": password, "role": role, "unit_id": unit_id, "agency_id": agency_id}),
            )
            .await;
        let id = r.ok(201)["id"].as_str().expect("id").to_owned();
        let token = self.login(username, &password).await;
        (id, token)
    }

    /// A new token of an account [`TestApp::user`] made (or, for "admin",
    /// of the admin), for a test that moved the clock past the old one's
    /// life.
    pub async fn sign_in_again(&self, username: &str) -> String {
        let password = match username {
            "admin" => ADMIN_PASSWORD.to_owned(),
            _ => format!("{username}-mật-khẩu-dài"),
        };
        self.login(username, &password).await
    }

    /// The admin sets account `id`'s password.
    pub async fn reset_password(&self, id: &str, password: &str) -> Resp {
        let path = format!("/api/v1/users/{id}/password");
        self.post(&path, self.admin(), &json!({"password": password})).await
    }

    /// The admin sets a target (`{"metric", "scope_unit_id", "period", "value"}`).
    pub async fn set_target(&self, target: Value) -> Resp {
        self.post("/api/v1/targets", self.admin(), &target).await
    }

    /// Creates a facilitator of the unit with this code (as of 1 January
    /// 2026): its id and a token for it.
    pub async fn facilitator(&self, username: &str, unit_code: &str) -> (String, String) {
        let unit = self.unit_id(unit_code, "2026-01-01").await;
        self.user(username, "facilitator", Some(&unit), None).await
    }

    /// One token per non-admin role that needs no scope, plus a facilitator
    /// and agency staff when a unit and an agency are given.
    pub async fn non_admin_tokens(
        &self,
        unit_id: Option<&str>,
        agency_id: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("moderator", self.user("mod.test", "moderator", None, None).await.1),
            (
                "safeguarding_officer",
                self.user("sg.test", "safeguarding_officer", None, None).await.1,
            ),
        ];
        if let Some(u) = unit_id {
            out.push((
                "facilitator",
                self.user("fac.test", "facilitator", Some(u), None).await.1,
            ));
        }
        if let Some(a) = agency_id {
            out.push((
                "agency_staff",
                self.user("agency.test", "agency_staff", None, Some(a)).await.1,
            ));
        }
        out
    }

    /// The audit events recorded for one entity, read straight from the
    /// database.
    pub async fn audit(&self, entity: &str, id: &str) -> Vec<langnghe_storage::audit::AuditEvent> {
        let db = langnghe_storage::connect(&self.db.url, 1).await.expect("connect");
        let events = langnghe_storage::audit::for_entity(&db, entity, id)
            .await
            .expect("audit");
        db.close().await.ok();
        events
    }

    /// The ids of the units with these codes, as of 1 January 2026 (the
    /// demo organisation before the 2025 reorganisation took effect).
    pub async fn units<const N: usize>(&self, codes: [&str; N]) -> [String; N] {
        let mut ids = [const { String::new() }; N];
        for (id, code) in ids.iter_mut().zip(codes) {
            *id = self.unit_id(code, "2026-01-01").await;
        }
        ids
    }

    /// The id of the first agency listed.
    pub async fn first_agency(&self) -> String {
        let r = self.get("/api/v1/agencies?limit=1", self.admin()).await;
        r.items()[0]["id"].as_str().expect("an agency").to_owned()
    }

    /// The id of the unit with this code, as of `at`.
    pub async fn unit_id(&self, code: &str, at: &str) -> String {
        let mut cursor = String::new();
        loop {
            let r = self
                .get(&format!("/api/v1/units?at={at}&limit=100{cursor}"), self.admin())
                .await;
            let body = r.ok(200);
            for u in body["items"].as_array().expect("items") {
                if u["code"] == code {
                    return u["id"].as_str().expect("id").to_owned();
                }
            }
            match body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => panic!("no unit {code} at {at}"),
            }
        }
    }
}

/// A response row as the server stores one, for tests that write rows
/// straight to the database: a child of 12 (band 12–14) answering in
/// Vietnamese `answers` at `unit` at `submitted_at`, with a session, a
/// participant and a key of its own and receipt and request hashes from its
/// id; not a one-response survey. Tests change the rest with `..`.
pub fn response_row(
    survey_id: uuid::Uuid,
    unit: &str,
    answers: Value,
    submitted_at: chrono::DateTime<chrono::Utc>,
    record_key: u32,
) -> langnghe_storage::participation::NewResponse {
    let id = uuid::Uuid::now_v7();
    langnghe_storage::participation::NewResponse {
        id,
        survey_id,
        version: 1,
        session_id: id,
        unit_id: langnghe_domain::UnitId(unit.parse().expect("a unit id")),
        participant_id: uuid::Uuid::now_v7(),
        age: 12,
        age_band: "12-14".into(),
        grade: None,
        gender: None,
        language: "vi".into(),
        answers: answers.to_string(),
        receipt_hash: id.simple().to_string(),
        idempotency_key: format!("k{}", id.simple()),
        request_hash: id.simple().to_string(),
        single: false,
        cases: vec![],
        submitted_at,
        record_key,
    }
}

/// Polls `check` until it holds or `secs` pass.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
