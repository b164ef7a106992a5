//! Prometheus metrics, kept and written by `prometheus-client`: requests
//! by method, route pattern (never the raw path, so ids do not explode the
//! series) and status; wrong join codes and their budget; throttling
//! refusals; screening outcomes; the result folder; whether this replica
//! hears other replicas' closes; stored rows skipped as unreadable; and, read
//! at scrape time, the webhook outbox, the fold queue, the connection pool
//! (with its timed-out waits) and the process (from `/proc` on Linux). Also logs one line per request,
//! without bodies or query strings.

use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use chrono::{DateTime, Utc};
use langnghe_domain::screen::Outcome;
use langnghe_storage::{Db, PoolStats, outbox, rollup};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::{Registry, Unit};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The longest a scrape waits for the database: past it, the database's
/// gauges are left out and `langnghe_database_up` says 0.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// The content type of the OpenMetrics text, for scrapers that ask for it.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The content type of the Prometheus text (0.0.4), for everyone else.
pub const PROMETHEUS_TEXT: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

/// What a throttle refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// A sign-in, after too many wrong passwords for the account at the
    /// address or from the address.
    SignIn,
    /// A join, after too many wrong codes from the network.
    JoinNetwork,
    /// A join, the service-wide budget of wrong codes being spent.
    JoinBudget,
}

impl Throttled {
    const ALL: [Throttled; 3] = [Throttled::SignIn, Throttled::JoinNetwork, Throttled::JoinBudget];

    fn as_str(self) -> &'static str {
        match self {
            Throttled::SignIn => "sign_in",
            Throttled::JoinNetwork => "join_network",
            Throttled::JoinBudget => "join_budget",
        }
    }
}

/// The tier a child's text was screened into: `none` (stored, redacted),
/// `possible` (kept for a safeguarding officer's review) or `clear` (a
/// safeguarding case).
fn tier(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("none", Outcome::as_str)
}

/// Texts screened, in this process: screening is a plain function called
/// wherever a child's words come in, so its count is the process's.
static SCREENED: LazyLock<Family<OutcomeLabel, Counter>> = LazyLock::new(|| {
    let family = Family::<OutcomeLabel, Counter>::default();
    for outcome in [None, Some(Outcome::Possible), Some(Outcome::Clear)] {
        drop(family.get_or_create(&OutcomeLabel { outcome: tier(outcome) }));
    }
    family
});

/// A child's text (an issue's title and body together, or a free-text
/// answer) was screened into `outcome`'s tier.
pub fn screened(outcome: Option<Outcome>) {
    SCREENED.get_or_create(&OutcomeLabel { outcome: tier(outcome) }).inc();
}

/// The metrics of one running service.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram>,
    join_failures: Counter,
    joins_paused: Counter,
    join_budget_used: Gauge,
    join_budget_limit: Gauge,
    notices_heard: Counter,
    listening: Gauge,
    throttled: Family<KindLabel, Counter>,
    folded: Counter,
    fold_passes: Counter,
    last_fold_pass: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let m = Metrics {
            registry: Registry::default(),
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor((|| Histogram::new(BUCKETS)) as fn() -> Histogram),
            join_failures: Counter::default(),
            joins_paused: Counter::default(),
            join_budget_used: Gauge::default(),
            join_budget_limit: Gauge::default(),
            notices_heard: Counter::default(),
            listening: Gauge::default(),
            throttled: Family::default(),
            folded: Counter::default(),
            fold_passes: Counter::default(),
            last_fold_pass: Gauge::default(),
        };
        for kind in Throttled::ALL {
            drop(m.throttled.get_or_create(&KindLabel { kind: kind.as_str() }));
        }
        let mut r = Registry::default();
        r.register(
            "langnghe_http_requests",
            "HTTP requests by method, route and status",
            m.http_requests.clone(),
        );
        // Named with its unit rather than declaring it: some OpenMetrics
        // parsers (the tests' among them) refuse a unit on a histogram.
        r.register(
            "langnghe_http_request_duration_seconds",
            "Time to answer, by method, route and status",
            m.http_duration.clone(),
        );
        r.register(
            "langnghe_join_failures",
            "Joins with a code no session has, on this replica",
            m.join_failures.clone(),
        );
        r.register(
            "langnghe_joins_paused",
            "Joins refused because the budget of wrong join codes of the hour was spent, on this replica",
            m.joins_paused.clone(),
        );
        r.register(
            "langnghe_join_budget_used",
            "Wrong join codes counted against this hour's budget, across every replica, as last seen here",
            m.join_budget_used.clone(),
        );
        r.register(
            "langnghe_join_budget_limit",
            "The budget of wrong join codes per hour, across every replica",
            m.join_budget_limit.clone(),
        );
        r.register(
            "langnghe_replica_notices",
            "Closes announced by any replica and heard by this one (PostgreSQL)",
            m.notices_heard.clone(),
        );
        r.register(
            "langnghe_replica_listening",
            "1 while this replica hears other replicas' closes (PostgreSQL), else 0",
            m.listening.clone(),
        );
        r.register(
            "langnghe_throttled",
            "Requests refused by a throttle, by kind (sign_in, join_network, join_budget), on this replica",
            m.throttled.clone(),
        );
        r.register(
            "langnghe_screened_texts",
            "Children's texts screened, by outcome tier (none, possible, clear), in this process",
            SCREENED.clone(),
        );
        r.register(
            "langnghe_folded_responses",
            "Responses folded into released results by this replica's folder",
            m.folded.clone(),
        );
        r.register(
            "langnghe_fold_passes",
            "Passes of this replica's result folder that ended without an error",
            m.fold_passes.clone(),
        );
        r.register_with_unit(
            "langnghe_fold_last_pass_timestamp",
            "When this replica's result folder last ended a pass without an error (Unix time)",
            Unit::Seconds,
            m.last_fold_pass.clone(),
        );
        Metrics { registry: r, ..m }
    }

    /// A join with a code no session has.
    pub fn join_failed(&self) {
        self.join_failures.inc();
    }

    /// A join refused because the budget of wrong codes is spent.
    pub fn join_paused(&self) {
        self.joins_paused.inc();
        self.throttled(Throttled::JoinBudget);
    }

    /// The budget of wrong codes as this replica last saw it.
    pub fn join_budget(&self, used: u64, limit: u64) {
        self.join_budget_used.set(i64::try_from(used).unwrap_or(i64::MAX));
        self.join_budget_limit.set(i64::try_from(limit).unwrap_or(i64::MAX));
    }

    /// A notice from another replica (or this one) was heard.
    pub fn notice_heard(&self) {
        self.notices_heard.inc();
    }

    pub fn set_listening(&self, listening: bool) {
        self.listening.set(i64::from(listening));
    }

    /// A request refused by a throttle.
    pub fn throttled(&self, kind: Throttled) {
        self.throttled.get_or_create(&KindLabel { kind: kind.as_str() }).inc();
    }

    /// The result folder ended a pass at `now`, having folded `responses`.
    pub fn folded(&self, responses: usize, now: DateTime<Utc>) {
        self.folded.inc_by(u64::try_from(responses).unwrap_or(u64::MAX));
        self.fold_passes.inc();
        self.last_fold_pass.set(seconds(now));
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = HttpLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration.get_or_create(&labels).observe(seconds);
    }

    /// Everything, the database's gauges read now (each in one bounded
    /// statement, all within [`DATABASE_WAIT`]); in the OpenMetrics text
    /// when `openmetrics`, else in the Prometheus text (0.0.4). Never fails
    /// for the database: what it could not read is left out.
    pub async fn scrape(&self, db: &Db, now: DateTime<Utc>, openmetrics: bool) -> String {
        // The pool as the requests see it, before this scrape takes
        // connections of its own.
        let pool = langnghe_storage::pool_stats(db);
        let read = tokio::time::timeout(DATABASE_WAIT, async {
            let (outbox, fold) = tokio::join!(outbox::backlog(db), rollup::backlog(db));
            match (outbox, fold) {
                (Ok(o), Ok(f)) => Some((o, f)),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(cause = %e, "metrics: the database could not be read");
                    None
                }
            }
        })
        .await
        .unwrap_or_else(|_| {
            tracing::warn!("metrics: the database did not answer in time");
            None
        });
        let mut scraped = Registry::default();
        scraped.register_collector(Box::new(Scraped {
            now,
            database: read,
            pool,
            acquire_timeouts: langnghe_storage::acquire_timeouts(),
            unreadable: langnghe_storage::formats::unreadable_counts()
                .into_iter()
                .map(|(kind, n)| (kind.as_str(), n))
                .collect(),
            process: Process::read(),
        }));
        let mut out = String::new();
        let written = if openmetrics {
            use prometheus_client::encoding::text;
            text::encode_registry(&mut out, &self.registry)
                .and_then(|()| text::encode_registry(&mut out, &scraped))
                .and_then(|()| text::encode_eof(&mut out))
        } else {
            use prometheus_client::encoding::prometheus_text::encode;
            encode(&mut out, &self.registry).and_then(|()| encode(&mut out, &scraped))
        };
        if let Err(e) = written {
            tracing::warn!(cause = %e, "metrics: could not be written");
        }
        out
    }
}

fn seconds(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

/// What a scrape reads at the moment it is made.
#[derive(Debug)]
struct Scraped {
    now: DateTime<Utc>,
    database: Option<(outbox::Backlog, rollup::Backlog)>,
    pool: Option<PoolStats>,
    acquire_timeouts: u64,
    unreadable: Vec<(&'static str, u64)>,
    process: Option<Process>,
}

/// Writes one metric without labels.
fn one(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    metric: &(impl EncodeMetric + TypedMetric),
) -> Result<(), std::fmt::Error> {
    metric.encode(encoder.encode_descriptor(name, help, unit, metric.metric_type())?)
}

fn gauge(n: impl TryInto<i64>) -> ConstGauge {
    ConstGauge::new(n.try_into().unwrap_or(i64::MAX))
}

impl Collector for Scraped {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let e = &mut encoder;
        let mut unreadable = e.encode_descriptor(
            "langnghe_unreadable_rows",
            "Stored rows skipped because they could not be read, by kind, in this process.",
            None,
            MetricType::Counter,
        )?;
        for (kind, n) in &self.unreadable {
            ConstCounter::new(*n).encode(unreadable.encode_family(&[("kind", *kind)])?)?;
        }

        one(
            e,
            "langnghe_database_up",
            "1 when this scrape read the database's gauges (outbox, fold queue), else 0 and they are left out.",
            None,
            &gauge(i64::from(self.database.is_some())),
        )?;
        if let Some((outbox, fold)) = &self.database {
            one(
                e,
                "langnghe_webhook_queued",
                "Webhook events waiting to be sent (counted up to 100000).",
                None,
                &gauge(outbox.queued),
            )?;
            let age = outbox
                .oldest_queued_at
                .map_or(0.0, |at| ((self.now - at).num_milliseconds().max(0)) as f64 / 1000.0);
            one(
                e,
                "langnghe_webhook_oldest_queued_age",
                "How long the oldest waiting webhook event has waited; 0 when none waits.",
                Some(&Unit::Seconds),
                &ConstGauge::new(age),
            )?;
            one(
                e,
                "langnghe_webhook_dead_letters",
                "Webhook events given up on, waiting for an admin to replay them (counted up to 100000).",
                None,
                &gauge(outbox.dead),
            )?;
            one(
                e,
                "langnghe_fold_queue_changes",
                "Responses taken in or withdrawn that wait to be folded into results, all surveys (counted up to 100000).",
                None,
                &gauge(fold.waiting),
            )?;
            if let Some(at) = fold.last_release_at {
                one(
                    e,
                    "langnghe_fold_last_release_timestamp",
                    "When any replica's folder last released a survey's results (Unix time).",
                    Some(&Unit::Seconds),
                    &ConstGauge::new(seconds(at)),
                )?;
            }
        }

        if let Some(pool) = &self.pool {
            one(
                e,
                "langnghe_db_pool_connections_in_use",
                "Database connections lent out to a query or a transaction.",
                None,
                &gauge(pool.in_use()),
            )?;
            one(
                e,
                "langnghe_db_pool_connections_idle",
                "Database connections open and idle.",
                None,
                &gauge(pool.idle),
            )?;
            one(
                e,
                "langnghe_db_pool_connections_max",
                "The most database connections the pool opens; requests wait for one while all are in use.",
                None,
                &gauge(pool.max),
            )?;
            // sqlx does not count the requests waiting for a connection:
            // what can be known is whether one would wait now, and how many
            // waits ran out of time.
            one(
                e,
                "langnghe_db_pool_saturated",
                "1 when every connection the pool may open is in use (a query now waits for one), else 0.",
                None,
                &gauge(i64::from(pool.saturated())),
            )?;
        }
        one(
            e,
            "langnghe_db_pool_acquire_timeouts",
            "Waits for a database connection that ran out of time (answered 503, or a job's pass failed), in this process.",
            None,
            &ConstCounter::new(self.acquire_timeouts),
        )?;

        if let Some(p) = &self.process {
            p.encode(e)?;
        }
        Ok(())
    }
}

/// The process as Linux's `/proc` tells it, in the names every Prometheus
/// client library uses.
#[derive(Debug, Clone, PartialEq)]
struct Process {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    open_fds: u64,
    max_fds: Option<u64>,
    start_time: f64,
}

/// `/proc/<pid>/stat` counts CPU time in clock ticks of `USER_HZ`, which
/// Linux fixes at 100 for user space.
const TICKS_PER_SECOND: f64 = 100.0;

impl Process {
    fn read() -> Option<Process> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let boot = std::fs::read_to_string("/proc/stat").ok()?;
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        Process::parse(&stat, &status, &boot, &limits, open_fds)
    }

    fn parse(stat: &str, status: &str, boot: &str, limits: &str, open_fds: u64) -> Option<Process> {
        // After the command name, which may hold spaces and parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // Field n of proc(5) is fields[n - 3].
        let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        let kib = |key: &str| {
            let line = status.lines().find(|l| l.starts_with(key))?;
            line[key.len()..].split_whitespace().next()?.parse::<u64>().ok()
        };
        let booted: u64 = boot
            .lines()
            .find_map(|l| l.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        let max_fds = limits
            .lines()
            .find_map(|l| l.strip_prefix("Max open files"))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok());
        Some(Process {
            cpu_seconds: (field(14)? + field(15)?) as f64 / TICKS_PER_SECOND,
            resident_bytes: kib("VmRSS:")? * 1024,
            virtual_bytes: field(23)?,
            open_fds,
            max_fds,
            start_time: booted as f64 + field(22)? as f64 / TICKS_PER_SECOND,
        })
    }

    fn encode(&self, e: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        one(
            e,
            "process_cpu",
            "Total user and system CPU time spent.",
            Some(&Unit::Seconds),
            &ConstCounter::new(self.cpu_seconds),
        )?;
        // Sizes and counts; the most descriptors only where the kernel says.
        let gauges = [
            (
                "process_resident_memory",
                "Resident memory size.",
                Some(&Unit::Bytes),
                Some(self.resident_bytes),
            ),
            (
                "process_virtual_memory",
                "Virtual memory size.",
                Some(&Unit::Bytes),
                Some(self.virtual_bytes),
            ),
            ("process_open_fds", "Open file descriptors.", None, Some(self.open_fds)),
            (
                "process_max_fds",
                "The most file descriptors the process may open.",
                None,
                self.max_fds,
            ),
        ];
        for (name, help, unit, value) in gauges {
            if let Some(value) = value {
                one(e, name, help, unit, &gauge(value))?;
            }
        }
        one(
            e,
            "process_start_time",
            "When the process started (Unix time).",
            Some(&Unit::Seconds),
            &ConstGauge::new(self.start_time),
        )
    }
}
