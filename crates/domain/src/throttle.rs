//! Slowing down password guessing: after a few failures for one key (an
//! account at one client address, or a client address) each further
//! attempt must wait longer, and past a limit the key is locked for a while.
//! An attempt is counted before the password is checked (a reservation), and
//! given back when the password was right.

use chrono::{DateTime, Duration, Utc};

/// Failures recorded for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRecord {
    pub failures: u32,
    pub last_failure_at: DateTime<Utc>,
}

/// How hard to slow guessing down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed with no wait at all.
    pub free_failures: u32,
    /// Wait after the first failure past the free ones; it doubles with
    /// each further failure.
    pub base_delay: Duration,
    /// Longest wait; reached after enough failures, it is the lock-out.
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

impl ThrottlePolicy {
    /// For one account from one client address: 3 free tries, then 1 s,
    /// 2 s, 4 s … up to 15 minutes. Keyed by the pair, so that guesses from
    /// one address never lock the owner out at another.
    pub const ACCOUNT_AT_ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free_failures: 3,
        base_delay: Duration::seconds(1),
        max_delay: Duration::minutes(15),
        window: Duration::hours(1),
    };

    /// For one client address, which may serve a whole school's staff room:
    /// the budget against one address trying many accounts.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free_failures: 20,
        base_delay: Duration::seconds(1),
        max_delay: Duration::minutes(15),
        window: Duration::hours(1),
    };

    /// The longest window of any policy: a record older than this counts
    /// for nothing, and is purged.
    pub const LONGEST_WINDOW: Duration = Duration::hours(1);

    /// The wait imposed after `failures` failures.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures <= self.free_failures {
            return Duration::zero();
        }
        let doublings = (failures - self.free_failures - 1).min(30);
        let delay = self.base_delay * (1_i32 << doublings.min(20));
        delay.min(self.max_delay)
    }

    /// Whether an attempt at `now` may go ahead; `Err(wait)` says how long
    /// the caller must wait first.
    pub fn check(&self, record: Option<FailureRecord>, now: DateTime<Utc>) -> Result<(), Duration> {
        let Some(record) = record else { return Ok(()) };
        if now - record.last_failure_at > self.window {
            return Ok(());
        }
        let ready_at = record.last_failure_at + self.delay_after(record.failures);
        if now < ready_at { Err(ready_at - now) } else { Ok(()) }
    }

    /// The record after one more failure at `now` (storage applies the
    /// same rule atomically in the database).
    pub fn record_failure(&self, record: Option<FailureRecord>, now: DateTime<Utc>) -> FailureRecord {
        let failures = match record {
            Some(r) if now - r.last_failure_at <= self.window => r.failures.saturating_add(1),
            _ => 1,
        };
        FailureRecord {
            failures,
            last_failure_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn free_failures_then_doubling_then_cap() {
        let p = ThrottlePolicy::ACCOUNT_AT_ADDRESS;
        let delays: Vec<i64> = (0..8).map(|n| p.delay_after(n).num_seconds()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(p.delay_after(40), Duration::minutes(15));
    }

    #[test]
    fn check_refuses_until_the_wait_is_over() {
        let p = ThrottlePolicy::ACCOUNT_AT_ADDRESS;
        let mut rec = None;
        for i in 0..4 {
            assert_eq!(p.check(rec, at(i)), Ok(()));
            rec = Some(p.record_failure(rec, at(i)));
        }
        assert_eq!(p.check(rec, at(3)), Err(Duration::seconds(1)));
        assert_eq!(p.check(rec, at(4)), Ok(()));
        rec = Some(p.record_failure(rec, at(4)));
        assert_eq!(p.check(rec, at(5)), Err(Duration::seconds(1)));
        // An hour of quiet forgets everything.
        assert_eq!(p.check(rec, at(4 + 3601)), Ok(()));
        assert_eq!(p.record_failure(rec, at(4 + 3601)).failures, 1);
    }

    #[test]
    fn no_policy_outlives_the_longest_window() {
        for p in [ThrottlePolicy::ACCOUNT_AT_ADDRESS, ThrottlePolicy::ADDRESS] {
            assert!(p.window <= ThrottlePolicy::LONGEST_WINDOW);
        }
    }
}
