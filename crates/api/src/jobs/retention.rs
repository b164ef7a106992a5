//! Retention: what is purged after how long, run daily in the background
//! and by `langnghe purge`. Free text goes after `text_days`: answers', and
//! the words of issues never taken up (accepted ones, every published one
//! among them, are the consultation's record and stay). The result cells are never purged: figures stay
//! when the rows behind them go. A row that cannot be read is reported and
//! skipped (tried again the next day), never emptied on a guess.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use langnghe_domain::survey::SurveyDefinition;
use langnghe_storage::formats::{self, FormatError, answers as stored_answers};
use langnghe_storage::{Db, StoreError, retention as store, surveys};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::config::RetentionPolicy as Policy;

/// What stands in for purged free text. It is still a text answer, so the
/// result cells (which count text answers) and a later withdrawal agree.
pub const PURGED: &str = "[đã xoá theo thời hạn lưu trữ]";

/// What a purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub texts_purged: u64,
    /// Issues never taken up whose words (or, withdrawn, whose link to the
    /// child) were purged.
    pub issue_texts_purged: u64,
    pub responses_deleted: u64,
    pub cases_deleted: u64,
    /// Webhook events delivered more than [`DELIVERED_EVENTS_DAYS`] ago.
    pub webhook_events_deleted: u64,
    /// Request hashes (what lets a retry be recognised) older than
    /// [`IDEMPOTENCY_DAYS`].
    pub request_hashes_expired: u64,
}

/// How long a submission's retry is recognised as the same submission: a
/// phone offline over a long weekend still sends its answers once. After
/// it, the keyed hash of what was sent is cleared.
pub const IDEMPOTENCY_DAYS: i64 = 7;

/// Days a delivered webhook event is kept (for admins looking into an
/// agency's "we never got it"); dead letters stay until replayed.
pub const DELIVERED_EVENTS_DAYS: i64 = 30;

/// The answers with every text answer replaced by [`PURGED`].
pub fn purge_text(def: &SurveyDefinition, answers: &str) -> Result<String, FormatError> {
    stored_answers::replace_texts(def, answers, PURGED)
}

/// Purges everything past its period as of `now`.
pub async fn purge(db: &Db, policy: Policy, now: DateTime<Utc>) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let text_cutoff = now - chrono::Duration::days(policy.text_days);
    // A definition that cannot be read is `None`: its responses are skipped.
    let mut defs: HashMap<(Uuid, i32), Option<SurveyDefinition>> = HashMap::new();
    let mut after = None;
    loop {
        let due = store::texts_due(db, text_cutoff, after, 1000).await?;
        let Some(last) = due.last() else {
            break;
        };
        // Rows skipped (unreadable) stay behind the cursor until the next run.
        after = Some(last.id);
        let mut purged = Vec::with_capacity(due.len());
        for d in &due {
            if let std::collections::hash_map::Entry::Vacant(e) = defs.entry((d.survey_id, d.version)) {
                e.insert(match surveys::version(db, d.survey_id, d.version).await {
                    Ok(stored) => Some(stored.definition.definition),
                    Err(StoreError::Unreadable(e)) => {
                        formats::report(&format_args!("survey {} version {}", d.survey_id, d.version), &e);
                        None
                    }
                    Err(e) => return Err(e),
                });
            }
            let Some(Some(def)) = defs.get(&(d.survey_id, d.version)) else {
                continue;
            };
            match purge_text(def, &d.answers) {
                Ok(answers) => purged.push((d.id, answers)),
                Err(e) => formats::report(&format_args!("response {}", d.id), &e),
            }
        }
        store::store_purged_texts(db, &purged, now).await?;
        report.texts_purged += purged.len() as u64;
    }
    // Issues never taken up are raw free text too; taken up, the record.
    report.issue_texts_purged = store::purge_issue_texts(db, text_cutoff, PURGED).await?;
    // Rows whose changes still wait in the fold queue stay until folded.
    report.responses_deleted =
        store::delete_old_responses(db, now - chrono::Duration::days(policy.responses_days)).await?;
    report.cases_deleted =
        store::delete_closed_cases(db, now - chrono::Duration::days(policy.closed_cases_days)).await?;
    report.webhook_events_deleted =
        langnghe_storage::outbox::delete_delivered(db, now - chrono::Duration::days(DELIVERED_EVENTS_DAYS)).await?;
    report.request_hashes_expired =
        store::expire_request_hashes(db, now - chrono::Duration::days(IDEMPOTENCY_DAYS)).await?;
    // Sign-in throttling records past their window (the throttle purges
    // them too, but only when someone signs in); not worth a count.
    langnghe_storage::throttle::purge(db, now - langnghe_domain::throttle::ThrottlePolicy::LONGEST_WINDOW).await?;
    if report != Report::default() {
        store::record_purge(db, serde_json::to_value(report).unwrap_or(Value::Null), now).await?;
    }
    Ok(report)
}

/// Runs the purge once a day in the background (first an hour after
/// start). Errors are logged and retried the next day.
pub fn spawn_daily(db: Db, policy: Policy, clock: crate::Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        loop {
            match purge(&db, policy, clock.now()).await {
                Ok(r) => tracing::info!(
                    texts = r.texts_purged,
                    issue_texts = r.issue_texts_purged,
                    responses = r.responses_deleted,
                    cases = r.cases_deleted,
                    "retention purge"
                ),
                Err(e) => tracing::warn!(cause = %e, "retention purge failed"),
            }
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
        }
    })
}
