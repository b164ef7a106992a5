//! Folding responses into the result rollups, and reading them back.
//!
//! Storage keeps the cells (`langnghe_storage::rollup`); this module knows
//! what a cell holds: a [`Tally`] of one survey version, encoded as compact
//! JSON. A background task folds pending responses in batches; results
//! merge the cells with whatever is still pending, in one snapshot, so they
//! are exact however far the folder lags.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use langnghe_domain::results::{Num, QuestionTally, Tally};
use langnghe_domain::survey::{Answer, Question, QuestionSpec, SurveyDefinition};
use langnghe_storage::rollup::{self as store, Cell, CellKey, Grain, Pending};
use langnghe_storage::{Db, DbErr, StoreError, surveys};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Responses folded per transaction.
pub const FOLD_BATCH: u64 = 5000;

/// A stored answer read back as the question's type.
pub(crate) fn stored_answer(q: &Question, v: &Value) -> Option<Answer> {
    let strings =
        |v: &Value| -> Option<Vec<String>> { v.as_array()?.iter().map(|x| x.as_str().map(str::to_owned)).collect() };
    Some(match q.spec() {
        QuestionSpec::SingleChoice { .. } => Answer::Choice(v.as_str()?.to_owned()),
        QuestionSpec::MultipleChoice { .. } => Answer::Choices(strings(v)?),
        QuestionSpec::Ranking { .. } => Answer::Ranking(strings(v)?),
        QuestionSpec::Rating { .. } => Answer::Rating(v.as_i64()?),
        QuestionSpec::YesNo => Answer::YesNo(v.as_bool()?),
        QuestionSpec::Text { .. } => Answer::Text(v.as_str()?.to_owned()),
        QuestionSpec::Number { .. } => Answer::Number(v.as_f64()?),
    })
}

/// A response's stored answers (JSON text), typed by the definition.
pub(crate) fn answers_of(def: &SurveyDefinition, json: &str) -> Vec<(String, Answer)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    def.questions()
        .iter()
        .filter_map(|q| {
            map.get(q.key())
                .and_then(|v| stored_answer(q, v))
                .map(|a| (q.key().to_owned(), a))
        })
        .collect()
}

/// A tally as stored in a cell: `r` responses, and per question (in the
/// version's order, which never changes once published) the respondents,
/// the column counts or rank sums, and the number histogram.
#[derive(Serialize, Deserialize)]
struct Stored {
    r: i64,
    q: Vec<StoredQuestion>,
}

/// Respondents, columns, and `[value, count]` pairs.
type StoredQuestion = (i64, Vec<i64>, Vec<(f64, i64)>);

pub fn encode(t: &Tally) -> String {
    let stored = Stored {
        r: t.responses,
        q: t.questions
            .iter()
            .map(|q| {
                (
                    q.respondents,
                    q.columns.clone(),
                    q.values.iter().map(|(v, n)| (v.0, *n)).collect(),
                )
            })
            .collect(),
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

pub fn decode(text: &str) -> Result<Tally, serde_json::Error> {
    let s: Stored = serde_json::from_str(text)?;
    Ok(Tally {
        responses: s.r,
        questions: s
            .q
            .into_iter()
            .map(|(respondents, columns, values)| QuestionTally {
                respondents,
                columns,
                values: values.into_iter().map(|(v, n)| (Num(v), n)).collect(),
            })
            .collect(),
    })
}

/// The month (`YYYY-MM`, local time) a response counts in.
pub fn month_of(at: DateTime<Utc>) -> String {
    langnghe_domain::results::month_key(crate::local_day(at))
}

/// The period key of a day at a grain: `YYYY-MM` or `YYYY-MM-DD`.
pub fn period_of(day: chrono::NaiveDate, grain: Grain) -> String {
    match grain {
        Grain::Month => langnghe_domain::results::month_key(day),
        Grain::Day => day.format("%Y-%m-%d").to_string(),
    }
}

/// The cell a response counts in at a grain.
pub fn cell_key(p: &Pending, grain: Grain) -> CellKey {
    CellKey {
        survey_id: p.survey_id,
        version: p.version,
        grain,
        period: period_of(crate::local_day(p.submitted_at), grain),
        unit_id: p.unit_id,
        age_band: p.age_band.clone(),
        gender: p.gender.clone().unwrap_or_else(|| NOT_GIVEN.into()),
    }
}

/// The gender group of children who did not say.
pub const NOT_GIVEN: &str = "not_given";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(DbErr::Custom(format!("{what}: {e}")))
}

/// Folds up to `limit` pending responses into their cells in one
/// transaction; returns how many it folded (0 when none wait or another
/// folder is at work).
pub async fn fold(db: &Db, limit: u64, now: DateTime<Utc>) -> Result<usize, StoreError> {
    if !store::has_pending(db).await? {
        return Ok(0);
    }
    let Some(tx) = store::begin_fold(db).await? else {
        return Ok(0);
    };
    let (entries, rows) = store::pending(&tx, limit).await?;
    if entries.is_empty() {
        tx.rollback().await?;
        return Ok(0);
    }
    let mut defs: HashMap<(Uuid, i32), SurveyDefinition> = HashMap::new();
    let mut deltas: BTreeMap<CellKey, Tally> = BTreeMap::new();
    for p in &rows {
        let def = match defs.entry((p.survey_id, p.version)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let stored = surveys::version(&tx, p.survey_id, p.version).await?;
                let (def, _) = crate::routes::surveys::stored_definition(&stored.definition)
                    .map_err(|e| corrupt("stored survey definition", e.detail.unwrap_or_default()))?;
                e.insert(def)
            }
        };
        let sign = if p.live { 1 } else { -1 };
        let answers = answers_of(def, &p.answers);
        let mut delta = Tally::empty(def);
        delta.count(def, &answers, sign);
        for grain in [Grain::Month, Grain::Day] {
            deltas
                .entry(cell_key(p, grain))
                .or_insert_with(|| Tally::empty(def))
                .merge(&delta);
        }
    }
    // Merge into the stored cells: one read per survey version and grain,
    // narrowed to the units and periods the batch touched.
    let mut groups: BTreeMap<(Uuid, i32, Grain), Vec<&CellKey>> = BTreeMap::new();
    for k in deltas.keys() {
        groups.entry((k.survey_id, k.version, k.grain)).or_default().push(k);
    }
    let mut cells: Vec<Cell> = Vec::with_capacity(deltas.len());
    for ((survey_id, version, grain), keys) in groups {
        let mut units: Vec<Uuid> = keys.iter().map(|k| k.unit_id).collect();
        units.sort();
        units.dedup();
        let first = keys.iter().map(|k| k.period.as_str()).min().unwrap_or_default();
        // '~' sorts after every character of a period, so this bound takes
        // in the last period touched.
        let last = format!("{}~", keys.iter().map(|k| k.period.as_str()).max().unwrap_or_default());
        let mut existing: HashMap<CellKey, Cell> =
            store::cells(&tx, survey_id, version, grain, Some(&units), Some(first), Some(&last))
                .await?
                .into_iter()
                .map(|c| (c.key.clone(), c))
                .collect();
        let Some(def) = defs.get(&(survey_id, version)) else {
            continue;
        };
        for key in keys {
            let mut tally = match existing.remove(key) {
                Some(c) => decode(&c.tally).map_err(|e| corrupt("stored rollup", e))?,
                None => Tally::empty(def),
            };
            if let Some(delta) = deltas.get(key) {
                tally.merge(delta);
            }
            cells.push(Cell {
                key: key.clone(),
                responses: tally.responses,
                tally: encode(&tally),
            });
        }
    }
    store::save_cells(&tx, &cells, now).await?;
    tx.commit().await?;
    Ok(entries.len())
}

/// Folds until nothing is pending, waiting for another folder that holds
/// the lock (the seeder, tooling, tests).
pub async fn fold_all(db: &Db, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut total = 0;
    loop {
        let n = fold(db, FOLD_BATCH, now).await?;
        total += n;
        if n == 0 {
            if !store::has_pending(db).await? {
                return Ok(total);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs the folder in the background: a batch whenever responses wait,
/// otherwise a pause of `interval`. Errors (the database gone, a busy lock)
/// are logged and retried after the pause.
pub fn spawn_folder(db: Db, interval: Duration, clock: crate::Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match fold(&db, FOLD_BATCH, clock.now()).await {
                Ok(n) if n as u64 >= FOLD_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(cause = %e, "folding results failed; retrying"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}
