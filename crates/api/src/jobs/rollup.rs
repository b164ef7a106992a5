//! Folding responses into the result cells, in releases, and reading
//! them back.
//!
//! Storage keeps the cells (`langnghe_storage::rollup`) and their format
//! (`langnghe_storage::formats::tally`); a cell holds a [`Tally`] of one
//! survey version, with the key of every count (the cell key method). A
//! background task releases the waiting changes of a cell (survey version,
//! month, unit, age band, gender) once enough of them wait in that cell
//! (`langnghe_domain::disclosure::releases`); results read the cells alone,
//! so every figure changes only in releases, and by a release step at
//! least. Children in a cell that never gathers enough changes are never
//! published.
//!
//! A stored row the folder cannot read is reported
//! (`langnghe_storage::formats::report`) and never stops it: a response
//! whose answers cannot be read counts as a response that answered nothing;
//! a survey whose definition or cells cannot be read is set aside (its
//! release rolled back) and the folder goes on with the other surveys,
//! trying the set-aside survey again after a wait that doubles up to a day.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use langnghe_domain::disclosure::{self, Policy, RecordKey};
use langnghe_domain::results::Tally;
use langnghe_domain::survey::SurveyDefinition;
use langnghe_storage::formats::{self, answers as stored_answers, tally as stored_tally};
use langnghe_storage::rollup::{self as store, Cell, CellKey, NOT_GIVEN, Pending};
use langnghe_storage::{Db, StoreError, surveys};
use uuid::Uuid;

/// The month (`YYYY-MM`, local time) a response counts in.
pub fn month_of(at: DateTime<Utc>) -> String {
    langnghe_domain::results::month_key(crate::local_day(at))
}

/// The cell a response counts in.
pub fn cell_key(p: &Pending) -> CellKey {
    key_of(
        p.survey_id,
        p.version,
        p.submitted_at,
        p.unit_id,
        &p.age_band,
        p.gender.as_deref(),
    )
}

fn key_of(
    survey_id: Uuid,
    version: i32,
    at: DateTime<Utc>,
    unit_id: Uuid,
    age_band: &str,
    gender: Option<&str>,
) -> CellKey {
    CellKey {
        survey_id,
        version,
        period: month_of(at),
        unit_id,
        age_band: age_band.to_owned(),
        gender: gender.unwrap_or(NOT_GIVEN).to_owned(),
    }
}

/// Releases the waiting changes of every cell that has enough of them
/// (each survey in a transaction of its own: the due cells' entries taken
/// off the queue, applied to those cells and the survey's release numbered
/// together); returns how many responses it folded (0 when none was due or
/// another folder is at work).
///
/// The rule holds cell by cell (survey version, month, unit, age band,
/// gender), so every figure, a cell or any sum of cells, moves between two
/// readings by no change or by at least a release step of children.
pub async fn fold(db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Folder::default().fold(db, policy, now).await
}

/// The first wait of a survey set aside, and the longest.
const FIRST_WAIT: chrono::Duration = chrono::Duration::minutes(10);
const LONGEST_WAIT: chrono::Duration = chrono::Duration::days(1);

/// A folder, remembering the surveys it set aside because a stored row of
/// theirs (a definition, a cell) could not be read: each is tried again
/// only after its wait, which doubles with every failure.
#[derive(Debug, Default)]
pub struct Folder {
    aside: HashMap<Uuid, (DateTime<Utc>, chrono::Duration)>,
}

impl Folder {
    /// Whether `survey_id` waits out its time aside at `now`.
    pub fn is_aside(&self, survey_id: Uuid, now: DateTime<Utc>) -> bool {
        self.aside.get(&survey_id).is_some_and(|(until, _)| now < *until)
    }

    fn set_aside(&mut self, survey_id: Uuid, now: DateTime<Utc>) {
        let wait = self
            .aside
            .get(&survey_id)
            .map_or(FIRST_WAIT, |(_, wait)| (*wait * 2).min(LONGEST_WAIT));
        self.aside.insert(survey_id, (now + wait, wait));
    }

    /// One pass: releases what is due (see [`fold`]), surveys set aside
    /// left out; a survey whose stored rows cannot be read is reported and
    /// set aside, and the pass goes on.
    pub async fn fold(&mut self, db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut folded = 0;
        for (survey_id, closed) in self.due(db, policy, now).await? {
            // The fast way (all of the survey's entries) first when everything
            // waiting is due; by response if changes raced in meanwhile.
            for whole in [true, false] {
                match fold_survey(db, survey_id, closed, policy, now, whole).await {
                    Ok(Folded::Busy) => return Ok(folded),
                    Ok(Folded::Nothing) => break,
                    Ok(Folded::Raced) => continue,
                    Ok(Folded::Released(n)) => {
                        self.aside.remove(&survey_id);
                        folded += n;
                        if n >= LARGE_RELEASE {
                            store::tidy_queue(db).await?;
                        }
                        break;
                    }
                    Err(StoreError::Unreadable(e)) => {
                        formats::report(&format_args!("survey {survey_id}"), &e);
                        self.set_aside(survey_id, now);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(folded)
    }

    /// The surveys due (see [`due`]) that are not set aside.
    async fn due(&self, db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<(Uuid, bool)>, StoreError> {
        let mut out = due(db, policy).await?;
        out.retain(|(id, _)| !self.is_aside(*id, now));
        Ok(out)
    }
}

enum Folded {
    /// Another folder holds the lock.
    Busy,
    /// No cell is due (any more).
    Nothing,
    /// What was taken no longer makes a release; rolled back.
    Raced,
    Released(usize),
}

async fn fold_survey(
    db: &Db,
    survey_id: Uuid,
    closed: bool,
    policy: &Policy,
    now: DateTime<Utc>,
    whole_allowed: bool,
) -> Result<Folded, StoreError> {
    let Some(tx) = store::begin_fold(db).await? else {
        return Ok(Folded::Busy);
    };
    // Another folder may have released it since the look without the lock.
    let changes = store::waiting_changes(&tx, Some(survey_id)).await?;
    let Some(take) = to_take(&changes, closed, policy) else {
        tx.rollback().await?;
        return Ok(Folded::Nothing);
    };
    let rows = if take.whole && whole_allowed {
        store::take_survey(&tx, survey_id).await?
    } else {
        store::take(&tx, survey_id, &take.responses).await?
    };
    // On PostgreSQL changes may have been queued since the look (a
    // withdrawal of a response taken, new responses on the fast way): what
    // was taken must make a release in each cell it touches, or nothing.
    if !releases_each(&rows, closed, policy) {
        tx.rollback().await?;
        return Ok(Folded::Raced);
    }
    let cells = apply(&tx, &rows).await?;
    store::save_cells(&tx, &cells, now).await?;
    store::record_release(&tx, survey_id, now).await?;
    if rows.iter().any(|p| !p.live) {
        store::delete_erased(&tx).await?;
    }
    tx.commit().await?;
    Ok(Folded::Released(rows.len()))
}

/// A release step is counted in children, so a response taken in and
/// withdrawn while waiting (net 0) counts in neither.
fn tally_cells<'a>(items: impl Iterator<Item = (CellKey, i64)> + 'a) -> HashMap<CellKey, (u64, u64)> {
    let mut cells: HashMap<CellKey, (u64, u64)> = HashMap::new();
    for (key, net) in items {
        let e = cells.entry(key).or_default();
        match net.signum() {
            1 => e.0 += 1,
            -1 => e.1 += 1,
            _ => {}
        }
    }
    cells
}

/// The responses of a survey to take in its next release.
struct Take {
    responses: Vec<Uuid>,
    /// Every waiting response is among them.
    whole: bool,
}

/// What a release takes: the responses of every cell whose waiting changes
/// make a release, with the entries that change nothing (a response taken
/// in and withdrawn while waiting, or no longer stored); `None` when no
/// cell is due.
fn to_take(changes: &[store::Change], closed: bool, policy: &Policy) -> Option<Take> {
    let key = |c: &store::Change| c.place.as_ref().map(|p| place_key(c.survey_id, p));
    let cells = tally_cells(changes.iter().filter_map(|c| key(c).map(|k| (k, c.net))));
    let due: std::collections::HashSet<&CellKey> = cells
        .iter()
        .filter(|(_, (added, removed))| disclosure::releases(*added, *removed, closed, policy))
        .map(|(k, _)| k)
        .collect();
    if due.is_empty() {
        return None;
    }
    let responses: Vec<Uuid> = changes
        .iter()
        .filter(|c| c.net == 0 || key(c).is_none_or(|k| due.contains(&k)))
        .map(|c| c.response_id)
        .collect();
    let whole = responses.len() == changes.len();
    Some(Take { responses, whole })
}

/// Whether the changes taken make a release in every cell they change.
fn releases_each(rows: &[Pending], closed: bool, policy: &Policy) -> bool {
    let mut net: HashMap<Uuid, (CellKey, i64)> = HashMap::new();
    for p in rows {
        net.entry(p.id).or_insert_with(|| (cell_key(p), 0)).1 += if p.live { 1 } else { -1 };
    }
    tally_cells(net.into_values())
        .values()
        .all(|&(added, removed)| added + removed == 0 || disclosure::releases(added, removed, closed, policy))
}

/// The cell of a waiting response.
fn place_key(survey_id: Uuid, p: &store::Place) -> CellKey {
    key_of(
        survey_id,
        p.version,
        p.submitted_at,
        p.unit_id,
        &p.age_band,
        p.gender.as_deref(),
    )
}

/// A release this large leaves enough dead queue entries to tidy at once.
const LARGE_RELEASE: usize = 10_000;

/// The surveys with a cell whose waiting changes make a release now, and
/// whether each is closed (no more responses will come). The count per
/// survey rules out most at once; the cells of the rest are looked at.
async fn due(db: &Db, policy: &Policy) -> Result<Vec<(Uuid, bool)>, StoreError> {
    let mut out = Vec::new();
    for (survey_id, w) in store::waiting(db, None).await? {
        let closed = match surveys::get(db, survey_id).await {
            Ok(s) => s.status == langnghe_domain::consultation::SurveyStatus::Closed,
            Err(StoreError::NotFound) => true,
            Err(e) => return Err(e),
        };
        if !disclosure::releases(w.added, w.removed, closed, policy) {
            continue;
        }
        let changes = store::waiting_changes(db, Some(survey_id)).await?;
        if to_take(&changes, closed, policy).is_some() {
            out.push((survey_id, closed));
        }
    }
    Ok(out)
}

/// The cells as they are once `rows` are applied to them.
async fn apply(tx: &langnghe_storage::Tx, rows: &[Pending]) -> Result<Vec<Cell>, StoreError> {
    let mut defs: HashMap<(Uuid, i32), SurveyDefinition> = HashMap::new();
    let mut deltas: BTreeMap<CellKey, Tally> = BTreeMap::new();
    for p in rows {
        let def = match defs.entry((p.survey_id, p.version)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let stored = surveys::version(tx, p.survey_id, p.version).await?;
                e.insert(stored.definition.definition)
            }
        };
        let sign = if p.live { 1 } else { -1 };
        // Answers that cannot be read: a response that answered nothing.
        let answers = stored_answers::decode(def, &p.answers).unwrap_or_else(|e| {
            formats::report(&format_args!("response {}", p.id), &e);
            Vec::new()
        });
        deltas.entry(cell_key(p)).or_insert_with(|| Tally::empty(def)).count(
            def,
            &answers,
            sign,
            RecordKey::from_u32(p.record_key),
        );
    }
    // Merge into the stored cells: one read per survey version, narrowed to
    // the units and months the release touched.
    let mut groups: BTreeMap<(Uuid, i32), Vec<&CellKey>> = BTreeMap::new();
    for k in deltas.keys() {
        groups.entry((k.survey_id, k.version)).or_default().push(k);
    }
    let mut cells: Vec<Cell> = Vec::with_capacity(deltas.len());
    for ((survey_id, version), keys) in groups {
        let mut units: Vec<Uuid> = keys.iter().map(|k| k.unit_id).collect();
        units.sort();
        units.dedup();
        let first = keys.iter().map(|k| k.period.as_str()).min().unwrap_or_default();
        // '~' sorts after every character of a period, so this bound takes
        // in the last period touched.
        let last = format!("{}~", keys.iter().map(|k| k.period.as_str()).max().unwrap_or_default());
        let mut existing: HashMap<CellKey, Cell> =
            store::cells(tx, survey_id, version, Some(&units), Some(first), Some(&last))
                .await?
                .into_iter()
                .map(|c| (c.key.clone(), c))
                .collect();
        let Some(def) = defs.get(&(survey_id, version)) else {
            continue;
        };
        for key in keys {
            let mut tally = match existing.remove(key) {
                Some(c) => stored_tally::decode(&c.tally)?,
                None => Tally::empty(def),
            };
            if let Some(delta) = deltas.get(key) {
                tally.merge(delta);
            }
            cells.push(Cell {
                key: key.clone(),
                responses: tally.responses.n,
                tally: stored_tally::encode(&tally),
            });
        }
    }
    Ok(cells)
}

/// Releases everything that is due, waiting for another folder that holds
/// the lock (the seeder, tooling, tests). Changes too few for a release
/// stay waiting; so do the changes of a survey set aside.
pub async fn fold_all(db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut folder = Folder::default();
    let mut total = 0;
    loop {
        let n = folder.fold(db, policy, now).await?;
        total += n;
        if n == 0 {
            if folder.due(db, policy, now).await?.is_empty() {
                return Ok(total);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs the folder in the background: the releases that are due, then a
/// pause of `interval`. Errors (the database gone, a busy lock) are logged
/// and retried after the pause; a survey whose stored rows cannot be read
/// is set aside (see [`Folder`]).
pub fn spawn_folder(
    db: Db,
    interval: Duration,
    clock: crate::Clock,
    policy: Policy,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut folder = Folder::default();
        loop {
            let now = clock.now();
            match folder.fold(&db, &policy, now).await {
                Ok(n) => metrics.folded(n, now),
                Err(e) => tracing::warn!(cause = %e, "folding results failed; retrying"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}
