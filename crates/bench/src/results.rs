//! The results scenario: a survey of 10 questions filled with N responses
//! (default 1,000,000) spread over the demo's schools and wards, ages,
//! genders and the last three months; the background folder folds them into
//! the rollups; then survey results over HTTP, broken down several ways,
//! beside the naive GROUP BY over every answer, in the same run.

use std::time::{Duration, Instant};

use awc::Client;
use awc::http::Method;
use langnghe_domain::UnitId;
use langnghe_domain::survey::AgeBand;
use langnghe_storage::Db;
use langnghe_storage::participation::{NewResponse, insert_responses_bulk};
use serde_json::Value;
use uuid::Uuid;

use crate::responses::{call, first_unit, survey};
use crate::{Stats, percentile};

/// A small deterministic generator, so that runs seed the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A child's answers, as the service stores them.
fn answers(g: &mut Lcg) -> String {
    use langnghe_domain::survey::Answer;
    let abc = ["a", "b", "c"];
    let xyz: [&[&str]; 5] = [&["x"], &["y"], &["z"], &["x", "y"], &["y", "z"]];
    let ranks = [
        ["r1", "r2", "r3"],
        ["r2", "r1", "r3"],
        ["r3", "r2", "r1"],
        ["r1", "r3", "r2"],
    ];
    let keys = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let mut a = vec![
        ("q1".to_owned(), Answer::Choice(abc[g.next(3) as usize].into())),
        ("q2".to_owned(), Answer::Choice(abc[g.next(3) as usize].into())),
        ("q3".to_owned(), Answer::Choice(abc[g.next(3) as usize].into())),
        ("q4".to_owned(), Answer::Choices(keys(xyz[g.next(5) as usize]))),
        ("q5".to_owned(), Answer::Rating(1 + g.next(5) as i64)),
        ("q6".to_owned(), Answer::Rating(1 + g.next(5) as i64)),
        ("q7".to_owned(), Answer::YesNo(g.next(2) == 0)),
        ("q8".to_owned(), Answer::Number(g.next(25) as f64)),
        ("q9".to_owned(), Answer::Ranking(keys(&ranks[g.next(4) as usize]))),
    ];
    // Two in three children write something.
    if g.next(3) > 0 {
        a.push((
            "q10".to_owned(),
            Answer::Text("Em muốn sân trường có nhiều cây xanh hơn.".into()),
        ));
    }
    langnghe_storage::formats::answers::encode(&a)
}

pub struct Setup {
    pub survey_id: Uuid,
    session_id: Uuid,
    units: Vec<Uuid>,
}

impl Setup {
    pub fn unit_count(&self) -> usize {
        self.units.len()
    }
}

pub async fn prepare(client: &Client, base: &str, admin: &str) -> Result<Setup, String> {
    let owner = first_unit(client, base, admin, "kind=district").await?;
    let mut units = Vec::new();
    for kind in ["school", "ward"] {
        let list = call(
            client,
            Method::GET,
            &format!("{base}/api/v1/units?kind={kind}&limit=100"),
            Some(admin),
            None,
        )
        .await?;
        for u in list["items"].as_array().ok_or("no units")? {
            units.push(u["id"].as_str().and_then(|s| s.parse().ok()).ok_or("bad unit id")?);
        }
    }
    let unit = units.first().map(Uuid::to_string).ok_or("no units")?;
    let (survey_id, session) =
        crate::responses::published_session(client, base, admin, &survey(&owner), &unit, 90 * 24 * 60).await?;
    Ok(Setup {
        survey_id: survey_id.parse().map_err(|_| "bad survey id")?,
        session_id: session["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or("bad session id")?,
        units,
    })
}

/// Inserts `n` responses, two writers at once; returns the time it took.
pub async fn seed(db: &Db, setup: &Setup, n: usize) -> Result<Duration, String> {
    let started = Instant::now();
    let writers = 2;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let db = db.clone();
        let (survey_id, session_id, units) = (setup.survey_id, setup.session_id, setup.units.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let mut g = Lcg(w as u64 + 1);
            let now = chrono::Utc::now();
            let mut batch = Vec::with_capacity(5000);
            for i in (w..n).step_by(writers) {
                let id = Uuid::now_v7();
                let age = 6 + g.next(12) as u8;
                let gender = ["girl", "boy", "other"]
                    .get(g.next(4) as usize)
                    .map(|s| (*s).to_owned());
                let row = NewResponse {
                    id,
                    survey_id,
                    version: 1,
                    session_id,
                    unit_id: UnitId(units[g.next(units.len() as u64) as usize]),
                    participant_id: Uuid::now_v7(),
                    age: i16::from(age),
                    age_band: AgeBand::for_age(age).map(|b| b.as_str()).unwrap_or("12-14").to_owned(),
                    grade: None,
                    gender,
                    language: "vi".into(),
                    answers: answers(&mut g),
                    receipt_hash: id.simple().to_string(),
                    idempotency_key: format!("seed-{i}"),
                    request_hash: id.simple().to_string(),
                    single: false,
                    cases: vec![],
                    record_key: g.next(1 << 32) as u32,
                    submitted_at: now - chrono::Duration::seconds(g.next(90 * 86_400) as i64),
                };
                batch.push(row);
                if batch.len() == 5000 {
                    insert_responses_bulk(&db, &batch).await.map_err(|e| e.to_string())?;
                    batch.clear();
                }
            }
            insert_responses_bulk(&db, &batch).await.map_err(|e| e.to_string())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed())
}

/// `requests` sequential GETs of one path, after two to warm up.
pub async fn measure(client: &Client, base: &str, admin: &str, path: &str, requests: usize) -> Result<Stats, String> {
    for _ in 0..2 {
        call(client, Method::GET, &format!("{base}{path}"), Some(admin), None).await?;
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    for _ in 0..requests {
        let t0 = Instant::now();
        let v: Value = call(client, Method::GET, &format!("{base}{path}"), Some(admin), None).await?;
        latencies.push(t0.elapsed());
        if v["questions"].as_array().is_none_or(|q| q.len() != 10) {
            return Err(format!("unexpected results for {path}"));
        }
    }
    latencies.sort();
    Ok(Stats::new(latencies, 0, started.elapsed()))
}

/// The naive GROUP BY, `runs` times; returns the sorted durations.
pub async fn naive(db: &Db, survey_id: Uuid, by_unit: bool, runs: usize) -> Result<Vec<Duration>, String> {
    let mut out = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        langnghe_storage::rollup::naive_counts(db, survey_id, by_unit)
            .await
            .map_err(|e| e.to_string())?;
        out.push(t0.elapsed());
    }
    out.sort();
    Ok(out)
}

pub fn ms(d: &[Duration], p: f64) -> String {
    format!("{:.1}", percentile(d, p))
}
