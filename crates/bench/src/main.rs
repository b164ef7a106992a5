//! `langnghe-bench`: starts the real service in-process on a fresh database
//! seeded with the demo organisation, then drives each scenario with a
//! fixed number of concurrent clients for a fixed time and prints requests
//! per second and latency percentiles. Figures from one run are comparable
//! with each other; across machines, compare ratios.

mod responses;
mod results;

use std::time::{Duration, Instant};

use awc::http::Method;
use clap::Parser;
use langnghe_api::config::{Config, DataKeySource, JwtSecrets};
use langnghe_api::credentials::HashCost;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Load generator for Lắng Nghe")]
struct Args {
    /// Database to run on; default a temporary SQLite file. A PostgreSQL URL
    /// must name an empty database.
    #[arg(long)]
    database_url: Option<String>,
    /// Concurrent clients per scenario.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Server worker threads.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// `platform` (sign-in and organisation reads), `responses` (children
    /// submitting answers, against the database's own insert rate) or
    /// `results` (survey results over many responses, against the naive
    /// GROUP BY).
    #[arg(long, default_value = "platform")]
    scenario: String,
    /// For `results`: how many responses to seed.
    #[arg(long, default_value_t = 1_000_000)]
    responses: usize,
    /// For `responses`: run without the result folder (to measure what
    /// folding costs the submissions).
    #[arg(long)]
    no_folder: bool,
    /// For `results`: requests per breakdown.
    #[arg(long, default_value_t = 30)]
    requests: usize,
}

/// Latencies of one phase.
pub struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
    elapsed: Duration,
}

impl Stats {
    pub fn new(latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Stats {
        Stats {
            latencies,
            errors,
            elapsed,
        }
    }

    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
            self.latencies.len(),
            self.errors,
            self.rate(),
            percentile(&self.latencies, 0.50),
            percentile(&self.latencies, 0.95),
            percentile(&self.latencies, 0.99)
        )
    }
}

const PASSWORD: &str = "bench-mật-khẩu-2026";

struct Scenario {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    token: bool,
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let config = Config {
        bind: "127.0.0.1:0".parse()?,
        database_url: url.clone(),
        embedded: false,
        admin_password: Some(PASSWORD.to_owned()),
        jwt_secrets: JwtSecrets::Given(vec![langnghe_api::credentials::random_secret(48)]),
        data_key: DataKeySource::Given(langnghe_api::credentials::random_secret(48)),
        demo: true,
        trust_forwarded_for: false,
        max_body_bytes: 64 * 1024,
        db_max_connections: 10,
        workers: Some(args.workers),
        token_ttl: chrono_minutes(15),
        respondent_ttl: chrono_minutes(120),
        hash_cost: HashCost::Standard,
        disclosure: langnghe_domain::disclosure::Policy::default(),
        fold_interval: Duration::from_millis(1000),
        join_caps: langnghe_domain::consultation::JoinCaps::default(),
        retention: langnghe_api::config::RetentionPolicy::default(),
        webhooks: langnghe_api::config::WebhookPolicy::default(),
        chase_interval: None,
        join_budget: langnghe_domain::consultation::JoinFailureBudget::per_hour(1000),
        public_url: None,
        letters: langnghe_api::config::LetterPolicy {
            dir: std::env::temp_dir().join(format!("langnghe-bench-letters-{}", std::process::id())),
            max_bytes: 5 * 1024 * 1024,
            s3: None,
        },
        metrics_token: None,
        clock: langnghe_api::Clock::system(),
    };
    let prepared = langnghe_api::server::prepare(&config).await?;
    let db = prepared.state.db.clone();
    let mut bound = langnghe_api::server::bind(prepared.state, &config)?;
    let addr = bound.addr.to_string();
    let base = format!("http://{addr}");
    actix_web::rt::spawn(bound.server);
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();

    let mut res = client
        .post(format!("{base}/api/v1/auth/login"))
        .send_json(&json!({"username": "admin", "password": PASSWORD}))
        .await?;
    let login: Value = res.json().await?;
    let token = login["access_token"].as_str().ok_or("no token")?.to_owned();
    let mut res = client
        .get(format!("{base}/api/v1/units?kind=ward&at=2025-06-30"))
        .bearer_auth(&token)
        .send()
        .await?;
    let wards: Value = res.json().await?;
    let ward = wards["items"][11]["id"].as_str().ok_or("no ward")?.to_owned();

    if args.scenario == "responses" {
        let prepared = responses::prepare(&client, &base, &token, args.concurrency).await?;
        println!(
            "Lắng Nghe responses: 10-question survey, {} concurrent clients, {} s per phase, {} server workers, database {}",
            args.concurrency,
            args.seconds,
            args.workers,
            database_name(&url)
        );
        println!("| phase | accepted | errors | per s | p50 ms | p95 ms | p99 ms |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        if args.no_folder {
            bound.folder.abort();
        }
        let service = responses::submit_phase(&addr, &prepared.tokens, args.seconds, None).await;
        println!("{}", service.row("service, full speed (HTTP, validation, screening)"));
        let half = service.rate() / 2.0;
        let interval = Duration::from_secs_f64(args.concurrency as f64 / half.max(1.0));
        let paced = responses::submit_phase(&addr, &prepared.tokens, args.seconds, Some(interval)).await;
        println!(
            "{}",
            paced.row(&format!("service at half its maximum ({half:.0}/s offered)"))
        );
        // The database alone, without the folder: drain what the service
        // phases left, pause the folder, insert.
        let folded = if args.no_folder {
            0
        } else {
            langnghe_api::rollup::fold_all(&db, &config.disclosure, config.clock.now()).await?
        };
        bound.folder.abort();
        let raw = responses::raw_phase(&url, &prepared, args.concurrency, args.seconds).await?;
        println!("{}", raw.row("same rows straight into the database, one per statement"));
        let batched = responses::batched_phase(&url, &prepared, 2, args.concurrency, args.seconds).await?;
        println!(
            "{}",
            batched.row(&format!(
                "same rows, {} per statement by 2 writers (the service's group commit without HTTP)",
                args.concurrency
            ))
        );
        println!(
            "\nservice / database one per statement = {:.0}%; service / same batching without HTTP = {:.0}%; \
             the result folder ran beside the service phases ({folded} responses still to fold after them)",
            100.0 * service.rate() / raw.rate().max(f64::MIN_POSITIVE),
            100.0 * service.rate() / batched.rate().max(f64::MIN_POSITIVE)
        );
        return Ok(());
    }

    if args.scenario == "results" {
        let setup = results::prepare(&client, &base, &token).await?;
        let backend = if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        // Seed with the folder paused, then time the folder alone.
        bound.folder.abort();
        let seeded = results::seed(&db, &setup, args.responses).await?;
        println!(
            "Lắng Nghe results: {} responses of 10 questions over {} units, database {backend}",
            args.responses,
            setup.unit_count()
        );
        println!(
            "seeded in {:.1} s ({:.0} responses/s)",
            seeded.as_secs_f64(),
            args.responses as f64 / seeded.as_secs_f64()
        );
        let t0 = Instant::now();
        let folded = langnghe_api::rollup::fold_all(&db, &config.disclosure, config.clock.now()).await?;
        let fold_time = t0.elapsed();
        bound.folder = langnghe_api::rollup::spawn_folder(
            db.clone(),
            config.fold_interval,
            config.clock.clone(),
            config.disclosure,
            Default::default(),
        );
        println!(
            "folded {folded} responses into the rollups in {:.1} s ({:.0} responses/s)\n",
            fold_time.as_secs_f64(),
            folded as f64 / fold_time.as_secs_f64()
        );
        println!("| query | requests | p50 ms | p95 ms | p99 ms |");
        println!("|---|---:|---:|---:|---:|");
        let id = setup.survey_id;
        for (name, path) in [
            ("results, no breakdown", format!("/api/v1/surveys/{id}/results")),
            (
                "results by age band",
                format!("/api/v1/surveys/{id}/results?by=age_band"),
            ),
            (
                "results by unit and age band",
                format!("/api/v1/surveys/{id}/results?by=unit,age_band"),
            ),
            (
                "results by ward (roll-up) and gender",
                format!("/api/v1/surveys/{id}/results?by=unit,gender&unit_level=ward"),
            ),
            ("results by unit and age band, the last two whole months", {
                use chrono::Datelike;
                // The two whole months before this one.
                let today = config.clock.local_date();
                let last = today.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(today);
                let first = last
                    .with_day(1)
                    .and_then(|d| d.pred_opt())
                    .and_then(|d| d.with_day(1))
                    .unwrap_or(last);
                format!("/api/v1/surveys/{id}/results?by=unit,age_band&from={first}&to={last}")
            }),
        ] {
            let s = results::measure(&client, &base, &token, &path, args.requests).await?;
            println!(
                "| {name} | {} | {:.1} | {:.1} | {:.1} |",
                s.latencies.len(),
                percentile(&s.latencies, 0.5),
                percentile(&s.latencies, 0.95),
                percentile(&s.latencies, 0.99)
            );
        }
        for (name, by_unit) in [
            ("naive GROUP BY by age band", false),
            ("naive GROUP BY by unit and age band", true),
        ] {
            let d = results::naive(&db, id, by_unit, 3).await?;
            println!(
                "| {name} | {} | {} | — | {} |",
                d.len(),
                results::ms(&d, 0.5),
                results::ms(&d, 1.0)
            );
        }
        return Ok(());
    }

    let scenarios = vec![
        Scenario {
            name: "GET /healthz",
            method: Method::GET,
            path: "/healthz".into(),
            body: None,
            token: false,
        },
        Scenario {
            name: "GET /api/v1/me",
            method: Method::GET,
            path: "/api/v1/me".into(),
            body: None,
            token: true,
        },
        Scenario {
            name: "GET /api/v1/units?kind=ward&at=…",
            method: Method::GET,
            path: "/api/v1/units?kind=ward&at=2025-06-30".into(),
            body: None,
            token: true,
        },
        Scenario {
            name: "GET /api/v1/units/{id} (lineage)",
            method: Method::GET,
            path: format!("/api/v1/units/{ward}?at=2026-01-01"),
            body: None,
            token: true,
        },
        Scenario {
            name: "GET /api/v1/agencies",
            method: Method::GET,
            path: "/api/v1/agencies".into(),
            body: None,
            token: true,
        },
        Scenario {
            name: "POST /api/v1/auth/login (Argon2id)",
            method: Method::POST,
            path: "/api/v1/auth/login".into(),
            body: Some(json!({"username": "admin", "password": PASSWORD})),
            token: false,
        },
    ];

    println!(
        "Lắng Nghe load test: {} concurrent clients, {} s per scenario, {} server workers, database {}",
        args.concurrency,
        args.seconds,
        args.workers,
        database_name(&url)
    );
    println!("| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for s in &scenarios {
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..args.concurrency {
            let client = client.clone();
            let url = format!("{base}{}", s.path);
            let (method, body) = (s.method.clone(), s.body.clone());
            let token = s.token.then(|| token.clone());
            tasks.push(actix_web::rt::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let mut req = client.request(method.clone(), &url);
                    if let Some(t) = &token {
                        req = req.bearer_auth(t);
                    }
                    let t0 = Instant::now();
                    let sent = match &body {
                        Some(b) => req.send_json(b).await,
                        None => req.send().await,
                    };
                    match sent {
                        Ok(mut r) => {
                            let ok = r.status().is_success();
                            let _ = r.body().limit(10 * 1024 * 1024).await;
                            if !ok {
                                errors += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                    latencies.push(t0.elapsed());
                }
                (latencies, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await?;
            all.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.sort();
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
            s.name,
            all.len(),
            errors,
            all.len() as f64 / elapsed,
            percentile(&all, 0.50),
            percentile(&all, 0.95),
            percentile(&all, 0.99)
        );
    }
    Ok(())
}

/// The database a URL names, for the report's heading.
fn database_name(url: &str) -> &'static str {
    if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

fn chrono_minutes(m: i64) -> langnghe_api::config::Duration {
    langnghe_api::config::Duration::minutes(m)
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match actix_web::rt::System::new().block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("langnghe-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
