//! What children raised and answered per topic, as published: the topic
//! summary and the report's topic section read it here.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use langnghe_domain::disclosure::CellKey;
use langnghe_domain::reports::{self, TopicTally};
use langnghe_domain::results::Count;
use langnghe_domain::text::Lang;
use langnghe_domain::{TopicId, UnitId};
use langnghe_storage::catalog;
use langnghe_storage::reports::{self as counts, Window};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::CountDto;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicRefDto {
    pub id: Uuid,
    pub slug: String,
    /// In the language of `Accept-Language` (Vietnamese by default).
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicIssuesDto {
    /// Status now (`new`, and any other status present) → issues raised in
    /// the window. Issues withheld for safeguarding are not counted.
    pub by_status: BTreeMap<String, CountDto>,
    pub total: CountDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPointDto {
    /// `YYYY-MM`, local time.
    pub month: String,
    pub issues: CountDto,
    pub survey_answers: CountDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicFiguresDto {
    pub topic: TopicRefDto,
    /// Issues with this topic raised in the window (by children, and at
    /// events), by their status now.
    pub issues: TopicIssuesDto,
    /// Responses not withdrawn, submitted in the window, to surveys whose
    /// topic this is.
    pub survey_answers: CountDto,
    /// Events held in the window at which at least one issue with this
    /// topic was raised (events have no topic of their own). A count of
    /// events, not of children: not suppressed.
    pub events: u64,
    /// Per month of the window, oldest first.
    pub trend: Vec<TrendPointDto>,
}

/// A published count.
pub(crate) fn shown(n: &u64) -> CountDto {
    CountDto { count: *n, share: None }
}

/// The per-topic figures of the records of `units` (every unit when
/// `None`) in the local days `from..=to` (whole months), counted with one
/// grouped query per kind of record and published through disclosure
/// control ([`reports::publish_topics`]: the cell key method, issues keyed
/// by their ids, answers by their records' keys). Shared by the topic
/// summary and reports.
pub(crate) async fn topic_figures(
    state: &AppState,
    lang: Lang,
    units: Option<&[UnitId]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TopicFiguresDto>, ApiError> {
    let window = Window {
        first: from,
        last: to,
        offset_hours: crate::LOCAL_OFFSET_HOURS,
    };
    let mut topics = catalog::list_topics(&state.db).await?;
    topics.sort_by_key(|t| t.id);
    let topic_at: HashMap<TopicId, usize> = topics.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let months = reports::months(from, to);
    let month_at: HashMap<&str, usize> = months.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let issues = counts::issues_by_topic(&state.db, units, &window).await?;
    let answers = counts::answers_by_topic(&state.db, units, &window).await?;
    let events: HashMap<TopicId, u64> = counts::events_by_topic(&state.db, units, &window)
        .await?
        .into_iter()
        .collect();
    // `new` always; statuses added later as they appear.
    let mut statuses: Vec<String> = vec!["new".into()];
    let mut others: Vec<String> = issues
        .iter()
        .map(|(_, _, s, _)| s.clone())
        .filter(|s| !statuses.contains(s))
        .collect();
    others.sort();
    others.dedup();
    statuses.extend(others);
    let mut tallies = vec![
        TopicTally {
            issues_by_status: vec![Count::default(); statuses.len()],
            issues_by_month: vec![Count::default(); months.len()],
            answers_by_month: vec![Count::default(); months.len()],
        };
        topics.len()
    ];
    for (id, topic, status, month) in &issues {
        let at = (
            topic_at.get(topic),
            statuses.iter().position(|s| s == status),
            month_at.get(month.as_str()),
        );
        if let (Some(&t), Some(s), Some(&m)) = at {
            // An issue's key for the cell key method, from its id.
            let key = state.data_key.record_key("issue", *id);
            tallies[t].issues_by_status[s].record(key);
            tallies[t].issues_by_month[m].record(key);
        }
    }
    for (topic, month, n, key) in &answers {
        if let (Some(&t), Some(&m)) = (topic_at.get(topic), month_at.get(month.as_str())) {
            tallies[t].answers_by_month[m].merge(&Count::of(*n, CellKey::from_u32(*key)));
        }
    }
    let published = reports::publish_topics(&tallies, &state.ptable);
    Ok(topics
        .iter()
        .zip(published)
        .map(|(t, f)| TopicFiguresDto {
            topic: TopicRefDto {
                id: t.id.0,
                slug: t.slug.as_str().to_owned(),
                name: t.name.get(lang).to_owned(),
            },
            issues: TopicIssuesDto {
                by_status: statuses
                    .iter()
                    .cloned()
                    .zip(f.issues_by_status.iter().map(shown))
                    .collect(),
                total: shown(&f.issues_total),
            },
            survey_answers: shown(&f.answers_total),
            events: events.get(&t.id).copied().unwrap_or(0),
            trend: months
                .iter()
                .zip(f.issues_by_month.iter().zip(&f.answers_by_month))
                .map(|(m, (i, a))| TrendPointDto {
                    month: m.clone(),
                    issues: shown(i),
                    survey_answers: shown(a),
                })
                .collect(),
        })
        .collect())
}
