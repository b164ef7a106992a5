//! Figures about children that leave the service and are not survey
//! results: one place that builds them through disclosure control
//! (`langnghe_domain::disclosure`), for every route that publishes them.

use langnghe_domain::plan::WholeQuarters;
use langnghe_domain::safeguarding::CaseStatus;
use langnghe_storage::safeguarding as store;

use crate::error::ApiError;
use crate::state::AppState;

/// The severities a case may have, in order.
pub const SEVERITIES: [&str; 3] = langnghe_domain::screen::Severity::NAMES;

/// The cases received in a period, as published: every count a cell of the
/// cell key method, each case keyed by its id and the data key, so that the
/// same cases always publish the same number by any path.
pub struct CaseFigures {
    /// The quarters counted: those of the period asked for that have ended
    /// (see [`WholeQuarters::ended_by`]).
    pub counted: langnghe_domain::plan::Period,
    /// By status (rows, in [`CaseStatus::ALL`] order) and severity
    /// (columns, [`SEVERITIES`]), with the totals.
    pub by_status: langnghe_domain::disclosure::TwoWay,
    /// By category (each category a case was found to concern; a case may
    /// count in several), in [`ConcernCategory::ALL`] order.
    pub by_category: Vec<(&'static str, u64)>,
    /// By the ward of the case's unit on the day it was received, every ward
    /// in force at the period's end listed (so which are listed says
    /// nothing); a case without a unit counts in the total only.
    pub by_ward: Vec<(langnghe_domain::UnitId, u64)>,
}

/// The cases received in the quarters of a period that have ended,
/// district-wide, published (see [`CaseFigures`]); `None` while none has
/// ended. A quarter under way is never counted, so that a count read on
/// two days never differs by the cases of the days between.
pub async fn published_cases(state: &AppState, quarters: WholeQuarters) -> Result<Option<CaseFigures>, ApiError> {
    let Some(ended) = quarters.ended_by(state.clock.local_date()) else {
        return Ok(None);
    };
    let period = ended.period();
    use langnghe_domain::disclosure::publish_two_way;
    use langnghe_domain::org::UnitKind;
    use langnghe_domain::screen::ConcernCategory;
    let from = crate::local_day_start(period.first_day());
    let until = crate::local_day_start(period.last_day().succ_opt().unwrap_or(period.last_day()));
    let cases = store::received(&state.db, from, until).await?;
    let key = |id| state.data_key.record_key("case", id);
    let by_status = publish_two_way(
        cases
            .iter()
            .map(|c| (c.status.as_str(), c.severity.as_str(), key(c.id))),
        &CaseStatus::NAMES,
        &SEVERITIES,
        &state.ptable,
    );
    let by_category = publish_two_way(
        cases
            .iter()
            .flat_map(|c| c.categories.iter().map(move |x| (x.as_str(), "all", key(c.id)))),
        &ConcernCategory::NAMES,
        &["all"],
        &state.ptable,
    );
    let chart = langnghe_storage::org::load_chart(&state.db).await?;
    let mut wards: Vec<&langnghe_domain::org::Unit> = chart
        .in_force_on(period.last_day())
        .filter(|u| u.kind == UnitKind::Ward)
        .collect();
    wards.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let ward_ids: Vec<String> = wards.iter().map(|w| w.id.0.to_string()).collect();
    let ward_keys: Vec<&str> = ward_ids.iter().map(String::as_str).collect();
    let ward_of: Vec<String> = cases
        .iter()
        .map(|c| {
            c.unit_id
                .and_then(|u| {
                    chart.at_level(
                        langnghe_domain::UnitId(u),
                        Some(UnitKind::Ward),
                        crate::local_day(c.received_at),
                    )
                })
                .and_then(|w| chart.counts_toward(w, period.last_day()))
                .map(|w| w.0.to_string())
                .unwrap_or_default()
        })
        .collect();
    let by_ward = publish_two_way(
        cases.iter().zip(&ward_of).map(|(c, w)| (w.as_str(), "all", key(c.id))),
        &ward_keys,
        &["all"],
        &state.ptable,
    );
    Ok(Some(CaseFigures {
        counted: period,
        by_status,
        by_category: ConcernCategory::ALL
            .iter()
            .map(|c| c.as_str())
            .zip(by_category.rows.iter().copied())
            .collect(),
        by_ward: wards.iter().map(|w| w.id).zip(by_ward.rows.iter().copied()).collect(),
    }))
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

/// How many children support each of these public issues, as the public
/// and children read it: the supports given before today began (local
/// time), so that the figure moves once a day with everyone who supported
/// that day and never the moment one child taps "me too"; each count
/// published through the cell key method like a target's running total
/// (keyed by the issue and the count: the same count always reads the
/// same, 1 to k − 1 reads 0 or k). Staff who moderate read the exact
/// counts.
pub async fn published_supports(
    state: &AppState,
    ids: &[uuid::Uuid],
) -> Result<std::collections::HashMap<uuid::Uuid, u64>, ApiError> {
    let today = crate::local_day_start(state.clock.local_date());
    let counts = langnghe_storage::moderation::support_counts_before(&state.db, ids, today).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let n = counts.get(id).copied().unwrap_or(0).max(0) as u64;
            (*id, published_total(state, "issue.supports", *id, n))
        })
        .collect())
}

/// How many of these issues there are, as a figure that leaves the
/// service: a cell of the cell key method whose records are the issues
/// (each keyed by its id and the data key, as in topic summaries), so the
/// same issues publish the same number by any path and 1 to k − 1 never
/// reads as itself.
pub fn published_issues(state: &AppState, ids: &[uuid::Uuid]) -> u64 {
    let key = langnghe_domain::disclosure::CellKey::of(ids.iter().map(|id| state.data_key.record_key("issue", *id)));
    state.ptable.perturb(ids.len() as u64, key)
}

/// How many of a recommendation's issues still stand, as published
/// ([`published_issues`] over them): the issues a child withdrew or erased,
/// that went to safeguarding or were rejected since keep their link to the
/// recommendation but count nowhere, so the figure (and its cell key) is
/// the same as if they had never been put in. One entry per recommendation
/// in `recs` (its issue ids), in order, read with one query.
pub async fn published_standing_issues(state: &AppState, recs: &[&[uuid::Uuid]]) -> Result<Vec<u64>, ApiError> {
    let all: Vec<uuid::Uuid> = recs.iter().flat_map(|ids| ids.iter().copied()).collect();
    let standing: std::collections::HashSet<uuid::Uuid> = langnghe_storage::moderation::standing(&state.db, &all)
        .await?
        .into_iter()
        .collect();
    Ok(recs
        .iter()
        .map(|ids| {
            let kept: Vec<uuid::Uuid> = ids.iter().copied().filter(|id| standing.contains(id)).collect();
            published_issues(state, &kept)
        })
        .collect())
}
