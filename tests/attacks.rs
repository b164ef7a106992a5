//! The attack suite of issue 11: an adversary plays against the published
//! survey results and tries to learn one child's answer, or a small group's
//! count, that disclosure control (`langnghe_domain::disclosure`, the cell key
//! method with releases and whole-month windows) is meant to hide.
//!
//! # The adversary
//!
//! Any role short of admin (a moderator, the facilitator of a unit) or the
//! public, making any request the API allows (every breakdown, unit filter,
//! unit level and window), as often as it likes, and submitting answers of
//! its own through `POST /api/v1/join` and `POST /api/v1/responses` as a child
//! would. It knows the public perturbation table (`PTable::row`) and, as a
//! facilitator who was in the room would, the population's structure: who
//! answered, with which unit, age band and gender. It does not know the other
//! children's answers (except in attack 5 and the "n − 1" attack, where it
//! knows more) and never sees a record key.
//!
//! # The solver
//!
//! [`Problem`] is a small exhaustive search over integers: unknown true counts
//! (or sums) per *atom* — the children of one unit, age band and gender, the
//! finest cell the API can publish — with every published figure read as a
//! constraint on a sum of atoms: a published count `m` says the true count
//! lies in the counts whose p-table row can publish `m` ([`Public::preimage`]);
//! a published mean says the group's sum lies within the magnitude noise of
//! `c′ × mean` ([`sum_interval`]). Interval propagation prunes, bisection
//! decides. A target (the rare child's answer) is *learned* when exactly one
//! value of it leaves the whole system feasible. Every attack also checks that
//! the truth stays feasible (the server keeps to the public table) and that
//! the same cell reached twice published the same figure. Of the keys'
//! arithmetic the solver uses only that the same records publish the same
//! figure; a stronger adversary could also use that a union's key is the sum
//! of its parts' keys, which narrows the keys' runs (not tried here).
//!
//! # Every key, not this run's
//!
//! Record keys are random, so the published figures differ from run to run.
//! Each test asserts only what the mechanism guarantees for *every* key, and
//! each scenario is built so that the attack fails by construction:
//!
//! 1. [`across_tables_a_lone_child_is_in_no_figure`]: the rare child (the
//!    only `other` of its school, age band and month) is alone in its cell,
//!    which never gathers k changes, so it is released nowhere: 48 tables
//!    (every breakdown, unit level and filter) read the same before and after
//!    it answers, whatever its key, and its group is listed nowhere. (Under
//!    survey-wide releases, the solver over those tables fixed its answers.)
//! 2. [`the_same_children_publish_the_same_figures_by_every_path_and_every_time`]:
//!    a school by filter and as a group of `by=unit` (or of its ward), a pair
//!    breakdown's total and no breakdown, a whole month and no window: the
//!    same numbers; twenty repeats, the same bytes. Re-asking adds no equation.
//! 3. [`readings_over_time_differ_only_by_releases_of_k`]: one more child, or
//!    one withdrawal, changes no byte of any reading (staff or public) before
//!    or after the folder runs; four more in the same cell make one release,
//!    and the two readings differ by five children; four and one in two cells
//!    make none. Windows of days are refused.
//! 4. [`small_groups_publish_no_small_counts_means_or_quartiles`]: a group of
//!    exactly 5 gets no mean and no quartiles, one of 3 is listed only as 5;
//!    no mean under a published 10, no quartile under 20, no min or max.
//! 5. [`n_times_mean_differencing_leaves_a_withdrawn_answer_in_noise`]:
//!    27 × mean − 30 × mean (one withdrawal, four answers of the adversary's
//!    own to make the release) leaves every value near the withdrawn one
//!    possible: the magnitude noise spans `2(D + ½)` times the question's
//!    range, and the answer lies inside the range.
//! 6. [`the_public_moderators_and_facilitators_see_nothing_more`]: the public
//!    endpoint publishes the staff's figures and never what waits; moderators
//!    see what admins see, facilitators their unit's cells only.
//! 7. [`the_n_minus_one_attack_is_left_to_join_caps`]: the known limit; it
//!    asserts only what holds (no count from 1 to k − 1 is ever published).
//!
//! # Attacks that were found and fixed (kept as regression tests)
//!
//! - [`across_tables_a_lone_child_published_as_k_is_never_listed`]: a group
//!   of one child used to be listed when its count was published as k; all
//!   its cells hold the same single record, hence the same published k, and
//!   every column the child did not choose is a true zero, published as 0.
//!   A group is now listed only when published as more than k, and nothing
//!   is published when everyone is published as k or less.
//! - [`mean_ranks_of_one_group_carry_noises_of_their_own`]: every mean of
//!   one group used to draw the same noise, and the mean ranks of a ranking
//!   sum to a constant, so `c′ × (mean_p − mean_q)` counted children exactly.
//!   Each question's mean and each option's mean rank now has its own noise.
//! - [`a_release_split_across_schools_shows_one_child_to_a_school_reading`]
//!   (about four keys in five per question): a release counted k changes
//!   over the whole survey, but a filter or breakdown saw only its share of
//!   them, so a school's reading before and after a release with one of its
//!   children differed in exactly that child's cells. Releases are now per
//!   cell (unit, age band, gender, month), each taken in only with k changes
//!   of its own, so every union of cells moves by none or by k or more.

use std::collections::BTreeMap;
use std::ops::Range;

use langnghe_domain::disclosure::{CellKey, PTable, Policy};
use serde_json::{Value, json};

use crate::results::{D, K, answer, session};
use crate::support::{TestApp, question};

// ---------------------------------------------------------------------------
// The public perturbation table, as the adversary reads it
// ---------------------------------------------------------------------------

/// The public p-table of the default policy.
struct Public(PTable);

impl Public {
    fn new() -> Public {
        Public(PTable::new(Policy::default()))
    }

    /// The true counts whose row can publish `m`: an interval (`0..=k` for 0,
    /// `1..=k + D` for k, `m − D ..= m + D` above).
    fn preimage(&self, m: u64) -> (i64, i64) {
        let counts: Vec<u64> = (0..=m + 2 * (K + D))
            .filter(|&n| self.0.row(n).iter().any(|&(v, _)| v == m))
            .collect();
        let (Some(&first), Some(&last)) = (counts.first(), counts.last()) else {
            panic!("no true count publishes {m}: it is not a published value");
        };
        assert_eq!(
            counts.len() as u64,
            last - first + 1,
            "the counts behind {m} are not an interval"
        );
        (first as i64, last as i64)
    }

    /// The run of keys (`start..end` within `0..2³²`) for which a cell of true
    /// count `n` is published as `m`: the outcomes of a row are consecutive
    /// runs in increasing order of `m`.
    fn keys_publishing(&self, n: u64, m: u64) -> Range<u64> {
        let first = |above: bool| {
            let (mut lo, mut hi) = (0_u64, 1_u64 << 32);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let v = self.0.perturb(n, CellKey::from_u32(mid as u32));
                if v > m || (!above && v == m) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        };
        let run = first(false)..first(true);
        assert!(!run.is_empty(), "row {n} never publishes {m}");
        run
    }

    fn perturb(&self, n: usize, key: u32) -> u64 {
        self.0.perturb(n as u64, CellKey::from_u32(key))
    }
}

/// A random `u64`: the random bits of a version 7 UUID, mixed (splitmix64).
fn random_u64() -> u64 {
    let u = uuid::Uuid::now_v7().as_u128();
    let mut z = (u as u64 ^ (u >> 64) as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A record key as the server draws one: uniform over the `u32`s.
fn random_key() -> u32 {
    (random_u64() >> 32) as u32
}

/// A key drawn uniformly from a run of keys.
fn key_in(run: &Range<u64>) -> u32 {
    (run.start + random_u64() % (run.end - run.start)) as u32
}

/// The integers strictly between two bounds that are multiples of 0.005 (so
/// that a margin of 10⁻⁹ absorbs floating point error and nothing else).
fn strictly_between(lo: f64, hi: f64) -> (i64, i64) {
    const FAR: i64 = 1 << 40;
    let lo = if lo.is_finite() {
        (lo + 1e-9).floor() as i64 + 1
    } else {
        -FAR
    };
    let hi = if hi.is_finite() {
        (hi - 1e-9).ceil() as i64 - 1
    } else {
        FAR
    };
    (lo, hi)
}

/// The integer sums `S` of `n` answers within `lo..=hi` that a published
/// `mean` over a published count `c` can come from. The server publishes
/// `mid + (S − n·mid + w·t) / c`, rounded to one decimal (halves away from
/// zero) and clamped into the range, with `w = hi − lo` and a noise `t`
/// strictly within `±(D + ½)`; so `S` lies strictly within
/// `c·(μ − mid) + n·mid ± w·(D + ½)` for a `μ` that rounds to `mean` (any `μ`
/// beyond an end when `mean` is that end).
fn sum_interval(mean: f64, c: u64, n: i64, lo: f64, hi: f64) -> (i64, i64) {
    let (w, mid, c) = (hi - lo, (lo + hi) / 2.0, c as f64);
    let mu_lo = if mean <= lo { f64::NEG_INFINITY } else { mean - 0.05 };
    let mu_hi = if mean >= hi { f64::INFINITY } else { mean + 0.05 };
    let reach = w * (D as f64 + 0.5);
    let base = n as f64 * mid;
    strictly_between(c * (mu_lo - mid) + base - reach, c * (mu_hi - mid) + base + reach)
}

// ---------------------------------------------------------------------------
// The solver
// ---------------------------------------------------------------------------

/// Integer unknowns, each within bounds, and constraints that a sum of some
/// of them lies within bounds. Feasibility by interval propagation and
/// bisection: exact, and fast on the few dozen unknowns of these populations.
#[derive(Debug, Clone, Default)]
struct Problem {
    domains: Vec<(i64, i64)>,
    /// Sorted unknowns → bounds of their sum (repeated constraints intersect).
    sums: BTreeMap<Vec<usize>, (i64, i64)>,
}

impl Problem {
    fn var(&mut self, lo: i64, hi: i64) -> usize {
        self.domains.push((lo, hi));
        self.domains.len() - 1
    }

    fn sum(&mut self, vars: &[usize], lo: i64, hi: i64) {
        let mut vars = vars.to_vec();
        vars.sort_unstable();
        let bounds = self.sums.entry(vars).or_insert((lo, hi));
        *bounds = (bounds.0.max(lo), bounds.1.min(hi));
    }

    fn fixed(&self, var: usize, value: i64) -> Problem {
        let mut p = self.clone();
        p.domains[var] = (value, value);
        p
    }

    fn feasible(&self) -> bool {
        let sums: Vec<(Vec<usize>, i64, i64)> = self.sums.iter().map(|(v, &(lo, hi))| (v.clone(), lo, hi)).collect();
        let mut budget = 500_000_u32;
        search(&sums, self.domains.clone(), &mut budget)
    }
}

/// Narrows every domain by every sum until nothing moves; false when a sum
/// or a domain becomes empty.
fn propagate(sums: &[(Vec<usize>, i64, i64)], domains: &mut [(i64, i64)]) -> bool {
    loop {
        let mut moved = false;
        for (vars, lo, hi) in sums {
            let min: i64 = vars.iter().map(|&v| domains[v].0).sum();
            let max: i64 = vars.iter().map(|&v| domains[v].1).sum();
            if min > *hi || max < *lo {
                return false;
            }
            for &v in vars {
                let (vlo, vhi) = domains[v];
                let (nlo, nhi) = (vlo.max(lo - (max - vhi)), vhi.min(hi - (min - vlo)));
                if nlo > nhi {
                    return false;
                }
                if (nlo, nhi) != (vlo, vhi) {
                    domains[v] = (nlo, nhi);
                    moved = true;
                }
            }
        }
        if !moved {
            return true;
        }
    }
}

fn search(sums: &[(Vec<usize>, i64, i64)], mut domains: Vec<(i64, i64)>, budget: &mut u32) -> bool {
    assert!(*budget > 0, "the solver ran out of steps");
    *budget -= 1;
    if !propagate(sums, &mut domains) {
        return false;
    }
    let widest = domains
        .iter()
        .enumerate()
        .filter(|(_, d)| d.0 < d.1)
        .max_by_key(|(_, d)| d.1 - d.0)
        .map(|(v, &d)| (v, d));
    let Some((v, (lo, hi))) = widest else {
        // Every unknown has one value and every sum holds.
        return true;
    };
    let mid = lo + (hi - lo) / 2;
    let mut left = domains.clone();
    left[v].1 = mid;
    if search(sums, left, budget) {
        return true;
    }
    domains[v].0 = mid + 1;
    search(sums, domains, budget)
}

// ---------------------------------------------------------------------------
// The survey, the children, the readings
// ---------------------------------------------------------------------------

const SCHOOL_A: &str = "PN-S06";
const SCHOOL_B: &str = "PN-S01";
/// The wards the two schools belong to since 1 July 2025.
const WARD_A: &str = "HCM-DUCNHUAN";
const WARD_B: &str = "HCM-CAUKIEU";
/// The month every response of these tests falls in.
const MONTH: &str = "2026-11";

fn ward_of(school: &str) -> &'static str {
    if school == SCHOOL_A { WARD_A } else { WARD_B }
}

/// A survey with one question of each kind that publishes figures.
fn attack_survey(owner: &str, public: bool) -> Value {
    let opts = |keys: &[&str]| {
        keys.iter()
            .map(|k| json!({"key": k, "label": {"vi": k}}))
            .collect::<Vec<_>>()
    };
    json!({"kind": "opinion", "owner_unit_id": owner, "title": {"vi": "Thử tấn công số liệu"}, "min_age": 6,
    "max_age": 17, "results_public": public,
    "questions": [
      {"key": "one", "type": "single_choice", "text": {"vi": "Một?"}, "options": opts(&["a", "b", "c"])},
      {"key": "rate", "type": "rating", "min": 1, "max": 3, "text": {"vi": "Điểm?"}},
      {"key": "yn", "type": "yes_no", "text": {"vi": "Có không?"}},
      {"key": "num", "type": "number", "min": 0, "max": 100, "text": {"vi": "Số?"}},
      {"key": "rank", "type": "ranking", "text": {"vi": "Xếp?"}, "options": opts(&["p", "q"])}
    ]})
}

/// The questions counted in columns, with their number of columns.
const CATEGORICAL: [(&str, usize); 3] = [("one", 3), ("rate", 3), ("yn", 2)];

/// One synthetic child: where and who, and what they answer.
#[derive(Debug, Clone, Copy)]
struct Child {
    school: &'static str,
    age: u8,
    gender: &'static str,
    /// `one`: a, b or c.
    one: usize,
    /// `rate`: 1, 2 or 3, as a column (0, 1, 2).
    rate: usize,
    yes: bool,
    num: i64,
    /// `rank`: p before q.
    p_first: bool,
}

fn kid(school: &'static str, age: u8, gender: &'static str) -> Child {
    Child {
        school,
        age,
        gender,
        one: 0,
        rate: 1,
        yes: true,
        num: 50,
        p_first: true,
    }
}

impl Child {
    fn band(&self) -> &'static str {
        match self.age {
            6..=8 => "6-8",
            9..=11 => "9-11",
            12..=14 => "12-14",
            _ => "15-17",
        }
    }

    fn answers(&self) -> Value {
        let one = ["a", "b", "c"][self.one];
        let rank = if self.p_first { ["p", "q"] } else { ["q", "p"] };
        json!({"one": one, "rate": self.rate + 1, "yn": self.yes, "num": self.num, "rank": rank})
    }

    /// The column of a categorical question this child is counted in.
    fn column(&self, question: &str) -> usize {
        match question {
            "one" => self.one,
            "rate" => self.rate,
            "yn" => usize::from(!self.yes),
            _ => panic!("{question} has no columns"),
        }
    }
}

/// Varied answers for the `i`-th ordinary child.
fn varied(c: Child, i: usize) -> Child {
    Child {
        one: i % 3,
        rate: (i / 2) % 3,
        yes: i.is_multiple_of(2),
        num: 20 + ((i * 7) % 60) as i64,
        p_first: !i.is_multiple_of(3),
        ..c
    }
}

/// An application with the demo organisation, its folder stopped (the test
/// releases), and one published survey with a session at each school.
struct World {
    app: TestApp,
    survey: String,
    /// Unit code → id.
    units: BTreeMap<&'static str, String>,
    /// School code → join code.
    codes: BTreeMap<&'static str, String>,
}

async fn world(public: bool) -> World {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let district = app.unit_id("PN", "2026-01-01").await;
    let mut units = BTreeMap::new();
    for code in [SCHOOL_A, SCHOOL_B, WARD_A, WARD_B] {
        units.insert(code, app.unit_id(code, "2026-11-25").await);
    }
    let survey = crate::surveys::published_survey(&app, &attack_survey(&district, public)).await;
    let mut codes = BTreeMap::new();
    for school in [SCHOOL_A, SCHOOL_B] {
        codes.insert(school, session(&app, &survey, &units[school]).await);
    }
    World {
        app,
        survey,
        units,
        codes,
    }
}

/// One table the API serves: a breakdown, a unit level, a unit filter.
#[derive(Debug, Clone, Copy)]
struct Spec {
    by: &'static str,
    level: Option<&'static str>,
    within: Option<&'static str>,
}

const fn spec(by: &'static str) -> Spec {
    Spec {
        by,
        level: None,
        within: None,
    }
}

impl Spec {
    fn level(self, level: &'static str) -> Spec {
        Spec {
            level: Some(level),
            ..self
        }
    }
}

/// Every distinct kind of table of these populations: each breakdown (one
/// month, so `period` adds nothing but is asked anyway), by school or by ward,
/// for everyone, each school and a ward.
fn every_table() -> Vec<Spec> {
    let mut out = Vec::new();
    for within in [None, Some(SCHOOL_A), Some(SCHOOL_B), Some(WARD_A)] {
        for by in [
            "",
            "gender",
            "age_band",
            "period",
            "age_band,gender",
            "period,gender",
            "unit",
            "unit,gender",
            "unit,age_band",
        ] {
            let s = Spec { within, ..spec(by) };
            out.push(s);
            if by.contains("unit") {
                out.push(s.level("ward"));
            }
        }
    }
    out
}

impl World {
    fn query(&self, s: &Spec) -> String {
        let mut parts = Vec::new();
        if !s.by.is_empty() {
            parts.push(format!("by={}", s.by));
        }
        if let Some(l) = s.level {
            parts.push(format!("unit_level={l}"));
        }
        if let Some(u) = s.within {
            parts.push(format!("unit_id={}", self.units[u]));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Staff results (as `token` sees them) for a query string.
    async fn read(&self, query: &str, token: Option<&str>) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/surveys/{}/results{query}", self.survey), token)
            .await;
        let body = r.ok(200).clone();
        check_published(&body);
        body
    }

    /// The public endpoint's answer, as text and JSON.
    async fn read_public(&self, query: &str) -> crate::support::Resp {
        let r = self
            .app
            .get(&format!("/api/v1/public/surveys/{}/results{query}", self.survey), None)
            .await;
        check_published(r.ok(200));
        r
    }

    /// A child joins the session of its school and answers; the receipt.
    async fn submit(&self, c: &Child) -> String {
        answer(&self.app, &self.codes[c.school], c.age, c.gender, c.answers()).await
    }

    /// Stores responses with the record keys given (in place of the keys the
    /// server would draw), as `results::windows_are_whole_months…` does: the
    /// way to put a test on a chosen share of the keys.
    async fn plant(&self, children: &[(Child, u32)]) {
        use langnghe_storage::participation::{NewResponse, insert_responses_bulk};
        let db = self.app.storage().await;
        let survey_id: uuid::Uuid = self.survey.parse().unwrap();
        let rows: Vec<NewResponse> = children
            .iter()
            .map(|(c, key)| {
                let unit = &self.units[c.school];
                NewResponse {
                    age: i16::from(c.age),
                    age_band: c.band().into(),
                    gender: Some(c.gender.into()),
                    ..crate::support::response_row(survey_id, unit, c.answers(), self.app.now(), *key)
                }
            })
            .collect();
        insert_responses_bulk(&db, &rows).await.unwrap();
        db.close().await.ok();
    }

    /// How many responses the released cells count.
    async fn released_responses(&self) -> i64 {
        let db = self.app.storage().await;
        let cells = langnghe_storage::rollup::cells(&db, self.survey.parse().unwrap(), 1, None, None, None)
            .await
            .unwrap();
        db.close().await.ok();
        cells.iter().map(|c| c.responses).sum()
    }
}

async fn withdraw(app: &TestApp, receipt: &str) {
    let r = app.delete(&format!("/api/v1/responses/{receipt}"), None).await;
    assert_eq!(r.status, 204, "{}", r.text);
}

/// The figures (every question's) of the group with exactly these dimensions,
/// if listed.
fn group(body: &Value, dims: &[(&str, &str)]) -> Option<Value> {
    let want: BTreeMap<&str, &str> = dims.iter().copied().collect();
    let at = body["groups"].as_array().unwrap().iter().position(|g| {
        let got: BTreeMap<&str, &str> = g["dimensions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        got == want
    })?;
    Some(Value::Array(
        body["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["groups"][at].clone())
            .collect(),
    ))
}

/// The totals (every question's) of a reading.
fn total(body: &Value) -> Value {
    Value::Array(
        body["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["total"].clone())
            .collect(),
    )
}

/// What a reading says about children, without who asks or what waits.
fn figures(body: &Value) -> String {
    json!({"release": body["release"]["number"], "released_at": body["release"]["released_at"],
           "groups": body["groups"], "questions": body["questions"]})
    .to_string()
}

/// What every body must keep to, whatever the keys: no count from 1 to k − 1;
/// every listed group at least k; a mean only over a published 10 or more,
/// quartiles over 20 or more; never a minimum or maximum.
fn check_published(body: &Value) {
    fn no_min_max(v: &Value, path: &str) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    assert!(k != "min" && k != "max", "{path}.{k} published");
                    no_min_max(v, &format!("{path}.{k}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|v| no_min_max(v, path)),
            _ => {}
        }
    }
    no_min_max(body, "");
    let small = |m: u64| (1..K).contains(&m);
    for q in body["questions"].as_array().unwrap() {
        let key = q["key"].as_str().unwrap();
        for f in q["groups"].as_array().unwrap().iter().chain([&q["total"]]) {
            let n = f["respondents"].as_u64().unwrap();
            assert!(!small(n), "{key}: {n} respondents published");
            for c in f["counts"].as_array().into_iter().flatten() {
                let m = c["count"].as_u64().unwrap();
                assert!(!small(m), "{key}: a count of {m} published");
            }
            let stats = &f["stats"];
            if !stats["mean"].is_null() || !f["mean_rank"].is_null() {
                assert!(n >= 10, "{key}: a mean over {n} published");
            }
            for q in ["median", "q1", "q3"] {
                assert!(stats[q].is_null() || n >= 20, "{key}: a {q} over {n} published");
            }
        }
    }
    // Everyone in these tests answers `one`: its respondents are the group's.
    let one = question(body, "one");
    for f in one["groups"].as_array().unwrap() {
        let n = f["respondents"].as_u64().unwrap();
        assert!(n >= K, "a group listed with {n} children");
    }
}

// ---------------------------------------------------------------------------
// Atoms, cells and the attacks' equations
// ---------------------------------------------------------------------------

/// The children of one school, age band and gender: the finest set of
/// children any table can publish (one month here).
#[derive(Debug, Clone)]
struct Atom {
    school: &'static str,
    band: &'static str,
    gender: &'static str,
    size: i64,
}

/// The atoms of a population, and the atom of each child.
fn atoms_of(children: &[Child]) -> (Vec<Atom>, Vec<usize>) {
    let mut atoms: Vec<Atom> = Vec::new();
    let mut of = Vec::new();
    for c in children {
        let at = match atoms
            .iter()
            .position(|a| a.school == c.school && a.band == c.band() && a.gender == c.gender)
        {
            Some(at) => at,
            None => {
                atoms.push(Atom {
                    school: c.school,
                    band: c.band(),
                    gender: c.gender,
                    size: 0,
                });
                atoms.len() - 1
            }
        };
        atoms[at].size += 1;
        of.push(at);
    }
    (atoms, of)
}

/// One published cell: which atoms it counts, and its figures per question.
#[derive(Debug, Clone)]
struct Cell {
    label: String,
    atoms: Vec<usize>,
    figures: BTreeMap<String, Value>,
}

fn dimension(a: &Atom, dim: &str, level: Option<&str>) -> &'static str {
    match dim {
        "unit" if level == Some("ward") => ward_of(a.school),
        "unit" => a.school,
        "age_band" => a.band,
        "gender" => a.gender,
        "period" => MONTH,
        other => panic!("unknown dimension {other}"),
    }
}

/// The cells of one reading: its total (everyone the filter takes in) and
/// each listed group.
fn cells_of(s: &Spec, body: &Value, atoms: &[Atom]) -> Vec<Cell> {
    let scope: Vec<usize> = (0..atoms.len())
        .filter(|&i| {
            s.within
                .is_none_or(|u| atoms[i].school == u || ward_of(atoms[i].school) == u)
        })
        .collect();
    let by: Vec<&str> = body["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let questions = body["questions"].as_array().unwrap();
    let figures = |pick: &dyn Fn(&Value) -> Value| -> BTreeMap<String, Value> {
        questions
            .iter()
            .map(|q| (q["key"].as_str().unwrap().to_owned(), pick(q)))
            .collect()
    };
    let name = format!("by={} level={:?} within={:?}", s.by, s.level, s.within);
    let mut out = vec![Cell {
        label: format!("{name}: total"),
        atoms: scope.clone(),
        figures: figures(&|q| q["total"].clone()),
    }];
    for (at, g) in body["groups"].as_array().unwrap().iter().enumerate() {
        let members: Vec<usize> = scope
            .iter()
            .copied()
            .filter(|&i| {
                by.iter()
                    .all(|d| g["dimensions"][*d] == dimension(&atoms[i], d, s.level))
            })
            .collect();
        assert!(!members.is_empty(), "{name}: a group of nobody listed: {g}");
        out.push(Cell {
            label: format!("{name}: {}", g["dimensions"]),
            atoms: members,
            figures: figures(&|q| q["groups"][at].clone()),
        });
    }
    out
}

/// How many children of atom `target` ranked p first, as far as the
/// published mean ranks allow. Per atom, the unknown is how many ranked p
/// first (`a`); a group of `n` has rank sums `2n − a` for p and `n + a` for
/// q. With `shared`, the adversary also uses that both means carry the same
/// noise (the same key and streams): `c′·(mean_p − mean_q)` is `n − 2a` up to
/// the two roundings.
fn ranking_candidates(atoms: &[Atom], cells: &[Cell], target: usize, shared: bool) -> Vec<i64> {
    let mut p = Problem::default();
    let a: Vec<usize> = atoms.iter().map(|at| p.var(0, at.size)).collect();
    for cell in cells {
        let f = &cell.figures["rank"];
        let Some(ranks) = f["mean_rank"].as_array() else {
            continue;
        };
        let (mp, mq) = (ranks[0].as_f64().unwrap(), ranks[1].as_f64().unwrap());
        let c = f["respondents"].as_u64().unwrap();
        let n: i64 = cell.atoms.iter().map(|&i| atoms[i].size).sum();
        let vars: Vec<usize> = cell.atoms.iter().map(|&i| a[i]).collect();
        let (lo, hi) = sum_interval(mp, c, n, 1.0, 2.0);
        p.sum(&vars, 2 * n - hi, 2 * n - lo);
        let (lo, hi) = sum_interval(mq, c, n, 1.0, 2.0);
        p.sum(&vars, lo - n, hi - n);
        let inside = |m: f64| m > 1.0 && m < 2.0;
        if shared && inside(mp) && inside(mq) {
            let (d, c) = (c as f64 * (mp - mq), c as f64);
            let (lo, hi) = strictly_between((n as f64 - d - 0.1 * c) / 2.0, (n as f64 - d + 0.1 * c) / 2.0);
            p.sum(&vars, lo, hi);
        }
    }
    (0..=atoms[target].size)
        .filter(|&v| p.fixed(a[target], v).feasible())
        .collect()
}

/// Every cell's figures agree with the truth through the public table (so
/// the truth is a solution), and two cells of the same children published the
/// same figures, whichever table they came from.
fn check_cells(public: &Public, children: &[Child], atom_of: &[usize], cells: &[Cell]) {
    let mut seen: BTreeMap<Vec<usize>, &Cell> = BTreeMap::new();
    for cell in cells {
        let members: Vec<&Child> = children
            .iter()
            .zip(atom_of)
            .filter(|(_, a)| cell.atoms.contains(a))
            .map(|(c, _)| c)
            .collect();
        for (q, columns) in CATEGORICAL {
            for j in 0..columns {
                let truth = members.iter().filter(|c| c.column(q) == j).count() as i64;
                let m = cell.figures[q]["counts"][j]["count"].as_u64().unwrap();
                let (lo, hi) = public.preimage(m);
                assert!(
                    (lo..=hi).contains(&truth),
                    "{}: {q}[{j}] = {truth} published as {m}",
                    cell.label
                );
            }
        }
        let mut key = cell.atoms.clone();
        key.sort_unstable();
        match seen.get(&key) {
            Some(first) => assert_eq!(
                first.figures, cell.figures,
                "the same children, two figures: {} and {}",
                first.label, cell.label
            ),
            None => {
                seen.insert(key, cell);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 1. Across tables
// ---------------------------------------------------------------------------

/// 31 children. School A: the rare child R (the only `other`, aged 10), five
/// girls aged 9 to 11 — among them P, who answered every question otherwise
/// than R — and fifteen boys; school B: ten boys. The girls' groups hold 5
/// children (published at most 8: no mean) with column counts of 0 or 3 for
/// R's answers and 2 for P's, so swapping R's and P's answers moves each
/// changed count to 1 or 4, whose rows publish 0 or k: whatever was published
/// before. Returns the children and R's index.
fn lone_child_population() -> (Vec<Child>, usize) {
    let a = SCHOOL_A;
    let rare = Child {
        one: 1,
        rate: 0,
        yes: true,
        num: 30,
        p_first: false,
        ..kid(a, 10, "other")
    };
    let mut children = vec![
        rare,
        // P: every answer differs from R's.
        Child {
            one: 2,
            rate: 2,
            yes: false,
            num: 70,
            p_first: true,
            ..kid(a, 10, "girl")
        },
        Child {
            one: 2,
            rate: 2,
            yes: false,
            num: 64,
            p_first: true,
            ..kid(a, 9, "girl")
        },
        Child {
            one: 0,
            rate: 1,
            yes: true,
            num: 45,
            p_first: false,
            ..kid(a, 11, "girl")
        },
        Child {
            one: 0,
            rate: 1,
            yes: true,
            num: 52,
            p_first: true,
            ..kid(a, 10, "girl")
        },
        Child {
            one: 0,
            rate: 1,
            yes: true,
            num: 38,
            p_first: false,
            ..kid(a, 9, "girl")
        },
    ];
    for i in 0..15 {
        children.push(varied(kid(a, [9, 10, 11, 12, 13, 14][i % 6], "boy"), i));
    }
    for i in 0..10 {
        children.push(varied(kid(SCHOOL_B, 12 + (i % 3) as u8, "boy"), i + 15));
    }
    (children, 0)
}

/// Attack 1, with the rare child's record key drawn from the keys for which a
/// cell of one child would publish `rare_published` (0: hidden, k: listed)
/// and every other key at random. A moderator reads every table before and
/// after the rare child's answer arrives (and the folder runs); returns the
/// tables that moved and wherever the rare group was listed. Every figure
/// read is checked against the released children through the public table.
async fn across_tables(rare_published: u64) -> (Vec<String>, Vec<Value>) {
    let w = world(false).await;
    let public = Public::new();
    let (children, rare) = lone_child_population();
    let run = public.keys_publishing(1, rare_published);
    let keyed: Vec<(Child, u32)> = children
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, if i == rare { key_in(&run) } else { random_key() }))
        .collect();
    let (others, lone): (Vec<_>, Vec<_>) = keyed.iter().enumerate().partition(|(i, _)| *i != rare);
    let others: Vec<(Child, u32)> = others.into_iter().map(|(_, c)| *c).collect();
    w.plant(&others).await;
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.attack", "moderator", None, None).await;
    let released: Vec<Child> = others.iter().map(|(c, _)| *c).collect();
    let (atoms, atom_of) = atoms_of(&released);
    let read_all = async || {
        let mut tables = Vec::new();
        let mut cells = Vec::new();
        for s in every_table() {
            let body = w.read(&w.query(&s), Some(&moderator)).await;
            cells.extend(cells_of(&s, &body, &atoms));
            tables.push((w.query(&s), figures(&body)));
        }
        (tables, cells)
    };
    let (before, cells) = read_all().await;
    check_cells(&public, &released, &atom_of, &cells);

    w.plant(&lone.into_iter().map(|(_, c)| *c).collect::<Vec<_>>()).await;
    w.app.release().await;
    let (after, _) = read_all().await;
    let moved: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.clone())
        .collect();
    let mut rare_group = Vec::new();
    for s in every_table() {
        let body = w.read(&w.query(&s), Some(&moderator)).await;
        for g in body["groups"].as_array().into_iter().flatten() {
            if g["gender"] == "other" {
                rare_group.push(json!({"table": w.query(&s), "group": g}));
            }
        }
    }
    (moved, rare_group)
}

/// Attack 1 (across tables), for every key of the lone child: under the
/// survey-wide releases this attack was written against, 48 tables solved
/// together fixed the hidden child's answers (total × mean minus the shown
/// groups), and under one key in k its group was listed with every answer.
/// Releases are per cell now: the child is alone in its cell (school, age
/// band, gender, month), so its answer never makes a release. Every table a
/// moderator can ask for reads the same, figure for figure, before and after
/// it; the group `other` is listed nowhere; and what is published agrees with
/// the other children through the public table.
#[actix_web::test]
async fn across_tables_a_lone_child_is_in_no_figure() {
    for rare_published in [0, K] {
        let (moved, rare_group) = across_tables(rare_published).await;
        assert!(moved.is_empty(), "the lone child moved {moved:?}");
        assert!(
            rare_group.is_empty(),
            "the lone child's group is listed: {rare_group:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 2. Consistency
// ---------------------------------------------------------------------------

/// Attack 2 (the same children by two paths, and asking again): every path to
/// one set of children publishes the same figures, because a figure is a
/// function of the children's true count and the sum of their record keys
/// only. School A by filter, as the group of `by=unit`, as its ward (A is the
/// only school there with answers) by group and by filter; A's girls three
/// ways; everyone as the total of every breakdown, as the only month, and as
/// the whole month's window. Twenty repeats of a request give the same bytes:
/// re-asking or re-slicing adds no equation to the attacker's system.
#[actix_web::test]
async fn the_same_children_publish_the_same_figures_by_every_path_and_every_time() {
    let w = world(false).await;
    let mut i = 0;
    // Every cell (school, age band, gender) holds five or more children, so
    // every one is released.
    for (school, count) in [(SCHOOL_A, 20), (SCHOOL_B, 10)] {
        for n in 0..count {
            let gender = if n % 2 == 0 { "girl" } else { "boy" };
            let age = if school == SCHOOL_A { 9 + (n % 3) } else { 12 + (n % 3) };
            w.submit(&varied(kid(school, age as u8, gender), i)).await;
            i += 1;
        }
    }
    for n in 0..5 {
        w.submit(&varied(kid(SCHOOL_A, 12 + n % 3, "other"), i)).await;
        i += 1;
    }
    w.app.release().await;
    let admin = w.app.admin();
    let read = async |q: &str| w.read(q, admin).await;
    let (a, ward_a, b) = (&w.units[SCHOOL_A], &w.units[WARD_A], &w.units[SCHOOL_B]);

    // School A (25 children: never published as 0, so always listed).
    let by_filter = total(&read(&format!("?unit_id={a}")).await);
    let paths = [
        group(&read("?by=unit").await, &[("unit", SCHOOL_A)]),
        group(&read("?by=unit&unit_level=ward").await, &[("unit", WARD_A)]),
        Some(total(&read(&format!("?unit_id={ward_a}")).await)),
        Some(total(&read(&format!("?unit_id={a}&by=age_band,gender")).await)),
    ];
    for p in paths {
        assert_eq!(p.as_ref(), Some(&by_filter), "school A by two paths");
    }
    assert_eq!(
        group(&read("?by=unit").await, &[("unit", SCHOOL_B)]),
        Some(total(&read(&format!("?unit_id={b}")).await))
    );
    // A's ten girls (published as 7 to 13: always more than k).
    let girls = group(&read(&format!("?by=gender&unit_id={a}")).await, &[("gender", "girl")]);
    assert!(girls.is_some(), "ten girls are always listed");
    for p in [
        group(
            &read("?by=unit,gender").await,
            &[("unit", SCHOOL_A), ("gender", "girl")],
        ),
        group(
            &read(&format!("?by=gender&unit_id={ward_a}")).await,
            &[("gender", "girl")],
        ),
        group(
            &read("?by=unit,gender&unit_level=ward").await,
            &[("unit", WARD_A), ("gender", "girl")],
        ),
    ] {
        assert_eq!(p, girls, "A's girls by two paths");
    }
    // Everyone.
    let none = read("").await;
    let everyone = total(&none);
    assert_eq!(
        group(&none, &[]),
        Some(everyone.clone()),
        "no breakdown: one group, everyone"
    );
    for q in [
        "?by=gender",
        "?by=age_band,gender",
        "?by=unit,age_band",
        "?by=unit&unit_level=ward",
        "?by=period",
        "?from=2026-11-01&to=2026-11-30",
        "?from=2026-01-01&to=2026-12-31",
    ] {
        assert_eq!(total(&read(q).await), everyone, "everyone, as the total of {q}");
    }
    assert_eq!(group(&read("?by=period").await, &[("period", MONTH)]), Some(everyone));
    // Asking again.
    for q in ["?by=age_band,gender".to_owned(), format!("?by=gender&unit_id={a}")] {
        let first = w
            .app
            .get(&format!("/api/v1/surveys/{}/results{q}", w.survey), admin)
            .await;
        for _ in 0..19 {
            let again = w
                .app
                .get(&format!("/api/v1/surveys/{}/results{q}", w.survey), admin)
                .await;
            assert_eq!(again.text, first.text, "{q} asked again");
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Over time
// ---------------------------------------------------------------------------

/// Attack 3 (before and after one child, one withdrawal, one day): a reading
/// of any table before and after one more child answers is the same, byte for
/// byte for the public, figure for figure for staff (who see one response
/// waiting), immediately and after the folder has run; four more make the
/// next release, and the released cells then count five more children. The
/// same for one withdrawal, then four. A window of days (one apart, or ending
/// mid-month) is refused: windows are whole months, and the whole month reads
/// as no window.
#[actix_web::test]
async fn readings_over_time_differ_only_by_releases_of_k() {
    let w = world(true).await;
    let mut receipts = Vec::new();
    // Ten girls of 9 to 11 and ten boys of 12 to 14: two cells of ten.
    for i in 0..20 {
        let (gender, age) = if i % 2 == 0 { ("girl", 9) } else { ("boy", 12) };
        receipts.push(w.submit(&varied(kid(SCHOOL_A, age + (i % 3) as u8, gender), i)).await);
    }
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.time", "moderator", None, None).await;
    let queries = [
        String::new(),
        "?by=gender".into(),
        "?by=age_band,gender".into(),
        format!("?unit_id={}", w.units[SCHOOL_A]),
    ];
    let snapshot = async || {
        let mut staff = Vec::new();
        let mut public = Vec::new();
        for q in &queries {
            staff.push(figures(&w.read(q, Some(&moderator)).await));
            public.push(w.read_public(q).await.text);
        }
        (staff, public)
    };
    let waiting = async || w.read("", Some(&moderator)).await["release"]["waiting"].clone();
    let first = snapshot().await;
    assert_eq!(w.released_responses().await, 20);

    // One more child: nothing moves, however long one waits.
    let late = varied(kid(SCHOOL_A, 10, "girl"), 20);
    receipts.push(w.submit(&late).await);
    assert_eq!(waiting().await, 1, "staff see that one response waits");
    assert_eq!(snapshot().await, first, "one child is not seen arriving");
    w.app.release().await;
    assert_eq!(snapshot().await, first, "one child never makes a release");

    // Four more in the same cell (school A, 9–11, girls, this month): one
    // release of five. Four in another cell would not do: each cell is
    // released with enough changes of its own.
    for i in 21..25 {
        receipts.push(w.submit(&varied(kid(SCHOOL_A, 9 + (i % 3) as u8, "girl"), i)).await);
    }
    w.app.release().await;
    let second = snapshot().await;
    assert_ne!(second, first);
    assert_eq!(w.released_responses().await, 25, "the readings differ by five children");
    assert_eq!(waiting().await, 0);
    let body = w.read("", Some(&moderator)).await;
    assert_eq!(body["release"]["number"], 2);

    // One withdrawal: nothing moves until four more changes join it in its
    // cell (children 0, 2, 6, 8 and 12 are all girls of 9 to 11).
    withdraw(&w.app, &receipts[0]).await;
    assert_eq!(snapshot().await, second, "one withdrawal is not seen");
    w.app.release().await;
    assert_eq!(snapshot().await, second, "one withdrawal never makes a release");
    assert_eq!(waiting().await, 1);
    for i in [2, 6, 8] {
        withdraw(&w.app, &receipts[i]).await;
    }
    // A withdrawal in another cell does not complete it.
    withdraw(&w.app, &receipts[1]).await;
    w.app.release().await;
    assert_eq!(snapshot().await, second, "four and one in two cells make no release");
    assert_eq!(waiting().await, 5);
    withdraw(&w.app, &receipts[12]).await;
    w.app.release().await;
    assert_ne!(snapshot().await, second);
    assert_eq!(w.released_responses().await, 20);
    assert_eq!(waiting().await, 1, "the other cell's withdrawal still waits");

    // Windows are whole months: no day can be differenced.
    for bad in [
        "from=2026-11-24&to=2026-11-24",
        "from=2026-11-24&to=2026-11-25",
        "from=2026-11-25&to=2026-11-25",
        "from=2026-11-01&to=2026-11-24",
        "from=2026-11-25",
        "to=2026-11-24",
        "from=2026-11-02&to=2026-11-30",
    ] {
        for path in [
            format!("/api/v1/surveys/{}/results?{bad}", w.survey),
            format!("/api/v1/public/surveys/{}/results?{bad}", w.survey),
        ] {
            let token = if path.contains("/public/") {
                None
            } else {
                Some(moderator.as_str())
            };
            w.app.get(&path, token).await.assert_problem(400, "invalid_query");
        }
    }
    let month = w.read("?from=2026-11-01&to=2026-11-30", Some(&moderator)).await;
    assert_eq!(figures(&month), figures(&w.read("", Some(&moderator)).await));
}

/// Attack 3b (a release split across schools): a release that took in k
/// changes over the whole survey let a unit filter (or a breakdown, or a
/// month) see only its share of them. The facilitator of school A reads the
/// school's results; four children of school B and one of A then answer.
/// Cells with the same records publish the same count, so when the five were
/// released together every column of A's reading that did not gain the child
/// stayed the same, and the column that gained it changed for about five keys
/// in six: the child's answers, with no answer of the adversary's own. The
/// test draws the child's key among those for which its columns would change.
/// Releases are now per cell (unit, age band, gender, month): A's reading
/// does not move; once four more children of the late child's cell answer,
/// the five are released together and the reading moves by five children,
/// so the single-child solver no longer holds.
#[actix_web::test]
async fn a_release_split_across_schools_shows_one_child_to_a_school_reading() {
    let w = world(false).await;
    let public = Public::new();
    // The late child of school A, with a key that moves its columns.
    let late = Child {
        one: 1,
        rate: 2,
        yes: false,
        ..kid(SCHOOL_A, 13, "girl")
    };
    // School A's children with random keys, drawn again in the rare case
    // that no key moves every column of the late child at once.
    let (school_a, key) = loop {
        let mut school_a = Vec::new();
        for i in 0..12 {
            let gender = ["girl", "boy"][i % 2];
            school_a.push((varied(kid(SCHOOL_A, 12 + (i % 3) as u8, gender), i), random_key()));
        }
        let column_key = |q: &str| {
            let members: Vec<u32> = school_a
                .iter()
                .filter(|(c, _)| c.column(q) == late.column(q))
                .map(|(_, k)| *k)
                .collect();
            (members.len(), members.iter().fold(0_u32, |s, k| s.wrapping_add(*k)))
        };
        // Keys spread over the whole range, searched in order.
        let key = (0..2_000_000_u32).map(|i| i.wrapping_mul(2_654_435_761)).find(|&r| {
            CATEGORICAL.iter().all(|&(q, _)| {
                let (n, k) = column_key(q);
                public.perturb(n, k) != public.perturb(n + 1, k.wrapping_add(r))
            })
        });
        if let Some(key) = key {
            break (school_a, key);
        }
    };
    let school_b: Vec<(Child, u32)> = (0..10)
        .map(|i| (varied(kid(SCHOOL_B, 13, "boy"), i + 12), random_key()))
        .collect();
    w.plant(&[school_a.clone(), school_b].concat()).await;
    w.app.release().await;
    let (_, facilitator) = w.app.user("tpt.a", "facilitator", Some(&w.units[SCHOOL_A]), None).await;
    let before = w.read("", Some(&facilitator)).await;

    let others: Vec<(Child, u32)> = (0..4)
        .map(|i| (varied(kid(SCHOOL_B, 12, "boy"), i + 30), random_key()))
        .collect();
    w.plant(&[others, vec![(late, key)]].concat()).await;
    w.app.release().await;
    let after = w.read("", Some(&facilitator)).await;
    assert_eq!(after["release"]["number"], 1, "no cell had five changes of its own");
    assert_eq!(
        figures(&after),
        figures(&before),
        "school A's reading does not show the late child"
    );

    // Four more girls of 13 at school A: the late child's cell releases, and
    // school A's reading moves by five children, not one.
    let same_cell: Vec<(Child, u32)> = (0..4)
        .map(|i| (varied(kid(SCHOOL_A, 13, "girl"), i + 40), random_key()))
        .collect();
    w.plant(&same_cell).await;
    w.app.release().await;
    let after = w.read("", Some(&facilitator)).await;
    assert_eq!(after["release"]["number"], 2, "the cell's five changes made a release");
    assert_ne!(figures(&after), figures(&before));
    assert_eq!(
        w.released_responses().await,
        22 + 5,
        "the reading moved by the five children of one cell; the four of school B still wait"
    );
}

// ---------------------------------------------------------------------------
// 4. Small groups
// ---------------------------------------------------------------------------

/// Attack 4 (means and quartiles of small groups, listing of small groups):
/// five children aged 6 to 8, three aged 15 to 17 and 24 aged 12 to 14. In
/// every table, whatever the keys: the group of exactly five has no mean, no
/// median and no quartiles (its count publishes at most 8, under the mean's
/// 10 and the quartiles' 20); the group of three is listed only as 5 (rows 1
/// to 4 publish 0 or k), also without a mean; the group of 24 has its mean and
/// quartiles; nowhere a count from 1 to 4, a minimum or a maximum.
#[actix_web::test]
async fn small_groups_publish_no_small_counts_means_or_quartiles() {
    let w = world(false).await;
    let mut i = 0;
    let mut add = async |age: u8, count: usize| {
        for n in 0..count {
            let gender = if age < 9 { "girl" } else { ["girl", "boy"][n % 2] };
            w.submit(&Child {
                num: 3 + (i * 13 % 90) as i64,
                ..varied(kid(SCHOOL_A, age, gender), i)
            })
            .await;
            i += 1;
        }
    };
    add(7, 5).await;
    add(16, 3).await;
    add(13, 24).await;
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.small", "moderator", None, None).await;
    let a = &w.units[SCHOOL_A];
    let stats = |f: &Value| (f[3]["stats"].clone(), f[4]["mean_rank"].clone());
    let none = || json!({"mean": null, "median": null, "q1": null, "q3": null});
    let mut young = Vec::new();
    for q in [
        "?by=age_band".to_owned(),
        "?by=age_band,gender".into(),
        "?by=unit,age_band".into(),
        format!("?by=age_band&unit_id={a}"),
        "?by=gender".into(),
        String::new(),
    ] {
        let body = w.read(&q, Some(&moderator)).await;
        for (dims, f) in body["groups"].as_array().unwrap().iter().filter_map(|g| {
            let dims: Vec<(&str, &str)> = g["dimensions"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                .collect();
            group(&body, &dims).map(|f| (g["dimensions"].clone(), f))
        }) {
            let n = f[0]["respondents"].as_u64().unwrap();
            match dims["age_band"].as_str() {
                Some("6-8") => {
                    assert!((K..=K + D).contains(&n), "five children published as {n}");
                    assert_eq!(
                        stats(&f),
                        (none(), Value::Null),
                        "a group of five: no mean or quartiles"
                    );
                    young.push(f);
                }
                Some("15-17") => {
                    assert_eq!(n, K, "three children are listed only as k");
                    assert_eq!(stats(&f), (none(), Value::Null), "a group of three: no mean");
                }
                Some("12-14") if dims.get("gender").is_none() => {
                    let (s, ranks) = stats(&f);
                    assert!(n >= 21 && s["mean"].is_number() && s["median"].is_number() && s["q1"].is_number());
                    assert!(ranks.is_array(), "24 children: mean ranks");
                }
                _ => {}
            }
        }
    }
    // The five young children are one set of records, by every path.
    assert!(young.windows(2).all(|p| p[0] == p[1]), "{young:#?}");
}

// ---------------------------------------------------------------------------
// 5. n × mean differencing
// ---------------------------------------------------------------------------

/// Attack 5 (n × mean differencing): 27 children answer a number question
/// (40 to 66), one of them (53) withdraws, and the adversary answers four
/// times itself (50 each) to make the release. It knows both true counts (27,
/// then 30) and its own answers; the other 26 sums are unknown. From the two
/// published means and counts, `27 × mean₁ − (30 × mean₂ − 200)` would be
/// the withdrawn answer, were the means exact. They are not: each carries a
/// noise `100·t/c′` with `t` anywhere strictly within ±3.5 (a whole part from
/// the regular row and a uniform fraction), drawn from another key stream.
/// So for every key, the withdrawn answer and at least one of its neighbours
/// stay possible: a value inside the range can always move by one towards the
/// side where its reading's noise has room. (The survey has no other mean
/// over the same children, whose shared noise the adversary could cancel:
/// see the ignored attack on mean ranks.)
#[actix_web::test]
async fn n_times_mean_differencing_leaves_a_withdrawn_answer_in_noise() {
    let w = world(false).await;
    let code = &w.codes[SCHOOL_A];
    let mut receipts = Vec::new();
    for i in 0..27 {
        let gender = ["girl", "boy"][i % 2];
        let answers = json!({"one": "a", "num": 40 + i});
        receipts.push(answer(&w.app, code, 12, gender, answers).await);
    }
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.mean", "moderator", None, None).await;
    let num = async || {
        let body = w.read("", Some(&moderator)).await;
        let t = question(&body, "num")["total"].clone();
        (t["stats"]["mean"].as_f64().unwrap(), t["respondents"].as_u64().unwrap())
    };
    let (m1, c1) = num().await;
    let target = 53;
    withdraw(&w.app, &receipts[13]).await;
    for _ in 0..4 {
        answer(&w.app, code, 12, "boy", json!({"one": "a", "num": 50})).await;
    }
    w.app.release().await;
    let (m2, c2) = num().await;
    assert_eq!(w.read("", Some(&moderator)).await["release"]["number"], 2);

    // Unknowns: the 26 others' sum, and the withdrawn answer.
    let mut p = Problem::default();
    let (others, x) = (p.var(0, 2600), p.var(0, 100));
    let (lo, hi) = sum_interval(m1, c1, 27, 0.0, 100.0);
    p.sum(&[others, x], lo, hi);
    let (lo, hi) = sum_interval(m2, c2, 30, 0.0, 100.0);
    p.sum(&[others], lo - 200, hi - 200);
    let candidates: Vec<i64> = (0..=100).filter(|&v| p.fixed(x, v).feasible()).collect();
    let naive = 27.0 * m1 - (30.0 * m2 - 200.0);
    assert!(
        candidates.contains(&target),
        "the solver lost the truth: {candidates:?}"
    );
    assert!(
        candidates.len() >= 2,
        "the withdrawn answer is learned: means {m1} over {c1}, {m2} over {c2} → {candidates:?} (naive {naive})"
    );
}

/// Once an attack: all means of one group drew the same noise. The mean rank
/// of each option is `mid + (S_i − n·mid + t) / c′` with one `t` for every
/// option (and every number question) of the same respondents: the key and
/// the key streams were the group's, not the question's or the option's. The
/// rank sums of a two-option ranking add up to `3n`, so the noise cancelled
/// in `mean_p − mean_q = (n − 2a) / c′`, `a` the children ranking p first, and
/// a facilitator read `a` for the school and for its girls, hence for the
/// small group `other` (once a single hidden child; with releases per cell a
/// group of five). Each mean's streams now come from the question and the
/// option as well as the key: taken one by one, the means leave `a` known
/// only within about ±4, and the five children's count keeps several values
/// whatever the keys.
#[actix_web::test]
async fn mean_ranks_of_one_group_carry_noises_of_their_own() {
    let w = world(false).await;
    let public = Public::new();
    // Ten girls (four rank p first) and five children `other` (all rank p
    // first): two cells of five or more, both released.
    let girls = (0..10).map(|i| Child {
        p_first: i < 4,
        ..varied(kid(SCHOOL_A, 12 + (i % 3) as u8, "girl"), i)
    });
    let others = (0..5).map(|i| Child {
        p_first: true,
        ..varied(kid(SCHOOL_A, 12 + (i % 3) as u8, "other"), i + 20)
    });
    let planted: Vec<(Child, u32)> = girls.chain(others).map(|c| (c, random_key())).collect();
    w.plant(&planted).await;
    w.app.release().await;
    let (_, facilitator) = w
        .app
        .user("tpt.rank", "facilitator", Some(&w.units[SCHOOL_A]), None)
        .await;
    let children: Vec<Child> = planted.iter().map(|(c, _)| *c).collect();
    let (atoms, atom_of) = atoms_of(&children);
    let mut cells = Vec::new();
    for s in [spec(""), spec("gender"), spec("age_band,gender")] {
        let body = w.read(&w.query(&s), Some(&facilitator)).await;
        cells.extend(cells_of(&s, &body, &atoms));
    }
    check_cells(&public, &children, &atom_of, &cells);
    let target = atom_of[10];
    // Once an attack: every mean of a group drew the same noise, so the
    // difference of two mean ranks counted children exactly. Each now has a
    // noise of its own; taken one by one they leave several counts.
    let alone = ranking_candidates(&atoms, &cells, target, false);
    assert!(alone.contains(&5), "the solver lost the truth");
    let shared = alone.clone();
    let ranks: Vec<String> = cells
        .iter()
        .map(|c| {
            let f = &c.figures["rank"];
            format!("{}: {} × {}", c.label, f["respondents"], f["mean_rank"])
        })
        .collect();
    assert!(
        shared.len() >= 2,
        "the small group's rankings are learned: {shared:?} (each mean alone: {alone:?}); mean ranks [p, q]: {ranks:#?}"
    );
}

// ---------------------------------------------------------------------------
// 6. Roles and the public
// ---------------------------------------------------------------------------

/// Attack 6 (who may ask): for a survey whose results are public, the public
/// endpoint publishes exactly the figures staff see, for every table, and
/// never what waits (not even after one more child answers: its body does not
/// change by a byte). A moderator sees what an admin sees; a facilitator sees
/// their unit's cells only (their unfiltered reading is the admin's reading
/// filtered to their unit, and another unit is refused).
#[actix_web::test]
async fn the_public_moderators_and_facilitators_see_nothing_more() {
    let w = world(true).await;
    let mut i = 0;
    // Cells of five or more: seven girls and seven boys of 9 to 11 at
    // school A, five and five of 12 to 14 at school B.
    for (school, count) in [(SCHOOL_A, 14), (SCHOOL_B, 10)] {
        for n in 0..count {
            let gender = ["girl", "boy"][n % 2];
            let age = if school == SCHOOL_A { 9 } else { 12 } + (n % 3) as u8;
            w.submit(&varied(kid(school, age, gender), i)).await;
            i += 1;
        }
    }
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.roles", "moderator", None, None).await;
    let (_, facilitator) = w
        .app
        .user("tpt.roles", "facilitator", Some(&w.units[SCHOOL_A]), None)
        .await;
    let admin = w.app.admin();
    let without_waiting = |body: &Value| json!({"groups": body["groups"], "questions": body["questions"]});
    let mut public_before = Vec::new();
    for s in every_table() {
        let q = w.query(&s);
        let staff = w.read(&q, admin).await;
        let public = w.read_public(&q).await;
        assert_eq!(
            public.body["release"].get("waiting"),
            None,
            "the public never sees what waits"
        );
        assert_eq!(public.body["release"].get("next_release_at"), None);
        assert_eq!(public.body["release"]["number"], staff["release"]["number"]);
        assert_eq!(without_waiting(&public.body), without_waiting(&staff), "{q}");
        assert_eq!(
            without_waiting(&w.read(&q, Some(&moderator)).await),
            without_waiting(&staff)
        );
        public_before.push(public.text);
    }
    // The facilitator of A: A's cells, and nothing else.
    let a = &w.units[SCHOOL_A];
    for (own, as_admin) in [
        (String::new(), format!("?unit_id={a}")),
        ("?by=gender".into(), format!("?by=gender&unit_id={a}")),
        ("?by=unit".into(), format!("?by=unit&unit_id={a}")),
        ("?by=age_band,gender".into(), format!("?by=age_band,gender&unit_id={a}")),
        (
            "?by=unit&unit_level=ward".into(),
            format!("?by=unit&unit_level=ward&unit_id={a}"),
        ),
    ] {
        let got = w.read(&own, Some(&facilitator)).await;
        assert_eq!(
            without_waiting(&got),
            without_waiting(&w.read(&as_admin, admin).await),
            "{own}"
        );
    }
    let by_unit = w.read("?by=unit", Some(&facilitator)).await;
    assert_eq!(by_unit["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_unit["groups"][0]["dimensions"], json!({"unit": SCHOOL_A}));
    for other in [SCHOOL_B, WARD_B] {
        w.app
            .get(
                &format!("/api/v1/surveys/{}/results?unit_id={}", w.survey, w.units[other]),
                Some(&facilitator),
            )
            .await
            .assert_problem(404, "not_found");
    }
    // One more child at school B: the facilitator of A is never told how
    // many changes wait survey-wide (a live count that would show them a
    // child answering at another unit); admins and moderators are.
    let facilitator_before = w.read("", Some(&facilitator)).await;
    assert_eq!(facilitator_before["release"].get("waiting"), None);
    w.submit(&varied(kid(SCHOOL_B, 13, "girl"), 98)).await;
    let facilitator_after = w.read("", Some(&facilitator)).await;
    assert_eq!(facilitator_after, facilitator_before, "a child at B seen from A");
    assert_eq!(w.read("", Some(&moderator)).await["release"]["waiting"], 1);
    // One more child: the public sees no change at all.
    w.submit(&varied(kid(SCHOOL_A, 10, "girl"), 99)).await;
    for (s, before) in every_table().into_iter().zip(&public_before) {
        assert_eq!(&w.read_public(&w.query(&s)).await.text, before);
    }
}

// ---------------------------------------------------------------------------
// 7. The known limit: n − 1
// ---------------------------------------------------------------------------

/// The known limit (the "n − 1" attack), asserting only what holds. A
/// brand-new survey's first release needs k responses in a cell; the adversary
/// joins its session k − 1 times itself as a child of the real child's cell
/// (all answering `a`, rating 2, yes) and waits for the one real child. It
/// then knows every true count but the child's: column `b` of `one` counts 1
/// if the child chose b and 0 otherwise, and a published
/// 5 there (one key in five) names the child's answer; `a` published as 6 to 8
/// says 5, so the child chose `a`. The perturbation cannot hide a count the
/// adversary knows to be 0 without the child; it is the join caps of issue 13
/// (how many responses one person may place in a session) that stand against
/// this attack. What holds for every key, and is asserted: no count from 1 to
/// k − 1 is published, the group is listed with k or more, no mean.
#[actix_web::test]
async fn the_n_minus_one_attack_is_left_to_join_caps() {
    let w = world(false).await;
    let code = &w.codes[SCHOOL_A];
    // In the child's own cell (school A, 12 to 14, girls): answers in any
    // other cell would never be released with the child's.
    for _ in 1..K {
        answer(
            &w.app,
            code,
            12,
            "girl",
            json!({"one": "a", "rate": 2, "yn": true, "num": 50, "rank": ["p", "q"]}),
        )
        .await;
    }
    let child = Child {
        one: 1,
        rate: 0,
        yes: false,
        num: 9,
        p_first: false,
        ..kid(SCHOOL_A, 12, "girl")
    };
    w.submit(&child).await;
    w.app.release().await;
    let (_, moderator) = w.app.user("mod.n1", "moderator", None, None).await;
    for q in ["", "?by=gender", "?by=age_band,gender", "?by=unit"] {
        // `read` checks: no count from 1 to k − 1, listed groups ≥ k, no mean
        // under 10, no quartiles, no minimum or maximum.
        let body = w.read(q, Some(&moderator)).await;
        assert_eq!(body["release"]["number"], 1, "the first release");
        let t = &question(&body, "num")["total"];
        assert!(t["stats"]["mean"].is_null(), "five children: no mean");
        let n = t["respondents"].as_u64().unwrap();
        assert!(n == 0 || (K..=K + D).contains(&n), "five children published as {n}");
    }
}
