//! Disclosure control of published figures about children by the cell key
//! method (CKM) of the Australian Bureau of Statistics (TableBuilder, Thompson,
//! Broadfoot and Elazar 2013), as extended by Giessing and Tent (2019) and
//! used for the UK 2021 Census: every published count carries noise that is a
//! pure function of the records in its cell, so that the same records always
//! give the same figure and differencing two figures leaves noise, not a
//! child.
//!
//! # The method
//!
//! Each stored response gets a [`RecordKey`] once, drawn uniformly at random
//! from the `u32`s by the caller and kept secret. The key of a cell — any set
//! of responses a figure counts — is the [`CellKey`]: the sum of its record
//! keys modulo 2³². It is additive, so the key of a whole is the merge of the
//! keys of its parts (months, units) and a withdrawal takes its record key
//! out again. A cell key read as `key / 2³²` is a position in `[0, 1)`.
//!
//! The published count of a cell with true count `n` is read from a
//! perturbation table ([`PTable`]): row `n` is a probability distribution over
//! published values, and the position of the cell key in that row's
//! cumulative distribution picks the value. The table depends only on the
//! [`Policy`]; nothing random happens when it is built or read.
//!
//! Because the published value is a function of `(n, key)` only, two cells
//! with the same records always publish the same figure, whatever query,
//! breakdown, filter or order of merging produced them: repeating or
//! re-slicing a query gains nothing. Two cells whose record sets differ by at
//! least one record have keys whose difference is a signed sum of record keys
//! the other lacks, hence uniform and independent of the first key: their
//! noises are independent draws. In particular two cells of nearby counts
//! never share noise unless they are the same records (then they have the same
//! count too). The key is used as it is for counts (as ABS does); magnitudes
//! use other, mixed derivations of it (see [`PTable::publish_mean`]).
//!
//! # Parameters
//!
//! See [`Params`] for each parameter, its default and its floor: the
//! threshold `k` (ptable's `js` is `k − 1`), the largest noise `D`, the noise
//! variance `V`, the smallest group for a mean and for quartiles, and the
//! release step.
//!
//! # Rules for callers
//!
//! - **Zero stays zero**: a cell with no records is published as 0, and a
//!   published 0 may also stand for a true count in `1..=k` (see below).
//! - **Small counts never as themselves**: no true count in `1..k` is ever
//!   published as itself, and no published count lies in `1..k`.
//! - **Totals are their own cells**: a total (a group, a column, the grand
//!   total, a ward over its schools, a year over its months) is perturbed with
//!   its own true count and its own key (the merge of its parts' keys), never
//!   summed from perturbed parts. Published tables are therefore not exactly
//!   additive; say so to users.
//! - **Shares from published counts**: a share is a published count over the
//!   published total of the group it belongs to ([`share`]), never over the
//!   sum of the cells shown.
//! - **Means need `mean_min`, quartiles need `quantile_min`**: counted on the
//!   group's *published* count; below it nothing is published. Means come from
//!   a perturbed sum over the perturbed count; quartiles carry their own noise;
//!   the minimum and maximum of a group are never published.
//! - **Releases**: figures change only in releases, each taking in at least
//!   `release_step` new responses or withdrawals since the last one
//!   ([`releases`]); closing a survey or session does not lower that bar.
//!   Time windows are whole periods.
//!
//! # What it does not protect against
//!
//! - Leaked record keys: the noise of a cell is public knowledge to anyone who
//!   knows the keys of its records. Keys must never leave storage.
//! - Averaging many *different* cells: each distinct record set has its own
//!   noise; a reader able to form very many overlapping cells and solve them
//!   together can shrink the noise (the reconstruction attacks of Dinur and
//!   Nissim). The CKM gives no formal privacy budget; releases, whole-period
//!   windows and join caps keep the number of distinct cells small.
//! - The "n − 1" attack on its own: whoever supplies `k − 1` of the `k`
//!   responses of a release sees the last child's answer behind noise of width
//!   up to `2D` only; it is the join caps that limit that supply.
//! - Bounds: the table is public, so a published `m` tells that the true count
//!   lies in `m − D ..= m + D` (or `0..=k` for a published 0, `1..=k + D` for a
//!   published `k`).
//! - Group disclosure: a count of 0 (or of everyone) in a large group says
//!   what no one (everyone) in it answered. Accepted by design.
//! - Answers outside the range the caller declares for a mean or quartiles:
//!   the noise is scaled to that range, so out-of-range values are not hidden.
//! - The last bit of floating point: the table is computed in `f64` with
//!   `exp`; cumulative bounds are rounded to whole keys, so a platform whose
//!   `exp` differs in its last bit moves at most a handful of the 2³² keys to
//!   a neighbouring outcome.

use std::ops::RangeInclusive;

/// The random key of one stored response, drawn uniformly from the `u32`s by
/// the caller once, when the response is stored, and never changed or shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordKey(u32);

impl RecordKey {
    /// A record key as drawn, or as restored from storage.
    pub const fn from_u32(key: u32) -> RecordKey {
        RecordKey(key)
    }

    /// The key to store (fits an `i64` column as it is).
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// The key of a set of records: the sum of their record keys modulo 2³².
///
/// Additive: the key of a union of disjoint sets is the merge of their keys,
/// in any order or grouping, and removing a record (or unmerging a part)
/// undoes adding it. The empty set has [`CellKey::ZERO`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CellKey(u32);

impl CellKey {
    /// The key of no records.
    pub const ZERO: CellKey = CellKey(0);

    /// A cell key as restored from storage (a stored tally's key).
    pub const fn from_u32(key: u32) -> CellKey {
        CellKey(key)
    }

    /// The key to store (fits an `i64` column as it is).
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The key of a set of records.
    pub fn of(records: impl IntoIterator<Item = RecordKey>) -> CellKey {
        records.into_iter().fold(CellKey::ZERO, CellKey::add)
    }

    /// The key with one more record.
    #[must_use]
    pub const fn add(self, record: RecordKey) -> CellKey {
        CellKey(self.0.wrapping_add(record.0))
    }

    /// The key without a record it holds (a withdrawal or erasure).
    #[must_use]
    pub const fn remove(self, record: RecordKey) -> CellKey {
        CellKey(self.0.wrapping_sub(record.0))
    }

    /// The key of the union of two disjoint sets of records.
    #[must_use]
    pub const fn merge(self, other: CellKey) -> CellKey {
        CellKey(self.0.wrapping_add(other.0))
    }

    /// The key without a part it holds.
    #[must_use]
    pub const fn unmerge(self, part: CellKey) -> CellKey {
        CellKey(self.0.wrapping_sub(part.0))
    }

    /// The key's position in `[0, 1)`: `key / 2³²`.
    pub fn position(self) -> f64 {
        f64::from(self.0) / KEYS
    }

    /// A second key for a separate noise draw of the same cell: MurmurHash3's
    /// 32-bit finaliser (a bijection with full avalanche) applied to
    /// `key XOR (stream × 0x9E3779B9)`. Different streams of one key behave
    /// as independent uniform draws, and independent of the run of keys the
    /// count's outcome was picked from.
    fn stream(self, stream: u32) -> u32 {
        let mut h = self.0 ^ stream.wrapping_mul(0x9E37_79B9);
        h ^= h >> 16;
        h = h.wrapping_mul(0x85EB_CA6B);
        h ^= h >> 13;
        h = h.wrapping_mul(0xC2B2_AE35);
        h ^ (h >> 16)
    }
}

impl From<RecordKey> for CellKey {
    fn from(record: RecordKey) -> CellKey {
        CellKey::ZERO.add(record)
    }
}

/// The number of cell keys, 2³².
const KEYS: f64 = 4_294_967_296.0;

/// Every row `n ≥ 1` of every valid table has at least two outcomes each at
/// least this likely, so no count is ever published with near certainty of
/// its true value.
pub const OUTCOME_FLOOR: f64 = 0.05;

/// In every row `n ≥ 1` of every valid table the true value is published with
/// probability below this (0 for `n < k`; at most about 0.40 in regular rows,
/// where `V ≥ 1`).
pub const STAY_CAP: f64 = 0.5;

/// Disclosure parameters as given, before they are checked against their
/// floors by [`Policy::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// `k`: true counts `1..k` are never published as themselves, and no
    /// published count lies in `1..k`. Default 5. At least 3 (a count of 2
    /// tells each of two children what the other answered) and at most 20 (a
    /// count of 1 is published as `k` with probability `1/k`, which must stay
    /// at or above [`OUTCOME_FLOOR`]).
    pub threshold: u64,
    /// `D`: the largest noise of a count of at least `k + 1`. Default 3. At
    /// least 2 and below `k`, so that a published count of `2k` or more comes
    /// from a true count above `k` and the noise never swamps a count that may
    /// be published. Only a true count of exactly `k` may move further: to 0.
    pub max_noise: u64,
    /// `V`: the variance of the noise of counts of at least `k + D`. Default
    /// 2.0. At least 1: at `V = 1` the true value is published with
    /// probability about 0.40, and lower values soon make it the usual
    /// outcome. At most `D`: that is below `D(D + 1)/3`, the variance of the
    /// uniform distribution on `n − D ..= n + D`, so the regular rows can meet
    /// `V` exactly and stay peaked on the true value, and it keeps two outcomes
    /// of at least [`OUTCOME_FLOOR`] in every row, which a flat row over many
    /// values (a large `D` with `V` near `D²/3`) would not.
    pub variance: f64,
    /// The smallest *published* group count for which a mean is published.
    /// Default 10. At least `2k`: as `D < k`, a published count of `2k` or
    /// more comes from at least `k + 2` children, so one child's answer weighs
    /// at most `1/(k + 2)` of the mean.
    pub mean_min: u64,
    /// The smallest *published* group count for which the median and
    /// quartiles are published. Default 20. At least `mean_min` and at least
    /// `4k`, so each quarter of the group holds about `k` children or more.
    pub quantile_min: u64,
    /// How many responses taken in or withdrawn since the last release make
    /// the next one. Default 5. At least `k`, so any difference between two
    /// readings spans at least `k` children.
    pub release_step: u64,
}

impl Params {
    /// k = 5, D = 3, V = 2, means from 10, quartiles from 20, releases of 5.
    pub const DEFAULT: Params = Params {
        threshold: 5,
        max_noise: 3,
        variance: 2.0,
        mean_min: 10,
        quantile_min: 20,
        release_step: 5,
    };
}

impl Default for Params {
    fn default() -> Params {
        Params::DEFAULT
    }
}

/// Disclosure parameters that meet their floors (see [`Params`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy(Params);

/// A parameter below its floor (or above its ceiling); one variant per rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the threshold must be at least 3")]
    ThresholdBelowThree,
    #[error("the threshold must be at most 20")]
    ThresholdAboveTwenty,
    #[error("the largest noise must be at least 2")]
    NoiseBelowTwo,
    #[error("the largest noise must be below the threshold")]
    NoiseNotBelowThreshold,
    #[error("the noise variance must be a number of at least 1")]
    VarianceBelowOne,
    #[error("the noise variance must not exceed the largest noise")]
    VarianceAboveNoise,
    #[error("the smallest group for a mean must be at least twice the threshold")]
    MeanMinBelowTwiceThreshold,
    #[error("the smallest group for quartiles must be at least the smallest group for a mean")]
    QuantileMinBelowMeanMin,
    #[error("the smallest group for quartiles must be at least four times the threshold")]
    QuantileMinBelowFourThresholds,
    #[error("a release must take in at least threshold responses")]
    ReleaseStepBelowThreshold,
}

impl Policy {
    /// k = 5, D = 3, V = 2, means from 10, quartiles from 20, releases of 5.
    pub const DEFAULT: Policy = Policy(Params::DEFAULT);

    /// Checks every floor and ceiling of [`Params`], in the order of its
    /// fields, and refuses the first one broken.
    pub fn new(params: Params) -> Result<Policy, PolicyError> {
        let Params {
            threshold: k,
            max_noise: d,
            variance: v,
            mean_min,
            quantile_min,
            release_step,
        } = params;
        if k < 3 {
            Err(PolicyError::ThresholdBelowThree)
        } else if k > 20 {
            Err(PolicyError::ThresholdAboveTwenty)
        } else if d < 2 {
            Err(PolicyError::NoiseBelowTwo)
        } else if d >= k {
            Err(PolicyError::NoiseNotBelowThreshold)
        } else if v.is_nan() || v < 1.0 {
            Err(PolicyError::VarianceBelowOne)
        } else if v > d as f64 {
            Err(PolicyError::VarianceAboveNoise)
        } else if mean_min < 2 * k {
            Err(PolicyError::MeanMinBelowTwiceThreshold)
        } else if quantile_min < mean_min {
            Err(PolicyError::QuantileMinBelowMeanMin)
        } else if quantile_min < 4 * k {
            Err(PolicyError::QuantileMinBelowFourThresholds)
        } else if release_step < k {
            Err(PolicyError::ReleaseStepBelowThreshold)
        } else {
            Ok(Policy(params))
        }
    }

    /// The parameters as checked.
    pub fn params(&self) -> Params {
        self.0
    }

    /// `k`: no count in `1..k` is published.
    pub fn threshold(&self) -> u64 {
        self.0.threshold
    }

    /// `D`: the largest noise of a count above `k`.
    pub fn max_noise(&self) -> u64 {
        self.0.max_noise
    }

    /// `V`: the noise variance of counts from `k + D`.
    pub fn variance(&self) -> f64 {
        self.0.variance
    }

    /// The smallest published group count with a mean.
    pub fn mean_min(&self) -> u64 {
        self.0.mean_min
    }

    /// The smallest published group count with quartiles.
    pub fn quantile_min(&self) -> u64 {
        self.0.quantile_min
    }

    /// The changes that make a release.
    pub fn release_step(&self) -> u64 {
        self.0.release_step
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::DEFAULT
    }
}

/// One outcome of a row: the noise `m − n`, its probability, and the end
/// (exclusive) of the run of cell keys that pick it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Outcome {
    noise: i64,
    probability: f64,
    until: u64,
}

/// The perturbation table of a [`Policy`]: for each true count `n`, the
/// distribution of the published count `m`.
///
/// # Construction
///
/// Write `k` for the threshold, `D` for the largest noise, `V` for the
/// variance. Every row has mean exactly `n`.
///
/// - `n = 0`: `m = 0`.
/// - `1 ≤ n < k`: `m = k` with probability `n/k`, else `m = 0`. On the values
///   allowed (`0` and `k` or more) every unbiased distribution has
///   `E[m²] ≥ k·E[m]` (as `m² ≥ km` there), so variance at least `n(k − n)`,
///   with equality only on `{0, k}`: this is the unique unbiased row of least
///   variance. It exceeds `V`, as it must.
/// - `k ≤ n < k + D`: like ptable (Destatis), the distribution of greatest
///   entropy on the allowed values with mean `n` and variance *at most* a cap.
///   The allowed values are `max(k, n − D) ..= n + D`; for `n = k` that set
///   alone would force `m = k` with certainty, so row `k` also allows 0 (its
///   only outcome further than `D` from `n`) and its variance cap is `k − 1`,
///   the least variance of the rows below it that must jump (rows 1 and
///   `k − 1`). The other rows have cap `V`; when the cap binds, the
///   distribution is `p(m) ∝ exp(a·(m − n) + b·(m − n)²)` with `b < 0`
///   (unimodal), and when it does not, `b = 0`.
/// - `n ≥ k + D` (regular rows): the same rule on `n − D ..= n + D`, where by
///   symmetry it is `p(m) ∝ exp(b·(m − n)²)`: symmetric, variance exactly `V`
///   (`V ≤ D ≤ D(D + 1)/3`, the variance of the uniform distribution there,
///   so the cap always binds or, at `D = 2 = V`, is met exactly by the
///   uniform). All these rows are the one distribution of `m − n`, shifted.
///
/// The multipliers `(a, b)` are found by Newton's method, with backtracking,
/// on the convex dual `log Σ exp(a·d + b·d²) − b·cap`, to within about 1e-13.
/// Over the valid policies every row `n ≥ 1` has at least two outcomes of
/// probability at least [`OUTCOME_FLOOR`] and publishes `n` itself with
/// probability below [`STAY_CAP`] (the tests check both across the whole
/// parameter space).
///
/// # Lookup
///
/// The outcomes of a row, in increasing order of `m`, split `[0, 2³²)` into
/// consecutive runs of keys of length `p · 2³²` (rounded to whole keys); the
/// run that holds the cell key picks `m`. This is ABS's lookup: the cell key
/// used as it is, so the same records always publish the same count.
#[derive(Debug, Clone, PartialEq)]
pub struct PTable {
    policy: Policy,
    /// Rows `0 ..= k + D`; the last is the regular row, shifted for larger `n`.
    rows: Vec<Vec<Outcome>>,
}

/// Published means and quartiles are rounded to this many decimals.
const DECIMALS: i32 = 1;

/// Median and quartiles of a group, as published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quartiles {
    /// The lower quartile.
    pub q1: f64,
    pub median: f64,
    /// The upper quartile.
    pub q3: f64,
}

/// Stream numbers of the magnitude noise draws (see [`CellKey::stream`]):
/// for each published magnitude, one stream for the whole part of the noise
/// and one for its fraction.
const MEAN_STREAMS: (u32, u32) = (1, 2);
const QUARTILE_STREAMS: [(u32, u32); 3] = [(3, 4), (5, 6), (7, 8)];

impl PTable {
    /// Builds the table of a policy (deterministic; a few hundred small
    /// Newton steps at most).
    pub fn new(policy: Policy) -> PTable {
        let k = policy.threshold() as i64;
        let d = policy.max_noise() as i64;
        let v = policy.variance();
        let mut rows = Vec::with_capacity((k + d + 1) as usize);
        rows.push(outcomes(&[0], &[1.0]));
        for n in 1..k {
            let up = n as f64 / k as f64;
            rows.push(outcomes(&[-n, k - n], &[1.0 - up, up]));
        }
        let jump: Vec<i64> = std::iter::once(-k).chain(0..=d).collect();
        rows.push(outcomes(&jump, &max_entropy(&jump, (k - 1) as f64)));
        for n in k + 1..k + d {
            let noises: Vec<i64> = (k - n..=d).collect();
            rows.push(outcomes(&noises, &max_entropy(&noises, v)));
        }
        let regular: Vec<i64> = (-d..=d).collect();
        let p = max_entropy(&regular, v);
        // Exactly symmetric, whatever the rounding of the solver.
        let symmetric: Vec<f64> = p.iter().zip(p.iter().rev()).map(|(a, b)| (a + b) / 2.0).collect();
        rows.push(outcomes(&regular, &symmetric));
        PTable { policy, rows }
    }

    /// The policy the table was built from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The first regular row, `k + D`: from there on every row is the same
    /// distribution of `m − n`.
    pub fn regular_from(&self) -> u64 {
        self.policy.threshold() + self.policy.max_noise()
    }

    fn outcomes_of(&self, n: u64) -> &[Outcome] {
        let last = self.rows.len().saturating_sub(1);
        let at = usize::try_from(n).map_or(last, |n| n.min(last));
        self.rows.get(at).map_or(&[], Vec::as_slice)
    }

    /// Row `n`: each published value `m` with its probability, in increasing
    /// order of `m`.
    pub fn row(&self, n: u64) -> Vec<(u64, f64)> {
        self.outcomes_of(n)
            .iter()
            .map(|o| (n.saturating_add_signed(o.noise), o.probability))
            .collect()
    }

    /// The published count of a cell with true count `n` and key `key`: the
    /// outcome of row `n` whose run of keys holds `key`. A pure function of
    /// `(n, key)`.
    pub fn perturb(&self, n: u64, key: CellKey) -> u64 {
        n.saturating_add_signed(pick(self.outcomes_of(n), key.get()))
    }

    /// The noise of a magnitude in units of the range: a regular-row noise
    /// `d` (mean 0, variance `V`, `|d| ≤ D`) drawn with the first stream plus
    /// a fraction `u` uniform in `(−½, ½)` drawn with the second, so that the
    /// noise `t = d + u` is continuous (mean 0, variance `V + 1/12`,
    /// `|t| < D + ½`) and a value cannot be read off a lattice of multiples
    /// of the range.
    fn magnitude_noise(&self, key: CellKey, (whole, fraction): (u32, u32), salt: u32) -> f64 {
        // Each magnitude of a cell (a question, an option) has streams of
        // its own, so that two means of the same children do not share
        // their noise (their difference would otherwise be noiseless).
        let (whole, fraction) = (
            whole.wrapping_add(salt.wrapping_mul(16)),
            fraction.wrapping_add(salt.wrapping_mul(16)),
        );
        let d = pick(self.outcomes_of(self.regular_from()), key.stream(whole));
        let u = (f64::from(key.stream(fraction)) + 0.5) / KEYS - 0.5;
        d as f64 + u
    }

    /// The published mean of a group of `count` values summing to `sum`, each
    /// within `range` (a number question's declared bounds; ranks `1..=r` for
    /// a ranking of `r` options), whose cell key is `key` — the key of the
    /// same group of respondents whose count is published.
    ///
    /// `None` when the group's *published* count `c' = perturb(count, key)`
    /// is below `mean_min`, or the range or sum is not finite (or the range
    /// is empty). Otherwise, with `w = hi − lo` and `mid` the middle of the
    /// range, the perturbed sum of the values less `mid` over `c'`:
    ///
    /// `mid + (sum − count·mid + w·t) / c'`
    ///
    /// where the noise `t`, counted in children moved across the whole range,
    /// is a regular-row draw plus a uniform fraction (mean 0, variance
    /// `V + 1/12`, `|t| < D + ½`), from streams of the key other than the
    /// count's. It is rounded to one decimal (halves away from zero) and then
    /// clamped into the range. Centring on `mid` lets the count's noise scale
    /// only the mean's distance from `mid` (at most `w/2`), not from 0.
    ///
    /// Bound: as `|count − c'| ≤ D` whenever `c' ≥ mean_min`, the published
    /// mean is within `w·(3D + 1)/(2c') + 0.05` of the true mean. The caller
    /// must clamp answers into `range` before summing.
    pub fn publish_mean(&self, sum: f64, count: u64, key: CellKey, range: RangeInclusive<f64>) -> Option<f64> {
        self.publish_mean_of(sum, count, key, range, 0)
    }

    /// [`PTable::publish_mean`] for the magnitude numbered `salt` of a
    /// group (say a question and an option): each has a noise of its own.
    pub fn publish_mean_of(
        &self,
        sum: f64,
        count: u64,
        key: CellKey,
        range: RangeInclusive<f64>,
        salt: u32,
    ) -> Option<f64> {
        let (lo, hi) = finite_range(&range)?;
        let published = self.perturb(count, key);
        if published < self.policy.mean_min() || !sum.is_finite() {
            return None;
        }
        let (width, mid) = (hi - lo, lo + (hi - lo) / 2.0);
        let noise = width * self.magnitude_noise(key, MEAN_STREAMS, salt);
        let mean = mid + (sum - count as f64 * mid + noise) / published as f64;
        Some(round(mean).clamp(lo, hi))
    }

    /// The published median and quartiles of a group, from its values as a
    /// histogram of `(value, how many)` in any order, each value within
    /// `range`; `key` is the key of the same group of respondents.
    ///
    /// `None` when the group's *published* count (the histogram's total,
    /// perturbed) is below `quantile_min`, or a value or the range is not
    /// finite (or the range is empty). Otherwise each quartile `q` is first
    /// computed exactly (linear interpolation between the closest ranks at
    /// position `q·(N − 1)` of the `N` sorted values), then given its own
    /// noise `w·t/c'` like a mean (a separate pair of key streams for each of
    /// Q1, median and Q3), rounded to one decimal and clamped into the range;
    /// the three are then put back in order. Each published quartile is thus
    /// within `w·(D + ½)/c' + 0.05` of the exact one, and usually not any
    /// child's raw value. The minimum and maximum are never published.
    pub fn publish_quartiles(
        &self,
        values: &[(f64, u64)],
        key: CellKey,
        range: RangeInclusive<f64>,
    ) -> Option<Quartiles> {
        self.publish_quartiles_of(values, key, range, 0)
    }

    /// [`PTable::publish_quartiles`] for the magnitude numbered `salt` of a
    /// group: its noise is its own.
    pub fn publish_quartiles_of(
        &self,
        values: &[(f64, u64)],
        key: CellKey,
        range: RangeInclusive<f64>,
        salt: u32,
    ) -> Option<Quartiles> {
        let (lo, hi) = finite_range(&range)?;
        let total = values.iter().try_fold(0_u64, |sum, &(_, n)| sum.checked_add(n))?;
        let published = self.perturb(total, key);
        if published < self.policy.quantile_min() || values.iter().any(|(v, _)| !v.is_finite()) {
            return None;
        }
        let mut sorted: Vec<(f64, u64)> = values.iter().copied().filter(|&(_, n)| n > 0).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let width = hi - lo;
        let mut q = [0.25, 0.5, 0.75];
        for (q, streams) in q.iter_mut().zip(QUARTILE_STREAMS) {
            let exact = quantile(&sorted, total, *q);
            let noisy = exact + width * self.magnitude_noise(key, streams, salt) / published as f64;
            *q = round(noisy).clamp(lo, hi);
        }
        q.sort_by(f64::total_cmp);
        let [q1, median, q3] = q;
        Some(Quartiles { q1, median, q3 })
    }
}

/// A share from published counts: `part / whole`, at most 1; `None` when the
/// whole is 0. `whole` must be the published total of the group `part`
/// belongs to (its own cell), never the sum of the cells shown.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64).min(1.0))
}

/// Whether the changes pending since the last release make a release: at
/// least `release_step` responses taken in plus withdrawn, or, once the
/// survey is closed (no more responses will come), at least the threshold
/// `k`. Until then every figure stays as it was released. A remainder
/// smaller than `k` is never released, so any two readings differ by at
/// least `k` responses.
pub fn releases(pending_added: u64, pending_removed: u64, closed: bool, policy: &Policy) -> bool {
    let waiting = pending_added.saturating_add(pending_removed);
    waiting >= policy.release_step() || (closed && waiting >= policy.threshold())
}

/// Counts of records by two attributes (say a case's status and severity),
/// as published: each pair, each row and column total and the grand total
/// is a cell of its own, perturbed with its own count and key. Rows and
/// columns are listed as given (every one, even when it counts nothing),
/// so that which exist says nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoWay {
    /// `cells[i][j]`: row `i`, column `j`.
    pub cells: Vec<Vec<u64>>,
    pub rows: Vec<u64>,
    pub columns: Vec<u64>,
    pub total: u64,
}

/// Publishes records `(row, column, key)` over the rows and columns given;
/// a record whose row or column is not among them counts in the grand
/// total only.
pub fn publish_two_way<'a>(
    records: impl IntoIterator<Item = (&'a str, &'a str, RecordKey)>,
    rows: &[&str],
    columns: &[&str],
    table: &PTable,
) -> TwoWay {
    let mut cells = vec![vec![(0u64, CellKey::ZERO); columns.len()]; rows.len()];
    let mut row_totals = vec![(0u64, CellKey::ZERO); rows.len()];
    let mut column_totals = vec![(0u64, CellKey::ZERO); columns.len()];
    let mut total = (0u64, CellKey::ZERO);
    let add = |c: &mut (u64, CellKey), key: RecordKey| {
        c.0 += 1;
        c.1 = c.1.add(key);
    };
    for (row, column, key) in records {
        add(&mut total, key);
        let i = rows.iter().position(|r| *r == row);
        let j = columns.iter().position(|c| *c == column);
        if let Some(i) = i {
            add(&mut row_totals[i], key);
        }
        if let Some(j) = j {
            add(&mut column_totals[j], key);
        }
        if let (Some(i), Some(j)) = (i, j) {
            add(&mut cells[i][j], key);
        }
    }
    let publish = |c: &(u64, CellKey)| table.perturb(c.0, c.1);
    TwoWay {
        cells: cells.iter().map(|r| r.iter().map(publish).collect()).collect(),
        rows: row_totals.iter().map(publish).collect(),
        columns: column_totals.iter().map(publish).collect(),
        total: publish(&total),
    }
}

/// The noise of the outcome whose run of keys holds `key`.
fn pick(outcomes: &[Outcome], key: u32) -> i64 {
    let key = u64::from(key);
    outcomes
        .iter()
        .find(|o| key < o.until)
        .or(outcomes.last())
        .map_or(0, |o| o.noise)
}

/// A row from its noises and probabilities: runs of keys in order.
fn outcomes(noises: &[i64], probabilities: &[f64]) -> Vec<Outcome> {
    let mut cumulative = 0.0;
    let mut row: Vec<Outcome> = noises
        .iter()
        .zip(probabilities)
        .map(|(&noise, &probability)| {
            cumulative += probability;
            Outcome {
                noise,
                probability,
                until: ((cumulative * KEYS).round().clamp(0.0, KEYS)) as u64,
            }
        })
        .collect();
    if let Some(last) = row.last_mut() {
        last.until = 1 << 32;
    }
    row
}

/// The distribution of greatest entropy over the integer noises `d` with
/// mean 0 and `E[d²] ≤ cap`.
///
/// Without the variance constraint the answer is `p ∝ exp(a·d)`; if its
/// variance is within the cap that is the answer, otherwise the cap binds and
/// `p ∝ exp(a·d + b·d²)` with `E[d²] = cap`. The caller guarantees that the
/// constraints can be met with every probability positive.
fn max_entropy(noises: &[i64], cap: f64) -> Vec<f64> {
    let d: Vec<f64> = noises.iter().map(|&d| d as f64).collect();
    let free = newton(&d, None);
    let p = weights(&d, free).0;
    if moments(&d, &p)[2] <= cap {
        p
    } else {
        weights(&d, newton(&d, Some(cap))).0
    }
}

/// `p ∝ exp(a·d + b·d²)` and `log Σ exp(a·d + b·d²)`.
fn weights(d: &[f64], (a, b): (f64, f64)) -> (Vec<f64>, f64) {
    let exponents: Vec<f64> = d.iter().map(|&d| a * d + b * d * d).collect();
    let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = exponents.iter().map(|&e| (e - top).exp()).collect();
    let total: f64 = w.iter().sum();
    (w.iter().map(|w| w / total).collect(), top + total.ln())
}

/// `E[dʲ]` for `j = 0..=4`.
fn moments(d: &[f64], p: &[f64]) -> [f64; 5] {
    let mut m = [0.0; 5];
    for (&d, &p) in d.iter().zip(p) {
        let mut power = p;
        for m in &mut m {
            *m += power;
            power *= d;
        }
    }
    m
}

/// The multipliers `(a, b)` minimising the dual `log Σ exp(a·d + b·d²) −
/// b·cap` (with `b = 0` when there is no cap), whose gradient is
/// `(E[d], E[d²] − cap)` and Hessian the covariance of `(d, d²)`.
fn newton(d: &[f64], cap: Option<f64>) -> (f64, f64) {
    let target = cap.unwrap_or(0.0);
    let dual = |l: (f64, f64)| weights(d, l).1 - l.1 * target;
    let mut l = (0.0, 0.0);
    for _ in 0..200 {
        let (p, _) = weights(d, l);
        let m = moments(d, &p);
        let g = (m[1], if cap.is_some() { m[2] - target } else { 0.0 });
        if g.0.abs() < 1e-14 && g.1.abs() < 1e-13 {
            break;
        }
        let (h11, h12, h22) = (m[2] - m[1] * m[1], m[3] - m[1] * m[2], m[4] - m[2] * m[2]);
        let step = if cap.is_some() {
            let det = h11 * h22 - h12 * h12;
            (-(h22 * g.0 - h12 * g.1) / det, -(h11 * g.1 - h12 * g.0) / det)
        } else {
            (-g.0 / h11, 0.0)
        };
        let slope = g.0 * step.0 + g.1 * step.1;
        if !(step.0.is_finite() && step.1.is_finite() && slope < 0.0) {
            break;
        }
        // Near the optimum the full step is taken: there the decrease it
        // promises (half the Newton decrement, `−slope/2`) is below the
        // rounding of the dual, so a line search could not see it.
        let here = dual(l);
        let mut t = 1.0;
        while -slope > 1e-12 && dual((l.0 + t * step.0, l.1 + t * step.1)) > here + 1e-4 * t * slope {
            t /= 2.0;
            if t < 1e-12 {
                return l;
            }
        }
        l = (l.0 + t * step.0, l.1 + t * step.1);
    }
    l
}

/// `(lo, hi)` of a finite, non-empty range.
fn finite_range(range: &RangeInclusive<f64>) -> Option<(f64, f64)> {
    let (lo, hi) = (*range.start(), *range.end());
    (lo.is_finite() && hi.is_finite() && lo <= hi).then_some((lo, hi))
}

/// Rounds to [`DECIMALS`] decimals, halves away from zero.
fn round(x: f64) -> f64 {
    let scale = 10_f64.powi(DECIMALS);
    (x * scale).round() / scale
}

/// The `q` quantile of `total` sorted values given as `(value, how many)`, by
/// linear interpolation between the closest ranks.
fn quantile(sorted: &[(f64, u64)], total: u64, q: f64) -> f64 {
    let last = total.saturating_sub(1);
    let position = q * last as f64;
    let below = (position.floor() as u64).min(last);
    let fraction = position - below as f64;
    let (a, b) = (nth(sorted, below), nth(sorted, (below + 1).min(last)));
    a + (b - a) * fraction
}

/// The `i`-th smallest value (from 0).
fn nth(sorted: &[(f64, u64)], i: u64) -> f64 {
    let mut seen: u64 = 0;
    for &(value, n) in sorted {
        seen = seen.saturating_add(n);
        if i < seen {
            return value;
        }
    }
    sorted.last().map_or(0.0, |&(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn table() -> PTable {
        PTable::new(Policy::DEFAULT)
    }

    /// `count` keys spread evenly over `[0, 2³²)`, one in the middle of each
    /// of `count` equal runs.
    fn even_keys(count: u64) -> impl Iterator<Item = CellKey> {
        (0..count).map(move |i| CellKey::from_u32((((2 * i + 1) << 32) / (2 * count)) as u32))
    }

    /// Valid policies over the whole parameter space.
    fn policies() -> impl Strategy<Value = Policy> {
        (3..=20_u64)
            .prop_flat_map(|k| (Just(k), 2..k))
            .prop_flat_map(|(k, d)| (Just(k), Just(d), 1.0..=d as f64, 0..3_u64, 0..3_u64, 0..3_u64))
            .prop_map(|(k, d, v, extra_mean, extra_quantile, extra_step)| {
                Policy::new(Params {
                    threshold: k,
                    max_noise: d,
                    variance: v,
                    mean_min: 2 * k + extra_mean,
                    quantile_min: 4 * k + extra_mean + extra_quantile,
                    release_step: k + extra_step,
                })
                .unwrap()
            })
    }

    fn mean_and_variance(row: &[(u64, f64)], n: u64) -> (f64, f64, f64) {
        let total: f64 = row.iter().map(|&(_, p)| p).sum();
        let mean: f64 = row.iter().map(|&(m, p)| m as f64 * p).sum();
        let variance: f64 = row.iter().map(|&(m, p)| (m as f64 - n as f64).powi(2) * p).sum();
        (total, mean, variance)
    }

    /// The row properties the table promises, for one row.
    fn check_row(t: &PTable, n: u64) -> Result<(), TestCaseError> {
        let policy = t.policy();
        let (k, d, v) = (policy.threshold(), policy.max_noise(), policy.variance());
        let row = t.row(n);
        let (total, mean, variance) = mean_and_variance(&row, n);
        prop_assert!((total - 1.0).abs() < 1e-12, "row {} sums to {}", n, total);
        prop_assert!((mean - n as f64).abs() < 1e-9, "row {} has mean {}", n, mean);
        prop_assert!(row.windows(2).all(|w| w[0].0 < w[1].0), "row {} out of order", n);
        for &(m, p) in &row {
            prop_assert!(p > 0.0);
            prop_assert!(m == 0 || m >= k, "row {} publishes {}", n, m);
            // Only row k may go further than D: to 0.
            if n >= k && !(n == k && m == 0) {
                prop_assert!(m.abs_diff(n) <= d, "row {} publishes {}", n, m);
            }
        }
        if n == 0 {
            prop_assert_eq!(row, vec![(0, 1.0)]);
            return Ok(());
        }
        let stay: f64 = row.iter().filter(|&&(m, _)| m == n).map(|&(_, p)| p).sum();
        prop_assert!(stay < STAY_CAP, "row {} stays with {}", n, stay);
        if n < k {
            prop_assert_eq!(stay, 0.0);
        }
        let likely = row.iter().filter(|&&(_, p)| p >= OUTCOME_FLOOR - 1e-12).count();
        prop_assert!(likely >= 2, "row {} has {} likely outcomes: {:?}", n, likely, row);
        if n >= t.regular_from() {
            prop_assert_eq!(row.len() as u64, 2 * d + 1);
            prop_assert!((variance - v).abs() < 1e-9, "row {} has variance {}", n, variance);
            for (low, high) in row.iter().zip(row.iter().rev()) {
                prop_assert_eq!(low.1, high.1);
            }
        } else if n > k {
            prop_assert!(variance <= v + 1e-9, "row {} has variance {}", n, variance);
        } else if n == k {
            prop_assert!(variance <= (k - 1) as f64 + 1e-9, "row {} has variance {}", n, variance);
        }
        Ok(())
    }

    #[test]
    fn default_rows_keep_their_promises() {
        let t = table();
        assert_eq!(t.regular_from(), 8);
        for n in 0..200 {
            check_row(&t, n).unwrap();
        }
        // The shape of the default table.
        let one = t.row(1);
        assert_eq!(one.iter().map(|&(m, _)| m).collect::<Vec<_>>(), vec![0, 5]);
        assert!((one[0].1 - 0.8).abs() < 1e-15 && (one[1].1 - 0.2).abs() < 1e-15);
        assert_eq!(t.row(4).len(), 2);
        assert_eq!(
            t.row(5).iter().map(|&(m, _)| m).collect::<Vec<_>>(),
            vec![0, 5, 6, 7, 8]
        );
        assert_eq!(
            t.row(6).iter().map(|&(m, _)| m).collect::<Vec<_>>(),
            vec![5, 6, 7, 8, 9]
        );
        assert_eq!(
            t.row(100).iter().map(|&(m, _)| m).collect::<Vec<_>>(),
            (97..=103).collect::<Vec<_>>()
        );
        let shifted: Vec<(u64, f64)> = t.row(8).iter().map(|&(m, p)| (m + 92, p)).collect();
        assert_eq!(t.row(100), shifted);
        assert_eq!(t.row(u64::MAX).last().map(|&(m, _)| m), Some(u64::MAX));
    }

    /// Every threshold and largest noise, at the variance floor, the middle
    /// of its range and its ceiling (the random policies below fill in the
    /// rest).
    #[test]
    fn every_threshold_and_noise_keeps_the_promises() {
        for k in 3..=20 {
            for d in 2..k {
                for v in [1.0, (1.0 + d as f64) / 2.0, d as f64] {
                    let params = Params {
                        threshold: k,
                        max_noise: d,
                        variance: v,
                        mean_min: 2 * k,
                        quantile_min: 4 * k,
                        release_step: k,
                    };
                    let t = PTable::new(Policy::new(params).unwrap());
                    for n in 0..=t.regular_from() + 2 {
                        check_row(&t, n).unwrap_or_else(|e| panic!("{params:?}: {e}"));
                    }
                }
            }
        }
    }

    #[test]
    fn keys_pick_outcomes_with_their_probabilities() {
        let t = table();
        for n in 0..=12 {
            let row = t.row(n);
            let mut seen = vec![0_u64; row.len()];
            for key in even_keys(10_000) {
                let m = t.perturb(n, key);
                let at = row.iter().position(|&(value, _)| value == m).unwrap();
                seen[at] += 1;
            }
            for (&(m, p), &count) in row.iter().zip(&seen) {
                let frequency = count as f64 / 10_000.0;
                assert!((frequency - p).abs() < 0.005, "n = {n}: {m} drawn {frequency}, p = {p}");
            }
        }
        // The lowest and highest keys pick the first and last outcomes.
        assert_eq!(t.perturb(20, CellKey::ZERO), 17);
        assert_eq!(t.perturb(20, CellKey::from_u32(u32::MAX)), 23);
    }

    #[test]
    fn zero_stays_zero_and_small_counts_hide() {
        let t = table();
        for key in even_keys(5_000).chain([CellKey::ZERO, CellKey::from_u32(u32::MAX)]) {
            assert_eq!(t.perturb(0, key), 0);
            for n in 1..200 {
                let m = t.perturb(n, key);
                assert!(m == 0 || m >= 5, "{n} published as {m}");
                if n < 5 {
                    assert_ne!(m, n);
                }
                if n > 5 {
                    assert!(m.abs_diff(n) <= 3);
                }
            }
        }
    }

    #[test]
    fn policy_floors_are_refused_one_by_one() {
        let with = |change: fn(&mut Params)| {
            let mut params = Params::DEFAULT;
            change(&mut params);
            Policy::new(params)
        };
        assert_eq!(Policy::new(Params::DEFAULT), Ok(Policy::DEFAULT));
        assert_eq!(Policy::default(), Policy::DEFAULT);
        let p = Policy::DEFAULT;
        assert_eq!(
            (
                p.threshold(),
                p.max_noise(),
                p.variance(),
                p.mean_min(),
                p.quantile_min(),
                p.release_step()
            ),
            (5, 3, 2.0, 10, 20, 5)
        );
        assert_eq!(with(|p| p.threshold = 2), Err(PolicyError::ThresholdBelowThree));
        assert_eq!(with(|p| p.threshold = 21), Err(PolicyError::ThresholdAboveTwenty));
        assert_eq!(with(|p| p.max_noise = 1), Err(PolicyError::NoiseBelowTwo));
        assert_eq!(with(|p| p.max_noise = 5), Err(PolicyError::NoiseNotBelowThreshold));
        assert_eq!(with(|p| p.variance = 0.9), Err(PolicyError::VarianceBelowOne));
        assert_eq!(with(|p| p.variance = f64::NAN), Err(PolicyError::VarianceBelowOne));
        assert_eq!(with(|p| p.variance = 3.1), Err(PolicyError::VarianceAboveNoise));
        assert_eq!(
            with(|p| p.variance = f64::INFINITY),
            Err(PolicyError::VarianceAboveNoise)
        );
        assert_eq!(with(|p| p.mean_min = 9), Err(PolicyError::MeanMinBelowTwiceThreshold));
        assert_eq!(
            with(|p| {
                p.mean_min = 30;
                p.quantile_min = 25;
            }),
            Err(PolicyError::QuantileMinBelowMeanMin)
        );
        assert_eq!(
            with(|p| p.quantile_min = 19),
            Err(PolicyError::QuantileMinBelowFourThresholds)
        );
        assert_eq!(
            with(|p| p.release_step = 4),
            Err(PolicyError::ReleaseStepBelowThreshold)
        );
        // The edges are allowed.
        assert!(
            Policy::new(Params {
                threshold: 3,
                max_noise: 2,
                variance: 1.0,
                mean_min: 6,
                quantile_min: 12,
                release_step: 3,
            })
            .is_ok()
        );
        assert!(with(|p| p.variance = 3.0).is_ok());
        assert!(with(|p| p.threshold = 20).is_err()); // mean_min 10 < 40
    }

    #[test]
    fn shares_come_from_published_counts() {
        assert_eq!(share(3, 0), None);
        assert_eq!(share(0, 0), None);
        assert_eq!(share(5, 20), Some(0.25));
        assert_eq!(share(23, 20), Some(1.0));
    }

    #[test]
    fn a_two_way_table_publishes_every_total_as_its_own_cell() {
        let t = PTable::new(Policy::DEFAULT);
        let keys: Vec<RecordKey> = (0..40u32)
            .map(|i| RecordKey::from_u32(i.wrapping_mul(2_654_435_761)))
            .collect();
        let records: Vec<(&str, &str, RecordKey)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    if i < 30 { "new" } else { "closed" },
                    if i == 0 { "urgent" } else { "medium" },
                    *k,
                )
            })
            .collect();
        let w = publish_two_way(
            records.iter().copied(),
            &["new", "closed"],
            &["medium", "high", "urgent"],
            &t,
        );
        assert_eq!(w.total, t.perturb(40, CellKey::of(keys.iter().copied())));
        assert_eq!(w.rows[0], t.perturb(30, CellKey::of(keys[..30].iter().copied())));
        assert_eq!(w.columns[1], 0, "zero stays zero");
        assert_eq!(w.cells[1][1], 0);
        // The one urgent case: 0 or k, never 1.
        assert!(w.columns[2] == 0 || w.columns[2] == 5);
        assert_eq!(w.columns[2], w.cells[0][2], "the same record, the same figure");
    }

    #[test]
    fn releases_need_a_full_step() {
        let p = Policy::DEFAULT;
        assert!(!releases(0, 0, false, &p));
        assert!(!releases(4, 0, true, &p));
        assert!(!releases(2, 2, false, &p));
        assert!(releases(5, 0, false, &p));
        assert!(releases(3, 2, false, &p));
        assert!(releases(0, 5, false, &p));
        assert!(releases(u64::MAX, u64::MAX, false, &p));
        // A larger step: a closed survey releases a remainder of k or more.
        let p = Policy::new(Params {
            release_step: 50,
            ..Params::DEFAULT
        })
        .unwrap();
        assert!(!releases(30, 0, false, &p));
        assert!(releases(30, 0, true, &p));
        assert!(!releases(4, 0, true, &p));
        assert!(releases(50, 0, false, &p));
    }

    #[test]
    fn means_need_a_large_published_group() {
        let t = table();
        let mut shown = 0;
        for key in even_keys(2_000) {
            for count in 0..20_u64 {
                let published = t.perturb(count, key);
                let mean = t.publish_mean(3.0 * count as f64, count, key, 1.0..=5.0);
                assert_eq!(mean.is_some(), published >= 10, "count {count} published {published}");
                if count < 7 {
                    assert_eq!(mean, None);
                }
                shown += usize::from(mean.is_some());
            }
        }
        assert!(shown > 0);
        // Ranges that are not ranges publish nothing.
        let key = CellKey::from_u32(12345);
        assert_eq!(t.publish_mean(300.0, 100, key, 5.0..=1.0), None);
        assert_eq!(t.publish_mean(300.0, 100, key, 0.0..=f64::INFINITY), None);
        assert_eq!(t.publish_mean(f64::NAN, 100, key, 1.0..=5.0), None);
        // A range of one value publishes it.
        assert_eq!(t.publish_mean(300.0, 100, key, 3.0..=3.0), Some(3.0));
    }

    #[test]
    fn quartiles_need_a_larger_published_group_and_hide_raw_values() {
        let t = table();
        let key = CellKey::from_u32(777);
        // Too small a group, however keyed.
        for key in even_keys(1_000) {
            let values: Vec<(f64, u64)> = (1..=14).map(|v| (f64::from(v), 1)).collect();
            assert_eq!(t.publish_quartiles(&values, key, 0.0..=100.0), None);
        }
        assert_eq!(t.publish_quartiles(&[(1.0, 100), (f64::NAN, 1)], key, 0.0..=10.0), None);
        assert_eq!(t.publish_quartiles(&[(1.0, 100)], key, 0.0..=f64::NAN), None);
        // 41 children with distinct whole answers 1..=41: the exact quartiles
        // are the raw answers 11, 21 and 31 (positions 10, 20, 30). Over 2,000
        // evenly spread keys, count how often a published quartile is exactly
        // the raw quartile, and how often it is any child's raw answer.
        let values: Vec<(f64, u64)> = (1..=41).rev().map(|v| (f64::from(v), 1)).collect();
        let (mut published, mut verbatim, mut raw) = (0, 0, 0);
        for key in even_keys(2_000) {
            let Some(q) = t.publish_quartiles(&values, key, 0.0..=50.0) else {
                continue;
            };
            published += 1;
            assert!(q.q1 <= q.median && q.median <= q.q3);
            let c = t.perturb(41, key) as f64;
            for (got, exact) in [(q.q1, 11.0), (q.median, 21.0), (q.q3, 31.0)] {
                assert!((got - exact).abs() <= 50.0 * 3.5 / c + 0.05 + 1e-9, "{got} for {exact}");
                verbatim += usize::from(got == exact);
                raw += usize::from(got.fract() == 0.0);
            }
        }
        assert_eq!(published, 2_000);
        assert!(
            verbatim * 100 < 5 * 3 * published,
            "{verbatim} of {} verbatim",
            3 * published
        );
        assert!(raw * 100 < 20 * 3 * published, "{raw} of {} raw answers", 3 * published);
    }

    #[test]
    fn the_same_key_gives_the_same_mean_and_quartiles_and_keys_differ_between_draws() {
        let t = table();
        let key = CellKey::of((1..=30_u32).map(|i| RecordKey::from_u32(i.wrapping_mul(0x1234_5677))));
        let again = CellKey::of(
            (1..=30_u32)
                .rev()
                .map(|i| RecordKey::from_u32(i.wrapping_mul(0x1234_5677))),
        );
        assert_eq!(key, again);
        assert_eq!(
            t.publish_mean(90.0, 30, key, 1.0..=5.0),
            t.publish_mean(90.0, 30, again, 1.0..=5.0)
        );
        let values = [(1.0, 10), (3.0, 10), (5.0, 10)];
        assert_eq!(
            t.publish_quartiles(&values, key, 1.0..=5.0),
            t.publish_quartiles(&values, again, 1.0..=5.0)
        );
        // Streams are separate draws: over many keys, the mean's noise is not
        // a function of the count's.
        let mut by_count = std::collections::BTreeMap::<u64, Vec<u32>>::new();
        for key in even_keys(1_000) {
            by_count
                .entry(t.perturb(50, key))
                .or_default()
                .push(key.stream(1) >> 29);
        }
        for draws in by_count.values() {
            let distinct: std::collections::BTreeSet<_> = draws.iter().collect();
            assert!(distinct.len() >= 6, "{distinct:?}");
        }
    }

    proptest! {
        #[test]
        fn any_valid_policy_keeps_the_table_promises(policy in policies()) {
            let t = PTable::new(policy);
            for n in 0..=t.regular_from() + 3 {
                check_row(&t, n)?;
            }
        }

        #[test]
        fn merging_in_any_order_or_partition_gives_the_same_key_and_count(
            keys in vec(any::<u32>(), 0..60),
            cuts in vec(any::<prop::sample::Index>(), 0..6),
            seed in any::<u64>(),
        ) {
            let t = table();
            let records: Vec<RecordKey> = keys.iter().copied().map(RecordKey::from_u32).collect();
            let whole = CellKey::of(records.iter().copied());
            // A shuffle of the records, then cut into parts merged together.
            let mut shuffled = records.clone();
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(shuffled.len() + 1)).collect();
            bounds.extend([0, shuffled.len()]);
            bounds.sort_unstable();
            let parts: Vec<CellKey> =
                bounds.windows(2).map(|w| CellKey::of(shuffled[w[0]..w[1]].iter().copied())).collect();
            let merged = parts.iter().rev().fold(CellKey::ZERO, |a, &b| a.merge(b));
            prop_assert_eq!(merged, whole);
            let n = records.len() as u64;
            prop_assert_eq!(t.perturb(n, merged), t.perturb(n, whole));
            // Taking a part out leaves the key of the rest.
            if let Some(&first) = parts.first() {
                let rest = parts[1..].iter().fold(CellKey::ZERO, |a, &b| a.merge(b));
                prop_assert_eq!(whole.unmerge(first), rest);
            }
            // Adding then removing a record restores the key.
            for &r in &records {
                prop_assert_eq!(whole.add(r).remove(r), whole);
                prop_assert_eq!(whole.merge(CellKey::from(r)).unmerge(r.into()), whole);
            }
        }

        #[test]
        fn published_counts_stay_in_bounds(n in 0..100_000_u64, key in any::<u32>()) {
            let t = table();
            let key = CellKey::from_u32(key);
            let m = t.perturb(n, key);
            prop_assert_eq!(m, t.perturb(n, key));
            prop_assert!(m == 0 || m >= 5);
            if n == 0 {
                prop_assert_eq!(m, 0);
            } else if n < 5 {
                prop_assert!(m == 0 || m == 5);
            } else if n == 5 {
                prop_assert!(m == 0 || (5..=8).contains(&m));
            } else {
                prop_assert!(m.abs_diff(n) <= 3);
            }
        }

        #[test]
        fn published_means_are_near_the_truth(
            values in vec(0.0..=10.0_f64, 0..80),
            key in any::<u32>(),
            policy in policies(),
        ) {
            let t = PTable::new(policy);
            let key = CellKey::from_u32(key);
            let count = values.len() as u64;
            let sum: f64 = values.iter().sum();
            let mean = t.publish_mean(sum, count, key, 0.0..=10.0);
            let published = t.perturb(count, key);
            prop_assert_eq!(mean.is_some(), published >= policy.mean_min());
            if let Some(mean) = mean {
                let d = policy.max_noise() as f64;
                let bound = 10.0 * (3.0 * d + 1.0) / (2.0 * published as f64) + 0.05;
                prop_assert!((mean - sum / count as f64).abs() <= bound + 1e-9);
                prop_assert!((0.0..=10.0).contains(&mean));
                prop_assert_eq!((mean * 10.0).round(), mean * 10.0);
                prop_assert_eq!(Some(mean), t.publish_mean(sum, count, key, 0.0..=10.0));
            }
        }

        #[test]
        fn published_quartiles_are_near_the_truth(
            values in vec((-20..=20_i32, 1..4_u64), 0..40),
            key in any::<u32>(),
        ) {
            let t = table();
            let key = CellKey::from_u32(key);
            let histogram: Vec<(f64, u64)> = values.iter().map(|&(v, n)| (f64::from(v), n)).collect();
            let total: u64 = histogram.iter().map(|&(_, n)| n).sum();
            let published = t.perturb(total, key);
            let quartiles = t.publish_quartiles(&histogram, key, -20.0..=20.0);
            prop_assert_eq!(quartiles.is_some(), published >= 20);
            if let Some(q) = quartiles {
                let mut sorted: Vec<f64> =
                    histogram.iter().flat_map(|&(v, n)| std::iter::repeat_n(v, n as usize)).collect();
                sorted.sort_by(f64::total_cmp);
                let exact = |q: f64| {
                    let position = q * (sorted.len() - 1) as f64;
                    let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
                    sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo as f64)
                };
                let bound = 40.0 * 3.5 / published as f64 + 0.05 + 1e-9;
                prop_assert!((q.q1 - exact(0.25)).abs() <= bound);
                prop_assert!((q.median - exact(0.5)).abs() <= bound);
                prop_assert!((q.q3 - exact(0.75)).abs() <= bound);
                prop_assert!(q.q1 <= q.median && q.median <= q.q3);
            }
        }
    }
}
