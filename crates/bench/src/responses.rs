//! The responses scenario: a 10-question survey, a session, children who
//! join and submit with N concurrent clients over real HTTP; then the same
//! rows inserted straight through the storage layer at the same
//! concurrency (the database's own limit); then the service again at half
//! its maximum rate, for the latency a class sees on a normal day.

use std::time::{Duration, Instant};

use awc::Client;
use awc::http::Method;
use langnghe_storage::participation::{NewResponse, submit_response, submit_responses};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Stats;

pub fn survey(owner: &str) -> Value {
    let choice = |key: &str| {
        json!({"key": key, "type": "single_choice", "required": true, "text": {"vi": format!("Câu hỏi {key}?")},
               "options": [{"key": "a", "label": {"vi": "A"}}, {"key": "b", "label": {"vi": "B"}}, {"key": "c", "label": {"vi": "C"}}]})
    };
    json!({"kind": "opinion", "topic": "education", "owner_unit_id": owner, "allow_multiple": true,
    "title": {"vi": "Khảo sát đo tải", "en": "Load test survey"}, "min_age": 6, "max_age": 17,
    "questions": [
        choice("q1"), choice("q2"), choice("q3"),
        {"key": "q4", "type": "multiple_choice", "text": {"vi": "Chọn nhiều?"}, "min_choices": 1, "max_choices": 2,
         "options": [{"key": "x", "label": {"vi": "X"}}, {"key": "y", "label": {"vi": "Y"}}, {"key": "z", "label": {"vi": "Z"}}]},
        {"key": "q5", "type": "rating", "min": 1, "max": 5, "faces": true, "text": {"vi": "Em vui không?"}},
        {"key": "q6", "type": "rating", "min": 1, "max": 5, "text": {"vi": "Em thích không?"}},
        {"key": "q7", "type": "yes_no", "text": {"vi": "Có hay không?"}},
        {"key": "q8", "type": "number", "min": 0, "max": 24, "text": {"vi": "Mấy giờ?"}},
        {"key": "q9", "type": "ranking", "text": {"vi": "Xếp hạng?"},
         "options": [{"key": "r1", "label": {"vi": "R1"}}, {"key": "r2", "label": {"vi": "R2"}}, {"key": "r3", "label": {"vi": "R3"}}]},
        {"key": "q10", "type": "text", "max_length": 500, "text": {"vi": "Em muốn nói gì?"}}
    ]})
}

fn answers() -> Value {
    json!({"q1": "a", "q2": "b", "q3": "c", "q4": ["x", "z"], "q5": 4, "q6": 2, "q7": true, "q8": 7,
           "q9": ["r2", "r1", "r3"], "q10": "Em muốn sân trường có nhiều cây xanh hơn và thêm ghế đá để ngồi nghỉ."})
}

/// The same answers as the service stores them (what the phases that write
/// through storage insert).
fn stored_answers() -> String {
    use langnghe_domain::survey::Answer;
    let keys = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    langnghe_storage::formats::answers::encode(&[
        ("q1".into(), Answer::Choice("a".into())),
        ("q2".into(), Answer::Choice("b".into())),
        ("q3".into(), Answer::Choice("c".into())),
        ("q4".into(), Answer::Choices(keys(&["x", "z"]))),
        ("q5".into(), Answer::Rating(4)),
        ("q6".into(), Answer::Rating(2)),
        ("q7".into(), Answer::YesNo(true)),
        ("q8".into(), Answer::Number(7.0)),
        ("q9".into(), Answer::Ranking(keys(&["r2", "r1", "r3"]))),
        (
            "q10".into(),
            Answer::Text("Em muốn sân trường có nhiều cây xanh hơn và thêm ghế đá để ngồi nghỉ.".into()),
        ),
    ])
}

/// What the setup leaves for the phases.
#[derive(Clone)]
pub struct Prepared {
    pub tokens: Vec<String>,
    pub survey_id: Uuid,
    pub session_id: Uuid,
    pub unit_id: Uuid,
}

pub async fn call(
    client: &Client,
    method: awc::http::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Value, String> {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let mut res = match body {
        Some(b) => req.send_json(b).await,
        None => req.send().await,
    }
    .map_err(|e| e.to_string())?;
    let bytes = res.body().limit(10 * 1024 * 1024).await.map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if res.status().is_success() {
        Ok(value)
    } else {
        Err(format!("{} {value}", res.status()))
    }
}

/// The id of the first unit the list of units `query` selects gives.
pub async fn first_unit(client: &Client, base: &str, admin: &str, query: &str) -> Result<String, String> {
    let units = call(
        client,
        Method::GET,
        &format!("{base}/api/v1/units?{query}"),
        Some(admin),
        None,
    )
    .await?;
    let id = units["items"][0]["id"].as_str().ok_or(format!("no unit of {query}"))?;
    Ok(id.to_owned())
}

pub async fn prepare(client: &Client, base: &str, admin: &str, children: usize) -> Result<Prepared, String> {
    use awc::http::Method;
    let school = first_unit(client, base, admin, "kind=school&limit=1").await?;
    let owner = first_unit(client, base, admin, "kind=district").await?;
    let (survey_id, session) = published_session(client, base, admin, &survey(&owner), &school, 1).await?;
    let code = session["join_code"].as_str().ok_or("no join code")?.to_owned();
    let mut tokens = Vec::new();
    for i in 0..children {
        let joined = call(
            client,
            Method::POST,
            &format!("{base}/api/v1/join"),
            None,
            Some(&json!({"join_code": code, "age": 6 + (i % 12), "assent": true})),
        )
        .await?;
        tokens.push(joined["respondent_token"].as_str().ok_or("no token")?.to_owned());
    }
    Ok(Prepared {
        tokens,
        survey_id: survey_id.parse().map_err(|_| "bad survey id")?,
        session_id: session["id"]
            .as_str()
            .ok_or("no session id")?
            .parse()
            .map_err(|_| "bad session id")?,
        unit_id: school.parse().map_err(|_| "bad unit id")?,
    })
}

/// Creates and publishes a survey and opens a session of it at `unit`,
/// opened `opened_minutes_ago` and closing in three hours; the survey's id
/// and the session.
pub async fn published_session(
    client: &Client,
    base: &str,
    admin: &str,
    body: &Value,
    unit: &str,
    opened_minutes_ago: i64,
) -> Result<(String, Value), String> {
    use awc::http::Method;
    let created = call(
        client,
        Method::POST,
        &format!("{base}/api/v1/surveys"),
        Some(admin),
        Some(body),
    )
    .await?;
    let survey_id = created["id"].as_str().ok_or("no survey id")?.to_owned();
    call(
        client,
        Method::POST,
        &format!("{base}/api/v1/surveys/{survey_id}/publish"),
        Some(admin),
        Some(&json!({})),
    )
    .await?;
    let now = chrono::Utc::now();
    let session = call(
        client,
        Method::POST,
        &format!("{base}/api/v1/surveys/{survey_id}/sessions"),
        Some(admin),
        Some(
            &json!({"unit_id": unit, "opens_at": (now - chrono::Duration::minutes(opened_minutes_ago)).to_rfc3339(),
                     "closes_at": (now + chrono::Duration::hours(3)).to_rfc3339()}),
        ),
    )
    .await?;
    Ok((survey_id, session))
}

/// A minimal keep-alive HTTP/1.1 client for the submissions, so that the
/// load generator spends as little of the shared CPU as the direct insert
/// program does.
struct Conn {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl Conn {
    async fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: tokio::io::BufReader::new(stream),
        })
    }

    /// Sends one request and returns the status.
    async fn send(&mut self, request: &[u8]) -> std::io::Result<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        self.stream.get_mut().write_all(request).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).await?;
        Ok(status)
    }
}

/// The service at full speed (`per_client_interval` none) or paced.
pub async fn submit_phase(addr: &str, tokens: &[String], seconds: u64, per_client_interval: Option<Duration>) -> Stats {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let body = json!({"answers": answers()}).to_string();
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (token, body, addr) = (token.clone(), body.clone(), addr.to_owned());
        tasks.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let Ok(mut conn) = Conn::open(&addr).await else {
                return (latencies, 1);
            };
            let mut n = 0u64;
            // Spread paced clients over the interval so they do not fire together.
            let offset = per_client_interval.map(|iv| iv.mul_f64((i % 64) as f64 / 64.0)).unwrap_or_default();
            let mut next = Instant::now() + offset;
            while Instant::now() < deadline {
                if let Some(iv) = per_client_interval {
                    let now = Instant::now();
                    if next > now {
                        actix_web::rt::time::sleep(next - now).await;
                    }
                    next += iv;
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                n += 1;
                let request = format!(
                    "POST /api/v1/responses HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: bench-{i}-{n}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let t0 = Instant::now();
                match conn.send(request.as_bytes()).await {
                    Ok(201) => latencies.push(t0.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::open(&addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    gather(tasks, started).await
}

/// One response row as the direct phases store it.
fn direct_row(prepared: &Prepared, participant: Uuid, answers: &str, key: String) -> NewResponse {
    let id = Uuid::now_v7();
    NewResponse {
        id,
        survey_id: prepared.survey_id,
        version: 1,
        session_id: prepared.session_id,
        unit_id: langnghe_domain::UnitId(prepared.unit_id),
        participant_id: participant,
        age: 12,
        age_band: "12-14".into(),
        grade: None,
        gender: None,
        language: "vi".into(),
        answers: answers.to_owned(),
        receipt_hash: id.simple().to_string(),
        idempotency_key: key,
        request_hash: id.simple().to_string(),
        single: false,
        cases: vec![],
        submitted_at: chrono::Utc::now(),
        record_key: rand::random(),
    }
}

/// Gathers the latencies and errors of the phase's tasks.
async fn gather(tasks: Vec<actix_web::rt::task::JoinHandle<(Vec<Duration>, u64)>>, started: Instant) -> Stats {
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    all.sort();
    Stats::new(all, errors, started.elapsed())
}

/// The same rows straight through the storage layer, `concurrency` at once.
pub async fn raw_phase(db_url: &str, prepared: &Prepared, concurrency: usize, seconds: u64) -> Result<Stats, String> {
    direct_phase(db_url, prepared, concurrency, Store::One, seconds).await
}

/// The same rows straight through the storage layer as the service's
/// writers store them: `writers` tasks, each inserting `batch` rows per
/// statement. The ceiling of the service's group commit, without HTTP.
pub async fn batched_phase(
    db_url: &str,
    prepared: &Prepared,
    writers: usize,
    batch: usize,
    seconds: u64,
) -> Result<Stats, String> {
    direct_phase(db_url, prepared, writers, Store::Batch(batch), seconds).await
}

/// How a direct phase stores its rows.
#[derive(Clone, Copy)]
enum Store {
    /// One response a call, as a submission with cases is stored.
    One,
    /// This many responses a statement, as the writers store them.
    Batch(usize),
}

/// `tasks` tasks storing rows straight through the storage layer until
/// `seconds` have passed, each store timed (a batch's time counts for each
/// of its rows).
async fn direct_phase(
    db_url: &str,
    prepared: &Prepared,
    tasks: usize,
    store: Store,
    seconds: u64,
) -> Result<Stats, String> {
    let db = langnghe_storage::connect(db_url, 10).await.map_err(|e| e.to_string())?;
    let answers = stored_answers();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (db, answers, prepared) = (db.clone(), answers.clone(), prepared.clone());
        let participant = Uuid::now_v7();
        handles.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let (prefix, n) = match store {
                Store::One => ("raw", 1),
                Store::Batch(n) => ("batch", n),
            };
            while Instant::now() < deadline {
                let rows: Vec<NewResponse> = (0..n)
                    .map(|_| {
                        direct_row(
                            &prepared,
                            participant,
                            &answers,
                            format!("{prefix}-{task}-{}", Uuid::now_v7()),
                        )
                    })
                    .collect();
                let t0 = Instant::now();
                let stored = match store {
                    Store::One => submit_response(&db, &rows[0]).await.map(|_| 1),
                    Store::Batch(_) => submit_responses(&db, &rows).await.map(|r| r.len()),
                };
                match stored {
                    Ok(k) => latencies.extend(std::iter::repeat_n(t0.elapsed(), k)),
                    Err(_) => errors += rows.len() as u64,
                }
            }
            (latencies, errors)
        }));
    }
    Ok(gather(handles, started).await)
}
