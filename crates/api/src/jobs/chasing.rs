//! Chasing (đôn đốc): once a day or more, every delivery still awaiting an
//! answer is checked against its schedule — a reminder three working days
//! before the due date, one on it, then one every five working days — and
//! after three reminders past due the admins are alerted (the delivery is
//! marked escalated). The day is a parameter, so tests drive the clock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use langnghe_domain::calendar::Holidays;
use langnghe_domain::recommendation::{self as rules};
use langnghe_storage::recommendations::{self as store, ReminderStep};
use langnghe_storage::{Db, StoreError, calendar};
use serde::Serialize;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChaseReport {
    pub reminders: u32,
    pub escalations: u32,
}

/// Sends the reminders due on the local day of `now`. Running it twice on
/// one day, or on two replicas at once, sends each reminder once.
pub async fn chase(db: &Db, now: DateTime<Utc>) -> Result<ChaseReport, StoreError> {
    let today = crate::local_day(now);
    let cal = Holidays::new(calendar::list(db, None).await?.into_iter().map(|(d, _)| d));
    let mut report = ChaseReport::default();
    for d in store::awaiting(db).await? {
        let last = d.last_reminder_step.map(|s| s.max(0) as u32);
        let Some(r) = rules::reminder_due(d.due_on, last, today, &cal) else {
            continue;
        };
        let step = ReminderStep {
            step: r.step,
            kind: r.kind(),
            on: r.on,
            escalates: false,
            days_overdue: if today > d.due_on {
                cal.working_days_between(d.due_on, today).max(1)
            } else {
                0
            },
        };
        if let Some(escalated) = store::record_reminder(db, d.id, step, now).await? {
            report.reminders += 1;
            if escalated {
                report.escalations += 1;
            }
        }
    }
    Ok(report)
}

/// Runs the chaser every `interval` (first a minute after start).
pub fn spawn_chaser(db: Db, interval: Duration, clock: crate::Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60).min(interval)).await;
        loop {
            match chase(&db, clock.now()).await {
                Ok(r) if r != ChaseReport::default() => {
                    tracing::info!(
                        reminders = r.reminders,
                        escalations = r.escalations,
                        "chased deliveries"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(cause = %e, "chasing failed"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}
