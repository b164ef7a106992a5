//! Figures about children that leave the service and are not survey
//! results: one place that builds them through disclosure control
//! (`langnghe_domain::disclosure`), for every route that publishes them.

use langnghe_domain::plan::Period;
use langnghe_domain::safeguarding::CaseStatus;
use langnghe_storage::safeguarding as store;

use crate::error::ApiError;
use crate::state::AppState;

/// The severities a case may have, in order.
pub const SEVERITIES: [&str; 3] = ["medium", "high", "urgent"];

/// The cases received in a period, district-wide, by status (rows, in
/// [`CaseStatus::ALL`] order) and severity (columns, [`SEVERITIES`]), as
/// published: every count a cell of the cell key method, each case keyed by
/// its id and the data key.
pub async fn published_cases(
    state: &AppState,
    period: Period,
) -> Result<langnghe_domain::disclosure::TwoWay, ApiError> {
    let from = crate::local_day_start(period.first_day());
    let until = crate::local_day_start(period.last_day().succ_opt().unwrap_or(period.last_day()));
    let cases = store::received(&state.db, from, until).await?;
    let statuses: Vec<&str> = CaseStatus::ALL.iter().map(|s| s.as_str()).collect();
    Ok(langnghe_domain::disclosure::publish_two_way(
        cases.iter().map(|(id, status, severity)| {
            (
                status.as_str(),
                severity.as_str(),
                state.data_key.record_key("case", *id),
            )
        }),
        &statuses,
        &SEVERITIES,
        &state.ptable,
    ))
}

/// A running total about children that has no records of its own to key
/// (a target's actual figure: consultations, lower-secondary participants),
/// published through the cell key method with a key drawn from what it
/// measures and its value (`purpose`, `id`, `n`): the same figure always
/// reads the same, and each new value gets a noise of its own, so two
/// readings differ by noise, never by exactly the children between them.
pub fn published_total(state: &AppState, purpose: &str, id: uuid::Uuid, n: u64) -> u64 {
    let key = state.data_key.record_key(&format!("{purpose}:{n}"), id);
    state.ptable.perturb(n, key.into())
}
