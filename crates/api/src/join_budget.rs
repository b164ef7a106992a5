//! The service-wide budget of wrong join codes. Guessing is slowed per
//! network (an IPv4 address, an IPv6 /64), but an attacker rotating through
//! addresses is not; the budget bounds the guesses the whole service
//! answers per hour, however many addresses ask, so that the chance of
//! hitting a code stays what the README works out. When it is spent,
//! joining pauses for everyone until the hour turns (children already in a
//! session keep answering), admins are alerted once (a `warn` log line and
//! a `join.budget_spent` audit event), and `/metrics` shows it.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use langnghe_domain::consultation::JoinFailureBudget;
use langnghe_storage::{Db, join_budget};

use crate::error::ApiError;
use crate::metrics::Metrics;

pub struct JoinBudget {
    policy: JoinFailureBudget,
    /// The end of the window this replica knows to be spent.
    paused_until: Mutex<Option<DateTime<Utc>>>,
}

/// Joining is paused for this many more seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paused(pub u64);

/// One unit of the budget, held while a code is looked up.
#[must_use]
pub struct Reserved {
    window_start: DateTime<Utc>,
}

impl JoinBudget {
    pub fn new(policy: JoinFailureBudget) -> JoinBudget {
        JoinBudget {
            policy,
            paused_until: Mutex::new(None),
        }
    }

    fn paused(&self, now: DateTime<Utc>) -> Paused {
        let end = self.policy.window_end(now);
        Paused(((end - now).num_milliseconds().max(0) as u64).div_ceil(1000))
    }

    /// Refuses at once, without asking the database, while this replica
    /// knows the window's budget is spent.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Paused> {
        let until = self.paused_until.lock().ok().and_then(|u| *u);
        match until {
            Some(until) if now < until => Err(self.paused(now)),
            _ => Ok(()),
        }
    }

    /// Reserves one unit before a code is looked up; `Ok(Err(Paused))`
    /// when the budget of the window is spent (the first replica to find
    /// out alerts the admins).
    pub async fn reserve(
        &self,
        db: &Db,
        metrics: &Metrics,
        now: DateTime<Utc>,
    ) -> Result<Result<Reserved, Paused>, ApiError> {
        let window_start = self.policy.window_start(now);
        let limit = self.policy.per_window;
        match join_budget::reserve(db, window_start, limit).await? {
            Some(used) => {
                metrics.join_budget(u64::from(used), u64::from(limit));
                Ok(Ok(Reserved { window_start }))
            }
            None => {
                metrics.join_budget(u64::from(limit), u64::from(limit));
                let until = self.policy.window_end(now);
                if let Ok(mut paused) = self.paused_until.lock() {
                    *paused = Some(until);
                }
                if join_budget::mark_spent(db, window_start, limit, now).await? {
                    tracing::warn!(
                        limit,
                        window_start = %window_start,
                        resumes_at = %until,
                        "the budget of wrong join codes is spent: joining is paused for everyone until the hour turns \
                         (someone may be guessing codes; see join.budget_spent in the audit log)"
                    );
                }
                Ok(Err(self.paused(now)))
            }
        }
    }

    /// The code was right: the unit goes back to the budget.
    pub async fn right_code(&self, db: &Db, reserved: Reserved) -> Result<(), ApiError> {
        join_budget::give_back(db, reserved.window_start).await?;
        Ok(())
    }

    /// The code was wrong: the unit stays spent.
    pub fn wrong_code(&self, metrics: &Metrics, _reserved: Reserved) {
        metrics.join_failed();
    }
}
