//! The service's clock: the one place the time of day is read.
//!
//! Everything that depends on "now" (a session's window, a due date in
//! working days, the current plan year, a token's expiry, the time stamped
//! on a stored row) asks the application's [`Clock`], never the system.
//! In production the clock is the system's. Tests start it at a day they
//! choose, so that no outcome depends on the hour, day or month a test
//! runs, and move it forward to see what happens later.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// The deployment's offset from UTC. Vietnam keeps UTC+7 all year.
pub const LOCAL_OFFSET_HOURS: i64 = 7;

/// The time, as the system tells it shifted by an offset that is zero in
/// production. Clones share the offset: moving one moves them all.
#[derive(Debug, Clone)]
pub struct Clock {
    /// Microseconds added to the system's time.
    offset_us: Arc<AtomicI64>,
    /// When frozen (tests that count what happens at one instant), the
    /// instant it reads, in microseconds since the epoch; else `NOT_FROZEN`.
    frozen_us: Arc<AtomicI64>,
}

const NOT_FROZEN: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_us: Arc::default(),
            frozen_us: Arc::new(AtomicI64::new(NOT_FROZEN)),
        }
    }
}

impl Clock {
    /// The system's time.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs at the system's pace from
    /// there (rows stamped one after the other keep their order).
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        let clock = Clock::default();
        clock.set(start);
        clock
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        match self.frozen_us.load(Ordering::Relaxed) {
            NOT_FROZEN => Utc::now() + Duration::microseconds(self.offset_us.load(Ordering::Relaxed)),
            frozen => DateTime::from_timestamp_micros(frozen).unwrap_or_default(),
        }
    }

    /// Stops the clock where it is: it reads the same instant until set or
    /// moved (tests that count what happens at one instant, such as
    /// concurrent sign-ins against a throttle).
    pub fn freeze(&self) {
        self.frozen_us.store(self.now().timestamp_micros(), Ordering::Relaxed);
    }

    /// The local day it is now where the service is deployed.
    pub fn local_date(&self) -> NaiveDate {
        local_day(self.now())
    }

    /// Makes the clock read `at` now.
    pub fn set(&self, at: DateTime<Utc>) {
        if self.frozen_us.load(Ordering::Relaxed) != NOT_FROZEN {
            self.frozen_us.store(at.timestamp_micros(), Ordering::Relaxed);
            return;
        }
        let offset = (at - Utc::now()).num_microseconds().unwrap_or(0);
        self.offset_us.store(offset, Ordering::Relaxed);
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let by = by.num_microseconds().unwrap_or(0);
        if self.frozen_us.load(Ordering::Relaxed) != NOT_FROZEN {
            self.frozen_us.fetch_add(by, Ordering::Relaxed);
            return;
        }
        self.offset_us.fetch_add(by, Ordering::Relaxed);
    }
}

/// The local day an instant falls on.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(LOCAL_OFFSET_HOURS)).date_naive()
}

/// The instant a local day begins (local midnight).
pub fn local_day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc() - Duration::hours(LOCAL_OFFSET_HOURS)
}
