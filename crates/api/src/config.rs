//! Settings: every one has a flag and an environment variable. Values are
//! read as text and checked here, so that a bad one stops start-up with a
//! single line naming it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::credentials::HashCost;

/// The file the embedded default keeps its data in.
pub const DEFAULT_SQLITE_FILE: &str = "langnghe.db";
/// Where the embedded default keeps the JWT key it generated.
pub const DEFAULT_KEY_FILE: &str = "langnghe.jwt-keys";
/// Where the embedded default keeps the data key it generated.
pub const DEFAULT_DATA_KEY_FILE: &str = "langnghe.data-key";

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "LANGNGHE_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// postgres://… or sqlite://…; default: the SQLite file langnghe.db here.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Password of the `admin` account created on an empty database;
    /// when unset a random one is generated and printed once.
    #[arg(long, env = "LANGNGHE_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub admin_password: Option<String>,
    /// JWT signing secrets (at least 32 bytes each), comma-separated, newest
    /// first: the first signs, all verify.
    #[arg(long, env = "LANGNGHE_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// File with one JWT secret per line, newest first (alternative to
    /// LANGNGHE_JWT_SECRET).
    #[arg(long, env = "LANGNGHE_JWT_KEY_FILE", global = true)]
    pub jwt_key_file: Option<PathBuf>,
    /// Key of the keyed hashes of children's pseudonyms and receipt codes (at
    /// least 32 bytes). It must never change for the life of the data.
    #[arg(long, env = "LANGNGHE_DATA_KEY", hide_env_values = true, global = true)]
    pub data_key: Option<String>,
    /// Seed the demo organisation on an empty database (true/false);
    /// default: true for the embedded SQLite default, false otherwise.
    #[arg(long, env = "LANGNGHE_DEMO", global = true)]
    pub demo: Option<String>,
    /// Take the client address from X-Forwarded-For (only behind a trusted
    /// load balancer).
    #[arg(long, env = "LANGNGHE_TRUST_FORWARDED_FOR", default_value = "false", global = true)]
    pub trust_forwarded_for: String,
    /// Largest JSON body accepted, in bytes.
    #[arg(long, env = "LANGNGHE_MAX_BODY_BYTES", default_value = "65536", global = true)]
    pub max_body_bytes: String,
    /// Database connection pool size.
    #[arg(long, env = "LANGNGHE_DB_MAX_CONNECTIONS", default_value = "10", global = true)]
    pub db_max_connections: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "LANGNGHE_WORKERS", global = true)]
    pub workers: Option<String>,
    /// k: no count about children from 1 to k − 1 is published (3 to 20).
    #[arg(long, env = "LANGNGHE_MIN_CELL", default_value = "5", global = true)]
    pub min_cell: String,
    /// The largest noise the cell key method adds to a published count (D).
    #[arg(long, env = "LANGNGHE_CKM_MAX_NOISE", default_value = "3", global = true)]
    pub ckm_max_noise: String,
    /// The variance of that noise (V).
    #[arg(long, env = "LANGNGHE_CKM_VARIANCE", default_value = "2", global = true)]
    pub ckm_variance: String,
    /// Smallest group whose mean (or mean rank) is published.
    #[arg(long, env = "LANGNGHE_MEAN_MIN", default_value = "10", global = true)]
    pub mean_min: String,
    /// Smallest group whose median and quartiles are published.
    #[arg(long, env = "LANGNGHE_QUANTILE_MIN", default_value = "20", global = true)]
    pub quantile_min: String,
    /// New or withdrawn responses that make a release of a survey's results.
    #[arg(long, env = "LANGNGHE_RELEASE_STEP", default_value = "5", global = true)]
    pub release_step: String,
    /// Children a session admits over its `expected_participants`, in
    /// percent (at least five more).
    #[arg(long, env = "LANGNGHE_JOIN_MARGIN_PERCENT", default_value = "20", global = true)]
    pub join_margin_percent: String,
    /// Children a session admits when it says nothing of how many it expects.
    #[arg(long, env = "LANGNGHE_JOIN_CAP", default_value = "300", global = true)]
    pub join_cap: String,
    /// Children one client address brings to one session.
    #[arg(long, env = "LANGNGHE_JOINS_PER_ADDRESS", default_value = "60", global = true)]
    pub joins_per_address: String,
    /// How often, in milliseconds, the result folder looks for new or
    /// withdrawn responses to fold into the rollups when idle.
    #[arg(long, env = "LANGNGHE_FOLD_INTERVAL_MS", default_value = "1000", global = true)]
    pub fold_interval_ms: String,
    /// Accept plain http:// webhook URLs and hosts on private or local
    /// addresses (development and tests only).
    #[arg(
        long,
        env = "LANGNGHE_WEBHOOK_ALLOW_INSECURE",
        default_value = "false",
        global = true
    )]
    pub webhook_allow_insecure: String,
    /// Milliseconds before the first retry of a failed webhook; each next
    /// retry waits twice as long, up to an hour.
    #[arg(long, env = "LANGNGHE_WEBHOOK_RETRY_BASE_MS", default_value = "30000", global = true)]
    pub webhook_retry_base_ms: String,
    /// Seconds after which a webhook event still failing becomes a dead
    /// letter.
    #[arg(long, env = "LANGNGHE_WEBHOOK_GIVE_UP_SECS", default_value = "86400", global = true)]
    pub webhook_give_up_secs: String,
    /// Seconds between runs of the chaser that reminds agencies of due and
    /// overdue deliveries (0: off).
    #[arg(long, env = "LANGNGHE_CHASE_INTERVAL_SECS", default_value = "3600", global = true)]
    pub chase_interval_secs: String,
    /// Days free-text answers are kept before being purged.
    #[arg(long, env = "LANGNGHE_RETAIN_TEXT_DAYS", default_value = "365", global = true)]
    pub retain_text_days: String,
    /// Days per-response rows are kept (the result figures stay).
    #[arg(long, env = "LANGNGHE_RETAIN_RESPONSES_DAYS", default_value = "1095", global = true)]
    pub retain_responses_days: String,
    /// Days a closed safeguarding case is kept.
    #[arg(
        long,
        env = "LANGNGHE_RETAIN_CLOSED_CASES_DAYS",
        default_value = "1825",
        global = true
    )]
    pub retain_closed_cases_days: String,
    /// Wrong join codes the whole service answers per hour, across every
    /// replica and address; past it, joining pauses until the hour turns.
    #[arg(long, env = "LANGNGHE_JOIN_FAILURES_PER_HOUR", default_value = "1000", global = true)]
    pub join_failures_per_hour: String,
    /// The address people reach the service at (`https://langnghe.example.vn`),
    /// for the absolute links of the Atom feed; without it the links are
    /// relative to the feed.
    #[arg(long, env = "LANGNGHE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The directory agencies' letters (PDF) are kept in.
    #[arg(
        long,
        env = "LANGNGHE_LETTERS_DIR",
        default_value = "langnghe-letters",
        global = true
    )]
    pub letters_dir: PathBuf,
    /// The largest letter an agency may attach, in bytes.
    #[arg(long, env = "LANGNGHE_LETTER_MAX_BYTES", default_value = "5242880", global = true)]
    pub letter_max_bytes: String,
    /// An S3-compatible object store to keep letters in instead of the
    /// directory: its address (`https://s3.example.vn`, path-style).
    #[arg(long, env = "LANGNGHE_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,
    /// The bucket letters go in (created beforehand).
    #[arg(long, env = "LANGNGHE_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,
    #[arg(long, env = "LANGNGHE_S3_REGION", default_value = "us-east-1", global = true)]
    pub s3_region: String,
    #[arg(long, env = "LANGNGHE_S3_ACCESS_KEY_ID", hide_env_values = true, global = true)]
    pub s3_access_key_id: Option<String>,
    #[arg(long, env = "LANGNGHE_S3_SECRET_ACCESS_KEY", hide_env_values = true, global = true)]
    pub s3_secret_access_key: Option<String>,
    /// The bearer token `/metrics` asks of a scraper (at least 32
    /// characters). Without it, `/metrics` answers only a request made on
    /// this machine's loopback address and not forwarded by a proxy.
    #[arg(long, env = "LANGNGHE_METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
    /// Log filter, e.g. `info` or `langnghe=debug`.
    #[arg(long, env = "LANGNGHE_LOG", default_value = "info", global = true)]
    pub log: String,
}

/// Durations in settings (re-exported for tools that build a [`Config`]).
pub use chrono::Duration;

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    /// `DATABASE_URL` was not given: the SQLite file in the working directory.
    pub embedded: bool,
    pub admin_password: Option<String>,
    pub jwt_secrets: JwtSecrets,
    pub data_key: DataKeySource,
    pub demo: bool,
    pub trust_forwarded_for: bool,
    pub max_body_bytes: usize,
    pub db_max_connections: u32,
    pub workers: Option<usize>,
    pub token_ttl: chrono::Duration,
    /// How long a child's respondent token lasts.
    pub respondent_ttl: chrono::Duration,
    pub hash_cost: HashCost,
    /// Disclosure control of results (cell key method, releases).
    pub disclosure: langnghe_domain::disclosure::Policy,
    /// The result folder's pause when nothing waits to be folded.
    pub fold_interval: std::time::Duration,
    /// How many children a session admits.
    pub join_caps: langnghe_domain::consultation::JoinCaps,
    /// How long data is kept.
    pub retention: RetentionPolicy,
    /// How webhooks are sent and retried.
    pub webhooks: WebhookPolicy,
    /// How often the chaser runs; `None`: never.
    pub chase_interval: Option<std::time::Duration>,
    /// The service-wide budget of wrong join codes.
    pub join_budget: langnghe_domain::consultation::JoinFailureBudget,
    /// Where people reach the service (scheme and host, no trailing
    /// slash), for absolute links in the feed.
    pub public_url: Option<String>,
    /// Where agencies' letters are kept, and how large one may be.
    pub letters: LetterPolicy,
    /// The bearer token `/metrics` asks for; `None`: `/metrics` answers
    /// loopback requests that no proxy forwarded, and nothing else.
    pub metrics_token: Option<String>,
    /// The system's clock in production; tests start it where they need.
    pub clock: crate::Clock,
}

/// Where the data key comes from.
#[derive(Debug, Clone)]
pub enum DataKeySource {
    Given(String),
    /// Generated once and kept in this file.
    Generated(PathBuf),
}

/// Where the signing secrets come from.
#[derive(Debug, Clone)]
pub enum JwtSecrets {
    Given(Vec<String>),
    /// Generated once and kept in this file.
    Generated(PathBuf),
}

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

/// `https://host[:port][/path]` (or `http://`), kept without a trailing
/// slash.
fn check_public_url(raw: &str) -> Result<String, ConfigError> {
    let name = "LANGNGHE_PUBLIC_URL (--public-url)";
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad(name, "an http:// or https:// address"))?;
    let host = rest.split('/').next().unwrap_or("");
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '/' | '_' | '~');
    if host.is_empty() || !url.chars().all(plain) {
        return Err(bad(name, "an address with a host and no query, fragment or spaces"));
    }
    Ok(url.to_owned())
}

fn bad(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        reason: reason.into(),
    }
}

pub fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(bad(name, format!("{other:?} is not true or false"))),
    }
}

/// The disclosure-control policy from its settings; the threshold is the
/// smallest cell (`LANGNGHE_MIN_CELL`).
fn disclosure_policy(s: &Settings, threshold: u64) -> Result<langnghe_domain::disclosure::Policy, ConfigError> {
    use langnghe_domain::disclosure::{Params, Policy, PolicyError};
    let whole = |name: &'static str, v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| bad(name, format!("{v:?} is not a whole number")))
    };
    let params = Params {
        threshold,
        max_noise: whole("LANGNGHE_CKM_MAX_NOISE (--ckm-max-noise)", &s.ckm_max_noise)?,
        variance: s
            .ckm_variance
            .trim()
            .parse::<f64>()
            .map_err(|_| bad("LANGNGHE_CKM_VARIANCE (--ckm-variance)", "not a number"))?,
        mean_min: whole("LANGNGHE_MEAN_MIN (--mean-min)", &s.mean_min)?,
        quantile_min: whole("LANGNGHE_QUANTILE_MIN (--quantile-min)", &s.quantile_min)?,
        release_step: whole("LANGNGHE_RELEASE_STEP (--release-step)", &s.release_step)?,
    };
    Policy::new(params).map_err(|e| {
        let name = match e {
            PolicyError::ThresholdBelowThree | PolicyError::ThresholdAboveTwenty => "LANGNGHE_MIN_CELL (--min-cell)",
            PolicyError::NoiseBelowTwo | PolicyError::NoiseNotBelowThreshold => {
                "LANGNGHE_CKM_MAX_NOISE (--ckm-max-noise)"
            }
            PolicyError::VarianceBelowOne | PolicyError::VarianceAboveNoise => "LANGNGHE_CKM_VARIANCE (--ckm-variance)",
            PolicyError::MeanMinBelowTwiceThreshold => "LANGNGHE_MEAN_MIN (--mean-min)",
            PolicyError::QuantileMinBelowMeanMin | PolicyError::QuantileMinBelowFourThresholds => {
                "LANGNGHE_QUANTILE_MIN (--quantile-min)"
            }
            PolicyError::ReleaseStepBelowThreshold => "LANGNGHE_RELEASE_STEP (--release-step)",
        };
        bad(name, e.to_string())
    })
}

impl Config {
    pub fn from_settings(s: &Settings) -> Result<Config, ConfigError> {
        let bind: SocketAddr = s.bind.trim().parse().map_err(|_| {
            bad(
                "LANGNGHE_BIND (--bind)",
                format!("{:?} is not an address like 127.0.0.1:8080", s.bind),
            )
        })?;
        let (database_url, embedded) = match s.database_url.as_deref().map(str::trim) {
            None | Some("") => (format!("sqlite://{DEFAULT_SQLITE_FILE}?mode=rwc"), true),
            Some(url) => {
                if langnghe_storage::Backend::of_url(url).is_none() {
                    return Err(bad(
                        "DATABASE_URL (--database-url)",
                        "must start with postgres://, postgresql:// or sqlite:",
                    ));
                }
                (url.to_owned(), false)
            }
        };
        let admin_password = match &s.admin_password {
            Some(p) => {
                langnghe_domain::account::check_new_password("password", p).map_err(|e| {
                    bad(
                        "LANGNGHE_ADMIN_PASSWORD (--admin-password)",
                        e.0.first().map(|f| f.message.clone()).unwrap_or_default(),
                    )
                })?;
                Some(p.clone())
            }
            None => None,
        };
        let jwt_secrets = if let Some(secret) = s.jwt_secret.as_deref().filter(|v| !v.trim().is_empty()) {
            let secrets: Vec<String> = secret
                .split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect();
            check_secrets("LANGNGHE_JWT_SECRET (--jwt-secret)", &secrets)?;
            JwtSecrets::Given(secrets)
        } else if let Some(path) = &s.jwt_key_file {
            let secrets = read_key_file(path).map_err(|r| bad("LANGNGHE_JWT_KEY_FILE (--jwt-key-file)", r))?;
            check_secrets("LANGNGHE_JWT_KEY_FILE (--jwt-key-file)", &secrets)?;
            JwtSecrets::Given(secrets)
        } else if embedded {
            JwtSecrets::Generated(PathBuf::from(DEFAULT_KEY_FILE))
        } else {
            return Err(bad(
                "LANGNGHE_JWT_SECRET (--jwt-secret)",
                "required with DATABASE_URL (or give LANGNGHE_JWT_KEY_FILE), so that every replica signs alike",
            ));
        };
        let data_key = match s.data_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) if k.len() < 32 => return Err(bad("LANGNGHE_DATA_KEY (--data-key)", "at least 32 bytes")),
            Some(k) => DataKeySource::Given(k.to_owned()),
            None if embedded => DataKeySource::Generated(PathBuf::from(DEFAULT_DATA_KEY_FILE)),
            None => {
                return Err(bad(
                    "LANGNGHE_DATA_KEY (--data-key)",
                    "required with DATABASE_URL: it keys children's pseudonyms and must never change",
                ));
            }
        };
        let demo = match &s.demo {
            Some(v) => parse_bool("LANGNGHE_DEMO (--demo)", v)?,
            None => embedded,
        };
        let trust_forwarded_for = parse_bool(
            "LANGNGHE_TRUST_FORWARDED_FOR (--trust-forwarded-for)",
            &s.trust_forwarded_for,
        )?;
        let max_body_bytes = s
            .max_body_bytes
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1024..=16 * 1024 * 1024).contains(n))
            .ok_or_else(|| {
                bad(
                    "LANGNGHE_MAX_BODY_BYTES (--max-body-bytes)",
                    "a number of bytes from 1024 to 16777216",
                )
            })?;
        let db_max_connections = s
            .db_max_connections
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| {
                bad(
                    "LANGNGHE_DB_MAX_CONNECTIONS (--db-max-connections)",
                    "a number from 1 to 500",
                )
            })?;
        let workers = match &s.workers {
            None => None,
            Some(w) => Some(
                w.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| bad("LANGNGHE_WORKERS (--workers)", "a number from 1 to 256"))?,
            ),
        };
        let min_cell = s
            .min_cell
            .trim()
            .parse::<u64>()
            .map_err(|_| bad("LANGNGHE_MIN_CELL (--min-cell)", "a whole number from 3 to 20"))?;
        let disclosure = disclosure_policy(s, min_cell)?;
        let fold_interval = s
            .fold_interval_ms
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (10..=60_000).contains(n))
            .map(std::time::Duration::from_millis)
            .ok_or_else(|| {
                bad(
                    "LANGNGHE_FOLD_INTERVAL_MS (--fold-interval-ms)",
                    "a number of milliseconds from 10 to 60000",
                )
            })?;
        let count = |name: &'static str, v: &str, range: std::ops::RangeInclusive<u32>| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    bad(
                        name,
                        format!("a whole number from {} to {}", range.start(), range.end()),
                    )
                })
        };
        let join_caps = langnghe_domain::consultation::JoinCaps {
            margin_percent: count(
                "LANGNGHE_JOIN_MARGIN_PERCENT (--join-margin-percent)",
                &s.join_margin_percent,
                0..=200,
            )?,
            without_expected: count("LANGNGHE_JOIN_CAP (--join-cap)", &s.join_cap, 1..=100_000)?,
            per_address: count(
                "LANGNGHE_JOINS_PER_ADDRESS (--joins-per-address)",
                &s.joins_per_address,
                1..=100_000,
            )?,
        };
        let days = |name: &'static str, v: &str| {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (30..=36_500).contains(n))
                .ok_or_else(|| bad(name, "a number of days from 30 to 36500"))
        };
        let retention = RetentionPolicy {
            text_days: days("LANGNGHE_RETAIN_TEXT_DAYS (--retain-text-days)", &s.retain_text_days)?,
            responses_days: days(
                "LANGNGHE_RETAIN_RESPONSES_DAYS (--retain-responses-days)",
                &s.retain_responses_days,
            )?,
            closed_cases_days: days(
                "LANGNGHE_RETAIN_CLOSED_CASES_DAYS (--retain-closed-cases-days)",
                &s.retain_closed_cases_days,
            )?,
        };
        let number = |name: &'static str, v: &str, range: std::ops::RangeInclusive<u64>, what: &'static str| {
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| bad(name, what))
        };
        let webhooks = WebhookPolicy {
            allow_insecure: parse_bool(
                "LANGNGHE_WEBHOOK_ALLOW_INSECURE (--webhook-allow-insecure)",
                &s.webhook_allow_insecure,
            )?,
            retry_base: std::time::Duration::from_millis(number(
                "LANGNGHE_WEBHOOK_RETRY_BASE_MS (--webhook-retry-base-ms)",
                &s.webhook_retry_base_ms,
                10..=3_600_000,
                "a number of milliseconds from 10 to 3600000",
            )?),
            give_up_after: chrono::Duration::seconds(number(
                "LANGNGHE_WEBHOOK_GIVE_UP_SECS (--webhook-give-up-secs)",
                &s.webhook_give_up_secs,
                1..=604_800,
                "a number of seconds from 1 to 604800 (a week)",
            )? as i64),
        };
        let chase_interval = match number(
            "LANGNGHE_CHASE_INTERVAL_SECS (--chase-interval-secs)",
            &s.chase_interval_secs,
            0..=86_400,
            "a number of seconds from 0 (off) to 86400",
        )? {
            0 => None,
            n => Some(std::time::Duration::from_secs(n)),
        };
        let join_budget = langnghe_domain::consultation::JoinFailureBudget::per_hour(
            u32::try_from(number(
                "LANGNGHE_JOIN_FAILURES_PER_HOUR (--join-failures-per-hour)",
                &s.join_failures_per_hour,
                1..=1_000_000,
                "a number of wrong join codes per hour from 1 to 1000000",
            )?)
            .unwrap_or(u32::MAX),
        );
        let public_url = s.public_url.as_deref().map(check_public_url).transpose()?;
        let letters = LetterPolicy {
            s3: s3_config(s)?,
            dir: s.letters_dir.clone(),
            max_bytes: s
                .letter_max_bytes
                .trim()
                .parse()
                .ok()
                .filter(|n| (1024..=50 * 1024 * 1024).contains(n))
                .ok_or_else(|| {
                    bad(
                        "LANGNGHE_LETTER_MAX_BYTES (--letter-max-bytes)",
                        "a number of bytes from 1024 to 52428800",
                    )
                })?,
        };
        let metrics_token = match s.metrics_token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) if t.len() < 32 || !t.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err(bad(
                    "LANGNGHE_METRICS_TOKEN (--metrics-token)",
                    "at least 32 visible ASCII characters (no spaces), e.g. from `openssl rand -hex 32`",
                ));
            }
            Some(t) => Some(t.to_owned()),
        };
        Ok(Config {
            bind,
            database_url,
            embedded,
            admin_password,
            jwt_secrets,
            data_key,
            demo,
            trust_forwarded_for,
            max_body_bytes,
            db_max_connections,
            workers,
            token_ttl: chrono::Duration::minutes(15),
            respondent_ttl: chrono::Duration::hours(2),
            hash_cost: HashCost::Standard,
            disclosure,
            fold_interval,
            join_caps,
            retention,
            webhooks,
            chase_interval,
            join_budget,
            public_url,
            letters,
            metrics_token,
            clock: crate::Clock::system(),
        })
    }

    /// The signing secrets, generating and keeping one for the embedded
    /// default on first use.
    pub fn load_secrets(&self) -> Result<Vec<String>, ConfigError> {
        match &self.jwt_secrets {
            JwtSecrets::Given(s) => Ok(s.clone()),
            JwtSecrets::Generated(path) => {
                if path.exists() {
                    let secrets = read_key_file(path).map_err(|r| bad("LANGNGHE_JWT_KEY_FILE", r))?;
                    check_secrets("the generated key file langnghe.jwt-keys", &secrets)?;
                    return Ok(secrets);
                }
                let secret = crate::credentials::random_secret(48);
                write_private(path, &format!("{secret}\n"))
                    .map_err(|e| bad("LANGNGHE_JWT_KEY_FILE", format!("cannot write {}: {e}", path.display())))?;
                Ok(vec![secret])
            }
        }
    }
}

impl Config {
    /// The data key, generating and keeping one for the embedded default on
    /// first use.
    pub fn load_data_key(&self) -> Result<String, ConfigError> {
        match &self.data_key {
            DataKeySource::Given(k) => Ok(k.clone()),
            DataKeySource::Generated(path) => {
                if path.exists() {
                    let keys = read_key_file(path).map_err(|r| bad("LANGNGHE_DATA_KEY", r))?;
                    return keys
                        .into_iter()
                        .next()
                        .filter(|k| k.len() >= 32)
                        .ok_or_else(|| bad("LANGNGHE_DATA_KEY", format!("{} holds no usable key", path.display())));
                }
                let key = crate::credentials::random_secret(48);
                write_private(path, &format!("{key}\n"))
                    .map_err(|e| bad("LANGNGHE_DATA_KEY", format!("cannot write {}: {e}", path.display())))?;
                Ok(key)
            }
        }
    }
}

fn check_secrets(name: &'static str, secrets: &[String]) -> Result<(), ConfigError> {
    if secrets.is_empty() {
        return Err(bad(name, "no secret given"));
    }
    if secrets.iter().any(|s| s.len() < 32) {
        return Err(bad(name, "each secret must be at least 32 bytes"));
    }
    Ok(())
}

fn read_key_file(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())
}

/// Where agencies' letters (công văn) are kept, and how large one may be.
#[derive(Debug, Clone)]
pub struct LetterPolicy {
    /// The directory, when no object store is configured.
    pub dir: PathBuf,
    pub max_bytes: usize,
    /// An S3-compatible object store, used instead of the directory.
    pub s3: Option<S3Config>,
}

/// An S3-compatible object store, addressed path-style.
#[derive(Clone)]
pub struct S3Config {
    /// `scheme://host[:port]`, no trailing slash.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl S3Config {
    /// The endpoint's `host[:port]`, as the `Host` header carries it.
    pub fn host(&self) -> String {
        let rest = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest).to_owned()
    }
}

/// Never prints the secret.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// The object store the settings name, if any: all of endpoint, bucket and
/// keys, or none.
fn s3_config(s: &Settings) -> Result<Option<S3Config>, ConfigError> {
    let Some(endpoint) = s.s3_endpoint.as_deref().map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let endpoint = endpoint.trim_end_matches('/');
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .ok_or_else(|| bad("LANGNGHE_S3_ENDPOINT (--s3-endpoint)", "an http:// or https:// address"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad(
            "LANGNGHE_S3_ENDPOINT (--s3-endpoint)",
            "scheme, host and port only",
        ));
    }
    let required = |v: &Option<String>, name: &'static str| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(name, "required with LANGNGHE_S3_ENDPOINT"))
    };
    let bucket = required(&s.s3_bucket, "LANGNGHE_S3_BUCKET (--s3-bucket)")?;
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-');
    if !(3..=63).contains(&bucket.len()) || !bucket.chars().all(plain) {
        return Err(bad(
            "LANGNGHE_S3_BUCKET (--s3-bucket)",
            "3 to 63 characters: a-z, digits, '.' and '-'",
        ));
    }
    let region = s.s3_region.trim();
    if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(bad(
            "LANGNGHE_S3_REGION (--s3-region)",
            "a region name such as us-east-1",
        ));
    }
    Ok(Some(S3Config {
        endpoint: endpoint.to_owned(),
        bucket,
        region: region.to_owned(),
        access_key_id: required(&s.s3_access_key_id, "LANGNGHE_S3_ACCESS_KEY_ID (--s3-access-key-id)")?,
        secret_access_key: required(
            &s.s3_secret_access_key,
            "LANGNGHE_S3_SECRET_ACCESS_KEY (--s3-secret-access-key)",
        )?,
    }))
}

/// How webhooks are sent and retried.
#[derive(Debug, Clone, Copy)]
pub struct WebhookPolicy {
    /// Plain `http://` URLs and hosts on private or local addresses are
    /// accepted (development and tests only).
    pub allow_insecure: bool,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub retry_base: std::time::Duration,
    /// Retries stop, and the event becomes a dead letter, this long after
    /// it was queued.
    pub give_up_after: chrono::Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy {
            allow_insecure: false,
            retry_base: std::time::Duration::from_secs(30),
            give_up_after: chrono::Duration::hours(24),
        }
    }
}

/// How long each kind of data is kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Free-text answers.
    pub text_days: i64,
    /// Per-response rows.
    pub responses_days: i64,
    /// Safeguarding cases, counted from their closing.
    pub closed_cases_days: i64,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            text_days: 365,
            responses_days: 3 * 365,
            closed_cases_days: 5 * 365,
        }
    }
}
