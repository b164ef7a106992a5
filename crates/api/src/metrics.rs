//! Prometheus metrics: request counts and latency histograms by method,
//! route pattern (never the raw path, so ids do not explode the series) and
//! status; wrong join codes and the budget they spend; whether this replica
//! hears other replicas' closes; stored rows skipped as unreadable. Also logs one line per request, without
//! bodies or query strings.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    join_failures: AtomicU64,
    joins_paused: AtomicU64,
    join_budget_used: AtomicU64,
    join_budget_limit: AtomicU64,
    notices_heard: AtomicU64,
    listening: AtomicBool,
}

impl Metrics {
    /// A join with a code no session has.
    pub fn join_failed(&self) {
        self.join_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// A join refused because the budget of wrong codes is spent.
    pub fn join_paused(&self) {
        self.joins_paused.fetch_add(1, Ordering::Relaxed);
    }

    /// The budget of wrong codes as this replica last saw it.
    pub fn join_budget(&self, used: u64, limit: u64) {
        self.join_budget_used.store(used, Ordering::Relaxed);
        self.join_budget_limit.store(limit, Ordering::Relaxed);
    }

    /// A notice from another replica (or this one) was heard.
    pub fn notice_heard(&self) {
        self.notices_heard.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Relaxed);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.series.lock() else { return };
        let s = map.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(map) = self.series.lock() else { return out };
        out.push_str("# HELP langnghe_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE langnghe_http_requests_total counter\n");
        for ((m, r, st), s) in map.iter() {
            let _ = writeln!(
                out,
                "langnghe_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{st}\"}} {}",
                escape(r),
                s.count
            );
        }
        out.push_str("# HELP langnghe_http_request_duration_seconds Time to answer, by method, route and status.\n");
        out.push_str("# TYPE langnghe_http_request_duration_seconds histogram\n");
        for ((m, r, st), s) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{}\",status=\"{st}\"", escape(r));
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "langnghe_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "langnghe_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(out, "langnghe_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(
                out,
                "langnghe_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let lines: [(&str, &str, &str, u64); 6] = [
            (
                "langnghe_join_failures_total",
                "counter",
                "Joins with a code no session has, on this replica.",
                self.join_failures.load(Ordering::Relaxed),
            ),
            (
                "langnghe_joins_paused_total",
                "counter",
                "Joins refused because the budget of wrong join codes of the hour was spent, on this replica.",
                self.joins_paused.load(Ordering::Relaxed),
            ),
            (
                "langnghe_join_budget_used",
                "gauge",
                "Wrong join codes counted against this hour's budget, across every replica, as last seen here.",
                self.join_budget_used.load(Ordering::Relaxed),
            ),
            (
                "langnghe_join_budget_limit",
                "gauge",
                "The budget of wrong join codes per hour, across every replica.",
                self.join_budget_limit.load(Ordering::Relaxed),
            ),
            (
                "langnghe_replica_notices_total",
                "counter",
                "Closes announced by any replica and heard by this one (PostgreSQL).",
                self.notices_heard.load(Ordering::Relaxed),
            ),
            (
                "langnghe_replica_listening",
                "gauge",
                "1 while this replica hears other replicas' closes (PostgreSQL), else 0.",
                u64::from(self.listening.load(Ordering::Relaxed)),
            ),
        ];
        for (name, kind, help, value) in lines {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out.push_str(
            "# HELP langnghe_unreadable_rows_total Stored rows skipped because they could not be read, by kind, in this process.\n\
             # TYPE langnghe_unreadable_rows_total counter\n",
        );
        for (kind, n) in langnghe_storage::formats::unreadable_counts() {
            let _ = writeln!(out, "langnghe_unreadable_rows_total{{kind=\"{}\"}} {n}", kind.as_str());
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
